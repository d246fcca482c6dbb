#define G_LOG_DOMAIN "crm-customer-brief"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "crm-customer-brief.h"
#include "crm-error.h"
#include "crm-format.h"
#include "crm-opportunity-item.h"
#include "crm-pdf.h"
#include "crm-pipeline-stages.h"
#include "crm-revenue-chart.h"
#include "crm-vocabulary.h"

/* A4 in points, and what the brief leaves around it. */
#define PAGE_WIDTH   CRM_PDF_PAGE_WIDTH
#define PAGE_HEIGHT  CRM_PDF_PAGE_HEIGHT
#define MARGIN       36.0
#define FONT         CRM_PDF_FONT

/* How many rows of each list fit on the page. */
#define MAX_CONTACTS      4
#define MAX_SUBSCRIPTIONS 8
#define MAX_OPPORTUNITIES 4
#define MAX_INTERACTIONS  5

/* ------------------------------------------------------------------ */
/* What the brief shows, read from the store                           */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmStore    *store;
  char        *customer_id;
  GFile       *file;
  gboolean     chinese;        /* product names in Chinese (else English) */
  JsonArray   *remote;         /* a director's: open opportunities from the server, or NULL */
  char        *remote_note;    /* where and when they came from, or NULL */

  /* read in the worker */
  CrmCustomer *customer;
  GPtrArray   *subscriptions;  /* JsonObject, active and suspended, largest fee first */
  GHashTable  *products;       /* id -> JsonObject */
  GArray      *months;         /* CrmRevenueMonth */
  GPtrArray   *opportunities;  /* JsonObject, open ones, closing soonest first */
  int          stage_probability[CRM_N_STAGES];  /* for those without their own */
  GPtrArray   *interactions;   /* JsonObject, newest first */
} Brief;

static void
brief_free (Brief *brief)
{
  g_clear_object (&brief->store);
  g_free (brief->customer_id);
  g_clear_object (&brief->file);
  g_clear_pointer (&brief->remote, json_array_unref);
  g_free (brief->remote_note);
  g_clear_pointer (&brief->customer, crm_customer_unref);
  g_clear_pointer (&brief->subscriptions, g_ptr_array_unref);
  g_clear_pointer (&brief->products, g_hash_table_unref);
  g_clear_pointer (&brief->months, g_array_unref);
  g_clear_pointer (&brief->opportunities, g_ptr_array_unref);
  g_clear_pointer (&brief->interactions, g_ptr_array_unref);
  g_free (brief);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Brief, brief_free)

