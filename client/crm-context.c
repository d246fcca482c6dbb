#define G_LOG_DOMAIN "crm-context"

#include "config.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "crm-context.h"
#include "crm-error.h"
#include "crm-secret.h"
#include "crm-verifier.h"

/* How often a signed-in client syncs by itself. */
#define SYNC_INTERVAL_SECONDS 120

struct _CrmContext
{
  GObject          parent_instance;

  GSettings       *settings;
  CrmApi          *api;
  JsonObject      *user;
  CrmSessionState  state;
  gboolean         offline;

  /* The session's services: the local copy and what keeps it in sync. */
  CrmStore        *store;
  CrmSyncEngine   *engine;
  char            *store_path;
  guint            sync_interval;

  /* The session came from $KEYLINE_TOKEN: not kept in the keyring. */
  gboolean         env_token;
  gboolean         env_token_tried;

  /* Opened offline with the password checked against the verifier: no
   * token; the server's first answer asks to sign in again. */
  gboolean         local_only;
};

G_DEFINE_FINAL_TYPE (CrmContext, crm_context, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (CrmSessionState, crm_session_state,
  G_DEFINE_ENUM_VALUE (CRM_SESSION_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (CRM_SESSION_SIGNED_OUT, "signed-out"),
  G_DEFINE_ENUM_VALUE (CRM_SESSION_SIGNED_IN, "signed-in"))

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_STATE,
  PROP_API,
  PROP_USER,
  PROP_OFFLINE,
  PROP_STORE,
  PROP_SYNC_ENGINE,
  N_PROPS
};

enum {
  KEYRING_FAILED,
  SESSION_EXPIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The user as far as the settings remember it, for a session whose server
 * cannot be reached. */
static JsonObject *
remembered_user (CrmContext *self)
{
  g_autofree char *login = g_settings_get_string (self->settings, "login");
  g_autofree char *display_name = g_settings_get_string (self->settings, "display-name");
  JsonObject *user = json_object_new ();

  json_object_set_string_member (user, "login", login);
  json_object_set_string_member (user, "display_name", display_name[0] ? display_name : login);

  return user;
}

/* Where the local copy of @login on the server at @base_url lives:
 * $XDG_DATA_HOME/keyline/<host>-<port>/<login>.sqlite.  Anything but
 * letters, digits, '.', '_' and '-' becomes '_', so that neither part can
 * leave the folder. */
static char *
store_path_for (const char *base_url,
                const char *login)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *server = NULL;
  g_autofree char *file = NULL;
  int port;

  if (base_url == NULL || login == NULL || login[0] == '\0')
    return NULL;

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;

  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
  server = g_strdup_printf ("%s-%d", g_uri_get_host (uri), port);
  g_strcanon (server, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "._-", '_');
  file = g_strconcat (login, ".sqlite", NULL);
  g_strcanon (file, G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "._-", '_');
  if (server[0] == '.')
    server[0] = '_';
  if (file[0] == '.')
    file[0] = '_';

  return g_build_filename (g_get_user_data_dir (), "keyline", server, file, NULL);
}

static void
delete_store_files (const char *path)
{
  /* the offline verifier goes with the copy it opens */
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal", "-verifier" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (g_unlink (file) != 0 && errno != ENOENT)
        g_warning ("Could not delete %s: %s", file, g_strerror (errno));
    }
}

static void
drop_services (CrmContext *self)
{
  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->engine, self);
      crm_sync_engine_stop (self->engine);
      g_clear_object (&self->engine);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ENGINE]);
    }
  if (self->store != NULL)
    {
      g_clear_object (&self->store);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }
  g_clear_pointer (&self->store_path, g_free);
}

static gboolean
expire_session_cb (gpointer user_data);

static void
engine_unauthenticated_cb (CrmSyncEngine *engine,
                           CrmContext    *self)
{
  /* Not from inside the engine's own emission: ending the session drops
   * the engine. */
  g_idle_add_full (G_PRIORITY_DEFAULT, expire_session_cb, g_object_ref (self), g_object_unref);
}

