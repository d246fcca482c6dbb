#define G_LOG_DOMAIN "test-customer-summary"

#include "config.h"

#include "crm-customer-summary.h"
#include "crm-error.h"
#include "store-test-util.h"

/*
 * The 360° page's figures from the local store (crm-customer-summary.c,
 * docs/internals.md "360° figures"): one customer with subscriptions of
 * every status, revenue months, opportunities in every kind of stage and
 * service requests with steps, each figure worked out by hand below.
 */

#define NOW "2026-12-03T10:00:00Z"

static JsonObject *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static void
add (JsonObject *page,
     const char *plural,
     char       *json)
{
  g_autofree char *text = json;

  if (!json_object_has_member (page, plural))
    json_object_set_array_member (page, plural, json_array_new ());
  json_array_add_object_element (json_object_get_array_member (page, plural), parse (text));
}

static void
add_product (JsonObject *page,
             guint       n,
             const char *category,
             const char *name)
{
  add (page, "products", g_strdup_printf (
         "{\"id\":\"%s\",\"code\":\"P%u\",\"category\":\"%s\",\"name\":\"%s\",\"name_en\":\"%s\","
         "\"list_fee\":10000,\"unit\":\"line\",\"active\":true,\"version\":1,"
         "\"updated_at\":\"2026-01-01T00:00:00Z\"}", test_id (n), n, category, name, name));
}

static void
add_subscription (JsonObject *page,
                  guint       n,
                  guint       product,
                  gint64      quantity,
                  gint64      fee,
                  const char *contract_end,
                  const char *status)
{
  g_autofree char *end = contract_end ? g_strdup_printf ("\"%s\"", contract_end) : g_strdup ("null");

  add (page, "subscriptions", g_strdup_printf (
         "{\"id\":\"%s\",\"customer_id\":\"%s\",\"product_id\":\"%s\",\"quantity\":%" G_GINT64_FORMAT ","
         "\"monthly_fee\":%" G_GINT64_FORMAT ",\"started_on\":\"2025-01-01\",\"contract_end\":%s,"
         "\"status\":\"%s\",\"cancelled_on\":null,\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
         test_id (n), test_id (1), test_id (product), quantity, fee, end, status));
}

static void
add_month (JsonObject *page,
           const char *month,
           gint64      revenue,
           gint64      arrears)
{
  add (page, "revenue_months", g_strdup_printf (
         "{\"customer_id\":\"%s\",\"month\":\"%s\",\"revenue\":%" G_GINT64_FORMAT ","
         "\"arrears\":%" G_GINT64_FORMAT ",\"usage_index\":100,\"version\":1,"
         "\"updated_at\":\"2026-01-01T00:00:00Z\"}", test_id (1), month, revenue, arrears));
}

static void
add_opportunity (JsonObject *page,
                 guint       n,
                 const char *stage,
                 gint64      once,
                 gint64      monthly,
                 int         probability,     /* < 0: none, the stage's default */
                 int         months,          /* the contract's */
                 const char *close)
{
  g_autofree char *p = probability < 0 ? g_strdup ("null") : g_strdup_printf ("%d", probability);

  add (page, "opportunities", g_strdup_printf (
         "{\"id\":\"%s\",\"customer_id\":\"%s\",\"owner_id\":\"%s\",\"name\":\"Deal %u\",\"stage\":\"%s\","
         "\"amount_once\":%" G_GINT64_FORMAT ",\"amount_monthly\":%" G_GINT64_FORMAT ",\"probability\":%s,"
         "\"contract_months\":%d,\"expected_close\":\"%s\",\"closed_on\":null,\"lost_reason\":null,\"agent_id\":null,"
         "\"created_at\":\"2026-01-01T00:00:00Z\",\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
         test_id (n), test_id (1), test_id (8001), n, stage, once, monthly, p, months, close));
}

static void
add_request (JsonObject *page,
             guint       n,
             const char *kind,
             const char *status)
{
  add (page, "service_requests", g_strdup_printf (
         "{\"id\":\"%s\",\"customer_id\":\"%s\",\"phase\":\"after_sale\",\"kind\":\"%s\",\"title\":\"Request %u\","
         "\"description\":null,\"status\":\"%s\",\"priority\":\"normal\",\"opened_by\":null,\"team_id\":null,"
         "\"opened_at\":\"2026-11-01T00:00:00Z\",\"due_at\":null,\"closed_at\":null,\"satisfaction\":null,"
         "\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}", test_id (n), test_id (1), kind, n, status));
}

