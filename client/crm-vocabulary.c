#define G_LOG_DOMAIN "crm-vocabulary"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-vocabulary.h"

/* One table per vocabulary, in the order of its crm-wire.h array. */
static const char * const interaction_kinds[] = {
  N_("Visit"), N_("Call"), N_("E-mail"), N_("Meeting"), NULL
};
static const char * const interaction_outcomes[] = {
  N_("Positive"), N_("Neutral"), N_("Negative"), N_("No answer"), NULL
};
static const char * const contact_roles[] = {
  N_("Decision maker"), N_("Influencer"), N_("End user"), N_("Technical reviewer"), N_("Finance"),
  N_("Other role"), NULL
};
static const char * const stages[] = {
  N_("Prospecting"), N_("Qualification"), N_("Proposal"), N_("Negotiation"), N_("Won"), N_("Lost"), NULL
};
/* an opportunity's products, as a customer's services are grouped */
static const char * const product_categories[] = {
  N_("Dedicated Lines"), N_("Broadband"), N_("Fixed Lines"), N_("Mobile Plans"), N_("IDC"), N_("Cloud"),
  N_("IoT Cards"), N_("SMS"), NULL
};

/* where an opportunity came from */
static const char * const opportunity_sources[] = {
  N_("Direct"), N_("Campaign"), N_("Channel"), N_("Agent"), NULL
};

static const char * const channels[] = {
  N_("SMS"), N_("Phone"), N_("E-mail"), N_("Visit"), N_("Business hall"), NULL
};
static const char * const responses[] = {
  N_("Pending"), N_("Contacted"), N_("Responded"), N_("Converted"), N_("Declined"), N_("Opted out"),
  N_("Unreachable"), NULL
};
static const char * const service_kinds[] = {
  N_("Inquiry"), N_("Quotation"), N_("Order"), N_("Installation"), N_("Fault"), N_("Complaint"), N_("Billing"),
  N_("Cancellation"), NULL
};
static const char * const service_statuses[] = {
  N_("Open"), N_("In progress"), N_("Resolved"), N_("Closed"), NULL
};
static const char * const priorities[] = {
  N_("Low priority"), N_("Normal priority"), N_("High priority"), N_("Urgent"), NULL
};

static const struct
{
  const char * const *names;
  const char * const *labels;
  guint               n;
} vocabularies[] = {
  { crm_interaction_kind_names, interaction_kinds, CRM_N_INTERACTION_KINDS },
  { crm_interaction_outcome_names, interaction_outcomes, CRM_N_INTERACTION_OUTCOMES },
  { crm_contact_role_names, contact_roles, CRM_N_CONTACT_ROLES },
  { crm_stage_names, stages, CRM_N_STAGES },
  { crm_product_category_names, product_categories, CRM_N_PRODUCT_CATEGORIES },
  { crm_opportunity_source_names, opportunity_sources, CRM_N_OPPORTUNITY_SOURCES },
  { crm_channel_kind_names, channels, CRM_N_CHANNEL_KINDS },
  { crm_member_response_names, responses, CRM_N_MEMBER_RESPONSES },
  { crm_service_kind_names, service_kinds, CRM_N_SERVICE_KINDS },
  { crm_service_status_names, service_statuses, CRM_N_SERVICE_STATUSES },
  { crm_priority_names, priorities, CRM_N_PRIORITIES },
};

G_STATIC_ASSERT (G_N_ELEMENTS (interaction_kinds) == CRM_N_INTERACTION_KINDS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (interaction_outcomes) == CRM_N_INTERACTION_OUTCOMES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (contact_roles) == CRM_N_CONTACT_ROLES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (stages) == CRM_N_STAGES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (product_categories) == CRM_N_PRODUCT_CATEGORIES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (opportunity_sources) == CRM_N_OPPORTUNITY_SOURCES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (channels) == CRM_N_CHANNEL_KINDS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (responses) == CRM_N_MEMBER_RESPONSES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (service_kinds) == CRM_N_SERVICE_KINDS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (service_statuses) == CRM_N_SERVICE_STATUSES + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (priorities) == CRM_N_PRIORITIES + 1);

const char *
crm_vocabulary_label_at (const char * const *names,
                         guint               index)
{
  g_return_val_if_fail (names != NULL, "");

  for (guint i = 0; i < G_N_ELEMENTS (vocabularies); i++)
    if (vocabularies[i].names == names)
      return index < vocabularies[i].n ? _(vocabularies[i].labels[index]) : "";
  return index < g_strv_length ((char **) names) ? names[index] : "";
}

const char *
crm_vocabulary_label (const char * const *names,
                      const char         *word)
{
  int index;

  if (word == NULL)
    return "";
  index = crm_wire_lookup (names, word);
  return index >= 0 ? crm_vocabulary_label_at (names, index) : word;
}

const char *
crm_interaction_kind_icon_name (const char *kind)
{
  static const char * const icons[] = {
    "find-location-symbolic", "call-start-symbolic", "mail-unread-symbolic", "system-users-symbolic",
  };
  int index = kind ? crm_wire_lookup (crm_interaction_kind_names, kind) : -1;

  G_STATIC_ASSERT (G_N_ELEMENTS (icons) == CRM_N_INTERACTION_KINDS);
  return index >= 0 ? icons[index] : "x-office-document-symbolic";
}

/* The factors server/crm-seed-customers.c scores churn risk from. */
static const struct
{
  const char *word;
  const char *label;
} churn_reasons[] = {
  { "falling_usage", N_("Falling usage") },
  { "complaints", N_("Complaints") },
  { "arrears", N_("Arrears") },
  { "contract_ending", N_("Contract ending") },
};

const char *
crm_churn_reason_label (const char *word)
{
  if (word == NULL)
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (churn_reasons); i++)
    if (g_str_equal (churn_reasons[i].word, word))
      return _(churn_reasons[i].label);
  return word;
}
