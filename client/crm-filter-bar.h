#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CRM_TYPE_FILTER_BAR (crm_filter_bar_get_type ())

G_DECLARE_FINAL_TYPE (CrmFilterBar, crm_filter_bar, CRM, FILTER_BAR, GtkBox)

/*
 * A list's search entry and filter drop-downs, in a row.  Its children
 * come from the .ui that holds it (<child> elements) or from
 * crm_filter_bar_append(); the bar keeps the menu of each GtkDropDown
 * among them: "All …" first, then choices, each an id and the name shown.
 * New choices are merged into a menu in their order, and only the runs
 * of entries that differ are spliced (the menu's list does work for every
 * entry a splice covers), the one selected staying selected while it is
 * there.  The menus' buttons cut a long choice short, so that the row
 * fits narrow windows.  A GtkToggleButton child is a filter the user turns
 * on or off ("Needs attention").  ::changed tells that the user chose
 * another entry of a drop-down or toggled a filter; the bar's own changes
 * (new choices, a reset) do not.
 */

/* One choice of a menu: its id and the name shown. */
typedef struct _CrmFilterChoice CrmFilterChoice;

CrmFilterChoice *crm_filter_choice_new        (const char    *id,
                                               const char    *name);
void             crm_filter_choice_free       (CrmFilterChoice *choice);
/* @names: id -> name, both interned strings; the choices in the order of
 * the names' collation.  Safe in a worker thread. */
GPtrArray       *crm_filter_choices_new_sorted (GHashTable   *names);

GtkWidget       *crm_filter_bar_new           (void);
void             crm_filter_bar_append        (CrmFilterBar  *self,
                                               GtkWidget     *child);
void             crm_filter_bar_set_choices   (CrmFilterBar  *self,
                                               GtkDropDown   *filter,
                                               const char    *all_label,
                                               GPtrArray     *choices);
/* The id of the choice selected in @filter; NULL for "All …". */
const char      *crm_filter_bar_get_choice    (CrmFilterBar  *self,
                                               GtkDropDown   *filter);
/* Every drop-down to "All …", every toggle off, the search emptied; no
 * ::changed. */
void             crm_filter_bar_reset         (CrmFilterBar  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmFilterChoice, crm_filter_choice_free)

G_END_DECLS
