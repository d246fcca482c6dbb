#define G_LOG_DOMAIN "crm-pipeline-forecast"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-customer-remote.h"
#include "crm-error.h"
#include "crm-forecast-chart.h"
#include "crm-format.h"
#include "crm-pipeline-forecast.h"
#include "crm-pipeline-scopes.h"
#include "crm-remote-answer.h"
#include "crm-vocabulary.h"

/* The figures at the top, in this order. */
enum {
  FIGURE_CLOSED_WON,
  FIGURE_COMMIT,
  FIGURE_BEST_CASE,
  FIGURE_WEIGHTED,
  FIGURE_TARGET,
  FIGURE_ATTAINMENT,
  N_FIGURES
};

/* One step of the drill-down: a scope the server is asked for, or a
 * person whose opportunities come from the store (a director's store
 * holds only their own: another person's come from the server). */
typedef struct
{
  char *scope;       /* NULL for a person */
  char *person_id;
  char *title;
} Level;

struct _CrmPipelineForecast
{
  GtkBox            parent_instance;

  CrmStore         *store;
  CrmApi           *api;
  JsonObject       *user;
  GHashTable       *filters;
  CrmReportLoader  *loader;
  CrmRemoteAnswer  *person_remote;  /* a director's drill-down to another person */
  GPtrArray        *scopes;         /* of CrmPipelineScope, as the drop-down lists them */
  char             *period;
  GArray           *trail;          /* of Level: [0] the chosen scope */
  GCancellable     *cancellable;    /* reading a person's opportunities */
  GtkLabel         *figure_values[N_FIGURES];
  gboolean          choosing;       /* setting the drop-downs from code */

  /* Template widgets */
  GtkButton        *back_button;
  GtkLabel         *title_label;
  GtkDropDown      *scope_dropdown;
  GtkDropDown      *period_kind_dropdown;
  GtkLabel         *period_label;
  GtkImage         *offline_icon;
  GtkLabel         *age_label;
  GtkStack         *stack;
  GtkSpinner       *spinner;
  AdwStatusPage    *error_page;
  GtkFlowBox       *figures_box;
  GtkWidget        *behind_box;
  GtkImage         *behind_icon;
  GtkLabel         *behind_label;
  CrmForecastChart *chart;
  GtkLabel         *chart_label;
  GtkLabel         *rows_heading;
  GtkListBox       *rows_list;
  GtkLabel         *opportunities_note;
  GtkListBox       *opportunities_list;
};

G_DEFINE_FINAL_TYPE (CrmPipelineForecast, crm_pipeline_forecast, GTK_TYPE_BOX)

static void show_level (CrmPipelineForecast *self);

static void
level_clear (gpointer data)
{
  Level *level = data;

  g_clear_pointer (&level->scope, g_free);
  g_clear_pointer (&level->person_id, g_free);
  g_clear_pointer (&level->title, g_free);
}

static Level *
current_level (CrmPipelineForecast *self)
{
  return self->trail->len > 0 ? &g_array_index (self->trail, Level, self->trail->len - 1) : NULL;
}

static void
push_level (CrmPipelineForecast *self,
            const char          *scope,
            const char          *person_id,
            const char          *title)
{
  Level level = { g_strdup (scope), g_strdup (person_id), g_strdup (title) };

  g_array_append_val (self->trail, level);
}

static const char *
figure_caption (guint figure)
{
  switch (figure)
    {
    case FIGURE_CLOSED_WON:
      return _("Closed won");
    case FIGURE_COMMIT:
      return _("Commit");
    case FIGURE_BEST_CASE:
      return _("Best case");
    case FIGURE_WEIGHTED:
      return _("Weighted pipeline");
    case FIGURE_TARGET:
      return _("Target");
    case FIGURE_ATTAINMENT:
    default:
      return _("Attainment");
    }
}

/* ------------------------------------------------------------------ */
/* The report                                                          */
/* ------------------------------------------------------------------ */

