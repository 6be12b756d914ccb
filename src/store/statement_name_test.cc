#include "store/statement_name.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace vigil {
namespace {

TEST(StatementNameTest, NamesWhatAStatementDoesAndToWhichTable) {
  std::string insert = "INSERT INTO entities (data_source_id, kind, external_id) VALUES ";
  for (int i = 0; i < 64; ++i) insert += (i ? ", " : "") + std::string("(?, ?, ?)");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {insert, "INSERT INTO entities"},
      {"  insert or ignore into \"links\"(a) values (1)", "INSERT INTO links"},
      {"REPLACE INTO schedules VALUES (?)", "REPLACE INTO schedules"},
      {"UPDATE alerts SET state = ? WHERE id = ?", "UPDATE alerts"},
      {"DELETE FROM links WHERE data_source_id = ?", "DELETE FROM links"},
      {"SELECT COUNT(*) FROM tenants", "SELECT FROM tenants"},
      {"SELECT e.id, e.kind FROM entities e JOIN data_sources d ON d.id = e.data_source_id",
       "SELECT FROM entities"},
      {"WITH x AS (SELECT 1) SELECT * FROM x", "WITH"},
      {"CREATE UNIQUE INDEX IF NOT EXISTS idx_alerts ON alerts (tenant_id)",
       "CREATE INDEX idx_alerts"},
      {"DROP TABLE old_entities", "DROP TABLE old_entities"},
      {"BEGIN IMMEDIATE", "BEGIN"},
      {"commit", "COMMIT"},
      {"SELECT 1", "SELECT"},
      {"", "SQL statement"},
      {"  ;  ", "SQL statement"},
  };
  for (const auto& [sql, name] : cases) {
    EXPECT_EQ(StatementName(sql), name) << sql;
  }
}

}  // namespace
}  // namespace vigil
