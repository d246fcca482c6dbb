#define G_LOG_DOMAIN "crm-customer-warnings"

#include "config.h"

#include "crm-customer-warnings.h"
#include "crm-date.h"

gboolean
crm_contract_ends_soon (const char *end,
                        const char *today)
{
  g_autoptr(GDate) end_date = NULL;
  g_autoptr(GDate) today_date = NULL;
  int days;

  if (end == NULL || today == NULL)
    return FALSE;
  end_date = crm_date_parse ("contract_end", end, NULL);
  today_date = crm_date_parse ("today", today, NULL);
  if (end_date == NULL || today_date == NULL)
    return FALSE;
  days = g_date_days_between (today_date, end_date);
  return days >= 0 && days <= CRM_CONTRACT_ENDING_DAYS;
}

CrmCustomerWarnings
crm_customer_warnings_for (const CrmCustomerFacts *facts,
                           const char             *today)
{
  CrmCustomerWarnings warnings = CRM_CUSTOMER_WARNING_NONE;

  g_return_val_if_fail (facts != NULL, CRM_CUSTOMER_WARNING_NONE);

  if (facts->arrears > 0 && facts->arrears > facts->monthly_revenue)
    warnings |= CRM_CUSTOMER_WARNING_ARREARS;
  if (facts->churn_risk >= CRM_CHURN_RISK_HIGH)
    warnings |= CRM_CUSTOMER_WARNING_CHURN_RISK;
  if (crm_contract_ends_soon (facts->next_contract_end, today))
    warnings |= CRM_CUSTOMER_WARNING_CONTRACT_ENDS;
  if (facts->has_overdue_step)
    warnings |= CRM_CUSTOMER_WARNING_OVERDUE_STEP;
  return warnings;
}
