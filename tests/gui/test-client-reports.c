#include "config.h"

#include <string.h>

#include "crm-api.h"
#include "crm-error.h"
#include "crm-report.h"
#include "crm-report-cache.h"
#include "crm-test-server.h"
#include "crm-test-store.h"

/*
 * The pipeline reports as the client reads them (crm-report.c), asks for
 * them (crm_api_get_report_async) and keeps them (crm-report-cache.c),
 * on the JSON fixtures of tests/data/reports/: every member is read, and
 * an answer with any member missing, of the wrong type or out of range is
 * CRM_ERROR_MALFORMED, never a crash.  No display needed.
 */

static const char * const fixture_names[CRM_N_REPORTS] = {
  "pipeline.json", "forecast.json", "analysis.json", "opportunities.json",
};

static char *
load_text (CrmReportKind kind)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "reports", fixture_names[kind], NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static JsonNode *
load_node (CrmReportKind kind)
{
  g_autofree char *text = load_text (kind);
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

static JsonNode *edited (CrmReportKind kind, const char *from, const char *to);

static void
assert_malformed (CrmReportKind  kind,
                  JsonNode      *node,
                  const char    *what)
{
  g_autoptr(GError) error = NULL;
  gpointer report = crm_report_from_json (kind, node, &error);

  if (report != NULL)
    {
      g_autofree char *text = json_to_string (node, FALSE);

      crm_report_free (kind, report);
      g_error ("%s: read although %s: %s", fixture_names[kind], what, text);
    }
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

static void
test_forecast_reads_every_member (void)
{
  g_autoptr(JsonNode) node = load_node (CRM_REPORT_FORECAST);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmForecast) f = crm_forecast_from_json (node, &error);
  const CrmForecastRow *row;

  g_assert_no_error (error);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->scope, ==, "region:6f1c2a9e-0b7d-4c3e-9a51-2d4e8f7a1b03");
  g_assert_cmpstr (f->period, ==, "2026-Q4");
  g_assert_cmpint (g_date_get_month (&f->first), ==, 10);
  g_assert_cmpint (g_date_get_day (&f->last), ==, 31);
  g_assert_cmpint (g_date_time_get_hour (f->as_of), ==, 13);
  g_assert_cmpint (f->totals.closed_won, ==, 1250000000);
  g_assert_cmpint (f->totals.commit, ==, 320000000);
  g_assert_cmpint (f->totals.best_case, ==, 540000000);
  g_assert_cmpint (f->totals.pipeline, ==, 910000000);
  g_assert_cmpint (f->totals.weighted, ==, 401000000);
  g_assert_cmpint (f->totals.target, ==, 2000000000);
  g_assert_cmpint (f->totals.attainment, ==, 625);
  g_assert_true (f->totals.behind);
  g_assert_cmpuint (f->rows->len, ==, 3);
  row = &g_array_index (f->rows, CrmForecastRow, 1);
  g_assert_cmpint (row->kind, ==, CRM_FORECAST_ROW_TEAM);
  g_assert_cmpstr (row->id, ==, "1b5c8d4e-6f7a-4b2c-9d3e-4f5a6b7c8d9e");
  g_assert_cmpstr (row->name, ==, "华东二组");
  g_assert_cmpint (row->figures.attainment, ==, 363);
  g_assert_true (row->figures.behind);
  row = &g_array_index (f->rows, CrmForecastRow, 2);
  g_assert_cmpint (row->kind, ==, CRM_FORECAST_ROW_NONE);
  g_assert_null (row->id);
  g_assert_null (row->name);
  g_assert_cmpint (row->figures.attainment, ==, CRM_REPORT_NONE);
  g_assert_false (row->figures.behind);
}

static void
test_opportunities_reads_every_member (void)
{
  g_autoptr(JsonNode) node = load_node (CRM_REPORT_OPPORTUNITIES);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmOpportunityPage) page = crm_opportunity_page_from_json (node, &error);
  JsonObject *second;

  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_cmpstr (page->scope, ==, "region:6f1c2a9e-0b7d-4c3e-9a51-2d4e8f7a1b03");
  g_assert_cmpint (g_date_time_get_hour (page->as_of), ==, 13);
  g_assert_cmpint (page->total, ==, 51);
  g_assert_cmpstr (page->next, ==, "eyJjIjoiMjAyNy0wMS0xNSJ9");
  g_assert_cmpuint (page->opportunities->len, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (page->opportunities->pdata[0], "customer_name"), ==, "东方电子");
  second = page->opportunities->pdata[1];
  g_assert_cmpint (json_object_get_int_member (second, "probability"), ==, 60);
  g_assert_true (json_object_get_null_member (second, "expected_close"));
}

