#pragma once

#include "crm-pipeline-bulk.h"
#include "crm-pipeline-remote-list.h"
#include "crm-pipeline-sort-model.h"
#include "crm-pipeline-table.h"
#include "crm-sort-header.h"

G_BEGIN_DECLS

/*
 * What the Table's two files share: crm-pipeline-table.c (the view, its
 * cells, the selection, the row errors) and crm-pipeline-table-bulk.c
 * (the bulk changes of the selection).
 */

struct _CrmPipelineTable
{
  GtkWidget             parent_instance;

  CrmPipelineModel     *model;
  CrmPipelineSortModel *rows;
  CrmPipelineRemoteList *remote;       /* server mode: a director's team or region */
  GListModel           *shown;         /* what the view lists: rows, or the remote's (borrowed) */
  GtkMultiSelection    *selection;
  CrmSortHeader        *sort_header;
  GSignalGroup         *store_signals;
  GSignalGroup         *engine_signals;  /* the sync engine: a change refused or in
                                          * conflict may change no record */
  char                 *role;          /* as set, or NULL: the session's */
  gboolean              follows_page;  /* the Pipeline page's model */

  GHashTable           *refusals;      /* id -> why the store refused its last bulk change */
  GHashTable           *row_errors;    /* id -> what the row shows: refusals, and changes
                                        * the server refused or found in conflict */
  GHashTable           *title_cells;
  GHashTable           *keep_selected; /* ids of the rows of the last bulk change: a changed
                                        * row is a new item, selected again when it comes */   /* bound GtkListItem of the title column -> itself */
  guint                 errors_idle;

  CrmPipelineBulk      *running;       /* the bulk change being queued, or NULL */
  GCancellable         *cancellable;
  guint                 progress_source;
  CrmPipelineBulk      *undo;          /* the last change's previous values, or NULL */

  GtkColumnViewColumn  *columns[CRM_PIPELINE_N_COLUMNS];

  /* Template widgets */
  AdwToastOverlay      *toasts;
  GtkLabel             *selection_label;
  GtkProgressBar       *progress_bar;
  GtkButton            *cancel_button;
  GtkMenuButton        *stage_button;
  GtkPopover           *stage_popover;
  GtkBox               *stage_buttons;
  GtkEntry             *lost_reason_entry;
  GtkLabel             *lost_reason_error;
  GtkMenuButton        *owner_button;
  GtkPopover           *owner_popover;
  GtkBox               *owner_buttons;
  GtkMenuButton        *close_button;
  GtkPopover           *close_popover;
  GtkEntry             *close_entry;
  GtkLabel             *close_error;
  GtkColumnView        *column_view;
  GtkScrolledWindow    *scroller;
  GtkBox               *remote_bar;
  GtkLabel             *remote_label;
  GtkButton            *load_more_button;
  GtkButton            *retry_button;
  GtkColumnViewColumn  *title_column;
  GtkColumnViewColumn  *customer_column;
  GtkColumnViewColumn  *stage_column;
  GtkColumnViewColumn  *owner_column;
  GtkColumnViewColumn  *amount_column;
  GtkColumnViewColumn  *weighted_column;
  GtkColumnViewColumn  *probability_column;
  GtkColumnViewColumn  *close_column;
  GtkColumnViewColumn  *days_column;
};

CrmStore  *_crm_pipeline_table_get_store          (CrmPipelineTable *self);
gboolean   _crm_pipeline_table_may_change_owner   (CrmPipelineTable *self);
/* (element-type CrmOpportunityItem): the selected rows, in the shown order */
GPtrArray *_crm_pipeline_table_selected_items     (CrmPipelineTable *self);
void       _crm_pipeline_table_refresh_row_errors (CrmPipelineTable *self);
void       _crm_pipeline_table_update_actions     (CrmPipelineTable *self);

void       _crm_pipeline_table_class_init_bulk    (GtkWidgetClass   *widget_class);
void       _crm_pipeline_table_init_bulk          (CrmPipelineTable *self);

G_END_DECLS
