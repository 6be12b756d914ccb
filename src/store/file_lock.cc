#include "store/file_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil {
namespace {

Status LockError(const std::string& path, const char* what) {
  return Status::IoError("lock file " + path + ": " + what + ": " + std::strerror(errno));
}

struct flock ByteLock(short type, int64_t key) {
  struct flock lock;
  std::memset(&lock, 0, sizeof(lock));
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = static_cast<off_t>(key);
  lock.l_len = 1;
  lock.l_pid = 0;  // required for OFD locks
  return lock;
}

}  // namespace

FileLocks::~FileLocks() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileLocks::Open() {
  if (fd_ >= 0) return Status::Ok();
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return LockError(path_, "cannot open");
  return Status::Ok();
}

Result<bool> FileLocks::TryLock(int64_t key) {
  if (key < 0) return Status::InvalidArgument("lock key " + std::to_string(key) + " is negative");
  VIGIL_RETURN_IF_ERROR(Open());
  struct flock lock = ByteLock(F_WRLCK, key);
  while (::fcntl(fd_, F_OFD_SETLK, &lock) != 0) {
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EACCES) return false;
    return LockError(path_, "cannot lock");
  }
  return true;
}

Status FileLocks::Unlock(int64_t key) {
  if (fd_ < 0 || key < 0) return Status::Ok();
  struct flock lock = ByteLock(F_UNLCK, key);
  while (::fcntl(fd_, F_OFD_SETLK, &lock) != 0) {
    if (errno == EINTR) continue;
    return LockError(path_, "cannot unlock");
  }
  return Status::Ok();
}

}  // namespace vigil
