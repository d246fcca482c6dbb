#define G_LOG_DOMAIN "crm-pipeline-analysis"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-forecast-chart.h"
#include "crm-format.h"
#include "crm-pipeline-analysis.h"
#include "crm-pipeline-scopes.h"
#include "crm-vocabulary.h"

enum {
  FIGURE_WIN_RATE,
  FIGURE_DEAL_SIZE,
  N_FIGURES
};

struct _CrmPipelineAnalysis
{
  GtkBox            parent_instance;

  CrmStore         *store;
  CrmApi           *api;
  JsonObject       *user;
  GHashTable       *filters;
  CrmReportLoader  *loader;
  GPtrArray        *scopes;        /* of CrmPipelineScope, as the drop-down lists them */
  char             *scope;         /* the chosen one */
  GtkLabel         *figure_values[N_FIGURES];
  gboolean          choosing;

  /* Template widgets */
  GtkLabel         *title_label;
  GtkDropDown      *scope_dropdown;
  GtkImage         *offline_icon;
  GtkLabel         *age_label;
  GtkStack         *stack;
  GtkSpinner       *spinner;
  AdwStatusPage    *error_page;
  GtkFlowBox       *figures_box;
  CrmForecastChart *stages_chart;
  GtkListBox       *stages_list;
  CrmForecastChart *quarters_chart;
  GtkListBox       *quarters_list;
  GtkListBox       *reasons_list;
  GtkLabel         *no_reasons_label;
};

G_DEFINE_FINAL_TYPE (CrmPipelineAnalysis, crm_pipeline_analysis, GTK_TYPE_BOX)

/* "14.0 days" from tenths of a day; "—" for none. */
static char *
format_days (gint64 tenths)
{
  g_autofree char *number = NULL;

  if (tenths < 0)
    return g_strdup ("—");
  number = g_strdup_printf ("%" G_GINT64_FORMAT ".%d", tenths / 10, (int) (tenths % 10));

  /* TRANSLATORS: an average time in a stage: days with one decimal, "14.0" */
  return g_strdup_printf (_("%s days"), number);
}

static char *
format_money_or_none (gint64 fen)
{
  return fen < 0 ? g_strdup ("—") : crm_format_money (fen);
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* A row: a title, a subtitle, and its whole sentence for a screen reader. */
static GtkWidget *
text_row (const char *title,
          const char *subtitle,
          const char *suffix)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *description = g_strdup_printf ("%s%s%s", subtitle, suffix ? ", " : "", suffix ? suffix : "");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (suffix != NULL)
    {
      GtkWidget *label = gtk_label_new (suffix);

      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  return row;
}

static void
show_stages (CrmPipelineAnalysis *self,
             const CrmAnalysis   *analysis)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree CrmChartBar *bars = g_new0 (CrmChartBar, MAX (analysis->stages->len, 1));

  clear_list (self->stages_list);
  for (guint i = 0; i < analysis->stages->len; i++)
    {
      const CrmAnalysisStage *stage = &g_array_index (analysis->stages, CrmAnalysisStage, i);
      const char *name = crm_vocabulary_label_at (crm_stage_names, stage->stage);
      g_autofree char *conversion = crm_report_format_permille (stage->conversion);
      g_autofree char *days = format_days (stage->avg_days);
      g_autofree char *entered = crm_format_number (stage->entered);
      g_autofree char *advanced = crm_format_number (stage->advanced);
      char *subtitle, *description;

      /* TRANSLATORS: a stage of the analysis: how many entered it, how
       * many went on to a later stage, the average time in it */
      subtitle = g_strdup_printf (_("%s entered, %s went on · %s in the stage on average"), entered, advanced, days);
      /* TRANSLATORS: a stage's bar: its name, the counts, the conversion */
      description = g_strdup_printf (_("%s: %s, conversion %s"), name, subtitle, conversion);
      g_ptr_array_add (texts, subtitle);
      g_ptr_array_add (texts, description);
      bars[i] = (CrmChartBar) { name, stage->entered, description, 1 };
      {
        g_autofree char *suffix = g_strdup_printf (_("Conversion %s"), conversion);

        gtk_list_box_append (self->stages_list, text_row (name, subtitle, suffix));
      }
    }
  crm_forecast_chart_set_bars (self->stages_chart, bars, analysis->stages->len, NULL);
}

