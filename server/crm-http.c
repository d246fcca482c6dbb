#define G_LOG_DOMAIN "crm-http"

#include "config.h"

#include <string.h>

#include "crm-auth.h"
#include "crm-error.h"
#include "crm-http.h"
#include "crm-http-private.h"
#include "crm-json-check.h"
#include "crm-router.h"

#define API_PREFIX "/api/v1/"

/* Who is asking, for the policies: the first statement of every
 * authenticated request's transaction is one of these two.
 *
 * On a miss of the identity cache, crm.authenticate () resolves the token
 * and sets the identity (server/sql/0001-schema.sql, 0024); its answer
 * fills the cache.  On a hit, plain builtin set_config () calls set the
 * same settings, in the same formats, from the entry: no function of ours
 * runs, which is most of what authenticating cost PostgreSQL.  The entry
 * is as current as the database: every change that would alter it is
 * notified and drops it at once (crm-identity-listener.c). */
static const CrmSql sql_authenticate = {
  "authenticate",
  "SELECT user_id, login, display_name, role, team_id, region_id, expires_at,"
  " regions, expires_epoch"
  " FROM crm.authenticate($1)",
  1
};

static const CrmSql sql_identity = {
  "identity",
  "SELECT set_config('keyline.user_id', $1, true),"
  " set_config('keyline.role', $2, true),"
  " set_config('keyline.regions', $3, true)",
  3
};

/* Users -------------------------------------------------------------- */

static CrmUser *
user_from_row (const PGresult *res)
{
  CrmUser *user;
  int role;
  double expires;

  if (res == NULL || PQntuples (res) != 1 || PQnfields (res) < 9)
    return NULL;
  role = crm_wire_lookup (crm_role_names, crm_pg_value (res, 0, 3));
  if (role < 0 || crm_pg_value (res, 0, 7) == NULL || crm_pg_value (res, 0, 8) == NULL)
    return NULL;
  expires = g_ascii_strtod (crm_pg_value (res, 0, 8), NULL);
  user = crm_user_new ();
  user->id = g_strdup (crm_pg_value (res, 0, 0));
  user->login = g_strdup (crm_pg_value (res, 0, 1));
  user->display_name = g_strdup (crm_pg_value (res, 0, 2));
  user->role = (CrmRole) role;
  user->team_id = g_strdup (crm_pg_value (res, 0, 4));
  user->region_id = g_strdup (crm_pg_value (res, 0, 5));
  user->expires_at = g_strdup (crm_pg_value (res, 0, 6));
  user->regions = g_strdup (crm_pg_value (res, 0, 7));
  user->expires_us = (gint64) (expires * G_USEC_PER_SEC);
  return user;
}

void
crm_request_forget_session (CrmRequest *req)
{
  if (req->token_hash != NULL)
    crm_identity_cache_forget (req->worker->identity, req->token_hash);
  req->user_cached = FALSE;
}

void
crm_json_user (CrmJsonWriter *w,
               const CrmUser *user)
{
  crm_json_begin_object (w);
  crm_json_member_string (w, "id", user->id);
  crm_json_member_string (w, "login", user->login);
  crm_json_member_string (w, "display_name", user->display_name);
  crm_json_member_string (w, "role", crm_role_names[user->role]);
  crm_json_member_string (w, "team_id", user->team_id);
  crm_json_member_string (w, "region_id", user->region_id);
  crm_json_end_object (w);
}

/* Errors and responses ------------------------------------------------ */

guint
crm_http_status_for_error (const GError *error)
{
  if (error == NULL || error->domain != CRM_ERROR)
    return SOUP_STATUS_INTERNAL_SERVER_ERROR;

  switch ((CrmError) error->code)
    {
    case CRM_ERROR_INVALID:             return SOUP_STATUS_BAD_REQUEST;
    case CRM_ERROR_MALFORMED:           return SOUP_STATUS_BAD_REQUEST;
    case CRM_ERROR_TOO_LARGE:           return SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE;
    case CRM_ERROR_UNAUTHENTICATED:     return SOUP_STATUS_UNAUTHORIZED;
    case CRM_ERROR_BAD_CREDENTIALS:     return SOUP_STATUS_UNAUTHORIZED;
    case CRM_ERROR_FORBIDDEN:           return SOUP_STATUS_FORBIDDEN;
    case CRM_ERROR_NOT_FOUND:           return SOUP_STATUS_NOT_FOUND;
    case CRM_ERROR_CONFLICT:            return SOUP_STATUS_CONFLICT;
    case CRM_ERROR_PRECONDITION_FAILED: return SOUP_STATUS_PRECONDITION_FAILED;
    case CRM_ERROR_IDEMPOTENCY_KEY_REUSED: return SOUP_STATUS_UNPROCESSABLE_ENTITY;
    case CRM_ERROR_THROTTLED:           return 429;
    case CRM_ERROR_UNAVAILABLE:         return SOUP_STATUS_SERVICE_UNAVAILABLE;
    case CRM_ERROR_URI_TOO_LONG:        return SOUP_STATUS_REQUEST_URI_TOO_LONG;
    case CRM_ERROR_HEADERS_TOO_LARGE:   return 431;
    case CRM_ERROR_TIMEOUT:             return SOUP_STATUS_REQUEST_TIMEOUT;
    case CRM_ERROR_INTERNAL:            return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    default:                            return SOUP_STATUS_INTERNAL_SERVER_ERROR;
    }
}

