// AlertmanagerServer (tests only): a real Prometheus Alertmanager
// (`prometheus-alertmanager`, Debian's package) that a test starts as a child
// process on 127.0.0.1 and a free port, in a temporary directory with a
// minimal configuration (one route to a receiver without integrations, so
// nothing is sent anywhere), its storage in that directory and clustering
// off; stopped and its directory removed when the object goes away.
//
//   auto server = testing::AlertmanagerServer::Start();
//   ASSERT_TRUE(server.ok()) << server.status().ToString();
//   spec.url = (*server)->url();
//
// When the binary is missing Start fails with "install
// prometheus-alertmanager (scripts/install-deps.sh)": tests do not skip.
// Thread safety: none; one test thread owns it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "common/status.h"
#include "http/http_client.h"

namespace vigil::testing {

class AlertmanagerServer {
 public:
  // Starts it and waits up to 20 s until GET /-/ready answers 200. Tries
  // other ports when the chosen one was taken meanwhile. `config`: the
  // alertmanager.yml to run with; empty: the minimal one above.
  static Result<std::unique_ptr<AlertmanagerServer>> Start(const std::string& config = "");

  ~AlertmanagerServer();  // Stop(), then removes the directory
  AlertmanagerServer(const AlertmanagerServer&) = delete;
  AlertmanagerServer& operator=(const AlertmanagerServer&) = delete;

  int port() const { return port_; }
  // "http://127.0.0.1:<port>"
  std::string url() const;
  pid_t pid() const { return pid_; }

  // GET url() + `path_and_query` (e.g. "/api/v2/alerts?active=true").
  Result<HttpResponse> Get(const std::string& path_and_query);

  // Ends the server: SIGTERM, then SIGKILL after 5 s. Idempotent.
  void Stop();

 private:
  AlertmanagerServer() = default;
  // Launches the process and waits for /-/ready; kills it on failure.
  Status Launch();

  int port_ = 0;
  std::string dir_;
  pid_t pid_ = -1;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace vigil::testing
