// FakeChannel: a Channel for tests. It records every group it is given and
// answers with the scripted results in order, then kSent; it records what
// Refresh was given. Thread-safe.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "notify/channel.h"

namespace vigil::testing {

struct FakeChannelLog {
  std::mutex mu;
  std::vector<NotificationGroup> groups;
  std::vector<DeliveryOutcome> outcomes;  // what each of `groups` was answered
  std::deque<DeliveryResult> script;
  int64_t refresh_interval_ms = 0;               // as Channel::refresh_interval_ms
  std::vector<std::vector<int64_t>> refreshes;  // the alert ids of each Refresh
};

class FakeChannel : public Channel {
 public:
  explicit FakeChannel(std::shared_ptr<FakeChannelLog> log) : log_(std::move(log)) {}
  DeliveryResult Deliver(const NotificationGroup& group) override {
    std::lock_guard<std::mutex> lock(log_->mu);
    log_->groups.push_back(group);
    DeliveryResult r{DeliveryOutcome::kSent, 200, "ok", "", std::nullopt};
    if (!log_->script.empty()) {
      r = log_->script.front();
      log_->script.pop_front();
    }
    log_->outcomes.push_back(r.outcome);
    return r;
  }
  int64_t refresh_interval_ms() const override {
    std::lock_guard<std::mutex> lock(log_->mu);
    return log_->refresh_interval_ms;
  }
  DeliveryResult Refresh(const std::vector<AlertRow>& open_alerts) override {
    std::lock_guard<std::mutex> lock(log_->mu);
    std::vector<int64_t> ids;
    for (const AlertRow& a : open_alerts) ids.push_back(a.id);
    log_->refreshes.push_back(std::move(ids));
    return {DeliveryOutcome::kSent, 200, "ok", "", std::nullopt};
  }

 private:
  std::shared_ptr<FakeChannelLog> log_;
};

}  // namespace vigil::testing
