#include "app/cli.h"
#include "app/cli_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "alerts/alert_store.h"
#include "common/time.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/sqlite_db.h"
#include "store/tenants.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

constexpr const char* kNow = "2026-01-01T00:00:00Z";

using testing::CliRun;
using testing::Vigil;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    graph_ = dir_ + "/graph";
    SyntheticOptions options;
    options.tenant_name = "contoso";
    options.users = 40;
    options.now = *ParseIso8601(kNow);
    snapshot_ = GenerateTenant(options);
    Write(snapshot_);
  }
  void Write(const Snapshot& s) { ASSERT_TRUE(WriteGraphDirectory(s, graph_).ok()); }
  CliRun Sync(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sync",    "--db",       db_,   "--tenant",
                                     "contoso", "--from-dir", graph_};
    args.insert(args.end(), extra.begin(), extra.end());
    if (std::find(args.begin(), args.end(), "--now") == args.end()) {
      args.insert(args.end(), {"--now", kNow});
    }
    return Vigil(args);
  }
  nlohmann::json Alerts(const std::string& state = "open") {
    CliRun r = Vigil({"alerts", "--db", db_, "--state", state, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }
  int OpenOfPrefix(const std::string& prefix) {
    int n = 0;
    for (const auto& a : Alerts()) n += a["type"].get<std::string>().rfind(prefix, 0) == 0;
    return n;
  }

  std::string dir_, db_, graph_;
  Snapshot snapshot_;
};

TEST_F(CliTest, SyncAnalyzesAndReportsEveryType) {
  CliRun r = Sync({"--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tenant"], "contoso");
  EXPECT_EQ(j["sync"]["status"], "succeeded");
  EXPECT_EQ(j["sync"]["kinds"]["user"]["created"], 40);
  ASSERT_EQ(j["analysis"]["batches"].size(), 5u);
  for (const auto& b : j["analysis"]["batches"]) EXPECT_EQ(b["status"], "COMPLETE") << b;
  EXPECT_LE(j["analysis"]["statements"]["load"].get<int>(), 8);
  EXPECT_EQ(j["analysis"]["as_of"], kNow);
  EXPECT_EQ(j["trace_id"].get<std::string>().size(), 32u);
}

TEST_F(CliTest, AlertsJsonCarriesTheStableKeys) {
  ASSERT_EQ(Sync().status, 0);
  auto alerts = Alerts();
  ASSERT_FALSE(alerts.empty());
  for (const char* key : {"id", "tenant", "type", "subject", "subject_name", "severity", "state",
                          "first_seen", "last_seen", "resolved_at", "details"}) {
    EXPECT_TRUE(alerts[0].contains(key)) << key;
  }
  EXPECT_TRUE(alerts[0]["details"].is_object());
  EXPECT_TRUE(alerts[0]["resolved_at"].is_null());
}

TEST_F(CliTest, MalformedFileFailsWithFileAndPositionAndChangesNothing) {
  ASSERT_EQ(Sync().status, 0);
  const auto before = Alerts();
  std::string users = R"({"value":[{"id":"a","accountEnabled":true},{"id":"b"},{"id":"c"},)"
                      R"({"id":"d","accountEnabled":"yes"}]})";
  testing::WriteFile(graph_ + "/users.json", users);
  CliRun r = Sync();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("users.json: value[3].accountEnabled: expected boolean"), std::string::npos)
      << r.err;
  EXPECT_EQ(Alerts(), before);
}

TEST_F(CliTest, AnEmptyUserListIsRefusedAndResolvesNothing) {
  ASSERT_EQ(Sync().status, 0);
  const auto before = Alerts();
  testing::WriteFile(graph_ + "/users.json", R"({"value":[]})");
  CliRun r = Sync();
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("refused: this sync would delete 40 of 40 user entities"), std::string::npos)
      << r.err;
  EXPECT_EQ(Alerts(), before);
  CliRun forced = Sync({"--force"});
  EXPECT_EQ(forced.status, 0) << forced.err;
  EXPECT_EQ(OpenOfPrefix("mfa.user_not_registered"), 0);
}

