#define G_LOG_DOMAIN "test-pipeline-model"

#include "config.h"

#include <stdlib.h>

#include "crm-error.h"
#include "crm-pipeline-model.h"
#include "store-test-util.h"

/*
 * The pipeline's opportunity model (crm-pipeline-model.c): its items'
 * derived figures, the filter, the per-stage totals behind the board's
 * column headers, reading and following the store, and moves through the
 * mutation path.
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

/* An opportunity record of customer @customer, owner 8000 + @owner. */
static JsonObject *
opportunity (guint       n,
             guint       customer,
             guint       owner,
             const char *stage,
             gint64      once,
             gint64      monthly,
             int         probability,
             const char *close)
{
  g_autofree char *close_json = close ? g_strdup_printf ("\"%s\"", close) : g_strdup ("null");
  g_autofree char *json = g_strdup_printf (
    "{\"id\":\"%s\",\"customer_id\":\"%s\",\"owner_id\":\"%s\",\"name\":\"Deal %u\",\"stage\":\"%s\","
    "\"amount_once\":%" G_GINT64_FORMAT ",\"amount_monthly\":%" G_GINT64_FORMAT ",\"probability\":%d,"
    "\"expected_close\":%s,\"closed_on\":null,\"lost_reason\":null,\"agent_id\":null,"
    "\"created_at\":\"2026-01-01T00:00:00Z\",\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
    test_id (n), test_id (customer), test_id (8000 + owner), n, stage, once, monthly, probability, close_json);

  return parse (json);
}

static void
page_add (JsonObject *page,
          const char *plural,
          JsonObject *record)
{
  if (!json_object_has_member (page, plural))
    json_object_set_array_member (page, plural, json_array_new ());
  json_array_add_object_element (json_object_get_array_member (page, plural), record);
}

static GDateTime *
now (void)
{
  return g_date_time_new_from_iso8601 (NOW, NULL);
}

/* ------------------------------------------------------------------ */
/* Items and the filter, without a store                               */
/* ------------------------------------------------------------------ */

static CrmOpportunityItem *
item_from (JsonObject                  *record,
           const CrmOpportunityContext *context)
{
  g_autoptr(JsonObject) owned = record;
  g_autoptr(GDateTime) t = now ();

  return crm_opportunity_item_new (owned, context, t);
}

static void
test_item_derived_figures (void)
{
  g_autoptr(CrmOpportunityItem) a = NULL;
  g_autoptr(CrmOpportunityItem) b = NULL;
  g_autoptr(CrmOpportunityItem) c = NULL;
  JsonObject *record;
  CrmOpportunityContext context = { "华信科技", NULL, "王伟", NULL, 25 };

  /* no contract_months: 12; 333 + 12 × 1 = 345; 345 × 75 = 25,875 → 259 */
  a = item_from (opportunity (1, 1, 1, "negotiation", 333, 1, 75, "2026-12-31"), &context);
  g_assert_cmpint (crm_opportunity_item_get_amount (a), ==, 345);
  g_assert_cmpint (crm_opportunity_item_get_probability (a), ==, 75);
  g_assert_cmpint (crm_opportunity_item_get_probability_override (a), ==, 75);
  g_assert_cmpint (crm_opportunity_item_get_weighted (a), ==, 259);
  g_assert_cmpstr (crm_opportunity_item_get_customer_name (a), ==, "华信科技");
  g_assert_cmpint (crm_opportunity_item_get_stage (a), ==, CRM_STAGE_NEGOTIATION);
  /* no stage_changed_at: unknown */
  g_assert_cmpint (crm_opportunity_item_get_days_in_stage (a), ==, -1);

  /* 24 months; no probability of its own: the stage's 25;
   * 1,000 + 24 × 10 = 1,240 × 25 = 31,000 → 310; 10 days and a half in stage */
  record = opportunity (2, 1, 1, "qualification", 1000, 10, 0, NULL);
  json_object_set_int_member (record, "contract_months", 24);
  json_object_set_null_member (record, "probability");
  json_object_set_string_member (record, "stage_changed_at", "2026-11-22T22:00:00Z");
  b = item_from (record, &context);
  g_assert_cmpint (crm_opportunity_item_get_amount (b), ==, 1240);
  g_assert_cmpint (crm_opportunity_item_get_probability_override (b), ==, -1);
  g_assert_cmpint (crm_opportunity_item_get_probability (b), ==, 25);
  g_assert_cmpint (crm_opportunity_item_get_weighted (b), ==, 310);
  g_assert_cmpint (crm_opportunity_item_get_days_in_stage (b), ==, 10);

  /* half a fen rounds up: 1 × 50 → 1 */
  c = item_from (opportunity (3, 1, 1, "proposal", 1, 0, 50, NULL), NULL);
  g_assert_cmpint (crm_opportunity_item_get_weighted (c), ==, 1);
  g_assert_null (crm_opportunity_item_get_customer_name (c));
}

