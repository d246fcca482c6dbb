#pragma once

#include <gio/gio.h>

#include "crm-api.h"
#include "crm-mutation.h"
#include "crm-store.h"

G_BEGIN_DECLS

/*
 * The sync engine moves changes between the local store and the server,
 * and nothing else does: views read the store and write through
 * crm_store_enqueue_*(), then may call crm_sync_engine_sync_now().
 *
 * A sync pushes the queued mutations in order (POST /api/v1/mutations):
 * 200/201 confirm them (crm_store_mutation_done), 412 (or an older
 * server's 409) with "conflicts" keeps them in conflict with the server's current record
 * (crm_store_mutation_conflict, and the "conflict" signal) and goes on with
 * the changes of other records, other 4xx refuse them
 * (crm_store_mutation_failed); a network failure
 * stops the push, marks the engine offline and leaves the queue for the
 * next sync.  Then it pulls GET /api/v1/sync pages from the store's cursor
 * until "more" is false, applying each page in a worker thread
 * (crm_store_apply_sync_page_async), in order, each with its cursor; the
 * next page is asked for while the one before it is applied (one page
 * ahead at most).  A first sync's round sends one entity after another,
 * in the order of crm_sync_stage_entity () (customers, then contacts…):
 * once a page with records of one entity is applied, every entity before
 * it is in full ("entities-done"), and a view of those need not wait for
 * the rest of the sync.  A 401 anywhere emits
 * "unauthenticated" and stops.  Syncs never overlap: a request while one
 * runs is folded into one more run after it.
 */

typedef enum
{
  CRM_SYNC_STATUS_IDLE,      /* the last sync succeeded, or none ran yet */
  CRM_SYNC_STATUS_RUNNING,
  CRM_SYNC_STATUS_OFFLINE,   /* the server could not be reached */
  CRM_SYNC_STATUS_FAILED,    /* the server answered with an error */
} CrmSyncStatus;

#define CRM_TYPE_SYNC_STATUS (crm_sync_status_get_type ())
GType crm_sync_status_get_type (void);

#define CRM_TYPE_SYNC_ENGINE (crm_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (CrmSyncEngine, crm_sync_engine, CRM, SYNC_ENGINE, GObject)

/* Properties (all read-only, notified on the thread that made the engine):
 *   "status"            CrmSyncStatus
 *   "first-sync"        gboolean: the running sync started without a cursor
 *   "entities-done"     guint: while "first-sync" is TRUE, how many entities
 *                       the store has in full, counted in the order the
 *                       server sends them (crm_sync_stage_entity ()); else
 *                       CRM_N_ENTITIES.  crm_sync_engine_get_entity_done ()
 *                       asks about one entity.
 *   "received"          guint64: records applied by the running sync
 *   "total"             guint64: records the first sync will send (0: unknown);
 *                       crm_sync_engine_get_total_estimated() says whether
 *                       the server estimated it (set before the notify)
 *   "last-synced"       GDateTime*: end of the last successful sync, or NULL
 *   "pending"           guint: mutations waiting to be pushed
 *   "last-error"        string: why the last sync failed, or NULL
 * Signals:
 *   "conflict" (CrmMutation *mutation, JsonObject *current)
 *   "unauthenticated" ()
 *   "finished" (gboolean success)
 */

CrmSyncEngine *crm_sync_engine_new              (CrmApi              *api,
                                                 CrmStore            *store);
CrmApi        *crm_sync_engine_get_api          (CrmSyncEngine       *self);
CrmStore      *crm_sync_engine_get_store        (CrmSyncEngine       *self);
CrmSyncStatus  crm_sync_engine_get_status       (CrmSyncEngine       *self);
gboolean       crm_sync_engine_get_first_sync   (CrmSyncEngine       *self);
guint          crm_sync_engine_get_entities_done (CrmSyncEngine      *self);
gboolean       crm_sync_engine_get_entity_done  (CrmSyncEngine       *self,
                                                 CrmEntity            entity);
guint64        crm_sync_engine_get_received     (CrmSyncEngine       *self);
guint64        crm_sync_engine_get_total        (CrmSyncEngine       *self);
gboolean       crm_sync_engine_get_total_estimated (CrmSyncEngine    *self);
double         crm_sync_engine_get_fraction     (CrmSyncEngine       *self);
GDateTime     *crm_sync_engine_get_last_synced  (CrmSyncEngine       *self);
guint          crm_sync_engine_get_pending      (CrmSyncEngine       *self);
const char    *crm_sync_engine_get_last_error   (CrmSyncEngine       *self);

/* Syncs now, then every @interval_seconds (0: no timer) until stopped. */
void           crm_sync_engine_start            (CrmSyncEngine       *self,
                                                 guint                interval_seconds);
void           crm_sync_engine_stop             (CrmSyncEngine       *self);
/* F5: a sync as soon as possible (after the running one, if any). */
void           crm_sync_engine_sync_now         (CrmSyncEngine       *self);
/* Cancels the running sync; what was applied stays, the cursor with it. */
void           crm_sync_engine_cancel           (CrmSyncEngine       *self);

/* Records per GET /api/v1/sync page (the server takes 1 to 2000); the
 * next page asked for uses it.  Default CRM_SYNC_ENGINE_PAGE_SIZE. */
#define CRM_SYNC_ENGINE_PAGE_SIZE 1000
guint          crm_sync_engine_get_page_size    (CrmSyncEngine       *self);
void           crm_sync_engine_set_page_size    (CrmSyncEngine       *self,
                                                 guint                page_size);

/* One sync, for callers that wait for it (tests, sign-in). */
void           crm_sync_engine_sync_async       (CrmSyncEngine       *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       crm_sync_engine_sync_finish      (CrmSyncEngine       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

G_END_DECLS