static const char *
text_member (JsonObject *record,
             const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static gint64
int_member (JsonObject *record,
            const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

static int
by_fee_desc (gconstpointer a,
             gconstpointer b)
{
  gint64 x = int_member (*(JsonObject **) a, "monthly_fee");
  gint64 y = int_member (*(JsonObject **) b, "monthly_fee");

  return x < y ? 1 : x > y ? -1 : 0;
}

static int
by_close_asc (gconstpointer a,
              gconstpointer b)
{
  /* no date last */
  const char *x = text_member (*(JsonObject **) a, "expected_close");
  const char *y = text_member (*(JsonObject **) b, "expected_close");

  return g_strcmp0 (x ? x : "~", y ? y : "~");
}

static int
by_occurred_desc (gconstpointer a,
                  gconstpointer b)
{
  return -g_strcmp0 (text_member (*(JsonObject **) a, "occurred_at"),
                     text_member (*(JsonObject **) b, "occurred_at"));
}

/* @records without those @keep refuses. */
static void
filter_records (GPtrArray *records,
                gboolean (*keep) (JsonObject *))
{
  for (guint i = records->len; i > 0; i--)
    if (!keep (records->pdata[i - 1]))
      g_ptr_array_remove_index (records, i - 1);
}

static gboolean
subscription_in_use (JsonObject *record)
{
  return g_strcmp0 (text_member (record, "status"), "cancelled") != 0;
}

static gboolean
opportunity_open (JsonObject *record)
{
  const char *stage = text_member (record, "stage");

  return g_strcmp0 (stage, "won") != 0 && g_strcmp0 (stage, "lost") != 0;
}

/* The server's opportunities the store does not have (by id, at any
 * stage), as the 360° page counts them (crm-customer-summary.h). */
static void
add_remote (Brief *brief)
{
  g_autoptr(GHashTable) here = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < brief->opportunities->len; i++)
    if (text_member (brief->opportunities->pdata[i], "id") != NULL)
      g_hash_table_add (here, (gpointer) text_member (brief->opportunities->pdata[i], "id"));
  for (guint i = 0; brief->remote != NULL && i < json_array_get_length (brief->remote); i++)
    {
      JsonObject *o = json_array_get_object_element (brief->remote, i);

      if (o == NULL || text_member (o, "id") == NULL || g_hash_table_contains (here, text_member (o, "id")) ||
          g_strcmp0 (text_member (o, "customer_id"), brief->customer_id) != 0)
        continue;
      g_hash_table_add (here, (gpointer) text_member (o, "id"));
      g_ptr_array_add (brief->opportunities, json_object_ref (o));
    }
}

static gboolean
read_brief (Brief   *brief,
            GError **error)
{
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GPtrArray) months = NULL;

  brief->customer = crm_store_get_customer (brief->store, brief->customer_id, error);
  if (brief->customer == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND, _("The customer is not in the local copy"));
      return FALSE;
    }
  if (!(brief->subscriptions = crm_store_get_records (brief->store, CRM_ENTITY_SUBSCRIPTION, brief->customer_id, error)) ||
      !(products = crm_store_get_records (brief->store, CRM_ENTITY_PRODUCT, NULL, error)) ||
      !(months = crm_store_get_records (brief->store, CRM_ENTITY_REVENUE_MONTH, brief->customer_id, error)) ||
      !(brief->opportunities = crm_store_get_records (brief->store, CRM_ENTITY_OPPORTUNITY, brief->customer_id, error)) ||
      !(brief->interactions = crm_store_get_records (brief->store, CRM_ENTITY_INTERACTION, brief->customer_id, error)) ||
      !crm_pipeline_stage_defaults (brief->store, brief->stage_probability, error))
    return FALSE;

  filter_records (brief->subscriptions, subscription_in_use);
  g_ptr_array_sort (brief->subscriptions, by_fee_desc);
  brief->products = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) json_object_unref);
  for (guint i = 0; i < products->len; i++)
    if (text_member (products->pdata[i], "id") != NULL)
      g_hash_table_insert (brief->products, (gpointer) text_member (products->pdata[i], "id"),
                           json_object_ref (products->pdata[i]));
  brief->months = crm_revenue_months_from_records (months, CRM_REVENUE_CHART_MONTHS);
  add_remote (brief);
  filter_records (brief->opportunities, opportunity_open);
  g_ptr_array_sort (brief->opportunities, by_close_asc);
  g_ptr_array_sort (brief->interactions, by_occurred_desc);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Laying it out                                                       */
/* ------------------------------------------------------------------ */

typedef struct
{
  cairo_t      *cr;
  PangoContext *context;
  double        y;          /* where the next line starts */
  double        bottom;     /* where the footer starts */
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

/* Whether a line of height @height still fits above the footer. */
static gboolean
room (Page   *page,
      double  height)
{
  return page->y + height <= page->bottom;
}

static void
heading (Page       *page,
         double      x,
         double      width,
         const char *title)
{
  page->y += 10;
  page->y += put (page, CRM_PDF_STYLE_HEADING, x, page->y, width, 0, title) + 2;
  cairo_set_source_rgb (page->cr, 0.75, 0.75, 0.75);
  cairo_set_line_width (page->cr, 0.6);
  cairo_move_to (page->cr, x, page->y);
  cairo_line_to (page->cr, x + width, page->y);
  cairo_stroke (page->cr);
  page->y += 4;
}

/* One row of a table: each cell at its column's start and width
 * (fractions of @width), money and numbers right-aligned. */
typedef struct
{
  double   start;
  double   share;
  gboolean right;
} Column;

static void
table_row (Page         *page,
           CrmPdfStyle         style,
           const Column *columns,
           guint         n_columns,
           const char  **cells)
{
  double x = MARGIN, width = PAGE_WIDTH - 2 * MARGIN, height = 0;

  for (guint i = 0; i < n_columns; i++)
    height = MAX (height, put (page, style, x + width * columns[i].start + (columns[i].right ? 0 : 2), page->y,
                               width * columns[i].share - 6, columns[i].right ? CRM_PDF_RIGHT : 0, cells[i]));
  page->y += height + 2;
}

/* "… and 3 more" under a list cut short. */
static void
more_line (Page  *page,
           guint  shown,
           guint  total)
{
  g_autofree char *text = NULL;

  if (shown >= total || !room (page, 12))
    return;
  /* TRANSLATORS: under a list of the PDF brief that was cut short */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "… and %u more", "… and %u more", total - shown),
                          total - shown);
  page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN + 2, page->y, PAGE_WIDTH - 2 * MARGIN, 0, text) + 2;
}

