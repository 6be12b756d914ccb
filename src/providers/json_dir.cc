#include "providers/json_dir.h"

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

}  // namespace vigil
