/* The Campaigns section against the real server (in-process, over a
 * throwaway PostgreSQL seeded by `keyline-server seed`), signed in as the
 * seeded marketing user: the section is shown to them, its list puts
 * running and planned campaigns first; a segment built from condition
 * rows is counted by POST /segments/preview (the count equal to plain SQL
 * over the database), saved through the mutation path, used by a new
 * campaign's plan, and the campaign launched once both reached the
 * server: the members the answer reports are the rows PostgreSQL holds.
 * A condition the server refuses shows the server's message under that
 * row (the answer's JSON pointer names it, in a group of "or" too); a
 * value that is no number is said at once; out of reach, the count says
 * offline.  Against a stand-in server (crm-test-server.c): the preview
 * sends the rows' criteria tree, the launch is one POST whose 409 is shown
 * as the server's refusal, and its answer's figures are read.
 * Accessibility on. */
#define G_LOG_DOMAIN "test-gui-campaigns"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-application.h"
#include "crm-auth.h"
#include "crm-campaign-results.h"
#include "crm-campaigns-page.h"
#include "crm-error.h"
#include "crm-format.h"
#include "crm-test-live.h"
#include "crm-test-server.h"
#include "crm-test-store.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;

/* What the segment the test builds matches, as the database says it:
 * active customers with a churn risk of at least 60. */
static const char SQL_SEGMENT_COUNT[] =
  "SELECT count(*) FROM crm.customers c WHERE c.status = 'active' AND c.churn_risk >= $1::int";
static const char SQL_MEMBERS[] =
  "SELECT count(*) FROM crm.campaign_members WHERE campaign_id = (SELECT id FROM crm.campaigns WHERE name = $1)";
static const char SQL_CONTROL[] =
  "SELECT count(*) FROM crm.campaign_members WHERE is_control"
  " AND campaign_id = (SELECT id FROM crm.campaigns WHERE name = $1)";
static const char SQL_STATUS[] = "SELECT status::text FROM crm.campaigns WHERE name = $1";
static const char SQL_SEGMENT_OF[] =
  "SELECT s.name FROM crm.campaigns c JOIN crm.segments s ON s.id = c.segment_id WHERE c.name = $1";

typedef struct
{
  CrmContext       *context;
  CrmWindow        *window;
  CrmCampaignsPage *page;
} Desktop;

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
results_fresh (gpointer results)
{
  return crm_campaign_results_get_state (results) == CRM_REPORT_STATE_FRESH;
}

static GtkWidget *
sidebar_row (Desktop    *self,
             const char *name)
{
  GtkWidget *sidebar = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (self->window), CRM_TYPE_WINDOW,
                                                                  "sidebar"));

  for (GtkWidget *row = gtk_widget_get_first_child (sidebar); row; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      return row;
  return NULL;
}

static Desktop *
desktop_new (const char *login)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, login, &token);
  Desktop *self = g_new0 (Desktop, 1);

  self->context = crm_context_new (settings);
  crm_context_set_sync_interval (self->context, 0);
  self->window = g_object_ref_sink (crm_window_new (NULL, self->context));
  gtk_window_set_default_size (GTK_WINDOW (self->window), 1280, 900);
  gtk_window_present (GTK_WINDOW (self->window));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", crm_test_live_get_url (live), TRUE);
  crm_context_restore_async (self->context, NULL, NULL, NULL);
  crm_test_wait_for (signed_in, self->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");
  crm_test_wait_for (engine_idle, crm_context_get_sync_engine (self->context));

  self->page = CRM_CAMPAIGNS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (self->window), CRM_TYPE_WINDOW,
                                                                 "campaigns_page"));
  return self;
}

static void
desktop_free (Desktop *self)
{
  if (crm_context_get_state (self->context) == CRM_SESSION_SIGNED_IN)
    crm_context_sign_out_async (self->context, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (self->window));
  crm_test_iterate (50);
  g_assert_finalize_object (self->window);
  g_clear_object (&self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desktop, desktop_free)

static void
show_campaigns (Desktop *self)
{
  GtkWidget *row = sidebar_row (self, "campaigns");

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_get_visible (row));
  gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (row)), GTK_LIST_BOX_ROW (row));
  g_assert_cmpstr (crm_window_get_section (self->window), ==, "campaigns");
  crm_test_wait_drawn (self->page);
}

