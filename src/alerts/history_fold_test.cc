#include "alerts/history_fold.h"

#include <gtest/gtest.h>

#include "common/hash.h"

namespace vigil {
namespace {

HistoryRow Row(int64_t id, std::string transition, std::optional<std::string> from, std::string to,
               std::string severity, std::string details, TimeMs at) {
  HistoryRow h;
  h.id = id;
  h.alert_id = 7;
  h.tenant_id = 1;
  h.analysis_type = "mfa";
  h.at = at;
  h.transition = std::move(transition);
  h.from_state = std::move(from);
  h.to_state = std::move(to);
  h.severity = std::move(severity);
  h.details_digest = HashHex(details);
  h.details = std::move(details);
  h.trace_id = "trace-" + std::to_string(id);
  h.run_id = "run-" + std::to_string(id);
  h.reason = "test";
  return h;
}

std::vector<HistoryRow> Lifecycle() {
  return {Row(1, "opened", std::nullopt, "open", "medium", "{}", 100),
          Row(2, "updated", "open", "open", "high", "{}", 200),
          Row(5, "resolved", "open", "resolved", "high", "{}", 300),
          Row(9, "reopened", "resolved", "open", "high", R"({"a":1})", 400),
          Row(11, "resolved", "open", "resolved", "high", R"({"a":1})", 500)};
}

AlertRow RowOf(const std::vector<HistoryRow>& history) {
  Result<FoldedAlert> f = FoldHistory(history);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  AlertRow a;
  a.id = 7;
  a.state = f->state;
  a.severity = f->severity;
  a.details = f->details;
  a.details_digest = f->details_digest;
  a.first_seen = f->first_seen;
  a.resolved_at = f->resolved_at;
  a.last_trace_id = f->last_trace_id;
  a.flapping = f->flapping;
  return a;
}

TEST(HistoryFoldTest, FoldsALifecycle) {
  std::vector<HistoryRow> h = Lifecycle();
  Result<FoldedAlert> f = FoldHistory(h);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->state, "resolved");
  EXPECT_EQ(f->severity, "high");
  EXPECT_EQ(f->details, R"({"a":1})");
  EXPECT_EQ(f->first_seen, 100);
  EXPECT_EQ(f->resolved_at, 500);
  EXPECT_EQ(f->last_trace_id, "trace-11");

  h.pop_back();
  f = FoldHistory(h);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->state, "open");
  EXPECT_EQ(f->resolved_at, std::nullopt);
}

TEST(HistoryFoldTest, RejectsIllegalHistories) {
  auto message = [](std::vector<HistoryRow> h) {
    Result<FoldedAlert> f = FoldHistory(h);
    return f.ok() ? std::string("OK") : f.status().ToString();
  };
  EXPECT_EQ(message({}), "internal error: alert history is empty");

  std::vector<HistoryRow> h = Lifecycle();
  h.erase(h.begin());
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 2: \"updated\" cannot start a history");

  h = Lifecycle();
  h[1].severity = "medium";
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 2: \"updated\" changes neither severity "
            "nor details digest");

  h = Lifecycle();
  h[2].severity = "low";
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 5: \"resolved\" changes severity or "
            "details digest");

  h = Lifecycle();
  h.erase(h.begin() + 3);  // resolved twice in a row
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 11: \"resolved\" from \"open\" but the "
            "alert was \"resolved\"");

  h = Lifecycle();
  h[3].from_state = "open";
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 9: \"reopened\" from \"open\" to \"open\" "
            "(expected from \"resolved\" to \"open\")");

  h = Lifecycle();
  h[4].transition = "deleted";
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 11: unknown transition \"deleted\"");

  h = Lifecycle();
  h[2].id = 1;
  EXPECT_EQ(message(h), "internal error: history of alert 7: row 1 is not in ascending id order");

  h = Lifecycle();
  h[1].alert_id = 8;
  EXPECT_EQ(message(h), "internal error: history of alert 7: row 2 belongs to alert 8");

  h = Lifecycle();
  h.push_back(Row(12, "opened", std::nullopt, "open", "high", "{}", 600));
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 12: \"opened\" after the first row");
}

