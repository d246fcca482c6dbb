#define G_LOG_DOMAIN "crm-handler-pipeline"

#include "config.h"

#include <string.h>

#include "crm-cursor.h"
#include "crm-date.h"
#include "crm-error.h"
#include "crm-handlers.h"
#include "crm-records.h"
#include "crm-validate.h"
#include "crm-wire.h"

/*
 * GET /pipeline, GET /forecast and GET /pipeline/analysis: a director's
 * board totals, forecast and analysis of a team or region, which the
 * client does not hold, computed by PostgreSQL as the caller
 * (server/sql/0015-pipeline-reports.sql): row-level security decides which
 * opportunities count, and crm.pipeline_scope() whether the caller may ask
 * for the scope (403 or 404 naming "scope").  GET /opportunities: the
 * opportunities themselves, a page at a time, of the same scopes and
 * filters (server/sql/0021-director-opportunities.sql).
 *
 * Common query: scope=me|team:UUID|region:UUID (default me), and the
 * filters owner, team, region (UUIDs), product_line, amount_min and
 * amount_max (fen), close_from and close_to (YYYY-MM-DD); /forecast also
 * takes period=YYYY-MM|YYYY-Qn|YYYY (required).  A bad value is a 400
 * naming its parameter, before the database is asked.  Each answer is one
 * batch: the scope's check (and the transaction's time, "as_of"), then
 * the report's statements; the report functions check the scope again
 * and count nothing when it is refused.
 */

/* The largest amount a filter takes: 10^15 fen, ten trillion yuan. */
#define MAX_AMOUNT G_GINT64_CONSTANT (1000000000000000)

/* The parameters of every report statement: scope kind, scope id, then
 * the filter's fields, as crm.pipeline_filter. */
#define REPORT_ARGS \
  "$1, $2::uuid, ROW($3::uuid, $4::uuid, $5::uuid, $6::crm.product_category, $7::bigint, $8::bigint," \
  " $9::date, $10::date)::crm.pipeline_filter"
#define N_REPORT_ARGS 10

static const CrmSql sql_scope = {
  "pipeline_scope",
  "SELECT code, message, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
  " FROM crm.pipeline_scope($1, $2::uuid)",
  2
};

static const CrmSql sql_board = {
  "pipeline_board",
  "SELECT stage, position, probability, count, amount, weighted FROM crm.pipeline_board(" REPORT_ARGS ")",
  N_REPORT_ARGS
};

static const CrmSql sql_forecast = {
  "pipeline_forecast",
  "SELECT kind, id, name, closed_won, commit, best_case, pipeline, weighted, target, attainment, behind"
  " FROM crm.pipeline_forecast(" REPORT_ARGS ", $11::date, $12::date)",
  N_REPORT_ARGS + 2
};

static const CrmSql sql_analysis_stages = {
  "pipeline_analysis_stages",
  "SELECT stage, entered, advanced, conversion, avg_days FROM crm.pipeline_analysis_stages(" REPORT_ARGS ")",
  N_REPORT_ARGS
};

static const CrmSql sql_analysis_quarters = {
  "pipeline_analysis_quarters",
  "SELECT quarter, won_count, won_amount, lost_count, win_rate, avg_deal_size"
  " FROM crm.pipeline_analysis_quarters(" REPORT_ARGS ")",
  N_REPORT_ARGS
};

static const CrmSql sql_lost_reasons = {
  "pipeline_lost_reasons",
  "SELECT reason, count, amount FROM crm.pipeline_lost_reasons(" REPORT_ARGS ")",
  N_REPORT_ARGS
};

/* The filters, in the order of crm.pipeline_filter ($3 to $10). */
enum
{
  FILTER_OWNER,
  FILTER_TEAM,
  FILTER_REGION,
  FILTER_PRODUCT_LINE,
  FILTER_AMOUNT_MIN,
  FILTER_AMOUNT_MAX,
  FILTER_CLOSE_FROM,
  FILTER_CLOSE_TO,
  N_FILTERS
};

