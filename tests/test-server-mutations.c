/* POST /mutations merged by field, and its refusals, against an in-process
 * server and a seeded throwaway database (keyline-server seed --customers
 * 300).  Every write's "base" is taken, as a client takes it, from the
 * record the server showed (GET /customers/:id: personal data masked). */
#define G_LOG_DOMAIN "test-server-mutations"

#include "config.h"

#include <string.h>

#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-error.h"
#include "crm-fields.h"
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
        const char *param)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param, NULL);

  return PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

/* Of the customers `c`, those the seed made: it gives each a primary
 * contact, and a customer a test makes has none.  A customer made by an
 * earlier test (manager-creates-a-prospect-of-their-own: a random id, so
 * anywhere in the order of ids) must neither be handed to a test that
 * needs its contact nor shift the others by one. */
#define FROM_THE_SEED " AND EXISTS (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id AND k.is_primary)"

/* The @n-th customer of the account manager `manager` (each test takes its
 * own, so that the tests do not meet). */
static char *
own_customer (PGconn *conn,
              guint   n)
{
  g_autofree char *offset = g_strdup_printf ("%u", n);

  return scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                       " WHERE u.login = 'manager'" FROM_THE_SEED " ORDER BY c.id OFFSET $1::integer LIMIT 1", offset);
}

/* A contact of the @n-th customer of `manager`. */
static char *
own_contact (PGconn *conn,
             guint   n)
{
  g_autofree char *customer = own_customer (conn, n);

  return scalar (conn, "SELECT id FROM crm.contacts WHERE customer_id = $1 ORDER BY id LIMIT 1", customer);
}

static char *
customer_of (PGconn     *conn,
             const char *contact)
{
  return scalar (conn, "SELECT customer_id FROM crm.contacts WHERE id = $1", contact);
}

static gint64
version_of (PGconn     *conn,
            const char *entity,
            const char *id)
{
  g_autofree char *v = scalar (conn, g_str_equal (entity, "customer")
                                       ? "SELECT version FROM crm.customers WHERE id = $1"
                                       : "SELECT version FROM crm.contacts WHERE id = $1", id);

  return g_ascii_strtoll (v, NULL, 10);
}

/* The record as the server shows it to @token: a customer, or one of its
 * contacts (@contact not NULL). */
static JsonObject *
shown (const char *token,
       const char *customer,
       const char *contact)
{
  g_autofree char *path = g_strdup_printf ("customers/%s", customer);
  g_autoptr(Response) r = get (path, token);
  JsonArray *contacts;

  if (r->status != 200)
    g_error ("GET %s: %u %s", path, r->status, r->body);
  if (contact == NULL)
    return json_object_ref (obj (r));
  contacts = json_object_get_array_member (obj (r), "contacts");
  for (guint i = 0; i < json_array_get_length (contacts); i++)
    {
      JsonObject *k = json_array_get_object_element (contacts, i);

      if (g_str_equal (json_object_get_string_member (k, "id"), contact))
        return json_object_ref (k);
    }
  g_error ("contact %s is not shown with customer %s", contact, customer);
}

/* {name: value, ...} of @names as @record holds them: a client's base. */
static char *
base_of (JsonObject         *record,
         const char * const *names)
{
  g_autoptr(JsonObject) base = json_object_new ();
  g_autoptr(JsonNode) root = NULL;

  for (guint i = 0; names[i]; i++)
    json_object_set_member (base, names[i], json_node_copy (json_object_get_member (record, names[i])));
  root = json_node_init_object (json_node_alloc (), base);
  return json_to_string (root, FALSE);
}

/* The body of an update made on a copy at @base_version; @base NULL
 * leaves it out. */
static char *
update_body (const char *key,
             const char *entity,
             const char *id,
             gint64      base_version,
             const char *fields,
             const char *base)
{
  g_autoptr(GString) s = g_string_new (NULL);

  g_string_append_printf (s, "{\"key\":\"%s\",\"entity\":\"%s\",\"op\":\"update\",\"id\":\"%s\","
                          "\"base_version\":%" G_GINT64_FORMAT ",\"fields\":%s",
                          key, entity, id, base_version, fields);
  if (base)
    g_string_append_printf (s, ",\"base\":%s", base);
  g_string_append_c (s, '}');
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static Response *
post_update (const char *token,
             const char *entity,
             const char *id,
             gint64      base_version,
             const char *fields,
             const char *base)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *body = update_body (key, entity, id, base_version, fields, base);

  return post_json ("mutations", token, body);
}

static const char *
record_string (Response   *r,
               const char *name)
{
  return json_object_get_string_member (json_object_get_object_member (obj (r), "record"), name);
}

/* The entity's two writable text fields a test changes, and values for
 * them: customers and contacts run the same tests. */
typedef struct
{
  const char *entity;
  CrmEntity   id;
  const char *field_a;    /* changed by one side */
  const char *field_b;    /* changed by the other */
  const char *value_b;    /* a valid value for it */
  const char *masked;     /* a field masked for the account manager */
  const char *masked_1;   /* two values for it */
  const char *masked_2;
} Kind;

static const Kind customer_kind = {
  "customer", CRM_ENTITY_CUSTOMER, "industry", "name_en", "Changed by B", "address", "甲乙街道一号院", "丙丁街道二号楼三层",
};
static const Kind contact_kind = {
  "contact", CRM_ENTITY_CONTACT, "title", "email", "yi@example.cn", "address", "戊己路十号", "庚辛大道二十号",
};

/* A target for @kind: its id, and the customer to GET it through. */
static void
target (PGconn      *conn,
        const Kind  *kind,
        guint        n,
        char       **id,
        char       **customer)
{
  if (g_str_equal (kind->entity, "customer"))
    {
      *id = own_customer (conn, n);
      *customer = g_strdup (*id);
    }
  else
    {
      *id = own_contact (conn, n);
      *customer = customer_of (conn, *id);
    }
  g_assert_nonnull (*id);
}

static JsonObject *
shown_target (const char *token,
              const Kind *kind,
              const char *id,
              const char *customer)
{
  return shown (token, customer, g_str_equal (kind->entity, "customer") ? NULL : id);
}

/* Merging ------------------------------------------------------------------ */

/* Two users, each with a copy made at the same version, change different
 * fields: both apply, and the record ends with both. */
static void
different_fields_from_the_same_base_both_apply (gconstpointer data)
{
  const Kind *kind = data;
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = NULL, *customer = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autofree char *base_a = NULL, *base_b = NULL, *fields_a = NULL, *fields_b = NULL;
  g_autoptr(Response) a = NULL;
  g_autoptr(Response) b = NULL;
  const char *names_a[2] = { kind->field_a, NULL };
  const char *names_b[2] = { kind->field_b, NULL };
  gint64 version;

  target (conn, kind, 0, &id, &customer);
  copy = shown_target (manager, kind, id, customer);
  version = json_object_get_int_member (copy, "version");
  base_a = base_of (copy, names_a);
  base_b = base_of (copy, names_b);
  fields_a = g_strdup_printf ("{\"%s\":\"甲方改的\"}", kind->field_a);
  fields_b = g_strdup_printf ("{\"%s\":\"%s\"}", kind->field_b, kind->value_b);

  a = post_update (manager, kind->entity, id, version, fields_a, base_a);
  b = post_update (admin, kind->entity, id, version, fields_b, base_b);

  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpstr (record_string (b, kind->field_a), ==, "甲方改的");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj (b), "record"), "version"),
                   ==, version + 2);
  g_assert_cmpint (version_of (conn, kind->entity, id), ==, version + 2);
  {
    g_autoptr(JsonObject) now = shown_target (manager, kind, id, customer);

    g_assert_cmpstr (json_object_get_string_member (now, kind->field_a), ==, "甲方改的");
    g_assert_cmpstr (json_object_get_string_member (now, kind->field_b), ==, kind->value_b);
  }
}

/* Both sides change the same (masked) field from the same base: the second
 * is refused whole with the conflict, theirs still masked; resent with
 * base = theirs it applies; the first answer comes again for its key. */
static void
same_field_on_both_sides_conflicts_and_applies_nothing (gconstpointer data)
{
  const Kind *kind = data;
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = NULL, *customer = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autofree char *base = NULL, *fields_a = NULL, *fields_b = NULL, *key = g_uuid_string_random ();
  g_autofree char *body_b = NULL, *masked_theirs = NULL, *field_a_before = NULL;
  g_autoptr(Response) a = NULL;
  g_autoptr(Response) b = NULL;
  g_autoptr(Response) b_again = NULL;
  const char *names[3] = { kind->masked, kind->field_a, NULL };
  const CrmField *spec = crm_field_spec_lookup (kind->id, kind->masked);
  JsonArray *conflicts;
  JsonObject *conflict;
  gint64 version;

  target (conn, kind, 1, &id, &customer);
  /* the demo leaves some addresses empty: this one has one */
  g_free (scalar (conn, g_str_equal (kind->entity, "customer")
                          ? "UPDATE crm.customers SET address = '壬癸巷一号' WHERE id = $1 RETURNING id"
                          : "UPDATE crm.contacts SET address = '壬癸巷一号' WHERE id = $1 RETURNING id", id));
  copy = shown_target (manager, kind, id, customer);
  base = base_of (copy, names);
  field_a_before = g_strdup (json_object_get_string_member (copy, kind->field_a));
  fields_a = g_strdup_printf ("{\"%s\":\"%s\"}", kind->masked, kind->masked_1);
  fields_b = g_strdup_printf ("{\"%s\":\"%s\",\"%s\":\"乙方也改了\"}", kind->masked, kind->masked_2, kind->field_a);

  /* the first applies: its base is the masked value it was shown */
  g_assert_nonnull (strchr (json_object_get_string_member (copy, kind->masked), '*'));
  {
    const char *only_masked[2] = { kind->masked, NULL };
    g_autofree char *base_a = base_of (copy, only_masked);

    a = post_update (admin, kind->entity, id, json_object_get_int_member (copy, "version"), fields_a, base_a);
  }
  g_assert_cmpuint (a->status, ==, 200);
  version = version_of (conn, kind->entity, id);

  body_b = update_body (key, kind->entity, id, json_object_get_int_member (copy, "version"), fields_b, base);
  b = post_json ("mutations", manager, body_b);
  assert_error (b, 412, "precondition_failed", kind->masked);
  conflicts = json_object_get_array_member (obj (b), "conflicts");
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  conflict = json_array_get_object_element (conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, kind->masked);
  g_assert_cmpstr (json_object_get_string_member (conflict, "mine"), ==, kind->masked_2);
  g_assert_true (json_node_equal (json_object_get_member (conflict, "base"), json_object_get_member (copy, kind->masked)));
  /* theirs as the caller may see it: masked, never the value itself */
  masked_theirs = crm_field_mask_value (spec, kind->masked_1);
  g_assert_cmpstr (json_object_get_string_member (conflict, "theirs"), ==, masked_theirs);
  g_assert_null (strstr (b->body, kind->masked_1));
  /* the current record comes along; nothing of the write applied */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj (b), "record"), "version"),
                   ==, version);
  g_assert_cmpstr (record_string (b, kind->masked), ==, masked_theirs);
  g_assert_cmpstr (record_string (b, kind->field_a), ==, field_a_before);
  g_assert_cmpint (version_of (conn, kind->entity, id), ==, version);

  /* the same key again: the same answer */
  b_again = post_json ("mutations", manager, body_b);
  g_assert_cmpuint (b_again->status, ==, 412);
  g_assert_cmpstr (b_again->body, ==, b->body);

  /* the user keeps theirs for the masked field (dropped) and keeps mine for
   * the other, re-based on theirs: a new key, and it applies */
  {
    g_autofree char *fields_c = g_strdup_printf ("{\"%s\":\"乙方也改了\"}", kind->field_a);
    g_autoptr(JsonObject) theirs_base = json_object_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *base_c = NULL;
    g_autoptr(Response) c = NULL;

    json_object_set_member (theirs_base, kind->field_a,
                            json_node_copy (json_object_get_member (json_object_get_object_member (obj (b), "record"),
                                                                    kind->field_a)));
    root = json_node_init_object (json_node_alloc (), json_object_ref (theirs_base));
    base_c = json_to_string (root, FALSE);
    c = post_update (manager, kind->entity, id, version, fields_c, base_c);
    g_assert_cmpuint (c->status, ==, 200);
    g_assert_cmpstr (record_string (c, kind->field_a), ==, "乙方也改了");
    g_assert_cmpstr (record_string (c, kind->masked), ==, masked_theirs);
  }
  /* and mine for the masked field, with base = theirs (masked): applies */
  {
    g_autofree char *fields_d = g_strdup_printf ("{\"%s\":\"%s\"}", kind->masked, kind->masked_2);
    g_autofree char *base_d = g_strdup_printf ("{\"%s\":\"%s\"}", kind->masked, masked_theirs);
    g_autoptr(Response) d = post_update (manager, kind->entity, id, version + 1, fields_d, base_d);
    g_autofree char *stored = scalar (conn, g_str_equal (kind->entity, "customer")
                                              ? "SELECT address FROM crm.customers WHERE id = $1"
                                              : "SELECT address FROM crm.contacts WHERE id = $1", id);

    g_assert_cmpuint (d->status, ==, 200);
    g_assert_cmpstr (stored, ==, kind->masked_2);
    g_assert_cmpint (version_of (conn, kind->entity, id), ==, version + 2);
  }
}

