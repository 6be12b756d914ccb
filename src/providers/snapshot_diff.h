// Field-by-field comparison of snapshots, for tests and diagnostics
// (records.h defines no operator==).
#pragma once

#include <string>

#include "providers/snapshot.h"

namespace vigil {

// "" when `a` and `b` are equal in every field (availability included, record
// order significant); otherwise a description of the first difference, e.g.
//   users[3].enabled: true != false
//   skus: 4 records != 3 records
//   availability[registration]: available != not available ("... is missing")
std::string SnapshotDiff(const Snapshot& a, const Snapshot& b);

}  // namespace vigil
