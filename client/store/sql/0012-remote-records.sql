-- Records of others that a change was queued on without the sync ever
-- bringing them (a director moving a colleague's opportunity fetched from
-- GET /opportunities: crm_store_enqueue_update_of_remote ()).  Their rows
-- stay while a change of theirs is in the queue (pending, sent, in
-- conflict or failed) and go with the last one (crm_store_rebuild ()).
CREATE TABLE remote_records (
  entity    TEXT NOT NULL,
  record_id TEXT NOT NULL,
  PRIMARY KEY (entity, record_id)
);
