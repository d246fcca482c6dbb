#define G_LOG_DOMAIN "crm-http"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-http.h"
#include "crm-http-private.h"

/*
 * What the HTTP layer refuses before a request reaches the router: limits on
 * the head, bodies over max-body, and the answers libsoup would otherwise
 * send without a JSON body.  crm-server.c adds the per-address connection
 * cap and the request timeout, answered through crm_http_refuse () too.
 */

/* Limits on a request's head, below libsoup 3.2's own (it drops a
 * connection whose header block passes 64 KiB, without an answer). */
#define MAX_URI_BYTES (8 * 1024)
#define MAX_HEADER_BYTES (16 * 1024)
/* After a refusal, what the client still sends is read and discarded for
 * this long (or this much) before the socket closes, so that the close
 * does not reset the connection before the client has read the answer. */
#define LINGER_MS 1000
#define LINGER_BYTES (4 * 1024 * 1024)

/* Refusals -------------------------------------------------------------
 *
 * A request refused before it is read in full (a body over the limit, a
 * request that stalls, a client with too many connections) must not be
 * read on: libsoup 3.2 reads, and keeps, a whole body even after an early
 * handler has set a status.  So the message is paused, and on the next
 * turn of the loop its connection is taken from libsoup
 * (soup_server_message_steal_connection), the JSON answer is written on it
 * directly, the sending side is shut, and the socket closes after a short
 * linger in which what still arrives is discarded, not kept.
 */

typedef struct
{
  SoupServerMessage *msg;
  GSocket           *socket;   /* the message's, when it was refused */
  GBytes            *response;
} Refusal;

typedef struct
{
  GIOStream *stream;
  GSocket   *socket;
  GSource   *drain;
  GSource   *deadline;
  gsize      drained;
} Linger;

static void
linger_free (Linger *linger)
{
  if (linger->drain)
    g_source_destroy (linger->drain);
  if (linger->deadline)
    g_source_destroy (linger->deadline);
  g_clear_pointer (&linger->drain, g_source_unref);
  g_clear_pointer (&linger->deadline, g_source_unref);
  g_io_stream_close (linger->stream, NULL, NULL);
  if (!g_socket_is_closed (linger->socket))
    g_socket_close (linger->socket, NULL);
  g_object_unref (linger->socket);
  g_object_unref (linger->stream);
  g_free (linger);
}

static gboolean
linger_drain_cb (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Linger *linger = user_data;
  g_autoptr(GError) error = NULL;
  char buf[16 * 1024];
  gssize n = g_socket_receive_with_blocking (socket, buf, sizeof buf, FALSE, NULL, &error);

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n > 0 && (linger->drained += n) < LINGER_BYTES)
    return G_SOURCE_CONTINUE;
  linger_free (linger);
  return G_SOURCE_REMOVE;
}

static gboolean
linger_deadline_cb (gpointer user_data)
{
  linger_free (user_data);
  return G_SOURCE_REMOVE;
}

static void
linger_start (GIOStream *stream,
              GSocket   *socket)
{
  Linger *linger = g_new0 (Linger, 1);
  GMainContext *context = g_main_context_get_thread_default ();

  linger->stream = stream;
  linger->socket = g_object_ref (socket);
  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  linger->drain = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (linger->drain, G_SOURCE_FUNC (linger_drain_cb), linger, NULL);
  g_source_attach (linger->drain, context);
  linger->deadline = g_timeout_source_new (LINGER_MS);
  g_source_set_callback (linger->deadline, linger_deadline_cb, linger, NULL);
  g_source_attach (linger->deadline, context);
}

static void
refusal_free (gpointer data)
{
  Refusal *refusal = data;

  g_object_unref (refusal->msg);
  g_clear_object (&refusal->socket);
  g_bytes_unref (refusal->response);
  g_free (refusal);
}

static gboolean
refusal_cb (gpointer user_data)
{
  Refusal *refusal = user_data;
  GIOStream *stream;
  GSocket *socket;
  gsize len;
  const char *data = g_bytes_get_data (refusal->response, &len);

  /* The client may have gone meanwhile, and libsoup with it. */
  socket = soup_server_message_get_socket (refusal->msg);
  if (socket == NULL)
    socket = refusal->socket;
  if (socket == NULL || g_socket_is_closed (socket))
    return G_SOURCE_REMOVE;
  g_object_ref (socket);
  stream = soup_server_message_steal_connection (refusal->msg);
  /* A few hundred bytes on a socket that has sent nothing yet: the send
   * buffer takes them at once; if not, the client is not reading anyway. */
  g_socket_send_with_blocking (socket, data, len, FALSE, NULL, NULL);
  if (stream != NULL)
    linger_start (stream, socket);
  else
    {
      /* libsoup 3.2 gives no stream for a request whose first line has
       * not arrived on a kept-alive connection; nothing is being written
       * on it, so the answer above went out alone.  Shut the socket:
       * libsoup reads end of stream and the server's sweep closes it. */
      g_socket_shutdown (socket, TRUE, TRUE, NULL);
    }
  g_object_unref (socket);
  return G_SOURCE_REMOVE;
}

