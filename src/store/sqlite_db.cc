#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <filesystem>

#include "store/file_lock.h"
#include "store/sqlite_background_checkpoint.h"
#include "store/sqlite_write_gate.h"
#include "store/migrations.h"
#include "store/statement_name.h"

namespace vigil {
namespace {

// "database /var/lib/vigil/vigil.db: database or disk is full (INSERT INTO
// entities)": the database file and SQLite's cause first, then the
// statement by its name (store/statement_name.h), never its text. `action`
// ("preparing") goes before the name when given.
Status SqliteError(sqlite3* db, int rc, std::string_view action, std::string_view sql) {
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  std::string msg = file != nullptr && *file != '\0' ? "database " + std::string(file)
                                                     : std::string("in-memory database");
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  msg += " (";
  if (!action.empty()) msg += std::string(action) + " ";
  msg += StatementName(sql) + ")";
  int primary = rc & 0xFF;
  if (primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH || primary == SQLITE_RANGE ||
      primary == SQLITE_ERROR) {
    return Status::InvalidArgument(msg);
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Status::Unavailable(msg);
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
    return Status(Code::kIoError, msg + " (the database file is damaged or not a database)");
  }
  return Status::IoError(msg);
}

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt, uint64_t* counter)
      : db_(db), stmt_(stmt), counter_(counter) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void BindNull(int index) override {
    Rearm();
    sqlite3_bind_null(stmt_, index);
  }
  void BindInt(int index, int64_t value) override {
    Rearm();
    sqlite3_bind_int64(stmt_, index, value);
  }
  void BindText(int index, std::string_view value) override {
    Rearm();
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  }

  void BindTextRef(int index, std::string_view value) override {
    Rearm();
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
  }

  Result<bool> Step() override {
    if (!running_) {
      running_ = true;
      ++*counter_;
    }
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      changes_ = sqlite3_changes64(db_);
      return false;
    }
    Status s = SqliteError(db_, rc, "", sqlite3_sql(stmt_));
    sqlite3_reset(stmt_);
    running_ = false;
    return s;
  }

  Status Execute() override {
    Result<bool> row = Step();
    while (row.ok() && *row) row = Step();
    Status s = row.ok() ? Status::Ok() : row.status();
    sqlite3_reset(stmt_);
    running_ = false;
    return s;
  }

  void Reset() override {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    running_ = false;
  }

  bool IsNull(int column) const override {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
  }
  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string_view Text(int column) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p),
            static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
  }
  int64_t Changes() const override { return changes_; }

 private:
  // A bind after a finished or abandoned run starts a new run.
  void Rearm() {
    if (running_) {
      sqlite3_reset(stmt_);
      running_ = false;
    }
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  uint64_t* counter_;
  bool running_ = false;
  int64_t changes_ = 0;
};

class SqliteDb final : public Db {
 public:
  // `lock_path` names the file of the advisory locks; empty for a private
  // in-memory database, which no other connection can reach. `gate` is the
  // file's write gate in this process (null for an in-memory database);
  // `busy_timeout_ms` bounds the wait for it as for SQLite's own lock.
  SqliteDb(sqlite3* db, std::string lock_path, std::shared_ptr<SqliteWriteGate> gate,
           int busy_timeout_ms)
      : db_(db),
        locks_(lock_path.empty() ? nullptr : new FileLocks(std::move(lock_path))),
        gate_(std::move(gate)),
        busy_timeout_ms_(busy_timeout_ms) {}
  ~SqliteDb() override {
    checkpoint_.reset();  // waits for a running checkpoint; the close checkpoints the rest
    sqlite3_close_v2(db_);  // rolls back an open transaction
    if (gate_held_) gate_->Release();
  }

  // Checkpoints on a thread of its own from now on (sqlite_background_checkpoint.h).
  void CheckpointInBackground(const std::string& path) {
    checkpoint_ = std::make_unique<SqliteBackgroundCheckpoint>(path);
    checkpoint_->Attach(db_);
  }

