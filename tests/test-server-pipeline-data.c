/* The pipeline's data (issue 10, server/sql/0014-pipeline.sql): the
 * stages as data and who changes them, the opportunities' new fields
 * through the mutation path, and the migration of existing
 * opportunities; against an in-process server and a seeded throwaway
 * database (keyline-server seed --customers 300). */
#define G_LOG_DOMAIN "test-server-pipeline-data"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-db.h"
#include "crm-entity.h"
#include "crm-error.h"
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

static char *
scalar2 (PGconn     *conn,
         const char *sql,
         const char *param1,
         const char *param2)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, param1, param2);

  return PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

/* The @n-th customer of the account manager `manager`. */
static char *
own_customer (PGconn *conn,
              guint   n)
{
  g_autofree char *offset = g_strdup_printf ("%u", n);

  return scalar (conn, "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                       " WHERE u.login = 'manager' ORDER BY c.id OFFSET $1::integer LIMIT 1", offset);
}

static Response *
post_write (const char *token,
            const char *op,
            const char *entity,
            const char *id,
            const char *fields,
            const char *base)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *body = NULL;

  if (base != NULL)
    body = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"%s\",\"op\":\"%s\",\"id\":\"%s\",\"fields\":%s,"
                            "\"base\":%s}", key, entity, op, id, fields, base);
  else
    body = g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"%s\",\"op\":\"%s\",\"id\":\"%s\",\"fields\":%s}",
                            key, entity, op, id, fields);
  return post_json ("mutations", token, body);
}

static JsonObject *
record_of (Response *r)
{
  return json_object_get_object_member (obj (r), "record");
}

/* A connection of keyline_app inside a transaction, signed in with @token
 * as a request is: row-level security decides (the owner's connection,
 * a superuser's, passes every policy). */
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
  PQclear (crm_test_pg_query (conn, "BEGIN", NULL, NULL));
  PQclear (crm_test_pg_query (conn, "SELECT crm.authenticate(sha256(convert_to($1, 'UTF8')))", token, NULL));
  return conn;
}

/* Every record of @plural a full sync sends to @token, by key text (the
 * entity's key fields joined by '/'), and every page's body appended to
 * @bodies if not NULL. */
static GHashTable *
sync_records (const char *token,
              const char *plural,
              GString    *bodies)
{
  const CrmEntityInfo *info = crm_entity_info_lookup (plural);
  GHashTable *records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  g_autofree char *cursor = NULL;

  g_assert_nonnull (info);
  for (;;)
    {
      g_autofree char *path = cursor ? g_strdup_printf ("sync?limit=2000&cursor=%s", cursor)
                                     : g_strdup ("sync?limit=2000");
      g_autoptr(Response) r = get (path, token);
      JsonArray *array;

      if (r->status != 200)
        g_error ("GET %s: %u %s", path, r->status, r->body);
      if (bodies != NULL)
        g_string_append (bodies, r->body);
      array = json_object_get_array_member (obj (r), plural);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *o = json_array_get_object_element (array, i);
          g_autoptr(GString) key = g_string_new (NULL);

          for (guint k = 0; info->key[k]; k++)
            {
              JsonNode *node = json_object_get_member (o, info->key[k]);

              if (k > 0)
                g_string_append_c (key, '/');
              if (json_node_get_value_type (node) == G_TYPE_STRING)
                g_string_append (key, json_node_get_string (node));
              else
                g_string_append_printf (key, "%" G_GINT64_FORMAT, json_node_get_int (node));
            }
          g_hash_table_replace (records, g_strdup (key->str), json_object_ref (o));
        }
      g_free (cursor);
      cursor = g_strdup (json_object_get_string_member (obj (r), "cursor"));
      if (!json_object_get_boolean_member (obj (r), "more"))
        return records;
    }
}

/* Creates an opportunity of `manager`'s @n-th customer with @extra
 * fields ("" or ",\"x\":…"); returns its id. */
static char *
create_opportunity (const char *token,
                    PGconn     *conn,
                    guint       n,
                    const char *extra)
{
  g_autofree char *customer = own_customer (conn, n);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *fields = g_strdup_printf ("{\"customer_id\":\"%s\",\"name\":\"管道测试商机\","
                                             "\"stage\":\"prospecting\",\"amount_once\":100000,"
                                             "\"amount_monthly\":5000%s}", customer, extra);
  g_autoptr(Response) r = post_write (token, "create", "opportunity", id, fields, NULL);

  if (r->status != 201)
    g_error ("create: %u %s", r->status, r->body);
  return g_steal_pointer (&id);
}

/* Stages ------------------------------------------------------------------- */

static void
stages_are_seeded_in_board_order (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autoptr(PGresult) res = crm_test_pg_query (conn, "SELECT stage, position, default_probability, is_open"
                                                     " FROM crm.pipeline_stages ORDER BY position", NULL, NULL);
  const char *expected[][4] = {
    { "prospecting", "1", "10", "t" }, { "qualification", "2", "25", "t" }, { "proposal", "3", "50", "t" },
    { "negotiation", "4", "75", "t" }, { "won", "5", "100", "f" }, { "lost", "6", "0", "f" },
  };

  g_assert_cmpint (PQntuples (res), ==, G_N_ELEMENTS (expected));
  for (int i = 0; i < PQntuples (res); i++)
    for (int j = 0; j < 4; j++)
      g_assert_cmpstr (PQgetvalue (res, i, j), ==, expected[i][j]);
}

