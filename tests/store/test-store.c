#define G_LOG_DOMAIN "test-store"

#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "crm-error.h"
#include "crm-store.h"
#include "crm-validate.h"
#include "store-test-util.h"

/*
 * CrmStore against a real SQLite file in a temporary directory.
 * Assertions are non-fatal (see main): a test that goes on using a value
 * after checking it returns early when the check failed.
 */

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* What ::customers-changed said. */
typedef struct
{
  guint       emissions;
  guint       nulls;      /* emissions meaning "everything" */
  GHashTable *ids;        /* every id named */
} Changes;

static void
customers_changed_cb (CrmStore           *store,
                      const char * const *ids,
                      Changes            *changes)
{
  changes->emissions++;
  if (ids == NULL)
    changes->nulls++;
  for (guint i = 0; ids && ids[i]; i++)
    g_hash_table_add (changes->ids, g_strdup (ids[i]));
}

static void
changes_watch (Changes  *changes,
               CrmStore *store)
{
  memset (changes, 0, sizeof *changes);
  changes->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (store, "customers-changed", G_CALLBACK (customers_changed_cb), changes);
}

static void
changes_clear (Changes  *changes,
               CrmStore *store)
{
  g_signal_handlers_disconnect_by_func (store, customers_changed_cb, changes);
  g_clear_pointer (&changes->ids, g_hash_table_unref);
}

static CrmCustomer *
get_customer (CrmStore *store,
              guint     n)
{
  g_autoptr(GError) error = NULL;
  CrmCustomer *customer = crm_store_get_customer (store, test_id (n), &error);

  g_assert_no_error (error);
  g_assert_nonnull (customer);
  return customer;
}

static gboolean
customer_absent (CrmStore *store,
                 guint     n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCustomer) customer = crm_store_get_customer (store, test_id (n), &error);

  return customer == NULL && g_error_matches (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
}

static gint64
sql_count (const char *path,
           const char *sql)
{
  g_autofree char *text = test_sql_text (path, sql);

  return text ? g_ascii_strtoll (text, NULL, 10) : -1;
}

static GPtrArray *
list_mutations (CrmStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = crm_store_list_mutations (store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

static JsonObject *
fields1 (const char *name,
         const char *value)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, name, value);
  return fields;
}

/* Customer 1 at @version, called 北京银行. */
static void
seed_one (CrmStore *store,
          gint64    version)
{
  JsonObject *page = test_page ("c1");

  test_page_add_customer (page, test_customer (1, "北京银行", version));
  test_page_add_contact (page, test_contact (101, 1, "李明", FALSE, 1));
  test_page_add_contact (page, test_contact (102, 1, "张华", TRUE, 1));
  test_apply (store, page);
}

static CrmMutation *
enqueue_name (CrmStore   *store,
              guint       n,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = fields1 ("name", name);
  CrmMutation *m = crm_store_enqueue_update (store, CRM_ENTITY_CUSTOMER, test_id (n), fields, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

/* ------------------------------------------------------------------ */
/* Schema                                                              */
/* ------------------------------------------------------------------ */

static void
test_schema_migrates_an_empty_file (StoreFixture  *f,
                                    gconstpointer  data)
{
  g_autofree char *mode = test_sql_text (f->path, "PRAGMA journal_mode");
  g_autofree char *version = test_sql_text (f->path, "PRAGMA user_version");
  const char *tables[] = { "customers", "contacts", "customers_server", "contacts_server", "interactions_server",
                           "opportunities_server", "campaign_members_server", "sync_state", "mutations",
                           "products", "subscriptions", "revenue_months", "interactions", "opportunities",
                           "opportunity_stages", "sales_targets", "segments", "campaigns", "campaign_members",
                           "service_requests", "service_steps", "pipeline_stages", "pipeline_stages_server",
                           "sales_targets_server", "regions", "teams", "users", "answer_cache",
                           "segments_server", "campaigns_server" };

  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, 12);
  g_assert_cmpstr (version, ==, "12");
  g_assert_cmpstr (mode, ==, "wal");
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'",
                                              tables[i]);

      g_assert_cmpint (sql_count (f->path, sql), ==, 1);
    }
  g_assert_null (crm_store_dup_cursor (f->store));
  g_assert_null (crm_store_dup_last_sync (f->store));
}

static void
test_schema_reopen_keeps_rows_and_runs_no_migration_twice (StoreFixture  *f,
                                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCustomer) customer = NULL;
  g_autofree char *cursor = NULL;

  seed_one (f->store, 3);
  g_assert_finalize_object (f->store);

  /* a migration run again would fail on CREATE TABLE */
  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  if (f->store == NULL)
    return;
  g_assert_cmpuint (crm_store_get_schema_version (f->store), ==, 12);
  customer = get_customer (f->store, 1);
  if (customer == NULL)
    return;
  g_assert_cmpstr (customer->name, ==, "北京银行");
  g_assert_cmpint (customer->version, ==, 3);
  cursor = crm_store_dup_cursor (f->store);
  g_assert_cmpstr (cursor, ==, "c1");
}

static void
test_schema_refuses_a_newer_file (StoreFixture  *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) other = NULL;
  g_autofree char *ignored = NULL;

  g_assert_finalize_object (f->store);
  f->store = NULL;
  ignored = test_sql_text (f->path, "PRAGMA user_version = 99");

  other = crm_store_open (f->path, &error);
  g_assert_null (other);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
}

/* ------------------------------------------------------------------ */
/* Sync pages                                                          */
/* ------------------------------------------------------------------ */

