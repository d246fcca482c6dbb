#define G_LOG_DOMAIN "test-server-api"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

/*
 * The API end to end: an in-process keyline-server on port 0 against a
 * throwaway database with a small, known data set:
 *
 *   region 中国 > 广东 > {广州, 深圳};  江苏 > 南京
 *   mgr_gz   account manager, 12 customers in 广州 (3 key, 9 standard)
 *   mgr_sz   account manager,  5 customers in 深圳
 *   mgr_nj   account manager,  4 customers in 南京
 *   dir_gd   director of 广东: sees 17
 *   boss     admin: sees 21
 *   mkt      marketing: sees 21, may change none
 */

#define PASSWORD "correct horse battery"

static CrmServer *server;
static char *conninfo;
static char *base_url;

static const char *ids_region[] = {
  "00000000-0000-4000-8000-000000000001", /* 中国 */
  "00000000-0000-4000-8000-000000000002", /* 广东 */
  "00000000-0000-4000-8000-000000000003", /* 广州 */
  "00000000-0000-4000-8000-000000000004", /* 深圳 */
  "00000000-0000-4000-8000-000000000005", /* 江苏 */
  "00000000-0000-4000-8000-000000000006", /* 南京 */
};

static char *
sign_in (const char *login)
{
  return sign_in_with (login, PASSWORD);
}

/* Every id in the items of a list page. */
static GPtrArray *
item_ids (Response *r)
{
  JsonArray *items = json_object_get_array_member (obj (r), "items");
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (items); i++)
    g_ptr_array_add (ids, g_strdup (json_object_get_string_member (json_array_get_object_element (items, i), "id")));
  return ids;
}

static guint
list_count (const char *token,
            const char *query)
{
  g_autofree char *path = g_strdup_printf ("customers?limit=500%s%s", query ? "&" : "", query ? query : "");
  g_autoptr(Response) r = get (path, token);

  g_assert_cmpuint (r->status, ==, 200);
  return json_array_get_length (json_object_get_array_member (obj (r), "items"));
}

/* Data ------------------------------------------------------------------ */

