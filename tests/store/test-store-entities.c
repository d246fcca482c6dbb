#define G_LOG_DOMAIN "test-store-entities"

#include "config.h"

#include <string.h>

#include "crm-entity.h"
#include "crm-error.h"
#include "crm-store.h"
#include "crm-store-private.h"
#include "store-test-util.h"

/*
 * The store built from the entity table: sync pages carrying every
 * entity, composite keys, the version rule, departures and what goes with
 * them, the ::changed signal and the generic reads.  Assertions are
 * non-fatal (see main).
 */

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static gboolean
id_eval_cb (const GMatchInfo *match,
            GString          *result,
            gpointer          user_data)
{
  g_autofree char *n = g_match_info_fetch (match, 1);

  g_string_append (result, test_id ((guint) g_ascii_strtoull (n, NULL, 10)));
  return FALSE;
}

/* @text with every "#N#" made test_id (N), parsed; a JSON object. */
static JsonObject *
object_from (const char *text)
{
  g_autoptr(GRegex) regex = g_regex_new ("#([0-9]+)#", 0, 0, NULL);
  g_autofree char *json = g_regex_replace_eval (regex, text, -1, 0, 0, id_eval_cb, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* Adds @record (a JSON object's text, see object_from()) to the array
 * @plural of @page. */
static void
page_add (JsonObject *page,
          const char *plural,
          const char *record)
{
  if (!json_object_has_member (page, plural))
    json_object_set_array_member (page, plural, json_array_new ());
  json_array_add_object_element (json_object_get_array_member (page, plural), object_from (record));
}

static GPtrArray *
records (CrmStore   *store,
         CrmEntity   entity,
         const char *parent_id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = crm_store_get_records (store, entity, parent_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static guint
count (CrmStore   *store,
       CrmEntity   entity,
       const char *parent_id)
{
  g_autoptr(GPtrArray) list = records (store, entity, parent_id);

  return list != NULL ? list->len : G_MAXUINT;
}

/* A customer with one record of every entity under it (ids from base),
 * and the top-level records they refer to (ids 90..95). */
static void
page_add_family (JsonObject *page,
                 guint       customer,
                 guint       base)
{
  g_autofree char *c = g_strdup_printf ("#%u#", customer);
  g_autofree char *text = NULL;

  test_page_add_customer (page, test_customer (customer, "家族客户", 1));
  test_page_add_contact (page, test_contact (base, customer, "联系人", TRUE, 1));
#define ADD(plural, fmt, ...) \
  do { text = g_strdup_printf (fmt, __VA_ARGS__); page_add (page, plural, text); g_clear_pointer (&text, g_free); } while (0)
  ADD ("subscriptions", "{\"id\": \"#%u#\", \"customer_id\": \"%s\", \"product_id\": \"#90#\", \"quantity\": 3,"
       " \"monthly_fee\": 129900, \"started_on\": \"2025-01-01\", \"contract_end\": null, \"status\": \"active\","
       " \"cancelled_on\": null, \"version\": 1, \"updated_at\": \"2026-11-01T08:00:00+00:00\"}", base + 1, c);
  ADD ("revenue_months", "{\"customer_id\": \"%s\", \"month\": \"2026-10-01\", \"revenue\": 1000, \"arrears\": 0,"
       " \"usage_index\": 87, \"version\": 1, \"updated_at\": \"2026-11-01T08:00:00+00:00\"}", c);
  ADD ("revenue_months", "{\"customer_id\": \"%s\", \"month\": \"2026-11-01\", \"revenue\": 2000, \"arrears\": 5,"
       " \"usage_index\": 90, \"version\": 1, \"updated_at\": \"2026-11-01T08:00:00+00:00\"}", c);
  ADD ("interactions", "{\"id\": \"#%u#\", \"customer_id\": \"%s\", \"contact_id\": null, \"user_id\": \"#8001#\","
       " \"kind\": \"visit\", \"occurred_at\": \"2026-11-02T09:30:00+00:00\", \"subject\": \"拜访\","
       " \"outcome\": \"positive\", \"version\": 1, \"updated_at\": \"2026-11-02T10:00:00+00:00\"}", base + 2, c);
  ADD ("opportunities", "{\"id\": \"#%u#\", \"customer_id\": \"%s\", \"owner_id\": \"#8001#\", \"name\": \"专线扩容\","
       " \"stage\": \"proposal\", \"amount_once\": 500000, \"amount_monthly\": 20000, \"probability\": null,"
       " \"expected_close\": \"2027-01-15\", \"closed_on\": null, \"lost_reason\": null, \"agent_id\": null,"
       " \"product_lines\": [\"dedicated_line\", \"cloud\"], \"contract_months\": 36, \"source\": \"campaign\","
       " \"campaign_id\": \"#91#\", \"next_step\": \"递交方案\", \"stage_changed_at\": \"2026-10-20T08:00:00+00:00\","
       " \"created_at\": \"2026-10-01T08:00:00+00:00\", \"version\": 2,"
       " \"updated_at\": \"2026-11-01T08:00:00+00:00\"}", base + 3, c);
  ADD ("opportunity_stages", "{\"id\": %u, \"opportunity_id\": \"#%u#\", \"from_stage\": \"lead\","
       " \"to_stage\": \"proposal\", \"changed_at\": \"2026-10-20T08:00:00+00:00\", \"changed_by\": \"#8001#\"}",
       base, base + 3);
  ADD ("service_requests", "{\"id\": \"#%u#\", \"customer_id\": \"%s\", \"phase\": \"after_sales\","
       " \"kind\": \"fault\", \"title\": \"断网\", \"description\": null, \"status\": \"open\", \"priority\": \"high\","
       " \"opened_by\": \"#8001#\", \"opened_at\": \"2026-11-03T08:00:00+00:00\", \"due_at\": null, \"closed_at\": null,"
       " \"satisfaction\": null, \"version\": 1, \"updated_at\": \"2026-11-03T08:00:00+00:00\"}", base + 4, c);
  ADD ("service_steps", "{\"id\": \"#%u#\", \"request_id\": \"#%u#\", \"position\": 1, \"name\": \"派单\","
       " \"owner_id\": null, \"deadline\": \"2026-11-04T08:00:00+00:00\", \"done_at\": null, \"note\": null,"
       " \"version\": 1, \"updated_at\": \"2026-11-03T08:00:00+00:00\"}", base + 5, base + 4);
  ADD ("campaign_members", "{\"campaign_id\": \"#91#\", \"customer_id\": \"%s\", \"assigned_to\": null,"
       " \"channel\": \"sms\", \"contacted_at\": null, \"response\": \"none\", \"responded_at\": null, \"revenue\": 0,"
       " \"version\": 1, \"updated_at\": \"2026-11-01T08:00:00+00:00\"}", c);
#undef ADD
}

/* The top-level records. */
static void
page_add_top_level (JsonObject *page)
{
  page_add (page, "products", "{\"id\": \"#90#\", \"code\": \"DL-100\", \"category\": \"data_line\","
            " \"name\": \"数据专线\", \"name_en\": \"Data Line\", \"list_fee\": 129900, \"unit\": \"条\","
            " \"active\": true, \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00+00:00\"}");
  page_add (page, "segments", "{\"id\": \"#92#\", \"name\": \"高价值\", \"criteria\": {\"tier\": [\"key\"]},"
            " \"owner_id\": \"#8001#\", \"shared\": false, \"created_at\": \"2026-01-01T00:00:00+00:00\","
            " \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00+00:00\"}");
  page_add (page, "campaigns", "{\"id\": \"#91#\", \"name\": \"冬季促销\", \"kind\": \"upsell\","
            " \"channels\": [\"sms\", \"email\"], \"segment_id\": \"#92#\", \"owner_id\": \"#8001#\","
            " \"status\": \"running\", \"starts_on\": \"2026-11-01\", \"ends_on\": \"2026-12-31\", \"budget\": 1000000,"
            " \"cost\": 2500, \"offer\": null, \"created_at\": \"2026-10-01T00:00:00+00:00\", \"version\": 1,"
            " \"updated_at\": \"2026-10-01T00:00:00+00:00\"}");
  page_add (page, "regions", "{\"id\": \"#94#\", \"parent_id\": null, \"name\": \"广东省\", \"name_en\": \"Guangdong\","
            " \"level\": 1, \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00+00:00\"}");
  page_add (page, "teams", "{\"id\": \"#95#\", \"region_id\": \"#94#\", \"parent_id\": null,"
            " \"name\": \"广州政企客户一部\", \"name_en\": null, \"version\": 1,"
            " \"updated_at\": \"2026-01-01T00:00:00+00:00\"}");
  page_add (page, "users", "{\"id\": \"#8001#\", \"display_name\": \"林晓峰\", \"role\": \"manager\","
            " \"team_id\": \"#95#\", \"region_id\": \"#94#\", \"version\": 1,"
            " \"updated_at\": \"2026-01-01T00:00:00+00:00\"}");
  page_add (page, "pipeline_stages", "{\"stage\": \"proposal\", \"position\": 3, \"default_probability\": 50,"
            " \"is_open\": true, \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00+00:00\"}");
  page_add (page, "sales_targets", "{\"id\": \"#93#\", \"user_id\": \"#8001#\", \"team_id\": null,"
            " \"period_start\": \"2026-10-01\", \"period_end\": \"2026-12-31\", \"metric\": \"revenue\","
            " \"target\": 90000000, \"version\": 1, \"updated_at\": \"2026-10-01T00:00:00+00:00\"}");
}

/* ::changed as it came: entity -> the keys named (a set), and how many
 * emissions meant "everything". */
typedef struct
{
  GHashTable *keys;       /* entity name -> GHashTable of keys */
  guint       nulls;
  guint       emissions;
  guint       customers_emissions;
} Heard;

static void
changed_cb (CrmStore           *store,
            const char         *entity,
            const char * const *keys,
            Heard              *heard)
{
  GHashTable *set = g_hash_table_lookup (heard->keys, entity);

  heard->emissions++;
  if (keys == NULL)
    heard->nulls++;
  if (set == NULL)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert (heard->keys, g_strdup (entity), set);
    }
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    g_hash_table_add (set, g_strdup (keys[i]));
}

static void
customers_changed_cb (CrmStore           *store,
                      const char * const *ids,
                      Heard              *heard)
{
  heard->customers_emissions++;
}

static void
heard_watch (Heard    *heard,
             CrmStore *store)
{
  memset (heard, 0, sizeof *heard);
  heard->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  g_signal_connect (store, "changed", G_CALLBACK (changed_cb), heard);
  g_signal_connect (store, "customers-changed", G_CALLBACK (customers_changed_cb), heard);
}

static void
heard_clear (Heard    *heard,
             CrmStore *store)
{
  g_signal_handlers_disconnect_by_data (store, heard);
  g_clear_pointer (&heard->keys, g_hash_table_unref);
}

static gboolean
heard_key (Heard      *heard,
           const char *entity,
           const char *key)
{
  GHashTable *set = g_hash_table_lookup (heard->keys, entity);

  return set != NULL && g_hash_table_contains (set, key);
}

static guint
heard_count (Heard      *heard,
             const char *entity)
{
  GHashTable *set = g_hash_table_lookup (heard->keys, entity);

  return set != NULL ? g_hash_table_size (set) : 0;
}

/* ------------------------------------------------------------------ */
/* Pages                                                               */
/* ------------------------------------------------------------------ */

static void
test_page_stores_every_entity_with_its_types (StoreFixture  *f,
                                              gconstpointer  data)
{
  JsonObject *page = test_page ("c1");
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(GPtrArray) campaigns = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  JsonObject *o;

  page_add_top_level (page);
  page_add_family (page, 1, 100);
  test_apply (f->store, page);

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    {
      guint expected = i == CRM_ENTITY_REVENUE_MONTH ? 2 : 1;

      g_test_message ("%s", crm_entity_info ((CrmEntity) i)->name);
      g_assert_cmpuint (count (f->store, (CrmEntity) i, NULL), ==, expected);
    }

  products = records (f->store, CRM_ENTITY_PRODUCT, NULL);
  o = products->pdata[0];
  g_assert_cmpint (json_object_get_int_member (o, "list_fee"), ==, 129900);
  g_assert_true (json_object_get_boolean_member (o, "active"));
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "数据专线");

  segments = records (f->store, CRM_ENTITY_SEGMENT, NULL);
  o = json_object_get_object_member (segments->pdata[0], "criteria");
  g_assert_nonnull (o);
  if (o != NULL)
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (o, "tier"), 0), ==, "key");
  g_assert_false (json_object_get_boolean_member (segments->pdata[0], "shared"));

  campaigns = records (f->store, CRM_ENTITY_CAMPAIGN, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (campaigns->pdata[0], "channels")), ==, 2);
  g_assert_true (json_object_get_null_member (campaigns->pdata[0], "offer"));

  /* an enum key; the new opportunity fields: a list, a null probability
   * (the stage's default) */
  {
    g_autoptr(GPtrArray) pipeline = records (f->store, CRM_ENTITY_PIPELINE_STAGE, NULL);
    g_autoptr(GPtrArray) opportunities = records (f->store, CRM_ENTITY_OPPORTUNITY, NULL);
    JsonArray *lines;

    g_assert_cmpstr (json_object_get_string_member (pipeline->pdata[0], "stage"), ==, "proposal");
    g_assert_cmpint (json_object_get_int_member (pipeline->pdata[0], "default_probability"), ==, 50);
    g_assert_true (json_object_get_boolean_member (pipeline->pdata[0], "is_open"));
    o = opportunities->pdata[0];
    g_assert_true (json_object_get_null_member (o, "probability"));
    lines = json_object_get_array_member (o, "product_lines");
    g_assert_cmpuint (json_array_get_length (lines), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (lines, 1), ==, "cloud");
    g_assert_cmpint (json_object_get_int_member (o, "contract_months"), ==, 36);
    g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "campaign");
    g_assert_cmpstr (json_object_get_string_member (o, "stage_changed_at"), ==, "2026-10-20T08:00:00+00:00");
  }
  /* an integer key, and a field the page left out (withheld) is null */
  stages = records (f->store, CRM_ENTITY_OPPORTUNITY_STAGE, NULL);
  g_assert_cmpint (json_object_get_int_member (stages->pdata[0], "id"), ==, 100);
  {
    g_autoptr(GPtrArray) interactions = records (f->store, CRM_ENTITY_INTERACTION, NULL);

    g_assert_true (json_object_get_null_member (interactions->pdata[0], "notes"));
  }
  {
    g_autoptr(GPtrArray) members = records (f->store, CRM_ENTITY_CAMPAIGN_MEMBER, NULL);

    g_assert_true (json_object_get_null_member (members->pdata[0], "is_control"));
  }
}

