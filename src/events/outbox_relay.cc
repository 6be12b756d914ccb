#include "events/outbox_relay.h"

#include <chrono>
#include <utility>
#include <vector>

#include "events/outbox.h"

namespace vigil {

OutboxRelay::OutboxRelay(std::unique_ptr<Db> db, EventBus* bus, const Clock* clock,
                         OutboxRelayOptions options)
    : db_(std::move(db)), bus_(bus), clock_(clock), options_(options) {}

OutboxRelay::~OutboxRelay() { Stop(); }

Result<int> OutboxRelay::RelayOnce() {
  Result<int> relayed = 0;
  {
    std::lock_guard<std::mutex> round(round_mu_);
    relayed = Round();
  }
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = relayed.ok() ? Status::Ok() : relayed.status();
  return relayed;
}

Result<int> OutboxRelay::Round() {
  if (db_ == nullptr) return Status::InvalidArgument("outbox relay: no database");
  if (options_.batch <= 0) {
    return Status::InvalidArgument("outbox relay: batch must be positive, got " +
                                   std::to_string(options_.batch));
  }
  int relayed = 0;
  while (true) {
    Result<std::vector<Event>> events = ReadUnpublished(db_.get(), options_.batch);
    if (!events.ok()) return events.status().Prefixed("outbox relay: reading the outbox");
    if (events->empty()) break;
    Status published = bus_->Publish(*events);
    if (!published.ok()) return published.Prefixed("outbox relay: publishing");
    std::vector<int64_t> ids;
    ids.reserve(events->size());
    for (const Event& e : *events) ids.push_back(e.id);
    Status marked = MarkPublished(db_.get(), ids, clock_->NowMs());
    if (!marked.ok()) return marked.Prefixed("outbox relay: marking events published");
    relayed += static_cast<int>(events->size());
    if (static_cast<int>(events->size()) < options_.batch) break;
  }
  return relayed;
}

Status OutboxRelay::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopping_) {
    return Status::FailedPrecondition(stopping_ ? "outbox relay: stopped"
                                                : "outbox relay: already started");
  }
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void OutboxRelay::Notify() {
  std::lock_guard<std::mutex> lock(mu_);
  notified_ = true;
  wake_.notify_one();
}

void OutboxRelay::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

Status OutboxRelay::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void OutboxRelay::Run() {
  while (true) {
    bool last = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last = stopping_;
    }
    // The last round starts after Stop was called, so it relays every event
    // committed before that.
    (void)RelayOnce();
    if (last) return;
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                   [this] { return notified_ || stopping_; });
    notified_ = false;
  }
}

}  // namespace vigil
