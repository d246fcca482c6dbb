#define G_LOG_DOMAIN "crm-conflict-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-conflict-dialog.h"
#include "crm-format.h"

/* One conflicting field: its two buttons, in one group. */
typedef struct
{
  char            *field;
  GtkToggleButton *mine;
  GtkToggleButton *theirs;
} Choice;

struct _CrmConflictDialog
{
  AdwMessageDialog  parent_instance;

  GtkGrid          *grid;

  CrmStore         *store;
  CrmMutation      *mutation;
  GPtrArray        *choices;   /* Choice */
};

G_DEFINE_FINAL_TYPE (CrmConflictDialog, crm_conflict_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  RESOLVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
choice_free (gpointer data)
{
  Choice *choice = data;

  g_free (choice->field);
  g_free (choice);
}


/* A value as the user reads it: enums by their label, booleans as yes or
 * no, nothing as "(empty)".  Personal data stays masked as the server
 * masks it: theirs comes masked, and the user's own value is shown the
 * same way (crm_field_mask_value). */
static char *
display_value (CrmEntity   entity,
               const char *field,
               JsonNode   *node)
{
  const CrmField *spec;
  const char *text;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node) || !JSON_NODE_HOLDS_VALUE (node))
    return g_strdup (_("(empty)"));
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? _("Yes") : _("No"));
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return json_to_string (node, FALSE);
  text = json_node_get_string (node);
  if (text[0] == '\0')
    return g_strdup (_("(empty)"));
  spec = crm_field_spec_lookup (entity, field);
  if (spec != NULL && spec->mask != CRM_FIELD_MASK_NONE)
    return crm_field_mask_value (spec, text);
  if (entity == CRM_ENTITY_CUSTOMER && g_str_equal (field, "tier"))
    text = crm_tier_label_for (text);
  else if (entity == CRM_ENTITY_CUSTOMER && g_str_equal (field, "status"))
    text = crm_customer_status_label_for (text);
  else if (entity == CRM_ENTITY_CUSTOMER && g_str_equal (field, "kind"))
    text = crm_customer_kind_label_for (text);
  else if (entity == CRM_ENTITY_CUSTOMER && g_str_equal (field, "industry"))
    text = crm_industry_label_for (text);
  return g_strdup (text);
}

/* A toggle button showing @value, with a check mark while it is chosen.
 * A long value wraps: the two sides of a conflict often differ only at
 * their ends (a name with a suffix added), which an ellipsis would hide.
 * The width in characters keeps the dialog from growing tall. */
static GtkToggleButton *
choice_button (const char *value,
               const char *accessible_label)
{
  GtkWidget *button = gtk_toggle_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (value);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_width_chars (GTK_LABEL (label), 18);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), check);
  gtk_button_set_child (GTK_BUTTON (button), box);
  g_object_bind_property (button, "active", check, "visible", G_BINDING_SYNC_CREATE);
  gtk_widget_set_tooltip_text (button, value);
  gtk_widget_set_hexpand (button, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible_label, -1);
  return GTK_TOGGLE_BUTTON (button);
}

