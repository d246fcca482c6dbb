-- Every other synced entity (issue 8), one table each, with the columns of
-- the entity table (shared/crm-entity.c) under the same names, which
-- tests/test-entity-schema.c holds against this file.  Values are stored
-- as for customers and contacts: text, enums, ids, dates and timestamps as
-- text; integers, money (fen) and booleans (0/1) as INTEGER; text lists
-- and JSON objects as JSON text.
--
-- One layer: these entities are read-only for every role today, so a row
-- is the server's record and nothing is queued on it; the two layers of
-- customers and contacts (crm-store-layers.c) are for records the user
-- edits.  An entity that becomes writable gets its _server table then.
--
-- NOT NULL only on the key, the parent and the version: a field withheld
-- from the user's role (an interaction's notes for marketing, a campaign
-- member's control group for sales) arrives as null.  No foreign keys, as
-- in 0001: a page may bring a child before its parent, and a customer's
-- departure removes its records of every entity in code; the index on
-- each parent column serves that and the reads of a customer's records.
--
-- Customers gain agent_id and contacts created_at, fields of the table
-- the server will send; until it does they stay null.

ALTER TABLE customers ADD COLUMN agent_id TEXT;
ALTER TABLE customers_server ADD COLUMN agent_id TEXT;
ALTER TABLE contacts ADD COLUMN created_at TEXT;
ALTER TABLE contacts_server ADD COLUMN created_at TEXT;

CREATE TABLE products (
  id         TEXT PRIMARY KEY NOT NULL,
  code       TEXT,
  category   TEXT,
  name       TEXT,
  name_en    TEXT,
  list_fee   INTEGER,
  unit       TEXT,
  active     INTEGER,
  version    INTEGER NOT NULL,
  updated_at TEXT
);

CREATE TABLE subscriptions (
  id           TEXT PRIMARY KEY NOT NULL,
  customer_id  TEXT NOT NULL,
  product_id   TEXT,
  quantity     INTEGER,
  monthly_fee  INTEGER,
  started_on   TEXT,
  contract_end TEXT,
  status       TEXT,
  cancelled_on TEXT,
  version      INTEGER NOT NULL,
  updated_at   TEXT
);
CREATE INDEX subscriptions_customer ON subscriptions (customer_id);

-- The key's first column is the parent: the primary key is its index.
CREATE TABLE revenue_months (
  customer_id TEXT NOT NULL,
  month       TEXT NOT NULL,
  revenue     INTEGER,
  arrears     INTEGER,
  usage_index INTEGER,
  version     INTEGER NOT NULL,
  updated_at  TEXT,
  PRIMARY KEY (customer_id, month)
);

CREATE TABLE interactions (
  id          TEXT PRIMARY KEY NOT NULL,
  customer_id TEXT NOT NULL,
  contact_id  TEXT,
  user_id     TEXT,
  kind        TEXT,
  occurred_at TEXT,
  subject     TEXT,
  notes       TEXT,
  outcome     TEXT,
  version     INTEGER NOT NULL,
  updated_at  TEXT
);
CREATE INDEX interactions_customer ON interactions (customer_id);

CREATE TABLE opportunities (
  id             TEXT PRIMARY KEY NOT NULL,
  customer_id    TEXT NOT NULL,
  owner_id       TEXT,
  name           TEXT,
  stage          TEXT,
  amount_once    INTEGER,
  amount_monthly INTEGER,
  probability    INTEGER,
  expected_close TEXT,
  closed_on      TEXT,
  lost_reason    TEXT,
  agent_id       TEXT,
  created_at     TEXT,
  version        INTEGER NOT NULL,
  updated_at     TEXT
);
CREATE INDEX opportunities_customer ON opportunities (customer_id);

-- Append-only on the server: no version; a record sent again replaces.
CREATE TABLE opportunity_stages (
  id             INTEGER PRIMARY KEY NOT NULL,
  opportunity_id TEXT NOT NULL,
  from_stage     TEXT,
  to_stage       TEXT,
  changed_at     TEXT,
  changed_by     TEXT
);
CREATE INDEX opportunity_stages_opportunity ON opportunity_stages (opportunity_id);

CREATE TABLE sales_targets (
  id           TEXT PRIMARY KEY NOT NULL,
  user_id      TEXT,
  team_id      TEXT,
  period_start TEXT,
  period_end   TEXT,
  metric       TEXT,
  target       INTEGER,
  version      INTEGER NOT NULL,
  updated_at   TEXT
);

CREATE TABLE segments (
  id         TEXT PRIMARY KEY NOT NULL,
  name       TEXT,
  criteria   TEXT,
  owner_id   TEXT,
  shared     INTEGER,
  created_at TEXT,
  version    INTEGER NOT NULL,
  updated_at TEXT
);

CREATE TABLE campaigns (
  id         TEXT PRIMARY KEY NOT NULL,
  name       TEXT,
  kind       TEXT,
  channels   TEXT,
  segment_id TEXT,
  owner_id   TEXT,
  status     TEXT,
  starts_on  TEXT,
  ends_on    TEXT,
  budget     INTEGER,
  cost       INTEGER,
  offer      TEXT,
  created_at TEXT,
  version    INTEGER NOT NULL,
  updated_at TEXT
);

-- The parent (customer_id) is the key's second column: it has its own index.
CREATE TABLE campaign_members (
  campaign_id  TEXT NOT NULL,
  customer_id  TEXT NOT NULL,
  is_control   INTEGER,
  assigned_to  TEXT,
  channel      TEXT,
  contacted_at TEXT,
  response     TEXT,
  responded_at TEXT,
  revenue      INTEGER,
  version      INTEGER NOT NULL,
  updated_at   TEXT,
  PRIMARY KEY (campaign_id, customer_id)
);
CREATE INDEX campaign_members_customer ON campaign_members (customer_id);

CREATE TABLE service_requests (
  id           TEXT PRIMARY KEY NOT NULL,
  customer_id  TEXT NOT NULL,
  phase        TEXT,
  kind         TEXT,
  title        TEXT,
  description  TEXT,
  status       TEXT,
  priority     TEXT,
  opened_by    TEXT,
  team_id      TEXT,
  opened_at    TEXT,
  due_at       TEXT,
  closed_at    TEXT,
  satisfaction INTEGER,
  version      INTEGER NOT NULL,
  updated_at   TEXT
);
CREATE INDEX service_requests_customer ON service_requests (customer_id);

CREATE TABLE service_steps (
  id         TEXT PRIMARY KEY NOT NULL,
  request_id TEXT NOT NULL,
  position   INTEGER,
  name       TEXT,
  owner_id   TEXT,
  deadline   TEXT,
  done_at    TEXT,
  note       TEXT,
  version    INTEGER NOT NULL,
  updated_at TEXT
);
CREATE INDEX service_steps_request ON service_steps (request_id);
