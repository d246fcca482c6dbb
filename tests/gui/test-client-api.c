#include "config.h"

#include "crm-api.h"
#include "crm-error.h"
#include "crm-test-server.h"

typedef struct
{
  CrmTestServer *server;
  CrmApi        *api;
  GAsyncResult  *result;
  gboolean       done;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->server = crm_test_server_new ();
  fixture->api = crm_api_new (fixture->server->url, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->result);
  g_assert_finalize_object (fixture->api);
  crm_test_server_free (fixture->server);
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
  fixture->done = TRUE;
}

static JsonNode *
get_json (Fixture     *fixture,
          const char  *path,
          GHashTable  *query,
          GError     **error)
{
  fixture->done = FALSE;
  g_clear_object (&fixture->result);
  crm_api_get_json_async (fixture->api, path, query, NULL, done_cb, fixture);
  crm_test_wait_until (&fixture->done);

  return crm_api_get_json_finish (fixture->api, fixture->result, error);
}

static void
test_new_rejects_bad_addresses (void)
{
  const char *bad[] = { "", "ftp://example.com", "example.com:8470", "http://", "http://user:pw@example.com",
                        "http://example.com/?x=1", "not an address" };
  g_autoptr(CrmApi) api = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;

      g_assert_null (crm_api_new (bad[i], &bad_error));
      g_assert_error (bad_error, CRM_ERROR, CRM_ERROR_INVALID);
      g_assert_cmpstr (crm_error_get_field (bad_error), ==, CRM_API_FIELD_SERVER);
    }

  api = crm_api_new ("https://crm.example.com:8470/", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_api_get_base_url (api), ==, "https://crm.example.com:8470");
}

static void
test_get_sends_token_and_query (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  crm_test_server_answer (fixture->server, SOUP_STATUS_OK, "{\"items\": [1, 2], \"next_cursor\": null}", NULL);
  crm_api_set_token (fixture->api, "tok-123");
  g_hash_table_insert (query, g_strdup ("q"), g_strdup ("中国 移动&"));
  g_hash_table_insert (query, g_strdup ("limit"), g_strdup ("5"));

  node = get_json (fixture, "/customers", query, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (json_node_get_object (node), "items")), ==, 2);

  g_assert_cmpstr (fixture->server->last_method, ==, "GET");
  g_assert_cmpstr (fixture->server->last_path, ==, "/api/v1/customers");
  g_assert_cmpstr (fixture->server->last_authorization, ==, "Bearer tok-123");
  g_assert_nonnull (fixture->server->last_query);
  g_assert_cmpstr (g_hash_table_lookup (fixture->server->last_query, "q"), ==, "中国 移动&");
  g_assert_cmpstr (g_hash_table_lookup (fixture->server->last_query, "limit"), ==, "5");
}

static void
test_get_maps_error_body (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  crm_test_server_answer (fixture->server, SOUP_STATUS_NOT_FOUND,
                          "{\"error\": {\"code\": \"not_found\", \"message\": \"No such customer, or not one of yours\", \"field\": \"id\"}}",
                          NULL);

  node = get_json (fixture, "/customers/00000000-0000-0000-0000-000000000000", NULL, &error);
  g_assert_null (node);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "No such customer, or not one of yours");
  g_assert_cmpstr (crm_error_get_field (error), ==, "id");
}

static void
test_get_maps_status_without_body (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  crm_test_server_answer (fixture->server, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, NULL);

  node = get_json (fixture, "/me", NULL, &error);
  g_assert_null (node);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE);
  /* Answered: not the "server could not be reached" kind of unavailable. */
  g_assert_null (crm_error_get_field (error));
}

static void
test_get_unreachable_names_server (void)
{
  g_autofree char *url = crm_test_closed_url ();
  g_autoptr(CrmApi) api = crm_api_new (url, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  Fixture fixture = { 0 };

  crm_api_get_json_async (api, "/me", NULL, NULL, done_cb, &fixture);
  crm_test_wait_until (&fixture.done);
  result = fixture.result;

  node = crm_api_get_json_finish (api, result, &error);
  g_assert_null (node);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE);
  g_assert_cmpstr (crm_error_get_field (error), ==, CRM_API_FIELD_SERVER);
}

