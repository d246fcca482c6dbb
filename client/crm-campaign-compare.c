#define G_LOG_DOMAIN "crm-campaign-compare"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-compare.h"
#include "crm-campaign-report.h"
#include "crm-campaign-results.h"
#include "crm-error.h"
#include "crm-format.h"

/* One chosen campaign: its column. */
typedef struct
{
  CrmCampaignCompare *self;
  char               *id;
  char               *name;        /* from the store, until the answer names it */
  CrmCampaignReport  *report;
  GError             *error;
  GCancellable       *cancellable;
  gboolean            asking;
} Chosen;

struct _CrmCampaignCompare
{
  AdwWindow     parent_instance;

  CrmApi       *api;
  CrmStore     *store;
  GPtrArray    *chosen;            /* of Chosen, in the columns' order */
  GHashTable   *checks;            /* id -> GtkCheckButton (borrowed) */

  GtkListBox   *campaign_list;
  GtkStack     *stack;
  GtkGrid      *grid;
};

G_DEFINE_FINAL_TYPE (CrmCampaignCompare, crm_campaign_compare, ADW_TYPE_WINDOW)

static void
chosen_free (Chosen *chosen)
{
  g_cancellable_cancel (chosen->cancellable);
  g_clear_object (&chosen->cancellable);
  g_free (chosen->id);
  g_free (chosen->name);
  crm_campaign_report_free (chosen->report);
  g_clear_error (&chosen->error);
  g_free (chosen);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

typedef enum
{
  ROW_STATUS,
  ROW_TARGETS,
  ROW_CONTACTED,
  ROW_RESPONDED,
  ROW_CONVERTED,
  ROW_RESPONSE_RATE,
  ROW_CONVERSION_RATE,
  ROW_REVENUE,
  ROW_COST,
  ROW_BUDGET,
  ROW_COST_PER_RESPONSE,
  ROW_ROI,
  ROW_CONTROL,
  ROW_CONTROL_RATE,
  ROW_CONVERSION_UPLIFT,
  ROW_REVENUE_UPLIFT,
  ROW_EFFECT,
  N_ROWS
} Row;

static const char *
row_title (Row row)
{
  switch (row)
    {
    case ROW_STATUS: return _("Status");
    case ROW_TARGETS: return _("Targets");
    case ROW_CONTACTED: return C_("campaign figure", "Contacted");
    case ROW_RESPONDED: return _("Responded");
    case ROW_CONVERTED: return _("Converted");
    case ROW_RESPONSE_RATE: return _("Response Rate");
    case ROW_CONVERSION_RATE: return _("Conversion Rate");
    case ROW_REVENUE: return _("Revenue Attributed");
    case ROW_COST: return _("Actual Cost");
    case ROW_BUDGET: return _("Budget");
    case ROW_COST_PER_RESPONSE: return _("Cost per Response");
    case ROW_ROI: return _("ROI");
    case ROW_CONTROL: return _("Control Group");
    case ROW_CONTROL_RATE: return _("Control Conversion Rate");
    case ROW_CONVERSION_UPLIFT: return _("Conversion Uplift (95% interval)");
    case ROW_REVENUE_UPLIFT: return _("Revenue Uplift per Customer (95% interval)");
    case ROW_EFFECT: return _("Measurable Effect");
    case N_ROWS:
    default:
      return "";
    }
}

static char *
money_or_dash (gint64 fen)
{
  return fen == CRM_CAMPAIGN_NONE ? g_strdup ("—") : crm_format_money (fen);
}

static char *
effect_text (const CrmCampaignReport *r)
{
  const CrmCampaignInterval *c = &r->uplift_conversion, *v = &r->uplift_revenue;

  if (!crm_campaign_interval_known (c) && !crm_campaign_interval_known (v))
    return g_strdup (_("Cannot be measured yet"));
  if ((crm_campaign_interval_known (c) && !crm_campaign_interval_holds_zero (c)) ||
      (crm_campaign_interval_known (v) && !crm_campaign_interval_holds_zero (v)))
    return g_strdup (_("Yes"));
  return g_strdup (_("No measurable effect (yet)"));
}

static char *
cell_text (const CrmCampaignReport *r,
           Row                      row)
{
  const CrmCampaignFigures *t = &r->totals;

  switch (row)
    {
    case ROW_STATUS: return g_strdup (crm_campaign_status_label (r->status));
    case ROW_TARGETS: return crm_format_number (t->targets);
    case ROW_CONTACTED: return crm_format_number (t->contacted);
    case ROW_RESPONDED: return crm_format_number (t->responded);
    case ROW_CONVERTED: return crm_format_number (t->converted);
    case ROW_RESPONSE_RATE: return crm_campaign_format_rate (t->response_rate);
    case ROW_CONVERSION_RATE: return crm_campaign_format_rate (t->conversion_rate);
    case ROW_REVENUE: return crm_format_money (t->revenue);
    case ROW_COST: return crm_format_money (t->cost);
    case ROW_BUDGET: return money_or_dash (r->budget);
    case ROW_COST_PER_RESPONSE: return money_or_dash (t->cost_per_response);
    case ROW_ROI: return crm_campaign_format_roi (t->roi);
    case ROW_CONTROL: return crm_format_number (r->control_members);
    case ROW_CONTROL_RATE: return crm_campaign_format_rate (r->control_conversion_rate);
    case ROW_CONVERSION_UPLIFT: return crm_campaign_format_conversion_interval (&r->uplift_conversion);
    case ROW_REVENUE_UPLIFT: return crm_campaign_format_revenue_interval (&r->uplift_revenue);
    case ROW_EFFECT: return effect_text (r);
    case N_ROWS:
    default:
      return g_strdup ("");
    }
}

static GtkWidget *
cell (const char *text,
      float       xalign,
      const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  /* the names and the rows' titles wrap, the figures never */
  gtk_label_set_wrap (GTK_LABEL (label), g_strcmp0 (css_class, "numeric") != 0);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
fill_column (CrmCampaignCompare *self,
             Chosen             *chosen,
             int                 column)
{
  const char *name = chosen->report ? chosen->report->name : chosen->name ? chosen->name : chosen->id;

  gtk_grid_attach (self->grid, cell (name, 1.0, "heading"), column, 0, 1, 1);
  if (chosen->report == NULL)
    {
      const char *why = chosen->error ? chosen->error->message
                      : chosen->asking ? _("Asking the server…") : _("Offline. No results kept.");

      gtk_grid_attach (self->grid, cell (why, 1.0, "dim-label"), column, 1, 1, N_ROWS);
      return;
    }
  for (Row row = 0; row < N_ROWS; row++)
    {
      g_autofree char *text = cell_text (chosen->report, row);

      gtk_grid_attach (self->grid, cell (text, 1.0, "numeric"), column, row + 1, 1, 1);
    }
}

static void
show_table (CrmCampaignCompare *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))) != NULL)
    gtk_grid_remove (self->grid, child);
  if (self->chosen->len < 2)
    {
      gtk_stack_set_visible_child_name (self->stack, "hint");
      return;
    }
  for (Row row = 0; row < N_ROWS; row++)
    gtk_grid_attach (self->grid, cell (row_title (row), 0.0, "dim-label"), 0, row + 1, 1, 1);
  for (guint i = 0; i < self->chosen->len; i++)
    fill_column (self, self->chosen->pdata[i], i + 1);
  gtk_stack_set_visible_child_name (self->stack, "table");
}

