#include "config.h"

#include <adwaita.h>

#include "crm-api.h"
#include "crm-sign-in-page.h"
#include "crm-test-server.h"

#define BAD_CREDENTIALS \
  "{\"error\": {\"code\": \"bad_credentials\", \"message\": \"The login or password is not right\", \"field\": \"password\"}}"
#define THROTTLED \
  "{\"error\": {\"code\": \"throttled\", \"message\": \"Too many failed sign-ins; try again in 15 minutes\", \"field\": \"login\"}}"
#define INTERNAL \
  "{\"error\": {\"code\": \"internal\", \"message\": \"The server failed to handle the request\"}}"
#define SIGNED_IN \
  "{\"token\": \"3q2-7wEjRWeJq83vASNFZ4mrze8BI0VniavN7wEjRWc\", \"expires_at\": \"2026-12-07T14:28:45+00:00\"," \
  " \"user\": {\"id\": \"52fcca8c-c0c6-4bbf-87d5-9bee547149bb\", \"login\": \"manager\"," \
  " \"display_name\": \"王伟\", \"role\": \"manager\", \"team_id\": null, \"region_id\": null}}"

typedef struct
{
  CrmTestServer *server;
  GtkWindow     *window;
  CrmSignInPage *page;
  gboolean       done;
  char          *token;
  JsonObject    *user;
} Fixture;

static GtkWidget *
child (Fixture    *fixture,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->page), CRM_TYPE_SIGN_IN_PAGE, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static const char *
text_of (Fixture    *fixture,
         const char *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (child (fixture, row)));
}

static void
busy_changed_cb (CrmSignInPage *page,
                 GParamSpec    *pspec,
                 Fixture       *fixture)
{
  if (!crm_sign_in_page_get_busy (page))
    fixture->done = TRUE;
}

static void
signed_in_cb (CrmSignInPage *page,
              CrmApi        *api,
              const char    *token,
              JsonObject    *user,
              Fixture       *fixture)
{
  g_assert_cmpstr (crm_api_get_token (api), ==, token);
  fixture->token = g_strdup (token);
  fixture->user = json_object_ref (user);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->server = crm_test_server_new ();
  fixture->page = g_object_ref_sink (CRM_SIGN_IN_PAGE (crm_sign_in_page_new ()));
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->page));
  gtk_window_present (fixture->window);

  g_signal_connect (fixture->page, "notify::busy", G_CALLBACK (busy_changed_cb), fixture);
  g_signal_connect (fixture->page, "signed-in", G_CALLBACK (signed_in_cb), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->token, g_free);
  g_clear_pointer (&fixture->user, json_object_unref);
  gtk_window_destroy (fixture->window);
  g_assert_finalize_object (fixture->page);
  crm_test_server_free (fixture->server);
}

static void
fill_in (Fixture    *fixture,
         const char *server,
         const char *login,
         const char *password)
{
  crm_sign_in_page_set_server_url (fixture->page, server);
  crm_sign_in_page_set_login (fixture->page, login);
  gtk_editable_set_text (GTK_EDITABLE (child (fixture, "password_row")), password);
}

/* Presses the Sign In button as a user would, and waits for the answer. */
static void
sign_in (Fixture *fixture)
{
  GtkWidget *button = child (fixture, "sign_in_button");

  fixture->done = FALSE;
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");

  /* Waiting: a spinner, and no second sign-in meanwhile. */
  g_assert_true (crm_sign_in_page_get_busy (fixture->page));
  g_assert_true (gtk_widget_get_visible (child (fixture, "spinner")));
  g_assert_false (gtk_widget_get_sensitive (button));

  crm_test_wait_until (&fixture->done);
  g_assert_false (gtk_widget_get_visible (child (fixture, "spinner")));
}

static void
test_button_needs_login_and_password (Fixture       *fixture,
                                      gconstpointer  data)
{
  GtkWidget *button = child (fixture, "sign_in_button");

  fill_in (fixture, fixture->server->url, "", "");
  g_assert_false (gtk_widget_get_sensitive (button));
  fill_in (fixture, fixture->server->url, "manager", "");
  g_assert_false (gtk_widget_get_sensitive (button));
  fill_in (fixture, fixture->server->url, "manager", "keyline");
  g_assert_true (gtk_widget_get_sensitive (button));
}

static void
test_bad_credentials_says_so_and_keeps_fields (Fixture       *fixture,
                                               gconstpointer  data)
{
  GtkWidget *password_row = child (fixture, "password_row");

  crm_test_server_answer (fixture->server, SOUP_STATUS_UNAUTHORIZED, BAD_CREDENTIALS, NULL);
  fill_in (fixture, fixture->server->url, "manager", "wrong password");

  /* Enter in the password field signs in. */
  fixture->done = FALSE;
  g_signal_emit_by_name (password_row, "entry-activated");
  g_assert_true (crm_sign_in_page_get_busy (fixture->page));
  crm_test_wait_until (&fixture->done);

  g_assert_cmpuint (fixture->server->requests, ==, 1);
  g_assert_cmpstr (fixture->server->last_path, ==, "/api/v1/session");
  g_assert_cmpstr (crm_sign_in_page_get_message (fixture->page), ==, "The login or password is not right.");
  g_assert_true (gtk_widget_get_visible (child (fixture, "message_label")));
  g_assert_true (gtk_widget_has_css_class (password_row, "error"));
  g_assert_null (fixture->token);

  g_assert_cmpstr (text_of (fixture, "server_row"), ==, fixture->server->url);
  g_assert_cmpstr (text_of (fixture, "login_row"), ==, "manager");
  g_assert_cmpstr (text_of (fixture, "password_row"), ==, "wrong password");
  g_assert_true (gtk_widget_get_sensitive (child (fixture, "sign_in_button")));
}

