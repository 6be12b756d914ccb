#include "testing/fake_http_client.h"

#include <algorithm>
#include <utility>

#include "common/json_text.h"

namespace vigil::testing {

void FakeHttpClient::Script(const std::string& url_prefix,
                            std::vector<Result<HttpResponse>> responses) {
  std::lock_guard<std::mutex> lock(mu_);
  Queue& queue = scripts_[url_prefix];
  queue.responses = std::move(responses);
  queue.next = 0;
}

Result<HttpResponse> FakeHttpClient::Send(const HttpRequest& request) {
  std::unique_lock<std::mutex> lock(mu_);
  requests_.push_back(request);
  ++in_flight_;
  max_in_flight_ = std::max(max_in_flight_, in_flight_);
  cv_.notify_all();
  cv_.wait(lock, [this] { return gate_open_; });
  --in_flight_;
  cv_.notify_all();

  Queue* best = nullptr;
  size_t best_length = 0;
  for (auto& [prefix, queue] : scripts_) {
    if (request.url.rfind(prefix, 0) == 0 && (best == nullptr || prefix.size() > best_length)) {
      best = &queue;
      best_length = prefix.size();
    }
  }
  if (best == nullptr || best->responses.empty()) {
    return Status::Internal("FakeHttpClient: nothing scripted for " + request.method + " " +
                            request.url);
  }
  Result<HttpResponse> response = best->responses[best->next];
  if (best->next + 1 < best->responses.size()) ++best->next;
  return response;
}

void FakeHttpClient::CloseGate() {
  std::lock_guard<std::mutex> lock(mu_);
  gate_open_ = false;
}

void FakeHttpClient::OpenGate() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    gate_open_ = true;
  }
  cv_.notify_all();
}

std::vector<HttpRequest> FakeHttpClient::Requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int FakeHttpClient::Count(const std::string& url_prefix) const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(
      std::count_if(requests_.begin(), requests_.end(),
                    [&](const HttpRequest& r) { return r.url.rfind(url_prefix, 0) == 0; }));
}

int FakeHttpClient::InFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

int FakeHttpClient::MaxInFlight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_in_flight_;
}

bool FakeHttpClient::WaitForInFlight(int n, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return in_flight_ == n; });
}

HttpResponse JsonResponse(int status, std::string body,
                          std::map<std::string, std::string> headers) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  response.headers.emplace("content-type", "application/json");
  return response;
}

std::string GraphErrorBody(const std::string& code, const std::string& message) {
  return "{\"error\":{\"code\":" + JsonQuote(code) + ",\"message\":" + JsonQuote(message) +
         ",\"innerError\":{\"request-id\":\"00000000-0000-0000-0000-000000000000\"}}}";
}

HttpResponse TokenResponse(const std::string& access_token, int expires_in_s) {
  return JsonResponse(200,
                      "{\"token_type\":\"Bearer\",\"expires_in\":" + std::to_string(expires_in_s) +
                          ",\"ext_expires_in\":" + std::to_string(expires_in_s) +
                          ",\"access_token\":" + JsonQuote(access_token) + "}");
}

}  // namespace vigil::testing
