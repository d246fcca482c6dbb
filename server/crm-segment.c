#define G_LOG_DOMAIN "crm-segment"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-segment.h"
#include "crm-validate.h"
#include "crm-wire.h"

/*
 * The criteria a segment may use, one row per field and operator.  The
 * SQL is fixed text in which @1 and @2 stand for the condition's
 * parameters; nothing of the request reaches it but through them.
 */

typedef enum
{
  VALUE_NAMES,   /* a non-empty array of strings from @names */
  VALUE_TEXTS,   /* a non-empty array of strings (industries, region codes) */
  VALUE_INT,     /* an integer in [min, max] */
  VALUE_RANGE,   /* [low, high], integers in [min, max], low <= high */
} ValueKind;

typedef struct
{
  const char         *field;
  const char         *op;
  ValueKind           kind;
  const char * const *names;
  gint64              min, max;
  const char         *sql;
  const char         *sql_current;  /* the same valid while no kept figures are stale, or NULL */
} Condition;

#define MONEY_MAX G_GINT64_CONSTANT (1000000000000000)

/* The current month's first day, and the three and six before it. */
#define MONTH0 "date_trunc('month', current_date)"
#define RECENT "sum(rm.revenue) FILTER (WHERE rm.month >= " MONTH0 " - interval '3 months')"
#define BEFORE "sum(rm.revenue) FILTER (WHERE rm.month < " MONTH0 " - interval '3 months')"
/* ARPU over the last three full months against the three before, from
 * crm.revenue_months: the customer's own aggregate */
#define ARPU_FROM_MONTHS(cmp) \
  "EXISTS (SELECT 1 FROM crm.revenue_months rm WHERE rm.customer_id = c.id" \
  " AND rm.month >= " MONTH0 " - interval '6 months' AND rm.month < " MONTH0 \
  " HAVING " BEFORE " > 0 AND " RECENT " * 100 " cmp ")"
/* The same through the customer's kept figures (0020): this month's
 * change in whole percents, a comparison of the row itself; a customer
 * whose figures are of an earlier month or missing (not yet refreshed) from
 * revenue_months as above.  The fallback's subquery makes any plan serial:
 * ARPU_CURRENT is the condition without it, for when no figures are stale
 * (crm_segment_compile_current()). */
#define ARPU_CURRENT(kept) "c.arpu_month0 = (SELECT " MONTH0 "::date) AND c." kept
#define ARPU_TREND(kept, cmp) \
  "(" ARPU_CURRENT (kept) ")" \
  " OR ((c.arpu_month0 IS NULL OR c.arpu_month0 < " MONTH0 "::date) AND " ARPU_FROM_MONTHS (cmp) ")"
/* Products held, contract end and last contact through the customer's
 * kept columns (0022): a comparison of the row itself, no subquery of
 * another table under its read policy.  products_held (the categories as
 * bits) is never stale.
 * contract_end_next is the nearest end on or after the day it was
 * computed: while it is not in the past it is the nearest end from today
 * on; once it is (the day turned, `keyline-server refresh` not yet run),
 * that customer is computed from crm.subscriptions as before
 * (CONTRACT_END_FROM_SUBSCRIPTIONS), and CONTRACT_END_CURRENT is the
 * condition without that fallback (crm_segment_compile_current()). */
#define HOLDS_BITS "c.products_held & (SELECT crm.product_category_bits(@1::crm.product_category[]))"
#define TODAY "(SELECT current_date)"
#define CONTRACT_END_FROM_SUBSCRIPTIONS \
  "EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.customer_id = c.id AND s.status = 'active'" \
  " AND s.contract_end BETWEEN current_date AND current_date + @1::integer)"
#define CONTRACT_END_CURRENT "c.contract_end_next BETWEEN " TODAY " AND " TODAY " + @1::integer"
#define CONTRACT_END \
  "(" CONTRACT_END_CURRENT ") OR (c.contract_end_next < " TODAY " AND " CONTRACT_END_FROM_SUBSCRIPTIONS ")"
/* No interaction the caller may read in the last N days: the latest
 * interaction (last_contact_at) before the limit, the read policy of
 * crm.interactions folded in (0022; 0006, 0010): service staff read none,
 * directors none before crm.director_horizon().  A customer the caller
 * sees is one whose interactions the other roles read. */
#define ROLE "(SELECT crm.\"current_role\"())"
#define LAST_CONTACT \
  ROLE " NOT IN ('admin', 'director', 'manager', 'marketing') OR c.last_contact_at IS NULL" \
  " OR c.last_contact_at < (SELECT CASE WHEN " ROLE " = 'director'" \
  " THEN greatest(now() - make_interval(days => @1::integer), crm.director_horizon())" \
  " ELSE now() - make_interval(days => @1::integer) END)"