static const char *
or_dash (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : "—";
}

static void
draw_title (Page  *page,
            Brief *brief)
{
  CrmCustomer *c = brief->customer;
  double width = PAGE_WIDTH - 2 * MARGIN;
  g_autofree char *meta = NULL;
  g_autofree char *owner = NULL;

  page->y += put (page, CRM_PDF_STYLE_TITLE, MARGIN, page->y, width, CRM_PDF_WRAP, c->name);
  if (c->name_en != NULL && c->name_en[0] != '\0')
    page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN, page->y, width, 0, c->name_en);
  /* TRANSLATORS: the PDF brief's line under the name: kind, industry,
   * region, tier, status */
  meta = g_strdup_printf (_("%s · %s · %s · %s · %s"), crm_customer_kind_label_for (c->kind),
                          crm_industry_label_for (c->industry), or_dash (c->region_name),
                          crm_tier_label_for (c->tier), crm_customer_status_label_for (c->status));
  page->y += 2 + put (page, CRM_PDF_STYLE_BODY, MARGIN, page->y + 2, width, 0, meta);
  /* TRANSLATORS: %s is the account manager's name */
  owner = g_strdup_printf (_("Account manager: %s"), c->owner_name ? c->owner_name : _("Unassigned"));
  page->y += put (page, CRM_PDF_STYLE_BODY, MARGIN, page->y, width, 0, owner);
}

/* Label on the left, value beside it. */
static void
figure (Page       *page,
        double      x,
        double      width,
        const char *label,
        const char *value)
{
  double h = put (page, CRM_PDF_STYLE_DIM, x, page->y, width * 0.42, 0, label);

  h = MAX (h, put (page, CRM_PDF_STYLE_BODY, x + width * 0.42, page->y, width * 0.58, CRM_PDF_WRAP, or_dash (value)));
  page->y += h + 1.5;
}

static void
draw_figures (Page   *page,
              Brief  *brief,
              double  x,
              double  width)
{
  CrmCustomer *c = brief->customer;
  g_autofree char *revenue = crm_format_money (c->monthly_revenue);
  g_autofree char *arrears = crm_format_money (c->arrears);
  g_autofree char *since = crm_format_date (c->became_customer);
  g_autoptr(GString) risk = g_string_new (NULL);

  if (c->churn_risk >= 0)
    g_string_append_printf (risk, "%d%%", c->churn_risk);
  for (guint i = 0; c->churn_reasons[i] != NULL; i++)
    {
      /* TRANSLATORS: between a churn risk and its factors, and between factors */
      g_string_append (risk, i == 0 ? (risk->len > 0 ? _(": ") : "") : _(", "));
      g_string_append (risk, crm_churn_reason_label (c->churn_reasons[i]));
    }

  heading (page, x, width, _("Key Figures"));
  figure (page, x, width, _("Monthly Revenue"), revenue);
  figure (page, x, width, _("Arrears"), arrears);
  figure (page, x, width, _("Churn Risk"), risk->str);
  figure (page, x, width, _("Value Segment"), crm_value_segment_label_for (c->value_segment));
  figure (page, x, width, _("Credit Rating"), c->credit_rating);
  figure (page, x, width, _("Customer Since"), since);
}

