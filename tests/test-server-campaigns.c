/* Segments and campaigns (issue 11) end to end: an in-process
 * keyline-server on port 0 against a throwaway database seeded with
 * `keyline-server seed`.  Results are checked against this test's own SQL
 * over the seeded members and the records they link; the uplift intervals
 * against examples whose answers are worked out by hand below. */
#define G_LOG_DOMAIN "test-server-campaigns"

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
static char *conninfo;
static char *base_url;

static const char * const logins[] = { "admin", "manager", "marketing", "service", "director" };

/* Helpers ------------------------------------------------------------------ */

static char *
token_of (const char *login)
{
  return g_strconcat ("campaigns-test-token-", login, NULL);
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

static gint64
member_int (JsonObject *o,
            const char *name)
{
  g_assert_true (json_object_has_member (o, name));
  return json_object_get_int_member (o, name);
}

static double
member_double (JsonObject *o,
               const char *name)
{
  g_assert_true (json_object_has_member (o, name));
  return json_object_get_double_member (o, name);
}

static JsonObject *
results_of (const char *campaign,
            const char *login,
            Response  **keep)
{
  g_autofree char *token = token_of (login);
  g_autofree char *path = g_strdup_printf ("campaigns/%s/results", campaign);

  *keep = get (path, token);
  g_assert_cmpuint ((*keep)->status, ==, 200);
  return obj (*keep);
}

static Response *
preview (const char *login,
         const char *criteria)
{
  g_autofree char *token = token_of (login);
  g_autofree char *body = g_strdup_printf ("{\"criteria\": %s, \"sample\": 20}", criteria);

  return post_json ("segments/preview", token, body);
}

static Response *
launch (const char *campaign,
        const char *login)
{
  g_autofree char *token = token_of (login);
  g_autofree char *path = g_strdup_printf ("campaigns/%s/launch", campaign);

  return http ("POST", path, token, NULL, NULL, 0);
}

/* A campaign made as administrator, with the customers it needs:
 * @kind "draft" (with a segment) or "running" (members inserted by the
 * test). */
static char *
new_campaign (PGconn     *conn,
              const char *status,
              const char *criteria)
{
  g_autofree char *segment = scalar (conn, "INSERT INTO crm.segments (name, criteria) VALUES ('test', $1::jsonb)"
                                           " RETURNING id", criteria ? criteria : "{}", NULL);

  return scalar (conn, "INSERT INTO crm.campaigns (name, kind, channels, segment_id, status, starts_on, ends_on,"
                       "  channel_costs, launched_at)"
                       " VALUES ('test', 'promotion', '{sms,phone}', $1, $2::crm.campaign_status,"
                       "         current_date - 30, current_date + 30, '{\"sms\": 8, \"phone\": 350}',"
                       "         CASE WHEN $2 = 'running' THEN now() END)"
                       " RETURNING id", segment, status);
}

/* @n members of @campaign from customers not in it yet, @control
 * or treated; the first @converted of them converted, each linked to a new
 * subscription of its customer of @fee fen a month.  Treated ones were
 * contacted by SMS. */
static void
add_members (PGconn     *conn,
             const char *campaign,
             int         n,
             gboolean    control,
             int         converted,
             gint64      fee)
{
  g_autofree char *sql = g_strdup_printf (
    "WITH c AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM crm.customers x"
    "            WHERE NOT EXISTS (SELECT 1 FROM crm.campaign_members m"
    "                               WHERE m.campaign_id = $1 AND m.customer_id = x.id)"
    "            ORDER BY id LIMIT %d),"
    " s AS (INSERT INTO crm.subscriptions (customer_id, product_id, quantity, monthly_fee, started_on, status)"
    "       SELECT c.id, (SELECT id FROM crm.products ORDER BY code LIMIT 1), 1, %" G_GINT64_FORMAT ","
    "              current_date, 'active' FROM c WHERE c.k <= %d RETURNING id, customer_id)"
    " INSERT INTO crm.campaign_members (campaign_id, customer_id, is_control, channel, contacted_at, response,"
    "                                   responded_at, subscription_id)"
    " SELECT $1, c.id, %s, CASE WHEN NOT %s THEN 'sms'::crm.channel_kind END,"
    "        CASE WHEN NOT %s THEN now() - interval '3 days' END,"
    "        CASE WHEN c.k <= %d THEN 'converted' WHEN %s THEN 'pending' ELSE 'contacted' END::crm.member_response,"
    "        CASE WHEN c.k <= %d THEN now() - interval '1 day' END, s.id"
    "   FROM c LEFT JOIN s ON s.customer_id = c.id",
    n, fee, converted, control ? "true" : "false", control ? "true" : "false", control ? "true" : "false",
    converted, control ? "true" : "false", converted);

  PQclear (crm_test_pg_query (conn, sql, campaign, NULL));
}

static void
assert_interval (JsonObject *interval,
                 double      estimate,
                 double      lower,
                 double      upper,
                 double      tolerance)
{
  g_assert_cmpfloat_with_epsilon (member_double (interval, "estimate"), estimate, tolerance);
  g_assert_cmpfloat_with_epsilon (member_double (interval, "lower"), lower, tolerance);
  g_assert_cmpfloat_with_epsilon (member_double (interval, "upper"), upper, tolerance);
}

/* Tests -------------------------------------------------------------------- */

/* Every seeded campaign with members: the totals and the breakdown by
 * channel equal this test's own SQL over the members and the
 * opportunities and subscriptions their conversions link; marketing, who
 * reads no opportunity, gets the same revenue as the owner computes. */
static void
test_results_equal_an_independent_computation (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autoptr(PGresult) camps = crm_test_pg_query (conn, "SELECT id FROM crm.campaigns"
                                                       " WHERE status IN ('running', 'completed') AND name <> 'test'"
                                                       " ORDER BY id", NULL, NULL);
  gint64 conversions = 0;

  g_assert_cmpint (PQntuples (camps), >=, 5);
  for (int i = 0; i < PQntuples (camps); i++)
    {
      const char *id = PQgetvalue (camps, i, 0);
      g_autoptr(Response) r = NULL;
      JsonObject *doc = results_of (id, "marketing", &r);
      JsonObject *totals = json_object_get_object_member (doc, "totals");
      JsonArray *channels = json_object_get_array_member (doc, "by_channel");
      g_autoptr(PGresult) want = crm_test_pg_query (conn,
        "SELECT count(*) FILTER (WHERE NOT is_control),"
        "       count(*) FILTER (WHERE NOT is_control AND response::text = ANY"
        "                        ('{contacted,responded,converted,declined,opted_out}')),"
        "       count(*) FILTER (WHERE NOT is_control AND response::text IN ('responded', 'converted')),"
        "       count(*) FILTER (WHERE NOT is_control AND response = 'converted'),"
        "       coalesce(sum(CASE WHEN m.response = 'converted' AND NOT is_control THEN"
        "                  coalesce(o.amount_once + 12 * o.amount_monthly, 0) + coalesce(12 * s.monthly_fee, 0)"
        "                END), 0),"
        "       coalesce(sum(CASE WHEN NOT is_control AND m.response <> 'pending' AND m.channel IS NOT NULL"
        "                    THEN (p.channel_costs ->> m.channel::text)::bigint END), 0),"
        "       count(*) FILTER (WHERE is_control AND response = 'converted'),"
        "       count(*) FILTER (WHERE is_control)"
        "  FROM crm.campaign_members m JOIN crm.campaigns p ON p.id = m.campaign_id"
        "  LEFT JOIN crm.opportunities o ON o.id = m.opportunity_id AND o.stage = 'won'"
        "  LEFT JOIN crm.subscriptions s ON s.id = m.subscription_id"
        " WHERE m.campaign_id = $1", id, NULL);
      gint64 n_t = g_ascii_strtoll (PQgetvalue (want, 0, 0), NULL, 10);
      gint64 x_t = g_ascii_strtoll (PQgetvalue (want, 0, 3), NULL, 10);
      gint64 x_c = g_ascii_strtoll (PQgetvalue (want, 0, 6), NULL, 10);
      gint64 n_c = g_ascii_strtoll (PQgetvalue (want, 0, 7), NULL, 10);
      gint64 sum_targets = 0, sum_revenue = 0, sum_cost = 0;
      double p_t, p_c, half;
      JsonObject *conversion;

      g_assert_cmpint (member_int (totals, "targets"), ==, n_t);
      g_assert_cmpint (member_int (totals, "contacted"), ==, g_ascii_strtoll (PQgetvalue (want, 0, 1), NULL, 10));
      g_assert_cmpint (member_int (totals, "responded"), ==, g_ascii_strtoll (PQgetvalue (want, 0, 2), NULL, 10));
      g_assert_cmpint (member_int (totals, "converted"), ==, x_t);
      g_assert_cmpint (member_int (totals, "revenue"), ==, g_ascii_strtoll (PQgetvalue (want, 0, 4), NULL, 10));
      g_assert_cmpint (member_int (totals, "cost"), ==, g_ascii_strtoll (PQgetvalue (want, 0, 5), NULL, 10));
      g_assert_cmpint (member_int (json_object_get_object_member (doc, "control"), "members"), ==, n_c);
      conversions += x_t;

      /* the rates and the conversion uplift from the same counts */
      g_assert_cmpfloat_with_epsilon (member_double (totals, "conversion_rate"), (double) x_t / n_t, 1e-12);
      p_t = (double) x_t / n_t;
      p_c = (double) x_c / n_c;
      /* (half the interval's width / z)² is the variance of the difference */
      conversion = json_object_get_object_member (json_object_get_object_member (doc, "uplift"), "conversion");
      half = (member_double (conversion, "upper") - member_double (conversion, "lower")) / 2 / 1.959963984540054;
      g_assert_cmpfloat_with_epsilon (member_double (conversion, "estimate"), p_t - p_c, 1e-12);
      g_assert_cmpfloat_with_epsilon (member_double (conversion, "lower") + half * 1.959963984540054,
                                      p_t - p_c, 1e-9);
      g_assert_cmpfloat_with_epsilon (half * half, p_t * (1 - p_t) / n_t + p_c * (1 - p_c) / n_c, 1e-12);

      /* the channels add up to the totals */
      for (guint k = 0; k < json_array_get_length (channels); k++)
        {
          JsonObject *c = json_array_get_object_element (channels, k);

          sum_targets += member_int (c, "targets");
          sum_revenue += member_int (c, "revenue");
          sum_cost += member_int (c, "cost");
        }
      g_assert_cmpint (sum_targets, ==, n_t);
      g_assert_cmpint (sum_revenue, ==, member_int (totals, "revenue"));
      g_assert_cmpint (sum_cost, ==, member_int (totals, "cost"));
    }
  /* the seed links conversions to real records: revenue is attributed */
  g_assert_cmpint (conversions, >, 0);
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.campaign_members"
                                     " WHERE response = 'converted' AND opportunity_id IS NOT NULL", NULL, NULL), >, 0);
}