static void
test_page_refuses_a_wrong_type_and_applies_nothing (StoreFixture  *f,
                                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) page = test_page ("c2");
  g_autoptr(JsonObject) missing_key = test_page ("c3");

  page_add_top_level (page);
  /* money as text */
  page_add (page, "subscriptions", "{\"id\": \"#5#\", \"customer_id\": \"#1#\", \"monthly_fee\": \"12\","
            " \"version\": 1}");
  g_assert_false (crm_store_apply_sync_page (f->store, page, &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_clear_error (&error);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_PRODUCT, NULL), ==, 0);

  /* half a composite key */
  page_add (missing_key, "revenue_months", "{\"customer_id\": \"#1#\", \"revenue\": 1, \"version\": 1}");
  g_assert_false (crm_store_apply_sync_page (f->store, missing_key, &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_REVENUE_MONTH, NULL), ==, 0);
}

static void
page_add_month (JsonObject *page,
                guint       customer,
                const char *month,
                gint64      revenue,
                gint64      version)
{
  g_autofree char *text = g_strdup_printf ("{\"customer_id\": \"#%u#\", \"month\": \"%s\", \"revenue\": %" G_GINT64_FORMAT
                                           ", \"arrears\": 0, \"usage_index\": 1, \"version\": %" G_GINT64_FORMAT "}",
                                           customer, month, revenue, version);

  page_add (page, "revenue_months", text);
}

