/* The sync engine (client/crm-sync-engine.c) with the real server, in
 * process on port 0, against a seeded throwaway database
 * (keyline-server seed --customers 300 --seed 3).  No display: the client
 * library is linked, but nothing here makes a widget.  Each client is a
 * CrmApi signed in through POST /session, a CrmStore in a temporary
 * directory and an engine; the test iterates its main context while the
 * server answers from its own threads. */
#define G_LOG_DOMAIN "test-sync-engine"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "crm-api.h"
#include "crm-auth.h"
#include "crm-config.h"
#include "crm-cursor.h"
#include "crm-entity.h"
#include "crm-error.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-store.h"
#include "crm-sync-engine.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

#define PASSWORD "keyline"

static CrmConfig *config;
static CrmServer *server;
static char *base_url;   /* http://127.0.0.1:PORT */

/* The database ------------------------------------------------------------ */

static PGconn *
admin_connection (void)
{
  return crm_test_pg_connect_as_admin (config->database);
}

static char *
scalar (PGconn     *conn,
        const char *sql,
        const char *param1,
        const char *param2)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param1, param2);

  return PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

static gint64
scalar_int (PGconn     *conn,
            const char *sql,
            const char *param1,
            const char *param2)
{
  g_autofree char *text = scalar (conn, sql, param1, param2);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

/* The @n-th (from 0) customer of @login that has a contact, by id. */
static char *
customer_of (PGconn     *conn,
             const char *login,
             guint       n)
{
  g_autofree char *offset = g_strdup_printf ("%u", n);

  return scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                       " WHERE u.login = $1 AND EXISTS (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id)"
                       " ORDER BY c.id LIMIT 1 OFFSET $2::integer", login, offset);
}

static gint64
customer_version (PGconn     *conn,
                  const char *id)
{
  return scalar_int (conn, "SELECT version FROM crm.customers WHERE id = $1", id, NULL);
}

/* id -> version of what @login owns (customers) or the contacts of those. */
static GHashTable *
server_versions (PGconn     *conn,
                 const char *table,
                 const char *login)
{
  const char *sql = g_str_equal (table, "customers")
    ? "SELECT c.id, c.version FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id WHERE u.login = $1"
    : "SELECT k.id, k.version FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id"
      " JOIN crm.users u ON u.id = c.owner_id WHERE u.login = $1";
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, login, NULL);
  GHashTable *versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_insert (versions, g_strdup (PQgetvalue (res, i, 0)),
                         GINT_TO_POINTER (atoi (PQgetvalue (res, i, 1))));
  return versions;
}

/* The store's file ------------------------------------------------------- */

static sqlite3 *
store_connection (CrmStore *store)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (crm_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* id -> version of a table of the store's file. */
static GHashTable *
local_versions (CrmStore   *store,
                const char *table)
{
  sqlite3 *db = store_connection (store);
  sqlite3_stmt *s = NULL;
  GHashTable *versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *sql = g_str_equal (table, "customers") ? "SELECT id, version FROM customers"
                                                      : "SELECT id, version FROM contacts";

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
  while (sqlite3_step (s) == SQLITE_ROW)
    g_hash_table_insert (versions, g_strdup ((const char *) sqlite3_column_text (s, 0)),
                         GINT_TO_POINTER (sqlite3_column_int (s, 1)));
  sqlite3_finalize (s);
  sqlite3_close (db);
  return versions;
}

/* One text of the store's file, or NULL. */
static char *
local_text (CrmStore   *store,
            const char *sql,
            const char *param)
{
  sqlite3 *db = store_connection (store);
  sqlite3_stmt *s = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &s, NULL), ==, SQLITE_OK);
  if (param != NULL)
    sqlite3_bind_text (s, 1, param, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (s) == SQLITE_ROW && sqlite3_column_type (s, 0) != SQLITE_NULL)
    text = g_strdup ((const char *) sqlite3_column_text (s, 0));
  sqlite3_finalize (s);
  sqlite3_close (db);
  return text;
}

/* The store holds exactly what @login may see, at the server's versions. */
static void
assert_store_matches (CrmStore   *store,
                      PGconn     *conn,
                      const char *login)
{
  const char *tables[2] = { "customers", "contacts" };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autoptr(GHashTable) expected = server_versions (conn, tables[t], login);
      g_autoptr(GHashTable) local = local_versions (store, tables[t]);
      GHashTableIter iter;
      gpointer key, value;

      g_test_message ("%s: server %u, store %u", tables[t], g_hash_table_size (expected), g_hash_table_size (local));
      g_hash_table_iter_init (&iter, expected);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          if (!g_hash_table_contains (local, key))
            g_error ("%s %s (version %d) is missing from the store", tables[t], (char *) key, GPOINTER_TO_INT (value));
          g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (local, key)), ==, GPOINTER_TO_INT (value));
        }
      g_assert_cmpuint (g_hash_table_size (local), ==, g_hash_table_size (expected));
    }
}

static guint
queue_length (CrmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queue = crm_store_list_mutations (store, &error);

  g_assert_no_error (error);
  return queue->len;
}

/* A client ------------------------------------------------------------------ */

typedef struct
{
  char          *dir;
  char          *token;
  CrmApi        *api;
  CrmStore      *store;
  CrmSyncEngine *engine;
  /* what it said */
  guint          conflicts;
  JsonObject    *conflict_current;
  CrmMutation   *conflict_mutation;
  guint          unauthenticated;
  guint          finished;
  guint          finished_ok;
  guint          changed;          /* ::customers-changed of the store */
  GArray        *received;         /* guint64: each notify::received */
  gboolean       saw_first_sync;
  gboolean       saw_running;
  /* the last sync_async */
  gboolean       done;
  gboolean       ok;
  GError        *error;
} Client;

static void
conflict_cb (CrmSyncEngine *engine,
             CrmMutation   *mutation,
             JsonObject    *current,
             Client        *c)
{
  c->conflicts++;
  g_clear_pointer (&c->conflict_current, json_object_unref);
  g_clear_pointer (&c->conflict_mutation, crm_mutation_unref);
  c->conflict_current = current ? json_object_ref (current) : NULL;
  c->conflict_mutation = crm_mutation_ref (mutation);
}

static void
unauthenticated_cb (CrmSyncEngine *engine,
                    Client        *c)
{
  c->unauthenticated++;
}

static void
finished_cb (CrmSyncEngine *engine,
             gboolean       success,
             Client        *c)
{
  c->finished++;
  c->finished_ok += success;
  /* the properties are set first */
  g_assert_cmpint (crm_sync_engine_get_status (engine), !=, CRM_SYNC_STATUS_RUNNING);
}

static void
received_cb (CrmSyncEngine *engine,
             GParamSpec    *pspec,
             Client        *c)
{
  guint64 received = crm_sync_engine_get_received (engine);

  g_array_append_val (c->received, received);
}

static void
status_cb (CrmSyncEngine *engine,
           GParamSpec    *pspec,
           Client        *c)
{
  c->saw_running |= crm_sync_engine_get_status (engine) == CRM_SYNC_STATUS_RUNNING;
}

static void
first_sync_cb (CrmSyncEngine *engine,
               GParamSpec    *pspec,
               Client        *c)
{
  c->saw_first_sync |= crm_sync_engine_get_first_sync (engine);
}

static void
customers_changed_cb (CrmStore *store,
                      GStrv     ids,
                      Client   *c)
{
  c->changed++;
}

static Client *
client_new_with_api (const char *login,
                     CrmApi     *api)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  Client *c = g_new0 (Client, 1);

  c->dir = g_dir_make_tmp ("keyline-sync-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (c->dir, "store.sqlite", NULL);
  c->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  c->token = sign_in_with (login, PASSWORD);
  c->api = g_object_ref (api);
  crm_api_set_token (c->api, c->token);
  c->engine = crm_sync_engine_new (c->api, c->store);
  c->received = g_array_new (FALSE, FALSE, sizeof (guint64));

  g_signal_connect (c->engine, "conflict", G_CALLBACK (conflict_cb), c);
  g_signal_connect (c->engine, "unauthenticated", G_CALLBACK (unauthenticated_cb), c);
  g_signal_connect (c->engine, "finished", G_CALLBACK (finished_cb), c);
  g_signal_connect (c->engine, "notify::received", G_CALLBACK (received_cb), c);
  g_signal_connect (c->engine, "notify::status", G_CALLBACK (status_cb), c);
  g_signal_connect (c->engine, "notify::first-sync", G_CALLBACK (first_sync_cb), c);
  g_signal_connect (c->store, "customers-changed", G_CALLBACK (customers_changed_cb), c);
  return c;
}

static Client *
client_new (const char *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmApi) api = crm_api_new (base_url, &error);

  g_assert_no_error (error);
  return client_new_with_api (login, api);
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
client_free (Client *c)
{
  const char *names[] = { "store.sqlite", "store.sqlite-wal", "store.sqlite-shm" };

  g_signal_handlers_disconnect_by_data (c->store, c);
  wait_for_last_ref (c->engine);
  g_assert_finalize_object (c->engine);
  g_object_unref (c->api);
  wait_for_last_ref (c->store);
  g_assert_finalize_object (c->store);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (c->dir, names[i], NULL);

      g_remove (path);
    }
  g_rmdir (c->dir);
  g_free (c->dir);
  g_free (c->token);
  g_clear_pointer (&c->conflict_current, json_object_unref);
  g_clear_pointer (&c->conflict_mutation, crm_mutation_unref);
  g_array_unref (c->received);
  g_clear_error (&c->error);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static gboolean
