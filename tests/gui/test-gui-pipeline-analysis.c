/* The Pipeline section's Analysis page, with accessibility on, against a
 * stand-in server (crm-test-server.c) answering tests/data/reports/
 * analysis.json: win rate, deal size, each stage's conversion and days,
 * the four quarters and the lost reasons are shown as the answer has
 * them; with the server out of reach the kept answer shows with its age. */
#define G_LOG_DOMAIN "test-gui-pipeline-analysis"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "crm-api.h"
#include "crm-application.h"
#include "crm-auth.h"
#include "crm-format.h"
#include "crm-forecast-chart.h"
#include "crm-pipeline-analysis.h"
#include "crm-test-live.h"
#include "crm-test-server.h"
#include "crm-test-store.h"

static CrmTestLive *live;

static GtkWidget *
child (CrmPipelineAnalysis *page,
       const char          *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_PIPELINE_ANALYSIS, name));
}

static void
wait_state (CrmPipelineAnalysis *page,
            CrmReportState       state)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (crm_report_loader_get_state (crm_pipeline_analysis_get_loader (page)) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  crm_test_iterate (20);
}

static void
assert_shows (const char *text,
              const char *expected)
{
  if (strstr (text, expected) == NULL)
    g_error ("“%s” is not shown in:\n%s", expected, text);
}

static void
test_analysis_shows_the_answer_and_reads_offline (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "reports", "analysis.json", NULL);
  g_autoptr(CrmTestServer) server = crm_test_server_new ();
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autofree char *closed_url = crm_test_closed_url ();
  g_autoptr(CrmApi) api = crm_api_new (server->url, NULL);
  g_autoptr(CrmApi) offline = crm_api_new (closed_url, NULL);
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_autofree char *deal = crm_format_money (36000000);
  g_autofree char *q2 = crm_format_money (320000000);
  g_autofree char *lost = crm_format_money (400000000);
  GtkWidget *window = gtk_window_new ();
  CrmPipelineAnalysis *page = CRM_PIPELINE_ANALYSIS (crm_pipeline_analysis_new ());

  g_assert_true (g_file_get_contents (path, &body, NULL, NULL));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 1400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  crm_pipeline_analysis_set_store (page, store->store);
  crm_test_server_answer (server, SOUP_STATUS_OK, body, NULL);
  crm_pipeline_analysis_set_api (page, api);
  gtk_window_present (GTK_WINDOW (window));
  wait_state (page, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (window);

  g_assert_cmpstr (server->last_path, ==, "/api/v1/pipeline/analysis");
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "scope"), ==, "me");
  g_assert_null (g_hash_table_lookup (server->last_query, "period"));

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (page, "stack"))), ==, "report");
  text = crm_test_dup_visible_text (page);
  assert_shows (text, "41.2%");                 /* win rate */
  assert_shows (text, deal);                    /* average deal size */
  assert_shows (text, "Proposal");
  assert_shows (text, "44 entered, 30 went on · 14.0 days in the stage on average");
  assert_shows (text, "Conversion 68.1%");
  assert_shows (text, "Conversion —");          /* negotiation: none entered */
  assert_shows (text, "Q2 2026");
  assert_shows (text, q2);
  assert_shows (text, "8 won, 6 lost · win rate 57.1%");
  assert_shows (text, "价格过高");
  assert_shows (text, "12 opportunities lost");
  assert_shows (text, lost);
  assert_shows (text, "As of ");
  g_clear_pointer (&text, g_free);
  g_assert_cmpuint (crm_forecast_chart_get_n_bars (CRM_FORECAST_CHART (child (page, "stages_chart"))), ==, 4);
  g_assert_cmpuint (crm_forecast_chart_get_n_bars (CRM_FORECAST_CHART (child (page, "quarters_chart"))), ==, 4);
  {
    const char *first = "Prospecting: 120 entered, 66 went on · 12.3 days in the stage on average, conversion 55.0%";

    gtk_test_accessible_assert_property (child (page, "stages_chart"), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, first);
  }

  /* out of reach: the kept answer, offline, with its age */
  crm_pipeline_analysis_set_api (page, offline);
  wait_state (page, CRM_REPORT_STATE_OFFLINE);
  g_assert_true (gtk_widget_get_visible (child (page, "offline_icon")));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (page, "age_label"))), "Offline. As of "));
  text = crm_test_dup_visible_text (page);
  assert_shows (text, "价格过高");
  g_clear_pointer (&text, g_free);

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

