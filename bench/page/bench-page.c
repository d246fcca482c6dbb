#define G_LOG_DOMAIN "bench-page"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-customer-detail.h"
#include "crm-customer-summary.h"
#include "crm-customers-page.h"
#include "crm-customer-services.h"
#include "crm-customer-timeline.h"
#include "crm-customer-work.h"
#include "crm-store.h"

/*
 * bench-page: from Enter in the customer list to the 360° page fully
 * drawn, from the local store, for a customer with 200 subscriptions and
 * 2,000 timeline entries (1,000 interactions, 200 service requests with
 * 400 steps, 100 opportunities with 200 stage changes, 100 campaign
 * memberships), among 2,000 customers.
 *
 *   xvfb-run -a -s '-screen 0 1280x1024x24' dbus-run-session -- \
 *     _build/bench/page/bench-page [--runs N] [--empty] [--hide PART] [--customers N] [--no-key] [--parts]
 *
 * (GSETTINGS_SCHEMA_DIR=_build/client GSETTINGS_BACKEND=memory GDK_BACKEND=x11
 * GSK_RENDERER=cairo, as the GUI tests run.)
 * The list is shown with the customer's row selected and focused; Enter
 * is a real key press (xdotool key Return, through the X server), and the
 * time runs from the key event reaching the window (a capture-phase key
 * controller) to the frame clock's after-paint of the first frame that
 * shows the page with its timeline read (read in a worker, the timeline
 * shows its first screenful at once and the rest after that frame; a
 * frame drawn before the read is done does not count).  Without xdotool
 * (or when the key never arrives) the list's ::activate is emitted
 * instead, as Enter does, and the time runs
 * from just before it.  Prints each run, the median and the spread (max -
 * min), and the store read alone (crm_customer_summary_read ()).  Each
 * run also prints the main thread's CPU time over the same span (what the
 * page costs, without what other processes take on a busy machine) and
 * where the time went: the list's ::activate handlers (store reads and
 * widgets), the wait for the frame, its update and GTK's layout, our
 * layout handler, drawing.  --empty opens a customer with nothing under
 * it, --hide leaves out a part of the page (header, sections,
 * services_section, work_section, overview_box), to see what each costs.
 */

static guint n_customers = 2000;
#define N_SUBSCRIPTIONS 200
#define N_PRODUCTS      24

static const char * const categories[] = {
  "dedicated_line", "broadband", "fixed_line", "mobile_plan", "idc", "cloud", "iot", "sms",
};

static char *
make_id (guint kind,
         guint n)
{
  return g_strdup_printf ("%08x-0000-4000-8000-%012u", kind, n);
}

static void
add (JsonObject *page,
     const char *plural,
     char       *json)
{
  g_autofree char *text = json;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (text, &error);

  g_assert_no_error (error);
  if (!json_object_has_member (page, plural))
    json_object_set_array_member (page, plural, json_array_new ());
  json_array_add_object_element (json_object_get_array_member (page, plural),
                                 json_object_ref (json_node_get_object (node)));
}

static JsonObject *
new_page (void)
{
  JsonObject *page = json_object_new ();

  json_object_set_boolean_member (page, "reset", FALSE);
  json_object_set_array_member (page, "removed", json_array_new ());
  json_object_set_null_member (page, "cursor");
  json_object_set_boolean_member (page, "more", FALSE);
  return page;
}

static void
add_customers (JsonObject *page)
{
  for (guint i = 0; i < n_customers; i++)
    {
      g_autofree char *id = make_id (1, i);

      add (page, "customers", g_strdup_printf (
             "{\"id\":\"%s\",\"name\":\"华信科技%04u有限公司\",\"name_en\":null,\"kind\":\"large_enterprise\","
             "\"industry\":\"finance\",\"region_id\":\"%s\",\"region_name\":\"广州市\",\"tier\":\"key\","
             "\"owner_id\":\"%s\",\"owner_name\":\"林晓峰\",\"status\":\"active\",\"monthly_revenue\":%u,"
             "\"arrears\":%u,\"churn_risk\":%u,\"version\":1,\"updated_at\":\"2026-11-23T14:28:45Z\","
             "\"credit_rating\":\"AA\",\"registration_no\":\"91440101MA5%05u\",\"address\":\"广州****\","
             "\"phone\":\"020****%04u\",\"value_segment\":\"high\",\"prefers\":[],"
             "\"churn_reasons\":[\"arrears\",\"complaints\"],\"churned_on\":null,\"churn_reason\":null,"
             "\"became_customer\":\"2019-03-01\",\"created_at\":\"2019-03-01T00:00:00Z\"}",
             id, i, make_id (9, 1), make_id (8, 1), 10000000 + i * 1000, i == 0 ? 25000000 : 0,
             i == 0 ? 82 : i % 60, i, i % 10000));
    }
}

