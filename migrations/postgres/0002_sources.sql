-- Inbound sources (/in/{sourceId}) and the requests they received. PostgreSQL dialect; the
-- SQLite file with the same number has the same tables, columns and indexes.

-- `auth` holds the credentials (JSON, write-only through the API, like webhooks.auth);
-- `settings` holds the rest of the configuration (JSON): event type rule, response, accepted
-- content types, body limit, rate limit, description.
CREATE TABLE sources (
  id          TEXT PRIMARY KEY,
  tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  enabled     BIGINT NOT NULL,
  auth        TEXT NOT NULL,
  settings    TEXT NOT NULL,
  version     BIGINT NOT NULL DEFAULT 1,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX sources_tenant ON sources (tenant_id, id);

-- One row per accepted request, committed in the same transaction as the event it became
-- (event_id) before the sender gets its answer. Headers are stored with credentials redacted;
-- the body is stored as the exact bytes received. `dedup_key` is the sender's webhook-id or
-- Idempotency-Key: a repeat of a key within one source is answered without a second row.
CREATE TABLE inbound_requests (
  id             TEXT PRIMARY KEY,
  source_id      TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  tenant_id      TEXT NOT NULL,
  dedup_key      TEXT,
  method         TEXT NOT NULL,
  query          TEXT NOT NULL,
  headers        TEXT NOT NULL,
  content_type   TEXT,
  body           BYTEA NOT NULL,
  body_bytes     BIGINT NOT NULL,
  remote_address TEXT,
  received_at    BIGINT NOT NULL,
  event_id       TEXT
);
CREATE INDEX inbound_requests_source ON inbound_requests (source_id, id);
CREATE UNIQUE INDEX inbound_requests_dedup ON inbound_requests (source_id, dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX inbound_requests_received ON inbound_requests (received_at);