static void
test_sync_stores_every_field (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(CrmCustomer) c = NULL;
  JsonObject *page = test_page ("cursor-1");
  JsonObject *record = test_customer (1, "中国移动通信集团上海有限公司", 4);
  CrmContact *first, *second;

  json_object_set_string_member (record, "name_en", "China Mobile Shanghai");
  json_object_set_int_member (record, "monthly_revenue", 987654321012);
  json_object_set_null_member (record, "churn_risk");
  test_page_add_customer (page, record);
  test_page_add_contact (page, test_contact (101, 1, "王芳", FALSE, 2));
  test_page_add_contact (page, test_contact (102, 1, "赵强", TRUE, 5));
  test_apply (f->store, page);

  c = get_customer (f->store, 1);
  if (c == NULL)
    return;
  g_assert_cmpstr (c->id, ==, test_id (1));
  g_assert_cmpstr (c->name, ==, "中国移动通信集团上海有限公司");
  g_assert_cmpstr (c->name_en, ==, "China Mobile Shanghai");
  g_assert_cmpstr (c->kind, ==, "large_enterprise");
  g_assert_cmpstr (c->industry, ==, "通信");
  g_assert_cmpstr (c->region_id, ==, test_id (9001));
  g_assert_cmpstr (c->region_name, ==, "上海");
  g_assert_cmpstr (c->tier, ==, "key");
  g_assert_cmpstr (c->owner_id, ==, test_id (8001));
  g_assert_cmpstr (c->owner_name, ==, "王伟");
  g_assert_cmpstr (c->status, ==, "active");
  g_assert_cmpint (c->monthly_revenue, ==, 987654321012);
  g_assert_cmpint (c->arrears, ==, 5000);
  g_assert_cmpint (c->churn_risk, ==, -1);
  g_assert_cmpint (c->version, ==, 4);
  g_assert_cmpstr (c->updated_at, ==, "2026-11-23T14:28:45.504140+00:00");
  g_assert_cmpstr (c->credit_rating, ==, "AA");
  g_assert_cmpstr (c->registration_no, ==, "91310000MA1FL0XX0X");
  g_assert_cmpstr (c->address, ==, "上海****");
  g_assert_cmpstr (c->phone, ==, "138****5678");
  g_assert_cmpstr (c->value_segment, ==, "high");
  g_assert_cmpuint (g_strv_length (c->prefers), ==, 2);
  g_assert_cmpstr (c->prefers[1], ==, "new_technology");
  g_assert_cmpuint (g_strv_length (c->churn_reasons), ==, 0);
  g_assert_cmpstr (c->became_customer, ==, "2019-03-01");
  g_assert_null (c->churned_on);
  g_assert_null (c->churn_reason);
  g_assert_cmpstr (c->created_at, ==, "2019-02-27T09:00:00+00:00");

  g_assert_cmpuint (c->contacts->len, ==, 2);
  if (c->contacts->len != 2)
    return;
  first = c->contacts->pdata[0];
  second = c->contacts->pdata[1];
  /* primary first */
  g_assert_cmpstr (first->name, ==, "赵强");
  g_assert_true (first->is_primary);
  g_assert_cmpint (first->version, ==, 5);
  g_assert_cmpstr (second->name, ==, "王芳");
  g_assert_false (second->is_primary);
  g_assert_cmpstr (second->customer_id, ==, test_id (1));
  g_assert_cmpstr (second->title, ==, "信息中心主任");
  g_assert_cmpstr (second->mobile, ==, "139****5678");
  g_assert_cmpstr (second->email, ==, "it@example.cn");
  g_assert_cmpstr (second->id_number, ==, "31**************");
  g_assert_null (second->address);
}

static void
test_sync_newer_version_replaces (StoreFixture  *f,
                                  gconstpointer  data)
{
  g_autoptr(CrmCustomer) c = NULL;
  JsonObject *page;

  seed_one (f->store, 1);
  page = test_page ("c2");
  test_page_add_customer (page, test_customer (1, "北京银行股份有限公司", 2));
  test_apply (f->store, page);

  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "北京银行股份有限公司");
  g_assert_cmpint (c->version, ==, 2);
}

static void
test_sync_older_version_is_ignored (StoreFixture  *f,
                                    gconstpointer  data)
{
  g_autoptr(CrmCustomer) c = NULL;
  JsonObject *page;
  JsonObject *contact;
  Changes changes;

  seed_one (f->store, 5);
  changes_watch (&changes, f->store);

  page = test_page ("c2");
  test_page_add_customer (page, test_customer (1, "旧名字", 4));
  contact = test_contact (101, 1, "旧联系人", FALSE, 0);
  test_page_add_contact (page, contact);
  test_apply (f->store, page);

  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "北京银行");
  g_assert_cmpint (c->version, ==, 5);
  for (guint i = 0; i < c->contacts->len; i++)
    g_assert_cmpstr (((CrmContact *) c->contacts->pdata[i])->name, !=, "旧联系人");
  /* nothing changed, so nothing to tell */
  g_assert_cmpuint (changes.emissions, ==, 0);
  changes_clear (&changes, f->store);
}

