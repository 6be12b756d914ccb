// AlertWriter: the SQL that changes alerts, their history and their tags,
// for AlertManager alone. It decides nothing; AlertManager decides which
// transition each alert takes (alerts/reconcile_plan.h) and calls it inside
// its transaction.
//
// Every write is set-based: a method writes all the alerts it is given with
// multi-row statements (store/batch_insert.h) of up to
// kAlertRowsPerStatement rows each, so a reconcile's statements grow with
// the number of changed alerts divided by that, not with the alerts.
// Guarded transitions keep their guard per row: a multi-row UPDATE changes
// only the rows still in the state the reconcile read, and fails, naming the
// first alert it did not change, when fewer rows changed than it was given.
// The rows it did change stay changed: the caller rolls back its
// transaction (AlertManager does, on any error).
//
// Not thread-safe; borrows `db`, which must outlive it. Text given to a
// method (contents, names) need only live until the method returns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alerts/alert_row.h"
#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace vigil {

// Rows per multi-row statement of AlertWriter: writing n alerts of one kind
// runs ceil(n / kAlertRowsPerStatement) statements.
inline constexpr int kAlertRowsPerStatement = 500;

// The content an alert takes when it is opened, updated or reopened. The
// views point into the finding (and static severity names); the digest is
// the writer's own.
struct AlertContent {
  std::string_view subject_name;
  std::string_view severity;
  std::string_view details;
  std::string details_digest;
};

// Who made a change, and when.
struct ChangeStamp {
  TimeMs as_of = 0;  // the run's analysis clock: history `at`, first/last_seen, resolved_at
  TimeMs now = 0;    // wall clock: updated_at
  std::string trace_id;
  std::string run_id;
  // The rule version of each analysis type's batch in the run (history
  // rule_version); a type not in it is version 1.
  std::map<std::string, int, std::less<>> rule_versions;
  int RuleVersion(std::string_view analysis_type) const;
};

// An alert to open. InsertOpen sets `id`.
struct NewAlert {
  std::string_view analysis_type;
  std::string_view type;
  std::string_view subject;
  std::string_view tag;  // empty: none (tenant-wide types)
  AlertContent content;
  int64_t id = 0;
};

// An existing alert that takes new content (an update or a reopen).
struct ContentChange {
  int64_t id = 0;
  AlertContent content;
};

// A new display name for an alert (not a change of state, severity or
// details: no history).
struct SubjectRename {
  int64_t id = 0;
  std::string_view subject_name;
};

// One history row of a transition that carries content (opened, updated,
// reopened); `content` must outlive AppendHistory.
struct HistoryEntry {
  int64_t alert_id = 0;
  std::string_view analysis_type;
  std::string_view transition;
  std::optional<std::string_view> from_state;  // none for opened
  std::string_view to_state;
  const AlertContent* content = nullptr;
  std::string_view reason;
};

// The 'resolved' history row of one alert, with why it resolved; `reason`
// must outlive AppendResolvedHistory.
struct ResolvedEntry {
  int64_t alert_id = 0;
  std::string_view reason;
};

class AlertWriter {
 public:
  // Writes rows of `tenant_id` stamped with `stamp`; borrows both.
  AlertWriter(Db* db, int64_t tenant_id, const ChangeStamp& stamp)
      : db_(db), tenant_id_(tenant_id), stamp_(stamp) {}
  AlertWriter(const AlertWriter&) = delete;
  AlertWriter& operator=(const AlertWriter&) = delete;

  // Inserts every alert of `alerts` open (first_seen = last_seen = as_of)
  // and sets its `id`. (tenant, type, subject) must be new and distinct.
  Status InsertOpen(std::vector<NewAlert>* alerts);

  // Sets every alert of `changes`, which must be in state `from` ("open":
  // updates; "resolved": reopens), open with its content (resolved_at NULL,
  // last_seen = as_of). Internal, naming the first alert not changed, when
  // one is no longer in state `from`: the reconcile's view of it is out of
  // date and its history would record a transition that did not happen.
  Status SetOpen(std::string_view from, const std::vector<ContentChange>& changes);

  // Sets the open alerts `ids` resolved at as_of; their content stays as it
  // was. Internal, naming the first, when one is not open.
  Status SetResolved(const std::vector<int64_t>& ids);

  // Changes only the display names (no guard: not a transition).
  Status SetSubjectNames(const std::vector<SubjectRename>& renames);

  // Appends the history rows of `entries`, in their order.
  Status AppendHistory(const std::vector<HistoryEntry>& entries);

  // Appends the 'resolved' history row of each alert of `entries`, copying
  // its severity and details from its row, with its entry's reason; rows in
  // alert id order. Internal when one of them does not exist.
  Status AppendResolvedHistory(const std::vector<ResolvedEntry>& entries);

  // Sets the flapping flag of every alert of `ids` to `flapping` (with
  // updated_at and last_trace_id: it is a change recorded in the history).
  // Internal, naming the first, when one's flag already was `flapping`.
  Status SetFlapping(const std::vector<int64_t>& ids, bool flapping);

  // Appends a history row with `transition` ("flapping" or "stable") for
  // each (alert id, reason) of `marks`: from and to the alert's state, its
  // severity and details copied from its row. Internal when one of them
  // does not exist.
  Status AppendFlapHistory(std::string_view transition,
                           const std::vector<std::pair<int64_t, std::string>>& marks);

  // last_seen = as_of for every open alert of (tenant, analysis_types) whose
  // last_seen differs. One statement; writes no history. No-op when empty.
  Status TouchLastSeen(const std::vector<std::string>& analysis_types);

  // Rebuilds entity_tags of (tenant, analysis_types) from their open alerts
  // that carry a tag: one DELETE and one INSERT ... SELECT. No-op when empty.
  Status ProjectTags(const std::vector<std::string>& analysis_types);

 private:
  Db* db_;
  const int64_t tenant_id_;
  const ChangeStamp& stamp_;
};

// "?, ?, ?" with `n` placeholders (n >= 1).
std::string Placeholders(size_t n);

}  // namespace vigil
