#define G_LOG_DOMAIN "test-customer-model"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "crm-customer-model.h"
#include "crm-store.h"
#include "store-test-util.h"

/*
 * CrmCustomerModel over a real store.  Every test follows the model's
 * items-changed signals with a mirror list (each signal applied to it as a
 * GtkListView would) and checks the mirror against the model, so a signal
 * that does not describe the change fails the test.
 */

/* ------------------------------------------------------------------ */
/* Data                                                                */
/* ------------------------------------------------------------------ */

typedef struct
{
  guint       n;
  const char *name;
  const char *name_en;
  const char *tier;
  const char *industry;
  guint       region;
  const char *region_name;
  guint       owner;          /* 0: none */
  const char *owner_name;
  gint64      revenue;
  const char *status;
} Row;

/* Pinyin order of the names, in every locale (ICU): 阿 北 常 广 上 武 中
 * (4 1 6 3 2 7 5); code point order would be 上 中 北 广 武 常 阿 (2 5 1 3 7 6 4).
 * (Not 长沙: ICU gives a character one reading, and 长's is zhǎng.) */
static const Row rows[] = {
  { 1, "北京银行",   "Bank of Beijing", "major",    "金融",   9101, "北京", 8001, "王伟", 500,  "active" },
  { 2, "上海电信",   NULL,              "key",      "通信",   9102, "上海", 8002, "李娜", 900,  "active" },
  { 3, "广州地铁",   NULL,              "standard", "交通",   9103, "广州", 8003, "张伟", 100,  "prospect" },
  { 4, "阿里巴巴",   "Alibaba Group",   "key",      "互联网", 9104, "杭州", 8001, "王伟", 1000, "active" },
  { 5, "中国移动",   "China Mobile",    "key",      "通信",   9101, "北京", 8002, "李娜", 800,  "churned" },
  { 6, "常州市政府", NULL,              "major",    "政府",   9105, "常州", 0,    NULL,   300,  "prospect" },
  { 7, "武汉钢铁",   NULL,              "standard", "制造",   9106, "武汉", 8003, "张伟", 300,  "active" },
};

static JsonObject *
row_record (const Row *row,
            gint64     version)
{
  JsonObject *o = test_customer (row->n, row->name, version);

  if (row->name_en)
    json_object_set_string_member (o, "name_en", row->name_en);
  json_object_set_string_member (o, "tier", row->tier);
  json_object_set_string_member (o, "industry", row->industry);
  json_object_set_string_member (o, "region_id", test_id (row->region));
  json_object_set_string_member (o, "region_name", row->region_name);
  if (row->owner)
    {
      json_object_set_string_member (o, "owner_id", test_id (row->owner));
      json_object_set_string_member (o, "owner_name", row->owner_name);
    }
  else
    {
      json_object_set_null_member (o, "owner_id");
      json_object_set_null_member (o, "owner_name");
    }
  json_object_set_int_member (o, "monthly_revenue", row->revenue);
  json_object_set_int_member (o, "arrears", 0);   /* no warning unless a test gives one */
  json_object_set_string_member (o, "status", row->status);
  return o;
}

/* ------------------------------------------------------------------ */
/* Fixture: the seven rows, a model, a mirror                          */
/* ------------------------------------------------------------------ */

typedef struct
{
  StoreFixture      store;
  CrmCustomerModel *model;
  GPtrArray        *mirror;      /* what the signals said the model holds */
  guint             emissions;
  guint             last_position, last_removed, last_added;
  guint             total_notifies;
} Fixture;

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the model has taken in every change the store
 * told it (many rows and reloads are read in a worker). */
static void
wait_for_model (CrmCustomerModel *model)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (20, timed_out_cb, &timed_out);

  while (crm_customer_model_is_busy (model) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  if (!timed_out)
    g_source_remove (timeout);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  f->emissions++;
  f->last_position = position;
  f->last_removed = removed;
  f->last_added = added;

  g_assert_cmpuint (position + removed, <=, f->mirror->len);
  if (position + removed > f->mirror->len)
    return;
  g_ptr_array_remove_range (f->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (f->mirror, (int) (position + i), g_list_model_get_item (model, position + i));
  /* each signal leaves the model as it says */
  g_assert_cmpuint (f->mirror->len, ==, g_list_model_get_n_items (model));
}

static void
total_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Fixture    *f)
{
  f->total_notifies++;
}

/* Makes the model (in the current locale) and loads it. */
static void
fixture_load_model (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&f->model);
  g_ptr_array_set_size (f->mirror, 0);
  f->model = crm_customer_model_new (f->store.store);
  g_signal_connect (f->model, "items-changed", G_CALLBACK (items_changed_cb), f);
  g_signal_connect (f->model, "notify::total", G_CALLBACK (total_notify_cb), f);
  g_assert_true (crm_customer_model_reload (f->model, &error));
  g_assert_no_error (error);
  f->emissions = 0;
  f->total_notifies = 0;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  JsonObject *page = test_page ("c1");

  store_fixture_set_up (&f->store, data);
  f->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    test_page_add_customer (page, row_record (&rows[i], 1));
  test_apply (f->store.store, page);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->mirror, g_ptr_array_unref);
  if (f->model != NULL)
    {
      wait_for_model (f->model);
      g_assert_finalize_object (f->model);
    }
  store_fixture_tear_down (&f->store, data);
  setlocale (LC_ALL, "C.UTF-8");
}

static gboolean
use_locale (const char *locale)
{
  if (setlocale (LC_ALL, locale) == NULL)
    {
      g_autofree char *message = g_strdup_printf ("locale %s is not installed", locale);

      g_test_skip (message);
      return FALSE;
    }
  return TRUE;
}

/* "4,1,6": the customers' numbers in model order. */
static char *
order_of (GListModel *model)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmCustomerItem) item = g_list_model_get_item (model, i);
      const char *id = crm_customer_item_get_id (item);

      g_string_append_printf (out, "%s%" G_GUINT64_FORMAT, i ? "," : "", g_ascii_strtoull (id + 24, NULL, 10));
    }
  return g_string_free (out, FALSE);
}

static char *
reversed (const char *order)
{
  g_auto(GStrv) parts = g_strsplit (order, ",", -1);
  guint n = g_strv_length (parts);

  for (guint i = 0; i < n / 2; i++)
    {
      char *t = parts[i];

      parts[i] = parts[n - 1 - i];
      parts[n - 1 - i] = t;
    }
  return g_strjoinv (",", parts);
}

/* The mirror holds what the model holds. */
static void
assert_mirror (Fixture *f)
{
  wait_for_model (f->model);
  g_assert_cmpuint (f->mirror->len, ==, g_list_model_get_n_items (G_LIST_MODEL (f->model)));
  for (guint i = 0; i < f->mirror->len && i < g_list_model_get_n_items (G_LIST_MODEL (f->model)); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (f->model), i);

      g_assert_true (item == f->mirror->pdata[i]);
    }
}

