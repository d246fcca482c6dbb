#define G_LOG_DOMAIN "crm-customer-revenue"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-chart.h"
#include "crm-customer-revenue.h"
#include "crm-revenue-chart.h"

struct _CrmCustomerRevenue
{
  GtkBox                   parent_instance;

  CrmStore                *store;
  GSignalGroup            *store_signals;
  char                    *customer_id;
  GArray                  *months;       /* of CrmRevenueMonth, oldest first */
  int                      selected;     /* the keyboard's month, or -1 */
  int                      hover;        /* the pointer's month, or -1 */
  CrmRevenueChartGeometry  geometry;     /* of the last drawing */
  char                    *summary;      /* what the chart says about @selected */

  /* Template widgets */
  GtkStack                *stack;
  GtkDrawingArea          *chart;
  GtkLabel                *value_label;
};

G_DEFINE_FINAL_TYPE (CrmCustomerRevenue, crm_customer_revenue, GTK_TYPE_BOX)

static const CrmRevenueMonth *
month (CrmCustomerRevenue *self,
       int                 index)
{
  if (index < 0 || (guint) index >= self->months->len)
    return NULL;
  return &g_array_index (self->months, CrmRevenueMonth, index);
}

/* The line under the chart says what the pointer is over, or else the
 * keyboard's month; the accessible description always the keyboard's
 * (GTK 4.8: gtk_accessible_update_property, -1-terminated). */
static void
update_text (CrmCustomerRevenue *self)
{
  const CrmRevenueMonth *selected = month (self, self->selected);
  const CrmRevenueMonth *shown = self->hover >= 0 ? month (self, self->hover) : selected;
  g_autofree char *line = shown ? crm_revenue_month_describe (shown) : NULL;

  g_clear_pointer (&self->summary, g_free);
  if (selected != NULL)
    self->summary = crm_revenue_month_describe (selected);
  gtk_label_set_label (self->value_label, line ? line : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->chart),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->summary ? self->summary : "",
                                  -1);
}

static void
select_month (CrmCustomerRevenue *self,
              int                 index)
{
  if (self->months->len == 0)
    index = -1;
  else
    index = CLAMP (index, 0, (int) self->months->len - 1);
  if (index == self->selected)
    return;
  self->selected = index;
  update_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->chart));
}

static void
reload (CrmCustomerRevenue *self)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  CrmRevenueMonth kept = { 0 };
  const CrmRevenueMonth *selected = month (self, self->selected);

  if (selected != NULL)
    kept = *selected;

  if (self->store != NULL && self->customer_id != NULL)
    {
      records = crm_store_get_records (self->store, CRM_ENTITY_REVENUE_MONTH, self->customer_id, &error);
      if (records == NULL)
        g_warning ("Cannot read the revenue of customer %s: %s", self->customer_id, error->message);
    }
  g_clear_pointer (&self->months, g_array_unref);
  self->months = crm_revenue_months_from_records (records, CRM_REVENUE_CHART_MONTHS);

  /* The same month stays chosen when it is still there; else the latest. */
  self->selected = (int) self->months->len - 1;
  for (guint i = 0; kept.year != 0 && i < self->months->len; i++)
    if (g_array_index (self->months, CrmRevenueMonth, i).year == kept.year &&
        g_array_index (self->months, CrmRevenueMonth, i).month == kept.month)
      self->selected = (int) i;
  self->hover = -1;

  gtk_stack_set_visible_child_name (self->stack, self->months->len > 0 ? "chart" : "empty");
  update_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->chart));
}

static void
draw_cb (GtkDrawingArea *area,
         cairo_t        *cr,
         int             width,
         int             height,
         gpointer        user_data)
{
  CrmCustomerRevenue *self = user_data;
  CrmRevenueChart chart = { 0 };
  GdkRGBA foreground;

  /* gtk_widget_get_color () is GTK 4.10; the style context's colour is
   * the same one in 4.8. */
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &foreground);
  crm_revenue_chart_set_colors (&chart, &foreground, crm_chart_is_dark (&foreground));
  chart.months = (const CrmRevenueMonth *) self->months->data;
  chart.n_months = self->months->len;
  chart.highlight = self->hover >= 0 ? self->hover : self->selected;
  chart.focus = self->hover < 0 && gtk_widget_has_focus (GTK_WIDGET (area));
  crm_revenue_chart_draw (&chart, cr, gtk_widget_get_pango_context (GTK_WIDGET (area)), width, height,
                          &self->geometry);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CrmCustomerRevenue    *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      select_month (self, MAX (self->selected, 1) - 1);
      return TRUE;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      select_month (self, self->selected + 1);
      return TRUE;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      select_month (self, 0);
      return TRUE;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      select_month (self, (int) self->months->len - 1);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
set_hover (CrmCustomerRevenue *self,
           int                 hover)
{
  if (self->hover == hover)
    return;
  self->hover = hover;
  update_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->chart));
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           CrmCustomerRevenue       *self)
{
  set_hover (self, crm_revenue_chart_month_at (&self->geometry, x, y));
}