static void
test_opportunities_last_page_has_no_next (void)
{
  g_autoptr(JsonNode) node = edited (CRM_REPORT_OPPORTUNITIES, "\"eyJjIjoiMjAyNy0wMS0xNSJ9\"", "null");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmOpportunityPage) page = crm_opportunity_page_from_json (node, &error);

  g_assert_no_error (error);
  g_assert_null (page->next);
}

static void
test_analysis_reads_every_member (void)
{
  g_autoptr(JsonNode) node = load_node (CRM_REPORT_ANALYSIS);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmAnalysis) a = crm_analysis_from_json (node, &error);
  const CrmAnalysisStage *stage;
  const CrmAnalysisQuarter *quarter;
  const CrmLostReason *reason;

  g_assert_no_error (error);
  g_assert_nonnull (a);
  g_assert_cmpstr (a->scope, ==, "me");
  g_assert_cmpint (a->win_rate, ==, 412);
  g_assert_cmpint (a->avg_deal_size, ==, 36000000);
  g_assert_cmpuint (a->stages->len, ==, 4);
  stage = &g_array_index (a->stages, CrmAnalysisStage, 2);
  g_assert_cmpint (stage->stage, ==, CRM_STAGE_PROPOSAL);
  g_assert_cmpint (stage->entered, ==, 44);
  g_assert_cmpint (stage->advanced, ==, 30);
  g_assert_cmpint (stage->conversion, ==, 681);
  g_assert_cmpint (stage->avg_days, ==, 140);
  stage = &g_array_index (a->stages, CrmAnalysisStage, 3);
  g_assert_cmpint (stage->conversion, ==, CRM_REPORT_NONE);
  g_assert_cmpint (stage->avg_days, ==, CRM_REPORT_NONE);
  g_assert_cmpuint (a->quarters->len, ==, 4);
  quarter = &g_array_index (a->quarters, CrmAnalysisQuarter, 1);
  g_assert_cmpstr (quarter->quarter, ==, "2026-Q2");
  g_assert_cmpint (quarter->won_count, ==, 8);
  g_assert_cmpint (quarter->won_amount, ==, 320000000);
  g_assert_cmpint (quarter->lost_count, ==, 6);
  g_assert_cmpint (quarter->win_rate, ==, 571);
  g_assert_cmpint (quarter->avg_deal_size, ==, 40000000);
  quarter = &g_array_index (a->quarters, CrmAnalysisQuarter, 2);
  g_assert_cmpint (quarter->win_rate, ==, CRM_REPORT_NONE);
  g_assert_cmpint (quarter->avg_deal_size, ==, CRM_REPORT_NONE);
  g_assert_cmpuint (a->lost_reasons->len, ==, 2);
  reason = &g_array_index (a->lost_reasons, CrmLostReason, 0);
  g_assert_cmpstr (reason->reason, ==, "价格过高");
  g_assert_cmpint (reason->count, ==, 12);
  g_assert_cmpint (reason->amount, ==, 400000000);
}

static void
test_pipeline_reads_every_member (void)
{
  g_autoptr(JsonNode) node = load_node (CRM_REPORT_PIPELINE);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmPipelineReport) p = crm_pipeline_report_from_json (node, &error);
  const CrmPipelineStageTotal *stage;

  g_assert_no_error (error);
  g_assert_nonnull (p);
  g_assert_cmpstr (p->scope, ==, "team:0a4b7c3d-5e6f-4a1b-8c2d-3e4f5a6b7c8d");
  g_assert_cmpint (g_date_time_get_hour (p->as_of), ==, 13);
  g_assert_cmpuint (p->stages->len, ==, 4);
  stage = &g_array_index (p->stages, CrmPipelineStageTotal, 3);
  g_assert_cmpint (stage->stage, ==, CRM_STAGE_NEGOTIATION);
  g_assert_cmpint (stage->position, ==, 4);
  g_assert_cmpint (stage->probability, ==, 75);
  g_assert_cmpint (stage->count, ==, 1);
  g_assert_cmpint (stage->amount, ==, 1000);
  g_assert_cmpint (stage->weighted, ==, 750);
  g_assert_cmpint (p->count, ==, 16);
  g_assert_cmpint (p->amount, ==, 1024400);
  g_assert_cmpint (p->weighted, ==, 463090);
}