static void
draw_contacts (Page   *page,
               Brief  *brief,
               double  x,
               double  width)
{
  GPtrArray *contacts = brief->customer->contacts;
  guint shown = MIN (contacts->len, MAX_CONTACTS);

  heading (page, x, width, _("Contacts"));
  if (contacts->len == 0)
    page->y += put (page, CRM_PDF_STYLE_DIM, x, page->y, width, 0, _("No contacts"));
  for (guint i = 0; i < shown; i++)
    {
      CrmContact *contact = contacts->pdata[i];
      g_autofree char *name = NULL;
      g_autofree char *reach = NULL;

      /* TRANSLATORS: a contact's name and job title in the PDF brief */
      name = contact->title && contact->title[0] ? g_strdup_printf (_("%s, %s"), contact->name, contact->title)
                                                 : g_strdup (contact->name);
      if (contact->is_primary)
        {
          g_autofree char *plain = g_steal_pointer (&name);

          /* TRANSLATORS: the primary contact in the PDF brief */
          name = g_strdup_printf (_("%s (primary)"), plain);
        }
      reach = g_strjoin ("  ", contact->mobile ? contact->mobile : "", contact->email ? contact->email : "", NULL);
      page->y += put (page, CRM_PDF_STYLE_STRONG, x, page->y, width, CRM_PDF_WRAP, name);
      page->y += put (page, CRM_PDF_STYLE_DIM, x, page->y, width, 0, g_strstrip (reach)) + 2;
    }
  if (contacts->len > shown)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "… and %u more", "… and %u more",
                                                            contacts->len - shown), contacts->len - shown);

      page->y += put (page, CRM_PDF_STYLE_DIM, x, page->y, width, 0, text);
    }
}

static const char *
product_name (Brief      *brief,
              JsonObject *subscription)
{
  const char *id = text_member (subscription, "product_id");
  JsonObject *product = id ? g_hash_table_lookup (brief->products, id) : NULL;
  const char *name, *name_en;

  if (product == NULL)
    return id;
  name = text_member (product, "name");
  name_en = text_member (product, "name_en");
  return brief->chinese || name_en == NULL || name_en[0] == '\0' ? name : name_en;
}

static void
draw_services (Page  *page,
               Brief *brief)
{
  static const Column columns[] = { { 0, 0.46, FALSE }, { 0.46, 0.12, TRUE }, { 0.58, 0.2, TRUE },
                                    { 0.78, 0.22, TRUE } };
  const char *titles[] = { _("Product"), _("Quantity"), _("Monthly Fee"), _("Contract End") };
  guint shown = 0;

  heading (page, MARGIN, PAGE_WIDTH - 2 * MARGIN, _("Services"));
  if (brief->subscriptions->len == 0)
    {
      page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN, page->y, PAGE_WIDTH - 2 * MARGIN, 0, _("No services in use"));
      return;
    }
  table_row (page, CRM_PDF_STYLE_DIM, columns, G_N_ELEMENTS (columns), titles);
  for (; shown < MIN (brief->subscriptions->len, MAX_SUBSCRIPTIONS) && room (page, 12); shown++)
    {
      JsonObject *s = brief->subscriptions->pdata[shown];
      g_autofree char *quantity = crm_format_number (int_member (s, "quantity"));
      g_autofree char *fee = crm_format_money (int_member (s, "monthly_fee"));
      g_autofree char *end = crm_format_date (text_member (s, "contract_end"));
      const char *cells[] = { product_name (brief, s), quantity, fee, or_dash (end) };

      table_row (page, CRM_PDF_STYLE_BODY, columns, G_N_ELEMENTS (columns), cells);
    }
  more_line (page, shown, brief->subscriptions->len);
}

static void
draw_chart (Page  *page,
            Brief *brief)
{
  static const GdkRGBA ink = { 0.15, 0.15, 0.15, 1.0 };
  CrmRevenueChart chart = { 0 };
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT " 8");
  double width = PAGE_WIDTH - 2 * MARGIN, height = 150;

  /* TRANSLATORS: the chart's heading in the PDF brief */
  heading (page, MARGIN, width, _("Revenue and Arrears, Last 24 Months"));
  if (brief->months->len == 0)
    {
      page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN, page->y, width, 0, _("No revenue recorded for this customer"));
      return;
    }
  crm_revenue_chart_set_colors (&chart, &ink, FALSE);
  chart.months = (const CrmRevenueMonth *) brief->months->data;
  chart.n_months = brief->months->len;
  chart.highlight = -1;

  pango_context_set_font_description (page->context, font);
  cairo_save (page->cr);
  cairo_translate (page->cr, MARGIN, page->y + 2);
  crm_revenue_chart_draw (&chart, page->cr, page->context, width, height, NULL);
  cairo_restore (page->cr);
  page->y += height + 4;
}

