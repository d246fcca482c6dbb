-- The sales pipeline's data (issue 10).
--
-- Stages are data: crm.pipeline_stages holds, per crm.opportunity_stage,
-- its place on the board (position 1..6), its default probability and
-- whether it is open (won and lost are not).  Every signed-in sales role
-- reads them (the sync's entity pipeline_stage, keyed by stage); only an
-- administrator changes a default probability, through the mutation path
-- (crm.apply_pipeline_stage()).  Stages are neither added nor removed:
-- they are the enum's.
--
-- Opportunities gain what the pipeline shows and the forecast counts:
-- product lines, contract months (total contract value = amount_once +
-- amount_monthly * contract_months), the source (direct, a campaign, a
-- channel or an agent) with the campaign it came from, the next step, and
-- stage_changed_at, set on create and on every change of stage (days in
-- stage).  probability becomes nullable: NULL is "the stage's default",
-- a number the opportunity's own; the effective probability is
-- coalesce(o.probability, s.default_probability) everywhere.

------------------------------------------------------------------------
-- Stages

CREATE TABLE crm.pipeline_stages (
  stage               crm.opportunity_stage PRIMARY KEY,
  position            smallint NOT NULL UNIQUE CHECK (position BETWEEN 1 AND 6),
  default_probability smallint NOT NULL CHECK (default_probability BETWEEN 0 AND 100),
  is_open             boolean NOT NULL,
  version             integer NOT NULL DEFAULT 1,
  updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  sync_xid            xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX pipeline_stages_sync ON crm.pipeline_stages (sync_xid, stage);
CREATE TRIGGER touch BEFORE UPDATE ON crm.pipeline_stages FOR EACH ROW EXECUTE FUNCTION crm.touch();
CREATE TRIGGER sync_stamp BEFORE UPDATE ON crm.pipeline_stages FOR EACH ROW EXECUTE FUNCTION crm.sync_stamp();

INSERT INTO crm.pipeline_stages (stage, position, default_probability, is_open) VALUES
  ('prospecting', 1, 10, true),
  ('qualification', 2, 25, true),
  ('proposal', 3, 50, true),
  ('negotiation', 4, 75, true),
  ('won', 5, 100, false),
  ('lost', 6, 0, false);

ALTER TABLE crm.pipeline_stages ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.pipeline_stages FORCE ROW LEVEL SECURITY;
CREATE POLICY pipeline_stages_read ON crm.pipeline_stages FOR SELECT
  USING ((SELECT crm.current_role()) IN ('admin', 'director', 'manager'));
CREATE POLICY pipeline_stages_update ON crm.pipeline_stages FOR UPDATE
  USING ((SELECT crm.current_role()) = 'admin') WITH CHECK ((SELECT crm.current_role()) = 'admin');
-- Only the default probability is ever changed by the application (the
-- version and time follow by crm.touch(), the stamp by crm.sync_stamp()).
GRANT SELECT ON crm.pipeline_stages TO keyline_app;
GRANT UPDATE (default_probability) ON crm.pipeline_stages TO keyline_app;

-- The stage's key is {"stage": …} (crm.apply_mutation() of 0009 hands a
-- key other than {"id"} over as jsonb).  Update only.
CREATE FUNCTION crm.apply_pipeline_stage(p_op text, p_key jsonb, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                         OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  st crm.opportunity_stage;
  now_row jsonb;
BEGIN
  IF p_op <> 'update' THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;
  SELECT s.stage INTO st FROM crm.pipeline_stages s WHERE s.stage::text = p_key->>'stage';
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  ELSIF crm.current_role() <> 'admin' THEN
    code := 'forbidden'; field := 'default_probability';
    RETURN;
  END IF;
  -- lock the row: the comparison and the write see the same values
  SELECT to_jsonb(x) INTO now_row FROM crm.pipeline_stages x WHERE x.stage = st FOR UPDATE;
  conflicts := crm.merge_conflicts(now_row, f, p_base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  IF f ? 'default_probability' THEN
    IF jsonb_typeof(f->'default_probability') <> 'number' THEN
      code := 'invalid'; field := 'default_probability';
      RETURN;
    END IF;
    UPDATE crm.pipeline_stages s SET default_probability = (f->>'default_probability')::smallint
     WHERE s.stage = st;
  END IF;
  code := 'ok';
END
$$;
GRANT EXECUTE ON FUNCTION crm.apply_pipeline_stage(text, jsonb, jsonb, jsonb, jsonb) TO keyline_app;

------------------------------------------------------------------------
-- Opportunities: the new columns

CREATE TYPE crm.opportunity_source AS ENUM ('direct', 'campaign', 'channel', 'agent');

ALTER TABLE crm.opportunities
  ADD COLUMN product_lines crm.product_category[] NOT NULL DEFAULT '{}',
  ADD COLUMN contract_months smallint NOT NULL DEFAULT 12 CHECK (contract_months BETWEEN 1 AND 120),
  ADD COLUMN source crm.opportunity_source NOT NULL DEFAULT 'direct',
  ADD COLUMN campaign_id uuid REFERENCES crm.campaigns (id),
  ADD COLUMN next_step text,
  ADD COLUMN stage_changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ALTER COLUMN probability DROP NOT NULL,
  -- the campaign an opportunity came from, when it came from one
  ADD CONSTRAINT opportunities_campaign_source CHECK (campaign_id IS NULL OR source = 'campaign');
CREATE INDEX opportunities_campaign ON crm.opportunities (campaign_id) WHERE campaign_id IS NOT NULL;

-- Existing opportunities: the last recorded change of stage, else their
-- creation.  RLS is forced even for the owner: act as administrator.
SELECT set_config('keyline.role', 'admin', true);
UPDATE crm.opportunities o
   SET stage_changed_at = coalesce((SELECT max(h.changed_at) FROM crm.opportunity_stage_history h
                                     WHERE h.opportunity_id = o.id), o.created_at);
SELECT set_config('keyline.role', '', true);

------------------------------------------------------------------------
-- Opportunities: writes (0009's functions with the new fields)

-- The checks the field table cannot state: 0009's, and a campaign only
-- for an opportunity whose source is a campaign.
CREATE OR REPLACE FUNCTION crm.opportunity_fault(f jsonb, r crm.opportunities) RETURNS text
  LANGUAGE sql STABLE AS
$$
  SELECT CASE
    WHEN f ? 'owner_id' AND (f->>'owner_id' IS NULL OR NOT crm.may_assign_owner((f->>'owner_id')::uuid))
      THEN 'owner_id'
    WHEN r.stage = 'lost' AND nullif(btrim(r.lost_reason), '') IS NULL
      THEN 'lost_reason'
    WHEN r.campaign_id IS NOT NULL AND r.source <> 'campaign'
      THEN CASE WHEN f ? 'campaign_id' THEN 'campaign_id' ELSE 'source' END
    WHEN f ? 'campaign_id' AND r.campaign_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM crm.campaigns m WHERE m.id = r.campaign_id)
      THEN 'campaign_id'
  END
$$;

-- @f's fields over @r, with closed_on and stage_changed_at following the
-- stage: closed_on as in 0009; stage_changed_at now() on a change of
-- stage (a create is one: its old stage is NULL).  A JSON null for a
-- required column with a default (product lines, contract months,
-- source) leaves it as it is.
CREATE OR REPLACE FUNCTION crm.opportunity_merged(f jsonb, r crm.opportunities) RETURNS crm.opportunities
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
  IF jsonb_typeof(f->'product_lines') = 'array' THEN
    r.product_lines := ARRAY(SELECT DISTINCT e::crm.product_category
                               FROM jsonb_array_elements_text(f->'product_lines') e ORDER BY 1);
  END IF;
  IF jsonb_typeof(f->'contract_months') = 'number' THEN
    r.contract_months := (f->>'contract_months')::smallint;
  END IF;
  IF jsonb_typeof(f->'source') = 'string' THEN r.source := (f->>'source')::crm.opportunity_source; END IF;
  IF f ? 'campaign_id' THEN r.campaign_id := (f->>'campaign_id')::uuid; END IF;
  IF f ? 'next_step' THEN r.next_step := f->>'next_step'; END IF;
  IF f ? 'closed_on' THEN
    r.closed_on := (f->>'closed_on')::date;
  ELSIF r.stage IS DISTINCT FROM old_stage THEN
    r.closed_on := CASE WHEN r.stage IN ('won', 'lost') THEN current_date END;
  END IF;
  IF r.stage IS DISTINCT FROM old_stage THEN
    r.stage_changed_at := now();
  END IF;
  RETURN r;
END
$$;

CREATE OR REPLACE FUNCTION crm.apply_opportunity(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
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
    -- owned by the caller unless it names an owner, with the columns'
    -- defaults
    old.id := p_id;
    old.customer_id := customer;
    old.owner_id := crm.current_user_id();
    old.amount_once := 0;
    old.amount_monthly := 0;
    old.product_lines := '{}';
    old.contract_months := 12;
    old.source := 'direct';
    r := crm.opportunity_merged(f, old);
    field := crm.opportunity_fault(f, r);
    IF field IS NOT NULL THEN
      code := 'invalid';
      RETURN;
    END IF;
    -- the id was made by the client
    INSERT INTO crm.opportunities (id, customer_id, owner_id, name, stage, amount_once, amount_monthly, probability,
                                   expected_close, closed_on, lost_reason, product_lines, contract_months, source,
                                   campaign_id, next_step, stage_changed_at)
    VALUES (p_id, customer, r.owner_id, r.name, r.stage, r.amount_once, r.amount_monthly, r.probability,
            r.expected_close, r.closed_on, r.lost_reason, r.product_lines, r.contract_months, r.source,
            r.campaign_id, r.next_step, r.stage_changed_at)
    ON CONFLICT (id) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      INSERT INTO crm.opportunity_stage_history (opportunity_id, from_stage, to_stage, changed_at, changed_by)
      VALUES (p_id, NULL, r.stage, r.stage_changed_at, crm.current_user_id());
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
    closed_on = r.closed_on, lost_reason = r.lost_reason, product_lines = r.product_lines,
    contract_months = r.contract_months, source = r.source, campaign_id = r.campaign_id,
    next_step = r.next_step, stage_changed_at = r.stage_changed_at
  WHERE o.id = p_id;
  IF r.stage IS DISTINCT FROM old.stage THEN
    INSERT INTO crm.opportunity_stage_history (opportunity_id, from_stage, to_stage, changed_at, changed_by)
    VALUES (p_id, old.stage, r.stage, r.stage_changed_at, crm.current_user_id());
  END IF;
  code := 'ok';
END
$$;

------------------------------------------------------------------------
-- Sync: departures of the new entities

ALTER TABLE crm.sync_departures DROP CONSTRAINT sync_departures_entity_check;
ALTER TABLE crm.sync_departures ADD CONSTRAINT sync_departures_entity_check CHECK (entity IN (
  'customer', 'contact', 'product', 'subscription', 'revenue_month', 'interaction', 'opportunity',
  'opportunity_stage', 'sales_target', 'segment', 'campaign', 'campaign_member', 'service_request',
  'service_step', 'pipeline_stage', 'region', 'team', 'user'));

CREATE TRIGGER departed_delete AFTER DELETE ON crm.pipeline_stages FOR EACH ROW
  EXECUTE FUNCTION crm.entity_departed('pipeline_stage', '{stage}', '', '', '', '');

ANALYZE crm.pipeline_stages, crm.opportunities;

------------------------------------------------------------------------
-- A probability of NULL is the stage's default: the 360° view's weighted
-- pipeline (0010) multiplied by o.probability, and a NULL would drop the
-- opportunity from the sum.  The function is 0010's with that one
-- expression replaced; the replacement must happen exactly once.

DO $$
DECLARE
  def text := pg_get_functiondef('crm.customer_360(uuid, jsonb)'::regprocedure);
  old_expr text := '* o.probability)';
  new_expr text := '* coalesce(o.probability, (SELECT s.default_probability FROM crm.pipeline_stages s'
                   ' WHERE s.stage = o.stage)))';
BEGIN
  IF (length(def) - length(replace(def, old_expr, ''))) / length(old_expr) <> 1 THEN
    RAISE EXCEPTION 'crm.customer_360() is not the function 0014 expects';
  END IF;
  EXECUTE replace(def, old_expr, new_expr);
END
$$;

------------------------------------------------------------------------
-- Sales targets through the mutation path
--
-- Administrators and directors set targets: an administrator anyone's, a
-- director those of the users and teams of their region subtree (the
-- regions crm.visible_regions() holds: a user's region is their team's,
-- or the one a director directs).  0006 let a director write any target;
-- now the policies say whose, and crm.apply_sales_target() answers a
-- write outside them with 403 naming the field, before the policy would
-- refuse it.  One target per subject, metric and period.

-- Whether the caller may set a target of @p_user or @p_team (one of them).
CREATE FUNCTION crm.may_set_target(p_user uuid, p_team uuid) RETURNS boolean
  LANGUAGE sql STABLE AS
$$
  SELECT crm.current_role() = 'admin'
         OR (crm.current_role() = 'director'
             AND (EXISTS (SELECT 1 FROM crm.teams t
                           WHERE t.id = p_team AND t.region_id = ANY (crm.visible_regions()))
                  OR EXISTS (SELECT 1 FROM crm.user_directory u
                              WHERE u.id = p_user AND u.region_id = ANY (crm.visible_regions()))))
$$;

DO $$
DECLARE
  rule text := '((SELECT crm.current_role()) = ''admin''
                 OR ((SELECT crm.current_role()) = ''director''
                     AND (team_id IN (SELECT t.id FROM crm.teams t
                                       WHERE t.region_id = ANY ((SELECT crm.visible_regions())::uuid[]))
                          OR user_id IN (SELECT u.id FROM crm.user_directory u
                                          WHERE u.region_id = ANY ((SELECT crm.visible_regions())::uuid[])))))';
BEGIN
  DROP POLICY sales_targets_insert ON crm.sales_targets;
  DROP POLICY sales_targets_update ON crm.sales_targets;
  DROP POLICY sales_targets_delete ON crm.sales_targets;
  EXECUTE format('CREATE POLICY sales_targets_insert ON crm.sales_targets FOR INSERT WITH CHECK (%s)', rule);
  EXECUTE format('CREATE POLICY sales_targets_update ON crm.sales_targets FOR UPDATE USING (%s) WITH CHECK (%s)',
                 rule, rule);
  EXECUTE format('CREATE POLICY sales_targets_delete ON crm.sales_targets FOR DELETE USING (%s)', rule);
END
$$;

CREATE UNIQUE INDEX sales_targets_one_per_user ON crm.sales_targets (user_id, metric, period_start, period_end)
  WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX sales_targets_one_per_team ON crm.sales_targets (team_id, metric, period_start, period_end)
  WHERE team_id IS NOT NULL;

-- The checks a field table cannot state, on the target as it will be
-- (@r): exactly one subject, known (404) and the caller's to set (403),
-- and a period that ends after it starts.  Returns (code, field) or
-- (NULL, NULL).
CREATE FUNCTION crm.sales_target_fault(f jsonb, r crm.sales_targets, OUT code text, OUT field text)
  LANGUAGE plpgsql STABLE AS
$$
BEGIN
  IF (r.user_id IS NULL) = (r.team_id IS NULL) THEN
    code := 'invalid'; field := CASE WHEN f ? 'team_id' THEN 'team_id' ELSE 'user_id' END;
  ELSIF r.user_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM crm.user_directory u WHERE u.id = r.user_id AND NOT u.disabled) THEN
    code := 'not_found'; field := 'user_id';
  ELSIF r.team_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM crm.teams t WHERE t.id = r.team_id) THEN
    code := 'not_found'; field := 'team_id';
  ELSIF NOT crm.may_set_target(r.user_id, r.team_id) THEN
    code := 'forbidden'; field := CASE WHEN r.user_id IS NOT NULL THEN 'user_id' ELSE 'team_id' END;
  ELSIF r.period_end < r.period_start THEN
    code := 'invalid'; field := 'period_end';
  END IF;
END
$$;

CREATE FUNCTION crm.sales_target_merged(f jsonb, r crm.sales_targets) RETURNS crm.sales_targets
  LANGUAGE plpgsql IMMUTABLE AS
$$
BEGIN
  IF f ? 'user_id' THEN r.user_id := (f->>'user_id')::uuid; END IF;
  IF f ? 'team_id' THEN r.team_id := (f->>'team_id')::uuid; END IF;
  IF f ? 'period_start' THEN r.period_start := (f->>'period_start')::date; END IF;
  IF f ? 'period_end' THEN r.period_end := (f->>'period_end')::date; END IF;
  IF f ? 'metric' THEN r.metric := (f->>'metric')::crm.target_metric; END IF;
  IF f ? 'target' THEN r.target := (f->>'target')::bigint; END IF;
  RETURN r;
END
$$;

CREATE FUNCTION crm.apply_sales_target(p_op text, p_id uuid, p_fields jsonb, p_base jsonb, p_masks jsonb,
                                       OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := p_fields;
  old crm.sales_targets;
  r crm.sales_targets;
  n integer;
BEGIN
  IF crm.current_role() NOT IN ('admin', 'director') THEN
    code := 'forbidden'; field := CASE WHEN p_op = 'update' THEN 'id' ELSE 'op' END;
    RETURN;
  END IF;
  IF p_op = 'create' THEN
    old.id := p_id;
    r := crm.sales_target_merged(f, old);
    SELECT x.code, x.field INTO code, field FROM crm.sales_target_fault(f, r) x;
    IF code IS NOT NULL THEN
      RETURN;
    END IF;
    INSERT INTO crm.sales_targets (id, user_id, team_id, period_start, period_end, metric, target)
    VALUES (p_id, r.user_id, r.team_id, r.period_start, r.period_end, r.metric, r.target)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n = 1 THEN
      code := 'created';
    ELSIF EXISTS (SELECT 1 FROM crm.sales_targets t WHERE t.id = p_id) THEN
      code := 'conflict'; field := 'id';
    ELSE
      -- the subject has a target of this metric and period already (or
      -- the id is taken by one the caller may not see)
      code := 'conflict'; field := 'period_start';
    END IF;
    RETURN;
  ELSIF p_op <> 'update' THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;

  -- lock the row: the comparison and the write see the same values
  SELECT * INTO old FROM crm.sales_targets t WHERE t.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  ELSIF NOT crm.may_set_target(old.user_id, old.team_id) THEN
    code := 'forbidden'; field := 'id';
    RETURN;
  END IF;
  conflicts := crm.merge_conflicts(to_jsonb(old), f, p_base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  r := crm.sales_target_merged(f, old);
  SELECT x.code, x.field INTO code, field FROM crm.sales_target_fault(f, r) x;
  IF code IS NOT NULL THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM crm.sales_targets t
              WHERE t.id <> p_id AND t.metric = r.metric AND t.period_start = r.period_start
                AND t.period_end = r.period_end
                AND (t.user_id = r.user_id OR t.team_id = r.team_id)) THEN
    code := 'conflict'; field := 'period_start';
    RETURN;
  END IF;
  UPDATE crm.sales_targets t SET
    user_id = r.user_id, team_id = r.team_id, period_start = r.period_start, period_end = r.period_end,
    metric = r.metric, target = r.target
  WHERE t.id = p_id;
  code := 'ok';
END
$$;

GRANT EXECUTE ON FUNCTION crm.apply_sales_target(text, uuid, jsonb, jsonb, jsonb), crm.may_set_target(uuid, uuid),
  crm.sales_target_fault(jsonb, crm.sales_targets), crm.sales_target_merged(jsonb, crm.sales_targets)
  TO keyline_app;

------------------------------------------------------------------------
-- The directory: regions, teams and users, read-only, synced
--
-- The client names owners, teams and regions (the pipeline's filters and
-- cards) from its store: the entities region, team and user.  Every
-- signed-in user reads every region and team (0001's policies).  Users:
-- an administrator reads all; a director those of their region subtree
-- and themselves; everyone else their own team's and themselves.  Only
-- id, display_name, role, team_id, region_id (and version, updated_at)
-- leave the server: the application role may read no other column of
-- crm.users (login, e-mail, phone, password hash, disabled), and the
-- entity table names no other.  The functions that sign in and the
-- directory view (crm.user_directory) run as the owner, as before.

DROP POLICY users_admin ON crm.users;
CREATE POLICY users_read ON crm.users FOR SELECT USING (
  (SELECT crm.current_role()) = 'admin'
  OR id = (SELECT crm.current_user_id())
  OR ((SELECT crm.current_role()) = 'director' AND region_id = ANY ((SELECT crm.visible_regions())::uuid[]))
  OR team_id = (SELECT crm.current_team()));
CREATE POLICY users_insert ON crm.users FOR INSERT WITH CHECK ((SELECT crm.current_role()) = 'admin');
CREATE POLICY users_update ON crm.users FOR UPDATE
  USING ((SELECT crm.current_role()) = 'admin') WITH CHECK ((SELECT crm.current_role()) = 'admin');
CREATE POLICY users_delete ON crm.users FOR DELETE USING ((SELECT crm.current_role()) = 'admin');

DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('regions'), ('teams'), ('users')) AS v (name)
  LOOP
    EXECUTE format('ALTER TABLE crm.%I ADD COLUMN sync_xid xid8 NOT NULL DEFAULT pg_current_xact_id()', t.name);
    EXECUTE format('CREATE INDEX %I ON crm.%I (sync_xid, id)', t.name || '_sync', t.name);
    EXECUTE format('CREATE TRIGGER sync_stamp BEFORE UPDATE ON crm.%I FOR EACH ROW EXECUTE FUNCTION crm.sync_stamp()',
                   t.name);
  END LOOP;
END
$$;

REVOKE SELECT ON crm.users FROM keyline_app;
GRANT SELECT (id, display_name, role, team_id, region_id, version, updated_at, sync_xid) ON crm.users TO keyline_app;

-- Departures: a region or team deleted; a user deleted, or moved to
-- another team or region (their old team's readers no longer see them).
CREATE TRIGGER departed_delete AFTER DELETE ON crm.regions FOR EACH ROW
  EXECUTE FUNCTION crm.entity_departed('region', '{id}', '', '', '', '');
CREATE TRIGGER departed_delete AFTER DELETE ON crm.teams FOR EACH ROW
  EXECUTE FUNCTION crm.entity_departed('team', '{id}', '', '', '', '');
CREATE TRIGGER departed_delete AFTER DELETE ON crm.users FOR EACH ROW
  EXECUTE FUNCTION crm.entity_departed('user', '{id}', '', '', '', '');
CREATE TRIGGER departed_move AFTER UPDATE OF team_id, region_id ON crm.users FOR EACH ROW
  WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.region_id IS DISTINCT FROM NEW.region_id)
  EXECUTE FUNCTION crm.entity_departed('user', '{id}', '', '', '', '');

ANALYZE crm.regions, crm.teams, crm.users;
