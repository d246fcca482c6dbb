#define G_LOG_DOMAIN "test-server-revocation"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-identity.h"
#include "crm-migrate.h"
#include "crm-test-http.h"
#include "crm-test-pg.h"

/*
 * The identity cache and its revocation (server/crm-identity*.c,
 * server/sql/0024-identity-cache.sql), across real keyline-server
 * processes (KEYLINE_SERVER) on one throwaway database.
 *
 * Whether a request was served from the cache shows in two ways: the
 * calls of crm.authenticate () counted by PostgreSQL (track_functions),
 * and a change made "silently" by the owner, with the notification
 * triggers off for that one statement, which only a request that goes
 * to the database sees.
 */

#define PASSWORD "correct horse battery"
#define REVOKED_WITHIN_US (100 * 1000)

static char *conninfo;
static PGconn *owner;

static const char *lister_id = "10000000-0000-4000-8000-000000000004";

typedef struct
{
  GSubprocess *process;
  char        *log_path;
  char        *base_url;
} Server;

/* Data ------------------------------------------------------------------ */

static void
exec_ok (const char *sql)
{
  g_autoptr(PGresult) res = PQexec (owner, sql);

  if (PQresultStatus (res) != PGRES_COMMAND_OK && PQresultStatus (res) != PGRES_TUPLES_OK)
    g_error ("%s\n%s", sql, PQerrorMessage (owner));
}

static void
load_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = crm_auth_hash_password (PASSWORD, &error);
  const char *params[1] = { hash };
  g_autoptr(PGresult) res = NULL;
  g_autofree char *track = NULL;

  g_assert_no_error (error);
  /* crm.authenticate () is PL/pgSQL: counted with track_functions = pl,
   * for every connection the servers open from now on */
  track = g_strdup_printf ("ALTER DATABASE %s SET track_functions = 'pl'", PQdb (owner));
  exec_ok (track);
  exec_ok ("INSERT INTO crm.regions (id, parent_id, code, name, level) VALUES"
           " ('00000000-0000-4000-8000-000000000001', NULL, 'CN', '中国', 0),"
           " ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'GD', '广东', 1)");
  res = PQexecParams (owner,
                      "INSERT INTO crm.users (id, login, display_name, role, region_id, password_hash)"
                      " SELECT ('10000000-0000-4000-8000-0000000000' || lpad (g::text, 2, '0'))::uuid,"
                      "  l, l, 'manager', '00000000-0000-4000-8000-000000000002', $1"
                      " FROM unnest (ARRAY['signout', 'disabled', 'promoted', 'lister', 'outage',"
                      "                    'bound1', 'bound2', 'bound3', 'aged', 'other'])"
                      "   WITH ORDINALITY AS u (l, g)",
                      1, NULL, params, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
  exec_ok ("INSERT INTO crm.customers (name, kind, industry, region_id, tier, owner_id, status)"
           " SELECT '客户' || g, 'sme', '制造', '00000000-0000-4000-8000-000000000002', 'standard',"
           "  CASE WHEN g <= 7 THEN '10000000-0000-4000-8000-000000000004'"
           "       ELSE '10000000-0000-4000-8000-000000000010' END::uuid, 'active'"
           " FROM generate_series (1, 12) g");
}

/* Servers ----------------------------------------------------------------- */

/* In the child: a server outlives no test that failed (g_error aborts
 * without stopping it). */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
server_start (Server     *s,
              const char *option,
              const char *value)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *at;
  int fd;

  fd = g_file_open_tmp ("keyline-revocation-XXXXXX.log", &s->log_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_subprocess_launcher_set_stderr_file_path (launcher, s->log_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  s->process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("KEYLINE_SERVER"),
                                            "--database", conninfo, "--listen", "127.0.0.1:0",
                                            "--threads", "2",
                                            option ? option : "--request-timeout",
                                            value ? value : "30", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  /* "keyline-server V listening on http://127.0.0.1:PORT/api/v1 with N threads" */
  at = strstr (line, "http://127.0.0.1:");
  g_assert_nonnull (at);
  g_assert_nonnull (strchr (at, ' '));
  s->base_url = g_strdup_printf ("%.*s/", (int) (strchr (at, ' ') - at), at);
}

/* Lines of the server's log that contain @text. */
static guint
server_log_count (Server     *s,
                  const char *text)
{
  g_autofree char *log = NULL;
  guint n = 0;

  if (!g_file_get_contents (s->log_path, &log, NULL, NULL))
    return 0;
  for (const char *p = log; (p = strstr (p, text)) != NULL; p += strlen (text))
    n++;
  return n;
}

/* Waits up to 5 s for the @nth line of the log containing @text. */
static void
server_wait_log (Server     *s,
                 const char *text,
                 guint       nth)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (server_log_count (s, text) < nth)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the server never logged “%s” (%u)", text, nth);
      g_usleep (5000);
    }
}