/* Every sales role receives the six stages; marketing and service none
 * (the stage is skipped for them, and the policy shows them nothing). */
static void
stages_sync_to_sales_roles (void)
{
  const char *logins[] = { "admin", "director", "manager", "marketing", "service" };
  const guint expected[] = { 6, 6, 6, 0, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
    {
      g_autofree char *token = sign_in_with (logins[i], PASSWORD);
      g_autoptr(GHashTable) stages = sync_records (token, "pipeline_stages", NULL);

      g_test_message ("%s", logins[i]);
      g_assert_cmpuint (g_hash_table_size (stages), ==, expected[i]);
      if (expected[i] > 0)
        {
          JsonObject *proposal = g_hash_table_lookup (stages, "proposal");

          g_assert_nonnull (proposal);
          g_assert_cmpint (json_object_get_int_member (proposal, "position"), ==, 3);
          g_assert_true (json_object_get_boolean_member (proposal, "is_open"));
          g_assert_true (json_object_has_member (proposal, "default_probability"));
          g_assert_false (json_object_has_member (proposal, "sync_xid"));
        }
    }
}

/* A manager or a director is refused (403: they may see a stage but
 * change none of its fields, so the error names the record), and the
 * database refuses a manager who writes the table directly; an
 * administrator's change is answered with the record, synced, and
 * recorded in the audit log. */
static void
only_an_admin_changes_a_default_probability (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autoptr(Response) by_manager = NULL;
  g_autoptr(Response) by_director = NULL;
  g_autoptr(Response) by_admin = NULL;
  g_autoptr(Response) bad = NULL;
  g_autoptr(Response) unknown = NULL;
  g_autoptr(GHashTable) synced = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *audited = NULL;

  by_manager = post_write (manager, "update", "pipeline_stage", "negotiation", "{\"default_probability\":90}",
                           "{\"default_probability\":75}");
  assert_error (by_manager, 403, "forbidden", "id");
  by_director = post_write (director, "update", "pipeline_stage", "negotiation", "{\"default_probability\":90}",
                            "{\"default_probability\":75}");
  assert_error (by_director, 403, "forbidden", "id");
  stored = scalar (conn, "SELECT default_probability || ' ' || version FROM crm.pipeline_stages"
                         " WHERE stage = 'negotiation'", NULL);
  g_assert_cmpstr (stored, ==, "75 1");

  /* the database itself: a director's update finds no row */
  {
    g_autoptr(PGconn) app = app_begin (director);
    g_autoptr(PGresult) res = crm_test_pg_query (app, "UPDATE crm.pipeline_stages SET default_probability = 90"
                                                      " WHERE stage = 'negotiation'", NULL, NULL);

    g_assert_cmpstr (PQcmdTuples (res), ==, "0");
    PQclear (crm_test_pg_query (app, "ROLLBACK", NULL, NULL));
  }

  bad = post_write (admin, "update", "pipeline_stage", "negotiation", "{\"default_probability\":101}",
                    "{\"default_probability\":75}");
  assert_error (bad, 400, "invalid", "default_probability");
  unknown = post_write (admin, "update", "pipeline_stage", "closing", "{\"default_probability\":80}",
                        "{\"default_probability\":75}");
  assert_error (unknown, 400, "invalid", "id");

  by_admin = post_write (admin, "update", "pipeline_stage", "negotiation", "{\"default_probability\":80}",
                         "{\"default_probability\":75}");
  g_assert_cmpuint (by_admin->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (record_of (by_admin), "stage"), ==, "negotiation");
  g_assert_cmpint (json_object_get_int_member (record_of (by_admin), "default_probability"), ==, 80);
  g_assert_cmpint (json_object_get_int_member (record_of (by_admin), "version"), ==, 2);
  g_clear_pointer (&stored, g_free);
  stored = scalar (conn, "SELECT default_probability FROM crm.pipeline_stages WHERE stage = 'negotiation'", NULL);
  g_assert_cmpstr (stored, ==, "80");
  audited = scalar (conn, "SELECT count(*) FROM crm.audit_log WHERE entity = 'pipeline_stage'"
                          " AND detail->'record'->>'stage' = 'negotiation'", NULL);
  g_assert_cmpstr (audited, ==, "1");

  synced = sync_records (manager, "pipeline_stages", NULL);
  g_assert_cmpint (json_object_get_int_member (g_hash_table_lookup (synced, "negotiation"), "default_probability"),
                   ==, 80);

  /* back as it was, for the other tests */
  g_clear_pointer (&by_admin, response_free);
  by_admin = post_write (admin, "update", "pipeline_stage", "negotiation", "{\"default_probability\":75}",
                         "{\"default_probability\":80}");
  g_assert_cmpuint (by_admin->status, ==, 200);
}

/* Opportunities -------------------------------------------------------------- */

/* Made without a probability it has none (the stage's default); set, it
 * is the opportunity's; set to null again, the default once more; the
 * sync sends the null. */
static void
null_probability_round_trips (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = create_opportunity (manager, conn, 1, "");
  g_autofree char *stored = NULL;
  g_autoptr(Response) set = NULL;
  g_autoptr(Response) cleared = NULL;
  g_autoptr(GHashTable) synced = NULL;
  JsonObject *o;

  stored = scalar (conn, "SELECT coalesce(probability::text, 'null') FROM crm.opportunities WHERE id = $1", id);
  g_assert_cmpstr (stored, ==, "null");

  set = post_write (manager, "update", "opportunity", id, "{\"probability\":35}", "{\"probability\":null}");
  g_assert_cmpuint (set->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (record_of (set), "probability"), ==, 35);

  cleared = post_write (manager, "update", "opportunity", id, "{\"probability\":null}", "{\"probability\":35}");
  g_assert_cmpuint (cleared->status, ==, 200);
  g_assert_true (json_object_get_null_member (record_of (cleared), "probability"));
  g_clear_pointer (&stored, g_free);
  stored = scalar (conn, "SELECT coalesce(probability::text, 'null') FROM crm.opportunities WHERE id = $1", id);
  g_assert_cmpstr (stored, ==, "null");

  synced = sync_records (manager, "opportunities", NULL);
  o = g_hash_table_lookup (synced, id);
  g_assert_nonnull (o);
  g_assert_true (json_object_get_null_member (o, "probability"));
  /* the defaults of the columns a create left out */
  g_assert_cmpint (json_object_get_int_member (o, "contract_months"), ==, 12);
  g_assert_cmpstr (json_object_get_string_member (o, "source"), ==, "direct");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "product_lines")), ==, 0);
}

