#include "notify/alertmanager_channel.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/time.h"
#include "testing/alertmanager_server.h"
#include "testing/fake_clock.h"
#include "testing/fake_http_client.h"

namespace vigil {
namespace {

using nlohmann::json;
using testing::FakeClock;
using testing::FakeHttpClient;
using testing::JsonResponse;

// 2026-11-28T21:29:41.250Z
constexpr TimeMs kNow = 1795901381250;
constexpr TimeMs kHour = 3600 * 1000LL;

AlertRow Alert(int64_t id, std::string subject, std::string state = "open") {
  AlertRow a;
  a.id = id;
  a.tenant_id = 7;
  a.tenant = "fabrikam";
  a.analysis_type = "mfa";
  a.type = "mfa.user_not_registered";
  a.subject = std::move(subject);
  a.subject_name = a.subject + "@fabrikam.example";
  a.severity = "medium";
  a.state = std::move(state);
  a.details = R"({"upn":")" + a.subject_name + R"("})";
  a.first_seen = kNow - 2 * kHour;
  return a;
}

Notification Note(std::string change, AlertRow alert) {
  Notification n;
  n.id = alert.id;
  n.key = "vigil:3:" + std::to_string(alert.id);
  n.change = std::move(change);
  n.at = kNow - 1000;
  n.alert = std::move(alert);
  return n;
}

NotificationGroup Group(std::vector<Notification> notifications) {
  NotificationGroup g;
  g.channel_id = 3;
  g.channel = "am";
  g.tenant = "fabrikam";
  g.key = "vigil:3:group:1";
  g.notifications = std::move(notifications);
  return g;
}

ChannelSpec Spec(std::string url) {
  ChannelSpec spec;
  spec.id = 3;
  spec.name = "am";
  spec.kind = std::string(kChannelAlertmanager);
  spec.url = std::move(url);
  return spec;
}

// ---- The payload (pure) ----

TEST(AlertmanagerPayloadTest, ExactFieldsOfAFiringAndAResolvedAlert) {
  AlertRow open = Alert(41, "u1");
  AlertRow resolved = Alert(42, "u2", "resolved");
  resolved.severity = "high";
  resolved.resolved_at = kNow - 60000;
  AlertmanagerPayloadOptions options;
  options.generator_url_prefix = "https://vigil.example/api/v1/alerts/";
  EXPECT_EQ(AlertmanagerPayload({open, resolved}, kNow, options),
            R"([{"labels":{"alertname":"mfa.user_not_registered","tenant":"fabrikam",)"
            R"("type":"mfa.user_not_registered","subject":"u1","severity":"medium"},)"
            R"("annotations":{"summary":"fabrikam: mfa.user_not_registered u1@fabrikam.example",)"
            R"("description":"{\"upn\":\"u1@fabrikam.example\"}","vigil_alert_id":"41"},)"
            R"("startsAt":"2026-11-28T19:29:41.250Z","endsAt":"2026-11-28T22:29:41.250Z",)"
            R"("generatorURL":"https://vigil.example/api/v1/alerts/41"},)"
            R"({"labels":{"alertname":"mfa.user_not_registered","tenant":"fabrikam",)"
            R"("type":"mfa.user_not_registered","subject":"u2","severity":"high"},)"
            R"("annotations":{"summary":"fabrikam: mfa.user_not_registered u2@fabrikam.example",)"
            R"("description":"{\"upn\":\"u2@fabrikam.example\"}","vigil_alert_id":"42"},)"
            R"("startsAt":"2026-11-28T19:29:41.250Z","endsAt":"2026-11-28T21:28:41.250Z",)"
            R"("generatorURL":"https://vigil.example/api/v1/alerts/42"}])");
}

TEST(AlertmanagerPayloadTest, EndsAtArithmetic) {
  auto ends = [](const AlertRow& a, TimeMs now, int64_t firing_for = kAlertmanagerFiringForMs) {
    AlertmanagerPayloadOptions o;
    o.firing_for_ms = firing_for;
    json p = json::parse(AlertmanagerPayload({a}, now, o));
    EXPECT_FALSE(p[0].contains("generatorURL"));
    return p[0]["endsAt"].get<std::string>();
  };
  AlertRow a = Alert(1, "u1");
  a.first_seen = ParseIso8601("2026-11-28T20:00:00Z").value();
  EXPECT_EQ(ends(a, kNow), "2026-11-28T22:29:41.250Z");  // now + 1 h
  EXPECT_EQ(ends(a, kNow, 5 * 60000), "2026-11-28T21:34:41.250Z");
  // An alert first seen after now (a pinned analysis clock) never ends
  // before it starts.
  EXPECT_EQ(ends(a, a.first_seen - 10 * kHour), "2026-11-28T20:00:00Z");

  a.state = "resolved";
  EXPECT_EQ(ends(a, kNow), "2026-11-28T21:29:41.250Z");  // no resolved_at: now
  a.resolved_at = ParseIso8601("2026-11-28T21:10:00.5Z").value();
  EXPECT_EQ(ends(a, kNow), "2026-11-28T21:10:00.500Z");  // the analysis time
  a.resolved_at = kNow + kHour;
  EXPECT_EQ(ends(a, kNow), "2026-11-28T21:29:41.250Z");  // never in the future
  a.resolved_at = a.first_seen - kHour;
  EXPECT_EQ(ends(a, kNow), "2026-11-28T20:00:00Z");  // never before startsAt
}

TEST(AlertmanagerPayloadTest, TheDescriptionIsBoundedAtACharacterBoundary) {
  AlertRow a = Alert(1, "u1");
  a.details = "{\"names\":\"";
  while (a.details.size() < 3 * kAlertmanagerDescriptionBytes) a.details += "\xC3\xA9";  // é
  json p = json::parse(AlertmanagerPayload({a}, kNow));
  const std::string d = p[0]["annotations"]["description"].get<std::string>();
  EXPECT_LE(d.size(), kAlertmanagerDescriptionBytes);
  EXPECT_GE(d.size(), kAlertmanagerDescriptionBytes - 4);
  EXPECT_EQ(d.substr(d.size() - 3), "\xE2\x80\xA6");
  EXPECT_EQ(d.substr(0, 12), "{\"names\":\"\xC3\xA9");
  // What comes before the ellipsis is whole characters: é pairs after the prefix.
  EXPECT_EQ((d.size() - 3 - 10) % 2, 0u);

  a.details = "{}";
  EXPECT_EQ(json::parse(AlertmanagerPayload({a}, kNow))[0]["annotations"]["description"], "{}");
}

TEST(AlertmanagerPayloadTest, AGroupPostsEachAlertOnceAndRetiresTheOldSeverity) {
  AlertRow u1 = Alert(1, "u1");
  AlertRow u2 = Alert(2, "u2");
  u2.severity = "high";
  Notification severity = Note("severity_changed", u2);
  severity.previous_severity = "medium";
  // u1 opened, then updated within the group: posted once, as it is now.
  std::vector<AlertRow> alerts =
      AlertmanagerAlertsOf(Group({Note("opened", u1), severity, Note("updated", u1)}));
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].id, 2);
  EXPECT_EQ(alerts[0].severity, "high");
  EXPECT_EQ(alerts[0].state, "open");
  EXPECT_EQ(alerts[1].id, 2);
  EXPECT_EQ(alerts[1].severity, "medium");
  EXPECT_EQ(alerts[1].state, "resolved");
  EXPECT_EQ(alerts[1].resolved_at, kNow - 1000);
  EXPECT_EQ(alerts[2].id, 1);
}