/* Launching snapshots the segment: as many members as the preview
 * counts, exactly round(10 % × members) in the control group, none of
 * them assigned; every other one to an account manager or a queue.  An
 * outcome on a control member is refused, for marketing and for the
 * customer's manager; the database refuses it too. */
static void
test_launch_control_group_is_never_assigned_or_contacted (void)
{
  const char *criteria = "{\"all\": [{\"field\": \"status\", \"op\": \"in\", \"value\": [\"active\"]},"
                         " {\"field\": \"tier\", \"op\": \"in\", \"value\": [\"standard\", \"major\"]}]}";
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *campaign = new_campaign (conn, "draft", criteria);
  g_autoptr(Response) counted = preview ("marketing", criteria);
  g_autoptr(Response) launched = launch (campaign, "marketing");
  g_autofree char *control_key = NULL, *owner_login = NULL, *body = NULL, *marketing = token_of ("marketing");
  g_autoptr(Response) by_marketing = NULL, by_manager = NULL;
  g_autoptr(PGresult) bad = NULL;
  gint64 n, n_control;

  g_assert_cmpuint (counted->status, ==, 200);
  g_assert_cmpuint (launched->status, ==, 200);
  n = member_int (obj (launched), "members");
  n_control = member_int (obj (launched), "control");
  g_assert_cmpint (n, ==, member_int (obj (counted), "count"));
  g_assert_cmpint (n, >, 20);
  g_assert_cmpint (n_control, ==, (n + 5) / 10);   /* round (10 % × n) */
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.campaign_members WHERE campaign_id = $1 AND is_control",
                               campaign, NULL), ==, n_control);
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.campaign_members WHERE campaign_id = $1 AND is_control"
                                     " AND (assigned_to IS NOT NULL OR queue IS NOT NULL OR channel IS NOT NULL"
                                     "      OR contacted_at IS NOT NULL)", campaign, NULL), ==, 0);
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.campaign_members WHERE campaign_id = $1"
                                     " AND NOT is_control AND (assigned_to IS NULL) = (queue IS NULL)",
                               campaign, NULL), ==, 0);
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.campaign_members m JOIN crm.customers c"
                                     " ON c.id = m.customer_id WHERE m.campaign_id = $1 AND m.assigned_to <> c.owner_id",
                               campaign, NULL), ==, 0);
  g_assert_cmpstr (scalar (conn, "SELECT status::text FROM crm.campaigns WHERE id = $1", campaign, NULL), ==,
                   "running");

  /* a control member whose customer's account manager is `manager` */
  control_key = scalar (conn, "SELECT m.campaign_id || '/' || m.customer_id FROM crm.campaign_members m"
                              " JOIN crm.customers c ON c.id = m.customer_id JOIN crm.users u ON u.id = c.owner_id"
                              " WHERE m.campaign_id = $1 AND m.is_control ORDER BY (u.login = 'manager') DESC,"
                              " m.customer_id LIMIT 1", campaign, NULL);
  owner_login = scalar (conn, "SELECT u.login FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                              " WHERE c.id = split_part($1, '/', 2)::uuid", control_key, NULL);
  body = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"campaign_member\",\"op\":\"update\",\"id\":\"%s\","
                          "\"base_version\":1,\"fields\":{\"response\":\"contacted\",\"channel\":\"phone\"},"
                          "\"base\":{\"response\":\"pending\",\"channel\":null}}",
                          "6f1b9d1e-4a8b-4c1e-9a57-000000000001", control_key);
  by_marketing = post_json ("mutations", marketing, body);
  assert_error (by_marketing, 403, "forbidden", "is_control");
  if (g_str_equal (owner_login, "manager"))
    {
      g_autofree char *manager = token_of ("manager");
      g_autofree char *body2 = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"campaign_member\",\"op\":\"update\","
                                                "\"id\":\"%s\",\"base_version\":1,"
                                                "\"fields\":{\"response\":\"contacted\"},\"base\":{\"response\":\"pending\"}}",
                                                "6f1b9d1e-4a8b-4c1e-9a57-000000000002", control_key);

      by_manager = post_json ("mutations", manager, body2);
      /* refused without saying why: a manager sees no control member (0018) */
      assert_error (by_manager, 404, "not_found", "id");
    }
  g_assert_cmpstr (scalar (conn, "SELECT response::text FROM crm.campaign_members"
                                 " WHERE campaign_id || '/' || customer_id = $1", control_key, NULL), ==, "pending");
  bad = PQexecParams (conn, "UPDATE crm.campaign_members SET contacted_at = now()"
                            " WHERE campaign_id || '/' || customer_id = $1",
                      1, NULL, (const char * const[]) { control_key }, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (bad), ==, PGRES_FATAL_ERROR);
  g_assert_cmpstr (PQresultErrorField (bad, PG_DIAG_SQLSTATE), ==, "23514");
}

