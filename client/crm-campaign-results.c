#define G_LOG_DOMAIN "crm-campaign-results"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include <glib/gi18n.h>

#include "crm-campaign-chart.h"
#include "crm-campaign-compare.h"
#include "crm-campaign-results.h"
#include "crm-chart.h"
#include "crm-error.h"
#include "crm-format.h"

/* How long after the last change of campaign members the server is
 * asked again (a sync applies its pages one after the other). */
#define REFRESH_DELAY_MS 500
/* How often the age is written again. */
#define AGE_INTERVAL 30

/* The columns of the breakdowns. */
typedef enum
{
  COLUMN_GROUP,
  COLUMN_TARGETS,
  COLUMN_CONTACTED,
  COLUMN_RESPONDED,
  COLUMN_CONVERTED,
  COLUMN_RESPONSE_RATE,
  COLUMN_CONVERSION_RATE,
  COLUMN_REVENUE,
  COLUMN_COST,
  COLUMN_COST_PER_RESPONSE,
  COLUMN_ROI,
  N_COLUMNS
} Column;

struct _CrmCampaignResults
{
  AdwBin              parent_instance;

  CrmApi             *api;
  CrmStore           *store;
  char               *campaign_id;
  GCancellable       *cancellable;
  gboolean            waiting;             /* asked while not shown: ask when mapped */
  gboolean            waiting_keeps_shown;
  CrmReportState      state;
  CrmCampaignReport  *report;
  char               *answer;        /* the shown report's JSON text */
  GDateTime          *fetched_at;
  GError             *error;
  guint               refresh_source;
  guint               age_source;
  gulong              members_handler;
  GListStore         *rows[CRM_CAMPAIGN_N_BREAKDOWNS];  /* GtkStringObject: an index into the report's groups */
  GtkColumnView      *views[CRM_CAMPAIGN_N_BREAKDOWNS];

  AdwToastOverlay    *toasts;
  GtkLabel           *title_label;
  GtkLabel           *status_label;
  GtkImage           *offline_icon;
  GtkLabel           *age_label;
  GtkStack           *stack;
  AdwStatusPage      *error_page;
  GtkSpinner         *spinner;
  GtkFlowBox         *figures_box;
  GtkLabel           *verdict_label;
  GtkLabel           *conversion_label;
  GtkDrawingArea     *conversion_chart;
  GtkLabel           *revenue_label;
  GtkDrawingArea     *revenue_chart;
  GtkLabel           *control_label;
  GtkDrawingArea     *week_chart;
  GtkLabel           *week_label;
  GtkStack           *breakdown_stack;
};

G_DEFINE_FINAL_TYPE (CrmCampaignResults, crm_campaign_results, ADW_TYPE_BIN)

static void start (CrmCampaignResults *self);

/* ------------------------------------------------------------------ */
/* The figures                                                         */
/* ------------------------------------------------------------------ */

static void
add_figure (CrmCampaignResults *self,
            const char         *label,
            char               *value)   /* (transfer full) */
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (label);
  GtkWidget *figure = gtk_label_new (value);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_set_margin_top (name, 8);
  gtk_widget_set_margin_start (name, 10);
  gtk_widget_set_margin_start (figure, 10);
  gtk_widget_set_margin_end (figure, 10);
  gtk_widget_set_margin_bottom (figure, 8);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (figure), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_selectable (GTK_LABEL (figure), TRUE);
  gtk_widget_add_css_class (name, "caption");
  gtk_widget_add_css_class (name, "dim-label");
  gtk_widget_add_css_class (figure, "title-3");
  gtk_widget_add_css_class (figure, "numeric");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), figure);
  gtk_accessible_update_property (GTK_ACCESSIBLE (figure), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_flow_box_append (self->figures_box, box);
  g_free (value);
}

static char *
money_or_dash (gint64 fen)
{
  return fen == CRM_CAMPAIGN_NONE ? g_strdup ("—") : crm_format_money (fen);
}

static void
show_figures (CrmCampaignResults *self)
{
  const CrmCampaignReport *r = self->report;
  const CrmCampaignFigures *t = &r->totals;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->figures_box))) != NULL)
    gtk_flow_box_remove (self->figures_box, child);
  add_figure (self, _("Targets"), crm_format_number (t->targets));
  add_figure (self, C_("campaign figure", "Contacted"), crm_format_number (t->contacted));
  add_figure (self, _("Responded"), crm_format_number (t->responded));
  add_figure (self, _("Converted"), crm_format_number (t->converted));
  add_figure (self, _("Response Rate"), crm_campaign_format_rate (t->response_rate));
  add_figure (self, _("Conversion Rate"), crm_campaign_format_rate (t->conversion_rate));
  add_figure (self, _("Revenue Attributed"), crm_format_money (t->revenue));
  add_figure (self, _("Actual Cost"), crm_format_money (t->cost));
  add_figure (self, _("Budget"), money_or_dash (r->budget));
  add_figure (self, _("Cost per Response"), money_or_dash (t->cost_per_response));
  add_figure (self, _("ROI"), crm_campaign_format_roi (t->roi));
  add_figure (self, _("Control Group"), crm_format_number (r->control_members));
}

