// Checks and digests of a batch before AlertManager applies it.
//
// A COMPLETE batch is the whole truth for its analysis type, so a malformed
// one must not be applied at all: AlertManager records it as FAILED with the
// message of CheckBatch and touches no alert or tag of its type.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "analysis/finding.h"
#include "common/status.h"

namespace vigil {

// OK when every finding of `batch` can be applied; otherwise InvalidArgument
// whose message names the first offending finding (its 0-based index) and
// what is wrong with it:
//   - the batch's analysis type is not one of AnalysisTypes();
//   - the finding's alert type is unknown, or belongs to another analysis type;
//   - its subject is empty;
//   - its details are not a JSON object ("{...}");
//   - it repeats the (alert type, subject) of an earlier finding: a batch holds
//     each at most once (Analyzer's contract), and which of two differing
//     findings is the truth cannot be told, so the batch fails.
// Only the findings are checked; `batch.status` is not.
Status CheckBatch(const Batch& batch);

// A digest of the batch's status and findings (alert type, subject, subject
// name, severity, details), independent of the findings' order: 16 hex digits.
std::string BatchDigest(const Batch& batch);

}  // namespace vigil