static void
show_quarters (CrmPipelineAnalysis *self,
               const CrmAnalysis   *analysis)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree CrmChartBar *bars = g_new0 (CrmChartBar, MAX (analysis->quarters->len, 1));

  clear_list (self->quarters_list);
  for (guint i = 0; i < analysis->quarters->len; i++)
    {
      const CrmAnalysisQuarter *q = &g_array_index (analysis->quarters, CrmAnalysisQuarter, i);
      char *name = crm_report_format_period (q->quarter);
      g_autofree char *won = crm_format_money (q->won_amount);
      g_autofree char *rate = crm_report_format_permille (q->win_rate);
      g_autofree char *size = format_money_or_none (q->avg_deal_size);
      g_autofree char *won_count = crm_format_number (q->won_count);
      g_autofree char *lost_count = crm_format_number (q->lost_count);
      char *subtitle, *description;

      /* TRANSLATORS: a quarter of the analysis: opportunities won and lost,
       * the win rate, the average deal size */
      subtitle = g_strdup_printf (_("%s won, %s lost · win rate %s · average deal %s"), won_count, lost_count, rate,
                                  size);
      /* TRANSLATORS: a quarter's bar: the quarter, the amount won, the rest */
      description = g_strdup_printf (_("%s: won %s; %s"), name, won, subtitle);
      g_ptr_array_add (texts, name);
      g_ptr_array_add (texts, subtitle);
      g_ptr_array_add (texts, description);
      bars[i] = (CrmChartBar) { name, q->won_amount, description, 0 };
      gtk_list_box_append (self->quarters_list, text_row (name, subtitle, won));
    }
  crm_forecast_chart_set_bars (self->quarters_chart, bars, analysis->quarters->len, crm_format_money);
}

static void
show_reasons (CrmPipelineAnalysis *self,
              const CrmAnalysis   *analysis)
{
  clear_list (self->reasons_list);
  for (guint i = 0; i < analysis->lost_reasons->len; i++)
    {
      const CrmLostReason *reason = &g_array_index (analysis->lost_reasons, CrmLostReason, i);
      g_autofree char *amount = crm_format_money (reason->amount);
      g_autofree char *number = crm_format_number (reason->count);
      g_autofree char *count = g_strdup_printf (ngettext ("%s opportunity lost", "%s opportunities lost",
                                                          (gulong) MIN (reason->count, G_MAXLONG)),
                                                number);

      gtk_list_box_append (self->reasons_list, text_row (reason->reason, count, amount));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->reasons_list), analysis->lost_reasons->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_reasons_label), analysis->lost_reasons->len == 0);
}

static void
loader_changed_cb (CrmPipelineAnalysis *self)
{
  CrmReportState state = crm_report_loader_get_state (self->loader);
  const CrmAnalysis *analysis = crm_report_loader_get_report (self->loader);
  g_autofree char *status = crm_report_loader_dup_status (self->loader);

  gtk_label_set_label (self->age_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_icon), crm_report_loader_is_offline (self->loader));
  gtk_spinner_set_spinning (self->spinner, state == CRM_REPORT_STATE_LOADING);
  if (analysis != NULL)
    {
      g_autofree char *rate = crm_report_format_permille (analysis->win_rate);
      g_autofree char *size = format_money_or_none (analysis->avg_deal_size);

      gtk_label_set_label (self->figure_values[FIGURE_WIN_RATE], rate);
      gtk_label_set_label (self->figure_values[FIGURE_DEAL_SIZE], size);
      show_stages (self, analysis);
      show_quarters (self, analysis);
      show_reasons (self, analysis);
      gtk_stack_set_visible_child_name (self->stack, "report");
    }
  else if (state == CRM_REPORT_STATE_FAILED)
    {
      const GError *error = crm_report_loader_get_error (self->loader);

      adw_status_page_set_description (self->error_page, error ? error->message : NULL);
      gtk_stack_set_visible_child_name (self->stack, "error");
    }
  else if (state == CRM_REPORT_STATE_LOADING)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else
    gtk_stack_set_visible_child_name (self->stack, "none");
}

