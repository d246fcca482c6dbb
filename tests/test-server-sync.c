/* GET /sync and POST /mutations against an in-process server and a seeded
 * throwaway database (keyline-server seed --customers 300).  The sync
 * sends every entity of the entity table: what each role receives is what
 * its SELECTs see, fields withheld and masked as the table says,
 * departures when a row leaves a reader's view, and no row skipped while
 * writers commit on several entities. */
#define G_LOG_DOMAIN "test-server-sync"

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
static char *main_url;          /* server's */

static const char *logins[CRM_N_ROLES] = {
  [CRM_ROLE_ADMIN] = "admin", [CRM_ROLE_DIRECTOR] = "director", [CRM_ROLE_MANAGER] = "manager",
  [CRM_ROLE_MARKETING] = "marketing", [CRM_ROLE_SERVICE] = "service",
};

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

static void
run (PGconn     *conn,
     const char *sql,
     const char *param1,
     const char *param2)
{
  PQclear (crm_test_pg_query (conn, sql, param1, param2));
}

/* A connection of keyline_app inside a transaction, signed in with @token
 * as a request is. */
static PGconn *
app_begin (const char *token)
{
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *app = NULL;
  PGconn *conn;

  g_free (config->database);
  config->database = g_strdup (conninfo);
  app = crm_config_get_app_conninfo (config);
  conn = crm_pg_connect_blocking (app, &error);
  g_assert_no_error (error);
  run (conn, "BEGIN", NULL, NULL);
  run (conn, "SELECT crm.authenticate(sha256(convert_to($1, 'UTF8')))", token, NULL);
  return conn;
}

/* key -> version (-1 without one) of what the caller sees of @info: a
 * plain SELECT, row-level security deciding, and where the entity table
 * narrows a role's sync to the caller's own records (a director's
 * opportunities and their stage history), only those for that role. */
static GHashTable *
server_rows (PGconn              *app,
             const CrmEntityInfo *info)
{
  g_autoptr(GString) sql = g_string_new ("SELECT concat_ws(','");
  g_autoptr(PGresult) res = NULL;
  GHashTable *rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint k = 0; info->key[k]; k++)
    g_string_append_printf (sql, ", %s::text", info->key[k]);
  g_string_append_printf (sql, "), %s FROM %s WHERE true", crm_entity_info_field (info, "version") ? "version" : "-1",
                          info->table);
  for (guint role = 0; role < CRM_N_ROLES; role++)
    {
      const CrmEntityInfo *owner = crm_entity_info_synced_owner (info, role);

      if (owner == info)
        g_string_append_printf (sql, " AND (crm.current_role() <> '%s' OR %s = crm.current_user_id())",
                                crm_role_names[role], owner->owner_field);
      else if (owner != NULL)
        g_string_append_printf (sql, " AND (crm.current_role() <> '%s' OR %s IN (SELECT p.id FROM %s p"
                                     " WHERE p.%s = crm.current_user_id()))",
                                crm_role_names[role], info->parent_field, owner->table, owner->owner_field);
    }
  res = crm_test_pg_query (app, sql->str, NULL, NULL);
  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_insert (rows, g_strdup (PQgetvalue (res, i, 0)), GINT_TO_POINTER (atoi (PQgetvalue (res, i, 1))));
  return rows;
}

/* The copy holds exactly what the caller's SELECTs see, per entity, at the
 * server's versions.  Returns the number of rows. */
