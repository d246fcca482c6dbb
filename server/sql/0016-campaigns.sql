-- Campaigns planned, launched and measured (issue 11).
--
-- A campaign gains its offer (a product, and a price or a discount), a
-- cost per contact per channel, its control share (percent, default 10)
-- and when it was launched.  Launching (POST /campaigns/{id}/launch,
-- server/crm-handler-campaigns.c) snapshots the segment into members in
-- one transaction: crm.campaign_launch_lock() first, the compiled segment
-- as one INSERT which also draws the control group and assigns the others,
-- crm.campaign_launch_finish() last.  A member's conversion links the
-- opportunity or subscription it produced; the results
-- (crm.campaign_results()) are computed from the members and those
-- records, never from stored totals.
--
-- Words: the kinds are promotion (促销), outreach (推广), care (关怀),
-- retention (挽留) and now cross_sell (交叉销售).  The status 'finished'
-- becomes 'completed' (the issue's word); RENAME VALUE carries every row.

ALTER TYPE crm.campaign_kind ADD VALUE 'cross_sell';
ALTER TYPE crm.campaign_status RENAME VALUE 'finished' TO 'completed';

-- The channels' costs: {"sms": 8, "phone": 350} in fen per contact, a key
-- per channel of the campaign's.
CREATE FUNCTION crm.channel_costs_valid(costs jsonb, channels crm.channel_kind[]) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT jsonb_typeof(costs) = 'object'
     AND NOT EXISTS (SELECT 1 FROM jsonb_each(costs) e
                      WHERE e.key <> ALL (channels::text[])
                         OR jsonb_typeof(e.value) <> 'number'
                         OR (e.value)::numeric < 0
                         OR (e.value)::numeric <> trunc((e.value)::numeric))
$$;

ALTER TABLE crm.campaigns
  ADD COLUMN offer_product_id uuid REFERENCES crm.products (id),
  ADD COLUMN offer_price      bigint CHECK (offer_price >= 0),                     -- fen a month
  ADD COLUMN offer_discount   smallint CHECK (offer_discount BETWEEN 1 AND 100),   -- percent off
  ADD COLUMN channel_costs    jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN control_percent  smallint NOT NULL DEFAULT 10 CHECK (control_percent BETWEEN 0 AND 50),
  ADD COLUMN launched_at      timestamptz,
  ADD CONSTRAINT campaigns_channel_costs CHECK (crm.channel_costs_valid(channel_costs, channels)),
  ADD CONSTRAINT campaigns_one_offer_price CHECK (offer_price IS NULL OR offer_discount IS NULL);

-- The campaigns the seed (or anyone) ran before this migration were
-- launched when they started.
UPDATE crm.campaigns SET launched_at = starts_on::timestamptz
 WHERE status IN ('running', 'completed') AND launched_at IS NULL;

-- A member: assigned to an account manager (assigned_to) or to a channel's
-- queue (queue), never both; a conversion links what it produced.  The
-- control group is never assigned, never contacted: its only outcome is a
-- conversion the campaign did not cause (linked as any other).
ALTER TABLE crm.campaign_members
  ADD COLUMN queue           crm.channel_kind,
  ADD COLUMN opportunity_id  uuid REFERENCES crm.opportunities (id) ON DELETE SET NULL,
  ADD COLUMN subscription_id uuid REFERENCES crm.subscriptions (id) ON DELETE SET NULL;

-- The seed's control members had their account manager written in.
UPDATE crm.campaign_members SET assigned_to = NULL, channel = NULL, contacted_at = NULL,
       response = CASE WHEN response = 'converted' THEN 'converted'::crm.member_response ELSE 'pending' END,
       responded_at = CASE WHEN response = 'converted' THEN responded_at END
 WHERE is_control AND (assigned_to IS NOT NULL OR channel IS NOT NULL OR contacted_at IS NOT NULL
                       OR response NOT IN ('pending', 'converted'));

ALTER TABLE crm.campaign_members
  ADD CONSTRAINT campaign_members_one_assignee CHECK (assigned_to IS NULL OR queue IS NULL),
  ADD CONSTRAINT campaign_members_one_link CHECK (opportunity_id IS NULL OR subscription_id IS NULL),
  ADD CONSTRAINT campaign_members_control_untouched
    CHECK (NOT is_control OR (assigned_to IS NULL AND queue IS NULL AND channel IS NULL AND contacted_at IS NULL
                              AND response IN ('pending', 'converted')));
CREATE INDEX campaign_members_opportunity ON crm.campaign_members (opportunity_id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX campaign_members_subscription ON crm.campaign_members (subscription_id) WHERE subscription_id IS NOT NULL;

------------------------------------------------------------------------
-- Segments: what the compiled criteria need (server/crm-segment.c)

-- The regions under any of @roots (and the roots).
CREATE FUNCTION crm.region_subtrees(roots uuid[]) RETURNS uuid[]
  LANGUAGE sql STABLE AS
$$
  WITH RECURSIVE t(id) AS (
    SELECT r.id FROM crm.regions r WHERE r.id = ANY (roots)
    UNION
    SELECT r.id FROM crm.regions r JOIN t ON r.parent_id = t.id
  )
  SELECT coalesce(array_agg(id), '{}') FROM t
$$;

-- What the criteria's plans need at 1,000,000 customers (docs/internals.md,
-- "Segments and campaigns"): churn risk is selective; the others are
-- index-only sets of customers the condition hashes (a contract ending in
-- a window, an active product of a category, a contact since a date; the
-- columns the read policies test are in them).  Most criteria on
-- customers' own columns match a large share and scan the table.
CREATE INDEX customers_churn_risk ON crm.customers (churn_risk) WHERE churn_risk IS NOT NULL;
CREATE INDEX subscriptions_active_contract_end ON crm.subscriptions (contract_end) INCLUDE (customer_id)
  WHERE status = 'active';
CREATE INDEX subscriptions_active_product ON crm.subscriptions (product_id, customer_id) WHERE status = 'active';
CREATE INDEX interactions_occurred ON crm.interactions (occurred_at) INCLUDE (customer_id);

------------------------------------------------------------------------
-- Outcomes: never on a control member, and a link of the member's own
-- customer.  The same function as 0009's otherwise.

CREATE OR REPLACE FUNCTION crm.apply_campaign_member(p_op text, p_key jsonb, p_fields jsonb, p_base jsonb,
                                                     p_masks jsonb,
                                                     OUT code text, OUT field text, OUT conflicts jsonb)
  LANGUAGE plpgsql AS
$$
DECLARE
  f jsonb := crm.jsonb_timestamp_as_row(crm.jsonb_timestamp_as_row(p_fields, 'contacted_at'), 'responded_at');
  base jsonb := crm.jsonb_timestamp_as_row(crm.jsonb_timestamp_as_row(p_base, 'contacted_at'), 'responded_at');
  campaign uuid := (p_key->>'campaign_id')::uuid;
  customer uuid := (p_key->>'customer_id')::uuid;
  planner boolean := crm.current_role() IN ('admin', 'marketing');
  may boolean;
  control boolean;
  now_row jsonb;
BEGIN
  IF p_op <> 'update' THEN
    code := 'invalid'; field := 'op';
    RETURN;
  END IF;
  SELECT planner OR crm.may_change_customer(c.owner_id, c.region_id), m.is_control INTO may, control
    FROM crm.campaign_members m JOIN crm.customers c ON c.id = m.customer_id
   WHERE m.campaign_id = campaign AND m.customer_id = customer;
  IF NOT FOUND THEN
    code := 'not_found'; field := 'id';
    RETURN;
  ELSIF NOT may THEN
    code := 'forbidden'; field := 'id';
    RETURN;
  ELSIF control THEN
    -- the control group is not contacted; only those who may know it is
    -- one are told why (the others do not receive is_control)
    code := 'forbidden'; field := CASE WHEN planner THEN 'is_control' ELSE 'id' END;
    RETURN;
  END IF;
  IF f ? 'opportunity_id' AND f->>'opportunity_id' IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM crm.opportunities o WHERE o.id = (f->>'opportunity_id')::uuid
                                                         AND o.customer_id = customer) THEN
    code := 'invalid'; field := 'opportunity_id';
    RETURN;
  END IF;
  IF f ? 'subscription_id' AND f->>'subscription_id' IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.id = (f->>'subscription_id')::uuid
                                                         AND s.customer_id = customer) THEN
    code := 'invalid'; field := 'subscription_id';
    RETURN;
  END IF;
  SELECT to_jsonb(x) INTO now_row FROM crm.campaign_members x
   WHERE x.campaign_id = campaign AND x.customer_id = customer FOR UPDATE;
  IF now_row IS NULL THEN
    code := 'not_found'; field := 'id';
    RETURN;
  END IF;
  conflicts := crm.merge_conflicts(now_row, f, base, p_masks);
  IF conflicts <> '{}'::jsonb THEN
    code := 'conflict';
    RETURN;
  END IF;
  UPDATE crm.campaign_members m SET
    channel         = CASE WHEN f ? 'channel' THEN (f->>'channel')::crm.channel_kind ELSE m.channel END,
    contacted_at    = CASE WHEN f ? 'contacted_at' THEN (f->>'contacted_at')::timestamptz ELSE m.contacted_at END,
    response        = CASE WHEN f ? 'response' THEN (f->>'response')::crm.member_response ELSE m.response END,
    responded_at    = CASE WHEN f ? 'responded_at' THEN (f->>'responded_at')::timestamptz ELSE m.responded_at END,
    opportunity_id  = CASE WHEN f ? 'opportunity_id' THEN (f->>'opportunity_id')::uuid ELSE m.opportunity_id END,
    subscription_id = CASE WHEN f ? 'subscription_id' THEN (f->>'subscription_id')::uuid ELSE m.subscription_id END
  WHERE m.campaign_id = campaign AND m.customer_id = customer;
  code := 'ok';
