#include "pipeline/pipeline.h"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "alerts/shadow_reconcile.h"
#include "analysis/rule_runs.h"
#include "analysis/unified_analyzer.h"
#include "common/ids.h"
#include "context/loader.h"
#include "observe/metrics.h"
#include "store/advisory_lock.h"
#include "store/span_store.h"
#include "store/tenants.h"

namespace vigil {
namespace {

using Steady = std::chrono::steady_clock;

double SecondsSince(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

// The pipeline's series in the process registry, looked up once (the
// registry's lock is not taken per sync or analysis).
struct PipelineSeries {
  Histogram* sync_ok;
  Histogram* sync_failed;
  Histogram* sync_refused;  // the deletion guard refused the snapshot
  Histogram* analysis;
  Histogram* statements;
};

const PipelineSeries& Series() {
  static const PipelineSeries series = [] {
    MetricsRegistry* m = DefaultMetrics();
    auto sync = [m](const char* status) {
      return m->GetHistogram("vigil_sync_duration_seconds",
                             "Syncs of a data source (fetch and apply), by status",
                             DurationBuckets(), {{"status", status}});
    };
    return PipelineSeries{
        sync("ok"), sync("failed"), sync("refused"),
        m->GetHistogram("vigil_analysis_duration_seconds",
                        "Analyses of a tenant (load, analyze, reconcile) that completed",
                        DurationBuckets()),
        m->GetHistogram("vigil_statements_per_analysis",
                        "Database statements of one completed analysis (its analyze span's)",
                        {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000})};
  }();
  return series;
}

}  // namespace

Result<AnalysisOutcome> RunAnalysis(Db* db, const Clock& clock, const Clock& analysis_clock,
                                    int64_t tenant_id, Trace* trace, int64_t lock_wait_ms) {
  const Steady::time_point start = Steady::now();
  const uint64_t statements_before = db->statements_executed();
  auto analyze_span = trace->StartSpan("analyze", tenant_id);
  Result<AdvisoryLock> lock =
      AdvisoryLock::Acquire(db, LockSpace::kTenantAnalysis, tenant_id, lock_wait_ms,
                            "the analysis lock of tenant " + std::to_string(tenant_id));
  if (!lock.ok()) {
    analyze_span.SetError(lock.status().message());
    return lock.status();
  }
  analyze_span.SetAttribute("lock_wait_ms", std::to_string(lock->waited_ms()));
  AnalysisOutcome outcome;
  DataContextLoader loader(db);
  Result<DataContext> ctx = [&] {
    auto span = trace->StartSpan("context.load", tenant_id);
    Result<DataContext> loaded = loader.Load(tenant_id, analysis_clock.NowMs());
    if (!loaded.ok()) span.SetError(loaded.status().message());
    return loaded;
  }();
  if (!ctx.ok()) {
    analyze_span.SetError(ctx.status().message());
    return ctx.status();
  }
  outcome.load_statements = loader.last_statements();

  // Analyzers run one after another: each span starts where the previous ended.
  const TimeMs started = clock.NowMs();
  int64_t elapsed_us = 0;
  auto span_of = [&](const char* suffix) {
    return [&, suffix](const Batch& batch, int64_t duration_us) {
      trace->AddFinishedSpan("analyze." + batch.analysis_type + suffix, tenant_id,
                             started + elapsed_us / 1000, duration_us, 0,
                             batch.status == BatchStatus::kComplete ? "ok" : "error");
      elapsed_us += duration_us;
    };
  };
  outcome.run = ForRules(*ctx).Run(*ctx, NewRunId(), trace->trace_id(), span_of(""));
  AddBaselines(*ctx, &outcome.run);
  const std::vector<Batch> candidates = RunCandidates(*ctx, span_of(".shadow"));

  {
    auto span = trace->StartSpan("reconcile", tenant_id);
    AlertManager manager(db, &clock);
    Result<ReconcileSummary> summary = manager.Reconcile(outcome.run);
    if (!summary.ok()) {
      span.SetError(summary.status().message());
      analyze_span.SetError(summary.status().message());
      return summary.status();
    }
    outcome.reconcile = *summary;
    outcome.reconcile_statements = summary->statements;
  }
  if (!candidates.empty()) {
    auto span = trace->StartSpan("reconcile.shadow", tenant_id);
    Result<std::vector<ShadowRun>> shadow =
        ReconcileShadow(db, clock, outcome.run, candidates, outcome.reconcile);
    if (shadow.ok()) {
      outcome.shadow = std::move(shadow).value();
    } else {
      outcome.shadow_status = shadow.status();
      span.SetError(shadow.status().message());
    }
  }
  analyze_span.End();
  // The count the analyze span records: every statement since it started.
  Series().statements->Observe(
      static_cast<double>(db->statements_executed() - statements_before));
  Series().analysis->Observe(SecondsSince(start));
  return outcome;
}

namespace {

// RunSync without its timing.
SyncOutcome SyncOnce(Db* db, const Clock& clock, int64_t tenant_id, int64_t data_source_id,
                     Provider* provider, const SyncOptions& options, Trace* trace) {
  SyncOutcome outcome;
  Syncer syncer(db, &clock);
  {
    auto sync_span = trace->StartSpan("sync", tenant_id);
    sync_span.SetAttribute("provider", provider->name());
    const TimeMs started = clock.NowMs();
    Result<Snapshot> snapshot = [&] {
      auto span = trace->StartSpan("provider.fetch", tenant_id);
      Result<Snapshot> fetched = provider->Fetch();
      if (!fetched.ok()) {
        span.SetError(fetched.status().message());
        return fetched;
      }
      // What the provider could not give, and why, is part of the sync's
      // story: "not_available.signin" = "signInActivity: permission missing ...".
      for (const auto& [kind, availability] : fetched->availability) {
        if (availability.available) continue;
        span.SetAttribute("not_available." + std::string(KindName(kind)), availability.reason);
      }
      return fetched;
    }();
    if (!snapshot.ok()) {
      outcome.status = snapshot.status();
      Status recorded = syncer.RecordFailure(tenant_id, data_source_id, trace->trace_id(), started,
                                             snapshot.status().message());
      if (!recorded.ok()) outcome.status = recorded;
      sync_span.SetError(outcome.status.message());
      return outcome;
    }
    auto apply_span = trace->StartSpan("sync.apply", tenant_id);
    Result<SyncSummary> applied = syncer.Apply(
        tenant_id, data_source_id, std::move(snapshot).value(), options, trace->trace_id());
    if (!applied.ok()) {
      outcome.status = applied.status();
      apply_span.SetError(applied.status().message());
      sync_span.SetError(applied.status().message());
      return outcome;
    }
    outcome.sync = *applied;
  }
  return outcome;
}

}  // namespace

SyncOutcome RunSync(Db* db, const Clock& clock, int64_t tenant_id, int64_t data_source_id,
                    Provider* provider, const SyncOptions& options, Trace* trace) {
  const Steady::time_point start = Steady::now();
  SyncOutcome outcome = SyncOnce(db, clock, tenant_id, data_source_id, provider, options, trace);
  const PipelineSeries& series = Series();
  Histogram* histogram = outcome.status.ok() ? series.sync_ok
                         : outcome.status.code() == Code::kFailedPrecondition ? series.sync_refused
                                                                               : series.sync_failed;
  histogram->Observe(SecondsSince(start));
  return outcome;
}

SyncOutcome RunSyncAndAnalyze(Db* db, const Clock& clock, const Clock& analysis_clock,
                              int64_t tenant_id, int64_t data_source_id, Provider* provider,
                              const SyncOptions& options, Trace* trace) {
  SyncOutcome outcome =
      RunSync(db, clock, tenant_id, data_source_id, provider, options, trace);
  if (!outcome.status.ok()) return outcome;
  Result<AnalysisOutcome> analysis = RunAnalysis(db, clock, analysis_clock, tenant_id, trace);
  if (analysis.ok()) {
    outcome.analysis = std::move(analysis).value();
  } else {
    outcome.analysis_status = analysis.status();
  }
  return outcome;
}

namespace {

// Runs RunSyncAndAnalyze under a new trace whose root span is "trigger"
// and stores the trace's spans: the tail of SyncFromDirectory and
// SyncStoredSource, once their setup found the data source.
void RunTriggered(Db* db, const Clock& clock, const Clock& analysis_clock, Provider* provider,
                  const SyncOptions& options, const std::string& trigger, DirectorySync* result) {
  Trace trace(NewTraceId(), &clock, [db] { return db->statements_executed(); });
  result->trace_id = trace.trace_id();
  {
    auto root = trace.StartSpan("trigger", result->tenant_id);
    root.SetAttribute("by", trigger);
    result->outcome = RunSyncAndAnalyze(db, clock, analysis_clock, result->tenant_id,
                                        result->data_source_id, provider, options, &trace);
  }
  if (Status saved = SaveSpans(db, trace.TakeFinished());
      !saved.ok() && result->outcome.status.ok()) {
    result->outcome.analysis_status = saved.Prefixed("storing the trace");
    result->outcome.analysis.reset();
  }
}

// "a, b and c" in quotes, for error messages.
std::string QuotedNames(const std::vector<DataSourceRow>& sources) {
  std::string out;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i > 0) out += i + 1 == sources.size() ? " and " : ", ";
    out += "\"" + sources[i].name + "\"";
  }
  return out;
}

// The tenant's data source named `name` (empty: its only one).
Result<DataSourceRow> PickSource(Db* db, const std::string& tenant, const std::string& name) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<TenantRow> t, FindTenant(db, tenant));
  if (!t) {
    return Status::NotFound("there is no tenant \"" + tenant +
                            "\" (sync a directory with --from-dir, or add a data source with "
                            "`vigil source add`, to create it)");
  }
  VIGIL_ASSIGN_OR_RETURN(std::vector<DataSourceRow> sources, ListDataSources(db, t->id));
  if (sources.empty()) {
    return Status::NotFound("tenant \"" + tenant + "\" has no data source (add one with "
                            "`vigil source add`)");
  }
  if (name.empty()) {
    if (sources.size() == 1) return sources.front();
    return Status::InvalidArgument("tenant \"" + tenant + "\" has " +
                                   std::to_string(sources.size()) + " data sources, " +
                                   QuotedNames(sources) + ": name one with --source");
  }
  for (const DataSourceRow& s : sources) {
    if (s.name == name) return s;
  }
  return Status::NotFound("tenant \"" + tenant + "\" has no data source \"" + name +
                          "\"; its data sources: " + QuotedNames(sources));
}

}  // namespace

