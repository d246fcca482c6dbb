#define G_LOG_DOMAIN "crm-auth"

#include "config.h"

#include <string.h>
#include <sodium.h>

#include "crm-auth.h"
#include "crm-error.h"

/* Waiting places per running check, unless set. */
#define WAITING_PER_THREAD 16

/* Instruments of crm_auth_verify_password (). */
static GMutex   stats_lock;
static guint64  n_verifications;
static guint    running;
static guint    peak_running;

/* The sign-in pool: admitted counts the checks waiting or running. */
static GMutex       pool_lock;
static GCond        pool_cond;
static guint        checking;     /* running now */
static GThreadPool *pool;
static guint        max_running;
static guint        max_waiting;
static gboolean     max_waiting_set;
static guint        admitted;

static guint
max_waiting_for (guint threads)
{
  return max_waiting_set ? max_waiting : threads * WAITING_PER_THREAD;
}

gboolean
crm_auth_init (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "libsodium could not be initialised");
      return FALSE;
    }
  return TRUE;
}

char *
crm_auth_hash_password (const char  *password,
                        GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Out of memory while hashing a password");
      return NULL;
    }
  return g_strdup (hash);
}

gboolean
crm_auth_verify_password (const char *hash,
                          const char *password)
{
  gboolean ok;

  if (hash == NULL || password == NULL)
    return FALSE;

  g_mutex_lock (&stats_lock);
  n_verifications++;
  running++;
  peak_running = MAX (peak_running, running);
  g_mutex_unlock (&stats_lock);

  ok = crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;

  g_mutex_lock (&stats_lock);
  running--;
  g_mutex_unlock (&stats_lock);
  return ok;
}

/* The bounded pool of sign-in checks -------------------------------------- */

typedef struct
{
  char *hash;
  char *password;
} Check;

static void
check_free (gpointer data)
{
  Check *check = data;

  g_free (check->hash);
  if (check->password)
    sodium_memzero (check->password, strlen (check->password));
  g_free (check->password);
  g_free (check);
}

static const char *
dummy_hash (void)
{
  static char *hash;
  static gsize made;

  /* An unknown login costs the same Argon2id work as a known one, so the
   * answer's timing does not tell which logins exist. */
  if (g_once_init_enter (&made))
    {
      hash = crm_auth_hash_password ("keyline-timing-equaliser", NULL);
      g_once_init_leave (&made, 1);
    }
  return hash;
}

static void
check_in_pool (gpointer data,
               gpointer user_data)
{
  g_autoptr(GTask) task = data;
  Check *check = g_task_get_task_data (task);
  gboolean ok = FALSE;

  /* The pool has max_running threads; this holds the bound also while a
   * lowered maximum takes effect (idle threads may still take a task). */
  g_mutex_lock (&pool_lock);
  while (checking >= max_running)
    g_cond_wait (&pool_cond, &pool_lock);
  checking++;
  g_mutex_unlock (&pool_lock);

  if (check->hash != NULL)
    ok = crm_auth_verify_password (check->hash, check->password);
  else
    crm_auth_verify_password (dummy_hash (), check->password);

  g_mutex_lock (&pool_lock);
  checking--;
  admitted--;
  g_cond_signal (&pool_cond);
  g_mutex_unlock (&pool_lock);
  g_task_return_boolean (task, ok);
}

/* The pool, made on first use; call with pool_lock held. */
static GThreadPool *
get_pool (void)
{
  if (max_running == 0)
    max_running = g_get_num_processors ();
  if (pool == NULL)
    pool = g_thread_pool_new (check_in_pool, NULL, (int) max_running, FALSE, NULL);
  return pool;
}

void
crm_auth_check_password_async (const char          *hash,
                               const char          *password,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Check *check;
  gboolean full;

  g_return_if_fail (password != NULL);

  g_task_set_source_tag (task, crm_auth_check_password_async);
  g_mutex_lock (&pool_lock);
  get_pool ();
  full = admitted >= max_running + max_waiting_for (max_running);
  if (!full)
    admitted++;
  g_mutex_unlock (&pool_lock);
  if (full)
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_UNAVAILABLE,
                               "Too many sign-ins at once; try again in a moment");
      return;
    }

  check = g_new0 (Check, 1);
  check->hash = g_strdup (hash);
  check->password = g_strdup (password);
  g_task_set_task_data (task, check, check_free);
  g_thread_pool_push (pool, g_steal_pointer (&task), NULL);
}

gboolean
crm_auth_check_password_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_auth_check_password_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
crm_auth_set_check_limits (guint max_running_,
                           guint max_waiting_)
{
  g_mutex_lock (&pool_lock);
  max_running = max_running_ ? max_running_ : g_get_num_processors ();
  max_waiting = max_waiting_;
  max_waiting_set = TRUE;
  if (pool != NULL)
    g_thread_pool_set_max_threads (pool, (int) max_running, NULL);
  g_cond_broadcast (&pool_cond);
  g_mutex_unlock (&pool_lock);
}

guint64
crm_auth_get_n_verifications (void)
{
  guint64 n;

  g_mutex_lock (&stats_lock);
  n = n_verifications;
  g_mutex_unlock (&stats_lock);
  return n;
}

guint
crm_auth_get_peak_verifications (void)
{
  guint n;

  g_mutex_lock (&stats_lock);
  n = peak_running;
  g_mutex_unlock (&stats_lock);
  return n;
}

void
crm_auth_reset_peak_verifications (void)
{
  g_mutex_lock (&stats_lock);
  peak_running = running;
  g_mutex_unlock (&stats_lock);
}

char *
crm_auth_new_token (void)
{
  guchar bytes[CRM_TOKEN_BYTES];
  char text[sodium_base64_ENCODED_LEN (CRM_TOKEN_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (text);
}

GBytes *
crm_auth_token_hash (const char *token)
{
  guchar digest[crypto_hash_sha256_BYTES];

  crypto_hash_sha256 (digest, (const guchar *) token, strlen (token));
  return g_bytes_new (digest, sizeof digest);
}
