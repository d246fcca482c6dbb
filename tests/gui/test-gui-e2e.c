/* The desktop client against the real server, in-process on port 0, over a
 * throwaway PostgreSQL seeded with `keyline-server seed --customers 300`:
 * sign in, the first sync, the list, search, an edit that reaches the
 * server and a second client, and two clients changing the same field: a
 * conflict, resolved in the dialog, keeping mine. */
#define G_LOG_DOMAIN "test-gui-e2e"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-conflict-dialog.h"
#include "crm-customer-detail.h"
#include "crm-customers-page.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-pg.h"
#include "crm-test-store.h"
#include "crm-window.h"

#define PASSWORD "keyline"

static CrmServer *server;
static char *conninfo;
static char *server_url;
static char *data_home;

/* The database, as an administrator (RLS is forced even for the owner). */
static PGconn *
admin_connection (void)
{
  return crm_test_pg_connect_as_admin (conninfo);
}

static char *
scalar (const char *sql,
        const char *param)
{
  g_autoptr(PGconn) conn = admin_connection ();
  const char *params[1] = { param };
  g_autoptr(PGresult) res = PQexecParams (conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  return PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

static void
wait_for (gboolean (*condition) (gpointer),
          gpointer   data)
{
  gint64 until = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (!condition (data) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_true (condition (data));
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  gint64 until = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (*result == NULL && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*result);
  return *result;
}

/* POST /session as @login: an API client holding the token. */
static CrmApi *
sign_in (const char  *login,
         char       **token)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  CrmApi *api = crm_api_new (server_url, &error);

  g_assert_no_error (error);
  crm_api_sign_in_async (api, login, PASSWORD, NULL, done_cb, &result);
  *token = crm_api_sign_in_finish (api, wait_result (&result), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*token);
  return api;
}

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
idle_with_empty_queue (gpointer engine)
{
  return crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING &&
         crm_sync_engine_get_pending (engine) == 0;
}

/* The list shows, and its model has taken in every change the store told
 * it (a sync page's rows are applied a slice per main-loop iteration). */
static gboolean
page_listed (gpointer page)
{
  const char *state = crm_customers_page_get_state (page);
  CrmCustomerModel *model = crm_customers_page_get_model (page);

  return (g_strcmp0 (state, "list") == 0 || g_strcmp0 (state, "no-results") == 0) &&
         model != NULL && !crm_customer_model_is_busy (model);
}

/* The desktop client as tools/demo starts it: KEYLINE_TOKEN, the window. */
typedef struct
{
  CrmContext *context;
  CrmWindow  *window;
} Desktop;

static Desktop *
desktop_new (const char *login)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = sign_in (login, &token);
  Desktop *self = g_new0 (Desktop, 1);

  self->context = crm_context_new (settings);
  crm_context_set_sync_interval (self->context, 0);
  self->window = g_object_ref_sink (crm_window_new (NULL, self->context));
  gtk_window_present (GTK_WINDOW (self->window));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", server_url, TRUE);
  crm_context_restore_async (self->context, NULL, NULL, NULL);
  wait_for (signed_in, self->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");

  wait_for (idle_with_empty_queue, crm_context_get_sync_engine (self->context));
  wait_for (page_listed, crm_window_get_customers_page (self->window));
  return self;
}

static void
desktop_free (Desktop *self)
{
  /* Signing out deletes the local copy. */
  crm_context_sign_out_async (self->context, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (self->window));
  crm_test_iterate (50);
  g_assert_finalize_object (self->window);
  g_clear_object (&self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desktop, desktop_free)

/* A second client of the same user, without a window: its own session,
 * local copy and engine. */
typedef struct
{
  CrmApi        *api;
  CrmTestStore  *store;
  CrmSyncEngine *engine;
  guint          conflicts;
  char          *conflict_name;
} Second;

static void
second_conflict_cb (CrmSyncEngine *engine,
                    CrmMutation   *mutation,
                    JsonObject    *current,
                    Second        *self)
{
  self->conflicts++;
  g_free (self->conflict_name);
  self->conflict_name = current ? g_strdup (json_object_get_string_member (current, "name")) : NULL;
}

static void
second_sync (Second *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  crm_sync_engine_sync_async (self->engine, NULL, done_cb, &result);
  g_assert_true (crm_sync_engine_sync_finish (self->engine, wait_result (&result), &error));
  g_assert_no_error (error);
}

static Second *
second_new (const char *login)
{
  g_autofree char *token = NULL;
  Second *self = g_new0 (Second, 1);

  self->api = sign_in (login, &token);
  self->store = crm_test_store_new ();
  self->engine = crm_sync_engine_new (self->api, self->store->store);
  g_signal_connect (self->engine, "conflict", G_CALLBACK (second_conflict_cb), self);
  second_sync (self);
  return self;
}

static void
second_free (Second *self)
{
  /* The engine's last answers finish in idles. */
  crm_test_iterate (100);
  g_assert_finalize_object (self->engine);
  g_clear_object (&self->api);
  crm_test_store_free (self->store);
  g_free (self->conflict_name);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Second, second_free)

static char *
local_name (CrmStore   *store,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCustomer) customer = crm_store_get_customer (store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (customer);
  return g_strdup (customer->name);
}

/* Renames @id through the detail page's edit mode and saves. */
static void
rename_in_window (Desktop    *desktop,
                  const char *id,
                  const char *name)
{
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);
  CrmCustomerDetail *detail = CRM_CUSTOMER_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                                                   CRM_TYPE_CUSTOMERS_PAGE,
                                                                                   "detail"));
  CrmCustomerEditor *editor = crm_customer_detail_get_editor (detail);

  g_assert_true (crm_customers_page_open_customer (page, id));
  gtk_widget_activate_action (GTK_WIDGET (detail), "customer.edit", NULL);
  gtk_editable_set_text (GTK_EDITABLE (crm_customer_editor_get_field_row (editor, NULL, "name")), name);
  gtk_widget_activate_action (GTK_WIDGET (detail), "customer.save", NULL);
  crm_test_wait_saved (detail);
  crm_customers_page_show_list (page);

  /* Save asked the engine to sync: wait for it to push and pull. */
  crm_test_iterate (50);
  wait_for (idle_with_empty_queue, crm_context_get_sync_engine (desktop->context));
  wait_for (page_listed, page);
}