TEST(AlertmanagerPayloadTest, EverySeverityAnAlertLeftInTheGroupIsRetired) {
  AlertRow alert = Alert(1, "u1");
  alert.severity = "critical";
  Notification to_high = Note("severity_changed", alert);
  to_high.previous_severity = "medium";
  to_high.at = kNow - 5000;
  Notification to_critical = Note("severity_changed", alert);
  to_critical.previous_severity = "high";
  Notification back = Note("severity_changed", alert);  // critical -> medium -> critical
  back.previous_severity = "medium";
  Notification was_critical = Note("severity_changed", alert);
  was_critical.previous_severity = "critical";
  std::vector<AlertRow> alerts =
      AlertmanagerAlertsOf(Group({to_high, to_critical, back, was_critical}));
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].severity, "critical");
  EXPECT_EQ(alerts[0].state, "open");
  EXPECT_EQ(alerts[1].severity, "medium");
  EXPECT_EQ(alerts[1].state, "resolved");
  EXPECT_EQ(alerts[1].resolved_at, kNow - 5000);
  EXPECT_EQ(alerts[2].severity, "high");
  EXPECT_EQ(alerts[2].state, "resolved");
}

// ---- The channel against a scripted HTTP client ----

TEST(AlertmanagerChannelTest, OpenRefusesAMissingOrNonHttpUrl) {
  FakeHttpClient http;
  FakeClock clock(kNow);
  auto none = NewAlertmanagerChannel(Spec(""), &http, &clock);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(none.status().message(), "alertmanager channel: url is required");
  auto ftp = NewAlertmanagerChannel(Spec("ftp://am.example:9093"), &http, &clock);
  ASSERT_FALSE(ftp.ok());
  EXPECT_EQ(ftp.status().message(), "alertmanager channel: url must be an http:// or https:// URL");
}

