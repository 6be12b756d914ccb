#include "store/migrations.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>

namespace vigil {
namespace {

constexpr std::string_view kInitialSchema = R"SQL(
CREATE TABLE tenants (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);

CREATE TABLE tenant_preferences (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (tenant_id, key)
);

CREATE TABLE data_sources (
  id {{ID}},
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  provider TEXT NOT NULL,
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_sync_at BIGINT,
  last_sync_status TEXT,
  last_sync_error TEXT,
  UNIQUE (tenant_id, name)
);

CREATE TABLE data_availability (
  data_source_id BIGINT NOT NULL REFERENCES data_sources(id),
  kind TEXT NOT NULL,
  available INTEGER NOT NULL,
  reason TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (data_source_id, kind)
);

CREATE TABLE syncs (
  id {{ID}},
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  data_source_id BIGINT NOT NULL REFERENCES data_sources(id),
  trace_id TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  finished_at BIGINT,
  status TEXT NOT NULL,
  error TEXT,
  forced INTEGER NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  unchanged INTEGER NOT NULL
);
CREATE INDEX syncs_by_source ON syncs (data_source_id, id);

CREATE TABLE entities (
  id {{ID}},
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  data_source_id BIGINT NOT NULL REFERENCES data_sources(id),
  kind TEXT NOT NULL,
  external_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  attributes TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_changed BIGINT NOT NULL,
  deleted_at BIGINT,
  UNIQUE (data_source_id, kind, external_id)
);

CREATE TABLE links (
  id {{ID}},
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  data_source_id BIGINT NOT NULL REFERENCES data_sources(id),
  kind TEXT NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  UNIQUE (data_source_id, kind, from_id, to_id)
);

CREATE TABLE alerts (
  id {{ID}},
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  analysis_type TEXT NOT NULL,
  type TEXT NOT NULL,
  subject TEXT NOT NULL,
  subject_name TEXT NOT NULL,
  severity TEXT NOT NULL,
  state TEXT NOT NULL,
  details TEXT NOT NULL,
  details_digest TEXT NOT NULL,
  tag TEXT,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  resolved_at BIGINT,
  updated_at BIGINT NOT NULL,
  last_trace_id TEXT NOT NULL,
  UNIQUE (tenant_id, type, subject)
);
CREATE INDEX alerts_by_tenant_analysis ON alerts (tenant_id, analysis_type, state);
CREATE INDEX alerts_open_by_tenant ON alerts (tenant_id) WHERE state = 'open';

CREATE TABLE alert_history (
  id {{ID}},
  alert_id BIGINT NOT NULL REFERENCES alerts(id),
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  analysis_type TEXT NOT NULL,
  at BIGINT NOT NULL,
  transition TEXT NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  severity TEXT NOT NULL,
  details TEXT NOT NULL,
  details_digest TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  run_id TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX alert_history_by_alert ON alert_history (alert_id, id);

CREATE TABLE entity_tags (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  analysis_type TEXT NOT NULL,
  subject TEXT NOT NULL,
  tag TEXT NOT NULL,
  alert_id BIGINT NOT NULL REFERENCES alerts(id),
  PRIMARY KEY (tenant_id, subject, tag, alert_id)
);
CREATE INDEX entity_tags_by_type ON entity_tags (tenant_id, analysis_type);

CREATE TABLE analysis_ledger (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  analysis_type TEXT NOT NULL,
  run_id TEXT NOT NULL,
  as_of BIGINT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  batch_digest TEXT NOT NULL,
  applied_at BIGINT NOT NULL,
  trace_id TEXT NOT NULL,
  last_complete_run_id TEXT,
  last_complete_as_of BIGINT,
  PRIMARY KEY (tenant_id, analysis_type)
);

CREATE TABLE trace_spans (
  id {{ID}},
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  tenant_id BIGINT,
  name TEXT NOT NULL,
  start_ms BIGINT NOT NULL,
  duration_us BIGINT NOT NULL,
  status TEXT NOT NULL,
  statements BIGINT NOT NULL,
  attributes TEXT NOT NULL
);
CREATE INDEX trace_spans_by_trace ON trace_spans (trace_id, start_ms);
)SQL";

// The local job queue (queue/local_queue.h). One row per job; a job id is
// unique per queue (deduplication). `run_at` is when a waiting job becomes
// due (later than now: delayed). `lease_token` grows on every take: a
// completion must present the token of the current lease (fencing).
constexpr std::string_view kJobsSchema = R"SQL(
CREATE TABLE jobs (
  id {{ID}},
  queue TEXT NOT NULL,
  job_id TEXT NOT NULL,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  job_group TEXT NOT NULL,
  state TEXT NOT NULL,
  priority INTEGER NOT NULL,
  run_at BIGINT NOT NULL,
  max_attempts INTEGER NOT NULL,
  attempts_made INTEGER NOT NULL,
  backoff_type TEXT NOT NULL,
  backoff_ms BIGINT NOT NULL,
  stalled_count INTEGER NOT NULL,
  lease_token BIGINT NOT NULL,
  lease_owner TEXT,
  lease_until BIGINT,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  return_value TEXT,
  failed_reason TEXT,
  UNIQUE (queue, job_id)
);
CREATE INDEX jobs_ready ON jobs (queue, state, priority, run_at, id);
CREATE INDEX jobs_leases ON jobs (queue, state, lease_until);
CREATE INDEX jobs_by_group ON jobs (queue, job_group, id);

CREATE TABLE queue_state (
  queue TEXT PRIMARY KEY,
  paused INTEGER NOT NULL
);
)SQL";

// The event outbox (events/outbox.h): events are appended in the transaction
// of the change they announce and relayed to the EventBus from here.
constexpr std::string_view kOutboxSchema = R"SQL(
CREATE TABLE event_outbox (
  id {{ID}},
  tenant_id BIGINT NOT NULL,
  type TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  published_at BIGINT
);
CREATE INDEX event_outbox_unpublished ON event_outbox (id) WHERE published_at IS NULL;
CREATE INDEX event_outbox_by_tenant ON event_outbox (tenant_id, id);
)SQL";