timed_out_cb (gpointer data)
{
  g_error ("Timed out waiting for the sync engine");
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *@done. */
static void
wait_until (gboolean *done)
{
  guint timeout = g_timeout_add_seconds (120, timed_out_cb, NULL);

  while (!*done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
}

/* Iterates the main context for @ms milliseconds. */
static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
}

/* Iterates the main context until @c finished @n syncs, failing after 30 s. */
static void
wait_for_finished (Client *c,
                   guint   n)
{
  gint64 end = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (c->finished < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

static void
synced_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Client *c = user_data;

  g_clear_error (&c->error);
  c->ok = crm_sync_engine_sync_finish (CRM_SYNC_ENGINE (object), result, &c->error);
  c->done = TRUE;
}

static void
sync_start (Client *c)
{
  c->done = FALSE;
  g_array_set_size (c->received, 0);
  c->saw_first_sync = FALSE;
  c->saw_running = FALSE;
  crm_sync_engine_sync_async (c->engine, NULL, synced_cb, c);
}

/* One sync, waited for; returns whether it succeeded (c->error says why not). */
static gboolean
sync_and_wait (Client *c)
{
  sync_start (c);
  wait_until (&c->done);
  /* the count of "pending" after the edits of the test runs in a worker */
  spin (20);
  return c->ok;
}

static CrmMutation *
edit_customer (Client     *c,
               const char *id,
               const char *field,
               const char *value)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  CrmMutation *m;

  json_object_set_string_member (fields, field, value);
  m = crm_store_enqueue_update (c->store, CRM_ENTITY_CUSTOMER, id, fields, &error);
  g_assert_no_error (error);
  return m;
}

/* Tests ------------------------------------------------------------------- */

static void
test_first_sync_fills_the_store_with_what_the_user_may_see (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(Response) first = get ("sync?limit=1", c->token);
  gint64 first_total = json_object_get_int_member (obj (first), "total");
  gint64 records = scalar_int (conn, "SELECT (SELECT count(*) FROM crm.customers c JOIN crm.users u"
                                     "   ON u.id = c.owner_id WHERE u.login = 'manager')"
                                     " + (SELECT count(*) FROM crm.contacts k"
                                     "   JOIN crm.customers c ON c.id = k.customer_id JOIN crm.users u"
                                     "   ON u.id = c.owner_id WHERE u.login = 'manager')", NULL, NULL);
  g_autofree char *cursor = NULL;

  g_assert_null (crm_sync_engine_get_last_synced (c->engine));
  crm_sync_engine_set_page_size (c->engine, 40);
  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);

  assert_store_matches (c->store, conn, "manager");
  /* the total counts every entity's rows (GET /sync sends them all since
   * issue 8), and the engine receives and the store keeps each once */
  g_assert_cmpint (first_total, >, records);
  g_assert_cmpuint (crm_sync_engine_get_total (c->engine), ==, first_total);
  g_assert_cmpuint (crm_sync_engine_get_received (c->engine), ==, first_total);   /* nothing twice */
  {
    g_autoptr(GPtrArray) subscriptions = crm_store_get_records (c->store, CRM_ENTITY_SUBSCRIPTION, NULL, NULL);
    gint64 own = scalar_int (conn, "SELECT count(*) FROM crm.subscriptions s JOIN crm.customers c ON c.id = s.customer_id"
                                   " JOIN crm.users u ON u.id = c.owner_id WHERE u.login = 'manager'", NULL, NULL);

    g_assert_nonnull (subscriptions);
    g_assert_cmpint (own, >, 0);
    g_assert_cmpint (subscriptions->len, ==, own);
  }

  /* progress: one notification a page, growing */
  g_test_message ("%u pages of 40 for %" G_GINT64_FORMAT " records", c->received->len, first_total);
  g_assert_cmpuint (c->received->len, >=, (guint) (first_total / 40));
  for (guint i = 1; i < c->received->len; i++)
    g_assert_cmpuint (g_array_index (c->received, guint64, i), >, g_array_index (c->received, guint64, i - 1));

  g_assert_true (c->saw_running);
  g_assert_true (c->saw_first_sync);
  g_assert_false (crm_sync_engine_get_first_sync (c->engine));
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_IDLE);
  g_assert_nonnull (crm_sync_engine_get_last_synced (c->engine));
  g_assert_null (crm_sync_engine_get_last_error (c->engine));
  g_assert_cmpuint (c->finished, ==, 1);
  g_assert_cmpuint (c->finished_ok, ==, 1);
  cursor = crm_store_dup_cursor (c->store);
  g_assert_nonnull (cursor);
}

/* The records of @entity in the store's file. */
static gint64
local_count (CrmStore  *store,
             CrmEntity  entity)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", crm_entity_info (entity)->local_table);
  g_autofree char *text = local_text (store, sql, NULL);

  return g_ascii_strtoll (text, NULL, 10);
}

/* What the engine said of each entity while its first sync ran. */
typedef struct
{
  Client  *c;
  GArray  *done;                         /* guint: each "entities-done" notified */
  gboolean said[CRM_N_ENTITIES];         /* said to be in, during the sync */
  gint64   count[CRM_N_ENTITIES];        /* its records in the store then */
  guint64  received[CRM_N_ENTITIES];     /* the sync's records applied then */
} DoneLog;

static void
entities_done_cb (CrmSyncEngine *engine,
                  GParamSpec    *pspec,
                  DoneLog       *log)
{
  guint done = crm_sync_engine_get_entities_done (engine);

  g_array_append_val (log->done, done);
  if (!crm_sync_engine_get_first_sync (engine))
    return;
  for (guint stage = 0; stage < done; stage++)
    {
      CrmEntity e = crm_sync_stage_entity (stage);

      g_assert_true (crm_sync_engine_get_entity_done (engine, e));
      if (log->said[e])
        continue;
      log->said[e] = TRUE;
      log->count[e] = local_count (log->c->store, e);
      log->received[e] = crm_sync_engine_get_received (engine);
    }
  if (done < CRM_N_ENTITIES)
    g_assert_false (crm_sync_engine_get_entity_done (engine, crm_sync_stage_entity (done)));
}

/* The first sync says when each entity is in, before it ends: from then
 * on no record of it comes (the server sends one entity after another),
 * and the customers and contacts are as the server has them. */
static void
test_first_sync_says_when_each_entity_is_in (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(GArray) done = g_array_new (FALSE, FALSE, sizeof (guint));
  DoneLog log = { c, done, { FALSE } };
  gulong handler;
  guint said = 0;

  g_assert_cmpuint (crm_sync_engine_get_entities_done (c->engine), ==, CRM_N_ENTITIES);
  crm_sync_engine_set_page_size (c->engine, 40);
  handler = g_signal_connect (c->engine, "notify::entities-done", G_CALLBACK (entities_done_cb), &log);
  sync_start (c);
  wait_until (&c->done);
  g_assert_true (c->ok);
  g_signal_handler_disconnect (c->engine, handler);

  /* several pages of customers, then of contacts, and more after them */
  g_assert_cmpint (local_count (c->store, CRM_ENTITY_CUSTOMER), >, 40);
  g_assert_cmpint (local_count (c->store, CRM_ENTITY_CONTACT), >, 40);
  g_assert_true (log.said[CRM_ENTITY_CUSTOMER]);
  g_assert_true (log.said[CRM_ENTITY_CONTACT]);
  g_assert_cmpuint (log.received[CRM_ENTITY_CONTACT], <, crm_sync_engine_get_received (c->engine));
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    if (log.said[e])
      {
        g_test_message ("%s in at %" G_GUINT64_FORMAT " records: %" G_GINT64_FORMAT,
                        crm_entity_info (e)->plural, log.received[e], log.count[e]);
        g_assert_cmpint (log.count[e], ==, local_count (c->store, e));
        said++;
      }
  g_assert_cmpuint (said, >, 2);
  assert_store_matches (c->store, conn, "manager");

  /* from none as the sync began, one entity after another, to every one
   * as it ended; the next sync is not a first */
  g_assert_cmpuint (done->len, >, 3);
  g_assert_cmpuint (g_array_index (done, guint, 0), ==, 0);
  for (guint i = 1; i < done->len; i++)
    g_assert_cmpuint (g_array_index (done, guint, i), >, g_array_index (done, guint, i - 1));
  g_assert_cmpuint (g_array_index (done, guint, done->len - 1), ==, CRM_N_ENTITIES);
  g_assert_cmpuint (crm_sync_engine_get_entities_done (c->engine), ==, CRM_N_ENTITIES);
  g_assert_true (crm_sync_engine_get_entity_done (c->engine, CRM_ENTITY_CUSTOMER));
  g_assert_true (sync_and_wait (c));
  g_assert_cmpuint (crm_sync_engine_get_entities_done (c->engine), ==, CRM_N_ENTITIES);
}

