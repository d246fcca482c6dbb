/* Segments and campaigns written through POST /mutations (issue 11): by
 * marketing and administrators only, with the criteria compiled as the
 * preview compiles them, the status moves a client may make, the
 * planning fields frozen once a campaign runs, and deletes refused while
 * a record is in use.  An in-process keyline-server on port 0 against a
 * throwaway database seeded with `keyline-server seed`. */
#define G_LOG_DOMAIN "test-server-campaign-writes"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

static CrmServer *server;
static char *conninfo;
static char *base_url;

static const char * const logins[] = { "admin", "manager", "marketing", "service", "director" };
static const char * const planners[] = { "marketing", "admin" };
static const char * const others[] = { "manager", "director", "service" };

/* A segment's criteria every seeded database matches some of. */
#define CRITERIA "{\"all\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\", \"major\", \"standard\"]}]}"

/* Helpers ------------------------------------------------------------------ */

static char *
token_of (const char *login)
{
  return g_strconcat ("campaign-writes-test-token-", login, NULL);
}

static char *
scalar (const char *sql,
        const char *param1,
        const char *param2)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param1, param2);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return PQgetisnull (res, 0, 0) ? NULL : g_strdup (PQgetvalue (res, 0, 0));
}

static gint64
scalar_int (const char *sql,
            const char *param1,
            const char *param2)
{
  g_autofree char *v = scalar (sql, param1, param2);

  g_assert_nonnull (v);
  return g_ascii_strtoll (v, NULL, 10);
}

static char *
user_id (const char *login)
{
  return scalar ("SELECT id::text FROM crm.users WHERE login = $1", login, NULL);
}

/* POST /mutations as @login: @op on @entity's record @id; @fields and
 * @base JSON objects (NULL: left out). */
static Response *
mutate (const char *login,
        const char *entity,
        const char *op,
        const char *id,
        const char *fields,
        const char *base)
{
  g_autofree char *token = token_of (login);
  g_autofree char *key = g_uuid_string_random ();
  g_autoptr(GString) body = g_string_new (NULL);

  g_string_printf (body, "{\"key\": \"%s\", \"entity\": \"%s\", \"op\": \"%s\", \"id\": \"%s\"", key, entity, op, id);
  if (fields)
    g_string_append_printf (body, ", \"fields\": %s", fields);
  if (base)
    g_string_append_printf (body, ", \"base\": %s", base);
  g_string_append_c (body, '}');
  return post_json ("mutations", token, body->str);
}

static JsonObject *
record_of (Response *r)
{
  g_assert_true (json_object_has_member (obj (r), "record"));
  return json_object_get_object_member (obj (r), "record");
}

/* A segment made by @login through the mutation path; its id. */
static char *
new_segment (const char *login,
             const char *name)
{
  char *id = g_uuid_string_random ();
  g_autofree char *fields = g_strdup_printf ("{\"name\": \"%s\", \"criteria\": %s}", name, CRITERIA);
  g_autoptr(Response) r = mutate (login, "segment", "create", id, fields, NULL);

  g_assert_cmpuint (r->status, ==, 201);
  return id;
}

/* The fields of a campaign a create carries, with @segment (or null) and
 * @status. */
static char *
campaign_fields (const char *segment,
                 const char *status)
{
  g_autofree char *segment_json = segment ? g_strdup_printf ("\"%s\"", segment) : g_strdup ("null");

  return g_strdup_printf ("{\"name\": \"Broadband upgrade\", \"kind\": \"cross_sell\","
                          " \"channels\": [\"phone\", \"sms\"], \"segment_id\": %s, \"status\": \"%s\","
                          " \"starts_on\": \"2026-12-01\", \"ends_on\": \"2027-01-31\", \"budget\": 5000000,"
                          " \"offer\": \"Fibre 500M at a discount\", \"offer_discount\": 20,"
                          " \"channel_costs\": {\"phone\": 350, \"sms\": 8}, \"control_percent\": 15}",
                          segment_json, status);
}

/* A campaign made by @login through the mutation path; its id. */
static char *
new_campaign (const char *login,
              const char *segment,
              const char *status)
{
  char *id = g_uuid_string_random ();
  g_autofree char *fields = campaign_fields (segment, status);
  g_autoptr(Response) r = mutate (login, "campaign", "create", id, fields, NULL);

  g_assert_cmpuint (r->status, ==, 201);
  return id;
}