TEST_F(CliTest, AMissingFileMakesItsAnalysesIncompleteAndKeepsTheirAlerts) {
  ASSERT_EQ(Sync().status, 0);
  const int mfa_before = OpenOfPrefix("mfa.");
  ASSERT_GT(mfa_before, 0);
  std::filesystem::remove(graph_ + "/userRegistrationDetails.json");
  CliRun r = Sync({"--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sync"]["unavailable"]["registration"], "userRegistrationDetails.json is missing");
  const auto& mfa = j["analysis"]["batches"][0];
  EXPECT_EQ(mfa["type"], "mfa");
  EXPECT_EQ(mfa["status"], "INCOMPLETE");
  EXPECT_NE(mfa["reason"].get<std::string>().find("userRegistrationDetails.json is missing"),
            std::string::npos)
      << mfa;
  EXPECT_EQ(OpenOfPrefix("mfa."), mfa_before);
}

// The seed's MFA bug, end to end: MFA is fixed for every flagged user; the
// next sync's MFA batch is empty, so the alerts resolve and the tags clear.
TEST_F(CliTest, FixingMfaResolvesTheAlertsAndClearsTheTagsTogether) {
  ASSERT_EQ(Sync().status, 0);
  ASSERT_GT(OpenOfPrefix("mfa.user_not_registered"), 0);
  Snapshot fixed = snapshot_;
  EnableMfaForAll(&fixed);
  Write(fixed);
  ASSERT_EQ(Sync().status, 0);
  EXPECT_EQ(OpenOfPrefix("mfa.user_not_registered"), 0);
  EXPECT_EQ(OpenOfPrefix("mfa.admin_not_registered"), 0);
  auto db = OpenSqliteDb(db_);
  ASSERT_TRUE(db.ok());
  auto tenant = FindTenant(db->get(), "contoso");
  ASSERT_TRUE(tenant.ok() && tenant->has_value());
  auto tags = ListTags(db->get(), (*tenant)->id);
  ASSERT_TRUE(tags.ok());
  for (const auto& [subject, tag] : *tags) EXPECT_NE(tag, "mfa:missing") << subject;
}

TEST_F(CliTest, HistoryAndTraceShowWhatChangedAndWhy) {
  ASSERT_EQ(Sync().status, 0);
  Snapshot fixed = snapshot_;
  EnableMfaForAll(&fixed);
  Write(fixed);
  CliRun second = Sync({"--json"});
  ASSERT_EQ(second.status, 0);
  const std::string trace_id = nlohmann::json::parse(second.out)["trace_id"];
  auto resolved = Alerts("resolved");
  ASSERT_FALSE(resolved.empty());
  const std::string id = std::to_string(resolved[0]["id"].get<int64_t>());
  CliRun h = Vigil({"history", "--db", db_, id, "--json"});
  ASSERT_EQ(h.status, 0) << h.err;
  auto history = nlohmann::json::parse(h.out);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0]["transition"], "opened");
  EXPECT_EQ(history[1]["transition"], "resolved");
  EXPECT_EQ(history[1]["trace_id"], trace_id);
  CliRun t = Vigil({"trace", "--db", db_, trace_id});
  ASSERT_EQ(t.status, 0) << t.err;
  // The waterfall lists the spans in the order they ran, children indented:
  // each line is "<ms> ms <n> stmts  <indent><name>  <attributes>".
  std::vector<std::string> spans;
  std::istringstream lines(t.out);
  std::string line;
  std::getline(lines, line);  // "trace <id> started <time>"
  while (std::getline(lines, line)) {
    const size_t name_at = line.find("stmts  ") + 7;
    const size_t end_at = line.find("  ", name_at + line.substr(name_at).find_first_not_of(' '));
    spans.push_back(line.substr(name_at, end_at == std::string::npos ? end_at : end_at - name_at));
  }
  const std::vector<std::string> expected = {"trigger",
                                             "  sync",
                                             "    provider.fetch",
                                             "    sync.apply",
                                             "  analyze",
                                             "    context.load",
                                             "    analyze.mfa",
                                             "    analyze.license",
                                             "    analyze.stale",
                                             "    analyze.privilege",
                                             "    analyze.policy",
                                             "    reconcile"};
  EXPECT_EQ(spans, expected) << t.out;
}