static guint
assert_copy_matches (Copy       *c,
                     const char *token)
{
  g_autoptr(PGconn) app = app_begin (token);
  guint n = 0;

  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    {
      const CrmEntityInfo *info = crm_entity_info (e);
      g_autoptr(GHashTable) expected = server_rows (app, info);
      GHashTableIter iter;
      gpointer key, value;

      g_test_message ("%s: server %u, copy %u", info->plural, g_hash_table_size (expected),
                      g_hash_table_size (c->records[e]));
      g_hash_table_iter_init (&iter, expected);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          JsonObject *o = g_hash_table_lookup (c->records[e], key);

          if (o == NULL)
            g_error ("%s %s is missing from the copy", info->name, (char *) key);
          if (GPOINTER_TO_INT (value) >= 0)
            g_assert_cmpint (json_object_get_int_member (o, "version"), ==, GPOINTER_TO_INT (value));
        }
      g_assert_cmpuint (g_hash_table_size (c->records[e]), ==, g_hash_table_size (expected));
      n += g_hash_table_size (expected);
    }
  run (app, "COMMIT", NULL, NULL);
  return n;
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
  g_assert_cmpint (total, ==, assert_copy_matches (c, token));
  g_assert_cmpuint (received, ==, total);       /* a quiet database: nothing twice */
  g_assert_cmpuint (c->pages, >, total / 7);
  g_assert_cmpuint (g_hash_table_size (CUSTOMERS (c)), >=, 100);
}

/* Above --sync-count-sample customers, a first sync's total counts the
 * records under customers on a random sample of them and says it is an
 * estimate; within it, the count is exact.  A second server on the same
 * database with a sample of the manager's customers and one (about
 * half): the administrator sees all 300. */
static void
test_first_sync_total_above_the_sample_is_an_estimate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autofree char *base_url = NULL;
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autofree char *managed = scalar (conn, "SELECT count(*) FROM crm.customers c JOIN crm.users u"
                                           " ON u.id = c.owner_id WHERE u.login = $1", "manager");
  g_autoptr(Copy) all = copy_new ();
  g_autoptr(Copy) own = copy_new ();
  CrmServer *sampled;
  guint received;

  g_free (config->database);
  config->database = g_strdup (conninfo);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->threads = 1;
  config->sync_count_sample = (guint) g_ascii_strtoll (managed, NULL, 10) + 1;
  g_assert_cmpuint (config->sync_count_sample, <, 300);
  sampled = crm_server_start (config, &error);
  g_assert_no_error (error);
  base_url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/", crm_server_get_port (sampled));
  crm_test_http_init (base_url);

  received = copy_sync (all, admin, 500);
  g_test_message ("admin: %u records, total %" G_GINT64_FORMAT, received, all->total);
  g_assert_true (all->total_estimated);
  /* a sample of about half the customers: its standard error is a few
   * per cent of the records under them; 25% is several times that */
  g_assert_cmpint (all->total, >=, received * 3 / 4);
  g_assert_cmpint (all->total, <=, received * 5 / 4);
  g_assert_cmpint (all->total, !=, 0);

  received = copy_sync (own, manager, 500);
  g_assert_false (own->total_estimated);
  g_assert_cmpint (own->total, ==, received);

  crm_test_http_init (main_url);
  crm_server_stop (sampled);
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

/* Tests --------------------------------------------------------------------- */

/* For each role, a first sync sends exactly what the role's SELECTs see of
 * every entity, and its total says so; an entity the role reads nothing
 * of comes empty. */
static void
test_first_sync_sends_what_each_role_reads (void)
{
  for (guint role = 0; role < CRM_N_ROLES; role++)
    {
      g_autofree char *token = sign_in_with (logins[role], PASSWORD);
      g_autoptr(Copy) c = copy_new ();
      guint received = copy_sync (c, token, 500);
      guint rows;

      g_test_message ("as %s: %u records in %u pages", logins[role], received, c->pages);
      rows = assert_copy_matches (c, token);
      g_assert_cmpuint (received, ==, rows);       /* a quiet database: nothing twice */
      g_assert_cmpint (c->total, ==, rows);
      g_assert_false (c->total_estimated);     /* 300 customers: within the sample */
      /* (the stage itself is skipped: nothing comes, not even a page) */
      for (guint e = 0; e < CRM_N_ENTITIES; e++)
        if (!crm_entity_info_readable_by (crm_entity_info (e), role))
          g_assert_cmpuint (g_hash_table_size (c->records[e]), ==, 0);
    }
}

