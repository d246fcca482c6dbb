/* The customer editor as a user meets it, with accessibility on: the
 * desktop client signed in to the real server (in-process on port 0, over
 * a throwaway PostgreSQL seeded with `keyline-server seed`), a customer
 * opened from the list, Edit pressed, a field changed, saved, and the
 * server's row read back.  Also: masked personal data is never sent back,
 * and Escape asks before it drops changes. */
#define G_LOG_DOMAIN "test-gui-editor"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "crm-auth.h"
#include "crm-config.h"
#include "crm-customer-detail.h"
#include "crm-customers-page.h"
#include "crm-migrate.h"
#include "crm-server.h"
#include "crm-test-a11y.h"
#include "crm-test-pg.h"
#include "crm-test-store.h"
#include "crm-window.h"

#define PASSWORD "keyline"

static CrmServer *server;
static char *conninfo;
static char *server_url;
static char *data_home;

/* One row of the database, as an administrator (RLS is forced even for
 * the owner); NULL for SQL null or no row. */
static char *
scalar (const char *sql,
        const char *param)
{
  g_autoptr(PGconn) conn = crm_test_pg_connect_as_admin (conninfo);
  const char *params[1] = { param };
  g_autoptr(PGresult) res = PQexecParams (conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);

  g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
  return PQntuples (res) > 0 && !PQgetisnull (res, 0, 0) ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

static void
wait_for (gboolean (*condition) (gpointer),
          gpointer   data)
{
  gint64 until = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;

  while (!condition (data) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_true (condition (data));
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
idle_with_empty_queue (gpointer engine)
{
  return crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING &&
         crm_sync_engine_get_pending (engine) == 0;
}

/* The list shows, and the model has taken in every row the sync brought:
 * the list shows once a first sync's customers are in, before the sync
 * ends, and the rows of what came after are read in batches. */
static gboolean
page_listed (gpointer page)
{
  CrmCustomerModel *model = crm_customers_page_get_model (page);

  return g_strcmp0 (crm_customers_page_get_state (page), "list") == 0 &&
         model != NULL && !crm_customer_model_is_busy (model);
}

/* The desktop client as tools/demo starts it (KEYLINE_TOKEN), signed in
 * as the account manager "manager", its window on screen. */
typedef struct
{
  CrmContext        *context;
  CrmWindow         *window;
  CrmCustomersPage  *page;
  CrmCustomerDetail *detail;
  CrmCustomerEditor *editor;
} Fixture;

static char *
sign_in (const char *login)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CrmApi) api = crm_api_new (server_url, &error);
  char *token;

  g_assert_no_error (error);
  crm_api_sign_in_async (api, login, PASSWORD, NULL, done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  token = crm_api_sign_in_finish (api, result, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  return token;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = sign_in ("manager");

  f->context = crm_context_new (settings);
  crm_context_set_sync_interval (f->context, 0);
  f->window = g_object_ref_sink (crm_window_new (NULL, f->context));
  gtk_window_present (GTK_WINDOW (f->window));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", server_url, TRUE);
  crm_context_restore_async (f->context, NULL, NULL, NULL);
  wait_for (signed_in, f->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");
  wait_for (idle_with_empty_queue, crm_context_get_sync_engine (f->context));

  f->page = crm_window_get_customers_page (f->window);
  wait_for (page_listed, f->page);
  f->detail = CRM_CUSTOMER_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (f->page), CRM_TYPE_CUSTOMERS_PAGE,
                                                                  "detail"));
  f->editor = crm_customer_detail_get_editor (f->detail);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  /* Signing out deletes the local copy. */
  crm_context_sign_out_async (f->context, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (f->window));
  crm_test_iterate (50);
  g_assert_finalize_object (f->window);
  g_clear_object (&f->context);
}

static gboolean
editing (gpointer detail)
{
  return crm_customer_detail_get_editing (detail);
}

static gboolean
not_editing (gpointer detail)
{
  return !crm_customer_detail_get_editing (detail);
}

/* A button activated as with the keyboard: it shows itself pressed for a
 * moment, then clicks. */
static void
press (GtkWidget *button,
       gboolean (*until) (gpointer),
       gpointer   data)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
  wait_for (until, data);
}

static gboolean
address_masked (gpointer editor)
{
  return crm_customer_editor_get_masked (editor, NULL, "address");
}

static gboolean
address_replacing (gpointer editor)
{
  return !crm_customer_editor_get_masked (editor, NULL, "address");
}

static gboolean
no_dialog (gpointer unused)
{
  return crm_test_find_message_dialog () == NULL;
}

static GtkWidget *
detail_child (Fixture    *f,
              const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (f->detail), CRM_TYPE_CUSTOMER_DETAIL, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

/* One of the manager's customers that has a phone, an address and a
 * contact with a mobile (the seed gives most of them all three). */
static char *
masked_customer (void)
{
  char *id = scalar ("SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                     " WHERE u.login = 'manager' AND c.phone IS NOT NULL AND c.address IS NOT NULL"
                     " AND EXISTS (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id AND k.mobile IS NOT NULL)"
                     " ORDER BY c.id LIMIT 1", NULL);

  g_assert_nonnull (id);
  return id;
}

/* Opens @id from the list, then presses Edit as a user does: the button
 * in the detail's header, which is what Ctrl+E (customer.edit) does too. */
static void
open_editor (Fixture    *f,
             const char *id)
{
  GtkWidget *edit_button = detail_child (f, "edit_button");

  g_assert_true (crm_customers_page_open_customer (f->page, id));
  crm_test_wait_drawn (f->window);
  press (edit_button, editing, f->detail);
  crm_test_wait_drawn (f->window);
}

/* Presses Save, as a user does, and waits until the engine has pushed the
 * change and pulled the server's answer. */
static void
save (Fixture *f)
{
  GtkWidget *save_button = detail_child (f, "save_button");

  press (save_button, not_editing, f->detail);
  crm_test_iterate (50);
  wait_for (idle_with_empty_queue, crm_context_get_sync_engine (f->context));
}

/* The fields the server's audit log says the last update of @id changed. */
static char *
last_audited_fields (const char *id)
{
  return scalar ("SELECT detail->>'fields' FROM crm.audit_log WHERE entity = 'customer' AND entity_id = $1"
                 " AND action = 'update' ORDER BY at DESC LIMIT 1", id);
}

/* Where a shortcut controller of @widget sends @trigger, or NULL. */
static char *
shortcut_action (GtkWidget  *widget,
                 const char *trigger)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_str_equal (text, trigger))
            return gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));
        }
    }
  return NULL;
}

