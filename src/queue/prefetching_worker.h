// PrefetchingWorker: the worker of WorkerOptions::prefetch > 0 (see
// queue/worker.h for what a worker does). Feeder threads (two by default)
// take the jobs for all worker threads and report their completions, in
// batches of one Queue::CompleteAndTake each (one round trip for many jobs
// on a backend that batches; with two, one is under way while the other
// hands out its jobs); leases are held as "<name>/feed". While no job is
// held, a worker thread waits in the queue itself, so an idle worker starts
// a new job without a hand-over.
//
// At most max(concurrency, prefetch) jobs are held (as a message broker's
// prefetch count, the running ones included): those the worker threads run
// (still at most `concurrency` at a time, one per thread; concurrency 1 runs
// one job at a time) and those that wait ahead for a thread (their lease,
// and so Job::started_at, began when they were taken); finished ones wait
// for a feeder's next round trip besides. With prefetch <= concurrency no
// job waits for a busy thread: a job is taken only for a thread that is
// free, and its completion and the next take are one round trip. While some are held and the last
// take found the queue empty, the feeders look again every 20 ms (a wait in
// the queue would hold back those reports). The keeper extends the leases
// of all of them; one it finds lost while the job waits ahead is dropped
// unrun (counted as lease_lost). Stop gives the jobs no thread started back
// to the queue (Queue::Release).
//
// A failed run is reported by its worker thread with Queue::Fail, as in the
// plain worker; a completion the batch could not report because the queue
// was away (Unavailable) is reported again by Queue::Complete, as
// WorkerOptions describes ("job.report_retry").
//
// Thread safety: as WorkerCore.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <vector>

#include "queue/worker_core.h"

namespace vigil {

class PrefetchingWorker final : public WorkerCore {
 public:
  PrefetchingWorker(Queue* queue, JobHandlerFactory make_handler, WorkerOptions options,
                    const Clock* clock);
  ~PrefetchingWorker() override;

 private:
  using Lock = std::unique_lock<std::mutex>;

  void StartThreads() override;
  void WakeThreads() override;

  // A worker thread: runs the jobs taken ahead, or waits in the queue for
  // some while nothing is held.
  void RunThread(JobHandler* handler);
  // With nothing held: takes jobs for every thread in one call that waits
  // in the queue, and keeps them ahead.
  void WaitInQueue(Lock& lock);
  // Runs the first job ahead (unless its lease was lost meanwhile); a
  // completion is left to the feeders, a failure reported here.
  void RunNextAhead(Lock& lock, JobHandler* handler, bool* last_short);

  // A feeder thread: reports finished runs and takes more, one round trip
  // at a time, until stopping and every run is reported.
  void Feed();
  // Gives back the jobs ahead that no thread started (stopping).
  void GiveBackAhead(Lock& lock);
  // Jobs a round trip may take now.
  int WantMore() const;
  // Waits while a round trip is not worth it (full; idle, as a worker
  // thread then waits in the queue; or the queue was drained a moment
  // ago), waking an idle worker thread for jobs that wait ahead. True when
  // it waited (the caller looks again), false when a round trip is due.
  bool IdleUntilNeeded(Lock& lock, int want);
  // One CompleteAndTake: the finished runs, and up to `want` more jobs.
  void RoundTrip(Lock& lock, int want);
  // Counts and reports (on_finished) each completion of a round trip.
  void ReportBatch(const std::vector<JobDone>& done, const Result<CompleteAndTakeResult>& r);

  // Called with mu_ held: no job is ahead, running or finished and unreported.
  bool HoldsNothing() const;
  // Puts the jobs `r` took (asked for `asked`) ahead and wakes a worker
  // thread. Called with mu_ held.
  void TakeAhead(const Result<CompleteAndTakeResult>& r, int asked);

  const std::string owner_;  // "<name>/feed"
  const int capacity_;       // max(concurrency, prefetch)

  std::deque<Job> ahead_;          // taken and not started
  int running_count_ = 0;          // handlers running
  std::vector<JobDone> done_;      // finished runs the feeders have yet to report
  bool waiting_in_queue_ = false;  // a worker thread's CompleteAndTake waits for jobs
  int feeding_ = 0;                // the feeders' CompleteAndTake calls under way
  int feeding_want_ = 0;           // how many jobs those calls may take
  bool queue_drained_ = false;     // the last take got fewer jobs than it asked for
  std::chrono::steady_clock::time_point look_again_;  // for new jobs, while queue_drained_
  std::chrono::steady_clock::time_point last_pop_;    // a worker thread last started a job
  std::condition_variable work_cv_;                   // worker threads: a job is ahead, or stopping
  std::condition_variable feed_cv_;                   // the feeders: a run finished, or stopping
};

}  // namespace vigil
