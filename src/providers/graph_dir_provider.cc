#include "providers/graph_dir_provider.h"

#include <map>
#include <system_error>
#include <thread>
#include <utility>

#include "providers/group_members.h"
#include "providers/json_dir.h"

namespace vigil {
namespace {

// The members of the security groups of snapshot->groups, from their files
// in groupMembers/. A missing file makes groups not available (the members
// are unknown), with no group records.
Status ReadGroupMembers(const std::string& dir, const GraphParseOptions& options,
                        Snapshot* snapshot, Availability* availability) {
  for (GroupRecord& group : snapshot->groups) {
    if (!ReadsMembersOf(group)) continue;
    const Status id_ok = CheckGroupIdNamesAFile(group.id);
    if (!id_ok.ok()) return id_ok.Prefixed(KindFile(EntityKind::kGroup));
    const std::string file = GroupMembersFile(group.id);
    simdjson::padded_string body;
    bool present = false;
    VIGIL_RETURN_IF_ERROR(LoadJsonFile(dir, file, options, &body, &present));
    if (!present) {
      snapshot->groups.clear();
      availability->available = false;
      availability->reason = file + " is missing";
      return Status::Ok();
    }
    VIGIL_RETURN_IF_ERROR(ParseGroupMembers(file, body, &group.member_ids, options));
  }
  return Status::Ok();
}

// Reads the file of `kind` into its records of `snapshot` and says whether
// it was there (for groups: with the members files of the security groups).
Status ReadKindFile(const std::string& dir, const GraphDirOptions& options, EntityKind kind,
                    Snapshot* snapshot, Availability* availability) {
  const std::string file(KindFile(kind));
  GraphParseOptions parse_options;
  parse_options.max_file_bytes = options.max_file_bytes;
  simdjson::padded_string body;
  bool present = false;
  VIGIL_RETURN_IF_ERROR(LoadJsonFile(dir, file, parse_options, &body, &present));
  if (!present) {
    availability->available = false;
    availability->reason = file + " is missing";
    return Status::Ok();
  }
  VIGIL_RETURN_IF_ERROR(ParseKindFile(kind, file, body, snapshot, parse_options));
  availability->available = true;
  availability->reason.clear();
  if (kind == EntityKind::kGroup) {
    return ReadGroupMembers(dir, parse_options, snapshot, availability);
  }
  return Status::Ok();
}

class GraphDirProvider final : public Provider {
 public:
  GraphDirProvider(std::string dir, GraphDirOptions options)
      : dir_(std::move(dir)), options_(options) {}

  std::string name() const override { return "graph_json"; }

  // users.json on this thread, the other files on a helper; the error, when
  // several files are bad, is the first failing kind's in kAllKinds order.
  Result<Snapshot> Fetch() override {
    VIGIL_RETURN_IF_ERROR(CheckDirectory(dir_));
    std::map<EntityKind, KindRead> reads;  // each thread fills its own kinds
    for (EntityKind kind : kAllKinds) {
      if (HasEntities(kind)) reads[kind];
    }
    Snapshot snapshot;  // the other kinds, filled by the helper
    auto read_others = [&] {
      for (auto& [kind, read] : reads) {
        if (kind != EntityKind::kUser) read = Read(kind, &snapshot);
      }
    };
    std::thread helper;
    try {
      helper = std::thread(read_others);
    } catch (const std::system_error&) {
      // No thread to be had: the other files are read after users.json.
    }
    Snapshot users;
    reads.at(EntityKind::kUser) = Read(EntityKind::kUser, &users);
    if (helper.joinable()) {
      helper.join();
    } else {
      read_others();
    }
    for (EntityKind kind : kAllKinds) {
      auto it = reads.find(kind);
      if (it == reads.end()) continue;
      VIGIL_RETURN_IF_ERROR(it->second.status);
      snapshot.availability[kind] = std::move(it->second.availability);
    }
    snapshot.users = std::move(users.users);
    // users.json carries signInActivity as Graph gave it: sign-ins are known
    // exactly when the users are.
    snapshot.availability[EntityKind::kSignIn] = snapshot.availability[EntityKind::kUser];
    return snapshot;
  }

 private:
  struct KindRead {
    Status status;
    Availability availability;
  };

  KindRead Read(EntityKind kind, Snapshot* snapshot) const {
    KindRead read;
    read.status = ReadKindFile(dir_, options_, kind, snapshot, &read.availability);
    return read;
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
