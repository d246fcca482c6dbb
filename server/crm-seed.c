/* crm-seed.c: `keyline-server seed`, demo data for an empty database.
 *
 * Plans the organisation and every customer in memory (deterministic per
 * --seed), then streams each table with COPY inside one transaction.  The
 * rows are written by the crm-seed-*.c files; this file runs the command.
 */
#define G_LOG_DOMAIN "crm-seed"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "crm-auth.h"
#include "crm-commands.h"
#include "crm-error.h"
#include "crm-migrate.h"
#include "crm-seed-data.h"
#include "crm-seed-private.h"

#define MAX_CUSTOMERS 10000000

static void
world_free (SeedWorld *w)
{
  if (w->city_managers)
    for (guint c = 0; c < G_N_ELEMENTS (seed_cities); c++)
      {
        g_array_unref (w->city_managers[c]);
        g_array_unref (w->city_service[c]);
      }
  g_free (w->city_managers);
  g_free (w->city_service);
  g_free (w->city_region);
  g_clear_pointer (&w->teams, g_array_unref);
  g_clear_pointer (&w->users, g_array_unref);
  g_clear_pointer (&w->agents, g_array_unref);
  g_clear_pointer (&w->marketing, g_array_unref);
  g_clear_pointer (&w->service_all, g_array_unref);
  g_clear_pointer (&w->names, g_hash_table_unref);
  g_free (w->customers);
  g_free (w->opportunity_count);
  g_free (w->won_month);
  g_clear_pointer (&w->strings, g_string_chunk_free);
}

static gint64
query_count (PGconn      *conn,
             const char  *sql,
             GError     **error)
{
  g_autoptr(PGresult) res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "%s", g_strchomp (PQerrorMessage (conn)));
      return -1;
    }
  return g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
}

/* Refuses a database that has data the seed would collide with. */
static gboolean
check_empty (PGconn     *conn,
             SeedWorld  *w,
             GError    **error)
{
  static const struct { const char *sql; const char *what; } checks[] = {
    { "SELECT count(*) FROM (SELECT 1 FROM crm.customers LIMIT 1) t", "customers" },
    { "SELECT count(*) FROM (SELECT 1 FROM crm.regions LIMIT 1) t", "regions" },
    { "SELECT count(*) FROM (SELECT 1 FROM crm.products LIMIT 1) t", "products" },
  };
  g_autoptr(PGresult) res = NULL;
  g_autoptr(GHashTable) logins = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      gint64 n = query_count (conn, checks[i].sql, error);

      if (n < 0)
        return FALSE;
      if (n > 0)
        {
          g_set_error (error, CRM_ERROR, CRM_ERROR_CONFLICT,
                       "the database already has %s; seed only fills an empty database "
                       "(drop and recreate it first)", checks[i].what);
          return FALSE;
        }
    }

  /* users made with `user add` may stay, unless a login collides */
  for (guint i = 0; i < w->users->len; i++)
    g_hash_table_add (logins, (gpointer) seed_user (w, i)->login);
  res = PQexec (conn, "SELECT login FROM crm.users");
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "%s", g_strchomp (PQerrorMessage (conn)));
      return FALSE;
    }
  for (int r = 0; r < PQntuples (res); r++)
    if (g_hash_table_contains (logins, PQgetvalue (res, r, 0)))
      {
        g_set_error (error, CRM_ERROR, CRM_ERROR_CONFLICT,
                     "login “%s” already exists and the seed would create it again", PQgetvalue (res, r, 0));
        return FALSE;
      }
  return TRUE;
}

static gboolean
is_superuser (PGconn *conn)
{
  const char *v = PQparameterStatus (conn, "is_superuser");

  return v && g_str_equal (v, "on");
}

static gboolean
load_all (SeedWorld  *w,
          PGconn     *conn,
          GError    **error)
{
  if (!crm_pg_exec (conn, "BEGIN", error) ||
      !crm_pg_exec (conn, "SET LOCAL synchronous_commit = off", error) ||
      !crm_pg_exec (conn, "SET LOCAL maintenance_work_mem = '1GB'", error))
    return FALSE;
  /* The rows are consistent by construction, so the per-row foreign-key
   * triggers (tens of millions of lookups) are skipped, as pg_restore
   * --disable-triggers does.  Only a superuser may; others pay for them. */
  if (is_superuser (conn))
    {
      if (!crm_pg_exec (conn, "SET LOCAL session_replication_role = replica", error))
        return FALSE;
    }
  else
    fprintf (stderr, "seed: not a superuser: foreign keys are checked row by row (slower)\n");

  if (!seed_load_org (w, conn, error) ||
      !seed_load_customers (w, conn, error) ||
      !seed_load_activity (w, conn, error) ||
      /* the revenue months' triggers were skipped with the others: every
       * customer's ARPU figures (0020) and kept columns (0022) in one pass,
       * and the customer's owner and region on the rows under it (0025) */
      !crm_pg_exec (conn, "SELECT crm.customer_arpu_refresh(), crm.customer_kept_refresh(true),"
                          " crm.carried_refresh()", error))
    {
      crm_pg_exec (conn, "ROLLBACK", NULL);
      return FALSE;
    }
  return crm_pg_exec (conn, "COMMIT", error);
}

