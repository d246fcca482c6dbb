#define G_LOG_DOMAIN "test-server-signin"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-pg.h"

/*
 * Sign-in under attack: an in-process keyline-server on port 0 against a
 * throwaway database.  Requests go out on raw sockets bound to chosen
 * loopback addresses (127.0.0.1, 127.0.0.2, ... all reach the server), so
 * one test can be two clients, and sixty requests are really in flight at
 * once.  The password checks are counted by crm-auth's instruments.
 */

#define PASSWORD "correct horse battery"
#define LIMIT 3                 /* throttle-limit of the test server */
#define ADDRESS_LIMIT (LIMIT * 4)
#define POOL 2                  /* password checks at once */
#define BURST 60

static CrmServer *server;
static char *conninfo;
static guint16 port;

typedef struct
{
  guint     status;
  char     *retry_after;
  JsonNode *json;
} Answer;

static void
answer_free (Answer *a)
{
  g_free (a->retry_after);
  g_clear_pointer (&a->json, json_node_unref);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

/* Raw HTTP ----------------------------------------------------------------- */

/* Connects from @from and sends POST /api/v1/session; the answer is read
 * later with read_answer (), so many can be in flight. */
static GSocket *
send_sign_in (const char *from,
              const char *login,
              const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new_from_string (from, 0);
  g_autoptr(GSocketAddress) remote = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autofree char *body = g_strdup_printf ("{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
  g_autofree char *request = g_strdup_printf ("POST /api/v1/session HTTP/1.1\r\n"
                                              "Host: 127.0.0.1\r\n"
                                              "Content-Type: application/json\r\n"
                                              "Content-Length: %zu\r\n"
                                              "Connection: close\r\n\r\n%s",
                                              strlen (body), body);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 120);
  g_socket_bind (socket, local, FALSE, &error);
  g_assert_no_error (error);
  g_socket_connect (socket, remote, NULL, &error);
  g_assert_no_error (error);
  g_socket_send (socket, request, strlen (request), NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&socket);
}

static char *
header_value (const char *head,
              const char *name)
{
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);
  gsize len = strlen (name);

  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
      return g_strstrip (g_strdup (lines[i] + len + 1));
  return NULL;
}

/* Reads the answer up to the server's close. */
static Answer *
read_answer (GSocket *socket)
{
  g_autoptr(GString) raw = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Answer *a = g_new0 (Answer, 1);
  char buf[4096];
  gssize got;
  char *body;

  while ((got = g_socket_receive (socket, buf, sizeof buf, NULL, &error)) > 0)
    g_string_append_len (raw, buf, got);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (raw->str, "HTTP/1.1 "));
  a->status = (guint) atoi (raw->str + strlen ("HTTP/1.1 "));
  body = strstr (raw->str, "\r\n\r\n");
  g_assert_nonnull (body);
  *body = '\0';
  body += 4;
  a->retry_after = header_value (raw->str, "Retry-After");
  if (!json_parser_load_from_data (parser, body, -1, &error))
    g_error ("answer %u with a body that is not JSON: %s", a->status, body);
  a->json = json_node_ref (json_parser_get_root (parser));
  return a;
}

static Answer *
sign_in_from (const char *from,
              const char *login,
              const char *password)
{
  g_autoptr(GSocket) socket = send_sign_in (from, login, password);

  return read_answer (socket);
}

static const char *
error_code (Answer *a)
{
  JsonObject *error = json_object_get_object_member (json_node_get_object (a->json), "error");

  g_assert_nonnull (error);
  g_assert_true (strlen (json_object_get_string_member (error, "message")) > 0);
  return json_object_get_string_member (error, "code");
}

static void
assert_refused_with_retry (Answer     *a,
                           guint       status,
                           const char *code)
{
  g_assert_cmpuint (a->status, ==, status);
  g_assert_cmpstr (error_code (a), ==, code);
  g_assert_nonnull (a->retry_after);
  g_assert_cmpint (atoi (a->retry_after), >, 0);
}

static void
assert_signed_in (Answer *a)
{
  g_assert_cmpuint (a->status, ==, 201);
  g_assert_nonnull (json_object_get_string_member (json_node_get_object (a->json), "token"));
}

/* Sends @n sign-ins at once, the i-th from from[i % n_from] for login[i % n_logins],
 * and counts the answers by status. */
typedef struct
{
  guint ok;          /* 201 */
  guint wrong;       /* 401 */
  guint throttled;   /* 429, each with Retry-After */
  guint busy;        /* 503, each with Retry-After */
  guint checked;     /* password verifications meanwhile */
} Burst;

