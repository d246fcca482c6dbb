#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The answers of the server's three pipeline reports (docs/openapi.yaml),
 * as plain structs: GET /pipeline (CrmPipelineReport), GET /forecast
 * (CrmForecast) and GET /pipeline/analysis (CrmAnalysis).  Money is in
 * fen, rates in permille, average days in tenths of a day; a value the
 * server sends as null is CRM_REPORT_NONE.
 *
 * Every member is checked as it is read: a missing member, one of the
 * wrong JSON type, a negative amount, an unknown stage or an unreadable
 * date makes the whole answer CRM_ERROR_MALFORMED, never a crash or a
 * half-read struct.  Members the client does not know are ignored.
 */

#define CRM_REPORT_NONE ((gint64) -1)

typedef enum
{
  CRM_REPORT_PIPELINE,   /* GET /pipeline */
  CRM_REPORT_FORECAST,   /* GET /forecast (needs a period) */
  CRM_REPORT_ANALYSIS,   /* GET /pipeline/analysis */
  CRM_REPORT_OPPORTUNITIES, /* GET /opportunities: one page of a list */
  CRM_N_REPORTS
} CrmReportKind;

/* "/pipeline", "/forecast", "/pipeline/analysis", "/opportunities": the path below /api/v1,
 * also the name the answer is kept under in the local store. */
const char *crm_report_kind_path (CrmReportKind kind);

/* ------------------------------------------------------------------ */
/* What is asked                                                       */
/* ------------------------------------------------------------------ */

/* The scope, the period (forecast only) and the filters of one report.
 * Filters are the endpoints' (owner, team, region, product_line,
 * amount_min, amount_max, close_from, close_to), and GET /opportunities'
 * list parameters (stage, customer, sort, order, limit, after); other
 * names are refused. */
typedef struct _CrmReportQuery CrmReportQuery;

CrmReportQuery *crm_report_query_new        (const char      *scope,
                                             const char      *period);
CrmReportQuery *crm_report_query_copy       (const CrmReportQuery *query);
void            crm_report_query_free       (CrmReportQuery  *query);
const char     *crm_report_query_get_scope  (const CrmReportQuery *query);
const char     *crm_report_query_get_period (const CrmReportQuery *query);
/* FALSE (and nothing set) for a name that is no filter; @value NULL or
 * "" removes the filter. */
gboolean        crm_report_query_set_filter (CrmReportQuery  *query,
                                             const char      *name,
                                             const char      *value);
/* (element-type utf8 utf8) (transfer full): the query's parameters. */
GHashTable     *crm_report_query_to_params  (const CrmReportQuery *query);
/* The parameters in one text, sorted by name and URI-escaped
 * ("period=2026-Q4&scope=me"): equal for equal queries whatever the
 * order the filters were set in; the key of the answer in the store. */
char           *crm_report_query_dup_key    (const CrmReportQuery *query);

/* ------------------------------------------------------------------ */
/* Periods                                                             */
/* ------------------------------------------------------------------ */

typedef enum
{
  CRM_PERIOD_MONTH,
  CRM_PERIOD_QUARTER,
  CRM_PERIOD_YEAR,
} CrmPeriodKind;

/* "2026-12", "2026-Q4" or "2026" for the period of @kind holding @date. */
char     *crm_period_for_date   (CrmPeriodKind  kind,
                                 GDate         *date);
/* The period @steps after (negative: before) @period, of its own kind;
 * NULL for what is no period. */
char     *crm_period_step       (const char    *period,
                                 int            steps);
/* Reads a period: its kind, first and last day.  FALSE for anything but
 * YYYY-MM, YYYY-Qn or YYYY. */
gboolean  crm_period_parse      (const char    *period,
                                 CrmPeriodKind *kind,
                                 GDate         *first,
                                 GDate         *last);

/* ------------------------------------------------------------------ */
/* GET /pipeline                                                       */
/* ------------------------------------------------------------------ */

typedef struct
{
  int     stage;          /* index into crm_stage_names (an open stage) */
  gint64  position;
  gint64  probability;    /* percent */
  gint64  count;
  gint64  amount;
  gint64  weighted;
} CrmPipelineStageTotal;

typedef struct
{
  char       *scope;
  GDateTime  *as_of;
  GArray     *stages;     /* of CrmPipelineStageTotal, in position order */
  gint64      count;
  gint64      amount;
  gint64      weighted;
} CrmPipelineReport;

CrmPipelineReport *crm_pipeline_report_from_json (JsonNode          *node,
                                                  GError           **error);
void               crm_pipeline_report_free      (CrmPipelineReport *totals);

/* ------------------------------------------------------------------ */
/* GET /forecast                                                       */
/* ------------------------------------------------------------------ */

typedef struct
{
  gint64   closed_won;
  gint64   commit;
  gint64   best_case;
  gint64   pipeline;
  gint64   weighted;
  gint64   target;
  gint64   attainment;   /* permille of the target, CRM_REPORT_NONE without one */
  gboolean behind;
} CrmForecastFigures;

typedef enum
{
  CRM_FORECAST_ROW_TEAM,
  CRM_FORECAST_ROW_USER,
  CRM_FORECAST_ROW_NONE,   /* owners without a team */
} CrmForecastRowKind;

