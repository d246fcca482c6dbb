#define G_LOG_DOMAIN "bench-board"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <time.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-pipeline-board.h"
#include "crm-pipeline-model.h"
#include "crm-store.h"

/*
 * bench-board: the pipeline's Board over a local store with 5,000 open
 * opportunities (of 1,000 customers, spread over the four open stages):
 * the time to first draw and the time to move a card.
 *
 *   xvfb-run -a -s '-screen 0 1600x1000x24' dbus-run-session -- \
 *     _build/bench/board/bench-board [--runs N] [--opportunities N]
 *
 * (GSETTINGS_SCHEMA_DIR=_build/client GSETTINGS_BACKEND=memory GDK_BACKEND=x11
 * GSK_RENDERER=cairo, as the GUI tests run.)
 *
 * First draw: from making the model over the store (the read starts, in
 * a worker) and giving it to a Board already on screen, to the frame
 * clock's after-paint of the first frame that shows the columns with
 * their cards.  Move: from crm_pipeline_board_request_move () (what a
 * drop and the keyboard call) to the after-paint of the first frame drawn
 * after it (the card in its new column, both headers summed again); and,
 * separately, to the store having queued the write (the mutation path,
 * in a worker; its ::changed).  Each figure also as the main thread's CPU
 * time, which a busy machine does not inflate.  Each run makes a new window, Board and model; prints
 * each run and the medians.
 */

static guint n_opportunities = 5000;
#define N_PER_CUSTOMER 5

static const char * const open_stages[] = { "prospecting", "qualification", "proposal", "negotiation" };
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
fill (JsonObject *page)
{
  static const int probabilities[] = { 10, 25, 50, 75, 100, 0 };
  guint n_customers = (n_opportunities + N_PER_CUSTOMER - 1) / N_PER_CUSTOMER;

  for (guint s = 0; s < G_N_ELEMENTS (probabilities); s++)
    add (page, "pipeline_stages", g_strdup_printf (
           "{\"stage\":\"%s\",\"position\":%u,\"default_probability\":%d,\"is_open\":%s,\"version\":1,"
           "\"updated_at\":\"2026-01-01T00:00:00Z\"}", s < 4 ? open_stages[s] : s == 4 ? "won" : "lost", s + 1,
           probabilities[s], s < 4 ? "true" : "false"));
  for (guint i = 0; i < n_customers; i++)
    {
      g_autofree char *id = make_id (1, i);

      add (page, "customers", g_strdup_printf (
             "{\"id\":\"%s\",\"name\":\"华信科技%04u有限公司\",\"name_en\":null,\"kind\":\"large_enterprise\","
             "\"industry\":\"finance\",\"region_id\":\"%s\",\"region_name\":\"广州市\",\"tier\":\"key\","
             "\"owner_id\":\"%s\",\"owner_name\":\"林晓峰\",\"status\":\"active\",\"monthly_revenue\":%u,"
             "\"arrears\":0,\"churn_risk\":%u,\"version\":1,\"updated_at\":\"2026-11-23T14:28:45Z\","
             "\"credit_rating\":\"AA\",\"registration_no\":\"91440101MA5%05u\",\"address\":\"广州****\","
             "\"phone\":\"020****%04u\",\"value_segment\":\"high\",\"prefers\":[],"
             "\"churn_reasons\":[],\"churned_on\":null,\"churn_reason\":null,"
             "\"became_customer\":\"2019-03-01\",\"created_at\":\"2019-03-01T00:00:00Z\"}",
             id, i, make_id (9, 1), make_id (8, 1), 10000000 + i * 1000, i % 60, i, i % 10000));
    }
  for (guint i = 0; i < n_opportunities; i++)
    {
      g_autofree char *probability = i % 3 ? g_strdup ("null") : g_strdup_printf ("%u", 5 + i % 90);

      add (page, "opportunities", g_strdup_printf (
             "{\"id\":\"%s\",\"customer_id\":\"%s\",\"owner_id\":\"%s\",\"name\":\"专线扩容 %u\",\"stage\":\"%s\","
             "\"amount_once\":%u,\"amount_monthly\":%u,\"probability\":%s,\"expected_close\":\"202%u-%02u-%02u\","
             "\"closed_on\":null,\"lost_reason\":null,\"agent_id\":null,\"product_lines\":[\"%s\"],"
             "\"contract_months\":%u,\"source\":\"direct\",\"campaign_id\":null,\"next_step\":null,"
             "\"stage_changed_at\":\"2026-%02u-%02uT09:00:00Z\",\"created_at\":\"2026-01-01T00:00:00Z\","
             "\"version\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
             make_id (5, i), make_id (1, i / N_PER_CUSTOMER), make_id (8, 1 + i % 7), i,
             open_stages[i % G_N_ELEMENTS (open_stages)], 100000 + 1000 * (i % 500), 10000 + 100 * (i % 97),
             probability, 6 + i % 2, 1 + i % 12, 1 + i % 28, categories[i % G_N_ELEMENTS (categories)],
             12 + 12 * (i % 3), 1 + i % 11, 1 + i % 28));
    }
}