static void
test_accessibility_is_on (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  const char *a11y = g_getenv ("GTK_A11Y");

  /* Nothing turns GTK's AT-SPI off... */
  g_assert_true (a11y == NULL || g_str_equal (a11y, "atspi"));

  /* ...the session bus has an accessibility bus, as a desktop does... */
  address = crm_test_a11y_bus_address (&error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  g_assert_cmpstr (address, !=, "");

  /* ...and this program, its window shown, is registered on it. */
  crm_test_wait_drawn (f->window);
  g_assert_true (crm_test_a11y_wait_registered (g_get_application_name (), &error));
  g_assert_no_error (error);
}

static void
test_edit_button_opens_the_editor_and_save_reaches_the_server (Fixture       *f,
                                                              gconstpointer  data)
{
  g_autofree char *id = masked_customer ();
  g_autofree char *version = scalar ("SELECT version FROM crm.customers WHERE id = $1", id);
  g_autofree char *edit_shortcut = shortcut_action (GTK_WIDGET (f->detail), "<Control>e");
  g_autofree char *on_server = NULL;
  g_autofree char *new_version = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *text = NULL;
  GtkWidget *name;

  /* Ctrl+E is the Edit button's action. */
  g_assert_cmpstr (edit_shortcut, ==, "action(customer.edit)");
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (detail_child (f, "edit_button"))), ==,
                   "customer.edit");

  /* The form, drawn, with the customer's name in the first field, focused. */
  open_editor (f, id);
  name = crm_customer_editor_get_field_row (f->editor, NULL, "name");
  g_assert_true (ADW_IS_ENTRY_ROW (name));
  g_assert_true (gtk_widget_get_mapped (name));
  g_assert_true (gtk_widget_is_focus (name) || gtk_widget_has_focus (gtk_root_get_focus (gtk_widget_get_root (name))));
  text = scalar ("SELECT name FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name)), ==, text);

  gtk_editable_set_text (GTK_EDITABLE (name), "编辑器测试客户");
  save (f);

  on_server = scalar ("SELECT name FROM crm.customers WHERE id = $1", id);
  new_version = scalar ("SELECT version FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (on_server, ==, "编辑器测试客户");
  g_assert_cmpint (atoi (new_version), ==, atoi (version) + 1);
  fields = last_audited_fields (id);
  g_assert_cmpstr (fields, ==, "[\"name\"]");
  g_assert_cmpstr (crm_customer_detail_get_value (f->detail, "name"), ==, "编辑器测试客户");
}

static void
test_masked_values_are_read_only_and_never_sent (Fixture       *f,
                                                 gconstpointer  data)
{
  g_autofree char *id = masked_customer ();
  g_autofree char *phone = scalar ("SELECT phone FROM crm.customers WHERE id = $1", id);
  g_autofree char *address = scalar ("SELECT address FROM crm.customers WHERE id = $1", id);
  g_autofree char *fields = NULL;
  g_autofree char *text = NULL;
  g_autofree char *phone_after = NULL;
  g_autofree char *address_after = NULL;
  g_autofree char *masked_address = NULL;
  CrmCustomer *customer;
  CrmContact *contact = NULL;
  GtkWidget *row, *replace, *entry, *keep;

  open_editor (f, id);
  customer = crm_customer_editor_get_customer (f->editor);
  for (guint i = 0; contact == NULL && i < customer->contacts->len; i++)
    if (((CrmContact *) customer->contacts->pdata[i])->mobile != NULL)
      contact = customer->contacts->pdata[i];
  g_assert_nonnull (contact);
  /* the account manager receives their own customer's phone and contacts'
   * mobile numbers in full; the address stays masked */
  g_assert_nonnull (strchr (customer->address, '*'));
  g_assert_cmpstr (customer->phone, ==, phone);
  g_assert_null (strchr (contact->mobile, '*'));
  masked_address = g_strdup (customer->address);

  /* The address shows masked and read-only: no field anywhere holds the
   * asterisks.  The phone and the mobile number are fields like any. */
  text = crm_test_dup_visible_text (f->editor);
  g_assert_nonnull (strstr (text, customer->address));
  g_assert_true (crm_customer_editor_get_masked (f->editor, NULL, "address"));
  g_assert_false (crm_customer_editor_get_masked (f->editor, NULL, "phone"));
  g_assert_false (crm_customer_editor_get_masked (f->editor, contact->id, "mobile"));
  g_assert_false (crm_customer_editor_get_masked (f->editor, NULL, "name"));
  g_assert_true (GTK_IS_EDITABLE (crm_customer_editor_get_field_row (f->editor, NULL, "phone")));
  row = crm_customer_editor_get_field_row (f->editor, NULL, "address");
  g_assert_true (ADW_IS_ACTION_ROW (row));
  g_assert_false (GTK_IS_EDITABLE (row));
  g_assert_true (gtk_widget_get_mapped (row));

  /* Another change saves that field only: the masked one stays as it is
   * on the server. */
  gtk_editable_set_text (GTK_EDITABLE (crm_customer_editor_get_field_row (f->editor, NULL, "name_en")),
                         "Masked Test Ltd");
  save (f);
  fields = last_audited_fields (id);
  g_assert_cmpstr (fields, ==, "[\"name_en\"]");
  phone_after = scalar ("SELECT phone FROM crm.customers WHERE id = $1", id);
  address_after = scalar ("SELECT address FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (phone_after, ==, phone);
  g_assert_cmpstr (address_after, ==, address);
  g_clear_pointer (&fields, g_free);
  g_clear_pointer (&address_after, g_free);

  /* Replace… starts from an empty field; left empty, nothing changes. */
  open_editor (f, id);
  row = crm_customer_editor_get_field_row (f->editor, NULL, "address");
  replace = crm_test_find_button (row, "_Replace…");
  g_assert_nonnull (replace);
  press (replace, address_replacing, f->editor);
  entry = crm_customer_editor_get_field_row (f->editor, NULL, "address");
  g_assert_true (ADW_IS_ENTRY_ROW (entry));
  crm_test_wait_drawn (f->window);
  g_assert_true (gtk_widget_get_mapped (entry));
  g_assert_false (gtk_widget_get_mapped (row));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  g_assert_false (crm_customer_editor_get_changed (f->editor));
  g_assert_false (gtk_widget_is_sensitive (detail_child (f, "save_button")));

  /* The mask typed back is refused. */
  gtk_editable_set_text (GTK_EDITABLE (entry), masked_address);
  g_assert_false (crm_customer_editor_get_valid (f->editor));
  g_assert_cmpstr (crm_customer_editor_get_field_message (f->editor, NULL, "address"), ==,
                   "Enter the whole value: * stands for hidden characters");
  g_assert_false (gtk_widget_is_sensitive (detail_child (f, "save_button")));

  /* Keep puts the masked row back, with nothing changed. */
  keep = crm_test_find_button (entry, "Keep the current value");
  g_assert_nonnull (keep);
  press (keep, address_masked, f->editor);
  g_assert_true (crm_customer_editor_get_valid (f->editor));
  g_assert_false (crm_customer_editor_get_changed (f->editor));

  /* A whole new address is checked and saved like any field. */
  press (replace, address_replacing, f->editor);
  entry = crm_customer_editor_get_field_row (f->editor, NULL, "address");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  gtk_editable_set_text (GTK_EDITABLE (entry), "上海市浦东新区世纪大道1号");
  g_assert_null (crm_customer_editor_get_field_message (f->editor, NULL, "address"));
  save (f);
  fields = last_audited_fields (id);
  g_assert_cmpstr (fields, ==, "[\"address\"]");
  address_after = scalar ("SELECT address FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (address_after, ==, "上海市浦东新区世纪大道1号");
  g_clear_pointer (&phone_after, g_free);
  phone_after = scalar ("SELECT phone FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (phone_after, ==, phone);
}

static void
test_escape_asks_before_discarding_changes (Fixture       *f,
                                            gconstpointer  data)
{
  g_autofree char *id = masked_customer ();
  g_autofree char *name = scalar ("SELECT name FROM crm.customers WHERE id = $1", id);
  g_autofree char *version = scalar ("SELECT version FROM crm.customers WHERE id = $1", id);
  g_autofree char *escape = shortcut_action (GTK_WIDGET (f->detail), "Escape");
  g_autofree char *on_server = NULL;
  g_autofree char *new_version = NULL;
  GtkWidget *dialog, *row;

  g_assert_cmpstr (escape, ==, "action(customer.escape)");

  /* Without changes, Escape just closes the editor. */
  open_editor (f, id);
  gtk_widget_activate_action (GTK_WIDGET (f->detail), "customer.escape", NULL);
  g_assert_false (crm_customer_detail_get_editing (f->detail));
  crm_test_iterate (50);
  g_assert_null (crm_test_find_message_dialog ());

  /* With a change, it asks; Cancel (the default) keeps editing, with
   * what was typed. */
  open_editor (f, id);
  row = crm_customer_editor_get_field_row (f->editor, NULL, "name");
  gtk_editable_set_text (GTK_EDITABLE (row), "不要保存的名字");
  gtk_widget_activate_action (GTK_WIDGET (f->detail), "customer.escape", NULL);
  crm_test_iterate (50);
  dialog = crm_test_find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Discard changes?");
  g_assert_cmpstr (adw_message_dialog_get_default_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (ADW_MESSAGE_DIALOG (dialog)), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_response_label (ADW_MESSAGE_DIALOG (dialog), "cancel"), ==, "_Cancel");
  g_assert_cmpstr (adw_message_dialog_get_response_label (ADW_MESSAGE_DIALOG (dialog), "discard"), ==, "_Discard");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  g_assert_true (crm_customer_detail_get_editing (f->detail));
  press (crm_test_find_button (dialog, "_Cancel"), no_dialog, NULL);
  g_assert_true (crm_customer_detail_get_editing (f->detail));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "不要保存的名字");

  /* Discard drops the change: nothing queued, nothing sent. */
  gtk_widget_activate_action (GTK_WIDGET (f->detail), "customer.escape", NULL);
  crm_test_iterate (50);
  dialog = crm_test_find_message_dialog ();
  g_assert_nonnull (dialog);
  press (crm_test_find_button (dialog, "_Discard"), no_dialog, NULL);
  g_assert_false (crm_customer_detail_get_editing (f->detail));
  g_assert_cmpuint (crm_sync_engine_get_pending (crm_context_get_sync_engine (f->context)), ==, 0);
  g_assert_cmpstr (crm_customer_detail_get_value (f->detail, "name"), ==, name);
  wait_for (idle_with_empty_queue, crm_context_get_sync_engine (f->context));
  on_server = scalar ("SELECT name FROM crm.customers WHERE id = $1", id);
  new_version = scalar ("SELECT version FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (on_server, ==, name);
  g_assert_cmpstr (new_version, ==, version);
}

static void
remove_data_home (void)
{
  g_autofree char *keyline = g_build_filename (data_home, "keyline", NULL);
  g_autoptr(GDir) servers = g_dir_open (keyline, 0, NULL);
  const char *name;

  while (servers != NULL && (name = g_dir_read_name (servers)) != NULL)
    {
      g_autofree char *sub = g_build_filename (keyline, name, NULL);

      g_rmdir (sub);
    }
  g_rmdir (keyline);
  g_rmdir (data_home);
}

static void
start_server (const char *binary)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmConfig) config = crm_config_new ();
  const char *argv_seed[] = { binary, "--database", NULL, "seed", "--customers", "60", "--seed", "7", NULL };
  int seed_status = -1;

  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  argv_seed[2] = conninfo;
  g_spawn_sync (NULL, (char **) argv_seed, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &seed_status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (seed_status, NULL));

  g_free (config->database);
  config->database = g_strdup (conninfo);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->threads = 1;
  server = crm_server_start (config, &error);
  g_assert_no_error (error);
  server_url = g_strdup_printf ("http://127.0.0.1:%u", crm_server_get_port (server));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *binary = g_getenv ("KEYLINE_SERVER");
  int status;

  data_home = g_dir_make_tmp ("keyline-editor-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_auth_init (NULL);

  if (!crm_test_pg_available () || binary == NULL)
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      g_rmdir (data_home);
      return g_test_run ();
    }
  start_server (binary);

  g_test_add ("/client/editor/accessibility-is-on-as-on-a-desktop", Fixture, NULL,
              fixture_set_up, test_accessibility_is_on, fixture_tear_down);
  g_test_add ("/client/editor/edit-button-opens-the-editor-and-save-reaches-the-server", Fixture, NULL,
              fixture_set_up, test_edit_button_opens_the_editor_and_save_reaches_the_server, fixture_tear_down);
  g_test_add ("/client/editor/masked-values-are-read-only-and-never-sent", Fixture, NULL,
              fixture_set_up, test_masked_values_are_read_only_and_never_sent, fixture_tear_down);
  g_test_add ("/client/editor/escape-asks-before-discarding-changes", Fixture, NULL,
              fixture_set_up, test_escape_asks_before_discarding_changes, fixture_tear_down);

  status = g_test_run ();

  crm_server_stop (server);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  g_free (server_url);
  remove_data_home ();
  g_free (data_home);
  return status;
}
