/* Segments (issue 11): the kept columns of crm.customers that products
 * held, contract end and last contact read (server/sql/0022-segment-kept.sql)
 * follow their tables, and the preview's counts equal the exact
 * computation: the conditions as subqueries of subscriptions, products and
 * interactions, run by this test as the same user (their read policies
 * apply), fresh and with stale contract ends.  An in-process keyline-server
 * on port 0 against a throwaway database seeded with `keyline-server seed`. */
#define G_LOG_DOMAIN "test-server-segments"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

static CrmServer *server;
static CrmConfig *config;
static char *conninfo;
static char *base_url;

static const char * const logins[] = { "admin", "manager", "marketing", "service", "director" };

/* Helpers ------------------------------------------------------------------ */

static char *
token_of (const char *login)
{
  return g_strconcat ("segments-test-token-", login, NULL);
}

static char *
scalar (PGconn     *conn,
        const char *sql,
        const char *param1,
        const char *param2)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param1, param2);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
}

static gint64
scalar_int (PGconn     *conn,
            const char *sql,
            const char *param1,
            const char *param2)
{
  g_autofree char *v = scalar (conn, sql, param1, param2);

  g_assert_nonnull (v);
  return g_ascii_strtoll (v, NULL, 10);
}

static Response *
preview (const char *login,
         const char *criteria)
{
  g_autofree char *token = token_of (login);
  g_autofree char *body = g_strdup_printf ("{\"criteria\": %s, \"sample\": 5}", criteria);

  return post_json ("segments/preview", token, body);
}

/* A connection of the application role signed in as @login, in a
 * transaction: what it reads is what the server reads for that user. */
static PGconn *
connect_as (const char *login)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *app = crm_config_get_app_conninfo (config);
  g_autofree char *token = token_of (login);
  g_autoptr(PGresult) who = NULL;
  PGconn *conn = crm_pg_connect_blocking (app, &error);

  g_assert_no_error (error);
  PQclear (crm_test_pg_query (conn, "BEGIN", NULL, NULL));
  who = crm_test_pg_query (conn, "SELECT login FROM crm.authenticate(sha256(convert_to($1, 'UTF8')))", token, NULL);
  g_assert_cmpint (PQntuples (who), ==, 1);
  return conn;
}

/* The kept columns as this test computes them from the tables. */
#define DIRECT_KEPT \
  "SELECT k.id," \
  "       (SELECT coalesce(sum(DISTINCT 1::bigint << (array_position(enum_range(NULL::crm.product_category)," \
  "                                                               p.category) - 1)), 0)" \
  "          FROM crm.subscriptions s JOIN crm.products p ON p.id = s.product_id" \
  "         WHERE s.customer_id = k.id AND s.status = 'active') AS held," \
  "       (SELECT min(s.contract_end) FROM crm.subscriptions s" \
  "         WHERE s.customer_id = k.id AND s.status = 'active' AND s.contract_end >= current_date) AS next_end," \
  "       (SELECT max(i.occurred_at) FROM crm.interactions i WHERE i.customer_id = k.id) AS last_contact" \
  "  FROM crm.customers k"

/* A category's bit, from its position in the enum. */
#define CLOUD "(1::bigint << (array_position(enum_range(NULL::crm.product_category), 'cloud') - 1))"
#define SMS "(1::bigint << (array_position(enum_range(NULL::crm.product_category), 'sms') - 1))"

/* How many customers' kept columns differ from the direct computation. */
static gint64
kept_disagreements (PGconn *conn)
{
  return scalar_int (conn, "SELECT count(*) FROM (" DIRECT_KEPT ") d JOIN crm.customers c ON c.id = d.id"
                           " WHERE c.products_held IS DISTINCT FROM d.held"
                           "    OR c.contract_end_next IS DISTINCT FROM d.next_end"
                           "    OR c.last_contact_at IS DISTINCT FROM d.last_contact", NULL, NULL);
}

/* Every customer's version, updated_at and sync stamp. */
static char *
stamps_of (PGconn *conn)
{
  return scalar (conn, "SELECT string_agg(concat_ws(' ', id, version, updated_at, sync_xid), ',' ORDER BY id)"
                       " FROM crm.customers", NULL, NULL);
}

/* @sql run as administrator, then the kept columns checked against the
 * tables and the customers' stamps against @stamps (unchanged). */
static void
run_and_check (PGconn     *conn,
               const char *stamps,
               const char *sql,
               const char *param1,
               const char *param2)
{
  g_autofree char *after = NULL;

  PQclear (crm_test_pg_query (conn, sql, param1, param2));
  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  after = stamps_of (conn);
  g_assert_cmpstr (after, ==, stamps);
}

