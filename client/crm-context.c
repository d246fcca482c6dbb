#define G_LOG_DOMAIN "crm-context"

#include "config.h"

#include "crm-context.h"
#include "crm-error.h"
#include "crm-secret.h"

struct _CrmContext
{
  GObject          parent_instance;

  GSettings       *settings;
  CrmApi          *api;
  JsonObject      *user;
  CrmSessionState  state;
  gboolean         offline;
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
  N_PROPS
};

enum {
  KEYRING_FAILED,
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

static void
set_session (CrmContext      *self,
             CrmSessionState  state,
             CrmApi          *api,
             JsonObject      *user,
             gboolean         offline)
{
  g_object_freeze_notify (G_OBJECT (self));

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
      g_warning ("Could not keep the token in the keyring: %s", error->message);
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

      g_settings_set_string (self->settings, "display-name", display_name);
      set_session (self, CRM_SESSION_SIGNED_IN, api, user, FALSE);
      g_task_return_boolean (task, TRUE);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
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

static void
crm_context_dispose (GObject *object)
{
  CrmContext *self = (CrmContext *)object;

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

  g_object_class_install_properties (object_class, N_PROPS, properties);

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
 *   not confirm because it could not be reached
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

  crm_secret_clear_async (server, login, cancellable, secret_clear_cb, g_steal_pointer (&task));

  forget_login (self);
  set_session (self, CRM_SESSION_SIGNED_OUT, NULL, NULL, FALSE);
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
