#define G_LOG_DOMAIN "crm-customer-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-columns.h"
#include "crm-customer-editor.h"
#include "crm-format.h"

/* One editable field of the customer or of one contact. */
typedef struct
{
  CrmCustomerEditor  *editor;
  CrmEntity           entity;
  char               *record_id;
  const CrmFieldSpec *spec;
  GtkWidget          *row;        /* AdwEntryRow or AdwComboRow */
  GtkWidget          *message_row;
  GtkLabel           *message;
  char               *original;   /* as the record has it (maybe masked); NULL for none */
  GStrv               choices;    /* the values an AdwComboRow offers, or NULL */
  gboolean            changed;
  gboolean            valid;
} Field;

struct _CrmCustomerEditor
{
  AdwBin       parent_instance;

  CrmCustomer *customer;
  GPtrArray   *fields;     /* of Field, in the order shown */
  GPtrArray   *groups;     /* the groups made for the customer */
  gboolean     valid;
  gboolean     changed;

  /* Template widgets */
  GtkBox      *groups_box;
};

G_DEFINE_FINAL_TYPE (CrmCustomerEditor, crm_customer_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_VALID,
  PROP_CHANGED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
field_free (gpointer data)
{
  Field *field = data;

  g_free (field->record_id);
  g_free (field->original);
  g_strfreev (field->choices);
  g_free (field);
}

/* What a field offers to choose from: an enum's words; for the industry,
 * which is free text, the words the data uses, and the record's own if it
 * is another. */
static GStrv
choices_for (const CrmFieldSpec *spec,
             const char         *value)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  if (spec->type == CRM_FIELD_ENUM)
    return g_strdupv ((char **) spec->names);
  if (!g_str_equal (spec->name, "industry"))
    return NULL;

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) crm_industry_names);
  if (value != NULL && value[0] != '\0' && !g_strv_contains (crm_industry_names, value))
    g_strv_builder_add (builder, value);
  return g_strv_builder_end (builder);
}

static const char *
choice_label (const CrmFieldSpec *spec,
              const char         *value)
{
  if (spec->names == crm_tier_names)
    return crm_tier_label_for (value);
  if (spec->names == crm_customer_status_names)
    return crm_customer_status_label_for (value);
  if (spec->names == crm_customer_kind_names)
    return crm_customer_kind_label_for (value);
  if (g_str_equal (spec->name, "industry"))
    return crm_industry_label_for (value);
  return value;   /* credit ratings: AAA, AA... */
}

/* The field's value as it would be sent: trimmed, NULL for empty. */
static char *
field_value (Field *field)
{
  if (field->choices != NULL)
    {
      guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (field->row));

      return selected < g_strv_length (field->choices) ? g_strdup (field->choices[selected]) : NULL;
    }
  else
    {
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (field->row))));

      return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
    }
}

/* Why @value is not right for @field, in the interface's words. */
static char *
explain (Field      *field,
         const char *value)
{
  const CrmFieldSpec *spec = field->spec;

  if (value == NULL || value[0] == '\0')
    return g_strdup (_("This field cannot be empty"));

  switch (spec->type)
    {
    case CRM_FIELD_TEXT:
      if (spec->max_chars > 0 && g_utf8_strlen (value, -1) > spec->max_chars)
        return g_strdup_printf (ngettext ("Use at most %u character", "Use at most %u characters", spec->max_chars),
                                spec->max_chars);
      return g_strdup (_("This text has characters that cannot be used"));
    case CRM_FIELD_MOBILE:
      return g_strdup (_("Enter a mobile number of 11 digits starting with 1"));
    case CRM_FIELD_EMAIL:
      return g_strdup (_("Enter an e-mail address, such as name@example.com"));
    case CRM_FIELD_PHONE:
      return g_strdup (_("Enter a telephone number of 5 to 20 digits"));
    case CRM_FIELD_ENUM:
      return g_strdup (_("Choose one of the values offered"));
    case CRM_FIELD_BOOL:
    case CRM_FIELD_UUID:
    default:
      return g_strdup (_("This value cannot be used"));
    }
}

static void
update_totals (CrmCustomerEditor *self)
{
  gboolean valid = TRUE, changed = FALSE;

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = self->fields->pdata[i];

      valid &= field->valid;
      changed |= field->changed;
    }

  if (self->valid != valid)
    {
      self->valid = valid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
    }
  if (self->changed != changed)
    {
      self->changed = changed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANGED]);
    }
}