static void
server_stop (Server *s)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (s->process, SIGTERM);
  g_subprocess_wait (s->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (s->process), ==, 0);
  g_clear_object (&s->process);
  g_unlink (s->log_path);
  g_clear_pointer (&s->log_path, g_free);
  g_clear_pointer (&s->base_url, g_free);
}

static void
use (Server *s)
{
  crm_test_http_init (s->base_url);
}

static guint
status_of (Server     *s,
           const char *path,
           const char *token)
{
  g_autoptr(Response) r = NULL;

  use (s);
  r = get (path, token);
  return r->status;
}

static char *
sign_in_at (Server     *s,
            const char *login)
{
  use (s);
  return sign_in_with (login, PASSWORD);
}

/* Asks @s for /me with @token until @done says so; returns the
 * microseconds from @since until then, failing after 2 s. */
static gint64
poll_until (Server     *s,
            const char *token,
            gboolean  (*done) (Response *r, gconstpointer data),
            gconstpointer data,
            gint64      since)
{
  use (s);
  for (;;)
    {
      g_autoptr(Response) r = get ("me", token);
      gint64 now = g_get_monotonic_time ();

      if (done (r, data))
        return now - since;
      if (now - since > 2 * G_USEC_PER_SEC)
        g_error ("not revoked 2 s later: %u %s", r->status, r->body);
      g_usleep (2000);
    }
}

static gboolean
is_unauthorized (Response      *r,
                 gconstpointer  data)
{
  return r->status == 401;
}

static gboolean
has_role (Response      *r,
          gconstpointer  data)
{
  return r->status == 200 && g_strcmp0 (json_object_get_string_member (obj (r), "role"), data) == 0;
}

/* Changes the database without notifying anyone: only a request that
 * authenticates in the database sees it. */
static void
exec_silently (const char *table,
               const char *sql)
{
  g_autofree char *off = g_strdup_printf ("ALTER TABLE crm.%s DISABLE TRIGGER USER", table);
  g_autofree char *on = g_strdup_printf ("ALTER TABLE crm.%s ENABLE TRIGGER USER", table);

  exec_ok ("BEGIN");
  exec_ok (off);
  exec_ok (sql);
  exec_ok (on);
  exec_ok ("COMMIT");
}

/* Calls of crm.authenticate () PostgreSQL has counted, once no server
 * connection is left (a backend reports its counts when it ends). */
static gint64
authenticate_calls (void)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(PGresult) left = PQexec (owner, "SELECT count(*) FROM pg_stat_activity"
                                                " WHERE datname = current_database () AND usename = 'keyline_app'");

      g_assert_cmpint (PQresultStatus (left), ==, PGRES_TUPLES_OK);
      if (g_str_equal (PQgetvalue (left, 0, 0), "0"))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  {
    g_autoptr(PGresult) res = PQexec (owner, "SELECT coalesce (sum (calls), 0) FROM pg_stat_user_functions"
                                             " WHERE schemaname = 'crm' AND funcname = 'authenticate'");

    g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
    return g_ascii_strtoll (PQgetvalue (res, 0, 0), NULL, 10);
  }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Tests ---------------------------------------------------------------- */