/* The descendant of @widget named @name (depth first), looking into a
 * menu button's popover too. */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget)) != NULL)
    {
      GtkWidget *found = find_named (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (widget))), name);

      if (found != NULL)
        return found;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_type (GtkWidget *widget,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
editor_child (CrmCampaignEditor *editor,
              const char        *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (editor), CRM_TYPE_CAMPAIGN_EDITOR, name));
}

static GtkWidget *
segment_child (CrmSegmentEditor *editor,
               const char       *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (editor), CRM_TYPE_SEGMENT_EDITOR, name));
}

/* Adds a condition row as the Add Condition button does and sets it to
 * @field @op, joined to the one before by "or" when @or. */
static GtkWidget *
add_condition (CrmSegmentEditor *segment,
               const char       *field,
               const char       *op,
               gboolean          or)
{
  guint n = crm_segment_editor_get_n_conditions (segment);
  GtkWidget *row;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (segment), "segment.add-condition", NULL));
  g_assert_cmpuint (crm_segment_editor_get_n_conditions (segment), ==, n + 1);
  row = crm_segment_editor_get_condition (segment, n);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (find_named (row, "kind")),
                              crm_segment_editor_kind_position (field, op));
  if (or)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (find_named (row, "joiner")), 1);
  return row;
}

static void
type_value (GtkWidget  *row,
            const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (find_named (row, "value")), text);
}

typedef struct
{
  CrmSegmentEditor *segment;
  const char       *state;
} StateWait;

static gboolean
in_state (gpointer data)
{
  StateWait *wait = data;

  return g_strcmp0 (crm_segment_editor_get_state (wait->segment), wait->state) == 0;
}

static void
wait_state (CrmSegmentEditor *segment,
            const char       *state)
{
  StateWait wait = { segment, state };

  crm_test_wait_for (in_state, &wait);
}

static gboolean
all_sent (gpointer context)
{
  return crm_sync_engine_get_status (crm_context_get_sync_engine (context)) == CRM_SYNC_STATUS_IDLE &&
         crm_store_count_unsent_changes (crm_context_get_store (context), NULL) == 0;
}

static gboolean
launch_offered (gpointer page)
{
  return crm_campaigns_page_get_launch_reason (page)[0] == '\0';
}

static gboolean
message_dialog_shown (gpointer data)
{
  return crm_test_find_message_dialog () != NULL;
}

static gboolean
result_shown (gpointer page)
{
  return gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (page, CRM_TYPE_CAMPAIGNS_PAGE,
                                                                            "launch_result")));
}