static void
check_field (Field *field)
{
  g_autofree char *value = field_value (field);
  g_autofree char *message = NULL;

  field->changed = g_strcmp0 (value, field->original) != 0;

  /* What came from the server stands: a masked number is not a number. */
  if (field->changed && !crm_field_validate (field->spec, value, NULL))
    message = explain (field, value);

  field->valid = message == NULL;
  gtk_label_set_label (field->message, message ? message : "");
  gtk_widget_set_visible (field->message_row, message != NULL);
  if (message != NULL)
    {
      gtk_widget_add_css_class (field->row, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (field->row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (field->row, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (field->row), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

static void
field_changed_cb (Field *field)
{
  check_field (field);
  update_totals (field->editor);
}

static const char *
field_title (CrmEntity   entity,
             const char *name)
{
  if (g_str_equal (name, "name"))
    return entity == CRM_ENTITY_CUSTOMER ? _("Name") : C_("person", "Name");
  if (g_str_equal (name, "name_en"))
    return _("English Name");
  if (g_str_equal (name, "industry"))
    return _("Industry");
  if (g_str_equal (name, "tier"))
    return _("Tier");
  if (g_str_equal (name, "status"))
    return _("Status");
  if (g_str_equal (name, "credit_rating"))
    return _("Credit Rating");
  if (g_str_equal (name, "phone"))
    return _("Phone");
  if (g_str_equal (name, "address"))
    return _("Address");
  if (g_str_equal (name, "title"))
    return _("Job Title");
  if (g_str_equal (name, "mobile"))
    return _("Mobile");
  if (g_str_equal (name, "email"))
    return _("E-mail");
  return name;
}

static void
add_field (CrmCustomerEditor  *self,
           AdwPreferencesGroup *group,
           CrmEntity           entity,
           const char         *record_id,
           const char         *name,
           const char         *value)
{
  Field *field = g_new0 (Field, 1);
  GtkWidget *label;

  field->editor = self;
  field->entity = entity;
  field->record_id = g_strdup (record_id);
  field->spec = crm_field_spec_lookup (entity, name);
  g_assert (field->spec != NULL);
  field->original = value && value[0] ? g_strdup (value) : NULL;
  field->valid = TRUE;
  field->choices = choices_for (field->spec, value);

  if (field->choices != NULL)
    {
      g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
      int selected = value ? crm_wire_lookup ((const char * const *) field->choices, value) : -1;

      for (guint i = 0; field->choices[i] != NULL; i++)
        gtk_string_list_append (labels, choice_label (field->spec, field->choices[i]));
      field->row = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (field->row), G_LIST_MODEL (labels));
      adw_combo_row_set_selected (ADW_COMBO_ROW (field->row), selected >= 0 ? (guint) selected : GTK_INVALID_LIST_POSITION);
      g_signal_connect_swapped (field->row, "notify::selected", G_CALLBACK (field_changed_cb), field);
    }
  else
    {
      field->row = adw_entry_row_new ();
      gtk_editable_set_text (GTK_EDITABLE (field->row), value ? value : "");
      if (field->spec->type == CRM_FIELD_MOBILE || field->spec->type == CRM_FIELD_PHONE)
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (field->row), GTK_INPUT_PURPOSE_PHONE);
      else if (field->spec->type == CRM_FIELD_EMAIL)
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (field->row), GTK_INPUT_PURPOSE_EMAIL);
      g_signal_connect_swapped (field->row, "changed", G_CALLBACK (field_changed_cb), field);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->row), field_title (entity, name));
  gtk_widget_set_name (field->row, name);
  adw_preferences_group_add (group, field->row);

  /* The message, right under its field, while the field is wrong. */
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_add_css_class (label, "caption");
  field->message = GTK_LABEL (label);
  /* An AdwPreferencesRow, or the group would put it below its list. */
  field->message_row = adw_preferences_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (field->message_row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (field->message_row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (field->message_row), FALSE);
  gtk_widget_set_focusable (field->message_row, FALSE);
  gtk_widget_set_visible (field->message_row, FALSE);
  gtk_widget_add_css_class (field->message_row, "field-message");
  adw_preferences_group_add (group, field->message_row);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (field->row),
                                  GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, label, NULL,
                                  -1);

  g_ptr_array_add (self->fields, field);
}

static void
clear (CrmCustomerEditor *self)
{
  for (guint i = 0; i < self->groups->len; i++)
    gtk_box_remove (self->groups_box, self->groups->pdata[i]);
  g_ptr_array_set_size (self->groups, 0);
  g_ptr_array_set_size (self->fields, 0);
}

static AdwPreferencesGroup *
add_group (GtkWidget  *column,
           const char *title,
           const char *description)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (description != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
  gtk_box_append (GTK_BOX (column), group);
  return ADW_PREFERENCES_GROUP (group);
}

/* The customer's fields and its contacts side by side when there is
 * room, one under the other when not. */
static void
add_columns (CrmCustomerEditor  *self,
             GtkWidget         **left,
             GtkWidget         **right)
{
  GtkWidget *flow = crm_columns_new (left, right);

  gtk_box_append (self->groups_box, flow);
  g_ptr_array_add (self->groups, flow);
}

static Field *
find_field (CrmCustomerEditor *self,
            const char        *record_id,
            const char        *name)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = self->fields->pdata[i];

      if (g_str_equal (field->spec->name, name) &&
          (record_id == NULL ? field->entity == CRM_ENTITY_CUSTOMER
                             : field->entity == CRM_ENTITY_CONTACT && g_strcmp0 (field->record_id, record_id) == 0))
        return field;
    }
  return NULL;
}