/* Moves campaign @id from @from to @to as marketing; the status. */
static guint
move (const char *id,
      const char *from,
      const char *to,
      Response  **keep)
{
  g_autofree char *fields = g_strdup_printf ("{\"status\": \"%s\"}", to);
  g_autofree char *base = g_strdup_printf ("{\"status\": \"%s\"}", from);

  *keep = mutate ("marketing", "campaign", "update", id, fields, base);
  return (*keep)->status;
}

static char *
status_of (const char *campaign)
{
  return scalar ("SELECT status::text FROM crm.campaigns WHERE id = $1::uuid", campaign, NULL);
}

static Response *
launch (const char *campaign)
{
  g_autofree char *token = token_of ("marketing");
  g_autofree char *path = g_strdup_printf ("campaigns/%s/launch", campaign);

  return http ("POST", path, token, NULL, NULL, 0);
}

/* Tests ------------------------------------------------------------------- */

/* Marketing and administrators create, change and delete segments; the
 * owner is the creator, whatever the request says. */
static void
test_segment_written_by_marketing_and_admin (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (planners); i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *me = user_id (planners[i]);
      g_autoptr(Response) created = mutate (planners[i], "segment", "create", id,
                                            "{\"name\": \"Key accounts\", \"criteria\": " CRITERIA "}", NULL);
      g_autoptr(Response) updated = NULL;
      g_autoptr(Response) deleted = NULL;
      JsonObject *record;

      g_assert_cmpuint (created->status, ==, 201);
      record = record_of (created);
      g_assert_cmpstr (json_object_get_string_member (record, "id"), ==, id);
      g_assert_cmpstr (json_object_get_string_member (record, "owner_id"), ==, me);
      g_assert_true (json_object_get_boolean_member (record, "shared"));
      g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.segments WHERE id = $1::uuid AND criteria = $2::jsonb",
                                   id, CRITERIA), ==, 1);

      updated = mutate (planners[i], "segment", "update", id,
                        "{\"name\": \"Key accounts, south\", \"shared\": false,"
                        " \"criteria\": {\"any\": [{\"field\": \"churn_risk\", \"op\": \"gte\", \"value\": 70}]}}",
                        "{\"name\": \"Key accounts\", \"shared\": true, \"criteria\": " CRITERIA "}");
      g_assert_cmpuint (updated->status, ==, 200);
      record = record_of (updated);
      g_assert_cmpstr (json_object_get_string_member (record, "name"), ==, "Key accounts, south");
      g_assert_false (json_object_get_boolean_member (record, "shared"));
      g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.segments WHERE id = $1::uuid"
                                   " AND criteria #>> '{any,0,field}' = 'churn_risk'", id, NULL), ==, 1);

      deleted = mutate (planners[i], "segment", "delete", id, NULL, NULL);
      g_assert_cmpuint (deleted->status, ==, 200);
      g_assert_true (json_object_get_boolean_member (obj (deleted), "deleted"));
      g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.segments WHERE id = $1::uuid", id, NULL), ==, 0);
    }
}

/* A bad criteria tree is 400 invalid with the JSON pointer of the member
 * at fault under /fields/criteria, on a create and on an update, and
 * nothing is written. */
