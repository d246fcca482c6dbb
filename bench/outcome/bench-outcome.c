#define G_LOG_DOMAIN "bench-outcome"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "crm-outcome-csv.h"
#include "crm-store.h"

/*
 * bench-outcome: bulk outcome import (issue 11) of a 200,000-row CSV into
 * a store holding a 200,000-member campaign.
 *
 *   _build/bench/outcome/bench-outcome [--rows N] [--runs N] [--utf8]
 *
 * Fills a store in a temporary directory through sync pages (N customers
 * with registration numbers, one campaign with all of them as members,
 * every tenth in the control group), writes a CSV of N rows as an SMS
 * platform exports it (GB18030 unless --utf8; Chinese headers and
 * outcomes, three in four customers by registration number, the others
 * by id; about 1% unknown outcomes), closes the store, then per run, on
 * a fresh copy of that store file: reads the file (decode + RFC 4180),
 * reads the campaign's members, checks every row, and queues the good
 * rows (crm_outcome_check_queue (): units of CRM_OUTCOME_IMPORT_UNIT, one
 * SQLite transaction each).  Prints each run and the medians, and the
 * peak RSS.
 */

#define CAMPAIGN "00000000-0000-4000-9999-000000000001"

static char *
make_id (guint n)
{
  return g_strdup_printf ("%08x-0000-4000-8000-%012u", n * 2654435761u, n);
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

static JsonObject *
new_page (void)
{
  JsonObject *page = json_object_new ();

  json_object_set_boolean_member (page, "reset", FALSE);
  json_object_set_array_member (page, "customers", json_array_new ());
  json_object_set_array_member (page, "contacts", json_array_new ());
  json_object_set_array_member (page, "campaign_members", json_array_new ());
  json_object_set_array_member (page, "removed", json_array_new ());
  json_object_set_string_member (page, "cursor", "bench");
  return page;
}

static void
apply_or_die (CrmStore   *store,
              JsonObject *page)
{
  g_autoptr(GError) error = NULL;

  if (!crm_store_apply_sync_page (store, page, &error))
    g_error ("%s", error->message);
  json_object_unref (page);
}

static void
fill_store (const char *path,
            guint       rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) store = crm_store_open (path, &error);
  JsonObject *page = new_page ();
  JsonArray *campaigns = json_array_new ();
  JsonObject *campaign = json_object_new ();
  JsonArray *channels = json_array_new ();

  if (store == NULL)
    g_error ("%s", error->message);
  json_array_add_string_element (channels, "sms");
  json_array_add_string_element (channels, "phone");
  json_object_set_string_member (campaign, "id", CAMPAIGN);
  json_object_set_string_member (campaign, "name", "冬季关怀");
  json_object_set_string_member (campaign, "kind", "care");
  json_object_set_array_member (campaign, "channels", channels);
  json_object_set_string_member (campaign, "status", "running");
  json_object_set_int_member (campaign, "version", 1);
  json_object_set_string_member (campaign, "updated_at", "2026-11-01T08:00:00+00:00");
  json_array_add_object_element (campaigns, campaign);
  json_object_set_array_member (page, "campaigns", campaigns);
  for (guint n = 0; n < rows; n++)
    {
      JsonObject *c = json_object_new ();
      JsonObject *m = json_object_new ();
      g_autofree char *id = make_id (n);
      g_autofree char *reg = g_strdup_printf ("91440300MA%08u", n);

      json_object_set_string_member (c, "id", id);
      json_object_set_string_member (c, "name", "深圳华信科技有限公司");
      json_object_set_string_member (c, "registration_no", reg);
      json_object_set_int_member (c, "version", 1);
      json_object_set_string_member (c, "updated_at", "2026-11-01T08:00:00+00:00");
      json_array_add_object_element (json_object_get_array_member (page, "customers"), c);
      json_object_set_string_member (m, "campaign_id", CAMPAIGN);
      json_object_set_string_member (m, "customer_id", id);
      json_object_set_boolean_member (m, "is_control", n % 10 == 9);
      json_object_set_string_member (m, "response", "pending");
      json_object_set_int_member (m, "revenue", 0);
      json_object_set_int_member (m, "version", 1);
      json_object_set_string_member (m, "updated_at", "2026-11-01T08:00:00+00:00");
      json_array_add_object_element (json_object_get_array_member (page, "campaign_members"), m);
      if ((n + 1) % 10000 == 0)
        {
          apply_or_die (store, page);
          page = new_page ();
        }
    }
  apply_or_die (store, page);
}

