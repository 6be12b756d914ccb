// Turning a Snapshot into the rows sync stores: one entity row per record of
// each available kind (canonical attributes + content hash; a user's licenses
// are in its attributes) and one link row per user role assignment. Also
// where a snapshot is validated before anything is written.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "providers/snapshot.h"

namespace vigil {

// Views into SnapshotRows::text.
struct EntityRow {
  std::string_view external_id;
  std::string_view display_name;
  std::string_view attributes;    // canonical JSON (providers/entity_codec.h)
  std::string_view content_hash;  // ContentHash(display_name, attributes)
};

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

  // `count` empty rows in the arena, valid as long as it: keeps a helper
  // thread's large buffers out of that thread's malloc arena (which would
  // keep the memory after it is freed). Aborts like Copy.
  EntityRow* NewRows(size_t count);

 private:
  struct Block {
    char* data;
    size_t size;
  };
  void Reserve(size_t bytes);  // maps a new block of at least `bytes`

  static constexpr size_t kBlockBytes = size_t{1} << 20;
  std::vector<Block> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

struct LinkRow {
  std::string_view from_id;
  std::string_view to_id;
};

// Link kinds and the entity kind whose file carries them: a link kind is
// rebuilt only when that kind is available in the snapshot.
// (Licenses, user -> sku, are not links in storage: they are the sku_ids of
// the user's row; migration 6 folded the old "license" links into them.)
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

// The records of each available kind in the order their rows are stored
// (by external id, byte order), validated: no empty id, no id twice in a kind.
struct RowOrder {
  std::map<EntityKind, std::vector<uint32_t>> records;  // kind -> record indices
};

// InvalidArgument as ToRows describes. kSetting has index 0 when the
// snapshot carries security defaults. The users are sorted on a helper
// thread; the result and the error reported do not depend on it.
Result<RowOrder> OrderRows(const Snapshot& snapshot);

// The external id of record `index` of `kind` (a view into the snapshot).
std::string_view RecordId(const Snapshot& snapshot, EntityKind kind, uint32_t index);

// Writes the rows of the records indices[0, count) of `kind` to out[0, count),
// their text in `arena`. Thread-safe for distinct arenas and outputs while
// nobody changes the snapshot.
void EncodeRows(const Snapshot& snapshot, EntityKind kind, const uint32_t* indices, size_t count,
                TextArena* arena, EntityRow* out);

// Frees the record vector of `kind` once its rows are encoded.
void ReleaseRecords(Snapshot* snapshot, EntityKind kind);

// The links of the snapshot: role links, sorted and unique, when the role
// kind is available (no entry otherwise).
struct LinkRows {
  std::map<std::string, std::vector<LinkRow>> links;
  int skipped_non_user_assignments = 0;
  TextArena text;  // what the links point into
};
LinkRows ToLinkRows(const Snapshot& snapshot);

// All rows at once. Sync writes through RowStream (sync/row_stream.h)
// instead; this is the reference its chunks are tested against.
// Validates and converts, consuming the snapshot's records kind by kind (each
// record vector is freed as soon as its rows exist, so a large tenant is never
// held twice); the availability map is left in place. Large kinds are encoded
// by two threads; the result does not depend on it. InvalidArgument, naming
// the file and the id, for an empty id or an id that appears twice in one
// kind (e.g. "users.json: duplicate id \"1b2c...\"").
Result<SnapshotRows> ToRows(Snapshot* snapshot);

}  // namespace vigil
