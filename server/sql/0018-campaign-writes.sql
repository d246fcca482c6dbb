-- Segments and campaigns written through the mutation path (issue 11).
--
-- Marketing and administrators create, change and delete segments and
-- campaigns from the client's queue (POST /mutations), as every entity is
-- written: crm.apply_mutation() (0009) finds crm.apply_segment() and
-- crm.apply_campaign() by name.  The write policies stay 0006's (admin
-- and marketing); these functions answer a write the policies would
-- refuse with 403 naming the op or the record first, and add what a
-- policy cannot say:
--
--   segment   its owner is its creator; its criteria were compiled by the
--             server (server/crm-handler-mutations.c, as the preview
--             compiles them); not deleted while a campaign uses it (409).
--   campaign  its owner is its creator; cost and launched_at are never a
--             client's (the launch sets launched_at and status running).
--             A create is a draft or planned.  A client moves the status
--             draft <-> planned, draft | planned -> cancelled, running ->
--             completed | cancelled; any other move is 409 on "status".
--             The planning fields (every field a client writes but the
--             name and the status) change only while it is a draft or
--             planned: 409 naming the field.  channel_costs holds one
--             whole, non-negative cost (fen) per channel listed, no other
--             (400 on "channel_costs").  Only a draft is deleted (409 on
--             "status"); one a record refers to is in use (409 on "id").
--
-- And the control group no longer reaches account managers and directors
-- at all (below).

------------------------------------------------------------------------
-- Segments

