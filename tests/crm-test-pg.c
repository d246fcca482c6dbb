#define G_LOG_DOMAIN "crm-test-pg"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <libpq-fe.h>

#include "crm-test-pg.h"

#define DATABASE_PREFIX "crm_test_"

/* Local to this file: server headers define the same cleanups, and a test
 * may include both. */
typedef PGconn CrmTestPgConn;
typedef PGresult CrmTestPgResult;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmTestPgConn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmTestPgResult, PQclear)

static const char *
env_or_null (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : NULL;
}

gboolean
crm_test_pg_available (void)
{
  return env_or_null ("KEYLINE_TEST_PGHOST") != NULL;
}

/* Opens the maintenance database of the cluster at @host/@port as @user. */
static PGconn *
connect_maintenance (const char  *host,
                     const char  *port,
                     const char  *user,
                     GError     **error)
{
  /* NULL values are skipped by libpq, which then uses its defaults. */
  const char * const keys[] = { "host", "port", "user", "dbname", NULL };
  const char * const values[] = { host, port, user, "postgres", NULL };
  PGconn *conn;

  conn = PQconnectdbParams (keys, values, FALSE);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                   "Cannot connect to the test cluster at %s: %s",
                   host, PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }
  return conn;
}

/* Appends " key='value'" in conninfo quoting. */
static void
append_param (GString    *conninfo,
              const char *key,
              const char *value)
{
  if (value == NULL)
    return;
  if (conninfo->len > 0)
    g_string_append_c (conninfo, ' ');
  g_string_append_printf (conninfo, "%s='", key);
  for (const char *p = value; *p; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (conninfo, '\\');
      g_string_append_c (conninfo, *p);
    }
  g_string_append_c (conninfo, '\'');
}

static gboolean
exec_command (PGconn      *conn,
              const char  *sql,
              const char **sqlstate,
              GError     **error)
{
  g_autoptr(CrmTestPgResult) result = PQexec (conn, sql);

  if (PQresultStatus (result) == PGRES_COMMAND_OK)
    return TRUE;
  if (sqlstate != NULL)
    {
      const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
      *sqlstate = g_intern_string (state != NULL ? state : "");
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "%s: %s", sql, PQresultErrorMessage (result));
  return FALSE;
}

char *
crm_test_pg_create_database (GError **error)
{
  static gint counter = 0;
  const char *host = env_or_null ("KEYLINE_TEST_PGHOST");
  const char *port = env_or_null ("KEYLINE_TEST_PGPORT");
  const char *user = env_or_null ("KEYLINE_TEST_PGUSER");
  g_autoptr(CrmTestPgConn) conn = NULL;
  g_autofree char *name = NULL;
  GString *conninfo;

  if (host == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "KEYLINE_TEST_PGHOST is not set (run tools/test)");
      return NULL;
    }

  conn = connect_maintenance (host, port, user, error);
  if (conn == NULL)
    return NULL;

  /* The first migration creates the cluster-wide role keyline_app if it is
   * missing; two tests migrating at once could both find it missing, and
   * one would fail.  Creating it here, tolerating a concurrent creation,
   * takes that race out of the tests. */
  if (!exec_command (conn,
                     "DO $$ BEGIN "
                     "  CREATE ROLE keyline_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; "
                     "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; "
                     "END $$",
                     NULL, error))
    return NULL;

  /* A pid can come back within one run (after a crashed test left its
   * database behind), so a name that is taken moves on to the next. */
  for (guint attempt = 0; ; attempt++)
    {
      g_autofree char *sql = NULL;
      g_autoptr(GError) local_error = NULL;
      const char *sqlstate = NULL;

      g_free (name);
      name = g_strdup_printf (DATABASE_PREFIX "%d_%d", (int) getpid (),
                              g_atomic_int_add (&counter, 1));
      sql = g_strdup_printf ("CREATE DATABASE %s", name);
      if (exec_command (conn, sql, &sqlstate, &local_error))
        break;
      if (g_strcmp0 (sqlstate, "42P04") != 0 || attempt >= 100)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  conninfo = g_string_new (NULL);
  append_param (conninfo, "host", host);
  append_param (conninfo, "port", port);
  append_param (conninfo, "user", user);
  append_param (conninfo, "dbname", name);
  return g_string_free (conninfo, FALSE);
}

void
crm_test_pg_drop_database (const char *conninfo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmTestPgConn) conn = NULL;
  g_autofree char *sql = NULL;
  const char *host = NULL;
  const char *port = NULL;
  const char *user = NULL;
  const char *dbname = NULL;
  PQconninfoOption *options;
  char *errmsg = NULL;
  char *quoted;

  if (conninfo == NULL)
    return;

  options = PQconninfoParse (conninfo, &errmsg);
  if (options == NULL)
    {
      g_test_message ("Cannot parse “%s”: %s", conninfo, errmsg ? errmsg : "out of memory");
      PQfreemem (errmsg);
      return;
    }
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (o->val == NULL || *o->val == '\0')
        continue;
      if (strcmp (o->keyword, "host") == 0)
        host = o->val;
      else if (strcmp (o->keyword, "port") == 0)
        port = o->val;
      else if (strcmp (o->keyword, "user") == 0)
        user = o->val;
      else if (strcmp (o->keyword, "dbname") == 0)
        dbname = o->val;
    }

  /* Only ever drop what crm_test_pg_create_database made. */
  if (host == NULL || dbname == NULL || !g_str_has_prefix (dbname, DATABASE_PREFIX))
    {
      g_test_message ("Not dropping “%s”: not a test database", conninfo);
      PQconninfoFree (options);
      return;
    }

  conn = connect_maintenance (host, port, user, &error);
  if (conn != NULL)
    {
      quoted = PQescapeIdentifier (conn, dbname, strlen (dbname));
      sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", quoted);
      PQfreemem (quoted);
      exec_command (conn, sql, NULL, &error);
    }
  if (error != NULL)
    g_test_message ("Cannot drop %s: %s", dbname, error->message);
  PQconninfoFree (options);
}

PGconn *
crm_test_pg_connect_as_admin (const char *conninfo)
{
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *res;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("cannot connect to %s: %s", conninfo, PQerrorMessage (conn));
  res = crm_test_pg_query (conn, "SELECT set_config('keyline.role', 'admin', false),"
                                 " set_config('keyline.user_id',"
                                 "            (SELECT id::text FROM crm.users WHERE login = 'admin'), false)",
                           NULL, NULL);
  PQclear (res);
  return conn;
}

PGresult *
crm_test_pg_query (PGconn     *conn,
                   const char *sql,
                   const char *param1,
                   const char *param2)
{
  const char *params[2] = { param1, param2 };
  int n = param2 ? 2 : param1 ? 1 : 0;
  PGresult *res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (conn));
  return res;
}
