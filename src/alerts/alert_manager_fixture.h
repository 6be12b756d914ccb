// AlertManagerTest: the fixture of alert_manager_test.cc and
// alert_manager_events_test.cc (tests only): a test database with the
// tenants contoso and fabrikam, an AlertManager on a fixed clock, and
// readers of what a reconcile left (alerts, history, tags, new events).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alerts/alert_manager.h"
#include "alerts/alert_store.h"
#include "alerts/alert_test_support.h"
#include "events/outbox.h"
#include "testing/fixtures.h"

namespace vigil::alerts_test {

class AlertManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = OpenTestDb();
    ASSERT_NE(db_, nullptr);
    contoso_ = AddTenant(db_.get(), "contoso");
    fabrikam_ = AddTenant(db_.get(), "fabrikam");
    clock_ = NewFixedClock(kT0 + 1000 * kDay);
    manager_ = std::make_unique<AlertManager>(db_.get(), clock_.get());
  }

  ReconcileSummary Apply(const AnalysisRun& run) {
    Result<ReconcileSummary> summary = manager_->Reconcile(run);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_TRUE(TenantConsistent(db_.get(), run.tenant_id));
    return summary.ok() ? *summary : ReconcileSummary();
  }

  AlertRow Alert(const std::string& type, const std::string& subject) {
    AlertFilter filter;
    filter.state = AlertStateFilter::kAll;
    filter.type = type;
    Result<std::vector<AlertRow>> rows = ListAlerts(db_.get(), filter);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    for (const AlertRow& row : *rows) {
      if (row.subject == subject && row.tenant_id == contoso_) return row;
    }
    ADD_FAILURE() << "no alert " << type << " " << subject;
    return AlertRow();
  }

  std::vector<HistoryRow> History(int64_t alert_id) {
    Result<std::vector<HistoryRow>> rows = AlertHistory(db_.get(), alert_id);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<HistoryRow>();
  }

  std::vector<std::pair<std::string, std::string>> Tags(int64_t tenant_id) {
    Result<std::vector<std::pair<std::string, std::string>>> tags = ListTags(db_.get(), tenant_id);
    EXPECT_TRUE(tags.ok()) << tags.status().ToString();
    return tags.ok() ? *tags : std::vector<std::pair<std::string, std::string>>();
  }

  // The events appended since the last call, oldest first.
  std::vector<Event> NewEvents() {
    Result<std::vector<Event>> events = ListEvents(db_.get(), EventFilter(), last_event_id_, 10000);
    EXPECT_TRUE(events.ok()) << events.status().ToString();
    if (!events.ok()) return {};
    if (!events->empty()) last_event_id_ = events->back().id;
    return *events;
  }

  int64_t OutboxRows() { return testing::Count(db_.get(), "SELECT COUNT(*) FROM event_outbox"); }

  std::unique_ptr<Db> db_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<AlertManager> manager_;
  int64_t last_event_id_ = 0;
  int64_t contoso_ = 0;
  int64_t fabrikam_ = 0;
};

}  // namespace vigil::alerts_test
