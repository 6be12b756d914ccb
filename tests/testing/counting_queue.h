// CountingQueue: a fake for tests that passes every call, the batch calls
// included, to a queue it owns (a ForwardingQueue that also forwards the
// batch calls), and counts the calls that take, report and
// add jobs, so a test can tell which path a caller took (one Take and one
// Complete per job, or CompleteAndTake batches). The counts are shared, so
// they can be read after the queue was handed to its user.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "queue/queue.h"
#include "testing/forwarding_queue.h"

namespace vigil::testing {

struct QueueCallCounts {
  std::atomic<int64_t> add{0};
  std::atomic<int64_t> add_bulk{0};
  std::atomic<int64_t> take{0};
  std::atomic<int64_t> complete{0};
  std::atomic<int64_t> fail{0};
  std::atomic<int64_t> complete_and_take{0};
  std::atomic<int64_t> release{0};
};

class CountingQueue : public ForwardingQueue {
 public:
  CountingQueue(std::unique_ptr<Queue> target, std::shared_ptr<QueueCallCounts> counts)
      : ForwardingQueue(target.get()), owned_(std::move(target)), counts_(std::move(counts)) {}

  Result<AddResult> Add(std::string_view n, std::string_view p, const JobOptions& o) override {
    ++counts_->add;
    return ForwardingQueue::Add(n, p, o);
  }
  Result<std::optional<Job>> Take(std::string_view w, int64_t lease, int64_t wait) override {
    ++counts_->take;
    return ForwardingQueue::Take(w, lease, wait);
  }
  Status Complete(const Job& j, std::string_view v) override {
    ++counts_->complete;
    return ForwardingQueue::Complete(j, v);
  }
  Result<FailResult> Fail(const Job& j, std::string_view e) override {
    ++counts_->fail;
    return ForwardingQueue::Fail(j, e);
  }
  // The batch calls go to the owned queue's own (ForwardingQueue keeps
  // Queue's per-job versions of them).
  Result<std::vector<AddResult>> AddBulk(const std::vector<JobToQueue>& jobs) override {
    ++counts_->add_bulk;
    return owned_->AddBulk(jobs);
  }
  Result<CompleteAndTakeResult> CompleteAndTake(const std::vector<JobDone>& done,
                                                std::string_view w, int max_take, int64_t lease,
                                                int64_t wait) override {
    ++counts_->complete_and_take;
    return owned_->CompleteAndTake(done, w, max_take, lease, wait);
  }
  Status Release(const Job& j) override {
    ++counts_->release;
    return owned_->Release(j);
  }

 private:
  std::unique_ptr<Queue> owned_;
  std::shared_ptr<QueueCallCounts> counts_;
};

}  // namespace vigil::testing