static void
crm_customer_editor_dispose (GObject *object)
{
  CrmCustomerEditor *self = (CrmCustomerEditor *)object;

  g_clear_pointer (&self->customer, crm_customer_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CUSTOMER_EDITOR);

  G_OBJECT_CLASS (crm_customer_editor_parent_class)->dispose (object);
}

static void
crm_customer_editor_finalize (GObject *object)
{
  CrmCustomerEditor *self = (CrmCustomerEditor *)object;

  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);

  G_OBJECT_CLASS (crm_customer_editor_parent_class)->finalize (object);
}

static void
crm_customer_editor_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CrmCustomerEditor *self = CRM_CUSTOMER_EDITOR (object);

  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;

    case PROP_CHANGED:
      g_value_set_boolean (value, self->changed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_customer_editor_class_init (CrmCustomerEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customer_editor_dispose;
  object_class->finalize = crm_customer_editor_finalize;
  object_class->get_property = crm_customer_editor_get_property;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL,
                          TRUE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CHANGED] =
    g_param_spec_boolean ("changed", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customer-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerEditor, groups_box);
}

static void
crm_customer_editor_init (CrmCustomerEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->fields = g_ptr_array_new_with_free_func (field_free);
  self->groups = g_ptr_array_new ();
  self->valid = TRUE;
}

GtkWidget *
crm_customer_editor_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_EDITOR, NULL);
}

/**
 * crm_customer_editor_set_customer:
 * @customer: (nullable): the record to edit
 *
 * Fills the form with @customer as it is: nothing changed, all valid.
 */
