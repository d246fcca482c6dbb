/* The Contacts section of the customer page, and a new customer from the
 * list, as users meet them with accessibility on: the desktop client
 * signed in to the real server (in-process, over a throwaway PostgreSQL
 * seeded by `keyline-server seed`).  Marketing sees personal data masked
 * and cannot reveal it; an account manager's Reveal shows the value and
 * the server's audit log records it; adding, editing, marking primary and
 * deleting contacts reach the server; a prospect made offline reaches it
 * after the server is back. */
#define G_LOG_DOMAIN "test-gui-contacts"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "crm-application.h"
#include "crm-auth.h"
#include "crm-contact-dialog.h"
#include "crm-customer-contacts.h"
#include "crm-customer-detail.h"
#include "crm-customer-dialog.h"
#include "crm-customers-page.h"
#include "crm-masked-value.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;
/* With KEYLINE_SHOT_DIR set, the tests save pictures of what they show
 * there (i9-<what>-<en|zh>.png), in the language of KEYLINE_SHOT_LANG
 * (a locale, e.g. zh_CN.UTF-8); the checks of words use the translation. */
static const char *shot_dir;
static const char *shot_lang = "en";

/* @widget as drawn, over the window's background, into shot_dir. */
static void
shoot (GtkWidget  *widget,
       const char *what)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (shot_dir == NULL)
    return;
  crm_test_wait_drawn (widget);
  crm_test_iterate (300);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.98, 0.98, 0.98, 1.0 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  name = g_strdup_printf ("i9-%s-%s.png", what, shot_lang);
  path = g_build_filename (shot_dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

typedef struct
{
  CrmContext          *context;
  CrmWindow           *window;
  CrmCustomersPage    *page;
  CrmCustomerDetail   *detail;
  CrmCustomerContacts *contacts;
} Desktop;

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
engine_settled (gpointer context)
{
  CrmSyncEngine *engine = crm_context_get_sync_engine (context);

  return engine != NULL && crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING &&
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

/* The client as tools/demo starts it (KEYLINE_TOKEN), signed in as
 * @login, synced, its window on screen. */
static Desktop *
desktop_new (const char *login)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, login, &token);
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
  crm_test_wait_for (engine_settled, self->context);
  self->page = crm_window_get_customers_page (self->window);
  crm_test_wait_for (page_listed, self->page);
  self->detail = CRM_CUSTOMER_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (self->page),
                                                                     CRM_TYPE_CUSTOMERS_PAGE, "detail"));
  self->contacts = CRM_CUSTOMER_CONTACTS (gtk_widget_get_template_child (GTK_WIDGET (self->detail),
                                                                         CRM_TYPE_CUSTOMER_DETAIL,
                                                                         "contacts_section"));
  return self;
}