/* The open pipeline as the 360° page's header shows it, and for a
 * director where the other owners' opportunities came from. */
static void
draw_pipeline (Page  *page,
               Brief *brief)
{
  gint64 pipeline = 0, weighted = 0;
  g_autofree char *value = NULL;
  g_autofree char *weighted_value = NULL;
  g_autofree char *line = NULL;

  for (guint i = 0; i < brief->opportunities->len; i++)
    {
      JsonObject *o = brief->opportunities->pdata[i];
      gint64 months = int_member (o, "contract_months");
      gint64 amount = crm_opportunity_amount (int_member (o, "amount_once"), int_member (o, "amount_monthly"),
                                              months > 0 ? (int) months : CRM_OPPORTUNITY_DEFAULT_CONTRACT_MONTHS);

      pipeline += amount;
      weighted += crm_opportunity_weighted (amount, crm_opportunity_probability (o, brief->stage_probability));
    }
  if (brief->remote_note != NULL)
    page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN, page->y, PAGE_WIDTH - 2 * MARGIN, CRM_PDF_WRAP,
                    brief->remote_note) + 1.5;
  /* a director's, when the other owners' are known (an account manager's
   * brief is as it was) */
  if (brief->remote == NULL)
    return;
  value = crm_format_money (pipeline);
  weighted_value = crm_format_money (weighted);
  /* TRANSLATORS: the brief's line above the open opportunities: the open
   * pipeline, then its value weighted by probability */
  line = g_strdup_printf (_("Open pipeline %s, weighted %s"), value, weighted_value);
  page->y += put (page, CRM_PDF_STYLE_BODY, MARGIN, page->y, PAGE_WIDTH - 2 * MARGIN, 0, line) + 1.5;
}

static void
draw_opportunities (Page  *page,
                    Brief *brief)
{
  static const Column columns[] = { { 0, 0.31, FALSE }, { 0.31, 0.16, FALSE }, { 0.47, 0.18, TRUE },
                                    { 0.65, 0.14, TRUE }, { 0.79, 0.21, TRUE } };
  const char *titles[] = { _("Opportunity"), _("Stage"), _("Monthly Amount"), _("Probability"),
                           _("Expected Close") };
  guint shown = 0;

  heading (page, MARGIN, PAGE_WIDTH - 2 * MARGIN, _("Open Opportunities"));
  draw_pipeline (page, brief);
  if (brief->opportunities->len == 0)
    {
      page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN, page->y, PAGE_WIDTH - 2 * MARGIN, 0, _("No open opportunities"));
      return;
    }
  table_row (page, CRM_PDF_STYLE_DIM, columns, G_N_ELEMENTS (columns), titles);
  for (; shown < MIN (brief->opportunities->len, MAX_OPPORTUNITIES) && room (page, 12); shown++)
    {
      JsonObject *o = brief->opportunities->pdata[shown];
      g_autofree char *amount = crm_format_money (int_member (o, "amount_monthly"));
      g_autofree char *probability = g_strdup_printf ("%d%%", crm_opportunity_probability (o, brief->stage_probability));
      g_autofree char *close = crm_format_date (text_member (o, "expected_close"));
      const char *cells[] = { text_member (o, "name"),
                              crm_vocabulary_label (crm_stage_names, text_member (o, "stage")),
                              amount, probability, or_dash (close) };

      table_row (page, CRM_PDF_STYLE_BODY, columns, G_N_ELEMENTS (columns), cells);
    }
  more_line (page, shown, brief->opportunities->len);
}

