/* GET /api/v1/opportunities (issue 10: a director's views of a team or
 * region from the server) end to end: an in-process keyline-server on
 * port 0 against a throwaway database seeded with `keyline-server seed`.
 * Every page is checked against a listing of this test's own, in plain SQL
 * as the schema's owner (who reads past nothing: it acts as the
 * administrator, and the test names the reader's scope itself), walked
 * page by page through "next" under every sort and order. */
#define G_LOG_DOMAIN "test-server-opportunity-list"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-entity.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

static CrmServer *server;
static char *conninfo;
static char *base_url;

/* The seeded people and places the tests ask about. */
static char *other_director;    /* a director of another province */
static char *home_region;       /* the demo director's province */
static char *director_id;       /* the demo director */
static char *home_team;         /* the demo account manager's team */
static char *home_customer;     /* a customer of the home province with several opportunities */
static char *outsider;          /* an opportunity of home_team's manager in another province */

static const char * const sorts[] = { "expected_close", "amount", "stage_changed_at", "title", "updated_at" };
/* the column of the test's own listing each sort orders by */
static const char * const sort_columns[] = { "expected_close", "amount", "stage_changed_at", "name", "updated_at" };

enum { F_OWNER, F_TEAM, F_REGION, F_PRODUCT_LINE, F_AMOUNT_MIN, F_AMOUNT_MAX, F_CLOSE_FROM, F_CLOSE_TO,
       F_STAGE, F_CUSTOMER, N_F };

static const char * const filter_names[N_F] = {
  "owner", "team", "region", "product_line", "amount_min", "amount_max", "close_from", "close_to",
  "stage", "customer",
};

/* One question: who asks, for which scope, with which filters. */
typedef struct
{
  const char *login;
  const char *kind;        /* "me", "team", "region" */
  const char *id;
  const char *filters[N_F];
} Ask;

/* Helpers ------------------------------------------------------------------ */

static char *
token_of (const char *login)
{
  return g_strconcat ("opportunity-list-test-token-", login, NULL);
}

static PGconn *
owner_connection (void)
{
  return crm_test_pg_connect_as_admin (conninfo);
}

/* @sql with @n text parameters (NULL is SQL NULL). */
static PGresult *
query (PGconn             *conn,
       const char         *sql,
       int                 n,
       const char * const *params)
{
  PGresult *res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s\n%s", sql, PQresultErrorMessage (res));
  return res;
}

static char *
scalar (const char *sql,
        const char *param)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param, NULL);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
}

/* The query string of @ask without the page's parameters. */
static char *
ask_query (const Ask *ask)
{
  GString *q = g_string_new ("scope=");

  if (g_str_equal (ask->kind, "me"))
    g_string_append (q, "me");
  else
    g_string_append_printf (q, "%s:%s", ask->kind, ask->id);
  for (guint i = 0; i < N_F; i++)
    if (ask->filters[i])
      g_string_append_printf (q, "&%s=%s", filter_names[i], ask->filters[i]);
  return g_string_free (q, FALSE);
}

/* The test's own listing ---------------------------------------------------- */

/* The opportunities @ask lists, as the CTE "opp", over parameters:
 *   $1 the scope's region, $2 its team, $3 the caller ("me"); $4 to $11 the
 *   filters; $12 a director's region (what row-level security lets them
 *   see), $13 an account manager (the customers they own); $14 the stages
 *   (text[]), $15 the customer.
 * Written apart from server/sql/0015 and 0021 on purpose: plain joins, IS
 * NULL tests instead of fragments, recursive CTEs instead of
 * region_subtree(), NULLS LAST instead of 'infinity'. */
