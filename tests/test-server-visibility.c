/* Who sees which records (issue 8): for every synced entity and every
 * role, a plain `SELECT count(*)` with no WHERE, run as keyline_app with
 * the identity crm.authenticate() sets, against the rule computed
 * independently as the table owner on the seeded demo database.  Row-level
 * security alone decides; the sync feed follows it. */
#define G_LOG_DOMAIN "test-server-visibility"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <libpq-fe.h>

#include "crm-config.h"
#include "crm-entity.h"
#include "crm-migrate.h"
#include "crm-records.h"
#include "crm-test-pg.h"

static char *conninfo;

/* Rules, as the owner, with $1 the reader's user id. */
#define OWN "c.owner_id = $1"
#define SUBTREE \
  "c.region_id IN (WITH RECURSIVE t (id) AS (SELECT region_id FROM crm.users WHERE id = $1" \
  "                UNION ALL SELECT r.id FROM crm.regions r JOIN t ON r.parent_id = t.id) SELECT id FROM t)"
/* the director's horizon: the first day of the month twelve months before this one */
#define HORIZON "(date_trunc('month', current_date) - interval '12 months')"
#define TEAM_QUEUE "q.team_id = (SELECT team_id FROM crm.users WHERE id = $1)"

#define CUSTOMERS(where)        "SELECT count(*) FROM crm.customers c WHERE " where
#define CHILD(table, where)     "SELECT count(*) FROM crm." table " x JOIN crm.customers c ON c.id = x.customer_id WHERE " where
#define HISTORY(where)          "SELECT count(*) FROM crm.opportunity_stage_history h" \
                                " JOIN crm.opportunities x ON x.id = h.opportunity_id" \
                                " JOIN crm.customers c ON c.id = x.customer_id WHERE " where
#define REQUESTS(where)         "SELECT count(*) FROM crm.service_requests q" \
                                " JOIN crm.customers c ON c.id = q.customer_id WHERE " where
#define STEPS(where)            "SELECT count(*) FROM crm.service_steps s JOIN crm.service_requests q ON q.id = s.request_id" \
                                " JOIN crm.customers c ON c.id = q.customer_id WHERE " where
#define TARGETS(where)          "SELECT count(*) FROM crm.sales_targets g WHERE " where
#define TARGETS_OF_REGION \
  "g.user_id = $1" \
  " OR g.team_id IN (SELECT id FROM crm.teams c WHERE " SUBTREE ")" \
  " OR g.user_id IN (SELECT id FROM crm.users c WHERE " SUBTREE ")"

#define USERS(where)            "SELECT count(*) FROM crm.users c WHERE c.id = $1 OR " where
#define OWN_TEAM "c.team_id = (SELECT team_id FROM crm.users WHERE id = $1)"
#define USER_SUBTREE SUBTREE

#define ALL  "all"
#define NONE "none"

typedef struct
{
  const char *table;
  const char *login;
  const char *says;       /* the test's name: <table>/<login>-sees-<says> */
  const char *rule;       /* ALL, NONE, or a count with $1 the reader */
  gboolean    may_be_empty;  /* the demo may hold no such row (dates gone by, no target of one's own) */
} Rule;

