/* Unsent changes against the real server (in-process, over a throwaway
 * PostgreSQL): the header bar's count and the list it opens, the mark on
 * customer rows, both following the queue as edits are made and sent; and
 * the warning when signing out with changes the server has not confirmed.
 * Runs with accessibility on. */
#define G_LOG_DOMAIN "test-gui-pending"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-auth.h"
#include "crm-customer-detail.h"
#include "crm-customers-page.h"
#include "crm-pending-popover.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
engine_idle (gpointer engine)
{
  return crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING;
}

static gboolean
page_listed (gpointer page)
{
  const char *state = crm_customers_page_get_state (page);
  CrmCustomerModel *model = crm_customers_page_get_model (page);

  /* and every row the first sync brought applied: the model reads large
   * batches in a worker, and rows still arriving would move the ones a
   * test picked out of sight */
  return (g_strcmp0 (state, "list") == 0 || g_strcmp0 (state, "no-results") == 0) &&
         model != NULL && !crm_customer_model_is_busy (model);
}

/* The client as tools/demo starts it (KEYLINE_TOKEN), with its window;
 * no timer of its own: syncs happen when the test says so. */
typedef struct
{
  CrmContext *context;
  CrmWindow  *window;
} Desktop;

static Desktop *
desktop_new (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "manager", &token);
  Desktop *self = g_new0 (Desktop, 1);

  self->context = crm_context_new (settings);
  crm_context_set_sync_interval (self->context, 0);
  self->window = g_object_ref_sink (crm_window_new (NULL, self->context));
  gtk_window_present (GTK_WINDOW (self->window));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", crm_test_live_get_url (live), TRUE);
  crm_context_restore_async (self->context, NULL, NULL, NULL);
  crm_test_wait_for (signed_in, self->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");

  crm_test_wait_for (engine_idle, crm_context_get_sync_engine (self->context));
  crm_test_wait_for (page_listed, crm_window_get_customers_page (self->window));
  return self;
}

static void
desktop_free (Desktop *self)
{
  if (crm_context_get_state (self->context) == CRM_SESSION_SIGNED_IN)
    crm_context_sign_out_async (self->context, NULL, NULL, NULL);
  /* A tooltip GTK 4.8 is about to show (500 ms after the pointer came to
   * rest on a row) would look for the pointer on the destroyed window
   * (a Gdk-CRITICAL in gdk_surface_get_device_position): let it show. */
  crm_test_iterate (600);
  gtk_window_destroy (GTK_WINDOW (self->window));
  crm_test_iterate (50);
  g_assert_finalize_object (self->window);
  g_clear_object (&self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desktop, desktop_free)

static CrmStore *
store_of (Desktop *desktop)
{
  return crm_context_get_store (desktop->context);
}

/* The customer shown in row @row of the list. */
static char *
customer_at (Desktop *desktop,
             guint    row)
{
  CrmCustomerModel *model = crm_customers_page_get_model (crm_window_get_customers_page (desktop->window));
  g_autoptr(CrmCustomerItem) item = g_list_model_get_item (G_LIST_MODEL (model), row);

  g_assert_nonnull (item);
  return g_strdup (crm_customer_item_get_id (item));
}

static CrmMutation *
enqueue (Desktop    *desktop,
         CrmEntity   entity,
         const char *id,
         const char *field,
         const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  CrmMutation *m;

  json_object_set_string_member (fields, field, value);
  m = crm_store_enqueue_update (store_of (desktop), entity, id, fields, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static void
sync_and_wait (Desktop *desktop)
{
  g_autoptr(GAsyncResult) result = NULL;
  CrmSyncEngine *engine = crm_context_get_sync_engine (desktop->context);

  crm_sync_engine_sync_async (engine, NULL, crm_test_done_cb, &result);
  crm_sync_engine_sync_finish (engine, crm_test_wait_result (&result), NULL);
  crm_test_iterate (100);
}

static const char *
button_label (Desktop *desktop)
{
  GtkLabel *label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (desktop->window), CRM_TYPE_WINDOW,
                                                              "pending_label"));

  return gtk_label_get_label (label);
}

/* The rows of the list of unsent changes. */
static GPtrArray *
pending_rows (Desktop *desktop)
{
  GtkListBox *list = crm_pending_popover_get_list (crm_window_get_pending_popover (desktop->window));
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ADW_IS_ACTION_ROW (child))
      g_ptr_array_add (rows, child);
  return rows;
}

