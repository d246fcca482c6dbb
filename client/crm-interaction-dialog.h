#pragma once

#include <adwaita.h>

#include "crm-form.h"

G_BEGIN_DECLS

#define CRM_TYPE_INTERACTION_DIALOG (crm_interaction_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CrmInteractionDialog, crm_interaction_dialog, CRM, INTERACTION_DIALOG, CrmFormWindow)

/*
 * Log Interaction: a visit, call, e-mail or meeting with @customer
 * (subject, kind, contact, when, outcome, notes, and a next step with its
 * date), queued through crm_store_enqueue_create (CRM_ENTITY_INTERACTION):
 * shown at once, sent when the server can be reached.  Modal to @parent.
 *
 * Opens with the subject focused, "now" as the time and "visit" as the
 * kind; Enter in the last field or Ctrl+Enter saves (customer.save is
 * refused, with each bad field's words under it, while a field is wrong:
 * the entity table's checks, shared/crm-fields.h); Escape closes, asking
 * first when something was typed.  ::queued (const char *record_id) is
 * emitted once the store has it, then the window closes.
 */
GtkWidget  *crm_interaction_dialog_new      (GtkWindow            *parent,
                                             CrmStore             *store,
                                             CrmCustomer          *customer);
/* The fields as they would be queued, or NULL (and the first problem,
 * naming its field) while one is wrong; for tests too. */
JsonObject *crm_interaction_dialog_dup_fields (CrmInteractionDialog *self,
                                               GError              **error);

G_END_DECLS
