#define G_LOG_DOMAIN "test-server-db"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-cursor.h"
#include "crm-db.h"
#include "crm-error.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"
#include "crm-wire.h"

/*
 * Failures stay local: a statement that fails on one request never breaks
 * the next request on the same connection, nor the requests queued behind
 * it; PostgreSQL's own words stay in the log; a session that ended is 401.
 *
 * The first tests drive a CrmDb directly on a context of their own; the
 * others start a fresh in-process server with one thread (so one database
 * connection, and every statement's first use is the test's) against a
 * throwaway database:
 *
 *   region 中国 > 广东 > 广州
 *   mgr_gz   account manager, 3 customers, each with a contact
 *   mgr_ex   account manager, 1 customer (disabled and expired by tests)
 *   boss     admin
 */

#define PASSWORD "correct horse battery"
#define MGR_GZ "10000000-0000-4000-8000-000000000001"
#define MGR_EX "10000000-0000-4000-8000-000000000002"
#define SECRET "PG-ONLY-TEXT-4711"

static char *conninfo;
static CrmConfig *config;

/* Log capture ------------------------------------------------------------- */

static GMutex log_lock;
static GString *server_log;

/* The server's warnings about the failures these tests provoke are
 * expected: recorded, printed, not fatal. */
static gboolean
fatal_cb (const char     *domain,
          GLogLevelFlags  level,
          const char     *message,
          gpointer        user_data)
{
  return domain == NULL || !g_str_has_prefix (domain, "crm-");
}

static void
record_log_cb (const char     *domain,
               GLogLevelFlags  level,
               const char     *message,
               gpointer        user_data)
{
  g_mutex_lock (&log_lock);
  g_string_append_printf (server_log, "%s: %s\n", domain, message);
  g_mutex_unlock (&log_lock);
  /* fatal_cb decides whether it is fatal; printed as a plain warning */
  g_log_default_handler (domain, level & ~G_LOG_FLAG_FATAL, message, user_data);
}

static gboolean
log_contains (const char *needle)
{
  gboolean found;

  g_mutex_lock (&log_lock);
  found = strstr (server_log->str, needle) != NULL;
  g_mutex_unlock (&log_lock);
  return found;
}

static void
log_clear (void)
{
  g_mutex_lock (&log_lock);
  g_string_truncate (server_log, 0);
  g_mutex_unlock (&log_lock);
}

/* CrmDb on its own ----------------------------------------------------------- */

typedef struct
{
  GMainContext *context;
  CrmDb        *db;
} DbFixture;

typedef struct
{
  gboolean  done;
  GError   *error;
  guint     index;   /* the statement whose value is wanted */
  char     *value;   /* its first row's first column */
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->error);
  g_clear_pointer (&o->value, g_free);
  o->done = FALSE;
}

static void
outcome_cb (CrmDbBatch   *batch,
            const GError *error,
            gpointer      user_data)
{
  Outcome *o = user_data;

  o->done = TRUE;
  if (error != NULL)
    o->error = g_error_copy (error);
  else
    {
      PGresult *res = crm_db_batch_get_result (batch, o->index);

      g_assert_nonnull (res);
      g_assert_cmpint (PQntuples (res), ==, 1);
      o->value = g_strdup (PQgetvalue (res, 0, 0));
    }
}

static void
db_fixture_set_up (DbFixture     *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->context = g_main_context_new ();
  f->db = crm_db_new (f->context, conninfo, &error);
  g_assert_no_error (error);
  /* reset by GLib at the start of every test case */
  g_test_log_set_fatal_handler (fatal_cb, NULL);
  log_clear ();
}

static void
db_fixture_tear_down (DbFixture     *f,
                      gconstpointer  data)
{
  g_clear_pointer (&f->db, crm_db_free);
  while (g_main_context_pending (f->context))
    g_main_context_iteration (f->context, FALSE);
  g_clear_pointer (&f->context, g_main_context_unref);
}

static void
wait_for (DbFixture *f,
          Outcome   *o)
{
  while (!o->done)
    g_main_context_iteration (f->context, TRUE);
}

/* Queues a batch of @n statements, each with one parameter. */
static void
queue (DbFixture     *f,
       Outcome       *o,
       const CrmSql **sql,
       const char   **values,
       guint          n,
       guint          wanted)
{
  CrmDbBatch *batch = crm_db_batch_new ();

  for (guint i = 0; i < n; i++)
    {
      const char *v[1] = { values[i] };
      guint index = crm_db_batch_add (batch, sql[i], sql[i]->n_params > 0 ? v : NULL);

      if (i == wanted)
        o->index = index;
    }
  crm_db_execute (f->db, batch, outcome_cb, o);
}