/* "Behind", "On track" or "No target", with its icon: never colour alone. */
static GtkWidget *
status_tag (const CrmForecastFigures *figures)
{
  GtkWidget *tag = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  const char *icon = figures->behind ? "dialog-warning-symbolic" : figures->target > 0 ? "emblem-ok-symbolic" : NULL;
  const char *words = figures->behind ? _("Behind") : figures->target > 0 ? _("On track") : _("No target");

  if (icon != NULL)
    {
      GtkWidget *image = gtk_image_new_from_icon_name (icon);

      gtk_accessible_update_property (GTK_ACCESSIBLE (image), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      gtk_box_append (GTK_BOX (tag), image);
    }
  gtk_box_append (GTK_BOX (tag), gtk_label_new (words));
  gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
  if (figures->behind)
    gtk_widget_add_css_class (tag, "customer-warning");
  else
    gtk_widget_add_css_class (tag, "dim-label");
  return tag;
}

static const char *
status_words (const CrmForecastFigures *figures)
{
  return figures->behind ? _("behind") : figures->target > 0 ? _("on track") : _("no target");
}

static char *
row_name (const CrmForecastRow *row)
{
  if (row->kind == CRM_FORECAST_ROW_NONE || row->name == NULL || row->name[0] == '\0')
    return g_strdup (_("Owners without a team"));
  return g_strdup (row->name);
}

static GtkWidget *
forecast_row (const CrmForecastRow *row)
{
  GtkWidget *widget = adw_action_row_new ();
  g_autofree char *name = row_name (row);
  g_autofree char *won = crm_format_money (row->figures.closed_won);
  g_autofree char *commit = crm_format_money (row->figures.commit);
  g_autofree char *target = crm_format_money (row->figures.target);
  g_autofree char *attainment = crm_report_format_permille (row->figures.attainment);
  g_autofree char *subtitle = NULL;
  g_autofree char *description = NULL;

  /* TRANSLATORS: a team's or person's line in the forecast: closed won,
   * commit, target and attainment */
  subtitle = g_strdup_printf (_("Closed won %s · commit %s · target %s · attainment %s"), won, commit, target,
                              attainment);
  description = g_strdup_printf ("%s: %s", subtitle, status_words (&row->figures));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (widget), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (widget), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (widget), subtitle);
  adw_action_row_add_suffix (ADW_ACTION_ROW (widget), status_tag (&row->figures));
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  if (row->kind != CRM_FORECAST_ROW_NONE)
    {
      GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

      gtk_accessible_update_property (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (widget), arrow);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (widget), TRUE);
    }
  g_object_set_data_full (G_OBJECT (widget), "crm-kind", GINT_TO_POINTER (row->kind), NULL);
  g_object_set_data_full (G_OBJECT (widget), "crm-id", g_strdup (row->id), g_free);
  g_object_set_data_full (G_OBJECT (widget), "crm-name", g_steal_pointer (&name), g_free);
  return widget;
}

static void
show_rows (CrmPipelineForecast *self,
           const CrmForecast   *forecast)
{
  GtkWidget *child;
  gboolean teams = FALSE;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->rows_list))) != NULL)
    gtk_list_box_remove (self->rows_list, child);
  for (guint i = 0; i < forecast->rows->len; i++)
    {
      const CrmForecastRow *row = &g_array_index (forecast->rows, CrmForecastRow, i);

      teams |= row->kind != CRM_FORECAST_ROW_USER;
      gtk_list_box_append (self->rows_list, forecast_row (row));
    }
  gtk_label_set_label (self->rows_heading, teams ? _("Teams") : _("Team members"));
  gtk_widget_set_visible (GTK_WIDGET (self->rows_heading), forecast->rows->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->rows_list), forecast->rows->len > 0);
}

static void
show_chart (CrmPipelineForecast *self,
            const CrmForecast   *forecast)
{
  const CrmForecastFigures *t = &forecast->totals;
  gint64 values[4] = { t->closed_won, t->commit, t->best_case, t->weighted };
  g_autofree char *descriptions[4] = { NULL };
  g_autofree char *target_text = crm_format_money (t->target);
  g_autofree char *line_label = NULL;
  CrmChartBar bars[4];

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *money = crm_format_money (values[i]);

      if (t->target > 0)
        {
          g_autofree char *share = crm_report_format_permille (values[i] * 1000 / t->target);

          /* TRANSLATORS: a bar of the forecast chart: its name, its amount,
           * and that amount as a share of the target */
          descriptions[i] = g_strdup_printf (_("%s: %s, %s of the target %s"), figure_caption (i), money, share,
                                             target_text);
        }
      else
        descriptions[i] = g_strdup_printf ("%s: %s", figure_caption (i), money);
      bars[i] = (CrmChartBar) { figure_caption (i), values[i], descriptions[i], i };
    }
  crm_forecast_chart_set_bars (self->chart, bars, 4, crm_format_money);
  if (t->target > 0)
    /* TRANSLATORS: the label of the target line in the forecast chart */
    line_label = g_strdup_printf (_("Target %s"), target_text);
  crm_forecast_chart_set_line (self->chart, t->target > 0 ? t->target : -1, line_label);
}

