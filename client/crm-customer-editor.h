#pragma once

#include <adwaita.h>

#include "crm-customer.h"
#include "crm-fields.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_EDITOR (crm_customer_editor_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerEditor, crm_customer_editor, CRM, CUSTOMER_EDITOR, AdwBin)

/*
 * The form of a customer's edit mode: name, English name, industry,
 * tier, status, credit rating, phone and address, and for each contact
 * name, title, mobile and e-mail.  Each field is checked as the user
 * types with the rules the server applies (crm_field_validate ()); a
 * field that is wrong says why right under it.  A field left as it came
 * is neither checked nor sent.  Personal data comes masked
 * (138****5678): it shows read-only, and its Replace… button
 * (editor.replace-field) swaps in an empty field for a new value; left
 * empty, or put back with Keep (editor.keep-field), nothing is sent.
 *
 * "valid" is FALSE while any changed field is wrong; "changed" is TRUE
 * when any field differs from the record.
 */
GtkWidget   *crm_customer_editor_new               (void);
void         crm_customer_editor_set_customer      (CrmCustomerEditor  *self,
                                                    CrmCustomer        *customer);
CrmCustomer *crm_customer_editor_get_customer      (CrmCustomerEditor  *self);
gboolean     crm_customer_editor_get_valid         (CrmCustomerEditor  *self);
gboolean     crm_customer_editor_get_changed       (CrmCustomerEditor  *self);

/* Queues one update per changed record (the customer, then each changed
 * contact) with the changed fields only, as one unit, in a worker thread
 * (crm_store_enqueue_updates_async).  _finish gives the number queued in
 * @n_queued; FALSE if the store refused one (then none is queued). */
void         crm_customer_editor_save_async        (CrmCustomerEditor  *self,
                                                    CrmStore           *store,
                                                    GCancellable       *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer            user_data);
gboolean     crm_customer_editor_save_finish       (CrmCustomerEditor  *self,
                                                    GAsyncResult       *result,
                                                    guint              *n_queued,
                                                    GError            **error);

/* The row that edits @field of the customer (@record_id NULL) or of the
 * contact @record_id: an AdwEntryRow or AdwComboRow; and the message
 * shown under it, NULL while the field is right. */
GtkWidget   *crm_customer_editor_get_field_row     (CrmCustomerEditor  *self,
                                                    const char         *record_id,
                                                    const char         *field);
const char  *crm_customer_editor_get_field_message (CrmCustomerEditor  *self,
                                                    const char         *record_id,
                                                    const char         *field);
/* Focuses the first field. */
void         crm_customer_editor_focus             (CrmCustomerEditor  *self);
/* TRUE while @field shows its masked value read-only (get_field_row ()
 * is then an AdwActionRow). */
gboolean     crm_customer_editor_get_masked        (CrmCustomerEditor  *self,
                                                    const char         *record_id,
                                                    const char         *field);

/* With changes, asks "Discard changes?" (an AdwMessageDialog; Cancel,
 * the default, keeps editing); the result is TRUE to discard.  Without
 * changes it is TRUE at once. */
void         crm_customer_editor_confirm_discard_async  (CrmCustomerEditor   *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean     crm_customer_editor_confirm_discard_finish (CrmCustomerEditor   *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

G_END_DECLS
