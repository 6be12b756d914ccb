// A state-machine property test of delivery: for any sequence of analyses,
// snoozes, acknowledgements, notifier passes, receiver failures and time
// passing, once everything is due and the receiver answers, the
// notifications the receiver got, deduplicated by idempotency key, are
// exactly the alert transitions the route selects that were not held back,
// each sent at least once and announcing the change history recorded; and
// every selected transition is accounted for once, sent or suppressed with
// a reason that was true.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "alerts/alert_actions.h"
#include "alerts/alert_manager.h"
#include "alerts/alert_store.h"
#include "alerts/alert_test_support.h"
#include "notify/channel_store.h"
#include "notify/notifier.h"
#include "testing/fake_channel.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using namespace alerts_test;  // NOLINT: test helpers

constexpr int kSubjects = 4;

struct Op {
  enum Kind { kAnalyze, kSnooze, kAcknowledge, kPass, kFailNext, kAdvance } kind;
  std::vector<bool> findings;  // kAnalyze: which subjects have a finding
  int subject = 0;             // kSnooze, kAcknowledge
  int64_t ms = 0;              // kSnooze: for how long; kAdvance: how far
};

rc::Gen<Op> GenOp() {
  return rc::gen::oneOf(
      rc::gen::map(rc::gen::container<std::vector<bool>>(kSubjects, rc::gen::arbitrary<bool>()),
                   [](std::vector<bool> f) { return Op{Op::kAnalyze, std::move(f), 0, 0}; }),
      rc::gen::map(rc::gen::pair(rc::gen::inRange(0, kSubjects), rc::gen::inRange(1, 120)),
                   [](std::pair<int, int> p) {
                     return Op{Op::kSnooze, {}, p.first, int64_t{p.second} * 1000};
                   }),
      rc::gen::map(rc::gen::inRange(0, kSubjects),
                   [](int s) { return Op{Op::kAcknowledge, {}, s, 0}; }),
      rc::gen::just(Op{Op::kPass, {}, 0, 0}), rc::gen::just(Op{Op::kFailNext, {}, 0, 0}),
      rc::gen::map(rc::gen::inRange(1, 90),
                   [](int s) { return Op{Op::kAdvance, {}, 0, int64_t{s} * 1000}; }));
}

SecretKey TestKey() {
  Result<SecretKey> key = SecretKey::Parse(std::string(64, 'b'), "test");
  return std::move(*key);
}

std::string Subject(int i) { return "user" + std::to_string(i); }

class World {
 public:
  World() : clock_(kT0) {
    open_ = testing::OpenTestDatabaseFactory();
    db_ = open_();
    tenant_ = AddTenant(db_.get(), "contoso");
    ChannelSpec spec;
    spec.name = "sink";
    spec.kind = "webhook";
    spec.url = "http://127.0.0.1:1/";
    spec.route.group_wait_ms = 30000;
    spec.route.changes = {"opened", "resolved", "reopened"};
    spec.policy.first_retry_ms = 1000;
    spec.policy.max_retry_ms = 4000;
    spec.policy.give_up_ms = 24LL * 3600 * 1000;
    RC_ASSERT(AddChannel(db_.get(), spec, TestKey(), kT0).ok());
    NotifierOptions options;
    options.channels_refresh_ms = 0;
    options.lease_ms = 5000;
    auto log = log_;
    notifier_ = std::make_unique<Notifier>(
        open_(),
        [log](const ChannelSpec&) -> Result<std::unique_ptr<Channel>> {
          return std::unique_ptr<Channel>(new testing::FakeChannel(log));
        },
        [] { return TestKey(); }, &clock_, options);
  }

  void Apply(const Op& op) {
    switch (op.kind) {
      case Op::kAnalyze:
        Analyze(op.findings);
        break;
      case Op::kSnooze:
        if (auto id = AlertIdOf(op.subject)) {
          RC_ASSERT(SnoozeAlert(db_.get(), *id, clock_.NowMs() + op.ms, clock_.NowMs()).ok());
          snoozed_.insert(*id);
        }
        break;
      case Op::kAcknowledge:
        if (auto id = AlertIdOf(op.subject)) {
          RC_ASSERT(AcknowledgeAlert(db_.get(), *id, "tester", clock_.NowMs()).ok());
        }
        break;
      case Op::kPass:
        RC_ASSERT(notifier_->RunOnce().ok());
        break;
      case Op::kFailNext: {
        std::lock_guard<std::mutex> lock(log_->mu);
        log_->script.push_back({DeliveryOutcome::kRetry, 503, "", "webhook: HTTP 503", std::nullopt});
        break;
      }
      case Op::kAdvance:
        clock_.Advance(op.ms);
        break;
    }
  }

  // Time passes and the receiver answers until nothing is left to send.
  void Settle() {
    for (int i = 0; i < 200; ++i) {
      clock_.Advance(60000);
      RC_ASSERT(notifier_->RunOnce().ok());
      if (testing::Count(db_.get(), "SELECT COUNT(*) FROM notifications WHERE state = 'pending'") ==
              0 &&
          testing::Count(db_.get(), "SELECT COUNT(*) FROM event_outbox WHERE routed_at IS NULL") ==
              0) {
        return;
      }
    }
    RC_FAIL("notifications still pending after settling");
  }

