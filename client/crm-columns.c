#define G_LOG_DOMAIN "crm-columns"

#include "config.h"

#include "crm-columns.h"

GtkWidget *
crm_columns_new (GtkWidget **left,
                 GtkWidget **right)
{
  GtkWidget *flow = gtk_flow_box_new ();

  g_return_val_if_fail (left != NULL && right != NULL, NULL);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), TRUE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (flow), 1);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 2);
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (flow), 24);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (flow), 24);
  gtk_widget_set_valign (flow, GTK_ALIGN_START);

  *left = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  *right = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);
  gtk_widget_set_size_request (*left, 320, -1);
  gtk_widget_set_size_request (*right, 320, -1);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), *left);
  gtk_flow_box_append (GTK_FLOW_BOX (flow), *right);
  for (int i = 0; i < 2; i++)
    {
      GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (flow), i);

      /* the boxes hold the focusable rows; the flow box children do not */
      gtk_widget_set_focusable (GTK_WIDGET (child), FALSE);
      gtk_widget_set_valign (GTK_WIDGET (child), GTK_ALIGN_START);
    }
  return flow;
}