/* stage_changed_at is set when it is made and moves with a change of
 * stage, to the time the history records; other edits leave it. */
static void
stage_changed_at_moves_on_a_stage_change_only (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *id = create_opportunity (manager, conn, 2, "");
  g_autofree char *made = NULL, *after_edit = NULL, *after_move = NULL, *history = NULL;
  g_autoptr(Response) edit = NULL;
  g_autoptr(Response) move = NULL;

  made = scalar (conn, "SELECT stage_changed_at FROM crm.opportunities WHERE id = $1", id);
  history = scalar (conn, "SELECT max(changed_at) FROM crm.opportunity_stage_history WHERE opportunity_id = $1", id);
  g_assert_cmpstr (made, ==, history);

  edit = post_write (manager, "update", "opportunity", id, "{\"name\":\"改名不换阶段\",\"next_step\":\"约见技术负责人\"}",
                     "{\"name\":\"管道测试商机\",\"next_step\":null}");
  g_assert_cmpuint (edit->status, ==, 200);
  after_edit = scalar (conn, "SELECT stage_changed_at FROM crm.opportunities WHERE id = $1", id);
  g_assert_cmpstr (after_edit, ==, made);
  g_assert_cmpstr (json_object_get_string_member (record_of (edit), "next_step"), ==, "约见技术负责人");

  g_usleep (20 * 1000);
  move = post_write (manager, "update", "opportunity", id, "{\"stage\":\"qualification\"}",
                     "{\"stage\":\"prospecting\"}");
  g_assert_cmpuint (move->status, ==, 200);
  after_move = scalar2 (conn, "SELECT o.stage_changed_at > $2::timestamptz FROM crm.opportunities o WHERE o.id = $1",
                        id, made);
  g_assert_cmpstr (after_move, ==, "t");
  g_clear_pointer (&after_move, g_free);
  g_clear_pointer (&history, g_free);
  after_move = scalar (conn, "SELECT stage_changed_at FROM crm.opportunities WHERE id = $1", id);
  history = scalar (conn, "SELECT max(changed_at) FROM crm.opportunity_stage_history WHERE opportunity_id = $1", id);
  g_assert_cmpstr (after_move, ==, history);
}

/* The new fields as a client writes them, and their refusals, each
 * naming the field. */
