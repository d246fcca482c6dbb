#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONTACT_DIALOG (crm_contact_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CrmContactDialog, crm_contact_dialog, CRM, CONTACT_DIALOG, AdwMessageDialog)

/*
 * Add or edit one contact of a customer: its name, job title, mobile,
 * e-mail and address (the contact's writable fields in the entity table)
 * and whether it is the primary contact.  Each field is checked as it is
 * typed, with the shared rule (crm_field_validate ()), its message right
 * under it; Save stays off until every field is right and something
 * changed.  A masked value (the address; a mobile number the role sees
 * masked) starts empty: left empty it stays as it is.  Save queues the
 * create or the update through the store (crm_store_enqueue_create/
 * update) and emits ::saved (CrmMutation *); a refusal by the store shows
 * under the dialog's body and emits nothing.
 */

/* @contact NULL: a new contact of @customer_id. */
GtkWidget  *crm_contact_dialog_new               (GtkWindow        *parent,
                                                  CrmStore         *store,
                                                  const char       *customer_id,
                                                  CrmContact       *contact);
/* The entry of @field ("name", "mobile", ...), and its message (NULL
 * while it is right), for tests. */
GtkWidget  *crm_contact_dialog_get_entry         (CrmContactDialog *self,
                                                  const char       *field);
const char *crm_contact_dialog_get_field_message (CrmContactDialog *self,
                                                  const char       *field);
GtkSwitch  *crm_contact_dialog_get_primary       (CrmContactDialog *self);
/* The buying role: item 0 is "Not set", then crm_contact_role_names. */
AdwComboRow *crm_contact_dialog_get_role       (CrmContactDialog *self);
gboolean    crm_contact_dialog_get_valid         (CrmContactDialog *self);
/* Checks and queues, as Save does; FALSE when nothing was queued. */
gboolean    crm_contact_dialog_save              (CrmContactDialog *self);

G_END_DECLS