static void
add_products (JsonObject *page)
{
  for (guint i = 0; i < N_PRODUCTS; i++)
    add (page, "products", g_strdup_printf (
           "{\"id\":\"%s\",\"code\":\"P%02u\",\"category\":\"%s\",\"name\":\"产品 %02u\",\"name_en\":\"Product %02u\","
           "\"list_fee\":100000,\"unit\":\"line\",\"active\":true,\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
           make_id (2, i), i, categories[i % G_N_ELEMENTS (categories)], i, i));
}

/* Customer 0's 200 subscriptions and 24 revenue months. */
static void
add_services (JsonObject *page,
              const char *customer)
{
  for (guint i = 0; i < N_SUBSCRIPTIONS; i++)
    add (page, "subscriptions", g_strdup_printf (
           "{\"id\":\"%s\",\"customer_id\":\"%s\",\"product_id\":\"%s\",\"quantity\":%u,\"monthly_fee\":%u,"
           "\"started_on\":\"20%02u-0%u-01\",\"contract_end\":\"202%u-0%u-15\",\"status\":\"%s\","
           "\"cancelled_on\":null,\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
           make_id (3, i), customer, make_id (2, i % N_PRODUCTS), 1 + i % 7, 50000 + 100 * i,
           18 + i % 8, 1 + i % 9, 6 + i % 4, 1 + i % 9, i % 10 == 9 ? "suspended" : "active"));
  for (guint m = 0; m < 24; m++)
    add (page, "revenue_months", g_strdup_printf (
           "{\"customer_id\":\"%s\",\"month\":\"%u-%02u-01\",\"revenue\":%u,\"arrears\":%u,\"usage_index\":100,"
           "\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
           customer, 2024 + (10 + m) / 12, (10 + m) % 12 + 1, 9000000 + 40000 * m, m >= 20 ? 600000 : 0));
}

/* Customer 0's 2,000 timeline entries. */
static void
add_timeline (JsonObject *page,
              const char *customer)
{
  static const char * const stages[] = { "prospecting", "qualification", "proposal", "negotiation", "won", "lost" };

  for (guint i = 0; i < 1000; i++)
    add (page, "interactions", g_strdup_printf (
           "{\"id\":\"%s\",\"customer_id\":\"%s\",\"contact_id\":null,\"user_id\":\"%s\",\"kind\":\"%s\","
           "\"occurred_at\":\"2026-%02u-%02uT09:00:00Z\",\"subject\":\"拜访 %u\",\"notes\":\"谈续约与扩容\","
           "\"outcome\":\"positive\",\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
           make_id (4, i), customer, make_id (8, 1), i % 2 ? "call" : "visit", 1 + i % 11, 1 + i % 28, i));
  for (guint i = 0; i < 200; i++)
    {
      gboolean open = i < 20;

      add (page, "service_requests", g_strdup_printf (
             "{\"id\":\"%s\",\"customer_id\":\"%s\",\"phase\":\"after_sale\",\"kind\":\"%s\",\"title\":\"工单 %u\","
             "\"description\":null,\"status\":\"%s\",\"priority\":\"normal\",\"opened_by\":null,\"team_id\":null,"
             "\"opened_at\":\"2026-%02u-01T00:00:00Z\",\"due_at\":null,\"closed_at\":null,\"satisfaction\":null,"
             "\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
             make_id (5, i), customer, i % 3 ? "fault" : "complaint", i, open ? "in_progress" : "closed",
             1 + i % 11));
      for (guint s = 0; s < 2; s++)
        add (page, "service_steps", g_strdup_printf (
               "{\"id\":\"%s\",\"request_id\":\"%s\",\"position\":%u,\"name\":\"处理 %u\",\"owner_id\":\"%s\","
               "\"deadline\":\"2026-%02u-10T00:00:00Z\",\"done_at\":%s,\"note\":null,\"version\":1,"
               "\"updated_at\":\"2026-01-01T00:00:00Z\"}",
               make_id (6, i * 2 + s), make_id (5, i), s + 1, s + 1, make_id (8, 1), 1 + i % 11,
               open && s == 1 ? "null" : "\"2026-01-05T00:00:00Z\""));
    }
  for (guint i = 0; i < 100; i++)
    {
      add (page, "opportunities", g_strdup_printf (
             "{\"id\":\"%s\",\"customer_id\":\"%s\",\"owner_id\":\"%s\",\"name\":\"商机 %u\",\"stage\":\"%s\","
             "\"amount_once\":%u,\"amount_monthly\":%u,\"probability\":%u,\"expected_close\":\"2027-0%u-01\","
             "\"closed_on\":null,\"lost_reason\":null,\"agent_id\":null,\"created_at\":\"2026-01-01T00:00:00Z\","
             "\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
             make_id (7, i), customer, make_id (8, 1), i, stages[i < 10 ? i % 4 : 4 + i % 2],
             100000 * i, 5000 * i, 10 + i % 80, 1 + i % 9));
      for (guint s = 0; s < 2; s++)
        add (page, "opportunity_stages", g_strdup_printf (
               "{\"id\":%u,\"opportunity_id\":\"%s\",\"from_stage\":\"%s\",\"to_stage\":\"%s\","
               "\"changed_at\":\"2026-%02u-01T00:00:00Z\",\"changed_by\":\"%s\"}",
               i * 2 + s + 1, make_id (7, i), stages[s], stages[s + 1], 1 + i % 11, make_id (8, 1)));
      add (page, "campaigns", g_strdup_printf (
             "{\"id\":\"%s\",\"name\":\"关怀活动 %u\",\"kind\":\"care\",\"channels\":[\"sms\"],\"segment_id\":null,"
             "\"owner_id\":null,\"status\":\"finished\",\"starts_on\":\"2026-01-01\",\"ends_on\":\"2026-02-01\","
             "\"budget\":0,\"cost\":0,\"offer\":null,\"created_at\":\"2026-01-01T00:00:00Z\",\"version\":1,"
             "\"updated_at\":\"2026-01-01T00:00:00Z\"}", make_id (10, i), i));
      add (page, "campaign_members", g_strdup_printf (
             "{\"campaign_id\":\"%s\",\"customer_id\":\"%s\",\"is_control\":null,\"assigned_to\":null,"
             "\"channel\":\"sms\",\"contacted_at\":\"2026-01-02T00:00:00Z\",\"response\":\"responded\","
             "\"responded_at\":\"2026-01-03T00:00:00Z\",\"revenue\":0,\"version\":1,"
             "\"updated_at\":\"2026-01-01T00:00:00Z\"}", make_id (10, i), customer));
    }
}

