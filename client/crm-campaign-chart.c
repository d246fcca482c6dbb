#define G_LOG_DOMAIN "crm-campaign-chart"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "crm-campaign-chart.h"
#include "crm-chart.h"
#include "crm-format.h"

#define GAP        CRM_CHART_GAP
#define GROUP_SHARE 0.75   /* of a week's slot */
#define N_TICKS    4

void
crm_campaign_chart_set_colors (CrmCampaignChartColors *colors,
                               const GdkRGBA          *foreground,
                               gboolean                dark)
{
  g_return_if_fail (colors != NULL && foreground != NULL);

  colors->foreground = *foreground;
  /* GNOME palette, light to dark as the funnel narrows: Blue, Purple,
   * Green (3 on light, 2 on dark) */
  crm_chart_rgb (&colors->series[0], dark ? 0x99c1f1 : 0x62a0ea);
  crm_chart_rgb (&colors->series[1], dark ? 0xc061cb : 0x813d9c);
  crm_chart_rgb (&colors->series[2], dark ? 0x8ff0a4 : 0x26a269);
}

static char *
format_count (gint64 value)
{
  return crm_format_number (value);
}

static const char *
series_name (guint i)
{
  switch (i)
    {
    case 0:
      return C_("campaign figure", "Contacted");
    case 1:
      return _("Responded");
    default:
      return _("Converted");
    }
}

static void
draw_legend (const CrmCampaignChartColors *colors,
             cairo_t                      *cr,
             PangoContext                 *context,
             double                        right,
             double                        middle)
{
  double x = right;

  for (int i = 2; i >= 0; i--)
    {
      int w, h;

      crm_chart_text_size (context, series_name (i), &w, &h);
      x -= w;
      crm_chart_set_color (cr, &colors->foreground, 0.85);
      crm_chart_show_text (cr, context, series_name (i), x, middle, 0.0, 0.5);
      x -= GAP + 10;
      crm_chart_set_color (cr, &colors->series[i], 1.0);
      cairo_rectangle (cr, x, middle - 5, 10, 10);
      cairo_fill (cr);
      x -= 3 * GAP;
    }
}

/* The weeks' dates under the plot, as many as fit, the last always. */
static void
draw_week_axis (const CrmCampaignChartColors *colors,
                GArray                       *weeks,
                cairo_t                      *cr,
                PangoContext                 *context,
                double                        x0,
                double                        y,
                double                        slot)
{
  double widest = 0;
  guint every;

  for (guint i = 0; i < weeks->len; i++)
    {
      char text[32];
      int w, h;

      /* TRANSLATORS: a week's Monday under the campaign chart, as
       * g_date_strftime() writes it ("Mar 2"); zh_CN: "%-m月%-d日" */
      g_date_strftime (text, sizeof text, C_("chart week", "%b %-d"), &g_array_index (weeks, CrmCampaignWeek, i).week);
      crm_chart_text_size (context, text, &w, &h);
      widest = MAX (widest, w);
    }
  every = MAX (1, (guint) ceil ((widest + GAP) / slot));
  crm_chart_set_color (cr, &colors->foreground, 0.75);
  for (guint i = 0; i < weeks->len; i++)
    {
      char text[32];

      if ((weeks->len - 1 - i) % every != 0)
        continue;
      g_date_strftime (text, sizeof text, C_("chart week", "%b %-d"), &g_array_index (weeks, CrmCampaignWeek, i).week);
      crm_chart_show_text (cr, context, text, x0 + slot * (i + 0.5), y, 0.5, 0.0);
    }
}

void
crm_campaign_chart_draw_weeks (const CrmCampaignChartColors *colors,
                               GArray                       *weeks,
                               cairo_t                      *cr,
                               PangoContext                 *context,
                               double                        width,
                               double                        height)
{
  gint64 top = 0, step;
  double plot_x, plot_y, plot_w, plot_h, slot, bar;
  int lw, lh;

  g_return_if_fail (colors != NULL && weeks != NULL && cr != NULL && PANGO_IS_CONTEXT (context));

  for (guint i = 0; i < weeks->len; i++)
    {
      const CrmCampaignWeek *w = &g_array_index (weeks, CrmCampaignWeek, i);

      top = MAX (top, MAX (w->contacted, MAX (w->responded, w->converted)));
    }
  step = crm_chart_tick_step (top, N_TICKS, 1);
  top = crm_chart_axis_top (top, step);
  crm_chart_text_size (context, "0", &lw, &lh);
  plot_x = ceil (crm_chart_axis_width (context, format_count, top) + GAP);
  plot_y = lh * 1.5 + GAP;
  plot_w = MAX (1.0, width - plot_x - 1);
  plot_h = MAX (1.0, height - plot_y - lh - GAP);

  cairo_save (cr);
  draw_legend (colors, cr, context, width, lh * 0.75);
  crm_chart_draw_value_axis (cr, context, &colors->foreground, format_count, plot_x, plot_y, plot_w, plot_h, top, step);
  if (weeks->len > 0)
    {
      slot = plot_w / weeks->len;
      bar = slot * GROUP_SHARE / 3;
      for (guint i = 0; i < weeks->len; i++)
        {
          const CrmCampaignWeek *w = &g_array_index (weeks, CrmCampaignWeek, i);
          gint64 values[3] = { w->contacted, w->responded, w->converted };

          for (guint s = 0; s < 3; s++)
            {
              double h = plot_h * values[s] / top;

              crm_chart_set_color (cr, &colors->series[s], 1.0);
              cairo_rectangle (cr, plot_x + slot * i + slot * (1 - GROUP_SHARE) / 2 + bar * s, plot_y + plot_h - h,
                               bar, h);
              cairo_fill (cr);
            }
        }
      draw_week_axis (colors, weeks, cr, context, plot_x, plot_y + plot_h + GAP / 2, slot);
    }
  cairo_restore (cr);
}

