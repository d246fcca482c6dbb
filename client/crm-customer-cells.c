#define G_LOG_DOMAIN "crm-customer-cells"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-customer-cells.h"
#include "crm-format.h"

/*
 * The cells are GtkInscriptions (GTK 4.8), not GtkLabels: the columns
 * have fixed widths, and an inscription is measured from the font's
 * metrics instead of shaping its text.  Measuring the labels of the first
 * screen of rows (pango shaping, two to three layouts per label) was most
 * of the 45 ms the list's first frame took after a first sync.  Each
 * cell's text is also its accessible label, as a label's is.
 */

/* The name cell: the name, then a mark when the customer has changes the
 * server has not confirmed (an icon with a tooltip and an accessible
 * name, not a colour alone). */
static GtkWidget *
name_cell_new (GtkWidget *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *mark = gtk_image_new_from_icon_name ("document-send-symbolic");

  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_name (mark, "unsent-mark");
  /* hidden before its tooltip is set: GTK 4.8 looks for a tooltip to show
   * when a visible widget gets one, which on X11 asks the server where the
   * pointer is (a round trip per row, the rows of a screen at once) */
  gtk_widget_set_visible (mark, FALSE);
  gtk_widget_set_tooltip_text (mark, _("Has changes not yet on the server"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Has changes not yet on the server"), -1);
  gtk_widget_add_css_class (mark, "accent");
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), mark);
  return box;
}

static GtkInscription *
cell_text (GtkListItem *list_item)
{
  GtkWidget *child = gtk_list_item_get_child (list_item);

  return GTK_INSCRIPTION (GTK_IS_INSCRIPTION (child) ? child : gtk_widget_get_first_child (child));
}

static void
name_cell_bind (GtkListItem     *list_item,
                CrmCustomerItem *item)
{
  GtkWidget *mark = gtk_widget_get_last_child (gtk_list_item_get_child (list_item));

  gtk_widget_set_visible (mark, crm_customer_item_get_has_unsent_changes (item));
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  column)
{
  GtkWidget *text = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (text), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (GPOINTER_TO_UINT (column) == CRM_CUSTOMER_COLUMN_REVENUE)
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (text), 1.0);
      gtk_widget_add_css_class (text, "numeric");
    }
  if (GPOINTER_TO_UINT (column) == CRM_CUSTOMER_COLUMN_NAME)
    gtk_list_item_set_child (list_item, name_cell_new (text));
  else
    gtk_list_item_set_child (list_item, text);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  column)
{
  CrmCustomerItem *item = gtk_list_item_get_item (list_item);
  GtkInscription *label = cell_text (list_item);
  g_autofree char *owned = NULL;
  const char *text = NULL;

  switch ((CrmCustomerColumn) GPOINTER_TO_UINT (column))
    {
    case CRM_CUSTOMER_COLUMN_NAME:
      text = crm_customer_item_get_name (item);
      name_cell_bind (list_item, item);
      break;
    case CRM_CUSTOMER_COLUMN_TIER:
      text = crm_tier_label (crm_customer_item_get_tier (item));
      break;
    case CRM_CUSTOMER_COLUMN_INDUSTRY:
      text = crm_industry_label_for (crm_customer_item_get_industry (item));
      break;
    case CRM_CUSTOMER_COLUMN_REGION:
      text = crm_customer_item_get_region_name (item);
      break;
    case CRM_CUSTOMER_COLUMN_OWNER:
      text = crm_customer_item_get_owner_name (item);
      if (text == NULL)
        /* TRANSLATORS: a customer without an account manager */
        text = _("Unassigned");
      break;
    case CRM_CUSTOMER_COLUMN_REVENUE:
      text = owned = crm_format_money (crm_customer_item_get_monthly_revenue (item));
      break;
    case CRM_CUSTOMER_COLUMN_STATUS:
      text = crm_customer_status_label (crm_customer_item_get_status (item));
      if (crm_customer_item_get_status (item) == CRM_CUSTOMER_STATUS_CHURNED)
        gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_inscription_set_text (label, text ? text : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text ? text : "", -1);
}
/**
 * crm_customer_cell_factory_new:
 * @column: which of the customer's values the cells show
 *
 * Returns: (transfer full): a factory for a GtkColumnViewColumn over
 *   CrmCustomerItems
 */
GtkListItemFactory *
crm_customer_cell_factory_new (CrmCustomerColumn column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GUINT_TO_POINTER (column));
  return factory;
}
