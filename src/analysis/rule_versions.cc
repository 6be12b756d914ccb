#include "analysis/rule_versions.h"

#include <string>
#include <vector>

#include "analysis/alert_types.h"
#include "analysis/analyzers.h"

namespace vigil {
namespace {

using Factory = std::unique_ptr<Analyzer> (*)();

struct Entry {
  RuleVersion info;
  Factory make;
};

constexpr Entry kEntries[] = {
    {{kAnalysisMfa, 1,
      "Original: a user is registered when Graph's isMfaRegistered says so; mfa.not_enforced "
      "when security defaults are off and no enabled conditional access policy requires MFA "
      "for all users."},
     NewMfaAnalyzer},
    {{kAnalysisMfa, 2,
      "A user counts as registered only with a method that is a second factor of its own "
      "(authenticator app, one-time code app or token, FIDO2 key or passkey, Windows Hello, "
      "platform key, external MFA). SMS, voice, email and security questions alone no longer "
      "count: they are phishable or not a factor. mfa.not_enforced unchanged."},
     NewMfaAnalyzerV2},
    {{kAnalysisLicense, 1, "Original."}, NewLicenseAnalyzer},
    {{kAnalysisStale, 1,
      "Original: the later of the interactive and non-interactive sign-in, or the creation "
      "time when the user never signed in, is older than stale_days."},
     NewStaleAnalyzer},
    {{kAnalysisStale, 2,
      "The last successful sign-in counts too (the latest of the three), and an account "
      "created within stale_days is not stale yet whatever its sign-in times say (an "
      "account deleted and restored, or re-created under an old object)."},
     NewStaleAnalyzerV2},
    {{kAnalysisPrivilege, 1, "Original."}, NewPrivilegeAnalyzer},
    {{kAnalysisPolicy, 1, "Original."}, NewPolicyAnalyzer},
};

const std::span<const RuleVersion> Infos() {
  static const std::vector<RuleVersion>* const infos = [] {
    auto* v = new std::vector<RuleVersion>();
    for (const Entry& e : kEntries) v->push_back(e.info);
    return v;
  }();
  return *infos;
}

}  // namespace

std::span<const RuleVersion> AllRuleVersions() { return Infos(); }

int LatestRuleVersion(std::string_view analysis_type) {
  int latest = 0;
  for (const Entry& e : kEntries) {
    if (e.info.analysis_type == analysis_type && e.info.version > latest) latest = e.info.version;
  }
  return latest;
}

Result<std::unique_ptr<Analyzer>> NewAnalyzerAt(std::string_view analysis_type, int version) {
  for (const Entry& e : kEntries) {
    if (e.info.analysis_type == analysis_type && e.info.version == version) return e.make();
  }
  const int latest = LatestRuleVersion(analysis_type);
  if (latest == 0) {
    std::string known;
    for (const std::string& t : AnalysisTypes()) known += (known.empty() ? "" : ", ") + t;
    return Status::NotFound("unknown analysis type \"" + std::string(analysis_type) +
                            "\" (known: " + known + ")");
  }
  return Status::NotFound(std::string(analysis_type) + " has no version " +
                          std::to_string(version) + " (versions 1-" + std::to_string(latest) +
                          ")");
}

}  // namespace vigil
