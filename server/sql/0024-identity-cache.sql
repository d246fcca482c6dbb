-- Identity from the server's cache, and revocation by notification.
--
-- keyline-server keeps who a token belongs to in a bounded cache; a cached
-- request's transaction then begins with one plain statement of builtin
-- set_config (..., true) calls instead of crm.authenticate ().  For that,
-- crm.authenticate () also returns what crm.set_identity () set:
-- `regions` (the keyline.regions text, a director's region subtree) and
-- the session's expiry in seconds since the epoch.  The first seven
-- columns are unchanged.
--
-- Every change that alters or ends who a token is notifies the channel
-- keyline_identity at commit; every server process listens on it and
-- drops what it cached at once:
--   'session:HEX'  a session deleted or changed (HEX: its token hash)
--   'user:UUID'    a user deleted, or changed in login, name, role, team,
--                  region, password or disabled
--   'all'          the region tree changed (a director's subtree), or too
--                  many sessions went at once to name them

DROP FUNCTION crm.authenticate(bytea);

CREATE FUNCTION crm.authenticate(token bytea)
  RETURNS TABLE (user_id uuid, login text, display_name text, role crm.user_role,
                 team_id uuid, region_id uuid, expires_at timestamptz,
                 regions text, expires_epoch double precision)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  s crm.sessions%ROWTYPE;
BEGIN
  SELECT * INTO s FROM crm.sessions WHERE token_hash = token AND sessions.expires_at > now();
  IF NOT FOUND OR crm.set_identity(s.user_id) IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT u.id, u.login, u.display_name, u.role, u.team_id, u.region_id, s.expires_at,
                      current_setting('keyline.regions'),
                      extract(epoch FROM s.expires_at)::double precision
                 FROM crm.users u WHERE u.id = s.user_id;
END
$$;

GRANT EXECUTE ON FUNCTION crm.authenticate(bytea) TO keyline_app;

-- Sessions: one notification per session that went or changed; a mass
-- expiry sweep says 'all' rather than thousands of names.
CREATE FUNCTION crm.notify_identity_sessions() RETURNS trigger
  LANGUAGE plpgsql AS
$$
DECLARE
  n bigint;
  h bytea;
BEGIN
  SELECT count(*) INTO n FROM gone;
  IF n > 1000 THEN
    PERFORM pg_notify('keyline_identity', 'all');
  ELSE
    FOR h IN SELECT token_hash FROM gone LOOP
      PERFORM pg_notify('keyline_identity', 'session:' || encode(h, 'hex'));
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER identity_session_deleted AFTER DELETE ON crm.sessions
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION crm.notify_identity_sessions();
CREATE TRIGGER identity_session_updated AFTER UPDATE ON crm.sessions
  REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION crm.notify_identity_sessions();

-- Users: whatever the cache holds of them, or whether they may be served.
CREATE FUNCTION crm.notify_identity_user() RETURNS trigger
  LANGUAGE plpgsql AS
$$
BEGIN
  IF TG_OP = 'DELETE'
     OR (OLD.id, OLD.login, OLD.display_name, OLD.role, OLD.team_id, OLD.region_id,
         OLD.password_hash, OLD.disabled)
        IS DISTINCT FROM
        (NEW.id, NEW.login, NEW.display_name, NEW.role, NEW.team_id, NEW.region_id,
         NEW.password_hash, NEW.disabled) THEN
    PERFORM pg_notify('keyline_identity', 'user:' || OLD.id::text);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER identity_user_changed AFTER UPDATE OR DELETE ON crm.users
  FOR EACH ROW EXECUTE FUNCTION crm.notify_identity_user();

-- Regions: a director's keyline.regions is the subtree under their region,
-- so a region added, removed or moved may change anyone's.
CREATE FUNCTION crm.notify_identity_all() RETURNS trigger
  LANGUAGE plpgsql AS
$$
BEGIN
  PERFORM pg_notify('keyline_identity', 'all');
  RETURN NULL;
END
$$;

CREATE TRIGGER identity_regions_changed AFTER INSERT OR DELETE OR UPDATE OF parent_id ON crm.regions
  FOR EACH STATEMENT EXECUTE FUNCTION crm.notify_identity_all();