/* ------------------------------------------------------------------ */

typedef struct
{
  GtkWindow        *window;
  CrmCustomersPage *page;
  GtkWidget        *view;
  GtkWidget        *detail;
  CrmCustomerTimeline *timeline;
  gint64            key_at;     /* when Enter reached the window */
  gint64            opened_at;  /* when the list's ::activate handlers were done */
  gint64            layout_at;  /* the start and end of the frame's layout phase */
  gint64            laid_out_at;
  gint64            drawn_at;   /* the after-paint that showed the page */
  gint64            frame_at;   /* the start of the frame that shows the page */
  gint64            key_cpu;    /* the main thread's CPU time then, and at the after-paint */
  gint64            drawn_cpu;
  guint             frames;     /* frames painted from Enter to the page's */
} Bench;

/* CPU time of the calling thread (the main one), in µs: what the page
 * costs without the time other processes take from it on a busy machine. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
before_paint_cb (GdkFrameClock *clock,
                 Bench         *b)
{
  /* the start of the frame that shows the page (the last one before it) */
  if (b->opened_at != 0 && b->drawn_at == 0)
    b->frame_at = g_get_monotonic_time ();
}

static void
activated_cb (GtkColumnView *view,
              guint          position,
              Bench         *b)
{
  b->opened_at = g_get_monotonic_time ();
}

static void
layout_cb (GdkFrameClock *clock,
           Bench         *b)
{
  if (b->opened_at != 0 && b->drawn_at == 0)
    b->layout_at = g_get_monotonic_time ();
}

static void
paint_cb (GdkFrameClock *clock,
          Bench         *b)
{
  if (b->layout_at != 0 && b->drawn_at == 0)
    b->laid_out_at = g_get_monotonic_time ();
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                Bench                 *b)
{
  if (keyval == GDK_KEY_Return && b->key_at == 0)
    {
      b->key_at = g_get_monotonic_time ();
      b->key_cpu = thread_cpu_us ();
    }
  return FALSE;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *b)
{
  if (b->drawn_at == 0 && b->key_at != 0)
    b->frames++;
  /* the page with its timeline's first screenful (read in a worker) */
  if (b->drawn_at == 0 && b->key_at != 0 && gtk_widget_get_mapped (b->detail) &&
      !crm_customer_timeline_is_reading (b->timeline))
    {
      b->drawn_at = g_get_monotonic_time ();
      b->drawn_cpu = thread_cpu_us ();
    }
}

