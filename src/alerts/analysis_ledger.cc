#include "alerts/analysis_ledger.h"

#include <algorithm>
#include <memory>

namespace vigil {

Result<std::map<std::string, LedgerEntry>> LoadLedger(Db* db, int64_t tenant_id) {
  // The tenant's row is the lock: every reconcile of the tenant reads it
  // first (RowLockClause: PostgreSQL; SQLite's writers take turns anyway).
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare(std::string("SELECT l.analysis_type, l.run_id, l.as_of, l.status, l.reason,"
                              " l.batch_digest, l.applied_at, l.trace_id, l.last_complete_run_id,"
                              " l.last_complete_as_of, l.data_version, l.rule_version FROM tenants t"
                              " LEFT JOIN analysis_ledger l ON l.tenant_id = t.id WHERE t.id = ?") +
                  (db->InTransaction() ? RowLockClause(*db, "t") : "")));
  stmt->BindInt(1, tenant_id);
  std::map<std::string, LedgerEntry> entries;
  bool tenant_found = false;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    tenant_found = true;
    if (stmt->IsNull(0)) continue;  // a tenant without ledger rows
    LedgerEntry e;
    e.analysis_type = stmt->String(0);
    e.run_id = stmt->String(1);
    e.as_of = stmt->Int(2);
    e.status = stmt->String(3);
    e.reason = stmt->String(4);
    e.batch_digest = stmt->String(5);
    e.applied_at = stmt->Int(6);
    e.trace_id = stmt->String(7);
    if (!stmt->IsNull(8)) e.last_complete_run_id = stmt->String(8);
    if (!stmt->IsNull(9)) e.last_complete_as_of = stmt->Int(9);
    e.data_version = stmt->Int(10);
    e.rule_version = static_cast<int>(stmt->Int(11));
    std::string key = e.analysis_type;
    entries.emplace(std::move(key), std::move(e));
  }
  if (!tenant_found) return Status::NotFound("no tenant with id " + std::to_string(tenant_id));
  return entries;
}

Result<std::map<int64_t, TimeMs>> LastAnalysisByTenant(Db* db, int64_t tenant_id) {
  // Every row (one per analysis type: a handful per tenant), the newest
  // kept here: grouped in SQL, SQLite walks the primary key and looks up
  // each row's applied_at in the table, slower than reading the table once.
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare(std::string("SELECT tenant_id, applied_at FROM analysis_ledger") +
                  (tenant_id != 0 ? " WHERE tenant_id = ?" : "")));
  if (tenant_id != 0) stmt->BindInt(1, tenant_id);
  std::map<int64_t, TimeMs> last;
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    auto [it, added] = last.emplace(stmt->Int(0), stmt->Int(1));
    if (!added) it->second = std::max(it->second, stmt->Int(1));
  }
  return last;
}

Status UpsertLedger(Db* db, int64_t tenant_id, const std::vector<LedgerEntry>& entries) {
  if (entries.empty()) return Status::Ok();
  // Multi-row VALUES with ON CONFLICT ... DO UPDATE: SQLite >= 3.24 and PostgreSQL.
  std::string sql =
      "INSERT INTO analysis_ledger (tenant_id, analysis_type, run_id, as_of, status, reason,"
      " batch_digest, applied_at, trace_id, last_complete_run_id, last_complete_as_of,"
      " data_version, rule_version) VALUES ";
  for (size_t i = 0; i < entries.size(); ++i) {
    sql += i == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                  : ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  }
  sql +=
      " ON CONFLICT (tenant_id, analysis_type) DO UPDATE SET run_id = excluded.run_id,"
      " as_of = excluded.as_of, status = excluded.status, reason = excluded.reason,"
      " batch_digest = excluded.batch_digest, applied_at = excluded.applied_at,"
      " trace_id = excluded.trace_id, last_complete_run_id = excluded.last_complete_run_id,"
      " last_complete_as_of = excluded.last_complete_as_of, data_version = excluded.data_version,"
      " rule_version = excluded.rule_version";
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, db->Prepare(sql));
  int index = 1;
  for (const LedgerEntry& e : entries) {
    stmt->BindInt(index++, tenant_id);
    stmt->BindText(index++, e.analysis_type);
    stmt->BindText(index++, e.run_id);
    stmt->BindInt(index++, e.as_of);
    stmt->BindText(index++, e.status);
    stmt->BindText(index++, e.reason);
    stmt->BindText(index++, e.batch_digest);
    stmt->BindInt(index++, e.applied_at);
    stmt->BindText(index++, e.trace_id);
    if (e.last_complete_run_id) {
      stmt->BindText(index++, *e.last_complete_run_id);
    } else {
      stmt->BindNull(index++);
    }
    if (e.last_complete_as_of) {
      stmt->BindInt(index++, *e.last_complete_as_of);
    } else {
      stmt->BindNull(index++);
    }
    stmt->BindInt(index++, e.data_version);
    stmt->BindInt(index++, e.rule_version);
  }
  return stmt->Execute();
}

}  // namespace vigil