/* ------------------------------------------------------------------ */
/* Asking                                                              */
/* ------------------------------------------------------------------ */

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Chosen *chosen = user_data;
  g_autoptr(GError) error = NULL;
  CrmCampaignReport *report;

  report = crm_api_get_campaign_results_finish (CRM_API (object), result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* no longer chosen: @chosen is gone */
  chosen->asking = FALSE;
  if (report != NULL)
    {
      crm_campaign_report_free (chosen->report);
      chosen->report = report;
      g_clear_error (&chosen->error);
    }
  else if (!(g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE) &&
             g_strcmp0 (crm_error_get_field (error), CRM_API_FIELD_SERVER) == 0) || chosen->report == NULL)
    {
      /* refused, or not reached with nothing kept: say why */
      if (!g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE))
        {
          g_clear_error (&chosen->error);
          chosen->error = g_steal_pointer (&error);
        }
    }
  show_table (chosen->self);
}

static void
ask (CrmCampaignCompare *self,
     Chosen             *chosen)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) when = NULL;

  if (self->store != NULL && crm_store_get_answer (self->store, CRM_CAMPAIGN_RESULTS_ENDPOINT, chosen->id, &text,
                                                   &when, NULL) && text != NULL)
    chosen->report = crm_campaign_report_from_text (text, NULL);
  if (self->api == NULL)
    return;
  chosen->asking = TRUE;
  chosen->cancellable = g_cancellable_new ();
  crm_api_get_campaign_results_async (self->api, chosen->id, chosen->cancellable, fetch_cb, chosen);
}

