#define G_LOG_DOMAIN "crm-customer-header"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-customer-header.h"
#include "crm-format.h"
#include "crm-vocabulary.h"

/* One key figure: a caption, a large number and a line under it. */
typedef struct
{
  const char *name;
  const char *caption;   /* N_() */
  const char *detail;    /* the name of the line under it, or NULL */
} FigureInfo;

static const FigureInfo figure_infos[] = {
  { "monthly_revenue", N_("Monthly Revenue"), NULL },
  { "arpu", N_("ARPU"), "arpu_lines" },
  { "arrears", N_("Arrears"), "arrears_age" },
  { "open_complaints", N_("Open Complaints"), NULL },
  { "pipeline", N_("Open Pipeline"), "pipeline_weighted" },
  { "value_segment", N_("Value Segment"), NULL },
  { "churn_risk", N_("Churn Risk"), "churn_reasons" },
};

struct _CrmCustomerHeader
{
  GtkBox       parent_instance;

  GHashTable  *labels;        /* figure or line name -> GtkLabel */
  GHashTable  *tiles;         /* figure name -> its box */
  GtkWidget   *sparkline;
  gint64       trend[CRM_SUMMARY_ARPU_MONTHS];
  guint        n_trend;
  guint        warnings;

  /* Template widgets */
  GtkLabel    *facts_label;
  GtkFlowBox  *warnings_box;
  GtkFlowBox  *figures_box;
};

G_DEFINE_FINAL_TYPE (CrmCustomerHeader, crm_customer_header, GTK_TYPE_BOX)

/* ------------------------------------------------------------------ */
/* The sparkline                                                       */
/* ------------------------------------------------------------------ */

static void
draw_sparkline (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  CrmCustomerHeader *self = user_data;
  GdkRGBA color;
  gint64 low = G_MAXINT64, high = G_MININT64;
  double pad = 3, step;

  if (self->n_trend < 2)
    return;
  for (guint i = 0; i < self->n_trend; i++)
    {
      low = MIN (low, self->trend[i]);
      high = MAX (high, self->trend[i]);
    }
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS

  step = (width - 2 * pad) / (self->n_trend - 1);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  gdk_cairo_set_source_rgba (cr, &color);
  for (guint i = 0; i < self->n_trend; i++)
    {
      double f = high > low ? (double) (self->trend[i] - low) / (double) (high - low) : 0.5;
      double x = pad + i * step;
      double y = height - pad - f * (height - 2 * pad);

      if (i == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);

  /* the latest month, as a dot */
  {
    double f = high > low ? (double) (self->trend[self->n_trend - 1] - low) / (double) (high - low) : 0.5;

    cairo_arc (cr, width - pad, height - pad - f * (height - 2 * pad), 2.5, 0, 2 * G_PI);
    cairo_fill (cr);
  }
}

/* "2025-12: ¥620.00, 2026-01: ¥640.00, …": what the line shows, for a
 * screen reader. */
static char *
sparkline_description (CrmCustomerSummary *summary)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < summary->n_arpu_months; i++)
    {
      g_autofree char *money = crm_format_money (summary->arpu_trend[i]);
      g_autofree char *month = g_strndup (summary->arpu_months[i], 7);

      if (i > 0)
        /* TRANSLATORS: between the months of the ARPU trend */
        g_string_append (text, _(", "));
      /* TRANSLATORS: one month of the ARPU trend: "2026-11: ¥620.00" */
      g_string_append_printf (text, _("%s: %s"), month, money);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
show_sparkline (CrmCustomerHeader  *self,
                CrmCustomerSummary *summary)
{
  g_autofree char *description = NULL;

  self->n_trend = summary ? summary->n_arpu_months : 0;
  for (guint i = 0; i < self->n_trend; i++)
    self->trend[i] = summary->arpu_trend[i];
  gtk_widget_set_visible (self->sparkline, self->n_trend >= 2);
  description = self->n_trend > 0 ? sparkline_description (summary) : g_strdup ("");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sparkline),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
  gtk_widget_set_tooltip_text (self->sparkline, description);
  gtk_widget_queue_draw (self->sparkline);
}

