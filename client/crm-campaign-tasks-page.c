#define G_LOG_DOMAIN "crm-campaign-tasks-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-campaign-task-labels.h"
#include "crm-campaign-tasks-page.h"
#include "crm-format.h"
#include "crm-outcome-dialog.h"

struct _CrmCampaignTasksPage
{
  AdwBin              parent_instance;

  CrmStore           *store;
  char               *user_id;
  GSignalGroup       *store_signals;
  GCancellable       *cancellable;
  gboolean            reading;
  gint64              read_started;   /* monotonic, µs */
  gboolean            read_again;   /* the store changed during a read */
  guint               open_count;
  char               *count_label;

  GListStore         *tasks;        /* CrmCampaignTask, due first */
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSingleSelection *selection;

  /* Template widgets */
  GtkSearchEntry     *search_entry;
  GtkToggleButton    *open_button;
  GtkToggleButton    *all_button;
  GtkLabel           *count_label_widget;
  GtkStack           *content_stack;
  GtkColumnView      *column_view;
};

G_DEFINE_FINAL_TYPE (CrmCampaignTasksPage, crm_campaign_tasks_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_OPEN_COUNT,
  PROP_COUNT_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The columns, in order. */
typedef enum
{
  COL_DUE,
  COL_CAMPAIGN,
  COL_CUSTOMER,
  COL_OFFER,
  COL_CHANNEL,
  COL_OUTCOME,
  COL_CONTACTED,
  COL_RESPONDED,
  N_COLUMNS
} Column;

static const char * const column_titles[N_COLUMNS] = {
  N_("Due"), N_("Campaign"), N_("Customer"), N_("Offer"), N_("Channel"), N_("Outcome"), N_("Contacted At"),
  N_("Responded At"),
};

static void schedule_read (CrmCampaignTasksPage *self);

/* ------------------------------------------------------------------ */
/* The cells                                                           */
/* ------------------------------------------------------------------ */

/* Still open when its campaign has ended. */
static gboolean
is_overdue (CrmCampaignTask *task)
{
  const char *due = crm_campaign_task_get_due (task);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

  return due != NULL && crm_campaign_task_is_open (task) && strcmp (due, today) < 0;
}

static char *
cell_text (CrmCampaignTask *task,
           Column           column)
{
  switch (column)
    {
    case COL_DUE:
      {
        const char *due = crm_campaign_task_get_due (task);
        g_autofree char *date = due ? crm_format_date (due) : NULL;

        if (date == NULL)
          return g_strdup ("—");
        if (is_overdue (task))
          /* TRANSLATORS: a task's due date, then that it is overdue */
          return g_strdup_printf (_("%s · %s"), date, _("Overdue"));
        return g_steal_pointer (&date);
      }
    case COL_CAMPAIGN:
      return crm_campaign_task_dup_title (task);
    case COL_CUSTOMER:
      return g_strdup (crm_campaign_task_get_customer_name (task) ? crm_campaign_task_get_customer_name (task)
                                                                   : _("A customer not on this computer"));
    case COL_OFFER:
      return g_strdup (crm_campaign_task_get_campaign_field (task, "offer")
                       ? crm_campaign_task_get_campaign_field (task, "offer") : "—");
    case COL_CHANNEL:
      return g_strdup (crm_campaign_task_channel (task));
    case COL_OUTCOME:
      return g_strdup (crm_campaign_task_outcome (task));
    case COL_CONTACTED:
    case COL_RESPONDED:
      {
        const char *iso = crm_campaign_task_get_field (task, column == COL_CONTACTED ? "contacted_at" : "responded_at");

        return iso ? crm_format_date_time (iso) : g_strdup ("—");
      }
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
setup_cb (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  data)
{
  Column column = GPOINTER_TO_UINT (data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (column == COL_OUTCOME)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *mark = gtk_image_new_from_icon_name ("document-send-symbolic");

      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (box), label);
      gtk_widget_set_visible (mark, FALSE);
      gtk_widget_set_tooltip_text (mark, _("Not yet on the server"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Not yet on the server"), -1);
      gtk_widget_add_css_class (mark, "accent");
      gtk_box_append (GTK_BOX (box), mark);
      gtk_list_item_set_child (item, box);
    }
  else
    gtk_list_item_set_child (item, label);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *item,
         gpointer                  data)
{
  Column column = GPOINTER_TO_UINT (data);
  CrmCampaignTask *task = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  GtkWidget *label = column == COL_OUTCOME ? gtk_widget_get_first_child (child) : child;
  g_autofree char *text = cell_text (task, column);

  gtk_label_set_label (GTK_LABEL (label), text);
  if (column == COL_DUE && is_overdue (task))
    gtk_widget_add_css_class (label, "error");
  else if (column == COL_DUE)
    gtk_widget_remove_css_class (label, "error");
  if (column == COL_OUTCOME)
    gtk_widget_set_visible (gtk_widget_get_last_child (child), crm_campaign_task_get_unsent (task));
}

static void
add_columns (CrmCampaignTasksPage *self)
{
  for (Column c = 0; c < N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GUINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), GUINT_TO_POINTER (c));
      column = gtk_column_view_column_new (_(column_titles[c]), factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, c == COL_CAMPAIGN || c == COL_CUSTOMER || c == COL_OFFER);
      gtk_column_view_append_column (self->column_view, column);
    }
}

/* ------------------------------------------------------------------ */
/* Filter, state, count                                                */
/* ------------------------------------------------------------------ */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  CrmCampaignTasksPage *self = user_data;
  CrmCampaignTask *task = item;
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (gtk_toggle_button_get_active (self->open_button) && !crm_campaign_task_is_open (task))
    return FALSE;
  if (search[0] != '\0')
    {
      const char *name = crm_campaign_task_get_customer_name (task);
      g_autofree char *folded_name = name ? g_utf8_casefold (name, -1) : NULL;
      g_autofree char *folded_search = g_utf8_casefold (search, -1);

      return folded_name != NULL && strstr (folded_name, folded_search) != NULL;
    }
  return TRUE;
}

static void
update_state (CrmCampaignTasksPage *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->tasks));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *text = NULL;

  if (total == 0)
    gtk_stack_set_visible_child_name (self->content_stack, "empty");
  else if (shown == 0)
    gtk_stack_set_visible_child_name (self->content_stack, "no-match");
  else
    gtk_stack_set_visible_child_name (self->content_stack, "list");
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u open of %u task", "%u open of %u tasks", total),
                          self->open_count, total);
  gtk_label_set_label (self->count_label_widget, total > 0 ? text : "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tasks.record-outcome", shown > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tasks.open-customer", shown > 0);
}

