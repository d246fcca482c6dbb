/* The Pipeline section's Forecast page, with accessibility on.  Against a
 * stand-in server (crm-test-server.c) answering the JSON fixtures of
 * tests/data/reports/: the figures shown are the answer's, the rows say
 * who is behind in words, a team drills down to its people and a person
 * to their opportunities (a director's: from the server, GET
 * /opportunities, kept and shown offline), and Back comes up again; with the
 * server out of reach the kept answer shows with its age, and a period
 * never fetched says so. */
#define G_LOG_DOMAIN "test-gui-pipeline-forecast"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "crm-api.h"
#include "crm-application.h"
#include "crm-auth.h"
#include "crm-format.h"
#include "crm-forecast-chart.h"
#include "crm-pipeline-forecast.h"
#include "crm-report.h"
#include "crm-test-live.h"
#include "crm-test-server.h"
#include "crm-test-store.h"

#define FIXTURE_CUSTOMER "00000000-0000-4000-8000-000000000001"
#define REGION "6f1c2a9e-0b7d-4c3e-9a51-2d4e8f7a1b03"
#define TEAM "0a4b7c3d-5e6f-4a1b-8c2d-3e4f5a6b7c8d"
#define PERSON "2c6d9e5f-7a8b-4c3d-8e4f-5a6b7c8d9e0f"

static CrmTestLive *live;

static char *
fixture_text (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "reports", name, NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static GtkWidget *
child (CrmPipelineForecast *page,
       const char          *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_PIPELINE_FORECAST, name));
}

static const char *
visible_page (CrmPipelineForecast *page)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (child (page, "stack")));
}

typedef struct
{
  CrmPipelineForecast *page;
  CrmReportState       state;
} StateWait;

static void
wait_state (CrmPipelineForecast *page,
            CrmReportState       state)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (crm_report_loader_get_state (crm_pipeline_forecast_get_loader (page)) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  crm_test_iterate (20);
}

static void
wait_person (CrmPipelineForecast *page,
             CrmReportState       state)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (crm_remote_answer_get_state (crm_pipeline_forecast_get_person_remote (page)) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  crm_test_iterate (20);
}

static JsonObject *
director (void)
{
  JsonObject *user = json_object_new ();

  json_object_set_string_member (user, "id", "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b");
  json_object_set_string_member (user, "display_name", "王总监");
  json_object_set_string_member (user, "role", "director");
  json_object_set_string_member (user, "region_id", REGION);
  json_object_set_null_member (user, "team_id");
  return user;
}