/* The headline: is there an effect? */
static char *
verdict (const CrmCampaignReport *r)
{
  const CrmCampaignInterval *c = &r->uplift_conversion, *v = &r->uplift_revenue;

  if (!crm_campaign_interval_known (c) && !crm_campaign_interval_known (v))
    return g_strdup (_("The effect cannot be measured yet."));
  if (crm_campaign_interval_holds_zero (c) && crm_campaign_interval_holds_zero (v))
    return g_strdup (_("This campaign shows no measurable effect (yet)."));
  if ((crm_campaign_interval_known (c) && c->lower > 0) || (crm_campaign_interval_known (v) && v->lower > 0))
    return g_strdup (_("This campaign has a measurable positive effect."));
  if ((crm_campaign_interval_known (c) && c->upper < 0) || (crm_campaign_interval_known (v) && v->upper < 0))
    return g_strdup (_("This campaign has a measurable negative effect."));
  return g_strdup (_("This campaign shows no measurable effect (yet)."));
}

static void
show_uplift (CrmCampaignResults *self)
{
  const CrmCampaignReport *r = self->report;
  g_autofree char *headline = verdict (r);
  g_autofree char *conversion = crm_campaign_describe_conversion_uplift (r);
  g_autofree char *revenue = crm_campaign_describe_revenue_uplift (r);
  g_autofree char *members = crm_format_number (r->control_members);
  g_autofree char *converted = crm_format_number (r->control_converted);
  g_autofree char *rate = crm_campaign_format_rate (r->control_conversion_rate);
  g_autofree char *money = crm_format_money (r->control_revenue);
  g_autofree char *control = NULL;
  g_autofree char *conversion_interval = crm_campaign_format_conversion_interval (&r->uplift_conversion);
  g_autofree char *revenue_interval = crm_campaign_format_revenue_interval (&r->uplift_revenue);

  gtk_label_set_label (self->verdict_label, headline);
  gtk_label_set_label (self->conversion_label, conversion);
  gtk_label_set_label (self->revenue_label, revenue);
  control = g_strdup_printf (_("Control group (not contacted): %s members, %s converted (%s), revenue %s."),
                             members, converted, rate, money);
  gtk_label_set_label (self->control_label, control);
  gtk_widget_set_visible (GTK_WIDGET (self->conversion_chart), crm_campaign_interval_known (&r->uplift_conversion));
  gtk_widget_set_visible (GTK_WIDGET (self->revenue_chart), crm_campaign_interval_known (&r->uplift_revenue));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->conversion_chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  conversion_interval, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->revenue_chart), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  revenue_interval, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self->conversion_chart));
  gtk_widget_queue_draw (GTK_WIDGET (self->revenue_chart));
}

static void
show_weeks (CrmCampaignResults *self)
{
  GArray *weeks = self->report->weeks;
  g_autofree char *summary = NULL;

  if (weeks->len == 0)
    summary = g_strdup (_("No outcomes recorded yet."));
  else
    summary = crm_campaign_week_describe (&g_array_index (weeks, CrmCampaignWeek, weeks->len - 1));
  gtk_label_set_label (self->week_label, summary);
  gtk_widget_set_visible (GTK_WIDGET (self->week_chart), weeks->len > 0);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->week_chart), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Results by Week"), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, summary, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self->week_chart));
}

static void
chart_colors (GtkWidget              *widget,
              CrmCampaignChartColors *colors)
{
  GdkRGBA foreground;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &foreground);
  crm_campaign_chart_set_colors (colors, &foreground, crm_chart_is_dark (&foreground));
}

static void
draw_weeks_cb (GtkDrawingArea *area,
               cairo_t        *cr,
               int             width,
               int             height,
               gpointer        user_data)
{
  CrmCampaignResults *self = user_data;
  CrmCampaignChartColors colors;

  if (self->report == NULL)
    return;
  chart_colors (GTK_WIDGET (area), &colors);
  crm_campaign_chart_draw_weeks (&colors, self->report->weeks, cr, gtk_widget_get_pango_context (GTK_WIDGET (area)),
                                 width, height);
}