static gint64
scalar_int (const char *sql,
            const char *param)
{
  g_autofree char *text = crm_test_live_scalar (live, sql, param);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static void
assert_contains (const char *text,
                 const char *expected)
{
  if (strstr (text, expected) == NULL)
    g_error ("“%s” is not in “%s”", expected, text);
}

static void
test_list_puts_running_and_planned_first (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("marketing");
  g_auto(GStrv) listed = NULL;
  g_autoptr(GPtrArray) records = crm_store_get_records (crm_context_get_store (desktop->context),
                                                        CRM_ENTITY_CAMPAIGN, NULL, NULL);
  static const char * const order[] = { "running", "planned", "draft", "completed", "cancelled", NULL };
  int last = 0;

  show_campaigns (desktop);
  listed = crm_campaigns_page_dup_listed (desktop->page);
  g_assert_cmpuint (g_strv_length (listed), ==, records->len);
  g_assert_cmpuint (records->len, >, 1);
  for (guint i = 0; listed[i] != NULL; i++)
    for (guint j = 0; j < records->len; j++)
      if (g_strcmp0 (json_object_get_string_member (records->pdata[j], "id"), listed[i]) == 0)
        {
          int rank = g_strv_length ((char **) order);

          for (int r = 0; order[r]; r++)
            if (g_strcmp0 (order[r], json_object_get_string_member (records->pdata[j], "status")) == 0)
              rank = r;
          g_assert_cmpint (rank, >=, last);
          last = rank;
        }
  /* the seed has running campaigns: the first is one */
  g_assert_true (crm_campaigns_page_select (desktop->page, listed[0]));
  g_assert_cmpstr (crm_campaign_editor_get_status (crm_campaigns_page_get_editor (desktop->page)), ==, "running");
  g_assert_true (g_str_has_prefix (crm_campaigns_page_get_launch_reason (desktop->page), "Launched "));

  /* an account manager has no Campaigns section */
  g_clear_pointer (&desktop, desktop_free);
  {
    g_autoptr(Desktop) manager = desktop_new ("manager");

    g_assert_false (gtk_widget_get_visible (sidebar_row (manager, "campaigns")));
  }
}

static void
test_build_count_save_plan_launch (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("marketing");
  CrmCampaignEditor *editor = crm_campaigns_page_get_editor (desktop->page);
  CrmSegmentEditor *segment = crm_campaigns_page_get_segment_editor (desktop->page);
  const char *name = "测试 高流失风险挽留 GUI";
  gint64 expected = scalar_int (SQL_SEGMENT_COUNT, "60");
  g_autofree char *members_text = NULL;
  g_autofree char *control_text = NULL;
  GtkWidget *row, *sms, *dialog;
  CrmCampaignResults *results;
  const char *result;

  show_campaigns (desktop);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->page), "campaigns.new", NULL));
  g_assert_null (crm_campaigns_page_get_selected_id (desktop->page));

  /* the plan: Save with nothing typed says what is missing under it */
  g_assert_false (crm_campaign_editor_save (editor));
  g_assert_true (gtk_widget_get_visible (editor_child (editor, "name_error")));
  g_assert_true (gtk_widget_get_visible (editor_child (editor, "channels_error")));
  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, "name_row")), name);
  adw_combo_row_set_selected (ADW_COMBO_ROW (editor_child (editor, "kind_row")), 3);  /* retention */
  sms = find_named (editor_child (editor, "channels_group"), "sms");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find_type (sms, GTK_TYPE_CHECK_BUTTON)), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (find_type (sms, GTK_TYPE_ENTRY)), "0.08");
  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, "budget_row")), "20000");
  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, "discount_row")), "15");
  if (!crm_campaign_editor_save (editor))
    {
      g_autofree char *text = crm_test_dup_visible_text (editor);

      g_error ("The plan was not saved:\n%s", text);
    }
  g_assert_nonnull (crm_campaigns_page_get_selected_id (desktop->page));
  g_assert_false (gtk_widget_get_visible (editor_child (editor, "name_error")));
  g_assert_cmpstr (crm_campaigns_page_get_launch_reason (desktop->page), ==,
                   "Choose a segment and save the plan first");

  /* the segment: active, churn risk at least 60 */
  row = add_condition (segment, "status", "in", FALSE);
  g_assert_cmpstr (crm_segment_editor_get_state (segment), ==, "incomplete");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find_named (row, "active")), TRUE);
  row = add_condition (segment, "churn_risk", "gte", FALSE);
  type_value (row, "6");
  type_value (row, "60");
  /* asked only after a pause */
  g_assert_cmpstr (crm_segment_editor_get_state (segment), ==, "waiting");
  wait_state (segment, "counted");
  g_assert_cmpint (crm_segment_editor_get_count (segment), ==, expected);
  g_assert_cmpint (expected, >, 0);
  {
    GtkWidget *sample = segment_child (segment, "sample_list");
    guint n = 0;

    while (gtk_list_box_get_row_at_index (GTK_LIST_BOX (sample), n) != NULL)
      n++;
    g_assert_cmpuint (n, ==, MIN (expected, 5));
  }

  gtk_editable_set_text (GTK_EDITABLE (segment_child (segment, "name_row")), "高流失风险活跃客户 GUI");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (segment), "segment.save", NULL));
  g_assert_nonnull (crm_segment_editor_get_segment (segment));
  /* queued, not yet on the server: Launch waits and says why */
  g_assert_cmpstr (crm_campaigns_page_get_launch_reason (desktop->page), ==,
                   "Waiting for the campaign and its segment to reach the server");
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (all_sent, desktop->context);
  crm_test_wait_for (launch_offered, desktop->page);
  {
    g_autofree char *segment_name = crm_test_live_scalar (live, SQL_SEGMENT_OF, name);

    g_assert_cmpstr (segment_name, ==, "高流失风险活跃客户 GUI");
  }

  /* nothing to import outcomes into before the launch */
  g_assert_false (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
    GTK_WIDGET (desktop->page), CRM_TYPE_CAMPAIGNS_PAGE, "import_button"))));
  /* Launch asks first */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->page), "campaigns.launch", NULL));
  crm_test_wait_for (message_dialog_shown, NULL);
  dialog = crm_test_find_message_dialog ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "launch");
  gtk_window_destroy (GTK_WINDOW (dialog));   /* as its buttons close it */
  crm_test_wait_for (result_shown, desktop->page);
  result = gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (desktop->page),
                                                                          CRM_TYPE_CAMPAIGNS_PAGE, "launch_result")));
  g_assert_cmpint (scalar_int (SQL_MEMBERS, name), ==, expected);
  members_text = crm_format_number (expected);
  control_text = crm_format_number (scalar_int (SQL_CONTROL, name));
  {
    g_autofree char *members = g_strdup_printf ("Launched: %s members, ", members_text);
    g_autofree char *control = g_strdup_printf ("%s in the control group", control_text);

    assert_contains (result, members);
    assert_contains (result, control);
  }
  {
    g_autofree char *status = crm_test_live_scalar (live, SQL_STATUS, name);

    g_assert_cmpstr (status, ==, "running");
  }
  /* after the sync the campaign is running here too: no second launch */
  crm_test_wait_for (all_sent, desktop->context);
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (engine_idle, crm_context_get_sync_engine (desktop->context));
  g_assert_cmpstr (crm_campaign_editor_get_status (editor), ==, "running");
  g_assert_true (g_str_has_prefix (crm_campaigns_page_get_launch_reason (desktop->page), "Launched "));
  /* its segment is shown, no longer edited here */
  g_assert_false (gtk_widget_get_visible (segment_child (segment, "save_button")));

  /* running: its outcomes may be imported, and its Results are the
   * server's for this campaign (the treated members are its targets) */
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (gtk_widget_get_template_child (
    GTK_WIDGET (desktop->page), CRM_TYPE_CAMPAIGNS_PAGE, "import_button"))));
  results = crm_campaigns_page_open_results (desktop->page);
  g_assert_nonnull (results);
  g_assert_cmpstr (crm_campaign_results_get_campaign (results), ==,
                   crm_campaigns_page_get_selected_id (desktop->page));
  crm_test_wait_for (results_fresh, results);
  g_assert_cmpint (crm_campaign_results_get_report (results)->totals.targets, ==,
                   expected - scalar_int (SQL_CONTROL, name));
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (results))));
}

