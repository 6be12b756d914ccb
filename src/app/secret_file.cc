#include "app/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/secret_box.h"

namespace vigil {
namespace {

// A secret is a short string; a bigger file is the wrong file.
constexpr size_t kMaxSecretFileBytes = 64 * 1024;

}  // namespace

Result<std::string> ReadSecretFile(std::string_view flag, const std::string& path,
                                   std::string_view what, bool multi_line) {
  const std::string named = std::string(flag) + " " + path;
  const std::string the = "the " + std::string(what);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError(named + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  Status status;
  if (::fstat(fd, &st) != 0) {
    status = Status::IoError(named + ": cannot stat: " + std::strerror(errno));
  } else if (S_ISDIR(st.st_mode)) {
    status = Status::InvalidArgument(named + " is a directory");
  }
  // One buffer, allocated once: nothing the scrub below misses is left behind.
  std::string secret;
  size_t used = 0;
  if (status.ok()) {
    secret.resize(kMaxSecretFileBytes + 1);
    while (used < secret.size()) {
      const ssize_t n = ::read(fd, secret.data() + used, secret.size() - used);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) status = Status::IoError(named + ": cannot read: " + std::strerror(errno));
      if (n <= 0) break;
      used += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  if (status.ok() && used > kMaxSecretFileBytes) {
    status = Status::InvalidArgument(named +
                                     " is larger than 64 KiB; it must hold only " + the);
  }
  secret.resize(std::min(used, secret.size()));
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.back() = '\0';
    secret.pop_back();
  }
  if (status.ok() && secret.empty()) {
    status = Status::InvalidArgument(named + " is empty; it must hold " + the);
  }
  if (status.ok() && !multi_line && secret.find_first_of("\r\n") != std::string::npos) {
    status = Status::InvalidArgument(named +
                                     " holds more than one line; it must hold only " + the);
  }
  if (!status.ok()) {
    ScrubString(&secret);
    return status;
  }
  return secret;
}

}  // namespace vigil
