#define G_LOG_DOMAIN "crm-customer-campaigns"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-labels.h"
#include "crm-campaign-task-labels.h"
#include "crm-customer-campaigns.h"
#include "crm-outcome-dialog.h"
#include "crm-window.h"

struct _CrmCustomerCampaigns
{
  GtkBox        parent_instance;

  CrmStore     *store;
  char         *customer_id;
  GSignalGroup *store_signals;
  GCancellable *cancellable;     /* of the read under way */
  gboolean      read_again;
  GPtrArray    *tasks;           /* CrmCampaignTask shown */
  GtkWidget    *group;           /* AdwPreferencesGroup, rebuilt when what it shows changed */
  char         *shown;           /* what it shows, as text (signature ()) */
};

G_DEFINE_FINAL_TYPE (CrmCustomerCampaigns, crm_customer_campaigns, GTK_TYPE_BOX)

static void schedule_read (CrmCustomerCampaigns *self);

/* The signed-in user's id (GET /me) of the window this is in, or NULL. */
static const char *
signed_in_user_id (CrmCustomerCampaigns *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  CrmContext *context = CRM_IS_WINDOW (root) ? crm_window_get_context (CRM_WINDOW (root)) : NULL;
  JsonObject *user = context ? crm_context_get_user (context) : NULL;

  return user ? json_object_get_string_member_with_default (user, "id", NULL) : NULL;
}

static void
record_clicked_cb (GtkButton            *button,
                   CrmCustomerCampaigns *self)
{
  CrmCampaignTask *task = g_object_get_data (G_OBJECT (button), "task");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (task == NULL || self->store == NULL)
    return;
  dialog = crm_outcome_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                   crm_campaign_task_get_campaign_id (task), crm_campaign_task_get_customer_id (task));
  if (dialog != NULL)
    gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
task_row (CrmCustomerCampaigns *self,
          CrmCampaignTask      *task)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Record Outcome…"));
  g_autofree char *title = crm_campaign_task_dup_title (task);
  g_autofree char *subtitle = NULL;
  const char *channel = crm_campaign_task_channel (task);
  const char *status = crm_campaign_task_get_campaign_field (task, "status");
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  /* TRANSLATORS: a campaign target on the 360° page: the campaign's
   * status, the outcome and the channel ("Running · Contacted · Phone") */
  subtitle = g_strdup_printf (_("%s · %s · %s"), crm_campaign_status_label (status), crm_campaign_task_outcome (task),
                              channel[0] ? channel : "—");
  if (crm_campaign_task_get_unsent (task))
    {
      g_autofree char *with = g_strdup_printf ("%s · %s", subtitle, _("Not yet on the server"));

      g_free (subtitle);
      subtitle = g_steal_pointer (&with);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  gtk_widget_set_name (row, crm_campaign_task_get_key (task));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "task", g_object_ref (task), g_object_unref);
  g_signal_connect_object (button, "clicked", G_CALLBACK (record_clicked_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

/* What the rows show of @tasks, as one text. */
static char *
signature (GPtrArray *tasks)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; tasks != NULL && i < tasks->len; i++)
    {
      CrmCampaignTask *task = tasks->pdata[i];
      g_autofree char *title = crm_campaign_task_dup_title (task);
      const char *status = crm_campaign_task_get_campaign_field (task, "status");

      g_string_append_printf (text, "%s\t%s\t%s\t%s\t%s\t%d\n", crm_campaign_task_get_key (task), title,
                              status ? status : "",
                              crm_campaign_task_outcome (task), crm_campaign_task_channel (task),
                              crm_campaign_task_get_unsent (task));
    }
  return g_string_free (text, FALSE);
}

static void
show_tasks (CrmCustomerCampaigns *self)
{
  g_autofree char *shown = signature (self->tasks);

  /* a read that found what is shown changes nothing on the page */
  if (self->group != NULL && g_strcmp0 (shown, self->shown) == 0)
    return;
  g_free (self->shown);
  self->shown = g_steal_pointer (&shown);
  if (self->group != NULL)
    gtk_box_remove (GTK_BOX (self), self->group);
  self->group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->group), _("Campaigns"));
  for (guint i = 0; self->tasks != NULL && i < self->tasks->len; i++)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), task_row (self, self->tasks->pdata[i]));
  gtk_box_append (GTK_BOX (self), self->group);
  gtk_widget_set_visible (GTK_WIDGET (self), self->tasks != NULL && self->tasks->len > 0);
}