/* Runs a batch and returns its outcome's value, or NULL with @error set. */
static char *
run (DbFixture     *f,
     const CrmSql **sql,
     const char   **values,
     guint          n,
     guint          wanted,
     GError       **error)
{
  Outcome o = { 0 };

  queue (f, &o, sql, values, n, wanted);
  wait_for (f, &o);
  if (o.error)
    g_propagate_error (error, g_steal_pointer (&o.error));
  return g_steal_pointer (&o.value);
}

static const CrmSql sql_divide = { "test_divide", "SELECT (100 / $1::integer)::text", 1 };
static const CrmSql sql_echo = { "test_echo", "SELECT $1::text", 1 };
static const CrmSql sql_double = { "test_double", "SELECT ($1::integer * 2)::text", 1 };
static const CrmSql sql_broken = { "test_broken", "SELECT no_such_column FROM pg_class WHERE $1::text IS NULL", 1 };
static const CrmSql sql_number = { "test_number", "SELECT $1::integer::text", 1 };

static void
assert_runs (DbFixture     *f,
             const CrmSql **sql,
             const char   **values,
             guint          n,
             guint          wanted,
             const char    *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = run (f, sql, values, n, wanted, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, expected);
}

static void
test_db_statement_failing_on_first_use_stays_usable (DbFixture     *f,
                                                      gconstpointer  data)
{
  const CrmSql *sql[1] = { &sql_divide };
  const char *zero[1] = { "0" };
  const char *four[1] = { "4" };
  g_autoptr(GError) error = NULL;
  g_autofree char *value = run (f, sql, zero, 1, 0, &error);

  /* division by zero on the statement's first use on this connection */
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INTERNAL);
  g_assert_null (value);
  for (guint i = 0; i < 10; i++)
    assert_runs (f, sql, four, 1, 0, "25");
  g_assert_true (log_contains ("22012"));
}

static void
test_db_statement_before_the_failure_stays_usable (DbFixture     *f,
                                                    gconstpointer  data)
{
  const CrmSql *sql[2] = { &sql_echo, &sql_divide };
  const char *values[2] = { "first", "0" };
  g_autoptr(GError) error = NULL;
  g_autofree char *value = run (f, sql, values, 2, 0, &error);

  /* test_echo was prepared and ran; the batch failed after it */
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INTERNAL);
  g_clear_error (&error);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *again = run (f, sql, (const char *[]) { "again", "5" }, 2, 0, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (again, ==, "again");
    }
}

static void
test_db_statement_after_the_failure_stays_usable (DbFixture     *f,
                                                   gconstpointer  data)
{
  const CrmSql *sql[2] = { &sql_divide, &sql_double };
  const CrmSql *alone[1] = { &sql_double };
  g_autoptr(GError) error = NULL;
  g_autofree char *value = run (f, sql, (const char *[]) { "0", "1" }, 2, 1, &error);

  /* test_double never ran: the failure came first */
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INTERNAL);
  for (guint i = 0; i < 10; i++)
    {
      assert_runs (f, alone, (const char *[]) { "21" }, 1, 0, "42");
      assert_runs (f, sql, (const char *[]) { "50", "3" }, 2, 1, "6");
    }
}

static void
test_db_failing_batch_does_not_fail_the_one_queued_behind (DbFixture     *f,
                                                            gconstpointer  data)
{
  const CrmSql *failing[2] = { &sql_divide, &sql_double };
  const CrmSql *behind[1] = { &sql_double };
  Outcome a = { 0 };
  Outcome b = { 0 };

  /* Both go out in one write: the second relies on statements the first
   * one was the first to use. */
  queue (f, &a, failing, (const char *[]) { "0", "1" }, 2, 1);
  queue (f, &b, behind, (const char *[]) { "8" }, 1, 0);
  wait_for (f, &a);
  wait_for (f, &b);
  g_assert_error (a.error, CRM_ERROR, CRM_ERROR_INTERNAL);
  g_assert_no_error (b.error);
  g_assert_cmpstr (b.value, ==, "16");
  outcome_clear (&a);
  outcome_clear (&b);

  /* and so on for a few rounds on the same connection */
  for (guint i = 0; i < 10; i++)
    {
      queue (f, &a, failing, (const char *[]) { "0", "1" }, 2, 1);
      queue (f, &b, behind, (const char *[]) { "9" }, 1, 0);
      wait_for (f, &a);
      wait_for (f, &b);
      g_assert_nonnull (a.error);
      g_assert_no_error (b.error);
      g_assert_cmpstr (b.value, ==, "18");
      outcome_clear (&a);
      outcome_clear (&b);
    }
}

