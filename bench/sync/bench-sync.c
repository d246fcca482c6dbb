#define G_LOG_DOMAIN "bench-sync"

#include "config.h"

#include <string.h>

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <adwaita.h>

#include "crm-api.h"
#include "crm-customers-page.h"
#include "crm-entity.h"
#include "crm-store.h"
#include "crm-sync-engine.h"

/*
 * bench-sync: the desktop client's first sync and its no-change sync, with
 * the real CrmSyncEngine and CrmStore against a real keyline-server.
 *
 *   _build/bench/sync/bench-sync CONNINFO [--customers N] [--login L]
 *                                [--page N] [--rounds N] [--window]
 *
 * CONNINFO names a database (its owner role).  When it holds no customers
 * it is seeded first with `keyline-server seed --customers N` (default
 * 100,000; --seed 1).  The server runs as a subprocess (KEYLINE_SERVER, or
 * the build tree's), so the peak RSS printed (getrusage) is the client's
 * alone: the engine, the store and libsoup/json-glib.  It signs in as
 * --login (default admin, who sees every customer), syncs into a store in
 * a temporary directory with pages of --page records (default the
 * engine's, 1,000), then times --rounds (default 10; 0 for none) syncs in
 * which nothing changed and prints the median.  For the first sync it
 * prints the wall time, the records per second, the total the server
 * announced (and whether it was an estimate), the records the store holds
 * per entity and when the last of each was in (the first sync sends one
 * entity after another, so "customers and contacts in" is when the
 * customer list and its contacts were complete), and the main loop's
 * longest stall: the longest gap between two dispatches of a 1 ms timeout
 * on the engine's main context (with or without --window), and that gap
 * less the time the main thread waited for a CPU.  Its last line, "result: ...", holds the figures for
 * scripts that compare runs.
 *
 * With --window (needs a display: run it under `xvfb-run -a
 * dbus-run-session`), the customer list (CrmCustomersPage, as the window
 * shows it) is open on the store during the first sync, and the longest
 * main-loop stall is printed: the longest gap between two dispatches of a
 * 1 ms timeout, and between two frame-clock ticks of the window.  A user
 * sees a stall over 16 ms as a dropped frame.
 */

#define PASSWORD "keyline"

/* keyline-server, stopped by give_up () too: a bench that fails leaves no
 * server behind (nor the statement it was running). */
static GSubprocess *server_process;

static G_GNUC_NORETURN void
give_up (const char *message)
{
  g_printerr ("bench-sync: %s\n", message);
  if (server_process != NULL)
    {
      g_subprocess_send_signal (server_process, SIGTERM);
      g_subprocess_wait (server_process, NULL, NULL);
    }
  exit (1);
}

static gboolean
timed_out_cb (gpointer data)
{
  g_autofree char *message = g_strdup_printf ("%s took too long", (const char *) data);

  give_up (message);
  return G_SOURCE_REMOVE;
}

/* Iterates the default main context until *@done, at most @seconds. */
static void
wait_until (gboolean   *done,
            guint       seconds,
            const char *what)
{
  guint timeout = g_timeout_add_seconds (seconds, timed_out_cb, (gpointer) what);

  while (!*done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGconn, PQfinish)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* The number of customers in the database, -1 when it has no schema. */
static gint64
count_customers (const char  *conninfo,
                 GError     **error)
{
  g_autoptr(PGconn) conn = PQconnectdb (conninfo);
  g_autoptr(PGresult) schema = NULL;
  g_autoptr(PGresult) as_admin = NULL;
  g_autoptr(PGresult) count = NULL;

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (conn));
      return -2;
    }
  schema = PQexec (conn, "SELECT to_regclass('crm.customers') IS NOT NULL");
  if (PQresultStatus (schema) != PGRES_TUPLES_OK)
    goto failed;
  if (g_str_equal (PQgetvalue (schema, 0, 0), "f"))
    return -1;
  /* row-level security is forced even for the owner: read as the admin */
  as_admin = PQexec (conn, "SELECT set_config('keyline.role', 'admin', false),"
                           " set_config('keyline.user_id', (SELECT id::text FROM crm.users WHERE login = 'admin'),"
                           " false)");
  if (PQresultStatus (as_admin) != PGRES_TUPLES_OK)
    goto failed;
  count = PQexec (conn, "SELECT count(*) FROM crm.customers");
  if (PQresultStatus (count) != PGRES_TUPLES_OK)
    goto failed;
  return g_ascii_strtoll (PQgetvalue (count, 0, 0), NULL, 10);