static void
desktop_free (Desktop *self)
{
  crm_context_sign_out_async (self->context, NULL, NULL, NULL);
  /* a toast may still be hiding: let it (libadwaita 1.2, see test-gui-offline) */
  crm_test_iterate (400);
  gtk_window_destroy (GTK_WINDOW (self->window));
  crm_test_iterate (100);
  g_assert_finalize_object (self->window);
  g_clear_object (&self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desktop, desktop_free)

static void
open_customer (Desktop    *desktop,
               const char *id)
{
  g_assert_true (crm_customers_page_open_customer (desktop->page, id));
  crm_test_wait_drawn (desktop->window);
}

static CrmMaskedValue *
masked (Desktop    *desktop,
        const char *id,
        const char *field)
{
  GtkWidget *widget = crm_customer_contacts_get_masked (desktop->contacts, id, field);

  g_assert_nonnull (widget);
  return CRM_MASKED_VALUE (widget);
}

static gboolean
button_shown (GtkWidget  *widget,
              const char *label)
{
  GtkWidget *button = crm_test_find_button (widget, label);

  return button != NULL && gtk_widget_get_visible (button);
}

/* The section may rebuild its rows meanwhile (the store changed): the
 * value is looked up each time. */
static const char *watched_contact;

static gboolean
revealed_or_refused (gpointer desktop)
{
  CrmMaskedValue *value = CRM_MASKED_VALUE (crm_customer_contacts_get_masked (((Desktop *) desktop)->contacts,
                                                                              watched_contact, "id_number"));

  return !crm_masked_value_get_masked (value) || crm_masked_value_get_error (value) != NULL;
}

static gboolean
has_error (gpointer value)
{
  return crm_masked_value_get_error (value) != NULL;
}

/* A customer of the account manager `manager` with a phone and a
 * contact with a mobile number and an ID number (the @n-th). */
static char *
manager_customer (guint n)
{
  g_autofree char *offset = g_strdup_printf ("%u", n);
  char *id = crm_test_live_scalar (live,
                                   "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                   " WHERE u.login = 'manager' AND c.phone IS NOT NULL AND EXISTS"
                                   "  (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id"
                                   "     AND k.mobile IS NOT NULL AND k.id_number IS NOT NULL)"
                                   " ORDER BY c.id OFFSET $1::integer LIMIT 1", offset);

  g_assert_nonnull (id);
  return id;
}

/* Tests -------------------------------------------------------------------- */

/* Marketing reads a customer's phone and address masked and is offered
 * no Reveal; contacts it does not read at all.  Nothing is logged. */
static void
test_marketing_sees_masked_values_and_no_reveal (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("marketing");
  g_autofree char *id = manager_customer (0);
  g_autofree char *phone = crm_test_live_scalar (live, "SELECT phone FROM crm.customers WHERE id = $1", id);
  g_autofree char *reveals = NULL;
  g_autofree char *text = NULL;
  CrmMaskedValue *value;

  open_customer (desktop, id);
  value = masked (desktop, id, "phone");
  g_assert_true (crm_masked_value_get_masked (value));
  g_assert_nonnull (strchr (crm_masked_value_get_text (value), '*'));
  g_assert_false (button_shown (GTK_WIDGET (value), _("_Reveal")));
  /* the action, even asked for, does nothing */
  gtk_widget_activate_action (GTK_WIDGET (value), "masked.reveal", NULL);
  crm_test_iterate (100);
  g_assert_true (crm_masked_value_get_masked (value));
  g_assert_true (crm_masked_value_get_masked (masked (desktop, id, "address")));
  g_assert_false (button_shown (GTK_WIDGET (masked (desktop, id, "address")), _("_Reveal")));
  /* neither Copy nor Call for a masked number */
  g_assert_null (crm_masked_value_dup_tel_uri (value));
  g_assert_null (crm_customer_contacts_get_value (desktop->contacts, "contact.0.name"));
  shoot (GTK_WIDGET (desktop->contacts), "contacts-marketing");
  text = crm_test_dup_visible_text (desktop->contacts);
  g_assert_null (strstr (text, phone));
  crm_test_iterate (200);
  reveals = crm_test_live_scalar (live, "SELECT count(*) FROM crm.audit_log a JOIN crm.users u ON u.id = a.user_id"
                                        " WHERE a.action = 'reveal' AND u.login = $1", "marketing");
  g_assert_cmpstr (reveals, ==, "0");
}

/* The manager's own contact's mobile is in full with Copy and Call; its ID
 * number is masked, and Reveal shows it and writes the audit row. */
static void
test_manager_reveal_shows_the_value_and_is_audited (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autofree char *id = manager_customer (1);
  g_autofree char *contact = crm_test_live_scalar (live, "SELECT id FROM crm.contacts WHERE customer_id = $1"
                                                         " AND mobile IS NOT NULL AND id_number IS NOT NULL"
                                                         " ORDER BY id LIMIT 1", id);
  g_autofree char *mobile = crm_test_live_scalar (live, "SELECT mobile FROM crm.contacts WHERE id = $1", contact);
  g_autofree char *id_number = crm_test_live_scalar (live, "SELECT id_number FROM crm.contacts WHERE id = $1",
                                                     contact);
  g_autofree char *tel = NULL;
  g_autofree char *audit = NULL;
  g_autofree char *store_copy = NULL;
  CrmMaskedValue *value;

  open_customer (desktop, id);

  /* the mobile number in full: Copy and Call */
  value = masked (desktop, contact, "mobile");
  g_assert_false (crm_masked_value_get_masked (value));
  g_assert_cmpstr (crm_masked_value_get_text (value), ==, mobile);
  g_assert_false (button_shown (GTK_WIDGET (value), _("_Reveal")));
  tel = crm_masked_value_dup_tel_uri (value);
  {
    g_autofree char *expected = g_strconcat ("tel:", mobile, NULL);

    g_assert_cmpstr (tel, ==, expected);
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (value), "masked.copy", NULL));
  {
    GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (value));
    g_autoptr(GAsyncResult) result = NULL;
    g_autofree char *copied = NULL;

    gdk_clipboard_read_text_async (clipboard, NULL, crm_test_done_cb, &result);
    copied = gdk_clipboard_read_text_finish (clipboard, crm_test_wait_result (&result), NULL);
    g_assert_cmpstr (copied, ==, mobile);
  }

  /* the ID number masked; Reveal, as a user presses it */
  watched_contact = contact;
  value = masked (desktop, contact, "id_number");
  g_assert_true (crm_masked_value_get_masked (value));
  g_assert_true (button_shown (GTK_WIDGET (value), _("_Reveal")));
  /* the contact's row opened, as a user opens it to see the ID number */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (gtk_widget_get_ancestor (GTK_WIDGET (value),
                                                                            ADW_TYPE_EXPANDER_ROW)), TRUE);
  crm_test_wait_drawn (desktop->window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (value)));
  g_assert_true (gtk_widget_activate (crm_test_find_button (GTK_WIDGET (value), _("_Reveal"))));
  crm_test_wait_for (revealed_or_refused, desktop);
  value = masked (desktop, contact, "id_number");
  g_assert_cmpstr (crm_masked_value_get_text (value), ==, id_number);
  g_assert_null (crm_masked_value_get_error (value));
  shoot (GTK_WIDGET (desktop->contacts), "contacts");
  audit = crm_test_live_scalar (live, "SELECT u.login || '/' || a.entity || '/' || (a.detail->>'field') || '/' ||"
                                      "       (a.at > now() - interval '1 minute')::text"
                                      "  FROM crm.audit_log a JOIN crm.users u ON u.id = a.user_id"
                                      " WHERE a.action = 'reveal' AND a.entity_id = $1", contact);
  g_assert_cmpstr (audit, ==, "manager/contact/id_number/true");

  /* for this page only: the store keeps the masked value */
  {
    g_autoptr(CrmCustomer) c = crm_store_get_customer (crm_context_get_store (desktop->context), id, NULL);

    for (guint i = 0; i < c->contacts->len; i++)
      if (g_str_equal (((CrmContact *) c->contacts->pdata[i])->id, contact))
        store_copy = g_strdup (((CrmContact *) c->contacts->pdata[i])->id_number);
  }
  g_assert_nonnull (strchr (store_copy, '*'));

  /* offline, Reveal says so inline and asks nothing */
  crm_test_live_stop (live);
  value = masked (desktop, contact, "address");
  if (crm_masked_value_get_masked (value))
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (value), "masked.reveal", NULL));
      crm_test_wait_for (has_error, value);
      g_assert_true (crm_masked_value_get_masked (value));
    }
  crm_test_live_start (live);
}

