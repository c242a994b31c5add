-- hookrelay schema, SQLite dialect. Times are integer milliseconds since the epoch; JSON is
-- stored as text; booleans are 0/1. The PostgreSQL file with the same number has the same
-- tables, columns and indexes.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE event_types (
  name        TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  enabled     INTEGER NOT NULL DEFAULT 1,
  schema      TEXT,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  key_hash     TEXT NOT NULL UNIQUE,
  key_prefix   TEXT NOT NULL,
  permissions  TEXT NOT NULL,
  tenant_id    TEXT REFERENCES tenants(id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);

CREATE TABLE webhooks (
  id                   TEXT PRIMARY KEY,
  tenant_id            TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name                 TEXT NOT NULL,
  url                  TEXT NOT NULL,
  enabled              INTEGER NOT NULL,
  event_types          TEXT NOT NULL,
  settings             TEXT NOT NULL,
  auth                 TEXT NOT NULL,
  secret               TEXT NOT NULL,
  previous_secret      TEXT,
  previous_secret_until INTEGER,
  active_from          INTEGER NOT NULL,
  disabled_reason      TEXT,
  disabled_at          INTEGER,
  version              INTEGER NOT NULL DEFAULT 1,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

-- Flow-control and health state of one webhook's endpoint, shared by every node. Claims lock
-- this row, so per-webhook limits, circuit and FIFO hold across nodes. `due_at` is a lower
-- bound of the earliest moment the webhook may have claimable work (NULL: none known).
CREATE TABLE webhook_state (
  webhook_id            TEXT PRIMARY KEY REFERENCES webhooks(id) ON DELETE CASCADE,
  tenant_id             TEXT NOT NULL,
  due_at                INTEGER,
  effective_concurrency REAL NOT NULL,
  tokens                REAL NOT NULL DEFAULT 0,
  tokens_at             INTEGER NOT NULL DEFAULT 0,
  paused_until          INTEGER,
  circuit               TEXT NOT NULL DEFAULT 'closed',
  circuit_opened_at     INTEGER,
  next_probe_at         INTEGER,
  probe_count           INTEGER NOT NULL DEFAULT 0,
  consecutive_failures  INTEGER NOT NULL DEFAULT 0,
  failing_since         INTEGER,
  last_success_at       INTEGER,
  last_failure_at       INTEGER,
  last_status           INTEGER,
  last_error            TEXT,
  decreased_at          INTEGER
);
CREATE INDEX webhook_state_due ON webhook_state (due_at) WHERE due_at IS NOT NULL;

CREATE TABLE events (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL,
  tenant_id    TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  type         TEXT NOT NULL,
  timestamp    INTEGER NOT NULL,
  data         TEXT NOT NULL,
  received_at  INTEGER NOT NULL,
  deliveries   INTEGER NOT NULL,
  source_id    TEXT
);
CREATE UNIQUE INDEX events_tenant_id ON events (tenant_id, id);
CREATE INDEX events_tenant_seq ON events (tenant_id, seq);

-- A delivery's id is its seq, shown as dlv_<base32> (src/ids.ts).
CREATE TABLE deliveries (
  seq              INTEGER PRIMARY KEY,
  tenant_id        TEXT NOT NULL,
  webhook_id       TEXT NOT NULL,
  event_seq        INTEGER NOT NULL,
  event_id         TEXT NOT NULL,
  event_type       TEXT NOT NULL,
  state            TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  occurred_at      INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  first_attempt_at INTEGER,
  -- The current retry window: when its first attempt was made and how many it has had. A
  -- requeue starts a new window, so backoff starts again from initialDelayMs.
  window_started_at INTEGER,
  window_attempts  INTEGER NOT NULL DEFAULT 0,
  last_attempt_at  INTEGER,
  next_attempt_at  INTEGER,
  delivered_at     INTEGER,
  last_status      INTEGER,
  last_error       TEXT,
  failed_reason    TEXT,
  batch_id         TEXT,
  lease_owner      TEXT,
  lease_expires_at INTEGER
);
-- The lifecycle indexes are partial, so each holds only the rows in one state: claims and
-- FIFO heads are index seeks even behind a backlog of millions. Invariant: a `pending` row is
-- due now and has never been part of a batch; anything scheduled for later is `retrying`.
CREATE INDEX deliveries_pending ON deliveries (webhook_id, seq) WHERE state = 'pending';
CREATE INDEX deliveries_retrying ON deliveries (webhook_id, next_attempt_at) WHERE state = 'retrying';
CREATE INDEX deliveries_inflight ON deliveries (webhook_id, lease_expires_at) WHERE state = 'delivering';
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, seq);
CREATE INDEX deliveries_tenant ON deliveries (tenant_id, seq);
CREATE INDEX deliveries_event ON deliveries (event_seq);
CREATE INDEX deliveries_failed ON deliveries (webhook_id, seq) WHERE state = 'failed';
CREATE INDEX deliveries_batch ON deliveries (batch_id) WHERE batch_id IS NOT NULL;

-- One row per HTTP request (id att_<base32 seq>). A single-event request names its delivery;
-- a batch request names its batch, and every delivery of that batch keeps that batch_id for life.
CREATE TABLE attempts (
  seq              INTEGER PRIMARY KEY,
  tenant_id        TEXT NOT NULL,
  webhook_id       TEXT NOT NULL,
  delivery_seq     INTEGER,
  batch_id         TEXT,
  event_count      INTEGER NOT NULL,
  started_at       INTEGER NOT NULL,
  duration_ms      INTEGER NOT NULL,
  status           INTEGER,
  outcome          TEXT NOT NULL,
  error            TEXT,
  error_class      TEXT,
  url              TEXT NOT NULL,
  method           TEXT NOT NULL,
  request_headers  TEXT NOT NULL,
  response_headers TEXT,
  response_excerpt TEXT
);
CREATE INDEX attempts_delivery ON attempts (delivery_seq) WHERE delivery_seq IS NOT NULL;
CREATE INDEX attempts_batch ON attempts (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX attempts_webhook ON attempts (webhook_id, started_at);

CREATE TABLE nodes (
  id           TEXT PRIMARY KEY,
  kind         TEXT NOT NULL,
  hostname     TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  version      TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL
);

-- hookrelay's own operational events, published to the affected tenant; webhooks receive
-- them only when they subscribe to them by name (hookrelay.* or an exact type).
INSERT INTO event_types (name, description, enabled, schema, created_at, updated_at) VALUES
  ('hookrelay.webhook.disabled', 'A webhook was disabled: its endpoint answered 410 Gone or failed for autoDisableAfterHours without a success.', 1, NULL, 0, 0),
  ('hookrelay.webhook.circuit_opened', 'An endpoint failed repeatedly; its deliveries are held and it is probed at backoff.', 1, NULL, 0, 0),
  ('hookrelay.webhook.circuit_closed', 'A probe succeeded; the endpoint receives its held deliveries again.', 1, NULL, 0, 0),
  ('hookrelay.delivery.failed', 'A delivery went to the failed queue (retries exhausted, token unavailable, webhook disabled).', 1, NULL, 0, 0),
  ('hookrelay.delivery.recovered', 'A delivery that had failed attempts (or was reprocessed from the failed queue) was delivered.', 1, NULL, 0, 0);
