// The story of a rule change through `vigil rollout`, as a user runs it on
// synthetic tenants: shadow stale v2, read the diff, promote it to 50% of
// the tenants, roll it back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "app/cli_test_support.h"
#include "pipeline/rule_rollout.h"
#include "testing/fixtures.h"

namespace vigil {
namespace {

using testing::AlertKeys;
using testing::CliRun;
using testing::Vigil;

constexpr const char* kNow = "2026-11-28T00:00:00Z";

class RolloutCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::NewTempDir();
    db_ = dir_ + "/vigil.db";
    for (const std::string t : {"acme", "beta", "gamma", "delta", "echo", "foxtrot"}) {
      CliRun gen = Vigil({"generate", "--out", dir_ + "/" + t, "--tenant", t, "--users", "200",
                          "--now", kNow});
      ASSERT_EQ(gen.status, 0) << gen.err;
      tenants_.push_back(t);
      Sync(t);
    }
  }

  void Sync(const std::string& tenant) {
    CliRun run = Vigil({"sync", "--db", db_, "--tenant", tenant, "--from-dir", dir_ + "/" + tenant,
                        "--now", kNow});
    ASSERT_EQ(run.status, 0) << run.err << run.out;
    last_sync_ = run.out;
  }

  nlohmann::json Json(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db_, "--json"});
    CliRun run = Vigil(args);
    EXPECT_EQ(run.status, 0) << run.err;
    return run.status == 0 ? nlohmann::json::parse(run.out) : nlohmann::json();
  }

  // The reasons of every history row of `tenant`'s stale alerts.
  std::vector<std::string> RuleChanges(const std::string& tenant) {
    CliRun alerts =
        Vigil({"alerts", "--db", db_, "--tenant", tenant, "--state", "all", "--json"});
    EXPECT_EQ(alerts.status, 0) << alerts.err;
    std::vector<std::string> out;
    for (const auto& a : nlohmann::json::parse(alerts.out)) {
      if (a["analysis_type"] != "stale") continue;
      CliRun history = Vigil({"history", "--db", db_, "--json",
                              std::to_string(a["id"].get<int64_t>())});
      EXPECT_EQ(history.status, 0) << history.err;
      for (const auto& h : nlohmann::json::parse(history.out)) {
        const std::string reason = h["reason"];
        if (reason.rfind("rule_changed", 0) == 0) {
          out.push_back(h["transition"].get<std::string>() + " v" +
                        std::to_string(h["rule_version"].get<int>()) + " " + reason);
        }
      }
    }
    return out;
  }

  std::string dir_;
  std::string db_;
  std::vector<std::string> tenants_;
  std::string last_sync_;
};

