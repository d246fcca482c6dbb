#define G_LOG_DOMAIN "crm-api"

#include "config.h"

#include <libsoup/soup.h>

#include "crm-api.h"
#include "crm-error.h"
#include "crm-json-check.h"

/* Answers up to this size are parsed in the callback on the main thread;
 * larger ones (a page of 500 customers is a few hundred KiB) in a worker. */
#define READ_IN_THREAD_SIZE (64 * 1024)

/* libsoup 3.2 has no name for 429 (RFC 6585). */
#define STATUS_TOO_MANY_REQUESTS 429

/* Seconds for connecting and for each read or write. */
#define IO_TIMEOUT 30

struct _CrmApi
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;  /* scheme://host[:port][/path], no trailing '/' */
  char        *token;
};

G_DEFINE_FINAL_TYPE (CrmApi, crm_api, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_TOKEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What one request knows about its answer, kept as the task's data so that
 * a _finish function can read the status and Retry-After even on failure. */
typedef struct
{
  SoupMessage *message;
  guint        status;
  guint        retry_after;  /* seconds; 0 when not given */
  JsonNode    *error_body;   /* an error answer's JSON, e.g. a 412's "current" */
  /* how a successful answer's body is read: read_json () or the caller's */
  CrmApiReadFunc read;
  GDestroyNotify read_free;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->message);
  g_clear_pointer (&request->error_body, json_node_unref);
  g_free (request);
}

static gboolean
check_base_url (const char  *base_url,
                GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    goto invalid;

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
    goto invalid;
  if (host == NULL || host[0] == '\0')
    goto invalid;
  if (g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL ||
      g_uri_get_fragment (uri) != NULL)
    goto invalid;

  return TRUE;

invalid:
  crm_set_field_error (error, CRM_ERROR_INVALID, CRM_API_FIELD_SERVER,
                       "“%s” is not an http:// or https:// server address", base_url);
  return FALSE;
}

static char *
build_url (CrmApi     *self,
           const char *path,
           GHashTable *query)
{
  g_autofree char *encoded = NULL;

  if (query != NULL && g_hash_table_size (query) > 0)
    encoded = soup_form_encode_hash (query);

  return g_strconcat (self->base_url, "/api/v1",
                      path[0] == '/' ? "" : "/", path,
                      encoded ? "?" : "", encoded ? encoded : "",
                      NULL);
}

static JsonNode *
parse_json (GBytes  *bytes,
            GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  const char *data;
  gsize size;

  data = g_bytes_get_data (bytes, &size);

  /* json-glib 1.6 has no depth limit: check nesting and UTF-8 first. */
  if (!crm_json_check (data, size, CRM_JSON_MAX_DEPTH, &local_error) ||
      !json_parser_load_from_data (parser, data, size, &local_error))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, NULL,
                           "The server’s answer is not valid JSON: %s", local_error->message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    return json_node_new (JSON_NODE_NULL);

  return json_parser_steal_root (parser);
}

/* The default reader of an answer: a JsonNode, JSON null for an empty body. */
static gpointer
read_json (GBytes  *bytes,
           GError **error)
{
  if (g_bytes_get_size (bytes) == 0)
    return json_node_new (JSON_NODE_NULL);
  return parse_json (bytes, error);
}

