#include "config.h"

#include "crm-test-server.h"

static void
api_handler (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  CrmTestServer *self = user_data;
  SoupMessageBody *request_body = soup_server_message_get_request_body (message);
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request_body);

  self->requests++;
  {
    GInetSocketAddress *remote = G_INET_SOCKET_ADDRESS (soup_server_message_get_remote_address (message));
    g_autofree char *host = g_inet_address_to_string (g_inet_socket_address_get_address (remote));

    g_hash_table_add (self->connections,
                      g_strdup_printf ("%s:%u", host, (guint) g_inet_socket_address_get_port (remote)));
  }
  g_free (self->last_method);
  self->last_method = g_strdup (soup_server_message_get_method (message));
  g_free (self->last_path);
  self->last_path = g_strdup (path);
  g_free (self->last_authorization);
  self->last_authorization = g_strdup (soup_message_headers_get_one (request_headers, "Authorization"));
  g_free (self->last_body);
  self->last_body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_clear_pointer (&self->last_query, g_hash_table_unref);
  if (query != NULL)
    self->last_query = g_hash_table_ref (query);

  soup_server_message_set_status (message, self->status, NULL);
  if (self->body != NULL)
    soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY,
                                      self->body, strlen (self->body));
  if (self->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  "Retry-After", self->retry_after);
}

CrmTestServer *
crm_test_server_new (void)
{
  g_autoptr(GError) error = NULL;
  CrmTestServer *self = g_new0 (CrmTestServer, 1);
  GSList *uris;

  self->connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, "/api/v1", api_handler, self, NULL);
  soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (self->server);
  g_assert_nonnull (uris);
  self->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  crm_test_server_answer (self, SOUP_STATUS_OK, "{}", NULL);

  return self;
}

void
crm_test_server_answer (CrmTestServer *self,
                        guint          status,
                        const char    *body,
                        const char    *retry_after)
{
  self->status = status;
  g_free (self->body);
  self->body = g_strdup (body);
  g_free (self->retry_after);
  self->retry_after = g_strdup (retry_after);
}

void
crm_test_server_free (CrmTestServer *self)
{
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->url);
  g_free (self->body);
  g_free (self->retry_after);
  g_free (self->last_method);
  g_free (self->last_path);
  g_free (self->last_authorization);
  g_free (self->last_body);
  g_clear_pointer (&self->last_query, g_hash_table_unref);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_free (self);
}

char *
crm_test_closed_url (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;

  /* Bind to learn a free port, then close without listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any_port, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

void
crm_test_wait_until (gboolean *done)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (10, timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (id);
}
