#define G_LOG_DOMAIN "crm-window"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaigns-page.h"
#include "crm-campaign-tasks-page.h"
#include "crm-conflict-dialog.h"
#include "crm-customer-dialog.h"
#include "crm-customers-page.h"
#include "crm-pipeline-page.h"
#include "crm-format.h"
#include "crm-pending-popover.h"
#include "crm-sign-in-page.h"
#include "crm-user.h"
#include "crm-window.h"

/* How often "Synced 2 minutes ago" is brought up to date. */
#define SYNCED_LABEL_SECONDS 30

struct _CrmWindow
{
  AdwApplicationWindow  parent_instance;

  CrmContext           *context;
  GtkRevealer          *offline_revealer;
  GSignalGroup         *engine_signals;
  guint                 synced_timer;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  CrmSignInPage        *sign_in_page;
  AdwFlap              *flap;
  GtkToggleButton      *sidebar_button;
  GtkListBox           *sidebar;
  GtkStack             *sections;
  AdwWindowTitle       *section_title;
  AdwAvatar            *avatar;
  GtkLabel             *user_name_label;
  GtkLabel             *user_detail_label;
  CrmCustomersPage     *customers_page;
  CrmPipelinePage      *pipeline_page;
  CrmCampaignsPage     *campaigns_page;
  CrmCampaignTasksPage *campaign_tasks_page;
  GtkStack             *sync_stack;
  GtkSpinner           *sync_spinner;
  GtkImage             *offline_icon;
  GtkMenuButton        *pending_button;
  GtkLabel             *pending_label;
  CrmPendingPopover    *pending_popover;

  AdwMessageDialog     *sign_out_dialog;   /* weak */
};

G_DEFINE_FINAL_TYPE (CrmWindow, crm_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_section (CrmWindow  *self,
              const char *name)
{
  GtkWidget *child = gtk_stack_get_child_by_name (self->sections, name);
  GtkWidget *row;

  if (child == NULL)
    return;

  gtk_stack_set_visible_child (self->sections, child);
  adw_window_title_set_title (self->section_title,
                              gtk_stack_page_get_title (gtk_stack_get_page (self->sections, child)));

  /* Keep the sidebar's selection on the section shown. */
  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (GTK_IS_LIST_BOX_ROW (row) && g_strcmp0 (gtk_widget_get_name (row), name) == 0)
        {
          if (gtk_list_box_get_selected_row (self->sidebar) != GTK_LIST_BOX_ROW (row))
            gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (row));
          break;
        }
    }
}

static void
update_user (CrmWindow *self)
{
  JsonObject *user = crm_context_get_user (self->context);
  const char *name = user ? crm_user_get_display_name (user) : "";
  const char *role = user ? crm_user_get_role_title (user) : "";

  adw_avatar_set_text (self->avatar, name);
  gtk_label_set_label (self->user_name_label, name);

  if (crm_context_get_offline (self->context))
    {
      g_autofree char *detail = NULL;

      /* TRANSLATORS: a role such as "Account manager", then the connection state */
      detail = role[0] ? g_strdup_printf (_("%s · Offline"), role) : g_strdup (_("Offline"));
      gtk_label_set_label (self->user_detail_label, detail);
    }
  else
    {
      gtk_label_set_label (self->user_detail_label, role);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->user_detail_label),
                          gtk_label_get_label (self->user_detail_label)[0] != '\0');
}

/* The signed-in user's role as a bit of the entity table's role sets;
 * 0 for none. */
static guint
user_role_bit (CrmWindow *self)
{
  JsonObject *user = crm_context_get_user (self->context);
  const char *role = user ? json_object_get_string_member_with_default (user, "role", NULL) : NULL;
  int r = role ? crm_wire_lookup (crm_role_names, role) : -1;

  return r >= 0 ? 1u << r : 0;
}

/* The Pipeline section is for the roles that read opportunities (the
 * entity table); its reports ask the server as the signed-in user. */
