/* The demo data generator and `user add`, run as the real binary
 * (KEYLINE_SERVER) against throwaway databases. */
#define G_LOG_DOMAIN "test-server-seed"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-migrate.h"
#include "crm-test-pg.h"

#define SMALL "400"

static const char *
server_binary (void)
{
  const char *path = g_getenv ("KEYLINE_SERVER");

  g_assert_nonnull (path);
  return path;
}

/* Runs keyline-server with @conninfo and the NULL-terminated arguments,
 * feeding @input to its standard input; returns the exit status. */
static int
run_server (const char  *conninfo,
            const char  *input,
            char       **out,
            ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) server_binary ());
  g_ptr_array_add (argv, (char *) "--database");
  g_ptr_array_add (argv, (char *) conninfo);
  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, out, &err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_test_message ("exit %d: %s", g_subprocess_get_exit_status (process), err);
  return g_subprocess_get_exit_status (process);
}

static char *
scalar (const char *conninfo,
        const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = crm_pg_connect_blocking (conninfo, &error);
  g_autoptr(PGresult) res = NULL;

  g_assert_no_error (error);
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  return g_strdup (PQgetvalue (res, 0, 0));
}

static gint64
count (const char *conninfo,
       const char *sql)
{
  g_autofree char *value = scalar (conninfo, sql);

  return g_ascii_strtoll (value, NULL, 10);
}

/* What the seed decides, without the timestamps of the run. */
static char *
fingerprint (const char *conninfo)
{
  return scalar (conninfo,
                 "SELECT md5(concat_ws('/',"
                 " (SELECT string_agg(concat_ws(',', id, name, name_en, kind, industry, region_id, tier, owner_id,"
                 "                              status, credit_rating, monthly_revenue, arrears, churn_risk), ';' ORDER BY id)"
                 "    FROM crm.customers),"
                 " (SELECT string_agg(concat_ws(',', id, customer_id, name, mobile, email), ';' ORDER BY id) FROM crm.contacts),"
                 " (SELECT string_agg(concat_ws(',', customer_id, month, revenue, arrears, usage_index), ';'"
                 "                    ORDER BY customer_id, month) FROM crm.revenue_months),"
                 " (SELECT string_agg(concat_ws(',', id, customer_id, stage, amount_once, amount_monthly, probability,"
                 "                              product_lines, contract_months, source, campaign_id, next_step,"
                 "                              stage_changed_at), ';' ORDER BY id)"
                 "    FROM crm.opportunities),"
                 " (SELECT string_agg(concat_ws(',', id, user_id, team_id, period_start, period_end, metric, target), ';'"
                 "                    ORDER BY id) FROM crm.sales_targets),"
                 " (SELECT string_agg(concat_ws(',', id, login, role, team_id), ';' ORDER BY id) FROM crm.users)))");
}

