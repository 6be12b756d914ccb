// AdvisoryLock: holds one of a Db's advisory locks (Db::TryLock) for a
// scope, waiting for it when another connection holds it.
//
// Keys are made of a space (what kind of thing is locked) and an id, so
// the locks of different purposes never collide.
//
// Thread safety: as the Db's; the lock belongs to the connection that took
// it, which must outlive the AdvisoryLock.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "store/db.h"

namespace vigil {

enum class LockSpace : int64_t {
  // One analysis of a tenant at a time (id: the tenant id).
  kTenantAnalysis = 1,
};

// The Db key of (space, id): the space in the top bits, the id below.
// InvalidArgument when id is negative or does not fit in 48 bits.
Result<int64_t> AdvisoryKey(LockSpace space, int64_t id);

class AdvisoryLock {
 public:
  AdvisoryLock() = default;
  AdvisoryLock(AdvisoryLock&& other) noexcept;
  AdvisoryLock& operator=(AdvisoryLock&& other) noexcept;
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;
  // Releases the lock (an error releasing it is ignored: the lock then ends
  // with the connection).
  ~AdvisoryLock();

  // Takes the lock on (space, id) on `db`, trying again every few
  // milliseconds (5 ms, doubling up to 100 ms) while another connection holds
  // it, for at most `wait_ms`. Unavailable "<what>: still held by another
  // connection after <wait_ms> ms" when it stays taken (try again later);
  // the Db's error when asking fails.
  static Result<AdvisoryLock> Acquire(Db* db, LockSpace space, int64_t id, int64_t wait_ms,
                                      const std::string& what);

  // How long Acquire waited for another holder, in milliseconds (0 when the
  // lock was free at the first try).
  int64_t waited_ms() const { return waited_ms_; }

 private:
  AdvisoryLock(Db* db, int64_t key, int64_t waited_ms)
      : db_(db), key_(key), waited_ms_(waited_ms) {}

  Db* db_ = nullptr;
  int64_t key_ = 0;
  int64_t waited_ms_ = 0;
};

}  // namespace vigil
