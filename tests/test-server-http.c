#define G_LOG_DOMAIN "test-server-http"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-error.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-pg.h"

/*
 * The HTTP layer's failure modes, spoken to over raw TCP: what libsoup and
 * our early checks answer to malformed, oversized, stalled and too many
 * requests.  Every answer must be JSON with the project's codes.  An
 * in-process server on port 0 (max-body 64 KiB, request-timeout 1 s, 24
 * connections per address); each test that counts connections connects
 * from its own loopback address (127.0.0.N) so the tests do not share a
 * count.
 */

#define MAX_BODY (64 * 1024)
#define MAX_CONNECTIONS 24

static CrmServer *server;
static guint16 port;
static char *server_conninfo;

/* Raw connections ---------------------------------------------------------- */

static GSocket *
connect_from (const char *source)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) local = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (local, port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  if (source != NULL)
    {
      g_autoptr(GInetAddress) from_address = g_inet_address_new_from_string (source);
      g_autoptr(GSocketAddress) from = g_inet_socket_address_new (from_address, 0);

      g_socket_bind (socket, from, FALSE, &error);
      g_assert_no_error (error);
    }
  g_socket_connect (socket, to, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  return socket;
}

static void
send_text (GSocket    *socket,
           const char *text,
           gsize       len)
{
  g_autoptr(GError) error = NULL;
  gsize done = 0;

  while (done < len)
    {
      gssize n = g_socket_send (socket, text + done, len - done, NULL, &error);

      g_assert_no_error (error);
      done += n;
    }
}

typedef struct
{
  guint     status;
  char     *head;     /* status line and headers */
  char     *body;
  JsonNode *json;
  gboolean  closed;   /* the server closed the connection after it */
} Raw;

static void
raw_free (Raw *r)
{
  g_free (r->head);
  g_free (r->body);
  g_clear_pointer (&r->json, json_node_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

static char *
raw_header (Raw        *r,
            const char *name)
{
  g_auto(GStrv) lines = g_strsplit (r->head, "\r\n", -1);

  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon && (gsize) (colon - lines[i]) == strlen (name) &&
          g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0)
        return g_strstrip (g_strdup (colon + 1));
    }
  return NULL;
}

/* Reads one response: the head, then Content-Length bytes of body. */
static Raw *
read_response (GSocket *socket)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  Raw *r = g_new0 (Raw, 1);
  char buf[4096];
  const char *end;
  gsize body_len = 0;
  g_autofree char *length = NULL;

  for (;;)
    {
      gssize n;

      if (r->head == NULL)
        {
          g_byte_array_append (data, (guint8 *) "", 1);
          end = strstr ((char *) data->data, "\r\n\r\n");
          g_byte_array_set_size (data, data->len - 1);
          if (end != NULL)
            {
              r->head = g_strndup ((char *) data->data, end - (char *) data->data);
              length = raw_header (r, "Content-Length");
              body_len = length ? g_ascii_strtoull (length, NULL, 10) : 0;
            }
        }
      if (r->head != NULL && data->len >= strlen (r->head) + 4 + body_len)
        break;
      n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
      if (n <= 0)
        {
          r->closed = TRUE;
          break;
        }
      g_byte_array_append (data, (guint8 *) buf, n);
    }
  if (r->head == NULL)
    {
      /* no answer at all: status 0, which no test expects */
      r->head = g_strdup ("");
      r->body = g_strndup ((char *) data->data, data->len);
      return r;
    }
  body_len = MIN (body_len, data->len - MIN (data->len, strlen (r->head) + 4));
  r->body = g_strndup ((char *) data->data + strlen (r->head) + 4, body_len);
  r->status = (guint) g_ascii_strtoull (strchr (r->head, ' ') + 1, NULL, 10);
  if (body_len > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, r->body, -1, NULL))
        r->json = json_node_ref (json_parser_get_root (parser));
    }
  return r;
}

static Raw *
raw_request (const char *text,
             gsize       len)
{
  g_autoptr(GSocket) socket = connect_from (NULL);

  send_text (socket, text, len);
  return read_response (socket);
}

