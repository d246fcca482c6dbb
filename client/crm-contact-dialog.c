#define G_LOG_DOMAIN "crm-contact-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-contact-dialog.h"
#include "crm-entity.h"
#include "crm-format.h"
#include "crm-vocabulary.h"

/* The fields the dialog offers, in order: the contact's writable text
 * fields of the entity table (the parent and the flag are set apart). */
static const char * const field_names[] = { "name", "title", "mobile", "email", "address" };
#define N_FIELDS G_N_ELEMENTS (field_names)

typedef struct
{
  const CrmField *spec;
  GtkWidget      *entry;     /* AdwEntryRow */
  GtkWidget      *message;   /* GtkLabel under it */
  GtkWidget      *message_row;
  char           *original;  /* as stored; NULL for none */
  gboolean        masked;    /* original is masked: empty keeps it */
  gboolean        valid;
} Field;

struct _CrmContactDialog
{
  AdwMessageDialog  parent_instance;

  CrmStore         *store;
  char             *customer_id;
  CrmContact       *contact;     /* NULL for a new one */
  Field             fields[N_FIELDS];
  GtkSwitch        *primary;
  AdwComboRow      *role;        /* 0 for not set, then crm_contact_role_names */
  GtkLabel         *error_label;
};

G_DEFINE_FINAL_TYPE (CrmContactDialog, crm_contact_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static Field *
find_field (CrmContactDialog *self,
            const char       *name)
{
  for (guint i = 0; i < N_FIELDS; i++)
    if (g_strcmp0 (self->fields[i].spec->name, name) == 0)
      return &self->fields[i];
  return NULL;
}

/* The text typed, trimmed; NULL for none. */
static char *
typed (Field *field)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (field->entry))));

  return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
}

/* Whether @field changes what is stored. */
static gboolean
field_changed (Field *field)
{
  g_autofree char *value = typed (field);

  if (field->masked)
    return value != NULL;
  return g_strcmp0 (value, field->original) != 0;
}

/* The role chosen: a crm_contact_role_names word, or NULL for not set. */
static const char *
chosen_role (CrmContactDialog *self)
{
  guint selected = self->role != NULL ? adw_combo_row_get_selected (self->role) : 0;

  return selected >= 1 && selected <= CRM_N_CONTACT_ROLES ? crm_contact_role_names[selected - 1] : NULL;
}

static void
check (CrmContactDialog *self)
{
  gboolean valid = TRUE, changed = self->contact == NULL;

  for (guint i = 0; i < N_FIELDS; i++)
    {
      Field *field = &self->fields[i];
      g_autofree char *value = typed (field);
      g_autofree char *message = NULL;
      gboolean required = (field->spec->flags & CRM_FIELD_REQUIRED) != 0;

      /* a required field is checked as soon as the form is new or it
       * changed; an optional one only when something is in it */
      if ((value != NULL || required) && (self->contact == NULL || field_changed (field)) &&
          !crm_field_validate (field->spec, value, NULL))
        message = crm_field_problem (field->spec, value);
      field->valid = message == NULL;
      valid &= field->valid;
      changed |= field_changed (field);
      gtk_label_set_label (GTK_LABEL (field->message), message ? message : "");
      gtk_widget_set_visible (field->message_row, message != NULL);
      if (message != NULL)
        {
          gtk_widget_add_css_class (field->entry, "error");
          gtk_accessible_update_state (GTK_ACCESSIBLE (field->entry), GTK_ACCESSIBLE_STATE_INVALID,
                                       GTK_ACCESSIBLE_INVALID_TRUE, -1);
        }
      else
        {
          gtk_widget_remove_css_class (field->entry, "error");
          gtk_accessible_reset_state (GTK_ACCESSIBLE (field->entry), GTK_ACCESSIBLE_STATE_INVALID);
        }
    }
  if (self->contact != NULL)
    changed |= gtk_switch_get_active (self->primary) != self->contact->is_primary ||
               g_strcmp0 (chosen_role (self), self->contact->role) != 0;
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "save", valid && changed);
}

static void
entry_changed_cb (CrmContactDialog *self)
{
  check (self);
}

/* @label in a row of its own, right under the row above it (a plain
 * widget would go below the group's list). */
static GtkWidget *
label_row (GtkWidget *label)
{
  GtkWidget *row = adw_preferences_row_new ();

  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  return row;
}

