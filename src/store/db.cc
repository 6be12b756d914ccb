#include "store/db.h"

namespace vigil {

void Statement::Bind(int index, const DbValue& value) {
  if (std::holds_alternative<std::monostate>(value)) {
    BindNull(index);
  } else if (const int64_t* i = std::get_if<int64_t>(&value)) {
    BindInt(index, *i);
  } else {
    BindText(index, std::get<std::string>(value));
  }
}

void Statement::BindAll(const std::vector<DbValue>& values) {
  for (size_t i = 0; i < values.size(); ++i) Bind(static_cast<int>(i) + 1, values[i]);
}

Status Db::Execute(std::string_view sql, const std::vector<DbValue>& params) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, Prepare(sql));
  stmt->BindAll(params);
  return stmt->Execute();
}

Result<std::optional<int64_t>> Db::QueryInt(std::string_view sql,
                                            const std::vector<DbValue>& params) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, Prepare(sql));
  stmt->BindAll(params);
  VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row || stmt->IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int(0));
}

std::string RowLockClause(const Db& db, std::string_view of) {
  if (db.dialect() != "postgresql") return "";
  return of.empty() ? " FOR UPDATE" : " FOR UPDATE OF " + std::string(of);
}

Status Ping(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> one, db->QueryInt("SELECT 1"));
  if (one != 1) return Status::Internal("SELECT 1 did not return 1");
  return Status::Ok();
}

Transaction::Transaction(Db* db, Kind kind)
    : db_(db), begin_status_(kind == Kind::kWrite ? db->Begin() : db->BeginSnapshot()) {
  if (!begin_status_.ok()) done_ = true;
}

Transaction::~Transaction() {
  if (!done_) (void)db_->Rollback();
}

Status Transaction::Commit() {
  if (!begin_status_.ok()) return begin_status_;
  if (done_) return Status::Internal("transaction already finished");
  done_ = true;
  Status s = db_->Commit();
  if (!s.ok()) (void)db_->Rollback();
  return s;
}

}  // namespace vigil
