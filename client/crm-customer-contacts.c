#define G_LOG_DOMAIN "crm-customer-contacts"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-contact-dialog.h"
#include "crm-customer-contacts.h"
#include "crm-entity.h"
#include "crm-format.h"
#include "crm-masked-value.h"
#include "crm-vocabulary.h"
#include "crm-window.h"

struct _CrmCustomerContacts
{
  AdwBin           parent_instance;

  CrmStore        *store;
  gulong           changed_id;
  CrmContext      *context;
  char            *customer_id;
  GPtrArray       *contacts;     /* of CrmContact, as shown */
  GPtrArray       *rows;         /* the group's rows */
  GHashTable      *values;       /* "contact.<i>.<field>" -> text shown */
  GHashTable      *masked;       /* "<contact id>/<field>" -> CrmMaskedValue (borrowed) */
  GHashTable      *revealed;     /* "<entity>/<id>/<field>" -> value, for this customer's page */
  GtkWidget       *dialog;       /* weak */
  gint64           deleted_seq;  /* the delete a toast may undo; 0 for none */
  CrmContact      *deleted;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwPreferencesGroup *group;
  GtkWidget       *add_button;   /* the row that adds one */
};

G_DEFINE_FINAL_TYPE (CrmCustomerContacts, crm_customer_contacts, ADW_TYPE_BIN)

static void rebuild (CrmCustomerContacts *self);

/* The session: the one set, or the window's. */
static CrmContext *
session (CrmCustomerContacts *self)
{
  GtkRoot *root;

  if (self->context != NULL)
    return self->context;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  return root != NULL && CRM_IS_WINDOW (root) ? crm_window_get_context (CRM_WINDOW (root)) : NULL;
}

/* The signed-in user's role, or -1 when nobody is. */
static int
role (CrmCustomerContacts *self)
{
  CrmContext *context = session (self);
  JsonObject *user = context != NULL ? crm_context_get_user (context) : NULL;
  const char *name = user != NULL ? json_object_get_string_member_with_default (user, "role", NULL) : NULL;

  return name != NULL ? crm_wire_lookup (crm_role_names, name) : -1;
}

static gboolean
may_write (CrmCustomerContacts *self)
{
  int r = role (self);

  return self->store != NULL && r >= 0 && (crm_entity_info (CRM_ENTITY_CONTACT)->creatable_by & (1u << r)) != 0;
}

static void
sync_now (CrmCustomerContacts *self)
{
  CrmContext *context = session (self);
  CrmSyncEngine *engine = context != NULL ? crm_context_get_sync_engine (context) : NULL;

  if (engine != NULL)
    crm_sync_engine_sync_now (engine);
}

static CrmContact *
find_contact (CrmCustomerContacts *self,
              const char          *id)
{
  for (guint i = 0; self->contacts != NULL && i < self->contacts->len; i++)
    if (g_strcmp0 (((CrmContact *) self->contacts->pdata[i])->id, id) == 0)
      return self->contacts->pdata[i];
  return NULL;
}

static void
toast (CrmCustomerContacts *self,
       const char          *title)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

/* Rows ------------------------------------------------------------------- */

static void
revealed_cb (CrmMaskedValue *value,
             const char     *text,
             gpointer        user_data)
{
  CrmCustomerContacts *self = user_data;
  const char *key = g_object_get_data (G_OBJECT (value), "reveal-key");
  g_auto(GStrv) parts = g_strsplit (key, "/", 3);
  g_autofree char *shown_key = g_strconcat (parts[1], "/", parts[2], NULL);
  GtkWidget *now = g_hash_table_lookup (self->masked, shown_key);

  g_hash_table_replace (self->revealed, g_strdup (key), g_strdup (text));
  /* the rows were made again while it was asked for: the new one shows it */
  if (now != NULL && now != GTK_WIDGET (value))
    crm_masked_value_set_revealed (CRM_MASKED_VALUE (now), text);
}

