// Notifier: turns alert transitions in the event outbox into deliveries
// (docs/ARCHITECTURE.md, "Delivery"). It reads the database only, never the
// event bus, so delivery does not depend on NATS.
//
// A pass runs rounds until nothing is left to route or send. A round:
//  1. In one transaction: route (read up to route_batch events not routed
//     yet, events/outbox.h ReadUnrouted; plan their notifications on every
//     channel, notification_plan.h; store them; mark the events routed),
//     then find the groups that are due and claim each under a lease,
//     building its message (group_builder.h). Routing an event twice (two
//     notifiers, a crash before the commit) stores its notifications once:
//     their keys are unique.
//  2. Send each claimed group through its channel (channels side by side).
//  3. In one transaction: record every attempt in the delivery log
//     (notification_store.h). A channel sends at most its max_per_second;
//     a group of a channel that must wait stays for a later round. Failures
//     are retried per the channel's policy (retry_policy.h) until its
//     give-up time.
// Every reminder_check_ms a pass also plans reminders of alerts still open
// for channels with a repeat_interval (repeat_plan.h), and a channel whose
// receiver forgets alerts unless reminded gets every open alert of its
// tenants again when its refresh interval has passed (Channel::Refresh).
//
// Nothing is lost when the process dies: unrouted events stay unrouted, an
// unsent group stays pending and its lease lapses, and the next notifier
// sends it again with the same keys (at-least-once; receivers drop repeats
// by key).
//
// Background use: Start runs passes on a thread of its own: a pass, then a
// wait until Notify() or poll_ms has passed. Stop ends the thread after the
// pass under way.
//
// Thread safety: every method may be called from any thread; passes never
// overlap. The notifier owns `db`; `clock` is borrowed.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "notify/channel.h"
#include "notify/channel_spec.h"
#include "store/db.h"
#include "store/secret_box.h"

namespace vigil {

// Opens the channel of a spec (src/app names the kinds).
using ChannelOpener = std::function<Result<std::unique_ptr<Channel>>(const ChannelSpec&)>;
// The secret key that opens the channels' secrets (store/secret_box.h).
using SecretKeyLoader = std::function<Result<SecretKey>()>;

struct NotifierOptions {
  int64_t poll_ms = 100;      // longest wait between passes without a Notify
  // After a Notify, how long the pass waits for more commits to take along:
  // a fleet's commits arrive many a second, and a pass per commit costs
  // three write transactions.
  int64_t gather_ms = 20;
  int64_t lease_ms = 60000;   // how long a claimed group is held (> a send's timeout)
  int route_batch = 1000;     // events routed per transaction
  int max_group = 1000;       // notifications per message at most; the rest go next
  int64_t channels_refresh_ms = 2000;  // how often the channel list is read again
  int64_t reminder_check_ms = 60000;   // how often reminders (repeat_interval) are planned
  std::string worker = "vigil";        // names the notifier in leases and the log
};

struct PassCounts {
  int routed_events = 0;
  int notifications = 0;  // stored by routing
  int attempts = 0;       // groups sent or tried
  int sent = 0;           // groups the receiver accepted
};

class Notifier {
 public:
  Notifier(std::unique_ptr<Db> db, ChannelOpener open_channel, SecretKeyLoader load_key,
           const Clock* clock, NotifierOptions options = {});
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // One pass: routes everything unrouted, then delivers every group due.
  // Returns what it did; the first error ends the pass (what was recorded
  // stays recorded).
  Result<PassCounts> RunOnce();

  Status Start();
  void Notify();
  void Stop();

  // The error of the latest pass, or OK.
  Status last_error() const;

 private:
  struct OpenChannel {
    ChannelSpec spec;
    std::unique_ptr<Channel> channel;
    Status open_status;       // why it could not be opened
    TimeMs next_send_at = 0;  // the rate limit
    TimeMs next_refresh_at = 0;  // Channel::Refresh
  };

  // Routes up to route_batch unrouted events in the caller's transaction;
  // true when there may be more.
  Result<bool> RouteBatch(PassCounts* counts);
  // Plans reminders (repeat_plan.h) every reminder_check_ms.
  Status Remind(PassCounts* counts);
  // Sends the open alerts again to channels that want it
  // (Channel::refresh_interval_ms).
  Status Refresh();
  Status Deliver(PassCounts* counts);
  Status RefreshChannels(TimeMs now);
  // A round of Deliver: route and claim the due groups (one transaction),
  // send each, record the attempts (one transaction).
  struct Outgoing;
  Status Claim(const std::vector<struct DueGroup>& due, std::vector<Outgoing>* out);
  void Send(Outgoing* outgoing);  // touches only its own channel and itself
  void SendAll(std::vector<Outgoing>* outgoing);
  Status Record(const std::vector<Outgoing>& sent, PassCounts* counts);
  void Run();

  const std::unique_ptr<Db> db_;
  const ChannelOpener open_channel_;
  const SecretKeyLoader load_key_;
  const Clock* const clock_;
  const NotifierOptions options_;

  std::mutex pass_mu_;  // one pass at a time; guards db_ and what follows
  std::map<int64_t, OpenChannel> channels_;
  std::optional<TimeMs> channels_loaded_at_;
  int64_t claims_ = 0;
  TimeMs next_reminders_at_ = 0;
  bool warned_no_key_ = false;  // logged once per stretch without the key

  mutable std::mutex mu_;  // guards what follows
  std::condition_variable wake_;
  bool started_ = false;
  bool stopping_ = false;
  bool notified_ = false;
  Status last_error_;
  std::thread thread_;
};

}  // namespace vigil