static void
test_composite_key_keeps_the_higher_version (StoreFixture  *f,
                                             gconstpointer  data)
{
  JsonObject *page = test_page ("c1");
  g_autoptr(GPtrArray) months = NULL;

  page_add_month (page, 1, "2026-10-01", 100, 3);
  page_add_month (page, 1, "2026-11-01", 200, 3);
  test_apply (f->store, page);

  page = test_page ("c2");
  /* older: ignored; newer: replaces; same key of another customer: a row of its own */
  page_add_month (page, 1, "2026-10-01", 1, 2);
  page_add_month (page, 1, "2026-11-01", 222, 4);
  page_add_month (page, 2, "2026-11-01", 9, 1);
  test_apply (f->store, page);

  months = records (f->store, CRM_ENTITY_REVENUE_MONTH, test_id (1));
  g_assert_cmpuint (months->len, ==, 2);
  if (months->len != 2)
    return;
  /* in key order */
  g_assert_cmpstr (json_object_get_string_member (months->pdata[0], "month"), ==, "2026-10-01");
  g_assert_cmpint (json_object_get_int_member (months->pdata[0], "revenue"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (months->pdata[0], "version"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (months->pdata[1], "revenue"), ==, 222);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_REVENUE_MONTH, NULL), ==, 3);
}