static const char * const filter_names[N_FILTERS] = {
  "owner", "team", "region", "product_line", "amount_min", "amount_max", "close_from", "close_to",
};

/* GET /opportunities' parameters after the report's: the stages and the
 * customer (the total's too), then the page's sort, order, position and
 * size.  (/forecast's period takes the first two places instead.) */
enum
{
  LIST_STAGES = N_REPORT_ARGS,
  LIST_CUSTOMER,
  LIST_SORT,
  LIST_DESCENDING,
  LIST_AFTER,
  LIST_AFTER_ID,
  LIST_LIMIT,
  N_LIST_ARGS
};

/* One report request: what it asks, and where its statements are. */
typedef struct
{
  char    *scope;               /* as answered: "me", "team:UUID", "region:UUID" */
  char    *values[N_LIST_ARGS];
  char    *period_label;
  guint    scope_index;
  guint    report_index[3];
  int      sort;                /* GET /opportunities: an index of list_sorts */
  gboolean descending;
  gint64   limit;
} Report;

static void
report_free (gpointer data)
{
  Report *r = data;

  g_free (r->scope);
  for (guint i = 0; i < G_N_ELEMENTS (r->values); i++)
    g_free (r->values[i]);
  g_free (r->period_label);
  g_free (r);
}

/* scope=me|team:UUID|region:UUID into $1 and $2. */
static gboolean
parse_scope (Report      *r,
             const char  *text,
             GError     **error)
{
  const char *colon;

  if (text == NULL || g_str_equal (text, "me"))
    {
      r->scope = g_strdup ("me");
      r->values[0] = g_strdup ("me");
      return TRUE;
    }
  colon = strchr (text, ':');
  if (colon != NULL && crm_validate_uuid (colon + 1) &&
      ((colon - text == 4 && strncmp (text, "team", 4) == 0) ||
       (colon - text == 6 && strncmp (text, "region", 6) == 0)))
    {
      r->values[0] = g_strndup (text, colon - text);
      r->values[1] = g_ascii_strdown (colon + 1, -1);
      r->scope = g_strdup_printf ("%s:%s", r->values[0], r->values[1]);
      return TRUE;
    }
  crm_set_field_error (error, CRM_ERROR_INVALID, "scope", "scope must be me, team:ID or region:ID");
  return FALSE;
}

/* One filter's value, checked, into @out (NULL when absent). */
static gboolean
parse_filter (CrmRequest  *req,
              guint        filter,
              char       **out,
              GError     **error)
{
  const char *name = filter_names[filter];
  const char *text = crm_request_query (req, name);
  g_autoptr(GDate) date = NULL;
  gint64 amount;
  int index;

  if (text == NULL)
    return TRUE;
  switch (filter)
    {
    case FILTER_OWNER:
      if (g_str_equal (text, "me"))
        text = req->user->id;
      G_GNUC_FALLTHROUGH;
    case FILTER_TEAM:
    case FILTER_REGION:
      if (!crm_validate_uuid (text))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, name, "%s must be an id (a UUID)", name);
          return FALSE;
        }
      *out = g_strdup (text);
      return TRUE;
    case FILTER_PRODUCT_LINE:
      if (!crm_parse_enum_param (name, text, crm_product_category_names, &index, error))
        return FALSE;
      *out = g_strdup (text);
      return TRUE;
    case FILTER_AMOUNT_MIN:
    case FILTER_AMOUNT_MAX:
      if (!crm_parse_int_param (name, text, 0, MAX_AMOUNT, &amount, error))
        return FALSE;
      *out = g_strdup_printf ("%" G_GINT64_FORMAT, amount);
      return TRUE;
    default:
      date = crm_date_parse (name, text, error);
      if (date == NULL)
        return FALSE;
      *out = crm_date_format (date);
      return TRUE;
    }
}