/* A string member, or NULL when it is missing or not a string. */
static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static CrmError
code_for_status (guint status)
{
  if (status == SOUP_STATUS_UNAUTHORIZED)
    return CRM_ERROR_UNAUTHENTICATED;
  if (status == SOUP_STATUS_FORBIDDEN)
    return CRM_ERROR_FORBIDDEN;
  if (status == SOUP_STATUS_NOT_FOUND)
    return CRM_ERROR_NOT_FOUND;
  if (status == SOUP_STATUS_CONFLICT)
    return CRM_ERROR_CONFLICT;
  if (status == SOUP_STATUS_PRECONDITION_FAILED)
    return CRM_ERROR_PRECONDITION_FAILED;
  if (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    return CRM_ERROR_TOO_LARGE;
  if (status == STATUS_TOO_MANY_REQUESTS)
    return CRM_ERROR_THROTTLED;
  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    return CRM_ERROR_UNAVAILABLE;
  if (status >= 400 && status < 500)
    return CRM_ERROR_INVALID;
  return CRM_ERROR_INTERNAL;
}

static gboolean
code_from_string (const char *name,
                  CrmError   *code)
{
  int i;

  for (i = CRM_ERROR_INVALID; i <= CRM_ERROR_INTERNAL; i++)
    {
      if (g_strcmp0 (crm_error_code_to_string ((CrmError) i), name) == 0)
        {
          *code = (CrmError) i;
          return TRUE;
        }
    }

  return FALSE;
}

/* The server's {"error": {"code", "message", "field"}}, or failing that the
 * status alone, as a CRM_ERROR. */
static GError *
error_from_answer (guint       status,
                   GBytes     *bytes,
                   JsonNode  **body)
{
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  CrmError code = code_for_status (status);
  const char *message = NULL;
  const char *field = NULL;

  if (bytes != NULL && g_bytes_get_size (bytes) > 0)
    root = parse_json (bytes, NULL);

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *node = json_object_get_member (object, "error");

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *detail = json_node_get_object (node);
          CrmError named;

          if (code_from_string (get_string_member (detail, "code"), &named))
            code = named;
          message = get_string_member (detail, "message");
          field = get_string_member (detail, "field");
        }
    }

  if (message == NULL)
    {
      const char *phrase = soup_status_get_phrase (status);

      crm_set_field_error (&error, code, field, "The server answered %u %s",
                           status, phrase ? phrase : "");
    }
  else
    {
      crm_set_field_error (&error, code, field, "%s", message);
    }

  if (body != NULL && root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    *body = g_steal_pointer (&root);
  return error;
}

static guint
parse_retry_after (SoupMessage *message)
{
  const char *value;
  guint64 seconds;

  value = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &seconds, NULL))
    return 0;

  return (guint) seconds;
}

/* A body to read in a worker, and how. */
typedef struct
{
  GBytes         *bytes;
  CrmApiReadFunc  read;
  GDestroyNotify  read_free;
} Reading;

static void
reading_free (Reading *reading)
{
  g_bytes_unref (reading->bytes);
  g_free (reading);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Reading *reading = task_data;
  GError *error = NULL;
  gpointer answer;

  answer = reading->read (reading->bytes, &error);
  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, reading->read_free);
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer answer;

  answer = g_task_propagate_pointer (G_TASK (result), &error);
  if (answer == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, answer, request->read_free);
}

/* Reads @bytes in a worker thread, then completes @task (whose reference
 * it takes) on its own context.  The worker's task has no source object,
 * so the CrmApi and its SoupSession are never released off their thread. */
static void
read_in_thread (GTask  *task,
                GBytes *bytes)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(GTask) read_task = NULL;
  Reading *reading = g_new (Reading, 1);

  reading->bytes = g_bytes_ref (bytes);
  reading->read = request->read;
  reading->read_free = request->read_free;
  read_task = g_task_new (NULL, g_task_get_cancellable (task), read_cb, task);
  g_task_set_source_tag (read_task, read_in_thread);
  g_task_set_task_data (read_task, reading, (GDestroyNotify) reading_free);
  g_task_run_in_thread (read_task, read_thread);
}