/* Row @row of the grid: the label, yours, theirs. */
static void
add_choice (CrmConflictDialog *self,
            JsonObject        *conflict,
            int                row)
{
  CrmEntity entity = self->mutation->entity;
  const char *field = json_object_get_string_member_with_default (conflict, "field", "");
  const char *label_text = crm_field_label (entity, field) != NULL ? crm_field_label (entity, field) : field;
  JsonNode *mine_node = json_object_get_member (self->mutation->fields, field);
  g_autofree char *mine = display_value (entity, field, mine_node ? mine_node
                                                                  : json_object_get_member (conflict, "mine"));
  g_autofree char *theirs = display_value (entity, field, json_object_get_member (conflict, "theirs"));
  /* TRANSLATORS: what a screen reader says for a choice: "Keep yours for Name: 新名字" */
  g_autofree char *mine_a11y = g_strdup_printf (_("Keep yours for %s: %s"), label_text, mine);
  /* TRANSLATORS: what a screen reader says for a choice: "Keep theirs for Name: 旧名字" */
  g_autofree char *theirs_a11y = g_strdup_printf (_("Keep theirs for %s: %s"), label_text, theirs);
  Choice *choice = g_new0 (Choice, 1);
  GtkWidget *label = gtk_label_new (label_text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_grid_attach (self->grid, label, 0, row, 1, 1);

  choice->field = g_strdup (field);
  choice->mine = choice_button (mine, mine_a11y);
  choice->theirs = choice_button (theirs, theirs_a11y);
  gtk_widget_set_name (GTK_WIDGET (choice->mine), "mine");
  gtk_widget_set_name (GTK_WIDGET (choice->theirs), "theirs");
  gtk_toggle_button_set_group (choice->theirs, choice->mine);
  gtk_toggle_button_set_active (choice->mine, TRUE);   /* the user's value is never lost by default */
  gtk_grid_attach (self->grid, GTK_WIDGET (choice->mine), 1, row, 1, 1);
  gtk_grid_attach (self->grid, GTK_WIDGET (choice->theirs), 2, row, 1, 1);
  g_ptr_array_add (self->choices, choice);
}

static void
response_cb (CrmConflictDialog *self,
             const char        *response)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) keep_mine = NULL;
  g_autoptr(CrmMutation) resolved = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "apply") != 0)
    return;

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->choices->len; i++)
    {
      Choice *choice = self->choices->pdata[i];

      if (gtk_toggle_button_get_active (choice->mine))
        g_strv_builder_add (builder, choice->field);
    }
  keep_mine = g_strv_builder_end (builder);
  if (!crm_store_resolve_conflict (self->store, self->mutation->seq, (const char * const *) keep_mine, &resolved,
                                   &error))
    {
      g_warning ("The conflict could not be resolved: %s", error->message);
      return;
    }
  g_signal_emit (self, signals[RESOLVED], 0, resolved);
}

static void
crm_conflict_dialog_dispose (GObject *object)
{
  CrmConflictDialog *self = CRM_CONFLICT_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CONFLICT_DIALOG);
  g_clear_object (&self->store);
  g_clear_pointer (&self->mutation, crm_mutation_unref);
  g_clear_pointer (&self->choices, g_ptr_array_unref);

  G_OBJECT_CLASS (crm_conflict_dialog_parent_class)->dispose (object);
}

static void
crm_conflict_dialog_class_init (CrmConflictDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_conflict_dialog_dispose;

  /**
   * CrmConflictDialog::resolved:
   * @resolved: (nullable): the change that will be sent, or %NULL when
   *   the server's values were kept for every field
   *
   * The user applied their choices and the store took them.
   */
  signals[RESOLVED] = g_signal_new ("resolved",
                                    G_TYPE_FROM_CLASS (klass),
                                    G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, CRM_TYPE_MUTATION);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-conflict-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmConflictDialog, grid);
}

static void
crm_conflict_dialog_init (CrmConflictDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->choices = g_ptr_array_new_with_free_func (choice_free);
  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
}

/**
 * crm_conflict_dialog_new:
 * @parent: (nullable): the window it belongs to
 * @mutation: a change in conflict (%CRM_MUTATION_CONFLICT)
 * @record_name: (nullable): the customer's name, for the heading
 */
GtkWidget *
crm_conflict_dialog_new (GtkWindow   *parent,
                         CrmStore    *store,
                         CrmMutation *mutation,
                         const char  *record_name)
{
  CrmConflictDialog *self;
  g_autofree char *heading = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (mutation != NULL, NULL);

  self = g_object_new (CRM_TYPE_CONFLICT_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->mutation = crm_mutation_ref (mutation);

  if (record_name != NULL)
    /* TRANSLATORS: %s is a customer's name */
    heading = g_strdup_printf (_("Changes to %s conflict with someone else’s"), record_name);
  else
    heading = g_strdup (_("Your changes conflict with someone else’s"));
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);

  for (guint i = 0; mutation->conflicts != NULL && i < json_array_get_length (mutation->conflicts); i++)
    {
      JsonNode *node = json_array_get_element (mutation->conflicts, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        add_choice (self, json_node_get_object (node), (int) self->choices->len + 1);
    }
  return GTK_WIDGET (self);
}

GtkToggleButton *
crm_conflict_dialog_get_choice (CrmConflictDialog *self,
                                const char        *field,
                                gboolean           mine)
{
  g_return_val_if_fail (CRM_IS_CONFLICT_DIALOG (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  for (guint i = 0; i < self->choices->len; i++)
    {
      Choice *choice = self->choices->pdata[i];

      if (g_str_equal (choice->field, field))
        return mine ? choice->mine : choice->theirs;
    }
  return NULL;
}