static void
age_changed_cb (CrmPipelineAnalysis *self)
{
  g_autofree char *status = crm_report_loader_dup_status (self->loader);

  gtk_label_set_label (self->age_label, status);
}

static void
load (CrmPipelineAnalysis *self)
{
  g_autoptr(CrmReportQuery) query = NULL;
  GHashTableIter iter;
  gpointer name, value;

  if (self->scope == NULL)
    return;
  query = crm_report_query_new (self->scope, NULL);
  if (self->filters != NULL)
    {
      g_hash_table_iter_init (&iter, self->filters);
      while (g_hash_table_iter_next (&iter, &name, &value))
        crm_report_query_set_filter (query, name, value);
    }
  crm_report_loader_load (self->loader, query);
}

static void
choose (CrmPipelineAnalysis *self,
        guint                index)
{
  const CrmPipelineScope *scope;

  if (self->scopes->len == 0)
    return;
  scope = self->scopes->pdata[index < self->scopes->len ? index : 0];
  g_free (self->scope);
  self->scope = g_strdup (scope->scope);
  gtk_label_set_label (self->title_label, scope->title);
  load (self);
}

static void
update_scopes (CrmPipelineAnalysis *self)
{
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);
  guint chosen = 0;
  gboolean kept = FALSE;

  g_clear_pointer (&self->scopes, g_ptr_array_unref);
  self->scopes = crm_pipeline_scopes_list (self->user, self->store);
  chosen = crm_pipeline_scopes_default (self->scopes);
  for (guint i = 0; i < self->scopes->len; i++)
    {
      const CrmPipelineScope *scope = self->scopes->pdata[i];

      gtk_string_list_append (titles, scope->title);
      if (g_strcmp0 (scope->scope, self->scope) == 0)
        chosen = i, kept = TRUE;
    }
  self->choosing = TRUE;
  gtk_drop_down_set_model (self->scope_dropdown, G_LIST_MODEL (titles));
  gtk_drop_down_set_selected (self->scope_dropdown, chosen);
  self->choosing = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->scope_dropdown), self->scopes->len > 1);
  if (!kept)
    choose (self, chosen);
}

static void
scope_chosen_cb (CrmPipelineAnalysis *self)
{
  if (!self->choosing)
    choose (self, gtk_drop_down_get_selected (self->scope_dropdown));
}

static void
directory_changed_cb (CrmPipelineAnalysis *self)
{
  update_scopes (self);
}

static void
refresh_cb (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  load (CRM_PIPELINE_ANALYSIS (widget));
}

static void
build_figures (CrmPipelineAnalysis *self)
{
  const char *captions[N_FIGURES] = { _("Win rate"), _("Average deal size") };

  for (guint i = 0; i < N_FIGURES; i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *caption = gtk_label_new (captions[i]);
      GtkWidget *value = gtk_label_new ("—");

      gtk_label_set_xalign (GTK_LABEL (caption), 0);
      gtk_widget_add_css_class (caption, "caption");
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_widget_set_focusable (value, FALSE);
      gtk_widget_add_css_class (value, "title-3");
      gtk_widget_add_css_class (value, "numeric");
      gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY, caption, NULL, -1);
      gtk_box_append (GTK_BOX (box), caption);
      gtk_box_append (GTK_BOX (box), value);
      gtk_widget_add_css_class (box, "card");
      gtk_widget_add_css_class (box, "key-figure");
      gtk_flow_box_append (self->figures_box, box);
      self->figure_values[i] = GTK_LABEL (value);
    }
}

static void
crm_pipeline_analysis_dispose (GObject *object)
{
  CrmPipelineAnalysis *self = CRM_PIPELINE_ANALYSIS (object);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_object (&self->api);
  if (self->loader != NULL)
    g_signal_handlers_disconnect_by_data (self->loader, self);
  g_clear_object (&self->loader);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_PIPELINE_ANALYSIS);

  G_OBJECT_CLASS (crm_pipeline_analysis_parent_class)->dispose (object);
}