static void
send_and_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Request *request = g_task_get_task_data (task);
  GError *answer_error = NULL;
  gpointer answer;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }

      /* Refused, unknown host, timed out, TLS: the server was not reached. */
      g_debug ("%s %s: %s",
               soup_message_get_method (request->message),
               g_uri_get_path (soup_message_get_uri (request->message)),
               error->message);
      crm_set_field_error (&answer_error, CRM_ERROR_UNAVAILABLE, CRM_API_FIELD_SERVER,
                           "%s", error->message);
      g_task_return_error (task, answer_error);
      return;
    }

  request->status = soup_message_get_status (request->message);

  if (!SOUP_STATUS_IS_SUCCESSFUL (request->status))
    {
      if (request->status == STATUS_TOO_MANY_REQUESTS)
        request->retry_after = parse_retry_after (request->message);
      g_task_return_error (task, error_from_answer (request->status, bytes, &request->error_body));
      return;
    }

  if (g_bytes_get_size (bytes) > READ_IN_THREAD_SIZE)
    {
      read_in_thread (g_steal_pointer (&task), bytes);
      return;
    }

  answer = request->read (bytes, &answer_error);
  if (answer == NULL)
    g_task_return_error (task, answer_error);
  else
    g_task_return_pointer (task, answer, request->read_free);
}

/* One header of a successful answer, handed over once the head is in
 * (crm_api_get_read_with_header_async ()). */
typedef struct
{
  char              *name;
  CrmApiHeaderFunc   func;
  gpointer           data;
  GDestroyNotify     destroy;
} HeaderWatch;

static void
header_watch_free (gpointer data,
                   GClosure *closure)
{
  HeaderWatch *watch = data;

  if (watch->destroy != NULL)
    watch->destroy (watch->data);
  g_free (watch->name);
  g_free (watch);
}

static void
got_headers_cb (SoupMessage *message,
                HeaderWatch *watch)
{
  /* a redirect or an error answer has no header of the one asked for */
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)) || watch->func == NULL)
    return;
  watch->func (soup_message_headers_get_one (soup_message_get_response_headers (message), watch->name), watch->data);
  watch->func = NULL;   /* once */
}

/* Sends one request for @task (whose reference it takes) and returns its
 * answer as @read reads it (NULL: as a JsonNode, JSON null for an empty
 * body) or a CRM_ERROR; @watch (taken), when given, hears its header
 * first. */
static void
send_request_watched (CrmApi           *self,
                      GTask            *task,
                      const char       *method,
                      const char       *path,
                      GHashTable       *query,
                      JsonNode         *body,
                      SoupMessageFlags  flags,
                      HeaderWatch      *watch,
                      CrmApiReadFunc    read,
                      GDestroyNotify    read_free)
{
  g_autofree char *url = build_url (self, path, query);
  Request *request;
  SoupMessageHeaders *headers;

  request = g_new0 (Request, 1);
  request->read = read != NULL ? read : read_json;
  request->read_free = read != NULL ? read_free : (GDestroyNotify) json_node_unref;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  request->message = soup_message_new (method, url);
  if (request->message == NULL)
    {
      if (watch != NULL)
        header_watch_free (watch, NULL);
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_INVALID, "“%s” is not a valid address", url);
      g_object_unref (task);
      return;
    }
  soup_message_add_flags (request->message, flags);
  if (watch != NULL)
    g_signal_connect_data (request->message, "got-headers", G_CALLBACK (got_headers_cb), watch,
                           header_watch_free, 0);

  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (self->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", self->token, NULL);

      soup_message_headers_replace (headers, "Authorization", authorization);
    }

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = NULL;
      char *text;
      gsize length;

      text = json_to_string (body, FALSE);
      length = strlen (text);
      bytes = g_bytes_new_take (text, length);
      soup_message_set_request_body_from_bytes (request->message, "application/json", bytes);
    }

  soup_session_send_and_read_async (self->session,
                                    request->message,
                                    G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task),
                                    send_and_read_cb,
                                    task);
}

static void
send_request (CrmApi           *self,
              GTask            *task,
              const char       *method,
              const char       *path,
              GHashTable       *query,
              JsonNode         *body,
              SoupMessageFlags  flags)
{
  send_request_watched (self, task, method, path, query, body, flags, NULL, NULL, NULL);
}

