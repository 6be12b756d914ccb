#include "testing/routing_http_client.h"

namespace vigil::testing {

RoutingHttpClient::RoutingHttpClient(std::shared_ptr<HttpClient> inner,
                                     std::vector<HttpRoute> routes)
    : inner_(std::move(inner)), routes_(std::move(routes)) {}

Result<HttpResponse> RoutingHttpClient::Send(const HttpRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    urls_.push_back(request.url);
  }
  for (const HttpRoute& route : routes_) {
    if (request.url.rfind(route.from, 0) != 0) continue;
    HttpRequest routed = request;
    routed.url = route.to + request.url.substr(route.from.size());
    return inner_->Send(routed);
  }
  return Status::Internal("RoutingHttpClient: no route for " + request.url);
}

std::vector<std::string> RoutingHttpClient::Urls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return urls_;
}

}  // namespace vigil::testing
