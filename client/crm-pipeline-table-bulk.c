#define G_LOG_DOMAIN "crm-pipeline-table"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-date.h"
#include "crm-format.h"
#include "crm-form.h"
#include "crm-pipeline-table-private.h"
#include "crm-vocabulary.h"

/*
 * The Table's bulk changes: what the selected rows are changed to, queued
 * through the store (crm-pipeline-bulk.h), its progress, the toast that
 * says what was done with its Undo, and the rows the store refused.
 */

/* A bulk change of more rows than this shows its progress. */
#define PROGRESS_ABOVE CRM_PIPELINE_BULK_CHUNK

typedef enum
{
  CHANGE_STAGE,
  CHANGE_OWNER,
  CHANGE_CLOSE,
  CHANGE_UNDO,
} Change;

typedef struct
{
  CrmPipelineTable *self;
  CrmPipelineBulk  *bulk;
  CrmPipelineBulk  *previous;   /* each row's values before, or NULL: no undo */
  Change            change;
  char             *target;     /* what the rows were changed to, in words */
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->self);
  g_clear_pointer (&run->bulk, crm_pipeline_bulk_unref);
  g_clear_pointer (&run->previous, crm_pipeline_bulk_unref);
  g_free (run->target);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static char *
done_message (Run   *run,
              guint  n)
{
  switch (run->change)
    {
    case CHANGE_STAGE:
      /* TRANSLATORS: after a bulk change in the Table: how many, and the stage */
      return g_strdup_printf (ngettext ("%u opportunity moved to %s", "%u opportunities moved to %s", n), n,
                              run->target);
    case CHANGE_OWNER:
      /* TRANSLATORS: after a bulk change in the Table: how many, and the new owner */
      return g_strdup_printf (ngettext ("%u opportunity handed to %s", "%u opportunities handed to %s", n), n,
                              run->target);
    case CHANGE_CLOSE:
      /* TRANSLATORS: after a bulk change in the Table: how many, and the date */
      return g_strdup_printf (ngettext ("%u opportunity now closes %s", "%u opportunities now close %s", n), n,
                              run->target);
    case CHANGE_UNDO:
    default:
      return g_strdup_printf (ngettext ("%u change undone", "%u changes undone", n), n);
    }
}

static gboolean
progress_cb (gpointer data)
{
  CrmPipelineTable *self = data;
  guint done, size;
  g_autofree char *text = NULL;

  if (self->running == NULL)
    return G_SOURCE_CONTINUE;
  done = crm_pipeline_bulk_get_done (self->running);
  size = crm_pipeline_bulk_get_size (self->running);
  /* TRANSLATORS: the progress of a bulk change: rows done, of all */
  text = g_strdup_printf (_("%u of %u"), done, size);
  gtk_progress_bar_set_fraction (self->progress_bar, size ? (double) done / size : 1.0);
  gtk_progress_bar_set_text (self->progress_bar, text);
  return G_SOURCE_CONTINUE;
}

static void
show_progress (CrmPipelineTable *self,
               gboolean          shown)
{
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), shown);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), shown);
  if (shown && self->progress_source == 0)
    {
      self->progress_source = g_timeout_add (100, progress_cb, self);
      progress_cb (self);
    }
  else if (!shown)
    g_clear_handle_id (&self->progress_source, g_source_remove);
}

/* The previous values of the rows that were queued, as the next undo. */
static CrmPipelineBulk *
undo_of (Run *run)
{
  CrmPipelineBulk *undo;

  if (run->previous == NULL || crm_pipeline_bulk_get_n_queued (run->bulk) == 0)
    return NULL;
  undo = crm_pipeline_bulk_new (_crm_pipeline_table_get_store (run->self), CRM_ENTITY_OPPORTUNITY);
  for (guint i = 0; i < crm_pipeline_bulk_get_size (run->previous); i++)
    {
      const char *id = crm_pipeline_bulk_get_id (run->previous, i);

      if (crm_pipeline_bulk_was_queued (run->bulk, id))
        crm_pipeline_bulk_add_remote (undo, id, crm_pipeline_bulk_get_fields (run->previous, i),
                                      crm_pipeline_bulk_get_remote (run->previous, i));
    }
  return undo;
}

