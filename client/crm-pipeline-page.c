#define G_LOG_DOMAIN "crm-pipeline-page"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-money.h"
#include "crm-pipeline-analysis.h"
#include "crm-pipeline-forecast.h"
#include "crm-pipeline-page.h"
#include "crm-pipeline-remote.h"
#include "crm-pipeline-remote-list.h"
#include "crm-pipeline-table.h"

#define SETTINGS_VIEWS "pipeline-views"

/* The product lines (crm_product_category_names), as the Services
 * section calls them (crm-customer-services.c). */
static const char * const product_line_labels[] = {
  N_("Dedicated Lines"), N_("Broadband"), N_("Fixed Lines"), N_("Mobile Plans"),
  N_("IDC"), N_("Cloud"), N_("IoT Cards"), N_("SMS"),
};
G_STATIC_ASSERT (G_N_ELEMENTS (product_line_labels) == CRM_N_PRODUCT_CATEGORIES);

/* The close-period menu: "any", then presets relative to today, then the
 * dates of a saved view that matches none of them. */
enum {
  CLOSE_ANY,
  CLOSE_THIS_MONTH,
  CLOSE_NEXT_MONTH,
  CLOSE_THIS_QUARTER,
  CLOSE_NEXT_QUARTER,
  CLOSE_THIS_YEAR,
  CLOSE_CUSTOM,
};

/* A drop-down of directory choices, "Any …" first. */
typedef struct
{
  GtkDropDown   *drop_down;
  GtkStringList *labels;
  GPtrArray     *ids;           /* [0] is NULL */
} Menu;

struct _CrmPipelinePage
{
  AdwBin             parent_instance;

  CrmStore          *store;
  CrmPipelineModel  *model;
  CrmApi            *api;
  JsonObject        *user;
  CrmPipelineRemote *remote;        /* a director's board of their team or region */
  CrmPipelineRemoteList *remote_list; /* and its table */
  GSettings         *settings;
  CrmPipelineFilter *filter;
  guint              blocked;
  Menu               menus[CRM_PIPELINE_N_CHOICES];
  char              *custom_from;   /* the CLOSE_CUSTOM entry's dates, or NULL */
  char              *custom_to;

  /* Template widgets */
  AdwViewStack      *views;
  CrmPipelineBoard  *board;
  CrmPipelineTable  *table;
  CrmPipelineForecast *forecast;
  CrmPipelineAnalysis *analysis;
  GtkDropDown       *owner_drop;
  GtkDropDown       *team_drop;
  GtkDropDown       *region_drop;
  GtkDropDown       *product_drop;
  GtkEntry          *amount_min_entry;
  GtkEntry          *amount_max_entry;
  GtkDropDown       *close_drop;
  GtkMenuButton     *views_button;
};

