// The microsoft365 provider and the links Graph hands back: relative links
// (OData allows them), links and stored delta links that lead to another
// origin, and a national cloud's own token scope and Graph. End to end
// against the fake Graph (microsoft365_provider_fixture.h).
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "providers/microsoft365_provider.h"
#include "providers/microsoft365_provider_fixture.h"
#include "testing/routing_http_client.h"

namespace vigil {
namespace {

using namespace m365_testing;  // NOLINT: the fixture and its constants
using testing::FakeGraphFault;

class Microsoft365RelativeLinksTest
    : public Microsoft365ProviderTest,
      public ::testing::WithParamInterface<testing::FakeGraphLinks> {};

TEST_P(Microsoft365RelativeLinksTest, PagedUsersAndDeltaWithRelativeLinksSyncCompletely) {
  graph_->SetLinks(GetParam());
  Result<Snapshot> full = Fetch();
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->users.size(), 1234u);
  EXPECT_EQ(Diff(*full, FromDirectory()), "");
  EXPECT_EQ(graph_->Requests(kUsersPath), 3);  // every page of 500
  // The stored delta link is absolute: it is followed without a request to
  // resolve it against.
  const std::string stored = Cursor(*full)["delta_link"];
  EXPECT_EQ(stored.rfind(graph_->graph_url() + "/users/delta?$deltatoken=", 0), 0u) << stored;

  // An incremental sync pages the changes (150: pages of 100) by relative
  // links too.
  std::vector<UserRecord> expected_users = full->users;
  for (int i = 0; i < 150; ++i) {
    UserRecord user = full->users[static_cast<size_t>(i)];
    user.display_name = "Renamed " + std::to_string(i);
    user.last_sign_in = std::nullopt;
    graph_->UpsertUser(kTenant, UserJson(user));
    user.last_sign_in = full->users[static_cast<size_t>(i)].last_sign_in;
    expected_users[static_cast<size_t>(i)] = user;
  }
  clock_.Advance(3600 * 1000);
  Microsoft365Options options = Options();
  options.cursor = full->cursor;
  options.stored_users = [&]() -> Result<std::vector<UserRecord>> { return full->users; };
  Result<Snapshot> delta = Fetch(options);
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_EQ(graph_->Requests(kUsersPath), 3) << "no full read";
  EXPECT_EQ(graph_->Requests(kDeltaPath), 1 + 2);  // "latest", then the changes
  Snapshot expected = *full;
  expected.users = expected_users;
  EXPECT_EQ(Diff(*delta, expected), "");
  EXPECT_EQ(Cursor(*delta)["delta_link"].get<std::string>().rfind(graph_->graph_url(), 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(Forms, Microsoft365RelativeLinksTest,
                         ::testing::Values(testing::FakeGraphLinks::kAbsolutePath,
                                           testing::FakeGraphLinks::kRelativePath),
                         [](const ::testing::TestParamInfo<testing::FakeGraphLinks>& info) {
                           return std::string(info.param == testing::FakeGraphLinks::kAbsolutePath
                                                  ? "AbsolutePath"
                                                  : "RelativePath");
                         });

TEST_F(Microsoft365ProviderTest, ALinkToAnotherOriginFailsTheFetchNamingIt) {
  FakeGraphFault elsewhere;
  elsewhere.status = 200;
  elsewhere.body =
      R"({"value":[],"@odata.nextLink":"https://elsewhere.example/v1.0/subscribedSkus"})";
  graph_->InjectFault("/v1.0/subscribedSkus", elsewhere);
  Result<Snapshot> live = Fetch();
  EXPECT_EQ(live.status().ToString(),
            "invalid argument: GET /v1.0/subscribedSkus page 1: @odata.nextLink leads to "
            "https://elsewhere.example, outside " +
                graph_->graph_url().substr(0, graph_->graph_url().size() - 5));
}

TEST_F(Microsoft365ProviderTest, ANationalCloudGetsATokenForItsOwnGraphAndReadsFromIt) {
  // The fake answers as the US Government cloud's Graph; its hosts are
  // routed to it over loopback.
  graph_->ServeAs("https://graph.microsoft.us");
  auto routed = std::make_shared<testing::RoutingHttpClient>(
      http_, std::vector<testing::HttpRoute>{
                 {"https://login.microsoftonline.us/", graph_->authority_url() + "/"},
                 {"https://graph.microsoft.us/v1.0/", graph_->graph_url() + "/"}});
  Microsoft365Options options = Options();
  options.graph.authority_url = "https://login.microsoftonline.us";
  options.graph.graph_url = "https://graph.microsoft.us/v1.0";
  auto provider = NewMicrosoft365Provider(options, routed);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  Result<Snapshot> live = (*provider)->Fetch();
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(Diff(*live, FromDirectory()), "");

  EXPECT_EQ(graph_->TokenScopes(), std::vector<std::string>{"https://graph.microsoft.us/.default"});
  const std::vector<std::string> urls = routed->Urls();
  EXPECT_EQ(urls.size(), graph_->Log().size());
  for (const std::string& url : urls) {
    const bool token =
        url == std::string("https://login.microsoftonline.us/") + kTenant + "/oauth2/v2.0/token";
    EXPECT_TRUE(token || url.rfind("https://graph.microsoft.us/v1.0/", 0) == 0) << url;
  }
  EXPECT_EQ(Cursor(*live)["delta_link"].get<std::string>().rfind(
                "https://graph.microsoft.us/v1.0/users/delta?$deltatoken=", 0),
            0u);

  // A token of the global cloud's Graph is refused by this one.
  options.graph.graph_url = graph_->graph_url();
  options.graph.authority_url = graph_->authority_url();
  Result<Snapshot> wrong = Fetch(options);
  EXPECT_EQ(wrong.status().code(), Code::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("HTTP 400 invalid_resource: AADSTS500011: The resource "
                                          "principal named http://127.0.0.1:"),
            std::string::npos)
      << wrong.status().ToString();
}

TEST_F(Microsoft365ProviderTest, ADeltaLinkOfAnotherGraphIsNotFollowedButReadInFull) {
  Result<Snapshot> full = Fetch();
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  // As if the data source had been moved to another cloud since: its
  // stored delta link leads to the old Graph. Only the fake is reachable.
  nlohmann::json cursor = Cursor(*full);
  cursor["delta_link"] = "https://graph.example.invalid/v1.0/users/delta?$deltatoken=0.0";
  auto routed = std::make_shared<testing::RoutingHttpClient>(
      http_, std::vector<testing::HttpRoute>{{graph_->authority_url(), graph_->authority_url()},
                                             {graph_->graph_url(), graph_->graph_url()}});
  Microsoft365Options options = Options();
  options.cursor = cursor.dump();
  options.stored_users = [&]() -> Result<std::vector<UserRecord>> { return full->users; };
  auto provider = NewMicrosoft365Provider(options, routed);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  Result<Snapshot> again = (*provider)->Fetch();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Diff(*again, FromDirectory()), "");
  EXPECT_EQ(graph_->Requests(kUsersPath), 6);  // read in full again
  for (const std::string& url : routed->Urls()) {
    EXPECT_EQ(url.find("graph.example.invalid"), std::string::npos) << url;
  }
  EXPECT_EQ(Cursor(*again)["delta_link"].get<std::string>().rfind(graph_->graph_url(), 0), 0u);
}

}  // namespace
}  // namespace vigil
