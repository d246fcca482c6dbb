#pragma once

#include <adwaita.h>

#include "crm-form.h"

G_BEGIN_DECLS

#define CRM_TYPE_OPPORTUNITY_DIALOG (crm_opportunity_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CrmOpportunityDialog, crm_opportunity_dialog, CRM, OPPORTUNITY_DIALOG, CrmFormWindow)

/*
 * New Opportunity for @customer: name, stage (an open one; prospecting
 * first), one-off and monthly amounts in yuan (two decimals, stored as
 * fen: shared/crm-money.h), probability (10% unless changed: neither the
 * stage vocabulary nor the database gives a stage a default) and expected
 * close date, queued through crm_store_enqueue_create
 * (CRM_ENTITY_OPPORTUNITY).  Modal to @parent; keys as the Log
 * Interaction dialog's: the name focused, Enter in the last field or
 * Ctrl+Enter saves, Escape asks before dropping typed text.  ::queued
 * (const char *record_id) once the store has it, then it closes.
 */
GtkWidget  *crm_opportunity_dialog_new        (GtkWindow            *parent,
                                               CrmStore             *store,
                                               CrmCustomer          *customer);
/* The fields as they would be queued, or NULL (and the first problem). */
JsonObject *crm_opportunity_dialog_dup_fields (CrmOpportunityDialog *self,
                                               GError              **error);

G_END_DECLS