TEST_F(RolloutCommandTest, ShadowDiffPromoteToHalfThenRollBack) {
  std::map<std::string, std::multiset<testing::AlertKey>> before;
  for (const std::string& t : tenants_) before[t] = AlertKeys(db_, t);

  // 1. Shadow stale v2 everywhere: the next analyses say what it would do.
  CliRun set = Vigil({"rollout", "set", "--db", db_, "--type", "stale", "--candidate", "2",
                      "--all", "--by", "ops"});
  ASSERT_EQ(set.status, 0) << set.err;
  EXPECT_EQ(set.out.rfind("stale v2 runs in shadow for 6 tenant(s): ", 0), 0u) << set.out;
  for (const std::string& t : tenants_) Sync(t);
  EXPECT_NE(last_sync_.find("stale      shadow v2 COMPLETE would open 0, would resolve "),
            std::string::npos)
      << last_sync_;
  for (const std::string& t : tenants_) EXPECT_EQ(AlertKeys(db_, t), before[t]) << t;

  // 2. The diff: per tenant and in all, with examples.
  const nlohmann::json diff = Json({"rollout", "diff", "--type", "stale"});
  ASSERT_EQ(diff["runs"].size(), 6u);
  const int would_resolve = diff["totals"]["would_resolve"];
  EXPECT_GT(would_resolve, 0);
  EXPECT_EQ(diff["totals"]["would_open"], 0);
  std::map<std::string, int> per_tenant;
  for (const auto& r : diff["runs"]) {
    per_tenant[r["tenant"]] = r["would_resolve"];
    EXPECT_EQ(r["active_version"], 1);
    EXPECT_EQ(r["candidate_version"], 2);
    EXPECT_LE(r["examples"].size(), 5u);
    for (const auto& e : r["examples"]) EXPECT_EQ(e["change"], "would_resolve");
  }
  const nlohmann::json synced =
      Json({"sync", "--tenant", "acme", "--from-dir", dir_ + "/acme", "--now", kNow});
  ASSERT_EQ(synced["analysis"]["shadow"].size(), 1u);
  EXPECT_EQ(synced["analysis"]["shadow"][0]["type"], "stale");
  EXPECT_EQ(synced["analysis"]["shadow"][0]["candidate_version"], 2);
  EXPECT_EQ(synced["analysis"]["shadow"][0]["would_resolve"], per_tenant["acme"]);
  CliRun text = Vigil({"rollout", "diff", "--db", db_, "--type", "stale", "--tenant", "acme"});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("acme    v1 -> v2  COMPLETE"), std::string::npos) << text.out;

  // 3. Promote to half the tenants: exactly those in the lower 50 buckets.
  const nlohmann::json promoted =
      Json({"rollout", "promote", "--type", "stale", "--version", "2", "--percent", "50"});
  std::set<std::string> half;
  for (const std::string& t : tenants_) {
    if (RolloutBucket(t) < 50) half.insert(t);
  }
  ASSERT_FALSE(half.empty());  // these six names fall on both sides of 50
  ASSERT_LT(half.size(), tenants_.size());
  EXPECT_EQ(promoted["changed"].get<std::set<std::string>>(), half);
  for (const std::string& t : tenants_) Sync(t);
  for (const std::string& t : tenants_) {
    const std::vector<std::string> changes = RuleChanges(t);
    if (half.count(t) == 0) {
      EXPECT_EQ(AlertKeys(db_, t), before[t]) << t;
      EXPECT_TRUE(changes.empty()) << t;
      continue;
    }
    // What the diff said would resolve did, and history names the change.
    EXPECT_EQ(static_cast<int>(changes.size()), per_tenant[t]) << t;
    for (const std::string& c : changes) {
      EXPECT_EQ(c,
                "resolved v2 rule_changed (v1 -> v2): finding no longer present in complete batch");
    }
  }
  const nlohmann::json status = Json({"rollout", "status"});
  EXPECT_EQ(status["types"][2]["type"], "stale");
  EXPECT_EQ(status["types"][2]["applied"],
            nlohmann::json::parse("[{\"version\":1,\"tenants\":" +
                                  std::to_string(6 - half.size()) +
                                  "},{\"version\":2,\"tenants\":" + std::to_string(half.size()) +
                                  "}]"));

  // 4. Roll back in one command: every alert is as before the promotion.
  CliRun back = Vigil({"rollout", "rollback", "--db", db_, "--type", "stale"});
  ASSERT_EQ(back.status, 0) << back.err;
  for (const std::string& t : tenants_) Sync(t);
  for (const std::string& t : tenants_) {
    std::multiset<testing::AlertKey> now = AlertKeys(db_, t);
    EXPECT_EQ(now, before[t]) << t;
    if (half.count(t) == 0) continue;
    int reopened = 0;
    for (const std::string& c : RuleChanges(t)) {
      if (c == "reopened v1 rule_changed (v2 -> v1): finding reappeared") ++reopened;
    }
    EXPECT_EQ(reopened, per_tenant[t]) << t;
  }
}

TEST_F(RolloutCommandTest, BadRequestsAreRefusedWithTheirReason) {
  CliRun type = Vigil({"rollout", "promote", "--db", db_, "--type", "stal", "--version", "2",
                       "--all"});
  EXPECT_EQ(type.status, 2);
  EXPECT_EQ(type.err,
            "vigil: rollout promote: unknown analysis type \"stal\" (known: mfa, license, stale, "
            "privilege, policy)\n");
  CliRun tenant = Vigil({"rollout", "set", "--db", db_, "--type", "stale", "--candidate", "2",
                         "--tenants", "acme,nobody"});
  EXPECT_EQ(tenant.status, 1);
  EXPECT_EQ(tenant.err, "vigil: rollout set: no tenant named \"nobody\"\n");
  CliRun candidate = Vigil({"rollout", "set", "--db", db_, "--type", "stale", "--candidate",
                            "two", "--all"});
  EXPECT_EQ(candidate.status, 2);
  EXPECT_NE(candidate.err.find("\"two\" is not a version number"), std::string::npos);
  CliRun both = Vigil({"rollout", "promote", "--db", db_, "--type", "stale", "--version", "2",
                       "--all", "--percent", "10"});
  EXPECT_EQ(both.status, 2);
  CliRun none = Vigil({"rollout", "promote", "--db", db_, "--type", "stale", "--version", "2"});
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("exactly one of"), std::string::npos) << none.err;
  EXPECT_TRUE(Json({"rollout", "status"})["settings"].empty());
}

}  // namespace
}  // namespace vigil