/* The scope and the filters into @r's values $1 to $10. */
static gboolean
parse_common (CrmRequest  *req,
              Report      *r,
              GError     **error)
{
  char **f = &r->values[2];

  if (!parse_scope (r, crm_request_query (req, "scope"), error))
    return FALSE;
  for (guint i = 0; i < N_FILTERS; i++)
    if (!parse_filter (req, i, &f[i], error))
      return FALSE;
  if (f[FILTER_AMOUNT_MIN] && f[FILTER_AMOUNT_MAX] &&
      g_ascii_strtoll (f[FILTER_AMOUNT_MIN], NULL, 10) > g_ascii_strtoll (f[FILTER_AMOUNT_MAX], NULL, 10))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "amount_max", "amount_max must not be below amount_min");
      return FALSE;
    }
  /* the same form, so the text order is the date order */
  if (f[FILTER_CLOSE_FROM] && f[FILTER_CLOSE_TO] && strcmp (f[FILTER_CLOSE_FROM], f[FILTER_CLOSE_TO]) > 0)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "close_to", "close_to must not be before close_from");
      return FALSE;
    }
  return TRUE;
}

/* period=YYYY-MM|YYYY-Qn|YYYY into its label and first and last days. */
static gboolean
parse_period (Report      *r,
              const char  *text,
              GError     **error)
{
  guint64 year, n = 0;
  guint first_month, months;
  g_autoptr(GDate) start = NULL;
  g_autoptr(GDate) end = NULL;
  char y[5] = { 0 };

  if (text == NULL || strlen (text) < 4 || !g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[1]) ||
      !g_ascii_isdigit (text[2]) || !g_ascii_isdigit (text[3]))
    goto bad;
  memcpy (y, text, 4);
  if (!g_ascii_string_to_unsigned (y, 10, 1900, 9999, &year, NULL))
    goto bad;
  if (text[4] == '\0')
    first_month = 1, months = 12;
  else if (text[4] == '-' && text[5] == 'Q' && strlen (text) == 7 &&
           g_ascii_string_to_unsigned (text + 6, 10, 1, 4, &n, NULL))
    first_month = 3 * (guint) n - 2, months = 3;
  else if (text[4] == '-' && strlen (text) == 7 && g_ascii_isdigit (text[5]) &&
           g_ascii_string_to_unsigned (text + 5, 10, 1, 12, &n, NULL))
    first_month = (guint) n, months = 1;
  else
    goto bad;

  start = g_date_new_dmy (1, (GDateMonth) first_month, (GDateYear) year);
  end = g_date_copy (start);
  g_date_add_months (end, months);
  g_date_subtract_days (end, 1);
  r->period_label = g_strdup (text);
  r->values[N_REPORT_ARGS] = crm_date_format (start);
  r->values[N_REPORT_ARGS + 1] = crm_date_format (end);
  return TRUE;

bad:
  crm_set_field_error (error, CRM_ERROR_INVALID, "period",
                       "period must be a month (YYYY-MM), a quarter (YYYY-Qn) or a year (YYYY)");
  return FALSE;
}

/* The scope's check: FALSE (and the answer sent) when it refused. */
static gboolean
scope_allowed (CrmRequest *req,
               CrmDbBatch *batch)
{
  Report *r = req->data;
  PGresult *res = crm_db_batch_get_result (batch, r->scope_index);
  const char *code = crm_pg_value (res, 0, 0);

  if (code == NULL)
    return TRUE;
  crm_request_fail (req,
                    g_str_equal (code, "not_found") ? CRM_ERROR_NOT_FOUND
                    : g_str_equal (code, "forbidden") ? CRM_ERROR_FORBIDDEN : CRM_ERROR_INVALID,
                    "scope", PQgetvalue (res, 0, 1));
  return FALSE;
}