static guint
task_status (GAsyncResult *result)
{
  Request *request = g_task_get_task_data (G_TASK (result));

  return request ? request->status : 0;
}

static void
crm_api_finalize (GObject *object)
{
  CrmApi *self = (CrmApi *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (crm_api_parent_class)->finalize (object);
}

static void
crm_api_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CrmApi *self = CRM_API (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;

    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_api_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  CrmApi *self = CRM_API (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize length = url ? strlen (url) : 0;

        while (length > 0 && url[length - 1] == '/')
          length--;
        self->base_url = g_strndup (url ? url : "", length);
      }
      break;

    case PROP_TOKEN:
      crm_api_set_token (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_api_class_init (CrmApiClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = crm_api_finalize;
  object_class->get_property = crm_api_get_property;
  object_class->set_property = crm_api_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_api_init (CrmApi *self)
{
  self->session = soup_session_new_with_options ("timeout", IO_TIMEOUT,
                                                 "user-agent", "Keyline/" PACKAGE_VERSION,
                                                 NULL);
}

/**
 * crm_api_new:
 * @base_url: the server's address, such as `http://127.0.0.1:8470`
 * @error: a location for a #GError, or %NULL
 *
 * Returns: (transfer full) (nullable): a new #CrmApi, or %NULL with
 *   %CRM_ERROR_INVALID (field %CRM_API_FIELD_SERVER) when @base_url is not
 *   an http:// or https:// address
 */
CrmApi *
crm_api_new (const char  *base_url,
             GError     **error)
{
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_base_url (base_url, error))
    return NULL;

  return g_object_new (CRM_TYPE_API, "base-url", base_url, NULL);
}

const char *
crm_api_get_base_url (CrmApi *self)
{
  g_return_val_if_fail (CRM_IS_API (self), NULL);

  return self->base_url;
}

const char *
crm_api_get_token (CrmApi *self)
{
  g_return_val_if_fail (CRM_IS_API (self), NULL);

  return self->token;
}

void
crm_api_set_token (CrmApi     *self,
                   const char *token)
{
  g_return_if_fail (CRM_IS_API (self));

  if (g_strcmp0 (self->token, token) == 0)
    return;

  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

/**
 * crm_api_sign_in_async:
 *
 * POST /session with @login and @password.  On success the token is kept
 * for the requests that follow.
 */
void
crm_api_sign_in_async (CrmApi              *self,
                       const char          *login,
                       const char          *password,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) body = NULL;
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (login != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_sign_in_async);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "login");
  json_builder_add_string_value (builder, login);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  send_request (self, task, "POST", "/session", NULL, body, 0);
}

/**
 * crm_api_sign_in_finish:
 * @user: (out) (optional) (transfer full): the signed-in user
 * @retry_after: (out) (optional): for %CRM_ERROR_THROTTLED, the seconds the
 *   server asks to wait (its Retry-After), 0 if it did not say
 *
 * Returns: (transfer full) (nullable): the token, or %NULL with @error set
 */
char *
crm_api_sign_in_finish (CrmApi        *self,
                        GAsyncResult  *result,
                        JsonObject   **user,
                        guint         *retry_after,
                        GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  Request *request;
  JsonObject *object;
  JsonNode *user_node;
  const char *token;

  g_return_val_if_fail (CRM_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_sign_in_async, NULL);

  request = g_task_get_task_data (G_TASK (result));
  if (retry_after != NULL)
    *retry_after = request ? request->retry_after : 0;
  if (user != NULL)
    *user = NULL;

  root = g_task_propagate_pointer (G_TASK (result), error);
  if (root == NULL)
    return NULL;

  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  token = get_string_member (object, "token");
  user_node = object ? json_object_get_member (object, "user") : NULL;
  if (token == NULL || token[0] == '\0' || user_node == NULL || !JSON_NODE_HOLDS_OBJECT (user_node))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, NULL,
                           "The server’s answer to signing in has no token or user");
      return NULL;
    }

  crm_api_set_token (self, token);
  if (user != NULL)
    *user = json_object_ref (json_node_get_object (user_node));

  return g_strdup (token);
}

