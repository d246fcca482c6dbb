-- Conflicts merged by field (issue 7).  An update now carries, for each
-- changed field, the value it was based on ("base", sent as POST /mutations
-- "base"), and a change the server refused because a colleague changed the
-- same field first is kept, in state 'conflict', with the server's
-- conflicts [{field, base, mine, theirs}] until the user resolves it.  A
-- change in conflict still shows on the local row (the user's value is
-- never lost); later changes of the same record wait behind it.
--
-- SQLite cannot change a CHECK constraint in place: the table is copied.

CREATE TABLE mutations_new (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  key          TEXT NOT NULL UNIQUE,
  entity       TEXT NOT NULL CHECK (entity IN ('customer', 'contact')),
  op           TEXT NOT NULL CHECK (op IN ('update', 'create')),
  record_id    TEXT NOT NULL,
  base_version INTEGER,
  fields       TEXT NOT NULL,
  state        TEXT NOT NULL DEFAULT 'pending'
               CHECK (state IN ('pending', 'sent', 'failed', 'conflict')),
  last_error   TEXT,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  base         TEXT,   -- JSON object: field -> the value the change was made on (updates)
  conflicts    TEXT    -- JSON array of {field, base, mine, theirs} while in conflict
);

INSERT INTO mutations_new (seq, key, entity, op, record_id, base_version, fields, state, last_error, created_at)
  SELECT seq, key, entity, op, record_id, base_version, fields, state, last_error, created_at FROM mutations;

DROP TABLE mutations;
ALTER TABLE mutations_new RENAME TO mutations;
CREATE INDEX mutations_record ON mutations (entity, record_id, state);
