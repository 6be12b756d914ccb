#include "analysis/unified_analyzer.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <utility>

#include "analysis/alert_types.h"
#include "analysis/analyzer_support.h"
#include "analysis/analyzers.h"
#include "analysis/exclusion_matcher.h"
#include "analysis/source_scope.h"

namespace vigil {
namespace {

Batch Incomplete(Batch batch, std::string reason) {
  batch.status = BatchStatus::kIncomplete;
  batch.reason = std::move(reason);
  batch.findings.clear();
  return batch;
}

Batch Failed(Batch batch, std::string reason) {
  batch.status = BatchStatus::kFailed;
  batch.reason = std::move(reason);
  batch.findings.clear();
  return batch;
}

// Empty when every finding may belong to a batch of `type`; else why not.
std::string CheckFindings(std::string_view type, const std::vector<Finding>& findings) {
  for (const Finding& f : findings) {
    if (AnalysisTypeOf(f.alert_type) != type) {
      return "finding of alert type \"" + f.alert_type + "\" (subject \"" + f.subject +
             "\") is not of analysis type " + std::string(type);
    }
    if (f.subject.empty()) return "finding of alert type " + f.alert_type + " has an empty subject";
  }
  return "";
}

// Moves the findings an exclusion matches from batch->findings (sorted) to
// batch->excluded, keeping the order of both.
void Exclude(const DataContext& ctx, Batch* batch) {
  if (ctx.exclusions.empty()) return;
  const ExclusionMatcher matcher(ctx);
  std::vector<Finding>& findings = batch->findings;
  size_t kept = 0;
  for (size_t i = 0; i < findings.size(); ++i) {
    Finding& f = findings[i];
    if (const Exclusion* e = matcher.Match(f)) {
      batch->excluded.push_back(Excluded{std::move(f.alert_type), std::move(f.subject),
                                         std::move(f.subject_name), e->id, e->reason});
      continue;
    }
    if (kept != i) findings[kept] = std::move(f);
    ++kept;
  }
  findings.resize(kept);
}

// Gives the findings of an overridden alert type the tenant's severity.
void Override(const DataContext& ctx, std::vector<Finding>* findings) {
  const auto& overrides = ctx.preferences.severity_overrides;
  if (overrides.empty()) return;
  for (Finding& f : *findings) {
    auto it = overrides.find(f.alert_type);
    if (it == overrides.end()) continue;
    std::optional<Severity> severity = ParseSeverity(it->second);
    if (!severity) continue;  // Preferences::Set admits only known names
    f.severity = *severity;
    f.severity_overridden = true;
  }
}

// Drops disabled alert types, sorts by (alert type, subject), keeps each key
// once, moves the excluded findings aside and applies severity overrides.
void Canonicalize(const DataContext& ctx, Batch* batch) {
  std::vector<Finding>* findings = &batch->findings;
  const auto& disabled = ctx.preferences.disabled_alert_types;
  if (!disabled.empty()) {
    std::erase_if(*findings, [&](const Finding& f) { return disabled.count(f.alert_type) > 0; });
  }
  SortFindings(findings, 0);
  auto same_key = [](const Finding& a, const Finding& b) {
    return a.alert_type == b.alert_type && a.subject == b.subject;
  };
  findings->erase(std::unique(findings->begin(), findings->end(), same_key), findings->end());
  Exclude(ctx, batch);
  Override(ctx, findings);
}

}  // namespace

UnifiedAnalyzer::UnifiedAnalyzer(std::vector<std::unique_ptr<Analyzer>> analyzers) {
  for (auto& analyzer : analyzers) {
    if (analyzer != nullptr) analyzers_.push_back(std::move(analyzer));
  }
}

UnifiedAnalyzer UnifiedAnalyzer::WithAllTypes() {
  std::vector<std::unique_ptr<Analyzer>> all;
  all.push_back(NewMfaAnalyzer());
  all.push_back(NewLicenseAnalyzer());
  all.push_back(NewStaleAnalyzer());
  all.push_back(NewPrivilegeAnalyzer());
  all.push_back(NewPolicyAnalyzer());
  return UnifiedAnalyzer(std::move(all));
}

std::vector<std::string> UnifiedAnalyzer::types() const {
  std::vector<std::string> out;
  for (const auto& analyzer : analyzers_) out.emplace_back(analyzer->type());
  return out;
}

Batch UnifiedAnalyzer::RunOne(const Analyzer& analyzer, const DataContext& ctx) {
  Batch batch;
  batch.analysis_type = std::string(analyzer.type());
  batch.rule_version = analyzer.version();

  std::string missing;
  for (EntityKind kind : analyzer.needs()) {
    if (ctx.Has(kind) || ctx.absent_kinds.count(kind) > 0) continue;
    if (!missing.empty()) missing.append("; ");
    missing.append(KindName(kind))
        .append(" data is not available: ")
        .append(ctx.MissingReason(kind));
  }
  if (!missing.empty()) return Incomplete(std::move(batch), std::move(missing));

  const std::string failed = batch.analysis_type + " analyzer failed: ";
  Status status;
  try {
    status = analyzer.Analyze(ctx, &batch.findings);
  } catch (const std::exception& e) {
    return Failed(std::move(batch), failed + "exception: " + e.what());
  } catch (...) {
    return Failed(std::move(batch), failed + "unknown exception");
  }
  if (!status.ok()) return Failed(std::move(batch), failed + status.ToString());
  std::string malformed = CheckFindings(batch.analysis_type, batch.findings);
  if (!malformed.empty()) return Failed(std::move(batch), failed + malformed);

  DropGapFindings(ctx, &batch.findings);
  MergePersons(ctx, &batch.findings);
  Canonicalize(ctx, &batch);
  batch.notes = GapNotes(ctx, batch.analysis_type);
  batch.status = BatchStatus::kComplete;
  return batch;
}

AnalysisRun UnifiedAnalyzer::Run(const DataContext& ctx, std::string run_id, std::string trace_id,
                                 const AnalyzerObserver& observer) const {
  AnalysisRun run;
  run.tenant_id = ctx.tenant_id;
  run.run_id = std::move(run_id);
  run.trace_id = std::move(trace_id);
  run.as_of = ctx.now;
  run.data_version = ctx.data_version;
  run.batches.reserve(analyzers_.size());
  for (const auto& analyzer : analyzers_) {
    const auto start = std::chrono::steady_clock::now();
    run.batches.push_back(RunOne(*analyzer, ctx));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (observer) {
      observer(run.batches.back(),
               std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count());
    }
  }
  return run;
}

}  // namespace vigil