/* The queue and the two layers name a record by its key's text; for a
 * two-column key "<first>/<second>" (a campaign member's
 * "<campaign_id>/<customer_id>").  The statements that find a record by
 * that text find exactly it, through the primary key (white box: the
 * store's private statements, as the layers run them). */
static void
test_a_two_column_key_is_found_by_its_text (StoreFixture  *f,
                                            gconstpointer  data)
{
  const Entity *e = crm_store_entity (CRM_ENTITY_REVENUE_MONTH);
  g_autofree char *key = g_strdup_printf ("%s/2026-11-01", test_id (1));
  g_autofree char *other = g_strdup_printf ("%s/2026-11-01", test_id (2));
  g_autofree char *missing = g_strdup_printf ("%s/2026-12-01", test_id (1));
  g_autofree char *plan = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *page = test_page ("c1");
  gint64 version = -1;

  page_add_month (page, 1, "2026-10-01", 100, 3);
  page_add_month (page, 1, "2026-11-01", 200, 5);
  page_add_month (page, 2, "2026-11-01", 9, 7);
  test_apply (f->store, page);

  g_mutex_lock (&f->store->lock);
  g_assert_true (crm_store_query_int (f->store, e->version_sql[LAYER_SHOWN], key, NULL, -1, &version, &error));
  g_assert_cmpint (version, ==, 5);
  g_assert_true (crm_store_query_int (f->store, e->version_sql[LAYER_SHOWN], other, NULL, -1, &version, &error));
  g_assert_cmpint (version, ==, 7);
  g_assert_true (crm_store_query_int (f->store, e->version_sql[LAYER_SHOWN], missing, NULL, -1, &version, &error));
  g_assert_cmpint (version, ==, -1);
  g_assert_true (crm_store_exec2 (f->store, e->key_delete_sql[LAYER_SHOWN], key, NULL, &error));
  g_assert_no_error (error);
  g_mutex_unlock (&f->store->lock);

  g_assert_cmpuint (count (f->store, CRM_ENTITY_REVENUE_MONTH, test_id (1)), ==, 1);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_REVENUE_MONTH, test_id (2)), ==, 1);

  /* through the key's index, not a scan of the table */
  {
    g_autofree char *sql = g_strdup_printf ("EXPLAIN QUERY PLAN %s", e->key_delete_sql[LAYER_SHOWN]);
    g_autoptr(GString) text = g_string_new (NULL);
    sqlite3_stmt *s = NULL;

    g_mutex_lock (&f->store->lock);
    g_assert_cmpint (sqlite3_prepare_v2 (f->store->db, sql, -1, &s, NULL), ==, SQLITE_OK);
    while (sqlite3_step (s) == SQLITE_ROW)
      g_string_append_printf (text, "%s; ", (const char *) sqlite3_column_text (s, 3));
    sqlite3_finalize (s);
    g_mutex_unlock (&f->store->lock);
    plan = g_string_free (g_steal_pointer (&text), FALSE);
  }
  g_test_message ("plan: %s", plan);
  g_assert_nonnull (strstr (plan, "USING"));
  g_assert_null (strstr (plan, "SCAN"));
}