static void
test_sync_removing_a_customer_removes_its_contacts (StoreFixture  *f,
                                                    gconstpointer  data)
{
  JsonObject *page;
  Changes changes;

  seed_one (f->store, 1);
  page = test_page ("c2");
  test_page_add_customer (page, test_customer (2, "上海电信", 1));
  test_page_add_contact (page, test_contact (201, 2, "周杰", TRUE, 1));
  test_apply (f->store, page);
  g_assert_cmpint (sql_count (f->path, "SELECT count(*) FROM contacts"), ==, 3);

  changes_watch (&changes, f->store);
  page = test_page ("c3");
  test_page_add_removal (page, "customer", 1, 1);
  test_apply (f->store, page);

  g_assert_true (customer_absent (f->store, 1));
  g_assert_cmpint (sql_count (f->path, "SELECT count(*) FROM contacts WHERE customer_id = '"
                                       "00000000-0000-4000-8000-000000000001'"), ==, 0);
  /* the other customer's contact stays */
  g_assert_cmpint (sql_count (f->path, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_true (g_hash_table_contains (changes.ids, test_id (1)));
  g_assert_cmpuint (g_hash_table_size (changes.ids), ==, 1);
  changes_clear (&changes, f->store);
}

static void
test_sync_removes_a_contact (StoreFixture  *f,
                             gconstpointer  data)
{
  g_autoptr(CrmCustomer) c = NULL;
  JsonObject *page;

  seed_one (f->store, 1);
  page = test_page ("c2");
  test_page_add_removal (page, "contact", 101, 1);
  test_apply (f->store, page);

  c = get_customer (f->store, 1);
  g_assert_cmpuint (c->contacts->len, ==, 1);
  if (c->contacts->len == 1)
    g_assert_cmpstr (((CrmContact *) c->contacts->pdata[0])->id, ==, test_id (102));
}

static void
test_sync_stores_the_cursor_and_time (StoreFixture  *f,
                                      gconstpointer  data)
{
  g_autofree char *cursor = NULL;
  g_autofree char *cursor2 = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  test_apply (f->store, test_page ("AAAA_first-cursor"));
  cursor = crm_store_dup_cursor (f->store);
  g_assert_cmpstr (cursor, ==, "AAAA_first-cursor");
  when = crm_store_dup_last_sync (f->store);
  g_assert_nonnull (when);
  if (when)
    g_assert_cmpint (g_date_time_difference (now, when), <, 60 * G_TIME_SPAN_SECOND);

  test_apply (f->store, test_page ("BBBB"));
  cursor2 = crm_store_dup_cursor (f->store);
  g_assert_cmpstr (cursor2, ==, "BBBB");
}

static void
test_sync_page_is_one_transaction (StoreFixture  *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) page = test_page ("new-cursor");
  g_autofree char *cursor = NULL;
  JsonObject *bad = test_customer (3, "坏记录", 1);

  test_apply (f->store, test_page ("old-cursor"));
  test_page_add_customer (page, test_customer (2, "上海电信", 1));
  json_object_remove_member (bad, "version");
  test_page_add_customer (page, bad);

  g_assert_false (crm_store_apply_sync_page (f->store, page, &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
  /* the good record before the bad one was rolled back with it */
  g_assert_true (customer_absent (f->store, 2));
  cursor = crm_store_dup_cursor (f->store);
  g_assert_cmpstr (cursor, ==, "old-cursor");
}

static void
test_sync_names_the_changed_customers (StoreFixture  *f,
                                       gconstpointer  data)
{
  JsonObject *page = test_page ("c1");
  Changes changes;

  changes_watch (&changes, f->store);
  test_page_add_customer (page, test_customer (1, "北京银行", 1));
  test_page_add_customer (page, test_customer (2, "上海电信", 1));
  /* a contact of a customer not in this page */
  test_page_add_contact (page, test_contact (301, 3, "刘洋", TRUE, 1));
  test_apply (f->store, page);

  g_assert_cmpuint (changes.emissions, ==, 1);
  g_assert_cmpuint (g_hash_table_size (changes.ids), ==, 3);
  g_assert_true (g_hash_table_contains (changes.ids, test_id (1)));
  g_assert_true (g_hash_table_contains (changes.ids, test_id (2)));
  g_assert_true (g_hash_table_contains (changes.ids, test_id (3)));
  changes_clear (&changes, f->store);
}

static void
test_sync_reset_drops_rows_and_cursor (StoreFixture  *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  Changes changes;

  seed_one (f->store, 1);
  changes_watch (&changes, f->store);
  g_assert_true (crm_store_reset (f->store, &error));
  g_assert_no_error (error);

  items = crm_store_list_customer_items (f->store, &error);
  g_assert_cmpuint (items->len, ==, 0);
  g_assert_cmpint (sql_count (f->path, "SELECT count(*) FROM contacts"), ==, 0);
  g_assert_null (crm_store_dup_cursor (f->store));
  g_assert_cmpuint (changes.nulls, ==, 1);
  changes_clear (&changes, f->store);
}

static void
test_sync_reset_page_starts_over (StoreFixture  *f,
                                  gconstpointer  data)
{
  JsonObject *page = test_page (NULL);
  Changes changes;

  seed_one (f->store, 1);
  changes_watch (&changes, f->store);
  json_object_set_boolean_member (page, "reset", TRUE);
  test_apply (f->store, page);

  g_assert_true (customer_absent (f->store, 1));
  g_assert_null (crm_store_dup_cursor (f->store));
  g_assert_cmpuint (changes.nulls, ==, 1);
  changes_clear (&changes, f->store);
}

typedef struct
{
  GMainLoop *loop;
  Changes   *changes;
  guint      emissions_at_callback;
  gboolean   ok;
  GError    *error;
} AsyncState;

static void
applied_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  AsyncState *state = user_data;

  state->ok = crm_store_apply_sync_page_finish (CRM_STORE (source), result, &state->error);
  state->emissions_at_callback = state->changes->emissions;
  g_main_loop_quit (state->loop);
}

static void
test_sync_async_applies_and_signals_before_the_callback (StoreFixture  *f,
                                                         gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsonObject) page = test_page ("async");
  g_autoptr(CrmCustomer) c = NULL;
  Changes changes;
  AsyncState state = { loop, &changes, 0, FALSE, NULL };
  g_autoptr(CrmSyncPage) read = NULL;

  changes_watch (&changes, f->store);

  test_page_add_customer (page, test_customer (1, "北京银行", 1));
  read = crm_sync_page_new_from_object (page, NULL);
  crm_store_apply_sync_page_async (f->store, read, NULL, applied_cb, &state);
  g_main_loop_run (loop);

  g_assert_no_error (state.error);
  g_assert_true (state.ok);
  g_assert_cmpuint (state.emissions_at_callback, ==, 1);
  g_assert_true (g_hash_table_contains (changes.ids, test_id (1)));
  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "北京银行");
  changes_clear (&changes, f->store);

  /* The worker thread drops its task, and so its reference to the store,
   * a moment after the result reached this thread. */
  for (guint i = 0; i < 2000 && g_atomic_int_get (&G_OBJECT (f->store)->ref_count) > 1; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gpointer
apply_in_thread (gpointer data)
{
  CrmStore *store = data;
  JsonObject *page = test_page ("from-a-thread");

  test_page_add_customer (page, test_customer (7, "武汉钢铁", 1));
  test_apply (store, page);
  return NULL;
}

static void
test_sync_signals_on_the_opening_thread (StoreFixture  *f,
                                         gconstpointer  data)
{
  GThread *thread;
  Changes changes;

  changes_watch (&changes, f->store);
  thread = g_thread_new ("apply", apply_in_thread, f->store);
  g_thread_join (thread);
  /* not emitted in the worker: it waits for the main context */
  g_assert_cmpuint (changes.emissions, ==, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (changes.emissions, ==, 1);
  g_assert_true (g_hash_table_contains (changes.ids, test_id (7)));
  changes_clear (&changes, f->store);
}

/* ------------------------------------------------------------------ */
/* Mutations                                                           */
/* ------------------------------------------------------------------ */

static void
test_mutations_enqueue_applies_locally_and_queues (StoreFixture  *f,
                                                   gconstpointer  data)
{
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(JsonObject) request = NULL;
  const char *ids[] = { test_id (1), NULL };
  CrmMutation *queued;
  Changes changes;

  seed_one (f->store, 7);
  changes_watch (&changes, f->store);
  m = enqueue_name (f->store, 1, "北京银行（总行）");
  if (m == NULL)
    return;

  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "北京银行（总行）");
  g_assert_cmpint (c->version, ==, 7);
  items = crm_store_get_customer_items (f->store, ids, NULL);
  g_assert_cmpstr (crm_customer_item_get_name (items->pdata[0]), ==, "北京银行（总行）");
  g_assert_true (g_hash_table_contains (changes.ids, test_id (1)));

  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 1);
  if (list->len != 1)
    return;
  queued = list->pdata[0];
  g_assert_cmpint (queued->seq, ==, m->seq);
  g_assert_cmpint (queued->base_version, ==, 7);
  g_assert_true (crm_validate_uuid (queued->key));
  g_assert_cmpint (queued->entity, ==, CRM_ENTITY_CUSTOMER);
  g_assert_cmpint (queued->op, ==, CRM_MUTATION_OP_UPDATE);
  g_assert_cmpstr (queued->record_id, ==, test_id (1));
  g_assert_cmpint (queued->state, ==, CRM_MUTATION_PENDING);
  g_assert_cmpstr (json_object_get_string_member (queued->fields, "name"), ==, "北京银行（总行）");
  g_assert_cmpuint (json_object_get_size (queued->fields), ==, 1);

  request = crm_mutation_to_request (queued);
  g_assert_cmpstr (json_object_get_string_member (request, "key"), ==, queued->key);
  g_assert_cmpstr (json_object_get_string_member (request, "entity"), ==, "customer");
  g_assert_cmpstr (json_object_get_string_member (request, "op"), ==, "update");
  g_assert_cmpint (json_object_get_int_member (request, "base_version"), ==, 7);
  changes_clear (&changes, f->store);
}

static void
test_mutations_keys_are_unique (StoreFixture  *f,
                                gconstpointer  data)
{
  g_autoptr(GHashTable) keys = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) list = NULL;

  seed_one (f->store, 1);
  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("名称%u", i);
      g_autoptr(CrmMutation) m = enqueue_name (f->store, 1, name);
    }
  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 20);
  for (guint i = 0; i < list->len; i++)
    {
      CrmMutation *m = list->pdata[i];

      g_assert_true (crm_validate_uuid (m->key));
      g_hash_table_add (keys, m->key);
      if (i > 0)
        g_assert_cmpint (m->seq, >, ((CrmMutation *) list->pdata[i - 1])->seq);
    }
  g_assert_cmpuint (g_hash_table_size (keys), ==, 20);
}

