#pragma once

#include <adwaita.h>

#include "crm-context.h"
#include "crm-customers-page.h"
#include "crm-pending-popover.h"

G_BEGIN_DECLS

#define CRM_TYPE_WINDOW (crm_window_get_type ())

G_DECLARE_FINAL_TYPE (CrmWindow, crm_window, CRM, WINDOW, AdwApplicationWindow)

/*
 * The main window: a spinner while the saved session is checked, the
 * sign-in page when signed out, and the sidebar of sections when signed in,
 * following the CrmContext's session state.  The header bar says when the
 * local copy last synced (or that it is offline) and offers win.sync.
 * Narrower than CRM_WINDOW_NARROW_WIDTH, the sidebar folds away.
 */
#define CRM_WINDOW_NARROW_WIDTH 800

CrmWindow        *crm_window_new                (GtkApplication *application,
                                                 CrmContext     *context);
CrmContext       *crm_window_get_context        (CrmWindow      *self);
const char       *crm_window_get_page           (CrmWindow      *self);
const char       *crm_window_get_section        (CrmWindow      *self);
CrmCustomersPage *crm_window_get_customers_page (CrmWindow      *self);
const char       *crm_window_get_sync_status    (CrmWindow      *self);
CrmPendingPopover *crm_window_get_pending_popover (CrmWindow     *self);
GtkWidget        *crm_window_get_pending_button (CrmWindow      *self);

void              crm_window_confirm_sign_out_async  (CrmWindow           *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean          crm_window_confirm_sign_out_finish (CrmWindow           *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
AdwMessageDialog *crm_window_get_sign_out_dialog     (CrmWindow           *self);

G_END_DECLS