static void
test_revocation_sign_out_on_one_process_refused_by_the_other (void)
{
  Server a = { 0 }, b = { 0 };
  g_autofree char *token = NULL;
  g_autoptr(Response) bye = NULL;
  gint64 signed_out, delay;

  server_start (&a, NULL, NULL);
  server_start (&b, NULL, NULL);
  token = sign_in_at (&a, "signout");
  g_assert_cmpuint (status_of (&a, "me", token), ==, 200);
  /* B authenticates once and keeps it */
  g_assert_cmpuint (status_of (&b, "me", token), ==, 200);
  g_assert_cmpuint (status_of (&b, "customers", token), ==, 200);

  use (&a);
  bye = http ("DELETE", "session", token, NULL, NULL, 0);
  g_assert_cmpuint (bye->status, ==, 204);
  signed_out = g_get_monotonic_time ();
  delay = poll_until (&b, token, is_unauthorized, NULL, signed_out);
  g_test_message ("signed out on A; B refused the token %" G_GINT64_FORMAT " µs later", delay);
  g_printerr ("# sign-out on A refused by B after %" G_GINT64_FORMAT " us\n", delay);
  g_assert_cmpint (delay, <, REVOKED_WITHIN_US);

  server_stop (&a);
  server_stop (&b);
}

static void
test_revocation_disabling_a_user_takes_effect_at_once (void)
{
  Server a = { 0 }, b = { 0 };
  g_autofree char *token = NULL;
  gint64 changed, delay;

  server_start (&a, NULL, NULL);
  server_start (&b, NULL, NULL);
  token = sign_in_at (&a, "disabled");
  g_assert_cmpuint (status_of (&b, "me", token), ==, 200);
  g_assert_cmpuint (status_of (&b, "me", token), ==, 200);

  exec_ok ("UPDATE crm.users SET disabled = true WHERE login = 'disabled'");
  changed = g_get_monotonic_time ();
  delay = poll_until (&b, token, is_unauthorized, NULL, changed);
  g_printerr ("# user disabled; refused after %" G_GINT64_FORMAT " us\n", delay);
  g_assert_cmpint (delay, <, REVOKED_WITHIN_US);
  g_assert_cmpuint (status_of (&a, "me", token), ==, 401);

  server_stop (&a);
  server_stop (&b);
}

static void
test_revocation_a_role_change_takes_effect_at_once (void)
{
  Server a = { 0 }, b = { 0 };
  g_autofree char *token = NULL;
  gint64 changed, delay;

  server_start (&a, NULL, NULL);
  server_start (&b, NULL, NULL);
  token = sign_in_at (&a, "promoted");
  g_assert_cmpuint (status_of (&b, "me", token), ==, 200);
  delay = poll_until (&b, token, has_role, "manager", g_get_monotonic_time ());

  exec_ok ("UPDATE crm.users SET role = 'marketing' WHERE login = 'promoted'");
  changed = g_get_monotonic_time ();
  delay = poll_until (&b, token, has_role, "marketing", changed);
  g_printerr ("# role changed; seen after %" G_GINT64_FORMAT " us\n", delay);
  g_assert_cmpint (delay, <, REVOKED_WITHIN_US);

  server_stop (&a);
  server_stop (&b);
}

static void
test_revocation_cached_request_sees_its_rows_without_authenticate (void)
{
  Server b = { 0 };
  g_autofree char *token = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PGresult) rows = NULL;
  const char *values[1] = { lister_id };
  gint64 before, calls;

  before = authenticate_calls ();
  server_start (&b, NULL, NULL);
  /* one call for the sign-in's answer, one for the first request's */
  token = sign_in_at (&b, "lister");

  rows = PQexecParams (owner, "SELECT id FROM crm.customers WHERE owner_id = $1 ORDER BY id",
                       1, NULL, values, NULL, NULL, 0);
  g_assert_cmpint (PQresultStatus (rows), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQntuples (rows), ==, 7);
  for (int i = 0; i < PQntuples (rows); i++)
    g_ptr_array_add (expected, g_strdup (PQgetvalue (rows, i, 0)));

  for (guint round = 0; round < 20; round++)
    {
      g_autoptr(Response) r = NULL;
      JsonArray *items;
      g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);

      use (&b);
      r = get ("customers?limit=500", token);
      g_assert_cmpuint (r->status, ==, 200);
      items = json_object_get_array_member (obj (r), "items");
      for (guint i = 0; i < json_array_get_length (items); i++)
        g_ptr_array_add (got, g_strdup (json_object_get_string_member (json_array_get_object_element (items, i), "id")));
      g_ptr_array_sort (got, compare_strings);
      g_ptr_array_sort (expected, compare_strings);
      g_assert_cmpuint (got->len, ==, expected->len);
      for (guint i = 0; i < got->len; i++)
        g_assert_cmpstr (got->pdata[i], ==, expected->pdata[i]);
    }
  server_stop (&b);

  calls = authenticate_calls () - before;
  g_printerr ("# 20 requests of one token: %" G_GINT64_FORMAT " calls of crm.authenticate ()\n", calls);
  g_assert_cmpint (calls, <=, 2);
}

