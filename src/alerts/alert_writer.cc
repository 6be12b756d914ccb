#include "alerts/alert_writer.h"

namespace vigil {

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

namespace {

// A guarded UPDATE of one alert changed it, or the alert was not in the
// state the reconcile read.
Status ExpectOneChanged(const Statement& s, int64_t id, std::string_view from) {
  if (s.Changes() == 1) return Status::Ok();
  return Status::Internal("alert " + std::to_string(id) + " is no longer " + std::string(from) +
                          ": changed by another writer during the reconcile");
}

}  // namespace

Result<Statement*> AlertWriter::Prepared(std::unique_ptr<Statement>* slot, std::string_view sql) {
  if (*slot == nullptr) {
    VIGIL_ASSIGN_OR_RETURN(*slot, db_->Prepare(sql));
  }
  return slot->get();
}

Result<int64_t> AlertWriter::InsertOpen(int64_t tenant_id, std::string_view analysis_type,
                                        std::string_view type, std::string_view subject,
                                        const std::optional<std::string>& tag,
                                        const AlertContent& content, const ChangeStamp& stamp) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement * s,
      Prepared(&insert_open_,
               "INSERT INTO alerts (tenant_id, analysis_type, type, subject, subject_name,"
               " severity, state, details, details_digest, tag, first_seen, last_seen,"
               " resolved_at, updated_at, last_trace_id)"
               " VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, NULL, ?, ?)"));
  s->BindInt(1, tenant_id);
  s->BindText(2, analysis_type);
  s->BindText(3, type);
  s->BindText(4, subject);
  s->BindText(5, content.subject_name);
  s->BindText(6, content.severity);
  s->BindText(7, content.details);
  s->BindText(8, content.details_digest);
  if (tag) {
    s->BindText(9, *tag);
  } else {
    s->BindNull(9);
  }
  s->BindInt(10, stamp.as_of);
  s->BindInt(11, stamp.as_of);
  s->BindInt(12, stamp.now);
  s->BindText(13, stamp.trace_id);
  VIGIL_RETURN_IF_ERROR(s->Execute());
  return db_->LastInsertId();
}

Status AlertWriter::SetOpen(int64_t id, std::string_view from, const AlertContent& content,
                            const ChangeStamp& stamp) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement * s,
      Prepared(&set_open_,
               "UPDATE alerts SET state = 'open', resolved_at = NULL, subject_name = ?,"
               " severity = ?, details = ?, details_digest = ?, last_seen = ?, updated_at = ?,"
               " last_trace_id = ? WHERE id = ? AND state = ?"));
  s->BindText(1, content.subject_name);
  s->BindText(2, content.severity);
  s->BindText(3, content.details);
  s->BindText(4, content.details_digest);
  s->BindInt(5, stamp.as_of);
  s->BindInt(6, stamp.now);
  s->BindText(7, stamp.trace_id);
  s->BindInt(8, id);
  s->BindText(9, from);
  VIGIL_RETURN_IF_ERROR(s->Execute());
  return ExpectOneChanged(*s, id, from);
}

Status AlertWriter::SetResolved(int64_t id, const ChangeStamp& stamp) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement * s,
      Prepared(&set_resolved_,
               "UPDATE alerts SET state = 'resolved', resolved_at = ?, updated_at = ?,"
               " last_trace_id = ? WHERE id = ? AND state = 'open'"));
  s->BindInt(1, stamp.as_of);
  s->BindInt(2, stamp.now);
  s->BindText(3, stamp.trace_id);
  s->BindInt(4, id);
  VIGIL_RETURN_IF_ERROR(s->Execute());
  return ExpectOneChanged(*s, id, kAlertOpen);
}

Status AlertWriter::SetSubjectName(int64_t id, std::string_view subject_name) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement * s,
      Prepared(&set_subject_name_, "UPDATE alerts SET subject_name = ? WHERE id = ?"));
  s->BindText(1, subject_name);
  s->BindInt(2, id);
  return s->Execute();
}

