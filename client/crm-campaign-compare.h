#pragma once

#include <adwaita.h>

#include "crm-api.h"
#include "crm-store.h"

G_BEGIN_DECLS

/*
 * Two to four campaigns side by side: their key figures in columns and
 * the uplift of each with its 95 % interval, and whether it shows a
 * measurable effect.  The campaigns are chosen from the local store's
 * (a list of check buttons; at most four); each column shows the kept
 * answer (crm-campaign-results.h) at once and the server's when it comes.
 */

#define CRM_CAMPAIGN_COMPARE_MAX 4

#define CRM_TYPE_CAMPAIGN_COMPARE (crm_campaign_compare_get_type ())

G_DECLARE_FINAL_TYPE (CrmCampaignCompare, crm_campaign_compare, CRM, CAMPAIGN_COMPARE, AdwWindow)

/* @ids: the campaigns first chosen (NULL-terminated; the first four). */
GtkWidget  *crm_campaign_compare_new          (GtkWindow          *parent,
                                               CrmApi             *api,
                                               CrmStore           *store,
                                               const char * const *ids);
/* Chooses @id too (TRUE) or no more (FALSE); FALSE when four are chosen. */
gboolean    crm_campaign_compare_choose       (CrmCampaignCompare *self,
                                               const char         *id,
                                               gboolean            chosen);
/* (transfer full): the chosen campaigns' ids, in their columns' order. */
GStrv       crm_campaign_compare_dup_ids      (CrmCampaignCompare *self);
/* How many columns still wait for their first answer (kept or fresh). */
guint       crm_campaign_compare_get_n_waiting (CrmCampaignCompare *self);
/* How many columns wait for the server's answer. */
guint       crm_campaign_compare_get_n_asking (CrmCampaignCompare *self);

G_END_DECLS