static void
test_revocation_listener_lost_bypasses_the_cache_until_back (void)
{
  Server a = { 0 }, b = { 0 };
  g_autofree char *token = NULL;
  g_autofree char *second = NULL;
  g_autoptr(Response) bye = NULL;
  g_autoptr(PGresult) killed = NULL;

  server_start (&a, NULL, NULL);
  server_start (&b, NULL, NULL);
  server_wait_log (&b, "Listening for revoked sessions", 1);
  token = sign_in_at (&a, "outage");
  g_assert_cmpuint (status_of (&b, "me", token), ==, 200);

  /* every listener goes (both processes'); B must stop trusting its cache */
  killed = PQexec (owner, "SELECT pg_terminate_backend (pid) FROM pg_stat_activity"
                          " WHERE datname = current_database () AND application_name = 'keyline-identity'");
  g_assert_cmpint (PQresultStatus (killed), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQntuples (killed), ==, 2);
  server_wait_log (&b, "Lost the identity listener", 1);

  /* signed out while nobody listens: no notification reaches B */
  use (&a);
  bye = http ("DELETE", "session", token, NULL, NULL, 0);
  g_assert_cmpuint (bye->status, ==, 204);
  g_assert_cmpuint (status_of (&b, "me", token), ==, 401);

  /* back: B caches again (a silent change is not seen by a cached token) */
  server_wait_log (&b, "Listening for revoked sessions", 2);
  second = sign_in_at (&a, "outage");
  g_assert_cmpuint (status_of (&b, "me", second), ==, 200);
  exec_silently ("users", "UPDATE crm.users SET disabled = true WHERE login = 'outage'");
  g_assert_cmpuint (status_of (&b, "me", second), ==, 200);
  g_assert_cmpuint (status_of (&a, "me", second), ==, 401);
  exec_ok ("UPDATE crm.users SET disabled = false WHERE login = 'outage'");

  server_stop (&a);
  server_stop (&b);
}

static void
test_revocation_cache_evicts_the_oldest_entry_when_full (void)
{
  Server b = { 0 };
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;

  server_start (&b, "--identity-cache-entries", "2");
  t1 = sign_in_at (&b, "bound1");
  t2 = sign_in_at (&b, "bound2");
  t3 = sign_in_at (&b, "bound3");
  g_assert_cmpuint (status_of (&b, "me", t1), ==, 200);
  g_assert_cmpuint (status_of (&b, "me", t2), ==, 200);
  g_assert_cmpuint (status_of (&b, "me", t3), ==, 200);

  /* the sessions end without a word: only t1, evicted, asks the database */
  exec_silently ("sessions", "DELETE FROM crm.sessions WHERE user_id IN"
                             " (SELECT id FROM crm.users WHERE login IN ('bound1', 'bound2', 'bound3'))");
  g_assert_cmpuint (status_of (&b, "me", t2), ==, 200);
  g_assert_cmpuint (status_of (&b, "me", t3), ==, 200);
  g_assert_cmpuint (status_of (&b, "me", t1), ==, 401);

  server_stop (&b);
}

