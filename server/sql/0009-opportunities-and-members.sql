-- Opportunities written through the one mutation path (issue 8), with the
-- contract of crm.apply_<entity>() described in 0008.
--
-- An account manager, director or administrator creates and edits the
-- opportunities of the customers they may change (crm.may_change_customer),
-- and moves them between stages.  Every change of stage, and the first
-- stage of a new one, appends a row to crm.opportunity_stage_history in
-- the same transaction (from, to, now(), the caller); the sync sends it as
-- the entity opportunity_stage (0006/0007 gave the table its sync_xid).
-- Moving to lost needs a reason (not blank: in the same write or already
-- on the row); moving to won or lost sets closed_on to today unless the
-- write gives one, and moving back to an open stage clears it (an open
-- deal has not closed).

------------------------------------------------------------------------
-- Write policies: whoever may change the customer
--
-- 0006 gave opportunities the customer's visibility as their write rule,
-- so marketing and service, who see every customer but no opportunity,
-- could insert one in the database.  Now the database refuses them, as
-- 0008 did for contacts and interactions.

DO $$
DECLARE
  rule text := '((SELECT crm.current_role()) = ''admin''
                 OR customer_id IN (SELECT c.id FROM crm.customers c
                                     WHERE crm.may_change_customer(c.owner_id, c.region_id)))';
BEGIN
  DROP POLICY opportunities_insert ON crm.opportunities;
  DROP POLICY opportunities_update ON crm.opportunities;
  DROP POLICY opportunities_delete ON crm.opportunities;
  EXECUTE format('CREATE POLICY opportunities_insert ON crm.opportunities FOR INSERT WITH CHECK (%s)', rule);
  EXECUTE format('CREATE POLICY opportunities_update ON crm.opportunities FOR UPDATE USING (%s) WITH CHECK (%s)',
                 rule, rule);
  EXECUTE format('CREATE POLICY opportunities_delete ON crm.opportunities FOR DELETE USING (%s)', rule);
END
$$;

-- A stage change is recorded as the caller's, for an opportunity the
-- caller may change.  (Updates and deletes of the history stay as 0006
-- made them: keyline_app has neither privilege; the re-stamp of 0007 runs
-- as the owner.)
DROP POLICY opportunity_stage_history_insert ON crm.opportunity_stage_history;
CREATE POLICY opportunity_stage_history_insert ON crm.opportunity_stage_history FOR INSERT
  WITH CHECK (changed_by = (SELECT crm.current_user_id())
              AND opportunity_id IN (SELECT o.id FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id
                                      WHERE crm.may_change_customer(c.owner_id, c.region_id)));

------------------------------------------------------------------------
-- Opportunities: create and update

-- Whether the caller may name @p_owner as an opportunity's owner: an
-- active account manager or director, and for a director one of their
-- region's.  (Only directors and administrators may name one: the entity
-- table; a manager's opportunities are their own.)
CREATE FUNCTION crm.may_assign_owner(p_owner uuid) RETURNS boolean
  LANGUAGE sql STABLE AS
$$
  SELECT EXISTS (SELECT 1 FROM crm.user_directory u
                  WHERE u.id = p_owner AND NOT u.disabled AND u.role IN ('manager', 'director')
                    AND (crm.current_role() = 'admin'
                         OR (crm.current_role() = 'director' AND u.region_id = ANY (crm.visible_regions()))))
$$;

-- The checks of a write that the field table cannot state: the owner
-- (someone the caller may name; never none), and a reason for a lost
-- opportunity.  @r is the row as it will be.
-- Returns the field at fault, or NULL.
CREATE FUNCTION crm.opportunity_fault(f jsonb, r crm.opportunities) RETURNS text
  LANGUAGE sql STABLE AS
$$
  SELECT CASE
    WHEN f ? 'owner_id' AND (f->>'owner_id' IS NULL OR NOT crm.may_assign_owner((f->>'owner_id')::uuid))
      THEN 'owner_id'
    WHEN r.stage = 'lost' AND nullif(btrim(r.lost_reason), '') IS NULL
      THEN 'lost_reason'
  END
$$;

