#define G_LOG_DOMAIN "test-server-process"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>

#include "crm-migrate.h"
#include "crm-test-pg.h"

/*
 * keyline-server as operators run it: the real binary (KEYLINE_SERVER),
 * started, asked, and stopped with SIGTERM.
 */

static const char *
server_binary (void)
{
  const char *path = g_getenv ("KEYLINE_SERVER");

  g_assert_nonnull (path);
  return path;
}

typedef struct
{
  GSubprocess      *process;
  GDataInputStream *out;
  guint16           port;
} Running;

static void
start (Running    *r,
       const char *conninfo)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *at;

  r->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                 server_binary (), "--database", conninfo,
                                 "--listen", "127.0.0.1:0", "--threads", "2", NULL);
  g_assert_no_error (error);
  r->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (r->process));
  line = g_data_input_stream_read_line_utf8 (r->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  at = strstr (line, "http://127.0.0.1:");
  g_assert_nonnull (at);
  r->port = (guint16) g_ascii_strtoull (at + strlen ("http://127.0.0.1:"), NULL, 10);
  g_assert_cmpuint (r->port, >, 0);
}

static GSocketConnection *
connect_to (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);

  g_assert_no_error (error);
  return conn;
}

static char *
read_all (GSocketConnection *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_autoptr(GByteArray) data = g_byte_array_new ();
  char buf[4096];
  gssize n;

  while ((n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL)) > 0)
    g_byte_array_append (data, (guint8 *) buf, n);
  g_byte_array_append (data, (guint8 *) "", 1);
  return g_strdup ((char *) data->data);
}

static void
test_process_sigterm_finishes_requests_in_flight (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = crm_test_pg_create_database (&error);
  g_autoptr(GSocketConnection) conn = NULL;
  g_autofree char *response = NULL;
  g_autofree char *err_text = NULL;
  const char *body = "{\"login\":\"nobody\",\"password\":\"some password\"}";
  g_autofree char *request = NULL;
  Running r = { 0 };

  g_assert_no_error (error);
  start (&r, conninfo);

  /* A sign-in spends tens of milliseconds in Argon2id: the signal arrives
   * while it is in progress, and the answer must still come. */
  request = g_strdup_printf ("POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen (body), body);
  conn = connect_to (r.port);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_usleep (15 * 1000);
  g_subprocess_send_signal (r.process, SIGTERM);

  response = read_all (conn);
  g_assert_true (g_str_has_prefix (response, "HTTP/1.1 401"));
  g_assert_nonnull (strstr (response, "bad_credentials"));

  g_subprocess_wait (r.process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (r.process));
  g_assert_cmpint (g_subprocess_get_exit_status (r.process), ==, 0);

  err_text = g_data_input_stream_read_upto (g_data_input_stream_new (g_subprocess_get_stderr_pipe (r.process)),
                                            "", 0, NULL, NULL, NULL);
  g_assert_nonnull (strstr (err_text, "Stopped"));
  /* logs carry no personal data: neither the login tried nor the password */
  g_assert_null (strstr (err_text, "nobody"));
  g_assert_null (strstr (err_text, "some password"));

  g_object_unref (r.out);
  g_object_unref (r.process);
  crm_test_pg_drop_database (conninfo);
}

static void
test_process_refuses_to_start_without_its_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              server_binary (), "--database", "host=/nonexistent dbname=nothing connect_timeout=2",
                              "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "not starting"));
  g_assert_nonnull (strstr (err, "Cannot connect to the database"));
}

static void
test_process_rejects_a_bad_listen_address (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              server_binary (), "--listen", "localhost", "migrate", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 2);
  g_assert_nonnull (strstr (err, "HOST:PORT"));
}

static void
test_process_refuses_a_port_another_server_listens_on (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = crm_test_pg_create_database (&error);
  g_autofree char *listen = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) second = NULL;
  Running first = { 0 };

  g_assert_no_error (error);
  start (&first, conninfo);

  /* SO_REUSEPORT alone would let the second one share the port silently */
  listen = g_strdup_printf ("127.0.0.1:%u", first.port);
  second = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             server_binary (), "--database", conninfo, "--listen", listen, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (second, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (second));
  g_assert_cmpint (g_subprocess_get_exit_status (second), !=, 0);
  g_assert_nonnull (strstr (err, "another keyline-server"));

  g_subprocess_send_signal (first.process, SIGTERM);
  g_subprocess_wait (first.process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (first.out);
  g_object_unref (first.process);
  crm_test_pg_drop_database (conninfo);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/server/process/refuses-to-start-without-its-database",
                   test_process_refuses_to_start_without_its_database);
  g_test_add_func ("/server/process/rejects-a-bad-listen-address", test_process_rejects_a_bad_listen_address);
  if (crm_test_pg_available ())
    {
      g_test_add_func ("/server/process/sigterm-finishes-requests-in-flight",
                       test_process_sigterm_finishes_requests_in_flight);
      g_test_add_func ("/server/process/refuses-a-port-another-server-listens-on",
                       test_process_refuses_a_port_another_server_listens_on);
    }
  return g_test_run ();
}