/* {"scope": …, "as_of": …, then the caller's members. */
static GString *
begin_answer (CrmRequest    *req,
              CrmDbBatch    *batch,
              CrmJsonWriter *w)
{
  Report *r = req->data;
  PGresult *res = crm_db_batch_get_result (batch, r->scope_index);
  GString *out = g_string_sized_new (2048);

  crm_json_writer_init (w, out);
  crm_json_begin_object (w);
  crm_json_member_string (w, "scope", r->scope);
  crm_json_member_string (w, "as_of", PQgetvalue (res, 0, 2));
  return out;
}

static gint64
int_value (PGresult *res,
           int       row,
           int       col)
{
  return g_ascii_strtoll (PQgetvalue (res, row, col), NULL, 10);
}

/* "key": integer, or null for SQL NULL. */
static void
member_int_or_null (CrmJsonWriter *w,
                    const char    *key,
                    PGresult      *res,
                    int            row,
                    int            col)
{
  crm_json_key (w, key);
  if (PQgetisnull (res, row, col))
    crm_json_null (w);
  else
    crm_json_int (w, int_value (res, row, col));
}

/* Starts @r's batch with the scope's check. */
static CrmDbBatch *
new_report_batch (CrmRequest *req,
                  Report     *r)
{
  CrmDbBatch *batch = crm_request_new_batch (req);

  r->scope_index = crm_db_batch_add (batch, &sql_scope, (const char * const *) r->values);
  return batch;
}

/* Parses the common query into a new Report of @req; FALSE (and the 400
 * sent) when a value is bad. */
static Report *
begin_report (CrmRequest *req)
{
  g_autoptr(GError) error = NULL;
  Report *r = g_new0 (Report, 1);

  req->data = r;
  req->data_free = report_free;
  if (!parse_common (req, r, &error))
    {
      crm_request_respond_error (req, error);
      return NULL;
    }
  return r;
}

/* GET /pipeline ----------------------------------------------------------- */

