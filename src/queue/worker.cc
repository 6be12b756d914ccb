#include "queue/worker.h"

#include <utility>

#include "queue/plain_worker.h"
#include "queue/prefetching_worker.h"

namespace vigil {

namespace {

std::unique_ptr<WorkerCore> MakeWorker(Queue* queue, JobHandlerFactory make_handler,
                                       WorkerOptions options, const Clock* clock) {
  if (options.prefetch > 0) {
    return std::make_unique<PrefetchingWorker>(queue, std::move(make_handler), std::move(options),
                                               clock);
  }
  // A negative prefetch is refused by Start.
  return std::make_unique<PlainWorker>(queue, std::move(make_handler), std::move(options), clock);
}

}  // namespace

Worker::Worker(Queue* queue, JobHandlerFactory make_handler, WorkerOptions options,
               const Clock* clock)
    : impl_(MakeWorker(queue, std::move(make_handler), std::move(options), clock)) {}

Worker::~Worker() = default;

}  // namespace vigil
