// A tenant on Microsoft 365 and Google Workspace at once, end to end through
// `vigil serve`: both data sources synced over the HTTP API, one analysis
// over both, one alert per person, and the same alerts as the command line
// gives for the same two directories.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "app/cli_test_support.h"
#include "app/process_test_support.h"
#include "common/clock.h"
#include "common/time.h"
#include "testing/fixtures.h"
#include "testing/server_process.h"

namespace vigil {
namespace {

using testing::CliRun;
using testing::ReadWholeFile;
using testing::Vigil;
using testing::VigilBinary;
using testing::VigilProcess;
using testing::WaitFor;


httplib::Headers Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// "type subject" of each open alert of tenant contoso, from `vigil alerts --json`.
std::set<std::string> OpenAlertKeys(const std::string& db) {
  CliRun run = Vigil({"alerts", "--db", db, "--tenant", "contoso", "--json"});
  EXPECT_EQ(run.status, 0) << run.err;
  std::set<std::string> keys;
  if (run.status != 0) return keys;
  for (const nlohmann::json& a : nlohmann::json::parse(run.out)) {
    keys.insert(a["type"].get<std::string>() + " " + a["subject"].get<std::string>());
  }
  return keys;
}

class MixedTenantProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(VigilBinary().empty()) << "VIGIL_BINARY is not set";
    dir_ = testing::NewTempDir();
    // Generated as of now: `vigil serve` analyzes at the system clock.
    const std::string now = FormatIso8601(NewSystemClock()->NowMs());
    graph_ = dir_ + "/graph";
    google_ = dir_ + "/google";
    CliRun ms = Vigil({"generate", "--out", graph_, "--tenant", "contoso", "--users", "60",
                       "--seed", "7", "--now", now});
    ASSERT_EQ(ms.status, 0) << ms.err;
    CliRun gw = Vigil({"generate", "--provider", "google_workspace", "--out", google_, "--tenant",
                       "contoso", "--users", "40", "--seed", "8", "--same-people-as-tenant",
                       "contoso", "--same-people-users", "60", "--same-people-seed", "7",
                       "--shared-people", "30", "--now", now});
    ASSERT_EQ(gw.status, 0) << gw.err;
  }

  std::string dir_, graph_, google_;
};

TEST_F(MixedTenantProcessTest, ServeAnalyzesBothSourcesOnceWithOneAlertPerPerson) {
  // What the command line makes of the two directories.
  const std::string cli_db = dir_ + "/cli.db";
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--from-dir", graph_},
        std::vector<std::string>{"--from-dir", google_, "--format", "google_json"}}) {
    std::vector<std::string> args = {"sync", "--db", cli_db, "--tenant", "contoso"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliRun sync = Vigil(args);
    ASSERT_EQ(sync.status, 0) << sync.err << sync.out;
  }
  const std::set<std::string> expected = OpenAlertKeys(cli_db);
  ASSERT_GT(expected.size(), 10u);

  // The same two directories as data sources of a served database.
  const std::string db = dir_ + "/serve.db";
  for (const std::vector<std::string>& source :
       {std::vector<std::string>{"--provider", "graph_json", "--dir", graph_},
        std::vector<std::string>{"--provider", "google_json", "--dir", google_}}) {
    std::vector<std::string> args = {"source", "add", "--db", db, "--tenant", "contoso"};
    args.insert(args.end(), source.begin(), source.end());
    CliRun add = Vigil(args);
    ASSERT_EQ(add.status, 0) << add.err;
  }
  CliRun token = Vigil({"token", "create", "--db", db, "--name", "contoso", "--tenant", "contoso"});
  ASSERT_EQ(token.status, 0) << token.err;
  const std::string bearer = token.out.substr(0, token.out.find('\n'));

  const std::string log = dir_ + "/serve.log";
  VigilProcess serve({"serve", "--db", db, "--http", "127.0.0.1:0", "--coalesce", "100ms",
                      "--poll", "50ms"},
                     log);
  int port = 0;
  const std::regex started("\"event\":\"serve\\.started\".*\"http\":\"127\\.0\\.0\\.1:([0-9]+)\"");
  WaitFor(
      [&] {
        std::smatch m;
        const std::string text = ReadWholeFile(log);
        if (!std::regex_search(text, m, started)) return false;
        port = std::stoi(m[1]);
        return true;
      },
      30);
  ASSERT_GT(port, 0) << ReadWholeFile(log);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(std::chrono::seconds(30));

  auto sources = client.Get("/api/v1/sources?tenant=contoso", Bearer(bearer));
  ASSERT_TRUE(sources && sources->status == 200);
  const nlohmann::json items = nlohmann::json::parse(sources->body)["items"];
  ASSERT_EQ(items.size(), 2u) << sources->body;
  for (const nlohmann::json& source : items) {
    auto r = client.Post("/api/v1/sources/" + std::to_string(source["id"].get<int64_t>()) +
                             "/sync",
                         Bearer(bearer), "", "application/json");
    ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "no answer");
  }
  // Both synced and analyzed: the served alerts become the command line's.
  std::set<std::string> served;
  WaitFor(
      [&] {
        served = OpenAlertKeys(db);
        return served == expected;
      },
      60);
  EXPECT_EQ(served, expected) << ReadWholeFile(log);

  // One alert per person and type, and each user alert names its sources.
  auto alerts = client.Get("/api/v1/alerts?tenant=contoso&state=open&limit=500", Bearer(bearer));
  ASSERT_TRUE(alerts && alerts->status == 200);
  // Findings of Workspace accounts named by the Microsoft 365 account of the
  // same person: the subject is a Graph object id, the source "google".
  std::set<std::string> graph_ids;
  const nlohmann::json graph_users = nlohmann::json::parse(ReadWholeFile(graph_ + "/users.json"));
  for (const nlohmann::json& u : graph_users["value"]) {
    graph_ids.insert(u["id"].get<std::string>());
  }
  std::map<std::string, int> per_person;
  int linked = 0;
  const nlohmann::json page = nlohmann::json::parse(alerts->body);
  for (const nlohmann::json& a : page["items"]) {
    if (!a["details"].contains("upn")) continue;
    std::string name = a["subject_name"];
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    ++per_person[a["type"].get<std::string>() + " " + name];
    ASSERT_TRUE(a["details"].contains("sources")) << a.dump();
    const bool from_google = a["details"]["sources"].dump().find("google") != std::string::npos;
    linked += from_google && graph_ids.count(a["subject"].get<std::string>()) > 0;
  }
  ASSERT_FALSE(per_person.empty()) << alerts->body;
  for (const auto& [key, n] : per_person) EXPECT_EQ(n, 1) << key;
  EXPECT_GT(linked, 0) << alerts->body;

  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30), 0) << ReadWholeFile(log);
}

}  // namespace
}  // namespace vigil