/* ------------------------------------------------------------------ */
/* Malformed answers                                                   */
/* ------------------------------------------------------------------ */

/* Calls @func for every member of every object under @node (objects in
 * arrays too), with the object and the member's name. */
typedef void (*MemberFunc) (JsonNode *root, JsonObject *object, const char *name, gpointer data);

static void
each_member (JsonNode   *root,
             JsonNode   *node,
             MemberFunc  func,
             gpointer    data)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        each_member (root, json_array_get_element (array, i), func, data);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) members = json_object_get_members (object);
      /* copied: @func removes and sets members back, which frees the names */
      GList *names = g_list_copy_deep (members, (GCopyFunc) g_strdup, NULL);

      for (GList *l = names; l != NULL; l = l->next)
        {
          func (root, object, l->data, data);
          each_member (root, json_object_get_member (object, l->data), func, data);
        }
      g_list_free_full (names, g_free);
    }
}

static void
without_member_cb (JsonNode   *root,
                   JsonObject *object,
                   const char *name,
                   gpointer    data)
{
  CrmReportKind kind = GPOINTER_TO_INT (data);
  g_autoptr(JsonNode) kept = json_node_copy (json_object_get_member (object, name));
  g_autofree char *what = g_strconcat ("“", name, "” is missing", NULL);

  json_object_remove_member (object, name);
  assert_malformed (kind, root, what);
  json_object_set_member (object, name, g_steal_pointer (&kept));
}

static void
test_any_missing_member_is_malformed (void)
{
  for (CrmReportKind kind = 0; kind < CRM_N_REPORTS; kind++)
    {
      g_autoptr(JsonNode) node = load_node (kind);

      each_member (node, node, without_member_cb, GINT_TO_POINTER (kind));
    }
}

/* A value of another type than @node's: a string for a number, a
 * number for a string, an array for an object, an object for a list or
 * for null (which stands for a number or a string), a string for a
 * boolean. */
static JsonNode *
wrong_type (JsonNode *node)
{
  JsonNode *wrong = json_node_alloc ();

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_init_int (wrong, 7);
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_node_init_array (wrong, json_array_new ());
  if (JSON_NODE_HOLDS_ARRAY (node) || JSON_NODE_HOLDS_NULL (node))
    return json_node_init_object (wrong, json_object_new ());
  return json_node_init_string (wrong, "7");
}

static void
wrong_type_cb (JsonNode   *root,
               JsonObject *object,
               const char *name,
               gpointer    data)
{
  CrmReportKind kind = GPOINTER_TO_INT (data);
  g_autoptr(JsonNode) kept = json_node_copy (json_object_get_member (object, name));
  g_autofree char *what = g_strconcat ("“", name, "” has the wrong type", NULL);

  json_object_set_member (object, name, wrong_type (kept));
  assert_malformed (kind, root, what);
  /* a whole number written as a decimal is no integer either */
  if (JSON_NODE_HOLDS_VALUE (kept) && json_node_get_value_type (kept) == G_TYPE_INT64)
    {
      json_object_set_double_member (object, name, json_node_get_int (kept) + 0.5);
      assert_malformed (kind, root, "a number is not whole");
    }
  json_object_set_member (object, name, g_steal_pointer (&kept));
}

static void
test_any_member_of_the_wrong_type_is_malformed (void)
{
  for (CrmReportKind kind = 0; kind < CRM_N_REPORTS; kind++)
    {
      g_autoptr(JsonNode) node = load_node (kind);

      each_member (node, node, wrong_type_cb, GINT_TO_POINTER (kind));
    }
}

