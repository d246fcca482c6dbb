/* POST /customers/:id/reveal against an in-process server and a seeded
 * throwaway database (keyline-server seed --customers 300): the full value
 * for the roles the entity table lets reveal, and its audit record (who,
 * whose field, when) written with it; refusals write none. */
#define G_LOG_DOMAIN "test-server-reveal"

#include "config.h"

#include <string.h>

#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-entity.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

#define PASSWORD "keyline"

static CrmServer *server;
static char *conninfo;

/* Helpers ------------------------------------------------------------------ */

static char *
scalar (PGconn     *conn,
        const char *sql,
        const char *param1,
        const char *param2)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param1, param2);

  return PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

/* The @n-th customer of @login's (each test takes its own) with a phone
 * and a contact with a mobile number and an ID number: its id, and the
 * contact's in @contact. */
static char *
customer_of (PGconn     *conn,
             const char *login,
             guint       n,
             char      **contact)
{
  g_autofree char *offset = g_strdup_printf ("%u", n);
  g_autofree char *customer = scalar (conn,
                                      "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                      " WHERE u.login = $1 AND c.phone IS NOT NULL AND EXISTS"
                                      "  (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id"
                                      "     AND k.mobile IS NOT NULL AND k.id_number IS NOT NULL)"
                                      " ORDER BY c.id OFFSET $2::integer LIMIT 1", login, offset);

  g_assert_nonnull (customer);
  *contact = scalar (conn, "SELECT id FROM crm.contacts WHERE customer_id = $1 AND mobile IS NOT NULL"
                           " AND id_number IS NOT NULL ORDER BY id LIMIT 1", customer, NULL);
  return g_steal_pointer (&customer);
}

static Response *
reveal (const char *token,
        const char *customer,
        const char *entity,
        const char *id,
        const char *field)
{
  g_autofree char *path = g_strdup_printf ("customers/%s/reveal", customer);
  g_autofree char *body = g_strdup_printf ("{\"entity\":\"%s\",\"id\":\"%s\",\"field\":\"%s\"}", entity, id, field);

  return post_json (path, token, body);
}

/* Audit records of reveals of @id. */
static gint64
reveals_of (PGconn     *conn,
            const char *id)
{
  g_autofree char *n = scalar (conn, "SELECT count(*) FROM crm.audit_log WHERE action = 'reveal' AND entity_id = $1",
                               id, NULL);

  return g_ascii_strtoll (n, NULL, 10);
}

/* Tests -------------------------------------------------------------------- */

/* The manager's own contact's ID number (masked for them) comes in full,
 * and the audit log holds who revealed which field of whose record, and
 * when, committed with the answer. */
static void
manager_reveals_and_the_audit_log_says_who_what_when (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *contact = NULL;
  g_autofree char *customer = customer_of (conn, "manager", 1, &contact);
  g_autofree char *id_number = scalar (conn, "SELECT id_number FROM crm.contacts WHERE id = $1", contact, NULL);
  g_autofree char *phone = scalar (conn, "SELECT phone FROM crm.customers WHERE id = $1", customer, NULL);
  g_autofree char *before = scalar (conn, "SELECT clock_timestamp()", NULL, NULL);
  g_autoptr(Response) r = reveal (manager, customer, "contact", contact, "id_number");
  g_autoptr(Response) own = NULL;
  g_autoptr(PGresult) audit = NULL;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (r), "value"), ==, id_number);
  g_assert_cmpstr (json_object_get_string_member (obj (r), "field"), ==, "id_number");
  g_assert_cmpstr (json_object_get_string_member (obj (r), "entity"), ==, "contact");
  g_assert_cmpstr (json_object_get_string_member (obj (r), "id"), ==, contact);

  audit = crm_test_pg_query (conn,
                             "SELECT u.login, a.entity, a.detail->>'field', a.detail->>'customer_id',"
                             "       a.at >= $2::timestamptz AND a.at <= clock_timestamp()"
                             "  FROM crm.audit_log a JOIN crm.users u ON u.id = a.user_id"
                             " WHERE a.action = 'reveal' AND a.entity_id = $1", contact, before);
  g_assert_cmpint (PQntuples (audit), ==, 1);
  g_assert_cmpstr (PQgetvalue (audit, 0, 0), ==, "manager");
  g_assert_cmpstr (PQgetvalue (audit, 0, 1), ==, "contact");
  g_assert_cmpstr (PQgetvalue (audit, 0, 2), ==, "id_number");
  g_assert_cmpstr (PQgetvalue (audit, 0, 3), ==, customer);
  g_assert_cmpstr (PQgetvalue (audit, 0, 4), ==, "t");
  /* the value itself is never written to the log */
  {
    g_autofree char *leaked = scalar (conn, "SELECT count(*) FROM crm.audit_log WHERE detail::text LIKE"
                                            " '%' || $1 || '%'", id_number, NULL);

    g_assert_cmpstr (leaked, ==, "0");
  }

  /* the customer's own field: the id may be left out */
  {
    g_autofree char *path = g_strdup_printf ("customers/%s/reveal", customer);

    own = post_json (path, manager, "{\"entity\":\"customer\",\"field\":\"phone\"}");
  }
  g_assert_cmpuint (own->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (own), "value"), ==, phone);
  g_assert_cmpint (reveals_of (conn, customer), ==, 1);
}