static void
add_step (JsonObject *page,
          guint       n,
          guint       request,
          int         position,
          const char *deadline,
          gboolean    done)
{
  add (page, "service_steps", g_strdup_printf (
         "{\"id\":\"%s\",\"request_id\":\"%s\",\"position\":%d,\"name\":\"Step %d\",\"owner_id\":\"%s\","
         "\"deadline\":\"%s\",\"done_at\":%s,\"note\":null,\"version\":1,"
         "\"updated_at\":\"2026-01-01T00:00:00Z\"}", test_id (n), test_id (request), position, position,
         test_id (8002), deadline, done ? "\"2026-11-02T00:00:00Z\"" : "null"));
}

static CrmCustomerSummary *
read_summary (CrmStore   *store,
              const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (NOW, NULL);
  CrmCustomerSummary *summary = crm_customer_summary_read (store, id, now, &error);

  g_assert_no_error (error);
  g_assert_nonnull (summary);
  return summary;
}

/* Customer 1: ¥10,000 a month, ¥15,000 arrears, churn risk 42. */
static JsonObject *
seeded_page (void)
{
  JsonObject *page = test_page ("c1");
  JsonObject *customer = test_customer (1, "华信科技", 1);

  json_object_set_int_member (customer, "monthly_revenue", 1000000);
  json_object_set_int_member (customer, "arrears", 1500000);
  test_page_add_customer (page, customer);

  add_product (page, 101, "broadband", "企业宽带");
  add_product (page, 102, "dedicated_line", "互联网专线");
  /* active: 2 + 3 + 1 lines; the one ending on 2027-01-15 is within 90 days */
  add_subscription (page, 201, 101, 2, 200000, "2027-01-15", "active");
  add_subscription (page, 202, 102, 3, 600000, "2028-06-30", "active");
  add_subscription (page, 203, 102, 1, 200000, NULL, "active");
  /* not active: neither lines, nor fees, nor the next contract end */
  add_subscription (page, 204, 101, 10, 90000, "2026-12-10", "suspended");
  add_subscription (page, 205, 101, 5, 50000, "2026-12-20", "cancelled");
  /* a product the store does not have: its own group */
  add_subscription (page, 206, 199, 4, 40000, "2026-11-30", "active");

  /* 14 months: 2025-10 .. 2026-11, revenue 600,000 + 10,000 a month;
   * arrears in 2025-10..2026-06, none in 2026-07, then four in a row */
  for (int m = 0; m < 14; m++)
    {
      g_autofree char *month = g_strdup_printf ("%04d-%02d-01", 2025 + (9 + m) / 12, (9 + m) % 12 + 1);

      add_month (page, month, 600000 + 10000 * m, m == 9 ? 0 : 1000 * (m + 1));
    }

  add_opportunity (page, 301, "proposal", 1000000, 50000, 30, 12, "2027-02-01");
  add_opportunity (page, 302, "negotiation", 333, 1, 75, 24, "2026-12-31");
  add_opportunity (page, 303, "won", 9000000, 900000, 100, 12, "2026-10-01");
  add_opportunity (page, 304, "lost", 8000000, 800000, 10, 12, "2026-09-01");

  add_request (page, 401, "complaint", "open");
  add_request (page, 402, "complaint", "in_progress");
  add_request (page, 403, "complaint", "resolved");
  add_request (page, 404, "complaint", "closed");
  add_request (page, 405, "fault", "in_progress");
  add_step (page, 501, 405, 1, "2026-11-05T00:00:00Z", TRUE);
  add_step (page, 502, 405, 2, "2026-12-01T00:00:00Z", FALSE);
  add_step (page, 503, 405, 3, "2026-12-20T00:00:00Z", FALSE);
  /* a closed request's late step is no longer anyone's work */
  add_step (page, 504, 404, 1, "2026-10-01T00:00:00Z", FALSE);
  return page;
}