/* A role skips the stage of an entity it reads none of (its policy would
 * return nothing, but only after scanning the table): a first round in
 * pages larger than any of its stages takes one page per stage it reads,
 * not one per entity. */
static void
test_sync_skips_what_the_role_reads_none_of (void)
{
  g_autofree char *token = sign_in_with ("service", PASSWORD);
  g_autoptr(Copy) c = copy_new ();
  guint readable = 0;

  copy_sync (c, token, 2000);
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    {
      readable += crm_entity_info_readable_by (crm_entity_info (e), CRM_ROLE_SERVICE);
      g_assert_cmpuint (g_hash_table_size (c->records[e]), <, 2000);
    }
  g_assert_cmpuint (readable, <, CRM_N_ENTITIES);
  g_assert_cmpuint (c->pages, ==, readable);
}

/* Every record of @c's @entity: @field absent (or present). */
static void
assert_member_everywhere (Copy       *c,
                          CrmEntity   entity,
                          const char *field,
                          gboolean    present)
{
  GHashTableIter iter;
  gpointer value;

  g_assert_cmpuint (g_hash_table_size (c->records[entity]), >, 0);
  g_hash_table_iter_init (&iter, c->records[entity]);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_assert_cmpint (json_object_has_member (value, field), ==, present);
}

/* Some record of @entity, the first by key. */
static JsonObject *
some_record (Copy      *c,
             CrmEntity  entity)
{
  g_autoptr(GList) keys = g_hash_table_get_keys (c->records[entity]);

  g_assert_nonnull (keys);
  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
  return g_hash_table_lookup (c->records[entity], keys->data);
}

static gboolean
is_date (const char *text)
{
  return text && strlen (text) == 10 && text[4] == '-' && text[7] == '-' &&
         g_ascii_isdigit (text[0]) && g_ascii_isdigit (text[9]);
}

static void
test_records_follow_the_entity_table (void)
{
  g_autofree char *marketing_token = sign_in_with ("marketing", PASSWORD);
  g_autofree char *manager_token = sign_in_with ("manager", PASSWORD);
  g_autoptr(Copy) marketing = copy_new ();
  g_autoptr(Copy) manager = copy_new ();
  JsonObject *o;
  GHashTableIter iter;
  gpointer value;
  guint masked = 0;

  copy_sync (marketing, marketing_token, 2000);
  copy_sync (manager, manager_token, 2000);

  /* withheld: interaction notes from marketing, the control group from
   * all but marketing and administrators */
  assert_member_everywhere (marketing, CRM_ENTITY_INTERACTION, "notes", FALSE);
  assert_member_everywhere (manager, CRM_ENTITY_INTERACTION, "notes", TRUE);
  assert_member_everywhere (marketing, CRM_ENTITY_CAMPAIGN_MEMBER, "is_control", TRUE);
  assert_member_everywhere (manager, CRM_ENTITY_CAMPAIGN_MEMBER, "is_control", FALSE);

  /* personal data: the manager's own contacts' mobile numbers in full,
   * their ID numbers and addresses masked; the customer's phone masked
   * for marketing */
  g_hash_table_iter_init (&iter, manager->records[CRM_ENTITY_CONTACT]);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const char *mobile = json_object_get_string_member (value, "mobile");
      const char *id_number = json_object_get_string_member (value, "id_number");

      if (mobile != NULL)
        g_assert_null (strchr (mobile, '*'));
      if (id_number != NULL)
        {
          g_assert_nonnull (strchr (id_number, '*'));
          masked++;
        }
    }
  g_assert_cmpuint (masked, >, 0);
  masked = 0;
  g_hash_table_iter_init (&iter, marketing->records[CRM_ENTITY_CUSTOMER]);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (json_object_get_string_member (value, "phone") != NULL)
      {
        g_assert_nonnull (strchr (json_object_get_string_member (value, "phone"), '*'));
        masked++;
      }
  g_assert_cmpuint (masked, >, 0);

  /* value types */
  o = some_record (manager, CRM_ENTITY_SUBSCRIPTION);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (o, "monthly_fee")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (o, "quantity")), ==, G_TYPE_INT64);
  g_assert_true (is_date (json_object_get_string_member (o, "started_on")));
  g_assert_nonnull (strchr (json_object_get_string_member (o, "updated_at"), 'T'));
  o = some_record (manager, CRM_ENTITY_PRODUCT);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (o, "active")), ==, G_TYPE_BOOLEAN);
  o = some_record (manager, CRM_ENTITY_REVENUE_MONTH);
  g_assert_true (is_date (json_object_get_string_member (o, "month")));
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (o, "revenue")), ==, G_TYPE_INT64);
  o = some_record (marketing, CRM_ENTITY_CAMPAIGN);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "channels")));
  o = some_record (marketing, CRM_ENTITY_SEGMENT);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "criteria")));
  o = some_record (manager, CRM_ENTITY_OPPORTUNITY_STAGE);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (o, "id")), ==, G_TYPE_INT64);
}

