#pragma once

#include <gtk/gtk.h>

#include "crm-report-loader.h"
#include "crm-store.h"

G_BEGIN_DECLS

/*
 * A customer as a one-page A4 PDF brief for a visit: who they are, the
 * key figures of the customer record, contacts (masked values stay as the
 * store has them), services, 24 months of revenue and arrears (drawn by
 * crm-revenue-chart.c, as on the page), open opportunities, the last
 * interactions and the date it was made.  Read from the local store and
 * written with cairo's PDF surface and pango-cairo, the fonts (Chinese
 * included) embedded, in a worker thread.
 */

void      crm_customer_brief_write_async  (CrmStore             *store,
                                           const char           *customer_id,
                                           GFile                *file,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
/* The same for a director: @remote (nullable) are open opportunities from
 * the server (crm-customer-remote.h), shown with the store's (once each,
 * the store's first) under the open pipeline they make; @remote_note
 * (nullable) is said above them. */
void      crm_customer_brief_write_with_remote_async (CrmStore             *store,
                                                      const char           *customer_id,
                                                      JsonArray            *remote,
                                                      const char           *remote_note,
                                                      GFile                *file,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
gboolean  crm_customer_brief_write_finish (GAsyncResult         *result,
                                           GError              **error);

/* customer.export-pdf: asks where to save (GtkFileChooserNative), writes
 * the brief and says so in a toast of @widget's AdwToastOverlay, with
 * Open. */
void      crm_customer_brief_export       (GtkWidget            *widget,
                                           CrmStore             *store,
                                           const char           *customer_id,
                                           JsonArray            *remote,
                                           const char           *remote_note);
/* What a director's brief says of the other owners' opportunities: their
 * age, or that they are not here. */
char     *crm_customer_brief_remote_note  (CrmReportState        state,
                                           GDateTime            *fetched_at);

G_END_DECLS