static void
test_figures (StoreFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(CrmCustomerSummary) s = NULL;

  test_apply (fixture->store, seeded_page ());
  s = read_summary (fixture->store, test_id (1));

  g_assert_cmpint (s->monthly_revenue, ==, 1000000);
  /* 2 + 3 + 1 + 4 (the unknown product's) */
  g_assert_cmpint (s->active_lines, ==, 10);
  g_assert_true (s->has_arpu);
  g_assert_cmpint (s->arpu, ==, 100000);

  /* the latest 12 of 14 months: 2025-12 .. 2026-11, oldest first */
  g_assert_cmpuint (s->n_arpu_months, ==, 12);
  g_assert_cmpstr (s->arpu_months[0], ==, "2025-12-01");
  g_assert_cmpstr (s->arpu_months[11], ==, "2026-11-01");
  g_assert_cmpint (s->arpu_trend[0], ==, (600000 + 20000) / 10);
  g_assert_cmpint (s->arpu_trend[11], ==, (600000 + 130000) / 10);

  g_assert_cmpint (s->arrears, ==, 1500000);
  g_assert_cmpuint (s->arrears_months, ==, 4);

  g_assert_cmpuint (s->open_complaints, ==, 2);

  /* total contract values, as the pipeline's: (1,000,000 + 50,000 × 12
   * months) + (333 + 1 × 24 months) */
  g_assert_cmpint (s->pipeline, ==, 1600000 + 357);
  /* each rounded, then summed: 1,600,000 × 30 / 100 + 357 × 75 / 100
   * (267.75) = 480,000 + 268 */
  g_assert_cmpint (s->pipeline_weighted, ==, 480268);
  g_assert_cmpuint (s->opportunities->len, ==, 2);
  {
    CrmSummaryOpportunity *first = s->opportunities->pdata[0];

    /* by expected close */
    g_assert_cmpstr (json_object_get_string_member (first->record, "id"), ==, test_id (302));
  }

  g_assert_cmpstr (s->next_contract_end, ==, "2027-01-15");
  g_assert_cmpuint (s->overdue_steps, ==, 1);
  g_assert_cmpuint (s->requests->len, ==, 3);
  {
    CrmSummaryRequest *first = s->requests->pdata[0];

    /* the fault's current step (2, past its deadline) comes first */
    g_assert_cmpstr (json_object_get_string_member (first->record, "id"), ==, test_id (405));
    g_assert_nonnull (first->current_step);
    g_assert_cmpstr (json_object_get_string_member (first->current_step, "id"), ==, test_id (502));
    g_assert_true (first->overdue);
    g_assert_cmpuint (first->n_steps, ==, 3);
    g_assert_cmpuint (first->n_done, ==, 1);
  }

  g_assert_cmpint (s->warnings, ==, CRM_CUSTOMER_WARNING_ARREARS | CRM_CUSTOMER_WARNING_CONTRACT_ENDS |
                                    CRM_CUSTOMER_WARNING_OVERDUE_STEP);
}

static void
test_services_by_product_line (StoreFixture  *fixture,
                               gconstpointer  data)
{
  g_autoptr(CrmCustomerSummary) s = NULL;
  CrmSummaryServiceGroup *group;

  test_apply (fixture->store, seeded_page ());
  s = read_summary (fixture->store, test_id (1));

  g_assert_cmpuint (s->n_services, ==, 6);
  /* category order (crm_product_category_names), unknown products last */
  g_assert_cmpuint (s->service_groups->len, ==, 3);
  group = s->service_groups->pdata[0];
  g_assert_cmpstr (group->category, ==, "dedicated_line");
  g_assert_cmpuint (group->services->len, ==, 2);
  g_assert_cmpint (group->quantity, ==, 4);
  g_assert_cmpint (group->monthly_fee, ==, 800000);
  group = s->service_groups->pdata[1];
  g_assert_cmpstr (group->category, ==, "broadband");
  g_assert_cmpuint (group->services->len, ==, 3);
  g_assert_cmpint (group->quantity, ==, 2);
  g_assert_cmpint (group->monthly_fee, ==, 200000);
  for (guint i = 0; i < group->services->len; i++)
    {
      CrmSummaryService *service = group->services->pdata[i];
      const char *id = json_object_get_string_member (service->record, "id");

      g_assert_cmpstr (service->product_name, ==, "企业宽带");
      /* only the active one ending within 90 days; not the suspended one */
      g_assert_cmpint (service->ends_soon, ==, g_str_equal (id, test_id (201)));
    }
  group = s->service_groups->pdata[2];
  g_assert_null (group->category);
  g_assert_null (((CrmSummaryService *) group->services->pdata[0])->product_name);
  /* ended yesterday: not "ending soon" */
  g_assert_false (((CrmSummaryService *) group->services->pdata[0])->ends_soon);
}

