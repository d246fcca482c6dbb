/* GET /api/v1/pipeline, /forecast and /pipeline/analysis (issue 10) end to
 * end: an in-process keyline-server on port 0 against a throwaway database
 * seeded with `keyline-server seed`.  Every figure is checked against a
 * computation of this test's own, in plain SQL as the schema's owner (who
 * reads past nothing: it acts as the administrator, and the test names
 * the reader's scope itself), with the definitions of
 * docs/openapi.yaml. */
#define G_LOG_DOMAIN "test-server-pipeline"

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

/* The seeded people and places the tests ask about. */
static char *other_director;    /* a director of another province */
static char *home_region;       /* the demo director's province */
static char *other_region;      /* the other director's */
static char *home_team;         /* the demo account manager's team */
static char *outsider;          /* an opportunity of home_team's manager in other_region */

enum { F_OWNER, F_TEAM, F_REGION, F_PRODUCT_LINE, F_AMOUNT_MIN, F_AMOUNT_MAX, F_CLOSE_FROM, F_CLOSE_TO, N_F };

static const char * const filter_names[N_F] = {
  "owner", "team", "region", "product_line", "amount_min", "amount_max", "close_from", "close_to",
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
  return g_strconcat ("pipeline-test-token-", login, NULL);
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

static gint64
int_at (PGresult *res,
        int       row,
        int       col)
{
  return PQgetisnull (res, row, col) ? -1 : g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
}

/* A member that is a number, or -1 for null. */
static gint64
member_int_or_null (JsonObject *o,
                    const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  g_assert_nonnull (node);
  return JSON_NODE_HOLDS_NULL (node) ? -1 : json_node_get_int (node);
}

/* @numerator / @denominator to the nearest integer, halves up (both >= 0);
 * -1 when @denominator is 0. */
static gint64
divide_rounded (gint64 numerator,
                gint64 denominator)
{
  return denominator == 0 ? -1 : (2 * numerator + denominator) / (2 * denominator);
}

static gint64
permille (gint64 part,
          gint64 whole)
{
  return whole == 0 ? -1 : part * 1000 / whole;
}

/* GET @endpoint for @ask; asserts 200. */
static Response *
ask_server (const char *endpoint,
            const Ask  *ask,
            const char *period)
{
  g_autofree char *token = token_of (ask->login);
  g_autofree char *scope = g_str_equal (ask->kind, "me") ? g_strdup ("me")
                           : g_strdup_printf ("%s:%s", ask->kind, ask->id);
  g_autoptr(GString) path = g_string_new (endpoint);
  Response *r;

  g_string_append_printf (path, "?scope=%s", scope);
  for (guint i = 0; i < N_F; i++)
    if (ask->filters[i])
      g_string_append_printf (path, "&%s=%s", filter_names[i], ask->filters[i]);
  if (period)
    g_string_append_printf (path, "&period=%s", period);
  r = get (path->str, token);
  if (r->status != 200)
    g_error ("GET %s as %s: %u %s", path->str, ask->login, r->status, r->body);
  /* the scope as asked, and the transaction's time */
  g_assert_cmpstr (json_object_get_string_member (obj (r), "scope"), ==, scope);
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
                                       json_object_get_string_member (obj (r), "as_of"), 0, 0));
  return r;
}

/* The test's own computation ------------------------------------------------ */

/* The opportunities @ask counts, as the CTE "opp", over parameters:
 *   $1 the scope's region, $2 its team, $3 the caller ("me"); $4 to $11 the
 *   filters; $12 a director's region (what row-level security lets them
 *   see), $13 an account manager (the customers they own).
 * Written apart from server/sql/0015 on purpose: plain joins, IS NULL
 * tests instead of fragments, recursive CTEs instead of region_subtree(). */
#define OPP_CTE \
  "WITH RECURSIVE sub(id) AS (SELECT $1::uuid UNION SELECT r.id FROM crm.regions r JOIN sub ON r.parent_id = sub.id)," \
  " fsub(id) AS (SELECT $6::uuid UNION SELECT r.id FROM crm.regions r JOIN fsub ON r.parent_id = fsub.id)," \
  " vsub(id) AS (SELECT $12::uuid UNION SELECT r.id FROM crm.regions r JOIN vsub ON r.parent_id = vsub.id)," \
  " opp AS (SELECT o.id, o.owner_id, u.team_id AS team, o.stage, st.position, st.is_open," \
  "                o.amount_once + o.amount_monthly * o.contract_months AS amount," \
  "                coalesce(o.probability, st.default_probability) AS p, o.expected_close, o.closed_on, o.lost_reason" \
  "           FROM crm.opportunities o JOIN crm.pipeline_stages st ON st.stage = o.stage" \
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
  "            AND ($13::uuid IS NULL OR c.owner_id = $13::uuid))"
#define N_OPP_PARAMS 13

/* The parameters of OPP_CTE for @ask, then @start and @end ($14, $15). */
static void
opp_params (const Ask   *ask,
            const char  *start,
            const char  *end,
            char       **p)
{
  g_autoptr(PGconn) conn = owner_connection ();
  const char *login[1] = { ask->login };
  g_autoptr(PGresult) who = query (conn, "SELECT id, role, region_id FROM crm.users WHERE login = $1", 1, login);
  const char *role = PQgetvalue (who, 0, 1);

  memset (p, 0, sizeof (char *) * (N_OPP_PARAMS + 2));
  if (g_str_equal (ask->kind, "region"))
    p[0] = g_strdup (ask->id);
  else if (g_str_equal (ask->kind, "team"))
    p[1] = g_strdup (ask->id);
  else
    p[2] = g_strdup (PQgetvalue (who, 0, 0));
  for (guint i = 0; i < N_F; i++)
    p[3 + i] = g_strdup (ask->filters[i]);
  if (g_str_equal (role, "director"))
    p[11] = g_strdup (PQgetvalue (who, 0, 2));
  if (g_str_equal (role, "manager"))
    p[12] = g_strdup (PQgetvalue (who, 0, 0));
  p[13] = g_strdup (start);
  p[14] = g_strdup (end);
}

static void
params_free (char **p)
{
  for (guint i = 0; i < N_OPP_PARAMS + 2; i++)
    g_free (p[i]);
}

/* Board ---------------------------------------------------------------------- */

