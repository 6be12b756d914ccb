#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_commands.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "common/time.h"
#include "store/span_store.h"
#include "store/trace_json.h"

namespace vigil {

int RunTrace(const TraceCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenExistingDatabaseOrReport(cmd.db, err);
  if (!db) return kExitFailed;
  Result<std::vector<SpanRecord>> spans = LoadTrace(db.get(), cmd.trace_id);
  if (!spans.ok()) {
    err << "vigil: " << spans.status().message() << "\n";
    return kExitFailed;
  }
  if (cmd.json) {
    const nlohmann::json arr = SpansToJson(*spans);
    out << arr.dump(2) << "\n";
    return kExitOk;
  }
  out << "trace " << cmd.trace_id << " started " << FormatIso8601(spans->front().start_ms) << "\n";
  out << FormatWaterfall(*spans);
  return kExitOk;
}

void AddTraceCommand(CLI::App& app, CommandContext* cli) {
  auto cmd = std::make_shared<TraceCommand>();
  CLI::App* c = app.add_subcommand("trace", "print the spans of one trace as a waterfall");
  c->add_option("--db", cmd->db, kDbHelp)->capture_default_str();
  c->add_option("TRACE_ID", cmd->trace_id, "trace id (printed by sync, shown in history)")
      ->required();
  c->add_flag("--json", cmd->json, "print the spans as JSON");
  OnRun(c, cmd, cli, RunTrace);
}

}  // namespace vigil
