#pragma once

#include <adwaita.h>

#include "crm-store.h"
#include "crm-sync-engine.h"

G_BEGIN_DECLS

#define CRM_TYPE_PENDING_POPOVER (crm_pending_popover_get_type ())

G_DECLARE_FINAL_TYPE (CrmPendingPopover, crm_pending_popover, CRM, PENDING_POPOVER, GtkPopover)

/*
 * The list of changes made here that the server has not confirmed yet:
 * one row per queued change (who it is about, which fields, when, and
 * whether it waits, is being sent, was refused or met a newer record on
 * the server), read from the store's queue and brought up to date when
 * the store or the sync engine changes.  "count" is the number of rows;
 * the header bar's button shows it.  A refused change can be dismissed.
 */
GtkWidget  *crm_pending_popover_new            (void);
void        crm_pending_popover_set_store      (CrmPendingPopover *self,
                                                CrmStore          *store);
void        crm_pending_popover_set_sync_engine (CrmPendingPopover *self,
                                                 CrmSyncEngine     *engine);
guint       crm_pending_popover_get_count      (CrmPendingPopover *self);
/* "3 unsent changes" */
char       *crm_pending_popover_dup_label      (CrmPendingPopover *self);
/* Reads the queue again now (it does so by itself on the next idle after
 * a change). */
void        crm_pending_popover_refresh        (CrmPendingPopover *self);
GtkListBox *crm_pending_popover_get_list       (CrmPendingPopover *self);

G_END_DECLS