static void
test_seed_is_deterministic_and_fills_every_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = crm_test_pg_create_database (&error);
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *out = NULL;
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;
  g_autofree char *fc = NULL;
  const char *tables[] = {
    "regions", "teams", "users", "products", "customers", "contacts", "subscriptions", "revenue_months",
    "interactions", "opportunities", "opportunity_stage_history", "sales_targets", "segments", "campaigns",
    "campaign_members", "service_requests", "service_steps",
  };

  g_assert_no_error (error);
  b = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  c = crm_test_pg_create_database (&error);
  g_assert_no_error (error);

  g_assert_cmpint (run_server (a, NULL, &out, "seed", "--customers", SMALL, "--seed", "7", NULL), ==, 0);
  /* the demo logins are printed */
  for (guint i = 0; i < 5; i++)
    {
      const char *login[] = { "admin", "director", "manager", "marketing", "service" };
      g_assert_nonnull (strstr (out, login[i]));
    }
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_server (b, NULL, NULL, "seed", "--customers", SMALL, "--seed", "7", NULL), ==, 0);
  g_assert_cmpint (run_server (c, NULL, NULL, "seed", "--customers", SMALL, "--seed", "8", NULL), ==, 0);

  fa = fingerprint (a);
  fb = fingerprint (b);
  fc = fingerprint (c);
  g_assert_cmpstr (fa, ==, fb);
  g_assert_cmpstr (fa, !=, fc);

  g_assert_cmpint (count (a, "SELECT count(*) FROM crm.customers"), ==, 400);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM crm.%s", tables[i]);
      gint64 n = count (a, sql);

      g_test_message ("%s: %" G_GINT64_FORMAT, tables[i], n);
      g_assert_cmpint (n, >, 0);
    }

  /* 24 months of revenue for a customer who was active all along */
  g_assert_cmpint (count (a, "SELECT max(n) FROM (SELECT count(*) n FROM crm.revenue_months GROUP BY customer_id) m"),
                   ==, 24);
  /* every status and every opportunity stage occurs */
  g_assert_cmpint (count (a, "SELECT count(DISTINCT status) FROM crm.customers"), ==, 3);
  g_assert_cmpint (count (a, "SELECT count(DISTINCT stage) FROM crm.opportunities"), ==,
                   count (a, "SELECT count(*) FROM unnest(enum_range(NULL::crm.opportunity_stage))"));
  /* contacts' mobiles are valid mainland numbers */
  g_assert_cmpint (count (a, "SELECT count(*) FROM crm.contacts WHERE mobile IS NOT NULL AND mobile !~ '^1[3-9][0-9]{9}$'"),
                   ==, 0);
  /* contacts' buying roles (0013): many customers have a decision maker
   * (206 of 400 with seed 7), none two; every role occurs, and some
   * contacts have none */
  {
    gint64 customers = count (a, "SELECT count(*) FROM crm.customers");
    gint64 deciding = count (a, "SELECT count(DISTINCT customer_id) FROM crm.contacts WHERE role = 'decision_maker'");

    g_test_message ("customers with a decision maker: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT,
                    deciding, customers);
    g_assert_cmpint (deciding * 3, >, customers);
    g_assert_cmpint (count (a, "SELECT count(*) FROM (SELECT customer_id FROM crm.contacts WHERE role = 'decision_maker'"
                               " GROUP BY customer_id HAVING count(*) > 1) m"), ==, 0);
    g_assert_cmpint (count (a, "SELECT count(DISTINCT role) FROM crm.contacts"), ==,
                     count (a, "SELECT count(*) FROM unnest(enum_range(NULL::crm.contact_role))"));
    g_assert_cmpint (count (a, "SELECT count(*) FROM crm.contacts WHERE role IS NULL"), >, 0);
  }
  /* some service requests are overdue; campaigns have control groups */
  g_assert_cmpint (count (a, "SELECT count(*) FROM crm.service_requests WHERE closed_at IS NULL AND due_at < now()"), >, 0);
  g_assert_cmpint (count (a, "SELECT count(*) FROM crm.campaign_members WHERE is_control"), >, 0);

  crm_test_pg_drop_database (a);
  crm_test_pg_drop_database (b);
  crm_test_pg_drop_database (c);
}

static void
test_seed_churn_has_its_signs (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = crm_test_pg_create_database (&error);
  double churned_signs;
  double active_signs;
#define SIGNS \
    "SELECT avg(CASE WHEN EXISTS (SELECT 1 FROM crm.revenue_months r WHERE r.customer_id = c.id AND r.arrears > 0)" \
    "             OR EXISTS (SELECT 1 FROM crm.service_requests s WHERE s.customer_id = c.id AND s.kind = 'complaint')" \
    "           THEN 1.0 ELSE 0.0 END)::float8" \
    "  FROM crm.customers c WHERE c.status = "
  const char *churned_sql = SIGNS "'churned'";
  const char *active_sql = SIGNS "'active'";
  g_autofree char *churned = NULL;
  g_autofree char *active = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (run_server (db, NULL, NULL, "seed", "--customers", "1000", NULL), ==, 0);

  churned = scalar (db, churned_sql);
  active = scalar (db, active_sql);
  churned_signs = g_ascii_strtod (churned, NULL);
  active_signs = g_ascii_strtod (active, NULL);
  g_test_message ("arrears or complaints: churned %.2f, active %.2f", churned_signs, active_signs);
  g_assert_cmpfloat (churned_signs, >, active_signs);

  /* usage falls before churn: the last three recorded months against the first three */
  g_assert_cmpint (count (db,
                          "SELECT count(*) FILTER (WHERE late < early) * 100 / count(*) FROM ("
                          " SELECT c.id,"
                          "  (SELECT avg(usage_index) FROM (SELECT usage_index FROM crm.revenue_months r"
                          "    WHERE r.customer_id = c.id ORDER BY month DESC LIMIT 3) x) late,"
                          "  (SELECT avg(usage_index) FROM (SELECT usage_index FROM crm.revenue_months r"
                          "    WHERE r.customer_id = c.id ORDER BY month LIMIT 3) y) early"
                          " FROM crm.customers c WHERE c.status = 'churned'"
                          "  AND (SELECT count(*) FROM crm.revenue_months r WHERE r.customer_id = c.id) >= 6) z"),
                   >=, 70);

  /* the demo manager owns about 150 customers */
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                              " WHERE u.login = 'manager'"), >=, 100);
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                              " WHERE u.login = 'manager'"), <=, 200);

  crm_test_pg_drop_database (db);
}

