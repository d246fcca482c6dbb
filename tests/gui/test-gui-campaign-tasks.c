/* My Campaign Tasks against the real server (in-process, over a throwaway
 * PostgreSQL seeded by `keyline-server seed`): marketing launches a
 * campaign through POST /campaigns/{id}/launch; the account manager signs
 * in, syncs, and the section lists exactly the campaign members assigned
 * to them (what plain SQL says, open and all); an outcome recorded in the
 * outcome dialog while the server is stopped shows at once, as unsent,
 * and reaches PostgreSQL once the server is back; the customer's 360°
 * page lists its campaign targets.  Accessibility on. */
#define G_LOG_DOMAIN "test-gui-campaign-tasks"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-application.h"
#include "crm-auth.h"
#include "crm-campaign-task.h"
#include "crm-campaign-tasks-page.h"
#include "crm-customer-campaigns.h"
#include "crm-customer-detail.h"
#include "crm-customers-page.h"
#include "crm-opportunity-dialog.h"
#include "crm-outcome-dialog.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

#define CAMPAIGN_NAME "宽带续约回访 (tasks test)"

static CrmTestLive *live;
static char *data_home;
static char *campaign_id;   /* launched by marketing in main () */

/* The manager's campaign members, as keys "campaign/customer" in order:
 * $1 'open' for the pending and contacted only. */
static const char SQL_MY_MEMBERS[] =
  "SELECT coalesce(string_agg(m.campaign_id || '/' || m.customer_id, ',' ORDER BY (m.campaign_id::text || '/'"
  "   || m.customer_id::text) COLLATE \"C\"), '')"
  "  FROM crm.campaign_members m JOIN crm.users u ON u.id = m.assigned_to"
  " WHERE u.login = 'manager' AND NOT m.is_control"
  "   AND ($1 <> 'open' OR m.response IN ('pending', 'contacted'))";

/* A member's response, and its channel, contact (Unix time) and whether
 * the answer came after it; $1 its key "campaign/customer". */
static const char SQL_RESPONSE[] =
  "SELECT response FROM crm.campaign_members WHERE campaign_id::text || '/' || customer_id::text = $1";
/* A converted member's link: its response, the opportunity's source and
 * campaign; $1 its key. */
static const char SQL_CONVERSION[] =
  "SELECT m.response || ' ' || o.source || ' ' || o.campaign_id || ' ' || o.name"
  "  FROM crm.campaign_members m JOIN crm.opportunities o ON o.id = m.opportunity_id"
  " WHERE m.campaign_id::text || '/' || m.customer_id::text = $1";
static const char SQL_OUTCOME[] =
  "SELECT channel || ' ' || extract(epoch FROM contacted_at)::bigint || ' ' || (responded_at > contacted_at)::text"
  "  FROM crm.campaign_members WHERE campaign_id::text || '/' || customer_id::text = $1";

/* ------------------------------------------------------------------ */

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
engine_idle (gpointer engine)
{
  return crm_sync_engine_get_status (engine) == CRM_SYNC_STATUS_IDLE &&
         crm_sync_engine_get_last_synced (engine) != NULL;
}

static gboolean
engine_offline (gpointer engine)
{
  return crm_sync_engine_get_status (engine) == CRM_SYNC_STATUS_OFFLINE;
}

static gboolean
page_read (gpointer page)
{
  return !crm_campaign_tasks_page_get_busy (page);
}

typedef struct
{
  CrmContext           *context;
  CrmWindow            *window;
  CrmCampaignTasksPage *page;
} Desktop;

