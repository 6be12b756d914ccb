// The PostgreSQL backend against a real server the tests start (initdb +
// postgres on a free port): the same contract as the SQLite backend.
#include "store/postgres_db.h"

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/tenants.h"
#include "testing/postgres_server.h"

namespace vigil {
namespace {

// A migrated, empty database of its own on the shared server.
std::unique_ptr<Db> OpenFresh(std::string* url_out = nullptr) {
  testing::PostgresServer* server = testing::SharedPostgresServer();
  if (server == nullptr) return nullptr;
  Result<std::string> url = server->NewDatabase();
  EXPECT_TRUE(url.ok()) << url.status().ToString();
  if (!url.ok()) return nullptr;
  if (url_out != nullptr) *url_out = *url;
  auto db = OpenPostgresDb(*url);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

TEST(PostgresDbTest, MigrationsApplyOnceAndReportVersion) {
  std::string url;
  auto db = OpenFresh(&url);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->dialect(), "postgresql");
  EXPECT_EQ(**db->QueryInt("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(AllMigrations().size()));
  // Opening again applies nothing new.
  auto again = OpenPostgresDb(url);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(**(*again)->QueryInt("SELECT MAX(version) FROM schema_migrations"),
            AllMigrations().back().version);
  EXPECT_EQ(**(*again)->QueryInt("SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(AllMigrations().size()));
}

TEST(PostgresDbTest, CountsEveryStatementAndReadsRowsAndIds) {
  auto db = OpenFresh();
  ASSERT_NE(db, nullptr);
  uint64_t before = db->statements_executed();
  auto stmt = db->Prepare("INSERT INTO tenants (name, created_at) VALUES (?, ?)");
  ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
  for (int i = 0; i < 3; ++i) {
    (*stmt)->BindText(1, "t" + std::to_string(i));
    (*stmt)->BindInt(2, 1000 + i);
    ASSERT_TRUE((*stmt)->Execute().ok());
    EXPECT_EQ((*stmt)->Changes(), 1);
  }
  EXPECT_EQ(db->LastInsertId(), 3);
  auto q = db->Prepare("SELECT name, created_at, NULL FROM tenants WHERE name <> '?' ORDER BY name");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  std::vector<std::string> names;
  Result<bool> row = (*q)->Step();
  while (row.ok() && *row) {
    names.push_back((*q)->String(0));
    EXPECT_EQ((*q)->Int(1), 1000 + static_cast<int64_t>(names.size()) - 1);
    EXPECT_TRUE((*q)->IsNull(2));
    row = (*q)->Step();
  }
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(names, (std::vector<std::string>{"t0", "t1", "t2"}));
  EXPECT_EQ(db->statements_executed() - before, 4u);  // 3 inserts + 1 query
}

TEST(PostgresDbTest, AMultiRowInsertRunsAsOneCopyWithEveryValueIntact) {
  auto db = OpenFresh();
  ASSERT_NE(db, nullptr);
  auto prepared = [&db] { return **db->QueryInt("SELECT COUNT(*) FROM pg_prepared_statements"); };
  const int64_t prepared_before = prepared();
  // Text COPY's format must escape, NULLs, and text that is not ASCII.
  const std::vector<std::string> payloads = {"tab\there", "new\nline", "back\\slash\\N",
                                             "\\N", "cr\r\n", "Zo\xc3\xab \xe2\x9c\x93"};
  const uint64_t before = db->statements_executed();
  auto stmt = db->Prepare(
      "INSERT INTO event_outbox (tenant_id, type, trace_id, payload, created_at, published_at)"
      " VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?),"
      " (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)");
  ASSERT_TRUE(stmt.ok()) << stmt.status().ToString();
  int index = 1;
  for (size_t i = 0; i < payloads.size(); ++i) {
    (*stmt)->BindInt(index++, 7);
    (*stmt)->BindText(index++, "t" + std::to_string(i));
    (*stmt)->BindText(index++, "");
    (*stmt)->BindText(index++, payloads[i]);
    (*stmt)->BindInt(index++, -static_cast<int64_t>(i));
    if (i % 2 == 0) {
      (*stmt)->BindNull(index++);
    } else {
      (*stmt)->BindInt(index++, 1000 + static_cast<int64_t>(i));
    }
  }
  ASSERT_TRUE((*stmt)->Execute().ok());
  EXPECT_EQ((*stmt)->Changes(), 6);
  EXPECT_EQ(db->statements_executed() - before, 1u);
  EXPECT_EQ(prepared(), prepared_before);  // nothing prepared for a one-off INSERT
  EXPECT_EQ(db->LastInsertId(), 6);
  auto q = db->Prepare(
      "SELECT type, trace_id, payload, created_at, published_at FROM event_outbox ORDER BY id");
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  for (size_t i = 0; i < payloads.size(); ++i) {
    ASSERT_TRUE(*(*q)->Step()) << i;
    EXPECT_EQ((*q)->String(0), "t" + std::to_string(i));
    EXPECT_EQ((*q)->String(1), "");
    EXPECT_EQ((*q)->String(2), payloads[i]) << i;
    EXPECT_EQ((*q)->Int(3), -static_cast<int64_t>(i));
    EXPECT_EQ((*q)->IsNull(4), i % 2 == 0) << i;
  }
  // A refused row fails the whole COPY, named as the INSERT it is.
  (*stmt)->Reset();
  for (int i = 1; i <= 36; ++i) (*stmt)->BindText(i, "x");
  Status bad = (*stmt)->Execute();
  EXPECT_EQ(bad.code(), Code::kInvalidArgument);
  EXPECT_NE(bad.message().find("executing INSERT INTO event_outbox: "), std::string::npos)
      << bad.message();
  EXPECT_NE(bad.message().find("invalid input syntax for type bigint: \"x\""),
            std::string::npos)
      << bad.message();
  EXPECT_EQ(**db->QueryInt("SELECT COUNT(*) FROM event_outbox"), 6);
}

TEST(PostgresDbTest, TransactionRollsBackUnlessCommitted) {
  auto db = OpenFresh();
  ASSERT_NE(db, nullptr);
  {
    Transaction tx(db.get());
    ASSERT_TRUE(tx.status().ok()) << tx.status().ToString();
    ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('a', 1)").ok());
  }
  EXPECT_EQ(**db->QueryInt("SELECT COUNT(*) FROM tenants"), 0);
  {
    Transaction tx(db.get());
    ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('b', 1)").ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  EXPECT_EQ(**db->QueryInt("SELECT COUNT(*) FROM tenants"), 1);
}

TEST(PostgresDbTest, ErrorsNameTheStatementAndTheCause) {
  auto db = OpenFresh();
  ASSERT_NE(db, nullptr);
  auto bad = db->Prepare("SELECT nope FROM tenants");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("preparing SELECT FROM tenants: ERROR:  column "
                                         "\"nope\" does not exist",
                                         0),
            0u)
      << bad.status().message();
  ASSERT_TRUE(db->Execute("INSERT INTO tenants (name, created_at) VALUES ('a', 1)").ok());
  Status dup = db->Execute("INSERT INTO tenants (name, created_at) VALUES ('a', 1)");
  EXPECT_EQ(dup.code(), Code::kInvalidArgument);
  EXPECT_NE(dup.message().find("duplicate key value violates unique constraint"),
            std::string::npos)
      << dup.message();
  Status fk = db->Execute(
      "INSERT INTO data_sources (tenant_id, name, provider, settings, created_at)"
      " VALUES (999, 'x', 'graph_json', '{}', 1)");
  EXPECT_EQ(fk.code(), Code::kInvalidArgument);
  EXPECT_NE(fk.message().find("violates foreign key constraint"), std::string::npos)
      << fk.message();
}

TEST(PostgresDbTest, TenantsAndDataSourcesWorkUnchanged) {
  auto db = OpenFresh();
  ASSERT_NE(db, nullptr);
  auto a = EnsureTenant(db.get(), "contoso", 1);
  auto b = EnsureTenant(db.get(), "contoso", 2);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  EXPECT_EQ(a->id, b->id);
  auto ds = EnsureDataSource(db.get(), a->id, "graph", "graph_json", "{\"dir\":\"a\"}", 1);
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  auto again = EnsureDataSource(db.get(), a->id, "graph", "graph_json", "{\"dir\":\"b\"}", 2);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->id, ds->id);
  EXPECT_EQ(again->settings, "{\"dir\":\"b\"}");
  auto listed = ListDataSources(db.get(), a->id);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->size(), 1u);
}

TEST(PostgresDbTest, AnUnreachableServerIsUnavailableWithoutThePassword) {
  auto server = testing::PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const int port = (*server)->port();
  (*server)->Stop();
  const std::string url = "postgresql://vigil:s3cret@127.0.0.1:" + std::to_string(port) + "/x";
  PostgresOptions options;
  options.connect_timeout_s = 2;
  auto db = OpenPostgresDb(url, options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Code::kUnavailable);
  EXPECT_EQ(db.status().message().find("s3cret"), std::string::npos) << db.status().message();
  EXPECT_NE(db.status().message().find("postgresql://vigil:***@127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << db.status().message();
}

TEST(PostgresDbTest, AfterTheServerRestartsTheNextStatementsWorkAndALostTransactionStaysLost) {
  auto server = testing::PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Result<std::string> url = (*server)->NewDatabase();
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  auto opened = OpenPostgresDb(*url);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Db* db = opened->get();
  auto insert = db->Prepare("INSERT INTO tenants (name, created_at) VALUES (?, 1)");
  ASSERT_TRUE(insert.ok());
  (*insert)->BindText(1, "before");
  ASSERT_TRUE((*insert)->Execute().ok());

  // Outside a transaction: the statement that meets the dead connection
  // fails; the next one reconnects (and prepares itself again).
  (*server)->StopImmediately();
  ASSERT_TRUE((*server)->Restart().ok());
  (*insert)->BindText(1, "after");
  Status first = (*insert)->Execute();
  if (!first.ok()) {
    EXPECT_EQ(first.code(), Code::kUnavailable) << first.ToString();
    (*insert)->BindText(1, "after");
    ASSERT_TRUE((*insert)->Execute().ok());
  }

  // Inside a transaction: nothing of it survives, and nothing after the
  // loss runs outside a transaction.
  {
    Transaction tx(db);
    ASSERT_TRUE(tx.status().ok());
    (*insert)->BindText(1, "in-lost-tx-1");
    ASSERT_TRUE((*insert)->Execute().ok());
    (*server)->StopImmediately();
    ASSERT_TRUE((*server)->Restart().ok());
    for (const char* name : {"in-lost-tx-2", "in-lost-tx-3"}) {
      (*insert)->BindText(1, name);
      EXPECT_EQ((*insert)->Execute().code(), Code::kUnavailable);
    }
    EXPECT_EQ(tx.Commit().code(), Code::kUnavailable);
  }
  auto names = db->Prepare("SELECT name FROM tenants ORDER BY id");
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  std::vector<std::string> got;
  while (*(*names)->Step()) got.push_back((*names)->String(0));
  EXPECT_EQ(got, (std::vector<std::string>{"before", "after"}));
}

TEST(PostgresDbTest, ServerNoticesGoToTheJsonLogNotRawOntoStderr) {
  auto db = OpenFresh();
  ASSERT_NE(db, nullptr);
  ::testing::internal::CaptureStderr();
  Status s = db->ExecScript("DO $$ BEGIN RAISE WARNING 'disk nearly full'; END $$");
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_FALSE(err.empty());
  EXPECT_EQ(err.find("WARNING:  disk nearly full\n"), std::string::npos) << "raw: " << err;
  EXPECT_NE(err.find(R"("level":"warning","event":"postgres.notice","message":"WARNING:  disk nearly full"})"),
            std::string::npos)
      << err;
}

TEST(PostgresDbTest, TryAgainErrorsAreUnavailable) {
  auto db = OpenFresh();
  ASSERT_NE(db, nullptr);
  for (const char* sqlstate : {"40001", "40P01", "53300", "57P03", "55P03"}) {
    Status s = db->ExecScript(std::string("DO $$ BEGIN RAISE EXCEPTION 'busy' USING ERRCODE = '") +
                              sqlstate + "'; END $$");
    EXPECT_EQ(s.code(), Code::kUnavailable) << sqlstate << ": " << s.ToString();
  }
  Status wrong = db->ExecScript("SELECT no_such_column FROM tenants");
  EXPECT_EQ(wrong.code(), Code::kInvalidArgument) << wrong.ToString();
}

}  // namespace
}  // namespace vigil