static void
test_db_statement_that_cannot_prepare_fails_only_its_batches (DbFixture     *f,
                                                               gconstpointer  data)
{
  const CrmSql *broken[2] = { &sql_echo, &sql_broken };
  const CrmSql *fine[1] = { &sql_echo };

  for (guint i = 0; i < 3; i++)
    {
      Outcome a = { 0 };
      Outcome b = { 0 };

      queue (f, &a, broken, (const char *[]) { "x", "y" }, 2, 0);
      queue (f, &b, fine, (const char *[]) { "fine" }, 1, 0);
      wait_for (f, &a);
      wait_for (f, &b);
      g_assert_error (a.error, CRM_ERROR, CRM_ERROR_INTERNAL);
      g_assert_no_error (b.error);
      g_assert_cmpstr (b.value, ==, "fine");
      outcome_clear (&a);
      outcome_clear (&b);
    }
  /* each attempt tried to prepare it again, never "already exists" */
  g_assert_true (log_contains ("42703"));
  g_assert_false (log_contains ("42P05"));
}

static void
test_db_error_message_is_ours_not_postgresqls (DbFixture     *f,
                                               gconstpointer  data)
{
  const CrmSql *sql[1] = { &sql_number };
  g_autoptr(GError) error = NULL;
  g_autofree char *value = run (f, sql, (const char *[]) { SECRET }, 1, 0, &error);

  /* invalid_text_representation: the caller's fault, told in our words */
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_null (strstr (error->message, SECRET));
  g_assert_null (strstr (error->message, "integer"));
  g_assert_null (strstr (error->message, "syntax"));
  /* PostgreSQL's words, with the SQLSTATE, are in the log */
  g_assert_true (log_contains ("22P02"));
  g_assert_true (log_contains (SECRET));
  g_clear_error (&error);
  assert_runs (f, sql, (const char *[]) { "7" }, 1, 0, "7");
}

/* The server ---------------------------------------------------------------- */

typedef struct
{
  CrmServer *server;
  PGconn    *admin;
} ServerFixture;

static void
server_fixture_set_up (ServerFixture *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  f->server = crm_server_start (config, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_server_get_n_threads (f->server), ==, 1);
  url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/", crm_server_get_port (f->server));
  crm_test_http_init (url);
  f->admin = crm_test_pg_connect_as_admin (conninfo);
  g_test_log_set_fatal_handler (fatal_cb, NULL);
  log_clear ();
}

static void
server_fixture_tear_down (ServerFixture *f,
                          gconstpointer  data)
{
  PQclear (crm_test_pg_query (f->admin, "UPDATE crm.users SET disabled = false", NULL, NULL));
  g_clear_pointer (&f->admin, PQfinish);
  crm_test_http_shutdown ();
  g_clear_pointer (&f->server, crm_server_stop);
}

static char *
sign_in (const char *login)
{
  return sign_in_with (login, PASSWORD);
}

/* Signs in and makes one request, so that the server's session cache
 * knows the token (as it does for a client at work). */
static char *
sign_in_and_use (const char *login)
{
  char *token = sign_in (login);
  g_autoptr(Response) r = get ("me", token);

  g_assert_cmpuint (r->status, ==, 200);
  return token;
}

static void
expire_session (ServerFixture *f,
                const char    *token)
{
  PQclear (crm_test_pg_query (f->admin,
                              "UPDATE crm.sessions SET expires_at = now() - interval '1 second'"
                              " WHERE token_hash = sha256(convert_to($1, 'UTF8'))", token, NULL));
}

static char *
scalar (ServerFixture *f,
        const char    *sql,
        const char    *param)
{
  g_autoptr(PGresult) res = crm_test_pg_query (f->admin, sql, param, NULL);

  g_assert_cmpint (PQntuples (res), ==, 1);
  return g_strdup (PQgetvalue (res, 0, 0));
}

