-- Writes merged by field (issue 7).  An update carries, for each field it
-- changes, the value the change was based on; it applies when every field
-- still holds its base (or already holds the new value), whatever else
-- changed on the record meanwhile, and is refused whole, with the
-- conflicting fields, otherwise.  crm.apply_mutation() answers with the
-- project's error codes (shared/crm-error.c); the server maps them to HTTP
-- statuses in one place.

-- A key now remembers a digest of the request it was first used for, so a
-- different write under the same key is refused rather than answered with
-- the first write's answer; and whether that first write applied, so that a
-- retry whose first answer was never stored re-runs a write that did not.
ALTER TABLE crm.mutations
  ADD COLUMN request_hash bytea,     -- sha256 of the canonical request; NULL before 0005
  ADD COLUMN applied boolean;        -- NULL before 0005: status 200/201 said so
COMMENT ON COLUMN crm.mutations.status IS 'the HTTP status of the answer kept; 0 until it is kept';
GRANT UPDATE (applied) ON crm.mutations TO keyline_app;

-- @v masked as the server masks personal data before it sends it
-- (shared/crm-validate.c, crm_mask_text): all but the first @head and last
-- @tail characters become '*'; a value too short for that keeps only its
-- last character, if it has more than two.
CREATE FUNCTION crm.mask_text(v text, head integer, tail integer) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
  SELECT CASE
    WHEN v IS NULL THEN NULL
    WHEN char_length(v) <= head + tail THEN
      repeat('*', char_length(v) - CASE WHEN char_length(v) > 2 THEN 1 ELSE 0 END)
        || right(v, CASE WHEN char_length(v) > 2 THEN 1 ELSE 0 END)
    ELSE left(v, head) || repeat('*', char_length(v) - head - tail) || right(v, tail)
  END
$$;

