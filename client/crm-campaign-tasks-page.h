#pragma once

#include <adwaita.h>

#include "crm-campaign-task.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CAMPAIGN_TASKS_PAGE (crm_campaign_tasks_page_get_type ())

G_DECLARE_FINAL_TYPE (CrmCampaignTasksPage, crm_campaign_tasks_page, CRM, CAMPAIGN_TASKS_PAGE, AdwBin)

/*
 * The window's "My Campaign Tasks" section (我的营销任务, issue 11): the
 * campaign members assigned to the signed-in user, from the local store
 * (CrmCampaignTask, read in a worker and again when the store's
 * ::changed::campaign_member or ::changed::campaign says so), due first:
 * due (the campaign's end), campaign and kind, customer, offer, channel,
 * outcome, when contacted and when they responded; a mark on a task whose
 * change is not sent yet.  Open (pending or contacted) or All, and a
 * search by customer.  Enter or a double-click (tasks.record-outcome)
 * opens the outcome dialog (CrmOutcomeDialog); tasks.open-customer
 * (Alt+Enter) the customer's 360° page, through the window's
 * win.open-customer.  With no task it says where tasks come from.
 *
 * :open-count is the number of open tasks, :count-label the same as the
 * sidebar shows it ("" for none).
 */
GtkWidget  *crm_campaign_tasks_page_new            (void);
void        crm_campaign_tasks_page_set_store      (CrmCampaignTasksPage *self,
                                                    CrmStore             *store);
CrmStore   *crm_campaign_tasks_page_get_store      (CrmCampaignTasksPage *self);
/* The signed-in user, whose tasks are shown; NULL: none. */
void        crm_campaign_tasks_page_set_user_id    (CrmCampaignTasksPage *self,
                                                    const char           *user_id);
guint       crm_campaign_tasks_page_get_open_count (CrmCampaignTasksPage *self);
/* The tasks shown, after the filter and the search (CrmCampaignTask). */
GListModel *crm_campaign_tasks_page_get_model      (CrmCampaignTasksPage *self);
/* A read of the store is under way or due. */
gboolean    crm_campaign_tasks_page_get_busy       (CrmCampaignTasksPage *self);
/* "list", "empty" (no task at all) or "no-match" */
const char *crm_campaign_tasks_page_get_state      (CrmCampaignTasksPage *self);
/* Selects the task @key ("campaign/customer"); FALSE if it is not shown. */
gboolean    crm_campaign_tasks_page_select         (CrmCampaignTasksPage *self,
                                                    const char           *key);

G_END_DECLS