static char *
customer_of (ServerFixture *f,
             const char    *owner)
{
  return scalar (f, "SELECT id::text FROM crm.customers WHERE owner_id = $1::uuid ORDER BY name LIMIT 1", owner);
}

/* A body never carries PostgreSQL's words. */
static void
assert_no_pg_text (Response *r)
{
  static const char * const words[] = {
    SECRET, "syntax", "SQLSTATE", "ERROR:", "relation", "violates", "crm.", "function",
    "pg_snapshot", "bigint", "timestamp with time zone", "prepared statement",
  };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (strstr (r->body, words[i]) != NULL)
      g_error ("the answer (%u) shows “%s”: %s", r->status, words[i], r->body);
}

/* An update of the customer's industry, based on what the database holds
 * now: its version and its industry (as JSON). */
static char *
industry_mutation (ServerFixture *f,
                   const char    *customer,
                   const char    *industry)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *version = scalar (f, "SELECT version::text FROM crm.customers WHERE id = $1::uuid", customer);
  g_autofree char *base = scalar (f, "SELECT to_json(industry)::text FROM crm.customers WHERE id = $1::uuid",
                                  customer);

  return g_strdup_printf ("{\"key\":\"%s\",\"entity\":\"customer\",\"op\":\"update\","
                          "\"id\":\"%s\",\"base_version\":%s,"
                          "\"fields\":{\"industry\":\"%s\"},\"base\":{\"industry\":%s}}",
                          key, customer, version, industry, base);
}

static Response *
mutate_current (ServerFixture *f,
                const char    *token,
                const char    *customer,
                const char    *industry)
{
  g_autofree char *body = industry_mutation (f, customer, industry);

  return post_json ("mutations", token, body);
}

/* A revocation reaches the server's identity cache by a notification
 * (0024), within 100 ms; @probe, revoked last, is refused within that. */
static void
wait_for_revocation (const char *probe)
{
  gint64 deadline = g_get_monotonic_time () + 100 * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      g_autoptr(Response) r = get ("me", probe);

      if (r->status == 401)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2 * G_TIME_SPAN_MILLISECOND);
    }
}

static void
test_server_expired_session_write_is_401_and_next_write_works (ServerFixture *f,
                                                                gconstpointer  data)
{
  g_autofree char *ended = sign_in_and_use ("mgr_gz");
  g_autofree char *token = sign_in_and_use ("mgr_gz");
  g_autofree char *probe = sign_in_and_use ("mgr_gz");
  g_autofree char *customer = customer_of (f, MGR_GZ);
  g_autoptr(Response) r = NULL;

  /* The database says the session has ended; once its notification has
   * reached the identity cache (the probe, ended after it, is refused),
   * the write is refused, and the next writes on the connection work. */
  expire_session (f, ended);
  expire_session (f, probe);
  wait_for_revocation (probe);
  r = mutate_current (f, ended, customer, "电信");
  assert_error (r, 401, "unauthenticated", NULL);
  assert_no_pg_text (r);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *industry = g_strdup_printf ("制造 %u", i);
      g_autoptr(Response) ok = mutate_current (f, token, customer, industry);

      if (ok->status != 200)
        g_error ("write %u after the failed one: %u %s", i, ok->status, ok->body);
    }
}

#define N_TOKENS 6

/* Signs in @login N_TOKENS + 1 times (the last one a probe) and uses each token once. */
static void
sign_in_many (const char *login,
              char      **tokens)
{
  for (guint i = 0; i <= N_TOKENS; i++)
    tokens[i] = sign_in_and_use (login);
}

/* Each request with a token of its own that the server's cache held until
 * the revocation (a 401 drops the token from the cache). */
static void
assert_reads_and_writes_are_401 (ServerFixture  *f,
                                 char          **tokens,
                                 const char     *customer)
{
  g_autofree char *one = g_strdup_printf ("customers/%s", customer);
  const char *reads[N_TOKENS - 1] = { "me", "customers", "customers?sort=updated", one, "sync" };
  g_autoptr(Response) w = NULL;

  wait_for_revocation (tokens[N_TOKENS]);

  for (guint i = 0; i < G_N_ELEMENTS (reads); i++)
    {
      g_autoptr(Response) r = get (reads[i], tokens[i]);

      g_test_message ("GET %s: %u", reads[i], r->status);
      assert_error (r, 401, "unauthenticated", NULL);
      assert_no_pg_text (r);
    }
  w = mutate_current (f, tokens[N_TOKENS - 1], customer, "电信");
  assert_error (w, 401, "unauthenticated", NULL);
  assert_no_pg_text (w);
  for (guint i = 0; i <= N_TOKENS; i++)
    g_free (tokens[i]);
}