/* A conversion links what it produced, of the member's own customer: a
 * subscription of another customer is refused (400, the field named);
 * the customer's own is taken, and the results count its 12 months. */
static void
test_conversion_links_a_record_of_the_members_customer (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *campaign = new_campaign (conn, "running", NULL);
  g_autofree char *member = NULL, *customer = NULL, *theirs = NULL, *own = NULL, *marketing = token_of ("marketing");
  g_autofree char *wrong = NULL, *right = NULL;
  g_autoptr(Response) refused = NULL, taken = NULL, r = NULL;
  JsonObject *totals;

  add_members (conn, campaign, 3, FALSE, 0, 0);
  member = scalar (conn, "SELECT campaign_id || '/' || customer_id FROM crm.campaign_members WHERE campaign_id = $1"
                         " ORDER BY customer_id LIMIT 1", campaign, NULL);
  customer = g_strdup (strchr (member, '/') + 1);
  theirs = scalar (conn, "SELECT id FROM crm.subscriptions WHERE customer_id <> $1 ORDER BY id LIMIT 1", customer, NULL);
  own = scalar (conn, "INSERT INTO crm.subscriptions (customer_id, product_id, quantity, monthly_fee, started_on, status)"
                      " SELECT $1, (SELECT id FROM crm.products ORDER BY code LIMIT 1), 1, 4321, current_date, 'active'"
                      " RETURNING id", customer, NULL);
  wrong = g_strdup_printf ("{\"key\":\"6f1b9d1e-4a8b-4c1e-9a57-000000000003\",\"entity\":\"campaign_member\","
                           "\"op\":\"update\",\"id\":\"%s\",\"base_version\":1,"
                           "\"fields\":{\"response\":\"converted\",\"subscription_id\":\"%s\"},"
                           "\"base\":{\"response\":\"contacted\",\"subscription_id\":null}}", member, theirs);
  refused = post_json ("mutations", marketing, wrong);
  assert_error (refused, 400, "invalid", "subscription_id");
  right = g_strdup_printf ("{\"key\":\"6f1b9d1e-4a8b-4c1e-9a57-000000000004\",\"entity\":\"campaign_member\","
                           "\"op\":\"update\",\"id\":\"%s\",\"base_version\":1,"
                           "\"fields\":{\"response\":\"converted\",\"subscription_id\":\"%s\"},"
                           "\"base\":{\"response\":\"contacted\",\"subscription_id\":null}}", member, own);
  taken = post_json ("mutations", marketing, right);
  g_assert_cmpuint (taken->status, ==, 200);
  totals = json_object_get_object_member (results_of (campaign, "marketing", &r), "totals");
  g_assert_cmpint (member_int (totals, "converted"), ==, 1);
  g_assert_cmpint (member_int (totals, "revenue"), ==, 12 * 4321);
}