static int
find_chosen (CrmCampaignCompare *self,
             const char         *id)
{
  for (guint i = 0; i < self->chosen->len; i++)
    if (g_strcmp0 (((Chosen *) self->chosen->pdata[i])->id, id) == 0)
      return i;
  return -1;
}

static void
update_checks (CrmCampaignCompare *self)
{
  GHashTableIter iter;
  gpointer key, value;
  gboolean full = self->chosen->len >= CRM_CAMPAIGN_COMPARE_MAX;

  g_hash_table_iter_init (&iter, self->checks);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gboolean on = find_chosen (self, key) >= 0;

      g_signal_handlers_block_matched (value, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_check_button_set_active (value, on);
      g_signal_handlers_unblock_matched (value, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
      gtk_widget_set_sensitive (value, on || !full);
    }
}

/* ------------------------------------------------------------------ */
/* The list of campaigns                                               */
/* ------------------------------------------------------------------ */

static void
toggled_cb (GtkCheckButton     *check,
            CrmCampaignCompare *self)
{
  const char *id = g_object_get_data (G_OBJECT (check), "campaign-id");

  crm_campaign_compare_choose (self, id, gtk_check_button_get_active (check));
}

static int
by_start_desc (gconstpointer a,
               gconstpointer b)
{
  JsonObject *x = *(JsonObject **) a, *y = *(JsonObject **) b;

  return -g_strcmp0 (json_object_get_string_member_with_default (x, "starts_on", ""),
                     json_object_get_string_member_with_default (y, "starts_on", ""));
}

static void
fill_list (CrmCampaignCompare *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) campaigns = NULL;

  if (self->store == NULL)
    return;
  campaigns = crm_store_get_records (self->store, CRM_ENTITY_CAMPAIGN, NULL, &error);
  if (campaigns == NULL)
    {
      g_warning ("Cannot read the campaigns: %s", error->message);
      return;
    }
  g_ptr_array_sort (campaigns, by_start_desc);
  for (guint i = 0; i < campaigns->len; i++)
    {
      JsonObject *c = campaigns->pdata[i];
      const char *id = json_object_get_string_member_with_default (c, "id", NULL);
      const char *name = json_object_get_string_member_with_default (c, "name", id);
      const char *status = json_object_get_string_member_with_default (c, "status", NULL);
      g_autofree char *markup = NULL;
      GtkWidget *check, *label;

      if (id == NULL)
        continue;
      markup = g_markup_printf_escaped ("%s\n<small>%s</small>", name, crm_campaign_status_label (status));
      check = gtk_check_button_new ();
      label = gtk_label_new (NULL);
      gtk_label_set_markup (GTK_LABEL (label), markup);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_check_button_set_child (GTK_CHECK_BUTTON (check), label);
      gtk_widget_set_margin_start (check, 6);
      gtk_widget_set_margin_end (check, 6);
      gtk_widget_set_margin_top (check, 4);
      gtk_widget_set_margin_bottom (check, 4);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      g_object_set_data_full (G_OBJECT (check), "campaign-id", g_strdup (id), g_free);
      g_object_set_data_full (G_OBJECT (check), "campaign-name", g_strdup (name), g_free);
      g_signal_connect (check, "toggled", G_CALLBACK (toggled_cb), self);
      g_hash_table_insert (self->checks, g_strdup (id), check);
      gtk_list_box_append (self->campaign_list, check);
    }
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_campaign_compare_dispose (GObject *object)
{
  CrmCampaignCompare *self = CRM_CAMPAIGN_COMPARE (object);

  g_clear_pointer (&self->chosen, g_ptr_array_unref);
  g_clear_pointer (&self->checks, g_hash_table_unref);
  g_clear_object (&self->api);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_campaign_compare_parent_class)->dispose (object);
}