/* The board of @ask against the test's own sums; returns the server's
 * count in @stage (for tests that compare two answers). */
static gint64
check_board (const Ask  *ask,
             const char *stage)
{
  g_autoptr(Response) r = ask_server ("pipeline", ask, NULL);
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) res = NULL;
  char *p[N_OPP_PARAMS + 2];
  JsonArray *stages = json_object_get_array_member (obj (r), "stages");
  JsonObject *total = json_object_get_object_member (obj (r), "total");
  gint64 count = 0, amount = 0, weighted = 0, in_stage = -1;

  opp_params (ask, NULL, NULL, p);
  res = query (conn, OPP_CTE
               " SELECT st.stage, st.position, st.default_probability, count(opp.id),"
               "        coalesce(sum(opp.amount), 0), coalesce(sum((opp.amount * opp.p + 50) / 100), 0)"
               "   FROM crm.pipeline_stages st LEFT JOIN opp ON opp.stage = st.stage"
               "  WHERE st.is_open GROUP BY st.stage, st.position, st.default_probability ORDER BY st.position",
               N_OPP_PARAMS, (const char * const *) p);
  params_free (p);

  g_assert_cmpuint (json_array_get_length (stages), ==, PQntuples (res));
  for (int i = 0; i < PQntuples (res); i++)
    {
      JsonObject *s = json_array_get_object_element (stages, i);

      g_assert_cmpstr (json_object_get_string_member (s, "stage"), ==, PQgetvalue (res, i, 0));
      g_assert_cmpint (json_object_get_int_member (s, "position"), ==, int_at (res, i, 1));
      g_assert_cmpint (json_object_get_int_member (s, "probability"), ==, int_at (res, i, 2));
      g_assert_cmpint (json_object_get_int_member (s, "count"), ==, int_at (res, i, 3));
      g_assert_cmpint (json_object_get_int_member (s, "amount"), ==, int_at (res, i, 4));
      g_assert_cmpint (json_object_get_int_member (s, "weighted"), ==, int_at (res, i, 5));
      count += int_at (res, i, 3);
      amount += int_at (res, i, 4);
      weighted += int_at (res, i, 5);
      if (stage && g_str_equal (stage, PQgetvalue (res, i, 0)))
        in_stage = int_at (res, i, 3);
    }
  g_assert_cmpint (json_object_get_int_member (total, "count"), ==, count);
  g_assert_cmpint (json_object_get_int_member (total, "amount"), ==, amount);
  g_assert_cmpint (json_object_get_int_member (total, "weighted"), ==, weighted);
  return in_stage;
}

/* Forecast ------------------------------------------------------------------- */

enum { M_CLOSED_WON, M_COMMIT, M_BEST_CASE, M_PIPELINE, M_WEIGHTED, M_TARGET, N_M };

static const char * const money_names[N_M] = {
  "closed_won", "commit", "best_case", "pipeline", "weighted", "target",
};

/* One row's figures as this test computes them. */
typedef struct
{
  gint64   v[N_M];
  gint64   counted;    /* opportunities in the period */
  gboolean matched;    /* a row of the answer is this one */
} Figures;

static Figures *
figures_for (GHashTable *rows,
             const char *key)
{
  Figures *f = g_hash_table_lookup (rows, key);

  if (f == NULL)
    {
      f = g_new0 (Figures, 1);
      g_hash_table_insert (rows, g_strdup (key), f);
    }
  return f;
}

/* The money per row key ("none" for no team), and the totals. */
static void
forecast_money (const Ask  *ask,
                const char *start,
                const char *end,
                GHashTable *rows,
                Figures    *totals)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) res = NULL;
  char *p[N_OPP_PARAMS + 3];

  opp_params (ask, start, end, p);
  p[15] = g_strdup (ask->kind);
  res = query (conn, OPP_CTE
               " SELECT coalesce((CASE $16 WHEN 'region' THEN opp.team WHEN 'team' THEN opp.owner_id END)::text, 'none'),"
               "   coalesce(sum(amount) FILTER (WHERE stage = 'won' AND closed_on BETWEEN $14::date AND $15::date), 0),"
               "   coalesce(sum(amount) FILTER (WHERE is_open AND expected_close BETWEEN $14::date AND $15::date"
               "                                 AND p >= 75), 0),"
               "   coalesce(sum(amount) FILTER (WHERE is_open AND expected_close BETWEEN $14::date AND $15::date"
               "                                 AND p >= 50), 0),"
               "   coalesce(sum(amount) FILTER (WHERE is_open AND expected_close BETWEEN $14::date AND $15::date), 0),"
               "   coalesce(sum((amount * p + 50) / 100) FILTER (WHERE is_open"
               "                                 AND expected_close BETWEEN $14::date AND $15::date), 0),"
               "   count(*) FILTER (WHERE (stage = 'won' AND closed_on BETWEEN $14::date AND $15::date)"
               "                       OR (is_open AND expected_close BETWEEN $14::date AND $15::date))"
               "   FROM opp GROUP BY 1",
               N_OPP_PARAMS + 3, (const char * const *) p);
  params_free (p);
  g_free (p[15]);

  for (int i = 0; i < PQntuples (res); i++)
    {
      Figures *f = figures_for (rows, PQgetvalue (res, i, 0));

      for (guint m = 0; m < M_TARGET; m++)
        {
          f->v[m] = int_at (res, i, 1 + (int) m);
          totals->v[m] += f->v[m];
        }
      f->counted = int_at (res, i, 6);
    }
}

/* The targets of the scope's subject and (per row) of its teams or
 * members: 'revenue' targets whose whole period is in [start, end], less
 * those inside a longer one of the same subject (a month in its quarter). */