/* Every drawn mark on a customer row: the names of the customers marked. */
static void
collect_marks (GtkWidget *widget,
               GPtrArray *names)
{
  if (GTK_IS_IMAGE (widget) && g_strcmp0 (gtk_widget_get_name (widget), "unsent-mark") == 0 &&
      gtk_widget_get_mapped (widget))
    {
      GtkWidget *label = gtk_widget_get_first_child (gtk_widget_get_parent (widget));

      g_assert_cmpstr (gtk_widget_get_tooltip_text (widget), ==, "Has changes not yet on the server");
      g_ptr_array_add (names, g_strdup (gtk_inscription_get_text (GTK_INSCRIPTION (label))));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_marks (child, names);
}

/* The names of the customer rows the list has drawn, top to bottom: the
 * name cell is an inscription and the (maybe hidden) mark. */
static void
collect_drawn_names (GtkWidget *widget,
                     GPtrArray *names)
{
  if (GTK_IS_IMAGE (widget) && g_strcmp0 (gtk_widget_get_name (widget), "unsent-mark") == 0 &&
      gtk_widget_get_mapped (gtk_widget_get_parent (widget)))
    {
      GtkWidget *label = gtk_widget_get_first_child (gtk_widget_get_parent (widget));

      g_ptr_array_add (names, g_strdup (gtk_inscription_get_text (GTK_INSCRIPTION (label))));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_drawn_names (child, names);
}

/* The id of a customer whose row the list shows now (the @n-th drawn), so
 * that its mark can be seen. */
static char *
drawn_customer (Desktop *desktop,
                guint    n)
{
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);
  CrmCustomerModel *model = crm_customers_page_get_model (page);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  crm_test_wait_drawn (desktop->window);
  collect_drawn_names (GTK_WIDGET (page), names);
  g_assert_cmpuint (names->len, >, n);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
    {
      g_autoptr(CrmCustomerItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      if (g_strcmp0 (crm_customer_item_get_name (item), names->pdata[n]) == 0)
        return g_strdup (crm_customer_item_get_id (item));
    }
  g_assert_not_reached ();
  return NULL;
}

static gboolean
model_idle (gpointer model)
{
  return !crm_customer_model_is_busy (model);
}

typedef struct
{
  Desktop *desktop;
  guint    expected;
} Marks;

static gboolean
marks_drawn (gpointer data)
{
  Marks *marks = data;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  collect_marks (GTK_WIDGET (crm_window_get_customers_page (marks->desktop->window)), names);
  return names->len == marks->expected;
}

/* The customers whose rows carry the mark, once the model has applied
 * every change it was told of (large batches are read in a worker) and
 * the list has drawn the @expected marks (rows are bound as they are
 * drawn). */
static GPtrArray *
marked_rows (Desktop *desktop,
             guint    expected)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  Marks marks = { desktop, expected };

  crm_test_wait_for (model_idle, crm_customers_page_get_model (crm_window_get_customers_page (desktop->window)));
  crm_test_wait_drawn (desktop->window);
  crm_test_wait_for (marks_drawn, &marks);
  collect_marks (GTK_WIDGET (crm_window_get_customers_page (desktop->window)), names);
  return names;
}

static gboolean
contains (GPtrArray  *names,
          const char *name)
{
  return g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL);
}

static char *
local_name (Desktop    *desktop,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCustomer) customer = crm_store_get_customer (store_of (desktop), id, &error);

  g_assert_no_error (error);
  return g_strdup (customer->name);
}