static void
test_totals_are_the_sum_of_rounded_cards (void)
{
  g_autoptr(GListStore) store = g_list_store_new (CRM_TYPE_OPPORTUNITY_ITEM);
  CrmPipelineTotals totals[CRM_N_STAGES];

  /* three cards of 1 fen at 50 %: each weighs 1 fen (rounded), so the
   * column weighs 3 fen, not round (1.5) = 2 */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(CrmOpportunityItem) item = item_from (opportunity (10 + i, 1, 1, "proposal", 1, 0, 50, NULL), NULL);

      g_list_store_append (store, item);
    }
  {
    g_autoptr(CrmOpportunityItem) item = item_from (opportunity (20, 1, 1, "prospecting", 1000, 100, 10, NULL), NULL);

    g_list_store_append (store, item);
  }
  crm_pipeline_sum (G_LIST_MODEL (store), totals);
  g_assert_cmpuint (totals[CRM_STAGE_PROPOSAL].count, ==, 3);
  g_assert_cmpint (totals[CRM_STAGE_PROPOSAL].amount, ==, 3);
  g_assert_cmpint (totals[CRM_STAGE_PROPOSAL].weighted, ==, 3);
  g_assert_cmpuint (totals[CRM_STAGE_PROSPECTING].count, ==, 1);
  g_assert_cmpint (totals[CRM_STAGE_PROSPECTING].amount, ==, 2200);
  g_assert_cmpint (totals[CRM_STAGE_PROSPECTING].weighted, ==, 220);
  g_assert_cmpuint (totals[CRM_STAGE_WON].count, ==, 0);
}

static void
test_filter_conditions (void)
{
  g_autoptr(CrmPipelineFilter) filter = crm_pipeline_filter_new ();
  g_autoptr(GHashTable) regions = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(CrmOpportunityItem) item = NULL;
  CrmOpportunityContext context = { "华信科技", "r-pudong", "王伟", "t-east", 0 };
  JsonObject *record = opportunity (1, 1, 1, "proposal", 10000, 1000, 50, "2026-12-15");

  json_object_set_array_member (record, "product_lines", json_array_new ());
  json_array_add_string_element (json_object_get_array_member (record, "product_lines"), "cloud");
  item = item_from (record, &context);   /* amount 22,000 */

  g_assert_true (crm_pipeline_filter_is_empty (filter));
  g_assert_true (crm_pipeline_filter_matches (filter, item, NULL));

  filter->owner_id = g_strdup (test_id (8002));
  g_assert_false (crm_pipeline_filter_matches (filter, item, NULL));
  g_free (filter->owner_id);
  filter->owner_id = g_strdup (test_id (8001));
  g_assert_true (crm_pipeline_filter_matches (filter, item, NULL));

  filter->team_id = g_strdup ("t-west");
  g_assert_false (crm_pipeline_filter_matches (filter, item, NULL));
  g_free (filter->team_id);
  filter->team_id = g_strdup ("t-east");
  g_assert_true (crm_pipeline_filter_matches (filter, item, NULL));

  /* a region: the customer's region must be in the subtree given */
  filter->region_id = g_strdup ("r-shanghai");
  g_assert_false (crm_pipeline_filter_matches (filter, item, NULL));
  g_hash_table_add (regions, (gpointer) "r-shanghai");
  g_assert_false (crm_pipeline_filter_matches (filter, item, regions));
  g_hash_table_add (regions, (gpointer) "r-pudong");
  g_assert_true (crm_pipeline_filter_matches (filter, item, regions));

  filter->product_line = g_strdup ("idc");
  g_assert_false (crm_pipeline_filter_matches (filter, item, regions));
  g_free (filter->product_line);
  filter->product_line = g_strdup ("cloud");
  g_assert_true (crm_pipeline_filter_matches (filter, item, regions));

  /* both ends included */
  filter->amount_min = 22000;
  filter->amount_max = 22000;
  g_assert_true (crm_pipeline_filter_matches (filter, item, regions));
  filter->amount_min = 22001;
  g_assert_false (crm_pipeline_filter_matches (filter, item, regions));
  filter->amount_min = -1;
  filter->amount_max = 21999;
  g_assert_false (crm_pipeline_filter_matches (filter, item, regions));
  filter->amount_max = -1;

  filter->close_from = g_strdup ("2026-12-15");
  filter->close_to = g_strdup ("2026-12-31");
  g_assert_true (crm_pipeline_filter_matches (filter, item, regions));
  g_free (filter->close_from);
  filter->close_from = g_strdup ("2026-12-16");
  g_assert_false (crm_pipeline_filter_matches (filter, item, regions));
}