static void
exec_ok (PGconn     *conn,
         const char *sql)
{
  g_autoptr(PGresult) res = PQexec (conn, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s\n%s", sql, PQerrorMessage (conn));
}

static void
load_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = crm_pg_connect_blocking (conninfo, &error);
  g_autofree char *hash = crm_auth_hash_password (PASSWORD, &error);
  const char *params[1] = { hash };
  g_autoptr(PGresult) res = NULL;

  g_assert_no_error (error);
  exec_ok (conn,
           "INSERT INTO crm.regions (id, parent_id, code, name, name_en, level) VALUES"
           " ('00000000-0000-4000-8000-000000000001', NULL, 'CN', '中国', 'China', 0),"
           " ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'GD', '广东', 'Guangdong', 1),"
           " ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'GZ', '广州', 'Guangzhou', 2),"
           " ('00000000-0000-4000-8000-000000000004', '00000000-0000-4000-8000-000000000002', 'SZ', '深圳', 'Shenzhen', 2),"
           " ('00000000-0000-4000-8000-000000000005', '00000000-0000-4000-8000-000000000001', 'JS', '江苏', 'Jiangsu', 1),"
           " ('00000000-0000-4000-8000-000000000006', '00000000-0000-4000-8000-000000000005', 'NJ', '南京', 'Nanjing', 2)");
  res = PQexecParams (conn,
                      "INSERT INTO crm.users (id, login, display_name, role, region_id, password_hash) VALUES"
                      " ('10000000-0000-4000-8000-000000000001', 'mgr_gz', '王广州', 'manager', '00000000-0000-4000-8000-000000000003', $1),"
                      " ('10000000-0000-4000-8000-000000000002', 'mgr_sz', '李深圳', 'manager', '00000000-0000-4000-8000-000000000004', $1),"
                      " ('10000000-0000-4000-8000-000000000003', 'mgr_nj', '赵南京', 'manager', '00000000-0000-4000-8000-000000000006', $1),"
                      " ('10000000-0000-4000-8000-000000000004', 'dir_gd', '张总监', 'director', '00000000-0000-4000-8000-000000000002', $1),"
                      " ('10000000-0000-4000-8000-000000000005', 'boss', '管理员', 'admin', NULL, $1),"
                      " ('10000000-0000-4000-8000-000000000006', 'mkt', '市场部', 'marketing', NULL, $1),"
                      " ('10000000-0000-4000-8000-000000000007', 'throttled', '被锁定', 'manager', NULL, $1),"
                      " ('10000000-0000-4000-8000-000000000008', 'leaver', '已离职', 'manager', NULL, $1)",
                      1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  exec_ok (conn,
           "INSERT INTO crm.customers (name, name_en, kind, industry, region_id, tier, owner_id, status,"
           "  phone, address, monthly_revenue)"
           " SELECT '广州制造' || g || '号有限公司', 'Guangzhou Works ' || g, 'sme', '制造',"
           "  '00000000-0000-4000-8000-000000000003', CASE WHEN g <= 3 THEN 'key' ELSE 'standard' END::crm.customer_tier,"
           "  '10000000-0000-4000-8000-000000000001', CASE WHEN g = 12 THEN 'churned' ELSE 'active' END::crm.customer_status,"
           "  '020-8765432' || (g % 10), '广州市天河区体育西路' || g || '号', g * 100000"
           " FROM generate_series(1, 12) g");
  exec_ok (conn,
           "INSERT INTO crm.customers (name, kind, industry, region_id, tier, owner_id, status, monthly_revenue)"
           " SELECT '深圳物流' || g, 'large_enterprise', '物流', '00000000-0000-4000-8000-000000000004', 'major',"
           "  '10000000-0000-4000-8000-000000000002', 'active', g * 7000 FROM generate_series(1, 5) g");
  exec_ok (conn,
           "INSERT INTO crm.customers (name, kind, industry, region_id, tier, owner_id, status)"
           " SELECT '南京政务' || g, 'government', '政府', '00000000-0000-4000-8000-000000000006', 'key',"
           "  '10000000-0000-4000-8000-000000000003', 'active' FROM generate_series(1, 4) g");
  exec_ok (conn,
           "INSERT INTO crm.contacts (customer_id, name, title, mobile, email, id_number, is_primary)"
           " SELECT id, '陈联系', '总经理', '13912345678', 'chen@example.cn', '440106199001011234', true"
           " FROM crm.customers");
  exec_ok (conn, "UPDATE crm.users SET disabled = true WHERE login = 'leaver'");
}

static char *
customer_id (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = crm_pg_connect_blocking (conninfo, &error);
  const char *params[1] = { name };
  g_autoptr(PGresult) res = PQexecParams (conn, "SELECT id FROM crm.customers WHERE name = $1",
                                          1, NULL, params, NULL, NULL, 0);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return g_strdup (PQgetvalue (res, 0, 0));
}

/* Health and routing ------------------------------------------------------- */

static void
test_health_answers_ok (void)
{
  g_autoptr(Response) r = get ("health", NULL);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (r), "status"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (obj (r), "database"), ==, "ok");
}

static void
test_routes_unknown_path_is_json_404 (void)
{
  g_autoptr(Response) r = get ("no-such-thing", NULL);
  g_autoptr(Response) outside = http ("GET", "../../etc/passwd", NULL, NULL, NULL, 0);

  assert_error (r, 404, "not_found", NULL);
  g_assert_cmpuint (outside->status, ==, 404);
}

static void
test_routes_wrong_method_is_405 (void)
{
  g_autoptr(Response) r = http ("PUT", "health", NULL, NULL, NULL, 0);

  assert_error (r, 405, "invalid", NULL);
}

/* Sign-in ------------------------------------------------------------------ */

static void
test_session_sign_in_returns_token_and_user (void)
{
  g_autoptr(Response) r = post_json ("session", NULL, "{\"login\":\"mgr_gz\",\"password\":\"" PASSWORD "\"}");
  JsonObject *user;
  const char *token;

  g_assert_cmpuint (r->status, ==, 201);
  token = json_object_get_string_member (obj (r), "token");
  g_assert_cmpuint (strlen (token), ==, 43);   /* 256 bits, base64url */
  g_assert_nonnull (strchr (json_object_get_string_member (obj (r), "expires_at"), 'T'));
  user = json_object_get_object_member (obj (r), "user");
  g_assert_cmpstr (json_object_get_string_member (user, "login"), ==, "mgr_gz");
  g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "manager");
}