static void
show_totals (CrmPipelineForecast *self,
             const CrmForecast   *forecast)
{
  const CrmForecastFigures *t = &forecast->totals;
  gint64 money[N_FIGURES - 1] = { t->closed_won, t->commit, t->best_case, t->weighted, t->target };
  g_autofree char *attainment = crm_report_format_permille (t->attainment);

  for (guint i = 0; i < N_FIGURES - 1; i++)
    {
      g_autofree char *text = crm_format_money (money[i]);

      gtk_label_set_label (self->figure_values[i], text);
    }
  gtk_label_set_label (self->figure_values[FIGURE_ATTAINMENT], attainment);

  gtk_widget_set_visible (self->behind_box, t->target > 0);
  if (t->behind)
    {
      g_autofree char *short_by = crm_format_money (t->target - t->closed_won - t->commit);
      g_autofree char *text = NULL;

      /* TRANSLATORS: under the forecast's figures when the scope is behind */
      text = g_strdup_printf (_("Behind: closed won and commit are %s short of the target"), short_by);
      gtk_label_set_label (self->behind_label, text);
      gtk_image_set_from_icon_name (self->behind_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (self->behind_box, "customer-warning");
    }
  else
    {
      gtk_label_set_label (self->behind_label, _("On track: closed won and commit reach the target"));
      gtk_image_set_from_icon_name (self->behind_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (self->behind_box, "customer-warning");
    }
}

/* Whether @level is a person whose opportunities the server gives: the
 * signed-in user is a director (whose store holds only their own) and
 * the person is someone else. */
static gboolean
person_is_remote (CrmPipelineForecast *self,
                  const Level         *level)
{
  return level != NULL && level->scope == NULL && crm_customer_remote_wanted (self->user) &&
         g_strcmp0 (level->person_id, json_object_get_string_member_with_default (self->user, "id", NULL)) != 0;
}

static void
show_age (CrmPipelineForecast *self)
{
  const Level *level = current_level (self);
  /* a person's opportunities are the store's, not an answer's, unless
   * they are the server's */
  gboolean person = level != NULL && level->scope == NULL;
  gboolean remote = person_is_remote (self, level);
  g_autofree char *text = NULL;
  CrmReportState state = crm_remote_answer_get_state (self->person_remote);

  if (remote)
    text = crm_remote_answer_dup_status (self->person_remote);
  else if (!person)
    text = crm_report_loader_dup_status (self->loader);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_icon),
                          remote ? (state == CRM_REPORT_STATE_OFFLINE || state == CRM_REPORT_STATE_NONE)
                                 : !person && crm_report_loader_is_offline (self->loader));
  gtk_label_set_label (self->age_label, text ? text : "");
}

static void
loader_changed_cb (CrmPipelineForecast *self)
{
  CrmReportState state = crm_report_loader_get_state (self->loader);
  const CrmForecast *forecast = crm_report_loader_get_report (self->loader);
  const Level *level = current_level (self);

  show_age (self);
  if (level == NULL || level->scope == NULL)
    return;   /* a person's opportunities are shown */
  gtk_spinner_set_spinning (self->spinner, state == CRM_REPORT_STATE_LOADING);
  if (forecast != NULL)
    {
      show_totals (self, forecast);
      show_chart (self, forecast);
      show_rows (self, forecast);
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
age_changed_cb (CrmPipelineForecast *self)
{
  show_age (self);
}

/* ------------------------------------------------------------------ */
/* A person's opportunities (the local store)                          */
/* ------------------------------------------------------------------ */

typedef struct
{
  char  *owner_id;
  GDate  first;
  GDate  last;
} OpportunityQuery;

static void
opportunity_query_free (OpportunityQuery *query)
{
  g_free (query->owner_id);
  g_free (query);
}

/* Whether @iso (YYYY-MM-DD...) lies in [first, last]. */
static gboolean
date_in (const char  *iso,
         const GDate *first,
         const GDate *last)
{
  GDate date;

  if (iso == NULL || strlen (iso) < 10)
    return FALSE;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, g_ascii_strtoll (iso + 8, NULL, 10), g_ascii_strtoll (iso + 5, NULL, 10),
                  g_ascii_strtoll (iso, NULL, 10));
  return g_date_valid (&date) && g_date_compare (&date, first) >= 0 && g_date_compare (&date, last) <= 0;
}

static gint64
member_int (JsonObject *record,
            const char *name,
            gint64      missing)
{
  JsonNode *node = json_object_get_member (record, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : missing;
}

/* The total contract value: once + monthly × months (12 where the record
 * has no contract_months). */
static gint64
opportunity_amount (JsonObject *record)
{
  return member_int (record, "amount_once", 0) + member_int (record, "amount_monthly", 0) *
         member_int (record, "contract_months", 12);
}

static int
compare_amounts (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = opportunity_amount (*(JsonObject **) a);
  gint64 y = opportunity_amount (*(JsonObject **) b);

  return x < y ? 1 : x > y ? -1 : 0;
}

/* The owner's opportunities counted in the period as the forecast counts
 * them: won with closed_on in it, open with expected_close in it; each
 * with its customer's name as "customer_name". */
static void
opportunities_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  CrmStore *store = source_object;
  OpportunityQuery *query = task_data;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) mine = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  GError *error = NULL;

  all = crm_store_get_records (store, CRM_ENTITY_OPPORTUNITY, NULL, &error);
  if (all == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *record = all->pdata[i];
      const char *stage = json_object_get_string_member_with_default (record, "stage", "");
      gboolean won = g_strcmp0 (stage, "won") == 0;
      gboolean open = !won && g_strcmp0 (stage, "lost") != 0;
      g_autoptr(CrmCustomer) customer = NULL;

      if (g_strcmp0 (json_object_get_string_member_with_default (record, "owner_id", NULL), query->owner_id) != 0)
        continue;
      if (!(won && date_in (json_object_get_string_member_with_default (record, "closed_on", NULL),
                            &query->first, &query->last)) &&
          !(open && date_in (json_object_get_string_member_with_default (record, "expected_close", NULL),
                             &query->first, &query->last)))
        continue;
      customer = crm_store_get_customer (store, json_object_get_string_member_with_default (record, "customer_id",
                                                                                            ""), NULL);
      json_object_set_string_member (record, "customer_name", customer ? customer->name : "");
      g_ptr_array_add (mine, json_object_ref (record));
    }
  g_ptr_array_sort (mine, compare_amounts);
  g_task_return_pointer (task, g_steal_pointer (&mine), (GDestroyNotify) g_ptr_array_unref);
}