static void
test_quiet_sync_applies_nothing (void)
{
  g_autoptr(Client) c = client_new ("manager");

  g_assert_true (sync_and_wait (c));
  c->changed = 0;
  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);
  g_assert_false (c->saw_first_sync);
  g_assert_cmpuint (crm_sync_engine_get_received (c->engine), ==, 0);
  g_assert_cmpuint (crm_sync_engine_get_total (c->engine), ==, 0);
  g_assert_cmpuint (c->changed, ==, 0);
  g_assert_cmpuint (c->finished_ok, ==, 2);
}

static void
test_customer_moved_away_disappears_with_its_contacts (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *moved = customer_of (conn, "manager", 0);
  g_autofree char *other = scalar (conn, "SELECT login FROM crm.users WHERE role = 'manager' AND login <> 'manager'"
                                         " ORDER BY login LIMIT 1", NULL, NULL);
  g_autofree char *contacts_before = NULL;
  g_autofree char *contacts_after = NULL;
  g_autoptr(PGresult) r = NULL;

  g_assert_true (sync_and_wait (c));
  contacts_before = local_text (c->store, "SELECT count(*) FROM contacts WHERE customer_id = ?", moved);
  g_assert_cmpint (atoi (contacts_before), >, 0);

  r = crm_test_pg_query (conn, "UPDATE crm.customers SET owner_id = (SELECT id FROM crm.users WHERE login = $2) WHERE id = $1",
             moved, other);
  g_assert_true (sync_and_wait (c));

  g_assert_null (local_text (c->store, "SELECT id FROM customers WHERE id = ?", moved));
  contacts_after = local_text (c->store, "SELECT count(*) FROM contacts WHERE customer_id = ?", moved);
  g_assert_cmpstr (contacts_after, ==, "0");
  g_assert_cmpuint (crm_sync_engine_get_received (c->engine), >=, 1);
  assert_store_matches (c->store, conn, "manager");
}

static void
test_contact_deleted_on_the_server_disappears (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = customer_of (conn, "manager", 1);
  g_autofree char *contact = scalar (conn, "SELECT id FROM crm.contacts WHERE customer_id = $1 ORDER BY id LIMIT 1",
                                     customer, NULL);
  g_autofree char *before = NULL;
  g_autoptr(PGresult) r = NULL;

  g_assert_true (sync_and_wait (c));
  before = local_text (c->store, "SELECT id FROM contacts WHERE id = ?", contact);
  g_assert_cmpstr (before, ==, contact);

  r = crm_test_pg_query (conn, "DELETE FROM crm.contacts WHERE id = $1", contact, NULL);
  g_assert_true (sync_and_wait (c));

  g_assert_null (local_text (c->store, "SELECT id FROM contacts WHERE id = ?", contact));
  g_assert_nonnull (local_text (c->store, "SELECT id FROM customers WHERE id = ?", customer));
  assert_store_matches (c->store, conn, "manager");
}

/* Deletions of other entities reach the local copy through the generic
 * path: a subscription (uuid key), a revenue month (composite key) and a
 * stage change (bigint key), each with everything else kept. */
static void
test_deletions_of_every_entity_reach_the_store (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                            " WHERE u.login = 'manager' AND EXISTS (SELECT 1 FROM crm.subscriptions s"
                                            " WHERE s.customer_id = c.id) AND EXISTS (SELECT 1 FROM crm.opportunities o"
                                            " JOIN crm.opportunity_stage_history h ON h.opportunity_id = o.id"
                                            " WHERE o.customer_id = c.id) ORDER BY c.id LIMIT 1", NULL, NULL);
  g_autofree char *subscription = scalar (conn, "SELECT id FROM crm.subscriptions WHERE customer_id = $1 ORDER BY id LIMIT 1",
                                          customer, NULL);
  g_autofree char *month = scalar (conn, "SELECT month::text FROM crm.revenue_months WHERE customer_id = $1"
                                         " ORDER BY month LIMIT 1", customer, NULL);
  g_autofree char *stage = scalar (conn, "SELECT h.id::text FROM crm.opportunity_stage_history h JOIN crm.opportunities o"
                                         " ON o.id = h.opportunity_id WHERE o.customer_id = $1 ORDER BY h.id LIMIT 1",
                                   customer, NULL);
  g_autoptr(PGresult) r1 = NULL;
  g_autoptr(PGresult) r2 = NULL;
  g_autoptr(PGresult) r3 = NULL;
  gint64 months_before;

  g_assert_nonnull (customer);
  g_assert_nonnull (month);
  g_assert_true (sync_and_wait (c));
  g_assert_cmpstr (local_text (c->store, "SELECT id FROM subscriptions WHERE id = ?", subscription), ==, subscription);
  g_assert_nonnull (local_text (c->store, "SELECT id FROM opportunity_stages WHERE id = ?", stage));
  months_before = g_ascii_strtoll (local_text (c->store, "SELECT count(*) FROM revenue_months WHERE customer_id = ?",
                                               customer), NULL, 10);
  g_assert_cmpint (months_before, >, 1);

  r1 = crm_test_pg_query (conn, "DELETE FROM crm.subscriptions WHERE id = $1", subscription, NULL);
  r2 = crm_test_pg_query (conn, "DELETE FROM crm.revenue_months WHERE customer_id = $1 AND month = $2::date",
                          customer, month);
  r3 = crm_test_pg_query (conn, "DELETE FROM crm.opportunity_stage_history WHERE id = $1::bigint", stage, NULL);
  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);

  g_assert_null (local_text (c->store, "SELECT id FROM subscriptions WHERE id = ?", subscription));
  g_assert_null (local_text (c->store, "SELECT id FROM opportunity_stages WHERE id = ?", stage));
  g_assert_cmpint (g_ascii_strtoll (local_text (c->store, "SELECT count(*) FROM revenue_months WHERE customer_id = ?",
                                                customer), NULL, 10), ==, months_before - 1);
  g_assert_nonnull (local_text (c->store, "SELECT id FROM customers WHERE id = ?", customer));
  assert_store_matches (c->store, conn, "manager");
}

static void
test_local_edit_reaches_the_server_and_another_client (void)
{
  g_autoptr(Client) laptop = client_new ("manager");
  g_autoptr(Client) desktop = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *id = customer_of (conn, "manager", 2);
  g_autoptr(CrmMutation) m = NULL;
  g_autofree char *name = NULL;
  g_autofree char *desktop_name = NULL;
  g_autofree char *desktop_version = NULL;
  gint64 version;

  g_assert_true (sync_and_wait (laptop));
  g_assert_true (sync_and_wait (desktop));
  version = customer_version (conn, id);

  m = edit_customer (laptop, id, "name", "广州移动同步测试客户");
  spin (50);
  g_assert_cmpuint (crm_sync_engine_get_pending (laptop->engine), ==, 1);
  g_assert_true (sync_and_wait (laptop));
  g_assert_no_error (laptop->error);

  /* on the server, once */
  name = scalar (conn, "SELECT name FROM crm.customers WHERE id = $1", id, NULL);
  g_assert_cmpstr (name, ==, "广州移动同步测试客户");
  g_assert_cmpint (customer_version (conn, id), ==, version + 1);
  /* the queue is empty and the store has the server's record */
  g_assert_cmpuint (queue_length (laptop->store), ==, 0);
  g_assert_cmpuint (crm_sync_engine_get_pending (laptop->engine), ==, 0);
  assert_store_matches (laptop->store, conn, "manager");

  /* another client of the same user sees it after its next sync */
  g_assert_true (sync_and_wait (desktop));
  desktop_name = local_text (desktop->store, "SELECT name FROM customers WHERE id = ?", id);
  desktop_version = local_text (desktop->store, "SELECT version FROM customers WHERE id = ?", id);
  g_assert_cmpstr (desktop_name, ==, "广州移动同步测试客户");
  g_assert_cmpint (g_ascii_strtoll (desktop_version, NULL, 10), ==, version + 1);
}

static void
test_edit_of_another_field_merges (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *id = customer_of (conn, "manager", 2);
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autofree char *name = NULL;
  g_autofree char *industry = NULL;

  g_assert_true (sync_and_wait (c));
  /* a colleague changes another field first: the version moves */
  r = crm_test_pg_query (conn, "UPDATE crm.customers SET industry = '同事改的行业' WHERE id = $1", id, NULL);
  m = edit_customer (c, id, "name", "合并测试客户");
  g_assert_true (sync_and_wait (c));

  /* both changes stand; no conflict */
  g_assert_cmpuint (c->conflicts, ==, 0);
  name = scalar (conn, "SELECT name FROM crm.customers WHERE id = $1", id, NULL);
  industry = scalar (conn, "SELECT industry FROM crm.customers WHERE id = $1", id, NULL);
  g_assert_cmpstr (name, ==, "合并测试客户");
  g_assert_cmpstr (industry, ==, "同事改的行业");
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  assert_store_matches (c->store, conn, "manager");
}