static void
test_refused_condition_is_marked (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("marketing");
  CrmSegmentEditor *segment = crm_campaigns_page_get_segment_editor (desktop->page);
  GtkWidget *first, *second, *error;

  show_campaigns (desktop);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->page), "campaigns.new", NULL));

  /* not a number: said at once, nothing asked */
  first = add_condition (segment, "churn_risk", "gte", FALSE);
  type_value (first, "abc");
  g_assert_cmpstr (crm_segment_editor_get_state (segment), ==, "incomplete");
  error = find_named (first, "error");
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error)), ==, "Enter a whole number, 0 or more");

  /* out of the server's range: its message, under the row its pointer
   * names (/criteria/all/0/any/1/value: the second of an "or" group) */
  type_value (first, "70");
  second = add_condition (segment, "arpu_trend", "falling", TRUE);
  type_value (second, "150");
  wait_state (segment, "invalid");
  g_assert_false (gtk_widget_get_visible (find_named (first, "error")));
  error = find_named (second, "error");
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error)), ==, "arpu_trend falling takes a number from 0 to 100");
  gtk_test_accessible_assert_state (gtk_widget_get_parent (find_named (second, "value")), GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_TRUE);

  /* corrected: counted, the message gone */
  type_value (second, "15");
  wait_state (segment, "counted");
  g_assert_false (gtk_widget_get_visible (find_named (second, "error")));

  /* out of reach: offline, not an error */
  crm_test_live_stop (live);
  type_value (second, "20");
  wait_state (segment, "offline");
  assert_contains (gtk_label_get_label (GTK_LABEL (segment_child (segment, "count_label"))), "Offline");
  crm_test_live_start (live);
}

/* ------------------------------------------------------------------ */
/* Against a stand-in server                                           */
/* ------------------------------------------------------------------ */

#define FIXTURE_PLANNED "00000000-0000-4000-8000-00000000c002"

