#define G_LOG_DOMAIN "crm-customer-timeline"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-customer-timeline.h"
#include "crm-interaction-dialog.h"
#include "crm-opportunity-dialog.h"
#include "crm-timeline-reader.h"

struct _CrmCustomerTimeline
{
  AdwBin              parent_instance;

  CrmStore           *store;
  CrmSyncEngine      *engine;
  GSignalGroup       *store_signals;
  char               *customer_id;
  JsonArray          *remote_stages; /* a director's: others' stage changes from the server */
  GCancellable       *cancellable;  /* of the read under way */
  gboolean            reading;
  gboolean            read_again;   /* something changed during the read */
  CrmTimelineKind     kinds;
  GListStore         *entries;      /* of CrmTimelineEntry, newest first */
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GPtrArray          *rest;         /* read, to follow the first screenful */
  GdkFrameClock      *rest_clock;   /* the frame after which it follows */
  gulong              rest_paint_id;
  guint               rest_id;
  guint               rest_replaces; /* entries of the last read it replaces */

  /* Template widgets */
  GtkStack           *stack;
  GtkListView        *list_view;
  AdwStatusPage      *empty_page;
  GtkToggleButton    *all_button;
  GtkToggleButton    *interactions_button;
  GtkToggleButton    *service_button;
  GtkToggleButton    *opportunities_button;
  GtkToggleButton    *campaigns_button;
};

G_DEFINE_FINAL_TYPE (CrmCustomerTimeline, crm_customer_timeline, ADW_TYPE_BIN)

/* The entities whose changes the timeline shows (crm-timeline-reader.c). */
static const char * const watched[] = {
  "interaction", "service_request", "service_step", "opportunity", "opportunity_stage", "campaign_member",
  "campaign", "contact",
};

/* Enabled only while shown: the shortcuts are the window's (managed),
 * and Ctrl+L on another page is not ours to take. */
static void
update_actions (CrmCustomerTimeline *self)
{
  gboolean can = self->store != NULL && self->customer_id != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.log-interaction", can);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.new-opportunity", can);
}

/* The list, or the words for an empty one under the current filter. */
static void
update_empty (CrmCustomerTimeline *self)
{
  const char *title;

  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
      return;
    }
  switch ((int) self->kinds)
    {
    case CRM_TIMELINE_INTERACTION:
      title = _("No interactions yet");
      break;
    case CRM_TIMELINE_SERVICE:
      title = _("No service requests");
      break;
    case CRM_TIMELINE_OPPORTUNITY:
      title = _("No opportunities yet");
      break;
    case CRM_TIMELINE_CAMPAIGN:
      title = _("Not in any campaign");
      break;
    default:
      title = _("Nothing on the timeline yet");
      break;
    }
  adw_status_page_set_title (self->empty_page, title);
  /* while the first read runs, nothing rather than "nothing yet"; nor
   * before the rest of a read follows its first screenful */
  if ((self->reading && g_list_model_get_n_items (G_LIST_MODEL (self->entries)) == 0) || self->rest != NULL)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else
    gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* ------------------------------------------------------------------ */
/* Reading (a worker)                                                  */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmStore  *store;
  char      *customer_id;
  GDateTime *now;
  JsonArray *remote_stages;
} Read;

