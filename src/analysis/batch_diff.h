// BatchDiff: what replacing one COMPLETE batch of an analysis type by
// another (two rule versions over the same data) would do to the alerts:
// the findings only the second has would open, those only the first has
// would resolve, those both have with another severity would change
// severity. Findings are matched by (alert type, subject), the alert key.
// Pure; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/finding.h"

namespace vigil {

struct DiffExample {
  std::string change;  // "would_open", "would_resolve", "would_change_severity"
  std::string alert_type;
  std::string subject;
  std::string subject_name;
  std::string severity;       // the second batch's; the first's for would_resolve
  std::string from_severity;  // the first batch's, for would_change_severity only
};

struct BatchDiff {
  int would_open = 0;
  int would_resolve = 0;
  int would_change_severity = 0;
  int unchanged = 0;  // in both, same severity
  // Up to `examples_per_change` of each change, in alert key order.
  std::vector<DiffExample> examples;
};

// `from` and `to` as UnifiedAnalyzer makes them (sorted by alert key, each
// key once); their statuses are not looked at.
BatchDiff DiffBatches(const Batch& from, const Batch& to, size_t examples_per_change);

}  // namespace vigil