static void
test_api_preview_and_launch_read_the_answers (void)
{
  g_autoptr(CrmTestServer) server = crm_test_server_new ();
  g_autoptr(CrmApi) api = crm_api_new (server->url, NULL);
  g_autoptr(JsonNode) criteria = json_from_string ("{\"all\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\"]}]}",
                                                   NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) sample = NULL;
  g_autoptr(JsonNode) sent = NULL;
  GAsyncResult *result = NULL;
  CrmCampaignLaunch launch = { 0 };
  gint64 count = -1;

  crm_test_server_answer (server, SOUP_STATUS_OK,
                          "{\"count\": 1234, \"sample\": [{\"id\": \"x\", \"name\": \"甲\", \"tier\": \"key\"}]}", NULL);
  crm_api_preview_segment_async (api, criteria, 5, NULL, crm_test_done_cb, &result);
  sample = crm_api_preview_segment_finish (api, crm_test_wait_result (&result), &count, &error);
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 1234);
  g_assert_cmpuint (json_array_get_length (sample), ==, 1);
  g_assert_cmpstr (server->last_method, ==, "POST");
  g_assert_cmpstr (server->last_path, ==, "/api/v1/segments/preview");
  sent = json_from_string (server->last_body, NULL);
  g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (sent), "criteria"), criteria));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (sent), "sample"), ==, 5);

  /* a refused criterion keeps the server's pointer */
  crm_test_server_answer (server, SOUP_STATUS_BAD_REQUEST,
                          "{\"error\": {\"code\": \"invalid\", \"message\": \"Unknown field “x”\","
                          " \"field\": \"/criteria/all/0/field\"}}", NULL);
  crm_api_preview_segment_async (api, criteria, 5, NULL, crm_test_done_cb, &result);
  g_assert_null (crm_api_preview_segment_finish (api, crm_test_wait_result (&result), &count, &error));
  g_clear_object (&result);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpstr (crm_error_get_field (error), ==, "/criteria/all/0/field");
  g_clear_error (&error);

  /* an answer without a count is not taken for one */
  crm_test_server_answer (server, SOUP_STATUS_OK, "{\"sample\": []}", NULL);
  crm_api_preview_segment_async (api, criteria, 5, NULL, crm_test_done_cb, &result);
  g_assert_null (crm_api_preview_segment_finish (api, crm_test_wait_result (&result), &count, &error));
  g_clear_object (&result);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_clear_error (&error);

  crm_test_server_answer (server, SOUP_STATUS_OK,
                          "{\"campaign_id\": \"" FIXTURE_PLANNED "\", \"status\": \"running\", \"members\": 120,"
                          " \"control\": 18, \"treated\": 102, \"assigned\": 90, \"queued\": 12}", NULL);
  crm_api_launch_campaign_async (api, FIXTURE_PLANNED, NULL, crm_test_done_cb, &result);
  g_assert_true (crm_api_launch_campaign_finish (api, crm_test_wait_result (&result), &launch, &error));
  g_clear_object (&result);
  g_assert_no_error (error);
  g_assert_cmpstr (server->last_path, ==, "/api/v1/campaigns/" FIXTURE_PLANNED "/launch");
  g_assert_cmpint (launch.members, ==, 120);
  g_assert_cmpint (launch.control, ==, 18);
  g_assert_cmpint (launch.treated, ==, 102);
  g_assert_cmpint (launch.assigned, ==, 90);
  g_assert_cmpint (launch.queued, ==, 12);
}

static void
test_launch_refused_shows_the_conflict (void)
{
  g_autoptr(CrmTestServer) server = crm_test_server_new ();
  g_autoptr(CrmTestStore) store = crm_test_store_new_from ("campaigns-page.json");
  g_autoptr(CrmApi) api = crm_api_new (server->url, NULL);
  g_auto(GStrv) listed = NULL;
  GtkWidget *window = gtk_window_new ();
  CrmCampaignsPage *page = CRM_CAMPAIGNS_PAGE (crm_campaigns_page_new ());
  CrmSegmentEditor *segment = crm_campaigns_page_get_segment_editor (page);
  GtkWidget *dialog, *result;

  crm_test_server_answer (server, SOUP_STATUS_CONFLICT,
                          "{\"error\": {\"code\": \"conflict\", \"message\": \"The campaign was launched before, or is"
                          " not a draft or planned\", \"field\": \"status\"}}", NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  crm_campaigns_page_set_store (page, store->store);
  crm_campaigns_page_set_session (page, api, NULL);
  gtk_window_present (GTK_WINDOW (window));
  crm_test_wait_drawn (window);

  /* planned before completed */
  listed = crm_campaigns_page_dup_listed (page);
  g_assert_cmpstr (listed[0], ==, FIXTURE_PLANNED);
  g_assert_true (crm_campaigns_page_select (page, FIXTURE_PLANNED));
  g_assert_cmpstr (crm_campaigns_page_get_selected_id (page), ==, FIXTURE_PLANNED);
  /* the segment's "or" group is shown as rows */
  g_assert_cmpuint (crm_segment_editor_get_n_conditions (segment), ==, 3);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (find_named (crm_segment_editor_get_condition (segment, 2),
                                                                          "joiner"))), ==, 1);
  g_assert_cmpstr (crm_campaigns_page_get_launch_reason (page), ==, "");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "campaigns.launch", NULL));
  dialog = crm_test_find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "launch");
  gtk_window_destroy (GTK_WINDOW (dialog));   /* as its buttons close it */
  crm_test_wait_for (result_shown, page);
  g_assert_cmpstr (server->last_method, ==, "POST");
  g_assert_cmpstr (server->last_path, ==, "/api/v1/campaigns/" FIXTURE_PLANNED "/launch");
  result = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CAMPAIGNS_PAGE, "launch_result"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (result)), ==,
                   "Not launched: the server refused it (409 Conflict): The campaign was launched before, or is not"
                   " a draft or planned");
  g_assert_true (gtk_widget_has_css_class (result, "error"));

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