static void
read_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmCustomerCampaigns) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = crm_campaign_tasks_read_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (tasks == NULL)
    g_warning ("The customer's campaigns could not be read: %s", error->message);
  else
    {
      g_clear_pointer (&self->tasks, g_ptr_array_unref);
      self->tasks = g_steal_pointer (&tasks);
      show_tasks (self);
    }
  if (self->read_again)
    schedule_read (self);
}

static void
schedule_read (CrmCustomerCampaigns *self)
{
  if (self->cancellable != NULL)
    {
      self->read_again = TRUE;
      return;
    }
  self->read_again = FALSE;
  if (self->store == NULL || self->customer_id == NULL)
    {
      g_clear_pointer (&self->tasks, g_ptr_array_unref);
      show_tasks (self);
      return;
    }
  self->cancellable = g_cancellable_new ();
  crm_campaign_tasks_read_async (self->store, signed_in_user_id (self), self->customer_id,
                                 CRM_CAMPAIGN_TASKS_WITH_QUEUED, self->cancellable, read_done_cb, g_object_ref (self));
}

static void
store_changed_cb (CrmCustomerCampaigns *self)
{
  schedule_read (self);
}

/* The user is known once the page is in the window. */
static void
crm_customer_campaigns_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (crm_customer_campaigns_parent_class)->root (widget);
  schedule_read (CRM_CUSTOMER_CAMPAIGNS (widget));
}

static void
crm_customer_campaigns_dispose (GObject *object)
{
  CrmCustomerCampaigns *self = CRM_CUSTOMER_CAMPAIGNS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_customer_campaigns_parent_class)->dispose (object);
}

static void
crm_customer_campaigns_finalize (GObject *object)
{
  CrmCustomerCampaigns *self = CRM_CUSTOMER_CAMPAIGNS (object);

  g_clear_object (&self->store_signals);
  g_clear_pointer (&self->tasks, g_ptr_array_unref);
  g_free (self->customer_id);
  g_free (self->shown);

  G_OBJECT_CLASS (crm_customer_campaigns_parent_class)->finalize (object);
}

static void
crm_customer_campaigns_class_init (CrmCustomerCampaignsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customer_campaigns_dispose;
  object_class->finalize = crm_customer_campaigns_finalize;
  widget_class->root = crm_customer_campaigns_root;
}

static void
crm_customer_campaigns_init (CrmCustomerCampaigns *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed::campaign_member", G_CALLBACK (store_changed_cb), self);
  g_signal_group_connect_swapped (self->store_signals, "changed::campaign", G_CALLBACK (store_changed_cb), self);
}

GtkWidget *
crm_customer_campaigns_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_CAMPAIGNS, NULL);
}

void
crm_customer_campaigns_set_store (CrmCustomerCampaigns *self,
                                  CrmStore             *store)
{
  g_return_if_fail (CRM_IS_CUSTOMER_CAMPAIGNS (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_signal_group_set_target (self->store_signals, store);
  schedule_read (self);
}

void
crm_customer_campaigns_show (CrmCustomerCampaigns *self,
                             const char           *customer_id)
{
  g_return_if_fail (CRM_IS_CUSTOMER_CAMPAIGNS (self));

  if (g_strcmp0 (self->customer_id, customer_id) != 0)
    {
      g_free (self->customer_id);
      self->customer_id = g_strdup (customer_id);
      /* another customer's targets are not this one's */
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      g_clear_pointer (&self->tasks, g_ptr_array_unref);
      show_tasks (self);
    }
  schedule_read (self);
}

GPtrArray *
crm_customer_campaigns_get_tasks (CrmCustomerCampaigns *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_CAMPAIGNS (self), NULL);

  return self->tasks;
}

gboolean
crm_customer_campaigns_get_busy (CrmCustomerCampaigns *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_CAMPAIGNS (self), FALSE);

  return self->cancellable != NULL || self->read_again;
}