static void
draw_interactions (Page  *page,
                   Brief *brief)
{
  static const Column columns[] = { { 0, 0.17, FALSE }, { 0.17, 0.11, FALSE }, { 0.28, 0.56, FALSE },
                                    { 0.84, 0.16, FALSE } };
  const char *titles[] = { _("Date"), _("Kind"), _("Subject"), _("Outcome") };
  guint shown = 0;

  heading (page, MARGIN, PAGE_WIDTH - 2 * MARGIN, _("Recent Interactions"));
  if (brief->interactions->len == 0)
    {
      page->y += put (page, CRM_PDF_STYLE_DIM, MARGIN, page->y, PAGE_WIDTH - 2 * MARGIN, 0, _("No interactions recorded"));
      return;
    }
  table_row (page, CRM_PDF_STYLE_DIM, columns, G_N_ELEMENTS (columns), titles);
  for (; shown < MIN (brief->interactions->len, MAX_INTERACTIONS) && room (page, 12); shown++)
    {
      JsonObject *r = brief->interactions->pdata[shown];
      g_autofree char *when = crm_format_date (text_member (r, "occurred_at"));
      const char *cells[] = { or_dash (when),
                              crm_vocabulary_label (crm_interaction_kind_names, text_member (r, "kind")),
                              text_member (r, "subject"),
                              crm_vocabulary_label (crm_interaction_outcome_names, text_member (r, "outcome")) };

      table_row (page, CRM_PDF_STYLE_BODY, columns, G_N_ELEMENTS (columns), cells);
    }
}

static void
draw_footer (Page *page)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%x %H:%M");
  g_autofree char *text = NULL;

  /* TRANSLATORS: the foot of the PDF brief; %s is the date and time */
  text = g_strdup_printf (_("Customer brief made by Keyline on %s"), date);
  put (page, CRM_PDF_STYLE_DIM, MARGIN, PAGE_HEIGHT - MARGIN + 8, PAGE_WIDTH - 2 * MARGIN, 0, text);
}

static void
draw_brief (cairo_t *cr,
            Brief   *brief)
{
  PangoContext *context = pango_cairo_create_context (cr);
  cairo_font_options_t *options = cairo_font_options_create ();
  double column = (PAGE_WIDTH - 2 * MARGIN - 24) / 2;
  double top;
  Page page = { cr, context, MARGIN, PAGE_HEIGHT - MARGIN };

  /* Outlines as the font draws them: hinting is for screens. */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);

  draw_title (&page, brief);
  top = page.y + 4;
  page.y = top;
  draw_figures (&page, brief, MARGIN, column);
  {
    double left_end = page.y;

    page.y = top;
    draw_contacts (&page, brief, MARGIN + column + 24, column);
    page.y = MAX (page.y, left_end);
  }
  draw_services (&page, brief);
  draw_chart (&page, brief);
  draw_opportunities (&page, brief);
  draw_interactions (&page, brief);
  draw_footer (&page);
  g_object_unref (context);
}

/* ------------------------------------------------------------------ */
/* Writing it                                                          */
/* ------------------------------------------------------------------ */

/* The one page of the brief. */
static void
draw_brief_page (cairo_t  *cr,
                 gpointer  data)
{
  draw_brief (cr, data);
  cairo_show_page (cr);
}