TEST(AlertmanagerChannelTest, PostsOneRequestToTheAlertsEndpoint) {
  FakeHttpClient http;
  http.Script("https://am.example:9093/api/v2/alerts", {JsonResponse(200, "")});
  FakeClock clock(kNow);
  auto channel = NewAlertmanagerChannel(Spec("https://am.example:9093/"), &http, &clock);
  ASSERT_TRUE(channel.ok()) << channel.status().ToString();
  NotificationGroup group = Group({Note("opened", Alert(1, "u1")), Note("opened", Alert(2, "u2"))});
  DeliveryResult r = (*channel)->Deliver(group);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(http.Requests().size(), 1u);
  const HttpRequest req = http.Requests()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.url, "https://am.example:9093/api/v2/alerts");
  EXPECT_EQ(req.headers.at("Content-Type"), "application/json");
  EXPECT_EQ(req.headers.at("Idempotency-Key"), "vigil:3:group:1");
  EXPECT_EQ(req.body, AlertmanagerPayload({Alert(1, "u1"), Alert(2, "u2")}, kNow));
}

TEST(AlertmanagerChannelTest, ClassifiesTheAnswer) {
  FakeHttpClient http;
  const std::string url = "http://user:pw@am.example:9093/api/v2/alerts";
  http.Script(url, {JsonResponse(429, "slow down", {{"retry-after", "7"}}),
                    JsonResponse(503, "", {{"retry-after", "soon"}}),
                    JsonResponse(422, "{\"code\":422,\"message\":\"bad time\"}"),
                    Status::Unavailable("POST " + url + ": could not connect: refused")});
  FakeClock clock(kNow);
  auto channel = NewAlertmanagerChannel(Spec("http://user:pw@am.example:9093"), &http, &clock);
  ASSERT_TRUE(channel.ok());
  NotificationGroup group = Group({Note("opened", Alert(1, "u1"))});

  DeliveryResult r = (*channel)->Deliver(group);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.retry_after_ms, 7000);
  EXPECT_EQ(r.response, "slow down");
  EXPECT_EQ(r.error, "alertmanager: http://am.example:9093 answered HTTP 429");

  r = (*channel)->Deliver(group);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.retry_after_ms, std::nullopt);
  EXPECT_EQ(r.error, "alertmanager: http://am.example:9093 answered HTTP 503");

  r = (*channel)->Deliver(group);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.response, "{\"code\":422,\"message\":\"bad time\"}");
  EXPECT_EQ(r.error, "alertmanager: http://am.example:9093 answered HTTP 422");

  r = (*channel)->Deliver(group);
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error,
            "alertmanager: no answer from http://am.example:9093: could not connect: refused");
}

