#define G_LOG_DOMAIN "crm-handler-session"

#include "config.h"

#include <string.h>

#include "crm-auth.h"
#include "crm-error.h"
#include "crm-handlers.h"
#include "crm-validate.h"

/*
 * Sign-in.  The application role cannot read password hashes or sessions;
 * it goes through the SECURITY DEFINER functions of the schema.
 *
 * An attempt is counted before its password is checked, in one statement
 * (crm.claim_sign_in, migration 0004) that also says whether it is within
 * the limits: throttle-limit attempts per account from one address, four
 * times that per address.  Past a limit the answer is 429 with Retry-After
 * and the password is not checked.  A success forgets the account's
 * failures from that address; failures from other addresses stay, and do
 * not keep the owner out.  The check itself runs on crm-auth's bounded pool;
 * when its queue is full the attempt is given back and the answer is 503.
 */

static const CrmSql sql_claim = {
  "claim_sign_in",
  "SELECT crm.claim_sign_in($1, $2::inet, $3::integer, $4::integer,"
  " make_interval(secs => $5::integer), make_interval(secs => $6::integer))", 6
};
static const CrmSql sql_password_hash = {
  "password_hash_for", "SELECT user_id, password_hash FROM crm.password_hash_for($1)", 1
};
static const CrmSql sql_release = {
  "release_sign_in", "SELECT crm.release_sign_in($1, $2::inet, $3::boolean)", 3
};
static const CrmSql sql_open_session = {
  "open_session",
  "SELECT crm.open_session($1::uuid, $2, make_interval(hours => $3::integer), $4::inet)", 4
};
static const CrmSql sql_session_user = {
  "session_user",
  "SELECT user_id, login, display_name, role, team_id, region_id, expires_at"
  " FROM crm.authenticate($1)", 1
};
static const CrmSql sql_close_session = {
  "close_session", "SELECT crm.close_session($1)", 1
};

/* Addresses get more tries than accounts: many people share an office. */
#define ADDRESS_LIMIT_FACTOR 4
/* Seconds a client is asked to wait when the password checks are full. */
#define BUSY_RETRY_AFTER "1"

typedef struct
{
  char   *login;
  char   *password;
  char   *user_id;
  char   *hash;
  char   *token;
  GBytes *token_hash;
  guint   claim_index;  /* the statements' places in the current batch */
  guint   user_index;
  guint   who_index;
} SignIn;

static void
sign_in_free (gpointer data)
{
  SignIn *s = data;

  g_free (s->login);
  if (s->password)
    memset (s->password, 0, strlen (s->password));
  g_free (s->password);
  g_free (s->user_id);
  g_free (s->hash);
  g_free (s->token);
  g_clear_pointer (&s->token_hash, g_bytes_unref);
  g_free (s);
}

static void
add_release (CrmDbBatch       *batch,
             const CrmRequest *req,
             gboolean          succeeded)
{
  const SignIn *s = req->data;
  const char *values[3] = { s->login, req->client_address, succeeded ? "true" : "false" };

  crm_db_batch_add (batch, &sql_release, values);
}

/* 503 for a full queue of password checks.  Not crm_request_fail (): for a
 * 5xx it puts a database message in place of ours, and this is no
 * database failure. */
static void
released_busy (CrmRequest *req,
               CrmDbBatch *batch)
{
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  CrmJsonWriter w;

  crm_set_field_error (&error, CRM_ERROR_UNAVAILABLE, NULL,
                       "Too many sign-ins at once; try again in a moment");
  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_json_key (&w, "error");
  crm_json_begin_object (&w);
  crm_json_member_string (&w, "code", crm_error_code_to_string (CRM_ERROR_UNAVAILABLE));
  crm_json_member_string (&w, "message", error->message);
  crm_json_end_object (&w);
  crm_json_end_object (&w);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Retry-After", BUSY_RETRY_AFTER);
  crm_request_respond (req, crm_http_status_for_error (error), out);
}

static void
session_opened (CrmRequest *req,
                CrmDbBatch *batch)
{
  SignIn *s = req->data;
  PGresult *who = crm_db_batch_get_result (batch, s->who_index);
  GString *out;
  CrmJsonWriter w;
  int role;

  if (who == NULL || PQntuples (who) != 1 ||
      (role = crm_wire_lookup (crm_role_names, crm_pg_value (who, 0, 3))) < 0)
    {
      crm_request_fail (req, CRM_ERROR_INTERNAL, NULL, "The new session could not be read back");
      return;
    }

  out = g_string_new (NULL);
  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_json_member_string (&w, "token", s->token);
  crm_json_member_timestamp (&w, "expires_at", crm_pg_value (who, 0, 6));
  crm_json_key (&w, "user");
  crm_json_begin_object (&w);
  crm_json_member_string (&w, "id", crm_pg_value (who, 0, 0));
  crm_json_member_string (&w, "login", crm_pg_value (who, 0, 1));
  crm_json_member_string (&w, "display_name", crm_pg_value (who, 0, 2));
  crm_json_member_string (&w, "role", crm_role_names[role]);
  crm_json_member_string (&w, "team_id", crm_pg_value (who, 0, 4));
  crm_json_member_string (&w, "region_id", crm_pg_value (who, 0, 5));
  crm_json_end_object (&w);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_CREATED, out);
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CrmRequest *req = user_data;
  SignIn *s = req->data;
  g_autoptr(GError) error = NULL;
  gboolean ok = crm_auth_check_password_finish (result, &error);
  const CrmConfig *config = req->worker->config;
  CrmDbBatch *batch;
  g_autofree char *hours = NULL;
  const char *hash;
  gsize len;

  if (error != NULL)
    {
      /* No room to check it: the attempt is given back, then 503. */
      batch = crm_request_new_batch (req);
      add_release (batch, req, FALSE);
      crm_request_execute (req, batch, released_busy);
      return;
    }
  if (!ok)
    {
      /* The attempt was counted when it was claimed. */
      crm_request_fail (req, CRM_ERROR_BAD_CREDENTIALS, "password",
                        "The login or password is not right");
      return;
    }

  s->token = crm_auth_new_token ();
  s->token_hash = crm_auth_token_hash (s->token);
  hours = g_strdup_printf ("%u", config->session_hours);
  hash = g_bytes_get_data (s->token_hash, &len);
  batch = crm_request_new_batch (req);
  add_release (batch, req, TRUE);
  {
    const char *open_values[4] = { s->user_id, hash, hours, req->client_address };
    const char *who_values[1] = { hash };

    crm_db_batch_add_full (batch, &sql_open_session, open_values, 1, len);
    s->who_index = crm_db_batch_add_full (batch, &sql_session_user, who_values, 0, len);
  }
  crm_request_execute (req, batch, session_opened);
}