static void
test_throttled_gives_minutes (Fixture       *fixture,
                              gconstpointer  data)
{
  crm_test_server_answer (fixture->server, 429, THROTTLED, "840");
  fill_in (fixture, fixture->server->url, "manager", "wrong");
  sign_in (fixture);

  g_assert_cmpstr (crm_sign_in_page_get_message (fixture->page), ==,
                   "Too many failed sign-ins. Try again in 14 minutes.");
  g_assert_cmpstr (text_of (fixture, "password_row"), ==, "wrong");

  /* A lock ending within the minute still says a minute, in the singular. */
  crm_test_server_answer (fixture->server, 429, THROTTLED, "5");
  sign_in (fixture);
  g_assert_cmpstr (crm_sign_in_page_get_message (fixture->page), ==,
                   "Too many failed sign-ins. Try again in 1 minute.");
}

static void
test_closed_port_says_unreachable (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autofree char *url = crm_test_closed_url ();
  g_autofree char *expected = NULL;

  fill_in (fixture, url, "manager", "keyline");
  sign_in (fixture);

  expected = g_strdup_printf ("Cannot reach the server at %s. Check the address and your network connection.", url);
  g_assert_cmpstr (crm_sign_in_page_get_message (fixture->page), ==, expected);
  g_assert_true (gtk_widget_has_css_class (child (fixture, "server_row"), "error"));
  g_assert_cmpstr (text_of (fixture, "server_row"), ==, url);
  g_assert_cmpstr (text_of (fixture, "password_row"), ==, "keyline");
}

static void
test_server_error_says_so (Fixture       *fixture,
                           gconstpointer  data)
{
  crm_test_server_answer (fixture->server, SOUP_STATUS_INTERNAL_SERVER_ERROR, INTERNAL, NULL);
  fill_in (fixture, fixture->server->url, "manager", "keyline");
  sign_in (fixture);

  g_assert_cmpstr (crm_sign_in_page_get_message (fixture->page), ==,
                   "The server could not sign you in because of a problem on its side. Try again in a few minutes.");

  /* A 503 without a body (a proxy in front of a stopped server) too. */
  crm_test_server_answer (fixture->server, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, NULL);
  sign_in (fixture);
  g_assert_cmpstr (crm_sign_in_page_get_message (fixture->page), ==,
                   "The server could not sign you in because of a problem on its side. Try again in a few minutes.");
}

static void
test_invalid_address_says_so_without_asking (Fixture       *fixture,
                                             gconstpointer  data)
{
  fill_in (fixture, "ftp://crm.example.com", "manager", "keyline");
  g_signal_emit_by_name (child (fixture, "sign_in_button"), "clicked");

  g_assert_false (crm_sign_in_page_get_busy (fixture->page));
  g_assert_cmpuint (fixture->server->requests, ==, 0);
  g_assert_cmpstr (crm_sign_in_page_get_message (fixture->page), ==,
                   "“ftp://crm.example.com” is not a server address. Enter one such as http://crm.example.com:8470.");
  g_assert_true (gtk_widget_has_css_class (child (fixture, "server_row"), "error"));

  /* Typing in the field clears its mark. */
  crm_sign_in_page_set_server_url (fixture->page, "http://crm.example.com");
  g_assert_false (gtk_widget_has_css_class (child (fixture, "server_row"), "error"));
}

static void
test_success_emits_signed_in (Fixture       *fixture,
                              gconstpointer  data)
{
  crm_test_server_answer (fixture->server, SOUP_STATUS_CREATED, SIGNED_IN, NULL);
  fill_in (fixture, fixture->server->url, "manager", "keyline");
  sign_in (fixture);

  g_assert_cmpstr (fixture->token, ==, "3q2-7wEjRWeJq83vASNFZ4mrze8BI0VniavN7wEjRWc");
  g_assert_nonnull (fixture->user);
  g_assert_cmpstr (json_object_get_string_member (fixture->user, "display_name"), ==, "王伟");
  g_assert_cmpstr (fixture->server->last_body, ==, "{\"login\":\"manager\",\"password\":\"keyline\"}");
  g_assert_cmpstr (crm_sign_in_page_get_message (fixture->page), ==, "");
  /* The password does not stay in the field. */
  g_assert_cmpstr (text_of (fixture, "password_row"), ==, "");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/client/sign-in/button/needs-login-and-password", Fixture, NULL,
              fixture_set_up, test_button_needs_login_and_password, fixture_tear_down);
  g_test_add ("/client/sign-in/bad-credentials/says-so-and-keeps-the-fields", Fixture, NULL,
              fixture_set_up, test_bad_credentials_says_so_and_keeps_fields, fixture_tear_down);
  g_test_add ("/client/sign-in/throttled/gives-the-minutes-to-wait", Fixture, NULL,
              fixture_set_up, test_throttled_gives_minutes, fixture_tear_down);
  g_test_add ("/client/sign-in/closed-port/says-the-server-is-unreachable", Fixture, NULL,
              fixture_set_up, test_closed_port_says_unreachable, fixture_tear_down);
  g_test_add ("/client/sign-in/server-error/says-the-server-failed", Fixture, NULL,
              fixture_set_up, test_server_error_says_so, fixture_tear_down);
  g_test_add ("/client/sign-in/invalid-address/says-so-without-asking", Fixture, NULL,
              fixture_set_up, test_invalid_address_says_so_without_asking, fixture_tear_down);
  g_test_add ("/client/sign-in/success/emits-signed-in", Fixture, NULL,
              fixture_set_up, test_success_emits_signed_in, fixture_tear_down);

  return g_test_run ();
}