  void Check() {
    // The transitions the route selects, by key, from the outbox.
    std::map<std::string, std::pair<int64_t, std::string>> selected;  // key -> (alert, change)
    // (alert.flapping and alert.stable go to every route that takes the alert.)
    auto events = Query("SELECT id, type, payload FROM event_outbox WHERE type IN"
                        " ('alert.opened', 'alert.resolved', 'alert.reopened', 'alert.flapping',"
                        " 'alert.stable') ORDER BY id",
                        3);
    std::set<std::string> flapping;  // keys whose event says the alert is flapping
    for (const auto& row : events) {
      const int64_t alert = std::stoll(Field(row[2], "alert_id"));
      selected["vigil:1:" + row[0]] = {alert, row[1].substr(6)};
      if (row[2].find("\"flapping\":true") != std::string::npos) {
        flapping.insert("vigil:1:" + row[0]);
      }
    }
    // Every selected transition has one notification, sent or suppressed.
    auto rows = Query("SELECT idempotency_key, state, COALESCE(reason, ''), alert_id, change"
                      " FROM notifications ORDER BY id",
                      5);
    std::set<std::string> sent;
    for (const auto& r : rows) {
      RC_ASSERT(selected.count(r[0]) == 1u);
      RC_ASSERT(selected[r[0]].second == r[4]);
      RC_ASSERT(r[1] == "sent" || r[1] == "suppressed");
      if (r[1] == "sent") sent.insert(r[0]);
      if (r[1] == "suppressed" && r[2] == "flapping") {
        RC_ASSERT(flapping.count(r[0]) == 1u);  // alerts/flap_damping.h
      } else if (r[1] == "suppressed") {
        RC_ASSERT(r[2].rfind("snoozed until ", 0) == 0u);
        RC_ASSERT(snoozed_.count(std::stoll(r[3])) == 1u);
      }
    }
    RC_ASSERT(rows.size() == selected.size());
    // A flapping alert is silenced: its other changes are all held back; and
    // announced once per flapping spell (one per history row "flapping").
    std::map<std::string, int> announced;  // alert id -> flapping notifications
    for (const auto& r : rows) {
      const bool quiet_change = r[4] == "flapping" || r[4] == "stable";
      if (flapping.count(r[0]) == 1u && !quiet_change) RC_ASSERT(r[1] == "suppressed");
      if (r[4] == "flapping") ++announced[r[3]];
    }
    for (const auto& h : Query("SELECT alert_id, COUNT(*) FROM alert_history"
                               " WHERE transition = 'flapping' GROUP BY alert_id",
                               2)) {
      RC_ASSERT(announced[h[0]] == std::stoi(h[1]));
    }
    RC_CLASSIFY(!announced.empty(), "an alert flapped");
    // The receiver accepted exactly the sent keys (repeats allowed), each
    // with the change history recorded. (A message it answered 503 to may
    // hold a notification suppressed later: its alert was snoozed before
    // the retry.)
    std::set<std::string> received;
    {
      std::lock_guard<std::mutex> lock(log_->mu);
      for (size_t i = 0; i < log_->groups.size(); ++i) {
        if (log_->outcomes[i] != DeliveryOutcome::kSent) continue;
        for (const Notification& n : log_->groups[i].notifications) {
          received.insert(n.key);
          RC_ASSERT(selected.count(n.key) == 1u);
          RC_ASSERT(selected[n.key].second == n.change);
          RC_ASSERT(selected[n.key].first == n.alert.id);
        }
      }
    }
    RC_ASSERT(received == sent);
  }

 private:
  void Analyze(const std::vector<bool>& findings) {
    std::vector<Finding> list;
    for (int i = 0; i < kSubjects; ++i) {
      if (findings[i]) list.push_back(MakeFinding("stale.user", Subject(i)));
    }
    AlertManager manager(db_.get(), &clock_);
    const std::string run = "r" + std::to_string(++runs_);
    RC_ASSERT(manager.Reconcile(MakeRun(tenant_, run, clock_.NowMs(), {Complete("stale", list)}))
                  .ok());
  }

  std::optional<int64_t> AlertIdOf(int subject) {
    Result<std::optional<int64_t>> id = db_->QueryInt(
        "SELECT id FROM alerts WHERE subject = ?", {Subject(subject)});
    RC_ASSERT(id.ok());
    return *id;
  }

  // The rows of `sql` as text, `columns` columns each.
  std::vector<std::vector<std::string>> Query(const std::string& sql, int columns) {
    Result<std::unique_ptr<Statement>> st = db_->Prepare(sql);
    RC_ASSERT(st.ok());
    std::vector<std::vector<std::string>> rows;
    while (true) {
      Result<bool> more = (*st)->Step();
      RC_ASSERT(more.ok());
      if (!*more) break;
      std::vector<std::string> row;
      for (int c = 0; c < columns; ++c) row.push_back((*st)->IsNull(c) ? "" : (*st)->String(c));
      rows.push_back(std::move(row));
    }
    return rows;
  }

  // The value of "field": <number> in a payload (events are vigil's own JSON).
  static std::string Field(const std::string& json, const std::string& field) {
    const size_t at = json.find("\"" + field + "\":");
    RC_ASSERT(at != std::string::npos);
    size_t begin = at + field.size() + 3;
    size_t end = json.find_first_of(",}", begin);
    return json.substr(begin, end - begin);
  }

  testing::FakeClock clock_;
  std::function<std::unique_ptr<Db>()> open_;
  std::unique_ptr<Db> db_;
  int64_t tenant_ = 0;
  int runs_ = 0;
  std::set<int64_t> snoozed_;
  std::shared_ptr<testing::FakeChannelLog> log_ = std::make_shared<testing::FakeChannelLog>();
  std::unique_ptr<Notifier> notifier_;
};

RC_GTEST_PROP(NotifierPropertyTest, ReceivedNotificationsFoldToTheSelectedTransitions, ()) {
  const std::vector<Op> ops = *rc::gen::container<std::vector<Op>>(GenOp());
  World world;
  for (const Op& op : ops) world.Apply(op);
  world.Settle();
  world.Check();
}

}  // namespace
}  // namespace vigil