static void
request_free (CrmRequest *req)
{
  if (req->paused && !req->gone)
    g_hash_table_remove (req->worker->waiting, req->msg);
  if (req->data_free)
    req->data_free (req->data);
  g_clear_object (&req->msg);
  g_clear_pointer (&req->query, g_hash_table_unref);
  g_clear_pointer (&req->params, g_ptr_array_unref);
  g_clear_pointer (&req->body, json_node_unref);
  g_clear_pointer (&req->token_hash, g_bytes_unref);
  g_clear_pointer (&req->user, crm_user_unref);
  g_free (req->client_address);
  g_free (req);
}

static void
log_request (CrmRequest *req,
             guint       status)
{
  gint64 us;
  const char *method;
  const char *route;
  char status_text[16];
  char us_text[24];

  /* Each request is logged at debug level, which is dropped unless asked
   * for: then nothing is formatted (it was two allocations and the message
   * per request). */
  if (status < 500 && g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    return;
  us = g_get_monotonic_time () - req->started;
  method = soup_server_message_get_method (req->msg);
  route = req->route ? req->route->pattern : "-";
  g_snprintf (status_text, sizeof status_text, "%u", status);
  g_snprintf (us_text, sizeof us_text, "%" G_GINT64_FORMAT, us);

  /* Structured, and free of personal data: the route pattern, never the
   * path or query (ids and search terms stay out of the log).  MESSAGE
   * comes last: g_log_structured () reads what follows it as its
   * arguments. */
  if (status >= 500)
    g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
                      "HTTP_METHOD", method, "HTTP_ROUTE", route,
                      "HTTP_STATUS", status_text, "DURATION_US", us_text,
                      "MESSAGE", "%s %s -> %u in %" G_GINT64_FORMAT " us", method, route, status, us);
  else
    g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG,
                      "HTTP_METHOD", method, "HTTP_ROUTE", route,
                      "HTTP_STATUS", status_text, "DURATION_US", us_text,
                      "MESSAGE", "%s %s -> %u in %" G_GINT64_FORMAT " us", method, route, status, us);
}

static void
finish (CrmRequest *req,
        guint       status)
{
  if (!req->gone)
    {
      log_request (req, status);
      if (req->paused)
        soup_server_message_unpause (req->msg);
    }
  request_free (req);
}

void
crm_request_respond (CrmRequest *req,
                     guint       status,
                     GString    *json)
{
  if (!req->gone)
    {
      gsize len = json->len;
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

      if (status == SOUP_STATUS_SERVICE_UNAVAILABLE &&
          soup_message_headers_get_one (headers, "Retry-After") == NULL)
        soup_message_headers_replace (headers, "Retry-After", CRM_HTTP_RETRY_AFTER);
      soup_server_message_set_status (req->msg, status, NULL);
      soup_server_message_set_response (req->msg, "application/json",
                                        SOUP_MEMORY_TAKE, g_string_free (json, FALSE), len);
    }
  else
    g_string_free (json, TRUE);
  finish (req, status);
}

void
crm_request_respond_empty (CrmRequest *req,
                           guint       status)
{
  if (!req->gone)
    soup_server_message_set_status (req->msg, status, NULL);
  finish (req, status);
}

GString *
crm_http_error_body (CrmError    code,
            const char *message,
            const char *field)
{
  GString *out = g_string_sized_new (128);
  CrmJsonWriter w;

  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_json_key (&w, "error");
  crm_json_begin_object (&w);
  crm_json_member_string (&w, "code", crm_error_code_to_string (code));
  crm_json_member_string (&w, "message", message);
  if (field)
    crm_json_member_string (&w, "field", field);
  crm_json_end_object (&w);
  crm_json_end_object (&w);
  return out;
}