static void
test_session_token_is_stored_only_as_a_hash (void)
{
  g_autofree char *token = sign_in ("mgr_sz");
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = crm_pg_connect_blocking (conninfo, &error);
  const char *params[1] = { token };
  g_autoptr(PGresult) raw = PQexecParams (conn,
                                          "SELECT count(*) FROM crm.sessions WHERE token_hash = convert_to($1, 'UTF8')"
                                          " OR encode(token_hash, 'escape') LIKE '%' || $1 || '%'",
                                          1, NULL, params, NULL, NULL, 0);
  g_autoptr(PGresult) hashed = PQexecParams (conn,
                                             "SELECT count(*) FROM crm.sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
                                             1, NULL, params, NULL, NULL, 0);

  g_assert_cmpstr (PQgetvalue (raw, 0, 0), ==, "0");
  g_assert_cmpstr (PQgetvalue (hashed, 0, 0), ==, "1");
}

static void
test_session_wrong_password_is_401 (void)
{
  g_autoptr(Response) r = post_json ("session", NULL, "{\"login\":\"mgr_nj\",\"password\":\"nope\"}");

  assert_error (r, 401, "bad_credentials", NULL);
}

static void
test_session_unknown_and_disabled_logins_are_401 (void)
{
  g_autoptr(Response) unknown = post_json ("session", NULL, "{\"login\":\"nobody\",\"password\":\"" PASSWORD "\"}");
  g_autoptr(Response) disabled = post_json ("session", NULL, "{\"login\":\"leaver\",\"password\":\"" PASSWORD "\"}");

  assert_error (unknown, 401, "bad_credentials", NULL);
  assert_error (disabled, 401, "bad_credentials", NULL);
}

static void
test_session_malformed_bodies_name_the_field (void)
{
  g_autoptr(Response) not_json = post_json ("session", NULL, "{\"login\": ");
  g_autoptr(Response) not_object = post_json ("session", NULL, "[1,2]");
  g_autoptr(Response) no_login = post_json ("session", NULL, "{\"password\":\"x\"}");
  g_autoptr(Response) bad_login = post_json ("session", NULL, "{\"login\":\"a b\",\"password\":\"x\"}");
  g_autoptr(Response) number_password = post_json ("session", NULL, "{\"login\":\"mgr_gz\",\"password\":5}");
  g_autoptr(Response) empty = http ("POST", "session", NULL, "application/json", "", 0);
  g_autoptr(Response) wrong_type = http ("POST", "session", NULL, "text/plain", "login=x", 7);

  assert_error (not_json, 400, "malformed", "body");
  assert_error (not_object, 400, "malformed", "body");
  assert_error (no_login, 400, "invalid", "login");
  assert_error (bad_login, 400, "invalid", "login");
  assert_error (number_password, 400, "invalid", "password");
  assert_error (empty, 400, "malformed", "body");
  assert_error (wrong_type, 400, "invalid", "body");
}

static void
test_session_deeply_nested_json_is_400_and_server_lives (void)
{
  gsize n = 100000;
  g_autofree char *deep = g_malloc (2 * n + 1);
  g_autoptr(Response) r = NULL;
  g_autoptr(Response) after = NULL;

  memset (deep, '[', n);
  memset (deep + n, ']', n);
  deep[2 * n] = '\0';
  r = post_json ("session", NULL, deep);
  assert_error (r, 400, "malformed", "body");

  after = get ("health", NULL);
  g_assert_cmpuint (after->status, ==, 200);
}

static void
test_session_oversized_body_is_413 (void)
{
  gsize n = 2 * 1024 * 1024;
  g_autofree char *big = g_malloc (n);
  g_autoptr(Response) r = NULL;

  memset (big, ' ', n);
  big[0] = '{';
  big[n - 1] = '}';
  r = http ("POST", "session", NULL, "application/json", big, n);
  assert_error (r, 413, "too_large", "body");
}

