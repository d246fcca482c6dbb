/* The signed-in session's services: the local store per server and user,
 * the sync engine, KEYLINE_TOKEN, signing out, an expired token; and
 * what the window and the customers page show of a sync: the first
 * sync's progress, "Synced just now", offline. */
#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "crm-context.h"
#include "crm-customers-page.h"
#include "crm-format.h"
#include "crm-test-store.h"
#include "crm-window.h"

#define USER "{\"id\": \"00000000-0000-4000-8000-000000008001\", \"login\": \"manager\", " \
             "\"display_name\": \"王伟\", \"role\": \"manager\"}"
#define EMPTY_PAGE "{\"reset\": false, \"customers\": [], \"contacts\": [], \"removed\": [], " \
                   "\"cursor\": \"c-end\", \"more\": false}"

static char *data_home;

/* A scripted Keyline server: /me answers USER, /sync answers the fixture
 * page in two pages, holding the second one while @hold is set; or, with
 * @pages, a first sync's pages one entity after another, as the server
 * sends them. */
typedef struct
{
  SoupServer         *server;
  char               *url;
  guint               status;          /* for every request, when not 200 */
  gboolean            hold;
  gboolean            one_page;        /* the first page has every customer */
  guint               estimate;        /* when set, the first page's total, as an estimate */
  GPtrArray          *pages;           /* when set, /sync answers the page its cursor
                                        * "c-N" names (the first without one), then
                                        * EMPTY_PAGE; page @hold_at waits while @hold */
  guint               hold_at;
  guint               held_at;
  SoupServerMessage  *held;
  guint               sync_requests;
  char               *last_authorization;
  JsonObject         *fixture;
} Server;

static void
respond (SoupServerMessage *message,
         guint              status,
         const char        *body)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

/* The first page: the first 3 customers, and total = all records. */
static char *
first_page (Server *self)
{
  g_autoptr(JsonObject) page = json_object_new ();
  JsonArray *all = json_object_get_array_member (self->fixture, "customers");
  JsonArray *some = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  guint n = self->one_page ? json_array_get_length (all) : 3;

  for (guint i = 0; i < n; i++)
    json_array_add_element (some, json_node_copy (json_array_get_element (all, i)));
  json_object_set_boolean_member (page, "reset", FALSE);
  json_object_set_int_member (page, "total", self->estimate ? self->estimate : self->one_page ? n : 10);
  json_object_set_boolean_member (page, "total_estimated", self->estimate != 0);
  json_object_set_array_member (page, "customers", some);
  json_object_set_array_member (page, "contacts", json_array_new ());
  json_object_set_array_member (page, "removed", json_array_new ());
  json_object_set_string_member (page, "cursor", "c-1");
  json_object_set_boolean_member (page, "more", !self->one_page);
  json_node_set_object (node, page);
  return json_to_string (node, FALSE);
}

/* Page @n of a first sync: @records of the entity whose page member is
 * @plural, the total of the sync on the first. */
static char *
stage_page (guint       n,
            const char *plural,
            JsonArray  *records,
            gint64      total)
{
  g_autoptr(JsonObject) page = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *cursor = g_strdup_printf ("c-%u", n + 1);

  json_object_set_boolean_member (page, "reset", FALSE);
  if (n == 0)
    {
      json_object_set_int_member (page, "total", total);
      json_object_set_boolean_member (page, "total_estimated", FALSE);
    }
  json_object_set_array_member (page, plural, records);
  json_object_set_array_member (page, "removed", json_array_new ());
  json_object_set_string_member (page, "cursor", cursor);
  json_object_set_boolean_member (page, "more", TRUE);
  json_node_set_object (node, page);
  return json_to_string (node, FALSE);
}

/* A product, of the entities that come after the contacts. */
static JsonArray *
one_product (void)
{
  JsonArray *products = json_array_new ();

  json_array_add_element (products, json_from_string (
    "{\"id\": \"00000000-0000-4000-8000-000000000901\", \"code\": \"DL-100\", \"category\": \"data_line\","
    " \"name\": \"数据专线\", \"name_en\": \"Data Line\", \"list_fee\": 129900, \"unit\": \"条\","
    " \"active\": true, \"version\": 1, \"updated_at\": \"2026-01-01T00:00:00+00:00\"}", NULL));
  return products;
}

/* Customers after the fixture's, as many as a model applies in several
 * slices (crm-customer-model.c). */
#define MORE_CUSTOMERS 3000

