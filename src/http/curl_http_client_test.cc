#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/http_client.h"
#include "testing/server_process.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr char kBinary[] = "application/octet-stream";  // httplib never compresses it
constexpr size_t kMiB = size_t{1} << 20;

// A text body that compresses well: "line 0\nline 1\n...line 4999\n".
std::string Lines() {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + "\n";
  return text;
}

// A cpp-httplib server on 127.0.0.1 and a port the kernel picks. Handlers are
// registered on server() before Start; every request's client port is
// recorded, so a test can count the connections it was served on.
class LocalServer {
 public:
  LocalServer() {
    server_.new_task_queue = [] { return new httplib::ThreadPool(32); };
    server_.set_keep_alive_timeout(1);  // an idle connection does not hold up Stop for long
    server_.set_keep_alive_max_count(100000);  // httplib closes after 5 requests by default
    // Without it a small response waits ~40 ms: httplib writes headers and
    // body apart, and Nagle holds the body for the client's delayed ACK.
    server_.set_tcp_nodelay(true);
    server_.set_socket_options([this](socket_t sock) {
      httplib::default_socket_options(sock);
      listen_socket_ = sock;
    });
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response&) {
      std::lock_guard<std::mutex> lock(mu_);
      client_ports_.insert(req.remote_port);
      return httplib::Server::HandlerResponse::Unhandled;
    });
  }
  ~LocalServer() { Stop(); }

  httplib::Server& server() { return server_; }

  // Binds and serves on a thread; returns once the server runs (stop() does
  // nothing before that).
  void Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0) << "could not bind 127.0.0.1";
    // httplib listens with a backlog of 5: eight clients connecting at once
    // overflow it, and a dropped SYN is sent again only after a second.
    ASSERT_EQ(::listen(listen_socket_, 128), 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const auto deadline = steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(1));
    }
    ASSERT_TRUE(server_.is_running());
  }

  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  std::string Url(const std::string& path_and_query) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path_and_query;
  }

  std::set<int> ClientPorts() {
    std::lock_guard<std::mutex> lock(mu_);
    return client_ports_;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  socket_t listen_socket_ = -1;
  std::mutex mu_;
  std::set<int> client_ports_;  // guarded by mu_
};

// A latch a handler waits on, and a counter of bytes a content provider got
// onto the wire, with a flag for "it has finished".
struct ServerState {
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;      // the slow handler may answer
  bool provider_done = false;  // a streaming response has ended
  size_t bytes_written = 0;
  std::string content_type;    // of the last POST
  std::string form_secret;     // the client_secret field of the last POST, decoded
  std::string accept_encoding;  // of the last /text request

  void Release() {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
    cv.notify_all();
  }
  void ProviderDone() {
    std::lock_guard<std::mutex> lock(mu);
    provider_done = true;
    cv.notify_all();
  }
  // Whether the streaming response ended within 30 s; *bytes what it wrote.
  bool AwaitProviderDone(size_t* bytes) {
    std::unique_lock<std::mutex> lock(mu);
    const bool done = cv.wait_for(lock, std::chrono::seconds(30), [this] { return provider_done; });
    *bytes = bytes_written;
    return done;
  }
};

class CurlHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    httplib::Server& s = server_.server();
    s.Get("/headers", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Mixed-Case", "Yes");
      res.set_content(req.get_header_value("X-Custom") + "|" + req.get_header_value("Authorization"),
                      "text/plain");
    });
    s.Get(R"(/status/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.status = std::stoi(req.matches[1]);
      if (res.status == 429) res.set_header("Retry-After", "7");
      res.set_content("status " + std::string(req.matches[1]), "text/plain");
    });
    s.Get(R"(/sized/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::string(std::stoul(req.matches[1]), 'x'), kBinary);
    });
    s.Get("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("echo " + req.get_param_value("i"), "text/plain");
    });
    s.Get("/text", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(state_.mu);
        state_.accept_encoding = req.get_header_value("Accept-Encoding");
      }
      res.set_content(Lines(), "text/plain");
    });
    s.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/elsewhere", 302);
    });
    s.Post("/form", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(state_.mu);
        state_.content_type = req.get_header_value("Content-Type");
        state_.form_secret = req.get_param_value("client_secret");
      }
      res.set_content(req.body, kBinary);
    });
    s.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(state_.mu);
      state_.cv.wait_for(lock, std::chrono::seconds(30), [this] { return state_.released; });
      res.set_content("late", "text/plain");
    });
    // 64 MiB in 64 KiB chunks, no Content-Length; stops when a write fails.
    s.Get("/chunked-big", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider(
          kBinary, [this](size_t offset, httplib::DataSink& sink) { return Stream(offset, sink); },
          [this](bool) { state_.ProviderDone(); });
    });
    // Announces 64 MiB, sends 10 bytes and stalls until released: only a
    // client that believes the Content-Length refuses it before its timeout.
    s.Get("/announced-big", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(64 * kMiB, kBinary,
                               [this](size_t, size_t, httplib::DataSink& sink) {
                                 sink.write("0123456789", 10);
                                 std::unique_lock<std::mutex> lock(state_.mu);
                                 state_.cv.wait_for(lock, std::chrono::seconds(30),
                                                    [this] { return state_.released; });
                                 return false;
                               });
    });
    // Announces 1000 bytes, sends 100 and closes the connection.
    s.Get("/short", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(1000, kBinary, [](size_t, size_t, httplib::DataSink& sink) {
        sink.write(std::string(100, 'x').data(), 100);
        return false;
      });
    });
    server_.Start();
  }

  void TearDown() override {
    state_.Release();  // no handler may still be waiting when the server stops
    client_.reset();   // closes the client's connections
  }

  // Writes the chunk at `offset` of a 64 MiB stream.
  bool Stream(size_t offset, httplib::DataSink& sink) {
    static const std::string chunk(64 << 10, 'z');
    if (offset >= 64 * kMiB) {
      sink.done();
      return true;
    }
    if (!sink.write(chunk.data(), chunk.size())) return false;
    std::lock_guard<std::mutex> lock(state_.mu);
    state_.bytes_written += chunk.size();
    return true;
  }

  HttpClient* Client(const HttpClientOptions& options = {}) {
    auto client = NewCurlHttpClient(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (client.ok()) client_ = std::move(client).value();
    return client_.get();
  }

  HttpRequest Get(const std::string& path_and_query) {
    HttpRequest request;
    request.url = server_.Url(path_and_query);
    return request;
  }

  ServerState state_;
  LocalServer server_;
  std::unique_ptr<HttpClient> client_;  // after server_: it goes first
};

TEST_F(CurlHttpClientTest, GetSendsHeadersAndReturnsLowerCaseResponseHeaders) {
  HttpRequest request = Get("/headers");
  request.headers["X-Custom"] = "hello";
  request.headers["Authorization"] = "Bearer abc";
  Result<HttpResponse> response = Client()->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello|Bearer abc");
  EXPECT_EQ(response->headers["x-mixed-case"], "Yes");
  EXPECT_EQ(response->headers["content-type"], "text/plain");
  for (const auto& [name, value] : response->headers) {
    EXPECT_EQ(name.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos) << name;
  }
}

TEST_F(CurlHttpClientTest, EveryHttpStatusIsAResponse) {
  HttpClient* client = Client();
  for (int status : {200, 404, 429, 500, 503}) {
    Result<HttpResponse> response = client->Send(Get("/status/" + std::to_string(status)));
    ASSERT_TRUE(response.ok()) << status << ": " << response.status().ToString();
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->body, "status " + std::to_string(status));
    if (status == 429) {
      EXPECT_EQ(response->headers["retry-after"], "7");
    } else {
      EXPECT_EQ(response->headers.count("retry-after"), 0u) << status;
    }
  }
}

TEST_F(CurlHttpClientTest, RedirectIsReturnedNotFollowed) {
  Result<HttpResponse> response = Client()->Send(Get("/redirect"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 302);
  EXPECT_EQ(response->headers["location"], "/elsewhere");
}

TEST_F(CurlHttpClientTest, PostSendsAFormBodyIntact) {
  HttpRequest request = Get("/form");
  request.method = "POST";
  request.headers["Content-Type"] = "application/x-www-form-urlencoded";
  request.body = FormEncode({{"client_id", "app-1"},
                             {"client_secret", "s3cr=t&x y+%/~"},
                             {"scope", "https://graph.microsoft.com/.default"},
                             {"grant_type", "client_credentials"}});
  Result<HttpResponse> response = Client()->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, request.body);
  std::lock_guard<std::mutex> lock(state_.mu);
  EXPECT_EQ(state_.content_type, "application/x-www-form-urlencoded");
  EXPECT_EQ(state_.form_secret, "s3cr=t&x y+%/~");
}

TEST_F(CurlHttpClientTest, LargePostBodyArrivesIntact) {
  HttpRequest request = Get("/form");
  request.method = "POST";
  request.headers["Content-Type"] = kBinary;
  for (int i = 0; request.body.size() < 3 * kMiB; ++i) request.body += std::to_string(i) + ",";
  Result<HttpResponse> response = Client()->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(response->body == request.body) << "body of " << response->body.size() << " bytes";
}