static void
add_field (CrmContactDialog    *self,
           AdwPreferencesGroup *group,
           Field               *field,
           const char          *name)
{
  const char *value = NULL;
  const char *label;

  field->spec = crm_field_spec_lookup (CRM_ENTITY_CONTACT, name);
  g_assert (field->spec != NULL);
  if (self->contact != NULL)
    {
      if (g_str_equal (name, "name"))
        value = self->contact->name;
      else if (g_str_equal (name, "title"))
        value = self->contact->title;
      else if (g_str_equal (name, "mobile"))
        value = self->contact->mobile;
      else if (g_str_equal (name, "email"))
        value = self->contact->email;
      else
        value = self->contact->address;
    }
  field->original = value != NULL && value[0] != '\0' ? g_strdup (value) : NULL;
  field->masked = field->original != NULL && field->spec->mask != CRM_FIELD_MASK_NONE &&
                  strchr (field->original, '*') != NULL;
  label = crm_field_label (CRM_ENTITY_CONTACT, name);

  field->entry = adw_entry_row_new ();
  gtk_widget_set_name (field->entry, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->entry), label);
  if (!field->masked && field->original != NULL)
    gtk_editable_set_text (GTK_EDITABLE (field->entry), field->original);
  g_signal_connect_swapped (field->entry, "changed", G_CALLBACK (entry_changed_cb), self);
  adw_preferences_group_add (group, field->entry);

  field->message = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (field->message), 0.0);
  gtk_label_set_wrap (GTK_LABEL (field->message), TRUE);
  gtk_widget_set_margin_top (field->message, 6);
  gtk_widget_add_css_class (field->message, "error");
  gtk_widget_add_css_class (field->message, "caption");
  field->message_row = label_row (field->message);
  gtk_widget_set_visible (field->message_row, FALSE);
  if (field->masked)
    {
      /* the masked value is no value to edit: say what it is */
      g_autofree char *hint = g_strdup_printf (_("Now %s, hidden to protect privacy: leave empty to keep it"),
                                               field->original);
      GtkWidget *note = gtk_label_new (hint);

      gtk_label_set_xalign (GTK_LABEL (note), 0.0);
      gtk_label_set_wrap (GTK_LABEL (note), TRUE);
      gtk_widget_set_margin_top (note, 6);
      gtk_widget_add_css_class (note, "dim-label");
      gtk_widget_add_css_class (note, "caption");
      adw_preferences_group_add (group, label_row (note));
      gtk_accessible_update_property (GTK_ACCESSIBLE (field->entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, hint, -1);
    }
  adw_preferences_group_add (group, field->message_row);
  /* GTK 4.8 takes one object for the relation */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (field->entry), GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE,
                                  field->message, -1);
}

/* The buying role: not set, or one of the vocabulary; the decision
 * maker is one of them (server/sql/0013). */
static void
add_role_row (CrmContactDialog    *self,
              AdwPreferencesGroup *group)
{
  g_autoptr(GtkStringList) words = gtk_string_list_new (NULL);
  GtkWidget *row = adw_combo_row_new ();
  int now = self->contact != NULL && self->contact->role != NULL
    ? crm_wire_lookup (crm_contact_role_names, self->contact->role) : -1;

  gtk_string_list_append (words, C_("contact role", "Not set"));
  for (guint i = 0; i < CRM_N_CONTACT_ROLES; i++)
    gtk_string_list_append (words, crm_vocabulary_label_at (crm_contact_role_names, i));
  gtk_widget_set_name (row, "role");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), crm_field_label (CRM_ENTITY_CONTACT, "role"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (words));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), now >= 0 ? (guint) now + 1 : 0);
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (entry_changed_cb), self);
  adw_preferences_group_add (group, row);
  self->role = ADW_COMBO_ROW (row);
}

static void
build (CrmContactDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *primary = gtk_switch_new ();

  for (guint i = 0; i < N_FIELDS; i++)
    add_field (self, ADW_PREFERENCES_GROUP (group), &self->fields[i], field_names[i]);

  add_role_row (self, ADW_PREFERENCES_GROUP (group));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), crm_field_label (CRM_ENTITY_CONTACT, "is_primary"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("The one to call first; the customer's other contact loses the mark"));
  gtk_widget_set_valign (primary, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (primary), self->contact != NULL && self->contact->is_primary);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), primary);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), primary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (primary), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  crm_field_label (CRM_ENTITY_CONTACT, "is_primary"), -1);
  g_signal_connect_swapped (primary, "notify::active", G_CALLBACK (entry_changed_cb), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  self->primary = GTK_SWITCH (primary);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);

  gtk_box_append (GTK_BOX (box), group);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), box);
  check (self);
}

/* The fields to send: every one typed for a new contact, the changed
 * ones (a cleared one as "") for an edit. */