static void
forecast_targets (const Ask  *ask,
                  const char *subject,
                  const char *start,
                  const char *end,
                  GHashTable *rows,
                  Figures    *totals)
{
  g_autoptr(PGconn) conn = owner_connection ();
  const char *p[4] = { subject, start, end, ask->kind };
  g_autoptr(PGresult) res = query (conn,
    "WITH RECURSIVE sub(id) AS (SELECT $1::uuid UNION SELECT r.id FROM crm.regions r JOIN sub ON r.parent_id = sub.id),"
    /* the subject's targets in the period, none inside a longer one of them */
    " inside AS (SELECT * FROM crm.sales_targets WHERE metric = 'revenue'"
    "              AND period_start >= $2::date AND period_end <= $3::date),"
    " outer_only AS (SELECT t.* FROM inside t WHERE (SELECT count(*) FROM inside w"
    "                  WHERE coalesce(w.team_id, w.user_id) = coalesce(t.team_id, t.user_id)"
    "                    AND w.period_end - w.period_start > t.period_end - t.period_start"
    "                    AND w.period_start <= t.period_start AND w.period_end >= t.period_end) = 0)"
    " SELECT (CASE WHEN $4 = 'region' THEN t.team_id ELSE t.user_id END)::text, sum(t.target)"
    "   FROM outer_only t"
    "  WHERE true"
    "    AND CASE $4 WHEN 'region' THEN t.team_id IN (SELECT m.id FROM crm.teams m WHERE m.region_id IN (SELECT id FROM sub))"
    "                WHEN 'team' THEN t.user_id IN (SELECT u.id FROM crm.users u WHERE u.team_id = $1::uuid)"
    "                ELSE t.user_id = $1::uuid END"
    "  GROUP BY 1", 4, p);
  g_autoptr(PGresult) team = query (conn,
    "SELECT coalesce(sum(t.target), 0) FROM crm.sales_targets t WHERE t.team_id = $1::uuid"
    "   AND t.metric = 'revenue' AND t.period_start >= $2::date AND t.period_end <= $3::date"
    "   AND (SELECT count(*) FROM crm.sales_targets w WHERE w.team_id = t.team_id AND w.metric = 'revenue'"
    "          AND w.period_start >= $2::date AND w.period_end <= $3::date"
    "          AND w.period_end - w.period_start > t.period_end - t.period_start"
    "          AND w.period_start <= t.period_start AND w.period_end >= t.period_end) = 0", 3, p);

  for (int i = 0; i < PQntuples (res); i++)
    {
      if (!g_str_equal (ask->kind, "me"))
        figures_for (rows, PQgetvalue (res, i, 0))->v[M_TARGET] = int_at (res, i, 1);
      if (!g_str_equal (ask->kind, "team"))
        totals->v[M_TARGET] += int_at (res, i, 1);
    }
  if (g_str_equal (ask->kind, "team"))
    totals->v[M_TARGET] = int_at (team, 0, 0);
}

/* The figures of one object of the answer against @f. */
static void
assert_figures (JsonObject    *o,
                const Figures *f)
{
  gint64 target = f->v[M_TARGET];

  for (guint m = 0; m < N_M; m++)
    g_assert_cmpint (json_object_get_int_member (o, money_names[m]), ==, f->v[m]);
  g_assert_cmpint (member_int_or_null (o, "attainment"), ==, permille (f->v[M_CLOSED_WON], target));
  g_assert_cmpint (json_object_get_boolean_member (o, "behind"), ==,
                   target > 0 && f->v[M_CLOSED_WON] + f->v[M_COMMIT] < target);
}

/* A row's name: its team's or its member's, "" for no team. */
static void
assert_row_name (JsonObject *row)
{
  const char *kind = json_object_get_string_member (row, "kind");
  const char *id = json_object_get_string_member (row, "id");
  g_autofree char *name = NULL;

  if (g_str_equal (kind, "none"))
    {
      g_assert_null (id);
      g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, "");
      return;
    }
  name = scalar (g_str_equal (kind, "team") ? "SELECT name FROM crm.teams WHERE id = $1"
                                             : "SELECT display_name FROM crm.users WHERE id = $1", id);
  g_assert_cmpstr (json_object_get_string_member (row, "name"), ==, name);
}

/* The forecast of @ask for @period ([start, end]) against the test's. */
static void
check_forecast (const Ask  *ask,
                const char *period,
                const char *start,
                const char *end)
{
  g_autoptr(Response) r = ask_server ("forecast", ask, period);
  g_autoptr(GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *me = scalar ("SELECT id FROM crm.users WHERE login = $1", ask->login);
  JsonObject *p = json_object_get_object_member (obj (r), "period");
  JsonArray *answer = json_object_get_array_member (obj (r), "rows");
  Figures totals = { { 0 } }, sum = { { 0 } };
  GHashTableIter iter;
  Figures *f;
  guint expected = 0;

  g_assert_cmpstr (json_object_get_string_member (p, "label"), ==, period);
  g_assert_cmpstr (json_object_get_string_member (p, "start"), ==, start);
  g_assert_cmpstr (json_object_get_string_member (p, "end"), ==, end);
  forecast_money (ask, start, end, rows, &totals);
  forecast_targets (ask, g_str_equal (ask->kind, "me") ? me : ask->id, start, end, rows, &totals);
  assert_figures (json_object_get_object_member (obj (r), "totals"), &totals);

  for (guint i = 0; i < json_array_get_length (answer); i++)
    {
      JsonObject *row = json_array_get_object_element (answer, i);
      const char *id = json_object_get_string_member (row, "id");

      f = g_hash_table_lookup (rows, id ? id : "none");
      g_assert_nonnull (f);
      g_assert_false (f->matched);
      f->matched = TRUE;
      g_assert_cmpstr (json_object_get_string_member (row, "kind"), ==,
                       id == NULL ? "none" : g_str_equal (ask->kind, "region") ? "team" : "user");
      assert_figures (row, f);
      assert_row_name (row);
      for (guint m = 0; m < N_M; m++)
        sum.v[m] += f->v[m];
    }
  /* a row for every group with an opportunity in the period, and every
   * team (member) with a target; none for "me" */
  g_hash_table_iter_init (&iter, rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &f))
    if (f->counted > 0 || f->v[M_TARGET] > 0)
      expected++;
  g_assert_cmpuint (json_array_get_length (answer), ==, g_str_equal (ask->kind, "me") ? 0 : expected);
  /* the rows sum to the totals (and in a region, the targets too) */
  for (guint m = 0; m < N_M && !g_str_equal (ask->kind, "me"); m++)
    if (m != M_TARGET || g_str_equal (ask->kind, "region"))
      g_assert_cmpint (sum.v[m], ==, totals.v[m]);
}

/* Analysis ------------------------------------------------------------------- */