static Burst
burst (guint               n,
       const char * const *from,
       const char * const *logins,
       const char         *password)
{
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  guint64 before = crm_auth_get_n_verifications ();
  guint n_from = g_strv_length ((GStrv) from);
  guint n_logins = g_strv_length ((GStrv) logins);
  Burst b = { 0, };

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (sockets, send_sign_in (from[i % n_from], logins[i % n_logins], password));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(Answer) a = read_answer (sockets->pdata[i]);

      switch (a->status)
        {
        case 201: assert_signed_in (a); b.ok++; break;
        case 401: g_assert_cmpstr (error_code (a), ==, "bad_credentials"); b.wrong++; break;
        case 429: assert_refused_with_retry (a, 429, "throttled"); b.throttled++; break;
        case 503: assert_refused_with_retry (a, 503, "unavailable"); b.busy++; break;
        default: g_error ("unexpected answer %u", a->status);
        }
    }
  b.checked = (guint) (crm_auth_get_n_verifications () - before);
  return b;
}

/* Addresses 127.0.@net.1 ... 127.0.@net.@n, NULL-terminated. */
static GStrv
addresses (guint net,
           guint n)
{
  GStrv list = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    list[i] = g_strdup_printf ("127.0.%u.%u", net, i + 1);
  return list;
}

static guint
rows_with_attempts (const char *network)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = crm_pg_connect_blocking (conninfo, &error);
  PGresult *res;
  guint n;

  g_assert_no_error (error);
  res = crm_test_pg_query (conn, "SELECT count(*) FROM crm.sign_in_attempts"
                                 " WHERE attempts > 0 AND address << $1::inet",
                           network, NULL);
  n = (guint) atoi (PQgetvalue (res, 0, 0));
  PQclear (res);
  return n;
}

/* Tests -------------------------------------------------------------------- */

static void
test_parallel_guesses_check_at_most_the_limit (void)
{
  const char *from[] = { "127.0.0.1", NULL };
  const char *logins[] = { "target", NULL };
  Burst b = burst (BURST, from, logins, "guess");

  g_test_message ("guesses checked: %u of %u (limit %u); %u answered 401, %u answered 429",
                  b.checked, BURST, LIMIT, b.wrong, b.throttled);
  g_assert_cmpuint (b.checked, <=, LIMIT);
  g_assert_cmpuint (b.wrong, <=, LIMIT);
  g_assert_cmpuint (b.wrong, >=, 1);
  g_assert_cmpuint (b.ok + b.busy, ==, 0);
  g_assert_cmpuint (b.throttled, ==, BURST - b.wrong);
}

static void
test_right_password_after_the_limit_is_refused (void)
{
  guint64 before = crm_auth_get_n_verifications ();
  g_autoptr(Answer) a = sign_in_from ("127.0.0.1", "target", PASSWORD);

  assert_refused_with_retry (a, 429, "throttled");
  g_assert_cmpuint (crm_auth_get_n_verifications () - before, ==, 0);
}

static void
test_owner_gets_in_from_another_address (void)
{
  g_autoptr(Answer) owner = sign_in_from ("127.0.0.2", "target", PASSWORD);
  g_autoptr(Answer) attacker = sign_in_from ("127.0.0.1", "target", PASSWORD);

  assert_signed_in (owner);
  /* and the owner's success does not lift the attacker's lock */
  assert_refused_with_retry (attacker, 429, "throttled");
}

static void
test_success_clears_the_failures_of_that_address (void)
{
  g_autoptr(Answer) right = NULL;
  g_autoptr(Answer) locked = NULL;
  g_autoptr(Answer) elsewhere = NULL;

  for (guint i = 0; i < LIMIT; i++)
    {
      g_autoptr(Answer) a = sign_in_from ("127.0.0.4", "clears", "guess");
      g_assert_cmpuint (a->status, ==, 401);
    }
  for (guint i = 0; i < LIMIT - 1; i++)
    {
      g_autoptr(Answer) a = sign_in_from ("127.0.0.3", "clears", "guess");
      g_assert_cmpuint (a->status, ==, 401);
    }
  right = sign_in_from ("127.0.0.3", "clears", PASSWORD);
  assert_signed_in (right);

  /* a fresh allowance from 127.0.0.3 ... */
  for (guint i = 0; i < LIMIT; i++)
    {
      g_autoptr(Answer) a = sign_in_from ("127.0.0.3", "clears", "guess");
      g_assert_cmpuint (a->status, ==, 401);
    }
  locked = sign_in_from ("127.0.0.3", "clears", "guess");
  assert_refused_with_retry (locked, 429, "throttled");

  /* ... while 127.0.0.4 keeps its failures */
  elsewhere = sign_in_from ("127.0.0.4", "clears", PASSWORD);
  assert_refused_with_retry (elsewhere, 429, "throttled");
}