void
crm_customer_editor_set_customer (CrmCustomerEditor *self,
                                  CrmCustomer       *customer)
{
  AdwPreferencesGroup *group;
  GtkWidget *left, *right;

  g_return_if_fail (CRM_IS_CUSTOMER_EDITOR (self));

  clear (self);
  g_clear_pointer (&self->customer, crm_customer_unref);
  if (customer == NULL)
    {
      update_totals (self);
      return;
    }
  self->customer = crm_customer_ref (customer);

  add_columns (self, &left, &right);
  group = add_group (left, _("Profile"), NULL);
  add_field (self, group, CRM_ENTITY_CUSTOMER, customer->id, "name", customer->name);
  add_field (self, group, CRM_ENTITY_CUSTOMER, customer->id, "name_en", customer->name_en);
  add_field (self, group, CRM_ENTITY_CUSTOMER, customer->id, "industry", customer->industry);
  add_field (self, group, CRM_ENTITY_CUSTOMER, customer->id, "tier", customer->tier);
  add_field (self, group, CRM_ENTITY_CUSTOMER, customer->id, "status", customer->status);
  add_field (self, group, CRM_ENTITY_CUSTOMER, customer->id, "credit_rating", customer->credit_rating);
  add_field (self, group, CRM_ENTITY_CUSTOMER, customer->id, "phone", customer->phone);
  add_field (self, group, CRM_ENTITY_CUSTOMER, customer->id, "address", customer->address);

  if (customer->contacts->len == 0)
    {
      group = add_group (right, _("Contacts"), _("No contacts"));
    }
  for (guint i = 0; i < customer->contacts->len; i++)
    {
      CrmContact *contact = customer->contacts->pdata[i];

      group = add_group (right,
                         contact->name && contact->name[0] ? contact->name : _("Contact"),
                         contact->is_primary ? _("Primary contact") : NULL);
      add_field (self, group, CRM_ENTITY_CONTACT, contact->id, "name", contact->name);
      add_field (self, group, CRM_ENTITY_CONTACT, contact->id, "title", contact->title);
      add_field (self, group, CRM_ENTITY_CONTACT, contact->id, "mobile", contact->mobile);
      add_field (self, group, CRM_ENTITY_CONTACT, contact->id, "email", contact->email);
    }

  for (guint i = 0; i < self->fields->len; i++)
    check_field (self->fields->pdata[i]);
  update_totals (self);
}

/**
 * crm_customer_editor_get_customer:
 *
 * Returns: (transfer none) (nullable): the record being edited
 */
CrmCustomer *
crm_customer_editor_get_customer (CrmCustomerEditor *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), NULL);

  return self->customer;
}

gboolean
crm_customer_editor_get_valid (CrmCustomerEditor *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), FALSE);

  return self->valid;
}

gboolean
crm_customer_editor_get_changed (CrmCustomerEditor *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), FALSE);

  return self->changed;
}

gboolean
crm_customer_editor_save (CrmCustomerEditor  *self,
                          CrmStore           *store,
                          guint              *n_queued,
                          GError            **error)
{
  g_autoptr(GArray) updates = g_array_new (FALSE, TRUE, sizeof (CrmStoreUpdate));
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) mutations = NULL;
  CrmStoreUpdate *current = NULL;

  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), FALSE);
  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_queued)
    *n_queued = 0;

  /* Fields are in record order: one update per record, all queued as one
   * unit (the customer and its contacts together, or nothing). */
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *field = self->fields->pdata[i];
      g_autofree char *value = NULL;

      if (!field->changed)
        continue;
      if (current == NULL || current->entity != field->entity || g_strcmp0 (current->id, field->record_id) != 0)
        {
          CrmStoreUpdate update = { field->entity, field->record_id, json_object_new () };

          g_ptr_array_add (objects, update.fields);
          g_array_append_val (updates, update);
          current = &g_array_index (updates, CrmStoreUpdate, updates->len - 1);
        }
      value = field_value (field);
      if (value != NULL)
        json_object_set_string_member (current->fields, field->spec->name, value);
      else
        json_object_set_null_member (current->fields, field->spec->name);
    }
  if (updates->len == 0)
    return TRUE;

  mutations = crm_store_enqueue_updates (store, (CrmStoreUpdate *) (gpointer) updates->data, updates->len, error);
  if (mutations == NULL)
    return FALSE;
  if (n_queued)
    *n_queued = mutations->len;
  return TRUE;
}

/**
 * crm_customer_editor_get_field_row:
 *
 * Returns: (transfer none) (nullable): the row, or %NULL
 */
GtkWidget *
crm_customer_editor_get_field_row (CrmCustomerEditor *self,
                                   const char        *record_id,
                                   const char        *field)
{
  Field *found;

  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  found = find_field (self, record_id, field);
  return found ? found->row : NULL;
}

const char *
crm_customer_editor_get_field_message (CrmCustomerEditor *self,
                                       const char        *record_id,
                                       const char        *field)
{
  Field *found;

  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  found = find_field (self, record_id, field);
  if (found == NULL || !gtk_widget_get_visible (found->message_row))
    return NULL;
  return gtk_label_get_label (found->message);
}

void
crm_customer_editor_focus (CrmCustomerEditor *self)
{
  g_return_if_fail (CRM_IS_CUSTOMER_EDITOR (self));

  if (self->fields->len > 0)
    gtk_widget_grab_focus (((Field *) self->fields->pdata[0])->row);
}