/* ------------------------------------------------------------------ */
/* Figures                                                             */
/* ------------------------------------------------------------------ */

static GtkWidget *
figure_label (CrmCustomerHeader *self,
              const char        *name,
              const char        *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  /* one line, cut short when narrow: a wrapping label in a flow box is
   * measured at every width tried */
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_focusable (label, FALSE);
  gtk_widget_add_css_class (label, css_class);
  gtk_widget_set_name (label, name);
  g_hash_table_insert (self->labels, (gpointer) name, label);
  return label;
}

static void
add_figure (CrmCustomerHeader *self,
            const FigureInfo  *info)
{
  GtkWidget *tile = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *caption = gtk_label_new (_(info->caption));
  GtkWidget *value = figure_label (self, info->name, "title-2");

  gtk_widget_add_css_class (tile, "card");
  gtk_widget_add_css_class (tile, "key-figure");
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "caption-heading");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_add_css_class (value, "numeric");
  gtk_box_append (GTK_BOX (tile), caption);
  if (g_str_equal (info->name, "arpu"))
    {
      /* the trend beside the number, so that its card is no taller than
       * the others (the flow box makes every card as tall as the tallest) */
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

      gtk_box_append (GTK_BOX (row), value);
      gtk_box_append (GTK_BOX (row), self->sparkline);
      gtk_box_append (GTK_BOX (tile), row);
    }
  else
    gtk_box_append (GTK_BOX (tile), value);
  /* A screen reader reads the caption, then the number: no relation
   * (GTK 4.8's LABELLED_BY takes a GList it keeps, unlike later GTK). */
  if (info->detail != NULL)
    {
      GtkWidget *detail = figure_label (self, info->detail, "caption");

      gtk_widget_add_css_class (detail, "dim-label");
      gtk_box_append (GTK_BOX (tile), detail);
    }
  g_hash_table_insert (self->tiles, (gpointer) info->name, tile);
  gtk_flow_box_append (self->figures_box, tile);
}

