#define G_LOG_DOMAIN "crm-forecast-chart"

#include "config.h"

#include <math.h>

#include "crm-forecast-chart.h"

#define BAR_SHARE  0.56   /* of a bar's slot */
#define N_TICKS    4
#define N_TONES    4

typedef struct
{
  char   *label;
  gint64  value;
  char   *description;
  guint   tone;
} Bar;

struct _CrmForecastChart
{
  GtkDrawingArea  parent_instance;

  GArray         *bars;          /* of Bar */
  CrmChartFormat  format;
  gint64          line;          /* < 0: none */
  char           *line_label;
  int             selected;      /* the keyboard's bar, or -1 */
  int             hover;         /* the pointer's bar, or -1 */
  /* where the last drawing put the plot */
  double          plot_x, plot_y, plot_width, plot_height;
};

G_DEFINE_FINAL_TYPE (CrmForecastChart, crm_forecast_chart, GTK_TYPE_DRAWING_AREA)

enum {
  PROP_0,
  PROP_SUMMARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
bar_clear (gpointer data)
{
  Bar *bar = data;

  g_clear_pointer (&bar->label, g_free);
  g_clear_pointer (&bar->description, g_free);
}

static const Bar *
bar_at (CrmForecastChart *self,
        int               index)
{
  if (index < 0 || (guint) index >= self->bars->len)
    return NULL;
  return &g_array_index (self->bars, Bar, index);
}

/* GNOME palette, light and dark: Green, Blue, Purple and Orange, each
 * over 4.5:1 against the background. */
static void
tone_color (guint     tone,
            gboolean  dark,
            GdkRGBA  *color)
{
  static const guint32 light[N_TONES] = { 0x26a269, 0x1c71d8, 0x813d9c, 0xc64600 };
  static const guint32 on_dark[N_TONES] = { 0x57e389, 0x62a0ea, 0xc061cb, 0xffa348 };

  crm_chart_rgb (color, dark ? on_dark[tone % N_TONES] : light[tone % N_TONES]);
}

static char *
format_count (gint64 value)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

/* The bars' names under the plot, each centred on its slot (shortened
 * with an ellipsis when longer than the slot). */
static void
draw_labels (CrmForecastChart *self,
             cairo_t          *cr,
             PangoContext     *context,
             const GdkRGBA    *foreground)
{
  double slot = self->plot_width / self->bars->len;

  crm_chart_set_color (cr, foreground, 0.8);
  for (guint i = 0; i < self->bars->len; i++)
    {
      g_autoptr(PangoLayout) layout = crm_chart_layout (context, g_array_index (self->bars, Bar, i).label, 0.85,
                                                        (int) i == self->selected);
      int w, h;

      pango_layout_set_width (layout, (int) (slot - 4) * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (layout, &w, &h);
      cairo_move_to (cr, self->plot_x + slot * (i + 0.5) - w / 2.0, self->plot_y + self->plot_height + CRM_CHART_GAP / 2);
      pango_cairo_show_layout (cr, layout);
    }
}

static void
draw_bars (CrmForecastChart *self,
           cairo_t          *cr,
           const GdkRGBA    *foreground,
           gboolean          dark,
           gint64            top)
{
  double slot = self->plot_width / self->bars->len;
  double bottom = self->plot_y + self->plot_height;
  int shown = self->hover >= 0 ? self->hover : self->selected;

  if (shown >= 0 && (guint) shown < self->bars->len)
    {
      cairo_rectangle (cr, self->plot_x + slot * shown, self->plot_y, slot, self->plot_height);
      crm_chart_set_color (cr, foreground, 0.08);
      cairo_fill_preserve (cr);
      if (self->hover < 0 && gtk_widget_has_focus (GTK_WIDGET (self)))
        {
          crm_chart_set_color (cr, foreground, 0.7);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke (cr);
        }
      cairo_new_path (cr);
    }

  for (guint i = 0; i < self->bars->len; i++)
    {
      const Bar *bar = &g_array_index (self->bars, Bar, i);
      double h = self->plot_height * MIN (bar->value, top) / top;
      GdkRGBA color;

      tone_color (bar->tone, dark, &color);
      crm_chart_set_color (cr, &color, 1.0);
      cairo_rectangle (cr, self->plot_x + slot * i + slot * (1 - BAR_SHARE) / 2, bottom - h, slot * BAR_SHARE, h);
      cairo_fill (cr);
    }
}

/* The reference line, dashed, with its label above its right end. */
static void
draw_line (CrmForecastChart *self,
           cairo_t          *cr,
           PangoContext     *context,
           const GdkRGBA    *foreground,
           gint64            top)
{
  const double dash[] = { 6.0, 4.0 };
  double y;

  if (self->line < 0)
    return;
  y = round (self->plot_y + self->plot_height - self->plot_height * self->line / top) + 0.5;
  crm_chart_set_color (cr, foreground, 0.9);
  cairo_set_line_width (cr, 2.0);
  cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
  cairo_move_to (cr, self->plot_x, y);
  cairo_line_to (cr, self->plot_x + self->plot_width, y);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  if (self->line_label != NULL)
    crm_chart_show_text (cr, context, self->line_label, self->plot_x + self->plot_width, y - 2, 1.0, 1.0);
}

static void
draw_cb (GtkDrawingArea *area,
         cairo_t        *cr,
         int             width,
         int             height,
         gpointer        user_data)
{
  CrmForecastChart *self = CRM_FORECAST_CHART (area);
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (area));
  CrmChartFormat format = self->format ? self->format : format_count;
  GdkRGBA foreground;
  gint64 top = MAX (self->line, 0), step;
  int lw, lh;

  /* gtk_widget_get_color () is GTK 4.10 */
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &foreground);
  for (guint i = 0; i < self->bars->len; i++)
    top = MAX (top, g_array_index (self->bars, Bar, i).value);
  step = crm_chart_tick_step (top, N_TICKS, format == format_count ? 1 : 100);
  top = crm_chart_axis_top (top, step);