typedef struct
{
  GtkWindow        *window;
  CrmPipelineBoard *board;
  gint64            started_at;   /* what is being timed began */
  gint64            started_cpu;  /* the main thread's CPU time then */
  gint64            read_at;      /* the model's first read done (first draw) */
  gint64            drawn_at;     /* the after-paint that showed it */
  gint64            drawn_cpu;
  gboolean          want_board;   /* first draw: only a frame with the columns counts */
} Bench;

/* The main thread's CPU time: what the board costs it, without what
 * other processes take on a busy machine. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
loading_cb (CrmPipelineModel *model,
            GParamSpec       *pspec,
            Bench            *b)
{
  if (!crm_pipeline_model_get_loading (model) && b->read_at == 0)
    b->read_at = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                Bench         *b)
{
  if (b->started_at == 0 || b->drawn_at != 0)
    return;
  if (b->want_board && g_strcmp0 (crm_pipeline_board_get_state (b->board), "board") != 0)
    return;
  b->drawn_at = g_get_monotonic_time ();
  b->drawn_cpu = thread_cpu_us ();
}

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data)
{
  gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (200), TRUE);
  g_assert_true (done (data));
}

static gboolean
drawn (gpointer data)
{
  return ((Bench *) data)->drawn_at != 0;
}

static gboolean
mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* The store has written the move to its queue: it says so with
 * ::changed::opportunity, once the write has committed. */
static void
store_changed_cb (CrmStore           *store,
                  const char         *entity,
                  const char * const *keys,
                  gint64             *queued_at)
{
  if (*queued_at == 0)
    *queued_at = g_get_monotonic_time ();
}

static gboolean
queued (gpointer data)
{
  return *(gint64 *) data != 0;
}