static void
new_fields_are_written_and_checked (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *campaign = scalar (conn, "SELECT id FROM crm.campaigns ORDER BY id LIMIT 1", NULL);
  g_autofree char *extra = g_strdup_printf (",\"product_lines\":[\"cloud\",\"dedicated_line\"],\"contract_months\":36,"
                                            "\"source\":\"campaign\",\"campaign_id\":\"%s\"", campaign);
  g_autofree char *id = create_opportunity (manager, conn, 3, extra);
  g_autofree char *stored = NULL;
  g_autofree char *expected = g_strdup_printf ("{dedicated_line,cloud} 36 campaign %s", campaign);
  struct { const char *fields, *base, *field; } bad[] = {
    { "{\"product_lines\":[\"telepathy\"]}", "{\"product_lines\":[\"cloud\",\"dedicated_line\"]}", "product_lines" },
    { "{\"product_lines\":[\"cloud\",\"cloud\"]}", "{\"product_lines\":[\"cloud\",\"dedicated_line\"]}",
      "product_lines" },
    { "{\"product_lines\":\"cloud\"}", "{\"product_lines\":[\"cloud\",\"dedicated_line\"]}", "product_lines" },
    { "{\"product_lines\":null}", "{\"product_lines\":[\"cloud\",\"dedicated_line\"]}", "product_lines" },
    { "{\"contract_months\":0}", "{\"contract_months\":36}", "contract_months" },
    { "{\"contract_months\":121}", "{\"contract_months\":36}", "contract_months" },
    { "{\"source\":\"telemarketing\"}", "{\"source\":\"campaign\"}", "source" },
    /* a campaign belongs to the source campaign */
    { "{\"source\":\"direct\"}", "{\"source\":\"campaign\"}", "source" },
  };

  g_assert_nonnull (campaign);
  stored = scalar (conn, "SELECT product_lines::text || ' ' || contract_months || ' ' || source || ' ' || campaign_id"
                         " FROM crm.opportunities WHERE id = $1", id);
  g_assert_cmpstr (stored, ==, expected);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(Response) r = post_write (manager, "update", "opportunity", id, bad[i].fields, bad[i].base);

      g_test_message ("%s", bad[i].fields);
      assert_error (r, 400, "invalid", bad[i].field);
    }
  {
    g_autoptr(Response) r = post_write (manager, "update", "opportunity", id,
                                        "{\"source\":\"direct\",\"campaign_id\":null,\"product_lines\":[]}",
                                        "{\"source\":\"campaign\",\"campaign_id\":null,"
                                        "\"product_lines\":[\"dedicated_line\",\"cloud\"]}");

    /* the base of campaign_id is not what it holds: a conflict */
    assert_error (r, 412, "precondition_failed", NULL);
  }
  {
    g_autofree char *base = g_strdup_printf ("{\"source\":\"campaign\",\"campaign_id\":\"%s\","
                                             "\"product_lines\":[\"dedicated_line\",\"cloud\"]}", campaign);
    g_autoptr(Response) r = post_write (manager, "update", "opportunity", id,
                                        "{\"source\":\"direct\",\"campaign_id\":null,\"product_lines\":[]}", base);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (record_of (r), "product_lines")), ==, 0);
  }
}

/* Sales targets ------------------------------------------------------------ */

#define DIRECTOR_SUBTREE \
  "crm.region_subtree((SELECT region_id FROM crm.users WHERE login = 'director'))"

/* A sales team inside (@inside) or outside the director's region subtree. */
static char *
team_of_region (PGconn  *conn,
                gboolean inside)
{
  return scalar (conn, inside ? "SELECT t.id FROM crm.teams t WHERE t.region_id = ANY (" DIRECTOR_SUBTREE ")"
                                " ORDER BY t.id LIMIT 1"
                              : "SELECT t.id FROM crm.teams t WHERE NOT t.region_id = ANY (" DIRECTOR_SUBTREE ")"
                                " ORDER BY t.id LIMIT 1", NULL);
}

/* An account manager inside the director's region subtree, or a sales
 * user outside it (the small demo has managers in one province only:
 * the other provinces' directors). */
static char *
manager_of_region (PGconn  *conn,
                   gboolean inside)
{
  return scalar (conn, inside ? "SELECT u.id FROM crm.users u WHERE u.role = 'manager'"
                                " AND u.region_id = ANY (" DIRECTOR_SUBTREE ") ORDER BY u.id LIMIT 1"
                              : "SELECT u.id FROM crm.users u WHERE u.role IN ('manager', 'director')"
                                " AND NOT u.region_id = ANY (" DIRECTOR_SUBTREE ") ORDER BY u.id LIMIT 1", NULL);
}

/* Creates a 'revenue' target for 2027-@month of @subject ("user_id" or
 * "team_id") @id with @token; returns the answer. */
static Response *
create_target (const char *token,
               const char *target_id,
               const char *subject,
               const char *id,
               int         month,
               gint64      amount)
{
  g_autofree char *fields = g_strdup_printf ("{\"%s\":\"%s\",\"period_start\":\"2027-%02d-01\","
                                             "\"period_end\":\"2027-%02d-28\",\"metric\":\"revenue\","
                                             "\"target\":%" G_GINT64_FORMAT "}", subject, id, month, month, amount);

  return post_write (token, "create", "sales_target", target_id, fields, NULL);
}

/* An administrator sets anyone's target, and changes it. */
static void
admin_sets_anyones_target (void)
{
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *outside = manager_of_region (conn, FALSE);
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(Response) made = create_target (admin, id, "user_id", outside, 1, 50000000);
  g_autoptr(Response) changed = NULL;
  g_autofree char *stored = NULL;

  g_assert_cmpuint (made->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (record_of (made), "user_id"), ==, outside);
  changed = post_write (admin, "update", "sales_target", id, "{\"target\":60000000}", "{\"target\":50000000}");
  g_assert_cmpuint (changed->status, ==, 200);
  stored = scalar (conn, "SELECT target || ' ' || metric || ' ' || period_start FROM crm.sales_targets WHERE id = $1",
                   id);
  g_assert_cmpstr (stored, ==, "60000000 revenue 2027-01-01");
}

