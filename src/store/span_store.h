// Persistence of trace spans (table trace_spans).
#pragma once

#include <string>
#include <vector>

#include "observe/trace.h"
#include "store/db.h"

namespace vigil {

// Appends `spans` (one statement each, in the caller's transaction if any).
Status SaveSpans(Db* db, const std::vector<SpanRecord>& spans);

// Every span of `trace_id`, in start order. NotFound when there is none.
Result<std::vector<SpanRecord>> LoadTrace(Db* db, const std::string& trace_id);

}  // namespace vigil