static Desktop *
desktop_new_as (const char *login)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, login, &token);
  Desktop *self = g_new0 (Desktop, 1);

  g_settings_set_string (settings, "last-section", "customers");
  self->context = crm_context_new (settings);
  crm_context_set_sync_interval (self->context, 0);
  self->window = g_object_ref_sink (crm_window_new (NULL, self->context));
  gtk_window_set_default_size (GTK_WINDOW (self->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (self->window));
  self->page = CRM_CAMPAIGN_TASKS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (self->window), CRM_TYPE_WINDOW,
                                                                       "campaign_tasks_page"));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", crm_test_live_get_url (live), TRUE);
  crm_context_restore_async (self->context, NULL, NULL, NULL);
  crm_test_wait_for (signed_in, self->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");

  crm_test_wait_for (engine_idle, crm_context_get_sync_engine (self->context));
  crm_test_wait_for (page_read, self->page);
  return self;
}

static Desktop *
desktop_new (void)
{
  return desktop_new_as ("manager");
}

static void
desktop_free (Desktop *self)
{
  crm_test_iterate (400);
  if (crm_context_get_state (self->context) == CRM_SESSION_SIGNED_IN)
    crm_context_sign_out_async (self->context, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (self->window));
  crm_test_iterate (100);
  g_assert_finalize_object (self->window);
  g_clear_object (&self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desktop, desktop_free)

static GtkWidget *
sidebar_row (Desktop    *desktop,
             const char *name)
{
  GtkWidget *sidebar = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (desktop->window), CRM_TYPE_WINDOW,
                                                                  "sidebar"));

  for (GtkWidget *row = gtk_widget_get_first_child (sidebar); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      return row;
  return NULL;
}

/* The section through its sidebar row, as a click does. */
static void
show_tasks (Desktop *desktop)
{
  GtkWidget *row = sidebar_row (desktop, "campaign-tasks");
  GtkWidget *sidebar = gtk_widget_get_parent (row);

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (row));
  gtk_list_box_select_row (GTK_LIST_BOX (sidebar), GTK_LIST_BOX_ROW (row));
  g_assert_cmpstr (crm_window_get_section (desktop->window), ==, "campaign-tasks");
  crm_test_wait_drawn (desktop->page);
  crm_test_wait_for (page_read, desktop->page);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The keys the page shows, sorted, joined by ",". */
static char *
shown_keys (CrmCampaignTasksPage *page)
{
  GListModel *model = crm_campaign_tasks_page_get_model (page);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmCampaignTask) task = g_list_model_get_item (model, i);

      g_ptr_array_add (keys, g_strdup (crm_campaign_task_get_key (task)));
    }
  g_ptr_array_sort (keys, compare_keys);
  g_ptr_array_add (keys, NULL);
  return g_strjoinv (",", (char **) keys->pdata);
}

static GtkWidget *
page_child (Desktop    *desktop,
            const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (desktop->page), CRM_TYPE_CAMPAIGN_TASKS_PAGE, name));
}

/* The first open task of the launched campaign, shown. */
static CrmCampaignTask *
first_task_of_campaign (Desktop *desktop)
{
  GListModel *model = crm_campaign_tasks_page_get_model (desktop->page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmCampaignTask) task = g_list_model_get_item (model, i);

      if (g_strcmp0 (crm_campaign_task_get_campaign_id (task), campaign_id) == 0 && crm_campaign_task_is_open (task))
        return g_steal_pointer (&task);
    }
  return NULL;
}

static CrmCampaignTask *
shown_task (Desktop    *desktop,
            const char *key)
{
  GListModel *model = crm_campaign_tasks_page_get_model (desktop->page);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmCampaignTask) task = g_list_model_get_item (model, i);

      if (g_str_equal (crm_campaign_task_get_key (task), key))
        return g_steal_pointer (&task);
    }
  return NULL;
}

static GtkWidget *
find_outcome_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CRM_IS_OUTCOME_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
no_outcome_dialog (gpointer data)
{
  return find_outcome_dialog () == NULL;
}

/* ------------------------------------------------------------------ */

