// SqliteBackgroundCheckpoint: copies an SQLite connection's write-ahead log
// back into the database file on a thread of its own instead of inside the
// commit that made the log pass its mark.
//
// SQLite's automatic checkpoint runs in the committing connection: the
// commit that passes 1,000 log pages copies the log into the database file
// and waits for two fdatasync calls (log, then database) before it returns.
// In a large first sync that is most of a second of waiting, twice (the
// sync's commit, then the reconcile's), while the other core is idle.
// Attach() replaces that hook: the commit wakes this thread and returns; the
// thread runs the same PASSIVE checkpoint through a connection of its own, so
// the analysis reads and analyzes while the disk syncs. Durability does not
// change: a commit is in the log before it returns either way, and a PASSIVE
// checkpoint copies only committed frames and never blocks readers or the
// writer (it copies what no reader still needs; the rest waits for the next
// one or for the checkpoint when the last connection closes).
//
// A connection that turns its automatic checkpoint off (PRAGMA
// wal_autocheckpoint=0, as the service's connections do for their
// WalCheckpointer) removes the hook, and the thread is never started.
//
// Thread safety: Wake may be called from any thread; the destructor waits
// for a running checkpoint and must not race with Wake. The thread starts on
// the first Wake (named "vigil-wal-ckpt"); its connection is opened there
// and closed when it stops.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace vigil {

class SqliteBackgroundCheckpoint {
 public:
  // Log pages after a commit at which the thread is woken (SQLite's own
  // automatic checkpoint default).
  static constexpr int kPages = 1000;

  // `path`: the database file, as the connection to serve opened it.
  explicit SqliteBackgroundCheckpoint(std::string path) : path_(std::move(path)) {}
  ~SqliteBackgroundCheckpoint();

  SqliteBackgroundCheckpoint(const SqliteBackgroundCheckpoint&) = delete;
  SqliteBackgroundCheckpoint& operator=(const SqliteBackgroundCheckpoint&) = delete;

  // Installs the commit hook on `db` (sqlite3_wal_hook), replacing the
  // automatic checkpoint. `this` must outlive the connection's last commit.
  void Attach(sqlite3* db);

  // Asks for a checkpoint; returns at once.
  void Wake();

  // Checkpoints run so far (for tests).
  int checkpoints() const;

 private:
  void Run();

  const std::string path_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopping_ = false;
  int checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace vigil
