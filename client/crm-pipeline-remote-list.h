#pragma once

#include <gtk/gtk.h>

#include "crm-api.h"
#include "crm-pipeline-model.h"
#include "crm-report.h"
#include "crm-report-loader.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_REMOTE_LIST (crm_pipeline_remote_list_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelineRemoteList, crm_pipeline_remote_list, CRM, PIPELINE_REMOTE_LIST, GObject)

/*
 * The Table of a director's team or region, from the server: GET
 * /opportunities with the page's scope and filters, in the order of one of
 * the server's sort keys (crm_opportunity_sort_names) and direction,
 * CRM_REMOTE_LIST_PAGE_SIZE rows a page, the next page on
 * crm_pipeline_remote_list_load_more () (after = the last page's next).
 * The first page is kept in the store (answer_cache, CrmReportLoader) and
 * shown with its age when the server cannot be reached; nothing is asked
 * while nobody looks (crm_pipeline_remote_list_follow_mapped ()).
 */

#define CRM_REMOTE_LIST_PAGE_SIZE 100

CrmPipelineRemoteList *crm_pipeline_remote_list_new            (void);
void                   crm_pipeline_remote_list_set_api        (CrmPipelineRemoteList  *self,
                                                                CrmApi                 *api);
void                   crm_pipeline_remote_list_set_store      (CrmPipelineRemoteList  *self,
                                                                CrmStore               *store);
void                   crm_pipeline_remote_list_set_stages     (CrmPipelineRemoteList  *self,
                                                                const CrmPipelineStage *stages,
                                                                guint                   n_stages);
/* The scope and filters: asks again. */
void                   crm_pipeline_remote_list_set_query      (CrmPipelineRemoteList  *self,
                                                                const CrmReportQuery   *query);
/* @key: one of crm_opportunity_sort_names; asks again. */
void                   crm_pipeline_remote_list_set_sort       (CrmPipelineRemoteList  *self,
                                                                const char             *key,
                                                                gboolean                descending);
const char            *crm_pipeline_remote_list_get_sort       (CrmPipelineRemoteList  *self,
                                                                gboolean               *descending);
void                   crm_pipeline_remote_list_follow_mapped  (CrmPipelineRemoteList  *self,
                                                                GtkWidget              *widget);
void                   crm_pipeline_remote_list_reload         (CrmPipelineRemoteList  *self);

/* The rows (CrmOpportunityItems) as listed so far: the same object for
 * the list's life. */
GListModel            *crm_pipeline_remote_list_get_items      (CrmPipelineRemoteList  *self);
/* Every match on the server. */
gint64                 crm_pipeline_remote_list_get_total      (CrmPipelineRemoteList  *self);
CrmReportState         crm_pipeline_remote_list_get_state      (CrmPipelineRemoteList  *self);
const GError          *crm_pipeline_remote_list_get_error      (CrmPipelineRemoteList  *self);
char                  *crm_pipeline_remote_list_dup_status     (CrmPipelineRemoteList  *self);
/* Whether a page is being asked (the first or a next one). */
gboolean               crm_pipeline_remote_list_get_loading    (CrmPipelineRemoteList  *self);
gboolean               crm_pipeline_remote_list_can_load_more  (CrmPipelineRemoteList  *self);
void                   crm_pipeline_remote_list_load_more      (CrmPipelineRemoteList  *self);
/* Shows @fields (a bulk change queued here) on the row of @id at once; a
 * new owner_id with the owner's name from the store's directory. */
void                   crm_pipeline_remote_list_apply_change   (CrmPipelineRemoteList  *self,
                                                                const char             *id,
                                                                JsonObject             *fields);
/* The same for the change @seq (an edit), and asks the list again once
 * the server has taken it (or refused it, or found it in conflict). */
void                   crm_pipeline_remote_list_apply_queued   (CrmPipelineRemoteList  *self,
                                                                const char             *id,
                                                                JsonObject             *fields,
                                                                gint64                  seq);

G_END_DECLS
