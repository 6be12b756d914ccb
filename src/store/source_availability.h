// What each data source could and could not give at its last sync: table
// data_availability, one row per (data source, kind) that the syncer writes
// (sync/syncer.cc). A kind is "not available" when the provider could not
// fetch it (a missing file, a tenant without the licence a Graph endpoint
// needs); the reason says why, as the provider put it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.h"
#include "store/db.h"

namespace vigil {

struct KindAvailability {
  int64_t data_source_id = 0;
  std::string kind;  // "user", "registration", "signin", ... (providers/records.h)
  bool available = true;
  std::string reason;  // empty when available
  TimeMs updated_at = 0;
};

// The availability rows of the data sources of `tenant_id` (of every tenant
// when it is 0), ordered by data source id, then kind. One statement; the
// database's error otherwise.
Result<std::vector<KindAvailability>> ListKindAvailability(Db* db, int64_t tenant_id = 0);

}  // namespace vigil