static void
update_pipeline (CrmWindow *self)
{
  JsonObject *user = crm_context_get_user (self->context);
  const CrmEntityInfo *opportunity = crm_entity_info (CRM_ENTITY_OPPORTUNITY);
  guint role = user_role_bit (self);
  gboolean sells = (opportunity->readable_by & role) != 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), "pipeline") == 0)
      gtk_widget_set_visible (row, sells);
  if (user != NULL && !sells && g_strcmp0 (crm_window_get_section (self), "pipeline") == 0)
    show_section (self, "customers");
  crm_pipeline_page_set_session (self->pipeline_page, sells ? crm_context_get_api (self->context) : NULL,
                                 sells ? user : NULL);
  /* The list's open pipeline sums the store's opportunities: whole only
   * when the role reads them and its sync sends them all (a director's
   * sends their own).  A user remembered without a role keeps it. */
  crm_customers_page_set_pipeline_shown (self->customers_page,
                                         role == 0 || (sells && (opportunity->synced_own_for & role) == 0));
}

/* The Campaigns section is for the roles that make campaigns (the entity
 * table: marketing and administrators); its count and launch ask the
 * server as the signed-in user. */
static void
update_campaigns (CrmWindow *self)
{
  JsonObject *user = crm_context_get_user (self->context);
  gboolean plans = (crm_entity_info (CRM_ENTITY_CAMPAIGN)->creatable_by & user_role_bit (self)) != 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), "campaigns") == 0)
      gtk_widget_set_visible (row, plans);
  if (user != NULL && !plans && g_strcmp0 (crm_window_get_section (self), "campaigns") == 0)
    show_section (self, "customers");
  crm_campaigns_page_set_session (self->campaigns_page, plans ? crm_context_get_api (self->context) : NULL,
                                  plans ? user : NULL);
}

/* My Campaign Tasks (issue 11) is for those who work campaign targets:
 * account managers, directors and administrators; the tasks are the
 * signed-in user's. */
static void
update_campaign_tasks (CrmWindow *self)
{
  JsonObject *user = crm_context_get_user (self->context);
  guint workers = CRM_ROLES (ADMIN) | CRM_ROLES (DIRECTOR) | CRM_ROLES (MANAGER);
  gboolean works = (workers & user_role_bit (self)) != 0;

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), "campaign-tasks") == 0)
      gtk_widget_set_visible (row, works);
  if (user != NULL && !works && g_strcmp0 (crm_window_get_section (self), "campaign-tasks") == 0)
    show_section (self, "customers");
  crm_campaign_tasks_page_set_user_id (self->campaign_tasks_page,
                                       works ? json_object_get_string_member_with_default (user, "id", NULL) : NULL);
}

/* win.open-customer(s id): the customer's 360° page, from another section. */
static void
open_customer_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);

  show_section (self, "customers");
  crm_customers_page_open_customer (self->customers_page, g_variant_get_string (parameter, NULL));
}

static void
update_offline (CrmWindow *self)
{
  update_user (self);
  gtk_revealer_set_reveal_child (self->offline_revealer, crm_context_get_offline (self->context));
}

/* Whether the signed-in user's role makes customers (the entity table). */
static gboolean
may_create_customers (CrmWindow *self)
{
  return (crm_entity_info (CRM_ENTITY_CUSTOMER)->creatable_by & user_role_bit (self)) != 0;
}

static void
customer_created_cb (CrmWindow  *self,
                     const char *id)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (self->context);

  if (engine != NULL)
    crm_sync_engine_sync_now (engine);
  crm_customers_page_open_customer (self->customers_page, id);
}

