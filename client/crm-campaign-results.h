#pragma once

#include <adwaita.h>

#include "crm-api.h"
#include "crm-campaign-report.h"
#include "crm-report-loader.h"
#include "crm-store.h"

G_BEGIN_DECLS

/*
 * One campaign's results (GET /campaigns/{id}/results): the key figures,
 * the uplift over the control group in words with its 95 % interval
 * drawn, the control group, the weeks as a chart and the breakdowns by
 * channel, tier, region and account manager as sortable lists.
 *
 * The last answer per campaign is kept in the store's answer cache
 * (endpoint "/campaigns/results", the campaign's id as the query): it is
 * shown at once, with its age, while the server is asked, and stays
 * (marked offline) when the server cannot be reached.  After a sync that
 * brought campaign members (CrmStore::changed::campaign_member) the
 * server is asked again, a moment later.  Export (PDF, CSV) and Compare
 * are offered from the view (actions results.export-pdf,
 * results.export-csv, results.compare, results.refresh).
 */

#define CRM_CAMPAIGN_RESULTS_ENDPOINT "/campaigns/results"

typedef enum
{
  CRM_CAMPAIGN_EXPORT_PDF,
  CRM_CAMPAIGN_EXPORT_CSV,
} CrmCampaignExport;

#define CRM_TYPE_CAMPAIGN_RESULTS (crm_campaign_results_get_type ())

G_DECLARE_FINAL_TYPE (CrmCampaignResults, crm_campaign_results, CRM, CAMPAIGN_RESULTS, AdwBin)

GtkWidget         *crm_campaign_results_new          (void);
void               crm_campaign_results_set_session  (CrmCampaignResults  *self,
                                                      CrmApi              *api,
                                                      CrmStore            *store);
/* @campaign_id NULL: none (the empty state). */
void               crm_campaign_results_set_campaign (CrmCampaignResults  *self,
                                                      const char          *campaign_id);
const char        *crm_campaign_results_get_campaign (CrmCampaignResults  *self);
/* Asks the server again. */
void               crm_campaign_results_reload       (CrmCampaignResults  *self);

/* What is shown (crm-report-loader.h's states). */
CrmReportState     crm_campaign_results_get_state    (CrmCampaignResults  *self);
/* (transfer none) (nullable) */
const CrmCampaignReport *crm_campaign_results_get_report (CrmCampaignResults *self);
/* (transfer none) (nullable): when the shown report was fetched. */
GDateTime         *crm_campaign_results_get_fetched_at (CrmCampaignResults *self);

/* Writes the shown report to @file (what the Export menu does after its
 * Save dialog); the result says whether it was written, and a toast
 * says so, or why not. */
void               crm_campaign_results_save_async   (CrmCampaignResults  *self,
                                                      CrmCampaignExport    format,
                                                      GFile               *file,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean           crm_campaign_results_save_finish  (CrmCampaignResults  *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
