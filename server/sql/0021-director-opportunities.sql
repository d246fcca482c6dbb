-- A director's opportunities from the server (issue 10: "Directors' views
-- do not replicate their whole region to the laptop").
--
-- GET /opportunities: a page of the opportunities of a scope (me, a team,
-- a region), with the filters of GET /pipeline (0015, 0019) and its scope
-- check (crm.pipeline_scope()), plus stages, a customer, a sort order and
-- a keyset position.  Like the reports, the statements are built by
-- crm.pipeline_source() from fixed fragments over fixed parameters, run by
-- EXECUTE ... USING as the caller: row-level security decides which
-- opportunities are there, and no value is ever part of the SQL text.
-- The functions return only the page's ids and sort values; the server
-- joins the records themselves (the entity table's columns,
-- server/crm-records.c), so that a record here is the one the sync sends.

------------------------------------------------------------------------
-- GET /opportunities

-- The expression a list of opportunities is sorted by (then o.id), and the
-- parameter of the list's statement that holds a position's sort value
-- in the expression's type.  An opportunity without an expected close
-- date sorts after every date ('infinity'), so that the keyset compares
-- values, never NULLs; written as a CASE, which PostgreSQL knows to be
-- leakproof, where coalesce() is not: under the read policy the keyset
-- could not be an index condition (see below).
CREATE FUNCTION crm.pipeline_sort_key(p_sort text, OUT expr text, OUT param text)
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT CASE p_sort
           WHEN 'expected_close' THEN $q$CASE WHEN o.expected_close IS NULL THEN 'infinity'::date ELSE o.expected_close END$q$
           WHEN 'amount' THEN '(o.amount_once + o.amount_monthly * o.contract_months)'
           WHEN 'stage_changed_at' THEN 'o.stage_changed_at'
           WHEN 'title' THEN 'o.name'
           WHEN 'updated_at' THEN 'o.updated_at'
         END,
         CASE p_sort
           WHEN 'expected_close' THEN '$17'
           WHEN 'amount' THEN '$20'
           WHEN 'title' THEN '$22'
           WHEN 'stage_changed_at' THEN '$21'
           WHEN 'updated_at' THEN '$21'
         END
$$;

