-- Sign-in throttling that holds under concurrency and cannot lock an owner out.
--
-- Before: crm.sign_in_locked() was read before the password check and
-- crm.record_sign_in() counted the failure after it, so sixty guesses sent
-- at once all passed the check and all sixty passwords were tried.  And the
-- per-account lock ('login:NAME') locked the owner out too, from anywhere.
--
-- Now an attempt is counted before its password is checked, by one
-- INSERT ... ON CONFLICT DO UPDATE that increments the counter and says in
-- the same statement whether this attempt is within the limit; the row lock
-- it takes serialises concurrent attempts.  Counters are per account AND
-- address, (login, address), so an attacker's failures throttle only the
-- attacker's address; and per address, ('', address), with a larger limit,
-- so one address cannot spray many accounts.  A counter holds the attempts
-- in flight plus the failures of its window; a success forgets the
-- account's row for that address and gives back the address's attempt.

DROP FUNCTION crm.record_sign_in(text[], boolean, integer, interval, interval);
DROP FUNCTION crm.sign_in_locked(text[]);
DROP TABLE crm.sign_in_failures;

-- login '' is the address as a whole (a real login has 2 to 64 characters).
CREATE TABLE crm.sign_in_attempts (
  login        text NOT NULL,
  address      inet NOT NULL,
  attempts     integer NOT NULL CHECK (attempts >= 0),
  window_start timestamptz NOT NULL,
  locked_until timestamptz,
  PRIMARY KEY (login, address)
);
ALTER TABLE crm.sign_in_attempts ENABLE ROW LEVEL SECURITY;

-- Counts one attempt on (p_login, p_address) unless it is locked.  Returns 0
-- when the attempt may go ahead, else the seconds the lock has left.  A lock
-- starts when an attempt would pass p_limit; a window or lock that has run
-- out starts a new window with this attempt.
CREATE FUNCTION crm.count_sign_in_attempt(p_login text, p_address inet, p_limit integer,
                                          p_window interval, p_lock interval) RETURNS integer
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
  INSERT INTO crm.sign_in_attempts AS a (login, address, attempts, window_start)
  VALUES (p_login, p_address, 1, now())
  ON CONFLICT (login, address) DO UPDATE SET
    attempts = CASE WHEN a.locked_until > now() THEN a.attempts
                    WHEN a.locked_until IS NOT NULL OR a.window_start <= now() - p_window THEN 1
                    WHEN a.attempts + 1 > p_limit THEN a.attempts
                    ELSE a.attempts + 1 END,
    window_start = CASE WHEN a.locked_until > now() THEN a.window_start
                        WHEN a.locked_until IS NOT NULL OR a.window_start <= now() - p_window THEN now()
                        ELSE a.window_start END,
    locked_until = CASE WHEN a.locked_until > now() THEN a.locked_until
                        WHEN a.locked_until IS NOT NULL OR a.window_start <= now() - p_window THEN NULL
                        WHEN a.attempts + 1 > p_limit THEN now() + p_lock
                        ELSE NULL END
  RETURNING CASE WHEN a.locked_until > now()
                 THEN greatest(ceil(extract(epoch FROM a.locked_until - now())), 1)::integer
                 ELSE 0 END
$$;

-- Claims one sign-in attempt for p_login from p_address: counted on the
-- account at that address, then on the address.  0: check the password;
-- otherwise the seconds to wait.  An attempt the address refuses is given
-- back to the account's row (its lock is still held, so no one saw it).
CREATE FUNCTION crm.claim_sign_in(p_login text, p_address inet, p_limit integer, p_address_limit integer,
                                  p_window interval, p_lock interval) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  wait integer;
BEGIN
  wait := crm.count_sign_in_attempt(p_login, p_address, p_limit, p_window, p_lock);
  IF wait > 0 THEN
    RETURN wait;
  END IF;
  wait := crm.count_sign_in_attempt('', p_address, p_address_limit, p_window, p_lock);
  IF wait > 0 THEN
    UPDATE crm.sign_in_attempts SET attempts = greatest(attempts - 1, 0)
     WHERE login = p_login AND address = p_address;
  END IF;
  RETURN wait;
END
$$;

-- Settles a claimed attempt that did not fail.  p_succeeded: the password
-- was right, so the account's failures from this address are forgotten.
-- Otherwise the password was never checked (no room to check it), so the
-- attempt is given back.  Either way the address gets its attempt back.
CREATE FUNCTION crm.release_sign_in(p_login text, p_address inet, p_succeeded boolean) RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
  DELETE FROM crm.sign_in_attempts
   WHERE p_succeeded AND login = p_login AND address = p_address;
  UPDATE crm.sign_in_attempts SET attempts = greatest(attempts - 1, 0)
   WHERE address = p_address AND (login = '' OR (NOT p_succeeded AND login = p_login));
$$;

REVOKE ALL ON FUNCTION crm.count_sign_in_attempt(text, inet, integer, interval, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm.claim_sign_in(text, inet, integer, integer, interval, interval),
  crm.release_sign_in(text, inet, boolean)
  TO keyline_app;
