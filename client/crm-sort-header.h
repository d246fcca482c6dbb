#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CRM_TYPE_SORT_HEADER (crm_sort_header_get_type ())

G_DECLARE_FINAL_TYPE (CrmSortHeader, crm_sort_header, CRM, SORT_HEADER, GObject)

/*
 * The headers of a GtkColumnView as the buttons of a list model that sorts
 * itself (on keys it computed once): the view never sorts anything.  Each
 * column added gets a sorter that orders nothing; when the user clicks a
 * header, ::sort-changed tells the column, by the id it was added with,
 * and the direction (the first click on a column set descending-first,
 * a money column, asks for descending).  crm_sort_header_show_sort() puts the arrow on the
 * model's sort without telling it back.  The view's own model must not
 * sort with the view's sorter.  The header does not keep the view alive:
 * once the view is gone, it does nothing.
 */
CrmSortHeader *crm_sort_header_new           (GtkColumnView       *view);
void           crm_sort_header_add_column    (CrmSortHeader       *self,
                                              GtkColumnViewColumn *column,
                                              guint                column_id);
void           crm_sort_header_set_descending_first (CrmSortHeader *self,
                                                     guint          column_id,
                                                     gboolean       descending_first);
void           crm_sort_header_show_sort     (CrmSortHeader       *self,
                                              guint                column_id,
                                              gboolean             descending);
/* Shows the view from its first row: for a new order, search or filter. */
void           crm_sort_header_scroll_to_top (CrmSortHeader       *self);

G_END_DECLS