-- A JSON value with "" and null made one (SQL NULL).
CREATE FUNCTION crm.blank_null(v jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
  SELECT CASE WHEN v IS NULL OR v = 'null'::jsonb OR v = '""'::jsonb THEN NULL ELSE v END
$$;

-- The fields of @p_fields that conflict, as {field: current value}: the
-- current value (@p_now, the row as jsonb) is neither the new value nor the
-- base.  A masked field's base may be the masked value the client was
-- shown; @p_masks names those fields with [head, tail] kept.
CREATE FUNCTION crm.merge_conflicts(p_now jsonb, p_fields jsonb, p_base jsonb, p_masks jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
  SELECT coalesce(jsonb_object_agg(k, p_now -> k), '{}'::jsonb)
    FROM jsonb_object_keys(p_fields) AS k
   WHERE crm.blank_null(p_now -> k) IS DISTINCT FROM crm.blank_null(p_fields -> k)
     AND crm.blank_null(p_now -> k) IS DISTINCT FROM crm.blank_null(p_base -> k)
     AND NOT (p_masks ? k AND jsonb_typeof(p_base -> k) = 'string' AND
              crm.mask_text(p_now ->> k, (p_masks -> k ->> 0)::integer, (p_masks -> k ->> 1)::integer)
                = p_base ->> k)
$$;

DROP FUNCTION crm.apply_mutation(uuid, text, text, uuid, integer, jsonb);

-- Applies one write from a client's queue, once.  Runs as the caller
-- (SECURITY INVOKER), so the tables' policies decide what it may touch.
-- @p_fields and @p_base were checked by the server (names, types, formats).
-- Returns one row:
--   code     'ok' (updated), 'created', or a CrmError code: not_found,
--            forbidden, conflict, idempotency_key_reused
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
  n integer;
  res text;
  fld text;
  conflicts jsonb;
  cur record;
  now_row jsonb;
  f jsonb := p_fields;
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'nobody is signed in' USING ERRCODE = 'insufficient_privilege';
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
      RETURN QUERY SELECT CASE WHEN p_op = 'create' THEN 'created' ELSE 'ok' END,
                          NULL::text, NULL::integer, NULL::text, NULL::jsonb;
      RETURN;
    END IF;
    -- the first attempt changed nothing and kept no answer: try again
  END IF;

  IF p_op = 'update' AND p_entity IN ('customer', 'contact') THEN
    IF p_entity = 'customer' THEN
      SELECT crm.may_change_customer(c.owner_id, c.region_id) AS may INTO cur
        FROM crm.customers c WHERE c.id = p_id;
    ELSE
      SELECT crm.may_change_customer(c.owner_id, c.region_id) AS may INTO cur
        FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id WHERE k.id = p_id;
    END IF;
    IF NOT FOUND THEN
      res := 'not_found'; fld := 'id';
    ELSIF NOT cur.may THEN
      res := 'forbidden'; fld := 'id';
    ELSE
      -- lock the row: the comparison and the write see the same values
      IF p_entity = 'customer' THEN
        SELECT to_jsonb(x) INTO now_row FROM crm.customers x WHERE x.id = p_id FOR UPDATE;
      ELSE
        SELECT to_jsonb(x) INTO now_row FROM crm.contacts x WHERE x.id = p_id FOR UPDATE;
      END IF;
      IF now_row IS NULL THEN
        res := 'not_found'; fld := 'id';            -- moved out of reach meanwhile
      ELSE
        conflicts := crm.merge_conflicts(now_row, f, p_base, p_masks);
        IF conflicts <> '{}'::jsonb THEN
          res := 'conflict';
        ELSIF p_entity = 'customer' THEN
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
          res := 'ok';
        ELSE
          UPDATE crm.contacts k SET
            name       = CASE WHEN f ? 'name' THEN f->>'name' ELSE k.name END,
            title      = CASE WHEN f ? 'title' THEN f->>'title' ELSE k.title END,
            mobile     = CASE WHEN f ? 'mobile' THEN f->>'mobile' ELSE k.mobile END,
            email      = CASE WHEN f ? 'email' THEN f->>'email' ELSE k.email END,
            address    = CASE WHEN f ? 'address' THEN f->>'address' ELSE k.address END,
            is_primary = CASE WHEN f ? 'is_primary' THEN (f->>'is_primary')::boolean ELSE k.is_primary END
          WHERE k.id = p_id;
          res := 'ok';
        END IF;
      END IF;
    END IF;

  ELSIF p_entity = 'contact' AND p_op = 'create' THEN
    SELECT crm.may_change_customer(c.owner_id, c.region_id) AS may INTO cur
      FROM crm.customers c WHERE c.id = (f->>'customer_id')::uuid;
    IF NOT FOUND THEN
      res := 'not_found'; fld := 'customer_id';
    ELSIF NOT cur.may THEN
      res := 'forbidden'; fld := 'customer_id';
    ELSE
      -- the id was made by the client
      INSERT INTO crm.contacts (id, customer_id, name, title, mobile, email, address, is_primary)
      VALUES (p_id, (f->>'customer_id')::uuid, f->>'name', f->>'title', f->>'mobile', f->>'email',
              f->>'address', coalesce((f->>'is_primary')::boolean, false))
      ON CONFLICT (id) DO NOTHING;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 1 THEN
        res := 'created';
      ELSIF EXISTS (SELECT 1 FROM crm.contacts k WHERE k.id = p_id) THEN
        res := 'conflict'; fld := 'id';
      ELSE
        -- taken by a record the caller may not see: saying so would tell
        -- that it exists
        res := 'not_found'; fld := 'id';
      END IF;
    END IF;

  ELSE
    RAISE EXCEPTION 'unknown mutation % %', p_entity, p_op USING ERRCODE = 'invalid_parameter_value';
  END IF;

  IF res IN ('ok', 'created') THEN
    -- which fields changed, never their values (personal data)
    INSERT INTO crm.audit_log (user_id, action, entity, entity_id, detail)
    VALUES (me, CASE WHEN res = 'created' THEN 'create' ELSE 'update' END, p_entity, p_id,
            jsonb_build_object('fields', (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM jsonb_object_keys(f) k),
                               'key', p_key));
  END IF;
  UPDATE crm.mutations m SET applied = res IN ('ok', 'created') WHERE m.user_id = me AND m.key = p_key;
  RETURN QUERY SELECT res, fld, NULL::integer, NULL::text, conflicts;
END
$$;
GRANT EXECUTE ON FUNCTION crm.apply_mutation(uuid, text, text, uuid, jsonb, jsonb, jsonb) TO keyline_app;
GRANT EXECUTE ON FUNCTION crm.mask_text(text, integer, integer), crm.blank_null(jsonb),
  crm.merge_conflicts(jsonb, jsonb, jsonb, jsonb) TO keyline_app;
