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