static void
set_open_count (CrmCampaignTasksPage *self,
                guint                 count)
{
  if (self->open_count == count && self->count_label != NULL)
    return;
  self->open_count = count;
  g_free (self->count_label);
  self->count_label = count > 0 ? g_strdup_printf ("%u", count) : g_strdup ("");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OPEN_COUNT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT_LABEL]);
}

static void
filter_toggled_cb (CrmCampaignTasksPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
}

static void
search_changed_cb (CrmCampaignTasksPage *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
}

/* ------------------------------------------------------------------ */
/* Reading the store                                                   */
/* ------------------------------------------------------------------ */

static CrmCampaignTask *
selected_task (CrmCampaignTasksPage *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

static void
read_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmCampaignTasksPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = crm_campaign_tasks_read_finish (result, &error);
  CrmCampaignTask *selected;
  g_autofree char *selected_key = NULL;
  guint open = 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->reading = FALSE;
  if (tasks == NULL)
    g_warning ("The campaign tasks could not be read: %s", error->message);
  else
    {
      selected = selected_task (self);
      selected_key = selected ? g_strdup (crm_campaign_task_get_key (selected)) : NULL;
      g_list_store_splice (self->tasks, 0, g_list_model_get_n_items (G_LIST_MODEL (self->tasks)), tasks->pdata,
                           tasks->len);
      for (guint i = 0; i < tasks->len; i++)
        open += crm_campaign_task_is_open (tasks->pdata[i]);
      set_open_count (self, open);
      update_state (self);
      g_debug ("Read %u campaign tasks in %.1f ms", tasks->len,
               (g_get_monotonic_time () - self->read_started) / 1000.0);
      if (selected_key != NULL)
        crm_campaign_tasks_page_select (self, selected_key);
    }
  if (self->read_again)
    schedule_read (self);
}