static void
test_first_sync_lists_the_managers_customers (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);
  CrmCustomerModel *model = crm_customers_page_get_model (page);
  GtkLabel *count = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "count_label"));
  GtkEditable *search = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "search_entry"));
  g_autofree char *expected = scalar ("SELECT count(*) FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                      " WHERE u.login = 'manager'", NULL);
  g_autofree char *count_text = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(CrmCustomerItem) first = NULL;
  const char *manager_id = json_object_get_string_member (crm_context_get_user (desktop->context), "id");
  guint total, shown;

  /* The store is the user's file, filled by the first sync. */
  g_assert_true (g_str_has_prefix (crm_context_get_store_path (desktop->context), data_home));
  g_assert_true (g_str_has_suffix (crm_context_get_store_path (desktop->context), "/manager.sqlite"));

  /* Exactly the manager's customers, all shown, counted. */
  total = crm_customer_model_get_total (model);
  g_assert_cmpuint (total, >, 0);
  g_assert_cmpuint (total, ==, (guint) atoi (expected));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, total);
  for (guint i = 0; i < total; i++)
    {
      g_autoptr(CrmCustomerItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpstr (crm_customer_item_get_owner_id (item), ==, manager_id);
    }
  count_text = g_strdup_printf ("%u customers", total);
  g_assert_cmpstr (gtk_label_get_label (count), ==, count_text);
  g_assert_cmpstr (crm_window_get_sync_status (desktop->window), ==, "Synced just now");

  /* A search narrows it: the first two characters of a name. */
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  prefix = g_utf8_substring (crm_customer_item_get_name (first), 0, 4);
  gtk_editable_set_text (search, prefix);
  crm_test_iterate (400);
  shown = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (shown, >, 0);
  g_assert_cmpuint (shown, <, total);
  for (guint i = 0; i < shown; i++)
    {
      g_autoptr(CrmCustomerItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_nonnull (strstr (crm_customer_item_get_name (item), prefix));
    }
}

static void
test_edit_reaches_the_server_and_a_second_client (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autoptr(Second) second = second_new ("manager");
  g_autofree char *id = scalar ("SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                " WHERE u.login = 'manager' ORDER BY c.id LIMIT 1", NULL);
  g_autofree char *version = scalar ("SELECT version FROM crm.customers WHERE id = $1", id);
  g_autofree char *on_server = NULL;
  g_autofree char *new_version = NULL;
  g_autofree char *on_second = NULL;
  g_autofree char *before = local_name (second->store->store, id);

  g_assert_cmpstr (before, !=, "端到端测试客户");
  rename_in_window (desktop, id, "端到端测试客户");

  on_server = scalar ("SELECT name FROM crm.customers WHERE id = $1", id);
  new_version = scalar ("SELECT version FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (on_server, ==, "端到端测试客户");
  g_assert_cmpint (atoi (new_version), ==, atoi (version) + 1);

  /* The second client has it after its next sync. */
  second_sync (second);
  on_second = local_name (second->store->store, id);
  g_assert_cmpstr (on_second, ==, "端到端测试客户");
}

static CrmMutation *
find_conflict (CrmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queue = crm_store_list_mutations (store, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < queue->len; i++)
    if (((CrmMutation *) queue->pdata[i])->state == CRM_MUTATION_CONFLICT)
      return crm_mutation_ref (queue->pdata[i]);
  return NULL;
}

static CrmConflictDialog *
find_conflict_dialog (void)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CRM_IS_CONFLICT_DIALOG (window))
        return CRM_CONFLICT_DIALOG (window);
    }
  return NULL;
}