/* Kept columns ----------------------------------------------------------------- */

/* Products held and the nearest contract end follow subscriptions: one
 * row inserted, updated (status, end, product, customer) and deleted, and
 * statements over many customers; the customers' stamps never move. */
static void
test_kept_follow_subscriptions (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *stamps = stamps_of (conn);
  g_autofree char *customer = scalar (conn,
    "SELECT c.id FROM crm.customers c WHERE c.products_held & " CLOUD " = 0 ORDER BY c.id LIMIT 1",
    NULL, NULL);
  g_autofree char *other = scalar (conn, "SELECT c.id FROM crm.customers c WHERE c.id > $1 ORDER BY c.id LIMIT 1",
                                   customer, NULL);
  g_autofree char *sub = NULL;
  g_autofree char *held = NULL;
  g_autofree char *next_end = NULL;

  g_assert_nonnull (customer);
  g_assert_nonnull (other);
  g_assert_cmpint (kept_disagreements (conn), ==, 0);

  sub = scalar (conn, "INSERT INTO crm.subscriptions (customer_id, product_id, quantity, monthly_fee, started_on,"
                      "                               contract_end, status)"
                      " SELECT $1, p.id, 1, 1000, current_date - 30, current_date + 3, 'active'"
                      "   FROM crm.products p WHERE p.category = 'cloud' ORDER BY p.code LIMIT 1"
                      " RETURNING id", customer, NULL);
  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  held = scalar (conn, "SELECT products_held & " CLOUD " <> 0 FROM crm.customers WHERE id = $1", customer, NULL);
  g_assert_cmpstr (held, ==, "t");
  next_end = scalar (conn, "SELECT contract_end_next = current_date + 3 FROM crm.customers WHERE id = $1",
                     customer, NULL);
  g_assert_cmpstr (next_end, ==, "t");
  {
    g_autofree char *after = stamps_of (conn);

    g_assert_cmpstr (after, ==, stamps);
  }

  run_and_check (conn, stamps, "UPDATE crm.subscriptions SET contract_end = current_date + 40 WHERE id = $1",
                 sub, NULL);
  run_and_check (conn, stamps, "UPDATE crm.subscriptions SET status = 'suspended' WHERE id = $1", sub, NULL);
  run_and_check (conn, stamps, "UPDATE crm.subscriptions SET status = 'active' WHERE id = $1", sub, NULL);
  run_and_check (conn, stamps,
                 "UPDATE crm.subscriptions SET product_id = (SELECT p.id FROM crm.products p"
                 "                                            WHERE p.category = 'iot' ORDER BY p.code LIMIT 1)"
                 " WHERE id = $1", sub, NULL);
  run_and_check (conn, stamps, "UPDATE crm.subscriptions SET customer_id = $2 WHERE id = $1", sub, other);
  run_and_check (conn, stamps, "DELETE FROM crm.subscriptions WHERE id = $1", sub, NULL);

  /* statements over many customers */
  run_and_check (conn, stamps, "UPDATE crm.subscriptions SET contract_end = contract_end - 20"
                               " WHERE status = 'active' AND abs(hashtext(id::text)) % 3 = 0", NULL, NULL);
  run_and_check (conn, stamps, "UPDATE crm.subscriptions SET status = 'cancelled', cancelled_on = current_date"
                               " WHERE status = 'active' AND abs(hashtext(id::text)) % 5 = 1", NULL, NULL);
  run_and_check (conn, stamps, "DELETE FROM crm.subscriptions WHERE abs(hashtext(id::text)) % 11 = 2", NULL, NULL);
  run_and_check (conn, stamps, "INSERT INTO crm.subscriptions (customer_id, product_id, quantity, monthly_fee,"
                               "                               started_on, contract_end, status)"
                               " SELECT c.id, p.id, 1, 500, current_date,"
                               "        current_date + 10 + coalesce(c.churn_risk, 3), 'active'"
                               "   FROM crm.customers c, (SELECT id FROM crm.products WHERE category = 'idc'"
                               "                           ORDER BY code LIMIT 1) p"
                               "  WHERE abs(hashtext(c.id::text)) % 4 = 0", NULL, NULL);
}

