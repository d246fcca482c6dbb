/* The sync engine against scripted answers: what the real server seldom
 * or never says (a 500 in the push, an answered 503, malformed pages, a
 * reset, conflicts and refusals of every kind).  A SoupServer
 * on the test's main context answers each path from its own queue; no
 * database, no display. */
#define G_LOG_DOMAIN "test-sync-engine-answers"

#include "config.h"

#include <libsoup/soup.h>
#include <sqlite3.h>

#include "crm-api.h"
#include "crm-error.h"
#include "crm-store.h"
#include "crm-sync-engine.h"
#include "store-test-util.h"

typedef struct
{
  guint     status;
  char     *body;
  char     *next;      /* the Keyline-Sync-Next header, or NULL */
  gboolean  hold;      /* the head goes out, the body when the test says */
} Answer;

typedef struct
{
  StoreFixture   store;
  SoupServer    *server;
  char          *url;
  GHashTable    *answers;    /* path prefix -> GQueue of Answer */
  GPtrArray     *requests;   /* "METHOD path?query" */
  GPtrArray     *bodies;     /* request bodies, in order */
  CrmApi        *api;
  CrmSyncEngine *engine;
  guint          conflicts;
  JsonObject    *conflict_current;
  CrmMutation   *conflict_mutation;
  guint          finished;
  gboolean       saw_first_sync;
  gboolean       done;
  gboolean       ok;
  GError        *error;
  SoupServerMessage *held;   /* an answer whose body is held */
  char          *held_body;
} Fixture;

static const char * const prefixes[] = { "/api/v1/sync", "/api/v1/mutations", "/api/v1/customers/" };

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_free (answer->body);
  g_free (answer->next);
  g_free (answer);
}

static void
queue_free (gpointer data)
{
  g_queue_free_full (data, answer_free);
}

/* The next answer to a request below @prefix. */
static void
script (Fixture    *fixture,
        const char *prefix,
        guint       status,
        const char *body)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->status = status;
  answer->body = g_strdup (body);
  g_queue_push_tail (g_hash_table_lookup (fixture->answers, prefix), answer);
}

static void
script_page (Fixture    *fixture,
             JsonObject *page)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), page);
  g_autofree char *text = json_to_string (node, FALSE);

  script (fixture, "/api/v1/sync", SOUP_STATUS_OK, text);
  json_object_unref (page);
}

/* A page whose answer names the next page in its head (@next), and, with
 * @hold, sends its body only when release_held () says so. */
static void
script_page_ahead (Fixture    *fixture,
                   JsonObject *page,
                   const char *next,
                   gboolean    hold)
{
  GQueue *queue = g_hash_table_lookup (fixture->answers, "/api/v1/sync");
  Answer *answer;

  script_page (fixture, page);
  answer = g_queue_peek_tail (queue);
  answer->next = g_strdup (next);
  answer->hold = hold;
}

static void
release_held (Fixture *fixture)
{
  SoupMessageBody *body;
  char *text = g_steal_pointer (&fixture->held_body);

  g_assert_nonnull (fixture->held);
  body = soup_server_message_get_response_body (fixture->held);
  soup_message_body_append (body, SOUP_MEMORY_TAKE, text, strlen (text));
  soup_message_body_complete (body);
  soup_server_message_unpause (fixture->held);
  g_clear_object (&fixture->held);
}

static void
handler (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  g_autoptr(GString) request = g_string_new (NULL);
  g_autoptr(GList) names = query ? g_hash_table_get_keys (query) : NULL;
  Answer *answer = NULL;

  /* "GET /api/v1/sync?cursor=c1&limit=7", the parameters in order */
  g_string_printf (request, "%s %s", soup_server_message_get_method (message), path);
  names = g_list_sort (names, (GCompareFunc) g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (request, "%c%s=%s", l == names ? '?' : '&', (char *) l->data,
                            (char *) g_hash_table_lookup (query, l->data));
  g_ptr_array_add (fixture->requests, g_strdup (request->str));
  g_ptr_array_add (fixture->bodies, g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body)));
  for (guint i = 0; i < G_N_ELEMENTS (prefixes) && answer == NULL; i++)
    if (g_str_has_prefix (path, prefixes[i]))
      answer = g_queue_pop_head (g_hash_table_lookup (fixture->answers, prefixes[i]));
  if (answer == NULL)
    g_error ("No answer scripted for %s %s", soup_server_message_get_method (message), path);

  soup_server_message_set_status (message, answer->status, NULL);
  if (answer->next != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (message), "Keyline-Sync-Next",
                                  answer->next);
  if (answer->hold)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

      g_assert_null (fixture->held);
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (headers, "application/json", NULL);
      fixture->held = g_object_ref (message);
      fixture->held_body = g_steal_pointer (&answer->body);
    }
  else
    soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                      answer->body, strlen (answer->body));
  answer_free (answer);
}

static void
conflict_cb (CrmSyncEngine *engine,
             CrmMutation   *mutation,
             JsonObject    *current,
             Fixture       *fixture)
{
  fixture->conflicts++;
  g_clear_pointer (&fixture->conflict_current, json_object_unref);
  fixture->conflict_current = current ? json_object_ref (current) : NULL;
  g_clear_pointer (&fixture->conflict_mutation, crm_mutation_unref);
  fixture->conflict_mutation = crm_mutation_ref (mutation);
}