/* A director sets the targets of the teams and people of their region
 * subtree, and changes them; the sync sends them to the director. */
static void
director_sets_targets_in_their_subtree (void)
{
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *team = team_of_region (conn, TRUE);
  g_autofree char *person = manager_of_region (conn, TRUE);
  g_autofree char *team_target = g_uuid_string_random ();
  g_autofree char *person_target = g_uuid_string_random ();
  g_autoptr(Response) a = create_target (director, team_target, "team_id", team, 2, 300000000);
  g_autoptr(Response) b = create_target (director, person_target, "user_id", person, 2, 80000000);
  g_autoptr(Response) changed = NULL;
  g_autoptr(GHashTable) synced = NULL;

  g_assert_nonnull (team);
  g_assert_nonnull (person);
  g_assert_cmpuint (a->status, ==, 201);
  g_assert_cmpuint (b->status, ==, 201);
  changed = post_write (director, "update", "sales_target", person_target, "{\"target\":90000000}",
                        "{\"target\":80000000}");
  g_assert_cmpuint (changed->status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (record_of (changed), "target"), ==, 90000000);
  synced = sync_records (director, "sales_targets", NULL);
  g_assert_true (g_hash_table_contains (synced, team_target));
  g_assert_cmpint (json_object_get_int_member (g_hash_table_lookup (synced, person_target), "target"), ==, 90000000);
}

/* Outside their subtree a director is refused, naming the field (403);
 * a target there they cannot see is 404; the database's policy refuses
 * the same insert. */
static void
director_outside_their_subtree_is_refused (void)
{
  g_autofree char *director = sign_in_with ("director", PASSWORD);
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *team = team_of_region (conn, FALSE);
  g_autofree char *person = manager_of_region (conn, FALSE);
  g_autofree char *inside = team_of_region (conn, TRUE);
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *theirs = g_uuid_string_random ();
  g_autofree char *mine = g_uuid_string_random ();
  g_autofree char *move = NULL;
  g_autoptr(Response) by_team = NULL;
  g_autoptr(Response) by_user = NULL;
  g_autoptr(Response) made = NULL;
  g_autoptr(Response) change = NULL;
  g_autoptr(Response) made_mine = NULL;
  g_autoptr(Response) moved = NULL;
  g_autofree char *count = NULL;

  g_assert_nonnull (team);
  g_assert_nonnull (person);
  by_team = create_target (director, id, "team_id", team, 3, 100);
  assert_error (by_team, 403, "forbidden", "team_id");
  by_user = create_target (director, id, "user_id", person, 3, 100);
  assert_error (by_user, 403, "forbidden", "user_id");
  count = scalar (conn, "SELECT count(*) FROM crm.sales_targets WHERE id = $1", id);
  g_assert_cmpstr (count, ==, "0");

  /* one an administrator set outside: the director does not see it */
  made = create_target (admin, theirs, "team_id", team, 3, 100);
  g_assert_cmpuint (made->status, ==, 201);
  change = post_write (director, "update", "sales_target", theirs, "{\"target\":1}", "{\"target\":100}");
  assert_error (change, 404, "not_found", "id");

  /* nor may a director move one of theirs outside */
  made_mine = create_target (director, mine, "team_id", inside, 3, 100);
  g_assert_cmpuint (made_mine->status, ==, 201);
  move = g_strdup_printf ("{\"team_id\":\"%s\"}", team);
  {
    g_autofree char *base = g_strdup_printf ("{\"team_id\":\"%s\"}", inside);

    moved = post_write (director, "update", "sales_target", mine, move, base);
  }
  assert_error (moved, 403, "forbidden", "team_id");

  /* the policy, without the function */
  {
    g_autoptr(PGconn) app = app_begin (director);
    g_autoptr(PGresult) res = PQexecParams (app, "INSERT INTO crm.sales_targets (team_id, period_start, period_end,"
                                                 " metric, target) VALUES ($1::uuid, '2027-04-01', '2027-04-30',"
                                                 " 'revenue', 1)", 1, NULL, (const char *[]) { team }, NULL, NULL, 0);

    g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);
    g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "42501");
  }
}

/* An account manager (and marketing, service) sets no target. */
static void
manager_is_refused (void)
{
  g_autofree char *manager = sign_in_with ("manager", PASSWORD);
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *self = scalar (conn, "SELECT id FROM crm.users WHERE login = 'manager'", NULL);
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(Response) create = create_target (manager, id, "user_id", self, 5, 100);
  g_autoptr(Response) made = NULL;
  g_autoptr(Response) change = NULL;

  assert_error (create, 403, "forbidden", "op");
  made = create_target (admin, id, "user_id", self, 5, 100);
  g_assert_cmpuint (made->status, ==, 201);
  /* their own target: they read it, but may not change it */
  change = post_write (manager, "update", "sales_target", id, "{\"target\":1000}", "{\"target\":100}");
  assert_error (change, 403, "forbidden", "id");
}

