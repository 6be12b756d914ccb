// The analysis ledger: per (tenant, analysis type), the last batch recorded
// and the last COMPLETE one. AlertManager reads it to recognise a batch it
// has already applied (docs/ARCHITECTURE.md invariant 4) or one older than the truth it
// already holds (stale), and writes it in the same transaction as the alerts.
//
// Thread safety: as the Db's. Every function runs exactly one statement.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// One row of analysis_ledger.
struct LedgerEntry {
  std::string analysis_type;
  // The newest batch recorded (by as_of; of equal ones the latest arrival).
  // A COMPLETE batch older than a recorded failure updates only the
  // last_complete fields.
  std::string run_id;
  TimeMs as_of = 0;          // its analysis clock
  std::string status;        // "COMPLETE", "INCOMPLETE" or "FAILED" (BatchStatusName)
  std::string reason;        // why not COMPLETE; empty when COMPLETE
  std::string batch_digest;  // BatchDigest of the recorded batch
  TimeMs applied_at = 0;     // wall-clock time it was recorded
  std::string trace_id;
  // The newest data any recorded batch of this type was analyzed from
  // (DataContext::data_version); never decreases.
  int64_t data_version = 0;
  // The rule version of the last COMPLETE batch (the one the alerts
  // reflect), or of the newest batch recorded when none was COMPLETE.
  int rule_version = 1;
  std::optional<std::string> last_complete_run_id;  // none until a COMPLETE batch was applied
  std::optional<TimeMs> last_complete_as_of;
};

// The ledger rows of `tenant_id`, keyed by analysis type. Inside a write
// transaction on PostgreSQL it also locks the tenant's row until the
// transaction ends, so reconciles of one tenant run one after another on
// every backend (SQLite's write transactions do already). NotFound when
// there is no such tenant.
Result<std::map<std::string, LedgerEntry>> LoadLedger(Db* db, int64_t tenant_id);

// When each tenant's newest batch was recorded (the latest applied_at of
// its ledger rows): of tenant `tenant_id` only, or of every tenant when it
// is 0; tenants never analyzed are absent. One statement.
Result<std::map<int64_t, TimeMs>> LastAnalysisByTenant(Db* db, int64_t tenant_id);

// Inserts or replaces the rows of `entries` (distinct analysis types) for
// `tenant_id`, all in one statement; does nothing when `entries` is empty.
// The caller wraps it in its transaction.
Status UpsertLedger(Db* db, int64_t tenant_id, const std::vector<LedgerEntry>& entries);

}  // namespace vigil