static void
pipeline_done (CrmRequest *req,
               CrmDbBatch *batch)
{
  Report *r = req->data;
  PGresult *res;
  CrmJsonWriter w;
  GString *out;
  gint64 count = 0, amount = 0, weighted = 0;

  if (!scope_allowed (req, batch))
    return;
  res = crm_db_batch_get_result (batch, r->report_index[0]);
  out = begin_answer (req, batch, &w);
  crm_json_key (&w, "stages");
  crm_json_begin_array (&w);
  for (int i = 0; i < PQntuples (res); i++)
    {
      crm_json_begin_object (&w);
      crm_json_member_string (&w, "stage", PQgetvalue (res, i, 0));
      crm_json_member_int (&w, "position", int_value (res, i, 1));
      crm_json_member_int (&w, "probability", int_value (res, i, 2));
      crm_json_member_int (&w, "count", int_value (res, i, 3));
      crm_json_member_int (&w, "amount", int_value (res, i, 4));
      crm_json_member_int (&w, "weighted", int_value (res, i, 5));
      crm_json_end_object (&w);
      count += int_value (res, i, 3);
      amount += int_value (res, i, 4);
      weighted += int_value (res, i, 5);
    }
  crm_json_end_array (&w);
  crm_json_key (&w, "total");
  crm_json_begin_object (&w);
  crm_json_member_int (&w, "count", count);
  crm_json_member_int (&w, "amount", amount);
  crm_json_member_int (&w, "weighted", weighted);
  crm_json_end_object (&w);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

void
crm_handle_pipeline (CrmRequest *req)
{
  Report *r = begin_report (req);
  CrmDbBatch *batch;

  if (r == NULL)
    return;
  batch = new_report_batch (req, r);
  r->report_index[0] = crm_db_batch_add (batch, &sql_board, (const char * const *) r->values);
  crm_request_execute (req, batch, pipeline_done);
}

/* GET /forecast ----------------------------------------------------------- */

/* The figures of forecast row @i: closed_won … behind. */
static void
write_forecast_figures (CrmJsonWriter *w,
                        PGresult      *res,
                        int            i)
{
  static const char * const money[] = { "closed_won", "commit", "best_case", "pipeline", "weighted", "target" };

  for (guint k = 0; k < G_N_ELEMENTS (money); k++)
    crm_json_member_int (w, money[k], int_value (res, i, 3 + (int) k));
  member_int_or_null (w, "attainment", res, i, 9);
  crm_json_member_bool (w, "behind", g_str_equal (PQgetvalue (res, i, 10), "t"));
}

static void
forecast_done (CrmRequest *req,
               CrmDbBatch *batch)
{
  Report *r = req->data;
  PGresult *res;
  CrmJsonWriter w;
  GString *out;

  if (!scope_allowed (req, batch))
    return;
  res = crm_db_batch_get_result (batch, r->report_index[0]);
  if (PQntuples (res) < 1 || !g_str_equal (PQgetvalue (res, 0, 0), "total"))
    {
      crm_request_fail (req, CRM_ERROR_INTERNAL, NULL, "The forecast came back without its totals");
      return;
    }

  out = begin_answer (req, batch, &w);
  crm_json_key (&w, "period");
  crm_json_begin_object (&w);
  crm_json_member_string (&w, "label", r->period_label);
  crm_json_member_string (&w, "start", r->values[N_REPORT_ARGS]);
  crm_json_member_string (&w, "end", r->values[N_REPORT_ARGS + 1]);
  crm_json_end_object (&w);
  crm_json_key (&w, "totals");
  crm_json_begin_object (&w);
  write_forecast_figures (&w, res, 0);
  crm_json_end_object (&w);
  crm_json_key (&w, "rows");
  crm_json_begin_array (&w);
  for (int i = 1; i < PQntuples (res); i++)
    {
      crm_json_begin_object (&w);
      crm_json_member_string (&w, "kind", PQgetvalue (res, i, 0));
      crm_json_member_string (&w, "id", crm_pg_value (res, i, 1));
      crm_json_member_string (&w, "name", PQgetvalue (res, i, 2));
      write_forecast_figures (&w, res, i);
      crm_json_end_object (&w);
    }
  crm_json_end_array (&w);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

void
crm_handle_forecast (CrmRequest *req)
{
  g_autoptr(GError) error = NULL;
  Report *r = begin_report (req);
  CrmDbBatch *batch;

  if (r == NULL)
    return;
  if (!parse_period (r, crm_request_query (req, "period"), &error))
    {
      crm_request_respond_error (req, error);
      return;
    }
  batch = new_report_batch (req, r);
  r->report_index[0] = crm_db_batch_add (batch, &sql_forecast, (const char * const *) r->values);
  crm_request_execute (req, batch, forecast_done);
}

/* GET /pipeline/analysis -------------------------------------------------- */

static void
write_analysis_stages (CrmJsonWriter *w,
                       PGresult      *res)
{
  crm_json_key (w, "stages");
  crm_json_begin_array (w);
  for (int i = 0; i < PQntuples (res); i++)
    {
      crm_json_begin_object (w);
      crm_json_member_string (w, "stage", PQgetvalue (res, i, 0));
      crm_json_member_int (w, "entered", int_value (res, i, 1));
      crm_json_member_int (w, "advanced", int_value (res, i, 2));
      member_int_or_null (w, "conversion", res, i, 3);
      member_int_or_null (w, "avg_days", res, i, 4);
      crm_json_end_object (w);
    }
  crm_json_end_array (w);
}

/* win_rate and avg_deal_size of the four quarters together (the row whose
 * quarter is NULL), then the quarters. */
static void
write_analysis_quarters (CrmJsonWriter *w,
                         PGresult      *res)
{
  for (int i = 0; i < PQntuples (res); i++)
    if (PQgetisnull (res, i, 0))
      {
        member_int_or_null (w, "win_rate", res, i, 4);
        member_int_or_null (w, "avg_deal_size", res, i, 5);
      }
  crm_json_key (w, "quarters");
  crm_json_begin_array (w);
  for (int i = 0; i < PQntuples (res); i++)
    {
      if (PQgetisnull (res, i, 0))
        continue;
      crm_json_begin_object (w);
      crm_json_member_string (w, "quarter", PQgetvalue (res, i, 0));
      crm_json_member_int (w, "won_count", int_value (res, i, 1));
      crm_json_member_int (w, "won_amount", int_value (res, i, 2));
      crm_json_member_int (w, "lost_count", int_value (res, i, 3));
      member_int_or_null (w, "win_rate", res, i, 4);
      member_int_or_null (w, "avg_deal_size", res, i, 5);
      crm_json_end_object (w);
    }
  crm_json_end_array (w);
}

static void
analysis_done (CrmRequest *req,
               CrmDbBatch *batch)
{
  Report *r = req->data;
  PGresult *reasons;
  CrmJsonWriter w;
  GString *out;

  if (!scope_allowed (req, batch))
    return;
  out = begin_answer (req, batch, &w);
  write_analysis_stages (&w, crm_db_batch_get_result (batch, r->report_index[0]));
  write_analysis_quarters (&w, crm_db_batch_get_result (batch, r->report_index[1]));
  reasons = crm_db_batch_get_result (batch, r->report_index[2]);
  crm_json_key (&w, "lost_reasons");
  crm_json_begin_array (&w);
  for (int i = 0; i < PQntuples (reasons); i++)
    {
      crm_json_begin_object (&w);
      crm_json_member_string (&w, "reason", PQgetvalue (reasons, i, 0));
      crm_json_member_int (&w, "count", int_value (reasons, i, 1));
      crm_json_member_int (&w, "amount", int_value (reasons, i, 2));
      crm_json_end_object (&w);
    }
  crm_json_end_array (&w);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

void
crm_handle_pipeline_analysis (CrmRequest *req)
{
  Report *r = begin_report (req);
  CrmDbBatch *batch;

  if (r == NULL)
    return;
  batch = new_report_batch (req, r);
  r->report_index[0] = crm_db_batch_add (batch, &sql_analysis_stages, (const char * const *) r->values);
  r->report_index[1] = crm_db_batch_add (batch, &sql_analysis_quarters, (const char * const *) r->values);
  r->report_index[2] = crm_db_batch_add (batch, &sql_lost_reasons, (const char * const *) r->values);
  crm_request_execute (req, batch, analysis_done);
}

/* GET /opportunities ------------------------------------------------------ */

#define LIST_DEFAULT_LIMIT 100
#define LIST_MAX_LIMIT 500

/* The sorts, as crm.pipeline_sort_key() names them: "title" is the
 * opportunity's name, "amount" its total contract value. */
static const char * const list_sorts[] = {
  "expected_close", "amount", "stage_changed_at", "title", "updated_at", NULL
};
enum { SORT_EXPECTED_CLOSE, SORT_AMOUNT, SORT_STAGE_CHANGED_AT, SORT_TITLE, SORT_UPDATED_AT };

/* The stages and the customer: the report's arguments, then $11, $12. */
#define LIST_ARGS REPORT_ARGS ", $11::crm.opportunity_stage[], $12::uuid"

static const CrmSql sql_opportunity_total = {
  "opportunities_total",
  "SELECT crm.pipeline_opportunity_count(" LIST_ARGS ")",
  N_REPORT_ARGS + 2
};

/* A page: the opportunity's record as the entity table has it (the sync's
 * columns and writer), then the customer's and the owner's names and the
 * row's sort value.  Built from the table once. */
static const CrmSql *
opportunity_page_sql (void)
{
  static CrmSql sql;
  static gsize done;

  if (g_once_init_enter (&done))
    {
      const CrmEntityInfo *info = crm_entity_info (CRM_ENTITY_OPPORTUNITY);
      const char *a = crm_record_alias (info);
      g_autofree char *columns = crm_record_columns (info);

      sql.name = "opportunities_page";
      sql.sql = g_strdup_printf ("SELECT %s, c.name, u.display_name, p.sort_value"
                                 " FROM crm.pipeline_opportunity_page(" LIST_ARGS ", $13, $14::boolean, $15,"
                                 "        $16::uuid, $17::integer) WITH ORDINALITY AS p (id, sort_value, n)"
                                 " JOIN %s %s ON %s.id = p.id"
                                 " LEFT JOIN crm.customers c ON c.id = %s.customer_id"
                                 " LEFT JOIN crm.user_directory u ON u.id = %s.owner_id"
                                 " ORDER BY p.n",
                                 columns, info->table, a, a, a, a);
      sql.n_params = N_LIST_ARGS;
      g_once_init_leave (&done, 1);
    }
  return &sql;
}

/* stage=one,or,more (any of the six) into a PostgreSQL array. */
static gboolean
parse_stages (Report      *r,
              const char  *text,
              GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) array = g_string_new ("{");
  int index;

  if (text == NULL)
    return TRUE;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (!crm_parse_enum_param ("stage", parts[i], crm_stage_names, &index, error))
        return FALSE;
      g_string_append_printf (array, "%s%s", i > 0 ? "," : "", crm_stage_names[index]);
    }
  if (parts[0] == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "stage", "stage must name one or more stages");
      return FALSE;
    }
  g_string_append_c (array, '}');
  r->values[LIST_STAGES] = g_strdup (array->str);
  return TRUE;
}

