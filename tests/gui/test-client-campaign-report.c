/* A campaign's results as the client reads them (crm-campaign-report.c),
 * asks for them (crm_api_get_campaign_results_async), says them in words
 * and writes them as CSV and PDF, on the fixture
 * tests/gui/data/reports/campaign-results.json: every member read, an
 * answer with a member missing or of the wrong type CRM_ERROR_MALFORMED,
 * the uplift's words say plainly when the interval holds zero, and the
 * CSV is exactly what a spreadsheet should get.  No display needed. */
#define G_LOG_DOMAIN "test-client-campaign-report"

#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crm-api.h"
#include "crm-campaign-report.h"
#include "crm-error.h"
#include "crm-test-server.h"

#include <glib/gstdio.h>

static char *
fixture_text (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "reports", "campaign-results.json", NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static CrmCampaignReport *
fixture (void)
{
  g_autofree char *text = fixture_text ();
  g_autoptr(GError) error = NULL;
  CrmCampaignReport *report = crm_campaign_report_from_text (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static void
test_reads_every_member (void)
{
  g_autoptr(CrmCampaignReport) r = fixture ();
  const CrmCampaignGroup *g;
  const CrmCampaignWeek *w;

  g_assert_cmpstr (r->campaign_id, ==, "5b0c8e7a-3d2f-4e1a-9c6b-7a8d9e0f1a2b");
  g_assert_cmpstr (r->name, ==, "宽带续约关怀, \"Q4\"");
  g_assert_cmpstr (r->status, ==, "running");
  g_assert_nonnull (r->launched_at);
  g_assert_cmpint (g_date_time_to_unix (r->launched_at), ==, 1791158400);
  g_assert_cmpint (r->budget, ==, 5000000);
  g_assert_cmpint (r->control_percent, ==, 10);
  g_assert_cmpint (r->totals.targets, ==, 900);
  g_assert_cmpint (r->totals.contacted, ==, 600);
  g_assert_cmpint (r->totals.responded, ==, 180);
  g_assert_cmpint (r->totals.converted, ==, 45);
  g_assert_cmpint (r->totals.revenue, ==, 1620000);
  g_assert_cmpint (r->totals.cost, ==, 210000);
  g_assert_cmpfloat (r->totals.response_rate, ==, 0.2);
  g_assert_cmpfloat (r->totals.conversion_rate, ==, 0.05);
  g_assert_cmpint (r->totals.cost_per_response, ==, 1167);
  g_assert_cmpint (r->control_members, ==, 100);
  g_assert_cmpint (r->control_converted, ==, 2);
  g_assert_cmpfloat (r->control_conversion_rate, ==, 0.02);
  g_assert_cmpint (r->control_revenue, ==, 72000);
  g_assert_cmpfloat (r->uplift_conversion.estimate, ==, 0.03);
  g_assert_cmpfloat (r->uplift_conversion.lower, ==, 0.0021);
  g_assert_cmpfloat (r->uplift_revenue.lower, ==, -215.0);
  g_assert_cmpuint (r->groups[CRM_CAMPAIGN_BY_CHANNEL]->len, ==, 3);
  g = &g_array_index (r->groups[CRM_CAMPAIGN_BY_CHANNEL], CrmCampaignGroup, 2);
  g_assert_null (g->key);
  g_assert_cmpstr (g->label, ==, "Not yet attempted");
  g_assert_cmpint (g->figures.cost_per_response, ==, CRM_CAMPAIGN_NONE);
  g_assert_true (isnan (g->figures.roi));
  g = &g_array_index (r->groups[CRM_CAMPAIGN_BY_CHANNEL], CrmCampaignGroup, 1);
  g_assert_cmpstr (g->key, ==, "phone");
  g_assert_cmpstr (g->label, ==, "Phone");
  g_assert_cmpuint (r->groups[CRM_CAMPAIGN_BY_TIER]->len, ==, 2);
  g_assert_cmpuint (r->groups[CRM_CAMPAIGN_BY_REGION]->len, ==, 1);
  g_assert_cmpstr (g_array_index (r->groups[CRM_CAMPAIGN_BY_REGION], CrmCampaignGroup, 0).label, ==, "杭州市");
  g_assert_cmpuint (r->groups[CRM_CAMPAIGN_BY_ASSIGNEE]->len, ==, 2);
  g_assert_cmpstr (g_array_index (r->groups[CRM_CAMPAIGN_BY_ASSIGNEE], CrmCampaignGroup, 0).label, ==, "李娜");
  g_assert_cmpstr (g_array_index (r->groups[CRM_CAMPAIGN_BY_ASSIGNEE], CrmCampaignGroup, 1).label, ==, "SMS queue");
  g_assert_cmpuint (r->weeks->len, ==, 2);
  w = &g_array_index (r->weeks, CrmCampaignWeek, 1);
  g_assert_cmpuint (g_date_get_year (&w->week), ==, 2026);
  g_assert_cmpuint (g_date_get_month (&w->week), ==, 10);
  g_assert_cmpuint (g_date_get_day (&w->week), ==, 12);
  g_assert_cmpint (w->converted, ==, 25);
  g_assert_cmpint (w->revenue, ==, 900000);
}

/* The fixture with @path (members separated by '/') replaced by @value
 * (JSON text), or removed when @value is NULL. */
static void
assert_malformed_with (const char *path,
                       const char *value)
{
  g_autofree char *text = fixture_text ();
  g_autoptr(JsonNode) root = json_from_string (text, NULL);
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCampaignReport) report = NULL;
  JsonNode *node = root;
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    node = JSON_NODE_HOLDS_ARRAY (node) ? json_array_get_element (json_node_get_array (node), atoi (parts[i]))
                                        : json_object_get_member (json_node_get_object (node), parts[i]);
  if (value == NULL)
    json_object_remove_member (json_node_get_object (node), parts[n - 1]);
  else
    json_object_set_member (json_node_get_object (node), parts[n - 1], json_from_string (value, NULL));
  report = crm_campaign_report_from_json (root, &error);
  if (report != NULL)
    g_error ("read although %s is %s", path, value ? value : "missing");
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
}

static void
test_refuses_what_it_cannot_read (void)
{
  g_autoptr(GError) error = NULL;

  assert_malformed_with ("name", NULL);
  assert_malformed_with ("name", "12");
  assert_malformed_with ("launched_at", "\"yesterday\"");
  assert_malformed_with ("totals/targets", "-1");
  assert_malformed_with ("totals/revenue", "\"a lot\"");
  assert_malformed_with ("totals/roi", "\"high\"");
  assert_malformed_with ("totals", "[]");
  assert_malformed_with ("control/members", NULL);
  assert_malformed_with ("uplift/conversion", NULL);
  assert_malformed_with ("uplift/revenue/lower", "true");
  assert_malformed_with ("by_channel/1/converted", "1.5");
  assert_malformed_with ("by_tier", "{}");
  assert_malformed_with ("by_week/0/week", "\"2026-13-40\"");
  assert_malformed_with ("by_week/1/revenue", NULL);
  g_assert_null (crm_campaign_report_from_text ("[1, 2]", &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_null (crm_campaign_report_from_text ("{\"name\":", &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
}

static void
test_says_the_uplift_in_words (void)
{
  g_autoptr(CrmCampaignReport) r = fixture ();
  g_autofree char *conversion = crm_campaign_describe_conversion_uplift (r);
  g_autofree char *revenue = crm_campaign_describe_revenue_uplift (r);
  g_autofree char *interval = crm_campaign_format_conversion_interval (&r->uplift_conversion);
  g_autofree char *money = crm_campaign_format_revenue_interval (&r->uplift_revenue);
  g_autofree char *none = NULL;

  /* conversion: the interval is clear of zero */
  g_assert_false (crm_campaign_interval_holds_zero (&r->uplift_conversion));
  g_assert_cmpstr (conversion, ==, "Targeted customers converted 3.0 percentage points more often than the control "
                                   "group. With 95% confidence the effect lies between +0.2 and +5.8 points.");
  g_assert_cmpstr (interval, ==, "+3.0 points (+0.2 to +5.8)");
  /* revenue: it holds zero, and the words say so plainly */
  g_assert_true (crm_campaign_interval_holds_zero (&r->uplift_revenue));
  g_assert_cmpstr (revenue, ==, "No measurable effect on revenue (yet). The difference per customer from the control "
                                "group is +¥10.80, but with 95% confidence it lies between −¥2.15 and +¥23.75, which "
                                "includes zero: it may be chance.");
  g_assert_cmpstr (money, ==, "+¥10.80 (−¥2.15 to +¥23.75)");

  /* a negative effect, and none measurable at all */
  r->uplift_conversion = (CrmCampaignInterval) { -0.04, -0.07, -0.01 };
  g_clear_pointer (&conversion, g_free);
  conversion = crm_campaign_describe_conversion_uplift (r);
  g_assert_cmpstr (conversion, ==, "Targeted customers converted 4.0 percentage points less often than the control "
                                   "group. With 95% confidence the effect lies between −7.0 and −1.0 points.");
  r->uplift_conversion = (CrmCampaignInterval) { NAN, NAN, NAN };
  r->control_members = 0;
  none = crm_campaign_describe_conversion_uplift (r);
  g_assert_cmpstr (none, ==, "This campaign has no control group, so its effect cannot be measured.");
}

static const char expected_csv[] =
  "\xEF\xBB\xBF"
  "Campaign,\"宽带续约关怀, \"\"Q4\"\"\"\r\n"
  "Status,Running\r\n"
  "Launched,2026-10-05 00:00:00 UTC\r\n"
  "Budget (yuan),50000.00\r\n"
  "Control group (%),10\r\n"
  "\r\n"
  "Uplift over the control group,Estimate,\"95% interval, lower\",\"95% interval, upper\",Measurable effect\r\n"
  "Conversion (percentage points),3.00,0.21,5.79,Yes\r\n"
  "Revenue per member (yuan),10.80,-2.15,23.75,No\r\n"
  "\r\n"
  "Control group,Members,Converted,Conversion rate (%),Revenue (yuan)\r\n"
  ",100,2,2.00,720.00\r\n"
  "\r\n"
  "Breakdown,Group,Targets,Contacted,Responded,Converted,Response rate (%),Conversion rate (%),Revenue (yuan),"
  "Cost (yuan),Cost per response (yuan),ROI (%)\r\n"
  "Total,,900,600,180,45,20.00,5.00,16200.00,2100.00,11.67,671.43\r\n"
  "Channel,SMS,500,400,100,20,20.00,4.00,7200.00,40.00,0.40,17900.00\r\n"
  "Channel,Phone,300,200,80,25,26.67,8.33,9000.00,2060.00,25.75,336.89\r\n"
  "Channel,Not yet attempted,100,0,0,0,0.00,0.00,0.00,0.00,,\r\n"
  "Tier,Key,400,300,90,30,22.50,7.50,12000.00,1200.00,13.33,900.00\r\n"
  "Tier,Major,500,300,90,15,18.00,3.00,4200.00,900.00,10.00,366.67\r\n"
  "Region,杭州市,900,600,180,45,20.00,5.00,16200.00,2100.00,11.67,671.43\r\n"
  "Account Manager,李娜,800,600,180,45,22.50,5.62,16200.00,2100.00,11.67,671.43\r\n"
  "Account Manager,SMS queue,100,0,0,0,0.00,0.00,0.00,0.00,,\r\n"
  "\r\n"
  "Week,Contacted,Responded,Converted,Revenue (yuan)\r\n"
  "2026-10-05,350,90,20,7200.00\r\n"
  "2026-10-12,250,90,25,9000.00\r\n";

static void
test_csv_is_exact (void)
{
  g_autoptr(CrmCampaignReport) r = fixture ();
  g_autofree char *csv = crm_campaign_report_dup_csv (r);
  g_autofree char *dir = g_dir_make_tmp ("keyline-csv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "results.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  gsize length;

  g_assert_cmpstr (csv, ==, expected_csv);
  g_assert_true (crm_campaign_report_write_csv (r, file, NULL, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &written, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, strlen (expected_csv));
  g_assert_cmpmem (written, length, expected_csv, strlen (expected_csv));
  g_unlink (path);
  g_rmdir (dir);
}

/* The standard output of @argv (pdfinfo, pdftotext), which must succeed. */
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
test_pdf_is_written (void)
{
  g_autoptr(CrmCampaignReport) r = fixture ();
  g_autofree char *dir = g_dir_make_tmp ("keyline-pdf-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "results.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length;

  g_assert_true (crm_campaign_report_write_pdf (r, file, NULL, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 10000);
  g_assert_true (g_str_has_prefix (data, "%PDF-"));
  {
    const char *info_argv[] = { "pdfinfo", path, NULL };
    const char *text_argv[] = { "pdftotext", "-layout", path, "-", NULL };
    g_autofree char *info = run (info_argv);
    g_autofree char *text = run (text_argv);

    /* two A4 pages: the figures, uplift and chart, then the breakdowns */
    g_assert_true (g_regex_match_simple ("^Pages:\\s+2$", info, G_REGEX_MULTILINE, 0));
    g_assert_nonnull (strstr (info, "595.276 x 841.89 pts (A4)"));
    g_assert_nonnull (strstr (text, "宽带续约关怀"));
    g_assert_nonnull (strstr (text, "No measurable effect on revenue (yet)."));
    g_assert_nonnull (strstr (text, "SMS queue"));
    g_assert_nonnull (strstr (text, "杭州市"));
  }
  g_unlink (path);
  g_rmdir (dir);
}

static void
keep_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* GET the results of ID through @api; the report or NULL with @error. */
static CrmCampaignReport *
get_results (CrmApi  *api,
             char   **answer,
             GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  crm_api_get_campaign_results_async (api, "5b0c8e7a-3d2f-4e1a-9c6b-7a8d9e0f1a2b", NULL, keep_result_cb, &result);
  while (result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  return crm_api_get_campaign_results_finish (api, result, answer, error);
}

static void
test_api_asks_for_the_campaign_and_checks_the_answer (void)
{
  g_autoptr(CrmTestServer) server = crm_test_server_new ();
  g_autoptr(CrmApi) api = crm_api_new (server->url, NULL);
  g_autofree char *text = fixture_text ();
  g_autoptr(CrmCampaignReport) report = NULL;
  g_autoptr(CrmCampaignReport) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;

  crm_test_server_answer (server, SOUP_STATUS_OK, text, NULL);
  report = get_results (api, &answer, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (server->last_method, ==, "GET");
  g_assert_cmpstr (server->last_path, ==, "/api/v1/campaigns/5b0c8e7a-3d2f-4e1a-9c6b-7a8d9e0f1a2b/results");
  g_assert_cmpint (report->totals.targets, ==, 900);
  /* the answer's text, to keep, reads back as the same report */
  again = crm_campaign_report_from_text (answer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->totals.revenue, ==, report->totals.revenue);
  g_assert_cmpuint (again->weeks->len, ==, report->weeks->len);
  g_clear_pointer (&report, crm_campaign_report_free);

  /* an answer the client cannot read, and the server's refusal */
  crm_test_server_answer (server, SOUP_STATUS_OK, "{\"name\": 1}", NULL);
  report = get_results (api, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_clear_error (&error);
  crm_test_server_answer (server, SOUP_STATUS_NOT_FOUND,
                          "{\"error\": {\"code\": \"not_found\", \"message\": \"No such campaign\", \"field\": \"id\"}}",
                          NULL);
  report = get_results (api, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/campaign-report/reads-every-member", test_reads_every_member);
  g_test_add_func ("/client/campaign-report/refuses-what-it-cannot-read", test_refuses_what_it_cannot_read);
  g_test_add_func ("/client/campaign-report/says-the-uplift-in-words", test_says_the_uplift_in_words);
  g_test_add_func ("/client/campaign-report/csv-is-exact", test_csv_is_exact);
  g_test_add_func ("/client/campaign-report/pdf-is-written", test_pdf_is_written);
  g_test_add_func ("/client/campaign-report/api-asks-for-the-campaign-and-checks-the-answer",
                   test_api_asks_for_the_campaign_and_checks_the_answer);
  return g_test_run ();
}
