-- Writes dispatched per entity (issue 8).  crm.apply_mutation() keeps the
-- bookkeeping every write shares (the idempotency claim, the audit log, the
-- answer) and hands the write itself to one function per entity, which the
-- migration adding the entity adds too:
--
--   crm.apply_<entity>(p_op text, p_id uuid, p_fields jsonb, p_base jsonb,
--                      p_masks jsonb, OUT code text, OUT field text,
--                      OUT conflicts jsonb)
--
--   p_op       'create', 'update' or 'delete' (the server lets through only
--              the ops the entity table allows the caller's role)
--   p_fields   checked by the server (names, types, formats); {} for a delete
--   p_base     for an update, each changed field's value before the edit
--   p_masks    {field: [head, tail]} of the masked fields (crm.merge_conflicts)
--   code       'ok', 'created', 'deleted', or a CrmError code (not_found,
--              forbidden, conflict, invalid)
--   field      the request field an error is about (NULL for a field conflict)
--   conflicts  for a field conflict, {field: current value}
--
-- It runs as the caller (SECURITY INVOKER): the tables' policies decide
-- again what it may touch.  An entity without such a function is answered
-- 'invalid' on 'entity', never with an exception.

------------------------------------------------------------------------
-- Writes to contacts and interactions: whoever may change the customer
--
-- 0006 gave these tables the customer's visibility as their write rule, so
-- marketing and service, who see every customer, could write them in the
-- database; the server refused them.  Now the database refuses them too.

DO $$
DECLARE
  t text;
  rule text := '((SELECT crm.current_role()) = ''admin''
                 OR customer_id IN (SELECT c.id FROM crm.customers c
                                     WHERE crm.may_change_customer(c.owner_id, c.region_id)))';
BEGIN
  FOREACH t IN ARRAY ARRAY['contacts', 'interactions'] LOOP
    EXECUTE format('DROP POLICY %I ON crm.%I', t || '_insert', t);
    EXECUTE format('DROP POLICY %I ON crm.%I', t || '_update', t);
    EXECUTE format('DROP POLICY %I ON crm.%I', t || '_delete', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR INSERT WITH CHECK (%s)', t || '_insert', t, rule);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR UPDATE USING (%s) WITH CHECK (%s)', t || '_update', t, rule, rule);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR DELETE USING (%s)', t || '_delete', t, rule);
  END LOOP;
END
$$;

------------------------------------------------------------------------
-- One primary contact per customer
--
-- The seed marks the first contact of each customer; a database that holds
-- more than one keeps the oldest marked.  (Administrator for this
-- statement: RLS is forced even for the owner.)

SELECT set_config('keyline.role', 'admin', true);
UPDATE crm.contacts k SET is_primary = false
 WHERE k.is_primary
   AND EXISTS (SELECT 1 FROM crm.contacts o
                WHERE o.customer_id = k.customer_id AND o.is_primary
                  AND (o.created_at, o.id) < (k.created_at, k.id));
SELECT set_config('keyline.role', '', true);
CREATE UNIQUE INDEX contacts_one_primary ON crm.contacts (customer_id) WHERE is_primary;

-- Unmarks the other primary contact of @p_customer, for @p_id becoming
-- it, and logs that change as the caller's (fields only, as every write);
-- the customer's row is locked first, so two contacts marked at once take
-- turns instead of one failing on the index.
CREATE FUNCTION crm.unmark_primary(p_customer uuid, p_id uuid) RETURNS void
  LANGUAGE sql AS
$$
  SELECT 1 FROM crm.customers c WHERE c.id = p_customer FOR NO KEY UPDATE;
  WITH unmarked AS (
    UPDATE crm.contacts k SET is_primary = false
     WHERE k.customer_id = p_customer AND k.is_primary AND k.id <> p_id
    RETURNING k.id)
  INSERT INTO crm.audit_log (user_id, action, entity, entity_id, detail)
  SELECT crm.current_user_id(), 'update', 'contact', u.id,
         jsonb_build_object('fields', '["is_primary"]'::jsonb, 'primary_now', p_id)
    FROM unmarked u;
$$;

------------------------------------------------------------------------
-- Customers: update (unchanged from 0005)

