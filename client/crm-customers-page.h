#pragma once

#include <adwaita.h>

#include "crm-customer-model.h"
#include "crm-store.h"
#include "crm-sync-engine.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMERS_PAGE (crm_customers_page_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomersPage, crm_customers_page, CRM, CUSTOMERS_PAGE, AdwBin)

/*
 * The customer list over the local copy: a GtkColumnView of the store's
 * CrmCustomerModel (which sorts and filters; the headers only tell it
 * what the user clicked), search as you type, filters by tier, region,
 * account manager and status, and the count shown.  Activating a row
 * opens the customer's detail page in place.  While a first sync brings
 * the customers and their contacts, its progress (the list shows while the
 * rest of the sync comes); an empty, a no-match and an error state
 * otherwise.
 */
GtkWidget        *crm_customers_page_new             (void);
CrmStore         *crm_customers_page_get_store       (CrmCustomersPage *self);
void              crm_customers_page_set_store       (CrmCustomersPage *self,
                                                      CrmStore         *store);
CrmSyncEngine    *crm_customers_page_get_sync_engine (CrmCustomersPage *self);
void              crm_customers_page_set_sync_engine (CrmCustomersPage *self,
                                                      CrmSyncEngine    *engine);
CrmCustomerModel *crm_customers_page_get_model       (CrmCustomersPage *self);
/* "progress", "empty", "error", "list", "no-results" or "detail". */
const char       *crm_customers_page_get_state       (CrmCustomersPage *self);
/* Opens customer @id; FALSE when the store does not have it. */
gboolean          crm_customers_page_open_customer   (CrmCustomersPage *self,
                                                      const char       *id);
void              crm_customers_page_show_list       (CrmCustomersPage *self);
void              crm_customers_page_set_pipeline_shown (CrmCustomersPage *self,
                                                         gboolean          shown);

G_END_DECLS