/* A CrmMaskedValue for @field of @entity's record @id. */
static GtkWidget *
masked_value (CrmCustomerContacts *self,
              const char          *entity,
              const char          *id,
              const char          *field,
              const char          *value)
{
  CrmContext *context = session (self);
  const CrmField *spec = crm_entity_info_field (crm_entity_info_lookup (entity), field);
  GtkWidget *widget = crm_masked_value_new ();
  g_autofree char *key = g_strconcat (entity, "/", id, "/", field, NULL);
  const char *shown;
  int r = role (self);

  crm_masked_value_set (CRM_MASKED_VALUE (widget), self->customer_id, entity, id, field, value);
  crm_masked_value_set_session (CRM_MASKED_VALUE (widget), context ? crm_context_get_api (context) : NULL,
                                r >= 0 && crm_field_revealable_by (spec, r),
                                context == NULL || crm_context_get_offline (context));
  if (g_hash_table_lookup_extended (self->revealed, key, NULL, (gpointer *) &shown))
    crm_masked_value_set_revealed (CRM_MASKED_VALUE (widget), shown);
  g_object_set_data_full (G_OBJECT (widget), "reveal-key", g_steal_pointer (&key), g_free);
  g_signal_connect_object (widget, "revealed", G_CALLBACK (revealed_cb), self, 0);
  g_hash_table_replace (self->masked, g_strconcat (id, "/", field, NULL), widget);
  return widget;
}

static void
add_child_row (AdwExpanderRow *expander,
               const char     *title,
               const char     *name,
               GtkWidget      *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_name (row, name);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
  adw_expander_row_add_row (expander, row);
}

static GtkWidget *
text_value (const char *text)
{
  GtkWidget *label = gtk_label_new (text != NULL && text[0] ? text : "—");

  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_focusable (label, FALSE);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static GtkWidget *
menu_button (CrmContact *contact)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenuItem) edit = g_menu_item_new (_("_Edit…"), NULL);
  g_autoptr(GMenuItem) primary = g_menu_item_new (_("Mark as _Primary"), NULL);
  g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete"), NULL);
  GtkWidget *button = gtk_menu_button_new ();
  g_autofree char *label = g_strdup_printf (_("More for %s"), contact->name);

  g_menu_item_set_action_and_target (edit, "contacts.edit", "s", contact->id);
  g_menu_item_set_action_and_target (primary, "contacts.mark-primary", "s", contact->id);
  g_menu_item_set_action_and_target (delete, "contacts.delete", "s", contact->id);
  g_menu_append_item (menu, edit);
  if (!contact->is_primary)
    g_menu_append_item (menu, primary);
  g_menu_append_item (menu, delete);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, label);
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return button;
}

/* The decision maker's mark before the name: a star, read and shown on
 * hover as the words, which the subtitle also shows (a mark among the
 * row's suffixes would squeeze the mobile number out). */
static GtkWidget *
decision_maker_mark (void)
{
  const char *words = crm_vocabulary_label (crm_contact_role_names, "decision_maker");
  GtkWidget *icon = gtk_image_new_from_icon_name ("starred-symbolic");

  gtk_widget_set_name (icon, "decision-maker");
  gtk_widget_set_tooltip_text (icon, words);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, words, -1);
  gtk_widget_add_css_class (icon, "accent");
  return icon;
}