static const Rule rules[] = {
  { "customers", "manager",   "own",             CUSTOMERS (OWN) },
  { "customers", "director",  "region-subtree",  CUSTOMERS (SUBTREE) },
  { "customers", "marketing", "all",             ALL },
  { "customers", "service",   "all",             ALL },
  { "customers", "admin",     "all",             ALL },

  { "contacts", "manager",   "those-of-own-customers", CHILD ("contacts", OWN) },
  { "contacts", "director",  "those-of-region-subtree", CHILD ("contacts", SUBTREE) },
  { "contacts", "marketing", "none",            NONE },
  { "contacts", "service",   "all",             ALL },
  { "contacts", "admin",     "all",             ALL },

  { "subscriptions", "manager",   "those-of-own-customers",  CHILD ("subscriptions", OWN) },
  { "subscriptions", "director",  "those-of-region-subtree", CHILD ("subscriptions", SUBTREE) },
  { "subscriptions", "marketing", "all",        ALL },
  { "subscriptions", "service",   "all",        ALL },
  { "subscriptions", "admin",     "all",        ALL },

  { "products", "manager",   "all", ALL },
  { "products", "director",  "all", ALL },
  { "products", "marketing", "all", ALL },
  { "products", "service",   "all", ALL },
  { "products", "admin",     "all", ALL },

  { "revenue_months", "manager",   "those-of-own-customers", CHILD ("revenue_months", OWN) },
  { "revenue_months", "director",  "last-12-months-of-region-subtree",
    CHILD ("revenue_months", SUBTREE " AND x.month >= " HORIZON), TRUE },
  { "revenue_months", "marketing", "all",       ALL },
  { "revenue_months", "service",   "none",      NONE },
  { "revenue_months", "admin",     "all",       ALL },

  { "interactions", "manager",   "those-of-own-customers", CHILD ("interactions", OWN) },
  { "interactions", "director",  "last-12-months-of-region-subtree",
    CHILD ("interactions", SUBTREE " AND x.occurred_at >= " HORIZON), TRUE },
  { "interactions", "marketing", "all",         ALL },
  { "interactions", "service",   "none",        NONE },
  { "interactions", "admin",     "all",         ALL },

  { "opportunities", "manager",   "those-of-own-customers",  CHILD ("opportunities", OWN) },
  { "opportunities", "director",  "those-of-region-subtree", CHILD ("opportunities", SUBTREE) },
  { "opportunities", "marketing", "none",       NONE },
  { "opportunities", "service",   "none",       NONE },
  { "opportunities", "admin",     "all",        ALL },

  { "opportunity_stage_history", "manager",   "those-of-own-customers",  HISTORY (OWN) },
  { "opportunity_stage_history", "director",  "those-of-region-subtree", HISTORY (SUBTREE) },
  { "opportunity_stage_history", "marketing", "none", NONE },
  { "opportunity_stage_history", "service",   "none", NONE },
  { "opportunity_stage_history", "admin",     "all",  ALL },

  /* never the control group (0018) */
  { "campaign_members", "manager",   "treated-of-own-customers",
    CHILD ("campaign_members", OWN " AND NOT x.is_control") },
  { "campaign_members", "director",  "treated-of-region-subtree",
    CHILD ("campaign_members", SUBTREE " AND NOT x.is_control") },
  { "campaign_members", "marketing", "all",     ALL },
  { "campaign_members", "service",   "none",    NONE },
  { "campaign_members", "admin",     "all",     ALL },

  { "service_requests", "manager",   "those-of-own-customers",  REQUESTS (OWN) },
  { "service_requests", "director",  "those-of-region-subtree", REQUESTS (SUBTREE) },
  { "service_requests", "marketing", "none",    NONE },
  { "service_requests", "service",   "own-teams-queue", REQUESTS (TEAM_QUEUE) },
  { "service_requests", "admin",     "all",     ALL },

  { "service_steps", "manager",   "those-of-own-customers",  STEPS (OWN) },
  { "service_steps", "director",  "those-of-region-subtree", STEPS (SUBTREE) },
  { "service_steps", "marketing", "none",       NONE },
  { "service_steps", "service",   "own-teams-queue", STEPS (TEAM_QUEUE) },
  { "service_steps", "admin",     "all",        ALL },

  { "sales_targets", "manager",   "own",        TARGETS ("g.user_id = $1") },
  { "sales_targets", "director",  "own-and-region-subtree", TARGETS (TARGETS_OF_REGION) },
  { "sales_targets", "marketing", "own",        TARGETS ("g.user_id = $1"), TRUE },
  { "sales_targets", "service",   "own",        TARGETS ("g.user_id = $1"), TRUE },
  { "sales_targets", "admin",     "all",        ALL },

  { "campaigns", "manager",   "all", ALL },
  { "campaigns", "director",  "all", ALL },
  { "campaigns", "marketing", "all", ALL },
  { "campaigns", "service",   "all", ALL },
  { "campaigns", "admin",     "all", ALL },

  { "segments", "manager",   "all", ALL },
  { "segments", "director",  "all", ALL },
  { "segments", "marketing", "all", ALL },
  { "segments", "service",   "all", ALL },
  { "segments", "admin",     "all", ALL },

  { "regions", "manager",   "all", ALL },
  { "regions", "director",  "all", ALL },
  { "regions", "marketing", "all", ALL },
  { "regions", "service",   "all", ALL },
  { "regions", "admin",     "all", ALL },

  { "teams", "manager",   "all", ALL },
  { "teams", "director",  "all", ALL },
  { "teams", "marketing", "all", ALL },
  { "teams", "service",   "all", ALL },
  { "teams", "admin",     "all", ALL },

  { "users", "manager",   "own-team-and-self",       USERS (OWN_TEAM) },
  { "users", "director",  "region-subtree-and-self", USERS (USER_SUBTREE) },
  { "users", "marketing", "own-team-and-self",       USERS (OWN_TEAM) },
  { "users", "service",   "own-team-and-self",       USERS (OWN_TEAM) },
  { "users", "admin",     "all",                     ALL },

  { "pipeline_stages", "manager",   "all",  ALL },
  { "pipeline_stages", "director",  "all",  ALL },
  { "pipeline_stages", "marketing", "none", NONE },
  { "pipeline_stages", "service",   "none", NONE },
  { "pipeline_stages", "admin",     "all",  ALL },
};

/* Database helpers ---------------------------------------------------------- */

static PGconn *
owner_connection (void)
{
  return crm_test_pg_connect_as_admin (conninfo);
}

static gint64
owner_count (PGconn     *conn,
             const char *sql,
             const char *param)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param, NULL);

  return g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
}

static char *
user_id (PGconn     *conn,
         const char *login)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, "SELECT id FROM crm.users WHERE login = $1", login, NULL);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return g_strdup (PQgetvalue (res, 0, 0));
}

static char *
token_of (const char *login)
{
  return g_strconcat ("visibility-test-token-", login, NULL);
}

/* A session for @login, opened as crm.open_session() opens it at sign-in. */
static void
open_session (PGconn     *conn,
              const char *login)
{
  g_autofree char *token = token_of (login);
  g_autoptr(PGresult) res = crm_test_pg_query (conn,
                                               "SELECT crm.open_session(u.id, sha256(convert_to($1, 'UTF8')),"
                                               "                        interval '1 hour', NULL)"
                                               "  FROM crm.users u WHERE u.login = $2",
                                               token, login);

  g_assert_cmpint (PQntuples (res), ==, 1);
}

/* A connection of keyline_app inside a transaction signed in as @login. */
static PGconn *
app_begin (const char *login)
{
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *app = NULL;
  g_autofree char *token = token_of (login);
  g_autoptr(PGresult) who = NULL;
  PGconn *conn;

  g_free (config->database);
  config->database = g_strdup (conninfo);
  app = crm_config_get_app_conninfo (config);
  conn = crm_pg_connect_blocking (app, &error);
  g_assert_no_error (error);

  PQclear (crm_test_pg_query (conn, "BEGIN", NULL, NULL));
  who = crm_test_pg_query (conn, "SELECT login FROM crm.authenticate(sha256(convert_to($1, 'UTF8')))", token, NULL);
  g_assert_cmpint (PQntuples (who), ==, 1);
  g_assert_cmpstr (PQgetvalue (who, 0, 0), ==, login);
  return conn;
}

/* "SELECT count(*) FROM crm.<table><tail>", the table name quoted as an
 * identifier by libpq (names cannot travel as parameters). */