END
$$;

------------------------------------------------------------------------
-- Launch

-- The custom SQLSTATE KL409 is a 409 (server/crm-db.c).
CREATE FUNCTION crm.campaign_launch_lock(p_id uuid) RETURNS void
  LANGUAGE plpgsql AS
$$
DECLARE
  camp crm.campaigns;
BEGIN
  IF crm.current_role() NOT IN ('admin', 'marketing') THEN
    RAISE EXCEPTION 'only marketing launches campaigns' USING ERRCODE = '42501';
  END IF;
  SELECT * INTO camp FROM crm.campaigns c WHERE c.id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no such campaign' USING ERRCODE = 'KL404';
  END IF;
  IF camp.launched_at IS NOT NULL OR camp.status NOT IN ('draft', 'planned') THEN
    RAISE EXCEPTION 'campaign launched before or not in draft or planned' USING ERRCODE = 'KL409';
  END IF;
  IF EXISTS (SELECT 1 FROM crm.campaign_members m WHERE m.campaign_id = p_id) THEN
    RAISE EXCEPTION 'campaign has members already' USING ERRCODE = 'KL409';
  END IF;
END
$$;

-- After the members are in (the launch's INSERT drew the control group,
-- exactly round(share × members) of them at random, and assigned the
-- others to their customer's account manager, an active manager, or else
-- to the queue of the campaign's first channel, as it inserted them: one
-- pass, no second write of every row): the campaign is running.  Returns
-- the counts.
CREATE FUNCTION crm.campaign_launch_finish(p_id uuid) RETURNS json
  LANGUAGE plpgsql AS
