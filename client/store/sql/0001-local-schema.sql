-- The client's local copy of what its user may see, one file per server and
-- user.  Rows hold every field of the server's records (docs/openapi.yaml:
-- CustomerDetail, Contact) as the server sent them: text as text, money in
-- integer fen, arrays (prefers, churn_reasons) as JSON text, booleans as 0/1.
--
-- customers and contacts are what the interface shows: the server's record
-- with the user's unconfirmed changes (the mutation queue) applied on top.
-- customers_server and contacts_server keep the server's own record of the
-- rows that have such changes, so that a refused change can be taken back
-- exactly and a newer server record can be shown with the pending changes
-- still on top (see crm-store.c, "Two layers").  No foreign keys: a sync
-- page may bring a contact before its customer, and removals cascade in
-- code.

CREATE TABLE customers (
  id              TEXT PRIMARY KEY NOT NULL,
  name            TEXT NOT NULL,
  name_en         TEXT,
  kind            TEXT,
  industry        TEXT,
  region_id       TEXT,
  region_name     TEXT,
  tier            TEXT,
  owner_id        TEXT,
  owner_name      TEXT,
  status          TEXT,
  monthly_revenue INTEGER,
  arrears         INTEGER,
  churn_risk      INTEGER,
  version         INTEGER NOT NULL,
  updated_at      TEXT,
  credit_rating   TEXT,
  registration_no TEXT,
  address         TEXT,
  phone           TEXT,
  value_segment   TEXT,
  prefers         TEXT,
  churn_reasons   TEXT,
  became_customer TEXT,
  churned_on      TEXT,
  churn_reason    TEXT,
  created_at      TEXT
);

CREATE TABLE customers_server AS SELECT * FROM customers WHERE 0;
CREATE UNIQUE INDEX customers_server_id ON customers_server (id);

CREATE TABLE contacts (
  id          TEXT PRIMARY KEY NOT NULL,
  customer_id TEXT NOT NULL,
  name        TEXT NOT NULL,
  title       TEXT,
  mobile      TEXT,
  email       TEXT,
  id_number   TEXT,
  address     TEXT,
  is_primary  INTEGER NOT NULL DEFAULT 0,
  version     INTEGER NOT NULL,
  updated_at  TEXT
);
CREATE INDEX contacts_customer ON contacts (customer_id);

CREATE TABLE contacts_server AS SELECT * FROM contacts WHERE 0;
CREATE UNIQUE INDEX contacts_server_id ON contacts_server (id);
CREATE INDEX contacts_server_customer ON contacts_server (customer_id);

-- Sync state: 'cursor' (the server's opaque sync cursor), 'last_sync'
-- (ISO 8601, when the last page was applied).
CREATE TABLE sync_state (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
);

-- Writes made here and not yet confirmed by the server, in the order they
-- were made.  fields is the JSON object sent as POST /mutations "fields";
-- base_version the record's version when the change was made (NULL for a
-- create).
CREATE TABLE mutations (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  key          TEXT NOT NULL UNIQUE,
  entity       TEXT NOT NULL CHECK (entity IN ('customer', 'contact')),
  op           TEXT NOT NULL CHECK (op IN ('update', 'create')),
  record_id    TEXT NOT NULL,
  base_version INTEGER,
  fields       TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
  last_error   TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX mutations_record ON mutations (entity, record_id, state);
