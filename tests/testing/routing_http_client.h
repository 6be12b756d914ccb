// RoutingHttpClient (for tests): an HttpClient that sends requests for some
// URL prefixes somewhere else, as a hosts-file entry would, through another
// HttpClient. So a test can give a national cloud's hosts
// ("https://login.microsoftonline.us", "https://graph.microsoft.us") to the
// fake Graph on loopback (testing/fake_graph.h ServeAs) while the code under
// test uses the cloud's real URLs.
//
//   RoutingHttpClient http(curl,
//       {{"https://login.microsoftonline.us/", graph->authority_url() + "/"},
//        {"https://graph.microsoft.us/v1.0/", graph->graph_url() + "/"}});
//
// A request whose URL starts with a route's `from` is sent with that prefix
// replaced by `to` (the first matching route wins); a request that matches
// no route is not sent at all: Internal "RoutingHttpClient: no route for
// <url>" (tests reach nothing but loopback). Urls() lists every URL asked
// for, before routing.
//
// Thread-safe. The inner client is shared.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "http/http_client.h"

namespace vigil::testing {

struct HttpRoute {
  std::string from;  // a URL prefix, e.g. "https://graph.microsoft.us"
  std::string to;    // its replacement, e.g. "http://127.0.0.1:4321"
};

class RoutingHttpClient : public HttpClient {
 public:
  RoutingHttpClient(std::shared_ptr<HttpClient> inner, std::vector<HttpRoute> routes);

  Result<HttpResponse> Send(const HttpRequest& request) override;

  std::vector<std::string> Urls() const;

 private:
  const std::shared_ptr<HttpClient> inner_;
  const std::vector<HttpRoute> routes_;
  mutable std::mutex mu_;
  std::vector<std::string> urls_;
};

}  // namespace vigil::testing