static void
crm_pipeline_analysis_finalize (GObject *object)
{
  CrmPipelineAnalysis *self = CRM_PIPELINE_ANALYSIS (object);

  g_clear_pointer (&self->user, json_object_unref);
  g_clear_pointer (&self->filters, g_hash_table_unref);
  g_clear_pointer (&self->scopes, g_ptr_array_unref);
  g_free (self->scope);

  G_OBJECT_CLASS (crm_pipeline_analysis_parent_class)->finalize (object);
}

static void
crm_pipeline_analysis_class_init (CrmPipelineAnalysisClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_pipeline_analysis_dispose;
  object_class->finalize = crm_pipeline_analysis_finalize;

  g_type_ensure (CRM_TYPE_FORECAST_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-pipeline-analysis.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, title_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, scope_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, offline_icon);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, age_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, error_page);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, figures_box);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, stages_chart);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, stages_list);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, quarters_chart);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, quarters_list);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, reasons_list);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineAnalysis, no_reasons_label);

  gtk_widget_class_install_action (widget_class, "analysis.refresh", NULL, refresh_cb);
}

static void
crm_pipeline_analysis_init (CrmPipelineAnalysis *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->loader = crm_report_loader_new (CRM_REPORT_ANALYSIS);
  crm_report_loader_follow_mapped (self->loader, GTK_WIDGET (self));
  g_signal_connect_swapped (self->loader, "changed", G_CALLBACK (loader_changed_cb), self);
  g_signal_connect_swapped (self->loader, "notify::age-text", G_CALLBACK (age_changed_cb), self);
  build_figures (self);
  g_signal_connect_swapped (self->scope_dropdown, "notify::selected", G_CALLBACK (scope_chosen_cb), self);
  update_scopes (self);
}

GtkWidget *
crm_pipeline_analysis_new (void)
{
  return g_object_new (CRM_TYPE_PIPELINE_ANALYSIS, NULL);
}

void
crm_pipeline_analysis_set_store (CrmPipelineAnalysis *self,
                                 CrmStore            *store)
{
  g_return_if_fail (CRM_IS_PIPELINE_ANALYSIS (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    crm_pipeline_scopes_watch (store, G_CALLBACK (directory_changed_cb), self);
  crm_report_loader_set_store (self->loader, store);
  update_scopes (self);
}

void
crm_pipeline_analysis_set_api (CrmPipelineAnalysis *self,
                               CrmApi              *api)
{
  g_return_if_fail (CRM_IS_PIPELINE_ANALYSIS (self));
  g_return_if_fail (api == NULL || CRM_IS_API (api));

  if (g_set_object (&self->api, api))
    crm_report_loader_set_api (self->loader, api);
}

void
crm_pipeline_analysis_set_user (CrmPipelineAnalysis *self,
                                JsonObject          *user)
{
  g_return_if_fail (CRM_IS_PIPELINE_ANALYSIS (self));

  if (self->user == user)
    return;
  g_clear_pointer (&self->user, json_object_unref);
  self->user = user ? json_object_ref (user) : NULL;
  /* another user starts at their own default scope */
  g_clear_pointer (&self->scope, g_free);
  update_scopes (self);
}

void
crm_pipeline_analysis_set_filters (CrmPipelineAnalysis *self,
                                   GHashTable          *filters)
{
  g_return_if_fail (CRM_IS_PIPELINE_ANALYSIS (self));

  g_clear_pointer (&self->filters, g_hash_table_unref);
  self->filters = filters ? g_hash_table_ref (filters) : NULL;
  load (self);
}

gboolean
crm_pipeline_analysis_set_scope (CrmPipelineAnalysis *self,
                                 const char          *scope)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_ANALYSIS (self), FALSE);

  for (guint i = 0; i < self->scopes->len; i++)
    if (g_strcmp0 (((CrmPipelineScope *) self->scopes->pdata[i])->scope, scope) == 0)
      {
        self->choosing = TRUE;
        gtk_drop_down_set_selected (self->scope_dropdown, i);
        self->choosing = FALSE;
        choose (self, i);
        return TRUE;
      }
  return FALSE;
}

CrmReportLoader *
crm_pipeline_analysis_get_loader (CrmPipelineAnalysis *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_ANALYSIS (self), NULL);

  return self->loader;
}