failed:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (conn));
  return -2;
}

static gboolean
seed (const char  *server,
      const char  *conninfo,
      guint        customers,
      GError     **error)
{
  g_autofree char *n = g_strdup_printf ("%u", customers);
  const char *argv[] = { server, "--database", conninfo, "seed", "--customers", n, "--seed", "1", NULL };
  g_autoptr(GSubprocess) process = NULL;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, error);
  return process != NULL && g_subprocess_wait_check (process, NULL, error);
}

/* A port nothing listens on now. */
static guint16
free_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, any, TRUE, &error) ||
      (bound = g_socket_get_local_address (socket, &error)) == NULL)
    g_error ("Cannot find a free port: %s", error->message);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

typedef struct
{
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

/* Waits for GET /health to answer, at most 30 s. */
static void
wait_for_server (CrmApi      *api,
                 GSubprocess *process)
{
  gint64 end = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) health = NULL;
      Wait wait = { FALSE, NULL };

      crm_api_get_json_async (api, "/health", NULL, NULL, done_cb, &wait);
      wait_until (&wait.done, 60, "GET /health");
      health = crm_api_get_json_finish (api, wait.result, &error);
      g_object_unref (wait.result);
      if (health != NULL)
        return;
      if (g_subprocess_get_identifier (process) == NULL || g_get_monotonic_time () > end)
        g_error ("keyline-server did not start: %s", error->message);
      g_usleep (100 * 1000);
    }
}

static void
synced_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;
  g_autoptr(GError) error = NULL;

  if (!crm_sync_engine_sync_finish (CRM_SYNC_ENGINE (object), result, &error))
    {
      g_autofree char *message = g_strdup_printf ("the sync failed: %s", error->message);

      give_up (message);
    }
  wait->done = TRUE;
}

/* The main loop's longest stalls (and with --window, the list's frames). */
typedef struct
{
  gint64 last_timeout;
  gint64 last_tick;
  gint64 max_timeout_gap;
  gint64 max_tick_gap;
  guint  timeout_gaps_over_16ms;
  guint  ticks;
  gint64 start;
  gint64 frame_start;      /* the frame clock's "before-paint" of the frame being drawn */
  gint64 frame_time;       /* before-paint to after-paint, this stall so far */
  gint64 max_frame;
  gint64 phase_end[3];     /* when GTK's update, layout and paint of this frame ended */
  gint64 max_phases[3];    /* update, layout and paint of the longest frame */
  gint64 last_wait;        /* ns this thread had waited for a CPU, at the last dispatch */
  gint64 max_own_gap;      /* the longest gap less the time spent waiting for a CPU */
  CrmSyncEngine *engine;
  GString *log;        /* each gap over 16 ms: when, after how many records */
} Stalls;

/* The nanoseconds the calling thread has spent runnable but waiting for
 * a CPU (the second field of schedstat), or -1 where the kernel does not
 * say.  The bench shares two cores with keyline-server and PostgreSQL, so
 * part of a gap can be the scheduler running them instead of the UI. */
static gint64
thread_cpu_wait_ns (void)
{
  g_autofree char *text = NULL;
  unsigned long long run_ns, wait_ns;

  if (!g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL) ||
      sscanf (text, "%llu %llu", &run_ns, &wait_ns) != 2)
    return -1;
  return (gint64) wait_ns;
}

