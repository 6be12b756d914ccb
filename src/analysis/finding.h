// Findings, batches and analysis runs: what the UnifiedAnalyzer produces and
// the AlertManager reconciles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace vigil {

enum class Severity { kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity s);  // "low", "medium", "high", "critical"
std::optional<Severity> ParseSeverity(std::string_view name);

// One problem an analyzer found.
struct Finding {
  std::string alert_type;    // e.g. "mfa.user_not_registered" (see alert_types.h)
  std::string subject;       // Graph object id, skuId, or the tenant name
  std::string subject_name;  // UPN, skuPartNumber, or the tenant name
  Severity severity = Severity::kLow;
  std::string details;  // a JSON object, written deterministically (same facts, same text)
  // Whether `severity` is the tenant's override for the alert type
  // (preference severity_overrides) rather than the analyzer's own; set by
  // the UnifiedAnalyzer, so a history row can say why a severity changed.
  bool severity_overridden = false;
};

// A finding that one of the tenant's exclusions dropped (context/exclusions.h):
// it opens no alert, and an open alert with its key resolves naming the
// exclusion.
struct Excluded {
  std::string alert_type;
  std::string subject;
  std::string subject_name;
  int64_t exclusion_id = 0;
  std::string reason;  // the exclusion's
};

enum class BatchStatus { kComplete, kIncomplete, kFailed };
std::string_view BatchStatusName(BatchStatus s);  // "COMPLETE", "INCOMPLETE", "FAILED"

// The outcome of one analysis type for one tenant in one run. A COMPLETE
// batch is the whole truth for its type, possibly empty; an INCOMPLETE or
// FAILED batch carries only the reason and must change nothing.
struct Batch {
  std::string analysis_type;  // "mfa", "license", "stale", "privilege", "policy"
  BatchStatus status = BatchStatus::kComplete;
  std::string reason;  // why not COMPLETE
  std::vector<Finding> findings;
  // COMPLETE only: the findings the tenant's exclusions dropped, sorted by
  // (alert type, subject) like `findings`; never in `findings`.
  std::vector<Excluded> excluded;
  // COMPLETE only: the alert types of this analysis type that could not be
  // looked at for some of the tenant's data sources, and why
  // (analysis/source_scope.h GapNotes); not part of the batch's digest.
  std::vector<std::string> notes;
  int rule_version = 1;  // the version of the analyzer that made it (analysis/rule_versions.h)
  // On the first batch after the tenant's version of this type changed: the
  // COMPLETE findings of the version the alerts were last reconciled from,
  // on the same data. The reconcile gives the transitions that version would
  // not have made the reason "rule_changed" (alerts/reconcile_plan.h).
  struct Baseline {
    int rule_version = 1;
    std::vector<Finding> findings;
  };
  std::optional<Baseline> baseline;
};

// One analysis of one tenant: one batch per analysis type.
struct AnalysisRun {
  int64_t tenant_id = 0;
  std::string run_id;
  std::string trace_id;
  TimeMs as_of = 0;  // the analysis clock of the DataContext
  int64_t data_version = 0;  // the DataContext's (see context/data_context.h)
  std::vector<Batch> batches;
};

}  // namespace vigil
