#define G_LOG_DOMAIN "crm-form"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-fields.h"
#include "crm-form.h"
#include "crm-vocabulary.h"

typedef struct
{
  CrmStore     *store;
  char         *record_id;    /* the record edited, or NULL for a new one */
  JsonObject   *remote;       /* the server's record edited when the store may
                               * not hold it (crm_form_window_set_remote_record ()) */
  gboolean      tried;        /* Save was asked for: say what is missing too */
  gboolean      saving;
  gint64        queued_seq;   /* the change queued, while ::queued is emitted */
  GCancellable *cancellable;
} CrmFormWindowPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (CrmFormWindow, crm_form_window, ADW_TYPE_WINDOW)

enum {
  QUEUED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void enqueue_async (CrmStore            *store,
                           CrmEntity            entity,
                           const char          *id,
                           JsonObject          *remote,
                           JsonObject          *fields,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data);
static CrmMutation *enqueue_finish (GAsyncResult  *result,
                                    GError       **error);

static GtkWidget *
template_child (CrmFormWindow *self,
                const char    *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (self), G_OBJECT_TYPE (self), name);

  g_assert (GTK_IS_WIDGET (child));
  return GTK_WIDGET (child);
}

static gboolean
check (CrmFormWindow *self)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  return CRM_FORM_WINDOW_GET_CLASS (self)->check (self, priv->tried);
}

static gboolean
has_changes (CrmFormWindow *self)
{
  return CRM_FORM_WINDOW_GET_CLASS (self)->has_changes (self);
}

static void
changed_cb (CrmFormWindow *self)
{
  crm_form_window_changed (self);
}

/* Enter in a line: on to the next field. */
static void
next_field_cb (CrmFormWindow *self,
               GtkWidget     *row)
{
  gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
}

/* Enter in the last field: save. */
static void
last_field_cb (CrmFormWindow *self,
               GtkWidget     *row)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "dialog.save", NULL);
}

static void
queued_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CrmFormWindow) self = user_data;
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = enqueue_finish (result, &error);

  priv->saving = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (m == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);

      crm_form_window_show_save_error (self, message);
      gtk_widget_set_sensitive (template_child (self, "save_button"), TRUE);
      return;
    }
  priv->queued_seq = m->seq;
  g_signal_emit (self, signals[QUEUED], 0, m->record_id);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmFormWindow *self = CRM_FORM_WINDOW (widget);
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GError) error = NULL;

  if (priv->saving)
    return;
  priv->tried = TRUE;
  if (!check (self))
    return;
  fields = CRM_FORM_WINDOW_GET_CLASS (self)->dup_fields (self, &error);
  if (fields == NULL)
    {
      crm_form_window_show_save_error (self, error->message);
      return;
    }
  /* an edit that changed nothing */
  if (json_object_get_size (fields) == 0)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  priv->saving = TRUE;
  gtk_widget_set_sensitive (template_child (self, "save_button"), FALSE);
  enqueue_async (priv->store, CRM_FORM_WINDOW_GET_CLASS (self)->entity, priv->record_id, priv->remote, fields,
                 priv->cancellable, queued_cb, g_object_ref (self));
}

static void
escape_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmFormWindow *self = CRM_FORM_WINDOW (widget);
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);
  const char *heading = priv->record_id != NULL ? _("Discard your changes?")
                                                : _(CRM_FORM_WINDOW_GET_CLASS (self)->discard_heading);

  if (priv->saving)
    return;
  if (!has_changes (self))
    gtk_window_destroy (GTK_WINDOW (self));
  else
    crm_form_confirm_discard (GTK_WINDOW (self), heading, _("What you typed has not been saved."));
}

static gboolean
crm_form_window_close_request (GtkWindow *window)
{
  CrmFormWindow *self = CRM_FORM_WINDOW (window);
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  if (priv->saving || !has_changes (self))
    return FALSE;
  escape_action (GTK_WIDGET (window), "dialog.escape", NULL);
  return TRUE;
}

static void
crm_form_window_dispose (GObject *object)
{
  CrmFormWindow *self = CRM_FORM_WINDOW (object);
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), G_OBJECT_TYPE (self));

  G_OBJECT_CLASS (crm_form_window_parent_class)->dispose (object);
}

static void
crm_form_window_finalize (GObject *object)
{
  CrmFormWindow *self = CRM_FORM_WINDOW (object);
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_clear_object (&priv->store);
  g_clear_object (&priv->cancellable);
  g_clear_pointer (&priv->remote, json_object_unref);
  g_free (priv->record_id);

  G_OBJECT_CLASS (crm_form_window_parent_class)->finalize (object);
}

static void
crm_form_window_class_init (CrmFormWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = crm_form_window_dispose;
  object_class->finalize = crm_form_window_finalize;
  window_class->close_request = crm_form_window_close_request;

  /**
   * CrmFormWindow::queued:
   * @record_id: the record's id
   *
   * The record is in the store and its create (or update) in the queue.
   */
  signals[QUEUED] = g_signal_new ("queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "dialog.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "dialog.escape", NULL, escape_action);
}

static void
crm_form_window_init (CrmFormWindow *self)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  priv->cancellable = g_cancellable_new ();
  priv->queued_seq = -1;
}