/* The fixture of @kind with the text @from (once) replaced by @to. */
static JsonNode *
edited (CrmReportKind  kind,
        const char    *from,
        const char    *to)
{
  g_autofree char *text = load_text (kind);
  g_autoptr(GString) s = g_string_new (text);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  g_assert_nonnull (strstr (text, from));
  g_string_replace (s, from, to, 1);
  node = json_from_string (s->str, &error);
  g_assert_no_error (error);
  return node;
}

static void
test_any_value_out_of_range_is_malformed (void)
{
  struct { CrmReportKind kind; const char *from, *to; } cases[] = {
    { CRM_REPORT_FORECAST, "\"closed_won\": 1250000000", "\"closed_won\": -1" },
    { CRM_REPORT_FORECAST, "\"scope\": \"region:6f1c", "\"scope\": \"galaxy:6f1c" },
    { CRM_REPORT_FORECAST, "\"scope\": \"region:6f1c2a9e", "\"scope\": \"region:xf1c2a9e" },
    { CRM_REPORT_FORECAST, "\"label\": \"2026-Q4\"", "\"label\": \"2026-Q5\"" },
    { CRM_REPORT_FORECAST, "\"end\": \"2026-12-31\"", "\"end\": \"2026-02-30\"" },
    { CRM_REPORT_FORECAST, "\"end\": \"2026-12-31\"", "\"end\": \"2026-09-30\"" },
    { CRM_REPORT_FORECAST, "\"as_of\": \"2026-12-03T13:00:00Z\"", "\"as_of\": \"yesterday\"" },
    { CRM_REPORT_FORECAST, "\"kind\": \"team\"", "\"kind\": \"squad\"" },
    { CRM_REPORT_FORECAST, "\"kind\": \"team\", \"id\": \"0a4b7c3d", "\"kind\": \"team\", \"id\": \"0a4b7c3" },
    { CRM_REPORT_FORECAST, "\"kind\": \"team\", \"id\": \"0a4b7c3d-5e6f-4a1b-8c2d-3e4f5a6b7c8d\"",
      "\"kind\": \"team\", \"id\": null" },
    { CRM_REPORT_FORECAST, "\"rows\": [", "\"rows\": [7, " },
    { CRM_REPORT_ANALYSIS, "\"stage\": \"proposal\"", "\"stage\": \"won\"" },
    { CRM_REPORT_ANALYSIS, "\"stage\": \"proposal\"", "\"stage\": \"haggling\"" },
    { CRM_REPORT_ANALYSIS, "\"conversion\": 550", "\"conversion\": 1001" },
    { CRM_REPORT_ANALYSIS, "\"advanced\": 66", "\"advanced\": 121" },
    { CRM_REPORT_ANALYSIS, "\"win_rate\": 412", "\"win_rate\": -5" },
    { CRM_REPORT_ANALYSIS, "\"quarter\": \"2026-Q1\"", "\"quarter\": \"2026-01\"" },
    { CRM_REPORT_ANALYSIS, "\"won_amount\": 150000000", "\"won_amount\": 99999999999999999999" },
    { CRM_REPORT_PIPELINE, "\"probability\": 75", "\"probability\": 175" },
    { CRM_REPORT_PIPELINE, "\"stage\": \"proposal\"", "\"stage\": \"lost\"" },
    { CRM_REPORT_OPPORTUNITIES, "\"total\": 51", "\"total\": 1" },
    { CRM_REPORT_OPPORTUNITIES, "\"total\": 51", "\"total\": -1" },
    { CRM_REPORT_OPPORTUNITIES, "\"stage\": \"proposal\"", "\"stage\": \"haggling\"" },
    { CRM_REPORT_OPPORTUNITIES, "\"id\": \"3d2c1b0a", "\"id\": \"xd2c1b0a" },
    { CRM_REPORT_OPPORTUNITIES, "\"owner_id\": \"1b5c8d4e", "\"owner_id\": \"xb5c8d4e" },
    { CRM_REPORT_OPPORTUNITIES, "\"expected_close\": \"2027-01-15\"", "\"expected_close\": \"2027-02-30\"" },
    { CRM_REPORT_OPPORTUNITIES, "\"stage_changed_at\": \"2026-11-02T09:00:00Z\"", "\"stage_changed_at\": \"soon\"" },
    { CRM_REPORT_OPPORTUNITIES, "\"probability\": 60", "\"probability\": 160" },
    { CRM_REPORT_OPPORTUNITIES, "\"amount_once\": 1200000", "\"amount_once\": -1200000" },
    { CRM_REPORT_OPPORTUNITIES, "\"next\": \"eyJjIjoiMjAyNy0wMS0xNSJ9\"", "\"next\": \"\"" },
    { CRM_REPORT_OPPORTUNITIES, "\"opportunities\": [", "\"opportunities\": [7, " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = edited (cases[i].kind, cases[i].from, cases[i].to);

      assert_malformed (cases[i].kind, node, cases[i].to);
    }
}

static void
test_any_answer_that_is_no_object_is_malformed (void)
{
  const char *texts[] = { "null", "[]", "\"forecast\"", "12", "{}", "{\"scope\": \"me\"}", "[[[", "" };

  for (CrmReportKind kind = 0; kind < CRM_N_REPORTS; kind++)
    for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
      {
        g_autoptr(GError) error = NULL;
        gpointer report = crm_report_from_text (kind, texts[i], &error);

        g_assert_null (report);
        g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
      }
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (crm_report_from_json (CRM_REPORT_FORECAST, NULL, &error));
    g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  }
}