static void
iterate_ms (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (500), TRUE);
}

/* One Enter, timed; FALSE if the key did not arrive (then ::activate). */
static double
run_once (Bench      *b,
          guint       position,
          gboolean    use_key,
          gboolean   *used_key)
{
  GtkSelectionModel *selection = gtk_column_view_get_model (GTK_COLUMN_VIEW (b->view));
  gboolean drawn = FALSE;

  crm_customers_page_show_list (b->page);
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (selection), position);
  gtk_widget_grab_focus (b->view);
  iterate_ms (500);

  b->key_at = b->drawn_at = b->frame_at = b->opened_at = b->layout_at = b->laid_out_at = 0;
  b->frames = 0;
  *used_key = FALSE;
  if (use_key)
    {
      const char *argv[] = { "xdotool", "key", "--clearmodifiers", "Return", NULL };

      if (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL))
        {
          gint64 until = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

          while (b->key_at == 0 && g_get_monotonic_time () < until)
            g_main_context_iteration (NULL, FALSE) || (g_usleep (100), TRUE);
          *used_key = b->key_at != 0;
        }
    }
  if (!*used_key)
    {
      b->key_at = g_get_monotonic_time ();
      b->key_cpu = thread_cpu_us ();
      g_signal_emit_by_name (b->view, "activate", position);
    }
  while (b->drawn_at == 0 && g_get_monotonic_time () < b->key_at + 10 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  drawn = b->drawn_at != 0;
  g_assert_true (drawn);
  g_assert_cmpstr (crm_customers_page_get_state (b->page), ==, "detail");
  printf ("  main thread's CPU %.1f ms; opening (store reads, widgets) %.1f ms, to the frame %.1f ms,"
          " its update %.1f ms, layout %.1f ms, drawing %.1f ms; %u frames\n",
          (b->drawn_cpu - b->key_cpu) / 1000.0, (b->opened_at - b->key_at) / 1000.0, (b->frame_at - b->opened_at) / 1000.0,
          (b->layout_at - b->frame_at) / 1000.0, (b->laid_out_at - b->layout_at) / 1000.0,
          (b->drawn_at - b->laid_out_at) / 1000.0, b->frames);
  return (b->drawn_at - b->key_at) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static gboolean
loaded (CrmCustomersPage *page)
{
  CrmCustomerModel *model = crm_customers_page_get_model (page);

  return g_strcmp0 (crm_customers_page_get_state (page), "list") == 0 && model != NULL &&
         !crm_customer_model_is_busy (model);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-page-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
  g_autofree char *customer = make_id (1, 0);
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  int runs = 3;
  gboolean no_key = FALSE;
  gboolean empty = FALSE;
  gboolean parts = FALSE;
  g_auto(GStrv) hide = NULL;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs (3)", "N" },
    { "no-key", 0, 0, G_OPTION_ARG_NONE, &no_key, "Emit ::activate instead of pressing Enter", NULL },
    { "hide", 0, 0, G_OPTION_ARG_STRING_ARRAY, &hide, "Hide a part of the page (header, sections, overview_box), to see what it costs", "PART" },
    { "parts", 0, 0, G_OPTION_ARG_NONE, &parts, "Also time the Services and Work sections' show alone", NULL },
    { "customers", 0, 0, G_OPTION_ARG_INT, &n_customers, "Customers in the list (2,000)", "N" },
    { "empty", 0, 0, G_OPTION_ARG_NONE, &empty, "Open a customer with nothing under it instead", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("— Enter to the 360° page drawn");
  Bench b = { 0 };
  guint position = 0;
  gboolean any_key = FALSE;
  int status = 0;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  adw_init ();

  store = crm_store_open (path, &error);
  g_assert_no_error (error);
  {
    JsonObject *page = new_page ();
    gint64 t0 = g_get_monotonic_time ();

    add_customers (page);
    add_products (page);
    add_services (page, customer);
    add_timeline (page, customer);
    crm_store_apply_sync_page (store, page, &error);
    g_assert_no_error (error);
    json_object_unref (page);
    printf ("store: %u customers; one with %u subscriptions and 2,000 timeline entries (%.0f ms to fill)\n",
            n_customers, N_SUBSCRIPTIONS, (g_get_monotonic_time () - t0) / 1000.0);
  }

  /* the store's part alone */
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(CrmCustomerSummary) summary = crm_customer_summary_read (store, customer, now, &error);

      g_assert_no_error (error);
      printf ("summary read %d: %.2f ms (%u services, %u open opportunities, %u open requests)\n", i + 1,
              (g_get_monotonic_time () - t0) / 1000.0, summary->n_services, summary->opportunities->len,
              summary->requests->len);
    }

  b.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (b.window, 1280, 1000);
  b.page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());
  gtk_window_set_child (b.window, GTK_WIDGET (b.page));
  b.view = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (b.page), CRM_TYPE_CUSTOMERS_PAGE, "column_view"));
  b.detail = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (b.page), CRM_TYPE_CUSTOMERS_PAGE, "detail"));
  b.timeline = CRM_CUSTOMER_TIMELINE (gtk_widget_get_template_child (b.detail, CRM_TYPE_CUSTOMER_DETAIL,
                                                                     "timeline_section"));
  {
    GtkEventController *keys = gtk_event_controller_key_new ();

    gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
    g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), &b);
    gtk_widget_add_controller (GTK_WIDGET (b.window), keys);
  }
  for (guint i = 0; hide != NULL && hide[i] != NULL; i++)
    gtk_widget_set_visible (GTK_WIDGET (gtk_widget_get_template_child (b.detail, CRM_TYPE_CUSTOMER_DETAIL, hide[i])),
                            FALSE);
  gtk_window_present (b.window);
  crm_customers_page_set_store (b.page, store);
  {
    gint64 until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    while (!loaded (b.page) && g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE) || (g_usleep (500), TRUE);
    g_assert_true (loaded (b.page));
  }
  if (empty)
    {
      g_free (customer);
      customer = make_id (1, 1);
    }
  g_assert_true (crm_customer_model_find (crm_customers_page_get_model (b.page), customer, &position));
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), "after-paint",
                    G_CALLBACK (after_paint_cb), &b);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), "layout", G_CALLBACK (layout_cb), &b);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), "before-paint",
                    G_CALLBACK (before_paint_cb), &b);
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), "paint", G_CALLBACK (paint_cb), &b);
  g_signal_connect_after (b.view, "activate", G_CALLBACK (activated_cb), &b);

  for (int i = 0; i < runs + 1; i++)
    {
      gboolean used_key = FALSE;
      double ms = run_once (&b, position, !no_key, &used_key);

      any_key |= used_key;
      printf ("%s %d: %.1f ms (%s)\n", i == 0 ? "first open (not counted)" : "run", i, ms,
              used_key ? "Enter through X" : "::activate");
      if (i > 0)
        g_array_append_val (times, ms);
    }
  if (times->len > 0)
    {
      double median;

      g_array_sort (times, compare_doubles);
      median = times->len % 2 ? g_array_index (times, double, times->len / 2)
                              : (g_array_index (times, double, times->len / 2 - 1) +
                                 g_array_index (times, double, times->len / 2)) / 2;
      printf ("Enter to the 360° page drawn: median %.1f ms, spread %.1f ms (min %.1f, max %.1f), %u runs%s\n",
              median, g_array_index (times, double, times->len - 1) - g_array_index (times, double, 0),
              g_array_index (times, double, 0), g_array_index (times, double, times->len - 1), times->len,
              any_key ? "" : " (::activate, no key)");
      status = median < 100 ? 0 : 1;
    }

  if (parts)
    {
      GObject *work = gtk_widget_get_template_child (b.detail, CRM_TYPE_CUSTOMER_DETAIL, "work_section");
      GObject *services = gtk_widget_get_template_child (b.detail, CRM_TYPE_CUSTOMER_DETAIL, "services_section");

      for (int i = 0; i < 3; i++)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_local ();
          gint64 t0 = thread_cpu_us (), t1, t2, t3;
          g_autoptr(CrmCustomerSummary) summary = crm_customer_summary_read (store, customer, now, NULL);

          t1 = thread_cpu_us ();
          crm_customer_work_show (CRM_CUSTOMER_WORK (work), summary);
          t2 = thread_cpu_us ();
          crm_customer_services_show (CRM_CUSTOMER_SERVICES (services), summary);
          t3 = thread_cpu_us ();
          printf ("summary read %.1f ms, work show %.1f ms, services show %.1f ms\n",
                  (t1 - t0) / 1000.0, (t2 - t1) / 1000.0, (t3 - t2) / 1000.0);
        }
    }
  gtk_window_destroy (b.window);
  iterate_ms (50);
  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

        g_unlink (file);
      }
    g_rmdir (dir);
  }
  return status;
}
