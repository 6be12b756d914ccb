// TriggerSync: the start of a trace. Creates a trace id and its root span
// "trigger" (attribute by=<who>), and enqueues a sync job whose payload
// carries both, so every later span (queue wait, sync, analysis, reconcile)
// hangs below the trigger. Used by the scheduler, `vigil trigger`, the API
// and webhooks.
#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "queue/queue.h"
#include "store/db.h"

namespace vigil {

struct TriggerOptions {
  std::string by = "cli";  // "schedule", "cli", "api", "webhook"
  std::string job_id;      // empty: a unique one; deterministic ids deduplicate
  bool force = false;      // the sync accepts what the deletion guard would refuse
};

struct TriggeredSync {
  std::string trace_id;
  std::string job_id;
  bool added = true;  // false: a job with this id existed (its trace is the existing one's)
};

// Enqueues the sync of one data source and, when the job was added, stores
// the trigger span. Fails with the queue's or the database's error.
Result<TriggeredSync> TriggerSync(Db* db, Queue* queue, const Clock& clock, int64_t tenant_id,
                                  int64_t data_source_id, const TriggerOptions& options);

}  // namespace vigil
