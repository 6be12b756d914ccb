#include "alerts/history_fold.h"

#include <string_view>

namespace vigil {
namespace {

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string StateOrNone(std::optional<std::string_view> state) {
  return state ? Quoted(*state) : std::string("none");
}

std::string TimeOrNone(const std::optional<TimeMs>& t) {
  return t ? std::to_string(*t) : std::string("none");
}

bool KeepsState(std::string_view transition) {
  return transition == kTransitionFlapping || transition == kTransitionStable;
}

// The from/to states a transition must have, or false when unknown. A
// transition that keeps the state (KeepsState) must go from and to
// `current`, the state folded so far.
bool ExpectedStates(std::string_view transition, std::string_view current,
                    std::optional<std::string_view>* from, std::string_view* to) {
  if (KeepsState(transition)) {
    *from = current;
    *to = current;
  } else if (transition == kTransitionOpened) {
    *from = std::nullopt;
    *to = kAlertOpen;
  } else if (transition == kTransitionUpdated) {
    *from = kAlertOpen;
    *to = kAlertOpen;
  } else if (transition == kTransitionResolved) {
    *from = kAlertOpen;
    *to = kAlertResolved;
  } else if (transition == kTransitionReopened) {
    *from = kAlertResolved;
    *to = kAlertOpen;
  } else {
    return false;
  }
  return true;
}

}  // namespace

Result<FoldedAlert> FoldHistory(const std::vector<HistoryRow>& history) {
  if (history.empty()) return Status::Internal("alert history is empty");
  const int64_t alert_id = history.front().alert_id;
  const std::string where = "history of alert " + std::to_string(alert_id) + ": row ";
  FoldedAlert folded;
  for (size_t i = 0; i < history.size(); ++i) {
    const HistoryRow& row = history[i];
    const std::string at_row = where + std::to_string(row.id);
    if (row.alert_id != alert_id) {
      return Status::Internal(at_row + " belongs to alert " + std::to_string(row.alert_id));
    }
    if (i > 0 && row.id <= history[i - 1].id) {
      return Status::Internal(at_row + " is not in ascending id order");
    }
    std::optional<std::string_view> from;
    std::string_view to;
    if (!ExpectedStates(row.transition, folded.state, &from, &to)) {
      return Status::Internal(at_row + ": unknown transition " + Quoted(row.transition));
    }
    if ((i == 0) != (row.transition == kTransitionOpened)) {
      return Status::Internal(at_row + ": " + Quoted(row.transition) +
                              (i == 0 ? " cannot start a history" : " after the first row"));
    }
    std::optional<std::string_view> actual_from;
    if (row.from_state) actual_from = *row.from_state;
    if (actual_from != from || row.to_state != to) {
      return Status::Internal(at_row + ": " + Quoted(row.transition) + " from " +
                              StateOrNone(actual_from) + " to " + Quoted(row.to_state) +
                              " (expected from " + StateOrNone(from) + " to " + Quoted(to) + ")");
    }
    if (i > 0 && *row.from_state != folded.state) {
      return Status::Internal(at_row + ": " + Quoted(row.transition) + " from " +
                              Quoted(*row.from_state) + " but the alert was " +
                              Quoted(folded.state));
    }
    const bool changed =
        i == 0 || row.severity != folded.severity || row.details_digest != folded.details_digest;
    if (row.transition == kTransitionUpdated && !changed) {
      return Status::Internal(at_row + ": \"updated\" changes neither severity nor details digest");
    }
    if ((row.transition == kTransitionResolved || KeepsState(row.transition)) && changed) {
      return Status::Internal(at_row + ": " + Quoted(row.transition) +
                              " changes severity or details digest");
    }
    if (KeepsState(row.transition) && folded.flapping != (row.transition == kTransitionStable)) {
      return Status::Internal(at_row + ": " + Quoted(row.transition) + " while the alert " +
                              (folded.flapping ? "was already flapping" : "was not flapping"));
    }
    folded.state = row.to_state;
    folded.severity = row.severity;
    folded.details = row.details;
    folded.details_digest = row.details_digest;
    folded.last_trace_id = row.trace_id;
    if (row.transition == kTransitionOpened) folded.first_seen = row.at;
    if (row.transition == kTransitionResolved) {
      folded.resolved_at = row.at;
    } else if (!KeepsState(row.transition)) {
      folded.resolved_at = std::nullopt;
    }
    if (row.transition == kTransitionFlapping) folded.flapping = true;
    if (row.transition == kTransitionStable) folded.flapping = false;
  }
  return folded;
}

Status CheckAlertAgainstHistory(const AlertRow& alert, const std::vector<HistoryRow>& history) {
  const std::string prefix = "alert " + std::to_string(alert.id);
  if (!history.empty() && history.front().alert_id != alert.id) {
    return Status::Internal(prefix + ": history given is of alert " +
                            std::to_string(history.front().alert_id));
  }
  Result<FoldedAlert> folded = FoldHistory(history);
  if (!folded.ok()) return folded.status().Prefixed(prefix);
  std::string diffs;
  auto compare = [&diffs](std::string_view field, const std::string& row, const std::string& fold) {
    if (row == fold) return;
    if (!diffs.empty()) diffs += "; ";
    diffs += std::string(field) + " is " + row + " but its history says " + fold;
  };
  compare("state", Quoted(alert.state), Quoted(folded->state));
  compare("severity", Quoted(alert.severity), Quoted(folded->severity));
  compare("details", Quoted(alert.details), Quoted(folded->details));
  compare("details_digest", Quoted(alert.details_digest), Quoted(folded->details_digest));
  compare("first_seen", std::to_string(alert.first_seen), std::to_string(folded->first_seen));
  compare("resolved_at", TimeOrNone(alert.resolved_at), TimeOrNone(folded->resolved_at));
  compare("last_trace_id", Quoted(alert.last_trace_id), Quoted(folded->last_trace_id));
  compare("flapping", alert.flapping ? "true" : "false", folded->flapping ? "true" : "false");
  if (!diffs.empty()) return Status::Internal(prefix + ": " + diffs);
  return Status::Ok();
}

}  // namespace vigil
