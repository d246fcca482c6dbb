-- Who is asking, once per statement instead of once per row.
--
-- The policies called crm.current_role(), crm.current_user_id() and
-- crm.visible_regions() on every row they looked at: each reads a setting,
-- and casts it to uuid or uuid[].  A customer detail joined the 70 regions
-- through a hash join and evaluated the regions policy on each of them, and
-- PostgreSQL spent 183 us per detail request.  Written as scalar subqueries
-- ((SELECT crm.current_role())) they become init plans, evaluated once per
-- statement, and the regions and users checks become one-time filters.
-- Same rules, same results; only where they are evaluated changes.

CREATE FUNCTION crm.may_see(c_owner uuid, c_region uuid, who_role text, who uuid, regions uuid[])
  RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
  SELECT CASE who_role
           WHEN 'admin' THEN true
           WHEN 'marketing' THEN true
           WHEN 'service' THEN true
           WHEN 'director' THEN c_region = ANY (regions)
           WHEN 'manager' THEN c_owner = who
           ELSE false
         END
$$;

CREATE FUNCTION crm.may_change(c_owner uuid, c_region uuid, who_role text, who uuid, regions uuid[])
  RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
  SELECT CASE who_role
           WHEN 'admin' THEN true
           WHEN 'director' THEN c_region = ANY (regions)
           WHEN 'manager' THEN c_owner = who
           ELSE false
         END
$$;

DROP POLICY customers_read ON crm.customers;
DROP POLICY customers_insert ON crm.customers;
DROP POLICY customers_update ON crm.customers;
DROP POLICY customers_delete ON crm.customers;
CREATE POLICY customers_read ON crm.customers FOR SELECT
  USING (crm.may_see(owner_id, region_id, (SELECT crm.current_role()), (SELECT crm.current_user_id()),
                     (SELECT crm.visible_regions())));
CREATE POLICY customers_insert ON crm.customers FOR INSERT
  WITH CHECK (crm.may_change(owner_id, region_id, (SELECT crm.current_role()), (SELECT crm.current_user_id()),
                             (SELECT crm.visible_regions())));
CREATE POLICY customers_update ON crm.customers FOR UPDATE
  USING (crm.may_change(owner_id, region_id, (SELECT crm.current_role()), (SELECT crm.current_user_id()),
                        (SELECT crm.visible_regions())))
  WITH CHECK (crm.may_change(owner_id, region_id, (SELECT crm.current_role()), (SELECT crm.current_user_id()),
                             (SELECT crm.visible_regions())));
CREATE POLICY customers_delete ON crm.customers FOR DELETE
  USING ((SELECT crm.current_role()) = 'admin');

DROP POLICY sync_departures_read ON crm.sync_departures;
CREATE POLICY sync_departures_read ON crm.sync_departures FOR SELECT
  USING (crm.may_see(owner_id, region_id, (SELECT crm.current_role()), (SELECT crm.current_user_id()),
                     (SELECT crm.visible_regions())));

CREATE OR REPLACE VIEW crm.user_directory AS
  SELECT u.id, u.login, u.display_name, u.role, u.team_id, u.region_id, u.disabled
    FROM crm.users u
   WHERE (SELECT crm.current_user_id()) IS NOT NULL;

DROP POLICY sales_targets_read ON crm.sales_targets;
DROP POLICY sales_targets_write ON crm.sales_targets;
CREATE POLICY sales_targets_read ON crm.sales_targets FOR SELECT USING (
  (SELECT crm.current_role()) = 'admin'
  OR user_id = (SELECT crm.current_user_id())
  OR ((SELECT crm.current_role()) = 'director' AND (
        team_id IN (SELECT t.id FROM crm.teams t WHERE t.region_id = ANY ((SELECT crm.visible_regions())::uuid[]))
        OR user_id IN (SELECT u.id FROM crm.user_directory u
                        WHERE u.region_id = ANY ((SELECT crm.visible_regions())::uuid[]))))
  OR team_id IN (SELECT u.team_id FROM crm.user_directory u WHERE u.id = (SELECT crm.current_user_id())));
CREATE POLICY sales_targets_write ON crm.sales_targets FOR ALL
  USING ((SELECT crm.current_role()) IN ('admin', 'director'))
  WITH CHECK ((SELECT crm.current_role()) IN ('admin', 'director'));

DO $$
DECLARE t text;
BEGIN
  -- marketing's tables
  FOREACH t IN ARRAY ARRAY['campaigns', 'segments'] LOOP
    EXECUTE format('DROP POLICY %I ON crm.%I', t || '_read', t);
    EXECUTE format('DROP POLICY %I ON crm.%I', t || '_write', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR SELECT USING ((SELECT crm.current_user_id()) IS NOT NULL)',
                   t || '_read', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR ALL
                      USING ((SELECT crm.current_role()) IN (''admin'', ''marketing''))
                      WITH CHECK ((SELECT crm.current_role()) IN (''admin'', ''marketing''))', t || '_write', t);
  END LOOP;
  -- reference data
  FOREACH t IN ARRAY ARRAY['regions', 'teams', 'agents', 'products'] LOOP
    EXECUTE format('DROP POLICY %I ON crm.%I', t || '_read', t);
    EXECUTE format('DROP POLICY %I ON crm.%I', t || '_write', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR SELECT USING ((SELECT crm.current_user_id()) IS NOT NULL)',
                   t || '_read', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR ALL USING ((SELECT crm.current_role()) = ''admin'')
                      WITH CHECK ((SELECT crm.current_role()) = ''admin'')', t || '_write', t);
  END LOOP;
END
$$;

DROP POLICY users_admin ON crm.users;
CREATE POLICY users_admin ON crm.users FOR ALL
  USING ((SELECT crm.current_role()) = 'admin' OR id = (SELECT crm.current_user_id()))
  WITH CHECK ((SELECT crm.current_role()) = 'admin');

DROP POLICY audit_log_read ON crm.audit_log;
DROP POLICY audit_log_append ON crm.audit_log;
CREATE POLICY audit_log_read ON crm.audit_log FOR SELECT USING ((SELECT crm.current_role()) = 'admin');
CREATE POLICY audit_log_append ON crm.audit_log FOR INSERT
  WITH CHECK (user_id = (SELECT crm.current_user_id()));

DROP POLICY mutations_own ON crm.mutations;
CREATE POLICY mutations_own ON crm.mutations FOR ALL
  USING (user_id = (SELECT crm.current_user_id()))
  WITH CHECK (user_id = (SELECT crm.current_user_id()));
