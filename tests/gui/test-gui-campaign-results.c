/* The campaign results view (CrmCampaignResults), with accessibility on,
 * against the real server over a seeded PostgreSQL (crm-test-live.c),
 * signed in as marketing: the figures shown are the server's; an outcome
 * recorded through the store and synced changes them; with the server out
 * of reach the kept answer shows with its age (in a view opened afresh
 * too); the PDF and CSV exports are written; Compare puts two campaigns
 * side by side.  With KEYLINE_TEST_SHOT=FILE.png it only takes a picture
 * of the view, in the environment's language. */
#define G_LOG_DOMAIN "test-gui-campaign-results"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-api.h"
#include "crm-application.h"
#include "crm-auth.h"
#include "crm-campaign-compare.h"
#include "crm-campaign-report.h"
#include "crm-campaign-results.h"
#include "crm-format.h"
#include "crm-sync-engine.h"
#include "crm-test-live.h"
#include "crm-test-store.h"

static CrmTestLive *live;

/* The launched campaign with the most members that has both a control
 * group and treated members still pending. */
static const char SQL_CAMPAIGN[] =
  "SELECT m.campaign_id FROM crm.campaign_members m JOIN crm.campaigns c ON c.id = m.campaign_id"
  " WHERE c.launched_at IS NOT NULL GROUP BY m.campaign_id"
  " HAVING count(*) FILTER (WHERE m.is_control) > 0"
  "    AND count(*) FILTER (WHERE NOT m.is_control AND m.response = 'pending') > 0"
  " ORDER BY count(*) DESC, m.campaign_id LIMIT 1";
static const char SQL_OTHER_CAMPAIGN[] =
  "SELECT m.campaign_id FROM crm.campaign_members m WHERE m.campaign_id <> $1::uuid"
  " GROUP BY m.campaign_id ORDER BY count(*) DESC, m.campaign_id LIMIT 1";
static const char SQL_PENDING_MEMBER[] =
  "SELECT m.customer_id FROM crm.campaign_members m"
  " WHERE m.campaign_id = $1::uuid AND NOT m.is_control AND m.response = 'pending'"
  " ORDER BY m.customer_id LIMIT 1";
static const char SQL_UNLAUNCHED[] =
  "SELECT id FROM crm.campaigns WHERE launched_at IS NULL ORDER BY id LIMIT 1";
static const char SQL_FIRST_CHANNEL[] =
  "SELECT (channels[1])::text FROM crm.campaigns WHERE id = $1::uuid";

typedef struct
{
  CrmTestStore  *store;
  CrmApi        *api;
  CrmSyncEngine *engine;
  char          *campaign;
} Session;

static gboolean
engine_idle (gpointer engine)
{
  return crm_sync_engine_get_status (engine) == CRM_SYNC_STATUS_IDLE &&
         crm_sync_engine_get_last_synced (engine) != NULL && crm_sync_engine_get_pending (engine) == 0;
}

static void
sync_now (Session *s)
{
  crm_sync_engine_sync_now (s->engine);
  crm_test_iterate (50);
  crm_test_wait_for (engine_idle, s->engine);
}

static Session *
session_new (void)
{
  g_autofree char *token = NULL;
  Session *s = g_new0 (Session, 1);

  s->api = crm_test_live_sign_in (live, "marketing", &token);
  s->store = crm_test_store_new ();
  s->engine = crm_sync_engine_new (s->api, s->store->store);
  s->campaign = crm_test_live_scalar (live, SQL_CAMPAIGN, NULL);
  g_assert_nonnull (s->campaign);
  sync_now (s);
  return s;
}

static void
session_free (Session *s)
{
  g_clear_object (&s->engine);
  g_clear_object (&s->api);
  crm_test_store_free (s->store);
  g_free (s->campaign);
  g_free (s);
}

/* The server's answer, read as the client reads it, and its JSON. */
static CrmCampaignReport *
servers_results (CrmApi      *api,
                 const char  *campaign,
                 JsonObject **json)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  CrmCampaignReport *report;

  crm_api_get_campaign_results_async (api, campaign, NULL, crm_test_done_cb, &result);
  report = crm_api_get_campaign_results_finish (api, crm_test_wait_result (&result), &answer, &error);
  g_assert_no_error (error);
  if (json != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (answer, &error);

      g_assert_no_error (error);
      *json = json_object_ref (json_node_get_object (node));
    }
  return report;
}