static void
test_without_a_version_the_record_sent_replaces (StoreFixture  *f,
                                                 gconstpointer  data)
{
  JsonObject *page = test_page ("c1");
  g_autoptr(GPtrArray) stages = NULL;

  page_add (page, "opportunity_stages", "{\"id\": 7, \"opportunity_id\": \"#3#\", \"from_stage\": null,"
            " \"to_stage\": \"lead\", \"changed_at\": \"2026-10-01T00:00:00+00:00\", \"changed_by\": null}");
  test_apply (f->store, page);
  page = test_page ("c2");
  page_add (page, "opportunity_stages", "{\"id\": 7, \"opportunity_id\": \"#3#\", \"from_stage\": null,"
            " \"to_stage\": \"proposal\", \"changed_at\": \"2026-10-01T00:00:00+00:00\", \"changed_by\": null}");
  test_apply (f->store, page);

  stages = records (f->store, CRM_ENTITY_OPPORTUNITY_STAGE, test_id (3));
  g_assert_cmpuint (stages->len, ==, 1);
  if (stages->len == 1)
    g_assert_cmpstr (json_object_get_string_member (stages->pdata[0], "to_stage"), ==, "proposal");
}

/* ------------------------------------------------------------------ */
/* Departures                                                          */
/* ------------------------------------------------------------------ */