static void
claimed (CrmRequest *req,
         CrmDbBatch *batch)
{
  SignIn *s = req->data;
  PGresult *claim = crm_db_batch_get_result (batch, s->claim_index);
  PGresult *user = crm_db_batch_get_result (batch, s->user_index);
  gint64 seconds = -1;

  if (claim && PQntuples (claim) == 1)
    g_ascii_string_to_signed (PQgetvalue (claim, 0, 0), 10, 0, G_MAXINT32, &seconds, NULL);
  if (seconds < 0)
    {
      crm_request_fail (req, CRM_ERROR_INTERNAL, NULL, "The sign-in attempt could not be counted");
      return;
    }
  if (seconds > 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *retry = g_strdup_printf ("%" G_GINT64_FORMAT, seconds);

      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "Retry-After", retry);
      crm_set_field_error (&error, CRM_ERROR_THROTTLED, "login",
                           "Too many failed sign-ins; try again in %" G_GINT64_FORMAT " minutes",
                           (seconds + 59) / 60);
      crm_request_respond_error (req, error);
      return;
    }

  if (user && PQntuples (user) == 1)
    {
      s->user_id = g_strdup (crm_pg_value (user, 0, 0));
      s->hash = g_strdup (crm_pg_value (user, 0, 1));
    }

  /* Argon2id takes tens of milliseconds and 64 MiB: off the main loop, on
   * the bounded pool.  The callback returns to this thread's context. */
  crm_auth_check_password_async (s->hash, s->password, NULL, checked_cb, req);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* POST /session {"login": ..., "password": ...} */
void
crm_handle_session_create (CrmRequest *req)
{
  JsonObject *obj = json_node_get_object (req->body);
  const char *login = member_string (obj, "login");
  const char *password = member_string (obj, "password");
  SignIn *s;
  CrmDbBatch *batch;

  if (login == NULL || !crm_validate_login (login))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "login",
                        "login must be 2 to 64 letters, digits, '.', '_' or '-'");
      return;
    }
  if (password == NULL || *password == '\0' || strlen (password) > 1024)
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "password", "password is required (at most 1024 bytes)");
      return;
    }

  /* The peer of the connection itself: no forwarding header is trusted. */
  req->client_address = g_strdup (soup_server_message_get_remote_host (req->msg));
  if (req->client_address == NULL)
    req->client_address = g_strdup ("127.0.0.1");

  s = g_new0 (SignIn, 1);
  s->login = g_strdup (login);
  s->password = g_strdup (password);
  req->data = s;
  req->data_free = sign_in_free;

  batch = crm_request_new_batch (req);
  {
    const CrmConfig *config = req->worker->config;
    g_autofree char *limit = g_strdup_printf ("%u", MAX (config->throttle_limit, 1));
    g_autofree char *address_limit = g_strdup_printf ("%u", MAX (config->throttle_limit, 1) * ADDRESS_LIMIT_FACTOR);
    g_autofree char *window = g_strdup_printf ("%u", config->throttle_window);
    g_autofree char *lock = g_strdup_printf ("%u", config->throttle_lock);
    const char *v_claim[6] = { login, req->client_address, limit, address_limit, window, lock };
    const char *v_login[1] = { login };

    s->claim_index = crm_db_batch_add (batch, &sql_claim, v_claim);
    s->user_index = crm_db_batch_add (batch, &sql_password_hash, v_login);
  }
  crm_request_execute (req, batch, claimed);
}

static void
session_closed (CrmRequest *req,
                CrmDbBatch *batch)
{
  crm_request_forget_session (req);
  crm_request_respond_empty (req, SOUP_STATUS_NO_CONTENT);
}

/* DELETE /session: signs the caller's token out. */
void
crm_handle_session_delete (CrmRequest *req)
{
  CrmDbBatch *batch = crm_request_new_batch (req);
  gsize len;
  const char *hash = g_bytes_get_data (req->token_hash, &len);
  const char *values[1] = { hash };

  crm_db_batch_add_full (batch, &sql_close_session, values, 0, len);
  crm_request_execute (req, batch, session_closed);
}

static void
me_done (CrmRequest *req,
         CrmDbBatch *batch)
{
  GString *out = g_string_new (NULL);
  CrmJsonWriter w;

  crm_json_writer_init (&w, out);
  crm_json_user (&w, req->user);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

/* GET /me: who the token belongs to, as the database says now. */
void
crm_handle_me (CrmRequest *req)
{
  crm_request_execute (req, crm_request_new_batch (req), me_done);
}
