// The stable JSON form of a trace's spans, shared by `vigil trace --json`
// and the API's GET /api/v1/traces/{trace_id}: an array with one object per
// span, in the order given (LoadTrace's: start order), each with the keys
//
//   span_id, parent_span_id (null for a root), name, tenant_id (0 when the
//   span is about no tenant), start (ISO 8601 UTC), duration_ms (a number,
//   microsecond precision), status ("ok" | "error"), statements, attributes
//   (an object of strings)
//
// Invalid UTF-8 in an attribute is the caller's to replace when dumping.
// Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "observe/trace.h"

namespace vigil {

nlohmann::json SpansToJson(const std::vector<SpanRecord>& spans);

}  // namespace vigil
