#define G_LOG_DOMAIN "test-pg-fixture"

#include "config.h"

#include <gio/gio.h>
#include <libpq-fe.h>

#include "crm-test-pg.h"

/* Proves the fixture that the server tests stand on: tools/test's cluster
 * is reachable, each call gives a new empty database, and dropping it
 * removes it.  Skips without a cluster, like every database test. */

typedef PGconn TestConn;
typedef PGresult TestResult;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestConn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestResult, PQclear)

static gboolean
skip_without_cluster (void)
{
  if (crm_test_pg_available ())
    return FALSE;
  g_test_skip ("KEYLINE_TEST_PGHOST is not set (run tools/test)");
  return TRUE;
}

static char *
query_one (const char *conninfo,
           const char *sql)
{
  g_autoptr(TestConn) conn = PQconnectdb (conninfo);
  g_autoptr(TestResult) result = NULL;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  result = PQexec (conn, sql);
  g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQntuples (result), ==, 1);
  return g_strdup (PQgetvalue (result, 0, 0));
}

static void
test_create_gives_distinct_empty_databases (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *name_a = NULL;
  g_autofree char *name_b = NULL;
  g_autofree char *tables = NULL;

  if (skip_without_cluster ())
    return;

  a = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  b = crm_test_pg_create_database (&error);
  g_assert_no_error (error);

  name_a = query_one (a, "SELECT current_database()");
  name_b = query_one (b, "SELECT current_database()");
  g_assert_true (g_str_has_prefix (name_a, "crm_test_"));
  g_assert_cmpstr (name_a, !=, name_b);

  tables = query_one (a, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
  g_assert_cmpstr (tables, ==, "0");

  crm_test_pg_drop_database (a);
  crm_test_pg_drop_database (b);
}

static void
test_owner_can_create_schema_and_app_role_exists (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *superuser = NULL;
  g_autofree char *app_role = NULL;

  if (skip_without_cluster ())
    return;
  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);

  /* Migrations run as this role: it must be able to create anything. */
  superuser = query_one (conninfo, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
  g_assert_cmpstr (superuser, ==, "t");
  app_role = query_one (conninfo, "SELECT rolsuper::text || rolbypassrls::text FROM pg_roles WHERE rolname = 'keyline_app'");
  g_assert_cmpstr (app_role, ==, "falsefalse");

  crm_test_pg_drop_database (conninfo);
}

static void
test_drop_removes_the_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *name = NULL;
  g_autoptr(TestConn) held = NULL;
  g_autoptr(TestConn) after = NULL;

  if (skip_without_cluster ())
    return;

  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  name = query_one (conninfo, "SELECT current_database()");

  /* An open connection (a server thread's, say) must not block the drop. */
  held = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (held), ==, CONNECTION_OK);

  crm_test_pg_drop_database (conninfo);

  after = PQconnectdb (conninfo);
  g_assert_cmpint (PQstatus (after), ==, CONNECTION_BAD);
  g_assert_nonnull (g_strstr_len (PQerrorMessage (after), -1, name));
}

static void
test_drop_refuses_other_databases (void)
{
  g_autofree char *host = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *still = NULL;

  if (skip_without_cluster ())
    return;

  host = g_strdup (g_getenv ("KEYLINE_TEST_PGHOST"));
  conninfo = g_strdup_printf ("host='%s' user='%s' dbname=postgres", host,
                              g_getenv ("KEYLINE_TEST_PGUSER") ? g_getenv ("KEYLINE_TEST_PGUSER") : "");
  crm_test_pg_drop_database (conninfo);
  still = query_one (conninfo, "SELECT current_database()");
  g_assert_cmpstr (still, ==, "postgres");
}

static void
test_create_without_cluster_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("KEYLINE_TEST_PGHOST"));
  g_autofree char *conninfo = NULL;

  g_unsetenv ("KEYLINE_TEST_PGHOST");
  g_assert_false (crm_test_pg_available ());
  conninfo = crm_test_pg_create_database (&error);
  g_assert_null (conninfo);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  if (saved != NULL)
    g_setenv ("KEYLINE_TEST_PGHOST", saved, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fixture/pg/create-gives-distinct-empty-databases",
                   test_create_gives_distinct_empty_databases);
  g_test_add_func ("/fixture/pg/owner-is-superuser-and-app-role-exists",
                   test_owner_can_create_schema_and_app_role_exists);
  g_test_add_func ("/fixture/pg/drop-removes-the-database",
                   test_drop_removes_the_database);
  g_test_add_func ("/fixture/pg/drop-refuses-other-databases",
                   test_drop_refuses_other_databases);
  g_test_add_func ("/fixture/pg/create-without-cluster-fails",
                   test_create_without_cluster_fails);

  return g_test_run ();
}