CREATE FUNCTION crm.apply_customer(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                   OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  may boolean;
  now_row jsonb;
BEGIN
  IF p_op <> 'update' THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;
  SELECT crm.may_change_customer(c.owner_id, c.region_id) INTO may FROM crm.customers c WHERE c.id = p_id;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  ELSIF NOT may THEN
    code := 'forbidden'; field := 'id';
    RETURN;
  END IF;
  -- lock the row: the comparison and the write see the same values
  SELECT to_jsonb(x) INTO now_row FROM crm.customers x WHERE x.id = p_id FOR UPDATE;
  IF now_row IS NULL THEN
    code := 'not_found'; field := 'id';            -- moved out of reach meanwhile
    RETURN;
  END IF;
  conflicts := crm.merge_conflicts(now_row, f, p_base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
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
  WHERE c.id = p_id;
  code := 'ok';
END
$$;

------------------------------------------------------------------------
-- Contacts: create, update, delete; marking one primary unmarks the other

CREATE FUNCTION crm.apply_contact(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                  OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  may boolean;
  customer uuid;
  now_row jsonb;
  n integer;
BEGIN
  IF p_op = 'create' THEN
    customer := (f->>'customer_id')::uuid;
    SELECT crm.may_change_customer(c.owner_id, c.region_id) INTO may FROM crm.customers c WHERE c.id = customer;
    IF NOT FOUND THEN
      code := 'not_found'; field := 'customer_id';
      RETURN;
    ELSIF NOT may THEN
      code := 'forbidden'; field := 'customer_id';
      RETURN;
    END IF;
    -- the id was made by the client; marked primary once it is in
    INSERT INTO crm.contacts (id, customer_id, name, title, mobile, email, address, is_primary)
    VALUES (p_id, customer, f->>'name', f->>'title', f->>'mobile', f->>'email', f->>'address', false)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      IF coalesce((f->>'is_primary')::boolean, false) THEN
        PERFORM crm.unmark_primary(customer, p_id);
        UPDATE crm.contacts k SET is_primary = true WHERE k.id = p_id;
      END IF;
      code := 'created';
    ELSIF EXISTS (SELECT 1 FROM crm.contacts k WHERE k.id = p_id) THEN
      code := 'conflict'; field := 'id';
    ELSE
      -- taken by a record the caller may not see: saying so would tell
      -- that it exists
      code := 'not_found'; field := 'id';
    END IF;
    RETURN;
  ELSIF p_op NOT IN ('update', 'delete') THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;

  SELECT crm.may_change_customer(c.owner_id, c.region_id), c.id INTO may, customer
    FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id WHERE k.id = p_id;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  ELSIF NOT may THEN
    code := 'forbidden'; field := 'id';
    RETURN;
  END IF;

  IF p_op = 'delete' THEN
    -- the departure trigger (0002) tells those who had it
    DELETE FROM crm.contacts k WHERE k.id = p_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      code := 'deleted';
    ELSE
      code := 'not_found'; field := 'id';          -- gone meanwhile
    END IF;
    RETURN;
  END IF;

  -- lock the row: the comparison and the write see the same values
  SELECT to_jsonb(x) INTO now_row FROM crm.contacts x WHERE x.id = p_id FOR UPDATE;
  IF now_row IS NULL THEN
    code := 'not_found'; field := 'id';            -- moved out of reach meanwhile
    RETURN;
  END IF;
  conflicts := crm.merge_conflicts(now_row, f, p_base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  IF coalesce((f->>'is_primary')::boolean, false) THEN
    PERFORM crm.unmark_primary(customer, p_id);
  END IF;
  UPDATE crm.contacts k SET
    name       = CASE WHEN f ? 'name' THEN f->>'name' ELSE k.name END,
    title      = CASE WHEN f ? 'title' THEN f->>'title' ELSE k.title END,
    mobile     = CASE WHEN f ? 'mobile' THEN f->>'mobile' ELSE k.mobile END,
    email      = CASE WHEN f ? 'email' THEN f->>'email' ELSE k.email END,
    address    = CASE WHEN f ? 'address' THEN f->>'address' ELSE k.address END,
    is_primary = CASE WHEN f ? 'is_primary' THEN (f->>'is_primary')::boolean ELSE k.is_primary END
  WHERE k.id = p_id;
  code := 'ok';
END
$$;

------------------------------------------------------------------------
-- Interactions: create and update (log a visit, call, e-mail or meeting)
--
-- user_id is the caller, set here, never taken from the request; a contact
-- named must be one of the interaction's customer's.

-- @v (a jsonb object) with its timestamp @k written as to_jsonb() writes
-- a row's, so that merge_conflicts() compares instants, not spellings.
CREATE FUNCTION crm.jsonb_timestamp_as_row(v jsonb, k text) RETURNS jsonb
  LANGUAGE sql STABLE AS
$$
  SELECT CASE WHEN jsonb_typeof(v -> k) = 'string'
              THEN jsonb_set(v, ARRAY[k], to_jsonb((v ->> k)::timestamptz))
              ELSE v END
$$;

CREATE FUNCTION crm.apply_interaction(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                      OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := crm.jsonb_timestamp_as_row(p_fields, 'occurred_at');
  may boolean;
  customer uuid;
  contact_customer uuid;
  now_row jsonb;
  n integer;
BEGIN
  IF p_op = 'create' THEN
    customer := (f->>'customer_id')::uuid;
    SELECT crm.may_change_customer(c.owner_id, c.region_id) INTO may FROM crm.customers c WHERE c.id = customer;
    IF NOT FOUND THEN
      code := 'not_found'; field := 'customer_id';
      RETURN;
    ELSIF NOT may THEN
      code := 'forbidden'; field := 'customer_id';
      RETURN;
    END IF;
  ELSIF p_op = 'update' THEN
    SELECT crm.may_change_customer(c.owner_id, c.region_id), c.id INTO may, customer
      FROM crm.interactions i JOIN crm.customers c ON c.id = i.customer_id WHERE i.id = p_id;
    IF NOT FOUND THEN
      code := 'not_found'; field := 'id';
      RETURN;
    ELSIF NOT may THEN
      code := 'forbidden'; field := 'id';
      RETURN;
    END IF;
  ELSE
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;

  IF f ? 'contact_id' AND f->>'contact_id' IS NOT NULL THEN
    SELECT k.customer_id INTO contact_customer FROM crm.contacts k WHERE k.id = (f->>'contact_id')::uuid;
    IF contact_customer IS DISTINCT FROM customer THEN
      code := 'invalid'; field := 'contact_id';
      RETURN;
    END IF;
  END IF;

  IF p_op = 'create' THEN
    -- the id was made by the client
    INSERT INTO crm.interactions (id, customer_id, contact_id, user_id, kind, occurred_at, subject, notes, outcome)
    VALUES (p_id, customer, (f->>'contact_id')::uuid, crm.current_user_id(), (f->>'kind')::crm.interaction_kind,
            (f->>'occurred_at')::timestamptz, f->>'subject', f->>'notes',
            (f->>'outcome')::crm.interaction_outcome)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      code := 'created';
    ELSIF EXISTS (SELECT 1 FROM crm.interactions i WHERE i.id = p_id) THEN
      code := 'conflict'; field := 'id';
    ELSE
      code := 'not_found'; field := 'id';          -- taken by one the caller may not see
    END IF;
    RETURN;
  END IF;

  -- lock the row: the comparison and the write see the same values
  SELECT to_jsonb(x) INTO now_row FROM crm.interactions x WHERE x.id = p_id FOR UPDATE;
  IF now_row IS NULL THEN
    code := 'not_found'; field := 'id';            -- moved out of reach meanwhile
    RETURN;
  END IF;
  conflicts := crm.merge_conflicts(now_row, f, crm.jsonb_timestamp_as_row(p_base, 'occurred_at'), p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  UPDATE crm.interactions i SET
    contact_id  = CASE WHEN f ? 'contact_id' THEN (f->>'contact_id')::uuid ELSE i.contact_id END,
    kind        = CASE WHEN f ? 'kind' THEN (f->>'kind')::crm.interaction_kind ELSE i.kind END,
    occurred_at = CASE WHEN f ? 'occurred_at' THEN (f->>'occurred_at')::timestamptz ELSE i.occurred_at END,
    subject     = CASE WHEN f ? 'subject' THEN f->>'subject' ELSE i.subject END,
    notes       = CASE WHEN f ? 'notes' THEN f->>'notes' ELSE i.notes END,
    outcome     = CASE WHEN f ? 'outcome' THEN (f->>'outcome')::crm.interaction_outcome ELSE i.outcome END
  WHERE i.id = p_id;
  code := 'ok';
END
$$;

------------------------------------------------------------------------
-- The one mutation path

DROP FUNCTION crm.apply_mutation(uuid, text, text, uuid, jsonb, jsonb, jsonb);

-- Applies one write from a client's queue, once.  Runs as the caller
-- (SECURITY INVOKER), so the tables' policies decide what it may touch.
-- Returns one row:
--   code     'ok' (updated), 'created', 'deleted', or a CrmError code:
--            invalid, not_found, forbidden, conflict, idempotency_key_reused
--   field    the request field the error is about (NULL for a field
--            conflict: the server names the first conflicting one)
--   status   for a retry, the HTTP status of the first answer
--   answer   for a retry, the first answer as it was sent (NULL if it was
--            never kept: then code says what the first attempt did)
--   theirs   for a field conflict, {field: current value} (not masked)
CREATE FUNCTION crm.apply_mutation(p_key uuid, p_entity text, p_op text, p_id uuid,
                                   p_fields jsonb, p_base jsonb, p_masks jsonb)
  RETURNS TABLE (code text, field text, status integer, answer text, theirs jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  me uuid := crm.current_user_id();
  h bytea := sha256(convert_to(jsonb_build_object('entity', p_entity, 'op', p_op, 'id', p_id,
                                                  'fields', p_fields, 'base', p_base)::text, 'UTF8'));
  fn regprocedure;
  n integer;
  res text;
  fld text;
  conflicts jsonb;
  cur record;
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'nobody is signed in' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- the entity's own function, or our error: nothing is claimed for it
  IF p_entity !~ '^[a-z_]+$' THEN
    fn := NULL;
  ELSE
    fn := to_regprocedure(format('crm.%I(text, uuid, jsonb, jsonb, jsonb)', 'apply_' || p_entity));
  END IF;
  IF fn IS NULL THEN
    RETURN QUERY SELECT 'invalid', 'entity', NULL::integer, NULL::text, NULL::jsonb;
    RETURN;
  END IF;

  INSERT INTO crm.mutations AS m (key, user_id, entity, record_id, status, answer, request_hash)
  VALUES (p_key, me, p_entity, p_id, 0, NULL, h)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    SELECT m.status, m.answer, coalesce(m.applied, m.status IN (200, 201)) AS applied,
           m.entity = p_entity AND m.record_id = p_id AND coalesce(m.request_hash = h, true) AS same
      INTO cur FROM crm.mutations m WHERE m.user_id = me AND m.key = p_key;
    IF NOT cur.same THEN
      RETURN QUERY SELECT 'idempotency_key_reused', 'key', NULL::integer, NULL::text, NULL::jsonb;
      RETURN;
    ELSIF cur.answer IS NOT NULL THEN
      RETURN QUERY SELECT NULL::text, NULL::text, cur.status::integer, cur.answer, NULL::jsonb;
      RETURN;
    ELSIF cur.applied THEN
      -- applied, but its answer was never kept: the record as it is now
      RETURN QUERY SELECT CASE p_op WHEN 'create' THEN 'created' WHEN 'delete' THEN 'deleted' ELSE 'ok' END,
                          NULL::text, NULL::integer, NULL::text, NULL::jsonb;
      RETURN;
    END IF;
    -- the first attempt changed nothing and kept no answer: try again
  END IF;

  EXECUTE format('SELECT a.code, a.field, a.conflicts FROM crm.%I($1, $2, $3, $4, $5) a', 'apply_' || p_entity)
    INTO res, fld, conflicts
    USING p_op, p_id, p_fields, p_base, p_masks;

  IF res IN ('ok', 'created', 'deleted') THEN
    -- which fields changed, never their values (personal data)
    INSERT INTO crm.audit_log (user_id, action, entity, entity_id, detail)
    VALUES (me, CASE res WHEN 'created' THEN 'create' WHEN 'deleted' THEN 'delete' ELSE 'update' END,
            p_entity, p_id,
            jsonb_build_object('fields', (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]')
                                            FROM jsonb_object_keys(p_fields) k),
                               'key', p_key));
  END IF;
  UPDATE crm.mutations m SET applied = res IN ('ok', 'created', 'deleted') WHERE m.user_id = me AND m.key = p_key;
  RETURN QUERY SELECT res, fld, NULL::integer, NULL::text, conflicts;
END
$$;
GRANT EXECUTE ON FUNCTION crm.apply_mutation(uuid, text, text, uuid, jsonb, jsonb, jsonb),
  crm.apply_customer(text, uuid, jsonb, jsonb, jsonb), crm.apply_contact(text, uuid, jsonb, jsonb, jsonb),
  crm.apply_interaction(text, uuid, jsonb, jsonb, jsonb), crm.unmark_primary(uuid, uuid),
  crm.jsonb_timestamp_as_row(jsonb, text) TO keyline_app;