typedef struct
{
  CrmCampaignResults *view;
  CrmReportState      state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *w = data;

  return crm_campaign_results_get_state (w->view) == w->state;
}

static void
wait_state (CrmCampaignResults *view,
            CrmReportState      state)
{
  StateWait w = { view, state };

  crm_test_wait_for (state_is, &w);
  crm_test_iterate (20);
}

static GtkWidget *
child (CrmCampaignResults *view,
       const char         *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (view), CRM_TYPE_CAMPAIGN_RESULTS, name));
}

/* The figures' values as shown, in order. */
static GPtrArray *
shown_figures (CrmCampaignResults *view)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

  for (GtkWidget *c = gtk_widget_get_first_child (child (view, "figures_box")); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *box = gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (c));
      GtkWidget *value = gtk_widget_get_last_child (box);

      g_ptr_array_add (values, g_strdup (gtk_label_get_label (GTK_LABEL (value))));
    }
  return values;
}

static char *
money_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return JSON_NODE_HOLDS_NULL (node) ? g_strdup ("—") : crm_format_money (json_node_get_int (node));
}

static char *
rate_member (JsonObject *object,
             const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return crm_campaign_format_rate (JSON_NODE_HOLDS_NULL (node) ? NAN : json_node_get_double (node));
}

/* The figures shown are the server's JSON's, member by member. */
static void
assert_figures_are (CrmCampaignResults *view,
                    JsonObject         *answer)
{
  JsonObject *totals = json_object_get_object_member (answer, "totals");
  JsonObject *control = json_object_get_object_member (answer, "control");
  JsonNode *roi = json_object_get_member (totals, "roi");
  g_autoptr(GPtrArray) shown = shown_figures (view);
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  static const char * const counts[] = { "targets", "contacted", "responded", "converted" };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    g_ptr_array_add (expected, crm_format_number (json_object_get_int_member (totals, counts[i])));
  g_ptr_array_add (expected, rate_member (totals, "response_rate"));
  g_ptr_array_add (expected, rate_member (totals, "conversion_rate"));
  g_ptr_array_add (expected, money_member (totals, "revenue"));
  g_ptr_array_add (expected, money_member (totals, "cost"));
  g_ptr_array_add (expected, money_member (answer, "budget"));
  g_ptr_array_add (expected, money_member (totals, "cost_per_response"));
  g_ptr_array_add (expected, crm_campaign_format_roi (JSON_NODE_HOLDS_NULL (roi) ? NAN : json_node_get_double (roi)));
  g_ptr_array_add (expected, crm_format_number (json_object_get_int_member (control, "members")));
  g_assert_cmpuint (shown->len, ==, expected->len);
  for (guint i = 0; i < expected->len; i++)
    g_assert_cmpstr (shown->pdata[i], ==, expected->pdata[i]);
}

static guint
n_rows (CrmCampaignResults   *view,
        CrmCampaignBreakdown  breakdown)
{
  GtkStack *stack = GTK_STACK (child (view, "breakdown_stack"));
  static const char * const names[] = { "channel", "tier", "region", "assignee" };
  GtkColumnView *list = GTK_COLUMN_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (gtk_stack_get_child_by_name (stack, names[breakdown]))));

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (list)));
}

/* Sorted by Targets, largest first (a click on the header twice): the
 * first row is the group with the most targets. */
