// Syncer: applies one Snapshot of one data source to the store.
//
// Apply validates the snapshot, diffs every available kind against the stored
// entities by content hash (rows are encoded chunk by chunk while earlier
// chunks are written, sync/row_stream.h), and in ONE transaction inserts what is new,
// updates what changed, soft-deletes what vanished (deleted_at), rebuilds the
// links of the available kinds by difference, records each kind's
// availability, appends a `syncs` row, and appends a `sync.completed` event
// to the outbox (events/outbox.h; totals over the kinds), then runs
// SyncOptions::in_transaction. Kinds the
// snapshot marks not available are left exactly as they were.
//
// Deletion guard (docs/ARCHITECTURE.md invariant 8): when a kind that had at least
// `guard_min_entities` live entities would lose more than `max_delete_share`
// of them, the sync is refused unless `force`: nothing of the snapshot is
// written, the sync is recorded as failed with the reason, and Apply returns
// FailedPrecondition with that reason.
//
// A sync recorded as failed (RecordFailure; Apply records every failure of
// its own that way, the refusal included) gets a `sync.failed` event in the
// transaction that writes the failed `syncs` row. Events carry the sync's
// trace id and the Clock's time when the sync finished. After Apply or
// RecordFailure returns, the caller may wake an in-process relay
// (OutboxRelay::Notify).
//
// Not thread-safe; uses the Db it is given.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "providers/snapshot.h"
#include "store/db.h"
#include "sync/snapshot_rows.h"

namespace vigil {

struct SyncOptions {
  bool force = false;
  double max_delete_share = 0.5;
  int guard_min_entities = 10;
  // Called inside Apply's transaction after everything else is written and
  // before the commit, with the sync's id: for work that must commit with
  // the sync or not at all (the follow-up analysis job in the job outbox).
  // An error rolls the whole sync back, and Apply returns it. May be empty.
  std::function<Status(Db*, int64_t sync_id)> in_transaction;
  // How the entity rows are encoded (sync/row_stream.h): `encode_chunk_rows`
  // at a time, by a helper thread while this one writes the chunk before
  // (when there are at least two chunks), or all on this thread. What is
  // stored is the same either way; the knobs are for tests and benchmarks.
  bool encode_on_helper_thread = true;
  size_t encode_chunk_rows = 2048;
};

struct KindCounts {
  int64_t created = 0;
  int64_t updated = 0;
  int64_t deleted = 0;
  int64_t unchanged = 0;
};

struct SyncSummary {
  int64_t sync_id = 0;
  std::map<EntityKind, KindCounts> kinds;         // available kinds only
  std::map<EntityKind, std::string> unavailable;  // kind -> reason
  int64_t links_added = 0;
  int64_t links_removed = 0;
  int64_t skipped_assignments = 0;  // role assignments to groups or service principals
  uint64_t statements = 0;
  // Wall-clock seconds of Apply's phases (for benchmarks and traces):
  // validating and ordering the records (to_rows), reading the stored hashes
  // + planning, entity writes (the encoding of the rows overlaps them), link
  // writes, and the rest of the transaction through its commit.
  struct Phases {
    double to_rows = 0, plan = 0, entities = 0, links = 0, commit = 0;
  } phases;
};

class Syncer {
 public:
  Syncer(Db* db, const Clock* clock) : db_(db), clock_(clock) {}

  // Takes the snapshot by value and frees its records once they are turned
  // into rows, so a large tenant is not held twice while it is written.
  Result<SyncSummary> Apply(int64_t tenant_id, int64_t data_source_id, Snapshot snapshot,
                            const SyncOptions& options, const std::string& trace_id);

  // Records a sync that failed before it could be applied (the provider could
  // not fetch, the snapshot was invalid): a failed `syncs` row, the data
  // source's last sync status and a `sync.failed` event, in one
  // transaction. Stored entities are not touched.
  Status RecordFailure(int64_t tenant_id, int64_t data_source_id, const std::string& trace_id,
                       TimeMs started_at, const std::string& error);

 private:
  // The transaction of Apply: FailedPrecondition when the deletion guard
  // refuses (decided from the ids alone, before anything is encoded or
  // written). Consumes the snapshot's records as their rows are written.
  Result<SyncSummary> Write(int64_t tenant_id, int64_t data_source_id, Snapshot* snapshot,
                            const RowOrder& order, const SyncOptions& options,
                            const std::string& trace_id, TimeMs started);

  Db* db_;
  const Clock* clock_;
};

}  // namespace vigil