static void
test_customer_departure_removes_its_records_of_every_entity (StoreFixture  *f,
                                                             gconstpointer  data)
{
  JsonObject *page = test_page ("c1");
  Heard heard;

  page_add_top_level (page);
  page_add_family (page, 1, 100);
  page_add_family (page, 2, 200);
  test_apply (f->store, page);

  heard_watch (&heard, f->store);
  page = test_page ("c2");
  test_page_add_removal (page, "customer", 1, 1);
  test_apply (f->store, page);

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    {
      const CrmEntityInfo *info = crm_entity_info ((CrmEntity) i);
      guint expected = info->parent == CRM_N_ENTITIES ? 1 : i == CRM_ENTITY_REVENUE_MONTH ? 2 : 1;

      /* the other customer's records and the top-level ones stay */
      g_test_message ("%s", info->name);
      g_assert_cmpuint (count (f->store, (CrmEntity) i, NULL), ==, expected);
    }
  g_assert_cmpuint (count (f->store, CRM_ENTITY_OPPORTUNITY_STAGE, test_id (203)), ==, 1);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_SERVICE_STEP, test_id (204)), ==, 1);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_SUBSCRIPTION, test_id (2)), ==, 1);

  /* every removed record is named, and nothing else */
  g_assert_true (heard_key (&heard, "customer", test_id (1)));
  g_assert_true (heard_key (&heard, "contact", test_id (100)));
  g_assert_true (heard_key (&heard, "service_step", test_id (105)));
  g_assert_true (heard_key (&heard, "opportunity_stage", "100"));
  {
    g_autofree char *month = g_strdup_printf ("%s/2026-11-01", test_id (1));
    g_autofree char *member = g_strdup_printf ("%s/%s", test_id (91), test_id (1));

    g_assert_true (heard_key (&heard, "revenue_month", month));
    g_assert_true (heard_key (&heard, "campaign_member", member));
  }
  g_assert_cmpuint (heard_count (&heard, "revenue_month"), ==, 2);
  g_assert_cmpuint (heard_count (&heard, "product"), ==, 0);
  g_assert_cmpuint (heard.nulls, ==, 0);
  heard_clear (&heard, f->store);
}

static void
test_departure_of_a_composite_key_in_both_forms (StoreFixture  *f,
                                                 gconstpointer  data)
{
  JsonObject *page = test_page ("c1");
  g_autoptr(GPtrArray) months = NULL;

  page_add_family (page, 1, 100);
  test_apply (f->store, page);

  page = test_page ("c2");
  /* the key as an object, and the key's fields as members */
  page_add (page, "removed", "{\"entity\": \"revenue_month\", \"key\": {\"customer_id\": \"#1#\","
            " \"month\": \"2026-10-01\"}}");
  page_add (page, "removed", "{\"entity\": \"campaign_member\", \"campaign_id\": \"#91#\", \"customer_id\": \"#1#\"}");
  test_apply (f->store, page);

  months = records (f->store, CRM_ENTITY_REVENUE_MONTH, NULL);
  g_assert_cmpuint (months->len, ==, 1);
  if (months->len == 1)
    g_assert_cmpstr (json_object_get_string_member (months->pdata[0], "month"), ==, "2026-11-01");
  g_assert_cmpuint (count (f->store, CRM_ENTITY_CAMPAIGN_MEMBER, NULL), ==, 0);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_CUSTOMER, NULL), ==, 1);
}