static char *
format_points (double fraction)
{
  return g_strdup_printf ("%+.1f", fraction * 100.0);
}

static char *
format_fen (double fen)
{
  return crm_format_money ((gint64) llround (fen));
}

static void
draw_interval_cb (GtkDrawingArea *area,
                  cairo_t        *cr,
                  int             width,
                  int             height,
                  gpointer        user_data)
{
  CrmCampaignResults *self = user_data;
  CrmCampaignChartColors colors;
  gboolean conversion = area == self->conversion_chart;

  if (self->report == NULL)
    return;
  chart_colors (GTK_WIDGET (area), &colors);
  crm_campaign_chart_draw_interval (&colors, conversion ? &self->report->uplift_conversion
                                                        : &self->report->uplift_revenue,
                                    conversion ? format_points : format_fen, cr,
                                    gtk_widget_get_pango_context (GTK_WIDGET (area)), width, height);
}

/* ------------------------------------------------------------------ */
/* The breakdowns                                                      */
/* ------------------------------------------------------------------ */

/* What a column's cells and sorter need. */
typedef struct
{
  CrmCampaignResults   *self;
  CrmCampaignBreakdown  breakdown;
  Column                column;
} Cell;

static const CrmCampaignGroup *
group_of (Cell     *cell,
          gpointer  item)
{
  guint index = (guint) atoi (gtk_string_object_get_string (item));
  GArray *groups = cell->self->report ? cell->self->report->groups[cell->breakdown] : NULL;

  return groups != NULL && index < groups->len ? &g_array_index (groups, CrmCampaignGroup, index) : NULL;
}

/* A column's value as a number to sort by (NAN, unknown, last). */
static double
sort_value (const CrmCampaignFigures *f,
            Column                    column)
{
  switch (column)
    {
    case COLUMN_TARGETS: return f->targets;
    case COLUMN_CONTACTED: return f->contacted;
    case COLUMN_RESPONDED: return f->responded;
    case COLUMN_CONVERTED: return f->converted;
    case COLUMN_RESPONSE_RATE: return f->response_rate;
    case COLUMN_CONVERSION_RATE: return f->conversion_rate;
    case COLUMN_REVENUE: return f->revenue;
    case COLUMN_COST: return f->cost;
    case COLUMN_COST_PER_RESPONSE: return f->cost_per_response == CRM_CAMPAIGN_NONE ? NAN : f->cost_per_response;
    case COLUMN_ROI: return f->roi;
    case COLUMN_GROUP:
    case N_COLUMNS:
    default:
      return NAN;
    }
}

static char *
cell_text (const CrmCampaignGroup *g,
           Column                  column)
{
  const CrmCampaignFigures *f = &g->figures;

  switch (column)
    {
    case COLUMN_GROUP: return g_strdup (g->label);
    case COLUMN_RESPONSE_RATE: return crm_campaign_format_rate (f->response_rate);
    case COLUMN_CONVERSION_RATE: return crm_campaign_format_rate (f->conversion_rate);
    case COLUMN_REVENUE: return crm_format_money (f->revenue);
    case COLUMN_COST: return crm_format_money (f->cost);
    case COLUMN_COST_PER_RESPONSE: return money_or_dash (f->cost_per_response);
    case COLUMN_ROI: return crm_campaign_format_roi (f->roi);
    case COLUMN_TARGETS:
    case COLUMN_CONTACTED:
    case COLUMN_RESPONDED:
    case COLUMN_CONVERTED:
    case N_COLUMNS:
    default:
      return crm_format_number ((gint64) sort_value (f, column));
    }
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  Cell *cell = user_data;
  const CrmCampaignGroup *x = group_of (cell, (gpointer) a), *y = group_of (cell, (gpointer) b);
  double u, v;

  if (x == NULL || y == NULL)
    return (x == NULL) - (y == NULL);
  if (cell->column == COLUMN_GROUP)
    return g_utf8_collate (x->label, y->label);
  u = sort_value (&x->figures, cell->column);
  v = sort_value (&y->figures, cell->column);
  if (isnan (u) || isnan (v))
    return isnan (u) - isnan (v);
  return u < v ? -1 : u > v ? 1 : 0;
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               Cell                     *cell)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), cell->column == COLUMN_GROUP ? 0.0 : 1.0);
  if (cell->column != COLUMN_GROUP)
    gtk_widget_add_css_class (label, "numeric");
  else
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              Cell                     *cell)
{
  const CrmCampaignGroup *g = group_of (cell, gtk_list_item_get_item (item));
  g_autofree char *text = g ? cell_text (g, cell->column) : NULL;

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text ? text : "");
}