static void
bulk_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Run) run = user_data;
  CrmPipelineTable *self = run->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean stopped = FALSE;
  guint refused = 0;
  AdwToast *toast;

  g_clear_pointer (&self->running, crm_pipeline_bulk_unref);
  g_clear_object (&self->cancellable);
  show_progress (self, FALSE);
  if (!crm_pipeline_bulk_run_finish (run->bulk, result, &stopped, &error))
    {
      message = g_strdup_printf (_("Could not change them: %s"), error->message);
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (message));
      _crm_pipeline_table_update_actions (self);
      return;
    }
  for (guint i = 0; i < crm_pipeline_bulk_get_size (run->bulk); i++)
    {
      const char *id = crm_pipeline_bulk_get_id (run->bulk, i);
      const char *refusal = crm_pipeline_bulk_get_refusal (run->bulk, id);

      if (refusal != NULL)
        {
          g_hash_table_replace (self->refusals, g_strdup (id), g_strdup (refusal));
          refused++;
        }
      else
        g_hash_table_remove (self->refusals, id);
    }
  /* server mode: the rows show what was queued at once */
  for (guint i = 0; self->remote != NULL && i < crm_pipeline_bulk_get_size (run->bulk); i++)
    if (crm_pipeline_bulk_was_queued (run->bulk, crm_pipeline_bulk_get_id (run->bulk, i)))
      crm_pipeline_remote_list_apply_change (self->remote, crm_pipeline_bulk_get_id (run->bulk, i),
                                             crm_pipeline_bulk_get_fields (run->bulk, i));
  _crm_pipeline_table_refresh_row_errors (self);
  g_clear_pointer (&self->undo, crm_pipeline_bulk_unref);
  self->undo = undo_of (run);

  message = done_message (run, crm_pipeline_bulk_get_n_queued (run->bulk));
  if (refused > 0)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("%s; %u could not be changed (marked)",
                                                         "%s; %u could not be changed (marked)", refused),
                                               message, refused);
      g_free (message);
      message = g_steal_pointer (&more);
    }
  else if (stopped)
    {
      /* TRANSLATORS: a bulk change the user stopped: what was done */
      g_autofree char *more = g_strdup_printf (_("%s before it was stopped"), message);

      g_free (message);
      message = g_steal_pointer (&more);
    }
  toast = adw_toast_new (message);
  if (self->undo != NULL)
    {
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_action_name (toast, "table.undo");
    }
  adw_toast_overlay_add_toast (self->toasts, toast);
  _crm_pipeline_table_update_actions (self);
}

/* Queues @bulk (for the rows, @previous their values before: the undo). */
static void
run_bulk (CrmPipelineTable *self,
          CrmPipelineBulk  *bulk,
          CrmPipelineBulk  *previous,
          Change            change,
          const char       *target)
{
  Run *run = g_new0 (Run, 1);

  run->self = g_object_ref (self);
  run->bulk = crm_pipeline_bulk_ref (bulk);
  run->previous = previous ? crm_pipeline_bulk_ref (previous) : NULL;
  run->change = change;
  run->target = g_strdup (target);
  self->running = crm_pipeline_bulk_ref (bulk);
  self->cancellable = g_cancellable_new ();
  g_hash_table_remove_all (self->keep_selected);
  for (guint i = 0; i < crm_pipeline_bulk_get_size (bulk); i++)
    g_hash_table_add (self->keep_selected, g_strdup (crm_pipeline_bulk_get_id (bulk, i)));
  show_progress (self, crm_pipeline_bulk_get_size (bulk) > PROGRESS_ABOVE);
  _crm_pipeline_table_update_actions (self);
  crm_pipeline_bulk_run_async (bulk, self->cancellable, bulk_done_cb, run);
}

static const char *
record_text (CrmOpportunityItem *item,
             const char         *name)
{
  JsonObject *record = crm_opportunity_item_get_record (item);
  JsonNode *node = json_object_get_member (record, name);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

/* @record with @fields on top (a copy). */
static JsonObject *
record_with (JsonObject *record,
             JsonObject *fields)
{
  JsonObject *copy = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (record);
  g_autoptr(GList) changed = json_object_get_members (fields);

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (record, l->data)));
  for (GList *l = changed; l != NULL; l = l->next)
    json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (fields, l->data)));
  return copy;
}