static GtkWidget *
opportunity_row (JsonObject *record)
{
  GtkWidget *row = adw_action_row_new ();
  const char *stage = json_object_get_string_member_with_default (record, "stage", NULL);
  const char *close = g_strcmp0 (stage, "won") == 0
                      ? json_object_get_string_member_with_default (record, "closed_on", NULL)
                      : json_object_get_string_member_with_default (record, "expected_close", NULL);
  g_autofree char *date = crm_format_date (close);
  g_autofree char *amount = crm_format_money (opportunity_amount (record));
  g_autofree char *subtitle = NULL;
  GtkWidget *amount_label = gtk_label_new (amount);

  /* TRANSLATORS: an opportunity under the forecast: customer, stage, close date */
  subtitle = g_strdup_printf (_("%s · %s · closes %s"),
                              json_object_get_string_member_with_default (record, "customer_name", ""),
                              crm_vocabulary_label (crm_stage_names, stage), date ? date : "—");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 json_object_get_string_member_with_default (record, "name", ""));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (amount_label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), amount_label);
  return row;
}

static void
opportunities_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CrmPipelineForecast *self = user_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *period = NULL;
  const Level *level;
  GtkWidget *child;

  records = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* @self may be gone */
  if (records == NULL)
    g_warning ("Cannot read the opportunities: %s", error->message);

  level = current_level (self);
  period = crm_report_format_period (self->period);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->opportunities_list))) != NULL)
    gtk_list_box_remove (self->opportunities_list, child);
  for (guint i = 0; records != NULL && i < records->len; i++)
    gtk_list_box_append (self->opportunities_list, opportunity_row (records->pdata[i]));
  gtk_widget_set_visible (GTK_WIDGET (self->opportunities_list), records != NULL && records->len > 0);
  if (records != NULL && records->len > 0)
    {
      g_autofree char *note = NULL;

      /* TRANSLATORS: above a person's opportunities: their name, the period */
      note = g_strdup_printf (_("The opportunities of %s for %s on this computer, largest first."), level->title,
                              period);
      gtk_label_set_label (self->opportunities_note, note);
    }
  else
    {
      g_autofree char *note = NULL;

      /* TRANSLATORS: their name, the period */
      note = g_strdup_printf (_("None of the opportunities of %s for %s are on this computer."), level->title,
                              period);
      gtk_label_set_label (self->opportunities_note, note);
    }
  gtk_stack_set_visible_child_name (self->stack, "opportunities");
}

/* The scope the person was reached from (the level above). */
static const char *
parent_scope (CrmPipelineForecast *self)
{
  for (guint i = self->trail->len; i > 0; i--)
    if (g_array_index (self->trail, Level, i - 1).scope != NULL)
      return g_array_index (self->trail, Level, i - 1).scope;
  return "me";
}