static const char *
column_title (Column column)
{
  switch (column)
    {
    case COLUMN_TARGETS: return _("Targets");
    case COLUMN_CONTACTED: return C_("campaign figure", "Contacted");
    case COLUMN_RESPONDED: return _("Responded");
    case COLUMN_CONVERTED: return _("Converted");
    case COLUMN_RESPONSE_RATE: return _("Response Rate");
    case COLUMN_CONVERSION_RATE: return _("Conversion Rate");
    case COLUMN_REVENUE: return _("Revenue");
    case COLUMN_COST: return _("Cost");
    case COLUMN_COST_PER_RESPONSE: return _("Cost per Response");
    case COLUMN_ROI: return _("ROI");
    case COLUMN_GROUP:
    case N_COLUMNS:
    default:
      return "";
    }
}

static GtkColumnViewColumn *
make_column (CrmCampaignResults   *self,
             CrmCampaignBreakdown  breakdown,
             Column                column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;
  Cell *cell = g_new0 (Cell, 1);
  Cell *sorter_cell = g_new0 (Cell, 1);
  GtkSorter *sorter;

  *cell = (Cell) { self, breakdown, column };
  *sorter_cell = *cell;
  g_signal_connect_data (factory, "setup", G_CALLBACK (setup_cell_cb), cell, NULL, 0);
  g_signal_connect_data (factory, "bind", G_CALLBACK (bind_cell_cb), cell, (GClosureNotify) (void (*) (void)) g_free, 0);
  view_column = gtk_column_view_column_new (column == COLUMN_GROUP ? crm_campaign_breakdown_title (breakdown)
                                                                   : column_title (column), factory);
  sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, sorter_cell, g_free));
  gtk_column_view_column_set_sorter (view_column, sorter);
  g_object_unref (sorter);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_column_set_expand (view_column, column == COLUMN_GROUP);
  return view_column;
}

static void
build_breakdowns (CrmCampaignResults *self)
{
  static const char * const names[] = { "channel", "tier", "region", "assignee" };

  for (guint b = 0; b < CRM_CAMPAIGN_N_BREAKDOWNS; b++)
    {
      GtkWidget *view, *scroller;
      GtkSortListModel *sorted;

      self->rows[b] = g_list_store_new (GTK_TYPE_STRING_OBJECT);
      view = gtk_column_view_new (NULL);
      self->views[b] = GTK_COLUMN_VIEW (view);
      gtk_column_view_set_show_column_separators (self->views[b], FALSE);
      gtk_column_view_set_reorderable (self->views[b], FALSE);
      gtk_widget_add_css_class (view, "data-table");
      gtk_widget_add_css_class (view, "card");
      for (Column c = 0; c < N_COLUMNS; c++)
        {
          GtkColumnViewColumn *column = make_column (self, b, c);

          gtk_column_view_append_column (self->views[b], column);
          g_object_unref (column);
        }
      sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->rows[b])),
                                        g_object_ref (gtk_column_view_get_sorter (self->views[b])));
      gtk_column_view_set_model (self->views[b], GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (sorted))));
      gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      crm_campaign_breakdown_title (b), -1);
      /* eleven columns: scrolled sideways in a narrow window rather than
       * holding the window at their width */
      scroller = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
      gtk_stack_add_titled (self->breakdown_stack, scroller, names[b], crm_campaign_breakdown_title (b));
    }
}

static void
show_breakdowns (CrmCampaignResults *self)
{
  for (guint b = 0; b < CRM_CAMPAIGN_N_BREAKDOWNS; b++)
    {
      guint n = self->report->groups[b]->len;
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        {
          char index[16];

          g_snprintf (index, sizeof index, "%u", i);
          g_ptr_array_add (items, gtk_string_object_new (index));
        }
      g_list_store_splice (self->rows[b], 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows[b])),
                           items->pdata, items->len);
    }
}

/* ------------------------------------------------------------------ */
/* States                                                              */
/* ------------------------------------------------------------------ */