static gboolean
dialog_open (gpointer desktop)
{
  return crm_customer_contacts_get_dialog (((Desktop *) desktop)->contacts) != NULL;
}

static char *
contact_field (const char *id,
               const char *column_sql)
{
  return crm_test_live_scalar (live, column_sql, id);
}

static gboolean
contact_gone_on_server (gpointer id)
{
  g_autofree char *found = crm_test_live_scalar (live, "SELECT id FROM crm.contacts WHERE id = $1", id);

  return found == NULL;
}

/* Add (with an inline error first), edit, mark primary and delete (with
 * Undo taken once), each reaching the server. */
static void
test_contacts_add_edit_mark_primary_delete_reach_the_server (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autofree char *id = manager_customer (2);
  g_autofree char *old_primary = NULL;
  g_autofree char *new_id = NULL;
  g_autofree char *value = NULL;
  CrmContactDialog *dialog;
  GtkWidget *mobile;

  open_customer (desktop, id);
  old_primary = crm_test_live_scalar (live, "SELECT id FROM crm.contacts WHERE customer_id = $1 AND is_primary", id);

  /* add: a wrong mobile number is said under its field; Save waits */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->contacts), "contacts.add", NULL));
  crm_test_wait_for (dialog_open, desktop);
  dialog = CRM_CONTACT_DIALOG (crm_customer_contacts_get_dialog (desktop->contacts));
  gtk_editable_set_text (GTK_EDITABLE (crm_contact_dialog_get_entry (dialog, "name")), "测试联系人");
  mobile = crm_contact_dialog_get_entry (dialog, "mobile");
  gtk_editable_set_text (GTK_EDITABLE (mobile), "12345");
  g_assert_cmpstr (crm_contact_dialog_get_field_message (dialog, "mobile"), ==,
                   _("Enter a mobile number of 11 digits starting with 1"));
  g_assert_false (crm_contact_dialog_get_valid (dialog));
  shoot (GTK_WIDGET (dialog), "contact-dialog");
  gtk_editable_set_text (GTK_EDITABLE (mobile), "13800138000");
  gtk_editable_set_text (GTK_EDITABLE (crm_contact_dialog_get_entry (dialog, "title")), "采购经理");
  g_assert_null (crm_contact_dialog_get_field_message (dialog, "mobile"));
  g_assert_true (crm_contact_dialog_get_valid (dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "save");
  crm_test_iterate (50);
  crm_test_wait_for (engine_settled, desktop->context);
  new_id = crm_test_live_scalar (live, "SELECT id FROM crm.contacts WHERE customer_id = $1 AND name = '测试联系人'",
                                 id);
  g_assert_nonnull (new_id);
  value = contact_field (new_id, "SELECT mobile || '/' || title FROM crm.contacts WHERE id = $1");
  g_assert_cmpstr (value, ==, "13800138000/采购经理");
  g_clear_pointer (&value, g_free);

  /* edit the title */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->contacts), "contacts.edit", "s", new_id));
  crm_test_wait_for (dialog_open, desktop);
  dialog = CRM_CONTACT_DIALOG (crm_customer_contacts_get_dialog (desktop->contacts));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (crm_contact_dialog_get_entry (dialog, "title"))), ==,
                   "采购经理");
  g_assert_false (crm_contact_dialog_get_valid (dialog));   /* nothing changed yet */
  gtk_editable_set_text (GTK_EDITABLE (crm_contact_dialog_get_entry (dialog, "title")), "采购总监");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "save");
  crm_test_iterate (50);
  crm_test_wait_for (engine_settled, desktop->context);
  value = contact_field (new_id, "SELECT title FROM crm.contacts WHERE id = $1");
  g_assert_cmpstr (value, ==, "采购总监");
  g_clear_pointer (&value, g_free);

  /* mark it primary: the other one is no longer */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->contacts), "contacts.mark-primary", "s", new_id));
  crm_test_wait_for (engine_settled, desktop->context);
  value = contact_field (new_id, "SELECT is_primary::text FROM crm.contacts WHERE id = $1");
  g_assert_cmpstr (value, ==, "true");
  g_clear_pointer (&value, g_free);
  if (old_primary != NULL)
    {
      value = contact_field (old_primary, "SELECT is_primary::text FROM crm.contacts WHERE id = $1");
      g_assert_cmpstr (value, ==, "false");
      g_clear_pointer (&value, g_free);
    }
  g_assert_cmpstr (crm_customer_contacts_get_value (desktop->contacts, "contact.0.name"), ==, "测试联系人");
  g_assert_cmpstr (crm_customer_contacts_get_value (desktop->contacts, "contact.0.is_primary"), ==, "true");

  /* delete, then Undo while the toast shows: it stays, here and there */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->contacts), "contacts.delete", "s", new_id));
  g_assert_null (crm_customer_contacts_get_masked (desktop->contacts, new_id, "mobile"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->contacts), "contacts.undo-delete", NULL));
  g_assert_nonnull (crm_customer_contacts_get_masked (desktop->contacts, new_id, "mobile"));
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_iterate (50);
  crm_test_wait_for (engine_settled, desktop->context);
  value = contact_field (new_id, "SELECT name FROM crm.contacts WHERE id = $1");
  g_assert_cmpstr (value, ==, "测试联系人");
  g_clear_pointer (&value, g_free);

  /* delete for good: it goes when its toast does */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->contacts), "contacts.delete", "s", new_id));
  crm_test_wait_for (contact_gone_on_server, new_id);
}

