/* A director's sync narrowed to the opportunities they own (issue 10:
 * "Directors' views do not replicate their whole region to the laptop"),
 * against an in-process server and a seeded throwaway database: what a
 * director's full sync holds (checked against plain SQL as the schema's
 * owner, not against the entity table), that a director's cursor of
 * before starts over and a manager's does not, and that an opportunity
 * taken from the director leaves their copy with its stage history while
 * one given to them arrives with it. */
#define G_LOG_DOMAIN "test-server-director-sync"

#include "config.h"

#include <string.h>

#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-cursor.h"
#include "crm-entity.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"
#include "crm-test-sync-copy.h"

#define PASSWORD "keyline"

static CrmServer *server;
static char *conninfo;

/* The demo director, their province, and a manager of it. */
static char *director_id;
static char *home_region;
static char *manager_id;

#define OPPORTUNITIES(c) ((c)->records[CRM_ENTITY_OPPORTUNITY])
#define STAGES(c)        ((c)->records[CRM_ENTITY_OPPORTUNITY_STAGE])

/* The database ------------------------------------------------------------ */

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
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param, NULL);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
}

static void
run (const char *sql,
     const char *param1,
     const char *param2)
{
  g_autoptr(PGconn) conn = admin_connection ();

  PQclear (crm_test_pg_query (conn, sql, param1, param2));
}

/* The first column of @sql's rows, as a set. */
static GHashTable *
id_set (const char *sql,
        const char *param)
{
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param, NULL);
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_add (set, g_strdup (PQgetvalue (res, i, 0)));
  return set;
}

/* The keys of the copy's @records equal @expected. */
static void
assert_keys (GHashTable *records,
             GHashTable *expected,
             const char *what)
{
  GHashTableIter iter;
  gpointer key;

  g_test_message ("%s: copy %u, expected %u", what, g_hash_table_size (records), g_hash_table_size (expected));
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (records, key))
      g_error ("%s: %s is missing from the copy", what, (char *) key);
  g_assert_cmpuint (g_hash_table_size (records), ==, g_hash_table_size (expected));
}

/* The director's own opportunities and their stage history, by plain SQL. */
#define OWN_OPPORTUNITIES "SELECT id::text FROM crm.opportunities WHERE owner_id = $1::uuid"
#define OWN_STAGES \
  "SELECT h.id::text FROM crm.opportunity_stage_history h JOIN crm.opportunities o ON o.id = h.opportunity_id" \
  " WHERE o.owner_id = $1::uuid"

/* Whether a departure of @entity with id @id is among @c's. */
static gboolean
departed (Copy       *c,
          const char *entity,
          const char *id)
{
  for (guint i = 0; i < c->departures->len; i++)
    {
      JsonObject *o = c->departures->pdata[i];
      g_autofree char *key = member_text (o, "id");

      if (g_str_equal (json_object_get_string_member (o, "entity"), entity) && g_str_equal (key, id))
        return TRUE;
    }
  return FALSE;
}

/* How many of @ids @records holds. */
static guint
count_in (GPtrArray  *ids,
          GHashTable *records)
{
  guint n = 0;

  for (guint i = 0; i < ids->len; i++)
    n += g_hash_table_contains (records, ids->pdata[i]);
  return n;
}

static GPtrArray *
ids_of (const char *sql,
        const char *param)
{
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param, NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; i < PQntuples (res); i++)
    g_ptr_array_add (ids, g_strdup (PQgetvalue (res, i, 0)));
  return ids;
}

/* Tests -------------------------------------------------------------------- */

/* A director's first sync: exactly their own opportunities and those
 * opportunities' stage history, while every customer of their province
 * still comes; the first page's total is the rows sent.  (Before: the
 * province's opportunities, many times more.) */
