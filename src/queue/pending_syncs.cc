#include "queue/pending_syncs.h"

#include <memory>
#include <string>

#include "queue/pipeline_jobs.h"

namespace vigil {
namespace {

Result<bool> LocalQueuePending(Db* db, std::string_view queue, int64_t tenant_id,
                               std::string_view except_job_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT 1 FROM jobs WHERE queue = ? AND job_group = ? AND name = ?"
                  " AND state IN ('waiting', 'active') AND job_id <> ? LIMIT 1"));
  stmt->BindText(1, queue);
  stmt->BindText(2, std::to_string(tenant_id));
  stmt->BindText(3, kSyncJob);
  stmt->BindText(4, except_job_id);
  return stmt->Step();
}

// The outbox keeps no group: the unfinished sync rows of the queue (few at
// any time) are read and their payloads asked for the tenant.
Result<bool> OutboxPending(Db* db, std::string_view queue, int64_t tenant_id,
                           std::string_view except_job_id) {
  VIGIL_ASSIGN_OR_RETURN(
      std::unique_ptr<Statement> stmt,
      db->Prepare("SELECT job_id, payload FROM job_outbox WHERE queue = ? AND finished_at IS NULL"
                  " AND name = ?"));
  stmt->BindText(1, queue);
  stmt->BindText(2, kSyncJob);
  while (true) {
    VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return false;
    if (stmt->Text(0) == except_job_id) continue;
    Result<SyncJobPayload> payload = ParseSyncJobPayload(stmt->Text(1));
    if (payload.ok() && payload->tenant_id == tenant_id) {
      stmt->Reset();
      return true;
    }
  }
}

}  // namespace

Result<bool> OtherSyncsPending(Db* db, PendingJobsTable table, std::string_view queue,
                               int64_t tenant_id, std::string_view except_job_id) {
  if (table == PendingJobsTable::kLocalQueue) {
    return LocalQueuePending(db, queue, tenant_id, except_job_id);
  }
  return OutboxPending(db, queue, tenant_id, except_job_id);
}

}  // namespace vigil
