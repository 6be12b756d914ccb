#include "providers/token_cache.h"

#include <algorithm>

namespace vigil {
namespace {

constexpr int64_t kRenewMarginMs = 5 * 60 * 1000;
constexpr int64_t kLongestLifetimeS = 24 * 3600;

}  // namespace

Result<std::string> TokenCache::Get(
    const std::function<Result<IssuedToken>(TimeMs asked_at)>& fetch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!token_.empty() && clock_->NowMs() < renew_at_) return token_;
  token_.clear();
  const TimeMs asked_at = clock_->NowMs();
  VIGIL_ASSIGN_OR_RETURN(IssuedToken issued, fetch(asked_at));
  const int64_t lifetime_ms = std::min(issued.expires_in_s, kLongestLifetimeS) * 1000;
  token_ = std::move(issued.token);
  renew_at_ = asked_at + lifetime_ms - std::min(kRenewMarginMs, lifetime_ms / 10);
  return token_;
}

void TokenCache::Drop(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_ == token) token_.clear();
}

}  // namespace vigil