static void
test_filter_round_trips_as_a_saved_view (void)
{
  g_autoptr(CrmPipelineFilter) filter = crm_pipeline_filter_new ();
  g_autoptr(CrmPipelineFilter) back = NULL;
  g_autoptr(CrmPipelineFilter) empty = NULL;
  g_autoptr(GVariant) variant = NULL;

  filter->team_id = g_strdup ("t-east");
  filter->product_line = g_strdup ("cloud");
  filter->amount_min = 0;
  filter->amount_max = 5000000;
  filter->close_from = g_strdup ("2026-10-01");
  filter->close_to = g_strdup ("2026-12-31");
  variant = g_variant_ref_sink (crm_pipeline_filter_to_variant (filter));
  back = crm_pipeline_filter_new_from_variant (variant);
  g_assert_true (crm_pipeline_filter_equal (filter, back));
  g_assert_false (crm_pipeline_filter_is_empty (back));

  /* junk is ignored, not fatal */
  empty = crm_pipeline_filter_new_from_variant (g_variant_new_string ("junk"));
  g_assert_true (crm_pipeline_filter_is_empty (empty));
  g_variant_unref (g_variant_ref_sink (g_variant_new_string ("junk")));
}

static void
test_period_bounds (void)
{
  g_autoptr(GDate) date = g_date_new_dmy (3, G_DATE_DECEMBER, 2026);
  g_autoptr(GDate) feb = g_date_new_dmy (10, G_DATE_FEBRUARY, 2028);
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  crm_pipeline_period_bounds (CRM_PIPELINE_PERIOD_QUARTER, date, &first, &last);
  g_assert_cmpstr (first, ==, "2026-10-01");
  g_assert_cmpstr (last, ==, "2026-12-31");
  g_clear_pointer (&first, g_free);
  g_clear_pointer (&last, g_free);
  crm_pipeline_period_bounds (CRM_PIPELINE_PERIOD_MONTH, feb, &first, &last);
  g_assert_cmpstr (first, ==, "2028-02-01");
  g_assert_cmpstr (last, ==, "2028-02-29");
  g_clear_pointer (&first, g_free);
  g_clear_pointer (&last, g_free);
  crm_pipeline_period_bounds (CRM_PIPELINE_PERIOD_YEAR, feb, &first, &last);
  g_assert_cmpstr (first, ==, "2028-01-01");
  g_assert_cmpstr (last, ==, "2028-12-31");
}

/* ------------------------------------------------------------------ */
/* The model over a store                                              */
/* ------------------------------------------------------------------ */

/* Customers 1 (owner 8001, 王伟's) and 2; opportunities of owners 8001
 * and 8002 in every kind of stage. */
static JsonObject *
seeded_page (void)
{
  JsonObject *page = test_page ("c1");
  JsonObject *other = test_customer (2, "东方物流", 1);

  test_page_add_customer (page, test_customer (1, "华信科技", 1));
  json_object_set_string_member (other, "owner_id", test_id (8002));
  json_object_set_string_member (other, "owner_name", "李娜");
  test_page_add_customer (page, other);

  page_add (page, "opportunities", opportunity (101, 1, 1, "prospecting", 100000, 0, 10, "2027-01-20"));
  page_add (page, "opportunities", opportunity (102, 1, 1, "prospecting", 50000, 1000, 10, "2026-12-20"));
  page_add (page, "opportunities", opportunity (103, 1, 1, "proposal", 1, 0, 50, "2026-12-31"));
  page_add (page, "opportunities", opportunity (104, 2, 2, "proposal", 1, 0, 50, NULL));
  page_add (page, "opportunities", opportunity (105, 2, 2, "negotiation", 200000, 5000, 75, "2026-12-10"));
  page_add (page, "opportunities", opportunity (106, 1, 1, "won", 900000, 0, 100, "2026-10-01"));
  page_add (page, "opportunities", opportunity (107, 2, 2, "lost", 800000, 0, 0, "2026-09-01"));
  return page;
}

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @done or ten seconds have passed. */
static gboolean
wait_until (gboolean (*done) (gpointer),
            gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  guint tick = g_timeout_add (20, tick_cb, NULL);

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return done (data);
}