/* ------------------------------------------------------------------ */
/* Queries and periods                                                 */
/* ------------------------------------------------------------------ */

static void
test_query_key_is_the_same_in_any_order (void)
{
  g_autoptr(CrmReportQuery) a = crm_report_query_new ("team:0a4b7c3d-5e6f-4a1b-8c2d-3e4f5a6b7c8d", "2026-Q4");
  g_autoptr(CrmReportQuery) b = crm_report_query_new ("team:0a4b7c3d-5e6f-4a1b-8c2d-3e4f5a6b7c8d", "2026-Q4");
  g_autoptr(CrmReportQuery) c = NULL;
  g_autoptr(CrmReportQuery) me = crm_report_query_new (NULL, NULL);
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *ka = NULL;
  g_autofree char *kb = NULL;
  g_autofree char *kc = NULL;
  g_autofree char *kme = NULL;

  g_assert_true (crm_report_query_set_filter (a, "product_line", "idc"));
  g_assert_true (crm_report_query_set_filter (a, "amount_min", "100"));
  g_assert_true (crm_report_query_set_filter (b, "amount_min", "100"));
  g_assert_true (crm_report_query_set_filter (b, "product_line", "idc"));
  g_assert_true (crm_report_query_set_filter (b, "owner", "x"));
  g_assert_true (crm_report_query_set_filter (b, "owner", NULL));
  g_assert_false (crm_report_query_set_filter (b, "scope", "region:x"));
  g_assert_false (crm_report_query_set_filter (b, "colour", "red"));

  ka = crm_report_query_dup_key (a);
  kb = crm_report_query_dup_key (b);
  g_assert_cmpstr (ka, ==, "amount_min=100&period=2026-Q4&product_line=idc&scope=team%3A0a4b7c3d-5e6f-4a1b-8c2d-3e4f5a6b7c8d");
  g_assert_cmpstr (ka, ==, kb);

  c = crm_report_query_copy (a);
  crm_report_query_set_filter (c, "close_to", "2026-12-31");
  kc = crm_report_query_dup_key (c);
  g_assert_cmpstr (kc, !=, ka);

  kme = crm_report_query_dup_key (me);
  g_assert_cmpstr (kme, ==, "scope=me");
  params = crm_report_query_to_params (a);
  g_assert_cmpuint (g_hash_table_size (params), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (params, "period"), ==, "2026-Q4");
}

