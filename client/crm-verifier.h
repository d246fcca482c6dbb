#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The offline verifier: an Argon2id hash of the user's password
 * (libsodium's crypto_pwhash_str, interactive limits), kept next to the
 * local copy (<store>-verifier, mode 0600) so that the copy can be opened
 * without the server.  Written after each successful online sign-in; the
 * password itself is never written.  Hashing and checking run in a worker
 * thread.
 *
 * crm_verifier_check_finish() fails with CRM_ERROR_BAD_CREDENTIALS for a
 * wrong password and CRM_ERROR_NOT_FOUND when there is no verifier.
 */
char     *crm_verifier_path_for_store (const char           *store_path);

void      crm_verifier_write_async    (const char           *path,
                                       const char           *password,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean  crm_verifier_write_finish   (GAsyncResult         *result,
                                       GError              **error);

void      crm_verifier_check_async    (const char           *path,
                                       const char           *password,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
gboolean  crm_verifier_check_finish   (GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS
