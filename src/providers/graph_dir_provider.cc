#include "providers/graph_dir_provider.h"

#include <filesystem>
#include <system_error>
#include <utility>

namespace vigil {
namespace {

namespace fs = std::filesystem;

Status CheckDirectory(const std::string& dir) {
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (!fs::exists(st)) return Status::NotFound("directory " + dir + " does not exist");
  if (!fs::is_directory(st)) return Status::NotFound(dir + " is not a directory");
  return Status::Ok();
}

class GraphDirProvider final : public Provider {
 public:
  GraphDirProvider(std::string dir, GraphDirOptions options)
      : dir_(std::move(dir)), options_(options) {}

  std::string name() const override { return "graph_json"; }

  Result<Snapshot> Fetch() override {
    VIGIL_RETURN_IF_ERROR(CheckDirectory(dir_));
    Snapshot snapshot;
    for (EntityKind kind : kAllKinds) {
      if (!HasEntities(kind)) continue;
      Availability availability;
      VIGIL_RETURN_IF_ERROR(ReadKind(kind, &snapshot, &availability));
      snapshot.availability[kind] = std::move(availability);
    }
    // users.json carries signInActivity as Graph gave it: sign-ins are known
    // exactly when the users are.
    snapshot.availability[EntityKind::kSignIn] = snapshot.availability[EntityKind::kUser];
    return snapshot;
  }

 private:
  Status ReadKind(EntityKind kind, Snapshot* snapshot, Availability* availability) const {
    const std::string file(KindFile(kind));
    const fs::path path = fs::path(dir_) / file;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) {
      availability->available = false;
      availability->reason = file + " is missing";
      return Status::Ok();
    }
    if (!fs::is_regular_file(st)) {
      return Status::IoError(path.string() + ": not a regular file");
    }
    const uintmax_t size = fs::file_size(path, ec);
    if (ec) return Status::IoError(path.string() + ": " + ec.message());
    GraphParseOptions parse_options;
    parse_options.max_file_bytes = options_.max_file_bytes;
    VIGIL_RETURN_IF_ERROR(CheckGraphFileSize(file, size, parse_options));
    simdjson::padded_string body;
    if (auto e = simdjson::padded_string::load(path.string()).get(body); e) {
      return Status::IoError(path.string() + ": cannot read: " + simdjson::error_message(e));
    }
    VIGIL_RETURN_IF_ERROR(ParseKindFile(kind, file, body, snapshot, parse_options));
    availability->available = true;
    availability->reason.clear();
    return Status::Ok();
  }

  const std::string dir_;
  const GraphDirOptions options_;
};

}  // namespace

Result<std::unique_ptr<Provider>> NewGraphDirProvider(std::string dir, GraphDirOptions options) {
  VIGIL_RETURN_IF_ERROR(CheckDirectory(dir));
  return std::unique_ptr<Provider>(new GraphDirProvider(std::move(dir), options));
}

}  // namespace vigil