/* Both sides make the same change: no conflict, both answered 200. */
static void
same_change_on_both_sides_is_no_conflict (gconstpointer data)
{
  const Kind *kind = data;
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = NULL, *customer = NULL, *base = NULL, *fields = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autoptr(Response) a = NULL;
  g_autoptr(Response) b = NULL;
  const char *names[2] = { kind->field_a, NULL };
  gint64 version;

  target (conn, kind, 2, &id, &customer);
  copy = shown_target (manager, kind, id, customer);
  version = json_object_get_int_member (copy, "version");
  base = base_of (copy, names);
  fields = g_strdup_printf ("{\"%s\":\"两边一样\"}", kind->field_a);

  a = post_update (admin, kind->entity, id, version, fields, base);
  b = post_update (manager, kind->entity, id, version, fields, base);

  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpuint (b->status, ==, 200);
  g_assert_cmpstr (record_string (b, kind->field_a), ==, "两边一样");
}

/* An empty value and null are the same base: a client that keeps an empty
 * field as null is not in conflict with a database that holds "". */
static void
empty_and_null_are_the_same_base (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = own_customer (conn, 10);
  g_autoptr(PGresult) cleared = crm_test_pg_query (conn, "UPDATE crm.customers SET name_en = '' WHERE id = $1", id, NULL);
  gint64 version = version_of (conn, "customer", id);
  g_autoptr(Response) stale = post_update (manager, "customer", id, version, "{\"name_en\":\"Stale Ltd.\"}",
                                           "{\"name_en\":\"Before Ltd.\"}");
  g_autoptr(Response) r = post_update (manager, "customer", id, version, "{\"name_en\":\"Empty Before Ltd.\"}",
                                       "{\"name_en\":null}");

  /* theirs, empty, is sent as null: the base to resend with */
  assert_error (stale, 412, "precondition_failed", "name_en");
  g_assert_true (json_object_get_null_member (json_array_get_object_element (
                   json_object_get_array_member (obj (stale), "conflicts"), 0), "theirs"));
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (record_string (r, "name_en"), ==, "Empty Before Ltd.");
}

/* Idempotency ---------------------------------------------------------------- */

static void
key_reused_for_another_body_is_refused (gconstpointer data)
{
  const Kind *kind = data;
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = NULL, *customer = NULL, *other_id = NULL, *other_customer = NULL;
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *base = NULL, *first_body = NULL;
  g_autoptr(JsonObject) copy = NULL;
  g_autoptr(Response) first = NULL;
  g_autoptr(Response) same = NULL;
  const char *names[2] = { kind->field_a, NULL };
  gint64 version;

  target (conn, kind, 3, &id, &customer);
  target (conn, kind, 4, &other_id, &other_customer);
  copy = shown_target (manager, kind, id, customer);
  base = base_of (copy, names);
  {
    g_autofree char *fields = g_strdup_printf ("{\"%s\":\"第一次\"}", kind->field_a);

    first_body = update_body (key, kind->entity, id, json_object_get_int_member (copy, "version"), fields, base);
  }
  first = post_json ("mutations", manager, first_body);
  g_assert_cmpuint (first->status, ==, 200);
  version = version_of (conn, kind->entity, id);

  {
    /* other fields, another base, another record: each refused */
    g_autofree char *other_fields = g_strdup_printf ("{\"%s\":\"第二次\"}", kind->field_a);
    g_autofree char *other_base = g_strdup_printf ("{\"%s\":\"别的\"}", kind->field_a);
    char *bodies[3] = {
      update_body (key, kind->entity, id, version - 1, other_fields, base),
      g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"%s\",\"op\":\"update\",\"id\":\"%s\","
                       "\"fields\":{\"%s\":\"第一次\"},\"base\":%s}", key, kind->entity, id, kind->field_a, other_base),
      update_body (key, kind->entity, other_id, version - 1, other_fields, base),
    };

    for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
      {
        g_autoptr(Response) r = post_json ("mutations", manager, bodies[i]);

        assert_error (r, 422, "idempotency_key_reused", "key");
        g_free (bodies[i]);
      }
  }
  g_assert_cmpint (version_of (conn, kind->entity, id), ==, version);

  /* the same body (keys in another order, other spacing): the first answer */
  {
    g_autofree char *fields = g_strdup_printf ("{ \"%s\" : \"第一次\" }", kind->field_a);
    g_autofree char *reordered = g_strdup_printf ("{\"base\":%s, \"fields\":%s, \"id\":\"%s\", \"op\":\"update\","
                                                  " \"entity\":\"%s\", \"key\":\"%s\", \"base_version\": 1}",
                                                  base, fields, id, kind->entity, key);
    g_autoptr(Response) again = post_json ("mutations", manager, reordered);

    same = post_json ("mutations", manager, first_body);
    g_assert_cmpuint (same->status, ==, 200);
    g_assert_cmpstr (same->body, ==, first->body);
    g_assert_cmpuint (again->status, ==, 200);
    g_assert_cmpstr (again->body, ==, first->body);
  }
  g_assert_cmpint (version_of (conn, kind->entity, id), ==, version);
}

/* Creating ------------------------------------------------------------------- */

static char *
create_body (const char *key,
             const char *id,
             const char *customer)
{
  return g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"contact\",\"op\":\"create\",\"id\":\"%s\","
                          "\"fields\":{\"customer_id\":\"%s\",\"name\":\"王建国\",\"is_primary\":false}}",
                          key, id, customer);
}

/* An id taken by a contact the caller may not see answers as if there were
 * none (404), not 409, which would tell it exists; one the caller sees is a
 * conflict. */
static void
create_with_a_taken_id (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 5);
  g_autofree char *visible = own_contact (conn, 6);
  g_autofree char *hidden = scalar (conn, "SELECT k.id FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id"
                                          " JOIN crm.users u ON u.id = c.owner_id WHERE u.login <> 'manager'"
                                          " ORDER BY k.id LIMIT 1", NULL);
  g_autofree char *k1 = g_uuid_string_random ();
  g_autofree char *k2 = g_uuid_string_random ();
  g_autofree char *b1 = create_body (k1, hidden, customer);
  g_autofree char *b2 = create_body (k2, visible, customer);
  g_autofree char *hidden_before = scalar (conn, "SELECT version || ' ' || customer_id || ' ' || name"
                                                 " FROM crm.contacts WHERE id = $1", hidden);
  g_autoptr(Response) invisible = post_json ("mutations", manager, b1);
  g_autoptr(Response) taken = post_json ("mutations", manager, b2);
  g_autofree char *hidden_after = scalar (conn, "SELECT version || ' ' || customer_id || ' ' || name"
                                                " FROM crm.contacts WHERE id = $1", hidden);

  g_assert_nonnull (hidden);
  assert_error (invisible, 404, "not_found", "id");
  assert_error (taken, 409, "conflict", "id");
  g_assert_cmpstr (hidden_after, ==, hidden_before);
}

/* Refusals ------------------------------------------------------------------- */

/* What the server sent masked, saved back, would replace the real value
 * with asterisks. */
static void
masked_value_is_refused (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 7);
  g_autofree char *contact = own_contact (conn, 7);
  struct { const char *entity; const char *id; const char *field; const char *value; } cases[] = {
    { "customer", customer, "phone",   "138****5678" },
    { "customer", customer, "address", "北京********" },
    { "contact",  contact,  "mobile",  "139****1234" },
    { "contact",  contact,  "address", "上海*" },
  };
  gint64 v_customer = version_of (conn, "customer", customer);
  gint64 v_contact = version_of (conn, "contact", contact);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *fields = g_strdup_printf ("{\"%s\":\"%s\"}", cases[i].field, cases[i].value);
      g_autofree char *base = g_strdup_printf ("{\"%s\":null}", cases[i].field);
      g_autoptr(Response) r = post_update (manager, cases[i].entity, cases[i].id, version_of (conn, cases[i].entity, cases[i].id),
                                                 fields, base);
      const CrmField *spec = crm_field_spec_lookup (g_str_equal (cases[i].entity, "customer")
                                                          ? CRM_ENTITY_CUSTOMER : CRM_ENTITY_CONTACT,
                                                        cases[i].field);
      g_autoptr(GError) error = NULL;

      assert_error (r, 400, "invalid", cases[i].field);
      /* the client's form check says the same */
      g_assert_false (crm_field_validate (spec, cases[i].value, &error));
      g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
      g_assert_cmpstr (crm_error_get_field (error), ==, cases[i].field);
    }
  g_assert_cmpint (version_of (conn, "customer", customer), ==, v_customer);
  g_assert_cmpint (version_of (conn, "contact", contact), ==, v_contact);
  /* an unmasked field may hold an asterisk */
  g_assert_true (crm_field_validate (crm_field_spec_lookup (CRM_ENTITY_CUSTOMER, "name"), "A*B 科技", NULL));
}

static void
missing_or_mismatched_base_is_refused (gconstpointer data)
{
  const Kind *kind = data;
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = NULL, *customer = NULL, *fields = NULL;
  g_autofree char *b_missing_key = NULL, *b_extra_key = NULL, *b_number = NULL, *b_ok_other = NULL;
  gint64 version;

  target (conn, kind, 8, &id, &customer);
  version = version_of (conn, kind->entity, id);
  fields = g_strdup_printf ("{\"%s\":\"x1\",\"%s\":\"%s\"}", kind->field_a, kind->field_b, kind->value_b);
  b_missing_key = g_strdup_printf ("{\"%s\":null}", kind->field_a);
  b_extra_key = g_strdup_printf ("{\"%s\":null,\"%s\":null,\"name\":null}", kind->field_a, kind->field_b);
  b_number = g_strdup_printf ("{\"%s\":null,\"%s\":7}", kind->field_a, kind->field_b);
  b_ok_other = g_strdup_printf ("{\"%s\":null,\"nonsense\":null}", kind->field_a);
  {
    const char *bases[] = { NULL, "null", "[]", "\"x\"", "{}", b_missing_key, b_extra_key, b_number, b_ok_other };

    for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
      {
        g_autoptr(Response) r = post_update (manager, kind->entity, id, version, fields, bases[i]);

        assert_error (r, 400, "invalid", "base");
      }
  }
  g_assert_cmpint (version_of (conn, kind->entity, id), ==, version);
}

/* The entity table names more entities than a client may write: one
 * nobody may write is refused as an unknown name is, before the
 * database, whoever asks and whatever the fields. */
static void
entity_nobody_may_write_is_refused_like_an_unknown_one (void)
{
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *product = scalar (conn, "SELECT id FROM crm.products ORDER BY id LIMIT 1", NULL);
  g_autofree char *versions = scalar (conn, "SELECT sum(version) FROM crm.products", NULL);
  g_autofree char *versions_after = NULL;
  g_autofree char *claimed = NULL;
  const char *entities[] = { "product", "revenue_month", "opportunity_stage", "service_step", "products",
                             "no_such_entity" };
  const char *ops[] = { "update", "create" };

  g_assert_nonnull (product);
  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    for (guint o = 0; o < G_N_ELEMENTS (ops); o++)
      {
        g_autofree char *key = g_uuid_string_random ();
        g_autofree char *body = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"%s\",\"op\":\"%s\",\"id\":\"%s\","
                                                 "\"fields\":{\"name\":\"改过的产品名\"},\"base\":{\"name\":null}}",
                                                 key, entities[i], ops[o], product);
        g_autoptr(Response) r = post_json ("mutations", admin, body);

        assert_error (r, 400, "invalid", "entity");
      }
  versions_after = scalar (conn, "SELECT sum(version) FROM crm.products", NULL);
  g_assert_cmpstr (versions_after, ==, versions);
  claimed = scalar (conn, "SELECT count(*) FROM crm.mutations WHERE entity IN ('product', 'revenue_month',"
                         " 'opportunity_stage', 'service_step', 'products', 'no_such_entity')", NULL);
  g_assert_cmpstr (claimed, ==, "0");
}

/* Per entity and role ---------------------------------------------------------- */

/* A fresh contact (not primary, no title) and interaction (subject 测试)
 * of @customer, made as administrator. */
static void
fresh_children (PGconn      *conn,
                const char  *customer,
                char       **contact,
                char       **interaction)
{
  *contact = scalar (conn, "INSERT INTO crm.contacts (customer_id, name) VALUES ($1, '新联系人') RETURNING id",
                     customer);
  *interaction = scalar (conn, "INSERT INTO crm.interactions (customer_id, kind, occurred_at, subject, outcome)"
                               " VALUES ($1, 'call', now(), '测试', 'neutral') RETURNING id", customer);
  g_assert_nonnull (*contact);
  g_assert_nonnull (*interaction);
}

static Response *
post_body (const char *token,
           const char *body)
{
  return post_json ("mutations", token, body);
}

static char *
delete_body (const char *key,
             const char *entity,
             const char *id)
{
  return g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"%s\",\"op\":\"delete\",\"id\":\"%s\"}", key, entity, id);
}

static Response *
post_delete (const char *token,
             const char *entity,
             const char *id)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *body = delete_body (key, entity, id);

  return post_body (token, body);
}

