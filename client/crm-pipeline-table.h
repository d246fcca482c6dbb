#pragma once

#include <adwaita.h>

#include "crm-pipeline-model.h"
#include "crm-pipeline-remote-list.h"
#include "crm-store.h"
#include "crm-sync-engine.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_TABLE (crm_pipeline_table_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelineTable, crm_pipeline_table, CRM, PIPELINE_TABLE, GtkWidget)

/*
 * The pipeline's Table: the opportunities the pipeline model passes (the
 * Board's, under the same filters) as a column view sorted by the header
 * clicked (on keys computed once: crm-pipeline-sort-model.h), with
 * several rows selected at once (GtkMultiSelection: Shift, Ctrl, Ctrl+A).
 *
 * Bulk changes of the selection, through the store's mutation path (shown
 * at once, sent when the server can be reached: offline too): move to a
 * stage (lost asks for the reason, inline), hand to another owner (only
 * for the roles the entity table lets write owner_id: directors and
 * administrators; the button is hidden for the others), set the expected
 * close date.  Long work shows its progress and can be stopped; a row the
 * store refused, or whose change the server refused or found changed
 * meanwhile (a conflict: resolved in the list of unsent changes, as
 * everywhere), is marked, with the reason as its tooltip.  A finished
 * change offers Undo (the rows' previous values, queued the same way).
 * Activating a row opens the opportunity's Edit dialog (in server mode on
 * the server's record: crm_opportunity_dialog_new_for_remote_edit ()).
 */
GtkWidget         *crm_pipeline_table_new       (void);
/* The model shared with the Board (its filter applies). */
void               crm_pipeline_table_set_model (CrmPipelineTable *self,
                                                 CrmPipelineModel *model);
CrmPipelineModel  *crm_pipeline_table_get_model (CrmPipelineTable *self);
/* Server mode (a director's team or region): @remote's rows; NULL: the
 * model's. */
void               crm_pipeline_table_set_remote (CrmPipelineTable      *self,
                                                  CrmPipelineRemoteList *remote);
CrmPipelineRemoteList *crm_pipeline_table_get_remote (CrmPipelineTable  *self);
/* Without a shared model: a model of its own over @store. */
void               crm_pipeline_table_set_store (CrmPipelineTable *self,
                                                 CrmStore         *store);
/* The signed-in user's role (crm_role_names), which decides whether the
 * owner may be changed; by default the role of the window's session. */
void               crm_pipeline_table_set_role  (CrmPipelineTable *self,
                                                 const char       *role);
/* The sync engine, whose sends may leave a change refused or in conflict
 * without changing any record: the rows' marks follow it.  By default the
 * one of the window's session. */
void               crm_pipeline_table_set_sync_engine (CrmPipelineTable *self,
                                                       CrmSyncEngine    *engine);
/* The list as shown (CrmOpportunityItems, sorted) and its selection. */
GListModel        *crm_pipeline_table_get_rows  (CrmPipelineTable *self);
GtkSelectionModel *crm_pipeline_table_get_selection (CrmPipelineTable *self);
/* TRUE while a bulk change is being queued. */
gboolean           crm_pipeline_table_is_busy   (CrmPipelineTable *self);
/* Why the row of opportunity @id is marked, or NULL. */
const char        *crm_pipeline_table_get_row_error (CrmPipelineTable *self,
                                                     const char       *id);

G_END_DECLS
