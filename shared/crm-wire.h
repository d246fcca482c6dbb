#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The wire format's closed vocabularies.  Each enum's string form is what
 * travels in JSON and what PostgreSQL stores (the SQL enums in
 * server/sql/0001-schema.sql use the same words in the same order).
 */

typedef enum
{
  CRM_ROLE_ADMIN,
  CRM_ROLE_DIRECTOR,
  CRM_ROLE_MANAGER,
  CRM_ROLE_MARKETING,
  CRM_ROLE_SERVICE,
  CRM_N_ROLES
} CrmRole;

typedef enum
{
  CRM_CUSTOMER_KIND_GOVERNMENT,
  CRM_CUSTOMER_KIND_LARGE_ENTERPRISE,
  CRM_CUSTOMER_KIND_SME,
  CRM_N_CUSTOMER_KINDS
} CrmCustomerKind;

typedef enum
{
  CRM_TIER_KEY,
  CRM_TIER_MAJOR,
  CRM_TIER_STANDARD,
  CRM_N_TIERS
} CrmTier;

typedef enum
{
  CRM_CUSTOMER_STATUS_PROSPECT,
  CRM_CUSTOMER_STATUS_ACTIVE,
  CRM_CUSTOMER_STATUS_CHURNED,
  CRM_N_CUSTOMER_STATUSES
} CrmCustomerStatus;

typedef enum
{
  CRM_STAGE_PROSPECTING,
  CRM_STAGE_QUALIFICATION,
  CRM_STAGE_PROPOSAL,
  CRM_STAGE_NEGOTIATION,
  CRM_STAGE_WON,
  CRM_STAGE_LOST,
  CRM_N_STAGES
} CrmStage;

typedef enum
{
  CRM_PRODUCT_DEDICATED_LINE,
  CRM_PRODUCT_BROADBAND,
  CRM_PRODUCT_FIXED_LINE,
  CRM_PRODUCT_MOBILE_PLAN,
  CRM_PRODUCT_IDC,
  CRM_PRODUCT_CLOUD,
  CRM_PRODUCT_IOT,
  CRM_PRODUCT_SMS,
  CRM_N_PRODUCT_CATEGORIES
} CrmProductCategory;

/* Sort orders of the customers list. */
typedef enum
{
  CRM_CUSTOMER_SORT_NAME,
  CRM_CUSTOMER_SORT_REVENUE,
  CRM_CUSTOMER_SORT_UPDATED,
  CRM_N_CUSTOMER_SORTS
} CrmCustomerSort;

/* Each vocabulary as a NULL-terminated array indexed by its enum. */
extern const char * const crm_role_names[];
extern const char * const crm_customer_kind_names[];
extern const char * const crm_tier_names[];
extern const char * const crm_customer_status_names[];
extern const char * const crm_stage_names[];
extern const char * const crm_product_category_names[];
extern const char * const crm_customer_sort_names[];

/* Returns the index of @name in @names, or -1. */
int   crm_wire_lookup (const char * const *names,
                       const char         *name);

G_END_DECLS
