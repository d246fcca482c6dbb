-- Campaigns' new fields (server/sql/0016, issue 11), in both layers of
-- campaign members (0005).  Only the columns: the client's part of issue
-- 11 uses them.

ALTER TABLE campaigns ADD COLUMN offer_product_id TEXT;
ALTER TABLE campaigns ADD COLUMN offer_price INTEGER;
ALTER TABLE campaigns ADD COLUMN offer_discount INTEGER;
ALTER TABLE campaigns ADD COLUMN channel_costs TEXT;
ALTER TABLE campaigns ADD COLUMN control_percent INTEGER;
ALTER TABLE campaigns ADD COLUMN launched_at TEXT;
ALTER TABLE campaign_members ADD COLUMN queue TEXT;
ALTER TABLE campaign_members ADD COLUMN opportunity_id TEXT;
ALTER TABLE campaign_members ADD COLUMN subscription_id TEXT;
ALTER TABLE campaign_members_server ADD COLUMN queue TEXT;
ALTER TABLE campaign_members_server ADD COLUMN opportunity_id TEXT;
ALTER TABLE campaign_members_server ADD COLUMN subscription_id TEXT;