static void
check_analysis_stages (JsonObject  *answer,
                       const char **p)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) res = query (conn, OPP_CTE ","
    " h AS (SELECT h.* FROM crm.opportunity_stage_history h WHERE h.opportunity_id IN (SELECT id FROM opp))"
    " SELECT st.stage,"
    "   (SELECT count(DISTINCT h.opportunity_id) FROM h WHERE h.to_stage = st.stage),"
    "   (SELECT count(*) FROM (SELECT DISTINCT ON (h.opportunity_id) h.opportunity_id, h.changed_at, h.id FROM h"
    "                            WHERE h.to_stage = st.stage ORDER BY h.opportunity_id, h.changed_at, h.id) e"
    "     WHERE EXISTS (SELECT 1 FROM h h2 JOIN crm.pipeline_stages s2 ON s2.stage = h2.to_stage"
    "                    WHERE h2.opportunity_id = e.opportunity_id AND (h2.changed_at, h2.id) > (e.changed_at, e.id)"
    "                      AND s2.position > st.position AND h2.to_stage <> 'lost')),"
    "   (SELECT round(avg(extract(epoch FROM nx.changed_at - h.changed_at)) / 8640) FROM h"
    "      CROSS JOIN LATERAL (SELECT h3.changed_at FROM h h3 WHERE h3.opportunity_id = h.opportunity_id"
    "                            AND (h3.changed_at, h3.id) > (h.changed_at, h.id)"
    "                          ORDER BY h3.changed_at, h3.id LIMIT 1) nx"
    "     WHERE h.to_stage = st.stage)"
    "   FROM crm.pipeline_stages st WHERE st.is_open ORDER BY st.position", N_OPP_PARAMS, p);
  JsonArray *stages = json_object_get_array_member (answer, "stages");

  g_assert_cmpuint (json_array_get_length (stages), ==, PQntuples (res));
  for (int i = 0; i < PQntuples (res); i++)
    {
      JsonObject *s = json_array_get_object_element (stages, i);

      g_assert_cmpstr (json_object_get_string_member (s, "stage"), ==, PQgetvalue (res, i, 0));
      g_assert_cmpint (json_object_get_int_member (s, "entered"), ==, int_at (res, i, 1));
      g_assert_cmpint (json_object_get_int_member (s, "advanced"), ==, int_at (res, i, 2));
      g_assert_cmpint (member_int_or_null (s, "conversion"), ==, permille (int_at (res, i, 2), int_at (res, i, 1)));
      g_assert_cmpint (member_int_or_null (s, "avg_days"), ==, int_at (res, i, 3));
    }
}

/* The last four quarters, won and lost, and the lost reasons. */
static void
check_analysis_quarters (JsonObject  *answer,
                         const char **p)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) res = query (conn, OPP_CTE ","
    " q AS (SELECT (date_trunc('quarter', current_date) - make_interval(months => 3 * i))::date AS q"
    "         FROM generate_series(0, 3) i)"
    " SELECT to_char(q.q, 'YYYY-\"Q\"Q'), count(opp.id) FILTER (WHERE opp.stage = 'won'),"
    "        coalesce(sum(opp.amount) FILTER (WHERE opp.stage = 'won'), 0), count(opp.id) FILTER (WHERE opp.stage = 'lost')"
    "   FROM q LEFT JOIN opp ON opp.stage IN ('won', 'lost') AND opp.closed_on >= q.q"
    "                       AND opp.closed_on < q.q + interval '3 months'"
    "  GROUP BY q.q ORDER BY q.q", N_OPP_PARAMS, p);
  g_autoptr(PGresult) reasons = query (conn, OPP_CTE
    " SELECT lost_reason, count(*), sum(amount) FROM opp WHERE stage = 'lost'"
    "    AND closed_on >= date_trunc('quarter', current_date) - interval '9 months'"
    "    AND closed_on < date_trunc('quarter', current_date) + interval '3 months'"
    "  GROUP BY lost_reason ORDER BY count(*) DESC, sum(amount) DESC, lost_reason", N_OPP_PARAMS, p);
  JsonArray *quarters = json_object_get_array_member (answer, "quarters");
  JsonArray *lost = json_object_get_array_member (answer, "lost_reasons");
  gint64 won = 0, won_amount = 0, closed = 0;

  g_assert_cmpuint (json_array_get_length (quarters), ==, 4);
  for (int i = 0; i < 4; i++)
    {
      JsonObject *q = json_array_get_object_element (quarters, i);
      gint64 w = int_at (res, i, 1), a = int_at (res, i, 2), l = int_at (res, i, 3);

      g_assert_cmpstr (json_object_get_string_member (q, "quarter"), ==, PQgetvalue (res, i, 0));
      g_assert_cmpint (json_object_get_int_member (q, "won_count"), ==, w);
      g_assert_cmpint (json_object_get_int_member (q, "won_amount"), ==, a);
      g_assert_cmpint (json_object_get_int_member (q, "lost_count"), ==, l);
      g_assert_cmpint (member_int_or_null (q, "win_rate"), ==, permille (w, w + l));
      g_assert_cmpint (member_int_or_null (q, "avg_deal_size"), ==, divide_rounded (a, w));
      won += w, won_amount += a, closed += w + l;
    }
  g_assert_cmpint (member_int_or_null (answer, "win_rate"), ==, permille (won, closed));
  g_assert_cmpint (member_int_or_null (answer, "avg_deal_size"), ==, divide_rounded (won_amount, won));

  g_assert_cmpuint (json_array_get_length (lost), ==, PQntuples (reasons));
  for (int i = 0; i < PQntuples (reasons); i++)
    {
      JsonObject *o = json_array_get_object_element (lost, i);

      g_assert_cmpstr (json_object_get_string_member (o, "reason"), ==, PQgetvalue (reasons, i, 0));
      g_assert_cmpint (json_object_get_int_member (o, "count"), ==, int_at (reasons, i, 1));
      g_assert_cmpint (json_object_get_int_member (o, "amount"), ==, int_at (reasons, i, 2));
    }
}

static void
check_analysis (const Ask *ask)
{
  g_autoptr(Response) r = ask_server ("pipeline/analysis", ask, NULL);
  char *p[N_OPP_PARAMS + 2];

  opp_params (ask, NULL, NULL, p);
  check_analysis_stages (obj (r), (const char **) p);
  check_analysis_quarters (obj (r), (const char **) p);
  params_free (p);
}

/* Periods -------------------------------------------------------------------- */

