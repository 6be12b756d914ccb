#include <nlohmann/json.hpp>
#include <ostream>

#include "app/cli_support.h"
#include "app/commands.h"
#include "common/time.h"
#include "store/span_store.h"

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
    nlohmann::json arr = nlohmann::json::array();
    for (const SpanRecord& s : *spans) {
      arr.push_back(
          {{"span_id", s.span_id},
           {"parent_span_id",
            s.parent_span_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.parent_span_id)},
           {"name", s.name},
           {"tenant_id", s.tenant_id},
           {"start", FormatIso8601(s.start_ms)},
           {"duration_ms", s.duration_us / 1000.0},
           {"status", s.status},
           {"statements", s.statements},
           {"attributes", s.attributes}});
    }
    out << arr.dump(2) << "\n";
    return kExitOk;
  }
  out << "trace " << cmd.trace_id << " started " << FormatIso8601(spans->front().start_ms) << "\n";
  out << FormatWaterfall(*spans);
  return kExitOk;
}

}  // namespace vigil
