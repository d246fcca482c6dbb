#pragma once

#include <adwaita.h>

#include "crm-customer-summary.h"
#include "crm-report-loader.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_WORK (crm_customer_work_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerWork, crm_customer_work, CRM, CUSTOMER_WORK, GtkBox)

/*
 * The 360° page's Work in progress: the customer's open opportunities
 * (stage, one-off and monthly amounts, expected close, owner) and open
 * service requests (the current step, the first one not done, with its
 * owner and deadline, and "Overdue" with an icon when it is past).
 * Owners are users the store has no names for: the signed-in user shows
 * as "you", the customer's account manager by name, anyone else by the
 * end of their id.  Shown from the page's CrmCustomerSummary.
 */
GtkWidget *crm_customer_work_new       (void);
/* Shows the customer of @summary (read by the page, which reads it again
 * when the store changes what it is made of), or nothing for NULL. */
void       crm_customer_work_show      (CrmCustomerWork    *self,
                                        CrmCustomerSummary *summary);
/* A director's page: where the other owners' opportunities come from
 * (crm-customer-remote.h), said above them. */
void       crm_customer_work_set_remote (CrmCustomerWork    *self,
                                         gboolean            remote,
                                         CrmReportState      state,
                                         const char         *status,
                                         const char         *error);

G_END_DECLS