/* The departure of @entity with @key among those @c received. */
static JsonObject *
find_departure (Copy       *c,
                CrmEntity   entity,
                const char *key)
{
  const CrmEntityInfo *info = crm_entity_info (entity);

  for (guint i = 0; i < c->departures->len; i++)
    {
      JsonObject *o = c->departures->pdata[i];
      g_autofree char *k = NULL;

      if (!g_str_equal (json_object_get_string_member (o, "entity"), info->name))
        continue;
      k = key_of (info, o);
      if (g_str_equal (k, key))
        return o;
    }
  return NULL;
}

static void
test_service_request_moved_to_another_team_departs (void)
{
  g_autofree char *token = sign_in_with ("service", PASSWORD);
  g_autoptr(PGconn) conn = admin_connection ();
  g_autoptr(Copy) mine = copy_new ();
  g_autoptr(Copy) theirs = copy_new ();
  g_autofree char *request = NULL;
  g_autofree char *other_team = NULL;
  g_autofree char *other = NULL;
  g_autofree char *other_token = NULL;

  request = scalar (conn, "SELECT q.id FROM crm.service_requests q JOIN crm.users u ON u.team_id = q.team_id"
                          " WHERE u.login = 'service' AND EXISTS (SELECT 1 FROM crm.service_steps s WHERE s.request_id = q.id)"
                          " ORDER BY q.id LIMIT 1", NULL);
  other_team = scalar (conn, "SELECT u.team_id FROM crm.users u WHERE u.role = 'service' AND u.team_id IS NOT NULL"
                             " AND u.team_id <> (SELECT team_id FROM crm.users WHERE login = 'service')"
                             " ORDER BY u.login LIMIT 1", NULL);
  g_assert_nonnull (request);
  g_assert_nonnull (other_team);
  other = scalar (conn, "SELECT login FROM crm.users WHERE role = 'service' AND team_id = $1 ORDER BY login LIMIT 1",
                  other_team);
  other_token = sign_in_with (other, PASSWORD);

  copy_sync (mine, token, 500);
  copy_sync (theirs, other_token, 500);
  g_assert_nonnull (g_hash_table_lookup (mine->records[CRM_ENTITY_SERVICE_REQUEST], request));
  g_assert_null (g_hash_table_lookup (theirs->records[CRM_ENTITY_SERVICE_REQUEST], request));

  run (conn, "UPDATE crm.service_requests SET team_id = $2 WHERE id = $1", request, other_team);
  copy_sync (mine, token, 500);
  copy_sync (theirs, other_token, 500);

  g_assert_nonnull (find_departure (mine, CRM_ENTITY_SERVICE_REQUEST, request));
  g_assert_null (g_hash_table_lookup (mine->records[CRM_ENTITY_SERVICE_REQUEST], request));
  g_assert_nonnull (g_hash_table_lookup (theirs->records[CRM_ENTITY_SERVICE_REQUEST], request));
  /* the steps went along both ways */
  assert_copy_matches (mine, token);
  assert_copy_matches (theirs, other_token);
}