static void
assert_sorts_by_targets (CrmCampaignResults       *view,
                         const CrmCampaignReport  *report)
{
  GtkStack *stack = GTK_STACK (child (view, "breakdown_stack"));
  GtkColumnView *list = GTK_COLUMN_VIEW (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (gtk_stack_get_child_by_name (stack, "tier"))));
  GListModel *columns = gtk_column_view_get_columns (list);
  g_autoptr(GtkColumnViewColumn) targets = g_list_model_get_item (columns, 1);
  GArray *groups = report->groups[CRM_CAMPAIGN_BY_TIER];
  g_autoptr(GObject) first = NULL;
  gint64 most = -1;
  guint index;

  g_assert_cmpstr (gtk_column_view_column_get_title (targets), ==, "Targets");
  gtk_column_view_sort_by_column (list, targets, GTK_SORT_DESCENDING);
  for (guint i = 0; i < groups->len; i++)
    most = MAX (most, g_array_index (groups, CrmCampaignGroup, i).figures.targets);
  first = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (list)), 0);
  index = (guint) g_ascii_strtoull (gtk_string_object_get_string (GTK_STRING_OBJECT (first)), NULL, 10);
  g_assert_cmpint (g_array_index (groups, CrmCampaignGroup, index).figures.targets, ==, most);
  gtk_column_view_sort_by_column (list, targets, GTK_SORT_ASCENDING);
  g_clear_object (&first);
  first = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (list)), 0);
  index = (guint) g_ascii_strtoull (gtk_string_object_get_string (GTK_STRING_OBJECT (first)), NULL, 10);
  for (guint i = 0; i < groups->len; i++)
    g_assert_cmpint (g_array_index (groups, CrmCampaignGroup, index).figures.targets, <=,
                     g_array_index (groups, CrmCampaignGroup, i).figures.targets);
}

typedef struct
{
  CrmCampaignResults *view;
  gint64              responded;
} RespondedWait;

static gboolean
responded_is (gpointer data)
{
  RespondedWait *w = data;
  const CrmCampaignReport *r = crm_campaign_results_get_report (w->view);

  return crm_campaign_results_get_state (w->view) == CRM_REPORT_STATE_FRESH && r != NULL &&
         r->totals.responded == w->responded;
}

/* Records "responded" for a pending treated member, as an account
 * manager's outcome dialog does, through the store. */
static void
record_outcome (Session    *s,
                const char *customer)
{
  g_autofree char *channel = crm_test_live_scalar (live, SQL_FIRST_CHANNEL, s->campaign);
  g_autofree char *id = g_strconcat (s->campaign, "/", customer, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) mutation = NULL;

  json_object_set_string_member (fields, "channel", channel);
  json_object_set_string_member (fields, "contacted_at", when);
  json_object_set_string_member (fields, "response", "responded");
  json_object_set_string_member (fields, "responded_at", when);
  mutation = crm_store_enqueue_update (s->store->store, CRM_ENTITY_CAMPAIGN_MEMBER, id, fields, &error);
  g_assert_no_error (error);
  g_assert_nonnull (mutation);
}

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
save (CrmCampaignResults *view,
      CrmCampaignExport   format,
      const char         *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  crm_campaign_results_save_async (view, format, file, NULL, crm_test_done_cb, &result);
  g_assert_true (crm_campaign_results_save_finish (view, crm_test_wait_result (&result), &error));
  g_assert_no_error (error);
}

/* The exports of the shown report: a PDF with the campaign's name and
 * figures, and the CSV a spreadsheet gets, its totals the server's. */