static void
test_get_parses_large_answer (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GString) body = g_string_new ("[");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint i;

  /* Over the size that is parsed in a worker thread. */
  for (i = 0; i < 20000; i++)
    g_string_append_printf (body, "%s{\"n\": %u}", i ? "," : "", i);
  g_string_append (body, "]");
  g_assert_cmpuint (body->len, >, 64 * 1024);
  crm_test_server_answer (fixture->server, SOUP_STATUS_OK, body->str, NULL);

  node = get_json (fixture, "/customers", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 20000);
}

static void
test_get_refuses_deep_answer (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  guint i;

  /* json-glib 1.6 would recurse once per bracket. */
  for (i = 0; i < 100000; i++)
    g_string_append_c (body, '[');
  for (i = 0; i < 100000; i++)
    g_string_append_c (body, ']');
  crm_test_server_answer (fixture->server, SOUP_STATUS_OK, body->str, NULL);

  node = get_json (fixture, "/customers", NULL, &error);
  g_assert_null (node);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_MALFORMED);
}

static void
test_post_returns_status_and_body (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(JsonNode) body = json_from_string ("{\"name\": \"中国电信\"}", NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;

  crm_test_server_answer (fixture->server, SOUP_STATUS_CREATED, "{\"id\": \"x\", \"version\": 1}", NULL);

  crm_api_post_json_async (fixture->api, "/customers", body, NULL, done_cb, fixture);
  crm_test_wait_until (&fixture->done);
  node = crm_api_post_json_finish (fixture->api, fixture->result, &status, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "version"), ==, 1);
  g_assert_cmpstr (fixture->server->last_method, ==, "POST");
  g_assert_cmpstr (fixture->server->last_body, ==, "{\"name\":\"中国电信\"}");
}

/* Queued changes go out one POST after another on one connection: a
 * server that caps the connections per address (keyline-server: 64,
 * counted until it has seen them closed) refused a queue of 100 sent one
 * connection each. */