/* A first sync, one entity a page: the fixture's first 3 customers and
 * MORE_CUSTOMERS made from the first, their contacts, a product. */
static void
stage_pages (Server *self)
{
  JsonArray *all = json_object_get_array_member (self->fixture, "customers");
  JsonArray *all_contacts = json_object_get_array_member (self->fixture, "contacts");
  JsonArray *customers = json_array_new ();
  JsonArray *contacts = json_array_new ();
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *first = NULL;

  for (guint i = 0; i < 3; i++)
    {
      JsonNode *customer = json_array_get_element (all, i);

      json_array_add_element (customers, json_node_copy (customer));
      g_hash_table_add (ids, (gpointer) json_object_get_string_member (json_node_get_object (customer), "id"));
    }
  first = json_to_string (json_array_get_element (all, 0), FALSE);
  for (guint i = 0; i < MORE_CUSTOMERS; i++)
    {
      JsonNode *node = json_from_string (first, NULL);   /* a copy, not a reference */
      JsonObject *customer = json_node_get_object (node);
      g_autofree char *id = g_strdup_printf ("00000000-0000-4000-8000-%012u", 100000 + i);
      g_autofree char *name = g_strdup_printf ("客户%05u", (i * 7919) % MORE_CUSTOMERS);

      json_object_set_string_member (customer, "id", id);
      json_object_set_string_member (customer, "name", name);
      json_object_remove_member (customer, "name_en");
      json_array_add_element (customers, node);
    }
  for (guint i = 0; i < json_array_get_length (all_contacts); i++)
    {
      JsonObject *contact = json_array_get_object_element (all_contacts, i);

      if (g_hash_table_contains (ids, json_object_get_string_member (contact, "customer_id")))
        json_array_add_element (contacts, json_node_copy (json_array_get_element (all_contacts, i)));
    }
  g_assert_cmpuint (json_array_get_length (contacts), ==, 3);
  self->pages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->pages, stage_page (0, "customers", customers, MORE_CUSTOMERS + 7));
  g_ptr_array_add (self->pages, stage_page (1, "contacts", contacts, 0));
  g_ptr_array_add (self->pages, stage_page (2, "products", one_product (), 0));
}

/* What the request for page @n of @pages is answered. */
static const char *
page_body (Server *self,
           guint   n)
{
  return n < self->pages->len ? self->pages->pdata[n] : EMPTY_PAGE;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Server *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *cursor = query ? g_hash_table_lookup (query, "cursor") : NULL;

  g_free (self->last_authorization);
  self->last_authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));

  if (self->status != 0 && self->status != SOUP_STATUS_OK)
    {
      respond (message, self->status,
               "{\"error\": {\"code\": \"unauthenticated\", \"message\": \"Sign in again\", \"field\": null}}");
      return;
    }

  if (g_str_equal (path, "/api/v1/me"))
    respond (message, SOUP_STATUS_OK, USER);
  else if (g_str_equal (path, "/api/v1/session"))
    respond (message, SOUP_STATUS_NO_CONTENT, "");
  else if (g_str_equal (path, "/api/v1/sync"))
    {
      self->sync_requests++;
      if (self->pages != NULL)
        {
          guint n = cursor != NULL && g_str_has_prefix (cursor, "c-") ? (guint) g_ascii_strtoull (cursor + 2, NULL, 10) : 0;

          if (self->hold && self->held == NULL && n == self->hold_at)
            {
              soup_server_message_pause (message);
              self->held = g_object_ref (message);
              self->held_at = n;
            }
          else
            respond (message, SOUP_STATUS_OK, page_body (self, n));
        }
      else if (cursor == NULL)
        {
          g_autofree char *body = first_page (self);

          respond (message, SOUP_STATUS_OK, body);
        }
      else if (self->hold && self->held == NULL)
        {
          /* The second page comes when the test says so. */
          soup_server_message_pause (message);
          self->held = g_object_ref (message);
        }
      else
        respond (message, SOUP_STATUS_OK, EMPTY_PAGE);
    }
  else
    respond (message, SOUP_STATUS_NOT_FOUND,
             "{\"error\": {\"code\": \"not_found\", \"message\": \"No such thing\", \"field\": null}}");
}

static Server *
server_new (void)
{
  g_autoptr(GError) error = NULL;
  Server *self = g_new0 (Server, 1);
  GSList *uris;

  self->fixture = crm_test_load_page ("customers-page.json");
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, "/api/v1", handler, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (self->server);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return self;
}

