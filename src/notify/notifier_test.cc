#include "notify/notifier.h"

#include <gtest/gtest.h>

#include <deque>
#include <set>
#include <mutex>

#include "alerts/alert_manager.h"
#include "alerts/alert_test_support.h"
#include "notify/channel_store.h"
#include "notify/notification_log.h"
#include "observe/metrics.h"
#include "testing/fake_channel.h"
#include "testing/fake_clock.h"
#include "testing/fixtures.h"
#include "testing/test_database.h"

namespace vigil {
namespace {

using alerts_test::AddTenant;
using alerts_test::Complete;
using alerts_test::kT0;
using alerts_test::MakeFinding;
using alerts_test::MakeRun;

using testing::FakeChannel;
using testing::FakeChannelLog;

SecretKey TestKey() {
  Result<SecretKey> key = SecretKey::Parse(std::string(64, 'a'), "test");
  return std::move(*key);
}

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open_ = testing::OpenTestDatabaseFactory();
    db_ = open_();
    ASSERT_NE(db_, nullptr);
    tenant_ = AddTenant(db_.get(), "fabrikam");
    clock_.Set(kT0);
  }

  int64_t AddWebhook(Route route, std::string name = "ops") {
    ChannelSpec spec;
    spec.name = std::move(name);
    spec.kind = "webhook";
    spec.url = "http://127.0.0.1:1/hook";
    spec.route = std::move(route);
    spec.policy.first_retry_ms = 1000;
    spec.policy.give_up_ms = 60000;
    Result<int64_t> id = AddChannel(db_.get(), spec, TestKey(), kT0);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  std::unique_ptr<Notifier> NewNotifier(std::string worker = "n1") {
    NotifierOptions options;
    options.worker = std::move(worker);
    options.lease_ms = 10000;
    options.channels_refresh_ms = 0;
    auto log = log_;
    return std::make_unique<Notifier>(
        open_(),
        [log](const ChannelSpec&) -> Result<std::unique_ptr<Channel>> {
          return std::unique_ptr<Channel>(new FakeChannel(log));
        },
        [] { return TestKey(); }, &clock_, options);
  }

  // Reconciles the findings (alert type stale.user) as one COMPLETE batch.
  void Analyze(const std::vector<std::string>& subjects, const std::string& run_id) {
    std::vector<Finding> findings;
    for (const std::string& s : subjects) findings.push_back(MakeFinding("stale.user", s));
    AlertManager manager(db_.get(), &clock_);
    Result<ReconcileSummary> r =
        manager.Reconcile(MakeRun(tenant_, run_id, clock_.NowMs(), {Complete("stale", findings)}));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  int64_t Count(const std::string& sql) { return testing::Count(db_.get(), sql); }

  std::function<std::unique_ptr<Db>()> open_;
  std::unique_ptr<Db> db_;
  int64_t tenant_ = 0;
  testing::FakeClock clock_{0};
  std::shared_ptr<FakeChannelLog> log_ = std::make_shared<FakeChannelLog>();
};

Route Immediate() {
  Route route;
  route.group_wait_ms = 0;
  return route;
}

TEST_F(NotifierTest, AnAnalysisThatOpensThreeAlertsSendsOneMessageWithThree) {
  const int64_t channel = AddWebhook(Immediate());
  Analyze({"u1", "u2", "u3"}, "r1");
  auto notifier = NewNotifier();
  Result<PassCounts> pass = notifier->RunOnce();
  ASSERT_TRUE(pass.ok()) << pass.status().ToString();
  EXPECT_EQ(pass->notifications, 3);
  EXPECT_EQ(pass->sent, 1);
  ASSERT_EQ(log_->groups.size(), 1u);
  const NotificationGroup& g = log_->groups[0];
  EXPECT_EQ(g.channel, "ops");
  EXPECT_EQ(g.tenant, "fabrikam");
  ASSERT_EQ(g.notifications.size(), 3u);
  for (const Notification& n : g.notifications) {
    EXPECT_EQ(n.change, "opened");
    EXPECT_EQ(n.alert.type, "stale.user");
    EXPECT_EQ(n.key.rfind("vigil:" + std::to_string(channel) + ":", 0), 0u) << n.key;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE state = 'sent'"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM deliveries WHERE outcome = 'sent' AND status = 200"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM event_outbox WHERE routed_at IS NULL"), 0);
  EXPECT_NE(DefaultMetrics()->Render().find(
                "vigil_deliveries_total{channel=\"ops\",outcome=\"sent\"}"),
            std::string::npos);
  // Nothing new: nothing sent again.
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_EQ(log_->groups.size(), 1u);
}

TEST_F(NotifierTest, GroupWaitHoldsTransitionsThenSendsThemTogether) {
  Route route;
  route.group_wait_ms = 30000;
  AddWebhook(route);
  auto notifier = NewNotifier();
  Analyze({"u1"}, "r1");
  ASSERT_TRUE(notifier->RunOnce().ok());
  clock_.Advance(20000);
  Analyze({"u1", "u2"}, "r2");
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_TRUE(log_->groups.empty());
  clock_.Advance(10000);  // 30 s after the first
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 1u);
  EXPECT_EQ(log_->groups[0].notifications.size(), 2u);
}

TEST_F(NotifierTest, ARouteSelectsByTypeAndChange) {
  Route route = Immediate();
  route.types = {"mfa.*"};
  AddWebhook(route, "mfa-only");
  Route resolved = Immediate();
  resolved.changes = {"resolved"};
  AddWebhook(resolved, "resolved-only");
  auto notifier = NewNotifier();
  Analyze({"u1"}, "r1");
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_TRUE(log_->groups.empty());
  Analyze({}, "r2");
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 1u);
  EXPECT_EQ(log_->groups[0].channel, "resolved-only");
  EXPECT_EQ(log_->groups[0].notifications[0].change, "resolved");
}

TEST_F(NotifierTest, ARetryKeepsTheGroupKeyAndHonoursRetryAfter) {
  AddWebhook(Immediate());
  log_->script.push_back({DeliveryOutcome::kRetry, 429, "slow down", "webhook: HTTP 429", 5000});
  auto notifier = NewNotifier();
  Analyze({"u1", "u2"}, "r1");
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 1u);
  clock_.Advance(4000);
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_EQ(log_->groups.size(), 1u) << "retried before Retry-After";
  clock_.Advance(1000);
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 2u);
  EXPECT_EQ(log_->groups[1].key, log_->groups[0].key);
  EXPECT_EQ(log_->groups[1].attempt, 2);
  EXPECT_EQ(log_->groups[1].notifications[0].key, log_->groups[0].notifications[0].key);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM deliveries"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE state = 'sent' AND attempts = 2"), 2);
}

