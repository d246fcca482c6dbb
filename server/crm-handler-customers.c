#define G_LOG_DOMAIN "crm-handler-customers"

#include "config.h"

#include <string.h>

#include "crm-cursor.h"
#include "crm-error.h"
#include "crm-handlers.h"
#include "crm-records.h"
#include "crm-validate.h"

/*
 * GET /customers and GET /customers/:id.
 *
 * Row-level security decides what the caller sees.  The list query also
 * names the caller's own scope (owner_id for an account manager, the region
 * subtree for a director) so that PostgreSQL can walk the matching index;
 * that filter narrows, it never widens: without it the policy still holds.
 */

#define DEFAULT_LIMIT 50
#define MAX_LIMIT 500
#define MAX_SEARCH_CHARS 100

/* Columns of a list row (CRM_CUSTOMER_SUMMARY_COLUMNS) that its cursor holds. */
enum { COL_ID = 0, COL_NAME = 1, COL_REVENUE = 11, COL_UPDATED = 15 };

static const CrmSql sql_customer = {
  "customer_get",
  "SELECT " CRM_CUSTOMER_ONE_COLUMNS CRM_CUSTOMER_ONE_FROM " WHERE c.id = $1::uuid",
  1
};

static const CrmSql sql_contacts = {
  "customer_contacts",
  "SELECT " CRM_CONTACT_COLUMNS " FROM crm.contacts k"
  " WHERE k.customer_id = $1::uuid ORDER BY k.is_primary DESC, k.name, k.id",
  1
};

/* The sort orders: the column and its cast for the cursor's value. */
static const struct {
  const char *column;
  const char *cast;
  gboolean    default_descending;
} sorts[CRM_N_CUSTOMER_SORTS] = {
  [CRM_CUSTOMER_SORT_NAME]    = { "c.name",            "text",        FALSE },
  [CRM_CUSTOMER_SORT_REVENUE] = { "c.monthly_revenue", "bigint",      TRUE },
  [CRM_CUSTOMER_SORT_UPDATED] = { "c.updated_at",      "timestamptz", TRUE },
};

/* Filters, each a fixed SQL fragment with one parameter. */
typedef enum
{
  FILTER_SEARCH,
  FILTER_REGION,
  FILTER_TIER,
  FILTER_OWNER,
  FILTER_STATUS,
  FILTER_SCOPE_OWNER,    /* an account manager's own customers */
  FILTER_SCOPE_REGIONS,  /* a director's region subtree */
  N_FILTERS
} Filter;

static const char * const filter_sql[N_FILTERS] = {
  [FILTER_SEARCH]        = "(c.name ILIKE $%u OR c.name_en ILIKE $%u)",
  [FILTER_REGION]        = "c.region_id = ANY (crm.region_subtree($%u::uuid))",
  [FILTER_TIER]          = "c.tier = $%u::crm.customer_tier",
  [FILTER_OWNER]         = "c.owner_id = $%u::uuid",
  [FILTER_STATUS]        = "c.status = $%u::crm.customer_status",
  [FILTER_SCOPE_OWNER]   = "c.owner_id = $%u::uuid",
  [FILTER_SCOPE_REGIONS] = "c.region_id = ANY ((SELECT crm.visible_regions())::uuid[])",
};

/* How many parameters each fragment takes. */
static const guint filter_n_params[N_FILTERS] = { 1, 1, 1, 1, 1, 1, 0 };

/*
 * The SQL text of a list query is assembled from the fixed fragments above
 * according to which filters are present, never from the request's values,
 * which all travel as parameters.  Each distinct shape is prepared once per
 * connection under its own name and kept for the life of the process.
 *
 * The page is chosen from crm.customers alone, bounded by a constant (the
 * largest page there can be), and only then are the names joined and the
 * asked size applied.  With the page size a parameter in that inner
 * LIMIT, PostgreSQL's plan without values assumed a tenth of the table
 * would be read, so it planned each execution anew for its values
 * (0.3-0.6 ms of planning for a 0.1 ms page); with the constant, the
 * prepared plan fits every execution and is kept
 * (docs/plans/hot-statements.txt).  A search is the exception: how many
 * names match depends on the words (walk the name order, or look the
 * words up in the trigram index), so it is sent unnamed and planned for
 * its words each time.
 */
