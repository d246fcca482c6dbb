-- An interaction's next step and its date (server/sql/0012), in both
-- layers of interactions (0004).

ALTER TABLE interactions ADD COLUMN next_step TEXT;
ALTER TABLE interactions ADD COLUMN next_step_on TEXT;
ALTER TABLE interactions_server ADD COLUMN next_step TEXT;
ALTER TABLE interactions_server ADD COLUMN next_step_on TEXT;
