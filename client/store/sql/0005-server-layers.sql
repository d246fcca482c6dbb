-- Server layers of the entities written since (issue 8): opportunities are
-- created and edited, and campaign members' outcomes updated, through the
-- queue like interactions (0004).  Each _server table is the entity's
-- server layer, as customers_server is of customers (crm-store-layers.c,
-- "Two layers"); tests/test-entity-schema.c holds every writable entity of
-- the entity table to having one.

CREATE TABLE opportunities_server AS SELECT * FROM opportunities WHERE 0;
CREATE UNIQUE INDEX opportunities_server_id ON opportunities_server (id);
CREATE INDEX opportunities_server_customer ON opportunities_server (customer_id);


CREATE TABLE campaign_members_server AS SELECT * FROM campaign_members WHERE 0;
CREATE UNIQUE INDEX campaign_members_server_key ON campaign_members_server (campaign_id, customer_id);
CREATE INDEX campaign_members_server_customer ON campaign_members_server (customer_id);
