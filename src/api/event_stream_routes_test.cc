// The live event stream (GET /api/v1/events/stream): first through
// Api::Handle, stepping the stream by hand (what it sends, whom it shows,
// where it starts); then served over loopback to a raw socket client, as a
// browser's EventSource would read it (pieces over time, keep-alive
// comments, reconnecting, the stream ending, the server stopping, the cap).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api/http_server.h"
#include "api/raw_http_client.h"
#include "events/outbox.h"
#include "store/api_tokens.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::ApiFixture;
using testing::RawHttpConnection;
using testing::RawResponse;

constexpr const char kPath[] = "/api/v1/events/stream";

// One message of the stream as a client parses it: its fields, or the
// text of a comment line.
struct Message {
  std::string id;
  std::string event;
  std::string data;
  std::string retry;
  std::string comment;
};

// The messages of `text`, each ended by an empty line (a trailing
// unfinished one is left out).
std::vector<Message> Parse(const std::string& text) {
  std::vector<Message> out;
  size_t at = 0;
  for (size_t end = text.find("\n\n"); end != std::string::npos; end = text.find("\n\n", at)) {
    Message m;
    const std::string block = text.substr(at, end - at) + "\n";
    for (size_t line = 0, next; (next = block.find('\n', line)) != std::string::npos;
         line = next + 1) {
      const std::string l = block.substr(line, next - line);
      const size_t colon = l.find(": ");
      const std::string field = l.substr(0, colon);
      const std::string value = colon == std::string::npos ? "" : l.substr(colon + 2);
      if (field.empty()) m.comment = value;
      if (field == "id") m.id = value;
      if (field == "event") m.event = value;
      if (field == "data") m.data = value;
      if (field == "retry") m.retry = value;
    }
    out.push_back(m);
    at = end + 2;
  }
  return out;
}

// "<id> <type> <tenant>" of each event message (not retry, reset or comments).
std::vector<std::string> Events(const std::string& text) {
  std::vector<std::string> out;
  for (const Message& m : Parse(text)) {
    if (m.event.empty() || m.event == "reset") continue;
    const nlohmann::json data = nlohmann::json::parse(m.data, nullptr, false);
    out.push_back(m.id + " " + m.event + " " + (data.is_object() ? data.value("tenant", "?") : "?"));
  }
  return out;
}

class EventStreamTest : public ::testing::Test {
 protected:
  EventStreamTest() : f_(testing::Unlimited()) {}

  void SetUp() override {
    admin_ = f_.AdminToken();
    token_a_ = f_.TenantToken("alpha", "alpha-console");
    token_b_ = f_.TenantToken("bravo", "bravo-console");
    a_ = TenantId("alpha");
    b_ = TenantId("bravo");
  }

  int64_t TenantId(const std::string& name) {
    Result<std::optional<TenantRow>> row = FindTenant(f_.db(), name);
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? (*row)->id : 0;
  }

  // Appends one event of `tenant` through the outbox, as a reconcile does;
  // returns "<id> <type> <tenant name>" as Events() shows it.
  // `pad`, when given, makes the payload that much larger.
  std::string Append(int64_t tenant, const std::string& type = "alert.opened",
                     const std::string& pad = "") {
    Event e;
    e.type = type;
    e.tenant_id = tenant;
    e.trace_id = "trace-" + std::to_string(++appended_);
    e.at = f_.clock()->NowMs();
    nlohmann::json payload = {{"tenant_id", tenant}, {"alert_id", appended_}};
    if (!pad.empty()) payload["pad"] = pad;
    e.payload = payload.dump();
    Status s = AppendEvents(f_.db(), {e});
    EXPECT_TRUE(s.ok()) << s.ToString();
    Result<int64_t> id = NewestEventId(f_.db());
    EXPECT_TRUE(id.ok());
    return std::to_string(id.ok() ? *id : 0) + " " + type + " " + (tenant == a_ ? "alpha" : "bravo");
  }

  void Revoke(const std::string& token_name) {
    Result<std::vector<ApiTokenRow>> tokens = ListApiTokens(f_.db());
    ASSERT_TRUE(tokens.ok());
    for (const ApiTokenRow& t : *tokens) {
      if (t.name == token_name) {
        ASSERT_TRUE(RevokeApiToken(f_.db(), t.id, f_.clock()->NowMs()).ok());
      }
    }
  }

