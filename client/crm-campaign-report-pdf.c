#define G_LOG_DOMAIN "crm-campaign-report"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "crm-campaign-chart.h"
#include "crm-campaign-report.h"
#include "crm-error.h"
#include "crm-format.h"
#include "crm-pdf.h"

/* The campaign report as a PDF, laid out as crm-customer-brief.c lays out
 * the customer brief, on as many A4 pages as the breakdowns take. */

#define PAGE_WIDTH   CRM_PDF_PAGE_WIDTH
#define PAGE_HEIGHT  CRM_PDF_PAGE_HEIGHT
#define MARGIN       36.0
#define FONT         CRM_PDF_FONT
#define WIDTH        (PAGE_WIDTH - 2 * MARGIN)

typedef struct
{
  cairo_t                 *cr;
  PangoContext            *context;
  const CrmCampaignReport *report;
  double                   y;
  guint                    page;
} Page;

/* A line of text (crm_pdf_put ()) on @page. */
static double
put (Page        *page,
     CrmPdfStyle  style,
     double       x,
     double       y,
     double       width,
     guint        flags,
     const char  *text)
{
  return crm_pdf_put (page->cr, page->context, style, x, y, width, flags, text);
}

static void
footer (Page *page)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%x %H:%M");
  g_autofree char *text = NULL;
  g_autofree char *number = NULL;

  /* TRANSLATORS: the foot of the campaign report PDF: the campaign's
   * name, then the date and time it was made */
  text = g_strdup_printf (_("%s: campaign report made by Keyline on %s"), page->report->name, date);
  /* TRANSLATORS: the page number at the foot of the PDF */
  number = g_strdup_printf (_("Page %u"), page->page);
  put (page, CRM_PDF_STYLE_DIM, MARGIN, PAGE_HEIGHT - MARGIN + 8, WIDTH * 0.8, 0, text);
  put (page, CRM_PDF_STYLE_DIM, MARGIN + WIDTH * 0.8, PAGE_HEIGHT - MARGIN + 8, WIDTH * 0.2, CRM_PDF_RIGHT, number);
}

/* Room for @height more, or a new page. */
static void
need (Page   *page,
      double  height)
{
  if (page->y + height <= PAGE_HEIGHT - MARGIN)
    return;
  footer (page);
  cairo_show_page (page->cr);
  page->page++;
  page->y = MARGIN;
}

static void
heading (Page       *page,
         const char *title)
{
  need (page, 60);
  page->y += 10;
  page->y += put (page, CRM_PDF_STYLE_HEADING, MARGIN, page->y, WIDTH, 0, title) + 2;
  cairo_set_source_rgb (page->cr, 0.75, 0.75, 0.75);
  cairo_set_line_width (page->cr, 0.6);
  cairo_move_to (page->cr, MARGIN, page->y);
  cairo_line_to (page->cr, MARGIN + WIDTH, page->y);
  cairo_stroke (page->cr);
  page->y += 4;
}

static void
draw_title (Page *page)
{
  const CrmCampaignReport *r = page->report;
  g_autofree char *launched = NULL;
  g_autofree char *meta = NULL;

  page->y += put (page, CRM_PDF_STYLE_TITLE, MARGIN, page->y, WIDTH, CRM_PDF_WRAP, r->name);
  if (r->launched_at != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (r->launched_at);

      launched = g_date_time_format (local, "%x");
    }
  /* TRANSLATORS: the line under the campaign's name in the PDF: its
   * status, when it was launched and the control group's share */
  meta = g_strdup_printf (_("%s · launched %s · control group %d%%"), crm_campaign_status_label (r->status),
                          launched ? launched : "—", (int) r->control_percent);
  page->y += 2 + put (page, CRM_PDF_STYLE_BODY, MARGIN, page->y + 2, WIDTH, 0, meta);
}

static void
figure (Page       *page,
        double      x,
        double      y,
        const char *label,
        const char *value)
{
  put (page, CRM_PDF_STYLE_DIM, x, y, WIDTH / 4 - 8, 0, label);
  put (page, CRM_PDF_STYLE_STRONG, x, y + 11, WIDTH / 4 - 8, 0, value);
}