static void
test_server_expired_session_is_401_for_reads_and_writes (ServerFixture *f,
                                                         gconstpointer  data)
{
  char *tokens[N_TOKENS + 1];
  g_autofree char *customer = customer_of (f, MGR_EX);

  sign_in_many ("mgr_ex", tokens);
  for (guint i = 0; i <= N_TOKENS; i++)
    expire_session (f, tokens[i]);
  assert_reads_and_writes_are_401 (f, tokens, customer);
}

static void
test_server_disabled_user_is_401_for_reads_and_writes (ServerFixture *f,
                                                       gconstpointer  data)
{
  char *tokens[N_TOKENS + 1];
  g_autofree char *customer = customer_of (f, MGR_EX);

  sign_in_many ("mgr_ex", tokens);
  PQclear (crm_test_pg_query (f->admin, "UPDATE crm.users SET disabled = true WHERE login = 'mgr_ex'", NULL, NULL));
  assert_reads_and_writes_are_401 (f, tokens, customer);
}

static void
test_server_database_words_never_reach_the_client (ServerFixture *f,
                                                   gconstpointer  data)
{
  g_autofree char *token = sign_in_and_use ("mgr_gz");
  g_autofree char *customer = customer_of (f, MGR_GZ);
  g_autoptr(Response) invalid = NULL;
  g_autoptr(Response) internal = NULL;

  /* A rule in the database that the server does not know of, once as a
   * check violation (the caller's fault) and once as a plain failure. */
  PQclear (crm_test_pg_query (f->admin,
                              "CREATE OR REPLACE FUNCTION crm.test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
                              " BEGIN"
                              "  IF NEW.industry = 'check' THEN"
                              "   RAISE EXCEPTION '" SECRET " check' USING ERRCODE = 'check_violation';"
                              "  END IF;"
                              "  RAISE EXCEPTION '" SECRET " plain';"
                              " END $$", NULL, NULL));
  PQclear (crm_test_pg_query (f->admin,
                              "CREATE TRIGGER test_refuse BEFORE UPDATE ON crm.customers FOR EACH ROW"
                              " WHEN (NEW.industry IN ('check', 'plain')) EXECUTE FUNCTION crm.test_refuse()",
                              NULL, NULL));
  invalid = mutate_current (f, token, customer, "check");
  {
    /* The server logs each 500 as a structured warning, which the test
     * fatal handler does not see: not fatal while this one is made. */
    GLogLevelFlags fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);

    internal = mutate_current (f, token, customer, "plain");
    g_log_set_always_fatal (fatal);
  }
  PQclear (crm_test_pg_query (f->admin, "DROP TRIGGER test_refuse ON crm.customers", NULL, NULL));

  assert_error (invalid, 400, "invalid", NULL);
  assert_no_pg_text (invalid);
  assert_error (internal, 500, "internal", NULL);
  assert_no_pg_text (internal);
  /* the log has them, with their SQLSTATE */
  g_assert_true (log_contains ("23514"));
  g_assert_true (log_contains ("P0001"));
  g_assert_true (log_contains (SECRET " plain"));
}

/* Cursors ------------------------------------------------------------------ */

static char *
list_cursor (const char *token,
             const char *query)
{
  g_autofree char *path = g_strdup_printf ("customers?limit=1&%s", query);
  g_autoptr(Response) r = get (path, token);

  g_assert_cmpuint (r->status, ==, 200);
  return g_strdup (json_object_get_string_member (obj (r), "next_cursor"));
}

static void
assert_cursor_refused (const char *token,
                       const char *path,
                       const char *cursor)
{
  g_autofree char *url = g_strconcat (path, cursor, NULL);
  g_autoptr(Response) r = get (url, token);

  assert_error (r, 400, "invalid", "cursor");
  assert_no_pg_text (r);
}