static void
set_text (CrmCustomerHeader *self,
          const char        *name,
          const char        *text)
{
  GtkLabel *label = g_hash_table_lookup (self->labels, name);

  g_return_if_fail (label != NULL);
  gtk_label_set_label (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

static void
set_money (CrmCustomerHeader *self,
           const char        *name,
           gint64             fen)
{
  g_autofree char *text = crm_format_money (fen);

  set_text (self, name, text);
}

static void
mark_tile (CrmCustomerHeader *self,
           const char        *name,
           gboolean           warning)
{
  GtkWidget *tile = g_hash_table_lookup (self->tiles, name);

  if (warning)
    gtk_widget_add_css_class (tile, "warning-figure");
  else
    gtk_widget_remove_css_class (tile, "warning-figure");
}

static char *
churn_reasons_text (const char * const *reasons)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; reasons != NULL && reasons[i] != NULL; i++)
    {
      const char *label = crm_churn_reason_label (reasons[i]);

      if (i > 0)
        /* TRANSLATORS: between churn risk factors */
        g_string_append (text, _(", "));
      g_string_append (text, label);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
show_figures (CrmCustomerHeader  *self,
              CrmCustomerSummary *s)
{
  CrmCustomer *c = s->customer;
  g_autofree char *lines = NULL;
  g_autofree char *age = NULL;
  g_autofree char *weighted = NULL;
  g_autofree char *weighted_money = NULL;
  g_autofree char *complaints = crm_format_number (s->open_complaints);
  g_autofree char *risk = c->churn_risk >= 0 ? g_strdup_printf ("%d%%", c->churn_risk) : g_strdup ("—");
  g_autofree char *reasons = churn_reasons_text ((const char * const *) c->churn_reasons);

  set_money (self, "monthly_revenue", s->monthly_revenue);

  if (s->has_arpu)
    {
      g_autofree char *n = crm_format_number (s->active_lines);

      set_money (self, "arpu", s->arpu);
      /* TRANSLATORS: under the ARPU: how many active lines it is shared by */
      lines = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s active line", "%s active lines",
                                            (gulong) s->active_lines), n);
    }
  else
    {
      set_text (self, "arpu", "—");
      lines = g_strdup (_("No active lines"));
    }
  set_text (self, "arpu_lines", lines);

  set_money (self, "arrears", s->arrears);
  if (s->arrears > 0 && s->arrears_months > 0)
    /* TRANSLATORS: under the arrears: for how many months there have been some */
    age = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u month in a row", "%u months in a row",
                                        s->arrears_months), s->arrears_months);
  set_text (self, "arrears_age", age);
  mark_tile (self, "arrears", (s->warnings & CRM_CUSTOMER_WARNING_ARREARS) != 0);

  set_text (self, "open_complaints", complaints);
  mark_tile (self, "open_complaints", s->open_complaints > 0);

  if (s->pipeline_partial)
    {
      /* a director's, without the other owners' opportunities (not yet
       * from the server, or offline with none kept): no figure rather
       * than a wrong one */
      set_text (self, "pipeline", "—");
      /* TRANSLATORS: under the open pipeline when it cannot be worked out
       * without the server */
      set_text (self, "pipeline_weighted", _("Needs the server"));
    }
  else
    {
      set_money (self, "pipeline", s->pipeline);
      weighted_money = crm_format_money (s->pipeline_weighted);
      /* TRANSLATORS: under the open pipeline: its value weighted by probability */
      weighted = g_strdup_printf (_("Weighted %s"), weighted_money);
      set_text (self, "pipeline_weighted", weighted);
    }

  set_text (self, "value_segment", c->value_segment ? crm_value_segment_label_for (c->value_segment) : "—");
  set_text (self, "churn_risk", risk);
  set_text (self, "churn_reasons", reasons);
  mark_tile (self, "churn_risk", (s->warnings & CRM_CUSTOMER_WARNING_CHURN_RISK) != 0);
}

/* ------------------------------------------------------------------ */
/* Who, and the warnings                                               */
/* ------------------------------------------------------------------ */

static void
show_facts (CrmCustomerHeader *self,
            CrmCustomer       *c)
{
  g_autofree char *owner = NULL;
  g_autofree char *credit = NULL;
  g_autofree char *text = NULL;

  /* TRANSLATORS: in the 360° header: the customer's account manager */
  owner = g_strdup_printf (_("Account manager %s"), c->owner_name ? c->owner_name : _("Unassigned"));
  /* TRANSLATORS: in the 360° header: "Credit rating AA" */
  credit = g_strdup_printf (_("Credit rating %s"), c->credit_rating ? c->credit_rating : "—");
  text = g_strjoin (" · ",
                    crm_customer_kind_label_for (c->kind),
                    crm_industry_label_for (c->industry),
                    c->region_name ? c->region_name : "—",
                    crm_tier_label_for (c->tier),
                    owner,
                    crm_customer_status_label_for (c->status),
                    credit,
                    NULL);
  gtk_label_set_label (self->facts_label, text);
}

static GtkWidget *
warning_chip (CrmCustomerWarnings warning)
{
  GtkWidget *chip = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name (crm_customer_warning_icon_name (warning));
  GtkWidget *label = gtk_label_new (crm_customer_warning_label (warning));

  gtk_widget_add_css_class (chip, "customer-warning");
  if (warning == CRM_CUSTOMER_WARNING_ARREARS || warning == CRM_CUSTOMER_WARNING_CHURN_RISK)
    gtk_widget_add_css_class (chip, "serious");
  /* the words say it; the icon is decoration for a screen reader */
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (chip), icon);
  gtk_box_append (GTK_BOX (chip), label);
  gtk_widget_set_halign (chip, GTK_ALIGN_START);
  return chip;
}