CREATE FUNCTION crm.apply_segment(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                  OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  old crm.segments;
  n integer;
BEGIN
  IF crm.current_role() NOT IN ('admin', 'marketing') THEN
    code := 'forbidden'; field := CASE WHEN p_op = 'update' THEN 'id' ELSE 'op' END;
    RETURN;
  ELSIF f ? 'criteria' AND jsonb_typeof(f->'criteria') IS DISTINCT FROM 'object' THEN
    code := 'invalid'; field := 'criteria';
    RETURN;
  END IF;

  IF p_op = 'create' THEN
    -- the id was made by the client
    INSERT INTO crm.segments (id, name, criteria, owner_id, shared)
    VALUES (p_id, f->>'name', f->'criteria', crm.current_user_id(),
            coalesce((f->>'shared')::boolean, true))
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      code := 'created';
    ELSE
      code := 'conflict'; field := 'id';           -- every signed-in user sees every segment
    END IF;
    RETURN;
  ELSIF p_op NOT IN ('update', 'delete') THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;

  -- lock the row: a campaign taking it up waits (crm.apply_campaign()
  -- locks the segment it names), and the comparison sees what is written
  SELECT * INTO old FROM crm.segments s WHERE s.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  END IF;

  IF p_op = 'delete' THEN
    IF EXISTS (SELECT 1 FROM crm.campaigns c WHERE c.segment_id = p_id) THEN
      code := 'conflict'; field := 'id';           -- in use
      RETURN;
    END IF;
    DELETE FROM crm.segments s WHERE s.id = p_id;
    code := 'deleted';
    RETURN;
  END IF;

  conflicts := crm.merge_conflicts(to_jsonb(old), f, p_base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  UPDATE crm.segments s SET
    name     = CASE WHEN f ? 'name' THEN f->>'name' ELSE s.name END,
    criteria = CASE WHEN f ? 'criteria' THEN f->'criteria' ELSE s.criteria END,
    shared   = CASE WHEN jsonb_typeof(f->'shared') = 'boolean' THEN (f->>'shared')::boolean ELSE s.shared END
  WHERE s.id = p_id;
  code := 'ok';
END
$$;

------------------------------------------------------------------------
-- Campaigns

-- Whether a client may move a campaign's status from @p_old to @p_new
-- (staying is no move).  'running' is the launch's alone.
CREATE FUNCTION crm.campaign_move_allowed(p_old crm.campaign_status, p_new crm.campaign_status) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT p_old = p_new
      OR (p_old::text, p_new::text) IN (('draft', 'planned'), ('planned', 'draft'), ('draft', 'cancelled'),
                                        ('planned', 'cancelled'), ('running', 'completed'),
                                        ('running', 'cancelled'))
$$;

-- The fields that are planning: they change only while the campaign is
-- a draft or planned.
CREATE FUNCTION crm.campaign_planning_fields() RETURNS text[]
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT ARRAY['kind', 'channels', 'segment_id', 'starts_on', 'ends_on', 'budget', 'offer', 'offer_product_id',
               'offer_price', 'offer_discount', 'channel_costs', 'control_percent']
$$;

-- @f's fields over @r.  A JSON null for a required column (the server
-- refuses one) leaves it as it is; channels keep the order given (the
-- first is the queue of members without an account manager).
CREATE FUNCTION crm.campaign_merged(f jsonb, r crm.campaigns) RETURNS crm.campaigns
  LANGUAGE plpgsql STABLE AS
$$
BEGIN
  IF jsonb_typeof(f->'name') = 'string' THEN r.name := f->>'name'; END IF;
  IF jsonb_typeof(f->'kind') = 'string' THEN r.kind := (f->>'kind')::crm.campaign_kind; END IF;
  IF jsonb_typeof(f->'channels') = 'array' THEN
    r.channels := ARRAY(SELECT e.v::crm.channel_kind
                          FROM jsonb_array_elements_text(f->'channels') WITH ORDINALITY e (v, i) ORDER BY e.i);
  END IF;
  IF f ? 'segment_id' THEN r.segment_id := (f->>'segment_id')::uuid; END IF;
  IF jsonb_typeof(f->'status') = 'string' THEN r.status := (f->>'status')::crm.campaign_status; END IF;
  IF jsonb_typeof(f->'starts_on') = 'string' THEN r.starts_on := (f->>'starts_on')::date; END IF;
  IF jsonb_typeof(f->'ends_on') = 'string' THEN r.ends_on := (f->>'ends_on')::date; END IF;
  IF jsonb_typeof(f->'budget') = 'number' THEN r.budget := (f->>'budget')::bigint; END IF;
  IF f ? 'offer' THEN r.offer := nullif(f->>'offer', ''); END IF;
  IF f ? 'offer_product_id' THEN r.offer_product_id := (f->>'offer_product_id')::uuid; END IF;
  IF f ? 'offer_price' THEN r.offer_price := (f->>'offer_price')::bigint; END IF;
  IF f ? 'offer_discount' THEN r.offer_discount := (f->>'offer_discount')::smallint; END IF;
  IF jsonb_typeof(f->'channel_costs') = 'object' THEN r.channel_costs := f->'channel_costs'; END IF;
  IF jsonb_typeof(f->'control_percent') = 'number' THEN r.control_percent := (f->>'control_percent')::smallint; END IF;
  RETURN r;
END
$$;

-- The checks a field table cannot state, on the campaign as it will be
-- (@r), written with @f: (code, field), or (NULL, NULL).  A segment named
-- is locked against its delete (crm.apply_segment()) until the write
-- commits.
CREATE FUNCTION crm.campaign_fault(f jsonb, r crm.campaigns, OUT code text, OUT field text)
  LANGUAGE plpgsql AS
$$
BEGIN
  IF cardinality(r.channels) = 0 THEN
    code := 'invalid'; field := 'channels';
  ELSIF (f ? 'channels' OR f ? 'channel_costs')
        AND (EXISTS (SELECT 1 FROM jsonb_each(r.channel_costs) e
                      WHERE e.key <> ALL (r.channels::text[]) OR jsonb_typeof(e.value) <> 'number'
                         OR e.value::text !~ '^[0-9]{1,15}$')
             OR EXISTS (SELECT 1 FROM unnest(r.channels) ch WHERE NOT r.channel_costs ? ch::text)) THEN
    code := 'invalid'; field := CASE WHEN f ? 'channel_costs' THEN 'channel_costs' ELSE 'channels' END;
  ELSIF r.ends_on < r.starts_on THEN
    code := 'invalid'; field := CASE WHEN f ? 'ends_on' THEN 'ends_on' ELSE 'starts_on' END;
  ELSIF r.offer_price IS NOT NULL AND r.offer_discount IS NOT NULL THEN
    code := 'invalid'; field := CASE WHEN f ? 'offer_discount' THEN 'offer_discount' ELSE 'offer_price' END;
  ELSIF f ? 'offer_product_id' AND r.offer_product_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM crm.products p WHERE p.id = r.offer_product_id) THEN
    code := 'not_found'; field := 'offer_product_id';
  ELSIF f ? 'segment_id' AND r.segment_id IS NOT NULL THEN
    PERFORM 1 FROM crm.segments s WHERE s.id = r.segment_id FOR KEY SHARE;
    IF NOT FOUND THEN
      code := 'not_found'; field := 'segment_id';
    END IF;
  END IF;