/* The latest contact follows interactions, one row and many. */
static void
test_kept_follow_interactions (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *stamps = stamps_of (conn);
  g_autofree char *customer = scalar (conn,
    "SELECT c.id FROM crm.customers c WHERE c.last_contact_at < now() - interval '30 days' ORDER BY c.id LIMIT 1",
    NULL, NULL);
  g_autofree char *other = scalar (conn, "SELECT c.id FROM crm.customers c WHERE c.id > $1 ORDER BY c.id LIMIT 1",
                                   customer, NULL);
  g_autofree char *interaction = NULL;
  g_autofree char *latest = NULL;

  g_assert_nonnull (customer);
  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  interaction = scalar (conn, "INSERT INTO crm.interactions (customer_id, kind, occurred_at, subject, outcome)"
                              " VALUES ($1, 'call', now() - interval '2 days', 'segment test', 'neutral')"
                              " RETURNING id", customer, NULL);
  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  latest = scalar (conn, "SELECT last_contact_at > now() - interval '3 days' FROM crm.customers WHERE id = $1",
                   customer, NULL);
  g_assert_cmpstr (latest, ==, "t");
  {
    g_autofree char *after = stamps_of (conn);

    g_assert_cmpstr (after, ==, stamps);
  }
  run_and_check (conn, stamps, "UPDATE crm.interactions SET occurred_at = now() - interval '100 days' WHERE id = $1",
                 interaction, NULL);
  run_and_check (conn, stamps, "UPDATE crm.interactions SET customer_id = $2 WHERE id = $1", interaction, other);
  run_and_check (conn, stamps, "DELETE FROM crm.interactions WHERE id = $1", interaction, NULL);

  run_and_check (conn, stamps, "UPDATE crm.interactions SET occurred_at = occurred_at - interval '45 days'"
                               " WHERE abs(hashtext(id::text)) % 3 = 0", NULL, NULL);
  run_and_check (conn, stamps, "DELETE FROM crm.interactions WHERE abs(hashtext(id::text)) % 7 = 3", NULL, NULL);
  run_and_check (conn, stamps, "INSERT INTO crm.interactions (customer_id, kind, occurred_at, subject, outcome)"
                               " SELECT c.id, 'visit', now() - make_interval(days => coalesce(c.churn_risk, 7)),"
                               "        'many', 'positive'"
                               "   FROM crm.customers c WHERE abs(hashtext(c.id::text)) % 5 = 0", NULL, NULL);
}

/* A product moved to another category moves its holders' products. */
static void
test_kept_follow_product_category (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *stamps = stamps_of (conn);
  g_autofree char *product = scalar (conn,
    "SELECT p.id FROM crm.products p WHERE p.category = 'broadband'"
    "   AND EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.product_id = p.id AND s.status = 'active')"
    " ORDER BY p.code LIMIT 1", NULL, NULL);

  g_assert_nonnull (product);
  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  run_and_check (conn, stamps, "UPDATE crm.products SET category = 'sms' WHERE id = $1", product, NULL);
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.customers c WHERE c.products_held & " SMS " <> 0"
                                     "   AND EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.customer_id = c.id"
                                     "                  AND s.product_id = $1 AND s.status = 'active')",
                               product, NULL), >, 0);
  run_and_check (conn, stamps, "UPDATE crm.products SET category = 'broadband' WHERE id = $1", product, NULL);
}

/* The day turning leaves nearest contract ends in the past; `keyline-server
 * refresh` (the daily timer) brings them forward without making the
 * customers changed. */
static void
test_kept_refresh_brings_contract_ends_forward (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stamps = stamps_of (conn);
  g_autofree char *after = NULL;
  const char *binary = g_getenv ("KEYLINE_SERVER");

  g_assert_nonnull (binary);
  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  PQclear (crm_test_pg_query (conn, "SELECT set_config('keyline.kept', 'on', false)", NULL, NULL));
  PQclear (crm_test_pg_query (conn, "UPDATE crm.customers SET contract_end_next = current_date - 1"
                                    " WHERE id IN (SELECT id FROM crm.customers ORDER BY id LIMIT 30)", NULL, NULL));
  PQclear (crm_test_pg_query (conn, "SELECT set_config('keyline.kept', 'off', false)", NULL, NULL));
  g_assert_cmpint (kept_disagreements (conn), ==, 30);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              binary, "--database", conninfo, "refresh", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_cmpstr (out, ==, "Brought 0 customers' ARPU figures and 30 customers' contract ends up to date.\n");
  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  after = stamps_of (conn);
  g_assert_cmpstr (after, ==, stamps);
}

/* Preview ---------------------------------------------------------------- */

/* The exact conditions, as the preview wrote them before 0022. */
#define HOLDS(cats) \
  "EXISTS (SELECT 1 FROM crm.subscriptions s JOIN crm.products p ON p.id = s.product_id" \
  " WHERE s.customer_id = c.id AND s.status = 'active' AND p.category = ANY ('" cats "'::crm.product_category[]))"
