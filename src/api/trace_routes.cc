// The trace route:
//   GET /api/v1/traces/{trace_id}
//     {"trace_id": "...", "spans": [...]}: the spans in start order, each as
//     store/trace_json.h has it (the same as `vigil trace --json`); a client
//     draws the waterfall from parent_span_id, start and duration_ms.
// A tenant token sees a trace only when one of its spans is about its tenant
// and none is about another (spans about no tenant, such as a queue wait, do
// not count either way); otherwise, and for an unknown trace, 404.
#include <string>
#include <vector>

#include "api/routes.h"
#include "store/span_store.h"
#include "store/trace_json.h"

namespace vigil {
namespace {

// Whether `principal` may see the trace made of `spans`.
bool MaySeeTrace(const Principal& principal, const std::vector<SpanRecord>& spans) {
  if (principal.admin()) return true;
  bool own = false;
  for (const SpanRecord& span : spans) {
    if (span.tenant_id == 0) continue;
    if (span.tenant_id != *principal.tenant_id) return false;
    own = true;
  }
  return own;
}

ApiResponse GetTraceRoute(const ApiRequest& request, RouteCall& call) {
  const std::string& id = request.Param("trace_id");
  const std::string what = "trace " + id;
  Result<std::vector<SpanRecord>> spans = LoadTrace(call.db, id);
  if (!spans.ok()) {
    if (spans.status().code() == Code::kNotFound) return NotFoundResponse(what);
    return ErrorFromStatus(spans.status());
  }
  if (!MaySeeTrace(*call.principal, *spans)) return NotFoundResponse(what);
  return JsonResponse(200, {{"trace_id", id}, {"spans", SpansToJson(*spans)}});
}

}  // namespace

void AddTraceRoutes(Router* router) {
  router->Add({"GET", "/api/v1/traces/{trace_id}", RouteAuth::kToken, GetTraceRoute});
}

}  // namespace vigil