/* Writes the field table cannot refuse are refused naming the field. */
static void
target_refusals_name_the_field (void)
{
  g_autofree char *admin = sign_in_with ("admin", PASSWORD);
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autofree char *team = team_of_region (conn, TRUE);
  g_autofree char *person = manager_of_region (conn, TRUE);
  g_autofree char *unknown = g_uuid_string_random ();
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *both = g_strdup_printf ("{\"user_id\":\"%s\",\"team_id\":\"%s\",\"period_start\":\"2027-06-01\","
                                           "\"period_end\":\"2027-06-30\",\"metric\":\"revenue\",\"target\":1}",
                                           person, team);
  g_autofree char *backwards = g_strdup_printf ("{\"team_id\":\"%s\",\"period_start\":\"2027-06-30\","
                                                "\"period_end\":\"2027-06-01\",\"metric\":\"revenue\","
                                                "\"target\":1}", team);
  g_autoptr(Response) r_both = post_write (admin, "create", "sales_target", id, both, NULL);
  g_autoptr(Response) r_none = post_write (admin, "create", "sales_target", id,
                                           "{\"period_start\":\"2027-06-01\",\"period_end\":\"2027-06-30\","
                                           "\"metric\":\"revenue\",\"target\":1}", NULL);
  g_autoptr(Response) r_unknown = create_target (admin, id, "user_id", unknown, 6, 1);
  g_autoptr(Response) r_backwards = post_write (admin, "create", "sales_target", id, backwards, NULL);
  g_autoptr(Response) r_negative = create_target (admin, id, "team_id", team, 6, -1);
  g_autoptr(Response) first = create_target (admin, id, "team_id", team, 6, 1);
  g_autofree char *again = g_uuid_string_random ();
  g_autoptr(Response) r_twice = create_target (admin, again, "team_id", team, 6, 2);
  g_autofree char *july = g_uuid_string_random ();
  g_autoptr(Response) r_july = create_target (admin, july, "team_id", team, 7, 3);
  g_autoptr(Response) r_moved = post_write (admin, "update", "sales_target", july,
                                            "{\"period_start\":\"2027-06-01\",\"period_end\":\"2027-06-28\"}",
                                            "{\"period_start\":\"2027-07-01\",\"period_end\":\"2027-07-28\"}");

  assert_error (r_both, 400, "invalid", "team_id");
  assert_error (r_none, 400, "invalid", "user_id");
  assert_error (r_unknown, 404, "not_found", "user_id");
  assert_error (r_backwards, 400, "invalid", "period_end");
  assert_error (r_negative, 400, "invalid", "target");
  g_assert_cmpuint (first->status, ==, 201);
  /* one target per subject, metric and period */
  assert_error (r_twice, 409, "conflict", "period_start");
  /* an update onto another target's period too: 409 naming the field,
   * not a stale copy (412), which it is not */
  g_assert_cmpuint (r_july->status, ==, 201);
  assert_error (r_moved, 409, "conflict", "period_start");
  g_assert_false (json_object_has_member (json_node_get_object (r_moved->json), "conflicts"));
}

/* The directory ------------------------------------------------------------ */

/* The ids of @sql's rows (as the owner, $1 the reader's login). */
static GHashTable *
id_set (PGconn     *conn,
        const char *sql,
        const char *login)
{
  g_autoptr(PGresult) res = crm_test_pg_query (conn, sql, login, NULL);
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < PQntuples (res); i++)
    g_hash_table_add (set, g_strdup (PQgetvalue (res, i, 0)));
  return set;
}

static void
assert_same_keys (GHashTable *synced,
                  GHashTable *expected)
{
  GHashTableIter iter;
  gpointer key;

  g_assert_cmpuint (g_hash_table_size (expected), >, 0);
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_assert_true (g_hash_table_contains (synced, key));
  g_hash_table_iter_init (&iter, synced);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (expected, key))
      g_error ("%s was synced, but the reader may not see it", (const char *) key);
}

/* An account manager's sync holds their own team's users and no one
 * else; a director's their region subtree's; every region and team goes
 * to everyone. */
