/* GET /sync and POST /mutations against an in-process server and a seeded
 * throwaway database (keyline-server seed --customers 300). */
#define G_LOG_DOMAIN "test-server-sync"

#include "config.h"

#include <string.h>

#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

#define PASSWORD "keyline"

static CrmServer *server;
static char *conninfo;

/* A local copy, as a client keeps it: id -> record. */
typedef struct
{
  GHashTable *customers;
  GHashTable *contacts;
  char       *cursor;
  guint       pages;
  guint       resets;
} Copy;

static Copy *
copy_new (void)
{
  Copy *c = g_new0 (Copy, 1);

  c->customers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  c->contacts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  return c;
}

static void
copy_free (Copy *c)
{
  g_hash_table_unref (c->customers);
  g_hash_table_unref (c->contacts);
  g_free (c->cursor);
  g_free (c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Copy, copy_free)

static void
store_array (GHashTable *table,
             JsonArray  *array)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      JsonObject *old = g_hash_table_lookup (table, json_object_get_string_member (o, "id"));

      /* keep the newer version: a row can come twice */
      if (old && json_object_get_int_member (old, "version") > json_object_get_int_member (o, "version"))
        continue;
      g_hash_table_replace (table, g_strdup (json_object_get_string_member (o, "id")), json_object_ref (o));
    }
}

static gboolean
contact_of_cb (gpointer key,
               gpointer value,
               gpointer customer_id)
{
  return g_str_equal (json_object_get_string_member (value, "customer_id"), customer_id);
}

/* Runs rounds until the server says there is no more; returns the records
 * received. */
static guint
copy_sync (Copy       *c,
           const char *token,
           guint       limit)
{
  guint received = 0;

  for (;;)
    {
      g_autofree char *path = c->cursor
        ? g_strdup_printf ("sync?limit=%u&cursor=%s", limit, c->cursor)
        : g_strdup_printf ("sync?limit=%u", limit);
      g_autoptr(Response) r = get (path, token);
      JsonObject *page;
      JsonArray *removed;

      if (r->status != 200)
        g_error ("GET %s: %u %s", path, r->status, r->body);
      page = obj (r);
      c->pages++;
      if (json_object_get_boolean_member (page, "reset"))
        {
          c->resets++;
          g_hash_table_remove_all (c->customers);
          g_hash_table_remove_all (c->contacts);
          g_clear_pointer (&c->cursor, g_free);
          continue;
        }
      store_array (c->customers, json_object_get_array_member (page, "customers"));
      store_array (c->contacts, json_object_get_array_member (page, "contacts"));
      /* every entity's records count (this copy keeps two of them) */
      {
        g_autoptr(GList) members = json_object_get_members (page);

        for (GList *m = members; m; m = m->next)
          if (JSON_NODE_HOLDS_ARRAY (json_object_get_member (page, m->data)) && !g_str_equal (m->data, "removed"))
            received += json_array_get_length (json_object_get_array_member (page, m->data));
      }
      removed = json_object_get_array_member (page, "removed");
      for (guint i = 0; i < json_array_get_length (removed); i++)
        {
          JsonObject *o = json_array_get_object_element (removed, i);
          const char *id = json_object_get_string_member (o, "id");

          if (g_str_equal (json_object_get_string_member (o, "entity"), "customer"))
            {
              g_hash_table_remove (c->customers, id);
              g_hash_table_foreach_remove (c->contacts, contact_of_cb, (gpointer) id);
            }
          else
            g_hash_table_remove (c->contacts, id);
          received++;
        }
      g_free (c->cursor);
      c->cursor = g_strdup (json_object_get_string_member (page, "cursor"));
      if (!json_object_get_boolean_member (page, "more"))
        return received;
    }
}

/* The database ------------------------------------------------------------ */

static PGconn *
admin_connection (void)
{
  return crm_test_pg_connect_as_admin (conninfo);
}

static char *
scalar (PGconn     *conn,
        const char *sql,
        const char *param)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param, NULL);

  return PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

/* id -> version of what @login may see, from the database. */
static GHashTable *
server_versions (PGconn     *conn,
                 const char *table,
                 const char *login)
{
  g_autofree char *sql = g_str_equal (table, "customers")
    ? g_strdup ("SELECT c.id, c.version FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id WHERE u.login = $1")
    : g_strdup ("SELECT k.id, k.version FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id"
                " JOIN crm.users u ON u.id = c.owner_id WHERE u.login = $1");
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, login, NULL);
  GHashTable *versions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_insert (versions, g_strdup (PQgetvalue (res, i, 0)),
                         GINT_TO_POINTER (atoi (PQgetvalue (res, i, 1))));
  return versions;
}

