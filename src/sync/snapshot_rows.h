// Turning a Snapshot into the rows sync stores: one entity row per record of
// each available kind (canonical attributes + content hash) and one link row
// per license and per user role assignment. Also where a snapshot is
// validated before anything is written.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/snapshot.h"

namespace vigil {

struct EntityRow {
  std::string external_id;
  std::string display_name;
  std::string attributes;    // canonical JSON (providers/entity_codec.h)
  std::string content_hash;  // ContentHash(display_name, attributes)
};

struct LinkRow {
  std::string from_id;
  std::string to_id;
};

// Link kinds and the entity kind whose file carries them: a link kind is
// rebuilt only when that kind is available in the snapshot.
inline constexpr std::string_view kLicenseLink = "license";  // user -> sku, from users.json
inline constexpr std::string_view kRoleLink = "role";  // user -> role, from roleAssignments.json
EntityKind LinkOwner(std::string_view link_kind);

struct SnapshotRows {
  // Available kinds only; each vector sorted by external_id (byte order).
  std::map<EntityKind, std::vector<EntityRow>> entities;
  // Link kinds whose owner is available; each sorted by (from_id, to_id), unique.
  std::map<std::string, std::vector<LinkRow>> links;
  int skipped_non_user_assignments = 0;
};

// Validates and converts, consuming the snapshot's records kind by kind (each
// record vector is freed as soon as its rows exist, so a large tenant is never
// held twice); the availability map is left in place. InvalidArgument, naming
// the file and the id, for an empty id or an id that appears twice in one
// kind (e.g. "users.json: duplicate id \"1b2c...\"").
Result<SnapshotRows> ToRows(Snapshot* snapshot);

}  // namespace vigil