static gboolean
stall_timeout_cb (gpointer user_data)
{
  Stalls *stalls = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 wait = thread_cpu_wait_ns ();

  if (stalls->last_timeout != 0)
    {
      gint64 gap = now - stalls->last_timeout;
      gint64 waited = (wait >= 0 && stalls->last_wait >= 0) ? (wait - stalls->last_wait) / 1000 : 0;

      stalls->max_timeout_gap = MAX (stalls->max_timeout_gap, gap);
      stalls->max_own_gap = MAX (stalls->max_own_gap, gap - waited);
      if (gap > 16 * 1000)
        {
          stalls->timeout_gaps_over_16ms++;
          if (stalls->log != NULL)
            g_string_append_printf (stalls->log, "  stall %6.1f ms at %6.2f s, %" G_GUINT64_FORMAT " records in;"
                                    " %5.1f ms of it drawing frames, %5.1f ms waiting for a CPU\n",
                                    gap / 1000.0, (now - gap - stalls->start) / (double) G_USEC_PER_SEC,
                                    crm_sync_engine_get_received (stalls->engine), stalls->frame_time / 1000.0,
                                    waited / 1000.0);
        }
    }
  stalls->last_timeout = now;
  stalls->last_wait = wait;
  stalls->frame_time = 0;
  return G_SOURCE_CONTINUE;
}

/* The list page's state (progress, list…) as it changes: a page shown
 * for the first time is a frame of its own. */
static void
page_state_cb (GObject    *page,
               GParamSpec *pspec,
               Stalls     *stalls)
{
  if (stalls->log != NULL && stalls->start != 0)
    g_string_append_printf (stalls->log, "  page shows \"%s\" at %6.2f s\n",
                            crm_customers_page_get_state (CRM_CUSTOMERS_PAGE (page)),
                            (g_get_monotonic_time () - stalls->start) / (double) G_USEC_PER_SEC);
}

static gboolean
stall_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  Stalls *stalls = user_data;
  gint64 now = g_get_monotonic_time ();

  if (stalls->last_tick != 0)
    stalls->max_tick_gap = MAX (stalls->max_tick_gap, now - stalls->last_tick);
  stalls->last_tick = now;
  stalls->ticks++;
  return G_SOURCE_CONTINUE;
}

/* How long GTK takes to lay out and draw each frame (the renderer's
 * share of a stall), and in which phase: update (tick callbacks,
 * animations), layout (styles, measuring and allocating widgets), paint
 * (the snapshot and the renderer).  The phase handlers are connected
 * after GTK's own (the window's surface connects when it is realized),
 * so each marks the end of GTK's work in that phase. */
static void
frame_layout_cb (GdkFrameClock *clock,
                 Stalls        *stalls)
{
  stalls->frame_start = g_get_monotonic_time ();
  memset (stalls->phase_end, 0, sizeof stalls->phase_end);
}

static void
phase_ended (Stalls *stalls,
             guint   phase)
{
  stalls->phase_end[phase] = g_get_monotonic_time ();
}

static void
update_ended_cb (GdkFrameClock *clock,
                 Stalls        *stalls)
{
  phase_ended (stalls, 0);
}

static void
layout_ended_cb (GdkFrameClock *clock,
                 Stalls        *stalls)
{
  phase_ended (stalls, 1);
}

static void
paint_ended_cb (GdkFrameClock *clock,
                Stalls        *stalls)
{
  phase_ended (stalls, 2);
}

/* The phases of the frame ending now: each from the end of the one
 * before (a phase the frame skipped takes 0). */
static void
frame_phases (Stalls *stalls,
              gint64  now,
              gint64  phases[3])
{
  gint64 from = stalls->frame_start;

  for (guint i = 0; i < 3; i++)
    {
      gint64 end = stalls->phase_end[i] != 0 ? stalls->phase_end[i] : from;

      phases[i] = end - from;
      from = end;
    }
  /* after-paint's own handlers (GTK's) count with the paint */
  phases[2] += now - from;
}