/* This month, quarter and year: label, first day, last day. */
static PGresult *
current_periods (PGconn *conn)
{
  return query (conn,
                "SELECT to_char(current_date, 'YYYY-MM'), date_trunc('month', current_date)::date,"
                "       (date_trunc('month', current_date) + interval '1 month - 1 day')::date"
                " UNION ALL SELECT to_char(current_date, 'YYYY-\"Q\"Q'), date_trunc('quarter', current_date)::date,"
                "       (date_trunc('quarter', current_date) + interval '3 months - 1 day')::date"
                " UNION ALL SELECT to_char(current_date, 'YYYY'), date_trunc('year', current_date)::date,"
                "       (date_trunc('year', current_date) + interval '1 year - 1 day')::date",
                0, NULL);
}

/* The questions the figure tests ask: every scope a role may ask for,
 * alone and with filters. */
static GPtrArray *
asks (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) when = current_periods (conn);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *quarter_start = PQgetvalue (when, 1, 1), *quarter_end = PQgetvalue (when, 1, 2);
  g_autofree char *colleague = scalar ("SELECT u.id FROM crm.users u JOIN crm.users m ON m.team_id = u.team_id"
                                       " WHERE m.login = $1 AND u.role = 'manager'"
                                       " ORDER BY u.id = m.id, u.id LIMIT 1", "manager");
  g_autofree char *city = scalar ("SELECT region_id FROM crm.users WHERE login = $1", "manager");
  Ask all[] = {
    { "director", "region", home_region, { NULL } },
    { "director", "team", home_team, { NULL } },
    { "director", "me", NULL, { NULL } },
    { "manager", "me", NULL, { NULL } },
    { "admin", "region", other_region, { NULL } },
    { "admin", "team", home_team, { NULL } },
    { "director", "region", home_region, { NULL, NULL, city, "cloud", NULL, NULL, NULL, NULL } },
    { "director", "region", home_region, { NULL, home_team, NULL, NULL, "1000000", "90000000", NULL, NULL } },
    { "director", "team", home_team, { colleague, NULL, NULL, NULL, NULL, NULL, quarter_start, quarter_end } },
    { "manager", "me", NULL, { NULL, NULL, NULL, "broadband", NULL, "50000000", NULL, NULL } },
    { "admin", "region", home_region, { NULL, NULL, NULL, NULL, "500000", NULL, quarter_start, NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      Ask *a = g_new0 (Ask, 1);

      *a = all[i];
      /* the strings live as long as the test program: keep copies */
      a->id = g_intern_string (a->id);
      for (guint f = 0; f < N_F; f++)
        a->filters[f] = g_intern_string (a->filters[f]);
      g_ptr_array_add (out, a);
    }
  return out;
}

/* Tests ---------------------------------------------------------------------- */

static void
test_board_totals_equal_plain_sql (void)
{
  g_autoptr(GPtrArray) all = asks ();

  for (guint i = 0; i < all->len; i++)
    check_board (all->pdata[i], NULL);
}

static void
test_forecast_equals_plain_sql (void)
{
  g_autoptr(GPtrArray) all = asks ();
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) when = current_periods (conn);

  for (guint i = 0; i < all->len; i++)
    for (int k = 0; k < PQntuples (when); k++)
      check_forecast (all->pdata[i], PQgetvalue (when, k, 0), PQgetvalue (when, k, 1), PQgetvalue (when, k, 2));
}

static void
test_analysis_equals_plain_sql (void)
{
  g_autoptr(GPtrArray) all = asks ();

  for (guint i = 0; i < all->len; i++)
    check_analysis (all->pdata[i]);
}

/* The data is rich enough for the figures to prove something: both
 * default and own probabilities, several contract lengths, opportunities
 * without an owner (the "none" row), a team behind its target, targets
 * nested in one another (months in their quarter). */
static void
test_seeded_data_has_every_case (void)
{
  g_autofree char *variety = scalar ("SELECT count(*) FILTER (WHERE probability IS NULL) > 0"
                                     " AND count(*) FILTER (WHERE probability IS NOT NULL) > 0"
                                     " AND count(DISTINCT contract_months) > 1"
                                     " AND count(*) FILTER (WHERE owner_id IS NULL) > 0"
                                     " AND count(*) FILTER (WHERE product_lines <> '{}') > 0"
                                     " FROM crm.opportunities", NULL);
  g_autofree char *year = scalar ("SELECT to_char(current_date, 'YYYY')", NULL);
  g_autofree char *nested = scalar ("SELECT count(*) > 0 FROM crm.sales_targets t JOIN crm.sales_targets q"
                                    "    ON q.user_id = t.user_id AND q.period_start <= t.period_start"
                                    "   AND q.period_end >= t.period_end AND q.period_end - q.period_start"
                                    "     > t.period_end - t.period_start"
                                    " WHERE t.metric = 'revenue' AND q.metric = 'revenue'", NULL);
  Ask ask = { "director", "region", home_region, { NULL } };
  g_autoptr(Response) r = ask_server ("forecast", &ask, year);
  JsonArray *rows = json_object_get_array_member (obj (r), "rows");
  gboolean has_none = FALSE, has_behind = FALSE, has_team = FALSE;

  g_assert_cmpstr (variety, ==, "t");
  g_assert_cmpstr (nested, ==, "t");
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      has_none |= g_str_equal (json_object_get_string_member (row, "kind"), "none");
      has_team |= g_str_equal (json_object_get_string_member (row, "kind"), "team");
      has_behind |= json_object_get_boolean_member (row, "behind");
    }
  g_assert_true (has_none);
  g_assert_true (has_team);
  g_assert_true (has_behind);
}

/* Row-level security holds: an opportunity of a home-team member on a
 * customer of another province counts for the administrator's answer
 * about the team, not for the home director's. */
static void
test_director_answer_excludes_other_regions (void)
{
  Ask director_team = { "director", "team", home_team, { NULL } };
  Ask admin_team = { "admin", "team", home_team, { NULL } };
  Ask director_region = { "director", "region", home_region, { NULL } };
  Ask admin_region = { "admin", "region", home_region, { NULL } };
  g_autofree char *stage = scalar ("SELECT stage::text FROM crm.opportunities WHERE id = $1", outsider);

  g_assert_cmpint (check_board (&admin_team, stage), ==, check_board (&director_team, stage) + 1);
  g_assert_cmpint (check_board (&admin_region, stage), ==, check_board (&director_region, stage));
}