static void
schedule_read (CrmCampaignTasksPage *self)
{
  if (self->reading)
    {
      self->read_again = TRUE;
      return;
    }
  self->read_again = FALSE;
  if (self->store == NULL || self->user_id == NULL)
    {
      g_list_store_remove_all (self->tasks);
      set_open_count (self, 0);
      update_state (self);
      return;
    }
  self->reading = TRUE;
  self->read_started = g_get_monotonic_time ();
  crm_campaign_tasks_read_async (self->store, self->user_id, NULL, CRM_CAMPAIGN_TASKS_ASSIGNED, self->cancellable,
                                 read_done_cb, g_object_ref (self));
}

static void
store_changed_cb (CrmCampaignTasksPage *self)
{
  schedule_read (self);
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */
/* ------------------------------------------------------------------ */

/* tasks.record-outcome (Enter, a double-click): the selected task's
 * outcome dialog. */
static void
record_outcome_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CrmCampaignTasksPage *self = CRM_CAMPAIGN_TASKS_PAGE (widget);
  CrmCampaignTask *task = selected_task (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (task == NULL || self->store == NULL)
    return;
  dialog = crm_outcome_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                   crm_campaign_task_get_campaign_id (task), crm_campaign_task_get_customer_id (task));
  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

/* tasks.open-customer (Alt+Enter): the selected task's customer's 360°
 * page, which the window shows. */
static void
open_customer_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmCampaignTasksPage *self = CRM_CAMPAIGN_TASKS_PAGE (widget);
  CrmCampaignTask *task = selected_task (self);

  if (task != NULL)
    gtk_widget_activate_action (widget, "win.open-customer", "s", crm_campaign_task_get_customer_id (task));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (CRM_CAMPAIGN_TASKS_PAGE (widget)->search_entry));
}

static void
row_activated_cb (CrmCampaignTasksPage *self,
                  guint                 position)
{
  gtk_single_selection_set_selected (self->selection, position);
  gtk_widget_activate_action (GTK_WIDGET (self), "tasks.record-outcome", NULL);
}

/* ------------------------------------------------------------------ */

static void
crm_campaign_tasks_page_dispose (GObject *object)
{
  CrmCampaignTasksPage *self = CRM_CAMPAIGN_TASKS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CAMPAIGN_TASKS_PAGE);

  G_OBJECT_CLASS (crm_campaign_tasks_page_parent_class)->dispose (object);
}

static void
crm_campaign_tasks_page_finalize (GObject *object)
{
  CrmCampaignTasksPage *self = CRM_CAMPAIGN_TASKS_PAGE (object);

  g_clear_object (&self->store_signals);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->selection);
  g_free (self->user_id);
  g_free (self->count_label);

  G_OBJECT_CLASS (crm_campaign_tasks_page_parent_class)->finalize (object);
}