static void
assert_exports (CrmCampaignResults *view,
                JsonObject         *answer)
{
  g_autofree char *dir = g_dir_make_tmp ("keyline-results-XXXXXX", NULL);
  g_autofree char *pdf = g_build_filename (dir, "results.pdf", NULL);
  g_autofree char *csv = g_build_filename (dir, "results.csv", NULL);
  const char *info_argv[] = { "pdfinfo", pdf, NULL };
  const char *text_argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
  JsonObject *totals = json_object_get_object_member (answer, "totals");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *info = NULL;
  g_autofree char *text = NULL;
  g_autofree char *total_line = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *name_line = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  gsize length;

  save (view, CRM_CAMPAIGN_EXPORT_PDF, pdf);
  g_file_get_contents (pdf, &data, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 10000);
  g_assert_true (g_str_has_prefix (data, "%PDF-"));
  info = run (info_argv);
  g_assert_true (g_regex_match_simple ("^Pages:\\s+[1-9][0-9]*$", info, G_REGEX_MULTILINE, 0));
  g_assert_nonnull (strstr (info, "595.276 x 841.89 pts (A4)"));
  text = run (text_argv);
  g_assert_nonnull (strstr (text, json_object_get_string_member (answer, "name")));
  {
    g_autofree char *targets = crm_format_number (json_object_get_int_member (totals, "targets"));
    g_autofree char *revenue = crm_format_money (json_object_get_int_member (totals, "revenue"));

    g_assert_nonnull (strstr (text, targets));
    g_assert_nonnull (strstr (text, revenue));
  }
  g_clear_pointer (&data, g_free);

  save (view, CRM_CAMPAIGN_EXPORT_CSV, csv);
  g_file_get_contents (csv, &data, &length, &error);
  g_assert_no_error (error);
  /* exactly what the shown report writes... */
  expected = crm_campaign_report_dup_csv (crm_campaign_results_get_report (view));
  g_assert_cmpstr (data, ==, expected);
  /* ...which begins with the BOM and the name, and whose totals are the
   * server's JSON's */
  name_line = g_strdup_printf ("\xEF\xBB\xBF" "Campaign,%s\r\n", json_object_get_string_member (answer, "name"));
  g_assert_true (g_str_has_prefix (data, name_line));
  total_line = g_strdup_printf ("\r\nTotal,,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%"
                                G_GINT64_FORMAT ",", json_object_get_int_member (totals, "targets"),
                                json_object_get_int_member (totals, "contacted"),
                                json_object_get_int_member (totals, "responded"),
                                json_object_get_int_member (totals, "converted"));
  g_assert_nonnull (strstr (data, total_line));
  g_unlink (pdf);
  g_unlink (csv);
  g_rmdir (dir);
}

static gboolean
compare_loaded (gpointer compare)
{
  return crm_campaign_compare_get_n_asking (compare) == 0;
}

static void
assert_compare (Session *s)
{
  g_autofree char *other = crm_test_live_scalar (live, SQL_OTHER_CAMPAIGN, s->campaign);
  const char *ids[] = { s->campaign, other, NULL };
  g_autoptr(CrmCampaignReport) first = servers_results (s->api, s->campaign, NULL);
  g_autoptr(CrmCampaignReport) second = servers_results (s->api, other, NULL);
  GtkWidget *compare = crm_campaign_compare_new (NULL, s->api, s->store->store, ids);
  g_autofree char *text = NULL;
  g_autofree char *t1 = crm_format_number (first->totals.targets);
  g_autofree char *t2 = crm_format_number (second->totals.targets);
  g_autofree char *u1 = crm_campaign_format_conversion_interval (&first->uplift_conversion);
  g_auto(GStrv) chosen = NULL;

  g_assert_nonnull (other);
  gtk_window_present (GTK_WINDOW (compare));
  crm_test_wait_for (compare_loaded, compare);
  crm_test_wait_drawn (compare);
  text = crm_test_dup_visible_text (compare);
  g_assert_nonnull (strstr (text, first->name));
  g_assert_nonnull (strstr (text, second->name));
  g_assert_nonnull (strstr (text, t1));
  g_assert_nonnull (strstr (text, t2));
  g_assert_nonnull (strstr (text, u1));
  g_assert_nonnull (strstr (text, "Conversion Uplift (95% interval)"));
  /* one of them no longer chosen: a hint instead of one column */
  g_assert_true (crm_campaign_compare_choose (CRM_CAMPAIGN_COMPARE (compare), other, FALSE));
  chosen = crm_campaign_compare_dup_ids (CRM_CAMPAIGN_COMPARE (compare));
  g_assert_cmpuint (g_strv_length (chosen), ==, 1);
  gtk_window_destroy (GTK_WINDOW (compare));
}

