// `vigil prefs` with exclusions and severity overrides, through the real
// command line against a real SQLite file: what a user types, what it
// prints, and what the next sync does to the alerts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli_test_support.h"
#include "app/database.h"
#include "common/time.h"
#include "providers/graph_writer.h"
#include "providers/synthetic.h"
#include "store/tenants.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

constexpr const char* kNow = "2026-01-01T00:00:00Z";

using testing::CliRun;
using testing::Vigil;

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

class CliPrefsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    graph_ = dir_ + "/graph";
    SyntheticOptions options;
    options.tenant_name = "contoso";
    options.users = 40;
    options.now = *ParseIso8601(kNow);
    ASSERT_TRUE(WriteGraphDirectory(GenerateTenant(options), graph_).ok());
  }

  void Sync() {
    CliRun r = Vigil({"sync", "--db", db_, "--tenant", "contoso", "--from-dir", graph_, "--now",
                      kNow});
    ASSERT_EQ(r.status, 0) << r.err;
  }

  CliRun Prefs(std::vector<std::string> extra) {
    std::vector<std::string> args = {"prefs", "--db", db_, "--tenant", "contoso"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Vigil(args);
  }

  nlohmann::json Alerts(const std::string& state = "all") {
    CliRun r = Vigil({"alerts", "--db", db_, "--state", state, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  // The first alert of `type` in `state`.
  nlohmann::json FirstAlert(const std::string& type, const std::string& state = "open") {
    for (const auto& a : Alerts(state)) {
      if (a["type"] == type) return a;
    }
    ADD_FAILURE() << "no " << state << " alert of type " << type;
    return nlohmann::json::object();
  }

  nlohmann::json AlertById(int64_t id) {
    for (const auto& a : Alerts()) {
      if (a["id"] == id) return a;
    }
    return nlohmann::json::object();
  }

  // The reason of the newest history row of alert `id`.
  std::string LastReason(int64_t id) {
    CliRun r = Vigil({"history", "--db", db_, std::to_string(id), "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    nlohmann::json h = nlohmann::json::parse(r.out);
    if (h.is_object() && h.contains("history")) h = h["history"];
    return h.empty() ? "" : h.back()["reason"].get<std::string>();
  }

  std::string dir_, db_, graph_;
};

TEST_F(CliPrefsTest, AnExcludedUsersAlertResolvesWithTheExclusionAndRemovingItReopensIt) {
  Sync();
  const nlohmann::json alert = FirstAlert("mfa.user_not_registered");
  const int64_t id = alert["id"];
  const std::string upn = alert["subject_name"];

  // By UPN in any case, for one alert type.
  CliRun add = Prefs({"--exclude", "user:" + Upper(upn), "--type", "mfa.user_not_registered",
                      "--reason", "break-glass account", "--by", "alice"});
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out.substr(0, add.out.find('\n')),
            "added exclusion 1: user:" + upn + " from mfa.user_not_registered");
  EXPECT_NE(add.out.find("exclusions:\nID  KIND  VALUE"), std::string::npos) << add.out;
  EXPECT_NE(add.out.find("break-glass account"), std::string::npos) << add.out;

  CliRun sync = Vigil({"sync", "--db", db_, "--tenant", "contoso", "--from-dir", graph_, "--now",
                       kNow, "--json"});
  ASSERT_EQ(sync.status, 0) << sync.err;
  const nlohmann::json mfa = nlohmann::json::parse(sync.out)["analysis"]["batches"][0];
  EXPECT_EQ(mfa["type"], "mfa");
  EXPECT_EQ(mfa["excluded"], 1);
  EXPECT_EQ(mfa["resolved"], 1);
  EXPECT_EQ(AlertById(id)["state"], "resolved");
  EXPECT_EQ(LastReason(id), "excluded (exclusion 1: break-glass account)");

  // Listed, in JSON too, after the preferences.
  CliRun show = Prefs({"--json"});
  ASSERT_EQ(show.status, 0) << show.err;
  const nlohmann::json j = nlohmann::json::parse(show.out);
  ASSERT_EQ(j["exclusions"].size(), 1u);
  EXPECT_EQ(j["exclusions"][0]["id"], 1);
  EXPECT_EQ(j["exclusions"][0]["kind"], "user");
  EXPECT_EQ(j["exclusions"][0]["value"], upn);
  EXPECT_EQ(j["exclusions"][0]["alert_type"], "mfa.user_not_registered");
  EXPECT_EQ(j["exclusions"][0]["reason"], "break-glass account");
  EXPECT_EQ(j["exclusions"][0]["added_by"], "alice");
  EXPECT_TRUE(j["exclusions"][0]["added_at"].is_string());
  EXPECT_EQ(j["severity_overrides"], nlohmann::json::object());

  // The same again is refused; removing it brings the alert back.
  CliRun twice = Prefs({"--exclude", "user:" + upn, "--type", "mfa.user_not_registered",
                        "--reason", "again", "--by", "alice"});
  EXPECT_EQ(twice.status, 1);
  EXPECT_EQ(twice.err, "vigil: user:" + upn +
                           " is already excluded from mfa.user_not_registered (exclusion 1)\n");
  CliRun removed = Prefs({"--remove-exclusion", "1"});
  ASSERT_EQ(removed.status, 0) << removed.err;
  EXPECT_EQ(removed.out.substr(0, removed.out.find('\n')),
            "removed exclusion 1: user:" + upn + " from mfa.user_not_registered");
  EXPECT_NE(removed.out.find("exclusions: none"), std::string::npos) << removed.out;
  EXPECT_EQ(Prefs({"--remove-exclusion", "1"}).err, "vigil: no exclusion 1\n");
  Sync();
  EXPECT_EQ(AlertById(id)["state"], "open");
  EXPECT_EQ(LastReason(id), "finding reappeared");
}

TEST_F(CliPrefsTest, AnExcludedUserNeverGetsAnAlertButPrivilegeAlertsStay) {
  // Before the first sync: a user with an MFA alert, found on a copy.
  Sync();
  const nlohmann::json alert = FirstAlert("mfa.user_not_registered");
  const std::string subject = alert["subject"];
  const int64_t before = static_cast<int64_t>(Alerts().size());

  // A fresh database with the tenant alone: the exclusion exists before any alert does.
  db_ = dir_ + "/fresh.db";
  {
    Result<std::unique_ptr<Db>> db = OpenDatabase(db_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE(EnsureTenant(db->get(), "contoso", 0).ok());
  }
  CliRun add = Prefs({"--exclude", "user:" + subject, "--reason", "service account", "--by", "bob"});
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out.substr(0, add.out.find('\n')),
            "added exclusion 1: user:" + subject + " from every alert type but privilege.*");
  Sync();
  for (const auto& a : Alerts()) {
    if (a["subject"] == subject) {
      EXPECT_EQ(a["type"].get<std::string>().rfind("privilege.", 0), 0u) << a;
    }
  }
  EXPECT_LT(static_cast<int64_t>(Alerts().size()), before);
}

// A privilege alert of an excluded user stays open: "*" never covers privilege.*.
TEST_F(CliPrefsTest, PrivilegeAlertsAreNeverExcluded) {
  Sync();
  const nlohmann::json alert = FirstAlert("privilege.stale_admin");
  const std::string subject = alert["subject"];
  ASSERT_EQ(Prefs({"--exclude", "user:" + subject, "--reason", "break-glass", "--by", "bob"})
                .status,
            0);
  Sync();
  EXPECT_EQ(AlertById(alert["id"])["state"], "open");
}

TEST_F(CliPrefsTest, ASeverityOverrideChangesTheAlertAndItsHistorySaysSo) {
  Sync();
  const nlohmann::json alert = FirstAlert("mfa.user_not_registered");
  const int64_t id = alert["id"];
  ASSERT_EQ(alert["severity"], "medium");
  CliRun set = Prefs({"--set", "severity_overrides=mfa.user_not_registered=high"});
  ASSERT_EQ(set.status, 0) << set.err;
  EXPECT_NE(set.out.find("severity overrides:\nALERT TYPE               DEFAULT  OVERRIDE\n"
                         "mfa.user_not_registered  medium   high\n"),
            std::string::npos)
      << set.out;
  Sync();
  EXPECT_EQ(AlertById(id)["severity"], "high");
  EXPECT_EQ(LastReason(id), "severity changed from medium to high (severity override)");
  CliRun show = Prefs({"--json"});
  const nlohmann::json j = nlohmann::json::parse(show.out);
  EXPECT_EQ(j["severity_overrides"], (nlohmann::json{{"mfa.user_not_registered", "high"}}));
  EXPECT_EQ(j["preferences"]["severity_overrides"], "mfa.user_not_registered=high");
}

TEST_F(CliPrefsTest, BadExclusionsAndImpossibleThresholdsAreUsageErrors) {
  Sync();
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"--exclude", "bob", "--reason", "r"},
       "vigil: --exclude bob: expected user:UPN, user:ID, group:ID or sku:PART\n"},
      {{"--exclude", "device:x", "--reason", "r"},
       "vigil: exclusion kind \"device\" is not one of user, group, sku\n"},
      {{"--exclude", "user:bg@contoso.com"}, "vigil: exclusion: a reason is required\n"},
      {{"--exclude", "user:bg@contoso.com", "--type", "privilege.stale_admin", "--reason", "r"},
       "vigil: privilege alerts cannot be excluded\n"},
      {{"--exclude", "user:bg@contoso.com", "--type", "mfa.nope", "--reason", "r"},
       "vigil: exclusion: unknown alert type \"mfa.nope\"\n"},
      {{"--set", "min_global_admins=5"},
       "vigil: --set: min_global_admins (5) is greater than max_global_admins (4)\n"},
      {{"--set", "severity_overrides=stale.user=urgent"},
       "vigil: --set: preference severity_overrides: unknown severity \"urgent\" for stale.user "
       "(known: low, medium, high, critical)\n"},
  };
  for (const Case& c : cases) {
    CliRun r = Prefs(c.args);
    EXPECT_EQ(r.status, 2) << c.args[1];
    EXPECT_EQ(r.err, c.err) << c.args[1];
  }
  CliRun both = Prefs({"--exclude", "user:x", "--reason", "r", "--remove-exclusion", "1"});
  EXPECT_EQ(both.status, 2);
  CliRun stray = Prefs({"--reason", "r"});
  EXPECT_EQ(stray.status, 2);
  // Nothing was stored.
  const nlohmann::json j = nlohmann::json::parse(Prefs({"--json"}).out);
  EXPECT_EQ(j["exclusions"], nlohmann::json::array());
  EXPECT_EQ(j["preferences"]["min_global_admins"], "2");
}

TEST_F(CliPrefsTest, HelpExplainsExclusionsAndOverrides) {
  CliRun help = Vigil({"prefs", "--help"});
  ASSERT_EQ(help.status, 0);
  for (const char* text : {"--exclude", "user:UPN", "group:ID", "sku:PART", "--type", "--reason",
                           "--by", "--remove-exclusion", "severity_overrides", "privilege"}) {
    EXPECT_NE(help.out.find(text), std::string::npos) << text << "\n" << help.out;
  }
}

}  // namespace
}  // namespace vigil
