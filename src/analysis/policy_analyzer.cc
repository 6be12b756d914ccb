// The "policy" analysis type:
//   policy.legacy_auth_not_blocked  the enabled CA policies whose grant
//       controls include "block" do not, together, cover the client app types
//       "exchangeActiveSync" and "other" (the legacy authentication clients).
#include <algorithm>
#include <string>
#include <vector>

#include "analysis/alert_types.h"
#include "analysis/analyzer_support.h"
#include "analysis/analyzers.h"
#include "common/json_writer.h"

namespace vigil {
namespace {

constexpr std::string_view kLegacyClientAppTypes[] = {"exchangeActiveSync", "other"};

class PolicyAnalyzer final : public Analyzer {
 public:
  std::string_view type() const override { return kAnalysisPolicy; }

  std::vector<EntityKind> needs() const override { return {EntityKind::kPolicy}; }

  Status Analyze(const DataContext& ctx, std::vector<Finding>* out) const override {
    if (!AlertTypeEnabled(ctx, kPolicyLegacyAuthNotBlocked)) return Status::Ok();
    std::vector<std::string> blocked;  // client app types some enabled block policy covers
    for (const PolicyRecord& policy : ctx.policies) {
      if (policy.state != "enabled") continue;
      const auto& controls = policy.built_in_controls;
      if (std::find(controls.begin(), controls.end(), "block") == controls.end()) continue;
      blocked.insert(blocked.end(), policy.client_app_types.begin(), policy.client_app_types.end());
    }
    std::sort(blocked.begin(), blocked.end());
    blocked.erase(std::unique(blocked.begin(), blocked.end()), blocked.end());
    std::vector<std::string> missing;
    for (std::string_view app : kLegacyClientAppTypes) {
      if (!std::binary_search(blocked.begin(), blocked.end(), app)) missing.emplace_back(app);
    }
    if (missing.empty()) return Status::Ok();
    out->push_back(MakeFinding(kPolicyLegacyAuthNotBlocked, ctx.tenant_name, ctx.tenant_name,
                               JsonObjectWriter()
                                   .Strings("blocked_client_app_types", blocked)
                                   .Strings("not_blocked", missing)
                                   .Finish()));
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Analyzer> NewPolicyAnalyzer() { return std::make_unique<PolicyAnalyzer>(); }

}  // namespace vigil