// The lifecycle, flapping after its last resolve, and stable after a reopen.
std::vector<HistoryRow> Flapping() {
  std::vector<HistoryRow> h = Lifecycle();
  h.push_back(Row(12, "flapping", "resolved", "resolved", "high", R"({"a":1})", 500));
  h.push_back(Row(13, "reopened", "resolved", "open", "low", "{}", 600));
  h.push_back(Row(14, "stable", "open", "open", "low", "{}", 700));
  return h;
}

TEST(HistoryFoldTest, FlappingAndStableKeepTheStateAndSetTheFlag) {
  std::vector<HistoryRow> h = Flapping();
  h.resize(6);
  Result<FoldedAlert> f = FoldHistory(h);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_TRUE(f->flapping);
  EXPECT_EQ(f->state, "resolved");
  EXPECT_EQ(f->resolved_at, 500);  // a flapping row does not move it
  EXPECT_EQ(f->last_trace_id, "trace-12");

  h = Flapping();
  f = FoldHistory(h);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_FALSE(f->flapping);
  EXPECT_EQ(f->state, "open");
  EXPECT_EQ(f->severity, "low");
  EXPECT_EQ(f->resolved_at, std::nullopt);

  AlertRow a = RowOf(h);
  EXPECT_TRUE(CheckAlertAgainstHistory(a, h).ok());
  a.flapping = true;
  EXPECT_EQ(CheckAlertAgainstHistory(a, h).ToString(),
            "internal error: alert 7: flapping is true but its history says false");
}

TEST(HistoryFoldTest, RejectsIllegalFlappingRows) {
  auto message = [](std::vector<HistoryRow> h) {
    Result<FoldedAlert> f = FoldHistory(h);
    return f.ok() ? std::string("OK") : f.status().ToString();
  };
  std::vector<HistoryRow> h = Flapping();
  h[5].to_state = "open";
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 12: \"flapping\" from \"resolved\" to "
            "\"open\" (expected from \"resolved\" to \"resolved\")");

  h = Flapping();
  h[7].severity = "high";
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 14: \"stable\" changes severity or details "
            "digest");

  h = Flapping();
  h[7].transition = "flapping";
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 14: \"flapping\" while the alert was "
            "already flapping");

  h = Flapping();
  h.erase(h.begin() + 5);  // stable without a flapping row before
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 14: \"stable\" while the alert was not "
            "flapping");

  h = {Row(1, "flapping", std::nullopt, "open", "medium", "{}", 100)};
  EXPECT_EQ(message(h),
            "internal error: history of alert 7: row 1: \"flapping\" cannot start a history");
}

TEST(HistoryFoldTest, ChecksTheAlertRowAgainstItsHistory) {
  std::vector<HistoryRow> h = Lifecycle();
  AlertRow a = RowOf(h);
  EXPECT_TRUE(CheckAlertAgainstHistory(a, h).ok());

  a.state = "open";
  a.resolved_at = std::nullopt;
  a.first_seen = 150;
  EXPECT_EQ(CheckAlertAgainstHistory(a, h).ToString(),
            "internal error: alert 7: state is \"open\" but its history says \"resolved\"; "
            "first_seen is 150 but its history says 100; resolved_at is none but its history "
            "says 500");

  a = RowOf(h);
  EXPECT_EQ(CheckAlertAgainstHistory(a, {}).ToString(),
            "internal error: alert 7: alert history is empty");
  h[0].alert_id = 3;
  EXPECT_EQ(CheckAlertAgainstHistory(a, h).ToString(),
            "internal error: alert 7: history given is of alert 3");
}

}  // namespace
}  // namespace vigil
