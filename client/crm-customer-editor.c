#define G_LOG_DOMAIN "crm-customer-editor"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-columns.h"
#include "crm-customer-editor.h"
#include "crm-format.h"

/* One editable field of the customer or of one contact. */
typedef struct
{
  CrmCustomerEditor  *editor;
  guint               index;      /* in editor->fields */
  CrmEntity           entity;
  char               *record_id;
  const CrmField     *spec;
  GtkWidget          *row;        /* AdwEntryRow or AdwComboRow */
  GtkWidget          *masked_row; /* AdwActionRow with the masked value and Replace…, or NULL */
  GtkWidget          *message_row;
  GtkLabel           *message;
  char               *original;   /* as the record has it (maybe masked); NULL for none */
  GStrv               choices;    /* the values an AdwComboRow offers, or NULL */
  gboolean            replacing;  /* the masked value is being replaced */
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
  GTask       *discard_task;   /* while "Discard changes?" is asked */
  GtkWidget   *discard_dialog;

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

/* Personal data the server sent masked (138****5678, 上海********, as the
 * field's entry in shared/crm-entity.c says): the form shows it read-only,
 * and replacing it starts from an empty field, so the mask is never sent
 * back as a value.  A value sent in full (no '*') is edited as any other. */
static gboolean
is_masked (const CrmField *spec,
           const char     *value)
{
  return spec->mask != CRM_FIELD_MASK_NONE && value != NULL && strchr (value, '*') != NULL;
}

/* Shown read-only: a masked value not (yet) being replaced. */
static gboolean
field_is_locked (Field *field)
{
  return field->masked_row != NULL && !field->replacing;
}

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
choices_for (const CrmField *spec,
             const char     *value)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  if (spec->check == CRM_FIELD_ENUM)
    return g_strdupv ((char **) spec->enum_values);
  if (!g_str_equal (spec->name, "industry"))
    return NULL;

  builder = g_strv_builder_new ();
  g_strv_builder_addv (builder, (const char **) crm_industry_names);
  if (value != NULL && value[0] != '\0' && !g_strv_contains (crm_industry_names, value))
    g_strv_builder_add (builder, value);
  return g_strv_builder_end (builder);
}

static const char *
choice_label (const CrmField *spec,
              const char     *value)
{
  if (spec->enum_values == crm_tier_names)
    return crm_tier_label_for (value);
  if (spec->enum_values == crm_customer_status_names)
    return crm_customer_status_label_for (value);
  if (spec->enum_values == crm_customer_kind_names)
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
  return crm_field_problem (field->spec, value);
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
  g_autofree char *value = field_is_locked (field) ? NULL : field_value (field);
  g_autofree char *message = NULL;

  if (field_is_locked (field))
    field->changed = FALSE;
  else if (field->masked_row != NULL)
    /* Replacing starts from nothing; left empty, the value stays. */
    field->changed = value != NULL;
  else
    field->changed = g_strcmp0 (value, field->original) != 0;

  if (field->changed && field->masked_row != NULL && strchr (value, '*') != NULL)
    message = g_strdup (_("Enter the whole value: * stands for hidden characters"));
  else if (field->changed && !crm_field_validate (field->spec, value, NULL))
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

/* The field's label; its wire name for a field that has none. */
static const char *
field_title (Field *field)
{
  const char *label = crm_field_label (field->entity, field->spec->name);

  return label != NULL ? label : field->spec->name;
}

static void
field_changed_cb (Field *field)
{
  check_field (field);
  update_totals (field->editor);
}


/* The row that takes the field's value: an AdwComboRow for a choice, an
 * AdwEntryRow for text. */
static void
make_input_row (Field      *field,
                const char *value)
{
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
      /* A masked value is not a value: replacing it starts empty. */
      gtk_editable_set_text (GTK_EDITABLE (field->row), value && field->masked_row == NULL ? value : "");
      if (field->spec->check == CRM_FIELD_MOBILE || field->spec->check == CRM_FIELD_PHONE)
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (field->row), GTK_INPUT_PURPOSE_PHONE);
      else if (field->spec->check == CRM_FIELD_EMAIL)
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (field->row), GTK_INPUT_PURPOSE_EMAIL);
      g_signal_connect_swapped (field->row, "changed", G_CALLBACK (field_changed_cb), field);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->row), field_title (field));
  gtk_widget_set_name (field->row, field->spec->name);
}

