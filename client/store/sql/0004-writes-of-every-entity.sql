-- Writes of more entities (issue 8): interactions are created and edited
-- here, through the queue, like contacts, and contacts are deleted.
--
-- interactions_server is the server layer of interactions, as
-- customers_server is of customers (crm-store-layers.c, "Two layers").
--
-- The queue takes every entity and the op 'delete'.  Which entities and
-- ops a role may write is the entity table's (shared/crm-entity.c) and the
-- server's to say; the store checks an entity's name when it reads a
-- change back (crm_store_mutation_from_row ()).  SQLite cannot change a
-- CHECK constraint in place: the table is copied, as in 0002.

CREATE TABLE interactions_server AS SELECT * FROM interactions WHERE 0;
CREATE UNIQUE INDEX interactions_server_id ON interactions_server (id);
CREATE INDEX interactions_server_customer ON interactions_server (customer_id);

CREATE TABLE mutations_new (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  key          TEXT NOT NULL UNIQUE,
  entity       TEXT NOT NULL CHECK (entity <> ''),
  op           TEXT NOT NULL CHECK (op IN ('update', 'create', 'delete')),
  record_id    TEXT NOT NULL,
  base_version INTEGER,
  fields       TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'sent', 'failed', 'conflict')),
  last_error   TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  base         TEXT,
  conflicts    TEXT
);

INSERT INTO mutations_new SELECT seq, key, entity, op, record_id, base_version, fields, state, last_error,
                                 created_at, base, conflicts FROM mutations;

DROP TABLE mutations;
ALTER TABLE mutations_new RENAME TO mutations;
CREATE INDEX mutations_record ON mutations (entity, record_id, state);