/* The pipeline (issue 10): opportunities with what the board and the
 * forecast show, histories that walk the stages, closings over the last
 * four quarters, and revenue targets per month, quarter and year. */
static void
test_seed_pipeline_is_consistent (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = crm_test_pg_create_database (&error);
  g_autofree char *top_reason = NULL;
  gint64 open, own_probability, history_rows, opportunities;

  g_assert_no_error (error);
  g_assert_cmpint (run_server (db, NULL, NULL, "seed", "--customers", "1000", "--seed", "5", NULL), ==, 0);
  opportunities = count (db, "SELECT count(*) FROM crm.opportunities");
  g_assert_cmpint (opportunities, >, 200);

  /* what is sold, for how long, where it came from */
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.opportunities WHERE cardinality(product_lines) = 0"
                              " OR contract_months NOT IN (12, 24, 36, 60)"
                              " OR (source = 'campaign') <> (campaign_id IS NOT NULL)"
                              " OR (source = 'agent') <> (agent_id IS NOT NULL)"), ==, 0);
  g_assert_cmpint (count (db, "SELECT count(DISTINCT source) FROM crm.opportunities"), ==, 4);
  g_assert_cmpint (count (db, "SELECT count(DISTINCT p) FROM crm.opportunities, unnest(product_lines) p"), >=, 6);

  /* each history walks from nothing through the stages to the stage,
   * and stage_changed_at is its last move */
  history_rows = count (db, "SELECT count(*) FROM crm.opportunity_stage_history");
  g_assert_cmpint (history_rows, >, 2 * opportunities);
  g_assert_cmpint (count (db,
    "SELECT count(*) FROM (SELECT h.opportunity_id, h.from_stage, h.to_stage, h.changed_at,"
    "       lag(h.to_stage) OVER w AS before, row_number() OVER w AS n,"
    "       lead(h.changed_at) OVER w AS next_at"
    "  FROM crm.opportunity_stage_history h WINDOW w AS (PARTITION BY h.opportunity_id ORDER BY h.changed_at)) x"
    " WHERE x.from_stage IS DISTINCT FROM x.before"
    "    OR (x.to_stage <> 'lost' AND x.from_stage IS NOT NULL AND x.to_stage <= x.from_stage)"
    "    OR x.next_at = x.changed_at"), ==, 0);
  g_assert_cmpint (count (db,
    "SELECT count(*) FROM crm.opportunities o"
    " JOIN LATERAL (SELECT h.to_stage, h.changed_at FROM crm.opportunity_stage_history h"
    "                WHERE h.opportunity_id = o.id ORDER BY h.changed_at DESC LIMIT 1) last ON true"
    " WHERE last.to_stage <> o.stage OR last.changed_at <> o.stage_changed_at"), ==, 0);
  /* days in stage mean something: open ones entered their stage from
   * days to months ago */
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.opportunities WHERE stage NOT IN ('won', 'lost')"
                              " AND stage_changed_at < '2026-10-01'"), >, 0);
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.opportunities WHERE stage NOT IN ('won', 'lost')"
                              " AND stage_changed_at >= '2026-10-01'"), >, 0);

  /* an active customer's deals closed within the last four quarters,
   * won and lost in each; a lost one has a reason, the price most often */
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id"
                              " WHERE c.status = 'active' AND o.stage IN ('won', 'lost')"
                              "   AND NOT (o.closed_on >= '2026-01-01' AND o.closed_on < '2026-11-01')"), ==, 0);
  g_assert_cmpint (count (db, "SELECT count(*) FROM (SELECT date_trunc('quarter', closed_on) q FROM crm.opportunities"
                              " WHERE closed_on >= '2026-01-01' GROUP BY 1"
                              " HAVING count(*) FILTER (WHERE stage = 'won') > 0"
                              "    AND count(*) FILTER (WHERE stage = 'lost') > 0) x"), ==, 4);
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.opportunities WHERE stage = 'lost'"
                              " AND nullif(btrim(lost_reason), '') IS NULL"), ==, 0);
  g_assert_cmpint (count (db, "SELECT count(DISTINCT lost_reason) FROM crm.opportunities"), >=, 5);
  top_reason = scalar (db, "SELECT lost_reason FROM crm.opportunities WHERE stage = 'lost'"
                           " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
  g_assert_cmpstr (top_reason, ==, "价格高于竞争对手报价");

  /* open ones have a next step; some their own probability, most the
   * stage's default (NULL); closed ones neither */
  open = count (db, "SELECT count(*) FROM crm.opportunities WHERE stage NOT IN ('won', 'lost')");
  own_probability = count (db, "SELECT count(probability) FROM crm.opportunities");
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.opportunities WHERE stage NOT IN ('won', 'lost')"
                              " AND next_step IS NULL"), ==, 0);
  g_assert_cmpint (own_probability, >, 0);
  g_assert_cmpint (own_probability * 2, <, open);
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.opportunities WHERE stage IN ('won', 'lost')"
                              " AND (probability IS NOT NULL OR next_step IS NOT NULL)"), ==, 0);

  /* revenue targets: 12 months, 4 quarters and the year for every
   * manager and every team with managers; a quarter is its months, the
   * year its quarters */
  g_assert_cmpint (count (db,
    "SELECT count(*) FROM (SELECT u.id FROM crm.users u WHERE u.role = 'manager'"
    " UNION ALL SELECT DISTINCT u.team_id FROM crm.users u WHERE u.role = 'manager' AND u.team_id IS NOT NULL) s"
    " WHERE (SELECT count(*) FROM crm.sales_targets t WHERE t.metric = 'revenue' AND t.period_start >= '2026-01-01'"
    "          AND t.period_end <= '2026-12-31' AND s.id IN (t.user_id, t.team_id)) <> 17"), ==, 0);
  g_assert_cmpint (count (db,
    "SELECT count(*) FROM crm.sales_targets big WHERE big.metric = 'revenue'"
    "   AND big.period_end - big.period_start > 31"
    "   AND big.target <> (SELECT sum(m.target) FROM crm.sales_targets m"
    "                       WHERE m.metric = 'revenue' AND m.period_end - m.period_start <= 31"
    "                         AND m.user_id IS NOT DISTINCT FROM big.user_id"
    "                         AND m.team_id IS NOT DISTINCT FROM big.team_id"
    "                         AND m.period_start >= big.period_start AND m.period_end <= big.period_end)"), ==, 0);
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.sales_targets WHERE metric = 'revenue' AND target <= 0"), ==, 0);
  /* against what they won in the third quarter: some ahead, some behind */
  {
    static const char won_vs_target[] =
      "SELECT count(*) FILTER (WHERE coalesce(w.won, 0) %s t.target) FROM crm.sales_targets t"
      "  LEFT JOIN (SELECT owner_id, sum(amount_once + amount_monthly * contract_months) won FROM crm.opportunities"
      "              WHERE stage = 'won' AND closed_on BETWEEN '2026-07-01' AND '2026-09-30' GROUP BY 1) w"
      "    ON w.owner_id = t.user_id"
      " WHERE t.metric = 'revenue' AND t.user_id IS NOT NULL"
      "   AND t.period_start = '2026-07-01' AND t.period_end = '2026-09-30'";
    g_autofree char *ahead_sql = g_strdup_printf (won_vs_target, ">=");
    g_autofree char *behind_sql = g_strdup_printf (won_vs_target, "<");
    gint64 ahead = count (db, ahead_sql), behind = count (db, behind_sql);

    g_test_message ("third quarter: %" G_GINT64_FORMAT " managers ahead, %" G_GINT64_FORMAT " behind", ahead, behind);
    g_assert_cmpint (ahead, >, 0);
    g_assert_cmpint (behind, >, 0);
  }
  crm_test_pg_drop_database (db);
}