void
crm_request_respond_error (CrmRequest   *req,
                           const GError *error)
{
  guint status = crm_http_status_for_error (error);
  CrmError code = error->domain == CRM_ERROR ? (CrmError) error->code : CRM_ERROR_INTERNAL;
  const char *message = error->message;

  if (status >= 500)
    {
      /* The details of a database failure are for the log, not the client. */
      g_warning ("%s %s: %s", soup_server_message_get_method (req->msg),
                 req->route ? req->route->pattern : "-", error->message);
      message = code == CRM_ERROR_UNAVAILABLE ? "The database is unavailable; try again shortly"
                                              : "The server failed to handle the request";
    }
  crm_request_respond (req, status, crm_http_error_body (code, message, crm_error_get_field (error)));
}

void
crm_request_fail (CrmRequest *req,
                  CrmError    code,
                  const char *field,
                  const char *message)
{
  g_autoptr(GError) error = NULL;

  crm_set_field_error (&error, code, field, "%s", message);
  crm_request_respond_error (req, error);
}

/* Parameters -------------------------------------------------------- */

const char *
crm_request_param (CrmRequest *req,
                   guint       index)
{
  return req->params && index < req->params->len ? req->params->pdata[index] : NULL;
}

const char *
crm_request_query (CrmRequest *req,
                   const char *name)
{
  return req->query ? g_hash_table_lookup (req->query, name) : NULL;
}

/* Database round trips ------------------------------------------------ */

CrmDbBatch *
crm_request_new_batch (CrmRequest *req)
{
  CrmDbBatch *batch = crm_db_batch_new ();

  req->auth_in_sql = FALSE;
  if (req->token_hash == NULL)
    return batch;
  if (req->user_cached && req->user != NULL)
    {
      const char *values[3] = { req->user->id, crm_role_names[req->user->role], req->user->regions };

      req->auth_index = crm_db_batch_add (batch, &sql_identity, values);
    }
  else
    {
      gsize len;
      const char *hash = g_bytes_get_data (req->token_hash, &len);
      const char *values[1] = { hash };

      /* Read before the statement is sent: a revocation heard after this
       * point keeps its answer out of the cache. */
      req->auth_generation = crm_identity_cache_generation (req->worker->identity);
      req->auth_in_sql = TRUE;
      req->auth_index = crm_db_batch_add_full (batch, &sql_authenticate, values, 0, len);
    }
  return batch;
}

/* The server's "request-finished" and "request-aborted", for every
 * message.  One still waiting for its batch has lost its connection
 * before we answered: the batch still completes and then just frees the
 * request.  (A "finished" handler on each paused message cost a closure
 * and a signal connection, and their removal, per request.) */
void
crm_http_request_ended (CrmWorker         *worker,
                        SoupServerMessage *msg)
{
  CrmRequest *req;

  req = g_hash_table_lookup (worker->waiting, msg);
  if (req == NULL)
    return;
  req->gone = TRUE;
  g_hash_table_remove (worker->waiting, msg);
}

static void
batch_done_cb (CrmDbBatch   *batch,
               const GError *error,
               gpointer      user_data)
{
  CrmRequest *req = user_data;
  CrmBatchDone done = req->done;

  req->worker->in_flight--;
  if (req->gone)
    {
      request_free (req);
      return;
    }
  /* A session that ended fails the rest of its transaction too (nobody is
   * signed in): that is a 401 below, not the failure it caused. */
  if (error != NULL && req->auth_in_sql && crm_db_batch_get_result (batch, req->auth_index) != NULL &&
      PQntuples (crm_db_batch_get_result (batch, req->auth_index)) == 0)
    error = NULL;
  if (error != NULL)
    {
      crm_request_respond_error (req, error);
      return;
    }

  if (req->auth_in_sql)
    {
      CrmUser *user = user_from_row (crm_db_batch_get_result (batch, req->auth_index));

      if (user == NULL)
        {
          crm_request_forget_session (req);
          crm_request_fail (req, CRM_ERROR_UNAUTHENTICATED, NULL,
                            "The session has expired or was signed out; sign in again");
          return;
        }
      /* Stored only if nothing was revoked since the statement was
       * queued; the request's next batches then set it from the entry. */
      req->user_cached = crm_identity_cache_store (req->worker->identity, req->token_hash,
                                                   user, req->auth_generation);
      g_clear_pointer (&req->user, crm_user_unref);
      req->user = user;
      req->auth_in_sql = FALSE;
    }

  done (req, batch);
}

