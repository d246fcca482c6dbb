#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crm-api.h"
#include "crm-store.h"
#include "crm-sync-engine.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_SESSION_STARTING,   /* looking for a saved session */
  CRM_SESSION_SIGNED_OUT,
  CRM_SESSION_SIGNED_IN,
} CrmSessionState;

#define CRM_TYPE_SESSION_STATE (crm_session_state_get_type ())
GType crm_session_state_get_type (void);

#define CRM_TYPE_CONTEXT (crm_context_get_type ())

G_DECLARE_FINAL_TYPE (CrmContext, crm_context, CRM, CONTEXT, GObject)

/*
 * What the client's widgets share, handed down from the application: the
 * settings, the session with the server (its CrmApi and signed-in user),
 * and while signed in the user's local copy (CrmStore, one SQLite file per
 * server and user) and the CrmSyncEngine that keeps it in sync, started
 * with the session and dropped with it.  Signing out deletes the local
 * copy, its queue of unsent changes and its offline verifier (the window
 * asks first when the queue is not empty).  ::session-expired tells when
 * the server refused the token.
 *
 * KEYLINE_TOKEN (with KEYLINE_SERVER_URL), when set at start, is used
 * instead of the keyring's token and never kept.
 */
CrmContext      *crm_context_new                    (GSettings            *settings);
GSettings       *crm_context_get_settings           (CrmContext           *self);
CrmSessionState  crm_context_get_state              (CrmContext           *self);
CrmApi          *crm_context_get_api                (CrmContext           *self);
JsonObject      *crm_context_get_user               (CrmContext           *self);
gboolean         crm_context_get_offline            (CrmContext           *self);
char            *crm_context_dup_server_url         (CrmContext           *self);
CrmStore        *crm_context_get_store              (CrmContext           *self);
CrmSyncEngine   *crm_context_get_sync_engine        (CrmContext           *self);
const char      *crm_context_get_store_path         (CrmContext           *self);
void             crm_context_set_sync_interval      (CrmContext           *self,
                                                     guint                 seconds);

void             crm_context_restore_async          (CrmContext           *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         crm_context_restore_finish         (CrmContext           *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

void             crm_context_take_session           (CrmContext           *self,
                                                     CrmApi               *api,
                                                     const char           *token,
                                                     JsonObject           *user);

void             crm_context_sign_out_async         (CrmContext           *self,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         crm_context_sign_out_finish        (CrmContext           *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);

/* Offline: the local copy opened with the password (see crm-verifier.h) */
void             crm_context_save_verifier_async    (CrmContext           *self,
                                                     const char           *server_url,
                                                     const char           *login,
                                                     const char           *password,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         crm_context_save_verifier_finish   (CrmContext           *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
char            *crm_context_dup_verifier_path      (CrmContext           *self,
                                                     const char           *server_url,
                                                     const char           *login);
void             crm_context_open_offline_async     (CrmContext           *self,
                                                     const char           *server_url,
                                                     const char           *login,
                                                     const char           *password,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean         crm_context_open_offline_finish    (CrmContext           *self,
                                                     GAsyncResult         *result,
                                                     GError              **error);
gboolean         crm_context_get_local_only         (CrmContext           *self);

G_END_DECLS
