-- The sales pipeline's data (server/sql/0014): the stages as data, and
-- what opportunities gained, in both layers of opportunities (0005).
-- product_lines is a JSON list of product categories, as a campaign's
-- channels.  A pipeline stage's default probability is written by an
-- administrator through the queue: pipeline_stages_server is its server
-- layer (crm-store-layers.c, "Two layers").

ALTER TABLE opportunities ADD COLUMN product_lines TEXT;
ALTER TABLE opportunities ADD COLUMN contract_months INTEGER;
ALTER TABLE opportunities ADD COLUMN source TEXT;
ALTER TABLE opportunities ADD COLUMN campaign_id TEXT;
ALTER TABLE opportunities ADD COLUMN next_step TEXT;
ALTER TABLE opportunities ADD COLUMN stage_changed_at TEXT;
ALTER TABLE opportunities_server ADD COLUMN product_lines TEXT;
ALTER TABLE opportunities_server ADD COLUMN contract_months INTEGER;
ALTER TABLE opportunities_server ADD COLUMN source TEXT;
ALTER TABLE opportunities_server ADD COLUMN campaign_id TEXT;
ALTER TABLE opportunities_server ADD COLUMN next_step TEXT;
ALTER TABLE opportunities_server ADD COLUMN stage_changed_at TEXT;
-- the board's columns: an owner's opportunities by stage
CREATE INDEX opportunities_owner_stage ON opportunities (owner_id, stage);

CREATE TABLE pipeline_stages (
  stage               TEXT PRIMARY KEY NOT NULL,
  position            INTEGER,
  default_probability INTEGER,
  is_open             INTEGER,
  version             INTEGER NOT NULL,
  updated_at          TEXT
);

CREATE TABLE pipeline_stages_server AS SELECT * FROM pipeline_stages WHERE 0;
CREATE UNIQUE INDEX pipeline_stages_server_stage ON pipeline_stages_server (stage);

-- Sales targets are set by administrators and directors through the
-- queue (server/sql/0014): their server layer.
CREATE TABLE sales_targets_server AS SELECT * FROM sales_targets WHERE 0;
CREATE UNIQUE INDEX sales_targets_server_id ON sales_targets_server (id);

-- The directory (server/sql/0014): regions, teams and the users the
-- signed-in user may see, read-only, for naming owners, teams and regions.
CREATE TABLE regions (
  id         TEXT PRIMARY KEY NOT NULL,
  parent_id  TEXT,
  name       TEXT,
  name_en    TEXT,
  level      INTEGER,
  version    INTEGER NOT NULL,
  updated_at TEXT
);

CREATE TABLE teams (
  id         TEXT PRIMARY KEY NOT NULL,
  region_id  TEXT,
  parent_id  TEXT,
  name       TEXT,
  name_en    TEXT,
  version    INTEGER NOT NULL,
  updated_at TEXT
);
CREATE INDEX teams_region ON teams (region_id);

CREATE TABLE users (
  id           TEXT PRIMARY KEY NOT NULL,
  display_name TEXT,
  role         TEXT,
  team_id      TEXT,
  region_id    TEXT,
  version      INTEGER NOT NULL,
  updated_at   TEXT
);
CREATE INDEX users_team ON users (team_id);