static void
test_no_active_lines_no_arpu (StoreFixture  *fixture,
                              gconstpointer  data)
{
  JsonObject *page = test_page ("c1");
  g_autoptr(CrmCustomerSummary) s = NULL;

  test_page_add_customer (page, test_customer (1, "宏远物流", 1));
  add_product (page, 101, "broadband", "企业宽带");
  add_subscription (page, 201, 101, 2, 200000, NULL, "suspended");
  add_month (page, "2026-10-01", 500000, 0);
  add_month (page, "2026-11-01", 500000, 0);
  test_apply (fixture->store, page);

  s = read_summary (fixture->store, test_id (1));
  g_assert_cmpint (s->active_lines, ==, 0);
  g_assert_false (s->has_arpu);
  g_assert_cmpuint (s->n_arpu_months, ==, 0);
  g_assert_cmpuint (s->arrears_months, ==, 0);
  g_assert_null (s->next_contract_end);
  g_assert_cmpuint (s->opportunities->len, ==, 0);
  g_assert_cmpuint (s->requests->len, ==, 0);
  g_assert_cmpint (s->pipeline, ==, 0);
  g_assert_cmpint (s->warnings, ==, CRM_CUSTOMER_WARNING_NONE);
}

static void
test_unknown_customer (StoreFixture  *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (NOW, NULL);
  CrmCustomerSummary *s = crm_customer_summary_read (fixture->store, test_id (77), now, &error);

  g_assert_null (s);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
}

/* An opportunity without a probability of its own (0014) counts with
 * its stage's default: the store's stage when it has come, else the
 * stage's initial default. */
static void
test_stage_default_probability (StoreFixture  *fixture,
                                gconstpointer  data)
{
  g_autoptr(CrmCustomerSummary) s = NULL;
  JsonObject *page = test_page ("c1");

  test_page_add_customer (page, test_customer (1, "华信科技", 1));
  add_opportunity (page, 301, "proposal", 1000000, 50000, -1, 12, "2027-02-01");
  add_opportunity (page, 302, "negotiation", 333, 1, -1, 12, "2026-12-31");
  add (page, "pipeline_stages", g_strdup ("{\"stage\":\"negotiation\",\"position\":4,\"default_probability\":60,"
                                          "\"is_open\":true,\"version\":2,\"updated_at\":\"2026-01-01T00:00:00Z\"}"));
  test_apply (fixture->store, page);
  s = read_summary (fixture->store, test_id (1));

  /* (1,600,000 × 50 + 345 × 60) / 100 */
  g_assert_cmpint (s->pipeline_weighted, ==, 800207);
  g_assert_cmpuint (s->opportunities->len, ==, 2);
  g_assert_cmpint (((CrmSummaryOpportunity *) s->opportunities->pdata[0])->probability, ==, 60);
  g_assert_cmpint (((CrmSummaryOpportunity *) s->opportunities->pdata[1])->probability, ==, 50);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, StoreFixture, NULL, store_fixture_set_up, func, store_fixture_tear_down)
  ADD ("/store/summary/figures-follow-the-360-rules", test_figures);
  ADD ("/store/summary/services-are-grouped-by-product-line", test_services_by_product_line);
  ADD ("/store/summary/no-active-lines-means-no-arpu", test_no_active_lines_no_arpu);
  ADD ("/store/summary/a-customer-not-here-is-not-found", test_unknown_customer);
  ADD ("/store/summary/an-opportunity-without-a-probability-takes-its-stages-default",
       test_stage_default_probability);
#undef ADD

  return g_test_run ();
}