// Sync schedules (queue/scheduler.h): one per data source. The off-peak
// window, when set, is [window_start_min, window_end_min) in minutes after
// midnight UTC and may wrap midnight.
constexpr std::string_view kSchedulesSchema = R"SQL(
CREATE TABLE schedules (
  data_source_id BIGINT PRIMARY KEY REFERENCES data_sources(id),
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  interval_ms BIGINT NOT NULL,
  window_start_min INTEGER,
  window_end_min INTEGER,
  enabled INTEGER NOT NULL,
  next_run_at BIGINT NOT NULL,
  last_job_id TEXT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX schedules_due ON schedules (enabled, next_run_at);
)SQL";

// The job outbox (queue/job_outbox.h): in Redis mode every job is written
// here first, then relayed to the queue; the reconciler re-enqueues, by job
// id, the unfinished ones the queue lost. run_* is the per-job run guard
// (queue/failover_queue.h): one job id never runs in two places at once.
constexpr std::string_view kJobOutboxSchema = R"SQL(
CREATE TABLE job_outbox (
  id {{ID}},
  queue TEXT NOT NULL,
  job_id TEXT NOT NULL,
  name TEXT NOT NULL,
  payload TEXT NOT NULL,
  options TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  relayed_at BIGINT,
  relayed_to TEXT,
  finished_at BIGINT,
  outcome TEXT,
  run_backend TEXT,
  run_owner TEXT,
  run_until BIGINT,
  run_token BIGINT NOT NULL DEFAULT 0,
  UNIQUE (queue, job_id)
);
CREATE INDEX job_outbox_unfinished ON job_outbox (queue, finished_at, id);
)SQL";