DirectorySync SyncFromDirectory(Db* db, const Clock& clock, const Clock& analysis_clock,
                                const std::string& tenant, const std::string& source,
                                const std::string& dir, const SyncOptions& options,
                                const std::string& trigger, const DirectoryOpener& open_directory,
                                const std::string& provider_name) {
  DirectorySync result;
  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(dir, ec).lexically_normal().string();
  Result<std::unique_ptr<Provider>> provider = open_directory(absolute);
  if (!provider.ok()) {
    result.setup = provider.status();
    return result;
  }
  Result<TenantRow> t = EnsureTenant(db, tenant, clock.NowMs());
  if (!t.ok()) {
    result.setup = t.status();
    return result;
  }
  Result<DataSourceRow> ds = EnsureDataSource(
      db, t->id, source, provider_name, nlohmann::json{{"dir", absolute}}.dump(), clock.NowMs());
  if (!ds.ok()) {
    result.setup = ds.status();
    return result;
  }
  result.tenant_id = t->id;
  result.data_source_id = ds->id;
  result.source = ds->name;
  RunTriggered(db, clock, analysis_clock, provider->get(), options, trigger, &result);
  return result;
}

DirectorySync SyncStoredSource(Db* db, const Clock& clock, const Clock& analysis_clock,
                               const std::string& tenant, const std::string& source,
                               const SyncOptions& options, const std::string& trigger,
                               const ProviderOpener& open_provider) {
  DirectorySync result;
  Result<DataSourceRow> ds = PickSource(db, tenant, source);
  if (!ds.ok()) {
    result.setup = ds.status();
    return result;
  }
  Result<std::unique_ptr<Provider>> provider = open_provider(*ds, ProviderContext{db, &clock});
  if (!provider.ok()) {
    result.setup = provider.status();
    return result;
  }
  result.tenant_id = ds->tenant_id;
  result.data_source_id = ds->id;
  result.source = ds->name;
  RunTriggered(db, clock, analysis_clock, provider->get(), options, trigger, &result);
  return result;
}

}  // namespace vigil
