#pragma once

#include <gtk/gtk.h>

#include "crm-api.h"
#include "crm-report.h"
#include "crm-store.h"

G_BEGIN_DECLS

/*
 * One view's report (crm-report.h) for its current query: the answer kept
 * in the store is shown at once, the server is asked, and its answer
 * replaces it (and is kept); when the server cannot be reached the kept
 * one stays, marked offline with its age.  ::changed tells the view to
 * show the state again; :age-text is "As of 10:42, 3 hours ago", kept
 * current while the view is open.
 */

typedef enum
{
  CRM_REPORT_STATE_EMPTY,     /* nothing asked yet, or no server and no store */
  CRM_REPORT_STATE_LOADING,   /* asking, nothing kept to show meanwhile */
  CRM_REPORT_STATE_KEPT,      /* asking, the kept answer shown meanwhile */
  CRM_REPORT_STATE_FRESH,     /* the server's answer */
  CRM_REPORT_STATE_OFFLINE,   /* the server was not reached: the kept answer */
  CRM_REPORT_STATE_NONE,      /* the server was not reached and nothing is kept */
  CRM_REPORT_STATE_FAILED,    /* the server refused (see the error) */
} CrmReportState;

#define CRM_TYPE_REPORT_LOADER (crm_report_loader_get_type ())

G_DECLARE_FINAL_TYPE (CrmReportLoader, crm_report_loader, CRM, REPORT_LOADER, GObject)

CrmReportLoader      *crm_report_loader_new            (CrmReportKind         kind);
void                  crm_report_loader_set_api        (CrmReportLoader      *self,
                                                        CrmApi               *api);
void                  crm_report_loader_set_store      (CrmReportLoader      *self,
                                                        CrmStore             *store);
/* Shows the report for @query: the kept one at once, then the server's. */
void                  crm_report_loader_load           (CrmReportLoader      *self,
                                                        const CrmReportQuery *query);
/* Asks again for the current query. */
void                  crm_report_loader_set_active     (CrmReportLoader      *self,
                                                        gboolean              active);
void                  crm_report_loader_follow_mapped  (CrmReportLoader      *self,
                                                        GtkWidget            *widget);
void                  crm_report_loader_reload         (CrmReportLoader      *self);
CrmReportState        crm_report_loader_get_state      (CrmReportLoader      *self);
/* (transfer none) (nullable): the report shown (a CrmForecast, ...). */
gpointer              crm_report_loader_get_report     (CrmReportLoader      *self);
/* (transfer none) (nullable): when it was fetched. */
GDateTime            *crm_report_loader_get_fetched_at (CrmReportLoader      *self);
/* (transfer none) (nullable): why the server refused. */
const GError         *crm_report_loader_get_error      (CrmReportLoader      *self);
/* (transfer none) (nullable): the query shown. */
const CrmReportQuery *crm_report_loader_get_query      (CrmReportLoader      *self);
/* (transfer none): "As of 10:42, 3 hours ago", "" without a report. */
const char           *crm_report_loader_get_age_text   (CrmReportLoader      *self);

/* What a view says above the report: "As of 10:42, 3 hours ago",
 * "Offline. As of ...", "... Asking the server…", "Offline." or "". */
char                 *crm_report_loader_dup_status     (CrmReportLoader      *self);
/* What a view that shows a kept answer says of it in @state, @age being
 * its age text ("As of 10:42, 3 hours ago"): "Offline. As of …", "As of
 * …. Asking the server…", the age, "Offline." or "".  One wording for
 * every such view (this loader's, CrmRemoteAnswer's). */
char                 *crm_report_state_dup_status      (CrmReportState        state,
                                                        const char           *age);
/* Whether the server was not reached (the view shows an offline icon). */
gboolean              crm_report_loader_is_offline     (CrmReportLoader      *self);

G_END_DECLS