/* An answer of the team: the fixture's figures, two members. */
static char *
team_answer (void)
{
  g_autofree char *text = fixture_text ("forecast.json");
  g_autoptr(GString) s = g_string_new (text);
  const char *rows =
    "\"rows\": ["
    "{\"kind\": \"user\", \"id\": \"" PERSON "\", \"name\": \"李娜\", \"closed_won\": 100, \"commit\": 0,"
    " \"best_case\": 0, \"pipeline\": 0, \"weighted\": 0, \"target\": 1000, \"attainment\": 100, \"behind\": true},"
    "{\"kind\": \"user\", \"id\": \"3d7e0f6a-8b9c-4d4e-9f5a-6b7c8d9e0f1a\", \"name\": \"赵强\", \"closed_won\": 0,"
    " \"commit\": 0, \"best_case\": 0, \"pipeline\": 0, \"weighted\": 0, \"target\": 0, \"attainment\": null,"
    " \"behind\": false}]}";
  char *start = strstr (s->str, "\"rows\"");

  g_assert_nonnull (start);
  g_string_truncate (s, start - s->str);
  g_string_append (s, rows);
  g_string_replace (s, "\"region:" REGION "\"", "\"team:" TEAM "\"", 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* A sync page with two opportunities of PERSON closing in @period's
 * first month and one of someone else. */
static JsonObject *
opportunities_page (const char *period)
{
  GDate first;
  g_autofree char *close = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  char date[11];

  g_assert_true (crm_period_parse (period, NULL, &first, NULL));
  g_date_strftime (date, sizeof date, "%Y-%m-%d", &first);
#define OPPORTUNITY(n, owner, name, stage, once) \
  "{\"id\": \"00000000-0000-4000-8000-00000000010" n "\", \"customer_id\": \"" FIXTURE_CUSTOMER "\"," \
  " \"owner_id\": \"" owner "\", \"name\": \"" name "\", \"stage\": \"" stage "\", \"amount_once\": " once "," \
  " \"amount_monthly\": 1000, \"probability\": 50, \"expected_close\": \"%1$s\", \"closed_on\": null," \
  " \"lost_reason\": null, \"agent_id\": null, \"created_at\": \"2026-01-01T00:00:00Z\", \"version\": 1," \
  " \"updated_at\": \"2026-01-01T00:00:00Z\"}"
  text = g_strdup_printf ("{\"opportunities\": ["
                          OPPORTUNITY ("1", PERSON, "专线扩容", "proposal", "500000") ","
                          OPPORTUNITY ("2", PERSON, "云主机迁移", "negotiation", "9000000") ","
                          OPPORTUNITY ("3", TEAM, "别人的商机", "proposal", "100") "],"
                          " \"cursor\": \"c-2\", \"more\": false}", date);
#undef OPPORTUNITY
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* GET /opportunities of PERSON in @period (docs/openapi.yaml): two
 * opportunities the store does not have, largest first. */
static char *
person_answer (const char *period)
{
  GDate first;
  char date[11];

  g_assert_true (crm_period_parse (period, NULL, &first, NULL));
  g_date_strftime (date, sizeof date, "%Y-%m-%d", &first);
#define OPPORTUNITY(n, name, stage, once) \
  "{\"id\": \"00000000-0000-4000-8000-00000000020" n "\", \"customer_id\": \"" FIXTURE_CUSTOMER "\"," \
  " \"owner_id\": \"" PERSON "\", \"name\": \"" name "\", \"stage\": \"" stage "\", \"amount_once\": " once "," \
  " \"amount_monthly\": 1000, \"contract_months\": 12, \"probability\": 50, \"expected_close\": \"%1$s\"," \
  " \"closed_on\": null, \"version\": 1, \"customer_name\": \"客户甲\", \"owner_name\": \"李娜\"}"
  return g_strdup_printf ("{\"scope\": \"team:" TEAM "\", \"as_of\": \"2026-12-03T13:00:00Z\", \"total\": 2,"
                          " \"opportunities\": ["
                          OPPORTUNITY ("1", "服务器上的大单", "negotiation", "8000000") ","
                          OPPORTUNITY ("2", "服务器上的小单", "proposal", "300000") "], \"next\": null}", date);
#undef OPPORTUNITY
}

static void
test_forecast_shows_the_answer_drills_down_and_reads_offline (void)
{
  g_autoptr(CrmTestServer) server = crm_test_server_new ();
  g_autoptr(CrmTestStore) store = crm_test_store_new_from ("customers-page.json");
  g_autofree char *forecast_text = fixture_text ("forecast.json");
  g_autofree char *team_text = team_answer ();
  g_autofree char *closed_url = crm_test_closed_url ();
  g_autoptr(CrmApi) api = crm_api_new (server->url, NULL);
  g_autoptr(CrmApi) offline = crm_api_new (closed_url, NULL);
  g_autoptr(JsonObject) user = director ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *won = crm_format_money (1250000000);
  g_autofree char *weighted = crm_format_money (401000000);
  g_autofree char *target = crm_format_money (2000000000);
  g_autofree char *period = NULL;
  GtkWidget *window = gtk_window_new ();
  CrmPipelineForecast *page = CRM_PIPELINE_FORECAST (crm_pipeline_forecast_new ());
  GtkListBox *rows;
  GtkListBoxRow *row;

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  crm_pipeline_forecast_set_period (page, "2026-Q4");
  crm_pipeline_forecast_set_user (page, user);
  crm_pipeline_forecast_set_store (page, store->store);
  crm_test_server_answer (server, SOUP_STATUS_OK, forecast_text, NULL);
  crm_pipeline_forecast_set_api (page, api);
  /* not shown yet: nothing is asked (signing in costs no report) */
  crm_test_iterate (100);
  g_assert_cmpuint (server->requests, ==, 0);
  /* a director's forecast opens at their region, unasked */
  gtk_window_present (GTK_WINDOW (window));
  wait_state (page, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (window);

  /* asked for the region and the quarter */
  g_assert_cmpstr (server->last_path, ==, "/api/v1/forecast");
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "scope"), ==, "region:" REGION);
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "period"), ==, "2026-Q4");

  /* the answer's figures, the rows and who is behind, in words */
  g_assert_cmpstr (visible_page (page), ==, "report");
  text = crm_test_dup_visible_text (page);
  g_assert_nonnull (strstr (text, won));
  g_assert_nonnull (strstr (text, weighted));
  g_assert_nonnull (strstr (text, target));
  g_assert_nonnull (strstr (text, "62.5%"));
  g_assert_nonnull (strstr (text, "华东一组"));
  g_assert_nonnull (strstr (text, "华东二组"));
  g_assert_nonnull (strstr (text, "Owners without a team"));
  g_assert_nonnull (strstr (text, "Behind"));
  g_assert_nonnull (strstr (text, "On track"));
  g_assert_nonnull (strstr (text, "No target"));
  g_assert_nonnull (strstr (text, "As of "));
  g_clear_pointer (&text, g_free);
  g_assert_cmpuint (crm_forecast_chart_get_n_bars (CRM_FORECAST_CHART (child (page, "chart"))), ==, 4);
  {
    g_autofree char *expected = g_strdup_printf ("Closed won: %s, 62.5%% of the target %s", won, target);

    gtk_test_accessible_assert_property (child (page, "chart"), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
  }

  /* a team row drills down to the team's people */
  rows = GTK_LIST_BOX (child (page, "rows_list"));
  crm_test_server_answer (server, SOUP_STATUS_OK, team_text, NULL);
  row = gtk_list_box_get_row_at_index (rows, 0);
  g_signal_emit_by_name (rows, "row-activated", row);
  wait_state (page, CRM_REPORT_STATE_FRESH);
  g_assert_cmpuint (crm_pipeline_forecast_get_depth (page), ==, 1);
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "scope"), ==, "team:" TEAM);
  text = crm_test_dup_visible_text (page);
  g_assert_nonnull (strstr (text, "李娜"));
  g_assert_nonnull (strstr (text, "Team members"));
  g_clear_pointer (&text, g_free);

  /* a person (not the director) to their opportunities: a director's
   * store holds only their own, so the server is asked for the person's
   * in the period, as the forecast counts them, largest first; the
   * store's are not shown */
  {
    g_autoptr(JsonObject) sync = opportunities_page ("2026-Q4");
    g_autofree char *answer = person_answer ("2026-Q4");

    g_assert_true (crm_store_apply_sync_page (store->store, sync, &error));
    g_assert_no_error (error);
    crm_test_server_answer (server, SOUP_STATUS_OK, answer, NULL);
    row = gtk_list_box_get_row_at_index (rows, 0);
    g_signal_emit_by_name (rows, "row-activated", row);
    wait_person (page, CRM_REPORT_STATE_FRESH);
  }
  g_assert_cmpstr (visible_page (page), ==, "opportunities");
  crm_test_wait_drawn (window);
  g_assert_cmpuint (crm_pipeline_forecast_get_depth (page), ==, 2);
  g_assert_cmpstr (server->last_path, ==, "/api/v1/opportunities");
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "owner"), ==, PERSON);
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "scope"), ==, "team:" TEAM);
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "close_from"), ==, "2026-10-01");
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "close_to"), ==, "2026-12-31");
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "stage"), ==,
                   "prospecting,qualification,proposal,negotiation,won");
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "sort"), ==, "amount");
  g_assert_cmpstr (g_hash_table_lookup (server->last_query, "order"), ==, "desc");
  text = crm_test_dup_visible_text (page);
  g_assert_nonnull (strstr (text, "服务器上的大单"));
  g_assert_nonnull (strstr (text, "服务器上的小单"));
  g_assert_true (strstr (text, "服务器上的大单") < strstr (text, "服务器上的小单"));
  g_assert_nonnull (strstr (text, "客户甲"));
  g_assert_null (strstr (text, "云主机迁移"));
  g_assert_nonnull (strstr (text, "As of "));
  g_clear_pointer (&text, g_free);

  /* the server out of reach: the kept answer, marked offline with its age */
  crm_pipeline_forecast_set_api (page, offline);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "forecast.refresh", NULL));
  wait_person (page, CRM_REPORT_STATE_OFFLINE);
  crm_test_wait_drawn (window);
  g_assert_cmpstr (visible_page (page), ==, "opportunities");
  g_assert_true (gtk_widget_get_visible (child (page, "offline_icon")));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (page, "age_label"))), "Offline. As of "));
  text = crm_test_dup_visible_text (page);
  g_assert_nonnull (strstr (text, "服务器上的大单"));
  g_clear_pointer (&text, g_free);
  crm_pipeline_forecast_set_api (page, api);

  /* Back, twice: the region again (its kept answer at once) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "forecast.back", NULL));
  g_assert_cmpuint (crm_pipeline_forecast_get_depth (page), ==, 1);
  crm_test_server_answer (server, SOUP_STATUS_OK, forecast_text, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "forecast.back", NULL));
  g_assert_cmpuint (crm_pipeline_forecast_get_depth (page), ==, 0);
  g_assert_false (gtk_widget_get_visible (child (page, "back_button")));
  g_assert_cmpint (crm_report_loader_get_state (crm_pipeline_forecast_get_loader (page)), ==, CRM_REPORT_STATE_KEPT);
  wait_state (page, CRM_REPORT_STATE_FRESH);

  /* out of reach: the kept answer, marked offline with its age */
  crm_pipeline_forecast_set_api (page, offline);
  wait_state (page, CRM_REPORT_STATE_OFFLINE);
  g_assert_cmpstr (visible_page (page), ==, "report");
  g_assert_true (gtk_widget_get_visible (child (page, "offline_icon")));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (page, "age_label"))), "Offline. As of "));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (child (page, "age_label"))), "just now"));
  text = crm_test_dup_visible_text (page);
  g_assert_nonnull (strstr (text, won));
  g_clear_pointer (&text, g_free);

  /* a period never fetched: nothing to show, and it says why */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "forecast.next-period", NULL));
  g_assert_cmpstr (crm_pipeline_forecast_get_period (page), ==, "2027-Q1");
  wait_state (page, CRM_REPORT_STATE_NONE);
  g_assert_cmpstr (visible_page (page), ==, "none");
  period = crm_report_format_period ("2027-Q1");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "period_label"))), ==, period);

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

