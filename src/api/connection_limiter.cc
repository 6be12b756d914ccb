#include "api/connection_limiter.h"

#include <algorithm>

namespace vigil {
namespace {

// "1 connection is" / "64 connections are".
std::string AreOpen(int n) {
  return std::to_string(n) + (n == 1 ? " connection is" : " connections are");
}

}  // namespace

ConnectionLimiter::ConnectionLimiter(int max_total, int max_per_client)
    : max_total_(std::max(1, max_total)), max_per_client_(std::max(1, max_per_client)) {}

ConnectionLimiter::Slot::~Slot() {
  if (limiter_ != nullptr) limiter_->Release(client_);
}

std::optional<ConnectionLimiter::Slot> ConnectionLimiter::Admit(const std::string& client,
                                                                std::string* refusal) {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ >= max_total_) {
    *refusal = "server: " + AreOpen(total_) + " open, the most it takes; retry later";
    return std::nullopt;
  }
  int& mine = per_client_[client];
  if (mine >= max_per_client_) {
    *refusal = "server: " + AreOpen(mine) + " open from " + client +
               ", the most one client may have; retry later";
    return std::nullopt;
  }
  ++mine;
  ++total_;
  return Slot(this, client);
}

void ConnectionLimiter::Release(const std::string& client) {
  std::lock_guard<std::mutex> lock(mu_);
  --total_;
  auto it = per_client_.find(client);
  if (it != per_client_.end() && --it->second <= 0) per_client_.erase(it);
}

int ConnectionLimiter::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

int ConnectionLimiter::open_from(const std::string& client) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_client_.find(client);
  return it == per_client_.end() ? 0 : it->second;
}

}  // namespace vigil