static void
test_analysis_refused_says_why (void)
{
  g_autoptr(CrmTestServer) server = crm_test_server_new ();
  g_autoptr(CrmApi) api = crm_api_new (server->url, NULL);
  GtkWidget *window = gtk_window_new ();
  CrmPipelineAnalysis *page = CRM_PIPELINE_ANALYSIS (crm_pipeline_analysis_new ());

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  crm_test_server_answer (server, SOUP_STATUS_FORBIDDEN,
                          "{\"error\": {\"code\": \"forbidden\", \"message\": \"Service staff see no pipeline\","
                          " \"field\": \"scope\"}}", NULL);
  crm_pipeline_analysis_set_api (page, api);
  gtk_window_present (GTK_WINDOW (window));
  wait_state (page, CRM_REPORT_STATE_FAILED);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (page, "stack"))), ==, "error");
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (child (page, "error_page"))), ==,
                   "Service staff see no pipeline");
  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

/* Signing in builds the Pipeline's pages, but one never opened asks
 * nothing: the question is asked when the page is shown, and a change of
 * filters while it is hidden waits for it too. */
static void
test_analysis_asks_only_when_shown (void)
{
  g_autoptr(CrmTestServer) server = crm_test_server_new ();
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(CrmApi) api = crm_api_new (server->url, NULL);
  g_autoptr(GHashTable) filters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *body = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *stack = gtk_stack_new ();
  GtkWidget *other = gtk_label_new ("Board");
  CrmPipelineAnalysis *page = CRM_PIPELINE_ANALYSIS (crm_pipeline_analysis_new ());

  g_assert_true (g_file_get_contents (g_test_get_filename (G_TEST_DIST, "data", "reports", "analysis.json", NULL),
                                      &body, NULL, NULL));
  crm_test_server_answer (server, SOUP_STATUS_OK, body, NULL);
  gtk_stack_add_named (GTK_STACK (stack), other, "board");
  gtk_stack_add_named (GTK_STACK (stack), GTK_WIDGET (page), "analysis");
  gtk_window_set_child (GTK_WINDOW (window), stack);
  crm_pipeline_analysis_set_store (page, store->store);
  crm_pipeline_analysis_set_api (page, api);
  gtk_window_present (GTK_WINDOW (window));
  crm_test_wait_drawn (window);
  crm_test_iterate (200);
  g_assert_cmpuint (server->requests, ==, 0);
  g_assert_cmpint (crm_report_loader_get_state (crm_pipeline_analysis_get_loader (page)), ==, CRM_REPORT_STATE_EMPTY);

  gtk_stack_set_visible_child_name (GTK_STACK (stack), "analysis");
  wait_state (page, CRM_REPORT_STATE_FRESH);
  g_assert_cmpuint (server->requests, ==, 1);

  /* hidden again, new filters wait; shown, they are asked for */
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "board");
  g_hash_table_insert (filters, g_strdup ("product_line"), g_strdup ("broadband"));
  crm_pipeline_analysis_set_filters (page, filters);
  crm_test_iterate (200);
  g_assert_cmpuint (server->requests, ==, 1);
  gtk_stack_set_visible_child_name (GTK_STACK (stack), "analysis");
  wait_state (page, CRM_REPORT_STATE_FRESH);
  g_assert_cmpuint (server->requests, ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "product_line"), ==, "broadband");

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

/* ------------------------------------------------------------------ */
/* Against the real server                                             */
/* ------------------------------------------------------------------ */

