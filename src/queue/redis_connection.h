// RedisConnection: one synchronous hiredis connection, and RedisPool, a set
// of them shared by threads. The Redis queue backend (queue/redis_queue.h)
// talks to Redis only through these.
//
// Errors: a transport failure (refused, reset, timed out) is Unavailable
// with a message that names the server, e.g.
// "redis 127.0.0.1:6380: connection refused"; the connection is then
// broken() and must not be used again. An error reply of the server is not a
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

  // Sets how long a command may wait for its reply (0: forever); a blocking
  // command needs more than its own timeout.
  Status SetCommandTimeout(int64_t ms);

  // CLIENT SETNAME, unless the connection already has that name.
  Status SetName(std::string_view name);

  const RedisEndpoint& endpoint() const { return endpoint_; }
  // True after a transport failure.
  bool broken() const { return broken_; }

 private:
  RedisConnection(redisContext* context, RedisEndpoint endpoint);
  Status TransportError(const char* what);

  redisContext* context_;
  const RedisEndpoint endpoint_;
  std::string name_;
  bool broken_ = false;
};

// The Status for an error reply: "redis HOST:PORT: <server message>",
// Unavailable for the server's "try later" errors (LOADING, BUSY, READONLY,
// OOM, MASTERDOWN, TRYAGAIN, CLUSTERDOWN), Internal for anything else.
Status ReplyError(const RedisEndpoint& endpoint, const RedisReply& reply);

// Connections made on demand and reused: Acquire hands out an idle one or
// connects a new one; the Handle gives it back when it goes out of scope
// (a broken connection is dropped instead).
class RedisPool {
 public:
  RedisPool(RedisEndpoint endpoint, int64_t connect_timeout_ms, int64_t command_timeout_ms);

  class Handle {
   public:
    Handle(RedisPool* pool, std::unique_ptr<RedisConnection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Handle(Handle&&) = default;
    Handle& operator=(Handle&&) = delete;
    ~Handle();
    RedisConnection* operator->() const { return connection_.get(); }
    RedisConnection* get() const { return connection_.get(); }

   private:
    RedisPool* pool_;
    std::unique_ptr<RedisConnection> connection_;
  };

  Result<Handle> Acquire();
  const RedisEndpoint& endpoint() const { return endpoint_; }

 private:
  void Release(std::unique_ptr<RedisConnection> connection);

  const RedisEndpoint endpoint_;
  const int64_t connect_timeout_ms_;
  const int64_t command_timeout_ms_;
  std::mutex mu_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;
};

}  // namespace vigil
