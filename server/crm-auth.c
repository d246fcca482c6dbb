#define G_LOG_DOMAIN "crm-auth"

#include "config.h"

#include <string.h>
#include <sodium.h>

#include "crm-auth.h"
#include "crm-error.h"

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
  if (hash == NULL || password == NULL)
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
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