static void
write_csv (const char *path,
           guint       rows,
           gboolean    utf8)
{
  static const char * const outcomes[] = { "已接触", "已响应", "已转化", "已拒绝", "退订", "无法联系" };
  static const char * const channels[] = { "短信", "电话外呼" };
  g_autoptr(GString) text = g_string_new ("客户编号,手机号,发送状态,渠道,发送时间,备注\r\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  for (guint n = 0; n < rows; n++)
    {
      g_autofree char *customer = n % 4 == 3 ? make_id (n) : g_strdup_printf ("91440300MA%08u", n);
      const char *outcome = n % 100 == 42 ? "已送达" : outcomes[n % G_N_ELEMENTS (outcomes)];

      g_string_append_printf (text, "%s,138****%04u,%s,%s,2026-11-%02u %02u:%02u:%02u,%s\r\n", customer, n % 10000,
                              outcome, channels[n % 2], 1 + n % 28, n % 24, n % 60, (n / 60) % 60,
                              n % 7 == 0 ? "\"回复：\"\"好的，请联系我\"\"\"" : "");
    }
  if (utf8)
    data = g_strdup (text->str), length = text->len;
  else if ((data = g_convert (text->str, text->len, "GB18030", "UTF-8", NULL, &length, &error)) == NULL)
    g_error ("%s", error->message);
  if (!g_file_set_contents (path, data, (gssize) length, &error))
    g_error ("%s", error->message);
}

static void
copy_or_die (const char *from,
             const char *to)
{
  g_autoptr(GFile) a = g_file_new_for_path (from);
  g_autoptr(GFile) b = g_file_new_for_path (to);
  g_autoptr(GError) error = NULL;

  if (!g_file_copy (a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
    g_error ("%s", error->message);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) options = g_option_context_new ("- bulk outcome import of a large campaign");
  gint rows = 200000, runs = 3;
  gboolean utf8 = FALSE;
  GOptionEntry entries[] = {
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Members and CSV rows (200000)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs (3)", "N" },
    { "utf8", 0, 0, G_OPTION_ARG_NONE, &utf8, "Write the CSV as UTF-8, not GB18030", NULL },
    { NULL }
  };
  g_autofree char *dir = NULL;
  g_autofree char *master = NULL;
  g_autofree char *csv_path = NULL;
  g_autoptr(GArray) read_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) members_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) check_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) queue_ms = g_array_new (FALSE, FALSE, sizeof (double));
  struct rusage usage;
  gint64 start;

  setlocale (LC_ALL, "");
  g_setenv ("TZ", "Asia/Shanghai", TRUE);
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    g_error ("%s", error->message);
  dir = g_dir_make_tmp ("bench-outcome-XXXXXX", &error);
  master = g_build_filename (dir, "master.sqlite", NULL);
  csv_path = g_build_filename (dir, "outcomes.csv", NULL);

  start = g_get_monotonic_time ();
  fill_store (master, (guint) rows);
  printf ("store with %d customers and a %d-member campaign filled in %.0f ms\n", rows, rows, ms_since (start));
  write_csv (csv_path, (guint) rows, utf8);
  {
    GStatBuf st;

    g_stat (csv_path, &st);
    printf ("CSV: %d rows, %.1f MB, %s\n", rows, st.st_size / 1048576.0, utf8 ? "UTF-8" : "GB18030");
  }

  for (int run = 0; run < runs; run++)
    {
      g_autofree char *path = g_strdup_printf ("%s/run%d.sqlite", dir, run);
      g_autoptr(CrmStore) store = NULL;
      g_autoptr(CrmOutcomeCsv) csv = NULL;
      g_autoptr(CrmOutcomeCampaign) campaign = NULL;
      g_autoptr(CrmOutcomeCheck) check = NULL;
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      int mapping[CRM_OUTCOME_N_COLUMNS];
      double t_read, t_members, t_check, t_queue;
      gboolean stopped = FALSE;

      copy_or_die (master, path);
      store = crm_store_open (path, &error);
      if (store == NULL)
        g_error ("%s", error->message);

      start = g_get_monotonic_time ();
      csv = crm_outcome_csv_load (csv_path, &error);
      if (csv == NULL)
        g_error ("%s", error->message);
      t_read = ms_since (start);
      start = g_get_monotonic_time ();
      campaign = crm_outcome_campaign_load (store, CAMPAIGN, &error);
      if (campaign == NULL)
        g_error ("%s", error->message);
      t_members = ms_since (start);
      start = g_get_monotonic_time ();
      crm_outcome_csv_guess_mapping (csv, mapping);
      check = crm_outcome_check_new (csv, campaign, mapping, now, &error);
      if (check == NULL)
        g_error ("%s", error->message);
      t_check = ms_since (start);
      start = g_get_monotonic_time ();
      if (!crm_outcome_check_queue (check, store, NULL, &stopped, &error))
        g_error ("%s", error->message);
      t_queue = ms_since (start);

      printf ("run %d: read+parse %.0f ms, members %.0f ms, check %.0f ms (parse+check %.0f ms); "
              "queue %.0f ms; good %u, rejected %u, skipped %u, queued %u\n",
              run + 1, t_read, t_members, t_check, t_read + t_members + t_check, t_queue,
              crm_outcome_check_get_good (check)->len, crm_outcome_check_get_rejected (check)->len,
              crm_outcome_check_get_skipped (check)->len, crm_outcome_check_get_n_queued (check));
      g_array_append_val (read_ms, t_read);
      g_array_append_val (members_ms, t_members);
      g_array_append_val (check_ms, t_check);
      g_array_append_val (queue_ms, t_queue);
      g_clear_object (&store);
      {
        g_autofree char *wal = g_strconcat (path, "-wal", NULL);
        g_autofree char *shm = g_strconcat (path, "-shm", NULL);

        g_unlink (path);
        g_unlink (wal);
        g_unlink (shm);
      }
    }
  printf ("median of %d: read+parse %.0f ms, members %.0f ms, check %.0f ms, queue %.0f ms\n", runs,
          median (read_ms), median (members_ms), median (check_ms), median (queue_ms));
  getrusage (RUSAGE_SELF, &usage);
  printf ("peak RSS %.0f MB\n", usage.ru_maxrss / 1024.0);
  {
    g_autofree char *wal = g_strconcat (master, "-wal", NULL);
    g_autofree char *shm = g_strconcat (master, "-shm", NULL);

    g_unlink (master);
    g_unlink (wal);
    g_unlink (shm);
    g_unlink (csv_path);
    g_rmdir (dir);
  }
  return 0;
}