static gboolean
loaded (gpointer data)
{
  return !crm_pipeline_model_get_loading (data);
}

static CrmPipelineModel *
open_model (CrmStore *store)
{
  CrmPipelineModel *model = crm_pipeline_model_new (store);
  g_autoptr(GDateTime) t = now ();

  crm_pipeline_model_set_now (model, t);
  g_assert_true (wait_until (loaded, model));
  g_assert_null (crm_pipeline_model_get_error (model));
  return model;
}

static gboolean
store_is_free (gpointer store)
{
  return G_OBJECT (store)->ref_count == 1;
}

/* Drops @model and lets a read it started finish, so that the store is
 * free again for the fixture's check that it is finalized. */
static void
close_model (CrmPipelineModel *model,
             CrmStore         *store)
{
  g_object_unref (model);
  g_assert_true (wait_until (store_is_free, store));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static const char *
id_at (GListModel *list,
       guint       position)
{
  g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (list, position);

  return item ? crm_opportunity_item_get_id (item) : NULL;
}

static void
test_model_reads_the_store (StoreFixture  *fixture,
                            gconstpointer  data)
{
  CrmPipelineModel *model;
  GListModel *prospecting;
  const CrmPipelineStage *stages;
  CrmPipelineTotals totals[CRM_N_STAGES];
  guint n_stages;
  CrmOpportunityItem *item;

  test_apply (fixture->store, seeded_page ());
  model = open_model (fixture->store);

  g_assert_cmpuint (crm_pipeline_model_get_n_all (model), ==, 7);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 7);
  stages = crm_pipeline_model_get_stages (model, &n_stages);
  g_assert_cmpuint (n_stages, ==, CRM_N_STAGES);
  g_assert_cmpint (stages[0].stage, ==, CRM_STAGE_PROSPECTING);
  g_assert_true (stages[3].is_open);
  g_assert_false (crm_pipeline_model_lookup_stage (model, CRM_STAGE_WON)->is_open);

  /* by expected close within the stage */
  prospecting = crm_pipeline_model_get_stage_items (model, CRM_STAGE_PROSPECTING);
  g_assert_cmpuint (g_list_model_get_n_items (prospecting), ==, 2);
  g_assert_cmpstr (id_at (prospecting, 0), ==, test_id (102));
  g_assert_cmpstr (id_at (prospecting, 1), ==, test_id (101));
  /* none last */
  g_assert_cmpstr (id_at (crm_pipeline_model_get_stage_items (model, CRM_STAGE_PROPOSAL), 1), ==, test_id (104));

  /* the customer's name and, where the deal is the account manager's, the owner's */
  item = crm_pipeline_model_lookup (model, test_id (105));
  g_assert_cmpstr (crm_opportunity_item_get_customer_name (item), ==, "东方物流");
  g_assert_cmpstr (crm_opportunity_item_get_owner_name (item), ==, "李娜");
  g_assert_cmpstr (crm_opportunity_item_get_region_id (item), ==, test_id (9001));

  crm_pipeline_sum (crm_pipeline_model_get_items (model), totals);
  g_assert_cmpuint (totals[CRM_STAGE_PROSPECTING].count, ==, 2);
  g_assert_cmpint (totals[CRM_STAGE_PROSPECTING].amount, ==, 100000 + 50000 + 12 * 1000);
  g_assert_cmpint (totals[CRM_STAGE_PROSPECTING].weighted, ==, 10000 + 6200);
  g_assert_cmpint (totals[CRM_STAGE_PROPOSAL].weighted, ==, 2);
  g_assert_cmpint (totals[CRM_STAGE_NEGOTIATION].weighted, ==, (260000 * 75 + 50) / 100);
  close_model (model, fixture->store);
}

