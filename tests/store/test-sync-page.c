#define G_LOG_DOMAIN "test-sync-page"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-store-private.h"
#include "store-test-util.h"

/*
 * A sync page read without a tree (client/store/crm-sync-page.c): each
 * record's values in its entity's columns, what the store has no column
 * for skipped, arrays and objects kept as JSON text that reads back as it
 * was sent, and every malformed page refused with the member at fault.
 */

static int
column (CrmEntity   entity,
        const char *name)
{
  const Entity *e = crm_store_entity (entity);

  for (guint i = 0; i < e->n_columns; i++)
    if (g_str_equal (e->columns[i].name, name))
      return (int) i;
  g_error ("no column %s", name);
}

static const Value *
record_value (CrmSyncPage *page,
              CrmEntity    entity,
              guint        record,
              const char  *name)
{
  guint n = 0;
  const Value *values = crm_sync_page_records (page, entity, &n);

  g_assert_cmpuint (record, <, n);
  return &values[record * crm_store_entity (entity)->n_columns + column (entity, name)];
}

/* Whether @text is the JSON @expected says, whatever its spacing. */
static void
assert_same_json (const char *text,
                  const char *expected)
{
  g_autoptr(JsonNode) a = json_from_string (text, NULL);
  g_autoptr(JsonNode) b = json_from_string (expected, NULL);

  g_assert_nonnull (a);
  g_assert_nonnull (b);
  if (!json_node_equal (a, b))
    g_error ("%s is not %s", text, expected);
}

static void
test_reads_records_and_flags (void)
{
  static const char text[] =
    "{\"total\": 7, \"customers\": ["
    "  {\"version\": 3, \"name\": \"北京\\n\\\"银行\\\" \\u4e2d\", \"id\": \"00000000-0000-4000-8000-000000000001\","
    "   \"extra\": {\"deep\": [1, {\"x\": null}], \"name\": \"not the record's\"},"
    "   \"prefers\": [\"sms\", \"a\\\"b\"], \"churn_risk\": null, \"arrears\": -5},"
    "  {\"id\": \"00000000-0000-4000-8000-000000000002\", \"version\": 9223372036854775808, \"churn_risk\": 1.5}"
    " ],"
    " \"campaigns\": [{\"channel_costs\": {\"sms\": 8, \"phone\": [1, 2.5, {\"a\": true, \"b\": false}], \"e\": {}}}],"
    " \"contacts\": null,"
    " \"removed\": [{\"entity\": \"revenue_month\", \"key\": {\"customer_id\": \"c\", \"month\": \"2026-11\"}}],"
    " \"unknown\": [[{\"cursor\": 5}]],"
    " \"cursor\": \"next\", \"more\": true, \"total_estimated\": true}";
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSyncPage) page = crm_sync_page_read (text, strlen (text), &error);
  guint n = 0;
  const char * const *removed;
  const Value *v;

  g_assert_no_error (error);
  g_assert_nonnull (page);
  g_assert_cmpstr (crm_sync_page_get_cursor (page), ==, "next");
  g_assert_true (crm_sync_page_get_more (page));
  g_assert_false (crm_sync_page_get_reset (page));
  g_assert_cmpint (crm_sync_page_get_total (page), ==, 7);
  g_assert_true (crm_sync_page_get_total_estimated (page));
  g_assert_cmpuint (crm_sync_page_get_n_records (page), ==, 4);   /* 2 customers, 1 campaign, 1 departure */

  crm_sync_page_records (page, CRM_ENTITY_CUSTOMER, &n);
  g_assert_cmpuint (n, ==, 2);
  crm_sync_page_records (page, CRM_ENTITY_CONTACT, &n);
  g_assert_cmpuint (n, ==, 0);

  v = record_value (page, CRM_ENTITY_CUSTOMER, 0, "name");
  g_assert_cmpint (v->kind, ==, VALUE_STRING);
  g_assert_cmpstr (v->text, ==, "北京\n\"银行\" 中");
  v = record_value (page, CRM_ENTITY_CUSTOMER, 0, "version");
  g_assert_cmpint (v->kind, ==, VALUE_INTEGER);
  g_assert_cmpint (v->number, ==, 3);
  v = record_value (page, CRM_ENTITY_CUSTOMER, 0, "arrears");
  g_assert_cmpint (v->kind, ==, VALUE_INTEGER);
  g_assert_cmpint (v->number, ==, -5);
  v = record_value (page, CRM_ENTITY_CUSTOMER, 0, "prefers");
  g_assert_cmpint (v->kind, ==, VALUE_ARRAY);
  assert_same_json (v->text, "[\"sms\", \"a\\\"b\"]");
  g_assert_cmpint (record_value (page, CRM_ENTITY_CUSTOMER, 0, "churn_risk")->kind, ==, VALUE_NULL);
  g_assert_cmpint (record_value (page, CRM_ENTITY_CUSTOMER, 0, "phone")->kind, ==, VALUE_MISSING);

  /* past 64 bits and fractions are no integer */
  g_assert_cmpint (record_value (page, CRM_ENTITY_CUSTOMER, 1, "version")->kind, ==, VALUE_OTHER_NUMBER);
  g_assert_cmpint (record_value (page, CRM_ENTITY_CUSTOMER, 1, "churn_risk")->kind, ==, VALUE_OTHER_NUMBER);
  g_assert_cmpint (record_value (page, CRM_ENTITY_CUSTOMER, 1, "name")->kind, ==, VALUE_MISSING);

  v = record_value (page, CRM_ENTITY_CAMPAIGN, 0, "channel_costs");
  g_assert_cmpint (v->kind, ==, VALUE_OBJECT);
  assert_same_json (v->text, "{\"sms\": 8, \"phone\": [1, 2.5, {\"a\": true, \"b\": false}], \"e\": {}}");

  removed = crm_sync_page_removed (page, &n);
  g_assert_cmpuint (n, ==, 1);
  assert_same_json (removed[0], "{\"entity\": \"revenue_month\", \"key\": {\"customer_id\": \"c\", \"month\": \"2026-11\"}}");
}

