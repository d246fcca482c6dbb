#pragma once

#include <adwaita.h>

#include "crm-customer-editor.h"
#include "crm-remote-answer.h"
#include "crm-store.h"
#include "crm-sync-engine.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_DETAIL (crm_customer_detail_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerDetail, crm_customer_detail, CRM, CUSTOMER_DETAIL, AdwBin)

/*
 * The 360° page of one customer, from the local store: the header
 * (CrmCustomerHeader: who, warnings, key figures), the `sections` box
 * (Services, Work in progress, and the other sections, each reading the
 * store itself), the profile and contacts, and beside them the
 * `timeline_pane` (docs/internals.md, "The 360° page"); kept up to date
 * from the store's ::customers-changed and ::changed.
 * Edit mode (customer.edit, Ctrl+E) shows a CrmCustomerEditor; Save
 * (customer.save) queues the changed fields and asks the sync engine to
 * sync; Cancel (customer.cancel) drops them, and so does Escape
 * (customer.escape) once the user confirms "Discard changes?".  ::back asks the
 * parent to show the list again (customer.back: Alt+Left, or Escape
 * outside edit mode).
 */
GtkWidget         *crm_customer_detail_new             (void);
void               crm_customer_detail_set_store       (CrmCustomerDetail *self,
                                                        CrmStore          *store);
void               crm_customer_detail_set_sync_engine (CrmCustomerDetail *self,
                                                        CrmSyncEngine     *engine);
/* Reads customer @id from the store and shows it; FALSE if not there. */
gboolean           crm_customer_detail_show            (CrmCustomerDetail *self,
                                                        const char        *id);
const char        *crm_customer_detail_get_customer_id (CrmCustomerDetail *self);
CrmCustomer       *crm_customer_detail_get_customer    (CrmCustomerDetail *self);
gboolean           crm_customer_detail_get_editing     (CrmCustomerDetail *self);
/* Entering edit mode fills the form; leaving it drops what was typed. */
void               crm_customer_detail_set_editing     (CrmCustomerDetail *self,
                                                        gboolean           editing);
CrmCustomerEditor *crm_customer_detail_get_editor      (CrmCustomerDetail *self);
/* What a director's page asks the server for the customer's other
 * opportunities (crm-customer-remote.h), for tests. */
CrmRemoteAnswer   *crm_customer_detail_get_remote      (CrmCustomerDetail *self);
/* The value shown for @field ("name", "monthly_revenue", ...), for tests. */
const char        *crm_customer_detail_get_value       (CrmCustomerDetail *self,
                                                        const char        *field);

G_END_DECLS