static void
test_full_sync_holds_own_opportunities_and_every_customer (void)
{
  g_autofree char *token = sign_in_with ("director", PASSWORD);
  g_autoptr(Copy) c = copy_new ();
  g_autoptr(GHashTable) own = id_set (OWN_OPPORTUNITIES, director_id);
  g_autoptr(GHashTable) own_stages = id_set (OWN_STAGES, director_id);
  g_autoptr(GHashTable) customers = id_set ("SELECT id::text FROM crm.customers"
                                            " WHERE region_id = ANY (crm.region_subtree($1::uuid))", home_region);
  g_autofree char *region_opportunities = scalar ("SELECT count(*) FROM crm.opportunities o"
                                                  " JOIN crm.customers c ON c.id = o.customer_id"
                                                  " WHERE c.region_id = ANY (crm.region_subtree($1::uuid))",
                                                  home_region);
  guint received = copy_sync (c, token, 97);

  /* the test proves something: the province has many more */
  g_assert_cmpuint (g_hash_table_size (own), >, 2);
  g_assert_cmpuint (g_hash_table_size (own_stages), >, g_hash_table_size (own));
  g_assert_cmpint (g_ascii_strtoll (region_opportunities, NULL, 10), >, 3 * g_hash_table_size (own));

  assert_keys (OPPORTUNITIES (c), own, "opportunities");
  assert_keys (STAGES (c), own_stages, "opportunity stages");
  assert_keys (CUSTOMERS (c), customers, "customers");
  /* progress counts what is sent: a quiet database, nothing twice */
  g_assert_cmpint (c->total, ==, received);
}

/* A manager's first sync is what it was: the opportunities of their own
 * customers, whoever owns them. */
static void
test_managers_sync_is_unchanged (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(Copy) c = copy_new ();
  g_autoptr(GHashTable) theirs = id_set ("SELECT o.id::text FROM crm.opportunities o"
                                         " JOIN crm.customers c ON c.id = o.customer_id WHERE c.owner_id = $1::uuid",
                                         manager_id);
  g_autoptr(GHashTable) owned_elsewhere = id_set ("SELECT o.id::text FROM crm.opportunities o"
                                                  " JOIN crm.customers c ON c.id = o.customer_id"
                                                  " WHERE c.owner_id = $1::uuid"
                                                  " AND o.owner_id IS DISTINCT FROM c.owner_id", manager_id);
  guint received = copy_sync (c, token, 97);

  g_assert_cmpuint (g_hash_table_size (owned_elsewhere), >, 0);
  assert_keys (OPPORTUNITIES (c), theirs, "manager's opportunities");
  g_assert_cmpint (c->total, ==, received);
}

/* The cursor's identity digest as it was before a role's sync could be
 * narrowed: SHA-256 of "id|role|region", its first eight bytes as a
 * number (server/crm-handler-sync.c of 407ae9c). */