TEST_F(CliTest, BadUsageExitsTwoAndSaysWhy) {
  CliRun missing = Vigil({"sync", "--db", db_, "--from-dir", graph_});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("--tenant is required"), std::string::npos) << missing.err;
  CliRun bad_now = Sync({"--now", "yesterday"});
  EXPECT_EQ(bad_now.status, 2);
  EXPECT_EQ(bad_now.err, "vigil: --now: not an ISO 8601 timestamp: \"yesterday\"\n");
  CliRun bad_state = Vigil({"alerts", "--db", db_, "--state", "closed"});
  EXPECT_EQ(bad_state.status, 2);
  CliRun none = Vigil({});
  EXPECT_EQ(none.status, 2);
}

TEST_F(CliTest, FailuresNameWhatWasNotFound) {
  CliRun dir = Vigil({"sync", "--db", db_, "--tenant", "contoso", "--from-dir", dir_ + "/nope"});
  EXPECT_EQ(dir.status, 1);
  EXPECT_NE(dir.err.find(dir_ + "/nope"), std::string::npos) << dir.err;
  ASSERT_EQ(Sync().status, 0);
  CliRun history = Vigil({"history", "--db", db_, "999999"});
  EXPECT_EQ(history.status, 1);
  EXPECT_EQ(history.err, "vigil: no alert with id 999999\n");
  CliRun trace = Vigil({"trace", "--db", db_, "abc"});
  EXPECT_EQ(trace.status, 1);
  EXPECT_EQ(trace.err, "vigil: no trace with id abc\n");
  CliRun tenant = Vigil({"alerts", "--db", db_, "--tenant", "nobody"});
  EXPECT_EQ(tenant.status, 1);
  EXPECT_EQ(tenant.err, "vigil: no tenant named \"nobody\"\n");
}

TEST_F(CliTest, DemoRunsTheWholeStoryAndSucceeds) {
  CliRun r = Vigil({"demo", "--db", dir_ + "/demo.db", "--users", "30", "--now", kNow});
  ASSERT_EQ(r.status, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("nothing resolved by silence"), std::string::npos);
  EXPECT_NE(r.out.find("license.disabled_user alerts open: "), std::string::npos);
  EXPECT_NE(r.out.find("resolved  finding no longer present in complete batch"), std::string::npos)
      << r.out;
  // Step 4, the mixed MSP: litware on Workspace alone has per-user MFA
  // alerts and no tenant-level ones; in contoso, a person with accounts in
  // both data sources has one alert of a type, and every user alert names
  // the data sources it came from.
  CliRun alerts = Vigil({"alerts", "--db", dir_ + "/demo.db", "--json"});
  ASSERT_EQ(alerts.status, 0) << alerts.err;
  std::map<std::string, int> litware;
  std::map<std::string, int> per_person;
  int user_alerts = 0;
  int from_google = 0;
  for (const nlohmann::json& a : nlohmann::json::parse(alerts.out)) {
    const std::string type = a["type"];
    if (a["tenant"] == "litware") ++litware[type];
    if (a["tenant"] != "contoso") continue;
    std::string name = a["subject_name"];
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    ++per_person[type + " " + name];
    if (!a["details"].contains("upn")) continue;  // not about a user
    ++user_alerts;
    // Two data sources: every user alert says which gave it.
    EXPECT_TRUE(a["details"].contains("sources")) << a.dump();
    from_google += a["details"].value("sources", nlohmann::json::array()).dump().find("google") !=
                   std::string::npos;
  }
  EXPECT_GT(litware["mfa.user_not_enforced"], 0);
  EXPECT_EQ(litware.count("mfa.not_enforced"), 0u);
  EXPECT_EQ(litware.count("policy.legacy_auth_not_blocked"), 0u);
  EXPECT_GT(user_alerts, 0);
  EXPECT_GT(from_google, 0) << alerts.out;
  for (const auto& [key, n] : per_person) EXPECT_EQ(n, 1) << key;
}