/* A campaign launches once: again is a 409 naming the status, as is a
 * running one; a manager may not launch (403); nothing is added. */
static void
test_launch_is_refused_twice (void)
{
  const char *criteria = "{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\"]}";
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *campaign = new_campaign (conn, "planned", criteria);
  g_autoptr(Response) by_manager = launch (campaign, "manager");
  g_autoptr(Response) first = NULL, second = NULL, unknown = NULL;
  gint64 n;

  assert_error (by_manager, 403, "forbidden", NULL);
  first = launch (campaign, "admin");
  g_assert_cmpuint (first->status, ==, 200);
  n = scalar_int (conn, "SELECT count(*) FROM crm.campaign_members WHERE campaign_id = $1", campaign, NULL);
  g_assert_cmpint (n, ==, member_int (obj (first), "members"));
  second = launch (campaign, "marketing");
  assert_error (second, 409, "conflict", "status");
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.campaign_members WHERE campaign_id = $1",
                               campaign, NULL), ==, n);
  unknown = launch ("0190a0a0-0000-7000-8000-000000000000", "marketing");
  assert_error (unknown, 404, "not_found", "id");
}

/* A launch of a large share of the customers, outcomes recorded on it
 * (conversions linked to the customers' subscriptions, in the treated and
 * in the control group): its results, which read the members' customers
 * in one ordered pass rather than one by one (0023, over a tenth of the
 * customers), equal the independent computation, as the seeded
 * campaigns' do. */
static void
test_results_of_a_large_launch_equal_an_independent_computation (void)
{
  const char *criteria = "{\"field\": \"status\", \"op\": \"in\", \"value\": [\"active\"]}";
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *campaign = new_campaign (conn, "draft", criteria);
  g_autoptr(Response) launched = launch (campaign, "marketing");

  g_assert_cmpuint (launched->status, ==, 200);
  g_assert_cmpint (member_int (obj (launched), "members") * 10, >,
                   scalar_int (conn, "SELECT count(*) FROM crm.customers", NULL, NULL));
  PQclear (crm_test_pg_query (conn, "UPDATE crm.campaigns SET name = 'large launch' WHERE id = $1", campaign, NULL));
  PQclear (crm_test_pg_query (conn,
    "UPDATE crm.campaign_members m SET channel = (ARRAY['sms', 'phone'])[1 + abs(hashtext(customer_id::text)) % 2]::crm.channel_kind,"
    "       contacted_at = now() - interval '8 days',"
    "       response = (ARRAY['contacted', 'responded', 'declined', 'converted', 'unreachable'])"
    "                  [1 + abs(hashtext(customer_id::text)) % 5]::crm.member_response,"
    "       responded_at = now() - interval '1 day'"
    " WHERE campaign_id = $1 AND NOT is_control AND abs(hashtext(customer_id::text)) % 3 = 0", campaign, NULL));
  PQclear (crm_test_pg_query (conn,
    "UPDATE crm.campaign_members m SET response = 'converted', responded_at = now() - interval '2 days'"
    " WHERE campaign_id = $1 AND is_control AND abs(hashtext(customer_id::text)) % 4 = 0", campaign, NULL));
  PQclear (crm_test_pg_query (conn,
    "UPDATE crm.campaign_members m SET subscription_id = (SELECT s.id FROM crm.subscriptions s"
    "                                                     WHERE s.customer_id = m.customer_id ORDER BY s.id LIMIT 1)"
    " WHERE campaign_id = $1 AND response = 'converted'", campaign, NULL));
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.campaign_members WHERE campaign_id = $1"
                                     " AND subscription_id IS NOT NULL", campaign, NULL), >, 0);
  test_results_equal_an_independent_computation ();
}

/* Account managers of one name (there are several 王芳 in a large
 * company) are listed in one order, by user id, not in whatever order
 * the aggregate produced them: the same campaign gives the same document
 * every time.  0016 ordered them by name and queue only. */
static void
test_results_list_managers_of_one_name_by_id (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *campaign = new_campaign (conn, "running", NULL);
  g_autoptr(PGresult) want = NULL;
  g_autoptr(Response) r = NULL;
  JsonArray *assignees;
  guint seen = 0;

  PQclear (crm_test_pg_query (conn, "INSERT INTO crm.users (login, display_name, role, password_hash)"
                                    " SELECT 'same-name-' || k, '同名经理', 'manager', 'x' FROM generate_series(1, 8) k",
                              NULL, NULL));
  /* two customers each, assigned to them */
  PQclear (crm_test_pg_query (conn,
    "WITH u AS (SELECT id, row_number() OVER (ORDER BY login) AS k FROM crm.users WHERE login LIKE 'same-name-%'),"
    " c AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM crm.customers ORDER BY id LIMIT 16)"
    " INSERT INTO crm.campaign_members (campaign_id, customer_id, assigned_to)"
    " SELECT $1, c.id, u.id FROM c JOIN u ON u.k = (c.k - 1) % 8 + 1", campaign, NULL));
  want = crm_test_pg_query (conn, "SELECT id FROM crm.users WHERE login LIKE 'same-name-%' ORDER BY id", NULL, NULL);
  g_assert_cmpint (PQntuples (want), ==, 8);
  assignees = json_object_get_array_member (results_of (campaign, "marketing", &r), "by_assignee");
  for (guint k = 0; k < json_array_get_length (assignees); k++)
    {
      JsonObject *a = json_array_get_object_element (assignees, k);

      if (g_strcmp0 (json_object_get_string_member (a, "name"), "同名经理") != 0)
        continue;
      g_assert_cmpint (member_int (a, "targets"), ==, 2);
      g_assert_cmpstr (json_object_get_string_member (a, "user_id"), ==, PQgetvalue (want, (int) seen, 0));
      seen++;
    }
  g_assert_cmpuint (seen, ==, 8);
}