/* Marketing reads the customer's phone masked and may not reveal it:
 * 403, and nothing is logged; the same for every masked field. */
static void
marketing_is_forbidden_and_nothing_is_logged (void)
{
  g_autofree char *marketing = sign_in_with ("marketing", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *contact = NULL;
  g_autofree char *customer = customer_of (conn, "manager", 2, &contact);
  g_autofree char *path = g_strdup_printf ("customers/%s", customer);
  g_autoptr(Response) seen = get (path, marketing);
  g_autofree char *phone = scalar (conn, "SELECT phone FROM crm.customers WHERE id = $1", customer, NULL);
  g_autofree char *logged = scalar (conn, "SELECT count(*) FROM crm.audit_log WHERE action = 'reveal'", NULL, NULL);
  g_autofree char *logged_after = NULL;

  g_assert_cmpuint (seen->status, ==, 200);
  g_assert_nonnull (strchr (json_object_get_string_member (obj (seen), "phone"), '*'));
  for (guint e = CRM_ENTITY_CUSTOMER; e <= CRM_ENTITY_CONTACT; e++)
    for (const CrmField *f = crm_entity_info (e)->fields; f->name != NULL; f++)
      if (f->mask != CRM_FIELD_MASK_NONE)
        {
          g_autoptr(Response) r = reveal (marketing, customer, crm_entity_info (e)->name,
                                          e == CRM_ENTITY_CUSTOMER ? customer : contact, f->name);

          g_test_message ("%s.%s", crm_entity_info (e)->name, f->name);
          assert_error (r, 403, "forbidden", "field");
          g_assert_null (strstr (r->body, phone));
        }
  logged_after = scalar (conn, "SELECT count(*) FROM crm.audit_log WHERE action = 'reveal'", NULL, NULL);
  g_assert_cmpstr (logged_after, ==, logged);
}

/* Another manager's customer is not found, as GET /customers/:id says,
 * and a contact under another customer than the path's is not either. */
static void
another_managers_customer_is_404 (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *other_login = scalar (conn, "SELECT u.login FROM crm.users u WHERE u.role = 'manager'"
                                               " AND u.login <> 'manager' AND EXISTS (SELECT 1 FROM crm.customers c"
                                               "  JOIN crm.contacts k ON k.customer_id = c.id"
                                               "  WHERE c.owner_id = u.id AND c.phone IS NOT NULL"
                                               "    AND k.mobile IS NOT NULL AND k.id_number IS NOT NULL)"
                                               " ORDER BY u.login LIMIT 1", NULL, NULL);
  g_autofree char *theirs_contact = NULL, *mine_contact = NULL;
  g_autofree char *theirs = customer_of (conn, other_login, 0, &theirs_contact);
  g_autofree char *mine = customer_of (conn, "manager", 9, &mine_contact);
  g_autoptr(Response) customer = reveal (manager, theirs, "customer", theirs, "phone");
  g_autoptr(Response) contact = reveal (manager, theirs, "contact", theirs_contact, "mobile");
  g_autoptr(Response) elsewhere = reveal (manager, mine, "contact", theirs_contact, "mobile");

  assert_error (customer, 404, "not_found", "id");
  assert_error (contact, 404, "not_found", "id");
  assert_error (elsewhere, 404, "not_found", "id");
  g_assert_cmpint (reveals_of (conn, theirs), ==, 0);
  g_assert_cmpint (reveals_of (conn, theirs_contact), ==, 0);
}

/* A field that is not masked, or not the entity's, is 400 naming the
 * field; so are a bad entity and a bad id. */
static void
bad_requests_name_their_member (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *contact = NULL;
  g_autofree char *customer = customer_of (conn, "manager", 3, &contact);
  g_autofree char *path = g_strdup_printf ("customers/%s/reveal", customer);
  g_autoptr(Response) unmasked = reveal (manager, customer, "contact", contact, "email");
  g_autoptr(Response) unknown = reveal (manager, customer, "contact", contact, "salary");
  g_autoptr(Response) not_its = reveal (manager, customer, "customer", customer, "mobile");
  g_autoptr(Response) entity = reveal (manager, customer, "opportunity", contact, "mobile");
  g_autoptr(Response) bad_id = reveal (manager, customer, "contact", "not-a-uuid", "mobile");
  g_autoptr(Response) no_field = post_json (path, manager, "{\"entity\":\"customer\"}");
  g_autoptr(Response) number = post_json (path, manager, "{\"entity\":\"customer\",\"field\":5}");
  g_autoptr(Response) bad_path = reveal (manager, "x", "customer", customer, "phone");

  assert_error (unmasked, 400, "invalid", "field");
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (obj (unmasked), "error"),
                                                           "message"), "email"));
  assert_error (unknown, 400, "invalid", "field");
  g_assert_nonnull (strstr (json_object_get_string_member (json_object_get_object_member (obj (unknown), "error"),
                                                           "message"), "salary"));
  assert_error (not_its, 400, "invalid", "field");
  assert_error (entity, 400, "invalid", "entity");
  assert_error (bad_id, 400, "invalid", "id");
  assert_error (no_field, 400, "invalid", "field");
  assert_error (number, 400, "invalid", "field");
  assert_error (bad_path, 400, "invalid", "id");
  g_assert_cmpint (reveals_of (conn, customer), ==, 0);
  g_assert_cmpint (reveals_of (conn, contact), ==, 0);
}

