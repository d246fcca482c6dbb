#define G_LOG_DOMAIN "crm-test-http"

#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "crm-test-http.h"

static SoupSession *session;
static char *base_url;

void
crm_test_http_init (const char *url)
{
  g_free (base_url);
  base_url = g_strdup (url);
  if (session == NULL)
    session = soup_session_new ();
}

void
crm_test_http_shutdown (void)
{
  g_clear_object (&session);
  g_clear_pointer (&base_url, g_free);
}

void
response_free (Response *r)
{
  g_free (r->body);
  g_clear_pointer (&r->json, json_node_unref);
  g_free (r->retry_after);
  g_free (r->sync_next);
  g_free (r);
}

Response *
http (const char *method,
      const char *path,
      const char *token,
      const char *content_type,
      const char *body,
      gsize       body_len)
{
  g_autofree char *url = g_strconcat (base_url, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  Response *r = g_new0 (Response, 1);
  const char *retry;

  g_assert_nonnull (msg);
  /* libsoup opens a new connection for every request of a method that is
   * not idempotent (POST) and closes an idle one to make room; the
   * server counts a closed connection until its sweep sees it gone (up to
   * a second), so some 64 POSTs in a second were refused with 503 "Too
   * many connections".  The tests send one request at a time: each reuses
   * the connection, as a keyed (retry-safe) mutation may. */
  soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  if (token)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body)
    {
      g_autoptr(GBytes) req = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, content_type, req);
    }
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  retry = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  r->retry_after = g_strdup (retry);
  r->sync_next = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Keyline-Sync-Next"));
  if (g_bytes_get_size (bytes) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_data (parser, r->body, -1, &error))
        g_error ("%s %s answered %u with a body that is not JSON: %s", method, path, r->status, r->body);
      r->json = json_node_ref (json_parser_get_root (parser));
    }
  return r;
}

Response *
get (const char *path,
     const char *token)
{
  return http ("GET", path, token, NULL, NULL, 0);
}

Response *
post_json (const char *path,
           const char *token,
           const char *json)
{
  return http ("POST", path, token, "application/json", json, strlen (json));
}

JsonObject *
obj (Response *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

void
assert_error (Response   *r,
              guint       status,
              const char *code,
              const char *field)
{
  JsonObject *error;

  if (r->status != status)
    g_error ("expected %u, got %u: %s", status, r->status, r->body);
  error = json_object_get_object_member (obj (r), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_true (strlen (json_object_get_string_member (error, "message")) > 0);
  if (field)
    g_assert_cmpstr (json_object_get_string_member_with_default (error, "field", ""), ==, field);
}

char *
sign_in_with (const char *login,
              const char *password)
{
  g_autofree char *body = g_strdup_printf ("{\"login\":\"%s\",\"password\":\"%s\"}", login, password);
  g_autoptr(Response) r = post_json ("session", NULL, body);

  if (r->status != 201)
    g_error ("sign-in as %s: %u %s", login, r->status, r->body);
  return g_strdup (json_object_get_string_member (obj (r), "token"));
}