static Response *
post_create (const char *token,
             const char *entity,
             const char *id,
             const char *fields)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"%s\",\"op\":\"create\",\"id\":\"%s\","
                                           "\"fields\":%s}", key, entity, id, fields);

  return post_body (token, body);
}

/* crm.apply_mutation() as the server calls it for @login (crm.set_identity
 * () and the server's role in one transaction, as a request does), with a
 * new key: "code/field", and in @theirs (if not NULL) the conflicting
 * fields.  What the server refuses before the database is asked is tried
 * here, to show the database refuses it too. */
static char *
apply_as (const char  *login,
          const char  *entity,
          const char  *op,
          const char  *id,
          const char  *fields,
          const char  *base,
          char       **theirs)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  const char *params[6] = { login, entity, op, id, fields, base ? base : "{}" };
  g_autoptr(PGresult) res = NULL;
  char *answer;

  PQclear (crm_test_pg_query (conn, "BEGIN", NULL, NULL));
  PQclear (crm_test_pg_query (conn, "SELECT crm.set_identity ((SELECT id FROM crm.users WHERE login = $1))",
                              login, NULL));
  /* the server's role: the schema's owner would pass every policy */
  PQclear (crm_test_pg_query (conn, "SET LOCAL ROLE keyline_app", NULL, NULL));
  res = PQexecParams (conn, "SELECT code || '/' || coalesce(field, ''), theirs::text"
                            " FROM crm.apply_mutation (gen_random_uuid (), $2, $3, $4::uuid, $5::jsonb, $6::jsonb, '{}')"
                            " WHERE $1::text IS NOT NULL",
                      6, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK || PQntuples (res) != 1)
    g_error ("crm.apply_mutation as %s: %s", login, PQerrorMessage (conn));
  answer = g_strdup (PQgetvalue (res, 0, 0));
  if (theirs)
    *theirs = PQgetisnull (res, 0, 1) ? NULL : g_strdup (PQgetvalue (res, 0, 1));
  PQclear (crm_test_pg_query (conn, "COMMIT", NULL, NULL));
  return answer;
}

static char *
interaction_fields (const char *customer,
                    const char *contact,
                    const char *subject)
{
  g_autofree char *contact_member = contact ? g_strdup_printf (",\"contact_id\":\"%s\"", contact) : g_strdup ("");

  return g_strdup_printf ("{\"customer_id\":\"%s\"%s,\"kind\":\"visit\",\"occurred_at\":\"2026-11-20T10:30:00+08:00\","
                          "\"subject\":\"%s\",\"notes\":\"谈了续约。\\n下周再访。\",\"outcome\":\"positive\"}",
                          customer, contact_member, subject);
}

typedef enum { ALLOWED, INVISIBLE, ROLE_REFUSED } Expect;

typedef struct
{
  const char *login;
  const char *customers;   /* SQL: the customers to take one from ($1: an offset) */
  Expect      expect;
} RoleCase;

#define OWNED_BY(who, op) \
  "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id WHERE u.login " op " '" who "'" \
  FROM_THE_SEED " ORDER BY c.id OFFSET $1::integer LIMIT 1"
#define IN_REGION_OF(who) \
  "SELECT c.id FROM crm.customers c, crm.users u WHERE u.login = '" who "'" \
  " AND c.region_id = ANY (crm.region_subtree (u.region_id))" FROM_THE_SEED " ORDER BY c.id OFFSET $1::integer LIMIT 1"

static const RoleCase role_cases[] = {
  { "admin",     OWNED_BY ("manager", "<>"),      ALLOWED },
  { "manager",   OWNED_BY ("manager", "="),       ALLOWED },
  { "manager",   OWNED_BY ("manager", "<>"),      INVISIBLE },
  { "director",  IN_REGION_OF ("director"),       ALLOWED },
  /* the demo's customers may all be in the director's province: one made
   * outside it */
  { "director",  "INSERT INTO crm.customers (name, kind, industry, region_id, tier, status)"
                 " SELECT '区外客户' || $1, 'sme', '制造', r.id, 'standard', 'active'"
                 " FROM crm.regions r, crm.users u WHERE u.login = 'director'"
                 " AND NOT r.id = ANY (crm.region_subtree (u.region_id)) ORDER BY r.id LIMIT 1 RETURNING id",
    INVISIBLE },
  { "marketing", OWNED_BY ("manager", "="),       ROLE_REFUSED },
  { "service",   OWNED_BY ("manager", "="),       ROLE_REFUSED },
};

/* Creates, updates and deletes of contacts, and creates and updates of
 * interactions, by each role on a customer it may change, one it may not
 * see, and (marketing, service) one it sees but may not change: allowed,
 * 404 as if there were none, or 403 naming the op or the field before
 * the database is asked. */
static void
writes_by_role (gconstpointer data)
{
  const RoleCase *rc = data;
  g_autofree char *token = sign_in_with (rc->login, PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *offset = g_strdup_printf ("%u", 40 + (guint) (rc - role_cases));
  g_autofree char *customer = scalar (conn, rc->customers, offset);
  g_autofree char *contact = NULL, *interaction = NULL, *fields = NULL;
  g_autofree char *new_contact = g_uuid_string_random ();
  g_autofree char *new_interaction = g_uuid_string_random ();
  g_autofree char *contact_fields = NULL;
  g_autoptr(Response) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL;
  g_autofree char *db3 = NULL, *db4 = NULL;
  g_autofree char *title = NULL, *subject = NULL, *left = NULL, *made = NULL;

  g_assert_nonnull (customer);
  fresh_children (conn, customer, &contact, &interaction);
  contact_fields = g_strdup_printf ("{\"customer_id\":\"%s\",\"name\":\"李新\",\"is_primary\":false}", customer);
  fields = interaction_fields (customer, NULL, "角色测试");

  r1 = post_create (token, "contact", new_contact, contact_fields);
  r2 = post_update (token, "contact", contact, 1, "{\"title\":\"经理\"}", "{\"title\":null}");
  r3 = post_create (token, "interaction", new_interaction, fields);
  r4 = post_update (token, "interaction", interaction, 1, "{\"subject\":\"改过\"}", "{\"subject\":\"测试\"}");
  r5 = post_delete (token, "contact", contact);

  switch (rc->expect)
    {
    case ALLOWED:
      g_assert_cmpuint (r1->status, ==, 201);
      g_assert_cmpuint (r2->status, ==, 200);
      g_assert_cmpuint (r3->status, ==, 201);
      g_assert_cmpuint (r4->status, ==, 200);
      g_assert_cmpuint (r5->status, ==, 200);
      break;
    case INVISIBLE:
      assert_error (r1, 404, "not_found", "customer_id");
      assert_error (r2, 404, "not_found", "id");
      assert_error (r3, 404, "not_found", "customer_id");
      assert_error (r4, 404, "not_found", "id");
      assert_error (r5, 404, "not_found", "id");
      break;
    case ROLE_REFUSED:
      assert_error (r1, 403, "forbidden", "op");
      assert_error (r2, 403, "forbidden", "id");
      assert_error (r3, 403, "forbidden", "op");
      assert_error (r4, 403, "forbidden", "id");
      assert_error (r5, 403, "forbidden", "op");
      /* the database refuses them too: marketing sees the interaction,
       * service none */
      db3 = apply_as (rc->login, "interaction", "create", new_interaction, fields, NULL, NULL);
      db4 = apply_as (rc->login, "interaction", "update", interaction, "{\"subject\":\"改过\"}",
                      "{\"subject\":\"测试\"}", NULL);
      g_assert_cmpstr (db3, ==, "forbidden/customer_id");
      g_assert_cmpstr (db4, ==, g_str_equal (rc->login, "service") ? "not_found/id" : "forbidden/id");
      break;
    default:
      g_assert_not_reached ();
    }

  /* what the database holds says the same */
  title = scalar (conn, "SELECT coalesce(title, '-') FROM crm.contacts WHERE id = $1", contact);
  left = scalar (conn, "SELECT count(*) FROM crm.contacts WHERE id = $1", contact);
  subject = scalar (conn, "SELECT subject FROM crm.interactions WHERE id = $1", interaction);
  {
    g_autoptr(PGresult) res = crm_test_pg_query (conn, "SELECT (SELECT count(*) FROM crm.contacts WHERE id = $1)"
                                                       " + (SELECT count(*) FROM crm.interactions WHERE id = $2)",
                                                 new_contact, new_interaction);

    made = g_strdup (PQgetvalue (res, 0, 0));
  }
  if (rc->expect == ALLOWED)
    {
      g_assert_cmpstr (left, ==, "0");
      g_assert_cmpstr (subject, ==, "改过");
      g_assert_cmpstr (made, ==, "2");
    }
  else
    {
      g_assert_cmpstr (title, ==, "-");
      g_assert_cmpstr (left, ==, "1");
      g_assert_cmpstr (subject, ==, "测试");
      g_assert_cmpstr (made, ==, "0");
    }
}

/* Contacts: delete and primary ---------------------------------------------------- */

/* A delete is kept for its key like any write: the retry is answered as
 * the first was and deletes nothing more; the departure and the audit
 * entry are there once; a new key finds nothing (404).  One the caller
 * cannot see is 404 and stays. */
static void
delete_contact_is_idempotent_and_hidden_ones_stay (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 30);
  g_autofree char *contact = NULL, *interaction = NULL, *key = g_uuid_string_random ();
  g_autofree char *body = NULL, *departures = NULL, *audit = NULL, *hidden_left = NULL;
  g_autofree char *hidden = scalar (conn, "SELECT k.id FROM crm.contacts k JOIN crm.customers c ON c.id = k.customer_id"
                                          " JOIN crm.users u ON u.id = c.owner_id WHERE u.login <> 'manager'"
                                          " ORDER BY k.id DESC LIMIT 1", NULL);
  g_autoptr(Response) first = NULL, again = NULL, other_key = NULL, invisible = NULL;
  g_autoptr(Response) with_fields = NULL, with_base = NULL, customer_delete = NULL, interaction_delete = NULL;

  fresh_children (conn, customer, &contact, &interaction);
  body = delete_body (key, "contact", contact);
  first = post_body (manager, body);
  again = post_body (manager, body);
  other_key = post_delete (manager, "contact", contact);

  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (first), "id"), ==, contact);
  g_assert_true (json_object_get_boolean_member (obj (first), "deleted"));
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (again->body, ==, first->body);
  assert_error (other_key, 404, "not_found", "id");
  departures = scalar (conn, "SELECT count(*) FROM crm.sync_departures WHERE entity = 'contact' AND key->>'id' = $1", contact);
  g_assert_cmpstr (departures, ==, "1");
  audit = scalar (conn, "SELECT string_agg(action, ',') FROM crm.audit_log WHERE entity = 'contact' AND entity_id = $1",
                  contact);
  g_assert_cmpstr (audit, ==, "delete");

  invisible = post_delete (manager, "contact", hidden);
  assert_error (invisible, 404, "not_found", "id");
  hidden_left = scalar (conn, "SELECT count(*) FROM crm.contacts WHERE id = $1", hidden);
  g_assert_cmpstr (hidden_left, ==, "1");

  /* a delete names the record and nothing else; of the entities written,
   * only contacts are deleted */
  {
    g_autofree char *k1 = g_uuid_string_random (), *k2 = g_uuid_string_random ();
    g_autofree char *b1 = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"contact\",\"op\":\"delete\",\"id\":\"%s\","
                                           "\"fields\":{}}", k1, interaction);
    g_autofree char *b2 = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"contact\",\"op\":\"delete\",\"id\":\"%s\","
                                           "\"base\":{}}", k2, interaction);

    with_fields = post_body (manager, b1);
    with_base = post_body (manager, b2);
  }
  assert_error (with_fields, 400, "invalid", "fields");
  assert_error (with_base, 400, "invalid", "base");
  customer_delete = post_delete (manager, "customer", customer);
  interaction_delete = post_delete (manager, "interaction", interaction);
  assert_error (customer_delete, 400, "invalid", "op");
  /* interactions are logged and edited, not deleted */
  assert_error (interaction_delete, 400, "invalid", "op");
}

static char *
primaries (PGconn     *conn,
           const char *customer)
{
  return scalar (conn, "SELECT string_agg(id::text, ',' ORDER BY id) FROM crm.contacts"
                       " WHERE customer_id = $1 AND is_primary", customer);
}

/* One primary contact per customer: marking one (by update or create)
 * unmarks the other in the same write. */
static void
marking_primary_unmarks_the_other (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 31);
  g_autofree char *contact = NULL, *interaction = NULL, *before = NULL, *after = NULL, *after_create = NULL;
  g_autofree char *created = g_uuid_string_random ();
  g_autofree char *fields = NULL;
  g_autoptr(Response) marked = NULL, made = NULL;

  fresh_children (conn, customer, &contact, &interaction);
  before = primaries (conn, customer);
  g_assert_nonnull (before);
  g_assert_null (strchr (before, ','));
  g_assert_cmpstr (before, !=, contact);

  marked = post_update (manager, "contact", contact, 1, "{\"is_primary\":true}", "{\"is_primary\":false}");
  g_assert_cmpuint (marked->status, ==, 200);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (obj (marked), "record"), "is_primary"));
  after = primaries (conn, customer);
  g_assert_cmpstr (after, ==, contact);
  /* the other contact's change is the caller's, in the audit log */
  {
    g_autoptr(PGresult) res = crm_test_pg_query (conn, "SELECT u.login || ' ' || (a.detail->'fields')::text"
                                                       " FROM crm.audit_log a JOIN crm.users u ON u.id = a.user_id"
                                                       " WHERE a.entity = 'contact' AND a.entity_id = $1"
                                                       " AND a.detail->>'primary_now' = $2",
                                                 before, contact);

    g_assert_cmpint (PQntuples (res), ==, 1);
    g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "manager [\"is_primary\"]");
  }

  fields = g_strdup_printf ("{\"customer_id\":\"%s\",\"name\":\"新主联系人\",\"is_primary\":true}", customer);
  made = post_create (manager, "contact", created, fields);
  g_assert_cmpuint (made->status, ==, 201);
  after_create = primaries (conn, customer);
  g_assert_cmpstr (after_create, ==, created);
}