static void
server_release (Server *self)
{
  if (self->held != NULL)
    {
      respond (self->held, SOUP_STATUS_OK, self->pages != NULL ? page_body (self, self->held_at) : EMPTY_PAGE);
      soup_server_message_unpause (self->held);
      g_clear_object (&self->held);
    }
}

static void
server_free (Server *self)
{
  server_release (self);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->url);
  g_free (self->last_authorization);
  json_object_unref (self->fixture);
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Server, server_free)

static void
remove_store_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
}

static void
wait_for (gboolean (*condition) (gpointer),
          gpointer   data)
{
  gint64 until = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (!condition (data) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_true (condition (data));
}

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
signed_out (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_OUT;
}

static gboolean
engine_idle (gpointer context)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (context);

  return engine != NULL && crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING;
}

/* A context signed in as "manager" through KEYLINE_TOKEN. */
static CrmContext *
sign_in_with_token (Server    *server,
                    GSettings *settings)
{
  CrmContext *context = crm_context_new (settings);

  g_setenv ("KEYLINE_TOKEN", "token-from-the-demo", TRUE);
  g_setenv ("KEYLINE_SERVER_URL", server->url, TRUE);
  crm_context_set_sync_interval (context, 0);
  crm_context_restore_async (context, NULL, NULL, NULL);
  wait_for (signed_in, context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");
  return context;
}

static void
test_keyline_token_opens_the_users_store (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmContext) context = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GUri) uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *path = NULL;
  g_autofree char *login = NULL;

  g_settings_set_string (settings, "login", "");
  context = sign_in_with_token (server, settings);

  /* The token of the environment, checked with GET /me, never kept. */
  g_assert_cmpstr (server->last_authorization, ==, "Bearer token-from-the-demo");
  login = g_settings_get_string (settings, "login");
  g_assert_cmpstr (login, ==, "");

  /* One SQLite file per server and user, and an engine that syncs it. */
  expected = g_strdup_printf ("%s/keyline/127.0.0.1-%d/manager.sqlite", data_home, g_uri_get_port (uri));
  g_assert_cmpstr (crm_context_get_store_path (context), ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_EXISTS));
  g_assert_nonnull (crm_context_get_store (context));
  g_assert_nonnull (crm_context_get_sync_engine (context));
  g_assert_true (crm_sync_engine_get_store (crm_context_get_sync_engine (context)) == crm_context_get_store (context));

  /* The first sync ran as the session began. */
  wait_for (engine_idle, context);
  g_assert_cmpuint (server->sync_requests, ==, 2);
  g_assert_cmpint (crm_sync_engine_get_status (crm_context_get_sync_engine (context)), ==, CRM_SYNC_STATUS_IDLE);

  /* Signing out forgets the token and the local copy. */
  path = g_strdup (crm_context_get_store_path (context));
  crm_context_sign_out_async (context, NULL, NULL, NULL);
  g_assert_cmpint (crm_context_get_state (context), ==, CRM_SESSION_SIGNED_OUT);
  g_assert_null (crm_context_get_store (context));
  g_assert_null (crm_context_get_sync_engine (context));
  g_assert_null (crm_context_get_store_path (context));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
expired_cb (CrmContext *context,
            gboolean   *expired)
{
  *expired = TRUE;
}

static void
test_refused_token_goes_back_to_sign_in (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmContext) context = sign_in_with_token (server, settings);
  g_autofree char *path = g_strdup (crm_context_get_store_path (context));
  gboolean expired = FALSE;

  wait_for (engine_idle, context);
  g_signal_connect (context, "session-expired", G_CALLBACK (expired_cb), &expired);

  /* The token ends on the server; the next sync hears 401. */
  server->status = SOUP_STATUS_UNAUTHORIZED;
  crm_sync_engine_sync_now (crm_context_get_sync_engine (context));
  wait_for (signed_out, context);
  g_assert_true (expired);
  g_assert_null (crm_context_get_sync_engine (context));

  /* The local copy stays for when the same user signs in again. */
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  crm_test_iterate (20);
  g_assert_finalize_object (g_steal_pointer (&context));
  remove_store_files (path);
}

static gboolean
page_state_is_progress (gpointer page)
{
  return g_strcmp0 (crm_customers_page_get_state (page), "progress") == 0;
}

static gboolean
page_state_is_list (gpointer page)
{
  return g_strcmp0 (crm_customers_page_get_state (page), "list") == 0;
}