static void
unauthenticated_is_401 (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *contact = NULL;
  g_autofree char *customer = customer_of (conn, "manager", 4, &contact);
  g_autoptr(Response) none = reveal (NULL, customer, "contact", contact, "mobile");
  g_autoptr(Response) wrong = reveal ("not-a-token", customer, "contact", contact, "mobile");

  assert_error (none, 401, "unauthenticated", NULL);
  assert_error (wrong, 401, "unauthenticated", NULL);
  g_assert_cmpint (reveals_of (conn, contact), ==, 0);
}

/* The entity table and crm.reveal () agree: every role the table lets
 * reveal a masked field gets it for a record it reads (a director and an
 * administrator the manager's customer, service a customer in its team's
 * queue), and every other role is refused. */
static void
every_role_the_table_names_may_reveal (void)
{
  const char *logins[CRM_N_ROLES] = {
    [CRM_ROLE_ADMIN] = "admin", [CRM_ROLE_DIRECTOR] = "director", [CRM_ROLE_MANAGER] = "manager",
    [CRM_ROLE_MARKETING] = "marketing", [CRM_ROLE_SERVICE] = "service",
  };
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  const CrmField *phone = crm_entity_info_field (crm_entity_info (CRM_ENTITY_CUSTOMER), "phone");

  for (guint role = 0; role < CRM_N_ROLES; role++)
    {
      g_autofree char *token = sign_in_with (logins[role], PASSWORD);
      /* a customer with a phone the role reads */
      g_autofree char *customer = NULL;
      g_autoptr(Response) seen = NULL;
      g_autoptr(Response) r = NULL;

      {
        g_autoptr(Response) list = get ("customers?limit=500", token);
        JsonArray *items = json_object_get_array_member (obj (list), "items");

        for (guint i = 0; i < json_array_get_length (items) && customer == NULL; i++)
          {
            const char *id = json_object_get_string_member (json_array_get_object_element (items, i), "id");
            g_autofree char *p = scalar (conn, "SELECT phone FROM crm.customers WHERE id = $1", id, NULL);

            if (p != NULL)
              customer = g_strdup (id);
          }
      }
      g_assert_nonnull (customer);
      r = reveal (token, customer, "customer", customer, "phone");
      g_test_message ("%s: %u", logins[role], r->status);
      if (crm_field_revealable_by (phone, role))
        {
          g_autofree char *value = scalar (conn, "SELECT phone FROM crm.customers WHERE id = $1", customer, NULL);

          g_assert_cmpuint (r->status, ==, 200);
          g_assert_cmpstr (json_object_get_string_member (obj (r), "value"), ==, value);
        }
      else
        assert_error (r, 403, "forbidden", "field");
    }
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

  g_test_add_func ("/server/reveal/manager-reveals-and-the-audit-log-says-who-what-when",
                   manager_reveals_and_the_audit_log_says_who_what_when);
  g_test_add_func ("/server/reveal/marketing-is-forbidden-and-nothing-is-logged",
                   marketing_is_forbidden_and_nothing_is_logged);
  g_test_add_func ("/server/reveal/another-managers-customer-is-404", another_managers_customer_is_404);
  g_test_add_func ("/server/reveal/bad-requests-name-their-member", bad_requests_name_their_member);
  g_test_add_func ("/server/reveal/unauthenticated-is-401", unauthenticated_is_401);
  g_test_add_func ("/server/reveal/every-role-the-table-names-may-reveal", every_role_the_table_names_may_reveal);

  status = g_test_run ();
  crm_test_http_shutdown ();
  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