static void
test_session_repeated_failures_are_throttled (void)
{
  g_autoptr(Response) locked = NULL;
  g_autoptr(Response) even_right = NULL;

  /* the test server allows 3 failures per account */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(Response) r = post_json ("session", NULL, "{\"login\":\"throttled\",\"password\":\"guess\"}");
      assert_error (r, 401, "bad_credentials", NULL);
    }
  locked = post_json ("session", NULL, "{\"login\":\"throttled\",\"password\":\"guess\"}");
  assert_error (locked, 429, "throttled", "login");
  g_assert_nonnull (locked->retry_after);
  g_assert_cmpint (atoi (locked->retry_after), >, 0);

  /* the right password does not get through a lock either */
  even_right = post_json ("session", NULL, "{\"login\":\"throttled\",\"password\":\"" PASSWORD "\"}");
  assert_error (even_right, 429, "throttled", "login");
}

static void
test_session_sign_out_ends_the_token (void)
{
  g_autofree char *token = sign_in ("mgr_nj");
  g_autoptr(Response) before = get ("me", token);
  g_autoptr(Response) out = http ("DELETE", "session", token, NULL, NULL, 0);
  g_autoptr(Response) after = get ("me", token);

  g_assert_cmpuint (before->status, ==, 200);
  g_assert_cmpuint (out->status, ==, 204);
  assert_error (after, 401, "unauthenticated", NULL);
}

static void
test_me_needs_a_valid_token (void)
{
  g_autoptr(Response) none = get ("me", NULL);
  g_autoptr(Response) garbage = get ("me", "not-a-real-token-at-all-0000000000000000000");
  g_autoptr(Response) weird = get ("me", "'; DROP TABLE crm.customers; --");

  assert_error (none, 401, "unauthenticated", NULL);
  assert_error (garbage, 401, "unauthenticated", NULL);
  assert_error (weird, 401, "unauthenticated", NULL);
}

static void
test_me_says_who_is_asking (void)
{
  g_autofree char *token = sign_in ("dir_gd");
  g_autoptr(Response) r = get ("me", token);

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (r), "login"), ==, "dir_gd");
  g_assert_cmpstr (json_object_get_string_member (obj (r), "role"), ==, "director");
  g_assert_cmpstr (json_object_get_string_member (obj (r), "region_id"), ==, ids_region[1]);
}

/* Customers ---------------------------------------------------------------- */

static void
test_customers_list_needs_a_token (void)
{
  g_autoptr(Response) r = get ("customers", NULL);

  assert_error (r, 401, "unauthenticated", NULL);
}

static void
test_customers_list_each_role_sees_its_own (void)
{
  g_autofree char *gz = sign_in ("mgr_gz");
  g_autofree char *sz = sign_in ("mgr_sz");
  g_autofree char *dir = sign_in ("dir_gd");
  g_autofree char *admin = sign_in ("boss");
  g_autofree char *mkt = sign_in ("mkt");

  g_assert_cmpuint (list_count (gz, NULL), ==, 12);
  g_assert_cmpuint (list_count (sz, NULL), ==, 5);
  g_assert_cmpuint (list_count (dir, NULL), ==, 17);
  g_assert_cmpuint (list_count (admin, NULL), ==, 21);
  g_assert_cmpuint (list_count (mkt, NULL), ==, 21);
  /* asking for someone else's customers narrows to nothing, never widens */
  g_assert_cmpuint (list_count (gz, "owner=10000000-0000-4000-8000-000000000002"), ==, 0);
}

static void
test_customers_list_keyset_pages_cover_every_row_once (void)
{
  g_autofree char *admin = sign_in ("boss");
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *cursor = NULL;
  guint pages = 0;

  do
    {
      g_autofree char *path = cursor ? g_strdup_printf ("customers?limit=4&cursor=%s", cursor)
                                     : g_strdup ("customers?limit=4");
      g_autoptr(Response) r = get (path, admin);
      g_autoptr(GPtrArray) ids = NULL;
      JsonNode *next;

      g_assert_cmpuint (r->status, ==, 200);
      ids = item_ids (r);
      g_assert_cmpuint (ids->len, <=, 4);
      for (guint i = 0; i < ids->len; i++)
        g_assert_true (g_hash_table_add (seen, g_strdup (ids->pdata[i])));
      next = json_object_get_member (obj (r), "next_cursor");
      g_clear_pointer (&cursor, g_free);
      if (!JSON_NODE_HOLDS_NULL (next))
        cursor = g_strdup (json_node_get_string (next));
      pages++;
    }
  while (cursor != NULL && pages < 20);

  g_assert_cmpuint (g_hash_table_size (seen), ==, 21);
  g_assert_cmpuint (pages, ==, 6);
}

