#include "providers/request_limiter.h"

#include <algorithm>

namespace vigil {

RequestLimiter::RequestLimiter(int capacity) : capacity_(std::max(capacity, 1)) {}

void RequestLimiter::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  ++waiting_;
  cv_.wait(lock, [this] { return in_use_ < capacity_; });
  --waiting_;
  ++in_use_;
  max_in_use_ = std::max(max_in_use_, in_use_);
}

void RequestLimiter::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_use_;
  }
  cv_.notify_one();
}

void RequestLimiter::SetCapacity(int capacity) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    capacity_ = std::max(capacity, 1);
  }
  cv_.notify_all();
}

int RequestLimiter::capacity() const {
  std::lock_guard<std::mutex> lock(mu_);
  return capacity_;
}

int RequestLimiter::in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_use_;
}

int RequestLimiter::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_;
}

int RequestLimiter::max_in_use() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_in_use_;
}

RequestLimiter* GlobalGraphRequestLimiter() {
  static RequestLimiter* const limiter = new RequestLimiter(kDefaultGlobalGraphRequests);
  return limiter;
}

}  // namespace vigil