$$
DECLARE
  counts record;
BEGIN
  SELECT count(*) AS members, count(*) FILTER (WHERE m.is_control) AS control,
         count(m.assigned_to) AS assigned, count(m.queue) AS queued
    INTO counts FROM crm.campaign_members m WHERE m.campaign_id = p_id;
  UPDATE crm.campaigns c SET status = 'running', launched_at = clock_timestamp() WHERE c.id = p_id;
  RETURN json_build_object('campaign_id', p_id, 'status', 'running', 'members', counts.members,
                           'control', counts.control, 'treated', counts.members - counts.control,
                           'assigned', counts.assigned, 'queued', counts.queued);
END
$$;

------------------------------------------------------------------------
-- Results

-- A converted member's attributed revenue, fen: the first 12 months of
-- the linked record's recurring revenue plus its one-off amount (a won
-- opportunity: amount_once + 12 × amount_monthly; a subscription: 12 ×
-- monthly_fee).  Marketing reads no opportunity (0006), so this reads the
-- linked records as an administrator, as 0002's departure triggers do,
-- but only those linked from the members of @p_id the caller sees, and
-- returns only the sums.
CREATE FUNCTION crm.campaign_conversion_revenue(p_id uuid)
  RETURNS TABLE (customer_id uuid, revenue bigint)
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  links jsonb;
BEGIN
  -- as the caller: the members they see, and their links
  SELECT coalesce(jsonb_agg(jsonb_build_array(m.customer_id, m.opportunity_id, m.subscription_id)), '[]')
    INTO links
    FROM crm.campaign_members m
   WHERE m.campaign_id = p_id AND m.response = 'converted'
     AND (m.opportunity_id IS NOT NULL OR m.subscription_id IS NOT NULL);
  PERFORM set_config('keyline.role', 'admin', true);
  RETURN QUERY
    SELECT (l->>0)::uuid,
           coalesce((SELECT o.amount_once + 12 * o.amount_monthly FROM crm.opportunities o
                      WHERE o.id = (l->>1)::uuid AND o.stage = 'won'), 0)
         + coalesce((SELECT 12 * s.monthly_fee FROM crm.subscriptions s WHERE s.id = (l->>2)::uuid), 0)
      FROM jsonb_array_elements(links) l;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