static void
crm_campaign_tasks_page_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  CrmCampaignTasksPage *self = CRM_CAMPAIGN_TASKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_OPEN_COUNT:
      g_value_set_uint (value, self->open_count);
      break;

    case PROP_COUNT_LABEL:
      g_value_set_string (value, self->count_label ? self->count_label : "");
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_campaign_tasks_page_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  CrmCampaignTasksPage *self = CRM_CAMPAIGN_TASKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      crm_campaign_tasks_page_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_campaign_tasks_page_class_init (CrmCampaignTasksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_campaign_tasks_page_dispose;
  object_class->finalize = crm_campaign_tasks_page_finalize;
  object_class->get_property = crm_campaign_tasks_page_get_property;
  object_class->set_property = crm_campaign_tasks_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CRM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_OPEN_COUNT] =
    g_param_spec_uint ("open-count", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_COUNT_LABEL] =
    g_param_spec_string ("count-label", NULL, NULL, "",
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-campaign-tasks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignTasksPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignTasksPage, open_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignTasksPage, all_button);
  gtk_widget_class_bind_template_child_full (widget_class, "count_label", FALSE,
                                             G_STRUCT_OFFSET (CrmCampaignTasksPage, count_label_widget));
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignTasksPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignTasksPage, column_view);
  gtk_widget_class_bind_template_callback (widget_class, filter_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "tasks.record-outcome", NULL, record_outcome_action);
  gtk_widget_class_install_action (widget_class, "tasks.open-customer", NULL, open_customer_action);
  gtk_widget_class_install_action (widget_class, "tasks.search", NULL, search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_ALT_MASK, "tasks.open-customer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_ALT_MASK, "tasks.open-customer", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "tasks.search", NULL);
}

static void
crm_campaign_tasks_page_init (CrmCampaignTasksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->tasks = g_list_store_new (CRM_TYPE_CAMPAIGN_TASK);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (self->tasks), GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filtered));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  add_columns (self);

  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed::campaign_member", G_CALLBACK (store_changed_cb), self);
  g_signal_group_connect_swapped (self->store_signals, "changed::campaign", G_CALLBACK (store_changed_cb), self);
  /* a customer's name, or its departure */
  g_signal_group_connect_swapped (self->store_signals, "customers-changed", G_CALLBACK (store_changed_cb), self);
  set_open_count (self, 0);
  update_state (self);
}

GtkWidget *
crm_campaign_tasks_page_new (void)
{
  return g_object_new (CRM_TYPE_CAMPAIGN_TASKS_PAGE, NULL);
}

void
crm_campaign_tasks_page_set_store (CrmCampaignTasksPage *self,
                                   CrmStore             *store)
{
  g_return_if_fail (CRM_IS_CAMPAIGN_TASKS_PAGE (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_signal_group_set_target (self->store_signals, store);
  schedule_read (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

CrmStore *
crm_campaign_tasks_page_get_store (CrmCampaignTasksPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASKS_PAGE (self), NULL);

  return self->store;
}

void
crm_campaign_tasks_page_set_user_id (CrmCampaignTasksPage *self,
                                     const char           *user_id)
{
  g_return_if_fail (CRM_IS_CAMPAIGN_TASKS_PAGE (self));

  if (g_strcmp0 (self->user_id, user_id) == 0)
    return;
  g_free (self->user_id);
  self->user_id = g_strdup (user_id);
  schedule_read (self);
}

guint
crm_campaign_tasks_page_get_open_count (CrmCampaignTasksPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASKS_PAGE (self), 0);

  return self->open_count;
}

GListModel *
crm_campaign_tasks_page_get_model (CrmCampaignTasksPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASKS_PAGE (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

gboolean
crm_campaign_tasks_page_get_busy (CrmCampaignTasksPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASKS_PAGE (self), FALSE);

  return self->reading || self->read_again;
}

const char *
crm_campaign_tasks_page_get_state (CrmCampaignTasksPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASKS_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->content_stack);
}

gboolean
crm_campaign_tasks_page_select (CrmCampaignTasksPage *self,
                                const char           *key)
{
  GListModel *model;

  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASKS_PAGE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  model = G_LIST_MODEL (self->filtered);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmCampaignTask) task = g_list_model_get_item (model, i);

      if (g_str_equal (crm_campaign_task_get_key (task), key))
        {
          gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}