static void
test_edit_of_a_field_changed_elsewhere_is_a_conflict (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *id = customer_of (conn, "manager", 3);
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) resolved = NULL;
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autofree char *server_name = NULL;
  g_autofree char *local_name = NULL;
  g_autofree char *final_name = NULL;
  JsonObject *conflict;
  const char *keep[] = { "name", NULL };

  g_assert_true (sync_and_wait (c));

  /* a colleague changes the same field first */
  r = crm_test_pg_query (conn, "UPDATE crm.customers SET name = '同事先改的名字' WHERE id = $1", id, NULL);
  m = edit_customer (c, id, "name", "我后改的名字");
  g_assert_true (sync_and_wait (c));

  /* 412: the server kept the colleague's change */
  server_name = scalar (conn, "SELECT name FROM crm.customers WHERE id = $1", id, NULL);
  g_assert_cmpstr (server_name, ==, "同事先改的名字");

  /* ::conflict with the change kept and the current record */
  g_assert_cmpuint (c->conflicts, ==, 1);
  g_assert_cmpstr (c->conflict_mutation->key, ==, m->key);
  g_assert_cmpint (c->conflict_mutation->state, ==, CRM_MUTATION_CONFLICT);
  g_assert_cmpuint (json_array_get_length (c->conflict_mutation->conflicts), ==, 1);
  conflict = json_array_get_object_element (c->conflict_mutation->conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "name");
  g_assert_cmpstr (json_object_get_string_member (conflict, "mine"), ==, "我后改的名字");
  g_assert_cmpstr (json_object_get_string_member (conflict, "theirs"), ==, "同事先改的名字");
  g_assert_nonnull (c->conflict_current);
  g_assert_cmpstr (json_object_get_string_member (c->conflict_current, "name"), ==, "同事先改的名字");

  /* mine still shows locally and is not pending */
  local_name = local_text (c->store, "SELECT name FROM customers WHERE id = ?", id);
  g_assert_cmpstr (local_name, ==, "我后改的名字");
  queue = crm_store_list_mutations (c->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 1);
  g_assert_cmpuint (crm_sync_engine_get_pending (c->engine), ==, 0);

  /* keep mine: sent again based on theirs, and applied */
  g_assert_true (crm_store_resolve_conflict (c->store, m->seq, keep, &resolved, &error));
  g_assert_no_error (error);
  g_assert_true (sync_and_wait (c));
  final_name = scalar (conn, "SELECT name FROM crm.customers WHERE id = $1", id, NULL);
  g_assert_cmpstr (final_name, ==, "我后改的名字");
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  assert_store_matches (c->store, conn, "manager");
}

static void
test_contact_edit_of_a_field_changed_elsewhere_is_a_conflict (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = customer_of (conn, "manager", 4);
  g_autofree char *contact = scalar (conn, "SELECT id FROM crm.contacts WHERE customer_id = $1 ORDER BY id LIMIT 1",
                                     customer, NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  g_autofree char *title = NULL;
  g_autofree char *server_title = NULL;

  g_assert_true (sync_and_wait (c));
  r = crm_test_pg_query (conn, "UPDATE crm.contacts SET title = '同事改的职务' WHERE id = $1", contact, NULL);
  json_object_set_string_member (fields, "title", "我改的职务");
  m = crm_store_enqueue_update (c->store, CRM_ENTITY_CONTACT, contact, fields, &error);
  g_assert_no_error (error);
  g_assert_true (sync_and_wait (c));

  g_assert_cmpuint (c->conflicts, ==, 1);
  g_assert_cmpstr (c->conflict_mutation->key, ==, m->key);
  g_assert_cmpint (c->conflict_mutation->state, ==, CRM_MUTATION_CONFLICT);
  title = local_text (c->store, "SELECT title FROM contacts WHERE id = ?", contact);
  g_assert_cmpstr (title, ==, "我改的职务");
  server_title = scalar (conn, "SELECT title FROM crm.contacts WHERE id = $1", contact, NULL);
  g_assert_cmpstr (server_title, ==, "同事改的职务");
  g_assert_cmpuint (crm_sync_engine_get_pending (c->engine), ==, 0);
}

static void
test_retried_mutation_applies_once (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *id = customer_of (conn, "manager", 5);
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *body = NULL;
  g_autoptr(Response) lost = NULL;
  gint64 audits;
  gint64 version;

  g_assert_true (sync_and_wait (c));
  version = customer_version (conn, id);
  audits = scalar_int (conn, "SELECT count(*) FROM crm.audit_log WHERE entity = 'customer' AND entity_id = $1"
                             " AND action = 'update'", id, NULL);
  m = edit_customer (c, id, "tier", "key");

  /* the first attempt reached the server, its answer was lost */
  request = crm_mutation_to_request (m);
  node = json_node_init_object (json_node_alloc (), request);
  body = json_to_string (node, FALSE);
  lost = post_json ("mutations", c->token, body);
  g_assert_cmpuint (lost->status, ==, 200);
  g_assert_cmpint (customer_version (conn, id), ==, version + 1);

  /* the engine sends it again, with its key */
  g_assert_true (sync_and_wait (c));
  g_assert_cmpint (customer_version (conn, id), ==, version + 1);
  g_assert_cmpint (scalar_int (conn, "SELECT count(*) FROM crm.audit_log WHERE entity = 'customer'"
                                    " AND entity_id = $1 AND action = 'update'", id, NULL), ==, audits + 1);
  g_assert_cmpuint (c->conflicts, ==, 0);
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  assert_store_matches (c->store, conn, "manager");
}

static void
test_refused_edit_is_marked_failed (void)
{
  g_autoptr(Client) c = client_new ("marketing");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *id = customer_of (conn, "manager", 6);
  g_autofree char *name = scalar (conn, "SELECT name FROM crm.customers WHERE id = $1", id, NULL);
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local_name = NULL;
  CrmMutation *failed;
  gint64 version;

  g_assert_true (sync_and_wait (c));
  version = customer_version (conn, id);
  m = edit_customer (c, id, "name", "市场部不能改");
  g_assert_true (sync_and_wait (c));   /* a refused change does not fail the sync */

  g_assert_cmpint (customer_version (conn, id), ==, version);
  queue = crm_store_list_mutations (c->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 1);
  failed = queue->pdata[0];
  g_assert_cmpint (failed->state, ==, CRM_MUTATION_FAILED);
  g_assert_true (g_str_has_prefix (failed->last_error, "forbidden"));
  local_name = local_text (c->store, "SELECT name FROM customers WHERE id = ?", id);
  g_assert_cmpstr (local_name, ==, name);
  g_assert_cmpuint (crm_sync_engine_get_pending (c->engine), ==, 0);
  g_assert_cmpuint (c->conflicts, ==, 0);
}

static void
test_unreachable_server_is_offline_and_keeps_the_queue (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = customer_of (conn, "manager", 7);
  g_autoptr(CrmMutation) m = NULL;
  g_autofree char *name = NULL;
  gint64 version;

  g_assert_true (sync_and_wait (c));
  version = customer_version (conn, id);
  m = edit_customer (c, id, "industry", "离线时修改");

  crm_server_stop (server);
  server = NULL;
  g_assert_false (sync_and_wait (c));
  g_assert_error (c->error, CRM_ERROR, CRM_ERROR_UNAVAILABLE);
  g_assert_cmpstr (crm_error_get_field (c->error), ==, CRM_API_FIELD_SERVER);
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_OFFLINE);
  g_assert_nonnull (crm_sync_engine_get_last_error (c->engine));
  g_assert_cmpuint (queue_length (c->store), ==, 1);
  g_assert_cmpuint (crm_sync_engine_get_pending (c->engine), ==, 1);
  g_assert_cmpuint (c->finished, ==, 2);
  g_assert_cmpuint (c->finished_ok, ==, 1);

  /* the server is back, on the same port */
  server = crm_server_start (config, &error);
  g_assert_no_error (error);
  g_assert_true (sync_and_wait (c));
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_IDLE);
  g_assert_null (crm_sync_engine_get_last_error (c->engine));
  name = scalar (conn, "SELECT industry FROM crm.customers WHERE id = $1", id, NULL);
  g_assert_cmpstr (name, ==, "离线时修改");
  g_assert_cmpint (customer_version (conn, id), ==, version + 1);
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  g_assert_cmpuint (crm_sync_engine_get_pending (c->engine), ==, 0);
}

