// /healthz, /readyz, /metrics and /api/v1/openapi.json as an operator (or
// Prometheus, or a load balancer) sees them: no token needed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/api.h"
#include "events/outbox.h"
#include "observe/metrics.h"
#include "queue/job_outbox.h"
#include "store/tenants.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::Body;

using testing::ApiFixture;

double GaugeValue(const std::string& name, const MetricLabels& labels = {}) {
  return DefaultMetrics()->GetGauge(name, "", labels)->Value();
}

double OpenAlerts(const std::string& type, const std::string& severity) {
  return GaugeValue("vigil_open_alerts", {{"type", type}, {"severity", severity}});
}

void AddAlert(Db* db, int64_t tenant_id, const std::string& type, const std::string& subject,
              const std::string& severity, const std::string& state) {
  Status s = db->Execute(
      "INSERT INTO alerts (tenant_id, analysis_type, type, subject, subject_name, severity,"
      " state, details, details_digest, first_seen, last_seen, updated_at, last_trace_id)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, '{}', 'd', 1, 1, 1, 't')",
      {tenant_id, type.substr(0, type.find('.')), type, subject, subject, severity, state});
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST(OpsRoutesTest, HealthzAnswersOkWithoutAToken) {
  ApiFixture f;
  ApiResponse r = f.Call("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r), nlohmann::json({{"status", "ok"}}));
}

TEST(OpsRoutesTest, ReadyzChecksTheDatabaseAndEveryHook) {
  ApiHooks hooks;
  hooks.readiness.emplace_back("redis", [] { return Status::Ok(); });
  ApiFixture ready({}, hooks);
  ApiResponse r = ready.Call("GET", "/readyz");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r),
            nlohmann::json::parse(
                R"({"ready":true,"checks":{"database":{"ok":true},"redis":{"ok":true}}})"));

  hooks.readiness.emplace_back(
      "nats", [] { return Status::Unavailable("nats nats://127.0.0.1:1: connection refused"); });
  ApiFixture not_ready({}, hooks);
  r = not_ready.Call("GET", "/readyz");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(Body(r), nlohmann::json::parse(R"({"ready":false,"checks":{
      "database":{"ok":true},"redis":{"ok":true},
      "nats":{"ok":false,"reason":"nats nats://127.0.0.1:1: connection refused"}}})"));
}

TEST(OpsRoutesTest, ReadyzSaysWhyTheDatabaseIsNotReachable) {
  DbPool pool([]() -> Result<std::unique_ptr<Db>> {
    return Status::Unavailable("postgresql 127.0.0.1:1: connection refused");
  });
  ApiEnv env;
  env.db_pool = &pool;
  Api api(std::move(env));
  ApiRequest request;
  request.method = "GET";
  request.path = "/readyz";
  ApiResponse r = api.Handle(request);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r)["ready"], false);
  EXPECT_EQ(Body(r)["checks"]["database"]["ok"], false);
  EXPECT_NE(Body(r)["checks"]["database"]["reason"].get<std::string>().find(
                "postgresql 127.0.0.1:1: connection refused"),
            std::string::npos)
      << r.body;
}

TEST(OpsRoutesTest, MetricsAreRefreshedFromTheDatabaseAndTheQueueAtEachScrape) {
  ApiFixture f;
  const int64_t tenant = EnsureTenant(f.db(), "contoso", 1).value().id;
  AddAlert(f.db(), tenant, "privilege.guest_admin", "u1", "high", "open");
  AddAlert(f.db(), tenant, "privilege.guest_admin", "u2", "high", "open");
  AddAlert(f.db(), tenant, "stale.user", "u3", "low", "open");
  AddAlert(f.db(), tenant, "stale.user", "u4", "low", "resolved");
  ASSERT_TRUE(f.queue()->Add("sync", "{}", {}).ok());
  ASSERT_TRUE(f.queue()->Add("sync", "{}", {}).ok());
  JobOptions later;
  later.delay_ms = 60000;
  ASSERT_TRUE(f.queue()->Add("analyze", "{}", later).ok());
  Event event;
  event.type = "alert.opened";
  event.tenant_id = tenant;
  event.payload = "{}";
  ASSERT_TRUE(AppendEvents(f.db(), {event, event, event}).ok());
  ASSERT_TRUE(AppendOutboxJob(f.db(), "vigil", "sync", "{}", {}, 1).ok());

  ASSERT_EQ(f.Call("GET", "/healthz").status, 200);  // a request to count
  ApiResponse r = f.Call("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(r.body.find("# TYPE vigil_open_alerts gauge\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("vigil_open_alerts{type=\"privilege.guest_admin\",severity=\"high\"} 2\n"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(OpenAlerts("stale.user", "low"), 1);
  // Every alert type is there from the first scrape, at its default severity.
  EXPECT_NE(r.body.find("vigil_open_alerts{type=\"mfa.not_enforced\",severity=\"high\"} 0\n"),
            std::string::npos);
  EXPECT_EQ(GaugeValue("vigil_queue_jobs", {{"state", "waiting"}}), 2);
  EXPECT_EQ(GaugeValue("vigil_queue_jobs", {{"state", "delayed"}}), 1);
  EXPECT_EQ(GaugeValue("vigil_queue_jobs", {{"state", "failed"}}), 0);
  EXPECT_EQ(GaugeValue("vigil_event_outbox_backlog"), 3);
  EXPECT_EQ(GaugeValue("vigil_job_outbox_backlog"), 1);
  EXPECT_NE(r.body.find("vigil_http_requests_total"), std::string::npos);

  // A series that dropped to zero reads 0 (it neither vanishes nor keeps 2);
  // a severity an alert type had never had before appears.
  ASSERT_TRUE(f.db()
                  ->Execute("UPDATE alerts SET state = 'resolved' WHERE type = ?",
                            {std::string("privilege.guest_admin")})
                  .ok());
  AddAlert(f.db(), tenant, "stale.user", "u5", "critical", "open");
  std::vector<int64_t> published;
  Result<std::vector<Event>> unpublished = ReadUnpublished(f.db(), 10);
  ASSERT_TRUE(unpublished.ok()) << unpublished.status().ToString();
  for (const Event& e : *unpublished) published.push_back(e.id);
  ASSERT_EQ(published.size(), 3u);
  ASSERT_TRUE(MarkPublished(f.db(), published, 5).ok());
  r = f.Call("GET", "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("vigil_open_alerts{type=\"privilege.guest_admin\",severity=\"high\"} 0\n"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(OpenAlerts("stale.user", "critical"), 1);
  EXPECT_EQ(GaugeValue("vigil_event_outbox_backlog"), 0);

  ASSERT_TRUE(f.db()->Execute("UPDATE alerts SET state = 'resolved'").ok());
  ASSERT_EQ(f.Call("GET", "/metrics").status, 200);
  EXPECT_EQ(OpenAlerts("stale.user", "critical"), 0);
  EXPECT_EQ(OpenAlerts("stale.user", "low"), 0);
}

TEST(OpsRoutesTest, TheOpenApiDocumentIsServedWithoutAToken) {
  ApiFixture f;
  ApiResponse r = f.Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  nlohmann::json doc = Body(r);
  EXPECT_EQ(doc["openapi"], "3.0.3");
  EXPECT_TRUE(doc["paths"].contains("/hooks/{source_id}"));
}

}  // namespace
}  // namespace vigil