/* GET /opportunities of the person in the period, as the forecast counts
 * them (won by closed_on, open by expected_close: the endpoint's close
 * filters), largest first, under the forecast's other filters. */
static void
load_person_remote (CrmPipelineForecast *self,
                    const Level         *level)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  GDate first, last;
  char day[16];

  if (!crm_period_parse (self->period, NULL, &first, &last))
    g_assert_not_reached ();
  if (self->filters != NULL)
    {
      GHashTableIter iter;
      gpointer name, value;

      g_hash_table_iter_init (&iter, self->filters);
      while (g_hash_table_iter_next (&iter, &name, &value))
        if (value != NULL && ((char *) value)[0] != '\0')
          g_hash_table_insert (params, name, g_strdup (value));
    }
  g_hash_table_insert (params, (gpointer) "scope", g_strdup (parent_scope (self)));
  g_hash_table_insert (params, (gpointer) "owner", g_strdup (level->person_id));
  g_date_strftime (day, sizeof day, "%Y-%m-%d", &first);
  g_hash_table_insert (params, (gpointer) "close_from", g_strdup (day));
  g_date_strftime (day, sizeof day, "%Y-%m-%d", &last);
  g_hash_table_insert (params, (gpointer) "close_to", g_strdup (day));
  g_hash_table_insert (params, (gpointer) "stage", g_strdup ("prospecting,qualification,proposal,negotiation,won"));
  g_hash_table_insert (params, (gpointer) "sort", g_strdup ("amount"));
  g_hash_table_insert (params, (gpointer) "order", g_strdup ("desc"));
  g_hash_table_insert (params, (gpointer) "limit", g_strdup ("500"));
  crm_remote_answer_set_store (self->person_remote, self->store);
  crm_remote_answer_set_api (self->person_remote, self->api);
  crm_remote_answer_load (self->person_remote, "/opportunities", params);
}

static void
show_opportunities (CrmPipelineForecast *self,
                    const Level         *level)
{
  g_autoptr(GTask) task = NULL;
  OpportunityQuery *query;

  if (person_is_remote (self, level))
    {
      load_person_remote (self, level);
      return;
    }
  if (self->store == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "none");
      return;
    }
  query = g_new0 (OpportunityQuery, 1);
  query->owner_id = g_strdup (level->person_id);
  if (!crm_period_parse (self->period, NULL, &query->first, &query->last))
    g_assert_not_reached ();
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self->store, self->cancellable, opportunities_cb, self);
  g_task_set_source_tag (task, show_opportunities);
  g_task_set_task_data (task, query, (GDestroyNotify) opportunity_query_free);
  g_task_run_in_thread (task, opportunities_thread);
}

/* The server's answer for a person came, or the server was not reached. */
static void
person_remote_changed_cb (CrmPipelineForecast *self)
{
  const Level *level = current_level (self);
  CrmReportState state = crm_remote_answer_get_state (self->person_remote);
  JsonArray *records = crm_customer_remote_opportunities (crm_remote_answer_get_answer (self->person_remote));
  g_autofree char *period = crm_report_format_period (self->period);
  g_autofree char *note = NULL;
  gint64 total = crm_customer_remote_list_total (crm_remote_answer_get_answer (self->person_remote));
  GtkWidget *child;

  if (!person_is_remote (self, level))
    return;   /* another level is shown */
  show_age (self);
  gtk_spinner_set_spinning (self->spinner, state == CRM_REPORT_STATE_LOADING);
  if (state == CRM_REPORT_STATE_LOADING || state == CRM_REPORT_STATE_EMPTY)
    {
      gtk_stack_set_visible_child_name (self->stack, "loading");
      return;
    }
  if (state == CRM_REPORT_STATE_FAILED)
    {
      const GError *error = crm_remote_answer_get_error (self->person_remote);

      adw_status_page_set_description (self->error_page, error ? error->message : NULL);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->opportunities_list))) != NULL)
    gtk_list_box_remove (self->opportunities_list, child);
  for (guint i = 0; records != NULL && i < json_array_get_length (records); i++)
    gtk_list_box_append (self->opportunities_list, opportunity_row (json_array_get_object_element (records, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->opportunities_list), records != NULL && json_array_get_length (records) > 0);
  if (records == NULL)
    /* TRANSLATORS: a director's drill-down to a person, offline; their name, the period */
    note = g_strdup_printf (_("The opportunities of %s for %s have not been fetched before. Connect to the server "
                              "to see them."), level->title, period);
  else if (json_array_get_length (records) == 0)
    /* TRANSLATORS: their name, the period */
    note = g_strdup_printf (_("%s has no opportunities for %s."), level->title, period);
  else if (total > json_array_get_length (records))
    {
      g_autofree char *all = crm_format_number (total);

      /* TRANSLATORS: the number shown, how many there are, their name, the period */
      note = g_strdup_printf (_("The largest %u of the %s opportunities of %s for %s."),
                              json_array_get_length (records), all, level->title, period);
    }
  else
    /* TRANSLATORS: above a person's opportunities from the server: their name, the period */
    note = g_strdup_printf (_("The opportunities of %s for %s, largest first."), level->title, period);
  gtk_label_set_label (self->opportunities_note, note);
  gtk_stack_set_visible_child_name (self->stack, "opportunities");
}

