#pragma once

#include <gio/gio.h>

#include "crm-opportunity-item.h"

G_BEGIN_DECLS

/* The columns the pipeline's Table sorts by. */
typedef enum
{
  CRM_PIPELINE_COLUMN_TITLE,          /* by the title's collation key */
  CRM_PIPELINE_COLUMN_CUSTOMER,       /* the customer's name; unknown last */
  CRM_PIPELINE_COLUMN_STAGE,          /* in the stages' order */
  CRM_PIPELINE_COLUMN_OWNER,          /* the owner's name; unknown last */
  CRM_PIPELINE_COLUMN_AMOUNT,         /* the total contract value */
  CRM_PIPELINE_COLUMN_WEIGHTED,
  CRM_PIPELINE_COLUMN_PROBABILITY,    /* the effective one */
  CRM_PIPELINE_COLUMN_EXPECTED_CLOSE, /* none last */
  CRM_PIPELINE_COLUMN_DAYS_IN_STAGE,
} CrmPipelineColumn;

#define CRM_PIPELINE_N_COLUMNS (CRM_PIPELINE_COLUMN_DAYS_IN_STAGE + 1)

/* Whether @column holds money or a count: sorted largest first when its
 * header is first clicked. */
gboolean crm_pipeline_column_is_figure (CrmPipelineColumn column);

#define CRM_TYPE_PIPELINE_SORT_MODEL (crm_pipeline_sort_model_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelineSortModel, crm_pipeline_sort_model, CRM, PIPELINE_SORT_MODEL, GObject)

/*
 * The items of a GListModel of CrmOpportunityItem (the pipeline model's
 * filtered list) in the order of one column, as the customer list sorts:
 * each item's keys are computed once (a name's collation key, numbers
 * read from the item), the items are kept in an order-statistic tree
 * (crm-item-tree.h), and a change of the source list moves only the rows
 * it touches, O(log n) each, with one exact items-changed per row; a
 * larger change (more than a few dozen rows at once) or a new order
 * rebuilds the tree from a sorted array and says so in one signal.  Ties
 * are broken by title, then id; descending is the exact reverse.
 */
CrmPipelineSortModel *crm_pipeline_sort_model_new            (GListModel           *source);
void                  crm_pipeline_sort_model_set_sort       (CrmPipelineSortModel *self,
                                                              CrmPipelineColumn     column,
                                                              gboolean              descending);
CrmPipelineColumn     crm_pipeline_sort_model_get_column     (CrmPipelineSortModel *self);
gboolean              crm_pipeline_sort_model_get_descending (CrmPipelineSortModel *self);
/* Where opportunity @id is shown, or FALSE. */
gboolean              crm_pipeline_sort_model_find           (CrmPipelineSortModel *self,
                                                              const char           *id,
                                                              guint                *position);

G_END_DECLS
