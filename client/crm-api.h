#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crm-campaign-report.h"
#include "crm-report.h"

G_BEGIN_DECLS

#define CRM_TYPE_API (crm_api_get_type ())

G_DECLARE_FINAL_TYPE (CrmApi, crm_api, CRM, API, GObject)

/*
 * One HTTP session with one Keyline server.  Paths are relative to the
 * API root: "/me" is GET <base-url>/api/v1/me.
 *
 * Failures are CRM_ERROR errors: the server's own {"error": {...}} answer
 * keeps its code, message and field (crm_error_get_field ()); an answer
 * without such a body is mapped from its status.  A server that cannot be
 * reached at all (refused, unknown host, timed out, TLS failure) is
 * CRM_ERROR_UNAVAILABLE with the field CRM_API_FIELD_SERVER, which tells it
 * apart from a server that answered 503.  Cancelling gives G_IO_ERROR_CANCELLED.
 */
#define CRM_API_FIELD_SERVER "server"

CrmApi     *crm_api_new                (const char           *base_url,
                                        GError              **error);
const char *crm_api_get_base_url       (CrmApi               *self);
const char *crm_api_get_token          (CrmApi               *self);
void        crm_api_set_token          (CrmApi               *self,
                                        const char           *token);

void        crm_api_sign_in_async      (CrmApi               *self,
                                        const char           *login,
                                        const char           *password,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
char       *crm_api_sign_in_finish     (CrmApi               *self,
                                        GAsyncResult         *result,
                                        JsonObject          **user,
                                        guint                *retry_after,
                                        GError              **error);

void        crm_api_sign_out_async     (CrmApi               *self,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean    crm_api_sign_out_finish    (CrmApi               *self,
                                        GAsyncResult         *result,
                                        GError              **error);

void        crm_api_get_json_async     (CrmApi               *self,
                                        const char           *path,
                                        GHashTable           *query,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
/* Hears a header of an answer before its body (NULL: the answer has none). */
typedef void (*CrmApiHeaderFunc) (const char *value,
                                  gpointer    user_data);

/* Reads a successful answer's body: what it returns, or NULL with @error set. */
typedef gpointer (*CrmApiReadFunc) (GBytes  *body,
                                    GError **error);

void        crm_api_get_read_with_header_async (CrmApi              *self,
                                                const char          *path,
                                                GHashTable          *query,
                                                const char          *header,
                                                CrmApiHeaderFunc     header_func,
                                                gpointer             header_data,
                                                GDestroyNotify       header_destroy,
                                                CrmApiReadFunc       read,
                                                GDestroyNotify       read_free,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gpointer    crm_api_get_read_finish    (CrmApi               *self,
                                        GAsyncResult         *result,
                                        GError              **error);
JsonNode   *crm_api_get_json_finish    (CrmApi               *self,
                                        GAsyncResult         *result,
                                        GError              **error);

void        crm_api_post_json_async    (CrmApi               *self,
                                        const char           *path,
                                        JsonNode             *body,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
JsonNode   *crm_api_post_json_finish   (CrmApi               *self,
                                        GAsyncResult         *result,
                                        guint                *status,
                                        GError              **error);
JsonNode   *crm_api_post_json_finish_full (CrmApi            *self,
                                           GAsyncResult      *result,
                                           guint             *status,
                                           JsonNode         **error_body,
                                           GError           **error);

/* POST /customers/{customer_id}/reveal: the full value of one masked field
 * of the customer (@entity "customer", @id its id) or of one of its
 * contacts ("contact"); the server records it in its audit log.  Not
 * sent twice by libsoup (each send is a reveal of its own). */
void        crm_api_reveal_async       (CrmApi               *self,
                                        const char           *customer_id,
                                        const char           *entity,
                                        const char           *id,
                                        const char           *field,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
/* TRUE with the value in @value (NULL when the record has none). */
gboolean    crm_api_reveal_finish      (CrmApi               *self,
                                        GAsyncResult         *result,
                                        char                **value,
                                        GError              **error);

/* GET one of the pipeline reports (crm-report.h: /pipeline, /forecast,
 * /pipeline/analysis) for @query (a forecast's needs a period).  The
 * answer is checked member by member: one the client cannot read is
 * CRM_ERROR_MALFORMED. */
void        crm_api_get_report_async   (CrmApi               *self,
                                        CrmReportKind         kind,
                                        const CrmReportQuery *query,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
/* The report, a CrmPipelineReport, CrmForecast or CrmAnalysis by @kind
 * (free it with crm_report_free ()), and in @answer (optional) the
 * answer's JSON text, to keep in the store. */
gpointer    crm_api_get_report_finish  (CrmApi               *self,
                                        GAsyncResult         *result,
                                        CrmReportKind        *kind,
                                        char                **answer,
                                        GError              **error);

/* GET /campaigns/{campaign_id}/results, checked as
 * crm_campaign_report_from_json () reads it (CRM_ERROR_MALFORMED when it
 * does not); in @answer (optional) the answer's JSON text, to keep. */
void               crm_api_get_campaign_results_async  (CrmApi              *self,
                                                        const char          *campaign_id,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
CrmCampaignReport *crm_api_get_campaign_results_finish (CrmApi              *self,
                                                        GAsyncResult        *result,
                                                        char               **answer,
                                                        GError             **error);

/* Campaigns (issue 11) */

/* POST /segments/preview: how many customers @criteria (a criteria tree,
 * as a segment holds it) match as the caller sees them, and the first
 * @sample of them.  Criteria the server refuses are CRM_ERROR_INVALID
 * with the JSON pointer of what is wrong as the field
 * ("/criteria/all/0/value"). */
void        crm_api_preview_segment_async  (CrmApi               *self,
                                            JsonNode             *criteria,
                                            guint                 sample,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
/* The sample (objects with id, name, region, tier, monthly_revenue) and
 * in @count the number matched. */
JsonArray  *crm_api_preview_segment_finish (CrmApi               *self,
                                            GAsyncResult         *result,
                                            gint64               *count,
                                            GError              **error);

/* What a launch did (POST /campaigns/{id}/launch). */
typedef struct
{
  gint64 members;
  gint64 control;
  gint64 treated;
  gint64 assigned;
  gint64 queued;
} CrmCampaignLaunch;

/* POST /campaigns/{id}/launch: snapshots the segment into members and
 * draws the control group; sent once (a second launch is a 409,
 * CRM_ERROR_CONFLICT). */
void        crm_api_launch_campaign_async  (CrmApi               *self,
                                            const char           *campaign_id,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean    crm_api_launch_campaign_finish (CrmApi               *self,
                                            GAsyncResult         *result,
                                            CrmCampaignLaunch    *launch,
                                            GError              **error);


G_END_DECLS