static void
read_free (gpointer data)
{
  Read *read = data;

  g_clear_object (&read->store);
  g_free (read->customer_id);
  g_clear_pointer (&read->now, g_date_time_unref);
  g_clear_pointer (&read->remote_stages, json_array_unref);
  g_free (read);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Read *read = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = crm_timeline_read_with_remote (read->store, read->customer_id, read->now,
                                                      read->remote_stages, &error);

  if (entries == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static void start_read (CrmCustomerTimeline *self);
static gboolean filter_entry (gpointer item,
                              gpointer user_data);

/* A row is at least this tall (a title and a meta line, margins). */
#define MIN_ROW_HEIGHT 44

/* How many entries fill the window's height, and one more: all that the
 * list can show before it is scrolled. */
static guint
first_screenful (CrmCustomerTimeline *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  int height = MAX (gtk_widget_get_height (GTK_WIDGET (self->list_view)),
                    root != NULL ? gtk_widget_get_height (GTK_WIDGET (root)) : 0);

  return MAX (height, 720) / MIN_ROW_HEIGHT + 1;
}

static void
cancel_rest (CrmCustomerTimeline *self)
{
  if (self->rest_clock != NULL)
    g_clear_signal_handler (&self->rest_paint_id, self->rest_clock);
  g_clear_object (&self->rest_clock);
  g_clear_handle_id (&self->rest_id, g_source_remove);
  g_clear_pointer (&self->rest, g_ptr_array_unref);
  self->rest_replaces = 0;
}

static gboolean
fill_rest_cb (gpointer data)
{
  CrmCustomerTimeline *self = data;
  g_autoptr(GPtrArray) rest = g_steal_pointer (&self->rest);

  self->rest_id = 0;
  g_list_store_splice (self->entries, g_list_model_get_n_items (G_LIST_MODEL (self->entries)) - self->rest_replaces,
                       self->rest_replaces, rest->pdata, rest->len);
  self->rest_replaces = 0;
  update_empty (self);
  if (self->read_again)
    start_read (self);
  return G_SOURCE_REMOVE;
}

/* The first screenful is drawn: the rest follows, on its own. */
static void
rest_after_paint_cb (GdkFrameClock       *clock,
                     CrmCustomerTimeline *self)
{
  g_clear_signal_handler (&self->rest_paint_id, clock);
  g_clear_object (&self->rest_clock);
  if (self->rest_id == 0)
    self->rest_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, fill_rest_cb, self, NULL);
}

/* Shows @entries: those of the first screenful (after the filter) at once,
 * so that the frame showing the page makes and measures those rows only
 * (GtkListView makes up to 200, a third of the page's first frame for
 * 2,000 entries), and the rest once that frame is drawn. */
static void
show_entries (CrmCustomerTimeline *self,
              GPtrArray           *entries)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  /* the window's frames: the pane may be hidden (a folded page) */
  GdkFrameClock *clock = root != NULL && gtk_widget_get_mapped (GTK_WIDGET (root))
                         ? gtk_widget_get_frame_clock (GTK_WIDGET (root)) : NULL;
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->entries));
  guint screenful = first_screenful (self);
  guint first = 0;

  cancel_rest (self);
  for (guint matched = 0; first < entries->len && matched < screenful; first++)
    if (filter_entry (entries->pdata[first], self))
      matched++;
  if (clock == NULL)
    first = entries->len;
  if (first == entries->len)
    {
      g_list_store_splice (self->entries, 0, n_shown, entries->pdata, first);
      return;
    }
  /* The same customer read again: what it showed past the first screenful
   * (off screen) stays until the rest replaces it, its rows rebound then
   * rather than dropped now and made again. */
  g_list_store_splice (self->entries, 0, MIN (first, n_shown), entries->pdata, first);
  self->rest_replaces = n_shown > first ? n_shown - first : 0;
  self->rest = g_ptr_array_new_full (entries->len - first, g_object_unref);
  for (guint i = first; i < entries->len; i++)
    g_ptr_array_add (self->rest, g_object_ref (entries->pdata[i]));
  self->rest_clock = g_object_ref (clock);
  self->rest_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (rest_after_paint_cb), self);
  gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
}

static void
read_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CrmCustomerTimeline *self = CRM_CUSTOMER_TIMELINE (object);
  Read *read = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;                                   /* another customer, or gone */
  self->reading = FALSE;
  g_clear_object (&self->cancellable);

  if (entries == NULL)
    g_warning ("Cannot read the timeline of customer %s: %s", read->customer_id, error->message);
  else if (g_strcmp0 (read->customer_id, self->customer_id) == 0)
    show_entries (self, entries);
  update_empty (self);

  if (self->read_again && self->rest == NULL)
    start_read (self);
}

static void
start_read (CrmCustomerTimeline *self)
{
  g_autoptr(GTask) task = NULL;
  Read *read;

  if (self->reading)
    {
      self->read_again = TRUE;
      return;
    }
  self->read_again = FALSE;
  if (self->store == NULL || self->customer_id == NULL)
    return;

  read = g_new0 (Read, 1);
  read->store = g_object_ref (self->store);
  read->customer_id = g_strdup (self->customer_id);
  read->now = g_date_time_new_now_utc ();
  read->remote_stages = self->remote_stages ? json_array_ref (self->remote_stages) : NULL;
  self->reading = TRUE;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, read_done_cb, NULL);
  g_task_set_source_tag (task, start_read);
  g_task_set_task_data (task, read, read_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, read_thread);
}

/* Drops what is shown and what is being read. */
static void
stop_reading (CrmCustomerTimeline *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->reading = FALSE;
  self->read_again = FALSE;
  cancel_rest (self);
  g_list_store_remove_all (self->entries);
}

static void
store_changed_cb (CrmCustomerTimeline *self,
                  const char          *entity,
                  const char * const  *keys,
                  CrmStore            *store)
{
  if (self->customer_id != NULL)
    start_read (self);
}