/* A contact's buying role (0013): an account manager sets it on update and
 * create, and clears it; the decision maker is the role "decision_maker".
 * A word outside the vocabulary is refused naming role; marketing and
 * service, who read or see the customer but do not change its contacts,
 * are refused and nothing changes. */
static void
contact_role_is_set_by_sales_only (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *marketing = sign_in_with ("marketing", PASSWORD);
  g_autofree char *service = sign_in_with ("service", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 90);
  g_autofree char *contact = NULL, *interaction = NULL, *stored = NULL, *made_role = NULL, *after = NULL;
  g_autofree char *cleared = NULL;
  g_autofree char *created = g_uuid_string_random ();
  g_autofree char *fields = NULL;
  g_autoptr(Response) set = NULL, made = NULL, wrong = NULL, by_marketing = NULL, by_service = NULL;
  g_autoptr(Response) clear = NULL;

  fresh_children (conn, customer, &contact, &interaction);

  set = post_update (manager, "contact", contact, 1, "{\"role\":\"decision_maker\"}", "{\"role\":null}");
  g_assert_cmpuint (set->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (obj (set), "record"), "role"), ==,
                   "decision_maker");
  stored = scalar (conn, "SELECT role::text FROM crm.contacts WHERE id = $1", contact);
  g_assert_cmpstr (stored, ==, "decision_maker");

  fields = g_strdup_printf ("{\"customer_id\":\"%s\",\"name\":\"钱财务\",\"role\":\"finance\","
                            "\"is_primary\":false}", customer);
  made = post_create (manager, "contact", created, fields);
  g_assert_cmpuint (made->status, ==, 201);
  made_role = scalar (conn, "SELECT role::text FROM crm.contacts WHERE id = $1", created);
  g_assert_cmpstr (made_role, ==, "finance");

  wrong = post_update (manager, "contact", contact, 2, "{\"role\":\"boss\"}", "{\"role\":\"decision_maker\"}");
  assert_error (wrong, 400, "invalid", "role");

  by_marketing = post_update (marketing, "contact", contact, 2, "{\"role\":\"user\"}",
                              "{\"role\":\"decision_maker\"}");
  g_assert_cmpuint (by_marketing->status, ==, 403);
  by_service = post_update (service, "contact", contact, 2, "{\"role\":\"user\"}",
                            "{\"role\":\"decision_maker\"}");
  g_assert_cmpuint (by_service->status, ==, 403);
  after = scalar (conn, "SELECT role::text || ' ' || version FROM crm.contacts WHERE id = $1", contact);
  g_assert_cmpstr (after, ==, "decision_maker 2");

  /* not known after all: null clears it */
  clear = post_update (manager, "contact", contact, 2, "{\"role\":null}", "{\"role\":\"decision_maker\"}");
  g_assert_cmpuint (clear->status, ==, 200);
  cleared = scalar (conn, "SELECT coalesce(role::text, 'none') FROM crm.contacts WHERE id = $1", contact);
  g_assert_cmpstr (cleared, ==, "none");
}

/* Interactions --------------------------------------------------------------------- */

/* A logged visit over HTTP: 201 with the record, recorded by the caller
 * (user_id set by the server, never taken from the body: a body naming it
 * is refused, naming it); its contact must be one of the same customer's
 * (400 naming contact_id, on create and on update). */
static void
interaction_is_the_callers_and_its_contact_the_customers (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 32);
  g_autofree char *other = own_customer (conn, 33);
  g_autofree char *contact = NULL, *interaction = NULL, *other_contact = NULL, *other_interaction = NULL;
  g_autofree char *me = scalar (conn, "SELECT id FROM crm.users WHERE login = $1", "manager");
  g_autofree char *admin_id = scalar (conn, "SELECT id FROM crm.users WHERE login = $1", "admin");
  g_autofree char *id = g_uuid_string_random (), *bad_id = g_uuid_string_random ();
  g_autofree char *fields = NULL, *with_user = NULL, *bad_fields = NULL, *stored = NULL, *expected = NULL;
  g_autofree char *update_fields = NULL, *contact_now = NULL, *made = NULL, *db_user = NULL;
  g_autoptr(Response) r = NULL, bad = NULL, bad_update = NULL, user_given = NULL;
  JsonObject *record;

  fresh_children (conn, customer, &contact, &interaction);
  fresh_children (conn, other, &other_contact, &other_interaction);

  fields = interaction_fields (customer, contact, "季度回访");
  r = post_create (manager, "interaction", id, fields);
  g_assert_cmpuint (r->status, ==, 201);
  record = json_object_get_object_member (obj (r), "record");
  g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (record, "user_id"), ==, me);
  g_assert_cmpstr (json_object_get_string_member (record, "subject"), ==, "季度回访");
  g_assert_cmpstr (json_object_get_string_member (record, "notes"), ==, "谈了续约。\n下周再访。");
  g_assert_cmpint (json_object_get_int_member (record, "version"), ==, 1);
  stored = scalar (conn, "SELECT user_id || ' ' || contact_id || ' ' || kind || ' ' || outcome || ' '"
                         " || (occurred_at = '2026-11-20T02:30:00Z') || ' ' || notes FROM crm.interactions WHERE id = $1",
                  id);
  expected = g_strdup_printf ("%s %s visit positive true 谈了续约。\n下周再访。", me, contact);
  g_assert_cmpstr (stored, ==, expected);

  /* who recorded it is not the client's to say: refused over HTTP, and
   * ignored by the database if it came through */
  with_user = g_strdup_printf ("{\"user_id\":\"%s\",%s", admin_id, fields + 1);
  user_given = post_create (manager, "interaction", bad_id, with_user);
  assert_error (user_given, 400, "invalid", "user_id");
  {
    g_autofree char *db_id = g_uuid_string_random ();
    g_autofree char *answer = apply_as ("manager", "interaction", "create", db_id, with_user, NULL, NULL);

    g_assert_cmpstr (answer, ==, "created/");
    db_user = scalar (conn, "SELECT user_id FROM crm.interactions WHERE id = $1", db_id);
    g_assert_cmpstr (db_user, ==, me);
  }

  /* a contact of another customer: refused naming contact_id, create or update */
  bad_fields = interaction_fields (customer, other_contact, "错的联系人");
  bad = post_create (manager, "interaction", bad_id, bad_fields);
  assert_error (bad, 400, "invalid", "contact_id");
  update_fields = g_strdup_printf ("{\"contact_id\":\"%s\"}", other_contact);
  bad_update = post_update (manager, "interaction", interaction, 1, update_fields, "{\"contact_id\":null}");
  assert_error (bad_update, 400, "invalid", "contact_id");
  contact_now = scalar (conn, "SELECT coalesce(contact_id::text, '-') FROM crm.interactions WHERE id = $1",
                        interaction);
  g_assert_cmpstr (contact_now, ==, "-");
  made = scalar (conn, "SELECT count(*) FROM crm.interactions WHERE id = $1", bad_id);
  g_assert_cmpstr (made, ==, "0");
}

/* Two users edit the same interaction from the same copy over HTTP: a
 * field only one changed merges; the subject both changed is a 412 with
 * base, mine and theirs, and nothing of the second applies; a time given
 * in another offset is the same base. */
static void
concurrent_interaction_edit_conflicts (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 34);
  g_autofree char *contact = NULL, *interaction = NULL, *version = NULL, *when_base = NULL;
  g_autoptr(Response) a = NULL, merged = NULL, b = NULL, when = NULL;
  JsonArray *conflicts;
  JsonObject *c;

  fresh_children (conn, customer, &contact, &interaction);
  a = post_update (admin, "interaction", interaction, 1, "{\"subject\":\"甲改的\",\"outcome\":\"negative\"}",
                   "{\"subject\":\"测试\",\"outcome\":\"neutral\"}");
  merged = post_update (manager, "interaction", interaction, 1, "{\"kind\":\"meeting\"}", "{\"kind\":\"call\"}");
  b = post_update (manager, "interaction", interaction, 1, "{\"notes\":\"乙的笔记\",\"subject\":\"乙改的\"}",
                   "{\"notes\":null,\"subject\":\"测试\"}");

  g_assert_cmpuint (a->status, ==, 200);
  g_assert_cmpuint (merged->status, ==, 200);
  g_assert_cmpstr (record_string (merged, "outcome"), ==, "negative");
  assert_error (b, 412, "precondition_failed", "subject");
  conflicts = json_object_get_array_member (obj (b), "conflicts");
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  c = json_array_get_object_element (conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (c, "field"), ==, "subject");
  g_assert_cmpstr (json_object_get_string_member (c, "base"), ==, "测试");
  g_assert_cmpstr (json_object_get_string_member (c, "mine"), ==, "乙改的");
  g_assert_cmpstr (json_object_get_string_member (c, "theirs"), ==, "甲改的");
  g_assert_cmpstr (record_string (b, "subject"), ==, "甲改的");
  version = scalar (conn, "SELECT version || ' ' || coalesce(notes, '-') || ' ' || subject || ' ' || kind"
                          " FROM crm.interactions WHERE id = $1", interaction);
  g_assert_cmpstr (version, ==, "3 - 甲改的 meeting");

  /* the time as the database holds it, spelt in +08:00: no conflict */
  when_base = scalar (conn, "SELECT '{\"occurred_at\":\"' || to_char(occurred_at AT TIME ZONE 'Asia/Shanghai',"
                            " 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+08:00\"}' FROM crm.interactions WHERE id = $1",
                      interaction);
  when = post_update (manager, "interaction", interaction, 3, "{\"occurred_at\":\"2026-10-01T09:00:00Z\"}",
                      when_base);
  g_assert_cmpuint (when->status, ==, 200);
}

/* Over HTTP, what the entity table refuses is a 400 naming the field, and
 * nothing is made. */
static void
interaction_bad_values_are_refused_over_http (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 35);
  g_autoptr(GString) long_subject = g_string_new (NULL);
  struct { const char *field; const char *json; } cases[] = {
    { "kind",        "\"letter\"" },
    { "outcome",     "\"great\"" },
    { "occurred_at", "\"2026-11-20 10:30\"" },
    { "occurred_at", "\"2026-02-30T10:30:00Z\"" },
    { "occurred_at", "20261120" },
    { "subject",     NULL },                      /* 201 characters */
    { "subject",     "\"\"" },
    { "contact_id",  "\"not-a-uuid\"" },
    { "contact_id",  "\"\"" },                  /* null clears it; "" was a 500 */
  };

  g_string_append_c (long_subject, '"');
  for (guint i = 0; i < 201; i++)
    g_string_append (long_subject, "长");
  g_string_append_c (long_subject, '"');
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *good = interaction_fields (customer, NULL, "边界");
      g_autofree char *member = g_strdup_printf ("\"%s\":", cases[i].field);
      g_autofree char *fields = NULL, *made = NULL;
      g_autoptr(Response) r = NULL;
      const char *value = cases[i].json ? cases[i].json : long_subject->str;

      /* the good fields with this one replaced (or added) */
      if (strstr (good, member) != NULL)
        {
          char *at = strstr (good, member) + strlen (member);
          char *end = at[0] == '"' ? strchr (at + 1, '"') + 1 : at + strcspn (at, ",}");

          fields = g_strdup_printf ("%.*s%s%s", (int) (at - good), good, value, end);
        }
      else
        fields = g_strdup_printf ("{%s%s,%s", member, value, good + 1);
      g_test_message ("%s", fields);
      r = post_create (manager, "interaction", id, fields);
      assert_error (r, 400, "invalid", cases[i].field);
      made = scalar (conn, "SELECT count(*) FROM crm.interactions WHERE id = $1", id);
      g_assert_cmpstr (made, ==, "0");
    }
}

/* Limits on what a logged interaction may hold, as the entity table checks
 * them for the server and the client's forms: each refused naming its
 * field. */
