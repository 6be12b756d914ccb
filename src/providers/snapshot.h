// Snapshot: what one sync of one data source returned, before it is applied.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "providers/records.h"

namespace vigil {

// Whether the provider could give a kind of data, and why not.
struct Availability {
  bool available = false;
  std::string reason;  // empty when available; e.g. "userRegistrationDetails.json is missing"
};

struct Snapshot {
  // One entry per EntityKind the provider was asked for. A kind marked not
  // available leaves its stored entities and links exactly as they were.
  std::map<EntityKind, Availability> availability;

  std::vector<UserRecord> users;                            // with kUser
  std::vector<SkuRecord> skus;                              // with kSku
  std::vector<RegistrationRecord> registrations;            // with kRegistration
  std::vector<RoleRecord> roles;                            // with kRole (derived from assignments)
  std::vector<RoleAssignmentRecord> role_assignments;       // with kRole
  std::vector<PolicyRecord> policies;                       // with kPolicy
  std::optional<SecurityDefaultsRecord> security_defaults;  // with kSetting
  std::vector<GroupRecord> groups;                          // with kGroup

  // The provider's own note for its next sync of this data source (e.g. a
  // Graph delta link), opaque to everyone else. The Syncer stores it with
  // the data source in the sync's transaction, so it advances only with a
  // sync that committed; empty leaves the stored one unchanged.
  std::string cursor;

  bool Has(EntityKind kind) const {
    auto it = availability.find(kind);
    return it != availability.end() && it->second.available;
  }
};

}  // namespace vigil
