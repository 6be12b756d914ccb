// The fixture of the microsoft365 provider's end-to-end tests (for tests):
// libcurl against the fake Graph (testing/fake_graph.h) serving a generated
// tenant of 1,234 users, with a fake clock and recorded retry waits. Shared
// by microsoft365_provider_test.cc and microsoft365_links_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/json_text.h"
#include "common/time.h"
#include "providers/graph_dir_provider.h"
#include "providers/graph_writer.h"
#include "providers/microsoft365_provider.h"
#include "providers/snapshot_diff.h"
#include "providers/synthetic.h"
#include "testing/fake_clock.h"
#include "testing/fake_graph.h"
#include "testing/fixtures.h"

namespace vigil::m365_testing {

using testing::FakeGraph;
using testing::FakeGraphFault;

inline constexpr char kTenant[] = "contoso-id";
inline constexpr char kClientId[] = "client-1";
inline constexpr char kSecret[] = "s3cret-value";
inline constexpr TimeMs kStart = kSyntheticDefaultNow;
inline constexpr char kUsersPath[] = "/v1.0/users";
inline constexpr char kDeltaPath[] = "/v1.0/users/delta";
inline constexpr char kUsersSelect[] =
    "$select=id,displayName,userPrincipalName,accountEnabled,userType,assignedLicenses,"
    "createdDateTime";

// A Graph user object as the directory format writes one.
inline std::string UserJson(const UserRecord& user) {
  std::string licenses;
  for (const std::string& sku : user.sku_ids) {
    if (!licenses.empty()) licenses += ",";
    licenses += "{\"disabledPlans\":[],\"skuId\":" + JsonQuote(sku) + "}";
  }
  std::string json = "{\"id\":" + JsonQuote(user.id) +
                     ",\"displayName\":" + JsonQuote(user.display_name) +
                     ",\"userPrincipalName\":" + JsonQuote(user.upn) +
                     ",\"accountEnabled\":" + (user.enabled ? "true" : "false") +
                     ",\"userType\":" + (user.guest ? "\"Guest\"" : "\"Member\"") +
                     ",\"assignedLicenses\":[" + licenses + "]";
  if (user.created) json += ",\"createdDateTime\":" + JsonQuote(FormatIso8601(*user.created));
  json += ",\"signInActivity\":";
  json += user.last_sign_in
              ? "{\"lastSignInDateTime\":" + JsonQuote(FormatIso8601(*user.last_sign_in)) + "}"
              : "null";
  return json + "}";
}

inline nlohmann::json Cursor(const Snapshot& snapshot) {
  return nlohmann::json::parse(snapshot.cursor);
}

class Microsoft365ProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_ = FakeGraph::Start();
    ASSERT_NE(graph_, nullptr);
    graph_->AddTenant(kTenant, kClientId, kSecret);
    dir_ = testing::NewTempDir();
    SyntheticOptions options;
    options.users = 1234;  // three pages of 500
    tenant_ = GenerateTenant(options);
    ASSERT_TRUE(WriteGraphDirectory(tenant_, dir_).ok());
    ASSERT_TRUE(graph_->LoadDirectory(kTenant, dir_).ok());
    auto http = NewCurlHttpClient(http_options_);
    ASSERT_TRUE(http.ok()) << http.status().ToString();
    http_ = std::move(http).value();
  }

  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Microsoft365Options Options() {
    Microsoft365Options options;
    options.credentials = {kTenant, kClientId, kSecret};
    options.graph.authority_url = graph_->authority_url();
    options.graph.graph_url = graph_->graph_url();
    options.graph.global_limiter = &global_;
    options.graph.jitter_seed = 3;
    options.graph.sleep = [this](int64_t ms) {
      std::lock_guard<std::mutex> lock(mu_);
      sleeps_.push_back(ms);
    };
    options.clock = &clock_;
    return options;
  }

  Result<Snapshot> Fetch(const Microsoft365Options& options) {
    auto provider = NewMicrosoft365Provider(options, http_);
    if (!provider.ok()) return provider.status();
    EXPECT_EQ((*provider)->name(), "microsoft365");
    return (*provider)->Fetch();
  }
  Result<Snapshot> Fetch() { return Fetch(Options()); }

  // What the graph_json provider reads from the same directory.
  Snapshot FromDirectory() {
    auto provider = NewGraphDirProvider(dir_);
    EXPECT_TRUE(provider.ok());
    Result<Snapshot> snapshot = (*provider)->Fetch();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    return std::move(snapshot).value();
  }

  // SnapshotDiff of `live` and `expected`, cursors aside.
  static std::string Diff(Snapshot live, Snapshot expected) {
    live.cursor.clear();
    expected.cursor.clear();
    return SnapshotDiff(live, expected);
  }

  std::vector<int64_t> Sleeps() {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

  int LogCount(const std::string& prefix) const {
    int n = 0;
    for (const std::string& line : graph_->Log()) n += line.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }

  std::unique_ptr<FakeGraph> graph_;
  std::string dir_;
  Snapshot tenant_;
  HttpClientOptions http_options_;
  std::shared_ptr<HttpClient> http_;
  RequestLimiter global_{100};
  testing::FakeClock clock_{kStart};
  std::mutex mu_;
  std::vector<int64_t> sleeps_;
};

}  // namespace vigil::m365_testing
