#define G_LOG_DOMAIN "crm-revenue-chart"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <pango/pangocairo.h>

#include "crm-chart.h"
#include "crm-format.h"
#include "crm-revenue-chart.h"

#define GAP          CRM_CHART_GAP
#define BAR_SHARE    0.62   /* of a month's slot */
#define DOT_RADIUS   2.5
#define MARK_RADIUS  4.5    /* the highlighted month's dot */
#define N_TICKS      4      /* about this many steps up the money axis */

/* ------------------------------------------------------------------ */
/* The months                                                          */
/* ------------------------------------------------------------------ */

static gint64
member_money (JsonObject *record,
              const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

static int
compare_months (gconstpointer a,
                gconstpointer b)
{
  const CrmRevenueMonth *x = a, *y = b;

  return (x->year * 12 + x->month) - (y->year * 12 + y->month);
}

GArray *
crm_revenue_months_from_records (GPtrArray *records,
                                 guint      max)
{
  GArray *months = g_array_new (FALSE, TRUE, sizeof (CrmRevenueMonth));

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      JsonObject *record = records->pdata[i];
      const char *month = json_object_get_string_member_with_default (record, "month", NULL);
      CrmRevenueMonth m = { 0 };

      /* "2026-03-01" */
      if (month == NULL || strlen (month) < 7)
        continue;
      m.year = atoi (month);
      m.month = atoi (month + 5);
      if (m.year <= 0 || m.month < 1 || m.month > 12)
        continue;
      m.revenue = member_money (record, "revenue");
      m.arrears = member_money (record, "arrears");
      g_array_append_val (months, m);
    }
  g_array_sort (months, compare_months);
  if (months->len > max)
    g_array_remove_range (months, 0, months->len - max);
  return months;
}

static GDateTime *
month_date_time (const CrmRevenueMonth *month)
{
  return g_date_time_new_local (month->year, month->month, 1, 0, 0, 0);
}

char *
crm_revenue_month_dup_name (const CrmRevenueMonth *month)
{
  g_autoptr(GDateTime) dt = month_date_time (month);

  /* TRANSLATORS: a month and its year, as g_date_time_format() writes
   * them ("March 2026"); zh_CN: "%Y年%-m月" */
  return g_date_time_format (dt, C_("month and year", "%B %Y"));
}

char *
crm_revenue_month_describe (const CrmRevenueMonth *month)
{
  g_autofree char *name = crm_revenue_month_dup_name (month);
  g_autofree char *revenue = crm_format_money (month->revenue);
  g_autofree char *arrears = crm_format_money (month->arrears);

  /* TRANSLATORS: a month of the revenue chart: the month, its revenue and
   * the arrears at its end */
  return g_strdup_printf (_("%s: revenue %s, arrears %s"), name, revenue, arrears);
}

/* ------------------------------------------------------------------ */
/* Drawing                                                             */
/* ------------------------------------------------------------------ */

/* The legend, right-aligned above the plot: a bar for revenue, a line
 * with a dot for arrears. */
static void
draw_legend (const CrmRevenueChart *chart,
             cairo_t               *cr,
             PangoContext          *context,
             double                 right,
             double                 middle)
{
  const char *arrears = _("Arrears");
  const char *revenue = _("Revenue");
  int aw, rw, h;
  double x;

  crm_chart_text_size (context, arrears, &aw, &h);
  crm_chart_text_size (context, revenue, &rw, &h);

  x = right - aw;
  crm_chart_set_color (cr, &chart->foreground, 0.85);
  crm_chart_show_text (cr, context, arrears, x, middle, 0.0, 0.5);
  x -= GAP + 16;
  crm_chart_set_color (cr, &chart->arrears, 1.0);
  cairo_set_line_width (cr, 2.0);
  cairo_move_to (cr, x, middle);
  cairo_line_to (cr, x + 16, middle);
  cairo_stroke (cr);
  cairo_arc (cr, x + 8, middle, DOT_RADIUS + 0.5, 0, 2 * G_PI);
  cairo_fill (cr);

  x -= 3 * GAP + rw;
  crm_chart_set_color (cr, &chart->foreground, 0.85);
  crm_chart_show_text (cr, context, revenue, x, middle, 0.0, 0.5);
  x -= GAP + 10;
  crm_chart_set_color (cr, &chart->revenue, 1.0);
  cairo_rectangle (cr, x, middle - 5, 10, 10);
  cairo_fill (cr);
}

/* Month names under the plot, as many as fit, the latest always; the
 * year under January and under the first month named. */
static void
draw_month_axis (const CrmRevenueChart         *chart,
                 cairo_t                       *cr,
                 PangoContext                  *context,
                 const CrmRevenueChartGeometry *g,
                 double                         line_height)
{
  double slot = g->plot_width / chart->n_months;
  double widest = 0;
  guint every;
  gboolean year_shown = FALSE;

  for (guint i = 0; i < chart->n_months; i++)
    {
      g_autoptr(GDateTime) dt = month_date_time (&chart->months[i]);
      /* TRANSLATORS: a month under the revenue chart, as
       * g_date_time_format() writes it ("Mar"); zh_CN: "%-m月" */
      g_autofree char *text = g_date_time_format (dt, C_("chart month", "%b"));
      int w, h;

      crm_chart_text_size (context, text, &w, &h);
      widest = MAX (widest, w);
    }
  every = MAX (1, (guint) ceil ((widest + GAP) / slot));

  crm_chart_set_color (cr, &chart->foreground, 0.75);
  for (guint i = 0; i < chart->n_months; i++)
    {
      const CrmRevenueMonth *m = &chart->months[i];
      g_autoptr(GDateTime) dt = NULL;
      g_autofree char *text = NULL;
      double x = g->plot_x + slot * (i + 0.5);
      double y = g->plot_y + g->plot_height + GAP / 2;

      if ((chart->n_months - 1 - i) % every != 0)
        continue;
      dt = month_date_time (m);
      text = g_date_time_format (dt, C_("chart month", "%b"));
      crm_chart_show_text (cr, context, text, x, y, 0.5, 0.0);
      if (!year_shown || m->month <= (int) every)
        {
          g_autofree char *year = g_date_time_format (dt, "%Y");

          crm_chart_show_text (cr, context, year, x, y + line_height, 0.5, 0.0);
          year_shown = TRUE;
        }
    }
}

