/* Opening the local copy offline against the real server (in-process,
 * over a throwaway PostgreSQL): an online sign-in through the sign-in page
 * keeps an Argon2id verifier next to the copy (never the password); with
 * the server stopped, the same page opens the copy with the right
 * password, says so inline for a wrong one, and tells a user with no copy
 * here to sign in online first; changes made offline are sent once the
 * user signs in again.  The keyring is not used (the settings forget the
 * login, as after a keyring that cannot be read).  Accessibility on. */
#define G_LOG_DOMAIN "test-gui-offline"

#include "config.h"

#include <locale.h>
#include <sys/stat.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-auth.h"
#include "crm-customers-page.h"
#include "crm-sign-in-page.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;
static guint online_customers;   /* what the first online sign-in listed */

typedef struct
{
  CrmContext    *context;
  CrmWindow     *window;
  CrmSignInPage *page;
} Desktop;

static gboolean
shows_sign_in (gpointer window)
{
  return g_strcmp0 (crm_window_get_page (window), "sign-in") == 0;
}

static gboolean
shows_main (gpointer window)
{
  return g_strcmp0 (crm_window_get_page (window), "main") == 0;
}

/* The list shown, with every change the model was told of applied (it
 * reads large batches and reloads in a worker). */
static gboolean
page_listed (gpointer page)
{
  CrmCustomerModel *model = crm_customers_page_get_model (page);

  return g_strcmp0 (crm_customers_page_get_state (page), "list") == 0 &&
         model != NULL && !crm_customer_model_is_busy (model);
}

static gboolean
synced (gpointer context)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (context);

  return engine != NULL && crm_sync_engine_get_status (engine) == CRM_SYNC_STATUS_IDLE &&
         crm_sync_engine_get_last_synced (engine) != NULL;
}

static gboolean
not_busy (gpointer page)
{
  return !crm_sign_in_page_get_busy (page);
}

/* The client started afresh, with no session to pick up: the sign-in
 * page. */
static Desktop *
desktop_new (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  Desktop *self = g_new0 (Desktop, 1);

  g_settings_set_string (settings, "login", "");
  self->context = crm_context_new (settings);
  crm_context_set_sync_interval (self->context, 0);
  self->window = g_object_ref_sink (crm_window_new (NULL, self->context));
  self->page = CRM_SIGN_IN_PAGE (gtk_widget_get_template_child (GTK_WIDGET (self->window), CRM_TYPE_WINDOW,
                                                                "sign_in_page"));
  gtk_window_present (GTK_WINDOW (self->window));
  crm_context_restore_async (self->context, NULL, NULL, NULL);
  crm_test_wait_for (shows_sign_in, self->window);
  return self;
}

/* Closes the client without signing out: the copy stays. */
static void
desktop_free (Desktop *self)
{
  /* Let a dismissed toast (the offline one, once the server is back)
   * finish hiding (300 ms) first: destroying the window during that
   * animation crashed libadwaita 1.2 here, in adw_animation_skip() on
   * unmap. */
  crm_test_iterate (400);
  gtk_window_destroy (GTK_WINDOW (self->window));
  crm_test_iterate (100);
  g_assert_finalize_object (self->window);
  g_assert_finalize_object (self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desktop, desktop_free)

static void
fill (Desktop    *desktop,
      const char *login,
      const char *password)
{
  const char *rows[] = { "server_row", "login_row", "password_row" };
  const char *values[] = { crm_test_live_get_url (live), login, password };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (desktop->page),
                                                                        CRM_TYPE_SIGN_IN_PAGE, rows[i])),
                           values[i]);
}

static void
activate_and_wait (Desktop    *desktop,
                   const char *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->page), action, NULL));
  crm_test_iterate (20);
  crm_test_wait_for (not_busy, desktop->page);
  crm_test_iterate (50);
}

static char *
verifier_path (Desktop    *desktop,
               const char *login)
{
  return crm_context_dup_verifier_path (desktop->context, crm_test_live_get_url (live), login);
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

/* The first sign-in on this computer, online, through the page. */
static void
sign_in_online_once (void)
{
  g_autoptr(Desktop) desktop = NULL;
  g_autofree char *verifier = NULL;
  CrmCustomersPage *customers;

  if (online_customers > 0)
    return;
  crm_test_live_start (live);
  desktop = desktop_new ();
  verifier = verifier_path (desktop, "manager");
  fill (desktop, "manager", CRM_TEST_LIVE_PASSWORD);
  activate_and_wait (desktop, "sign-in.sign-in");
  crm_test_wait_for (shows_main, desktop->window);
  customers = crm_window_get_customers_page (desktop->window);
  crm_test_wait_for (synced, desktop->context);
  crm_test_wait_for (page_listed, customers);
  online_customers = crm_customer_model_get_total (crm_customers_page_get_model (customers));
  g_assert_cmpuint (online_customers, >, 0);
  crm_test_wait_for (file_exists, verifier);
}

static void
test_sign_in_keeps_a_verifier_without_the_password (void)
{
  g_autoptr(Desktop) desktop = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  sign_in_online_once ();
  desktop = desktop_new ();
  path = verifier_path (desktop, "manager");

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (contents, "$argon2id$"));
  g_assert_null (strstr (contents, CRM_TEST_LIVE_PASSWORD));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_wrong_password_offline_is_refused_inline (void)
{
  g_autoptr(Desktop) desktop = NULL;

  sign_in_online_once ();
  crm_test_live_stop (live);
  desktop = desktop_new ();

  /* Sign In finds no server, tries the copy, and the password is wrong */
  fill (desktop, "manager", "not-the-password");
  activate_and_wait (desktop, "sign-in.sign-in");
  g_assert_cmpstr (crm_sign_in_page_get_message (desktop->page), ==,
                   "The password is not the one you last signed in with on this computer.");
  g_assert_cmpstr (crm_window_get_page (desktop->window), ==, "sign-in");
  g_assert_cmpint (crm_context_get_state (desktop->context), ==, CRM_SESSION_SIGNED_OUT);
}

static void
test_no_local_copy_says_sign_in_online_first (void)
{
  g_autoptr(Desktop) desktop = NULL;

  crm_test_live_stop (live);
  desktop = desktop_new ();
  fill (desktop, "director", CRM_TEST_LIVE_PASSWORD);
  activate_and_wait (desktop, "sign-in.open-offline");
  g_assert_nonnull (strstr (crm_sign_in_page_get_message (desktop->page),
                            "Sign in once while the server can be reached"));
  g_assert_cmpint (crm_context_get_state (desktop->context), ==, CRM_SESSION_SIGNED_OUT);

  /* Sign In without a server and without a copy: the usual message */
  activate_and_wait (desktop, "sign-in.sign-in");
  g_assert_true (g_str_has_prefix (crm_sign_in_page_get_message (desktop->page), "Cannot reach the server"));
}

static gboolean
signed_out (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_OUT;
}

static gboolean
engine_settled (gpointer context)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (context);

  return engine != NULL && crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING &&
         crm_store_count_unsent_changes (crm_context_get_store (context), NULL) == 0;
}

