-- The 360° view of one customer (issue 9): GET /api/v1/customers/{id}/360
-- answers with one JSON document that PostgreSQL builds in one statement,
-- SELECT crm.customer_360($1, $2), run as the caller after
-- crm.authenticate(), so every table's read policy applies.  For callers
-- without a local copy of the customer (a director looking outside the
-- client's window, integrations); the desktop page reads its store.
--
-- The document (docs/openapi.yaml, Customer360):
--   customer          the record, plus region_name and owner_name
--   figures           docs/internals.md, "360° figures"
--   contacts          primary first, then by name
--   subscriptions     each with its product (category: the product line)
--   revenue_months    the latest 24, oldest first
--   opportunities     the open ones (stage neither won nor lost)
--   service_requests  the open ones (open, in_progress), each with its
--                     current step (the open step of lowest position), its
--                     owner's name and whether it is overdue
--   timeline          interactions, service requests opened and closed,
--                     service steps (done, or due), opportunity stage
--                     changes and campaign memberships, newest first: the
--                     latest 200 (timeline_total counts them all)
-- A section whose entity the caller's role reads none of (the entity
-- table's readable_by) is null, and so is every figure drawn from it.
--
-- Records are the entity table's (shared/crm-entity.c) as the sync sends
-- them: to_jsonb() of the row less what @p_rules drops for the caller's
-- role (server-only columns, fields withheld from the role), with the
-- fields masked for the role masked by crm.mask_text() (0005, held equal
-- to shared/crm-validate.c by tests/test-server-mutations.c).  @p_rules
-- comes from the server, built from the entity table for every role
-- (server/crm-handler-customer-360.c), and is read here for
-- crm.current_role(), the role this transaction authenticated:
--   {"manager": {"contact": {"read": true, "drop": "{sync_xid}",
--                            "mask": {"id_number": [2, 0], ...}}, ...}, ...}
-- so a change of masks in the entity table reaches this document with no
-- change here (tests/test-server-360.c compares both for every role).
-- "drop" is a text[] literal, read with a cast: a jsonb array needed a
-- subquery per entity, planned at every call (5 ms of 7).
--
-- Speed (docs/plans/customer-360.txt): the read policies of the tables
-- under a customer look a row's customer up by key when a statement reads
-- few rows (below), the statement is planned once per
-- connection (a custom plan, with every table's policy in it, took about
-- 15 ms to plan at each call), the record helper is PL/pgSQL, each kind
-- of the timeline builds records for its latest 200 rows alone and
-- counts the rest with a window, and the revenue months and service
-- steps are read once each.

------------------------------------------------------------------------
-- Read policies for one customer's rows
--
-- 0006 made a child row's check "customer_id IN (the set of customers the
-- caller sees)": one hashed set per statement, fast when a statement reads
-- a whole table (the sync), but a statement that reads one customer's rows
-- builds the set all the same: the 150 customers of a manager, the 220,000
-- of the demo's director of Guangdong on a million customers, once per
-- table it reads; and a stage change or a service step was checked against
-- every opportunity or request the caller sees.  GET /360 of one customer
-- took 58 ms of CPU for a manager and 1.3 s for a director, 1.5 ms for an
-- administrator (whose rows pass on the role alone).
--
-- The same rules as EXISTS: PostgreSQL plans an EXISTS both ways (a
-- lookup per row, or the hashed set) and keeps the cheaper for the number
-- of rows it expects, so a whole-table read keeps its set and a read of
-- one customer's rows looks its customer up by key.
DO $$
DECLARE
  visible text := '((SELECT crm.current_role() IN (''admin'', ''marketing'', ''service''))
    OR ((SELECT crm.current_role()) = ''manager''
        AND EXISTS (SELECT 1 FROM crm.customers c
                     WHERE c.id = customer_id AND c.owner_id = (SELECT crm.current_user_id())))
    OR ((SELECT crm.current_role()) = ''director''
        AND EXISTS (SELECT 1 FROM crm.customers c
                     WHERE c.id = customer_id AND c.region_id = ANY ((SELECT crm.visible_regions())::uuid[]))))';
  t record;