/* win.new-customer (Ctrl+N): a prospect, from the list. */
static void
new_customer_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);
  CrmStore *store = crm_context_get_store (self->context);
  GtkWidget *dialog;

  if (store == NULL || !may_create_customers (self))
    return;
  dialog = crm_customer_dialog_new (GTK_WINDOW (self), store);
  g_signal_connect_object (dialog, "created", G_CALLBACK (customer_created_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* While a sync runs that has not synced before: how far a first sync is,
 * when its total is known (the list may show while it goes on). */
static char *
syncing_subtitle (CrmSyncEngine *engine)
{
  double fraction = crm_sync_engine_get_first_sync (engine) ? crm_sync_engine_get_fraction (engine) : -1;

  if (fraction < 0)
    return g_strdup (_("Syncing…"));
  /* TRANSLATORS: the header bar while a first sync runs, with how far it is */
  return g_strdup_printf (_("Syncing… %u%%"), (guint) (fraction * 100));
}

static void
set_subtitle (CrmWindow  *self,
              const char *subtitle)
{
  /* a first sync's progress comes with each page: the title is laid out
   * again only when its words change */
  if (g_strcmp0 (adw_window_title_get_subtitle (self->section_title), subtitle) != 0)
    adw_window_title_set_subtitle (self->section_title, subtitle);
}

/* The header bar's word on the local copy: when it last synced, or that
 * the server cannot be reached; a spinner while a sync runs. */
static void
update_sync_status (CrmWindow *self)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (self->context);
  CrmSyncStatus status;
  g_autoptr(GDateTime) last = NULL;
  g_autofree char *subtitle = NULL;
  const char *error;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync", engine != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-customer", engine != NULL && may_create_customers (self));
  if (engine == NULL)
    {
      set_subtitle (self, "");
      gtk_stack_set_visible_child_name (self->sync_stack, "idle");
      gtk_spinner_stop (self->sync_spinner);
      gtk_widget_set_visible (GTK_WIDGET (self->offline_icon), FALSE);
      return;
    }

  status = crm_sync_engine_get_status (engine);
  if (crm_sync_engine_get_last_synced (engine) != NULL)
    last = g_date_time_ref (crm_sync_engine_get_last_synced (engine));
  else if (crm_sync_engine_get_store (engine) != NULL)
    last = crm_store_dup_last_sync (crm_sync_engine_get_store (engine));

  switch (status)
    {
    case CRM_SYNC_STATUS_OFFLINE:
      subtitle = g_strdup (_("Offline — working on the local copy"));
      break;

    case CRM_SYNC_STATUS_FAILED:
      subtitle = g_strdup (_("Last sync failed"));
      break;

    case CRM_SYNC_STATUS_RUNNING:
    case CRM_SYNC_STATUS_IDLE:
      /* a first sync stores the time of each page it applies: it has not
       * synced until it ends */
      if (last != NULL && !(status == CRM_SYNC_STATUS_RUNNING && crm_sync_engine_get_first_sync (engine)))
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          subtitle = crm_format_synced (last, now);
        }
      else if (status == CRM_SYNC_STATUS_RUNNING)
        subtitle = syncing_subtitle (engine);
      else
        subtitle = g_strdup (_("Not synced yet"));
      break;

    default:
      g_assert_not_reached ();
    }

  set_subtitle (self, subtitle);
  error = crm_sync_engine_get_last_error (engine);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->section_title),
                               status == CRM_SYNC_STATUS_FAILED && error ? error : NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_icon), status == CRM_SYNC_STATUS_OFFLINE);

  if (status == CRM_SYNC_STATUS_RUNNING)
    {
      gtk_spinner_start (self->sync_spinner);
      gtk_stack_set_visible_child_name (self->sync_stack, "running");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->sync_stack, "idle");
      gtk_spinner_stop (self->sync_spinner);
    }
}

static gboolean
synced_timer_cb (gpointer user_data)
{
  update_sync_status (CRM_WINDOW (user_data));
  return G_SOURCE_CONTINUE;
}

static void
engine_changed_cb (CrmWindow  *self,
                   GParamSpec *pspec,
                   CrmContext *context)
{
  g_signal_group_set_target (self->engine_signals, crm_context_get_sync_engine (context));
  update_sync_status (self);
}

static void
engine_status_cb (CrmWindow *self)
{
  update_sync_status (self);
}

