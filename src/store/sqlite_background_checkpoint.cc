#include "store/sqlite_background_checkpoint.h"

#include <pthread.h>
#include <sqlite3.h>

namespace vigil {
namespace {

// The commit hook: SQLite calls it after every commit with the number of
// pages in the log.
int OnCommit(void* arg, sqlite3*, const char*, int pages) {
  if (pages >= SqliteBackgroundCheckpoint::kPages) {
    static_cast<SqliteBackgroundCheckpoint*>(arg)->Wake();
  }
  return SQLITE_OK;
}

}  // namespace

SqliteBackgroundCheckpoint::~SqliteBackgroundCheckpoint() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SqliteBackgroundCheckpoint::Attach(sqlite3* db) { sqlite3_wal_hook(db, OnCommit, this); }

void SqliteBackgroundCheckpoint::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = true;
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  }
  wake_.notify_all();
}

int SqliteBackgroundCheckpoint::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoints_;
}

void SqliteBackgroundCheckpoint::Run() {
  pthread_setname_np(pthread_self(), "vigil-wal-ckpt");  // as `top -H` shows it
  sqlite3* db = nullptr;
  // A connection that only checkpoints: it never writes a row, and as it is
  // never the last to close, it never checkpoints on close either.
  if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    sqlite3_close_v2(db);
    db = nullptr;  // the committing connection's next close checkpoints instead
  }
  if (db != nullptr) {
    sqlite3_busy_timeout(db, 5000);
    // A connection finds the log on its first read; until then a checkpoint
    // sees no log and does nothing.
    if (sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db);
      db = nullptr;
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return pending_ || stopping_; });
    // Stopping: the connection's close checkpoints what is left.
    if (stopping_) break;
    pending_ = false;
    lock.unlock();
    // PASSIVE: copies what it can without waiting for anyone. A failure
    // (busy, disk) leaves the frames in the log for the next checkpoint, as
    // SQLite's automatic checkpoint would.
    if (db != nullptr) {
      (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    lock.lock();
    ++checkpoints_;
  }
  lock.unlock();
  sqlite3_close_v2(db);
}

}  // namespace vigil