static void
finished_cb (CrmSyncEngine *engine,
             gboolean       success,
             Fixture       *fixture)
{
  fixture->finished++;
}

static void
first_sync_cb (CrmSyncEngine *engine,
               GParamSpec    *pspec,
               Fixture       *fixture)
{
  fixture->saw_first_sync |= crm_sync_engine_get_first_sync (engine);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) page = NULL;
  GSList *uris;

  store_fixture_set_up (&fixture->store, data);
  /* what the store holds: customer 1 with contact 11, at a cursor */
  page = test_page ("c1");
  test_page_add_customer (page, test_customer (1, "上海浦东发展银行", 3));
  test_page_add_contact (page, test_contact (11, 1, "李娜", TRUE, 2));
  test_apply (fixture->store.store, g_steal_pointer (&page));

  fixture->answers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, queue_free);
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    g_hash_table_insert (fixture->answers, (gpointer) prefixes[i], g_queue_new ());
  fixture->requests = g_ptr_array_new_with_free_func (g_free);
  fixture->bodies = g_ptr_array_new_with_free_func (g_free);

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, "/api/v1", handler, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture->api = crm_api_new (fixture->url, &error);
  g_assert_no_error (error);
  crm_api_set_token (fixture->api, "t0ken-t0ken-t0ken-t0ken");
  fixture->engine = crm_sync_engine_new (fixture->api, fixture->store.store);
  g_signal_connect (fixture->engine, "conflict", G_CALLBACK (conflict_cb), fixture);
  g_signal_connect (fixture->engine, "finished", G_CALLBACK (finished_cb), fixture);
  g_signal_connect (fixture->engine, "notify::first-sync", G_CALLBACK (first_sync_cb), fixture);
}

/* Iterates until only the test holds @object: a count of the queue in a
 * worker holds the engine, a pending ::customers-changed the store. */
static void
wait_for_last_ref (gpointer object)
{
  gint64 end = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (g_atomic_int_get (&G_OBJECT (object)->ref_count) > 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  wait_for_last_ref (fixture->engine);
  g_assert_finalize_object (fixture->engine);
  g_assert_finalize_object (fixture->api);
  wait_for_last_ref (fixture->store.store);
  store_fixture_tear_down (&fixture->store, data);
  g_clear_object (&fixture->server);
  g_free (fixture->url);
  g_hash_table_unref (fixture->answers);
  g_ptr_array_unref (fixture->requests);
  g_ptr_array_unref (fixture->bodies);
  g_clear_pointer (&fixture->conflict_current, json_object_unref);
  g_clear_pointer (&fixture->conflict_mutation, crm_mutation_unref);
  g_clear_error (&fixture->error);
  g_clear_object (&fixture->held);
  g_free (fixture->held_body);
}

static gboolean
timed_out_cb (gpointer data)
{
  g_error ("Timed out waiting for the sync engine");
  return G_SOURCE_REMOVE;
}

static void
synced_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_clear_error (&fixture->error);
  fixture->ok = crm_sync_engine_sync_finish (CRM_SYNC_ENGINE (object), result, &fixture->error);
  fixture->done = TRUE;
}

