// WalCheckpointer: copies SQLite's write-ahead log back into the database
// file on a thread of its own. By default SQLite does that inside whichever
// commit makes the log pass 1,000 pages, so one commit in a few hundred pays
// milliseconds for everyone's writes; the service's queue takes and
// completions must not. Connections that leave checkpoints to a
// WalCheckpointer call DisableAutoCheckpoint.
//
// Checkpoints are PASSIVE: they never block readers or writers, and copy what
// they can. Durability is unchanged (the log is durable before a checkpoint).
//
// Thread safety: Start/Stop from one thread; the checkpointer owns its Db.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "store/db.h"

namespace vigil {

// Turns off the automatic checkpoint of one SQLite connection.
Status DisableAutoCheckpoint(Db* db);

class WalCheckpointer {
 public:
  // Owns `db` (a connection to the same database); checkpoints every interval_ms.
  WalCheckpointer(std::unique_ptr<Db> db, int64_t interval_ms);
  ~WalCheckpointer();  // Stop()

  // One PASSIVE checkpoint now.
  Status CheckpointOnce();

  void Start();
  // Stops the thread after a last checkpoint. Idempotent.
  void Stop();

  // The error of the latest checkpoint (OK when it succeeded).
  Status last_error() const;

 private:
  void Run();

  std::unique_ptr<Db> db_;
  const int64_t interval_ms_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  Status last_error_;
  std::thread thread_;
};

}  // namespace vigil