static char *
count_sql (PGconn     *conn,
           const char *table,
           const char *tail)
{
  char *quoted = PQescapeIdentifier (conn, table, strlen (table));
  char *sql = g_strconcat ("SELECT count(*) FROM crm.", quoted, tail, NULL);

  PQfreemem (quoted);
  return sql;
}

/* SELECT count(*) FROM crm.@table, with no WHERE, as keyline_app signed in
 * as @login. */
static gint64
app_count (const char *login,
           const char *table)
{
  g_autoptr(PGconn) conn = app_begin (login);
  g_autofree char *sql = count_sql (conn, table, "");
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, NULL, NULL);

  PQclear (crm_test_pg_query (conn, "COMMIT", NULL, NULL));
  return g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
}

/* Runs @sql with @param as keyline_app signed in as @login, and rolls it
 * back.  Returns the rows it changed, or -1 with PostgreSQL's SQLSTATE in
 * @sqlstate (a static string). */
static gint64
app_write (const char  *login,
           const char  *sql,
           const char  *param,
           const char **sqlstate)
{
  g_autoptr(PGconn) conn = app_begin (login);
  const char *params[1] = { param };
  g_autoptr(PGresult) res = PQexecParams (conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
  gint64 n = -1;

  *sqlstate = "";
  if (PQresultStatus (res) == PGRES_COMMAND_OK)
    n = g_ascii_strtoll (PQcmdTuples (res), NULL, 10);
  else
    *sqlstate = g_intern_string (PQresultErrorField (res, PG_DIAG_SQLSTATE));
  PQclear (crm_test_pg_query (conn, "ROLLBACK", NULL, NULL));
  return n;
}

/* Tests ----------------------------------------------------------------------- */

static void
test_rule (gconstpointer data)
{
  const Rule *rule = data;
  g_autoptr(PGconn) conn = owner_connection ();
  g_autofree char *me = user_id (conn, rule->login);
  g_autofree char *all_sql = count_sql (conn, rule->table, "");
  gint64 total = owner_count (conn, all_sql, NULL);
  gint64 expected;
  gint64 seen;

  if (g_str_equal (rule->rule, ALL))
    expected = total;
  else if (g_str_equal (rule->rule, NONE))
    expected = 0;
  else
    expected = owner_count (conn, rule->rule, me);
  seen = app_count (rule->login, rule->table);
  g_test_message ("%s as %s: sees %" G_GINT64_FORMAT ", rule %" G_GINT64_FORMAT ", of %" G_GINT64_FORMAT,
                  rule->table, rule->login, seen, expected, total);

  /* the data can tell the rule from a looser and a missing policy */
  g_assert_cmpint (total, >, 0);
  if (!g_str_equal (rule->rule, ALL))
    g_assert_cmpint (expected, <, total);
  if (!g_str_equal (rule->rule, NONE) && !rule->may_be_empty)
    g_assert_cmpint (expected, >, 0);

  g_assert_cmpint (seen, ==, expected);
}

/* Every table with a customer_id, and the two that hang off those. */
static const char *children[] = {
  "contacts", "subscriptions", "revenue_months", "interactions", "opportunities",
  "opportunity_stage_history", "campaign_members", "service_requests", "service_steps",
};

static gint64
children_of (PGconn     *conn,
             const char *table,
             const char *customer)
{
  g_autofree char *sql = NULL;

  if (g_str_equal (table, "opportunity_stage_history"))
    return owner_count (conn, "SELECT count(*) FROM crm.opportunity_stage_history h"
                              " JOIN crm.opportunities o ON o.id = h.opportunity_id WHERE o.customer_id = $1", customer);
  if (g_str_equal (table, "service_steps"))
    return owner_count (conn, "SELECT count(*) FROM crm.service_steps s"
                              " JOIN crm.service_requests q ON q.id = s.request_id WHERE q.customer_id = $1", customer);
  sql = count_sql (conn, table, " WHERE customer_id = $1");
  return owner_count (conn, sql, customer);
}

static void
reassign (PGconn     *conn,
          const char *customer,
          const char *owner)
{
  PQclear (crm_test_pg_query (conn, "UPDATE crm.customers SET owner_id = $2 WHERE id = $1", customer, owner));
}

static void
test_reassigned_customer_takes_its_children_along (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autofree char *old_owner = user_id (conn, "manager");
  g_autoptr(PGresult) other = crm_test_pg_query (conn,
                                                 "SELECT login, id FROM crm.users WHERE role = 'manager'"
                                                 "   AND login <> 'manager' AND NOT disabled ORDER BY login LIMIT 1",
                                                 NULL, NULL);
  /* the demo manager's customer with the most kinds of children */
  g_autoptr(PGresult) pick = crm_test_pg_query (conn,
      "SELECT c.id FROM crm.customers c WHERE c.owner_id = $1 ORDER BY"
      " (SELECT count(*) > 0 FROM crm.contacts x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.subscriptions x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.revenue_months x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.interactions x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.opportunities x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.campaign_members x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.service_requests x WHERE x.customer_id = c.id)::int DESC, c.id LIMIT 1",
      old_owner, NULL);
  const char *new_login;
  const char *new_owner;
  const char *customer;
  gint64 before_old[G_N_ELEMENTS (children)], before_new[G_N_ELEMENTS (children)];
  gint64 moved[G_N_ELEMENTS (children)];
  guint kinds = 0;

  g_assert_cmpint (PQntuples (other), ==, 1);
  g_assert_cmpint (PQntuples (pick), ==, 1);
  new_login = PQgetvalue (other, 0, 0);
  new_owner = PQgetvalue (other, 0, 1);
  customer = PQgetvalue (pick, 0, 0);
  open_session (conn, new_login);

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      before_old[i] = app_count ("manager", children[i]);
      before_new[i] = app_count (new_login, children[i]);
      moved[i] = children_of (conn, children[i], customer);
      kinds += moved[i] > 0;
    }
  /* the customer has contacts, subscriptions, revenue and more to move */
  g_assert_cmpint (moved[0], >, 0);
  g_assert_cmpint (moved[1], >, 0);
  g_assert_cmpint (moved[2], >, 0);
  g_assert_cmpuint (kinds, >=, 5);

  reassign (conn, customer, new_owner);
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    {
      gint64 after_old = app_count ("manager", children[i]);
      gint64 after_new = app_count (new_login, children[i]);

      g_test_message ("%s: %" G_GINT64_FORMAT " moved; manager %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT
                      ", %s %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT, children[i], moved[i],
                      before_old[i], after_old, new_login, before_new[i], after_new);
      g_assert_cmpint (after_old, ==, before_old[i] - moved[i]);
      g_assert_cmpint (after_new, ==, before_new[i] + moved[i]);
    }
  reassign (conn, customer, old_owner);
  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    g_assert_cmpint (app_count ("manager", children[i]), ==, before_old[i]);
}

