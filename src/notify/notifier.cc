#include "notify/notifier.h"

#include <chrono>
#include <set>

#include "alerts/alert_store.h"
#include "common/ids.h"
#include "common/time.h"
#include "events/outbox.h"
#include "notify/channel_store.h"
#include "notify/group_builder.h"
#include "notify/notification_plan.h"
#include "notify/notification_store.h"
#include "notify/repeat_plan.h"
#include "notify/retry_policy.h"
#include "observe/log.h"
#include "observe/metrics.h"

namespace vigil {
namespace {

constexpr int kDueGroupsPerQuery = 64;

void CountAttempt(const ChannelSpec& spec, const DeliveryResult& result, int64_t notifications) {
  MetricsRegistry* m = DefaultMetrics();
  const MetricLabels labels = {{"channel", spec.name},
                               {"outcome", std::string(DeliveryOutcomeName(result.outcome))}};
  m->GetCounter("vigil_deliveries_total", "Delivery attempts by channel and outcome", labels)
      ->Inc();
  m->GetCounter("vigil_notifications_delivered_total",
                "Notifications in delivery attempts by channel and outcome", labels)
      ->Inc(static_cast<double>(notifications));
}

std::vector<int64_t> AlertIds(const NotificationGroup& group) {
  std::vector<int64_t> ids;
  for (const Notification& n : group.notifications) ids.push_back(n.alert.id);
  return ids;
}

}  // namespace

Notifier::Notifier(std::unique_ptr<Db> db, ChannelOpener open_channel, SecretKeyLoader load_key,
                   const Clock* clock, NotifierOptions options)
    : db_(std::move(db)),
      open_channel_(std::move(open_channel)),
      load_key_(std::move(load_key)),
      clock_(clock),
      options_(std::move(options)) {}

Notifier::~Notifier() { Stop(); }

Status Notifier::RefreshChannels(TimeMs now) {
  if (channels_loaded_at_ && now - *channels_loaded_at_ < options_.channels_refresh_ms) {
    return Status::Ok();
  }
  Result<SecretKey> key = load_key_ ? load_key_() : Status::FailedPrecondition("no secret key");
  std::vector<ChannelSpec> specs;
  if (key.ok()) {
    VIGIL_ASSIGN_OR_RETURN(specs, LoadChannelSpecs(db_.get(), *key));
  } else {
    // Routing still works without the key: it needs no secret.
    VIGIL_ASSIGN_OR_RETURN(std::vector<ChannelRow> rows, ListChannels(db_.get()));
    for (ChannelRow& row : rows) {
      ChannelSpec spec;
      spec.id = row.id;
      spec.name = row.name;
      spec.kind = row.kind;
      spec.tenant_id = row.tenant_id;
      spec.route = row.route;
      spec.policy = row.policy;
      specs.push_back(std::move(spec));
    }
  }
  if (!key.ok() && !specs.empty() && !warned_no_key_) {
    Log(LogLevel::kWarn, "notify.no_secret_key",
        {{"error", key.status().message()},
         {"effect", "alert changes are routed, but this process sends nothing"}});
  }
  warned_no_key_ = !key.ok() && !specs.empty();
  std::map<int64_t, OpenChannel> next;
  for (ChannelSpec& spec : specs) {
    OpenChannel& c = next[spec.id];
    auto old = channels_.find(spec.id);
    if (old != channels_.end()) {
      c.next_send_at = old->second.next_send_at;
      c.next_refresh_at = old->second.next_refresh_at;
    }
    if (!key.ok()) {
      c.open_status = key.status().Prefixed("channel \"" + spec.name + "\" cannot send");
    } else {
      Result<std::unique_ptr<Channel>> opened = open_channel_(spec);
      if (opened.ok()) {
        c.channel = std::move(*opened);
      } else {
        c.open_status = opened.status();
      }
    }
    c.spec = std::move(spec);
  }
  channels_ = std::move(next);
  channels_loaded_at_ = now;
  return Status::Ok();
}

Result<bool> Notifier::RouteBatch(PassCounts* counts) {
  std::vector<RoutableChannel> routable;
  for (const auto& [id, c] : channels_) routable.push_back({id, c.spec.tenant_id, c.spec.route});
  VIGIL_ASSIGN_OR_RETURN(std::vector<Event> events, ReadUnrouted(db_.get(), options_.route_batch));
  if (events.empty()) return false;
  const std::vector<NewNotification> plan = PlanNotifications(events, routable);
  VIGIL_RETURN_IF_ERROR(InsertNotifications(db_.get(), plan));
  std::vector<int64_t> ids;
  for (const Event& e : events) ids.push_back(e.id);
  VIGIL_RETURN_IF_ERROR(MarkRouted(db_.get(), ids, clock_->NowMs()));
  counts->routed_events += static_cast<int>(events.size());
  counts->notifications += static_cast<int>(plan.size());
  return static_cast<int>(events.size()) == options_.route_batch;
}

Status Notifier::Remind(PassCounts* counts) {
  const TimeMs now = clock_->NowMs();
  if (now < next_reminders_at_) return Status::Ok();
  next_reminders_at_ = now + options_.reminder_check_ms;
  for (const auto& [id, c] : channels_) {
    if (c.spec.route.repeat_interval_ms <= 0) continue;
    Transaction tx(db_.get());
    VIGIL_RETURN_IF_ERROR(tx.status());
    VIGIL_ASSIGN_OR_RETURN(std::vector<NewNotification> plan,
                           PlanRepeats(db_.get(), {id, c.spec.tenant_id, c.spec.route}, now));
    VIGIL_RETURN_IF_ERROR(InsertNotifications(db_.get(), plan));
    VIGIL_RETURN_IF_ERROR(tx.Commit());
    counts->notifications += static_cast<int>(plan.size());
  }
  return Status::Ok();
}

// One claimed group on its way: what was claimed, the message, the answer.
struct Notifier::Outgoing {
  OpenChannel* channel = nullptr;
  ClaimedGroup claimed;
  BuiltGroup built;
  DeliveryAttempt attempt;
};

Status Notifier::Claim(const std::vector<DueGroup>& due, std::vector<Outgoing>* out) {
  const TimeMs now = clock_->NowMs();
  std::set<int64_t> channels_taken;  // one group per channel per round: the rate limit
  for (const DueGroup& g : due) {
    auto it = channels_.find(g.channel_id);
    if (it == channels_.end() || it->second.channel == nullptr) continue;
    OpenChannel& c = it->second;
    if (now < c.next_send_at) continue;
    const bool limited = (c.spec.policy.max_per_second > 0 ? c.spec.policy.max_per_second
                                                           : DefaultMaxPerSecond(c.spec.kind)) > 0;
    if (limited && !channels_taken.insert(g.channel_id).second) continue;
    Outgoing o;
    o.channel = &c;
    const std::string owner = options_.worker + "/" + NewRunId() + "/" + std::to_string(++claims_);
    const std::string key = "vigil:" + std::to_string(g.channel_id) + ":m:" + NewRunId();
    VIGIL_ASSIGN_OR_RETURN(o.claimed, ClaimGroup(db_.get(), g, owner, key, now, options_.lease_ms,
                                                 options_.max_group));
    if (o.claimed.rows.empty()) continue;
    VIGIL_ASSIGN_OR_RETURN(o.built, BuildGroup(db_.get(), c.spec, o.claimed, now));
    for (const auto& [id, reason] : o.built.suppressed) {
      VIGIL_RETURN_IF_ERROR(SuppressClaimed(db_.get(), o.claimed, {id}, reason));
    }
    if (o.built.group.notifications.empty()) continue;
    out->push_back(std::move(o));
  }
  return Status::Ok();
}

void Notifier::Send(Outgoing* o) {
  OpenChannel& c = *o->channel;
  const auto start = std::chrono::steady_clock::now();
  DeliveryResult result = c.channel->Deliver(o->built.group);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  DeliveryAttempt& a = o->attempt;
  a.at = clock_->NowMs();
  a.duration_ms = elapsed.count();
  a.attempt = o->built.group.attempt;
  if (!o->built.group.digest) a.tenant_id = o->built.group.notifications.front().alert.tenant_id;
  a.alert_ids = AlertIds(o->built.group);
  a.worker = options_.worker;
  TimeMs first = a.at;
  for (const ClaimedNotification& n : o->claimed.rows) {
    if (n.first_attempt_at) first = std::min(first, *n.first_attempt_at);
  }
  if (result.outcome == DeliveryOutcome::kRetry) {
    a.next_attempt_at = NextAttemptAt(c.spec.policy, a.attempt, result.retry_after_ms, a.at);
    a.give_up = GiveUp(c.spec.policy, first, a.next_attempt_at);
    if (a.give_up) result.error += " (gave up after retrying since " + FormatIso8601(first) + ")";
  }
  a.result = std::move(result);
  const double rate = c.spec.policy.max_per_second > 0 ? c.spec.policy.max_per_second
                                                       : DefaultMaxPerSecond(c.spec.kind);
  if (rate > 0) c.next_send_at = a.at + static_cast<int64_t>(1000.0 / rate);
}

// Channels send side by side, each its own groups in order (a Channel is
// used by one thread at a time): a slow receiver does not hold up another.
void Notifier::SendAll(std::vector<Outgoing>* outgoing) {
  std::map<OpenChannel*, std::vector<Outgoing*>> by_channel;
  for (Outgoing& o : *outgoing) by_channel[o.channel].push_back(&o);
  if (by_channel.size() == 1) {
    for (Outgoing* o : by_channel.begin()->second) Send(o);
    return;
  }
  std::vector<std::thread> threads;
  for (auto& [channel, list] : by_channel) {
    threads.emplace_back([this, list = list] {
      for (Outgoing* o : list) Send(o);
    });
  }
  for (std::thread& t : threads) t.join();
}

Status Notifier::Record(const std::vector<Outgoing>& sent, PassCounts* counts) {
  Transaction tx(db_.get());
  VIGIL_RETURN_IF_ERROR(tx.status());
  for (const Outgoing& o : sent) {
    const DeliveryAttempt& a = o.attempt;
    VIGIL_RETURN_IF_ERROR(RecordAttempt(db_.get(), o.claimed, a).status());
    const std::string outcome =
        a.give_up ? "failed" : std::string(DeliveryOutcomeName(a.result.outcome));
    VIGIL_RETURN_IF_ERROR(
        NoteChannelAttempt(db_.get(), o.channel->spec.id, a.at, outcome, a.result.error));
  }
  VIGIL_RETURN_IF_ERROR(tx.Commit());
  for (const Outgoing& o : sent) {
    const DeliveryAttempt& a = o.attempt;
    const NotificationGroup& g = o.built.group;
    CountAttempt(o.channel->spec, a.result, static_cast<int64_t>(g.notifications.size()));
    Log(a.result.outcome == DeliveryOutcome::kSent ? LogLevel::kInfo : LogLevel::kWarn,
        "notify.delivery",
        {{"channel", o.channel->spec.name}, {"group", g.key},
         {"notifications", static_cast<int64_t>(g.notifications.size())},
         {"attempt", int64_t{a.attempt}},
         {"outcome", a.give_up ? "failed" : std::string(DeliveryOutcomeName(a.result.outcome))},
         {"status", int64_t{a.result.status}}, {"error", a.result.error},
         {"duration_ms", a.duration_ms}});
    ++counts->attempts;
    if (a.result.outcome == DeliveryOutcome::kSent) ++counts->sent;
  }
  return Status::Ok();
}

// Rounds of: route a batch of new events and claim the due groups in one
// transaction, send them, record their attempts in one transaction; until a
// round finds nothing to route or send. (Two write transactions per round:
// on SQLite every one of them waits for the workers' writes.)
Status Notifier::Deliver(PassCounts* counts) {
  for (;;) {
    bool more_events = false;
    std::vector<Outgoing> outgoing;
    {
      Transaction tx(db_.get());
      VIGIL_RETURN_IF_ERROR(tx.status());
      VIGIL_ASSIGN_OR_RETURN(more_events, RouteBatch(counts));
      VIGIL_ASSIGN_OR_RETURN(std::vector<DueGroup> due,
                             FindDueGroups(db_.get(), clock_->NowMs(), kDueGroupsPerQuery));
      VIGIL_RETURN_IF_ERROR(Claim(due, &outgoing));
      VIGIL_RETURN_IF_ERROR(tx.Commit());
    }
    if (outgoing.empty()) {
      if (more_events) continue;
      return Status::Ok();
    }
    SendAll(&outgoing);
    VIGIL_RETURN_IF_ERROR(Record(outgoing, counts));
  }
}

Status Notifier::Refresh() {
  const TimeMs now = clock_->NowMs();
  for (auto& [id, c] : channels_) {
    if (c.channel == nullptr || c.channel->refresh_interval_ms() <= 0) continue;
    if (now < c.next_refresh_at) continue;
    std::string clause = "WHERE a.state = 'open'";
    if (c.spec.tenant_id) clause += " AND a.tenant_id = " + std::to_string(*c.spec.tenant_id);
    VIGIL_ASSIGN_OR_RETURN(std::vector<AlertRow> open,
                           SelectAlerts(db_.get(), clause + " ORDER BY a.id", [](Statement*) {}));
    const DeliveryResult r = c.channel->Refresh(open);
    const bool sent = r.outcome == DeliveryOutcome::kSent;
    // A failed refresh is tried again soon: the receiver's alerts lapse.
    c.next_refresh_at = now + (sent ? c.channel->refresh_interval_ms() : c.spec.policy.first_retry_ms * 30);
    if (!sent) {
      Log(LogLevel::kWarn, "notify.refresh_failed",
          {{"channel", c.spec.name}, {"status", int64_t{r.status}}, {"error", r.error}});
    }
  }
  return Status::Ok();
}

Result<PassCounts> Notifier::RunOnce() {
  std::lock_guard<std::mutex> pass(pass_mu_);
  PassCounts counts;
  VIGIL_RETURN_IF_ERROR(RefreshChannels(clock_->NowMs()));
  VIGIL_RETURN_IF_ERROR(Deliver(&counts));
  // After routing: an alert's own change is a notification, not a reason
  // to remind of it. Reminders due at once go out in this pass.
  const int planned = counts.notifications;
  VIGIL_RETURN_IF_ERROR(Remind(&counts));
  if (counts.notifications > planned) VIGIL_RETURN_IF_ERROR(Deliver(&counts));
  VIGIL_RETURN_IF_ERROR(Refresh());
  return counts;
}

Status Notifier::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopping_) return Status::FailedPrecondition("notifier: already started");
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Notifier::Notify() {
  std::lock_guard<std::mutex> lock(mu_);
  notified_ = true;
  wake_.notify_all();
}

void Notifier::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Status Notifier::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

void Notifier::Run() {
  bool failing = false;
  for (;;) {
    Result<PassCounts> pass = RunOnce();
    if (!pass.ok() && !failing) {
      Log(LogLevel::kWarn, "notify.pass_failed", {{"error", pass.status().ToString()}});
    }
    failing = !pass.ok();
    std::unique_lock<std::mutex> lock(mu_);
    last_error_ = pass.status();
    if (stopping_) return;
    wake_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                   [this] { return stopping_ || notified_; });
    if (notified_ && options_.gather_ms > 0) {
      wake_.wait_for(lock, std::chrono::milliseconds(options_.gather_ms),
                     [this] { return stopping_; });
    }
    notified_ = false;
    if (stopping_) return;
  }
}

}  // namespace vigil
