// A data source as `vigil sources --json` and the API (GET /api/v1/sources)
// show it: its row, its tenant's name, its schedule and the kinds of data it
// could not give at its last sync. One JSON shape for both (stable keys):
//
//   {"id", "tenant", "name", "provider", "settings": {...},
//    "schedule": {"every", "window", "enabled", "next_run_at"} | null,
//    "last_sync": {"at", "status", "error"} | null,
//    "not_available": [{"kind", "reason", "checked_at"}]}
//
// Secrets never appear: a setting whose key ends in "secret" or holds
// "password" shows "(sealed)" (or "(hidden)" when it is, wrongly, not sealed).
// Times are ISO 8601 UTC.
//
// Thread safety: as the Db's (one thread at a time per connection).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "queue/schedules.h"
#include "store/db.h"
#include "store/source_availability.h"
#include "store/tenants.h"

namespace vigil {

struct SourceView {
  DataSourceRow row;
  std::string tenant;  // the tenant's name
  std::optional<Schedule> schedule;
  std::vector<KindAvailability> missing;  // the kinds not available
};

// The data sources of tenant `tenant_id` (of every tenant when it is 0), by
// id. Four statements, whatever the number of tenants and data sources; the
// database's error otherwise.
Result<std::vector<SourceView>> LoadSourceViews(Db* db, int64_t tenant_id);

// The view of data source `row` (which must exist). NotFound when it is gone.
Result<SourceView> LoadSourceView(Db* db, const DataSourceRow& row);

// The JSON of one data source (the shape above).
nlohmann::json SourceJson(const SourceView& view);

// The settings object stored as `text` with every secret redacted; an empty
// object when `text` is not a JSON object.
nlohmann::json RedactedSettings(const std::string& text);

}  // namespace vigil