static gboolean
holding (gpointer server)
{
  return ((Server *) server)->held != NULL;
}

/* Page 1 (3 records) is in the store. */
static gboolean
received_three (gpointer engine)
{
  return crm_sync_engine_get_received (engine) == 3;
}

/* Closes @window: @page goes with it, and @engine (taken) with its last
 * reference. */
static void
close_window (GtkWindow        *window,
              CrmCustomersPage *page,
              CrmSyncEngine    *engine)
{
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  gtk_window_destroy (window);
  crm_test_iterate (50);
  g_assert_null (page);
  g_assert_finalize_object (engine);
}

static gboolean
view_has_three (gpointer view)
{
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view))) == 3;
}

static void
test_first_sync_shows_progress_and_can_be_cancelled (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmApi) api = crm_api_new (server->url, &error);
  g_autoptr(CrmSyncEngine) engine = NULL;
  CrmCustomersPage *page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkProgressBar *bar;
  AdwStatusPage *status;
  GtkColumnView *view;

  g_assert_no_error (error);
  crm_api_set_token (api, "t");
  engine = crm_sync_engine_new (api, store->store);
  gtk_window_set_child (window, GTK_WIDGET (page));
  crm_customers_page_set_store (page, store->store);
  crm_customers_page_set_sync_engine (page, engine);
  gtk_window_present (window);
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "loading");
  crm_test_wait_loaded (page);

  /* An empty store and no sync: nothing yet. */
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "empty");

  /* The first page came (3 of 10 records), the second is held. */
  server->hold = TRUE;
  crm_sync_engine_sync_now (engine);
  wait_for (holding, server);
  wait_for (page_state_is_progress, page);
  crm_test_wait_drawn (window);
  g_assert_true (crm_sync_engine_get_first_sync (engine));
  bar = GTK_PROGRESS_BAR (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "progress_bar"));
  status = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "progress_page"));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (bar)));
  g_assert_cmpstr (adw_status_page_get_title (status), ==, "Fetching Your Customers");
  g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (bar), 0.3, 0.001);
  g_assert_cmpstr (gtk_progress_bar_get_text (bar), ==, "3 of 10 records (30%)");
  /* The rows that came are not read under the progress (the model is
   * held until the list shows), and the view makes no rows nobody sees. */
  view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "column_view"));
  crm_test_iterate (50);
  g_assert_cmpuint (crm_customer_model_get_total (crm_customers_page_get_model (page)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view))), ==, 0);

  /* Cancel: what came stays, and shows. */
  gtk_widget_activate_action (GTK_WIDGET (page), "customers.cancel-sync", NULL);
  wait_for (page_state_is_list, page);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (crm_customers_page_get_model (page))), ==, 3);
  wait_for (view_has_three, view);

  server_release (server);
  close_window (window, page, g_steal_pointer (&engine));
}

/* A total the server estimated says "about", and the bar waits at 99%
 * once the estimate is passed: 3 records of about 4, then of about 2. */
static void
test_first_sync_progress_says_about_an_estimate (void)
{
  g_autoptr(GError) error = NULL;
  CrmCustomersPage *page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkProgressBar *bar = GTK_PROGRESS_BAR (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE,
                                                                         "progress_bar"));
  struct { guint estimate; double fraction; const char *text; } cases[] = {
    { 4, 0.75, "3 of about 4 records (75%)" },
    { 2, 0.99, "3 records" },
  };

  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Server) server = server_new ();
      g_autoptr(CrmTestStore) store = crm_test_store_new ();
      g_autoptr(CrmApi) api = crm_api_new (server->url, &error);
      g_autoptr(CrmSyncEngine) engine = NULL;

      g_assert_no_error (error);
      crm_api_set_token (api, "t");
      engine = crm_sync_engine_new (api, store->store);
      crm_customers_page_set_store (page, store->store);
      crm_customers_page_set_sync_engine (page, engine);
      crm_test_wait_loaded (page);

      server->estimate = cases[i].estimate;
      server->hold = TRUE;
      crm_sync_engine_sync_now (engine);
      wait_for (holding, server);
      wait_for (page_state_is_progress, page);
      wait_for (received_three, engine);
      crm_test_wait_drawn (window);
      g_assert_true (crm_sync_engine_get_total_estimated (engine));
      g_assert_cmpfloat_with_epsilon (gtk_progress_bar_get_fraction (bar), cases[i].fraction, 0.001);
      g_assert_cmpstr (gtk_progress_bar_get_text (bar), ==, cases[i].text);

      gtk_widget_activate_action (GTK_WIDGET (page), "customers.cancel-sync", NULL);
      wait_for (page_state_is_list, page);
      server_release (server);
      crm_customers_page_set_sync_engine (page, NULL);
      crm_customers_page_set_store (page, NULL);
    }
  gtk_window_destroy (window);
}

