#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "app/pipeline.h"
#include "app/report.h"
#include "common/ids.h"
#include "providers/graph_dir_provider.h"
#include "store/span_store.h"
#include "store/tenants.h"

namespace vigil {

int RunSync(const SyncCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Clock> analysis_clock = AnalysisClockOrReport(cmd.now, err);
  if (!analysis_clock) return kExitUsage;
  if (Status s = ValidateTenantName(cmd.tenant); !s.ok()) {
    err << "vigil: --tenant: " << s.message() << "\n";
    return kExitUsage;
  }
  std::error_code ec;
  const std::string dir = std::filesystem::absolute(cmd.from_dir, ec).lexically_normal().string();
  Result<std::unique_ptr<Provider>> provider = NewGraphDirProvider(dir);
  if (!provider.ok()) {
    err << "vigil: --from-dir: " << provider.status().message() << "\n";
    return kExitFailed;
  }
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  std::unique_ptr<Clock> clock = NewSystemClock();

  Result<TenantRow> tenant = EnsureTenant(db.get(), cmd.tenant, clock->NowMs());
  if (!tenant.ok()) {
    err << "vigil: " << tenant.status().message() << "\n";
    return kExitFailed;
  }
  const std::string settings = nlohmann::json{{"dir", dir}}.dump();
  Result<DataSourceRow> source =
      EnsureDataSource(db.get(), tenant->id, cmd.source, "graph_json", settings, clock->NowMs());
  if (!source.ok()) {
    err << "vigil: " << source.status().message() << "\n";
    return kExitFailed;
  }

  Db* raw = db.get();
  Trace trace(NewTraceId(), clock.get(), [raw] { return raw->statements_executed(); });
  SyncOutcome outcome;
  {
    auto trigger = trace.StartSpan("trigger", tenant->id);
    trigger.SetAttribute("by", "cli sync");
    SyncOptions options;
    options.force = cmd.force;
    outcome = RunSyncAndAnalyze(db.get(), *clock, *analysis_clock, tenant->id, source->id,
                                provider->get(), options, &trace);
  }
  if (Status saved = SaveSpans(db.get(), trace.TakeFinished()); !saved.ok()) {
    err << "vigil: could not store the trace: " << saved.message() << "\n";
  }

  if (cmd.json) {
    out << SyncOutcomeToJson(cmd.tenant, cmd.source, trace.trace_id(), outcome) << "\n";
  } else {
    out << FormatSyncOutcome(cmd.tenant, cmd.source, trace.trace_id(), outcome);
  }
  if (!outcome.status.ok()) {
    err << "vigil: sync of " << cmd.tenant << " failed: " << outcome.status.message() << "\n";
    return kExitFailed;
  }
  if (!outcome.analysis) {
    err << "vigil: analysis of " << cmd.tenant << " failed: " << outcome.analysis_status.message()
        << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace vigil