/* Asserts a JSON error answer {"error": {"code", "message"}}. */
static void
assert_json_error (Raw        *r,
                   guint       status,
                   const char *code)
{
  g_autofree char *type = raw_header (r, "Content-Type");
  JsonObject *error;

  /* Failures are reported and the test goes on (so that a run against an
   * older server lists every case it fails). */
  if (r->status != status)
    {
      g_test_fail_printf ("expected %u, got %u (0: no answer):\n%s\n\n%s", status, r->status, r->head, r->body);
      return;
    }
  if (type == NULL || !g_str_has_prefix (type, "application/json") ||
      r->json == NULL || !JSON_NODE_HOLDS_OBJECT (r->json))
    {
      g_test_fail_printf ("%u answered without a JSON object: “%s”", status, r->body);
      return;
    }
  error = json_object_get_object_member (json_node_get_object (r->json), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_cmpuint (strlen (json_object_get_string_member (error, "message")), >, 0);
}

static const char *
error_field (Raw *r)
{
  JsonObject *error;

  if (r->json == NULL || !JSON_NODE_HOLDS_OBJECT (r->json) ||
      !json_object_has_member (json_node_get_object (r->json), "error"))
    return NULL;
  error = json_object_get_object_member (json_node_get_object (r->json), "error");

  return json_object_get_string_member_with_default (error, "field", NULL);
}

/* Memory ------------------------------------------------------------------- */

static guint64
status_kib (const char *key)
{
  g_autofree char *text = NULL;
  const char *at;

  g_assert_true (g_file_get_contents ("/proc/self/status", &text, NULL, NULL));
  at = strstr (text, key);
  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (key) + 1, NULL, 10);
}

