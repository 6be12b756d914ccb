#include "alerts/reconcile_plan.h"

#include <functional>
#include <memory>
#include <utility>

#include "analysis/alert_types.h"
#include "common/hash.h"

namespace vigil {
namespace {

constexpr std::string_view kReasonAppeared = "finding appeared";
constexpr std::string_view kReasonGone = "finding no longer present in complete batch";
constexpr std::string_view kReasonReappeared = "finding reappeared";
constexpr std::string_view kReasonDetails = "details changed";

// "severity changed from medium to high", "details changed", or both; a
// severity the tenant's override gave says so: "... to low (severity
// override)".
std::string UpdateReason(const LoadedAlert& before, const AlertContent& after,
                         bool severity_overridden) {
  std::string reason;
  if (before.severity != after.severity) {
    reason = "severity changed from " + before.severity + " to " + std::string(after.severity);
    if (severity_overridden) reason += " (severity override)";
  }
  if (before.details_digest != after.details_digest) {
    if (!reason.empty()) reason += "; ";
    reason += kReasonDetails;
  }
  return reason;
}

AlertContent ContentOf(const Finding& f) {
  return AlertContent{f.subject_name, SeverityName(f.severity), f.details, HashHex(f.details)};
}

// The batch's baseline (Batch::baseline) by (alert type, subject): what the
// version the alerts came from finds on the same data. A transition that
// version would not have made is the rule change's.
class RuleChange {
 public:
  explicit RuleChange(const Batch& batch) {
    if (!batch.baseline || batch.baseline->rule_version == batch.rule_version) return;
    prefix_ = "rule_changed (v" + std::to_string(batch.baseline->rule_version) + " -> v" +
              std::to_string(batch.rule_version) + "): ";
    for (const Finding& f : batch.baseline->findings) found_.emplace(KeyOf(f), &f);
  }

  // The reason of a transition of the alert `key`: `reason`, prefixed with
  // "rule_changed (vA -> vB): " when the baseline disagrees with what the
  // transition does. `opens`: the transition leaves the alert open with
  // `after` (open, reopen, update); otherwise it resolves it. `before`: the
  // alert as it is, when it exists.
  std::string Reason(const Finding* f, const LoadedAlert* before, bool opens,
                     std::string reason) const {
    if (prefix_.empty()) return reason;
    const std::pair<std::string_view, std::string_view> key =
        f != nullptr ? KeyOf(*f) : std::pair<std::string_view, std::string_view>{before->type,
                                                                                 before->subject};
    auto it = found_.find(key);
    bool by_rule = false;
    if (!opens) {
      by_rule = it != found_.end();  // the old version still finds it
    } else if (before == nullptr || before->state != kAlertOpen) {
      by_rule = it == found_.end();  // the old version would not open it
    } else {  // an update: the old version agrees with the alert as it is
      by_rule = it != found_.end() &&
                SeverityName(it->second->severity) == before->severity &&
                HashHex(it->second->details) == before->details_digest;
    }
    return by_rule ? prefix_ + reason : reason;
  }

 private:
  static std::pair<std::string_view, std::string_view> KeyOf(const Finding& f) {
    return {f.alert_type, f.subject};
  }
  std::string prefix_;
  std::unordered_map<std::pair<std::string_view, std::string_view>, const Finding*,
                     LoadedAlerts::KeyHash>
      found_;
};

// Plans the findings and the resolves of one batch.
class BatchPlanner {
 public:
  BatchPlanner(const Batch& batch, LoadedAlerts* alerts, BatchSummary* summary,
               ReconcilePlan* plan)
      : batch_(batch), alerts_(alerts), summary_(summary), plan_(plan), rule_change_(batch) {}

  void Plan() {
    excluded_.reserve(batch_.excluded.size());
    for (const Excluded& x : batch_.excluded) {
      excluded_.emplace(std::make_pair(std::string_view(x.alert_type), std::string_view(x.subject)),
                        &x);
    }
    for (const Finding& f : batch_.findings) PlanFinding(f);
    for (LoadedAlert& e : alerts_->rows) {
      if (e.analysis_type != batch_.analysis_type || e.found || e.state != kAlertOpen) continue;
      PlanResolve(&e);
    }
    if (state_changed_) plan_->retag_types.push_back(batch_.analysis_type);
  }