static void
frame_painted_cb (GdkFrameClock *clock,
                  Stalls        *stalls)
{
  gint64 took;

  if (stalls->frame_start == 0)
    return;
  {
    gint64 now = g_get_monotonic_time ();
    gint64 phases[3];

    took = now - stalls->frame_start;
    frame_phases (stalls, now, phases);
    if (took > stalls->max_frame)
      memcpy (stalls->max_phases, phases, sizeof phases);
    if (took > 16 * 1000 && stalls->log != NULL)
      g_string_append_printf (stalls->log, "  frame %6.1f ms at %6.2f s: update %5.1f, layout %5.1f, paint %5.1f ms\n",
                              took / 1000.0, (stalls->frame_start - stalls->start) / (double) G_USEC_PER_SEC,
                              phases[0] / 1000.0, phases[1] / 1000.0, phases[2] / 1000.0);
  }
  stalls->frame_time += took;
  stalls->max_frame = MAX (stalls->max_frame, took);
  stalls->frame_start = 0;
}

/* A window with the customer list on @store, shown and drawn once. */
static GtkWidget *
open_list_window (CrmStore      *store,
                  CrmSyncEngine *engine)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = crm_customers_page_new ();
  gboolean drawn = FALSE;
  gint64 end;

  gtk_window_set_default_size (GTK_WINDOW (window), 1240, 720);
  crm_customers_page_set_store (CRM_CUSTOMERS_PAGE (page), store);
  crm_customers_page_set_sync_engine (CRM_CUSTOMERS_PAGE (page), engine);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (!drawn && g_get_monotonic_time () < end)
    drawn = !g_main_context_iteration (NULL, FALSE) && gtk_widget_get_mapped (window);
  return window;
}

/* When each entity's last change of the first sync reached the store, in
 * seconds from its start: the first sync sends one entity after another
 * (customers, then contacts, ...), so this is when each was in. */
static gint64 sync_start;
static double entity_in[CRM_N_ENTITIES];

static void
store_changed_cb (CrmStore   *store,
                  const char *entity,
                  GStrv       keys,
                  gpointer    user_data)
{
  const CrmEntityInfo *info = crm_entity_info_lookup (entity);

  if (info != NULL && sync_start != 0)
    entity_in[info->entity] = (g_get_monotonic_time () - sync_start) / (double) G_USEC_PER_SEC;
}

/* One sync; its wall time in seconds. */
static double
timed_sync (CrmSyncEngine *engine)
{
  Wait wait = { FALSE, NULL };
  gint64 start = g_get_monotonic_time ();

  crm_sync_engine_sync_async (engine, NULL, synced_cb, &wait);
  wait_until (&wait.done, 3600, "a sync");
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* CPU seconds (user + system) of this process: the client's threads. */
static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / (double) G_USEC_PER_SEC;
}

static long
peak_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The records of each entity in the store's file, "entity count" lines. */
static GString *
count_local_records (const char *path,
                     guint64    *sum)
{
  GString *lines = g_string_new (NULL);
  sqlite3 *db = NULL;

  *sum = 0;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("Cannot open %s: %s", path, sqlite3_errmsg (db));
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    {
      const CrmEntityInfo *info = crm_entity_info ((CrmEntity) e);
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM \"%s\"", info->local_table);
      sqlite3_stmt *s = NULL;
      gint64 n;

      if (sqlite3_prepare_v2 (db, sql, -1, &s, NULL) != SQLITE_OK || sqlite3_step (s) != SQLITE_ROW)
        g_error ("Cannot count %s: %s", info->local_table, sqlite3_errmsg (db));
      n = sqlite3_column_int64 (s, 0);
      sqlite3_finalize (s);
      *sum += (guint64) n;
      g_string_append_printf (lines, "| %-35s | %14" G_GINT64_FORMAT " | %12.2f |\n", info->plural, n, entity_in[e]);
    }
  sqlite3_close (db);
  return lines;
}

