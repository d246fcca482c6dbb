#pragma once

#include <glib-object.h>

#include "crm-opportunity-item.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_FILTER (crm_pipeline_filter_get_type ())

/*
 * What the pipeline's views show: every condition set narrows them (an
 * opportunity passes when it meets all).  The same conditions as the
 * server's pipeline endpoints (owner, team, region, product_line,
 * amount_min, amount_max, close_from, close_to):
 *
 * - team: the owner's team;
 * - region: the customer's region or one below it (the caller passes the
 *   region and its sub-regions, as crm.visible_regions () does);
 * - amount: the total contract value, both ends included;
 * - close: the expected close date, both ends included (an opportunity
 *   without one fails a close condition).
 *
 * A saved view is a name and a filter (crm_pipeline_filter_to_variant ()).
 */
typedef struct
{
  char   *owner_id;      /* NULL: anyone */
  char   *team_id;
  char   *region_id;
  char   *product_line;  /* crm_product_category_names */
  gint64  amount_min;    /* fen; -1: no bound */
  gint64  amount_max;
  char   *close_from;    /* "YYYY-MM-DD", or NULL */
  char   *close_to;
} CrmPipelineFilter;

GType              crm_pipeline_filter_get_type     (void) G_GNUC_CONST;
/* Everything passes. */
CrmPipelineFilter *crm_pipeline_filter_new          (void);
CrmPipelineFilter *crm_pipeline_filter_copy         (const CrmPipelineFilter *filter);
void               crm_pipeline_filter_free         (CrmPipelineFilter       *filter);
gboolean           crm_pipeline_filter_equal        (const CrmPipelineFilter *a,
                                                     const CrmPipelineFilter *b);
gboolean           crm_pipeline_filter_is_empty     (const CrmPipelineFilter *filter);
/* @regions: the filter's region and every region below it (a set of ids),
 * or NULL when the filter names no region. */
gboolean           crm_pipeline_filter_matches      (const CrmPipelineFilter *filter,
                                                     CrmOpportunityItem      *item,
                                                     GHashTable              *regions);
/* a{sv} with a member for each condition set ("owner", "team", "region",
 * "product-line" strings, "amount-min", "amount-max" int64s, "close-from",
 * "close-to" strings). */
GVariant          *crm_pipeline_filter_to_variant   (const CrmPipelineFilter *filter);
/* Members it does not know, or of the wrong type, are ignored. */
CrmPipelineFilter *crm_pipeline_filter_new_from_variant (GVariant            *variant);

/* The period a date lies in, for the close-period presets: the month,
 * quarter or year of @date ("YYYY-MM-DD"), as its first and last days. */
typedef enum
{
  CRM_PIPELINE_PERIOD_MONTH,
  CRM_PIPELINE_PERIOD_QUARTER,
  CRM_PIPELINE_PERIOD_YEAR,
} CrmPipelinePeriod;

void               crm_pipeline_period_bounds       (CrmPipelinePeriod        period,
                                                     GDate                   *date,
                                                     char                   **first,
                                                     char                   **last);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmPipelineFilter, crm_pipeline_filter_free)

G_END_DECLS
