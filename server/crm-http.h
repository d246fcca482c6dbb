#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "crm-config.h"
#include "crm-db.h"
#include "crm-error.h"
#include "crm-identity.h"
#include "crm-json-writer.h"
#include "crm-wire.h"

G_BEGIN_DECLS

/* What one server thread owns. */
typedef struct
{
  const CrmConfig *config;
  GMainContext    *context;
  CrmDb           *db;
  CrmIdentityCache *identity;   /* the server's, shared by its threads */
  guint            in_flight;   /* requests paused while the database works */
  GHashTable      *waiting;     /* SoupServerMessage -> its paused CrmRequest (made with the thread) */
} CrmWorker;

typedef struct _CrmRequest CrmRequest;

typedef void (*CrmHandler)   (CrmRequest *req);
typedef void (*CrmBatchDone) (CrmRequest *req,
                              CrmDbBatch *batch);

typedef enum
{
  CRM_ROUTE_PUBLIC = 0,
  CRM_ROUTE_AUTH   = 1 << 0,   /* needs a valid token */
  CRM_ROUTE_BODY   = 1 << 1,   /* takes a JSON object body */
} CrmRouteFlags;

typedef struct
{
  const char    *method;
  const char    *pattern;   /* below /api/v1, e.g. "customers/:id" */
  CrmRouteFlags  flags;
  CrmHandler     handler;
} CrmRoute;

struct _CrmRequest
{
  CrmWorker         *worker;
  SoupServerMessage *msg;
  const CrmRoute    *route;
  GHashTable        *query;        /* may be NULL */
  GPtrArray         *params;       /* the :params of the route, in order */
  JsonNode          *body;         /* with CRM_ROUTE_BODY */
  GBytes            *token_hash;   /* with CRM_ROUTE_AUTH */
  CrmUser           *user;         /* with CRM_ROUTE_AUTH, once known */
  gboolean           user_cached;  /* user may be set in SQL from the cache */
  guint64            auth_generation; /* the cache's, when crm.authenticate() was queued */
  gboolean           auth_in_sql;  /* the current batch begins with crm.authenticate() */
  guint              auth_index;   /* the identity statement in the current batch */
  char              *client_address;
  CrmBatchDone       done;
  gboolean           paused;
  gpointer           data;         /* a handler's own state, freed with the request */
  GDestroyNotify     data_free;
  gboolean           gone;         /* the client went away while we waited */
  gint64             started;
};

/* The one place a CrmError becomes an HTTP status. */
guint       crm_http_status_for_error (const GError *error);

const char *crm_request_param         (CrmRequest  *req,
                                       guint        index);
const char *crm_request_query         (CrmRequest  *req,
                                       const char  *name);
/* A new batch for this request; with CRM_ROUTE_AUTH it begins with the
 * statement that tells PostgreSQL who is asking (its place is kept in
 * req->auth_index): set_config () from the identity cache when it holds
 * the token, crm.authenticate () otherwise.  Either way req->user is who
 * the transaction runs as once the batch is done. */
CrmDbBatch *crm_request_new_batch     (CrmRequest  *req);
/* Pauses the message and runs @batch; @done runs on this thread with the
 * caller authenticated in the same transaction (otherwise 401 was sent). */
void        crm_request_execute       (CrmRequest  *req,
                                       CrmDbBatch  *batch,
                                       CrmBatchDone done);
/* Responses; each ends the request (and frees @req). */
void        crm_request_respond       (CrmRequest  *req,
                                       guint        status,
                                       GString     *json);
void        crm_request_respond_empty (CrmRequest  *req,
                                       guint        status);
void        crm_request_respond_error (CrmRequest  *req,
                                       const GError *error);
void        crm_request_fail          (CrmRequest  *req,
                                       CrmError     code,
                                       const char  *field,
                                       const char  *message);

/* Writes a user as a JSON object. */
void        crm_json_user             (CrmJsonWriter *w,
                                       const CrmUser *user);

/* Seconds a client is asked to wait after a 503. */
#define CRM_HTTP_RETRY_AFTER "5"

/* Answers @msg with @error's JSON and status before its request has been
 * read in full, and closes the connection without reading the rest. */
void        crm_http_refuse           (SoupServerMessage *msg,
                                       const GError      *error);
gboolean    crm_http_is_refused       (SoupServerMessage *msg);
/* A whole HTTP/1.1 response, "Connection: close", with @error as JSON. */
GBytes     *crm_http_error_response   (const GError      *error);

/* Installs the API on @server for @worker. */
void        crm_http_install          (SoupServer  *server,
                                       CrmWorker   *worker);
/* The API's part of @server's "request-started", "request-read" and
 * "request-finished"/"request-aborted": whoever installs it calls these
 * from its own handlers of those signals, first.  (One handler per signal:
 * each one more is a round trip of GObject's process-wide signal lock per
 * request, which the server threads contend for.) */
void        crm_http_request_started  (CrmWorker         *worker,
                                       SoupServerMessage *msg);
void        crm_http_request_read     (CrmWorker         *worker,
                                       SoupServerMessage *msg);
void        crm_http_request_ended    (CrmWorker         *worker,
                                       SoupServerMessage *msg);

/* Drops the request's session from the identity cache (signed out). */
void        crm_request_forget_session (CrmRequest *req);

G_END_DECLS