static void
test_model_filters (StoreFixture  *fixture,
                    gconstpointer  data)
{
  CrmPipelineModel *model;
  g_autoptr(CrmPipelineFilter) filter = crm_pipeline_filter_new ();
  CrmPipelineTotals totals[CRM_N_STAGES];
  CrmPipelineTotals column[CRM_N_STAGES];

  test_apply (fixture->store, seeded_page ());
  model = open_model (fixture->store);

  filter->owner_id = g_strdup (test_id (8001));
  crm_pipeline_model_set_filter (model, filter);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_stage_items (model, CRM_STAGE_PROPOSAL)), ==, 1);

  /* amount 62,000 .. 100,000 and closing in December: 102 only */
  filter->amount_min = 62000;
  filter->amount_max = 100000;
  crm_pipeline_model_set_filter (model, filter);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 2);
  filter->close_from = g_strdup ("2026-12-01");
  filter->close_to = g_strdup ("2026-12-31");
  crm_pipeline_model_set_filter (model, filter);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 1);
  g_assert_cmpstr (id_at (crm_pipeline_model_get_items (model), 0), ==, test_id (102));

  /* a column's header is the sum of its cards under the filter */
  crm_pipeline_sum (crm_pipeline_model_get_items (model), totals);
  crm_pipeline_sum (crm_pipeline_model_get_stage_items (model, CRM_STAGE_PROSPECTING), column);
  g_assert_cmpuint (column[CRM_STAGE_PROSPECTING].count, ==, 1);
  g_assert_cmpint (column[CRM_STAGE_PROSPECTING].amount, ==, 62000);
  g_assert_cmpint (column[CRM_STAGE_PROSPECTING].weighted, ==, 6200);
  g_assert_cmpint (totals[CRM_STAGE_PROSPECTING].weighted, ==, column[CRM_STAGE_PROSPECTING].weighted);

  crm_pipeline_model_set_filter (model, crm_pipeline_filter_new ());
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 7);
  close_model (model, fixture->store);
}

typedef struct
{
  CrmPipelineModel *model;
  const char       *id;
  CrmStage          stage;
  CrmPipelineMove  *move;
  GError           *error;
  gboolean          done;
} MoveWait;

static void
moved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  MoveWait *w = user_data;

  w->move = crm_pipeline_model_move_finish (CRM_PIPELINE_MODEL (source), result, &w->error);
  w->done = TRUE;
}

static void
undone_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  MoveWait *w = user_data;

  g_assert_true (crm_pipeline_model_undo_finish (CRM_PIPELINE_MODEL (source), result, &w->error));
  w->done = TRUE;
}

static gboolean
move_done (gpointer data)
{
  return ((MoveWait *) data)->done;
}

static CrmStage
stored_stage (CrmStore   *store,
              const char *customer,
              const char *id)
{
  g_autoptr(GPtrArray) records = crm_store_get_records (store, CRM_ENTITY_OPPORTUNITY, customer, NULL);

  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member (records->pdata[i], "id"), id) == 0)
      return (CrmStage) crm_wire_lookup (crm_stage_names,
                                         json_object_get_string_member (records->pdata[i], "stage"));
  return CRM_N_STAGES;
}

static gboolean
past (gpointer data)
{
  return g_get_monotonic_time () > *(gint64 *) data;
}

static gboolean
model_shows_stage (gpointer data)
{
  MoveWait *w = data;
  CrmOpportunityItem *item = crm_pipeline_model_lookup (w->model, w->id);

  return item != NULL && crm_opportunity_item_get_stage (item) == w->stage;
}

