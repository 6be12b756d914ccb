// The SQL of migrations 1 to 8: the first schema (tenants, data sources,
// entities, syncs, alerts and their history, the analysis ledger, traces)
// and what the first features added (the job queue, the event outbox,
// schedules, the job outbox, licenses in user rows, the sync cursor, the
// HTTP API's tables). store/migrations.cc applies them.
#include "store/migration_list.h"

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

}  // namespace

void AppendMigrations1To8(std::vector<Migration>* out) {
  out->insert(out->end(),
              {
                  {1, "initial schema", kInitialSchema},
                  {2, "job queue", kJobsSchema},
                  {3, "event outbox", kOutboxSchema},
                  {4, "sync schedules", kSchedulesSchema},
                  {5, "job outbox", kJobOutboxSchema},
                  {6, "licenses in user rows", kLicensesInUserRows},
                  {7, "sync cursor and sign-in availability", kSyncCursor},
                  {8, "HTTP API: tokens, webhooks, alert acknowledgement and snooze", kHttpApi},
              });
}

}  // namespace vigil