static void
test_list_shows_my_members (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *open_expected = crm_test_live_scalar (live, SQL_MY_MEMBERS, "open");
  g_autofree char *all_expected = crm_test_live_scalar (live, SQL_MY_MEMBERS, "all");
  g_autofree char *launched = crm_test_live_scalar (live,
                                                    "SELECT count(*) FROM crm.campaign_members m"
                                                    " JOIN crm.users u ON u.id = m.assigned_to"
                                                    " WHERE u.login = 'manager' AND m.campaign_id = $1",
                                                    campaign_id);
  g_autofree char *open_shown = NULL;
  g_autofree char *all_shown = NULL;
  g_autofree char *count_text = NULL;
  GListModel *model;
  const char *previous_due = NULL;
  g_autoptr(CrmCampaignTask) first = NULL;
  const char *name;

  /* the launch gave the manager targets: the comparison is not of nothing */
  g_test_message ("launched campaign: %s members assigned to the manager", launched);
  g_assert_cmpint (atoi (launched), >, 0);

  show_tasks (desktop);
  g_assert_cmpstr (crm_campaign_tasks_page_get_state (desktop->page), ==, "list");

  /* Open (the default): pending and contacted, exactly the database's */
  open_shown = shown_keys (desktop->page);
  g_assert_cmpstr (open_shown, ==, open_expected);
  {
    g_auto(GStrv) keys = g_strsplit (open_expected, ",", -1);

    g_assert_cmpuint (crm_campaign_tasks_page_get_open_count (desktop->page), ==, g_strv_length (keys));
    count_text = g_strdup_printf ("%u", g_strv_length (keys));
  }
  /* the sidebar counts them */
  {
    g_autofree char *sidebar = crm_test_dup_visible_text (sidebar_row (desktop, "campaign-tasks"));

    g_assert_nonnull (strstr (sidebar, "My Campaign Tasks"));
    g_assert_nonnull (strstr (sidebar, count_text));
  }

  /* due first: the campaigns' end dates never go down */
  model = crm_campaign_tasks_page_get_model (desktop->page);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmCampaignTask) task = g_list_model_get_item (model, i);
      const char *due = crm_campaign_task_get_due (task);

      g_assert_nonnull (due);
      if (previous_due != NULL)
        g_assert_cmpstr (previous_due, <=, due);
      previous_due = g_intern_string (due);
    }

  /* an open task whose campaign has ended says it is overdue (they sort
   * first, so they are drawn) */
  {
    g_autofree char *overdue = crm_test_live_scalar (live,
                                                     "SELECT count(*) FROM crm.campaign_members m"
                                                     " JOIN crm.users u ON u.id = m.assigned_to"
                                                     " JOIN crm.campaigns k ON k.id = m.campaign_id"
                                                     " WHERE u.login = 'manager' AND NOT m.is_control"
                                                     "   AND m.response IN ('pending', 'contacted')"
                                                     "   AND k.ends_on < current_date AND $1 = $1", "");
    g_autofree char *text = crm_test_dup_visible_text (desktop->page);

    g_test_message ("%s overdue tasks", overdue);
    g_assert_true ((strstr (text, "Overdue") != NULL) == (atoi (overdue) > 0));
  }

  /* All: every member assigned to them, whatever the outcome */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (page_child (desktop, "all_button")), TRUE);
  all_shown = shown_keys (desktop->page);
  g_assert_cmpstr (all_shown, ==, all_expected);
  g_assert_cmpuint (strlen (all_shown), >, strlen (open_shown));

  /* the search by customer keeps that customer's tasks only */
  first = g_list_model_get_item (model, 0);
  name = crm_campaign_task_get_customer_name (first);
  g_assert_nonnull (name);
  gtk_editable_set_text (GTK_EDITABLE (page_child (desktop, "search_entry")), name);
  crm_test_iterate (400);   /* the search entry waits before it says */
  g_assert_cmpuint (g_list_model_get_n_items (model), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmCampaignTask) task = g_list_model_get_item (model, i);

      g_assert_nonnull (strstr (crm_campaign_task_get_customer_name (task), name));
    }
  gtk_editable_set_text (GTK_EDITABLE (page_child (desktop, "search_entry")), "没有这个客户 no such customer");
  crm_test_iterate (400);
  g_assert_cmpstr (crm_campaign_tasks_page_get_state (desktop->page), ==, "no-match");
}