 private:
  void PlanFinding(const Finding& f) {
    auto it = alerts_->index.find({f.alert_type, f.subject});
    if (it == alerts_->index.end()) {
      PlanOpen(f);
      return;
    }
    LoadedAlert& e = alerts_->rows[it->second];
    e.found = true;
    AlertContent content = ContentOf(f);
    if (e.state == kAlertResolved) {
      Record(e.id, f, kTransitionReopened, content.severity,
             rule_change_.Reason(&f, &e, true, std::string(kReasonReappeared)),
             ReconcilePlan::Source::kReopen, plan_->reopens.size());
      PreviousSeverity(e, content);
      plan_->reopens.push_back(ContentChange{e.id, std::move(content)});
      Loaded(&e, plan_->reopens.back().content);
      ++summary_->reopened;
      state_changed_ = true;
    } else if (e.severity != content.severity || e.details_digest != content.details_digest) {
      Record(e.id, f, kTransitionUpdated, content.severity,
             rule_change_.Reason(&f, &e, true, UpdateReason(e, content, f.severity_overridden)),
             ReconcilePlan::Source::kUpdate, plan_->updates.size());
      PreviousSeverity(e, content);
      plan_->updates.push_back(ContentChange{e.id, std::move(content)});
      Loaded(&e, plan_->updates.back().content);
      ++summary_->updated;
    } else {
      if (e.subject_name != f.subject_name) {
        plan_->renames.push_back(SubjectRename{e.id, f.subject_name});
        e.subject_name = f.subject_name;
      }
      ++summary_->unchanged;
    }
  }

  // Notes the severity before the change just recorded when it changes.
  void PreviousSeverity(const LoadedAlert& before, const AlertContent& after) {
    if (before.severity == after.severity) return;
    plan_->changes.back().previous_severity = before.severity;
  }

  // What the loaded alert holds once its change is written.
  static void Loaded(LoadedAlert* e, const AlertContent& content) {
    e->state = kAlertOpen;
    e->severity = content.severity;
    e->details_digest = content.details_digest;
    e->subject_name = content.subject_name;
  }

  void PlanOpen(const Finding& f) {
    const AlertTypeInfo* info = FindAlertType(f.alert_type);  // non-null: CheckBatch passed
    NewAlert a;
    a.analysis_type = batch_.analysis_type;
    a.type = f.alert_type;
    a.subject = f.subject;
    if (info != nullptr) a.tag = info->tag;
    a.content = ContentOf(f);
    Record(0, f, kTransitionOpened, a.content.severity,
           rule_change_.Reason(&f, nullptr, true, std::string(kReasonAppeared)),
           ReconcilePlan::Source::kOpen, plan_->opens.size());
    plan_->opens.push_back(std::move(a));
    ++summary_->opened;
    state_changed_ = true;
  }

  // Why an open alert without a finding resolves: the exclusion that
  // dropped its finding, or that the finding is gone.
  std::string ResolveReason(const LoadedAlert& e) const {
    auto it = excluded_.find({e.type, e.subject});
    if (it == excluded_.end()) return std::string(kReasonGone);
    return "excluded (exclusion " + std::to_string(it->second->exclusion_id) + ": " +
           it->second->reason + ")";
  }

  void PlanResolve(LoadedAlert* e) {
    plan_->changes.push_back(AlertChange{e->id, batch_.analysis_type, e->type, e->subject,
                                         e->subject_name, std::string(kTransitionResolved),
                                         e->severity,
                                         rule_change_.Reason(nullptr, e, false, ResolveReason(*e)),
                                         std::nullopt, false});
    plan_->sources.push_back({ReconcilePlan::Source::kResolve, plan_->resolves.size()});
    plan_->resolves.push_back(e->id);
    e->state = kAlertResolved;
    ++summary_->resolved;
    state_changed_ = true;
  }

  void Record(int64_t id, const Finding& f, std::string_view transition, std::string_view severity,
              std::string reason, ReconcilePlan::Source source, size_t index) {
    plan_->changes.push_back(AlertChange{
        id, batch_.analysis_type, f.alert_type, f.subject, f.subject_name, std::string(transition),
        std::string(severity), std::move(reason), std::nullopt, false});
    plan_->sources.push_back({source, index});
  }

