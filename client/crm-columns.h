#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Two vertical boxes side by side when there is room, one under the other
 * when not (a two-child GtkFlowBox); the detail page and the editor lay
 * out a customer this way.  Returns the flow box; @left and @right are
 * the boxes to fill. */
GtkWidget *crm_columns_new (GtkWidget **left,
                            GtkWidget **right);

G_END_DECLS