static GtkWidget *
row_button (const char *label,
            const char *icon_name,
            const char *tooltip,
            const char *action_name,
            guint       index)
{
  GtkWidget *button = icon_name ? gtk_button_new_from_icon_name (icon_name) : gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_uint32 (index));
  if (icon_name != NULL)
    {
      gtk_widget_add_css_class (button, "flat");
      /* GTK 4.8: a property's value, then -1. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
    }
  return button;
}

/* A masked value, read-only, and Replace… to type a new one instead; the
 * entry row gets Keep to go back. */
static void
make_masked_row (Field      *field,
                 const char *value)
{
  const char *title = field_title (field);
  GtkWidget *label = gtk_label_new (value);

  field->masked_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (field->masked_row), title);
  gtk_widget_set_name (field->masked_row, field->spec->name);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (field->masked_row), label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (field->masked_row),
                             row_button (_("_Replace…"), NULL,
                                         _("Hidden to protect privacy: type a new value to replace it"),
                                         "editor.replace-field", field->index));
  gtk_accessible_update_property (GTK_ACCESSIBLE (field->masked_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Hidden to protect privacy"), -1);
}

/* The message, right under its field, while the field is wrong. */
static void
make_message_row (Field *field)
{
  GtkWidget *label = gtk_label_new (NULL);

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
  /* GTK 4.8 takes one object for a relation (the NULL-terminated list is
   * GTK 4.14's): a NULL after it would be read as the next relation and
   * the -1 as that one's object, which crashes as soon as AT-SPI is on. */
  gtk_accessible_update_relation (GTK_ACCESSIBLE (field->row),
                                  GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, label,
                                  -1);
}

static void
add_field (CrmCustomerEditor   *self,
           AdwPreferencesGroup *group,
           CrmEntity            entity,
           const char          *record_id,
           const char          *name,
           const char          *value)
{
  Field *field = g_new0 (Field, 1);

  field->editor = self;
  field->index = self->fields->len;
  field->entity = entity;
  field->record_id = g_strdup (record_id);
  field->spec = crm_field_spec_lookup (entity, name);
  g_assert (field->spec != NULL);
  field->original = value && value[0] ? g_strdup (value) : NULL;
  field->valid = TRUE;

  if (is_masked (field->spec, field->original))
    {
      make_masked_row (field, value);
      adw_preferences_group_add (group, field->masked_row);
    }
  make_input_row (field, value);
  adw_preferences_group_add (group, field->row);
  if (field->masked_row != NULL)
    {
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (field->row),
                                row_button (NULL, "edit-undo-symbolic", _("Keep the current value"),
                                            "editor.keep-field", field->index));
      gtk_widget_set_visible (field->row, FALSE);
    }
  make_message_row (field);
  adw_preferences_group_add (group, field->message_row);

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

static Field *
field_for_action (CrmCustomerEditor *self,
                  GVariant          *parameter)
{
  guint index = g_variant_get_uint32 (parameter);

  return index < self->fields->len ? self->fields->pdata[index] : NULL;
}

static void
set_replacing (Field    *field,
               gboolean  replacing)
{
  if (field == NULL || field->masked_row == NULL || field->replacing == replacing)
    return;

  field->replacing = replacing;
  /* Each time from an empty field: nothing of the mask, nothing typed before. */
  gtk_editable_set_text (GTK_EDITABLE (field->row), "");
  gtk_widget_set_visible (field->masked_row, !replacing);
  gtk_widget_set_visible (field->row, replacing);
  field_changed_cb (field);
  gtk_widget_grab_focus (replacing ? field->row : field->masked_row);
}

static void
replace_field_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmCustomerEditor *self = CRM_CUSTOMER_EDITOR (widget);

  set_replacing (field_for_action (self, parameter), TRUE);
}

static void
keep_field_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrmCustomerEditor *self = CRM_CUSTOMER_EDITOR (widget);

  set_replacing (field_for_action (self, parameter), FALSE);
}

/* Ends the question with @discard; or, with @error, takes the dialog
 * away unanswered.  An answered dialog closes itself. */