-- @f's fields over @r (what an update or create will leave), with
-- closed_on following the stage: today for a move to won or lost, NULL
-- for a move back to an open stage, unless @f gives it.
CREATE FUNCTION crm.opportunity_merged(f jsonb, r crm.opportunities) RETURNS crm.opportunities
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  old_stage crm.opportunity_stage := r.stage;
BEGIN
  IF f ? 'owner_id' THEN r.owner_id := (f->>'owner_id')::uuid; END IF;
  IF f ? 'name' THEN r.name := f->>'name'; END IF;
  IF f ? 'stage' THEN r.stage := (f->>'stage')::crm.opportunity_stage; END IF;
  IF f ? 'amount_once' THEN r.amount_once := (f->>'amount_once')::bigint; END IF;
  IF f ? 'amount_monthly' THEN r.amount_monthly := (f->>'amount_monthly')::bigint; END IF;
  IF f ? 'probability' THEN r.probability := (f->>'probability')::smallint; END IF;
  IF f ? 'expected_close' THEN r.expected_close := (f->>'expected_close')::date; END IF;
  IF f ? 'lost_reason' THEN r.lost_reason := f->>'lost_reason'; END IF;
  IF f ? 'closed_on' THEN
    r.closed_on := (f->>'closed_on')::date;
  ELSIF r.stage IS DISTINCT FROM old_stage THEN
    r.closed_on := CASE WHEN r.stage IN ('won', 'lost') THEN current_date END;
  END IF;
  RETURN r;
END
$$;