GBytes *
crm_http_error_response (const GError *error)
{
  guint status = crm_http_status_for_error (error);

  CrmError code = error->domain == CRM_ERROR ? (CrmError) error->code : CRM_ERROR_INTERNAL;
  g_autoptr(GString) body = crm_http_error_body (code, error->message, crm_error_get_field (error));
  GString *out = g_string_sized_new (256 + body->len);
  gsize len;

  /* libsoup 3.2 has no phrase for 431 */
  g_string_append_printf (out, "HTTP/1.1 %u %s\r\n", status,
                          status == 431 ? "Request Header Fields Too Large" : soup_status_get_phrase (status));
  g_string_append (out, "Server: Keyline/" PACKAGE_VERSION "\r\n"
                        "Content-Type: application/json\r\n"
                        "Cache-Control: no-store\r\n"
                        "X-Content-Type-Options: nosniff\r\n"
                        "Connection: close\r\n");
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    g_string_append (out, "Retry-After: " CRM_HTTP_RETRY_AFTER "\r\n");
  g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n%s", body->len, body->str);
  len = out->len;
  return g_bytes_new_take (g_string_free (out, FALSE), len);
}

/* Marks on a message, by quark: g_object_get_data () looks its string
 * up under GLib's one process-wide quark lock, which the server threads
 * took several times per request and then waited for each other on. */
static G_DEFINE_QUARK (crm-paused, paused)
static G_DEFINE_QUARK (crm-refused, refused)

/* A message can be paused once its head is read (in "request-started" it
 * has no I/O yet); early_cb pauses one refused before then. */
static void
pause_reading (SoupServerMessage *msg)
{
  if (soup_server_message_get_method (msg) == NULL ||
      g_object_get_qdata (G_OBJECT (msg), paused_quark ()) != NULL)
    return;
  g_object_set_qdata (G_OBJECT (msg), paused_quark (), GINT_TO_POINTER (1));
  soup_server_message_pause (msg);
}

void
crm_http_refuse (SoupServerMessage *msg,
                 const GError      *error)
{
  Refusal *refusal;
  GSource *source;
  guint status = crm_http_status_for_error (error);

  if (crm_http_is_refused (msg))
    return;
  g_object_set_qdata (G_OBJECT (msg), refused_quark (), GINT_TO_POINTER (1));
  g_log_structured (G_LOG_DOMAIN, status >= 500 ? G_LOG_LEVEL_MESSAGE : G_LOG_LEVEL_DEBUG,
                    "HTTP_ROUTE", "-",
                    "MESSAGE", "refused before reading in full -> %u: %s", status, error->message);

  refusal = g_new0 (Refusal, 1);
  refusal->msg = g_object_ref (msg);
  if (soup_server_message_get_socket (msg) != NULL)
    refusal->socket = g_object_ref (soup_server_message_get_socket (msg));
  refusal->response = crm_http_error_response (error);
  /* Not from inside libsoup's reading: stop reading now, take the
   * connection on the next turn of the loop, before any other source. */
  pause_reading (msg);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, refusal_cb, refusal, refusal_free);
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

gboolean
crm_http_is_refused (SoupServerMessage *msg)
{
  return g_object_get_qdata (G_OBJECT (msg), refused_quark ()) != NULL;
}

/* Early checks ---------------------------------------------------------- */

/* A percent-escape of a control character (%00 to %1F, %7F), or the
 * character itself, in a path or query.  With @nul_only, only NUL. */
static gboolean
has_control_escape (const char *text,
                    gboolean    nul_only)
{
  for (const char *p = text; p && *p; p++)
    {
      guchar c = (guchar) *p;

      if (!nul_only && (c < 0x20 || c == 0x7f))
        return TRUE;
      if (c == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          int v = g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2]);

          if (nul_only ? v == 0 : (v < 0x20 || v == 0x7f))
            return TRUE;
        }
    }
  return FALSE;
}

/* Content-Length: one non-negative decimal number, or the same one
 * repeated (libsoup joins repeated headers with ", "). */