static void
assert_order (Fixture    *f,
              const char *expected)
{
  g_autofree char *order = NULL;

  wait_for_model (f->model);
  order = order_of (G_LIST_MODEL (f->model));
  g_assert_cmpstr (order, ==, expected);
  assert_mirror (f);
}

/* The model holds what a model made now would load, in its order. */
static void
assert_order_of_a_fresh_load (Fixture *f)
{
  g_autoptr(CrmCustomerModel) fresh = crm_customer_model_new (f->store.store);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (crm_customer_model_reload (fresh, &error));
  g_assert_no_error (error);
  expected = order_of (G_LIST_MODEL (fresh));
  assert_order (f, expected);
}

static void
apply_rows (Fixture    *f,
            JsonObject *first,
            ...)
{
  JsonObject *page = test_page ("more");
  va_list args;

  va_start (args, first);
  for (JsonObject *o = first; o != NULL; o = va_arg (args, JsonObject *))
    test_page_add_customer (page, o);
  va_end (args);
  test_apply (f->store.store, page);
}

/* ------------------------------------------------------------------ */
/* Sorting                                                             */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmCustomerColumn  column;
  const char        *order;
} Expected;

/* Ties: by name, then id.  The same in every locale: names, industries,
 * regions and owners sort by ICU's pinyin collation, whatever LANG is. */
static const Expected expected_orders[] = {
  { CRM_CUSTOMER_COLUMN_NAME,       "4,1,6,3,2,7,5" },
  { CRM_CUSTOMER_COLUMN_TIER,       "4,2,5,1,6,3,7" },
  { CRM_CUSTOMER_COLUMN_INDUSTRY,   "4,3,1,2,5,6,7" },
  { CRM_CUSTOMER_COLUMN_REGION,     "1,5,6,3,4,2,7" },
  { CRM_CUSTOMER_COLUMN_OWNER,      "2,5,4,1,3,7,6" },
  { CRM_CUSTOMER_COLUMN_REVENUE,    "3,6,7,1,5,2,4" },
  { CRM_CUSTOMER_COLUMN_STATUS,     "6,3,4,1,2,7,5" },
  /* no arrears, pipeline or churn score here: all tie, by name */
  { CRM_CUSTOMER_COLUMN_ARREARS,    "4,1,6,3,2,7,5" },
  { CRM_CUSTOMER_COLUMN_CHURN_RISK, "4,1,6,3,2,7,5" },
  { CRM_CUSTOMER_COLUMN_PIPELINE,   "4,1,6,3,2,7,5" },
};

static void
check_every_column (Fixture  *f,
                    gboolean  zh)
{
  for (guint i = 0; i < G_N_ELEMENTS (expected_orders); i++)
    {
      const Expected *e = &expected_orders[i];
      const char *ascending = e->order;
      g_autofree char *descending = reversed (ascending);
      GEnumClass *columns = g_type_class_ref (CRM_TYPE_CUSTOMER_COLUMN);

      g_test_message ("column %s", g_enum_get_value (columns, e->column)->value_nick);
      g_type_class_unref (columns);

      /* from the other direction, so that each step is a change */
      crm_customer_model_set_sort (f->model, CRM_CUSTOMER_COLUMN_NAME, TRUE);
      f->emissions = 0;
      crm_customer_model_set_sort (f->model, e->column, FALSE);
      assert_order (f, ascending);
      g_assert_cmpuint (f->emissions, <=, 1);

      f->emissions = 0;
      crm_customer_model_set_sort (f->model, e->column, TRUE);
      assert_order (f, descending);
      g_assert_cmpuint (f->emissions, ==, 1);
      g_assert_cmpint (crm_customer_model_get_sort_column (f->model), ==, e->column);
      g_assert_true (crm_customer_model_get_sort_descending (f->model));
    }
}

static void
test_sort_by_name_in_zh_cn (Fixture       *f,
                            gconstpointer  data)
{
  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  assert_order (f, "4,1,6,3,2,7,5");
}

static void
test_sort_by_name_in_c_utf8 (Fixture       *f,
                             gconstpointer  data)
{
  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);
  /* pinyin, not code points, in an English (or C) interface too */
  assert_order (f, "4,1,6,3,2,7,5");
}

static void
test_sort_by_each_column_in_zh_cn (Fixture       *f,
                                   gconstpointer  data)
{
  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  check_every_column (f, TRUE);
}

static void
test_sort_by_each_column_in_c_utf8 (Fixture       *f,
                                    gconstpointer  data)
{
  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);
  check_every_column (f, FALSE);
}

static void
test_sort_ties_are_stable_by_id (Fixture       *f,
                                 gconstpointer  data)
{
  Row twin = rows[0];

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  /* three customers with one name and revenue: only the id orders them */
  twin.n = 30;
  apply_rows (f, row_record (&twin, 1), NULL);
  twin.n = 10;
  apply_rows (f, row_record (&twin, 1), NULL);
  twin.n = 20;
  apply_rows (f, row_record (&twin, 1), NULL);
  fixture_load_model (f);
  crm_customer_model_set_tier (f->model, "major");
  crm_customer_model_set_search (f->model, "北京银行");
  assert_order (f, "1,10,20,30");
  crm_customer_model_set_sort (f->model, CRM_CUSTOMER_COLUMN_REVENUE, FALSE);
  assert_order (f, "1,10,20,30");
  crm_customer_model_set_sort (f->model, CRM_CUSTOMER_COLUMN_REVENUE, TRUE);
  assert_order (f, "30,20,10,1");
}

/* ------------------------------------------------------------------ */
/* Search and filters                                                  */
/* ------------------------------------------------------------------ */

static void
test_search_narrows_with_a_chinese_substring (Fixture       *f,
                                              gconstpointer  data)
{
  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);

  crm_customer_model_set_search (f->model, "中");
  assert_order (f, "5");
  g_assert_cmpuint (f->emissions, ==, 1);
  crm_customer_model_set_search (f->model, "中国");
  assert_order (f, "5");
  crm_customer_model_set_search (f->model, "中国移");
  assert_order (f, "5");
  crm_customer_model_set_search (f->model, "京");
  assert_order (f, "1");
  crm_customer_model_set_search (f->model, "钢铁");
  assert_order (f, "7");
  crm_customer_model_set_search (f->model, "市政");
  assert_order (f, "6");
  crm_customer_model_set_search (f->model, "银河");
  assert_order (f, "");

  f->emissions = 0;
  crm_customer_model_set_search (f->model, "");
  assert_order (f, "4,1,6,3,2,7,5");
  g_assert_cmpuint (f->emissions, ==, 1);
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 7);
}

