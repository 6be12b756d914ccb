// DataContextLoader: builds one tenant's DataContext with a fixed number of
// statements (eight), however large the tenant: the tenant, its preferences,
// its rule settings, its data sources with their availability, every live
// entity, every role link, the open alerts, and its exclusions. Entities are
// decoded from their canonical attributes (a user's licenses included) and
// indexed in memory.
//
// Availability of a kind for the tenant: not available when any of the
// tenant's data sources failed its last sync (the reason names the data
// source and its error) or last succeeded more than the preference
// max_sync_age_hours before `now` (stale data), or when a data source
// reported the kind missing in its last sync; available when at least one
// data source provided it. A data source whose provider never has the kind
// (providers/coverage.h KindAbsentFrom: Google Workspace has no policies)
// does not count either way; a kind that every data source lacks so is in
// absent_kinds, not available, with a reason naming them.
//
// Each user and SKU keeps its data source (user_source, sku_source), and
// accounts of different data sources with the same email address are
// linked into one person (DataContext::LinkPersons).
// Not thread-safe; uses the Db it is given.
#pragma once

#include "common/clock.h"
#include "common/status.h"
#include "context/data_context.h"
#include "store/db.h"

namespace vigil {

class DataContextLoader {
 public:
  explicit DataContextLoader(Db* db) : db_(db) {}

  // NotFound when the tenant does not exist; Internal (naming the entity)
  // when a stored entity's attributes cannot be decoded.
  Result<DataContext> Load(int64_t tenant_id, TimeMs now);

  // Statements the last Load executed.
  uint64_t last_statements() const { return last_statements_; }

 private:
  Db* db_;
  uint64_t last_statements_ = 0;
};

}  // namespace vigil
