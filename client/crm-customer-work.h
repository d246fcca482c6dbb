#pragma once

#include <adwaita.h>

#include "crm-customer-summary.h"
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
 * end of their id.  Reads the local store and follows its
 * ::changed::opportunity, ::changed::service_request and
 * ::changed::service_step.
 */
GtkWidget *crm_customer_work_new       (void);
void       crm_customer_work_set_store (CrmCustomerWork *self,
                                        CrmStore        *store);
void       crm_customer_work_show      (CrmCustomerWork *self,
                                        const char      *customer_id);
/* Shows customer @customer_id from @summary, read by the caller (the
 * page reads it once for its parts), then follows the store as above. */
void       crm_customer_work_show_summary (CrmCustomerWork    *self,
                                           const char         *customer_id,
                                           CrmCustomerSummary *summary);

G_END_DECLS