static void
test_segment_bad_criteria_is_refused_with_the_pointer (void)
{
  static const struct { const char *criteria, *field; } cases[] = {
    { "{\"all\": [{\"field\": \"tier\", \"op\": \"bogus\", \"value\": [\"key\"]}]}", "/fields/criteria/all/0/op" },
    { "{\"all\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"platinum\"]}]}",
      "/fields/criteria/all/0/value/0" },
    { "{\"any\": [{\"field\": \"tier\", \"op\": \"in\", \"value\": [\"key\"]}, {\"field\": \"nope\", \"op\": \"in\"}]}",
      "/fields/criteria/any/1/field" },
    { "{\"all\": []}", "/fields/criteria/all" },
    { "{\"field\": \"churn_risk\", \"op\": \"gte\", \"value\": 101}", "/fields/criteria/value" },
  };
  g_autofree char *id = new_segment ("marketing", "Good");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *new_id = g_uuid_string_random ();
      g_autofree char *fields = g_strdup_printf ("{\"name\": \"Bad\", \"criteria\": %s}", cases[i].criteria);
      g_autofree char *change = g_strdup_printf ("{\"criteria\": %s}", cases[i].criteria);
      g_autoptr(Response) create = mutate ("marketing", "segment", "create", new_id, fields, NULL);
      g_autoptr(Response) update = mutate ("admin", "segment", "update", id, change,
                                           "{\"criteria\": " CRITERIA "}");

      g_test_message ("criteria %s", cases[i].criteria);
      assert_error (create, 400, "invalid", cases[i].field);
      assert_error (update, 400, "invalid", cases[i].field);
      g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.segments WHERE id = $1::uuid", new_id, NULL), ==, 0);
    }
  g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.segments WHERE id = $1::uuid AND criteria = $2::jsonb",
                               id, CRITERIA), ==, 1);
}

/* Marketing and administrators create and change campaigns: the owner is
 * the creator; cost 0, never launched; every planning field as sent. */
static void
test_campaign_written_by_marketing_and_admin (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (planners); i++)
    {
      g_autofree char *segment = new_segment (planners[i], "For a campaign");
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *me = user_id (planners[i]);
      g_autofree char *fields = campaign_fields (segment, "draft");
      g_autoptr(Response) created = mutate (planners[i], "campaign", "create", id, fields, NULL);
      g_autoptr(Response) updated = NULL;
      g_autoptr(Response) defaults = NULL;
      g_autofree char *plain = g_uuid_string_random ();
      JsonObject *record;
      JsonArray *channels;

      g_assert_cmpuint (created->status, ==, 201);
      record = record_of (created);
      g_assert_cmpstr (json_object_get_string_member (record, "owner_id"), ==, me);
      g_assert_cmpstr (json_object_get_string_member (record, "status"), ==, "draft");
      g_assert_cmpstr (json_object_get_string_member (record, "segment_id"), ==, segment);
      g_assert_cmpint (json_object_get_int_member (record, "cost"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (record, "budget"), ==, 5000000);
      g_assert_cmpint (json_object_get_int_member (record, "offer_discount"), ==, 20);
      g_assert_cmpint (json_object_get_int_member (record, "control_percent"), ==, 15);
      g_assert_true (json_object_get_null_member (record, "launched_at"));
      /* the channels in the order given: the first is the queue */
      channels = json_object_get_array_member (record, "channels");
      g_assert_cmpuint (json_array_get_length (channels), ==, 2);
      g_assert_cmpstr (json_array_get_string_element (channels, 0), ==, "phone");
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (record, "channel_costs"), "phone"),
                       ==, 350);

      updated = mutate (planners[i], "campaign", "update", id,
                        "{\"budget\": 6000000, \"channels\": [\"sms\"], \"channel_costs\": {\"sms\": 9},"
                        " \"offer_discount\": null, \"offer_price\": 9900, \"ends_on\": \"2027-02-28\"}",
                        "{\"budget\": 5000000, \"channels\": [\"phone\", \"sms\"],"
                        " \"channel_costs\": {\"phone\": 350, \"sms\": 8}, \"offer_discount\": 20,"
                        " \"offer_price\": null, \"ends_on\": \"2027-01-31\"}");
      g_assert_cmpuint (updated->status, ==, 200);
      g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.campaigns WHERE id = $1::uuid AND budget = 6000000"
                                   " AND channels = '{sms}' AND channel_costs = '{\"sms\": 9}' AND offer_price = 9900"
                                   " AND offer_discount IS NULL AND ends_on = '2027-02-28' AND owner_id = $2::uuid",
                                   id, me), ==, 1);

      /* the least a create carries: a draft, no budget, a tenth held back */
      defaults = mutate (planners[i], "campaign", "create", plain,
                         "{\"name\": \"Care calls\", \"kind\": \"care\", \"channels\": [\"phone\"],"
                         " \"starts_on\": \"2026-12-01\", \"ends_on\": \"2026-12-31\","
                         " \"channel_costs\": {\"phone\": 300}}", NULL);
      g_assert_cmpuint (defaults->status, ==, 201);
      record = record_of (defaults);
      g_assert_cmpstr (json_object_get_string_member (record, "status"), ==, "draft");
      g_assert_cmpint (json_object_get_int_member (record, "budget"), ==, 0);
      g_assert_cmpint (json_object_get_int_member (record, "control_percent"), ==, 10);
    }
}