typedef struct
{
  CrmCustomersPage *page;
  GPtrArray        *states;        /* each state the page went through */
  gboolean          busy_in_list;  /* the list showed while rows were on their way */
} StateLog;

static void
state_logged_cb (CrmCustomersPage *page,
                 GParamSpec       *pspec,
                 StateLog         *log)
{
  const char *state = crm_customers_page_get_state (page);

  g_ptr_array_add (log->states, g_strdup (state));
  if (g_strcmp0 (state, "list") == 0 && crm_customer_model_is_busy (crm_customers_page_get_model (page)))
    log->busy_in_list = TRUE;
}

/* A first sync whose last page brings more customers than the model
 * applies at once: they are read in a worker after the sync has ended.
 * The progress stays until they are in; the page never says "no
 * customers" meanwhile, and the list opens with every row. */
static void
test_progress_stays_until_the_rows_are_in (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmApi) api = crm_api_new (server->url, &error);
  g_autoptr(CrmSyncEngine) engine = NULL;
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  CrmCustomersPage *page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  StateLog log = { page, states, FALSE };
  guint n = json_array_get_length (json_object_get_array_member (server->fixture, "customers"));

  g_assert_no_error (error);
  server->one_page = TRUE;
  crm_api_set_token (api, "t");
  engine = crm_sync_engine_new (api, store->store);
  gtk_window_set_child (window, GTK_WIDGET (page));
  crm_customers_page_set_store (page, store->store);
  crm_customers_page_set_sync_engine (page, engine);
  gtk_window_present (window);
  crm_test_wait_loaded (page);
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "empty");

  g_signal_connect (page, "notify::state", G_CALLBACK (state_logged_cb), &log);
  crm_sync_engine_sync_now (engine);
  wait_for (page_state_is_list, page);

  g_assert_cmpuint (states->len, >=, 2);
  g_assert_cmpstr (states->pdata[0], ==, "progress");
  g_assert_cmpstr (states->pdata[states->len - 1], ==, "list");
  for (guint i = 0; i < states->len; i++)
    g_assert_cmpstr (states->pdata[i], !=, "empty");
  g_assert_false (log.busy_in_list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (crm_customers_page_get_model (page))), ==, n);

  g_signal_handlers_disconnect_by_func (page, state_logged_cb, &log);
  gtk_window_destroy (window);
  crm_test_iterate (50);
  g_assert_finalize_object (g_steal_pointer (&engine));
}

static gboolean
customers_done (gpointer engine)
{
  return crm_sync_engine_get_entity_done (engine, CRM_ENTITY_CUSTOMER);
}

static gboolean
engine_stopped (gpointer engine)
{
  return crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING;
}

/* Always ready at the default priority: a window whose frames leave the
 * main loop no idle time, as a first sync's progress and spinner did
 * under software rendering on a busy machine. */
static gboolean
starve_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
view_has_every_customer (gpointer view)
{
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view))) == MORE_CUSTOMERS + 3;
}

/* The inscriptions (the list's cells) under @widget that read @text. */
static guint
count_cells (GtkWidget  *widget,
             const char *text)
{
  guint n = GTK_IS_INSCRIPTION (widget) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_cells (child, text);
  return n;
}

static gboolean
pipeline_is_coming (gpointer view)
{
  return count_cells (view, C_("figure", "…")) > 0;
}

static guint
count_zeros (GtkWidget *view)
{
  g_autofree char *zero = crm_format_money (0);

  return count_cells (view, zero);
}

typedef struct
{
  GtkWidget *view;
  guint      zeros;   /* cells reading ¥0.00 while the pipeline was to come */
} Summed;

/* No cell says its figure is to come, and the pipeline's cells read
 * ¥0.00 beside the other zero figures. */
static gboolean
pipeline_is_summed (gpointer data)
{
  Summed *summed = data;

  return count_cells (summed->view, C_("figure", "…")) == 0 && count_zeros (summed->view) > summed->zeros;
}

