#pragma once

#include <adwaita.h>

#include "crm-form.h"

G_BEGIN_DECLS

#define CRM_TYPE_OUTCOME_DIALOG (crm_outcome_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CrmOutcomeDialog, crm_outcome_dialog, CRM, OUTCOME_DIALOG, CrmFormWindow)

/*
 * Record Outcome: what came of contacting a campaign target (issue 11).
 * The outcome (contacted, responded, converted, declined, opted out,
 * unreachable), the channel (one of the campaign's), when the customer
 * was contacted and, for an answer, when they responded; for a
 * conversion, the opportunity or subscription of the customer it
 * produced (from the store), or a New Opportunity (crm-opportunity-
 * dialog.c, its source the campaign), whose revenue the campaign's
 * results count.  Queued through crm_store_enqueue_update () of the
 * campaign member with only the fields that changed (the store keeps the
 * values they were based on): shown at once, offline too, and in the
 * list of unsent changes until the server confirms it, or with the
 * server's refusal.  Keys as the other record dialogs (CrmFormWindow):
 * Ctrl+Enter or Enter in the last field saves, Escape asks before
 * dropping changes; each wrong field says why under it.
 *
 * Returns NULL when @store does not have the member, or when it is in the
 * control group (which takes no outcome).
 */
GtkWidget  *crm_outcome_dialog_new        (GtkWindow        *parent,
                                           CrmStore         *store,
                                           const char       *campaign_id,
                                           const char       *customer_id);
/* The fields as they would be queued (maybe none), or NULL (and the first
 * problem, naming its field). */
JsonObject *crm_outcome_dialog_dup_fields (CrmOutcomeDialog *self,
                                           GError          **error);

G_END_DECLS