static void
test_signed_out_token_is_unauthenticated (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(Client) queued = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *id = customer_of (conn, "manager", 8);
  g_autoptr(CrmMutation) m = NULL;
  gint64 version;

  g_assert_true (sync_and_wait (c));
  g_assert_true (sync_and_wait (queued));
  version = customer_version (conn, id);
  m = edit_customer (queued, id, "name", "退出后的修改");
  /* a 401 stops the timer too */
  crm_sync_engine_start (c->engine, 1);
  wait_for_finished (c, 2);

  /* signed out elsewhere */
  {
    g_autoptr(Response) r1 = http ("DELETE", "session", c->token, NULL, NULL, 0);
    g_autoptr(Response) r2 = http ("DELETE", "session", queued->token, NULL, NULL, 0);

    g_assert_cmpuint (r1->status, ==, 204);
    g_assert_cmpuint (r2->status, ==, 204);
  }

  /* in the pull */
  g_assert_false (sync_and_wait (c));
  g_assert_error (c->error, CRM_ERROR, CRM_ERROR_UNAUTHENTICATED);
  g_assert_cmpuint (c->unauthenticated, ==, 1);
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_FAILED);
  g_assert_nonnull (crm_sync_engine_get_last_error (c->engine));
  spin (1500);
  g_assert_cmpuint (c->unauthenticated, ==, 1);   /* the timer stopped */

  /* in the push: the change stays queued */
  g_assert_false (sync_and_wait (queued));
  g_assert_error (queued->error, CRM_ERROR, CRM_ERROR_UNAUTHENTICATED);
  g_assert_cmpuint (queued->unauthenticated, ==, 1);
  g_assert_cmpuint (queue_length (queued->store), ==, 1);
  g_assert_cmpuint (crm_sync_engine_get_pending (queued->engine), ==, 1);
  g_assert_cmpint (customer_version (conn, id), ==, version);
}

static void
test_refused_cursor_starts_over (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(JsonObject) page = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) done = g_array_new (FALSE, FALSE, sizeof (guint));
  DoneLog log = { c, done, { FALSE } };
  gulong handler;

  g_assert_true (sync_and_wait (c));
  /* a cursor this server did not hand out */
  json_object_set_boolean_member (page, "reset", FALSE);
  json_object_set_string_member (page, "cursor", "bm90IGEgY3Vyc29y");
  json_object_set_boolean_member (page, "more", FALSE);
  g_assert_true (crm_store_apply_sync_page (c->store, page, &error));
  g_assert_no_error (error);

  handler = g_signal_connect (c->engine, "notify::entities-done", G_CALLBACK (entities_done_cb), &log);
  g_assert_true (sync_and_wait (c));
  g_signal_handler_disconnect (c->engine, handler);
  g_assert_no_error (c->error);
  g_assert_true (c->saw_first_sync);
  assert_store_matches (c->store, conn, "manager");
  /* from nothing again: no entity in, then one after another */
  g_assert_cmpuint (done->len, >, 2);
  g_assert_cmpuint (g_array_index (done, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (done, guint, done->len - 1), ==, CRM_N_ENTITIES);
  g_assert_true (log.said[CRM_ENTITY_CUSTOMER]);
  g_assert_cmpint (log.count[CRM_ENTITY_CUSTOMER], ==, local_count (c->store, CRM_ENTITY_CUSTOMER));
}

static void
test_cursor_of_another_user_starts_over (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autofree char *region = scalar (conn, "SELECT region_id FROM crm.users WHERE login = 'director'", NULL, NULL);
  g_autoptr(GHashTable) local = NULL;
  gint64 expected;

  g_assert_true (sync_and_wait (c));
  /* the same store, now signed in as someone else: the server resets */
  crm_api_set_token (c->api, director);
  g_assert_true (sync_and_wait (c));
  g_assert_true (c->saw_first_sync);

  expected = scalar_int (conn, "WITH RECURSIVE r AS (SELECT id FROM crm.regions WHERE id = $1::uuid"
                               "   UNION ALL SELECT g.id FROM crm.regions g JOIN r ON g.parent_id = r.id)"
                               " SELECT count(*) FROM crm.customers WHERE region_id IN (SELECT id FROM r)",
                         region, NULL);
  local = local_versions (c->store, "customers");
  g_assert_cmpint (g_hash_table_size (local), ==, expected);
  g_assert_cmpuint (crm_sync_engine_get_total (c->engine), >=, expected);
}

static void
test_server_error_fails_the_sync (void)
{
  g_autoptr(Client) c = client_new ("manager");

  crm_sync_engine_set_page_size (c->engine, 100000);   /* over the server's limit */
  g_assert_false (sync_and_wait (c));
  g_assert_error (c->error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_FAILED);
  g_assert_nonnull (crm_sync_engine_get_last_error (c->engine));
  g_assert_cmpuint (c->finished, ==, 1);
  g_assert_cmpuint (c->finished_ok, ==, 0);

  crm_sync_engine_set_page_size (c->engine, 500);
  g_assert_true (sync_and_wait (c));
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_IDLE);
  g_assert_null (crm_sync_engine_get_last_error (c->engine));
}

/* Writes of every entity (issue 8) --------------------------------------- */

/* Stops the server: the client's next sync finds it unreachable. */
static void
go_offline (Client *c)
{
  crm_server_stop (server);
  server = NULL;
  g_assert_false (sync_and_wait (c));
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_OFFLINE);
}

/* Starts it again, on the same port. */
static void
go_online (void)
{
  g_autoptr(GError) error = NULL;

  server = crm_server_start (config, &error);
  g_assert_no_error (error);
}

/* A contact of the @n-th customer of @login that is not its primary one. */
static char *
secondary_contact_of (PGconn     *conn,
                      const char *login,
                      guint       n,
                      char      **customer)
{
  g_autofree char *offset = g_strdup_printf ("%u", n);
  char *contact = scalar (conn, "SELECT k.id FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id"
                                " JOIN crm.users u ON u.id = c.owner_id WHERE u.login = $1 AND NOT k.is_primary"
                                " ORDER BY k.id LIMIT 1 OFFSET $2::integer", login, offset);

  g_assert_nonnull (contact);
  *customer = scalar (conn, "SELECT customer_id FROM crm.contacts WHERE id = $1", contact, NULL);
  return contact;
}

static void
test_contact_deleted_offline_goes_once_online (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = NULL;
  g_autofree char *contact = secondary_contact_of (conn, "manager", 10, &customer);
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (contact);
  g_assert_true (sync_and_wait (c));
  go_offline (c);

  m = crm_store_enqueue_delete (c->store, CRM_ENTITY_CONTACT, contact, &error);
  g_assert_no_error (error);
  /* gone here at once, still on the server */
  g_assert_null (local_text (c->store, "SELECT id FROM contacts WHERE id = ?", contact));
  g_assert_cmpstr (local_text (c->store, "SELECT id FROM contacts_server WHERE id = ?", contact), ==, contact);
  g_assert_false (sync_and_wait (c));
  g_assert_cmpuint (queue_length (c->store), ==, 1);
  g_assert_nonnull (scalar (conn, "SELECT id FROM crm.contacts WHERE id = $1", contact, NULL));

  go_online ();
  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);
  g_assert_null (scalar (conn, "SELECT id FROM crm.contacts WHERE id = $1", contact, NULL));
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  g_assert_null (local_text (c->store, "SELECT id FROM contacts WHERE id = ?", contact));
  g_assert_null (local_text (c->store, "SELECT id FROM contacts_server WHERE id = ?", contact));

  /* the departure the sync after brings does no harm */
  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);
  g_assert_nonnull (local_text (c->store, "SELECT id FROM customers WHERE id = ?", customer));
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  assert_store_matches (c->store, conn, "manager");
}

/* Someone else deleted it first: the server answers 404, which is what
 * the delete wanted; nothing is left failed. */
static void
test_delete_of_a_contact_gone_on_the_server_settles (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = NULL;
  g_autofree char *contact = secondary_contact_of (conn, "manager", 11, &customer);
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;

  g_assert_nonnull (contact);
  g_assert_true (sync_and_wait (c));
  m = crm_store_enqueue_delete (c->store, CRM_ENTITY_CONTACT, contact, &error);
  g_assert_no_error (error);
  r = crm_test_pg_query (conn, "DELETE FROM crm.contacts WHERE id = $1", contact, NULL);

  g_assert_true (sync_and_wait (c));
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  g_assert_null (local_text (c->store, "SELECT id FROM contacts WHERE id = ?", contact));
  g_assert_null (local_text (c->store, "SELECT id FROM contacts_server WHERE id = ?", contact));
  assert_store_matches (c->store, conn, "manager");
}

/* A role that may not delete (service): 403, the contact shows again as
 * it was and the delete stays in the queue, failed. */
static void
test_refused_delete_brings_the_contact_back (void)
{
  g_autoptr(Client) c = client_new ("service");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = NULL;
  g_autofree char *contact = secondary_contact_of (conn, "manager", 12, &customer);
  g_autofree char *name = scalar (conn, "SELECT name FROM crm.contacts WHERE id = $1", contact, NULL);
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sync_and_wait (c));
  m = crm_store_enqueue_delete (c->store, CRM_ENTITY_CONTACT, contact, &error);
  g_assert_no_error (error);
  g_assert_null (local_text (c->store, "SELECT id FROM contacts WHERE id = ?", contact));

  g_assert_true (sync_and_wait (c));
  g_assert_cmpstr (scalar (conn, "SELECT name FROM crm.contacts WHERE id = $1", contact, NULL), ==, name);
  g_assert_cmpstr (local_text (c->store, "SELECT name FROM contacts WHERE id = ?", contact), ==, name);
  g_assert_null (local_text (c->store, "SELECT id FROM contacts_server WHERE id = ?", contact));
  queue = crm_store_list_mutations (c->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 1);
  g_assert_cmpint (((CrmMutation *) queue->pdata[0])->state, ==, CRM_MUTATION_FAILED);
  g_assert_true (g_str_has_prefix (((CrmMutation *) queue->pdata[0])->last_error, "forbidden"));
}

