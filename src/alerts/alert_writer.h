// AlertWriter: the SQL that changes alerts, their history and their tags,
// for AlertManager alone. It decides nothing; AlertManager decides which
// transition each alert takes and calls it inside its transaction.
//
// Each statement is prepared once per AlertWriter and reused, so a
// reconcile prepares a handful of statements whatever the number of alerts.
// Every method runs one statement (ProjectTags two). Not thread-safe;
// borrows `db`, which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alerts/alert_row.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// The content an alert takes when it is opened, updated or reopened.
struct AlertContent {
  std::string subject_name;
  std::string severity;
  std::string details;
  std::string details_digest;
};

// Who made a change, and when.
struct ChangeStamp {
  TimeMs as_of = 0;  // the run's analysis clock: history `at`, first/last_seen, resolved_at
  TimeMs now = 0;    // wall clock: updated_at
  std::string trace_id;
  std::string run_id;
};

class AlertWriter {
 public:
  explicit AlertWriter(Db* db) : db_(db) {}
  AlertWriter(const AlertWriter&) = delete;
  AlertWriter& operator=(const AlertWriter&) = delete;

  // Inserts an open alert (first_seen = last_seen = stamp.as_of) and returns its id.
  Result<int64_t> InsertOpen(int64_t tenant_id, std::string_view analysis_type,
                             std::string_view type, std::string_view subject,
                             const std::optional<std::string>& tag, const AlertContent& content,
                             const ChangeStamp& stamp);

  // Sets alert `id`, which is in state `from` ("open": an update; "resolved":
  // a reopen), open with `content` (resolved_at NULL, last_seen = as_of).
  // Internal, changing nothing, when the alert is not in state `from`: the
  // caller's view of it is out of date and its history would record a
  // transition that did not happen (the caller rolls back).
  Status SetOpen(int64_t id, std::string_view from, const AlertContent& content,
                 const ChangeStamp& stamp);

  // Sets the open alert `id` resolved at stamp.as_of; its content stays as
  // it was. Internal, changing nothing, when it is not open.
  Status SetResolved(int64_t id, const ChangeStamp& stamp);

  // Changes only the display name of alert `id` (no history: not a change of
  // state, severity or details).
  Status SetSubjectName(int64_t id, std::string_view subject_name);

  // Appends a history row recording `alert_id`'s `transition` with the
  // content it has after the change.
  Status AppendHistory(int64_t alert_id, int64_t tenant_id, std::string_view analysis_type,
                       std::string_view transition, std::optional<std::string_view> from_state,
                       std::string_view to_state, const AlertContent& content,
                       std::string_view reason, const ChangeStamp& stamp);

  // Appends the 'resolved' history row of `alert_id`, copying its severity
  // and details from the alerts row.
  Status AppendResolvedHistory(int64_t alert_id, std::string_view reason, const ChangeStamp& stamp);

  // last_seen = as_of for every open alert of (tenant, analysis_types) whose
  // last_seen differs. Set-based; writes no history. No-op when empty.
  Status TouchLastSeen(int64_t tenant_id, const std::vector<std::string>& analysis_types,
                       TimeMs as_of);

  // Rebuilds entity_tags of (tenant, analysis_types) from their open alerts
  // that carry a tag: one DELETE and one INSERT ... SELECT. No-op when empty.
  Status ProjectTags(int64_t tenant_id, const std::vector<std::string>& analysis_types);

 private:
  // The statement for `sql`, prepared on first use into `*slot`.
  Result<Statement*> Prepared(std::unique_ptr<Statement>* slot, std::string_view sql);

  Db* db_;
  std::unique_ptr<Statement> insert_open_;
  std::unique_ptr<Statement> set_open_;
  std::unique_ptr<Statement> set_resolved_;
  std::unique_ptr<Statement> set_subject_name_;
  std::unique_ptr<Statement> append_history_;
  std::unique_ptr<Statement> append_resolved_history_;
};

// "?, ?, ?" with `n` placeholders (n >= 1).
std::string Placeholders(size_t n);

}  // namespace vigil
