#pragma once

#include <glib.h>

#include "crm-campaign-task.h"

G_BEGIN_DECLS

/*
 * The words of campaign tasks as the interface shows them, translated:
 * a campaign's kind ("promotion" 促销 ...) and status ("running" 进行中
 * ...), and the lines the task list, the outcome dialog and the 360°
 * page's Campaigns group share.  The word itself when unknown, "" for
 * NULL.
 */
const char *crm_campaign_kind_label       (const char      *kind);
const char *crm_campaign_status_label     (const char      *status);
/* "政企 5G 套餐升档促销 · Promotion" */
char       *crm_campaign_task_dup_title   (CrmCampaignTask *task);
/* The outcome in words: "Pending", "Converted" ... */
const char *crm_campaign_task_outcome     (CrmCampaignTask *task);
/* The channel in words, or "" when none is recorded (nor queued). */
const char *crm_campaign_task_channel     (CrmCampaignTask *task);
/* Whether the interface speaks Chinese (for a product's name). */
gboolean    crm_campaign_task_chinese_ui  (void);

G_END_DECLS
