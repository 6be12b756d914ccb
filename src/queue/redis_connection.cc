#include "queue/redis_connection.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace vigil {
namespace {

timeval ToTimeval(int64_t ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

// hiredis's error text in our words: lower case, and its unclear ones
// spelled out. A read that timed out is EAGAIN to hiredis ("Resource
// temporarily unavailable"), a connect that timed out ETIMEDOUT; both are
// said with the timeout that ran out.
std::string DescribeHiredisError(const redisContext* c, int64_t timeout_ms, bool connecting) {
  std::string text = c->errstr[0] ? c->errstr : "unknown error";
  if (c->err == REDIS_ERR_EOF) return "connection closed by the server";
  if (text == std::strerror(EAGAIN) || text == std::strerror(EWOULDBLOCK) ||
      text == std::strerror(ETIMEDOUT)) {
    return std::string(connecting ? "no connection" : "no answer") + " within " +
           std::to_string(timeout_ms) + " ms";
  }
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

RedisReply Copy(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Copy(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

std::string RedisEndpoint::Describe() const { return host + ":" + std::to_string(port); }

Result<RedisEndpoint> ParseRedisUrl(std::string_view url) {
  const std::string what = "redis URL \"" + std::string(url) + "\"";
  auto bad = [&](const std::string& why) { return Status::InvalidArgument(what + ": " + why); };
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, 9) == "rediss://") return bad("TLS (rediss://) is not supported");
  if (url.substr(0, kScheme.size()) != kScheme) return bad("expected redis://host:port");
  std::string_view rest = url.substr(kScheme.size());
  RedisEndpoint e;
  size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = auth.find(':');
    if (colon == std::string_view::npos) {
      e.password = PercentDecode(auth);
    } else {
      e.username = PercentDecode(auth.substr(0, colon));
      e.password = PercentDecode(auth.substr(colon + 1));
    }
  }
  std::string_view hostport = rest;
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      int64_t n = 0;
      if (!ParseInt(db, &n) || n < 0 || n > 1000000) return bad("database must be a number >= 0");
      e.db = static_cast<int>(n);
    }
  }
  size_t colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(']') == std::string_view::npos) {
    int64_t port = 0;
    if (!ParseInt(hostport.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return bad("port must be a number in 1..65535");
    }
    e.port = static_cast<int>(port);
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return bad("no host");
  e.host = std::string(hostport);
  return e;
}

const RedisReply& RedisReply::at(size_t i) const {
  static const RedisReply kNil;
  return i < elements.size() ? elements[i] : kNil;
}

std::string RedisReply::AsString() const {
  switch (type) {
    case Type::kString:
    case Type::kStatus:
      return str;
    case Type::kInteger:
      return std::to_string(integer);
    default:
      return "";
  }
}

int64_t RedisReply::AsInt(int64_t fallback) const {
  if (type == Type::kInteger) return integer;
  int64_t n = 0;
  if (type == Type::kString && ParseInt(str, &n)) return n;
  return fallback;
}

RedisConnection::RedisConnection(redisContext* context, RedisEndpoint endpoint)
    : context_(context), endpoint_(std::move(endpoint)) {}

RedisConnection::~RedisConnection() {
  if (context_) redisFree(context_);
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::Connect(const RedisEndpoint& endpoint,
                                                                  int64_t connect_timeout_ms,
                                                                  int64_t command_timeout_ms,
                                                                  std::string_view client_name) {
  redisContext* c =
      redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, ToTimeval(connect_timeout_ms));
  if (c == nullptr) {
    return Status::Unavailable("redis " + endpoint.Describe() + ": cannot allocate a connection");
  }
  if (c->err) {
    Status s = Status::Unavailable("redis " + endpoint.Describe() + ": " +
                                   DescribeHiredisError(c, connect_timeout_ms, true));
    redisFree(c);
    return s;
  }
  std::unique_ptr<RedisConnection> conn(new RedisConnection(c, endpoint));
  VIGIL_RETURN_IF_ERROR(conn->SetCommandTimeout(command_timeout_ms));
  auto run = [&](std::vector<std::string> argv) -> Status {
    VIGIL_ASSIGN_OR_RETURN(RedisReply reply, conn->Command(argv));
    if (reply.is_error()) return ReplyError(endpoint, reply).Prefixed(argv[0]);
    return Status::Ok();
  };
  if (!endpoint.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    VIGIL_RETURN_IF_ERROR(run(std::move(auth)));
  }
  if (endpoint.db != 0) VIGIL_RETURN_IF_ERROR(run({"SELECT", std::to_string(endpoint.db)}));
  if (!client_name.empty()) VIGIL_RETURN_IF_ERROR(conn->SetName(client_name));
  return conn;
}

Status RedisConnection::SetCommandTimeout(int64_t ms) {
  // A zero timeval means "no timeout" to hiredis.
  if (redisSetTimeout(context_, ToTimeval(std::max<int64_t>(ms, 0))) != REDIS_OK) {
    return TransportError();
  }
  command_timeout_ms_ = std::max<int64_t>(ms, 0);
  blocking_wait_ms_ = 0;
  return Status::Ok();
}

Status RedisConnection::SetBlockingTimeout(int64_t wait_ms, int64_t margin_ms) {
  VIGIL_RETURN_IF_ERROR(SetCommandTimeout(wait_ms + margin_ms));
  blocking_wait_ms_ = wait_ms;
  return Status::Ok();
}

Status RedisConnection::SetName(std::string_view name) {
  if (name == name_) return Status::Ok();
  VIGIL_ASSIGN_OR_RETURN(RedisReply reply, Command({"CLIENT", "SETNAME", std::string(name)}));
  if (reply.is_error()) return ReplyError(endpoint_, reply).Prefixed("CLIENT SETNAME");
  name_ = std::string(name);
  return Status::Ok();
}

Result<RedisReply> RedisConnection::Command(const std::vector<std::string>& argv) {
  if (broken_) {
    return Status::Unavailable("redis " + endpoint_.Describe() + ": connection is broken");
  }
  std::vector<const char*> args;
  std::vector<size_t> lens;
  args.reserve(argv.size());
  lens.reserve(argv.size());
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  void* raw = redisCommandArgv(context_, static_cast<int>(args.size()), args.data(), lens.data());
  if (raw == nullptr) return TransportError();
  redisReply* reply = static_cast<redisReply*>(raw);
  RedisReply copy = Copy(reply);
  freeReplyObject(reply);
  return copy;
}

Status RedisConnection::TransportError() {
  broken_ = true;
  std::string why =
      DescribeHiredisError(context_, command_timeout_ms_ - blocking_wait_ms_, false);
  if (blocking_wait_ms_ > 0 && why.rfind("no answer", 0) == 0) {
    why += " after its wait of " + std::to_string(blocking_wait_ms_) + " ms";
  }
  return Status::Unavailable("redis " + endpoint_.Describe() + ": " + why);
}

Status ReplyError(const RedisEndpoint& endpoint, const RedisReply& reply) {
  std::string message = "redis " + endpoint.Describe() + ": " + reply.str;
  for (std::string_view busy :
       {"LOADING", "BUSY", "READONLY", "OOM", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"}) {
    if (reply.str.compare(0, busy.size(), busy) == 0) return Status::Unavailable(message);
  }
  return Status::Internal(message);
}

RedisPool::RedisPool(RedisEndpoint endpoint, int64_t connect_timeout_ms,
                     int64_t command_timeout_ms)
    : endpoint_(std::move(endpoint)),
      connect_timeout_ms_(connect_timeout_ms),
      command_timeout_ms_(command_timeout_ms) {}

RedisPool::Handle::~Handle() {
  if (connection_ && pool_) pool_->Release(std::move(connection_), generation_);
}

Result<RedisPool::Handle> RedisPool::Acquire() {
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = generation_;
    if (!idle_.empty()) {
      std::unique_ptr<RedisConnection> c = std::move(idle_.back());
      idle_.pop_back();
      return Handle(this, std::move(c), generation);
    }
  }
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<RedisConnection> c,
                         RedisConnection::Connect(endpoint_, connect_timeout_ms_,
                                                  command_timeout_ms_));
  return Handle(this, std::move(c), generation);
}

uint64_t RedisPool::generation() const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

void RedisPool::DropIdle() {
  std::vector<std::unique_ptr<RedisConnection>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++generation_;
    dropped.swap(idle_);
  }
}

void RedisPool::Release(std::unique_ptr<RedisConnection> connection, uint64_t generation) {
  std::vector<std::unique_ptr<RedisConnection>> dropped;  // closed outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  if (connection->broken()) {
    // The first failure of a generation drops the others made before it.
    if (generation == generation_) {
      ++generation_;
      dropped.swap(idle_);
    }
    return;
  }
  if (generation != generation_) return;
  idle_.push_back(std::move(connection));
}

}  // namespace vigil