/* Account managers, directors and service staff write neither: 403 naming
 * the op (create, delete) or the record (update); nothing changes. */
static void
test_other_roles_are_refused (void)
{
  g_autofree char *segment = new_segment ("marketing", "Theirs");
  g_autofree char *campaign = new_campaign ("marketing", segment, "draft");
  g_autofree char *fields = campaign_fields (segment, "draft");

  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autofree char *new_id = g_uuid_string_random ();
      g_autoptr(Response) seg_create = mutate (others[i], "segment", "create", new_id,
                                               "{\"name\": \"Mine\", \"criteria\": " CRITERIA "}", NULL);
      g_autoptr(Response) seg_update = mutate (others[i], "segment", "update", segment,
                                               "{\"name\": \"Mine\"}", "{\"name\": \"Theirs\"}");
      g_autoptr(Response) seg_delete = mutate (others[i], "segment", "delete", segment, NULL, NULL);
      g_autoptr(Response) camp_create = mutate (others[i], "campaign", "create", new_id, fields, NULL);
      g_autoptr(Response) camp_update = mutate (others[i], "campaign", "update", campaign,
                                                "{\"budget\": 1}", "{\"budget\": 5000000}");
      g_autoptr(Response) camp_delete = mutate (others[i], "campaign", "delete", campaign, NULL, NULL);

      g_test_message ("as %s", others[i]);
      assert_error (seg_create, 403, "forbidden", "op");
      assert_error (seg_update, 403, "forbidden", "id");
      assert_error (seg_delete, 403, "forbidden", "op");
      assert_error (camp_create, 403, "forbidden", "op");
      assert_error (camp_update, 403, "forbidden", "id");
      assert_error (camp_delete, 403, "forbidden", "op");
    }
  g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.segments WHERE id = $1::uuid AND name = 'Theirs'",
                               segment, NULL), ==, 1);
  g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.campaigns WHERE id = $1::uuid AND budget = 5000000",
                               campaign, NULL), ==, 1);
}

/* Cost, launched_at and the owner are never a client's; nor is an
 * entity's record refused by the table quietly accepted. */
static void
test_server_fields_are_never_written (void)
{
  static const struct { const char *entity, *fields, *base, *field; } cases[] = {
    { "campaign", "{\"cost\": 0}", "{\"cost\": 0}", "cost" },
    { "campaign", "{\"launched_at\": \"2026-12-01T09:00:00+08:00\"}", "{\"launched_at\": null}", "launched_at" },
    { "campaign", "{\"owner_id\": \"00000000-0000-4000-8000-000000000001\"}", "{\"owner_id\": null}", "owner_id" },
    { "segment", "{\"owner_id\": \"00000000-0000-4000-8000-000000000001\"}", "{\"owner_id\": null}", "owner_id" },
  };
  g_autofree char *segment = new_segment ("marketing", "Owned");
  g_autofree char *campaign = new_campaign ("marketing", segment, "draft");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Response) r = mutate ("admin", cases[i].entity, "update",
                                      g_str_equal (cases[i].entity, "segment") ? segment : campaign,
                                      cases[i].fields, cases[i].base);

      assert_error (r, 400, "invalid", cases[i].field);
    }
}

/* The status moves a client makes, and those it may not: running is the
 * launch's, and a campaign is made a draft or planned. */