static void
add_contact_row (CrmCustomerContacts *self,
                 guint                index,
                 CrmContact          *contact,
                 gboolean             writable)
{
  GtkWidget *row = adw_expander_row_new ();
  AdwExpanderRow *expander = ADW_EXPANDER_ROW (row);
  g_autofree char *prefix = g_strdup_printf ("contact.%u.", index);
  gboolean deciding = g_strcmp0 (contact->role, "decision_maker") == 0;
  const char *parts[][2] = {
    { "name", contact->name }, { "title", contact->title }, { "mobile", contact->mobile },
    { "email", contact->email }, { "id_number", contact->id_number }, { "address", contact->address },
    { "is_primary", contact->is_primary ? "true" : "false" }, { "role", contact->role },
    { "decision_maker", deciding ? "true" : "false" },
  };
  /* the role under the job title (one line each: a narrow row keeps more
   * room for the mobile number) */
  const char *role_words = contact->role != NULL ? crm_vocabulary_label (crm_contact_role_names, contact->role) : NULL;
  g_autofree char *subtitle = role_words == NULL ? g_strdup (contact->title ? contact->title : "")
    : contact->title != NULL && contact->title[0] ? g_strdup_printf ("%s\n%s", contact->title, role_words)
    : g_strdup (role_words);

  gtk_widget_set_name (row, contact->id);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), contact->name ? contact->name : "");
  adw_expander_row_set_subtitle (expander, subtitle);
  if (deciding)
    adw_expander_row_add_prefix (expander, decision_maker_mark ());
  /* libadwaita 1.2 puts each action before the ones added earlier: the
   * menu, then the mobile number, then the mark, to read mark, number, menu */
  if (writable)
    adw_expander_row_add_action (expander, menu_button (contact));
  adw_expander_row_add_action (expander, masked_value (self, "contact", contact->id, "mobile", contact->mobile));
  if (contact->is_primary)
    {
      GtkWidget *tag = gtk_label_new (_("Primary"));

      gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (tag, "primary-tag");
      gtk_widget_add_css_class (tag, "caption");
      adw_expander_row_add_action (expander, tag);
    }

  add_child_row (expander, crm_field_label (CRM_ENTITY_CONTACT, "email"), "email", text_value (contact->email));
  add_child_row (expander, crm_field_label (CRM_ENTITY_CONTACT, "id_number"), "id_number",
                 masked_value (self, "contact", contact->id, "id_number", contact->id_number));
  add_child_row (expander, crm_field_label (CRM_ENTITY_CONTACT, "address"), "address",
                 masked_value (self, "contact", contact->id, "address", contact->address));

  adw_preferences_group_add (self->group, row);
  g_ptr_array_add (self->rows, row);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    g_hash_table_replace (self->values, g_strconcat (prefix, parts[i][0], NULL),
                          g_strdup (parts[i][1] ? parts[i][1] : ""));
}

/* The customer's own phone and address, first. */
static void
add_customer_rows (CrmCustomerContacts *self,
                   CrmCustomer         *customer)
{
  const char *fields[] = { "phone", "address" };
  const char *values[] = { customer->phone, customer->address };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), crm_field_label (CRM_ENTITY_CUSTOMER, fields[i]));
      gtk_widget_set_name (row, fields[i]);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 masked_value (self, "customer", customer->id, fields[i], values[i]));
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
      g_hash_table_replace (self->values, g_strdup (fields[i]), g_strdup (values[i] ? values[i] : ""));
    }
}

static void
clear_rows (CrmCustomerContacts *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->group, self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);
  g_hash_table_remove_all (self->values);
  g_hash_table_remove_all (self->masked);
}

static void
rebuild (CrmCustomerContacts *self)
{
  g_autoptr(CrmCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;
  gboolean writable = may_write (self);

  clear_rows (self);
  g_clear_pointer (&self->contacts, g_ptr_array_unref);
  if (self->store != NULL && self->customer_id != NULL)
    {
      customer = crm_store_get_customer (self->store, self->customer_id, &error);
      if (customer == NULL && error != NULL)
        g_warning ("Cannot read the contacts of %s: %s", self->customer_id, error->message);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.add", writable && customer != NULL);
  gtk_widget_set_visible (self->add_button, writable);
  if (customer == NULL)
    return;
  self->contacts = g_ptr_array_ref (customer->contacts);
  add_customer_rows (self, customer);
  /* marketing reads no contacts: their absence says nothing */
  if (role (self) >= 0 && !crm_entity_info_readable_by (crm_entity_info (CRM_ENTITY_CONTACT), role (self)))
    return;
  if (customer->contacts->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No contacts"));
      gtk_widget_add_css_class (row, "dim-label");
      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
    }
  for (guint i = 0; i < customer->contacts->len; i++)
    add_contact_row (self, i, customer->contacts->pdata[i], writable);
  /* "Add Contact…" after them */
  g_object_ref (self->add_button);
  adw_preferences_group_remove (self->group, self->add_button);
  adw_preferences_group_add (self->group, self->add_button);
  g_object_unref (self->add_button);
}

static void
contacts_changed_cb (CrmCustomerContacts *self)
{
  /* the keys are contacts' ids: any of them may be this customer's */
  if (self->customer_id != NULL)
    rebuild (self);
}

/* Actions ---------------------------------------------------------------- */

static void
dialog_saved_cb (CrmCustomerContacts *self,
                 CrmMutation         *mutation)
{
  sync_now (self);
}

static void
open_dialog (CrmCustomerContacts *self,
             CrmContact          *contact)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->store == NULL || self->customer_id == NULL)
    return;
  if (self->dialog != NULL)
    {
      /* one at a time: the new one replaces it */
      g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
      gtk_window_destroy (GTK_WINDOW (self->dialog));
    }
  self->dialog = crm_contact_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store,
                                         self->customer_id, contact);
  g_object_add_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
  g_signal_connect_object (self->dialog, "saved", G_CALLBACK (dialog_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->dialog));
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_dialog (CRM_CUSTOMER_CONTACTS (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmCustomerContacts *self = CRM_CUSTOMER_CONTACTS (widget);
  CrmContact *contact = find_contact (self, g_variant_get_string (parameter, NULL));

  if (contact != NULL)
    open_dialog (self, contact);
}

static void
mark_primary_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmCustomerContacts *self = CRM_CUSTOMER_CONTACTS (widget);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) mutation = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;
  json_object_set_boolean_member (fields, "is_primary", TRUE);
  mutation = crm_store_enqueue_update (self->store, CRM_ENTITY_CONTACT, g_variant_get_string (parameter, NULL),
                                       fields, &error);
  if (mutation == NULL)
    {
      g_warning ("Cannot mark the primary contact: %s", error->message);
      toast (self, _("The contact could not be marked primary"));
      return;
    }
  sync_now (self);
}