static void
test_mutations_refuse_bad_fields_and_unknown_records (StoreFixture  *f,
                                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) version = json_object_new ();
  g_autoptr(JsonObject) empty_name = fields1 ("name", "");
  g_autoptr(JsonObject) bad_tier = fields1 ("tier", "platinum");
  g_autoptr(JsonObject) ok = fields1 ("name", "新名字");
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(CrmCustomer) c = NULL;

  seed_one (f->store, 1);
  json_object_set_int_member (version, "version", 99);

  m = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), version, &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpstr (crm_error_get_field (error), ==, "version");
  g_clear_error (&error);

  m = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), empty_name, &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);

  m = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), bad_tier, &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);

  m = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (55), ok, &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 0);
  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "北京银行");
  g_assert_cmpstr (c->tier, ==, "key");
}

static void
test_mutations_next_marks_sent_in_queue_order (StoreFixture  *f,
                                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(CrmMutation) b = NULL;
  g_autoptr(CrmMutation) next = NULL;
  g_autoptr(CrmMutation) again = NULL;
  g_autoptr(GPtrArray) list = NULL;

  seed_one (f->store, 1);
  a = enqueue_name (f->store, 1, "甲");
  b = enqueue_name (f->store, 1, "乙");

  next = crm_store_next_mutation (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (next);
  if (next == NULL)
    return;
  g_assert_cmpint (next->seq, ==, a->seq);
  g_assert_cmpint (next->state, ==, CRM_MUTATION_SENT);
  list = list_mutations (f->store);
  g_assert_cmpint (((CrmMutation *) list->pdata[0])->state, ==, CRM_MUTATION_SENT);
  g_assert_cmpint (((CrmMutation *) list->pdata[1])->state, ==, CRM_MUTATION_PENDING);

  /* without an answer (a crash), the same one again, with the same key */
  again = crm_store_next_mutation (f->store, &error);
  g_assert_nonnull (again);
  if (again)
    {
      g_assert_cmpint (again->seq, ==, a->seq);
      g_assert_cmpstr (again->key, ==, a->key);
    }
}

static void
test_mutations_done_stores_the_server_record (StoreFixture  *f,
                                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) next = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonObject) record = test_customer (1, "北京银行（总行）", 8);

  JsonArray *contacts = json_array_new ();

  seed_one (f->store, 7);
  m = enqueue_name (f->store, 1, "北京银行（总行）");
  json_object_set_string_member (record, "updated_at", "2026-12-01T00:00:00+00:00");
  /* as GET /customers/{id} answers: the contacts come along */
  json_array_add_object_element (contacts, test_contact (103, 1, "钱进", FALSE, 1));
  json_object_set_array_member (record, "contacts", contacts);
  g_assert_true (crm_store_mutation_done (f->store, m->seq, record, &error));
  g_assert_no_error (error);

  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 0);
  next = crm_store_next_mutation (f->store, &error);
  g_assert_null (next);
  c = get_customer (f->store, 1);
  g_assert_cmpint (c->version, ==, 8);
  g_assert_cmpstr (c->updated_at, ==, "2026-12-01T00:00:00+00:00");
  g_assert_cmpstr (c->name, ==, "北京银行（总行）");
  g_assert_cmpuint (c->contacts->len, ==, 3);
  /* nothing unconfirmed is left */
  g_assert_cmpint (sql_count (f->path, "SELECT count(*) FROM customers_server"), ==, 0);
}

static void
test_mutations_later_change_is_rebased (StoreFixture  *f,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(CrmMutation) b = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonObject) phone = fields1 ("phone", "021-66668888");
  g_autoptr(JsonObject) record = test_customer (1, "甲", 8);

  seed_one (f->store, 7);
  a = enqueue_name (f->store, 1, "甲");
  b = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), phone, &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->base_version, ==, 7);

  /* the server applied a on version 7, making version 8 */
  g_assert_true (crm_store_mutation_done (f->store, a->seq, record, &error));
  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 1);
  if (list->len != 1)
    return;
  g_assert_cmpint (((CrmMutation *) list->pdata[0])->seq, ==, b->seq);
  g_assert_cmpint (((CrmMutation *) list->pdata[0])->base_version, ==, 8);
  /* b still shows on the server's record */
  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "甲");
  g_assert_cmpstr (c->phone, ==, "021-66668888");
  g_assert_cmpint (c->version, ==, 8);
}

static void
test_mutations_sync_keeps_pending_edits_on_top (StoreFixture  *f,
                                                gconstpointer  data)
{
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  JsonObject *page = test_page ("c2");
  JsonObject *newer = test_customer (1, "北京银行", 8);

  seed_one (f->store, 7);
  m = enqueue_name (f->store, 1, "我的改名");
  /* a colleague changed the industry meanwhile */
  json_object_set_string_member (newer, "industry", "金融");
  test_page_add_customer (page, newer);
  test_apply (f->store, page);

  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->industry, ==, "金融");
  g_assert_cmpstr (c->name, ==, "我的改名");
  g_assert_cmpint (c->version, ==, 8);
}

static void
test_mutations_update_records_the_base_of_each_field (StoreFixture  *f,
                                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = fields1 ("name", "我的改名");
  g_autoptr(CrmMutation) first = NULL;
  g_autoptr(CrmMutation) second = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) contact = json_object_new ();
  g_autoptr(CrmMutation) k = NULL;
  JsonObject *base;

  seed_one (f->store, 7);
  json_object_set_null_member (fields, "name_en");
  json_object_set_string_member (fields, "phone", "021-66668888");
  first = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), fields, &error);
  g_assert_no_error (error);
  if (first == NULL)
    return;
  /* the values the row held before the edit, for exactly the changed fields */
  g_assert_nonnull (first->base);
  g_assert_cmpuint (json_object_get_size (first->base), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (first->base, "name"), ==, "北京银行");
  g_assert_cmpstr (json_object_get_string_member (first->base, "phone"), ==, "138****5678");
  g_assert_true (json_object_get_null_member (first->base, "name_en"));

  /* sent as "base" */
  request = crm_mutation_to_request (first);
  g_assert_true (json_object_has_member (request, "base"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (request, "base"), "name"),
                   ==, "北京银行");
  g_assert_cmpint (json_object_get_int_member (request, "base_version"), ==, 7);

  /* a second edit of the same field is based on the first */
  second = enqueue_name (f->store, 1, "再改一次");
  g_assert_cmpstr (json_object_get_string_member (second->base, "name"), ==, "我的改名");

  /* a contact's boolean is based on a JSON boolean */
  json_object_set_boolean_member (contact, "is_primary", TRUE);
  k = crm_store_enqueue_update (f->store, CRM_ENTITY_CONTACT, test_id (101), contact, &error);
  g_assert_no_error (error);
  if (k == NULL)
    return;
  base = k->base;
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (base, "is_primary")), ==, G_TYPE_BOOLEAN);
  g_assert_false (json_object_get_boolean_member (base, "is_primary"));
}