static void
test_interaction_logged_offline_is_delivered (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = customer_of (conn, "manager", 8);
  g_autofree char *me = scalar (conn, "SELECT id FROM crm.users WHERE login = 'manager'", NULL, NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *local_user = NULL;
  gboolean found = FALSE;

  g_assert_true (sync_and_wait (c));
  go_offline (c);

  json_object_set_string_member (fields, "customer_id", customer);
  json_object_set_string_member (fields, "kind", "call");
  json_object_set_string_member (fields, "occurred_at", "2026-12-03T10:15:00+08:00");
  json_object_set_string_member (fields, "subject", "电话确认续约意向");
  json_object_set_string_member (fields, "notes", "对方下周回复");
  json_object_set_string_member (fields, "outcome", "neutral");
  m = crm_store_enqueue_create (c->store, CRM_ENTITY_INTERACTION, NULL, fields, &error);
  g_assert_no_error (error);

  /* the store shows it at once, though the server cannot be reached */
  shown = crm_store_get_records (c->store, CRM_ENTITY_INTERACTION, customer, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < shown->len; i++)
    if (g_str_equal (json_object_get_string_member (shown->pdata[i], "id"), m->record_id))
      {
        found = TRUE;
        g_assert_cmpstr (json_object_get_string_member (shown->pdata[i], "subject"), ==, "电话确认续约意向");
      }
  g_assert_true (found);
  g_assert_false (sync_and_wait (c));

  go_online ();
  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);
  /* the server has it, logged by the caller */
  g_assert_cmpstr (scalar (conn, "SELECT subject FROM crm.interactions WHERE id = $1", m->record_id, NULL), ==,
                   "电话确认续约意向");
  g_assert_cmpstr (scalar (conn, "SELECT user_id FROM crm.interactions WHERE id = $1", m->record_id, NULL), ==, me);
  g_assert_cmpstr (scalar (conn, "SELECT customer_id FROM crm.interactions WHERE id = $1", m->record_id, NULL), ==,
                   customer);
  /* and so has the store, from the answer */
  local_user = local_text (c->store, "SELECT user_id FROM interactions WHERE id = ?", m->record_id);
  g_assert_cmpstr (local_user, ==, me);
  g_assert_cmpstr (local_text (c->store, "SELECT version FROM interactions WHERE id = ?", m->record_id), ==,
                   scalar (conn, "SELECT version FROM crm.interactions WHERE id = $1", m->record_id, NULL));
  g_assert_cmpuint (queue_length (c->store), ==, 0);
}

static void
test_interaction_edit_changed_elsewhere_is_a_conflict (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *interaction = scalar (conn, "SELECT i.id FROM crm.interactions i JOIN crm.customers c"
                                               " ON c.id = i.customer_id JOIN crm.users u ON u.id = c.owner_id"
                                               " WHERE u.login = 'manager' ORDER BY i.id LIMIT 1", NULL, NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) r = NULL;
  JsonObject *conflict;

  g_assert_nonnull (interaction);
  g_assert_true (sync_and_wait (c));
  /* a colleague rewrites the subject and the notes first */
  r = crm_test_pg_query (conn, "UPDATE crm.interactions SET subject = '同事写的主题', notes = '同事的备注'"
                               " WHERE id = $1", interaction, NULL);
  json_object_set_string_member (fields, "subject", "我写的主题");
  m = crm_store_enqueue_update (c->store, CRM_ENTITY_INTERACTION, interaction, fields, &error);
  g_assert_no_error (error);
  g_assert_true (sync_and_wait (c));

  g_assert_cmpuint (c->conflicts, ==, 1);
  g_assert_cmpstr (c->conflict_mutation->key, ==, m->key);
  g_assert_cmpint (c->conflict_mutation->state, ==, CRM_MUTATION_CONFLICT);
  g_assert_cmpuint (json_array_get_length (c->conflict_mutation->conflicts), ==, 1);
  conflict = json_array_get_object_element (c->conflict_mutation->conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "subject");
  g_assert_cmpstr (json_object_get_string_member (conflict, "mine"), ==, "我写的主题");
  g_assert_cmpstr (json_object_get_string_member (conflict, "theirs"), ==, "同事写的主题");
  /* mine shows over their record: their notes, my subject */
  g_assert_cmpstr (local_text (c->store, "SELECT subject FROM interactions WHERE id = ?", interaction), ==,
                   "我写的主题");
  g_assert_cmpstr (local_text (c->store, "SELECT notes FROM interactions WHERE id = ?", interaction), ==,
                   "同事的备注");
  g_assert_cmpstr (scalar (conn, "SELECT subject FROM crm.interactions WHERE id = $1", interaction, NULL), ==,
                   "同事写的主题");
  g_assert_cmpuint (crm_sync_engine_get_pending (c->engine), ==, 0);
}

/* An opportunity made offline and moved on twice: once online, the server
 * has it with the caller as owner and every move in the stage history
 * (who and when), and the next sync brings the history to the store. */
static void
test_opportunity_moved_offline_is_recorded (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = customer_of (conn, "manager", 9);
  g_autofree char *me = scalar (conn, "SELECT id FROM crm.users WHERE login = 'manager'", NULL, NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) move1 = json_object_new ();
  g_autoptr(JsonObject) move2 = json_object_new ();
  g_autoptr(CrmMutation) made = NULL, m1 = NULL, m2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PGresult) history = NULL;
  g_autofree char *local_moves = NULL;

  g_assert_true (sync_and_wait (c));
  go_offline (c);

  json_object_set_string_member (fields, "customer_id", customer);
  json_object_set_string_member (fields, "name", "专线扩容二期");
  json_object_set_string_member (fields, "stage", "prospecting");
  json_object_set_int_member (fields, "amount_once", 5000000);
  json_object_set_int_member (fields, "amount_monthly", 1200000);
  json_object_set_int_member (fields, "probability", 10);
  json_object_set_string_member (fields, "expected_close", "2027-03-31");
  made = crm_store_enqueue_create (c->store, CRM_ENTITY_OPPORTUNITY, NULL, fields, &error);
  g_assert_no_error (error);
  json_object_set_string_member (move1, "stage", "qualification");
  json_object_set_int_member (move1, "probability", 30);
  m1 = crm_store_enqueue_update (c->store, CRM_ENTITY_OPPORTUNITY, made->record_id, move1, &error);
  g_assert_no_error (error);
  json_object_set_string_member (move2, "stage", "proposal");
  m2 = crm_store_enqueue_update (c->store, CRM_ENTITY_OPPORTUNITY, made->record_id, move2, &error);
  g_assert_no_error (error);
  /* shown at once, where the user left it */
  g_assert_cmpstr (local_text (c->store, "SELECT stage FROM opportunities WHERE id = ?", made->record_id), ==,
                   "proposal");

  go_online ();
  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  g_assert_cmpstr (scalar (conn, "SELECT stage FROM crm.opportunities WHERE id = $1", made->record_id, NULL), ==,
                   "proposal");
  g_assert_cmpstr (scalar (conn, "SELECT probability FROM crm.opportunities WHERE id = $1", made->record_id, NULL),
                   ==, "30");
  g_assert_cmpstr (scalar (conn, "SELECT owner_id FROM crm.opportunities WHERE id = $1", made->record_id, NULL), ==,
                   me);
  history = crm_test_pg_query (conn, "SELECT coalesce(from_stage::text, '-') || '>' || to_stage, changed_by,"
                                     " changed_at > now() - interval '1 minute'"
                                     " FROM crm.opportunity_stage_history WHERE opportunity_id = $1 ORDER BY id",
                               made->record_id, NULL);
  g_assert_cmpint (PQntuples (history), ==, 3);
  g_assert_cmpstr (PQgetvalue (history, 0, 0), ==, "->prospecting");
  g_assert_cmpstr (PQgetvalue (history, 1, 0), ==, "prospecting>qualification");
  g_assert_cmpstr (PQgetvalue (history, 2, 0), ==, "qualification>proposal");
  for (int i = 0; i < 3; i++)
    {
      g_assert_cmpstr (PQgetvalue (history, i, 1), ==, me);
      g_assert_cmpstr (PQgetvalue (history, i, 2), ==, "t");
    }

  /* the moves reach the store with the next sync, as every record does */
  g_assert_true (sync_and_wait (c));
  local_moves = local_text (c->store, "SELECT group_concat(to_stage, ',') FROM (SELECT to_stage FROM"
                                      " opportunity_stages WHERE opportunity_id = ? ORDER BY id)", made->record_id);
  g_assert_cmpstr (local_moves, ==, "prospecting,qualification,proposal");
  g_assert_cmpstr (local_text (c->store, "SELECT version FROM opportunities WHERE id = ?", made->record_id), ==,
                   scalar (conn, "SELECT version FROM crm.opportunities WHERE id = $1", made->record_id, NULL));
}