// A user's licenses move from "license" links into its row: the canonical
// user attributes (providers/entity_codec.h) end with "sku_ids":[..], sorted.
// Every user row gets the ids of its license links appended (an empty list
// when it has none), then the links are deleted. The content hashes are left
// as they were, so the first sync afterwards rewrites each user once with
// its newly hashed row. Portable SQL: the list is built by a recursive
// query over the links numbered per user (no string aggregate, which is
// spelled differently by each database); ids are escaped for JSON quotes
// and backslashes (SKU ids are GUIDs).
constexpr std::string_view kLicensesInUserRows = R"SQL(
CREATE TABLE migration6_license (
  data_source_id BIGINT NOT NULL,
  user_id TEXT NOT NULL,
  n BIGINT NOT NULL,
  sku_json TEXT NOT NULL,
  PRIMARY KEY (data_source_id, user_id, n)
);
INSERT INTO migration6_license (data_source_id, user_id, n, sku_json)
  SELECT data_source_id, from_id,
         ROW_NUMBER() OVER (PARTITION BY data_source_id, from_id ORDER BY to_id),
         '"' || replace(replace(to_id, '\', '\\'), '"', '\"') || '"'
  FROM links WHERE kind = 'license';

CREATE TABLE migration6_list (
  data_source_id BIGINT NOT NULL,
  user_id TEXT NOT NULL,
  n BIGINT NOT NULL,
  list TEXT NOT NULL,
  PRIMARY KEY (data_source_id, user_id, n)
);
INSERT INTO migration6_list (data_source_id, user_id, n, list)
  WITH RECURSIVE prefix (data_source_id, user_id, n, list) AS (
    SELECT data_source_id, user_id, n, sku_json FROM migration6_license WHERE n = 1
    UNION ALL
    SELECT p.data_source_id, p.user_id, l.n, p.list || ',' || l.sku_json
    FROM prefix p JOIN migration6_license l
      ON l.data_source_id = p.data_source_id AND l.user_id = p.user_id AND l.n = p.n + 1
  )
  SELECT data_source_id, user_id, n, list FROM prefix;

UPDATE entities SET attributes =
  substr(attributes, 1, length(attributes) - 1) || ',"sku_ids":[' ||
  COALESCE((SELECT l.list FROM migration6_list l
            WHERE l.data_source_id = entities.data_source_id
              AND l.user_id = entities.external_id
            ORDER BY l.n DESC LIMIT 1), '') || ']}'
WHERE kind = 'user';

DELETE FROM links WHERE kind = 'license';
DROP TABLE migration6_list;
DROP TABLE migration6_license;
)SQL";

// The provider's note for its next sync (Snapshot::cursor, e.g. a Graph
// delta link), and sign-in activity as a kind of data.
constexpr std::string_view kSyncCursor = R"SQL(
ALTER TABLE data_sources ADD COLUMN sync_cursor TEXT;

-- Sign-in activity became a kind of data of its own ("signin"); what was
-- synced before came inside users.json, so it is known exactly when the
-- users are.
INSERT INTO data_availability (data_source_id, kind, available, reason, updated_at)
  SELECT data_source_id, 'signin', available, reason, updated_at
  FROM data_availability WHERE kind = 'user';
)SQL";

// The HTTP API: bearer tokens (store/api_tokens.h), webhook secrets and
// the deliveries seen (replay refusal), and what an operator did to an
// alert (acknowledged, snoozed) -- kept beside the alert, never in its
// history, which records only changes of the finding (invariant 6).
constexpr std::string_view kHttpApi = R"SQL(
CREATE TABLE api_tokens (
  id {{ID}},
  name TEXT NOT NULL,
  tenant_id BIGINT REFERENCES tenants(id),
  lookup TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX api_tokens_by_lookup ON api_tokens (lookup);

CREATE TABLE webhook_secrets (
  data_source_id BIGINT PRIMARY KEY REFERENCES data_sources(id),
  secret TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
  data_source_id BIGINT NOT NULL REFERENCES data_sources(id),
  delivery_id TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  PRIMARY KEY (data_source_id, delivery_id)
);
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (received_at);

ALTER TABLE alerts ADD COLUMN acknowledged_at BIGINT;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;
ALTER TABLE alerts ADD COLUMN snoozed_until BIGINT;
CREATE INDEX alerts_by_tenant_state_id ON alerts (tenant_id, state, id);
)SQL";

// Entities lose their per-row foreign key checks: two parent lookups per
// row were a sixth of a large first sync's writes. The Syncer is the only
// writer of entities and checks, in its own transaction, that the data
// source exists and belongs to the tenant (a stronger check than the two
// references made); nothing deletes tenants or data sources. SQLite cannot
// drop a constraint, so the table is rebuilt with the same rows and ids.
constexpr std::string_view kEntitiesWithoutForeignKeys = R"SQL(
CREATE TABLE entities_new (
  id {{ID}},
  tenant_id BIGINT NOT NULL,
  data_source_id BIGINT NOT NULL,
  kind TEXT NOT NULL,
  external_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  attributes TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_changed BIGINT NOT NULL,
  deleted_at BIGINT,
  UNIQUE (data_source_id, kind, external_id)
);
INSERT INTO entities_new (id, tenant_id, data_source_id, kind, external_id, display_name,
                          attributes, content_hash, first_seen, last_changed, deleted_at)
  SELECT id, tenant_id, data_source_id, kind, external_id, display_name,
         attributes, content_hash, first_seen, last_changed, deleted_at
  FROM entities;
