#include "testing/nats_server.h"

#include <nats/nats.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "testing/fixtures.h"
#include "testing/server_process.h"

namespace vigil::testing {

Result<std::unique_ptr<NatsServer>> NatsServer::Start(bool jetstream) {
  std::unique_ptr<NatsServer> server(new NatsServer());
  server->dir_ = NewTempDir();
  server->jetstream_ = jetstream;
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    server->port_ = FreeLoopbackPort();
    if (server->port_ == 0) return Status::IoError("nats-server: no free port on 127.0.0.1");
    last = server->Launch();
    if (last.ok()) return server;
    if (last.code() == Code::kNotFound) break;
  }
  return last;
}

NatsServer::~NatsServer() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);  // the JetStream store
}

std::string NatsServer::url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

Status NatsServer::Launch() {
  VIGIL_ASSIGN_OR_RETURN(std::string binary,
                         FindServerBinary("nats-server", "scripts/install-deps.sh installs it"));
  const std::string log = dir_ + "/nats.log";
  std::vector<std::string> args = {binary, "-a", "127.0.0.1", "-p", std::to_string(port_),
                                   "-l",   log};
  if (jetstream_) args.insert(args.end(), {"-js", "-sd", dir_ + "/jetstream"});
  VIGIL_ASSIGN_OR_RETURN(pid_, SpawnServer(args));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ServerExited(pid_)) {
      pid_ = -1;
      return Status::Unavailable("nats-server on port " + std::to_string(port_) +
                                 " exited at start; its log:\n" + ReadServerLog(log));
    }
    if (LoopbackPortAccepts(port_)) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  return Status::Unavailable("nats-server on port " + std::to_string(port_) +
                             " did not accept connections within 10 s; its log:\n" +
                             ReadServerLog(log));
}

void NatsServer::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

void NatsServer::Stop() { StopServer(&pid_); }

Status NatsServer::Restart() {
  Stop();
  return Launch();
}

int64_t StreamMessages(const std::string& url, const std::string& stream) {
  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  jsStreamInfo* info = nullptr;
  int64_t count = -1;
  if (natsConnection_ConnectTo(&conn, url.c_str()) == NATS_OK &&
      natsConnection_JetStream(&js, conn, nullptr) == NATS_OK &&
      js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr) == NATS_OK) {
    count = static_cast<int64_t>(info->State.Msgs);
  }
  if (info != nullptr) jsStreamInfo_Destroy(info);
  if (js != nullptr) jsCtx_Destroy(js);
  if (conn != nullptr) natsConnection_Destroy(conn);
  return count;
}

}  // namespace vigil::testing