END
$$;

-- The first planning field of @f whose value @r changes from @old, or NULL.
CREATE FUNCTION crm.campaign_frozen_field(f jsonb, old crm.campaigns, r crm.campaigns) RETURNS text
  LANGUAGE sql STABLE AS
$$
  SELECT k FROM jsonb_object_keys(f) k
   WHERE k = ANY (crm.campaign_planning_fields())
     AND to_jsonb(old) -> k IS DISTINCT FROM to_jsonb(r) -> k
   ORDER BY array_position(crm.campaign_planning_fields(), k)
   LIMIT 1
$$;

CREATE FUNCTION crm.apply_campaign(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                   OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  old crm.campaigns;
  r crm.campaigns;
  n integer;
BEGIN
  IF crm.current_role() NOT IN ('admin', 'marketing') THEN
    code := 'forbidden'; field := CASE WHEN p_op = 'update' THEN 'id' ELSE 'op' END;
    RETURN;
  END IF;

  IF p_op = 'create' THEN
    -- a new one starts from the columns' defaults, owned by the caller
    old.id := p_id;
    old.owner_id := crm.current_user_id();
    old.status := 'draft';
    old.channels := '{}';
    old.budget := 0;
    old.cost := 0;
    old.channel_costs := '{}';
    old.control_percent := 10;
    r := crm.campaign_merged(f, old);
    IF r.status NOT IN ('draft', 'planned') THEN
      code := 'conflict'; field := 'status';       -- a campaign is made as a draft or planned
      RETURN;
    END IF;
    SELECT x.code, x.field INTO code, field FROM crm.campaign_fault(f, r) x;
    IF code IS NOT NULL THEN
      RETURN;
    END IF;
    INSERT INTO crm.campaigns (id, name, kind, channels, segment_id, owner_id, status, starts_on, ends_on, budget,
                               cost, offer, offer_product_id, offer_price, offer_discount, channel_costs,
                               control_percent, launched_at)
    VALUES (p_id, r.name, r.kind, r.channels, r.segment_id, r.owner_id, r.status, r.starts_on, r.ends_on, r.budget,
            0, r.offer, r.offer_product_id, r.offer_price, r.offer_discount, r.channel_costs,
            r.control_percent, NULL)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      code := 'created';
    ELSE
      code := 'conflict'; field := 'id';           -- every signed-in user sees every campaign
    END IF;
    RETURN;
  ELSIF p_op NOT IN ('update', 'delete') THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;

  -- lock the row: a launch (crm.campaign_launch_lock()) waits, and the
  -- comparison and the status seen are what is written
  SELECT * INTO old FROM crm.campaigns c WHERE c.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  END IF;

  IF p_op = 'delete' THEN
    IF old.status <> 'draft' THEN
      code := 'conflict'; field := 'status';
      RETURN;
    END IF;
    -- an opportunity may name it, which marketing does not see
    BEGIN
      DELETE FROM crm.campaigns c WHERE c.id = p_id;
    EXCEPTION WHEN foreign_key_violation THEN
      code := 'conflict'; field := 'id';
      RETURN;
    END;
    code := 'deleted';
    RETURN;
  END IF;

  conflicts := crm.merge_conflicts(to_jsonb(old), f, p_base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  -- from here a conflict is with the campaign's state, not a field's
  -- value: no conflicts, the field named
  conflicts := NULL;
  r := crm.campaign_merged(f, old);
  IF NOT crm.campaign_move_allowed(old.status, r.status) THEN
    code := 'conflict'; field := 'status';
    RETURN;
  END IF;
  IF old.status NOT IN ('draft', 'planned') THEN
    field := crm.campaign_frozen_field(f, old, r);
    IF field IS NOT NULL THEN
      code := 'conflict';
      RETURN;
    END IF;
  END IF;
  SELECT x.code, x.field INTO code, field FROM crm.campaign_fault(f, r) x;
  IF code IS NOT NULL THEN
    RETURN;
  END IF;
  UPDATE crm.campaigns c SET
    name = r.name, kind = r.kind, channels = r.channels, segment_id = r.segment_id, status = r.status,
    starts_on = r.starts_on, ends_on = r.ends_on, budget = r.budget, offer = r.offer,
    offer_product_id = r.offer_product_id, offer_price = r.offer_price, offer_discount = r.offer_discount,
    channel_costs = r.channel_costs, control_percent = r.control_percent
  WHERE c.id = p_id;
  code := 'ok';
END
$$;

------------------------------------------------------------------------
-- The control group stays with marketing
--
-- 0006 and 0010 let whoever sees a member's customer read the member; only
-- is_control was left out of the records of roles other than marketing
-- and administrators, so an account manager's client still held the
-- control members of their customers (and the 360° timeline said "in
-- campaign X" of them): a manager who knows which customers are held back
-- treats them differently, and the measured uplift is gone.  Now those
-- roles read no control member at all: 0010's read policy with one more
-- condition.  (A member's is_control is set when the launch inserts it
-- and never changes, so no row crosses this line later.)

ALTER POLICY campaign_members_read ON crm.campaign_members USING (
  (SELECT crm.current_role() = ANY ('{admin,director,manager,marketing}'::text[]))
  AND (NOT is_control OR (SELECT crm.current_role() IN ('admin', 'marketing')))
  AND ((SELECT crm.current_role() IN ('admin', 'marketing', 'service'))
       OR ((SELECT crm.current_role()) = 'manager'
           AND EXISTS (SELECT 1 FROM crm.customers c
                        WHERE c.id = customer_id AND c.owner_id = (SELECT crm.current_user_id())))
       OR ((SELECT crm.current_role()) = 'director'
           AND EXISTS (SELECT 1 FROM crm.customers c
                        WHERE c.id = customer_id AND c.region_id = ANY ((SELECT crm.visible_regions())::uuid[])))));

-- The clients that received control members before: one departure each
-- (0007), which the sync sends to whoever cannot see the member now (an
-- account manager or director who had it) and to no one else.  RLS is
-- forced even for the owner: administrator for this statement.
SELECT set_config('keyline.role', 'admin', true);
INSERT INTO crm.sync_departures (entity, key, customer_id, owner_id, region_id)
SELECT 'campaign_member', jsonb_build_object('campaign_id', m.campaign_id, 'customer_id', m.customer_id),
       m.customer_id, c.owner_id, c.region_id
  FROM crm.campaign_members m JOIN crm.customers c ON c.id = m.customer_id
 WHERE m.is_control;
SELECT set_config('keyline.role', '', true);

GRANT EXECUTE ON FUNCTION crm.apply_segment(text, uuid, jsonb, jsonb, jsonb),
  crm.apply_campaign(text, uuid, jsonb, jsonb, jsonb),
  crm.campaign_move_allowed(crm.campaign_status, crm.campaign_status), crm.campaign_planning_fields(),
  crm.campaign_merged(jsonb, crm.campaigns), crm.campaign_fault(jsonb, crm.campaigns),
  crm.campaign_frozen_field(jsonb, crm.campaigns, crm.campaigns)
  TO keyline_app;
