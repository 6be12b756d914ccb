#include "store/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "store/sqlite_db.h"

namespace vigil {
namespace {

// Migration 6 on rows written before it: user attributes without sku_ids and
// licenses as "license" links (the fuller round trip through a real sync is
// in context/loader_test.cc).
class LicensesInUserRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = OpenSqliteDb(":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(opened).value();
    Exec("INSERT INTO tenants (id, name, created_at) VALUES (1, 't', 0)");
    Exec("INSERT INTO data_sources (id, tenant_id, name, provider, settings, created_at)"
         " VALUES (1, 1, 'a', 'graph_json', '{}', 0), (2, 1, 'b', 'graph_json', '{}', 0)");
    ASSERT_TRUE(db_->Execute("DELETE FROM schema_migrations WHERE version = 6").ok());
  }

  void Exec(const std::string& sql) {
    const Status s = db_->ExecScript(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.ToString();
  }
  void User(int ds, const std::string& id, const std::string& attributes) {
    ASSERT_TRUE(db_->Execute("INSERT INTO entities (tenant_id, data_source_id, kind, external_id,"
                             " display_name, attributes, content_hash, first_seen, last_changed)"
                             " VALUES (1, ?, 'user', ?, ?, ?, 'h', 0, 0)",
                             {int64_t{ds}, id, id, attributes})
                    .ok());
  }
  void Link(int ds, const std::string& kind, const std::string& from, const std::string& to) {
    ASSERT_TRUE(db_->Execute("INSERT INTO links (tenant_id, data_source_id, kind, from_id, to_id)"
                             " VALUES (1, ?, ?, ?, ?)",
                             {int64_t{ds}, kind, from, to})
                    .ok());
  }
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    auto q = db_->Prepare(sql);
    EXPECT_TRUE(q.ok());
    while (*(*q)->Step()) out.push_back((*q)->String(0));
    return out;
  }

  std::unique_ptr<Db> db_;
};

TEST_F(LicensesInUserRowsTest, FoldsLicenseLinksIntoSortedEscapedListsAndDeletesThem) {
  User(1, "u1", R"({"upn":"a","last_sign_in":null})");
  User(1, "u2", R"({"upn":"b"})");
  User(2, "u1", R"({"upn":"c"})");  // the same id in another data source
  User(1, "u3", R"({"upn":"d"})");
  Link(1, "license", "u1", "s3");
  Link(1, "license", "u1", "s1");
  Link(1, "license", "u1", "s2");
  Link(2, "license", "u1", "s9");
  Link(1, "license", "u3", R"(we"ird\)");
  Link(1, "role", "u1", "r1");
  Exec("INSERT INTO entities (tenant_id, data_source_id, kind, external_id, display_name,"
       " attributes, content_hash, first_seen, last_changed)"
       " VALUES (1, 1, 'sku', 's1', 'E3', '{\"part_number\":\"E3\"}', 'h', 0, 0)");

  auto version = ApplyMigrations(db_.get(), "INTEGER PRIMARY KEY");
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, AllMigrations().back().version);

  EXPECT_EQ(Column("SELECT attributes FROM entities ORDER BY id"),
            (std::vector<std::string>{
                R"({"upn":"a","last_sign_in":null,"sku_ids":["s1","s2","s3"]})",
                R"({"upn":"b","sku_ids":[]})",
                R"({"upn":"c","sku_ids":["s9"]})",
                R"({"upn":"d","sku_ids":["we\"ird\\"]})",
                R"({"part_number":"E3"})",  // other kinds untouched
            }));
  EXPECT_EQ(Column("SELECT kind || ' ' || from_id || ' ' || to_id FROM links"),
            std::vector<std::string>{"role u1 r1"});
  EXPECT_EQ(Column("SELECT name FROM sqlite_master WHERE name LIKE 'migration6%'"),
            std::vector<std::string>{});
}

}  // namespace
}  // namespace vigil