static void
test_one_address_cannot_spray_many_accounts (void)
{
  const char *from[] = { "127.0.0.5", NULL };
  g_autoptr(GPtrArray) logins = g_ptr_array_new_with_free_func (g_free);
  Burst b;

  for (guint i = 0; i < 40; i++)
    g_ptr_array_add (logins, g_strdup_printf ("spray%u", i));
  g_ptr_array_add (logins, NULL);
  b = burst (40, from, (const char * const *) logins->pdata, "guess");

  g_test_message ("spraying 40 logins from one address: %u checked (address limit %u)",
                  b.checked, ADDRESS_LIMIT);
  g_assert_cmpuint (b.checked, <=, ADDRESS_LIMIT);
  g_assert_cmpuint (b.wrong, <=, ADDRESS_LIMIT);
  g_assert_cmpuint (b.throttled, ==, 40 - b.wrong);
}

static void
test_hashing_never_exceeds_the_pool (void)
{
  g_auto(GStrv) from = addresses (1, 24);
  const char *logins[] = { "busy", NULL };
  Burst b;
  guint peak;

  crm_auth_reset_peak_verifications ();
  b = burst (24, (const char * const *) from, logins, PASSWORD);
  peak = crm_auth_get_peak_verifications ();

  g_test_message ("24 sign-ins at once: %u checks, at most %u at a time (pool %u)", b.checked, peak, POOL);
  g_assert_cmpuint (b.ok, ==, 24);
  g_assert_cmpuint (b.checked, ==, 24);
  g_assert_cmpuint (peak, <=, POOL);
  g_assert_cmpuint (peak, >=, 1);
}

static void
test_full_queue_is_503_with_retry_after (void)
{
  g_auto(GStrv) from = addresses (2, 20);
  const char *logins[] = { "queued", NULL };
  Burst b;

  /* one running, two waiting: the burst of twenty overflows */
  crm_auth_set_check_limits (1, 2);
  crm_auth_reset_peak_verifications ();
  b = burst (20, (const char * const *) from, logins, PASSWORD);
  crm_auth_set_check_limits (POOL, 4 * BURST);

  g_test_message ("20 sign-ins at once, 1 running + 2 waiting: %u signed in, %u answered 503",
                  b.ok, b.busy);
  g_assert_cmpuint (b.ok + b.busy, ==, 20);
  g_assert_cmpuint (b.ok, >=, 3);
  g_assert_cmpuint (b.busy, >=, 1);
  g_assert_cmpuint (b.checked, ==, b.ok);
  g_assert_cmpuint (crm_auth_get_peak_verifications (), <=, 1);
  /* an attempt refused for want of room was never checked: it does not count */
  g_assert_cmpuint (rows_with_attempts ("127.0.2.0/24"), ==, 0);
}

/* Set-up ------------------------------------------------------------------- */

/* The server logs every 5xx as a warning, which a test makes fatal; the
 * 503s of a full queue are what a test here asks for, so those are only
 * printed.  The statuses themselves are checked by the tests. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
      domain = fields[i].value;
    else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
      message = fields[i].value;
  if (g_strcmp0 (domain, "crm-http") == 0 && message != NULL &&
      g_str_has_prefix (message, "POST session -> 503 "))
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
load_fixture (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = crm_pg_connect_blocking (conninfo, &error);
  g_autofree char *hash = crm_auth_hash_password (PASSWORD, &error);

  g_assert_no_error (error);
  PQclear (crm_test_pg_query (conn,
                              "INSERT INTO crm.users (login, display_name, role, password_hash)"
                              " SELECT login, login, 'manager', $1"
                              " FROM unnest (ARRAY['target', 'clears', 'busy', 'queued']) AS login",
                              hash, NULL));
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
  g_log_set_writer_func (log_writer, NULL, NULL);
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

  crm_auth_set_check_limits (POOL, 4 * BURST);
  g_free (config->database);
  config->database = g_strdup (conninfo);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->threads = 2;
  config->throttle_limit = LIMIT;
  server = crm_server_start (config, &error);
  g_assert_no_error (error);
  port = crm_server_get_port (server);

  g_test_add_func ("/server/sign-in/parallel-guesses-check-at-most-the-limit",
                   test_parallel_guesses_check_at_most_the_limit);
  g_test_add_func ("/server/sign-in/right-password-after-the-limit-is-refused",
                   test_right_password_after_the_limit_is_refused);
  g_test_add_func ("/server/sign-in/owner-gets-in-from-another-address",
                   test_owner_gets_in_from_another_address);
  g_test_add_func ("/server/sign-in/success-clears-the-failures-of-that-address",
                   test_success_clears_the_failures_of_that_address);
  g_test_add_func ("/server/sign-in/one-address-cannot-spray-many-accounts",
                   test_one_address_cannot_spray_many_accounts);
  g_test_add_func ("/server/sign-in/hashing-never-exceeds-the-pool",
                   test_hashing_never_exceeds_the_pool);
  g_test_add_func ("/server/sign-in/full-queue-is-503-with-retry-after",
                   test_full_queue_is_503_with_retry_after);

  status = g_test_run ();

  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