static void
show_age (CrmCampaignResults *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *age = self->fetched_at ? crm_report_format_age (self->fetched_at, now) : g_strdup ("");
  g_autofree char *text = NULL;

  switch (self->state)
    {
    case CRM_REPORT_STATE_OFFLINE:
      text = g_strdup_printf (_("Offline. %s"), age);
      break;
    case CRM_REPORT_STATE_KEPT:
      text = g_strdup_printf (_("%s. Asking the server…"), age);
      break;
    case CRM_REPORT_STATE_NONE:
      text = g_strdup (_("Offline."));
      break;
    case CRM_REPORT_STATE_FRESH:
      text = g_steal_pointer (&age);
      break;
    case CRM_REPORT_STATE_EMPTY:
    case CRM_REPORT_STATE_LOADING:
    case CRM_REPORT_STATE_FAILED:
    default:
      text = g_strdup ("");
    }
  gtk_label_set_label (self->age_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_icon),
                          self->state == CRM_REPORT_STATE_OFFLINE || self->state == CRM_REPORT_STATE_NONE);
}

static gboolean
age_cb (gpointer user_data)
{
  show_age (user_data);
  return G_SOURCE_CONTINUE;
}

static const char *
page_for_state (CrmCampaignResults *self)
{
  switch (self->state)
    {
    case CRM_REPORT_STATE_LOADING:
      return "loading";
    case CRM_REPORT_STATE_NONE:
      return "none";
    case CRM_REPORT_STATE_FAILED:
      return "error";
    case CRM_REPORT_STATE_KEPT:
    case CRM_REPORT_STATE_FRESH:
    case CRM_REPORT_STATE_OFFLINE:
      if (self->report->launched_at == NULL && self->report->totals.targets == 0)
        return "unlaunched";
      return "report";
    case CRM_REPORT_STATE_EMPTY:
    default:
      return "empty";
    }
}

static void
show_state (CrmCampaignResults *self)
{
  const char *page = page_for_state (self);
  gboolean has_report = self->report != NULL;

  gtk_spinner_set_spinning (self->spinner, self->state == CRM_REPORT_STATE_LOADING);
  if (self->state == CRM_REPORT_STATE_FAILED)
    adw_status_page_set_description (self->error_page, self->error ? self->error->message : NULL);
  gtk_label_set_label (self->title_label, has_report ? self->report->name : "");
  gtk_label_set_label (self->status_label, has_report ? crm_campaign_status_label (self->report->status) : "");
  if (has_report)
    {
      show_figures (self);
      show_uplift (self);
      show_weeks (self);
      show_breakdowns (self);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export-pdf", has_report);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.export-csv", has_report);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.compare", self->campaign_id != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "results.refresh", self->campaign_id != NULL);
  show_age (self);
  gtk_stack_set_visible_child_name (self->stack, page);
}

/* (transfer full) @report, @answer */
static void
set_report (CrmCampaignResults *self,
            CrmReportState      state,
            CrmCampaignReport  *report,
            char               *answer,
            GDateTime          *fetched_at)
{
  g_clear_pointer (&self->report, crm_campaign_report_free);
  g_clear_pointer (&self->answer, g_free);
  g_clear_pointer (&self->fetched_at, g_date_time_unref);
  self->report = report;
  self->answer = answer;
  self->fetched_at = fetched_at ? g_date_time_ref (fetched_at) : NULL;
  self->state = state;
  show_state (self);
}

/* ------------------------------------------------------------------ */
/* Asking                                                              */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmStore          *store;
  char              *campaign_id;
  CrmCampaignReport *report;
  char              *answer;
  GDateTime         *fetched_at;
} Keep;

static void
keep_free (Keep *keep)
{
  g_clear_object (&keep->store);
  g_free (keep->campaign_id);
  crm_campaign_report_free (keep->report);
  g_free (keep->answer);
  g_clear_pointer (&keep->fetched_at, g_date_time_unref);
  g_free (keep);
}

/* A write with fsync: off the main thread. */
static void
keep_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Keep *keep = task_data;
  g_autoptr(GError) error = NULL;

  if (!crm_store_put_answer (keep->store, CRM_CAMPAIGN_RESULTS_ENDPOINT, keep->campaign_id, keep->answer,
                             keep->fetched_at, &error))
    g_warning ("Cannot keep the results of campaign %s: %s", keep->campaign_id, error->message);
  g_task_return_boolean (task, TRUE);
}

