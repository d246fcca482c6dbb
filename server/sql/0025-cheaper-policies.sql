-- Cheaper policies (issue 12).
--
-- Row-level security cost about 40 us of the 190 us of PostgreSQL CPU a
-- customer detail took on a million customers: the customer's statement
-- carried six init plans, and the contacts' policy looked the customer up
-- again for every contact.  Same rules as before; three changes:
--
-- 1. No FOR ALL policy is left: regions, teams and agents (0001, 0003) and
--    crm.mutations (0002) get one policy per command with the rule they
--    had.  A FOR ALL policy applies to SELECT too, so a read of regions
--    carried the write rule's init plan, ORed with the read rule's; now
--    every SELECT sees exactly one permissive policy.
--
-- 2. Who is asking, read once per table reference.  A policy named
--    (SELECT crm.current_role()), (SELECT crm.current_user_id()) and
--    (SELECT crm.visible_regions()), each its own init plan, and one more
--    per role test.  Now a table's read policy has one init plan,
--    crm.read_keys(), that turns the caller's identity (the same settings:
--    keyline.role, keyline.user_id, keyline.regions) into the keys that
--    open a row of that table:
--      NULL       the caller's role reads every row (administrator, and
--                 marketing or service where they see every customer);
--      '{}'       the role reads none of the table;
--      {user id}  an account manager: rows whose customer they own;
--      regions    a director: rows whose customer is in their subtree.
--    A row shows its own keys (its customer's owner and region) and the
--    policy is crm.key_match(row keys, (SELECT crm.read_keys(...))):
--    row keys && keys, or true when keys is NULL.  Users', regions' and
--    teams' ids share one namespace, uuids with random bits
--    (gen_random_uuid(), or the seed's version-7 ids): a user's id never
--    equals a region's or a team's (the sync already rests on uuids not
--    colliding: a client makes a record's id before the server sees it).
--    Why not a composite identity passed to a check function: a function
--    whose argument is a subquery is inlined only if it uses that
--    argument once (inline_function() in PostgreSQL's clauses.c), and a
--    check reads the role, the user and the regions; not inlined, it is a
--    SQL function call per row, planned again at every execution.  The
--    keys are the identity already applied to the table's rule, used once.
--
-- 3. Rows under a customer carry its owner and region (customer_owner_id,
--    customer_region_id: server-only columns, kept by triggers, as 0019
--    did for the opportunities' region), so their policy reads the row
--    itself, with no lookup of the customer: contacts, subscriptions,
--    interactions, opportunities (region_id of 0019, plus
--    customer_owner_id) and service requests; and a level further down,
--    opportunity_stage_history (its opportunity's) and service_steps (its
--    request's, with the request's team as request_team_id, a service
--    user's key).  Not carried:
--      - revenue_months: 21.5 million rows on the bench database (1.9 GB);
--        two uuids more each would add about 700 MB and rewrite the table
--        and its indexes (docs/plans/policies-0025.txt has the timings),
--        and the monthly refresh writes it in bulk.  Its policy keeps the
--        lookup of the customer (0010), whose own policy is now one init
--        plan.
--      - campaign_members: a campaign's launch inserts up to 200,000 of
--        them in one statement (0023), and a row trigger per member would
--        add a customer lookup per member to it.  Its policy keeps the
--        lookup too.
--    A carried column is set from the customer on every insert and on
--    every update that changes customer_id or the carried column itself
--    (no write can make it disagree with the customer), and when a
--    customer changes owner or region its rows follow in the same
--    transaction, in crm.customer_departed(), the statement that already
--    re-stamps them for their new readers (0007): one pass, and the
--    departure of the customer (0002, 0007) still tells the old readers.
--    Stage history and steps follow their opportunity or request the same
--    way (a trigger on the parent's carried columns and team).

------------------------------------------------------------------------
-- 1. One policy per command

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['regions', 'teams', 'agents'] LOOP
    EXECUTE format('DROP POLICY %I ON crm.%I', t || '_write', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR INSERT WITH CHECK ((SELECT crm.current_role()) = ''admin'')',
                   t || '_insert', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR UPDATE USING ((SELECT crm.current_role()) = ''admin'')
                      WITH CHECK ((SELECT crm.current_role()) = ''admin'')', t || '_update', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR DELETE USING ((SELECT crm.current_role()) = ''admin'')',
                   t || '_delete', t);
  END LOOP;
END
$$;

DROP POLICY mutations_own ON crm.mutations;
CREATE POLICY mutations_read ON crm.mutations FOR SELECT
  USING (user_id = (SELECT crm.current_user_id()));
CREATE POLICY mutations_insert ON crm.mutations FOR INSERT
  WITH CHECK (user_id = (SELECT crm.current_user_id()));
CREATE POLICY mutations_update ON crm.mutations FOR UPDATE
  USING (user_id = (SELECT crm.current_user_id()))
  WITH CHECK (user_id = (SELECT crm.current_user_id()));
CREATE POLICY mutations_delete ON crm.mutations FOR DELETE
  USING (user_id = (SELECT crm.current_user_id()));

------------------------------------------------------------------------
-- 2. Keys

-- The keys that open a row of a table read by @readers (roles), for the
-- caller: see above.  The role is read once (a simple CASE), and every
-- function here is plain SQL that PostgreSQL inlines, so the init plan
-- (SELECT crm.read_keys('{...}')) is one expression over the settings.
-- The roles that see every customer are crm.may_see()'s.
CREATE FUNCTION crm.read_keys(readers text[]) RETURNS uuid[]
  LANGUAGE sql STABLE PARALLEL SAFE AS
$$
  SELECT CASE crm.current_role()
           WHEN 'admin'     THEN CASE WHEN 'admin' = ANY (readers) THEN NULL::uuid[] ELSE '{}'::uuid[] END
           WHEN 'marketing' THEN CASE WHEN 'marketing' = ANY (readers) THEN NULL::uuid[] ELSE '{}'::uuid[] END
           WHEN 'service'   THEN CASE WHEN 'service' = ANY (readers) THEN NULL::uuid[] ELSE '{}'::uuid[] END
           WHEN 'director'  THEN CASE WHEN 'director' = ANY (readers) THEN crm.visible_regions() ELSE '{}'::uuid[] END
           WHEN 'manager'   THEN CASE WHEN 'manager' = ANY (readers) THEN ARRAY[crm.current_user_id()]
                                      ELSE '{}'::uuid[] END
           ELSE '{}'::uuid[]
         END
$$;

-- Service requests: as a child of the customer for administrators,
-- directors and managers; a service user's key is their team (its queue).
CREATE FUNCTION crm.request_read_keys() RETURNS uuid[]
  LANGUAGE sql STABLE PARALLEL SAFE AS
$$
  SELECT CASE crm.current_role()
           WHEN 'service' THEN ARRAY[crm.current_team()]
           ELSE crm.read_keys('{admin,director,manager}')
         END
$$;

-- Whether a row whose keys are @row_keys is open to @keys (NULL: every
-- row).  A NULL among the row's keys (a customer without owner) opens
-- nothing.
CREATE FUNCTION crm.key_match(row_keys uuid[], keys uuid[]) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(row_keys && keys, true) $$;

GRANT EXECUTE ON FUNCTION crm.read_keys(text[]), crm.request_read_keys(), crm.key_match(uuid[], uuid[])
  TO keyline_app;

------------------------------------------------------------------------
-- 3. Carried columns

ALTER TABLE crm.contacts         ADD COLUMN customer_owner_id uuid, ADD COLUMN customer_region_id uuid;
ALTER TABLE crm.subscriptions    ADD COLUMN customer_owner_id uuid, ADD COLUMN customer_region_id uuid;
ALTER TABLE crm.interactions     ADD COLUMN customer_owner_id uuid, ADD COLUMN customer_region_id uuid;
ALTER TABLE crm.service_requests ADD COLUMN customer_owner_id uuid, ADD COLUMN customer_region_id uuid;
ALTER TABLE crm.opportunities    ADD COLUMN customer_owner_id uuid;   -- region_id: 0019
ALTER TABLE crm.opportunity_stage_history ADD COLUMN customer_owner_id uuid, ADD COLUMN customer_region_id uuid;
ALTER TABLE crm.service_steps    ADD COLUMN customer_owner_id uuid, ADD COLUMN customer_region_id uuid,
                                 ADD COLUMN request_team_id uuid;

-- Fills the carried columns of every row that disagrees with its
-- customer, as administrator (RLS is forced even for the owner).  The
-- migration below, and the seed, which loads with the row triggers off.
CREATE FUNCTION crm.carried_refresh() RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  t text;
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  FOREACH t IN ARRAY ARRAY['contacts', 'subscriptions', 'interactions', 'service_requests'] LOOP
    EXECUTE format('UPDATE crm.%I x SET customer_owner_id = c.owner_id, customer_region_id = c.region_id
                      FROM crm.customers c
                     WHERE c.id = x.customer_id
                       AND (x.customer_owner_id IS DISTINCT FROM c.owner_id
                            OR x.customer_region_id IS DISTINCT FROM c.region_id)', t);
  END LOOP;
  UPDATE crm.opportunities x SET customer_owner_id = c.owner_id, region_id = c.region_id
    FROM crm.customers c
   WHERE c.id = x.customer_id
     AND (x.customer_owner_id IS DISTINCT FROM c.owner_id OR x.region_id IS DISTINCT FROM c.region_id);
  -- a level down, from the parents just set
  UPDATE crm.opportunity_stage_history x SET customer_owner_id = o.customer_owner_id, customer_region_id = o.region_id
    FROM crm.opportunities o
   WHERE o.id = x.opportunity_id
     AND (x.customer_owner_id IS DISTINCT FROM o.customer_owner_id
          OR x.customer_region_id IS DISTINCT FROM o.region_id);
  UPDATE crm.service_steps x SET customer_owner_id = q.customer_owner_id, customer_region_id = q.customer_region_id,
                                 request_team_id = q.team_id
    FROM crm.service_requests q
   WHERE q.id = x.request_id
     AND (x.customer_owner_id IS DISTINCT FROM q.customer_owner_id
          OR x.customer_region_id IS DISTINCT FROM q.customer_region_id
          OR x.request_team_id IS DISTINCT FROM q.team_id);
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
END
$$;

-- Filling them is not a change of the rows (no new version, no sync of
-- millions of rows): the row triggers are off for these statements.
ALTER TABLE crm.contacts DISABLE TRIGGER USER;
ALTER TABLE crm.subscriptions DISABLE TRIGGER USER;
ALTER TABLE crm.interactions DISABLE TRIGGER USER;
ALTER TABLE crm.service_requests DISABLE TRIGGER USER;
ALTER TABLE crm.opportunities DISABLE TRIGGER USER;
ALTER TABLE crm.opportunity_stage_history DISABLE TRIGGER USER;
ALTER TABLE crm.service_steps DISABLE TRIGGER USER;
SELECT crm.carried_refresh();
ALTER TABLE crm.opportunity_stage_history ENABLE TRIGGER USER;
ALTER TABLE crm.service_steps ENABLE TRIGGER USER;
ALTER TABLE crm.contacts ENABLE TRIGGER USER;
ALTER TABLE crm.subscriptions ENABLE TRIGGER USER;
ALTER TABLE crm.interactions ENABLE TRIGGER USER;
ALTER TABLE crm.service_requests ENABLE TRIGGER USER;
ALTER TABLE crm.opportunities ENABLE TRIGGER USER;

-- The customer's owner and region, read as administrator (the writer sees
-- the customer, but the function must not depend on it).
CREATE FUNCTION crm.carry_customer() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT c.owner_id, c.region_id INTO NEW.customer_owner_id, NEW.customer_region_id
    FROM crm.customers c WHERE c.id = NEW.customer_id;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['contacts', 'subscriptions', 'interactions', 'service_requests'] LOOP
    EXECUTE format('CREATE TRIGGER carry_customer_insert BEFORE INSERT ON crm.%I
                      FOR EACH ROW EXECUTE FUNCTION crm.carry_customer()', t);
    EXECUTE format('CREATE TRIGGER carry_customer_update
                      BEFORE UPDATE OF customer_id, customer_owner_id, customer_region_id ON crm.%I
                      FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id
                                         OR OLD.customer_owner_id IS DISTINCT FROM NEW.customer_owner_id
                                         OR OLD.customer_region_id IS DISTINCT FROM NEW.customer_region_id)
                      EXECUTE FUNCTION crm.carry_customer()', t);
  END LOOP;
END
$$;

-- Opportunities: 0019's trigger sets the owner too.
CREATE OR REPLACE FUNCTION crm.opportunity_region() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT c.region_id, c.owner_id INTO NEW.region_id, NEW.customer_owner_id
    FROM crm.customers c WHERE c.id = NEW.customer_id;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;
DROP TRIGGER opportunity_region_update ON crm.opportunities;
CREATE TRIGGER opportunity_region_update BEFORE UPDATE OF customer_id, region_id, customer_owner_id
  ON crm.opportunities
  FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.region_id IS DISTINCT FROM NEW.region_id
                     OR OLD.customer_owner_id IS DISTINCT FROM NEW.customer_owner_id)
  EXECUTE FUNCTION crm.opportunity_region();

-- Stage history and steps: their parent's carried columns (and team), as
-- administrator; and when the parent's change, theirs follow.
CREATE FUNCTION crm.carry_opportunity() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT o.customer_owner_id, o.region_id INTO NEW.customer_owner_id, NEW.customer_region_id
    FROM crm.opportunities o WHERE o.id = NEW.opportunity_id;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;
CREATE TRIGGER carry_opportunity_insert BEFORE INSERT ON crm.opportunity_stage_history
  FOR EACH ROW EXECUTE FUNCTION crm.carry_opportunity();
CREATE TRIGGER carry_opportunity_update
  BEFORE UPDATE OF opportunity_id, customer_owner_id, customer_region_id ON crm.opportunity_stage_history
  FOR EACH ROW WHEN (OLD.opportunity_id IS DISTINCT FROM NEW.opportunity_id
                     OR OLD.customer_owner_id IS DISTINCT FROM NEW.customer_owner_id
                     OR OLD.customer_region_id IS DISTINCT FROM NEW.customer_region_id)
  EXECUTE FUNCTION crm.carry_opportunity();

CREATE FUNCTION crm.carry_request() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT q.customer_owner_id, q.customer_region_id, q.team_id
    INTO NEW.customer_owner_id, NEW.customer_region_id, NEW.request_team_id
    FROM crm.service_requests q WHERE q.id = NEW.request_id;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;
CREATE TRIGGER carry_request_insert BEFORE INSERT ON crm.service_steps
  FOR EACH ROW EXECUTE FUNCTION crm.carry_request();
CREATE TRIGGER carry_request_update
  BEFORE UPDATE OF request_id, customer_owner_id, customer_region_id, request_team_id ON crm.service_steps
  FOR EACH ROW WHEN (OLD.request_id IS DISTINCT FROM NEW.request_id
                     OR OLD.customer_owner_id IS DISTINCT FROM NEW.customer_owner_id
                     OR OLD.customer_region_id IS DISTINCT FROM NEW.customer_region_id
                     OR OLD.request_team_id IS DISTINCT FROM NEW.request_team_id)
  EXECUTE FUNCTION crm.carry_request();

-- A parent whose carried columns (or team) changed: its rows follow, as
-- administrator, re-stamped (no new version).
CREATE FUNCTION crm.carried_moved() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  restamp text := current_setting('keyline.restamp', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  PERFORM set_config('keyline.restamp', 'on', true);
  IF TG_TABLE_NAME = 'opportunities' THEN
    UPDATE crm.opportunity_stage_history h
       SET customer_owner_id = NEW.customer_owner_id, customer_region_id = NEW.region_id
     WHERE h.opportunity_id = NEW.id;
  ELSE
    UPDATE crm.service_steps s
       SET customer_owner_id = NEW.customer_owner_id, customer_region_id = NEW.customer_region_id,
           request_team_id = NEW.team_id
     WHERE s.request_id = NEW.id;
  END IF;
  PERFORM set_config('keyline.restamp', coalesce(restamp, 'off'), true);
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NULL;
END
$$;
CREATE TRIGGER carried_moved AFTER UPDATE OF customer_owner_id, region_id ON crm.opportunities
  FOR EACH ROW WHEN (OLD.customer_owner_id IS DISTINCT FROM NEW.customer_owner_id
                     OR OLD.region_id IS DISTINCT FROM NEW.region_id)
  EXECUTE FUNCTION crm.carried_moved();
CREATE TRIGGER carried_moved AFTER UPDATE OF customer_owner_id, customer_region_id, team_id ON crm.service_requests
  FOR EACH ROW WHEN (OLD.customer_owner_id IS DISTINCT FROM NEW.customer_owner_id
                     OR OLD.customer_region_id IS DISTINCT FROM NEW.customer_region_id
                     OR OLD.team_id IS DISTINCT FROM NEW.team_id)
  EXECUTE FUNCTION crm.carried_moved();

-- A customer leaves its old readers (0007): everything under it is
-- re-stamped for the new readers, and now takes the customer's owner and
-- region along in the same statement.  0019's trigger that moved the
-- opportunities' region is folded in here.
DROP TRIGGER region_moved ON crm.customers;
DROP FUNCTION crm.customer_region_moved();

CREATE OR REPLACE FUNCTION crm.customer_departed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
  restamp text := current_setting('keyline.restamp', true);
BEGIN
  INSERT INTO crm.sync_departures (entity, key, customer_id, owner_id, region_id)
  VALUES ('customer', jsonb_build_object('id', OLD.id), OLD.id, OLD.owner_id, OLD.region_id);
  IF TG_OP = 'UPDATE' THEN
    -- The caller may no longer see the customer, and RLS is forced even
    -- for this function's owner: administrator for these statements.
    PERFORM set_config('keyline.role', 'admin', true);
    PERFORM set_config('keyline.restamp', 'on', true);
    UPDATE crm.contacts SET sync_xid = pg_current_xact_id(),
                            customer_owner_id = NEW.owner_id, customer_region_id = NEW.region_id
     WHERE customer_id = NEW.id;
    UPDATE crm.subscriptions SET sync_xid = pg_current_xact_id(),
                                 customer_owner_id = NEW.owner_id, customer_region_id = NEW.region_id
     WHERE customer_id = NEW.id;
    UPDATE crm.revenue_months SET sync_xid = pg_current_xact_id() WHERE customer_id = NEW.id;
    UPDATE crm.interactions SET sync_xid = pg_current_xact_id(),
                                customer_owner_id = NEW.owner_id, customer_region_id = NEW.region_id
     WHERE customer_id = NEW.id;
    UPDATE crm.opportunities SET sync_xid = pg_current_xact_id(),
                                 customer_owner_id = NEW.owner_id, region_id = NEW.region_id
     WHERE customer_id = NEW.id;
    UPDATE crm.opportunity_stage_history SET sync_xid = pg_current_xact_id()
     WHERE opportunity_id IN (SELECT o.id FROM crm.opportunities o WHERE o.customer_id = NEW.id);
    UPDATE crm.campaign_members SET sync_xid = pg_current_xact_id() WHERE customer_id = NEW.id;
    UPDATE crm.service_requests SET sync_xid = pg_current_xact_id(),
                                    customer_owner_id = NEW.owner_id, customer_region_id = NEW.region_id
     WHERE customer_id = NEW.id;
    UPDATE crm.service_steps SET sync_xid = pg_current_xact_id()
     WHERE request_id IN (SELECT q.id FROM crm.service_requests q WHERE q.customer_id = NEW.id);
    PERFORM set_config('keyline.restamp', coalesce(restamp, 'off'), true);
    PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  END IF;
  RETURN NULL;
END
$$;

------------------------------------------------------------------------
-- Read policies: one init plan each for who is asking

ALTER POLICY customers_read ON crm.customers
  USING (crm.key_match(ARRAY[owner_id, region_id],
                       (SELECT crm.read_keys('{admin,director,manager,marketing,service}'))));

ALTER POLICY contacts_read ON crm.contacts
  USING (crm.key_match(ARRAY[customer_owner_id, customer_region_id],
                       (SELECT crm.read_keys('{admin,director,manager,service}'))));

ALTER POLICY subscriptions_read ON crm.subscriptions
  USING (crm.key_match(ARRAY[customer_owner_id, customer_region_id],
                       (SELECT crm.read_keys('{admin,director,manager,marketing,service}'))));

-- A director's horizon (0006): a row older than it shows no region key,
-- which only a director's keys hold.  The horizon is the date, not who is
-- asking: its own init plan.
ALTER POLICY interactions_read ON crm.interactions
  USING (crm.key_match(ARRAY[customer_owner_id,
                             CASE WHEN occurred_at >= (SELECT crm.director_horizon()) THEN customer_region_id END],
                       (SELECT crm.read_keys('{admin,director,manager,marketing}'))));

ALTER POLICY opportunities_read ON crm.opportunities
  USING (crm.key_match(ARRAY[customer_owner_id, region_id],
                       (SELECT crm.read_keys('{admin,director,manager}'))));

-- The team is a key too: only a service user's keys hold a team.
ALTER POLICY service_requests_read ON crm.service_requests
  USING (crm.key_match(ARRAY[customer_owner_id, customer_region_id, team_id],
                       (SELECT crm.request_read_keys())));

ALTER POLICY opportunity_stage_history_read ON crm.opportunity_stage_history
  USING (crm.key_match(ARRAY[customer_owner_id, customer_region_id],
                       (SELECT crm.read_keys('{admin,director,manager}'))));

ALTER POLICY service_steps_read ON crm.service_steps
  USING (crm.key_match(ARRAY[customer_owner_id, customer_region_id, request_team_id],
                       (SELECT crm.request_read_keys())));

-- revenue_months and campaign_members keep their policies (0010, 0018):
-- their lookup of the customer is now under the customers' one init plan.

-- What a director's board and lists read of a region's opportunities, for
-- index-only scans (0019, 0021), with the column the policy now reads.
DROP INDEX crm.opportunities_region_open;
DROP INDEX crm.opportunities_region_won;
DROP INDEX crm.opportunities_region_stage;
CREATE INDEX opportunities_region_open ON crm.opportunities (region_id, expected_close)
  INCLUDE (stage, amount_once, amount_monthly, contract_months, probability, owner_id, customer_id, customer_owner_id)
  WHERE stage NOT IN ('won', 'lost');
CREATE INDEX opportunities_region_won ON crm.opportunities (region_id, closed_on)
  INCLUDE (stage, amount_once, amount_monthly, contract_months, probability, owner_id, customer_id, customer_owner_id)
  WHERE stage = 'won';
CREATE INDEX opportunities_region_stage ON crm.opportunities (region_id, stage) INCLUDE (customer_id, customer_owner_id);

-- The tables were rewritten: plan on fresh statistics.
ANALYZE crm.contacts, crm.subscriptions, crm.interactions, crm.opportunities, crm.service_requests,
  crm.opportunity_stage_history, crm.service_steps;
