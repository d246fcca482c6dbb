#pragma once

#include <adwaita.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_OUTCOME_IMPORT (crm_outcome_import_get_type ())

G_DECLARE_FINAL_TYPE (CrmOutcomeImport, crm_outcome_import, CRM, OUTCOME_IMPORT, AdwWindow)

/*
 * Bulk outcome import of one campaign (issue 11): the user chooses a CSV
 * file (GtkFileChooserNative); the dialog reads it and the campaign's
 * members in a worker (client/store/crm-outcome-csv.h), shows the first
 * rows, a drop-down per column to map (guessed from the header, English
 * or Chinese), the counts of good, rejected and skipped rows and each
 * row not imported with its number and reason, checked again in a worker
 * whenever the mapping changes.  Import (enabled with at least one good
 * row) queues the good rows in units with a progress bar and Cancel, then
 * says how many were imported, rejected and skipped, or how many were
 * queued before Cancel; "Save Rejected Rows…" writes the rejected rows as
 * CSV with their reasons, to fix and import again.
 */
GtkWidget  *crm_outcome_import_new        (GtkWindow        *parent,
                                           CrmStore         *store,
                                           const char       *campaign_id);
/* Reads and checks @file, as if chosen (also for drag and drop). */
void        crm_outcome_import_open_file  (CrmOutcomeImport *self,
                                           GFile            *file);
/* Whether a worker (reading, checking, importing) is running. */
gboolean    crm_outcome_import_is_busy    (CrmOutcomeImport *self);

G_END_DECLS
