#pragma once

#include <glib.h>

#include "crm-campaign-task.h"

G_BEGIN_DECLS

/*
 * The lines the task list, the outcome dialog and the 360° page's
 * Campaigns group share, translated (a campaign's kind and status:
 * crm-campaign-labels.h).
 */
/* "政企 5G 套餐升档促销 · Promotion" */
char       *crm_campaign_task_dup_title   (CrmCampaignTask *task);
/* The outcome in words: "Pending", "Converted" ... */
const char *crm_campaign_task_outcome     (CrmCampaignTask *task);
/* The channel in words, or "" when none is recorded (nor queued). */
const char *crm_campaign_task_channel     (CrmCampaignTask *task);
/* Whether the interface speaks Chinese (for a product's name). */
gboolean    crm_campaign_task_chinese_ui  (void);

G_END_DECLS