static void
test_customers_list_sorts_by_revenue_descending (void)
{
  g_autofree char *gz = sign_in ("mgr_gz");
  g_autoptr(Response) r = get ("customers?sort=revenue&limit=3", gz);
  JsonArray *items = json_object_get_array_member (obj (r), "items");
  gint64 previous = G_MAXINT64;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (items), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      gint64 revenue = json_object_get_int_member (json_array_get_object_element (items, i), "monthly_revenue");
      g_assert_cmpint (revenue, <=, previous);
      previous = revenue;
    }
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "monthly_revenue"), ==, 1200000);
}

static void
test_customers_list_filters_and_searches (void)
{
  g_autofree char *admin = sign_in ("boss");
  g_autofree char *escaped = g_uri_escape_string ("制造1", NULL, FALSE);
  g_autofree char *search = g_strdup_printf ("q=%s", escaped);
  g_autofree char *region = g_strdup_printf ("region=%s", ids_region[1]);

  g_assert_cmpuint (list_count (admin, "tier=key"), ==, 7);
  g_assert_cmpuint (list_count (admin, "status=churned"), ==, 1);
  g_assert_cmpuint (list_count (admin, "tier=key&status=active"), ==, 7);
  /* 制造1, 制造10, 制造11, 制造12 */
  g_assert_cmpuint (list_count (admin, search), ==, 4);
  g_assert_cmpuint (list_count (admin, "q=Works%201"), ==, 4);
  /* LIKE wildcards are matched as typed */
  g_assert_cmpuint (list_count (admin, "q=%25"), ==, 0);
  /* a region filter covers its subtree */
  g_assert_cmpuint (list_count (admin, region), ==, 17);
}

static void
test_customers_list_rejects_bad_parameters (void)
{
  g_autofree char *admin = sign_in ("boss");
  struct { const char *query; const char *field; } cases[] = {
    { "customers?limit=0", "limit" },
    { "customers?limit=501", "limit" },
    { "customers?limit=ten", "limit" },
    { "customers?tier=gold", "tier" },
    { "customers?status=sleeping", "status" },
    { "customers?sort=colour", "sort" },
    { "customers?order=sideways", "order" },
    { "customers?region=not-a-uuid", "region" },
    { "customers?owner=42", "owner" },
    { "customers?cursor=!!!", "cursor" },
    { "customers?cursor=MTBhCmZvbwpub3QtYS11dWlk", "cursor" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Response) r = get (cases[i].query, admin);

      g_test_message ("%s", cases[i].query);
      assert_error (r, 400, "invalid", cases[i].field);
    }
}

static void
test_customers_list_rejects_a_cursor_of_another_order (void)
{
  g_autofree char *admin = sign_in ("boss");
  g_autoptr(Response) first = get ("customers?limit=2", admin);
  const char *cursor = json_object_get_string_member (obj (first), "next_cursor");
  g_autofree char *path = g_strdup_printf ("customers?limit=2&sort=revenue&cursor=%s", cursor);
  g_autoptr(Response) r = get (path, admin);

  assert_error (r, 400, "invalid", "cursor");
}

/* The account manager receives their own customer's phone and its
 * contacts' mobile numbers in full, their director masked; ID numbers
 * and addresses are masked for both. */
