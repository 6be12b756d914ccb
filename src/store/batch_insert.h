// BatchInsert: inserts many rows with multi-row INSERT statements
// ("INSERT INTO t (a, b) VALUES (?, ?), (?, ?), ..."), up to
// `rows_per_statement` rows each. One statement is executed (and counted) per
// chunk instead of per row, which saves the per-statement cost in SQLite and
// a round trip per row in a client-server database.
//
// Values are added column by column, then EndRow. Text added with TextRef is
// not copied: it must stay valid until Finish returns. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"

namespace vigil {

class BatchInsert {
 public:
  // `sql_prefix` is "INSERT INTO table (col, ...)"; `columns` its column count.
  BatchInsert(Db* db, std::string sql_prefix, int columns, int rows_per_statement = 64);

  void Int(int64_t value);
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
  struct Value {
    bool is_int;
    int64_t i;
    std::string_view text;
  };

  Status Flush();

  Db* db_;
  std::string prefix_;
  int columns_;
  int rows_per_statement_;
  std::vector<Value> pending_;
  std::unique_ptr<Statement> full_;  // prepared for rows_per_statement_ rows
  int64_t rows_ = 0;
};

}  // namespace vigil
