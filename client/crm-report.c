#define G_LOG_DOMAIN "crm-report"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "crm-error.h"
#include "crm-json-check.h"
#include "crm-report.h"
#include "crm-validate.h"
#include "crm-wire.h"

/* Amounts and counts the client accepts: non-negative, and small enough
 * that a sum of a few thousand of them cannot overflow. */
#define MAX_VALUE (G_MAXINT64 / 1024)

static const char * const report_paths[CRM_N_REPORTS] = {
  "/pipeline", "/forecast", "/pipeline/analysis", "/opportunities",
};

const char * const crm_opportunity_sort_names[] = {
  "expected_close", "amount", "stage_changed_at", "title", "updated_at", NULL
};

static const char * const filter_names[] = {
  "owner", "team", "region", "product_line", "amount_min", "amount_max", "close_from", "close_to",
  "stage", "customer", "sort", "order", "limit", "after", NULL
};

const char *
crm_report_kind_path (CrmReportKind kind)
{
  g_return_val_if_fail (kind < CRM_N_REPORTS, NULL);

  return report_paths[kind];
}

/* ------------------------------------------------------------------ */
/* The query                                                           */
/* ------------------------------------------------------------------ */

struct _CrmReportQuery
{
  char       *scope;
  char       *period;
  GHashTable *filters;   /* name -> value */
};

CrmReportQuery *
crm_report_query_new (const char *scope,
                      const char *period)
{
  CrmReportQuery *query = g_new0 (CrmReportQuery, 1);

  query->scope = g_strdup (scope != NULL && scope[0] != '\0' ? scope : "me");
  query->period = period != NULL && period[0] != '\0' ? g_strdup (period) : NULL;
  query->filters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return query;
}

CrmReportQuery *
crm_report_query_copy (const CrmReportQuery *query)
{
  CrmReportQuery *copy;
  GHashTableIter iter;
  gpointer name, value;

  g_return_val_if_fail (query != NULL, NULL);

  copy = crm_report_query_new (query->scope, query->period);
  g_hash_table_iter_init (&iter, query->filters);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_hash_table_insert (copy->filters, g_strdup (name), g_strdup (value));
  return copy;
}

void
crm_report_query_free (CrmReportQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->scope);
  g_free (query->period);
  g_hash_table_unref (query->filters);
  g_free (query);
}

const char *
crm_report_query_get_scope (const CrmReportQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);

  return query->scope;
}

const char *
crm_report_query_get_period (const CrmReportQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);

  return query->period;
}

gboolean
crm_report_query_set_filter (CrmReportQuery *query,
                             const char     *name,
                             const char     *value)
{
  g_return_val_if_fail (query != NULL, FALSE);

  if (crm_wire_lookup (filter_names, name) < 0)
    return FALSE;
  if (value == NULL || value[0] == '\0')
    g_hash_table_remove (query->filters, name);
  else
    g_hash_table_insert (query->filters, g_strdup (name), g_strdup (value));
  return TRUE;
}

GHashTable *
crm_report_query_to_params (const CrmReportQuery *query)
{
  GHashTable *params;
  GHashTableIter iter;
  gpointer name, value;

  g_return_val_if_fail (query != NULL, NULL);

  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, query->filters);
  while (g_hash_table_iter_next (&iter, &name, &value))
    g_hash_table_insert (params, g_strdup (name), g_strdup (value));
  g_hash_table_insert (params, g_strdup ("scope"), g_strdup (query->scope));
  if (query->period != NULL)
    g_hash_table_insert (params, g_strdup ("period"), g_strdup (query->period));
  return params;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
crm_report_query_dup_key (const CrmReportQuery *query)
{
  g_autoptr(GHashTable) params = NULL;
  g_autofree const char **names = NULL;
  GString *key = g_string_new (NULL);
  guint n;

  g_return_val_if_fail (query != NULL, NULL);

  params = crm_report_query_to_params (query);
  names = (const char **) g_hash_table_get_keys_as_array (params, &n);
  qsort (names, n, sizeof (char *), compare_names);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (key, '&');
      g_string_append_uri_escaped (key, names[i], NULL, FALSE);
      g_string_append_c (key, '=');
      g_string_append_uri_escaped (key, g_hash_table_lookup (params, names[i]), NULL, FALSE);
    }
  return g_string_free (key, FALSE);
}

