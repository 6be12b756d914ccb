// FileLocks: exclusive locks on single bytes of one lock file, held through
// one open file description (Linux "OFD" record locks). Two FileLocks on the
// same file conflict whether they are in one process or in two, so each
// connection of a database that lives in a file can hold its own; the
// kernel releases every lock when the FileLocks is destroyed or its process
// dies. The SQLite backend's advisory locks (Db::TryLock) use it.
//
// Not thread-safe: one FileLocks belongs to one connection.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace vigil {

class FileLocks {
 public:
  // Locks on the file at `path`, created (mode 0644) at the first TryLock.
  explicit FileLocks(std::string path) : path_(std::move(path)) {}
  ~FileLocks();
  FileLocks(const FileLocks&) = delete;
  FileLocks& operator=(const FileLocks&) = delete;

  // Takes the lock on byte `key` (>= 0) when no other FileLocks holds it:
  // true, or false at once when another does. IoError naming the file when
  // it cannot be opened or locked; InvalidArgument for a negative key.
  Result<bool> TryLock(int64_t key);
  // Releases the lock on byte `key`; nothing when it is not held.
  Status Unlock(int64_t key);

 private:
  Status Open();

  const std::string path_;
  int fd_ = -1;
};

}  // namespace vigil
