// Property tests of AlertManager against a simple in-memory model: random
// sequences of runs over two tenants, three analysis types and a few
// subjects, with COMPLETE (possibly empty or invalid), FAILED and INCOMPLETE
// batches, runs re-delivered, and runs older than what was applied. After
// every step invariants 1-7 of docs/ARCHITECTURE.md must hold. The tenants'
// flap preferences are set so that runs a day apart flap and become stable
// again (alerts/flap_damping.h): the flapping flag too is the fold of the
// history.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/alert_store.h"
#include "alerts/alert_test_support.h"
#include "analysis/alert_types.h"
#include "common/hash.h"
#include "context/preferences.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

struct TypeSpec {
  std::string analysis_type;
  std::vector<std::string> alert_types;
};

const std::vector<TypeSpec>& Types() {
  static const std::vector<TypeSpec> kTypes = {
      {"mfa", {std::string(kMfaUserNotRegistered), std::string(kMfaNotEnforced)}},
      {"license", {std::string(kLicenseUnused), std::string(kLicenseOverassigned)}},
      {"stale", {std::string(kStaleUser)}},
  };
  return kTypes;
}

constexpr int kSubjects = 3;
constexpr int kTenants = 2;

// ---- the model ----------------------------------------------------------

struct ModelAlert {
  std::string state;
  std::string severity;
  std::string digest;
  bool operator==(const ModelAlert&) const = default;
};
using AlertKey = std::tuple<int64_t, std::string, std::string>;  // tenant, alert type, subject

struct ModelLedger {
  std::string run_id;
  TimeMs as_of = 0;
  std::optional<std::string> complete_run_id;
  std::optional<TimeMs> complete_as_of;
};

struct Expected {
  BatchOutcome outcome;
  int opened = 0, updated = 0, resolved = 0, reopened = 0, unchanged = 0;
};