/* The copy holds exactly the server's rows, at the server's versions. */
static void
assert_copy_matches (Copy       *c,
                     PGconn     *conn,
                     const char *login)
{
  const char *tables[2] = { "customers", "contacts" };

  for (guint t = 0; t < 2; t++)
    {
      g_autoptr(GHashTable) expected = server_versions (conn, tables[t], login);
      GHashTable *local = t == 0 ? c->customers : c->contacts;
      GHashTableIter iter;
      gpointer key, value;

      g_test_message ("%s: server %u, copy %u", tables[t], g_hash_table_size (expected), g_hash_table_size (local));
      g_hash_table_iter_init (&iter, expected);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          JsonObject *o = g_hash_table_lookup (local, key);

          if (o == NULL)
            g_error ("%s %s (version %d) is missing from the copy", tables[t], (char *) key, GPOINTER_TO_INT (value));
          g_assert_cmpint (json_object_get_int_member (o, "version"), ==, GPOINTER_TO_INT (value));
        }
      g_assert_cmpuint (g_hash_table_size (local), ==, g_hash_table_size (expected));
    }
}

/* Sync --------------------------------------------------------------------- */

static void
test_sync_needs_a_token (void)
{
  g_autoptr(Response) r = get ("sync", NULL);

  assert_error (r, 401, "unauthenticated", NULL);
}

static void
test_sync_first_round_pages_cover_what_the_caller_may_see (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(Copy) c = copy_new ();
  g_autoptr(Response) first = get ("sync?limit=7", token);
  gint64 total = json_object_get_int_member (obj (first), "total");
  guint received;

  received = copy_sync (c, token, 7);
  assert_copy_matches (c, conn, "manager");
  g_assert_cmpint (total, >, g_hash_table_size (c->customers) + g_hash_table_size (c->contacts));
  g_assert_cmpuint (received, ==, total);       /* a quiet database: nothing twice */
  g_assert_cmpuint (c->pages, >, total / 7);
  g_assert_cmpuint (g_hash_table_size (c->customers), >=, 100);
}

static void
test_sync_quiet_round_sends_nothing (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(Copy) c = copy_new ();
  g_autofree char *before = NULL;

  copy_sync (c, token, 500);
  before = g_strdup (c->cursor);
  c->pages = 0;
  g_assert_cmpuint (copy_sync (c, token, 500), ==, 0);
  g_assert_cmpuint (c->pages, ==, 1);
}

static void
test_sync_sends_changes_moves_and_deletions (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *other = scalar (conn, "SELECT login FROM crm.users WHERE role = 'manager' AND login <> 'manager'"
                                         " ORDER BY login LIMIT 1", NULL);
  g_autofree char *other_token = sign_in_with (other, PASSWORD);
  g_autoptr(Copy) mine = copy_new ();
  g_autoptr(Copy) theirs = copy_new ();
  g_autofree char *renamed = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *contact = NULL;
  g_autoptr(PGresult) r1 = NULL;
  g_autoptr(PGresult) r2 = NULL;
  g_autoptr(PGresult) r3 = NULL;

  copy_sync (mine, token, 50);
  copy_sync (theirs, other_token, 50);

  renamed = scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                          " WHERE u.login = 'manager' ORDER BY c.id LIMIT 1", NULL);
  moved = scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                        " WHERE u.login = 'manager' AND EXISTS (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id)"
                        " ORDER BY c.id DESC LIMIT 1", NULL);
  contact = scalar (conn, "SELECT k.id FROM crm.contacts k WHERE k.customer_id = $1 ORDER BY k.id LIMIT 1", renamed);
  g_assert_nonnull (moved);

  r1 = crm_test_pg_query (conn, "UPDATE crm.customers SET name = name || '（更名）' WHERE id = $1", renamed, NULL);
  r2 = crm_test_pg_query (conn, "UPDATE crm.customers SET owner_id = (SELECT id FROM crm.users WHERE login = $2) WHERE id = $1",
              moved, other);
  if (contact)
    r3 = crm_test_pg_query (conn, "DELETE FROM crm.contacts WHERE id = $1", contact, NULL);

  copy_sync (mine, token, 50);
  copy_sync (theirs, other_token, 50);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (g_hash_table_lookup (mine->customers, renamed), "name"),
                                   "（更名）"));
  g_assert_false (g_hash_table_contains (mine->customers, moved));
  g_assert_true (g_hash_table_contains (theirs->customers, moved));
  if (contact)
    g_assert_false (g_hash_table_contains (mine->contacts, contact));
  assert_copy_matches (mine, conn, "manager");
  /* the new owner got the moved customer's contacts, which did not change */
  assert_copy_matches (theirs, conn, other);
}