void
crm_form_window_class_set_template (GtkWidgetClass *widget_class,
                                    const char     *resource)
{
  g_return_if_fail (g_type_is_a (G_TYPE_FROM_CLASS (widget_class), CRM_TYPE_FORM_WINDOW));

  gtk_widget_class_set_template_from_resource (widget_class, resource);
  /* offset 0: kept for gtk_widget_get_template_child () only */
  gtk_widget_class_bind_template_child_full (widget_class, "save_error", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "save_button", FALSE, 0);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, next_field_cb);
  gtk_widget_class_bind_template_callback (widget_class, last_field_cb);
}

void
crm_form_window_set_store (CrmFormWindow *self,
                           CrmStore      *store)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_return_if_fail (CRM_IS_FORM_WINDOW (self));
  g_return_if_fail (CRM_IS_STORE (store));

  g_set_object (&priv->store, store);
}

CrmStore *
crm_form_window_get_store (CrmFormWindow *self)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_return_val_if_fail (CRM_IS_FORM_WINDOW (self), NULL);

  return priv->store;
}

void
crm_form_window_set_record (CrmFormWindow *self,
                            const char    *id)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_return_if_fail (CRM_IS_FORM_WINDOW (self));

  g_free (priv->record_id);
  priv->record_id = g_strdup (id);
}

gint64
crm_form_window_get_queued_seq (CrmFormWindow *self)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_return_val_if_fail (CRM_IS_FORM_WINDOW (self), -1);

  return priv->queued_seq;
}

void
crm_form_window_set_remote_record (CrmFormWindow *self,
                                   JsonObject    *server_record)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_return_if_fail (CRM_IS_FORM_WINDOW (self));
  g_return_if_fail (server_record != NULL);

  g_clear_pointer (&priv->remote, json_object_unref);
  priv->remote = json_object_ref (server_record);
  crm_form_window_set_record (self, json_object_get_string_member_with_default (server_record, "id", NULL));
}

const char *
crm_form_window_get_record (CrmFormWindow *self)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_return_val_if_fail (CRM_IS_FORM_WINDOW (self), NULL);

  return priv->record_id;
}

void
crm_form_window_changed (CrmFormWindow *self)
{
  CrmFormWindowPrivate *priv = crm_form_window_get_instance_private (self);

  g_return_if_fail (CRM_IS_FORM_WINDOW (self));

  /* a template's signal while it is built: not a form yet */
  if (priv->store == NULL)
    return;
  crm_form_window_show_save_error (self, NULL);
  check (self);
}

void
crm_form_window_show_save_error (CrmFormWindow *self,
                                 const char    *message)
{
  GtkWidget *label;

  g_return_if_fail (CRM_IS_FORM_WINDOW (self));

  label = template_child (self, "save_error");
  if (message != NULL)
    gtk_label_set_label (GTK_LABEL (label), message);
  gtk_widget_set_visible (label, message != NULL);
}

char *
crm_form_dup_text (GtkEditable *editable)
{
  g_return_val_if_fail (GTK_IS_EDITABLE (editable), NULL);

  return g_strstrip (g_strdup (gtk_editable_get_text (editable)));
}

GtkStringList *
crm_form_labels_of (const char * const *names,
                    guint               n)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < n; i++)
    gtk_string_list_append (list, crm_vocabulary_label_at (names, i));
  return list;
}

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
  char       *id;
  JsonObject *remote;
  JsonObject *fields;
} Enqueue;

static void
enqueue_free (gpointer data)
{
  Enqueue *enqueue = data;

  g_clear_object (&enqueue->store);
  g_clear_pointer (&enqueue->fields, json_object_unref);
  g_clear_pointer (&enqueue->remote, json_object_unref);
  g_free (enqueue->id);
  g_free (enqueue);
}

static void
enqueue_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Enqueue *enqueue = task_data;
  g_autoptr(GError) error = NULL;
  CrmMutation *m;

  if (enqueue->remote != NULL)
    m = crm_store_enqueue_update_of_remote (enqueue->store, enqueue->entity, enqueue->remote, enqueue->fields, &error);
  else if (enqueue->id != NULL)
    m = crm_store_enqueue_update (enqueue->store, enqueue->entity, enqueue->id, enqueue->fields, &error);
  else
    m = crm_store_enqueue_create (enqueue->store, enqueue->entity, NULL, enqueue->fields, &error);

  if (m == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, m, (GDestroyNotify) crm_mutation_unref);
}

/* crm_store_enqueue_create () in a worker (it waits for SQLite's fsync),
 * or crm_store_enqueue_update () of the record @id when it is not NULL,
 * or crm_store_enqueue_update_of_remote () of @remote when that is not. */
static void
enqueue_async (CrmStore            *store,
               CrmEntity            entity,
               const char          *id,
               JsonObject          *remote,
               JsonObject          *fields,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Enqueue *enqueue;

  g_return_if_fail (CRM_IS_STORE (store));
  g_return_if_fail (fields != NULL);

  enqueue = g_new0 (Enqueue, 1);
  enqueue->store = g_object_ref (store);
  enqueue->entity = entity;
  enqueue->id = g_strdup (id);
  enqueue->remote = remote ? json_object_ref (remote) : NULL;
  enqueue->fields = json_object_ref (fields);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, enqueue_async);
  g_task_set_task_data (task, enqueue, enqueue_free);
  g_task_run_in_thread (task, enqueue_thread);
}

static CrmMutation *
enqueue_finish (GAsyncResult  *result,
                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