static const CrmSql *
list_sql (guint    filters,
          int      sort,
          gboolean descending,
          gboolean with_cursor)
{
  static GMutex lock;
  static GHashTable *shapes;
  g_autofree char *name = g_strdup_printf ("customers_list_%x_%d%c%c", filters, sort,
                                           descending ? 'd' : 'a', with_cursor ? 'c' : 'n');
  CrmSql *sql;

  g_mutex_lock (&lock);
  if (shapes == NULL)
    shapes = g_hash_table_new (g_str_hash, g_str_equal);
  sql = g_hash_table_lookup (shapes, name);
  if (sql == NULL)
    {
      GString *text = g_string_new ("SELECT " CRM_CUSTOMER_SUMMARY_COLUMNS
                                    " FROM (SELECT * FROM crm.customers c WHERE true");
      g_autofree char *order = g_strdup_printf (" ORDER BY %s %s, c.id %s", sorts[sort].column,
                                                descending ? "DESC" : "ASC", descending ? "DESC" : "ASC");
      guint n = 1;   /* $1 is the page size */

      for (guint f = 0; f < N_FILTERS; f++)
        if (filters & (1u << f))
          {
            n += filter_n_params[f];
            g_string_append (text, " AND ");
            /* FILTER_SEARCH names its parameter twice */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            g_string_append_printf (text, filter_sql[f], n, n);
#pragma GCC diagnostic pop
          }
      if (with_cursor)
        {
          g_string_append_printf (text, " AND (%s, c.id) %c ($%u::%s, $%u::uuid)",
                                  sorts[sort].column, descending ? '<' : '>',
                                  n + 1, sorts[sort].cast, n + 2);
          n += 2;
        }
      /* one more than the largest page: it tells whether there is a next one */
      g_string_append_printf (text, "%s LIMIT %d) c" CRM_CUSTOMER_JOINS "%s LIMIT $1::integer",
                              order, MAX_LIMIT + 1, order);

      sql = g_new0 (CrmSql, 1);
      sql->name = (filters & (1u << FILTER_SEARCH)) ? NULL : g_intern_string (name);
      sql->sql = g_string_free (text, FALSE);
      sql->n_params = (int) n;
      g_hash_table_insert (shapes, (gpointer) g_intern_string (name), sql);
    }
  g_mutex_unlock (&lock);
  return sql;
}

/* Escapes LIKE's wildcards so a search matches the text as typed. */
static char *
like_pattern (const char *text)
{
  GString *out = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '%');
  return g_string_free (out, FALSE);
}

typedef struct
{
  int      sort;
  gboolean descending;
  gint64   limit;
  guint    page_index;   /* the page's statement in the batch */
} ListState;