static void
kept_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CrmCampaignResults *self = user_data;
  g_autoptr(GError) error = NULL;
  Keep *keep = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return;   /* cancelled: @self may be gone */
  set_report (self, CRM_REPORT_STATE_FRESH, g_steal_pointer (&keep->report), g_steal_pointer (&keep->answer),
              keep->fetched_at);
}

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CrmCampaignResults *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCampaignReport) report = NULL;
  g_autoptr(GTask) task = NULL;
  char *answer = NULL;
  Keep *keep;

  report = crm_api_get_campaign_results_finish (CRM_API (object), result, &answer, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;   /* another campaign, or the view went: @self may be gone */
  if (report == NULL)
    {
      if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE) &&
          g_strcmp0 (crm_error_get_field (error), CRM_API_FIELD_SERVER) == 0)
        {
          self->state = self->report != NULL ? CRM_REPORT_STATE_OFFLINE : CRM_REPORT_STATE_NONE;
          show_state (self);
          return;
        }
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      set_report (self, CRM_REPORT_STATE_FAILED, NULL, NULL, NULL);
      return;
    }
  if (self->store == NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      set_report (self, CRM_REPORT_STATE_FRESH, g_steal_pointer (&report), answer, now);
      return;
    }
  /* shown once kept: a view that shows it and then goes offline finds it */
  keep = g_new0 (Keep, 1);
  keep->store = g_object_ref (self->store);
  keep->campaign_id = g_strdup (self->campaign_id);
  keep->report = g_steal_pointer (&report);
  keep->answer = answer;
  keep->fetched_at = g_date_time_new_now_utc ();
  task = g_task_new (NULL, self->cancellable, kept_cb, self);
  g_task_set_source_tag (task, fetch_cb);
  g_task_set_task_data (task, keep, (GDestroyNotify) keep_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, keep_thread);
}

static CrmCampaignReport *
read_kept (CrmCampaignResults  *self,
           char               **answer,
           GDateTime          **fetched_at)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) when = NULL;
  CrmCampaignReport *report;

  if (self->store == NULL ||
      !crm_store_get_answer (self->store, CRM_CAMPAIGN_RESULTS_ENDPOINT, self->campaign_id, &text, &when, &error))
    {
      if (error != NULL)
        g_warning ("%s", error->message);
      return NULL;
    }
  if (text == NULL)
    return NULL;
  report = crm_campaign_report_from_text (text, &error);
  if (report == NULL)
    {
      g_warning ("The kept results of campaign %s do not read: %s", self->campaign_id, error->message);
      return NULL;
    }
  *answer = g_steal_pointer (&text);
  *fetched_at = g_steal_pointer (&when);
  return report;
}

/* Shows what is kept (or what is shown, when @keep_shown) and asks. */
static void
ask (CrmCampaignResults *self,
     gboolean            keep_shown)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->campaign_id == NULL)
    {
      set_report (self, CRM_REPORT_STATE_EMPTY, NULL, NULL, NULL);
      return;
    }
  /* a page never shown asks nothing (the Campaigns section makes this
   * view for every campaign selected, Plan in front) */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      self->waiting = TRUE;
      self->waiting_keeps_shown = self->waiting_keeps_shown && keep_shown;
      return;
    }
  self->waiting = FALSE;
  self->waiting_keeps_shown = TRUE;
  if (!keep_shown || self->report == NULL)
    {
      g_autofree char *answer = NULL;
      g_autoptr(GDateTime) fetched_at = NULL;
      CrmCampaignReport *kept = read_kept (self, &answer, &fetched_at);

      set_report (self, kept ? CRM_REPORT_STATE_KEPT : CRM_REPORT_STATE_LOADING, kept,
                  g_steal_pointer (&answer), fetched_at);
    }
  else
    {
      self->state = CRM_REPORT_STATE_KEPT;
      show_state (self);
    }
  if (self->api == NULL)
    {
      self->state = self->report ? CRM_REPORT_STATE_OFFLINE : CRM_REPORT_STATE_NONE;
      show_state (self);
      return;
    }
  self->cancellable = g_cancellable_new ();
  crm_api_get_campaign_results_async (self->api, self->campaign_id, self->cancellable, fetch_cb, self);
}

static void
start (CrmCampaignResults *self)
{
  ask (self, FALSE);
}

static void
mapped_cb (CrmCampaignResults *self)
{
  if (self->waiting)
    ask (self, self->waiting_keeps_shown);
}

static gboolean
refresh_cb (gpointer user_data)
{
  CrmCampaignResults *self = user_data;

  self->refresh_source = 0;
  ask (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
members_changed_cb (CrmStore    *store,
                    const char  *entity,
                    GStrv        keys,
                    gpointer     user_data)
{
  CrmCampaignResults *self = user_data;

  if (self->campaign_id == NULL)
    return;
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_cb, self);
}

/* ------------------------------------------------------------------ */
/* Export                                                              */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmCampaignExport  format;
  char              *answer;
  GFile             *file;
} Save;