static gboolean
sync_and_wait (Fixture *fixture)
{
  guint timeout = g_timeout_add_seconds (30, timed_out_cb, NULL);

  g_ptr_array_set_size (fixture->requests, 0);
  g_ptr_array_set_size (fixture->bodies, 0);
  fixture->done = FALSE;
  crm_sync_engine_sync_async (fixture->engine, NULL, synced_cb, fixture);
  while (!fixture->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  /* the store's signals, and the count of "pending" */
  for (guint i = 0; i < 20; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return fixture->ok;
}

static CrmMutation *
edit_customer (Fixture *fixture)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  CrmMutation *m;

  json_object_set_string_member (fields, "name", "上海浦东发展银行股份有限公司");
  m = crm_store_enqueue_update (fixture->store.store, CRM_ENTITY_CUSTOMER, test_id (1), fields, &error);
  g_assert_no_error (error);
  return m;
}

static char *
local_text (Fixture    *fixture,
            const char *sql)
{
  return test_sql_text (fixture->store.path, sql);
}

static CrmMutation *
only_mutation (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queue = crm_store_list_mutations (fixture->store.store, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 1);
  return crm_mutation_ref (queue->pdata[0]);
}

/* The pipeline's tests hold the store's writes: a second connection to
 * the store's file takes SQLite's write lock (BEGIN IMMEDIATE), and the
 * store's worker, which applies a page in a BEGIN IMMEDIATE transaction,
 * waits for it (busy timeout 5 s) until the test lets go.  Meanwhile the
 * test's main context runs the engine and the scripted server. */
static sqlite3 *
hold_store_writes (Fixture *fixture)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (fixture->store.path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  return db;
}

static void
release_store_writes (sqlite3 *db)
{
  g_assert_cmpint (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Iterates for @ms, or until @n requests came (and were answered: the
 * handler answers at once). */
static void
iterate_until_requests (Fixture *fixture,
                        guint    n,
                        guint    ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (fixture->requests->len < n && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Iterates for @ms. */
static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Starts a sync that sync_wait () waits for. */
static void
sync_start (Fixture *fixture)
{
  g_ptr_array_set_size (fixture->requests, 0);
  g_ptr_array_set_size (fixture->bodies, 0);
  fixture->done = FALSE;
  crm_sync_engine_sync_async (fixture->engine, NULL, synced_cb, fixture);
}

static gboolean
sync_wait (Fixture *fixture)
{
  guint timeout = g_timeout_add_seconds (30, timed_out_cb, NULL);

  while (!fixture->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  iterate_for (20);
  return fixture->ok;
}

static char *
local_ids (Fixture *fixture)
{
  return local_text (fixture, "SELECT group_concat(id, ' ') FROM (SELECT id FROM customers ORDER BY id)");
}

/* "id1 id2 ...", as local_ids () gives them. */
static char *
ids_of (const guint *n,
        guint        count)
{
  GString *ids = g_string_new (NULL);

  for (guint i = 0; i < count; i++)
    g_string_append_printf (ids, "%s%s", i > 0 ? " " : "", test_id (n[i]));
  return g_string_free (ids, FALSE);
}

/* Tests ------------------------------------------------------------------- */

static void
test_server_error_in_the_push_keeps_the_queue (Fixture       *fixture,
                                               gconstpointer  data)
{
  g_autoptr(CrmMutation) m = edit_customer (fixture);
  g_autoptr(CrmMutation) kept = NULL;

  script (fixture, "/api/v1/mutations", SOUP_STATUS_INTERNAL_SERVER_ERROR,
          "{\"error\": {\"code\": \"internal\", \"message\": \"The server failed to handle the request\"}}");
  g_assert_false (sync_and_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_INTERNAL);
  g_assert_cmpint (crm_sync_engine_get_status (fixture->engine), ==, CRM_SYNC_STATUS_FAILED);
  g_assert_cmpstr (crm_sync_engine_get_last_error (fixture->engine), ==, "The server failed to handle the request");

  /* sent, kept, and no pull after a failed push */
  kept = only_mutation (fixture);
  g_assert_cmpstr (kept->key, ==, m->key);
  g_assert_cmpint (kept->state, ==, CRM_MUTATION_SENT);
  g_assert_cmpuint (crm_sync_engine_get_pending (fixture->engine), ==, 1);
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  g_assert_cmpstr (fixture->requests->pdata[0], ==, "POST /api/v1/mutations");

  /* the next sync sends it again with the same key */
  script (fixture, "/api/v1/mutations", SOUP_STATUS_OK, "{\"record\": null}");
  script_page (fixture, test_page ("c2"));
  g_assert_true (sync_and_wait (fixture));
  g_assert_nonnull (strstr (fixture->bodies->pdata[0], m->key));
  g_assert_cmpuint (crm_sync_engine_get_pending (fixture->engine), ==, 0);
}

static void
test_answered_503_is_failed_not_offline (Fixture       *fixture,
                                         gconstpointer  data)
{
  script (fixture, "/api/v1/sync", SOUP_STATUS_SERVICE_UNAVAILABLE,
          "{\"error\": {\"code\": \"unavailable\", \"message\": \"The database is unavailable; try again shortly\"}}");
  g_assert_false (sync_and_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_UNAVAILABLE);
  g_assert_cmpint (crm_sync_engine_get_status (fixture->engine), ==, CRM_SYNC_STATUS_FAILED);
}

static void
test_unreachable_server_is_offline (Fixture       *fixture,
                                    gconstpointer  data)
{
  soup_server_disconnect (fixture->server);
  g_assert_false (sync_and_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_UNAVAILABLE);
  g_assert_cmpint (crm_sync_engine_get_status (fixture->engine), ==, CRM_SYNC_STATUS_OFFLINE);
  g_assert_nonnull (crm_sync_engine_get_last_error (fixture->engine));
}

static void
test_malformed_pages_fail_and_change_nothing (Fixture       *fixture,
                                              gconstpointer  data)
{
  g_autofree char *cursor = NULL;
  g_autofree char *name = NULL;
  JsonObject *bad;

  script (fixture, "/api/v1/sync", SOUP_STATUS_OK, "[1, 2, 3]");
  g_assert_false (sync_and_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_assert_cmpint (crm_sync_engine_get_status (fixture->engine), ==, CRM_SYNC_STATUS_FAILED);

  bad = test_page ("c9");
  test_page_add_customer (bad, test_customer (1, "改了一半", 4));
  json_object_set_string_member (bad, "contacts", "not an array");
  script_page (fixture, bad);
  g_assert_false (sync_and_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_MALFORMED);

  /* more, but nowhere to go on from */
  bad = test_page (NULL);
  json_object_set_boolean_member (bad, "more", TRUE);
  script_page (fixture, bad);
  g_assert_false (sync_and_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_MALFORMED);

  cursor = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (cursor, ==, "c1");
  name = local_text (fixture, "SELECT name FROM customers");
  g_assert_cmpstr (name, ==, "上海浦东发展银行");
  g_assert_cmpuint (fixture->finished, ==, 3);
}

static void
test_reset_drops_the_copy_and_starts_over (Fixture       *fixture,
                                           gconstpointer  data)
{
  JsonObject *reset = test_page (NULL);
  JsonObject *page = test_page ("d1");
  g_autofree char *ids = NULL;
  g_autofree char *cursor = NULL;

  json_object_set_boolean_member (reset, "reset", TRUE);
  json_object_set_boolean_member (reset, "more", TRUE);
  script_page (fixture, reset);
  test_page_add_customer (page, test_customer (2, "中国东方航空", 1));
  json_object_set_int_member (page, "total", 1);
  script_page (fixture, page);

  crm_sync_engine_set_page_size (fixture->engine, 7);
  g_assert_true (sync_and_wait (fixture));
  g_assert_true (fixture->saw_first_sync);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  g_assert_cmpstr (fixture->requests->pdata[0], ==, "GET /api/v1/sync?cursor=c1&limit=7");
  g_assert_cmpstr (fixture->requests->pdata[1], ==, "GET /api/v1/sync?limit=7");
  ids = local_text (fixture, "SELECT group_concat(id) FROM customers");
  g_assert_cmpstr (ids, ==, test_id (2));
  cursor = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (cursor, ==, "d1");
  g_assert_cmpuint (crm_sync_engine_get_total (fixture->engine), ==, 1);
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 1);

  /* a reset asked for without a cursor would never end */
  reset = test_page (NULL);
  json_object_set_boolean_member (reset, "reset", TRUE);
  json_object_set_boolean_member (reset, "more", TRUE);
  crm_store_reset (fixture->store.store, NULL);
  script_page (fixture, reset);
  g_assert_false (sync_and_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_MALFORMED);
}

static void
test_pages_follow_the_cursor (Fixture       *fixture,
                              gconstpointer  data)
{
  JsonObject *first = test_page ("p1");
  JsonObject *second = test_page ("p2");

  json_object_set_boolean_member (first, "more", TRUE);
  test_page_add_customer (first, test_customer (3, "中国商飞", 1));
  test_page_add_removal (second, "contact", 11, 1);
  script_page (fixture, first);
  script_page (fixture, second);

  g_assert_true (sync_and_wait (fixture));
  g_assert_false (fixture->saw_first_sync);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  g_assert_cmpstr (fixture->requests->pdata[0], ==, "GET /api/v1/sync?cursor=c1&limit=1000");
  g_assert_cmpstr (fixture->requests->pdata[1], ==, "GET /api/v1/sync?cursor=p1&limit=1000");
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 2);
  g_assert_cmpuint (crm_sync_engine_get_total (fixture->engine), ==, 0);
  g_assert_null (local_text (fixture, "SELECT id FROM contacts"));
}

/* While the store applies page 1, the engine asks for page 2: page 1's
 * cursor is known once page 1 is parsed. */
static void
test_next_page_is_asked_for_while_the_one_before_is_applied (Fixture       *fixture,
                                                             gconstpointer  data)
{
  JsonObject *first = test_page ("p1");
  JsonObject *second = test_page ("p2");
  static const guint all[] = { 1, 3, 4 };
  g_autofree char *expected = ids_of (all, G_N_ELEMENTS (all));
  g_autofree char *cursor = NULL;
  g_autofree char *applied = NULL;
  g_autofree char *ids = NULL;
  sqlite3 *lock;

  json_object_set_boolean_member (first, "more", TRUE);
  test_page_add_customer (first, test_customer (3, "中国商飞", 1));
  test_page_add_customer (second, test_customer (4, "中远海运", 1));
  script_page (fixture, first);
  script_page (fixture, second);

  lock = hold_store_writes (fixture);
  sync_start (fixture);
  iterate_until_requests (fixture, 2, 3000);
  /* page 1 is not applied, and cannot be while the lock is held: page 2
   * was asked for all the same, from page 1's cursor */
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  g_assert_cmpstr (fixture->requests->pdata[0], ==, "GET /api/v1/sync?cursor=c1&limit=1000");
  g_assert_cmpstr (fixture->requests->pdata[1], ==, "GET /api/v1/sync?cursor=p1&limit=1000");
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 0);
  cursor = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (cursor, ==, "c1");
  g_assert_false (fixture->done);

  release_store_writes (lock);
  g_assert_true (sync_wait (fixture));
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 2);
  applied = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (applied, ==, "p2");
  ids = local_ids (fixture);
  g_assert_cmpstr (ids, ==, expected);
}

/* Page 1's head names page 2 (Keyline-Sync-Next): page 2 is asked for
 * before page 1's body has come, and both are applied in order. */
static void
test_next_page_is_asked_for_from_the_head (Fixture       *fixture,
                                           gconstpointer  data)
{
  JsonObject *first = test_page ("p1");
  JsonObject *second = test_page ("p2");
  static const guint all[] = { 1, 3, 4 };
  g_autofree char *expected = ids_of (all, G_N_ELEMENTS (all));
  g_autofree char *applied = NULL;
  g_autofree char *ids = NULL;

  json_object_set_boolean_member (first, "more", TRUE);
  test_page_add_customer (first, test_customer (3, "中国商飞", 1));
  test_page_add_customer (second, test_customer (4, "中远海运", 1));
  script_page_ahead (fixture, first, "p1", TRUE);
  script_page (fixture, second);

  sync_start (fixture);
  iterate_until_requests (fixture, 2, 3000);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  g_assert_cmpstr (fixture->requests->pdata[1], ==, "GET /api/v1/sync?cursor=p1&limit=1000");
  g_assert_nonnull (fixture->held);       /* page 1's body has not gone out */
  iterate_for (100);
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 0);

  release_held (fixture);
  g_assert_true (sync_wait (fixture));
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 2);
  applied = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (applied, ==, "p2");
  ids = local_ids (fixture);
  g_assert_cmpstr (ids, ==, expected);
}

/* A head that names another next page than its body fails the sync, and
 * neither page is applied. */
static void
test_head_and_body_that_disagree_fail (Fixture       *fixture,
                                       gconstpointer  data)
{
  JsonObject *first = test_page ("p1");
  JsonObject *second = test_page ("p2");
  g_autofree char *cursor = NULL;
  g_autofree char *ids = NULL;

  json_object_set_boolean_member (first, "more", TRUE);
  test_page_add_customer (first, test_customer (3, "中国商飞", 1));
  test_page_add_customer (second, test_customer (4, "中远海运", 1));
  script_page_ahead (fixture, first, "p9", FALSE);
  script_page (fixture, second);

  g_assert_false (sync_and_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_MALFORMED);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  g_assert_cmpstr (fixture->requests->pdata[1], ==, "GET /api/v1/sync?cursor=p9&limit=1000");
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 0);
  cursor = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (cursor, ==, "c1");
  ids = local_ids (fixture);
  g_assert_cmpstr (ids, ==, test_id (1));
}