static void
test_revocation_cache_entry_older_than_its_age_authenticates_again (void)
{
  Server b = { 0 };
  g_autofree char *token = NULL;

  server_start (&b, "--identity-cache-seconds", "1");
  token = sign_in_at (&b, "aged");
  g_assert_cmpuint (status_of (&b, "me", token), ==, 200);
  exec_silently ("sessions", "DELETE FROM crm.sessions WHERE user_id IN"
                             " (SELECT id FROM crm.users WHERE login = 'aged')");
  g_assert_cmpuint (status_of (&b, "me", token), ==, 200);
  g_usleep (1100 * 1000);
  g_assert_cmpuint (status_of (&b, "me", token), ==, 401);

  server_stop (&b);
}

/* In-process, the cache alone: an answer authenticated before a
 * revocation was heard is not kept after it. */
static void
test_revocation_cache_refuses_an_answer_older_than_a_revocation (void)
{
  CrmIdentityCache *cache = crm_identity_cache_new (10, 60);
  g_autoptr(GBytes) hash = crm_auth_token_hash ("revocation-test-token-0123456789");
  g_autoptr(CrmUser) user = crm_user_new ();
  g_autoptr(CrmUser) found = NULL;
  g_autofree char *payload = NULL;
  GString *hex = g_string_new ("session:");
  guint64 generation;
  gsize len;
  const guint8 *raw = g_bytes_get_data (hash, &len);

  user->id = g_strdup (lister_id);
  user->regions = g_strdup ("{}");
  user->expires_us = g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC;

  /* bypassed until its listener listens */
  g_assert_false (crm_identity_cache_store (cache, hash, user, crm_identity_cache_generation (cache)));
  crm_identity_cache_reset (cache, FALSE);

  /* queued, then the user changed, then the answer came */
  generation = crm_identity_cache_generation (cache);
  crm_identity_cache_notify (cache, "user:10000000-0000-4000-8000-000000000099");
  g_assert_false (crm_identity_cache_store (cache, hash, user, generation));
  g_assert_null (crm_identity_cache_lookup (cache, hash));

  g_assert_true (crm_identity_cache_store (cache, hash, user, crm_identity_cache_generation (cache)));
  found = crm_identity_cache_lookup (cache, hash);
  g_assert_true (found == user);

  /* the session's own notification drops it */
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", raw[i]);
  payload = g_string_free (hex, FALSE);
  crm_identity_cache_notify (cache, payload);
  g_assert_null (crm_identity_cache_lookup (cache, hash));
  g_assert_cmpuint (crm_identity_cache_size (cache), ==, 0);
  crm_identity_cache_free (cache);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  guint applied = 0;
  int status;

  g_test_init (&argc, &argv, NULL);
  crm_auth_init (NULL);
  g_test_add_func ("/server/revocation/cache-refuses-an-answer-older-than-a-revocation",
                   test_revocation_cache_refuses_an_answer_older_than_a_revocation);
  if (!crm_test_pg_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset)");
      return g_test_run ();
    }
  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  g_assert_true (crm_migrate_run (conninfo, &applied, &error));
  g_assert_no_error (error);
  owner = crm_pg_connect_blocking (conninfo, &error);
  g_assert_no_error (error);
  load_fixture ();

  g_test_add_func ("/server/revocation/sign-out-on-one-process-refused-by-the-other",
                   test_revocation_sign_out_on_one_process_refused_by_the_other);
  g_test_add_func ("/server/revocation/disabling-a-user-takes-effect-at-once",
                   test_revocation_disabling_a_user_takes_effect_at_once);
  g_test_add_func ("/server/revocation/a-role-change-takes-effect-at-once",
                   test_revocation_a_role_change_takes_effect_at_once);
  g_test_add_func ("/server/revocation/cached-request-sees-its-rows-without-authenticate",
                   test_revocation_cached_request_sees_its_rows_without_authenticate);
  g_test_add_func ("/server/revocation/listener-lost-bypasses-the-cache-until-back",
                   test_revocation_listener_lost_bypasses_the_cache_until_back);
  g_test_add_func ("/server/revocation/cache-evicts-the-oldest-entry-when-full",
                   test_revocation_cache_evicts_the_oldest_entry_when_full);
  g_test_add_func ("/server/revocation/cache-entry-older-than-its-age-authenticates-again",
                   test_revocation_cache_entry_older_than_its_age_authenticates_again);
  status = g_test_run ();

  crm_test_http_shutdown ();
  g_clear_pointer (&owner, PQfinish);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
