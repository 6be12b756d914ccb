// Small helpers the benchmarks share.
//
//   DirBytes(dir)     bytes of the regular files under `dir`, at any depth
//                     (a Graph directory has groupMembers/ inside it)
//   RunInChild(body)  runs `body` (returning an exit code) in a forked
//                     process, stdout and stderr flushed on both sides of the
//                     fork; true when the child exited 0. A tenant generated
//                     that way never touches the measuring process's memory.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace vigil {

inline uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) total += e.file_size();
  }
  return total;
}

template <typename F>
bool RunInChild(F body) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int code = body();
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace vigil