/* The GET of page 2 fails while page 1 is applied: page 1 stays, with its
 * cursor, the sync fails with page 2's error once page 1 is in, and the
 * next sync goes on from page 1's cursor. */
static void
test_failed_next_page_keeps_the_page_being_applied (Fixture       *fixture,
                                                    gconstpointer  data)
{
  JsonObject *first = test_page ("p1");
  JsonObject *second = test_page ("p2");
  static const guint after_first[] = { 1, 3 };
  static const guint all[] = { 1, 3, 4 };
  g_autofree char *expected_first = ids_of (after_first, G_N_ELEMENTS (after_first));
  g_autofree char *expected_all = ids_of (all, G_N_ELEMENTS (all));
  g_autofree char *cursor = NULL;
  g_autofree char *resumed = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *ids_after = NULL;
  sqlite3 *lock;

  json_object_set_boolean_member (first, "more", TRUE);
  test_page_add_customer (first, test_customer (3, "中国商飞", 1));
  script_page (fixture, first);
  script (fixture, "/api/v1/sync", SOUP_STATUS_INTERNAL_SERVER_ERROR,
          "{\"error\": {\"code\": \"internal\", \"message\": \"The server failed to handle the request\"}}");

  lock = hold_store_writes (fixture);
  sync_start (fixture);
  iterate_until_requests (fixture, 2, 3000);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  /* the engine gets page 2's failure; the run waits for page 1 */
  iterate_for (200);
  g_assert_false (fixture->done);
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 0);

  release_store_writes (lock);
  g_assert_false (sync_wait (fixture));
  g_assert_error (fixture->error, CRM_ERROR, CRM_ERROR_INTERNAL);
  g_assert_cmpint (crm_sync_engine_get_status (fixture->engine), ==, CRM_SYNC_STATUS_FAILED);
  g_assert_cmpuint (fixture->finished, ==, 1);
  /* page 1 is in, with its cursor */
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 1);
  cursor = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (cursor, ==, "p1");
  ids = local_ids (fixture);
  g_assert_cmpstr (ids, ==, expected_first);

  /* the next sync asks for page 2 from there */
  test_page_add_customer (second, test_customer (4, "中远海运", 1));
  script_page (fixture, second);
  g_assert_true (sync_and_wait (fixture));
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  g_assert_cmpstr (fixture->requests->pdata[0], ==, "GET /api/v1/sync?cursor=p1&limit=1000");
  g_assert_false (fixture->saw_first_sync);
  g_assert_cmpint (crm_sync_engine_get_status (fixture->engine), ==, CRM_SYNC_STATUS_IDLE);
  resumed = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (resumed, ==, "p2");
  ids_after = local_ids (fixture);
  g_assert_cmpstr (ids_after, ==, expected_all);
}

