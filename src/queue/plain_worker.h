// PlainWorker: the worker of WorkerOptions::prefetch 0 (see queue/worker.h
// for what a worker does). Each of its `concurrency` threads takes one job
// at a time under its own lease ("<name>/<thread index>"), runs it, and
// reports it with Queue::Complete or Queue::Fail: two round trips per job,
// and nothing held beyond the jobs that run. A failed Take is counted as
// an error and tried again after a short pause.
//
// Thread safety: as WorkerCore.
#pragma once

#include "queue/worker_core.h"

namespace vigil {

class PlainWorker final : public WorkerCore {
 public:
  PlainWorker(Queue* queue, JobHandlerFactory make_handler, WorkerOptions options,
              const Clock* clock);
  ~PlainWorker() override;

 private:
  void StartThreads() override;
  void WakeThreads() override {}
  // One worker thread: take, run, report, until stopping.
  void RunThread(int index, JobHandler* handler);
};

}  // namespace vigil
