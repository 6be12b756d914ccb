// The planning half of a reconcile: which transition each alert takes, with
// no SQL but the one read of the alerts. AlertManager loads the alerts of
// the COMPLETE batches' types (LoadAlerts), plans every batch into one
// ReconcilePlan (PlanBatch), then writes the plan with AlertWriter's
// multi-row statements (WritePlan). See alert_manager.h for the rules.
//
// A plan borrows the run's findings (its contents are views into them) and
// must not outlive the run. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/alert_writer.h"
#include "analysis/finding.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// An alert as loaded at the start of a reconcile, and what happened to it.
struct LoadedAlert {
  int64_t id = 0;
  std::string analysis_type;
  std::string type;
  std::string subject;
  std::string subject_name;
  std::string severity;
  std::string state;
  std::string details_digest;
  std::optional<TimeMs> snoozed_until;  // an operator's snooze (alert_actions.h)
  bool flapping = false;                // alerts/flap_damping.h
  // For a flapping alert, `at` of its latest history row that changed its
  // state (opened, resolved, reopened) before this reconcile; none otherwise.
  std::optional<TimeMs> last_state_change;
  bool found = false;  // a finding of the batch matched it
};

// The tenant's alerts (open and resolved) of some analysis types, in id
// order, with an index by (alert type, subject) into `rows`.
struct LoadedAlerts {
  struct KeyHash {
    size_t operator()(const std::pair<std::string_view, std::string_view>& k) const;
  };
  std::vector<LoadedAlert> rows;
  std::unordered_map<std::pair<std::string_view, std::string_view>, size_t, KeyHash> index;
};

// One statement: the alerts of (`tenant_id`, `analysis_types`), with the
// latest state change of the flapping ones. The Db's error when it fails.
Result<LoadedAlerts> LoadAlerts(Db* db, int64_t tenant_id,
                                const std::vector<std::string>& analysis_types);

// Every write of one reconcile, in the order the changes were decided.
struct ReconcilePlan {
  std::vector<NewAlert> opens;
  std::vector<ContentChange> reopens;
  std::vector<ContentChange> updates;
  std::vector<int64_t> resolves;
  std::vector<SubjectRename> renames;
  // One per transition, in order (ReconcileSummary::changes). An opened
  // alert's id is 0 until WritePlan knows it.
  std::vector<AlertChange> changes;
  // Analysis types whose alerts changed state: their tags are rebuilt.
  std::vector<std::string> retag_types;

  // Where the content of changes[i] is: kOpen/kReopen/kUpdate with an index
  // into opens/reopens/updates; kResolve for a resolve (its content is the
  // row's).
  enum class Source { kOpen, kReopen, kUpdate, kResolve };
  struct ChangeSource {
    Source source;
    size_t index;
  };
  std::vector<ChangeSource> sources;  // parallel to `changes`
};

// Plans one COMPLETE batch that CheckBatch accepted against `alerts` (of its
// type, among others): appends its transitions to `plan`, counts them in
// `summary`, and marks the alerts it matched found and updates their loaded
// state. Pure.
void PlanBatch(const Batch& batch, LoadedAlerts* alerts, BatchSummary* summary,
               ReconcilePlan* plan);

// Writes `plan` for `tenant_id`: the new alerts (filling in the ids of
// `plan->changes`), the reopens, updates, resolves and renames (guarded:
// see AlertWriter), then the history rows of the transitions, in the order
// of `plan->changes` for those that carry content and then the resolves.
// Statements: ceil(n / kAlertRowsPerStatement) for each non-empty list of
// n alerts (opens, reopens, updates, resolves, renames, content history,
// resolve history). The first error, as AlertWriter gives it.
Status WritePlan(AlertWriter* writer, ReconcilePlan* plan);

}  // namespace vigil
