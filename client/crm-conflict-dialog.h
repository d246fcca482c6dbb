#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CONFLICT_DIALOG (crm_conflict_dialog_get_type ())

G_DECLARE_FINAL_TYPE (CrmConflictDialog, crm_conflict_dialog, CRM, CONFLICT_DIALOG, AdwMessageDialog)

/*
 * The user's way out of a conflict (a change the server answered 412):
 * for each conflicting field its label, the user's value and the server's
 * side by side as two toggle buttons, "yours" chosen at first.  "Apply"
 * resolves it in the store (crm_store_resolve_conflict) and emits
 * ::resolved (CrmMutation *resolved, nullable: NULL when nothing is left
 * to send); "Later" closes it and the change stays in conflict.  Masked
 * values stay masked.
 */
GtkWidget       *crm_conflict_dialog_new         (GtkWindow    *parent,
                                                  CrmStore     *store,
                                                  CrmMutation  *mutation,
                                                  const char   *record_name);
/* The toggle button that keeps the user's value (@mine) or the server's
 * for @field; NULL if @field is not in conflict. */
GtkToggleButton *crm_conflict_dialog_get_choice  (CrmConflictDialog *self,
                                                  const char        *field,
                                                  gboolean           mine);

G_END_DECLS
