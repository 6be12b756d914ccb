#include "testing/scripted_receiver.h"

#include <algorithm>
#include <cctype>

namespace vigil::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

int ScriptedReceiver::Start(int port) {
  server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
    ScriptedReply reply;
    ReceivedRequest got;
    got.path = req.path;
    for (const auto& [name, value] : req.headers) got.headers[Lower(name)] = value;
    got.body = req.body;
    got.at = std::chrono::system_clock::now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!script_.empty()) {
        reply = script_.front();
        script_.pop_front();
      } else {
        reply = default_;
      }
      got.answered = reply.hang ? 0 : reply.status;
      received_.push_back(got);
    }
    if (reply.hang) {
      while (true) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (stopping_) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      res.status = 503;
      return;
    }
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) res.set_header(name, value);
    res.set_content(reply.body, "text/plain");
  });
  if (port == 0) {
    port_ = server_.bind_to_any_port("127.0.0.1");
  } else {
    port_ = server_.bind_to_port("127.0.0.1", port) ? port : -1;
  }
  if (port_ <= 0) return 0;
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port_;
}

void ScriptedReceiver::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  if (!thread_.joinable()) return;
  server_.stop();
  thread_.join();
}

void ScriptedReceiver::Script(std::vector<ScriptedReply> replies) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.assign(replies.begin(), replies.end());
}

void ScriptedReceiver::SetDefault(ScriptedReply reply) {
  std::lock_guard<std::mutex> lock(mu_);
  default_ = std::move(reply);
}

std::vector<ReceivedRequest> ScriptedReceiver::received() {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

}  // namespace vigil::testing
