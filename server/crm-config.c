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
  config->request_timeout = 30;
  config->max_client_connections = 64;
  config->identity_cache_entries = 10000;
  config->identity_cache_seconds = 300;
  config->sync_count_sample = 500;
  config->log_level = g_strdup ("info");
  return config;
}

CrmConfig *
crm_config_copy (const CrmConfig *config)
{
  CrmConfig *copy = g_memdup2 (config, sizeof *config);

  copy->database = g_strdup (config->database);
  copy->app_database = g_strdup (config->app_database);
  copy->listen_host = g_strdup (config->listen_host);
  copy->log_level = g_strdup (config->log_level);
  return copy;
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
  GET_UINT ("request-timeout", request_timeout);
  GET_UINT ("max-client-connections", max_client_connections);
  GET_UINT ("identity-cache-entries", identity_cache_entries);
  GET_UINT ("identity-cache-seconds", identity_cache_seconds);
  GET_UINT ("sync-count-sample", sync_count_sample);
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

/* Values a key file may set wrongly as well as the command line. */
static gboolean
crm_config_check (const CrmConfig  *config,
                  GError          **error)
{
  if (g_strcmp0 (config->log_level, "info") != 0 && g_strcmp0 (config->log_level, "debug") != 0)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "log",
                           "KEYLINE_LOG must be “info” or “debug”, not “%s”", config->log_level);
      return FALSE;
    }
  if (config->request_timeout == 0 || config->max_client_connections == 0)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, NULL,
                           "request-timeout and max-client-connections must be at least 1");
      return FALSE;
    }
  if (config->identity_cache_entries > 10000000)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "identity-cache-entries",
                           "identity-cache-entries must be from 0 to 10000000");
      return FALSE;
    }
  if (config->identity_cache_seconds == 0 || config->identity_cache_seconds > 86400)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "identity-cache-seconds",
                           "identity-cache-seconds must be from 1 to 86400");
      return FALSE;
    }
  if (config->sync_count_sample == 0 || config->sync_count_sample > 1000000)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "sync-count-sample",
                           "sync-count-sample must be from 1 to 1000000");
      return FALSE;
    }
  return TRUE;
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
  int request_timeout = -1;
  int max_client_connections = -1;
  int identity_cache_entries = -1;
  int identity_cache_seconds = -1;
  int sync_count_sample = -1;
  g_autoptr(GOptionContext) context = NULL;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file, "Read settings from FILE ([server] group)", "FILE" },
    { "database", 'd', 0, G_OPTION_ARG_STRING, &database, "libpq connection string (also KEYLINE_DATABASE)", "CONNINFO" },
    { "app-database", 0, 0, G_OPTION_ARG_STRING, &app_database, "Connection string for requests (default: --database as keyline_app)", "CONNINFO" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Address to serve on (default 127.0.0.1:8470)", "HOST:PORT" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Server threads (default: one per core)", "N" },
    { "request-timeout", 0, 0, G_OPTION_ARG_INT, &request_timeout, "Seconds a request may take to arrive (default 30)", "SECONDS" },
    { "max-client-connections", 0, 0, G_OPTION_ARG_INT, &max_client_connections, "Open connections per client address (default 64)", "N" },
    { "identity-cache-entries", 0, 0, G_OPTION_ARG_INT, &identity_cache_entries,
      "Signed-in tokens whose identity is cached; the oldest goes when full, 0 turns the cache off (default 10000)", "N" },
    { "identity-cache-seconds", 0, 0, G_OPTION_ARG_INT, &identity_cache_seconds,
      "Seconds after which a cached identity is checked in the database again (default 300)", "SECONDS" },
    { "sync-count-sample", 0, 0, G_OPTION_ARG_INT, &sync_count_sample,
      "Customers a first sync's total counts records under; more in scope make it an estimate (default 500)", "N" },
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
  if (request_timeout == 0 || request_timeout > 3600)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "request-timeout",
                           "--request-timeout must be from 1 to 3600 seconds");
      return FALSE;
    }
  if (request_timeout > 0)
    config->request_timeout = request_timeout;
  if (max_client_connections == 0 || max_client_connections > 100000)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "max-client-connections",
                           "--max-client-connections must be from 1 to 100000");
      return FALSE;
    }
  if (max_client_connections > 0)
    config->max_client_connections = max_client_connections;
  if (identity_cache_entries < -1 || identity_cache_entries > 10000000)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "identity-cache-entries",
                           "--identity-cache-entries must be from 0 to 10000000");
      return FALSE;
    }
  if (identity_cache_entries >= 0)
    config->identity_cache_entries = identity_cache_entries;
  if (identity_cache_seconds == 0 || identity_cache_seconds < -1 || identity_cache_seconds > 86400)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "identity-cache-seconds",
                           "--identity-cache-seconds must be from 1 to 86400");
      return FALSE;
    }
  if (identity_cache_seconds > 0)
    config->identity_cache_seconds = identity_cache_seconds;
  if (sync_count_sample == 0 || sync_count_sample < -1 || sync_count_sample > 1000000)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "sync-count-sample",
                           "--sync-count-sample must be from 1 to 1000000");
      return FALSE;
    }
  if (sync_count_sample > 0)
    config->sync_count_sample = sync_count_sample;
  return crm_config_check (config, error);
}

void
crm_config_apply_log_level (const CrmConfig *config)
{
  /* GLib's default log writer drops debug messages unless asked;
   * each request is logged at debug level (crm-http.c, log_request).  All
   * of the log goes to stderr: GLib would send debug and info to stdout,
   * where keyline-server prints what it is listening on. */
  g_log_writer_default_set_use_stderr (TRUE);
  if (g_strcmp0 (config->log_level, "debug") == 0)
    g_log_set_debug_enabled (TRUE);
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
