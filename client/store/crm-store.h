#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crm-customer.h"
#include "crm-customer-item.h"
#include "crm-fields.h"
#include "crm-mutation.h"
#include "crm-sync-page.h"

G_BEGIN_DECLS

#define CRM_TYPE_STORE (crm_store_get_type ())

G_DECLARE_FINAL_TYPE (CrmStore, crm_store, CRM, STORE, GObject)

/*
 * The client's local copy: one SQLite file per server and user.
 *
 * Every call is blocking and may be made from any thread.  Writes go
 * through one connection, serialised by a mutex; reads through a second,
 * read-only one with its own mutex, so a read never waits for a write
 * (see crm-store.c).  The application calls the heavy write, applying a
 * sync page, from a worker thread through
 * crm_store_apply_sync_page_async(); the others are short.
 *
 * ::customers-changed (GStrv ids) is emitted after each committed change,
 * always on the main context that was the thread default when the store
 * was opened, with the ids of the customers whose row or contacts changed;
 * ids is NULL when everything may have changed (a reset).  Then
 * ::changed (const char *entity, GStrv keys), detailed by the entity's
 * name, once for each entity whose records the change touched, with their
 * keys (NULL: every record of the entity, after a reset).
 *
 * The tables, the statements, the parsing of sync pages and the reads of
 * every entity are built from the entity table (shared/crm-entity.h; see
 * crm-store-entities.c).
 */

CrmStore        *crm_store_open                   (const char          *path,
                                                   GError             **error);
const char      *crm_store_get_path               (CrmStore            *self);
/* PRAGMA user_version: the number of migrations applied. */
guint            crm_store_get_schema_version     (CrmStore            *self);

/* Sync (GET /api/v1/sync) */
gboolean         crm_store_apply_sync_page        (CrmStore            *self,
                                                   JsonObject          *page,
                                                   GError             **error);