CREATE FUNCTION crm.apply_opportunity(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                      OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  may boolean;
  customer uuid;
  now_row jsonb;
  old crm.opportunities;
  r crm.opportunities;
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
    -- a new one starts from nothing (its first stage is a move too),
    -- owned by the caller unless it names an owner
    old.id := p_id;
    old.customer_id := customer;
    old.owner_id := crm.current_user_id();
    old.amount_once := 0;
    old.amount_monthly := 0;
    r := crm.opportunity_merged(f, old);
    field := crm.opportunity_fault(f, r);
    IF field IS NOT NULL THEN
      code := 'invalid';
      RETURN;
    END IF;
    -- the id was made by the client
    INSERT INTO crm.opportunities (id, customer_id, owner_id, name, stage, amount_once, amount_monthly, probability,
                                   expected_close, closed_on, lost_reason)
    VALUES (p_id, customer, r.owner_id, r.name, r.stage, r.amount_once, r.amount_monthly, r.probability,
            r.expected_close, r.closed_on, r.lost_reason)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      INSERT INTO crm.opportunity_stage_history (opportunity_id, from_stage, to_stage, changed_at, changed_by)
      VALUES (p_id, NULL, r.stage, now(), crm.current_user_id());
      code := 'created';
    ELSIF EXISTS (SELECT 1 FROM crm.opportunities o WHERE o.id = p_id) THEN
      code := 'conflict'; field := 'id';
    ELSE
      code := 'not_found'; field := 'id';          -- taken by one the caller may not see
    END IF;
    RETURN;
  ELSIF p_op <> 'update' THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;

  SELECT crm.may_change_customer(c.owner_id, c.region_id) INTO may
    FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id WHERE o.id = p_id;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  ELSIF NOT may THEN
    code := 'forbidden'; field := 'id';
    RETURN;
  END IF;
  -- lock the row: the comparison and the write see the same values
  SELECT * INTO old FROM crm.opportunities x WHERE x.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';            -- moved out of reach meanwhile
    RETURN;
  END IF;
  now_row := to_jsonb(old);
  conflicts := crm.merge_conflicts(now_row, f, p_base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  r := crm.opportunity_merged(f, old);
  field := crm.opportunity_fault(f, r);
  IF field IS NOT NULL THEN
    code := 'invalid';
    RETURN;
  END IF;
  UPDATE crm.opportunities o SET
    owner_id = r.owner_id, name = r.name, stage = r.stage, amount_once = r.amount_once,
    amount_monthly = r.amount_monthly, probability = r.probability, expected_close = r.expected_close,
    closed_on = r.closed_on, lost_reason = r.lost_reason
  WHERE o.id = p_id;
  IF r.stage IS DISTINCT FROM old.stage THEN
    INSERT INTO crm.opportunity_stage_history (opportunity_id, from_stage, to_stage, changed_at, changed_by)
    VALUES (p_id, old.stage, r.stage, now(), crm.current_user_id());
  END IF;
  code := 'ok';
END
$$;

GRANT EXECUTE ON FUNCTION crm.apply_opportunity(text, uuid, jsonb, jsonb, jsonb),
  crm.may_assign_owner(uuid), crm.opportunity_fault(jsonb, crm.opportunities),
  crm.opportunity_merged(jsonb, crm.opportunities) TO keyline_app;

------------------------------------------------------------------------
-- Campaign members: their outcome (update only)
--
-- Account managers, directors and administrators record how the contact
-- of a campaign's member went for the customers they may change;
-- marketing for every member.  Only the outcome: the channel, when the
-- customer was contacted, the response and when it came.  The control
-- group, the assignment and the revenue are marketing's and never written
-- here.  Memberships are made and removed by marketing (and
-- administrators) only: 0006 let service, and managers for their
-- customers, insert and delete them in the database.

-- The outcomes issue 8 names that 0001 lacked: the customer asked not to
-- be contacted again, or could not be reached.  (Added in this
-- migration's transaction, so nothing here uses them.)
ALTER TYPE crm.member_response ADD VALUE 'opted_out';
ALTER TYPE crm.member_response ADD VALUE 'unreachable';

DO $$
DECLARE
  change_rule text := '((SELECT crm.current_role()) IN (''admin'', ''marketing'')
                        OR customer_id IN (SELECT c.id FROM crm.customers c
                                            WHERE crm.may_change_customer(c.owner_id, c.region_id)))';
  own_rule text := '((SELECT crm.current_role()) IN (''admin'', ''marketing''))';
BEGIN
  DROP POLICY campaign_members_insert ON crm.campaign_members;
  DROP POLICY campaign_members_update ON crm.campaign_members;
  DROP POLICY campaign_members_delete ON crm.campaign_members;
  EXECUTE format('CREATE POLICY campaign_members_insert ON crm.campaign_members FOR INSERT WITH CHECK (%s)',
                 own_rule);
  EXECUTE format('CREATE POLICY campaign_members_update ON crm.campaign_members FOR UPDATE USING (%s) WITH CHECK (%s)',
                 change_rule, change_rule);
  EXECUTE format('CREATE POLICY campaign_members_delete ON crm.campaign_members FOR DELETE USING (%s)', own_rule);
END
$$;

-- The key is two columns: the function takes it as jsonb,
-- {"campaign_id": …, "customer_id": …} (see crm.apply_mutation below).
CREATE FUNCTION crm.apply_campaign_member(p_op text, p_key jsonb, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                          OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := crm.jsonb_timestamp_as_row(crm.jsonb_timestamp_as_row(p_fields, 'contacted_at'), 'responded_at');
  base jsonb := crm.jsonb_timestamp_as_row(crm.jsonb_timestamp_as_row(p_base, 'contacted_at'), 'responded_at');
  campaign uuid := (p_key->>'campaign_id')::uuid;
  customer uuid := (p_key->>'customer_id')::uuid;
  may boolean;
  now_row jsonb;
BEGIN
  IF p_op <> 'update' THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;
  SELECT crm.current_role() IN ('admin', 'marketing') OR crm.may_change_customer(c.owner_id, c.region_id) INTO may
    FROM crm.campaign_members m JOIN crm.customers c ON c.id = m.customer_id
   WHERE m.campaign_id = campaign AND m.customer_id = customer;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  ELSIF NOT may THEN
    code := 'forbidden'; field := 'id';
    RETURN;
  END IF;
  -- lock the row: the comparison and the write see the same values
  SELECT to_jsonb(x) INTO now_row FROM crm.campaign_members x
   WHERE x.campaign_id = campaign AND x.customer_id = customer FOR UPDATE;
  IF now_row IS NULL THEN
    code := 'not_found'; field := 'id';            -- moved out of reach meanwhile
    RETURN;
  END IF;
  conflicts := crm.merge_conflicts(now_row, f, base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  UPDATE crm.campaign_members m SET
    channel      = CASE WHEN f ? 'channel' THEN (f->>'channel')::crm.channel_kind ELSE m.channel END,
    contacted_at = CASE WHEN f ? 'contacted_at' THEN (f->>'contacted_at')::timestamptz ELSE m.contacted_at END,
    response     = CASE WHEN f ? 'response' THEN (f->>'response')::crm.member_response ELSE m.response END,
    responded_at = CASE WHEN f ? 'responded_at' THEN (f->>'responded_at')::timestamptz ELSE m.responded_at END
  WHERE m.campaign_id = campaign AND m.customer_id = customer;
  code := 'ok';
END
$$;

------------------------------------------------------------------------
-- The one mutation path, for keys of one or two columns
--
-- crm.apply_mutation() now takes the record's key as jsonb: {"id": uuid}
-- for the entities keyed by id, whose crm.apply_<entity>() takes the
-- uuid as before, or the key's columns ({"campaign_id", "customer_id"}),
-- whose function takes the jsonb.  The uuid form stays, as {"id": …}.
-- The idempotency record keeps a composite key in record_key; the request
-- digest of an id-keyed write is what 0008 computed, so a retry across
-- this migration is still recognised.

ALTER TABLE crm.mutations ALTER COLUMN record_id DROP NOT NULL;
ALTER TABLE crm.mutations ADD COLUMN record_key jsonb;
ALTER TABLE crm.mutations ADD CONSTRAINT mutations_one_record CHECK ((record_id IS NULL) <> (record_key IS NULL));

CREATE FUNCTION crm.apply_mutation(p_key uuid, p_entity text, p_op text, p_record jsonb,
                                   p_fields jsonb, p_base jsonb, p_masks jsonb)
  RETURNS TABLE (code text, field text, status integer, answer text, theirs jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  me uuid := crm.current_user_id();
  by_id boolean;
  rid uuid;
  rkey jsonb;
  h bytea;
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
  IF jsonb_typeof(p_record) IS DISTINCT FROM 'object' OR p_record = '{}'::jsonb THEN
    RETURN QUERY SELECT 'invalid', 'id', NULL::integer, NULL::text, NULL::jsonb;
    RETURN;
  END IF;
  by_id := p_record ? 'id' AND (SELECT count(*) FROM jsonb_object_keys(p_record)) = 1;
  IF by_id THEN
    rid := (p_record->>'id')::uuid;
  ELSE
    rkey := p_record;
  END IF;
  h := sha256(convert_to(jsonb_build_object('entity', p_entity, 'op', p_op,
                                            'id', CASE WHEN by_id THEN to_jsonb(rid) ELSE rkey END,
                                            'fields', p_fields, 'base', p_base)::text, 'UTF8'));
  -- the entity's own function, or our error: nothing is claimed for it
  IF p_entity !~ '^[a-z_]+$' THEN
    fn := NULL;
  ELSE
    fn := to_regprocedure(format('crm.%I(text, %s, jsonb, jsonb, jsonb)', 'apply_' || p_entity,
                                 CASE WHEN by_id THEN 'uuid' ELSE 'jsonb' END));
  END IF;
  IF fn IS NULL THEN
    RETURN QUERY SELECT 'invalid', 'entity', NULL::integer, NULL::text, NULL::jsonb;
    RETURN;
  END IF;

  INSERT INTO crm.mutations AS m (key, user_id, entity, record_id, record_key, status, answer, request_hash)
  VALUES (p_key, me, p_entity, rid, rkey, 0, NULL, h)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n = 0 THEN
    SELECT m.status, m.answer, coalesce(m.applied, m.status IN (200, 201)) AS applied,
           m.entity = p_entity AND m.record_id IS NOT DISTINCT FROM rid AND m.record_key IS NOT DISTINCT FROM rkey
             AND coalesce(m.request_hash = h, true) AS same
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

  IF by_id THEN
    EXECUTE format('SELECT a.code, a.field, a.conflicts FROM crm.%I($1, $2, $3, $4, $5) a', 'apply_' || p_entity)
      INTO res, fld, conflicts
      USING p_op, rid, p_fields, p_base, p_masks;
  ELSE
    EXECUTE format('SELECT a.code, a.field, a.conflicts FROM crm.%I($1, $2, $3, $4, $5) a', 'apply_' || p_entity)
      INTO res, fld, conflicts
      USING p_op, rkey, p_fields, p_base, p_masks;
  END IF;

  IF res IN ('ok', 'created', 'deleted') THEN
    -- which fields changed, never their values (personal data)
    INSERT INTO crm.audit_log (user_id, action, entity, entity_id, detail)
    VALUES (me, CASE res WHEN 'created' THEN 'create' WHEN 'deleted' THEN 'delete' ELSE 'update' END,
            p_entity, rid,
            jsonb_strip_nulls(jsonb_build_object(
              'fields', (SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') FROM jsonb_object_keys(p_fields) k),
              'key', p_key, 'record', rkey)));
  END IF;
  UPDATE crm.mutations m SET applied = res IN ('ok', 'created', 'deleted') WHERE m.user_id = me AND m.key = p_key;
  RETURN QUERY SELECT res, fld, NULL::integer, NULL::text, conflicts;
END
$$;

-- The uuid form, for entities keyed by id (and the callers of 0008).
CREATE OR REPLACE FUNCTION crm.apply_mutation(p_key uuid, p_entity text, p_op text, p_id uuid,
                                              p_fields jsonb, p_base jsonb, p_masks jsonb)
  RETURNS TABLE (code text, field text, status integer, answer text, theirs jsonb)
  LANGUAGE sql AS
$$
  SELECT * FROM crm.apply_mutation(p_key, p_entity, p_op, jsonb_build_object('id', p_id), p_fields, p_base, p_masks)
$$;

GRANT EXECUTE ON FUNCTION crm.apply_mutation(uuid, text, text, jsonb, jsonb, jsonb, jsonb),
  crm.apply_campaign_member(text, jsonb, jsonb, jsonb, jsonb) TO keyline_app;