/* A 409 body's conflicts: one {field, base, mine, theirs} per triple. */
static JsonArray *
conflicts_of (const char *field,
              ...)
{
  JsonArray *conflicts = json_array_new ();
  va_list args;

  va_start (args, field);
  for (const char *name = field; name != NULL; name = va_arg (args, const char *))
    {
      JsonObject *c = json_object_new ();

      json_object_set_string_member (c, "field", name);
      json_object_set_string_member (c, "base", va_arg (args, const char *));
      json_object_set_string_member (c, "mine", va_arg (args, const char *));
      json_object_set_string_member (c, "theirs", va_arg (args, const char *));
      json_array_add_object_element (conflicts, c);
    }
  va_end (args);
  return conflicts;
}

/* Customer 1 at version 7, edited here (name and, if given, industry),
 * sent, and answered 409: a colleague made version 8 with another name,
 * industry (if @industry_theirs) and tier. */
static CrmMutation *
conflict_one (StoreFixture *f,
              const char   *industry_mine,
              const char   *industry_theirs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = fields1 ("name", "我的改名");
  g_autoptr(JsonObject) current = test_customer (1, "同事的改名", 8);
  g_autoptr(JsonArray) conflicts = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) sent = NULL;

  seed_one (f->store, 7);
  if (industry_mine != NULL)
    json_object_set_string_member (fields, "industry", industry_mine);
  m = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), fields, &error);
  g_assert_no_error (error);
  sent = crm_store_next_mutation (f->store, &error);
  g_assert_cmpint (sent->seq, ==, m->seq);

  json_object_set_string_member (current, "tier", "strategic");
  if (industry_theirs != NULL)
    {
      json_object_set_string_member (current, "industry", industry_theirs);
      conflicts = conflicts_of ("name", "北京银行", "我的改名", "同事的改名",
                                "industry", "通信", industry_mine, industry_theirs, NULL);
    }
  else
    conflicts = conflicts_of ("name", "北京银行", "我的改名", "同事的改名", NULL);
  g_assert_true (crm_store_mutation_conflict (f->store, m->seq, current, conflicts, "Someone else changed name",
                                              &error));
  g_assert_no_error (error);
  return crm_store_get_mutation (f->store, m->seq, &error);
}

static void
test_conflicts_conflict_keeps_mine_and_records_the_conflicts (StoreFixture  *f,
                                                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = conflict_one (f, "金融", NULL);
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(CrmMutation) next = NULL;
  JsonObject *conflict;

  if (m == NULL)
    return;
  g_assert_cmpint (m->state, ==, CRM_MUTATION_CONFLICT);
  g_assert_nonnull (m->conflicts);
  g_assert_cmpuint (json_array_get_length (m->conflicts), ==, 1);
  conflict = json_array_get_object_element (m->conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "name");
  g_assert_cmpstr (json_object_get_string_member (conflict, "theirs"), ==, "同事的改名");
  g_assert_nonnull (strstr (m->last_error, "Someone else changed name"));
  /* the user's values are kept, in the queue and on the row */
  g_assert_cmpstr (json_object_get_string_member (m->fields, "name"), ==, "我的改名");
  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "我的改名");
  g_assert_cmpstr (c->industry, ==, "金融");
  /* the colleague's other change shows, on their version */
  g_assert_cmpstr (c->tier, ==, "strategic");
  g_assert_cmpint (c->version, ==, 8);
  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 1);
  /* not sent again until resolved */
  next = crm_store_next_mutation (f->store, &error);
  g_assert_no_error (error);
  g_assert_null (next);
}

static void
test_conflicts_later_changes_of_the_record_wait_behind_it (StoreFixture  *f,
                                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = conflict_one (f, NULL, NULL);
  g_autoptr(JsonObject) phone = fields1 ("phone", "021-66668888");
  g_autoptr(JsonObject) title = fields1 ("title", "采购经理");
  g_autoptr(CrmMutation) later = NULL;
  g_autoptr(CrmMutation) other = NULL;
  g_autoptr(CrmMutation) next = NULL;
  g_autoptr(CrmMutation) after = NULL;

  later = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), phone, &error);
  g_assert_no_error (error);
  other = crm_store_enqueue_update (f->store, CRM_ENTITY_CONTACT, test_id (101), title, &error);
  g_assert_no_error (error);
  if (m == NULL || later == NULL || other == NULL)
    return;

  /* the contact's change goes; the customer's later change waits */
  next = crm_store_next_mutation (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (next);
  if (next == NULL)
    return;
  g_assert_cmpint (next->seq, ==, other->seq);
  g_assert_true (crm_store_mutation_done (f->store, next->seq, NULL, &error));
  after = crm_store_next_mutation (f->store, &error);
  g_assert_no_error (error);
  g_assert_null (after);
  g_clear_pointer (&after, crm_mutation_unref);

  /* once resolved, the resolved change goes first, then the later one */
  g_assert_true (crm_store_resolve_conflict (f->store, m->seq, (const char *[]) { "name", NULL }, NULL, &error));
  g_assert_no_error (error);
  after = crm_store_next_mutation (f->store, &error);
  g_assert_nonnull (after);
  if (after != NULL)
    g_assert_cmpint (after->seq, ==, m->seq);
}

static void
test_conflicts_keep_mine_is_a_new_change_based_on_theirs (StoreFixture  *f,
                                                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = conflict_one (f, "金融", "能源");
  g_autoptr(CrmMutation) resolved = NULL;
  g_autoptr(CrmMutation) next = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(GPtrArray) list = NULL;
  const char *keep[] = { "name", NULL };

  if (m == NULL)
    return;
  /* a field that is not in conflict cannot be chosen */
  g_assert_false (crm_store_resolve_conflict (f->store, m->seq, (const char *[]) { "phone", NULL }, NULL, &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);

  /* mine for the name, theirs for the industry */
  g_assert_true (crm_store_resolve_conflict (f->store, m->seq, keep, &resolved, &error));
  g_assert_no_error (error);
  g_assert_nonnull (resolved);
  if (resolved == NULL)
    return;
  g_assert_cmpint (resolved->state, ==, CRM_MUTATION_PENDING);
  g_assert_cmpstr (resolved->key, !=, m->key);
  g_assert_cmpuint (json_object_get_size (resolved->fields), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (resolved->fields, "name"), ==, "我的改名");
  g_assert_cmpuint (json_object_get_size (resolved->base), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (resolved->base, "name"), ==, "同事的改名");
  g_assert_cmpint (resolved->base_version, ==, 8);
  g_assert_null (resolved->conflicts);

  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "我的改名");
  g_assert_cmpstr (c->industry, ==, "能源");
  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 1);

  next = crm_store_next_mutation (f->store, &error);
  g_assert_nonnull (next);
  if (next != NULL)
    g_assert_cmpstr (next->key, ==, resolved->key);
}