G_DEFINE_FINAL_TYPE (CrmPipelinePage, crm_pipeline_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const any_labels[CRM_PIPELINE_N_CHOICES] = {
  N_("Any owner"), N_("Any team"), N_("Any region"),
};

/* ------------------------------------------------------------------ */
/* The filter bar                                                      */
/* ------------------------------------------------------------------ */

static gboolean
interface_is_chinese (void)
{
  return g_str_has_prefix (g_get_language_names ()[0], "zh");
}

static void
menu_select_id (Menu       *menu,
                const char *id)
{
  guint index = 0;

  for (guint i = 1; id != NULL && i < menu->ids->len; i++)
    if (g_strcmp0 (menu->ids->pdata[i], id) == 0)
      index = i;
  gtk_drop_down_set_selected (menu->drop_down, index);
}

static const char *
menu_selected_id (Menu *menu)
{
  guint index = gtk_drop_down_get_selected (menu->drop_down);

  return index < menu->ids->len ? menu->ids->pdata[index] : NULL;
}

/* The model's directory into the menus, keeping what is chosen (a saved
 * view may name an owner not in the directory: it stays, by its id). */
static void
update_choices (CrmPipelinePage *self)
{
  gboolean chinese = interface_is_chinese ();

  self->blocked++;
  for (guint k = 0; k < CRM_PIPELINE_N_CHOICES; k++)
    {
      Menu *menu = &self->menus[k];
      GPtrArray *choices = self->model ? crm_pipeline_model_get_choices (self->model, k) : NULL;
      const char *chosen = k == CRM_PIPELINE_CHOICE_OWNER ? self->filter->owner_id
                           : k == CRM_PIPELINE_CHOICE_TEAM ? self->filter->team_id
                           : self->filter->region_id;
      g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;
      gboolean found = FALSE;

      g_ptr_array_set_size (menu->ids, 0);
      g_ptr_array_add (menu->ids, NULL);
      g_strv_builder_add (labels, _(any_labels[k]));
      for (guint i = 0; choices != NULL && i < choices->len; i++)
        {
          CrmPipelineChoice *choice = choices->pdata[i];

          g_ptr_array_add (menu->ids, g_strdup (choice->id));
          g_strv_builder_add (labels, !chinese && choice->name_en ? choice->name_en : choice->name);
          found = found || g_strcmp0 (choice->id, chosen) == 0;
        }
      if (chosen != NULL && !found)
        {
          g_ptr_array_add (menu->ids, g_strdup (chosen));
          g_strv_builder_add (labels, chosen);
        }
      strv = g_strv_builder_end (labels);
      gtk_string_list_splice (menu->labels, 0, g_list_model_get_n_items (G_LIST_MODEL (menu->labels)),
                              (const char * const *) strv);
      menu_select_id (menu, chosen);
    }
  self->blocked--;
}

static void
close_period (guint   index,
              char  **from,
              char  **to)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDate) date = g_date_new_dmy ((GDateDay) g_date_time_get_day_of_month (now),
                                          (GDateMonth) g_date_time_get_month (now),
                                          (GDateYear) g_date_time_get_year (now));

  *from = *to = NULL;
  switch (index)
    {
    case CLOSE_NEXT_MONTH:
      g_date_set_day (date, 1);
      g_date_add_months (date, 1);
      G_GNUC_FALLTHROUGH;
    case CLOSE_THIS_MONTH:
      crm_pipeline_period_bounds (CRM_PIPELINE_PERIOD_MONTH, date, from, to);
      break;
    case CLOSE_NEXT_QUARTER:
      g_date_set_day (date, 1);
      g_date_add_months (date, 3);
      G_GNUC_FALLTHROUGH;
    case CLOSE_THIS_QUARTER:
      crm_pipeline_period_bounds (CRM_PIPELINE_PERIOD_QUARTER, date, from, to);
      break;
    case CLOSE_THIS_YEAR:
      crm_pipeline_period_bounds (CRM_PIPELINE_PERIOD_YEAR, date, from, to);
      break;
    default:
      break;
    }
}

static void
set_close_menu (CrmPipelinePage *self)
{
  GtkStringList *labels = GTK_STRING_LIST (gtk_drop_down_get_model (self->close_drop));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (labels));
  guint selected = CLOSE_CUSTOM;

  if (self->filter->close_from == NULL && self->filter->close_to == NULL)
    selected = CLOSE_ANY;
  for (guint i = CLOSE_THIS_MONTH; selected == CLOSE_CUSTOM && i < CLOSE_CUSTOM; i++)
    {
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;

      close_period (i, &from, &to);
      if (g_strcmp0 (from, self->filter->close_from) == 0 && g_strcmp0 (to, self->filter->close_to) == 0)
        selected = i;
    }
  if (n > CLOSE_CUSTOM)
    gtk_string_list_remove (labels, CLOSE_CUSTOM);
  g_clear_pointer (&self->custom_from, g_free);
  g_clear_pointer (&self->custom_to, g_free);
  if (selected == CLOSE_CUSTOM)
    {
      g_autofree char *label = g_strdup_printf ("%s – %s", self->filter->close_from ? self->filter->close_from : "",
                                                self->filter->close_to ? self->filter->close_to : "");

      gtk_string_list_append (labels, label);
      self->custom_from = g_strdup (self->filter->close_from);
      self->custom_to = g_strdup (self->filter->close_to);
    }
  gtk_drop_down_set_selected (self->close_drop, selected);
}