TEST_F(CliTest, PreferencesChangeTheNextAnalysis) {
  ASSERT_EQ(Sync().status, 0);
  ASSERT_GT(OpenOfPrefix("stale.user"), 0);
  CliRun set = Vigil({"prefs", "--db", db_, "--tenant", "contoso", "--set",
                      "disabled_alert_types=stale.user", "--set", "stale_days=3650", "--json"});
  ASSERT_EQ(set.status, 0) << set.err;
  auto j = nlohmann::json::parse(set.out);
  EXPECT_EQ(j["preferences"]["disabled_alert_types"], "stale.user");
  EXPECT_EQ(j["preferences"]["stale_days"], "3650");
  EXPECT_EQ(j["preferences"]["min_global_admins"], "2");
  ASSERT_EQ(Sync().status, 0);
  EXPECT_EQ(OpenOfPrefix("stale.user"), 0);
  EXPECT_EQ(OpenOfPrefix("stale.guest"), 0);  // nobody is 10 years inactive
}

TEST_F(CliTest, BadPreferencesAreRefusedBeforeAnythingIsWritten) {
  ASSERT_EQ(Sync().status, 0);
  CliRun unknown = Vigil({"prefs", "--db", db_, "--tenant", "contoso", "--set", "stale_days=30",
                          "--set", "colour=red"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_EQ(unknown.err,
            "vigil: --set: unknown preference \"colour\" (known: stale_days, min_global_admins, "
            "max_global_admins, max_sync_age_hours, flap_threshold, flap_window, "
            "disabled_alert_types, severity_overrides)\n");
  CliRun type = Vigil({"prefs", "--db", db_, "--tenant", "contoso", "--set",
                       "disabled_alert_types=stale.user,mfa.nope"});
  EXPECT_EQ(type.status, 2);
  EXPECT_EQ(type.err, "vigil: --set: disabled_alert_types: unknown alert type \"mfa.nope\"\n");
  CliRun show = Vigil({"prefs", "--db", db_, "--tenant", "contoso", "--json"});
  ASSERT_EQ(show.status, 0);
  EXPECT_EQ(nlohmann::json::parse(show.out)["preferences"]["stale_days"], "90");
}

TEST_F(CliTest, HelpExplainsEveryCommand) {
  CliRun r = Vigil({"--help"});
  EXPECT_EQ(r.status, 0);
  for (const char* cmd : {"sync", "alerts", "history", "trace", "prefs", "demo", "generate"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
}

// The command names a help text lists under "Subcommands:", in order.
std::vector<std::string> ListedCommands(const std::string& help) {
  std::vector<std::string> names;
  const size_t at = help.find("Subcommands:\n");
  if (at == std::string::npos) return names;
  std::istringstream lines(help.substr(at));
  std::string line;
  while (std::getline(lines, line)) {
    // "  name   description"; description continuation lines are indented further.
    if (line.size() > 2 && line.compare(0, 2, "  ") == 0 && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  return names;
}

// Every command, and every subcommand of a command group, is registered by
// its own cmd_<name>.cc; RunCli lists them. One left out of that list (or
// added twice, or moved) fails here.
TEST_F(CliTest, HelpListsEveryCommandInOrder) {
  CliRun top = Vigil({"--help"});
  ASSERT_EQ(top.status, 0);
  EXPECT_EQ(ListedCommands(top.out),
            (std::vector<std::string>{"sync", "alerts", "history", "trace", "generate", "prefs",
                                      "rules", "rollout", "demo", "serve", "worker", "migrate",
                                      "health", "trigger", "jobs", "events", "schedule", "queue",
                                      "key", "source", "sources", "token", "tokens", "webhook",
                                      "channel", "channels", "notifications"}))
      << top.out;
  const std::vector<std::pair<std::string, std::vector<std::string>>> groups = {
      {"events", {"tail"}},          {"queue", {"add", "work", "stats"}},
      {"key", {"generate"}},         {"source", {"add", "test"}},
      {"token", {"create", "revoke"}}, {"webhook", {"secret"}},
      {"channel", {"add", "remove", "test"}},
      {"rollout", {"set", "diff", "promote", "rollback", "status"}}};
  for (const auto& [group, subcommands] : groups) {
    CliRun help = Vigil({group, "--help"});
    EXPECT_EQ(help.status, 0) << group;
    EXPECT_EQ(ListedCommands(help.out), subcommands) << help.out;
  }
}

}  // namespace
}  // namespace vigil
