#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * What a director's pages ask the server for opportunities: a director's
 * local store holds only the opportunities they own (and their stage
 * history), so the 360° page, its timeline and the customer brief take
 * the customer's other open opportunities and their stage changes from
 * GET /customers/{id}/360, and the Forecast's drill-down to a person takes
 * that person's opportunities from GET /opportunities?owner=ID.  Both are
 * kept with CrmRemoteAnswer (crm-remote-answer.h) for offline reading.
 * An account manager's pages read the store alone.
 */

/* Whether @user's (GET /me) pages ask the server for opportunities: a
 * director's. */
gboolean   crm_customer_remote_wanted          (JsonObject  *user);

/* "/customers/{id}/360". */
char      *crm_customer_remote_path            (const char  *customer_id);

/* A CrmRemoteCheckFunc for GET /customers/{id}/360: checks the open
 * opportunities and the timeline's stage changes and keeps only them,
 * as {"opportunities": [...], "stage_changes": [...]} (each stage change
 * the history record with opportunity_name and changed_by_name). */
JsonNode  *crm_customer_remote_check_360       (JsonNode    *answer,
                                                GError     **error);
/* (transfer none): the members of what crm_customer_remote_check_360 ()
 * kept; NULL for NULL. */
JsonArray *crm_customer_remote_opportunities   (JsonNode    *kept);
JsonArray *crm_customer_remote_stage_changes   (JsonNode    *kept);

/* A CrmRemoteCheckFunc for GET /opportunities (docs/openapi.yaml): checks
 * the page and keeps {"total": n, "opportunities": [...]}. */
JsonNode  *crm_customer_remote_check_list      (JsonNode    *answer,
                                                GError     **error);
/* How many opportunities matched in all (the page may hold fewer). */
gint64     crm_customer_remote_list_total      (JsonNode    *kept);

G_END_DECLS