#define OPP_CTE \
  "WITH RECURSIVE sub(id) AS (SELECT $1::uuid UNION SELECT r.id FROM crm.regions r JOIN sub ON r.parent_id = sub.id)," \
  " fsub(id) AS (SELECT $6::uuid UNION SELECT r.id FROM crm.regions r JOIN fsub ON r.parent_id = fsub.id)," \
  " vsub(id) AS (SELECT $12::uuid UNION SELECT r.id FROM crm.regions r JOIN vsub ON r.parent_id = vsub.id)," \
  " opp AS (SELECT o.id, o.expected_close, o.amount_once + o.amount_monthly * o.contract_months AS amount," \
  "                o.stage_changed_at, o.name, o.updated_at" \
  "           FROM crm.opportunities o" \
  "           JOIN crm.customers c ON c.id = o.customer_id LEFT JOIN crm.users u ON u.id = o.owner_id" \
  "          WHERE ($1::uuid IS NULL OR c.region_id IN (SELECT id FROM sub))" \
  "            AND ($2::uuid IS NULL OR u.team_id = $2::uuid)" \
  "            AND ($3::uuid IS NULL OR o.owner_id = $3::uuid)" \
  "            AND ($4::uuid IS NULL OR o.owner_id = $4::uuid)" \
  "            AND ($5::uuid IS NULL OR u.team_id = $5::uuid)" \
  "            AND ($6::uuid IS NULL OR c.region_id IN (SELECT id FROM fsub))" \
  "            AND ($7::crm.product_category IS NULL OR $7::crm.product_category = ANY (o.product_lines))" \
  "            AND ($8::bigint IS NULL OR o.amount_once + o.amount_monthly * o.contract_months >= $8::bigint)" \
  "            AND ($9::bigint IS NULL OR o.amount_once + o.amount_monthly * o.contract_months <= $9::bigint)" \
  "            AND ($10::date IS NULL OR (CASE WHEN o.stage IN ('won', 'lost') THEN o.closed_on" \
  "                                            ELSE o.expected_close END) >= $10::date)" \
  "            AND ($11::date IS NULL OR (CASE WHEN o.stage IN ('won', 'lost') THEN o.closed_on" \
  "                                            ELSE o.expected_close END) <= $11::date)" \
  "            AND ($12::uuid IS NULL OR c.region_id IN (SELECT id FROM vsub))" \
  "            AND ($13::uuid IS NULL OR c.owner_id = $13::uuid)" \
  "            AND ($14::text[] IS NULL OR o.stage::text = ANY ($14::text[]))" \
  "            AND ($15::uuid IS NULL OR o.customer_id = $15::uuid))"
#define N_OPP_PARAMS 15

/* The ids @ask lists in the order of @sort (ties by id), as the test
 * computes them. */
static GPtrArray *
expected_ids (const Ask *ask,
              guint      sort,
              gboolean   descending)
{
  g_autoptr(PGconn) conn = owner_connection ();
  const char *login[1] = { ask->login };
  g_autoptr(PGresult) who = query (conn, "SELECT id, role, region_id FROM crm.users WHERE login = $1", 1, login);
  const char *role = PQgetvalue (who, 0, 1);
  g_autofree char *stages = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(PGresult) res = NULL;
  const char *p[N_OPP_PARAMS] = { NULL };
  const char *dir = descending ? "DESC" : "ASC";
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  if (g_str_equal (ask->kind, "region"))
    p[0] = ask->id;
  else if (g_str_equal (ask->kind, "team"))
    p[1] = ask->id;
  else
    p[2] = PQgetvalue (who, 0, 0);
  for (guint i = 0; i <= F_CLOSE_TO; i++)
    p[3 + i] = ask->filters[i] && g_str_equal (ask->filters[i], "me") ? PQgetvalue (who, 0, 0) : ask->filters[i];
  if (g_str_equal (role, "director"))
    p[11] = PQgetvalue (who, 0, 2);
  if (g_str_equal (role, "manager"))
    p[12] = PQgetvalue (who, 0, 0);
  if (ask->filters[F_STAGE])
    p[13] = stages = g_strdup_printf ("{%s}", ask->filters[F_STAGE]);
  p[14] = ask->filters[F_CUSTOMER];

  sql = g_strdup_printf (OPP_CTE " SELECT opp.id FROM opp ORDER BY opp.%s %s NULLS %s, opp.id %s",
                         sort_columns[sort], dir, descending ? "FIRST" : "LAST", dir);
  res = query (conn, sql, N_OPP_PARAMS, p);
  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (ids, g_strdup (PQgetvalue (res, i, 0)));
  return ids;
}