static void
test_period_steps_and_parses (void)
{
  struct { const char *period; int steps; const char *expected; } steps[] = {
    { "2026-12", 1, "2027-01" }, { "2026-01", -1, "2025-12" }, { "2026-03", 0, "2026-03" },
    { "2026-Q1", -1, "2025-Q4" }, { "2026-Q4", 1, "2027-Q1" }, { "2026-Q2", 2, "2026-Q4" },
    { "2026", 1, "2027" }, { "2026", -3, "2023" },
  };
  const char *bad[] = { NULL, "", "26", "2026-13", "2026-00", "2026-Q0", "2026-Q5", "2026-q1", "2026-1", "20261", "x026" };
  CrmPeriodKind kind;
  GDate first, last, day;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autofree char *next = crm_period_step (steps[i].period, steps[i].steps);

      g_assert_cmpstr (next, ==, steps[i].expected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (crm_period_parse (bad[i], NULL, NULL, NULL));
      g_assert_null (crm_period_step (bad[i], 1));
    }

  g_assert_true (crm_period_parse ("2028-02", &kind, &first, &last));
  g_assert_cmpint (kind, ==, CRM_PERIOD_MONTH);
  g_assert_cmpint (g_date_get_day (&last), ==, 29);
  g_assert_true (crm_period_parse ("2026-Q3", &kind, &first, &last));
  g_assert_cmpint (kind, ==, CRM_PERIOD_QUARTER);
  g_assert_cmpint (g_date_get_month (&first), ==, 7);
  g_assert_cmpint (g_date_get_month (&last), ==, 9);
  g_assert_cmpint (g_date_get_day (&last), ==, 30);

  g_date_clear (&day, 1);
  g_date_set_dmy (&day, 3, 12, 2026);
  {
    g_autofree char *m = crm_period_for_date (CRM_PERIOD_MONTH, &day);
    g_autofree char *q = crm_period_for_date (CRM_PERIOD_QUARTER, &day);
    g_autofree char *y = crm_period_for_date (CRM_PERIOD_YEAR, &day);

    g_assert_cmpstr (m, ==, "2026-12");
    g_assert_cmpstr (q, ==, "2026-Q4");
    g_assert_cmpstr (y, ==, "2026");
  }
}

static void
test_age_says_the_time_and_how_long_ago (void)
{
  g_autoptr(GDateTime) fetched = g_date_time_new_utc (2026, 12, 3, 10, 42, 30);
  g_autoptr(GDateTime) soon = g_date_time_add_seconds (fetched, 20);
  g_autoptr(GDateTime) later = g_date_time_add_minutes (fetched, 5);
  g_autoptr(GDateTime) hours = g_date_time_add_hours (fetched, 3);
  g_autoptr(GDateTime) days = g_date_time_add_days (fetched, 2);
  g_autofree char *a = crm_report_format_age (fetched, soon);
  g_autofree char *b = crm_report_format_age (fetched, later);
  g_autofree char *c = crm_report_format_age (fetched, hours);
  g_autofree char *d = crm_report_format_age (fetched, days);

  /* TZ=UTC, C locale (main) */
  g_assert_cmpstr (a, ==, "As of 10:42, just now");
  g_assert_cmpstr (b, ==, "As of 10:42, 5 minutes ago");
  g_assert_cmpstr (c, ==, "As of 10:42, 3 hours ago");
  g_assert_cmpstr (d, ==, "As of 12/03/26, 2 days ago");
}

/* ------------------------------------------------------------------ */
/* Asking and keeping                                                  */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmTestServer *server;
  CrmApi        *api;
  CrmTestStore  *store;
  GAsyncResult  *result;
  gboolean       done;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server = crm_test_server_new ();
  fixture->api = crm_api_new (fixture->server->url, &error);
  g_assert_no_error (error);
  fixture->store = crm_test_store_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->result);
  g_assert_finalize_object (fixture->api);
  crm_test_server_free (fixture->server);
  crm_test_store_free (fixture->store);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
  fixture->done = TRUE;
}

static gpointer
fetch (Fixture              *fixture,
       CrmApi               *api,
       CrmReportKind         kind,
       const CrmReportQuery *query,
       GDateTime           **fetched_at,
       GError              **error)
{
  fixture->done = FALSE;
  g_clear_object (&fixture->result);
  crm_report_fetch_async (api, fixture->store->store, kind, query, NULL, done_cb, fixture);
  crm_test_wait_until (&fixture->done);
  return crm_report_fetch_finish (fixture->result, fetched_at, error);
}

