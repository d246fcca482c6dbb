#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

/*
 * What the small record dialogs (Log Interaction, New Opportunity) share:
 * a field's inline error, the question before typed text is dropped, the
 * local date and time a user types, and the create queued in a worker.
 */

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

/* crm_store_enqueue_create () in a worker (it waits for SQLite's fsync). */
void         crm_form_enqueue_create_async  (CrmStore            *store,
                                             CrmEntity            entity,
                                             JsonObject          *fields,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
CrmMutation *crm_form_enqueue_create_finish (GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
