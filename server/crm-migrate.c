#define G_LOG_DOMAIN "crm-migrate"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "crm-commands.h"
#include "crm-error.h"
#include "crm-migrate.h"

#define MIGRATIONS_PATH "/org/keylinecrm/Keyline/server/sql"
/* pg_advisory_lock key: "KEYLINE" in ASCII, so other tools do not collide. */
#define MIGRATION_LOCK_KEY "21186873087577669"

PGconn *
crm_pg_connect_blocking (const char  *conninfo,
                         GError     **error)
{
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE,
                   "Cannot connect to the database: %s", g_strchomp (PQerrorMessage (conn)));
      return NULL;
    }
  return g_steal_pointer (&conn);
}

gboolean
crm_pg_exec (PGconn      *conn,
             const char  *sql,
             GError     **error)
{
  g_autoptr(PGresult) res = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (res);

  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "%s", g_strchomp (PQerrorMessage (conn)));
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  guint  version;
  char  *name;
} Migration;

static void
migration_free (gpointer data)
{
  Migration *m = data;

  g_free (m->name);
  g_free (m);
}

static int
migration_compare (gconstpointer a,
                   gconstpointer b)
{
  const Migration *ma = *(Migration **) a;
  const Migration *mb = *(Migration **) b;

  return (ma->version > mb->version) - (ma->version < mb->version);
}

/* The compiled-in migrations, sorted by their NNNN- prefix. */
static GPtrArray *
list_migrations (void)
{
  g_auto(GStrv) names = g_resources_enumerate_children (MIGRATIONS_PATH, 0, NULL);
  GPtrArray *list = g_ptr_array_new_with_free_func (migration_free);

  for (guint i = 0; names && names[i]; i++)
    {
      guint64 version;
      g_autofree char *prefix = g_strndup (names[i], 4);

      if (!g_str_has_suffix (names[i], ".sql") ||
          !g_ascii_string_to_unsigned (prefix, 10, 1, 9999, &version, NULL))
        continue;
      {
        Migration *m = g_new0 (Migration, 1);
        m->version = (guint) version;
        m->name = g_strdup (names[i]);
        g_ptr_array_add (list, m);
      }
    }
  g_ptr_array_sort (list, migration_compare);
  return list;
}

guint
crm_migrate_latest (void)
{
  g_autoptr(GPtrArray) list = list_migrations ();

  return list->len ? ((Migration *) list->pdata[list->len - 1])->version : 0;
}

static gboolean
apply_one (PGconn     *conn,
           Migration  *m,
           GError    **error)
{
  g_autofree char *path = g_strconcat (MIGRATIONS_PATH "/", m->name, NULL);
  g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, error);
  g_autofree char *sql = NULL;
  g_autofree char *version = g_strdup_printf ("%u", m->version);
  const char *params[2] = { version, m->name };
  g_autoptr(PGresult) res = NULL;

  if (bytes == NULL)
    return FALSE;
  sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  if (!crm_pg_exec (conn, "BEGIN", error))
    return FALSE;

  /* A migration is several statements, so it goes as a simple query; it is
   * our own compiled-in text, never user input. */
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Migration %s failed: %s",
                   m->name, g_strchomp (PQerrorMessage (conn)));
      crm_pg_exec (conn, "ROLLBACK", NULL);
      return FALSE;
    }
  g_clear_pointer (&res, PQclear);

  res = PQexecParams (conn,
                      "INSERT INTO public.crm_migrations (version, name) VALUES ($1::integer, $2)",
                      2, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Recording migration %s failed: %s",
                   m->name, g_strchomp (PQerrorMessage (conn)));
      crm_pg_exec (conn, "ROLLBACK", NULL);
      return FALSE;
    }
  return crm_pg_exec (conn, "COMMIT", error);
}

gboolean
crm_migrate_run (const char  *conninfo,
                 guint       *applied,
                 GError     **error)
{
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(GPtrArray) list = list_migrations ();
  g_autoptr(PGresult) res = NULL;
  guint current = 0;
  guint count = 0;
  gboolean ok = TRUE;

  if (applied)
    *applied = 0;
  if (!(conn = crm_pg_connect_blocking (conninfo, error)))
    return FALSE;

  crm_pg_exec (conn, "SET client_min_messages = warning", NULL);
  /* Session-level lock: two servers starting at once apply each migration once. */
  if (!crm_pg_exec (conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", error))
    return FALSE;

  if (!crm_pg_exec (conn,
                    "CREATE TABLE IF NOT EXISTS public.crm_migrations ("
                    " version integer PRIMARY KEY,"
                    " name text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())", error))
    goto out_fail;

  res = PQexec (conn, "SELECT coalesce(max(version), 0) FROM public.crm_migrations");
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "%s", g_strchomp (PQerrorMessage (conn)));
      goto out_fail;
    }
  current = (guint) strtoul (PQgetvalue (res, 0, 0), NULL, 10);

  if (current > crm_migrate_latest ())
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL,
                   "The database is at schema version %u, newer than this server knows (%u)",
                   current, crm_migrate_latest ());
      goto out_fail;
    }

  for (guint i = 0; i < list->len; i++)
    {
      Migration *m = list->pdata[i];

      if (m->version <= current)
        continue;
      if (!apply_one (conn, m, error))
        goto out_fail;
      count++;
    }
  goto out;

out_fail:
  ok = FALSE;
out:
  crm_pg_exec (conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", NULL);
  if (applied)
    *applied = count;
  return ok;
}

int
crm_migrate_command (CrmConfig  *config,
                     int         argc,
                     char      **argv)
{
  g_autoptr(GError) error = NULL;
  guint applied = 0;

  if (argc > 1)
    {
      fprintf (stderr, "keyline-server migrate: takes no arguments\n");
      return 2;
    }
  if (!crm_migrate_run (config->database, &applied, &error))
    {
      fprintf (stderr, "keyline-server migrate: %s\n", error->message);
      return 1;
    }
  printf ("Applied %u migration%s; schema version %u.\n", applied, applied == 1 ? "" : "s",
          crm_migrate_latest ());
  return 0;
}