static void
draw_figures (Page *page)
{
  const CrmCampaignReport *r = page->report;
  const CrmCampaignFigures *t = &r->totals;
  char *v[12] = { NULL };
  const char *labels[12] = {
    _("Targets"), C_("campaign figure", "Contacted"), _("Responded"), _("Converted"),
    _("Response Rate"), _("Conversion Rate"), _("Revenue Attributed"), _("Actual Cost"),
    _("Budget"), _("Cost per Response"), _("ROI"), _("Control Group"),
  };

  v[0] = crm_format_number (t->targets);
  v[1] = crm_format_number (t->contacted);
  v[2] = crm_format_number (t->responded);
  v[3] = crm_format_number (t->converted);
  v[4] = crm_campaign_format_rate (t->response_rate);
  v[5] = crm_campaign_format_rate (t->conversion_rate);
  v[6] = crm_format_money (t->revenue);
  v[7] = crm_format_money (t->cost);
  v[8] = r->budget == CRM_CAMPAIGN_NONE ? g_strdup ("—") : crm_format_money (r->budget);
  v[9] = t->cost_per_response == CRM_CAMPAIGN_NONE ? g_strdup ("—") : crm_format_money (t->cost_per_response);
  v[10] = crm_campaign_format_roi (t->roi);
  v[11] = crm_format_number (r->control_members);

  heading (page, _("Key Figures"));
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      if (i % 4 == 0 && i > 0)
        page->y += 28;
      figure (page, MARGIN + (i % 4) * WIDTH / 4, page->y, labels[i], v[i]);
    }
  page->y += 30;
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    g_free (v[i]);
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
draw_uplift_one (Page                         *page,
                 const CrmCampaignChartColors *colors,
                 const char                   *title,
                 const char                   *words,
                 const CrmCampaignInterval    *interval,
                 CrmCampaignChartFormat        format)
{
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT " 8");

  need (page, 90);
  page->y += put (page, CRM_PDF_STYLE_STRONG, MARGIN, page->y, WIDTH, 0, title) + 2;
  page->y += put (page, CRM_PDF_STYLE_BODY, MARGIN, page->y, WIDTH, CRM_PDF_WRAP, words) + 4;
  if (!crm_campaign_interval_known (interval))
    return;
  pango_context_set_font_description (page->context, font);
  cairo_save (page->cr);
  cairo_translate (page->cr, MARGIN, page->y);
  crm_campaign_chart_draw_interval (colors, interval, format, page->cr, page->context, WIDTH * 0.6, 40);
  cairo_restore (page->cr);
  page->y += 44;
}

static void
draw_uplift (Page                         *page,
             const CrmCampaignChartColors *colors)
{
  const CrmCampaignReport *r = page->report;
  g_autofree char *conversion = crm_campaign_describe_conversion_uplift (r);
  g_autofree char *revenue = crm_campaign_describe_revenue_uplift (r);
  g_autofree char *rate = crm_campaign_format_rate (r->control_conversion_rate);
  g_autofree char *members = crm_format_number (r->control_members);
  g_autofree char *converted = crm_format_number (r->control_converted);
  g_autofree char *money = crm_format_money (r->control_revenue);
  g_autofree char *control = NULL;

  heading (page, _("Effect Compared with the Control Group"));
  /* TRANSLATORS: the control group's figures: members, converted, the
   * conversion rate and their revenue (not attributed to the campaign) */
  control = g_strdup_printf (_("Control group (not contacted): %s members, %s converted (%s), revenue %s."),
                             members, converted, rate, money);
  page->y += put (page, CRM_PDF_STYLE_BODY, MARGIN, page->y, WIDTH, CRM_PDF_WRAP, control) + 6;
  draw_uplift_one (page, colors, _("Conversion"), conversion, &r->uplift_conversion, format_points);
  draw_uplift_one (page, colors, _("Revenue per Customer"), revenue, &r->uplift_revenue, format_fen);
}

