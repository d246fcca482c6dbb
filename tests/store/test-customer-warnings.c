#define G_LOG_DOMAIN "test-customer-warnings"

#include "config.h"

#include "crm-customer-warnings.h"

/*
 * The rule the 360° page's header and the customer list share: each
 * warning at its threshold, one below it, and the dates around the
 * 90-day contract window.
 */

static CrmCustomerFacts
calm (void)
{
  return (CrmCustomerFacts) { .monthly_revenue = 100000, .arrears = 0, .churn_risk = 10 };
}

static void
test_nothing_to_say (void)
{
  CrmCustomerFacts facts = calm ();

  g_assert_cmpint (crm_customer_warnings_for (&facts, "2026-12-03"), ==, CRM_CUSTOMER_WARNING_NONE);
  facts.churn_risk = -1;
  g_assert_cmpint (crm_customer_warnings_for (&facts, "2026-12-03"), ==, CRM_CUSTOMER_WARNING_NONE);
}

static void
test_arrears_above_a_month (void)
{
  CrmCustomerFacts facts = calm ();

  facts.arrears = facts.monthly_revenue;
  g_assert_cmpint (crm_customer_warnings_for (&facts, "2026-12-03"), ==, CRM_CUSTOMER_WARNING_NONE);
  facts.arrears = facts.monthly_revenue + 1;
  g_assert_cmpint (crm_customer_warnings_for (&facts, "2026-12-03"), ==, CRM_CUSTOMER_WARNING_ARREARS);
  /* no revenue at all: any arrears is more than a month of it */
  facts.monthly_revenue = 0;
  facts.arrears = 1;
  g_assert_cmpint (crm_customer_warnings_for (&facts, "2026-12-03"), ==, CRM_CUSTOMER_WARNING_ARREARS);
}

static void
test_churn_risk_high (void)
{
  CrmCustomerFacts facts = calm ();

  facts.churn_risk = CRM_CHURN_RISK_HIGH - 1;
  g_assert_cmpint (crm_customer_warnings_for (&facts, "2026-12-03"), ==, CRM_CUSTOMER_WARNING_NONE);
  facts.churn_risk = CRM_CHURN_RISK_HIGH;
  g_assert_cmpint (crm_customer_warnings_for (&facts, "2026-12-03"), ==, CRM_CUSTOMER_WARNING_CHURN_RISK);
}

static void
test_contract_window (void)
{
  CrmCustomerFacts facts = calm ();

  g_assert_true (crm_contract_ends_soon ("2026-12-03", "2026-12-03"));
  g_assert_true (crm_contract_ends_soon ("2027-03-03", "2026-12-03"));   /* day 90 */
  g_assert_false (crm_contract_ends_soon ("2027-03-04", "2026-12-03"));  /* day 91 */
  g_assert_false (crm_contract_ends_soon ("2026-12-02", "2026-12-03"));  /* already ended */
  g_assert_false (crm_contract_ends_soon (NULL, "2026-12-03"));
  g_assert_false (crm_contract_ends_soon ("2027-02-30", "2026-12-03"));

  facts.next_contract_end = "2027-01-15";
  facts.has_overdue_step = TRUE;
  g_assert_cmpint (crm_customer_warnings_for (&facts, "2026-12-03"), ==,
                   CRM_CUSTOMER_WARNING_CONTRACT_ENDS | CRM_CUSTOMER_WARNING_OVERDUE_STEP);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/warnings/nothing-to-say-for-a-calm-customer", test_nothing_to_say);
  g_test_add_func ("/store/warnings/arrears-above-a-month-of-revenue", test_arrears_above_a_month);
  g_test_add_func ("/store/warnings/churn-risk-from-seventy", test_churn_risk_high);
  g_test_add_func ("/store/warnings/contract-ending-within-ninety-days", test_contract_window);

  return g_test_run ();
}