static void
test_api_asks_with_scope_period_and_filters (Fixture       *fixture,
                                             gconstpointer  data)
{
  g_autofree char *body = load_text (CRM_REPORT_FORECAST);
  g_autoptr(CrmReportQuery) query = crm_report_query_new ("region:6f1c2a9e-0b7d-4c3e-9a51-2d4e8f7a1b03", "2026-Q4");
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;
  CrmReportKind kind = CRM_N_REPORTS;
  CrmForecast *forecast;

  crm_test_server_answer (fixture->server, SOUP_STATUS_OK, body, NULL);
  crm_report_query_set_filter (query, "product_line", "cloud");
  crm_api_set_token (fixture->api, "tok-9");

  crm_api_get_report_async (fixture->api, CRM_REPORT_FORECAST, query, NULL, done_cb, fixture);
  crm_test_wait_until (&fixture->done);
  forecast = crm_api_get_report_finish (fixture->api, fixture->result, &kind, &answer, &error);
  g_assert_no_error (error);
  g_assert_nonnull (forecast);
  g_assert_cmpint (kind, ==, CRM_REPORT_FORECAST);
  g_assert_cmpint (forecast->totals.closed_won, ==, 1250000000);
  g_assert_nonnull (answer);
  g_assert_nonnull (strstr (answer, "华东二组"));
  crm_forecast_free (forecast);

  g_assert_cmpstr (fixture->server->last_method, ==, "GET");
  g_assert_cmpstr (fixture->server->last_path, ==, "/api/v1/forecast");
  g_assert_cmpstr (fixture->server->last_authorization, ==, "Bearer tok-9");
  g_assert_cmpstr (g_hash_table_lookup (fixture->server->last_query, "scope"), ==,
                   "region:6f1c2a9e-0b7d-4c3e-9a51-2d4e8f7a1b03");
  g_assert_cmpstr (g_hash_table_lookup (fixture->server->last_query, "period"), ==, "2026-Q4");
  g_assert_cmpstr (g_hash_table_lookup (fixture->server->last_query, "product_line"), ==, "cloud");
  g_assert_cmpuint (g_hash_table_size (fixture->server->last_query), ==, 3);
}

static void
test_api_malformed_answer_is_an_error (Fixture       *fixture,
                                       gconstpointer  data)
{
  g_autoptr(CrmReportQuery) query = crm_report_query_new ("me", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) read_error = NULL;
  gpointer report;

  crm_test_server_answer (fixture->server, SOUP_STATUS_OK,
                          "{\"scope\": \"me\", \"as_of\": \"2026-12-03T13:00:00Z\", \"stages\": [], \"total\": {}}", NULL);
  report = fetch (fixture, fixture->api, CRM_REPORT_PIPELINE, query, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_assert_cmpuint (fixture->server->requests, ==, 1);
  g_assert_cmpstr (fixture->server->last_path, ==, "/api/v1/pipeline");
  /* nothing kept */
  g_assert_null (crm_report_cache_read (fixture->store->store, CRM_REPORT_PIPELINE, query, NULL, &read_error));
  g_assert_no_error (read_error);
}

static void
test_cache_keeps_the_answer_for_offline_reading (Fixture       *fixture,
                                                 gconstpointer  data)
{
  g_autofree char *body = load_text (CRM_REPORT_ANALYSIS);
  g_autofree char *closed = crm_test_closed_url ();
  g_autoptr(CrmApi) offline = crm_api_new (closed, NULL);
  g_autoptr(CrmReportQuery) query = crm_report_query_new ("me", NULL);
  g_autoptr(CrmReportQuery) other = crm_report_query_new ("me", NULL);
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) fetched = NULL;
  g_autoptr(GDateTime) kept_at = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmAnalysis) fresh = NULL;
  g_autoptr(CrmAnalysis) kept = NULL;
  g_autoptr(CrmAnalysis) none = NULL;
  gpointer failed;

  crm_report_query_set_filter (query, "team", "0a4b7c3d-5e6f-4a1b-8c2d-3e4f5a6b7c8d");
  crm_test_server_answer (fixture->server, SOUP_STATUS_OK, body, NULL);
  fresh = fetch (fixture, fixture->api, CRM_REPORT_ANALYSIS, query, &fetched, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fresh);
  g_assert_nonnull (fetched);
  g_assert_cmpint (g_date_time_compare (fetched, before), >=, 0);

  /* the server cannot be reached: the error says so, the kept answer reads */
  failed = fetch (fixture, offline, CRM_REPORT_ANALYSIS, query, NULL, &error);
  g_assert_null (failed);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE);
  g_assert_cmpstr (crm_error_get_field (error), ==, CRM_API_FIELD_SERVER);
  g_clear_error (&error);

  kept = crm_report_cache_read (fixture->store->store, CRM_REPORT_ANALYSIS, query, &kept_at, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kept);
  g_assert_true (g_date_time_equal (kept_at, fetched));
  g_assert_cmpint (kept->win_rate, ==, fresh->win_rate);
  g_assert_cmpuint (kept->lost_reasons->len, ==, 2);
  g_assert_cmpstr (g_array_index (kept->lost_reasons, CrmLostReason, 0).reason, ==, "价格过高");

  /* another filter, another report: none kept; nor for another endpoint */
  none = crm_report_cache_read (fixture->store->store, CRM_REPORT_ANALYSIS, other, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_null (crm_report_cache_read (fixture->store->store, CRM_REPORT_PIPELINE, query, NULL, &error));
  g_assert_no_error (error);
}

