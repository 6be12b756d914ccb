// The SQL of migrations 9 onwards: dropped per-row foreign key checks,
// the ledger's data and rule versions, delivery, flap damping, rollouts,
// exclusions and the console's tables. A new migration goes here (or, when
// this file grows past a screenful of SQL more, into a file of its own
// listed in store/migration_list.h). store/migrations.cc applies them.
#include "store/migration_list.h"

namespace vigil {
namespace {

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

}  // namespace

void AppendMigrations9On(std::vector<Migration>* out) {
  out->insert(
      out->end(),
      {
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
      });
}

}  // namespace vigil
