#define G_LOG_DOMAIN "test-server-plans"

#include "config.h"

#include <string.h>

#include <libpq-fe.h>
#include <json-glib/json-glib.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-handlers.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

/*
 * The customer statements' plans (docs/plans/hot-statements.txt), and that
 * the answers built on them are the records SQL gives:
 *
 *   - one customer is one index scan, its region's and owner's names
 *     looked up by key, with no join (which hash-joined every region);
 *   - pages bounded by the largest page still tell whether there is a
 *     next one, and every page and detail holds the names SQL joins.
 *
 * 1,203 customers in three regions, owned by two managers, three of them
 * owned by nobody.
 */

#define PASSWORD "correct horse battery"
#define N_CUSTOMERS 1203

static CrmServer *server;
static char *conninfo;
static char *base_url;

static void
exec_ok (PGconn     *conn,
         const char *sql)
{
  g_autoptr(PGresult) res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s\n%s", sql, PQerrorMessage (conn));
}

static PGconn *
owner_connection (void)
{
  g_autoptr(GError) error = NULL;
  PGconn *conn = crm_pg_connect_blocking (conninfo, &error);

  g_assert_no_error (error);
  return conn;
}

static void
load_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = owner_connection ();
  g_autofree char *hash = crm_auth_hash_password (PASSWORD, &error);
  const char *params[1] = { hash };
  g_autoptr(PGresult) res = NULL;

  g_assert_no_error (error);
  exec_ok (conn,
           "INSERT INTO crm.regions (id, parent_id, code, name, name_en, level) VALUES"
           " ('00000000-0000-4000-8000-000000000001', NULL, 'CN', '中国', 'China', 0),"
           " ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'GD', '广东', 'Guangdong', 1),"
           " ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'GZ', '广州', 'Guangzhou', 2)");
  res = PQexecParams (conn,
                      "INSERT INTO crm.users (id, login, display_name, role, region_id, password_hash) VALUES"
                      " ('10000000-0000-4000-8000-000000000001', 'mgr_a', '王经理', 'manager', '00000000-0000-4000-8000-000000000003', $1),"
                      " ('10000000-0000-4000-8000-000000000002', 'mgr_b', '李经理', 'manager', '00000000-0000-4000-8000-000000000002', $1),"
                      " ('10000000-0000-4000-8000-000000000005', 'boss', '管理员', 'admin', NULL, $1)",
                      1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  /* names repeat (every 40th), so the order falls back on the id */
  exec_ok (conn,
           "INSERT INTO crm.customers (name, kind, industry, region_id, tier, owner_id, status, monthly_revenue)"
           " SELECT '客户' || lpad((g % 40)::text, 2, '0') || '-' || (g % 7), 'sme', '制造',"
           "  ('00000000-0000-4000-8000-00000000000' || (1 + g % 3))::uuid,"
           "  CASE WHEN g % 5 = 0 THEN 'key' ELSE 'standard' END::crm.customer_tier,"
           "  CASE WHEN g <= 3 THEN NULL WHEN g % 2 = 0 THEN '10000000-0000-4000-8000-000000000001'"
           "       ELSE '10000000-0000-4000-8000-000000000002' END::uuid,"
           "  CASE WHEN g % 4 = 0 THEN 'churned' ELSE 'active' END::crm.customer_status, g * 100"
           " FROM generate_series(1, 1203) g");
  exec_ok (conn, "ANALYZE");
}

/* A keyline_app connection in a transaction as `boss`, the way
 * crm.set_identity () sets who is asking. */
static PGconn *
app_connection_as_admin (void)
{
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autofree char *app = NULL;
  g_autoptr(GError) error = NULL;
  PGconn *conn;

  g_free (config->database);
  config->database = g_strdup (conninfo);
  app = crm_config_get_app_conninfo (config);
  conn = crm_pg_connect_blocking (app, &error);
  g_assert_no_error (error);
  exec_ok (conn, "BEGIN");
  exec_ok (conn, "SELECT set_config('keyline.user_id', '10000000-0000-4000-8000-000000000005', true),"
                 " set_config('keyline.role', 'admin', true), set_config('keyline.regions', '{}', true)");
  return conn;
}

