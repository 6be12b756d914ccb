// Properties of the whole analysis over random tenants (rapidcheck).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "analysis/alert_types.h"
#include "analysis/analysis_testing.h"
#include "analysis/unified_analyzer.h"

namespace vigil {
namespace {

using analysis_testing::ContextBuilder;
using analysis_testing::DaysAgo;

// One random user, described independently of the order it is added in.
struct UserSpec {
  bool guest = false;
  bool enabled = true;
  int mfa = 0;            // 0 registered, 1 row says not registered, 2 no row
  int sign_in_days = -1;  // -1: never
  int created_days = -1;  // -1: unknown
  bool global_admin = false;
  bool user_admin = false;
  int licenses = 0;  // bit i: holds sku-i
};

struct TenantSpec {
  std::vector<UserSpec> users;
  std::vector<std::pair<int, int>> skus;  // (enabled, consumed) of sku-0..2
  bool security_defaults = false;
  int policies = 0;  // bit 0: enabled MFA for all; bit 1: report-only MFA; bit 2: block EAS;
                     // bit 3: block other
};

TenantSpec RandomTenant() {
  TenantSpec t;
  const int n = *rc::gen::inRange(0, 30);
  for (int i = 0; i < n; ++i) {
    UserSpec u;
    u.guest = *rc::gen::inRange(0, 4) == 0;
    u.enabled = *rc::gen::inRange(0, 5) != 0;
    u.mfa = *rc::gen::inRange(0, 3);
    u.sign_in_days = *rc::gen::inRange(-1, 200);
    u.created_days = *rc::gen::inRange(-1, 400);
    u.global_admin = *rc::gen::inRange(0, 4) == 0;
    u.user_admin = *rc::gen::inRange(0, 6) == 0;
    u.licenses = *rc::gen::inRange(0, 8);
    t.users.push_back(u);
  }
  for (int s = 0; s < 3; ++s) t.skus.emplace_back(*rc::gen::inRange(0, 6), *rc::gen::inRange(0, 6));
  t.security_defaults = *rc::gen::arbitrary<bool>();
  t.policies = *rc::gen::inRange(0, 16);
  return t;
}

// Builds the tenant; a non-zero `shuffle_seed` adds users, SKUs and policies
// in a shuffled order.
DataContext Build(const TenantSpec& t, uint64_t shuffle_seed) {
  std::vector<size_t> order(t.users.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<size_t> sku_order = {0, 1, 2};
  std::vector<int> policy_bits = {1, 2, 4, 8};
  if (shuffle_seed != 0) {
    std::mt19937_64 rng(shuffle_seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::shuffle(sku_order.begin(), sku_order.end(), rng);
    std::shuffle(policy_bits.begin(), policy_bits.end(), rng);
  }
  ContextBuilder b;
  b.SecurityDefaults(t.security_defaults);
  for (size_t s : sku_order) {
    b.Sku("sku-" + std::to_string(s), "PART" + std::to_string(s), t.skus[s].first,
          t.skus[s].second);
  }
  for (int bit : policy_bits) {
    if ((t.policies & bit) == 0) continue;
    if (bit == 1) b.Policy("mfa all", "enabled", true, {"all"}, {"mfa"});
    if (bit == 2)
      b.Policy("mfa report", "enabledForReportingButNotEnforced", true, {"all"}, {"mfa"});
    if (bit == 4) b.Policy("block eas", "enabled", true, {"exchangeActiveSync"}, {"block"});
    if (bit == 8) b.Policy("block other", "enabled", true, {"other"}, {"block"});
  }
  for (size_t i : order) {
    const UserSpec& u = t.users[i];
    const std::string name = "user" + std::to_string(i);
    if (u.guest) {
      b.Guest(name);
    } else {
      b.Member(name);
    }
    if (!u.enabled) b.Disabled();
    if (u.mfa == 1) b.NoMfa();
    if (u.mfa == 2) b.NoRegistration();
    b.LastSignIn(u.sign_in_days < 0 ? std::nullopt
                                    : std::optional<TimeMs>(DaysAgo(u.sign_in_days)));
    b.Created(u.created_days < 0 ? std::nullopt : std::optional<TimeMs>(DaysAgo(u.created_days)));
    if (u.user_admin) b.UserAdmin();
    if (u.global_admin) b.GlobalAdmin();
    for (int s = 0; s < 3; ++s) {
      if (u.licenses & (1 << s)) b.License("sku-" + std::to_string(s));
    }
  }
  return b.Build();
}

// Everything a user of the batches can see, as one text.
std::string Render(const AnalysisRun& run) {
  std::string out;
  for (const Batch& batch : run.batches) {
    out += batch.analysis_type + " " + std::string(BatchStatusName(batch.status)) + "\n";
    for (const Finding& f : batch.findings) {
      out += f.alert_type + "|" + f.subject + "|" + f.subject_name + "|" +
             std::string(SeverityName(f.severity)) + "|" + f.details + "\n";
    }
  }
  return out;
}

RC_GTEST_PROP(AnalysisPropertyTest, InputOrderDoesNotChangeAnyByte, ()) {
  const TenantSpec t = RandomTenant();
  const uint64_t seed = *rc::gen::inRange<uint64_t>(1, 1000000);
  UnifiedAnalyzer unified = UnifiedAnalyzer::WithAllTypes();
  RC_ASSERT(Render(unified.Run(Build(t, 0), "r", "t")) ==
            Render(unified.Run(Build(t, seed), "r", "t")));
}

RC_GTEST_PROP(AnalysisPropertyTest, FindingsObeyTheTable, ()) {
  const TenantSpec t = RandomTenant();
  const DataContext ctx = Build(t, 0);
  AnalysisRun run = UnifiedAnalyzer::WithAllTypes().Run(ctx, "r", "t");
  RC_ASSERT(run.batches.size() == 5u);
  std::set<std::string> mfa_users;
  for (const Batch& batch : run.batches) {
    RC_ASSERT(batch.status == BatchStatus::kComplete);
    for (size_t i = 0; i < batch.findings.size(); ++i) {
      const Finding& f = batch.findings[i];
      const AlertTypeInfo* info = FindAlertType(f.alert_type);
      RC_ASSERT(info != nullptr);
      RC_ASSERT(info->analysis_type == batch.analysis_type);
      RC_ASSERT(info->severity == f.severity);
      if (i > 0) {  // sorted, each key once
        const Finding& p = batch.findings[i - 1];
        RC_ASSERT(std::tie(p.alert_type, p.subject) < std::tie(f.alert_type, f.subject));
      }
      if (info->subject_kind == SubjectKind::kUser) {
        auto it = ctx.user_index.find(f.subject);
        RC_ASSERT(it != ctx.user_index.end());
        const UserRecord& user = ctx.users[it->second];
        RC_ASSERT(f.subject_name == user.upn);
        if (batch.analysis_type == "mfa" || batch.analysis_type == "stale") {
          RC_ASSERT(user.enabled);  // disabled users never get MFA or stale alerts
        }
        if (batch.analysis_type == "mfa") {
          RC_ASSERT(mfa_users.insert(f.subject).second);  // never both MFA user alerts
        }
      }
      if (info->subject_kind == SubjectKind::kTenant) RC_ASSERT(f.subject == "contoso");
    }
  }
}

}  // namespace
}  // namespace vigil
