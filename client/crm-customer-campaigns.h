#pragma once

#include <gtk/gtk.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_CAMPAIGNS (crm_customer_campaigns_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerCampaigns, crm_customer_campaigns, CRM, CUSTOMER_CAMPAIGNS, GtkBox)

/*
 * The 360° page's Campaigns group (营销活动, issue 11): the customer's
 * campaign targets assigned to the signed-in user or waiting in a
 * channel's queue, from the local store (read in a worker, again on
 * ::changed::campaign_member and ::changed::campaign): campaign and kind,
 * its status, the outcome and channel, and Record Outcome (the
 * CrmOutcomeDialog).  Control members are never shown.  Hidden when the
 * customer has none.
 */
GtkWidget *crm_customer_campaigns_new       (void);
void       crm_customer_campaigns_set_store (CrmCustomerCampaigns *self,
                                             CrmStore             *store);
void       crm_customer_campaigns_show      (CrmCustomerCampaigns *self,
                                             const char           *customer_id);
/* The targets shown (CrmCampaignTask), for tests. */
GPtrArray *crm_customer_campaigns_get_tasks (CrmCustomerCampaigns *self);
gboolean   crm_customer_campaigns_get_busy  (CrmCustomerCampaigns *self);

G_END_DECLS