static JsonObject *
collect (CrmContactDialog *self)
{
  JsonObject *fields = json_object_new ();

  for (guint i = 0; i < N_FIELDS; i++)
    {
      Field *field = &self->fields[i];
      g_autofree char *value = typed (field);

      if (self->contact == NULL ? value != NULL : field_changed (field))
        json_object_set_string_member (fields, field->spec->name, value ? value : "");
    }
  if (self->contact == NULL ? chosen_role (self) != NULL : g_strcmp0 (chosen_role (self), self->contact->role) != 0)
    json_object_set_string_member (fields, "role", chosen_role (self));
  if (self->contact == NULL)
    {
      json_object_set_string_member (fields, "customer_id", self->customer_id);
      json_object_set_boolean_member (fields, "is_primary", gtk_switch_get_active (self->primary));
    }
  else if (gtk_switch_get_active (self->primary) != self->contact->is_primary)
    json_object_set_boolean_member (fields, "is_primary", gtk_switch_get_active (self->primary));
  return fields;
}

static void
response_cb (CrmContactDialog *self,
             const char       *response)
{
  if (g_strcmp0 (response, "save") == 0)
    crm_contact_dialog_save (self);
}

static void
crm_contact_dialog_dispose (GObject *object)
{
  CrmContactDialog *self = CRM_CONTACT_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->contact, crm_contact_unref);

  G_OBJECT_CLASS (crm_contact_dialog_parent_class)->dispose (object);
}

static void
crm_contact_dialog_finalize (GObject *object)
{
  CrmContactDialog *self = CRM_CONTACT_DIALOG (object);

  for (guint i = 0; i < N_FIELDS; i++)
    g_free (self->fields[i].original);
  g_free (self->customer_id);

  G_OBJECT_CLASS (crm_contact_dialog_parent_class)->finalize (object);
}

static void
crm_contact_dialog_class_init (CrmContactDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_contact_dialog_dispose;
  object_class->finalize = crm_contact_dialog_finalize;

  /**
   * CrmContactDialog::saved:
   * @mutation: the queued create or update
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, CRM_TYPE_MUTATION);
}

static void
crm_contact_dialog_init (CrmContactDialog *self)
{
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");
  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
}

GtkWidget *
crm_contact_dialog_new (GtkWindow  *parent,
                        CrmStore   *store,
                        const char *customer_id,
                        CrmContact *contact)
{
  CrmContactDialog *self;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (customer_id != NULL, NULL);

  self = g_object_new (CRM_TYPE_CONTACT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       "heading", contact != NULL ? _("Edit Contact") : _("New Contact"),
                       NULL);
  self->store = g_object_ref (store);
  self->customer_id = g_strdup (customer_id);
  self->contact = contact != NULL ? crm_contact_ref (contact) : NULL;
  build (self);
  return GTK_WIDGET (self);
}

GtkWidget *
crm_contact_dialog_get_entry (CrmContactDialog *self,
                              const char       *field)
{
  Field *f;

  g_return_val_if_fail (CRM_IS_CONTACT_DIALOG (self), NULL);

  f = find_field (self, field);
  return f != NULL ? f->entry : NULL;
}

const char *
crm_contact_dialog_get_field_message (CrmContactDialog *self,
                                      const char       *field)
{
  Field *f;

  g_return_val_if_fail (CRM_IS_CONTACT_DIALOG (self), NULL);

  f = find_field (self, field);
  return f != NULL && gtk_widget_get_visible (f->message_row) ? gtk_label_get_label (GTK_LABEL (f->message)) : NULL;
}

GtkSwitch *
crm_contact_dialog_get_primary (CrmContactDialog *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_DIALOG (self), NULL);

  return self->primary;
}

AdwComboRow *
crm_contact_dialog_get_role (CrmContactDialog *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_DIALOG (self), NULL);

  return self->role;
}

gboolean
crm_contact_dialog_get_valid (CrmContactDialog *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_DIALOG (self), FALSE);

  return adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (self), "save");
}

gboolean
crm_contact_dialog_save (CrmContactDialog *self)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(CrmMutation) mutation = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (CRM_IS_CONTACT_DIALOG (self), FALSE);

  check (self);
  if (!crm_contact_dialog_get_valid (self))
    return FALSE;
  fields = collect (self);
  if (self->contact == NULL)
    mutation = crm_store_enqueue_create (self->store, CRM_ENTITY_CONTACT, NULL, fields, &error);
  else
    mutation = crm_store_enqueue_update (self->store, CRM_ENTITY_CONTACT, self->contact->id, fields, &error);
  if (mutation == NULL)
    {
      g_warning ("Cannot queue the contact: %s", error->message);
      gtk_label_set_label (self->error_label, _("The contact could not be saved here"));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return FALSE;
    }
  g_signal_emit (self, signals[SAVED], 0, mutation);
  return TRUE;
}
