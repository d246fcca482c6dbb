#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CAMPAIGN_EDITOR (crm_campaign_editor_get_type ())

G_DECLARE_FINAL_TYPE (CrmCampaignEditor, crm_campaign_editor, CRM, CAMPAIGN_EDITOR, AdwBin)

/*
 * A campaign's plan, from the entity table's campaign fields: name, kind,
 * offer (text, product, price or discount), channels with each one's cost
 * per contact, budget, schedule, control group share, owner and status.
 * Each field's problem shows under it; Save queues a create (a draft) or
 * an update of the changed fields through the store, and the status
 * buttons (Plan, Back to Draft, Complete, Cancel) queue a status change as
 * the server allows it.  Planning fields change only while the campaign
 * is a draft or planned.  ::saved (const char *id) once queued.
 */

GtkWidget  *crm_campaign_editor_new            (void);
void        crm_campaign_editor_set_store      (CrmCampaignEditor *self,
                                                CrmStore          *store);
/* The signed-in user (owner of a new campaign). */
void        crm_campaign_editor_set_user       (CrmCampaignEditor *self,
                                                JsonObject        *user);
/* Shows campaign @id (NULL: a new draft). */
void        crm_campaign_editor_set_campaign   (CrmCampaignEditor *self,
                                                const char        *id);
const char *crm_campaign_editor_get_campaign   (CrmCampaignEditor *self);
/* The campaign's status as the store has it ("draft" for a new one). */
const char *crm_campaign_editor_get_status     (CrmCampaignEditor *self);
/* The segment the plan uses (saved with the plan). */
void        crm_campaign_editor_set_segment    (CrmCampaignEditor *self,
                                                const char        *segment_id);
gboolean    crm_campaign_editor_has_changes    (CrmCampaignEditor *self);
/* Checks and queues, as the Save button does; FALSE when a field is
 * wrong (shown under it) or the store refused. */
gboolean    crm_campaign_editor_save           (CrmCampaignEditor *self);

G_END_DECLS