static void
prepare_ok (PGconn       *conn,
            const char   *name,
            const CrmSql *sql)
{
  g_autoptr(PGresult) res = PQprepare (conn, name, sql->sql, sql->n_params, NULL);

  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s\n%s", sql->sql, PQerrorMessage (conn));
}

static char *
customer_id (PGconn *conn,
             int     n)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM crm.customers ORDER BY name, id OFFSET %d LIMIT 1", n);
  g_autoptr(PGresult) res = PQexec (conn, sql);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return g_strdup (PQgetvalue (res, 0, 0));
}

/* Plans ------------------------------------------------------------------- */

static void
test_one_customer_is_an_index_scan_without_join (void)
{
  g_autoptr(PGconn) owner = owner_connection ();
  g_autoptr(PGconn) conn = app_connection_as_admin ();
  g_autofree char *id = customer_id (owner, 500);
  g_autoptr(GString) plan = g_string_new (NULL);
  g_autoptr(PGresult) res = NULL;
  g_autofree char *explain = NULL;
  const char *params[1] = { id };

  prepare_ok (conn, "one", crm_customer_get_sql ());
  /* past the executions after which the plan cache may keep a generic plan */
  for (int i = 0; i < 7; i++)
    {
      g_clear_pointer (&res, PQclear);
      res = PQexecPrepared (conn, "one", 1, params, NULL, NULL, 0);
    }
  g_assert_cmpint (PQntuples (res), ==, 1);
  g_clear_pointer (&res, PQclear);
  /* a utility statement takes no parameters; the id is a uuid of ours */
  explain = g_strdup_printf ("EXPLAIN (COSTS OFF) EXECUTE one('%s')", id);
  res = PQexec (conn, explain);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  for (int i = 0; i < PQntuples (res); i++)
    g_string_append_printf (plan, "%s\n", PQgetvalue (res, i, 0));
  g_test_message ("%s", plan->str);
  g_assert_true (g_str_has_prefix (plan->str, "Index Scan using "));
  g_assert_null (strstr (plan->str, "Join"));
  g_assert_null (strstr (plan->str, "Nested Loop"));
  g_assert_null (strstr (plan->str, "Hash"));
  exec_ok (conn, "ROLLBACK");
}

/* Answers ------------------------------------------------------------------ */

/* Every customer with its region's and owner's names as SQL joins them,
 * in the list's order, filtered by @where. */
static PGresult *
sql_records (PGconn     *owner,
             const char *where)
{
  g_autofree char *sql = g_strdup_printf ("SELECT c.id, c.name, r.name, u.display_name"
                                          " FROM crm.customers c JOIN crm.regions r ON r.id = c.region_id"
                                          " LEFT JOIN crm.users u ON u.id = c.owner_id"
                                          " WHERE %s ORDER BY c.name, c.id", where);

  return PQexec (owner, sql);
}

static void
assert_item (JsonObject     *item,
             const PGresult *res,
             int             row)
{
  g_assert_cmpstr (json_object_get_string_member (item, "id"), ==, PQgetvalue (res, row, 0));
  g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, PQgetvalue (res, row, 1));
  g_assert_cmpstr (json_object_get_string_member (item, "region_name"), ==, PQgetvalue (res, row, 2));
  if (PQgetisnull (res, row, 3))
    g_assert_true (json_node_is_null (json_object_get_member (item, "owner_name")));
  else
    g_assert_cmpstr (json_object_get_string_member (item, "owner_name"), ==, PQgetvalue (res, row, 3));
}

/* Walks GET customers?@query page by page: the pages hold every record of
 * @where once, in SQL's order, with SQL's names. */