/* --opportunities N makes exactly N, spread over the customers; a bad
 * number is refused before anything is written. */
static void
test_seed_opportunities_option (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = crm_test_pg_create_database (&error);
  g_autofree char *other = NULL;

  g_assert_no_error (error);
  other = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  g_assert_cmpint (run_server (db, NULL, NULL, "seed", "--customers", "300", "--opportunities", "2500", NULL), ==, 0);
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.opportunities"), ==, 2500);
  g_assert_cmpint (count (db, "SELECT count(DISTINCT opportunity_id) FROM crm.opportunity_stage_history"), ==, 2500);
  /* key accounts have more than others */
  g_assert_cmpint (count (db, "SELECT count(*) FROM (SELECT c.tier, count(o.id)::float8 / count(DISTINCT c.id) per"
                              " FROM crm.customers c LEFT JOIN crm.opportunities o ON o.customer_id = c.id"
                              " WHERE c.status = 'active' GROUP BY 1) x"
                              " WHERE x.tier = 'key' AND x.per > (SELECT count(*)::float8 FROM crm.opportunities)"
                              "       / (SELECT count(*) FROM crm.customers)"), ==, 1);

  g_assert_cmpint (run_server (other, NULL, NULL, "seed", "--customers", "10", "--opportunities", "-1", NULL), ==, 2);
  g_assert_cmpint (run_server (other, NULL, NULL, "seed", "--customers", "10", "--opportunities", "2001", NULL), ==, 2);
  {
    g_autofree char *untouched = scalar (other, "SELECT to_regclass('crm.customers') IS NULL");

    g_assert_cmpstr (untouched, ==, "t");
  }
  crm_test_pg_drop_database (db);
  crm_test_pg_drop_database (other);
}