void             crm_store_apply_sync_page_async  (CrmStore            *self,
                                                   CrmSyncPage         *page,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         crm_store_apply_sync_page_finish (CrmStore            *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
gboolean         crm_store_reset                  (CrmStore            *self,
                                                   GError             **error);
char            *crm_store_dup_cursor             (CrmStore            *self);
GDateTime       *crm_store_dup_last_sync          (CrmStore            *self);

/* The mutation queue (POST /api/v1/mutations) */
CrmMutation     *crm_store_enqueue_update         (CrmStore            *self,
                                                   CrmEntity            entity,
                                                   const char          *id,
                                                   JsonObject          *changed_fields,
                                                   GError             **error);
/* One update of a unit (crm_store_enqueue_updates). */
typedef struct
{
  CrmEntity   entity;
  const char *id;
  JsonObject *fields;   /* the changed fields, as for crm_store_enqueue_update() */
  JsonObject *remote;   /* NULL, or the record as the server sent it when it
                         * may not be here (crm_store_enqueue_update_of_remote()) */
} CrmStoreUpdate;
CrmMutation     *crm_store_enqueue_update_of_remote (CrmStore          *self,
                                                   CrmEntity            entity,
                                                   JsonObject          *server_record,
                                                   JsonObject          *changed_fields,
                                                   GError             **error);
/* Whether @id's record is here only for its queued changes. */
gboolean         crm_store_is_remote_record       (CrmStore            *self,
                                                   CrmEntity            entity,
                                                   const char          *id);
GPtrArray       *crm_store_enqueue_updates        (CrmStore            *self,
                                                   const CrmStoreUpdate *updates,
                                                   guint                n_updates,
                                                   GError             **error);
void             crm_store_enqueue_updates_async  (CrmStore            *self,
                                                   const CrmStoreUpdate *updates,
                                                   guint                n_updates,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GPtrArray       *crm_store_enqueue_updates_finish (CrmStore            *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
CrmMutation     *crm_store_enqueue_create         (CrmStore            *self,
                                                   CrmEntity            entity,
                                                   const char          *id,
                                                   JsonObject          *fields,
                                                   GError             **error);
CrmMutation     *crm_store_enqueue_delete         (CrmStore            *self,
                                                   CrmEntity            entity,
                                                   const char          *id,
                                                   GError             **error);
CrmMutation     *crm_store_next_mutation          (CrmStore            *self,
                                                   GError             **error);
gboolean         crm_store_mutation_done          (CrmStore            *self,
                                                   gint64               seq,
                                                   JsonObject          *server_record,
                                                   GError             **error);
gboolean         crm_store_mutation_conflict      (CrmStore            *self,
                                                   gint64               seq,
                                                   JsonObject          *current,
                                                   JsonArray           *conflicts,
                                                   const char          *message,
                                                   GError             **error);
gboolean         crm_store_resolve_conflict       (CrmStore            *self,
                                                   gint64               seq,
                                                   const char * const  *keep_mine,
                                                   CrmMutation        **resolved,
                                                   GError             **error);
CrmMutation     *crm_store_get_mutation           (CrmStore            *self,
                                                   gint64               seq,
                                                   GError             **error);
gboolean         crm_store_mutation_failed        (CrmStore            *self,
                                                   gint64               seq,
                                                   const char          *reason,
                                                   GError             **error);
gboolean         crm_store_discard_mutation       (CrmStore            *self,
                                                   gint64               seq,
                                                   GError             **error);
GPtrArray       *crm_store_list_mutations         (CrmStore            *self,
                                                   GError             **error);

/* The queue as the list of unsent changes shows it (read only) */
typedef struct
{
  CrmMutation *mutation;
  char        *customer_id;    /* the customer it belongs to */
  char        *customer_name;  /* NULL if that customer is not here */
  char        *contact_name;   /* NULL for a change of a customer */
  char        *record_name;    /* what names the record (a customer's or a contact's
                                * name, an interaction's subject), or NULL */
  JsonObject  *record;         /* its writable fields as shown, or as the server has
                                * them (a delete), or as a refused create made them;
                                * NULL if it is nowhere */
  GDateTime   *created_at;     /* when it was made (UTC) */
} CrmUnsentChange;

void             crm_unsent_change_free           (CrmUnsentChange     *change);
/* Refused because the record had changed on the server (412). */
gboolean         crm_unsent_change_is_conflict    (const CrmUnsentChange *change);
GPtrArray       *crm_store_list_unsent_changes    (CrmStore            *self,
                                                   GError             **error);
guint            crm_store_count_unsent_changes   (CrmStore            *self,
                                                   GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmUnsentChange, crm_unsent_change_free)

/* The last answer of each server report (GET /forecast, ...) per query,
 * kept for reading offline (crm-store-answers.c): @endpoint the report's
 * path ("/forecast"), @query its parameters as one text.  The newest
 * CRM_STORE_MAX_ANSWERS are kept. */
#define CRM_STORE_MAX_ANSWERS 200
gboolean         crm_store_put_answer             (CrmStore            *self,
                                                   const char          *endpoint,
                                                   const char          *query,
                                                   const char          *answer,
                                                   GDateTime           *fetched_at,
                                                   GError             **error);
gboolean         crm_store_get_answer             (CrmStore            *self,
                                                   const char          *endpoint,
                                                   const char          *query,
                                                   char               **answer,
                                                   GDateTime          **fetched_at,
                                                   GError             **error);

/* Reading */
CrmCustomer     *crm_store_get_customer           (CrmStore            *self,
                                                   const char          *id,
                                                   GError             **error);
GPtrArray       *crm_store_list_customer_items    (CrmStore            *self,
                                                   GError             **error);
GPtrArray       *crm_store_get_customer_items     (CrmStore            *self,
                                                   const char * const  *ids,
                                                   GError             **error);
GStrv            crm_store_get_step_customer_ids  (CrmStore            *self,
                                                   const char * const  *step_ids,
                                                   GError             **error);
/* Any entity's records, as JsonObjects: every one, or a parent's */
GPtrArray       *crm_store_get_records            (CrmStore            *self,
                                                   CrmEntity            entity,
                                                   const char          *parent_id,
                                                   GError             **error);

G_END_DECLS
