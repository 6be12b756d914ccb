// ForwardingQueue: a Queue that passes every call to another queue, for
// test fakes that change one behaviour (override that method only).
// CompleteAndTake and Release keep Queue's base implementations, which go
// through this queue's Take, Complete and ExtendLease (and so through a
// fake's overrides).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "queue/queue.h"

namespace vigil::testing {

class ForwardingQueue : public Queue {
 public:
  explicit ForwardingQueue(Queue* target) : q_(target) {}

  const std::string& name() const override { return q_->name(); }
  Result<AddResult> Add(std::string_view n, std::string_view p, const JobOptions& o) override {
    return q_->Add(n, p, o);
  }
  Result<std::optional<Job>> Take(std::string_view w, int64_t lease, int64_t wait) override {
    return q_->Take(w, lease, wait);
  }
  Status ExtendLease(const Job& j, int64_t lease) override { return q_->ExtendLease(j, lease); }
  Status Complete(const Job& j, std::string_view v) override { return q_->Complete(j, v); }
  Result<FailResult> Fail(const Job& j, std::string_view e) override { return q_->Fail(j, e); }
  Result<int> RecoverStalled() override { return q_->RecoverStalled(); }
  Status Retry(std::string_view id) override { return q_->Retry(id); }
  Status Pause() override { return q_->Pause(); }
  Status Resume() override { return q_->Resume(); }
  Result<JobCounts> Counts() override { return q_->Counts(); }
  Result<JobInfo> Get(std::string_view id) override { return q_->Get(id); }
  Result<std::vector<JobInfo>> List(const ListFilter& f) override { return q_->List(f); }
  void WakeAll() override { q_->WakeAll(); }

 private:
  Queue* q_;
};

}  // namespace vigil::testing
