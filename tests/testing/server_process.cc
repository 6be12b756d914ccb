#include "testing/server_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace vigil::testing {
namespace {

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

}  // namespace

Result<std::string> FindServerBinary(const std::string& name, const std::string& install_hint) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  for (const char* d : {"/usr/bin", "/usr/sbin", "/usr/local/bin"}) dirs.push_back(d);
  for (const std::string& dir : dirs) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return Status::NotFound(name + " not found on PATH (nor in /usr/bin, /usr/sbin, /usr/local/bin); " +
                          install_hint);
}

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr = Loopback(0);
  int port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

Result<pid_t> SpawnServer(const std::vector<std::string>& argv, const std::string& user,
                          const std::string& log) {
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  for (std::string& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  uid_t uid = 0;
  gid_t gid = 0;
  const bool switch_user = !user.empty() && geteuid() == 0;
  if (switch_user) {
    const passwd* pw = getpwnam(user.c_str());
    if (pw == nullptr) return Status::NotFound("no user " + user + " to run " + argv[0] + " as");
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  const pid_t pid = fork();
  if (pid < 0) return Status::IoError("cannot start " + argv[0] + ": " + strerror(errno));
  if (pid == 0) {
    // Never the test's own stdout/stderr: a server left behind would keep
    // ctest waiting for the end of the test's output.
    int fd = open(log.empty() ? "/dev/null" : log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    if (switch_user && (setgid(gid) != 0 || setuid(uid) != 0)) _exit(126);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with the test that started it
    execve(raw[0], raw.data(), environ);
    _exit(127);
  }
  return pid;
}

Status RunToEnd(const std::vector<std::string>& argv, const std::string& user,
                const std::string& log) {
  VIGIL_ASSIGN_OR_RETURN(pid_t pid, SpawnServer(argv, user, log));
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  return Status::IoError(argv[0] + " failed (status " + std::to_string(status) + "):\n" +
                         ReadServerLog(log));
}

bool ServerExited(pid_t pid) {
  int status = 0;
  return waitpid(pid, &status, WNOHANG) == pid;
}

void StopServer(pid_t* pid) {
  if (*pid <= 0) return;
  kill(*pid, SIGCONT);  // in case a test stopped it
  kill(*pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 0;
  while (waitpid(*pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(*pid, SIGKILL);
      waitpid(*pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  *pid = -1;
}

bool LoopbackPortAccepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr = Loopback(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

std::string ReadServerLog(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vigil::testing
