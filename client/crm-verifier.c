#define G_LOG_DOMAIN "crm-verifier"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "crm-error.h"
#include "crm-verifier.h"

typedef struct
{
  char *path;
  char *password;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  if (job->password != NULL)
    sodium_memzero (job->password, strlen (job->password));
  g_free (job->password);
  g_free (job->path);
  g_free (job);
}

static Job *
job_new (const char *path,
         const char *password)
{
  Job *job = g_new0 (Job, 1);

  job->path = g_strdup (path);
  job->password = g_strdup (password);
  return job;
}

static gboolean
ensure_sodium (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "libsodium could not be initialised");
      return FALSE;
    }
  return TRUE;
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  char hash[crypto_pwhash_STRBYTES];
  g_autofree char *dir = g_path_get_dirname (job->path);
  g_autoptr(GError) error = NULL;

  if (!ensure_sodium (&error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (crypto_pwhash_str (hash, job->password, strlen (job->password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_INTERNAL, "Out of memory while hashing the password");
      return;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, G_FILE_ERROR, g_file_error_from_errno (saved),
                               "Could not make %s: %s", dir, g_strerror (saved));
      return;
    }
  if (!g_file_set_contents_full (job->path, hash, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  g_autofree char *hash = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!ensure_sodium (&error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_file_get_contents (job->path, &hash, &length, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_NOT_FOUND,
                                 "No local copy to open offline: sign in online once first");
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (length == 0 || length >= crypto_pwhash_STRBYTES || memchr (hash, '\0', length) != NULL)
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_MALFORMED, "%s is not a password verifier", job->path);
      return;
    }
  if (crypto_pwhash_str_verify (hash, job->password, strlen (job->password)) != 0)
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_BAD_CREDENTIALS,
                               "The password does not match the one of the last sign-in here");
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
run (const char          *path,
     const char          *password,
     gpointer             source_tag,
     GTaskThreadFunc      func,
     GCancellable        *cancellable,
     GAsyncReadyCallback  callback,
     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job_new (path, password), job_free);
  g_task_run_in_thread (task, func);
}

/**
 * crm_verifier_path_for_store:
 *
 * Returns: (transfer full): where the verifier of the local copy at
 *   @store_path lives
 */
char *
crm_verifier_path_for_store (const char *store_path)
{
  g_return_val_if_fail (store_path != NULL, NULL);

  return g_strconcat (store_path, "-verifier", NULL);
}

void
crm_verifier_write_async (const char          *path,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (password != NULL);

  run (path, password, crm_verifier_write_async, write_thread, cancellable, callback, user_data);
}

gboolean
crm_verifier_write_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
crm_verifier_check_async (const char          *path,
                          const char          *password,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (path != NULL);
  g_return_if_fail (password != NULL);

  run (path, password, crm_verifier_check_async, check_thread, cancellable, callback, user_data);
}

gboolean
crm_verifier_check_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