static void
finish_discard (CrmCustomerEditor *self,
                gboolean           discard,
                GError            *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->discard_task);
  GtkWidget *dialog = g_steal_pointer (&self->discard_dialog);

  if (dialog != NULL)
    {
      g_signal_handlers_disconnect_by_data (dialog, self);
      if (error != NULL)
        gtk_window_destroy (GTK_WINDOW (dialog));
    }
  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, discard);
}

static void
discard_response_cb (CrmCustomerEditor *self,
                     const char        *response,
                     AdwMessageDialog  *dialog)
{
  gboolean discard = g_str_equal (response, "discard");

  finish_discard (self, discard, NULL);
  if (!discard && gtk_widget_get_mapped (GTK_WIDGET (self)))
    crm_customer_editor_focus (self);
}

static void
crm_customer_editor_dispose (GObject *object)
{
  CrmCustomerEditor *self = (CrmCustomerEditor *)object;

  if (self->discard_task != NULL)
    finish_discard (self, FALSE, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                      "The editor went away before the answer"));
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

  gtk_widget_class_install_action (widget_class, "editor.replace-field", "u", replace_field_action);
  gtk_widget_class_install_action (widget_class, "editor.keep-field", "u", keep_field_action);
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

  if (self->discard_task != NULL)
    finish_discard (self, FALSE, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                      "The form changed before the answer"));
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

static void
updates_queued_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  g_autoptr(GPtrArray) mutations = crm_store_enqueue_updates_finish (CRM_STORE (object), result, &error);

  if (mutations == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, mutations->len);
}

void
crm_customer_editor_save_async (CrmCustomerEditor   *self,
                                CrmStore            *store,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GArray) updates = g_array_new (FALSE, TRUE, sizeof (CrmStoreUpdate));
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  CrmStoreUpdate *current = NULL;

  g_return_if_fail (CRM_IS_CUSTOMER_EDITOR (self));
  g_return_if_fail (CRM_IS_STORE (store));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_customer_editor_save_async);

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
    {
      g_task_return_int (task, 0);
      return;
    }

  /* The store copies the updates; the write runs in its worker. */
  crm_store_enqueue_updates_async (store, (CrmStoreUpdate *) (gpointer) updates->data, updates->len,
                                   cancellable, updates_queued_cb, g_steal_pointer (&task));
}

gboolean
crm_customer_editor_save_finish (CrmCustomerEditor  *self,
                                 GAsyncResult       *result,
                                 guint              *n_queued,
                                 GError            **error)
{
  gssize n;

  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_customer_editor_save_async, FALSE);

  n = g_task_propagate_int (G_TASK (result), error);
  if (n_queued)
    *n_queued = n > 0 ? (guint) n : 0;
  return n >= 0;
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
  if (found == NULL)
    return NULL;
  return field_is_locked (found) ? found->masked_row : found->row;
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
    {
      Field *first = self->fields->pdata[0];

      gtk_widget_grab_focus (field_is_locked (first) ? first->masked_row : first->row);
    }
}

/**
 * crm_customer_editor_get_masked:
 *
 * Returns: whether @field shows a masked value that is not being replaced
 */
gboolean
crm_customer_editor_get_masked (CrmCustomerEditor *self,
                                const char        *record_id,
                                const char        *field)
{
  Field *found;

  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  found = find_field (self, record_id, field);
  return found != NULL && field_is_locked (found);
}

/**
 * crm_customer_editor_confirm_discard_async:
 *
 * Asks "Discard changes?" when the form has changes, and answers TRUE
 * (discard) or FALSE (keep editing, the default); without changes it
 * answers TRUE at once.
 */
void
crm_customer_editor_confirm_discard_async (CrmCustomerEditor   *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GtkRoot *root;
  GtkWidget *dialog;

  g_return_if_fail (CRM_IS_CUSTOMER_EDITOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_customer_editor_confirm_discard_async);

  if (!self->changed)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->discard_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "Already asking");
      return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Discard changes?"),
                                   _("The changes to this customer have not been saved."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  /* Enter and Escape both keep editing: discarding takes a deliberate click. */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_swapped (dialog, "response", G_CALLBACK (discard_response_cb), self);

  self->discard_task = g_steal_pointer (&task);
  self->discard_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
crm_customer_editor_confirm_discard_finish (CrmCustomerEditor  *self,
                                            GAsyncResult       *result,
                                            GError            **error)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_EDITOR (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, crm_customer_editor_confirm_discard_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