/* A first sync sends the customers, then their contacts, then the rest
 * (here a product; on a director's million customers, the rest is five
 * sixths of the sync).  The progress gives way to the list once the
 * contacts are in and the model has every customer, while the sync goes
 * on, although the main loop is never idle; the list counts every
 * customer and has their rows.  Their open pipeline, a sum of
 * opportunities that have not come yet, says so until they have, rather
 * than ¥0.00. */
static void
test_list_shows_once_the_customers_and_contacts_are_in (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmApi) api = crm_api_new (server->url, &error);
  g_autoptr(CrmSyncEngine) engine = NULL;
  CrmCustomersPage *page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  GtkColumnView *view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE,
                                                                        "column_view"));
  GtkLabel *count = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE,
                                                             "count_label"));
  g_autofree char *n = crm_format_number (MORE_CUSTOMERS + 3);
  g_autofree char *counted = g_strdup_printf ("%s customers", n);
  Summed summed = { NULL, 0 };
  guint starve;

  g_assert_no_error (error);
  stage_pages (server);
  crm_api_set_token (api, "t");
  engine = crm_sync_engine_new (api, store->store);
  gtk_window_set_default_size (window, 1400, 800);   /* every column shows */
  gtk_window_set_child (window, GTK_WIDGET (page));
  crm_customers_page_set_store (page, store->store);
  crm_customers_page_set_sync_engine (page, engine);
  gtk_window_present (window);
  crm_test_wait_loaded (page);

  /* The customers are in, and contacts: more of them may come (the
   * product's page is held). */
  starve = g_idle_add_full (G_PRIORITY_DEFAULT, starve_cb, NULL, NULL);
  server->hold = TRUE;
  server->hold_at = 2;
  crm_sync_engine_sync_now (engine);
  wait_for (holding, server);
  wait_for (customers_done, engine);
  g_assert_false (crm_sync_engine_get_entity_done (engine, CRM_ENTITY_CONTACT));
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "progress");
  /* Behind the progress the model reads none of the 3,003 rows: they are
   * read at once when the list shows. */
  for (gint64 until = g_get_monotonic_time () + G_TIME_SPAN_SECOND / 2; g_get_monotonic_time () < until;)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (crm_customer_model_get_total (crm_customers_page_get_model (page)), ==, 0);

  /* A product came after them: every contact is in.  The list shows,
   * with every customer, while the sync still runs (the next page is
   * held). */
  server->hold_at = 3;
  server_release (server);
  wait_for (holding, server);
  wait_for (page_state_is_list, page);
  g_assert_true (crm_sync_engine_get_entity_done (engine, CRM_ENTITY_CONTACT));
  g_assert_false (crm_sync_engine_get_entity_done (engine, CRM_ENTITY_SUBSCRIPTION));
  g_assert_true (crm_sync_engine_get_first_sync (engine));
  g_assert_cmpint (crm_sync_engine_get_status (engine), ==, CRM_SYNC_STATUS_RUNNING);
  g_assert_cmpuint (crm_customer_model_get_total (crm_customers_page_get_model (page)), ==, MORE_CUSTOMERS + 3);
  g_assert_cmpstr (gtk_label_get_label (count), ==, counted);
  g_source_remove (starve);
  wait_for (view_has_every_customer, view);
  g_assert_false (crm_sync_engine_get_entity_done (engine, CRM_ENTITY_OPPORTUNITY));
  wait_for (pipeline_is_coming, view);
  summed.view = GTK_WIDGET (view);
  summed.zeros = count_zeros (GTK_WIDGET (view));

  /* The sync ends; the list stays. */
  server->hold = FALSE;
  server_release (server);
  wait_for (engine_stopped, engine);
  g_assert_cmpint (crm_sync_engine_get_status (engine), ==, CRM_SYNC_STATUS_IDLE);
  crm_test_iterate (20);
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "list");
  /* none of them has an opportunity */
  wait_for (pipeline_is_summed, &summed);

  close_window (window, page, g_steal_pointer (&engine));
}

/* A first sync that brings no customer: once a later entity comes (a
 * product), there is none to fetch, and the page says so while the sync
 * goes on. */