/* The widget named @name under @widget, or NULL. */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The decision maker's mark on @contact's row, or NULL. */
static GtkWidget *
decision_mark (Desktop    *desktop,
               const char *contact)
{
  GtkWidget *row = find_named (GTK_WIDGET (desktop->contacts), contact);

  g_assert_nonnull (row);
  return find_named (row, "decision-maker");
}

static const char *role_contact;
static const char *role_wanted;

static gboolean
role_on_server (gpointer unused)
{
  g_autofree char *now = crm_test_live_scalar (live, "SELECT coalesce(role::text, '') FROM crm.contacts"
                                                     " WHERE id = $1", role_contact);

  return g_strcmp0 (now, role_wanted) == 0;
}

/* Sets @contact's role in its dialog, as a user picks it, and saves. */
static void
choose_role (Desktop    *desktop,
             const char *contact,
             guint       index)
{
  CrmContactDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->contacts), "contacts.edit", "s", contact));
  crm_test_wait_for (dialog_open, desktop);
  dialog = CRM_CONTACT_DIALOG (crm_customer_contacts_get_dialog (desktop->contacts));
  g_assert_false (crm_contact_dialog_get_valid (dialog));   /* nothing changed yet */
  adw_combo_row_set_selected (crm_contact_dialog_get_role (dialog), index + 1);
  g_assert_true (crm_contact_dialog_get_valid (dialog));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "save");
  role_contact = contact;
  role_wanted = crm_contact_role_names[index];
  crm_test_wait_for (role_on_server, NULL);
  crm_test_wait_for (engine_settled, desktop->context);
}