/* ------------------------------------------------------------------ */
/* Rows                                                                */
/* ------------------------------------------------------------------ */

typedef struct
{
  GtkImage       *icon;
  GtkInscription *title;
  GtkLabel       *when;
  GtkInscription *meta;
  GtkInscription *detail;
  GtkWidget      *text;     /* the column of texts */
  GtkWidget      *overdue;  /* made for the first overdue entry bound */
  CrmTimelineEntry *entry;  /* bound, not owned */
} Row;

/* Rows are GtkInscriptions, measured from font metrics and a number of
 * lines, not from their text: a list of wrapping GtkLabels spent 700 ms
 * measuring the 200 rows GtkListView keeps (test-gui-timeline, 2,000
 * entries); these take about 100.  What does not fit is ellipsized, and
 * whole in the row's tooltip. */
static GtkInscription *
row_text (GtkWidget  *box,
          const char *css_class,
          guint       lines)
{
  GtkWidget *text = gtk_inscription_new (NULL);

  gtk_inscription_set_xalign (GTK_INSCRIPTION (text), 0.0);
  gtk_inscription_set_min_lines (GTK_INSCRIPTION (text), 1);
  gtk_inscription_set_nat_lines (GTK_INSCRIPTION (text), lines);
  gtk_inscription_set_wrap_mode (GTK_INSCRIPTION (text), PANGO_WRAP_WORD_CHAR);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (text), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_set_hexpand (text, TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (text, css_class);
  gtk_box_append (GTK_BOX (box), text);
  return GTK_INSCRIPTION (text);
}

/* The entry whole, asked for on hover: a tooltip set on each bind cost
 * as much as the rows themselves. */
static gboolean
query_tooltip_cb (GtkWidget  *box,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  Row        *row)
{
  GString *text;

  if (row->entry == NULL)
    return FALSE;
  text = g_string_new (crm_timeline_entry_get_title (row->entry));
  if (crm_timeline_entry_get_meta (row->entry)[0])
    g_string_append_printf (text, "\n%s", crm_timeline_entry_get_meta (row->entry));
  if (crm_timeline_entry_get_detail (row->entry)[0])
    g_string_append_printf (text, "\n%s", crm_timeline_entry_get_detail (row->entry));
  gtk_tooltip_set_text (tooltip, text->str);
  g_string_free (text, TRUE);
  return TRUE;
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  Row *row = g_new0 (Row, 1);

  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  row->icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_valign (GTK_WIDGET (row->icon), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (row->icon));
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  gtk_box_append (GTK_BOX (text), top);
  row->title = row_text (top, "heading", 1);
  row->when = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->when), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->when), "numeric");
  gtk_widget_set_valign (GTK_WIDGET (row->when), GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->when));
  row->meta = row_text (text, "dim-label", 1);
  row->detail = row_text (text, NULL, 3);

  row->text = text;

  g_object_set_data_full (G_OBJECT (box), "crm-timeline-row", row, g_free);
  gtk_widget_set_has_tooltip (box, TRUE);
  g_signal_connect (box, "query-tooltip", G_CALLBACK (query_tooltip_cb), row);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
set_text (GtkInscription *inscription,
          const char     *text)
{
  gtk_inscription_set_text (inscription, text);
  gtk_widget_set_visible (GTK_WIDGET (inscription), text[0] != '\0');
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             gpointer                  user_data)
{
  CrmTimelineEntry *entry = gtk_list_item_get_item (item);
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "crm-timeline-row");

  row->entry = entry;
  gtk_image_set_from_icon_name (row->icon, crm_timeline_entry_get_icon_name (entry));
  set_text (row->title, crm_timeline_entry_get_title (entry));
  gtk_label_set_label (row->when, crm_timeline_entry_get_when_text (entry));
  set_text (row->meta, crm_timeline_entry_get_meta (entry));
  set_text (row->detail, crm_timeline_entry_get_detail (entry));
  if (crm_timeline_entry_get_overdue (entry) && row->overdue == NULL)
    {
      /* an icon and words, never colour alone; few entries are overdue,
       * so the rows make it only when one is (3 widgets of 11 a row) */
      row->overdue = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      gtk_box_append (GTK_BOX (row->overdue), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
      gtk_box_append (GTK_BOX (row->overdue), gtk_label_new (_("Overdue")));
      gtk_widget_add_css_class (row->overdue, "error");
      gtk_box_append (GTK_BOX (row->text), row->overdue);
    }
  if (row->overdue != NULL)
    gtk_widget_set_visible (row->overdue, crm_timeline_entry_get_overdue (entry));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "crm-timeline-row");

  row->entry = NULL;
}