static void
test_campaign_status_moves (void)
{
  static const struct { const char *from, *to; gboolean allowed; } moves[] = {
    { "draft", "planned", TRUE },
    { "planned", "draft", TRUE },
    { "draft", "running", FALSE },
    { "draft", "completed", FALSE },
    { "draft", "planned", TRUE },
    { "planned", "running", FALSE },
    { "planned", "completed", FALSE },
    { "planned", "cancelled", TRUE },
    { "cancelled", "draft", FALSE },
    { "cancelled", "planned", FALSE },
  };
  g_autofree char *campaign = new_campaign ("marketing", NULL, "draft");
  g_autofree char *other = new_campaign ("admin", NULL, "planned");
  g_autofree char *made_running = g_uuid_string_random ();
  g_autofree char *running_fields = campaign_fields (NULL, "running");
  g_autoptr(Response) r = NULL;
  g_autoptr(Response) cancel = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      g_autoptr(Response) m = NULL;
      g_autofree char *now = NULL;

      g_test_message ("%s -> %s", moves[i].from, moves[i].to);
      if (moves[i].allowed)
        g_assert_cmpuint (move (campaign, moves[i].from, moves[i].to, &m), ==, 200);
      else
        {
          move (campaign, moves[i].from, moves[i].to, &m);
          assert_error (m, 409, "conflict", "status");
        }
      now = status_of (campaign);
      g_assert_cmpstr (now, ==, moves[i].allowed ? moves[i].to : moves[i].from);
    }

  /* draft -> cancelled; made planned */
  g_assert_cmpuint (move (other, "planned", "draft", &cancel), ==, 200);
  g_clear_pointer (&cancel, response_free);
  g_assert_cmpuint (move (other, "draft", "cancelled", &cancel), ==, 200);

  r = mutate ("marketing", "campaign", "create", made_running, running_fields, NULL);
  assert_error (r, 409, "conflict", "status");
  g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.campaigns WHERE id = $1::uuid", made_running, NULL), ==, 0);
}

/* A draft made through mutations launches (POST …/launch); then it runs:
 * to completed or cancelled only, and its planning fields are frozen
 * (409 naming the field) while its name still changes. */
static void
test_campaign_made_by_mutations_launches_and_freezes (void)
{
  g_autofree char *segment = new_segment ("marketing", "Launch me");
  g_autofree char *campaign = new_campaign ("marketing", segment, "draft");
  g_autofree char *ran = NULL;
  g_autoptr(Response) launched = launch (campaign);
  g_autoptr(Response) back = NULL;
  g_autoptr(Response) budget = NULL;
  g_autoptr(Response) channels = NULL;
  g_autoptr(Response) segment_change = NULL;
  g_autoptr(Response) same = NULL;
  g_autoptr(Response) renamed = NULL;
  g_autoptr(Response) completed = NULL;
  g_autoptr(Response) reopened = NULL;
  g_autofree char *other_segment = new_segment ("marketing", "Another");
  g_autofree char *segment_fields = g_strdup_printf ("{\"segment_id\": \"%s\"}", other_segment);
  g_autofree char *segment_base = g_strdup_printf ("{\"segment_id\": \"%s\"}", segment);

  g_assert_cmpuint (launched->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (obj (launched), "members"), >, 0);
  ran = status_of (campaign);
  g_assert_cmpstr (ran, ==, "running");

  g_assert_cmpuint (move (campaign, "running", "draft", &back), ==, 409);
  assert_error (back, 409, "conflict", "status");

  budget = mutate ("marketing", "campaign", "update", campaign, "{\"budget\": 1}", "{\"budget\": 5000000}");
  assert_error (budget, 409, "conflict", "budget");
  channels = mutate ("admin", "campaign", "update", campaign,
                     "{\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": 8}}",
                     "{\"channels\": [\"phone\", \"sms\"], \"channel_costs\": {\"phone\": 350, \"sms\": 8}}");
  assert_error (channels, 409, "conflict", "channels");
  segment_change = mutate ("marketing", "campaign", "update", campaign, segment_fields, segment_base);
  assert_error (segment_change, 409, "conflict", "segment_id");
  g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.campaigns WHERE id = $1::uuid AND budget = 5000000"
                               " AND channels = '{phone,sms}' AND segment_id = $2::uuid", campaign, segment), ==, 1);

  /* a planning field sent as it is changes nothing and is no refusal */
  same = mutate ("marketing", "campaign", "update", campaign, "{\"budget\": 5000000, \"name\": \"Renamed\"}",
                 "{\"budget\": 5000000, \"name\": \"Broadband upgrade\"}");
  g_assert_cmpuint (same->status, ==, 200);
  renamed = mutate ("marketing", "campaign", "update", campaign, "{\"name\": \"Renamed again\"}",
                    "{\"name\": \"Renamed\"}");
  g_assert_cmpuint (renamed->status, ==, 200);

  g_assert_cmpuint (move (campaign, "running", "completed", &completed), ==, 200);
  g_assert_cmpuint (move (campaign, "completed", "running", &reopened), ==, 409);
  assert_error (reopened, 409, "conflict", "status");
}