/* ------------------------------------------------------------------ */
/* Periods                                                             */
/* ------------------------------------------------------------------ */

char *
crm_period_for_date (CrmPeriodKind  kind,
                     GDate         *date)
{
  int year, month;

  g_return_val_if_fail (date != NULL && g_date_valid (date), NULL);

  year = g_date_get_year (date);
  month = g_date_get_month (date);
  switch (kind)
    {
    case CRM_PERIOD_MONTH:
      return g_strdup_printf ("%04d-%02d", year, month);
    case CRM_PERIOD_QUARTER:
      return g_strdup_printf ("%04d-Q%d", year, (month - 1) / 3 + 1);
    case CRM_PERIOD_YEAR:
    default:
      return g_strdup_printf ("%04d", year);
    }
}

static gboolean
all_digits (const char *text,
            gsize       n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

gboolean
crm_period_parse (const char    *period,
                  CrmPeriodKind *kind,
                  GDate         *first,
                  GDate         *last)
{
  CrmPeriodKind k;
  int year, from, to;
  gsize len;

  if (period == NULL)
    return FALSE;
  len = strlen (period);
  if (len < 4 || !all_digits (period, 4))
    return FALSE;
  year = atoi (period);
  if (year < 1900 || year > 9999)
    return FALSE;

  if (len == 4)
    {
      k = CRM_PERIOD_YEAR;
      from = 1, to = 12;
    }
  else if (len == 7 && period[4] == '-' && period[5] == 'Q' && period[6] >= '1' && period[6] <= '4')
    {
      k = CRM_PERIOD_QUARTER;
      from = (period[6] - '1') * 3 + 1, to = from + 2;
    }
  else if (len == 7 && period[4] == '-' && all_digits (period + 5, 2) && atoi (period + 5) >= 1 &&
           atoi (period + 5) <= 12)
    {
      k = CRM_PERIOD_MONTH;
      from = to = atoi (period + 5);
    }
  else
    return FALSE;

  if (kind != NULL)
    *kind = k;
  if (first != NULL)
    g_date_set_dmy (first, 1, from, year);
  if (last != NULL)
    g_date_set_dmy (last, g_date_get_days_in_month (to, year), to, year);
  return TRUE;
}

char *
crm_period_step (const char *period,
                 int         steps)
{
  CrmPeriodKind kind;
  GDate first;

  if (!crm_period_parse (period, &kind, &first, NULL))
    return NULL;
  if (kind == CRM_PERIOD_YEAR)
    steps *= 12;
  else if (kind == CRM_PERIOD_QUARTER)
    steps *= 3;
  if (steps >= 0)
    g_date_add_months (&first, steps);
  else
    g_date_subtract_months (&first, -steps);
  return crm_period_for_date (kind, &first);
}

/* ------------------------------------------------------------------ */
/* Reading members                                                     */
/* ------------------------------------------------------------------ */

/* Where in the answer a member is, for the error message. */
static gboolean
bad (GError     **error,
     const char  *where,
     const char  *name,
     const char  *what)
{
  crm_set_field_error (error, CRM_ERROR_MALFORMED, NULL,
                       "The server’s answer has no valid “%s%s%s” (%s)",
                       where ? where : "", where ? "." : "", name, what);
  return FALSE;
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

/* An integer in [0, MAX_VALUE]; with @nullable, null gives CRM_REPORT_NONE. */
static gboolean
read_int (JsonObject  *object,
          const char  *where,
          const char  *name,
          gboolean     nullable,
          gint64       max,
          gint64      *out,
          GError     **error)
{
  JsonNode *node = member (object, name);
  gint64 value;

  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *out = CRM_REPORT_NONE;
      return TRUE;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return bad (error, where, name, "an integer");
  value = json_node_get_int (node);
  if (value < 0 || value > max)
    return bad (error, where, name, "out of range");
  *out = value;
  return TRUE;
}

#define read_money(o, w, n, out, e)     read_int (o, w, n, FALSE, MAX_VALUE, out, e)
#define read_permille(o, w, n, out, e)  read_int (o, w, n, TRUE, 1000, out, e)

static gboolean
read_bool (JsonObject  *object,
           const char  *where,
           const char  *name,
           gboolean    *out,
           GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return bad (error, where, name, "true or false");
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* A string; with @nullable, null gives NULL. */
static gboolean
read_string (JsonObject  *object,
             const char  *where,
             const char  *name,
             gboolean     nullable,
             const char **out,
             GError     **error)
{
  JsonNode *node = member (object, name);

  if (node != NULL && nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return bad (error, where, name, "a string");
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_object (JsonObject  *object,
             const char  *where,
             const char  *name,
             JsonObject **out,
             GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return bad (error, where, name, "an object");
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
read_array (JsonObject  *object,
            const char  *where,
            const char  *name,
            JsonArray  **out,
            GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return bad (error, where, name, "an array");
  *out = json_node_get_array (node);
  return TRUE;
}

/* The @i-th element of @array as an object. */
static JsonObject *
element (JsonArray   *array,
         guint        i,
         const char  *name,
         GError     **error)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      bad (error, NULL, name, "a list of objects");
      return NULL;
    }
  return json_node_get_object (node);
}

/* "me", "team:UUID" or "region:UUID". */
static gboolean
read_scope (JsonObject  *object,
            char       **out,
            GError     **error)
{
  const char *scope;

  if (!read_string (object, NULL, "scope", FALSE, &scope, error))
    return FALSE;
  if (!g_str_equal (scope, "me") &&
      !(g_str_has_prefix (scope, "team:") && crm_validate_uuid (scope + 5)) &&
      !(g_str_has_prefix (scope, "region:") && crm_validate_uuid (scope + 7)))
    return bad (error, NULL, "scope", "me, team:ID or region:ID");
  *out = g_strdup (scope);
  return TRUE;
}

static gboolean
read_as_of (JsonObject  *object,
            GDateTime  **out,
            GError     **error)
{
  const char *text;
  GDateTime *when;

  if (!read_string (object, NULL, "as_of", FALSE, &text, error))
    return FALSE;
  when = g_date_time_new_from_iso8601 (text, NULL);
  if (when == NULL)
    return bad (error, NULL, "as_of", "an ISO 8601 time");
  *out = when;
  return TRUE;
}

/* An open stage's name, as the index into crm_stage_names. */
static gboolean
read_open_stage (JsonObject  *object,
                 const char  *where,
                 int         *out,
                 GError     **error)
{
  const char *name;
  int stage;

  if (!read_string (object, where, "stage", FALSE, &name, error))
    return FALSE;
  stage = crm_wire_lookup (crm_stage_names, name);
  if (stage < 0 || stage == CRM_STAGE_WON || stage == CRM_STAGE_LOST)
    return bad (error, where, "stage", "an open stage");
  *out = stage;
  return TRUE;
}

static gboolean
read_date (JsonObject  *object,
           const char  *where,
           const char  *name,
           GDate       *out,
           GError     **error)
{
  const char *text;

  if (!read_string (object, where, name, FALSE, &text, error))
    return FALSE;
  if (strlen (text) != 10 || !all_digits (text, 4) || text[4] != '-' || !all_digits (text + 5, 2) ||
      text[7] != '-' || !all_digits (text + 8, 2))
    return bad (error, where, name, "a date");
  g_date_clear (out, 1);
  if (!g_date_valid_dmy (atoi (text + 8), atoi (text + 5), atoi (text)))
    return bad (error, where, name, "a date");
  g_date_set_dmy (out, atoi (text + 8), atoi (text + 5), atoi (text));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GET /pipeline                                                       */
/* ------------------------------------------------------------------ */

void
crm_pipeline_report_free (CrmPipelineReport *totals)
{
  if (totals == NULL)
    return;
  g_free (totals->scope);
  g_clear_pointer (&totals->as_of, g_date_time_unref);
  g_clear_pointer (&totals->stages, g_array_unref);
  g_free (totals);
}

static gboolean
read_stage_total (JsonObject            *object,
                  CrmPipelineStageTotal *out,
                  GError               **error)
{
  return read_open_stage (object, "stages", &out->stage, error) &&
         read_int (object, "stages", "position", FALSE, 1000, &out->position, error) &&
         read_int (object, "stages", "probability", FALSE, 100, &out->probability, error) &&
         read_money (object, "stages", "count", &out->count, error) &&
         read_money (object, "stages", "amount", &out->amount, error) &&
         read_money (object, "stages", "weighted", &out->weighted, error);
}

CrmPipelineReport *
crm_pipeline_report_from_json (JsonNode  *node,
                               GError   **error)
{
  g_autoptr(CrmPipelineReport) totals = g_new0 (CrmPipelineReport, 1);
  JsonObject *root = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *total;
  JsonArray *stages;

  totals->stages = g_array_new (FALSE, TRUE, sizeof (CrmPipelineStageTotal));
  if (root == NULL)
    {
      bad (error, NULL, "pipeline", "an object");
      return NULL;
    }
  if (!read_scope (root, &totals->scope, error) || !read_as_of (root, &totals->as_of, error) ||
      !read_array (root, NULL, "stages", &stages, error) || !read_object (root, NULL, "total", &total, error) ||
      !read_money (total, "total", "count", &totals->count, error) ||
      !read_money (total, "total", "amount", &totals->amount, error) ||
      !read_money (total, "total", "weighted", &totals->weighted, error))
    return NULL;

  for (guint i = 0; i < json_array_get_length (stages); i++)
    {
      JsonObject *object = element (stages, i, "stages", error);
      CrmPipelineStageTotal stage = { 0 };

      if (object == NULL || !read_stage_total (object, &stage, error))
        return NULL;
      g_array_append_val (totals->stages, stage);
    }
  return g_steal_pointer (&totals);
}

/* ------------------------------------------------------------------ */
/* GET /forecast                                                       */
/* ------------------------------------------------------------------ */

static void
forecast_row_clear (gpointer data)
{
  CrmForecastRow *row = data;

  g_clear_pointer (&row->id, g_free);
  g_clear_pointer (&row->name, g_free);
}

void
crm_forecast_free (CrmForecast *forecast)
{
  if (forecast == NULL)
    return;
  g_free (forecast->scope);
  g_free (forecast->period);
  g_clear_pointer (&forecast->as_of, g_date_time_unref);
  g_clear_pointer (&forecast->rows, g_array_unref);
  g_free (forecast);
}

static gboolean
read_figures (JsonObject         *object,
              const char         *where,
              CrmForecastFigures *out,
              GError            **error)
{
  return read_money (object, where, "closed_won", &out->closed_won, error) &&
         read_money (object, where, "commit", &out->commit, error) &&
         read_money (object, where, "best_case", &out->best_case, error) &&
         read_money (object, where, "pipeline", &out->pipeline, error) &&
         read_money (object, where, "weighted", &out->weighted, error) &&
         read_money (object, where, "target", &out->target, error) &&
         /* over 1000 when the target is passed */
         read_int (object, where, "attainment", TRUE, MAX_VALUE, &out->attainment, error) &&
         read_bool (object, where, "behind", &out->behind, error);
}

static gboolean
read_forecast_row (JsonObject     *object,
                   CrmForecastRow *row,
                   GError        **error)
{
  static const char * const kinds[] = { "team", "user", "none", NULL };
  const char *kind, *id, *name;
  int k;

  if (!read_string (object, "rows", "kind", FALSE, &kind, error))
    return FALSE;
  k = crm_wire_lookup (kinds, kind);
  if (k < 0)
    return bad (error, "rows", "kind", "team, user or none");
  row->kind = (CrmForecastRowKind) k;
  if (!read_string (object, "rows", "id", row->kind == CRM_FORECAST_ROW_NONE, &id, error) ||
      !read_string (object, "rows", "name", row->kind == CRM_FORECAST_ROW_NONE, &name, error))
    return FALSE;
  if (id != NULL && !crm_validate_uuid (id))
    return bad (error, "rows", "id", "an id");
  if (!read_figures (object, "rows", &row->figures, error))
    return FALSE;
  row->id = row->kind == CRM_FORECAST_ROW_NONE ? NULL : g_strdup (id);
  row->name = g_strdup (name);
  return TRUE;
}

CrmForecast *
crm_forecast_from_json (JsonNode  *node,
                        GError   **error)
{
  g_autoptr(CrmForecast) forecast = g_new0 (CrmForecast, 1);
  JsonObject *root = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *period, *totals;
  JsonArray *rows;
  const char *label;

  forecast->rows = g_array_new (FALSE, TRUE, sizeof (CrmForecastRow));
  g_array_set_clear_func (forecast->rows, forecast_row_clear);
  if (root == NULL)
    {
      bad (error, NULL, "forecast", "an object");
      return NULL;
    }
  if (!read_scope (root, &forecast->scope, error) || !read_as_of (root, &forecast->as_of, error) ||
      !read_object (root, NULL, "period", &period, error) ||
      !read_string (period, "period", "label", FALSE, &label, error) ||
      !read_date (period, "period", "start", &forecast->first, error) ||
      !read_date (period, "period", "end", &forecast->last, error) ||
      !read_object (root, NULL, "totals", &totals, error) ||
      !read_figures (totals, "totals", &forecast->totals, error) ||
      !read_array (root, NULL, "rows", &rows, error))
    return NULL;
  if (!crm_period_parse (label, NULL, NULL, NULL))
    {
      bad (error, "period", "label", "YYYY-MM, YYYY-Qn or YYYY");
      return NULL;
    }
  if (g_date_compare (&forecast->first, &forecast->last) > 0)
    {
      bad (error, "period", "end", "before its start");
      return NULL;
    }
  forecast->period = g_strdup (label);

  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *object = element (rows, i, "rows", error);
      CrmForecastRow row = { 0 };

      if (object == NULL)
        return NULL;
      if (!read_forecast_row (object, &row, error))
        {
          forecast_row_clear (&row);
          return NULL;
        }
      g_array_append_val (forecast->rows, row);
    }
  return g_steal_pointer (&forecast);
}

/* ------------------------------------------------------------------ */
/* GET /pipeline/analysis                                              */
/* ------------------------------------------------------------------ */

static void
quarter_clear (gpointer data)
{
  g_clear_pointer (&((CrmAnalysisQuarter *) data)->quarter, g_free);
}

static void
lost_reason_clear (gpointer data)
{
  g_clear_pointer (&((CrmLostReason *) data)->reason, g_free);
}

void
crm_analysis_free (CrmAnalysis *analysis)
{
  if (analysis == NULL)
    return;
  g_free (analysis->scope);
  g_clear_pointer (&analysis->as_of, g_date_time_unref);
  g_clear_pointer (&analysis->stages, g_array_unref);
  g_clear_pointer (&analysis->quarters, g_array_unref);
  g_clear_pointer (&analysis->lost_reasons, g_array_unref);
  g_free (analysis);
}

static gboolean
read_analysis_stage (JsonObject       *object,
                     CrmAnalysisStage *out,
                     GError          **error)
{
  if (!read_open_stage (object, "stages", &out->stage, error) ||
      !read_money (object, "stages", "entered", &out->entered, error) ||
      !read_money (object, "stages", "advanced", &out->advanced, error) ||
      !read_permille (object, "stages", "conversion", &out->conversion, error) ||
      !read_int (object, "stages", "avg_days", TRUE, MAX_VALUE, &out->avg_days, error))
    return FALSE;
  if (out->advanced > out->entered)
    return bad (error, "stages", "advanced", "more than entered");
  return TRUE;
}

static gboolean
read_quarter (JsonObject         *object,
              CrmAnalysisQuarter *out,
              GError            **error)
{
  const char *quarter;
  CrmPeriodKind kind;

  if (!read_string (object, "quarters", "quarter", FALSE, &quarter, error))
    return FALSE;
  if (!crm_period_parse (quarter, &kind, NULL, NULL) || kind != CRM_PERIOD_QUARTER)
    return bad (error, "quarters", "quarter", "YYYY-Qn");
  if (!read_money (object, "quarters", "won_count", &out->won_count, error) ||
      !read_money (object, "quarters", "won_amount", &out->won_amount, error) ||
      !read_money (object, "quarters", "lost_count", &out->lost_count, error) ||
      !read_permille (object, "quarters", "win_rate", &out->win_rate, error) ||
      !read_int (object, "quarters", "avg_deal_size", TRUE, MAX_VALUE, &out->avg_deal_size, error))
    return FALSE;
  out->quarter = g_strdup (quarter);
  return TRUE;
}

static gboolean
read_lost_reason (JsonObject    *object,
                  CrmLostReason *out,
                  GError       **error)
{
  const char *reason;

  if (!read_string (object, "lost_reasons", "reason", FALSE, &reason, error) ||
      !read_money (object, "lost_reasons", "count", &out->count, error) ||
      !read_money (object, "lost_reasons", "amount", &out->amount, error))
    return FALSE;
  out->reason = g_strdup (reason);
  return TRUE;
}

/* The elements of @array read by @read into @out (whose clear function
 * frees a half-read one). */
typedef gboolean (*ReadFunc) (JsonObject *object, gpointer out, GError **error);

static gboolean
read_list (JsonObject  *root,
           const char  *name,
           ReadFunc     read,
           GArray      *out,
           GError     **error)
{
  JsonArray *array;

  if (!read_array (root, NULL, name, &array, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = element (array, i, name, error);

      if (object == NULL)
        return FALSE;
      g_array_set_size (out, out->len + 1);
      if (!read (object, out->data + (out->len - 1) * g_array_get_element_size (out), error))
        {
          g_array_set_size (out, out->len - 1);
          return FALSE;
        }
    }
  return TRUE;
}

CrmAnalysis *
crm_analysis_from_json (JsonNode  *node,
                        GError   **error)
{
  g_autoptr(CrmAnalysis) analysis = g_new0 (CrmAnalysis, 1);
  JsonObject *root = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  analysis->stages = g_array_new (FALSE, TRUE, sizeof (CrmAnalysisStage));
  analysis->quarters = g_array_new (FALSE, TRUE, sizeof (CrmAnalysisQuarter));
  g_array_set_clear_func (analysis->quarters, quarter_clear);
  analysis->lost_reasons = g_array_new (FALSE, TRUE, sizeof (CrmLostReason));
  g_array_set_clear_func (analysis->lost_reasons, lost_reason_clear);
  if (root == NULL)
    {
      bad (error, NULL, "analysis", "an object");
      return NULL;
    }
  if (!read_scope (root, &analysis->scope, error) || !read_as_of (root, &analysis->as_of, error) ||
      !read_permille (root, NULL, "win_rate", &analysis->win_rate, error) ||
      !read_int (root, NULL, "avg_deal_size", TRUE, MAX_VALUE, &analysis->avg_deal_size, error) ||
      !read_list (root, "stages", (ReadFunc) read_analysis_stage, analysis->stages, error) ||
      !read_list (root, "quarters", (ReadFunc) read_quarter, analysis->quarters, error) ||
      !read_list (root, "lost_reasons", (ReadFunc) read_lost_reason, analysis->lost_reasons, error))
    return NULL;
  return g_steal_pointer (&analysis);
}

/* ------------------------------------------------------------------ */
/* GET /opportunities                                                  */
/* ------------------------------------------------------------------ */

void
crm_opportunity_page_free (CrmOpportunityPage *page)
{
  if (page == NULL)
    return;
  g_free (page->scope);
  g_clear_pointer (&page->as_of, g_date_time_unref);
  g_clear_pointer (&page->opportunities, g_ptr_array_unref);
  g_free (page->next);
  g_free (page);
}

/* A member holding an id (a UUID); with @nullable, null too. */
static gboolean
read_id (JsonObject  *object,
         const char  *name,
         gboolean     nullable,
         GError     **error)
{
  const char *id;

  if (!read_string (object, "opportunities", name, nullable, &id, error))
    return FALSE;
  if (id != NULL && !crm_validate_uuid (id))
    return bad (error, "opportunities", name, "an id");
  return TRUE;
}

/* What the views read of one listed opportunity. */
static gboolean
check_listed (JsonObject  *object,
              GError     **error)
{
  const char *text, *stage;
  gint64 value;
  GDate date;

  if (!read_id (object, "id", FALSE, error) || !read_id (object, "customer_id", FALSE, error) ||
      !read_id (object, "owner_id", TRUE, error) ||
      !read_string (object, "opportunities", "customer_name", TRUE, &text, error) ||
      !read_string (object, "opportunities", "owner_name", TRUE, &text, error) ||
      !read_string (object, "opportunities", "name", FALSE, &text, error) ||
      !read_string (object, "opportunities", "stage", FALSE, &stage, error) ||
      !read_money (object, "opportunities", "amount_once", &value, error) ||
      !read_money (object, "opportunities", "amount_monthly", &value, error) ||
      !read_int (object, "opportunities", "contract_months", TRUE, 1200, &value, error) ||
      !read_int (object, "opportunities", "probability", TRUE, 100, &value, error) ||
      !read_string (object, "opportunities", "stage_changed_at", TRUE, &text, error) ||
      !read_money (object, "opportunities", "version", &value, error))
    return FALSE;
  if (crm_wire_lookup (crm_stage_names, stage) < 0)
    return bad (error, "opportunities", "stage", "a stage");
  if (text != NULL)
    {
      g_autoptr(GDateTime) changed = g_date_time_new_from_iso8601 (text, NULL);

      if (changed == NULL)
        return bad (error, "opportunities", "stage_changed_at", "an ISO 8601 time");
    }
  {
    JsonNode *close = member (object, "expected_close");

    if (close != NULL && JSON_NODE_HOLDS_NULL (close))
      return TRUE;
  }
  return read_date (object, "opportunities", "expected_close", &date, error);
}

CrmOpportunityPage *
crm_opportunity_page_from_json (JsonNode  *node,
                                GError   **error)
{
  g_autoptr(CrmOpportunityPage) page = g_new0 (CrmOpportunityPage, 1);
  JsonObject *root = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonArray *list;
  const char *next;

  page->opportunities = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  if (root == NULL)
    {
      bad (error, NULL, "opportunities", "an object");
      return NULL;
    }
  if (!read_scope (root, &page->scope, error) || !read_as_of (root, &page->as_of, error) ||
      !read_money (root, NULL, "total", &page->total, error) ||
      !read_array (root, NULL, "opportunities", &list, error) ||
      !read_string (root, NULL, "next", TRUE, &next, error))
    return NULL;
  if (next != NULL && next[0] == '\0')
    {
      bad (error, NULL, "next", "a cursor or null");
      return NULL;
    }
  if (json_array_get_length (list) > (guint) page->total)
    {
      bad (error, NULL, "total", "fewer than listed");
      return NULL;
    }
  page->next = g_strdup (next);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *object = element (list, i, "opportunities", error);

      if (object == NULL || !check_listed (object, error))
        return NULL;
      g_ptr_array_add (page->opportunities, json_object_ref (object));
    }
  return g_steal_pointer (&page);
}

/* ------------------------------------------------------------------ */
/* Any of them                                                         */
/* ------------------------------------------------------------------ */

gpointer
crm_report_from_json (CrmReportKind   kind,
                      JsonNode       *node,
                      GError        **error)
{
  switch (kind)
    {
    case CRM_REPORT_PIPELINE:
      return crm_pipeline_report_from_json (node, error);
    case CRM_REPORT_FORECAST:
      return crm_forecast_from_json (node, error);
    case CRM_REPORT_ANALYSIS:
      return crm_analysis_from_json (node, error);
    case CRM_REPORT_OPPORTUNITIES:
      return crm_opportunity_page_from_json (node, error);
    case CRM_N_REPORTS:
    default:
      g_return_val_if_reached (NULL);
    }
}

gpointer
crm_report_from_text (CrmReportKind   kind,
                      const char     *text,
                      GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  gsize size;

  g_return_val_if_fail (text != NULL, NULL);

  size = strlen (text);
  if (!crm_json_check (text, size, CRM_JSON_MAX_DEPTH, &local_error) ||
      !json_parser_load_from_data (parser, text, size, &local_error))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, NULL, "A kept answer is not valid JSON: %s",
                           local_error->message);
      return NULL;
    }
  return crm_report_from_json (kind, json_parser_get_root (parser), error);
}

void
crm_report_free (CrmReportKind kind,
                 gpointer      report)
{
  switch (kind)
    {
    case CRM_REPORT_PIPELINE:
      crm_pipeline_report_free (report);
      break;
    case CRM_REPORT_FORECAST:
      crm_forecast_free (report);
      break;
    case CRM_REPORT_ANALYSIS:
      crm_analysis_free (report);
      break;
    case CRM_REPORT_OPPORTUNITIES:
      crm_opportunity_page_free (report);
      break;
    case CRM_N_REPORTS:
    default:
      g_return_if_reached ();
    }
}

char *
crm_report_format_age (GDateTime *fetched,
                       GDateTime *now)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *when = NULL;
  g_autofree char *ago = NULL;
  GTimeSpan span;
  guint n;

  g_return_val_if_fail (fetched != NULL && now != NULL, NULL);

  local = g_date_time_to_local (fetched);
  span = g_date_time_difference (now, fetched);
  if (span >= G_TIME_SPAN_DAY)
    {
      n = span / G_TIME_SPAN_DAY;
      when = g_date_time_format (local, "%x");
      ago = g_strdup_printf (ngettext ("%u day ago", "%u days ago", n), n);
    }
  else
    {
      when = g_date_time_format (local, "%H:%M");
      if (span < G_TIME_SPAN_MINUTE)
        ago = g_strdup (_("just now"));
      else if (span < G_TIME_SPAN_HOUR)
        {
          n = span / G_TIME_SPAN_MINUTE;
          ago = g_strdup_printf (ngettext ("%u minute ago", "%u minutes ago", n), n);
        }
      else
        {
          n = span / G_TIME_SPAN_HOUR;
          ago = g_strdup_printf (ngettext ("%u hour ago", "%u hours ago", n), n);
        }
    }
  /* TRANSLATORS: when a report kept for offline reading was fetched: a
   * time (or a date) and how long ago, "As of 10:42, 3 hours ago" */
  return g_strdup_printf (_("As of %s, %s"), when, ago);
}

char *
crm_report_format_permille (gint64 permille)
{
  if (permille < 0)
    return g_strdup ("—");
  /* the same in English and Chinese */
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%d%%", permille / 10, (int) (permille % 10));
}

char *
crm_report_format_period (const char *period)
{
  CrmPeriodKind kind;
  GDate first;

  if (!crm_period_parse (period, &kind, &first, NULL))
    return g_strdup (period ? period : "");
  switch (kind)
    {
    case CRM_PERIOD_MONTH:
      {
        g_autoptr(GDateTime) dt = g_date_time_new_local (g_date_get_year (&first), g_date_get_month (&first), 1,
                                                         0, 0, 0);

        return g_date_time_format (dt, C_("month and year", "%B %Y"));
      }
    case CRM_PERIOD_QUARTER:
      /* TRANSLATORS: a quarter and its year, "Q4 2026"; zh_CN: "%2$d年第%1$d季度" */
      return g_strdup_printf (_("Q%1$d %2$d"), (g_date_get_month (&first) - 1) / 3 + 1, g_date_get_year (&first));
    case CRM_PERIOD_YEAR:
    default:
      /* TRANSLATORS: a year, "2026"; zh_CN: "%d年" */
      return g_strdup_printf (C_("year", "%d"), g_date_get_year (&first));
    }
}