static void
interaction_past_limits_is_refused (void)
{
  const CrmEntityInfo *info = crm_entity_info (CRM_ENTITY_INTERACTION);
  g_autoptr(GString) long_subject = g_string_new (NULL);
  struct { const char *field; const char *value; gboolean ok; } cases[] = {
    { "subject",     NULL,                          FALSE },  /* 201 characters */
    { "subject",     "回访\001",                    FALSE },  /* a control character */
    { "subject",     "第一行\n第二行",              FALSE },  /* one line */
    { "subject",     "",                            FALSE },  /* required */
    { "subject",     "回访",                        TRUE },
    { "notes",       "好\007",                      FALSE },
    { "notes",       "谈了续约。\n\t下周再访。",    TRUE },
    { "occurred_at", "2026-11-20 10:30",            FALSE },  /* no T, no offset */
    { "occurred_at", "2026-11-20T10:30:00",         FALSE },  /* no offset */
    { "occurred_at", "2026-02-30T10:30:00Z",        FALSE },
    { "occurred_at", "2026-W47-5T10:30:00Z",        FALSE },
    { "occurred_at", "2026-11-20T10:30:00+08:00",   TRUE },
    { "occurred_at", "2026-11-20T10:30:00.123456Z", TRUE },
    { "kind",        "letter",                      FALSE },
    { "outcome",     "great",                       FALSE },
    { "contact_id",  "not-a-uuid",                  FALSE },
  };

  for (guint i = 0; i < 201; i++)
    g_string_append (long_subject, "长");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const CrmField *spec = crm_entity_info_field (info, cases[i].field);
      g_autoptr(GError) error = NULL;
      gboolean ok = crm_field_validate (spec, cases[i].value ? cases[i].value : long_subject->str, &error);

      g_test_message ("%s %s", cases[i].field, cases[i].value ? cases[i].value : "(201 characters)");
      g_assert_true (ok == cases[i].ok);
      if (!ok)
        {
          g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
          g_assert_cmpstr (crm_error_get_field (error), ==, cases[i].field);
        }
    }
}

/* The one mutation path answers an entity with no writer of its own with
 * our error, not an exception (a 500), and claims no key for it. */
static void
entity_without_writer_is_invalid_in_the_database (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  const char *entities[] = { "product", "no_such_entity", "mutation", "Customer", "x; drop table crm.users", "" };

  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    {
      g_autofree char *answer = scalar (conn, "SELECT code || '/' || field FROM crm.apply_mutation(gen_random_uuid(),"
                                              " $1, 'update', gen_random_uuid(), '{}', '{}', '{}')", entities[i]);

      g_assert_cmpstr (answer, ==, "invalid/entity");
    }
}

/* The database's mask (crm.mask_text, which a masked base is compared
 * through) and the one the records are sent with agree. */
static void
database_mask_matches_the_sent_mask (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  const char *values[] = { "", "1", "12", "123", "1234567", "13812345678", "020-87654321",
                           "北京", "北京市", "北京市朝阳区建国路88号", "a", "ab", "abcdefg" };
  const CrmField *specs[] = { crm_field_spec_lookup (CRM_ENTITY_CUSTOMER, "phone"),
                                  crm_field_spec_lookup (CRM_ENTITY_CUSTOMER, "address") };

  for (guint s = 0; s < G_N_ELEMENTS (specs); s++)
    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      {
        guint head, tail;
        g_autofree char *params = NULL;
        g_autofree char *in_c = crm_field_mask_value (specs[s], values[i]);
        g_autoptr(PGresult) res = NULL;

        g_assert_true (crm_field_mask_kept (specs[s], &head, &tail));
        params = g_strdup_printf ("%u,%u", head, tail);
        res = crm_test_pg_query (conn, "SELECT crm.mask_text($1, split_part($2, ',', 1)::integer,"
                                       " split_part($2, ',', 2)::integer)", values[i], params);
        g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, in_c);
      }

  /* and the field table's mask is the one the records are sent with:
   * masked for an administrator; the phone in full for its manager */
  {
    g_autofree char *customer = scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                              " WHERE u.login = $1 AND c.phone IS NOT NULL AND c.address IS NOT NULL"
                                              " ORDER BY c.id DESC LIMIT 1", "manager");
    g_autofree char *phone = scalar (conn, "SELECT phone FROM crm.customers WHERE id = $1", customer);
    g_autofree char *address = scalar (conn, "SELECT address FROM crm.customers WHERE id = $1", customer);
    g_autofree char *admin = sign_in_with ("admin", PASSWORD);
    g_autoptr(JsonObject) record = shown (admin, customer, NULL);
    g_autoptr(JsonObject) own = shown (manager, customer, NULL);
    g_autofree char *phone_masked = crm_field_mask_value (specs[0], phone);
    g_autofree char *address_masked = crm_field_mask_value (specs[1], address);

    g_assert_nonnull (phone);
    g_assert_nonnull (address);
    g_assert_cmpstr (json_object_get_string_member (record, "phone"), ==, phone_masked);
    g_assert_cmpstr (json_object_get_string_member (record, "address"), ==, address_masked);
    g_assert_cmpstr (json_object_get_string_member (own, "phone"), ==, phone);
    g_assert_cmpstr (json_object_get_string_member (own, "address"), ==, address_masked);
  }
}

/* Customers made by a client (0011) -------------------------------------------- */

static Response *
post_customer_create (const char *token,
                      const char *id,
                      const char *region)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"customer\",\"op\":\"create\","
                                           "\"id\":\"%s\",\"fields\":{\"name\":\"新前景科技有限公司\","
                                           "\"kind\":\"sme\",\"industry\":\"软件\",\"region_id\":\"%s\","
                                           "\"tier\":\"standard\",\"status\":\"prospect\","
                                           "\"credit_rating\":\"BBB\"}}", key, id, region);

  return post_json ("mutations", token, body);
}

/* An account manager makes a prospect: it is theirs, in the region they
 * chose, logged as a create, and answered with its record; the same id
 * again is a conflict. */
static void
manager_creates_a_prospect_of_their_own (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *region = scalar (conn, "SELECT region_id FROM crm.users WHERE login = $1", "manager");
  g_autoptr(Response) r = post_customer_create (manager, id, region);
  g_autoptr(Response) again = post_customer_create (manager, id, region);
  g_autoptr(PGresult) row = NULL;

  g_assert_cmpuint (r->status, ==, 201);
  g_assert_cmpstr (record_string (r, "id"), ==, id);
  g_assert_cmpstr (record_string (r, "status"), ==, "prospect");
  g_assert_cmpstr (record_string (r, "region_id"), ==, region);
  row = crm_test_pg_query (conn, "SELECT u.login, c.status, c.region_id, c.credit_rating, c.name"
                                 "  FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id WHERE c.id = $1",
                           id, NULL);
  g_assert_cmpint (PQntuples (row), ==, 1);
  g_assert_cmpstr (PQgetvalue (row, 0, 0), ==, "manager");
  g_assert_cmpstr (PQgetvalue (row, 0, 1), ==, "prospect");
  g_assert_cmpstr (PQgetvalue (row, 0, 2), ==, region);
  g_assert_cmpstr (PQgetvalue (row, 0, 4), ==, "新前景科技有限公司");
  {
    g_autofree char *logged = scalar (conn, "SELECT count(*) FROM crm.audit_log WHERE action = 'create'"
                                            " AND entity = 'customer' AND entity_id = $1", id);

    g_assert_cmpstr (logged, ==, "1");
  }
  assert_error (again, 409, "conflict", "id");
}

/* Who may not: marketing and service make no customer; a director makes
 * none outside their regions, and a region that is none is not found;
 * an update may not move a customer to another region. */
static void
customer_create_keeps_the_rules (void)
{
  g_autofree char *marketing = sign_in_with ("marketing", PASSWORD);
  g_autofree char *service = sign_in_with ("service", PASSWORD);
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *region = scalar (conn, "SELECT region_id FROM crm.users WHERE login = $1", "manager");
  g_autofree char *outside = scalar (conn, "WITH RECURSIVE t (id) AS (SELECT region_id FROM crm.users WHERE login = $1"
                                           "  UNION ALL SELECT r.id FROM crm.regions r JOIN t ON r.parent_id = t.id)"
                                           " SELECT r.id FROM crm.regions r WHERE r.id NOT IN (SELECT id FROM t)"
                                           " ORDER BY r.id LIMIT 1", "director");
  g_autofree char *inside = scalar (conn, "SELECT region_id FROM crm.users WHERE login = $1", "director");
  g_autofree char *none = g_uuid_string_random ();
  char *ids[5] = { g_uuid_string_random (), g_uuid_string_random (), g_uuid_string_random (),
                              g_uuid_string_random (), g_uuid_string_random () };
  g_autoptr(Response) by_marketing = post_customer_create (marketing, ids[0], region);
  g_autoptr(Response) by_service = post_customer_create (service, ids[1], region);
  g_autoptr(Response) elsewhere = post_customer_create (director, ids[2], outside);
  g_autoptr(Response) nowhere = post_customer_create (manager, ids[3], none);
  g_autoptr(Response) in_region = post_customer_create (director, ids[4], inside);
  g_autofree char *own = own_customer (conn, 11);
  g_autofree char *fields = g_strdup_printf ("{\"region_id\":\"%s\"}", region);
  g_autoptr(Response) moved = post_update (manager, "customer", own, version_of (conn, "customer", own), fields,
                                           "{\"region_id\":null}");

  g_assert_nonnull (outside);
  assert_error (by_marketing, 403, "forbidden", "op");
  assert_error (by_service, 403, "forbidden", "op");
  assert_error (elsewhere, 403, "forbidden", "region_id");
  assert_error (nowhere, 404, "not_found", "region_id");
  g_assert_cmpuint (in_region->status, ==, 201);
  /* a director's new customer has no account manager yet */
  g_assert_null (scalar (conn, "SELECT owner_id FROM crm.customers WHERE id = $1", ids[4]));
  assert_error (moved, 400, "invalid", "region_id");
  for (guint i = 0; i < 4; i++)
    g_assert_null (scalar (conn, "SELECT id FROM crm.customers WHERE id = $1", ids[i]));
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_free (ids[i]);
}

/* Opportunities ------------------------------------------------------------------- */

/* scalar () with two parameters */
static char *
scalar2 (PGconn     *conn,
         const char *sql,
         const char *param1,
         const char *param2)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param1, param2);

  return PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

/* A fresh opportunity of @customer, owned by the customer's owner, at
 * @stage, made as administrator. */
static char *
fresh_opportunity (PGconn     *conn,
                   const char *customer,
                   const char *stage)
{
  char *id = scalar2 (conn, "INSERT INTO crm.opportunities (customer_id, owner_id, name, stage, probability)"
                            " SELECT c.id, c.owner_id, '测试商机', $2::crm.opportunity_stage, 10"
                            " FROM crm.customers c WHERE c.id = $1 RETURNING id",
                      customer, stage);

  g_assert_nonnull (id);
  return id;
}

static char *
opportunity_fields (const char *customer,
                    const char *more)
{
  return g_strdup_printf ("{\"customer_id\":\"%s\",\"name\":\"专线扩容\",\"stage\":\"qualification\","
                          "\"amount_once\":1200000,\"amount_monthly\":50000,\"probability\":20,"
                          "\"expected_close\":\"2027-03-31\"%s%s}", customer, more ? "," : "", more ? more : "");
}

/* The stage history of @opportunity as "from>to by login" lines, oldest
 * first, each only if recorded within the last minute. */
static char *
history_of (PGconn     *conn,
            const char *opportunity)
{
  return scalar (conn, "SELECT string_agg(coalesce(h.from_stage::text, '-') || '>' || h.to_stage || ' by '"
                       " || coalesce(u.login, '?') || CASE WHEN h.changed_at > now() - interval '1 minute'"
                       " THEN '' ELSE ' (old)' END, ', ' ORDER BY h.id)"
                       " FROM crm.opportunity_stage_history h LEFT JOIN crm.users u ON u.id = h.changed_by"
                       " WHERE h.opportunity_id = $1", opportunity);
}

/* Creates, edits and stage moves of opportunities by each role: allowed
 * on a customer the caller may change (owned by the caller, the stage
 * recorded as the caller's), 404 on one it may not see, 403 for marketing
 * and service before the database, which refuses them too. */