/* The seeded decision maker's row shows the mark, a star read as the
 * words, and the words after the job title; another contact's shows its
 * own role there and no mark.  Choosing roles in the dialog moves the mark, here and on
 * the server. */
static void
test_decision_maker_is_marked_and_roles_are_edited (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autofree char *id = crm_test_live_scalar (live,
                                              "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                              " WHERE u.login = 'manager' AND"
                                              " (SELECT count(*) FROM crm.contacts k WHERE k.customer_id = c.id) >= 2"
                                              " AND EXISTS (SELECT 1 FROM crm.contacts k WHERE k.customer_id = c.id"
                                              "             AND k.role = 'decision_maker')"
                                              " ORDER BY c.id DESC LIMIT 1", NULL);
  g_autofree char *decider = NULL, *other = NULL, *text = NULL;
  const char *words = _("Decision maker");
  GtkWidget *mark;

  g_assert_nonnull (id);
  decider = crm_test_live_scalar (live, "SELECT id FROM crm.contacts WHERE customer_id = $1"
                                        " AND role = 'decision_maker' ORDER BY id LIMIT 1", id);
  other = crm_test_live_scalar (live, "SELECT id FROM crm.contacts WHERE customer_id = $1"
                                      " AND role IS DISTINCT FROM 'decision_maker' ORDER BY id LIMIT 1", id);
  g_assert_nonnull (other);
  open_customer (desktop, id);

  mark = decision_mark (desktop, decider);
  g_assert_nonnull (mark);
  g_assert_true (gtk_widget_get_mapped (mark));
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL, words);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (mark), ==, words);
  /* the words too, on the row as drawn */
  text = crm_test_dup_visible_text (find_named (GTK_WIDGET (desktop->contacts), decider));
  g_assert_nonnull (strstr (text, words));
  g_assert_null (decision_mark (desktop, other));
  shoot (GTK_WIDGET (desktop->contacts), "contacts-roles");

  /* the other becomes the decision maker, the first the technical one */
  choose_role (desktop, other, CRM_CONTACT_ROLE_DECISION_MAKER);
  choose_role (desktop, decider, CRM_CONTACT_ROLE_TECHNICAL);
  crm_test_wait_drawn (desktop->window);
  g_assert_nonnull (decision_mark (desktop, other));
  g_assert_null (decision_mark (desktop, decider));
  {
    GtkWidget *row = find_named (GTK_WIDGET (desktop->contacts), decider);
    const char *subtitle = adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row));

    g_assert_nonnull (strstr (subtitle, _("Technical reviewer")));
  }
}

/* The first button under @widget whose action is @action. */
static GtkWidget *
find_by_action (GtkWidget  *widget,
                const char *action)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_action (child, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
customer_on_server (gpointer id)
{
  g_autofree char *found = crm_test_live_scalar (live, "SELECT id FROM crm.customers WHERE id = $1", id);

  return found != NULL;
}

static CrmCustomerDialog *
find_customer_dialog (void)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CRM_IS_CUSTOMER_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return CRM_CUSTOMER_DIALOG (window);
    }
  return NULL;
}

