#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

/*
 * A bulk change of opportunities (the Table's): one update per record,
 * queued through the store's mutation path in a worker, CRM_PIPELINE_BULK_CHUNK
 * records per unit (crm_store_enqueue_updates (): one transaction, one
 * fsync); a unit the store refuses is queued again record by record, so
 * that one refused record (a field the shared rules refuse, a record gone
 * meanwhile) does not keep the others back, and its reason is kept.  How
 * far it is can be read from any thread while it runs; it stops between
 * units when cancelled, keeping what was queued.  Reference counted.
 */
#define CRM_PIPELINE_BULK_CHUNK 50

typedef struct _CrmPipelineBulk CrmPipelineBulk;

CrmPipelineBulk *crm_pipeline_bulk_new          (CrmStore         *store,
                                                 CrmEntity         entity);
CrmPipelineBulk *crm_pipeline_bulk_ref          (CrmPipelineBulk  *self);
void             crm_pipeline_bulk_unref        (CrmPipelineBulk  *self);
/* Before it runs: record @id gets @fields (referenced). */
void             crm_pipeline_bulk_add          (CrmPipelineBulk  *self,
                                                 const char       *id,
                                                 JsonObject       *fields);
/* The same for a record the store may not hold: @record as the server
 * sent it (GET /opportunities), which the change is based on. */
void             crm_pipeline_bulk_add_remote   (CrmPipelineBulk  *self,
                                                 const char       *id,
                                                 JsonObject       *fields,
                                                 JsonObject       *record);
/* (nullable): the record given to crm_pipeline_bulk_add_remote (). */
JsonObject      *crm_pipeline_bulk_get_remote   (CrmPipelineBulk  *self,
                                                 guint             index);
guint            crm_pipeline_bulk_get_size     (CrmPipelineBulk  *self);
const char      *crm_pipeline_bulk_get_id       (CrmPipelineBulk  *self,
                                                 guint             index);
JsonObject      *crm_pipeline_bulk_get_fields   (CrmPipelineBulk  *self,
                                                 guint             index);
/* Records handled so far (queued or refused): any thread. */
guint            crm_pipeline_bulk_get_done     (CrmPipelineBulk  *self);

void             crm_pipeline_bulk_run_async    (CrmPipelineBulk     *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
/* FALSE only when it could not run at all; a stopped run is TRUE (what
 * was queued stays queued) and says so in @stopped. */
gboolean         crm_pipeline_bulk_run_finish   (CrmPipelineBulk  *self,
                                                 GAsyncResult     *result,
                                                 gboolean         *stopped,
                                                 GError          **error);
/* After the run: whether record @id was queued, and why one was refused
 * (NULL: it was not). */
gboolean         crm_pipeline_bulk_was_queued   (CrmPipelineBulk  *self,
                                                 const char       *id);
const char      *crm_pipeline_bulk_get_refusal  (CrmPipelineBulk  *self,
                                                 const char       *id);
guint            crm_pipeline_bulk_get_n_queued (CrmPipelineBulk  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmPipelineBulk, crm_pipeline_bulk_unref)

G_END_DECLS