static void
test_search_typed_back_shows_each_earlier_list (Fixture       *f,
                                                gconstpointer  data)
{
  const char *typed[] = { "北", "北京", "北京银", "北京", "北", "", "上", "" };
  const char *expected[] = { "1", "1", "1", "1", "1", "4,1,6,3,2,7,5", "2", "4,1,6,3,2,7,5" };
  Row row = rows[0];

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  crm_customer_model_set_status (f->model, "active");
  crm_customer_model_set_status (f->model, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      crm_customer_model_set_search (f->model, typed[i]);
      assert_order (f, expected[i]);
    }

  /* a change between typing and typing back shows in the earlier list */
  crm_customer_model_set_search (f->model, "北");
  crm_customer_model_set_search (f->model, "北京");
  row.n = 8;
  row.name = "北方工业";
  apply_rows (f, row_record (&row, 1), NULL);
  assert_order (f, "1");
  crm_customer_model_set_search (f->model, "北");
  assert_order (f, "8,1");
  crm_customer_model_set_search (f->model, NULL);
  assert_order (f, "4,8,1,6,3,2,7,5");

  /* and so does a change of another filter */
  crm_customer_model_set_search (f->model, "北");
  crm_customer_model_set_search (f->model, "北京");
  crm_customer_model_set_tier (f->model, "key");
  crm_customer_model_set_search (f->model, "北");
  assert_order (f, "");
  crm_customer_model_set_search (f->model, NULL);
  assert_order (f, "4,2,5");
}

static void
test_search_ignores_case_and_width_in_english_names (Fixture       *f,
                                                     gconstpointer  data)
{
  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);

  crm_customer_model_set_search (f->model, "CHINA");
  assert_order (f, "5");
  /* full-width letters, as Chinese input methods type them */
  crm_customer_model_set_search (f->model, "ＢＡＮＫ");
  assert_order (f, "1");
  crm_customer_model_set_search (f->model, "group");
  assert_order (f, "4");
  /* never across the name and the English name */
  crm_customer_model_set_search (f->model, "巴巴alibaba");
  assert_order (f, "");
}

static void
test_search_reads_memory_not_sqlite (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *ignored = NULL;

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  /* behind the store's back: a filter that read SQLite would find nothing */
  ignored = test_sql_text (f->store.path, "DELETE FROM customers");

  crm_customer_model_set_search (f->model, "银行");
  assert_order (f, "1");
  crm_customer_model_set_search (f->model, NULL);
  crm_customer_model_set_status (f->model, "prospect");
  assert_order (f, "6,3");
}

static void
test_filters_combine (Fixture       *f,
                      gconstpointer  data)
{
  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);

  crm_customer_model_set_tier (f->model, "key");
  assert_order (f, "4,2,5");
  crm_customer_model_set_status (f->model, "active");
  assert_order (f, "4,2");
  crm_customer_model_set_region (f->model, test_id (9102));
  assert_order (f, "2");
  crm_customer_model_set_owner (f->model, test_id (8001));
  assert_order (f, "");
  crm_customer_model_set_owner (f->model, NULL);
  assert_order (f, "2");
  crm_customer_model_set_search (f->model, "电");
  assert_order (f, "2");
  crm_customer_model_set_search (f->model, "移");
  assert_order (f, "");

  crm_customer_model_set_search (f->model, NULL);
  crm_customer_model_set_region (f->model, NULL);
  crm_customer_model_set_tier (f->model, NULL);
  assert_order (f, "4,1,2,7");
  crm_customer_model_set_status (f->model, NULL);
  assert_order (f, "4,1,6,3,2,7,5");

  crm_customer_model_set_owner (f->model, test_id (8003));
  assert_order (f, "3,7");
  crm_customer_model_set_region (f->model, test_id (9101));
  assert_order (f, "");
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 7);
}

static void
test_filter_change_is_one_signal_over_the_difference (Fixture       *f,
                                                      gconstpointer  data)
{
  guint n_items = 0;

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);

  /* 4,1,6,3,2,7,5 -> 4,2,5: the head (4) and tail (5) stay */
  crm_customer_model_set_tier (f->model, "key");
  g_assert_cmpuint (f->emissions, ==, 1);
  g_assert_cmpuint (f->last_position, ==, 1);
  g_assert_cmpuint (f->last_removed, ==, 5);
  g_assert_cmpuint (f->last_added, ==, 1);
  g_object_get (f->model, "n-items", &n_items, NULL);
  g_assert_cmpuint (n_items, ==, 3);

  /* a filter that keeps the same rows: no signal */
  crm_customer_model_set_tier (f->model, NULL);
  crm_customer_model_set_owner (f->model, test_id (8003));
  assert_order (f, "3,7");
  f->emissions = 0;
  crm_customer_model_set_tier (f->model, "standard");
  assert_order (f, "3,7");
  g_assert_cmpuint (f->emissions, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Changes from the store                                              */
/* ------------------------------------------------------------------ */

static void
test_update_renamed_customer_moves_to_its_place (Fixture       *f,
                                                 gconstpointer  data)
{
  Row renamed = rows[6];
  g_autoptr(GObject) first_before = NULL;
  g_autoptr(GObject) first_after = NULL;
  guint position = 0;

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  first_before = g_list_model_get_item (G_LIST_MODEL (f->model), 0);
  g_assert_true (crm_customer_model_find (f->model, test_id (7), &position));
  g_assert_cmpuint (position, ==, 5);

  /* 武汉钢铁 (wu) becomes 安徽钢铁 (an): from after 上海电信 to after 阿里巴巴 */
  renamed.name = "安徽钢铁";
  apply_rows (f, row_record (&renamed, 2), NULL);

  assert_order (f, "4,7,1,6,3,2,5");
  g_assert_cmpuint (f->emissions, ==, 2);   /* out at 5, in at 1 */
  g_assert_cmpuint (f->last_position, ==, 1);
  g_assert_cmpuint (f->last_added, ==, 1);
  g_assert_true (crm_customer_model_find (f->model, test_id (7), &position));
  g_assert_cmpuint (position, ==, 1);
  /* the other rows were not read again */
  first_after = g_list_model_get_item (G_LIST_MODEL (f->model), 0);
  g_assert_true (first_before == first_after);
  g_assert_cmpuint (f->total_notifies, ==, 0);
}

static void
test_update_in_place_is_one_signal (Fixture       *f,
                                    gconstpointer  data)
{
  Row richer = rows[2];
  g_autoptr(CrmCustomerItem) item = NULL;

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  richer.revenue = 12345;
  apply_rows (f, row_record (&richer, 2), NULL);

  assert_order (f, "4,1,6,3,2,7,5");
  g_assert_cmpuint (f->emissions, ==, 1);
  g_assert_cmpuint (f->last_position, ==, 3);
  g_assert_cmpuint (f->last_removed, ==, 1);
  g_assert_cmpuint (f->last_added, ==, 1);
  item = g_list_model_get_item (G_LIST_MODEL (f->model), 3);
  g_assert_cmpint (crm_customer_item_get_monthly_revenue (item), ==, 12345);
}

static void
test_update_adds_and_removes_rows (Fixture       *f,
                                   gconstpointer  data)
{
  Row added = rows[0];
  JsonObject *page = test_page ("gone");

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  added.n = 8;
  added.name = "成都高新区管委会";   /* cheng: after 常州 (chang) */
  apply_rows (f, row_record (&added, 1), NULL);
  assert_order (f, "4,1,6,8,3,2,7,5");
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 8);
  g_assert_cmpuint (f->total_notifies, ==, 1);

  test_page_add_removal (page, "customer", 1, 1);
  test_apply (f->store.store, page);
  assert_order (f, "4,6,8,3,2,7,5");
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 7);
  g_assert_cmpuint (f->total_notifies, ==, 2);
}

