#include "store/trace_json.h"

#include "common/time.h"

namespace vigil {

nlohmann::json SpansToJson(const std::vector<SpanRecord>& spans) {
  nlohmann::json array = nlohmann::json::array();
  for (const SpanRecord& s : spans) {
    array.push_back(
        {{"span_id", s.span_id},
         {"parent_span_id",
          s.parent_span_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.parent_span_id)},
         {"name", s.name},
         {"tenant_id", s.tenant_id},
         {"start", FormatIso8601(s.start_ms)},
         {"duration_ms", static_cast<double>(s.duration_us) / 1000.0},
         {"status", s.status},
         {"statements", s.statements},
         {"attributes", s.attributes}});
  }
  return array;
}

}  // namespace vigil