static void
set_amount_entry (GtkEntry *entry,
                  gint64    fen)
{
  g_autofree char *text = fen >= 0 ? crm_money_format (fen, FALSE) : g_strdup ("");

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

/* The bar shows self->filter. */
static void
show_filter (CrmPipelinePage *self)
{
  int product = self->filter->product_line ? crm_wire_lookup (crm_product_category_names, self->filter->product_line)
                                           : -1;

  self->blocked++;
  update_choices (self);
  gtk_drop_down_set_selected (self->product_drop, product < 0 ? 0 : (guint) product + 1);
  set_amount_entry (self->amount_min_entry, self->filter->amount_min);
  set_amount_entry (self->amount_max_entry, self->filter->amount_max);
  set_close_menu (self);
  self->blocked--;
}

static void
put_id (GHashTable *table,
        const char *name,
        const char *value)
{
  if (value != NULL)
    g_hash_table_insert (table, g_strdup (name), g_strdup (value));
}

static void
put_amount (GHashTable *table,
            const char *name,
            gint64      fen)
{
  if (fen >= 0)
    g_hash_table_insert (table, g_strdup (name), g_strdup_printf ("%" G_GINT64_FORMAT, fen));
}

static GHashTable *
filter_params (CrmPipelinePage *self)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  put_id (table, "owner", self->filter->owner_id);
  put_id (table, "team", self->filter->team_id);
  put_id (table, "region", self->filter->region_id);
  put_id (table, "product_line", self->filter->product_line);
  put_amount (table, "amount_min", self->filter->amount_min);
  put_amount (table, "amount_max", self->filter->amount_max);
  put_id (table, "close_from", self->filter->close_from);
  put_id (table, "close_to", self->filter->close_to);
  return table;
}

/* The widest scope a director sees: their region, else their team. */
static char *
director_scope (JsonObject *user)
{
  const char *region = json_object_get_string_member_with_default (user, "region_id", NULL);
  const char *team = json_object_get_string_member_with_default (user, "team_id", NULL);

  if (region != NULL)
    return g_strconcat ("region:", region, NULL);
  if (team != NULL)
    return g_strconcat ("team:", team, NULL);
  return g_strdup ("me");
}

/* A director's store holds only the opportunities they own: the Board of
 * anything wider comes from the server (crm-pipeline-remote.c).  An
 * account manager, or a director looking at their own, reads the store. */
static gboolean
wants_server (CrmPipelinePage *self)
{
  const char *role, *me;

  if (self->api == NULL || self->user == NULL || self->store == NULL || self->model == NULL)
    return FALSE;
  role = json_object_get_string_member_with_default (self->user, "role", NULL);
  me = json_object_get_string_member_with_default (self->user, "id", NULL);
  return g_strcmp0 (role, "director") == 0 && (self->filter->owner_id == NULL || g_strcmp0 (self->filter->owner_id, me) != 0);
}

static void
remote_stages_cb (CrmPipelinePage *self)
{
  const CrmPipelineStage *stages;
  guint n;

  if (self->remote == NULL || self->model == NULL)
    return;
  stages = crm_pipeline_model_get_stages (self->model, &n);
  crm_pipeline_remote_set_stages (self->remote, stages, n);
  crm_pipeline_remote_list_set_stages (self->remote_list, stages, n);
}

/* Server mode or the store's, as the filter and the session say. */
static void
update_board_source (CrmPipelinePage *self)
{
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(CrmReportQuery) query = NULL;
  g_autofree char *scope = NULL;
  GHashTableIter iter;
  gpointer name, value;

  if (self->board == NULL)
    return;
  if (!wants_server (self))
    {
      crm_pipeline_board_set_remote (self->board, NULL);
      if (self->table != NULL)
        crm_pipeline_table_set_remote (self->table, NULL);
      return;
    }
  if (self->remote == NULL)
    {
      self->remote = crm_pipeline_remote_new ();
      crm_pipeline_remote_set_store (self->remote, self->store);
      crm_pipeline_remote_follow_mapped (self->remote, GTK_WIDGET (self->board));
      self->remote_list = crm_pipeline_remote_list_new ();
      crm_pipeline_remote_list_set_store (self->remote_list, self->store);
      crm_pipeline_remote_list_follow_mapped (self->remote_list, GTK_WIDGET (self->table));
      g_signal_connect_object (self->model, "stages-changed", G_CALLBACK (remote_stages_cb), self, G_CONNECT_SWAPPED);
      remote_stages_cb (self);
    }
  crm_pipeline_remote_set_api (self->remote, self->api);
  crm_pipeline_remote_list_set_api (self->remote_list, self->api);
  scope = director_scope (self->user);
  query = crm_report_query_new (scope, NULL);
  params = filter_params (self);
  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &name, &value))
    crm_report_query_set_filter (query, name, value);
  crm_pipeline_remote_set_query (self->remote, query);
  crm_pipeline_remote_list_set_query (self->remote_list, query);
  crm_pipeline_board_set_remote (self->board, self->remote);
  crm_pipeline_table_set_remote (self->table, self->remote_list);
}

