#define G_LOG_DOMAIN "crm-interaction-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-date.h"
#include "crm-error.h"
#include "crm-form.h"
#include "crm-interaction-dialog.h"
#include "crm-vocabulary.h"

struct _CrmInteractionDialog
{
  CrmFormWindow  parent_instance;

  char          *customer_id;
  GPtrArray     *contact_ids;   /* of the contact row's choices after "No contact" */

  /* Template widgets */
  GtkLabel      *customer_label;
  AdwEntryRow   *subject_row;
  GtkLabel      *subject_error;
  AdwComboRow   *kind_row;
  AdwComboRow   *contact_row;
  AdwEntryRow   *when_row;
  GtkLabel      *when_error;
  AdwComboRow   *outcome_row;
  GtkFrame      *notes_frame;
  GtkTextView   *notes_view;
  GtkLabel      *notes_error;
  AdwEntryRow   *next_step_row;
  AdwEntryRow   *next_step_on_row;
  GtkLabel      *next_step_error;
};

G_DEFINE_FINAL_TYPE (CrmInteractionDialog, crm_interaction_dialog, CRM_TYPE_FORM_WINDOW)

static char *
entry_text (AdwEntryRow *row)
{
  return crm_form_dup_text (GTK_EDITABLE (row));
}

static char *
notes_text (CrmInteractionDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return g_strstrip (g_steal_pointer (&text));
}

/* Something was typed that closing would lose. */
static gboolean
crm_interaction_dialog_has_changes (CrmFormWindow *form)
{
  CrmInteractionDialog *self = CRM_INTERACTION_DIALOG (form);
  g_autofree char *subject = entry_text (self->subject_row);
  g_autofree char *notes = notes_text (self);
  g_autofree char *step = entry_text (self->next_step_row);
  g_autofree char *step_on = entry_text (self->next_step_on_row);

  return subject[0] || notes[0] || step[0] || step_on[0];
}

/* Each field's problem, under it; TRUE when there is none.  What is
 * missing is said only once Save was asked for. */
static gboolean
crm_interaction_dialog_check (CrmFormWindow *form,
                              gboolean       tried)
{
  CrmInteractionDialog *self = CRM_INTERACTION_DIALOG (form);
  g_autofree char *subject = entry_text (self->subject_row);
  g_autofree char *when = entry_text (self->when_row);
  g_autofree char *notes = notes_text (self);
  g_autofree char *step = entry_text (self->next_step_row);
  g_autofree char *step_on = entry_text (self->next_step_on_row);
  g_autoptr(GDateTime) at = crm_form_parse_local_time (when);
  g_autoptr(GDate) on = step_on[0] ? crm_date_parse ("next_step_on", step_on, NULL) : NULL;
  g_autofree char *subject_problem = crm_form_check_field (CRM_ENTITY_INTERACTION, "subject", subject);
  g_autofree char *notes_problem = crm_form_check_field (CRM_ENTITY_INTERACTION, "notes", notes);
  g_autofree char *step_problem = crm_form_check_field (CRM_ENTITY_INTERACTION, "next_step", step);
  const char *when_problem = NULL;
  GtkWidget *step_row = GTK_WIDGET (self->next_step_row);

  if (subject[0] == '\0' && !tried)
    g_clear_pointer (&subject_problem, g_free);
  if (at == NULL)
    when_problem = _("Enter a date and time, such as 2026-12-03 14:30");
  if (step_problem == NULL && step_on[0] && on == NULL)
    {
      step_problem = g_strdup (_("Enter a date, such as 2026-12-10"));
      step_row = GTK_WIDGET (self->next_step_on_row);
    }
  else if (step_problem == NULL && step_on[0] && step[0] == '\0')
    step_problem = g_strdup (_("Say what the next step is, or leave its date empty"));

  crm_form_set_error (GTK_WIDGET (self->subject_row), self->subject_error, subject_problem);
  crm_form_set_error (GTK_WIDGET (self->when_row), self->when_error, when_problem);
  crm_form_set_error (GTK_WIDGET (self->notes_frame), self->notes_error, notes_problem);
  crm_form_set_error (GTK_WIDGET (self->next_step_row), self->next_step_error, NULL);
  crm_form_set_error (GTK_WIDGET (self->next_step_on_row), self->next_step_error, NULL);
  crm_form_set_error (step_row, self->next_step_error, step_problem);

  return subject[0] != '\0' && subject_problem == NULL && when_problem == NULL && notes_problem == NULL &&
         step_problem == NULL;
}

static JsonObject *
crm_interaction_dialog_form_dup_fields (CrmFormWindow  *form,
                                        GError        **error)
{
  return crm_interaction_dialog_dup_fields (CRM_INTERACTION_DIALOG (form), error);
}

static void
crm_interaction_dialog_finalize (GObject *object)
{
  CrmInteractionDialog *self = CRM_INTERACTION_DIALOG (object);

  g_clear_pointer (&self->contact_ids, g_ptr_array_unref);
  g_free (self->customer_id);

  G_OBJECT_CLASS (crm_interaction_dialog_parent_class)->finalize (object);
}