static void
test_conflicts_keep_theirs_takes_theirs_and_sends_nothing (StoreFixture  *f,
                                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = conflict_one (f, NULL, NULL);
  g_autoptr(CrmMutation) resolved = NULL;
  g_autoptr(CrmMutation) next = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *server_rows = NULL;

  if (m == NULL)
    return;
  g_assert_true (crm_store_resolve_conflict (f->store, m->seq, NULL, &resolved, &error));
  g_assert_no_error (error);
  g_assert_null (resolved);

  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "同事的改名");
  g_assert_cmpint (c->version, ==, 8);
  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 0);
  next = crm_store_next_mutation (f->store, &error);
  g_assert_no_error (error);
  g_assert_null (next);
  /* nothing queued: no server layer either (see "Two layers") */
  server_rows = test_sql_text (f->path, "SELECT count(*) FROM customers_server");
  g_assert_cmpstr (server_rows, ==, "0");
}

static void
test_conflicts_sync_keeps_mine_on_top (StoreFixture  *f,
                                       gconstpointer  data)
{
  g_autoptr(CrmMutation) m = conflict_one (f, NULL, NULL);
  g_autoptr(CrmCustomer) c = NULL;
  JsonObject *page = test_page ("c2");
  JsonObject *newer = test_customer (1, "同事又改了", 9);

  test_page_add_customer (page, newer);
  test_apply (f->store, page);
  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "我的改名");
  g_assert_cmpint (c->version, ==, 9);
}

static void
test_unit_save_is_all_or_nothing (StoreFixture  *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) name = fields1 ("name", "北京银行股份有限公司");
  g_autoptr(JsonObject) bad_mobile = fields1 ("mobile", "12345");
  g_autoptr(JsonObject) title = fields1 ("title", "行长");
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  g_autoptr(GPtrArray) both = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(CrmCustomer) after = NULL;
  CrmStoreUpdate invalid[] = {
    { CRM_ENTITY_CUSTOMER, test_id (1), name },
    { CRM_ENTITY_CONTACT, test_id (101), bad_mobile },
  };
  CrmStoreUpdate unknown[] = {
    { CRM_ENTITY_CUSTOMER, test_id (1), name },
    { CRM_ENTITY_CONTACT, test_id (199), title },
  };
  CrmStoreUpdate good[] = {
    { CRM_ENTITY_CUSTOMER, test_id (1), name },
    { CRM_ENTITY_CONTACT, test_id (101), title },
  };

  seed_one (f->store, 7);

  /* the second record's update is refused by the field rules: nothing */
  none = crm_store_enqueue_updates (f->store, invalid, G_N_ELEMENTS (invalid), &error);
  g_assert_null (none);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);
  /* the second record is not here: the first, already applied, goes back */
  gone = crm_store_enqueue_updates (f->store, unknown, G_N_ELEMENTS (unknown), &error);
  g_assert_null (gone);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpint (sql_count (f->path, "SELECT count(*) FROM customers_server"), ==, 0);
  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "北京银行");

  /* both good: both queued, in order, and shown */
  both = crm_store_enqueue_updates (f->store, good, G_N_ELEMENTS (good), &error);
  g_assert_no_error (error);
  g_assert_nonnull (both);
  if (both == NULL)
    return;
  g_assert_cmpuint (both->len, ==, 2);
  g_assert_cmpint (((CrmMutation *) both->pdata[0])->entity, ==, CRM_ENTITY_CUSTOMER);
  g_assert_cmpint (((CrmMutation *) both->pdata[1])->seq, >, ((CrmMutation *) both->pdata[0])->seq);
  after = get_customer (f->store, 1);
  g_assert_cmpstr (after->name, ==, "北京银行股份有限公司");
  for (guint i = 0; i < after->contacts->len; i++)
    {
      CrmContact *k = after->contacts->pdata[i];

      if (g_str_equal (k->id, test_id (101)))
        g_assert_cmpstr (k->title, ==, "行长");
    }
}

static void
test_schema_migrates_a_version_1_queue (StoreFixture  *f,
                                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) v1 = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *path = g_build_filename (f->dir, "v1.sqlite", NULL);
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(CrmMutation) next = NULL;
  g_autoptr(CrmMutation) again = NULL;
  sqlite3 *db = NULL;

  v1 = g_resources_lookup_data ("/org/keylinecrm/Keyline/store/sql/0001-local-schema.sql", 0, &error);
  g_assert_no_error (error);
  sql = g_strndup (g_bytes_get_data (v1, NULL), g_bytes_get_size (v1));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 1;"
                                     " INSERT INTO mutations (key, entity, op, record_id, base_version, fields, state)"
                                     " VALUES ('k1', 'customer', 'update', 'r1', 3, '{\"name\":\"x\"}', 'failed');"
                                     " INSERT INTO customers (id, name, version) VALUES ('r2', '新名字', 4);"
                                     " INSERT INTO customers_server (id, name, version) VALUES ('r2', '旧名字', 4);"
                                     " INSERT INTO mutations (key, entity, op, record_id, base_version, fields, state)"
                                     " VALUES ('k2', 'customer', 'update', 'r2', 4, '{\"name\":\"新名字\"}', 'pending')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = crm_store_open (path, &error);
  g_assert_no_error (error);
  if (store == NULL)
    return;
  g_assert_cmpuint (crm_store_get_schema_version (store), ==, 12);
  list = list_mutations (store);
  g_assert_cmpuint (list->len, ==, 2);
  if (list->len != 2)
    return;
  g_assert_cmpstr (((CrmMutation *) list->pdata[0])->key, ==, "k1");
  g_assert_cmpint (((CrmMutation *) list->pdata[0])->state, ==, CRM_MUTATION_FAILED);

  /* a pending update of schema 1 has no base: it is sent based on the
   * server's last confirmed values */
  next = crm_store_next_mutation (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (next);
  if (next == NULL)
    return;
  g_assert_cmpstr (next->key, ==, "k2");
  g_assert_nonnull (next->base);
  if (next->base == NULL)
    return;
  g_assert_cmpstr (json_object_get_string_member (next->base, "name"), ==, "旧名字");
  again = crm_store_get_mutation (store, next->seq, &error);
  g_assert_cmpstr (json_object_get_string_member (again->base, "name"), ==, "旧名字");
}

