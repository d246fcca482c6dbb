#pragma once

#include <adwaita.h>

#include "crm-customer-summary.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_SERVICES (crm_customer_services_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerServices, crm_customer_services, CRM, CUSTOMER_SERVICES, AdwPreferencesGroup)

/*
 * The 360° page's Services: a customer's subscriptions grouped by product
 * line (the product's category), each line a row with its count, active
 * lines and monthly fees that opens (activate it: click, Enter, Space) to
 * show its subscriptions below it: each with its product, quantity,
 * monthly fee, start and contract end, and "Ends within 90 days" (icon
 * and words) on an active one whose contract ends soon.  A line of up to
 * 12 starts open; a longer one's rows are made when it is opened, so that
 * 200 subscriptions cost nothing until looked at.  Shown from the page's
 * CrmCustomerSummary (crm-customer-summary.h).
 */
GtkWidget *crm_customer_services_new       (void);
/* Shows the customer of @summary (read by the page, which reads it again
 * when the store changes what it is made of), or nothing for NULL. */
void       crm_customer_services_show      (CrmCustomerServices *self,
                                            CrmCustomerSummary  *summary);
/* The product lines' rows (AdwActionRow; ::activated opens and folds one),
 * for tests. */
GPtrArray *crm_customer_services_get_rows  (CrmCustomerServices *self);
gboolean   crm_customer_services_get_line_expanded (CrmCustomerServices *self,
                                                    guint                line);

G_END_DECLS
