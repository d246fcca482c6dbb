#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRM_TOKEN_BYTES 32      /* 256 bits */

gboolean  crm_auth_init              (GError     **error);
/* Argon2id (libsodium crypto_pwhash_str, interactive limits: 64 MiB each).
 * Slow by design: call from a worker thread, never from a main loop. */
char     *crm_auth_hash_password     (const char  *password,
                                      GError     **error);
gboolean  crm_auth_verify_password   (const char  *hash,
                                      const char  *password);

/*
 * Password checks for sign-in, on one bounded pool for the whole process:
 * at most max_running run at once (each holds 64 MiB while it runs) and at
 * most max_waiting wait for a thread.  Beyond that the check fails at once
 * with CRM_ERROR_UNAVAILABLE.  A NULL @hash (an unknown login) costs the
 * same work against a dummy hash and never matches.  The callback runs in
 * the thread-default main context of the caller.
 */
void      crm_auth_check_password_async  (const char          *hash,
                                          const char          *password,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean  crm_auth_check_password_finish (GAsyncResult        *result,
                                          GError             **error);
/* 0 for max_running: one per core.  Defaults: one per core, 16 waiting per
 * running thread. */
void      crm_auth_set_check_limits      (guint                max_running,
                                          guint                max_waiting);
/* Instruments, for tests and monitoring: how many hash verifications ran
 * since start, and the most that ever ran at the same time. */
guint64   crm_auth_get_n_verifications   (void);
guint     crm_auth_get_peak_verifications (void);
void      crm_auth_reset_peak_verifications (void);

/* A new random token, as URL-safe base64 text for the client. */
char     *crm_auth_new_token         (void);
/* SHA-256 of a token's text: what the database stores. */
GBytes   *crm_auth_token_hash        (const char  *token);

G_END_DECLS
