#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Server settings.  Precedence, lowest first: built-in defaults, the key
 * file (--config FILE, group [server]), the environment (KEYLINE_*), the
 * command line.
 */
typedef struct
{
  char    *database;        /* libpq conninfo of the owner role (migrations, seed) */
  char    *app_database;    /* conninfo for requests; default: database with user=keyline_app */
  char    *listen_host;
  guint16  listen_port;
  guint    threads;         /* 0: one per core */
  gsize    max_body;        /* bytes; larger request bodies get 413 */
  guint    session_hours;   /* token lifetime */
  guint    throttle_limit;  /* failed sign-ins before a lock */
  guint    throttle_window; /* seconds in which they count */
  guint    throttle_lock;   /* seconds a lock lasts */
  guint    idle_timeout;    /* seconds an idle keep-alive connection is kept */
  guint    request_timeout; /* seconds a request may take to arrive in full */
  guint    max_client_connections; /* open connections per client address */
  guint    identity_cache_entries; /* tokens the identity cache holds; 0: none */
  guint    identity_cache_seconds; /* an entry older than this authenticates again */
  guint    sync_count_sample;      /* customers a first sync's total is counted on (1..1000000) */
  char    *log_level;       /* "info" or "debug" (KEYLINE_LOG) */
} CrmConfig;

CrmConfig *crm_config_new               (void);
/* A deep copy: every string field is duplicated.  A new string field is
 * added here, in crm_config_copy() and in crm_config_free(), and nowhere
 * else. */
CrmConfig *crm_config_copy              (const CrmConfig *config);
void       crm_config_free              (CrmConfig   *config);
/* Applies log_level to this process: "debug" logs every request. */
void       crm_config_apply_log_level   (const CrmConfig *config);
/* Parses the global options out of argv (anywhere in it), leaving the rest. */
gboolean   crm_config_parse             (CrmConfig   *config,
                                         int         *argc,
                                         char      ***argv,
                                         GError     **error);
gboolean   crm_config_load_key_file     (CrmConfig   *config,
                                         const char  *path,
                                         GError     **error);
void       crm_config_load_environment  (CrmConfig   *config);
/* The conninfo requests use: app_database, or database with the user
 * replaced by keyline_app. */
char      *crm_config_get_app_conninfo  (const CrmConfig *config);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmConfig, crm_config_free)

G_END_DECLS