static void
print_logins (SeedWorld  *w,
              const char *password)
{
  const guint demo[] = { w->demo_admin, w->demo_manager, w->demo_director, w->demo_marketing, w->demo_service };
  static const char * const role_names[] = { "admin", "director", "manager", "marketing", "service" };
  guint in_province = 0;

  for (guint i = 0; i < w->n_customers; i++)
    if (seed_cities[w->customers[i].city].province == 0)
      in_province++;

  printf ("Demo sign-ins (password for every user: %s)\n\n", password);
  printf ("  %-10s %-10s %9s  %s\n", "login", "role", "customers", "name");
  for (guint k = 0; k < G_N_ELEMENTS (demo); k++)
    {
      const SeedUser *u = seed_user (w, demo[k]);
      guint visible = u->role == ROLE_MANAGER ? u->customers
                    : u->role == ROLE_DIRECTOR ? in_province
                    : w->n_customers;
      const char *scope = u->role == ROLE_MANAGER ? "owned"
                        : u->role == ROLE_DIRECTOR ? "in 广东"
                        : "all";

      printf ("  %-10s %-10s %9u  %s (%s)\n", u->login, role_names[u->role], visible, u->name, scope);
    }
  printf ("\nOther users: am0001…, dir_js…, mkt01…, svc01… (%u users in all).\n", w->users->len);
}

int
crm_seed_command (CrmConfig  *config,
                  int         argc,
                  char      **argv)
{
  gint customers = 2000;
  gint64 opportunities = 0;
  gint64 seed = 1;
  g_autofree char *password = NULL;
  GOptionEntry entries[] = {
    { "customers", 0, 0, G_OPTION_ARG_INT, &customers, "Number of customers (default 2000)", "N" },
    { "opportunities", 0, 0, G_OPTION_ARG_INT64, &opportunities,
      "Number of opportunities (default: about one per customer, more for key accounts)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed: the same seed gives the same data (default 1)", "N" },
    { "password", 0, 0, G_OPTION_ARG_STRING, &password, "Password of every user (default “keyline”)", "PW" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- fill an empty database with demo data");
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *hash = NULL;
  SeedWorld w = { 0 };
  gint64 started = g_get_monotonic_time ();
  gint64 t;
  int status = 1;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "keyline-server seed: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      fprintf (stderr, "keyline-server seed: unexpected argument “%s”\n", argv[1]);
      return 2;
    }
  if (customers < 1 || customers > MAX_CUSTOMERS)
    {
      fprintf (stderr, "keyline-server seed: --customers must be between 1 and %d\n", MAX_CUSTOMERS);
      return 2;
    }
  if (opportunities < 0 || opportunities > (gint64) customers * MAX_OPPORTUNITIES_PER_CUSTOMER)
    {
      fprintf (stderr, "keyline-server seed: --opportunities must be between 0 and %d per customer\n",
               MAX_OPPORTUNITIES_PER_CUSTOMER);
      return 2;
    }
  if (password == NULL)
    password = g_strdup ("keyline");
  if (*password == '\0')
    {
      fprintf (stderr, "keyline-server seed: --password must not be empty\n");
      return 2;
    }

  if (!crm_migrate_run (config->database, NULL, &error) ||
      !(conn = crm_pg_connect_blocking (config->database, &error)))
    {
      fprintf (stderr, "keyline-server seed: %s\n", error->message);
      return 1;
    }

  w.seed = (guint64) seed;
  w.n_customers = (guint) customers;
  w.n_opportunities = (guint64) opportunities;
  w.strings = g_string_chunk_new (1 << 20);
  w.teams = g_array_new (FALSE, FALSE, sizeof (SeedTeam));
  w.users = g_array_new (FALSE, FALSE, sizeof (SeedUser));
  w.agents = g_array_new (FALSE, FALSE, sizeof (SeedAgent));
  seed_plan_org (&w);

  crm_pg_exec (conn, "SET client_min_messages = warning", NULL);
  if (!check_empty (conn, &w, &error))
    {
      fprintf (stderr, "keyline-server seed: %s\n", error->message);
      goto out;
    }

  /* Argon2id is slow on purpose: one hash serves every user */
  if (!(hash = crm_auth_hash_password (password, &error)))
    {
      fprintf (stderr, "keyline-server seed: %s\n", error->message);
      goto out;
    }
  w.password_hash = hash;

  t = g_get_monotonic_time ();
  seed_plan_customers (&w);
  fprintf (stderr, "plan: %u users, %u customers, %.1f s\n", w.users->len, w.n_customers,
           (double) (g_get_monotonic_time () - t) / G_USEC_PER_SEC);

  if (!load_all (&w, conn, &error))
    {
      fprintf (stderr, "keyline-server seed: %s\n", error->message);
      goto out;
    }

  t = g_get_monotonic_time ();
  if (!crm_pg_exec (conn,
                    "ANALYZE crm.regions, crm.teams, crm.users, crm.agents, crm.products, crm.customers, "
                    "crm.contacts, crm.subscriptions, crm.revenue_months, crm.interactions, "
                    "crm.opportunities, crm.opportunity_stage_history, crm.sales_targets, crm.segments, "
                    "crm.campaigns, crm.campaign_members, crm.service_requests, crm.service_steps", &error))
    {
      fprintf (stderr, "keyline-server seed: ANALYZE: %s\n", error->message);
      goto out;
    }
  fprintf (stderr, "analyze: %.1f s\n", (double) (g_get_monotonic_time () - t) / G_USEC_PER_SEC);

  print_logins (&w, password);
  printf ("Seeded %u customers in %.1f s\n", w.n_customers,
          (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);
  status = 0;

out:
  world_free (&w);
  return status;
}