/* The uplift on a constructed campaign, worked out by hand:
 *
 * treated 100 members, 20 converted; control 100, 10 converted.  Each
 * conversion links a subscription of 1,000 fen a month: 12,000 fen.
 *
 * Conversion: p_t = 0.2, p_c = 0.1, estimate 0.1; standard error
 * sqrt(0.2 × 0.8 / 100 + 0.1 × 0.9 / 100) = sqrt(0.0025) = 0.05; the 95 %
 * interval 0.1 ± 1.959964 × 0.05 = [0.0020018, 0.1979982].
 *
 * Revenue per member: treated mean 2,400 (20 × 12,000 / 100), sample
 * variance (20 × 9,600² + 80 × 2,400²) / 99 = 23,272,727.27; control mean
 * 1,200, variance (10 × 10,800² + 90 × 1,200²) / 99 = 13,090,909.09.
 * a = 232,727.27, b = 130,909.09 (variance / n); standard error
 * sqrt(a + b) = 603.023; Welch-Satterthwaite df = (a + b)² / (a² / 99 +
 * b² / 99) = 183.60; t(0.975, 183.6) = 1.97297 (tables: 1.9732 at 180,
 * 1.9719 at 200, interpolated in 1/df: 1.97295); the interval 1,200 ±
 * 1.97297 × 603.023 = 1,200 ± 1,189.745 = [10.255, 2,389.745] fen. */
static void
test_uplift_matches_a_hand_computed_example (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *campaign = new_campaign (conn, "running", NULL);
  g_autoptr(Response) r = NULL;
  JsonObject *uplift, *totals;

  add_members (conn, campaign, 100, FALSE, 20, 1000);
  add_members (conn, campaign, 100, TRUE, 10, 1000);
  uplift = json_object_get_object_member (results_of (campaign, "marketing", &r), "uplift");
  assert_interval (json_object_get_object_member (uplift, "conversion"), 0.1, 0.0020018, 0.1979982, 1e-6);
  assert_interval (json_object_get_object_member (uplift, "revenue"), 1200, 10.255, 2389.745, 0.05);
  g_assert_cmpfloat_with_epsilon (member_double (json_object_get_object_member (uplift, "revenue"), "df"),
                                  183.60, 0.01);
  totals = json_object_get_object_member (obj (r), "totals");
  g_assert_cmpint (member_int (totals, "revenue"), ==, 20 * 12000);
  /* 100 treated members contacted by SMS at 8 fen */
  g_assert_cmpint (member_int (totals, "cost"), ==, 800);
  g_assert_cmpint (member_int (totals, "cost_per_response"), ==, 40);
  g_assert_cmpfloat_with_epsilon (member_double (totals, "roi"), (240000.0 - 800) / 800, 1e-9);
}

/* Treated and control alike (10 of 100 converted each, the same revenue):
 * both intervals contain zero. */
static void
test_uplift_of_a_campaign_that_changed_nothing_contains_zero (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *campaign = new_campaign (conn, "running", NULL);
  g_autoptr(Response) r = NULL;
  JsonObject *uplift;

  add_members (conn, campaign, 100, FALSE, 10, 2500);
  add_members (conn, campaign, 100, TRUE, 10, 2500);
  uplift = json_object_get_object_member (results_of (campaign, "admin", &r), "uplift");
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *interval = json_object_get_object_member (uplift, i ? "revenue" : "conversion");

      g_assert_cmpfloat_with_epsilon (member_double (interval, "estimate"), 0, 1e-9);
      g_assert_cmpfloat (member_double (interval, "lower"), <, 0);
      g_assert_cmpfloat (member_double (interval, "upper"), >, 0);
    }
}

/* Marketing's campaign answers carry no personal data: the preview's
 * sample and the results hold no phone, ID number or address, and the
 * customers behind them reach marketing masked. */
static void
test_marketing_sees_masked_personal_fields (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autoptr(Response) p = preview ("marketing", "{\"field\": \"status\", \"op\": \"in\", \"value\": [\"active\"]}");
  g_autofree char *campaign = scalar (conn, "SELECT id FROM crm.campaigns WHERE status = 'completed'"
                                            " ORDER BY id LIMIT 1", NULL, NULL);
  g_autofree char *marketing = token_of ("marketing");
  g_autoptr(Response) results = NULL;
  JsonArray *sample;

  g_assert_cmpuint (p->status, ==, 200);
  results_of (campaign, "marketing", &results);
  sample = json_object_get_array_member (obj (p), "sample");
  g_assert_cmpuint (json_array_get_length (sample), ==, 20);
  for (guint i = 0; i < json_array_get_length (sample); i++)
    {
      const char *id = json_object_get_string_member (json_array_get_object_element (sample, i), "id");
      g_autoptr(PGresult) personal = crm_test_pg_query (conn,
        "SELECT phone, address FROM crm.customers WHERE id = $1 AND phone IS NOT NULL"
        " UNION ALL SELECT mobile, coalesce(id_number, address) FROM crm.contacts WHERE customer_id = $1", id, NULL);
      g_autofree char *path = g_strdup_printf ("customers/%s", id);
      g_autoptr(Response) customer = get (path, marketing);

      g_assert_cmpuint (customer->status, ==, 200);
      for (int k = 0; k < PQntuples (personal); k++)
        for (int col = 0; col < 2; col++)
          {
            const char *v = PQgetvalue (personal, k, col);

            if (PQgetisnull (personal, k, col) || strlen (v) < 6)
              continue;
            g_assert_null (strstr (p->body, v));
            g_assert_null (strstr (results->body, v));
            g_assert_null (strstr (customer->body, v));
          }
    }
  /* no such member either ("phone" is also a channel: a value) */
  for (guint i = 0; i < 6; i++)
    {
      const char *key = (const char *[]) { "\"phone\":", "\"address\":", "\"id_number\":",
                                           "\"phone\" :", "\"address\" :", "\"id_number\" :" }[i];

      g_assert_null (strstr (p->body, key));
      g_assert_null (strstr (results->body, key));
    }
}