static gboolean
queue_empty (gpointer context)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (context);

  return engine != NULL && crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING &&
         crm_store_count_unsent_changes (crm_context_get_store (context), NULL) == 0;
}

typedef struct
{
  Desktop    *desktop;
  const char *key;
  gboolean    unsent;
} ShownState;

static gboolean
task_unsent_is (gpointer data)
{
  ShownState *state = data;
  g_autoptr(CrmCampaignTask) task = NULL;

  if (crm_campaign_tasks_page_get_busy (state->desktop->page))
    return FALSE;
  task = shown_task (state->desktop, state->key);
  return task != NULL && crm_campaign_task_get_unsent (task) == state->unsent;
}

static GtkWidget *
dialog_child (GtkWidget  *dialog,
              const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (dialog, CRM_TYPE_OUTCOME_DIALOG, name));
}

static void
test_outcome_offline_reaches_the_server (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmCampaignTask) task = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) contacted = g_date_time_add_hours (now, -26);
  g_autoptr(GDateTime) responded = g_date_time_add_hours (now, -3);
  g_autofree char *contacted_text = g_date_time_format (contacted, "%Y-%m-%d %H:%M");
  g_autofree char *responded_text = g_date_time_format (responded, "%Y-%m-%d %H:%M");
  g_autofree char *contacted_epoch = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                      g_date_time_to_unix (contacted) - g_date_time_get_second (contacted));
  g_autofree char *key = NULL;
  g_autofree char *customer_id = NULL;
  g_autofree char *on_server = NULL;
  CrmStore *store = crm_context_get_store (desktop->context);
  CrmSyncEngine *engine = crm_context_get_sync_engine (desktop->context);
  GtkWidget *dialog;
  GtkWidget *pending_button = crm_window_get_pending_button (desktop->window);
  ShownState state = { desktop, NULL, TRUE };

  show_tasks (desktop);
  task = first_task_of_campaign (desktop);
  g_assert_nonnull (task);
  key = g_strdup (crm_campaign_task_get_key (task));
  customer_id = g_strdup (crm_campaign_task_get_customer_id (task));
  state.key = key;
  g_assert_true (crm_campaign_tasks_page_select (desktop->page, key));

  /* the server goes away; the client finds out on its next sync */
  crm_test_live_stop (live);
  crm_sync_engine_sync_now (engine);
  crm_test_wait_for (engine_offline, engine);

  /* Enter on the row: the outcome dialog */
  gtk_widget_activate_action (GTK_WIDGET (desktop->page), "tasks.record-outcome", NULL);
  dialog = find_outcome_dialog ();
  g_assert_nonnull (dialog);
  crm_test_wait_drawn (dialog);
  {
    g_autofree char *text = crm_test_dup_visible_text (dialog);

    g_assert_nonnull (strstr (text, CAMPAIGN_NAME));
    g_assert_nonnull (strstr (text, crm_campaign_task_get_customer_name (task)));
  }
  /* Responded (the second outcome offered), by visit (the campaign's
   * second channel) */
  adw_combo_row_set_selected (ADW_COMBO_ROW (dialog_child (dialog, "response_row")), 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (dialog_child (dialog, "channel_row")), 1);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "contacted_row")), contacted_text);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "responded_row")), responded_text);
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "responded_row")));
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  crm_test_wait_for (no_outcome_dialog, NULL);

  /* at once, here: the record, the list (marked unsent) and the header's
   * count of unsent changes */
  {
    g_autoptr(CrmCampaignTask) local = crm_campaign_task_read_one (store, campaign_id, customer_id, NULL);

    g_assert_nonnull (local);
    g_assert_cmpstr (crm_campaign_task_get_field (local, "response"), ==, "responded");
    g_assert_cmpstr (crm_campaign_task_get_field (local, "channel"), ==, "visit");
  }
  /* no longer open: under All */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (page_child (desktop, "all_button")), TRUE);
  crm_test_wait_for (task_unsent_is, &state);
  {
    g_autoptr(CrmCampaignTask) shown = shown_task (desktop, key);

    g_assert_nonnull (shown);
    g_assert_false (crm_campaign_task_is_open (shown));
    g_assert_cmpstr (crm_campaign_task_get_field (shown, "response"), ==, "responded");
  }
  g_assert_cmpuint (crm_store_count_unsent_changes (store, NULL), ==, 1);
  crm_test_iterate (100);
  g_assert_true (gtk_widget_get_visible (pending_button));
  {
    g_autoptr(GPtrArray) changes = crm_store_list_unsent_changes (store, NULL);
    CrmUnsentChange *change = changes->pdata[0];

    g_assert_cmpint (change->mutation->entity, ==, CRM_ENTITY_CAMPAIGN_MEMBER);
    g_assert_cmpstr (change->mutation->record_id, ==, key);
    /* named by its customer in the list of unsent changes */
    g_assert_cmpstr (change->customer_id, ==, customer_id);
    g_assert_cmpstr (change->customer_name, ==, crm_campaign_task_get_customer_name (task));
  }
  /* nothing on the server yet */
  on_server = crm_test_live_scalar (live, SQL_RESPONSE, key);
  g_assert_cmpstr (on_server, ==, "pending");
  g_clear_pointer (&on_server, g_free);

  /* back online: sent, and the mark goes */
  crm_test_live_start (live);
  crm_sync_engine_sync_now (engine);
  crm_test_wait_for (queue_empty, desktop->context);
  on_server = crm_test_live_scalar (live, SQL_RESPONSE, key);
  g_assert_cmpstr (on_server, ==, "responded");
  g_clear_pointer (&on_server, g_free);
  on_server = crm_test_live_scalar (live, SQL_OUTCOME, key);
  {
    g_autofree char *expected = g_strdup_printf ("visit %s true", contacted_epoch);

    g_assert_cmpstr (on_server, ==, expected);
  }
  state.unsent = FALSE;
  crm_test_wait_for (task_unsent_is, &state);
}