/* One whole, non-negative cost per channel listed, and nothing else; a
 * period that ends after it starts; a price or a discount; a segment and
 * a product that exist. */
static void
test_campaign_values_the_table_cannot_state (void)
{
  static const struct { const char *fields, *status, *field; } cases[] = {
    { "\"channels\": [\"phone\", \"sms\"], \"channel_costs\": {\"phone\": 350}", "invalid", "channel_costs" },
    { "\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": 8, \"email\": 1}", "invalid", "channel_costs" },
    { "\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": -1}", "invalid", "channel_costs" },
    { "\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": 8.5}", "invalid", "channel_costs" },
    { "\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": \"8\"}", "invalid", "channel_costs" },
    { "\"channels\": [], \"channel_costs\": {}", "invalid", "channels" },
    { "\"channels\": [\"sms\"], \"channel_costs\": [8]", "invalid", "channel_costs" },
    { "\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": 8}, \"ends_on\": \"2026-11-30\"", "invalid", "ends_on" },
    { "\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": 8}, \"offer_price\": 100, \"offer_discount\": 5",
      "invalid", "offer_discount" },
    { "\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": 8},"
      " \"segment_id\": \"00000000-0000-4000-8000-000000000000\"", "not_found", "segment_id" },
    { "\"channels\": [\"sms\"], \"channel_costs\": {\"sms\": 8},"
      " \"offer_product_id\": \"00000000-0000-4000-8000-000000000000\"", "not_found", "offer_product_id" },
  };
  g_autofree char *campaign = new_campaign ("marketing", NULL, "draft");
  g_autoptr(Response) drop_channel = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      /* the period, unless the case gives its end */
      g_autofree char *fields = g_strdup_printf ("{\"name\": \"Bad\", \"kind\": \"promotion\","
                                                 " \"starts_on\": \"2026-12-01\"%s, %s}",
                                                 strstr (cases[i].fields, "ends_on") ? ""
                                                   : ", \"ends_on\": \"2026-12-31\"",
                                                 cases[i].fields);
      g_autoptr(Response) r = mutate ("marketing", "campaign", "create", id, fields, NULL);

      g_test_message ("%s", fields);
      assert_error (r, g_str_equal (cases[i].status, "invalid") ? 400 : 404, cases[i].status, cases[i].field);
      g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.campaigns WHERE id = $1::uuid", id, NULL), ==, 0);
    }

  /* dropping a channel without its cost leaves a cost of no channel */
  drop_channel = mutate ("marketing", "campaign", "update", campaign, "{\"channels\": [\"sms\"]}",
                         "{\"channels\": [\"phone\", \"sms\"]}");
  assert_error (drop_channel, 400, "invalid", "channels");
}

/* Only a draft is deleted; a segment is not while a campaign uses it. */
static void
test_deletes_refused_while_in_use (void)
{
  g_autofree char *segment = new_segment ("marketing", "Used");
  g_autofree char *draft = new_campaign ("marketing", segment, "draft");
  g_autofree char *planned = new_campaign ("admin", segment, "planned");
  g_autoptr(Response) used = mutate ("marketing", "segment", "delete", segment, NULL, NULL);
  g_autoptr(Response) not_draft = mutate ("marketing", "campaign", "delete", planned, NULL, NULL);
  g_autoptr(Response) draft_gone = NULL;
  g_autoptr(Response) planned_back = NULL;
  g_autoptr(Response) planned_gone = NULL;
  g_autoptr(Response) segment_gone = NULL;

  assert_error (used, 409, "conflict", "id");
  assert_error (not_draft, 409, "conflict", "status");
  g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.segments WHERE id = $1::uuid", segment, NULL), ==, 1);
  g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.campaigns WHERE id = $1::uuid", planned, NULL), ==, 1);

  draft_gone = mutate ("admin", "campaign", "delete", draft, NULL, NULL);
  g_assert_cmpuint (draft_gone->status, ==, 200);
  g_assert_cmpuint (move (planned, "planned", "draft", &planned_back), ==, 200);
  planned_gone = mutate ("marketing", "campaign", "delete", planned, NULL, NULL);
  g_assert_cmpuint (planned_gone->status, ==, 200);
  segment_gone = mutate ("marketing", "segment", "delete", segment, NULL, NULL);
  g_assert_cmpuint (segment_gone->status, ==, 200);
  g_assert_cmpint (scalar_int ("SELECT count(*) FROM crm.segments WHERE id = $1::uuid", segment, NULL), ==, 0);
}

