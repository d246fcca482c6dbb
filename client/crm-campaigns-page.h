#pragma once

#include <adwaita.h>

#include "crm-api.h"
#include "crm-campaign-editor.h"
#include "crm-campaign-results.h"
#include "crm-segment-editor.h"
#include "crm-store.h"
#include "crm-sync-engine.h"

G_BEGIN_DECLS

#define CRM_TYPE_CAMPAIGNS_PAGE (crm_campaigns_page_get_type ())

G_DECLARE_FINAL_TYPE (CrmCampaignsPage, crm_campaigns_page, CRM, CAMPAIGNS_PAGE, AdwBin)

/*
 * The window's Campaigns section (marketing and administrators): the
 * campaigns of the local store, running and planned first, and for the
 * one selected an AdwViewStack "views" whose page "plan" holds its
 * CrmCampaignEditor, its CrmSegmentEditor and Launch.  Launch asks first,
 * then POST /campaigns/{id}/launch, and shows what the launch made; it
 * waits until the campaign and its segment have reached the server (no
 * unsent change of either).  campaigns.new (Ctrl+N in the section) starts
 * a new draft.
 */

GtkWidget         *crm_campaigns_page_new              (void);
CrmStore          *crm_campaigns_page_get_store        (CrmCampaignsPage *self);
void               crm_campaigns_page_set_store        (CrmCampaignsPage *self,
                                                        CrmStore         *store);
void               crm_campaigns_page_set_sync_engine  (CrmCampaignsPage *self,
                                                        CrmSyncEngine    *engine);
/* The server session for the segment count and the launch (NULL, NULL:
 * none) and the signed-in user. */
void               crm_campaigns_page_set_session      (CrmCampaignsPage *self,
                                                        CrmApi           *api,
                                                        JsonObject       *user);
/* The campaign selected (NULL: none, or a new one not yet saved). */
const char        *crm_campaigns_page_get_selected_id  (CrmCampaignsPage *self);
/* Selects campaign @id in the list; FALSE if it is not there. */
gboolean           crm_campaigns_page_select           (CrmCampaignsPage *self,
                                                        const char       *id);
AdwViewStack      *crm_campaigns_page_get_views        (CrmCampaignsPage *self);
CrmCampaignEditor *crm_campaigns_page_get_editor       (CrmCampaignsPage *self);
CrmSegmentEditor  *crm_campaigns_page_get_segment_editor (CrmCampaignsPage *self);
/* The campaigns listed, in the list's order (ids). */
GStrv              crm_campaigns_page_dup_listed       (CrmCampaignsPage *self);
CrmCampaignResults *crm_campaigns_page_open_results   (CrmCampaignsPage *self);
/* Why Launch is not offered now ("" when it is). */
const char        *crm_campaigns_page_get_launch_reason (CrmCampaignsPage *self);

G_END_DECLS