static void
test_empty_shows_once_a_first_sync_brought_no_customer (void)
{
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmApi) api = crm_api_new (server->url, &error);
  g_autoptr(CrmSyncEngine) engine = NULL;
  CrmCustomersPage *page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  g_autoptr(GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  StateLog log = { page, states, FALSE };

  g_assert_no_error (error);
  server->pages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (server->pages, stage_page (0, "products", one_product (), 1));
  crm_api_set_token (api, "t");
  engine = crm_sync_engine_new (api, store->store);
  gtk_window_set_child (window, GTK_WIDGET (page));
  crm_customers_page_set_store (page, store->store);
  crm_customers_page_set_sync_engine (page, engine);
  gtk_window_present (window);
  crm_test_wait_loaded (page);
  g_signal_connect (page, "notify::state", G_CALLBACK (state_logged_cb), &log);

  server->hold = TRUE;
  server->hold_at = 1;
  crm_sync_engine_sync_now (engine);
  wait_for (holding, server);
  wait_for (customers_done, engine);
  crm_test_iterate (20);
  g_assert_true (crm_sync_engine_get_first_sync (engine));
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "empty");
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpstr (states->pdata[0], ==, "progress");

  server->hold = FALSE;
  server_release (server);
  wait_for (engine_stopped, engine);
  crm_test_iterate (20);
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "empty");

  g_signal_handlers_disconnect_by_func (page, state_logged_cb, &log);
  gtk_window_destroy (window);
  crm_test_iterate (50);
  g_assert_finalize_object (g_steal_pointer (&engine));
}

static gboolean
status_is (gpointer data)
{
  gpointer *pair = data;

  return g_strcmp0 (crm_window_get_sync_status (pair[0]), pair[1]) == 0;
}

/* A first sync stores the time of each page it applies; a window says it
 * syncs until the last page is in, not "Synced just now" after the first,
 * whenever it looks (here: a window opened once page 1 is applied). */
static void
test_window_says_syncing_until_a_first_sync_ends (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmContext) context = NULL;
  CrmWindow *window;
  CrmWindow *second;
  gpointer synced[2];

  server->hold = TRUE;
  context = sign_in_with_token (server, settings);
  window = g_object_ref_sink (crm_window_new (NULL, context));
  gtk_window_present (GTK_WINDOW (window));
  wait_for (holding, server);
  wait_for (received_three, crm_context_get_sync_engine (context));   /* page 2 is held */
  g_assert_true (crm_sync_engine_get_first_sync (crm_context_get_sync_engine (context)));
  /* page 1 has 3 of the 10 records its total says */
  g_assert_cmpstr (crm_window_get_sync_status (window), ==, "Syncing… 30%");
  second = g_object_ref_sink (crm_window_new (NULL, context));
  gtk_window_present (GTK_WINDOW (second));
  g_assert_cmpstr (crm_window_get_sync_status (second), ==, "Syncing… 30%");

  server_release (server);
  wait_for (engine_idle, context);
  synced[0] = second;
  synced[1] = (gpointer) "Synced just now";
  wait_for (status_is, synced);
  gtk_window_destroy (GTK_WINDOW (second));
  g_assert_finalize_object (second);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  crm_test_iterate (20);
}

static void
test_window_says_when_it_synced_and_when_offline (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmContext) context = sign_in_with_token (server, settings);
  CrmWindow *window = g_object_ref_sink (crm_window_new (NULL, context));
  CrmCustomersPage *page = crm_window_get_customers_page (window);
  gpointer synced[] = { window, (gpointer) "Synced just now" };
  gpointer offline[] = { window, (gpointer) "Offline — working on the local copy" };
  g_autofree char *path = g_strdup (crm_context_get_store_path (context));
  guint requests;

  gtk_window_present (GTK_WINDOW (window));
  wait_for (engine_idle, context);

  /* The page shows the store the context opened. */
  g_assert_true (crm_customers_page_get_store (page) == crm_context_get_store (context));
  g_assert_true (crm_customers_page_get_sync_engine (page) == crm_context_get_sync_engine (context));
  wait_for (status_is, synced);
  wait_for (page_state_is_list, page);

  /* F5 and Ctrl+R: win.sync. */
  requests = server->sync_requests;
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL);
  wait_for (engine_idle, context);
  g_assert_cmpuint (server->sync_requests, >, requests);

  /* An edit in conflict (409): a toast names the customer and offers to resolve it. */
  {
    g_autoptr(CrmMutation) mutation = crm_mutation_new ();
    g_autoptr(JsonObject) current = json_object_new ();
    g_autofree char *text = NULL;

    mutation->record_id = g_strdup ("00000000-0000-4000-8000-000000000001");
    json_object_set_string_member (current, "name", "上海浦东发展银行");
    g_signal_emit_by_name (crm_context_get_sync_engine (context), "conflict", mutation, current);
    crm_test_wait_drawn (window);
    text = crm_test_dup_visible_text (window);
    g_assert_nonnull (strstr (text, "Changes to 上海浦东发展银行 conflict with someone else’s"));
    g_assert_nonnull (strstr (text, "Resolve…"));
  }

  /* The server goes away: the header says so, the list stays. */
  soup_server_disconnect (server->server);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sync", NULL);
  wait_for (status_is, offline);
  g_assert_cmpint (crm_sync_engine_get_status (crm_context_get_sync_engine (context)), ==, CRM_SYNC_STATUS_OFFLINE);
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "list");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  crm_test_iterate (20);
  g_assert_finalize_object (g_steal_pointer (&context));
  remove_store_files (path);
}