static void
test_mutations_refused_change_is_taken_back (StoreFixture  *f,
                                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(CrmMutation) b = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(JsonObject) phone = fields1 ("phone", "021-66668888");

  seed_one (f->store, 7);
  a = enqueue_name (f->store, 1, "我的改名");
  b = crm_store_enqueue_update (f->store, CRM_ENTITY_CUSTOMER, test_id (1), phone, &error);
  g_assert_true (crm_store_mutation_failed (f->store, a->seq, "forbidden", &error));
  g_assert_no_error (error);

  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "北京银行");
  /* the other queued change still shows */
  g_assert_cmpstr (c->phone, ==, "021-66668888");
}

static void
test_mutations_new_contact_shows_and_goes_if_refused (StoreFixture  *f,
                                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = fields1 ("name", "孙丽");
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(CrmCustomer) after = NULL;
  g_autoptr(JsonObject) request = NULL;
  gboolean found = FALSE;

  seed_one (f->store, 1);
  json_object_set_string_member (fields, "mobile", "13912345678");
  json_object_set_string_member (fields, "customer_id", test_id (1));
  m = crm_store_enqueue_create (f->store, CRM_ENTITY_CONTACT, NULL, fields, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  if (m == NULL)
    return;
  g_assert_cmpint (m->op, ==, CRM_MUTATION_OP_CREATE);
  g_assert_true (crm_validate_uuid (m->record_id));
  request = crm_mutation_to_request (m);
  g_assert_false (json_object_has_member (request, "base_version"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (request, "fields"), "customer_id"),
                   ==, test_id (1));

  c = get_customer (f->store, 1);
  for (guint i = 0; i < c->contacts->len; i++)
    {
      CrmContact *k = c->contacts->pdata[i];

      if (g_str_equal (k->id, m->record_id))
        {
          found = TRUE;
          g_assert_cmpstr (k->name, ==, "孙丽");
          g_assert_cmpstr (k->mobile, ==, "13912345678");
          g_assert_cmpint (k->version, ==, 0);
        }
    }
  g_assert_true (found);

  g_assert_true (crm_store_mutation_failed (f->store, m->seq, "conflict", &error));
  after = get_customer (f->store, 1);
  g_assert_cmpuint (after->contacts->len, ==, 2);
}

static void
test_mutations_survive_a_reset (StoreFixture  *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(GPtrArray) list = NULL;

  seed_one (f->store, 7);
  m = enqueue_name (f->store, 1, "我的改名");
  g_assert_true (crm_store_reset (f->store, &error));
  g_assert_true (customer_absent (f->store, 1));

  seed_one (f->store, 7);
  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->name, ==, "我的改名");
  list = list_mutations (f->store);
  g_assert_cmpuint (list->len, ==, 1);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

/* What a reader saw of customer 1 each time the store told it changed. */
typedef struct
{
  GMainLoop *loop;
  GArray    *versions;   /* gint64, -1: absent */
  GPtrArray *names;
} Seen;

static void
read_when_told_cb (CrmStore           *store,
                   const char * const *ids,
                   Seen               *seen)
{
  g_autoptr(CrmCustomer) c = crm_store_get_customer (store, test_id (1), NULL);
  gint64 version = c ? c->version : -1;

  g_array_append_val (seen->versions, version);
  g_ptr_array_add (seen->names, g_strdup (c ? c->name : NULL));
}

static void
quit_when_applied_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Seen *seen = user_data;

  g_assert_true (crm_store_apply_sync_page_finish (CRM_STORE (object), result, NULL));
  g_main_loop_quit (seen->loop);
}

/* Reads go through a second connection: what was committed is there as
 * soon as ::customers-changed says so, whichever thread wrote it. */