static void
list_done (CrmRequest *req,
           CrmDbBatch *batch)
{
  ListState *state = req->data;
  PGresult *res = crm_db_batch_get_result (batch, state->page_index);
  int rows = PQntuples (res);
  int shown = MIN (rows, (int) state->limit);
  GString *out = g_string_sized_new (256 + 512 * shown); /* a row is 420-480 bytes */
  CrmJsonWriter w;

  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_json_key (&w, "items");
  crm_json_begin_array (&w);
  for (int i = 0; i < shown; i++)
    {
      crm_json_begin_object (&w);
      crm_write_customer_summary (&w, res, i, 0);
      crm_json_end_object (&w);
    }
  crm_json_end_array (&w);

  crm_json_key (&w, "next_cursor");
  if (rows > state->limit)
    {
      static const int sort_column[CRM_N_CUSTOMER_SORTS] = { COL_NAME, COL_REVENUE, COL_UPDATED };
      CrmCursor cursor = {
        state->sort, state->descending,
        PQgetvalue (res, shown - 1, sort_column[state->sort]),
        PQgetvalue (res, shown - 1, COL_ID),
      };
      g_autofree char *text = crm_cursor_encode (&cursor);

      crm_json_string (&w, text);
    }
  else
    crm_json_null (&w);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

void
crm_handle_customers_list (CrmRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCursor) cursor = NULL;
  g_autofree char *pattern = NULL;
  g_autofree char *limit_text = NULL;
  const char *values[N_FILTERS + 3] = { NULL };
  const char *q = crm_request_query (req, "q");
  const char *region = crm_request_query (req, "region");
  const char *tier = crm_request_query (req, "tier");
  const char *owner = crm_request_query (req, "owner");
  const char *status = crm_request_query (req, "status");
  const char *sort_text = crm_request_query (req, "sort");
  const char *order = crm_request_query (req, "order");
  const char *limit_param = crm_request_query (req, "limit");
  const char *cursor_text = crm_request_query (req, "cursor");
  ListState *state = g_new0 (ListState, 1);
  guint filters = 0;
  guint n = 1;
  int dummy;
  CrmDbBatch *batch;

  req->data = state;
  req->data_free = g_free;
  state->limit = DEFAULT_LIMIT;

  if (sort_text && !crm_parse_enum_param ("sort", sort_text, crm_customer_sort_names, &state->sort, &error))
    goto invalid;
  state->descending = sorts[state->sort].default_descending;
  if (order)
    {
      if (!g_str_equal (order, "asc") && !g_str_equal (order, "desc"))
        {
          crm_set_field_error (&error, CRM_ERROR_INVALID, "order", "order must be asc or desc");
          goto invalid;
        }
      state->descending = g_str_equal (order, "desc");
    }
  if (limit_param && !crm_parse_int_param ("limit", limit_param, 1, MAX_LIMIT, &state->limit, &error))
    goto invalid;

  if (q && *q)
    {
      if (!crm_validate_text ("q", q, 1, MAX_SEARCH_CHARS, &error))
        goto invalid;
      pattern = like_pattern (q);
      filters |= 1u << FILTER_SEARCH;
      values[n++] = pattern;
    }
  if (region)
    {
      if (!crm_validate_uuid (region))
        {
          crm_set_field_error (&error, CRM_ERROR_INVALID, "region", "region must be a region id");
          goto invalid;
        }
      filters |= 1u << FILTER_REGION;
      values[n++] = region;
    }
  if (tier)
    {
      if (!crm_parse_enum_param ("tier", tier, crm_tier_names, &dummy, &error))
        goto invalid;
      filters |= 1u << FILTER_TIER;
      values[n++] = tier;
    }
  if (owner)
    {
      if (g_str_equal (owner, "me"))
        owner = req->user->id;
      else if (!crm_validate_uuid (owner))
        {
          crm_set_field_error (&error, CRM_ERROR_INVALID, "owner", "owner must be a user id or \"me\"");
          goto invalid;
        }
      filters |= 1u << FILTER_OWNER;
      values[n++] = owner;
    }
  if (status)
    {
      if (!crm_parse_enum_param ("status", status, crm_customer_status_names, &dummy, &error))
        goto invalid;
      filters |= 1u << FILTER_STATUS;
      values[n++] = status;
    }

  /* The caller's own scope, to let the planner use the right index. */
  if (req->user->role == CRM_ROLE_MANAGER)
    {
      filters |= 1u << FILTER_SCOPE_OWNER;
      values[n++] = req->user->id;
    }
  else if (req->user->role == CRM_ROLE_DIRECTOR)
    {
      filters |= 1u << FILTER_SCOPE_REGIONS;
    }

  if (cursor_text)
    {
      cursor = crm_cursor_decode (cursor_text, &error);
      if (cursor == NULL)
        goto invalid;
      if (cursor->sort != state->sort || cursor->descending != state->descending)
        {
          crm_set_field_error (&error, CRM_ERROR_INVALID, "cursor",
                               "cursor belongs to another sort order");
          goto invalid;
        }
      /* a value its column's type would refuse never reaches PostgreSQL */
      if (!crm_cursor_check_customer_sort (cursor, &error))
        goto invalid;
      values[n++] = cursor->value;
      values[n++] = cursor->id;
    }

  /* One row more than asked tells whether there is a next page. */
  limit_text = g_strdup_printf ("%" G_GINT64_FORMAT, state->limit + 1);
  values[0] = limit_text;

  batch = crm_request_new_batch (req);
  state->page_index = crm_db_batch_add (batch, list_sql (filters, state->sort, state->descending, cursor != NULL),
                                        values);
  crm_request_execute (req, batch, list_done);
  return;

invalid:
  crm_request_respond_error (req, error);
}

/* Where a customer's statements are in its batch. */
typedef struct
{
  guint customer_index;
  guint contacts_index;
} CustomerState;

static void
customer_done (CrmRequest *req,
               CrmDbBatch *batch)
{
  CustomerState *state = req->data;
  PGresult *c = crm_db_batch_get_result (batch, state->customer_index);
  PGresult *contacts = crm_db_batch_get_result (batch, state->contacts_index);
  GString *out;
  CrmJsonWriter w;

  if (PQntuples (c) != 1)
    {
      crm_request_fail (req, CRM_ERROR_NOT_FOUND, "id", "No such customer, or not one of yours");
      return;
    }

  out = g_string_sized_new (2048);
  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_write_customer (&w, req->user->role, c, 0, 0);
  crm_json_key (&w, "contacts");
  crm_json_begin_array (&w);
  for (int i = 0; i < PQntuples (contacts); i++)
    {
      crm_json_begin_object (&w);
      crm_write_contact (&w, req->user->role, contacts, i, 0);
      crm_json_end_object (&w);
    }
  crm_json_end_array (&w);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

const CrmSql *
crm_customer_get_sql (void)
{
  return &sql_customer;
}

void
crm_handle_customer_get (CrmRequest *req)
{
  const char *id = crm_request_param (req, 0);
  const char *values[1] = { id };
  CustomerState *state;
  CrmDbBatch *batch;

  if (!crm_validate_uuid (id))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "id", "id must be a customer id (a UUID)");
      return;
    }
  state = g_new0 (CustomerState, 1);
  req->data = state;
  req->data_free = g_free;
  batch = crm_request_new_batch (req);
  state->customer_index = crm_db_batch_add (batch, &sql_customer, values);
  state->contacts_index = crm_db_batch_add (batch, &sql_contacts, values);
  crm_request_execute (req, batch, customer_done);
}