  // Five events of A; the first three published, routed and pruned.
  void AppendFiveAndPruneThreeOldest(std::vector<int64_t>* ids) {
    for (int i = 0; i < 5; ++i) {
      const std::string e = Append(a_);
      ids->push_back(std::stoll(e.substr(0, e.find(' '))));
    }
    const TimeMs now = f_.clock()->NowMs();
    const std::vector<int64_t> old = {(*ids)[0], (*ids)[1], (*ids)[2]};
    ASSERT_TRUE(MarkPublished(f_.db(), old, now).ok());
    ASSERT_TRUE(MarkRouted(f_.db(), old, now).ok());
    Result<int64_t> pruned = PrunePublishedEvents(f_.db(), now + 1);
    ASSERT_TRUE(pruned.ok());
    ASSERT_EQ(*pruned, 3);
  }

  // The stream's head and first piece, then `steps` steps.
  std::string Read(ApiResponse& r, int steps = 1) {
    std::string text = r.body;
    for (int i = 0; i < steps && r.stream; ++i) text += r.stream->Next(f_.db()).text;
    return text;
  }

  ApiFixture f_;
  std::string admin_, token_a_, token_b_;
  int64_t a_ = 0, b_ = 0;
  int appended_ = 0;
};

TEST_F(EventStreamTest, OpensWithRetryAndTheNewestIdThenShowsOnlyNewEvents) {
  Append(a_);
  const std::string before = Append(a_);
  ApiResponse r = f_.Call("GET", kPath, token_a_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/event-stream");
  EXPECT_EQ(r.headers, (std::vector<std::pair<std::string, std::string>>{
                           {"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}}));
  const std::string newest = before.substr(0, before.find(' '));
  EXPECT_EQ(r.body, "retry: 2000\nid: " + newest + "\n\n");
  ASSERT_NE(r.stream, nullptr);
  EXPECT_EQ(r.stream->Next(f_.db()).text, "") << "events from before the connection";
  const std::string e1 = Append(a_, "alert.resolved");
  const std::string e2 = Append(a_, "sync.completed");
  const std::string text = r.stream->Next(f_.db()).text;
  EXPECT_EQ(Events(text), (std::vector<std::string>{e1, e2}));
  // Each as id, event and data on one line each, then an empty line.
  const std::string id1 = e1.substr(0, e1.find(' '));
  EXPECT_EQ(text.substr(0, text.find("\n\n") + 2),
            "id: " + id1 + "\nevent: alert.resolved\ndata: {\"alert_id\":3,\"tenant\":\"alpha\","
            "\"tenant_id\":" + std::to_string(a_) + "}\n\n");
  EXPECT_EQ(r.stream->Next(f_.db()).text, "") << "an event twice";
  EXPECT_EQ(r.stream->Heartbeat(), ": keep-alive\n\n");
}

TEST_F(EventStreamTest, ATenantTokenSeesItsOwnTenantOnlyAndAnAdminEveryOne) {
  ApiResponse as_a = f_.Call("GET", kPath, token_a_);
  ApiResponse as_admin = f_.Call("GET", kPath, admin_);
  ApiResponse admin_on_b = f_.Call("GET", std::string(kPath) + "?tenant=bravo", admin_);
  ApiResponse a_on_a = f_.Call("GET", std::string(kPath) + "?tenant=alpha", token_a_);
  for (ApiResponse* r : {&as_a, &as_admin, &admin_on_b, &a_on_a}) ASSERT_EQ(r->status, 200);
  const std::string b1 = Append(b_), a1 = Append(a_), b2 = Append(b_), a2 = Append(a_);
  EXPECT_EQ(Events(Read(as_a)), (std::vector<std::string>{a1, a2}));
  EXPECT_EQ(Events(Read(a_on_a)), (std::vector<std::string>{a1, a2}));
  EXPECT_EQ(Events(Read(as_admin)), (std::vector<std::string>{b1, a1, b2, a2}));
  EXPECT_EQ(Events(Read(admin_on_b)), (std::vector<std::string>{b1, b2}));
}

TEST_F(EventStreamTest, AnotherTenantAnswersAsAMissingOne) {
  ApiResponse other = f_.Call("GET", std::string(kPath) + "?tenant=bravo", token_a_);
  ApiResponse missing = f_.Call("GET", std::string(kPath) + "?tenant=nobody", token_a_);
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.stream, nullptr);
  EXPECT_EQ(testing::Message(other), "tenant \"bravo\" not found");
  EXPECT_EQ(testing::Message(missing), "tenant \"nobody\" not found");
}

TEST_F(EventStreamTest, TypeFiltersByTypeOrFamily) {
  ApiResponse family = f_.Call("GET", std::string(kPath) + "?type=alert.*", admin_);
  ApiResponse one = f_.Call("GET", std::string(kPath) + "?type=sync.failed", admin_);
  ApiResponse every = f_.Call("GET", std::string(kPath) + "?type=*", admin_);
  const std::string opened = Append(a_, "alert.opened");
  const std::string synced = Append(b_, "sync.failed");
  const std::string resolved = Append(a_, "alert.resolved");
  EXPECT_EQ(Events(Read(family)), (std::vector<std::string>{opened, resolved}));
  EXPECT_EQ(Events(Read(one)), (std::vector<std::string>{synced}));
  EXPECT_EQ(Events(Read(every)), (std::vector<std::string>{opened, synced, resolved}));
}

TEST_F(EventStreamTest, AMalformedStartOrTypeIs400BeforeAnyStream) {
  Append(a_);
  const std::vector<std::pair<std::string, std::string>> bad_ids = {
      {"abc", "Last-Event-ID: \"abc\" is not an event id (a whole number >= 0)"},
      {"-1", "Last-Event-ID: \"-1\" is not an event id (a whole number >= 0)"},
      {"12x", "Last-Event-ID: \"12x\" is not an event id (a whole number >= 0)"},
      {"99999999999999999999", "Last-Event-ID: \"99999999999999999999\" is not an event id "
                               "(a whole number >= 0)"}};
  for (const auto& [id, message] : bad_ids) {
    ApiRequest request;
    request.method = "GET";
    request.path = kPath;
    request.headers["authorization"] = "Bearer " + token_a_;
    request.headers["last-event-id"] = id;
    ApiResponse r = f_.api()->Handle(request);
    EXPECT_EQ(r.status, 400) << id;
    EXPECT_EQ(r.stream, nullptr);
    EXPECT_EQ(testing::Message(r), message);
  }
  ApiResponse query = f_.Call("GET", std::string(kPath) + "?last_event_id=1.5", token_a_);
  EXPECT_EQ(query.status, 400);
  EXPECT_EQ(testing::Message(query),
            "last_event_id: \"1.5\" is not an event id (a whole number >= 0)");
  for (const std::string type : {"alert*", "*.opened", "alert..opened", "Alert.opened", "."}) {
    ApiResponse r = f_.Call("GET", std::string(kPath) + "?type=" + type, token_a_);
    EXPECT_EQ(r.status, 400) << type;
    EXPECT_EQ(testing::Message(r), "type: \"" + type +
                                       "\" is not an event type (\"alert.opened\"), a family "
                                       "(\"alert.*\") or \"*\"");
  }
}

TEST_F(EventStreamTest, LastEventIdResumesRightAfterItAndTheHeaderWinsOverTheQuery) {
  Append(a_);
  const std::string seen = Append(a_);
  const std::string e1 = Append(b_), e2 = Append(a_), e3 = Append(a_);
  const std::string seen_id = seen.substr(0, seen.find(' '));
  ApiRequest request;
  request.method = "GET";
  request.path = kPath;
  request.query = {{"last_event_id", "0"}};
  request.headers["authorization"] = "Bearer " + token_a_;
  request.headers["last-event-id"] = seen_id;
  ApiResponse r = f_.api()->Handle(request);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Parse(r.body).at(0).id, seen_id);
  EXPECT_EQ(Events(Read(r)), (std::vector<std::string>{e2, e3}));

  ApiResponse from_query = f_.Call("GET", std::string(kPath) + "?last_event_id=" + seen_id, admin_);
  EXPECT_EQ(Events(Read(from_query)), (std::vector<std::string>{e1, e2, e3}));
}

TEST_F(EventStreamTest, AStartWhoseFollowersWerePrunedOpensWithResetThenGoesOnFromTheNewest) {
  std::vector<int64_t> ids;
  ASSERT_NO_FATAL_FAILURE(AppendFiveAndPruneThreeOldest(&ids));

  // After ids[0]: ids[1] and ids[2] are gone.
  ApiResponse r = f_.Call("GET", std::string(kPath) + "?last_event_id=" + std::to_string(ids[0]),
                          token_a_);
  ASSERT_EQ(r.status, 200);
  const std::vector<Message> head = Parse(r.body);
  ASSERT_EQ(head.size(), 2u) << r.body;
  EXPECT_EQ(head[0].retry, "2000");
  EXPECT_EQ(head[1].event, "reset");
  EXPECT_EQ(head[1].id, std::to_string(ids[4]));
  EXPECT_EQ(head[1].data, "{\"reason\":\"events after " + std::to_string(ids[0]) +
                              " were pruned; reload\"}");
  const std::string later = Append(a_);
  EXPECT_EQ(Events(Read(r)), (std::vector<std::string>{later}));

  // After ids[2] nothing is missing: ids[3] on.
  ApiResponse whole = f_.Call(
      "GET", std::string(kPath) + "?last_event_id=" + std::to_string(ids[2]), token_a_);
  EXPECT_EQ(whole.body.find("reset"), std::string::npos) << whole.body;
  EXPECT_EQ(Events(Read(whole)).size(), 3u);

  // An id newer than any here (the outbox was emptied, or another database).
  ApiResponse ahead = f_.Call("GET", std::string(kPath) + "?last_event_id=999999", token_a_);
  EXPECT_EQ(Parse(ahead.body).at(1).data,
            "{\"reason\":\"event 999999 is newer than any here (the newest is " +
                later.substr(0, later.find(' ')) + "); reload\"}");
}

TEST_F(EventStreamTest, ARevokedTokenEndsTheStreamAtItsNextStep) {
  ApiResponse r = f_.Call("GET", kPath, token_a_);
  ASSERT_EQ(r.status, 200);
  Append(a_);
  StreamChunk first = r.stream->Next(f_.db());
  EXPECT_FALSE(first.end);
  EXPECT_EQ(Events(first.text).size(), 1u);
  Revoke("alpha-console");
  Append(a_);
  StreamChunk after = r.stream->Next(f_.db());
  EXPECT_TRUE(after.end);
  EXPECT_EQ(after.text, "");
}

TEST_F(EventStreamTest, AFullBatchSaysMoreIsReady) {
  ApiResponse r = f_.Call("GET", kPath, token_a_);
  for (int i = 0; i < 501; ++i) Append(a_);
  StreamChunk first = r.stream->Next(f_.db());
  EXPECT_TRUE(first.more);
  EXPECT_EQ(Events(first.text).size(), 500u);
  StreamChunk second = r.stream->Next(f_.db());
  EXPECT_FALSE(second.more);
  EXPECT_EQ(Events(second.text).size(), 1u);
}

// ---- served over loopback ---------------------------------------------------

constexpr int kPromptlyMs = 3000;

// Waits until what arrived holds `needle`; false when it did not within
// `timeout_ms` or the connection ended first.
bool WaitFor(RawHttpConnection* c, const std::string& needle, int timeout_ms = kPromptlyMs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (c->pending().find(needle) == std::string::npos) {
    if (c->closed() || std::chrono::steady_clock::now() >= deadline) return false;
    c->WaitClosed(10);
  }
  return true;
}

class ServedEventStreamTest : public EventStreamTest {
 protected:
  // Serves the Api on a free port; streams polled every 20 ms unless
  // `options` says otherwise.
  int Serve(HttpServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(f_.api(), options);
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    if (!server.ok()) return 0;
    server_ = std::move(*server);
    return server_->port();
  }
  static HttpServerOptions Fast() {
    HttpServerOptions options;
    options.stream_poll_ms = 20;
    return options;
  }

  // A client that asked for the stream (with `headers`, lines ending in
  // \r\n) and read its head; the body goes on arriving in pending().
  std::unique_ptr<RawHttpConnection> Open(const std::string& token, const std::string& headers = "",
                                          RawResponse* head = nullptr) {
    auto c = RawHttpConnection::Connect(port_);
    EXPECT_NE(c, nullptr);
    if (!c) return nullptr;
    EXPECT_TRUE(c->Send(std::string("GET ") + kPath + " HTTP/1.1\r\nHost: vigil\r\n" +
                        "Authorization: Bearer " + token + "\r\n" + headers + "\r\n"));
    std::optional<RawResponse> r = c->ReadResponse(kPromptlyMs);
    EXPECT_TRUE(r.has_value());
    if (r && head != nullptr) *head = *r;
    if (r && r->status == 200) {
      EXPECT_TRUE(WaitFor(c.get(), "retry: 2000\n")) << c->pending();
    }
    return c;
  }

  int port_ = 0;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ServedEventStreamTest, ATenantsStreamShowsItsNewEventsAndNeverAnothersWhileAdminSeesAll) {
  port_ = Serve(Fast());
  Append(a_);
  RawResponse head;
  auto as_a = Open(token_a_, "", &head);
  auto as_admin = Open(admin_);
  ASSERT_TRUE(as_a && as_admin);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-type"), "text/event-stream");
  EXPECT_EQ(head.Header("cache-control"), "no-store");
  EXPECT_EQ(head.Header("x-accel-buffering"), "no");
  EXPECT_EQ(head.Header("connection"), "close");
  EXPECT_EQ(head.Header("content-length"), "");
  EXPECT_EQ(head.Header("transfer-encoding"), "");
  // Written while both streams are open, one at a time.
  std::vector<std::string> all, only_a;
  for (int i = 0; i < 3; ++i) {
    all.push_back(Append(b_));
    const std::string a = Append(a_);
    all.push_back(a);
    only_a.push_back(a);
    ASSERT_TRUE(WaitFor(as_a.get(), "id: " + a.substr(0, a.find(' ')) + "\n")) << as_a->pending();
  }
  const std::string last = all.back();
  ASSERT_TRUE(WaitFor(as_admin.get(), "id: " + last.substr(0, last.find(' ')) + "\n"));
  as_a->WaitClosed(100);  // anything more would show by now
  EXPECT_EQ(Events(as_a->pending()), only_a);
  EXPECT_EQ(as_a->pending().find("bravo"), std::string::npos) << as_a->pending();
  EXPECT_EQ(Events(as_admin->pending()), all);
}

TEST_F(ServedEventStreamTest, AClientThatReconnectsWithLastEventIdMissesNothingAndSeesNothingTwice) {
  port_ = Serve(Fast());
  auto first = Open(token_a_);
  ASSERT_TRUE(first);
  const std::string a1 = Append(a_), a2 = Append(a_), a3 = Append(a_);
  ASSERT_TRUE(WaitFor(first.get(), "id: " + a3.substr(0, a3.find(' ')) + "\n"));
  EXPECT_EQ(Events(first->pending()), (std::vector<std::string>{a1, a2, a3}));
  // What EventSource remembers: the id of the last message.
  std::string last_id;
  for (const Message& m : Parse(first->pending())) {
    if (!m.id.empty()) last_id = m.id;
  }
  first.reset();  // the connection drops; events go on meanwhile
  const std::string a4 = Append(a_);
  Append(b_);
  const std::string a5 = Append(a_);
  auto again = Open(token_a_, "Last-Event-ID: " + last_id + "\r\n");
  ASSERT_TRUE(again);
  const std::string a6 = Append(a_);
  ASSERT_TRUE(WaitFor(again.get(), "id: " + a6.substr(0, a6.find(' ')) + "\n"));
  again->WaitClosed(100);
  EXPECT_EQ(Events(again->pending()), (std::vector<std::string>{a4, a5, a6}));
}

TEST_F(ServedEventStreamTest, APrunedStartGetsResetBeforeAnyEvent) {
  port_ = Serve(Fast());
  std::vector<int64_t> ids;
  ASSERT_NO_FATAL_FAILURE(AppendFiveAndPruneThreeOldest(&ids));
  auto c = Open(token_a_, "Last-Event-ID: " + std::to_string(ids[0]) + "\r\n");
  ASSERT_TRUE(c);
  const std::string later = Append(a_);
  ASSERT_TRUE(WaitFor(c.get(), "id: " + later.substr(0, later.find(' ')) + "\n"));
  std::vector<std::string> kinds;
  for (const Message& m : Parse(c->pending())) kinds.push_back(m.retry.empty() ? m.event : "retry");
  EXPECT_EQ(kinds, (std::vector<std::string>{"retry", "reset", "alert.opened"})) << c->pending();
}

TEST_F(ServedEventStreamTest, KeepAliveCommentsFillTheSilences) {
  HttpServerOptions options = Fast();
  options.stream_keepalive_ms = 100;
  options.idle_timeout_ms = 50;  // a stream is not idle
  options.request_timeout_ms = 50;
  port_ = Serve(options);
  auto c = Open(token_a_);
  ASSERT_TRUE(c);
  c->WaitClosed(700);
  EXPECT_FALSE(c->closed());
  int comments = 0;
  for (const Message& m : Parse(c->pending())) comments += m.comment == "keep-alive" ? 1 : 0;
  EXPECT_GE(comments, 3) << c->pending();
  EXPECT_LE(comments, 8) << c->pending();
  const std::string a = Append(a_);
  EXPECT_TRUE(WaitFor(c.get(), "id: " + a.substr(0, a.find(' ')) + "\n"));
}

TEST_F(ServedEventStreamTest, ARevokedTokenEndsTheStream) {
  port_ = Serve(Fast());
  auto c = Open(token_a_);
  ASSERT_TRUE(c);
  c->WaitClosed(100);
  EXPECT_FALSE(c->closed());
  Revoke("alpha-console");
  EXPECT_TRUE(c->WaitClosed(kPromptlyMs));
}

TEST_F(ServedEventStreamTest, AClientThatStopsReadingIsClosedAfterTheWriteTimeout) {
  HttpServerOptions options = Fast();
  options.write_timeout_ms = 300;
  options.max_streams = 1;  // the stream's slot frees when the server closes it
  port_ = Serve(options);
  auto c = Open(token_a_);
  ASSERT_TRUE(c);
  // 25 MiB of events: more than the socket buffers on both sides hold.
  const std::string pad(64 * 1024, 'x');
  for (int i = 0; i < 400; ++i) Append(a_, "alert.updated", pad);
  // Not reading from `c` (reading would let the server go on): wait until a
  // second stream is let in, which is when the server has closed the first.
  // Slow builds take a while to write what the buffers hold.
  bool admitted = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!admitted && std::chrono::steady_clock::now() < deadline) {
    RawResponse head;
    auto second = Open(token_b_, "", &head);
    admitted = second != nullptr && head.status == 200;
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(admitted) << "the server never closed the stalled stream";
  EXPECT_TRUE(c->WaitClosed(kPromptlyMs));
  EXPECT_LT(c->pending().size(), 400 * pad.size()) << "the server waited for the client";
}

TEST_F(ServedEventStreamTest, StopReturnsPromptlyWithStreamsOpen) {
  port_ = Serve(HttpServerOptions{});  // the default poll interval: 1 s
  auto a = Open(token_a_);
  auto b = Open(token_b_);
  auto admin = Open(admin_);
  ASSERT_TRUE(a && b && admin);
  const auto start = std::chrono::steady_clock::now();
  server_->Stop();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)
                        .count();
  EXPECT_LT(took, 1000);
  for (RawHttpConnection* c : {a.get(), b.get(), admin.get()}) EXPECT_TRUE(c->WaitClosed(1000));
}

TEST_F(ServedEventStreamTest, StreamsBeyondTheCapAre503AndAClosedOneFreesItsPlace) {
  HttpServerOptions options = Fast();
  options.max_streams = 2;
  port_ = Serve(options);
  auto first = Open(token_a_);
  auto second = Open(admin_);
  ASSERT_TRUE(first && second);
  RawResponse refused;
  auto third = Open(token_b_, "", &refused);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.Json()["error"]["code"], "unavailable");
  EXPECT_EQ(refused.Json()["error"]["message"],
            "streams: 2 are open, the most this server allows; retry later");
  // Requests that are not streams go on.
  ASSERT_TRUE(third->Send("GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n"));
  std::optional<RawResponse> health = third->ReadResponse(kPromptlyMs);
  ASSERT_TRUE(health.has_value());
  EXPECT_EQ(health->status, 200);

  first.reset();  // the server sees the client close and frees its place
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    RawResponse head;
    auto next = Open(token_b_, "", &head);
    status = head.status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
}

TEST_F(ServedEventStreamTest, AMalformedLastEventIdIs400AndNoStream) {
  port_ = Serve(Fast());
  RawResponse r;
  auto c = Open(token_a_, "Last-Event-ID: yesterday\r\n", &r);
  ASSERT_TRUE(c);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Json()["error"]["message"],
            "Last-Event-ID: \"yesterday\" is not an event id (a whole number >= 0)");
  Append(a_);
  c->WaitClosed(100);
  EXPECT_EQ(c->pending(), "");
}

}  // namespace
}  // namespace vigil