static gboolean
button_shown (gpointer window)
{
  return gtk_widget_get_visible (crm_window_get_pending_button (window));
}

static void
test_count_and_list_follow_the_queue (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  GtkWidget *button = crm_window_get_pending_button (desktop->window);
  g_autofree char *first = drawn_customer (desktop, 0);
  g_autofree char *second = drawn_customer (desktop, 1);
  g_autofree char *first_name = local_name (desktop, first);
  g_autofree char *second_name = local_name (desktop, second);
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(CrmMutation) b = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) marks = NULL;
  g_autofree char *on_server = NULL;

  /* nothing queued: no button, no mark */
  crm_test_iterate (50);
  g_assert_false (gtk_widget_get_visible (button));
  marks = marked_rows (desktop, 0);
  g_assert_cmpuint (marks->len, ==, 0);
  g_clear_pointer (&marks, g_ptr_array_unref);

  a = enqueue (desktop, CRM_ENTITY_CUSTOMER, first, "address", "待发送的地址");
  b = enqueue (desktop, CRM_ENTITY_CUSTOMER, second, "phone", "021-66668888");
  crm_test_wait_for (button_shown, desktop->window);

  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (button_label (desktop), ==, "2 unsent changes");

  /* the list: who, which fields, state */
  rows = pending_rows (desktop);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[0]), ==, first_name);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (rows->pdata[0]), "Address · "));
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[1]), ==, second_name);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (rows->pdata[1]), "Phone · "));
  {
    g_autofree char *text = crm_test_dup_visible_text (crm_window_get_pending_popover (desktop->window));

    /* not drawn while closed; open it and look */
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
    crm_test_wait_drawn (crm_window_get_pending_popover (desktop->window));
    g_free (text);
    text = crm_test_dup_visible_text (crm_window_get_pending_popover (desktop->window));
    g_assert_nonnull (strstr (text, "Waiting to be sent"));
    g_assert_nonnull (strstr (text, "Unsent Changes"));
  }

  /* the rows of both customers carry the mark */
  marks = marked_rows (desktop, 2);
  g_assert_true (contains (marks, first_name));
  g_assert_true (contains (marks, second_name));
  g_assert_cmpuint (marks->len, ==, 2);
  g_clear_pointer (&marks, g_ptr_array_unref);

  /* sent and confirmed: all gone */
  sync_and_wait (desktop);
  on_server = crm_test_live_scalar (live, "SELECT address FROM crm.customers WHERE id = $1", first);
  g_assert_cmpstr (on_server, ==, "待发送的地址");
  g_assert_false (gtk_widget_get_visible (button));
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = pending_rows (desktop);
  g_assert_cmpuint (rows->len, ==, 0);
  marks = marked_rows (desktop, 0);
  g_assert_cmpuint (marks->len, ==, 0);
}

