#pragma once

#include <gtk/gtk.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_REVENUE (crm_customer_revenue_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerRevenue, crm_customer_revenue, CRM, CUSTOMER_REVENUE, GtkBox)

/*
 * The Revenue section of the customer page: the last 24 months of revenue
 * and arrears from the local store (crm-revenue-chart.c draws them), kept
 * current by the store's ::changed::revenue_month.  A month's values are
 * readable on hover (a tooltip, and the line under the chart) and by
 * keyboard: the chart takes focus, Left and Right (Home, End) move the
 * highlighted month, and its values become the chart's accessible
 * description, which a screen reader announces.  With no months in the
 * store it says so instead.
 */
GtkWidget  *crm_customer_revenue_new          (void);
void        crm_customer_revenue_set_store    (CrmCustomerRevenue *self,
                                               CrmStore           *store);
void        crm_customer_revenue_show         (CrmCustomerRevenue *self,
                                               const char         *customer_id);

/* The focusable chart, and the month it highlights (-1: none), for tests. */
GtkWidget  *crm_customer_revenue_get_chart    (CrmCustomerRevenue *self);
guint       crm_customer_revenue_get_n_months (CrmCustomerRevenue *self);
int         crm_customer_revenue_get_selected (CrmCustomerRevenue *self);
/* What the chart says about the highlighted month, or NULL. */
const char *crm_customer_revenue_get_summary  (CrmCustomerRevenue *self);

G_END_DECLS