static gboolean
filter_entry (gpointer item,
              gpointer user_data)
{
  CrmCustomerTimeline *self = user_data;

  return (crm_timeline_entry_get_kind (item) & self->kinds) != 0;
}

static void
filter_toggled_cb (CrmCustomerTimeline *self,
                   GtkToggleButton     *button)
{
  struct { GtkToggleButton *button; CrmTimelineKind kinds; } choices[] = {
    { self->all_button, CRM_TIMELINE_ALL },
    { self->interactions_button, CRM_TIMELINE_INTERACTION },
    { self->service_button, CRM_TIMELINE_SERVICE },
    { self->opportunities_button, CRM_TIMELINE_OPPORTUNITY },
    { self->campaigns_button, CRM_TIMELINE_CAMPAIGN },
  };

  if (!gtk_toggle_button_get_active (button))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    if (choices[i].button == button)
      crm_customer_timeline_set_filter (self, choices[i].kinds);
}

static void
items_changed_cb (CrmCustomerTimeline *self)
{
  update_empty (self);
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */
/* ------------------------------------------------------------------ */

static void
queued_cb (CrmCustomerTimeline *self)
{
  /* shown at once through the store's ::changed; sent when it can be */
  if (self->engine != NULL)
    crm_sync_engine_sync_now (self->engine);
}

static CrmCustomer *
current_customer (CrmCustomerTimeline *self)
{
  g_autoptr(GError) error = NULL;
  CrmCustomer *customer;

  if (self->store == NULL || self->customer_id == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return NULL;
  customer = crm_store_get_customer (self->store, self->customer_id, &error);
  if (customer == NULL && error != NULL)
    g_warning ("Cannot read customer %s: %s", self->customer_id, error->message);
  return customer;
}

static void
log_interaction_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CrmCustomerTimeline *self = CRM_CUSTOMER_TIMELINE (widget);
  g_autoptr(CrmCustomer) customer = current_customer (self);
  GtkWidget *dialog;

  if (customer == NULL)
    return;
  dialog = crm_interaction_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->store, customer);
  g_signal_connect_object (dialog, "queued", G_CALLBACK (queued_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
new_opportunity_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CrmCustomerTimeline *self = CRM_CUSTOMER_TIMELINE (widget);
  g_autoptr(CrmCustomer) customer = current_customer (self);
  GtkWidget *dialog;

  if (customer == NULL)
    return;
  dialog = crm_opportunity_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->store, customer);
  g_signal_connect_object (dialog, "queued", G_CALLBACK (queued_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_customer_timeline_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (crm_customer_timeline_parent_class)->map (widget);
  update_actions (CRM_CUSTOMER_TIMELINE (widget));
}

static void
crm_customer_timeline_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (crm_customer_timeline_parent_class)->unmap (widget);
  update_actions (CRM_CUSTOMER_TIMELINE (widget));
}

static void
crm_customer_timeline_dispose (GObject *object)
{
  CrmCustomerTimeline *self = CRM_CUSTOMER_TIMELINE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  cancel_rest (self);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CUSTOMER_TIMELINE);

  G_OBJECT_CLASS (crm_customer_timeline_parent_class)->dispose (object);
}

static void
crm_customer_timeline_finalize (GObject *object)
{
  CrmCustomerTimeline *self = CRM_CUSTOMER_TIMELINE (object);

  g_clear_object (&self->store_signals);
  g_clear_object (&self->filtered);
  g_clear_object (&self->entries);
  g_clear_pointer (&self->remote_stages, json_array_unref);
  g_free (self->customer_id);

  G_OBJECT_CLASS (crm_customer_timeline_parent_class)->finalize (object);
}

static void
crm_customer_timeline_class_init (CrmCustomerTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customer_timeline_dispose;
  object_class->finalize = crm_customer_timeline_finalize;
  widget_class->map = crm_customer_timeline_map;
  widget_class->unmap = crm_customer_timeline_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customer-timeline.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerTimeline, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerTimeline, list_view);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerTimeline, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerTimeline, all_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerTimeline, interactions_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerTimeline, service_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerTimeline, opportunities_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerTimeline, campaigns_button);
  gtk_widget_class_bind_template_callback (widget_class, filter_toggled_cb);

  gtk_widget_class_install_action (widget_class, "customer.log-interaction", NULL, log_interaction_action);
  gtk_widget_class_install_action (widget_class, "customer.new-opportunity", NULL, new_opportunity_action);
}