TEST(AlertmanagerChannelTest, RepostFiringKeepsTheOpenAlertsTheRouteTakes) {
  FakeHttpClient http;
  http.Script("http://am.example/api/v2/alerts", {JsonResponse(200, "")});
  FakeClock clock(kNow);
  ChannelSpec spec = Spec("http://am.example");
  spec.tenant_id = 7;
  spec.route.types = {"mfa.*"};
  spec.route.min_severity = "medium";
  auto channel = AlertmanagerChannel::Open(spec, &http, &clock);
  ASSERT_TRUE(channel.ok());

  AlertRow taken = Alert(1, "u1");
  AlertRow resolved = Alert(2, "u2", "resolved");
  AlertRow other_tenant = Alert(3, "u3");
  other_tenant.tenant_id = 8;
  AlertRow other_type = Alert(4, "u4");
  other_type.type = "stale.user";
  AlertRow too_low = Alert(5, "u5");
  too_low.severity = "low";
  DeliveryResult r = (*channel)->RepostFiring({taken, resolved, other_tenant, other_type, too_low});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent);
  ASSERT_EQ(http.Requests().size(), 1u);
  EXPECT_EQ(http.Requests()[0].body, AlertmanagerPayload({taken}, kNow));
  EXPECT_EQ(http.Requests()[0].headers.at("Idempotency-Key"),
            "vigil:3:repost:" + std::to_string(kNow));

  // Nothing left to repost: nothing is sent.
  r = (*channel)->RepostFiring({resolved, too_low});
  EXPECT_EQ(r.outcome, DeliveryOutcome::kSent);
  EXPECT_EQ(http.Requests().size(), 1u);
}

// ---- Against a real Alertmanager ----

class AlertmanagerServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = testing::AlertmanagerServer::Start();
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    server_ = std::move(started).value();
    auto http = NewCurlHttpClient();
    ASSERT_TRUE(http.ok());
    http_ = std::move(http).value();
    auto channel = AlertmanagerChannel::Open(Spec(server_->url()), http_.get(), &clock_);
    ASSERT_TRUE(channel.ok());
    channel_ = std::move(channel).value();
  }

  // GET /api/v2/alerts?<query>, keyed by the subject label.
  std::map<std::string, json> Alerts(const std::string& query = "") {
    std::map<std::string, json> out;
    auto r = server_->Get("/api/v2/alerts" + query);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return out;
    EXPECT_EQ(r->status, 200) << r->body;
    for (const json& a : json::parse(r->body)) out[a["labels"]["subject"]] = a;
    return out;
  }

  static TimeMs WallNow() { return NewSystemClock()->NowMs(); }

  // Alertmanager judges endsAt by its own clock: the fake clock starts at
  // the real time.
  FakeClock clock_{WallNow()};
  std::unique_ptr<testing::AlertmanagerServer> server_;
  std::unique_ptr<HttpClient> http_;
  std::unique_ptr<AlertmanagerChannel> channel_;
};

TEST_F(AlertmanagerServerTest, FiringAlertsAreActiveAndAResolvedOneIsGone) {
  const TimeMs t0 = clock_.NowMs();
  std::vector<AlertRow> rows = {Alert(1, "u1"), Alert(2, "u2"), Alert(3, "u3")};
  rows[2].severity = "critical";
  std::vector<Notification> opened;
  for (const AlertRow& a : rows) opened.push_back(Note("opened", a));
  DeliveryResult r = channel_->Deliver(Group(opened));
  ASSERT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error;
  EXPECT_EQ(r.status, 200);

  std::map<std::string, json> alerts = Alerts();
  ASSERT_EQ(alerts.size(), 3u);
  const json& u3 = alerts["u3"];
  EXPECT_EQ(u3["labels"], json({{"alertname", "mfa.user_not_registered"},
                                {"tenant", "fabrikam"},
                                {"type", "mfa.user_not_registered"},
                                {"subject", "u3"},
                                {"severity", "critical"}}));
  EXPECT_EQ(u3["annotations"],
            json({{"summary", "fabrikam: mfa.user_not_registered u3@fabrikam.example"},
                  {"description", "{\"upn\":\"u3@fabrikam.example\"}"},
                  {"vigil_alert_id", "3"}}));
  EXPECT_EQ(u3["status"]["state"], "active");
  EXPECT_EQ(ParseIso8601(u3["startsAt"].get<std::string>()).value(), rows[2].first_seen);
  EXPECT_EQ(ParseIso8601(u3["endsAt"].get<std::string>()).value(), t0 + kAlertmanagerFiringForMs);
  for (const auto& [subject, a] : alerts) EXPECT_EQ(a["status"]["state"], "active") << subject;

  // u2 resolves (found so by an analysis a second ago).
  clock_.Set(WallNow());
  AlertRow gone = rows[1];
  gone.state = "resolved";
  gone.resolved_at = clock_.NowMs() - 1000;
  r = channel_->Deliver(Group({Note("resolved", gone)}));
  ASSERT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error;

  // Alertmanager 0.25 lists no resolved alert, whatever the filters ask.
  alerts = Alerts();
  EXPECT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts.count("u2"), 0u);
  EXPECT_EQ(alerts.count("u1"), 1u);
  alerts = Alerts("?active=true&silenced=true&inhibited=true&unprocessed=true");
  EXPECT_EQ(alerts.count("u2"), 0u);
  EXPECT_EQ(alerts.size(), 2u);
}