static void
test_figures_are_the_servers_follow_a_sync_and_read_offline (void)
{
  Session *s = session_new ();
  GtkWidget *window = gtk_window_new ();
  CrmCampaignResults *view = CRM_CAMPAIGN_RESULTS (crm_campaign_results_new ());
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(CrmCampaignReport) report = servers_results (s->api, s->campaign, &answer);
  g_autofree char *customer = crm_test_live_scalar (live, SQL_PENDING_MEMBER, s->campaign);
  g_autofree char *conversion = crm_campaign_describe_conversion_uplift (report);
  g_autofree char *revenue = crm_campaign_describe_revenue_uplift (report);
  g_autofree char *text = NULL;
  RespondedWait responded = { view, report->totals.responded + 1 };

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  crm_campaign_results_set_session (view, s->api, s->store->store);
  crm_campaign_results_set_campaign (view, s->campaign);
  gtk_window_present (GTK_WINDOW (window));
  wait_state (view, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (window);

  /* the server's figures, uplift in words, and one row per group */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (view, "stack"))), ==, "report");
  g_assert_cmpint (report->totals.targets, >, 0);
  g_assert_cmpint (report->control_members, >, 0);
  assert_figures_are (view, answer);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (view, "title_label"))), ==, report->name);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (view, "conversion_label"))), ==, conversion);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (view, "revenue_label"))), ==, revenue);
  for (CrmCampaignBreakdown b = 0; b < CRM_CAMPAIGN_N_BREAKDOWNS; b++)
    g_assert_cmpuint (n_rows (view, b), ==, report->groups[b]->len);
  g_assert_cmpuint (n_rows (view, CRM_CAMPAIGN_BY_CHANNEL), >, 0);
  g_assert_cmpuint (n_rows (view, CRM_CAMPAIGN_BY_TIER), >, 1);
  assert_sorts_by_targets (view, report);
  text = crm_test_dup_visible_text (view);
  g_assert_nonnull (strstr (text, "As of "));
  g_clear_pointer (&text, g_free);

  /* an outcome recorded in the store and synced: the figures follow */
  g_assert_nonnull (customer);
  record_outcome (s, customer);
  sync_now (s);
  crm_test_wait_for (responded_is, &responded);
  after = NULL;
  g_clear_pointer (&report, crm_campaign_report_free);
  report = servers_results (s->api, s->campaign, &after);
  g_assert_cmpint (report->totals.responded, ==, responded.responded);
  assert_figures_are (view, after);

  /* Compare… opens the comparison with this campaign chosen */
  {
    g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());
    CrmCampaignCompare *compare = NULL;
    g_auto(GStrv) ids = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "results.compare", NULL));
    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) toplevel = g_list_model_get_item (toplevels, i);

        if (CRM_IS_CAMPAIGN_COMPARE (toplevel))
          compare = CRM_CAMPAIGN_COMPARE (toplevel);
      }
    g_assert_nonnull (compare);
    g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (compare)) == GTK_WINDOW (window));
    ids = crm_campaign_compare_dup_ids (compare);
    g_assert_cmpuint (g_strv_length (ids), ==, 1);
    g_assert_cmpstr (ids[0], ==, s->campaign);
    gtk_window_destroy (GTK_WINDOW (compare));
  }

  /* exports of what is shown */
  assert_exports (view, after);

  /* the server gone: the kept answer, its figures, its age */
  crm_test_live_stop (live);
  crm_campaign_results_reload (view);
  wait_state (view, CRM_REPORT_STATE_OFFLINE);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (view, "stack"))), ==, "report");
  assert_figures_are (view, after);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (view, "age_label"))), "Offline. As of "));
  g_assert_true (gtk_widget_get_visible (child (view, "offline_icon")));
  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);

  /* a view opened afresh while offline: the kept answer with its age */
  window = gtk_window_new ();
  view = CRM_CAMPAIGN_RESULTS (crm_campaign_results_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  crm_campaign_results_set_session (view, s->api, s->store->store);
  crm_campaign_results_set_campaign (view, s->campaign);
  gtk_window_present (GTK_WINDOW (window));
  wait_state (view, CRM_REPORT_STATE_OFFLINE);
  assert_figures_are (view, after);
  g_assert_nonnull (crm_campaign_results_get_fetched_at (view));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (view, "age_label"))), "Offline. As of "));
  /* a campaign never fetched: said so */
  crm_campaign_results_set_campaign (view, "00000000-0000-4000-8000-0000000000ff");
  wait_state (view, CRM_REPORT_STATE_NONE);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (view, "stack"))), ==, "none");
  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_live_start (live);
  crm_test_iterate (50);

  assert_compare (s);
  session_free (s);
}

