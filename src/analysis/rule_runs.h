// Rule runs: the analyzers a tenant's rule settings (context/rule_settings.h)
// call for, run over one DataContext.
//
//   ForRules(ctx)      the active version of every analysis type, in
//                      AnalysisTypes() order. A version this build does not
//                      know (a setting written by a newer build) gives that
//                      type a FAILED batch naming it, so its alerts stay as
//                      they are; it never falls back to another version.
//   AddBaselines       for each COMPLETE batch whose type's alerts were last
//                      reconciled from another version (RuleSetting::applied),
//                      runs that version on the same context into
//                      Batch::baseline (kept only when COMPLETE), so the
//                      reconcile can name the transitions the version change
//                      caused.
//   RunCandidates      the candidate version of every type that has one: the
//                      shadow batches, one per such type, in AnalysisTypes()
//                      order; an unknown candidate version gives a FAILED one.
//
// Every batch is made by UnifiedAnalyzer::RunOne, so preferences (disabled
// alert types, ...) apply to candidates and baselines exactly as to the
// active version. Thread-safe: pure functions of the context.
#pragma once

#include <vector>

#include "analysis/finding.h"
#include "analysis/unified_analyzer.h"
#include "context/data_context.h"

namespace vigil {

UnifiedAnalyzer ForRules(const DataContext& ctx);

void AddBaselines(const DataContext& ctx, AnalysisRun* run);

std::vector<Batch> RunCandidates(const DataContext& ctx, const AnalyzerObserver& observer = nullptr);

}  // namespace vigil
