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
