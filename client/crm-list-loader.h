#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRM_TYPE_LIST_LOADER (crm_list_loader_get_type ())

G_DECLARE_FINAL_TYPE (CrmListLoader, crm_list_loader, CRM, LIST_LOADER, GObject)

/*
 * Fills a list model from the local store in a worker thread, and hands
 * it to the main thread with ::loaded, unless cancelled meanwhile (by
 * crm_list_loader_cancel(), another load or the loader's dispose).
 *
 * The model is not the main thread's until it is handed over, so its
 * handlers of the store's change signal (an ::x-changed with the ids that
 * changed, NULL for all) are blocked while it loads.  The loader notes
 * what the store told meanwhile and, once the model is handed over,
 * unblocks them and tells the ids again by emitting the store's signal
 * (everyone may hear it again: re-reading a row that did not change costs
 * little), or after a change of all, has the model read again.
 */

/* In the worker: fills @model; what it puts in @extra (read from the
 * model there, say) comes with ::loaded. */
typedef gboolean (*CrmListLoadFunc)   (gpointer   model,
                                       gpointer  *extra,
                                       GError   **error);
/* On the main thread: has @model read everything again, not blocking. */
typedef void     (*CrmListReloadFunc) (gpointer   model);

CrmListLoader *crm_list_loader_new         (void);
void           crm_list_loader_load        (CrmListLoader     *self,
                                            GObject           *store,
                                            const char        *changed_signal,
                                            GObject           *model,
                                            CrmListLoadFunc    load,
                                            CrmListReloadFunc  reload,
                                            GDestroyNotify     extra_free);
void           crm_list_loader_cancel      (CrmListLoader     *self);
gboolean       crm_list_loader_get_loading (CrmListLoader     *self);

G_END_DECLS