static void
assert_pages (const char *token,
              const char *query,
              const char *where,
              int         limit)
{
  g_autoptr(PGconn) owner = owner_connection ();
  g_autoptr(PGresult) expected = sql_records (owner, where);
  g_autofree char *cursor = NULL;
  int seen = 0;
  int pages = 0;

  g_assert_cmpint (PQntuples (expected), >, limit);
  do
    {
      g_autofree char *path = g_strdup_printf ("customers?limit=%d%s%s%s%s", limit, *query ? "&" : "", query,
                                               cursor ? "&cursor=" : "", cursor ? cursor : "");
      g_autoptr(Response) r = get (path, token);
      JsonArray *items;
      JsonNode *next;

      g_assert_cmpuint (r->status, ==, 200);
      items = json_object_get_array_member (obj (r), "items");
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          g_assert_cmpint (seen, <, PQntuples (expected));
          assert_item (json_array_get_object_element (items, i), expected, seen++);
        }
      pages++;
      next = json_object_get_member (obj (r), "next_cursor");
      g_clear_pointer (&cursor, g_free);
      if (!json_node_is_null (next))
        {
          /* a full page, and more to come */
          g_assert_cmpuint (json_array_get_length (items), ==, (guint) limit);
          cursor = g_strdup (json_node_get_string (next));
        }
    }
  while (cursor != NULL);
  g_assert_cmpint (seen, ==, PQntuples (expected));
  g_assert_cmpint (pages, ==, (PQntuples (expected) + limit - 1) / limit);
}

static void
test_largest_pages_cover_every_customer_once (void)
{
  g_autofree char *token = sign_in_with ("boss", PASSWORD);

  /* 500 a page, the largest: the first two must still say there is more */
  assert_pages (token, "", "true", 500);
}

static void
test_filtered_pages_hold_the_sql_records (void)
{
  g_autofree char *token = sign_in_with ("boss", PASSWORD);

  assert_pages (token, "tier=key&status=active", "c.tier = 'key' AND c.status = 'active'", 50);
}

static void
test_manager_pages_hold_the_sql_records (void)
{
  g_autofree char *token = sign_in_with ("mgr_b", PASSWORD);

  assert_pages (token, "", "c.owner_id = '10000000-0000-4000-8000-000000000002'", 100);
}

static void
test_detail_holds_the_sql_record (void)
{
  g_autofree char *token = sign_in_with ("boss", PASSWORD);
  g_autoptr(PGconn) owner = owner_connection ();
  g_autoptr(PGresult) expected = sql_records (owner, "true");
  int ownerless = 0;

  /* every 11th, and the three owned by nobody */
  for (int row = 0; row < PQntuples (expected); row++)
    {
      gboolean no_owner = PQgetisnull (expected, row, 3);
      g_autofree char *path = NULL;
      g_autoptr(Response) r = NULL;

      if (row % 11 != 0 && !no_owner)
        continue;
      path = g_strdup_printf ("customers/%s", PQgetvalue (expected, row, 0));
      r = get (path, token);
      g_assert_cmpuint (r->status, ==, 200);
      assert_item (obj (r), expected, row);
      ownerless += no_owner;
    }
  g_assert_cmpint (ownerless, ==, 3);
}

int
main (int argc, char **argv)
{
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autoptr(GError) error = NULL;
  guint applied = 0;
  int status;

  g_test_init (&argc, &argv, NULL);
  crm_auth_init (NULL);
  crm_server_raise_fd_limit ();

  if (!crm_test_pg_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset)");
      return g_test_run ();
    }

  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  g_assert_true (crm_migrate_run (conninfo, &applied, &error));
  g_assert_no_error (error);
  load_fixture ();

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

  g_test_add_func ("/server/plans/one-customer-is-an-index-scan-without-join",
                   test_one_customer_is_an_index_scan_without_join);
  g_test_add_func ("/server/plans/largest-pages-cover-every-customer-once",
                   test_largest_pages_cover_every_customer_once);
  g_test_add_func ("/server/plans/filtered-pages-hold-the-sql-records", test_filtered_pages_hold_the_sql_records);
  g_test_add_func ("/server/plans/manager-pages-hold-the-sql-records", test_manager_pages_hold_the_sql_records);
  g_test_add_func ("/server/plans/detail-holds-the-sql-record", test_detail_holds_the_sql_record);

  status = g_test_run ();

  crm_test_http_shutdown ();
  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  g_free (base_url);
  return status;
}