static void
test_flags_default (void)
{
  static const char text[] = "{\"cursor\": null, \"total\": -3, \"more\": 1, \"reset\": \"yes\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmSyncPage) page = crm_sync_page_read (text, strlen (text), &error);
  g_autoptr(CrmSyncPage) reset = crm_sync_page_new_reset ();

  g_assert_no_error (error);
  g_assert_null (crm_sync_page_get_cursor (page));
  g_assert_cmpint (crm_sync_page_get_total (page), ==, -1);
  g_assert_false (crm_sync_page_get_more (page));
  g_assert_false (crm_sync_page_get_reset (page));
  g_assert_false (crm_sync_page_get_total_estimated (page));
  g_assert_cmpuint (crm_sync_page_get_n_records (page), ==, 0);

  g_assert_true (crm_sync_page_get_reset (reset));
  g_assert_true (crm_sync_page_get_more (reset));
  g_assert_null (crm_sync_page_get_cursor (reset));
}

static void
test_refuses_malformed_pages (void)
{
  g_autofree char *deep = NULL;
  g_autoptr(GString) nested = g_string_new ("{\"customers\": [{\"prefers\": ");
  const struct { const char *text; const char *field; const char *message; } cases[] = {
    { "", NULL, NULL },
    { "[]", NULL, "not a JSON object" },
    { "\"page\"", NULL, "not a JSON object" },
    { "{\"customers\": {}}", "customers", "customers is not an array" },
    { "{\"contacts\": 3}", "contacts", "contacts is not an array" },
    { "{\"customers\": [1]}", "customers", "A record that is not an object" },
    { "{\"customers\": [[]]}", "customers", "A record that is not an object" },
    { "{\"removed\": {}}", "removed", "removed is not an array" },
    { "{\"removed\": [\"x\"]}", "removed", "A removal that is not an object" },
    { "{\"cursor\": 5}", "cursor", "cursor is not a string" },
    { "{\"cursor\": {\"a\": 1}}", "cursor", "cursor is not a string" },
    { "{\"cursor\": []}", "cursor", "cursor is not a string" },
    { "{\"customers\": [", NULL, "not valid JSON" },
    { "{\"name\": \"\xff\"}", NULL, "not valid JSON" },
    { "{} {}", NULL, "not valid JSON" },
    { "{\"more\": tru}", NULL, "not valid JSON" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CrmSyncPage) page = crm_sync_page_read (cases[i].text, strlen (cases[i].text), &error);

      g_test_message ("%s", cases[i].text);
      g_assert_null (page);
      g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
      g_assert_cmpstr (crm_error_get_field (error), ==, cases[i].field);
      if (cases[i].message != NULL && strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", cases[i].text, error->message, cases[i].message);
    }

  /* nesting inside a record is bounded, as json-glib's answers are by crm_json_check () */
  for (guint i = 0; i < 200; i++)
    g_string_append_c (nested, '[');
  for (guint i = 0; i < 200; i++)
    g_string_append_c (nested, ']');
  g_string_append (nested, "}]}");
  deep = g_string_free (g_steal_pointer (&nested), FALSE);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CrmSyncPage) page = crm_sync_page_read (deep, strlen (deep), &error);

    g_assert_null (page);
    g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
    g_assert_nonnull (strstr (error->message, "nests deeper"));
  }
}

