// UnifiedAnalyzer: runs every analysis type over the same DataContext and
// returns one Batch per type (docs/ARCHITECTURE.md, invariants 1-3).
//
// For each analyzer, in the order given:
//   - a kind it needs is not available in the context (ctx.Has false) and
//     not one that no data source of the tenant has (ctx.absent_kinds: the
//     alert types reading it do not apply, analyzer_support.h AlertTypeEnabled)
//       -> INCOMPLETE, reason "<kind> data is not available: <MissingReason>"
//          for each such kind, joined by "; "; no findings.
//   - Analyze returns a non-OK status, or throws
//       -> FAILED, reason "<type> analyzer failed: <status>"; no findings.
//   - a finding is malformed (alert type not of this analysis type, empty
//     subject) -> FAILED naming the finding; no findings. This keeps a batch
//     from ever touching another type's alerts.
//   - otherwise COMPLETE with the findings, possibly none: findings about a
//     user or SKU whose data source lacks what their alert type reads are
//     dropped, findings about users become findings about persons
//     (analysis/source_scope.h), findings of alert
//     types in ctx.preferences.disabled_alert_types are dropped, the rest are
//     sorted by (alert type, subject) and each (alert type, subject) kept once
//     (the first, in the analyzer's order). Then the findings one of
//     ctx.exclusions matches (analysis/exclusion_matcher.h; never
//     privilege.*) move to batch.excluded with the exclusion's id and
//     reason, and the findings of an alert type in
//     ctx.preferences.severity_overrides take that severity
//     (Finding::severity_overridden). batch.notes name the alert types that
//     some data source cannot give (source_scope.h GapNotes).
// One analyzer failing never affects another's batch.
//
// Thread-safe: Run is const and the analyzers are stateless.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/analyzer.h"
#include "analysis/finding.h"
#include "context/data_context.h"

namespace vigil {

// Called once per analyzer after its batch is decided, with the batch and
// the wall time spent in it (microseconds), e.g. to record one trace span per
// analysis type. Called on the thread that calls Run; must not throw.
using AnalyzerObserver = std::function<void(const Batch& batch, int64_t duration_us)>;

class UnifiedAnalyzer {
 public:
  // Runs `analyzers` in the order given. Tests pass fakes here; production
  // code uses WithAllTypes(). Null entries are skipped.
  explicit UnifiedAnalyzer(std::vector<std::unique_ptr<Analyzer>> analyzers);

  // The five analysis types in AnalysisTypes() order:
  // mfa, license, stale, privilege, policy.
  static UnifiedAnalyzer WithAllTypes();

  UnifiedAnalyzer(UnifiedAnalyzer&&) = default;
  UnifiedAnalyzer& operator=(UnifiedAnalyzer&&) = default;
  UnifiedAnalyzer(const UnifiedAnalyzer&) = delete;
  UnifiedAnalyzer& operator=(const UnifiedAnalyzer&) = delete;

  // One batch per analyzer. run.tenant_id = ctx.tenant_id, run.as_of =
  // ctx.now. Never fails as a whole: every failure is confined to its batch.
  AnalysisRun Run(const DataContext& ctx, std::string run_id, std::string trace_id,
                  const AnalyzerObserver& observer = nullptr) const;

  // The batch of one analyzer alone, by the rules above.
  static Batch RunOne(const Analyzer& analyzer, const DataContext& ctx);

  // The analysis types this instance runs, in order.
  std::vector<std::string> types() const;

 private:
  std::vector<std::unique_ptr<Analyzer>> analyzers_;
};

}  // namespace vigil