static void
test_forecast_of_a_manager_offers_only_their_own (void)
{
  g_autoptr(JsonObject) user = director ();
  CrmPipelineForecast *page = g_object_ref_sink (CRM_PIPELINE_FORECAST (crm_pipeline_forecast_new ()));

  json_object_set_string_member (user, "role", "manager");
  crm_pipeline_forecast_set_user (page, user);
  g_assert_false (crm_pipeline_forecast_set_scope (page, "region:" REGION));
  g_assert_false (gtk_widget_get_visible (child (page, "scope_dropdown")));
  json_object_set_string_member (user, "role", "director");
  crm_pipeline_forecast_set_user (page, NULL);
  crm_pipeline_forecast_set_user (page, user);
  g_assert_true (crm_pipeline_forecast_set_scope (page, "region:" REGION));
  g_assert_true (gtk_widget_get_visible (child (page, "scope_dropdown")));
  g_assert_finalize_object (page);
}


/* The directory (regions and teams, synced): a director is offered them,
 * as the store gets them; a manager never. */
static void
test_forecast_offers_the_directorys_regions_and_teams (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(JsonObject) user = director ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  CrmPipelineForecast *page = g_object_ref_sink (CRM_PIPELINE_FORECAST (crm_pipeline_forecast_new ()));
  GListModel *titles;
  const char *page_text =
    "{\"regions\": [{\"id\": \"" REGION "\", \"parent_id\": null, \"name\": \"广东省\", \"name_en\": \"Guangdong\","
    " \"level\": 1, \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\"},"
    " {\"id\": \"7a2d3b0f-1c8e-4d4f-8b62-3e5f9a8b2c14\", \"parent_id\": \"" REGION "\", \"name\": \"广州市\","
    " \"name_en\": \"Guangzhou\", \"level\": 2, \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00Z\"}],"
    " \"teams\": [{\"id\": \"" TEAM "\", \"region_id\": \"7a2d3b0f-1c8e-4d4f-8b62-3e5f9a8b2c14\","
    " \"parent_id\": null, \"name\": \"广州政企客户一部\", \"name_en\": null, \"version\": 1,"
    " \"updated_at\": \"2026-01-01T00:00:00Z\"}], \"cursor\": \"c-1\", \"more\": false}";

  crm_pipeline_forecast_set_user (page, user);
  crm_pipeline_forecast_set_store (page, store->store);
  g_assert_false (crm_pipeline_forecast_set_scope (page, "team:" TEAM));

  node = json_from_string (page_text, &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_apply_sync_page (store->store, json_node_get_object (node), &error));
  g_assert_no_error (error);
  crm_test_iterate (50);

  /* "Me", the director's region (named by the session; no team of their
   * own), then the city and the team; the own region not listed twice */
  titles = gtk_drop_down_get_model (GTK_DROP_DOWN (child (page, "scope_dropdown")));
  g_assert_cmpuint (g_list_model_get_n_items (titles), ==, 4);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 0), ==, "Me");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 1), ==, "My region");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 2), ==, "Region: 广州市");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (titles), 3), ==, "Team: 广州政企客户一部");
  g_assert_true (crm_pipeline_forecast_set_scope (page, "team:" TEAM));
  g_assert_true (crm_pipeline_forecast_set_scope (page, "region:7a2d3b0f-1c8e-4d4f-8b62-3e5f9a8b2c14"));

  json_object_set_string_member (user, "role", "manager");
  crm_pipeline_forecast_set_user (page, NULL);
  crm_pipeline_forecast_set_user (page, user);
  g_assert_false (crm_pipeline_forecast_set_scope (page, "team:" TEAM));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (GTK_DROP_DOWN (child (page, "scope_dropdown")))),
                    ==, 1);
  g_assert_finalize_object (page);
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