static GtkWidget *
find_opportunity_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CRM_IS_OPPORTUNITY_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
no_opportunity_dialog (gpointer data)
{
  return find_opportunity_dialog () == NULL;
}

/* Converted, into a New Opportunity made from the dialog: the opportunity
 * comes from this campaign, and the member links it, on the server too. */
static void
test_conversion_links_a_new_opportunity (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmCampaignTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) opportunity = NULL;
  g_autoptr(JsonObject) fields = NULL;
  g_autofree char *key = NULL;
  g_autofree char *on_server = NULL;
  g_autofree char *expected = NULL;
  CrmStore *store = crm_context_get_store (desktop->context);
  GtkWidget *dialog;
  GtkWidget *new_dialog;
  const char *opportunity_id;

  show_tasks (desktop);
  task = first_task_of_campaign (desktop);
  g_assert_nonnull (task);
  key = g_strdup (crm_campaign_task_get_key (task));
  g_assert_true (crm_campaign_tasks_page_select (desktop->page, key));
  gtk_widget_activate_action (GTK_WIDGET (desktop->page), "tasks.record-outcome", NULL);
  dialog = find_outcome_dialog ();
  g_assert_nonnull (dialog);
  adw_combo_row_set_selected (ADW_COMBO_ROW (dialog_child (dialog, "response_row")), 2);
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "link_group")));

  g_assert_true (gtk_widget_activate_action (dialog, "outcome.new-opportunity", NULL));
  new_dialog = find_opportunity_dialog ();
  g_assert_nonnull (new_dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (new_dialog)) == GTK_WINDOW (dialog));
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (new_dialog, CRM_TYPE_OPPORTUNITY_DIALOG,
                                                                      "name_row")),
                         "续约三年 (tasks test)");
  opportunity = crm_opportunity_dialog_dup_fields (CRM_OPPORTUNITY_DIALOG (new_dialog), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (opportunity, "source"), ==, "campaign");
  g_assert_cmpstr (json_object_get_string_member (opportunity, "campaign_id"), ==, campaign_id);
  g_assert_true (gtk_widget_activate_action (new_dialog, "dialog.save", NULL));
  crm_test_wait_for (no_opportunity_dialog, NULL);

  /* the new opportunity is the link chosen */
  fields = crm_outcome_dialog_dup_fields (CRM_OUTCOME_DIALOG (dialog), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (fields, "response"), ==, "converted");
  opportunity_id = json_object_get_string_member_with_default (fields, "opportunity_id", NULL);
  g_assert_nonnull (opportunity_id);
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "link_note")));
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  crm_test_wait_for (no_outcome_dialog, NULL);

  /* sent in order: the opportunity, then the member that links it */
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (queue_empty, desktop->context);
  on_server = crm_test_live_scalar (live, SQL_CONVERSION, key);
  expected = g_strdup_printf ("converted campaign %s 续约三年 (tasks test)", campaign_id);
  g_assert_cmpstr (on_server, ==, expected);
  g_assert_cmpuint (crm_store_count_unsent_changes (store, NULL), ==, 0);
}

