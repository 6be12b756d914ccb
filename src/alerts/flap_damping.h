// Flap damping: an alert that keeps opening and resolving is marked
// flapping, so notifiers announce it once instead of at every change, and
// marked stable again once it holds one state. Part of a reconcile
// (AlertManager), in its transaction, after the plan is written.
//
// The numbers are tenant preferences (context/preferences.h):
// flap_threshold N (default 4; 0 turns detection off) and flap_window W
// (default 6h). Times are the run's as_of, like every history `at`.
//
//   flapping: an alert that existed before the run, is not flapping, and
//     took a state change in the run (resolved or reopened; "updated" is
//     not a change of state) such that its history holds at least N rows
//     changing its state (opened, resolved, reopened) within
//     [as_of - W, as_of], that change included. It gets flapping = 1 and a
//     history row "flapping" (state unchanged) with the reason "changed
//     state 4 times within 6h", and an AlertChange "flapping". An alert
//     opened by the run cannot flap (its history is that one row), so the
//     first analysis of a tenant runs no flap query at all.
//   stable: a flapping alert of an analysis type the run applies (a
//     COMPLETE batch) whose latest state change is older than as_of - W
//     and that took no state change in the run. It gets flapping = 0, a
//     history row "stable" with the reason "held one state for 6h", and an
//     AlertChange "stable". Stability is noticed at the tenant's next
//     analysis (the next COMPLETE batch of the alert's analysis type), not
//     at the moment the window ends: nothing runs between analyses. Only
//     the applied types are looked at, so invariants 2 and 5 hold (an
//     INCOMPLETE batch, or a batch of another type, changes none of the
//     alerts of a type). A threshold of 0 stops new flaps; alerts already
//     flapping still become stable this way.
//
// Every AlertChange of the run gets `flapping`: whether its alert is
// flapping after it (true for the change that started the flap and for
// any change of a flapping alert before its "stable"; false for "stable").
//
// Statements: none when no alert that existed before the run changed
// state and no alert read is flapping (LoadAlerts reads the flag and the
// latest state change of the flapping ones with the alerts);
// otherwise 1 to read the tenant's preferences; when flap_threshold > 0
// and n alerts that were not flapping changed state, ceil(n /
// kAlertRowsPerStatement) to count their state changes in the window;
// for the alerts that start flapping, and for those that become stable,
// ceil(m / kAlertRowsPerStatement) each for the flags and for the history
// rows.
#pragma once

#include <cstdint>
#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/alert_writer.h"
#include "alerts/reconcile_plan.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// Applies the rules above to the alerts `alerts` (as LoadAlerts read them
// and PlanBatch left them: their state after the run) and the run's
// `changes` (written already): writes the flags and history rows through
// `writer`, appends the "flapping" and "stable" changes to `changes` and
// sets every change's `flapping`. The Db's or the writer's error.
Status DampFlaps(Db* db, int64_t tenant_id, AlertWriter* writer, const ChangeStamp& stamp,
                 const LoadedAlerts& alerts, std::vector<AlertChange>* changes);

}  // namespace vigil