static void
set_or_null (JsonObject *fields,
             const char *name,
             const char *value)
{
  if (value != NULL)
    json_object_set_string_member (fields, name, value);
  else
    json_object_set_null_member (fields, name);
}

/* Sets @name to @value (NULL: clears it) on every selected row that does
 * not have it yet, @extra (a lost reason) with it; the undo sets each
 * row's own value back. */
static void
change_selected (CrmPipelineTable *self,
                 Change            change,
                 const char       *name,
                 const char       *value,
                 JsonObject       *extra,
                 const char       *target)
{
  g_autoptr(GPtrArray) items = _crm_pipeline_table_selected_items (self);
  g_autoptr(CrmPipelineBulk) bulk = crm_pipeline_bulk_new (_crm_pipeline_table_get_store (self), CRM_ENTITY_OPPORTUNITY);
  g_autoptr(CrmPipelineBulk) previous = crm_pipeline_bulk_new (_crm_pipeline_table_get_store (self), CRM_ENTITY_OPPORTUNITY);

  for (guint i = 0; i < items->len; i++)
    {
      CrmOpportunityItem *item = items->pdata[i];
      const char *was = record_text (item, name);
      g_autoptr(JsonObject) fields = NULL;
      g_autoptr(JsonObject) before = NULL;

      if (g_strcmp0 (was, value) == 0 && extra == NULL)
        continue;
      fields = json_object_new ();
      if (extra != NULL)
        {
          g_autoptr(GList) names = json_object_get_members (extra);

          for (GList *l = names; l != NULL; l = l->next)
            json_object_set_member (fields, l->data, json_node_copy (json_object_get_member (extra, l->data)));
        }
      set_or_null (fields, name, value);
      before = json_object_new ();
      set_or_null (before, name, was);
      if (extra != NULL && json_object_has_member (extra, "lost_reason"))
        set_or_null (before, "lost_reason", record_text (item, "lost_reason"));
      if (self->remote != NULL)
        {
          /* a record of the server's, which the store may not hold: the
           * change is based on it, the undo on it as changed */
          JsonObject *record = crm_opportunity_item_get_record (item);
          g_autoptr(JsonObject) changed = record_with (record, fields);

          crm_pipeline_bulk_add_remote (bulk, crm_opportunity_item_get_id (item), fields, record);
          crm_pipeline_bulk_add_remote (previous, crm_opportunity_item_get_id (item), before, changed);
          continue;
        }
      crm_pipeline_bulk_add (bulk, crm_opportunity_item_get_id (item), fields);
      crm_pipeline_bulk_add (previous, crm_opportunity_item_get_id (item), before);
    }
  run_bulk (self, bulk, previous, change, target);
}

static void
set_stage (CrmPipelineTable *self,
           CrmStage          stage)
{
  g_autoptr(JsonObject) extra = NULL;

  if (stage == CRM_STAGE_LOST)
    {
      g_autofree char *reason = crm_form_dup_text (GTK_EDITABLE (self->lost_reason_entry));
      g_autofree char *problem = crm_form_check_field (CRM_ENTITY_OPPORTUNITY, "lost_reason", reason);

      if (problem == NULL && reason[0] == '\0')
        problem = g_strdup (_("Say why they were lost"));
      crm_form_set_error (GTK_WIDGET (self->lost_reason_entry), self->lost_reason_error, problem);
      if (problem != NULL)
        {
          gtk_widget_grab_focus (GTK_WIDGET (self->lost_reason_entry));
          return;
        }
      extra = json_object_new ();
      json_object_set_string_member (extra, "lost_reason", reason);
      gtk_editable_set_text (GTK_EDITABLE (self->lost_reason_entry), "");
    }
  gtk_popover_popdown (self->stage_popover);
  change_selected (self, CHANGE_STAGE, "stage", crm_stage_names[stage], extra,
                   crm_vocabulary_label_at (crm_stage_names, stage));
}

static void
set_stage_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);
  int stage = crm_wire_lookup (crm_stage_names, g_variant_get_string (parameter, NULL));

  if (stage >= 0 && self->running == NULL)
    set_stage (self, stage);
}

static void
move_to_lost_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);

  if (self->running == NULL)
    set_stage (self, CRM_STAGE_LOST);
}

