// The event outbox: the `event_outbox` table (migration 3), where a writer
// puts the events that announce a change in the SAME transaction as the
// change. An event is in the outbox exactly when its change committed; the
// relay (events/outbox_relay.h) later publishes it to an EventBus and marks
// it published. Published events are removed only by PrunePublishedEvents.
//
// Event::id is the row id the database assigns: unique and increasing in
// insertion order. (On SQLite writers are serialised, so ids also commit in
// order. A backend whose ids may commit out of order, like a PostgreSQL
// sequence, can make ListEvents skip a late commit; ReadUnpublished cannot.)
//
// Thread safety: as the Db's (one thread at a time per Db).
#pragma once

#include <cstdint>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "events/event.h"
#include "events/event_bus.h"
#include "store/db.h"

namespace vigil {

// Rows per multi-row INSERT of AppendEvents: appending n events runs
// ceil(n / kOutboxRowsPerStatement) statements (none for n = 0).
inline constexpr int kOutboxRowsPerStatement = 256;

// Appends `events` in order (their `id` is ignored; the database assigns
// it; `at` becomes created_at). Runs inside the caller's open transaction,
// so the events commit or roll back with the change they announce; it opens
// none of its own. Returns the Db's error when an INSERT fails.
Status AppendEvents(Db* db, const std::vector<Event>& events);

// Up to `limit` (> 0) events not yet published, oldest (lowest id) first.
Result<std::vector<Event>> ReadUnpublished(Db* db, int limit);

// Sets published_at = `at` on the events `ids` that are not published yet
// (ids already published or unknown are left alone). One statement per
// kOutboxRowsPerStatement ids; nothing when `ids` is empty.
Status MarkPublished(Db* db, const std::vector<int64_t>& ids, TimeMs at);

// The notifier's side of the outbox (notify/notifier.h), independent of the
// relay's: up to `limit` (> 0) events not routed to channels yet, oldest
// first; and setting routed_at = `at` on those of `ids` not routed yet.
Result<std::vector<Event>> ReadUnrouted(Db* db, int limit);
Status MarkRouted(Db* db, const std::vector<int64_t>& ids, TimeMs at);

// How many events are not published yet (the relay's backlog).
Result<int64_t> CountUnpublished(Db* db);

// The id of the newest event in the outbox, published or not; 0 when empty.
Result<int64_t> NewestEventId(Db* db);

// Up to `limit` (> 0) events with id > `after_id` that match `filter`,
// published or not, in id order: for tailing the log (pass the last id seen).
Result<std::vector<Event>> ListEvents(Db* db, const EventFilter& filter, int64_t after_id,
                                      int limit);

// Removes events published, routed and created before `created_before`, at
// most `batch` (> 0) per statement, until none is left; returns how many.
// Events not yet published or not yet routed are kept whatever their age. InvalidArgument for
// batch <= 0.
Result<int64_t> PrunePublishedEvents(Db* db, TimeMs created_before, int batch = 1000);

}  // namespace vigil