TEST_F(AlertmanagerServerTest, ASeverityChangeLeavesOneActiveAlert) {
  AlertRow a = Alert(1, "u1");
  ASSERT_EQ(channel_->Deliver(Group({Note("opened", a)})).outcome, DeliveryOutcome::kSent);
  clock_.Set(WallNow());
  a.severity = "high";
  Notification n = Note("severity_changed", a);
  n.previous_severity = "medium";
  n.at = clock_.NowMs() - 1000;
  DeliveryResult r = channel_->Deliver(Group({n}));
  ASSERT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error;
  std::map<std::string, json> alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts["u1"]["labels"]["severity"], "high");
}

TEST_F(AlertmanagerServerTest, RepostFiringExtendsEndsAt) {
  const TimeMs t0 = clock_.NowMs();
  ASSERT_EQ(channel_->Deliver(Group({Note("opened", Alert(1, "u1"))})).outcome,
            DeliveryOutcome::kSent);
  EXPECT_EQ(ParseIso8601(Alerts()["u1"]["endsAt"].get<std::string>()).value(),
            t0 + kAlertmanagerFiringForMs);

  clock_.Advance(kAlertmanagerRepostEveryMs);
  DeliveryResult r = channel_->RepostFiring({Alert(1, "u1")});
  ASSERT_EQ(r.outcome, DeliveryOutcome::kSent) << r.error;
  std::map<std::string, json> alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(ParseIso8601(alerts["u1"]["endsAt"].get<std::string>()).value(),
            t0 + kAlertmanagerRepostEveryMs + kAlertmanagerFiringForMs);
  EXPECT_EQ(alerts["u1"]["status"]["state"], "active");
}

TEST_F(AlertmanagerServerTest, AServerThatIsDownIsRetried) {
  server_->Stop();
  DeliveryResult r = channel_->Deliver(Group({Note("opened", Alert(1, "u1"))}));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(
      r.error.rfind("alertmanager: no answer from " + server_->url() + ": could not connect", 0),
      0u)
      << r.error;
  EXPECT_EQ(r.error.find("/api/v2"), std::string::npos) << r.error;
}

TEST_F(AlertmanagerServerTest, AnAlertWithoutLabelsIsRefusedAndFails) {
  AlertRow empty;  // every label value empty: Alertmanager sees no label at all
  empty.id = 9;
  empty.state = "open";
  empty.first_seen = clock_.NowMs() - kHour;
  DeliveryResult r = channel_->Deliver(Group({Note("opened", empty)}));
  EXPECT_EQ(r.outcome, DeliveryOutcome::kFailed);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.response, "\"at least one label pair required\"\n");
  EXPECT_EQ(r.error, "alertmanager: " + server_->url() + " answered HTTP 400");
  EXPECT_EQ(r.retry_after_ms, std::nullopt);
  EXPECT_TRUE(Alerts().empty());
}

}  // namespace
}  // namespace vigil
