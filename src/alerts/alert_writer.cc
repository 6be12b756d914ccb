#include "alerts/alert_writer.h"

#include <algorithm>
#include <memory>

#include "store/batch_insert.h"

namespace vigil {

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

namespace {

constexpr std::string_view kHistoryColumns =
    "INSERT INTO alert_history (alert_id, tenant_id, analysis_type, at, transition,"
    " from_state, to_state, severity, details, details_digest, trace_id, run_id, reason,"
    " rule_version)";

// "CASE <column> WHEN ? THEN ? ... ELSE 1 END": the rule version of a row's
// analysis type in a SELECT; its parameters are appended to `params`.
std::string RuleVersionCase(std::string_view column, const ChangeStamp& stamp,
                            std::vector<DbValue>* params) {
  if (stamp.rule_versions.empty()) return "1";
  std::string sql = "CASE " + std::string(column);
  for (const auto& [type, version] : stamp.rule_versions) {
    sql += " WHEN ? THEN ?";
    params->push_back(type);
    params->push_back(int64_t{version});
  }
  return sql + " ELSE 1 END";
}

// The guard of a multi-row transition: the UPDATE returns the ids it
// changed (only rows still in the state `from`); every chunk must have
// changed all of its alerts, or the reconcile's view of one is out of date.
class Guard {
 public:
  Guard(std::vector<int64_t> ids, std::string_view from) : ids_(std::move(ids)), from_(from) {}

  // BatchOptions for an UPDATE ... RETURNING id over the alerts in the order of `ids`.
  BatchOptions Options() {
    BatchOptions options;
    options.rows_per_statement = kAlertRowsPerStatement;
    options.on_row = [this](const Statement& row) {
      changed_.push_back(row.Int(0));
      return Status::Ok();
    };
    options.on_chunk = [this](const Statement& stmt, int64_t rows) {
      return CheckChunk(stmt.Changes(), rows);
    };
    return options;
  }

 private:
  Status CheckChunk(int64_t changes, int64_t rows) {
    const size_t begin = offset_;
    offset_ += static_cast<size_t>(rows);
    if (changes == rows && changed_.size() == static_cast<size_t>(rows)) {
      changed_.clear();
      return Status::Ok();
    }
    std::sort(changed_.begin(), changed_.end());
    int64_t missing = ids_[begin];
    for (size_t i = begin; i < offset_; ++i) {
      if (!std::binary_search(changed_.begin(), changed_.end(), ids_[i])) {
        missing = ids_[i];
        break;
      }
    }
    return Status::Internal("alert " + std::to_string(missing) + " is no longer " +
                            std::string(from_) +
                            ": changed by another writer during the reconcile");
  }