static void
test_an_unknown_campaign_says_why (void)
{
  Session *s = session_new ();
  GtkWidget *window = gtk_window_new ();
  CrmCampaignResults *view = CRM_CAMPAIGN_RESULTS (crm_campaign_results_new ());
  const char *description;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  crm_campaign_results_set_session (view, s->api, s->store->store);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (view, "stack"))), ==, "empty");
  crm_campaign_results_set_campaign (view, "00000000-0000-4000-8000-0000000000ff");
  gtk_window_present (GTK_WINDOW (window));
  wait_state (view, CRM_REPORT_STATE_FAILED);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (view, "stack"))), ==, "error");
  description = adw_status_page_get_description (ADW_STATUS_PAGE (child (view, "error_page")));
  g_assert_nonnull (description);
  g_assert_cmpstr (description, !=, "");
  g_assert_null (crm_campaign_results_get_report (view));

  /* a campaign not launched: said so, not a page of zeros */
  {
    g_autofree char *draft = crm_test_live_scalar (live, SQL_UNLAUNCHED, NULL);

    g_assert_nonnull (draft);
    crm_campaign_results_set_campaign (view, draft);
    wait_state (view, CRM_REPORT_STATE_FRESH);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (view, "stack"))), ==, "unlaunched");
  }
  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
  session_free (s);
}

/* With KEYLINE_TEST_SHOT=FILE.png, a picture of @widget as drawn. */
static void
save_shot (GtkWidget  *widget,
           const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget));

  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &bounds);
  gdk_paintable_snapshot (paintable, snapshot, bounds.size.width, bounds.size.height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, &bounds);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static void
take_shot (void)
{
  Session *s = session_new ();
  GtkWidget *window = gtk_window_new ();
  CrmCampaignResults *view = CRM_CAMPAIGN_RESULTS (crm_campaign_results_new ());

  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 1150);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  crm_campaign_results_set_session (view, s->api, s->store->store);
  crm_campaign_results_set_campaign (view, s->campaign);
  gtk_window_present (GTK_WINDOW (window));
  wait_state (view, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (window);
  crm_test_iterate (300);
  save_shot (window, g_getenv ("KEYLINE_TEST_SHOT"));
  /* and the PDF export, with KEYLINE_TEST_SHOT_PDF=FILE.pdf */
  if (g_getenv ("KEYLINE_TEST_SHOT_PDF") != NULL)
    save (view, CRM_CAMPAIGN_EXPORT_PDF, g_getenv ("KEYLINE_TEST_SHOT_PDF"));
  gtk_window_destroy (GTK_WINDOW (window));
  /* and the comparison, with KEYLINE_TEST_SHOT_COMPARE=FILE.png */
  if (g_getenv ("KEYLINE_TEST_SHOT_COMPARE") != NULL)
    {
      g_autofree char *other = crm_test_live_scalar (live, SQL_OTHER_CAMPAIGN, s->campaign);
      const char *ids[] = { s->campaign, other, NULL };
      GtkWidget *compare = crm_campaign_compare_new (NULL, s->api, s->store->store, ids);

      gtk_window_present (GTK_WINDOW (compare));
      crm_test_wait_for (compare_loaded, compare);
      crm_test_wait_drawn (compare);
      crm_test_iterate (300);
      save_shot (compare, g_getenv ("KEYLINE_TEST_SHOT_COMPARE"));
      gtk_window_destroy (GTK_WINDOW (compare));
    }
  session_free (s);
}

int
main (int   argc,
      char *argv[])
{
  gboolean shot = g_getenv ("KEYLINE_TEST_SHOT") != NULL;

  setlocale (LC_ALL, shot ? "" : "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, shot ? "" : "C.UTF-8");
  crm_application_setup_gettext ();
  crm_auth_init (NULL);

  /* without a database (KEYLINE_TEST_PGHOST) or server (KEYLINE_SERVER):
   * no test */
  if (!crm_test_live_available ())
    return g_test_run ();
  live = crm_test_live_new (300);
  if (shot)
    {
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/org/keylinecrm/Keyline/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      take_shot ();
      crm_test_live_free (live);
      return 0;
    }
  g_test_add_func ("/gui/campaign-results/live/figures-are-the-servers-follow-a-sync-and-read-offline",
                   test_figures_are_the_servers_follow_a_sync_and_read_offline);
  g_test_add_func ("/gui/campaign-results/live/an-unknown-campaign-says-why", test_an_unknown_campaign_says_why);
  {
    int status = g_test_run ();

    crm_test_live_free (live);
    return status;
  }
}
