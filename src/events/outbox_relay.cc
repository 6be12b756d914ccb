#include "events/outbox_relay.h"

#include <chrono>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "events/outbox.h"
#include "observe/log.h"
#include "store/span_store.h"

namespace vigil {

OutboxRelay::OutboxRelay(std::unique_ptr<Db> db, EventBus* bus, const Clock* clock,
                         OutboxRelayOptions options)
    : db_(std::move(db)), bus_(bus), clock_(clock), options_(options) {}

OutboxRelay::~OutboxRelay() { Stop(); }

Result<int> OutboxRelay::RelayOnce() {
  int relayed = 0;
  Status status;
  std::optional<int64_t> pending;
  {
    std::lock_guard<std::mutex> round(round_mu_);
    status = Round(&relayed);
    bool down = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      down = down_since_.has_value();
    }
    if (!status.ok() && !down && db_ != nullptr) {
      // Only for the log line that an outage starts: how much waits.
      Result<int64_t> count = CountUnpublished(db_.get());
      if (count.ok()) pending = *count;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = status;
  NoteRound(status, relayed, pending);
  if (!status.ok()) return status;
  return relayed;
}

void OutboxRelay::NoteRound(const Status& status, int relayed, std::optional<int64_t> pending) {
  const TimeMs now = clock_->NowMs();
  if (!status.ok()) {
    if (!down_since_) {
      down_since_ = now;
      published_while_down_ = 0;
      constexpr char kNote[] = "events stay in the outbox and go out when the relay works again";
      if (pending) {
        Log(LogLevel::kWarn, "events.relay_down",
            {{"error", status.message()}, {"pending", *pending}, {"note", kNote}});
      } else {
        Log(LogLevel::kWarn, "events.relay_down", {{"error", status.message()}, {"note", kNote}});
      }
    }
    published_while_down_ += relayed;  // batches that went out before the failure
    return;
  }
  if (!down_since_) return;
  Log(LogLevel::kInfo, "events.relay_up",
      {{"down_ms", now - *down_since_}, {"published", published_while_down_ + relayed}});
  down_since_.reset();
  published_while_down_ = 0;
}

namespace {

// One "event.publish" span per trace whose events a round published, so a
// trace shows when its events went out (attributes: events, types).
class PublishSpans {
 public:
  explicit PublishSpans(TimeMs start) : start_ms_(start), start_(std::chrono::steady_clock::now()) {}

  void Add(const Event& e) {
    Entry& entry = by_trace_[e.trace_id];
    entry.tenant_id = e.tenant_id;
    ++entry.events;
    entry.types.insert(e.type);
  }

  std::vector<SpanRecord> Finish() const {
    const int64_t duration_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - start_)
                                    .count();
    std::vector<SpanRecord> spans;
    for (const auto& [trace_id, entry] : by_trace_) {
      if (trace_id.empty()) continue;
      SpanRecord span;
      span.trace_id = trace_id;
      span.span_id = NewTraceId().substr(0, 16);
      span.tenant_id = entry.tenant_id;
      span.name = "event.publish";
      span.start_ms = start_ms_;
      span.duration_us = duration_us;
      span.attributes["events"] = std::to_string(entry.events);
      std::string types;
      for (const std::string& t : entry.types) types += (types.empty() ? "" : ",") + t;
      span.attributes["types"] = types;
      spans.push_back(std::move(span));
    }
    return spans;
  }

 private:
  struct Entry {
    int64_t tenant_id = 0;
    int64_t events = 0;
    std::set<std::string> types;
  };
  TimeMs start_ms_;
  std::chrono::steady_clock::time_point start_;
  std::map<std::string, Entry> by_trace_;
};

}  // namespace

Status OutboxRelay::Round(int* relayed_out) {
  if (db_ == nullptr) return Status::InvalidArgument("outbox relay: no database");
  if (options_.batch <= 0) {
    return Status::InvalidArgument("outbox relay: batch must be positive, got " +
                                   std::to_string(options_.batch));
  }
  int& relayed = *relayed_out;
  relayed = 0;
  PublishSpans spans(clock_->NowMs());
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
    for (const Event& e : *events) spans.Add(e);
    if (static_cast<int>(events->size()) < options_.batch) break;
  }
  if (relayed > 0) {
    Status saved = SaveSpans(db_.get(), spans.Finish());
    if (!saved.ok()) return saved.Prefixed("outbox relay: storing event.publish spans");
  }
  return Status::Ok();
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