/* GET /forecast as the server answers it, read with json-glib alone. */
static JsonObject *
servers_forecast (CrmApi     *api,
                  const char *scope,
                  const char *period)
{
  g_autoptr(GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonNode) node = NULL;

  g_hash_table_insert (query, (gpointer) "scope", (gpointer) scope);
  g_hash_table_insert (query, (gpointer) "period", (gpointer) period);
  node = get_json (api, "/forecast", query);
  return json_object_ref (json_node_get_object (node));
}

/* The six figures as the page shows them, in order. */
static GPtrArray *
shown_figures (CrmPipelineForecast *page)
{
  GPtrArray *texts = g_ptr_array_new ();
  GtkFlowBox *box = GTK_FLOW_BOX (child (page, "figures_box"));

  for (guint i = 0; gtk_flow_box_get_child_at_index (box, i) != NULL; i++)
    {
      GtkWidget *card = gtk_flow_box_child_get_child (gtk_flow_box_get_child_at_index (box, i));
      GtkWidget *value = gtk_widget_get_last_child (card);

      g_ptr_array_add (texts, (gpointer) gtk_label_get_label (GTK_LABEL (value)));
    }
  return texts;
}

/* The figures the server's totals give, written as the page writes them. */
static void
assert_figures_are_the_servers (CrmPipelineForecast *page,
                                JsonObject          *answer)
{
  static const char * const money[] = { "closed_won", "commit", "best_case", "weighted", "target" };
  JsonObject *totals = json_object_get_object_member (answer, "totals");
  g_autoptr(GPtrArray) shown = shown_figures (page);
  JsonNode *attainment = json_object_get_member (totals, "attainment");
  g_autofree char *expected_attainment = NULL;

  g_assert_cmpuint (shown->len, ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (money); i++)
    {
      g_autofree char *expected = crm_format_money (json_object_get_int_member (totals, money[i]));

      g_assert_cmpstr (shown->pdata[i], ==, expected);
    }
  expected_attainment = crm_report_format_permille (JSON_NODE_HOLDS_NULL (attainment) ? CRM_REPORT_NONE
                                                    : json_node_get_int (attainment));
  g_assert_cmpstr (shown->pdata[5], ==, expected_attainment);
}