static void
test_update_follows_the_filters (Fixture       *f,
                                 gconstpointer  data)
{
  Row promoted = rows[0];
  Row demoted = rows[1];

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  crm_customer_model_set_tier (f->model, "key");
  assert_order (f, "4,2,5");

  promoted.tier = "key";
  apply_rows (f, row_record (&promoted, 2), NULL);
  assert_order (f, "4,1,2,5");
  demoted.tier = "standard";
  apply_rows (f, row_record (&demoted, 2), NULL);
  assert_order (f, "4,1,5");
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 7);

  crm_customer_model_set_tier (f->model, NULL);
  assert_order (f, "4,1,6,3,2,7,5");
}

static void
test_update_local_edit_moves_the_row (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  json_object_set_string_member (fields, "name", "安徽钢铁");
  m = crm_store_enqueue_update (f->store.store, CRM_ENTITY_CUSTOMER, test_id (7), fields, &error);
  g_assert_no_error (error);
  assert_order (f, "4,7,1,6,3,2,5");

  /* refused: back where it was */
  g_assert_true (crm_store_mutation_failed (f->store.store, m->seq, "forbidden", &error));
  assert_order (f, "4,1,6,3,2,7,5");
}

static void
test_update_reset_reloads_in_a_worker (Fixture       *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);
  before = order_of (G_LIST_MODEL (f->model));
  g_assert_true (crm_store_reset (f->store.store, &error));

  /* The signal has been emitted: the main thread read nothing yet. */
  g_assert_true (crm_customer_model_is_busy (f->model));
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 7);
  g_assert_cmpuint (f->emissions, ==, 0);
  {
    g_autofree char *now = order_of (G_LIST_MODEL (f->model));

    g_assert_cmpstr (now, ==, before);
  }

  /* Then the worker's list is swapped in, in one signal. */
  assert_order (f, "");
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 0);
  g_assert_cmpuint (f->emissions, ==, 1);
  g_assert_cmpuint (f->total_notifies, ==, 1);
}

/* Rows changed while a reload reads are applied after it, so nothing
 * told meanwhile is lost. */
static void
test_update_changes_during_a_reload_are_kept (Fixture       *f,
                                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Row renamed = rows[6];
  Row added = rows[0];

  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);
  crm_customer_model_reload_async (f->model, NULL, NULL, NULL);
  g_assert_true (crm_customer_model_is_busy (f->model));

  renamed.name = "安徽钢铁";
  added.n = 8;
  added.name = "大连港";
  apply_rows (f, row_record (&renamed, 2), row_record (&added, 1), NULL);
  /* in C.UTF-8 too, pinyin: 阿 安 北 常 大 广 上 中 */
  assert_order (f, "4,7,1,6,8,3,2,5");
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 8);
}

/* A batch of more rows than are read at once is read in a worker, and
 * then leaves the model as a fresh load would. */
static void
test_update_many_rows_are_read_in_a_worker (Fixture       *f,
                                            gconstpointer  data)
{
  JsonObject *page = test_page ("many");
  g_autoptr(CrmCustomerModel) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  for (guint i = 0; i < 300; i++)
    {
      Row row = rows[i % G_N_ELEMENTS (rows)];
      g_autofree char *name = g_strdup_printf ("客户%03u", (i * 7919) % 1000);

      row.n = 100 + i;
      row.name = name;
      test_page_add_customer (page, row_record (&row, 1));
    }
  test_apply (f->store.store, page);
  g_assert_true (crm_customer_model_is_busy (f->model));
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 7);

  fresh = crm_customer_model_new (f->store.store);
  g_assert_true (crm_customer_model_reload (fresh, &error));
  g_assert_no_error (error);
  expected = order_of (G_LIST_MODEL (fresh));
  assert_order (f, expected);
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 307);
  /* told in several signals, each as the rows were */
  g_assert_cmpuint (f->emissions, >, 1);
}

/* 10,000 customers after the fixture's, in no order of their names: a
 * batch applied in many slices. */
static void
add_many_customers (JsonObject *page)
{
  for (guint i = 0; i < 10000; i++)
    {
      Row row = rows[i % G_N_ELEMENTS (rows)];
      g_autofree char *name = g_strdup_printf ("客户%05u", (i * 7919) % 10000);

      row.n = 100 + i;
      row.name = name;
      test_page_add_customer (page, row_record (&row, 1));
    }
}

/* Always ready at the default priority: a window whose frames leave the
 * main loop no idle time (a first sync's progress and spinner under
 * software rendering). */
static gboolean
starve_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
reloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_customer_model_reload_finish (CRM_CUSTOMER_MODEL (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) data = TRUE;
}

/* Runs the main loop until *@done (at most @seconds), without waiting for
 * sources that are not ready. */
static void
iterate_until (gboolean *done,
               guint     seconds)
{
  gint64 until = g_get_monotonic_time () + seconds * G_TIME_SPAN_SECOND;

  while (!*done && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* A batch of changed rows is applied a slice at a time when the main loop
 * is idle.  A reload asked for meanwhile reads every row itself and does
 * not wait for the slices, which a busy main loop may not run until the
 * sync that keeps it busy ends. */
static void
test_update_reload_does_not_wait_for_a_batch (Fixture       *f,
                                              gconstpointer  data)
{
  JsonObject *page = test_page ("many");
  gboolean reloaded = FALSE;
  gint64 until;
  guint starve;

  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);
  add_many_customers (page);
  starve = g_idle_add_full (G_PRIORITY_DEFAULT, starve_cb, NULL, NULL);
  test_apply (f->store.store, page);

  /* The rows are read in a worker and their first slice applied as they
   * come; the others wait for an idle main loop. */
  until = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (crm_customer_model_get_total (f->model) == G_N_ELEMENTS (rows) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (crm_customer_model_get_total (f->model), >, G_N_ELEMENTS (rows));
  g_assert_cmpuint (crm_customer_model_get_total (f->model), <, 10007);
  g_assert_true (crm_customer_model_is_busy (f->model));

  crm_customer_model_reload_async (f->model, NULL, reloaded_cb, &reloaded);
  iterate_until (&reloaded, 20);
  g_assert_true (reloaded);
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 10007);
  g_source_remove (starve);

  assert_order_of_a_fresh_load (f);
}

static gboolean
idle_probe_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_CONTINUE;
}

/* A window's frames may leave the main loop no idle time for a whole
 * first sync; the rows of a batch come into the list all the same, a
 * slice at a time above GTK's drawing. */