static void
test_cache_kept_text_that_does_not_read_is_none (Fixture       *fixture,
                                                 gconstpointer  data)
{
  g_autoptr(CrmReportQuery) query = crm_report_query_new ("me", "2026-12");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = crm_report_query_dup_key (query);
  gpointer report;

  g_assert_true (crm_store_put_answer (fixture->store->store, "/forecast", key, "{\"scope\": 5}", now, &error));
  g_test_expect_message ("crm-report-cache", G_LOG_LEVEL_WARNING, "*does not read*");
  report = crm_report_cache_read (fixture->store->store, CRM_REPORT_FORECAST, query, &when, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_null (report);
  g_assert_null (when);
}

int
main (int   argc,
      char *argv[])
{
  /* the age's time in a known zone */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/reports/forecast/reads-every-member", test_forecast_reads_every_member);
  g_test_add_func ("/client/reports/analysis/reads-every-member", test_analysis_reads_every_member);
  g_test_add_func ("/client/reports/opportunities/reads-every-member", test_opportunities_reads_every_member);
  g_test_add_func ("/client/reports/opportunities/last-page-has-no-next", test_opportunities_last_page_has_no_next);
  g_test_add_func ("/client/reports/pipeline/reads-every-member", test_pipeline_reads_every_member);
  g_test_add_func ("/client/reports/any/missing-member-is-malformed", test_any_missing_member_is_malformed);
  g_test_add_func ("/client/reports/any/member-of-the-wrong-type-is-malformed",
                   test_any_member_of_the_wrong_type_is_malformed);
  g_test_add_func ("/client/reports/any/value-out-of-range-is-malformed", test_any_value_out_of_range_is_malformed);
  g_test_add_func ("/client/reports/any/answer-that-is-no-object-is-malformed",
                   test_any_answer_that_is_no_object_is_malformed);
  g_test_add_func ("/client/reports/query/key-is-the-same-in-any-order", test_query_key_is_the_same_in_any_order);
  g_test_add_func ("/client/reports/period/steps-and-parses", test_period_steps_and_parses);
  g_test_add_func ("/client/reports/age/says-the-time-and-how-long-ago", test_age_says_the_time_and_how_long_ago);
  g_test_add ("/client/reports/api/asks-with-scope-period-and-filters", Fixture, NULL,
              fixture_set_up, test_api_asks_with_scope_period_and_filters, fixture_tear_down);
  g_test_add ("/client/reports/api/malformed-answer-is-an-error", Fixture, NULL,
              fixture_set_up, test_api_malformed_answer_is_an_error, fixture_tear_down);
  g_test_add ("/client/reports/cache/keeps-the-answer-for-offline-reading", Fixture, NULL,
              fixture_set_up, test_cache_keeps_the_answer_for_offline_reading, fixture_tear_down);
  g_test_add ("/client/reports/cache/kept-text-that-does-not-read-is-none", Fixture, NULL,
              fixture_set_up, test_cache_kept_text_that_does_not_read_is_none, fixture_tear_down);

  return g_test_run ();
}
