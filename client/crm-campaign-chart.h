#pragma once

#include <cairo.h>
#include <gdk/gdk.h>
#include <pango/pango.h>

#include "crm-campaign-report.h"

G_BEGIN_DECLS

/*
 * A campaign's results drawn with cairo (crm-chart.h's axis and text):
 * the weeks as groups of three bars (contacted, responded, converted:
 * told apart by a legend and by shade as well as hue), and an uplift as
 * its 95 % interval on a line through zero.  They touch no widget, only
 * the cairo_t and the PangoContext they are given: the results view
 * draws them on the screen, crm-campaign-report-pdf.c into the PDF.
 */

typedef struct
{
  GdkRGBA foreground;   /* text, axes and grid */
  GdkRGBA series[3];    /* contacted, responded, converted */
} CrmCampaignChartColors;

void    crm_campaign_chart_set_colors  (CrmCampaignChartColors    *colors,
                                        const GdkRGBA             *foreground,
                                        gboolean                   dark);

/* The weeks of @weeks (CrmCampaignWeek) in the rectangle (0, 0, @width,
 * @height) of @cr. */
void    crm_campaign_chart_draw_weeks  (const CrmCampaignChartColors *colors,
                                        GArray                       *weeks,
                                        cairo_t                      *cr,
                                        PangoContext                 *context,
                                        double                        width,
                                        double                        height);

/* @interval on a scale holding it and zero: the zero line, the interval
 * as a bar with its ends, the estimate as a dot; @format writes the ends'
 * labels. */
typedef char *(*CrmCampaignChartFormat) (double value);

void    crm_campaign_chart_draw_interval (const CrmCampaignChartColors *colors,
                                          const CrmCampaignInterval    *interval,
                                          CrmCampaignChartFormat        format,
                                          cairo_t                      *cr,
                                          PangoContext                 *context,
                                          double                        width,
                                          double                        height);

/* "Week of 2 March 2026: 120 contacted, 30 responded, 8 converted". */
char   *crm_campaign_week_describe     (const CrmCampaignWeek     *week);

G_END_DECLS
