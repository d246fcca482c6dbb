#define G_LOG_DOMAIN "crm-campaign-labels"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-labels.h"

/* In the order of crm-wire.h's arrays. */
static const char * const kinds[] = {
  N_("Promotion"), N_("Outreach"), N_("Care"), N_("Retention"), N_("Cross-sell"), NULL
};
static const char * const statuses[] = {
  NC_("campaign", "Draft"), NC_("campaign", "Planned"), NC_("campaign", "Running"),
  NC_("campaign", "Completed"), NC_("campaign", "Cancelled"), NULL
};

G_STATIC_ASSERT (G_N_ELEMENTS (kinds) == CRM_N_CAMPAIGN_KINDS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (statuses) == CRM_N_CAMPAIGN_STATUSES + 1);

const char *
crm_campaign_kind_label_at (guint index)
{
  return index < CRM_N_CAMPAIGN_KINDS ? _(kinds[index]) : "";
}

const char *
crm_campaign_kind_label (const char *kind)
{
  int i = kind ? crm_wire_lookup (crm_campaign_kind_names, kind) : -1;

  if (kind == NULL)
    return "";
  return i >= 0 ? _(kinds[i]) : kind;
}

const char *
crm_campaign_status_label (const char *status)
{
  int i = status ? crm_wire_lookup (crm_campaign_status_names, status) : -1;

  if (status == NULL)
    return "";
  return i >= 0 ? g_dpgettext2 (NULL, "campaign", statuses[i]) : status;
}