bool ValidForModel(const Batch& batch) {
  const TypeSpec* spec = nullptr;
  for (const TypeSpec& t : Types()) {
    if (t.analysis_type == batch.analysis_type) spec = &t;
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (const Finding& f : batch.findings) {
    if (std::find(spec->alert_types.begin(), spec->alert_types.end(), f.alert_type) ==
        spec->alert_types.end()) {
      return false;
    }
    if (!seen.emplace(f.alert_type, f.subject).second) return false;
  }
  return true;
}

class Model {
 public:
  std::vector<Expected> Apply(const AnalysisRun& run) {
    std::vector<Expected> out;
    for (const Batch& batch : run.batches) out.push_back(ApplyBatch(run, batch));
    return out;
  }
  const std::map<AlertKey, ModelAlert>& alerts() const { return alerts_; }

 private:
  Expected ApplyBatch(const AnalysisRun& run, const Batch& batch) {
    const bool complete = batch.status == BatchStatus::kComplete && ValidForModel(batch);
    auto key = std::make_pair(run.tenant_id, batch.analysis_type);
    auto found = ledger_.find(key);
    if (found != ledger_.end()) {
      const ModelLedger& l = found->second;
      if (l.run_id == run.run_id || l.complete_run_id == run.run_id) {
        return {BatchOutcome::kDuplicate};
      }
      if (l.complete_as_of && run.as_of < *l.complete_as_of) return {BatchOutcome::kStale};
      if (!complete && run.as_of < l.as_of) return {BatchOutcome::kStale};
    }
    ModelLedger& l = ledger_[key];
    const bool newest = found == ledger_.end() || run.as_of >= l.as_of;
    if (!complete) {
      l.run_id = run.run_id;
      l.as_of = run.as_of;
      return {BatchOutcome::kNotComplete};
    }
    if (newest) {
      l.run_id = run.run_id;
      l.as_of = run.as_of;
    }
    l.complete_run_id = run.run_id;
    l.complete_as_of = run.as_of;

    Expected e{BatchOutcome::kApplied};
    std::set<AlertKey> present;
    for (const Finding& f : batch.findings) {
      AlertKey k(run.tenant_id, f.alert_type, f.subject);
      present.insert(k);
      ModelAlert now{"open", std::string(SeverityName(f.severity)), HashHex(f.details)};
      auto it = alerts_.find(k);
      if (it == alerts_.end()) {
        ++e.opened;
      } else if (it->second.state == "resolved") {
        ++e.reopened;
      } else if (it->second == now) {
        ++e.unchanged;
      } else {
        ++e.updated;
      }
      alerts_[k] = now;
    }
    for (auto& [k, a] : alerts_) {
      if (std::get<0>(k) != run.tenant_id ||
          AnalysisTypeOf(std::get<1>(k)) != batch.analysis_type || a.state != "open" ||
          present.count(k) > 0) {
        continue;
      }
      a.state = "resolved";
      ++e.resolved;
    }
    return e;
  }

  std::map<AlertKey, ModelAlert> alerts_;
  std::map<std::pair<int64_t, std::string>, ModelLedger> ledger_;
};

// ---- generators -----------------------------------------------------------

// A uniform choice in [lo, hi). (gen::inRange narrows its range with the test
// size; categorical choices must not, or small tests would only ever pick lo.)
template <typename T>
T Choose(T lo, T hi) {
  return *rc::gen::resize(100, rc::gen::inRange<T>(lo, hi));
}

Finding GenFinding(const std::string& alert_type, int subject) {
  Finding f =
      MakeFinding(alert_type, "s" + std::to_string(subject), static_cast<Severity>(Choose(0, 4)),
                  "{\"v\":" + std::to_string(Choose(0, 2)) + "}");
  return f;
}

// A batch of `spec`, or nullopt for "this run has no batch of that type".
std::optional<Batch> GenBatch(const TypeSpec& spec) {
  const int mode = Choose(0, 9);
  if (mode == 0) return std::nullopt;
  if (mode == 1) return NotComplete(spec.analysis_type, BatchStatus::kFailed, "analyzer failed");
  if (mode == 2) {
    return NotComplete(spec.analysis_type, BatchStatus::kIncomplete, "data not available");
  }
  Batch batch = Complete(spec.analysis_type);
  if (mode == 3) return batch;  // explicitly empty
  for (const std::string& type : spec.alert_types) {
    for (int s = 0; s < kSubjects; ++s) {
      if (Choose(0, 2) == 0) batch.findings.push_back(GenFinding(type, s));
    }
  }
  if (mode == 4) {  // invalid: a foreign alert type, or a repeated subject
    if (!batch.findings.empty() && Choose(0, 2) == 0) {
      batch.findings.push_back(batch.findings.front());
    } else {
      const std::string foreign = spec.analysis_type == "mfa" ? std::string(kLicenseUnused)
                                                              : std::string(kMfaUserNotRegistered);
      batch.findings.push_back(GenFinding(foreign, 0));
    }
  }
  return batch;
}

// ---- checks ---------------------------------------------------------------

std::string Cell(int64_t tenant, const std::string& analysis_type) {
  return "tenant_id = " + std::to_string(tenant) + " AND analysis_type = '" + analysis_type + "'";
}

std::map<AlertKey, ModelAlert> DbAlerts(Db* db) {
  AlertFilter all;
  all.state = AlertStateFilter::kAll;
  Result<std::vector<AlertRow>> rows = ListAlerts(db, all);
  RC_ASSERT(rows.ok());
  std::map<AlertKey, ModelAlert> out;
  for (const AlertRow& a : *rows) {
    out[AlertKey(a.tenant_id, a.type, a.subject)] = {a.state, a.severity, a.details_digest};
  }
  return out;
}

int64_t HistoryCount(Db* db) {
  Result<std::optional<int64_t>> n = db->QueryInt("SELECT COUNT(*) FROM alert_history");
  RC_ASSERT(n.ok());
  return n->value_or(0);
}

RC_GTEST_PROP(AlertManagerProperty, InvariantsHoldOverRandomRuns, ()) {
  std::unique_ptr<Db> db = OpenTestDb();
  RC_ASSERT(db != nullptr);
  std::vector<int64_t> tenants;
  for (int t = 0; t < kTenants; ++t)
    tenants.push_back(AddTenant(db.get(), "t" + std::to_string(t)));
  // t0: 2 state changes within 3 days flap; t1: 3 within 5 days.
  const auto any_type = [](std::string_view) { return true; };
  RC_ASSERT(UpdatePreferences(db.get(), tenants[0],
                              {{"flap_threshold", "2"}, {"flap_window", "3d"}}, any_type)
                .ok());
  RC_ASSERT(UpdatePreferences(db.get(), tenants[1],
                              {{"flap_threshold", "3"}, {"flap_window", "5d"}}, any_type)
                .ok());
  std::unique_ptr<Clock> clock = NewFixedClock(kT0);
  AlertManager manager(db.get(), clock.get());
  Model model;
  std::vector<AnalysisRun> delivered;

  bool flapped = false, stabilized = false;  // some alert started to flap, became stable
  const int steps = *rc::gen::inRange(1, 21);
  for (int step = 0; step < steps; ++step) {
    const int action = Choose(0, 10);
    const bool redeliver = action < 2 && !delivered.empty();
    AnalysisRun run;
    if (redeliver) {
      run = delivered[Choose<size_t>(0, delivered.size())];
    } else {
      // Every fresh run has its own as_of; action 2 makes one older than all.
      const TimeMs as_of = action == 2 ? kT0 - (step + 1) * kDay : kT0 + (step + 1) * kDay;
      run = MakeRun(tenants[Choose(0, kTenants)], "run-" + std::to_string(step), as_of, {});
      for (const TypeSpec& spec : Types()) {
        if (std::optional<Batch> b = GenBatch(spec)) run.batches.push_back(std::move(*b));
      }
    }

    std::map<std::string, std::string> cells_before;
    for (int64_t t : tenants) {
      for (const TypeSpec& spec : Types()) {
        cells_before[Cell(t, spec.analysis_type)] =
            DumpTables(db.get(), Cell(t, spec.analysis_type));
      }
    }
    const std::string all_before = DumpTables(db.get());
    const int64_t history_before = HistoryCount(db.get());

    Result<ReconcileSummary> summary = manager.Reconcile(run);
    RC_ASSERT(summary.ok());
    std::vector<Expected> expected = model.Apply(run);
    if (!redeliver) delivered.push_back(run);

    // Outcomes and counts are the model's.
    RC_ASSERT(summary->batches.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      const BatchSummary& got = summary->batches[i];
      RC_ASSERT(got.outcome == expected[i].outcome);
      RC_ASSERT(got.opened == expected[i].opened);
      RC_ASSERT(got.updated == expected[i].updated);
      RC_ASSERT(got.resolved == expected[i].resolved);
      RC_ASSERT(got.reopened == expected[i].reopened);
      RC_ASSERT(got.unchanged == expected[i].unchanged);
    }
    // Invariants 1 and 3: the alerts (open and resolved) are the model's.
    RC_ASSERT(DbAlerts(db.get()) == model.alerts());
    for (size_t i = 0; i < run.batches.size(); ++i) {
      if (summary->batches[i].outcome == BatchOutcome::kApplied &&
          run.batches[i].findings.empty()) {
        AlertFilter open;
        open.analysis_type = run.batches[i].analysis_type;
        open.tenant = "t" + std::to_string(run.tenant_id - tenants[0]);
        Result<std::vector<AlertRow>> rows = ListAlerts(db.get(), open);
        RC_ASSERT(rows.ok());
        RC_ASSERT(rows->empty());
      }
    }
    // Invariants 2 and 5: a cell (tenant, type) changes only through an
    // applied batch of its own; an unapplied batch moves only its ledger row;
    // a skipped (or absent) batch changes nothing.
    for (int64_t t : tenants) {
      for (const TypeSpec& spec : Types()) {
        const std::string cell = Cell(t, spec.analysis_type);
        std::optional<BatchOutcome> outcome;
        for (size_t i = 0; i < run.batches.size(); ++i) {
          if (t == run.tenant_id && run.batches[i].analysis_type == spec.analysis_type) {
            outcome = summary->batches[i].outcome;
          }
        }
        const std::string after = DumpTables(db.get(), cell);
        if (!outcome || *outcome == BatchOutcome::kDuplicate || *outcome == BatchOutcome::kStale) {
          RC_ASSERT(after == cells_before[cell]);
        } else if (*outcome == BatchOutcome::kNotComplete) {
          RC_ASSERT(WithoutLedger(after) == WithoutLedger(cells_before[cell]));
        }
      }
    }
    // Invariant 4: re-delivering a run changes nothing, history included.
    if (redeliver) {
      for (const BatchSummary& b : summary->batches) {
        RC_ASSERT(b.outcome == BatchOutcome::kDuplicate || b.outcome == BatchOutcome::kStale);
      }
      RC_ASSERT(DumpTables(db.get()) == all_before);
    }
    // Invariant 6: one history row per change, and every alert row is the
    // fold of its history (whose rows are all real changes). Invariant 7:
    // tags are the projection of open alerts.
    RC_ASSERT(HistoryCount(db.get()) - history_before ==
              static_cast<int64_t>(summary->changes.size()));
    for (const AlertChange& c : summary->changes) {
      flapped = flapped || c.transition == kTransitionFlapping;
      stabilized = stabilized || c.transition == kTransitionStable;
    }
    for (int64_t t : tenants) {
      ::testing::AssertionResult consistent = TenantConsistent(db.get(), t);
      if (!consistent) RC_FAIL(consistent.message());
    }
  }
  RC_CLASSIFY(flapped, "flapping");
  RC_CLASSIFY(stabilized, "stable");
}

}  // namespace
}  // namespace vigil