/* Lost needs a reason: a move to lost without one is refused, kept in the
 * queue as failed with the field named, and the opportunity shows its
 * stage again; with the reason it goes. */
static void
test_opportunity_lost_needs_a_reason (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *opportunity = scalar (conn, "SELECT o.id FROM crm.opportunities o JOIN crm.customers c"
                                               " ON c.id = o.customer_id JOIN crm.users u ON u.id = c.owner_id"
                                               " WHERE u.login = 'manager' AND o.stage = 'negotiation'"
                                               " AND o.lost_reason IS NULL ORDER BY o.id LIMIT 1", NULL, NULL);
  g_autoptr(JsonObject) lost = json_object_new ();
  g_autoptr(JsonObject) with_reason = json_object_new ();
  g_autoptr(CrmMutation) m = NULL, m2 = NULL;
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GError) error = NULL;
  CrmMutation *failed;

  g_assert_nonnull (opportunity);
  g_assert_true (sync_and_wait (c));
  json_object_set_string_member (lost, "stage", "lost");
  m = crm_store_enqueue_update (c->store, CRM_ENTITY_OPPORTUNITY, opportunity, lost, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (local_text (c->store, "SELECT stage FROM opportunities WHERE id = ?", opportunity), ==, "lost");
  g_assert_true (sync_and_wait (c));

  queue = crm_store_list_mutations (c->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queue->len, ==, 1);
  failed = queue->pdata[0];
  g_assert_cmpint (failed->state, ==, CRM_MUTATION_FAILED);
  {
    g_autofree char *code = NULL, *field = NULL, *message = NULL;

    crm_mutation_parse_refusal (failed, &code, &field, &message);
    g_assert_cmpstr (code, ==, "invalid");
    g_assert_cmpstr (field, ==, "lost_reason");
  }
  g_assert_cmpstr (local_text (c->store, "SELECT stage FROM opportunities WHERE id = ?", opportunity), ==,
                   "negotiation");
  g_assert_cmpstr (scalar (conn, "SELECT stage FROM crm.opportunities WHERE id = $1", opportunity, NULL), ==,
                   "negotiation");

  json_object_set_string_member (with_reason, "stage", "lost");
  json_object_set_string_member (with_reason, "lost_reason", "竞争对手报价更低");
  m2 = crm_store_enqueue_update (c->store, CRM_ENTITY_OPPORTUNITY, opportunity, with_reason, &error);
  g_assert_no_error (error);
  g_assert_true (sync_and_wait (c));
  g_assert_cmpstr (scalar (conn, "SELECT stage || ' ' || lost_reason || ' ' || (closed_on = current_date)"
                                 " FROM crm.opportunities WHERE id = $1", opportunity, NULL), ==,
                   "lost 竞争对手报价更低 true");
  g_assert_cmpstr (local_text (c->store, "SELECT stage FROM opportunities WHERE id = ?", opportunity), ==, "lost");
  g_assert_cmpstr (scalar (conn, "SELECT count(*) FROM crm.opportunity_stage_history WHERE opportunity_id = $1"
                                 " AND to_stage = 'lost'", opportunity, NULL), ==, "1");
}

/* A campaign member's outcome, whose key is two columns: queued under the
 * key's text, shown at once, taken by the server and confirmed.  The
 * control-group flag never reaches an account manager. */
static void
test_campaign_member_outcome_goes_through_the_queue (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *key = scalar (conn, "SELECT m.campaign_id || '/' || m.customer_id FROM crm.campaign_members m"
                                       " JOIN crm.customers c ON c.id = m.customer_id JOIN crm.users u"
                                       " ON u.id = c.owner_id WHERE u.login = 'manager' AND m.response <> 'responded'"
                                       " ORDER BY 1 LIMIT 1", NULL, NULL);
  g_autofree char *campaign = NULL, *customer = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;
  static const char response_sql[] =
    "SELECT response FROM campaign_members WHERE campaign_id || '/' || customer_id = ?";
  static const char version_sql[] =
    "SELECT version FROM campaign_members WHERE campaign_id || '/' || customer_id = ?";
  static const char control_sql[] =
    "SELECT coalesce(is_control, 'withheld') FROM campaign_members WHERE campaign_id || '/' || customer_id = ?";

  g_assert_nonnull (key);
  campaign = g_strndup (key, strchr (key, '/') - key);
  customer = g_strdup (strchr (key, '/') + 1);
  g_assert_true (sync_and_wait (c));
  g_assert_cmpstr (local_text (c->store, control_sql, key), ==, "withheld");

  json_object_set_string_member (fields, "response", "responded");
  json_object_set_string_member (fields, "responded_at", "2026-12-03T10:30:00+08:00");
  m = crm_store_enqueue_update (c->store, CRM_ENTITY_CAMPAIGN_MEMBER, key, fields, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (local_text (c->store, response_sql, key), ==, "responded");

  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  g_assert_cmpstr (scalar (conn, "SELECT response FROM crm.campaign_members WHERE campaign_id = $1"
                                 " AND customer_id = $2", campaign, customer), ==, "responded");
  g_assert_cmpstr (local_text (c->store, version_sql, key), ==,
                   scalar (conn, "SELECT version FROM crm.campaign_members WHERE campaign_id = $1"
                                 " AND customer_id = $2", campaign, customer));
  g_assert_cmpstr (local_text (c->store, control_sql, key), ==, "withheld");
}

/* Marking a contact primary: the other stops showing as primary at once,
 * and after the sync both are as the server has them. */
static void
test_contact_marked_primary_unmarks_the_other (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = scalar (conn, "SELECT k.customer_id FROM crm.contacts k JOIN crm.customers c"
                                            " ON c.id = k.customer_id JOIN crm.users u ON u.id = c.owner_id"
                                            " WHERE u.login = 'manager' AND k.is_primary AND EXISTS (SELECT 1"
                                            " FROM crm.contacts o WHERE o.customer_id = k.customer_id"
                                            " AND NOT o.is_primary) ORDER BY k.customer_id LIMIT 1 OFFSET 5",
                                      NULL, NULL);
  g_autofree char *primary = scalar (conn, "SELECT id FROM crm.contacts WHERE customer_id = $1 AND is_primary",
                                     customer, NULL);
  g_autofree char *other = scalar (conn, "SELECT id FROM crm.contacts WHERE customer_id = $1 AND NOT is_primary"
                                         " ORDER BY id LIMIT 1", customer, NULL);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (primary);
  g_assert_nonnull (other);
  g_assert_true (sync_and_wait (c));
  g_assert_cmpstr (local_text (c->store, "SELECT is_primary FROM contacts WHERE id = ?", primary), ==, "1");

  json_object_set_boolean_member (fields, "is_primary", TRUE);
  m = crm_store_enqueue_update (c->store, CRM_ENTITY_CONTACT, other, fields, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (local_text (c->store, "SELECT is_primary FROM contacts WHERE id = ?", other), ==, "1");
  g_assert_cmpstr (local_text (c->store, "SELECT is_primary FROM contacts WHERE id = ?", primary), ==, "0");

  g_assert_true (sync_and_wait (c));
  g_assert_no_error (c->error);
  g_assert_cmpstr (scalar (conn, "SELECT is_primary FROM crm.contacts WHERE id = $1", other, NULL), ==, "t");
  g_assert_cmpstr (scalar (conn, "SELECT is_primary FROM crm.contacts WHERE id = $1", primary, NULL), ==, "f");
  g_assert_cmpstr (local_text (c->store, "SELECT is_primary FROM contacts WHERE id = ?", other), ==, "1");
  g_assert_cmpstr (local_text (c->store, "SELECT is_primary FROM contacts WHERE id = ?", primary), ==, "0");
  g_assert_null (local_text (c->store, "SELECT id FROM contacts_server WHERE customer_id = ?", customer));
  g_assert_cmpuint (queue_length (c->store), ==, 0);
  /* the server's record of the unmarked one, at its new version */
  assert_store_matches (c->store, conn, "manager");
}

static void
cancel_on_first_page_cb (CrmSyncEngine *engine,
                         GParamSpec    *pspec,
                         Client        *c)
{
  if (crm_sync_engine_get_received (engine) > 0)
    crm_sync_engine_cancel (engine);
}

static void
test_cancel_stops_after_the_current_page (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(GHashTable) customers = NULL;
  g_autofree char *cursor = NULL;
  gulong handler;

  crm_sync_engine_set_page_size (c->engine, 10);
  handler = g_signal_connect (c->engine, "notify::received", G_CALLBACK (cancel_on_first_page_cb), c);
  g_assert_false (sync_and_wait (c));
  g_assert_error (c->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_signal_handler_disconnect (c->engine, handler);

  /* the page that came stays, with its cursor */
  customers = local_versions (c->store, "customers");
  g_assert_cmpuint (g_hash_table_size (customers), ==, 10);
  cursor = crm_store_dup_cursor (c->store);
  g_assert_nonnull (cursor);
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_IDLE);
  g_assert_cmpuint (c->finished, ==, 1);
  g_assert_cmpuint (c->finished_ok, ==, 0);

  /* and the next sync goes on from there */
  crm_sync_engine_set_page_size (c->engine, 1000);
  g_assert_true (sync_and_wait (c));
  g_assert_false (c->saw_first_sync);
  assert_store_matches (c->store, conn, "manager");
}

static void
stop_on_first_page_cb (CrmSyncEngine *engine,
                       GParamSpec    *pspec,
                       Client        *c)
{
  if (crm_sync_engine_get_received (engine) > 0)
    crm_sync_engine_stop (engine);
}

static void
test_stop_ends_the_running_sync_and_the_timer (void)
{
  g_autoptr(Client) c = client_new ("manager");
  g_autoptr(GHashTable) customers = NULL;

  crm_sync_engine_set_page_size (c->engine, 10);
  g_signal_connect (c->engine, "notify::received", G_CALLBACK (stop_on_first_page_cb), c);
  crm_sync_engine_start (c->engine, 1);
  crm_sync_engine_sync_now (c->engine);   /* one more after it, which stop forgets */
  wait_for_finished (c, 1);
  g_assert_cmpuint (c->finished_ok, ==, 0);
  spin (2500);
  g_assert_cmpuint (c->finished, ==, 1);
  customers = local_versions (c->store, "customers");
  g_assert_cmpuint (g_hash_table_size (customers), ==, 10);
}

static void
test_sync_now_during_a_run_runs_once_more (void)
{
  g_autoptr(Client) c = client_new ("manager");

  crm_sync_engine_set_page_size (c->engine, 50);
  sync_start (c);
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_RUNNING);
  crm_sync_engine_sync_now (c->engine);
  crm_sync_engine_sync_now (c->engine);
  crm_sync_engine_sync_now (c->engine);
  wait_until (&c->done);
  g_assert_true (c->ok);
  g_assert_cmpuint (c->finished, ==, 1);

  /* exactly one more, never two at a time */
  wait_for_finished (c, 2);
  spin (300);
  g_assert_cmpuint (c->finished, ==, 2);
  g_assert_cmpuint (c->finished_ok, ==, 2);
  g_assert_cmpint (crm_sync_engine_get_status (c->engine), ==, CRM_SYNC_STATUS_IDLE);
}

typedef struct
{
  Client   *client;
  gboolean  done;
  guint     finished_then;   /* the client's ::finished count at the callback */
} Call;

static void
call_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_sync_engine_sync_finish (CRM_SYNC_ENGINE (object), result, &error));
  g_assert_no_error (error);
  call->finished_then = call->client->finished;
  call->done = TRUE;
}

