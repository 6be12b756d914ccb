// The database a store or pipeline test runs on: in-memory SQLite, or, when
// the test runs with VIGIL_TEST_DB=postgresql (CTest's "pg:" copies of the
// store and pipeline suites), a fresh database on the shared PostgreSQL
// (testing/postgres_server.h). Tests only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/db.h"

namespace vigil::testing {

// True when this test process runs its suites on PostgreSQL.
bool TestingOnPostgres();

// A new, migrated, empty database (fails the test and returns null when it
// cannot be made). With `migrate` false it stays without any table, for
// tests of what a caller does with a database nobody migrated.
std::unique_ptr<Db> OpenTestDatabase(bool migrate = true);

// One new, migrated, empty database that more than one connection uses:
// each call of the returned function opens another connection to it, as
// another thread or process would (on SQLite a file in a temporary
// directory, since an in-memory database has one connection). A call that
// cannot connect fails the test and returns null.
std::function<std::unique_ptr<Db>()> OpenTestDatabaseFactory();

// Makes every `event` ("INSERT" or "UPDATE") on `table` for which
// `condition` (SQL over NEW; "" for all rows) holds fail with `message`, in
// the database's own trigger dialect: a way to make a write fail midway.
Status InstallFailingTrigger(Db* db, const std::string& name, const std::string& event,
                             const std::string& table, const std::string& condition,
                             const std::string& message);

// Drops a trigger InstallFailingTrigger made.
Status RemoveFailingTrigger(Db* db, const std::string& name, const std::string& table);

}  // namespace vigil::testing