/* Stopped while page 1 is applied and page 2 has come: page 1 is applied
 * with its cursor, page 2 is dropped (a cancel stops between pages), no
 * page 3 is asked for, and the next sync asks for page 2 again. */
static void
test_stop_mid_pipeline_keeps_a_consistent_store (Fixture       *fixture,
                                                 gconstpointer  data)
{
  JsonObject *first = test_page ("p1");
  JsonObject *second = test_page ("p2");
  JsonObject *third = test_page ("p3");
  static const guint after_first[] = { 1, 3 };
  static const guint all[] = { 1, 3, 4, 5 };
  g_autofree char *expected_first = ids_of (after_first, G_N_ELEMENTS (after_first));
  g_autofree char *expected_all = ids_of (all, G_N_ELEMENTS (all));
  g_autofree char *cursor = NULL;
  g_autofree char *resumed = NULL;
  g_autofree char *ids = NULL;
  g_autofree char *ids_after = NULL;
  g_autofree char *contact = NULL;
  sqlite3 *lock;

  json_object_set_boolean_member (first, "more", TRUE);
  test_page_add_customer (first, test_customer (3, "中国商飞", 1));
  json_object_set_boolean_member (second, "more", TRUE);
  test_page_add_customer (second, test_customer (4, "中远海运", 1));
  test_page_add_removal (second, "contact", 11, 1);
  script_page (fixture, first);
  script_page (fixture, json_object_ref (second));

  lock = hold_store_writes (fixture);
  sync_start (fixture);
  iterate_until_requests (fixture, 2, 3000);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  iterate_for (200);   /* page 2 comes, is parsed, and waits for page 1 */
  g_assert_false (fixture->done);
  crm_sync_engine_stop (fixture->engine);
  release_store_writes (lock);

  g_assert_false (sync_wait (fixture));
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (crm_sync_engine_get_status (fixture->engine), ==, CRM_SYNC_STATUS_IDLE);
  g_assert_cmpuint (fixture->finished, ==, 1);
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  /* page 1 whole, with its cursor; nothing of page 2 */
  g_assert_cmpuint (crm_sync_engine_get_received (fixture->engine), ==, 1);
  cursor = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (cursor, ==, "p1");
  ids = local_ids (fixture);
  g_assert_cmpstr (ids, ==, expected_first);
  contact = local_text (fixture, "SELECT id FROM contacts");
  g_assert_cmpstr (contact, ==, test_id (11));

  /* the next sync asks for page 2 again, from page 1's cursor */
  test_page_add_customer (third, test_customer (5, "招商局集团", 1));
  script_page (fixture, second);
  script_page (fixture, third);
  g_assert_true (sync_and_wait (fixture));
  g_assert_cmpuint (fixture->requests->len, ==, 2);
  g_assert_cmpstr (fixture->requests->pdata[0], ==, "GET /api/v1/sync?cursor=p1&limit=1000");
  g_assert_cmpstr (fixture->requests->pdata[1], ==, "GET /api/v1/sync?cursor=p2&limit=1000");
  resumed = crm_store_dup_cursor (fixture->store.store);
  g_assert_cmpstr (resumed, ==, "p3");
  ids_after = local_ids (fixture);
  g_assert_cmpstr (ids_after, ==, expected_all);
  g_assert_null (local_text (fixture, "SELECT id FROM contacts"));
}

