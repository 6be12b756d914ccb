#include "store/batch_insert.h"

namespace vigil {
namespace {

std::string DefaultRow(int columns) {
  std::string row = "(";
  for (int c = 0; c < columns; ++c) row += c ? ", ?" : "?";
  row += ")";
  return row;
}

BatchOptions WithRows(int rows_per_statement) {
  BatchOptions options;
  options.rows_per_statement = rows_per_statement;
  return options;
}

}  // namespace

BatchInsert::BatchInsert(Db* db, std::string sql_prefix, int columns, int rows_per_statement)
    : BatchInsert(db, std::move(sql_prefix), columns, WithRows(rows_per_statement)) {}

BatchInsert::BatchInsert(Db* db, std::string sql_prefix, int columns, BatchOptions options)
    : db_(db), prefix_(std::move(sql_prefix)), columns_(columns), options_(std::move(options)) {
  if (options_.rows_per_statement < 1) options_.rows_per_statement = 1;
  if (options_.row.empty()) options_.row = DefaultRow(columns);
  pending_.reserve(static_cast<size_t>(columns) * options_.rows_per_statement);
}

void BatchInsert::Int(int64_t value) { pending_.push_back(Value{Kind::kInt, value, {}}); }
void BatchInsert::Null() { pending_.push_back(Value{Kind::kNull, 0, {}}); }
void BatchInsert::TextRef(std::string_view value) {
  pending_.push_back(Value{Kind::kText, 0, value});
}

Status BatchInsert::EndRow() {
  ++rows_;
  if (pending_.size() >= static_cast<size_t>(columns_) * options_.rows_per_statement) {
    return Flush();
  }
  return Status::Ok();
}

Status BatchInsert::Finish() { return Flush(); }

std::string BatchInsert::Sql(int rows) const {
  std::string sql;
  sql.reserve(prefix_.size() + 8 + (options_.row.size() + 2) * rows + options_.suffix.size());
  sql += prefix_;
  sql += " VALUES ";
  for (int r = 0; r < rows; ++r) {
    if (r) sql += ", ";
    sql += options_.row;
  }
  sql += options_.suffix;
  return sql;
}

Status BatchInsert::Flush() {
  if (pending_.empty()) return Status::Ok();
  if (pending_.size() % columns_ != 0) {
    return Status::Internal("BatchInsert: a row has " + std::to_string(pending_.size() % columns_) +
                            " values, expected " + std::to_string(columns_));
  }
  const int rows = static_cast<int>(pending_.size() / columns_);
  std::unique_ptr<Statement> tail;
  Statement* stmt = nullptr;
  if (rows == options_.rows_per_statement) {
    if (!full_) {
      VIGIL_ASSIGN_OR_RETURN(full_, db_->Prepare(Sql(rows)));
    }
    stmt = full_.get();
  } else {
    VIGIL_ASSIGN_OR_RETURN(tail, db_->Prepare(Sql(rows)));
    stmt = tail.get();
  }
  int index = 1;
  for (const DbValue& v : options_.leading) stmt->Bind(index++, v);
  for (const Value& v : pending_) {
    switch (v.kind) {
      case Kind::kInt:
        stmt->BindInt(index++, v.i);
        break;
      case Kind::kNull:
        stmt->BindNull(index++);
        break;
      case Kind::kText:
        stmt->BindTextRef(index++, v.text);
        break;
    }
  }
  for (const DbValue& v : options_.trailing) stmt->Bind(index++, v);
  Status s = Run(stmt, rows);
  pending_.clear();
  return s;
}

Status BatchInsert::Run(Statement* stmt, int64_t rows) {
  if (options_.on_row) {
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      Status s = options_.on_row(*stmt);
      if (!s.ok()) {
        stmt->Reset();
        return s;
      }
    }
  } else {
    VIGIL_RETURN_IF_ERROR(stmt->Execute());
  }
  if (options_.on_chunk) VIGIL_RETURN_IF_ERROR(options_.on_chunk(*stmt, rows));
  return Status::Ok();
}

}  // namespace vigil
