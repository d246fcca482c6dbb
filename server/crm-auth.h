#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRM_TOKEN_BYTES 32      /* 256 bits */

gboolean  crm_auth_init              (GError     **error);
/* Argon2id (libsodium crypto_pwhash_str, interactive limits).  Slow by
 * design: call from a worker thread, never from a main loop. */
char     *crm_auth_hash_password     (const char  *password,
                                      GError     **error);
gboolean  crm_auth_verify_password   (const char  *hash,
                                      const char  *password);
/* A new random token, as URL-safe base64 text for the client. */
char     *crm_auth_new_token         (void);
/* SHA-256 of a token's text: what the database stores. */
GBytes   *crm_auth_token_hash        (const char  *token);

G_END_DECLS