static CrmMutation *
edit (Fixture    *fixture,
      CrmEntity   entity,
      guint       n,
      const char *field,
      const char *value)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  CrmMutation *m;

  json_object_set_string_member (fields, field, value);
  m = crm_store_enqueue_update (fixture->store.store, entity, test_id (n), fields, &error);
  g_assert_no_error (error);
  return m;
}

static CrmMutation *
find_mutation (Fixture *fixture,
               gint64   seq)
{
  g_autoptr(GError) error = NULL;
  CrmMutation *m = crm_store_get_mutation (fixture->store.store, seq, &error);

  if (g_error_matches (error, CRM_ERROR, CRM_ERROR_NOT_FOUND))
    return NULL;
  g_assert_no_error (error);
  return m;
}

/* How a server answers an update whose field a colleague changed first:
 * 412 precondition_failed, or (a server before issue 10, or the answer it
 * kept for a retry) 409 conflict; the body is the same. */
typedef struct
{
  guint       status;
  const char *code;
} StaleAnswer;

static const StaleAnswer stale_412 = { 412, "precondition_failed" };
static const StaleAnswer stale_409 = { 409, "conflict" };

static void
test_conflict_keeps_the_change_and_goes_on_with_other_records (Fixture       *fixture,
                                                               gconstpointer  data)
{
  const StaleAnswer *answer = data;
  g_autoptr(CrmMutation) mine = edit (fixture, CRM_ENTITY_CUSTOMER, 1, "name", "我的改名");
  g_autoptr(CrmMutation) contact = edit (fixture, CRM_ENTITY_CONTACT, 11, "title", "采购经理");
  g_autoptr(CrmMutation) later = edit (fixture, CRM_ENTITY_CUSTOMER, 1, "industry", "金融");
  g_autoptr(JsonObject) theirs = test_customer (1, "同事的改名", 4);
  g_autoptr(JsonObject) confirmed = test_contact (11, 1, "李娜", TRUE, 3);
  g_autoptr(JsonNode) conflict_answer = NULL;
  g_autoptr(JsonNode) done_answer = NULL;
  g_autoptr(CrmMutation) kept = NULL;
  g_autoptr(CrmMutation) waiting = NULL;
  g_autoptr(CrmMutation) gone = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *conflict_text = NULL;
  g_autofree char *done_text = NULL;
  g_autofree char *name = NULL;
  g_autofree char *tier = NULL;
  JsonObject *body;
  JsonObject *sent;

  json_object_set_string_member (theirs, "tier", "strategic");
  conflict_answer = json_from_string ("{\"error\": {\"code\": \"\", \"message\": \"Someone else changed name\","
                                      " \"field\": \"name\"}, \"conflicts\": [{\"field\": \"name\","
                                      " \"base\": \"上海浦东发展银行\", \"mine\": \"我的改名\", \"theirs\": \"同事的改名\"}]}",
                                      NULL);
  json_object_set_string_member (json_object_get_object_member (json_node_get_object (conflict_answer), "error"),
                                 "code", answer->code);
  json_object_set_object_member (json_node_get_object (conflict_answer), "record", json_object_ref (theirs));
  conflict_text = json_to_string (conflict_answer, FALSE);
  json_object_set_string_member (confirmed, "title", "采购经理");
  done_answer = json_node_init_object (json_node_alloc (), json_object_new ());
  json_object_set_object_member (json_node_get_object (done_answer), "record", json_object_ref (confirmed));
  done_text = json_to_string (done_answer, FALSE);

  script (fixture, "/api/v1/mutations", answer->status, conflict_text);
  script (fixture, "/api/v1/mutations", SOUP_STATUS_OK, done_text);
  script_page (fixture, test_page ("c2"));
  g_assert_true (sync_and_wait (fixture));

  /* the conflict did not stop the contact's change; the customer's later
   * change waits behind the conflict */
  g_assert_cmpuint (fixture->requests->len, ==, 3);
  g_assert_cmpstr (fixture->requests->pdata[0], ==, "POST /api/v1/mutations");
  g_assert_cmpstr (fixture->requests->pdata[1], ==, "POST /api/v1/mutations");
  g_assert_nonnull (strstr (fixture->bodies->pdata[1], contact->key));
  g_assert_true (g_str_has_prefix (fixture->requests->pdata[2], "GET /api/v1/sync"));

  /* the first body carried the base of the change */
  g_assert_true (json_parser_load_from_data (parser, fixture->bodies->pdata[0], -1, NULL));
  sent = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (sent, "key"), ==, mine->key);
  body = json_object_get_object_member (sent, "base");
  g_assert_cmpstr (json_object_get_string_member (body, "name"), ==, "上海浦东发展银行");

  /* ::conflict with the change as kept and the current record */
  g_assert_cmpuint (fixture->conflicts, ==, 1);
  g_assert_nonnull (fixture->conflict_mutation);
  g_assert_cmpint (fixture->conflict_mutation->state, ==, CRM_MUTATION_CONFLICT);
  g_assert_cmpuint (json_array_get_length (fixture->conflict_mutation->conflicts), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (fixture->conflict_current, "name"), ==, "同事的改名");

  kept = find_mutation (fixture, mine->seq);
  g_assert_nonnull (kept);
  g_assert_cmpint (kept->state, ==, CRM_MUTATION_CONFLICT);
  waiting = find_mutation (fixture, later->seq);
  g_assert_nonnull (waiting);
  g_assert_cmpint (waiting->state, ==, CRM_MUTATION_PENDING);
  gone = find_mutation (fixture, contact->seq);
  g_assert_null (gone);
  /* mine shows, with the colleague's other change */
  name = local_text (fixture, "SELECT name FROM customers");
  g_assert_cmpstr (name, ==, "我的改名");
  tier = local_text (fixture, "SELECT tier FROM customers");
  g_assert_cmpstr (tier, ==, "strategic");
  /* pending: the waiting change only (the conflict waits for the user) */
  g_assert_cmpuint (crm_sync_engine_get_pending (fixture->engine), ==, 1);
}