static gboolean
customer_dialog_open (gpointer unused)
{
  return find_customer_dialog () != NULL;
}

/* Ctrl+N (win.new-customer) with the server away: the prospect is in the
 * list and open at once; it reaches the server once it is back, as the
 * manager's own prospect. */
static void
test_prospect_made_offline_reaches_the_server (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autofree char *row = NULL;
  GtkWidget *button;
  g_autofree char *id = NULL;
  CrmCustomerDialog *dialog;
  guint position;

  /* the list's header has the button; pressing it opens the dialog */
  button = find_by_action (GTK_WIDGET (desktop->window), "win.new-customer");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_activate (button));
  crm_test_wait_for (customer_dialog_open, NULL);
  dialog = find_customer_dialog ();
  gtk_window_destroy (GTK_WINDOW (dialog));
  crm_test_iterate (50);

  crm_test_live_stop (live);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->window), "win.new-customer", NULL));
  crm_test_wait_for (customer_dialog_open, NULL);
  dialog = find_customer_dialog ();
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  gtk_editable_set_text (GTK_EDITABLE (crm_customer_dialog_get_row (dialog, "name")), "离线新客户科技有限公司");
  g_assert_null (crm_customer_dialog_get_field_message (dialog, "name"));
  g_assert_null (crm_customer_dialog_get_field_message (dialog, "region_id"));
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  shoot (GTK_WIDGET (dialog), "customer-dialog");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "create");
  crm_test_iterate (100);

  /* open at once, and in the list */
  g_assert_cmpstr (crm_customers_page_get_state (desktop->page), ==, "detail");
  id = g_strdup (crm_customer_detail_get_customer_id (desktop->detail));
  g_assert_nonnull (id);
  g_assert_cmpstr (crm_customer_detail_get_value (desktop->detail, "name"), ==, "离线新客户科技有限公司");
  g_assert_cmpstr (crm_customer_detail_get_value (desktop->detail, "status"), ==, C_("customer status", "Prospect"));
  crm_test_iterate (200);
  g_assert_true (crm_customer_model_find (crm_customers_page_get_model (desktop->page), id, &position));
  g_assert_false (customer_on_server (id));

  /* the server is back */
  crm_test_live_start (live);
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (customer_on_server, id);
  crm_test_wait_for (engine_settled, desktop->context);
  row = crm_test_live_scalar (live, "SELECT c.status || '/' || u.login FROM crm.customers c"
                                    " JOIN crm.users u ON u.id = c.owner_id WHERE c.id = $1", id);
  g_assert_cmpstr (row, ==, "prospect/manager");
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
  data_home = g_dir_make_tmp ("keyline-contacts-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_auth_init (NULL);
  shot_dir = g_getenv ("KEYLINE_SHOT_DIR");
  if (g_getenv ("KEYLINE_SHOT_LANG") != NULL && setlocale (LC_ALL, g_getenv ("KEYLINE_SHOT_LANG")) != NULL)
    {
      crm_application_setup_gettext ();
      shot_lang = g_str_has_prefix (g_getenv ("KEYLINE_SHOT_LANG"), "zh") ? "zh" : "en";
    }

  if (!crm_test_live_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      remove_tree (data_home);
      return g_test_run ();
    }
  live = crm_test_live_new (120);

  g_test_add_func ("/client/contacts/marketing-sees-masked-values-and-no-reveal",
                   test_marketing_sees_masked_values_and_no_reveal);
  g_test_add_func ("/client/contacts/manager-reveal-shows-the-value-and-is-audited",
                   test_manager_reveal_shows_the_value_and_is_audited);
  g_test_add_func ("/client/contacts/add-edit-mark-primary-delete-reach-the-server",
                   test_contacts_add_edit_mark_primary_delete_reach_the_server);
  g_test_add_func ("/client/contacts/decision-maker-is-marked-and-roles-are-edited",
                   test_decision_maker_is_marked_and_roles_are_edited);
  g_test_add_func ("/client/customers/prospect-made-offline-reaches-the-server",
                   test_prospect_made_offline_reaches_the_server);

  status = g_test_run ();

  crm_test_live_free (live);
  remove_tree (data_home);
  g_free (data_home);
  return status;
}