-- The list's own condition, over the parameters after the reports' ($1 to
-- $14, see crm.pipeline_source()): $15 the stages (NULL: all), $16 the
-- customer, and with @p_keyset the position after which the page starts:
-- its id ($18) and its sort value, typed (crm.pipeline_sort_key()): no
-- cast in the statement, whose comparison is then leakproof and may be an
-- index condition under the read policy (a text cast to a date is not: the
-- second page of a province's column read 331,064 rows to find 51).
CREATE FUNCTION crm.pipeline_list_condition(p_stages crm.opportunity_stage[], p_customer uuid, p_keyset boolean,
                                            p_sort text, p_descending boolean)
  RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS
$$
DECLARE
  key record := crm.pipeline_sort_key(p_sort);
  w text := 'true';
BEGIN
  -- one stage (a board's column) as an equality: it proves the partial
  -- index of the open ones
  IF cardinality(p_stages) = 1 THEN
    w := w || ' AND o.stage = $15[1]';
  ELSIF p_stages IS NOT NULL THEN
    w := w || ' AND o.stage = ANY ($15)';
  END IF;
  IF p_customer IS NOT NULL THEN
    w := w || ' AND o.customer_id = $16';
  END IF;
  IF p_keyset THEN
    w := w || format(' AND (%s, o.id) %s (%s, $18)', key.expr, CASE WHEN p_descending THEN '<' ELSE '>' END,
                     key.param);
  END IF;
  RETURN w;
END
$$;

-- One page: the ids of at most @p_limit opportunities of the scope and
-- filters, in the sort's order (ties by id), after the position
-- (@p_after, @p_after_id) when one is given, with each one's sort value
-- as text (the next page's position).  Nothing when the scope is refused
-- or the sort unknown.
CREATE FUNCTION crm.pipeline_opportunity_page(p_kind text, p_id uuid, f crm.pipeline_filter,
                                              p_stages crm.opportunity_stage[], p_customer uuid, p_sort text,
                                              p_descending boolean, p_after text, p_after_id uuid, p_limit integer)
  RETURNS TABLE (id uuid, sort_value text)
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  scope record := crm.pipeline_scope(p_kind, p_id);
  st record := crm.pipeline_stage_arrays();
  key record := crm.pipeline_sort_key(p_sort);
  dir text := CASE WHEN p_descending THEN ' DESC' ELSE ' ASC' END;
BEGIN
  IF scope.code IS NOT NULL OR key.expr IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'SELECT o.id, (' || key.expr || ')::text'
    || crm.pipeline_source(p_kind, scope.by_policy, f,
                           crm.pipeline_list_condition(p_stages, p_customer, p_after_id IS NOT NULL, p_sort,
                                                       p_descending), false)
    || ' ORDER BY ' || key.expr || dir || ', o.id' || dir || ' LIMIT $19'
  USING CASE WHEN p_kind = 'me' THEN crm.current_user_id() ELSE p_id END, scope.regions,
        f.owner_id, f.team_id, crm.region_subtree(f.region_id), f.product_line, f.amount_min, f.amount_max,
        f.close_from, f.close_to, st.stages, st.defaults, st.open, st.positions,
        p_stages, p_customer, CASE WHEN key.param = '$17' THEN p_after::date END, p_after_id, p_limit,
        CASE WHEN key.param = '$20' THEN p_after::bigint END, CASE WHEN key.param = '$21' THEN p_after::timestamptz END,
        CASE WHEN key.param = '$22' THEN p_after END;
END
$$;

-- How many opportunities the scope and filters hold (every page's).
CREATE FUNCTION crm.pipeline_opportunity_count(p_kind text, p_id uuid, f crm.pipeline_filter,
                                               p_stages crm.opportunity_stage[], p_customer uuid)
  RETURNS bigint
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  scope record := crm.pipeline_scope(p_kind, p_id);
  st record := crm.pipeline_stage_arrays();
  n bigint;
BEGIN
  IF scope.code IS NOT NULL THEN
    RETURN 0;
  END IF;
  EXECUTE
    'SELECT count(*)'
    || crm.pipeline_source(p_kind, scope.by_policy, f,
                           crm.pipeline_list_condition(p_stages, p_customer, false, NULL, false), false)
  INTO n
  USING CASE WHEN p_kind = 'me' THEN crm.current_user_id() ELSE p_id END, scope.regions,
        f.owner_id, f.team_id, crm.region_subtree(f.region_id), f.product_line, f.amount_min, f.amount_max,
        f.close_from, f.close_to, st.stages, st.defaults, st.open, st.positions,
        p_stages, p_customer;
  RETURN n;
END
$$;

GRANT EXECUTE ON FUNCTION crm.pipeline_sort_key(text),
  crm.pipeline_list_condition(crm.opportunity_stage[], uuid, boolean, text, boolean),
  crm.pipeline_opportunity_page(text, uuid, crm.pipeline_filter, crm.opportunity_stage[], uuid, text, boolean,
                                text, uuid, integer),
  crm.pipeline_opportunity_count(text, uuid, crm.pipeline_filter, crm.opportunity_stage[], uuid) TO keyline_app;

-- Indexes: a page of a region sorted by expected close (the default, and
-- a board's column: one open stage) walks the opportunities in that order
-- and stops after the page; the total counts the region's index-only.
-- Measured as the demo director on 1,000,000 opportunities (218,978 in the
-- province; EXPLAIN ANALYZE of crm.pipeline_opportunity_page(), 51 rows):
--   the province, no stage          507 ms (seq scan)  ->  5 ms
--   the province's proposal column   68 ms (bitmap)    ->  6 ms
--   its second page (after=…)                           ->  8 ms
--   the province's total            378 ms (seq scan)  ->  39 ms
-- Other sorts of a whole province sort its rows (about 300 ms); a team's,
-- a person's or a customer's lists are small and go by their owner or
-- customer.  The open ones' index is partial, as the board asks (one open
-- stage proves its predicate); the stage itself cannot be an index
-- condition under the read policy (enum equality is not leakproof).
CREATE INDEX opportunities_close_order ON crm.opportunities
  ((CASE WHEN expected_close IS NULL THEN 'infinity'::date ELSE expected_close END), id);
CREATE INDEX opportunities_open_close_order ON crm.opportunities
  ((CASE WHEN expected_close IS NULL THEN 'infinity'::date ELSE expected_close END), id)
  WHERE stage NOT IN ('won', 'lost');
CREATE INDEX opportunities_region_stage ON crm.opportunities (region_id, stage) INCLUDE (customer_id);

ANALYZE crm.opportunities;

------------------------------------------------------------------------
-- A director's sync: their own opportunities only
--
-- The entity table (shared/crm-entity.c, synced_own_for) narrows a
-- director's sync to the opportunities they own and those opportunities'
-- stage history; their views of a team or region ask GET /opportunities.
-- The read policy is unchanged: a director still reads the whole region's
-- opportunities, so an opportunity taken from them does not leave their
-- view, and the departures of 0002/0007 ("rows the reader cannot see
-- now") would never tell their client.  An opportunity's change of owner
-- now does what a customer's change of owner does (0007):
--   - a departure for the opportunity and one for each of its stage
--     changes, naming the owner they left (left_owner); the sync sends
--     such a departure only to that owner, and only where their sync is
--     narrowed to their own and the record is not theirs again
--     (server/crm-handler-sync.c).  The other departures have no
--     left_owner and go out as before;
--   - its stage history re-stamped (no new version, as in 0007), so that
--     the new owner's next round sends it with the opportunity, whose own
--     sync_xid the update has already moved.

ALTER TABLE crm.sync_departures ADD COLUMN left_owner uuid;

CREATE FUNCTION crm.opportunity_owner_moved() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  restamp text := current_setting('keyline.restamp', true);
  c record;
BEGIN
  -- The caller may not see the customer or the history (a director
  -- handing an opportunity over sees them; a trigger must not depend on
  -- it): administrator for these statements, as in crm.customer_departed().
  PERFORM set_config('keyline.role', 'admin', true);
  IF OLD.owner_id IS NOT NULL THEN
    SELECT cu.owner_id, cu.region_id INTO c FROM crm.customers cu WHERE cu.id = OLD.customer_id;
    INSERT INTO crm.sync_departures (entity, key, customer_id, owner_id, region_id, left_owner)
    VALUES ('opportunity', jsonb_build_object('id', OLD.id), OLD.customer_id, c.owner_id, c.region_id, OLD.owner_id);
    INSERT INTO crm.sync_departures (entity, key, customer_id, owner_id, region_id, left_owner)
    SELECT 'opportunity_stage', jsonb_build_object('id', h.id), OLD.customer_id, c.owner_id, c.region_id,
           OLD.owner_id
      FROM crm.opportunity_stage_history h WHERE h.opportunity_id = OLD.id ORDER BY h.id;
  END IF;
  PERFORM set_config('keyline.restamp', 'on', true);
  UPDATE crm.opportunity_stage_history SET sync_xid = pg_current_xact_id() WHERE opportunity_id = NEW.id;
  PERFORM set_config('keyline.restamp', coalesce(restamp, 'off'), true);
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NULL;
END
$$;
CREATE TRIGGER owner_moved AFTER UPDATE OF owner_id ON crm.opportunities
  FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id)
  EXECUTE FUNCTION crm.opportunity_owner_moved();