static void
crm_interaction_dialog_class_init (CrmInteractionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  CrmFormWindowClass *form_class = CRM_FORM_WINDOW_CLASS (klass);

  object_class->finalize = crm_interaction_dialog_finalize;
  form_class->entity = CRM_ENTITY_INTERACTION;
  form_class->discard_heading = N_("Discard this interaction?");
  form_class->check = crm_interaction_dialog_check;
  form_class->has_changes = crm_interaction_dialog_has_changes;
  form_class->dup_fields = crm_interaction_dialog_form_dup_fields;

  crm_form_window_class_set_template (widget_class, "/org/keylinecrm/Keyline/crm-interaction-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, customer_label);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, subject_row);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, subject_error);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, contact_row);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, when_row);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, when_error);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, outcome_row);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, notes_frame);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, notes_view);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, notes_error);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, next_step_row);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, next_step_on_row);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, next_step_error);
}

static void
crm_interaction_dialog_init (CrmInteractionDialog *self)
{
  g_autoptr(GtkStringList) kinds = crm_form_labels_of (crm_interaction_kind_names, CRM_N_INTERACTION_KINDS);
  g_autoptr(GtkStringList) outcomes = crm_form_labels_of (crm_interaction_outcome_names,
                                                          CRM_N_INTERACTION_OUTCOMES);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *now_text = crm_form_format_local_time (now);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->contact_ids = g_ptr_array_new_with_free_func (g_free);
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds));
  adw_combo_row_set_selected (self->kind_row, CRM_INTERACTION_VISIT);
  adw_combo_row_set_model (self->outcome_row, G_LIST_MODEL (outcomes));
  adw_combo_row_set_selected (self->outcome_row, CRM_OUTCOME_POSITIVE);
  gtk_editable_set_text (GTK_EDITABLE (self->when_row), now_text);
  g_signal_connect_object (gtk_text_view_get_buffer (self->notes_view), "changed", G_CALLBACK (crm_form_window_changed), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
crm_interaction_dialog_new (GtkWindow   *parent,
                            CrmStore    *store,
                            CrmCustomer *customer)
{
  CrmInteractionDialog *self;
  g_autoptr(GtkStringList) contacts = gtk_string_list_new (NULL);
  g_autofree char *about = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (customer != NULL, NULL);

  self = g_object_new (CRM_TYPE_INTERACTION_DIALOG, "transient-for", parent, NULL);
  crm_form_window_set_store (CRM_FORM_WINDOW (self), store);
  self->customer_id = g_strdup (customer->id);

  /* TRANSLATORS: under the Log Interaction title: the customer it is with */
  about = g_strdup_printf (_("With %s"), customer->name);
  gtk_label_set_label (self->customer_label, about);
  gtk_string_list_append (contacts, _("No contact"));
  for (guint i = 0; i < customer->contacts->len; i++)
    {
      CrmContact *contact = customer->contacts->pdata[i];
      g_autofree char *label = contact->title && contact->title[0]
        ? g_strdup_printf ("%s · %s", contact->name, contact->title) : g_strdup (contact->name);

      gtk_string_list_append (contacts, label);
      g_ptr_array_add (self->contact_ids, g_strdup (contact->id));
    }
  adw_combo_row_set_model (self->contact_row, G_LIST_MODEL (contacts));
  adw_combo_row_set_selected (self->contact_row, 0);

  gtk_widget_grab_focus (GTK_WIDGET (self->subject_row));
  return GTK_WIDGET (self);
}

JsonObject *
crm_interaction_dialog_dup_fields (CrmInteractionDialog  *self,
                                   GError               **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *subject = entry_text (self->subject_row);
  g_autofree char *when = entry_text (self->when_row);
  g_autofree char *notes = notes_text (self);
  g_autofree char *step = entry_text (self->next_step_row);
  g_autofree char *step_on = entry_text (self->next_step_on_row);
  g_autoptr(GDateTime) at = crm_form_parse_local_time (when);
  g_autofree char *at_text = NULL;
  guint kind = adw_combo_row_get_selected (self->kind_row);
  guint outcome = adw_combo_row_get_selected (self->outcome_row);
  guint contact = adw_combo_row_get_selected (self->contact_row);

  g_return_val_if_fail (CRM_IS_INTERACTION_DIALOG (self), NULL);

  if (at == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "occurred_at", "%s", _("Enter a date and time"));
      return NULL;
    }
  at_text = g_date_time_format_iso8601 (at);
  json_object_set_string_member (fields, "customer_id", self->customer_id);
  json_object_set_string_member (fields, "kind",
                                 kind < CRM_N_INTERACTION_KINDS ? crm_interaction_kind_names[kind] : "");
  json_object_set_string_member (fields, "occurred_at", at_text);
  json_object_set_string_member (fields, "subject", subject);
  json_object_set_string_member (fields, "outcome",
                                 outcome < CRM_N_INTERACTION_OUTCOMES ? crm_interaction_outcome_names[outcome] : "");
  if (contact > 0 && contact <= self->contact_ids->len)
    json_object_set_string_member (fields, "contact_id", self->contact_ids->pdata[contact - 1]);
  if (notes[0])
    json_object_set_string_member (fields, "notes", notes);
  if (step[0])
    json_object_set_string_member (fields, "next_step", step);
  if (step_on[0])
    json_object_set_string_member (fields, "next_step_on", step_on);

  /* the entity table's checks, as the server will make them */
  if (!crm_fields_check_object (CRM_ENTITY_INTERACTION, TRUE, fields, error))
    return NULL;
  return g_steal_pointer (&fields);
}