static void
test_model_moves_through_the_queue (StoreFixture  *fixture,
                                    gconstpointer  data)
{
  CrmPipelineModel *model;
  g_autoptr(GPtrArray) mutations = NULL;
  MoveWait w = { 0, };
  GListModel *prospecting, *negotiation;

  test_apply (fixture->store, seeded_page ());
  model = open_model (fixture->store);
  prospecting = crm_pipeline_model_get_stage_items (model, CRM_STAGE_PROSPECTING);
  negotiation = crm_pipeline_model_get_stage_items (model, CRM_STAGE_NEGOTIATION);

  crm_pipeline_model_move_async (model, test_id (101), CRM_STAGE_NEGOTIATION, NULL, NULL, moved_cb, &w);
  /* shown at once, before the store has written it */
  g_assert_cmpuint (g_list_model_get_n_items (prospecting), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (negotiation), ==, 2);
  g_assert_cmpint (crm_opportunity_item_get_days_in_stage (crm_pipeline_model_lookup (model, test_id (101))), ==, 0);
  g_assert_true (wait_until (move_done, &w));
  g_assert_no_error (w.error);
  g_assert_cmpint (w.move->from, ==, CRM_STAGE_PROSPECTING);
  g_assert_cmpint (stored_stage (fixture->store, test_id (1), test_id (101)), ==, CRM_STAGE_NEGOTIATION);
  mutations = crm_store_list_mutations (fixture->store, NULL);
  g_assert_cmpuint (mutations->len, ==, 1);

  /* the store's change signal comes back and is read: still there, once */
  {
    gint64 until = g_get_monotonic_time () + 200 * G_TIME_SPAN_MILLISECOND;

    g_assert_true (wait_until (past, &until));
  }
  g_assert_cmpuint (g_list_model_get_n_items (negotiation), ==, 2);
  g_assert_cmpint (crm_opportunity_item_get_days_in_stage (crm_pipeline_model_lookup (model, test_id (101))), ==, 0);

  /* undo: back, through the queue too */
  w.done = FALSE;
  crm_pipeline_model_undo_async (model, w.move, NULL, undone_cb, &w);
  g_assert_cmpuint (g_list_model_get_n_items (prospecting), ==, 2);
  g_assert_true (wait_until (move_done, &w));
  g_assert_no_error (w.error);
  g_assert_cmpint (stored_stage (fixture->store, test_id (1), test_id (101)), ==, CRM_STAGE_PROSPECTING);
  g_clear_pointer (&w.move, crm_pipeline_move_free);
  close_model (model, fixture->store);
}

static void
test_model_loss_needs_a_reason (StoreFixture  *fixture,
                                gconstpointer  data)
{
  CrmPipelineModel *model;
  g_autoptr(GPtrArray) records = NULL;
  MoveWait w = { 0, };

  test_apply (fixture->store, seeded_page ());
  model = open_model (fixture->store);

  crm_pipeline_model_move_async (model, test_id (105), CRM_STAGE_LOST, "  ", NULL, moved_cb, &w);
  g_assert_true (wait_until (move_done, &w));
  g_assert_error (w.error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&w.error);
  g_assert_cmpint (crm_opportunity_item_get_stage (crm_pipeline_model_lookup (model, test_id (105))), ==,
                   CRM_STAGE_NEGOTIATION);
  g_assert_cmpint (stored_stage (fixture->store, test_id (2), test_id (105)), ==, CRM_STAGE_NEGOTIATION);

  w.done = FALSE;
  crm_pipeline_model_move_async (model, test_id (105), CRM_STAGE_LOST, "预算取消", NULL, moved_cb, &w);
  g_assert_true (wait_until (move_done, &w));
  g_assert_no_error (w.error);
  records = crm_store_get_records (fixture->store, CRM_ENTITY_OPPORTUNITY, test_id (2), NULL);
  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member (records->pdata[i], "id"), test_id (105)) == 0)
      {
        g_assert_cmpstr (json_object_get_string_member (records->pdata[i], "stage"), ==, "lost");
        g_assert_cmpstr (json_object_get_string_member (records->pdata[i], "lost_reason"), ==, "预算取消");
      }
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_stage_items (model, CRM_STAGE_NEGOTIATION)),
                    ==, 0);
  g_clear_pointer (&w.move, crm_pipeline_move_free);
  close_model (model, fixture->store);
}

static void
test_model_follows_a_sync (StoreFixture  *fixture,
                           gconstpointer  data)
{
  CrmPipelineModel *model;
  JsonObject *page;
  JsonObject *changed;
  MoveWait w = { 0, };

  test_apply (fixture->store, seeded_page ());
  model = open_model (fixture->store);

  /* the server moved 103 to negotiation and a new one came in */
  page = test_page ("c2");
  changed = opportunity (103, 1, 1, "negotiation", 1, 0, 50, "2026-12-31");
  json_object_set_int_member (changed, "version", 2);
  page_add (page, "opportunities", changed);
  page_add (page, "opportunities", opportunity (108, 2, 2, "qualification", 7000, 0, 20, "2027-03-01"));
  test_apply (fixture->store, page);

  w.model = model;
  w.id = test_id (103);
  w.stage = CRM_STAGE_NEGOTIATION;
  g_assert_true (wait_until (model_shows_stage, &w));
  w.id = test_id (108);
  w.stage = CRM_STAGE_QUALIFICATION;
  g_assert_true (wait_until (model_shows_stage, &w));
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_stage_items (model, CRM_STAGE_PROPOSAL)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 8);
  close_model (model, fixture->store);
}

