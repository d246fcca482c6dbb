#pragma once

#include <adwaita.h>

#include "crm-customer-summary.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_SERVICES (crm_customer_services_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerServices, crm_customer_services, CRM, CUSTOMER_SERVICES, AdwPreferencesGroup)

/*
 * The 360° page's Services: a customer's subscriptions grouped by product
 * line (the product's category), each line an expander with its count,
 * active lines and monthly fees; each subscription with its product,
 * quantity, monthly fee, start and contract end, and "Ends within 90
 * days" (icon and words) on an active one whose contract ends soon.  A
 * line's rows are made when it is first expanded, so that 200
 * subscriptions cost nothing until looked at.  Shown from the page's
 * CrmCustomerSummary (crm-customer-summary.h).
 */
GtkWidget *crm_customer_services_new       (void);
/* Shows the customer of @summary (read by the page, which reads it again
 * when the store changes what it is made of), or nothing for NULL. */
void       crm_customer_services_show      (CrmCustomerServices *self,
                                            CrmCustomerSummary  *summary);
/* The expander rows, one a product line, for tests. */
GPtrArray *crm_customer_services_get_rows  (CrmCustomerServices *self);

G_END_DECLS