/* Each page of a sync: only a first sync's figure changes. */
static void
engine_progress_cb (CrmWindow *self)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (self->context);
  g_autofree char *subtitle = NULL;

  if (engine == NULL || crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING ||
      !crm_sync_engine_get_first_sync (engine))
    return;
  subtitle = syncing_subtitle (engine);
  set_subtitle (self, subtitle);
}

/* The name of the customer a change belongs to (a contact's customer),
 * or NULL. */
static char *
conflict_customer_name (CrmStore    *store,
                        CrmMutation *mutation,
                        JsonObject  *current)
{
  const char *customer_id = mutation->record_id;
  g_autoptr(CrmCustomer) customer = NULL;

  if (mutation->entity == CRM_ENTITY_CONTACT)
    customer_id = current ? json_object_get_string_member_with_default (current, "customer_id", NULL) : NULL;
  if (store != NULL && customer_id != NULL)
    customer = crm_store_get_customer (store, customer_id, NULL);
  if (customer != NULL)
    return g_strdup (customer->name);
  if (mutation->entity == CRM_ENTITY_CUSTOMER && current != NULL)
    return g_strdup (json_object_get_string_member_with_default (current, "name", NULL));
  return NULL;
}

static void
conflict_resolved_cb (CrmWindow   *self,
                      CrmMutation *resolved)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (self->context);

  if (resolved != NULL && engine != NULL)
    crm_sync_engine_sync_now (engine);
}

/* win.resolve-conflict(x seq): the conflict dialog for a change. */
static void
resolve_conflict_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);
  CrmStore *store = crm_context_get_store (self->context);
  g_autoptr(CrmMutation) mutation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  GtkWidget *dialog;

  if (store == NULL)
    return;
  mutation = crm_store_get_mutation (store, g_variant_get_int64 (parameter), &error);
  if (mutation == NULL || mutation->state != CRM_MUTATION_CONFLICT)
    return;   /* resolved meanwhile */
  name = conflict_customer_name (store, mutation, NULL);
  dialog = crm_conflict_dialog_new (GTK_WINDOW (self), store, mutation, name);
  g_signal_connect_object (dialog, "resolved", G_CALLBACK (conflict_resolved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
conflict_cb (CrmWindow   *self,
             CrmMutation *mutation,
             JsonObject  *current)
{
  g_autofree char *name = conflict_customer_name (crm_context_get_store (self->context), mutation, current);
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (name != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (name, -1);

      /* TRANSLATORS: %s is the name of a customer */
      title = g_strdup_printf (_("Changes to %s conflict with someone else’s"), escaped);
    }
  else
    title = g_strdup (_("Your changes conflict with someone else’s"));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Resolve…"));
  adw_toast_set_action_name (toast, "win.resolve-conflict");
  adw_toast_set_action_target_value (toast, g_variant_new_int64 (mutation->seq));
  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Said on the sign-in page the state change has just shown, not in a
 * toast: a toast without a timeout stayed over the window after signing
 * in again (and dismissing it from code crashed libadwaita 1.2). */
static void
session_expired_cb (CrmWindow  *self,
                    CrmContext *context)
{
  crm_sign_in_page_show_notice (self->sign_in_page, _("Your session has ended. Sign in again to go on syncing."));
}

/* ------------------------------------------------------------------ */
/* Unsent changes: the header bar's count and its list                 */
/* ------------------------------------------------------------------ */

static void
pending_count_cb (CrmWindow *self)
{
  g_autofree char *label = crm_pending_popover_dup_label (self->pending_popover);
  guint count = crm_pending_popover_get_count (self->pending_popover);

  gtk_label_set_label (self->pending_label, label);
  gtk_widget_set_visible (GTK_WIDGET (self->pending_button), count > 0);
  if (count == 0)
    gtk_popover_popdown (GTK_POPOVER (self->pending_popover));
}

static void
pending_services_cb (CrmWindow  *self,
                     GParamSpec *pspec,
                     CrmContext *context)
{
  crm_pending_popover_set_store (self->pending_popover, crm_context_get_store (context));
  crm_pending_popover_set_sync_engine (self->pending_popover, crm_context_get_sync_engine (context));
}

static void
pending_init (CrmWindow *self)
{
  g_signal_connect_object (self->context, "notify::store", G_CALLBACK (pending_services_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "notify::sync-engine", G_CALLBACK (pending_services_cb), self, G_CONNECT_SWAPPED);
  pending_services_cb (self, NULL, self->context);
  pending_count_cb (self);
}

/* ------------------------------------------------------------------ */
/* Signing out with unsent changes                                     */
/* ------------------------------------------------------------------ */

static void sign_out_response_cb (AdwMessageDialog *dialog,
                                  const char       *response,
                                  gpointer          user_data);

/* Asks what to do with @count unsent changes; answers @task. */
static void
ask_about_unsent (CrmWindow  *self,
                  GTask      *task,
                  const char *heading,
                  const char *body,
                  gboolean    offer_send)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));

  adw_message_dialog_add_response (dialog, "cancel", offer_send ? _("_Cancel") : _("_Stay Signed In"));
  adw_message_dialog_add_response (dialog, "discard", _("Sign Out _Anyway"));
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  if (offer_send)
    {
      adw_message_dialog_add_response (dialog, "send", _("_Send and Sign Out"));
      adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
    }
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (sign_out_response_cb), g_object_ref (task));
  g_set_weak_pointer (&self->sign_out_dialog, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static guint
count_unsent (CrmWindow *self)
{
  CrmStore *store = crm_context_get_store (self->context);
  g_autoptr(GError) error = NULL;
  guint count;

  if (store == NULL)
    return 0;
  count = crm_store_count_unsent_changes (store, &error);
  if (error != NULL)
    g_warning ("Could not count the unsent changes: %s", error->message);
  return count;
}

static void
send_before_sign_out_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  CrmWindow *self = g_task_get_source_object (task);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  guint count;

  crm_sync_engine_sync_finish (CRM_SYNC_ENGINE (object), result, &error);
  if (crm_context_get_state (self->context) != CRM_SESSION_SIGNED_IN)
    {
      /* The server ended the session meanwhile: the changes stay with the
       * local copy, which an ended session keeps. */
      g_task_return_boolean (task, FALSE);
      return;
    }

  count = count_unsent (self);
  if (count == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u change is still not sent",
                                          "%u changes are still not sent", count),
                             count);
  if (error != NULL)
    body = g_strdup_printf (_("The changes could not be sent (%s). You are still signed in and they are kept on this computer."),
                            error->message);
  else
    body = g_strdup (_("The server refused some of them. You are still signed in: the list of unsent changes says why."));
  ask_about_unsent (self, task, heading, body, FALSE);
}

