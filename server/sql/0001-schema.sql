-- Keyline schema, version 1: the whole domain.
--
-- Run by the migration runner as the owner role inside one transaction.
-- Conventions: UUID primary keys (records made offline need ids before the
-- server sees them); every mutable row has an integer version and
-- updated_at, maintained by crm.touch(); money is bigint fen (CNY minor
-- units), never floating point.

CREATE SCHEMA crm;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA crm;

-- The application role: the server's requests run as this role, which does
-- not bypass row-level security.  Roles are per cluster, so it may exist.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keyline_app') THEN
    CREATE ROLE keyline_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION
  -- Two databases of one cluster migrating at once (the tests do) race here.
  WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA crm TO keyline_app;

CREATE TYPE crm.user_role       AS ENUM ('admin', 'director', 'manager', 'marketing', 'service');
CREATE TYPE crm.customer_kind   AS ENUM ('government', 'large_enterprise', 'sme');
CREATE TYPE crm.customer_tier   AS ENUM ('key', 'major', 'standard');
CREATE TYPE crm.customer_status AS ENUM ('prospect', 'active', 'churned');
CREATE TYPE crm.product_category AS ENUM ('dedicated_line', 'broadband', 'fixed_line', 'mobile_plan',
                                          'idc', 'cloud', 'iot', 'sms');
CREATE TYPE crm.subscription_status AS ENUM ('active', 'suspended', 'cancelled');
CREATE TYPE crm.interaction_kind    AS ENUM ('visit', 'call', 'email', 'meeting');
CREATE TYPE crm.interaction_outcome AS ENUM ('positive', 'neutral', 'negative', 'no_answer');
CREATE TYPE crm.opportunity_stage   AS ENUM ('prospecting', 'qualification', 'proposal', 'negotiation',
                                             'won', 'lost');
CREATE TYPE crm.target_metric   AS ENUM ('customers', 'revenue', 'profit');
CREATE TYPE crm.campaign_kind   AS ENUM ('promotion', 'outreach', 'care', 'retention');
CREATE TYPE crm.campaign_status AS ENUM ('draft', 'planned', 'running', 'finished', 'cancelled');
CREATE TYPE crm.channel_kind    AS ENUM ('sms', 'phone', 'email', 'visit', 'business_hall');
CREATE TYPE crm.member_response AS ENUM ('pending', 'contacted', 'responded', 'converted', 'declined');
CREATE TYPE crm.service_phase   AS ENUM ('pre_sale', 'in_sale', 'after_sale');
CREATE TYPE crm.service_kind    AS ENUM ('inquiry', 'quotation', 'order', 'installation', 'fault',
                                         'complaint', 'billing', 'cancellation');
CREATE TYPE crm.service_status  AS ENUM ('open', 'in_progress', 'resolved', 'closed');
CREATE TYPE crm.priority        AS ENUM ('low', 'normal', 'high', 'urgent');
CREATE TYPE crm.agent_kind      AS ENUM ('direct', 'agent', 'business_hall', 'online');

-- version + updated_at on every update of a mutable row
CREATE FUNCTION crm.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := clock_timestamp();
  RETURN NEW;
END
$$;

------------------------------------------------------------------------
-- Organisation

CREATE TABLE crm.regions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  parent_id   uuid REFERENCES crm.regions (id),
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  name_en     text,
  level       smallint NOT NULL CHECK (level BETWEEN 0 AND 3),  -- 0 country, 1 province, 2 city, 3 district
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX regions_parent ON crm.regions (parent_id);

