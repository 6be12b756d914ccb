// BatchInsert: runs one statement over many rows with multi-row VALUES
// lists ("INSERT INTO t (a, b) VALUES (?, ?), (?, ?), ..."), up to
// `rows_per_statement` rows each. One statement is executed (and counted)
// per chunk instead of per row, which saves the per-statement cost in SQLite
// and a round trip per row in a client-server database.
//
// The statement is `prefix` + " VALUES " + the rows + `suffix`, so besides
// INSERTs it carries any statement that reads a VALUES list:
//   - an INSERT ... RETURNING, whose returned rows go to `on_row`;
//   - "UPDATE t SET c = v.column2 FROM (" VALUES ... ") AS v WHERE t.id =
//     v.column1 AND t.state = 'open'", whose changed-row count `on_chunk`
//     can check (VALUES columns are named column1, column2, ... on SQLite
//     and PostgreSQL alike);
//   - "INSERT INTO t ... SELECT ... FROM u JOIN (" VALUES ... ") AS v ON ...".
// Placeholders in the prefix take `leading` values, those in the suffix
// `trailing` values, bound around every chunk's rows. PostgreSQL types a
// VALUES column only from its values: give a row template with casts
// ("(CAST(? AS BIGINT), CAST(? AS TEXT))") where nothing else tells it.
//
// Values are added column by column, then EndRow. Text added with TextRef is
// not copied: it must stay valid until Finish returns. Not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"

namespace vigil {

struct BatchOptions {
  int rows_per_statement = 64;
  // One row's placeholders; empty: "(?, ?, ...)" with `columns` of them.
  std::string row;
  // Text after the rows (" RETURNING id", ") AS v WHERE ...").
  std::string suffix;
  // Values of the placeholders in the prefix, and in the suffix.
  std::vector<DbValue> leading;
  std::vector<DbValue> trailing;
  // Called with every row a chunk's statement returns (RETURNING), in the
  // database's order; a non-OK status stops the batch with that status.
  std::function<Status(const Statement& row)> on_row;
  // Called after each chunk ran, with its statement (Changes()) and its
  // number of rows; a non-OK status stops the batch with that status.
  std::function<Status(const Statement& stmt, int64_t rows)> on_chunk;
};

class BatchInsert {
 public:
  // `sql_prefix` is "INSERT INTO table (col, ...)"; `columns` its column count.
  BatchInsert(Db* db, std::string sql_prefix, int columns, int rows_per_statement = 64);
  // The general form: see above and BatchOptions.
  BatchInsert(Db* db, std::string sql_prefix, int columns, BatchOptions options);

  void Int(int64_t value);
  void Null();
  void TextRef(std::string_view value);
  // Ends the current row; executes a statement when a chunk is full.
  Status EndRow();
  // Executes the remaining rows. Returns the first error of any chunk.
  Status Finish();

  int64_t rows() const { return rows_; }
  // Rows ended but not executed yet: the text of these (the last ones added)
  // must stay valid; rows before them are in the database.
  int64_t pending_rows() const { return static_cast<int64_t>(pending_.size()) / columns_; }

 private:
  enum class Kind { kInt, kNull, kText };
  struct Value {
    Kind kind;
    int64_t i;
    std::string_view text;
  };

  Status Flush();
  std::string Sql(int rows) const;
  Status Run(Statement* stmt, int64_t rows);

  Db* db_;
  std::string prefix_;
  int columns_;
  BatchOptions options_;
  std::vector<Value> pending_;
  std::unique_ptr<Statement> full_;  // prepared for options_.rows_per_statement rows
  int64_t rows_ = 0;
};

}  // namespace vigil