#define ENDS_WITHIN(days) \
  "EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.customer_id = c.id AND s.status = 'active'" \
  " AND s.contract_end BETWEEN current_date AND current_date + " days ")"
#define NO_CONTACT_IN(days) \
  "NOT EXISTS (SELECT 1 FROM crm.interactions i WHERE i.customer_id = c.id" \
  " AND i.occurred_at >= now() - make_interval(days => " days "))"

static const struct { const char *login, *criteria, *where; } preview_cases[] = {
  { "marketing", "{\"field\": \"products\", \"op\": \"holds\", \"value\": [\"cloud\"]}", HOLDS ("{cloud}") },
  { "marketing", "{\"field\": \"products\", \"op\": \"lacks\", \"value\": [\"cloud\", \"idc\"]}",
    "NOT " HOLDS ("{cloud,idc}") },
  { "manager", "{\"field\": \"products\", \"op\": \"holds\", \"value\": [\"broadband\", \"mobile_plan\"]}",
    HOLDS ("{broadband,mobile_plan}") },
  { "director", "{\"field\": \"products\", \"op\": \"lacks\", \"value\": [\"fixed_line\"]}",
    "NOT " HOLDS ("{fixed_line}") },
  { "marketing", "{\"field\": \"contract_end\", \"op\": \"within_days\", \"value\": 90}", ENDS_WITHIN ("90") },
  { "director", "{\"field\": \"contract_end\", \"op\": \"within_days\", \"value\": 200}", ENDS_WITHIN ("200") },
  { "service", "{\"field\": \"contract_end\", \"op\": \"within_days\", \"value\": 365}", ENDS_WITHIN ("365") },
  { "marketing", "{\"field\": \"last_contact\", \"op\": \"older_than_days\", \"value\": 90}", NO_CONTACT_IN ("90") },
  { "manager", "{\"field\": \"last_contact\", \"op\": \"older_than_days\", \"value\": 60}", NO_CONTACT_IN ("60") },
  /* directors read no interaction before their horizon (a year), service
   * staff none at all */
  { "director", "{\"field\": \"last_contact\", \"op\": \"older_than_days\", \"value\": 30}", NO_CONTACT_IN ("30") },
  { "director", "{\"field\": \"last_contact\", \"op\": \"older_than_days\", \"value\": 500}", NO_CONTACT_IN ("500") },
  { "service", "{\"field\": \"last_contact\", \"op\": \"older_than_days\", \"value\": 30}", NO_CONTACT_IN ("30") },
  { "admin", "{\"all\": [{\"field\": \"status\", \"op\": \"in\", \"value\": [\"active\"]},"
             " {\"any\": [{\"field\": \"products\", \"op\": \"lacks\", \"value\": [\"cloud\"]},"
             "            {\"field\": \"contract_end\", \"op\": \"within_days\", \"value\": 180}]}]}",
    "c.status = 'active' AND (NOT " HOLDS ("{cloud}") " OR " ENDS_WITHIN ("180") ")" },
  { "marketing", "{\"all\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\", \"major\"]},"
                 " {\"field\": \"last_contact\", \"op\": \"older_than_days\", \"value\": 120},"
                 " {\"field\": \"contract_end\", \"op\": \"within_days\", \"value\": 365}]}",
    "c.tier IN ('key', 'major') AND " NO_CONTACT_IN ("120") " AND " ENDS_WITHIN ("365") },
};

static void
check_preview_counts (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (preview_cases); i++)
    {
      g_autoptr(Response) r = preview (preview_cases[i].login, preview_cases[i].criteria);
      g_autoptr(PGconn) as_user = connect_as (preview_cases[i].login);
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM crm.customers c WHERE %s",
                                              preview_cases[i].where);
      gint64 want = scalar_int (as_user, sql, NULL, NULL);

      g_autofree char *top_sql =
        g_strdup_printf ("SELECT coalesce(string_agg(x.id::text, ',' ORDER BY x.monthly_revenue DESC, x.id), '')"
                         "  FROM (SELECT c.id, c.monthly_revenue FROM crm.customers c"
                         "         WHERE %s ORDER BY c.monthly_revenue DESC, c.id LIMIT 5) x",
                         preview_cases[i].where);
      g_autofree char *top = scalar (as_user, top_sql, NULL, NULL);
      g_autoptr(GString) sample = g_string_new (NULL);
      JsonArray *items;

      g_test_message ("%s %s: %" G_GINT64_FORMAT, preview_cases[i].login, preview_cases[i].criteria, want);
      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpint (json_object_get_int_member (obj (r), "count"), ==, want);
      g_assert_cmpint (want, >, 0);
      /* the sample: the largest matching customers, in order */
      items = json_object_get_array_member (obj (r), "sample");
      for (guint k = 0; k < json_array_get_length (items); k++)
        g_string_append_printf (sample, "%s%s", k ? "," : "",
                                json_object_get_string_member (json_array_get_object_element (items, k), "id"));
      g_assert_cmpstr (sample->str, ==, top);
    }
}