TEST_F(CurlHttpClientTest, HeadAnnouncesALengthButNoBody) {
  HttpClientOptions options;
  options.max_body_bytes = 100;
  HttpRequest request = Get("/sized/5000");
  request.method = "HEAD";
  Result<HttpResponse> response = Client(options)->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->headers["content-length"], "5000");
  EXPECT_EQ(response->body, "");
}

TEST_F(CurlHttpClientTest, AcceptsGzipAndReturnsTheDecodedBody) {
  Result<HttpResponse> response = Client()->Send(Get("/text"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->headers["content-encoding"], "gzip");
  EXPECT_TRUE(response->body == Lines()) << "body of " << response->body.size() << " bytes";
  std::lock_guard<std::mutex> lock(state_.mu);
  EXPECT_EQ(state_.accept_encoding, "gzip");
}

TEST_F(CurlHttpClientTest, RequestsOwnAcceptEncodingReplacesTheOffer) {
  HttpRequest request = Get("/text");
  request.headers["Accept-Encoding"] = "identity";
  Result<HttpResponse> response = Client()->Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->headers.count("content-encoding"), 0u);
  EXPECT_TRUE(response->body == Lines()) << "body of " << response->body.size() << " bytes";
  std::lock_guard<std::mutex> lock(state_.mu);
  EXPECT_EQ(state_.accept_encoding, "identity");
}

TEST_F(CurlHttpClientTest, ClosedPortIsUnavailableNamingTheUrl) {
  const int port = testing::FreeLoopbackPort();
  ASSERT_GT(port, 0);
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/v1.0/users?$top=999";
  Result<HttpResponse> response = Client()->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  const std::string prefix =
      "GET http://127.0.0.1:" + std::to_string(port) + "/v1.0/users: could not connect: ";
  EXPECT_EQ(response.status().message().substr(0, prefix.size()), prefix)
      << response.status().message();
}

// A socket on 127.0.0.1 that listens but never accepts, with its backlog
// filled: a further connection attempt hangs (its SYN is dropped).
class FullListener {
 public:
  FullListener() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listener_, 0) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < 3; ++i) {
      const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      ::connect(filler, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
      fillers_.push_back(filler);
    }
  }
  ~FullListener() {
    for (int fd : fillers_) ::close(fd);
    if (listener_ >= 0) ::close(listener_);
  }
  int port() const { return port_; }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

TEST_F(CurlHttpClientTest, ConnectThatHangsTimesOutAfterTheConnectTimeout) {
  FullListener listener;
  ASSERT_GT(listener.port(), 0);
  HttpClientOptions options;
  options.connect_timeout_ms = 200;
  options.timeout_ms = 5000;
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/v1.0/users";
  Result<HttpResponse> response = Client(options)->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().ToString(),
            "unavailable: GET " + request.url + ": could not connect: timed out after 200 ms");
}