static gboolean
parse_content_length (const char *value,
                      guint64    *length)
{
  g_auto(GStrv) items = g_strsplit (value, ",", -1);
  gboolean any = FALSE;

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *item = g_strstrip (items[i]);
      guint64 v;

      if (*item == '\0' || strspn (item, "0123456789") != strlen (item) || strlen (item) > 18 ||
          !g_ascii_string_to_unsigned (item, 10, 0, G_MAXINT64, &v, NULL) ||
          (any && v != *length))
        return FALSE;
      *length = v;
      any = TRUE;
    }
  return any;
}

static gboolean
check_uri (SoupServerMessage  *msg,
           GError            **error)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri);

  if (strlen (path) + (query ? strlen (query) + 1 : 0) > MAX_URI_BYTES)
    {
      crm_set_field_error (error, CRM_ERROR_URI_TOO_LONG, "uri",
                           "The path and query are longer than %u bytes", MAX_URI_BYTES);
      return FALSE;
    }
  if (has_control_escape (path, FALSE))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "path", "The path holds a control character");
      return FALSE;
    }
  /* Other control characters in a parameter are refused by the check of
   * that parameter, which names it; a NUL would cut it short unseen. */
  if (has_control_escape (query, TRUE))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "query", "The query holds a NUL character");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_head (CrmWorker          *worker,
            SoupServerMessage  *msg,
            GError            **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  const char *content_length;
  gsize total = 0;
  guint64 length = 0;

  if (!check_uri (msg, error))
    return FALSE;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    total += strlen (name) + strlen (value) + 4;
  if (total > MAX_HEADER_BYTES)
    {
      crm_set_field_error (error, CRM_ERROR_HEADERS_TOO_LARGE, "headers",
                           "The headers are larger than %u bytes", MAX_HEADER_BYTES);
      return FALSE;
    }

  content_length = soup_message_headers_get_list (headers, "Content-Length");
  if (content_length == NULL)
    return TRUE;
  if (soup_message_headers_get_one (headers, "Transfer-Encoding") != NULL)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "Content-Length",
                           "Send either Content-Length or Transfer-Encoding, not both");
      return FALSE;
    }
  if (!parse_content_length (content_length, &length))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "Content-Length",
                           "Content-Length must be one non-negative whole number");
      return FALSE;
    }
  if (length > worker->config->max_body)
    {
      crm_set_field_error (error, CRM_ERROR_TOO_LARGE, "body",
                           "The body is larger than %" G_GSIZE_FORMAT " bytes", worker->config->max_body);
      return FALSE;
    }
  return TRUE;
}

/* A chunked body is counted as it arrives and cut off at the limit. */
static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              CrmWorker         *worker)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if ((gsize) body->length > worker->config->max_body && !crm_http_is_refused (msg))
    {
      g_autoptr(GError) error = NULL;

      crm_set_field_error (&error, CRM_ERROR_TOO_LARGE, "body",
                           "The body is larger than %" G_GSIZE_FORMAT " bytes", worker->config->max_body);
      crm_http_refuse (msg, error);
    }
}

/* From the head alone, before any of the body is read. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  CrmWorker *worker = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GError) error = NULL;

  if (crm_http_is_refused (msg))
    {
      pause_reading (msg);
      return;
    }
  if (!check_head (worker, msg, &error))
    {
      crm_http_refuse (msg, error);
      return;
    }
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CHUNKED)
    g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), worker);
}

/* libsoup answers some malformed requests itself (a bad request line or
 * percent-escape, a Content-Length that is not a number, an unknown
 * Transfer-Encoding, a bad Host: 400, 501, 505) after no signal in which
 * we could still answer.  So every message starts with a JSON error as its
 * response, which libsoup then sends with its status; "request-read",
 * which only requests that parsed reach, takes it away again. */
void
crm_http_request_started (CrmWorker         *worker,
                          SoupServerMessage *msg)
{
  /* The same body for every message: written once, never freed
   * (it was a JSON writer, a string and its copy per request). */
  static gsize once;
  static const char *body;
  static gsize len;

  if (g_once_init_enter (&once))
    {
      GString *text = crm_http_error_body (CRM_ERROR_MALFORMED, "The request is not valid HTTP", NULL);

      len = text->len;
      body = g_string_free (text, FALSE);
      g_once_init_leave (&once, 1);
    }
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, len);
}

void
crm_http_request_read (CrmWorker         *worker,
                       SoupServerMessage *msg)
{
  /* A status already set is libsoup's refusal (say, of ".." in the
   * path): it keeps the JSON error. */
  if (soup_server_message_get_status (msg) == 0)
    soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
}

void
crm_http_limits_install (SoupServer *server,
                         CrmWorker  *worker)
{
  soup_server_add_early_handler (server, NULL, early_cb, worker, NULL);
}