  std::string_view dialect() const override { return "sqlite"; }

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return SqliteError(db_, rc, "preparing", sql);
    }
    return std::unique_ptr<Statement>(new SqliteStatement(db_, stmt, &statements_));
  }

  Status ExecScript(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    ++statements_;
    SettleGate();  // a script may end the transaction
    if (rc != SQLITE_OK) {
      std::string msg = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      return Status::IoError("running script: " + msg);
    }
    return Status::Ok();
  }

  Status Begin() override {
    if (gate_ != nullptr && !gate_held_) {
      if (!gate_->Acquire(busy_timeout_ms_)) {
        return Status::Unavailable("database " + std::string(sqlite3_db_filename(db_, "main")) +
                                   ": database is locked (another write transaction of this "
                                   "process held it for " +
                                   std::to_string(busy_timeout_ms_) + " ms)");
      }
      gate_held_ = true;
    }
    Status s = Simple("BEGIN IMMEDIATE");
    SettleGate();
    return s;
  }
  Status BeginSnapshot() override { return Simple("BEGIN DEFERRED"); }
  Status Commit() override { return Ended(Simple("COMMIT")); }
  Status Rollback() override { return Ended(Simple("ROLLBACK")); }
  bool InTransaction() const override { return sqlite3_get_autocommit(db_) == 0; }

  int64_t LastInsertId() const override { return sqlite3_last_insert_rowid(db_); }
  uint64_t statements_executed() const override { return statements_; }

  Result<bool> TryLock(int64_t key) override {
    if (locks_ == nullptr) return true;
    return locks_->TryLock(key);
  }
  Status Unlock(int64_t key) override {
    if (locks_ == nullptr) return Status::Ok();
    return locks_->Unlock(key);
  }

 private:
  Status Simple(const char* sql) {
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "", sql);
    return Status::Ok();
  }

  // Releases the write gate once no transaction is open any more.
  void SettleGate() {
    if (gate_held_ && InTransaction()) return;
    if (gate_held_) gate_->Release();
    gate_held_ = false;
  }
  Status Ended(Status s) {
    SettleGate();
    return s;
  }

  sqlite3* db_;
  std::unique_ptr<FileLocks> locks_;
  std::shared_ptr<SqliteWriteGate> gate_;
  const int busy_timeout_ms_;
  bool gate_held_ = false;
  std::unique_ptr<SqliteBackgroundCheckpoint> checkpoint_;
  uint64_t statements_ = 0;
};

// "<database>-lock" beside the database file, by its absolute path (so a
// later change of directory does not split the locks); empty for an
// in-memory or temporary database.
std::string LockPath(const std::string& path) {
  if (path.empty() || path == ":memory:") return "";
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return (ec ? path : absolute.string()) + "-lock";
}

}  // namespace

Result<std::unique_ptr<Db>> OpenSqliteDb(const std::string& path, const SqliteOptions& options) {
  const bool memory = path.empty() || path == ":memory:";
  if (!options.create && !memory && !std::filesystem::exists(path)) {
    return Status::NotFound("no database at " + path);
  }
  sqlite3* raw = nullptr;
  const int create = options.create ? SQLITE_OPEN_CREATE : 0;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | create | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc == SQLITE_CANTOPEN && !options.create && !std::filesystem::exists(path)) {
    sqlite3_close_v2(raw);  // removed between the check and the open
    return Status::NotFound("no database at " + path);
  }
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return Status::IoError("cannot open database " + path + ": " + msg);
  }
  const std::string lock_path = LockPath(path);
  auto db = std::make_unique<SqliteDb>(
      raw, lock_path, lock_path.empty() ? nullptr : SqliteWriteGate::Find(lock_path),
      options.busy_timeout_ms);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // 16 KiB pages for a new database (an existing one keeps its own): a large
  // sync writes a fifth fewer page frames and B-tree cells than with 4 KiB.
  // It must come before WAL mode, which fixes the page size of a new file.
  Status s = db->ExecScript(
      "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
      " PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384; PRAGMA temp_store=MEMORY;");
  if (!s.ok()) return s.Prefixed("opening database " + path);
  if (options.checkpoint_in_background && !lock_path.empty()) {
    // By its absolute path: the thread opens it later, maybe after a chdir.
    std::error_code ec;
    const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    db->CheckpointInBackground(ec ? path : absolute.string());
  }
  if (options.migrate) {
    Result<int> version = ApplyMigrations(db.get(), "INTEGER PRIMARY KEY");
    if (!version.ok()) return version.status().Prefixed("database " + path);
  }
  return std::unique_ptr<Db>(std::move(db));
}

}  // namespace vigil
