#pragma once

#include <cairo.h>
#include <gdk/gdk.h>
#include <pango/pango.h>

G_BEGIN_DECLS

/*
 * What the client's cairo charts share (crm-revenue-chart.c,
 * crm-forecast-chart.c): the money axis's steps and grid, text placed by
 * its alignment, colours from the GNOME palette.  They touch no widget,
 * only the cairo_t and the PangoContext they are given, so the same
 * drawing goes on the screen and into a PDF.
 */

/* Space between a text and the plot. */
#define CRM_CHART_GAP 6.0

/* A step of 1, 2 or 5 times a power of ten (in fen, a whole yuan at
 * least; for counts pass @min_step 1) dividing @top into about @n_ticks
 * parts. */
gint64  crm_chart_tick_step       (gint64         top,
                                   guint          n_ticks,
                                   gint64         min_step);
/* @top rounded up to a whole number of @step (one step at least). */
gint64  crm_chart_axis_top        (gint64         top,
                                   gint64         step);

void    crm_chart_set_color       (cairo_t       *cr,
                                   const GdkRGBA *color,
                                   double         alpha);
/* 0xRRGGBB as an opaque colour. */
void    crm_chart_rgb             (GdkRGBA       *color,
                                   guint32        rgb);
/* Whether @foreground is a light text colour, i.e. the background dark. */
gboolean crm_chart_is_dark        (const GdkRGBA *foreground);

/* A layout of @text in @context's font scaled by @scale. */
PangoLayout *crm_chart_layout     (PangoContext  *context,
                                   const char    *text,
                                   double         scale,
                                   gboolean       bold);
/* @text (the charts' small size) with its (@xalign, @yalign) point at
 * (@x, @y); returns its width. */
double  crm_chart_show_text       (cairo_t       *cr,
                                   PangoContext  *context,
                                   const char    *text,
                                   double         x,
                                   double         y,
                                   double         xalign,
                                   double         yalign);
void    crm_chart_text_size       (PangoContext  *context,
                                   const char    *text,
                                   int           *width,
                                   int           *height);

/* Formats an axis value: crm_format_money () for money axes. */
typedef char *(*CrmChartFormat) (gint64 value);

/* The widest label of an axis up to @top. */
double  crm_chart_axis_width      (PangoContext  *context,
                                   CrmChartFormat format,
                                   gint64         top);
/* Grid lines across the plot (@x, @y, @width, @height) at every @step
 * up to @top, each labelled on the left; the zero line stronger. */
void    crm_chart_draw_value_axis (cairo_t       *cr,
                                   PangoContext  *context,
                                   const GdkRGBA *foreground,
                                   CrmChartFormat format,
                                   double         x,
                                   double         y,
                                   double         width,
                                   double         height,
                                   gint64         top,
                                   gint64         step);

G_END_DECLS