static void
test_update_batch_is_applied_when_frames_leave_no_idle_time (Fixture       *f,
                                                              gconstpointer  data)
{
  JsonObject *page = test_page ("many");
  gboolean idle_ran = FALSE;
  gint64 until;
  guint frames, probe;

  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);
  add_many_customers (page);
  /* always ready at GDK_PRIORITY_REDRAW, as frames that take longer to
   * draw than their interval */
  frames = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 20, starve_cb, NULL, NULL);
  probe = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, idle_probe_cb, &idle_ran, NULL);
  test_apply (f->store.store, page);

  until = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  while ((crm_customer_model_get_total (f->model) < 10007 || crm_customer_model_is_busy (f->model)) &&
         g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_source_remove (frames);
  g_source_remove (probe);
  g_assert_false (idle_ran);
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 10007);
  g_assert_false (crm_customer_model_is_busy (f->model));
  /* applied in more than one slice, each signal a span of rows */
  g_assert_cmpuint (f->emissions, >, 1);

  assert_order_of_a_fresh_load (f);
}

/* A held model (a list not shown while a first sync brings its rows)
 * reads none of the rows the store tells of; let go, it reads them all
 * at once, in one reload. */
static void
test_update_held_model_reads_nothing_until_let_go (Fixture       *f,
                                                   gconstpointer  data)
{
  JsonObject *page = test_page ("many");
  guint emissions;
  gint64 until;

  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);
  add_many_customers (page);
  crm_customer_model_set_held (f->model, TRUE);
  emissions = f->emissions;
  test_apply (f->store.store, page);

  until = g_get_monotonic_time () + G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, G_N_ELEMENTS (rows));
  g_assert_cmpuint (f->emissions, ==, emissions);
  g_assert_true (crm_customer_model_is_busy (f->model));

  crm_customer_model_set_held (f->model, FALSE);
  until = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (crm_customer_model_is_busy (f->model) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (crm_customer_model_is_busy (f->model));
  g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, 10007);
  /* one signal: the reload's */
  g_assert_cmpuint (f->emissions, ==, emissions + 1);

  assert_order_of_a_fresh_load (f);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
choices_text (GHashTable *table)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer id, name;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &id, &name))
    g_ptr_array_add (lines, g_strdup_printf ("%" G_GUINT64_FORMAT "=%s",
                                             g_ascii_strtoull ((const char *) id + 24, NULL, 10), (const char *) name));
  g_ptr_array_sort (lines, compare_strings);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv (" ", (char **) lines->pdata);
}

static void
choices_changed_cb (CrmCustomerModel *model,
                    guint            *count)
{
  (*count)++;
}

/* The regions and owners offered follow the changed rows: a region
 * comes with its first customer and goes with its last. */
static void
test_choices_follow_changed_rows (Fixture       *f,
                                  gconstpointer  data)
{
  Row moved = rows[5];     /* the only customer in 常州 (9105), no owner */
  Row added = rows[0];
  guint changed = 0;
  g_autoptr(GHashTable) regions = NULL;
  g_autoptr(GHashTable) owners = NULL;
  g_autofree char *regions_text = NULL;
  g_autofree char *owners_text = NULL;

  if (!use_locale ("C.UTF-8"))
    return;
  fixture_load_model (f);
  regions = crm_customer_model_dup_regions (f->model);
  owners = crm_customer_model_dup_owners (f->model);
  regions_text = choices_text (regions);
  owners_text = choices_text (owners);
  g_assert_cmpstr (regions_text, ==, "9101=北京 9102=上海 9103=广州 9104=杭州 9105=常州 9106=武汉");
  g_assert_cmpstr (owners_text, ==, "8001=王伟 8002=李娜 8003=张伟");
  g_signal_connect (f->model, "choices-changed", G_CALLBACK (choices_changed_cb), &changed);

  /* 常州's customer moves to 北京 and gets an owner; a customer in a new
   * region with a new owner comes */
  moved.region = 9101;
  moved.region_name = "北京";
  moved.owner = 8004;
  moved.owner_name = "赵敏";
  added.n = 8;
  added.region = 9107;
  added.region_name = "成都";
  added.owner = 8005;
  added.owner_name = "刘洋";
  apply_rows (f, row_record (&moved, 2), row_record (&added, 1), NULL);
  wait_for_model (f->model);
  g_assert_cmpuint (changed, ==, 1);
  g_clear_pointer (&regions, g_hash_table_unref);
  g_clear_pointer (&owners, g_hash_table_unref);
  g_clear_pointer (&regions_text, g_free);
  g_clear_pointer (&owners_text, g_free);
  regions = crm_customer_model_dup_regions (f->model);
  owners = crm_customer_model_dup_owners (f->model);
  regions_text = choices_text (regions);
  owners_text = choices_text (owners);
  g_assert_cmpstr (regions_text, ==, "9101=北京 9102=上海 9103=广州 9104=杭州 9106=武汉 9107=成都");
  g_assert_cmpstr (owners_text, ==, "8001=王伟 8002=李娜 8003=张伟 8004=赵敏 8005=刘洋");

  /* a change that leaves the choices as they were says nothing */
  moved.revenue = 12345;
  apply_rows (f, row_record (&moved, 3), NULL);
  wait_for_model (f->model);
  g_assert_cmpuint (changed, ==, 1);

  /* the last customer of 杭州 goes: so does 杭州 */
  {
    JsonObject *page = test_page ("gone");

    test_page_add_removal (page, "customer", 4, 4);
    test_apply (f->store.store, page);
  }
  wait_for_model (f->model);
  g_assert_cmpuint (changed, ==, 2);
  g_clear_pointer (&regions, g_hash_table_unref);
  g_clear_pointer (&regions_text, g_free);
  regions = crm_customer_model_dup_regions (f->model);
  regions_text = choices_text (regions);
  g_assert_cmpstr (regions_text, ==, "9101=北京 9102=上海 9103=广州 9106=武汉 9107=成都");
}

static void
test_update_many_rows_is_one_signal (Fixture       *f,
                                     gconstpointer  data)
{
  JsonObject *page = test_page ("many");
  g_autoptr(CrmCustomerModel) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  fixture_load_model (f);
  crm_customer_model_set_sort (f->model, CRM_CUSTOMER_COLUMN_REVENUE, TRUE);
  f->emissions = 0;

  /* twelve changed rows: five new, all seven moved */
  for (guint i = 0; i < 12; i++)
    {
      Row row = rows[i % G_N_ELEMENTS (rows)];

      if (i >= G_N_ELEMENTS (rows))
        {
          row.n = 100 + i;
          row.name = "新客户";
        }
      row.revenue = (gint64) ((i * 7919) % 1000);
      test_page_add_customer (page, row_record (&row, 3));
    }
  test_apply (f->store.store, page);
  wait_for_model (f->model);
  g_assert_cmpuint (f->emissions, ==, 1);
  assert_mirror (f);

  fresh = crm_customer_model_new (f->store.store);
  g_assert_true (crm_customer_model_reload (fresh, &error));
  crm_customer_model_set_sort (fresh, CRM_CUSTOMER_COLUMN_REVENUE, TRUE);
  expected = order_of (G_LIST_MODEL (fresh));
  assert_order (f, expected);
}

