#pragma once

#include <adwaita.h>

#include "crm-form.h"

G_BEGIN_DECLS

#define CRM_TYPE_OPPORTUNITY_DIALOG (crm_opportunity_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CrmOpportunityDialog, crm_opportunity_dialog, CRM, OPPORTUNITY_DIALOG, CrmFormWindow)

/*
 * New Opportunity for @customer, or Edit Opportunity: name, stage (a new
 * one starts at an open stage, prospecting first; an edit may move it to
 * won or lost, and lost asks for the reason, inline), products (product
 * lines), source (direct, campaign, channel, agent) with the campaign,
 * next step, one-off and monthly amounts in yuan (two decimals, stored
 * as fen: shared/crm-money.h) and contract months, with the total
 * contract value (amount_once + amount_monthly × contract_months) shown
 * as they are typed, probability (the stage's default, from the store's
 * pipeline stages, unless overridden: null is sent for the default) and
 * expected close date.  Queued through the store's mutation path
 * (crm_store_enqueue_create (), or for an edit crm_store_enqueue_update ()
 * with only the fields that changed).  Modal to @parent; keys as the Log
 * Interaction dialog's (CrmFormWindow): the name focused, Enter in the
 * last field or Ctrl+Enter saves, Escape asks before dropping typed text
 * or changes.  ::queued (const char *record_id) once the store has it,
 * then it closes.
 */
GtkWidget  *crm_opportunity_dialog_new          (GtkWindow            *parent,
                                                 CrmStore             *store,
                                                 CrmCustomer          *customer);
/* Edit Opportunity for the opportunity @opportunity_id of the customer
 * @customer_id as the store has it; NULL (CRM_ERROR_NOT_FOUND) when the
 * store does not have it. */
GtkWidget  *crm_opportunity_dialog_new_for_edit (GtkWindow            *parent,
                                                 CrmStore             *store,
                                                 const char           *customer_id,
                                                 const char           *opportunity_id,
                                                 GError              **error);
/* Edit Opportunity of a record the server sent (a director's Table or
 * Board of a team or region): the store's when it holds it, else the
 * server's, saved with crm_store_enqueue_update_of_remote (). */
GtkWidget  *crm_opportunity_dialog_new_for_remote_edit (GtkWindow     *parent,
                                                        CrmStore      *store,
                                                        JsonObject    *server_record,
                                                        GError       **error);
/* Preset for a new opportunity won by campaign @campaign_id: source
 * "campaign", that campaign. */
void        crm_opportunity_dialog_set_campaign (CrmOpportunityDialog *self,
                                                 const char           *campaign_id);
/* The fields as they would be queued (for an edit, the changed ones:
 * maybe none), or NULL (and the first problem). */
JsonObject *crm_opportunity_dialog_dup_fields   (CrmOpportunityDialog *self,
                                                 GError              **error);

G_END_DECLS
