#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_DIALOG (crm_customer_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerDialog, crm_customer_dialog, CRM, CUSTOMER_DIALOG, AdwMessageDialog)

/*
 * A new customer, a prospect, from the list (win.new-customer, Ctrl+N):
 * the fields a customer cannot be without — name (and an English name if
 * it has one), kind, industry, region, tier and credit rating — each
 * checked as it is chosen or typed with the shared rules.  The regions
 * offered are those of the customers in the local store.  Create queues it
 * through the store (crm_store_enqueue_create, status prospect), offline
 * too, and emits ::created (const char *id): the list shows it at once.
 */

GtkWidget  *crm_customer_dialog_new               (GtkWindow         *parent,
                                                   CrmStore          *store);
/* For tests: the row of @field ("name", "name_en", "kind", "industry",
 * "region_id", "tier", "credit_rating"), its message (NULL while right). */
GtkWidget  *crm_customer_dialog_get_row           (CrmCustomerDialog *self,
                                                   const char        *field);
const char *crm_customer_dialog_get_field_message (CrmCustomerDialog *self,
                                                   const char        *field);
/* Queues the customer, as Create does; its id, or NULL. */
char       *crm_customer_dialog_create            (CrmCustomerDialog *self);

G_END_DECLS