/* Random batches of changes, under random sorts and filters, must leave
 * the model as a fresh load would, with signals that say so. */
static void
test_update_random_batches_match_a_fresh_load (Fixture       *f,
                                               gconstpointer  data)
{
  static const char * const names[] = { "北京", "上海", "广州", "深圳", "成都", "重庆", "武汉", "杭州", "南京",
                                        "天津", "移动", "联通", "电信", "银行", "钢铁", "集团", NULL };
  static const char * const tiers[] = { "key", "major", "standard", NULL };
  static const char * const statuses[] = { "prospect", "active", "churned", NULL };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261123);
  JsonObject *page = test_page ("seed");

  if (!use_locale ("zh_CN.UTF-8"))
    return;
  for (guint n = 1; n <= 300; n++)
    {
      Row row = rows[n % G_N_ELEMENTS (rows)];
      g_autofree char *name = g_strconcat (names[g_rand_int_range (rand, 0, 16)],
                                           names[g_rand_int_range (rand, 0, 16)], NULL);

      row.n = n;
      row.name = name;
      row.revenue = g_rand_int_range (rand, 0, 50) * 100;
      test_page_add_customer (page, row_record (&row, 1));
    }
  test_apply (f->store.store, page);
  fixture_load_model (f);

  for (guint round = 0; round < 60; round++)
    {
      g_autoptr(CrmCustomerModel) fresh = NULL;
      g_autofree char *expected = NULL;
      CrmCustomerColumn column = g_rand_int_range (rand, 0, CRM_CUSTOMER_COLUMN_STATUS + 1);
      gboolean descending = g_rand_boolean (rand);
      const char *tier = g_rand_boolean (rand) ? tiers[g_rand_int_range (rand, 0, 3)] : NULL;
      const char *search = g_rand_int_range (rand, 0, 3) == 0 ? names[g_rand_int_range (rand, 0, 16)] : NULL;
      guint changes = g_rand_boolean (rand) ? g_rand_int_range (rand, 1, 4) : g_rand_int_range (rand, 9, 40);

      crm_customer_model_set_sort (f->model, column, descending);
      crm_customer_model_set_tier (f->model, tier);
      crm_customer_model_set_search (f->model, search);

      page = test_page ("round");
      for (guint i = 0; i < changes; i++)
        {
          guint n = g_rand_int_range (rand, 1, 340);   /* some new */
          Row row = rows[n % G_N_ELEMENTS (rows)];
          g_autofree char *name = g_strconcat (names[g_rand_int_range (rand, 0, 16)],
                                               names[g_rand_int_range (rand, 0, 16)], NULL);

          if (g_rand_int_range (rand, 0, 6) == 0)
            {
              test_page_add_removal (page, "customer", n, n);
              continue;
            }
          row.n = n;
          row.name = name;
          row.tier = tiers[g_rand_int_range (rand, 0, 3)];
          row.status = statuses[g_rand_int_range (rand, 0, 3)];
          row.revenue = g_rand_int_range (rand, 0, 50) * 100;
          test_page_add_customer (page, row_record (&row, 2 + round));
        }
      test_apply (f->store.store, page);

      fresh = crm_customer_model_new (f->store.store);
      g_assert_true (crm_customer_model_reload (fresh, NULL));
      crm_customer_model_set_sort (fresh, column, descending);
      crm_customer_model_set_tier (fresh, tier);
      crm_customer_model_set_search (fresh, search);
      expected = order_of (G_LIST_MODEL (fresh));
      assert_order (f, expected);
      g_assert_cmpuint (crm_customer_model_get_total (f->model), ==, crm_customer_model_get_total (fresh));
      if (g_test_failed ())
        {
          g_test_message ("round %u", round);
          return;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Search by contacts and phone numbers                                */
/* ------------------------------------------------------------------ */

static JsonObject *
contact_with_mobile (guint       n,
                     guint       customer,
                     const char *name,
                     const char *mobile)
{
  JsonObject *o = test_contact (n, customer, name, FALSE, 1);

  json_object_set_string_member (o, "mobile", mobile);
  return o;
}

/* Every customer's own phone is masked here (138****5678, test_customer);
 * a manager's customers' contacts come in full. */
static void
test_search_finds_contacts_and_full_phone_numbers (Fixture       *f,
                                                   gconstpointer  data)
{
  JsonObject *page = test_page ("contacts");
  JsonObject *phoned = row_record (&rows[1], 2);
  const char *typed[] = { "5", "56", "567", "5678", "567", "" };
  const char *expected[] = { "3", "3", "3", "3", "3", "4,1,6,3,2,7,5" };

  if (!use_locale ("C.UTF-8"))
    return;
  json_object_set_string_member (phoned, "phone", "021-6888 7777");
  test_page_add_customer (page, phoned);
  test_page_add_contact (page, contact_with_mobile (101, 3, "赵敏", "139 1234 5678"));
  test_page_add_contact (page, contact_with_mobile (102, 1, "Li Lei", "139****4321"));
  test_apply (f->store.store, page);
  fixture_load_model (f);

  crm_customer_model_set_search (f->model, "赵敏");
  assert_order (f, "3");
  crm_customer_model_set_search (f->model, "LI LEI");
  assert_order (f, "1");
  /* the whole number, as typed or not, and its last digits */
  crm_customer_model_set_search (f->model, "13912345678");
  assert_order (f, "3");
  crm_customer_model_set_search (f->model, "139-1234-5678");
  assert_order (f, "3");
  crm_customer_model_set_search (f->model, "5678");
  assert_order (f, "3");   /* not the six masked 138****5678 */
  crm_customer_model_set_search (f->model, "4321");
  assert_order (f, "");    /* masked: its digits are not searched */
  crm_customer_model_set_search (f->model, "68887777");
  assert_order (f, "2");
  crm_customer_model_set_search (f->model, "6888 7777");
  assert_order (f, "2");

  /* typed on and back, narrowing and from the cache */
  crm_customer_model_set_search (f->model, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      crm_customer_model_set_search (f->model, typed[i]);
      assert_order (f, expected[i]);
    }

  /* a contact's new number is found at once */
  page = test_page ("renumbered");
  test_page_add_contact (page, contact_with_mobile (102, 1, "Li Lei", "13700004321"));
  test_apply (f->store.store, page);
  crm_customer_model_set_search (f->model, "4321");
  assert_order (f, "1");
}

/* ------------------------------------------------------------------ */
/* Facts and warnings                                                  */
/* ------------------------------------------------------------------ */

static char *
date_from_today (int days)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_days (now, days);

  return g_date_time_format (then, "%Y-%m-%d");
}

static char *
time_from_now (int hours)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_hours (now, hours);

  return g_date_time_format_iso8601 (then);
}