static void
test_customers_get_masks_personal_data (void)
{
  g_autofree char *gz = sign_in ("mgr_gz");
  g_autofree char *director = sign_in ("dir_gd");
  g_autofree char *id = customer_id ("广州制造1号有限公司");
  g_autofree char *path = g_strdup_printf ("customers/%s", id);
  g_autoptr(Response) r = get (path, gz);
  g_autoptr(Response) a = get (path, director);
  JsonArray *contacts;
  JsonObject *contact;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (r), "name"), ==, "广州制造1号有限公司");
  g_assert_cmpstr (json_object_get_string_member (obj (r), "region_name"), ==, "广州");
  g_assert_cmpstr (json_object_get_string_member (obj (r), "owner_name"), ==, "王广州");
  g_assert_null (strstr (r->body, "体育西路"));
  g_assert_cmpstr (json_object_get_string_member (obj (r), "phone"), ==, "020-87654321");
  g_assert_true (json_object_get_boolean_member (obj (r), "personal_data_masked"));
  contacts = json_object_get_array_member (obj (r), "contacts");
  g_assert_cmpuint (json_array_get_length (contacts), ==, 1);
  contact = json_array_get_object_element (contacts, 0);
  g_assert_cmpstr (json_object_get_string_member (contact, "mobile"), ==, "13912345678");
  g_assert_null (strstr (r->body, "440106199001011234"));

  g_assert_cmpuint (a->status, ==, 200);
  g_assert_null (strstr (a->body, "体育西路"));
  g_assert_null (strstr (a->body, "87654321"));
  contact = json_array_get_object_element (json_object_get_array_member (obj (a), "contacts"), 0);
  g_assert_cmpstr (json_object_get_string_member (contact, "mobile"), ==, "139****5678");
  g_assert_null (strstr (a->body, "13912345678"));
  g_assert_null (strstr (a->body, "440106199001011234"));
}

static void
test_customers_get_of_another_managers_customer_is_404 (void)
{
  g_autofree char *sz = sign_in ("mgr_sz");
  g_autofree char *mkt = sign_in ("mkt");
  g_autofree char *id = customer_id ("广州制造2号有限公司");
  g_autofree char *path = g_strdup_printf ("customers/%s", id);
  g_autoptr(Response) r = get (path, sz);
  g_autoptr(Response) seen = get (path, mkt);

  assert_error (r, 404, "not_found", NULL);
  g_assert_cmpuint (seen->status, ==, 200);
}

static void
test_customers_get_rejects_a_malformed_id (void)
{
  g_autofree char *gz = sign_in ("mgr_gz");
  g_autoptr(Response) r = get ("customers/123", gz);
  g_autoptr(Response) quote = get ("customers/%27%20OR%201=1", gz);
  g_autoptr(Response) missing = get ("customers/00000000-0000-4000-8000-0000000000ff", gz);

  assert_error (r, 400, "invalid", "id");
  assert_error (quote, 400, "invalid", "id");
  assert_error (missing, 404, "not_found", NULL);
}

/* Row-level security without the handlers ---------------------------------- */

static PGconn *
app_connection (void)
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
  return conn;
}