/* The server's pages ---------------------------------------------------------- */

/* Walks every page of @ask sorted by @sort, @limit at a time, checking each
 * page's size and total; returns the ids in the order received. */
static GPtrArray *
walk_pages (const Ask *ask,
            guint      sort,
            gboolean   descending,
            gint64     limit,
            gint64    *total)
{
  g_autofree char *token = token_of (ask->login);
  g_autofree char *q = ask_query (ask);
  g_autofree char *after = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  guint pages = 0;

  *total = -1;
  do
    {
      g_autofree char *path = g_strdup_printf ("opportunities?%s&sort=%s&order=%s&limit=%" G_GINT64_FORMAT "%s%s",
                                               q, sorts[sort], descending ? "desc" : "asc", limit,
                                               after ? "&after=" : "", after ? after : "");
      g_autoptr(Response) r = get (path, token);
      JsonArray *page;
      JsonNode *next;

      if (r->status != 200)
        g_error ("GET %s as %s: %u %s", path, ask->login, r->status, r->body);
      g_assert_true (json_object_has_member (obj (r), "as_of"));
      g_assert_nonnull (json_object_get_string_member (obj (r), "scope"));
      if (*total < 0)
        *total = json_object_get_int_member (obj (r), "total");
      /* every page counts every match */
      g_assert_cmpint (json_object_get_int_member (obj (r), "total"), ==, *total);
      page = json_object_get_array_member (obj (r), "opportunities");
      for (guint i = 0; i < json_array_get_length (page); i++)
        g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_array_get_object_element (page, i),
                                                                       "id")));
      next = json_object_get_member (obj (r), "next");
      g_clear_pointer (&after, g_free);
      if (!JSON_NODE_HOLDS_NULL (next))
        {
          /* a page with a next one is full */
          g_assert_cmpuint (json_array_get_length (page), ==, limit);
          after = g_strdup (json_node_get_string (next));
        }
      g_assert_cmpuint (++pages, <, 1000);
    }
  while (after != NULL);
  return ids;
}

static void
assert_same_ids (GPtrArray  *got,
                 GPtrArray  *want,
                 const char *what)
{
  if (got->len != want->len)
    g_error ("%s: %u opportunities, expected %u", what, got->len, want->len);
  for (guint i = 0; i < got->len; i++)
    if (!g_str_equal (got->pdata[i], want->pdata[i]))
      g_error ("%s: row %u is %s, expected %s", what, i, (char *) got->pdata[i], (char *) want->pdata[i]);
}

/* Every sort and order of @ask, in pages of about a quarter of it: each
 * walk visits exactly the test's listing, in its order, and the total is
 * its size.  Returns that size. */
static guint
check_ask (const Ask *ask)
{
  g_autofree char *q = ask_query (ask);
  guint n = 0;

  for (guint s = 0; s < G_N_ELEMENTS (sorts); s++)
    for (int d = 0; d < 2; d++)
      {
        g_autoptr(GPtrArray) want = expected_ids (ask, s, d);
        g_autoptr(GPtrArray) got = NULL;
        g_autofree char *what = g_strdup_printf ("%s %s sort=%s order=%s", ask->login, q, sorts[s],
                                                 d ? "desc" : "asc");
        gint64 limit = CLAMP (want->len / 4 + 1, 1, 500);
        gint64 total;

        got = walk_pages (ask, s, d, limit, &total);
        g_test_message ("%s: %u in pages of %" G_GINT64_FORMAT, what, want->len, limit);
        g_assert_cmpint (total, ==, want->len);
        assert_same_ids (got, want, what);
        n = want->len;
      }
  return n;
}

/* Tests ---------------------------------------------------------------------- */

/* A manager, a director (their region, a team, themselves) and an
 * administrator, with and without filters: every page and the total as
 * the test's own listing says. */