TEST_F(NotifierTest, ARefusalFailsAtOnceAndRetriesGiveUp) {
  AddWebhook(Immediate());
  log_->script.push_back({DeliveryOutcome::kFailed, 404, "no such hook", "webhook: HTTP 404",
                          std::nullopt});
  auto notifier = NewNotifier();
  Analyze({"u1"}, "r1");
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE state = 'failed'"
                  " AND reason = 'webhook: HTTP 404'"),
            1);
  for (int i = 0; i < 100; ++i) {
    log_->script.push_back({DeliveryOutcome::kRetry, 503, "", "webhook: HTTP 503", std::nullopt});
  }
  Analyze({"u1", "u2"}, "r2");
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(notifier->RunOnce().ok());
    clock_.Advance(5000);
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE state = 'failed'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE state = 'pending'"), 0);
  Result<ChannelRow> row = GetChannel(db_.get(), "ops");
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->last_outcome, "failed");
  EXPECT_EQ(row->failed, 2);
}

TEST_F(NotifierTest, AnAlertSnoozedBeforeItsGroupIsSentIsHeldBack) {
  Route route;
  route.group_wait_ms = 30000;
  AddWebhook(route);
  auto notifier = NewNotifier();
  Analyze({"u1", "u2"}, "r1");
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_TRUE(db_->Execute("UPDATE alerts SET snoozed_until = ? WHERE subject = 'u1'",
                           {kT0 + 3600000})
                  .ok());
  clock_.Advance(30000);
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 1u);
  ASSERT_EQ(log_->groups[0].notifications.size(), 1u);
  EXPECT_EQ(log_->groups[0].notifications[0].alert.subject, "u2");
  NotificationFilter filter;
  filter.state = "suppressed";
  Result<std::vector<NotificationRow>> held = ListNotifications(db_.get(), filter);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].reason, "snoozed until 2026-01-01T01:00:00Z");
}

