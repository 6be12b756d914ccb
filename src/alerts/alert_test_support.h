// Helpers for the tests of src/alerts (header-only, for tests only): an
// in-memory database with tenants, builders of findings, batches and runs,
// table dumps to compare states, and a consistency check of invariants 6
// and 7 over a tenant.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/alert_store.h"
#include "alerts/history_fold.h"
#include "analysis/finding.h"
#include "common/clock.h"
#include "store/db.h"
#include "testing/test_database.h"

namespace vigil::alerts_test {

inline constexpr TimeMs kDay = 24LL * 60 * 60 * 1000;
inline constexpr TimeMs kT0 = 1767225600000;  // 2026-01-01T00:00:00Z

// In-memory SQLite, or PostgreSQL in the "pg:" runs (testing/test_database.h).
inline std::unique_ptr<Db> OpenTestDb() { return testing::OpenTestDatabase(); }

inline int64_t AddTenant(Db* db, const std::string& name) {
  Status s =
      db->Execute("INSERT INTO tenants (name, created_at) VALUES (?, ?)", {name, int64_t{0}});
  EXPECT_TRUE(s.ok()) << s.ToString();
  return db->LastInsertId();
}

inline Finding MakeFinding(std::string alert_type, std::string subject,
                           Severity severity = Severity::kMedium, std::string details = "{}") {
  Finding f;
  f.alert_type = std::move(alert_type);
  f.subject_name = subject + "@contoso.example";
  f.subject = std::move(subject);
  f.severity = severity;
  f.details = std::move(details);
  return f;
}

inline Batch Complete(std::string analysis_type, std::vector<Finding> findings = {}) {
  Batch b;
  b.analysis_type = std::move(analysis_type);
  b.status = BatchStatus::kComplete;
  b.findings = std::move(findings);
  return b;
}

inline Batch NotComplete(std::string analysis_type, BatchStatus status, std::string reason) {
  Batch b;
  b.analysis_type = std::move(analysis_type);
  b.status = status;
  b.reason = std::move(reason);
  return b;
}

inline AnalysisRun MakeRun(int64_t tenant_id, std::string run_id, TimeMs as_of,
                           std::vector<Batch> batches) {
  AnalysisRun run;
  run.tenant_id = tenant_id;
  run.trace_id = "trace-" + run_id;
  run.run_id = std::move(run_id);
  run.as_of = as_of;
  run.batches = std::move(batches);
  return run;
}

// Every row of the alert tables (alerts, alert_history, entity_tags,
// analysis_ledger) matching `where` (over tenant_id/analysis_type), one line
// per row, in primary-key order: equal dumps mean identical rows.
inline std::string DumpTables(Db* db, const std::string& where = "1 = 1") {
  static const std::vector<std::pair<std::string, std::string>> kTables = {
      {"alerts",
       "id, tenant_id, analysis_type, type, subject, subject_name, severity, state, details,"
       " details_digest, tag, first_seen, last_seen, resolved_at, updated_at, last_trace_id"},
      {"alert_history",
       "id, alert_id, tenant_id, analysis_type, at, transition, from_state, to_state, severity,"
       " details, details_digest, trace_id, run_id, reason"},
      {"entity_tags", "tenant_id, analysis_type, subject, tag, alert_id"},
      {"analysis_ledger",
       "tenant_id, analysis_type, run_id, as_of, status, reason, batch_digest, applied_at,"
       " trace_id, last_complete_run_id, last_complete_as_of, data_version"},
  };
  std::string out;
  for (const auto& [table, columns] : kTables) {
    const int n = static_cast<int>(std::count(columns.begin(), columns.end(), ',')) + 1;
    Result<std::unique_ptr<Statement>> stmt = db->Prepare(
        "SELECT " + columns + " FROM " + table + " WHERE " + where + " ORDER BY 1, 2, 3, 4");
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return out;
    while (true) {
      Result<bool> row = (*stmt)->Step();
      EXPECT_TRUE(row.ok()) << row.status().ToString();
      if (!row.ok() || !*row) break;
      out += table + ":";
      for (int c = 0; c < n; ++c) {
        out += (*stmt)->IsNull(c) ? std::string(" NULL") : " [" + (*stmt)->String(c) + "]";
      }
      out += "\n";
    }
  }
  return out;
}

// `dump` without its analysis_ledger lines: the alert tables only.
inline std::string WithoutLedger(const std::string& dump) {
  std::string out;
  size_t start = 0;
  while (start < dump.size()) {
    size_t end = dump.find('\n', start);
    end = end == std::string::npos ? dump.size() : end + 1;
    if (dump.compare(start, 16, "analysis_ledger:") != 0) out.append(dump, start, end - start);
    start = end;
  }
  return out;
}

// Invariants 6 and 7 over one tenant: every alert row is the fold of its
// history, every history row of an alert belongs to it, and the tenant's
// tags are exactly the projection of its open alerts that carry a tag.
inline ::testing::AssertionResult TenantConsistent(Db* db, int64_t tenant_id) {
  AlertFilter all;
  all.state = AlertStateFilter::kAll;
  Result<std::vector<AlertRow>> alerts = ListAlerts(db, all);
  if (!alerts.ok()) return ::testing::AssertionFailure() << alerts.status().ToString();
  Result<std::vector<HistoryRow>> history = TenantHistory(db, tenant_id);
  if (!history.ok()) return ::testing::AssertionFailure() << history.status().ToString();
  std::map<int64_t, std::vector<HistoryRow>> by_alert;
  for (const HistoryRow& h : *history) by_alert[h.alert_id].push_back(h);
  std::vector<std::tuple<std::string, std::string, std::string, int64_t>> expected_tags;
  size_t alerts_of_tenant = 0;
  for (const AlertRow& a : *alerts) {
    if (a.tenant_id != tenant_id) continue;
    ++alerts_of_tenant;
    Status s = CheckAlertAgainstHistory(a, by_alert[a.id]);
    if (!s.ok()) return ::testing::AssertionFailure() << s.ToString();
    for (const HistoryRow& h : by_alert[a.id]) {
      if (h.analysis_type != a.analysis_type || h.tenant_id != a.tenant_id) {
        return ::testing::AssertionFailure() << "history row " << h.id << " disagrees with alert "
                                             << a.id << " on tenant or analysis type";
      }
    }
    if (a.state == kAlertOpen && a.tag) {
      expected_tags.emplace_back(a.analysis_type, a.subject, *a.tag, a.id);
    }
  }
  if (by_alert.size() > alerts_of_tenant) {
    return ::testing::AssertionFailure()
           << "history rows of tenant " << tenant_id << " refer to alerts of another tenant";
  }
  std::vector<std::tuple<std::string, std::string, std::string, int64_t>> tags;
  Result<std::unique_ptr<Statement>> stmt = db->Prepare(
      "SELECT analysis_type, subject, tag, alert_id FROM entity_tags WHERE tenant_id = ?");
  if (!stmt.ok()) return ::testing::AssertionFailure() << stmt.status().ToString();
  (*stmt)->BindInt(1, tenant_id);
  while (true) {
    Result<bool> row = (*stmt)->Step();
    if (!row.ok()) return ::testing::AssertionFailure() << row.status().ToString();
    if (!*row) break;
    tags.emplace_back((*stmt)->String(0), (*stmt)->String(1), (*stmt)->String(2), (*stmt)->Int(3));
  }
  std::sort(tags.begin(), tags.end());
  std::sort(expected_tags.begin(), expected_tags.end());
  if (tags != expected_tags) {
    return ::testing::AssertionFailure()
           << "tenant " << tenant_id << " has " << tags.size() << " tags but "
           << expected_tags.size() << " open tagged alerts, or they differ";
  }
  return ::testing::AssertionSuccess();
}

// The open alerts of a tenant as "type subject severity" lines, sorted.
inline std::vector<std::string> OpenAlerts(Db* db, const std::string& tenant) {
  AlertFilter filter;
  filter.tenant = tenant;
  Result<std::vector<AlertRow>> rows = ListAlerts(db, filter);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> out;
  if (!rows.ok()) return out;
  for (const AlertRow& a : *rows) out.push_back(a.type + " " + a.subject + " " + a.severity);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vigil::alerts_test