static JsonNode *
get_json (CrmApi     *api,
          const char *path,
          GHashTable *query)
{
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  crm_api_get_json_async (api, path, query, NULL, crm_test_done_cb, &result);
  node = crm_api_get_json_finish (api, crm_test_wait_result (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

/* With KEYLINE_TEST_SHOT=FILE.png, a picture of @widget as drawn. */
static void
save_shot (GtkWidget *widget)
{
  const char *path = g_getenv ("KEYLINE_TEST_SHOT");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t bounds;

  if (path == NULL)
    return;
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  bounds = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &bounds);
  gdk_paintable_snapshot (paintable, snapshot, bounds.size.width, bounds.size.height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, &bounds);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static guint
n_rows (GtkWidget *list)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), n) != NULL)
    n++;
  return n;
}

static void
test_live_figures_are_the_servers (void)
{
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "director", &token);
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(JsonNode) me = get_json (api, "/me", NULL);
  g_autoptr(GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *region = NULL;
  g_autofree char *text = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *size = NULL;
  JsonObject *user = json_node_get_object (me);
  JsonObject *object;
  JsonNode *node;
  GtkWidget *window = gtk_window_new ();
  CrmPipelineAnalysis *page = CRM_PIPELINE_ANALYSIS (crm_pipeline_analysis_new ());

  if (json_object_has_member (user, "user"))
    user = json_object_get_object_member (user, "user");
  region = g_strconcat ("region:", json_object_get_string_member (user, "region_id"), NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 1300);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  crm_pipeline_analysis_set_user (page, user);
  crm_pipeline_analysis_set_store (page, store->store);
  crm_pipeline_analysis_set_api (page, api);
  g_assert_true (crm_pipeline_analysis_set_scope (page, region));
  gtk_window_present (GTK_WINDOW (window));
  wait_state (page, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (window);

  g_hash_table_insert (query, (gpointer) "scope", region);
  answer = get_json (api, "/pipeline/analysis", query);
  object = json_node_get_object (answer);
  node = json_object_get_member (object, "win_rate");
  rate = crm_report_format_permille (JSON_NODE_HOLDS_NULL (node) ? CRM_REPORT_NONE : json_node_get_int (node));
  node = json_object_get_member (object, "avg_deal_size");
  size = JSON_NODE_HOLDS_NULL (node) ? g_strdup ("—") : crm_format_money (json_node_get_int (node));
  text = crm_test_dup_visible_text (page);
  assert_shows (text, rate);
  assert_shows (text, size);
  g_assert_cmpuint (n_rows (child (page, "stages_list")), ==,
                    json_array_get_length (json_object_get_array_member (object, "stages")));
  g_assert_cmpuint (n_rows (child (page, "quarters_list")), ==, 4);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "quarters")), ==, 4);
  g_assert_cmpuint (n_rows (child (page, "reasons_list")), ==,
                    json_array_get_length (json_object_get_array_member (object, "lost_reasons")));
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (object, "lost_reasons")); i++)
    assert_shows (text, json_object_get_string_member (json_array_get_object_element (
                          json_object_get_array_member (object, "lost_reasons"), i), "reason"));

  gtk_widget_grab_focus (child (page, "stages_chart"));
  crm_test_wait_drawn (window);
  save_shot (window);
  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  /* the words are compared in English; a picture (KEYLINE_TEST_SHOT) is
   * taken in the environment's language, of the real server's answer */
  gboolean shot = g_getenv ("KEYLINE_TEST_SHOT") != NULL;

  setlocale (LC_ALL, shot ? "" : "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, shot ? "" : "C.UTF-8");
  crm_application_setup_gettext ();
  crm_auth_init (NULL);

  if (!shot)
    {
      g_test_add_func ("/gui/pipeline-analysis/shows-the-answer-and-reads-offline",
                       test_analysis_shows_the_answer_and_reads_offline);
      g_test_add_func ("/gui/pipeline-analysis/refused-says-why", test_analysis_refused_says_why);
      g_test_add_func ("/gui/pipeline-analysis/asks-only-when-shown", test_analysis_asks_only_when_shown);
    }
  else
    {
      /* what AdwApplication loads by itself in the program */
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/org/keylinecrm/Keyline/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
  if (crm_test_live_available ())
    {
      int status;

      live = crm_test_live_new (200);
      g_test_add_func ("/gui/pipeline-analysis/live/figures-are-the-servers", test_live_figures_are_the_servers);
      status = g_test_run ();
      crm_test_live_free (live);
      return status;
    }
  return g_test_run ();
}