static void
assert_refused (const char *login,
                const char *query,
                guint       status,
                const char *code)
{
  static const char * const endpoints[] = { "pipeline", "forecast", "pipeline/analysis" };
  g_autofree char *token = token_of (login);

  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s?%s&period=2026-Q4", endpoints[i], query);
      g_autoptr(Response) r = get (path, token);

      assert_error (r, status, code, "scope");
    }
}

static void
test_director_outside_the_region_is_403 (void)
{
  g_autofree char *region = g_strdup_printf ("scope=region:%s", home_region);
  g_autofree char *team = g_strdup_printf ("scope=team:%s", home_team);
  g_autofree char *city = scalar ("SELECT region_id FROM crm.users WHERE login = $1", "manager");
  g_autofree char *sub = g_strdup_printf ("scope=region:%s", city);

  assert_refused (other_director, region, 403, "forbidden");
  assert_refused (other_director, team, 403, "forbidden");
  assert_refused (other_director, sub, 403, "forbidden");
}

static void
test_manager_asking_for_a_team_or_region_is_403 (void)
{
  g_autofree char *region = g_strdup_printf ("scope=region:%s", home_region);
  g_autofree char *team = g_strdup_printf ("scope=team:%s", home_team);

  assert_refused ("manager", team, 403, "forbidden");
  assert_refused ("manager", region, 403, "forbidden");
}

static void
test_marketing_and_service_are_403 (void)
{
  g_autofree char *region = g_strdup_printf ("scope=region:%s", home_region);

  assert_refused ("marketing", "scope=me", 403, "forbidden");
  assert_refused ("service", "scope=me", 403, "forbidden");
  assert_refused ("service", region, 403, "forbidden");
}

static void
test_unknown_team_or_region_is_404 (void)
{
  assert_refused ("admin", "scope=team:00000000-0000-4000-8000-000000000000", 404, "not_found");
  assert_refused ("director", "scope=region:00000000-0000-4000-8000-000000000000", 404, "not_found");
}

static void
test_bad_values_are_400_naming_the_field (void)
{
  static const struct { const char *path; const char *field; } cases[] = {
    { "pipeline?scope=everyone", "scope" },
    { "pipeline?scope=team:", "scope" },
    { "pipeline?scope=team:not-a-uuid", "scope" },
    { "pipeline?scope=regions:00000000-0000-4000-8000-000000000000", "scope" },
    { "pipeline?owner=42", "owner" },
    { "pipeline?team=x", "team" },
    { "pipeline?region=", "region" },
    { "pipeline?product_line=cheese", "product_line" },
    { "pipeline?amount_min=-1", "amount_min" },
    { "pipeline?amount_max=1.5", "amount_max" },
    { "pipeline?amount_min=100&amount_max=99", "amount_max" },
    { "pipeline/analysis?close_from=2026-02-30", "close_from" },
    { "pipeline?close_to=tomorrow", "close_to" },
    { "pipeline?close_from=2026-12-01&close_to=2026-11-30", "close_to" },
    { "forecast", "period" },
    { "forecast?period=", "period" },
    { "forecast?period=2026-13", "period" },
    { "forecast?period=2026-Q5", "period" },
    { "forecast?period=2026-Q", "period" },
    { "forecast?period=26", "period" },
    { "forecast?period=2026-1", "period" },
    { "forecast?period=%2B026", "period" },
    { "forecast?period=2026-Q4&scope=me:x", "scope" },
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
  g_autoptr(Response) none = get ("pipeline", NULL);
  g_autoptr(Response) bad = get ("forecast?period=2026", "no-such-session-token-at-all");

  assert_error (none, 401, "unauthenticated", NULL);
  assert_error (bad, 401, "unauthenticated", NULL);
}

/* Two copies of one opportunity move it from the same stage: the first
 * move applies; the second, made on the stale copy, is refused whole
 * through POST /mutations (412: the stage changed meanwhile; the write
 * path merges by field, see crm-handler-mutations.c) and the board counts
 * the first move only. */
static void
test_stale_stage_move_is_refused_and_the_board_counts_the_first (void)
{
  g_autofree char *manager = token_of ("manager");
  g_autofree char *director = token_of ("director");
  Ask mine = { "manager", "me", NULL, { NULL } };
  gint64 proposal = check_board (&mine, "proposal"), negotiation = check_board (&mine, "negotiation");
  g_autofree char *id = scalar ("INSERT INTO crm.opportunities (customer_id, owner_id, name, stage, expected_close,"
                                "                               amount_once)"
                                " SELECT c.id, c.owner_id, '并发测试', 'proposal', current_date, 100000"
                                "   FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                "  WHERE u.login = $1 ORDER BY c.id LIMIT 1 RETURNING id", "manager");
  g_autofree char *key_1 = g_uuid_string_random (), *key_2 = g_uuid_string_random ();
  g_autofree char *first = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"opportunity\",\"op\":\"update\",\"id\":\"%s\","
                                            "\"base_version\":1,\"fields\":{\"stage\":\"negotiation\"},"
                                            "\"base\":{\"stage\":\"proposal\"}}", key_1, id);
  g_autofree char *stale = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"opportunity\",\"op\":\"update\",\"id\":\"%s\","
                                            "\"base_version\":1,\"fields\":{\"stage\":\"won\"},"
                                            "\"base\":{\"stage\":\"proposal\"}}", key_2, id);
  g_autoptr(Response) a = NULL, b = NULL;
  g_autofree char *after = NULL;
  JsonObject *conflict;

  g_assert_cmpint (check_board (&mine, "proposal"), ==, proposal + 1);
  a = post_json ("mutations", director, first);
  b = post_json ("mutations", manager, stale);
  g_assert_cmpuint (a->status, ==, 200);
  assert_error (b, 412, "precondition_failed", "stage");
  conflict = json_array_get_object_element (json_object_get_array_member (obj (b), "conflicts"), 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "theirs"), ==, "negotiation");
  g_assert_cmpstr (json_object_get_string_member (conflict, "mine"), ==, "won");
  after = scalar ("SELECT o.stage || ' ' || o.version || ' ' || (SELECT string_agg(h.to_stage::text, ',')"
                  "  FROM crm.opportunity_stage_history h WHERE h.opportunity_id = o.id)"
                  "  FROM crm.opportunities o WHERE o.id = $1", id);
  g_assert_cmpstr (after, ==, "negotiation 2 negotiation");
  g_assert_cmpint (check_board (&mine, "proposal"), ==, proposal);
  g_assert_cmpint (check_board (&mine, "negotiation"), ==, negotiation + 1);
}

