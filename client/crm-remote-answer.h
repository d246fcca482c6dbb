#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "crm-api.h"
#include "crm-report-loader.h"
#include "crm-store.h"

G_BEGIN_DECLS

/*
 * One server answer a view shows that is not one of the pipeline reports
 * (crm-report-loader.h), kept the same way: the answer kept in the store
 * (answer_cache) for the same path and parameters is shown at once, the
 * server is asked, and its answer replaces it and is kept; when the
 * server cannot be reached the kept one stays, marked offline with its
 * age.  It asks only while active (crm_remote_answer_follow_mapped ()).
 * A director's 360° page (crm-customer-remote.h) and the Forecast's
 * drill-down to a person use it.
 *
 * What is kept is what @check makes of the server's answer: it checks the
 * members the view reads (CRM_ERROR_MALFORMED when one is missing or of
 * the wrong type) and may keep only those.  A kept text that no longer
 * passes @check is as if none were kept.  States are CrmReportState's.
 */
typedef JsonNode *(*CrmRemoteCheckFunc) (JsonNode  *answer,
                                         GError   **error);

#define CRM_TYPE_REMOTE_ANSWER (crm_remote_answer_get_type ())

G_DECLARE_FINAL_TYPE (CrmRemoteAnswer, crm_remote_answer, CRM, REMOTE_ANSWER, GObject)

CrmRemoteAnswer *crm_remote_answer_new             (CrmRemoteCheckFunc  check);
void             crm_remote_answer_set_api         (CrmRemoteAnswer    *self,
                                                    CrmApi             *api);
void             crm_remote_answer_set_store       (CrmRemoteAnswer    *self,
                                                    CrmStore           *store);
/* Shows GET @path?@params (nullable; element-type utf8 utf8): the kept
 * answer at once, then the server's.  @path NULL shows nothing. */
void             crm_remote_answer_load            (CrmRemoteAnswer    *self,
                                                    const char         *path,
                                                    GHashTable         *params);
/* Asks again for the current path. */
void             crm_remote_answer_reload          (CrmRemoteAnswer    *self);
void             crm_remote_answer_set_active      (CrmRemoteAnswer    *self,
                                                    gboolean            active);
void             crm_remote_answer_follow_mapped   (CrmRemoteAnswer    *self,
                                                    GtkWidget          *widget);
CrmReportState   crm_remote_answer_get_state       (CrmRemoteAnswer    *self);
/* (transfer none) (nullable): what @check kept of the answer shown. */
JsonNode        *crm_remote_answer_get_answer      (CrmRemoteAnswer    *self);
/* (transfer none) (nullable): the path shown. */
const char      *crm_remote_answer_get_path        (CrmRemoteAnswer    *self);
/* (transfer none) (nullable): why the server refused. */
const GError    *crm_remote_answer_get_error       (CrmRemoteAnswer    *self);
/* (transfer none) (nullable): when the answer shown was fetched. */
GDateTime       *crm_remote_answer_get_fetched_at  (CrmRemoteAnswer    *self);
/* "Offline. As of 10:42, 3 hours ago", "... Asking the server…", "As of
 * ...", "Offline." or "", as crm_report_loader_dup_status () words it. */
char            *crm_remote_answer_dup_status      (CrmRemoteAnswer    *self);
/* How many requests it sent (for tests). */
guint            crm_remote_answer_get_n_requests  (CrmRemoteAnswer    *self);

/* The parameters as one text, sorted by name and URI-escaped: the key of
 * the answer in the store. */
char            *crm_remote_answer_dup_key         (GHashTable         *params);

G_END_DECLS