/* The widget under @widget whose tooltip is @text, or NULL. */
static GtkWidget *
find_tooltip (GtkWidget  *widget,
              const char *text)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_tooltip (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A change the server refused says why in the user's words, naming the
 * field by its label (the server's own words name its wire name). */
static void
test_refused_change_names_the_field (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  GtkWidget *button = crm_window_get_pending_button (desktop->window);
  GtkWidget *popover = GTK_WIDGET (crm_window_get_pending_popover (desktop->window));
  g_autofree char *first = drawn_customer (desktop, 0);
  g_autofree char *reason = crm_mutation_format_refusal ("invalid", "address",
                                                         "This value cannot be used for this record");
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(GError) error = NULL;

  a = enqueue (desktop, CRM_ENTITY_CUSTOMER, first, "address", "被拒绝的地址");
  crm_test_wait_for (button_shown, desktop->window);
  g_assert_true (crm_store_mutation_failed (store_of (desktop), a->seq, reason, &error));
  g_assert_no_error (error);

  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  crm_test_wait_drawn (popover);
  crm_test_iterate (20);
  g_assert_nonnull (find_tooltip (popover, "Address: This value cannot be used"));
  gtk_popover_popdown (GTK_POPOVER (popover));
}

/* A delete and a logged interaction are named by what they do, with their
 * customer; once sent, both are on the server and the list is empty. */
static void
test_deletes_and_interactions_are_named_by_what_they_do (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  GtkWidget *button = crm_window_get_pending_button (desktop->window);
  g_autofree char *contact = crm_test_live_scalar (live, "SELECT k.id FROM crm.contacts k JOIN crm.customers c"
                                                         " ON c.id = k.customer_id JOIN crm.users u"
                                                         " ON u.id = c.owner_id WHERE u.login = 'manager'"
                                                         " AND NOT k.is_primary ORDER BY k.id LIMIT 1", NULL);
  g_autofree char *contact_name = crm_test_live_scalar (live, "SELECT name FROM crm.contacts WHERE id = $1", contact);
  g_autofree char *customer = crm_test_live_scalar (live, "SELECT customer_id FROM crm.contacts WHERE id = $1",
                                                    contact);
  g_autofree char *customer_name = local_name (desktop, customer);
  g_autofree char *delete_title = g_strdup_printf ("Delete contact %s", contact_name);
  g_autofree char *customer_prefix = g_strdup_printf ("%s · ", customer_name);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) deleted = NULL;
  g_autoptr(CrmMutation) logged = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *on_server = NULL;
  g_autofree char *gone = NULL;

  /* an interaction alone (no customer view changes) is counted */
  json_object_set_string_member (fields, "customer_id", customer);
  json_object_set_string_member (fields, "kind", "visit");
  json_object_set_string_member (fields, "occurred_at", "2026-12-03T09:30:00+08:00");
  json_object_set_string_member (fields, "subject", "上门演示专线方案");
  json_object_set_string_member (fields, "outcome", "positive");
  logged = crm_store_enqueue_create (store_of (desktop), CRM_ENTITY_INTERACTION, NULL, fields, &error);
  g_assert_no_error (error);
  crm_test_wait_for (button_shown, desktop->window);
  g_assert_cmpstr (button_label (desktop), ==, "1 unsent change");
  deleted = crm_store_enqueue_delete (store_of (desktop), CRM_ENTITY_CONTACT, contact, &error);
  g_assert_no_error (error);
  crm_test_iterate (100);
  g_assert_cmpstr (button_label (desktop), ==, "2 unsent changes");

  rows = pending_rows (desktop);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[0]), ==, "Log visit: 上门演示专线方案");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (rows->pdata[0]), customer_prefix));
  g_assert_cmpstr (adw_preferences_row_get_title (rows->pdata[1]), ==, delete_title);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (rows->pdata[1]), customer_prefix));

  sync_and_wait (desktop);
  gone = crm_test_live_scalar (live, "SELECT id FROM crm.contacts WHERE id = $1", contact);
  g_assert_null (gone);
  on_server = crm_test_live_scalar (live, "SELECT subject FROM crm.interactions WHERE id = $1", logged->record_id);
  g_assert_cmpstr (on_server, ==, "上门演示专线方案");
  g_assert_false (gtk_widget_get_visible (button));
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = pending_rows (desktop);
  g_assert_cmpuint (rows->len, ==, 0);
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_conflict_is_listed_and_opens_the_resolution (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  GtkWidget *button = crm_window_get_pending_button (desktop->window);
  g_autofree char *id = customer_at (desktop, 2);
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *bumped = NULL;
  GVariant *target;   /* transfer none */
  GtkWidget *resolve;

  m = enqueue (desktop, CRM_ENTITY_CUSTOMER, id, "name", "本地改的名称");
  /* meanwhile someone else changes the same field on the server */
  bumped = crm_test_live_scalar (live, "UPDATE crm.customers SET name = name || '（他改）' WHERE id = $1 RETURNING version",
                                 id);
  g_assert_nonnull (bumped);
  sync_and_wait (desktop);

  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpstr (button_label (desktop), ==, "1 unsent change");
  rows = pending_rows (desktop);
  g_assert_cmpuint (rows->len, ==, 1);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  crm_test_wait_drawn (crm_window_get_pending_popover (desktop->window));
  {
    g_autofree char *text = crm_test_dup_visible_text (crm_window_get_pending_popover (desktop->window));

    g_assert_nonnull (strstr (text, "Changed elsewhere: not applied"));
  }

  /* the user's value is never dismissed from the list: it offers the
   * conflict dialog for this change instead */
  g_assert_null (find_named (rows->pdata[0], "dismiss"));
  resolve = find_named (rows->pdata[0], "resolve");
  g_assert_nonnull (resolve);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (resolve)), ==, "win.resolve-conflict");
  target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (resolve));
  g_assert_nonnull (target);
  g_assert_cmpint (g_variant_get_int64 (target), ==, m->seq);
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 1);
}

