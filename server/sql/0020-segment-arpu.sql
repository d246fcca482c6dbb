-- The ARPU trend of a segment as kept, indexed columns (issue 11).
--
-- The condition "ARPU rising (falling) by at least N %" compares a
-- customer's revenue of the last three full months with the three before
-- (server/crm-segment.c).  It was computed in the preview itself: one
-- aggregate over crm.revenue_months per customer, 0.6-3 s for the count
-- at 1,000,000 customers (docs/plans/segment-preview.txt).
--
-- Now every customer carries the two sums for the current month
-- (arpu_month0: the first day of the month the windows end before) and
-- the change as whole percents rounded down and up, so that the condition
-- is a comparison of the customer's own row (no join, no aggregate):
--   rising by N  <=>  recent * 100 >= before * (100 + N)  <=>  arpu_change_floor >= N
--   falling by N <=>  recent * 100 <= before * (100 - N)  <=>  arpu_change_ceil  <= -N
-- (x = (recent - before) * 100 / before, before > 0; for an integer k,
-- x >= k <=> floor(x) >= k and x <= k <=> ceil(x) <= k).  As before, a
-- customer matches neither without revenue in both windows (a sum over no
-- rows is NULL).  Server-only columns (shared/crm-entity.c): never synced,
-- never in the 360 document.
--
-- Statement triggers on crm.revenue_months recompute the customers a
-- statement touched, in the same transaction, without a new version or a
-- new sync stamp of the customer (the synced fields did not change).
-- Figures of an earlier month (no revenue change since the month turned)
-- are not used as they stand: the condition computes such customers from
-- crm.revenue_months as before, and crm.customer_arpu_refresh() (a monthly
-- job; also run by the seed, and safe at any time) brings them up to date.
-- tests/test-server-campaigns.c compares the columns and the preview's
-- counts with revenue_months directly.

-- The sums first (no rewrite); the generated changes after the fill
-- below, whose table rewrite also drops the fill's old row versions (an
-- UPDATE of every row would leave the table twice its size: 46,087 ->
-- 96,807 pages at 1,000,000 customers, and every seq scan twice as long).
ALTER TABLE crm.customers
  ADD COLUMN arpu_month0 date,
  ADD COLUMN arpu_recent bigint,
  ADD COLUMN arpu_before bigint;

-- A write of the figures alone (keyline.arpu on, set by the functions
-- below) keeps the customer's version, updated_at and sync stamp.  Named
-- to run after sync_stamp and touch (triggers fire in name order).
CREATE FUNCTION crm.customer_arpu_unstamped() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  IF current_setting('keyline.arpu', true) = 'on' THEN
    NEW.version := OLD.version;
    NEW.updated_at := OLD.updated_at;
    NEW.sync_xid := OLD.sync_xid;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER unstamped_arpu BEFORE UPDATE OF arpu_month0, arpu_recent, arpu_before ON crm.customers
  FOR EACH ROW EXECUTE FUNCTION crm.customer_arpu_unstamped();

-- The figures of the customers @p_ids (all when NULL) whose figures are
-- not those of the current month already, from crm.revenue_months, as
-- administrator (revenue months are visible to the caller only in part,
-- and RLS is forced for the owner too).  Returns how many changed.
CREATE FUNCTION crm.customer_arpu_compute(p_ids uuid[]) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  m0 date := date_trunc('month', current_date)::date;
  n bigint;
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  PERFORM set_config('keyline.arpu', 'on', true);
  -- two statements, so that each is planned for what it reads: a few
  -- customers through their keys, or everyone in one pass
  IF p_ids IS NULL THEN
    UPDATE crm.customers c SET arpu_month0 = m0, arpu_recent = f.recent, arpu_before = f.before
      FROM (SELECT k.id,
                   sum(rm.revenue) FILTER (WHERE rm.month >= (m0 - interval '3 months')::date) AS recent,
                   sum(rm.revenue) FILTER (WHERE rm.month < (m0 - interval '3 months')::date) AS before
              FROM crm.customers k
              LEFT JOIN crm.revenue_months rm
                ON rm.customer_id = k.id AND rm.month >= (m0 - interval '6 months')::date AND rm.month < m0
             GROUP BY k.id) f
     WHERE c.id = f.id
       AND (c.arpu_month0, c.arpu_recent, c.arpu_before) IS DISTINCT FROM (m0, f.recent, f.before);
  ELSE
    UPDATE crm.customers c SET arpu_month0 = m0, arpu_recent = f.recent, arpu_before = f.before
      FROM (SELECT k.id,
                   sum(rm.revenue) FILTER (WHERE rm.month >= (m0 - interval '3 months')::date) AS recent,
                   sum(rm.revenue) FILTER (WHERE rm.month < (m0 - interval '3 months')::date) AS before
              FROM crm.customers k
              LEFT JOIN crm.revenue_months rm
                ON rm.customer_id = k.id AND rm.month >= (m0 - interval '6 months')::date AND rm.month < m0
             WHERE k.id = ANY (p_ids)
             GROUP BY k.id) f
     WHERE c.id = f.id
       AND (c.arpu_month0, c.arpu_recent, c.arpu_before) IS DISTINCT FROM (m0, f.recent, f.before);
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('keyline.arpu', 'off', true);
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN n;
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

-- Every customer's figures for the current month; returns how many
-- changed (none when all are current).
CREATE FUNCTION crm.customer_arpu_refresh() RETURNS bigint
  LANGUAGE sql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$ SELECT crm.customer_arpu_compute(NULL) $$;

-- Filled without the row triggers (no new versions, no sync of every
-- customer; the function's own setting would keep the stamps too, at a
-- trigger call per row).
ALTER TABLE crm.customers DISABLE TRIGGER USER;
SELECT crm.customer_arpu_refresh();
ALTER TABLE crm.customers ENABLE TRIGGER USER;

ALTER TABLE crm.customers
  ADD COLUMN arpu_change_floor bigint GENERATED ALWAYS AS (
    CASE WHEN arpu_before > 0 AND arpu_recent IS NOT NULL THEN
      CASE WHEN arpu_recent >= arpu_before THEN (arpu_recent - arpu_before) * 100 / arpu_before
           ELSE -(((arpu_before - arpu_recent) * 100 + arpu_before - 1) / arpu_before) END END) STORED,
  ADD COLUMN arpu_change_ceil bigint GENERATED ALWAYS AS (
    CASE WHEN arpu_before > 0 AND arpu_recent IS NOT NULL THEN
      CASE WHEN arpu_recent >= arpu_before THEN ((arpu_recent - arpu_before) * 100 + arpu_before - 1) / arpu_before
           ELSE -(((arpu_before - arpu_recent) * 100) / arpu_before) END END) STORED;

CREATE INDEX customers_arpu_month ON crm.customers (arpu_month0);
CREATE INDEX customers_arpu_rising ON crm.customers (arpu_month0, arpu_change_floor)
  WHERE arpu_change_floor IS NOT NULL;
CREATE INDEX customers_arpu_falling ON crm.customers (arpu_month0, arpu_change_ceil)
  WHERE arpu_change_ceil IS NOT NULL;
ANALYZE crm.customers;