static void
set_owner_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);
  const char *owner_id = g_variant_get_string (parameter, NULL);
  GPtrArray *owners;
  const char *name = owner_id;

  if (self->running != NULL || !_crm_pipeline_table_may_change_owner (self) || self->model == NULL)
    return;
  owners = crm_pipeline_model_get_choices (self->model, CRM_PIPELINE_CHOICE_OWNER);
  for (guint i = 0; owners != NULL && i < owners->len; i++)
    {
      CrmPipelineChoice *choice = owners->pdata[i];

      if (g_strcmp0 (choice->id, owner_id) == 0)
        name = choice->name;
    }
  gtk_popover_popdown (self->owner_popover);
  change_selected (self, CHANGE_OWNER, "owner_id", owner_id, NULL, name);
}

static void
set_close_date_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);
  g_autofree char *text = crm_form_dup_text (GTK_EDITABLE (self->close_entry));
  g_autoptr(GDate) date = crm_date_parse ("expected_close", text, NULL);
  g_autofree char *shown = NULL;

  if (self->running != NULL)
    return;
  crm_form_set_error (GTK_WIDGET (self->close_entry), self->close_error,
                      date == NULL ? _("Enter a date, such as 2026-12-10") : NULL);
  if (date == NULL)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->close_entry));
      return;
    }
  gtk_popover_popdown (self->close_popover);
  shown = crm_format_date (text);
  change_selected (self, CHANGE_CLOSE, "expected_close", text, NULL, shown);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);

  g_cancellable_cancel (self->cancellable);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);
  g_autoptr(CrmPipelineBulk) undo = g_steal_pointer (&self->undo);

  if (undo == NULL || self->running != NULL)
    return;
  run_bulk (self, undo, NULL, CHANGE_UNDO, NULL);
}

static void
lost_reason_changed_cb (CrmPipelineTable *self)
{
  crm_form_set_error (GTK_WIDGET (self->lost_reason_entry), self->lost_reason_error, NULL);
}

static void
lost_reason_activate_cb (CrmPipelineTable *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "table.move-to-lost", NULL);
}

static void
close_changed_cb (CrmPipelineTable *self)
{
  crm_form_set_error (GTK_WIDGET (self->close_entry), self->close_error, NULL);
}

static void
close_activate_cb (CrmPipelineTable *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "table.set-close-date", NULL);
}

/* The owners the filter bar knows (the directory), each a button. */
static void
owner_popover_show_cb (CrmPipelineTable *self)
{
  GPtrArray *owners = self->model ? crm_pipeline_model_get_choices (self->model, CRM_PIPELINE_CHOICE_OWNER) : NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->owner_buttons))) != NULL)
    gtk_box_remove (self->owner_buttons, child);
  for (guint i = 0; owners != NULL && i < owners->len; i++)
    {
      CrmPipelineChoice *choice = owners->pdata[i];
      GtkWidget *button = gtk_button_new_with_label (choice->name);

      gtk_widget_add_css_class (button, "flat");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 0);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "table.set-owner");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", choice->id);
      gtk_box_append (self->owner_buttons, button);
    }
}

/* One button a stage but lost (which needs its reason, below them). */
void
_crm_pipeline_table_init_bulk (CrmPipelineTable *self)
{
  for (guint i = 0; i < CRM_N_STAGES; i++)
    {
      GtkWidget *button;

      if (i == CRM_STAGE_LOST)
        continue;
      button = gtk_button_new_with_label (crm_vocabulary_label_at (crm_stage_names, i));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "table.set-stage");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", crm_stage_names[i]);
      gtk_box_append (self->stage_buttons, button);
    }
}

void
_crm_pipeline_table_class_init_bulk (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, lost_reason_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lost_reason_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, owner_popover_show_cb);

  gtk_widget_class_install_action (widget_class, "table.set-stage", "s", set_stage_action);
  gtk_widget_class_install_action (widget_class, "table.move-to-lost", NULL, move_to_lost_action);
  gtk_widget_class_install_action (widget_class, "table.set-owner", "s", set_owner_action);
  gtk_widget_class_install_action (widget_class, "table.set-close-date", NULL, set_close_date_action);
  gtk_widget_class_install_action (widget_class, "table.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "table.undo", NULL, undo_action);
}
