#define G_LOG_DOMAIN "bench-store"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "crm-customer-model.h"
#include "crm-store.h"

/*
 * bench-store: the customer list over generated customers with Chinese
 * names (100,000 by default), as the desktop client uses it.
 *
 *   _build/bench/store/bench-store [--rows N] [--locale L] [--page N]
 *
 * Fills a store in a temporary directory through sync pages, then times:
 * loading every item into the model sorted by name; search-as-you-type of
 * a three-character Chinese query typed and deleted one character at a
 * time; re-sorting by revenue; applying a sync page that changes 1 and
 * 1,000 rows, the model following; and prints the peak RSS.
 */

static const char * const cities[] = {
  "北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "南京", "西安", "重庆",
  "天津", "苏州", "长沙", "郑州", "青岛", "沈阳", "厦门", "昆明", "合肥", "福州",
};
static const char * const words[] = {
  "华信", "恒通", "中联", "宏远", "东方", "金桥", "瑞丰", "新世纪", "长城", "海纳",
  "天元", "博远", "盛世", "汇通", "鼎立", "和泰", "嘉禾", "启明", "万达", "银河",
  "星辰", "卓越", "永安", "广源", "立信", "国泰", "正大", "华夏", "明珠", "九州",
};
static const char * const trades[] = {
  "科技", "物流", "制造", "电子", "医药", "能源", "建设", "贸易", "通信", "信息",
  "软件", "网络", "电力", "钢铁", "化工", "传媒", "金融", "地产", "食品", "汽车",
};
static const char * const suffixes[] = {
  "有限公司", "股份有限公司", "集团有限公司", "分公司", "研究院", "服务中心",
};
static const char * const industries[] = {
  "制造业", "金融", "政府", "教育", "医疗", "交通物流", "能源", "互联网", "零售", "建筑",
};
static const char * const owners[] = {
  "王伟", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴芳",
};
static const char * const tiers[] = { "key", "major", "standard" };
static const char * const statuses[] = { "prospect", "active", "churned" };

static char *
make_id (guint n)
{
  /* scattered, so that id order is not insertion order */
  return g_strdup_printf ("%08x-0000-4000-8000-%012u", n * 2654435761u, n);
}

static JsonObject *
make_customer (GRand  *rand,
               guint   n,
               gint64  version)
{
  JsonObject *o = json_object_new ();
  g_autofree char *id = make_id (n);
  g_autofree char *name = g_strconcat (cities[g_rand_int_range (rand, 0, G_N_ELEMENTS (cities))],
                                       words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))],
                                       trades[g_rand_int_range (rand, 0, G_N_ELEMENTS (trades))],
                                       suffixes[g_rand_int_range (rand, 0, G_N_ELEMENTS (suffixes))], NULL);
  guint region = g_rand_int_range (rand, 0, G_N_ELEMENTS (cities));
  guint owner = g_rand_int_range (rand, 0, G_N_ELEMENTS (owners));
  g_autofree char *region_id = g_strdup_printf ("00000000-0000-4000-9000-%012u", region);
  g_autofree char *owner_id = g_strdup_printf ("00000000-0000-4000-a000-%012u", owner);

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "name", name);
  json_object_set_null_member (o, "name_en");
  json_object_set_string_member (o, "kind", "large_enterprise");
  json_object_set_string_member (o, "industry", industries[g_rand_int_range (rand, 0, G_N_ELEMENTS (industries))]);
  json_object_set_string_member (o, "region_id", region_id);
  json_object_set_string_member (o, "region_name", cities[region]);
  json_object_set_string_member (o, "tier", tiers[g_rand_int_range (rand, 0, 3)]);
  json_object_set_string_member (o, "owner_id", owner_id);
  json_object_set_string_member (o, "owner_name", owners[owner]);
  json_object_set_string_member (o, "status", statuses[g_rand_int_range (rand, 0, 3)]);
  json_object_set_int_member (o, "monthly_revenue", (gint64) g_rand_int_range (rand, 0, 100000000));
  json_object_set_int_member (o, "arrears", 0);
  json_object_set_int_member (o, "churn_risk", g_rand_int_range (rand, 0, 101));
  json_object_set_int_member (o, "version", version);
  json_object_set_string_member (o, "updated_at", "2026-11-23T14:28:45.504140+00:00");
  json_object_set_string_member (o, "credit_rating", "A");
  json_object_set_null_member (o, "registration_no");
  json_object_set_null_member (o, "address");
  json_object_set_null_member (o, "phone");
  json_object_set_string_member (o, "value_segment", "medium");
  json_object_set_array_member (o, "prefers", json_array_new ());
  json_object_set_array_member (o, "churn_reasons", json_array_new ());
  json_object_set_null_member (o, "became_customer");
  json_object_set_null_member (o, "churned_on");
  json_object_set_null_member (o, "churn_reason");
  json_object_set_string_member (o, "created_at", "2020-01-01T00:00:00+00:00");
  return o;
}

