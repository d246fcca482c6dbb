-- The pipeline's reports (issue 10): what GET /pipeline, /forecast and
-- /pipeline/analysis answer, computed here as the caller.
--
-- Every function runs as the caller (not SECURITY DEFINER): row-level
-- security decides which opportunities, stage changes and targets count,
-- so a director's figures hold only the customers of their region subtree.
-- crm.pipeline_scope() then says whether the caller may ask for the scope
-- at all (administrators any; directors "me" and the teams and regions of
-- their subtree; account managers "me"; nobody else anything), and the
-- report functions check it again and count nothing when it refuses.
--
-- The figures (money in fen, rates in permille, integer arithmetic):
--   amount     amount_once + amount_monthly * contract_months
--   p          coalesce(o.probability, s.default_probability)
--   weighted   (amount * p + 50) / 100 per opportunity; a total of weighted
--              amounts is the sum of these rounded values
--   permille   a * 1000 / b, truncated; NULL when b is 0
-- The "close date" the close_from/close_to filters look at is closed_on
-- of a won or lost opportunity and expected_close of an open one.
--
-- The opportunities a report counts are "the source": the caller's scope
-- and filters as fixed SQL fragments over fixed parameters
-- (crm.pipeline_source()), run by EXECUTE ... USING, so that each request
-- is planned with its own values (the filters that are absent are not in
-- the text at all, and the scope's index applies) and no value is ever
-- part of the SQL text.
--
-- The stages travel into those statements as parameters too (arrays of
-- crm.pipeline_stages' columns, read once per call): joined as a table,
-- its read policy made the planner expect one stage instead of six, and a
-- team's board looped over the team's opportunities once per stage and
-- member (EXPLAIN ANALYZE of a team's board on 20,000 customers, 212
-- opportunities: 21.7 ms; 3.7 ms with the arrays).  An opportunity's
-- stage columns are looked up in the arrays (crm.pipeline_stage_column()),
-- and the counts are made per stage before the stages are joined: even as
-- six unnested rows, a join per opportunity made the planner loop over a
-- province's 220,000 opportunities once per stage.

CREATE TYPE crm.pipeline_filter AS (
  owner_id     uuid,
  team_id      uuid,
  region_id    uuid,
  product_line crm.product_category,
  amount_min   bigint,
  amount_max   bigint,
  close_from   date,
  close_to     date
);

-- Whether the caller may ask for scope @p_kind ('me', 'team', 'region')
-- with @p_id: code NULL when they may, else 'forbidden' or 'not_found'
-- with a message; for a region, the region's subtree, and whether it is
-- all a director sees (their own region: then the read policy alone is the
-- scope, see crm.pipeline_source()).
CREATE FUNCTION crm.pipeline_scope(p_kind text, p_id uuid, OUT code text, OUT message text, OUT regions uuid[],
                                   OUT by_policy boolean)
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  r text := crm.current_role();
  place uuid;
BEGIN
  IF r NOT IN ('admin', 'director', 'manager') THEN
    code := 'forbidden'; message := 'Only sales roles have a pipeline';
    RETURN;
  ELSIF p_kind = 'me' THEN
    RETURN;
  ELSIF r = 'manager' THEN
    code := 'forbidden'; message := 'An account manager sees their own pipeline only';
    RETURN;
  ELSIF p_kind = 'team' THEN
    SELECT t.region_id INTO place FROM crm.teams t WHERE t.id = p_id;
    IF NOT FOUND THEN
      code := 'not_found'; message := 'No such team';
      RETURN;
    END IF;
  ELSIF p_kind = 'region' THEN
    SELECT g.id INTO place FROM crm.regions g WHERE g.id = p_id;
    IF NOT FOUND THEN
      code := 'not_found'; message := 'No such region';
      RETURN;
    END IF;
    regions := crm.region_subtree(p_id);
  ELSE
    code := 'invalid'; message := 'scope must be me, team:ID or region:ID';
    RETURN;
  END IF;
  IF r = 'director' AND NOT place = ANY (crm.visible_regions()) THEN
    code := 'forbidden'; message := 'Not in your region';
    regions := NULL;
  ELSIF r = 'director' AND p_kind = 'region' THEN
    by_policy := regions @> crm.visible_regions();
  END IF;
END
$$;

-- The stages as the report statements' parameters $11 to $14 ...
CREATE FUNCTION crm.pipeline_stage_arrays(OUT stages crm.opportunity_stage[], OUT defaults smallint[],
                                          OUT open boolean[], OUT positions smallint[])
  LANGUAGE sql STABLE AS
$$
  SELECT array_agg(s.stage ORDER BY s.position), array_agg(s.default_probability ORDER BY s.position),
         array_agg(s.is_open ORDER BY s.position), array_agg(s.position ORDER BY s.position)
    FROM crm.pipeline_stages s
$$;

-- ... as rows in a statement, named @alias ...
CREATE FUNCTION crm.pipeline_stage_rows(alias text) RETURNS text
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT format('unnest($11::crm.opportunity_stage[], $12::smallint[], $13::boolean[], $14::smallint[])'
                ' AS %I (stage, default_probability, is_open, position)', alias)
$$;

-- ... and one column of the stage @stage (an expression of the statement:
-- 'o.stage'), looked up in its array: no join per opportunity (joined,
-- the six stages made the planner loop over a province's opportunities
-- once per stage).
CREATE FUNCTION crm.pipeline_stage_column(stage text, col text) RETURNS text
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT format('(%s::%s[])[array_position($11::crm.opportunity_stage[], %s)]',
                CASE col WHEN 'default_probability' THEN '$12' WHEN 'is_open' THEN '$13' ELSE '$14' END,
                CASE col WHEN 'is_open' THEN 'boolean' ELSE 'smallint' END, stage)
$$;

-- FROM ... WHERE of the opportunities a report counts, over the fixed
-- parameters of the report statements:
--   $1 the scope's subject (the caller for 'me', the team for 'team')
--   $2 the scope's regions            $3 the filter's owner
--   $4 the filter's team              $5 the filter's region subtree
--   $6 the product line               $7, $8 the amount range
--   $9, $10 the close dates
--   $11 to $14 the stages: stage, default_probability, is_open, position
--   $15, $16 the report's own dates     $17 the scope's kind
-- Only the fragments of the filters given are in the text; @extra is the
-- report's own condition (a fixed fragment of the function that calls).
-- o is the opportunity, c its customer (joined when a region is asked
-- for), u its owner (when @with_owner).
--
-- A director asking for their whole region (@by_policy) gets no region
-- condition: the read policy of crm.opportunities already holds them to
-- its customers, and the condition joined every opportunity to the
-- region's customers a second time (a director's province board on a
-- million customers: two hashes of 220,000 customers instead of one).
CREATE FUNCTION crm.pipeline_source(p_kind text, by_policy boolean, f crm.pipeline_filter, extra text,
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
  IF (p_kind = 'region' AND NOT coalesce(by_policy, false)) OR f.region_id IS NOT NULL THEN
    t := t || ' JOIN crm.customers c ON c.id = o.customer_id';
  END IF;
  IF with_owner THEN
    t := t || ' LEFT JOIN crm.user_directory u ON u.id = o.owner_id';
  END IF;
  w := CASE p_kind
         WHEN 'me' THEN 'o.owner_id = $1'
         WHEN 'team' THEN 'o.owner_id IN (SELECT d.id FROM crm.user_directory d WHERE d.team_id = $1)'
         WHEN 'region' THEN CASE WHEN by_policy THEN 'true' ELSE 'c.region_id = ANY ($2)' END
       END;
  IF f.owner_id IS NOT NULL THEN
    w := w || ' AND o.owner_id = $3';
  END IF;
  IF f.team_id IS NOT NULL THEN
    w := w || ' AND o.owner_id IN (SELECT d.id FROM crm.user_directory d WHERE d.team_id = $4)';
  END IF;
  IF f.region_id IS NOT NULL THEN
    w := w || ' AND c.region_id = ANY ($5)';
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

-- The columns of a source row every report reads.
CREATE FUNCTION crm.pipeline_columns() RETURNS text
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT 'o.id, o.owner_id, o.stage, ' || crm.pipeline_stage_column('o.stage', 'is_open') || ' AS is_open,'
         ' o.amount_once + o.amount_monthly * o.contract_months AS amount,'
         ' coalesce(o.probability, ' || crm.pipeline_stage_column('o.stage', 'default_probability') || ') AS p,'
         ' o.closed_on, o.lost_reason'
$$;

------------------------------------------------------------------------
-- GET /pipeline: per open stage, in position order (zeros included),
-- count, amount and weighted amount.

CREATE FUNCTION crm.pipeline_board(p_kind text, p_id uuid, f crm.pipeline_filter)
  RETURNS TABLE (stage text, "position" smallint, probability smallint, count bigint, amount bigint,
                 weighted bigint)
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  scope record := crm.pipeline_scope(p_kind, p_id);
  st record := crm.pipeline_stage_arrays();
BEGIN
  IF scope.code IS NOT NULL THEN
    RETURN;
  END IF;
  -- is_open from the stages, not the words of the partial index on open
  -- ones (opportunities_close): the planner ANDed that whole index with the
  -- owner's for each member of a team
  RETURN QUERY EXECUTE
    'WITH x AS (SELECT ' || crm.pipeline_columns()
    || crm.pipeline_source(p_kind, scope.by_policy, f, crm.pipeline_stage_column('o.stage', 'is_open'), false)
    || '), g AS (SELECT x.stage, count(*) AS n, sum(x.amount) AS amount, sum((x.amount * x.p + 50) / 100) AS weighted'
    || '           FROM x GROUP BY x.stage)'
    || ' SELECT st.stage::text, st.position, st.default_probability, coalesce(g.n, 0),'
    || '        coalesce(g.amount, 0)::bigint, coalesce(g.weighted, 0)::bigint'
    || '   FROM ' || crm.pipeline_stage_rows('st') || ' LEFT JOIN g ON g.stage = st.stage'
    || '  WHERE st.is_open ORDER BY st.position'
  USING CASE WHEN p_kind = 'me' THEN crm.current_user_id() ELSE p_id END, scope.regions,
        f.owner_id, f.team_id, crm.region_subtree(f.region_id), f.product_line, f.amount_min, f.amount_max,
        f.close_from, f.close_to, st.stages, st.defaults, st.open, st.positions;
END
$$;

------------------------------------------------------------------------
-- GET /forecast: for the period [p_start, p_end], the totals of the scope
-- (first row, kind 'total') and one row per team of the owners (region
-- scope; kind 'none' for owners without a team) or per member (team
-- scope).
--   closed_won  amount of won ones closed in the period
--   pipeline    amount of open ones expected to close in the period
--   weighted    their weighted amount
--   commit      amount of those with p >= 75; best_case those with p >= 50
--   target      'revenue' targets of the subject whose whole period lies in
--               the period: the caller's ('me'), the team's, the region's
--               teams' (a team row: the team's, when the team is of the
--               region, so that rows sum to the totals); a member's own.
--               Of one subject's targets nested in one another (a month's
--               in its quarter's, both in the year), only the outer one
--               counts: the seed (and an administrator) sets months,
--               quarters and the year, each the sum of what it holds
--   attainment  closed_won in permille of target; behind: target > 0 and
--               closed_won + commit < target
-- Rows are the groups with an opportunity counted, and the region's teams
-- (the team's members) with a target in the period.

CREATE FUNCTION crm.pipeline_forecast(p_kind text, p_id uuid, f crm.pipeline_filter, p_start date, p_end date)
  RETURNS TABLE (kind text, id uuid, name text, closed_won bigint, commit bigint, best_case bigint,
                 pipeline bigint, weighted bigint, target bigint, attainment bigint, behind boolean)
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  scope record := crm.pipeline_scope(p_kind, p_id);
  st record := crm.pipeline_stage_arrays();
  subject uuid := CASE WHEN p_kind = 'me' THEN crm.current_user_id() ELSE p_id END;
  -- In the period: for a region, in the words of the partial indexes on
  -- the won ones' closed_on and the open ones' expected_close; for a team
  -- or one person, in words no index has, so that their owners' index is
  -- used alone (the planner ANDed it with 170,000 entries of the open
  -- ones' index per member on a million opportunities: 110 ms of 137).
  in_period text := CASE WHEN p_kind = 'region'
    THEN $q$((o.stage = 'won' AND o.closed_on BETWEEN $15 AND $16)
             OR (o.stage NOT IN ('won', 'lost') AND o.expected_close BETWEEN $15 AND $16))$q$
    ELSE $q$(CASE WHEN o.stage = 'won' THEN o.closed_on WHEN $q$ || crm.pipeline_stage_column('o.stage', 'is_open')
         || $q$ THEN o.expected_close END) BETWEEN $15 AND $16$q$ END;
BEGIN
  IF scope.code IS NOT NULL THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'WITH x AS (SELECT ' || crm.pipeline_columns() || ', '
    || CASE p_kind WHEN 'region' THEN 'u.team_id' WHEN 'team' THEN 'o.owner_id' ELSE 'NULL::uuid' END || ' AS key'
    || crm.pipeline_source(p_kind, scope.by_policy, f, in_period, p_kind = 'region') || '),'
    -- the money per group
    || ' g AS (SELECT x.key, count(*) AS n,'
    || '         coalesce(sum(x.amount) FILTER (WHERE x.stage = ''won''), 0)::bigint AS closed_won,'
    || '         coalesce(sum(x.amount) FILTER (WHERE x.is_open AND x.p >= 75), 0)::bigint AS commit,'
    || '         coalesce(sum(x.amount) FILTER (WHERE x.is_open AND x.p >= 50), 0)::bigint AS best_case,'
    || '         coalesce(sum(x.amount) FILTER (WHERE x.is_open), 0)::bigint AS pipeline,'
    || '         coalesce(sum((x.amount * x.p + 50) / 100) FILTER (WHERE x.is_open), 0)::bigint AS weighted'
    || '       FROM x GROUP BY x.key),'
    -- the teams whose targets the scope's target is
    || ' subject_teams AS (SELECT m.id FROM crm.teams m'
    || '         WHERE ($17 = ''team'' AND m.id = $1) OR ($17 = ''region'' AND m.region_id = ANY ($2))),'
    -- the targets in the period of those teams, and of the team's members
    -- or the caller (one branch each, so that each uses its index) ...
    || ' cand AS (SELECT t.team_id, t.user_id, t.period_start, t.period_end, t.target FROM crm.sales_targets t'
    || '           WHERE t.team_id IN (SELECT st.id FROM subject_teams st)'
    || '             AND t.metric = ''revenue'' AND t.period_start >= $15 AND t.period_end <= $16'
    || '          UNION ALL'
    || '          SELECT t.team_id, t.user_id, t.period_start, t.period_end, t.target FROM crm.sales_targets t'
    || '           WHERE $17 = ''team'' AND t.user_id IN (SELECT d.id FROM crm.user_directory d WHERE d.team_id = $1)'
    || '             AND t.metric = ''revenue'' AND t.period_start >= $15 AND t.period_end <= $16'
    || '          UNION ALL'
    || '          SELECT t.team_id, t.user_id, t.period_start, t.period_end, t.target FROM crm.sales_targets t'
    || '           WHERE $17 = ''me'' AND t.user_id = $1'
    || '             AND t.metric = ''revenue'' AND t.period_start >= $15 AND t.period_end <= $16),'
    -- ... per team and per user; of a subject's targets nested in one
    -- another (months in their quarter), the outer one only (which is in
    -- the period and of the subject too, so among these)
    || ' tg AS (SELECT c.team_id, c.user_id, sum(c.target)::bigint AS target FROM cand c'
    || '         WHERE NOT EXISTS (SELECT 1 FROM cand w'
    || '                            WHERE w.team_id IS NOT DISTINCT FROM c.team_id'
    || '                              AND w.user_id IS NOT DISTINCT FROM c.user_id'
    || '                              AND w.period_start <= c.period_start AND w.period_end >= c.period_end'
    || '                              AND (w.period_start, w.period_end) <> (c.period_start, c.period_end))'
    || '         GROUP BY c.team_id, c.user_id),'
    -- the rows: the groups, and the subject's teams or members with a target
    || ' k AS (SELECT g.key FROM g WHERE $17 <> ''me'''
    || '       UNION SELECT tg.team_id FROM tg JOIN subject_teams st ON st.id = tg.team_id'
    || '        WHERE $17 = ''region'' AND tg.target > 0'
    || '       UNION SELECT tg.user_id FROM tg JOIN crm.user_directory d ON d.id = tg.user_id'
    || '        WHERE $17 = ''team'' AND d.team_id = $1 AND tg.target > 0),'
    || ' r AS (SELECT CASE WHEN k.key IS NULL THEN ''none'' WHEN $17 = ''region'' THEN ''team'' ELSE ''user'' END AS kind,'
    || '         k.key AS id,'
    || '         coalesce(CASE WHEN $17 = ''region'' THEN (SELECT m.name FROM crm.teams m WHERE m.id = k.key)'
    || '                       ELSE (SELECT d.display_name FROM crm.user_directory d WHERE d.id = k.key) END, '''') AS name,'
    || '         coalesce(g.closed_won, 0) AS closed_won, coalesce(g.commit, 0) AS commit,'
    || '         coalesce(g.best_case, 0) AS best_case, coalesce(g.pipeline, 0) AS pipeline,'
    || '         coalesce(g.weighted, 0) AS weighted,'
    || '         coalesce(CASE WHEN $17 = ''region'''
    || '                       THEN (SELECT sum(tg.target) FROM tg JOIN subject_teams st ON st.id = tg.team_id'
    || '                              WHERE tg.team_id = k.key)'
    || '                       ELSE (SELECT sum(tg.target) FROM tg WHERE tg.user_id = k.key) END, 0)::bigint AS target'
    || '       FROM k LEFT JOIN g ON g.key IS NOT DISTINCT FROM k.key),'
    || ' total AS (SELECT ''total''::text AS kind, NULL::uuid AS id, ''''::text AS name,'
    || '         coalesce(sum(g.closed_won), 0)::bigint AS closed_won, coalesce(sum(g.commit), 0)::bigint AS commit,'
    || '         coalesce(sum(g.best_case), 0)::bigint AS best_case, coalesce(sum(g.pipeline), 0)::bigint AS pipeline,'
    || '         coalesce(sum(g.weighted), 0)::bigint AS weighted,'
    || '         coalesce(CASE $17 WHEN ''me'' THEN (SELECT sum(tg.target) FROM tg WHERE tg.user_id = $1)'
    || '                  ELSE (SELECT sum(tg.target) FROM tg JOIN subject_teams st ON st.id = tg.team_id) END,'
    || '                  0)::bigint AS target'
    || '       FROM g)'
    || ' SELECT a.kind, a.id, a.name, a.closed_won, a.commit, a.best_case, a.pipeline, a.weighted, a.target,'
    || '        CASE WHEN a.target > 0 THEN a.closed_won * 1000 / a.target END,'
    || '        a.target > 0 AND a.closed_won + a.commit < a.target'
    || '   FROM (SELECT 0 AS ord, total.* FROM total'
    || '         UNION ALL SELECT 1 + (r.kind = ''none'')::int, r.* FROM r) a'
    || '  ORDER BY a.ord, a.name, a.id'
  USING subject, scope.regions,
        f.owner_id, f.team_id, crm.region_subtree(f.region_id), f.product_line, f.amount_min, f.amount_max,
        f.close_from, f.close_to, st.stages, st.defaults, st.open, st.positions, p_start, p_end, p_kind;
END
$$;

------------------------------------------------------------------------
-- GET /pipeline/analysis

-- Per open stage, from the stage history of the source's opportunities:
--   entered   opportunities that ever entered the stage
--   advanced  of those, the ones that after first entering it entered a
--             stage of higher position other than lost
--   avg_days  the mean time from entering the stage to the next change of
--             stage, over the stays that ended, in tenths of days
--             (rounded); NULL when none ended
CREATE FUNCTION crm.pipeline_analysis_stages(p_kind text, p_id uuid, f crm.pipeline_filter)
  RETURNS TABLE (stage text, "position" smallint, entered bigint, advanced bigint, conversion bigint,
                 avg_days bigint)
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  scope record := crm.pipeline_scope(p_kind, p_id);
  st record := crm.pipeline_stage_arrays();
BEGIN
  IF scope.code IS NOT NULL THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'WITH x AS (SELECT o.id' || crm.pipeline_source(p_kind, scope.by_policy, f, NULL, false) || '),'
    || ' h AS (SELECT h.opportunity_id, h.to_stage, h.changed_at,'
    || '         ' || crm.pipeline_stage_column('h.to_stage', 'position') || ' AS position,'
    || '         row_number() OVER (PARTITION BY h.opportunity_id, h.to_stage ORDER BY h.changed_at, h.id) AS nth,'
    || '         lead(h.changed_at) OVER w AS left_at,'
    || '         max(CASE WHEN h.to_stage <> ''lost'' THEN ' || crm.pipeline_stage_column('h.to_stage', 'position')
    || '             END) OVER (w ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS later'
    || '       FROM crm.opportunity_stage_history h'
    || '      WHERE h.opportunity_id IN (SELECT x.id FROM x)'
    || '      WINDOW w AS (PARTITION BY h.opportunity_id ORDER BY h.changed_at, h.id)),'
    || ' g AS (SELECT h.to_stage, count(*) FILTER (WHERE h.nth = 1) AS entered,'
    || '         count(*) FILTER (WHERE h.nth = 1 AND h.later > h.position) AS advanced,'
    || '         avg(extract(epoch FROM h.left_at - h.changed_at)) AS stay'
    || '       FROM h GROUP BY h.to_stage)'
    || ' SELECT st.stage::text, st.position, coalesce(g.entered, 0), coalesce(g.advanced, 0),'
    || '        g.advanced * 1000 / nullif(g.entered, 0), round(g.stay / 8640)::bigint'
    || '   FROM ' || crm.pipeline_stage_rows('st') || ' LEFT JOIN g ON g.to_stage = st.stage'
    || '  WHERE st.is_open ORDER BY st.position'
  USING CASE WHEN p_kind = 'me' THEN crm.current_user_id() ELSE p_id END, scope.regions,
        f.owner_id, f.team_id, crm.region_subtree(f.region_id), f.product_line, f.amount_min, f.amount_max,
        f.close_from, f.close_to, st.stages, st.defaults, st.open, st.positions;
END
$$;

-- The won and lost ones of the source closed in each of the last four
-- quarters (the current one included), oldest first, then (quarter NULL)
-- the four together: counts, won amount, win rate (won in permille of won
-- and lost) and average deal size (the mean amount of the won, rounded to
-- the fen).
CREATE FUNCTION crm.pipeline_analysis_quarters(p_kind text, p_id uuid, f crm.pipeline_filter)
  RETURNS TABLE (quarter text, won_count bigint, won_amount bigint, lost_count bigint, win_rate bigint,
                 avg_deal_size bigint)
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  scope record := crm.pipeline_scope(p_kind, p_id);
  st record := crm.pipeline_stage_arrays();
  first_quarter date := (date_trunc('quarter', current_date) - interval '9 months')::date;
BEGIN
  IF scope.code IS NOT NULL THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'WITH x AS (SELECT ' || crm.pipeline_columns() || ', date_trunc(''quarter'', o.closed_on)::date AS q'
    || crm.pipeline_source(p_kind, scope.by_policy, f,
         $q$o.stage IN ('won', 'lost') AND o.closed_on >= $15 AND o.closed_on < $16$q$, false) || '),'
    || ' qs AS (SELECT (($15::date + make_interval(months => 3 * i)))::date AS q FROM generate_series(0, 3) i)'
    || ' SELECT CASE WHEN qs.q IS NULL THEN NULL'
    || '             ELSE extract(year FROM qs.q)::int || ''-Q'' || extract(quarter FROM qs.q)::int END,'
    || '        count(x.id) FILTER (WHERE x.stage = ''won''),'
    || '        coalesce(sum(x.amount) FILTER (WHERE x.stage = ''won''), 0)::bigint,'
    || '        count(x.id) FILTER (WHERE x.stage = ''lost''),'
    || '        count(x.id) FILTER (WHERE x.stage = ''won'') * 1000 / nullif(count(x.id), 0),'
    || '        round(avg(x.amount) FILTER (WHERE x.stage = ''won''))::bigint'
    || '   FROM qs LEFT JOIN x ON x.q = qs.q'
    || '  GROUP BY GROUPING SETS ((qs.q), ()) ORDER BY qs.q NULLS LAST'
  USING CASE WHEN p_kind = 'me' THEN crm.current_user_id() ELSE p_id END, scope.regions,
        f.owner_id, f.team_id, crm.region_subtree(f.region_id), f.product_line, f.amount_min, f.amount_max,
        f.close_from, f.close_to, st.stages, st.defaults, st.open, st.positions,
        first_quarter, (first_quarter + interval '12 months')::date;
END
$$;

-- Why the lost ones of the source closed in the last four quarters were
-- lost: per reason the count and amount, most frequent first.
CREATE FUNCTION crm.pipeline_lost_reasons(p_kind text, p_id uuid, f crm.pipeline_filter)
  RETURNS TABLE (reason text, count bigint, amount bigint)
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  scope record := crm.pipeline_scope(p_kind, p_id);
  st record := crm.pipeline_stage_arrays();
  first_quarter date := (date_trunc('quarter', current_date) - interval '9 months')::date;
BEGIN
  IF scope.code IS NOT NULL THEN
    RETURN;
  END IF;
  RETURN QUERY EXECUTE
    'WITH x AS (SELECT ' || crm.pipeline_columns()
    || crm.pipeline_source(p_kind, scope.by_policy, f,
         $q$o.stage = 'lost' AND o.closed_on >= $15 AND o.closed_on < $16$q$, false) || ')'
    || ' SELECT x.lost_reason, count(*), sum(x.amount)::bigint FROM x'
    || '  GROUP BY x.lost_reason ORDER BY count(*) DESC, sum(x.amount) DESC, x.lost_reason'
  USING CASE WHEN p_kind = 'me' THEN crm.current_user_id() ELSE p_id END, scope.regions,
        f.owner_id, f.team_id, crm.region_subtree(f.region_id), f.product_line, f.amount_min, f.amount_max,
        f.close_from, f.close_to, st.stages, st.defaults, st.open, st.positions,
        first_quarter, (first_quarter + interval '12 months')::date;
END
$$;

------------------------------------------------------------------------
-- Indexes

-- Won ones by the day they closed (the forecast's closed-won, beside
-- 0001's opportunities_close of the open ones by expected close).
CREATE INDEX opportunities_won_closed ON crm.opportunities (closed_on) WHERE stage = 'won';

-- A region's customers with what the customers' read policy reads, for an
-- index-only scan: the region scope's join and the hashed form of the
-- opportunities' read policy for a director each read the region's
-- customers (220,719 of a million for the demo director's province) and
-- went to the table for owner_id: a bitmap heap scan of 720 ms, against an
-- index-only scan of 150 ms (EXPLAIN ANALYZE of the board, a busy
-- machine).
CREATE INDEX customers_region_cover ON crm.customers (region_id) INCLUDE (id, owner_id);

GRANT EXECUTE ON FUNCTION crm.pipeline_scope(text, uuid), crm.pipeline_stage_arrays(), crm.pipeline_stage_rows(text),
  crm.pipeline_stage_column(text, text),
  crm.pipeline_source(text, boolean, crm.pipeline_filter, text, boolean),
  crm.pipeline_columns(), crm.pipeline_board(text, uuid, crm.pipeline_filter),
  crm.pipeline_forecast(text, uuid, crm.pipeline_filter, date, date),
  crm.pipeline_analysis_stages(text, uuid, crm.pipeline_filter),
  crm.pipeline_analysis_quarters(text, uuid, crm.pipeline_filter),
  crm.pipeline_lost_reasons(text, uuid, crm.pipeline_filter) TO keyline_app;
