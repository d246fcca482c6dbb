#define G_LOG_DOMAIN "crm-secret"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "crm-secret.h"

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "org.keylinecrm.Keyline.Token",
    SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "login", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static void
store_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
crm_secret_store_async (const char          *server,
                        const char          *login,
                        const char          *token,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autofree char *label = NULL;
  GTask *task;

  g_return_if_fail (server != NULL);
  g_return_if_fail (login != NULL);
  g_return_if_fail (token != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_secret_store_async);

  /* TRANSLATORS: the label of the keyring item; %s are a login and a server address */
  label = g_strdup_printf (_("Keyline sign-in of %s on %s"), login, server);
  secret_password_store (token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                         cancellable, store_cb, task,
                         "server", server,
                         "login", login,
                         NULL);
}

gboolean
crm_secret_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_secret_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *token;

  token = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, (GDestroyNotify) secret_password_free);
}

void
crm_secret_lookup_async (const char          *server,
                         const char          *login,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (server != NULL);
  g_return_if_fail (login != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_secret_lookup_async);

  secret_password_lookup (token_schema (), cancellable, lookup_cb, task,
                          "server", server,
                          "login", login,
                          NULL);
}

/**
 * crm_secret_lookup_finish:
 *
 * Returns: (transfer full) (nullable): the token, or %NULL when there is
 *   none (@error unset) or the keyring failed (@error set)
 */
char *
crm_secret_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  char *secret;
  char *token;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_secret_lookup_async, NULL);

  secret = g_task_propagate_pointer (G_TASK (result), error);
  if (secret == NULL)
    return NULL;

  /* libsecret's copy lives in non-pageable memory and must be freed with
   * secret_password_free (); the caller gets an ordinary string. */
  token = g_strdup (secret);
  secret_password_free (secret);

  return token;
}

static void
clear_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means there was nothing to clear. */
  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
crm_secret_clear_async (const char          *server,
                        const char          *login,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (server != NULL);
  g_return_if_fail (login != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_secret_clear_async);

  secret_password_clear (token_schema (), cancellable, clear_cb, task,
                         "server", server,
                         "login", login,
                         NULL);
}

gboolean
crm_secret_clear_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_secret_clear_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