TEST_F(NotifierTest, TwoNotifiersSendEachGroupOnce) {
  AddWebhook(Immediate());
  auto a = NewNotifier("a");
  auto b = NewNotifier("b");
  for (int run = 0; run < 5; ++run) {
    Analyze({"u" + std::to_string(run)}, "r" + std::to_string(run));
    ASSERT_TRUE(a->RunOnce().ok());
    ASSERT_TRUE(b->RunOnce().ok());
    clock_.Advance(1000);  // past the channel's rate limit
  }
  std::set<std::string> keys;
  for (const NotificationGroup& g : log_->groups) {
    for (const Notification& n : g.notifications) {
      EXPECT_TRUE(keys.insert(n.key).second) << "sent twice: " << n.key;
    }
  }
  // 5 opened + 4 resolved (each run's findings replace the previous one).
  EXPECT_EQ(keys.size(), 9u);
}

TEST_F(NotifierTest, AGroupWhoseNotifierDiedIsSentAgainWithTheSameKeysAfterItsLease) {
  const int64_t channel = AddWebhook(Immediate());
  Analyze({"u1", "u2"}, "r1");
  auto a = NewNotifier("a");
  ASSERT_TRUE(a->RunOnce().ok());  // routes and sends
  ASSERT_EQ(log_->groups.size(), 1u);
  // A second transition, claimed by a notifier that dies before it records
  // anything.
  clock_.Advance(1000);  // past the channel's rate limit
  Analyze({"u1"}, "r2");
  ASSERT_TRUE(db_->Execute("UPDATE event_outbox SET routed_at = NULL").ok());
  ASSERT_TRUE(a->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 2u);
  ASSERT_TRUE(db_->Execute("UPDATE notifications SET state = 'pending', lease_owner = 'dead',"
                           " lease_until = ? WHERE change = 'resolved'",
                           {clock_.NowMs() + 10000})
                  .ok());
  auto b = NewNotifier("b");
  ASSERT_TRUE(b->RunOnce().ok());
  EXPECT_EQ(log_->groups.size(), 2u) << "sent while leased";
  clock_.Advance(10001);
  ASSERT_TRUE(b->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 3u);
  EXPECT_EQ(log_->groups[2].key, log_->groups[1].key);
  EXPECT_EQ(log_->groups[2].notifications[0].key, log_->groups[1].notifications[0].key);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE channel_id = " +
                  std::to_string(channel)),
            3)
      << "routing the same events twice stored their notifications once";
}

TEST_F(NotifierTest, RemindersRepeatOpenAlertsButNotAcknowledgedOnes) {
  Route route = Immediate();
  route.repeat_interval_ms = 3600000;
  AddWebhook(route);
  auto notifier = NewNotifier();
  Analyze({"u1", "u2"}, "r1");
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 1u);
  ASSERT_TRUE(db_->Execute("UPDATE alerts SET acknowledged_at = ? WHERE subject = 'u2'",
                           {clock_.NowMs()})
                  .ok());
  clock_.Advance(1800000);
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_EQ(log_->groups.size(), 1u) << "reminded before the interval";
  clock_.Advance(1800001);
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 2u);
  ASSERT_EQ(log_->groups[1].notifications.size(), 1u);
  EXPECT_EQ(log_->groups[1].notifications[0].change, "repeat");
  EXPECT_EQ(log_->groups[1].notifications[0].alert.subject, "u1");
  // A second notifier planning the same reminder stores it once.
  auto other = NewNotifier("other");
  ASSERT_TRUE(other->RunOnce().ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE change = 'repeat'"), 1);
}