static void
sign_out_response_cb (AdwMessageDialog *dialog,
                      const char       *response,
                      gpointer          user_data)
{
  g_autoptr(GTask) task = user_data;
  CrmWindow *self = g_task_get_source_object (task);
  CrmSyncEngine *engine = crm_context_get_sync_engine (self->context);

  g_clear_weak_pointer (&self->sign_out_dialog);

  if (g_strcmp0 (response, "discard") == 0)
    g_task_return_boolean (task, TRUE);
  else if (g_strcmp0 (response, "send") == 0 && engine != NULL)
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      crm_sync_engine_sync_async (engine, cancellable, send_before_sign_out_cb, g_steal_pointer (&task));
    }
  else
    g_task_return_boolean (task, FALSE);
}

/**
 * crm_window_confirm_sign_out_async:
 *
 * Decides whether signing out may go ahead.  Without unsent changes it
 * may, at once.  With some, a dialog says how many and offers Cancel (the
 * default), Send and Sign Out (a sync; yes only if the queue is empty
 * afterwards, else it says what is left and asks again) and Sign Out
 * Anyway (signing out deletes the local copy, and the changes with it).
 */
void
crm_window_confirm_sign_out_async (CrmWindow           *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *heading = NULL;
  guint count;

  g_return_if_fail (CRM_IS_WINDOW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_window_confirm_sign_out_async);

  count = count_unsent (self);
  if (count == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u change has not been sent",
                                          "%u changes have not been sent", count),
                             count);
  ask_about_unsent (self, task, heading,
                    _("Signing out removes your customers from this computer, and with them every change the server has not confirmed. Send them first, or they are lost."),
                    TRUE);
}