/* The keys ("<campaign_id>/<customer_id>") of the campaign members a
 * first sync sends @login, every page. */
static GHashTable *
synced_members (const char *login)
{
  g_autofree char *token = token_of (login);
  g_autofree char *cursor = NULL;
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (;;)
    {
      g_autofree char *path = cursor ? g_strdup_printf ("sync?limit=2000&cursor=%s", cursor)
                                     : g_strdup ("sync?limit=2000");
      g_autoptr(Response) r = get (path, token);
      JsonArray *members;

      g_assert_cmpuint (r->status, ==, 200);
      members = json_object_get_array_member (obj (r), "campaign_members");
      for (guint i = 0; i < json_array_get_length (members); i++)
        {
          JsonObject *m = json_array_get_object_element (members, i);

          g_hash_table_add (keys, g_strdup_printf ("%s/%s", json_object_get_string_member (m, "campaign_id"),
                                                   json_object_get_string_member (m, "customer_id")));
        }
      g_free (cursor);
      cursor = g_strdup (json_object_get_string_member (obj (r), "cursor"));
      if (!json_object_get_boolean_member (obj (r), "more"))
        return keys;
    }
}

/* Whether the 360° timeline of @customer, as @login reads it, names
 * @campaign. */
static gboolean
timeline_names (const char *login,
                const char *customer,
                const char *campaign)
{
  g_autofree char *token = token_of (login);
  g_autofree char *path = g_strdup_printf ("customers/%s/360", customer);
  g_autoptr(Response) r = get (path, token);
  JsonArray *timeline;

  g_assert_cmpuint (r->status, ==, 200);
  timeline = json_object_get_array_member (obj (r), "timeline");
  for (guint i = 0; i < json_array_get_length (timeline); i++)
    {
      JsonObject *entry = json_array_get_object_element (timeline, i);
      JsonObject *record = json_object_get_object_member (entry, "record");

      if (g_str_equal (json_object_get_string_member (entry, "kind"), "campaign_member") &&
          g_str_equal (json_object_get_string_member (record, "campaign_id"), campaign))
        return TRUE;
    }
  return FALSE;
}

/* A customer of `manager` in one running campaign's control group and
 * another's treated group: the manager's sync and 360° view hold the
 * treated membership only; marketing's both. */
