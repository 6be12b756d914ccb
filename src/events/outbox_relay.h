// OutboxRelay: moves events from the outbox (events/outbox.h) to an
// EventBus. A round reads unpublished events oldest first, `batch` at a
// time, publishes them, and marks them published only after Publish
// returned OK, until none is left. Delivery is therefore at-least-once: a
// crash (or a failed mark) between Publish and the mark publishes the same
// events, with the same ids, again; consumers drop repeats by Event::id.
//
// A failed round (Publish or the database failed) leaves the events it had
// not marked in the outbox; the next round publishes them again. The relay
// keeps running: RelayOnce returns the error, and last_error() tells what
// the latest round met. An outage (failed rounds in a row, however many) is
// logged twice (observe/log.h), not once per round:
//   warn "events.relay_down"  when the first round fails: "error", and
//                             "pending" (the events in the outbox then)
//   info "events.relay_up"    at the next good round: "down_ms" (from the
//                             first failed round to it) and "published"
//                             (the events it and the failed rounds got out:
//                             the backlog)
//
// Background use: Start runs rounds on a thread of its own: a round, then a
// wait until Notify() or poll_ms has passed, and again. An in-process writer
// calls Notify after committing events so they go out at once; events from
// other processes go out within poll_ms. Stop relays what is pending, then
// stops the thread.
//
// Thread safety: every method may be called from any thread; rounds never
// overlap (RelayOnce while started waits for the running round). The relay
// owns `db` (used by one round at a time); `bus` and `clock` are borrowed
// and must outlive it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "common/clock.h"
#include "common/status.h"
#include "events/event_bus.h"
#include "store/db.h"

namespace vigil {

struct OutboxRelayOptions {
  // Longest wait between background rounds without a Notify.
  int64_t poll_ms = 200;
  // Events read, published and marked together (> 0).
  int batch = 256;
};

class OutboxRelay {
 public:
  OutboxRelay(std::unique_ptr<Db> db, EventBus* bus, const Clock* clock,
              OutboxRelayOptions options = OutboxRelayOptions());
  // Stops (see Stop).
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // One round: publishes everything pending and marks it published (the
  // clock's time); returns how many events it published. On error, the
  // batches of this round published and marked before it stay so, the rest
  // stay unpublished.
  Result<int> RelayOnce();

  // Starts the background thread. FailedPrecondition when already started
  // or stopped.
  Status Start();

  // Wakes the background thread for a round now (no-op when not started).
  void Notify();

  // Stops the background thread after a last round that starts after this
  // call, so every event committed before it is relayed (unless that round
  // fails: see last_error()). Without Start, only prevents a later Start.
  // Idempotent; the destructor calls it.
  void Stop();

  // The error of the latest round, or OK when it succeeded (or none ran).
  Status last_error() const;

 private:
  // With round_mu_ held; *relayed: the events published and marked, also
  // when it fails part way.
  Status Round(int* relayed);
  // Logs an outage's start and end (see the top); with mu_ held.
  void NoteRound(const Status& status, int relayed, std::optional<int64_t> pending);
  void Run();  // the background thread

  const std::unique_ptr<Db> db_;
  EventBus* const bus_;
  const Clock* const clock_;
  const OutboxRelayOptions options_;

  std::mutex round_mu_;  // one round at a time; guards db_

  mutable std::mutex mu_;  // guards what follows
  std::condition_variable wake_;
  bool started_ = false;
  bool stopping_ = false;
  bool notified_ = false;
  Status last_error_;
  std::optional<TimeMs> down_since_;  // the first failed round of an outage
  int64_t published_while_down_ = 0;  // by the outage's failed rounds
  std::thread thread_;
};

}  // namespace vigil
