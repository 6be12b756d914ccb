#include "store/batch_insert.h"

#include <gtest/gtest.h>

#include <map>

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

// Ten tenants named tenant-0..9 with created_at 0..9, inserted in one statement.
void AddTenants(Db* db, std::vector<std::string>* names) {
  for (int i = 0; i < 10; ++i) names->push_back("tenant-" + std::to_string(i));
  BatchInsert insert(db, "INSERT INTO tenants (name, created_at)", 2, 16);
  for (int i = 0; i < 10; ++i) {
    insert.TextRef((*names)[i]);
    insert.Int(i);
    ASSERT_TRUE(insert.EndRow().ok());
  }
  ASSERT_TRUE(insert.Finish().ok());
}

TEST(BatchInsertTest, ReturnsTheRowsOfEveryChunk) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  std::vector<std::string> names;
  for (int i = 0; i < 7; ++i) names.push_back("t" + std::to_string(i));
  std::map<std::string, int64_t> ids;
  BatchOptions options;
  options.rows_per_statement = 3;
  options.suffix = " RETURNING id, name";
  options.on_row = [&ids](const Statement& row) {
    ids[row.String(1)] = row.Int(0);
    return Status::Ok();
  };
  const uint64_t before = db->statements_executed();
  BatchInsert insert(db.get(), "INSERT INTO tenants (name, created_at)", 2, options);
  for (const std::string& name : names) {
    insert.TextRef(name);
    insert.Int(0);
    ASSERT_TRUE(insert.EndRow().ok());
  }
  ASSERT_TRUE(insert.Finish().ok());
  EXPECT_EQ(db->statements_executed() - before, 3u);  // 3 + 3 + 1
  ASSERT_EQ(ids.size(), 7u);
  for (const std::string& name : names) {
    auto id = db->QueryInt("SELECT id FROM tenants WHERE name = ?", {name});
    ASSERT_TRUE(id.ok() && id->has_value());
    EXPECT_EQ(ids[name], **id) << name;
  }
}

TEST(BatchInsertTest, UpdatesFromAValuesListWithLeadingValuesAndChecksEachChunk) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  std::vector<std::string> names;
  AddTenants(db.get(), &names);
  // created_at = 100 + the row's number, for the tenants named in the list
  // whose created_at is still below ?; the chunks' changed rows are counted.
  std::vector<int64_t> changed;
  BatchOptions options;
  options.rows_per_statement = 2;
  options.row = "(CAST(? AS TEXT), CAST(? AS BIGINT))";
  options.suffix = ") AS v WHERE tenants.name = v.column1 AND tenants.created_at < ?";
  options.leading = {int64_t{100}};
  options.trailing = {int64_t{5}};
  options.on_chunk = [&changed](const Statement& stmt, int64_t rows) {
    changed.push_back(stmt.Changes());
    EXPECT_EQ(rows, 2);
    return Status::Ok();
  };
  BatchInsert update(db.get(), "UPDATE tenants SET created_at = ? + v.column2 FROM (", 2, options);
  for (int i : {1, 3, 6, 8}) {
    update.TextRef(names[i]);
    update.Int(i);
    ASSERT_TRUE(update.EndRow().ok());
  }
  ASSERT_TRUE(update.Finish().ok());
  EXPECT_EQ(changed, (std::vector<int64_t>{2, 0}));  // 6 and 8 were not below 5
  auto stmt = db->Prepare("SELECT created_at FROM tenants ORDER BY name");
  ASSERT_TRUE(stmt.ok());
  std::vector<int64_t> created;
  while (*(*stmt)->Step()) created.push_back((*stmt)->Int(0));
  EXPECT_EQ(created, (std::vector<int64_t>{0, 101, 2, 103, 4, 5, 6, 7, 8, 9}));
}

TEST(BatchInsertTest, AChunkCheckThatFailsStopsTheBatch) {
  std::unique_ptr<Db> db = testing::OpenTestDatabase();
  ASSERT_NE(db, nullptr);
  BatchOptions options;
  options.rows_per_statement = 2;
  int chunks = 0;
  options.on_chunk = [&chunks](const Statement&, int64_t) {
    ++chunks;
    return Status::Internal("refused after the first chunk");
  };
  BatchInsert insert(db.get(), "INSERT INTO tenants (name, created_at)", 2, options);
  const std::vector<std::string> names = {"a", "b", "c"};
  Status s;
  for (const std::string& name : names) {
    insert.TextRef(name);
    insert.Null();
    s = insert.EndRow();
    if (!s.ok()) break;
  }
  EXPECT_EQ(chunks, 0);  // created_at is NOT NULL: the database refused the first chunk
  EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
  BatchInsert second(db.get(), "INSERT INTO tenants (name, created_at)", 2, options);
  for (const std::string& name : names) {
    second.TextRef(name);
    second.Int(1);
    s = second.EndRow();
    if (!s.ok()) break;
  }
  EXPECT_EQ(chunks, 1);
  EXPECT_EQ(s.message(), "refused after the first chunk");
}

}  // namespace
}  // namespace vigil
