#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "common/time.h"
#include "store/span_store.h"
#include "store/trace_json.h"

namespace vigil {

int RunTrace(const TraceCommand& cmd, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Db> db = OpenDatabaseOrReport(cmd.db, err);
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

}  // namespace vigil