static void
test_pages_and_total_equal_plain_sql (void)
{
  const Ask asks[] = {
    { "manager", "me", NULL, { NULL } },
    { "manager", "me", NULL, { [F_STAGE] = "proposal,negotiation" } },
    { "director", "region", home_region, { NULL } },
    { "director", "region", home_region, { [F_STAGE] = "proposal" } },
    { "director", "region", home_region, { [F_STAGE] = "won,lost", [F_CLOSE_FROM] = "2025-01-01" } },
    { "director", "region", home_region, { [F_CUSTOMER] = home_customer } },
    { "director", "team", home_team, { NULL } },
    { "director", "team", home_team, { [F_AMOUNT_MIN] = "1000000", [F_PRODUCT_LINE] = "cloud" } },
    { "director", "me", NULL, { NULL } },
    { "admin", "region", home_region, { [F_OWNER] = director_id } },
    { "admin", "team", home_team, { NULL } },
    { "admin", "region", home_region, { [F_TEAM] = home_team, [F_STAGE] = "qualification" } },
  };
  guint sizes[G_N_ELEMENTS (asks)];

  for (guint i = 0; i < G_N_ELEMENTS (asks); i++)
    sizes[i] = check_ask (&asks[i]);
  /* the asks prove something: a region is bigger than a team, and each
   * kind has opportunities */
  g_assert_cmpuint (sizes[0], >, 0);
  g_assert_cmpuint (sizes[2], >, sizes[6]);
  g_assert_cmpuint (sizes[3], >, 0);
  g_assert_cmpuint (sizes[5], >, 1);
  g_assert_cmpuint (sizes[6], >, 0);
  g_assert_cmpuint (sizes[8], >, 0);
  g_assert_cmpuint (sizes[9], ==, sizes[8]);
  g_assert_cmpuint (sizes[11], >, 0);
}

/* The data has what makes the sorts' keysets hard: opportunities without
 * an expected close date, and many sharing one date, one name, one amount
 * and one time in stage. */
static void
test_seeded_data_has_ties_and_nulls (void)
{
  g_autofree char *figures = scalar ("SELECT count(*) FILTER (WHERE expected_close IS NULL) || ' '"
                                     "    || count(*) - count(DISTINCT expected_close) || ' '"
                                     "    || count(*) - count(DISTINCT name)"
                                     " FROM crm.opportunities WHERE region_id = ANY (crm.region_subtree($1::uuid))",
                                     home_region);
  g_auto(GStrv) n = g_strsplit (figures, " ", -1);

  g_test_message ("home province: %s without a close date, %s sharing a date, %s sharing a name",
                  n[0], n[1], n[2]);
  g_assert_cmpint (g_ascii_strtoll (n[0], NULL, 10), >, 0);
  g_assert_cmpint (g_ascii_strtoll (n[1], NULL, 10), >, 20);
  g_assert_cmpint (g_ascii_strtoll (n[2], NULL, 10), >, 10);
}

/* A record is the opportunity as the sync sends it (the entity table's
 * fields, none of the server's own), with the customer's and the owner's
 * names. */
