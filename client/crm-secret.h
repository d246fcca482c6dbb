#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * The sign-in token in the user's keyring (libsecret), one per server and
 * login: schema org.keylinecrm.Keyline.Token, attributes "server" and
 * "login".
 */
void      crm_secret_store_async   (const char           *server,
                                    const char           *login,
                                    const char           *token,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean  crm_secret_store_finish  (GAsyncResult         *result,
                                    GError              **error);

void      crm_secret_lookup_async  (const char           *server,
                                    const char           *login,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
char     *crm_secret_lookup_finish (GAsyncResult         *result,
                                    GError              **error);

void      crm_secret_clear_async   (const char           *server,
                                    const char           *login,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean  crm_secret_clear_finish  (GAsyncResult         *result,
                                    GError              **error);

G_END_DECLS
