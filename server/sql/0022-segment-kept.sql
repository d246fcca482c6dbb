-- Products held, contract end and last contact as kept, indexed columns
-- of crm.customers (issue 11), as 0020 did for the ARPU trend.
--
-- The segment conditions "products held / not held", "contract ends
-- within N days" and "last contact older than N days" were subqueries of
-- crm.subscriptions (with crm.products) and crm.interactions per customer,
-- each under that table's read policy and misestimated by the planner
-- (11,812 rows expected, 125,654 found): 320-420 ms for the preview's
-- count at 1,000,000 customers (docs/plans/segment-preview-0022.txt).
-- Now every customer carries
--   products_held      the categories of its active subscriptions' products
--                      as bits (crm.product_category_bits(): bit i for the
--                      i-th value of the enum; 0 for none): "holds any of
--                      L" is products_held & bits(L) <> 0, "lacks all of L"
--                      = 0 (an AND of integers: an overlap of enum arrays
--                      cost a third more per customer, and its array
--                      widened the covering index below by a tenth);
--   contract_end_next  the nearest contract end of its active subscriptions
--                      on or after the day it was computed (NULL: none):
--                      "ends within N days" is contract_end_next BETWEEN
--                      current_date AND current_date + N while it is not
--                      in the past; once it is (the day passed), the
--                      customer is computed from crm.subscriptions as before
--                      until crm.customer_kept_refresh() (run by
--                      `keyline-server refresh`, daily) brings it forward;
--   last_contact_at    its latest interaction's time (NULL: none): "no
--                      contact in N days" is last_contact_at IS NULL OR
--                      last_contact_at < now() - N days, with the read
--                      policy of interactions folded in (server/crm-segment.c).
-- "The day" is current_date of the writing session: keyline-server's
-- connections all take the database's TimeZone, as the preview's do.
-- Server-only columns (shared/crm-entity.c): never synced, never in the
-- 360 document.  Statement triggers on subscriptions, products and
-- interactions recompute the customers a statement touched, in the same
-- transaction, without a new version or sync stamp of the customer.
-- tests/test-server-segments.c compares the columns and the preview's
-- counts with the tables directly.

-- Bit i (from 0) for the (i + 1)-th value of crm.product_category.  A
-- category added at the end (ALTER TYPE ... ADD VALUE) keeps the others'
-- bits; one added BEFORE or AFTER another moves them: such a migration
-- runs crm.customer_kept_refresh(true).
CREATE FUNCTION crm.product_category_bits(p_categories crm.product_category[]) RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE AS
$$
  SELECT coalesce(bit_or(1::bigint << (e.n - 1)::integer), 0)
    FROM unnest(enum_range(NULL::crm.product_category)) WITH ORDINALITY AS e(category, n)
   WHERE e.category = ANY (p_categories)
$$;

ALTER TABLE crm.customers
  ADD COLUMN products_held bigint NOT NULL DEFAULT 0,
  ADD COLUMN contract_end_next date,
  ADD COLUMN last_contact_at timestamptz;

-- A write of the kept columns alone (keyline.kept on, set by the function
-- below) keeps the customer's version, updated_at and sync stamp (the
-- trigger is made after the fill below).  Named to run after sync_stamp and
-- touch (triggers fire in name order).
CREATE FUNCTION crm.customer_kept_unstamped() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
  IF current_setting('keyline.kept', true) = 'on' THEN
    NEW.version := OLD.version;
    NEW.updated_at := OLD.updated_at;
    NEW.sync_xid := OLD.sync_xid;
  END IF;
  RETURN NEW;
END
$$;

-- The kept columns of the customers @p_ids (all when NULL) from the
-- tables, as administrator (RLS is forced for the owner too).  Returns how
-- many customers changed.
CREATE FUNCTION crm.customer_kept_compute(p_ids uuid[]) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  today date := current_date;
  n bigint;
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  PERFORM set_config('keyline.kept', 'on', true);
  -- two statements, so that each is planned for what it reads: a few
  -- customers through their keys, or everyone in one pass
  IF p_ids IS NULL THEN
    UPDATE crm.customers c
       SET products_held = f.held, contract_end_next = f.next_end, last_contact_at = f.last_contact
      FROM (SELECT k.id, coalesce(h.held, 0) AS held, h.next_end, i.last_contact
              FROM crm.customers k
              LEFT JOIN (SELECT s.customer_id, bit_or(b.bit) AS held,
                                min(s.contract_end) FILTER (WHERE s.contract_end >= today) AS next_end
                           FROM crm.subscriptions s JOIN crm.products p ON p.id = s.product_id
                           JOIN (SELECT e.category, 1::bigint << (e.n - 1)::integer AS bit
                                   FROM unnest(enum_range(NULL::crm.product_category))
                                        WITH ORDINALITY AS e(category, n)) b ON b.category = p.category
                          WHERE s.status = 'active'
                          GROUP BY s.customer_id) h ON h.customer_id = k.id
              LEFT JOIN (SELECT ii.customer_id, max(ii.occurred_at) AS last_contact
                           FROM crm.interactions ii GROUP BY ii.customer_id) i ON i.customer_id = k.id) f
     WHERE c.id = f.id
       AND (c.products_held, c.contract_end_next, c.last_contact_at)
           IS DISTINCT FROM (f.held, f.next_end, f.last_contact);
  ELSE
    UPDATE crm.customers c
       SET products_held = f.held, contract_end_next = f.next_end, last_contact_at = f.last_contact
      FROM (SELECT k.id,
                   crm.product_category_bits(ARRAY(SELECT p.category
                                                     FROM crm.subscriptions s JOIN crm.products p ON p.id = s.product_id
                                                    WHERE s.customer_id = k.id AND s.status = 'active')) AS held,
                   (SELECT min(s.contract_end) FROM crm.subscriptions s
                     WHERE s.customer_id = k.id AND s.status = 'active' AND s.contract_end >= today) AS next_end,
                   (SELECT max(ii.occurred_at) FROM crm.interactions ii WHERE ii.customer_id = k.id) AS last_contact
              FROM crm.customers k
             WHERE k.id = ANY (p_ids)) f
     WHERE c.id = f.id
       AND (c.products_held, c.contract_end_next, c.last_contact_at)
           IS DISTINCT FROM (f.held, f.next_end, f.last_contact);
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('keyline.kept', 'off', true);
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN n;
END
$$;

-- The customers a statement on subscriptions or interactions touched (a
-- moved row: both customers).
CREATE FUNCTION crm.customer_kept_follow() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM crm.customer_kept_compute(ARRAY(SELECT DISTINCT n.customer_id FROM new_rows n));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM crm.customer_kept_compute(ARRAY(SELECT DISTINCT o.customer_id FROM old_rows o));
  ELSE
    PERFORM crm.customer_kept_compute(ARRAY(SELECT n.customer_id FROM new_rows n
                                            UNION SELECT o.customer_id FROM old_rows o));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER kept_insert AFTER INSERT ON crm.subscriptions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm.customer_kept_follow();
CREATE TRIGGER kept_update AFTER UPDATE ON crm.subscriptions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION crm.customer_kept_follow();
CREATE TRIGGER kept_delete AFTER DELETE ON crm.subscriptions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm.customer_kept_follow();
CREATE TRIGGER kept_insert AFTER INSERT ON crm.interactions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm.customer_kept_follow();
CREATE TRIGGER kept_update AFTER UPDATE ON crm.interactions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION crm.customer_kept_follow();
CREATE TRIGGER kept_delete AFTER DELETE ON crm.interactions
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm.customer_kept_follow();

-- A product whose category changed: the customers holding it.  (A product
-- with subscriptions cannot be deleted; a new one has none.)
CREATE FUNCTION crm.products_kept() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  ids uuid[];
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  ids := ARRAY(SELECT DISTINCT s.customer_id
                 FROM new_rows n JOIN old_rows o ON o.id = n.id
                 JOIN crm.subscriptions s ON s.product_id = n.id
                WHERE n.category IS DISTINCT FROM o.category AND s.status = 'active');
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  PERFORM crm.customer_kept_compute(ids);
  RETURN NULL;