/* The server's reports take the same filter, as query parameters. */
static void
push_report_filters (CrmPipelinePage *self)
{
  g_autoptr(GHashTable) table = filter_params (self);

  if (self->forecast != NULL)
    crm_pipeline_forecast_set_filters (self->forecast, table);
  if (self->analysis != NULL)
    crm_pipeline_analysis_set_filters (self->analysis, table);
}

static void
apply_filter (CrmPipelinePage *self)
{
  if (self->model != NULL)
    crm_pipeline_model_set_filter (self->model, self->filter);
  push_report_filters (self);
  update_board_source (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pipeline.clear-filter",
                                 !crm_pipeline_filter_is_empty (self->filter));
}

/* An amount typed in yuan; -1 for nothing.  FALSE for what is not one. */
static gboolean
read_amount (GtkEntry *entry,
             gint64   *fen)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  CrmMoney value;

  *fen = -1;
  if (text[0] == '\0')
    return TRUE;
  if (!crm_money_parse (text, &value, NULL) || value < 0)
    return FALSE;
  *fen = value;
  return TRUE;
}

/* The user changed something in the bar: the filter follows it. */
static void
bar_changed_cb (CrmPipelinePage *self)
{
  guint product, close;
  gint64 min, max;

  if (self->blocked)
    return;
  g_free (self->filter->owner_id);
  self->filter->owner_id = g_strdup (menu_selected_id (&self->menus[CRM_PIPELINE_CHOICE_OWNER]));
  g_free (self->filter->team_id);
  self->filter->team_id = g_strdup (menu_selected_id (&self->menus[CRM_PIPELINE_CHOICE_TEAM]));
  g_free (self->filter->region_id);
  self->filter->region_id = g_strdup (menu_selected_id (&self->menus[CRM_PIPELINE_CHOICE_REGION]));
  product = gtk_drop_down_get_selected (self->product_drop);
  g_free (self->filter->product_line);
  self->filter->product_line = product >= 1 && product <= CRM_N_PRODUCT_CATEGORIES
                               ? g_strdup (crm_product_category_names[product - 1]) : NULL;

  /* what is not an amount keeps the bound it had, and is marked */
  if (read_amount (self->amount_min_entry, &min))
    {
      self->filter->amount_min = min;
      gtk_widget_remove_css_class (GTK_WIDGET (self->amount_min_entry), "error");
    }
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->amount_min_entry), "error");
  if (read_amount (self->amount_max_entry, &max))
    {
      self->filter->amount_max = max;
      gtk_widget_remove_css_class (GTK_WIDGET (self->amount_max_entry), "error");
    }
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->amount_max_entry), "error");

  close = gtk_drop_down_get_selected (self->close_drop);
  g_clear_pointer (&self->filter->close_from, g_free);
  g_clear_pointer (&self->filter->close_to, g_free);
  if (close == CLOSE_CUSTOM)
    {
      self->filter->close_from = g_strdup (self->custom_from);
      self->filter->close_to = g_strdup (self->custom_to);
    }
  else
    close_period (close, &self->filter->close_from, &self->filter->close_to);
  apply_filter (self);
}

/* ------------------------------------------------------------------ */
/* Saved views                                                         */
/* ------------------------------------------------------------------ */

/* The saved views, name -> a{sv}, with @name set to @filter (or removed
 * when @filter is NULL). */