void
crm_request_execute (CrmRequest   *req,
                     CrmDbBatch   *batch,
                     CrmBatchDone  done)
{
  if (!req->paused)
    {
      req->paused = TRUE;
      soup_server_message_pause (req->msg);
      g_hash_table_insert (req->worker->waiting, req->msg, req);
    }
  req->done = done;
  req->worker->in_flight++;
  crm_db_execute (req->worker->db, batch, batch_done_cb, req);
}

/* Dispatch -------------------------------------------------------------- */

static void
auth_prefetch_done (CrmRequest *req,
                    CrmDbBatch *batch)
{
  req->route->handler (req);
}

static gboolean
read_bearer_token (CrmRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");
  const char *token;
  gsize len;

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    return FALSE;
  token = value + 7;
  len = strlen (token);
  if (len < 16 || len > 128)
    return FALSE;
  for (const char *p = token; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  req->token_hash = crm_auth_token_hash (token);
  return TRUE;
}

static gboolean
read_json_body (CrmRequest  *req,
                GError     **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  const char *data;
  gsize len;

  /* Media types are case-insensitive and may carry parameters
   * (soup_message_headers_get_content_type () leaves those out). */
  if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/json") != 0)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "body", "The body must be application/json");
      return FALSE;
    }
  if ((gsize) body->length > req->worker->config->max_body)
    {
      crm_set_field_error (error, CRM_ERROR_TOO_LARGE, "body",
                           "The body is larger than %" G_GSIZE_FORMAT " bytes",
                           req->worker->config->max_body);
      return FALSE;
    }
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "body", "A JSON body is required");
      return FALSE;
    }
  /* json-glib 1.6 recurses without limit: bound the depth first. */
  if (!crm_json_check (data, len, CRM_JSON_MAX_DEPTH, error))
    return FALSE;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, NULL))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "body", "The body is not valid JSON");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "body", "The body must be a JSON object");
      return FALSE;
    }
  req->body = json_node_ref (json_parser_get_root (parser));
  return TRUE;
}

static void
api_cb (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  CrmWorker *worker = user_data;
  CrmRequest *req = g_new0 (CrmRequest, 1);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  g_autoptr(GError) error = NULL;
  g_autofree char *allowed = NULL;

  req->worker = worker;
  req->msg = g_object_ref (msg);
  req->started = g_get_monotonic_time ();
  req->params = g_ptr_array_new_with_free_func (g_free);
  if (query)
    req->query = g_hash_table_ref (query);

  soup_message_headers_replace (response_headers, "Cache-Control", "no-store");
  soup_message_headers_replace (response_headers, "X-Content-Type-Options", "nosniff");

  if (!g_str_has_prefix (path, API_PREFIX))
    {
      crm_request_fail (req, CRM_ERROR_NOT_FOUND, NULL, "No such API path");
      return;
    }

  switch (crm_router_match (soup_server_message_get_method (msg), path + strlen (API_PREFIX),
                            &req->route, req->params, &allowed))
    {
    case CRM_ROUTER_NO_PATH:
      crm_request_fail (req, CRM_ERROR_NOT_FOUND, NULL, "No such API path");
      return;
    case CRM_ROUTER_BAD_METHOD:
      soup_message_headers_replace (response_headers, "Allow", allowed);
      crm_request_respond (req, SOUP_STATUS_METHOD_NOT_ALLOWED,
                           crm_http_error_body (CRM_ERROR_INVALID, "Method not allowed on this path", NULL));
      return;
    case CRM_ROUTER_FOUND:
    default:
      break;
    }

  if ((req->route->flags & CRM_ROUTE_BODY) && !read_json_body (req, &error))
    {
      crm_request_respond_error (req, error);
      return;
    }

  if (req->route->flags & CRM_ROUTE_AUTH)
    {
      if (!read_bearer_token (req))
        {
          soup_message_headers_replace (response_headers, "WWW-Authenticate", "Bearer");
          crm_request_fail (req, CRM_ERROR_UNAUTHENTICATED, NULL,
                            "Sign in first: send Authorization: Bearer TOKEN");
          return;
        }
      req->user = crm_identity_cache_lookup (worker->identity, req->token_hash);
      req->user_cached = req->user != NULL;
      if (req->user == NULL)
        {
          /* Learn who is asking first (handlers choose their queries by
           * role); the answer fills the cache, and the handler's batch
           * sets it from there, or authenticates again if it could not be
           * kept. */
          crm_request_execute (req, crm_request_new_batch (req), auth_prefetch_done);
          return;
        }
    }

  req->route->handler (req);
}

void
crm_http_install (SoupServer *server,
                  CrmWorker  *worker)
{
  crm_http_limits_install (server, worker);
  soup_server_add_handler (server, NULL, api_cb, worker, NULL);
}
