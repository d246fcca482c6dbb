#define G_LOG_DOMAIN "test-server-migrate"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <libpq-fe.h>

#include "crm-error.h"
#include "crm-migrate.h"
#include "crm-test-pg.h"
#include "test-broken-migration.h"

static char *
scalar (const char *conninfo,
        const char *sql)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = crm_pg_connect_blocking (conninfo, &error);
  g_autoptr(PGresult) res = NULL;

  g_assert_no_error (error);
  res = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  return g_strdup (PQgetvalue (res, 0, 0));
}

static void
test_migrate_applies_all_then_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = crm_test_pg_create_database (&error);
  g_autofree char *version = NULL;
  g_autofree char *rls = NULL;
  g_auto(GStrv) compiled = g_resources_enumerate_children ("/org/keylinecrm/Keyline/server/sql", 0, NULL);
  guint applied = 0;

  g_assert_no_error (error);
  g_assert_true (crm_migrate_run (conninfo, &applied, &error));
  g_assert_no_error (error);
  /* every one compiled in (numbers may skip one another branch reserved) */
  g_assert_cmpuint (applied, ==, g_strv_length (compiled));
  g_assert_cmpuint (applied, >=, 1);

  g_assert_true (crm_migrate_run (conninfo, &applied, &error));
  g_assert_cmpuint (applied, ==, 0);

  version = scalar (conninfo, "SELECT max(version) FROM public.crm_migrations");
  g_assert_cmpuint (g_ascii_strtoull (version, NULL, 10), ==, crm_migrate_latest ());

  /* every table holding customer data has row-level security forced */
  rls = scalar (conninfo,
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'crm' AND c.relkind = 'r'"
                " AND c.relname IN ('customers','contacts','subscriptions','revenue_months','interactions',"
                "                   'opportunities','campaign_members','service_requests','service_steps')"
                " AND c.relrowsecurity AND c.relforcerowsecurity");
  g_assert_cmpstr (rls, ==, "9");
  crm_test_pg_drop_database (conninfo);
}

static void
test_migrate_failure_leaves_the_database_as_it_was (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = crm_test_pg_create_database (&error);
  g_autofree char *version = NULL;
  g_autofree char *leftover = NULL;
  guint applied = 0;

  g_assert_no_error (error);
  g_assert_true (crm_migrate_run (conninfo, &applied, &error));

  test_broken_migration_register_resource ();
  g_assert_false (crm_migrate_run (conninfo, &applied, &error));
  test_broken_migration_unregister_resource ();

  g_assert_error (error, CRM_ERROR, CRM_ERROR_INTERNAL);
  g_assert_nonnull (strstr (error->message, "9999-broken.sql"));
  g_assert_nonnull (strstr (error->message, "division by zero"));
  g_assert_cmpuint (applied, ==, 0);

  version = scalar (conninfo, "SELECT max(version) FROM public.crm_migrations");
  g_assert_cmpuint (g_ascii_strtoull (version, NULL, 10), ==, crm_migrate_latest ());
  leftover = scalar (conninfo, "SELECT count(*) FROM pg_tables WHERE tablename = 'half_done'");
  g_assert_cmpstr (leftover, ==, "0");
  crm_test_pg_drop_database (conninfo);
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

  g_test_add_func ("/server/migrate/applies-all-then-nothing", test_migrate_applies_all_then_nothing);
  g_test_add_func ("/server/migrate/failure-leaves-the-database-as-it-was",
                   test_migrate_failure_leaves_the_database_as_it_was);
  return g_test_run ();
}
