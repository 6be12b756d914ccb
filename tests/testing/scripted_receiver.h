// ScriptedReceiver: an HTTP receiver on 127.0.0.1 for delivery tests (tests
// only). It answers each POST with the next reply of its script (then with
// the default reply) and records what it got, with the arrival time. A
// reply with `hang` set never answers until the receiver stops (a receiver
// that takes the connection and goes silent). It can be started on a port
// chosen before (a receiver that comes up later than the sender).
#pragma once

#include <httplib.h>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vigil::testing {

struct ScriptedReply {
  int status = 200;
  std::string body = "ok";
  std::map<std::string, std::string> headers;
  bool hang = false;
};

struct ReceivedRequest {
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::chrono::system_clock::time_point at;
  int answered = 0;  // the status it was answered with
};

class ScriptedReceiver {
 public:
  ScriptedReceiver() = default;
  ~ScriptedReceiver() { Stop(); }

  // Listens on `port` (0: a free one); returns the port, or 0 when it
  // could not listen.
  int Start(int port = 0);
  void Stop();

  void Script(std::vector<ScriptedReply> replies);
  void SetDefault(ScriptedReply reply);
  std::vector<ReceivedRequest> received();
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::deque<ScriptedReply> script_;
  ScriptedReply default_;
  std::vector<ReceivedRequest> received_;
  bool stopping_ = false;
};

}  // namespace vigil::testing
