#include "sync/snapshot_rows.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <system_error>
#include <thread>
#include <tuple>

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

std::string_view TextArena::Copy(std::string_view text) {
  if (text.size() > left_) {
    const size_t size = std::max(kBlockBytes, text.size());
    void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED) throw std::bad_alloc();
    blocks_.push_back(Block{static_cast<char*>(data), size});
    next_ = static_cast<char*>(data);
    left_ = size;
  }
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

// Validates the ids of one kind and encodes its records into rows sorted by
// id. `order` receives the record index of each row.
template <typename Record, typename IdFn, typename NameFn, typename EncodeFn>
Status AddKind(const Snapshot& snapshot, EntityKind kind, const std::vector<Record>& records,
               IdFn id_of, NameFn name_of, EncodeFn encode, SnapshotRows* rows,
               std::vector<uint32_t>* order = nullptr) {
  if (!snapshot.Has(kind)) return Status::Ok();
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
  std::vector<EntityRow>& out = rows->entities[kind];
  out.resize(records.size());
  InTwoHalves(records.size(), rows, [&](size_t begin, size_t end, TextArena* arena) {
    for (size_t k = begin; k < end; ++k) {
      const Record& r = records[sorted[k]];
      out[k] = MakeRow(arena, id_of(r), name_of(r), encode(r));
    }
  });
  if (order != nullptr) *order = std::move(sorted);
  return Status::Ok();
}

auto LinkKey(const LinkRow& l) { return std::tie(l.from_id, l.to_id); }

void SortUnique(std::vector<LinkRow>* links) {
  std::sort(links->begin(), links->end(),
            [](const LinkRow& a, const LinkRow& b) { return LinkKey(a) < LinkKey(b); });
  links->erase(std::unique(links->begin(), links->end(),
                           [](const LinkRow& a, const LinkRow& b) {
                             return LinkKey(a) == LinkKey(b);
                           }),
               links->end());
}

bool SortedUnique(const std::vector<LinkRow>& links) {
  return std::adjacent_find(links.begin(), links.end(), [](const LinkRow& a, const LinkRow& b) {
           return !(LinkKey(a) < LinkKey(b));
         }) == links.end();
}

// One license link per (user, sku), from the user rows (sorted by id) and
// `order` (the user record of each row): already in (from_id, to_id) order
// when each user's sku ids are sorted and unique, as records.h promises.
void AddLicenseLinks(const std::vector<UserRecord>& users, const std::vector<uint32_t>& order,
                     const std::vector<EntityRow>& user_rows, SnapshotRows* rows) {
  std::vector<LinkRow>& licenses = rows->links[std::string(kLicenseLink)];
  TextArena arena;
  std::set<std::string_view> skus;  // interned: a tenant has a handful of SKUs
  for (size_t k = 0; k < order.size(); ++k) {
    for (const std::string& sku : users[order[k]].sku_ids) {
      auto it = skus.find(sku);
      if (it == skus.end()) it = skus.insert(arena.Copy(sku)).first;
      licenses.push_back(LinkRow{user_rows[k].external_id, *it});
    }
  }
  if (!SortedUnique(licenses)) SortUnique(&licenses);
  rows->text.push_back(std::move(arena));
}

}  // namespace

EntityKind LinkOwner(std::string_view link_kind) {
  return link_kind == kLicenseLink ? EntityKind::kUser : EntityKind::kRole;
}

Result<SnapshotRows> ToRows(Snapshot* snapshot) {
  Snapshot& s = *snapshot;
  SnapshotRows rows;
  auto id = [](const auto& r) -> const std::string& { return r.id; };
  std::vector<uint32_t> user_order;
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kUser, s.users, id,
      [](const UserRecord& u) -> const std::string& { return u.upn; },
      [](const UserRecord& u) { return EncodeUser(u); }, &rows, &user_order));
  if (s.Has(EntityKind::kUser)) {
    AddLicenseLinks(s.users, user_order, rows.entities[EntityKind::kUser], &rows);
  }
  std::vector<UserRecord>().swap(s.users);
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kSku, s.skus, id,
      [](const SkuRecord& r) -> const std::string& { return r.part_number; },
      [](const SkuRecord& r) { return EncodeSku(r); }, &rows));
  std::vector<SkuRecord>().swap(s.skus);
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kRegistration, s.registrations,
      [](const RegistrationRecord& r) -> const std::string& { return r.user_id; },
      [](const RegistrationRecord& r) -> const std::string& { return r.upn; },
      [](const RegistrationRecord& r) { return EncodeRegistration(r); }, &rows));
  std::vector<RegistrationRecord>().swap(s.registrations);
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kRole, s.roles, id,
      [](const RoleRecord& r) -> const std::string& { return r.name; },
      [](const RoleRecord& r) { return EncodeRole(r); }, &rows));
  std::vector<RoleRecord>().swap(s.roles);
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kPolicy, s.policies, id,
      [](const PolicyRecord& r) -> const std::string& { return r.name; },
      [](const PolicyRecord& r) { return EncodePolicy(r); }, &rows));
  std::vector<PolicyRecord>().swap(s.policies);
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kGroup, s.groups, id,
      [](const GroupRecord& r) -> const std::string& { return r.display_name; },
      [](const GroupRecord& r) { return EncodeGroup(r); }, &rows));
  std::vector<GroupRecord>().swap(s.groups);

  TextArena arena;
  if (s.Has(EntityKind::kSetting)) {
    auto& out = rows.entities[EntityKind::kSetting];
    if (s.security_defaults) {
      out.push_back(MakeRow(&arena, kSecurityDefaultsId, "Security defaults",
                            EncodeSecurityDefaults(*s.security_defaults)));
    }
  }
  if (s.Has(EntityKind::kRole)) {
    auto& roles = rows.links[std::string(kRoleLink)];
    for (const RoleAssignmentRecord& a : s.role_assignments) {
      if (!a.principal_is_user) {
        ++rows.skipped_non_user_assignments;
        continue;
      }
      roles.push_back({arena.Copy(a.principal_id), arena.Copy(a.role_id)});
    }
    SortUnique(&roles);
  }
  std::vector<RoleAssignmentRecord>().swap(s.role_assignments);
  rows.text.push_back(std::move(arena));
  return rows;
}

}  // namespace vigil