static GVariant *
views_with (GVariant                *views,
            const char              *name,
            const CrmPipelineFilter *filter)
{
  GVariantBuilder builder;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_iter_init (&iter, views);
  while (g_variant_iter_next (&iter, "{&s@a{sv}}", &key, &value))
    {
      if (g_strcmp0 (key, name) != 0)
        g_variant_builder_add (&builder, "{s@a{sv}}", key, value);
      g_variant_unref (value);
    }
  if (filter != NULL)
    g_variant_builder_add (&builder, "{s@a{sv}}", name, crm_pipeline_filter_to_variant (filter));
  return g_variant_builder_end (&builder);
}

static void
update_views_menu (CrmPipelinePage *self)
{
  g_autoptr(GVariant) views = g_settings_get_value (self->settings, SETTINGS_VIEWS);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) apply = g_menu_new ();
  g_autoptr(GMenu) remove = g_menu_new ();
  g_autoptr(GMenu) save = g_menu_new ();
  GVariantIter iter;
  const char *name;

  g_variant_iter_init (&iter, views);
  while (g_variant_iter_next (&iter, "{&s@a{sv}}", &name, NULL))
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (name, NULL);
      g_autoptr(GMenuItem) del = g_menu_item_new (name, NULL);

      g_menu_item_set_action_and_target_value (item, "pipeline.apply-view", g_variant_new_string (name));
      g_menu_append_item (apply, item);
      g_menu_item_set_action_and_target_value (del, "pipeline.delete-view", g_variant_new_string (name));
      g_menu_append_item (remove, del);
    }
  g_menu_append (save, _("_Save Current Filter…"), "pipeline.save-view");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (apply));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (save));
  if (g_menu_model_get_n_items (G_MENU_MODEL (remove)) > 0)
    g_menu_append_submenu (save, _("_Delete View"), G_MENU_MODEL (remove));
  gtk_menu_button_set_menu_model (self->views_button, G_MENU_MODEL (menu));
}

static void
view_name_changed_cb (GtkEditable      *entry,
                      AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "save", text[0] != '\0');
}

static void
view_name_activate_cb (GtkEntry         *entry,
                       AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "save"))
    adw_message_dialog_response (dialog, "save");
}

static void
save_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  CrmPipelinePage  *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (g_strcmp0 (response, "save") == 0 && name[0] != '\0')
    crm_pipeline_page_save_view (self, name);
}

static void
save_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                              _("Save View"), _("The current filter is saved under a name."));
  GtkWidget *entry = gtk_entry_new ();

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "save", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("View name"));
  gtk_entry_set_max_length (GTK_ENTRY (entry), 60);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("View name"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_signal_connect (entry, "changed", G_CALLBACK (view_name_changed_cb), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (view_name_activate_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (save_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
apply_view_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  crm_pipeline_page_apply_view (CRM_PIPELINE_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
delete_view_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  crm_pipeline_page_delete_view (CRM_PIPELINE_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
clear_filter_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(CrmPipelineFilter) empty = crm_pipeline_filter_new ();

  crm_pipeline_page_set_filter (CRM_PIPELINE_PAGE (widget), empty);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_pipeline_page_dispose (GObject *object)
{
  CrmPipelinePage *self = (CrmPipelinePage *) object;

  crm_pipeline_page_set_store (self, NULL);
  g_clear_object (&self->remote);
  g_clear_object (&self->remote_list);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_PIPELINE_PAGE);

  G_OBJECT_CLASS (crm_pipeline_page_parent_class)->dispose (object);
}

static void
crm_pipeline_page_finalize (GObject *object)
{
  CrmPipelinePage *self = (CrmPipelinePage *) object;

  g_clear_object (&self->settings);
  g_clear_object (&self->api);
  g_clear_pointer (&self->user, json_object_unref);
  g_clear_pointer (&self->filter, crm_pipeline_filter_free);
  for (guint k = 0; k < CRM_PIPELINE_N_CHOICES; k++)
    {
      g_clear_object (&self->menus[k].labels);
      g_clear_pointer (&self->menus[k].ids, g_ptr_array_unref);
    }
  g_free (self->custom_from);
  g_free (self->custom_to);

  G_OBJECT_CLASS (crm_pipeline_page_parent_class)->finalize (object);
}

static void
crm_pipeline_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_pipeline_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CrmPipelinePage *self = CRM_PIPELINE_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      crm_pipeline_page_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_pipeline_page_class_init (CrmPipelinePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_pipeline_page_dispose;
  object_class->finalize = crm_pipeline_page_finalize;
  object_class->get_property = crm_pipeline_page_get_property;
  object_class->set_property = crm_pipeline_page_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, CRM_TYPE_STORE,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRM_TYPE_PIPELINE_BOARD);
  g_type_ensure (CRM_TYPE_PIPELINE_FORECAST);
  g_type_ensure (CRM_TYPE_PIPELINE_ANALYSIS);
  g_type_ensure (CRM_TYPE_PIPELINE_TABLE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-pipeline-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, views);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, board);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, table);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, forecast);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, analysis);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, owner_drop);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, team_drop);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, region_drop);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, product_drop);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, amount_min_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, amount_max_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, close_drop);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelinePage, views_button);
  gtk_widget_class_bind_template_callback (widget_class, bar_changed_cb);

  gtk_widget_class_install_action (widget_class, "pipeline.save-view", NULL, save_view_action);
  gtk_widget_class_install_action (widget_class, "pipeline.apply-view", "s", apply_view_action);
  gtk_widget_class_install_action (widget_class, "pipeline.delete-view", "s", delete_view_action);
  gtk_widget_class_install_action (widget_class, "pipeline.clear-filter", NULL, clear_filter_action);
}

