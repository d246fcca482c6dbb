#pragma once

#include <adwaita.h>

#include "crm-pipeline-board.h"
#include "crm-pipeline-model.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_PAGE (crm_pipeline_page_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelinePage, crm_pipeline_page, CRM, PIPELINE_PAGE, AdwBin)

/*
 * The window's Pipeline section: the filter bar (owner, team, region,
 * product line, amount range, close period; saved as named views in the
 * "pipeline-views" settings key) over an AdwViewStack of the pipeline's
 * views ("board", "table", "forecast", "analysis"), switched by an
 * AdwViewSwitcher.  The page makes one CrmPipelineModel over the store and
 * hands it to the views that read the store; the filter applies to all.
 */

GtkWidget               *crm_pipeline_page_new          (void);
CrmStore                *crm_pipeline_page_get_store    (CrmPipelinePage         *self);
void                     crm_pipeline_page_set_store    (CrmPipelinePage         *self,
                                                         CrmStore                *store);
/* NULL without a store */
CrmPipelineModel        *crm_pipeline_page_get_model    (CrmPipelinePage         *self);
CrmPipelineBoard        *crm_pipeline_page_get_board    (CrmPipelinePage         *self);
const CrmPipelineFilter *crm_pipeline_page_get_filter   (CrmPipelinePage         *self);
/* Shows @filter in the bar and applies it. */
void                     crm_pipeline_page_set_filter   (CrmPipelinePage         *self,
                                                         const CrmPipelineFilter *filter);
/* Named views: the current filter saved as @name (replacing one of that
 * name), applied, deleted.  FALSE when there is no view @name. */
void                     crm_pipeline_page_save_view    (CrmPipelinePage         *self,
                                                         const char              *name);
gboolean                 crm_pipeline_page_apply_view   (CrmPipelinePage         *self,
                                                         const char              *name);
gboolean                 crm_pipeline_page_delete_view  (CrmPipelinePage         *self,
                                                         const char              *name);

G_END_DECLS