static void
delete_toast_dismissed_cb (CrmCustomerContacts *self)
{
  /* not undone: send it now */
  if (self->deleted_seq != 0)
    {
      self->deleted_seq = 0;
      g_clear_pointer (&self->deleted, crm_contact_unref);
      sync_now (self);
    }
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmCustomerContacts *self = CRM_CUSTOMER_CONTACTS (widget);
  CrmContact *contact = find_contact (self, g_variant_get_string (parameter, NULL));
  g_autoptr(CrmContact) kept = contact ? crm_contact_ref (contact) : NULL;
  g_autoptr(CrmMutation) mutation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  AdwToast *t;

  if (self->store == NULL || kept == NULL)
    return;
  mutation = crm_store_enqueue_delete (self->store, CRM_ENTITY_CONTACT, kept->id, &error);
  if (mutation == NULL)
    {
      g_warning ("Cannot delete the contact: %s", error->message);
      toast (self, _("The contact could not be deleted"));
      return;
    }
  /* an earlier delete's toast is replaced: that one goes now */
  delete_toast_dismissed_cb (self);
  self->deleted_seq = mutation->seq;
  self->deleted = g_steal_pointer (&kept);
  title = g_strdup_printf (_("Contact “%s” deleted"), self->deleted->name);
  t = adw_toast_new (title);
  adw_toast_set_button_label (t, _("_Undo"));
  adw_toast_set_action_name (t, "contacts.undo-delete");
  g_signal_connect_object (t, "dismissed", G_CALLBACK (delete_toast_dismissed_cb), self, G_CONNECT_SWAPPED);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* Undo: the delete is taken back from the queue while it is there. */
static void
undo_delete_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmCustomerContacts *self = CRM_CUSTOMER_CONTACTS (widget);
  g_autoptr(CrmMutation) pending = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL || self->deleted_seq == 0)
    return;
  pending = crm_store_get_mutation (self->store, self->deleted_seq, NULL);
  if (pending == NULL || pending->state != CRM_MUTATION_PENDING ||
      !crm_store_discard_mutation (self->store, self->deleted_seq, &error))
    {
      if (error != NULL)
        g_warning ("Cannot take the delete back: %s", error->message);
      toast (self, _("Too late to undo: the contact was deleted on the server"));
    }
  self->deleted_seq = 0;
  g_clear_pointer (&self->deleted, crm_contact_unref);
}

/* GObject ---------------------------------------------------------------- */

static void
crm_customer_contacts_root (GtkWidget *widget)
{
  CrmCustomerContacts *self = CRM_CUSTOMER_CONTACTS (widget);

  GTK_WIDGET_CLASS (crm_customer_contacts_parent_class)->root (widget);
  /* the window's session decides what the rows offer */
  if (self->customer_id != NULL)
    rebuild (self);
}

