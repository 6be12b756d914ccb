// The trace route through Api::Handle: the spans as `vigil trace --json`
// has them, and which traces a tenant token may see.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "store/span_store.h"
#include "store/tenants.h"
#include "store/trace_json.h"
#include "testing/api_fixture.h"

namespace vigil {
namespace {

using testing::ApiFixture;

using testing::Body;

SpanRecord Span(const std::string& trace, const std::string& id, const std::string& parent,
                int64_t tenant_id, const std::string& name, TimeMs start) {
  SpanRecord s;
  s.trace_id = trace;
  s.span_id = id;
  s.parent_span_id = parent;
  s.tenant_id = tenant_id;
  s.name = name;
  s.start_ms = start;
  s.duration_us = 12345;
  s.statements = 7;
  s.attributes = {{"source", "graph"}};
  return s;
}

class TraceRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    admin_ = f_.AdminToken();
    contoso_token_ = f_.TenantToken("contoso");
    fabrikam_token_ = f_.TenantToken("fabrikam");
    const int64_t contoso = Id("contoso");
    const int64_t fabrikam = Id("fabrikam");
    const TimeMs t = f_.clock()->NowMs();
    // "t-contoso": a queue wait about no tenant, then contoso's sync and analysis.
    // "t-mixed": spans of both tenants. "t-anon": spans about no tenant only.
    Status s = SaveSpans(f_.db(), {Span("t-contoso", "s1", "", 0, "queue.wait", t),
                                   Span("t-contoso", "s2", "s1", contoso, "sync", t + 5),
                                   Span("t-contoso", "s3", "s2", contoso, "analyze.mfa", t + 9),
                                   Span("t-mixed", "m1", "", contoso, "sync", t),
                                   Span("t-mixed", "m2", "", fabrikam, "sync", t + 1),
                                   Span("t-anon", "a1", "", 0, "prune", t)});
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  int64_t Id(const std::string& name) {
    Result<std::optional<TenantRow>> row = FindTenant(f_.db(), name);
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? (*row)->id : 0;
  }

  ApiFixture f_;
  std::string admin_, contoso_token_, fabrikam_token_;
};

TEST_F(TraceRoutesTest, ATraceIsItsSpansAsTheCliShowsThem) {
  ApiResponse r = f_.Call("GET", "/api/v1/traces/t-contoso", contoso_token_);
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json body = Body(r);
  EXPECT_EQ(body["trace_id"], "t-contoso");
  Result<std::vector<SpanRecord>> spans = LoadTrace(f_.db(), "t-contoso");
  ASSERT_TRUE(spans.ok());
  EXPECT_EQ(body["spans"], SpansToJson(*spans));
  ASSERT_EQ(body["spans"].size(), 3u);
  const nlohmann::json& sync = body["spans"][1];
  EXPECT_EQ(sync["span_id"], "s2");
  EXPECT_EQ(sync["parent_span_id"], "s1");
  EXPECT_EQ(sync["name"], "sync");
  EXPECT_EQ(sync["duration_ms"], 12.345);
  EXPECT_EQ(sync["statements"], 7);
  EXPECT_EQ(sync["start"], "2026-11-18T11:06:40.005Z");
  EXPECT_EQ(sync["attributes"], (nlohmann::json{{"source", "graph"}}));
  EXPECT_TRUE(body["spans"][0]["parent_span_id"].is_null());
  EXPECT_EQ(body["spans"][0]["tenant_id"], 0);
}

TEST_F(TraceRoutesTest, ATenantSeesOnlyTracesOfItsOwnTenant) {
  for (const std::string trace : {"t-mixed", "t-anon", "t-none"}) {
    ApiResponse r = f_.Call("GET", "/api/v1/traces/" + trace, contoso_token_);
    EXPECT_EQ(r.status, 404) << trace;
    EXPECT_EQ(Body(r)["error"]["code"], "not_found");
    EXPECT_EQ(Body(r)["error"]["message"], "trace " + trace + " not found");
  }
  EXPECT_EQ(f_.Call("GET", "/api/v1/traces/t-contoso", fabrikam_token_).status, 404);
  EXPECT_EQ(f_.Call("GET", "/api/v1/traces/t-mixed", fabrikam_token_).status, 404);
  for (const std::string trace : {"t-contoso", "t-mixed", "t-anon"}) {
    EXPECT_EQ(f_.Call("GET", "/api/v1/traces/" + trace, admin_).status, 200) << trace;
  }
  EXPECT_EQ(f_.Call("GET", "/api/v1/traces/t-none", admin_).status, 404);
}

}  // namespace
}  // namespace vigil