gboolean
crm_window_confirm_sign_out_finish (CrmWindow     *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_window_get_sign_out_dialog:
 *
 * Returns: (transfer none) (nullable): the dialog about unsent changes
 *   while it is shown
 */
AdwMessageDialog *
crm_window_get_sign_out_dialog (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return self->sign_out_dialog;
}

/* The sign-in page opens local copies offline through the context. */
static void
offline_init (CrmWindow *self)
{
  crm_sign_in_page_set_context (self->sign_in_page, self->context);
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);
  CrmSyncEngine *engine = crm_context_get_sync_engine (self->context);

  if (engine != NULL)
    crm_sync_engine_sync_now (engine);
}

static void
update_page (CrmWindow *self)
{
  switch (crm_context_get_state (self->context))
    {
    case CRM_SESSION_STARTING:
      gtk_stack_set_visible_child_name (self->stack, "starting");
      break;

    case CRM_SESSION_SIGNED_OUT:
      {
        g_autofree char *server = crm_context_dup_server_url (self->context);
        g_autofree char *login = g_settings_get_string (crm_context_get_settings (self->context), "login");

        crm_sign_in_page_reset (self->sign_in_page);
        crm_sign_in_page_set_server_url (self->sign_in_page, server);
        if (login[0] != '\0')
          crm_sign_in_page_set_login (self->sign_in_page, login);
        gtk_stack_set_visible_child_name (self->stack, "sign-in");
        gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_page));
        gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", FALSE);
      }
      break;

    case CRM_SESSION_SIGNED_IN:
      gtk_stack_set_visible_child_name (self->stack, "main");
      break;

    default:
      g_assert_not_reached ();
    }

  update_offline (self);
}

static void
state_changed_cb (CrmWindow  *self,
                  GParamSpec *pspec,
                  CrmContext *context)
{
  update_page (self);
}

static void
user_changed_cb (CrmWindow  *self,
                 GParamSpec *pspec,
                 CrmContext *context)
{
  update_user (self);
  update_pipeline (self);
  update_campaigns (self);
  update_campaign_tasks (self);
}

static void
offline_changed_cb (CrmWindow  *self,
                    GParamSpec *pspec,
                    CrmContext *context)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", crm_context_get_offline (context));
  update_offline (self);
}

static void
keyring_failed_cb (CrmWindow    *self,
                   const GError *error,
                   CrmContext   *context)
{
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("The keyring could not keep your sign-in: you will be asked to sign in again next time")));
}

static void
signed_in_cb (CrmWindow     *self,
              CrmApi        *api,
              const char    *token,
              JsonObject    *user,
              CrmSignInPage *page)
{
  crm_context_take_session (self->context, api, token, user);
}

static void
sidebar_row_selected_cb (CrmWindow     *self,
                         GtkListBoxRow *row,
                         GtkListBox    *list)
{
  const char *name;

  if (row == NULL)
    return;

  name = gtk_widget_get_name (GTK_WIDGET (row));
  show_section (self, name);
  g_settings_set_string (crm_context_get_settings (self->context), "last-section", name);
}