static void
show_warnings (CrmCustomerHeader   *self,
               CrmCustomerWarnings  warnings)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->warnings_box))) != NULL)
    gtk_flow_box_remove (self->warnings_box, child);
  self->warnings = warnings;
  for (guint i = 0; i < CRM_CUSTOMER_N_WARNINGS; i++)
    if (warnings & (1u << i))
      gtk_flow_box_append (self->warnings_box, warning_chip (1u << i));
  gtk_widget_set_visible (GTK_WIDGET (self->warnings_box), warnings != CRM_CUSTOMER_WARNING_NONE);
}

/* ------------------------------------------------------------------ */
/* The object                                                          */
/* ------------------------------------------------------------------ */

static void
crm_customer_header_dispose (GObject *object)
{
  CrmCustomerHeader *self = CRM_CUSTOMER_HEADER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CUSTOMER_HEADER);
  G_OBJECT_CLASS (crm_customer_header_parent_class)->dispose (object);
}

static void
crm_customer_header_finalize (GObject *object)
{
  CrmCustomerHeader *self = CRM_CUSTOMER_HEADER (object);

  g_hash_table_unref (self->labels);
  g_hash_table_unref (self->tiles);
  G_OBJECT_CLASS (crm_customer_header_parent_class)->finalize (object);
}

static void
crm_customer_header_class_init (CrmCustomerHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customer_header_dispose;
  object_class->finalize = crm_customer_header_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customer-header.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerHeader, facts_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerHeader, warnings_box);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerHeader, figures_box);
}

static void
crm_customer_header_init (CrmCustomerHeader *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->labels = g_hash_table_new (g_str_hash, g_str_equal);
  self->tiles = g_hash_table_new (g_str_hash, g_str_equal);

  self->sparkline = g_object_new (GTK_TYPE_DRAWING_AREA,
                                  "accessible-role", GTK_ACCESSIBLE_ROLE_IMG,
                                  "content-width", 72,
                                  "content-height", 24,
                                  "hexpand", TRUE,
                                  "valign", GTK_ALIGN_CENTER,
                                  NULL);
  gtk_widget_set_name (self->sparkline, "arpu-sparkline");
  gtk_widget_add_css_class (self->sparkline, "sparkline");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sparkline),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("ARPU, the last 12 months"),
                                  -1);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->sparkline), draw_sparkline, self, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (figure_infos); i++)
    add_figure (self, &figure_infos[i]);
}

GtkWidget *
crm_customer_header_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_HEADER, NULL);
}

void
crm_customer_header_show (CrmCustomerHeader  *self,
                          CrmCustomerSummary *summary)
{
  g_return_if_fail (CRM_IS_CUSTOMER_HEADER (self));

  gtk_widget_set_visible (GTK_WIDGET (self), summary != NULL);
  show_sparkline (self, summary);
  if (summary == NULL)
    {
      show_warnings (self, CRM_CUSTOMER_WARNING_NONE);
      return;
    }
  show_facts (self, summary->customer);
  show_warnings (self, summary->warnings);
  show_figures (self, summary);
}

const char *
crm_customer_header_get_value (CrmCustomerHeader *self,
                               const char        *name)
{
  GtkLabel *label;

  g_return_val_if_fail (CRM_IS_CUSTOMER_HEADER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "facts"))
    return gtk_label_get_label (self->facts_label);
  label = g_hash_table_lookup (self->labels, name);
  return label && gtk_widget_get_visible (GTK_WIDGET (label)) ? gtk_label_get_label (label) : NULL;
}

guint
crm_customer_header_get_warnings (CrmCustomerHeader *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_HEADER (self), 0);

  return self->warnings;
}

GtkWidget *
crm_customer_header_get_sparkline (CrmCustomerHeader *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_HEADER (self), NULL);

  return self->sparkline;
}