static guint
n_rows (CrmPipelineForecast *page)
{
  guint n = 0;

  while (gtk_list_box_get_row_at_index (GTK_LIST_BOX (child (page, "rows_list")), n) != NULL)
    n++;
  return n;
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


static void
press_key (const char *key)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "xdotool", "key", "--clearmodifiers", key, NULL };
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static gboolean
is_focus (gpointer widget)
{
  return gtk_widget_has_focus (widget) && gtk_window_is_active (GTK_WINDOW (gtk_widget_get_root (widget)));
}

typedef struct
{
  CrmForecastChart *chart;
  int               selected;
} Selection;

static gboolean
selected_is (gpointer data)
{
  Selection *s = data;

  return crm_forecast_chart_get_selected (s->chart) == s->selected;
}

static void
test_live_numbers_are_the_servers_and_stay_offline (void)
{
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "director", &token);
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(JsonNode) me = get_json (api, "/me", NULL);
  g_autoptr(JsonObject) region_answer = NULL;
  g_autoptr(JsonObject) team_answer = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *period = g_strdup_printf ("%d", g_date_time_get_year (now));
  g_autofree char *region = NULL;
  g_autofree char *team = NULL;
  JsonObject *user = json_node_get_object (me);
  GtkWidget *window = gtk_window_new ();
  CrmPipelineForecast *page = CRM_PIPELINE_FORECAST (crm_pipeline_forecast_new ());
  JsonArray *rows;

  if (json_object_has_member (user, "user"))
    user = json_object_get_object_member (user, "user");
  region = g_strconcat ("region:", json_object_get_string_member (user, "region_id"), NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  crm_pipeline_forecast_set_period (page, period);
  crm_pipeline_forecast_set_user (page, user);
  crm_pipeline_forecast_set_store (page, store->store);
  crm_pipeline_forecast_set_api (page, api);
  g_assert_true (crm_pipeline_forecast_set_scope (page, region));
  gtk_window_present (GTK_WINDOW (window));
  wait_state (page, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (window);

  /* the director's province this year: the figures and one row per team
   * are the server's (which test-server-pipeline holds equal to SQL) */
  region_answer = servers_forecast (api, region, period);
  rows = json_object_get_array_member (region_answer, "rows");
  g_assert_cmpuint (json_array_get_length (rows), >=, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "kind"), ==, "team");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (region_answer, "totals"), "best_case")
                   + json_object_get_int_member (json_object_get_object_member (region_answer, "totals"), "closed_won"),
                   >, 0);
  assert_figures_are_the_servers (page, region_answer);
  g_assert_cmpuint (n_rows (page), ==, json_array_get_length (rows));
  gtk_widget_grab_focus (child (page, "chart"));
  crm_test_wait_drawn (window);
  save_shot (window);
  if (g_getenv ("KEYLINE_TEST_SHOT") != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return;
    }

  /* by keyboard (real key presses, through XTEST): End, then Left, to
   * best case, whose amount and share of the target are announced */
  {
    JsonObject *totals = json_object_get_object_member (region_answer, "totals");
    gint64 best = json_object_get_int_member (totals, "best_case");
    gint64 target = json_object_get_int_member (totals, "target");
    g_autofree char *money = crm_format_money (best);
    g_autofree char *target_text = crm_format_money (target);
    g_autofree char *share = crm_report_format_permille (target > 0 ? best * 1000 / target : 0);
    g_autofree char *expected = target > 0 ? g_strdup_printf ("Best case: %s, %s of the target %s", money, share,
                                                              target_text)
                                           : g_strdup_printf ("Best case: %s", money);
    Selection selection = { CRM_FORECAST_CHART (child (page, "chart")), 3 };

    crm_test_wait_for (is_focus, child (page, "chart"));
    press_key ("End");
    crm_test_wait_for (selected_is, &selection);
    press_key ("Left");
    selection.selected = 2;
    crm_test_wait_for (selected_is, &selection);
    gtk_test_accessible_assert_property (child (page, "chart"), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
    g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (page, "chart_label"))), ==, expected);
  }

  /* a team: the server asked again, its people listed */
  team = g_strconcat ("team:", json_object_get_string_member (json_array_get_object_element (rows, 0), "id"), NULL);
  g_signal_emit_by_name (child (page, "rows_list"), "row-activated",
                         gtk_list_box_get_row_at_index (GTK_LIST_BOX (child (page, "rows_list")), 0));
  wait_state (page, CRM_REPORT_STATE_FRESH);
  team_answer = servers_forecast (api, team, period);
  assert_figures_are_the_servers (page, team_answer);
  g_assert_cmpuint (n_rows (page), ==, json_array_get_length (json_object_get_array_member (team_answer, "rows")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "forecast.back", NULL));
  wait_state (page, CRM_REPORT_STATE_FRESH);

  /* the server gone: the kept answer, its numbers, its age */
  crm_test_live_stop (live);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "forecast.refresh", NULL));
  wait_state (page, CRM_REPORT_STATE_OFFLINE);
  crm_test_wait_drawn (window);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (page, "stack"))), ==, "report");
  assert_figures_are_the_servers (page, region_answer);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (child (page, "age_label"))), "Offline. As of "));
  g_assert_true (gtk_widget_get_visible (child (page, "offline_icon")));
  crm_test_live_start (live);

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
      g_test_add_func ("/gui/pipeline-forecast/shows-the-answer-drills-down-and-reads-offline",
                       test_forecast_shows_the_answer_drills_down_and_reads_offline);
      g_test_add_func ("/gui/pipeline-forecast/of-a-manager-offers-only-their-own",
                       test_forecast_of_a_manager_offers_only_their_own);
      g_test_add_func ("/gui/pipeline-forecast/offers-the-directorys-regions-and-teams",
                       test_forecast_offers_the_directorys_regions_and_teams);
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
      g_test_add_func ("/gui/pipeline-forecast/live/numbers-are-the-servers-and-stay-offline",
                       test_live_numbers_are_the_servers_and_stay_offline);
      status = g_test_run ();
      crm_test_live_free (live);
      return status;
    }
  return g_test_run ();
}
