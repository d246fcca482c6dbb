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

/* One warning's icon: its words as tooltip and accessible label, hidden
 * until bound to a customer that has it. */
static GtkWidget *
warning_icon_new (CrmCustomerWarnings warning)
{
  GtkWidget *icon = gtk_image_new_from_icon_name (crm_customer_warning_icon_name (warning));
  const char *label = crm_customer_warning_label (warning);

  /* hidden before its tooltip is set (see name_cell_new) */
  gtk_widget_set_visible (icon, FALSE);
  gtk_widget_set_tooltip_text (icon, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_add_css_class (icon, "warning");
  gtk_widget_add_css_class (icon, "customer-warning");
  return icon;
}

/* The name cell: the name, then an icon for each warning of the customer
 * (crm-customer-warnings.h; the one place that shows all four, so that
 * they stay when a narrow window hides the columns), then a mark when the
 * customer has changes the server has not confirmed: icons with a tooltip
 * and an accessible name, not a colour alone. */
static GtkWidget *
name_cell_new (GtkWidget *text)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *mark = gtk_image_new_from_icon_name ("document-send-symbolic");

  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);
  for (guint i = 0; i < CRM_CUSTOMER_N_WARNINGS; i++)
    gtk_box_append (GTK_BOX (box), warning_icon_new (1 << i));
  gtk_widget_set_name (mark, "unsent-mark");
  /* hidden before its tooltip is set: GTK 4.8 looks for a tooltip to show
   * when a visible widget gets one, which on X11 asks the server where the
   * pointer is (a round trip per row, the rows of a screen at once) */
  gtk_widget_set_visible (mark, FALSE);
  gtk_widget_set_tooltip_text (mark, _("Has changes not yet on the server"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Has changes not yet on the server"), -1);
  gtk_widget_add_css_class (mark, "accent");
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
  GtkWidget *text = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));
  GtkWidget *mark = gtk_widget_get_last_child (gtk_list_item_get_child (list_item));
  CrmCustomerWarnings warnings = crm_customer_item_get_warnings (item);
  GtkWidget *icon = gtk_widget_get_next_sibling (text);

  for (guint i = 0; i < CRM_CUSTOMER_N_WARNINGS; i++, icon = gtk_widget_get_next_sibling (icon))
    gtk_widget_set_visible (icon, (warnings & (1 << i)) != 0);
  gtk_widget_set_visible (mark, crm_customer_item_get_has_unsent_changes (item));
}

/* A figure the warning @warning is about: in the warning colour, and its
 * accessible label says the warning in words (the name cell has its icon). */
static char *
figure_bind (GtkInscription      *label,
             CrmCustomerItem     *item,
             CrmCustomerWarnings  warning,
             const char          *text)
{
  gboolean warned = (crm_customer_item_get_warnings (item) & warning) != 0;

  if (warned)
    gtk_widget_add_css_class (GTK_WIDGET (label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "warning");
  /* TRANSLATORS: a figure of the customer list, then the warning it raises */
  return warned ? g_strdup_printf (_("%s, %s"), text, crm_customer_warning_label (warning)) : NULL;
}

/* A factory's column, whether its figures are still to come, and the
 * list items it has bound (to show them again when that changes). */
typedef struct
{
  CrmCustomerColumn  column;
  gboolean           coming;
  GHashTable        *bound;
} Cells;

static void
cells_free (Cells *cells)
{
  g_hash_table_unref (cells->bound);
  g_free (cells);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               Cells                    *cells)
{
  gpointer column = GUINT_TO_POINTER (cells->column);

  GtkWidget *text = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (text), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (GPOINTER_TO_UINT (column) == CRM_CUSTOMER_COLUMN_REVENUE ||
      GPOINTER_TO_UINT (column) == CRM_CUSTOMER_COLUMN_ARREARS ||
      GPOINTER_TO_UINT (column) == CRM_CUSTOMER_COLUMN_CHURN_RISK ||
      GPOINTER_TO_UINT (column) == CRM_CUSTOMER_COLUMN_PIPELINE)
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
cell_show (Cells       *cells,
           GtkListItem *list_item)
{
  CrmCustomerItem *item = gtk_list_item_get_item (list_item);
  GtkInscription *label = cell_text (list_item);
  g_autofree char *owned = NULL;
  g_autofree char *spoken = NULL;
  const char *text = NULL;

  if (cells->coming)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (label), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
      /* TRANSLATORS: a figure of the customer list whose records a first
       * sync has not brought yet */
      gtk_inscription_set_text (label, C_("figure", "…"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Not synced yet"), -1);
      return;
    }
  if (cells->column != CRM_CUSTOMER_COLUMN_STATUS)
    gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");

  switch (cells->column)
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
    case CRM_CUSTOMER_COLUMN_ARREARS:
      text = owned = crm_format_money (crm_customer_item_get_arrears (item));
      spoken = figure_bind (label, item, CRM_CUSTOMER_WARNING_ARREARS, text);
      break;
    case CRM_CUSTOMER_COLUMN_CHURN_RISK:
      if (crm_customer_item_get_churn_risk (item) >= 0)
        /* TRANSLATORS: a churn risk score out of 100, as a percentage */
        text = owned = g_strdup_printf (_("%d%%"), crm_customer_item_get_churn_risk (item));
      else
        /* TRANSLATORS: a customer whose churn risk is not scored */
        text = C_("churn risk", "—");
      spoken = figure_bind (label, item, CRM_CUSTOMER_WARNING_CHURN_RISK, text);
      break;
    case CRM_CUSTOMER_COLUMN_PIPELINE:
      text = owned = crm_format_money (crm_customer_item_get_open_pipeline (item));
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_inscription_set_text (label, text ? text : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  spoken ? spoken : text ? text : "", -1);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              Cells                    *cells)
{
  g_hash_table_add (cells->bound, list_item);
  cell_show (cells, list_item);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                Cells                    *cells)
{
  g_hash_table_remove (cells->bound, list_item);
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
  Cells *cells = g_new0 (Cells, 1);

  cells->column = column;
  cells->bound = g_hash_table_new (NULL, NULL);
  g_object_set_data_full (G_OBJECT (factory), "crm-cells", cells, (GDestroyNotify) cells_free);
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), cells);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), cells);
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), cells);
  return factory;
}

/**
 * crm_customer_cell_factory_set_coming:
 * @factory: a factory of crm_customer_cell_factory_new (), not the name's
 * @coming: whether a first sync has yet to bring the records its figures
 *   come from
 *
 * While @coming, the cells say so ("…", "Not synced yet" to assistive
 * technologies) instead of a figure; the cells shown change at once.
 */
void
crm_customer_cell_factory_set_coming (GtkListItemFactory *factory,
                                      gboolean            coming)
{
  Cells *cells = g_object_get_data (G_OBJECT (factory), "crm-cells");
  GHashTableIter iter;
  gpointer list_item;

  g_return_if_fail (cells != NULL && cells->column != CRM_CUSTOMER_COLUMN_NAME);

  if (cells->coming == !!coming)
    return;
  cells->coming = !!coming;
  g_hash_table_iter_init (&iter, cells->bound);
  while (g_hash_table_iter_next (&iter, &list_item, NULL))
    cell_show (cells, list_item);
}