Status AlertWriter::AppendHistory(int64_t alert_id, int64_t tenant_id,
                                  std::string_view analysis_type, std::string_view transition,
                                  std::optional<std::string_view> from_state,
                                  std::string_view to_state, const AlertContent& content,
                                  std::string_view reason, const ChangeStamp& stamp) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement * s,
      Prepared(&append_history_,
               "INSERT INTO alert_history (alert_id, tenant_id, analysis_type, at, transition,"
               " from_state, to_state, severity, details, details_digest, trace_id, run_id,"
               " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  s->BindInt(1, alert_id);
  s->BindInt(2, tenant_id);
  s->BindText(3, analysis_type);
  s->BindInt(4, stamp.as_of);
  s->BindText(5, transition);
  if (from_state) {
    s->BindText(6, *from_state);
  } else {
    s->BindNull(6);
  }
  s->BindText(7, to_state);
  s->BindText(8, content.severity);
  s->BindText(9, content.details);
  s->BindText(10, content.details_digest);
  s->BindText(11, stamp.trace_id);
  s->BindText(12, stamp.run_id);
  s->BindText(13, reason);
  return s->Execute();
}

Status AlertWriter::AppendResolvedHistory(int64_t alert_id, std::string_view reason,
                                          const ChangeStamp& stamp) {
  VIGIL_ASSIGN_OR_RETURN(
      Statement * s,
      Prepared(&append_resolved_history_,
               "INSERT INTO alert_history (alert_id, tenant_id, analysis_type, at, transition,"
               " from_state, to_state, severity, details, details_digest, trace_id, run_id,"
               " reason) SELECT id, tenant_id, analysis_type, ?, 'resolved', 'open', 'resolved',"
               " severity, details, details_digest, ?, ?, ? FROM alerts WHERE id = ?"));
  s->BindInt(1, stamp.as_of);
  s->BindText(2, stamp.trace_id);
  s->BindText(3, stamp.run_id);
  s->BindText(4, reason);
  s->BindInt(5, alert_id);
  VIGIL_RETURN_IF_ERROR(s->Execute());
  if (s->Changes() != 1) {
    return Status::Internal("recording the resolve of alert " + std::to_string(alert_id) +
                            ": no such alert");
  }
  return Status::Ok();
}

Status AlertWriter::TouchLastSeen(int64_t tenant_id, const std::vector<std::string>& analysis_types,
                                  TimeMs as_of) {
  if (analysis_types.empty()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> s,
      db_->Prepare("UPDATE alerts SET last_seen = ? WHERE tenant_id = ? AND analysis_type IN (" +
                   Placeholders(analysis_types.size()) +
                   ") AND state = 'open' AND last_seen <> ?"));
  int index = 1;
  s->BindInt(index++, as_of);
  s->BindInt(index++, tenant_id);
  for (const std::string& t : analysis_types) s->BindText(index++, t);
  s->BindInt(index++, as_of);
  return s->Execute();
}

Status AlertWriter::ProjectTags(int64_t tenant_id, const std::vector<std::string>& analysis_types) {
  if (analysis_types.empty()) return Status::Ok();
  const std::string in = " AND analysis_type IN (" + Placeholders(analysis_types.size()) + ")";
  for (const std::string& sql :
       {"DELETE FROM entity_tags WHERE tenant_id = ?" + in,
        "INSERT INTO entity_tags (tenant_id, analysis_type, subject, tag, alert_id)"
        " SELECT tenant_id, analysis_type, subject, tag, id FROM alerts WHERE tenant_id = ?" +
            in + " AND state = 'open' AND tag IS NOT NULL"}) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> s, db_->Prepare(sql));
    s->BindInt(1, tenant_id);
    for (size_t i = 0; i < analysis_types.size(); ++i) {
      s->BindText(static_cast<int>(i) + 2, analysis_types[i]);
    }
    VIGIL_RETURN_IF_ERROR(s->Execute());
  }
  return Status::Ok();
}

}  // namespace vigil