static void
engine_finished_cb (CrmSyncEngine *engine,
                    gboolean       success,
                    CrmContext    *self)
{
  /* A session restored while the server could not be reached works: ask
   * who we are again, which ends the offline state. */
  if (success && self->offline && self->state == CRM_SESSION_SIGNED_IN)
    crm_context_restore_async (self, NULL, NULL, NULL);
}

/* Opens the local copy and starts its sync engine for the session, or
 * drops them when there is no session; keeps them while the session's
 * server, user and API client stay the same. */
static void
update_services (CrmContext *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;

  if (self->state == CRM_SESSION_SIGNED_IN && self->api != NULL && self->user != NULL)
    path = store_path_for (crm_api_get_base_url (self->api),
                           json_object_get_string_member_with_default (self->user, "login", NULL));

  if (path != NULL && g_strcmp0 (path, self->store_path) == 0 &&
      self->engine != NULL && crm_sync_engine_get_api (self->engine) == self->api)
    return;

  drop_services (self);
  if (path == NULL)
    return;

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_warning ("Could not make %s: %s", dir, g_strerror (errno));
      return;
    }
  self->store = crm_store_open (path, &error);
  if (self->store == NULL)
    {
      g_warning ("Could not open the local copy %s: %s", path, error->message);
      return;
    }
  self->store_path = g_steal_pointer (&path);
  self->engine = crm_sync_engine_new (self->api, self->store);
  g_signal_connect_object (self->engine, "unauthenticated",
                           G_CALLBACK (engine_unauthenticated_cb), self, 0);
  g_signal_connect_object (self->engine, "finished",
                           G_CALLBACK (engine_finished_cb), self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ENGINE]);

  crm_sync_engine_start (self->engine, self->sync_interval);
}

static void
set_session (CrmContext      *self,
             CrmSessionState  state,
             CrmApi          *api,
             JsonObject      *user,
             gboolean         offline)
{
  g_object_freeze_notify (G_OBJECT (self));

  /* Only crm_context_open_offline_async() makes a session without a token. */
  if (api != self->api)
    self->local_only = FALSE;

  if (g_set_object (&self->api, api))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API]);

  if (self->user != user)
    {
      g_clear_pointer (&self->user, json_object_unref);
      self->user = user ? json_object_ref (user) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
    }

  if (self->offline != offline)
    {
      self->offline = offline;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFLINE]);
    }

  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }

  update_services (self);

  g_object_thaw_notify (G_OBJECT (self));
}

static void
forget_login (CrmContext *self)
{
  g_settings_set_string (self->settings, "login", "");
  g_settings_set_string (self->settings, "display-name", "");
}

static void
secret_store_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(CrmContext) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!crm_secret_store_finish (result, &error))
    {
      /* Said to the user through ::keyring-failed; a machine without a
       * keyring works, offline start included (crm-verifier.h). */
      g_message ("Could not keep the token in the keyring: %s", error->message);
      g_signal_emit (self, signals[KEYRING_FAILED], 0, error);
    }
}

static void
secret_clear_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint *pending = g_task_get_task_data (task);

  if (!crm_secret_clear_finish (result, &error))
    g_warning ("Could not remove the token from the keyring: %s", error->message);

  if (--(*pending) == 0)
    g_task_return_boolean (task, TRUE);
}

static void
sign_out_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  guint *pending = g_task_get_task_data (task);

  /* Signing out locally does not wait for the server: a session the
   * server could not be told about ends when its token expires. */
  if (!crm_api_sign_out_finish (CRM_API (object), result, &error))
    g_message ("Could not end the session on the server: %s", error->message);

  if (--(*pending) == 0)
    g_task_return_boolean (task, TRUE);
}