static void
draw_series (const CrmRevenueChart         *chart,
             cairo_t                       *cr,
             const CrmRevenueChartGeometry *g,
             gint64                         top)
{
  double slot = g->plot_width / chart->n_months;
  double bottom = g->plot_y + g->plot_height;

  crm_chart_set_color (cr, &chart->revenue, 1.0);
  for (guint i = 0; i < chart->n_months; i++)
    {
      double h = g->plot_height * chart->months[i].revenue / top;

      cairo_rectangle (cr, g->plot_x + slot * i + slot * (1 - BAR_SHARE) / 2, bottom - h, slot * BAR_SHARE, h);
    }
  cairo_fill (cr);

  crm_chart_set_color (cr, &chart->arrears, 1.0);
  cairo_set_line_width (cr, 2.0);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < chart->n_months; i++)
    cairo_line_to (cr, g->plot_x + slot * (i + 0.5), bottom - g->plot_height * chart->months[i].arrears / top);
  cairo_stroke (cr);
  for (guint i = 0; i < chart->n_months; i++)
    {
      double radius = (int) i == chart->highlight ? MARK_RADIUS : DOT_RADIUS;

      cairo_arc (cr, g->plot_x + slot * (i + 0.5), bottom - g->plot_height * chart->months[i].arrears / top,
                 radius, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

/* The highlighted month: a band behind it, outlined when the keyboard
 * has it. */
static void
draw_highlight (const CrmRevenueChart         *chart,
                cairo_t                       *cr,
                const CrmRevenueChartGeometry *g)
{
  double slot = g->plot_width / chart->n_months;

  if (chart->highlight < 0 || (guint) chart->highlight >= chart->n_months)
    return;
  cairo_rectangle (cr, g->plot_x + slot * chart->highlight, g->plot_y, slot, g->plot_height);
  crm_chart_set_color (cr, &chart->foreground, 0.10);
  cairo_fill_preserve (cr);
  if (chart->focus)
    {
      crm_chart_set_color (cr, &chart->foreground, 0.7);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
    }
  cairo_new_path (cr);
}

void
crm_revenue_chart_draw (const CrmRevenueChart   *chart,
                        cairo_t                 *cr,
                        PangoContext            *context,
                        double                   width,
                        double                   height,
                        CrmRevenueChartGeometry *geometry)
{
  CrmRevenueChartGeometry g = { 0 };
  gint64 top = 0, step;
  int lw, lh;

  g_return_if_fail (chart != NULL && cr != NULL && PANGO_IS_CONTEXT (context));

  for (guint i = 0; i < chart->n_months; i++)
    top = MAX (top, MAX (chart->months[i].revenue, chart->months[i].arrears));
  step = crm_chart_tick_step (top, N_TICKS, 100);
  top = crm_chart_axis_top (top, step);

  crm_chart_text_size (context, "0", &lw, &lh);
  g.n_months = chart->n_months;
  g.plot_x = ceil (crm_chart_axis_width (context, crm_format_money, top) + GAP);
  g.plot_y = lh * 1.5 + GAP;
  g.plot_width = MAX (1.0, width - g.plot_x - 1);
  g.plot_height = MAX (1.0, height - g.plot_y - 2 * lh - GAP);

  cairo_save (cr);
  draw_legend (chart, cr, context, width, lh * 0.75);
  if (chart->n_months > 0)
    {
      draw_highlight (chart, cr, &g);
      crm_chart_draw_value_axis (cr, context, &chart->foreground, crm_format_money,
                                 g.plot_x, g.plot_y, g.plot_width, g.plot_height, top, step);
      draw_series (chart, cr, &g, top);
      draw_month_axis (chart, cr, context, &g, lh);
    }
  cairo_restore (cr);

  if (geometry != NULL)
    *geometry = g;
}

int
crm_revenue_chart_month_at (const CrmRevenueChartGeometry *geometry,
                            double                         x,
                            double                         y)
{
  int i;

  g_return_val_if_fail (geometry != NULL, -1);

  if (geometry->n_months == 0 || x < geometry->plot_x || x >= geometry->plot_x + geometry->plot_width ||
      y < 0 || y > geometry->plot_y + geometry->plot_height)
    return -1;
  i = (int) ((x - geometry->plot_x) / (geometry->plot_width / geometry->n_months));
  return CLAMP (i, 0, (int) geometry->n_months - 1);
}

void
crm_revenue_chart_set_colors (CrmRevenueChart *chart,
                              const GdkRGBA   *foreground,
                              gboolean         dark)
{
  g_return_if_fail (chart != NULL && foreground != NULL);

  chart->foreground = *foreground;
  /* GNOME palette: Blue 4 and Orange 5 on light (4.5:1 against white),
   * Blue 2 and Orange 2 on dark (over 6:1 against Adwaita's dark). */
  crm_chart_rgb (&chart->revenue, dark ? 0x62a0ea : 0x1c71d8);
  crm_chart_rgb (&chart->arrears, dark ? 0xffa348 : 0xc64600);
}