static void
test_conflict_resolved_with_mine_reaches_the_server (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autoptr(Second) second = second_new ("manager");
  g_autofree char *id = scalar ("SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                " WHERE u.login = 'manager' ORDER BY c.id DESC LIMIT 1", NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) theirs = NULL;
  g_autoptr(CrmMutation) conflict = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *text = NULL;
  g_autofree char *on_server = NULL;
  g_autofree char *after = NULL;
  CrmStore *store = crm_context_get_store (desktop->context);
  CrmSyncEngine *engine = crm_context_get_sync_engine (desktop->context);
  CrmConflictDialog *dialog;

  /* A colleague (the second client) renames the customer first... */
  json_object_set_string_member (fields, "name", "同事先改的名字");
  theirs = crm_store_enqueue_update (second->store->store, CRM_ENTITY_CUSTOMER, id, fields, &error);
  g_assert_no_error (error);
  second_sync (second);
  on_server = scalar ("SELECT name FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (on_server, ==, "同事先改的名字");
  g_clear_pointer (&on_server, g_free);

  /* ...then the desktop, which has not synced since, renames it too: 412 */
  rename_in_window (desktop, id, "我后改的名字");
  conflict = find_conflict (store);
  g_assert_nonnull (conflict);
  if (conflict == NULL)
    return;
  g_assert_cmpuint (json_array_get_length (conflict->conflicts), ==, 1);
  on_server = scalar ("SELECT name FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (on_server, ==, "同事先改的名字");
  g_clear_pointer (&on_server, g_free);
  /* mine is kept and still shows; the toast offers to resolve it */
  shown = local_name (store, id);
  g_assert_cmpstr (shown, ==, "我后改的名字");
  crm_test_iterate (100);
  text = crm_test_dup_visible_text (desktop->window);
  g_assert_nonnull (strstr (text, "conflict with someone else"));

  /* Resolve…: the dialog; keep mine; Apply */
  gtk_widget_activate_action (GTK_WIDGET (desktop->window), "win.resolve-conflict", "x", conflict->seq);
  crm_test_iterate (100);
  dialog = find_conflict_dialog ();
  g_assert_nonnull (dialog);
  if (dialog == NULL)
    return;
  g_assert_true (gtk_toggle_button_get_active (crm_conflict_dialog_get_choice (dialog, "name", TRUE)));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  crm_test_iterate (50);
  wait_for (idle_with_empty_queue, engine);

  /* the server has mine, and the desktop nothing left to send */
  on_server = scalar ("SELECT name FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (on_server, ==, "我后改的名字");
  g_assert_null (find_conflict (store));
  after = local_name (store, id);
  g_assert_cmpstr (after, ==, "我后改的名字");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmConfig) config = NULL;
  const char *binary = g_getenv ("KEYLINE_SERVER");
  int status;
  int seed_status = -1;

  data_home = g_dir_make_tmp ("keyline-e2e-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_auth_init (NULL);

  if (!crm_test_pg_available () || binary == NULL)
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      g_rmdir (data_home);
      return g_test_run ();
    }

  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  {
    const char *argv_seed[] = { binary, "--database", conninfo, "seed", "--customers", "300", "--seed", "3", NULL };

    g_spawn_sync (NULL, (char **) argv_seed, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &seed_status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (seed_status, NULL));
  }

  config = crm_config_new ();
  g_free (config->database);
  config->database = g_strdup (conninfo);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->threads = 2;
  server = crm_server_start (config, &error);
  g_assert_no_error (error);
  server_url = g_strdup_printf ("http://127.0.0.1:%u", crm_server_get_port (server));

  g_test_add_func ("/client/e2e/first-sync-lists-the-managers-customers", test_first_sync_lists_the_managers_customers);
  g_test_add_func ("/client/e2e/edit-reaches-the-server-and-a-second-client",
                   test_edit_reaches_the_server_and_a_second_client);
  g_test_add_func ("/client/e2e/conflict-resolved-with-mine-reaches-the-server",
                   test_conflict_resolved_with_mine_reaches_the_server);

  status = g_test_run ();

  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  g_free (server_url);
  {
    g_autofree char *keyline = g_build_filename (data_home, "keyline", NULL);
    g_autoptr(GDir) servers = g_dir_open (keyline, 0, NULL);
    const char *name;

    while (servers != NULL && (name = g_dir_read_name (servers)) != NULL)
      {
        g_autofree char *sub = g_build_filename (keyline, name, NULL);

        g_rmdir (sub);
      }
    g_rmdir (keyline);
    g_rmdir (data_home);
  }
  g_free (data_home);
  return status;
}