static void
person_status_cb (CrmPipelineForecast *self)
{
  show_age (self);
}

/* ------------------------------------------------------------------ */
/* Choosing                                                            */
/* ------------------------------------------------------------------ */

static void
show_level (CrmPipelineForecast *self)
{
  const Level *level = current_level (self);
  g_autofree char *period = crm_report_format_period (self->period);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_label_set_label (self->period_label, period);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), self->trail->len > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "forecast.back", self->trail->len > 1);
  if (level == NULL)
    return;
  gtk_label_set_label (self->title_label, level->title);
  if (level->scope != NULL)
    {
      g_autoptr(CrmReportQuery) query = crm_report_query_new (level->scope, self->period);
      GHashTableIter iter;
      gpointer name, value;

      if (self->filters != NULL)
        {
          g_hash_table_iter_init (&iter, self->filters);
          while (g_hash_table_iter_next (&iter, &name, &value))
            crm_report_query_set_filter (query, name, value);
        }
      crm_report_loader_load (self->loader, query);
    }
  else
    {
      show_age (self);
      show_opportunities (self, level);
    }
}

/* Back to the chosen scope of the drop-down. */
static void
restart (CrmPipelineForecast *self)
{
  guint chosen = gtk_drop_down_get_selected (self->scope_dropdown);
  const CrmPipelineScope *scope;

  g_array_set_size (self->trail, 0);
  if (self->scopes->len == 0)
    return;
  scope = self->scopes->pdata[chosen < self->scopes->len ? chosen : 0];
  push_level (self, scope->scope, NULL, scope->title);
  show_level (self);
}

static void
update_scopes (CrmPipelineForecast *self)
{
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);
  g_autofree char *kept = NULL;
  guint chosen = 0;

  if (self->trail->len > 0)
    kept = g_strdup (g_array_index (self->trail, Level, 0).scope);
  g_clear_pointer (&self->scopes, g_ptr_array_unref);
  self->scopes = crm_pipeline_scopes_list (self->user, self->store);
  if (kept == NULL)
    chosen = crm_pipeline_scopes_default (self->scopes);
  for (guint i = 0; i < self->scopes->len; i++)
    {
      const CrmPipelineScope *scope = self->scopes->pdata[i];

      gtk_string_list_append (titles, scope->title);
      if (g_strcmp0 (scope->scope, kept) == 0)
        chosen = i;
    }
  self->choosing = TRUE;
  gtk_drop_down_set_model (self->scope_dropdown, G_LIST_MODEL (titles));
  gtk_drop_down_set_selected (self->scope_dropdown, chosen);
  self->choosing = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->scope_dropdown), self->scopes->len > 1);
  if (kept == NULL || g_strcmp0 (kept, ((CrmPipelineScope *) self->scopes->pdata[chosen])->scope) != 0)
    restart (self);
}

static void
scope_chosen_cb (CrmPipelineForecast *self)
{
  if (!self->choosing)
    restart (self);
}

static void
directory_changed_cb (CrmPipelineForecast *self)
{
  update_scopes (self);
}

static void
set_period (CrmPipelineForecast *self,
            const char          *period)
{
  CrmPeriodKind kind;

  if (!crm_period_parse (period, &kind, NULL, NULL) || g_strcmp0 (period, self->period) == 0)
    return;
  g_free (self->period);
  self->period = g_strdup (period);
  self->choosing = TRUE;
  gtk_drop_down_set_selected (self->period_kind_dropdown, kind);
  self->choosing = FALSE;
  show_level (self);
}

/* Another kind of period: the one holding today when the shown period
 * does, else the one holding the shown period's first day. */