  crm_chart_text_size (context, "0", &lw, &lh);
  self->plot_x = ceil (crm_chart_axis_width (context, format, top) + CRM_CHART_GAP);
  self->plot_y = lh * 1.5;
  self->plot_width = MAX (1.0, width - self->plot_x - 1);
  self->plot_height = MAX (1.0, height - self->plot_y - lh - CRM_CHART_GAP);
  if (self->bars->len == 0)
    return;

  cairo_save (cr);
  crm_chart_draw_value_axis (cr, context, &foreground, format, self->plot_x, self->plot_y, self->plot_width,
                             self->plot_height, top, step);
  draw_bars (self, cr, &foreground, crm_chart_is_dark (&foreground), top);
  draw_line (self, cr, context, &foreground, top);
  draw_labels (self, cr, context, &foreground);
  cairo_restore (cr);
}

static int
bar_under (CrmForecastChart *self,
           double            x,
           double            y)
{
  int i;

  if (self->bars->len == 0 || x < self->plot_x || x >= self->plot_x + self->plot_width || y < 0 ||
      y > self->plot_y + self->plot_height)
    return -1;
  i = (int) ((x - self->plot_x) / (self->plot_width / self->bars->len));
  return CLAMP (i, 0, (int) self->bars->len - 1);
}

/* The accessible description follows the keyboard's bar (GTK 4.8:
 * -1-terminated). */
static void
changed (CrmForecastChart *self)
{
  const Bar *selected = bar_at (self, self->selected);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  selected ? selected->description : "", -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUMMARY]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_hover (CrmForecastChart *self,
           int               hover)
{
  if (self->hover == hover)
    return;
  self->hover = hover;
  changed (self);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CrmForecastChart      *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      crm_forecast_chart_select (self, MAX (self->selected, 1) - 1);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      crm_forecast_chart_select (self, self->selected + 1);
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      crm_forecast_chart_select (self, 0);
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      crm_forecast_chart_select (self, (int) self->bars->len - 1);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           CrmForecastChart         *self)
{
  set_hover (self, bar_under (self, x, y));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          CrmForecastChart         *self)
{
  set_hover (self, -1);
}