static int
double_compare (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median_of (GArray *times)
{
  g_array_sort (times, double_compare);
  return times->len % 2 ? g_array_index (times, double, times->len / 2)
                        : (g_array_index (times, double, times->len / 2 - 1) +
                           g_array_index (times, double, times->len / 2)) / 2;
}

static void
one_run (CrmStore *store,
         int       run,
         GArray   *first_draw,
         GArray   *first_cpu,
         GArray   *move_shown,
         GArray   *move_cpu,
         GArray   *move_queued)
{
  g_autoptr(CrmPipelineModel) model = NULL;
  Bench b = { 0 };
  gint64 queued_at = 0;
  gulong changed_handler;
  g_autoptr(CrmOpportunityItem) card = NULL;
  double t_first, t_shown, t_queued, c_first, c_move, t_read;
  gint64 move_at;
  gulong handler;

  b.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (b.window, 1560, 960);
  b.board = CRM_PIPELINE_BOARD (crm_pipeline_board_new ());
  gtk_window_set_child (b.window, GTK_WIDGET (b.board));
  gtk_window_present (b.window);
  iterate_until (mapped, b.board);
  handler = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), "after-paint",
                              G_CALLBACK (after_paint_cb), &b);

  /* first draw */
  b.want_board = TRUE;
  b.started_at = g_get_monotonic_time ();
  b.started_cpu = thread_cpu_us ();
  model = crm_pipeline_model_new (store);
  g_signal_connect (model, "notify::loading", G_CALLBACK (loading_cb), &b);
  crm_pipeline_board_set_model (b.board, model);
  iterate_until (drawn, &b);
  t_first = (b.drawn_at - b.started_at) / 1000.0;
  c_first = (b.drawn_cpu - b.started_cpu) / 1000.0;
  t_read = (b.read_at - b.started_at) / 1000.0;

  /* a move: the first card of the first column to the second */
  card = g_list_model_get_item (crm_pipeline_model_get_stage_items (model, CRM_STAGE_PROSPECTING), 0);
  g_assert_nonnull (card);
  changed_handler = g_signal_connect (store, "changed::opportunity", G_CALLBACK (store_changed_cb), &queued_at);
  b.want_board = FALSE;
  b.drawn_at = 0;
  b.started_at = move_at = g_get_monotonic_time ();
  b.started_cpu = thread_cpu_us ();
  g_assert_true (crm_pipeline_board_request_move (b.board, crm_opportunity_item_get_id (card),
                                                  CRM_STAGE_QUALIFICATION));
  iterate_until (drawn, &b);
  t_shown = (b.drawn_at - move_at) / 1000.0;
  c_move = (b.drawn_cpu - b.started_cpu) / 1000.0;
  iterate_until (queued, &queued_at);
  t_queued = (queued_at - move_at) / 1000.0;
  g_signal_handler_disconnect (store, changed_handler);

  printf ("run %d: first draw %.1f ms (main thread CPU %.1f ms; the worker's read done at %.1f ms; %u cards); "
          "move shown %.1f ms (CPU %.1f ms), queued %.1f ms\n", run, t_first, c_first, t_read,
          g_list_model_get_n_items (crm_pipeline_model_get_items (model)), t_shown, c_move, t_queued);
  g_array_append_val (first_draw, t_first);
  g_array_append_val (first_cpu, c_first);
  g_array_append_val (move_shown, t_shown);
  g_array_append_val (move_cpu, c_move);
  g_array_append_val (move_queued, t_queued);

  g_signal_handler_disconnect (gtk_widget_get_frame_clock (GTK_WIDGET (b.window)), handler);
  gtk_window_destroy (b.window);
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-board-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GArray) first_draw = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) move_shown = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) move_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) move_queued = g_array_new (FALSE, FALSE, sizeof (double));
  int runs = 3;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs (3)", "N" },
    { "opportunities", 0, 0, G_OPTION_ARG_INT, &n_opportunities, "Open opportunities (5,000)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) options = g_option_context_new ("— the pipeline board's first draw and a move");

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

    fill (page);
    crm_store_apply_sync_page (store, page, &error);
    g_assert_no_error (error);
    json_object_unref (page);
    printf ("store: %u open opportunities of %u customers (%.0f ms to fill)\n", n_opportunities,
            (n_opportunities + N_PER_CUSTOMER - 1) / N_PER_CUSTOMER, (g_get_monotonic_time () - t0) / 1000.0);
  }

  for (int i = 1; i <= runs; i++)
    one_run (store, i, first_draw, first_cpu, move_shown, move_cpu, move_queued);

  printf ("median of %d runs: first draw %.1f ms (main thread CPU %.1f ms); move shown %.1f ms (CPU %.1f ms); "
          "move queued %.1f ms\n", runs, median_of (first_draw), median_of (first_cpu), median_of (move_shown),
          median_of (move_cpu), median_of (move_queued));

  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_unlink (file);
      }
  }
  g_rmdir (dir);
  return 0;
}