static void
test_record_is_the_entity_with_names (void)
{
  g_autofree char *token = token_of ("director");
  g_autofree char *path = g_strdup_printf ("opportunities?scope=region:%s&customer=%s&limit=500",
                                           home_region, home_customer);
  g_autoptr(Response) r = get (path, token);
  g_autoptr(PGconn) conn = owner_connection ();
  const CrmEntityInfo *info = crm_entity_info (CRM_ENTITY_OPPORTUNITY);
  JsonArray *page;

  g_assert_cmpuint (r->status, ==, 200);
  page = json_object_get_array_member (obj (r), "opportunities");
  g_assert_cmpuint (json_array_get_length (page), >, 0);
  for (guint i = 0; i < json_array_get_length (page); i++)
    {
      JsonObject *o = json_array_get_object_element (page, i);
      const char *id = json_object_get_string_member (o, "id");
      g_autoptr(PGresult) want = crm_test_pg_query (conn,
        "SELECT c.name, u.display_name, o.stage::text, o.amount_once, o.version, o.customer_id"
        "  FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id"
        "  LEFT JOIN crm.users u ON u.id = o.owner_id WHERE o.id = $1", id, NULL);

      g_assert_cmpuint (json_object_get_size (o), ==, crm_entity_info_n_fields (info) + 2);
      for (const CrmField *f = info->fields; f->name != NULL; f++)
        g_assert_true (json_object_has_member (o, f->name));
      g_assert_false (json_object_has_member (o, "region_id"));
      g_assert_false (json_object_has_member (o, "sync_xid"));
      g_assert_cmpstr (json_object_get_string_member (o, "customer_name"), ==, PQgetvalue (want, 0, 0));
      g_assert_cmpstr (json_object_get_string_member (o, "owner_name"), ==,
                       PQgetisnull (want, 0, 1) ? NULL : PQgetvalue (want, 0, 1));
      g_assert_cmpstr (json_object_get_string_member (o, "stage"), ==, PQgetvalue (want, 0, 2));
      g_assert_cmpint (json_object_get_int_member (o, "amount_once"), ==,
                       g_ascii_strtoll (PQgetvalue (want, 0, 3), NULL, 10));
      g_assert_cmpint (json_object_get_int_member (o, "version"), ==,
                       g_ascii_strtoll (PQgetvalue (want, 0, 4), NULL, 10));
      g_assert_cmpstr (json_object_get_string_member (o, "customer_id"), ==, home_customer);
    }
}

/* Row-level security holds: the home team's opportunity on a customer of
 * another province is in the administrator's list of the team, not in the
 * home director's; a director of another province gets nothing of the
 * home one. */