static void
leave_cb (GtkEventControllerMotion *controller,
          CrmCustomerRevenue       *self)
{
  set_hover (self, -1);
}

static void
pressed_cb (GtkGestureClick    *gesture,
            int                 n_press,
            double              x,
            double              y,
            CrmCustomerRevenue *self)
{
  int index = crm_revenue_chart_month_at (&self->geometry, x, y);

  gtk_widget_grab_focus (GTK_WIDGET (self->chart));
  if (index >= 0)
    select_month (self, index);
}

static gboolean
query_tooltip_cb (GtkWidget          *widget,
                  int                 x,
                  int                 y,
                  gboolean            keyboard_mode,
                  GtkTooltip         *tooltip,
                  CrmCustomerRevenue *self)
{
  const CrmRevenueMonth *m;
  g_autofree char *text = NULL;

  m = keyboard_mode ? month (self, self->selected) : month (self, crm_revenue_chart_month_at (&self->geometry, x, y));
  if (m == NULL)
    return FALSE;
  text = crm_revenue_month_describe (m);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
focus_changed_cb (CrmCustomerRevenue *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->chart));
}

/* A revenue_month key is "customer_id/month". */
static void
revenue_changed_cb (CrmCustomerRevenue *self,
                    const char         *entity,
                    const char * const *keys,
                    CrmStore           *store)
{
  gsize len;

  if (self->customer_id == NULL)
    return;
  len = strlen (self->customer_id);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    if (strncmp (keys[i], self->customer_id, len) == 0 && keys[i][len] == '/')
      {
        reload (self);
        return;
      }
  if (keys == NULL)
    reload (self);
}

static void
crm_customer_revenue_dispose (GObject *object)
{
  CrmCustomerRevenue *self = CRM_CUSTOMER_REVENUE (object);

  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CUSTOMER_REVENUE);

  G_OBJECT_CLASS (crm_customer_revenue_parent_class)->dispose (object);
}

static void
crm_customer_revenue_finalize (GObject *object)
{
  CrmCustomerRevenue *self = CRM_CUSTOMER_REVENUE (object);

  g_clear_object (&self->store_signals);
  g_clear_pointer (&self->months, g_array_unref);
  g_free (self->customer_id);
  g_free (self->summary);

  G_OBJECT_CLASS (crm_customer_revenue_parent_class)->finalize (object);
}

static void
crm_customer_revenue_class_init (CrmCustomerRevenueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customer_revenue_dispose;
  object_class->finalize = crm_customer_revenue_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customer-revenue.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerRevenue, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerRevenue, chart);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerRevenue, value_label);
}

static void
crm_customer_revenue_init (CrmCustomerRevenue *self)
{
  GtkEventController *controller;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->months = g_array_new (FALSE, TRUE, sizeof (CrmRevenueMonth));
  self->selected = -1;
  self->hover = -1;
  gtk_drawing_area_set_draw_func (self->chart, draw_cb, self, NULL);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->chart), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->chart), controller);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->chart), GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "enter", G_CALLBACK (focus_changed_cb), self);
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (focus_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->chart), controller);

  g_signal_connect (self->chart, "query-tooltip", G_CALLBACK (query_tooltip_cb), self);

  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed::revenue_month", G_CALLBACK (revenue_changed_cb),
                                  self);
  reload (self);
}

GtkWidget *
crm_customer_revenue_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_REVENUE, NULL);
}

void
crm_customer_revenue_set_store (CrmCustomerRevenue *self,
                                CrmStore           *store)
{
  g_return_if_fail (CRM_IS_CUSTOMER_REVENUE (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;
  g_set_object (&self->store, store);
  g_signal_group_set_target (self->store_signals, store);
  reload (self);
}

void
crm_customer_revenue_show (CrmCustomerRevenue *self,
                           const char         *customer_id)
{
  g_return_if_fail (CRM_IS_CUSTOMER_REVENUE (self));

  if (g_strcmp0 (self->customer_id, customer_id) != 0)
    {
      g_free (self->customer_id);
      self->customer_id = g_strdup (customer_id);
      self->selected = -1;
    }
  reload (self);
}

/**
 * crm_customer_revenue_get_chart:
 *
 * Returns: (transfer none): the focusable chart
 */
GtkWidget *
crm_customer_revenue_get_chart (CrmCustomerRevenue *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_REVENUE (self), NULL);

  return GTK_WIDGET (self->chart);
}

guint
crm_customer_revenue_get_n_months (CrmCustomerRevenue *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_REVENUE (self), 0);

  return self->months->len;
}

int
crm_customer_revenue_get_selected (CrmCustomerRevenue *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_REVENUE (self), -1);

  return self->selected;
}

const char *
crm_customer_revenue_get_summary (CrmCustomerRevenue *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_REVENUE (self), NULL);

  return self->summary;
}
