#define G_LOG_DOMAIN "crm-config"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "crm-config.h"
#include "crm-error.h"

CrmConfig *
crm_config_new (void)
{
  CrmConfig *config = g_new0 (CrmConfig, 1);

  config->database = g_strdup ("dbname=keyline");
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 8470;
  config->threads = 0;
  config->max_body = 1024 * 1024;
  config->session_hours = 24 * 14;
  config->throttle_limit = 5;
  config->throttle_window = 15 * 60;
  config->throttle_lock = 15 * 60;
  config->idle_timeout = 60;
  config->log_level = g_strdup ("info");
  return config;
}

void
crm_config_free (CrmConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->database);
  g_free (config->app_database);
  g_free (config->listen_host);
  g_free (config->log_level);
  g_free (config);
}

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static void
set_str (char       **field,
         const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

static gboolean
parse_listen (CrmConfig   *config,
              const char  *value,
              GError     **error)
{
  const char *colon = strrchr (value, ':');
  guint64 port;

  if (colon == NULL || colon == value ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "listen",
                           "--listen takes HOST:PORT, not “%s”", value);
      return FALSE;
    }
  g_free (config->listen_host);
  if (value[0] == '[' && colon[-1] == ']')
    config->listen_host = g_strndup (value + 1, colon - value - 2);
  else
    config->listen_host = g_strndup (value, colon - value);
  config->listen_port = (guint16) port;
  return TRUE;
}

gboolean
crm_config_load_key_file (CrmConfig   *config,
                          const char  *path,
                          GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *app_database = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, error))
    return FALSE;

#define GET_UINT(key, field)                                            \
  if (g_key_file_has_key (kf, "server", key, NULL))                     \
    {                                                                   \
      GError *local = NULL;                                             \
      guint64 v = g_key_file_get_uint64 (kf, "server", key, &local);    \
      if (local != NULL)                                                \
        {                                                               \
          g_propagate_prefixed_error (error, local, "%s: ", path);      \
          return FALSE;                                                 \
        }                                                               \
      config->field = v;                                                \
    }

  GET_UINT ("threads", threads);
  GET_UINT ("max-body", max_body);
  GET_UINT ("session-hours", session_hours);
  GET_UINT ("throttle-limit", throttle_limit);
  GET_UINT ("throttle-window", throttle_window);
  GET_UINT ("throttle-lock", throttle_lock);
  GET_UINT ("idle-timeout", idle_timeout);
#undef GET_UINT

  if ((database = g_key_file_get_string (kf, "server", "database", NULL)))
    set_str (&config->database, database);
  if ((app_database = g_key_file_get_string (kf, "server", "app-database", NULL)))
    set_str (&config->app_database, app_database);
  if ((listen = g_key_file_get_string (kf, "server", "listen", NULL)) &&
      !parse_listen (config, listen, error))
    return FALSE;
  return TRUE;
}

void
crm_config_load_environment (CrmConfig *config)
{
  const char *v;

  if ((v = g_getenv ("KEYLINE_DATABASE")) && *v)
    set_str (&config->database, v);
  if ((v = g_getenv ("KEYLINE_APP_DATABASE")) && *v)
    set_str (&config->app_database, v);
  if ((v = g_getenv ("KEYLINE_LOG")) && *v)
    set_str (&config->log_level, v);
}

gboolean
crm_config_parse (CrmConfig   *config,
                  int         *argc,
                  char      ***argv,
                  GError     **error)
{
  g_autofree char *config_file = NULL;
  g_autofree char *database = NULL;
  g_autofree char *app_database = NULL;
  g_autofree char *listen = NULL;
  int threads = -1;
  g_autoptr(GOptionContext) context = NULL;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file, "Read settings from FILE ([server] group)", "FILE" },
    { "database", 'd', 0, G_OPTION_ARG_STRING, &database, "libpq connection string (also KEYLINE_DATABASE)", "CONNINFO" },
    { "app-database", 0, 0, G_OPTION_ARG_STRING, &app_database, "Connection string for requests (default: --database as keyline_app)", "CONNINFO" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Address to serve on (default 127.0.0.1:8470)", "HOST:PORT" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Server threads (default: one per core)", "N" },
    { NULL }
  };

  context = g_option_context_new ("[COMMAND] — the Keyline CRM server");
  g_option_context_set_summary (context,
                                "Commands: serve (default), migrate, seed [--customers N] [--seed N] [--password PW],\n"
                                "user add LOGIN --role ROLE [--team TEAM]");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_set_help_enabled (context, TRUE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  if (config_file && !crm_config_load_key_file (config, config_file, error))
    return FALSE;
  crm_config_load_environment (config);
  if (database)
    set_str (&config->database, database);
  if (app_database)
    set_str (&config->app_database, app_database);
  if (listen && !parse_listen (config, listen, error))
    return FALSE;
  if (threads > 256)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "threads", "--threads must be from 1 to 256");
      return FALSE;
    }
  if (threads >= 1)
    config->threads = threads;
  return TRUE;
}

char *
crm_config_get_app_conninfo (const CrmConfig *config)
{
  if (config->app_database != NULL)
    return g_strdup (config->app_database);
  /* A later keyword wins in a libpq conninfo string. */
  if (strstr (config->database, "://") != NULL)
    {
      const char *sep = strchr (config->database, '?') ? "&" : "?";
      return g_strconcat (config->database, sep, "user=keyline_app", NULL);
    }
  return g_strconcat (config->database, " user=keyline_app", NULL);
}