static void
test_director_sees_only_their_region (void)
{
  Ask director_team = { "director", "team", home_team, { NULL } };
  Ask admin_team = { "admin", "team", home_team, { NULL } };
  Ask other_me = { other_director, "me", NULL, { [F_CUSTOMER] = home_customer } };
  g_autoptr(GPtrArray) mine = expected_ids (&director_team, 0, FALSE);
  g_autoptr(GPtrArray) all = expected_ids (&admin_team, 0, FALSE);
  g_autoptr(GPtrArray) director_got = NULL;
  g_autoptr(GPtrArray) admin_got = NULL;
  g_autoptr(GPtrArray) other_got = NULL;
  gint64 total;

  director_got = walk_pages (&director_team, 0, FALSE, 500, &total);
  admin_got = walk_pages (&admin_team, 0, FALSE, 500, &total);
  assert_same_ids (director_got, mine, "director's team");
  assert_same_ids (admin_got, all, "administrator's team");
  g_assert_false (g_ptr_array_find_with_equal_func (director_got, outsider, g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (admin_got, outsider, g_str_equal, NULL));
  other_got = walk_pages (&other_me, 0, FALSE, 500, &total);
  g_assert_cmpuint (other_got->len, ==, 0);
  g_assert_cmpint (total, ==, 0);
}

static void
assert_refused (const char *login,
                const char *query,
                guint       status,
                const char *code)
{
  g_autofree char *token = token_of (login);
  g_autofree char *path = g_strdup_printf ("opportunities?%s", query);
  g_autoptr(Response) r = get (path, token);

  assert_error (r, status, code, "scope");
}

/* As GET /pipeline: 403 for a team or region outside the caller's, for an
 * account manager asking beyond themselves and for the roles without a
 * pipeline; 404 for a team or region that does not exist. */
static void
test_scopes_refused_as_the_pipeline (void)
{
  g_autofree char *region = g_strdup_printf ("scope=region:%s", home_region);
  g_autofree char *team = g_strdup_printf ("scope=team:%s", home_team);
  g_autofree char *city = scalar ("SELECT region_id FROM crm.users WHERE login = $1", "manager");
  g_autofree char *sub = g_strdup_printf ("scope=region:%s&stage=won", city);

  assert_refused (other_director, region, 403, "forbidden");
  assert_refused (other_director, team, 403, "forbidden");
  assert_refused (other_director, sub, 403, "forbidden");
  assert_refused ("manager", team, 403, "forbidden");
  assert_refused ("manager", region, 403, "forbidden");
  assert_refused ("marketing", "scope=me", 403, "forbidden");
  assert_refused ("service", region, 403, "forbidden");
  assert_refused ("admin", "scope=team:00000000-0000-4000-8000-000000000000", 404, "not_found");
  assert_refused ("director", "scope=region:00000000-0000-4000-8000-000000000000", 404, "not_found");
}

/* A next of one sort given to another, or to the other order. */
static char *
next_of (const char *query)
{
  g_autofree char *token = token_of ("director");
  g_autofree char *path = g_strdup_printf ("opportunities?scope=region:%s&limit=1&%s", home_region, query);
  g_autoptr(Response) r = get (path, token);

  g_assert_cmpuint (r->status, ==, 200);
  return g_strdup (json_object_get_string_member (obj (r), "next"));
}

static void
test_bad_values_are_400_naming_the_field (void)
{
  g_autofree char *amount_next = next_of ("sort=amount");
  g_autofree char *desc_next = next_of ("order=desc");
  g_autofree char *wrong_sort = g_strdup_printf ("opportunities?after=%s", amount_next);
  g_autofree char *wrong_order = g_strdup_printf ("opportunities?after=%s", desc_next);
  const struct { const char *path; const char *field; } cases[] = {
    { "opportunities?scope=everyone", "scope" },
    { "opportunities?scope=team:not-a-uuid", "scope" },
    { "opportunities?owner=42", "owner" },
    { "opportunities?team=x", "team" },
    { "opportunities?region=", "region" },
    { "opportunities?product_line=cheese", "product_line" },
    { "opportunities?amount_min=-1", "amount_min" },
    { "opportunities?amount_min=100&amount_max=99", "amount_max" },
    { "opportunities?close_from=2026-02-30", "close_from" },
    { "opportunities?close_from=2026-12-01&close_to=2026-11-30", "close_to" },
    { "opportunities?stage=", "stage" },
    { "opportunities?stage=won,", "stage" },
    { "opportunities?stage=proposal,closing", "stage" },
    { "opportunities?stage=Won", "stage" },
    { "opportunities?customer=42", "customer" },
    { "opportunities?customer=", "customer" },
    { "opportunities?sort=size", "sort" },
    { "opportunities?sort=", "sort" },
    { "opportunities?order=up", "order" },
    { "opportunities?limit=0", "limit" },
    { "opportunities?limit=501", "limit" },
    { "opportunities?limit=ten", "limit" },
    { "opportunities?after=", "after" },
    { "opportunities?after=not-a-cursor", "after" },
    /* version 1, sort 0 (expected_close) ascending, a value that is no date, an id */
    { "opportunities?after=MTBhCnRvbW9ycm93CjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA", "after" },
    { wrong_sort, "after" },
    { wrong_order, "after" },
  };
  g_autofree char *token = token_of ("director");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Response) r = get (cases[i].path, token);

      g_test_message ("%s", cases[i].path);
      assert_error (r, 400, "invalid", cases[i].field);
    }
}

static void
test_unauthenticated_is_401 (void)
{
  g_autoptr(Response) none = get ("opportunities", NULL);

  assert_error (none, 401, "unauthenticated", NULL);
}

/* Set-up ---------------------------------------------------------------------- */