/* Resets the peak (VmHWM) to the current RSS where the kernel allows it. */
static void
reset_peak (void)
{
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

/* Sends @total bytes of spaces, in a thread, until done or refused. */
typedef struct
{
  GSocket *socket;
  gsize    total;
  gsize    sent;
  gboolean chunked;
} Sender;

static gpointer
sender_main (gpointer data)
{
  Sender *s = data;
  static char block[64 * 1024];
  char frame[32];

  memset (block, ' ', sizeof block);
  g_snprintf (frame, sizeof frame, "%zx\r\n", sizeof block);
  while (s->sent < s->total)
    {
      if (s->chunked && g_socket_send (s->socket, frame, strlen (frame), NULL, NULL) <= 0)
        break;
      if (g_socket_send (s->socket, block, sizeof block, NULL, NULL) <= 0)
        break;
      if (s->chunked && g_socket_send (s->socket, "\r\n", 2, NULL, NULL) <= 0)
        break;
      s->sent += sizeof block;
    }
  return NULL;
}

/* Sends a POST head and then a huge body; returns the answer, the bytes
 * the server let through and how much the process's peak RSS grew. */
static Raw *
post_huge (gsize     total,
           gboolean  chunked,
           gsize    *sent,
           guint64  *growth_kib)
{
  g_autoptr(GSocket) socket = connect_from (NULL);
  g_autofree char *head = NULL;
  Sender s = { socket, total, 0, chunked };
  GThread *thread;
  guint64 before;
  Raw *r;

  if (chunked)
    head = g_strdup ("POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n");
  else
    head = g_strdup_printf ("POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                            "Content-Length: %zu\r\n\r\n", total);
  reset_peak ();
  before = status_kib ("VmRSS:");
  send_text (socket, head, strlen (head));
  thread = g_thread_new ("sender", sender_main, &s);
  r = read_response (socket);
  /* the server closes the connection shortly; the sender then stops */
  g_thread_join (thread);
  *sent = s.sent;
  *growth_kib = status_kib ("VmHWM:") - before;
  return r;
}

/* Bodies ------------------------------------------------------------------- */

static void
test_http_huge_body_is_refused_without_being_read (void)
{
  gsize total = 256 * 1024 * 1024;
  gsize sent = 0;
  guint64 growth = 0;
  g_autoptr(Raw) r = post_huge (total, FALSE, &sent, &growth);

  assert_json_error (r, 413, "too_large");
  g_assert_cmpstr (error_field (r), ==, "body");
  g_test_message ("256 MiB with Content-Length: %zu bytes sent before the server closed, peak RSS +%"
                  G_GUINT64_FORMAT " KiB", sent, growth);
  g_assert_cmpuint (sent, <, total);
  g_assert_cmpuint (growth, <, 8 * 1024);
}

static void
test_http_chunked_body_is_cut_off_at_the_limit (void)
{
  gsize total = 256 * 1024 * 1024;
  gsize sent = 0;
  guint64 growth = 0;
  g_autoptr(Raw) r = post_huge (total, TRUE, &sent, &growth);

  assert_json_error (r, 413, "too_large");
  g_test_message ("256 MiB chunked: %zu bytes sent before the server closed, peak RSS +%"
                  G_GUINT64_FORMAT " KiB", sent, growth);
  g_assert_cmpuint (sent, <, total);
  g_assert_cmpuint (growth, <, 8 * 1024);
}

static void
test_http_chunked_body_under_the_limit_is_accepted (void)
{
  const char *json = "{\"login\":\"!\",\"password\":\"x\"}";
  g_autofree char *request = g_strdup_printf ("POST /api/v1/session HTTP/1.1\r\nHost: t\r\n"
                                              "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                              "Connection: close\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
                                              strlen (json), json);
  g_autoptr(Raw) r = raw_request (request, strlen (request));

  /* the handler saw the body: it refuses the login, not the encoding */
  assert_json_error (r, 400, "invalid");
  g_assert_cmpstr (error_field (r), ==, "login");
}

/* Malformed requests -------------------------------------------------------- */

typedef struct
{
  const char *what;
  const char *request;
  guint       status;
  const char *code;
} Malformed;

static void
test_http_malformed_requests_get_json_errors (void)
{
  static const Malformed cases[] = {
    { "a bad request line", "GARBAGE\r\n\r\n", 400, "malformed" },
    { "an unknown HTTP version", "GET /api/v1/health HTTP/9.9\r\nHost: t\r\n\r\n", 505, "malformed" },
    { "a bad escape in the path", "GET /api/v1/he%zzalth HTTP/1.1\r\nHost: t\r\n\r\n", 400, "malformed" },
    { "a bad escape in the query", "GET /api/v1/health?a=%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400, "malformed" },
    { "a NUL in the path", "GET /api/v1/he%00alth HTTP/1.1\r\nHost: t\r\n\r\n", 400, "malformed" },
    { "a NUL in the query", "GET /api/v1/health?a=%00 HTTP/1.1\r\nHost: t\r\n\r\n", 400, "malformed" },
    { "a missing Host", "GET /api/v1/health HTTP/1.1\r\n\r\n", 400, "malformed" },
    { "a Content-Length that is not a number",
      "POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n{}", 400, "malformed" },
    { "a negative Content-Length",
      "POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n{}", 400, "malformed" },
    { "two different Content-Lengths",
      "POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}", 400, "malformed" },
    { "Content-Length with Transfer-Encoding",
      "POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\n{}\r\n0\r\n\r\n", 400, "malformed" },
    { "an unknown Transfer-Encoding",
      "POST /api/v1/session HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "malformed" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Raw) r = NULL;

      g_test_message ("%s", cases[i].what);
      r = raw_request (cases[i].request, strlen (cases[i].request));
      assert_json_error (r, cases[i].status, cases[i].code);
    }
}

static void
test_http_long_uri_is_414 (void)
{
  g_autoptr(GString) request = g_string_new ("GET /api/v1/health?q=");
  g_autoptr(Raw) r = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (request, 'a');
  g_string_append (request, " HTTP/1.1\r\nHost: t\r\n\r\n");
  r = raw_request (request->str, request->len);
  assert_json_error (r, 414, "uri_too_long");
}

static void
test_http_large_headers_are_431 (void)
{
  g_autoptr(GString) request = g_string_new ("GET /api/v1/health HTTP/1.1\r\nHost: t\r\n");
  g_autoptr(Raw) r = NULL;

  for (guint i = 0; i < 40; i++)
    {
      g_string_append_printf (request, "X-Filler-%u: ", i);
      for (guint j = 0; j < 500; j++)
        g_string_append_c (request, 'a');
      g_string_append (request, "\r\n");
    }
  g_string_append (request, "\r\n");
  r = raw_request (request->str, request->len);
  assert_json_error (r, 431, "headers_too_large");
}

/* JSON bodies ---------------------------------------------------------------- */

static Raw *
post_session (const char *content_type,
              const char *body)
{
  g_autofree char *request = g_strdup_printf ("POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\n"
                                              "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                                              content_type, strlen (body), body);

  return raw_request (request, strlen (request));
}

static void
test_http_json_bodies_are_strict (void)
{
  g_autoptr(Raw) comment = post_session ("application/json", "{\"login\":\"ab\", /* hi */ \"password\":\"x\"}");
  g_autoptr(Raw) line_comment = post_session ("application/json", "{\"login\":\"ab\",\"password\":\"x\"} // hi");
  g_autoptr(Raw) trailing = post_session ("application/json", "{\"login\":\"ab\",\"password\":\"x\"} {}");
  g_autoptr(Raw) nul = post_session ("application/json", "{\"login\":\"ab\\u0000cd\",\"password\":\"x\"}");
  g_autoptr(Raw) control = post_session ("application/json", "{\"login\":\"ab\\u0001cd\",\"password\":\"x\"}");

  assert_json_error (comment, 400, "malformed");
  assert_json_error (line_comment, 400, "malformed");
  assert_json_error (trailing, 400, "malformed");
  assert_json_error (nul, 400, "invalid");
  g_assert_cmpstr (error_field (nul), ==, "login");
  assert_json_error (control, 400, "invalid");
  g_assert_cmpstr (error_field (control), ==, "login");
}

static void
test_http_media_type_is_matched_case_insensitively (void)
{
  g_autoptr(Raw) r = post_session ("Application/JSON; charset=utf-8", "{\"login\":\"!\",\"password\":\"x\"}");
  g_autoptr(Raw) other = post_session ("text/plain", "{\"login\":\"!\",\"password\":\"x\"}");

  /* accepted as JSON: the login is what is refused */
  assert_json_error (r, 400, "invalid");
  g_assert_cmpstr (error_field (r), ==, "login");
  assert_json_error (other, 400, "invalid");
  g_assert_cmpstr (error_field (other), ==, "body");
}

/* Stalls and connection limits ---------------------------------------------- */

static void
assert_times_out (GSocket    *socket,
                  const char *partial)
{
  gint64 start = g_get_monotonic_time ();
  g_autoptr(Raw) r = NULL;
  gint64 waited;

  send_text (socket, partial, strlen (partial));
  r = read_response (socket);
  waited = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("answered after %" G_GINT64_FORMAT " ms", waited);
  assert_json_error (r, 408, "timeout");
  g_assert_cmpint (waited, >=, 900);
  g_assert_cmpint (waited, <, 5000);
}

static void
test_http_stalled_headers_time_out (void)
{
  g_autoptr(GSocket) socket = connect_from ("127.0.0.2");

  assert_times_out (socket, "GET /api/v1/heal");
}

static void
test_http_stalled_body_times_out (void)
{
  g_autoptr(GSocket) socket = connect_from ("127.0.0.2");

  assert_times_out (socket, "POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                            "Content-Length: 100\r\n\r\n{\"login\"");
}

static void
test_http_stalled_request_on_a_kept_alive_connection_times_out (void)
{
  g_autoptr(GSocket) socket = connect_from ("127.0.0.2");
  const char *health = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n";
  g_autoptr(Raw) first = NULL;

  g_test_message ("at %" G_GINT64_FORMAT " ms", g_get_monotonic_time () / 1000);
  send_text (socket, health, strlen (health));
  first = read_response (socket);
  g_test_message ("first at %" G_GINT64_FORMAT " ms", g_get_monotonic_time () / 1000);
  g_assert_cmpuint (first->status, ==, 200);
  assert_times_out (socket, "GET /api/v1/heal");
}

static void
test_http_connections_per_address_are_capped (void)
{
  const char *health = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n";
  GSocket *sockets[MAX_CONNECTIONS];
  g_autoptr(GSocket) extra = NULL;
  g_autoptr(GSocket) other = NULL;
  g_autoptr(Raw) refused = NULL;
  g_autoptr(Raw) fine = NULL;
  g_autofree char *retry = NULL;

  for (guint i = 0; i < MAX_CONNECTIONS; i++)
    {
      g_autoptr(Raw) r = NULL;

      sockets[i] = connect_from ("127.0.0.3");
      send_text (sockets[i], health, strlen (health));
      r = read_response (sockets[i]);
      g_assert_cmpuint (r->status, ==, 200);
    }

  extra = connect_from ("127.0.0.3");
  send_text (extra, health, strlen (health));
  refused = read_response (extra);
  assert_json_error (refused, 503, "unavailable");
  retry = raw_header (refused, "Retry-After");
  g_assert_nonnull (retry);
  g_assert_cmpuint (g_ascii_strtoull (retry, NULL, 10), >, 0);

  /* another address is not affected */
  other = connect_from ("127.0.0.4");
  send_text (other, health, strlen (health));
  fine = read_response (other);
  g_assert_cmpuint (fine->status, ==, 200);

  for (guint i = 0; i < MAX_CONNECTIONS; i++)
    g_object_unref (sockets[i]);
}

static void
test_http_database_unavailable_503_carries_retry_after (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PGconn) conn = crm_pg_connect_blocking (server_conninfo, &error);
  const char *health = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  g_autoptr(Raw) r = NULL;
  g_autofree char *retry = NULL;
  PGresult *res;
  GLogLevelFlags fatal;

  g_assert_no_error (error);
  /* the server's own warnings about the database it lost are expected */
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  /* every request connection of the server goes; it waits a second before
   * it reconnects, and answers 503 meanwhile */
  res = PQexec (conn, "SELECT pg_terminate_backend (pid) FROM pg_stat_activity"
                      " WHERE datname = current_database () AND usename = 'keyline_app'");
  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  g_assert_cmpint (PQntuples (res), >=, 1);
  PQclear (res);
  g_usleep (200 * 1000);
  r = raw_request (health, strlen (health));
  assert_json_error (r, 503, "unavailable");
  retry = raw_header (r, "Retry-After");
  g_assert_nonnull (retry);
  g_assert_cmpuint (g_ascii_strtoull (retry, NULL, 10), >, 0);
  /* let the server reconnect before warnings are fatal again */
  g_usleep (1500 * 1000);
  g_log_set_always_fatal (fatal);
}

/* Configuration and logging ------------------------------------------------ */

static void
test_http_config_copy_is_deep (void)
{
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autoptr(CrmConfig) copy = NULL;

  g_free (config->app_database);
  config->app_database = g_strdup ("dbname=x user=y");
  config->request_timeout = 7;
  copy = crm_config_copy (config);
  g_assert_true (copy->database != config->database);
  g_assert_true (copy->app_database != config->app_database);
  g_assert_true (copy->listen_host != config->listen_host);
  g_assert_true (copy->log_level != config->log_level);
  g_assert_cmpstr (copy->database, ==, config->database);
  g_assert_cmpstr (copy->app_database, ==, config->app_database);
  g_assert_cmpstr (copy->log_level, ==, config->log_level);
  g_assert_cmpuint (copy->request_timeout, ==, 7);
  g_clear_pointer (&config, crm_config_free);
  g_assert_cmpstr (copy->listen_host, ==, "127.0.0.1");
}

static void
test_http_request_timeout_comes_from_key_file_and_command_line (void)
{
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp ("keyline-XXXXXX.conf", &path, &error);
  const char *text = "[server]\nrequest-timeout=9\nmax-client-connections=11\nsync-count-sample=40\n";
  char *args[] = { (char *) "keyline-server", (char *) "--config", NULL, (char *) "--request-timeout", (char *) "3", NULL };
  char *zero[] = { (char *) "keyline-server", (char *) "--sync-count-sample", (char *) "0", NULL };
  char **argv = args;
  int argc = 5;

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpuint (config->request_timeout, ==, 30);
  g_assert_cmpuint (config->max_client_connections, ==, 64);
  g_assert_cmpuint (config->sync_count_sample, ==, 500);
  args[2] = path;
  g_assert_true (crm_config_parse (config, &argc, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (config->request_timeout, ==, 3);
  g_assert_cmpuint (config->max_client_connections, ==, 11);
  g_assert_cmpuint (config->sync_count_sample, ==, 40);
  g_unlink (path);

  /* a sample of no customers would count nothing */
  argv = zero;
  argc = 3;
  g_assert_false (crm_config_parse (config, &argc, &argv, &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "sync-count-sample"));
}

/* Runs the real binary with @log as KEYLINE_LOG against @conninfo, asks
 * for /health once, stops it and returns what it wrote on stderr. */
static char *
run_server_with_log (const char *conninfo,
                     const char *log,
                     int        *exit_status)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *err_text = NULL;
  const char *at;

  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  g_subprocess_launcher_setenv (launcher, "KEYLINE_LOG", log, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("KEYLINE_SERVER"), "--database", conninfo,
                                         "--listen", "127.0.0.1:0", "--threads", "1", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
  if (line != NULL && (at = strstr (line, "http://127.0.0.1:")) != NULL)
    {
      guint16 server_port = (guint16) g_ascii_strtoull (at + strlen ("http://127.0.0.1:"), NULL, 10);
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) conn = g_socket_client_connect_to_host (client, "127.0.0.1", server_port,
                                                                           NULL, &error);
      const char *request = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
      char buf[1024];

      g_assert_no_error (error);
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), request, strlen (request),
                                 NULL, NULL, &error);
      g_assert_no_error (error);
      while (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (conn)), buf, sizeof buf, NULL, NULL) > 0)
        ;
      g_subprocess_send_signal (process, SIGTERM);
    }
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  *exit_status = g_subprocess_get_exit_status (process);
  err_text = g_data_input_stream_read_upto (g_data_input_stream_new (g_subprocess_get_stderr_pipe (process)),
                                            "", 0, NULL, NULL, NULL);
  return g_strdup (err_text ? err_text : "");
}

static void
test_http_keyline_log_debug_logs_each_request (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = crm_test_pg_create_database (&error);
  g_autofree char *debug = NULL;
  g_autofree char *info = NULL;
  g_autofree char *wrong = NULL;
  int status = -1;

  g_assert_no_error (error);
  debug = run_server_with_log (conninfo, "debug", &status);
  g_assert_cmpint (status, ==, 0);
  if (strstr (debug, "GET health -> 200") == NULL)
    g_error ("KEYLINE_LOG=debug logged no request:\n%s", debug);

  info = run_server_with_log (conninfo, "info", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (info, "GET health -> 200"));

  wrong = run_server_with_log (conninfo, "loud", &status);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (wrong, "KEYLINE_LOG"));
  crm_test_pg_drop_database (conninfo);
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
  g_test_set_nonfatal_assertions ();
  crm_auth_init (NULL);
  crm_server_raise_fd_limit ();

  g_test_add_func ("/server/http/config-copy-is-deep", test_http_config_copy_is_deep);
  g_test_add_func ("/server/http/request-timeout-comes-from-key-file-and-command-line",
                   test_http_request_timeout_comes_from_key_file_and_command_line);

  if (!crm_test_pg_available ())
    {
      g_test_message ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset): server tests skipped");
      return g_test_run ();
    }

  server_conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  g_assert_true (crm_migrate_run (server_conninfo, &applied, &error));
  g_assert_no_error (error);

  /* KEYLINE_TEST_HTTP_PORT: test a server already running there instead
   * (started with the settings above), such as an older build, to see
   * which of these tests it fails. */
  if (g_getenv ("KEYLINE_TEST_HTTP_PORT") != NULL)
    port = (guint16) g_ascii_strtoull (g_getenv ("KEYLINE_TEST_HTTP_PORT"), NULL, 10);
  if (port != 0)
    goto add_tests;

  g_free (config->database);
  config->database = g_strdup (server_conninfo);
  config->listen_port = 0;
  config->threads = 2;
  config->max_body = MAX_BODY;
  config->request_timeout = 1;
  config->max_client_connections = MAX_CONNECTIONS;
  server = crm_server_start (config, &error);
  g_assert_no_error (error);
  port = crm_server_get_port (server);

add_tests:
  g_test_add_func ("/server/http/huge-body-is-refused-without-being-read",
                   test_http_huge_body_is_refused_without_being_read);
  g_test_add_func ("/server/http/chunked-body-is-cut-off-at-the-limit", test_http_chunked_body_is_cut_off_at_the_limit);
  g_test_add_func ("/server/http/chunked-body-under-the-limit-is-accepted",
                   test_http_chunked_body_under_the_limit_is_accepted);
  g_test_add_func ("/server/http/malformed-requests-get-json-errors", test_http_malformed_requests_get_json_errors);
  g_test_add_func ("/server/http/long-uri-is-414", test_http_long_uri_is_414);
  g_test_add_func ("/server/http/large-headers-are-431", test_http_large_headers_are_431);
  g_test_add_func ("/server/http/json-bodies-are-strict", test_http_json_bodies_are_strict);
  g_test_add_func ("/server/http/media-type-is-matched-case-insensitively",
                   test_http_media_type_is_matched_case_insensitively);
  g_test_add_func ("/server/http/stalled-headers-time-out", test_http_stalled_headers_time_out);
  g_test_add_func ("/server/http/stalled-body-times-out", test_http_stalled_body_times_out);
  g_test_add_func ("/server/http/stalled-request-on-a-kept-alive-connection-times-out",
                   test_http_stalled_request_on_a_kept_alive_connection_times_out);
  g_test_add_func ("/server/http/connections-per-address-are-capped", test_http_connections_per_address_are_capped);
  g_test_add_func ("/server/http/keyline-log-debug-logs-each-request", test_http_keyline_log_debug_logs_each_request);
  g_test_add_func ("/server/http/database-unavailable-503-carries-retry-after",
                   test_http_database_unavailable_503_carries_retry_after);

  status = g_test_run ();

  g_clear_pointer (&server, crm_server_stop);
  crm_test_pg_drop_database (server_conninfo);
  g_free (server_conninfo);
  return status;
}
