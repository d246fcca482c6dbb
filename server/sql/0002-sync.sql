-- Sync: what changed since a client's last sync, and writes that apply once.
--
-- Every synced row carries sync_xid, the transaction that last wrote it.  A
-- sync cursor holds the snapshot (pg_current_snapshot()) taken when its
-- round began; the next round sends the rows whose sync_xid that snapshot
-- did not see (pg_visible_in_snapshot).  A transaction still running when
-- the snapshot was taken is not visible in it, however late it commits, so
-- no row is skipped the way an ordered sequence number would skip it (see
-- docs/architecture.md).
--
-- Rows that leave a reader's view (deleted, or moved to another owner or
-- region) are recorded in crm.sync_departures with who could see them
-- before; the policy shows each departure to those readers.

ALTER TABLE crm.customers ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE crm.contacts  ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX customers_sync ON crm.customers (sync_xid, id);
CREATE INDEX contacts_sync  ON crm.contacts (sync_xid, id);

-- Re-stamping a row for sync is not a change of the row: no new version.
CREATE OR REPLACE FUNCTION crm.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('keyline.restamp', true) = 'on' THEN
    RETURN NEW;
  END IF;
  NEW.version := OLD.version + 1;
  NEW.updated_at := clock_timestamp();
  RETURN NEW;
END
$$;

CREATE FUNCTION crm.sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.sync_xid := pg_current_xact_id();
  RETURN NEW;
END
$$;
CREATE TRIGGER sync_stamp BEFORE UPDATE ON crm.customers FOR EACH ROW EXECUTE FUNCTION crm.sync_stamp();
CREATE TRIGGER sync_stamp BEFORE UPDATE ON crm.contacts  FOR EACH ROW EXECUTE FUNCTION crm.sync_stamp();

CREATE TABLE crm.sync_departures (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  entity      text NOT NULL CHECK (entity IN ('customer', 'contact')),
  id          uuid NOT NULL,
  customer_id uuid NOT NULL,
  owner_id    uuid,             -- who could see the row before it left
  region_id   uuid NOT NULL,
  sync_xid    xid8 NOT NULL DEFAULT pg_current_xact_id(),
  at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX sync_departures_sync ON crm.sync_departures (sync_xid, seq);

ALTER TABLE crm.sync_departures ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.sync_departures FORCE ROW LEVEL SECURITY;
CREATE POLICY sync_departures_read ON crm.sync_departures FOR SELECT
  USING (crm.may_see_customer(owner_id, region_id));
-- Written only by the triggers below, which run as the schema's owner.
CREATE POLICY sync_departures_write ON crm.sync_departures FOR INSERT WITH CHECK (true);
GRANT SELECT ON crm.sync_departures TO keyline_app;

CREATE FUNCTION crm.customer_departed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  INSERT INTO crm.sync_departures (entity, id, customer_id, owner_id, region_id)
  VALUES ('customer', OLD.id, OLD.id, OLD.owner_id, OLD.region_id);
  IF TG_OP = 'UPDATE' THEN
    -- The new readers need the contacts too, which did not change: stamp
    -- them with this transaction so that their next sync sends them.  The
    -- caller may no longer see the customer, and RLS is forced even for
    -- this function's owner, so it acts as administrator for this one
    -- statement.
    PERFORM set_config('keyline.role', 'admin', true);
    PERFORM set_config('keyline.restamp', 'on', true);
    UPDATE crm.contacts SET sync_xid = pg_current_xact_id() WHERE customer_id = NEW.id;
    PERFORM set_config('keyline.restamp', 'off', true);
    PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER departed_move AFTER UPDATE OF owner_id, region_id ON crm.customers FOR EACH ROW
  WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.region_id IS DISTINCT FROM NEW.region_id)
  EXECUTE FUNCTION crm.customer_departed();
CREATE TRIGGER departed_delete AFTER DELETE ON crm.customers FOR EACH ROW
  EXECUTE FUNCTION crm.customer_departed();

CREATE FUNCTION crm.contact_departed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  c record;
  found_it boolean;
  caller text := current_setting('keyline.role', true);
