#define G_LOG_DOMAIN "crm-campaign-task-labels"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-task-labels.h"
#include "crm-vocabulary.h"

static const char * const kind_labels[] = {
  N_("Promotion"), N_("Outreach"), N_("Care"), N_("Retention"), N_("Cross-sell"),
};
G_STATIC_ASSERT (G_N_ELEMENTS (kind_labels) == CRM_N_CAMPAIGN_KINDS);

static const char * const status_labels[] = {
  /* TRANSLATORS: a campaign's status */
  N_("Draft"), N_("Planned"), N_("Running"), N_("Completed"), N_("Cancelled"),
};
G_STATIC_ASSERT (G_N_ELEMENTS (status_labels) == CRM_N_CAMPAIGN_STATUSES);

static const char *
label_of (const char * const *names,
          const char * const *labels,
          const char         *word)
{
  int i = word ? crm_wire_lookup (names, word) : -1;

  return i < 0 ? (word ? word : "") : _(labels[i]);
}

const char *
crm_campaign_kind_label (const char *kind)
{
  return label_of (crm_campaign_kind_names, kind_labels, kind);
}

const char *
crm_campaign_status_label (const char *status)
{
  return label_of (crm_campaign_status_names, status_labels, status);
}

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