static void
test_departure_of_an_opportunity_takes_its_stages (StoreFixture  *f,
                                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) bad = test_page ("c3");
  JsonObject *page = test_page ("c1");

  page_add_family (page, 1, 100);
  test_apply (f->store, page);

  page = test_page ("c2");
  page_add (page, "removed", "{\"entity\": \"opportunity\", \"id\": \"#103#\", \"customer_id\": \"#1#\"}");
  test_apply (f->store, page);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_OPPORTUNITY, NULL), ==, 0);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_OPPORTUNITY_STAGE, NULL), ==, 0);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_SUBSCRIPTION, NULL), ==, 1);

  /* an unknown entity, or a departure without its key, is refused */
  page_add (bad, "removed", "{\"entity\": \"revenue_month\", \"key\": {\"customer_id\": \"#1#\"}}");
  g_assert_false (crm_store_apply_sync_page (f->store, bad, &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_clear_error (&error);
  json_object_remove_member (bad, "removed");
  page_add (bad, "removed", "{\"entity\": \"invoice\", \"id\": \"#1#\"}");
  g_assert_false (crm_store_apply_sync_page (f->store, bad, &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_REVENUE_MONTH, NULL), ==, 2);
}

/* ------------------------------------------------------------------ */
/* The signal                                                          */
/* ------------------------------------------------------------------ */

static guint detailed_emissions;

static void
subscription_changed_cb (CrmStore           *store,
                         const char         *entity,
                         const char * const *keys,
                         gpointer            user_data)
{
  g_assert_cmpstr (entity, ==, "subscription");
  detailed_emissions++;
}

static void
test_changed_names_entity_and_keys (StoreFixture  *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;
  JsonObject *page = test_page ("c1");
  Heard heard;

  heard_watch (&heard, f->store);
  detailed_emissions = 0;
  g_signal_connect (f->store, "changed::subscription", G_CALLBACK (subscription_changed_cb), NULL);

  page_add_top_level (page);
  page_add_family (page, 1, 100);
  test_apply (f->store, page);
  /* one emission per entity, with its keys */
  g_assert_cmpuint (heard.emissions, ==, CRM_N_ENTITIES);
  g_assert_cmpuint (heard.customers_emissions, ==, 1);
  g_assert_true (heard_key (&heard, "subscription", test_id (101)));
  g_assert_true (heard_key (&heard, "product", test_id (90)));
  g_assert_true (heard_key (&heard, "customer", test_id (1)));
  g_assert_cmpuint (heard_count (&heard, "revenue_month"), ==, 2);
  g_assert_cmpuint (detailed_emissions, ==, 1);
  heard_clear (&heard, f->store);

  /* a page of products only: ::changed for products, no ::customers-changed;
   * an older record changes nothing and is not named */
  heard_watch (&heard, f->store);
  page = test_page ("c2");
  page_add (page, "products", "{\"id\": \"#90#\", \"code\": \"DL-100\", \"category\": \"data_line\","
            " \"name\": \"数据专线二\", \"name_en\": \"Data Line\", \"list_fee\": 1, \"unit\": \"条\","
            " \"active\": false, \"version\": 2, \"updated_at\": \"2026-01-02T00:00:00+00:00\"}");
  page_add (page, "sales_targets", "{\"id\": \"#93#\", \"metric\": \"revenue\", \"target\": 1, \"version\": 0}");
  test_apply (f->store, page);
  g_assert_cmpuint (heard.emissions, ==, 1);
  g_assert_cmpuint (heard.customers_emissions, ==, 0);
  g_assert_true (heard_key (&heard, "product", test_id (90)));
  heard_clear (&heard, f->store);

  /* a local edit: the customer */
  heard_watch (&heard, f->store);
  json_object_set_string_member (fields, "name", "改名");
  m = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), fields, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (heard.emissions, ==, 1);
  g_assert_true (heard_key (&heard, "customer", test_id (1)));
  heard_clear (&heard, f->store);

  /* a reset: every entity, without keys */
  heard_watch (&heard, f->store);
  g_assert_true (crm_store_reset (f->store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (heard.emissions, ==, CRM_N_ENTITIES);
  g_assert_cmpuint (heard.nulls, ==, CRM_N_ENTITIES);
  g_assert_cmpuint (heard.customers_emissions, ==, 1);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_SERVICE_STEP, NULL), ==, 0);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_PRODUCT, NULL), ==, 0);
  heard_clear (&heard, f->store);
  g_signal_handlers_disconnect_by_func (f->store, subscription_changed_cb, NULL);
}

