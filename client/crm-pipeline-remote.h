#pragma once

#include <gtk/gtk.h>

#include "crm-api.h"
#include "crm-pipeline-model.h"
#include "crm-report.h"
#include "crm-report-loader.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_REMOTE (crm_pipeline_remote_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelineRemote, crm_pipeline_remote, CRM, PIPELINE_REMOTE, GObject)

/*
 * The Board of a director's team or region, from the server (their store
 * holds only the opportunities they own): each open stage's header
 * figures from GET /pipeline, its cards page by page from GET
 * /opportunities?stage=S&sort=expected_close (CRM_REMOTE_PAGE_SIZE a
 * page, the next one on crm_pipeline_remote_show_more ()), both with the
 * page's scope and filters.  Each answer is kept in the store
 * (answer_cache, crm-report-loader.c) and shown with its age when the
 * server cannot be reached; nothing is asked while nobody looks
 * (crm_pipeline_remote_follow_mapped ()).
 *
 * A move goes through the mutation path like any other
 * (crm_store_enqueue_update_of_remote (): based on the record the server
 * sent), shows at once (the card in its new column, the headers adjusted
 * by its amounts) and asks the server's figures again once the server
 * has taken it.
 */

#define CRM_REMOTE_PAGE_SIZE 50

CrmPipelineRemote *crm_pipeline_remote_new              (void);
void               crm_pipeline_remote_set_api          (CrmPipelineRemote       *self,
                                                         CrmApi                  *api);
void               crm_pipeline_remote_set_store        (CrmPipelineRemote       *self,
                                                         CrmStore                *store);
/* The stages (their order and default probabilities), as the store's
 * pipeline model has them. */
void               crm_pipeline_remote_set_stages       (CrmPipelineRemote       *self,
                                                         const CrmPipelineStage  *stages,
                                                         guint                    n_stages);
/* The scope and filters (no period): asks everything again. */
void               crm_pipeline_remote_set_query        (CrmPipelineRemote       *self,
                                                         const CrmReportQuery    *query);
const CrmReportQuery *crm_pipeline_remote_get_query     (CrmPipelineRemote       *self);
/* For the days in stage: NULL is the clock. */
void               crm_pipeline_remote_set_now          (CrmPipelineRemote       *self,
                                                         GDateTime               *now);
/* Asks only while @widget is mapped. */
void               crm_pipeline_remote_follow_mapped    (CrmPipelineRemote       *self,
                                                         GtkWidget               *widget);
void               crm_pipeline_remote_reload           (CrmPipelineRemote       *self);

/* The state of the header figures (the board's state). */
CrmReportState     crm_pipeline_remote_get_state        (CrmPipelineRemote       *self);
const GError      *crm_pipeline_remote_get_error        (CrmPipelineRemote       *self);
/* "As of 10:42, 3 hours ago", "Offline. As of …" (crm_report_loader_dup_status ()). */
char              *crm_pipeline_remote_dup_status       (CrmPipelineRemote       *self);
/* The server's figures of @stage (with the moves not yet counted there);
 * FALSE when there are none to show. */
gboolean           crm_pipeline_remote_get_totals       (CrmPipelineRemote       *self,
                                                         CrmStage                 stage,
                                                         CrmPipelineTotals       *totals);

/* @stage's cards (CrmOpportunityItems) as listed so far; the same object
 * for the remote's life. */
GListModel        *crm_pipeline_remote_get_stage_items  (CrmPipelineRemote       *self,
                                                         CrmStage                 stage);
/* How many opportunities @stage has on the server under the filters (of
 * which crm_pipeline_remote_get_stage_items () lists the first). */
gint64             crm_pipeline_remote_get_stage_total  (CrmPipelineRemote       *self,
                                                         CrmStage                 stage);
gboolean           crm_pipeline_remote_get_stage_loading (CrmPipelineRemote      *self,
                                                         CrmStage                 stage);
/* Whether the server has a next page of @stage (and it is not being asked). */
gboolean           crm_pipeline_remote_can_show_more    (CrmPipelineRemote       *self,
                                                         CrmStage                 stage);
/* Asks for @stage's next page; appended when it comes (::changed). */
void               crm_pipeline_remote_show_more        (CrmPipelineRemote       *self,
                                                         CrmStage                 stage);
CrmOpportunityItem *crm_pipeline_remote_lookup          (CrmPipelineRemote       *self,
                                                         const char              *id);

/* Shows @fields, the change @seq queued on card @id (its Edit dialog), at
 * once as a move shows, and asks the server again once it is taken. */
void               crm_pipeline_remote_apply_queued     (CrmPipelineRemote       *self,
                                                         const char              *id,
                                                         JsonObject              *fields,
                                                         gint64                   seq);
void               crm_pipeline_remote_move_async       (CrmPipelineRemote       *self,
                                                         const char              *id,
                                                         CrmStage                 stage,
                                                         const char              *lost_reason,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
CrmPipelineMove   *crm_pipeline_remote_move_finish      (CrmPipelineRemote       *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);
void               crm_pipeline_remote_undo_async       (CrmPipelineRemote       *self,
                                                         const CrmPipelineMove   *move,
                                                         GCancellable            *cancellable,
                                                         GAsyncReadyCallback      callback,
                                                         gpointer                 user_data);
gboolean           crm_pipeline_remote_undo_finish      (CrmPipelineRemote       *self,
                                                         GAsyncResult            *result,
                                                         GError                 **error);

G_END_DECLS
