/* crm-admin.c: `keyline-server user add LOGIN --role ROLE [--team TEAM] [--name NAME]`.
 *
 * The password is read from standard input (one line), so it never shows
 * in the process list or the shell history.  The only way, besides the
 * demo seed, to create a user: there are no default accounts.
 */
#define G_LOG_DOMAIN "crm-admin"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "crm-auth.h"
#include "crm-commands.h"
#include "crm-error.h"
#include "crm-migrate.h"
#include "crm-validate.h"
#include "crm-wire.h"

#define MIN_PASSWORD_CHARS 8
#define MAX_PASSWORD_BYTES 1024

/* One line from stdin, without echo when it is a terminal. */
static char *
read_password (GError **error)
{
  char buf[MAX_PASSWORD_BYTES + 2];
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved, quiet;
  gboolean restore = FALSE;
  char *line;
  gsize len;

  if (tty)
    {
      fprintf (stderr, "Password: ");
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          quiet = saved;
          quiet.c_lflag &= ~(tcflag_t) ECHO;
          restore = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
  line = fgets (buf, sizeof buf, stdin);
  if (restore)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  if (tty)
    fprintf (stderr, "\n");

  if (line == NULL)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, "no password on standard input");
      return NULL;
    }
  len = strlen (buf);
  if (len > MAX_PASSWORD_BYTES)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, "the password is too long");
      return NULL;
    }
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    buf[--len] = '\0';
  if (!g_utf8_validate (buf, -1, NULL))
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, "the password is not valid UTF-8");
      return NULL;
    }
  if (g_utf8_strlen (buf, -1) < MIN_PASSWORD_CHARS)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID,
                   "the password must have at least %d characters", MIN_PASSWORD_CHARS);
      return NULL;
    }
  return g_strdup (buf);
}

/* The team by id or by name: its id and region in @team_id/@region_id. */
static gboolean
find_team (PGconn      *conn,
           const char  *team,
           char       **team_id,
           char       **region_id,
           GError     **error)
{
  const char *params[1] = { team };
  g_autoptr(PGresult) res = NULL;

  if (crm_validate_uuid (team))
    res = PQexecParams (conn, "SELECT id, region_id FROM crm.teams WHERE id = $1::uuid",
                        1, NULL, params, NULL, NULL, 0);
  else
    res = PQexecParams (conn, "SELECT id, region_id FROM crm.teams WHERE name = $1 OR name_en = $1",
                        1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "%s", g_strchomp (PQerrorMessage (conn)));
      return FALSE;
    }
  if (PQntuples (res) == 0)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND, "team “%s” not found", team);
      return FALSE;
    }
  if (PQntuples (res) > 1)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_CONFLICT,
                   "%d teams are called “%s”: give the team's id instead", PQntuples (res), team);
      return FALSE;
    }
  *team_id = g_strdup (PQgetvalue (res, 0, 0));
  *region_id = PQgetisnull (res, 0, 1) ? NULL : g_strdup (PQgetvalue (res, 0, 1));
  return TRUE;
}