static char *
identity_before (const char *id,
                 CrmRole     role,
                 const char *region)
{
  g_autofree char *who = g_strdup_printf ("%s|%d|%s", id, role, region ? region : "");
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  guint64 value = 0;

  g_checksum_update (sum, (const guchar *) who, -1);
  g_checksum_get_digest (sum, digest, &len);
  for (guint i = 0; i < 8; i++)
    value = value << 8 | digest[i];
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

/* A cursor of a finished round, made for @login before the change. */
static char *
old_cursor (const char *login)
{
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(PGresult) who = crm_test_pg_query (conn, "SELECT id, role::text, region_id FROM crm.users WHERE login = $1",
                                               login, NULL);
  g_autofree char *snapshot = scalar ("SELECT pg_current_snapshot()::text", NULL);
  int role = -1;
  CrmSyncCursor cursor = { 0 };
  g_autofree char *identity = NULL;

  for (int r = 0; r < CRM_N_ROLES; r++)
    if (g_str_equal (crm_role_names[r], PQgetvalue (who, 0, 1)))
      role = r;
  g_assert_cmpint (role, >=, 0);
  identity = identity_before (PQgetvalue (who, 0, 0), role,
                              PQgetisnull (who, 0, 2) ? NULL : PQgetvalue (who, 0, 2));
  cursor.identity = identity;
  cursor.base = snapshot;
  return crm_sync_cursor_encode (&cursor);
}

/* A director's client of before holds the province's opportunities: its
 * cursor starts over ("reset"), and the copy made again holds their own.
 * A manager's cursor of before goes on. */
static void
test_old_director_cursor_resets_a_managers_does_not (void)
{
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *director_cursor = old_cursor ("director");
  g_autofree char *manager_cursor = old_cursor ("manager");
  g_autofree char *director_path = g_strdup_printf ("sync?cursor=%s", director_cursor);
  g_autofree char *manager_path = g_strdup_printf ("sync?cursor=%s", manager_cursor);
  g_autoptr(Response) d = get (director_path, director);
  g_autoptr(Response) m = get (manager_path, manager);
  g_autoptr(Copy) c = copy_new ();
  g_autoptr(GHashTable) own = id_set (OWN_OPPORTUNITIES, director_id);

  g_assert_cmpuint (d->status, ==, 200);
  g_assert_cmpuint (m->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (obj (d), "reset"));
  g_assert_false (json_object_get_boolean_member (obj (m), "reset"));

  /* the client of before, with the province in its copy, goes on from its
   * cursor: cleared and filled again with the director's own */
  c->cursor = g_strdup (director_cursor);
  g_hash_table_insert (OPPORTUNITIES (c), g_strdup ("not-the-directors"), json_object_new ());
  copy_sync (c, director, 97);
  g_assert_cmpuint (c->resets, ==, 1);
  assert_keys (OPPORTUNITIES (c), own, "opportunities after the reset");

  /* and a cursor of now does not start over */
  {
    g_autofree char *path = g_strdup_printf ("sync?cursor=%s", c->cursor);
    g_autoptr(Response) again = get (path, director);

    g_assert_false (json_object_get_boolean_member (obj (again), "reset"));
  }
}

/* An opportunity of the director's with a stage history, and one of a
 * manager of their province with one. */
static char *
pick_opportunity (const char *owner)
{
  return scalar ("SELECT o.id FROM crm.opportunities o"
                 " WHERE o.owner_id = $1::uuid AND (SELECT count(*) FROM crm.opportunity_stage_history h"
                 "                                   WHERE h.opportunity_id = o.id) >= 2"
                 " ORDER BY o.id LIMIT 1", owner);
}

/* Taken from the director (given to a manager): the director's next
 * round carries departures for it and its stage changes, and their copy
 * holds neither, although their read policy still shows them.  Given to
 * the director: their next round brings it with its stage history. */
static void
test_reassigned_opportunities_leave_and_arrive_with_their_history (void)
{
  g_autofree char *token = sign_in_with ("director", PASSWORD);
  g_autoptr(Copy) c = copy_new ();
  g_autofree char *taken = pick_opportunity (director_id);
  g_autofree char *given = NULL;
  g_autoptr(GPtrArray) taken_stages = NULL;
  g_autoptr(GPtrArray) given_stages = NULL;
  g_autofree char *still_visible = NULL;
  guint before;

  copy_sync (c, token, 97);
  given = scalar ("SELECT o.id FROM crm.opportunities o JOIN crm.users u ON u.id = o.owner_id"
                  " WHERE u.role = 'manager' AND o.region_id = ANY (crm.region_subtree($1::uuid))"
                  "   AND (SELECT count(*) FROM crm.opportunity_stage_history h WHERE h.opportunity_id = o.id) >= 2"
                  " ORDER BY o.id LIMIT 1", home_region);
  g_assert_nonnull (taken);
  g_assert_nonnull (given);
  taken_stages = ids_of ("SELECT id::text FROM crm.opportunity_stage_history WHERE opportunity_id = $1", taken);
  given_stages = ids_of ("SELECT id::text FROM crm.opportunity_stage_history WHERE opportunity_id = $1", given);
  g_assert_true (g_hash_table_contains (OPPORTUNITIES (c), taken));
  g_assert_cmpuint (count_in (taken_stages, STAGES (c)), ==, taken_stages->len);
  g_assert_false (g_hash_table_contains (OPPORTUNITIES (c), given));
  g_assert_cmpuint (count_in (given_stages, STAGES (c)), ==, 0);

  run ("UPDATE crm.opportunities SET owner_id = $2::uuid WHERE id = $1::uuid", taken, manager_id);
  run ("UPDATE crm.opportunities SET owner_id = $2::uuid WHERE id = $1::uuid", given, director_id);
  before = c->departures->len;
  copy_sync (c, token, 97);

  /* the taken one: departures for it and each of its stage changes */
  g_assert_true (departed (c, "opportunity", taken));
  for (guint i = 0; i < taken_stages->len; i++)
    g_assert_true (departed (c, "opportunity_stage", taken_stages->pdata[i]));
  g_assert_cmpuint (c->departures->len - before, ==, 1 + taken_stages->len);
  g_assert_false (g_hash_table_contains (OPPORTUNITIES (c), taken));
  g_assert_cmpuint (count_in (taken_stages, STAGES (c)), ==, 0);
  /* which the director's read policy still shows (their province's) */
  still_visible = scalar ("SELECT o.region_id = ANY (crm.region_subtree(u.region_id))"
                          "  FROM crm.opportunities o, crm.users u WHERE o.id = $1::uuid AND u.login = 'director'",
                          taken);
  g_assert_cmpstr (still_visible, ==, "t");

  /* the given one: it and its whole history, which did not change */
  g_assert_true (g_hash_table_contains (OPPORTUNITIES (c), given));
  g_assert_cmpuint (count_in (given_stages, STAGES (c)), ==, given_stages->len);
  g_assert_false (departed (c, "opportunity", given));
}

/* Taken from the director and given back between two of their rounds: it
 * stays in their copy (no departure of a record that is theirs again). */
static void
test_opportunity_taken_and_given_back_stays (void)
{
  g_autofree char *token = sign_in_with ("director", PASSWORD);
  g_autoptr(Copy) c = copy_new ();
  g_autofree char *id = pick_opportunity (director_id);
  g_autoptr(GHashTable) own = NULL;

  copy_sync (c, token, 97);
  run ("UPDATE crm.opportunities SET owner_id = $2::uuid WHERE id = $1::uuid", id, manager_id);
  run ("UPDATE crm.opportunities SET owner_id = $2::uuid WHERE id = $1::uuid", id, director_id);
  copy_sync (c, token, 97);
  own = id_set (OWN_OPPORTUNITIES, director_id);
  g_assert_false (departed (c, "opportunity", id));
  assert_keys (OPPORTUNITIES (c), own, "opportunities");
}

/* Set-up ---------------------------------------------------------------------- */

/* Some of the province's opportunities with a stage history are the
 * director's own (the seed gives them to account managers). */
static void
give_the_director_opportunities (void)
{
  run ("UPDATE crm.opportunities SET owner_id = $2::uuid WHERE id IN ("
       " SELECT o.id FROM crm.opportunities o WHERE o.region_id = ANY (crm.region_subtree($1::uuid))"
       "    AND (SELECT count(*) FROM crm.opportunity_stage_history h WHERE h.opportunity_id = o.id) >= 2"
       "  ORDER BY md5(o.id::text) LIMIT 6)", home_region, director_id);
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
    const char *argv_seed[] = { binary, "--database", conninfo, "seed", "--customers", "600", "--seed", "11", NULL };

    g_spawn_sync (NULL, (char **) argv_seed, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                  NULL, NULL, NULL, NULL, &seed_status, &error);
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (seed_status, NULL));
  }
  director_id = scalar ("SELECT id FROM crm.users WHERE login = $1", "director");
  home_region = scalar ("SELECT region_id FROM crm.users WHERE login = $1", "director");
  manager_id = scalar ("SELECT id FROM crm.users WHERE login = $1", "manager");
  give_the_director_opportunities ();

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

  g_test_add_func ("/server/sync/director/full-sync-holds-own-opportunities-and-every-customer",
                   test_full_sync_holds_own_opportunities_and_every_customer);
  g_test_add_func ("/server/sync/director/managers-sync-is-unchanged", test_managers_sync_is_unchanged);
  g_test_add_func ("/server/sync/director/old-director-cursor-resets-a-managers-does-not",
                   test_old_director_cursor_resets_a_managers_does_not);
  g_test_add_func ("/server/sync/director/reassigned-opportunities-leave-and-arrive-with-their-history",
                   test_reassigned_opportunities_leave_and_arrive_with_their_history);
  g_test_add_func ("/server/sync/director/opportunity-taken-and-given-back-stays",
                   test_opportunity_taken_and_given_back_stays);

  status = g_test_run ();
  crm_server_stop (server);
  crm_test_http_shutdown ();
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