static void
users_sync_as_far_as_the_reader_sees (void)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  struct { const char *login, *sql; } readers[] = {
    { "manager", "SELECT u.id FROM crm.users u, crm.users me WHERE me.login = $1"
                 " AND (u.id = me.id OR u.team_id = me.team_id)" },
    { "service", "SELECT u.id FROM crm.users u, crm.users me WHERE me.login = $1"
                 " AND (u.id = me.id OR u.team_id = me.team_id)" },
    { "director", "SELECT u.id FROM crm.users u, crm.users me WHERE me.login = $1"
                  " AND (u.id = me.id OR u.region_id = ANY (crm.region_subtree(me.region_id)))" },
    { "admin", "SELECT u.id FROM crm.users u WHERE $1::text IS NOT NULL" },
  };
  g_autoptr(GHashTable) all_regions = id_set (conn, "SELECT id FROM crm.regions WHERE $1::text IS NOT NULL", "x");
  g_autoptr(GHashTable) all_teams = id_set (conn, "SELECT id FROM crm.teams WHERE $1::text IS NOT NULL", "x");
  g_autofree char *outside = scalar (conn, "SELECT count(*) FROM crm.users u, crm.users me WHERE me.login = 'manager'"
                                           " AND u.team_id IS DISTINCT FROM me.team_id", NULL);

  /* the demo has users outside the manager's team to leave out */
  g_assert_cmpint (g_ascii_strtoll (outside, NULL, 10), >, 10);
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      g_autofree char *token = sign_in_with (readers[i].login, PASSWORD);
      g_autoptr(GHashTable) users = sync_records (token, "users", NULL);
      g_autoptr(GHashTable) expected = id_set (conn, readers[i].sql, readers[i].login);
      g_autoptr(GHashTable) regions = sync_records (token, "regions", NULL);
      g_autoptr(GHashTable) teams = sync_records (token, "teams", NULL);

      g_test_message ("%s: %u users", readers[i].login, g_hash_table_size (users));
      assert_same_keys (users, expected);
      assert_same_keys (regions, all_regions);
      assert_same_keys (teams, all_teams);
    }
}

/* No sync answer, to any role, carries a user's login, e-mail, phone or
 * password hash: a user record is exactly its five fields and version;
 * and the application role cannot read those columns at all. */
static void
no_secret_column_leaves (void)
{
  const char *logins[] = { "admin", "director", "manager", "marketing", "service" };
  const char *allowed[] = { "id", "display_name", "role", "team_id", "region_id", "version", "updated_at", NULL };
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  g_autoptr(PGresult) secrets = crm_test_pg_query (conn, "SELECT email, phone, password_hash, login FROM crm.users"
                                                         " WHERE email IS NOT NULL OR phone IS NOT NULL", NULL, NULL);

  g_assert_cmpint (PQntuples (secrets), >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
    {
      g_autofree char *token = sign_in_with (logins[i], PASSWORD);
      g_autoptr(GString) bodies = g_string_new (NULL);
      g_autoptr(GHashTable) users = sync_records (token, "users", bodies);
      GHashTableIter iter;
      gpointer value;

      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes", logins[i], bodies->len);
      g_assert_cmpuint (g_hash_table_size (users), >, 0);
      g_hash_table_iter_init (&iter, users);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          g_autoptr(GList) members = json_object_get_members (value);

          for (GList *l = members; l != NULL; l = l->next)
            if (!g_strv_contains (allowed, l->data))
              g_error ("a user record carries %s", (const char *) l->data);
          g_assert_cmpuint (g_list_length (members), ==, g_strv_length ((char **) allowed));
        }
      g_assert_null (strstr (bodies->str, "\"login\""));
      g_assert_null (strstr (bodies->str, "password"));
      g_assert_null (strstr (bodies->str, "$argon2"));
      for (int r = 0; r < PQntuples (secrets); r++)
        for (int c = 0; c < 3; c++)
          if (!PQgetisnull (secrets, r, c) && strstr (bodies->str, PQgetvalue (secrets, r, c)) != NULL)
            g_error ("%s's sync holds a user's %s", logins[i], PQfname (secrets, c));
    }

  /* the application role, even signed in as an administrator */
  {
    g_autofree char *admin = sign_in_with ("admin", PASSWORD);
    const char *columns[] = { "login", "email", "phone", "password_hash", "disabled" };

    for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
      {
        g_autoptr(PGconn) app = app_begin (admin);
        g_autofree char *sql = g_strdup_printf ("SELECT %s FROM crm.users", columns[c]);
        g_autoptr(PGresult) res = PQexec (app, sql);

        g_assert_cmpint (PQresultStatus (res), ==, PGRES_FATAL_ERROR);
        g_assert_cmpstr (PQresultErrorField (res, PG_DIAG_SQLSTATE), ==, "42501");
      }
  }
}

/* The migration ------------------------------------------------------------ */

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* A database at 0013 with an opportunity moved twice: after 0014 its
 * stage_changed_at is its last move, its probability its own, its new
 * columns their defaults, and a NULL probability is allowed. */