static void
save_free (Save *save)
{
  g_free (save->answer);
  g_clear_object (&save->file);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Save *save = task_data;
  g_autoptr(CrmCampaignReport) report = NULL;
  GError *error = NULL;
  gboolean ok;

  report = crm_campaign_report_from_text (save->answer, &error);
  if (report == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (save->format == CRM_CAMPAIGN_EXPORT_PDF)
    ok = crm_campaign_report_write_pdf (report, save->file, cancellable, &error);
  else
    ok = crm_campaign_report_write_csv (report, save->file, cancellable, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
open_clicked_cb (AdwToast  *toast,
                 GtkWidget *widget)
{
  GFile *file = g_object_get_data (G_OBJECT (toast), "file");
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GdkAppLaunchContext) context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));

  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL, NULL, NULL);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CrmCampaignResults *self = g_task_get_source_object (task);
  Save *save = g_task_get_task_data (task);
  GError *error = NULL;
  AdwToast *toast;

  /* A toast's title is markup (libadwaita 1.2): the words are escaped. */
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = g_file_get_basename (save->file);
      g_autofree char *title = g_markup_printf_escaped (_("Saved “%s”"), name);

      toast = adw_toast_new (title);
      adw_toast_set_button_label (toast, _("_Open"));
      g_object_set_data_full (G_OBJECT (toast), "file", g_object_ref (save->file), g_object_unref);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (open_clicked_cb), self, 0);
      adw_toast_overlay_add_toast (self->toasts, toast);
      g_task_return_boolean (task, TRUE);
      return;
    }
  {
    /* TRANSLATORS: a toast; %s says why */
    g_autofree char *title = g_markup_printf_escaped (_("Could not export the campaign report: %s"), error->message);

    toast = adw_toast_new (title);
    adw_toast_set_timeout (toast, 0);
    adw_toast_overlay_add_toast (self->toasts, toast);
  }
  g_task_return_error (task, error);
}

void
crm_campaign_results_save_async (CrmCampaignResults  *self,
                                 CrmCampaignExport    format,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;
  Save *save;

  g_return_if_fail (CRM_IS_CAMPAIGN_RESULTS (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_campaign_results_save_async);
  if (self->answer == NULL)
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_NOT_FOUND, _("There are no results to export"));
      return;
    }
  save = g_new0 (Save, 1);
  save->format = format;
  save->answer = g_strdup (self->answer);
  save->file = g_object_ref (file);
  g_task_set_task_data (task, save, (GDestroyNotify) save_free);
  /* the worker holds no reference to the view: it is released on its thread */
  worker = g_task_new (NULL, cancellable, save_done_cb, g_steal_pointer (&task));
  g_task_set_task_data (worker, save, NULL);
  g_task_run_in_thread (worker, save_thread);
}

gboolean
crm_campaign_results_save_finish (CrmCampaignResults  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_RESULTS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  CrmCampaignResults *self = CRM_CAMPAIGN_RESULTS (user_data);
  CrmCampaignExport format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  if (file != NULL)
    crm_campaign_results_save_async (self, format, file, NULL, NULL, NULL);
  g_object_unref (self);
}

static void
export (CrmCampaignResults *self,
        CrmCampaignExport   format)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;
  gboolean pdf = format == CRM_CAMPAIGN_EXPORT_PDF;

  if (self->report == NULL)
    return;
  /* TRANSLATORS: the exported file's name; %s is the campaign's name */
  name = g_strdup_printf (pdf ? _("%s results.pdf") : _("%s results.csv"), self->report->name);
  g_strdelimit (name, "/\\", '-');
  chooser = gtk_file_chooser_native_new (pdf ? _("Export Campaign Report as PDF") : _("Export Campaign Report as CSV"),
                                         GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_filter_set_name (filter, pdf ? _("PDF documents") : _("CSV files"));
  gtk_file_filter_add_mime_type (filter, pdf ? "application/pdf" : "text/csv");
  gtk_file_filter_add_suffix (filter, pdf ? "pdf" : "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_set_data (G_OBJECT (chooser), "format", GINT_TO_POINTER (format));
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_pdf_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  export (CRM_CAMPAIGN_RESULTS (widget), CRM_CAMPAIGN_EXPORT_PDF);
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  export (CRM_CAMPAIGN_RESULTS (widget), CRM_CAMPAIGN_EXPORT_CSV);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ask (CRM_CAMPAIGN_RESULTS (widget), TRUE);
}

static void
compare_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrmCampaignResults *self = CRM_CAMPAIGN_RESULTS (widget);
  const char *ids[] = { self->campaign_id, NULL };
  GtkWidget *window;

  if (self->campaign_id == NULL)
    return;
  window = crm_campaign_compare_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->api, self->store, ids);
  gtk_window_present (GTK_WINDOW (window));
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
disconnect_store (CrmCampaignResults *self)
{
  if (self->store != NULL && self->members_handler != 0)
    g_signal_handler_disconnect (self->store, self->members_handler);
  self->members_handler = 0;
}

