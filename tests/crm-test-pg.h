#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/*
 * Throwaway databases for server tests.  tools/test starts a private
 * PostgreSQL cluster and names it in the environment:
 *
 *   KEYLINE_TEST_PGHOST  its socket directory (or a host name)
 *   KEYLINE_TEST_PGUSER  a superuser role in it (tools/test: keyline)
 *   KEYLINE_TEST_PGPORT  optional
 *
 * Each test makes its own database, so tests run in parallel and never see
 * each other's rows.  Without KEYLINE_TEST_PGHOST there is no cluster and a
 * test skips itself:
 *
 *   if (!crm_test_pg_available ())
 *     {
 *       g_test_skip ("no test database (run tools/test)");
 *       return;
 *     }
 */

gboolean  crm_test_pg_available       (void);
/* Creates an empty database crm_test_<pid>_<n> and returns the conninfo of
 * its owner (a superuser), ready for crm_migrate_run (). */
char     *crm_test_pg_create_database (GError     **error);
/* Drops the database that @conninfo names, closing its connections first.
 * Failures are reported with g_test_message, not as test failures. */
void      crm_test_pg_drop_database   (const char  *conninfo);

/* A connection of the schema's owner acting as the seeded `admin` user
 * (row-level security is forced even for the owner).  Fails the test if
 * it cannot connect. */
PGconn   *crm_test_pg_connect_as_admin (const char *conninfo);
/* Runs @sql with up to two text parameters (NULL ends them); a failure
 * ends the test with the statement and PostgreSQL's message. */
PGresult *crm_test_pg_query            (PGconn     *conn,
                                        const char *sql,
                                        const char *param1,
                                        const char *param2);

G_END_DECLS