DROP TABLE entities;
ALTER TABLE entities_new RENAME TO entities;
)SQL";

constexpr std::string_view kEntitiesWithoutForeignKeysPostgres = R"SQL(
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_tenant_id_fkey;
ALTER TABLE entities DROP CONSTRAINT IF EXISTS entities_data_source_id_fkey;
)SQL";

// The analysis ledger remembers how new the data of each recorded batch
// was (the newest sync the analysis saw), so an analysis of older data is
// refused after one of newer data (AlertManager).
constexpr std::string_view kLedgerDataVersion = R"SQL(
ALTER TABLE analysis_ledger ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
)SQL";

// On PostgreSQL, alerts, their history and the tag projection lose their
// per-row foreign key checks: each check is a query that locks the parent
// row, and the five of them (an alert's tenant; a history row's alert and
// tenant; a tag's alert and tenant) were half of the server's time in a
// large first reconcile. The AlertManager is the only writer of the three
// tables: its transaction first reads and locks the tenant's row (the
// analysis ledger), and it writes history and tags only for alerts it read
// or inserted in that transaction; nothing deletes tenants or alerts.
// SQLite keeps the references (a check there is a B-tree lookup, no
// measurable cost, and SQLite cannot drop a constraint without rebuilding
// the table), so the tests that run on SQLite still check the invariant.
constexpr std::string_view kAlertsWithoutForeignKeys =
    "-- SQLite keeps the references of alerts, alert_history and entity_tags.";

constexpr std::string_view kAlertsWithoutForeignKeysPostgres = R"SQL(
ALTER TABLE alerts DROP CONSTRAINT IF EXISTS alerts_tenant_id_fkey;
ALTER TABLE alert_history DROP CONSTRAINT IF EXISTS alert_history_alert_id_fkey;
ALTER TABLE alert_history DROP CONSTRAINT IF EXISTS alert_history_tenant_id_fkey;
ALTER TABLE entity_tags DROP CONSTRAINT IF EXISTS entity_tags_alert_id_fkey;
ALTER TABLE entity_tags DROP CONSTRAINT IF EXISTS entity_tags_tenant_id_fkey;
)SQL";

// Delivery (notify/): channels with their route and sealed secrets; one
// notification per (alert transition, channel), keyed for idempotency; the
// delivery log of every attempt. The event outbox gains routed_at: the
// notifier turns each event into notifications once (routed_at set in the
// same transaction), independently of the relay that publishes it.
// Events already in the outbox notify nobody: they happened before any
// channel existed.
constexpr std::string_view kDelivery = R"SQL(
ALTER TABLE event_outbox ADD COLUMN routed_at BIGINT;
UPDATE event_outbox SET routed_at = created_at;
CREATE INDEX event_outbox_unrouted ON event_outbox (id) WHERE routed_at IS NULL;

CREATE TABLE channels (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  tenant_id BIGINT REFERENCES tenants(id),
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_attempt_at BIGINT,
  last_outcome TEXT,
  last_error TEXT
);

CREATE TABLE notifications (
  id {{ID}},
  channel_id BIGINT NOT NULL,
  tenant_id BIGINT NOT NULL,
  alert_id BIGINT NOT NULL,
  event_id BIGINT,
  change TEXT NOT NULL,
  previous_severity TEXT,
  idempotency_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
  reason TEXT,
  at BIGINT NOT NULL,
  trace_id TEXT NOT NULL,
  due_at BIGINT NOT NULL,
  group_key TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  first_attempt_at BIGINT,
  lease_owner TEXT,
  lease_until BIGINT,
  sent_at BIGINT,
  delivery_id BIGINT
);
CREATE INDEX notifications_pending ON notifications (due_at) WHERE state = 'pending';
CREATE INDEX notifications_pending_group ON notifications (channel_id, tenant_id, id)
  WHERE state = 'pending';
CREATE INDEX notifications_by_channel ON notifications (channel_id, id);
CREATE INDEX notifications_by_alert ON notifications (alert_id, id);
CREATE INDEX notifications_by_group ON notifications (group_key) WHERE group_key IS NOT NULL;

CREATE TABLE deliveries (
  id {{ID}},
  channel_id BIGINT NOT NULL,
  group_key TEXT NOT NULL,
  tenant_id BIGINT,
  at BIGINT NOT NULL,
  attempt INTEGER NOT NULL,
  notifications INTEGER NOT NULL,
  alert_ids TEXT NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  error TEXT NOT NULL,
  duration_ms BIGINT NOT NULL,
  worker TEXT NOT NULL
);
CREATE INDEX deliveries_by_channel ON deliveries (channel_id, id);
CREATE INDEX deliveries_by_group ON deliveries (group_key);
)SQL";

