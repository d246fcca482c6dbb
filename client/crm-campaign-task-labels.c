#define G_LOG_DOMAIN "crm-campaign-task-labels"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-labels.h"
#include "crm-campaign-task-labels.h"
#include "crm-vocabulary.h"

char *
crm_campaign_task_dup_title (CrmCampaignTask *task)
{
  const char *name = crm_campaign_task_get_campaign_field (task, "name");
  const char *kind = crm_campaign_task_get_campaign_field (task, "kind");

  if (name == NULL)
    return g_strdup (_("A campaign not on this computer"));
  if (kind == NULL)
    return g_strdup (name);
  /* TRANSLATORS: a campaign's name, then its kind ("Promotion") */
  return g_strdup_printf (_("%s · %s"), name, crm_campaign_kind_label (kind));
}

const char *
crm_campaign_task_outcome (CrmCampaignTask *task)
{
  const char *response = crm_campaign_task_get_field (task, "response");

  return crm_vocabulary_label (crm_member_response_names, response ? response : "pending");
}

const char *
crm_campaign_task_channel (CrmCampaignTask *task)
{
  const char *channel = crm_campaign_task_get_field (task, "channel");

  if (channel == NULL)
    channel = crm_campaign_task_get_field (task, "queue");
  return channel ? crm_vocabulary_label (crm_channel_kind_names, channel) : "";
}

gboolean
crm_campaign_task_chinese_ui (void)
{
  const char * const *languages = g_get_language_names ();

  return languages[0] != NULL && g_str_has_prefix (languages[0], "zh");
}