static JsonObject *
stage_record (const char *stage,
              int         position,
              int         probability,
              gboolean    is_open,
              gint64      version)
{
  g_autofree char *json = g_strdup_printf (
    "{\"stage\":\"%s\",\"position\":%d,\"default_probability\":%d,\"is_open\":%s,\"version\":%" G_GINT64_FORMAT ","
    "\"updated_at\":\"2026-01-01T00:00:00Z\"}", stage, position, probability, is_open ? "true" : "false", version);

  return parse (json);
}

static gboolean
weighs_400 (gpointer data)
{
  MoveWait *w = data;
  CrmOpportunityItem *item = crm_pipeline_model_lookup (w->model, w->id);

  return item != NULL && crm_opportunity_item_get_weighted (item) == 400;
}

static void
test_model_takes_stage_defaults (StoreFixture  *fixture,
                                 gconstpointer  data)
{
  CrmPipelineModel *model;
  JsonObject *page = seeded_page ();
  JsonObject *record = opportunity (109, 1, 1, "qualification", 1000, 0, 0, NULL);
  MoveWait w = { 0, };
  CrmOpportunityItem *item;

  /* no probability of its own; the administrator set qualification to 30 */
  json_object_set_null_member (record, "probability");
  page_add (page, "opportunities", record);
  page_add (page, "pipeline_stages", stage_record ("qualification", 2, 30, TRUE, 2));
  test_apply (fixture->store, page);
  model = open_model (fixture->store);

  item = crm_pipeline_model_lookup (model, test_id (109));
  g_assert_cmpint (crm_opportunity_item_get_probability (item), ==, 30);
  g_assert_cmpint (crm_opportunity_item_get_weighted (item), ==, 300);
  g_assert_cmpint (crm_pipeline_model_lookup_stage (model, CRM_STAGE_QUALIFICATION)->default_probability, ==, 30);
  /* the others keep the server's initial defaults until they come */
  g_assert_cmpint (crm_pipeline_model_lookup_stage (model, CRM_STAGE_PROPOSAL)->default_probability, ==, 50);

  /* then 40: the model reads again */
  page = test_page ("c2");
  page_add (page, "pipeline_stages", stage_record ("qualification", 2, 40, TRUE, 3));
  test_apply (fixture->store, page);
  w.model = model;
  w.id = test_id (109);
  g_assert_true (wait_until (weighs_400, &w));
  close_model (model, fixture->store);
}

/* The directory: regions 9001 (Guangdong) > 9002 (Guangzhou) > 9003
 * (Tianhe); teams 7001 and 7002; owners 8001 (team 7001) and 8002 (team
 * 7002). */
static void
add_directory (JsonObject *page)
{
  static const char * const regions[][3] = {
    { "9001", NULL, "广东省" }, { "9002", "9001", "广州市" }, { "9003", "9002", "天河区" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (regions); i++)
    {
      g_autofree char *parent = regions[i][1] ? g_strdup_printf ("\"%s\"", test_id (atoi (regions[i][1])))
                                              : g_strdup ("null");
      g_autofree char *json = g_strdup_printf (
        "{\"id\":\"%s\",\"parent_id\":%s,\"name\":\"%s\",\"name_en\":null,\"level\":%u,\"version\":1,"
        "\"updated_at\":\"2026-01-01T00:00:00Z\"}", test_id (atoi (regions[i][0])), parent, regions[i][2], i + 1);

      page_add (page, "regions", parse (json));
    }
  for (guint t = 7001; t <= 7002; t++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"id\":\"%s\",\"region_id\":\"%s\",\"parent_id\":null,\"name\":\"销售%u组\",\"name_en\":\"Sales %u\","
        "\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}", test_id (t), test_id (9002), t - 7000, t - 7000);

      page_add (page, "teams", parse (json));
    }
  for (guint u = 1; u <= 2; u++)
    {
      g_autofree char *json = g_strdup_printf (
        "{\"id\":\"%s\",\"display_name\":\"%s\",\"role\":\"manager\",\"team_id\":\"%s\",\"region_id\":\"%s\","
        "\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}", test_id (8000 + u), u == 1 ? "王伟" : "赵敏",
        test_id (7000 + u), test_id (9002));

      page_add (page, "users", parse (json));
    }
}

