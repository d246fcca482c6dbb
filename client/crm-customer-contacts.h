#pragma once

#include <adwaita.h>

#include "crm-context.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_CONTACTS (crm_customer_contacts_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerContacts, crm_customer_contacts, CRM, CUSTOMER_CONTACTS, AdwBin)

/*
 * The 360° page's Contacts section: a customer's contacts from the local
 * store, the primary one first and marked, each with its job title, mobile
 * number, e-mail, ID number and address.  Personal data shows as the
 * store has it (masked where the user's role receives it masked), each in
 * a CrmMaskedValue: Reveal for the roles that may, Copy and Call for a
 * phone number shown in full.  A role that writes contacts adds
 * (contacts.add), edits (contacts.edit), marks primary
 * (contacts.mark-primary) and deletes (contacts.delete, with Undo in a
 * toast while the delete is not yet sent), all through the store's queue;
 * the sync engine is asked to send at once.  It keeps itself current from
 * the store's ::changed::contact.
 *
 * The session (the API to reveal with, the user's role, offline or not,
 * the sync engine) comes from crm_customer_contacts_set_context (), or else
 * from the CrmWindow the section is in.
 */

GtkWidget  *crm_customer_contacts_new         (void);
void        crm_customer_contacts_set_store   (CrmCustomerContacts *self,
                                               CrmStore            *store);
void        crm_customer_contacts_set_context (CrmCustomerContacts *self,
                                               CrmContext          *context);
void        crm_customer_contacts_show        (CrmCustomerContacts *self,
                                               const char          *customer_id);
/* What a contact row shows, for tests: @key "contact.<index>.<field>"
 * ("contact.0.name", "contact.1.mobile", "contact.0.is_primary"); NULL if
 * there is no such contact. */
const char *crm_customer_contacts_get_value   (CrmCustomerContacts *self,
                                               const char          *key);
/* The CrmMaskedValue of @contact_id's @field ("mobile", "id_number",
 * "address"), or NULL. */
GtkWidget  *crm_customer_contacts_get_masked  (CrmCustomerContacts *self,
                                               const char          *contact_id,
                                               const char          *field);
/* The dialog open for adding or editing, or NULL. */
GtkWidget  *crm_customer_contacts_get_dialog  (CrmCustomerContacts *self);

G_END_DECLS
