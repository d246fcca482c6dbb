#define G_LOG_DOMAIN "crm-pdf"

#include "config.h"

#include <cairo-pdf.h>

#include "crm-error.h"
#include "crm-pdf.h"

double
crm_pdf_put (cairo_t      *cr,
             PangoContext *context,
             CrmPdfStyle   style,
             double        x,
             double        y,
             double        width,
             guint         flags,
             const char   *text)
{
  static const struct { double size; PangoWeight weight; double gray; } styles[] = {
    [CRM_PDF_STYLE_BODY] = { 8.5, PANGO_WEIGHT_NORMAL, 0.10 },
    [CRM_PDF_STYLE_DIM] = { 8.0, PANGO_WEIGHT_NORMAL, 0.40 },
    [CRM_PDF_STYLE_STRONG] = { 8.5, PANGO_WEIGHT_BOLD, 0.10 },
    [CRM_PDF_STYLE_HEADING] = { 11.0, PANGO_WEIGHT_BOLD, 0.10 },
    [CRM_PDF_STYLE_TITLE] = { 20.0, PANGO_WEIGHT_BOLD, 0.05 },
  };
  g_autoptr(PangoLayout) layout = pango_layout_new (context);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (CRM_PDF_FONT);
  int w, h;

  pango_font_description_set_size (font, (int) (styles[style].size * PANGO_SCALE));
  pango_font_description_set_weight (font, styles[style].weight);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text ? text : "", -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  if (flags & CRM_PDF_WRAP)
    pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  else
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, flags & CRM_PDF_RIGHT ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_get_size (layout, &w, &h);

  cairo_set_source_rgb (cr, styles[style].gray, styles[style].gray, styles[style].gray);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  return (double) h / PANGO_SCALE;
}

typedef struct
{
  GOutputStream *stream;
  GCancellable  *cancellable;
  GError        *error;
} Sink;

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  Sink *sink = closure;

  if (sink->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (sink->stream, data, length, NULL, sink->cancellable, &sink->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

gboolean
crm_pdf_write (GFile           *file,
               const char      *title,
               CrmPdfDrawFunc   draw,
               gpointer         data,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *iso = g_date_time_format_iso8601 (now);
  Sink sink = { NULL, cancellable, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (draw != NULL, FALSE);

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable, error);
  if (out == NULL)
    return FALSE;
  sink.stream = G_OUTPUT_STREAM (out);

  surface = cairo_pdf_surface_create_for_stream (write_cb, &sink, CRM_PDF_PAGE_WIDTH, CRM_PDF_PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title ? title : "");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Keyline");
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, iso);
  cr = cairo_create (surface);
  draw (cr, data);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (sink.error != NULL)
    {
      g_propagate_error (error, sink.error);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Cannot draw the document: %s",
                   cairo_status_to_string (status));
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error);
}
