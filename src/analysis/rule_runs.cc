#include "analysis/rule_runs.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "analysis/alert_types.h"
#include "analysis/rule_versions.h"

namespace vigil {
namespace {

// Stands in for a (type, version) this build cannot run: its batch FAILS.
class UnknownVersionAnalyzer : public Analyzer {
 public:
  UnknownVersionAnalyzer(std::string type, int version, Status why)
      : type_(std::move(type)), version_(version), why_(std::move(why)) {}
  std::string_view type() const override { return type_; }
  int version() const override { return version_; }
  std::vector<EntityKind> needs() const override { return {}; }
  Status Analyze(const DataContext&, std::vector<Finding>*) const override {
    return Status::FailedPrecondition("rule version " + std::to_string(version_) +
                                      " cannot run in this build: " + why_.message());
  }

 private:
  std::string type_;
  int version_;
  Status why_;
};

std::unique_ptr<Analyzer> AnalyzerAt(const std::string& type, int version) {
  Result<std::unique_ptr<Analyzer>> analyzer = NewAnalyzerAt(type, version);
  if (analyzer.ok()) return std::move(analyzer).value();
  return std::make_unique<UnknownVersionAnalyzer>(type, version, analyzer.status());
}

}  // namespace

UnifiedAnalyzer ForRules(const DataContext& ctx) {
  std::vector<std::unique_ptr<Analyzer>> analyzers;
  for (const std::string& type : AnalysisTypes()) {
    analyzers.push_back(AnalyzerAt(type, SettingOf(ctx.rules, type).active));
  }
  return UnifiedAnalyzer(std::move(analyzers));
}

void AddBaselines(const DataContext& ctx, AnalysisRun* run) {
  for (Batch& batch : run->batches) {
    const RuleSetting setting = SettingOf(ctx.rules, batch.analysis_type);
    if (batch.status != BatchStatus::kComplete || setting.applied == 0 ||
        setting.applied == batch.rule_version) {
      continue;
    }
    Result<std::unique_ptr<Analyzer>> old = NewAnalyzerAt(batch.analysis_type, setting.applied);
    if (!old.ok()) continue;  // a version this build no longer has: no attribution
    Batch baseline = UnifiedAnalyzer::RunOne(**old, ctx);
    if (baseline.status != BatchStatus::kComplete) continue;
    batch.baseline = Batch::Baseline{setting.applied, std::move(baseline.findings)};
  }
}

std::vector<Batch> RunCandidates(const DataContext& ctx, const AnalyzerObserver& observer) {
  std::vector<Batch> batches;
  for (const std::string& type : AnalysisTypes()) {
    const RuleSetting setting = SettingOf(ctx.rules, type);
    if (setting.candidate == 0) continue;
    std::unique_ptr<Analyzer> analyzer = AnalyzerAt(type, setting.candidate);
    const auto start = std::chrono::steady_clock::now();
    batches.push_back(UnifiedAnalyzer::RunOne(*analyzer, ctx));
    if (observer) {
      observer(batches.back(), std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count());
    }
  }
  return batches;
}

}  // namespace vigil
