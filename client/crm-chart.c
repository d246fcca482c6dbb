#define G_LOG_DOMAIN "crm-chart"

#include "config.h"

#include <math.h>

#include <pango/pangocairo.h>

#include "crm-chart.h"

/* Hand-written: GTK 4 has no chart library, in Debian or elsewhere. */

gint64
crm_chart_tick_step (gint64 top,
                     guint  n_ticks,
                     gint64 min_step)
{
  double raw = MAX ((double) top / MAX (n_ticks, 1), (double) MAX (min_step, 1));
  double power = pow (10.0, floor (log10 (raw)));
  double fraction = raw / power;
  double nice = fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0;

  return MAX ((gint64) (nice * power + 0.5), 1);
}

gint64
crm_chart_axis_top (gint64 top,
                    gint64 step)
{
  return MAX (step, (top + step - 1) / step * step);
}

void
crm_chart_set_color (cairo_t       *cr,
                     const GdkRGBA *color,
                     double         alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

void
crm_chart_rgb (GdkRGBA *color,
               guint32  rgb)
{
  color->red = ((rgb >> 16) & 0xff) / 255.0;
  color->green = ((rgb >> 8) & 0xff) / 255.0;
  color->blue = (rgb & 0xff) / 255.0;
  color->alpha = 1.0;
}

gboolean
crm_chart_is_dark (const GdkRGBA *foreground)
{
  return 0.2126 * foreground->red + 0.7152 * foreground->green + 0.0722 * foreground->blue > 0.5;
}

PangoLayout *
crm_chart_layout (PangoContext *context,
                  const char   *text,
                  double        scale,
                  gboolean      bold)
{
  PangoLayout *layout = pango_layout_new (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_copy (pango_context_get_font_description (context));

  if (pango_font_description_get_size (font) > 0)
    pango_font_description_set_size (font, (int) (pango_font_description_get_size (font) * scale));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

double
crm_chart_show_text (cairo_t      *cr,
                     PangoContext *context,
                     const char   *text,
                     double        x,
                     double        y,
                     double        xalign,
                     double        yalign)
{
  g_autoptr(PangoLayout) layout = crm_chart_layout (context, text, 0.85, FALSE);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - w * xalign, y - h * yalign);
  pango_cairo_show_layout (cr, layout);
  return w;
}

void
crm_chart_text_size (PangoContext *context,
                     const char   *text,
                     int          *width,
                     int          *height)
{
  g_autoptr(PangoLayout) layout = crm_chart_layout (context, text, 0.85, FALSE);

  pango_layout_get_pixel_size (layout, width, height);
}

double
crm_chart_axis_width (PangoContext   *context,
                      CrmChartFormat  format,
                      gint64          top)
{
  g_autofree char *text = format (top);
  int w, h;

  crm_chart_text_size (context, text, &w, &h);
  return w;
}

void
crm_chart_draw_value_axis (cairo_t        *cr,
                           PangoContext   *context,
                           const GdkRGBA  *foreground,
                           CrmChartFormat  format,
                           double          x,
                           double          y,
                           double          width,
                           double          height,
                           gint64          top,
                           gint64          step)
{
  cairo_set_line_width (cr, 1.0);
  for (gint64 value = 0; value <= top; value += step)
    {
      double ly = round (y + height - height * value / top) + 0.5;
      g_autofree char *text = format (value);

      crm_chart_set_color (cr, foreground, value == 0 ? 0.5 : 0.15);
      cairo_move_to (cr, x, ly);
      cairo_line_to (cr, x + width, ly);
      cairo_stroke (cr);
      crm_chart_set_color (cr, foreground, 0.75);
      crm_chart_show_text (cr, context, text, x - CRM_CHART_GAP, ly, 1.0, 0.5);
    }
}