/* Whether @value reads as the sort's column (as crm.pipeline_sort_key()
 * casts it): refused here rather than by PostgreSQL. */
static gboolean
sort_value_valid (int         sort,
                  const char *value)
{
  g_autoptr(GDate) date = NULL;

  switch (sort)
    {
    case SORT_EXPECTED_CLOSE:
      if (g_str_equal (value, "infinity"))
        return TRUE;
      date = strlen (value) == 10 ? crm_date_parse ("after", value, NULL) : NULL;
      return date != NULL;
    case SORT_AMOUNT:
      return g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, NULL, NULL);
    case SORT_STAGE_CHANGED_AT:
    case SORT_UPDATED_AT:
      return crm_validate_pg_timestamp (value);
    case SORT_TITLE:
    default:
      return TRUE;
    }
}

/* after=the previous page's next: the same sort and order. */
static gboolean
parse_after (Report      *r,
             const char  *text,
             GError     **error)
{
  g_autoptr(CrmCursor) cursor = NULL;

  if (text == NULL)
    return TRUE;
  cursor = crm_cursor_decode (text, NULL);
  if (cursor == NULL || cursor->sort >= (int) G_N_ELEMENTS (list_sorts) - 1 ||
      !sort_value_valid (cursor->sort, cursor->value))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "after", "after must be the next of a page this server sent");
      return FALSE;
    }
  if (cursor->sort != r->sort || cursor->descending != r->descending)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "after", "after belongs to another sort or order");
      return FALSE;
    }
  r->values[LIST_AFTER] = g_steal_pointer (&cursor->value);
  r->values[LIST_AFTER_ID] = g_ascii_strdown (cursor->id, -1);
  return TRUE;
}