/* The FOR ALL policies became one policy per command with the rules they
 * had, and contacts and interactions are written by whoever may change the
 * customer (0008): targets by administrators and directors, campaigns by
 * marketing. */
static void
test_writes_keep_their_rules (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autofree char *me = user_id (conn, "manager");
  g_autoptr(PGresult) mine = crm_test_pg_query (conn, "SELECT id FROM crm.customers WHERE owner_id = $1"
                                                      " ORDER BY id LIMIT 1", me, NULL);
  g_autoptr(PGresult) theirs = crm_test_pg_query (conn, "SELECT id FROM crm.customers WHERE owner_id <> $1"
                                                        " ORDER BY id LIMIT 1", me, NULL);
  const char *log_call = "INSERT INTO crm.interactions (customer_id, kind, occurred_at, subject, outcome)"
                         " VALUES ($1, 'call', now(), '回访', 'neutral')";
  const char *target = "INSERT INTO crm.sales_targets (user_id, period_start, period_end, metric, target)"
                       " VALUES ($1, '2027-01-01', '2027-03-31', 'revenue', 100)";
  const char *campaigns = "UPDATE crm.campaigns SET cost = cost";
  gint64 n_campaigns = owner_count (conn, "SELECT count(*) FROM crm.campaigns", NULL);
  const char *state;

  g_assert_cmpint (app_write ("manager", log_call, PQgetvalue (mine, 0, 0), &state), ==, 1);
  g_assert_cmpint (app_write ("manager", log_call, PQgetvalue (theirs, 0, 0), &state), ==, -1);
  g_assert_cmpstr (state, ==, "42501");
  /* marketing sees the customer but may not change it: no interaction
   * written through it either (0008) */
  g_assert_cmpint (app_write ("marketing", log_call, PQgetvalue (theirs, 0, 0), &state), ==, -1);
  g_assert_cmpstr (state, ==, "42501");

  g_assert_cmpint (app_write ("director", target, me, &state), ==, 1);
  g_assert_cmpint (app_write ("manager", target, me, &state), ==, -1);
  g_assert_cmpstr (state, ==, "42501");

  g_assert_cmpint (app_write ("marketing", campaigns, NULL, &state), ==, n_campaigns);
  g_assert_cmpint (app_write ("manager", campaigns, NULL, &state), ==, 0);
}

/* Every table that will sync carries the transaction that last wrote each
 * row, stamped on insert and on update, with an index to read it in order. */
static void
test_synced_tables_stamp_their_writes (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  const char *tables[] = {
    "products", "subscriptions", "revenue_months", "interactions", "opportunities",
    "opportunity_stage_history", "sales_targets", "segments", "campaigns", "campaign_members",
    "service_requests", "service_steps",
  };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      char *quoted = PQescapeIdentifier (conn, tables[i], strlen (tables[i]));
      g_autofree char *update = g_strconcat ("UPDATE crm.", quoted, " SET sync_xid = '1' WHERE ctid ="
                                             " (SELECT ctid FROM crm.", quoted, " LIMIT 1)"
                                             " RETURNING (sync_xid = pg_current_xact_id())::text", NULL);
      g_autofree char *regclass = g_strconcat ("crm.", tables[i], NULL);
      g_autoptr(PGresult) stamped = NULL;

      g_test_message ("%s", tables[i]);
      g_assert_cmpint (owner_count (conn, "SELECT count(*) FROM information_schema.columns"
                                          " WHERE table_schema = 'crm' AND table_name = $1 AND column_name = 'sync_xid'"
                                          "   AND is_nullable = 'NO' AND column_default = 'pg_current_xact_id()'",
                                    tables[i]), ==, 1);
      g_assert_cmpint (owner_count (conn, "SELECT count(*) FROM pg_index i"
                                          " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                                          " WHERE i.indrelid = $1::regclass AND a.attname = 'sync_xid'",
                                    regclass), ==, 1);
      PQclear (crm_test_pg_query (conn, "BEGIN", NULL, NULL));
      stamped = crm_test_pg_query (conn, update, NULL, NULL);
      g_assert_cmpint (PQntuples (stamped), ==, 1);
      g_assert_cmpstr (PQgetvalue (stamped, 0, 0), ==, "true");
      PQclear (crm_test_pg_query (conn, "ROLLBACK", NULL, NULL));
      PQfreemem (quoted);
    }
}

static void
test_seed_puts_every_request_in_a_service_teams_queue (void)
{
  g_autoptr(PGconn) conn = owner_connection ();

  g_assert_cmpint (owner_count (conn, "SELECT count(*) FROM crm.service_requests", NULL), >, 0);
  g_assert_cmpint (owner_count (conn, "SELECT count(*) FROM crm.service_requests q WHERE NOT EXISTS"
                                      " (SELECT 1 FROM crm.users u WHERE u.team_id = q.team_id AND u.role = 'service')",
                                NULL), ==, 0);
  /* more than one queue, so that a team's is a part */
  g_assert_cmpint (owner_count (conn, "SELECT count(DISTINCT team_id) FROM crm.service_requests", NULL), >, 1);
}