static void
test_model_uses_the_directory (StoreFixture  *fixture,
                               gconstpointer  data)
{
  CrmPipelineModel *model;
  JsonObject *page = seeded_page ();
  g_autoptr(CrmPipelineFilter) filter = crm_pipeline_filter_new ();
  JsonObject *tianhe = test_customer (3, "天河软件园", 1);
  GPtrArray *teams;

  /* customer 3 in Tianhe, below Guangzhou, below Guangdong; 1 and 2 in 9001 */
  json_object_set_string_member (tianhe, "region_id", test_id (9003));
  test_page_add_customer (page, tianhe);
  page_add (page, "opportunities", opportunity (110, 3, 2, "proposal", 5000, 0, 40, "2026-12-24"));
  add_directory (page);
  test_apply (fixture->store, page);
  model = open_model (fixture->store);

  /* the owner's name from the directory, even where the customer is
   * someone else's (customer 1 is 8001's, 110 is 8002's) */
  g_assert_cmpstr (crm_opportunity_item_get_owner_name (crm_pipeline_model_lookup (model, test_id (110))), ==,
                   "赵敏");
  g_assert_cmpstr (crm_opportunity_item_get_team_id (crm_pipeline_model_lookup (model, test_id (110))), ==,
                   test_id (7002));
  teams = crm_pipeline_model_get_choices (model, CRM_PIPELINE_CHOICE_TEAM);
  g_assert_cmpuint (teams->len, ==, 2);
  g_assert_cmpuint (crm_pipeline_model_get_choices (model, CRM_PIPELINE_CHOICE_OWNER)->len, ==, 2);
  g_assert_cmpuint (crm_pipeline_model_get_choices (model, CRM_PIPELINE_CHOICE_REGION)->len, ==, 3);

  /* a team: its members' opportunities (8002's: 104, 105, 107, 110) */
  filter->team_id = g_strdup (test_id (7002));
  crm_pipeline_model_set_filter (model, filter);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 4);

  /* a region: its customers and those of the regions below it */
  g_clear_pointer (&filter->team_id, g_free);
  filter->region_id = g_strdup (test_id (9002));
  crm_pipeline_model_set_filter (model, filter);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 1);
  g_free (filter->region_id);
  filter->region_id = g_strdup (test_id (9001));
  crm_pipeline_model_set_filter (model, filter);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (model)), ==, 8);
  close_model (model, fixture->store);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pipeline/item/derives-amount-probability-weighted-and-days", test_item_derived_figures);
  g_test_add_func ("/pipeline/totals/are-the-sum-of-rounded-cards", test_totals_are_the_sum_of_rounded_cards);
  g_test_add_func ("/pipeline/filter/checks-every-condition", test_filter_conditions);
  g_test_add_func ("/pipeline/filter/round-trips-as-a-saved-view", test_filter_round_trips_as_a_saved_view);
  g_test_add_func ("/pipeline/filter/period-bounds", test_period_bounds);
#define ADD(path, func) \
  g_test_add (path, StoreFixture, NULL, store_fixture_set_up, func, store_fixture_tear_down)
  ADD ("/pipeline/model/reads-the-store-in-stage-and-close-order", test_model_reads_the_store);
  ADD ("/pipeline/model/filters-and-column-totals-follow", test_model_filters);
  ADD ("/pipeline/model/moves-at-once-through-the-queue-and-undoes", test_model_moves_through_the_queue);
  ADD ("/pipeline/model/a-loss-needs-a-reason", test_model_loss_needs_a_reason);
  ADD ("/pipeline/model/follows-a-sync", test_model_follows_a_sync);
  ADD ("/pipeline/model/takes-the-stages-default-probabilities", test_model_takes_stage_defaults);
  ADD ("/pipeline/model/names-owners-and-filters-teams-and-region-subtrees-from-the-directory",
       test_model_uses_the_directory);
#undef ADD

  return g_test_run ();
}