/* The list's own query: stage, customer, sort, order, limit, after. */
static gboolean
parse_list (CrmRequest  *req,
            Report      *r,
            GError     **error)
{
  const char *customer = crm_request_query (req, "customer");
  const char *sort = crm_request_query (req, "sort");
  const char *order = crm_request_query (req, "order");
  const char *limit = crm_request_query (req, "limit");

  if (!parse_stages (r, crm_request_query (req, "stage"), error))
    return FALSE;
  if (customer != NULL)
    {
      if (!crm_validate_uuid (customer))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, "customer", "customer must be an id (a UUID)");
          return FALSE;
        }
      r->values[LIST_CUSTOMER] = g_ascii_strdown (customer, -1);
    }
  if (sort != NULL && !crm_parse_enum_param ("sort", sort, list_sorts, &r->sort, error))
    return FALSE;
  if (order != NULL && !g_str_equal (order, "asc") && !g_str_equal (order, "desc"))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "order", "order must be asc or desc");
      return FALSE;
    }
  r->descending = order != NULL && g_str_equal (order, "desc");
  r->limit = LIST_DEFAULT_LIMIT;
  if (limit != NULL && !crm_parse_int_param ("limit", limit, 1, LIST_MAX_LIMIT, &r->limit, error))
    return FALSE;
  if (!parse_after (r, crm_request_query (req, "after"), error))
    return FALSE;
  r->values[LIST_SORT] = g_strdup (list_sorts[r->sort]);
  r->values[LIST_DESCENDING] = g_strdup (r->descending ? "true" : "false");
  /* one more than asked: whether there is a next page */
  r->values[LIST_LIMIT] = g_strdup_printf ("%" G_GINT64_FORMAT, r->limit + 1);
  return TRUE;
}