static void
test_seed_refuses_a_database_with_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = crm_test_pg_create_database (&error);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (run_server (db, NULL, NULL, "seed", "--customers", "50", NULL), ==, 0);
  before = fingerprint (db);
  g_assert_cmpint (run_server (db, NULL, NULL, "seed", "--customers", "50", "--seed", "2", NULL), !=, 0);
  after = fingerprint (db);
  g_assert_cmpstr (before, ==, after);

  /* bad arguments are refused before anything happens */
  g_assert_cmpint (run_server (db, NULL, NULL, "seed", "--customers", "0", NULL), ==, 2);
  g_assert_cmpint (run_server (db, NULL, NULL, "seed", "--customers", "many", NULL), ==, 2);
  g_assert_cmpint (run_server (db, NULL, NULL, "seed", "--password", "", NULL), ==, 2);

  crm_test_pg_drop_database (db);
}

static void
test_user_add_reads_the_password_from_stdin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = crm_test_pg_create_database (&error);
  g_autofree char *hash = NULL;
  g_autofree char *role = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (run_server (db, NULL, NULL, "migrate", NULL), ==, 0);
  /* a production database has no default users */
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.users"), ==, 0);

  g_assert_cmpint (run_server (db, "s3cret pass phrase\n", NULL, "user", "add", "ops.lead", "--role", "admin", NULL),
                   ==, 0);
  role = scalar (db, "SELECT role FROM crm.users WHERE login = 'ops.lead'");
  g_assert_cmpstr (role, ==, "admin");
  hash = scalar (db, "SELECT password_hash FROM crm.users WHERE login = 'ops.lead'");
  g_assert_true (crm_auth_verify_password (hash, "s3cret pass phrase"));
  g_assert_false (crm_auth_verify_password (hash, "s3cret pass phrase\n"));

  /* the same login twice, an unknown role, an empty password, no such team */
  g_assert_cmpint (run_server (db, "another pass\n", NULL, "user", "add", "ops.lead", "--role", "admin", NULL), !=, 0);
  g_assert_cmpint (run_server (db, "another pass\n", NULL, "user", "add", "x1", "--role", "king", NULL), !=, 0);
  g_assert_cmpint (run_server (db, "\n", NULL, "user", "add", "x2", "--role", "manager", NULL), !=, 0);
  g_assert_cmpint (run_server (db, "another pass\n", NULL, "user", "add", "x3", "--role", "manager",
                               "--team", "no such team", NULL), !=, 0);
  g_assert_cmpint (count (db, "SELECT count(*) FROM crm.users"), ==, 1);

  crm_test_pg_drop_database (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!crm_test_pg_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset)");
      return g_test_run ();
    }

  g_test_add_func ("/server/seed/deterministic-and-fills-every-table", test_seed_is_deterministic_and_fills_every_table);
  g_test_add_func ("/server/seed/churn-has-its-signs", test_seed_churn_has_its_signs);
  g_test_add_func ("/server/seed/pipeline-is-consistent", test_seed_pipeline_is_consistent);
  g_test_add_func ("/server/seed/opportunities-option-sets-how-many", test_seed_opportunities_option);
  g_test_add_func ("/server/seed/refuses-a-database-with-data", test_seed_refuses_a_database_with_data);
  g_test_add_func ("/server/user/add-reads-the-password-from-stdin", test_user_add_reads_the_password_from_stdin);
  return g_test_run ();
}
