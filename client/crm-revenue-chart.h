#pragma once

#include <cairo.h>
#include <gdk/gdk.h>
#include <pango/pango.h>

G_BEGIN_DECLS

/*
 * A customer's revenue and arrears by month, drawn with cairo: revenue as
 * bars, arrears as a line with a dot per month (told apart by shape as
 * well as colour), money on the left axis (crm_format_money), months
 * below in the locale's words, a legend above, and one month highlighted.
 *
 * One routine draws it for the Revenue section (CrmCustomerRevenue, on
 * the screen) and for the PDF brief (crm-customer-brief.c, on a PDF
 * surface in a worker thread): it touches no widget, only the cairo_t and
 * the PangoContext it is given.
 */

/* How many months the section and the brief show. */
#define CRM_REVENUE_CHART_MONTHS 24

typedef struct
{
  int    year;
  int    month;     /* 1–12 */
  gint64 revenue;   /* fen */
  gint64 arrears;   /* fen: owed at the end of the month */
} CrmRevenueMonth;

typedef struct
{
  const CrmRevenueMonth *months;      /* oldest first */
  guint                  n_months;
  int                    highlight;   /* an index of @months, or -1 */
  gboolean               focus;       /* mark the highlight as the keyboard's */
  GdkRGBA                foreground;  /* text, axes and grid (the grid fainter) */
  GdkRGBA                revenue;     /* the two series */
  GdkRGBA                arrears;
} CrmRevenueChart;

/* Where the last drawing put the plot, for finding the month under a
 * pointer. */
typedef struct
{
  double plot_x;
  double plot_y;
  double plot_width;
  double plot_height;
  guint  n_months;
} CrmRevenueChartGeometry;

/* The last @max months of @records (revenue_month records, JsonObject,
 * in any order), oldest first, as an array of CrmRevenueMonth. */
GArray *crm_revenue_months_from_records (GPtrArray                     *records,
                                         guint                          max);

/* The series' colours: fixed hues, distinguishable with the common colour
 * vision deficiencies (blue and orange), lighter on a dark background. */
void    crm_revenue_chart_set_colors    (CrmRevenueChart               *chart,
                                         const GdkRGBA                 *foreground,
                                         gboolean                       dark);

/* Draws @chart into the rectangle (0, 0, @width, @height) of @cr, its text
 * with @context's font (pango-cairo).  @geometry (nullable) receives where
 * the plot went. */
void    crm_revenue_chart_draw          (const CrmRevenueChart         *chart,
                                         cairo_t                       *cr,
                                         PangoContext                  *context,
                                         double                         width,
                                         double                         height,
                                         CrmRevenueChartGeometry       *geometry);

/* The month under (@x, @y), or -1. */
int     crm_revenue_chart_month_at      (const CrmRevenueChartGeometry *geometry,
                                         double                         x,
                                         double                         y);

/* "March 2026" as the locale writes a month. */
char   *crm_revenue_month_dup_name      (const CrmRevenueMonth         *month);
/* "March 2026: revenue ¥1,200.00, arrears ¥0.00": what a tooltip, the
 * section's label and its accessible description say. */
char   *crm_revenue_month_describe      (const CrmRevenueMonth         *month);

G_END_DECLS