static void
opportunity_writes_by_role (gconstpointer data)
{
  const RoleCase *rc = data;
  g_autofree char *token = sign_in_with (rc->login, PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *offset = g_strdup_printf ("%u", 60 + (guint) (rc - role_cases));
  g_autofree char *customer = scalar (conn, rc->customers, offset);
  g_autofree char *me = scalar (conn, "SELECT id FROM crm.users WHERE login = $1", rc->login);
  g_autofree char *opportunity = NULL, *fields = NULL, *stored = NULL, *made = NULL;
  g_autofree char *history = NULL, *new_history = NULL, *db_create = NULL, *db_update = NULL;
  g_autofree char *new_id = g_uuid_string_random ();
  g_autoptr(Response) create = NULL, edit = NULL, move = NULL;
  g_autofree char *expected_history = NULL, *expected_new = NULL;

  g_assert_nonnull (customer);
  opportunity = fresh_opportunity (conn, customer, "prospecting");
  fields = opportunity_fields (customer, NULL);

  create = post_create (token, "opportunity", new_id, fields);
  edit = post_update (token, "opportunity", opportunity, 1, "{\"name\":\"改过的商机\",\"amount_once\":880000}",
                      "{\"name\":\"测试商机\",\"amount_once\":0}");
  move = post_update (token, "opportunity", opportunity, 2, "{\"stage\":\"proposal\",\"probability\":40}",
                      "{\"stage\":\"prospecting\",\"probability\":10}");
  stored = scalar (conn, "SELECT name || ' ' || amount_once || ' ' || stage || ' ' || probability"
                         " FROM crm.opportunities WHERE id = $1", opportunity);
  made = scalar (conn, "SELECT owner_id || ' ' || stage || ' ' || amount_monthly || ' ' || expected_close"
                       " FROM crm.opportunities WHERE id = $1", new_id);
  history = history_of (conn, opportunity);
  new_history = history_of (conn, new_id);

  switch (rc->expect)
    {
    case ALLOWED:
      g_assert_cmpuint (create->status, ==, 201);
      g_assert_cmpstr (record_string (create, "owner_id"), ==, me);
      g_assert_cmpstr (record_string (create, "stage"), ==, "qualification");
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj (create), "record"),
                                                   "amount_once"), ==, 1200000);
      g_assert_cmpuint (edit->status, ==, 200);
      g_assert_cmpuint (move->status, ==, 200);
      g_assert_cmpstr (record_string (move, "stage"), ==, "proposal");
      g_assert_cmpstr (stored, ==, "改过的商机 880000 proposal 40");
      expected_new = g_strdup_printf ("%s qualification 50000 2027-03-31", me);
      g_assert_cmpstr (made, ==, expected_new);
      expected_history = g_strdup_printf ("prospecting>proposal by %s", rc->login);
      g_assert_cmpstr (history, ==, expected_history);
      g_free (expected_new);
      expected_new = g_strdup_printf ("->qualification by %s", rc->login);
      g_assert_cmpstr (new_history, ==, expected_new);
      break;
    case INVISIBLE:
      assert_error (create, 404, "not_found", "customer_id");
      assert_error (edit, 404, "not_found", "id");
      assert_error (move, 404, "not_found", "id");
      break;
    case ROLE_REFUSED:
      assert_error (create, 403, "forbidden", "op");
      assert_error (edit, 403, "forbidden", "id");
      assert_error (move, 403, "forbidden", "id");
      /* the database refuses them too; neither sees an opportunity */
      db_create = apply_as (rc->login, "opportunity", "create", new_id, fields, NULL, NULL);
      db_update = apply_as (rc->login, "opportunity", "update", opportunity, "{\"stage\":\"won\"}",
                            "{\"stage\":\"prospecting\"}", NULL);
      g_assert_cmpstr (db_create, ==, "forbidden/customer_id");
      g_assert_cmpstr (db_update, ==, "not_found/id");
      break;
    default:
      g_assert_not_reached ();
    }
  if (rc->expect != ALLOWED)
    {
      g_assert_cmpstr (stored, ==, "测试商机 0 prospecting 10");
      g_assert_null (made);
      g_assert_null (history);
      g_assert_null (new_history);
    }
}

/* A move to another stage is recorded in the same write, with who and
 * when, and the sync sends the record of it (opportunity_stage) to the
 * owner's next round; an edit that keeps the stage records nothing. */
static void
stage_move_is_recorded_and_synced (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 70);
  g_autofree char *opportunity = NULL, *history = NULL, *me = NULL, *cursor = NULL, *when = NULL;
  g_autoptr(Response) same = NULL, move = NULL;
  gboolean seen = FALSE;

  opportunity = fresh_opportunity (conn, customer, "qualification");
  me = scalar (conn, "SELECT id FROM crm.users WHERE login = $1", "manager");

  /* the manager's copy, up to now */
  for (;;)
    {
      g_autofree char *path = cursor ? g_strdup_printf ("sync?limit=1000&cursor=%s", cursor)
                                     : g_strdup ("sync?limit=1000");
      g_autoptr(Response) r = get (path, manager);

      g_assert_cmpuint (r->status, ==, 200);
      g_free (cursor);
      cursor = g_strdup (json_object_get_string_member (obj (r), "cursor"));
      if (!json_object_get_boolean_member (obj (r), "more"))
        break;
    }

  same = post_update (manager, "opportunity", opportunity, 1, "{\"stage\":\"qualification\",\"probability\":30}",
                      "{\"stage\":\"qualification\",\"probability\":10}");
  g_assert_cmpuint (same->status, ==, 200);
  history = history_of (conn, opportunity);
  g_assert_null (history);

  move = post_update (manager, "opportunity", opportunity, 2, "{\"stage\":\"negotiation\"}",
                      "{\"stage\":\"qualification\"}");
  g_assert_cmpuint (move->status, ==, 200);
  g_free (history);
  history = history_of (conn, opportunity);
  g_assert_cmpstr (history, ==, "qualification>negotiation by manager");
  /* in the write's own transaction: the same moment as the opportunity's */
  when = scalar (conn, "SELECT count(*) FROM crm.opportunity_stage_history h JOIN crm.opportunities o"
                       " ON o.id = h.opportunity_id WHERE o.id = $1 AND h.changed_at <= o.updated_at"
                       " AND h.changed_at > o.updated_at - interval '5 seconds'", opportunity);
  g_assert_cmpstr (when, ==, "1");

  /* the next round brings it */
  for (;;)
    {
      g_autofree char *path = g_strdup_printf ("sync?limit=1000&cursor=%s", cursor);
      g_autoptr(Response) r = get (path, manager);
      JsonArray *stages;

      g_assert_cmpuint (r->status, ==, 200);
      stages = json_object_get_array_member (obj (r), "opportunity_stages");
      for (guint i = 0; i < json_array_get_length (stages); i++)
        {
          JsonObject *o = json_array_get_object_element (stages, i);

          if (g_str_equal (json_object_get_string_member (o, "opportunity_id"), opportunity))
            {
              g_assert_cmpstr (json_object_get_string_member (o, "from_stage"), ==, "qualification");
              g_assert_cmpstr (json_object_get_string_member (o, "to_stage"), ==, "negotiation");
              g_assert_cmpstr (json_object_get_string_member (o, "changed_by"), ==, me);
              g_assert_true (json_object_has_member (o, "changed_at"));
              seen = TRUE;
            }
        }
      g_free (cursor);
      cursor = g_strdup (json_object_get_string_member (obj (r), "cursor"));
      if (!json_object_get_boolean_member (obj (r), "more"))
        break;
    }
  g_assert_true (seen);
}

/* An interaction's next step and its date (0012) are written with it,
 * on create and on update, and reach the sync; a date without words is
 * refused naming next_step, and nothing is written. */
static void
interaction_next_step_is_kept (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 72);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *bare_id = g_uuid_string_random ();
  g_autofree char *stored = NULL, *bare_row = NULL, *moved = NULL;
  g_autofree char *fields = g_strdup_printf ("{\"customer_id\":\"%s\",\"kind\":\"visit\","
                                             "\"occurred_at\":\"2026-12-03T10:00:00+08:00\",\"subject\":\"续约拜访\","
                                             "\"outcome\":\"positive\",\"next_step\":\"发送报价\","
                                             "\"next_step_on\":\"2026-12-10\"}", customer);
  g_autofree char *bare = g_strdup_printf ("{\"customer_id\":\"%s\",\"kind\":\"call\","
                                           "\"occurred_at\":\"2026-12-03T11:00:00+08:00\",\"subject\":\"电话\","
                                           "\"outcome\":\"neutral\",\"next_step_on\":\"2026-12-10\"}", customer);
  g_autoptr(Response) created = NULL, refused = NULL, updated = NULL, emptied = NULL;

  created = post_create (manager, "interaction", id, fields);
  g_assert_cmpuint (created->status, ==, 201);
  stored = scalar (conn, "SELECT next_step || ' ' || next_step_on FROM crm.interactions WHERE id = $1", id);
  g_assert_cmpstr (stored, ==, "发送报价 2026-12-10");

  refused = post_create (manager, "interaction", bare_id, bare);
  assert_error (refused, 400, "invalid", "next_step");
  bare_row = scalar (conn, "SELECT id FROM crm.interactions WHERE id = $1", bare_id);
  g_assert_null (bare_row);

  updated = post_update (manager, "interaction", id, 1, "{\"next_step_on\":\"2026-12-12\"}",
                         "{\"next_step_on\":\"2026-12-10\"}");
  g_assert_cmpuint (updated->status, ==, 200);
  moved = scalar (conn, "SELECT next_step || ' ' || next_step_on FROM crm.interactions WHERE id = $1", id);
  g_assert_cmpstr (moved, ==, "发送报价 2026-12-12");

  /* the words go, the date stays: refused */
  emptied = post_update (manager, "interaction", id, 2, "{\"next_step\":null}", "{\"next_step\":\"发送报价\"}");
  assert_error (emptied, 400, "invalid", "next_step");
}

/* Lost needs a reason: in the same write or already on the row, not
 * blank; without one nothing changes and the answer names lost_reason. */
static void
lost_needs_a_reason (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 71);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *after = NULL, *history = NULL;
  g_autofree char *new_id = g_uuid_string_random (), *new_fields = NULL, *made = NULL;
  g_autoptr(Response) bare = NULL, blank = NULL, with_reason = NULL, had_reason = NULL, created = NULL;
  g_autoptr(Response) cleared = NULL;

  a = fresh_opportunity (conn, customer, "negotiation");
  b = fresh_opportunity (conn, customer, "negotiation");
  c = fresh_opportunity (conn, customer, "proposal");
  PQclear (crm_test_pg_query (conn, "UPDATE crm.opportunities SET lost_reason = '价格太高' WHERE id = $1", c, NULL));

  bare = post_update (manager, "opportunity", a, 1, "{\"stage\":\"lost\"}", "{\"stage\":\"negotiation\"}");
  blank = post_update (manager, "opportunity", a, 1, "{\"stage\":\"lost\",\"lost_reason\":\"  \"}",
                       "{\"stage\":\"negotiation\",\"lost_reason\":null}");
  assert_error (bare, 400, "invalid", "lost_reason");
  assert_error (blank, 400, "invalid", "lost_reason");
  after = scalar (conn, "SELECT stage || ' ' || version || ' ' || coalesce(closed_on::text, '-')"
                        " FROM crm.opportunities WHERE id = $1", a);
  g_assert_cmpstr (after, ==, "negotiation 1 -");
  history = history_of (conn, a);
  g_assert_null (history);

  with_reason = post_update (manager, "opportunity", b, 1, "{\"stage\":\"lost\",\"lost_reason\":\"选了友商\"}",
                             "{\"stage\":\"negotiation\",\"lost_reason\":null}");
  had_reason = post_update (manager, "opportunity", c, 1, "{\"stage\":\"lost\"}", "{\"stage\":\"proposal\"}");
  g_assert_cmpuint (with_reason->status, ==, 200);
  g_assert_cmpuint (had_reason->status, ==, 200);
  g_free (after);
  after = scalar2 (conn, "SELECT string_agg(stage || ' ' || lost_reason, ', ' ORDER BY lost_reason)"
                         " FROM crm.opportunities WHERE id IN ($1::uuid, $2::uuid)", b, c);
  g_assert_cmpstr (after, ==, "lost 价格太高, lost 选了友商");

  /* a lost one keeps its reason */
  cleared = post_update (manager, "opportunity", b, 2, "{\"lost_reason\":null}", "{\"lost_reason\":\"选了友商\"}");
  assert_error (cleared, 400, "invalid", "lost_reason");

  /* and is not made without one */
  new_fields = g_strdup_printf ("{\"customer_id\":\"%s\",\"name\":\"丢单\",\"stage\":\"lost\",\"amount_once\":0,"
                                "\"amount_monthly\":0,\"probability\":0}", customer);
  created = post_create (manager, "opportunity", new_id, new_fields);
  assert_error (created, 400, "invalid", "lost_reason");
  made = scalar (conn, "SELECT count(*) FROM crm.opportunities WHERE id = $1", new_id);
  g_assert_cmpstr (made, ==, "0");
}

/* Won or lost closes the opportunity today unless the write says when;
 * back to an open stage it is not closed. */
static void
won_sets_closed_on (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 72);
  g_autofree char *a = NULL, *b = NULL, *today = NULL, *closed = NULL, *reopened = NULL;
  g_autoptr(Response) won = NULL, given = NULL, reopen = NULL;

  a = fresh_opportunity (conn, customer, "negotiation");
  b = fresh_opportunity (conn, customer, "negotiation");
  today = scalar (conn, "SELECT current_date::text", NULL);

  won = post_update (manager, "opportunity", a, 1, "{\"stage\":\"won\"}", "{\"stage\":\"negotiation\"}");
  given = post_update (manager, "opportunity", b, 1, "{\"stage\":\"won\",\"closed_on\":\"2026-11-30\"}",
                       "{\"stage\":\"negotiation\",\"closed_on\":null}");
  g_assert_cmpuint (won->status, ==, 200);
  g_assert_cmpuint (given->status, ==, 200);
  g_assert_cmpstr (record_string (won, "closed_on"), ==, today);
  g_assert_cmpstr (record_string (given, "closed_on"), ==, "2026-11-30");
  closed = scalar (conn, "SELECT closed_on::text FROM crm.opportunities WHERE id = $1", a);
  g_assert_cmpstr (closed, ==, today);

  reopen = post_update (manager, "opportunity", a, 2, "{\"stage\":\"negotiation\"}", "{\"stage\":\"won\"}");
  g_assert_cmpuint (reopen->status, ==, 200);
  reopened = scalar (conn, "SELECT coalesce(closed_on::text, '-') FROM crm.opportunities WHERE id = $1", a);
  g_assert_cmpstr (reopened, ==, "-");
}