static const Condition conditions[] = {
  { "kind", "in", VALUE_NAMES, crm_customer_kind_names, 0, 0, "c.kind = ANY (@1::crm.customer_kind[])" },
  { "industry", "in", VALUE_TEXTS, NULL, 0, 0, "c.industry = ANY (@1::text[])" },
  { "region", "in", VALUE_TEXTS, NULL, 0, 0,
    /* a region and everything under it; the cast keeps the subquery one
     * value (an array), evaluated once */
    "c.region_id = ANY (CAST ((SELECT crm.region_subtrees(array_agg(sr.id)) FROM crm.regions sr"
    " WHERE sr.code = ANY (@1::text[])) AS uuid[]))" },
  { "tier", "in", VALUE_NAMES, crm_tier_names, 0, 0, "c.tier = ANY (@1::crm.customer_tier[])" },
  { "status", "in", VALUE_NAMES, crm_customer_status_names, 0, 0, "c.status = ANY (@1::crm.customer_status[])" },
  { "value_segment", "in", VALUE_NAMES, crm_value_segment_names, 0, 0, "c.value_segment = ANY (@1::text[])" },
  { "prefers", "includes", VALUE_TEXTS, NULL, 0, 0, "c.prefers && @1::text[]" },
  { "monthly_revenue", "gte", VALUE_INT, NULL, 0, MONEY_MAX, "c.monthly_revenue >= @1::bigint" },
  { "monthly_revenue", "lte", VALUE_INT, NULL, 0, MONEY_MAX, "c.monthly_revenue <= @1::bigint" },
  { "monthly_revenue", "between", VALUE_RANGE, NULL, 0, MONEY_MAX,
    "c.monthly_revenue BETWEEN @1::bigint AND @2::bigint" },
  { "arrears", "gte", VALUE_INT, NULL, 0, MONEY_MAX, "c.arrears >= @1::bigint" },
  { "arrears", "lte", VALUE_INT, NULL, 0, MONEY_MAX, "c.arrears <= @1::bigint" },
  { "arrears", "between", VALUE_RANGE, NULL, 0, MONEY_MAX, "c.arrears BETWEEN @1::bigint AND @2::bigint" },
  { "churn_risk", "gte", VALUE_INT, NULL, 0, 100, "c.churn_risk >= @1::smallint" },
  { "churn_risk", "lte", VALUE_INT, NULL, 0, 100, "c.churn_risk <= @1::smallint" },
  { "arpu_trend", "rising", VALUE_INT, NULL, 0, 1000,
    ARPU_TREND ("arpu_change_floor >= @1::bigint", ">= " BEFORE " * (100 + @1::integer)"),
    ARPU_CURRENT ("arpu_change_floor >= @1::bigint") },
  { "arpu_trend", "falling", VALUE_INT, NULL, 0, 100,
    ARPU_TREND ("arpu_change_ceil <= -@1::bigint", "<= " BEFORE " * (100 - @1::integer)"),
    ARPU_CURRENT ("arpu_change_ceil <= -@1::bigint") },
  { "products", "holds", VALUE_NAMES, crm_product_category_names, 0, 0, HOLDS_BITS " <> 0" },
  { "products", "lacks", VALUE_NAMES, crm_product_category_names, 0, 0, HOLDS_BITS " = 0" },
  { "contract_end", "within_days", VALUE_INT, NULL, 0, 3650, CONTRACT_END, CONTRACT_END_CURRENT },
  { "last_contact", "older_than_days", VALUE_INT, NULL, 0, 36500, LAST_CONTACT },
};

typedef struct
{
  guint      next_param;
  GPtrArray *values;
  guint      n_conditions;
  gboolean   current;       /* kept figures taken as current */
  gboolean   used_current;  /* a condition had a current-only form */
} Compiler;

static gboolean fail (GError     **error,
                      const char  *path,
                      const char  *member,
                      const char  *format,
                      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError     **error,
      const char  *path,
      const char  *member,
      const char  *format,
      ...)
{
  g_autofree char *field = member ? g_strdup_printf ("%s/%s", path, member) : g_strdup (path);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  crm_set_field_error (error, CRM_ERROR_INVALID, field, "%s", message);
  return FALSE;
}

