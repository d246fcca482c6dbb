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

typedef enum
{
  CRM_SUBSCRIPTION_ACTIVE,
  CRM_SUBSCRIPTION_SUSPENDED,
  CRM_SUBSCRIPTION_CANCELLED,
  CRM_N_SUBSCRIPTION_STATUSES
} CrmSubscriptionStatus;

typedef enum
{
  CRM_INTERACTION_VISIT,
  CRM_INTERACTION_CALL,
  CRM_INTERACTION_EMAIL,
  CRM_INTERACTION_MEETING,
  CRM_N_INTERACTION_KINDS
} CrmInteractionKind;

typedef enum
{
  CRM_OUTCOME_POSITIVE,
  CRM_OUTCOME_NEUTRAL,
  CRM_OUTCOME_NEGATIVE,
  CRM_OUTCOME_NO_ANSWER,
  CRM_N_INTERACTION_OUTCOMES
} CrmInteractionOutcome;

/* A contact's part in the customer's buying decisions (crm.contact_role,
 * server/sql/0013). */
typedef enum
{
  CRM_CONTACT_ROLE_DECISION_MAKER,
  CRM_CONTACT_ROLE_INFLUENCER,
  CRM_CONTACT_ROLE_USER,
  CRM_CONTACT_ROLE_TECHNICAL,
  CRM_CONTACT_ROLE_FINANCE,
  CRM_CONTACT_ROLE_OTHER,
  CRM_N_CONTACT_ROLES
} CrmContactRole;

/* Where an opportunity came from (crm.opportunity_source, server/sql/0014). */
typedef enum
{
  CRM_SOURCE_DIRECT,
  CRM_SOURCE_CAMPAIGN,
  CRM_SOURCE_CHANNEL,
  CRM_SOURCE_AGENT,
  CRM_N_OPPORTUNITY_SOURCES
} CrmOpportunitySource;

typedef enum
{
  CRM_TARGET_CUSTOMERS,
  CRM_TARGET_REVENUE,
  CRM_TARGET_PROFIT,
  CRM_N_TARGET_METRICS
} CrmTargetMetric;

typedef enum
{
  CRM_CAMPAIGN_KIND_PROMOTION,
  CRM_CAMPAIGN_KIND_OUTREACH,
  CRM_CAMPAIGN_KIND_CARE,
  CRM_CAMPAIGN_KIND_RETENTION,
  CRM_CAMPAIGN_KIND_CROSS_SELL,  /* 交叉销售 (0016) */
  CRM_N_CAMPAIGN_KINDS
} CrmCampaignKind;

typedef enum
{
  CRM_CAMPAIGN_DRAFT,
  CRM_CAMPAIGN_PLANNED,
  CRM_CAMPAIGN_RUNNING,
  CRM_CAMPAIGN_COMPLETED,        /* 'finished' before 0016 */
  CRM_CAMPAIGN_CANCELLED,
  CRM_N_CAMPAIGN_STATUSES
} CrmCampaignStatus;

typedef enum
{
  CRM_CHANNEL_SMS,
  CRM_CHANNEL_PHONE,
  CRM_CHANNEL_EMAIL,
  CRM_CHANNEL_VISIT,
  CRM_CHANNEL_BUSINESS_HALL,
  CRM_N_CHANNEL_KINDS
} CrmChannelKind;

typedef enum
{
  CRM_RESPONSE_PENDING,
  CRM_RESPONSE_CONTACTED,
  CRM_RESPONSE_RESPONDED,
  CRM_RESPONSE_CONVERTED,
  CRM_RESPONSE_DECLINED,
  CRM_RESPONSE_OPTED_OUT,     /* asked not to be contacted again */
  CRM_RESPONSE_UNREACHABLE,   /* could not be reached on the campaign's channels */
  CRM_N_MEMBER_RESPONSES
} CrmMemberResponse;

typedef enum
{
  CRM_SERVICE_PHASE_PRE_SALE,
  CRM_SERVICE_PHASE_IN_SALE,
  CRM_SERVICE_PHASE_AFTER_SALE,
  CRM_N_SERVICE_PHASES
} CrmServicePhase;

typedef enum
{
  CRM_SERVICE_KIND_INQUIRY,
  CRM_SERVICE_KIND_QUOTATION,
  CRM_SERVICE_KIND_ORDER,
  CRM_SERVICE_KIND_INSTALLATION,
  CRM_SERVICE_KIND_FAULT,
  CRM_SERVICE_KIND_COMPLAINT,
  CRM_SERVICE_KIND_BILLING,
  CRM_SERVICE_KIND_CANCELLATION,
  CRM_N_SERVICE_KINDS
} CrmServiceKind;

typedef enum
{
  CRM_SERVICE_OPEN,
  CRM_SERVICE_IN_PROGRESS,
  CRM_SERVICE_RESOLVED,
  CRM_SERVICE_CLOSED,
  CRM_N_SERVICE_STATUSES
} CrmServiceStatus;

typedef enum
{
  CRM_PRIORITY_LOW,
  CRM_PRIORITY_NORMAL,
  CRM_PRIORITY_HIGH,
  CRM_PRIORITY_URGENT,
  CRM_N_PRIORITIES
} CrmPriority;

/* Not SQL enums: text columns with a CHECK (... IN (...)) of the same
 * words in the same order. */
typedef enum
{
  CRM_CREDIT_AAA,
  CRM_CREDIT_AA,
  CRM_CREDIT_A,
  CRM_CREDIT_BBB,
  CRM_CREDIT_BB,
  CRM_CREDIT_B,
  CRM_CREDIT_C,
  CRM_N_CREDIT_RATINGS
} CrmCreditRating;

typedef enum
{
  CRM_VALUE_SEGMENT_HIGH,
  CRM_VALUE_SEGMENT_MEDIUM,
  CRM_VALUE_SEGMENT_LOW,
  CRM_N_VALUE_SEGMENTS
} CrmValueSegment;

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
extern const char * const crm_subscription_status_names[];
extern const char * const crm_interaction_kind_names[];
extern const char * const crm_interaction_outcome_names[];
extern const char * const crm_contact_role_names[];
extern const char * const crm_opportunity_source_names[];
extern const char * const crm_target_metric_names[];
extern const char * const crm_campaign_kind_names[];
extern const char * const crm_campaign_status_names[];
extern const char * const crm_channel_kind_names[];
extern const char * const crm_member_response_names[];
extern const char * const crm_service_phase_names[];
extern const char * const crm_service_kind_names[];
extern const char * const crm_service_status_names[];
extern const char * const crm_priority_names[];
extern const char * const crm_credit_rating_names[];
extern const char * const crm_value_segment_names[];

/* Returns the index of @name in @names, or -1. */
int   crm_wire_lookup (const char * const *names,
                       const char         *name);

G_END_DECLS