/* The entity table's readable_by (which the sync follows to skip a role's
 * stage) and the policies agree: for every entity and role, readable_by
 * says no exactly when the role counts no row of a table that has rows.
 * Each user first gets a sales target of their own (a month no demo
 * target covers: one per subject, metric and period), which the policy lets
 * every role read (the demo gives managers alone one). */
static void
test_readable_by_matches_the_policies (void)
{
  const char *logins[CRM_N_ROLES] = {
    [CRM_ROLE_ADMIN] = "admin", [CRM_ROLE_DIRECTOR] = "director", [CRM_ROLE_MANAGER] = "manager",
    [CRM_ROLE_MARKETING] = "marketing", [CRM_ROLE_SERVICE] = "service",
  };
  g_autoptr(PGconn) conn = owner_connection ();

  PQclear (crm_test_pg_query (conn, "SELECT set_config('keyline.role', 'admin', false)", NULL, NULL));
  PQclear (crm_test_pg_query (conn, "INSERT INTO crm.sales_targets (user_id, period_start, period_end, metric, target)"
                                    " SELECT u.id, '2026-01-01', '2026-01-31', 'customers', 10 FROM crm.users u"
                                    "  WHERE u.login IN ('admin', 'director', 'manager', 'marketing', 'service')"
                                    " RETURNING id", NULL, NULL));
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    {
      const CrmEntityInfo *info = crm_entity_info (e);
      const char *table = strchr (info->table, '.') + 1;
      g_autofree char *all_sql = g_strdup_printf ("SELECT count(*) FROM %s", info->table);

      g_assert_cmpint (owner_count (conn, all_sql, NULL), >, 0);
      for (guint role = 0; role < CRM_N_ROLES; role++)
        {
          gint64 seen = app_count (logins[role], table);
          gboolean readable = crm_entity_info_readable_by (info, role);

          g_test_message ("%s as %s: %" G_GINT64_FORMAT ", readable_by %s", info->name, logins[role], seen,
                          readable ? "yes" : "no");
          if (readable != (seen > 0))
            g_test_fail_printf ("%s: readable_by says %s for %s, who reads %" G_GINT64_FORMAT " rows",
                                info->name, readable ? "yes" : "no", logins[role], seen);
        }
    }
  PQclear (crm_test_pg_query (conn, "DELETE FROM crm.sales_targets t USING crm.users u"
                                    " WHERE u.id = t.user_id AND t.period_start = '2026-01-01'"
                                    "   AND t.period_end = '2026-01-31' AND t.metric = 'customers' AND t.target = 10",
                              NULL, NULL));
}

/* Personal data in full (crm_field_masked_for () false, as the records
 * are written) only for a role whose read policy shows it its own
 * customers and no others: every masked field of the entity table, for
 * every role that receives it in full, the rows it reads belong to
 * customers it owns (and it owns some).  The customer's phone and the
 * contacts' mobile numbers are such for the account manager; every
 * other role, and every ID number and address, stays masked. */
static void
test_personal_data_in_full_only_for_own_customers (void)
{
  const char *logins[CRM_N_ROLES] = {
    [CRM_ROLE_ADMIN] = "admin", [CRM_ROLE_DIRECTOR] = "director", [CRM_ROLE_MANAGER] = "manager",
    [CRM_ROLE_MARKETING] = "marketing", [CRM_ROLE_SERVICE] = "service",
  };
  /* rows of the customers and contacts a role reads, and how many of
   * them are of its own customers */
  const char *own_sql[] = {
    [CRM_ENTITY_CUSTOMER] = "SELECT count(*), count(*) FILTER (WHERE c.owner_id = crm.current_user_id())"
                            "  FROM crm.customers c",
    [CRM_ENTITY_CONTACT] = "SELECT count(*), count(*) FILTER (WHERE c.owner_id = crm.current_user_id())"
                           "  FROM crm.contacts k LEFT JOIN crm.customers c ON c.id = k.customer_id",
  };
  guint n_in_full = 0;

  for (guint e = 0; e < G_N_ELEMENTS (own_sql); e++)
    for (const CrmField *f = crm_entity_info (e)->fields; f->name != NULL; f++)
      for (guint role = 0; role < CRM_N_ROLES && f->mask != CRM_FIELD_MASK_NONE; role++)
        {
          g_autoptr(PGconn) conn = NULL;
          g_autoptr(PGresult) res = NULL;

          if (crm_field_masked_for (f, role) || !crm_entity_info_readable_by (crm_entity_info (e), role))
            continue;
          conn = app_begin (logins[role]);
          res = crm_test_pg_query (conn, own_sql[e], NULL, NULL);
          g_test_message ("%s.%s in full for %s: reads %s rows, %s of its own customers",
                          crm_entity_info (e)->name, f->name, logins[role], PQgetvalue (res, 0, 0),
                          PQgetvalue (res, 0, 1));
          g_assert_cmpstr (PQgetvalue (res, 0, 0), !=, "0");
          g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, PQgetvalue (res, 0, 1));
          PQclear (crm_test_pg_query (conn, "ROLLBACK", NULL, NULL));
          n_in_full++;
        }
  /* the phone and the mobile number, for the account manager */
  g_assert_cmpuint (n_in_full, ==, 2);
  g_assert_false (crm_field_masked_for (crm_entity_info_field (crm_entity_info (CRM_ENTITY_CUSTOMER), "phone"),
                                        CRM_ROLE_MANAGER));
  g_assert_false (crm_field_masked_for (crm_entity_info_field (crm_entity_info (CRM_ENTITY_CONTACT), "mobile"),
                                        CRM_ROLE_MANAGER));
}