static void
test_posts_reuse_the_connection (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(JsonNode) body = json_from_string ("{\"key\": \"7d3f0b1e-8a44-4c55-9c1e-2f6a5b7c8d90\"}", NULL);

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;

      fixture->done = FALSE;
      g_clear_object (&fixture->result);
      crm_api_post_json_async (fixture->api, "/mutations", body, NULL, done_cb, fixture);
      crm_test_wait_until (&fixture->done);
      node = crm_api_post_json_finish (fixture->api, fixture->result, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (fixture->server->requests, ==, 100);
  g_assert_cmpuint (g_hash_table_size (fixture->server->connections), <=, 2);
}

static void
test_post_error_keeps_status (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(JsonNode) body = json_from_string ("{}", NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;

  crm_test_server_answer (fixture->server, SOUP_STATUS_PRECONDITION_FAILED,
                          "{\"error\": {\"code\": \"precondition_failed\", \"message\": \"changed\", \"field\": \"version\"}}",
                          NULL);

  crm_api_post_json_async (fixture->api, "/customers", body, NULL, done_cb, fixture);
  crm_test_wait_until (&fixture->done);
  node = crm_api_post_json_finish (fixture->api, fixture->result, &status, &error);

  g_assert_null (node);
  g_assert_cmpuint (status, ==, 412);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_PRECONDITION_FAILED);
  g_assert_cmpstr (crm_error_get_field (error), ==, "version");
}

static void
test_sign_in_keeps_token_and_sign_out_forgets_it (Fixture       *fixture,
                                                  gconstpointer  data)
{
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint retry_after = 99;

  crm_test_server_answer (fixture->server, SOUP_STATUS_CREATED,
                          "{\"token\": \"t0ken\", \"expires_at\": \"2026-12-07T14:28:45+00:00\","
                          " \"user\": {\"login\": \"manager\", \"display_name\": \"王伟\", \"role\": \"manager\"}}",
                          NULL);

  crm_api_sign_in_async (fixture->api, "manager", "keyline", NULL, done_cb, fixture);
  crm_test_wait_until (&fixture->done);
  token = crm_api_sign_in_finish (fixture->api, fixture->result, &user, &retry_after, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "t0ken");
  g_assert_cmpuint (retry_after, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (user, "display_name"), ==, "王伟");
  g_assert_cmpstr (crm_api_get_token (fixture->api), ==, "t0ken");
  g_assert_cmpstr (fixture->server->last_path, ==, "/api/v1/session");
  g_assert_cmpstr (fixture->server->last_body, ==, "{\"login\":\"manager\",\"password\":\"keyline\"}");

  crm_test_server_answer (fixture->server, SOUP_STATUS_NO_CONTENT, NULL, NULL);
  fixture->done = FALSE;
  g_clear_object (&fixture->result);
  crm_api_sign_out_async (fixture->api, NULL, done_cb, fixture);
  g_assert_null (crm_api_get_token (fixture->api));
  crm_test_wait_until (&fixture->done);

  g_assert_true (crm_api_sign_out_finish (fixture->api, fixture->result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (fixture->server->last_method, ==, "DELETE");
  g_assert_cmpstr (fixture->server->last_authorization, ==, "Bearer t0ken");
}

static void
test_sign_in_throttled_gives_retry_after (Fixture       *fixture,
                                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint retry_after = 0;

  crm_test_server_answer (fixture->server, 429,
                          "{\"error\": {\"code\": \"throttled\", \"message\": \"Too many\", \"field\": \"login\"}}",
                          "900");

  crm_api_sign_in_async (fixture->api, "manager", "wrong", NULL, done_cb, fixture);
  crm_test_wait_until (&fixture->done);
  token = crm_api_sign_in_finish (fixture->api, fixture->result, NULL, &retry_after, &error);

  g_assert_null (token);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_THROTTLED);
  g_assert_cmpuint (retry_after, ==, 900);
  g_assert_null (crm_api_get_token (fixture->api));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/api/new/rejects-bad-addresses", test_new_rejects_bad_addresses);
  g_test_add ("/client/api/get/sends-token-and-query", Fixture, NULL,
              fixture_set_up, test_get_sends_token_and_query, fixture_tear_down);
  g_test_add ("/client/api/get/maps-the-error-body", Fixture, NULL,
              fixture_set_up, test_get_maps_error_body, fixture_tear_down);
  g_test_add ("/client/api/get/maps-a-status-without-body", Fixture, NULL,
              fixture_set_up, test_get_maps_status_without_body, fixture_tear_down);
  g_test_add_func ("/client/api/get/unreachable-names-the-server", test_get_unreachable_names_server);
  g_test_add ("/client/api/get/parses-a-large-answer", Fixture, NULL,
              fixture_set_up, test_get_parses_large_answer, fixture_tear_down);
  g_test_add ("/client/api/get/refuses-deeply-nested-answer", Fixture, NULL,
              fixture_set_up, test_get_refuses_deep_answer, fixture_tear_down);
  g_test_add ("/client/api/post/returns-status-and-body", Fixture, NULL,
              fixture_set_up, test_post_returns_status_and_body, fixture_tear_down);
  g_test_add ("/client/api/post/one-after-another-reuse-the-connection", Fixture, NULL,
              fixture_set_up, test_posts_reuse_the_connection, fixture_tear_down);
  g_test_add ("/client/api/post/error-keeps-the-status", Fixture, NULL,
              fixture_set_up, test_post_error_keeps_status, fixture_tear_down);
  g_test_add ("/client/api/sign-in/keeps-token-and-sign-out-forgets-it", Fixture, NULL,
              fixture_set_up, test_sign_in_keeps_token_and_sign_out_forgets_it, fixture_tear_down);
  g_test_add ("/client/api/sign-in/throttled-gives-retry-after", Fixture, NULL,
              fixture_set_up, test_sign_in_throttled_gives_retry_after, fixture_tear_down);

  return g_test_run ();
}