static void
crm_pipeline_page_init (CrmPipelinePage *self)
{
  GtkDropDown *drops[CRM_PIPELINE_N_CHOICES];
  g_autoptr(GtkStringList) products = gtk_string_list_new (NULL);

  /* the template's drop-downs notify as they are built */
  self->blocked = 1;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
  self->filter = crm_pipeline_filter_new ();

  drops[CRM_PIPELINE_CHOICE_OWNER] = self->owner_drop;
  drops[CRM_PIPELINE_CHOICE_TEAM] = self->team_drop;
  drops[CRM_PIPELINE_CHOICE_REGION] = self->region_drop;
  for (guint k = 0; k < CRM_PIPELINE_N_CHOICES; k++)
    {
      self->menus[k].drop_down = drops[k];
      self->menus[k].labels = gtk_string_list_new (NULL);
      self->menus[k].ids = g_ptr_array_new_with_free_func (g_free);
      gtk_drop_down_set_model (drops[k], G_LIST_MODEL (self->menus[k].labels));
    }
  gtk_string_list_append (products, _("Any product line"));
  for (guint i = 0; i < CRM_N_PRODUCT_CATEGORIES; i++)
    gtk_string_list_append (products, _(product_line_labels[i]));
  gtk_drop_down_set_model (self->product_drop, G_LIST_MODEL (products));

  show_filter (self);
  self->blocked = 0;
  apply_filter (self);
  update_views_menu (self);
  g_signal_connect_object (self->settings, "changed::" SETTINGS_VIEWS, G_CALLBACK (update_views_menu), self,
                           G_CONNECT_SWAPPED);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

GtkWidget *
crm_pipeline_page_new (void)
{
  return g_object_new (CRM_TYPE_PIPELINE_PAGE, NULL);
}

CrmStore *
crm_pipeline_page_get_store (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);
  return self->store;
}

/**
 * crm_pipeline_page_set_session:
 *
 * The server's reports (Forecast, Analysis) ask through @api as @user
 * (GET /me); NULL for both when signed out.
 */
void
crm_pipeline_page_set_session (CrmPipelinePage *self,
                               CrmApi          *api,
                               JsonObject      *user)
{
  g_return_if_fail (CRM_IS_PIPELINE_PAGE (self));

  g_set_object (&self->api, api);
  if (self->user != user)
    {
      g_clear_pointer (&self->user, json_object_unref);
      self->user = user ? json_object_ref (user) : NULL;
    }
  if (self->remote != NULL && api == NULL)
    {
      crm_pipeline_remote_set_api (self->remote, NULL);
      crm_pipeline_remote_list_set_api (self->remote_list, NULL);
    }
  update_board_source (self);
  crm_pipeline_forecast_set_user (self->forecast, user);
  crm_pipeline_forecast_set_api (self->forecast, api);
  crm_pipeline_analysis_set_user (self->analysis, user);
  crm_pipeline_analysis_set_api (self->analysis, api);
}

