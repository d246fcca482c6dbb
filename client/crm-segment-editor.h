#pragma once

#include <adwaita.h>

#include "crm-api.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_SEGMENT_EDITOR (crm_segment_editor_get_type ())

G_DECLARE_FINAL_TYPE (CrmSegmentEditor, crm_segment_editor, CRM, SEGMENT_EDITOR, AdwBin)

/*
 * A campaign's segment: choose a saved one, or build criteria from
 * condition rows (a field and operator of the server's list,
 * server/crm-segment.c, and a value).  Rows joined by "or" form a group,
 * the groups are joined by "and": the criteria are {"all": [group, ...]},
 * a group of one condition the condition itself, of more {"any": [...]}.
 *
 * While the criteria change, the count and a sample of the customers
 * they match come from POST /segments/preview, asked 300 ms after the
 * last change (the previous question cancelled); a condition the server
 * refuses shows its message under that row (the answer's JSON pointer
 * names it).  Save queues the segment (create or update) through the
 * store; ::saved (const char *id) follows, and ::segment-chosen (const
 * char *id, NULL for a new one) whenever the segment shown is another.
 */

GtkWidget  *crm_segment_editor_new             (void);
void        crm_segment_editor_set_store       (CrmSegmentEditor *self,
                                                CrmStore         *store);
/* The API client for the preview; NULL: no count (signed out). */
void        crm_segment_editor_set_api         (CrmSegmentEditor *self,
                                                CrmApi           *api);
/* Shows the saved segment @id (NULL: a new, empty one). */
void        crm_segment_editor_set_segment     (CrmSegmentEditor *self,
                                                const char       *id);
const char *crm_segment_editor_get_segment     (CrmSegmentEditor *self);
/* FALSE: shown only (a campaign past planning keeps its segment). */
void        crm_segment_editor_set_editable    (CrmSegmentEditor *self,
                                                gboolean          editable);
/* The criteria as the rows say them, or NULL while a row is incomplete
 * or wrong (or there is none). */
JsonNode   *crm_segment_editor_dup_criteria    (CrmSegmentEditor *self);
/* What the count line says: "empty" (no condition), "incomplete",
 * "waiting" (a change not asked yet), "loading", "counted", "invalid"
 * (the server refused a condition), "offline", "failed". */
const char *crm_segment_editor_get_state       (CrmSegmentEditor *self);
/* The last count (-1 when none is shown). */
gint64      crm_segment_editor_get_count       (CrmSegmentEditor *self);
/* Changes not saved yet. */
gboolean    crm_segment_editor_has_changes     (CrmSegmentEditor *self);

/* The condition rows (for tests and assistive use): the row @index, a
 * box whose children are named "joiner", "kind", "value" (and
 * "value-high" for a range, "choices" for a list of words), "remove",
 * and "error" (its message). */
guint       crm_segment_editor_get_n_conditions (CrmSegmentEditor *self);
GtkWidget  *crm_segment_editor_get_condition    (CrmSegmentEditor *self,
                                                 guint             index);
/* The condition kinds offered, in the "kind" drop-down's order: the
 * position of @field with @op, or -1. */
int         crm_segment_editor_kind_position    (const char       *field,
                                                 const char       *op);

G_END_DECLS