static void
crm_customer_timeline_init (CrmCustomerTimeline *self)
{
  GtkListItemFactory *factory;
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->kinds = CRM_TIMELINE_ALL;
  self->entries = g_list_store_new (CRM_TYPE_TIMELINE_ENTRY);
  self->filter = gtk_custom_filter_new (filter_entry, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->entries)),
                                              GTK_FILTER (self->filter));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (items_changed_cb), self,
                           G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);

  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  for (guint i = 0; i < G_N_ELEMENTS (watched); i++)
    {
      g_autofree char *signal = g_strconcat ("changed::", watched[i], NULL);

      g_signal_group_connect_swapped (self->store_signals, signal, G_CALLBACK (store_changed_cb), self);
    }

  update_empty (self);
  update_actions (self);
}

GtkWidget *
crm_customer_timeline_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_TIMELINE, NULL);
}

void
crm_customer_timeline_set_store (CrmCustomerTimeline *self,
                                 CrmStore            *store)
{
  g_return_if_fail (CRM_IS_CUSTOMER_TIMELINE (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;
  stop_reading (self);
  g_set_object (&self->store, store);
  g_signal_group_set_target (self->store_signals, store);
  g_clear_pointer (&self->customer_id, g_free);
  update_empty (self);
  update_actions (self);
}

void
crm_customer_timeline_set_sync_engine (CrmCustomerTimeline *self,
                                       CrmSyncEngine       *engine)
{
  g_return_if_fail (CRM_IS_CUSTOMER_TIMELINE (self));
  g_return_if_fail (engine == NULL || CRM_IS_SYNC_ENGINE (engine));

  g_set_object (&self->engine, engine);
}

void
crm_customer_timeline_show (CrmCustomerTimeline *self,
                            const char          *customer_id)
{
  g_return_if_fail (CRM_IS_CUSTOMER_TIMELINE (self));

  if (g_strcmp0 (customer_id, self->customer_id) != 0)
    {
      /* another customer: nothing of the last one stays, even briefly */
      stop_reading (self);
      g_free (self->customer_id);
      self->customer_id = g_strdup (customer_id);
    }
  start_read (self);
  update_empty (self);
  update_actions (self);
}

const char *
crm_customer_timeline_get_customer_id (CrmCustomerTimeline *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_TIMELINE (self), NULL);

  return self->customer_id;
}

void
crm_customer_timeline_set_filter (CrmCustomerTimeline *self,
                                  CrmTimelineKind      kinds)
{
  GtkToggleButton *button;

  g_return_if_fail (CRM_IS_CUSTOMER_TIMELINE (self));

  kinds &= CRM_TIMELINE_ALL;
  if (kinds == 0)
    kinds = CRM_TIMELINE_ALL;
  if (self->kinds != kinds)
    {
      self->kinds = kinds;
      gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
    }
  button = kinds == CRM_TIMELINE_INTERACTION ? self->interactions_button
         : kinds == CRM_TIMELINE_SERVICE ? self->service_button
         : kinds == CRM_TIMELINE_OPPORTUNITY ? self->opportunities_button
         : kinds == CRM_TIMELINE_CAMPAIGN ? self->campaigns_button
         : self->all_button;
  gtk_toggle_button_set_active (button, TRUE);
  update_empty (self);
}

CrmTimelineKind
crm_customer_timeline_get_filter (CrmCustomerTimeline *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_TIMELINE (self), CRM_TIMELINE_ALL);

  return self->kinds;
}

/**
 * crm_customer_timeline_get_model:
 *
 * Returns: (transfer none): the entries shown, of CrmTimelineEntry
 */
GListModel *
crm_customer_timeline_get_model (CrmCustomerTimeline *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_TIMELINE (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

gboolean
crm_customer_timeline_is_busy (CrmCustomerTimeline *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_TIMELINE (self), FALSE);

  return self->reading || self->read_again || self->rest != NULL;
}

gboolean
crm_customer_timeline_is_reading (CrmCustomerTimeline *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_TIMELINE (self), FALSE);

  return self->reading;
}

/**
 * crm_customer_timeline_set_remote_stages:
 * @stages: (nullable): stage changes from the server
 *
 * A director's page: the stage changes of the customer's opportunities
 * the store does not hold (crm-customer-remote.h), shown with the
 * store's entries; read again when they change.
 */
void
crm_customer_timeline_set_remote_stages (CrmCustomerTimeline *self,
                                         JsonArray           *stages)
{
  g_return_if_fail (CRM_IS_CUSTOMER_TIMELINE (self));

  if (stages == self->remote_stages)
    return;
  g_clear_pointer (&self->remote_stages, json_array_unref);
  self->remote_stages = stages ? json_array_ref (stages) : NULL;
  if (self->customer_id != NULL)
    start_read (self);
}