static void
crm_customer_contacts_dispose (GObject *object)
{
  CrmCustomerContacts *self = CRM_CUSTOMER_CONTACTS (object);

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->dialog));
  crm_customer_contacts_set_store (self, NULL);
  g_clear_object (&self->context);
  g_clear_pointer (&self->contacts, g_ptr_array_unref);
  g_clear_pointer (&self->deleted, crm_contact_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), CRM_TYPE_CUSTOMER_CONTACTS);

  G_OBJECT_CLASS (crm_customer_contacts_parent_class)->dispose (object);
}

static void
crm_customer_contacts_finalize (GObject *object)
{
  CrmCustomerContacts *self = CRM_CUSTOMER_CONTACTS (object);

  g_free (self->customer_id);
  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->values);
  g_hash_table_unref (self->masked);
  g_hash_table_unref (self->revealed);

  G_OBJECT_CLASS (crm_customer_contacts_parent_class)->finalize (object);
}

static void
crm_customer_contacts_class_init (CrmCustomerContactsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customer_contacts_dispose;
  object_class->finalize = crm_customer_contacts_finalize;
  widget_class->root = crm_customer_contacts_root;

  g_type_ensure (CRM_TYPE_MASKED_VALUE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customer-contacts.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerContacts, group);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerContacts, add_button);

  gtk_widget_class_install_action (widget_class, "contacts.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "contacts.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "contacts.mark-primary", "s", mark_primary_action);
  gtk_widget_class_install_action (widget_class, "contacts.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "contacts.undo-delete", NULL, undo_delete_action);
}

static void
crm_customer_contacts_init (CrmCustomerContacts *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* the bin's own child: not a template child, which disposing the
   * template would take from under AdwBin */
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_bin_get_child (ADW_BIN (self)));
  self->rows = g_ptr_array_new ();
  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->masked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->revealed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.add", FALSE);
}

/* Public ----------------------------------------------------------------- */

GtkWidget *
crm_customer_contacts_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_CONTACTS, NULL);
}

void
crm_customer_contacts_set_store (CrmCustomerContacts *self,
                                 CrmStore            *store)
{
  g_return_if_fail (CRM_IS_CUSTOMER_CONTACTS (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_set_object (&self->store, store);
  if (store != NULL)
    self->changed_id = g_signal_connect_swapped (store, "changed::contact", G_CALLBACK (contacts_changed_cb), self);
  g_clear_pointer (&self->customer_id, g_free);
  g_hash_table_remove_all (self->revealed);
  if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
    rebuild (self);
}

void
crm_customer_contacts_set_context (CrmCustomerContacts *self,
                                   CrmContext          *context)
{
  g_return_if_fail (CRM_IS_CUSTOMER_CONTACTS (self));
  g_return_if_fail (context == NULL || CRM_IS_CONTEXT (context));

  g_set_object (&self->context, context);
  rebuild (self);
}

void
crm_customer_contacts_show (CrmCustomerContacts *self,
                            const char          *customer_id)
{
  g_return_if_fail (CRM_IS_CUSTOMER_CONTACTS (self));

  /* what was revealed stays with its customer's page */
  if (g_strcmp0 (customer_id, self->customer_id) != 0)
    g_hash_table_remove_all (self->revealed);
  g_free (self->customer_id);
  self->customer_id = g_strdup (customer_id);
  rebuild (self);
}

const char *
crm_customer_contacts_get_value (CrmCustomerContacts *self,
                                 const char          *key)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_CONTACTS (self), NULL);

  return g_hash_table_lookup (self->values, key);
}

GtkWidget *
crm_customer_contacts_get_masked (CrmCustomerContacts *self,
                                  const char          *contact_id,
                                  const char          *field)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (CRM_IS_CUSTOMER_CONTACTS (self), NULL);

  key = g_strconcat (contact_id, "/", field, NULL);
  return g_hash_table_lookup (self->masked, key);
}

GtkWidget *
crm_customer_contacts_get_dialog (CrmCustomerContacts *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_CONTACTS (self), NULL);

  return self->dialog;
}
