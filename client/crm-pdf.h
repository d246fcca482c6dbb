#pragma once

#include <gio/gio.h>
#include <pango/pangocairo.h>

G_BEGIN_DECLS

/*
 * What the PDF documents (the customer brief, the campaign report) share:
 * an A4 page in points, the text styles, a line of text, and writing a
 * drawing to a file through a cairo PDF surface.
 */

#define CRM_PDF_PAGE_WIDTH  595.276
#define CRM_PDF_PAGE_HEIGHT 841.890
#define CRM_PDF_FONT        "Sans"

typedef enum
{
  CRM_PDF_STYLE_BODY,
  CRM_PDF_STYLE_DIM,       /* labels and secondary lines */
  CRM_PDF_STYLE_STRONG,    /* table headers, names */
  CRM_PDF_STYLE_HEADING,   /* section titles */
  CRM_PDF_STYLE_TITLE,     /* the document's subject */
} CrmPdfStyle;

enum
{
  CRM_PDF_RIGHT = 1 << 0,   /* right-aligned (money, numbers) */
  CRM_PDF_WRAP  = 1 << 1,   /* on as many lines as it takes, not cut short */
};

/* @text at (@x, @y) in @width, on one line ellipsized unless
 * CRM_PDF_WRAP; returns its height. */
double   crm_pdf_put   (cairo_t       *cr,
                        PangoContext  *context,
                        CrmPdfStyle    style,
                        double         x,
                        double         y,
                        double         width,
                        guint          flags,
                        const char    *text);

/* Draws the pages, each ended with cairo_show_page ().  */
typedef void (*CrmPdfDrawFunc) (cairo_t *cr, gpointer data);

/* Writes @file (replaced) as an A4 PDF titled @title with what @draw
 * draws; FALSE with @error when the file cannot be written or drawn. */
gboolean crm_pdf_write (GFile          *file,
                        const char     *title,
                        CrmPdfDrawFunc  draw,
                        gpointer        data,
                        GCancellable   *cancellable,
                        GError        **error);

G_END_DECLS