END
$$;

-- The two-sided 97.5 % quantile of Student's t with @df degrees of
-- freedom: the normal quantile's Cornish-Fisher series in 1/df, four terms
-- after z (Abramowitz and Stegun 26.7.5; 1.97297 at df = 183.6, where
-- tables interpolate 1.97295).
CREATE FUNCTION crm.t_975(df double precision) RETURNS double precision
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT z + (z^3 + z) / (4 * df)
           + (5 * z^5 + 16 * z^3 + 3 * z) / (96 * df^2)
           + (3 * z^7 + 19 * z^5 + 17 * z^3 - 15 * z) / (384 * df^3)
           + (79 * z^9 + 776 * z^7 + 1482 * z^5 - 1920 * z^3 - 945 * z) / (92160 * df^4)
    FROM (SELECT 1.959963984540054::double precision AS z) q
$$;

-- Uplift in conversion: difference of proportions, treated minus control,
-- with its normal-approximation (Wald) 95 % interval.
CREATE FUNCTION crm.uplift_proportion(x_t bigint, n_t bigint, x_c bigint, n_c bigint) RETURNS json
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT CASE WHEN n_t = 0 OR n_c = 0 THEN json_build_object('estimate', NULL, 'lower', NULL, 'upper', NULL)
         ELSE json_build_object('estimate', d, 'lower', d - 1.959963984540054 * se,
                                'upper', d + 1.959963984540054 * se) END
    FROM (SELECT x_t::double precision / nullif(n_t, 0) - x_c::double precision / nullif(n_c, 0) AS d,
                 sqrt((x_t::double precision / nullif(n_t, 0)) * (1 - x_t::double precision / nullif(n_t, 0)) / nullif(n_t, 0)
                    + (x_c::double precision / nullif(n_c, 0)) * (1 - x_c::double precision / nullif(n_c, 0)) / nullif(n_c, 0))
                   AS se) q
$$;

-- Uplift in revenue per member: difference of means, treated minus
-- control, with Welch's 95 % interval (t at the Welch-Satterthwaite
-- degrees of freedom).  @v_* are sample variances.
CREATE FUNCTION crm.uplift_means(m_t double precision, v_t double precision, n_t bigint,
                                 m_c double precision, v_c double precision, n_c bigint) RETURNS json
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT CASE WHEN n_t < 2 OR n_c < 2 THEN json_build_object('estimate', NULL, 'lower', NULL, 'upper', NULL)
              WHEN a + b = 0 THEN json_build_object('estimate', m_t - m_c, 'lower', m_t - m_c, 'upper', m_t - m_c)
         ELSE json_build_object('estimate', m_t - m_c,
                                'lower', m_t - m_c - crm.t_975(df) * sqrt(a + b),
                                'upper', m_t - m_c + crm.t_975(df) * sqrt(a + b),
                                'df', df) END
    FROM (SELECT a, b, (a + b)^2 / nullif(a^2 / (n_t - 1) + b^2 / (n_c - 1), 0) AS df
            FROM (SELECT v_t / n_t AS a, v_c / n_c AS b) s) q
$$;

-- One group's figures (the totals, a channel's, a tier's...).
CREATE FUNCTION crm.campaign_figures(targets bigint, contacted bigint, responded bigint, converted bigint,
                                     revenue numeric, cost numeric) RETURNS jsonb
  LANGUAGE sql IMMUTABLE AS
$$
  SELECT jsonb_build_object('targets', targets, 'contacted', contacted, 'responded', responded,
                            'converted', converted, 'revenue', revenue::bigint, 'cost', cost::bigint,
                            'response_rate', responded::double precision / nullif(targets, 0),
                            'conversion_rate', converted::double precision / nullif(targets, 0),
                            'cost_per_response', round(cost / nullif(responded, 0))::bigint,
                            'roi', ((revenue - cost) / nullif(cost, 0))::double precision)
$$;

-- GET /campaigns/{id}/results: every figure from the members the caller
-- sees and their linked records.  NULL for a campaign the caller cannot
-- see.  Treated members are the campaign's targets; a member was
-- contacted once an outcome other than pending or unreachable is
-- recorded; responded: responded or converted; each attempt (an outcome
-- other than pending, on a channel) costs the channel's cost per contact.
CREATE FUNCTION crm.campaign_results(p_id uuid) RETURNS json
  LANGUAGE plpgsql STABLE AS
