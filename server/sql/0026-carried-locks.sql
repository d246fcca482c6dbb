-- The carried owner and region (0025) are read under a share lock on the
-- parent row.
--
-- A child inserted while its customer changes owner or region read the
-- customer without a lock: it took the old owner and region, and the
-- customer's update, which carries the new ones down (customer_departed),
-- did not see the child, still uncommitted.  The child then kept the old
-- owner: row-level security showed it to the customer's former manager
-- and hid it from the new one, while the sync, which joins the customer,
-- said the opposite (test-server-sync's concurrent writers lost a contact
-- or an interaction in about one run in ten on a loaded machine).  FOR
-- SHARE makes the two wait for each other: a child inserted first holds
-- its customer until it commits, so the customer's update sees it and
-- carries the new owner down; a child inserted after the update began
-- waits for it and reads the new owner.  The same for the rows that carry
-- an opportunity's or a service request's columns.

CREATE OR REPLACE FUNCTION crm.carry_customer() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT c.owner_id, c.region_id INTO NEW.customer_owner_id, NEW.customer_region_id
    FROM crm.customers c WHERE c.id = NEW.customer_id FOR SHARE;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION crm.opportunity_region() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT c.region_id, c.owner_id INTO NEW.region_id, NEW.customer_owner_id
    FROM crm.customers c WHERE c.id = NEW.customer_id FOR SHARE;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION crm.carry_opportunity() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT o.customer_owner_id, o.region_id INTO NEW.customer_owner_id, NEW.customer_region_id
    FROM crm.opportunities o WHERE o.id = NEW.opportunity_id FOR SHARE;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION crm.carry_request() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  caller text := current_setting('keyline.role', true);
BEGIN
  PERFORM set_config('keyline.role', 'admin', true);
  SELECT q.customer_owner_id, q.customer_region_id, q.team_id
    INTO NEW.customer_owner_id, NEW.customer_region_id, NEW.request_team_id
    FROM crm.service_requests q WHERE q.id = NEW.request_id FOR SHARE;
  PERFORM set_config('keyline.role', coalesce(caller, ''), true);
  RETURN NEW;
END
$$;
