-- The ARPU trend of a segment through a kept table (issue 11).
--
-- The condition "ARPU rising (falling) by at least N %" compares a
-- customer's revenue of the last three full months with the three before
-- (server/crm-segment.c).  It was computed in the preview itself: one
-- aggregate over crm.revenue_months per customer, 0.6-3 s for the count
-- at 1,000,000 customers (docs/plans/segment-preview.txt).
--
-- Now crm.customer_arpu holds, per customer, the two sums for the current
-- month (month0: the first day of the month the windows end before) and
-- the change as whole percents rounded down and up, so that the condition
-- is one indexed comparison:
--   rising by N  <=>  recent * 100 >= before * (100 + N)  <=>  change_floor >= N
--   falling by N <=>  recent * 100 <= before * (100 - N)  <=>  change_ceil  <= -N
-- (x = (recent - before) * 100 / before, before > 0; for an integer k,
-- x >= k <=> floor(x) >= k and x <= k <=> ceil(x) <= k).  As before, a
-- customer matches neither without revenue in both windows (a sum over no
-- rows is NULL).
--
-- Statement triggers on crm.revenue_months recompute the customers a
-- statement touched, in the same transaction.  A row of an earlier month0
-- (no revenue change since the month turned) is not used as it stands:
-- the condition computes such customers from crm.revenue_months as
-- before, and crm.customer_arpu_refresh() (a monthly job; also safe at
-- any time) brings them up to date.  tests/test-server-campaigns.c
-- compares the column and the preview with revenue_months directly.

CREATE TABLE crm.customer_arpu (
  customer_id  uuid PRIMARY KEY REFERENCES crm.customers (id) ON DELETE CASCADE,
  month0       date NOT NULL,
  recent       bigint,
  before       bigint,
  change_floor bigint GENERATED ALWAYS AS (
    CASE WHEN before > 0 AND recent IS NOT NULL THEN
      CASE WHEN recent >= before THEN (recent - before) * 100 / before
           ELSE -(((before - recent) * 100 + before - 1) / before) END END) STORED,
  change_ceil  bigint GENERATED ALWAYS AS (
    CASE WHEN before > 0 AND recent IS NOT NULL THEN
      CASE WHEN recent >= before THEN ((recent - before) * 100 + before - 1) / before
           ELSE -(((before - recent) * 100) / before) END END) STORED
);
CREATE INDEX customer_arpu_rising ON crm.customer_arpu (month0, change_floor) INCLUDE (customer_id);
CREATE INDEX customer_arpu_falling ON crm.customer_arpu (month0, change_ceil) INCLUDE (customer_id);

-- Derived figures, read only joined to crm.customers (whose policy decides
-- which customers a request counts); written only by the functions below,
-- as the owner.
ALTER TABLE crm.customer_arpu ENABLE ROW LEVEL SECURITY;
CREATE POLICY customer_arpu_read ON crm.customer_arpu FOR SELECT
  USING ((SELECT crm.current_role()) IS NOT NULL);
GRANT SELECT ON crm.customer_arpu TO keyline_app;

-- The sums of @p_ids for the current month, as administrator (revenue
-- months are visible to the caller only in part, and RLS is forced for
-- the owner too).  Customers that no longer exist are skipped.
CREATE FUNCTION crm.customer_arpu_compute(p_ids uuid[]) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  m0 date := date_trunc('month', current_date)::date;
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  INSERT INTO crm.customer_arpu AS a (customer_id, month0, recent, before)
  SELECT c.id, m0,
         sum(rm.revenue) FILTER (WHERE rm.month >= (m0 - interval '3 months')::date),
         sum(rm.revenue) FILTER (WHERE rm.month < (m0 - interval '3 months')::date)
    FROM crm.customers c
    LEFT JOIN crm.revenue_months rm
      ON rm.customer_id = c.id AND rm.month >= (m0 - interval '6 months')::date AND rm.month < m0
   WHERE c.id = ANY (p_ids)
   GROUP BY c.id
  ON CONFLICT (customer_id) DO UPDATE
    SET month0 = EXCLUDED.month0, recent = EXCLUDED.recent, before = EXCLUDED.before;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
END
$$;

CREATE FUNCTION crm.revenue_months_arpu() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM crm.customer_arpu_compute(ARRAY(SELECT DISTINCT n.customer_id FROM new_rows n));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM crm.customer_arpu_compute(ARRAY(SELECT DISTINCT o.customer_id FROM old_rows o));
  ELSE
    PERFORM crm.customer_arpu_compute(ARRAY(SELECT n.customer_id FROM new_rows n
                                            UNION SELECT o.customer_id FROM old_rows o));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER arpu_insert AFTER INSERT ON crm.revenue_months
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm.revenue_months_arpu();
CREATE TRIGGER arpu_update AFTER UPDATE ON crm.revenue_months
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION crm.revenue_months_arpu();
CREATE TRIGGER arpu_delete AFTER DELETE ON crm.revenue_months
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm.revenue_months_arpu();

-- Every customer whose figures are of an earlier month (and every customer
-- with revenue but no row), in one pass; returns how many were
-- recomputed.
CREATE FUNCTION crm.customer_arpu_refresh() RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  m0 date := date_trunc('month', current_date)::date;
  n bigint;
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  INSERT INTO crm.customer_arpu AS a (customer_id, month0, recent, before)
  SELECT c.id, m0,
         sum(rm.revenue) FILTER (WHERE rm.month >= (m0 - interval '3 months')::date),
         sum(rm.revenue) FILTER (WHERE rm.month < (m0 - interval '3 months')::date)
    FROM crm.customers c
    LEFT JOIN crm.revenue_months rm
      ON rm.customer_id = c.id AND rm.month >= (m0 - interval '6 months')::date AND rm.month < m0
   WHERE NOT EXISTS (SELECT 1 FROM crm.customer_arpu x WHERE x.customer_id = c.id AND x.month0 = m0)
   GROUP BY c.id
  ON CONFLICT (customer_id) DO UPDATE
    SET month0 = EXCLUDED.month0, recent = EXCLUDED.recent, before = EXCLUDED.before;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN n;
END
$$;

SELECT crm.customer_arpu_refresh();
ANALYZE crm.customer_arpu;