/**
 * crm_api_sign_out_async:
 *
 * DELETE /session with the current token, which is forgotten at once
 * whatever the answer.
 */
void
crm_api_sign_out_async (CrmApi              *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_sign_out_async);

  if (self->token == NULL)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL), (GDestroyNotify) json_node_unref);
      g_object_unref (task);
      return;
    }

  send_request (self, task, "DELETE", "/session", NULL, NULL, 0);
  crm_api_set_token (self, NULL);
}

/**
 * crm_api_sign_out_finish:
 *
 * Returns: %TRUE if the session is over on the server too (a token the
 *   server no longer knows counts as signed out)
 */
gboolean
crm_api_sign_out_finish (CrmApi        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (CRM_IS_API (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_sign_out_async, FALSE);

  root = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (root == NULL && !g_error_matches (local_error, CRM_ERROR, CRM_ERROR_UNAUTHENTICATED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * crm_api_get_json_async:
 * @path: below the API root, such as "/customers"
 * @query: (nullable) (element-type utf8 utf8): query parameters
 */
void
crm_api_get_json_async (CrmApi              *self,
                        const char          *path,
                        GHashTable          *query,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_get_json_async);

  send_request (self, task, "GET", path, query, NULL, 0);
}

/**
 * crm_api_get_read_with_header_async:
 * @header: the name of a header of the answer
 * @header_func: called once with @header's value (%NULL when the answer
 *   has none) as soon as a successful answer's head is in, before its
 *   body; not called for a failure
 * @header_data: (closure header_func)
 * @header_destroy: frees @header_data once the request is done
 * @read: reads a successful answer's body, in a worker thread when it is
 *   larger than 64 KiB; an error answer is read as every other
 * @read_free: frees what @read returns
 *
 * As crm_api_get_json_async (), with the answer as @read reads it,
 * finished by crm_api_get_read_finish ().
 */
void
crm_api_get_read_with_header_async (CrmApi              *self,
                                    const char          *path,
                                    GHashTable          *query,
                                    const char          *header,
                                    CrmApiHeaderFunc     header_func,
                                    gpointer             header_data,
                                    GDestroyNotify       header_destroy,
                                    CrmApiReadFunc       read,
                                    GDestroyNotify       read_free,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  HeaderWatch *watch;
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (header != NULL && header_func != NULL);
  g_return_if_fail (read != NULL && read_free != NULL);

  watch = g_new0 (HeaderWatch, 1);
  watch->name = g_strdup (header);
  watch->func = header_func;
  watch->data = header_data;
  watch->destroy = header_destroy;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_get_read_with_header_async);

  send_request_watched (self, task, "GET", path, query, NULL, 0, watch, read, read_free);
}

/**
 * crm_api_get_read_finish:
 *
 * Returns: (transfer full) (nullable): what the read function returned,
 *   or %NULL with @error set
 */
gpointer
crm_api_get_read_finish (CrmApi        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CRM_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_get_read_with_header_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * crm_api_get_json_finish:
 *
 * Returns: (transfer full) (nullable): the answer (a JSON null node for an
 *   empty one), or %NULL with @error set
 */
JsonNode *
crm_api_get_json_finish (CrmApi        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CRM_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_get_json_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * crm_api_post_json_async:
 * @path: below the API root
 * @body: the JSON to send; it must be safe to send twice, as a mutation
 *   with its idempotency key is (libsoup may send it again on a new
 *   connection when the server closed the kept one first)
 */
void
crm_api_post_json_async (CrmApi              *self,
                         const char          *path,
                         JsonNode            *body,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (body != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_post_json_async);

  /* safe to send twice (see above): libsoup keeps the connection for the
   * next request instead of opening one per POST, which a server counting
   * open connections per address would refuse after 64 queued changes */
  send_request (self, task, "POST", path, NULL, body, SOUP_MESSAGE_IDEMPOTENT);
}

/**
 * crm_api_post_json_finish:
 * @status: (out) (optional): the HTTP status, also on failure (0 when the
 *   server was not reached)
 *
 * Returns: (transfer full) (nullable): the answer (a JSON null node for an
 *   empty one), or %NULL with @error set
 */
JsonNode *
crm_api_post_json_finish (CrmApi        *self,
                          GAsyncResult  *result,
                          guint         *status,
                          GError       **error)
{
  return crm_api_post_json_finish_full (self, result, status, NULL, error);
}

/**
 * crm_api_post_json_finish_full:
 * @error_body: (out) (optional) (transfer full): on an error answer with a
 *   JSON object body, that body (a 412 from /mutations carries "current")
 *
 * As crm_api_post_json_finish().
 */
JsonNode *
crm_api_post_json_finish_full (CrmApi        *self,
                               GAsyncResult  *result,
                               guint         *status,
                               JsonNode     **error_body,
                               GError       **error)
{
  Request *request;

  g_return_val_if_fail (CRM_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_post_json_async, NULL);

  request = g_task_get_task_data (G_TASK (result));
  if (status != NULL)
    *status = task_status (result);
  if (error_body != NULL)
    *error_body = request && request->error_body ? json_node_ref (request->error_body) : NULL;

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * crm_api_reveal_async:
 * @customer_id: the customer the record is of
 * @entity: "customer" or "contact"
 * @id: the record's id (the customer's own for "customer")
 * @field: a masked field of @entity ("phone", "mobile", "id_number", "address")
 */
void
crm_api_reveal_async (CrmApi              *self,
                      const char          *customer_id,
                      const char          *entity,
                      const char          *id,
                      const char          *field,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (customer_id != NULL && entity != NULL && id != NULL && field != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "entity");
  json_builder_add_string_value (builder, entity);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "field");
  json_builder_add_string_value (builder, field);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  escaped = g_uri_escape_string (customer_id, NULL, FALSE);
  path = g_strdup_printf ("/customers/%s/reveal", escaped);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_reveal_async);
  /* not idempotent: every reveal is one record in the audit log */
  send_request (self, task, "POST", path, NULL, body, 0);
}

gboolean
crm_api_reveal_finish (CrmApi        *self,
                       GAsyncResult  *result,
                       char         **value,
                       GError       **error)
{
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *obj;
  JsonNode *member;

  g_return_val_if_fail (CRM_IS_API (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_reveal_async, FALSE);

  answer = g_task_propagate_pointer (G_TASK (result), error);
  if (answer == NULL)
    return FALSE;
  obj = JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  member = obj != NULL ? json_object_get_member (obj, "value") : NULL;
  if (member == NULL || (!JSON_NODE_HOLDS_NULL (member) && json_node_get_value_type (member) != G_TYPE_STRING))
    {
      g_set_error_literal (error, CRM_ERROR, CRM_ERROR_INTERNAL, "The server's answer holds no value");
      return FALSE;
    }
  if (value != NULL)
    *value = JSON_NODE_HOLDS_NULL (member) ? NULL : g_strdup (json_node_get_string (member));
  return TRUE;
}

/* What crm_api_get_report_async () returns. */
typedef struct
{
  CrmReportKind  kind;
  gpointer       report;
  char          *answer;
} ReportResult;

static void
report_result_free (ReportResult *result)
{
  if (result->report != NULL)
    crm_report_free (result->kind, result->report);
  g_free (result->answer);
  g_free (result);
}

static void
report_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  ReportResult *report;
  GError *error = NULL;

  node = crm_api_get_json_finish (CRM_API (object), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  report = g_new0 (ReportResult, 1);
  report->kind = GPOINTER_TO_INT (g_task_get_task_data (task));
  report->report = crm_report_from_json (report->kind, node, &error);
  if (report->report == NULL)
    {
      report_result_free (report);
      g_task_return_error (task, error);
      return;
    }
  report->answer = json_to_string (node, FALSE);
  g_task_return_pointer (task, report, (GDestroyNotify) report_result_free);
}

/**
 * crm_api_get_report_async:
 * @kind: which report
 * @query: its scope, period and filters
 *
 * GET the report: /pipeline, /forecast or /pipeline/analysis.
 */
void
crm_api_get_report_async (CrmApi               *self,
                          CrmReportKind         kind,
                          const CrmReportQuery *query,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  g_autoptr(GHashTable) params = NULL;
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (kind < CRM_N_REPORTS);
  g_return_if_fail (query != NULL);
  g_return_if_fail (kind != CRM_REPORT_FORECAST || crm_report_query_get_period (query) != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_get_report_async);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);

  params = crm_report_query_to_params (query);
  crm_api_get_json_async (self, crm_report_kind_path (kind), params, cancellable, report_cb, task);
}

/**
 * crm_api_get_report_finish:
 * @kind: (out) (optional): which report it is
 * @answer: (out) (optional) (transfer full): the answer's JSON text
 *
 * Returns: (transfer full) (nullable): the report of the kind asked for,
 *   or %NULL with @error set
 */
gpointer
crm_api_get_report_finish (CrmApi         *self,
                           GAsyncResult   *result,
                           CrmReportKind  *kind,
                           char          **answer,
                           GError        **error)
{
  ReportResult *report;
  gpointer out;

  g_return_val_if_fail (CRM_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_get_report_async, NULL);

  if (kind != NULL)
    *kind = GPOINTER_TO_INT (g_task_get_task_data (G_TASK (result)));
  if (answer != NULL)
    *answer = NULL;
  report = g_task_propagate_pointer (G_TASK (result), error);
  if (report == NULL)
    return NULL;
  if (answer != NULL)
    *answer = g_steal_pointer (&report->answer);
  out = g_steal_pointer (&report->report);
  report_result_free (report);
  return out;
}

/* What crm_api_get_campaign_results_async () returns. */
typedef struct
{
  CrmCampaignReport *report;
  char              *answer;
} CampaignResults;

static void
campaign_results_free (CampaignResults *results)
{
  crm_campaign_report_free (results->report);
  g_free (results->answer);
  g_free (results);
}

static void
campaign_results_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  CampaignResults *results;
  GError *error = NULL;

  node = crm_api_get_json_finish (CRM_API (object), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  results = g_new0 (CampaignResults, 1);
  results->report = crm_campaign_report_from_json (node, &error);
  if (results->report == NULL)
    {
      campaign_results_free (results);
      g_task_return_error (task, error);
      return;
    }
  results->answer = json_to_string (node, FALSE);
  g_task_return_pointer (task, results, (GDestroyNotify) campaign_results_free);
}

/**
 * crm_api_get_campaign_results_async:
 * @campaign_id: the campaign's id
 *
 * GET /campaigns/{campaign_id}/results.
 */
void
crm_api_get_campaign_results_async (CrmApi              *self,
                                    const char          *campaign_id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (campaign_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_get_campaign_results_async);
  escaped = g_uri_escape_string (campaign_id, NULL, FALSE);
  path = g_strdup_printf ("/campaigns/%s/results", escaped);
  crm_api_get_json_async (self, path, NULL, cancellable, campaign_results_cb, task);
}

/**
 * crm_api_get_campaign_results_finish:
 * @answer: (out) (optional) (transfer full): the answer's JSON text
 *
 * Returns: (transfer full) (nullable): the results, or %NULL with @error set
 */
CrmCampaignReport *
crm_api_get_campaign_results_finish (CrmApi        *self,
                                     GAsyncResult  *result,
                                     char         **answer,
                                     GError       **error)
{
  CampaignResults *results;
  CrmCampaignReport *out;

  g_return_val_if_fail (CRM_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_get_campaign_results_async, NULL);

  if (answer != NULL)
    *answer = NULL;
  results = g_task_propagate_pointer (G_TASK (result), error);
  if (results == NULL)
    return NULL;
  if (answer != NULL)
    *answer = g_steal_pointer (&results->answer);
  out = g_steal_pointer (&results->report);
  campaign_results_free (results);
  return out;
}

/* ------------------------------------------------------------------ */
/* Campaigns: the segment preview and the launch                       */
/* ------------------------------------------------------------------ */

/**
 * crm_api_preview_segment_async:
 * @criteria: the criteria tree ({"all": [...]} or {"any": [...]})
 * @sample: how many matching customers to return (at most 100)
 */
void
crm_api_preview_segment_async (CrmApi              *self,
                               JsonNode            *criteria,
                               guint                sample,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (criteria != NULL);

  json_object_set_member (object, "criteria", json_node_copy (criteria));
  json_object_set_int_member (object, "sample", MIN (sample, 100));
  json_node_set_object (body, object);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_preview_segment_async);
  /* it only reads: safe to send again on a new connection */
  send_request (self, task, "POST", "/segments/preview", NULL, body, SOUP_MESSAGE_IDEMPOTENT);
}

JsonArray *
crm_api_preview_segment_finish (CrmApi        *self,
                                GAsyncResult  *result,
                                gint64        *count,
                                GError       **error)
{
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;
  JsonNode *count_node, *sample_node;

  g_return_val_if_fail (CRM_IS_API (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_preview_segment_async, NULL);

  answer = g_task_propagate_pointer (G_TASK (result), error);
  if (answer == NULL)
    return NULL;
  object = JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  count_node = object ? json_object_get_member (object, "count") : NULL;
  sample_node = object ? json_object_get_member (object, "sample") : NULL;
  if (count_node == NULL || !JSON_NODE_HOLDS_VALUE (count_node) ||
      json_node_get_value_type (count_node) != G_TYPE_INT64 ||
      sample_node == NULL || !JSON_NODE_HOLDS_ARRAY (sample_node))
    {
      g_set_error_literal (error, CRM_ERROR, CRM_ERROR_MALFORMED, "The server's preview holds no count or sample");
      return NULL;
    }
  if (count != NULL)
    *count = json_node_get_int (count_node);
  return json_array_ref (json_node_get_array (sample_node));
}

/**
 * crm_api_launch_campaign_async:
 * @campaign_id: the campaign's id
 */
void
crm_api_launch_campaign_async (CrmApi              *self,
                               const char          *campaign_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (CRM_IS_API (self));
  g_return_if_fail (campaign_id != NULL);

  escaped = g_uri_escape_string (campaign_id, NULL, FALSE);
  path = g_strdup_printf ("/campaigns/%s/launch", escaped);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_api_launch_campaign_async);
  /* no body; not idempotent: sent once, a second launch is refused */
  send_request (self, task, "POST", path, NULL, NULL, 0);
}

gboolean
crm_api_launch_campaign_finish (CrmApi             *self,
                                GAsyncResult       *result,
                                CrmCampaignLaunch  *launch,
                                GError            **error)
{
  static const char * const names[] = { "members", "control", "treated", "assigned", "queued" };
  g_autoptr(JsonNode) answer = NULL;
  JsonObject *object;
  gint64 values[G_N_ELEMENTS (names)];

  g_return_val_if_fail (CRM_IS_API (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_api_launch_campaign_async, FALSE);

  answer = g_task_propagate_pointer (G_TASK (result), error);
  if (answer == NULL)
    return FALSE;
  object = JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = object ? json_object_get_member (object, names[i]) : NULL;

      if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        {
          g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED, "The server's launch answer holds no %s", names[i]);
          return FALSE;
        }
      values[i] = json_node_get_int (node);
    }
  if (launch != NULL)
    *launch = (CrmCampaignLaunch) { values[0], values[1], values[2], values[3], values[4] };
  return TRUE;
}
