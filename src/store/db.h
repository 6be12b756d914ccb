// Db: the database seam. vigil speaks portable SQL through prepared
// statements with `?` placeholders; a backend (store/sqlite_db.h,
// store/postgres_db.h) translates. Every statement executed is counted, so "statements per
// analysis" is a measured figure, not an estimate.
//
// Batch execution of many rows is store/batch_insert.h (multi-row INSERTs).
//
// Thread safety: a Db and its Statements belong to one thread at a time.
// Open one Db per thread (they share the database file safely).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace vigil {

// A value to bind: NULL, an integer, or text.
using DbValue = std::variant<std::monostate, int64_t, std::string>;

// A prepared statement. Bind parameters (1-based), then Step through rows, or
// Execute a statement that returns none. Reset (or a new Bind after a finished
// Step) makes it ready to run again with new parameters.
class Statement {
 public:
  virtual ~Statement() = default;

  virtual void BindNull(int index) = 0;
  virtual void BindInt(int index, int64_t value) = 0;
  // The text is copied; `value` need not outlive the call.
  virtual void BindText(int index, std::string_view value) = 0;
  // Binds without copying: `value` must stay valid and unchanged until the
  // statement has run (Execute returned, or Step returned false) or is reset.
  // For hot loops over rows the caller already holds.
  virtual void BindTextRef(int index, std::string_view value) { BindText(index, value); }
  void Bind(int index, const DbValue& value);
  // Binds values[i] to parameter i + 1.
  void BindAll(const std::vector<DbValue>& values);

  // Advances to the next row: true when a row is ready, false when done.
  // The first Step after a Reset runs the statement and counts it once.
  virtual Result<bool> Step() = 0;
  // Runs the statement to completion (rows, if any, are discarded); resets it.
  virtual Status Execute() = 0;
  // Clears bindings and rewinds.
  virtual void Reset() = 0;

  // Column accessors for the current row (0-based).
  virtual bool IsNull(int column) const = 0;
  virtual int64_t Int(int column) const = 0;
  // Valid until the next Step or Reset.
  virtual std::string_view Text(int column) const = 0;
  std::string String(int column) const { return std::string(Text(column)); }

  // Rows changed by the last Execute.
  virtual int64_t Changes() const = 0;
};

class Db {
 public:
  virtual ~Db() = default;

  // "sqlite" or "postgresql".
  virtual std::string_view dialect() const = 0;

  // Prepares one statement. InvalidArgument with the database's message and
  // the SQL when it does not compile.
  virtual Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) = 0;

  // Runs a script of statements without parameters (migrations, pragmas).
  virtual Status ExecScript(std::string_view sql) = 0;

  // Begins a write transaction. SQLite takes the database's write lock at
  // once (BEGIN IMMEDIATE), so write transactions of every connection run
  // one at a time; PostgreSQL runs them concurrently (READ COMMITTED) and
  // callers that must not interleave lock a row first.
  virtual Status Begin() = 0;
  // Begins a read-only transaction whose statements all see one snapshot of
  // the database, whatever other connections commit meanwhile (SQLite: a
  // deferred transaction in WAL mode; PostgreSQL: REPEATABLE READ, READ
  // ONLY). Commit or Rollback ends it. It is for reads (PostgreSQL refuses
  // writes in it).
  virtual Status BeginSnapshot() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // True between a Begin and its Commit or Rollback.
  virtual bool InTransaction() const = 0;

  // The id the last INSERT into a table with an integer primary key gave.
  virtual int64_t LastInsertId() const = 0;

  // Statements executed through this Db since it was opened. Monotonic.
  virtual uint64_t statements_executed() const = 0;

  // Advisory locks: an exclusive lock named by `key`, shared by every
  // connection to the same database, in this process and in others
  // (PostgreSQL: a session advisory lock; SQLite: a lock on a byte of the
  // file "<database>-lock" beside the database). TryLock takes the lock
  // when no other connection holds it and returns true, or returns false
  // at once. The lock is held until Unlock, or until this connection ends:
  // a crashed process, or a PostgreSQL connection that was lost (and
  // reconnected), holds nothing any more, so a lock is an optimisation of
  // who works when, never the only guard of correctness. A connection must
  // not TryLock a key it holds. Unlock of a key not held does nothing.
  // Not counted as statements on SQLite; one statement each on PostgreSQL.
  virtual Result<bool> TryLock(int64_t key) = 0;
  virtual Status Unlock(int64_t key) = 0;

  // Convenience: prepare, bind `params`, execute once.
  Status Execute(std::string_view sql, const std::vector<DbValue>& params = {});
  // Convenience: prepare, bind, step once; the first column of the first row
  // as an integer, or nullopt when there is no row or it is NULL.
  Result<std::optional<int64_t>> QueryInt(std::string_view sql,
                                          const std::vector<DbValue>& params = {});
};

// " FOR UPDATE" (" FOR UPDATE OF <of>" when `of` is given, for a join) on
// a backend whose write transactions run concurrently (PostgreSQL): a SELECT
// that ends with it locks the rows it read until the transaction ends, so
// writers of the same thing take turns. "" on a backend whose write
// transactions are exclusive already (SQLite).
std::string RowLockClause(const Db& db, std::string_view of = "");

// Whether the connection answers: runs "SELECT 1". The connection's error
// when it does not; Internal when the answer is not 1.
Status Ping(Db* db);

// A transaction scope: Begin (or BeginSnapshot for kSnapshot) on
// construction (check status()), Rollback on destruction unless Commit
// succeeded.
class Transaction {
 public:
  enum class Kind { kWrite, kSnapshot };
  explicit Transaction(Db* db, Kind kind = Kind::kWrite);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Status& status() const { return begin_status_; }
  Status Commit();

 private:
  Db* db_;
  Status begin_status_;
  bool done_ = false;
};

}  // namespace vigil