static void
test_refusals_stay_visible_as_failed (Fixture       *fixture,
                                      gconstpointer  data)
{
  g_autoptr(CrmMutation) reused = edit (fixture, CRM_ENTITY_CUSTOMER, 1, "name", "改名一");
  g_autoptr(CrmMutation) missing = edit (fixture, CRM_ENTITY_CONTACT, 11, "title", "经理");
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) create = NULL;
  g_autoptr(GPtrArray) queue = NULL;

  json_object_set_string_member (fields, "name", "陈晓明");
  json_object_set_string_member (fields, "customer_id", test_id (1));
  create = crm_store_enqueue_create (fixture->store.store, CRM_ENTITY_CONTACT, NULL, fields, &error);
  g_assert_no_error (error);

  script (fixture, "/api/v1/mutations", 422,
          "{\"error\": {\"code\": \"idempotency_key_reused\", \"message\": \"This key was used for another change\","
          " \"field\": \"key\"}}");
  script (fixture, "/api/v1/mutations", SOUP_STATUS_NOT_FOUND,
          "{\"error\": {\"code\": \"not_found\", \"message\": \"No such contact\", \"field\": \"id\"}}");
  script (fixture, "/api/v1/mutations", 409,
          "{\"error\": {\"code\": \"conflict\", \"message\": \"The record exists already\", \"field\": \"id\"}}");
  script_page (fixture, test_page ("c2"));
  g_assert_true (sync_and_wait (fixture));

  g_assert_cmpuint (fixture->conflicts, ==, 0);
  queue = crm_store_list_mutations (fixture->store.store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 3);
  for (guint i = 0; i < queue->len; i++)
    g_assert_cmpint (((CrmMutation *) queue->pdata[i])->state, ==, CRM_MUTATION_FAILED);
  /* each with the field the server named, if it named one */
  g_assert_cmpstr (((CrmMutation *) queue->pdata[0])->last_error, ==,
                   "idempotency_key_reused (key): This key was used for another change");
  g_assert_cmpstr (((CrmMutation *) queue->pdata[1])->last_error, ==, "not_found (id): No such contact");
  g_assert_cmpstr (((CrmMutation *) queue->pdata[2])->last_error, ==, "conflict (id): The record exists already");
  g_assert_cmpuint (crm_sync_engine_get_pending (fixture->engine), ==, 0);
}

