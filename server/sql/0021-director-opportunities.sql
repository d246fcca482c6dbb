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
-- type a cursor's value is read back as.  An opportunity without an
-- expected close date sorts after every date ('infinity'), so that the
-- keyset compares values, never NULLs.
CREATE FUNCTION crm.pipeline_sort_key(p_sort text, OUT expr text, OUT type text)
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT CASE p_sort
           WHEN 'expected_close' THEN $q$coalesce(o.expected_close, 'infinity'::date)$q$
           WHEN 'amount' THEN '(o.amount_once + o.amount_monthly * o.contract_months)'
           WHEN 'stage_changed_at' THEN 'o.stage_changed_at'
           WHEN 'title' THEN 'o.name'
           WHEN 'updated_at' THEN 'o.updated_at'
         END,
         CASE p_sort
           WHEN 'expected_close' THEN 'date'
           WHEN 'amount' THEN 'bigint'
           WHEN 'title' THEN 'text'
           WHEN 'stage_changed_at' THEN 'timestamptz'
           WHEN 'updated_at' THEN 'timestamptz'
         END
$$;

-- The list's own condition, over the parameters after the reports' ($1 to
-- $14, see crm.pipeline_source()): $15 the stages (NULL: all), $16 the
-- customer, and with @p_keyset the position after which the page starts,
-- $17 the sort value (text, read as @key's type) and $18 the id.
CREATE FUNCTION crm.pipeline_list_condition(p_stages crm.opportunity_stage[], p_customer uuid, p_keyset boolean,
                                            p_sort text, p_descending boolean)
  RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS
$$
DECLARE
  key record := crm.pipeline_sort_key(p_sort);
  w text := 'true';
BEGIN
  IF p_stages IS NOT NULL THEN
    w := w || ' AND o.stage = ANY ($15)';
  END IF;
  IF p_customer IS NOT NULL THEN
    w := w || ' AND o.customer_id = $16';
  END IF;
  IF p_keyset THEN
    w := w || format(' AND (%s, o.id) %s ($17::%s, $18)', key.expr, CASE WHEN p_descending THEN '<' ELSE '>' END,
                     key.type);
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
        p_stages, p_customer, p_after, p_after_id, p_limit;
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