static void
test_sync_async_during_a_run_waits_for_the_next (void)
{
  g_autoptr(Client) c = client_new ("manager");
  Call first = { c, FALSE, 0 };
  Call second = { c, FALSE, 0 };
  Call third = { c, FALSE, 0 };

  crm_sync_engine_sync_async (c->engine, NULL, call_done_cb, &first);
  /* callers during the run share the one after it */
  crm_sync_engine_sync_async (c->engine, NULL, call_done_cb, &second);
  crm_sync_engine_sync_async (c->engine, NULL, call_done_cb, &third);
  wait_until (&third.done);
  g_assert_true (first.done);
  g_assert_true (second.done);
  g_assert_cmpuint (first.finished_then, ==, 1);
  g_assert_cmpuint (second.finished_then, ==, 2);
  g_assert_cmpuint (third.finished_then, ==, 2);
  spin (300);
  g_assert_cmpuint (c->finished, ==, 2);
}

static void
test_timer_syncs_until_stopped (void)
{
  g_autoptr(Client) c = client_new ("manager");
  guint finished;

  crm_sync_engine_start (c->engine, 1);
  wait_for_finished (c, 3);
  crm_sync_engine_stop (c->engine);
  finished = c->finished;
  spin (2500);
  g_assert_cmpuint (c->finished, ==, finished);
  g_assert_cmpuint (c->finished_ok, ==, finished);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("KEYLINE_SERVER");
  g_autofree char *conninfo = NULL;
  g_autofree char *api_url = NULL;
  int status;
  int seed_status = -1;

  g_test_init (&argc, &argv, NULL);
  crm_auth_init (NULL);

  if (!crm_test_pg_available () || binary == NULL)
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
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
  /* a restart (the offline test) comes back on the same port */
  config->listen_port = crm_server_get_port (server);
  base_url = g_strdup_printf ("http://127.0.0.1:%u", config->listen_port);
  api_url = g_strconcat (base_url, "/api/v1/", NULL);
  crm_test_http_init (api_url);

  g_test_add_func ("/sync/engine/first-sync-fills-the-store-with-what-the-user-may-see",
                   test_first_sync_fills_the_store_with_what_the_user_may_see);
  g_test_add_func ("/sync/engine/first-sync-says-when-each-entity-is-in", test_first_sync_says_when_each_entity_is_in);
  g_test_add_func ("/sync/engine/quiet-sync-applies-nothing", test_quiet_sync_applies_nothing);
  g_test_add_func ("/sync/engine/customer-moved-away-disappears-with-its-contacts",
                   test_customer_moved_away_disappears_with_its_contacts);
  g_test_add_func ("/sync/engine/contact-deleted-on-the-server-disappears",
                   test_contact_deleted_on_the_server_disappears);
  g_test_add_func ("/sync/engine/deletions-of-every-entity-reach-the-store",
                   test_deletions_of_every_entity_reach_the_store);
  g_test_add_func ("/sync/engine/local-edit-reaches-the-server-and-another-client",
                   test_local_edit_reaches_the_server_and_another_client);
  g_test_add_func ("/sync/engine/edit-of-another-field-merges", test_edit_of_another_field_merges);
  g_test_add_func ("/sync/engine/edit-of-a-field-changed-elsewhere-is-a-conflict",
                   test_edit_of_a_field_changed_elsewhere_is_a_conflict);
  g_test_add_func ("/sync/engine/contact-edit-of-a-field-changed-elsewhere-is-a-conflict",
                   test_contact_edit_of_a_field_changed_elsewhere_is_a_conflict);
  g_test_add_func ("/sync/engine/retried-mutation-applies-once", test_retried_mutation_applies_once);
  g_test_add_func ("/sync/engine/refused-edit-is-marked-failed", test_refused_edit_is_marked_failed);
  g_test_add_func ("/sync/engine/contact-deleted-offline-goes-once-online",
                   test_contact_deleted_offline_goes_once_online);
  g_test_add_func ("/sync/engine/delete-of-a-contact-gone-on-the-server-settles",
                   test_delete_of_a_contact_gone_on_the_server_settles);
  g_test_add_func ("/sync/engine/refused-delete-brings-the-contact-back", test_refused_delete_brings_the_contact_back);
  g_test_add_func ("/sync/engine/interaction-logged-offline-is-delivered",
                   test_interaction_logged_offline_is_delivered);
  g_test_add_func ("/sync/engine/interaction-edit-changed-elsewhere-is-a-conflict",
                   test_interaction_edit_changed_elsewhere_is_a_conflict);
  g_test_add_func ("/sync/engine/opportunity-moved-offline-is-recorded-with-who-and-when",
                   test_opportunity_moved_offline_is_recorded);
  g_test_add_func ("/sync/engine/opportunity-lost-needs-a-reason", test_opportunity_lost_needs_a_reason);
  g_test_add_func ("/sync/engine/campaign-member-outcome-goes-through-the-queue",
                   test_campaign_member_outcome_goes_through_the_queue);
  g_test_add_func ("/sync/engine/contact-marked-primary-unmarks-the-other",
                   test_contact_marked_primary_unmarks_the_other);
  g_test_add_func ("/sync/engine/unreachable-server-is-offline-and-keeps-the-queue",
                   test_unreachable_server_is_offline_and_keeps_the_queue);
  g_test_add_func ("/sync/engine/signed-out-token-is-unauthenticated", test_signed_out_token_is_unauthenticated);
  g_test_add_func ("/sync/engine/refused-cursor-starts-over", test_refused_cursor_starts_over);
  g_test_add_func ("/sync/engine/cursor-of-another-user-starts-over", test_cursor_of_another_user_starts_over);
  g_test_add_func ("/sync/engine/server-error-fails-the-sync", test_server_error_fails_the_sync);
  g_test_add_func ("/sync/engine/cancel-stops-after-the-current-page", test_cancel_stops_after_the_current_page);
  g_test_add_func ("/sync/engine/stop-ends-the-running-sync-and-the-timer",
                   test_stop_ends_the_running_sync_and_the_timer);
  g_test_add_func ("/sync/engine/sync-now-during-a-run-runs-once-more", test_sync_now_during_a_run_runs_once_more);
  g_test_add_func ("/sync/engine/sync-async-during-a-run-waits-for-the-next",
                   test_sync_async_during_a_run_waits_for_the_next);
  g_test_add_func ("/sync/engine/timer-syncs-until-stopped", test_timer_syncs_until_stopped);

  status = g_test_run ();

  crm_test_http_shutdown ();
  if (server != NULL)
    crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_clear_pointer (&config, crm_config_free);
  g_free (base_url);
  return status;
}