static void
page_add_record (JsonObject *page,
                 const char *plural,
                 JsonObject *record)
{
  if (!json_object_has_member (page, plural))
    json_object_set_array_member (page, plural, json_array_new ());
  json_array_add_object_element (json_object_get_array_member (page, plural), record);
}

static JsonObject *
subscription (guint       n,
              guint       customer,
              const char *status,
              const char *contract_end,
              gint64      version)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", test_id (n));
  json_object_set_string_member (o, "customer_id", test_id (customer));
  json_object_set_int_member (o, "quantity", 1);
  json_object_set_int_member (o, "monthly_fee", 10000);
  json_object_set_string_member (o, "started_on", "2024-01-01");
  json_object_set_string_member (o, "contract_end", contract_end);
  json_object_set_string_member (o, "status", status);
  json_object_set_int_member (o, "version", version);
  return o;
}

static JsonObject *
opportunity (guint       n,
             guint       customer,
             const char *stage,
             gint64      once,
             gint64      monthly,
             gint64      version)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", test_id (n));
  json_object_set_string_member (o, "customer_id", test_id (customer));
  json_object_set_string_member (o, "name", "专线扩容");
  json_object_set_string_member (o, "stage", stage);
  json_object_set_int_member (o, "amount_once", once);
  json_object_set_int_member (o, "amount_monthly", monthly);
  json_object_set_int_member (o, "probability", 40);
  json_object_set_int_member (o, "version", version);
  return o;
}

static JsonObject *
service_request (guint       n,
                 guint       customer,
                 const char *status)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", test_id (n));
  json_object_set_string_member (o, "customer_id", test_id (customer));
  json_object_set_string_member (o, "phase", "after_sales");
  json_object_set_string_member (o, "kind", "fault");
  json_object_set_string_member (o, "title", "断网");
  json_object_set_string_member (o, "status", status);
  json_object_set_int_member (o, "version", 1);
  return o;
}

static JsonObject *
service_step (guint       n,
              guint       request,
              const char *deadline,
              const char *done_at,
              gint64      version)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", test_id (n));
  json_object_set_string_member (o, "request_id", test_id (request));
  json_object_set_int_member (o, "position", 1);
  json_object_set_string_member (o, "name", "派单");
  json_object_set_string_member (o, "deadline", deadline);
  if (done_at != NULL)
    json_object_set_string_member (o, "done_at", done_at);
  else
    json_object_set_null_member (o, "done_at");
  json_object_set_int_member (o, "version", version);
  return o;
}

static CrmCustomerItem *
item_of (Fixture *f,
         guint    n)
{
  guint position;

  g_assert_true (crm_customer_model_find (f->model, test_id (n), &position));
  return g_list_model_get_item (G_LIST_MODEL (f->model), position);
}

/* The rows' facts and warnings, from the store, kept current as the
 * records they come from change; "needs attention" shows the customers
 * with a warning. */
static void
test_facts_give_warnings_and_follow_their_records (Fixture       *f,
                                                   gconstpointer  data)
{
  g_autofree char *in_30_days = date_from_today (30);
  g_autofree char *in_200_days = date_from_today (200);
  g_autofree char *tomorrow = date_from_today (1);
  g_autofree char *an_hour_ago = time_from_now (-1);
  g_autofree char *in_a_day = time_from_now (24);
  JsonObject *page = test_page ("facts");
  JsonObject *record;
  g_autoptr(CrmCustomerItem) item = NULL;

  if (!use_locale ("C.UTF-8"))
    return;
  /* 3: arrears above its month of revenue (100); 6: churn risk 80 */
  record = row_record (&rows[2], 2);
  json_object_set_int_member (record, "arrears", 101);
  test_page_add_customer (page, record);
  record = row_record (&rows[5], 2);
  json_object_set_int_member (record, "churn_risk", 80);
  test_page_add_customer (page, record);
  /* 4: an open pipeline of 5000 + 12 × 200, beside a won and a lost one */
  page_add_record (page, "opportunities", opportunity (401, 4, "proposal", 5000, 200, 1));
  page_add_record (page, "opportunities", opportunity (402, 4, "won", 90000, 0, 1));
  page_add_record (page, "opportunities", opportunity (403, 4, "lost", 80000, 0, 1));
  page_add_record (page, "opportunities", opportunity (404, 1, "negotiation", 0, 1000, 1));
  /* 5: an active contract ends in 30 days; 1: one in 200 days, a
   * cancelled one tomorrow */
  page_add_record (page, "subscriptions", subscription (501, 5, "active", in_30_days, 1));
  page_add_record (page, "subscriptions", subscription (502, 1, "active", in_200_days, 1));
  page_add_record (page, "subscriptions", subscription (503, 1, "cancelled", tomorrow, 1));
  /* 7: an open request's step was due an hour ago; 2: one due tomorrow,
   * and an overdue one already done */
  page_add_record (page, "service_requests", service_request (701, 7, "in_progress"));
  page_add_record (page, "service_steps", service_step (711, 701, an_hour_ago, NULL, 1));
  page_add_record (page, "service_requests", service_request (702, 2, "open"));
  page_add_record (page, "service_steps", service_step (721, 702, in_a_day, NULL, 1));
  page_add_record (page, "service_steps", service_step (722, 702, an_hour_ago, an_hour_ago, 1));
  test_apply (f->store.store, page);
  fixture_load_model (f);

  item = item_of (f, 4);
  g_assert_cmpint (crm_customer_item_get_open_pipeline (item), ==, 5000 + 12 * 200);
  g_assert_cmpint (crm_customer_item_get_warnings (item), ==, CRM_CUSTOMER_WARNING_NONE);
  g_clear_object (&item);
  item = item_of (f, 1);
  g_assert_cmpint (crm_customer_item_get_open_pipeline (item), ==, 12 * 1000);
  g_assert_cmpstr (crm_customer_item_get_next_contract_end (item), ==, in_200_days);
  g_assert_cmpint (crm_customer_item_get_warnings (item), ==, CRM_CUSTOMER_WARNING_NONE);
  g_clear_object (&item);
  item = item_of (f, 3);
  g_assert_cmpint (crm_customer_item_get_arrears (item), ==, 101);
  g_assert_cmpint (crm_customer_item_get_warnings (item), ==, CRM_CUSTOMER_WARNING_ARREARS);
  g_clear_object (&item);
  item = item_of (f, 6);
  g_assert_cmpint (crm_customer_item_get_churn_risk (item), ==, 80);
  g_assert_cmpint (crm_customer_item_get_warnings (item), ==, CRM_CUSTOMER_WARNING_CHURN_RISK);
  g_clear_object (&item);
  item = item_of (f, 5);
  g_assert_cmpstr (crm_customer_item_get_next_contract_end (item), ==, in_30_days);
  g_assert_cmpint (crm_customer_item_get_warnings (item), ==, CRM_CUSTOMER_WARNING_CONTRACT_ENDS);
  g_clear_object (&item);
  item = item_of (f, 7);
  g_assert_cmpint (crm_customer_item_get_warnings (item), ==, CRM_CUSTOMER_WARNING_OVERDUE_STEP);
  g_clear_object (&item);
  item = item_of (f, 2);
  g_assert_cmpint (crm_customer_item_get_warnings (item), ==, CRM_CUSTOMER_WARNING_NONE);
  g_clear_object (&item);

  crm_customer_model_set_needs_attention (f->model, TRUE);
  assert_order (f, "6,3,7,5");
  crm_customer_model_set_sort (f->model, CRM_CUSTOMER_COLUMN_ARREARS, TRUE);
  assert_order (f, "3,5,7,6");   /* 101, then the others' 0 by name, reversed */
  crm_customer_model_set_sort (f->model, CRM_CUSTOMER_COLUMN_NAME, FALSE);

  /* the step is done: 7 needs no attention (a service step names no
   * customer: the model finds it through the request) */
  page = test_page ("step-done");
  page_add_record (page, "service_steps", service_step (711, 701, an_hour_ago, an_hour_ago, 2));
  test_apply (f->store.store, page);
  assert_order (f, "6,3,5");
  /* the contract is cancelled and gone */
  page = test_page ("subscription-gone");
  test_page_add_removal (page, "subscription", 501, 5);
  test_apply (f->store.store, page);
  assert_order (f, "6,3");
  /* a new overdue step, on 2's open request */
  page = test_page ("step-late");
  page_add_record (page, "service_steps", service_step (723, 702, an_hour_ago, NULL, 1));
  test_apply (f->store.store, page);
  assert_order (f, "6,3,2");

  /* the opportunity is won: 4's open pipeline is empty; sorted largest first */
  crm_customer_model_set_needs_attention (f->model, FALSE);
  crm_customer_model_set_sort (f->model, CRM_CUSTOMER_COLUMN_PIPELINE, TRUE);
  assert_order (f, "1,4,5,7,2,3,6");
  page = test_page ("won");
  page_add_record (page, "opportunities", opportunity (401, 4, "won", 5000, 200, 2));
  test_apply (f->store.store, page);
  assert_order (f, "1,5,7,2,3,6,4");
  g_clear_object (&item);
  item = item_of (f, 4);
  g_assert_cmpint (crm_customer_item_get_open_pipeline (item), ==, 0);
}