static void
period_kind_chosen_cb (CrmPipelineForecast *self)
{
  CrmPeriodKind kind = gtk_drop_down_get_selected (self->period_kind_dropdown);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *period = NULL;
  GDate today, first, last;

  if (self->choosing || !crm_period_parse (self->period, NULL, &first, &last))
    return;
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  period = crm_period_for_date (kind, g_date_compare (&today, &first) >= 0 && g_date_compare (&today, &last) <= 0
                                      ? &today : &first);
  set_period (self, period);
}

static void
row_activated_cb (CrmPipelineForecast *self,
                  GtkListBoxRow       *row)
{
  CrmForecastRowKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "crm-kind"));
  const char *id = g_object_get_data (G_OBJECT (row), "crm-id");
  const char *name = g_object_get_data (G_OBJECT (row), "crm-name");
  g_autofree char *scope = NULL;

  if (id == NULL || kind == CRM_FORECAST_ROW_NONE)
    return;
  if (kind == CRM_FORECAST_ROW_TEAM)
    {
      scope = g_strconcat ("team:", id, NULL);
      push_level (self, scope, NULL, name);
    }
  else
    push_level (self, NULL, id, name);
  show_level (self);
}

static void
back_cb (GtkWidget  *widget,
         const char *action_name,
         GVariant   *parameter)
{
  CrmPipelineForecast *self = CRM_PIPELINE_FORECAST (widget);

  if (self->trail->len <= 1)
    return;
  g_array_set_size (self->trail, self->trail->len - 1);
  show_level (self);
}

static void
step_period (CrmPipelineForecast *self,
             int                  steps)
{
  g_autofree char *period = crm_period_step (self->period, steps);

  set_period (self, period);
}

static void
previous_period_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  step_period (CRM_PIPELINE_FORECAST (widget), -1);
}

static void
next_period_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  step_period (CRM_PIPELINE_FORECAST (widget), 1);
}

static void
refresh_cb (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  show_level (CRM_PIPELINE_FORECAST (widget));
}

/* The six figures: a caption over a large number. */
static void
build_figures (CrmPipelineForecast *self)
{
  for (guint i = 0; i < N_FIGURES; i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *caption = gtk_label_new (figure_caption (i));
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
chart_summary_cb (CrmPipelineForecast *self)
{
  const char *summary = crm_forecast_chart_get_summary (self->chart);

  gtk_label_set_label (self->chart_label, summary ? summary : "");
}

static void
crm_pipeline_forecast_dispose (GObject *object)
{
  CrmPipelineForecast *self = CRM_PIPELINE_FORECAST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_object (&self->api);
  if (self->loader != NULL)
    g_signal_handlers_disconnect_by_data (self->loader, self);
  g_clear_object (&self->loader);
  if (self->person_remote != NULL)
    g_signal_handlers_disconnect_by_data (self->person_remote, self);
  g_clear_object (&self->person_remote);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_PIPELINE_FORECAST);

  G_OBJECT_CLASS (crm_pipeline_forecast_parent_class)->dispose (object);
}

static void
crm_pipeline_forecast_finalize (GObject *object)
{
  CrmPipelineForecast *self = CRM_PIPELINE_FORECAST (object);

  g_clear_pointer (&self->user, json_object_unref);
  g_clear_pointer (&self->filters, g_hash_table_unref);
  g_clear_pointer (&self->scopes, g_ptr_array_unref);
  g_clear_pointer (&self->trail, g_array_unref);
  g_free (self->period);

  G_OBJECT_CLASS (crm_pipeline_forecast_parent_class)->finalize (object);
}

static void
crm_pipeline_forecast_class_init (CrmPipelineForecastClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_pipeline_forecast_dispose;
  object_class->finalize = crm_pipeline_forecast_finalize;

  g_type_ensure (CRM_TYPE_FORECAST_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-pipeline-forecast.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, back_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, title_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, scope_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, period_kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, period_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, offline_icon);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, age_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, error_page);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, figures_box);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, behind_box);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, behind_icon);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, behind_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, chart);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, chart_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, rows_heading);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, rows_list);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, opportunities_note);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineForecast, opportunities_list);

  gtk_widget_class_install_action (widget_class, "forecast.back", NULL, back_cb);
  gtk_widget_class_install_action (widget_class, "forecast.previous-period", NULL, previous_period_cb);
  gtk_widget_class_install_action (widget_class, "forecast.next-period", NULL, next_period_cb);
  gtk_widget_class_install_action (widget_class, "forecast.refresh", NULL, refresh_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "forecast.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "forecast.previous-period", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "forecast.next-period", NULL);
}