/* Bad criteria are a 400 whose field is the JSON pointer of what is
 * wrong. */
static void
test_preview_rejects_bad_criteria_naming_the_field (void)
{
  static const struct { const char *criteria; const char *field; } cases[] = {
    { "{\"field\": \"shoe_size\", \"op\": \"in\", \"value\": [\"42\"]}", "/criteria/field" },
    { "{\"all\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\"]},"
      " {\"any\": [{\"field\": \"tier\", \"op\": \"like\", \"value\": [\"key\"]}]}]}", "/criteria/all/1/any/0/op" },
    { "{\"all\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\", \"gold\"]}]}", "/criteria/all/0/value/1" },
    { "{\"field\": \"churn_risk\", \"op\": \"gte\", \"value\": \"60\"}", "/criteria/value" },
    { "{\"field\": \"churn_risk\", \"op\": \"gte\", \"value\": 101}", "/criteria/value" },
    { "{\"field\": \"monthly_revenue\", \"op\": \"between\", \"value\": [500, 100]}", "/criteria/value" },
    { "{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\"], \"or\": 1}", "/criteria/or" },
    { "{\"all\": []}", "/criteria/all" },
    { "{\"all\": [{\"field\": \"tier\"}]}", "/criteria/all/0/op" },
    { "[1]", "/criteria" },
    { "{\"any\": [{\"any\": [{\"any\": [{\"any\": [{\"any\": [{\"any\": [{\"any\": [{\"any\": ["
      "{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\"]}]}]}]}]}]}]}]}]}",
      "/criteria/any/0/any/0/any/0/any/0/any/0/any/0/any/0/any/0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Response) r = preview ("marketing", cases[i].criteria);

      g_test_message ("%s", cases[i].criteria);
      assert_error (r, 400, "invalid", cases[i].field);
    }
}

/* Criteria compile to a condition whose values are parameters: a value
 * holding SQL matches nothing and changes nothing; and the counts equal
 * this test's own SQL. */
static void
test_preview_values_are_parameters_and_counts_are_right (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  gint64 before = scalar_int (conn, "SELECT count(*) FROM crm.customers", NULL, NULL);
  g_autoptr(Response) evil = preview ("marketing", "{\"field\": \"industry\", \"op\": \"in\","
                                                   " \"value\": [\"x'); DROP TABLE crm.customers; --\","
                                                   " \"\\\"}{\\\\\"]}");
  g_autoptr(Response) mixed = preview ("admin",
    "{\"all\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\", \"major\"]},"
    " {\"any\": [{\"field\": \"arrears\", \"op\": \"gte\", \"value\": 1},"
    "            {\"field\": \"churn_risk\", \"op\": \"gte\", \"value\": 60},"
    "            {\"field\": \"products\", \"op\": \"lacks\", \"value\": [\"broadband\"]}]}]}");
  g_autoptr(Response) manager = preview ("manager", "{\"field\": \"status\", \"op\": \"in\", \"value\": [\"active\"]}");
  /* a province holds its cities */
  g_autoptr(Response) regional = preview ("marketing",
    "{\"any\": [{\"all\": [{\"field\": \"region\", \"op\": \"in\", \"value\": [\"440000\", \"nowhere\"]},"
    "                     {\"field\": \"monthly_revenue\", \"op\": \"between\", \"value\": [100000, 5000000]}]},"
    "          {\"field\": \"contract_end\", \"op\": \"within_days\", \"value\": 60}]}");

  g_assert_cmpuint (evil->status, ==, 200);
  g_assert_cmpint (member_int (obj (evil), "count"), ==, 0);
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.customers", NULL, NULL), ==, before);

  g_assert_cmpuint (mixed->status, ==, 200);
  g_assert_cmpint (member_int (obj (mixed), "count"), ==,
                   scalar_int (conn, "SELECT count(*) FROM crm.customers c WHERE c.tier IN ('key', 'major')"
                                     " AND (c.arrears >= 1 OR c.churn_risk >= 60 OR NOT EXISTS ("
                                     "   SELECT 1 FROM crm.subscriptions s JOIN crm.products p ON p.id = s.product_id"
                                     "    WHERE s.customer_id = c.id AND s.status = 'active'"
                                     "      AND p.category = 'broadband'))", NULL, NULL));
  g_assert_cmpint (member_int (obj (mixed), "count"), >, 0);
  g_assert_cmpuint (regional->status, ==, 200);
  g_assert_cmpint (member_int (obj (regional), "count"), ==,
                   scalar_int (conn, "SELECT count(*) FROM crm.customers c JOIN crm.regions r ON r.id = c.region_id"
                                     " LEFT JOIN crm.regions p ON p.id = r.parent_id"
                                     " WHERE ('440000' IN (r.code, p.code) AND c.monthly_revenue BETWEEN 100000 AND 5000000)"
                                     "    OR EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.customer_id = c.id"
                                     "                AND s.status = 'active'"
                                     "                AND s.contract_end BETWEEN current_date AND current_date + 60)",
                               NULL, NULL));
  g_assert_cmpint (member_int (obj (regional), "count"), >, 0);
  /* row-level security: a manager counts their own customers only */
  g_assert_cmpuint (manager->status, ==, 200);
  g_assert_cmpint (member_int (obj (manager), "count"), ==,
                   scalar_int (conn, "SELECT count(*) FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                     " WHERE u.login = 'manager' AND c.status = 'active'", NULL, NULL));
}

/* ARPU trend ----------------------------------------------------------------- */

/* The ARPU change of every customer computed here from crm.revenue_months
 * alone: the sums of the last three full months and of the three before. */
#define DIRECT_ARPU \
  "SELECT c.id, c.tier, c.owner_id," \
  "       sum(rm.revenue) FILTER (WHERE rm.month >= (date_trunc('month', current_date) - interval '3 months')::date) AS recent," \
  "       sum(rm.revenue) FILTER (WHERE rm.month < (date_trunc('month', current_date) - interval '3 months')::date) AS before" \
  "  FROM crm.customers c LEFT JOIN crm.revenue_months rm ON rm.customer_id = c.id" \
  "   AND rm.month >= (date_trunc('month', current_date) - interval '6 months')::date" \
  "   AND rm.month < date_trunc('month', current_date)::date" \
  " GROUP BY c.id"

/* How many customers' kept figures (crm.customers.arpu_*) differ from the
 * direct computation. */
static gint64
arpu_disagreements (PGconn *conn)
{
  return scalar_int (conn, "SELECT count(*) FROM (" DIRECT_ARPU ") d JOIN crm.customers a ON a.id = d.id"
                           " WHERE a.arpu_month0 IS DISTINCT FROM date_trunc('month', current_date)::date"
                           "    OR a.arpu_recent IS DISTINCT FROM d.recent OR a.arpu_before IS DISTINCT FROM d.before",
                     NULL, NULL);
}

/* At the turn of a month the kept figures are of the month before, and
 * `keyline-server refresh` (the daily timer) brings them up to date
 * without making the customers changed. */
static void
test_arpu_refresh_command_brings_a_month_up_to_date (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *stamps = NULL;
  g_autofree char *stamps_after = NULL;
  g_autofree char *expected = NULL;
  const char *binary = g_getenv ("KEYLINE_SERVER");

  g_assert_nonnull (binary);
  g_assert_cmpint (arpu_disagreements (conn), ==, 0);
  stamps = scalar (conn, "SELECT string_agg(concat_ws(' ', version, updated_at, sync_xid), ',' ORDER BY id)"
                         " FROM crm.customers", NULL, NULL);
  /* as the month turning leaves them: a month old, for 40 customers */
  PQclear (crm_test_pg_query (conn, "SELECT set_config('keyline.arpu', 'on', false)", NULL, NULL));
  PQclear (crm_test_pg_query (conn, "UPDATE crm.customers SET arpu_month0 = (arpu_month0 - interval '1 month')::date,"
                                    " arpu_recent = arpu_recent + 1"
                                    " WHERE id IN (SELECT id FROM crm.customers ORDER BY id LIMIT 40)", NULL, NULL));
  PQclear (crm_test_pg_query (conn, "SELECT set_config('keyline.arpu', 'off', false)", NULL, NULL));
  g_assert_cmpint (arpu_disagreements (conn), ==, 40);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              binary, "--database", conninfo, "refresh", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  expected = g_strdup_printf ("Brought %d customers' ARPU figures and 0 customers' contract ends up to date.\n", 40);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpint (arpu_disagreements (conn), ==, 0);
  stamps_after = scalar (conn, "SELECT string_agg(concat_ws(' ', version, updated_at, sync_xid), ',' ORDER BY id)"
                               " FROM crm.customers", NULL, NULL);
  g_assert_cmpstr (stamps_after, ==, stamps);
}

/* The kept figures follow every kind of change of revenue_months: an
 * update, an insert, a delete, a statement touching many customers. */
static void
test_arpu_follows_revenue_months (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = scalar (conn,
    "SELECT c.id FROM crm.customers c WHERE c.arpu_before > 0 AND c.arpu_recent > 0"
    " ORDER BY c.id LIMIT 1", NULL, NULL);
  g_autofree char *recent = NULL;
  g_autofree char *after = NULL;
  g_autofree char *stamps = NULL;
  g_autofree char *stamps_after = NULL;

  g_assert_nonnull (customer);
  g_assert_cmpint (arpu_disagreements (conn), ==, 0);
  recent = scalar (conn, "SELECT arpu_recent::text FROM crm.customers WHERE id = $1", customer, NULL);
  stamps = scalar (conn, "SELECT concat_ws(' ', version, updated_at, sync_xid) FROM crm.customers WHERE id = $1",
                   customer, NULL);

  PQclear (crm_test_pg_query (conn, "UPDATE crm.revenue_months SET revenue = revenue + 12345"
                                    " WHERE customer_id = $1"
                                    "   AND month = (SELECT max(x.month) FROM crm.revenue_months x"
                                    "                 WHERE x.customer_id = $1"
                                    "                   AND x.month < date_trunc('month', current_date)::date)",
                              customer, NULL));
  after = scalar (conn, "SELECT (arpu_recent - $2::bigint)::text FROM crm.customers WHERE id = $1",
                  customer, recent);
  g_assert_cmpstr (after, ==, "12345");
  g_assert_cmpint (arpu_disagreements (conn), ==, 0);
  /* not a change of the customer: no new version, not sent again */
  stamps_after = scalar (conn, "SELECT concat_ws(' ', version, updated_at, sync_xid) FROM crm.customers"
                               " WHERE id = $1", customer, NULL);
  g_assert_cmpstr (stamps_after, ==, stamps);

  PQclear (crm_test_pg_query (conn, "DELETE FROM crm.revenue_months WHERE customer_id = $1"
                                    " AND month = (date_trunc('month', current_date) - interval '5 months')::date",
                              customer, NULL));
  g_assert_cmpint (arpu_disagreements (conn), ==, 0);
  PQclear (crm_test_pg_query (conn, "INSERT INTO crm.revenue_months (customer_id, month, revenue)"
                                    " VALUES ($1, (date_trunc('month', current_date) - interval '5 months')::date,"
                                    "         987654)",
                              customer, NULL));
  g_assert_cmpint (arpu_disagreements (conn), ==, 0);

  /* one statement over many customers: a month of every third customer halved */
  PQclear (crm_test_pg_query (conn, "UPDATE crm.revenue_months SET revenue = revenue / 2"
                                    " WHERE month = (date_trunc('month', current_date) - interval '3 months')::date"
                                    "   AND abs(hashtext(customer_id::text)) % 3 = 0", NULL, NULL));
  g_assert_cmpint (arpu_disagreements (conn), ==, 0);
}

/* The preview's counts of ARPU trends, alone and combined with and/or,
 * equal the direct computation; also for a manager (their own customers)
 * and for figures of an earlier month (not yet refreshed). */
static void
test_preview_arpu_counts_equal_revenue_months (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  struct { const char *login, *criteria, *where; } cases[] = {
    { "marketing", "{\"field\": \"arpu_trend\", \"op\": \"falling\", \"value\": 10}",
      "d.before > 0 AND d.recent * 100 <= d.before * 90" },
    { "marketing", "{\"field\": \"arpu_trend\", \"op\": \"rising\", \"value\": 5}",
      "d.before > 0 AND d.recent * 100 >= d.before * 105" },
    { "marketing", "{\"field\": \"arpu_trend\", \"op\": \"falling\", \"value\": 0}",
      "d.before > 0 AND d.recent <= d.before" },
    { "marketing", "{\"all\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\", \"major\"]},"
                   " {\"field\": \"arpu_trend\", \"op\": \"falling\", \"value\": 3}]}",
      "d.tier IN ('key', 'major') AND d.before > 0 AND d.recent * 100 <= d.before * 97" },
    { "admin", "{\"any\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\"]},"
               " {\"field\": \"arpu_trend\", \"op\": \"rising\", \"value\": 1}]}",
      "d.tier = 'key' OR (d.before > 0 AND d.recent * 100 >= d.before * 101)" },
    { "manager", "{\"field\": \"arpu_trend\", \"op\": \"falling\", \"value\": 1}",
      "d.owner_id = (SELECT u.id FROM crm.users u WHERE u.login = 'manager')"
      " AND d.before > 0 AND d.recent * 100 <= d.before * 99" },
  };

  for (guint round = 0; round < 2; round++)
    {
      if (round == 1)
        /* a third of the figures as if computed last month: counted from
         * revenue_months until refreshed */
        g_assert_cmpint (scalar_int (conn, "WITH s AS (UPDATE crm.customers"
                                           "   SET arpu_month0 = (arpu_month0 - interval '1 month')::date,"
                                           "       arpu_recent = 0, arpu_before = 1"
                                           " WHERE abs(hashtext(id::text)) % 3 = 1 RETURNING 1)"
                                           " SELECT count(*) FROM s", NULL, NULL), >, 0);
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autoptr(Response) r = preview (cases[i].login, cases[i].criteria);
          g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM (" DIRECT_ARPU ") d WHERE %s",
                                                  cases[i].where);
          gint64 want = scalar_int (conn, sql, NULL, NULL);

          g_test_message ("%s %s: %" G_GINT64_FORMAT, cases[i].login, cases[i].criteria, want);
          g_assert_cmpuint (r->status, ==, 200);
          g_assert_cmpint (member_int (obj (r), "count"), ==, want);
          g_assert_cmpint (want, >, 0);
        }
    }
  g_assert_cmpint (scalar_int (conn, "SELECT crm.customer_arpu_refresh()", NULL, NULL), >, 0);
  g_assert_cmpint (arpu_disagreements (conn), ==, 0);
  g_assert_cmpint (scalar_int (conn, "SELECT crm.customer_arpu_refresh()", NULL, NULL), ==, 0);
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
                              program, "--database", conninfo, "seed", "--customers", "2000", "--seed", "5", NULL);
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
  g_autoptr(CrmConfig) config = crm_config_new ();
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

  /* the seeded campaigns first, before the tests add their own */
  g_test_add_func ("/server/campaigns/results/equal-an-independent-computation",
                   test_results_equal_an_independent_computation);
  g_test_add_func ("/server/campaigns/launch/control-group-is-never-assigned-or-contacted",
                   test_launch_control_group_is_never_assigned_or_contacted);
  g_test_add_func ("/server/campaigns/launch/is-refused-twice", test_launch_is_refused_twice);
  g_test_add_func ("/server/campaigns/outcome/conversion-links-a-record-of-the-members-customer",
                   test_conversion_links_a_record_of_the_members_customer);
  g_test_add_func ("/server/campaigns/results/of-a-large-launch-equal-an-independent-computation",
                   test_results_of_a_large_launch_equal_an_independent_computation);
  g_test_add_func ("/server/campaigns/results/list-managers-of-one-name-by-id",
                   test_results_list_managers_of_one_name_by_id);
  g_test_add_func ("/server/campaigns/uplift/matches-a-hand-computed-example",
                   test_uplift_matches_a_hand_computed_example);
  g_test_add_func ("/server/campaigns/uplift/of-a-campaign-that-changed-nothing-contains-zero",
                   test_uplift_of_a_campaign_that_changed_nothing_contains_zero);
  g_test_add_func ("/server/campaigns/marketing/sees-masked-personal-fields",
                   test_marketing_sees_masked_personal_fields);
  g_test_add_func ("/server/segments/preview/rejects-bad-criteria-naming-the-field",
                   test_preview_rejects_bad_criteria_naming_the_field);
  g_test_add_func ("/server/segments/preview/values-are-parameters-and-counts-are-right",
                   test_preview_values_are_parameters_and_counts_are_right);
  g_test_add_func ("/server/segments/arpu/follows-revenue-months", test_arpu_follows_revenue_months);
  g_test_add_func ("/server/segments/arpu/refresh-command-brings-a-month-up-to-date",
                   test_arpu_refresh_command_brings_a_month_up_to_date);
  g_test_add_func ("/server/segments/preview/arpu-trend-counts-equal-revenue-months",
                   test_preview_arpu_counts_equal_revenue_months);

  status = g_test_run ();
  crm_server_stop (server);
  crm_test_http_shutdown ();
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  g_free (base_url);
  return status;
}