void
crm_campaign_chart_draw_interval (const CrmCampaignChartColors *colors,
                                  const CrmCampaignInterval    *interval,
                                  CrmCampaignChartFormat        format,
                                  cairo_t                      *cr,
                                  PangoContext                 *context,
                                  double                        width,
                                  double                        height)
{
  g_autofree char *lower = NULL, *upper = NULL, *zero = NULL;
  double lo, hi, span, margin, y, x_lo, x_hi, x_zero, x_est;
  int lw, lh;
  gboolean holds_zero;

  g_return_if_fail (colors != NULL && interval != NULL && format != NULL && cr != NULL);

  if (!crm_campaign_interval_known (interval))
    return;
  holds_zero = crm_campaign_interval_holds_zero (interval);
  lo = MIN (interval->lower, 0.0);
  hi = MAX (interval->upper, 0.0);
  span = hi - lo > 0 ? hi - lo : 1.0;
  lower = format (interval->lower);
  upper = format (interval->upper);
  zero = format (0.0);
  crm_chart_text_size (context, lower, &lw, &lh);
  margin = MAX (lw, 40) / 2.0 + GAP;
  crm_chart_text_size (context, upper, &lw, &lh);
  margin = MAX (margin, lw / 2.0 + GAP);
  y = round (height / 2.0 - lh / 2.0) + 0.5;
#define AT(v) (margin + ((v) - lo) / span * (width - 2 * margin))
  x_lo = AT (interval->lower);
  x_hi = AT (interval->upper);
  x_zero = round (AT (0.0)) + 0.5;
  x_est = AT (interval->estimate);
#undef AT

  cairo_save (cr);
  /* the zero line, across, dashed: "no effect" */
  crm_chart_set_color (cr, &colors->foreground, 0.6);
  cairo_set_line_width (cr, 1.0);
  cairo_set_dash (cr, (double[]) { 3.0, 3.0 }, 2, 0);
  cairo_move_to (cr, x_zero, y - 12);
  cairo_line_to (cr, x_zero, y + 12);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  /* the interval: green when it is clear of zero, grey when it holds it */
  crm_chart_set_color (cr, holds_zero ? &colors->foreground : &colors->series[2], holds_zero ? 0.5 : 1.0);
  cairo_set_line_width (cr, 4.0);
  cairo_move_to (cr, x_lo, y);
  cairo_line_to (cr, x_hi, y);
  cairo_stroke (cr);
  cairo_set_line_width (cr, 2.0);
  cairo_move_to (cr, x_lo, y - 7);
  cairo_line_to (cr, x_lo, y + 7);
  cairo_move_to (cr, x_hi, y - 7);
  cairo_line_to (cr, x_hi, y + 7);
  cairo_stroke (cr);
  cairo_arc (cr, x_est, y, 5.5, 0, 2 * G_PI);
  cairo_fill (cr);
  crm_chart_set_color (cr, &colors->foreground, 0.8);
  crm_chart_show_text (cr, context, lower, x_lo, y + 10, 0.5, 0.0);
  crm_chart_show_text (cr, context, upper, x_hi, y + 10, 0.5, 0.0);
  /* zero named too, where it does not run into the ends' labels */
  {
    int zw, lo_w, hi_w, h;

    crm_chart_text_size (context, zero, &zw, &h);
    crm_chart_text_size (context, lower, &lo_w, &h);
    crm_chart_text_size (context, upper, &hi_w, &h);
    if (fabs (x_zero - x_lo) > (zw + lo_w) / 2.0 + GAP && fabs (x_zero - x_hi) > (zw + hi_w) / 2.0 + GAP)
      {
        crm_chart_set_color (cr, &colors->foreground, 0.6);
        crm_chart_show_text (cr, context, zero, x_zero, y + 10, 0.5, 0.0);
      }
  }
  cairo_restore (cr);
}

char *
crm_campaign_week_describe (const CrmCampaignWeek *week)
{
  g_autofree char *contacted = NULL, *responded = NULL, *converted = NULL;
  char date[64];

  g_return_val_if_fail (week != NULL, NULL);

  g_date_strftime (date, sizeof date, "%x", &week->week);
  contacted = crm_format_number (week->contacted);
  responded = crm_format_number (week->responded);
  converted = crm_format_number (week->converted);
  /* TRANSLATORS: one week of the campaign chart: its Monday and counts */
  return g_strdup_printf (_("Week of %s: %s contacted, %s responded, %s converted"), date, contacted, responded,
                          converted);
}