static void
crm_pipeline_forecast_init (CrmPipelineForecast *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->trail = g_array_new (FALSE, TRUE, sizeof (Level));
  g_array_set_clear_func (self->trail, level_clear);
  self->loader = crm_report_loader_new (CRM_REPORT_FORECAST);
  crm_report_loader_follow_mapped (self->loader, GTK_WIDGET (self));
  g_signal_connect_swapped (self->loader, "changed", G_CALLBACK (loader_changed_cb), self);
  g_signal_connect_swapped (self->loader, "notify::age-text", G_CALLBACK (age_changed_cb), self);
  self->person_remote = crm_remote_answer_new (crm_customer_remote_check_list);
  crm_remote_answer_follow_mapped (self->person_remote, GTK_WIDGET (self));
  g_signal_connect_swapped (self->person_remote, "changed", G_CALLBACK (person_remote_changed_cb), self);
  g_signal_connect_swapped (self->person_remote, "notify::status", G_CALLBACK (person_status_cb), self);

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
  self->period = crm_period_for_date (CRM_PERIOD_QUARTER, &today);

  build_figures (self);
  g_signal_connect_swapped (self->chart, "notify::summary", G_CALLBACK (chart_summary_cb), self);
  g_signal_connect_swapped (self->rows_list, "row-activated", G_CALLBACK (row_activated_cb), self);
  g_signal_connect_swapped (self->scope_dropdown, "notify::selected", G_CALLBACK (scope_chosen_cb), self);
  g_signal_connect_swapped (self->period_kind_dropdown, "notify::selected", G_CALLBACK (period_kind_chosen_cb),
                            self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "forecast.back", FALSE);
  update_scopes (self);
}

GtkWidget *
crm_pipeline_forecast_new (void)
{
  return g_object_new (CRM_TYPE_PIPELINE_FORECAST, NULL);
}

void
crm_pipeline_forecast_set_store (CrmPipelineForecast *self,
                                 CrmStore            *store)
{
  g_return_if_fail (CRM_IS_PIPELINE_FORECAST (self));
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
crm_pipeline_forecast_set_api (CrmPipelineForecast *self,
                               CrmApi              *api)
{
  g_return_if_fail (CRM_IS_PIPELINE_FORECAST (self));
  g_return_if_fail (api == NULL || CRM_IS_API (api));

  if (g_set_object (&self->api, api))
    crm_report_loader_set_api (self->loader, api);
}

void
crm_pipeline_forecast_set_user (CrmPipelineForecast *self,
                                JsonObject          *user)
{
  g_return_if_fail (CRM_IS_PIPELINE_FORECAST (self));

  if (self->user == user)
    return;
  g_clear_pointer (&self->user, json_object_unref);
  self->user = user ? json_object_ref (user) : NULL;
  /* another user starts at their own default scope */
  g_array_set_size (self->trail, 0);
  update_scopes (self);
}

void
crm_pipeline_forecast_set_filters (CrmPipelineForecast *self,
                                   GHashTable          *filters)
{
  g_return_if_fail (CRM_IS_PIPELINE_FORECAST (self));

  g_clear_pointer (&self->filters, g_hash_table_unref);
  self->filters = filters ? g_hash_table_ref (filters) : NULL;
  show_level (self);
}

void
crm_pipeline_forecast_set_period (CrmPipelineForecast *self,
                                  const char          *period)
{
  g_return_if_fail (CRM_IS_PIPELINE_FORECAST (self));

  set_period (self, period);
}

const char *
crm_pipeline_forecast_get_period (CrmPipelineForecast *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_FORECAST (self), NULL);

  return self->period;
}

gboolean
crm_pipeline_forecast_set_scope (CrmPipelineForecast *self,
                                 const char          *scope)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_FORECAST (self), FALSE);

  for (guint i = 0; i < self->scopes->len; i++)
    if (g_strcmp0 (((CrmPipelineScope *) self->scopes->pdata[i])->scope, scope) == 0)
      {
        self->choosing = TRUE;
        gtk_drop_down_set_selected (self->scope_dropdown, i);
        self->choosing = FALSE;
        restart (self);
        return TRUE;
      }
  return FALSE;
}

/**
 * crm_pipeline_forecast_get_person_remote:
 *
 * Returns: (transfer none): what a director's drill-down to another
 *   person asks the server (for tests)
 */
CrmRemoteAnswer *
crm_pipeline_forecast_get_person_remote (CrmPipelineForecast *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_FORECAST (self), NULL);

  return self->person_remote;
}

CrmReportLoader *
crm_pipeline_forecast_get_loader (CrmPipelineForecast *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_FORECAST (self), NULL);

  return self->loader;
}

guint
crm_pipeline_forecast_get_depth (CrmPipelineForecast *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_FORECAST (self), 0);

  return self->trail->len > 0 ? self->trail->len - 1 : 0;
}