  const std::vector<int64_t> ids_;
  const std::string_view from_;
  std::vector<int64_t> changed_;  // ids the current chunk changed
  size_t offset_ = 0;             // the first alert of the current chunk
};

}  // namespace

Status AlertWriter::InsertOpen(std::vector<NewAlert>* alerts) {
  if (alerts->empty()) return Status::Ok();
  // RETURNING gives each new row's id with its key; the database need not
  // return them in the order of the VALUES list, so they are matched by key.
  size_t chunk_begin = 0;  // the first alert of the chunk being inserted
  size_t returned = 0;     // rows returned so far in that chunk
  Status unmatched = Status::Ok();
  BatchOptions options;
  options.rows_per_statement = kAlertRowsPerStatement;
  options.row = "(?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, NULL, ?, ?)";
  options.suffix = " RETURNING id, type, subject";
  options.on_row = [&](const Statement& row) {
    const std::string_view type = row.Text(1), subject = row.Text(2);
    const size_t end = std::min(alerts->size(), chunk_begin + kAlertRowsPerStatement);
    size_t at = chunk_begin + returned++;
    if (at >= end || (*alerts)[at].type != type || (*alerts)[at].subject != subject) {
      at = chunk_begin;
      while (at < end && ((*alerts)[at].type != type || (*alerts)[at].subject != subject)) ++at;
      if (at == end) {
        return Status::Internal("inserting alerts: the database returned an alert (" +
                                std::string(type) + ", " + std::string(subject) +
                                ") that was not inserted");
      }
    }
    (*alerts)[at].id = row.Int(0);
    return Status::Ok();
  };
  options.on_chunk = [&](const Statement&, int64_t rows) {
    if (returned != static_cast<size_t>(rows)) {
      return Status::Internal("inserting " + std::to_string(rows) + " alerts returned " +
                              std::to_string(returned) + " ids");
    }
    chunk_begin += static_cast<size_t>(rows);
    returned = 0;
    return Status::Ok();
  };
  BatchInsert insert(db_,
                     "INSERT INTO alerts (tenant_id, analysis_type, type, subject, subject_name,"
                     " severity, state, details, details_digest, tag, first_seen, last_seen,"
                     " resolved_at, updated_at, last_trace_id)",
                     13, std::move(options));
  for (const NewAlert& a : *alerts) {
    insert.Int(tenant_id_);
    insert.TextRef(a.analysis_type);
    insert.TextRef(a.type);
    insert.TextRef(a.subject);
    insert.TextRef(a.content.subject_name);
    insert.TextRef(a.content.severity);
    insert.TextRef(a.content.details);
    insert.TextRef(a.content.details_digest);
    if (a.tag.empty()) {
      insert.Null();
    } else {
      insert.TextRef(a.tag);
    }
    insert.Int(stamp_.as_of);
    insert.Int(stamp_.as_of);
    insert.Int(stamp_.now);
    insert.TextRef(stamp_.trace_id);
    VIGIL_RETURN_IF_ERROR(insert.EndRow());
  }
  return insert.Finish();
}

Status AlertWriter::SetOpen(std::string_view from, const std::vector<ContentChange>& changes) {
  if (changes.empty()) return Status::Ok();
  std::vector<int64_t> ids;
  ids.reserve(changes.size());
  for (const ContentChange& c : changes) ids.push_back(c.id);
  Guard guard(std::move(ids), from);
  BatchOptions options = guard.Options();
  options.row = "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT),"
                " CAST(? AS TEXT))";
  options.leading = {stamp_.as_of, stamp_.now, stamp_.trace_id};
  options.suffix = ") AS v WHERE alerts.id = v.column1 AND alerts.state = ? RETURNING id";
  options.trailing = {std::string(from)};
  BatchInsert update(db_,
                     "UPDATE alerts SET state = 'open', resolved_at = NULL,"
                     " subject_name = v.column2, severity = v.column3, details = v.column4,"
                     " details_digest = v.column5, last_seen = ?, updated_at = ?,"
                     " last_trace_id = ? FROM (",
                     5, std::move(options));
  for (const ContentChange& c : changes) {
    update.Int(c.id);
    update.TextRef(c.content.subject_name);
    update.TextRef(c.content.severity);
    update.TextRef(c.content.details);
    update.TextRef(c.content.details_digest);
    VIGIL_RETURN_IF_ERROR(update.EndRow());
  }
  return update.Finish();
}

Status AlertWriter::SetResolved(const std::vector<int64_t>& ids) {
  if (ids.empty()) return Status::Ok();
  Guard guard(ids, kAlertOpen);
  BatchOptions options = guard.Options();
  options.row = "(CAST(? AS BIGINT))";
  options.leading = {stamp_.as_of, stamp_.now, stamp_.trace_id};
  options.suffix = ") RETURNING id";
  BatchInsert update(db_,
                     "UPDATE alerts SET state = 'resolved', resolved_at = ?, updated_at = ?,"
                     " last_trace_id = ? WHERE state = 'open' AND id IN (",
                     1, std::move(options));
  for (int64_t id : ids) {
    update.Int(id);
    VIGIL_RETURN_IF_ERROR(update.EndRow());
  }
  return update.Finish();
}

Status AlertWriter::SetSubjectNames(const std::vector<SubjectRename>& renames) {
  if (renames.empty()) return Status::Ok();
  BatchOptions options;
  options.rows_per_statement = kAlertRowsPerStatement;
  options.row = "(CAST(? AS BIGINT), CAST(? AS TEXT))";
  options.suffix = ") AS v WHERE alerts.id = v.column1";
  BatchInsert update(db_, "UPDATE alerts SET subject_name = v.column2 FROM (", 2,
                     std::move(options));
  for (const SubjectRename& r : renames) {
    update.Int(r.id);
    update.TextRef(r.subject_name);
    VIGIL_RETURN_IF_ERROR(update.EndRow());
  }
  return update.Finish();
}

int ChangeStamp::RuleVersion(std::string_view analysis_type) const {
  auto it = rule_versions.find(analysis_type);
  return it == rule_versions.end() ? 1 : it->second;
}

Status AlertWriter::AppendHistory(const std::vector<HistoryEntry>& entries) {
  BatchInsert insert(db_, std::string(kHistoryColumns), 14, kAlertRowsPerStatement);
  for (const HistoryEntry& e : entries) {
    insert.Int(e.alert_id);
    insert.Int(tenant_id_);
    insert.TextRef(e.analysis_type);
    insert.Int(stamp_.as_of);
    insert.TextRef(e.transition);
    if (e.from_state) {
      insert.TextRef(*e.from_state);
    } else {
      insert.Null();
    }
    insert.TextRef(e.to_state);
    insert.TextRef(e.content->severity);
    insert.TextRef(e.content->details);
    insert.TextRef(e.content->details_digest);
    insert.TextRef(stamp_.trace_id);
    insert.TextRef(stamp_.run_id);
    insert.TextRef(e.reason);
    insert.Int(stamp_.RuleVersion(e.analysis_type));
    VIGIL_RETURN_IF_ERROR(insert.EndRow());
  }
  return insert.Finish();
}

Status AlertWriter::AppendResolvedHistory(const std::vector<ResolvedEntry>& entries) {
  if (entries.empty()) return Status::Ok();
  BatchOptions options;
  options.rows_per_statement = kAlertRowsPerStatement;
  options.row = "(CAST(? AS BIGINT), CAST(? AS TEXT))";
  options.leading = {stamp_.as_of, stamp_.trace_id, stamp_.run_id};
  const std::string version = RuleVersionCase("a.analysis_type", stamp_, &options.leading);
  options.suffix = ") AS v ON a.id = v.column1 ORDER BY a.id";
  options.on_chunk = [](const Statement& stmt, int64_t rows) {
    if (stmt.Changes() == rows) return Status::Ok();
    return Status::Internal("recording the resolve of " + std::to_string(rows) + " alerts: " +
                            std::to_string(rows - stmt.Changes()) + " of them do not exist");
  };
  BatchInsert insert(db_,
                     std::string(kHistoryColumns) +
                         " SELECT a.id, a.tenant_id, a.analysis_type, ?, 'resolved', 'open',"
                         " 'resolved', a.severity, a.details, a.details_digest, ?, ?, v.column2, " +
                         version + " FROM alerts a JOIN (",
                     2, std::move(options));
  for (const ResolvedEntry& e : entries) {
    insert.Int(e.alert_id);
    insert.TextRef(e.reason);
    VIGIL_RETURN_IF_ERROR(insert.EndRow());
  }
  return insert.Finish();
}

Status AlertWriter::SetFlapping(const std::vector<int64_t>& ids, bool flapping) {
  if (ids.empty()) return Status::Ok();
  Guard guard(ids, flapping ? "stable" : "flapping");
  BatchOptions options = guard.Options();
  options.row = "(CAST(? AS BIGINT))";
  options.leading = {int64_t{flapping ? 1 : 0}, stamp_.now, stamp_.trace_id,
                     int64_t{flapping ? 0 : 1}};
  options.suffix = ") RETURNING id";
  BatchInsert update(db_,
                     "UPDATE alerts SET flapping = ?, updated_at = ?, last_trace_id = ?"
                     " WHERE flapping = ? AND id IN (",
                     1, std::move(options));
  for (int64_t id : ids) {
    update.Int(id);
    VIGIL_RETURN_IF_ERROR(update.EndRow());
  }
  return update.Finish();
}

Status AlertWriter::AppendFlapHistory(std::string_view transition,
                                      const std::vector<std::pair<int64_t, std::string>>& marks) {
  if (marks.empty()) return Status::Ok();
  BatchOptions options;
  options.rows_per_statement = kAlertRowsPerStatement;
  options.row = "(CAST(? AS BIGINT), CAST(? AS TEXT))";
  options.leading = {stamp_.as_of, std::string(transition), stamp_.trace_id, stamp_.run_id};
  const std::string version = RuleVersionCase("a.analysis_type", stamp_, &options.leading);
  options.suffix = ") AS v ON a.id = v.column1 ORDER BY a.id";
  options.on_chunk = [transition](const Statement& stmt, int64_t rows) {
    if (stmt.Changes() == rows) return Status::Ok();
    return Status::Internal("recording " + std::string(transition) + " of " + std::to_string(rows) +
                            " alerts: " + std::to_string(rows - stmt.Changes()) +
                            " of them do not exist");
  };
  BatchInsert insert(db_,
                     std::string(kHistoryColumns) +
                         " SELECT a.id, a.tenant_id, a.analysis_type, ?, ?, a.state, a.state,"
                         " a.severity, a.details, a.details_digest, ?, ?, v.column2, " +
                         version + " FROM alerts a JOIN (",
                     2, std::move(options));
  for (const auto& [id, reason] : marks) {
    insert.Int(id);
    insert.TextRef(reason);
    VIGIL_RETURN_IF_ERROR(insert.EndRow());
  }
  return insert.Finish();
}

Status AlertWriter::TouchLastSeen(const std::vector<std::string>& analysis_types) {
  if (analysis_types.empty()) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> s,
      db_->Prepare("UPDATE alerts SET last_seen = ? WHERE tenant_id = ? AND analysis_type IN (" +
                   Placeholders(analysis_types.size()) +
                   ") AND state = 'open' AND last_seen <> ?"));
  int index = 1;
  s->BindInt(index++, stamp_.as_of);
  s->BindInt(index++, tenant_id_);
  for (const std::string& t : analysis_types) s->BindText(index++, t);
  s->BindInt(index++, stamp_.as_of);
  return s->Execute();
}

Status AlertWriter::ProjectTags(const std::vector<std::string>& analysis_types) {
  if (analysis_types.empty()) return Status::Ok();
  const std::string in = " AND analysis_type IN (" + Placeholders(analysis_types.size()) + ")";
  for (const std::string& sql :
       {"DELETE FROM entity_tags WHERE tenant_id = ?" + in,
        "INSERT INTO entity_tags (tenant_id, analysis_type, subject, tag, alert_id)"
        " SELECT tenant_id, analysis_type, subject, tag, id FROM alerts WHERE tenant_id = ?" +
            in + " AND state = 'open' AND tag IS NOT NULL"}) {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> s, db_->Prepare(sql));
    s->BindInt(1, tenant_id_);
    for (size_t i = 0; i < analysis_types.size(); ++i) {
      s->BindText(static_cast<int>(i) + 2, analysis_types[i]);
    }
    VIGIL_RETURN_IF_ERROR(s->Execute());
  }
  return Status::Ok();
}

}  // namespace vigil