/* Issue 12: the rows under a customer carry its owner and region, so
 * that their read policy needs no lookup of the customer (0025). */
/* the subtree of the region of user @who, as the owner */
#define IN_SUBTREE_OF(column, who) \
  column " IN (WITH RECURSIVE t (id) AS (SELECT region_id FROM crm.users WHERE id = " who \
  "            UNION ALL SELECT rr.id FROM crm.regions rr JOIN t ON rr.parent_id = t.id) SELECT id FROM t)"

static const char *carried[] = {
  "contacts", "subscriptions", "interactions", "opportunities", "service_requests",
  "opportunity_stage_history", "service_steps",
};

/* Every rule of @table, for @login ("manager" rules hold for any account
 * manager): what keyline_app counts with no WHERE equals the rule through
 * the customer, as the owner. */
static void
assert_carried_counts (PGconn     *conn,
                       const char *table,
                       const char *login,
                       const char *as_rules_of)
{
  g_autofree char *me = user_id (conn, login);
  g_autofree char *all_sql = count_sql (conn, table, "");

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      const Rule *rule = &rules[i];
      gint64 expected;
      gint64 seen;

      if (!g_str_equal (rule->table, table) || !g_str_equal (rule->login, as_rules_of))
        continue;
      if (g_str_equal (rule->rule, ALL))
        expected = owner_count (conn, all_sql, NULL);
      else if (g_str_equal (rule->rule, NONE))
        expected = 0;
      else
        expected = owner_count (conn, rule->rule, me);
      seen = app_count (login, table);
      g_test_message ("%s as %s: sees %" G_GINT64_FORMAT ", rule %" G_GINT64_FORMAT, table, login, seen, expected);
      g_assert_cmpint (seen, ==, expected);
    }
}

/* Rows of the carried tables whose columns disagree with their customer. */
static gint64
carried_astray (PGconn *conn)
{
  gint64 astray = 0;

  /* a level down: the parent's columns (and a request's team) */
  astray += owner_count (conn, "SELECT count(*) FROM crm.opportunity_stage_history h"
                               " JOIN crm.opportunities o ON o.id = h.opportunity_id"
                               " WHERE h.customer_owner_id IS DISTINCT FROM o.customer_owner_id"
                               "    OR h.customer_region_id IS DISTINCT FROM o.region_id", NULL);
  astray += owner_count (conn, "SELECT count(*) FROM crm.service_steps s"
                               " JOIN crm.service_requests q ON q.id = s.request_id"
                               " WHERE s.customer_owner_id IS DISTINCT FROM q.customer_owner_id"
                               "    OR s.customer_region_id IS DISTINCT FROM q.customer_region_id"
                               "    OR s.request_team_id IS DISTINCT FROM q.team_id", NULL);
  /* the five with a customer_id (the two above come last) */
  for (guint i = 0; i < G_N_ELEMENTS (carried) - 2; i++)
    {
      const char *region = g_str_equal (carried[i], "opportunities") ? "region_id" : "customer_region_id";
      g_autofree char *tail = g_strdup_printf (" x JOIN crm.customers c ON c.id = x.customer_id"
                                               " WHERE x.customer_owner_id IS DISTINCT FROM c.owner_id"
                                               "    OR x.%s IS DISTINCT FROM c.region_id", region);
      g_autofree char *sql = count_sql (conn, carried[i], tail);

      astray += owner_count (conn, sql, NULL);
    }
  return astray;
}

static void
assert_every_carried_count (PGconn     *conn,
                            const char *other_manager)
{
  const char *logins[] = { "admin", "director", "manager", "marketing", "service" };

  g_assert_cmpint (carried_astray (conn), ==, 0);
  for (guint t = 0; t < G_N_ELEMENTS (carried); t++)
    {
      for (guint l = 0; l < G_N_ELEMENTS (logins); l++)
        assert_carried_counts (conn, carried[t], logins[l], logins[l]);
      assert_carried_counts (conn, carried[t], other_manager, "manager");
    }
}

/* With no WHERE, keyline_app reads in every table that carries its
 * customer's owner and region exactly the rows the rule gives through the
 * customer, for every role; and again after a customer of the demo
 * manager, in the demo director's subtree, moves to another manager and
 * to a region outside that subtree (its rows follow: the old readers lose
 * them, the new manager gains them), and after it moves back. */
