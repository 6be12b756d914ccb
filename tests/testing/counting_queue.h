// CountingQueue: a fake for tests that passes every call, the batch calls
// included, to a queue it owns, and counts the calls that take, report and
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

class CountingQueue : public Queue {
 public:
  CountingQueue(std::unique_ptr<Queue> target, std::shared_ptr<QueueCallCounts> counts)
      : q_(std::move(target)), counts_(std::move(counts)) {}

  const std::string& name() const override { return q_->name(); }
  Result<AddResult> Add(std::string_view n, std::string_view p, const JobOptions& o) override {
    ++counts_->add;
    return q_->Add(n, p, o);
  }
  Result<std::vector<AddResult>> AddBulk(const std::vector<JobToQueue>& jobs) override {
    ++counts_->add_bulk;
    return q_->AddBulk(jobs);
  }
  Result<std::optional<Job>> Take(std::string_view w, int64_t lease, int64_t wait) override {
    ++counts_->take;
    return q_->Take(w, lease, wait);
  }
  Result<CompleteAndTakeResult> CompleteAndTake(const std::vector<JobDone>& done,
                                                std::string_view w, int max_take, int64_t lease,
                                                int64_t wait) override {
    ++counts_->complete_and_take;
    return q_->CompleteAndTake(done, w, max_take, lease, wait);
  }
  Status Release(const Job& j) override {
    ++counts_->release;
    return q_->Release(j);
  }
  Status ExtendLease(const Job& j, int64_t lease) override { return q_->ExtendLease(j, lease); }
  Status Complete(const Job& j, std::string_view v) override {
    ++counts_->complete;
    return q_->Complete(j, v);
  }
  Result<FailResult> Fail(const Job& j, std::string_view e) override {
    ++counts_->fail;
    return q_->Fail(j, e);
  }
  Result<int> RecoverStalled() override { return q_->RecoverStalled(); }
  Status Retry(std::string_view id) override { return q_->Retry(id); }
  Status Pause() override { return q_->Pause(); }
  Status Resume() override { return q_->Resume(); }
  Result<JobCounts> Counts() override { return q_->Counts(); }
  Result<JobInfo> Get(std::string_view id) override { return q_->Get(id); }
  Result<std::vector<JobInfo>> List(const ListFilter& f) override { return q_->List(f); }
  void WakeAll() override { q_->WakeAll(); }

 private:
  std::unique_ptr<Queue> q_;
  std::shared_ptr<QueueCallCounts> counts_;
};

}  // namespace vigil::testing
