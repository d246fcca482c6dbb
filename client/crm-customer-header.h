#pragma once

#include <adwaita.h>

#include "crm-customer-summary.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_HEADER (crm_customer_header_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerHeader, crm_customer_header, CRM, CUSTOMER_HEADER, GtkBox)

/*
 * The top of the 360° page: who the customer is (kind, industry, region,
 * tier, owner, status, credit rating), its warnings (colour, icon and
 * words), and its key figures as large numbers: monthly revenue, ARPU
 * with its 12-month sparkline, arrears and their age, open complaints,
 * the open pipeline (unweighted and weighted), value segment and churn
 * risk.  It shows a CrmCustomerSummary; the detail page reads it.
 */
GtkWidget  *crm_customer_header_new       (void);
/* @summary may be NULL (nothing shown). */
void        crm_customer_header_show      (CrmCustomerHeader  *self,
                                           CrmCustomerSummary *summary);
/* The text shown for figure @name ("monthly_revenue", "arpu", "arpu_lines",
 * "arrears", "arrears_age", "open_complaints", "pipeline",
 * "pipeline_weighted", "value_segment", "churn_risk", "churn_reasons",
 * "facts"), or NULL. */
const char *crm_customer_header_get_value (CrmCustomerHeader  *self,
                                           const char         *name);
/* The warnings shown (CrmCustomerWarnings). */
guint       crm_customer_header_get_warnings (CrmCustomerHeader *self);
/* The sparkline (a GtkDrawingArea), for tests. */
GtkWidget  *crm_customer_header_get_sparkline (CrmCustomerHeader *self);

G_END_DECLS