/* A PostgreSQL array literal of @items: every element quoted. */
static char *
array_literal (GPtrArray *items)
{
  GString *out = g_string_new ("{");

  for (guint i = 0; i < items->len; i++)
    {
      g_string_append (out, i ? ",\"" : "\"");
      for (const char *p = items->pdata[i]; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static gboolean
read_int (JsonNode     *node,
          const Condition *cond,
          const char   *path,
          gint64       *out,
          GError      **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (error, path, NULL, "%s %s takes a whole number", cond->field, cond->op);
  *out = json_node_get_int (node);
  if (*out < cond->min || *out > cond->max)
    return fail (error, path, NULL, "%s %s takes a number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                 cond->field, cond->op, cond->min, cond->max);
  return TRUE;
}

/* The condition's parameters, as text, appended to @c->values. */
static gboolean
read_value (Compiler        *c,
            const Condition *cond,
            JsonNode        *value,
            const char      *path,
            GError         **error)
{
  g_autofree char *vpath = g_strdup_printf ("%s/value", path);

  if (cond->kind == VALUE_INT)
    {
      gint64 n;

      if (!read_int (value, cond, vpath, &n, error))
        return FALSE;
      g_ptr_array_add (c->values, g_strdup_printf ("%" G_GINT64_FORMAT, n));
      return TRUE;
    }

  if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    return fail (error, vpath, NULL, "%s %s takes an array", cond->field, cond->op);

  {
    JsonArray *array = json_node_get_array (value);
    guint n = json_array_get_length (array);
    g_autoptr(GPtrArray) items = g_ptr_array_new ();

    if (cond->kind == VALUE_RANGE)
      {
        gint64 low, high;
        g_autofree char *p0 = g_strdup_printf ("%s/0", vpath);
        g_autofree char *p1 = g_strdup_printf ("%s/1", vpath);

        if (n != 2)
          return fail (error, vpath, NULL, "%s %s takes [low, high]", cond->field, cond->op);
        if (!read_int (json_array_get_element (array, 0), cond, p0, &low, error) ||
            !read_int (json_array_get_element (array, 1), cond, p1, &high, error))
          return FALSE;
        if (low > high)
          return fail (error, vpath, NULL, "%s %s: the low end is above the high end", cond->field, cond->op);
        g_ptr_array_add (c->values, g_strdup_printf ("%" G_GINT64_FORMAT, low));
        g_ptr_array_add (c->values, g_strdup_printf ("%" G_GINT64_FORMAT, high));
        return TRUE;
      }

    if (n == 0 || n > 200)
      return fail (error, vpath, NULL, "%s %s takes 1 to 200 values", cond->field, cond->op);
    for (guint i = 0; i < n; i++)
      {
        JsonNode *item = json_array_get_element (array, i);
        const char *s;

        if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
          return fail (error, vpath, NULL, "%s %s takes strings", cond->field, cond->op);
        s = json_node_get_string (item);
        if (cond->kind == VALUE_NAMES && crm_wire_lookup (cond->names, s) < 0)
          {
            g_autofree char *ipath = g_strdup_printf ("%s/%u", vpath, i);

            return fail (error, ipath, NULL, "“%s” is not a value of %s", s, cond->field);
          }
        if (strlen (s) > 200 || !g_utf8_validate (s, -1, NULL))
          return fail (error, vpath, NULL, "%s %s: a value is too long", cond->field, cond->op);
        g_ptr_array_add (items, (gpointer) s);
      }
    g_ptr_array_add (c->values, array_literal (items));
    return TRUE;
  }
}

/* @cond->sql with @1 and @2 as the parameters just added. */
static void
append_condition (Compiler        *c,
                  const Condition *cond,
                  GString         *sql)
{
  guint first = c->next_param;
  const char *text = cond->sql;

  if (c->current && cond->sql_current)
    {
      text = cond->sql_current;
      c->used_current = TRUE;
    }
  g_string_append_c (sql, '(');
  for (const char *p = text; *p; p++)
    if (p[0] == '@' && (p[1] == '1' || p[1] == '2'))
      {
        g_string_append_printf (sql, "$%u", first + (guint) (p[1] - '1'));
        p++;
      }
    else
      g_string_append_c (sql, *p);
  g_string_append_c (sql, ')');
  c->next_param = first + (cond->kind == VALUE_RANGE ? 2 : 1);
}

static gboolean compile_node (Compiler *c, JsonNode *node, const char *path, guint depth,
                              GString *sql, GError **error);

static gboolean
compile_leaf (Compiler    *c,
              JsonObject  *object,
              const char  *path,
              GString     *sql,
              GError     **error)
{
  JsonNode *field = json_object_get_member (object, "field");
  JsonNode *op = json_object_get_member (object, "op");
  const char *field_name, *op_name;
  gboolean known_field = FALSE;
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l; l = l->next)
    if (!g_str_equal (l->data, "field") && !g_str_equal (l->data, "op") && !g_str_equal (l->data, "value"))
      return fail (error, path, l->data, "Unknown member “%s”", (const char *) l->data);
  if (field == NULL || !JSON_NODE_HOLDS_VALUE (field) || json_node_get_value_type (field) != G_TYPE_STRING)
    return fail (error, path, "field", "A condition needs a field (a string)");
  if (op == NULL || !JSON_NODE_HOLDS_VALUE (op) || json_node_get_value_type (op) != G_TYPE_STRING)
    return fail (error, path, "op", "A condition needs an op (a string)");
  field_name = json_node_get_string (field);
  op_name = json_node_get_string (op);
  if (++c->n_conditions > CRM_SEGMENT_MAX_CONDITIONS)
    return fail (error, path, NULL, "Criteria hold at most %d conditions", CRM_SEGMENT_MAX_CONDITIONS);

  for (guint i = 0; i < G_N_ELEMENTS (conditions); i++)
    {
      if (!g_str_equal (conditions[i].field, field_name))
        continue;
      known_field = TRUE;
      if (!g_str_equal (conditions[i].op, op_name))
        continue;
      if (!read_value (c, &conditions[i], json_object_get_member (object, "value"), path, error))
        return FALSE;
      append_condition (c, &conditions[i], sql);
      return TRUE;
    }
  if (!known_field)
    return fail (error, path, "field", "Unknown field “%s”", field_name);
  return fail (error, path, "op", "Unknown operator “%s” for %s", op_name, field_name);
}

static gboolean
compile_node (Compiler    *c,
              JsonNode    *node,
              const char  *path,
              guint        depth,
              GString     *sql,
              GError     **error)
{
  JsonObject *object;
  const char *combine = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, path, NULL, "A criterion is an object");
  if (depth > CRM_SEGMENT_MAX_DEPTH)
    return fail (error, path, NULL, "Criteria nest at most %d deep", CRM_SEGMENT_MAX_DEPTH);
  object = json_node_get_object (node);
  if (json_object_has_member (object, "all"))
    combine = "all";
  else if (json_object_has_member (object, "any"))
    combine = "any";
  if (combine == NULL)
    return compile_leaf (c, object, path, sql, error);

  {
    JsonNode *list = json_object_get_member (object, combine);
    g_autofree char *list_path = g_strdup_printf ("%s/%s", path, combine);
    JsonArray *array;

    if (json_object_get_size (object) != 1)
      return fail (error, path, NULL, "“%s” stands alone in its object", combine);
    if (!JSON_NODE_HOLDS_ARRAY (list) || json_array_get_length (json_node_get_array (list)) == 0)
      return fail (error, list_path, NULL, "“%s” takes a non-empty array", combine);
    array = json_node_get_array (list);
    g_string_append_c (sql, '(');
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        g_autofree char *item_path = g_strdup_printf ("%s/%u", list_path, i);

        if (i > 0)
          g_string_append (sql, g_str_equal (combine, "all") ? " AND " : " OR ");
        if (!compile_node (c, json_array_get_element (array, i), item_path, depth + 1, sql, error))
          return FALSE;
      }
    g_string_append_c (sql, ')');
    return TRUE;
  }
}

static char *
compile (JsonNode    *criteria,
         const char  *path,
         guint        first_param,
         GPtrArray   *values,
         gboolean     current,
         gboolean    *used_current,
         GError     **error)
{
  Compiler c = { first_param, values, 0, current, FALSE };
  g_autoptr(GString) sql = g_string_new (NULL);
  guint n_before;

  g_return_val_if_fail (path != NULL && values != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n_before = values->len;
  if (!compile_node (&c, criteria, path, 1, sql, error))
    {
      g_ptr_array_set_size (values, n_before);
      return NULL;
    }
  if (used_current)
    *used_current = c.used_current;
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

char *
crm_segment_compile (JsonNode    *criteria,
                     const char  *path,
                     guint        first_param,
                     GPtrArray   *values,
                     GError     **error)
{
  return compile (criteria, path, first_param, values, FALSE, NULL, error);
}

char *
crm_segment_compile_current (JsonNode  *criteria,
                             guint      first_param)
{
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  gboolean used = FALSE;
  g_autofree char *sql = compile (criteria, "", first_param, values, TRUE, &used, NULL);

  return used ? g_steal_pointer (&sql) : NULL;
}