static const char *
stored_status (CrmStore   *store,
               const char *id)
{
  g_autoptr(GPtrArray) records = crm_store_get_records (store, CRM_ENTITY_CAMPAIGN, NULL, NULL);

  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member (records->pdata[i], "id"), id) == 0)
      return g_intern_string (json_object_get_string_member (records->pdata[i], "status"));
  return NULL;
}

static void
test_status_moves_as_the_contract_allows (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new_from ("campaigns-page.json");
  GtkWidget *window = gtk_window_new ();
  CrmCampaignsPage *page = CRM_CAMPAIGNS_PAGE (crm_campaigns_page_new ());
  CrmCampaignEditor *editor = crm_campaigns_page_get_editor (page);
  GtkWidget *dialog;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  crm_campaigns_page_set_store (page, store->store);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (crm_campaigns_page_select (page, FIXTURE_PLANNED));

  /* planned: back to draft or cancel, not complete */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (editor), "campaign.complete", NULL) &&
                  g_strcmp0 (stored_status (store->store, FIXTURE_PLANNED), "completed") == 0);
  g_assert_cmpstr (stored_status (store->store, FIXTURE_PLANNED), ==, "planned");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "campaign.draft", NULL));
  g_assert_cmpstr (stored_status (store->store, FIXTURE_PLANNED), ==, "draft");
  g_assert_cmpstr (crm_campaign_editor_get_status (editor), ==, "draft");

  /* Cancel asks first; keeping it changes nothing */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "campaign.cancel", NULL));
  dialog = crm_test_find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  gtk_window_destroy (GTK_WINDOW (dialog));   /* as its buttons close it */
  crm_test_iterate (50);
  g_assert_cmpstr (stored_status (store->store, FIXTURE_PLANNED), ==, "draft");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "campaign.cancel", NULL));
  dialog = crm_test_find_message_dialog ();
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel-campaign");
  gtk_window_destroy (GTK_WINDOW (dialog));   /* as its buttons close it */
  crm_test_iterate (50);
  g_assert_cmpstr (stored_status (store->store, FIXTURE_PLANNED), ==, "cancelled");
  /* cancelled: nothing more, and the plan is no longer edited */
  g_assert_false (gtk_widget_get_sensitive (editor_child (editor, "planning_box")));
  g_assert_cmpstr (crm_campaigns_page_get_launch_reason (page), ==, "Only a draft or planned campaign is launched");

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  data_home = g_dir_make_tmp ("keyline-campaigns-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_application_setup_gettext ();
  crm_auth_init (NULL);

  g_test_add_func ("/client/campaigns/api/preview-and-launch-read-the-servers-answers",
                   test_api_preview_and_launch_read_the_answers);
  g_test_add_func ("/client/campaigns/a-refused-launch-says-409-and-the-servers-reason",
                   test_launch_refused_shows_the_conflict);
  g_test_add_func ("/client/campaigns/status-moves-as-the-contract-allows-and-cancel-asks-first",
                   test_status_moves_as_the_contract_allows);
  if (!crm_test_live_available ())
    return g_test_run ();
  live = crm_test_live_new (200);

  g_test_add_func ("/client/campaigns/the-list-puts-running-and-planned-first-for-marketing-only",
                   test_list_puts_running_and_planned_first);
  g_test_add_func ("/client/campaigns/a-built-segment-is-counted-saved-planned-and-launched",
                   test_build_count_save_plan_launch);
  g_test_add_func ("/client/campaigns/a-refused-condition-shows-the-servers-message-under-its-row",
                   test_refused_condition_is_marked);

  status = g_test_run ();
  crm_test_live_free (live);
  g_rmdir (data_home);
  return status;
}
