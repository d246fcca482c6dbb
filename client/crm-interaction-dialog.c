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
  AdwWindow      parent_instance;

  CrmStore      *store;
  char          *customer_id;
  GPtrArray     *contact_ids;   /* of the contact row's choices after "No contact" */
  gboolean       tried;         /* Save was asked for: say what is missing too */
  gboolean       saving;
  GCancellable  *cancellable;

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
  GtkLabel      *save_error;
  GtkButton     *save_button;
};

G_DEFINE_FINAL_TYPE (CrmInteractionDialog, crm_interaction_dialog, ADW_TYPE_WINDOW)

enum {
  QUEUED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
entry_text (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
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
has_typed_text (CrmInteractionDialog *self)
{
  g_autofree char *subject = entry_text (self->subject_row);
  g_autofree char *notes = notes_text (self);
  g_autofree char *step = entry_text (self->next_step_row);
  g_autofree char *step_on = entry_text (self->next_step_on_row);

  return subject[0] || notes[0] || step[0] || step_on[0];
}

/* Each field's problem, under it; TRUE when there is none.  What is
 * missing is said only once Save was asked for. */
static gboolean
check (CrmInteractionDialog *self)
{
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

  if (subject[0] == '\0' && !self->tried)
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

static void
changed_cb (CrmInteractionDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->save_error), FALSE);
  check (self);
}

/* Enter in a line: on to the next field. */
static void
next_field_cb (CrmInteractionDialog *self,
               AdwEntryRow          *row)
{
  gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
}

/* Enter in the last field: save. */
static void
last_field_cb (CrmInteractionDialog *self,
               AdwEntryRow          *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.save", NULL);
}

static void
queued_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CrmInteractionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = crm_form_enqueue_create_finish (result, &error);

  self->saving = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (m == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);

      gtk_label_set_label (self->save_error, message);
      gtk_widget_set_visible (GTK_WIDGET (self->save_error), TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), TRUE);
      return;
    }
  g_signal_emit (self, signals[QUEUED], 0, m->record_id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmInteractionDialog *self = CRM_INTERACTION_DIALOG (widget);
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GError) error = NULL;

  if (self->saving)
    return;
  self->tried = TRUE;
  if (!check (self))
    return;
  fields = crm_interaction_dialog_dup_fields (self, &error);
  if (fields == NULL)
    {
      gtk_label_set_label (self->save_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->save_error), TRUE);
      return;
    }
  self->saving = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  crm_form_enqueue_create_async (self->store, CRM_ENTITY_INTERACTION, fields, self->cancellable, queued_cb,
                                 g_object_ref (self));
}

static void
escape_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmInteractionDialog *self = CRM_INTERACTION_DIALOG (widget);

  if (self->saving)
    return;
  if (!has_typed_text (self))
    gtk_window_destroy (GTK_WINDOW (self));
  else
    crm_form_confirm_discard (GTK_WINDOW (self), _("Discard this interaction?"),
                              _("What you typed has not been saved."));
}

static gboolean
crm_interaction_dialog_close_request (GtkWindow *window)
{
  CrmInteractionDialog *self = CRM_INTERACTION_DIALOG (window);

  if (self->saving || !has_typed_text (self))
    return FALSE;
  escape_action (GTK_WIDGET (window), "dialog.escape", NULL);
  return TRUE;
}

static GtkStringList *
labels_of (const char * const *names,
           guint               n)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (list, crm_vocabulary_label_at (names, i));
  return list;
}

static void
crm_interaction_dialog_dispose (GObject *object)
{
  CrmInteractionDialog *self = CRM_INTERACTION_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_INTERACTION_DIALOG);

  G_OBJECT_CLASS (crm_interaction_dialog_parent_class)->dispose (object);
}

static void
crm_interaction_dialog_finalize (GObject *object)
{
  CrmInteractionDialog *self = CRM_INTERACTION_DIALOG (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->contact_ids, g_ptr_array_unref);
  g_free (self->customer_id);

  G_OBJECT_CLASS (crm_interaction_dialog_parent_class)->finalize (object);
}

static void
crm_interaction_dialog_class_init (CrmInteractionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = crm_interaction_dialog_dispose;
  object_class->finalize = crm_interaction_dialog_finalize;
  window_class->close_request = crm_interaction_dialog_close_request;

  /**
   * CrmInteractionDialog::queued:
   * @record_id: the new interaction's id
   *
   * The interaction is in the store and its create in the queue.
   */
  signals[QUEUED] = g_signal_new ("queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-interaction-dialog.ui");
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
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, save_error);
  gtk_widget_class_bind_template_child (widget_class, CrmInteractionDialog, save_button);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_field_cb);
  gtk_widget_class_bind_template_callback (widget_class, last_field_cb);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "dialog.escape", NULL, escape_action);
}

static void
crm_interaction_dialog_init (CrmInteractionDialog *self)
{
  g_autoptr(GtkStringList) kinds = labels_of (crm_interaction_kind_names, CRM_N_INTERACTION_KINDS);
  g_autoptr(GtkStringList) outcomes = labels_of (crm_interaction_outcome_names, CRM_N_INTERACTION_OUTCOMES);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *now_text = crm_form_format_local_time (now);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->contact_ids = g_ptr_array_new_with_free_func (g_free);
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds));
  adw_combo_row_set_selected (self->kind_row, CRM_INTERACTION_VISIT);
  adw_combo_row_set_model (self->outcome_row, G_LIST_MODEL (outcomes));
  adw_combo_row_set_selected (self->outcome_row, CRM_OUTCOME_POSITIVE);
  gtk_editable_set_text (GTK_EDITABLE (self->when_row), now_text);
  g_signal_connect_object (gtk_text_view_get_buffer (self->notes_view), "changed", G_CALLBACK (changed_cb), self,
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
  self->store = g_object_ref (store);
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
