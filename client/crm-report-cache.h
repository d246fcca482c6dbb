#pragma once

#include <gio/gio.h>

#include "crm-api.h"
#include "crm-report.h"
#include "crm-store.h"

G_BEGIN_DECLS

/*
 * The pipeline reports (crm-report.h) as the Forecast and Analysis views
 * get them: from the server, each answer kept in the local store per
 * (report, scope, period, filters) with the time it was fetched, and from
 * the store when the server cannot be reached, with that time to show
 * its age.
 */

/* The report kept for (@kind, @query), read into its struct, and when it
 * was fetched; NULL without an error when none is kept (or the kept text
 * no longer reads, which is logged). */
gpointer crm_report_cache_read   (CrmStore             *store,
                                  CrmReportKind         kind,
                                  const CrmReportQuery *query,
                                  GDateTime           **fetched_at,
                                  GError              **error);

/* Asks the server for the report; its answer is kept in @store
 * (nullable: not kept), fetched now, before the callback runs. */
void     crm_report_fetch_async  (CrmApi               *api,
                                  CrmStore             *store,
                                  CrmReportKind         kind,
                                  const CrmReportQuery *query,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
/* The report (crm_report_free ()) and when it was fetched, or NULL with
 * the server's error (CRM_ERROR_UNAVAILABLE with the field "server" when
 * it was not reached). */
gpointer crm_report_fetch_finish (GAsyncResult         *result,
                                  GDateTime           **fetched_at,
                                  GError              **error);

G_END_DECLS