END
$$;
CREATE TRIGGER kept_category AFTER UPDATE ON crm.products
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION crm.products_kept();

-- The customers whose nearest contract end is in the past (the day
-- turned): brought forward.  @p_all: every customer recomputed (the seed,
-- which loads without triggers).  Returns how many changed.
CREATE FUNCTION crm.customer_kept_refresh(p_all boolean DEFAULT false) RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  ids uuid[];
BEGIN
  IF p_all THEN
    RETURN crm.customer_kept_compute(NULL);
  END IF;
  PERFORM set_config('keyline.role', 'admin', true);
  ids := ARRAY(SELECT k.id FROM crm.customers k WHERE k.contract_end_next < current_date);
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN crm.customer_kept_compute(ids);
END
$$;

-- Filled without the row triggers (no new versions, no sync of every
-- customer), then the table rewritten so that the fill's old row versions
-- go (an UPDATE of every row leaves the table twice its size, and every
-- seq scan twice as long, 0020): a change of type through an expression
-- rewrites the table and its indexes.
ALTER TABLE crm.customers DISABLE TRIGGER USER;
SELECT crm.customer_kept_refresh(true);
ALTER TABLE crm.customers ENABLE TRIGGER USER;
ALTER TABLE crm.customers ALTER COLUMN last_contact_at TYPE timestamptz USING last_contact_at + interval '0';
CREATE TRIGGER unstamped_kept BEFORE UPDATE OF products_held, contract_end_next, last_contact_at ON crm.customers
  FOR EACH ROW EXECUTE FUNCTION crm.customer_kept_unstamped();

-- Conditions on tier, status or kind are no index conditions: the read
-- policy makes the planner apply them after it, and their operators
-- (enum_eq) are not leakproof.  Index-only scans serve instead.  The
-- nearest contract end: its range, and with the columns of the commonest
-- companions and of the read policy, an index-only scan (122,816 customers
-- ending within 90 days: 54 ms, a bitmap heap scan of 48,754 pages 320).
-- It also answers the stale probe.
CREATE INDEX customers_contract_end_next ON crm.customers (contract_end_next)
  INCLUDE (tier, status, kind, owner_id, region_id);

-- Every column a segment condition reads, and those of the customers'
-- read policy (owner_id, region_id), keyed by region (a region condition
-- is an index condition, uuid_eq being leakproof): a count that no index
-- narrows is an index-only scan of this (26,132 pages at 1,000,000
-- customers) instead of a seq scan of the table (55,683 pages of rows
-- about 400 bytes wide, whose kept columns, last in the row, cost the most
-- to reach): about half the time.  The planner takes a whole-index scan
-- only with a random_page_cost for data in memory, which the preview sets
-- for its statement (CRM_SEGMENT_PLANNING), and only on pages the
-- visibility map marks all-visible: `keyline-server refresh` vacuums the
-- table daily.
CREATE INDEX customers_segment ON crm.customers (region_id)
  INCLUDE (tier, status, kind, churn_risk, monthly_revenue, arrears, contract_end_next, last_contact_at,
           arpu_month0, arpu_change_floor, arpu_change_ceil, owner_id, value_segment, industry, products_held,
           prefers);

-- The same columns keyed by monthly revenue: the preview's sample (the
-- largest matching customers) passes over customers in this order until it
-- has 20, and reads them here instead of in the table (no contact in 365
-- days: 37,078 customers passed over, 200 ms -> 30 ms; the largest
-- customers are the ones contacted most).
CREATE INDEX customers_segment_sample ON crm.customers (monthly_revenue, id)
  INCLUDE (region_id, tier, status, kind, churn_risk, arrears, contract_end_next, last_contact_at, arpu_month0,
           arpu_change_floor, arpu_change_ceil, owner_id, products_held, value_segment, industry, prefers);
ANALYZE crm.customers;