/* A customer moved to another province takes its opportunities along: the
 * opportunity's region_id (0019), which the director's read policy and the
 * region scope read, is kept by triggers.  Each province's board equals
 * the plain SQL (which goes through the customers) before, after and back;
 * the moved customer's open opportunities leave one director's board for
 * the other's, and their versions do not change (not a change of the
 * opportunity).  A write of region_id itself does not stick: it is the
 * customer's. */
static void
test_opportunity_region_follows_its_customer (void)
{
  Ask home = { "director", "region", home_region, { NULL } };
  Ask other = { other_director, "region", other_region, { NULL } };
  g_autoptr(PGconn) conn = owner_connection ();
  g_autofree char *opportunity = scalar ("SELECT o.id FROM crm.opportunities o"
                                         "  JOIN crm.customers c ON c.id = o.customer_id"
                                         " WHERE c.region_id = ANY (crm.region_subtree($1::uuid))"
                                         "   AND o.stage = 'proposal' AND o.owner_id IS NOT NULL"
                                         " ORDER BY o.id LIMIT 1", home_region);
  g_autofree char *customer = scalar ("SELECT customer_id FROM crm.opportunities WHERE id = $1", opportunity);
  g_autofree char *city = scalar ("SELECT region_id FROM crm.customers WHERE id = $1", customer);
  g_autofree char *open = scalar ("SELECT count(*) FROM crm.opportunities WHERE customer_id = $1 AND stage = 'proposal'",
                                  customer);
  g_autofree char *versions = scalar ("SELECT string_agg(version::text, ',' ORDER BY id) FROM crm.opportunities"
                                      " WHERE customer_id = $1", customer);
  const char *moved[2] = { customer, other_region };
  const char *back[2] = { customer, city };
  const char *written[2] = { opportunity, city };
  gint64 n = g_ascii_strtoll (open, NULL, 10);
  gint64 home_before = check_board (&home, "proposal"), other_before = check_board (&other, "proposal");
  g_autofree char *after_versions = NULL, *kept = NULL, *apart = NULL;

  g_assert_cmpint (n, >, 0);
  PQclear (query (conn, "UPDATE crm.customers SET region_id = $2 WHERE id = $1", 2, moved));
  apart = scalar ("SELECT count(*) FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id"
                  " WHERE o.customer_id = $1 AND o.region_id IS DISTINCT FROM c.region_id", customer);
  g_assert_cmpstr (apart, ==, "0");
  kept = scalar ("SELECT region_id FROM crm.opportunities WHERE id = $1", opportunity);
  g_assert_cmpstr (kept, ==, other_region);
  after_versions = scalar ("SELECT string_agg(version::text, ',' ORDER BY id) FROM crm.opportunities"
                           " WHERE customer_id = $1", customer);
  g_assert_cmpstr (after_versions, ==, versions);
  g_assert_cmpint (check_board (&home, "proposal"), ==, home_before - n);
  g_assert_cmpint (check_board (&other, "proposal"), ==, other_before + n);

  /* region_id written on its own is the customer's again */
  PQclear (query (conn, "UPDATE crm.opportunities SET region_id = $2 WHERE id = $1", 2, written));
  g_clear_pointer (&kept, g_free);
  kept = scalar ("SELECT region_id FROM crm.opportunities WHERE id = $1", opportunity);
  g_assert_cmpstr (kept, ==, other_region);

  /* and back */
  PQclear (query (conn, "UPDATE crm.customers SET region_id = $2 WHERE id = $1", 2, back));
  g_clear_pointer (&kept, g_free);
  kept = scalar ("SELECT region_id FROM crm.opportunities WHERE id = $1", opportunity);
  g_assert_cmpstr (kept, ==, city);
  g_assert_cmpint (check_board (&home, "proposal"), ==, home_before);
  g_assert_cmpint (check_board (&other, "proposal"), ==, other_before);
}

/* A session of @login with @token, as open_sessions() makes them. */
static void
open_session_with (const char *login,
                   const char *token)
{
  g_autoptr(PGconn) conn = owner_connection ();
  g_autoptr(PGresult) res = crm_test_pg_query (conn,
                                               "SELECT crm.open_session(u.id, sha256(convert_to($1, 'UTF8')),"
                                               "                        interval '1 hour', NULL)"
                                               "  FROM crm.users u WHERE u.login = $2",
                                               token, login);

  g_assert_cmpint (PQntuples (res), ==, 1);
}

static char *
stage_move (const char *key,
            const char *id,
            const char *to)
{
  return g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"opportunity\",\"op\":\"update\",\"id\":\"%s\","
                          "\"base_version\":1,\"fields\":{\"stage\":\"%s\"},\"base\":{\"stage\":\"proposal\"}}",
                          key, id, to);
}

/* Two sessions of one account manager (laptop and desktop) move the same
 * opportunity from the same base, proposal: the first move applies; the
 * second is 412 precondition_failed with exactly the body of a field
 * conflict (the error naming the stage, the record as it is now, and the
 * stage's base, mine and theirs), writes nothing, and its retry with the
 * same key gets the same answer. */
