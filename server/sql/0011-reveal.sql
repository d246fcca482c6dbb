-- Issue 9: revealing one masked value, recorded; and a new customer (a
-- prospect) made by a client.
--
-- Personal data leaves the server masked where the entity table
-- (shared/crm-entity.c) masks it for the caller's role.  A role that may
-- reveal (every one but marketing) asks for one field of one record at a
-- time; the value and the audit record come from one function, in one
-- transaction: a value is never shown without its record.

------------------------------------------------------------------------
-- Reveal
--
-- Runs as the caller (SECURITY INVOKER): the unmasked columns are the
-- table's own, which keyline_app reads under row-level security, so the
-- read policy decides which rows the caller may reveal (another manager's
-- customer is not found).  The masking is the server's, not a column
-- privilege: nothing here needs the owner's rights.
--
-- Returns one row:
--   code   'ok', or a CrmError code: forbidden (the role reveals nothing),
--          invalid (not a masked field of that entity: @field names it),
--          not_found (no such record the caller may see under @p_customer)
--   field  the request field an error is about
--   value  the full value ('ok'; NULL when the record has none)
-- The audit record: action 'reveal', the entity and record, and in its
-- detail the field and the customer; user_id and at say who and when.
CREATE FUNCTION crm.reveal(p_customer uuid, p_entity text, p_id uuid, p_field text,
                           OUT code text, OUT field text, OUT value text)
  LANGUAGE plpgsql AS
$$
DECLARE
  me uuid := crm.current_user_id();
BEGIN
  IF me IS NULL THEN
    RAISE EXCEPTION 'nobody is signed in' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- the entity table's revealable_by
  IF crm.current_role() NOT IN ('admin', 'director', 'manager', 'service') THEN
    code := 'forbidden'; field := 'field';
    RETURN;
  END IF;
  -- the entity table's masked fields, each read through the policies
  IF p_entity = 'customer' AND p_field IN ('phone', 'address') THEN
    SELECT CASE p_field WHEN 'phone' THEN c.phone ELSE c.address END INTO value
      FROM crm.customers c WHERE c.id = p_customer AND c.id = p_id;
  ELSIF p_entity = 'contact' AND p_field IN ('mobile', 'id_number', 'address') THEN
    SELECT CASE p_field WHEN 'mobile' THEN k.mobile WHEN 'id_number' THEN k.id_number ELSE k.address END
      INTO value
      FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id
     WHERE k.id = p_id AND k.customer_id = p_customer;
  ELSIF p_entity IN ('customer', 'contact') THEN
    code := 'invalid'; field := 'field';
    RETURN;
  ELSE
    code := 'invalid'; field := 'entity';
    RETURN;
  END IF;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  END IF;
  INSERT INTO crm.audit_log (user_id, action, entity, entity_id, detail)
  VALUES (me, 'reveal', p_entity, p_id, jsonb_build_object('field', p_field, 'customer_id', p_customer));
  code := 'ok';
END
$$;

GRANT EXECUTE ON FUNCTION crm.reveal(uuid, text, uuid, text) TO keyline_app;

------------------------------------------------------------------------
-- Customers: create (a prospect from the list) and update
--
-- The client makes the id.  An account manager's new customer is their
-- own; a director's or an administrator's has no owner until one is
-- named.  The region must be one the caller may change customers in (the
-- insert policy's rule, asked first so that the answer is a code, not an
-- error).  The update is 0008's: the region is set when a customer is
-- made, not changed by clients (CRM_FIELD_CREATE_ONLY).

CREATE OR REPLACE FUNCTION crm.apply_customer(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                              OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  may boolean;
  now_row jsonb;
  owner uuid;
  region uuid;
  n integer;
BEGIN
  IF p_op = 'create' THEN
    owner := CASE WHEN crm.current_role() = 'manager' THEN crm.current_user_id() END;
    region := (f->>'region_id')::uuid;
    IF NOT EXISTS (SELECT 1 FROM crm.regions r WHERE r.id = region) THEN
      code := 'not_found'; field := 'region_id';
      RETURN;
    ELSIF NOT crm.may_change(owner, region, crm.current_role(), crm.current_user_id(), crm.visible_regions()) THEN
      code := 'forbidden'; field := 'region_id';
      RETURN;
    END IF;
    INSERT INTO crm.customers (id, name, name_en, kind, industry, region_id, tier, owner_id, status, credit_rating,
                               registration_no, phone, address)
    VALUES (p_id, f->>'name', f->>'name_en', (f->>'kind')::crm.customer_kind, f->>'industry', region,
            (f->>'tier')::crm.customer_tier, owner, (f->>'status')::crm.customer_status,
            coalesce(f->>'credit_rating', 'BBB'), f->>'registration_no', f->>'phone', f->>'address')
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      code := 'created';
    ELSIF EXISTS (SELECT 1 FROM crm.customers c WHERE c.id = p_id) THEN
      code := 'conflict'; field := 'id';
    ELSE
      code := 'not_found'; field := 'id';          -- taken by a customer the caller may not see
    END IF;
    RETURN;
  ELSIF p_op <> 'update' THEN
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
