#include "store/advisory_lock.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace vigil {

namespace {
constexpr int kIdBits = 48;
}  // namespace

Result<int64_t> AdvisoryKey(LockSpace space, int64_t id) {
  if (id < 0 || id >= (int64_t{1} << kIdBits)) {
    return Status::InvalidArgument("advisory lock id " + std::to_string(id) + " out of range");
  }
  return (static_cast<int64_t>(space) << kIdBits) | id;
}

AdvisoryLock::AdvisoryLock(AdvisoryLock&& other) noexcept
    : db_(other.db_), key_(other.key_), waited_ms_(other.waited_ms_) {
  other.db_ = nullptr;
}

AdvisoryLock& AdvisoryLock::operator=(AdvisoryLock&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) (void)db_->Unlock(key_);
    db_ = other.db_;
    key_ = other.key_;
    waited_ms_ = other.waited_ms_;
    other.db_ = nullptr;
  }
  return *this;
}

AdvisoryLock::~AdvisoryLock() {
  if (db_ != nullptr) (void)db_->Unlock(key_);
}

Result<AdvisoryLock> AdvisoryLock::Acquire(Db* db, LockSpace space, int64_t id, int64_t wait_ms,
                                           const std::string& what) {
  using Steady = std::chrono::steady_clock;
  VIGIL_ASSIGN_OR_RETURN(int64_t key, AdvisoryKey(space, id));
  const Steady::time_point start = Steady::now();
  const Steady::time_point deadline = start + std::chrono::milliseconds(wait_ms);
  std::chrono::milliseconds pause(5);
  for (bool first = true;; first = false) {
    Result<bool> got = db->TryLock(key);
    if (!got.ok()) return got.status().Prefixed(what);
    const Steady::time_point now = Steady::now();
    if (*got) {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
      return AdvisoryLock(db, key, first ? 0 : std::max<int64_t>(1, waited.count()));
    }
    if (now >= deadline) {
      return Status::Unavailable(what + ": still held by another connection after " +
                                 std::to_string(wait_ms) + " ms");
    }
    std::this_thread::sleep_for(
        std::min<Steady::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

}  // namespace vigil