/* A manager's opportunities are their own (owner_id is not theirs to
 * write: 403 naming it); a director names a manager of their region, not
 * one elsewhere nor a marketing user (400 naming owner_id). */
static void
owner_is_the_caller_unless_a_director_names_one (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 73);
  g_autofree char *colleague = scalar (conn, "SELECT u.id FROM crm.users u, crm.users d WHERE d.login = $1"
                                             " AND u.role = 'manager' AND NOT u.disabled AND u.login <> 'manager'"
                                             " AND u.region_id = ANY (crm.region_subtree (d.region_id))"
                                             " ORDER BY u.id LIMIT 1", "director");
  /* the demo's managers may all be in the director's province: one made
   * outside it */
  g_autofree char *elsewhere = scalar (conn, "INSERT INTO crm.users (login, display_name, role, region_id, password_hash)"
                                             " SELECT 'far_manager', '外省经理', 'manager', r.id, 'x'"
                                             " FROM crm.regions r, crm.users d WHERE d.login = $1"
                                             " AND NOT r.id = ANY (crm.region_subtree (d.region_id))"
                                             " ORDER BY r.id LIMIT 1 RETURNING id", "director");
  g_autofree char *marketer = scalar (conn, "SELECT id FROM crm.users WHERE login = $1", "marketing");
  g_autofree char *opportunity = NULL, *owner_now = NULL, *f1 = NULL, *f2 = NULL, *f3 = NULL, *f4 = NULL;
  g_autofree char *id1 = g_uuid_string_random (), *id2 = g_uuid_string_random ();
  g_autofree char *id3 = g_uuid_string_random (), *id4 = g_uuid_string_random ();
  g_autoptr(Response) by_manager = NULL, named = NULL, far = NULL, wrong_role = NULL, reassign = NULL;

  g_assert_nonnull (customer);
  g_assert_nonnull (colleague);
  g_assert_nonnull (elsewhere);
  {
    g_autofree char *m1 = g_strdup_printf ("\"owner_id\":\"%s\"", colleague);
    g_autofree char *m3 = g_strdup_printf ("\"owner_id\":\"%s\"", elsewhere);
    g_autofree char *m4 = g_strdup_printf ("\"owner_id\":\"%s\"", marketer);

    f1 = opportunity_fields (customer, m1);
    f3 = opportunity_fields (customer, m3);
    f4 = opportunity_fields (customer, m4);
  }
  f2 = g_strdup (f1);

  by_manager = post_create (manager, "opportunity", id1, f1);
  assert_error (by_manager, 403, "forbidden", "owner_id");
  named = post_create (director, "opportunity", id2, f2);
  g_assert_cmpuint (named->status, ==, 201);
  g_assert_cmpstr (record_string (named, "owner_id"), ==, colleague);
  far = post_create (director, "opportunity", id3, f3);
  assert_error (far, 400, "invalid", "owner_id");
  wrong_role = post_create (director, "opportunity", id4, f4);
  assert_error (wrong_role, 400, "invalid", "owner_id");

  opportunity = fresh_opportunity (conn, customer, "proposal");
  {
    g_autofree char *fields = g_strdup_printf ("{\"owner_id\":\"%s\"}", colleague);
    g_autofree char *base = scalar (conn, "SELECT json_build_object('owner_id', owner_id)::text"
                                          " FROM crm.opportunities WHERE id = $1", opportunity);

    reassign = post_update (director, "opportunity", opportunity, 1, fields, base);
  }
  g_assert_cmpuint (reassign->status, ==, 200);
  owner_now = scalar (conn, "SELECT owner_id FROM crm.opportunities WHERE id = $1", opportunity);
  g_assert_cmpstr (owner_now, ==, colleague);
}

/* Two users edit the same opportunity from the same copy: other fields
 * merge; the same field changed to another value on both sides (a whole
 * number here) is a 412 with base, mine and theirs, and nothing of the
 * second write applies. */
static void
opportunity_edits_merge_by_field (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 74);
  g_autofree char *opportunity = fresh_opportunity (conn, customer, "proposal");
  g_autofree char *after = NULL;
  g_autoptr(Response) first = NULL, merged = NULL, conflict = NULL;
  JsonObject *c;

  first = post_update (admin, "opportunity", opportunity, 1, "{\"probability\":60,\"expected_close\":\"2027-01-15\"}",
                       "{\"probability\":10,\"expected_close\":null}");
  merged = post_update (manager, "opportunity", opportunity, 1, "{\"amount_monthly\":30000}",
                        "{\"amount_monthly\":0}");
  conflict = post_update (manager, "opportunity", opportunity, 1,
                          "{\"name\":\"不该写入\",\"probability\":70,\"expected_close\":\"2027-01-15\"}",
                          "{\"name\":\"测试商机\",\"probability\":10,\"expected_close\":null}");
  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpuint (merged->status, ==, 200);
  assert_error (conflict, 412, "precondition_failed", "probability");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (conflict), "conflicts")), ==, 1);
  c = json_array_get_object_element (json_object_get_array_member (obj (conflict), "conflicts"), 0);
  g_assert_cmpstr (json_object_get_string_member (c, "field"), ==, "probability");
  g_assert_cmpint (json_object_get_int_member (c, "base"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (c, "mine"), ==, 70);
  g_assert_cmpint (json_object_get_int_member (c, "theirs"), ==, 60);
  after = scalar (conn, "SELECT name || ' ' || probability || ' ' || expected_close || ' ' || amount_monthly"
                        " || ' ' || version FROM crm.opportunities WHERE id = $1", opportunity);
  g_assert_cmpstr (after, ==, "测试商机 60 2027-01-15 30000 3");
}

/* The database holds the rules without the server: as keyline_app,
 * marketing inserts no opportunity, and nobody records a stage change as
 * someone else's or for an opportunity they may not change. */
static void
database_keeps_the_opportunity_rules (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *customer = own_customer (conn, 75);
  g_autofree char *other = scalar (conn, OWNED_BY ("manager", "<>"), "75");
  g_autofree char *opportunity = fresh_opportunity (conn, customer, "proposal");
  g_autofree char *others = fresh_opportunity (conn, other, "proposal");
  g_autofree char *admin_id = scalar (conn, "SELECT id FROM crm.users WHERE login = $1", "admin");
  struct { const char *login; const char *sql; const char *p1; const char *p2; gboolean ok; } cases[] = {
    { "marketing", "INSERT INTO crm.opportunities (customer_id, name, stage, probability)"
                   " VALUES ($1, '市场部的', 'prospecting', 10)", customer, NULL, FALSE },
    { "service",   "INSERT INTO crm.opportunities (customer_id, name, stage, probability)"
                   " VALUES ($1, '客服的', 'prospecting', 10)", customer, NULL, FALSE },
    { "manager",   "INSERT INTO crm.opportunity_stage_history (opportunity_id, to_stage, changed_by)"
                   " VALUES ($1, 'won', $2)", opportunity, admin_id, FALSE },
    { "manager",   "INSERT INTO crm.opportunity_stage_history (opportunity_id, to_stage, changed_by)"
                   " VALUES ($1, 'won', crm.current_user_id())", others, NULL, FALSE },
    { "manager",   "INSERT INTO crm.opportunity_stage_history (opportunity_id, to_stage, changed_by)"
                   " VALUES ($1, 'won', crm.current_user_id())", opportunity, NULL, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PGconn) as = crm_test_pg_connect_as_admin (conninfo);
      const char *params[3] = { cases[i].login, cases[i].p1, cases[i].p2 };
      g_autoptr(PGresult) res = NULL;

      g_test_message ("%s: %s", cases[i].login, cases[i].sql);
      PQclear (crm_test_pg_query (as, "BEGIN", NULL, NULL));
      PQclear (crm_test_pg_query (as, "SELECT crm.set_identity ((SELECT id FROM crm.users WHERE login = $1))",
                                  cases[i].login, NULL));
      PQclear (crm_test_pg_query (as, "SET LOCAL ROLE keyline_app", NULL, NULL));
      res = PQexecParams (as, cases[i].sql, cases[i].p2 ? 2 : 1, NULL, params + 1, NULL, NULL, 0);
      if (cases[i].ok)
        g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
      else
        g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "42501");  /* RLS */
      PQclear (crm_test_pg_query (as, "ROLLBACK", NULL, NULL));
    }
}

/* Campaign members -------------------------------------------------------------- */

/* A fresh membership of @customer (response pending) in a campaign it was
 * not in, made as administrator: its key as the wire writes it,
 * "<campaign_id>/<customer_id>". */
static char *
fresh_member (PGconn     *conn,
              const char *customer)
{
  char *key = scalar (conn, "INSERT INTO crm.campaign_members (campaign_id, customer_id)"
                            " SELECT p.id, $1 FROM crm.campaigns p WHERE NOT EXISTS (SELECT 1 FROM crm.campaign_members m"
                            " WHERE m.campaign_id = p.id AND m.customer_id = $1) ORDER BY p.id LIMIT 1"
                            " RETURNING campaign_id || '/' || customer_id", customer);

  g_assert_nonnull (key);
  return key;
}

static char *
member_now (PGconn     *conn,
            const char *key)
{
  return scalar (conn, "SELECT response || ' ' || coalesce(channel::text, '-') || ' ' || version || ' '"
                       " || is_control || ' ' || revenue FROM crm.campaign_members"
                       " WHERE campaign_id || '/' || customer_id = $1", key);
}

/* The outcome of a member's contact, by role: the manager of its
 * customer, marketing (any member) and an administrator record it; a
 * manager another's member's is 404, as if there were none; service may
 * not (403). */
static void
member_outcome_by_role (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *marketing = sign_in_with ("marketing", PASSWORD);
  g_autofree char *service = sign_in_with ("service", PASSWORD);
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *own = own_customer (conn, 80);
  g_autofree char *theirs = scalar (conn, OWNED_BY ("manager", "<>"), "80");
  g_autofree char *own_member = fresh_member (conn, own);
  g_autofree char *their_member = fresh_member (conn, theirs);
  g_autofree char *after_own = NULL, *after_theirs = NULL;
  g_autoptr(Response) by_manager = NULL, by_marketing = NULL, hidden = NULL, by_service = NULL;
  g_autoptr(Response) by_director = NULL;
  JsonObject *record;

  by_manager = post_update (manager, "campaign_member", own_member, 1,
                            "{\"response\":\"contacted\",\"channel\":\"phone\","
                            "\"contacted_at\":\"2026-11-20T10:30:00+08:00\"}",
                            "{\"response\":\"pending\",\"channel\":null,\"contacted_at\":null}");
  g_assert_cmpuint (by_manager->status, ==, 200);
  record = json_object_get_object_member (obj (by_manager), "record");
  g_assert_cmpstr (json_object_get_string_member (record, "response"), ==, "contacted");
  g_assert_cmpstr (json_object_get_string_member (record, "customer_id"), ==, own);
  /* the control group stays marketing's */
  g_assert_false (json_object_has_member (record, "is_control"));

  by_marketing = post_update (marketing, "campaign_member", their_member, 1,
                              "{\"response\":\"converted\",\"responded_at\":\"2026-11-21T09:00:00Z\"}",
                              "{\"response\":\"pending\",\"responded_at\":null}");
  g_assert_cmpuint (by_marketing->status, ==, 200);
  g_assert_true (json_object_has_member (json_object_get_object_member (obj (by_marketing), "record"),
                                         "is_control"));

  hidden = post_update (manager, "campaign_member", their_member, 2, "{\"response\":\"declined\"}",
                        "{\"response\":\"converted\"}");
  assert_error (hidden, 404, "not_found", "id");
  by_service = post_update (service, "campaign_member", own_member, 2, "{\"response\":\"declined\"}",
                            "{\"response\":\"contacted\"}");
  assert_error (by_service, 403, "forbidden", "id");
  /* the director of the manager's region */
  by_director = post_update (director, "campaign_member", own_member, 2, "{\"response\":\"responded\"}",
                             "{\"response\":\"contacted\"}");
  g_assert_cmpuint (by_director->status, ==, 200);
  /* the outcomes issue 8 names, past the five of 0001 */
  {
    g_autoptr(Response) opted_out = post_update (director, "campaign_member", own_member, 3,
                                                 "{\"response\":\"opted_out\"}", "{\"response\":\"responded\"}");
    g_autoptr(Response) unreachable = post_update (director, "campaign_member", own_member, 4,
                                                   "{\"response\":\"unreachable\"}", "{\"response\":\"opted_out\"}");
    g_autoptr(Response) back = post_update (director, "campaign_member", own_member, 5,
                                            "{\"response\":\"responded\"}", "{\"response\":\"unreachable\"}");

    g_assert_cmpuint (opted_out->status, ==, 200);
    g_assert_cmpuint (unreachable->status, ==, 200);
    g_assert_cmpuint (back->status, ==, 200);
  }

  after_own = member_now (conn, own_member);
  after_theirs = member_now (conn, their_member);
  g_assert_cmpstr (after_own, ==, "responded phone 6 false 0");
  g_assert_cmpstr (after_theirs, ==, "converted - 2 false 0");
}

/* What a mutation may not touch or say: the control group, the revenue
 * and the assignment are nobody's to write here (refused naming the
 * field); a response outside crm.member_response (400); the key must be
 * the two ids joined by '/' (400 naming id). */