static const char session_notice[] = "Your session has ended. Sign in again to go on syncing.";

static gboolean
main_page_shown (gpointer window)
{
  return g_strcmp0 (crm_window_get_page (window), "main") == 0;
}

/* (once the pages' transition is over) */
static gboolean
session_notice_gone (gpointer window)
{
  g_autofree char *text = crm_test_dup_visible_text (window);

  return strstr (text, session_notice) == NULL;
}

/* A session the server ends is said on the sign-in page, and the notice
 * goes with the page when the user signs in again (it used to stay over
 * the window as a toast). */
static void
test_session_ended_is_said_on_the_sign_in_page (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(Server) server = server_new ();
  g_autoptr(CrmContext) context = sign_in_with_token (server, settings);
  CrmWindow *window = g_object_ref_sink (crm_window_new (NULL, context));
  g_autofree char *path = g_strdup (crm_context_get_store_path (context));
  g_autofree char *before = NULL;
  g_autoptr(JsonNode) user = json_from_string (USER, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmApi) api = crm_api_new (server->url, &error);

  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (engine_idle, context);

  server->status = SOUP_STATUS_UNAUTHORIZED;
  crm_sync_engine_sync_now (crm_context_get_sync_engine (context));
  wait_for (signed_out, context);
  crm_test_wait_drawn (window);
  g_assert_cmpstr (crm_window_get_page (window), ==, "sign-in");
  before = crm_test_dup_visible_text (window);
  g_assert_nonnull (strstr (before, session_notice));

  /* Signing in again: the notice is gone with the page. */
  server->status = 0;
  crm_api_set_token (api, "token-from-the-demo");
  crm_context_take_session (context, api, "token-from-the-demo", json_node_get_object (user));
  wait_for (main_page_shown, window);
  wait_for (engine_idle, context);
  wait_for (session_notice_gone, window);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  crm_test_iterate (20);
  g_assert_finalize_object (g_steal_pointer (&context));
  remove_store_files (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* Before anything asks GLib for it. */
  data_home = g_dir_make_tmp ("keyline-data-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");

  g_test_add_func ("/client/session/keyline-token/opens-the-users-store-and-sign-out-deletes-it",
                   test_keyline_token_opens_the_users_store);
  g_test_add_func ("/client/session/refused-token/goes-back-to-sign-in", test_refused_token_goes_back_to_sign_in);
  g_test_add_func ("/client/customers/progress/shows-while-the-first-sync-runs",
                   test_first_sync_shows_progress_and_can_be_cancelled);
  g_test_add_func ("/client/customers/progress/says-about-an-estimate",
                   test_first_sync_progress_says_about_an_estimate);
  g_test_add_func ("/client/customers/progress/stays-until-the-rows-are-in",
                   test_progress_stays_until_the_rows_are_in);
  g_test_add_func ("/client/customers/progress/gives-way-to-the-list-once-the-customers-and-contacts-are-in",
                   test_list_shows_once_the_customers_and_contacts_are_in);
  g_test_add_func ("/client/customers/progress/gives-way-to-empty-once-a-first-sync-brought-no-customer",
                   test_empty_shows_once_a_first_sync_brought_no_customer);
  g_test_add_func ("/client/window/sync-status/says-syncing-until-a-first-sync-ends",
                   test_window_says_syncing_until_a_first_sync_ends);
  g_test_add_func ("/client/window/sync-status/says-when-it-synced-and-when-offline",
                   test_window_says_when_it_synced_and_when_offline);
  g_test_add_func ("/client/window/session-ended/is-said-on-the-sign-in-page-and-goes-with-it",
                   test_session_ended_is_said_on_the_sign_in_page);

  status = g_test_run ();

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