static gboolean
write_pdf (Brief         *brief,
           GCancellable  *cancellable,
           GError       **error)
{
  return crm_pdf_write (brief->file, brief->customer->name, draw_brief_page, brief, cancellable, error);
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Brief *brief = task_data;
  GError *error = NULL;

  if (read_brief (brief, &error) && write_pdf (brief, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
crm_customer_brief_write_async (CrmStore            *store,
                                const char          *customer_id,
                                GFile               *file,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  crm_customer_brief_write_with_remote_async (store, customer_id, NULL, NULL, file, cancellable, callback,
                                              user_data);
}

/**
 * crm_customer_brief_write_with_remote_async:
 * @remote: (nullable): open opportunities from the server
 * @remote_note: (nullable): said above them (crm_customer_brief_remote_note ())
 */
void
crm_customer_brief_write_with_remote_async (CrmStore            *store,
                                            const char          *customer_id,
                                            JsonArray           *remote,
                                            const char          *remote_note,
                                            GFile               *file,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(Brief) brief = g_new0 (Brief, 1);
  const char * const *languages = g_get_language_names ();

  g_return_if_fail (CRM_IS_STORE (store));
  g_return_if_fail (customer_id != NULL);
  g_return_if_fail (G_IS_FILE (file));

  brief->store = g_object_ref (store);
  brief->customer_id = g_strdup (customer_id);
  brief->file = g_object_ref (file);
  brief->chinese = g_str_has_prefix (languages[0], "zh");
  /* never changed once read (a new answer is a new array): the worker
   * reads it while the page may take a new one */
  brief->remote = remote ? json_array_ref (remote) : NULL;
  brief->remote_note = g_strdup (remote_note);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_customer_brief_write_async);   /* one finish for both */
  g_task_set_task_data (task, g_steal_pointer (&brief), (GDestroyNotify) brief_free);
  g_task_run_in_thread (task, write_thread);
}

gboolean
crm_customer_brief_write_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_customer_brief_write_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* customer.export-pdf                                                 */
/* ------------------------------------------------------------------ */

typedef struct
{
  GtkWidget *widget;   /* where the toast goes */
  CrmStore  *store;
  char      *customer_id;
  JsonArray *remote;
  char      *remote_note;
  GFile     *file;
} Export;

static void
export_free (Export *export)
{
  g_clear_object (&export->widget);
  g_clear_object (&export->store);
  g_free (export->customer_id);
  g_clear_pointer (&export->remote, json_array_unref);
  g_free (export->remote_note);
  g_clear_object (&export->file);
  g_free (export);
}

static void
toast (GtkWidget *widget,
       AdwToast  *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
open_clicked_cb (AdwToast  *toast,
                 GtkWidget *widget)
{
  GFile *file = g_object_get_data (G_OBJECT (toast), "file");
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GdkAppLaunchContext) context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));

  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL, NULL, NULL);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Export *export = user_data;
  g_autoptr(GError) error = NULL;
  AdwToast *done;

  /* A toast's title is markup (libadwaita 1.2): the words are escaped. */
  if (crm_customer_brief_write_finish (result, &error))
    {
      g_autofree char *name = g_file_get_basename (export->file);
      /* TRANSLATORS: a toast; %s is the PDF file's name */
      g_autofree char *title = g_markup_printf_escaped (_("Saved “%s”"), name);

      done = adw_toast_new (title);
      adw_toast_set_button_label (done, _("_Open"));
      g_object_set_data_full (G_OBJECT (done), "file", g_object_ref (export->file), g_object_unref);
      g_signal_connect_object (done, "button-clicked", G_CALLBACK (open_clicked_cb), export->widget, 0);
    }
  else
    {
      /* TRANSLATORS: a toast; %s says why */
      g_autofree char *title = g_markup_printf_escaped (_("Could not export the brief: %s"), error->message);

      done = adw_toast_new (title);
      adw_toast_set_timeout (done, 0);
    }
  toast (export->widget, done);
  export_free (export);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  Export *export = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    export->file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  if (export->file == NULL)
    {
      export_free (export);
      return;
    }
  crm_customer_brief_write_with_remote_async (export->store, export->customer_id, export->remote,
                                              export->remote_note, export->file, NULL, written_cb, export);
}

void
crm_customer_brief_export (GtkWidget  *widget,
                           CrmStore   *store,
                           const char *customer_id,
                           JsonArray  *remote,
                           const char *remote_note)
{
  g_autoptr(CrmCustomer) customer = NULL;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;
  Export *export;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (CRM_IS_STORE (store));
  g_return_if_fail (customer_id != NULL);

  customer = crm_store_get_customer (store, customer_id, NULL);
  /* TRANSLATORS: the PDF brief's file name; %s is the customer's name */
  name = g_strdup_printf (_("%s brief.pdf"), customer ? customer->name : customer_id);
  g_strdelimit (name, "/\\", '-');

  chooser = gtk_file_chooser_native_new (_("Export Customer Brief"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  gtk_file_filter_add_suffix (filter, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  export = g_new0 (Export, 1);
  export->widget = g_object_ref (widget);
  export->store = g_object_ref (store);
  export->customer_id = g_strdup (customer_id);
  export->remote = remote ? json_array_ref (remote) : NULL;
  export->remote_note = g_strdup (remote_note);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), export);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

char *
crm_customer_brief_remote_note (CrmReportState  state,
                                GDateTime      *fetched_at)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *age = fetched_at ? crm_report_format_age (fetched_at, now) : NULL;

  if (age == NULL)
    /* TRANSLATORS: in a director's customer brief, offline */
    return g_strdup (_("Only your own opportunities: the other owners’ are not on this computer."));
  /* TRANSLATORS: in a director's customer brief; %s is "As of 10:42, 3 hours ago" */
  return g_strdup_printf (_("Other owners’ opportunities from the server. %s"), age);
}
