// DataContext: everything analysis needs about one tenant, loaded once and
// indexed in memory. Built by DataContextLoader (or directly by tests); read
// by every analyzer of one run, so all analysis types see the same snapshot.
// Immutable after loading; safe to read from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "context/exclusions.h"
#include "context/preferences.h"
#include "context/rule_settings.h"
#include "providers/coverage.h"
#include "providers/records.h"
#include "providers/snapshot.h"

namespace vigil {

// An open alert as the loader found it (what the analyzers may compare to).
struct OpenAlert {
  int64_t id = 0;
  std::string type;  // alert type, e.g. "mfa.user_not_registered"
  std::string subject;
  std::string severity;
  std::string details_digest;
};

// One of the tenant's data sources, as the analysis sees it.
struct SourceInfo {
  int64_t id = 0;
  std::string name;      // the data source's name, e.g. "microsoft365", "google"
  std::string provider;  // its provider (providers/coverage.h: what that provider lacks)
};

struct DataContext {
  int64_t tenant_id = 0;
  std::string tenant_name;
  TimeMs now = 0;  // the analysis clock
  // How new the data is: the id of the newest sync (successful or not) of
  // the tenant's data sources that the context saw; 0 before any sync. A
  // context loaded later never has a smaller one.
  int64_t data_version = 0;
  Preferences preferences;
  // The rule version each analysis type runs, and its candidate in shadow
  // (context/rule_settings.h); a type without an entry runs version 1.
  RuleSettings rules;

  // Per kind, whether the tenant's data of that kind is usable for analysis:
  // every data source of the tenant provided it in its last sync and that
  // sync succeeded. A kind with no entry is not available.
  std::map<EntityKind, Availability> availability;

  std::vector<UserRecord> users;  // sku_ids as stored in each user's row
  std::vector<SkuRecord> skus;
  std::vector<RegistrationRecord> registrations;
  std::vector<RoleRecord> roles;
  std::vector<PolicyRecord> policies;
  std::optional<SecurityDefaultsRecord> security_defaults;
  std::vector<GroupRecord> groups;

  // Adjacency, by index into the vectors above.
  std::vector<std::vector<uint32_t>> user_roles;  // user -> roles held
  std::vector<std::vector<uint32_t>> user_skus;   // user -> SKUs assigned (known SKUs only)
  std::vector<int32_t> user_registration;         // user -> registration, or -1

  std::unordered_map<std::string, uint32_t> user_index;  // object id -> users[i]
  std::unordered_map<std::string, uint32_t> sku_index;   // skuId -> skus[i]
  std::unordered_map<std::string, uint32_t> role_index;  // role id -> roles[i]

  // The tenant's data sources in id order, and the source of each user and
  // SKU (an index into `sources`). A context built without them (tests)
  // leaves all three empty: no gaps, every user its own person.
  std::vector<SourceInfo> sources;
  std::vector<uint32_t> user_source;
  std::vector<uint32_t> sku_source;
  // Kinds that no data source of the tenant has at all (providers/coverage.h
  // KindAbsentFrom for each one's provider): an analysis needs them only for
  // the alert types that read them, which then do not apply.
  std::set<EntityKind> absent_kinds;
  // Linked persons: user -> the user that names the person. Accounts of
  // different data sources with the same email address (UPN or primary
  // email, without regard to ASCII case) are one person, named by the
  // account of the data source with the lowest id, so adding a data source
  // never renames a person. Built by LinkPersons; empty means each user is
  // its own person.
  std::vector<uint32_t> user_person;

  // Why data source sources[source] lacks `gap` (by its provider), or
  // nullopt when it does not.
  std::optional<std::string_view> SourceGap(uint32_t source, Gap gap) const;
  // Whether user u's (SKU s's) data source lacks `gap`; false without sources.
  bool UserLacks(uint32_t u, Gap gap) const;
  bool SkuLacks(uint32_t s, Gap gap) const;
  // Whether every data source lacks `gap` (false without sources): the
  // alert types that need it do not apply to the tenant.
  bool AllSourcesLack(Gap gap) const;
  // The user that names user u's person (u itself when not linked).
  uint32_t PersonOf(uint32_t u) const { return u < user_person.size() ? user_person[u] : u; }
  // Fills user_person from users, user_source and sources (after IndexRecords).
  void LinkPersons();

  // The tenant's exclusions (context/exclusions.h), in id order.
  std::vector<Exclusion> exclusions;

  // The tenant's open alerts when the context was loaded, for analyzers that
  // want to compare with what is already raised. The AlertManager does not
  // trust this copy: it re-reads alerts inside its own transaction.
  std::vector<OpenAlert> open_alerts;

  bool Has(EntityKind kind) const {
    auto it = availability.find(kind);
    return it != availability.end() && it->second.available;
  }
  // Why `kind` is not available ("" when it is).
  std::string MissingReason(EntityKind kind) const;

  // Rebuilds the index maps and adjacency vectors from the records
  // (users[].sku_ids and `role_links`, pairs of user id and role id). Links
  // naming an unknown user, SKU or role are skipped.
  // The same as IndexRecords() followed by BuildAdjacency(role_links).
  void BuildIndexes(const std::vector<std::pair<std::string, std::string>>& role_links);
  // The two halves, for a loader that needs user_index before it can attach
  // users' sku_ids: the id -> index maps, then the adjacency vectors.
  void IndexRecords();
  void BuildAdjacency(const std::vector<std::pair<std::string, std::string>>& role_links);
};

}  // namespace vigil