typedef struct
{
  CrmForecastRowKind  kind;
  char               *id;     /* a team's or user's id; NULL for CRM_FORECAST_ROW_NONE */
  char               *name;   /* as the server names it; may be NULL for CRM_FORECAST_ROW_NONE */
  CrmForecastFigures  figures;
} CrmForecastRow;

typedef struct
{
  char               *scope;
  char               *period;   /* its label: "2026-Q4" */
  GDate               first;
  GDate               last;
  GDateTime          *as_of;
  CrmForecastFigures  totals;
  GArray             *rows;     /* of CrmForecastRow */
} CrmForecast;

CrmForecast *crm_forecast_from_json (JsonNode    *node,
                                     GError     **error);
void         crm_forecast_free      (CrmForecast *forecast);

/* ------------------------------------------------------------------ */
/* GET /pipeline/analysis                                              */
/* ------------------------------------------------------------------ */

typedef struct
{
  int     stage;        /* index into crm_stage_names (an open stage) */
  gint64  entered;
  gint64  advanced;
  gint64  conversion;   /* permille, or CRM_REPORT_NONE */
  gint64  avg_days;     /* tenths of a day, or CRM_REPORT_NONE */
} CrmAnalysisStage;

typedef struct
{
  char   *quarter;      /* "2026-Q1" */
  gint64  won_count;
  gint64  won_amount;
  gint64  lost_count;
  gint64  win_rate;       /* permille, or CRM_REPORT_NONE */
  gint64  avg_deal_size;  /* fen, or CRM_REPORT_NONE */
} CrmAnalysisQuarter;

typedef struct
{
  char   *reason;
  gint64  count;
  gint64  amount;
} CrmLostReason;

typedef struct
{
  char       *scope;
  GDateTime  *as_of;
  GArray     *stages;         /* of CrmAnalysisStage */
  gint64      win_rate;       /* permille, or CRM_REPORT_NONE */
  gint64      avg_deal_size;  /* fen, or CRM_REPORT_NONE */
  GArray     *quarters;       /* of CrmAnalysisQuarter, oldest first */
  GArray     *lost_reasons;   /* of CrmLostReason, most frequent first */
} CrmAnalysis;

CrmAnalysis *crm_analysis_from_json (JsonNode    *node,
                                     GError     **error);
void         crm_analysis_free      (CrmAnalysis *analysis);

/* ------------------------------------------------------------------ */
/* GET /opportunities                                                  */
/* ------------------------------------------------------------------ */

/* One page of opportunities as the server lists them for the caller
 * (docs/openapi.yaml): the records as the sync sends them, each with the
 * names of its customer and owner.  Each record is checked for what the
 * Board and Table read of it (id, customer_id, customer_name, owner_id,
 * owner_name, name, stage, amount_once, amount_monthly, contract_months,
 * probability, expected_close, stage_changed_at, version); other members
 * are kept as they came. */
typedef struct
{
  char       *scope;
  GDateTime  *as_of;
  gint64      total;          /* every match, not just this page */
  GPtrArray  *opportunities;  /* of JsonObject, in the server's order */
  char       *next;           /* the next page's "after", or NULL on the last */
} CrmOpportunityPage;

CrmOpportunityPage *crm_opportunity_page_from_json (JsonNode           *node,
                                                    GError            **error);
void                crm_opportunity_page_free      (CrmOpportunityPage *page);

/* The sort keys GET /opportunities takes ("expected_close", "amount",
 * "stage_changed_at", "title", "updated_at"), NULL-terminated. */
extern const char * const crm_opportunity_sort_names[];

/* ------------------------------------------------------------------ */
/* Any of them                                                         */
/* ------------------------------------------------------------------ */

/* An answer of @kind read into its struct (CrmPipelineReport,
 * CrmForecast, CrmAnalysis or CrmOpportunityPage); free it with
 * crm_report_free(). */
gpointer crm_report_from_json (CrmReportKind   kind,
                               JsonNode       *node,
                               GError        **error);
/* The same from the answer's text (as the store keeps it). */
gpointer crm_report_from_text (CrmReportKind   kind,
                               const char     *text,
                               GError        **error);
void     crm_report_free      (CrmReportKind   kind,
                               gpointer        report);

/* A rate in permille as a percentage with one decimal ("62.5%"); "—"
 * for CRM_REPORT_NONE. */
char    *crm_report_format_permille (gint64        permille);
/* A period as the interface names it: "December 2026", "Q4 2026",
 * "2026" (in Chinese "2026年12月", "2026年第4季度", "2026年"). */
char    *crm_report_format_period   (const char    *period);

/* "As of 10:42, 3 hours ago" (a date instead of the time after a day):
 * when an answer was fetched, for a view that shows a kept one. */
char    *crm_report_format_age (GDateTime     *fetched,
                                GDateTime     *now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmReportQuery, crm_report_query_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmPipelineReport, crm_pipeline_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmForecast, crm_forecast_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmAnalysis, crm_analysis_free)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmOpportunityPage, crm_opportunity_page_free)

G_END_DECLS
