#include "testing/alertmanager_server.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "testing/fixtures.h"
#include "testing/server_process.h"

namespace vigil::testing {
namespace {

// One route to one receiver that has no integration: alerts are kept and
// grouped, and sent nowhere.
constexpr char kConfig[] =
    "route:\n"
    "  receiver: vigil-test\n"
    "receivers:\n"
    "  - name: vigil-test\n";

}  // namespace

Result<std::unique_ptr<AlertmanagerServer>> AlertmanagerServer::Start(const std::string& config) {
  std::unique_ptr<AlertmanagerServer> server(new AlertmanagerServer());
  HttpClientOptions options;
  options.connect_timeout_ms = 1000;
  options.timeout_ms = 5000;
  VIGIL_ASSIGN_OR_RETURN(server->http_, NewCurlHttpClient(options));
  server->dir_ = NewTempDir();
  WriteFile(server->dir_ + "/alertmanager.yml", config.empty() ? std::string(kConfig) : config);
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = FreeLoopbackPort();
    if (server->port_ == 0) {
      return Status::IoError("prometheus-alertmanager: no free port on 127.0.0.1");
    }
    last = server->Launch();
    if (last.ok()) return server;
    if (last.code() == Code::kNotFound) break;
  }
  return last;
}

AlertmanagerServer::~AlertmanagerServer() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);  // its configuration, storage and log
}

std::string AlertmanagerServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

Result<HttpResponse> AlertmanagerServer::Get(const std::string& path_and_query) {
  HttpRequest request;
  request.url = url() + path_and_query;
  return http_->Send(request);
}

Status AlertmanagerServer::Launch() {
  VIGIL_ASSIGN_OR_RETURN(
      std::string binary,
      FindServerBinary("prometheus-alertmanager",
                       "install prometheus-alertmanager (scripts/install-deps.sh)"));
  const std::string log = dir_ + "/alertmanager.log";
  const std::vector<std::string> args = {
      binary,
      "--config.file=" + dir_ + "/alertmanager.yml",
      "--storage.path=" + dir_ + "/data",
      "--web.listen-address=127.0.0.1:" + std::to_string(port_),
      "--cluster.listen-address=",  // no gossip, no second port
  };
  VIGIL_ASSIGN_OR_RETURN(pid_, SpawnServer(args, "", log));

  const std::string where = "prometheus-alertmanager on port " + std::to_string(port_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string why;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ServerExited(pid_)) {
      pid_ = -1;
      return Status::Unavailable(where + " exited at start; its log:\n" + ReadServerLog(log));
    }
    Result<HttpResponse> ready = Get("/-/ready");
    if (ready.ok() && ready->status == 200) return Status::Ok();
    why = ready.ok() ? "HTTP " + std::to_string(ready->status) : ready.status().message();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Stop();
  return Status::Unavailable(where + " was not ready within 20 s (" + why + "); its log:\n" +
                             ReadServerLog(log));
}

void AlertmanagerServer::Stop() { StopServer(&pid_); }

}  // namespace vigil::testing