static void
migration_keeps_opportunities_and_dates_their_last_move (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = crm_test_pg_create_database (&error);
  g_auto(GStrv) names = g_resources_enumerate_children ("/org/keylinecrm/Keyline/server/sql", 0, NULL);
  g_autoptr(PGconn) conn = NULL;
  g_autofree char *stored = NULL;
  guint applied = 0;

  g_assert_no_error (error);
  g_qsort_with_data (names, g_strv_length (names), sizeof (char *), compare_names, NULL);
  {
    g_autoptr(PGconn) owner = crm_pg_connect_blocking (db, &error);

    g_assert_no_error (error);
    PQclear (PQexec (owner, "SET client_min_messages = warning"));
    PQclear (PQexec (owner, "CREATE TABLE public.crm_migrations (version integer PRIMARY KEY, name text NOT NULL,"
                            " applied_at timestamptz NOT NULL DEFAULT now())"));
    for (guint i = 0; names[i] != NULL && strcmp (names[i], "0014") < 0; i++)
      {
        g_autofree char *path = g_strconcat ("/org/keylinecrm/Keyline/server/sql/", names[i], NULL);
        g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, &error);
        g_autofree char *sql = NULL;
        g_autofree char *version = g_strndup (names[i], 4);
        const char *params[2] = { version, names[i] };
        g_autoptr(PGresult) res = NULL;

        g_assert_no_error (error);
        sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
        PQclear (PQexec (owner, "BEGIN"));
        res = PQexec (owner, sql);
        if (PQresultStatus (res) == PGRES_FATAL_ERROR)
          g_error ("%s: %s", names[i], PQerrorMessage (owner));
        PQclear (PQexecParams (owner, "INSERT INTO public.crm_migrations (version, name) VALUES ($1::integer, $2)",
                               2, NULL, params, NULL, NULL, 0));
        PQclear (PQexec (owner, "COMMIT"));
      }
  }

  conn = crm_test_pg_connect_as_admin (db);
  PQclear (crm_test_pg_query (conn,
    "WITH r AS (INSERT INTO crm.regions (code, name, level) VALUES ('T', '测试省', 1) RETURNING id),"
    " c AS (INSERT INTO crm.customers (name, kind, industry, region_id, tier, status, credit_rating)"
    "       SELECT '迁移客户', 'sme', '制造业', r.id, 'standard', 'active', 'A' FROM r RETURNING id),"
    " o AS (INSERT INTO crm.opportunities (id, customer_id, name, stage, probability, created_at)"
    "       SELECT '00000000-0000-4000-8000-000000000001', c.id, '迁移商机', 'proposal', 40,"
    "              '2026-01-05T08:00:00Z' FROM c RETURNING id)"
    " INSERT INTO crm.opportunity_stage_history (opportunity_id, from_stage, to_stage, changed_at)"
    " SELECT o.id, f, t, at::timestamptz FROM o, (VALUES (NULL::crm.opportunity_stage, 'prospecting'::crm.opportunity_stage,"
    "        '2026-01-05T08:00:00Z'), ('prospecting', 'proposal', '2026-02-10T09:30:00Z')) v (f, t, at)",
    NULL, NULL));
  g_clear_pointer (&conn, PQfinish);

  g_assert_true (crm_migrate_run (db, &applied, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (applied, >=, 1);

  conn = crm_test_pg_connect_as_admin (db);
  stored = scalar (conn, "SELECT (stage_changed_at = '2026-02-10T09:30:00Z')::text || ' ' || probability || ' '"
                         " || product_lines::text || ' ' || contract_months || ' ' || source"
                         " FROM crm.opportunities WHERE id = '00000000-0000-4000-8000-000000000001'", NULL);
  g_assert_cmpstr (stored, ==, "true 40 {} 12 direct");
  PQclear (crm_test_pg_query (conn, "UPDATE crm.opportunities SET probability = NULL", NULL, NULL));
  g_clear_pointer (&conn, PQfinish);
  crm_test_pg_drop_database (db);
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

  g_test_add_func ("/server/pipeline-data/stages/are-seeded-in-board-order", stages_are_seeded_in_board_order);
  g_test_add_func ("/server/pipeline-data/stages/sync-to-every-sales-role-and-no-other",
                   stages_sync_to_sales_roles);
  g_test_add_func ("/server/pipeline-data/stages/only-an-admin-changes-a-default-probability",
                   only_an_admin_changes_a_default_probability);
  g_test_add_func ("/server/pipeline-data/opportunity/null-probability-round-trips", null_probability_round_trips);
  g_test_add_func ("/server/pipeline-data/opportunity/stage-changed-at-moves-on-a-stage-change-only",
                   stage_changed_at_moves_on_a_stage_change_only);
  g_test_add_func ("/server/pipeline-data/opportunity/new-fields-are-written-and-checked",
                   new_fields_are_written_and_checked);
  g_test_add_func ("/server/pipeline-data/targets/admin-sets-anyones-target", admin_sets_anyones_target);
  g_test_add_func ("/server/pipeline-data/targets/director-sets-targets-in-their-region-subtree",
                   director_sets_targets_in_their_subtree);
  g_test_add_func ("/server/pipeline-data/targets/director-outside-their-region-subtree-is-refused",
                   director_outside_their_subtree_is_refused);
  g_test_add_func ("/server/pipeline-data/targets/manager-is-refused", manager_is_refused);
  g_test_add_func ("/server/pipeline-data/targets/refusals-name-the-field", target_refusals_name_the_field);
  g_test_add_func ("/server/pipeline-data/directory/users-sync-as-far-as-the-reader-sees",
                   users_sync_as_far_as_the_reader_sees);
  g_test_add_func ("/server/pipeline-data/directory/no-secret-column-leaves", no_secret_column_leaves);
  g_test_add_func ("/server/pipeline-data/migration/keeps-opportunities-and-dates-their-last-move",
                   migration_keeps_opportunities_and_dates_their_last_move);

  status = g_test_run ();

  crm_test_http_shutdown ();
  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