/* Values of the wrong type are refused by the store, naming the field,
 * and nothing of the page is kept. */
static void
test_store_refuses_wrong_types (StoreFixture  *f,
                                gconstpointer  data)
{
  const char *fields[] = { "version", "monthly_revenue", "prefers", "name" };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr(JsonObject) page = test_page ("wrong");
      JsonObject *customer = test_customer (1, "北京银行", 1);
      g_autoptr(GError) error = NULL;
      g_autofree char *count = NULL;

      if (g_str_equal (fields[i], "prefers"))
        json_object_set_object_member (customer, "prefers", json_object_new ());
      else if (g_str_equal (fields[i], "name"))
        json_object_set_int_member (customer, "name", 5);
      else
        json_object_set_double_member (customer, fields[i], 1.5);
      test_page_add_customer (page, customer);
      test_page_add_customer (page, test_customer (2, "招商银行", 1));
      g_assert_false (crm_store_apply_sync_page (f->store, page, &error));
      g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
      g_assert_cmpstr (crm_error_get_field (error), ==, fields[i]);
      count = test_sql_text (f->path, "SELECT count(*) FROM customers");
      g_assert_cmpstr (count, ==, "0");
    }
}

/* A record read from text is stored with its lists and objects, and
 * reads back from the store as it was sent. */
static void
test_store_keeps_lists (StoreFixture  *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) page = test_page ("lists");
  JsonObject *customer = test_customer (1, "北京银行", 1);
  g_autoptr(JsonArray) prefers = json_array_new ();
  g_autofree char *stored = NULL;

  json_array_add_string_element (prefers, "短信\"优先\"");
  json_array_add_string_element (prefers, "visit");
  json_object_set_array_member (customer, "prefers", json_array_ref (prefers));
  test_page_add_customer (page, customer);
  g_assert_true (test_apply (f->store, g_steal_pointer (&page)));
  stored = test_sql_text (f->path, "SELECT prefers FROM customers");
  assert_same_json (stored, "[\"短信\\\"优先\\\"\", \"visit\"]");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync-page/reads-records-and-flags", test_reads_records_and_flags);
  g_test_add_func ("/sync-page/flags-default", test_flags_default);
  g_test_add_func ("/sync-page/refuses-malformed-pages", test_refuses_malformed_pages);
  g_test_add ("/sync-page/store-refuses-wrong-types", StoreFixture, NULL,
              store_fixture_set_up, test_store_refuses_wrong_types, store_fixture_tear_down);
  g_test_add ("/sync-page/store-keeps-lists", StoreFixture, NULL,
              store_fixture_set_up, test_store_keeps_lists, store_fixture_tear_down);
  return g_test_run ();
}