TEST_F(CurlHttpClientTest, SlowAnswerTimesOut) {
  HttpClientOptions options;
  options.timeout_ms = 300;
  Result<HttpResponse> response = Client(options)->Send(Get("/slow"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  EXPECT_EQ(response.status().message(), "GET " + server_.Url("/slow") + ": timed out after 300 ms");
}

TEST_F(CurlHttpClientTest, ChunkedBodyAboveTheLimitStopsTheTransfer) {
  HttpClientOptions options;
  options.max_body_bytes = kMiB;
  Result<HttpResponse> response = Client(options)->Send(Get("/chunked-big"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(response.status().message(),
            "GET " + server_.Url("/chunked-big") +
                ": response body is above the limit of 1048576 bytes");
  // The server's writes failed long before its 64 MiB were out: the client
  // hung up instead of reading (and dropping) the rest.
  size_t written = 0;
  ASSERT_TRUE(state_.AwaitProviderDone(&written)) << "the server is still streaming";
  EXPECT_LT(written, 32 * kMiB);
}

TEST_F(CurlHttpClientTest, AnnouncedLengthAboveTheLimitIsRefusedBeforeTheBody) {
  HttpClientOptions options;
  options.max_body_bytes = kMiB;
  options.timeout_ms = 5000;  // the server stalls: waiting for the body would time out
  Result<HttpResponse> response = Client(options)->Send(Get("/announced-big"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().ToString(),
            "invalid argument: GET " + server_.Url("/announced-big") +
                ": response body is above the limit of 1048576 bytes");
}

TEST_F(CurlHttpClientTest, BodyAtTheLimitIsAcceptedAndOneByteMoreIsNot) {
  HttpClientOptions options;
  options.max_body_bytes = 4096;
  HttpClient* client = Client(options);
  Result<HttpResponse> at_limit = client->Send(Get("/sized/4096"));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().ToString();
  EXPECT_EQ(at_limit->body.size(), 4096u);
  Result<HttpResponse> above = client->Send(Get("/sized/4097"));
  ASSERT_FALSE(above.ok());
  EXPECT_EQ(above.status().message(),
            "GET " + server_.Url("/sized/4097") + ": response body is above the limit of 4096 bytes");
  // The client still works after a refused body.
  Result<HttpResponse> again = client->Send(Get("/sized/10"));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->body, "xxxxxxxxxx");
}

TEST_F(CurlHttpClientTest, ConnectionClosedMidBodyIsUnavailable) {
  Result<HttpResponse> response = Client()->Send(Get("/short"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kUnavailable);
  EXPECT_EQ(response.status().message(),
            "GET " + server_.Url("/short") +
                ": connection closed mid-body: transfer closed with 900 bytes remaining to read");
}

TEST_F(CurlHttpClientTest, MessagesNeverCarryTheQueryOrTheAuthorizationValue) {
  HttpClientOptions options;
  options.timeout_ms = 300;
  options.max_body_bytes = kMiB;
  HttpClient* client = Client(options);
  const int closed_port = testing::FreeLoopbackPort();
  ASSERT_GT(closed_port, 0);
  const std::vector<std::string> urls = {
      "http://127.0.0.1:" + std::to_string(closed_port) + "/v1.0/users",
      server_.Url("/slow"),
      server_.Url("/chunked-big"),
      server_.Url("/short"),
      "ftp://127.0.0.1/users",
  };
  for (const std::string& url : urls) {
    HttpRequest request;
    request.url = url + "?$skiptoken=QUERYSECRET";
    request.headers["Authorization"] = "Bearer TOKENSECRET";
    Result<HttpResponse> response = client->Send(request);
    ASSERT_FALSE(response.ok()) << url;
    const std::string& message = response.status().message();
    EXPECT_EQ(message.rfind("GET " + url + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find("QUERYSECRET"), std::string::npos) << message;
    EXPECT_EQ(message.find("TOKENSECRET"), std::string::npos) << message;
    EXPECT_EQ(message.find('?'), std::string::npos) << message;
  }
}

TEST_F(CurlHttpClientTest, BadRequestsAreInvalidArgument) {
  HttpClient* client = Client();
  HttpRequest scheme;
  scheme.url = "ftp://127.0.0.1/file";
  Result<HttpResponse> response = client->Send(scheme);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(response.status().message().rfind("GET ftp://127.0.0.1/file: bad URL: ", 0), 0u)
      << response.status().message();

  HttpRequest injected = Get("/headers");
  injected.headers["X-Custom"] = "a\r\nX-Evil: 1";
  response = client->Send(injected);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().ToString(),
            "invalid argument: GET " + server_.Url("/headers") +
                ": header X-Custom has a line break in its value");
}

TEST_F(CurlHttpClientTest, OptionsOutOfRangeAreRefused) {
  HttpClientOptions options;
  options.timeout_ms = 0;
  auto client = NewCurlHttpClient(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().ToString(),
            "invalid argument: http client: timeout_ms must be above 0, not 0");
  options = {};
  options.connect_timeout_ms = -1;
  client = NewCurlHttpClient(options);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().ToString(),
            "invalid argument: http client: connect_timeout_ms must be above 0, not -1");
}

TEST_F(CurlHttpClientTest, ConsecutiveRequestsReuseOneConnection) {
  HttpClient* client = Client();
  for (int i = 0; i < 20; ++i) {
    // A 404 or 500 does not cost the connection either.
    const std::string path = i % 5 == 3 ? "/status/404" : i % 5 == 4 ? "/status/500" : "/sized/100";
    Result<HttpResponse> response = client->Send(Get(path));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
  }
  EXPECT_EQ(server_.ClientPorts().size(), 1u);
}

TEST_F(CurlHttpClientTest, ConcurrentSendsFromEightThreadsAllSucceed) {
  HttpClient* client = Client();
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string n = std::to_string(t * 1000 + i);
        Result<HttpResponse> response = client->Send(Get("/echo?i=" + n));
        if (response.ok() && response->status == 200 && response->body == "echo " + n) {
          ++good;
        } else {
          ADD_FAILURE() << n << ": " << response.status().ToString();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(good.load(), kThreads * kPerThread);
  // Connections were reused: at most one per thread, not one per request.
  EXPECT_LE(server_.ClientPorts().size(), static_cast<size_t>(kThreads));
}

}  // namespace
}  // namespace vigil