/* The section is for the roles that work campaign targets: account
 * managers, directors, administrators; not marketing (who plans them) nor
 * service. */
static void
test_section_for_those_who_work_targets (void)
{
  const struct { const char *login; gboolean shown; } roles[] = {
    { "director", TRUE }, { "admin", TRUE }, { "marketing", FALSE }, { "service", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      g_autoptr(Desktop) desktop = desktop_new_as (roles[i].login);
      g_autofree char *expected = crm_test_live_scalar (live,
                                                        "SELECT count(*) FROM crm.campaign_members m"
                                                        " JOIN crm.users u ON u.id = m.assigned_to"
                                                        " WHERE u.login = $1 AND NOT m.is_control"
                                                        "   AND m.response IN ('pending', 'contacted')",
                                                        roles[i].login);

      g_test_message ("%s", roles[i].login);
      g_assert_true (gtk_widget_get_visible (sidebar_row (desktop, "campaign-tasks")) == roles[i].shown);
      /* their own tasks only: a director's are those assigned to them */
      g_assert_cmpuint (crm_campaign_tasks_page_get_open_count (desktop->page), ==,
                        roles[i].shown ? (guint) atoi (expected) : 0);
    }
}

static gboolean
campaigns_read (gpointer section)
{
  return !crm_customer_campaigns_get_busy (section) && crm_customer_campaigns_get_tasks (section) != NULL;
}

static void
test_customer_page_lists_campaign_targets (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmCampaignTask) task = NULL;
  g_autofree char *customer_id = NULL;
  g_autofree char *expected = NULL;
  CrmCustomersPage *customers = crm_window_get_customers_page (desktop->window);
  CrmCustomerDetail *detail = CRM_CUSTOMER_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (customers),
                                                                                   CRM_TYPE_CUSTOMERS_PAGE, "detail"));
  CrmCustomerCampaigns *section = CRM_CUSTOMER_CAMPAIGNS (gtk_widget_get_template_child (GTK_WIDGET (detail),
                                                                                         CRM_TYPE_CUSTOMER_DETAIL,
                                                                                         "campaigns_section"));
  GPtrArray *tasks;
  gboolean found = FALSE;

  show_tasks (desktop);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (page_child (desktop, "all_button")), TRUE);
  task = first_task_of_campaign (desktop);
  if (task == NULL)
    task = g_list_model_get_item (crm_campaign_tasks_page_get_model (desktop->page), 0);
  g_assert_nonnull (task);
  customer_id = g_strdup (crm_campaign_task_get_customer_id (task));
  g_assert_true (crm_campaign_tasks_page_select (desktop->page, crm_campaign_task_get_key (task)));

  /* Alt+Enter's action: the customer's 360° page */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->page), "tasks.open-customer", NULL));
  g_assert_cmpstr (crm_window_get_section (desktop->window), ==, "customers");
  g_assert_cmpstr (crm_customers_page_get_state (customers), ==, "detail");
  g_assert_cmpstr (crm_customer_detail_get_customer_id (detail), ==, customer_id);
  crm_test_wait_drawn (detail);
  crm_test_wait_for (campaigns_read, section);

  /* the customer's targets: assigned to the manager or queued, never the
   * control group */
  expected = crm_test_live_scalar (live,
                                   "SELECT count(*) FROM crm.campaign_members m"
                                   " WHERE m.customer_id = $1 AND NOT m.is_control"
                                   "   AND (m.queue IS NOT NULL OR m.assigned_to ="
                                   "        (SELECT id FROM crm.users WHERE login = 'manager'))",
                                   customer_id);
  tasks = crm_customer_campaigns_get_tasks (section);
  g_assert_cmpuint (tasks->len, ==, atoi (expected));
  for (guint i = 0; i < tasks->len; i++)
    found |= g_str_equal (crm_campaign_task_get_key (tasks->pdata[i]), crm_campaign_task_get_key (task));
  g_assert_true (found);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (section)));
  {
    g_autofree char *text = crm_test_dup_visible_text (section);
    g_autofree char *title = g_strdup (crm_campaign_task_get_campaign_field (task, "name"));
    GtkWidget *record = crm_test_find_button (section, "_Record Outcome…");

    g_assert_nonnull (strstr (text, "Campaigns"));
    g_assert_nonnull (record);
    /* the row's title is markup-free text of the campaign's name */
    g_assert_nonnull (title);
    /* a button's activation clicks it once its press has shown */
    gtk_widget_activate (record);
    crm_test_iterate (400);
    g_assert_nonnull (find_outcome_dialog ());
    gtk_widget_activate_action (find_outcome_dialog (), "dialog.escape", NULL);
    crm_test_wait_for (no_outcome_dialog, NULL);
  }
}