static void
test_server_crafted_list_cursor_is_400_and_the_next_page_works (ServerFixture *f,
                                                                gconstpointer  data)
{
  g_autofree char *token = sign_in_and_use ("mgr_gz");
  g_autofree char *real = list_cursor (token, "sort=updated");
  g_autofree char *real_revenue = list_cursor (token, "sort=revenue");
  g_autoptr(CrmCursor) cursor = crm_cursor_decode (real, NULL);
  static const char * const bad_times[] = {
    "not a time", "2026-13-01 00:00:00+00", "2026-02-30 00:00:00+00", "2026-01-01 24:00:00+00",
    "2026-01-01 00:00:00", "infinity", "2026-01-01 00:00:00+00 BC", "99999-01-01 00:00:00+00",
    "2026-01-01 00:00:00.1234567+00", "2026-01-01 00:00:00+99",
  };
  static const char * const bad_revenues[] = { "", "x", "99999999999999999999", "-99999999999999999999", "1.5" };

  g_assert_nonnull (cursor);
  for (guint i = 0; i < G_N_ELEMENTS (bad_times); i++)
    {
      CrmCursor crafted = { cursor->sort, cursor->descending, (char *) bad_times[i], cursor->id };
      g_autofree char *text = crm_cursor_encode (&crafted);

      assert_cursor_refused (token, "customers?limit=1&sort=updated&cursor=", text);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_revenues); i++)
    {
      CrmCursor crafted = { CRM_CUSTOMER_SORT_REVENUE, TRUE, (char *) bad_revenues[i], cursor->id };
      g_autofree char *text = crm_cursor_encode (&crafted);

      assert_cursor_refused (token, "customers?limit=1&sort=revenue&cursor=", text);
    }

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *path = g_strdup_printf ("customers?limit=1&sort=updated&cursor=%s", real);
      g_autofree char *revenue = g_strdup_printf ("customers?limit=1&sort=revenue&cursor=%s", real_revenue);
      g_autoptr(Response) r = get (path, token);
      g_autoptr(Response) r2 = get (revenue, token);

      g_assert_cmpuint (r->status, ==, 200);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (r), "items")), ==, 1);
      g_assert_cmpuint (r2->status, ==, 200);
    }
}

/* Syncs from nothing to the end of the first round: an incremental cursor. */
static char *
incremental_cursor (const char *token)
{
  g_autofree char *cursor = NULL;

  /* a first round takes a page or more per entity the caller reads */
  for (guint pages = 0; pages < 10 * CRM_SYNC_N_STAGES; pages++)
    {
      g_autofree char *path = cursor ? g_strdup_printf ("sync?cursor=%s", cursor) : g_strdup ("sync");
      g_autoptr(Response) r = get (path, token);

      g_assert_cmpuint (r->status, ==, 200);
      g_free (cursor);
      cursor = g_strdup (json_object_get_string_member (obj (r), "cursor"));
      if (!json_object_get_boolean_member (obj (r), "more"))
        return g_steal_pointer (&cursor);
    }
  g_assert_not_reached ();
}

/* The cursor @text with one of its parts replaced. */
static char *
sync_cursor_with (const char *text,
                  const char *base,
                  int         stage,
                  const char *xid,
                  const char *key)
{
  g_autoptr(CrmSyncCursor) cursor = crm_sync_cursor_decode (text, NULL);
  CrmSyncCursor crafted;

  g_assert_nonnull (cursor);
  crafted = *cursor;
  if (base)
    crafted.base = (char *) base;
  crafted.stage = stage;
  crafted.xid = (char *) xid;
  crafted.key = (char *) key;
  return crm_sync_cursor_encode (&crafted);
}

static void
test_server_crafted_sync_cursor_is_400_and_the_next_sync_works (ServerFixture *f,
                                                                gconstpointer  data)
{
  g_autofree char *token = sign_in_and_use ("mgr_gz");
  g_autofree char *real = incremental_cursor (token);
  static const struct {
    const char *base;
    int         stage;
    const char *xid;
    const char *key;
  } crafted[] = {
    { "900:800:", 0, NULL, NULL },                                     /* xmin > xmax */
    { "0:800:", 0, NULL, NULL },                                       /* xmin 0 */
    { "1:18446744073709551616:", 0, NULL, NULL },                      /* overflows */
    { "10:20:25", 0, NULL, NULL },                                     /* running after xmax */
    { "10:20:15,12", 0, NULL, NULL },                                  /* out of order */
    { NULL, 2, "1", "9999999999999999999" },                           /* sequence past bigint */
    { NULL, 0, "18446744073709551616", "00000000-0000-4000-8000-000000000001" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (crafted); i++)
    {
      g_autofree char *text = sync_cursor_with (real, crafted[i].base, crafted[i].stage,
                                                crafted[i].xid, crafted[i].key);

      assert_cursor_refused (token, "sync?cursor=", text);
    }
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *path = g_strdup_printf ("sync?cursor=%s", real);
      g_autoptr(Response) r = get (path, token);

      if (r->status != 200)
        g_error ("sync %u after the refused cursors: %u %s", i, r->status, r->body);
      g_assert_false (json_object_get_boolean_member (obj (r), "reset"));
    }
}