/* The bar that says the server cannot be reached, as drawn. */
static gboolean
offline_bar_shown (gpointer window)
{
  g_autofree char *text = crm_test_dup_visible_text (window);

  return strstr (text, "Cannot reach the server. Your changes are kept here") != NULL;
}

static gboolean
offline_bar_gone (gpointer window)
{
  return !offline_bar_shown (window);
}

static void
test_right_password_opens_the_copy_and_changes_go_later (void)
{
  g_autoptr(Desktop) desktop = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmCustomerItem) item = NULL;
  g_autofree char *id = NULL;
  g_autofree char *on_server = NULL;
  CrmCustomersPage *customers;
  CrmCustomerModel *model;

  sign_in_online_once ();
  crm_test_live_stop (live);
  desktop = desktop_new ();

  fill (desktop, "manager", CRM_TEST_LIVE_PASSWORD);
  activate_and_wait (desktop, "sign-in.sign-in");
  g_assert_cmpstr (crm_sign_in_page_get_message (desktop->page), ==, "");
  crm_test_wait_for (shows_main, desktop->window);

  /* the local customers, offline */
  g_assert_true (crm_context_get_offline (desktop->context));
  g_assert_true (crm_context_get_local_only (desktop->context));
  customers = crm_window_get_customers_page (desktop->window);
  crm_test_wait_for (page_listed, customers);
  model = crm_customers_page_get_model (customers);
  g_assert_cmpuint (crm_customer_model_get_total (model), ==, online_customers);
  {
    g_autofree char *text = crm_test_dup_visible_text (desktop->window);

    g_assert_nonnull (strstr (text, "Offline"));
  }
  crm_test_wait_for (offline_bar_shown, desktop->window);

  /* an edit made offline waits in the queue */
  item = g_list_model_get_item (G_LIST_MODEL (model), 0);
  id = g_strdup (crm_customer_item_get_id (item));
  json_object_set_string_member (fields, "phone", "0571-88889999");
  m = crm_store_enqueue_update (crm_context_get_store (desktop->context), CRM_ENTITY_CUSTOMER, id, fields, &error);
  g_assert_no_error (error);

  /* the server is back: without a token the user is asked to sign in,
   * and the queue is kept */
  crm_test_live_start (live);
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (signed_out, desktop->context);
  crm_test_wait_for (shows_sign_in, desktop->window);
  g_assert_cmpstr (crm_sign_in_page_get_login (desktop->page), ==, "manager");

  fill (desktop, "manager", CRM_TEST_LIVE_PASSWORD);
  activate_and_wait (desktop, "sign-in.sign-in");
  crm_test_wait_for (shows_main, desktop->window);
  g_assert_false (crm_context_get_offline (desktop->context));
  crm_test_wait_for (engine_settled, desktop->context);
  /* online again: the bar went with the state, and the session's toast
   * came and went without upsetting libadwaita 1.2 */
  crm_test_wait_for (offline_bar_gone, desktop->window);
  on_server = crm_test_live_scalar (live, "SELECT phone FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (on_server, ==, "0571-88889999");
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* accessibility on, whatever the environment says */
  g_unsetenv ("GTK_A11Y");
  data_home = g_dir_make_tmp ("keyline-offline-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_auth_init (NULL);

  if (!crm_test_live_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      remove_tree (data_home);
      return g_test_run ();
    }
  live = crm_test_live_new (120);

  g_test_add_func ("/client/offline/sign-in-keeps-a-verifier-without-the-password",
                   test_sign_in_keeps_a_verifier_without_the_password);
  g_test_add_func ("/client/offline/wrong-password-offline-is-refused-inline",
                   test_wrong_password_offline_is_refused_inline);
  g_test_add_func ("/client/offline/no-local-copy-says-sign-in-online-first",
                   test_no_local_copy_says_sign_in_online_first);
  g_test_add_func ("/client/offline/right-password-opens-the-copy-and-changes-go-later",
                   test_right_password_opens_the_copy_and_changes_go_later);

  status = g_test_run ();

  crm_test_live_free (live);
  remove_tree (data_home);
  g_free (data_home);
  return status;
}
