// FakeHttpClient (for tests): an HttpClient that answers from a script and
// records what it was asked, so the Graph client's retries, token handling
// and paging can be tested without a network or a clock.
//
// Script(prefix, responses): a request whose URL (query included) starts
// with `prefix` gets the next of `responses`; the longest matching prefix
// wins, and the last response of a script repeats once the others are used.
// A response may be a Status (e.g. Unavailable for a timeout). A request that
// matches no script gets Internal "FakeHttpClient: nothing scripted for GET
// <url>".
//
// While the gate is closed (CloseGate), Send waits for OpenGate: a test can
// hold requests in flight and look at the caps (InFlight, MaxInFlight).
//
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "http/http_client.h"

namespace vigil::testing {

class FakeHttpClient : public HttpClient {
 public:
  void Script(const std::string& url_prefix, std::vector<Result<HttpResponse>> responses);

  Result<HttpResponse> Send(const HttpRequest& request) override;

  void CloseGate();
  void OpenGate();

  // Every request received, in order.
  std::vector<HttpRequest> Requests() const;
  // How many requests had a URL starting with `url_prefix`.
  int Count(const std::string& url_prefix) const;
  int InFlight() const;
  int MaxInFlight() const;

  // Waits until `n` requests are in flight (held by the closed gate); false
  // after `timeout`.
  bool WaitForInFlight(int n, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  struct Queue {
    std::vector<Result<HttpResponse>> responses;
    size_t next = 0;
  };

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Queue> scripts_;
  std::vector<HttpRequest> requests_;
  bool gate_open_ = true;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

// A response with a JSON body and the given (lower-case) headers.
HttpResponse JsonResponse(int status, std::string body,
                          std::map<std::string, std::string> headers = {});

// Graph's error body: {"error":{"code":...,"message":...}}.
std::string GraphErrorBody(const std::string& code, const std::string& message);

// A 200 answer of the token endpoint.
HttpResponse TokenResponse(const std::string& access_token, int expires_in_s = 3599);

}  // namespace vigil::testing