static void
test_two_sessions_moving_from_one_base_the_second_is_412 (void)
{
  g_autofree char *laptop = token_of ("manager");
  const char *desktop = "pipeline-test-token-manager-desktop";
  g_autofree char *id = scalar ("INSERT INTO crm.opportunities (customer_id, owner_id, name, stage, expected_close,"
                                "                               amount_once)"
                                " SELECT c.id, c.owner_id, '两台设备', 'proposal', current_date, 200000"
                                "   FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                "  WHERE u.login = $1 ORDER BY c.id DESC LIMIT 1 RETURNING id", "manager");
  g_autofree char *key_1 = g_uuid_string_random (), *key_2 = g_uuid_string_random ();
  g_autofree char *first = stage_move (key_1, id, "negotiation");
  g_autofree char *second = stage_move (key_2, id, "won");
  g_autoptr(Response) a = NULL, b = NULL, b_again = NULL;
  g_autofree char *after = NULL;
  JsonObject *record, *conflict;
  JsonArray *conflicts;

  open_session_with ("manager", desktop);
  a = post_json ("mutations", laptop, first);
  b = post_json ("mutations", desktop, second);
  b_again = post_json ("mutations", desktop, second);
  g_assert_cmpuint (a->status, ==, 200);
  assert_error (b, 412, "precondition_failed", "stage");
  /* error, record, conflicts: the body a field conflict had as a 409 */
  g_assert_cmpuint (json_object_get_size (obj (b)), ==, 3);
  record = json_object_get_object_member (obj (b), "record");
  g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (record, "stage"), ==, "negotiation");
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 2);
  conflicts = json_object_get_array_member (obj (b), "conflicts");
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  conflict = json_array_get_object_element (conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "stage");
  g_assert_cmpstr (json_object_get_string_member (conflict, "base"), ==, "proposal");
  g_assert_cmpstr (json_object_get_string_member (conflict, "mine"), ==, "won");
  g_assert_cmpstr (json_object_get_string_member (conflict, "theirs"), ==, "negotiation");
  /* kept for a retry: the same status and body */
  g_assert_cmpuint (b_again->status, ==, 412);
  g_assert_cmpstr (b_again->body, ==, b->body);
  after = scalar ("SELECT o.stage || ' ' || o.version || ' ' || (SELECT string_agg(h.to_stage::text, ',')"
                  "  FROM crm.opportunity_stage_history h WHERE h.opportunity_id = o.id)"
                  "  FROM crm.opportunities o WHERE o.id = $1", id);
  g_assert_cmpstr (after, ==, "negotiation 2 negotiation");
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
                              program, "--database", conninfo, "seed", "--customers", "3000", "--seed", "5", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

/* Spreads what the figures depend on over the seeded opportunities, by a
 * hash of their ids: a third keep their stage's probability, a third
 * have their own; contract lengths of 1 to 36 months; odd fen (so that
 * weighted amounts round); product lines;
 * some of the home province's without an owner.  Then the outsider. */
static void
vary_the_data (void)
{
  g_autoptr(PGconn) conn = owner_connection ();
  const char *p[2] = { home_region, other_region };
  g_autoptr(PGresult) res = NULL;

  PQclear (query (conn, "UPDATE crm.opportunities SET"
                        " probability = CASE get_byte(decode(md5(id::text), 'hex'), 0) % 3"
                        "   WHEN 0 THEN NULL WHEN 1 THEN get_byte(decode(md5(id::text), 'hex'), 1) % 101"
                        "   ELSE probability END,"
                        " contract_months = 1 + get_byte(decode(md5(id::text), 'hex'), 2) % 36,"
                        " amount_once = amount_once + get_byte(decode(md5(id::text), 'hex'), 4),"
                        " product_lines = (ARRAY['{}', '{cloud}', '{cloud,idc}', '{broadband}'])"
                        "   [1 + get_byte(decode(md5(id::text), 'hex'), 3) % 4]::crm.product_category[]",
                  0, NULL));
  PQclear (query (conn, "UPDATE crm.opportunities SET owner_id = NULL WHERE id IN ("
                        " SELECT o.id FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id"
                        "  WHERE c.region_id = ANY (crm.region_subtree($1::uuid))"
                        "    AND ((o.stage = 'won' AND o.closed_on >= date_trunc('year', current_date))"
                        "         OR o.stage NOT IN ('won', 'lost'))"
                        "  ORDER BY md5(o.id::text) LIMIT 12)", 1, p));
  res = query (conn, "INSERT INTO crm.opportunities (customer_id, owner_id, name, stage, expected_close, amount_once)"
                     " SELECT c.id, u.id, '外省商机', 'proposal', current_date, 99999900"
                     "   FROM crm.customers c, crm.users u"
                     "  WHERE c.region_id = ANY (crm.region_subtree($1::uuid)) AND u.login = 'manager'"
                     "  ORDER BY c.id LIMIT 1 RETURNING id", 1, p + 1);
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
  other_director = scalar ("SELECT login FROM crm.users WHERE role = 'director' AND login <> $1"
                           " ORDER BY login LIMIT 1", "director");
  other_region = scalar ("SELECT region_id FROM crm.users WHERE login = $1", other_director);
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

  g_test_add_func ("/server/pipeline/seeded-data-has-every-case", test_seeded_data_has_every_case);
  g_test_add_func ("/server/pipeline/board/totals-equal-plain-sql", test_board_totals_equal_plain_sql);
  g_test_add_func ("/server/pipeline/forecast/figures-equal-plain-sql", test_forecast_equals_plain_sql);
  g_test_add_func ("/server/pipeline/analysis/figures-equal-plain-sql", test_analysis_equals_plain_sql);
  g_test_add_func ("/server/pipeline/director-answer-excludes-other-regions",
                   test_director_answer_excludes_other_regions);
  g_test_add_func ("/server/pipeline/director-outside-the-region-is-403", test_director_outside_the_region_is_403);
  g_test_add_func ("/server/pipeline/manager-asking-for-a-team-or-region-is-403",
                   test_manager_asking_for_a_team_or_region_is_403);
  g_test_add_func ("/server/pipeline/marketing-and-service-are-403", test_marketing_and_service_are_403);
  g_test_add_func ("/server/pipeline/unknown-team-or-region-is-404", test_unknown_team_or_region_is_404);
  g_test_add_func ("/server/pipeline/bad-values-are-400-naming-the-field", test_bad_values_are_400_naming_the_field);
  g_test_add_func ("/server/pipeline/unauthenticated-is-401", test_unauthenticated_is_401);
  g_test_add_func ("/server/pipeline/opportunity-region-follows-its-customer",
                   test_opportunity_region_follows_its_customer);
  g_test_add_func ("/server/pipeline/two-sessions-moving-from-one-base-the-second-is-412",
                   test_two_sessions_moving_from_one_base_the_second_is_412);
  g_test_add_func ("/server/pipeline/stale-stage-move-is-refused-and-the-board-counts-the-first",
                   test_stale_stage_move_is_refused_and_the_board_counts_the_first);

  status = g_test_run ();
  crm_server_stop (server);
  crm_test_http_shutdown ();
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  g_free (base_url);
  return status;
}