// Flap damping (alerts/flap_damping.h): whether an alert is flapping (1)
// or not (0). Its flapping and stable transitions are history rows like the
// others; the partial index finds a tenant's few flapping alerts.
constexpr std::string_view kFlappingAlerts = R"SQL(
ALTER TABLE alerts ADD COLUMN flapping INTEGER NOT NULL DEFAULT 0;
CREATE INDEX alerts_flapping_by_tenant ON alerts (tenant_id) WHERE flapping = 1;
)SQL";

// The rule version (analysis/rule_versions.h) of the newest batch recorded
// per tenant and analysis type, and of the batch that made each history
// row; every batch before versions existed was version 1.
constexpr std::string_view kLedgerRuleVersion = R"SQL(
ALTER TABLE analysis_ledger ADD COLUMN rule_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE alert_history ADD COLUMN rule_version INTEGER NOT NULL DEFAULT 1;
)SQL";

// Rule rollouts (pipeline/rule_rollout.h): per tenant and analysis type the
// active rule version, the one a rollback returns to, and a candidate run in
// shadow. No row means version 1 and no candidate. The shadow state: the
// candidate's findings as of its last run (shadow_alerts) and that run's diff
// against the active version (shadow_runs, one row per tenant and type).
constexpr std::string_view kRuleRollouts = R"SQL(
CREATE TABLE rule_settings (
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  analysis_type TEXT NOT NULL,
  active_version INTEGER NOT NULL,
  previous_version INTEGER,
  candidate_version INTEGER,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant_id, analysis_type)
);

CREATE TABLE shadow_alerts (
  tenant_id BIGINT NOT NULL,
  analysis_type TEXT NOT NULL,
  alert_type TEXT NOT NULL,
  subject TEXT NOT NULL,
  subject_name TEXT NOT NULL,
  severity TEXT NOT NULL,
  rule_version INTEGER NOT NULL,
  first_seen BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, alert_type, subject)
);
CREATE INDEX shadow_alerts_by_type ON shadow_alerts (tenant_id, analysis_type);

CREATE TABLE shadow_runs (
  tenant_id BIGINT NOT NULL,
  analysis_type TEXT NOT NULL,
  run_id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  as_of BIGINT NOT NULL,
  active_version INTEGER NOT NULL,
  candidate_version INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  would_open INTEGER NOT NULL,
  would_resolve INTEGER NOT NULL,
  would_change_severity INTEGER NOT NULL,
  unchanged INTEGER NOT NULL,
  examples TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, analysis_type)
);
)SQL";

// A tenant's exclusions (context/exclusions.h): a user (by object id or
// UPN), the members of a group, or a SKU (by part number) that is not a
// finding for one alert type or for all ('*'), with why and who said so.
// (Numbered 16 while 15 was being written in parallel; ApplyMigrations
// applies every version a database does not record, so either could land
// first.)
constexpr std::string_view kExclusions = R"SQL(
CREATE TABLE exclusions (
  id {{ID}},
  tenant_id BIGINT NOT NULL REFERENCES tenants(id),
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  alert_type TEXT NOT NULL,
  reason TEXT NOT NULL,
  added_by TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  UNIQUE (tenant_id, kind, value, alert_type)
);
)SQL";

// The console (issue 19). What operators do to an alert is logged, one row
// per acknowledge, snooze or unsnooze, in the transaction that changes the
// alert's columns (alerts/alert_actions.h) -- a log of its own, never history
// rows (invariant 6). The reconcile records each tenant's open alerts per UTC
// day of its analysis clock (alerts/open_alert_days.h), the overview's trend,
// indexed by day too: the last 30 days of every tenant are one range.
// Indexes for the console's reads: alerts by state, tenant and severity,
// so the overview's one aggregate of every tenant's open alerts reads one
// range of an index alone, already in its groups' order (it replaces the
// partial index on the open alerts' tenant_id, whose lookups it serves as
// well); alerts by state in id order, and the flapping ones apart, for
// pages across every tenant; the snoozed ones by state and snooze end.
constexpr std::string_view kConsole = R"SQL(
CREATE TABLE alert_actions (
  id {{ID}},
  alert_id BIGINT NOT NULL,
  tenant_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  action TEXT NOT NULL,
  by TEXT NOT NULL,
  until BIGINT,
  reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_actions_by_alert ON alert_actions (alert_id, id);

CREATE TABLE open_alert_days (
  tenant_id BIGINT NOT NULL,
  day TEXT NOT NULL,
  open BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, day)
);
CREATE INDEX open_alert_days_by_day ON open_alert_days (day, tenant_id, open);