static void
seed (void)
{
  const char *program = g_getenv ("KEYLINE_SERVER");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (program);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              program, "--database", conninfo, "seed", "--customers", "3000", "--seed", "7", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

/* What the sorts and scopes need beyond the seed, chosen by a hash of the
 * ids: product lines and odd amounts; some open ones of the home province
 * without an expected close date; a dozen there sharing a name, an amount
 * and the time they entered their stage; some of the home province given to its
 * director (their "me"); the outsider: an opportunity of the demo
 * manager on a customer of another province. */
static void
vary_the_data (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  const char *p[2] = { home_region, NULL };
  g_autoptr(PGresult) res = NULL;

  PQclear (query (conn, "UPDATE crm.opportunities SET"
                        " amount_once = amount_once + get_byte(decode(md5(id::text), 'hex'), 4),"
                        " product_lines = (ARRAY['{}', '{cloud}', '{cloud,idc}', '{broadband}'])"
                        "   [1 + get_byte(decode(md5(id::text), 'hex'), 3) % 4]::crm.product_category[]",
                  0, NULL));
  PQclear (query (conn, "UPDATE crm.opportunities SET expected_close = NULL WHERE id IN ("
                        " SELECT o.id FROM crm.opportunities o"
                        "  WHERE o.region_id = ANY (crm.region_subtree($1::uuid)) AND o.stage NOT IN ('won', 'lost')"
                        "  ORDER BY md5(o.id::text) LIMIT 9)", 1, p));
  PQclear (query (conn, "UPDATE crm.opportunities SET name = '同名商机', amount_once = 500000, amount_monthly = 0,"
                        " stage_changed_at = '2026-01-05 10:00:00+08' WHERE id IN ("
                        " SELECT o.id FROM crm.opportunities o WHERE o.region_id = ANY (crm.region_subtree($1::uuid))"
                        "  ORDER BY md5(o.id::text || 'same') LIMIT 12)", 1, p));
  PQclear (query (conn, "UPDATE crm.opportunities SET owner_id = (SELECT id FROM crm.users WHERE login = 'director')"
                        " WHERE id IN (SELECT o.id FROM crm.opportunities o"
                        "  WHERE o.region_id = ANY (crm.region_subtree($1::uuid))"
                        "  ORDER BY md5(o.id::text || 'director') LIMIT 15)", 1, p));
  res = query (conn, "SELECT customer_id FROM crm.opportunities"
                     " WHERE region_id = ANY (crm.region_subtree($1::uuid))"
                     " GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1", 1, p);
  home_customer = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  res = query (conn, "INSERT INTO crm.opportunities (customer_id, owner_id, name, stage, expected_close, amount_once)"
                     " SELECT c.id, u.id, '外省商机', 'proposal', current_date, 99999900"
                     "   FROM crm.customers c, crm.users u"
                     "  WHERE NOT c.region_id = ANY (crm.region_subtree($1::uuid)) AND u.login = 'manager'"
                     "  ORDER BY c.id LIMIT 1 RETURNING id", 1, p);
  outsider = g_strdup (PQgetvalue (res, 0, 0));
}

static void
open_sessions (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  const char * const logins[] = { "admin", "director", "manager", "marketing", "service", other_director };

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

static void
find_people_and_places (void)
{
  home_region = scalar ("SELECT region_id FROM crm.users WHERE login = $1", "director");
  home_team = scalar ("SELECT team_id FROM crm.users WHERE login = $1", "manager");
  director_id = scalar ("SELECT id FROM crm.users WHERE login = $1", "director");
  other_director = scalar ("SELECT login FROM crm.users WHERE role = 'director' AND login <> $1"
                           " ORDER BY login LIMIT 1", "director");
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
  find_people_and_places ();
  vary_the_data ();
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

  g_test_add_func ("/server/opportunities/seeded-data-has-ties-and-nulls", test_seeded_data_has_ties_and_nulls);
  g_test_add_func ("/server/opportunities/pages-and-total-equal-plain-sql-under-every-sort",
                   test_pages_and_total_equal_plain_sql);
  g_test_add_func ("/server/opportunities/record-is-the-entity-with-names", test_record_is_the_entity_with_names);
  g_test_add_func ("/server/opportunities/director-sees-only-their-region", test_director_sees_only_their_region);
  g_test_add_func ("/server/opportunities/scopes-refused-as-the-pipeline", test_scopes_refused_as_the_pipeline);
  g_test_add_func ("/server/opportunities/bad-values-are-400-naming-the-field",
                   test_bad_values_are_400_naming_the_field);
  g_test_add_func ("/server/opportunities/unauthenticated-is-401", test_unauthenticated_is_401);

  status = g_test_run ();
  crm_server_stop (server);
  crm_test_http_shutdown ();
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  g_free (base_url);
  return status;
}