typedef struct
{
  guint   seed;
  guint   transactions;
  char   *other;
  gint    done;
} Writer;

/* Random writes to the demo manager's customers, each transaction holding
 * its changes for a random time before it commits. */
static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (w->seed);
  g_autoptr(PGconn) conn = admin_connection ();

  for (guint t = 0; t < w->transactions; t++)
    {
      g_autofree char *delay = g_strdup_printf ("%.3f", g_rand_int_range (rand, 0, 40) / 1000.0);
      g_autoptr(PGresult) begin = crm_test_pg_query (conn, "BEGIN", NULL, NULL);
      g_autoptr(PGresult) write = NULL;
      g_autoptr(PGresult) sleep = NULL;
      g_autoptr(PGresult) commit = NULL;

      switch (g_rand_int_range (rand, 0, 5))
        {
        case 0:
        case 1:
          write = crm_test_pg_query (conn, "UPDATE crm.customers SET monthly_revenue = monthly_revenue + 1 WHERE id ="
                               " (SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                               "   WHERE u.login = 'manager' ORDER BY random() LIMIT 1)", NULL, NULL);
          break;
        case 2:
          write = crm_test_pg_query (conn, "INSERT INTO crm.contacts (customer_id, name, mobile)"
                               " SELECT c.id, '新联系人', '13800138000' FROM crm.customers c JOIN crm.users u"
                               "   ON u.id = c.owner_id WHERE u.login = 'manager' ORDER BY random() LIMIT 1", NULL, NULL);
          break;
        case 3:
          /* away to another manager, or back */
          write = crm_test_pg_query (conn, "UPDATE crm.customers SET owner_id = CASE WHEN owner_id = (SELECT id FROM crm.users"
                               "   WHERE login = 'manager') THEN (SELECT id FROM crm.users WHERE login = $1)"
                               "   ELSE (SELECT id FROM crm.users WHERE login = 'manager') END"
                               " WHERE id = (SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                               "   WHERE u.login IN ('manager', $1) ORDER BY random() LIMIT 1)", w->other, NULL);
          break;
        default:
          write = crm_test_pg_query (conn, "UPDATE crm.contacts SET title = coalesce(title, '') || '.' WHERE id ="
                               " (SELECT k.id FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id"
                               "   JOIN crm.users u ON u.id = c.owner_id WHERE u.login = 'manager'"
                               "   ORDER BY random() LIMIT 1)", NULL, NULL);
          break;
        }
      sleep = crm_test_pg_query (conn, "SELECT pg_sleep($1::float8)", delay, NULL);
      commit = crm_test_pg_query (conn, "COMMIT", NULL, NULL);
    }
  g_atomic_int_set (&w->done, 1);
  return NULL;
}

static void
test_sync_concurrent_writers_never_skip_a_row (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *other = scalar (conn, "SELECT login FROM crm.users WHERE role = 'manager' AND login <> 'manager'"
                                         " ORDER BY login DESC LIMIT 1", NULL);
  g_autoptr(Copy) c = copy_new ();
  Writer writers[3];
  GThread *threads[3];
  gint remaining = 3;
  guint rounds = 0;

  copy_sync (c, token, 9);
  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    {
      writers[i].seed = 17 + i;
      writers[i].transactions = 60;
      writers[i].other = other;
      writers[i].done = 0;
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }
  /* sync in small pages while they write */
  while (remaining > 0)
    {
      copy_sync (c, token, 3);
      rounds++;
      remaining = 0;
      for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
        remaining += !g_atomic_int_get (&writers[i].done);
    }
  for (guint i = 0; i < G_N_ELEMENTS (writers); i++)
    g_thread_join (threads[i]);
  copy_sync (c, token, 3);
  g_test_message ("%u rounds, %u pages while 3 writers committed 180 transactions", rounds, c->pages);
  g_assert_cmpuint (rounds, >, 3);
  assert_copy_matches (c, conn, "manager");
}