static void
pressed_cb (GtkGestureClick  *gesture,
            int               n_press,
            double            x,
            double            y,
            CrmForecastChart *self)
{
  int index = bar_under (self, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (index >= 0)
    crm_forecast_chart_select (self, index);
}

static gboolean
query_tooltip_cb (GtkWidget        *widget,
                  int               x,
                  int               y,
                  gboolean          keyboard_mode,
                  GtkTooltip       *tooltip,
                  CrmForecastChart *self)
{
  const Bar *bar = bar_at (self, keyboard_mode ? self->selected : bar_under (self, x, y));

  if (bar == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, bar->description);
  return TRUE;
}

static void
focus_changed_cb (CrmForecastChart *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
crm_forecast_chart_finalize (GObject *object)
{
  CrmForecastChart *self = CRM_FORECAST_CHART (object);

  g_clear_pointer (&self->bars, g_array_unref);
  g_free (self->line_label);

  G_OBJECT_CLASS (crm_forecast_chart_parent_class)->finalize (object);
}

static void
crm_forecast_chart_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrmForecastChart *self = CRM_FORECAST_CHART (object);

  switch (prop_id)
    {
    case PROP_SUMMARY:
      g_value_set_string (value, crm_forecast_chart_get_summary (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_forecast_chart_class_init (CrmForecastChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = crm_forecast_chart_finalize;
  object_class->get_property = crm_forecast_chart_get_property;

  properties[PROP_SUMMARY] =
    g_param_spec_string ("summary", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
crm_forecast_chart_init (CrmForecastChart *self)
{
  GtkEventController *controller;
  GtkGesture *click;

  self->bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_array_set_clear_func (self->bars, bar_clear);
  self->line = -1;
  self->selected = -1;
  self->hover = -1;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw_cb, NULL, NULL);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  g_signal_connect (self, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);
}

GtkWidget *
crm_forecast_chart_new (void)
{
  return g_object_new (CRM_TYPE_FORECAST_CHART, NULL);
}

void
crm_forecast_chart_set_bars (CrmForecastChart  *self,
                             const CrmChartBar *bars,
                             guint              n_bars,
                             CrmChartFormat     format)
{
  g_return_if_fail (CRM_IS_FORECAST_CHART (self));
  g_return_if_fail (bars != NULL || n_bars == 0);

  g_array_set_size (self->bars, 0);
  for (guint i = 0; i < n_bars; i++)
    {
      Bar bar = {
        g_strdup (bars[i].label), MAX (bars[i].value, 0), g_strdup (bars[i].description), bars[i].tone,
      };

      g_array_append_val (self->bars, bar);
    }
  self->format = format;
  self->hover = -1;
  /* the same bar stays chosen when there still is one */
  if (self->selected >= (int) n_bars)
    self->selected = (int) n_bars - 1;
  if (self->selected < 0 && n_bars > 0)
    self->selected = 0;
  changed (self);
}

void
crm_forecast_chart_set_line (CrmForecastChart *self,
                             gint64            value,
                             const char       *label)
{
  g_return_if_fail (CRM_IS_FORECAST_CHART (self));

  self->line = value < 0 ? -1 : value;
  g_free (self->line_label);
  self->line_label = g_strdup (label);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
crm_forecast_chart_get_n_bars (CrmForecastChart *self)
{
  g_return_val_if_fail (CRM_IS_FORECAST_CHART (self), 0);

  return self->bars->len;
}

int
crm_forecast_chart_get_selected (CrmForecastChart *self)
{
  g_return_val_if_fail (CRM_IS_FORECAST_CHART (self), -1);

  return self->selected;
}

void
crm_forecast_chart_select (CrmForecastChart *self,
                           int               index)
{
  g_return_if_fail (CRM_IS_FORECAST_CHART (self));

  index = self->bars->len == 0 ? -1 : CLAMP (index, 0, (int) self->bars->len - 1);
  if (index == self->selected)
    return;
  self->selected = index;
  changed (self);
}

const char *
crm_forecast_chart_get_summary (CrmForecastChart *self)
{
  const Bar *bar;

  g_return_val_if_fail (CRM_IS_FORECAST_CHART (self), NULL);

  bar = bar_at (self, self->hover >= 0 ? self->hover : self->selected);
  return bar ? bar->description : NULL;
}
