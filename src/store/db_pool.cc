#include "store/db_pool.h"

#include <chrono>
#include <string>
#include <utility>

namespace vigil {

DbLease::DbLease(DbLease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      db_(std::move(other.db_)),
      discard_(std::exchange(other.discard_, false)) {}

DbLease& DbLease::operator=(DbLease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    db_ = std::move(other.db_);
    discard_ = std::exchange(other.discard_, false);
  }
  return *this;
}

DbLease::~DbLease() { Release(); }

void DbLease::Release() {
  if (pool_ != nullptr && db_ != nullptr) pool_->Return(std::move(db_), discard_);
  pool_ = nullptr;
  db_.reset();
  discard_ = false;
}

DbPool::DbPool(Opener opener, DbPoolOptions options)
    : opener_(std::move(opener)), options_(options) {
  if (options_.max_connections < 1) options_.max_connections = 1;
}

DbPool::~DbPool() = default;

Result<DbLease> DbPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.acquire_timeout_ms);
  ++waiting_;
  const bool got = returned_.wait_until(lock, deadline, [this] {
    return !idle_.empty() || open_ < options_.max_connections;
  });
  --waiting_;
  if (!got) {
    return Status::Unavailable("database pool: no connection free after " +
                               std::to_string(options_.acquire_timeout_ms) + " ms (" +
                               std::to_string(open_) + " of " +
                               std::to_string(options_.max_connections) + " in use)");
  }
  if (!idle_.empty()) {
    std::unique_ptr<Db> db = std::move(idle_.back());
    idle_.pop_back();
    return DbLease(this, std::move(db));
  }
  ++open_;  // the slot is ours while the opener runs outside the lock
  lock.unlock();
  Result<std::unique_ptr<Db>> opened = opener_();
  lock.lock();
  if (!opened.ok()) {
    --open_;
    returned_.notify_one();
    return opened.status();
  }
  ++opened_total_;
  return DbLease(this, std::move(opened).value());
}

void DbPool::Return(std::unique_ptr<Db> db, bool discard) {
  if (!discard && db->InTransaction() && !db->Rollback().ok()) discard = true;
  std::unique_ptr<Db> closing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (discard) {
      --open_;
      closing = std::move(db);
    } else {
      idle_.push_back(std::move(db));
    }
  }
  returned_.notify_one();
  // `closing` closes its connection here, outside the lock.
}

DbPoolStats DbPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  DbPoolStats s;
  s.open = open_;
  s.idle = static_cast<int>(idle_.size());
  s.waiting = waiting_;
  s.opened_total = opened_total_;
  return s;
}

}  // namespace vigil