static void
test_sync_cursor_of_someone_else_starts_over (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autoptr(Copy) c = copy_new ();
  g_autofree char *path = NULL;
  g_autoptr(Response) r = NULL;

  copy_sync (c, token, 500);
  path = g_strdup_printf ("sync?cursor=%s", c->cursor);
  r = get (path, director);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (obj (r), "reset"));
  g_assert_true (json_object_get_boolean_member (obj (r), "more"));
}

static void
test_sync_rejects_bad_parameters (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(Response) junk = get ("sync?cursor=bm90IGEgY3Vyc29y", token);
  g_autoptr(Response) symbols = get ("sync?cursor=%24%24", token);
  g_autoptr(Response) limit = get ("sync?limit=0", token);
  g_autoptr(Response) big = get ("sync?limit=100000", token);

  assert_error (junk, 400, "invalid", "cursor");
  assert_error (symbols, 400, "invalid", "cursor");
  assert_error (limit, 400, "invalid", "limit");
  assert_error (big, 400, "invalid", "limit");
}

/* Mutations ------------------------------------------------------------ */

static char *
mutation (const char *key,
          const char *entity,
          const char *op,
          const char *id,
          gint64      base_version,
          const char *fields,
          const char *base)
{
  return g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"%s\",\"op\":\"%s\",\"id\":\"%s\","
                          "\"base_version\":%" G_GINT64_FORMAT ",\"fields\":%s,\"base\":%s}",
                          key, entity, op, id, base_version, fields, base);
}

static char *
own_customer (PGconn *conn)
{
  return scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                       " WHERE u.login = 'manager' ORDER BY c.name LIMIT 1", NULL);
}

static gint64
version_of (PGconn     *conn,
            const char *table_sql,
            const char *id)
{
  g_autofree char *v = scalar (conn, table_sql, id);

  return g_ascii_strtoll (v, NULL, 10);
}

static void
test_mutations_update_applies_once_and_a_stale_one_is_409 (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *id = own_customer (conn);
  gint64 version = version_of (conn, "SELECT version FROM crm.customers WHERE id = $1", id);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *name = scalar (conn, "SELECT name FROM crm.customers WHERE id = $1", id);
  g_autofree char *tier = scalar (conn, "SELECT tier FROM crm.customers WHERE id = $1", id);
  g_autofree char *base = g_strdup_printf ("{\"name\":\"%s\",\"tier\":\"%s\"}", name, tier);
  g_autofree char *stale_base = g_strdup_printf ("{\"name\":\"%s\"}", name);
  g_autofree char *body = mutation (key, "customer", "update", id, version,
                                    "{\"name\":\"广州移动测试客户\",\"tier\":\"key\"}", base);
  g_autoptr(Response) first = post_json ("mutations", token, body);
  g_autoptr(Response) retry = post_json ("mutations", token, body);
  g_autofree char *stale_key = g_uuid_string_random ();
  g_autofree char *stale_body = mutation (stale_key, "customer", "update", id, version, "{\"name\":\"旧的修改\"}",
                                          stale_base);
  g_autoptr(Response) stale = post_json ("mutations", token, stale_body);
  g_autofree char *audit = NULL;
  JsonObject *record;

  g_assert_cmpuint (first->status, ==, 200);
  record = json_object_get_object_member (obj (first), "record");
  g_assert_cmpstr (json_object_get_string_member (record, "name"), ==, "广州移动测试客户");
  g_assert_cmpstr (json_object_get_string_member (record, "tier"), ==, "key");
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, version + 1);

  /* the retry gets the first answer and changes nothing */
  g_assert_cmpuint (retry->status, ==, 200);
  g_assert_cmpstr (retry->body, ==, first->body);
  g_assert_cmpint (version_of (conn, "SELECT version FROM crm.customers WHERE id = $1", id), ==, version + 1);

  /* a change of the same field made on the old value does not overwrite */
  assert_error (stale, 409, "conflict", "name");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj (stale), "record"), "version"),
                   ==, version + 1);
  g_assert_cmpint (version_of (conn, "SELECT version FROM crm.customers WHERE id = $1", id), ==, version + 1);

  /* recorded: which fields, not their values */
  audit = scalar (conn, "SELECT detail::text FROM crm.audit_log WHERE entity = 'customer' AND entity_id = $1"
                        " AND action = 'update' ORDER BY id DESC LIMIT 1", id);
  g_assert_nonnull (audit);
  g_assert_nonnull (strstr (audit, "\"name\""));
  g_assert_null (strstr (audit, "广州移动测试客户"));
}