static void
remove_store (const char *dir)
{
  const char *names[] = { "store.sqlite", "store.sqlite-wal", "store.sqlite-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(CrmApi) api = NULL;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(CrmSyncEngine) engine = NULL;
  g_autoptr(GArray) rounds = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *login = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *token = NULL;
  const char *server = g_getenv ("KEYLINE_SERVER");
  const char *conninfo;
  int customers = 100000;
  int page = CRM_SYNC_ENGINE_PAGE_SIZE;
  int n_rounds = 10;
  gboolean with_window = FALSE;
  GtkWidget *window = NULL;
  Stalls stalls = { 0 };
  guint stall_source = 0;
  gint64 during_sync = 0;
  gint64 own_during_sync = 0;
  guint gaps_during_sync = 0;
  g_autoptr(GString) per_entity = NULL;
  guint64 held = 0;
  gint64 in_database;
  long rss_before;
  long rss_after;
  double first;
  double cpu;
  guint64 records;
  guint64 total;
  double customers_contacts;
  GStatBuf st = { 0 };
  GStatBuf wal = { 0 };
  GOptionEntry entries[] = {
    { "customers", 0, 0, G_OPTION_ARG_INT, &customers, "Customers to seed an empty database with (100000)", "N" },
    { "login", 0, 0, G_OPTION_ARG_STRING, &login, "Who syncs (admin: every customer)", "LOGIN" },
    { "page", 0, 0, G_OPTION_ARG_INT, &page, "Records per sync page (1000)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &n_rounds, "No-change syncs to time (10; 0: none)", "N" },
    { "window", 0, 0, G_OPTION_ARG_NONE, &with_window, "Keep the customer list open and measure main-loop stalls", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("CONNINFO - time the client's first and no-change sync");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 ||
      customers < 1 || page < 1 || n_rounds < 0)
    {
      g_printerr ("%s\n", error ? error->message : g_option_context_get_help (context, TRUE, NULL));
      return 2;
    }
  conninfo = argv[1];
  if (with_window)
    {
      gtk_init ();
      adw_init ();
    }
  if (login == NULL)
    login = g_strdup ("admin");
  if (server == NULL)
    server = KEYLINE_SERVER_DEFAULT;

  /* The database */
  in_database = count_customers (conninfo, &error);
  if (in_database < -1)
    g_error ("Cannot read the database: %s", error->message);
  if (in_database <= 0)
    {
      gint64 start = g_get_monotonic_time ();

      printf ("seeding %d customers (keyline-server seed --customers %d --seed 1) ...\n", customers, customers);
      fflush (stdout);
      if (!seed (server, conninfo, (guint) customers, &error))
        g_error ("Seeding failed: %s", error->message);
      printf ("seeded in %.0f s\n", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
      fflush (stdout);
      in_database = count_customers (conninfo, &error);
      if (in_database < 0)
        g_error ("Cannot read the database: %s", error ? error->message : "no schema after seeding");
    }

  /* The server, in its own process */
  listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
  {
    const char *server_argv[] = { server, "--database", conninfo, "--listen", listen, "--threads", "2", NULL };

    process = g_subprocess_newv (server_argv, G_SUBPROCESS_FLAGS_NONE, &error);
    if (process == NULL)
      g_error ("Cannot start %s: %s", server, error->message);
    server_process = process;
  }
  url = g_strconcat ("http://", listen, NULL);
  api = crm_api_new (url, &error);
  g_assert_no_error (error);
  wait_for_server (api, process);
  {
    Wait wait = { FALSE, NULL };

    crm_api_sign_in_async (api, login, PASSWORD, NULL, done_cb, &wait);
    wait_until (&wait.done, 60, "signing in");
    token = crm_api_sign_in_finish (api, wait.result, NULL, NULL, &error);
    g_object_unref (wait.result);
    if (token == NULL)
      {
        g_autofree char *message = g_strdup_printf ("cannot sign in as %s: %s", login, error->message);

        give_up (message);
      }
  }

  /* The client */
  dir = g_dir_make_tmp ("bench-sync-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "store.sqlite", NULL);
  store = crm_store_open (path, &error);
  g_assert_no_error (error);
  engine = crm_sync_engine_new (api, store);
  crm_sync_engine_set_page_size (engine, (guint) page);

  if (with_window)
    {
      window = open_list_window (store, engine);
      gtk_widget_add_tick_callback (window, stall_tick_cb, &stalls, NULL);
      g_signal_connect (gtk_window_get_child (GTK_WINDOW (window)), "notify::state", G_CALLBACK (page_state_cb), &stalls);
      g_signal_connect (gtk_widget_get_frame_clock (window), "before-paint", G_CALLBACK (frame_layout_cb), &stalls);
      g_signal_connect (gtk_widget_get_frame_clock (window), "update", G_CALLBACK (update_ended_cb), &stalls);
      g_signal_connect (gtk_widget_get_frame_clock (window), "layout", G_CALLBACK (layout_ended_cb), &stalls);
      g_signal_connect (gtk_widget_get_frame_clock (window), "paint", G_CALLBACK (paint_ended_cb), &stalls);
      g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (frame_painted_cb), &stalls);
    }
  /* the main loop's stalls, with or without the window */
  stalls.engine = engine;
  stalls.start = g_get_monotonic_time ();
  if (g_getenv ("BENCH_SYNC_STALLS") != NULL && stalls.log == NULL)
    stalls.log = g_string_new (NULL);
  stall_source = g_timeout_add (1, stall_timeout_cb, &stalls);

  g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), NULL);
  rss_before = peak_rss_kib ();
  cpu = cpu_seconds ();
  sync_start = g_get_monotonic_time ();
  first = timed_sync (engine);
  sync_start = 0;
  cpu = cpu_seconds () - cpu;
  during_sync = stalls.max_timeout_gap;
  own_during_sync = stalls.max_own_gap;
  gaps_during_sync = stalls.timeout_gaps_over_16ms;
  if (with_window)
    {
      /* and the second after it, when the list is first drawn */
      gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (stall_source);
  rss_after = peak_rss_kib ();
  records = crm_sync_engine_get_received (engine);
  total = crm_sync_engine_get_total (engine);
  customers_contacts = MAX (entity_in[CRM_ENTITY_CUSTOMER], entity_in[CRM_ENTITY_CONTACT]);
  if (!crm_sync_engine_get_total_estimated (engine) && total != records)
    g_warning ("The first sync announced %" G_GUINT64_FORMAT " records and received %" G_GUINT64_FORMAT,
               total, records);
  per_entity = count_local_records (path, &held);
  g_stat (path, &st);
  {
    g_autofree char *wal_path = g_strconcat (path, "-wal", NULL);

    g_stat (wal_path, &wal);
  }

  for (int i = 0; i < n_rounds; i++)
    {
      double seconds = timed_sync (engine);

      if (crm_sync_engine_get_received (engine) != 0)
        g_warning ("A no-change sync received %" G_GUINT64_FORMAT " records", crm_sync_engine_get_received (engine));
      g_array_append_val (rounds, seconds);
    }
  g_array_sort (rounds, compare_doubles);

  printf ("\nbench-sync: %" G_GINT64_FORMAT " customers in the database; login %s; pages of %d records;\n"
          "keyline-server (2 threads) in its own process, so the RSS is the client's alone\n\n",
          in_database, login, page);
  printf ("| measure                             | value          |\n");
  printf ("|-------------------------------------|----------------|\n");
  printf ("| first sync: records (all entities)  | %14" G_GUINT64_FORMAT " |\n", records);
  printf ("| first sync: seconds                 | %14.2f |\n", first);
  printf ("| first sync: records/s               | %14.0f |\n", records / first);
  printf ("| first sync: total announced%s | %14" G_GUINT64_FORMAT " |\n",
          crm_sync_engine_get_total_estimated (engine) ? " (estimate)" : " (exact)   ", total);
  printf ("| customers and contacts in (s)       | %14.2f |\n", customers_contacts);
  printf ("| first sync: longest main-loop stall (ms) | %11.1f |\n", during_sync / 1000.0);
  printf ("| the same, less waiting for a CPU (ms) | %13.1f |\n", own_during_sync / 1000.0);
  printf ("| first sync: 1 ms timeout gaps > 16 ms | %13u |\n", gaps_during_sync);
  printf ("| first sync: client CPU seconds      | %14.2f |\n", cpu);
  printf ("| peak RSS before the sync (MiB)      | %14.1f |\n", rss_before / 1024.0);
  printf ("| peak RSS after the sync (MiB)       | %14.1f |\n", rss_after / 1024.0);
  printf ("| store file + WAL after it (MiB)     | %14.1f |\n", (st.st_size + wal.st_size) / (1024.0 * 1024.0));
  if (rounds->len > 0)
    {
      printf ("| no-change sync, median of %2d (ms)   | %14.1f |\n", n_rounds,
              1000 * (g_array_index (rounds, double, (rounds->len - 1) / 2) +
                      g_array_index (rounds, double, rounds->len / 2)) / 2);
      printf ("| no-change sync, min..max (ms)       | %6.1f..%6.1f |\n",
              1000 * g_array_index (rounds, double, 0), 1000 * g_array_index (rounds, double, rounds->len - 1));
    }
  if (with_window)
    {
      printf ("| list open: longest stall with the second after (ms) | %.1f |\n", stalls.max_timeout_gap / 1000.0);
      printf ("| list open: longest stall less CPU wait (ms) | %6.1f |\n", stalls.max_own_gap / 1000.0);
      printf ("| list open: 1 ms timeout gaps > 16 ms | %13u |\n", stalls.timeout_gaps_over_16ms);
      printf ("| list open: longest frame-clock gap (ms)| %10.1f |\n", stalls.max_tick_gap / 1000.0);
      printf ("| list open: frames during the sync     | %12u |\n", stalls.ticks);
      printf ("| list open: longest frame to draw (ms) | %12.1f |\n", stalls.max_frame / 1000.0);
      printf ("| longest frame: update / layout / paint (ms) | %.1f / %.1f / %.1f |\n",
              stalls.max_phases[0] / 1000.0, stalls.max_phases[1] / 1000.0, stalls.max_phases[2] / 1000.0);
      if (stalls.log != NULL)
        printf ("\nstalls over 16 ms (BENCH_SYNC_STALLS), times from the sync's start at %.6f s"
                " (CLOCK_MONOTONIC):\n%s", stalls.start / (double) G_USEC_PER_SEC, stalls.log->str);
      gtk_window_destroy (GTK_WINDOW (window));
    }
  else if (stalls.log != NULL)
    printf ("\nstalls over 16 ms (BENCH_SYNC_STALLS), times from the sync's start:\n%s", stalls.log->str);
  printf ("\nrecords the store holds after the first sync, per entity, and when the last of them\n"
          "was in (seconds from the sync's start):\n\n");
  printf ("| entity                              | records        | in at (s)    |\n");
  printf ("|-------------------------------------|----------------|--------------|\n");
  printf ("%s", per_entity->str);
  printf ("| %-35s | %14" G_GUINT64_FORMAT " | %12.2f |\n", "all", held, first);
  printf ("\nresult: login=%s records=%" G_GUINT64_FORMAT " seconds=%.3f records_per_s=%.0f stall_ms=%.1f"
          " stall_less_cpu_wait_ms=%.1f client_cpu_s=%.2f peak_rss_mib=%.1f total=%" G_GUINT64_FORMAT
          " total_estimated=%d customers_contacts_s=%.3f\n",
          login, records, first, records / first, during_sync / 1000.0, own_during_sync / 1000.0, cpu,
          rss_after / 1024.0, total, crm_sync_engine_get_total_estimated (engine), customers_contacts);

  g_clear_object (&engine);
  g_clear_object (&store);
  remove_store (dir);
  server_process = NULL;
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  return 0;
}
