// Rule versions: every analysis type's numbered versions, what each one
// changed, and the analyzer of a (type, version).
//
// Version 1 of each type is its original behaviour. A later version changes
// which findings a type produces, never their identity (alert type and
// subject), so switching versions updates or resolves alerts and does not
// replace them. The table is static; every function is thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "analysis/analyzer.h"
#include "common/status.h"

namespace vigil {

struct RuleVersion {
  std::string_view analysis_type;  // "mfa", ...
  int version = 1;
  std::string_view changes;  // what this version does differently, one paragraph
};

// Every version of every analysis type, by analysis type in
// AnalysisTypes() order, then by version.
std::span<const RuleVersion> AllRuleVersions();

// The newest version of `analysis_type`; 0 for an unknown type.
int LatestRuleVersion(std::string_view analysis_type);

// The analyzer of `analysis_type` at `version`. NotFound naming the type and
// the known types when the type is unknown ("unknown analysis type "x"
// (known: mfa, license, ...)"), or naming the versions it has when the
// version is not one of them ("stale has no version 3 (versions 1-2)").
Result<std::unique_ptr<Analyzer>> NewAnalyzerAt(std::string_view analysis_type, int version);

}  // namespace vigil