static char *
scalar (PGconn     *conn,
        const char *sql,
        const char *param)
{
  const char *params[1] = { param };
  g_autoptr(PGresult) res = PQexecParams (conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    return g_strdup_printf ("error: %s", PQresultErrorField (res, PG_DIAG_SQLSTATE));
  return g_strdup (PQgetvalue (res, 0, 0));
}

static void
test_rls_holds_for_sql_without_where (void)
{
  g_autofree char *token = sign_in ("mgr_sz");
  g_autoptr(PGconn) conn = app_connection ();
  g_autofree char *who = NULL;
  g_autofree char *customers = NULL;
  g_autofree char *contacts = NULL;
  g_autofree char *foreign = NULL;

  exec_ok (conn, "BEGIN");
  who = scalar (conn, "SELECT login FROM crm.authenticate(sha256(convert_to($1, 'UTF8')))", token);
  g_assert_cmpstr (who, ==, "mgr_sz");
  customers = scalar (conn, "SELECT count(*) FROM crm.customers", NULL);
  contacts = scalar (conn, "SELECT count(*) FROM crm.contacts", NULL);
  foreign = scalar (conn, "SELECT count(*) FROM crm.customers WHERE owner_id <> '10000000-0000-4000-8000-000000000002'", NULL);
  g_assert_cmpstr (customers, ==, "5");
  g_assert_cmpstr (contacts, ==, "5");
  g_assert_cmpstr (foreign, ==, "0");
  exec_ok (conn, "COMMIT");
}

static void
test_rls_unset_user_fails_closed (void)
{
  g_autoptr(PGconn) conn = app_connection ();
  const char *tables[] = { "customers", "contacts", "subscriptions", "revenue_months",
                           "interactions", "opportunities", "campaign_members",
                           "service_requests", "service_steps", "audit_log", "regions" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM crm.%s", tables[i]);
      g_autofree char *n = scalar (conn, sql, NULL);

      g_test_message ("%s: %s", tables[i], n);
      g_assert_cmpstr (n, ==, "0");
    }
}

static void
test_rls_app_role_cannot_read_secrets_or_change_audit (void)
{
  g_autofree char *token = sign_in ("boss");
  g_autoptr(PGconn) conn = app_connection ();
  g_autofree char *sessions = NULL;
  g_autofree char *hashes = NULL;
  g_autofree char *identity = NULL;
  g_autoptr(PGresult) del = NULL;

  sessions = scalar (conn, "SELECT count(*) FROM crm.sessions", NULL);
  g_assert_true (g_str_equal (sessions, "0") || g_str_has_prefix (sessions, "error: 42501"));
  identity = scalar (conn, "SELECT crm.set_identity('10000000-0000-4000-8000-000000000005')", NULL);
  g_assert_cmpstr (identity, ==, "error: 42501");

  exec_ok (conn, "BEGIN");
  g_free (scalar (conn, "SELECT login FROM crm.authenticate(sha256(convert_to($1, 'UTF8')))", token));
  /* even an admin's requests see no password hashes through the directory */
  hashes = scalar (conn, "SELECT count(*) FROM information_schema.columns"
                         " WHERE table_schema = 'crm' AND table_name = 'user_directory'"
                         " AND column_name = 'password_hash'", NULL);
  g_assert_cmpstr (hashes, ==, "0");
  del = PQexec (conn, "DELETE FROM crm.audit_log");
  g_assert_cmpint (PQresultStatus (del), ==, PGRES_FATAL_ERROR);
  exec_ok (conn, "ROLLBACK");
}

/* Connections ------------------------------------------------------------- */

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir))
    n++;
  return n;
}