static void
me_cb (GObject      *object,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) me = NULL;
  CrmContext *self = g_task_get_source_object (task);
  CrmApi *api = CRM_API (object);

  me = crm_api_get_json_finish (api, result, &error);

  if (me != NULL && JSON_NODE_HOLDS_OBJECT (me))
    {
      JsonObject *user = json_node_get_object (me);
      const char *display_name = json_object_get_string_member_with_default (user, "display_name", "");

      if (!self->env_token)
        g_settings_set_string (self->settings, "display-name", display_name);
      set_session (self, CRM_SESSION_SIGNED_IN, api, user, FALSE);
      g_task_return_boolean (task, TRUE);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else if (self->local_only && g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAUTHENTICATED))
    {
      /* The server is back; the copy opened offline has no token for it. */
      g_task_return_boolean (task, TRUE);
      expire_session_cb (self);
    }
  else if (self->env_token)
    {
      /* A token from the environment names no remembered user to work
       * offline as: without the server, nobody is signed in. */
      g_message ("The token of KEYLINE_TOKEN was not accepted: %s",
                 error ? error->message : "not a user");
      self->env_token = FALSE;
      set_session (self, CRM_SESSION_SIGNED_OUT, NULL, NULL, FALSE);
      if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAUTHENTICATED))
        g_signal_emit (self, signals[SESSION_EXPIRED], 0);
      g_task_return_boolean (task, TRUE);
    }
  else if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAUTHENTICATED))
    {
      g_autofree char *login = g_settings_get_string (self->settings, "login");

      /* Expired or signed out elsewhere: the token is of no more use. */
      g_debug ("The saved session has ended: %s", error->message);
      crm_secret_clear_async (crm_api_get_base_url (api), login, NULL, NULL, NULL);
      forget_login (self);
      set_session (self, CRM_SESSION_SIGNED_OUT, NULL, NULL, FALSE);
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      g_autoptr(JsonObject) user = NULL;

      /* Unreachable or failing: keep the session and work offline. */
      g_message ("Cannot check the saved session: %s", error ? error->message : "not a user");
      user = self->user ? json_object_ref (self->user) : remembered_user (self);
      set_session (self, CRM_SESSION_SIGNED_IN, api, user, TRUE);
      g_task_return_boolean (task, TRUE);
    }
}