static void
test_outcome_dialog_checks_times (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmCampaignTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = NULL;
  GtkWidget *dialog;
  CrmStore *store = crm_context_get_store (desktop->context);
  guint before = crm_store_count_unsent_changes (store, NULL);

  show_tasks (desktop);
  task = first_task_of_campaign (desktop);
  g_assert_nonnull (task);
  dialog = crm_outcome_dialog_new (GTK_WINDOW (desktop->window), store, crm_campaign_task_get_campaign_id (task),
                                   crm_campaign_task_get_customer_id (task));
  g_assert_nonnull (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  crm_test_wait_drawn (dialog);

  /* declined, with the answer before the contact: said inline, not saved */
  adw_combo_row_set_selected (ADW_COMBO_ROW (dialog_child (dialog, "response_row")), 3);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "contacted_row")), "2026-11-20 10:00");
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "responded_row")), "2026-11-19 10:00");
  gtk_widget_activate_action (dialog, "dialog.save", NULL);
  crm_test_iterate (100);
  g_assert_nonnull (find_outcome_dialog ());
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "when_error")));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (dialog_child (dialog, "when_error"))), ==,
                   "The customer cannot respond before they were contacted");
  g_assert_true (gtk_widget_has_css_class (dialog_child (dialog, "responded_row"), "error"));
  g_assert_cmpuint (crm_store_count_unsent_changes (store, NULL), ==, before);

  /* converted: the link's choices are the customer's, and one link goes */
  adw_combo_row_set_selected (ADW_COMBO_ROW (dialog_child (dialog, "response_row")), 2);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "responded_row")), "2026-11-21 10:00");
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "link_group")));
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "link_note")));
  {
    GListModel *links = adw_combo_row_get_model (ADW_COMBO_ROW (dialog_child (dialog, "link_row")));
    g_autofree char *expected = crm_test_live_scalar (live,
                                                      "SELECT (SELECT count(*) FROM crm.opportunities WHERE customer_id = $1)"
                                                      " + (SELECT count(*) FROM crm.subscriptions WHERE customer_id = $1)",
                                                      crm_campaign_task_get_customer_id (task));

    g_assert_cmpuint (g_list_model_get_n_items (links), ==, 1 + atoi (expected));
    if (g_list_model_get_n_items (links) > 1)
      {
        adw_combo_row_set_selected (ADW_COMBO_ROW (dialog_child (dialog, "link_row")), 1);
        g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "link_note")));
      }
    fields = crm_outcome_dialog_dup_fields (CRM_OUTCOME_DIALOG (dialog), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (fields, "response"), ==, "converted");
    if (g_list_model_get_n_items (links) > 1)
      g_assert_true (json_object_has_member (fields, "opportunity_id") !=
                     json_object_has_member (fields, "subscription_id"));
  }
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "when_error")));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* ------------------------------------------------------------------ */