static void
test_control_group_never_reaches_account_managers (void)
{
  g_autofree char *manager = user_id ("manager");
  g_autofree char *customer = scalar ("SELECT c.id::text FROM crm.customers c WHERE c.owner_id = $1::uuid"
                                      " ORDER BY c.id LIMIT 1", manager, NULL);
  g_autofree char *held_back = scalar ("INSERT INTO crm.campaigns (name, kind, channels, status, starts_on, ends_on,"
                                       "  channel_costs, launched_at)"
                                       " VALUES ('Held back', 'retention', '{phone}', 'running', current_date,"
                                       "         current_date + 30, '{\"phone\": 300}', now()) RETURNING id::text",
                                       NULL, NULL);
  g_autofree char *treated = scalar ("INSERT INTO crm.campaigns (name, kind, channels, status, starts_on, ends_on,"
                                     "  channel_costs, launched_at)"
                                     " VALUES ('Called', 'care', '{phone}', 'running', current_date,"
                                     "         current_date + 30, '{\"phone\": 300}', now()) RETURNING id::text",
                                     NULL, NULL);
  g_autofree char *control_key = g_strdup_printf ("%s/%s", held_back, customer);
  g_autofree char *treated_key = g_strdup_printf ("%s/%s", treated, customer);
  g_autoptr(GHashTable) by_manager = NULL;
  g_autoptr(GHashTable) by_marketing = NULL;

  g_assert_nonnull (customer);
  g_free (scalar ("INSERT INTO crm.campaign_members (campaign_id, customer_id, is_control)"
                  " VALUES ($1::uuid, $2::uuid, true) RETURNING 1", held_back, customer));
  g_free (scalar ("INSERT INTO crm.campaign_members (campaign_id, customer_id, is_control, assigned_to)"
                  " SELECT $1::uuid, c.id, false, c.owner_id FROM crm.customers c WHERE c.id = $2::uuid RETURNING 1",
                  treated, customer));

  by_manager = synced_members ("manager");
  g_assert_true (g_hash_table_contains (by_manager, treated_key));
  g_assert_false (g_hash_table_contains (by_manager, control_key));
  /* nor any other control member of the manager's customers */
  g_assert_cmpint (g_hash_table_size (by_manager), ==,
                   scalar_int ("SELECT count(*) FROM crm.campaign_members m JOIN crm.customers c ON c.id = m.customer_id"
                               " WHERE c.owner_id = $1::uuid AND NOT m.is_control", manager, NULL));
  g_assert_true (timeline_names ("manager", customer, treated));
  g_assert_false (timeline_names ("manager", customer, held_back));

  by_marketing = synced_members ("marketing");
  g_assert_true (g_hash_table_contains (by_marketing, treated_key));
  g_assert_true (g_hash_table_contains (by_marketing, control_key));
  g_assert_true (timeline_names ("marketing", customer, treated));
  g_assert_true (timeline_names ("marketing", customer, held_back));
}

/* Set-up ------------------------------------------------------------------- */

static void
seed (void)
{
  const char *program = g_getenv ("KEYLINE_SERVER");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (program);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error,
                              program, "--database", conninfo, "seed", "--customers", "600", "--seed", "11", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static void
open_sessions (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);

  for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
    {
      g_autofree char *token = token_of (logins[i]);
      g_autoptr(PGresult) res = crm_test_pg_query (conn,
                                                   "SELECT crm.open_session(u.id, sha256(convert_to($1, 'UTF8')),"
                                                   "                        interval '1 hour', NULL)"
                                                   "  FROM crm.users u WHERE u.login = $2",
                                                   token, logins[i]);

      g_assert_cmpint (PQntuples (res), ==, 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmConfig) config = crm_config_new ();
  int status;

  g_test_init (&argc, &argv, NULL);
  crm_auth_init (NULL);

  if (!crm_test_pg_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset)");
      return g_test_run ();
    }

  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  seed ();
  open_sessions ();

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

  g_test_add_func ("/server/campaign-writes/segment/written-by-marketing-and-admin",
                   test_segment_written_by_marketing_and_admin);
  g_test_add_func ("/server/campaign-writes/segment/bad-criteria-is-refused-with-the-pointer",
                   test_segment_bad_criteria_is_refused_with_the_pointer);
  g_test_add_func ("/server/campaign-writes/campaign/written-by-marketing-and-admin",
                   test_campaign_written_by_marketing_and_admin);
  g_test_add_func ("/server/campaign-writes/other-roles-are-refused", test_other_roles_are_refused);
  g_test_add_func ("/server/campaign-writes/server-fields-are-never-written", test_server_fields_are_never_written);
  g_test_add_func ("/server/campaign-writes/campaign/status-moves", test_campaign_status_moves);
  g_test_add_func ("/server/campaign-writes/campaign/made-by-mutations-launches-and-then-freezes",
                   test_campaign_made_by_mutations_launches_and_freezes);
  g_test_add_func ("/server/campaign-writes/campaign/values-the-table-cannot-state",
                   test_campaign_values_the_table_cannot_state);
  g_test_add_func ("/server/campaign-writes/deletes-refused-while-in-use", test_deletes_refused_while_in_use);
  g_test_add_func ("/server/campaign-writes/control-group/never-reaches-account-managers",
                   test_control_group_never_reaches_account_managers);

  status = g_test_run ();
  crm_server_stop (server);
  crm_test_http_shutdown ();
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  g_free (base_url);
  return status;
}
