-- A campaign's launch and results at 200,000 members (issue 11).
--
-- Measured at 1,000,000 customers (docs/plans/campaign-launch-0023.txt):
-- a launch of 200,006 members took 25 s under load, its results 3.3 s.
--
-- Launch.  The members are still one INSERT over the compiled segment
-- (server/crm-handler-campaigns.c), which now inserts them in customer
-- order (the control group is still drawn by random(): the order of the
-- insert is not the order of the draw) and counts what it inserted
-- through RETURNING, so that crm.campaign_launch_finish() no longer reads
-- every member again: the handler passes it the counts.  Inserting in key
-- order makes the index entries and the foreign-key probes of the members
-- (customer, campaign, account manager) fall on pages read just before,
-- and leaves a campaign's members together on the heap in the order
-- their key is read.  The five foreign-key checks of each member stay:
-- they are what is left of the time (see the plans).
--
-- Results.  crm.campaign_results() returns the same document (but for the
-- order of account managers of one name, now by user id), from fewer
-- passes: the members are read once and joined to their customers through
-- customers_id_cover (id, with tier, region and owner: index-only, the
-- read policy's columns included) in one ordered pass, a merge join, when
-- the campaign holds more than a tenth of the customers, else by key, and
-- never by hashing all 1,000,000 customers (spilled to disk, 0016's plan);
-- the figures are two aggregates over that one pass (the totals with the
-- control group's; the breakdowns and the weeks as grouping sets) rather
-- than five.  The means and sample variances of the revenue per member are
-- the exact numeric expressions avg() and var_samp() evaluate (sum / n and
-- (n Σx² − (Σx)²) / (n (n − 1))), from sums over the members with revenue
-- only.  crm.campaign_conversion_revenue() finds the converted members
-- through a partial index and reads their linked records as one join.
--
-- Every statement here may run again (bench/campaigns-launch puts an
-- older build's definitions back between rounds, drops this file's indexes
-- and lets the newer server migrate again).

-- Each customer's key with what the results group by and what the read
-- policy tests: the results read the members' customers from it alone.
-- (One more index on customers: 1 s to build at 1,000,000; an update of a
-- tier is no longer a HOT update.)
CREATE INDEX IF NOT EXISTS customers_id_cover ON crm.customers (id) INCLUDE (tier, region_id, owner_id);
-- The converted members that link a record: what the results read first
-- (crm.campaign_conversion_revenue()), a few thousand of 200,000 members.
CREATE INDEX IF NOT EXISTS campaign_members_converted_link ON crm.campaign_members (campaign_id)
  WHERE response = 'converted' AND (opportunity_id IS NOT NULL OR subscription_id IS NOT NULL);

-- After the members are in: the campaign is running.  @p_members ...
-- are the counts of what the launch's INSERT inserted (its RETURNING),
-- returned as the launch's answer.
CREATE OR REPLACE FUNCTION crm.campaign_launch_finish(p_id uuid, p_members bigint, p_control bigint,
                                                      p_assigned bigint, p_queued bigint) RETURNS json
  LANGUAGE plpgsql AS
$$
BEGIN
  UPDATE crm.campaigns c SET status = 'running', launched_at = clock_timestamp() WHERE c.id = p_id;
  RETURN json_build_object('campaign_id', p_id, 'status', 'running', 'members', p_members,
                           'control', p_control, 'treated', p_members - p_control,
                           'assigned', p_assigned, 'queued', p_queued);
END
$$;

-- As 0016's: the links of the converted members the caller sees, then
-- their records read as an administrator, only the amounts returned.  One
-- join over the links rather than two subqueries per link.
CREATE OR REPLACE FUNCTION crm.campaign_conversion_revenue(p_id uuid)
  RETURNS TABLE (customer_id uuid, revenue bigint)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp
  SET enable_hashjoin = on SET enable_nestloop = on AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  customers uuid[];
  opportunities uuid[];
  subscriptions uuid[];
BEGIN
  -- as the caller: the members they see, and their links
  SELECT coalesce(array_agg(m.customer_id), '{}'), coalesce(array_agg(m.opportunity_id), '{}'),
         coalesce(array_agg(m.subscription_id), '{}')
    INTO customers, opportunities, subscriptions
    FROM crm.campaign_members m
   WHERE m.campaign_id = p_id AND m.response = 'converted'
     AND (m.opportunity_id IS NOT NULL OR m.subscription_id IS NOT NULL);
  PERFORM set_config('keyline.role', 'admin', true);
  RETURN QUERY
    SELECT l.customer_id,
           coalesce(o.amount_once + 12 * o.amount_monthly, 0) + coalesce(12 * s.monthly_fee, 0)
      FROM unnest(customers, opportunities, subscriptions) l (customer_id, opportunity_id, subscription_id)
      LEFT JOIN crm.opportunities o ON o.id = l.opportunity_id AND o.stage = 'won'
      LEFT JOIN crm.subscriptions s ON s.id = l.subscription_id;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
END
$$;

-- GET /campaigns/{id}/results: 0016's document (the same figures, the
-- same order, the same JSON), from one pass over the members.
CREATE OR REPLACE FUNCTION crm.campaign_results(p_id uuid) RETURNS json
  LANGUAGE plpgsql STABLE
  SET enable_hashjoin = off SET enable_nestloop = on SET enable_memoize = off SET plan_cache_mode = force_custom_plan AS
$$
DECLARE
  camp crm.campaigns;
  out json;
BEGIN
  SELECT * INTO camp FROM crm.campaigns c WHERE c.id = p_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- The members' customers: a campaign of more than a tenth of the
  -- customers reads them in one pass over customers_id_cover in key order
  -- (a merge join); a smaller one probes them one by one (a nested loop).
  -- Never a hash of every customer.  (Planned at each call, with these
  -- settings: plan_cache_mode above; the function's SET clauses undo them.)
  IF EXISTS (SELECT 1 FROM crm.campaign_members x WHERE x.campaign_id = p_id
              OFFSET greatest((SELECT c.reltuples FROM pg_class c WHERE c.oid = 'crm.customers'::regclass)::bigint / 10,
                              100)) THEN
    PERFORM set_config('enable_nestloop', 'off', true);
  END IF;
  WITH rev AS (SELECT * FROM crm.campaign_conversion_revenue(p_id)),
  m AS MATERIALIZED (
    SELECT x.is_control, x.channel, cu.tier, cu.region_id, x.assigned_to, x.queue,
           x.response IN ('contacted', 'responded', 'converted', 'declined', 'opted_out') AS contacted,
           x.response IN ('responded', 'converted') AS responded,
           x.response = 'converted' AS converted,
           coalesce(r.revenue, 0) AS revenue,
           CASE WHEN x.response <> 'pending' AND x.channel IS NOT NULL AND NOT x.is_control
                THEN coalesce((camp.channel_costs ->> x.channel::text)::bigint, 0) ELSE 0 END AS cost,
           x.contacted_at, x.responded_at
      FROM crm.campaign_members x
      JOIN crm.customers cu ON cu.id = x.customer_id
      LEFT JOIN rev r ON r.customer_id = x.customer_id
     WHERE x.campaign_id = p_id),
  -- the totals: n, sums and the sums of squares of the revenue per member
  t AS (
    SELECT count(*) FILTER (WHERE NOT is_control) AS n_t, count(*) FILTER (WHERE is_control) AS n_c,
           count(*) FILTER (WHERE contacted AND NOT is_control) AS contacted,
           count(*) FILTER (WHERE responded AND NOT is_control) AS responded,
           count(*) FILTER (WHERE converted AND NOT is_control) AS x_t,
           count(*) FILTER (WHERE converted AND is_control) AS x_c,
           sum(revenue) FILTER (WHERE NOT is_control) AS sum_t,
           sum(revenue) FILTER (WHERE is_control) AS sum_c,
           coalesce(sum(revenue::numeric * revenue) FILTER (WHERE NOT is_control AND revenue <> 0), 0) AS sq_t,
           coalesce(sum(revenue::numeric * revenue) FILTER (WHERE is_control AND revenue <> 0), 0) AS sq_c,
           coalesce(sum(cost), 0) AS cost
      FROM m),
  -- avg() and var_samp() as PostgreSQL computes them from those sums
  s AS (
    SELECT t.*, coalesce(sum_t, 0) AS revenue, coalesce(sum_c, 0) AS revenue_c,
           sum_t / nullif(n_t, 0)::numeric AS m_t, sum_c / nullif(n_c, 0)::numeric AS m_c,
           CASE WHEN n_t > 1 THEN greatest(n_t::numeric * sq_t - sum_t * sum_t, 0)
                                  / (n_t::numeric * (n_t - 1)::numeric) END AS v_t,
           CASE WHEN n_c > 1 THEN greatest(n_c::numeric * sq_c - sum_c * sum_c, 0)
                                  / (n_c::numeric * (n_c - 1)::numeric) END AS v_c
      FROM t),
  -- the breakdowns of the treated members, and the weeks of their
  -- contacts (wc) and responses (wr)
  a AS (
    SELECT grouping(channel, tier, region_id, assigned_to, queue, wc, wr) AS gs,
           channel, tier, region_id, assigned_to, queue, wc, wr,
           count(*) AS targets, count(*) FILTER (WHERE contacted) AS contacted,
           count(*) FILTER (WHERE responded) AS responded, count(*) FILTER (WHERE converted) AS converted,
           coalesce(sum(revenue), 0) AS revenue, coalesce(sum(cost), 0) AS cost
      FROM (SELECT m.*,
                   CASE WHEN contacted AND contacted_at IS NOT NULL THEN date_trunc('week', contacted_at)::date END AS wc,
                   CASE WHEN responded AND responded_at IS NOT NULL THEN date_trunc('week', responded_at)::date END AS wr
              FROM m WHERE NOT is_control) e
     GROUP BY GROUPING SETS ((channel), (tier), (region_id), (assigned_to, queue), (wc), (wr))),
  g AS (
    SELECT gs, channel, tier, region_id, assigned_to, queue,
           crm.campaign_figures(targets, contacted, responded, converted, revenue, cost) AS f
      FROM a WHERE gs IN (63, 95, 111, 115)),
  w AS (
    SELECT coalesce(c.wc, r.wr) AS wk, coalesce(c.contacted, 0) AS contacted, coalesce(r.responded, 0) AS responded,
           coalesce(r.converted, 0) AS converted, coalesce(r.revenue, 0) AS revenue
      FROM (SELECT wc, targets AS contacted FROM a WHERE gs = 125 AND wc IS NOT NULL) c
      FULL JOIN (SELECT wr, targets AS responded, converted, revenue FROM a WHERE gs = 126 AND wr IS NOT NULL) r
        ON r.wr = c.wc)
  SELECT json_build_object(
           'campaign_id', camp.id, 'name', camp.name, 'status', camp.status, 'launched_at', camp.launched_at,
           'budget', camp.budget, 'control_percent', camp.control_percent,
           'totals', crm.campaign_figures(s.n_t, s.contacted, s.responded, s.x_t, s.revenue, s.cost),
           'control', json_build_object('members', s.n_c, 'converted', s.x_c,
                                        'conversion_rate', s.x_c::double precision / nullif(s.n_c, 0),
                                        'revenue', s.revenue_c::bigint),
           'uplift', json_build_object(
              'conversion', crm.uplift_proportion(s.x_t, s.n_t, s.x_c, s.n_c),
              'revenue', crm.uplift_means(s.m_t, s.v_t, s.n_t, s.m_c, s.v_c, s.n_c)),
           'by_channel', (SELECT coalesce(json_agg(jsonb_build_object('channel', g.channel) || g.f
                                                   ORDER BY g.channel NULLS LAST), '[]')
                            FROM g WHERE g.gs = 63),
           'by_tier', (SELECT coalesce(json_agg(jsonb_build_object('tier', g.tier) || g.f ORDER BY g.tier), '[]')
                         FROM g WHERE g.gs = 95),
           'by_region', (SELECT coalesce(json_agg(jsonb_build_object('region_id', g.region_id,
                                                                     'region', rg.name) || g.f
                                                  ORDER BY rg.code), '[]')
                           FROM g LEFT JOIN crm.regions rg ON rg.id = g.region_id WHERE g.gs = 111),
           'by_assignee', (SELECT coalesce(json_agg(jsonb_build_object('user_id', g.assigned_to,
                                                                       'name', u.display_name,
                                                                       'queue', g.queue) || g.f
                                                    ORDER BY u.display_name NULLS LAST, g.queue, g.assigned_to), '[]')
                             FROM g LEFT JOIN crm.user_directory u ON u.id = g.assigned_to WHERE g.gs = 115),
           'by_week', (SELECT coalesce(json_agg(json_build_object('week', w.wk, 'contacted', w.contacted,
                                                                  'responded', w.responded,
                                                                  'converted', w.converted,
                                                                  'revenue', w.revenue::bigint) ORDER BY w.wk), '[]')
                         FROM w))
    INTO out
    FROM s;
  RETURN out;
END
$$;

GRANT EXECUTE ON FUNCTION crm.campaign_launch_finish(uuid, bigint, bigint, bigint, bigint),
  crm.campaign_conversion_revenue(uuid), crm.campaign_results(uuid)
  TO keyline_app;
