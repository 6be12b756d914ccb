// RedisConnection: one synchronous hiredis connection, and RedisPool, a set
// of them shared by threads. The Redis queue backend (queue/redis_queue.h)
// talks to Redis only through these.
//
// Errors: a transport failure (refused, reset, timed out) is Unavailable
// with a message that names the server, e.g.
// "redis 127.0.0.1:6380: connection refused", or for a server that accepts
// connections but does not answer (stopped, stuck in a long script)
// "redis 127.0.0.1:6380: no answer within 1000 ms" ("no connection within
// 1000 ms" while connecting); the connection is then broken() and must not
// be used again. An error reply of the server is not a
// transport failure: Command returns it as a RedisReply of type kError and
// the connection stays usable (ReplyError turns it into a Status).
//
// Thread safety: a RedisConnection is used by one thread at a time. A
// RedisPool may be used from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct redisContext;

namespace vigil {

// Where a Redis server is: parsed from "redis://[[user]:password@]host[:port][/db]".
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string username;  // empty: the default user
  std::string password;  // empty: no AUTH
  int db = 0;

  // "host:port", as error messages name the server.
  std::string Describe() const;
};

// InvalidArgument naming the problem for anything but a redis:// URL with a
// host, a port in 1..65535 and a database number >= 0 ("rediss://" TLS and
// unix sockets are not supported).
Result<RedisEndpoint> ParseRedisUrl(std::string_view url);

// A reply, copied out of hiredis. RESP2 types only.
struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // The element at `i` of an array, or a nil reply when there is none.
  const RedisReply& at(size_t i) const;
  // kString/kStatus as text, kInteger in decimal, "" otherwise.
  std::string AsString() const;
  // kInteger, or a kString of decimal digits; `fallback` otherwise.
  int64_t AsInt(int64_t fallback = 0) const;
};

class RedisConnection {
 public:
  // Connects within `connect_timeout_ms`, authenticates, selects the
  // database and, when `client_name` is not empty, names the connection
  // (CLIENT SETNAME). Commands time out after `command_timeout_ms` (0: never).
  static Result<std::unique_ptr<RedisConnection>> Connect(const RedisEndpoint& endpoint,
                                                          int64_t connect_timeout_ms,
                                                          int64_t command_timeout_ms,
                                                          std::string_view client_name = "");
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command and reads its reply (see the error contract above).
  Result<RedisReply> Command(const std::vector<std::string>& argv);

  // Sets how long a command may wait for its reply (0: forever).
  Status SetCommandTimeout(int64_t ms);
  // For a blocking command that waits `wait_ms` on the server: its reply may
  // take that long plus `margin_ms` (a timeout then says "no answer within
  // <margin> ms after its wait of <wait> ms").
  Status SetBlockingTimeout(int64_t wait_ms, int64_t margin_ms);

  // CLIENT SETNAME, unless the connection already has that name.
  Status SetName(std::string_view name);

  const RedisEndpoint& endpoint() const { return endpoint_; }
  // True after a transport failure.
  bool broken() const { return broken_; }

 private:
  RedisConnection(redisContext* context, RedisEndpoint endpoint);
  Status TransportError();

  redisContext* context_;
  const RedisEndpoint endpoint_;
  std::string name_;
  int64_t command_timeout_ms_ = 0;
  int64_t blocking_wait_ms_ = 0;  // of the timeout set last, the part that is a wait
  bool broken_ = false;
};

// The Status for an error reply: "redis HOST:PORT: <server message>",
// Unavailable for the server's "try later" errors (LOADING, BUSY, READONLY,
// OOM, MASTERDOWN, TRYAGAIN, CLUSTERDOWN), Internal for anything else.
Status ReplyError(const RedisEndpoint& endpoint, const RedisReply& reply);

// Connections made on demand and reused: Acquire hands out an idle one or
// connects a new one; the Handle gives it back when it goes out of scope.
// A broken connection is dropped instead, and with it every idle one: a
// transport failure usually means the server went away (restart, stall),
// and the connections made before it would each fail once more on their
// next use. generation() counts those drops, so that holders of long-lived
// connections of their own (RedisQueue's blocking takes) can drop theirs too.
class RedisPool {
 public:
  RedisPool(RedisEndpoint endpoint, int64_t connect_timeout_ms, int64_t command_timeout_ms);

  class Handle {
   public:
    Handle(RedisPool* pool, std::unique_ptr<RedisConnection> connection, uint64_t generation)
        : pool_(pool), connection_(std::move(connection)), generation_(generation) {}
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = delete;
    ~Handle();
    RedisConnection* operator->() const { return connection_.get(); }
    RedisConnection* get() const { return connection_.get(); }

   private:
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> connection_;
    uint64_t generation_;  // the pool's when the connection was made
  };

  Result<Handle> Acquire();
  const RedisEndpoint& endpoint() const { return endpoint_; }

  // Bumped each time a broken connection made the pool drop its idle ones.
  uint64_t generation() const;
  // Drops the idle connections and bumps the generation (a connection
  // outside the pool broke).
  void DropIdle();

 private:
  void Release(std::unique_ptr<RedisConnection> connection, uint64_t generation);

  const RedisEndpoint endpoint_;
  const int64_t connect_timeout_ms_;
  const int64_t command_timeout_ms_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;
  std::vector<std::unique_ptr<RedisConnection>> idle_;  // all of generation_
};

}  // namespace vigil