/* A cursor of the format before every entity synced (customers, contacts,
 * departures) makes the client start over; it is not an error. */
static void
test_cursor_of_the_old_stage_list_resets (void)
{
  g_autofree char *token = sign_in_with ("manager", PASSWORD);
  g_autoptr(Copy) c = copy_new ();
  g_autoptr(CrmSyncCursor) now = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *old = NULL;
  g_autofree char *path = NULL;
  g_autoptr(Response) r = NULL;
  g_autoptr(GError) error = NULL;

  /* made for this very caller (the same identity), at the old departures
   * stage, at a round's end as the old server wrote it */
  copy_sync (c, token, 2000);
  now = crm_sync_cursor_decode (c->cursor, &error);
  g_assert_no_error (error);
  raw = g_strdup_printf ("s1\n%s\n%s\n\n2\n\n", now->identity, now->base);
  old = crm_base64url_encode (raw, strlen (raw));
  path = g_strdup_printf ("sync?cursor=%s", old);
  r = get (path, token);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (obj (r), "reset"));
  g_assert_true (json_object_get_boolean_member (obj (r), "more"));
  g_assert_true (json_object_has_member (obj (r), "revenue_months"));
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
  g_autofree char *moved = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *contact = NULL;
  g_autofree char *subscription = NULL;
  g_autofree char *month = NULL;
  g_autofree char *month_key = NULL;
  JsonObject *d;

  copy_sync (mine, token, 500);
  copy_sync (theirs, other_token, 500);

  /* a customer of mine with subscriptions, revenue months and
   * opportunities moves to the other manager */
  moved = scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                        " WHERE u.login = 'manager'"
                        "   AND EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.customer_id = c.id)"
                        "   AND EXISTS (SELECT 1 FROM crm.revenue_months m WHERE m.customer_id = c.id)"
                        "   AND EXISTS (SELECT 1 FROM crm.opportunities o WHERE o.customer_id = c.id)"
                        " ORDER BY c.id LIMIT 1", NULL);
  g_assert_nonnull (moved);
  /* another is renamed, and one of its contacts, subscriptions and
   * revenue months goes */
  kept = scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                       " WHERE u.login = 'manager' AND c.id <> $1"
                       "   AND EXISTS (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id)"
                       "   AND EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.customer_id = c.id)"
                       "   AND EXISTS (SELECT 1 FROM crm.revenue_months m WHERE m.customer_id = c.id)"
                       " ORDER BY c.id LIMIT 1", moved);
  g_assert_nonnull (kept);
  contact = scalar (conn, "SELECT id FROM crm.contacts WHERE customer_id = $1 ORDER BY id LIMIT 1", kept);
  subscription = scalar (conn, "SELECT id FROM crm.subscriptions WHERE customer_id = $1 ORDER BY id LIMIT 1", kept);
  month = scalar (conn, "SELECT month::text FROM crm.revenue_months WHERE customer_id = $1 ORDER BY month LIMIT 1",
                  kept);
  month_key = g_strconcat (kept, ",", month, NULL);
  g_assert_nonnull (g_hash_table_lookup (mine->records[CRM_ENTITY_SUBSCRIPTION], subscription));
  g_assert_nonnull (g_hash_table_lookup (mine->records[CRM_ENTITY_REVENUE_MONTH], month_key));

  run (conn, "UPDATE crm.customers SET owner_id = (SELECT id FROM crm.users WHERE login = $2) WHERE id = $1",
       moved, other);
  run (conn, "UPDATE crm.customers SET name = name || '（更名）' WHERE id = $1", kept, NULL);
  run (conn, "DELETE FROM crm.contacts WHERE id = $1", contact, NULL);
  run (conn, "DELETE FROM crm.subscriptions WHERE id = $1", subscription, NULL);
  run (conn, "DELETE FROM crm.revenue_months WHERE customer_id = $1 AND month = $2::date", kept, month);

  copy_sync (mine, token, 500);
  copy_sync (theirs, other_token, 500);

  g_assert_true (g_str_has_suffix (json_object_get_string_member (g_hash_table_lookup (CUSTOMERS (mine), kept),
                                                                  "name"), "（更名）"));
  /* the old owner is told of the customer once, as before, and drops
   * everything under it */
  d = find_departure (mine, CRM_ENTITY_CUSTOMER, moved);
  g_assert_nonnull (d);
  g_assert_cmpstr (json_object_get_string_member (d, "customer_id"), ==, moved);
  g_assert_cmpuint (json_object_get_size (d), ==, 3);
  g_assert_null (find_departure (theirs, CRM_ENTITY_CUSTOMER, moved));
  /* the deletions, each with its key */
  d = find_departure (mine, CRM_ENTITY_CONTACT, contact);
  g_assert_nonnull (d);
  g_assert_cmpstr (json_object_get_string_member (d, "customer_id"), ==, kept);
  d = find_departure (mine, CRM_ENTITY_SUBSCRIPTION, subscription);
  g_assert_nonnull (d);
  g_assert_cmpstr (json_object_get_string_member (d, "customer_id"), ==, kept);
  d = find_departure (mine, CRM_ENTITY_REVENUE_MONTH, month_key);
  g_assert_nonnull (d);
  g_assert_cmpstr (json_object_get_string_member (d, "month"), ==, month);
  g_assert_false (json_object_has_member (d, "id"));
  g_assert_cmpuint (json_object_get_size (d), ==, 3);

  /* both copies are exactly what their owners see: the new owner got the
   * children, which did not change */
  assert_copy_matches (mine, token);
  assert_copy_matches (theirs, other_token);
  g_assert_nonnull (g_hash_table_lookup (theirs->records[CRM_ENTITY_CUSTOMER], moved));
}

