#include "alerts/flap_damping.h"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/duration.h"
#include "context/preferences.h"
#include "store/batch_insert.h"

namespace vigil {
namespace {

// A change of state of an alert that existed before the run ("opened" is
// the other change of state, of a new alert).
bool ChangesExistingState(const AlertChange& c) {
  return c.transition == kTransitionResolved || c.transition == kTransitionReopened;
}

// What the loaded alerts and the run's changes say before any query.
struct Candidates {
  std::unordered_set<int64_t> changed_state;  // existing alerts that changed state in the run
  std::vector<int64_t> may_flap;  // of those, the ones that existed and were not flapping
  std::vector<const LoadedAlert*> flapping;  // flapping before the run
};

Candidates FindCandidates(const LoadedAlerts& alerts, const std::vector<AlertChange>& changes) {
  Candidates c;
  for (const AlertChange& change : changes) {
    if (ChangesExistingState(change)) c.changed_state.insert(change.alert_id);
  }
  for (const LoadedAlert& e : alerts.rows) {
    if (e.flapping) {
      c.flapping.push_back(&e);
    } else if (c.changed_state.count(e.id) > 0) {
      c.may_flap.push_back(e.id);  // loaded, so it existed before the run
    }
  }
  return c;
}

// The number of state changes within [as_of - window, as_of] of each alert
// of `ids` that has at least `threshold`, by id.
Result<std::unordered_map<int64_t, int64_t>> CountFlaps(Db* db, const std::vector<int64_t>& ids,
                                                        TimeMs as_of, int64_t window_ms,
                                                        int threshold) {
  std::unordered_map<int64_t, int64_t> flaps;
  BatchOptions options;
  options.rows_per_statement = kAlertRowsPerStatement;
  options.row = "(CAST(? AS BIGINT))";
  options.leading = {as_of - window_ms, as_of};
  options.suffix = ") GROUP BY alert_id";
  options.on_row = [&](const Statement& row) {
    if (row.Int(1) >= threshold) flaps.emplace(row.Int(0), row.Int(1));
    return Status::Ok();
  };
  BatchInsert count(db,
                    "SELECT alert_id, COUNT(*) FROM alert_history WHERE transition IN"
                    " ('opened', 'resolved', 'reopened') AND at >= ? AND at <= ? AND alert_id IN (",
                    1, std::move(options));
  for (int64_t id : ids) {
    count.Int(id);
    VIGIL_RETURN_IF_ERROR(count.EndRow());
  }
  VIGIL_RETURN_IF_ERROR(count.Finish());
  return flaps;
}

// The change recording `transition` of loaded alert `e`.
AlertChange MarkChange(const LoadedAlert& e, std::string_view transition, std::string reason) {
  AlertChange c;
  c.alert_id = e.id;
  c.analysis_type = e.analysis_type;
  c.alert_type = e.type;
  c.subject = e.subject;
  c.subject_name = e.subject_name;
  c.transition = std::string(transition);
  c.severity = e.severity;
  c.reason = std::move(reason);
  c.flapping = transition == kTransitionFlapping;
  return c;
}

// Writes the flags and history rows of `marks` (alert, reason) taking
// `transition`, and appends their changes.
Status WriteMarks(AlertWriter* writer, std::string_view transition,
                  const std::vector<std::pair<const LoadedAlert*, std::string>>& marks,
                  std::vector<AlertChange>* changes) {
  if (marks.empty()) return Status::Ok();
  std::vector<int64_t> ids;
  std::vector<std::pair<int64_t, std::string>> rows;
  ids.reserve(marks.size());
  rows.reserve(marks.size());
  for (const auto& [e, reason] : marks) {
    ids.push_back(e->id);
    rows.emplace_back(e->id, reason);
  }
  VIGIL_RETURN_IF_ERROR(writer->SetFlapping(ids, transition == kTransitionFlapping));
  VIGIL_RETURN_IF_ERROR(writer->AppendFlapHistory(transition, rows));
  for (const auto& [e, reason] : marks) changes->push_back(MarkChange(*e, transition, reason));
  return Status::Ok();
}

}  // namespace

Status DampFlaps(Db* db, int64_t tenant_id, AlertWriter* writer, const ChangeStamp& stamp,
                 const LoadedAlerts& alerts, std::vector<AlertChange>* changes) {
  const Candidates candidates = FindCandidates(alerts, *changes);
  if (candidates.may_flap.empty() && candidates.flapping.empty()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(TenantPreferences prefs, LoadTenantPreferences(db, tenant_id));
  const int threshold = prefs.effective.flap_threshold;
  const int64_t window = prefs.effective.flap_window_ms;
  const std::string within = FormatDuration(window);

  // Alerts flapping when the run's own changes are made: "stable" comes
  // after them.
  std::unordered_set<int64_t> flapping;
  std::vector<std::pair<const LoadedAlert*, std::string>> stable;
  for (const LoadedAlert* e : candidates.flapping) {
    flapping.insert(e->id);
    const bool held = candidates.changed_state.count(e->id) == 0 && e->last_state_change &&
                      *e->last_state_change < stamp.as_of - window;
    if (held) stable.emplace_back(e, "held one state for " + within);
  }
  std::vector<std::pair<const LoadedAlert*, std::string>> flapped;
  if (threshold > 0 && !candidates.may_flap.empty()) {
    VIGIL_ASSIGN_OR_RETURN(auto counts,
                           CountFlaps(db, candidates.may_flap, stamp.as_of, window, threshold));
    for (const LoadedAlert& e : alerts.rows) {
      auto it = counts.find(e.id);
      if (it == counts.end()) continue;
      flapped.emplace_back(
          &e, "changed state " + std::to_string(it->second) + " times within " + within);
      flapping.insert(e.id);
    }
  }
  for (AlertChange& c : *changes) c.flapping = flapping.count(c.alert_id) > 0;
  VIGIL_RETURN_IF_ERROR(WriteMarks(writer, kTransitionFlapping, flapped, changes));
  return WriteMarks(writer, kTransitionStable, stable, changes);
}

}  // namespace vigil
