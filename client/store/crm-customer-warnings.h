#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * What makes a customer need attention: the one rule the 360° page's
 * header, the customer list's columns and its "needs attention" filter
 * share.  Each warning is shown with an icon and words, never by colour
 * alone (crm_customer_warning_label () and _icon_name () in the client).
 */
typedef enum
{
  CRM_CUSTOMER_WARNING_NONE          = 0,
  /* arrears above one month of recurring revenue */
  CRM_CUSTOMER_WARNING_ARREARS       = 1 << 0,
  /* churn risk at or above CRM_CHURN_RISK_HIGH */
  CRM_CUSTOMER_WARNING_CHURN_RISK    = 1 << 1,
  /* an active subscription's contract ends within CRM_CONTRACT_ENDING_DAYS */
  CRM_CUSTOMER_WARNING_CONTRACT_ENDS = 1 << 2,
  /* an open service step is past its time limit */
  CRM_CUSTOMER_WARNING_OVERDUE_STEP  = 1 << 3,
} CrmCustomerWarnings;

#define CRM_CUSTOMER_N_WARNINGS    4
#define CRM_CHURN_RISK_HIGH        70   /* of 100 */
#define CRM_CONTRACT_ENDING_DAYS   90

/* The facts each rule reads. */
typedef struct
{
  gint64      monthly_revenue;     /* fen */
  gint64      arrears;             /* fen */
  int         churn_risk;          /* 0-100, or -1 when not scored */
  const char *next_contract_end;   /* "YYYY-MM-DD": the earliest contract end of
                                    * an active subscription, not before today; or NULL */
  gboolean    has_overdue_step;
} CrmCustomerFacts;

/* @today is the local date as "YYYY-MM-DD". */
CrmCustomerWarnings crm_customer_warnings_for (const CrmCustomerFacts *facts,
                                               const char             *today);

/* Whether @end ("YYYY-MM-DD") is on or after @today and at most
 * CRM_CONTRACT_ENDING_DAYS after it. */
gboolean            crm_contract_ends_soon    (const char             *end,
                                               const char             *today);

G_END_DECLS