static void
sidebar_row_activated_cb (CrmWindow     *self,
                          GtkListBoxRow *row,
                          GtkListBox    *list)
{
  /* folded, the sidebar lies over the section chosen */
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

/*
 * Adaptive layout (libadwaita 1.2 has no breakpoints): below
 * CRM_WINDOW_NARROW_WIDTH the sidebar folds away (the header's sidebar
 * button opens it over the content; the detail page keeps the only back
 * button), and the list hides the columns it has no room for
 * (crm-customers-page.c).  Decided from the width the window is given,
 * before its children are allocated, so no frame shows the other layout.
 */
static void
crm_window_size_allocate (GtkWidget *widget,
                          int        width,
                          int        height,
                          int        baseline)
{
  CrmWindow *self = CRM_WINDOW (widget);
  AdwFlapFoldPolicy policy = width < CRM_WINDOW_NARROW_WIDTH ? ADW_FLAP_FOLD_POLICY_ALWAYS
                                                             : ADW_FLAP_FOLD_POLICY_NEVER;

  if (self->flap != NULL && adw_flap_get_fold_policy (self->flap) != policy)
    adw_flap_set_fold_policy (self->flap, policy);

  GTK_WIDGET_CLASS (crm_window_parent_class)->size_allocate (widget, width, height, baseline);
}

static void
reconnect_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!crm_context_restore_finish (CRM_CONTEXT (object), result, &error))
    g_message ("Checking the session failed: %s", error->message);

  /* Still offline: say so again, the toast was dismissed by its button. */
  update_offline (self);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmWindow *self = CRM_WINDOW (widget);

  crm_context_restore_async (self->context, NULL, reconnect_cb, g_object_ref (self));
}

static gboolean
crm_window_close_request (GtkWindow *window)
{
  CrmWindow *self = CRM_WINDOW (window);
  GSettings *settings = crm_context_get_settings (self->context);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_debug ("Closing at %d×%d%s", width, height, gtk_window_is_maximized (window) ? ", maximized" : "");

  g_settings_delay (settings);
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window) && width > 0 && height > 0)
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
  g_settings_apply (settings);

  return GTK_WINDOW_CLASS (crm_window_parent_class)->close_request (window);
}