BEGIN
  -- When the customer itself is being deleted it is gone already, and its
  -- departure covers its contacts.  (Administrator for this lookup, as in
  -- crm.customer_departed.)
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT owner_id, region_id INTO c FROM crm.customers WHERE id = OLD.customer_id;
  found_it := FOUND;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  IF found_it THEN
    INSERT INTO crm.sync_departures (entity, id, customer_id, owner_id, region_id)
    VALUES ('contact', OLD.id, OLD.customer_id, c.owner_id, c.region_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER departed_delete AFTER DELETE ON crm.contacts FOR EACH ROW
  EXECUTE FUNCTION crm.contact_departed();
CREATE TRIGGER departed_move AFTER UPDATE OF customer_id ON crm.contacts FOR EACH ROW
  WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id)
  EXECUTE FUNCTION crm.contact_departed();

-- Writes that apply once: the first answer to an idempotency key, kept for
-- retries.  Keys are per user; the key's owner alone reads it back.
CREATE TABLE crm.mutations (
  key         uuid NOT NULL,
  user_id     uuid NOT NULL,
  entity      text NOT NULL,
  record_id   uuid NOT NULL,
  status      smallint NOT NULL,
  answer      text,          -- the first answer as sent; NULL until written
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX mutations_at ON crm.mutations (at);
ALTER TABLE crm.mutations ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.mutations FORCE ROW LEVEL SECURITY;
CREATE POLICY mutations_own ON crm.mutations FOR ALL
  USING (user_id = crm.current_user_id())
  WITH CHECK (user_id = crm.current_user_id());
GRANT SELECT, INSERT ON crm.mutations TO keyline_app;
GRANT UPDATE (status, answer) ON crm.mutations TO keyline_app;

-- Applies one write from a client's queue, once.  Runs as the caller
-- (SECURITY INVOKER), so the tables' policies decide what it may touch.
-- @fields was validated by the server (names, types, formats); a field
-- absent keeps its value.  Returns the HTTP status and, for a retried key,
-- the first answer (NULL while that is still being written, or when the
-- status alone was recorded).
CREATE FUNCTION crm.apply_mutation(p_key uuid, p_entity text, p_op text, p_id uuid,
                                   p_base integer, p_fields jsonb)
  RETURNS TABLE (status integer, answer text)
  LANGUAGE plpgsql AS
$$
DECLARE
  me uuid := crm.current_user_id();
  n integer;
  s integer;
  cur record;
  f jsonb := p_fields;
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'nobody is signed in' USING ERRCODE = 'insufficient_privilege';
  END IF;

  INSERT INTO crm.mutations AS m (key, user_id, entity, record_id, status, answer)
  VALUES (p_key, me, p_entity, p_id, 0, NULL)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    -- A retry: the first answer, if the key was used for this record.
    RETURN QUERY SELECT m.status::integer, m.answer FROM crm.mutations m
                  WHERE m.user_id = me AND m.key = p_key AND m.entity = p_entity AND m.record_id = p_id;
    IF NOT FOUND THEN
      RETURN QUERY SELECT 422, NULL::text;
    END IF;
    RETURN;
  END IF;

  IF p_entity = 'customer' AND p_op = 'update' THEN
    SELECT c.version, crm.may_change_customer(c.owner_id, c.region_id) AS may INTO cur
      FROM crm.customers c WHERE c.id = p_id;
    IF NOT FOUND THEN
      s := 404;
    ELSIF NOT cur.may THEN
      s := 403;
    ELSIF cur.version <> p_base THEN
      s := 412;
    ELSE
      UPDATE crm.customers c SET
        name            = CASE WHEN f ? 'name' THEN f->>'name' ELSE c.name END,
        name_en         = CASE WHEN f ? 'name_en' THEN f->>'name_en' ELSE c.name_en END,
        industry        = CASE WHEN f ? 'industry' THEN f->>'industry' ELSE c.industry END,
        kind            = CASE WHEN f ? 'kind' THEN (f->>'kind')::crm.customer_kind ELSE c.kind END,
        tier            = CASE WHEN f ? 'tier' THEN (f->>'tier')::crm.customer_tier ELSE c.tier END,
        status          = CASE WHEN f ? 'status' THEN (f->>'status')::crm.customer_status ELSE c.status END,
        credit_rating   = CASE WHEN f ? 'credit_rating' THEN f->>'credit_rating' ELSE c.credit_rating END,
        registration_no = CASE WHEN f ? 'registration_no' THEN f->>'registration_no' ELSE c.registration_no END,
        phone           = CASE WHEN f ? 'phone' THEN f->>'phone' ELSE c.phone END,
        address         = CASE WHEN f ? 'address' THEN f->>'address' ELSE c.address END
      WHERE c.id = p_id AND c.version = p_base;
      GET DIAGNOSTICS n = ROW_COUNT;
      s := CASE WHEN n = 1 THEN 200 ELSE 412 END;   -- another write got there first
    END IF;

  ELSIF p_entity = 'contact' AND p_op = 'update' THEN
    SELECT k.version, crm.may_change_customer(c.owner_id, c.region_id) AS may INTO cur
      FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id WHERE k.id = p_id;
    IF NOT FOUND THEN
      s := 404;
    ELSIF NOT cur.may THEN
      s := 403;
    ELSIF cur.version <> p_base THEN
      s := 412;
    ELSE
      UPDATE crm.contacts k SET
        name       = CASE WHEN f ? 'name' THEN f->>'name' ELSE k.name END,
        title      = CASE WHEN f ? 'title' THEN f->>'title' ELSE k.title END,
        mobile     = CASE WHEN f ? 'mobile' THEN f->>'mobile' ELSE k.mobile END,
        email      = CASE WHEN f ? 'email' THEN f->>'email' ELSE k.email END,
        address    = CASE WHEN f ? 'address' THEN f->>'address' ELSE k.address END,
        is_primary = CASE WHEN f ? 'is_primary' THEN (f->>'is_primary')::boolean ELSE k.is_primary END
      WHERE k.id = p_id AND k.version = p_base;
      GET DIAGNOSTICS n = ROW_COUNT;
      s := CASE WHEN n = 1 THEN 200 ELSE 412 END;
    END IF;

  ELSIF p_entity = 'contact' AND p_op = 'create' THEN
    SELECT crm.may_change_customer(c.owner_id, c.region_id) AS may INTO cur
      FROM crm.customers c WHERE c.id = (f->>'customer_id')::uuid;
    IF NOT FOUND THEN
      s := 404;
    ELSIF NOT cur.may THEN
      s := 403;
    ELSE
      -- the id was made by the client; one already taken is a conflict
      INSERT INTO crm.contacts (id, customer_id, name, title, mobile, email, address, is_primary)
      VALUES (p_id, (f->>'customer_id')::uuid, f->>'name', f->>'title', f->>'mobile', f->>'email',
              f->>'address', coalesce((f->>'is_primary')::boolean, false))
      ON CONFLICT (id) DO NOTHING;
      GET DIAGNOSTICS n = ROW_COUNT;
      s := CASE WHEN n = 1 THEN 201 ELSE 409 END;
    END IF;

  ELSE
    RAISE EXCEPTION 'unknown mutation % %', p_entity, p_op USING ERRCODE = 'invalid_parameter_value';
  END IF;

  IF s IN (200, 201) THEN
    -- which fields changed, never their values (personal data)
    INSERT INTO crm.audit_log (user_id, action, entity, entity_id, detail)
    VALUES (me, CASE WHEN s = 201 THEN 'create' ELSE 'update' END, p_entity, p_id,
            jsonb_build_object('fields', (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM jsonb_object_keys(f) k),
                               'key', p_key));
  END IF;
  UPDATE crm.mutations m SET status = s WHERE m.user_id = me AND m.key = p_key;
  RETURN QUERY SELECT s, NULL::text;
END
$$;
GRANT EXECUTE ON FUNCTION crm.apply_mutation(uuid, text, text, uuid, integer, jsonb) TO keyline_app;

-- The tables were rewritten: plan the sync queries on fresh statistics.
ANALYZE crm.customers, crm.contacts;
