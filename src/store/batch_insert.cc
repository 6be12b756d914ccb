#include "store/batch_insert.h"

namespace vigil {
namespace {

std::string InsertSql(const std::string& prefix, int columns, int rows) {
  std::string row = "(";
  for (int c = 0; c < columns; ++c) row += c ? ", ?" : "?";
  row += ")";
  std::string sql = prefix + " VALUES ";
  for (int r = 0; r < rows; ++r) {
    if (r) sql += ", ";
    sql += row;
  }
  return sql;
}

}  // namespace

BatchInsert::BatchInsert(Db* db, std::string sql_prefix, int columns, int rows_per_statement)
    : db_(db),
      prefix_(std::move(sql_prefix)),
      columns_(columns),
      rows_per_statement_(rows_per_statement) {
  pending_.reserve(static_cast<size_t>(columns) * rows_per_statement);
}

void BatchInsert::Int(int64_t value) { pending_.push_back(Value{true, value, {}}); }
void BatchInsert::TextRef(std::string_view value) { pending_.push_back(Value{false, 0, value}); }

Status BatchInsert::EndRow() {
  ++rows_;
  if (pending_.size() >= static_cast<size_t>(columns_) * rows_per_statement_) return Flush();
  return Status::Ok();
}

Status BatchInsert::Finish() { return Flush(); }

Status BatchInsert::Flush() {
  if (pending_.empty()) return Status::Ok();
  if (pending_.size() % columns_ != 0) {
    return Status::Internal("BatchInsert: a row has " + std::to_string(pending_.size() % columns_) +
                            " values, expected " + std::to_string(columns_));
  }
  const int rows = static_cast<int>(pending_.size() / columns_);
  std::unique_ptr<Statement> tail;
  Statement* stmt = nullptr;
  if (rows == rows_per_statement_) {
    if (!full_) {
      VIGIL_ASSIGN_OR_RETURN(full_, db_->Prepare(InsertSql(prefix_, columns_, rows)));
    }
    stmt = full_.get();
  } else {
    VIGIL_ASSIGN_OR_RETURN(tail, db_->Prepare(InsertSql(prefix_, columns_, rows)));
    stmt = tail.get();
  }
  for (size_t i = 0; i < pending_.size(); ++i) {
    const Value& v = pending_[i];
    if (v.is_int) {
      stmt->BindInt(static_cast<int>(i) + 1, v.i);
    } else {
      stmt->BindTextRef(static_cast<int>(i) + 1, v.text);
    }
  }
  pending_.clear();
  return stmt->Execute();
}

}  // namespace vigil