BEGIN
  -- table, roles that read it through its customer, extra condition (0006)
  FOR t IN SELECT * FROM (VALUES
      ('contacts',         '{admin,director,manager,service}',           'true'),
      ('subscriptions',    '{admin,director,manager,marketing,service}', 'true'),
      ('revenue_months',   '{admin,director,manager,marketing}',
       '((SELECT crm.current_role()) <> ''director'' OR month >= (SELECT crm.director_horizon()))'),
      ('interactions',     '{admin,director,manager,marketing}',
       '((SELECT crm.current_role()) <> ''director'' OR occurred_at >= (SELECT crm.director_horizon()))'),
      ('opportunities',    '{admin,director,manager}',                   'true'),
      ('campaign_members', '{admin,director,manager,marketing}',         'true')
    ) AS v (name, roles, extra)
  LOOP
    EXECUTE format('ALTER POLICY %I ON crm.%I USING (
                      (SELECT crm.current_role() = ANY (%L::text[]))
                      AND %s
                      AND %s)', t.name || '_read', t.name, t.roles, visible, t.extra);
  END LOOP;
  EXECUTE format('ALTER POLICY service_requests_read ON crm.service_requests USING (
                    ((SELECT crm.current_role() = ANY (''{admin,director,manager}''::text[]))
                     AND %s)
                    OR ((SELECT crm.current_role()) = ''service'' AND team_id = (SELECT crm.current_team())))',
                 visible);
END
$$;

ALTER POLICY opportunity_stage_history_read ON crm.opportunity_stage_history
  USING ((SELECT crm.current_role() = 'admin')
         OR EXISTS (SELECT 1 FROM crm.opportunities o WHERE o.id = opportunity_id));
ALTER POLICY service_steps_read ON crm.service_steps
  USING ((SELECT crm.current_role() = 'admin')
         OR EXISTS (SELECT 1 FROM crm.service_requests r WHERE r.id = request_id));

------------------------------------------------------------------------
-- The document

