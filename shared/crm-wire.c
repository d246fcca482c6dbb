#define G_LOG_DOMAIN "crm-wire"

#include "config.h"

#include "crm-wire.h"

const char * const crm_role_names[] = {
  "admin", "director", "manager", "marketing", "service", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_role_names) == CRM_N_ROLES + 1);

const char * const crm_customer_kind_names[] = {
  "government", "large_enterprise", "sme", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_customer_kind_names) == CRM_N_CUSTOMER_KINDS + 1);

const char * const crm_tier_names[] = {
  "key", "major", "standard", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_tier_names) == CRM_N_TIERS + 1);

const char * const crm_customer_status_names[] = {
  "prospect", "active", "churned", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_customer_status_names) == CRM_N_CUSTOMER_STATUSES + 1);

const char * const crm_stage_names[] = {
  "prospecting", "qualification", "proposal", "negotiation", "won", "lost", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_stage_names) == CRM_N_STAGES + 1);

const char * const crm_product_category_names[] = {
  "dedicated_line", "broadband", "fixed_line", "mobile_plan", "idc", "cloud", "iot", "sms", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_product_category_names) == CRM_N_PRODUCT_CATEGORIES + 1);

const char * const crm_subscription_status_names[] = {
  "active", "suspended", "cancelled", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_subscription_status_names) == CRM_N_SUBSCRIPTION_STATUSES + 1);

const char * const crm_interaction_kind_names[] = {
  "visit", "call", "email", "meeting", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_interaction_kind_names) == CRM_N_INTERACTION_KINDS + 1);

const char * const crm_interaction_outcome_names[] = {
  "positive", "neutral", "negative", "no_answer", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_interaction_outcome_names) == CRM_N_INTERACTION_OUTCOMES + 1);

const char * const crm_contact_role_names[] = {
  "decision_maker", "influencer", "user", "technical", "finance", "other", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_contact_role_names) == CRM_N_CONTACT_ROLES + 1);

const char * const crm_opportunity_source_names[] = {
  "direct", "campaign", "channel", "agent", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_opportunity_source_names) == CRM_N_OPPORTUNITY_SOURCES + 1);

const char * const crm_target_metric_names[] = {
  "customers", "revenue", "profit", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_target_metric_names) == CRM_N_TARGET_METRICS + 1);

const char * const crm_campaign_kind_names[] = {
  "promotion", "outreach", "care", "retention", "cross_sell", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_campaign_kind_names) == CRM_N_CAMPAIGN_KINDS + 1);

const char * const crm_campaign_status_names[] = {
  "draft", "planned", "running", "completed", "cancelled", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_campaign_status_names) == CRM_N_CAMPAIGN_STATUSES + 1);

const char * const crm_channel_kind_names[] = {
  "sms", "phone", "email", "visit", "business_hall", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_channel_kind_names) == CRM_N_CHANNEL_KINDS + 1);

const char * const crm_member_response_names[] = {
  "pending", "contacted", "responded", "converted", "declined", "opted_out", "unreachable", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_member_response_names) == CRM_N_MEMBER_RESPONSES + 1);

const char * const crm_service_phase_names[] = {
  "pre_sale", "in_sale", "after_sale", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_service_phase_names) == CRM_N_SERVICE_PHASES + 1);

const char * const crm_service_kind_names[] = {
  "inquiry", "quotation", "order", "installation", "fault", "complaint", "billing", "cancellation", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_service_kind_names) == CRM_N_SERVICE_KINDS + 1);

const char * const crm_service_status_names[] = {
  "open", "in_progress", "resolved", "closed", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_service_status_names) == CRM_N_SERVICE_STATUSES + 1);

const char * const crm_priority_names[] = {
  "low", "normal", "high", "urgent", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_priority_names) == CRM_N_PRIORITIES + 1);

const char * const crm_credit_rating_names[] = {
  "AAA", "AA", "A", "BBB", "BB", "B", "C", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_credit_rating_names) == CRM_N_CREDIT_RATINGS + 1);

const char * const crm_value_segment_names[] = {
  "high", "medium", "low", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_value_segment_names) == CRM_N_VALUE_SEGMENTS + 1);

const char * const crm_customer_sort_names[] = {
  "name", "revenue", "updated", NULL
};
G_STATIC_ASSERT (G_N_ELEMENTS (crm_customer_sort_names) == CRM_N_CUSTOMER_SORTS + 1);

int
crm_wire_lookup (const char * const *names,
                 const char         *name)
{
  if (name == NULL)
    return -1;
  for (int i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return i;
  return -1;
}