/* ------------------------------------------------------------------ */
/* Reads                                                               */
/* ------------------------------------------------------------------ */

static gpointer
read_in_worker (gpointer data)
{
  CrmStore *store = data;
  g_autoptr(GError) error = NULL;
  GPtrArray *list = crm_store_get_records (store, CRM_ENTITY_SERVICE_STEP, test_id (104), &error);

  g_assert_no_error (error);
  return list;
}

static void
test_reads_a_parents_records_from_a_worker (StoreFixture  *f,
                                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autoptr(GPtrArray) none = NULL;
  JsonObject *page = test_page ("c1");
  GThread *worker;

  page_add_family (page, 1, 100);
  page_add_family (page, 2, 200);
  test_apply (f->store, page);

  g_assert_cmpuint (count (f->store, CRM_ENTITY_SUBSCRIPTION, test_id (1)), ==, 1);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_SUBSCRIPTION, NULL), ==, 2);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_CAMPAIGN_MEMBER, test_id (2)), ==, 1);
  g_assert_cmpuint (count (f->store, CRM_ENTITY_SUBSCRIPTION, test_id (3)), ==, 0);

  /* what the user sees: a queued edit included */
  {
    g_autoptr(JsonObject) fields = json_object_new ();
    g_autoptr(CrmMutation) m = NULL;

    json_object_set_string_member (fields, "title", "总经理");
    m = crm_store_enqueue_update (f->store, CRM_ENTITY_CONTACT, test_id (100), fields, &error);
    g_assert_no_error (error);
  }
  contacts = records (f->store, CRM_ENTITY_CONTACT, test_id (1));
  g_assert_cmpuint (contacts->len, ==, 1);
  if (contacts->len == 1)
    {
      g_assert_cmpstr (json_object_get_string_member (contacts->pdata[0], "title"), ==, "总经理");
      g_assert_true (json_object_get_boolean_member (contacts->pdata[0], "is_primary"));
    }

  worker = g_thread_new ("reader", read_in_worker, f->store);
  steps = g_thread_join (worker);
  g_assert_nonnull (steps);
  if (steps != NULL && steps->len == 1)
    g_assert_cmpstr (json_object_get_string_member (steps->pdata[0], "name"), ==, "派单");
  else
    g_assert_not_reached ();

  /* a top-level entity has no parent */
  none = crm_store_get_records (f->store, CRM_ENTITY_PRODUCT, test_id (1), &error);
  g_assert_null (none);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, StoreFixture, NULL, store_fixture_set_up, func, store_fixture_tear_down)
  ADD ("/store/entities/page-stores-every-entity-with-its-types", test_page_stores_every_entity_with_its_types);
  ADD ("/store/entities/page-refuses-a-wrong-type-and-applies-nothing",
       test_page_refuses_a_wrong_type_and_applies_nothing);
  ADD ("/store/entities/composite-key-keeps-the-higher-version", test_composite_key_keeps_the_higher_version);
  ADD ("/store/entities/a-two-column-key-is-found-by-its-text", test_a_two_column_key_is_found_by_its_text);
  ADD ("/store/entities/without-a-version-the-record-sent-replaces",
       test_without_a_version_the_record_sent_replaces);
  ADD ("/store/entities/customer-departure-removes-its-records-of-every-entity",
       test_customer_departure_removes_its_records_of_every_entity);
  ADD ("/store/entities/departure-of-a-composite-key-in-both-forms", test_departure_of_a_composite_key_in_both_forms);
  ADD ("/store/entities/departure-of-an-opportunity-takes-its-stages",
       test_departure_of_an_opportunity_takes_its_stages);
  ADD ("/store/entities/changed-names-entity-and-keys", test_changed_names_entity_and_keys);
  ADD ("/store/entities/reads-a-parents-records-from-a-worker", test_reads_a_parents_records_from_a_worker);
#undef ADD

  return g_test_run ();
}