static void
crm_window_constructed (GObject *object)
{
  CrmWindow *self = (CrmWindow *)object;
  GSettings *settings;
  g_autofree char *section = NULL;

  G_OBJECT_CLASS (crm_window_parent_class)->constructed (object);

  g_assert (CRM_IS_CONTEXT (self->context));
  settings = crm_context_get_settings (self->context);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  section = g_settings_get_string (settings, "last-section");
  show_section (self, section);
  if (gtk_list_box_get_selected_row (self->sidebar) == NULL)
    show_section (self, "customers");

  g_signal_connect_object (self->context, "notify::state", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "notify::user", G_CALLBACK (user_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "notify::offline", G_CALLBACK (offline_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "keyring-failed", G_CALLBACK (keyring_failed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->context, "notify::sync-engine", G_CALLBACK (engine_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->context, "session-expired", G_CALLBACK (session_expired_cb), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->context, "store", self->customers_page, "store", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->context, "sync-engine", self->customers_page, "sync-engine", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->context, "store", self->pipeline_page, "store", G_BINDING_SYNC_CREATE);
  update_pipeline (self);
  g_object_bind_property (self->context, "store", self->campaigns_page, "store", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->context, "sync-engine", self->campaigns_page, "sync-engine", G_BINDING_SYNC_CREATE);
  update_campaigns (self);
  g_object_bind_property (self->context, "store", self->campaign_tasks_page, "store", G_BINDING_SYNC_CREATE);
  update_campaign_tasks (self);
  g_signal_group_set_target (self->engine_signals, crm_context_get_sync_engine (self->context));
  self->synced_timer = g_timeout_add_seconds (SYNCED_LABEL_SECONDS, synced_timer_cb, self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", crm_context_get_offline (self->context));
  update_page (self);
  update_sync_status (self);
  pending_init (self);
  offline_init (self);
}

static void
crm_window_dispose (GObject *object)
{
  CrmWindow *self = (CrmWindow *)object;

  g_clear_weak_pointer (&self->sign_out_dialog);
  g_clear_handle_id (&self->synced_timer, g_source_remove);
  if (self->engine_signals != NULL)
    g_signal_group_set_target (self->engine_signals, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_WINDOW);

  G_OBJECT_CLASS (crm_window_parent_class)->dispose (object);
}

static void
crm_window_finalize (GObject *object)
{
  CrmWindow *self = (CrmWindow *)object;

  g_clear_object (&self->engine_signals);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_window_parent_class)->finalize (object);
}

static void
crm_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CrmWindow *self = CRM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CrmWindow *self = CRM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_window_class_init (CrmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = crm_window_constructed;
  object_class->dispose = crm_window_dispose;
  object_class->finalize = crm_window_finalize;
  object_class->get_property = crm_window_get_property;
  object_class->set_property = crm_window_set_property;

  window_class->close_request = crm_window_close_request;
  widget_class->size_allocate = crm_window_size_allocate;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         CRM_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRM_TYPE_SIGN_IN_PAGE);
  g_type_ensure (CRM_TYPE_CUSTOMERS_PAGE);
  g_type_ensure (CRM_TYPE_PIPELINE_PAGE);
  g_type_ensure (CRM_TYPE_CAMPAIGNS_PAGE);
  g_type_ensure (CRM_TYPE_CAMPAIGN_TASKS_PAGE);
  g_type_ensure (CRM_TYPE_PENDING_POPOVER);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sections);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, section_title);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, avatar);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, user_name_label);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, user_detail_label);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, customers_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, pipeline_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, campaigns_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, campaign_tasks_page);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sync_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, offline_icon);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, pending_button);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, pending_label);
  gtk_widget_class_bind_template_child (widget_class, CrmWindow, pending_popover);
  gtk_widget_class_bind_template_callback (widget_class, pending_count_cb);
  gtk_widget_class_bind_template_callback (widget_class, signed_in_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, sidebar_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.resolve-conflict", "x", resolve_conflict_action);
  gtk_widget_class_install_action (widget_class, "win.new-customer", NULL, new_customer_action);
  gtk_widget_class_install_action (widget_class, "win.open-customer", "s", open_customer_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-customer", NULL);
}

static void
crm_window_init (CrmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->engine_signals = g_signal_group_new (CRM_TYPE_SYNC_ENGINE);
  g_signal_group_connect_swapped (self->engine_signals, "notify::status", G_CALLBACK (engine_status_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::first-sync", G_CALLBACK (engine_status_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::last-synced", G_CALLBACK (engine_status_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::last-error", G_CALLBACK (engine_status_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::received", G_CALLBACK (engine_progress_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::total", G_CALLBACK (engine_progress_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "conflict", G_CALLBACK (conflict_cb), self);
}

CrmWindow *
crm_window_new (GtkApplication *application,
                CrmContext     *context)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CRM_IS_CONTEXT (context), NULL);

  return g_object_new (CRM_TYPE_WINDOW,
                       "application", application,
                       "context", context,
                       NULL);
}

CrmContext *
crm_window_get_context (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return self->context;
}

/**
 * crm_window_get_page:
 *
 * Returns: what the window shows: "starting", "sign-in" or "main"
 */
const char *
crm_window_get_page (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * crm_window_get_section:
 *
 * Returns: the name of the sidebar section shown, such as "customers"
 */
const char *
crm_window_get_section (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->sections);
}

/**
 * crm_window_get_customers_page:
 *
 * Returns: (transfer none): the Customers section
 */
CrmCustomersPage *
crm_window_get_customers_page (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return self->customers_page;
}

/**
 * crm_window_get_sync_status:
 *
 * Returns: the header bar's word on the local copy, such as "Synced 2
 *   minutes ago", or "" when signed out
 */
const char *
crm_window_get_sync_status (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return adw_window_title_get_subtitle (self->section_title);
}

/**
 * crm_window_get_pending_popover:
 *
 * Returns: (transfer none): the list of unsent changes, which the header
 *   bar's button opens
 */
CrmPendingPopover *
crm_window_get_pending_popover (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return self->pending_popover;
}

/**
 * crm_window_get_pending_button:
 *
 * Returns: (transfer none): the header bar's button that counts the
 *   unsent changes (hidden when there are none)
 */
GtkWidget *
crm_window_get_pending_button (CrmWindow *self)
{
  g_return_val_if_fail (CRM_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->pending_button);
}