static void
draw_weeks (Page                         *page,
            const CrmCampaignChartColors *colors)
{
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT " 8");

  heading (page, _("Results by Week"));
  if (page->report->weeks->len == 0)
    {
      page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN, page->y, WIDTH, 0, _("No outcomes recorded yet."));
      return;
    }
  need (page, 170);
  pango_context_set_font_description (page->context, font);
  cairo_save (page->cr);
  cairo_translate (page->cr, MARGIN, page->y + 2);
  crm_campaign_chart_draw_weeks (colors, page->report->weeks, page->cr, page->context, WIDTH, 160);
  cairo_restore (page->cr);
  page->y += 166;
}

/* A breakdown's table: the group and its figures. */
static void
table_row (Page        *page,
           CrmPdfStyle        style,
           const char **cells)
{
  static const double starts[] = { 0, 0.15, 0.25, 0.335, 0.42, 0.505, 0.59, 0.72, 0.845, 1.0 };
  double height = 0;

  need (page, 12);
  for (guint i = 0; i < G_N_ELEMENTS (starts) - 1; i++)
    height = MAX (height, put (page, style, MARGIN + WIDTH * starts[i], page->y,
                               WIDTH * (starts[i + 1] - starts[i]) - 4, i == 0 ? 0 : CRM_PDF_RIGHT, cells[i]));
  page->y += height + 2;
}

static void
draw_breakdown (Page                 *page,
                CrmCampaignBreakdown  breakdown)
{
  GArray *groups = page->report->groups[breakdown];
  const char *titles[] = { crm_campaign_breakdown_title (breakdown), _("Targets"), C_("campaign figure", "Contacted"), _("Responded"),
                           _("Converted"), _("Conversion"), _("Revenue"), _("Cost"), _("ROI") };

  /* TRANSLATORS: a breakdown's heading in the PDF: "By Channel" */
  g_autofree char *title = g_strdup_printf (_("By %s"), crm_campaign_breakdown_title (breakdown));

  heading (page, title);
  if (groups->len == 0)
    {
      page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN, page->y, WIDTH, 0, _("No targets"));
      return;
    }
  table_row (page, CRM_PDF_STYLE_DIM, titles);
  for (guint i = 0; i < groups->len; i++)
    {
      const CrmCampaignGroup *g = &g_array_index (groups, CrmCampaignGroup, i);
      const CrmCampaignFigures *f = &g->figures;
      g_autofree char *targets = crm_format_number (f->targets);
      g_autofree char *contacted = crm_format_number (f->contacted);
      g_autofree char *responded = crm_format_number (f->responded);
      g_autofree char *converted = crm_format_number (f->converted);
      g_autofree char *rate = crm_campaign_format_rate (f->conversion_rate);
      g_autofree char *revenue = crm_format_money (f->revenue);
      g_autofree char *cost = crm_format_money (f->cost);
      g_autofree char *roi = crm_campaign_format_roi (f->roi);
      const char *cells[] = { g->label, targets, contacted, responded, converted, rate, revenue, cost, roi };

      table_row (page, CRM_PDF_STYLE_BODY, cells);
    }
}

static void
draw_report (cairo_t                 *cr,
             const CrmCampaignReport *report)
{
  PangoContext *context = pango_cairo_create_context (cr);
  cairo_font_options_t *options = cairo_font_options_create ();
  static const GdkRGBA ink = { 0.15, 0.15, 0.15, 1.0 };
  CrmCampaignChartColors colors;
  Page page = { cr, context, report, MARGIN, 1 };

  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  crm_campaign_chart_set_colors (&colors, &ink, FALSE);

  draw_title (&page);
  draw_figures (&page);
  draw_uplift (&page, &colors);
  draw_weeks (&page, &colors);
  for (guint b = 0; b < CRM_CAMPAIGN_N_BREAKDOWNS; b++)
    draw_breakdown (&page, b);
  footer (&page);
  cairo_show_page (cr);
  g_object_unref (context);
}

static void
draw_report_cb (cairo_t  *cr,
                gpointer  data)
{
  draw_report (cr, data);
}

gboolean
crm_campaign_report_write_pdf (const CrmCampaignReport  *report,
                               GFile                    *file,
                               GCancellable             *cancellable,
                               GError                  **error)
{
  g_return_val_if_fail (report != NULL, FALSE);

  return crm_pdf_write (file, report->name, draw_report_cb, (gpointer) report, cancellable, error);
}