static void
test_conflict_of_an_earlier_session_is_announced_once (Fixture       *fixture,
                                                       gconstpointer  data)
{
  g_autoptr(CrmMutation) mine = edit (fixture, CRM_ENTITY_CUSTOMER, 1, "name", "我的改名");
  g_autoptr(CrmMutation) sent = NULL;
  g_autoptr(JsonArray) conflicts = json_array_new ();
  g_autoptr(JsonObject) conflict = json_object_new ();
  g_autoptr(GError) error = NULL;

  /* a conflict the store kept from an earlier session */
  sent = crm_store_next_mutation (fixture->store.store, &error);
  g_assert_no_error (error);
  json_object_set_string_member (conflict, "field", "name");
  json_object_set_string_member (conflict, "base", "上海浦东发展银行");
  json_object_set_string_member (conflict, "mine", "我的改名");
  json_object_set_string_member (conflict, "theirs", "浦发银行");
  json_array_add_object_element (conflicts, json_object_ref (conflict));
  g_assert_true (crm_store_mutation_conflict (fixture->store.store, mine->seq, NULL, conflicts, NULL, &error));
  g_assert_no_error (error);

  /* this engine's first run offers it again; nothing is sent */
  script_page (fixture, test_page ("c2"));
  g_assert_true (sync_and_wait (fixture));
  g_assert_cmpuint (fixture->requests->len, ==, 1);
  g_assert_cmpuint (fixture->conflicts, ==, 1);
  g_assert_nonnull (fixture->conflict_mutation);
  g_assert_cmpint (fixture->conflict_mutation->seq, ==, mine->seq);
  g_assert_cmpint (fixture->conflict_mutation->state, ==, CRM_MUTATION_CONFLICT);
  g_assert_null (fixture->conflict_current);

  /* once */
  script_page (fixture, test_page ("c3"));
  g_assert_true (sync_and_wait (fixture));
  g_assert_cmpuint (fixture->conflicts, ==, 1);
}

static void
test_created_contact_is_confirmed (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(JsonObject) record = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *text = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *version = NULL;

  json_object_set_string_member (fields, "name", "陈晓明");
  json_object_set_string_member (fields, "customer_id", test_id (1));
  m = crm_store_enqueue_create (fixture->store.store, CRM_ENTITY_CONTACT, NULL, fields, &error);
  g_assert_no_error (error);

  record = test_contact (12, 1, "陈晓明", FALSE, 1);
  json_object_set_string_member (record, "id", m->record_id);
  answer = json_node_init_object (json_node_alloc (), json_object_new ());
  json_object_set_object_member (json_node_get_object (answer), "record", json_object_ref (record));
  text = json_to_string (answer, FALSE);
  script (fixture, "/api/v1/mutations", SOUP_STATUS_CREATED, text);
  script_page (fixture, test_page ("c2"));

  g_assert_true (sync_and_wait (fixture));
  g_assert_nonnull (strstr (fixture->bodies->pdata[0], "\"op\":\"create\""));
  sql = g_strdup_printf ("SELECT version FROM contacts WHERE id = '%s'", m->record_id);
  version = local_text (fixture, sql);
  g_assert_cmpstr (version, ==, "1");
  g_assert_cmpuint (crm_sync_engine_get_pending (fixture->engine), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/sync/answers/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("server-error-in-the-push-keeps-the-queue", test_server_error_in_the_push_keeps_the_queue);
  ADD ("answered-503-is-failed-not-offline", test_answered_503_is_failed_not_offline);
  ADD ("unreachable-server-is-offline", test_unreachable_server_is_offline);
  ADD ("malformed-pages-fail-and-change-nothing", test_malformed_pages_fail_and_change_nothing);
  ADD ("reset-drops-the-copy-and-starts-over", test_reset_drops_the_copy_and_starts_over);
  ADD ("pages-follow-the-cursor", test_pages_follow_the_cursor);
  ADD ("next-page-is-asked-for-while-the-one-before-is-applied",
       test_next_page_is_asked_for_while_the_one_before_is_applied);
  ADD ("failed-next-page-keeps-the-page-being-applied", test_failed_next_page_keeps_the_page_being_applied);
  ADD ("stop-mid-pipeline-keeps-a-consistent-store", test_stop_mid_pipeline_keeps_a_consistent_store);
  ADD ("next-page-is-asked-for-from-the-head", test_next_page_is_asked_for_from_the_head);
  ADD ("head-and-body-that-disagree-fail", test_head_and_body_that_disagree_fail);
  g_test_add ("/sync/answers/stale-update-412-keeps-the-change-and-goes-on-with-other-records", Fixture,
              &stale_412, fixture_set_up, test_conflict_keeps_the_change_and_goes_on_with_other_records,
              fixture_tear_down);
  g_test_add ("/sync/answers/stale-update-409-of-an-older-server-is-kept-the-same-way", Fixture,
              &stale_409, fixture_set_up, test_conflict_keeps_the_change_and_goes_on_with_other_records,
              fixture_tear_down);
  ADD ("refusals-stay-visible-as-failed", test_refusals_stay_visible_as_failed);
  ADD ("conflict-of-an-earlier-session-is-announced-once", test_conflict_of_an_earlier_session_is_announced_once);
  ADD ("created-contact-is-confirmed", test_created_contact_is_confirmed);
#undef ADD

  return g_test_run ();
}
