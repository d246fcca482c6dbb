#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "crm-api.h"
#include "crm-remote-answer.h"
#include "crm-report-loader.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_FORECAST (crm_pipeline_forecast_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelineForecast, crm_pipeline_forecast, CRM, PIPELINE_FORECAST, GtkBox)

/*
 * The Pipeline section's Forecast page: for a period (a month, quarter or
 * year, with previous and next) and a scope (the user; for directors and
 * administrators a team or region), closed-won, commit, best case and
 * weighted pipeline against the target, as numbers and as a chart, and
 * the teams or people below the scope with who is behind (words and an
 * icon).  A team row drills down to its people, a person to their
 * opportunities in the local store; Back goes up again.
 *
 * The figures come from GET /api/v1/forecast (CrmReportLoader): the last
 * answer per (scope, period, filters) is kept in the store, shown at
 * once, and alone with its age while the server cannot be reached.
 */
GtkWidget       *crm_pipeline_forecast_new         (void);
void             crm_pipeline_forecast_set_store   (CrmPipelineForecast *self,
                                                    CrmStore            *store);
void             crm_pipeline_forecast_set_api     (CrmPipelineForecast *self,
                                                    CrmApi              *api);
/* The signed-in user (GET /me): the role and own team and region decide
 * the scopes offered. */
void             crm_pipeline_forecast_set_user    (CrmPipelineForecast *self,
                                                    JsonObject          *user);
/* The page's filters (owner, team, region, product_line, amount_min,
 * amount_max, close_from, close_to: name -> value), or NULL for none. */
void             crm_pipeline_forecast_set_filters (CrmPipelineForecast *self,
                                                    GHashTable          *filters);
/* "2026-Q4", "2026-12" or "2026". */
void             crm_pipeline_forecast_set_period  (CrmPipelineForecast *self,
                                                    const char          *period);
const char      *crm_pipeline_forecast_get_period  (CrmPipelineForecast *self);
/* Chooses the scope ("me", "team:ID", "region:ID") if it is offered. */
gboolean         crm_pipeline_forecast_set_scope   (CrmPipelineForecast *self,
                                                    const char          *scope);

/* For tests: the loader, the drill-down's depth (0 at the chosen scope). */
CrmReportLoader *crm_pipeline_forecast_get_loader  (CrmPipelineForecast *self);
/* A director's drill-down to another person: GET /opportunities, kept
 * (crm-remote-answer.h); for tests. */
CrmRemoteAnswer *crm_pipeline_forecast_get_person_remote (CrmPipelineForecast *self);
guint            crm_pipeline_forecast_get_depth   (CrmPipelineForecast *self);

G_END_DECLS
