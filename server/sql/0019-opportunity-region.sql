-- A province's pipeline reports through an index (issue 10).
--
-- A director's board of their province (GET /pipeline?scope=region:ID) on
-- a million opportunities read every opportunity: the read policy of
-- crm.opportunities reached the region through the customer (0010: EXISTS
-- over crm.customers, planned as one hashed set of the province's 220,719
-- customers), so nothing could narrow the scan by region, and each of the
-- million rows was probed in that set (EXPLAIN ANALYZE, as the director:
-- a seq scan of 35,224 pages, 883,266 rows removed by the filter; 0.6 s on
-- a quiet machine, 4.6 s p50 under load).  The forecast read the whole
-- country's quarter (192,541 rows of two partial indexes) and probed each.
--
-- Now an opportunity carries its customer's region (region_id, a
-- server-only column, not sent to clients; nullable only so that a write
-- naming no existing customer still fails on the customer's foreign key,
-- as before), kept by triggers:
--   - set from the customer on every insert, and on every update that
--     changes customer_id or region_id itself (so no write can make it
--     disagree with the customer);
--   - when a customer moves to another region, its opportunities follow,
--     in the same transaction (as administrator: the caller may no longer
--     see them; "re-stamped", so their version does not change: the
--     customer's departure already sends them to their new readers).
-- The read policy asks a director's rows for region_id directly, and the
-- pipeline's region scope and region filter (crm.pipeline_source()) are
-- o.region_id = ANY (the subtree), served by two partial indexes that hold
-- what the board and the forecast read (index-only scans).  The policy is
-- the same rule as before (a director sees the opportunities of the
-- customers of their region subtree), and the reports still run as the
-- caller: a director asking for another region is refused by
-- crm.pipeline_scope(), and the policy holds every row to their subtree.

------------------------------------------------------------------------
-- The column, filled from the customers

ALTER TABLE crm.opportunities ADD COLUMN region_id uuid;

-- Filling it is not a change of the opportunities (no new version, no
-- sync of a million rows): the row triggers are off for this statement,
-- and RLS is forced even for the owner: act as administrator.
ALTER TABLE crm.opportunities DISABLE TRIGGER USER;
SELECT set_config('keyline.role', 'admin', true);
UPDATE crm.opportunities o SET region_id = c.region_id FROM crm.customers c WHERE c.id = o.customer_id;
SELECT set_config('keyline.role', '', true);
ALTER TABLE crm.opportunities ENABLE TRIGGER USER;

------------------------------------------------------------------------
-- Kept by triggers

-- The customer's region, read as administrator (the writer sees the
-- customer, but the function must not depend on it).
CREATE FUNCTION crm.opportunity_region() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT c.region_id INTO NEW.region_id FROM crm.customers c WHERE c.id = NEW.customer_id;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;
CREATE TRIGGER opportunity_region_insert BEFORE INSERT ON crm.opportunities
  FOR EACH ROW EXECUTE FUNCTION crm.opportunity_region();
CREATE TRIGGER opportunity_region_update BEFORE UPDATE OF customer_id, region_id ON crm.opportunities
  FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.region_id IS DISTINCT FROM NEW.region_id)
  EXECUTE FUNCTION crm.opportunity_region();

