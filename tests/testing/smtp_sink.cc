#include "testing/smtp_sink.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "testing/fixtures.h"
#include "testing/server_process.h"

#ifndef VIGIL_TESTING_DIR
#error "VIGIL_TESTING_DIR (the tests/testing directory) must be defined by the build"
#endif

namespace vigil::testing {
namespace {

// Debian's own interpreter first: python3-aiosmtpd installs for it, and a
// python3 earlier on PATH (a virtualenv, say) may not have it.
Result<std::string> FindPython() {
  if (access("/usr/bin/python3", X_OK) == 0) return std::string("/usr/bin/python3");
  return FindServerBinary("python3", "scripts/install-deps.sh installs python3-aiosmtpd");
}

}  // namespace

Result<std::unique_ptr<SmtpSink>> SmtpSink::Start(SmtpSinkOptions options) {
  std::unique_ptr<SmtpSink> sink(new SmtpSink());
  sink->options_ = std::move(options);
  sink->dir_ = NewTempDir();
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    sink->port_ = FreeLoopbackPort();
    if (sink->port_ == 0) return Status::IoError("smtp sink: no free port on 127.0.0.1");
    last = sink->Launch();
    if (last.ok()) return sink;
    if (last.code() == Code::kNotFound) break;
  }
  return last;
}

SmtpSink::~SmtpSink() {
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string SmtpSink::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

Status SmtpSink::Launch() {
  VIGIL_ASSIGN_OR_RETURN(std::string python, FindPython());
  const std::string log = dir_ + "/smtp-sink.log";
  std::vector<std::string> args = {python,   std::string(VIGIL_TESTING_DIR) + "/smtp_sink.py",
                                   "--port", std::to_string(port_),
                                   "--dir",  dir_};
  if (!options_.user.empty()) {
    args.insert(args.end(), {"--user", options_.user, "--password", options_.password});
  }
  if (!options_.rcpt_reply.empty()) args.insert(args.end(), {"--rcpt-reply", options_.rcpt_reply});
  if (!options_.data_reply.empty()) args.insert(args.end(), {"--data-reply", options_.data_reply});
  VIGIL_ASSIGN_OR_RETURN(pid_, SpawnServer(args, "", log));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (ServerExited(pid_)) {
      pid_ = -1;
      return Status::Unavailable("smtp sink on port " + std::to_string(port_) +
                                 " exited at start; its log:\n" + ReadServerLog(log));
    }
    if (LoopbackPortAccepts(port_)) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stop();
  return Status::Unavailable("smtp sink on port " + std::to_string(port_) +
                             " did not accept connections within 20 s; its log:\n" +
                             ReadServerLog(log));
}

std::vector<ReceivedMail> SmtpSink::Received() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() == ".eml") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  std::vector<ReceivedMail> mail;
  for (const std::string& name : names) {
    ReceivedMail m;
    m.data = ReadServerLog(dir_ + "/" + name + ".eml");
    m.mail_from = ReadServerLog(dir_ + "/" + name + ".from");
    std::istringstream rcpt(ReadServerLog(dir_ + "/" + name + ".rcpt"));
    for (std::string line; std::getline(rcpt, line);) m.rcpt_to.push_back(line);
    mail.push_back(std::move(m));
  }
  return mail;
}

void SmtpSink::Stop() { StopServer(&pid_); }

}  // namespace vigil::testing