  const Batch& batch_;
  LoadedAlerts* alerts_;
  BatchSummary* summary_;
  ReconcilePlan* plan_;
  const RuleChange rule_change_;
  bool state_changed_ = false;
  // The batch's excluded findings by (alert type, subject).
  std::unordered_map<std::pair<std::string_view, std::string_view>, const Excluded*,
                     LoadedAlerts::KeyHash>
      excluded_;
};

// The history rows of the transitions that carry content, in change order.
std::vector<HistoryEntry> ContentHistory(const ReconcilePlan& plan) {
  std::vector<HistoryEntry> entries;
  entries.reserve(plan.opens.size() + plan.reopens.size() + plan.updates.size());
  for (size_t i = 0; i < plan.changes.size(); ++i) {
    const AlertChange& c = plan.changes[i];
    const ReconcilePlan::ChangeSource& from = plan.sources[i];
    HistoryEntry h;
    h.alert_id = c.alert_id;
    h.analysis_type = c.analysis_type;
    h.transition = c.transition;
    h.to_state = kAlertOpen;
    h.reason = c.reason;
    switch (from.source) {
      case ReconcilePlan::Source::kOpen:
        h.content = &plan.opens[from.index].content;
        break;
      case ReconcilePlan::Source::kReopen:
        h.from_state = kAlertResolved;
        h.content = &plan.reopens[from.index].content;
        break;
      case ReconcilePlan::Source::kUpdate:
        h.from_state = kAlertOpen;
        h.content = &plan.updates[from.index].content;
        break;
      case ReconcilePlan::Source::kResolve:
        continue;
    }
    entries.push_back(h);
  }
  return entries;
}

}  // namespace

size_t LoadedAlerts::KeyHash::operator()(
    const std::pair<std::string_view, std::string_view>& k) const {
  const size_t a = std::hash<std::string_view>()(k.first);
  return a ^ (std::hash<std::string_view>()(k.second) + 0x9e3779b97f4a7c15ULL + (a << 6) +
              (a >> 2));
}

Result<LoadedAlerts> LoadAlerts(Db* db, int64_t tenant_id,
                                const std::vector<std::string>& analysis_types) {
  LoadedAlerts out;
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT id, analysis_type, type, subject, subject_name, severity, state,"
                  " details_digest, snoozed_until, flapping, CASE WHEN flapping = 1 THEN"
                  " (SELECT MAX(h.at) FROM alert_history h WHERE h.alert_id = alerts.id AND"
                  " h.transition IN ('opened', 'resolved', 'reopened')) END"
                  " FROM alerts WHERE tenant_id = ? AND analysis_type IN (" +
                  Placeholders(analysis_types.size()) + ") ORDER BY id"));
  stmt->BindInt(1, tenant_id);
  for (size_t i = 0; i < analysis_types.size(); ++i) {
    stmt->BindText(static_cast<int>(i) + 2, analysis_types[i]);
  }
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    LoadedAlert e;
    e.id = stmt->Int(0);
    e.analysis_type = stmt->String(1);
    e.type = stmt->String(2);
    e.subject = stmt->String(3);
    e.subject_name = stmt->String(4);
    e.severity = stmt->String(5);
    e.state = stmt->String(6);
    e.details_digest = stmt->String(7);
    if (!stmt->IsNull(8)) e.snoozed_until = stmt->Int(8);
    e.flapping = stmt->Int(9) != 0;
    if (!stmt->IsNull(10)) e.last_state_change = stmt->Int(10);
    out.rows.push_back(std::move(e));
  }
  // Keys view the rows' strings: indexed once the rows no longer move.
  out.index.reserve(out.rows.size());
  for (size_t i = 0; i < out.rows.size(); ++i) {
    out.index.emplace(std::make_pair(std::string_view(out.rows[i].type),
                                     std::string_view(out.rows[i].subject)),
                      i);
  }
  return out;
}

void PlanBatch(const Batch& batch, LoadedAlerts* alerts, BatchSummary* summary,
               ReconcilePlan* plan) {
  BatchPlanner(batch, alerts, summary, plan).Plan();
}

Status WritePlan(AlertWriter* writer, ReconcilePlan* plan) {
  VIGIL_RETURN_IF_ERROR(writer->InsertOpen(&plan->opens));
  for (size_t i = 0; i < plan->changes.size(); ++i) {
    if (plan->sources[i].source == ReconcilePlan::Source::kOpen) {
      plan->changes[i].alert_id = plan->opens[plan->sources[i].index].id;
    }
  }
  VIGIL_RETURN_IF_ERROR(writer->SetOpen(kAlertResolved, plan->reopens));
  VIGIL_RETURN_IF_ERROR(writer->SetOpen(kAlertOpen, plan->updates));
  VIGIL_RETURN_IF_ERROR(writer->SetResolved(plan->resolves));
  VIGIL_RETURN_IF_ERROR(writer->SetSubjectNames(plan->renames));
  VIGIL_RETURN_IF_ERROR(writer->AppendHistory(ContentHistory(*plan)));
  // The resolves' history rows, each with its own reason (the plain one, an
  // exclusion's, a rule change's), in the order of `resolves`: one
  // statement per kAlertRowsPerStatement, however many reasons.
  std::vector<ResolvedEntry> resolved;
  resolved.reserve(plan->resolves.size());
  for (size_t i = 0; i < plan->changes.size(); ++i) {
    if (plan->sources[i].source != ReconcilePlan::Source::kResolve) continue;
    resolved.push_back(ResolvedEntry{plan->changes[i].alert_id, plan->changes[i].reason});
  }
  return writer->AppendResolvedHistory(resolved);
}

}  // namespace vigil
