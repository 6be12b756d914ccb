#include "sync/snapshot_rows.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <system_error>
#include <thread>
#include <tuple>
#include <type_traits>

#include "common/hash.h"
#include "providers/entity_codec.h"

namespace vigil {

TextArena::TextArena(TextArena&& other) noexcept
    : blocks_(std::move(other.blocks_)), next_(other.next_), left_(other.left_) {
  other.blocks_.clear();
  other.next_ = nullptr;
  other.left_ = 0;
}

TextArena::~TextArena() {
  for (const Block& b : blocks_) munmap(b.data, b.size);
}

EntityRow* TextArena::NewRows(size_t count) {
  static_assert(std::is_trivially_destructible_v<EntityRow>);
  const size_t bytes = count * sizeof(EntityRow);
  const size_t pad =
      (alignof(EntityRow) - reinterpret_cast<uintptr_t>(next_) % alignof(EntityRow)) %
      alignof(EntityRow);
  if (next_ == nullptr || pad + bytes > left_) {
    Reserve(bytes);  // page-aligned
  } else {
    next_ += pad;
    left_ -= pad;
  }
  EntityRow* rows = reinterpret_cast<EntityRow*>(next_);
  for (size_t i = 0; i < count; ++i) new (rows + i) EntityRow();
  next_ += bytes;
  left_ -= bytes;
  return rows;
}

void TextArena::Reserve(size_t bytes) {
  const size_t size = std::max(kBlockBytes, bytes);
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (data == MAP_FAILED) throw std::bad_alloc();
  blocks_.push_back(Block{static_cast<char*>(data), size});
  next_ = static_cast<char*>(data);
  left_ = size;
}

std::string_view TextArena::Copy(std::string_view text) {
  if (text.size() > left_ || next_ == nullptr) Reserve(text.size());
  if (text.empty()) return {next_, 0};
  std::memcpy(next_, text.data(), text.size());
  std::string_view copy(next_, text.size());
  next_ += text.size();
  left_ -= text.size();
  return copy;
}

namespace {

// Below this many records a kind is encoded on the calling thread only.
constexpr size_t kParallelMin = 4096;

// The first 8 bytes of `s`, zero padded, as a big-endian number: comparing
// two of them orders like comparing the bytes (ties need a full compare).
uint64_t Prefix(std::string_view s) {
  unsigned char bytes[8] = {};
  std::memcpy(bytes, s.data(), std::min<size_t>(8, s.size()));
  uint64_t v = 0;
  for (unsigned char b : bytes) v = (v << 8) | b;
  return v;
}

// Asks the cache for the text a record's encoding reads first.
void PrefetchText(const UserRecord& u) {
  __builtin_prefetch(u.id.data());
  __builtin_prefetch(u.upn.data());
  __builtin_prefetch(u.display_name.data());
  __builtin_prefetch(u.sku_ids.data());
}
void PrefetchText(const RegistrationRecord& r) {
  __builtin_prefetch(r.user_id.data());
  __builtin_prefetch(r.upn.data());
  __builtin_prefetch(r.methods.data());
}
template <typename Record>
void PrefetchText(const Record&) {}

// Indices of `records`, ordered by id (byte order).
template <typename Record, typename IdFn>
std::vector<uint32_t> SortedOrder(const std::vector<Record>& records, IdFn id_of) {
  struct Key {
    uint64_t prefix;
    uint32_t index;
  };
  std::vector<Key> keys(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    keys[i] = Key{Prefix(id_of(records[i])), static_cast<uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end(), [&](const Key& a, const Key& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return std::string_view(id_of(records[a.index])) < std::string_view(id_of(records[b.index]));
  });
  std::vector<uint32_t> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].index;
  return order;
}

// Calls fn(begin, end, arena) over [0, n): for a large n the second half runs
// on a second thread (each half with an arena of its own, kept in `rows`).
template <typename Fn>
void InTwoHalves(size_t n, SnapshotRows* rows, Fn fn) {
  TextArena first, second;
  const size_t mid = n < kParallelMin ? n : n / 2;
  std::thread helper;
  if (mid < n) {
    try {
      helper = std::thread([&] { fn(mid, n, &second); });
    } catch (const std::system_error&) {
      fn(mid, n, &second);  // no thread to be had: do it here
    }
  }
  fn(0, mid, &first);
  if (helper.joinable()) helper.join();
  rows->text.push_back(std::move(first));
  rows->text.push_back(std::move(second));
}

EntityRow MakeRow(TextArena* arena, std::string_view id, std::string_view name,
                  std::string_view attributes) {
  EntityRow row;
  row.external_id = arena->Copy(id);
  row.display_name = arena->Copy(name);
  row.attributes = arena->Copy(attributes);
  char hash[16];
  ContentHashTo(row.display_name, row.attributes, hash);
  row.content_hash = arena->Copy(std::string_view(hash, sizeof hash));
  return row;
}

// Calls f(records, id_of, name_of, encode) with the record vector of `kind`
// (not kSetting, which has at most one record and no vector, nor kSignIn,
// which has no entities).
template <typename F>
decltype(auto) WithRecords(const Snapshot& s, EntityKind kind, F&& f) {
  auto id = [](const auto& r) -> const std::string& { return r.id; };
  switch (kind) {
    case EntityKind::kUser:
      return f(
          s.users, id, [](const UserRecord& u) -> const std::string& { return u.upn; },
          [](const UserRecord& u) { return EncodeUser(u); });
    case EntityKind::kSku:
      return f(
          s.skus, id, [](const SkuRecord& r) -> const std::string& { return r.part_number; },
          [](const SkuRecord& r) { return EncodeSku(r); });
    case EntityKind::kRegistration:
      return f(
          s.registrations,
          [](const RegistrationRecord& r) -> const std::string& { return r.user_id; },
          [](const RegistrationRecord& r) -> const std::string& { return r.upn; },
          [](const RegistrationRecord& r) { return EncodeRegistration(r); });
    case EntityKind::kRole:
      return f(
          s.roles, id, [](const RoleRecord& r) -> const std::string& { return r.name; },
          [](const RoleRecord& r) { return EncodeRole(r); });
    case EntityKind::kPolicy:
      return f(
          s.policies, id, [](const PolicyRecord& r) -> const std::string& { return r.name; },
          [](const PolicyRecord& r) { return EncodePolicy(r); });
    case EntityKind::kGroup:
    case EntityKind::kSetting:  // not called for it
    case EntityKind::kSignIn:   // not called for it
      break;
  }
  return f(
      s.groups, id, [](const GroupRecord& r) -> const std::string& { return r.display_name; },
      [](const GroupRecord& r) { return EncodeGroup(r); });
}

constexpr std::string_view kSecurityDefaultsName = "Security defaults";

// Validates the ids of one kind and returns its record indices sorted by id.
template <typename Record, typename IdFn>
Result<std::vector<uint32_t>> OrderKind(EntityKind kind, const std::vector<Record>& records,
                                        IdFn id_of) {
  for (size_t i = 0; i < records.size(); ++i) {
    if (id_of(records[i]).empty()) {
      return Status::InvalidArgument(std::string(KindFile(kind)) + ": value[" + std::to_string(i) +
                                     "] has an empty id");
    }
  }
  std::vector<uint32_t> sorted = SortedOrder(records, id_of);
  for (size_t k = 1; k < sorted.size(); ++k) {
    const std::string& id = id_of(records[sorted[k]]);
    if (id == id_of(records[sorted[k - 1]])) {
      return Status::InvalidArgument(std::string(KindFile(kind)) + ": duplicate id \"" + id + "\"");
    }
  }
  return sorted;
}

auto LinkKey(const LinkRow& l) { return std::tie(l.from_id, l.to_id); }

void SortUnique(std::vector<LinkRow>* links) {
  std::sort(links->begin(), links->end(),
            [](const LinkRow& a, const LinkRow& b) { return LinkKey(a) < LinkKey(b); });
  links->erase(
      std::unique(links->begin(), links->end(),
                  [](const LinkRow& a, const LinkRow& b) { return LinkKey(a) == LinkKey(b); }),
      links->end());
}

}  // namespace

EntityKind LinkOwner(std::string_view link_kind) {
  (void)link_kind;  // role links are the only kind stored
  return EntityKind::kRole;
}

namespace {

// The order of one available kind with entities.
Result<std::vector<uint32_t>> OrderOneKind(const Snapshot& snapshot, EntityKind kind) {
  if (kind == EntityKind::kSetting) {
    return snapshot.security_defaults ? std::vector<uint32_t>{0} : std::vector<uint32_t>{};
  }
  return WithRecords(snapshot, kind, [&](const auto& records, auto id_of, auto, auto) {
    return OrderKind(kind, records, id_of);
  });
}

}  // namespace

// The users, by far the most records, are sorted on a helper thread while
// this one sorts the other kinds; the first error in kAllKinds order wins,
// as when the kinds are sorted one after another.
Result<RowOrder> OrderRows(const Snapshot& snapshot) {
  const bool users = snapshot.Has(EntityKind::kUser);
  Result<std::vector<uint32_t>> user_order = std::vector<uint32_t>();
  std::thread helper;
  if (users) {
    try {
      helper = std::thread([&] { user_order = OrderOneKind(snapshot, EntityKind::kUser); });
    } catch (const std::system_error&) {
      user_order = OrderOneKind(snapshot, EntityKind::kUser);
    }
  }
  RowOrder order;
  Status first_error;
  for (EntityKind kind : kAllKinds) {
    if (kind == EntityKind::kUser || !snapshot.Has(kind) || !HasEntities(kind)) continue;
    Result<std::vector<uint32_t>> sorted = OrderOneKind(snapshot, kind);
    if (!sorted.ok()) {
      first_error = sorted.status();
      break;
    }
    order.records[kind] = std::move(sorted).value();
  }
  if (helper.joinable()) helper.join();
  VIGIL_RETURN_IF_ERROR(user_order.status());
  VIGIL_RETURN_IF_ERROR(first_error);
  if (users) order.records[EntityKind::kUser] = std::move(user_order).value();
  return order;
}

std::string_view RecordId(const Snapshot& snapshot, EntityKind kind, uint32_t index) {
  if (kind == EntityKind::kSetting) return kSecurityDefaultsId;
  return WithRecords(snapshot, kind, [&](const auto& records, auto id_of, auto, auto) {
    return std::string_view(id_of(records[index]));
  });
}

void EncodeRows(const Snapshot& snapshot, EntityKind kind, const uint32_t* indices, size_t count,
                TextArena* arena, EntityRow* out) {
  if (kind == EntityKind::kSetting) {
    for (size_t k = 0; k < count; ++k) {
      out[k] = MakeRow(arena, kSecurityDefaultsId, kSecurityDefaultsName,
                       EncodeSecurityDefaults(*snapshot.security_defaults));
    }
    return;
  }
  WithRecords(snapshot, kind, [&](const auto& records, auto id_of, auto name_of, auto encode) {
    // Records are visited in id order, not in the order they were parsed
    // (and allocated): each is a few cache misses. Asking for the record
    // eight ahead and its text four ahead lets those overlap.
    for (size_t k = 0; k < count; ++k) {
      if (k + 8 < count) __builtin_prefetch(&records[indices[k + 8]]);
      if (k + 4 < count) PrefetchText(records[indices[k + 4]]);
      const auto& r = records[indices[k]];
      out[k] = MakeRow(arena, id_of(r), name_of(r), encode(r));
    }
    return 0;
  });
}

void ReleaseRecords(Snapshot* snapshot, EntityKind kind) {
  Snapshot& s = *snapshot;
  switch (kind) {
    case EntityKind::kUser:
      std::vector<UserRecord>().swap(s.users);
      break;
    case EntityKind::kSku:
      std::vector<SkuRecord>().swap(s.skus);
      break;
    case EntityKind::kRegistration:
      std::vector<RegistrationRecord>().swap(s.registrations);
      break;
    case EntityKind::kRole:
      std::vector<RoleRecord>().swap(s.roles);
      break;
    case EntityKind::kPolicy:
      std::vector<PolicyRecord>().swap(s.policies);
      break;
    case EntityKind::kSetting:
      break;  // one small record
    case EntityKind::kGroup:
      std::vector<GroupRecord>().swap(s.groups);
      break;
    case EntityKind::kSignIn:
      break;  // no records
  }
}

LinkRows ToLinkRows(const Snapshot& snapshot) {
  LinkRows out;
  if (!snapshot.Has(EntityKind::kRole)) return out;
  auto& roles = out.links[std::string(kRoleLink)];
  for (const RoleAssignmentRecord& a : snapshot.role_assignments) {
    if (!a.principal_is_user) {
      ++out.skipped_non_user_assignments;
      continue;
    }
    roles.push_back({out.text.Copy(a.principal_id), out.text.Copy(a.role_id)});
  }
  SortUnique(&roles);
  return out;
}

Result<SnapshotRows> ToRows(Snapshot* snapshot) {
  VIGIL_ASSIGN_OR_RETURN(RowOrder order, OrderRows(*snapshot));
  SnapshotRows rows;
  for (const auto& entry : order.records) {
    const EntityKind kind = entry.first;
    const auto& indices = entry.second;
    std::vector<EntityRow>& out = rows.entities[kind];
    out.resize(indices.size());
    InTwoHalves(indices.size(), &rows, [&](size_t begin, size_t end, TextArena* arena) {
      EncodeRows(*snapshot, kind, indices.data() + begin, end - begin, arena, out.data() + begin);
    });
    ReleaseRecords(snapshot, kind);
  }
  LinkRows links = ToLinkRows(*snapshot);
  std::vector<RoleAssignmentRecord>().swap(snapshot->role_assignments);
  rows.links = std::move(links.links);
  rows.skipped_non_user_assignments = links.skipped_non_user_assignments;
  rows.text.push_back(std::move(links.text));
  return rows;
}

}  // namespace vigil