/**
 * crm_pipeline_page_set_store:
 *
 * Reads @store's opportunities into a new model for the views (none
 * without a store: signed out).
 */
void
crm_pipeline_page_set_store (CrmPipelinePage *self,
                             CrmStore        *store)
{
  g_return_if_fail (CRM_IS_PIPELINE_PAGE (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->board != NULL)
    {
      crm_pipeline_board_set_remote (self->board, NULL);
      crm_pipeline_board_set_model (self->board, NULL);
    }
  if (self->table != NULL)
    crm_pipeline_table_set_remote (self->table, NULL);
  g_clear_object (&self->remote);
  g_clear_object (&self->remote_list);
  g_clear_object (&self->model);
  g_set_object (&self->store, store);
  if (store != NULL)
    {
      self->model = crm_pipeline_model_new (store);
      crm_pipeline_model_set_filter (self->model, self->filter);
      g_signal_connect_swapped (self->model, "choices-changed", G_CALLBACK (update_choices), self);
      crm_pipeline_board_set_model (self->board, self->model);
    }
  update_board_source (self);
  if (self->board != NULL)
    update_choices (self);
  if (self->forecast != NULL)
    crm_pipeline_forecast_set_store (self->forecast, store);
  if (self->analysis != NULL)
    crm_pipeline_analysis_set_store (self->analysis, store);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

CrmPipelineModel *
crm_pipeline_page_get_model (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);
  return self->model;
}

CrmPipelineBoard *
crm_pipeline_page_get_board (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);
  return self->board;
}

const CrmPipelineFilter *
crm_pipeline_page_get_filter (CrmPipelinePage *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), NULL);
  return self->filter;
}

void
crm_pipeline_page_set_filter (CrmPipelinePage         *self,
                              const CrmPipelineFilter *filter)
{
  g_return_if_fail (CRM_IS_PIPELINE_PAGE (self));
  g_return_if_fail (filter != NULL);

  crm_pipeline_filter_free (self->filter);
  self->filter = crm_pipeline_filter_copy (filter);
  show_filter (self);
  apply_filter (self);
}

void
crm_pipeline_page_save_view (CrmPipelinePage *self,
                             const char      *name)
{
  g_autoptr(GVariant) views = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_PAGE (self));
  g_return_if_fail (name != NULL && name[0] != '\0');

  views = g_settings_get_value (self->settings, SETTINGS_VIEWS);
  g_settings_set_value (self->settings, SETTINGS_VIEWS, views_with (views, name, self->filter));
}

gboolean
crm_pipeline_page_apply_view (CrmPipelinePage *self,
                              const char      *name)
{
  g_autoptr(GVariant) views = NULL;
  g_autoptr(GVariant) saved = NULL;
  g_autoptr(CrmPipelineFilter) filter = NULL;

  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  views = g_settings_get_value (self->settings, SETTINGS_VIEWS);
  saved = g_variant_lookup_value (views, name, G_VARIANT_TYPE_VARDICT);
  if (saved == NULL)
    return FALSE;
  filter = crm_pipeline_filter_new_from_variant (saved);
  crm_pipeline_page_set_filter (self, filter);
  return TRUE;
}

gboolean
crm_pipeline_page_delete_view (CrmPipelinePage *self,
                               const char      *name)
{
  g_autoptr(GVariant) views = NULL;
  g_autoptr(GVariant) saved = NULL;

  g_return_val_if_fail (CRM_IS_PIPELINE_PAGE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  views = g_settings_get_value (self->settings, SETTINGS_VIEWS);
  saved = g_variant_lookup_value (views, name, G_VARIANT_TYPE_VARDICT);
  if (saved == NULL)
    return FALSE;
  g_settings_set_value (self->settings, SETTINGS_VIEWS, views_with (views, name, NULL));
  return TRUE;
}
