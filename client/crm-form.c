#define G_LOG_DOMAIN "crm-form"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-fields.h"
#include "crm-form.h"

void
crm_form_set_error (GtkWidget  *row,
                    GtkLabel   *label,
                    const char *message)
{
  gboolean invalid = message != NULL && message[0] != '\0';

  gtk_label_set_label (label, invalid ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), invalid);
  if (invalid)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID,
                               invalid ? GTK_ACCESSIBLE_INVALID_TRUE : GTK_ACCESSIBLE_INVALID_FALSE, -1);
  if (invalid)
    gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

char *
crm_form_check_field (CrmEntity   entity,
                      const char *name,
                      const char *value)
{
  const CrmField *spec = crm_field_spec_lookup (entity, name);

  g_return_val_if_fail (spec != NULL, NULL);

  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (value == NULL)
    return (spec->flags & CRM_FIELD_REQUIRED) ? g_strdup (_("This field cannot be empty")) : NULL;
  if (crm_field_validate (spec, value, NULL))
    return NULL;
  if (spec->check == CRM_FIELD_TEXT && spec->max_chars > 0 && g_utf8_strlen (value, -1) > spec->max_chars)
    return g_strdup_printf (ngettext ("Use at most %u character", "Use at most %u characters", spec->max_chars),
                            spec->max_chars);
  if (spec->check == CRM_FIELD_TEXT)
    return g_strdup (_("This text has characters that cannot be used"));
  if (spec->check == CRM_FIELD_ENUM)
    return g_strdup (_("Choose one of the values offered"));
  return g_strdup (_("This value cannot be used"));
}

GDateTime *
crm_form_parse_local_time (const char *text)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autofree char *iso = NULL;
  g_autofree char *trimmed = NULL;

  if (text == NULL)
    return NULL;
  trimmed = g_strstrip (g_strdup (text));
  /* "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM[:SS]" */
  if (strlen (trimmed) < 16 || (trimmed[10] != ' ' && trimmed[10] != 'T'))
    return NULL;
  iso = g_strdup (trimmed);
  iso[10] = 'T';
  if (strlen (iso) == 16)
    {
      char *with_seconds = g_strconcat (iso, ":00", NULL);

      g_free (iso);
      iso = with_seconds;
    }
  if (strlen (iso) != 19)
    return NULL;
  return g_date_time_new_from_iso8601 (iso, local);
}

char *
crm_form_format_local_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static gboolean
destroy_cb (gpointer window)
{
  gtk_window_destroy (window);
  return G_SOURCE_REMOVE;
}

static void
discard_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     GtkWindow        *window)
{
  /* once the question has closed: it is @window's child */
  if (g_strcmp0 (response, "discard") == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, destroy_cb, g_object_ref (window), g_object_unref);
}

void
crm_form_confirm_discard (GtkWindow  *window,
                          const char *heading,
                          const char *body)
{
  GtkWidget *dialog;

  g_return_if_fail (GTK_IS_WINDOW (window));

  dialog = adw_message_dialog_new (window, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard", ADW_RESPONSE_DESTRUCTIVE);
  /* Enter and Escape both keep the text: dropping it takes a deliberate click. */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), window, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  CrmStore   *store;
  CrmEntity   entity;
  JsonObject *fields;
} Create;

static void
create_free (gpointer data)
{
  Create *create = data;

  g_clear_object (&create->store);
  g_clear_pointer (&create->fields, json_object_unref);
  g_free (create);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Create *create = task_data;
  g_autoptr(GError) error = NULL;
  CrmMutation *m = crm_store_enqueue_create (create->store, create->entity, NULL, create->fields, &error);

  if (m == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, m, (GDestroyNotify) crm_mutation_unref);
}

void
crm_form_enqueue_create_async (CrmStore            *store,
                               CrmEntity            entity,
                               JsonObject          *fields,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Create *create;

  g_return_if_fail (CRM_IS_STORE (store));
  g_return_if_fail (fields != NULL);

  create = g_new0 (Create, 1);
  create->store = g_object_ref (store);
  create->entity = entity;
  create->fields = json_object_ref (fields);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_form_enqueue_create_async);
  g_task_set_task_data (task, create, create_free);
  g_task_run_in_thread (task, create_thread);
}

CrmMutation *
crm_form_enqueue_create_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
