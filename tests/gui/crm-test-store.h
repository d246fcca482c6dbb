#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

/*
 * Local stores for the client's tests, each in a fresh temporary folder,
 * filled from a GET /sync page kept as JSON in tests/gui/data/.
 */
typedef struct
{
  char     *dir;
  char     *path;
  CrmStore *store;
} CrmTestStore;

CrmTestStore *crm_test_store_new          (void);
/* A store with data/@fixture (a sync page) applied. */
CrmTestStore *crm_test_store_new_from     (const char   *fixture);
JsonObject   *crm_test_load_page          (const char   *fixture);
/* Finalizes the store (nothing may hold it) and deletes its files. */
void          crm_test_store_free         (CrmTestStore *self);

/* Iterates the default main context until @widget has been drawn. */
void          crm_test_wait_drawn         (gpointer      widget);
/* Iterates the default main context for @ms milliseconds. */
void          crm_test_iterate            (guint         ms);
/* Iterates until a CrmCustomersPage has read its store. */
void          crm_test_wait_loaded        (gpointer      page);
/* Iterates until a CrmCustomerDetail's Save has queued the editor's
 * changes (in the store's worker) and left editing; 10 s at most. */
void          crm_test_wait_saved         (gpointer      detail);
/* Every GtkLabel text under @widget that is drawn, joined by "\n". */
char         *crm_test_dup_visible_text   (gpointer      widget);
/* The first GtkButton under @widget whose label ("_Replace…") or, for an
 * icon, tooltip is @label; or NULL. */
GtkWidget    *crm_test_find_button        (gpointer      widget,
                                           const char   *label);
/* The one AdwMessageDialog among the toplevels, or NULL if none is shown. */
GtkWidget    *crm_test_find_message_dialog (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmTestStore, crm_test_store_free)

G_END_DECLS