TEST_F(NotifierTest, AChannelSendsNoFasterThanItsRate) {
  ChannelSpec spec;
  spec.name = "slow";
  spec.kind = "webhook";
  spec.url = "http://127.0.0.1:1/hook";
  spec.route = Immediate();
  spec.policy.max_per_second = 1;
  ASSERT_TRUE(AddChannel(db_.get(), spec, TestKey(), kT0).ok());
  auto notifier = NewNotifier();
  Analyze({"u1"}, "r1");
  ASSERT_TRUE(notifier->RunOnce().ok());
  Analyze({"u1", "u2"}, "r2");
  clock_.Advance(999);
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_EQ(log_->groups.size(), 1u) << "a second message within a second";
  clock_.Advance(1);
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_EQ(log_->groups.size(), 2u);
}

TEST_F(NotifierTest, ADigestCollectsEveryTenantUntilItsTimeAndKeepsItsKeyOnRetry) {
  const int64_t other = alerts_test::AddTenant(db_.get(), "contoso");
  Route route;
  route.digest = DigestSchedule{8, 0, "Europe/Berlin"};  // 07:00 UTC in January
  const int64_t channel = AddWebhook(route, "daily");
  auto notifier = NewNotifier();
  clock_.Set(kT0 + 3600000);  // 2026-01-01T01:00:00Z
  Analyze({"u1", "u2"}, "r1");
  {
    AlertManager manager(db_.get(), &clock_);
    ASSERT_TRUE(manager
                    .Reconcile(MakeRun(other, "o1", clock_.NowMs(),
                                       {Complete("stale", {MakeFinding("stale.user", "c1")})}))
                    .ok());
  }
  ASSERT_TRUE(notifier->RunOnce().ok());
  clock_.Set(kT0 + 6 * 3600000);  // 06:00 UTC: not yet
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_TRUE(log_->groups.empty());
  log_->script.push_back({DeliveryOutcome::kRetry, 503, "", "webhook: HTTP 503", std::nullopt});
  clock_.Set(kT0 + 7 * 3600000);  // 07:00 UTC = 08:00 in Berlin
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 1u);
  const NotificationGroup digest = log_->groups[0];  // a copy: the log grows
  EXPECT_TRUE(digest.digest);
  EXPECT_EQ(digest.tenant, "");
  EXPECT_EQ(digest.key, "vigil:" + std::to_string(channel) + ":digest:2026-01-01T07:00:00Z");
  ASSERT_EQ(digest.notifications.size(), 3u);
  EXPECT_EQ(digest.notifications[0].alert.tenant, "contoso");
  EXPECT_EQ(digest.notifications[1].alert.tenant, "fabrikam");
  clock_.Advance(60000);
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->groups.size(), 2u);
  EXPECT_EQ(log_->groups[1].key, digest.key) << "a retried digest keeps its key";
  EXPECT_EQ(Count("SELECT COUNT(*) FROM notifications WHERE state = 'sent'"), 3);
}

TEST_F(NotifierTest, AReceiverThatForgetsGetsTheOpenAlertsAgainEachInterval) {
  log_->refresh_interval_ms = 600000;
  AddWebhook(Immediate());
  auto notifier = NewNotifier();
  Analyze({"u1", "u2"}, "r1");
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->refreshes.size(), 1u);
  EXPECT_EQ(log_->refreshes[0].size(), 2u);
  clock_.Advance(300000);
  Analyze({"u1"}, "r2");
  ASSERT_TRUE(notifier->RunOnce().ok());
  EXPECT_EQ(log_->refreshes.size(), 1u) << "refreshed before the interval";
  clock_.Advance(300000);
  ASSERT_TRUE(notifier->RunOnce().ok());
  ASSERT_EQ(log_->refreshes.size(), 2u);
  EXPECT_EQ(log_->refreshes[1].size(), 1u) << "only the alert still open";
}

}  // namespace
}  // namespace vigil
