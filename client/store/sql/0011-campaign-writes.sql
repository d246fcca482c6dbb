-- Segments and campaigns are written by marketing and administrators
-- through the queue (server/sql/0018): their server layers, as 0005's of
-- the entities written before (crm-store-layers.c, "Two layers";
-- tests/test-entity-schema.c holds every writable entity to having one).

CREATE TABLE segments_server AS SELECT * FROM segments WHERE 0;
CREATE UNIQUE INDEX segments_server_id ON segments_server (id);

CREATE TABLE campaigns_server AS SELECT * FROM campaigns WHERE 0;
CREATE UNIQUE INDEX campaigns_server_id ON campaigns_server (id);
