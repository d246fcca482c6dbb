#define G_LOG_DOMAIN "crm-customer-services"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-customer-services.h"
#include "crm-customer-summary.h"
#include "crm-error.h"
#include "crm-format.h"

/* A line with more subscriptions than this starts folded. */
#define EXPANDED_UP_TO 12

struct _CrmCustomerServices
{
  AdwPreferencesGroup  parent_instance;

  CrmCustomerSummary  *summary;
  GtkListBox          *list;        /* product lines, each followed by its subscriptions when open */
  GPtrArray           *lines;       /* of AdwActionRow, one a product line */
};

G_DEFINE_FINAL_TYPE (CrmCustomerServices, crm_customer_services, ADW_TYPE_PREFERENCES_GROUP)

/* The product lines (crm_product_category_names), as a customer calls them. */
static const char * const category_labels[] = {
  N_("Dedicated Lines"), N_("Broadband"), N_("Fixed Lines"), N_("Mobile Plans"),
  N_("IDC"), N_("Cloud"), N_("IoT Cards"), N_("SMS"),
};
G_STATIC_ASSERT (G_N_ELEMENTS (category_labels) == CRM_N_PRODUCT_CATEGORIES);

static const char * const subscription_status_labels[] = {
  NC_("subscription", "Active"), NC_("subscription", "Suspended"), NC_("subscription", "Cancelled"),
};
G_STATIC_ASSERT (G_N_ELEMENTS (subscription_status_labels) == CRM_N_SUBSCRIPTION_STATUSES);

static const char *
category_label (const char *category)
{
  int i = category ? crm_wire_lookup (crm_product_category_names, category) : -1;

  return i < 0 ? _("Other Products") : _(category_labels[i]);
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static gint64
member_int (JsonObject *o,
            const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

/* One line each for title and subtitle, cut short when narrow: a
 * wrapping row is measured again at every width the page's boxes try,
 * which made the page's first frame slow (bench/page).  No tooltip: one
 * that is pending when its window goes away trips GTK 4.8
 * (gdk_surface_get_device_position on a destroyed surface). */
static void
one_line (GtkWidget *row)
{
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
}

/* An icon with words in the warning colour: never colour alone. */
static GtkWidget *
warning_tag (const char *text)
{
  GtkWidget *tag = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *icon = gtk_image_new_from_icon_name ("alarm-symbolic");

  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (tag), icon);
  gtk_box_append (GTK_BOX (tag), gtk_label_new (text));
  gtk_widget_add_css_class (tag, "customer-warning");
  gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
  return tag;
}

static GtkWidget *
suffix_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  return label;
}

static GtkWidget *
service_row (CrmSummaryService *service)
{
  JsonObject *sub = service->record;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *fee = crm_format_money (member_int (sub, "monthly_fee"));
  g_autofree char *quantity = crm_format_number (member_int (sub, "quantity"));
  g_autofree char *started = crm_format_date (member_string (sub, "started_on"));
  g_autofree char *ends = crm_format_date (member_string (sub, "contract_end"));
  g_autofree char *amount = NULL;
  g_autofree char *subtitle = NULL;
  int status = crm_wire_lookup (crm_subscription_status_names, member_string (sub, "status"));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 service->product_name ? service->product_name : _("Unknown product"));
  if (ends != NULL)
    /* TRANSLATORS: a subscription's start and contract end */
    subtitle = g_strdup_printf (_("From %s until %s"), started ? started : "—", ends);
  else
    /* TRANSLATORS: a subscription's start, without a contract end */
    subtitle = g_strdup_printf (_("From %s, no fixed term"), started ? started : "—");
  if (status > CRM_SUBSCRIPTION_ACTIVE)
    {
      g_autofree char *with_status = g_strdup_printf ("%s · %s", g_dpgettext2 (GETTEXT_PACKAGE, "subscription",
                                                                                subscription_status_labels[status]),
                                                      subtitle);

      g_free (subtitle);
      subtitle = g_steal_pointer (&with_status);
      gtk_widget_add_css_class (row, "dim-label");
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  if (service->ends_soon)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), warning_tag (_("Ends within 90 days")));
  /* TRANSLATORS: a subscription's quantity and its monthly fee (for all of them) */
  amount = g_strdup_printf (_("Quantity %s · %s a month"), quantity, fee);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix_label (amount));
  one_line (row);
  return row;
}

/* A product line's subscriptions, under its row, or not. */
static void
set_line_expanded (CrmCustomerServices *self,
                   GtkWidget           *line,
                   gboolean             expanded)
{
  CrmSummaryServiceGroup *group = g_object_get_data (G_OBJECT (line), "group");
  GPtrArray *children = g_object_get_data (G_OBJECT (line), "children");
  int position = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (line));

  if ((children != NULL) == expanded)
    return;
  if (expanded)
    {
      children = g_ptr_array_new ();
      for (guint i = 0; i < group->services->len; i++)
        {
          GtkWidget *row = service_row (group->services->pdata[i]);

          gtk_widget_add_css_class (row, "service-row");
          gtk_list_box_insert (self->list, row, position + 1 + i);
          g_ptr_array_add (children, row);
        }
      g_object_set_data_full (G_OBJECT (line), "children", children, (GDestroyNotify) g_ptr_array_unref);
    }
  else
    {
      for (guint i = 0; i < children->len; i++)
        gtk_list_box_remove (self->list, children->pdata[i]);
      g_object_set_data (G_OBJECT (line), "children", NULL);
    }
  gtk_image_set_from_icon_name (g_object_get_data (G_OBJECT (line), "arrow"),
                                expanded ? "pan-down-symbolic" : "pan-end-symbolic");
  gtk_accessible_update_state (GTK_ACCESSIBLE (line), GTK_ACCESSIBLE_STATE_EXPANDED, expanded, -1);
}