CREATE TABLE crm.teams (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  region_id   uuid NOT NULL REFERENCES crm.regions (id),
  parent_id   uuid REFERENCES crm.teams (id),
  name        text NOT NULL,
  name_en     text,
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX teams_region ON crm.teams (region_id);

CREATE TABLE crm.users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  login         text NOT NULL UNIQUE CHECK (login ~ '^[A-Za-z0-9._-]{2,64}$'),
  display_name  text NOT NULL,
  role          crm.user_role NOT NULL,
  team_id       uuid REFERENCES crm.teams (id),
  -- the region a director directs, or the region of the user's team
  region_id     uuid REFERENCES crm.regions (id),
  email         text,
  phone         text,
  password_hash text NOT NULL,   -- libsodium crypto_pwhash_str (Argon2id)
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  version       integer NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX users_team ON crm.users (team_id);
CREATE INDEX users_region ON crm.users (region_id);

-- Sign-in tokens: only a SHA-256 of the 256-bit token is kept.
CREATE TABLE crm.sessions (
  token_hash  bytea PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES crm.users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  expires_at  timestamptz NOT NULL,
  address     inet
);
CREATE INDEX sessions_user ON crm.sessions (user_id);
CREATE INDEX sessions_expiry ON crm.sessions (expires_at);

-- Failed sign-ins per account ('login:NAME') and per address ('addr:IP').
CREATE TABLE crm.sign_in_failures (
  key          text PRIMARY KEY,
  failures     integer NOT NULL,
  window_start timestamptz NOT NULL,
  locked_until timestamptz
);

CREATE TABLE crm.agents (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  kind        crm.agent_kind NOT NULL,
  region_id   uuid REFERENCES crm.regions (id),
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

------------------------------------------------------------------------
-- Customers and what hangs off them

CREATE TABLE crm.customers (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name            text COLLATE "zh-x-icu" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  name_en         text,
  kind            crm.customer_kind NOT NULL,
  industry        text NOT NULL,
  region_id       uuid NOT NULL REFERENCES crm.regions (id),
  tier            crm.customer_tier NOT NULL,
  owner_id        uuid REFERENCES crm.users (id),
  status          crm.customer_status NOT NULL,
  credit_rating   text NOT NULL DEFAULT 'BBB' CHECK (credit_rating IN ('AAA','AA','A','BBB','BB','B','C')),
  registration_no text,            -- unified social credit code (统一社会信用代码)
  address         text,            -- personal data: masked unless the role may see it
  phone           text,            -- personal data
  agent_id        uuid REFERENCES crm.agents (id),
  value_segment   text CHECK (value_segment IN ('high', 'medium', 'low')),
  prefers         text[] NOT NULL DEFAULT '{}',   -- 'discount', 'new_technology', 'service'
  -- denormalised figures the list shows, refreshed with revenue
  monthly_revenue bigint NOT NULL DEFAULT 0,      -- fen, latest full month
  arrears         bigint NOT NULL DEFAULT 0,      -- fen, outstanding now
  churn_risk      smallint CHECK (churn_risk BETWEEN 0 AND 100),
  churn_reasons   text[] NOT NULL DEFAULT '{}',
  churned_on      date,
  churn_reason    text,
  became_customer date,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  version         integer NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- one index per list order, alone and under the two visibility filters
CREATE INDEX customers_name          ON crm.customers (name, id);
CREATE INDEX customers_owner_name    ON crm.customers (owner_id, name, id);
CREATE INDEX customers_region_name   ON crm.customers (region_id, name, id);
CREATE INDEX customers_revenue       ON crm.customers (monthly_revenue, id);
CREATE INDEX customers_owner_revenue ON crm.customers (owner_id, monthly_revenue, id);
CREATE INDEX customers_updated       ON crm.customers (updated_at, id);
CREATE INDEX customers_name_trgm     ON crm.customers USING gin (name crm.gin_trgm_ops);
CREATE INDEX customers_name_en_trgm  ON crm.customers USING gin (name_en crm.gin_trgm_ops);
CREATE INDEX customers_status        ON crm.customers (status);
CREATE INDEX customers_agent         ON crm.customers (agent_id);

CREATE TABLE crm.contacts (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id uuid NOT NULL REFERENCES crm.customers (id) ON DELETE CASCADE,
  name        text NOT NULL,
  title       text,
  mobile      text,          -- personal data
  email       text,
  id_number   text,          -- personal data (居民身份证号)
  address     text,          -- personal data
  is_primary  boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX contacts_customer ON crm.contacts (customer_id);

CREATE TABLE crm.products (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code            text NOT NULL UNIQUE,
  category        crm.product_category NOT NULL,
  name            text NOT NULL,
  name_en         text NOT NULL,
  list_fee        bigint NOT NULL CHECK (list_fee >= 0),  -- fen per unit per month
  unit            text NOT NULL,                          -- 'line', 'Mbps', 'card', 'rack'...
  active          boolean NOT NULL DEFAULT true,
  version         integer NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE crm.subscriptions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id   uuid NOT NULL REFERENCES crm.customers (id) ON DELETE CASCADE,
  product_id    uuid NOT NULL REFERENCES crm.products (id),
  quantity      integer NOT NULL CHECK (quantity > 0),
  monthly_fee   bigint NOT NULL CHECK (monthly_fee >= 0),  -- fen, all units together
  started_on    date NOT NULL,
  contract_end  date,
  status        crm.subscription_status NOT NULL,
  cancelled_on  date,
  version       integer NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX subscriptions_customer ON crm.subscriptions (customer_id);
CREATE INDEX subscriptions_contract_end ON crm.subscriptions (contract_end) WHERE status = 'active';

-- Billing per customer and month: revenue billed, arrears outstanding at
-- month end, and a usage index (100 = the customer's own baseline).
CREATE TABLE crm.revenue_months (
  customer_id  uuid NOT NULL REFERENCES crm.customers (id) ON DELETE CASCADE,
  month        date NOT NULL CHECK (extract(day FROM month) = 1),
  revenue      bigint NOT NULL,
  arrears      bigint NOT NULL DEFAULT 0 CHECK (arrears >= 0),
  usage_index  smallint NOT NULL DEFAULT 100,
  version      integer NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (customer_id, month)
);

CREATE TABLE crm.interactions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id  uuid NOT NULL REFERENCES crm.customers (id) ON DELETE CASCADE,
  contact_id   uuid REFERENCES crm.contacts (id) ON DELETE SET NULL,
  user_id      uuid REFERENCES crm.users (id),
  kind         crm.interaction_kind NOT NULL,
  occurred_at  timestamptz NOT NULL,
  subject      text NOT NULL,
  notes        text,
  outcome      crm.interaction_outcome NOT NULL,
  version      integer NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX interactions_customer ON crm.interactions (customer_id, occurred_at DESC);
CREATE INDEX interactions_user ON crm.interactions (user_id, occurred_at DESC);

CREATE TABLE crm.opportunities (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id     uuid NOT NULL REFERENCES crm.customers (id) ON DELETE CASCADE,
  owner_id        uuid REFERENCES crm.users (id),
  name            text NOT NULL,
  stage           crm.opportunity_stage NOT NULL,
  amount_once     bigint NOT NULL DEFAULT 0 CHECK (amount_once >= 0),     -- fen, one-off
  amount_monthly  bigint NOT NULL DEFAULT 0 CHECK (amount_monthly >= 0),  -- fen, recurring
  probability     smallint NOT NULL CHECK (probability BETWEEN 0 AND 100),
  expected_close  date,
  closed_on       date,
  lost_reason     text,
  agent_id        uuid REFERENCES crm.agents (id),
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  version         integer NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (stage <> 'lost' OR lost_reason IS NOT NULL)
);
CREATE INDEX opportunities_customer ON crm.opportunities (customer_id);
CREATE INDEX opportunities_owner_stage ON crm.opportunities (owner_id, stage);
CREATE INDEX opportunities_close ON crm.opportunities (expected_close) WHERE stage NOT IN ('won', 'lost');

CREATE TABLE crm.opportunity_stage_history (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  opportunity_id  uuid NOT NULL REFERENCES crm.opportunities (id) ON DELETE CASCADE,
  from_stage      crm.opportunity_stage,
  to_stage        crm.opportunity_stage NOT NULL,
  changed_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  changed_by      uuid REFERENCES crm.users (id)
);
CREATE INDEX opportunity_stage_history_opp ON crm.opportunity_stage_history (opportunity_id, changed_at);

CREATE TABLE crm.sales_targets (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id       uuid REFERENCES crm.users (id) ON DELETE CASCADE,
  team_id       uuid REFERENCES crm.teams (id) ON DELETE CASCADE,
  period_start  date NOT NULL,
  period_end    date NOT NULL,
  metric        crm.target_metric NOT NULL,
  target        bigint NOT NULL CHECK (target >= 0),  -- fen for money metrics, a count otherwise
  version       integer NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((user_id IS NULL) <> (team_id IS NULL)),
  CHECK (period_end >= period_start)
);
CREATE INDEX sales_targets_user ON crm.sales_targets (user_id, period_start);
CREATE INDEX sales_targets_team ON crm.sales_targets (team_id, period_start);

CREATE TABLE crm.segments (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  criteria    jsonb NOT NULL,
  owner_id    uuid REFERENCES crm.users (id),
  shared      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE crm.campaigns (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  kind          crm.campaign_kind NOT NULL,
  channels      crm.channel_kind[] NOT NULL,
  segment_id    uuid REFERENCES crm.segments (id),
  owner_id      uuid REFERENCES crm.users (id),
  status        crm.campaign_status NOT NULL,
  starts_on     date NOT NULL,
  ends_on       date NOT NULL,
  budget        bigint NOT NULL DEFAULT 0 CHECK (budget >= 0),  -- fen
  cost          bigint NOT NULL DEFAULT 0 CHECK (cost >= 0),    -- fen, spent so far
  offer         text,
  created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  version       integer NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK (ends_on >= starts_on)
);

CREATE TABLE crm.campaign_members (
  campaign_id   uuid NOT NULL REFERENCES crm.campaigns (id) ON DELETE CASCADE,
  customer_id   uuid NOT NULL REFERENCES crm.customers (id) ON DELETE CASCADE,
  is_control    boolean NOT NULL DEFAULT false,   -- control group: not contacted
  assigned_to   uuid REFERENCES crm.users (id),
  channel       crm.channel_kind,
  contacted_at  timestamptz,
  response      crm.member_response NOT NULL DEFAULT 'pending',
  responded_at  timestamptz,
  revenue       bigint NOT NULL DEFAULT 0,        -- fen attributed to the campaign
  version       integer NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (campaign_id, customer_id)
);
CREATE INDEX campaign_members_customer ON crm.campaign_members (customer_id);
CREATE INDEX campaign_members_assigned ON crm.campaign_members (assigned_to);

CREATE TABLE crm.service_requests (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id   uuid NOT NULL REFERENCES crm.customers (id) ON DELETE CASCADE,
  phase         crm.service_phase NOT NULL,
  kind          crm.service_kind NOT NULL,
  title         text NOT NULL,
  description   text,
  status        crm.service_status NOT NULL,
  priority      crm.priority NOT NULL DEFAULT 'normal',
  opened_by     uuid REFERENCES crm.users (id),
  opened_at     timestamptz NOT NULL,
  due_at        timestamptz,
  closed_at     timestamptz,
  satisfaction  smallint CHECK (satisfaction BETWEEN 1 AND 5),
  version       integer NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX service_requests_customer ON crm.service_requests (customer_id, opened_at DESC);
CREATE INDEX service_requests_open ON crm.service_requests (status) WHERE status IN ('open', 'in_progress');

CREATE TABLE crm.service_steps (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request_id  uuid NOT NULL REFERENCES crm.service_requests (id) ON DELETE CASCADE,
  position    smallint NOT NULL,
  name        text NOT NULL,
  owner_id    uuid REFERENCES crm.users (id),
  deadline    timestamptz NOT NULL,
  done_at     timestamptz,
  note        text,
  version     integer NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (request_id, position)
);
CREATE INDEX service_steps_owner_open ON crm.service_steps (owner_id, deadline) WHERE done_at IS NULL;

-- Append-only: the application role may insert and read, never change.
CREATE TABLE crm.audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  user_id     uuid,
  action      text NOT NULL,      -- 'sign_in', 'reveal', 'update', ...
  entity      text,
  entity_id   uuid,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON crm.audit_log (entity, entity_id);
CREATE INDEX audit_log_user ON crm.audit_log (user_id, at);

CREATE FUNCTION crm.audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON crm.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION crm.audit_log_immutable();

-- version/updated_at triggers on every mutable table
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['regions', 'teams', 'users', 'agents', 'customers', 'contacts', 'products',
                           'subscriptions', 'revenue_months', 'interactions', 'opportunities',
                           'sales_targets', 'segments', 'campaigns', 'campaign_members',
                           'service_requests', 'service_steps'] LOOP
    EXECUTE format('CREATE TRIGGER touch BEFORE UPDATE ON crm.%I FOR EACH ROW EXECUTE FUNCTION crm.touch()', t);
  END LOOP;
END
$$;

------------------------------------------------------------------------
-- Who is asking
--
-- crm.authenticate() is the first statement of every request's
-- transaction.  It resolves the token hash to a user and records the user,
-- role and visible regions in transaction-local settings; the policies
-- below read only those.  Nothing set means nothing visible.

CREATE FUNCTION crm.current_user_id() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('keyline.user_id', true), '')::uuid $$;

CREATE FUNCTION crm.current_role() RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(nullif(current_setting('keyline.role', true), ''), 'none') $$;

CREATE FUNCTION crm.visible_regions() RETURNS uuid[]
  LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT coalesce(nullif(current_setting('keyline.regions', true), ''), '{}')::uuid[] $$;

-- The subtree of regions under (and including) a region.
CREATE FUNCTION crm.region_subtree(root uuid) RETURNS uuid[]
  LANGUAGE sql STABLE AS
$$
  WITH RECURSIVE t(id) AS (
    SELECT root
    UNION ALL
    SELECT r.id FROM crm.regions r JOIN t ON r.parent_id = t.id
  )
  SELECT coalesce(array_agg(id), '{}') FROM t
$$;

CREATE FUNCTION crm.set_identity(uid uuid) RETURNS crm.user_role
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  u crm.users%ROWTYPE;
BEGIN
  SELECT * INTO u FROM crm.users WHERE id = uid AND NOT disabled;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('keyline.user_id', u.id::text, true);
  PERFORM set_config('keyline.role', u.role::text, true);
  IF u.role = 'director' AND u.region_id IS NOT NULL THEN
    PERFORM set_config('keyline.regions', crm.region_subtree(u.region_id)::text, true);
  ELSE
    PERFORM set_config('keyline.regions', '{}', true);
  END IF;
  RETURN u.role;
END
$$;

-- Resolves a token hash; returns no row for an unknown or expired token.
CREATE FUNCTION crm.authenticate(token bytea)
  RETURNS TABLE (user_id uuid, login text, display_name text, role crm.user_role,
                 team_id uuid, region_id uuid, expires_at timestamptz)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  s crm.sessions%ROWTYPE;
BEGIN
  SELECT * INTO s FROM crm.sessions WHERE token_hash = token AND sessions.expires_at > now();
  IF NOT FOUND OR crm.set_identity(s.user_id) IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT u.id, u.login, u.display_name, u.role, u.team_id, u.region_id, s.expires_at
                 FROM crm.users u WHERE u.id = s.user_id;
END
$$;

-- Sign-in support for the application role, which cannot read users or
-- sessions directly.
CREATE FUNCTION crm.password_hash_for(p_login text)
  RETURNS TABLE (user_id uuid, password_hash text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$ SELECT id, password_hash FROM crm.users WHERE login = p_login AND NOT disabled $$;

CREATE FUNCTION crm.open_session(p_user uuid, p_token bytea, p_ttl interval, p_address inet)
  RETURNS timestamptz
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  expiry timestamptz := now() + p_ttl;
BEGIN
  DELETE FROM crm.sessions WHERE user_id = p_user AND sessions.expires_at <= now();
  INSERT INTO crm.sessions (token_hash, user_id, expires_at, address)
  VALUES (p_token, p_user, expiry, p_address);
  INSERT INTO crm.audit_log (user_id, action, entity, entity_id, detail)
  VALUES (p_user, 'sign_in', 'user', p_user, '{}');
  RETURN expiry;
END
$$;

CREATE FUNCTION crm.close_session(p_token bytea) RETURNS boolean
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  uid uuid;
BEGIN
  DELETE FROM crm.sessions WHERE token_hash = p_token RETURNING user_id INTO uid;
  IF uid IS NOT NULL THEN
    INSERT INTO crm.audit_log (user_id, action, entity, entity_id) VALUES (uid, 'sign_out', 'user', uid);
  END IF;
  RETURN uid IS NOT NULL;
END
$$;

-- Throttling of failed sign-ins: returns the seconds left on a lock, 0 if none.
CREATE FUNCTION crm.sign_in_locked(p_keys text[]) RETURNS integer
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
  SELECT coalesce(max(ceil(extract(epoch FROM locked_until - now())))::integer, 0)
    FROM crm.sign_in_failures WHERE key = ANY (p_keys) AND locked_until > now()
$$;

CREATE FUNCTION crm.record_sign_in(p_keys text[], p_ok boolean, p_limit integer, p_window interval,
                                   p_lock interval) RETURNS void
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = crm, pg_temp AS
$$
DECLARE
  k text;
BEGIN
  FOREACH k IN ARRAY p_keys LOOP
    IF p_ok THEN
      DELETE FROM crm.sign_in_failures WHERE key = k AND k LIKE 'login:%';
    ELSE
      INSERT INTO crm.sign_in_failures AS f (key, failures, window_start)
      VALUES (k, 1, now())
      ON CONFLICT (key) DO UPDATE
        SET failures = CASE WHEN f.window_start < now() - p_window THEN 1 ELSE f.failures + 1 END,
            window_start = CASE WHEN f.window_start < now() - p_window THEN now() ELSE f.window_start END,
            locked_until = CASE WHEN f.window_start >= now() - p_window AND f.failures + 1 >= p_limit
                                THEN now() + p_lock ELSE f.locked_until END;
    END IF;
  END LOOP;
END
$$;

REVOKE ALL ON FUNCTION crm.set_identity(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm.authenticate(bytea), crm.password_hash_for(text),
  crm.open_session(uuid, bytea, interval, inet), crm.close_session(bytea),
  crm.sign_in_locked(text[]), crm.record_sign_in(text[], boolean, integer, interval, interval)
  TO keyline_app;

------------------------------------------------------------------------
-- Row-level security
--
-- Customers: administrators, marketing and service see all; a director sees
-- the customers of the regions under theirs; an account manager sees the
-- customers they own.  Rows that hang off a customer are visible when the
-- customer is (the subquery is itself filtered by the customers policy).
-- RLS is forced, so not even the owner role reads around it by accident.

CREATE FUNCTION crm.may_see_customer(c_owner uuid, c_region uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS
$$
  SELECT CASE crm.current_role()
           WHEN 'admin' THEN true
           WHEN 'marketing' THEN true
           WHEN 'service' THEN true
           WHEN 'director' THEN c_region = ANY (crm.visible_regions())
           WHEN 'manager' THEN c_owner = crm.current_user_id()
           ELSE false
         END
$$;

CREATE FUNCTION crm.may_change_customer(c_owner uuid, c_region uuid) RETURNS boolean
  LANGUAGE sql STABLE PARALLEL SAFE AS
$$
  SELECT CASE crm.current_role()
           WHEN 'admin' THEN true
           WHEN 'director' THEN c_region = ANY (crm.visible_regions())
           WHEN 'manager' THEN c_owner = crm.current_user_id()
           ELSE false
         END
$$;

ALTER TABLE crm.customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.customers FORCE ROW LEVEL SECURITY;
CREATE POLICY customers_read ON crm.customers FOR SELECT
  USING (crm.may_see_customer(owner_id, region_id));
CREATE POLICY customers_insert ON crm.customers FOR INSERT
  WITH CHECK (crm.may_change_customer(owner_id, region_id));
CREATE POLICY customers_update ON crm.customers FOR UPDATE
  USING (crm.may_change_customer(owner_id, region_id))
  WITH CHECK (crm.may_change_customer(owner_id, region_id));
CREATE POLICY customers_delete ON crm.customers FOR DELETE
  USING (crm.current_role() = 'admin');

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['contacts', 'subscriptions', 'revenue_months', 'interactions',
                           'opportunities', 'campaign_members', 'service_requests'] LOOP
    EXECUTE format('ALTER TABLE crm.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE crm.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR ALL
                      USING (EXISTS (SELECT 1 FROM crm.customers c WHERE c.id = customer_id))
                      WITH CHECK (EXISTS (SELECT 1 FROM crm.customers c WHERE c.id = customer_id))',
                   t || '_visible', t);
  END LOOP;
END
$$;

ALTER TABLE crm.opportunity_stage_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.opportunity_stage_history FORCE ROW LEVEL SECURITY;
CREATE POLICY opportunity_stage_history_visible ON crm.opportunity_stage_history FOR ALL
  USING (EXISTS (SELECT 1 FROM crm.opportunities o WHERE o.id = opportunity_id))
  WITH CHECK (EXISTS (SELECT 1 FROM crm.opportunities o WHERE o.id = opportunity_id));

ALTER TABLE crm.service_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.service_steps FORCE ROW LEVEL SECURITY;
CREATE POLICY service_steps_visible ON crm.service_steps FOR ALL
  USING (EXISTS (SELECT 1 FROM crm.service_requests r WHERE r.id = request_id))
  WITH CHECK (EXISTS (SELECT 1 FROM crm.service_requests r WHERE r.id = request_id));

-- Signed-in users see names and roles of everyone through this view (it
-- runs as its owner); the users table itself is for admins.  Not a
-- security_barrier view: the barrier stopped the planner from pushing a
-- join's u.id = c.owner_id into the view, so every customer list scanned
-- all users (91 against 1,572 lists per second on a million customers).
-- Its only condition is "signed in", and keyline_app cannot create the
-- leaky functions a barrier guards against.
CREATE VIEW crm.user_directory AS
  SELECT u.id, u.login, u.display_name, u.role, u.team_id, u.region_id, u.disabled
    FROM crm.users u
   WHERE crm.current_user_id() IS NOT NULL;

-- Targets: one's own, one's team's, a director's region, everyone for admin.
ALTER TABLE crm.sales_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.sales_targets FORCE ROW LEVEL SECURITY;
CREATE POLICY sales_targets_read ON crm.sales_targets FOR SELECT USING (
  crm.current_role() = 'admin'
  OR user_id = crm.current_user_id()
  OR (crm.current_role() = 'director' AND (
        team_id IN (SELECT t.id FROM crm.teams t WHERE t.region_id = ANY (crm.visible_regions()))
        OR user_id IN (SELECT u.id FROM crm.user_directory u WHERE u.region_id = ANY (crm.visible_regions()))))
  OR team_id IN (SELECT u.team_id FROM crm.user_directory u WHERE u.id = crm.current_user_id()));
CREATE POLICY sales_targets_write ON crm.sales_targets FOR ALL
  USING (crm.current_role() IN ('admin', 'director'))
  WITH CHECK (crm.current_role() IN ('admin', 'director'));

-- Campaigns and segments are marketing's work; everyone signed in reads them.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['campaigns', 'segments'] LOOP
    EXECUTE format('ALTER TABLE crm.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE crm.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR SELECT USING (crm.current_user_id() IS NOT NULL)',
                   t || '_read', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR ALL
                      USING (crm.current_role() IN (''admin'', ''marketing''))
                      WITH CHECK (crm.current_role() IN (''admin'', ''marketing''))', t || '_write', t);
  END LOOP;
END
$$;

-- Reference data: readable by every signed-in user, changed by admins.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['regions', 'teams', 'products', 'agents'] LOOP
    EXECUTE format('ALTER TABLE crm.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE crm.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR SELECT USING (crm.current_user_id() IS NOT NULL)',
                   t || '_read', t);
    EXECUTE format('CREATE POLICY %I ON crm.%I FOR ALL USING (crm.current_role() = ''admin'')
                      WITH CHECK (crm.current_role() = ''admin'')', t || '_write', t);
  END LOOP;
END
$$;

-- Users: signed-in users see names and roles through crm.user_directory;
-- the table itself (password hashes) is for admins only.
-- Not forced: the SECURITY DEFINER functions above read it as the owner.
ALTER TABLE crm.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_admin ON crm.users FOR ALL
  USING (crm.current_role() = 'admin' OR id = crm.current_user_id())
  WITH CHECK (crm.current_role() = 'admin');


-- The audit log: admins read it; everyone signed in appends as themselves.
ALTER TABLE crm.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON crm.audit_log FOR SELECT USING (crm.current_role() = 'admin');
CREATE POLICY audit_log_append ON crm.audit_log FOR INSERT
  WITH CHECK (user_id = crm.current_user_id());

-- sessions and sign_in_failures are reached only through the SECURITY
-- DEFINER functions above.
ALTER TABLE crm.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE crm.sign_in_failures ENABLE ROW LEVEL SECURITY;

GRANT SELECT, INSERT, UPDATE, DELETE ON
  crm.regions, crm.teams, crm.agents, crm.customers, crm.contacts, crm.products,
  crm.subscriptions, crm.revenue_months, crm.interactions, crm.opportunities,
  crm.sales_targets, crm.segments, crm.campaigns, crm.campaign_members,
  crm.service_requests, crm.service_steps
  TO keyline_app;
GRANT SELECT, INSERT ON crm.opportunity_stage_history TO keyline_app;
GRANT SELECT, UPDATE ON crm.users TO keyline_app;
GRANT SELECT ON crm.user_directory TO keyline_app;
GRANT SELECT, INSERT ON crm.audit_log TO keyline_app;