-- A customer moved to another region: its opportunities follow.
CREATE FUNCTION crm.customer_region_moved() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  restamp text := current_setting('keyline.restamp', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  PERFORM set_config('keyline.restamp', 'on', true);
  UPDATE crm.opportunities o SET region_id = NEW.region_id
   WHERE o.customer_id = NEW.id AND o.region_id IS DISTINCT FROM NEW.region_id;
  PERFORM set_config('keyline.restamp', coalesce(restamp, 'off'), true);
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NULL;
END
$$;
CREATE TRIGGER region_moved AFTER UPDATE OF region_id ON crm.customers
  FOR EACH ROW WHEN (OLD.region_id IS DISTINCT FROM NEW.region_id)
  EXECUTE FUNCTION crm.customer_region_moved();

------------------------------------------------------------------------
-- The read policy: a director's rows by their own region_id

ALTER POLICY opportunities_read ON crm.opportunities USING (
  (SELECT crm.current_role() = ANY ('{admin,director,manager}'::text[]))
  AND ((SELECT crm.current_role() = 'admin')
       OR ((SELECT crm.current_role()) = 'manager'
           AND EXISTS (SELECT 1 FROM crm.customers c
                        WHERE c.id = customer_id AND c.owner_id = (SELECT crm.current_user_id())))
       OR ((SELECT crm.current_role()) = 'director'
           AND region_id = ANY ((SELECT crm.visible_regions())::uuid[]))));

------------------------------------------------------------------------
-- Indexes: what a region's board and forecast read, for index-only scans
-- (customer_id for the policy's manager branch, which the planner keeps
-- in the filter).  The board reads the open ones of the region; the
-- forecast the open ones expected to close in the period and the won ones
-- closed in it.

CREATE INDEX opportunities_region_open ON crm.opportunities (region_id, expected_close)
  INCLUDE (stage, amount_once, amount_monthly, contract_months, probability, owner_id, customer_id)
  WHERE stage NOT IN ('won', 'lost');
CREATE INDEX opportunities_region_won ON crm.opportunities (region_id, closed_on)
  INCLUDE (stage, amount_once, amount_monthly, contract_months, probability, owner_id, customer_id)
  WHERE stage = 'won';

------------------------------------------------------------------------
-- The reports: the region scope and filter by o.region_id

-- 0015's, with the region scope and the region filter on the
-- opportunity's own region_id: no join with the customers, and the
-- condition is there also for a director's own region (@by_policy, which
-- 0015 left to the read policy), because it is what the region indexes
-- are found by.  @by_policy is no longer read.
CREATE OR REPLACE FUNCTION crm.pipeline_source(p_kind text, by_policy boolean, f crm.pipeline_filter, extra text,
                                               with_owner boolean)
  RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS
$$
DECLARE
  t text := ' FROM crm.opportunities o';
  closes text := 'CASE WHEN ' || crm.pipeline_stage_column('o.stage', 'is_open')
                 || ' THEN o.expected_close ELSE o.closed_on END';
  w text;
BEGIN
  IF with_owner THEN
    t := t || ' LEFT JOIN crm.user_directory u ON u.id = o.owner_id';
  END IF;
  w := CASE p_kind
         WHEN 'me' THEN 'o.owner_id = $1'
         WHEN 'team' THEN 'o.owner_id IN (SELECT d.id FROM crm.user_directory d WHERE d.team_id = $1)'
         WHEN 'region' THEN 'o.region_id = ANY ($2)'
       END;
  IF f.owner_id IS NOT NULL THEN
    w := w || ' AND o.owner_id = $3';
  END IF;
  IF f.team_id IS NOT NULL THEN
    w := w || ' AND o.owner_id IN (SELECT d.id FROM crm.user_directory d WHERE d.team_id = $4)';
  END IF;
  IF f.region_id IS NOT NULL THEN
    w := w || ' AND o.region_id = ANY ($5)';
  END IF;
  IF f.product_line IS NOT NULL THEN
    w := w || ' AND $6 = ANY (o.product_lines)';
  END IF;
  IF f.amount_min IS NOT NULL THEN
    w := w || ' AND o.amount_once + o.amount_monthly * o.contract_months >= $7';
  END IF;
  IF f.amount_max IS NOT NULL THEN
    w := w || ' AND o.amount_once + o.amount_monthly * o.contract_months <= $8';
  END IF;
  IF f.close_from IS NOT NULL THEN
    w := w || ' AND ' || closes || ' >= $9';
  END IF;
  IF f.close_to IS NOT NULL THEN
    w := w || ' AND ' || closes || ' <= $10';
  END IF;
  RETURN t || ' WHERE ' || w || coalesce(' AND ' || extra, '');