$$
DECLARE
  camp crm.campaigns;
  out json;
BEGIN
  SELECT * INTO camp FROM crm.campaigns c WHERE c.id = p_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  WITH rev AS (SELECT * FROM crm.campaign_conversion_revenue(p_id)),
  m AS (
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
  g AS (
    SELECT grouping(channel, tier, region_id, assigned_to, queue) AS gs, channel, tier, region_id, assigned_to, queue,
           crm.campaign_figures(count(*) FILTER (WHERE NOT is_control),
                                count(*) FILTER (WHERE contacted AND NOT is_control),
                                count(*) FILTER (WHERE responded AND NOT is_control),
                                count(*) FILTER (WHERE converted AND NOT is_control),
                                coalesce(sum(revenue) FILTER (WHERE NOT is_control), 0),
                                coalesce(sum(cost), 0)) AS f
      FROM m WHERE NOT is_control
     GROUP BY GROUPING SETS ((channel), (tier), (region_id), (assigned_to, queue))),
  s AS (
    SELECT count(*) FILTER (WHERE NOT is_control) AS n_t, count(*) FILTER (WHERE is_control) AS n_c,
           count(*) FILTER (WHERE contacted AND NOT is_control) AS contacted,
           count(*) FILTER (WHERE responded AND NOT is_control) AS responded,
           count(*) FILTER (WHERE converted AND NOT is_control) AS x_t,
           count(*) FILTER (WHERE converted AND is_control) AS x_c,
           coalesce(sum(revenue) FILTER (WHERE NOT is_control), 0) AS revenue,
           coalesce(sum(cost), 0) AS cost,
           avg(revenue) FILTER (WHERE NOT is_control) AS m_t, var_samp(revenue) FILTER (WHERE NOT is_control) AS v_t,
           avg(revenue) FILTER (WHERE is_control) AS m_c, var_samp(revenue) FILTER (WHERE is_control) AS v_c,
           coalesce(sum(revenue) FILTER (WHERE is_control), 0) AS revenue_c
      FROM m),
  w AS (
    SELECT wk, count(*) FILTER (WHERE kind = 'contacted') AS contacted,
           count(*) FILTER (WHERE kind = 'responded') AS responded,
           count(*) FILTER (WHERE kind = 'converted') AS converted,
           coalesce(sum(revenue) FILTER (WHERE kind = 'converted'), 0) AS revenue
      FROM (SELECT date_trunc('week', contacted_at)::date AS wk, 'contacted' AS kind, 0 AS revenue
              FROM m WHERE contacted AND NOT is_control AND contacted_at IS NOT NULL
            UNION ALL
            SELECT date_trunc('week', responded_at)::date, 'responded', 0
              FROM m WHERE responded AND NOT is_control AND responded_at IS NOT NULL
            UNION ALL
            SELECT date_trunc('week', responded_at)::date, 'converted', revenue
              FROM m WHERE converted AND NOT is_control AND responded_at IS NOT NULL) e
     GROUP BY wk)
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
                            FROM g WHERE g.gs = 15),
           'by_tier', (SELECT coalesce(json_agg(jsonb_build_object('tier', g.tier) || g.f ORDER BY g.tier), '[]')
                         FROM g WHERE g.gs = 23),
           'by_region', (SELECT coalesce(json_agg(jsonb_build_object('region_id', g.region_id,
                                                                     'region', rg.name) || g.f
                                                  ORDER BY rg.code), '[]')
                           FROM g LEFT JOIN crm.regions rg ON rg.id = g.region_id WHERE g.gs = 27),
           'by_assignee', (SELECT coalesce(json_agg(jsonb_build_object('user_id', g.assigned_to,
                                                                       'name', u.display_name,
                                                                       'queue', g.queue) || g.f
                                                    ORDER BY u.display_name NULLS LAST, g.queue), '[]')
                             FROM g LEFT JOIN crm.user_directory u ON u.id = g.assigned_to WHERE g.gs = 28),
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

GRANT EXECUTE ON FUNCTION crm.channel_costs_valid(jsonb, crm.channel_kind[]), crm.region_subtrees(uuid[]),
  crm.campaign_launch_lock(uuid), crm.campaign_launch_finish(uuid), crm.campaign_conversion_revenue(uuid),
  crm.t_975(double precision), crm.uplift_proportion(bigint, bigint, bigint, bigint),
  crm.uplift_means(double precision, double precision, bigint, double precision, double precision, bigint),
  crm.campaign_figures(bigint, bigint, bigint, bigint, numeric, numeric), crm.campaign_results(uuid)
  TO keyline_app;
