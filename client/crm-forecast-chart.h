#pragma once

#include <gtk/gtk.h>

#include "crm-chart.h"

G_BEGIN_DECLS

/*
 * A bar chart drawn with cairo for the Forecast and Analysis views: one
 * bar per value with its name under it, a value axis on the left, and
 * optionally a dashed reference line (the target) with its own label, so
 * that nothing is told by colour alone.  Focusable: Left, Right, Home and
 * End choose a bar; the pointer over a bar shows it too.  What the chosen
 * (or pointed at) bar says is its description: in a tooltip, in
 * :summary (for a label under the chart) and as the accessible
 * description.
 */

typedef struct
{
  const char *label;        /* under the bar: "Closed won" */
  gint64      value;        /* >= 0, in the chart's unit */
  const char *description;  /* "Closed won: ¥12,500,000.00" */
  guint       tone;         /* 0–3: the bar's colour */
} CrmChartBar;

#define CRM_TYPE_FORECAST_CHART (crm_forecast_chart_get_type ())

G_DECLARE_FINAL_TYPE (CrmForecastChart, crm_forecast_chart, CRM, FORECAST_CHART, GtkDrawingArea)

GtkWidget  *crm_forecast_chart_new          (void);
/* Copies @bars; @format writes the axis's values (crm_format_money). */
void        crm_forecast_chart_set_bars     (CrmForecastChart  *self,
                                             const CrmChartBar *bars,
                                             guint              n_bars,
                                             CrmChartFormat     format);
/* The reference line at @value with @label beside it; @value < 0: none. */
void        crm_forecast_chart_set_line     (CrmForecastChart  *self,
                                             gint64             value,
                                             const char        *label);
guint       crm_forecast_chart_get_n_bars   (CrmForecastChart  *self);
/* The keyboard's bar, or -1. */
int         crm_forecast_chart_get_selected (CrmForecastChart  *self);
void        crm_forecast_chart_select       (CrmForecastChart  *self,
                                             int                index);
/* The description of the bar the pointer is over, else the keyboard's. */
const char *crm_forecast_chart_get_summary  (CrmForecastChart  *self);

G_END_DECLS
