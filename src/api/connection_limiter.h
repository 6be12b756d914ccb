// ConnectionLimiter: caps the HTTP server's open connections, overall and
// per client address, so that no client (nor all of them) can hold more
// sockets, buffers and file descriptors than the server budgets for.
//
// Admit takes a place and returns it as a Slot, which gives it back when
// destroyed; when there is none it returns nullopt and says why, as the
// server tells the client (503 unavailable).
//
// Thread safety: every member may be called from any thread; a Slot may be
// destroyed on any thread, before or after other Slots, but not after the
// limiter.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace vigil {

class ConnectionLimiter {
 public:
  // `max_total`, `max_per_client`: at least 1 each.
  ConnectionLimiter(int max_total, int max_per_client);

  class Slot {
   public:
    Slot(Slot&& other) noexcept : limiter_(other.limiter_), client_(std::move(other.client_)) {
      other.limiter_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class ConnectionLimiter;
    Slot(ConnectionLimiter* limiter, std::string client)
        : limiter_(limiter), client_(std::move(client)) {}
    ConnectionLimiter* limiter_;
    std::string client_;
  };

  // A place for one connection from `client` (its address), or nullopt
  // with *refusal set: "server: N connections are open, the most it takes;
  // retry later" or "server: N connections are open from CLIENT, the most
  // one client may have; retry later" ("1 connection is" for one).
  std::optional<Slot> Admit(const std::string& client, std::string* refusal);

  int open() const;
  int open_from(const std::string& client) const;

 private:
  void Release(const std::string& client);

  const int max_total_;
  const int max_per_client_;
  mutable std::mutex mu_;
  int total_ = 0;
  std::map<std::string, int> per_client_;  // only clients with open connections
};

}  // namespace vigil