static void
test_connections_dropped_keepalive_connections_are_released (void)
{
  const guint n = 1000;
  g_autofree GSocket **sockets = g_new0 (GSocket *, n);
  g_autoptr(GSocketAddress) address = NULL;
  guint baseline;
  guint peak;
  guint after = 0;
  const char request[] = "GET /api/v1/health HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n";

  address = g_inet_socket_address_new_from_string ("127.0.0.1", crm_server_get_port (server));
  baseline = count_fds ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;

      sockets[i] = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
      g_assert_no_error (error);
      g_socket_connect (sockets[i], address, NULL, &error);
      g_assert_no_error (error);
      g_socket_send (sockets[i], request, sizeof request - 1, NULL, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < n; i++)
    {
      char buf[1024];
      g_autoptr(GError) error = NULL;
      gssize got = g_socket_receive (sockets[i], buf, sizeof buf, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (got, >, 0);
      g_assert_true (g_str_has_prefix (buf, "HTTP/1.1 200"));
    }
  /* both ends of each connection are in this process now */
  peak = count_fds ();
  g_assert_cmpuint (peak, >=, baseline + 2 * n - 10);

  for (guint i = 0; i < n; i++)
    g_object_unref (sockets[i]);

  for (guint waited = 0; waited < 100; waited++)
    {
      g_usleep (50 * 1000);
      after = count_fds ();
      if (after <= baseline)
        break;
    }
  g_test_message ("descriptors: baseline %u, peak %u, after %u", baseline, peak, after);
  g_assert_cmpuint (after, <=, baseline);
}

/* Migrations ---------------------------------------------------------------- */

static void
test_migrate_second_run_applies_nothing (void)
{
  g_autoptr(GError) error = NULL;
  guint applied = 99;

  g_assert_true (crm_migrate_run (conninfo, &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (applied, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmConfig) config = crm_config_new ();
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
  {
    g_auto(GStrv) compiled = g_resources_enumerate_children ("/org/keylinecrm/Keyline/server/sql", 0, NULL);

    g_assert_cmpuint (applied, ==, g_strv_length (compiled));
  }
  load_fixture ();

  g_free (config->database);
  config->database = g_strdup (conninfo);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->threads = 2;
  config->throttle_limit = 3;
  config->max_body = 256 * 1024; /* above the 200 KB nesting test, below the 2 MB one */
  config->max_client_connections = 2000; /* the 1,000 dropped connections come from one address */
  server = crm_server_start (config, &error);
  g_assert_no_error (error);
  base_url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/", crm_server_get_port (server));
  crm_test_http_init (base_url);

  g_test_add_func ("/server/health/answers-ok", test_health_answers_ok);
  g_test_add_func ("/server/routes/unknown-path-is-json-404", test_routes_unknown_path_is_json_404);
  g_test_add_func ("/server/routes/wrong-method-is-405", test_routes_wrong_method_is_405);
  g_test_add_func ("/server/session/sign-in-returns-token-and-user", test_session_sign_in_returns_token_and_user);
  g_test_add_func ("/server/session/token-is-stored-only-as-a-hash", test_session_token_is_stored_only_as_a_hash);
  g_test_add_func ("/server/session/wrong-password-is-401", test_session_wrong_password_is_401);
  g_test_add_func ("/server/session/unknown-and-disabled-logins-are-401", test_session_unknown_and_disabled_logins_are_401);
  g_test_add_func ("/server/session/malformed-bodies-name-the-field", test_session_malformed_bodies_name_the_field);
  g_test_add_func ("/server/session/deeply-nested-json-is-400-and-server-lives", test_session_deeply_nested_json_is_400_and_server_lives);
  g_test_add_func ("/server/session/oversized-body-is-413", test_session_oversized_body_is_413);
  g_test_add_func ("/server/session/repeated-failures-are-throttled", test_session_repeated_failures_are_throttled);
  g_test_add_func ("/server/session/sign-out-ends-the-token", test_session_sign_out_ends_the_token);
  g_test_add_func ("/server/me/needs-a-valid-token", test_me_needs_a_valid_token);
  g_test_add_func ("/server/me/says-who-is-asking", test_me_says_who_is_asking);
  g_test_add_func ("/server/customers/list/needs-a-token", test_customers_list_needs_a_token);
  g_test_add_func ("/server/customers/list/each-role-sees-its-own", test_customers_list_each_role_sees_its_own);
  g_test_add_func ("/server/customers/list/keyset-pages-cover-every-row-once", test_customers_list_keyset_pages_cover_every_row_once);
  g_test_add_func ("/server/customers/list/sorts-by-revenue-descending", test_customers_list_sorts_by_revenue_descending);
  g_test_add_func ("/server/customers/list/filters-and-searches", test_customers_list_filters_and_searches);
  g_test_add_func ("/server/customers/list/rejects-bad-parameters", test_customers_list_rejects_bad_parameters);
  g_test_add_func ("/server/customers/list/rejects-a-cursor-of-another-order", test_customers_list_rejects_a_cursor_of_another_order);
  g_test_add_func ("/server/customers/get/masks-personal-data", test_customers_get_masks_personal_data);
  g_test_add_func ("/server/customers/get/another-managers-customer-is-404", test_customers_get_of_another_managers_customer_is_404);
  g_test_add_func ("/server/customers/get/rejects-a-malformed-id", test_customers_get_rejects_a_malformed_id);
  g_test_add_func ("/server/rls/holds-for-sql-without-where", test_rls_holds_for_sql_without_where);
  g_test_add_func ("/server/rls/unset-user-fails-closed", test_rls_unset_user_fails_closed);
  g_test_add_func ("/server/rls/app-role-cannot-read-secrets-or-change-audit", test_rls_app_role_cannot_read_secrets_or_change_audit);
  g_test_add_func ("/server/connections/dropped-keepalive-connections-are-released", test_connections_dropped_keepalive_connections_are_released);
  g_test_add_func ("/server/migrate/second-run-applies-nothing", test_migrate_second_run_applies_nothing);

  status = g_test_run ();

  crm_test_http_shutdown ();
  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  g_free (base_url);
  return status;
}
