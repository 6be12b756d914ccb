// RequestLimiter: a counting semaphore that caps how many HTTP requests are
// in flight at once.
//
// Microsoft Graph throttles per application, across every tenant the
// application reads, so vigil keeps two caps (providers/graph_client.h): one
// limiter per data source, and one shared by every Graph client of the
// process (GlobalGraphRequestLimiter). A request holds one slot of each while
// it is on the wire, never while it waits to retry.
//
// Thread-safe. A limiter must outlive every RequestSlot taken from it.
#pragma once

#include <condition_variable>
#include <mutex>

namespace vigil {

class RequestLimiter {
 public:
  // `capacity` below 1 counts as 1.
  explicit RequestLimiter(int capacity);
  RequestLimiter(const RequestLimiter&) = delete;
  RequestLimiter& operator=(const RequestLimiter&) = delete;

  // Blocks until a slot is free and takes it.
  void Acquire();
  // Gives a slot back and wakes one waiter.
  void Release();

  // Changes the capacity; waiters are admitted when it grows. Slots in use
  // above a lowered capacity stay in use until released.
  void SetCapacity(int capacity);

  int capacity() const;
  int in_use() const;
  int waiting() const;     // threads blocked in Acquire
  int max_in_use() const;  // the most slots ever in use at once

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int capacity_;
  int in_use_ = 0;
  int waiting_ = 0;
  int max_in_use_ = 0;
};

// Holds one slot of a limiter for its lifetime (null: holds nothing).
class RequestSlot {
 public:
  explicit RequestSlot(RequestLimiter* limiter) : limiter_(limiter) {
    if (limiter_ != nullptr) limiter_->Acquire();
  }
  ~RequestSlot() {
    if (limiter_ != nullptr) limiter_->Release();
  }
  RequestSlot(const RequestSlot&) = delete;
  RequestSlot& operator=(const RequestSlot&) = delete;

 private:
  RequestLimiter* limiter_;
};

// Requests to Graph in flight at once across the process, by default.
inline constexpr int kDefaultGlobalGraphRequests = 16;

// The limiter every Graph client of the process shares unless told
// otherwise; capacity kDefaultGlobalGraphRequests until SetCapacity.
RequestLimiter* GlobalGraphRequestLimiter();

}  // namespace vigil