DROP INDEX alerts_open_by_tenant;
CREATE INDEX alerts_by_state_tenant_severity ON alerts (state, tenant_id, severity);
CREATE INDEX alerts_by_state_id ON alerts (state, id);
CREATE INDEX alerts_flapping_by_state_id ON alerts (state, id) WHERE flapping = 1;
CREATE INDEX alerts_snoozed_by_state ON alerts (state, snoozed_until, tenant_id)
  WHERE snoozed_until IS NOT NULL;
)SQL";

const std::vector<Migration> kMigrations = {
    {1, "initial schema", kInitialSchema},
    {2, "job queue", kJobsSchema},
    {3, "event outbox", kOutboxSchema},
    {4, "sync schedules", kSchedulesSchema},
    {5, "job outbox", kJobOutboxSchema},
    {6, "licenses in user rows", kLicensesInUserRows},
    {7, "sync cursor and sign-in availability", kSyncCursor},
    {8, "HTTP API: tokens, webhooks, alert acknowledgement and snooze", kHttpApi},
    {9, "entities without per-row foreign key checks", kEntitiesWithoutForeignKeys,
     kEntitiesWithoutForeignKeysPostgres},
    {10, "data version in the analysis ledger", kLedgerDataVersion},
    {11, "alerts without per-row foreign key checks on PostgreSQL", kAlertsWithoutForeignKeys,
     kAlertsWithoutForeignKeysPostgres},
    {12, "delivery: channels, notifications, delivery log", kDelivery},
    {13, "flapping alerts", kFlappingAlerts},
    {14, "rule versions in the analysis ledger and alert history", kLedgerRuleVersion},
    {15, "rule rollouts and shadow runs", kRuleRollouts},
    {16, "exclusions", kExclusions},
    {17, "console: operator action log, open alerts per day, console indexes", kConsole},
};

std::string Expand(std::string_view sql, std::string_view id_type) {
  std::string out(sql);
  const std::string marker = "{{ID}}";
  for (size_t pos = out.find(marker); pos != std::string::npos; pos = out.find(marker, pos)) {
    out.replace(pos, marker.size(), id_type);
    pos += id_type.size();
  }
  return out;
}

}  // namespace

const std::vector<Migration>& AllMigrations() { return kMigrations; }

Result<int> ApplyMigrations(Db* db, std::string_view id_type) {
  VIGIL_RETURN_IF_ERROR(db->ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
  // The versions recorded: a migration is applied when its own version is
  // not among them, so a version below the newest that a database lacks
  // (the list may have gaps that are filled later) is applied too.
  std::set<int64_t> applied;
  {
    VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<Statement> stmt,
                           db->Prepare("SELECT version FROM schema_migrations"));
    while (true) {
      VIGIL_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      applied.insert(stmt->Int(0));
    }
  }
  int version = applied.empty() ? 0 : static_cast<int>(*applied.rbegin());
  for (const Migration& m : kMigrations) {
    if (applied.count(m.version) > 0) continue;
    Transaction tx(db);
    VIGIL_RETURN_IF_ERROR(tx.status());
    const std::string_view sql =
        db->dialect() == "postgresql" && !m.postgres_sql.empty() ? m.postgres_sql : m.sql;
    Status s = db->ExecScript(Expand(sql, id_type));
    if (s.ok()) {
      s = db->Execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)",
                      {int64_t{m.version}, std::string(m.name)});
    }
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) {
      return s.Prefixed("migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                        ")");
    }
    version = std::max(version, m.version);
  }
  if (version > static_cast<int>(kMigrations.back().version)) {
    return Status::FailedPrecondition("database schema version " + std::to_string(version) +
                                      " is newer than this vigil knows (" +
                                      std::to_string(kMigrations.back().version) + ")");
  }
  return version;
}

Result<int64_t> SchemaVersion(Db* db) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                         db->QueryInt("SELECT MAX(version) FROM schema_migrations"));
  return version.value_or(0);
}

}  // namespace vigil
