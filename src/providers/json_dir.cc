#include "providers/json_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace vigil {

namespace fs = std::filesystem;

Status CheckDirectory(const std::string& dir) {
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (!fs::exists(st)) return Status::NotFound("directory " + dir + " does not exist");
  if (!fs::is_directory(st)) return Status::NotFound(dir + " is not a directory");
  return Status::Ok();
}

Status LoadJsonFile(const std::string& dir, const std::string& file,
                    const GraphParseOptions& options, simdjson::padded_string* body,
                    bool* present) {
  const fs::path path = fs::path(dir) / file;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  *present = fs::exists(st);
  if (!*present) return Status::Ok();
  if (!fs::is_regular_file(st)) {
    return Status::IoError(path.string() + ": not a regular file");
  }
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return Status::IoError(path.string() + ": " + ec.message());
  VIGIL_RETURN_IF_ERROR(CheckGraphFileSize(file, size, options));
  if (auto e = simdjson::padded_string::load(path.string()).get(*body); e) {
    return Status::IoError(path.string() + ": cannot read: " + simdjson::error_message(e));
  }
  return Status::Ok();
}

Status WriteFileAtomically(const std::string& path, const std::string& body) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return Status::IoError(tmp + ": cannot create: " + std::strerror(errno));
  const bool written = std::fwrite(body.data(), 1, body.size(), f) == body.size();
  const int saved_errno = errno;
  if (std::fclose(f) != 0 || !written) {
    std::remove(tmp.c_str());
    return Status::IoError(tmp + ": cannot write: " + std::strerror(written ? errno : saved_errno));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return Status::IoError(path + ": cannot rename into place: " + ec.message());
  }
  return Status::Ok();
}

}  // namespace vigil