/* ICU's pinyin collation, whatever the locale: 阿里 < 百度 < 中国, and
 * English names whatever their case. */
static void
test_sort_keys_are_pinyin_in_every_locale (void)
{
  const char *locales[] = { "C.UTF-8", "en_US.UTF-8", "zh_CN.UTF-8", "de_DE.UTF-8" };
  const char *chinese[] = { "阿里", "百度", "中国" };
  const char *english[] = { "apple", "Banana", "cherry", "Delta", "echo" };

  for (guint l = 0; l < G_N_ELEMENTS (locales); l++)
    {
      if (setlocale (LC_ALL, locales[l]) == NULL)
        continue;
      g_test_message ("locale %s", locales[l]);
      for (guint i = 0; i + 1 < G_N_ELEMENTS (chinese); i++)
        {
          g_autofree char *a = crm_collation_key (chinese[i]);
          g_autofree char *b = crm_collation_key (chinese[i + 1]);

          g_assert_cmpint (strcmp (a, b), <, 0);
        }
      for (guint i = 0; i + 1 < G_N_ELEMENTS (english); i++)
        {
          g_autofree char *a = crm_collation_key (english[i]);
          g_autofree char *b = crm_collation_key (english[i + 1]);

          g_assert_cmpint (strcmp (a, b), <, 0);
        }
    }
  setlocale (LC_ALL, "C.UTF-8");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/store/model/sort/by-name-in-zh-cn", test_sort_by_name_in_zh_cn);
  ADD ("/store/model/sort/by-name-in-c-utf8", test_sort_by_name_in_c_utf8);
  ADD ("/store/model/sort/by-each-column-both-ways-in-zh-cn", test_sort_by_each_column_in_zh_cn);
  ADD ("/store/model/sort/by-each-column-both-ways-in-c-utf8", test_sort_by_each_column_in_c_utf8);
  ADD ("/store/model/sort/ties-are-broken-by-id", test_sort_ties_are_stable_by_id);

  ADD ("/store/model/search/narrows-with-a-chinese-substring", test_search_narrows_with_a_chinese_substring);
  ADD ("/store/model/search/typed-back-shows-each-earlier-list", test_search_typed_back_shows_each_earlier_list);
  ADD ("/store/model/search/ignores-case-and-width-in-english-names",
       test_search_ignores_case_and_width_in_english_names);
  ADD ("/store/model/search/reads-memory-not-sqlite", test_search_reads_memory_not_sqlite);
  ADD ("/store/model/filters/combine", test_filters_combine);
  ADD ("/store/model/filters/change-is-one-signal-over-the-difference",
       test_filter_change_is_one_signal_over_the_difference);

  ADD ("/store/model/update/renamed-customer-moves-to-its-place", test_update_renamed_customer_moves_to_its_place);
  ADD ("/store/model/update/change-in-place-is-one-signal", test_update_in_place_is_one_signal);
  ADD ("/store/model/update/adds-and-removes-rows", test_update_adds_and_removes_rows);
  ADD ("/store/model/update/follows-the-filters", test_update_follows_the_filters);
  ADD ("/store/model/update/local-edit-moves-the-row", test_update_local_edit_moves_the_row);
  ADD ("/store/model/update/reset-reloads-in-a-worker", test_update_reset_reloads_in_a_worker);
  ADD ("/store/model/update/changes-during-a-reload-are-kept", test_update_changes_during_a_reload_are_kept);
  ADD ("/store/model/update/many-rows-are-read-in-a-worker", test_update_many_rows_are_read_in_a_worker);
  ADD ("/store/model/update/reload-does-not-wait-for-a-batch-applied-when-idle",
       test_update_reload_does_not_wait_for_a_batch);
  ADD ("/store/model/update/batch-is-applied-when-frames-leave-no-idle-time",
       test_update_batch_is_applied_when_frames_leave_no_idle_time);
  ADD ("/store/model/update/held-model-reads-nothing-until-let-go",
       test_update_held_model_reads_nothing_until_let_go);
  ADD ("/store/model/choices/follow-changed-rows", test_choices_follow_changed_rows);
  ADD ("/store/model/search/finds-contacts-and-full-phone-numbers", test_search_finds_contacts_and_full_phone_numbers);
  ADD ("/store/model/facts/give-warnings-and-follow-their-records", test_facts_give_warnings_and_follow_their_records);
  g_test_add_func ("/store/model/sort/keys-are-pinyin-in-every-locale", test_sort_keys_are_pinyin_in_every_locale);
  ADD ("/store/model/update/many-rows-are-one-signal", test_update_many_rows_is_one_signal);
  ADD ("/store/model/update/random-batches-match-a-fresh-load", test_update_random_batches_match_a_fresh_load);
#undef ADD

  return g_test_run ();
}