static void
test_read_sees_what_was_committed_when_told (StoreFixture  *f,
                                             gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(CrmMutation) m = NULL;
  Seen seen = { loop, versions, names };

  g_signal_connect (f->store, "customers-changed", G_CALLBACK (read_when_told_cb), &seen);
  for (gint64 version = 1; version <= 3; version++)
    {
      g_autoptr(JsonObject) page = test_page ("read");
      g_autoptr(CrmSyncPage) read = NULL;

      test_page_add_customer (page, test_customer (1, "北京银行", version));
      read = crm_sync_page_new_from_object (page, NULL);
      crm_store_apply_sync_page_async (f->store, read, NULL, quit_when_applied_cb, &seen);
      g_main_loop_run (loop);
    }
  m = enqueue_name (f->store, 1, "北京银行总行");
  g_signal_handlers_disconnect_by_func (f->store, read_when_told_cb, &seen);

  g_assert_cmpuint (versions->len, ==, 4);
  for (guint i = 0; i < 3 && i < versions->len; i++)
    g_assert_cmpint (g_array_index (versions, gint64, i), ==, i + 1);
  g_assert_cmpuint (names->len, ==, 4);
  if (names->len == 4)
    g_assert_cmpstr (names->pdata[3], ==, "北京银行总行");

  /* the worker threads let the store go a moment after their result */
  for (guint i = 0; i < 2000 && g_atomic_int_get (&G_OBJECT (f->store)->ref_count) > 1; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

typedef struct
{
  CrmStore   *store;
  JsonObject *page;
} BigWrite;

static gpointer
big_write_thread (gpointer data)
{
  BigWrite *write = data;

  test_apply (write->store, write->page);
  return NULL;
}

/* Whether some connection holds the write lock of @db's file: SQLITE_BUSY
 * at once for BEGIN IMMEDIATE. */
static gboolean
writer_busy (sqlite3 *db)
{
  int rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  g_assert_cmpint (rc & 0xff, ==, SQLITE_BUSY);
  return TRUE;
}

/* A read on this thread while another thread's page holds the writer in
 * its transaction: it answers before that transaction commits (with one
 * connection it waited for the commit). */
static void
test_read_does_not_wait_for_a_write (StoreFixture  *f,
                                     gconstpointer  data)
{
  sqlite3 *probe = NULL;
  BigWrite write = { f->store, test_page ("big") };
  g_autoptr(GThread) thread = NULL;
  g_autoptr(CrmCustomer) c = NULL;
  g_autoptr(GPtrArray) items = NULL;
  const char *ids[] = { test_id (1), NULL };
  gint64 deadline, start, took;
  gboolean busy = FALSE;

  seed_one (f->store, 1);
  for (guint n = 1000; n < 41000; n++)
    test_page_add_customer (write.page, test_customer (n, "大连港", 1));
  g_assert_cmpint (sqlite3_open_v2 (f->path, &probe, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);

  thread = g_thread_new ("big-write", big_write_thread, &write);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!(busy = writer_busy (probe)) && g_get_monotonic_time () < deadline)
    g_usleep (200);
  g_assert_true (busy);

  start = g_get_monotonic_time ();
  c = crm_store_get_customer (f->store, test_id (1), NULL);
  items = crm_store_get_customer_items (f->store, ids, NULL);
  took = g_get_monotonic_time () - start;
  /* still writing: the reads did not wait for it */
  g_assert_true (writer_busy (probe));
  g_test_message ("read in %.1f ms while the page was written", took / 1000.0);
  g_assert_cmpint (took, <, G_USEC_PER_SEC);
  g_assert_nonnull (c);
  g_assert_cmpuint (c->contacts->len, ==, 2);
  g_assert_nonnull (items->pdata[0]);

  g_thread_join (g_steal_pointer (&thread));
  sqlite3_close (probe);
  /* the page's ::customers-changed, sent to this thread */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (customer_absent (f->store, 999));
  g_clear_pointer (&c, crm_customer_unref);
  c = get_customer (f->store, 40999);
  g_assert_cmpstr (c->name, ==, "大连港");
}

static void
updates_queued_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = crm_store_enqueue_updates_finish (CRM_STORE (object), result, &error);
  g_assert_no_error (error);
}

static void
test_save_does_not_wait_for_a_write (StoreFixture  *f,
                                     gconstpointer  data)
{
  sqlite3 *probe = NULL;
  BigWrite write = { f->store, test_page ("big") };
  g_autoptr(GThread) thread = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GPtrArray) queued = NULL;
  CrmStoreUpdate update = { CRM_ENTITY_CUSTOMER, test_id (1), fields };
  g_autoptr(CrmCustomer) c = NULL;
  gint64 deadline, start, took;
  gboolean busy = FALSE;

  seed_one (f->store, 1);
  for (guint n = 1000; n < 41000; n++)
    test_page_add_customer (write.page, test_customer (n, "大连港", 1));
  g_assert_cmpint (sqlite3_open_v2 (f->path, &probe, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  json_object_set_string_member (fields, "industry", "物流");

  thread = g_thread_new ("big-write", big_write_thread, &write);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!(busy = writer_busy (probe)) && g_get_monotonic_time () < deadline)
    g_usleep (200);
  g_assert_true (busy);

  /* the user saves while the page is written: the call comes back at once */
  start = g_get_monotonic_time ();
  crm_store_enqueue_updates_async (f->store, &update, 1, NULL, updates_queued_cb, &queued);
  took = g_get_monotonic_time () - start;
  g_assert_true (writer_busy (probe));
  g_test_message ("save handed over in %.2f ms while the page was written", took / 1000.0);
  g_assert_cmpint (took, <, 50 * 1000);
  g_assert_null (queued);

  /* and is queued once the page is in */
  g_thread_join (g_steal_pointer (&thread));
  sqlite3_close (probe);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (queued == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (queued);
  g_assert_cmpuint (queued->len, ==, 1);
  c = get_customer (f->store, 1);
  g_assert_cmpstr (c->industry, ==, "物流");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, StoreFixture, NULL, store_fixture_set_up, func, store_fixture_tear_down)
  ADD ("/store/schema/migrates-an-empty-file", test_schema_migrates_an_empty_file);
  ADD ("/store/schema/reopen-keeps-rows-and-runs-no-migration-twice",
       test_schema_reopen_keeps_rows_and_runs_no_migration_twice);
  ADD ("/store/schema/refuses-a-file-from-a-newer-version", test_schema_refuses_a_newer_file);
  ADD ("/store/schema/migrates-a-version-1-queue", test_schema_migrates_a_version_1_queue);

  ADD ("/store/sync/stores-every-field", test_sync_stores_every_field);
  ADD ("/store/sync/newer-version-replaces", test_sync_newer_version_replaces);
  ADD ("/store/sync/older-version-is-ignored", test_sync_older_version_is_ignored);
  ADD ("/store/sync/removing-a-customer-removes-its-contacts", test_sync_removing_a_customer_removes_its_contacts);
  ADD ("/store/sync/removes-a-contact", test_sync_removes_a_contact);
  ADD ("/store/sync/stores-the-cursor-and-time", test_sync_stores_the_cursor_and_time);
  ADD ("/store/sync/page-is-one-transaction", test_sync_page_is_one_transaction);
  ADD ("/store/sync/names-the-changed-customers", test_sync_names_the_changed_customers);
  ADD ("/store/sync/reset-drops-rows-and-cursor", test_sync_reset_drops_rows_and_cursor);
  ADD ("/store/sync/reset-page-starts-over", test_sync_reset_page_starts_over);
  ADD ("/store/sync/async-applies-and-signals-before-the-callback",
       test_sync_async_applies_and_signals_before_the_callback);
  ADD ("/store/sync/signals-on-the-opening-thread", test_sync_signals_on_the_opening_thread);

  ADD ("/store/read/sees-what-was-committed-when-told", test_read_sees_what_was_committed_when_told);
  ADD ("/store/read/does-not-wait-for-a-write", test_read_does_not_wait_for_a_write);
  ADD ("/store/save/does-not-wait-for-a-write", test_save_does_not_wait_for_a_write);

  ADD ("/store/mutations/enqueue-applies-locally-and-queues", test_mutations_enqueue_applies_locally_and_queues);
  ADD ("/store/mutations/keys-are-unique", test_mutations_keys_are_unique);
  ADD ("/store/mutations/refuse-bad-fields-and-unknown-records", test_mutations_refuse_bad_fields_and_unknown_records);
  ADD ("/store/mutations/next-marks-sent-in-queue-order", test_mutations_next_marks_sent_in_queue_order);
  ADD ("/store/mutations/done-stores-the-server-record", test_mutations_done_stores_the_server_record);
  ADD ("/store/mutations/later-change-is-rebased-on-the-confirmed-version", test_mutations_later_change_is_rebased);
  ADD ("/store/mutations/sync-keeps-pending-edits-on-top", test_mutations_sync_keeps_pending_edits_on_top);
  ADD ("/store/mutations/update-records-the-base-of-each-field", test_mutations_update_records_the_base_of_each_field);
  ADD ("/store/conflicts/conflict-keeps-mine-and-records-the-conflicts",
       test_conflicts_conflict_keeps_mine_and_records_the_conflicts);
  ADD ("/store/conflicts/later-changes-of-the-record-wait-behind-it",
       test_conflicts_later_changes_of_the_record_wait_behind_it);
  ADD ("/store/conflicts/keep-mine-is-a-new-change-based-on-theirs",
       test_conflicts_keep_mine_is_a_new_change_based_on_theirs);
  ADD ("/store/conflicts/keep-theirs-takes-theirs-and-sends-nothing",
       test_conflicts_keep_theirs_takes_theirs_and_sends_nothing);
  ADD ("/store/conflicts/sync-keeps-mine-on-top", test_conflicts_sync_keeps_mine_on_top);
  ADD ("/store/unit/save-is-all-or-nothing", test_unit_save_is_all_or_nothing);
  ADD ("/store/mutations/refused-change-is-taken-back", test_mutations_refused_change_is_taken_back);
  ADD ("/store/mutations/new-contact-shows-and-goes-if-refused", test_mutations_new_contact_shows_and_goes_if_refused);
  ADD ("/store/mutations/survive-a-reset", test_mutations_survive_a_reset);
#undef ADD

  return g_test_run ();
}