/* The preview's counts of products, contract end and last contact, alone
 * and combined, for every role, equal the exact subqueries run as the same
 * user; also while a third of the nearest contract ends are in the past
 * (not yet refreshed: those customers are computed from subscriptions). */
static void
test_preview_kept_counts_equal_the_tables (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);

  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  check_preview_counts ();
  PQclear (crm_test_pg_query (conn, "SELECT set_config('keyline.kept', 'on', false)", NULL, NULL));
  g_assert_cmpint (scalar_int (conn, "WITH s AS (UPDATE crm.customers SET contract_end_next = current_date - 2"
                                     " WHERE abs(hashtext(id::text)) % 3 = 1 RETURNING 1)"
                                     " SELECT count(*) FROM s", NULL, NULL), >, 0);
  PQclear (crm_test_pg_query (conn, "SELECT set_config('keyline.kept', 'off', false)", NULL, NULL));
  check_preview_counts ();
  g_assert_cmpint (scalar_int (conn, "SELECT crm.customer_kept_refresh()", NULL, NULL), >, 0);
  g_assert_cmpint (kept_disagreements (conn), ==, 0);
  g_assert_cmpint (scalar_int (conn, "SELECT crm.customer_kept_refresh()", NULL, NULL), ==, 0);
  check_preview_counts ();
}

/* Never sent to a client: not in the customer's 360 document. */
static void
test_kept_columns_stay_on_the_server (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = scalar (conn, "SELECT id FROM crm.customers WHERE last_contact_at IS NOT NULL"
                                            " AND contract_end_next IS NOT NULL ORDER BY id LIMIT 1", NULL, NULL);
  g_autofree char *token = token_of ("admin");
  g_autofree char *path = g_strdup_printf ("customers/%s/360", customer);
  g_autoptr(Response) r = get (path, token);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_null (strstr (r->body, "products_held"));
  g_assert_null (strstr (r->body, "contract_end_next"));
  g_assert_null (strstr (r->body, "last_contact_at"));
}

/* Set-up ------------------------------------------------------------------- */

static void
seed (void)
{
  const char *program = g_getenv ("KEYLINE_SERVER");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (program);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              program, "--database", conninfo, "seed", "--customers", "2000", "--seed", "7", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static void
open_sessions (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);

  for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
    {
      g_autofree char *token = token_of (logins[i]);
      g_autoptr(PGresult) res = crm_test_pg_query (conn,
                                                   "SELECT crm.open_session(u.id, sha256(convert_to($1, 'UTF8')),"
                                                   "                        interval '1 hour', NULL)"
                                                   "  FROM crm.users u WHERE u.login = $2",
                                                   token, logins[i]);

      g_assert_cmpint (PQntuples (res), ==, 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  crm_auth_init (NULL);

  if (!crm_test_pg_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset)");
      return g_test_run ();
    }

  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  seed ();
  open_sessions ();

  config = crm_config_new ();
  g_free (config->database);
  config->database = g_strdup (conninfo);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->threads = 2;
  server = crm_server_start (config, &error);
  g_assert_no_error (error);
  base_url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/", crm_server_get_port (server));
  crm_test_http_init (base_url);

  /* the counts on the seeded rows first, before the others change them */
  g_test_add_func ("/server/segments/preview/kept-counts-equal-the-tables",
                   test_preview_kept_counts_equal_the_tables);
  g_test_add_func ("/server/segments/kept/stay-on-the-server", test_kept_columns_stay_on_the_server);
  g_test_add_func ("/server/segments/kept/follow-subscriptions", test_kept_follow_subscriptions);
  g_test_add_func ("/server/segments/kept/follow-interactions", test_kept_follow_interactions);
  g_test_add_func ("/server/segments/kept/follow-product-category", test_kept_follow_product_category);
  g_test_add_func ("/server/segments/kept/refresh-brings-contract-ends-forward",
                   test_kept_refresh_brings_contract_ends_forward);

  status = g_test_run ();
  crm_server_stop (server);
  crm_test_http_shutdown ();
  crm_test_pg_drop_database (conninfo);
  crm_config_free (config);
  g_free (conninfo);
  g_free (base_url);
  return status;
}
