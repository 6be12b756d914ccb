#include "sync/snapshot_rows.h"

#include <algorithm>
#include <type_traits>

#include "common/hash.h"
#include "providers/entity_codec.h"

namespace vigil {
namespace {

template <typename Record, typename IdFn, typename NameFn, typename EncodeFn>
Status AddKind(const Snapshot& snapshot, EntityKind kind, std::vector<Record>& records, IdFn id_of,
               NameFn name_of, EncodeFn encode, SnapshotRows* rows) {
  if (!snapshot.Has(kind)) return Status::Ok();
  std::vector<EntityRow>& out = rows->entities[kind];
  out.reserve(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    EntityRow row;
    row.external_id = id_of(r);
    if (row.external_id.empty()) {
      return Status::InvalidArgument(std::string(KindFile(kind)) + ": value[" + std::to_string(i) +
                                     "] has an empty id");
    }
    row.display_name = name_of(r);
    row.attributes = encode(r);
    row.content_hash = ContentHash(row.display_name, row.attributes);
    out.push_back(std::move(row));
  }
  if constexpr (!std::is_same_v<Record, UserRecord>) {
    std::vector<Record>().swap(records);  // users stay until their license links are built
  }
  std::sort(out.begin(), out.end(),
            [](const EntityRow& a, const EntityRow& b) { return a.external_id < b.external_id; });
  auto dup = std::adjacent_find(out.begin(), out.end(), [](const EntityRow& a, const EntityRow& b) {
    return a.external_id == b.external_id;
  });
  if (dup != out.end()) {
    return Status::InvalidArgument(std::string(KindFile(kind)) + ": duplicate id \"" +
                                   dup->external_id + "\"");
  }
  return Status::Ok();
}

void SortUnique(std::vector<LinkRow>* links) {
  auto key = [](const LinkRow& l) { return std::tie(l.from_id, l.to_id); };
  std::sort(links->begin(), links->end(),
            [&](const LinkRow& a, const LinkRow& b) { return key(a) < key(b); });
  links->erase(std::unique(links->begin(), links->end(),
                           [&](const LinkRow& a, const LinkRow& b) { return key(a) == key(b); }),
               links->end());
}

}  // namespace

EntityKind LinkOwner(std::string_view link_kind) {
  return link_kind == kLicenseLink ? EntityKind::kUser : EntityKind::kRole;
}

Result<SnapshotRows> ToRows(Snapshot* snapshot) {
  Snapshot& s = *snapshot;
  SnapshotRows rows;
  auto id = [](const auto& r) -> const std::string& { return r.id; };
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kUser, s.users, id, [](const UserRecord& u) { return u.upn; },
      [](const UserRecord& u) { return EncodeUser(u); }, &rows));
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kSku, s.skus, id, [](const SkuRecord& r) { return r.part_number; },
      [](const SkuRecord& r) { return EncodeSku(r); }, &rows));
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kRegistration, s.registrations,
      [](const RegistrationRecord& r) -> const std::string& { return r.user_id; },
      [](const RegistrationRecord& r) { return r.upn; },
      [](const RegistrationRecord& r) { return EncodeRegistration(r); }, &rows));
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kRole, s.roles, id, [](const RoleRecord& r) { return r.name; },
      [](const RoleRecord& r) { return EncodeRole(r); }, &rows));
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kPolicy, s.policies, id, [](const PolicyRecord& r) { return r.name; },
      [](const PolicyRecord& r) { return EncodePolicy(r); }, &rows));
  VIGIL_RETURN_IF_ERROR(AddKind(
      s, EntityKind::kGroup, s.groups, id, [](const GroupRecord& r) { return r.display_name; },
      [](const GroupRecord& r) { return EncodeGroup(r); }, &rows));
  if (s.Has(EntityKind::kSetting)) {
    auto& out = rows.entities[EntityKind::kSetting];
    if (s.security_defaults) {
      EntityRow row;
      row.external_id = "securityDefaults";
      row.display_name = "Security defaults";
      row.attributes = EncodeSecurityDefaults(*s.security_defaults);
      row.content_hash = ContentHash(row.display_name, row.attributes);
      out.push_back(std::move(row));
    }
  }

  if (s.Has(EntityKind::kUser)) {
    auto& licenses = rows.links[std::string(kLicenseLink)];
    licenses.reserve(s.users.size());
    for (const UserRecord& u : s.users) {
      for (const std::string& sku : u.sku_ids) licenses.push_back({u.id, sku});
    }
    SortUnique(&licenses);
  }
  std::vector<UserRecord>().swap(s.users);
  if (s.Has(EntityKind::kRole)) {
    auto& roles = rows.links[std::string(kRoleLink)];
    for (const RoleAssignmentRecord& a : s.role_assignments) {
      if (!a.principal_is_user) {
        ++rows.skipped_non_user_assignments;
        continue;
      }
      roles.push_back({a.principal_id, a.role_id});
    }
    SortUnique(&roles);
  }
  std::vector<RoleAssignmentRecord>().swap(s.role_assignments);
  return rows;
}

}  // namespace vigil
