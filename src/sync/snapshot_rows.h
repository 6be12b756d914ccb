// Turning a Snapshot into the rows sync stores: one entity row per record of
// each available kind (canonical attributes + content hash) and one link row
// per license and per user role assignment. Also where a snapshot is
// validated before anything is written.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "providers/snapshot.h"

namespace vigil {

// Append-only storage for the text of the rows: a few large blocks instead of
// one allocation per string, so building and freeing 200,000 rows costs a
// few dozen system calls. Blocks are pages mapped for the arena and returned
// to the system when it is destroyed, whichever thread filled them (memory
// malloc'd by a helper thread would stay in that thread's malloc arena, out of
// reach of the rest of the process). A view it returns stays valid while the
// arena lives (moving the arena keeps them valid). Not thread-safe; one per
// thread.
class TextArena {
 public:
  TextArena() = default;
  TextArena(TextArena&& other) noexcept;
  TextArena& operator=(TextArena&&) = delete;
  ~TextArena();

  // Copies `text` into the arena. Aborts like operator new when no memory
  // can be mapped.
  std::string_view Copy(std::string_view text);

 private:
  struct Block {
    char* data;
    size_t size;
  };
  static constexpr size_t kBlockBytes = size_t{1} << 20;
  std::vector<Block> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

// Views into SnapshotRows::text.
struct EntityRow {
  std::string_view external_id;
  std::string_view display_name;
  std::string_view attributes;    // canonical JSON (providers/entity_codec.h)
  std::string_view content_hash;  // ContentHash(display_name, attributes)
};

struct LinkRow {
  std::string_view from_id;
  std::string_view to_id;
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
  // Owns the text every row points into.
  std::vector<TextArena> text;
};

// Validates and converts, consuming the snapshot's records kind by kind (each
// record vector is freed as soon as its rows exist, so a large tenant is never
// held twice); the availability map is left in place. Large kinds are encoded
// by two threads; the result does not depend on it. InvalidArgument, naming
// the file and the id, for an empty id or an id that appears twice in one
// kind (e.g. "users.json: duplicate id \"1b2c...\"").
Result<SnapshotRows> ToRows(Snapshot* snapshot);

}  // namespace vigil
