// DbPool: a bounded pool of database connections shared by the threads of a
// process (the worker slots of `vigil serve`), so a process holds at most
// `max_connections` connections however many threads want one, and a
// connection is opened once and reused rather than per job.
//
// Acquire hands out a DbLease: exclusive use of one connection until the
// lease is destroyed, when the connection goes back to the pool. A
// connection is opened lazily by the pool's opener when none is idle and
// fewer than max_connections exist; otherwise Acquire waits up to
// acquire_timeout_ms for one to come back, then fails with Unavailable
// "database pool: no connection free after 30000 ms (4 of 4 in use)".
//
// A lease returned while a transaction is still open is rolled back; one
// marked broken (DbLease::Discard, e.g. after a connection error the
// caller could not recover from) is closed instead of reused, and the next
// Acquire opens a fresh one. An opener failure is returned by Acquire as is
// and does not use up a slot.
//
// Thread safety: Acquire and the lease's destructor may be called from any
// thread. The pool must outlive its leases.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/status.h"
#include "store/db.h"

namespace vigil {

struct DbPoolOptions {
  int max_connections = 8;
  int64_t acquire_timeout_ms = 30000;
};

// What the pool holds now (for metrics and tests).
struct DbPoolStats {
  int open = 0;     // connections that exist (idle + leased)
  int idle = 0;     // open and not leased
  int waiting = 0;  // Acquire calls waiting for a connection
  int64_t opened_total = 0;  // connections ever opened
};

class DbPool;

class DbLease {
 public:
  DbLease() = default;
  DbLease(DbLease&& other) noexcept;
  DbLease& operator=(DbLease&& other) noexcept;
  DbLease(const DbLease&) = delete;
  DbLease& operator=(const DbLease&) = delete;
  ~DbLease();

  Db* get() const { return db_.get(); }
  Db* operator->() const { return db_.get(); }
  explicit operator bool() const { return db_ != nullptr; }

  // The connection is closed on release instead of going back to the pool.
  void Discard() { discard_ = true; }

 private:
  friend class DbPool;
  DbLease(DbPool* pool, std::unique_ptr<Db> db) : pool_(pool), db_(std::move(db)) {}
  void Release();

  DbPool* pool_ = nullptr;
  std::unique_ptr<Db> db_;
  bool discard_ = false;
};

class DbPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<Db>>()>;

  DbPool(Opener opener, DbPoolOptions options = {});
  DbPool(const DbPool&) = delete;
  DbPool& operator=(const DbPool&) = delete;
  ~DbPool();

  Result<DbLease> Acquire();
  DbPoolStats stats() const;

 private:
  friend class DbLease;
  void Return(std::unique_ptr<Db> db, bool discard);

  const Opener opener_;
  DbPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Db>> idle_;
  int open_ = 0;
  int waiting_ = 0;
  int64_t opened_total_ = 0;
};

}  // namespace vigil