static int
user_add (CrmConfig  *config,
          const char *login,
          const char *role,
          const char *team,
          const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *team_id = NULL;
  g_autofree char *region_id = NULL;
  const char *params[6];

  if (!crm_validate_login (login))
    {
      fprintf (stderr, "keyline-server user add: invalid login “%s”: 2–64 letters, digits, '.', '_' or '-'\n",
               login);
      return 2;
    }
  if (role == NULL || crm_wire_lookup (crm_role_names, role) < 0)
    {
      g_autofree char *roles = g_strjoinv (", ", (char **) crm_role_names);

      fprintf (stderr, "keyline-server user add: --role must be one of %s\n", roles);
      return 2;
    }
  if (name != NULL && !crm_validate_text ("name", name, 1, 200, &error))
    {
      fprintf (stderr, "keyline-server user add: %s\n", error->message);
      return 2;
    }

  if (!(password = read_password (&error)))
    {
      fprintf (stderr, "keyline-server user add: %s\n", error->message);
      return 1;
    }
  if (!(hash = crm_auth_hash_password (password, &error)) ||
      !crm_migrate_run (config->database, NULL, &error) ||
      !(conn = crm_pg_connect_blocking (config->database, &error)) ||
      (team != NULL && !find_team (conn, team, &team_id, &region_id, &error)))
    {
      fprintf (stderr, "keyline-server user add: %s\n", error->message);
      return 1;
    }

  params[0] = login;
  params[1] = name ? name : login;
  params[2] = role;
  params[3] = team_id;
  params[4] = region_id;
  params[5] = hash;
  res = PQexecParams (conn,
                      "INSERT INTO crm.users (login, display_name, role, team_id, region_id, password_hash) "
                      "VALUES ($1, $2, $3::crm.user_role, $4::uuid, $5::uuid, $6) RETURNING id",
                      6, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      const char *state = PQresultErrorField (res, PG_DIAG_SQLSTATE);

      if (state && g_str_equal (state, "23505"))
        fprintf (stderr, "keyline-server user add: login “%s” exists\n", login);
      else
        fprintf (stderr, "keyline-server user add: %s\n", g_strchomp (PQerrorMessage (conn)));
      return 1;
    }
  printf ("%s\n", PQgetvalue (res, 0, 0));
  return 0;
}

int
crm_user_command (CrmConfig  *config,
                  int         argc,
                  char      **argv)
{
  g_autofree char *role = NULL;
  g_autofree char *team = NULL;
  g_autofree char *name = NULL;
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &role, "admin, director, manager, marketing or service", "ROLE" },
    { "team", 0, 0, G_OPTION_ARG_STRING, &team, "The user's team, by name or id", "TEAM" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name (default: the login)", "NAME" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("add LOGIN - add a user; the password is read from stdin");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "keyline-server user: %s\n", error->message);
      return 2;
    }
  if (argc != 3 || !g_str_equal (argv[1], "add"))
    {
      fprintf (stderr, "Usage: keyline-server user add LOGIN --role ROLE [--team TEAM] [--name NAME] < password\n");
      return 2;
    }
  return user_add (config, argv[2], role, team, name);
}

/* keyline-server refresh: brings every customer's kept ARPU figures
 * (crm.customers.arpu_*, 0020) to the current month and its kept nearest
 * contract end (contract_end_next, 0022) forward past today.  They follow
 * their tables by themselves; only the turn of a month (of a day) makes
 * them stale, and then the segment preview takes its slow path until this
 * runs (packaging/keyline-server-refresh.timer runs it daily).  Then it
 * vacuums crm.customers, which keeps the pages all-visible that the
 * preview's index-only counts need. */
int
crm_refresh_command (CrmConfig  *config,
                     int         argc,
                     char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = NULL;
  g_autoptr(PGresult) res = NULL;

  if (argc > 1)
    {
      fprintf (stderr, "keyline-server refresh: takes no arguments\n");
      return 2;
    }
  if (!crm_migrate_run (config->database, NULL, &error) ||
      !(conn = crm_pg_connect_blocking (config->database, &error)))
    {
      fprintf (stderr, "keyline-server refresh: %s\n", error->message);
      return 1;
    }
  res = PQexec (conn, "SELECT crm.customer_arpu_refresh(), crm.customer_kept_refresh()");
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      fprintf (stderr, "keyline-server refresh: %s\n", g_strchomp (PQerrorMessage (conn)));
      return 1;
    }
  printf ("Brought %s customers' ARPU figures and %s customers' contract ends up to date.\n",
          PQgetvalue (res, 0, 0), PQgetvalue (res, 0, 1));
  /* the visibility map, for the preview's index-only counts (0022) */
  PQclear (res);
  res = PQexec (conn, "VACUUM (ANALYZE) crm.customers");
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      fprintf (stderr, "keyline-server refresh: %s\n", g_strchomp (PQerrorMessage (conn)));
      return 1;
    }
  return 0;
}
