#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

/*
 * What the small record dialogs (Log Interaction, New Opportunity) share:
 * their window (below), a field's inline error, the question before typed
 * text is dropped, and the local date and time a user types.
 */

#define CRM_TYPE_FORM_WINDOW (crm_form_window_get_type ())

G_DECLARE_DERIVABLE_TYPE (CrmFormWindow, crm_form_window, CRM, FORM_WINDOW, AdwWindow)

/*
 * The window of such a dialog, abstract: a subclass has a template (set
 * with crm_form_window_class_set_template ()) with a "save_error" label
 * and a "save_button", and says how its fields are checked and read.
 * The window does the rest, the same for every form:
 *
 * - dialog.save (Ctrl+Enter in the template): says under each field what
 *   is wrong (what is missing too, from the first try on), else queues
 *   the fields (a create, or an update of the record being edited: see
 *   crm_form_window_set_record ()) in a worker, the button insensitive
 *   meanwhile; "Could not save: …" under the fields if the store refuses;
 *   ::queued (const char *record_id) once it is queued, then it closes.
 * - dialog.escape and the close button: close at once when nothing was
 *   typed, else ask first (crm_form_confirm_discard ()).
 * - the template callbacks changed_cb (checks again as the user types),
 *   next_field_cb (Enter: the next field) and last_field_cb (Enter: save).
 */
struct _CrmFormWindowClass
{
  AdwWindowClass parent_class;

  CrmEntity    entity;           /* what the form writes */
  const char  *discard_heading;  /* N_("Discard this interaction?"): asked
                                  * before typed text of a new record is dropped */

  /* Shows each field's problem under it; TRUE when there is none.  What
   * is missing is said only when @tried (Save was asked for). */
  gboolean     (*check)          (CrmFormWindow  *self,
                                  gboolean        tried);
  /* Something was typed (or changed) that closing would lose. */
  gboolean     (*has_changes)    (CrmFormWindow  *self);
  /* The fields to queue (for an edit: only the changed ones; none: the
   * window closes and queues nothing), or NULL and the first problem. */
  JsonObject  *(*dup_fields)     (CrmFormWindow  *self,
                                  GError        **error);
};

/* Sets @resource as the template of @widget_class (a subclass) and binds
 * its save_error and save_button and the template callbacks above. */
void         crm_form_window_class_set_template (GtkWidgetClass *widget_class,
                                                 const char     *resource);
void         crm_form_window_set_store          (CrmFormWindow  *self,
                                                 CrmStore       *store);
CrmStore    *crm_form_window_get_store          (CrmFormWindow  *self);
/* Saving updates the record @id (NULL: creates one). */
void         crm_form_window_set_record         (CrmFormWindow  *self,
                                                 const char     *id);
const char  *crm_form_window_get_record         (CrmFormWindow  *self);
/* In a ::queued handler: the queued change's seq (crm_store_get_mutation ()). */
gint64       crm_form_window_get_queued_seq     (CrmFormWindow  *self);
/* Saving updates @server_record (its id), a record the server sent that
 * the store may not hold: crm_store_enqueue_update_of_remote (). */
void         crm_form_window_set_remote_record  (CrmFormWindow  *self,
                                                 JsonObject     *server_record);
/* Checks again (and hides a save error): for changes no template
 * callback sees (a text buffer, a combo row).  Nothing until the store
 * is set: the template's signals while it is built are not the user's. */
void         crm_form_window_changed            (CrmFormWindow  *self);
/* Shows @message under the fields (NULL: hides it). */
void         crm_form_window_show_save_error    (CrmFormWindow  *self,
                                                 const char     *message);

/* The text of @editable without surrounding spaces. */
char        *crm_form_dup_text           (GtkEditable *editable);
/* A list of the translated labels of the first @n of @names
 * (crm_vocabulary_label_at ()), for a combo row. */
GtkStringList *crm_form_labels_of        (const char * const *names,
                                          guint               n);

/* Shows @message (NULL: none) in @label, under the field's row, and marks
 * @row invalid for the eye (the "error" style) and for assistive
 * technologies (the invalid state, the message as its description). */
void        crm_form_set_error           (GtkWidget   *row,
                                          GtkLabel    *label,
                                          const char  *message);

/* Why @value (NULL or "" for none) is not right for the writable field
 * @name of @entity, by the entity table's checks (crm_field_validate ()),
 * in the interface's words; NULL when it is right. */
char       *crm_form_check_field         (CrmEntity    entity,
                                          const char  *name,
                                          const char  *value);

/* "2026-12-03 14:30" (or with seconds, or "T") in local time; NULL if it
 * is not one. */
GDateTime  *crm_form_parse_local_time    (const char  *text);
/* The same, as it is written in the form. */
char       *crm_form_format_local_time   (GDateTime   *time);

/* Asks @heading ("Discard this interaction?") over @window and destroys
 * @window when the user says Discard; Cancel (the default, Escape and
 * Enter) keeps it. */
void        crm_form_confirm_discard     (GtkWindow   *window,
                                          const char  *heading,
                                          const char  *body);

G_END_DECLS