/* A mutation on a socket of its own, not waiting for the answer. */
static GSocket *
send_mutation (ServerFixture *f,
               const char    *token,
               const char    *body)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1",
                                                                            crm_server_get_port (f->server));
  g_autofree char *request = g_strdup_printf ("POST /api/v1/mutations HTTP/1.1\r\nHost: test\r\n"
                                              "Authorization: Bearer %s\r\nConnection: close\r\n"
                                              "Content-Type: application/json\r\n"
                                              "Content-Length: %zu\r\n\r\n%s",
                                              token, strlen (body), body);
  g_autoptr(GError) error = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_send (socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  return socket;
}

static char *
receive_status_line (GSocket *socket)
{
  g_autoptr(GString) answer = g_string_new (NULL);
  char buf[4096];
  gssize got;

  while ((got = g_socket_receive (socket, buf, sizeof buf, NULL, NULL)) > 0)
    g_string_append_len (answer, buf, got);
  return g_strndup (answer->str, strcspn (answer->str, "\r"));
}

static void
test_server_request_queued_behind_a_failing_one_succeeds (ServerFixture *f,
                                                          gconstpointer  data)
{
  g_autofree char *ended = sign_in_and_use ("mgr_gz");
  g_autofree char *token = sign_in_and_use ("mgr_gz");
  g_autofree char *probe = sign_in_and_use ("mgr_gz");
  g_autofree char *customer = customer_of (f, MGR_GZ);
  g_autoptr(GSocket) first = NULL;
  g_autoptr(GSocket) second = NULL;
  g_autofree char *first_status = NULL;
  g_autofree char *second_status = NULL;
  g_autofree char *industry = NULL;

  /* The first write's session has ended, and the notification has reached
   * the identity cache (the probe, ended after it, is refused; without
   * waiting for it a loaded machine served the write from the cache, 200):
   * its transaction fails in PostgreSQL, on its statements' first use on
   * this connection.  The sessions table is held meanwhile, so that the
   * first request waits inside PostgreSQL while the second is sent behind
   * it on the same connection. */
  g_autofree char *first_body = NULL;
  g_autofree char *second_body = NULL;

  expire_session (f, ended);
  expire_session (f, probe);
  wait_for_revocation (probe);
  first_body = industry_mutation (f, customer, "物流");
  second_body = industry_mutation (f, customer, "物流");
  PQclear (crm_test_pg_query (f->admin, "BEGIN", NULL, NULL));
  PQclear (crm_test_pg_query (f->admin, "LOCK TABLE crm.sessions IN ACCESS EXCLUSIVE MODE", NULL, NULL));
  first = send_mutation (f, ended, first_body);
  g_usleep (200 * 1000);
  second = send_mutation (f, token, second_body);
  g_usleep (200 * 1000);
  PQclear (crm_test_pg_query (f->admin, "COMMIT", NULL, NULL));

  first_status = receive_status_line (first);
  second_status = receive_status_line (second);
  g_test_message ("first: %s; second: %s", first_status, second_status);
  g_assert_cmpstr (first_status, ==, "HTTP/1.1 401 Unauthorized");
  g_assert_cmpstr (second_status, ==, "HTTP/1.1 200 OK");
  industry = scalar (f, "SELECT industry FROM crm.customers WHERE id = $1::uuid", customer);
  g_assert_cmpstr (industry, ==, "物流");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  guint applied = 0;
  int status;

  g_test_init (&argc, &argv, NULL);
  server_log = g_string_new (NULL);
  /* with the fatal flag: g_test_init () made warnings fatal */
  g_log_set_handler ("crm-db", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL, record_log_cb, NULL);
  g_log_set_handler ("crm-http", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL, record_log_cb, NULL);
  crm_auth_init (NULL);

  if (!crm_test_pg_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset)");
      return g_test_run ();
    }

  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  g_assert_true (crm_migrate_run (conninfo, &applied, &error));
  g_assert_no_error (error);
  hash = crm_auth_hash_password (PASSWORD, &error);
  g_assert_no_error (error);
  {
    PGconn *conn = crm_test_pg_connect_as_admin (conninfo);

    PQclear (crm_test_pg_query (conn,
                                "INSERT INTO crm.regions (id, parent_id, code, name, name_en, level) VALUES"
                                " ('00000000-0000-4000-8000-000000000001', NULL, 'CN', '中国', 'China', 0),"
                                " ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'GD', '广东', 'Guangdong', 1),"
                                " ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002', 'GZ', '广州', 'Guangzhou', 2)",
                                NULL, NULL));
    PQclear (crm_test_pg_query (conn,
                                "INSERT INTO crm.users (id, login, display_name, role, region_id, password_hash) VALUES"
                                " ('" MGR_GZ "', 'mgr_gz', '王广州', 'manager', '00000000-0000-4000-8000-000000000003', $1),"
                                " ('" MGR_EX "', 'mgr_ex', '李离职', 'manager', '00000000-0000-4000-8000-000000000003', $1),"
                                " ('10000000-0000-4000-8000-000000000003', 'boss', '管理员', 'admin', NULL, $1)",
                                hash, NULL));
    PQclear (crm_test_pg_query (conn,
                                "INSERT INTO crm.customers (name, kind, industry, region_id, tier, owner_id, status, monthly_revenue)"
                                " SELECT '广州客户' || g, 'sme', '制造', '00000000-0000-4000-8000-000000000003', 'standard',"
                                "  CASE WHEN g <= 3 THEN '" MGR_GZ "' ELSE '" MGR_EX "' END::uuid, 'active', g * 1000"
                                " FROM generate_series(1, 4) g",
                                NULL, NULL));
    PQclear (crm_test_pg_query (conn,
                                "INSERT INTO crm.contacts (customer_id, name, title, mobile, email, is_primary)"
                                " SELECT id, '陈联系', '总经理', '13912345678', 'chen@example.cn', true FROM crm.customers",
                                NULL, NULL));
    PQfinish (conn);
  }

  config = crm_config_new ();
  g_free (config->database);
  config->database = g_strdup (conninfo);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->threads = 1;

