#include "queue/job_retention.h"

#include <string>

namespace vigil {
namespace {

// Runs `sql` (a DELETE of at most one batch, bound to `params`) until it
// removes nothing; returns the rows removed.
Result<int64_t> DeleteInBatches(Db* db, const std::string& sql, const std::vector<DbValue>& params,
                                int batch) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt, db->Prepare(sql));
  int64_t removed = 0;
  for (;;) {
    stmt->Reset();
    stmt->BindAll(params);
    VIGIL_RETURN_IF_ERROR(stmt->Execute());
    removed += stmt->Changes();
    if (stmt->Changes() < batch) return removed;
  }
}

}  // namespace

Result<PrunedJobs> PruneFinishedJobs(Db* db, std::string_view queue, TimeMs finished_before,
                                     int batch) {
  if (batch <= 0) {
    return Status::InvalidArgument("prune jobs: batch must be > 0 (got " + std::to_string(batch) +
                                   ")");
  }
  const std::vector<DbValue> params = {std::string(queue), finished_before, int64_t{batch}};
  PrunedJobs pruned;
  VIGIL_ASSIGN_OR_RETURN(
      pruned.jobs,
      DeleteInBatches(db,
                      "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE queue = ?"
                      " AND state IN ('completed', 'failed') AND finished_at < ? LIMIT ?)",
                      params, batch));
  VIGIL_ASSIGN_OR_RETURN(
      pruned.outbox,
      DeleteInBatches(db,
                      "DELETE FROM job_outbox WHERE id IN (SELECT id FROM job_outbox"
                      " WHERE queue = ? AND finished_at < ? LIMIT ?)",
                      params, batch));
  return pruned;
}

}  // namespace vigil