static void
test_detail_header_marks_unsent_changes (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);
  GtkWidget *detail = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "detail"));
  GtkWidget *mark = GTK_WIDGET (gtk_widget_get_template_child (detail, CRM_TYPE_CUSTOMER_DETAIL, "unsent_mark"));
  g_autofree char *id = customer_at (desktop, 6);
  g_autofree char *contact_id = NULL;
  g_autoptr(CrmCustomer) customer = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_customers_page_open_customer (page, id));
  crm_test_iterate (50);
  g_assert_false (gtk_widget_get_visible (mark));

  /* a change of one of its contacts marks the customer */
  customer = crm_store_get_customer (store_of (desktop), id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customer->contacts->len, >, 0);
  contact_id = g_strdup (((CrmContact *) customer->contacts->pdata[0])->id);
  m = enqueue (desktop, CRM_ENTITY_CONTACT, contact_id, "title", "采购总监");
  crm_test_iterate (50);
  g_assert_true (gtk_widget_get_visible (mark));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (mark), ==, "Has changes not yet on the server");

  sync_and_wait (desktop);
  g_assert_false (gtk_widget_get_visible (mark));
  crm_customers_page_show_list (page);
}

static void
test_sign_out_without_changes_asks_nothing (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(GAsyncResult) result = NULL;

  crm_window_confirm_sign_out_async (desktop->window, NULL, crm_test_done_cb, &result);
  g_assert_null (crm_window_get_sign_out_dialog (desktop->window));
  g_assert_true (crm_window_confirm_sign_out_finish (desktop->window, crm_test_wait_result (&result), NULL));
}

static gboolean
dialog_shown (gpointer window)
{
  return crm_window_get_sign_out_dialog (window) != NULL &&
         gtk_widget_get_mapped (GTK_WIDGET (crm_window_get_sign_out_dialog (window)));
}

static void
test_sign_out_with_changes_warns_and_cancel_keeps_them (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *id = customer_at (desktop, 3);
  g_autoptr(CrmMutation) m = enqueue (desktop, CRM_ENTITY_CUSTOMER, id, "phone", "010-12345678");
  AdwMessageDialog *dialog;

  crm_window_confirm_sign_out_async (desktop->window, NULL, crm_test_done_cb, &result);
  crm_test_wait_for (dialog_shown, desktop->window);
  dialog = crm_window_get_sign_out_dialog (desktop->window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "1 change has not been sent");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "every change the server has not confirmed"));
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "discard"), ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "send"), ==, "_Send and Sign Out");
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "discard"), ==, "Sign Out _Anyway");

  adw_message_dialog_response (dialog, "cancel");
  g_assert_false (crm_window_confirm_sign_out_finish (desktop->window, crm_test_wait_result (&result), NULL));
  g_assert_cmpint (crm_context_get_state (desktop->context), ==, CRM_SESSION_SIGNED_IN);
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 1);
}