static void
test_mutations_a_second_client_sees_the_edit (void)
{
  g_autofree char *laptop = sign_in_with ("manager", PASSWORD);
  g_autofree char *desktop = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(Copy) other = copy_new ();
  g_autofree char *id = own_customer (conn);
  gint64 version = version_of (conn, "SELECT version FROM crm.customers WHERE id = $1", id);
  g_autofree char *rating = scalar (conn, "SELECT credit_rating FROM crm.customers WHERE id = $1", id);
  g_autofree char *base = g_strdup_printf ("{\"credit_rating\":\"%s\"}", rating);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *body = mutation (key, "customer", "update", id, version, "{\"credit_rating\":\"AA\"}", base);
  g_autoptr(Response) r = NULL;

  copy_sync (other, desktop, 500);
  r = post_json ("mutations", laptop, body);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (copy_sync (other, desktop, 500), >=, 1);
  g_assert_cmpstr (json_object_get_string_member (g_hash_table_lookup (other->customers, id), "credit_rating"), ==, "AA");
  g_assert_cmpint (json_object_get_int_member (g_hash_table_lookup (other->customers, id), "version"), ==, version + 1);
}

static void
test_mutations_who_may_write_what (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *marketing = sign_in_with ("marketing", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *foreign = scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                           " WHERE u.login <> 'manager' ORDER BY c.id LIMIT 1", NULL);
  g_autofree char *mine = own_customer (conn);
  gint64 v_foreign = version_of (conn, "SELECT version FROM crm.customers WHERE id = $1", foreign);
  gint64 v_mine = version_of (conn, "SELECT version FROM crm.customers WHERE id = $1", mine);
  g_autofree char *k1 = g_uuid_string_random ();
  g_autofree char *k2 = g_uuid_string_random ();
  g_autofree char *b1 = mutation (k1, "customer", "update", foreign, v_foreign, "{\"name\":\"抢客户\"}",
                                  "{\"name\":null}");
  g_autofree char *b2 = mutation (k2, "customer", "update", mine, v_mine, "{\"name\":\"市场部改名\"}",
                                  "{\"name\":null}");
  g_autoptr(Response) not_mine = post_json ("mutations", manager, b1);
  g_autoptr(Response) read_only = post_json ("mutations", marketing, b2);

  assert_error (not_mine, 404, "not_found", "id");
  assert_error (read_only, 403, "forbidden", "id");
  g_assert_cmpint (version_of (conn, "SELECT version FROM crm.customers WHERE id = $1", foreign), ==, v_foreign);
  g_assert_cmpint (version_of (conn, "SELECT version FROM crm.customers WHERE id = $1", mine), ==, v_mine);
}

static void
test_mutations_bad_input_names_the_field (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *id = own_customer (conn);
  g_autofree char *contact = scalar (conn, "SELECT k.id FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id"
                                           " JOIN crm.users u ON u.id = c.owner_id WHERE u.login = 'manager' LIMIT 1", NULL);
  g_autofree char *key = g_uuid_string_random ();
  struct { const char *body_fields; const char *entity; const char *target; const char *field; } cases[] = {
    { "{\"mobile\":\"12345\"}",            "contact",  contact, "mobile" },
    { "{\"email\":\"not an address\"}",    "contact",  contact, "email" },
    { "{\"name\":\"\"}",                   "customer", id,      "name" },
    { "{\"tier\":\"gold\"}",               "customer", id,      "tier" },
    { "{\"owner_id\":\"x\"}",              "customer", id,      "owner_id" },
    { "{\"is_primary\":\"yes\"}",          "contact",  contact, "is_primary" },
    { "{}",                                "customer", id,      "fields" },
    { "[]",                                "customer", id,      "fields" },
  };

  g_assert_nonnull (contact);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = mutation (key, cases[i].entity, "update", cases[i].target, 1, cases[i].body_fields,
                                            "{}");
      g_autoptr(Response) r = post_json ("mutations", token, body);

      assert_error (r, 400, "invalid", cases[i].field);
    }
  {
    g_autoptr(Response) no_key = post_json ("mutations", token, "{\"entity\":\"customer\",\"id\":\"x\"}");
    g_autoptr(Response) no_version = post_json ("mutations", token,
                                                "{\"key\":\"0b6f5b4e-9d7a-4c1e-8f00-000000000001\",\"entity\":\"customer\","
                                                "\"id\":\"0b6f5b4e-9d7a-4c1e-8f00-000000000002\",\"fields\":{\"name\":\"x\"}}");
    g_autoptr(Response) no_token = post_json ("mutations", NULL, "{}");

    assert_error (no_key, 400, "invalid", "key");
    assert_error (no_version, 400, "invalid", "base");
    assert_error (no_token, 401, "unauthenticated", NULL);
  }
  {
    /* a body over the configured limit (1 MiB), and one nested too deep */
    gsize n = 2 * 1024 * 1024;
    g_autofree char *big = g_strnfill (n, ' ');
    g_autofree char *deep = g_strnfill (2 * 100000, '[');
    g_autoptr(Response) too_large = NULL;
    g_autoptr(Response) too_deep = NULL;

    big[0] = '{';
    big[n - 1] = '}';
    memset (deep + 100000, ']', 100000);
    too_large = http ("POST", "mutations", token, "application/json", big, n);
    too_deep = post_json ("mutations", token, deep);
    assert_error (too_large, 413, "too_large", "body");
    assert_error (too_deep, 400, "malformed", "body");
  }
}