-- @rec (a row's to_jsonb()) less the columns @dropped, each of @masks
-- ({column: [head, tail]}) that is a string masked.  PL/pgSQL, not SQL:
-- a SQL function with a subquery is not inlined, and was planned again at
-- each place it is called, in every execution (8 ms of 10).
CREATE FUNCTION crm.record_for_role(rec jsonb, dropped text[], masks jsonb) RETURNS jsonb
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS
$$
DECLARE
  shaped jsonb := rec - dropped;
  k text;
BEGIN
  IF masks IS NULL THEN
    RETURN shaped;
  END IF;
  FOR k IN SELECT jsonb_object_keys(masks) LOOP
    IF jsonb_typeof(shaped -> k) = 'string' THEN
      shaped := jsonb_set(shaped, ARRAY[k], to_jsonb(crm.mask_text(shaped ->> k, (masks -> k ->> 0)::integer,
                                                                  (masks -> k ->> 1)::integer)));
    END IF;
  END LOOP;
  RETURN shaped;
END
$$;

-- One generic plan per connection (force_generic_plan): see above.
CREATE FUNCTION crm.customer_360(p_id uuid, p_rules jsonb) RETURNS json
  LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS
$$
DECLARE
  r jsonb := coalesce(p_rules -> crm.current_role(), '{}'::jsonb);
  -- per entity: what the role does not receive, what it receives masked,
  -- whether it reads any
  d_customer text[] := coalesce(r -> 'customer' ->> 'drop', '{}')::text[];
  m_customer jsonb := r -> 'customer' -> 'mask';
  d_contact text[] := coalesce(r -> 'contact' ->> 'drop', '{}')::text[];
  m_contact jsonb := r -> 'contact' -> 'mask';
  d_product text[] := coalesce(r -> 'product' ->> 'drop', '{}')::text[];
  m_product jsonb := r -> 'product' -> 'mask';
  d_subscription text[] := coalesce(r -> 'subscription' ->> 'drop', '{}')::text[];
  m_subscription jsonb := r -> 'subscription' -> 'mask';
  d_month text[] := coalesce(r -> 'revenue_month' ->> 'drop', '{}')::text[];
  m_month jsonb := r -> 'revenue_month' -> 'mask';
  d_interaction text[] := coalesce(r -> 'interaction' ->> 'drop', '{}')::text[];
  m_interaction jsonb := r -> 'interaction' -> 'mask';
  d_opportunity text[] := coalesce(r -> 'opportunity' ->> 'drop', '{}')::text[];
  m_opportunity jsonb := r -> 'opportunity' -> 'mask';
  d_stage text[] := coalesce(r -> 'opportunity_stage' ->> 'drop', '{}')::text[];
  m_stage jsonb := r -> 'opportunity_stage' -> 'mask';
  d_campaign text[] := coalesce(r -> 'campaign' ->> 'drop', '{}')::text[];
  m_campaign jsonb := r -> 'campaign' -> 'mask';
  d_member text[] := coalesce(r -> 'campaign_member' ->> 'drop', '{}')::text[];
  m_member jsonb := r -> 'campaign_member' -> 'mask';
  d_request text[] := coalesce(r -> 'service_request' ->> 'drop', '{}')::text[];
  m_request jsonb := r -> 'service_request' -> 'mask';
  d_step text[] := coalesce(r -> 'service_step' ->> 'drop', '{}')::text[];
  m_step jsonb := r -> 'service_step' -> 'mask';
  reads_contacts boolean := coalesce((r -> 'contact' ->> 'read')::boolean, false);
  reads_subscriptions boolean := coalesce((r -> 'subscription' ->> 'read')::boolean, false);
  reads_months boolean := coalesce((r -> 'revenue_month' ->> 'read')::boolean, false);
  reads_interactions boolean := coalesce((r -> 'interaction' ->> 'read')::boolean, false);
  reads_opportunities boolean := coalesce((r -> 'opportunity' ->> 'read')::boolean, false);
  reads_stages boolean := coalesce((r -> 'opportunity_stage' ->> 'read')::boolean, false);
  reads_members boolean := coalesce((r -> 'campaign_member' ->> 'read')::boolean, false);
  reads_requests boolean := coalesce((r -> 'service_request' ->> 'read')::boolean, false);
  reads_steps boolean := coalesce((r -> 'service_step' ->> 'read')::boolean, false);
  doc json;
BEGIN
  SELECT json_build_object(
    'customer', crm.record_for_role(to_jsonb(c), d_customer, m_customer)
                  || jsonb_build_object('region_name', rg.name, 'owner_name', ow.display_name),
    'figures', json_build_object(
      'monthly_revenue', c.monthly_revenue,
      'active_lines', CASE WHEN reads_subscriptions THEN sub.lines END,
      'arpu', CASE WHEN reads_subscriptions AND sub.lines > 0 THEN round(c.monthly_revenue::numeric / sub.lines) END,
      'arpu_months', CASE WHEN reads_subscriptions AND reads_months THEN
                       CASE WHEN sub.lines > 0 THEN coalesce(rev.arpu, '[]'::json) ELSE '[]'::json END END,
      'arrears', c.arrears,
      'arrears_months', CASE WHEN reads_months THEN rev.arrears_months END,
      'open_complaints', CASE WHEN reads_requests THEN req.complaints END,
      'pipeline', CASE WHEN reads_opportunities THEN opp.pipeline END,
      'pipeline_weighted', CASE WHEN reads_opportunities THEN opp.weighted END,
      'overdue_steps', CASE WHEN reads_requests THEN req.overdue_steps END,
      'next_contract_end', CASE WHEN reads_subscriptions THEN sub.next_end END),
    'contacts', CASE WHEN reads_contacts THEN coalesce(con.list, '[]'::json) END,
    'subscriptions', CASE WHEN reads_subscriptions THEN coalesce(sub.list, '[]'::json) END,
    'revenue_months', CASE WHEN reads_months THEN coalesce(rev.list, '[]'::json) END,
    'opportunities', CASE WHEN reads_opportunities THEN coalesce(opp.list, '[]'::json) END,
    'service_requests', CASE WHEN reads_requests THEN coalesce(req.list, '[]'::json) END,
    'timeline', coalesce(tl.list, '[]'::json),
    'timeline_total', tl.total)
    INTO doc
    FROM crm.customers c
    JOIN crm.regions rg ON rg.id = c.region_id
    LEFT JOIN crm.user_directory ow ON ow.id = c.owner_id
    -- contacts: primary first
    CROSS JOIN LATERAL (
      SELECT json_agg(crm.record_for_role(to_jsonb(k), d_contact, m_contact)
                      ORDER BY k.is_primary DESC, k.name, k.id) AS list
        FROM crm.contacts k
       WHERE reads_contacts AND k.customer_id = c.id) con
    -- subscriptions with their products; active lines, next contract end
    CROSS JOIN LATERAL (
      SELECT json_agg(crm.record_for_role(to_jsonb(s), d_subscription, m_subscription)
                        || jsonb_build_object('product', crm.record_for_role(to_jsonb(p), d_product, m_product))
                      ORDER BY p.category, p.name, s.started_on, s.id) AS list,
             coalesce(sum(s.quantity) FILTER (WHERE s.status = 'active'), 0) AS lines,
             min(s.contract_end) FILTER (WHERE s.status = 'active' AND s.contract_end >= current_date) AS next_end
        FROM crm.subscriptions s
        JOIN crm.products p ON p.id = s.product_id
       WHERE reads_subscriptions AND s.customer_id = c.id) sub
    -- the latest 24 revenue months, the ARPU of the latest 12, the
    -- arrears' age (months in a row, back from the latest, with arrears):
    -- one pass over the customer's months, newest first
    CROSS JOIN LATERAL (
      SELECT json_agg(m.rec ORDER BY m.month) FILTER (WHERE m.n <= 24) AS list,
             json_agg(json_build_object('month', m.month, 'arpu', round(m.revenue::numeric / sub.lines))
                      ORDER BY m.month) FILTER (WHERE m.n <= 12 AND sub.lines > 0) AS arpu,
             coalesce(min(m.n) FILTER (WHERE m.arrears = 0) - 1, count(*)) AS arrears_months
        FROM (SELECT x.month, x.revenue, x.arrears, row_number() OVER (ORDER BY x.month DESC) AS n,
                     CASE WHEN row_number() OVER (ORDER BY x.month DESC) <= 24
                          THEN crm.record_for_role(to_jsonb(x), d_month, m_month) END AS rec
                FROM crm.revenue_months x
               WHERE reads_months AND x.customer_id = c.id) m) rev
    -- open opportunities; the pipeline, unweighted and weighted
    CROSS JOIN LATERAL (
      SELECT json_agg(crm.record_for_role(to_jsonb(o), d_opportunity, m_opportunity)
                        || jsonb_build_object('owner_name', (SELECT u.display_name FROM crm.user_directory u
                                                              WHERE u.id = o.owner_id))
                      ORDER BY o.expected_close NULLS LAST, o.id) AS list,
             coalesce(sum(o.amount_once + 12 * o.amount_monthly), 0) AS pipeline,
             coalesce(round(sum((o.amount_once + 12 * o.amount_monthly) * o.probability) / 100.0), 0) AS weighted
        FROM crm.opportunities o
       WHERE reads_opportunities AND o.customer_id = c.id AND o.stage NOT IN ('won', 'lost')) opp
    -- open service requests with their current step (the step not done
    -- of lowest position); open complaints; steps past their deadline
    CROSS JOIN LATERAL (
      SELECT json_agg(crm.record_for_role(to_jsonb(q), d_request, m_request)
                        || jsonb_build_object(
                             'steps_total', st.total, 'steps_done', st.done,
                             'current_step', CASE WHEN (st.cur).id IS NOT NULL THEN
                                               crm.record_for_role(to_jsonb(st.cur), d_step, m_step)
                                               || jsonb_build_object('owner_name',
                                                    (SELECT u.display_name FROM crm.user_directory u
                                                      WHERE u.id = (st.cur).owner_id)) END,
                             'overdue', coalesce((st.cur).deadline < now(), false))
                      ORDER BY (st.cur).deadline NULLS LAST, q.opened_at, q.id) AS list,
             count(*) FILTER (WHERE q.kind = 'complaint') AS complaints,
             coalesce(sum(st.overdue), 0) AS overdue_steps
        FROM crm.service_requests q
        CROSS JOIN LATERAL (
          SELECT count(*) AS total, count(s.done_at) AS done,
                 count(*) FILTER (WHERE s.done_at IS NULL AND s.deadline < now()) AS overdue,
                 (array_agg(s ORDER BY s.position) FILTER (WHERE s.done_at IS NULL))[1] AS cur
            FROM crm.service_steps s WHERE reads_steps AND s.request_id = q.id) st
       WHERE reads_requests AND q.customer_id = c.id AND q.status IN ('open', 'in_progress')) req
    -- the timeline: each kind's latest 200 (their records built for those
    -- alone; the first row of each carries how many the kind has in all),
    -- then the latest 200 of all
    CROSS JOIN LATERAL (
      SELECT json_agg(json_build_object('kind', e.kind, 'event', e.event, 'at', e.at, 'record', e.rec)
                      ORDER BY e.at DESC, e.kind, e.key) FILTER (WHERE e.n <= 200) AS list,
             coalesce(sum(e.total), 0) AS total
        FROM (SELECT t.*, row_number() OVER (ORDER BY t.at DESC, t.kind, t.key) AS n
                FROM (
                  (SELECT 'interaction' AS kind, NULL::text AS event, x.at, x.key, x.total,
                          crm.record_for_role(to_jsonb(x.i), d_interaction, m_interaction)
                            || jsonb_build_object('user_name', (SELECT u.display_name FROM crm.user_directory u
                                                                 WHERE u.id = (x.i).user_id),
                                                  'contact_name', (SELECT k.name FROM crm.contacts k
                                                                    WHERE reads_contacts AND k.id = (x.i).contact_id))
                            AS rec
                     FROM (SELECT i, i.occurred_at AS at, i.id::text AS key,
                                  CASE WHEN row_number() OVER w = 1 THEN count(*) OVER () END AS total
                             FROM crm.interactions i
                            WHERE reads_interactions AND i.customer_id = c.id
                           WINDOW w AS (ORDER BY i.occurred_at DESC, i.id)
                            ORDER BY i.occurred_at DESC, i.id LIMIT 200) x)
                  UNION ALL
                  (SELECT 'service_request', x.event, x.at, x.key, x.total,
                          crm.record_for_role(to_jsonb(x.q), d_request, m_request)
                     FROM (SELECT q, v.event, v.at, q.id::text AS key,
                                  CASE WHEN row_number() OVER w = 1 THEN count(*) OVER () END AS total
                             FROM crm.service_requests q
                            CROSS JOIN LATERAL (VALUES ('opened', q.opened_at), ('closed', q.closed_at)) AS v (event, at)
                            WHERE reads_requests AND q.customer_id = c.id AND v.at IS NOT NULL
                           WINDOW w AS (ORDER BY v.at DESC, q.id)
                            ORDER BY v.at DESC, q.id LIMIT 200) x)
                  UNION ALL
                  (SELECT 'service_step', x.event, x.at, x.key, x.total,
                          crm.record_for_role(to_jsonb(x.s), d_step, m_step)
                            || jsonb_build_object('request_title', x.title,
                                                  'owner_name', (SELECT u.display_name FROM crm.user_directory u
                                                                  WHERE u.id = (x.s).owner_id))
                     FROM (SELECT s, q.title, CASE WHEN s.done_at IS NULL THEN 'due' ELSE 'done' END AS event,
                                  coalesce(s.done_at, s.deadline) AS at, s.id::text AS key,
                                  CASE WHEN row_number() OVER w = 1 THEN count(*) OVER () END AS total
                             FROM crm.service_requests q
                             JOIN crm.service_steps s ON s.request_id = q.id
                            WHERE reads_steps AND q.customer_id = c.id
                           WINDOW w AS (ORDER BY coalesce(s.done_at, s.deadline) DESC, s.id)
                            ORDER BY coalesce(s.done_at, s.deadline) DESC, s.id LIMIT 200) x)
                  UNION ALL
                  (SELECT 'opportunity_stage', NULL, x.at, x.key, x.total,
                          crm.record_for_role(to_jsonb(x.h), d_stage, m_stage)
                            || jsonb_build_object('opportunity_name', x.name,
                                                  'changed_by_name', (SELECT u.display_name FROM crm.user_directory u
                                                                       WHERE u.id = (x.h).changed_by))
                     FROM (SELECT h, o.name, h.changed_at AS at, h.id::text AS key,
                                  CASE WHEN row_number() OVER w = 1 THEN count(*) OVER () END AS total
                             FROM crm.opportunities o
                             JOIN crm.opportunity_stage_history h ON h.opportunity_id = o.id
                            WHERE reads_stages AND o.customer_id = c.id
                           WINDOW w AS (ORDER BY h.changed_at DESC, h.id)
                            ORDER BY h.changed_at DESC, h.id LIMIT 200) x)
                  UNION ALL
                  (SELECT 'campaign_member', x.event, x.at, x.key, x.total,
                          crm.record_for_role(to_jsonb(x.cm), d_member, m_member)
                            || jsonb_build_object('campaign', crm.record_for_role(to_jsonb(x.cp), d_campaign, m_campaign))
                     FROM (SELECT cm, cp, cm.response::text AS event,
                                  coalesce(cm.responded_at, cm.contacted_at, cp.starts_on::timestamptz) AS at,
                                  cm.campaign_id::text AS key,
                                  CASE WHEN row_number() OVER w = 1 THEN count(*) OVER () END AS total
                             FROM crm.campaign_members cm
                             JOIN crm.campaigns cp ON cp.id = cm.campaign_id
                            WHERE reads_members AND cm.customer_id = c.id
                           WINDOW w AS (ORDER BY coalesce(cm.responded_at, cm.contacted_at, cp.starts_on::timestamptz) DESC,
                                                 cm.campaign_id)
                            ORDER BY 4 DESC, 5 LIMIT 200) x)
                ) t) e) tl
   WHERE c.id = p_id;
  RETURN doc;
END
$$;

GRANT EXECUTE ON FUNCTION crm.record_for_role(jsonb, text[], jsonb), crm.customer_360(uuid, jsonb) TO keyline_app;