static void
test_send_and_sign_out_empties_the_queue (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *id = customer_at (desktop, 4);
  g_autoptr(CrmMutation) m = enqueue (desktop, CRM_ENTITY_CUSTOMER, id, "phone", "010-87654321");
  g_autofree char *on_server = NULL;

  crm_window_confirm_sign_out_async (desktop->window, NULL, crm_test_done_cb, &result);
  crm_test_wait_for (dialog_shown, desktop->window);
  adw_message_dialog_response (crm_window_get_sign_out_dialog (desktop->window), "send");
  g_assert_true (crm_window_confirm_sign_out_finish (desktop->window, crm_test_wait_result (&result), NULL));

  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 0);
  on_server = crm_test_live_scalar (live, "SELECT phone FROM crm.customers WHERE id = $1", id);
  g_assert_cmpstr (on_server, ==, "010-87654321");
}

static void
test_send_and_sign_out_unreachable_says_what_is_left (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *id = customer_at (desktop, 5);
  g_autoptr(CrmMutation) m = enqueue (desktop, CRM_ENTITY_CUSTOMER, id, "phone", "010-55556666");
  AdwMessageDialog *dialog;

  crm_test_live_stop (live);
  crm_window_confirm_sign_out_async (desktop->window, NULL, crm_test_done_cb, &result);
  crm_test_wait_for (dialog_shown, desktop->window);
  adw_message_dialog_response (crm_window_get_sign_out_dialog (desktop->window), "send");

  /* the sync fails: asked again, saying what is left */
  crm_test_wait_for (dialog_shown, desktop->window);
  dialog = crm_window_get_sign_out_dialog (desktop->window);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "1 change is still not sent");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "kept on this computer"));
  g_assert_false (adw_message_dialog_has_response (dialog, "send"));
  adw_message_dialog_response (dialog, "cancel");
  g_assert_false (crm_window_confirm_sign_out_finish (desktop->window, crm_test_wait_result (&result), NULL));
  g_assert_cmpint (crm_context_get_state (desktop->context), ==, CRM_SESSION_SIGNED_IN);
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 1);

  /* marked sent by the failed attempt, it waits for the next one */
  gtk_menu_button_popup (GTK_MENU_BUTTON (crm_window_get_pending_button (desktop->window)));
  crm_test_wait_drawn (crm_window_get_pending_popover (desktop->window));
  {
    g_autofree char *text = crm_test_dup_visible_text (crm_window_get_pending_popover (desktop->window));

    g_assert_nonnull (strstr (text, "Waiting to be sent"));
    g_assert_null (strstr (text, "Sending"));
  }

  crm_test_live_start (live);
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
  data_home = g_dir_make_tmp ("keyline-pending-XXXXXX", &error);
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
  live = crm_test_live_new (200);

  g_test_add_func ("/client/pending/count-and-list-follow-the-queue", test_count_and_list_follow_the_queue);
  g_test_add_func ("/client/pending/refused-change-names-the-field", test_refused_change_names_the_field);
  g_test_add_func ("/client/pending/deletes-and-interactions-are-named-by-what-they-do",
                   test_deletes_and_interactions_are_named_by_what_they_do);
  g_test_add_func ("/client/pending/conflict-is-listed-and-opens-the-resolution",
                   test_conflict_is_listed_and_opens_the_resolution);
  g_test_add_func ("/client/pending/detail-header-marks-unsent-changes", test_detail_header_marks_unsent_changes);
  g_test_add_func ("/client/pending/sign-out-without-changes-asks-nothing", test_sign_out_without_changes_asks_nothing);
  g_test_add_func ("/client/pending/sign-out-with-changes-warns-and-cancel-keeps-them",
                   test_sign_out_with_changes_warns_and_cancel_keeps_them);
  g_test_add_func ("/client/pending/send-and-sign-out-empties-the-queue", test_send_and_sign_out_empties_the_queue);
  g_test_add_func ("/client/pending/send-and-sign-out-unreachable-says-what-is-left",
                   test_send_and_sign_out_unreachable_says_what_is_left);

  status = g_test_run ();

  crm_test_live_free (live);
  remove_tree (data_home);
  g_free (data_home);
  return status;
}
