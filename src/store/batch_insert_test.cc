#include "store/batch_insert.h"

#include <gtest/gtest.h>

#include "testing/test_database.h"

namespace vigil {
namespace {

TEST(BatchInsertTest, InsertsEveryRowWithOneStatementPerChunk) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) names.push_back("tenant-" + std::to_string(i));
  const uint64_t before = db->statements_executed();
  BatchInsert insert(db.get(), "INSERT INTO tenants (name, created_at)", 2, 4);
  for (int i = 0; i < 10; ++i) {
    insert.TextRef(names[i]);
    insert.Int(i);
    ASSERT_TRUE(insert.EndRow().ok());
    EXPECT_EQ(insert.pending_rows(), (i + 1) % 4) << i;  // executed at 4 and 8
  }
  ASSERT_TRUE(insert.Finish().ok());
  EXPECT_EQ(insert.pending_rows(), 0);
  EXPECT_EQ(insert.rows(), 10);
  EXPECT_EQ(db->statements_executed() - before, 3u);  // 4 + 4 + a tail of 2
  auto stmt = db->Prepare("SELECT name, created_at FROM tenants ORDER BY created_at");
  ASSERT_TRUE(stmt.ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(*(*stmt)->Step());
    EXPECT_EQ((*stmt)->String(0), names[i]);
    EXPECT_EQ((*stmt)->Int(1), i);
  }
  EXPECT_FALSE(*(*stmt)->Step());
}

TEST(BatchInsertTest, ReportsTheDatabaseErrorOfAChunk) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  BatchInsert insert(db.get(), "INSERT INTO tenants (name, created_at)", 2, 8);
  for (int i = 0; i < 2; ++i) {
    insert.TextRef("same");
    insert.Int(i);
    ASSERT_TRUE(insert.EndRow().ok());
  }
  Status s = insert.Finish();
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  // The database's own words for the duplicate name.
  const std::string cause =
      db->dialect() == "postgresql"
          ? R"(duplicate key value violates unique constraint "tenants_name_key")"
          : "UNIQUE constraint failed: tenants.name";
  EXPECT_NE(s.message().find(cause), std::string::npos) << s.message();
}

TEST(BatchInsertTest, ARowWithTheWrongNumberOfValuesIsAnError) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  BatchInsert insert(db.get(), "INSERT INTO tenants (name, created_at)", 2, 8);
  insert.TextRef("a");
  ASSERT_TRUE(insert.EndRow().ok());
  Status s = insert.Finish();
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_EQ(s.message(), "BatchInsert: a row has 1 values, expected 2");
}

}  // namespace
}  // namespace vigil