/* A campaign over every customer, launched by marketing through the API. */
static void
launch_campaign (void)
{
  g_autofree char *segment = crm_test_live_scalar (live,
                                                   "INSERT INTO crm.segments (name, criteria) VALUES"
                                                   " ('tasks test', $1::jsonb) RETURNING id",
                                                   "{\"all\": [{\"field\": \"monthly_revenue\", \"op\": \"gte\","
                                                   " \"value\": 0}]}");
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) body = json_node_init_object (json_node_alloc (), json_object_new ());
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *path = NULL;
  guint status = 0;

  campaign_id = crm_test_live_scalar (live,
                                      "INSERT INTO crm.campaigns (name, kind, channels, segment_id, status, starts_on,"
                                      "  ends_on, channel_costs, offer)"
                                      " VALUES ('" CAMPAIGN_NAME "', 'retention', '{phone,visit}', $1, 'planned',"
                                      "   current_date - 5, current_date + 20, '{\"phone\": 350, \"visit\": 2000}',"
                                      "   '续约三年月费 9 折')"
                                      " RETURNING id", segment);
  api = crm_test_live_sign_in (live, "marketing", &token);
  path = g_strdup_printf ("/campaigns/%s/launch", campaign_id);
  crm_api_post_json_async (api, path, body, NULL, crm_test_done_cb, &result);
  answer = crm_api_post_json_finish (api, crm_test_wait_result (&result), &status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (answer), "assigned"), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* accessibility on, whatever the environment says */
  g_unsetenv ("GTK_A11Y");
  data_home = g_dir_make_tmp ("keyline-campaign-tasks-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_application_setup_gettext ();
  crm_auth_init (NULL);

  if (!crm_test_live_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      remove_tree (data_home);
      return g_test_run ();
    }
  live = crm_test_live_new (120);
  launch_campaign ();

  g_test_add_func ("/client/campaign-tasks/list-shows-exactly-the-members-assigned-to-me",
                   test_list_shows_my_members);
  g_test_add_func ("/client/campaign-tasks/outcome-dialog-checks-times-and-offers-the-customers-links",
                   test_outcome_dialog_checks_times);
  g_test_add_func ("/client/campaign-tasks/outcome-recorded-offline-shows-at-once-and-reaches-the-server",
                   test_outcome_offline_reaches_the_server);
  g_test_add_func ("/client/campaign-tasks/conversion-links-a-new-opportunity-from-the-campaign",
                   test_conversion_links_a_new_opportunity);
  g_test_add_func ("/client/campaign-tasks/section-is-for-those-who-work-campaign-targets",
                   test_section_for_those_who_work_targets);
  g_test_add_func ("/client/campaign-tasks/customer-page-lists-its-campaign-targets",
                   test_customer_page_lists_campaign_targets);

  status = g_test_run ();
  crm_test_live_free (live);
  g_free (campaign_id);
  remove_tree (data_home);
  g_free (data_home);
  return status;
}
