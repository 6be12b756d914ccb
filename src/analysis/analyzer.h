// Analyzer: one analysis type (docs/ARCHITECTURE.md, "Words") over one DataContext.
//
// An analyzer is a pure function of the DataContext: the same context gives
// the same findings, byte for byte, in the same order. It never reads the
// clock (it uses ctx.now), the database, or anything else.
#pragma once

#include <string_view>
#include <vector>

#include "analysis/finding.h"
#include "common/status.h"
#include "context/data_context.h"
#include "providers/records.h"

namespace vigil {

class Analyzer {
 public:
  virtual ~Analyzer() = default;

  // The analysis type this analyzer produces batches for ("mfa", ...). Every
  // finding it appends has an alert type of this analysis type.
  virtual std::string_view type() const = 0;

  // The rule version of this analyzer (analysis/rule_versions.h): 1 is each
  // type's original behaviour. A finding's identity (alert type, subject)
  // never depends on it, so a change of version updates or resolves alerts
  // rather than replacing them.
  virtual int version() const { return 1; }

  // The kinds of data it reads. The UnifiedAnalyzer calls Analyze only when
  // ctx.Has(kind) for every one of them; otherwise the batch is INCOMPLETE.
  virtual std::vector<EntityKind> needs() const = 0;

  // Appends this type's findings about `ctx` to `*out`, sorted by (alert
  // type, subject), each (alert type, subject) at most once. Findings of
  // alert types in ctx.preferences.disabled_alert_types are not produced.
  // A non-OK status means the batch is FAILED; whatever was appended is then
  // discarded by the caller. Must not throw (the UnifiedAnalyzer still
  // catches and fails only this type if one does). Thread-safe: const and
  // stateless, may run concurrently on different contexts.
  virtual Status Analyze(const DataContext& ctx, std::vector<Finding>* out) const = 0;
};

}  // namespace vigil