static void
member_refusals (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *marketing = sign_in_with ("marketing", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *own = own_customer (conn, 81);
  g_autofree char *member = fresh_member (conn, own);
  g_autofree char *before = member_now (conn, member);
  g_autofree char *after = NULL, *reversed = NULL, *three = NULL;
  g_autofree char *campaign = g_strndup (member, strchr (member, '/') - member);
  struct { const char *token; const char *id; const char *fields; const char *base; const char *field; } cases[] = {
    { manager,   member, "{\"is_control\":true}", "{\"is_control\":false}", "is_control" },
    { marketing, member, "{\"is_control\":true}", "{\"is_control\":false}", "is_control" },
    { marketing, member, "{\"revenue\":100}", "{\"revenue\":0}", "revenue" },
    { manager,   member, "{\"assigned_to\":null}", "{\"assigned_to\":null}", "assigned_to" },
    { manager,   member, "{\"response\":\"opted_in\"}", "{\"response\":\"pending\"}", "response" },
    { manager,   member, "{\"response\":null}", "{\"response\":\"pending\"}", "response" },
    { manager,   member, "{\"channel\":\"fax\"}", "{\"channel\":null}", "channel" },
    { manager,   member, "{\"contacted_at\":\"2026-11-20\"}", "{\"contacted_at\":null}", "contacted_at" },
    { manager,   NULL,   "{\"response\":\"declined\"}", "{\"response\":\"pending\"}", "id" },
    { manager,   NULL,   "{\"response\":\"declined\"}", "{\"response\":\"pending\"}", "id" },
    { manager,   NULL,   "{\"response\":\"declined\"}", "{\"response\":\"pending\"}", "id" },
    { manager,   NULL,   "{\"response\":\"declined\"}", "{\"response\":\"pending\"}", "id" },
  };

  reversed = g_strdup_printf ("%s/not-a-uuid", campaign);
  three = g_strdup_printf ("%s/%s", member, own);
  cases[8].id = campaign;        /* one id */
  cases[9].id = reversed;        /* a part that is no UUID */
  cases[10].id = three;          /* three parts */
  cases[11].id = "/";
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Response) r = NULL;

      g_test_message ("%s %s", cases[i].id, cases[i].fields);
      r = post_update (cases[i].token, "campaign_member", cases[i].id, 1, cases[i].fields, cases[i].base);
      assert_error (r, 400, "invalid", cases[i].field);
    }
  after = member_now (conn, member);
  g_assert_cmpstr (after, ==, before);
}

/* Two people record the same member's response from the same copy: the
 * second is a 412 with theirs; a retry of the first, key and body the
 * same, gets the first answer and writes nothing more (the key of two
 * columns is kept for it). */
static void
member_conflict_and_retry (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *marketing = sign_in_with ("marketing", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *own = own_customer (conn, 82);
  g_autofree char *member = fresh_member (conn, own);
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *upper = g_ascii_strup (member, -1);
  g_autofree char *body = update_body (key, "campaign_member", upper, 1, "{\"response\":\"declined\"}",
                                       "{\"response\":\"pending\"}");
  g_autofree char *after = NULL, *kept = NULL;
  g_autoptr(Response) first = NULL, again = NULL, second = NULL;
  JsonObject *c;

  first = post_json ("mutations", manager, body);
  again = post_json ("mutations", manager, body);
  second = post_update (marketing, "campaign_member", member, 1, "{\"response\":\"converted\"}",
                        "{\"response\":\"pending\"}");
  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpstr (again->body, ==, first->body);
  assert_error (second, 412, "precondition_failed", "response");
  c = json_array_get_object_element (json_object_get_array_member (obj (second), "conflicts"), 0);
  g_assert_cmpstr (json_object_get_string_member (c, "theirs"), ==, "declined");
  g_assert_cmpstr (json_object_get_string_member (c, "mine"), ==, "converted");
  after = member_now (conn, member);
  g_assert_cmpstr (after, ==, "declined - 2 false 0");
  kept = scalar (conn, "SELECT (record_key->>'campaign_id') || '/' || (record_key->>'customer_id')"
                       " FROM crm.mutations WHERE key = $1", key);
  g_assert_cmpstr (kept, ==, member);
}

/* The database holds the rules without the server: as keyline_app,
 * service changes no member, a manager not another's, and only marketing
 * and administrators add members. */
static void
database_keeps_the_member_rules (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *own = own_customer (conn, 83);
  g_autofree char *theirs = scalar (conn, OWNED_BY ("manager", "<>"), "83");
  g_autofree char *own_member = fresh_member (conn, own);
  g_autofree char *their_member = fresh_member (conn, theirs);
  const char *update = "UPDATE crm.campaign_members SET response = 'declined'"
                       " WHERE campaign_id || '/' || customer_id = $1";
  const char *insert = "INSERT INTO crm.campaign_members (campaign_id, customer_id)"
                       " SELECT p.id, $1 FROM crm.campaigns p WHERE NOT EXISTS (SELECT 1 FROM crm.campaign_members m"
                       " WHERE m.campaign_id = p.id AND m.customer_id = $1) ORDER BY p.id LIMIT 1";
  struct { const char *login; const char *sql; const char *param; const char *result; } cases[] = {
    { "service",   update, own_member,   "0" },
    { "manager",   update, their_member, "0" },
    { "manager",   update, own_member,   "1" },
    { "marketing", update, their_member, "1" },
    { "manager",   insert, own,          "42501" },
    { "service",   insert, own,          "42501" },
    { "marketing", insert, own,          "1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PGconn) as = crm_test_pg_connect_as_admin (conninfo);
      const char *params[1] = { cases[i].param };
      g_autoptr(PGresult) res = NULL;
      const char *result;

      g_test_message ("%s: %s", cases[i].login, cases[i].sql);
      PQclear (crm_test_pg_query (as, "BEGIN", NULL, NULL));
      PQclear (crm_test_pg_query (as, "SELECT crm.set_identity ((SELECT id FROM crm.users WHERE login = $1))",
                                  cases[i].login, NULL));
      PQclear (crm_test_pg_query (as, "SET LOCAL ROLE keyline_app", NULL, NULL));
      res = PQexecParams (as, cases[i].sql, 1, NULL, params, NULL, NULL, 0);
      result = PQresultStatus (res) == PGRES_COMMAND_OK ? PQcmdTuples (res)
               : PQresultErrorField (res, PG_DIAG_SQLSTATE);
      g_assert_cmpstr (result, ==, cases[i].result);
      PQclear (crm_test_pg_query (as, "ROLLBACK", NULL, NULL));
    }
}

/* A client's queue goes out one write after another: 200 of them in a
 * row, as fast as they are answered, are all answered, none refused for
 * too many connections (max-client-connections is 64).  libsoup opens a
 * connection per POST unless the message is marked idempotent (a keyed
 * mutation is), and the server counts a closed connection until its sweep
 * sees it gone. */
static void
many_writes_in_a_row_are_not_refused (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  guint refused = 0;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *key = g_uuid_string_random ();
      g_autofree char *body = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"product\",\"op\":\"update\","
                                               "\"id\":\"%s\",\"fields\":{}}", key, key);
      g_autoptr(Response) r = post_json ("mutations", manager, body);

      refused += r->status == 503;
      g_assert_true (r->status == 400 || r->status == 503);
    }
  g_assert_cmpuint (refused, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autofree char *base_url = NULL;
  const char *binary = g_getenv ("KEYLINE_SERVER");
  const Kind *kinds[] = { &customer_kind, &contact_kind };
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

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const char *e = kinds[i]->entity;
      g_autofree char *p1 = g_strdup_printf ("/server/mutations/%s/different-fields-from-the-same-base-both-apply", e);
      g_autofree char *p2 = g_strdup_printf ("/server/mutations/%s/same-field-on-both-sides-conflicts-and-applies-nothing", e);
      g_autofree char *p3 = g_strdup_printf ("/server/mutations/%s/same-change-on-both-sides-is-no-conflict", e);
      g_autofree char *p4 = g_strdup_printf ("/server/mutations/%s/key-reused-for-another-body-is-refused", e);
      g_autofree char *p5 = g_strdup_printf ("/server/mutations/%s/missing-or-mismatched-base-is-refused", e);

      g_test_add_data_func (p1, kinds[i], different_fields_from_the_same_base_both_apply);
      g_test_add_data_func (p2, kinds[i], same_field_on_both_sides_conflicts_and_applies_nothing);
      g_test_add_data_func (p3, kinds[i], same_change_on_both_sides_is_no_conflict);
      g_test_add_data_func (p4, kinds[i], key_reused_for_another_body_is_refused);
      g_test_add_data_func (p5, kinds[i], missing_or_mismatched_base_is_refused);
    }
  g_test_add_func ("/server/mutations/contact/create-with-a-taken-id-is-404-if-hidden-else-409", create_with_a_taken_id);
  g_test_add_func ("/server/mutations/customer/empty-and-null-are-the-same-base", empty_and_null_are_the_same_base);
  g_test_add_func ("/server/mutations/masked-value-is-refused-naming-the-field", masked_value_is_refused);
  g_test_add_func ("/server/mutations/database-mask-matches-the-sent-mask", database_mask_matches_the_sent_mask);
  g_test_add_func ("/server/mutations/customer/manager-creates-a-prospect-of-their-own",
                   manager_creates_a_prospect_of_their_own);
  g_test_add_func ("/server/mutations/customer/create-keeps-the-rules", customer_create_keeps_the_rules);
  g_test_add_func ("/server/mutations/many-writes-in-a-row-are-not-refused-for-connections",
                   many_writes_in_a_row_are_not_refused);
  g_test_add_func ("/server/mutations/entity-nobody-may-write-is-refused-like-an-unknown-one",
                   entity_nobody_may_write_is_refused_like_an_unknown_one);
  g_test_add_func ("/server/mutations/entity-without-a-writer-is-invalid-in-the-database",
                   entity_without_writer_is_invalid_in_the_database);
  for (guint i = 0; i < G_N_ELEMENTS (role_cases); i++)
    {
      static const char * const expects[] = { "allowed", "invisible-404", "refused-403" };
      g_autofree char *path = g_strdup_printf ("/server/mutations/roles/%s-%s-case-%u", role_cases[i].login,
                                               expects[role_cases[i].expect], i);

      g_test_add_data_func (path, &role_cases[i], writes_by_role);
    }
  g_test_add_func ("/server/mutations/contact/delete-is-idempotent-and-a-hidden-one-is-404",
                   delete_contact_is_idempotent_and_hidden_ones_stay);
  g_test_add_func ("/server/mutations/contact/marking-primary-unmarks-the-other", marking_primary_unmarks_the_other);
  g_test_add_func ("/server/mutations/contact/buying-role-is-set-by-sales-roles-only",
                   contact_role_is_set_by_sales_only);
  g_test_add_func ("/server/mutations/interaction/is-the-callers-and-its-contact-the-customers",
                   interaction_is_the_callers_and_its_contact_the_customers);
  g_test_add_func ("/server/mutations/interaction/concurrent-edit-of-a-field-conflicts",
                   concurrent_interaction_edit_conflicts);
  g_test_add_func ("/server/mutations/interaction/past-limits-is-refused-naming-the-field",
                   interaction_past_limits_is_refused);
  g_test_add_func ("/server/mutations/interaction/bad-values-are-400-naming-the-field",
                   interaction_bad_values_are_refused_over_http);
  for (guint i = 0; i < G_N_ELEMENTS (role_cases); i++)
    {
      static const char * const expects[] = { "allowed", "invisible-404", "refused-403" };
      g_autofree char *path = g_strdup_printf ("/server/mutations/opportunity/roles/%s-%s-case-%u", role_cases[i].login,
                                               expects[role_cases[i].expect], i);

      g_test_add_data_func (path, &role_cases[i], opportunity_writes_by_role);
    }
  g_test_add_func ("/server/mutations/opportunity/stage-move-is-recorded-with-who-and-when-and-synced",
                   stage_move_is_recorded_and_synced);
  g_test_add_func ("/server/mutations/interaction/next-step-and-its-date-are-kept",
                   interaction_next_step_is_kept);
  g_test_add_func ("/server/mutations/opportunity/lost-needs-a-reason", lost_needs_a_reason);
  g_test_add_func ("/server/mutations/opportunity/won-sets-closed-on-today-unless-given", won_sets_closed_on);
  g_test_add_func ("/server/mutations/opportunity/owner-is-the-caller-unless-a-director-names-one",
                   owner_is_the_caller_unless_a_director_names_one);
  g_test_add_func ("/server/mutations/opportunity/edits-merge-by-field", opportunity_edits_merge_by_field);
  g_test_add_func ("/server/mutations/opportunity/database-keeps-the-rules", database_keeps_the_opportunity_rules);
  g_test_add_func ("/server/mutations/campaign-member/outcome-by-role", member_outcome_by_role);
  g_test_add_func ("/server/mutations/campaign-member/refusals-name-the-field", member_refusals);
  g_test_add_func ("/server/mutations/campaign-member/conflict-and-retry-of-a-two-column-key",
                   member_conflict_and_retry);
  g_test_add_func ("/server/mutations/campaign-member/database-keeps-the-rules", database_keeps_the_member_rules);

  status = g_test_run ();

  crm_test_http_shutdown ();
  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