static void
test_mutations_create_a_contact_with_the_clients_id (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *customer = own_customer (conn);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *again_key = g_uuid_string_random ();
  g_autofree char *fields = g_strdup_printf ("{\"customer_id\":\"%s\",\"name\":\"陈晓明\",\"mobile\":\"13912345678\","
                                             "\"email\":\"chen@example.cn\",\"is_primary\":false}", customer);
  g_autofree char *body = mutation (key, "contact", "create", id, 0, fields, "{}");
  g_autofree char *again = mutation (again_key, "contact", "create", id, 0, fields, "{}");
  g_autoptr(Response) created = post_json ("mutations", token, body);
  g_autoptr(Response) duplicate = post_json ("mutations", token, again);
  g_autoptr(Copy) c = copy_new ();
  JsonObject *record;

  g_assert_cmpuint (created->status, ==, 201);
  record = json_object_get_object_member (obj (created), "record");
  g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, id);
  /* personal data leaves the server masked, even to whoever wrote it */
  g_assert_cmpstr (json_object_get_string_member (record, "mobile"), !=, "13912345678");
  assert_error (duplicate, 409, "conflict", "id");

  copy_sync (c, token, 500);
  g_assert_true (g_hash_table_contains (c->contacts, id));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autofree char *base_url = NULL;
  const char *binary = g_getenv ("KEYLINE_SERVER");
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

  g_free (config->database);
  config->database = g_strdup (conninfo);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->threads = 2;
  server = crm_server_start (config, &error);
  g_assert_no_error (error);
  base_url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/", crm_server_get_port (server));
  crm_test_http_init (base_url);

  g_test_add_func ("/server/sync/needs-a-token", test_sync_needs_a_token);
  g_test_add_func ("/server/sync/first-round-pages-cover-what-the-caller-may-see",
                   test_sync_first_round_pages_cover_what_the_caller_may_see);
  g_test_add_func ("/server/sync/quiet-round-sends-nothing", test_sync_quiet_round_sends_nothing);
  g_test_add_func ("/server/sync/sends-changes-moves-and-deletions", test_sync_sends_changes_moves_and_deletions);
  g_test_add_func ("/server/sync/concurrent-writers-never-skip-a-row", test_sync_concurrent_writers_never_skip_a_row);
  g_test_add_func ("/server/sync/cursor-of-someone-else-starts-over", test_sync_cursor_of_someone_else_starts_over);
  g_test_add_func ("/server/sync/rejects-bad-parameters", test_sync_rejects_bad_parameters);
  g_test_add_func ("/server/mutations/update-applies-once-and-a-stale-one-is-409",
                   test_mutations_update_applies_once_and_a_stale_one_is_409);
  g_test_add_func ("/server/mutations/a-second-client-sees-the-edit", test_mutations_a_second_client_sees_the_edit);
  g_test_add_func ("/server/mutations/who-may-write-what", test_mutations_who_may_write_what);
  g_test_add_func ("/server/mutations/bad-input-names-the-field", test_mutations_bad_input_names_the_field);
  g_test_add_func ("/server/mutations/create-a-contact-with-the-clients-id",
                   test_mutations_create_a_contact_with_the_clients_id);

  status = g_test_run ();

  crm_test_http_shutdown ();
  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