END
$$;

-- The board and the forecast of a region (0015's functions, each
-- replacement exactly once, as 0017 does):
--   - the board's open ones also in the words of the region index
--     (o.stage NOT IN ('won', 'lost'), the same set as the stages' is_open,
--     which stays), so that a region's board is an index-only scan of it;
--   - the forecast's "in the period" of a region as two sources, the won
--     ones closed in it UNION ALL the open ones expected in it: each is an
--     index-only scan of its index (as one OR they were a bitmap of both
--     and a visit to 23,894 heap pages for 42,125 rows);
--   - the forecast's nested targets (tg: "of a subject's targets nested in
--     one another, the outer one only") matched by an equality a hash can
--     use: a target has exactly one of team_id and user_id (0001's CHECK),
--     so coalesce(team_id, user_id) and whether team_id is null say the
--     same as the two IS NOT DISTINCT FROMs, which made a nested loop over
--     the 752 targets of a province's quarter (354,004 pairs, 107 ms of
--     the then 130 ms; a hash anti join: 4 ms).
DO $$
DECLARE
  board text := pg_get_functiondef('crm.pipeline_board(text, uuid, crm.pipeline_filter)'::regprocedure);
  forecast text := pg_get_functiondef(
    'crm.pipeline_forecast(text, uuid, crm.pipeline_filter, date, date)'::regprocedure);
  old_board text := $t$crm.pipeline_source(p_kind, scope.by_policy, f, crm.pipeline_stage_column('o.stage', 'is_open'), false)$t$;
  new_board text := $t$crm.pipeline_source(p_kind, scope.by_policy, f, crm.pipeline_stage_column('o.stage', 'is_open')
                    || CASE WHEN p_kind = 'region' THEN $q$ AND o.stage NOT IN ('won', 'lost')$q$ ELSE '' END, false)$t$;
  old_forecast text := $t$    || crm.pipeline_source(p_kind, scope.by_policy, f, in_period, p_kind = 'region') || '),'$t$;
  new_forecast text := $t$    || CASE WHEN p_kind = 'region'
         THEN crm.pipeline_source(p_kind, scope.by_policy, f,
                                  $q$o.stage = 'won' AND o.closed_on BETWEEN $15 AND $16$q$, true)
              || ' UNION ALL SELECT ' || crm.pipeline_columns() || ', u.team_id AS key'
              || crm.pipeline_source(p_kind, scope.by_policy, f,
                                     $q$o.stage NOT IN ('won', 'lost') AND o.expected_close BETWEEN $15 AND $16$q$, true)
         ELSE crm.pipeline_source(p_kind, scope.by_policy, f, in_period, false) END || '),'$t$;
  old_nested text := $t$    || '                            WHERE w.team_id IS NOT DISTINCT FROM c.team_id'
    || '                              AND w.user_id IS NOT DISTINCT FROM c.user_id'$t$;
  new_nested text := $t$    || '                            WHERE coalesce(w.team_id, w.user_id) = coalesce(c.team_id, c.user_id)'
    || '                              AND (w.team_id IS NULL) = (c.team_id IS NULL)'$t$;
BEGIN
  IF (length(board) - length(replace(board, old_board, ''))) / length(old_board) <> 1 OR
     (length(forecast) - length(replace(forecast, old_forecast, ''))) / length(old_forecast) <> 1 OR
     (length(forecast) - length(replace(forecast, old_nested, ''))) / length(old_nested) <> 1 THEN
    RAISE EXCEPTION 'crm.pipeline_board() or crm.pipeline_forecast() is not the function 0019 expects';
  END IF;
  EXECUTE replace(board, old_board, new_board);
  EXECUTE replace(replace(forecast, old_forecast, new_forecast), old_nested, new_nested);
END
$$;

ANALYZE crm.opportunities;