static void
line_activated_cb (AdwActionRow        *line,
                   CrmCustomerServices *self)
{
  set_line_expanded (self, GTK_WIDGET (line), g_object_get_data (G_OBJECT (line), "children") == NULL);
}

/* A product line: one plain row that opens and folds its subscriptions
 * below it.  An AdwExpanderRow a line (a row, two lists and a revealer
 * each) made a third of the page's first frame (bench/page). */
static GtkWidget *
line_row (CrmCustomerServices    *self,
          CrmSummaryServiceGroup *group)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("pan-end-symbolic");
  g_autofree char *fee = crm_format_money (group->monthly_fee);
  g_autofree char *lines = crm_format_number (group->quantity);
  g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u service", "%u services",
                                                         group->services->len), group->services->len);
  g_autofree char *subtitle = NULL;
  guint ending = 0;

  for (guint i = 0; i < group->services->len; i++)
    ending += ((CrmSummaryService *) group->services->pdata[i])->ends_soon;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), category_label (group->category));
  /* TRANSLATORS: a product line's subscriptions, active lines and their monthly fees */
  subtitle = g_strdup_printf (_("%s · %s active lines · %s a month"), count, lines, fee);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (ending > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u ends within 90 days",
                                                            "%u end within 90 days", ending), ending);

      adw_action_row_add_suffix (ADW_ACTION_ROW (row), warning_tag (text));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_EXPANDED, FALSE, -1);
  one_line (row);
  g_object_set_data (G_OBJECT (row), "group", group);
  g_object_set_data (G_OBJECT (row), "arrow", arrow);
  g_signal_connect (row, "activated", G_CALLBACK (line_activated_cb), self);
  return row;
}

static void
clear (CrmCustomerServices *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_ptr_array_set_size (self->lines, 0);
  g_clear_pointer (&self->summary, crm_customer_summary_free);
}

/* Shows @summary, or nothing for NULL. */
static void
fill (CrmCustomerServices *self,
      CrmCustomerSummary *summary)
{
  g_autofree char *description = NULL;

  clear (self);
  if (summary == NULL)
    return;
  self->summary = crm_customer_summary_ref (summary);

  if (self->summary->n_services == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No services"));
      gtk_widget_add_css_class (row, "dim-label");
      one_line (row);
      gtk_list_box_append (self->list, row);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), NULL);
      return;
    }

  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u subscription", "%u subscriptions",
                                              self->summary->n_services), self->summary->n_services);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), description);
  for (guint i = 0; i < self->summary->service_groups->len; i++)
    {
      CrmSummaryServiceGroup *group = self->summary->service_groups->pdata[i];
      GtkWidget *row = line_row (self, group);

      gtk_list_box_append (self->list, row);
      g_ptr_array_add (self->lines, row);
      /* a short line starts open; a long one waits to be asked */
      set_line_expanded (self, row, group->services->len <= EXPANDED_UP_TO);
    }
}

static void
crm_customer_services_dispose (GObject *object)
{
  CrmCustomerServices *self = CRM_CUSTOMER_SERVICES (object);

  g_clear_pointer (&self->summary, crm_customer_summary_free);
  G_OBJECT_CLASS (crm_customer_services_parent_class)->dispose (object);
}

static void
crm_customer_services_finalize (GObject *object)
{
  CrmCustomerServices *self = CRM_CUSTOMER_SERVICES (object);

  g_ptr_array_unref (self->lines);
  G_OBJECT_CLASS (crm_customer_services_parent_class)->finalize (object);
}

static void
crm_customer_services_class_init (CrmCustomerServicesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_customer_services_dispose;
  object_class->finalize = crm_customer_services_finalize;
}

static void
crm_customer_services_init (CrmCustomerServices *self)
{
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Services"));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->list));
  self->lines = g_ptr_array_new ();
}

GtkWidget *
crm_customer_services_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_SERVICES, NULL);
}

void
crm_customer_services_show (CrmCustomerServices *self,
                            CrmCustomerSummary  *summary)
{
  g_return_if_fail (CRM_IS_CUSTOMER_SERVICES (self));

  fill (self, summary);
}

/**
 * crm_customer_services_get_rows:
 *
 * Returns: (transfer none) (element-type AdwActionRow): the product lines
 */
GPtrArray *
crm_customer_services_get_rows (CrmCustomerServices *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_SERVICES (self), NULL);

  return self->lines;
}

gboolean
crm_customer_services_get_line_expanded (CrmCustomerServices *self,
                                         guint                line)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_SERVICES (self), FALSE);
  g_return_val_if_fail (line < self->lines->len, FALSE);

  return g_object_get_data (self->lines->pdata[line], "children") != NULL;
}