static void
secret_lookup_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmApi) api = NULL;
  g_autofree char *token = NULL;
  g_autofree char *server = NULL;
  CrmContext *self = g_task_get_source_object (task);
  GCancellable *cancellable;

  token = crm_secret_lookup_finish (result, &error);
  if (token == NULL)
    {
      if (error != NULL)
        g_warning ("Could not look up the token in the keyring: %s", error->message);
      set_session (self, CRM_SESSION_SIGNED_OUT, NULL, NULL, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  server = g_settings_get_string (self->settings, "server-url");
  api = crm_api_new (server, &error);
  if (api == NULL)
    {
      g_warning ("The remembered server address is not usable: %s", error->message);
      set_session (self, CRM_SESSION_SIGNED_OUT, NULL, NULL, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  crm_api_set_token (api, token);
  cancellable = g_task_get_cancellable (task);
  crm_api_get_json_async (api, "/me", NULL, cancellable, me_cb, g_steal_pointer (&task));
}

static gboolean
expire_session_cb (gpointer user_data)
{
  CrmContext *self = user_data;

  if (self->state != CRM_SESSION_SIGNED_IN)
    return G_SOURCE_REMOVE;

  g_debug ("The server no longer accepts the session's token");

  /* The token is of no more use; the login stays, to be offered again,
   * and so does the local copy, for when the same user signs in again.
   * (A copy opened offline had no token: nothing to remove.) */
  if (!self->env_token && !self->local_only && self->api != NULL && self->user != NULL)
    crm_secret_clear_async (crm_api_get_base_url (self->api),
                            json_object_get_string_member_with_default (self->user, "login", ""),
                            NULL, NULL, NULL);
  self->env_token = FALSE;
  set_session (self, CRM_SESSION_SIGNED_OUT, NULL, NULL, FALSE);
  g_signal_emit (self, signals[SESSION_EXPIRED], 0);

  return G_SOURCE_REMOVE;
}

static void
crm_context_dispose (GObject *object)
{
  CrmContext *self = (CrmContext *)object;

  drop_services (self);
  g_clear_object (&self->api);
  g_clear_pointer (&self->user, json_object_unref);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (crm_context_parent_class)->dispose (object);
}

static void
crm_context_constructed (GObject *object)
{
  CrmContext *self = (CrmContext *)object;

  G_OBJECT_CLASS (crm_context_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = g_settings_new (APP_ID);
}

static void
crm_context_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CrmContext *self = CRM_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    case PROP_USER:
      g_value_set_boxed (value, self->user);
      break;

    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SYNC_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_context_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CrmContext *self = CRM_CONTEXT (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_context_class_init (CrmContextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = crm_context_constructed;
  object_class->dispose = crm_context_dispose;
  object_class->get_property = crm_context_get_property;
  object_class->set_property = crm_context_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL,
                         G_TYPE_SETTINGS,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       CRM_TYPE_SESSION_STATE,
                       CRM_SESSION_STARTING,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL,
                         CRM_TYPE_API,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_USER] =
    g_param_spec_boxed ("user", NULL, NULL,
                        JSON_TYPE_OBJECT,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_OFFLINE] =
    g_param_spec_boolean ("offline", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CRM_TYPE_STORE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SYNC_ENGINE] =
    g_param_spec_object ("sync-engine", NULL, NULL,
                         CRM_TYPE_SYNC_ENGINE,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmContext::session-expired:
   *
   * The server no longer accepts the session's token (it expired or was
   * ended elsewhere): the state is signed-out and the user must sign in
   * again.
   */
  signals[SESSION_EXPIRED] =
    g_signal_new ("session-expired",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * CrmContext::keyring-failed:
   * @error: what the keyring said
   *
   * The token of a new session could not be kept: the next start will ask
   * to sign in again.
   */
  signals[KEYRING_FAILED] =
    g_signal_new ("keyring-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
crm_context_init (CrmContext *self)
{
  self->state = CRM_SESSION_STARTING;
  self->sync_interval = SYNC_INTERVAL_SECONDS;
}

/**
 * crm_context_new:
 * @settings: (nullable): the settings to use, or %NULL for the
 *   org.keylinecrm.Keyline schema
 */
CrmContext *
crm_context_new (GSettings *settings)
{
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  return g_object_new (CRM_TYPE_CONTEXT, "settings", settings, NULL);
}

GSettings *
crm_context_get_settings (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->settings;
}

CrmSessionState
crm_context_get_state (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), CRM_SESSION_SIGNED_OUT);

  return self->state;
}

/**
 * crm_context_get_api:
 *
 * Returns: (transfer none) (nullable): the session's API client, %NULL
 *   unless signed in
 */
CrmApi *
crm_context_get_api (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->api;
}

/**
 * crm_context_get_user:
 *
 * Returns: (transfer none) (nullable): the signed-in user as GET /me
 *   answers it (at least "login" and "display_name"), %NULL unless signed in
 */
JsonObject *
crm_context_get_user (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->user;
}

/**
 * crm_context_get_offline:
 *
 * Returns: %TRUE when signed in with a saved session that the server could
 *   not confirm because it could not be reached, or with the local copy
 *   opened offline (crm_context_open_offline_async())
 */
gboolean
crm_context_get_offline (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), FALSE);

  return self->offline;
}

/**
 * crm_context_dup_server_url:
 *
 * Returns: (transfer full): the server address to offer for signing in:
 *   the current session's, else $KEYLINE_SERVER_URL, else the last one used
 */
char *
crm_context_dup_server_url (CrmContext *self)
{
  const char *env;

  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  if (self->api != NULL)
    return g_strdup (crm_api_get_base_url (self->api));

  env = g_getenv ("KEYLINE_SERVER_URL");
  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  return g_settings_get_string (self->settings, "server-url");
}

/**
 * crm_context_restore_async:
 *
 * Picks up the session of the last run: the token of the remembered server
 * and login from the keyring, checked with GET /me.  A token the server
 * refuses is removed; one it cannot check (unreachable, failing) is kept
 * and the session is offline.  Called again while offline, checks again.
 */
void
crm_context_restore_async (CrmContext          *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *server = NULL;
  g_autofree char *login = NULL;
  const char *env;
  const char *env_token;

  g_return_if_fail (CRM_IS_CONTEXT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_context_restore_async);

  if (self->api != NULL)
    {
      crm_api_get_json_async (self->api, "/me", NULL, cancellable, me_cb, g_steal_pointer (&task));
      return;
    }

  server = g_settings_get_string (self->settings, "server-url");
  login = g_settings_get_string (self->settings, "login");
  env = g_getenv ("KEYLINE_SERVER_URL");
  env_token = g_getenv ("KEYLINE_TOKEN");

  /* A token handed over in the environment (tools/demo signs in with curl)
   * is used once, instead of the keyring, and never kept. */
  if (env_token != NULL && env_token[0] != '\0' && !self->env_token_tried)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CrmApi) api = NULL;

      self->env_token_tried = TRUE;
      api = crm_api_new (env != NULL && env[0] != '\0' ? env : server, &error);
      if (api != NULL)
        {
          self->env_token = TRUE;
          crm_api_set_token (api, env_token);
          crm_api_get_json_async (api, "/me", NULL, cancellable, me_cb, g_steal_pointer (&task));
          return;
        }
      g_warning ("KEYLINE_TOKEN is set but the server address is not usable: %s", error->message);
    }

  /* Nobody signed in last time, or asked for another server this time. */
  if (login[0] == '\0' || (env != NULL && env[0] != '\0' && g_strcmp0 (env, server) != 0))
    {
      set_session (self, CRM_SESSION_SIGNED_OUT, NULL, NULL, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  crm_secret_lookup_async (server, login, cancellable, secret_lookup_cb, g_steal_pointer (&task));
}

gboolean
crm_context_restore_finish (CrmContext    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_context_take_session:
 * @api: the API client that signed in, holding the token
 * @token: the token, to be kept in the keyring
 * @user: the signed-in user
 *
 * Makes a new sign-in the current session and remembers it for the next
 * start.  CrmContext::keyring-failed tells when the token could not be kept.
 */
void
crm_context_take_session (CrmContext *self,
                          CrmApi     *api,
                          const char *token,
                          JsonObject *user)
{
  const char *login;
  const char *display_name;

  g_return_if_fail (CRM_IS_CONTEXT (self));
  g_return_if_fail (CRM_IS_API (api));
  g_return_if_fail (token != NULL);
  g_return_if_fail (user != NULL);

  login = json_object_get_string_member_with_default (user, "login", "");
  display_name = json_object_get_string_member_with_default (user, "display_name", "");

  g_settings_set_string (self->settings, "server-url", crm_api_get_base_url (api));
  g_settings_set_string (self->settings, "login", login);
  g_settings_set_string (self->settings, "display-name", display_name);
  self->env_token = FALSE;

  crm_secret_store_async (crm_api_get_base_url (api), login, token, NULL,
                          secret_store_cb, g_object_ref (self));

  set_session (self, CRM_SESSION_SIGNED_IN, api, user, FALSE);
}

/**
 * crm_context_sign_out_async:
 *
 * Ends the session at once: the state is signed-out when this returns.
 * In the background the server is told (DELETE /session; a server that
 * cannot be reached is not waited for) and the token leaves the keyring.
 */
void
crm_context_sign_out_async (CrmContext          *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CrmApi) api = NULL;
  g_autofree char *server = NULL;
  g_autofree char *login = NULL;
  g_autofree char *store_path = NULL;
  guint *pending;

  g_return_if_fail (CRM_IS_CONTEXT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_context_sign_out_async);

  server = g_settings_get_string (self->settings, "server-url");
  login = g_settings_get_string (self->settings, "login");
  api = self->api ? g_object_ref (self->api) : NULL;

  pending = g_new0 (guint, 1);
  *pending = 1;
  g_task_set_task_data (task, pending, g_free);

  if (api != NULL)
    {
      (*pending)++;
      crm_api_sign_out_async (api, cancellable, sign_out_cb, g_object_ref (task));
    }

  /* "Sign out forgets the token and the local copy." */
  store_path = g_strdup (self->store_path);

  if (self->env_token)
    {
      /* Never kept in the keyring, nor the login in the settings. */
      self->env_token = FALSE;
      if (--(*pending) == 0)
        g_task_return_boolean (task, TRUE);
    }
  else
    {
      crm_secret_clear_async (server, login, cancellable, secret_clear_cb, g_steal_pointer (&task));
      forget_login (self);
    }

  set_session (self, CRM_SESSION_SIGNED_OUT, NULL, NULL, FALSE);

  /* The store is closed unless something still holds it; on a POSIX file
   * system an open file can go all the same. */
  if (store_path != NULL)
    delete_store_files (store_path);
}

gboolean
crm_context_sign_out_finish (CrmContext    *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_context_get_store:
 *
 * Returns: (transfer none) (nullable): the signed-in user's local copy,
 *   %NULL unless signed in
 */
CrmStore *
crm_context_get_store (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->store;
}

/**
 * crm_context_get_sync_engine:
 *
 * Returns: (transfer none) (nullable): the engine that keeps the local
 *   copy in sync, %NULL unless signed in
 */
CrmSyncEngine *
crm_context_get_sync_engine (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->engine;
}

/**
 * crm_context_get_store_path:
 *
 * Returns: (nullable): the file of the local copy,
 *   $XDG_DATA_HOME/keyline/<host>-<port>/<login>.sqlite, %NULL unless
 *   signed in
 */
const char *
crm_context_get_store_path (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  return self->store_path;
}

/**
 * crm_context_set_sync_interval:
 * @seconds: between two syncs of their own; 0 for none
 *
 * For sessions that start after the call (default: 120 s).
 */
void
crm_context_set_sync_interval (CrmContext *self,
                               guint       seconds)
{
  g_return_if_fail (CRM_IS_CONTEXT (self));

  self->sync_interval = seconds;
}

/* ------------------------------------------------------------------ */
/* Opening the local copy offline                                      */
/* ------------------------------------------------------------------ */

static void
verifier_written_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!crm_verifier_write_finish (result, &error))
    {
      g_warning ("Could not keep the offline verifier: %s", error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * crm_context_save_verifier_async:
 * @server_url: the server signed in to
 * @login: who signed in
 * @password: the password the server has just accepted
 *
 * Keeps, next to the local copy of @login on @server_url, what
 * crm_context_open_offline_async() checks a password against (an Argon2id
 * hash, computed in a worker thread; never the password).  Called after
 * each successful online sign-in, so a changed password replaces it.
 */
void
crm_context_save_verifier_async (CrmContext          *self,
                                 const char          *server_url,
                                 const char          *login,
                                 const char          *password,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (CRM_IS_CONTEXT (self));
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_context_save_verifier_async);

  store_path = store_path_for (server_url, login);
  if (store_path == NULL)
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_INVALID, "No local copy for this server and login");
      return;
    }
  path = crm_verifier_path_for_store (store_path);
  crm_verifier_write_async (path, password, cancellable, verifier_written_cb, g_steal_pointer (&task));
}

gboolean
crm_context_save_verifier_finish (CrmContext    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_context_dup_verifier_path:
 *
 * Returns: (transfer full) (nullable): where the offline verifier of
 *   @login on @server_url is kept, %NULL if either is not usable
 */
char *
crm_context_dup_verifier_path (CrmContext *self,
                               const char *server_url,
                               const char *login)
{
  g_autofree char *store_path = NULL;

  g_return_val_if_fail (CRM_IS_CONTEXT (self), NULL);

  store_path = store_path_for (server_url, login);
  return store_path ? crm_verifier_path_for_store (store_path) : NULL;
}

typedef struct
{
  char *server_url;
  char *login;
} OfflineData;

static void
offline_data_free (gpointer data)
{
  OfflineData *offline = data;

  g_free (offline->server_url);
  g_free (offline->login);
  g_free (offline);
}

static void
verifier_checked_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmApi) api = NULL;
  g_autoptr(JsonObject) user = NULL;
  g_autofree char *remembered = NULL;
  CrmContext *self = g_task_get_source_object (task);
  OfflineData *offline = g_task_get_task_data (task);

  if (!crm_verifier_check_finish (result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->state == CRM_SESSION_SIGNED_IN)
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_CONFLICT, "Already signed in");
      return;
    }
  api = crm_api_new (offline->server_url, &error);
  if (api == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Who the user is, as far as this computer remembers. */
  remembered = g_settings_get_string (self->settings, "login");
  if (g_strcmp0 (remembered, offline->login) == 0)
    user = remembered_user (self);
  else
    {
      user = json_object_new ();
      json_object_set_string_member (user, "login", offline->login);
      json_object_set_string_member (user, "display_name", offline->login);
    }
  g_settings_set_string (self->settings, "server-url", offline->server_url);
  g_settings_set_string (self->settings, "login", offline->login);
  self->env_token = FALSE;

  set_session (self, CRM_SESSION_SIGNED_IN, api, user, TRUE);
  self->local_only = TRUE;
  g_task_return_boolean (task, TRUE);
}

/**
 * crm_context_open_offline_async:
 *
 * Opens the local copy of @login on @server_url without the server, once
 * @password matches the verifier kept by the last online sign-in here
 * (checked in a worker thread).  The session is then signed in and
 * offline, without a token: the queue of changes grows as usual, and when
 * the server answers again the session ends as an expired one does (the
 * copy and its queue stay) so that the user signs in and the changes go.
 *
 * Fails with CRM_ERROR_NOT_FOUND when there is no local copy or no
 * verifier for @login on @server_url (sign in online once first) and
 * CRM_ERROR_BAD_CREDENTIALS when the password does not match.
 */
void
crm_context_open_offline_async (CrmContext          *self,
                                const char          *server_url,
                                const char          *login,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *verifier = NULL;
  OfflineData *offline;

  g_return_if_fail (CRM_IS_CONTEXT (self));
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_context_open_offline_async);

  store_path = store_path_for (server_url, login);
  if (store_path == NULL || !g_file_test (store_path, G_FILE_TEST_IS_REGULAR))
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_NOT_FOUND,
                               "No local copy of %s on %s here", login ? login : "", server_url ? server_url : "");
      return;
    }

  offline = g_new0 (OfflineData, 1);
  offline->server_url = g_strdup (server_url);
  offline->login = g_strdup (login);
  g_task_set_task_data (task, offline, offline_data_free);

  verifier = crm_verifier_path_for_store (store_path);
  crm_verifier_check_async (verifier, password, cancellable, verifier_checked_cb, g_steal_pointer (&task));
}

gboolean
crm_context_open_offline_finish (CrmContext    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_context_get_local_only:
 *
 * Returns: %TRUE while the session is a local copy opened offline with
 *   the password, which has no token for the server
 */
gboolean
crm_context_get_local_only (CrmContext *self)
{
  g_return_val_if_fail (CRM_IS_CONTEXT (self), FALSE);

  return self->local_only;
}