static void
crm_campaign_compare_class_init (CrmCampaignCompareClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_campaign_compare_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-campaign-compare.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignCompare, campaign_list);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignCompare, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignCompare, grid);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
crm_campaign_compare_init (CrmCampaignCompare *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->chosen = g_ptr_array_new_with_free_func ((GDestroyNotify) chosen_free);
  self->checks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

GtkWidget *
crm_campaign_compare_new (GtkWindow          *parent,
                          CrmApi             *api,
                          CrmStore           *store,
                          const char * const *ids)
{
  CrmCampaignCompare *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (api == NULL || CRM_IS_API (api), NULL);
  g_return_val_if_fail (store == NULL || CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_CAMPAIGN_COMPARE, "transient-for", parent, NULL);
  self->api = api ? g_object_ref (api) : NULL;
  self->store = store ? g_object_ref (store) : NULL;
  fill_list (self);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    crm_campaign_compare_choose (self, ids[i], TRUE);
  update_checks (self);
  show_table (self);
  return GTK_WIDGET (self);
}

gboolean
crm_campaign_compare_choose (CrmCampaignCompare *self,
                             const char         *id,
                             gboolean            chosen)
{
  int at;

  g_return_val_if_fail (CRM_IS_CAMPAIGN_COMPARE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  at = find_chosen (self, id);
  if (!chosen)
    {
      if (at >= 0)
        g_ptr_array_remove_index (self->chosen, at);
    }
  else if (at < 0)
    {
      Chosen *c;
      GtkWidget *check = g_hash_table_lookup (self->checks, id);

      if (self->chosen->len >= CRM_CAMPAIGN_COMPARE_MAX)
        {
          update_checks (self);
          return FALSE;
        }
      c = g_new0 (Chosen, 1);
      c->self = self;
      c->id = g_strdup (id);
      c->name = check ? g_strdup (g_object_get_data (G_OBJECT (check), "campaign-name")) : NULL;
      g_ptr_array_add (self->chosen, c);
      ask (self, c);
    }
  update_checks (self);
  show_table (self);
  return TRUE;
}

GStrv
crm_campaign_compare_dup_ids (CrmCampaignCompare *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (CRM_IS_CAMPAIGN_COMPARE (self), NULL);

  for (guint i = 0; i < self->chosen->len; i++)
    g_strv_builder_add (builder, ((Chosen *) self->chosen->pdata[i])->id);
  return g_strv_builder_end (builder);
}

guint
crm_campaign_compare_get_n_waiting (CrmCampaignCompare *self)
{
  guint n = 0;

  g_return_val_if_fail (CRM_IS_CAMPAIGN_COMPARE (self), 0);

  for (guint i = 0; i < self->chosen->len; i++)
    if (((Chosen *) self->chosen->pdata[i])->report == NULL && ((Chosen *) self->chosen->pdata[i])->asking)
      n++;
  return n;
}

guint
crm_campaign_compare_get_n_asking (CrmCampaignCompare *self)
{
  guint n = 0;

  g_return_val_if_fail (CRM_IS_CAMPAIGN_COMPARE (self), 0);

  for (guint i = 0; i < self->chosen->len; i++)
    if (((Chosen *) self->chosen->pdata[i])->asking)
      n++;
  return n;
}