typedef struct
{
  guint   seed;
  guint   transactions;
  char   *other;
  gint    done;
} Writer;

/* Random writes under the demo manager's customers, on several entities,
 * each transaction holding its changes for a random time before it
 * commits. */
#define MINE(table) " (SELECT x.ctid FROM crm." table " x JOIN crm.customers c ON c.id = x.customer_id" \
                    "   JOIN crm.users u ON u.id = c.owner_id WHERE u.login = 'manager' ORDER BY random() LIMIT 1)"
static const char *writes[] = {
  "UPDATE crm.customers SET monthly_revenue = monthly_revenue + 1 WHERE id ="
  " (SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
  "   WHERE u.login = 'manager' ORDER BY random() LIMIT 1)",
  "UPDATE crm.contacts SET title = coalesce(title, '') || '.' WHERE ctid =" MINE ("contacts"),
  "UPDATE crm.subscriptions SET quantity = quantity + 1 WHERE ctid =" MINE ("subscriptions"),
  "INSERT INTO crm.interactions (customer_id, kind, occurred_at, subject, outcome)"
  " SELECT c.id, 'visit', now(), '回访', 'positive' FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
  "  WHERE u.login = 'manager' ORDER BY random() LIMIT 1",
  "UPDATE crm.revenue_months SET revenue = revenue + 1 WHERE ctid =" MINE ("revenue_months"),
  "DELETE FROM crm.subscriptions WHERE ctid =" MINE ("subscriptions"),
  "INSERT INTO crm.contacts (customer_id, name, mobile)"
  " SELECT c.id, '新联系人', '13800138000' FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
  "  WHERE u.login = 'manager' ORDER BY random() LIMIT 1",
  /* away to another manager, or back: everything under it goes along */
  "UPDATE crm.customers SET owner_id = CASE WHEN owner_id = (SELECT id FROM crm.users WHERE login = 'manager')"
  "   THEN (SELECT id FROM crm.users WHERE login = $1) ELSE (SELECT id FROM crm.users WHERE login = 'manager') END"
  " WHERE id = (SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
  "   WHERE u.login IN ('manager', $1) ORDER BY random() LIMIT 1)",
};

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  g_autoptr(GRand) rand = g_rand_new_with_seed (w->seed);
  g_autoptr(PGconn) conn = admin_connection ();

  for (guint t = 0; t < w->transactions; t++)
    {
      g_autofree char *delay = g_strdup_printf ("%.3f", g_rand_int_range (rand, 0, 40) / 1000.0);
      guint which = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (writes));
      g_autoptr(PGresult) write = NULL;

      run (conn, "BEGIN", NULL, NULL);
      write = crm_test_pg_query (conn, writes[which], which == G_N_ELEMENTS (writes) - 1 ? w->other : NULL, NULL);
      run (conn, "SELECT pg_sleep($1::float8)", delay, NULL);
      run (conn, "COMMIT", NULL, NULL);
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

  copy_sync (c, token, 50);
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
  assert_copy_matches (c, token);
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
test_mutations_update_applies_once_and_a_stale_one_is_412 (void)
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
  assert_error (stale, 412, "precondition_failed", "name");
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
  g_assert_cmpstr (json_object_get_string_member (g_hash_table_lookup (CUSTOMERS (other), id), "credit_rating"), ==, "AA");
  g_assert_cmpint (json_object_get_int_member (g_hash_table_lookup (CUSTOMERS (other), id), "version"), ==, version + 1);
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
  /* personal data leaves the server as the caller's role receives it:
   * an account manager's own contact's mobile in full */
  g_assert_cmpstr (json_object_get_string_member (record, "mobile"), ==, "13912345678");
  assert_error (duplicate, 409, "conflict", "id");

  copy_sync (c, token, 500);
  g_assert_true (g_hash_table_contains (CONTACTS (c), id));
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
  main_url = base_url;
  crm_test_http_init (base_url);

  g_test_add_func ("/server/sync/needs-a-token", test_sync_needs_a_token);
  g_test_add_func ("/server/sync/first-round-pages-cover-what-the-caller-may-see",
                   test_sync_first_round_pages_cover_what_the_caller_may_see);
  g_test_add_func ("/server/sync/quiet-round-sends-nothing", test_sync_quiet_round_sends_nothing);
  g_test_add_func ("/server/sync/sends-changes-moves-and-deletions", test_sync_sends_changes_moves_and_deletions);
  g_test_add_func ("/server/sync/concurrent-writers-on-several-entities-never-skip-a-row",
                   test_sync_concurrent_writers_never_skip_a_row);
  g_test_add_func ("/server/sync/first-sync-sends-what-each-role-reads", test_first_sync_sends_what_each_role_reads);
  g_test_add_func ("/server/sync/first-sync-total-above-the-sample-is-an-estimate",
                   test_first_sync_total_above_the_sample_is_an_estimate);
  g_test_add_func ("/server/sync/records-follow-the-entity-table", test_records_follow_the_entity_table);
  g_test_add_func ("/server/sync/skips-what-the-role-reads-none-of", test_sync_skips_what_the_role_reads_none_of);
  g_test_add_func ("/server/sync/service-request-moved-to-another-team-departs",
                   test_service_request_moved_to_another_team_departs);
  g_test_add_func ("/server/sync/cursor-of-the-old-stage-list-resets", test_cursor_of_the_old_stage_list_resets);
  g_test_add_func ("/server/sync/cursor-of-someone-else-starts-over", test_sync_cursor_of_someone_else_starts_over);
  g_test_add_func ("/server/sync/rejects-bad-parameters", test_sync_rejects_bad_parameters);
  g_test_add_func ("/server/mutations/update-applies-once-and-a-stale-one-is-412",
                   test_mutations_update_applies_once_and_a_stale_one_is_412);
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