static void
test_carried_owner_and_region_follow_the_customer (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autofree char *manager = user_id (conn, "manager");
  g_autofree char *director = user_id (conn, "director");
  g_autoptr(PGresult) other = crm_test_pg_query (conn,
                                                 "SELECT login, id FROM crm.users WHERE role = 'manager'"
                                                 "   AND login <> 'manager' AND NOT disabled ORDER BY login OFFSET 1 LIMIT 1",
                                                 NULL, NULL);
  /* the manager's customer in the director's subtree with the most kinds of carried rows (a
   * request's steps and an opportunity's history come with them) */
  g_autoptr(PGresult) pick = crm_test_pg_query (conn,
      "SELECT c.id, c.region_id FROM crm.customers c WHERE c.owner_id = $1 AND " IN_SUBTREE_OF ("c.region_id", "$2") " ORDER BY"
      " (SELECT count(*) > 0 FROM crm.contacts x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.subscriptions x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.interactions x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.opportunities x WHERE x.customer_id = c.id)::int"
      " + (SELECT count(*) > 0 FROM crm.service_requests x WHERE x.customer_id = c.id)::int DESC, c.id LIMIT 1",
      manager, director);
  g_autoptr(PGresult) away = crm_test_pg_query (conn,
      "SELECT r.id FROM crm.regions r WHERE NOT " IN_SUBTREE_OF ("r.id", "$1") " ORDER BY r.code LIMIT 1",
      director, NULL);
  const char *customer;
  guint kinds = 0;

  g_assert_cmpint (PQntuples (other), ==, 1);
  g_assert_cmpint (PQntuples (pick), ==, 1);
  g_assert_cmpint (PQntuples (away), ==, 1);
  customer = PQgetvalue (pick, 0, 0);
  open_session (conn, PQgetvalue (other, 0, 0));
  for (guint t = 0; t < G_N_ELEMENTS (carried); t++)
    kinds += children_of (conn, carried[t], customer) > 0;
  g_assert_cmpuint (kinds, >=, 5);

  assert_every_carried_count (conn, PQgetvalue (other, 0, 0));

  {
    g_autoptr(PGresult) moved = NULL;
    const char *params[3] = { customer, PQgetvalue (other, 0, 1), PQgetvalue (away, 0, 0) };

    moved = PQexecParams (conn, "UPDATE crm.customers SET owner_id = $2, region_id = $3 WHERE id = $1",
                          3, NULL, params, NULL, NULL, 0);
    g_assert_cmpstr (PQcmdTuples (moved), ==, "1");
  }
  assert_every_carried_count (conn, PQgetvalue (other, 0, 0));

  {
    g_autoptr(PGresult) back = NULL;
    const char *params[3] = { customer, manager, PQgetvalue (pick, 0, 1) };

    back = PQexecParams (conn, "UPDATE crm.customers SET owner_id = $2, region_id = $3 WHERE id = $1",
                         3, NULL, params, NULL, NULL, 0);
    g_assert_cmpstr (PQcmdTuples (back), ==, "1");
  }
  assert_every_carried_count (conn, PQgetvalue (other, 0, 0));
}

/* A contact inserted while its customer moves to another manager carries
 * the owner the move gives it (0026): the insert waits for the move to
 * commit and then reads the new owner.  Without the lock it took the old
 * one, and row-level security showed the contact to the former manager. */
static void
test_child_inserted_during_a_move_carries_the_new_owner (void)
{
  g_autoptr(PGconn) mover = owner_connection ();
  g_autoptr(PGconn) writer = owner_connection ();
  g_autofree char *manager = user_id (mover, "manager");
  g_autoptr(PGresult) other = crm_test_pg_query (mover,
                                                 "SELECT id FROM crm.users WHERE role = 'manager' AND login <> 'manager'"
                                                 " AND NOT disabled ORDER BY login LIMIT 1", NULL, NULL);
  g_autoptr(PGresult) pick = crm_test_pg_query (mover, "SELECT id FROM crm.customers WHERE owner_id = $1 ORDER BY id LIMIT 1",
                                                manager, NULL);
  g_autoptr(PGresult) inserted = NULL;
  g_autoptr(PGresult) owner_now = NULL;
  const char *customer;
  const char *params[1];
  PGresult *rest;

  g_assert_cmpint (PQntuples (other), ==, 1);
  g_assert_cmpint (PQntuples (pick), ==, 1);
  customer = PQgetvalue (pick, 0, 0);
  params[0] = customer;

  PQclear (crm_test_pg_query (mover, "BEGIN", NULL, NULL));
  PQclear (crm_test_pg_query (mover, "UPDATE crm.customers SET owner_id = $2 WHERE id = $1", customer,
                              PQgetvalue (other, 0, 0)));
  g_assert_true (PQsendQueryParams (writer, "INSERT INTO crm.contacts (customer_id, name, mobile)"
                                            " VALUES ($1, '并发联系人', '13800138001') RETURNING id",
                                    1, NULL, params, NULL, NULL, 0));
  /* the insert waits for the move */
  g_usleep (300 * 1000);
  g_assert_true (PQconsumeInput (writer));
  g_assert_true (PQisBusy (writer));
  PQclear (crm_test_pg_query (mover, "COMMIT", NULL, NULL));

  inserted = PQgetResult (writer);
  g_assert_cmpint (PQresultStatus (inserted), ==, PGRES_TUPLES_OK);
  while ((rest = PQgetResult (writer)) != NULL)
    PQclear (rest);
  owner_now = crm_test_pg_query (mover, "SELECT k.customer_owner_id::text FROM crm.contacts k WHERE k.id = $1",
                               PQgetvalue (inserted, 0, 0), NULL);
  g_assert_cmpstr (PQgetvalue (owner_now, 0, 0), ==, PQgetvalue (other, 0, 0));

  /* and back, with the contact along */
  PQclear (crm_test_pg_query (mover, "UPDATE crm.customers SET owner_id = $2 WHERE id = $1", customer, manager));
  g_clear_pointer (&owner_now, PQclear);
  owner_now = crm_test_pg_query (mover, "SELECT k.customer_owner_id::text FROM crm.contacts k WHERE k.id = $1",
                               PQgetvalue (inserted, 0, 0), NULL);
  g_assert_cmpstr (PQgetvalue (owner_now, 0, 0), ==, manager);
}

/* How many init plans and subplans EXPLAIN shows of @sql (one parameter)
 * as keyline_app signed in as @login. */
static void
count_plans (const char *login,
             const char *sql,
             const char *param,
             guint      *init_plans,
             guint      *sub_plans)
{
  g_autoptr(PGconn) conn = app_begin (login);
  g_autofree char *explain = g_strconcat ("EXPLAIN (VERBOSE, COSTS OFF) ", sql, NULL);
  g_autoptr(PGresult) res = crm_test_pg_query (conn, explain, param, NULL);

  *init_plans = *sub_plans = 0;
  for (int i = 0; i < PQntuples (res); i++)
    {
      const char *line = PQgetvalue (res, i, 0);

      g_test_message ("%s", line);
      *init_plans += strstr (line, "InitPlan ") != NULL;
      *sub_plans += strstr (line, "SubPlan ") != NULL && strstr (line, "->") == NULL
                    && strstr (line, "(SubPlan") == NULL && strstr (line, "hashed SubPlan") == NULL;
    }
  PQclear (crm_test_pg_query (conn, "ROLLBACK", NULL, NULL));
}