/* "next": the position after row @row of the page, or null. */
static void
write_next (CrmJsonWriter *w,
            Report        *r,
            PGresult      *res,
            int            row)
{
  int n_fields = (int) crm_entity_info_n_fields (crm_entity_info (CRM_ENTITY_OPPORTUNITY));
  CrmCursor cursor = { r->sort, r->descending, NULL, NULL };
  g_autofree char *text = NULL;

  crm_json_key (w, "next");
  if (row < 0)
    {
      crm_json_null (w);
      return;
    }
  cursor.value = PQgetvalue (res, row, n_fields + 2);
  cursor.id = PQgetvalue (res, row, 0);
  text = crm_cursor_encode (&cursor);
  crm_json_string (w, text);
}

static void
opportunities_done (CrmRequest *req,
                    CrmDbBatch *batch)
{
  Report *r = req->data;
  const CrmEntityInfo *info = crm_entity_info (CRM_ENTITY_OPPORTUNITY);
  int n_fields = (int) crm_entity_info_n_fields (info);
  PGresult *total, *page;
  CrmJsonWriter w;
  GString *out;
  int shown;

  if (!scope_allowed (req, batch))
    return;
  total = crm_db_batch_get_result (batch, r->report_index[0]);
  page = crm_db_batch_get_result (batch, r->report_index[1]);
  shown = (int) MIN ((gint64) PQntuples (page), r->limit);
  out = begin_answer (req, batch, &w);
  crm_json_member_int (&w, "total", int_value (total, 0, 0));
  crm_json_key (&w, "opportunities");
  crm_json_begin_array (&w);
  for (int i = 0; i < shown; i++)
    {
      crm_json_begin_object (&w);
      crm_write_record (&w, info, req->user->role, page, i, 0);
      crm_json_member_string (&w, "customer_name", crm_pg_value (page, i, n_fields));
      crm_json_member_string (&w, "owner_name", crm_pg_value (page, i, n_fields + 1));
      crm_json_end_object (&w);
    }
  crm_json_end_array (&w);
  write_next (&w, r, page, PQntuples (page) > shown ? shown - 1 : -1);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

void
crm_handle_opportunities (CrmRequest *req)
{
  g_autoptr(GError) error = NULL;
  Report *r = begin_report (req);
  CrmDbBatch *batch;

  if (r == NULL)
    return;
  if (!parse_list (req, r, &error))
    {
      crm_request_respond_error (req, error);
      return;
    }
  batch = new_report_batch (req, r);
  r->report_index[0] = crm_db_batch_add (batch, &sql_opportunity_total, (const char * const *) r->values);
  r->report_index[1] = crm_db_batch_add (batch, opportunity_page_sql (), (const char * const *) r->values);
  crm_request_execute (req, batch, opportunities_done);
}
