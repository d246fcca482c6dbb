#define G_LOG_DOMAIN "store-test-util"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "store-test-util.h"

void
store_fixture_set_up (StoreFixture  *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("keyline-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "local.sqlite", NULL);
  fixture->store = crm_store_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

void
store_fixture_tear_down (StoreFixture  *fixture,
                         gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  /* Nothing (a pending emission, a model) may keep the store alive. */
  if (fixture->store != NULL)
    g_assert_finalize_object (fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

const char *
test_id (guint n)
{
  g_autofree char *id = g_strdup_printf ("00000000-0000-4000-8000-%012u", n);

  return g_intern_string (id);
}

JsonObject *
test_customer (guint       n,
               const char *name,
               gint64      version)
{
  JsonObject *o = json_object_new ();
  JsonArray *prefers = json_array_new ();

  json_array_add_string_element (prefers, "discount");
  json_array_add_string_element (prefers, "new_technology");

  json_object_set_string_member (o, "id", test_id (n));
  json_object_set_string_member (o, "name", name);
  json_object_set_null_member (o, "name_en");
  json_object_set_string_member (o, "kind", "large_enterprise");
  json_object_set_string_member (o, "industry", "通信");
  json_object_set_string_member (o, "region_id", test_id (9001));
  json_object_set_string_member (o, "region_name", "上海");
  json_object_set_string_member (o, "tier", "key");
  json_object_set_string_member (o, "owner_id", test_id (8001));
  json_object_set_string_member (o, "owner_name", "王伟");
  json_object_set_string_member (o, "status", "active");
  json_object_set_int_member (o, "monthly_revenue", 1234500);
  json_object_set_int_member (o, "arrears", 5000);
  json_object_set_int_member (o, "churn_risk", 42);
  json_object_set_int_member (o, "version", version);
  json_object_set_string_member (o, "updated_at", "2026-11-23T14:28:45.504140+00:00");
  json_object_set_string_member (o, "credit_rating", "AA");
  json_object_set_string_member (o, "registration_no", "91310000MA1FL0XX0X");
  json_object_set_string_member (o, "address", "上海****");
  json_object_set_string_member (o, "phone", "138****5678");
  json_object_set_string_member (o, "value_segment", "high");
  json_object_set_array_member (o, "prefers", prefers);
  json_object_set_array_member (o, "churn_reasons", json_array_new ());
  json_object_set_string_member (o, "became_customer", "2019-03-01");
  json_object_set_null_member (o, "churned_on");
  json_object_set_null_member (o, "churn_reason");
  json_object_set_string_member (o, "created_at", "2019-02-27T09:00:00+00:00");
  json_object_set_boolean_member (o, "personal_data_masked", TRUE);
  return o;
}

JsonObject *
test_contact (guint       n,
              guint       customer,
              const char *name,
              gboolean    is_primary,
              gint64      version)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", test_id (n));
  json_object_set_string_member (o, "customer_id", test_id (customer));
  json_object_set_string_member (o, "name", name);
  json_object_set_string_member (o, "title", "信息中心主任");
  json_object_set_string_member (o, "mobile", "139****5678");
  json_object_set_string_member (o, "email", "it@example.cn");
  json_object_set_string_member (o, "id_number", "31**************");
  json_object_set_null_member (o, "address");
  json_object_set_boolean_member (o, "is_primary", is_primary);
  json_object_set_int_member (o, "version", version);
  json_object_set_string_member (o, "updated_at", "2026-11-23T14:28:45.504140+00:00");
  return o;
}

JsonObject *
test_interaction (guint       n,
                  guint       customer,
                  const char *subject,
                  gint64      version)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", test_id (n));
  json_object_set_string_member (o, "customer_id", test_id (customer));
  json_object_set_null_member (o, "contact_id");
  json_object_set_string_member (o, "user_id", test_id (8001));
  json_object_set_string_member (o, "kind", "visit");
  json_object_set_string_member (o, "occurred_at", "2026-11-02T09:30:00+00:00");
  json_object_set_string_member (o, "subject", subject);
  json_object_set_null_member (o, "notes");
  json_object_set_string_member (o, "outcome", "positive");
  json_object_set_int_member (o, "version", version);
  json_object_set_string_member (o, "updated_at", "2026-11-02T10:00:00+00:00");
  return o;
}

JsonObject *
test_page (const char *cursor)
{
  JsonObject *page = json_object_new ();

  json_object_set_boolean_member (page, "reset", FALSE);
  json_object_set_array_member (page, "customers", json_array_new ());
  json_object_set_array_member (page, "contacts", json_array_new ());
  json_object_set_array_member (page, "removed", json_array_new ());
  if (cursor)
    json_object_set_string_member (page, "cursor", cursor);
  else
    json_object_set_null_member (page, "cursor");
  json_object_set_boolean_member (page, "more", FALSE);
  return page;
}

void
test_page_add_customer (JsonObject *page,
                        JsonObject *customer)
{
  json_array_add_object_element (json_object_get_array_member (page, "customers"), customer);
}

void
test_page_add_contact (JsonObject *page,
                       JsonObject *contact)
{
  json_array_add_object_element (json_object_get_array_member (page, "contacts"), contact);
}

void
test_page_add_removal (JsonObject *page,
                       const char *entity,
                       guint       id,
                       guint       customer)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "entity", entity);
  json_object_set_string_member (o, "id", test_id (id));
  json_object_set_string_member (o, "customer_id", test_id (customer));
  json_array_add_object_element (json_object_get_array_member (page, "removed"), o);
}

gboolean
test_apply (CrmStore   *store,
            JsonObject *page)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = crm_store_apply_sync_page (store, page, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  json_object_unref (page);
  return ok;
}

char *
test_sql_text (const char *path,
               const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}