/* A SELECT on any table sees one permissive policy (no FOR ALL policy
 * adds a write rule to reads), and who is asking is read once per table
 * reference: the customer detail (customers, regions and the user
 * directory) has at most three init plans and its contacts one, with no
 * subplan looking their customer up, for every role. */
static void
test_one_read_policy_and_one_identity_plan_per_table (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) reads = crm_test_pg_query (conn,
      "SELECT c.relname, count(p.polname) FILTER (WHERE p.polcmd IN ('r', '*') AND p.polpermissive),"
      "       count(p.polname)"
      "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      "  LEFT JOIN pg_policy p ON p.polrelid = c.oid"
      " WHERE n.nspname = 'crm' AND c.relkind = 'r' AND c.relrowsecurity"
      " GROUP BY c.relname ORDER BY c.relname", NULL, NULL);
  g_autoptr(PGresult) customer = crm_test_pg_query (conn, "SELECT c.id FROM crm.customers c"
                                                          " WHERE c.owner_id = (SELECT id FROM crm.users WHERE login = 'manager')"
                                                          "   AND EXISTS (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id)"
                                                          " ORDER BY c.id LIMIT 1", NULL, NULL);
  const char *logins[] = { "admin", "director", "manager", "marketing", "service" };
  guint n_tables = 0;

  for (int i = 0; i < PQntuples (reads); i++)
    {
      const char *table = PQgetvalue (reads, i, 0);
      const char *n = PQgetvalue (reads, i, 1);

      g_test_message ("%s: %s permissive policies for SELECT", table, n);
      /* a table without any policy (sessions, sign-in attempts) is
       * reached by functions only */
      if (g_str_equal (PQgetvalue (reads, i, 2), "0"))
        continue;
      g_assert_cmpstr (n, ==, "1");
      n_tables++;
    }
  g_assert_cmpuint (n_tables, >=, 20);
  g_assert_cmpint (owner_count (conn, "SELECT count(*) FROM pg_policies WHERE schemaname = 'crm' AND cmd = 'ALL'",
                                NULL), ==, 0);

  g_assert_cmpint (PQntuples (customer), ==, 1);
  for (guint l = 0; l < G_N_ELEMENTS (logins); l++)
    {
      guint init_plans, sub_plans;

      /* The detail as the server asks it: the region's and owner's names
       * are two subplans by key, each table with one identity plan. */
      count_plans (logins[l], "SELECT " CRM_CUSTOMER_ONE_COLUMNS CRM_CUSTOMER_ONE_FROM " WHERE c.id = $1::uuid",
                   PQgetvalue (customer, 0, 0), &init_plans, &sub_plans);
      g_test_message ("customer as %s: %u init plans, %u subplans", logins[l], init_plans, sub_plans);
      g_assert_cmpuint (init_plans, <=, 3);
      g_assert_cmpuint (sub_plans, <=, 2);

      count_plans (logins[l], "SELECT " CRM_CONTACT_COLUMNS " FROM crm.contacts k"
                              " WHERE k.customer_id = $1::uuid ORDER BY k.is_primary DESC, k.name, k.id",
                   PQgetvalue (customer, 0, 0), &init_plans, &sub_plans);
      g_test_message ("contacts as %s: %u init plans, %u subplans", logins[l], init_plans, sub_plans);
      g_assert_cmpuint (init_plans, <=, 1);
      g_assert_cmpuint (sub_plans, ==, 0);
    }
}

/* Set-up ---------------------------------------------------------------------- */

static void
seed (void)
{
  const char *server = g_getenv ("KEYLINE_SERVER");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (server);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              server, "--database", conninfo, "seed", "--customers", "600", "--seed", "3", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *logins[] = { "admin", "director", "manager", "marketing", "service" };
  int status;

  g_test_init (&argc, &argv, NULL);
  /* a broken rule fails its own case; the others still run and report */
  g_test_set_nonfatal_assertions ();

  if (!crm_test_pg_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset)");
      return g_test_run ();
    }

  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  seed ();
  {
    g_autoptr(PGconn) conn = owner_connection ();

    for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
      open_session (conn, logins[i]);
  }

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      g_autofree char *path = g_strdup_printf ("/server/visibility/%s/%s-sees-%s",
                                               rules[i].table, rules[i].login, rules[i].says);
      g_test_add_data_func (path, &rules[i], test_rule);
    }
  g_test_add_func ("/server/visibility/reassigned-customer-takes-its-children-along",
                   test_reassigned_customer_takes_its_children_along);
  g_test_add_func ("/server/visibility/writes-keep-their-rules", test_writes_keep_their_rules);
  g_test_add_func ("/server/visibility/readable-by-matches-the-policies", test_readable_by_matches_the_policies);
  g_test_add_func ("/server/visibility/personal-data-in-full-only-for-own-customers",
                   test_personal_data_in_full_only_for_own_customers);
  g_test_add_func ("/server/sync/every-synced-table-stamps-its-writes", test_synced_tables_stamp_their_writes);
  g_test_add_func ("/server/visibility/seed-puts-every-request-in-a-service-teams-queue",
                   test_seed_puts_every_request_in_a_service_teams_queue);
  g_test_add_func ("/server/visibility/carried-owner-and-region-follow-the-customer",
                   test_carried_owner_and_region_follow_the_customer);
  g_test_add_func ("/server/visibility/child-inserted-during-a-move-carries-the-new-owner",
                   test_child_inserted_during_a_move_carries_the_new_owner);
  g_test_add_func ("/server/visibility/one-read-policy-and-one-identity-plan-per-table",
                   test_one_read_policy_and_one_identity_plan_per_table);

  status = g_test_run ();
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