static void
crm_campaign_results_dispose (GObject *object)
{
  CrmCampaignResults *self = CRM_CAMPAIGN_RESULTS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_handle_id (&self->age_source, g_source_remove);
  disconnect_store (self);
  g_clear_object (&self->api);
  g_clear_object (&self->store);
  for (guint b = 0; b < CRM_CAMPAIGN_N_BREAKDOWNS; b++)
    g_clear_object (&self->rows[b]);

  G_OBJECT_CLASS (crm_campaign_results_parent_class)->dispose (object);
}

static void
crm_campaign_results_finalize (GObject *object)
{
  CrmCampaignResults *self = CRM_CAMPAIGN_RESULTS (object);

  g_free (self->campaign_id);
  crm_campaign_report_free (self->report);
  g_free (self->answer);
  g_clear_pointer (&self->fetched_at, g_date_time_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (crm_campaign_results_parent_class)->finalize (object);
}

static void
crm_campaign_results_class_init (CrmCampaignResultsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_campaign_results_dispose;
  object_class->finalize = crm_campaign_results_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-campaign-results.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, toasts);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, title_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, status_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, offline_icon);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, age_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, error_page);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, figures_box);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, conversion_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, conversion_chart);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, revenue_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, revenue_chart);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, control_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, week_chart);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, week_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignResults, breakdown_stack);

  gtk_widget_class_install_action (widget_class, "results.export-pdf", NULL, export_pdf_action);
  gtk_widget_class_install_action (widget_class, "results.export-csv", NULL, export_csv_action);
  gtk_widget_class_install_action (widget_class, "results.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "results.compare", NULL, compare_action);
}

static void
crm_campaign_results_init (CrmCampaignResults *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drawing_area_set_draw_func (self->week_chart, draw_weeks_cb, self, NULL);
  gtk_drawing_area_set_draw_func (self->conversion_chart, draw_interval_cb, self, NULL);
  gtk_drawing_area_set_draw_func (self->revenue_chart, draw_interval_cb, self, NULL);
  build_breakdowns (self);
  self->waiting_keeps_shown = TRUE;
  g_signal_connect (self, "map", G_CALLBACK (mapped_cb), NULL);
  self->age_source = g_timeout_add_seconds (AGE_INTERVAL, age_cb, self);
  self->state = CRM_REPORT_STATE_EMPTY;
  show_state (self);
}

GtkWidget *
crm_campaign_results_new (void)
{
  return g_object_new (CRM_TYPE_CAMPAIGN_RESULTS, NULL);
}

void
crm_campaign_results_set_session (CrmCampaignResults *self,
                                  CrmApi             *api,
                                  CrmStore           *store)
{
  g_return_if_fail (CRM_IS_CAMPAIGN_RESULTS (self));
  g_return_if_fail (api == NULL || CRM_IS_API (api));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  disconnect_store (self);
  g_set_object (&self->api, api);
  g_set_object (&self->store, store);
  if (store != NULL)
    self->members_handler = g_signal_connect (store, "changed::campaign_member", G_CALLBACK (members_changed_cb),
                                              self);
  start (self);
}

void
crm_campaign_results_set_campaign (CrmCampaignResults *self,
                                   const char         *campaign_id)
{
  g_return_if_fail (CRM_IS_CAMPAIGN_RESULTS (self));

  if (g_strcmp0 (self->campaign_id, campaign_id) == 0 && self->state != CRM_REPORT_STATE_EMPTY)
    return;
  g_free (self->campaign_id);
  self->campaign_id = g_strdup (campaign_id);
  start (self);
}

const char *
crm_campaign_results_get_campaign (CrmCampaignResults *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_RESULTS (self), NULL);

  return self->campaign_id;
}

void
crm_campaign_results_reload (CrmCampaignResults *self)
{
  g_return_if_fail (CRM_IS_CAMPAIGN_RESULTS (self));

  ask (self, TRUE);
}

CrmReportState
crm_campaign_results_get_state (CrmCampaignResults *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_RESULTS (self), CRM_REPORT_STATE_EMPTY);

  return self->state;
}

const CrmCampaignReport *
crm_campaign_results_get_report (CrmCampaignResults *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_RESULTS (self), NULL);

  return self->report;
}

GDateTime *
crm_campaign_results_get_fetched_at (CrmCampaignResults *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_RESULTS (self), NULL);

  return self->fetched_at;
}
