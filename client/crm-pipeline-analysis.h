#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "crm-api.h"
#include "crm-report-loader.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_ANALYSIS (crm_pipeline_analysis_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelineAnalysis, crm_pipeline_analysis, CRM, PIPELINE_ANALYSIS, GtkBox)

/*
 * The Pipeline section's Analysis page for a scope (the user; for
 * directors and administrators a team or region): win rate and average
 * deal size; per open stage how many entered it, how many went on (a
 * chart and a list with the conversion and the average days in the
 * stage); the last four quarters (amount won as a chart; won, lost, win
 * rate and deal size in a list); and the reasons opportunities were lost,
 * with their count and amount.
 *
 * From GET /api/v1/pipeline/analysis (CrmReportLoader): the last answer
 * per (scope, filters) is kept in the store and shown with its age while
 * the server cannot be reached.
 */
GtkWidget       *crm_pipeline_analysis_new         (void);
void             crm_pipeline_analysis_set_store   (CrmPipelineAnalysis *self,
                                                    CrmStore            *store);
void             crm_pipeline_analysis_set_api     (CrmPipelineAnalysis *self,
                                                    CrmApi              *api);
/* The signed-in user (GET /me): the scopes offered. */
void             crm_pipeline_analysis_set_user    (CrmPipelineAnalysis *self,
                                                    JsonObject          *user);
/* The page's filters (name -> value, as the endpoints name them), or NULL. */
void             crm_pipeline_analysis_set_filters (CrmPipelineAnalysis *self,
                                                    GHashTable          *filters);
/* Chooses the scope ("me", "team:ID", "region:ID") if it is offered. */
gboolean         crm_pipeline_analysis_set_scope   (CrmPipelineAnalysis *self,
                                                    const char          *scope);
CrmReportLoader *crm_pipeline_analysis_get_loader  (CrmPipelineAnalysis *self);

G_END_DECLS
