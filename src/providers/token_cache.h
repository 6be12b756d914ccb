// TokenCache: one OAuth access token shared by a client's threads (the
// Graph and the Google Workspace clients), renewed before it expires.
//
// Get returns the cached token while it is not due for renewal; otherwise
// it calls `fetch` with the time it asked (the clock's, read before the
// request), holding the cache's lock, so there is one fetch at a time and
// the other callers wait for its token. A token that lives L is renewed at
// asked + L - min(5 min, L / 10); L is capped at a day (the identity
// platforms issue none longer, and a larger figure must not overflow).
// A failed fetch caches nothing and returns its error.
//
// Drop forgets `token` if it is still the cached one (the server answered
// 401 to it), so the next Get fetches a new one; a token another thread has
// already replaced is left alone.
//
// Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "common/clock.h"
#include "common/status.h"

namespace vigil {

// What a token endpoint issued: the token and its lifetime in seconds
// (expires_in, > 0).
struct IssuedToken {
  std::string token;
  int64_t expires_in_s = 0;
};

class TokenCache {
 public:
  explicit TokenCache(const Clock* clock) : clock_(clock) {}

  Result<std::string> Get(const std::function<Result<IssuedToken>(TimeMs asked_at)>& fetch);
  void Drop(const std::string& token);

 private:
  const Clock* const clock_;
  std::mutex mu_;  // held while a token is fetched
  std::string token_;
  TimeMs renew_at_ = 0;
};

}  // namespace vigil