#define DB_TEST(path, func) \
  g_test_add ("/server/db/" path, DbFixture, NULL, db_fixture_set_up, func, db_fixture_tear_down)
#define SERVER_TEST(path, func) \
  g_test_add ("/server/db/" path, ServerFixture, NULL, server_fixture_set_up, func, server_fixture_tear_down)

  DB_TEST ("statement-failing-on-first-use-stays-usable", test_db_statement_failing_on_first_use_stays_usable);
  DB_TEST ("statement-before-the-failure-stays-usable", test_db_statement_before_the_failure_stays_usable);
  DB_TEST ("statement-after-the-failure-stays-usable", test_db_statement_after_the_failure_stays_usable);
  DB_TEST ("failing-batch-does-not-fail-the-one-queued-behind", test_db_failing_batch_does_not_fail_the_one_queued_behind);
  DB_TEST ("statement-that-cannot-prepare-fails-only-its-batches", test_db_statement_that_cannot_prepare_fails_only_its_batches);
  DB_TEST ("error-message-is-ours-not-postgresqls", test_db_error_message_is_ours_not_postgresqls);
  SERVER_TEST ("expired-session-write-is-401-and-the-next-write-works", test_server_expired_session_write_is_401_and_next_write_works);
  SERVER_TEST ("expired-session-is-401-for-reads-and-writes", test_server_expired_session_is_401_for_reads_and_writes);
  SERVER_TEST ("disabled-user-is-401-for-reads-and-writes", test_server_disabled_user_is_401_for_reads_and_writes);
  SERVER_TEST ("database-words-never-reach-the-client", test_server_database_words_never_reach_the_client);
  SERVER_TEST ("crafted-list-cursor-is-400-and-the-next-page-works", test_server_crafted_list_cursor_is_400_and_the_next_page_works);
  SERVER_TEST ("crafted-sync-cursor-is-400-and-the-next-sync-works", test_server_crafted_sync_cursor_is_400_and_the_next_sync_works);
  SERVER_TEST ("request-queued-behind-a-failing-one-succeeds", test_server_request_queued_behind_a_failing_one_succeeds);

  status = g_test_run ();

  crm_config_free (config);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