static JsonObject *
new_page (void)
{
  JsonObject *page = json_object_new ();

  json_object_set_boolean_member (page, "reset", FALSE);
  json_object_set_array_member (page, "customers", json_array_new ());
  json_object_set_array_member (page, "contacts", json_array_new ());
  json_object_set_array_member (page, "removed", json_array_new ());
  json_object_set_string_member (page, "cursor", "bench");
  return page;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
apply_or_die (CrmStore   *store,
              JsonObject *page)
{
  g_autoptr(GError) error = NULL;

  if (!crm_store_apply_sync_page (store, page, &error))
    g_error ("%s", error->message);
}

/* Times the model's own share of a store change: from the first handler
 * of ::customers-changed (connected before the model's) to the last. */
static gint64 model_start;
static double model_ms;

static void
changed_first_cb (CrmStore *store, const char * const *ids, gpointer data)
{
  model_start = g_get_monotonic_time ();
}

static void
changed_last_cb (CrmStore *store, const char * const *ids, gpointer data)
{
  model_ms = ms_since (model_start);
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, guint *count)
{
  (*count)++;
}

static void
update_rows (CrmStore         *store,
             CrmCustomerModel *model,
             GRand            *rand,
             guint             rows,
             guint             how_many,
             gint64            version,
             guint            *signals)
{
  JsonObject *page = new_page ();
  JsonArray *customers = json_object_get_array_member (page, "customers");
  gint64 start;
  double total;

  for (guint i = 0; i < how_many; i++)
    json_array_add_object_element (customers, make_customer (rand, g_rand_int_range (rand, 0, rows), version));
  *signals = 0;
  start = g_get_monotonic_time ();
  apply_or_die (store, page);
  total = ms_since (start);
  json_object_unref (page);
  printf ("update %5u row%s through the model   %8.2f ms total (SQLite transaction + fsync + model), "
          "model %.2f ms, %u items-changed\n",
          how_many, how_many == 1 ? " " : "s", total, model_ms, *signals);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) options = g_option_context_new ("- the customer list over many generated customers");
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmCustomerModel) model = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  const char *locale_name;
  int rows = 100000;
  int page_size = 2000;
  char *locale_option = NULL;
  const char *query[] = { "深", "深圳", "深圳恒", "深圳", "深", "" };
  double keystrokes[G_N_ELEMENTS (query)];
  GOptionEntry entries[] = {
    { "rows", 'n', 0, G_OPTION_ARG_INT, &rows, "Customers to generate (100000)", "N" },
    { "page", 0, 0, G_OPTION_ARG_INT, &page_size, "Customers per sync page (2000)", "N" },
    { "locale", 0, 0, G_OPTION_ARG_STRING, &locale_option, "Collation locale (zh_CN.UTF-8)", "LOCALE" },
    { NULL }
  };
  struct rusage usage;
  gint64 start;
  double fill_ms = 0;
  guint signals = 0;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  locale_name = setlocale (LC_ALL, locale_option ? locale_option : "zh_CN.UTF-8");
  if (locale_name == NULL)
    locale_name = setlocale (LC_ALL, "C.UTF-8");
  printf ("bench-store: %d customers, locale %s, sync pages of %d\n", rows, locale_name, page_size);

  dir = g_dir_make_tmp ("keyline-bench-store-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  path = g_build_filename (dir, "local.sqlite", NULL);
  store = crm_store_open (path, &error);
  if (store == NULL)
    g_error ("%s", error->message);

  /* Fill the store as a first sync would. */
  for (int first = 0; first < rows; first += page_size)
    {
      JsonObject *page = new_page ();
      JsonArray *customers = json_object_get_array_member (page, "customers");

      for (int n = first; n < rows && n < first + page_size; n++)
        json_array_add_object_element (customers, make_customer (rand, n, 1));
      start = g_get_monotonic_time ();
      apply_or_die (store, page);
      fill_ms += ms_since (start);
      json_object_unref (page);
    }
  printf ("apply sync pages into SQLite          %8.1f ms (%.0f rows/s)\n", fill_ms, rows / (fill_ms / 1000.0));

  /* Loading: SQLite rows to items (collation keys), then sorting by name. */
  start = g_get_monotonic_time ();
  items = crm_store_list_customer_items (store, &error);
  if (items == NULL)
    g_error ("%s", error->message);
  printf ("read all rows into items (no model)   %8.1f ms (collation keys and search text included)\n",
          ms_since (start));
  g_clear_pointer (&items, g_ptr_array_unref);

  g_signal_connect (store, "customers-changed", G_CALLBACK (changed_first_cb), NULL);
  model = crm_customer_model_new (store);
  g_signal_connect (store, "customers-changed", G_CALLBACK (changed_last_cb), NULL);
  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), &signals);
  start = g_get_monotonic_time ();
  if (!crm_customer_model_reload (model, &error))
    g_error ("%s", error->message);
  printf ("load all items into the model, sort by name %8.1f ms (%u items)\n",
          ms_since (start), g_list_model_get_n_items (G_LIST_MODEL (model)));

  /* Search as you type: three characters typed, then deleted. */
  for (guint i = 0; i < G_N_ELEMENTS (query); i++)
    {
      signals = 0;
      start = g_get_monotonic_time ();
      crm_customer_model_set_search (model, query[i]);
      keystrokes[i] = ms_since (start);
      printf ("  keystroke %u: \"%s\"%*s %7.2f ms, %6u shown, %u items-changed\n", i + 1, query[i],
              (int) (10 - g_utf8_strlen (query[i], -1) * 2), "", keystrokes[i],
              g_list_model_get_n_items (G_LIST_MODEL (model)), signals);
    }
  qsort (keystrokes, G_N_ELEMENTS (query), sizeof (double), compare_double);
  printf ("search-as-you-type per keystroke      median %.2f ms, max %.2f ms\n",
          (keystrokes[2] + keystrokes[3]) / 2, keystrokes[G_N_ELEMENTS (query) - 1]);

  start = g_get_monotonic_time ();
  crm_customer_model_set_sort (model, CRM_CUSTOMER_COLUMN_REVENUE, TRUE);
  printf ("re-sort by revenue                    %8.1f ms\n", ms_since (start));
  start = g_get_monotonic_time ();
  crm_customer_model_set_sort (model, CRM_CUSTOMER_COLUMN_NAME, FALSE);
  printf ("re-sort by name                       %8.1f ms\n", ms_since (start));

  /* Changes through the store, sorted by name: renamed rows move. */
  update_rows (store, model, rand, rows, 1, 2, &signals);
  update_rows (store, model, rand, rows, 1000, 3, &signals);

  getrusage (RUSAGE_SELF, &usage);
  printf ("peak RSS                              %8.1f MiB\n", usage.ru_maxrss / 1024.0);

  g_clear_object (&model);
  g_clear_object (&store);
  {
    const char *files[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *file = g_strconcat (path, files[i], NULL);

        g_unlink (file);
      }
    g_rmdir (dir);
  }
  g_free (locale_option);
  return 0;
}
