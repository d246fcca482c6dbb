#define G_LOG_DOMAIN "crm-handler-campaigns"

#include "config.h"

#include "crm-error.h"
#include "crm-handlers.h"
#include "crm-segment.h"
#include "crm-validate.h"

/*
 * Segments and campaigns (issue 11).
 *
 * POST /segments/preview: criteria in, the number of matching customers
 * and a sample out, from one statement whose condition crm_segment_compile
 * () built; row-level security decides which customers count.
 *
 * POST /campaigns/:id/launch: marketing and administrators only.  One
 * statement reads the campaign and its segment; a campaign launched
 * before, or not a draft or planned, is a 409 there.  Then one
 * transaction: crm.campaign_launch_lock () (which takes the campaign's
 * row lock and checks again, KL409: two launches at once make one), then
 * one statement: the segment's customers inserted as members by the
 * compiled condition with the control group drawn and the others assigned,
 * and crm.campaign_launch_finish () (status; the counts the insert
 * returned) (LAUNCH_INSERT).
 *
 * GET /campaigns/:id/results: crm.campaign_results () writes the whole
 * document from the members and the records their conversions link
 * (server/sql/0016-campaigns.sql).
 */

#define SAMPLE_DEFAULT 20
#define SAMPLE_MAX     100

static const CrmSql sql_launch_read = {
  "campaign_launch_read",
  "SELECT s.criteria::text, c.status::text, c.launched_at IS NOT NULL"
  "  FROM crm.campaigns c LEFT JOIN crm.segments s ON s.id = c.segment_id"
  " WHERE c.id = $1::uuid",
  1
};

static const CrmSql sql_launch_lock = {
  "campaign_launch_lock",
  "SELECT crm.campaign_launch_lock($1::uuid)",
  1
};

static const CrmSql sql_results = {
  "campaign_results",
  "SELECT crm.campaign_results($1::uuid)",
  1
};

/* The launch's members, in one pass: the segment's customers in a random
 * order, the first round(share x members) the control group; the others
 * to their customer's account manager (an active one), else to the queue
 * of the campaign's first channel.  Inserted in customer order (the
 * draw's order is not the insert's): the index entries and foreign-key
 * probes of consecutive members fall on the same pages, and a campaign's
 * members lie on the heap in key order for its results.  The same
 * statement counts what it inserted and passes the counts to
 * crm.campaign_launch_finish () (0023), which no longer reads the members
 * again.  $1 the campaign, the condition's parameters from $2. */
#define LAUNCH_INSERT \
  "WITH ins AS (" \
  " INSERT INTO crm.campaign_members (campaign_id, customer_id, is_control, assigned_to, queue)" \
  " SELECT k.id, s.id, s.control," \
  "        CASE WHEN NOT s.control AND s.managed THEN s.owner_id END," \
  "        CASE WHEN NOT s.control AND NOT s.managed THEN k.channels[1] END" \
  "   FROM crm.campaigns k," \
  "        (SELECT c.id, c.owner_id," \
  "                c.owner_id IN (SELECT u.id FROM crm.user_directory u" \
  "                                WHERE u.role = 'manager' AND NOT u.disabled) AS managed," \
  "                row_number () OVER (ORDER BY random ())" \
  "                  <= round (count(*) OVER () * (SELECT p.control_percent FROM crm.campaigns p" \
  "                                                 WHERE p.id = $1::uuid) / 100.0) AS control" \
  "           FROM crm.customers c WHERE %s) s" \
  "  WHERE k.id = $1::uuid" \
  "  ORDER BY s.id" \
  "  RETURNING is_control, assigned_to, queue)" \
  " SELECT crm.campaign_launch_finish ($1::uuid, count(*), count(*) FILTER (WHERE is_control)," \
  "                                    count(assigned_to), count(queue))" \
  "   FROM ins"

/* The one statement of a preview: $1 the sample's size, the condition's
 * parameters from $2 (the same ones in both places).  The sample's
 * customers are found first by their keys alone, so that the condition
 * reads the covering index customers_segment_sample (0022) and not the
 * table for every customer it passes over.  With @current (the
 * condition for current kept ARPU figures, see crm-segment.h) the count
 * and the sample are each two subqueries of which only the one for the
 * figures as they are runs: the other is an initplan never evaluated. */
static char *
preview_sql (const char *where,
             const char *current)
{
  g_autofree char *count = NULL;
  g_autofree char *sample = NULL;

#define PREVIEW_COUNT "(SELECT count(*) FROM crm.customers c WHERE %s)"
#define PREVIEW_SAMPLE \
  "(SELECT coalesce(json_agg(json_build_object('id', s.id, 'name', s.name, 'region_id', s.region_id," \
  "                                           'region', s.region, 'tier', s.tier," \
  "                                           'monthly_revenue', s.monthly_revenue)" \
  "                         ORDER BY s.monthly_revenue DESC, s.id), '[]')" \
  "  FROM (SELECT c.id, c.name, c.region_id, r.name AS region, c.tier, c.monthly_revenue" \
  "          FROM (SELECT c.id FROM crm.customers c WHERE %s" \
  "                 ORDER BY c.monthly_revenue DESC, c.id LIMIT $1::integer) m" \
  "          JOIN crm.customers c ON c.id = m.id LEFT JOIN crm.regions r ON r.id = c.region_id) s)"
  if (current == NULL)
    return g_strdup_printf ("SELECT " PREVIEW_COUNT ", " PREVIEW_SAMPLE, where, where);
  count = g_strdup_printf ("CASE WHEN " CRM_SEGMENT_KEPT_STALE " THEN " PREVIEW_COUNT " ELSE " PREVIEW_COUNT " END",
                           where, current);
  sample = g_strdup_printf ("CASE WHEN " CRM_SEGMENT_KEPT_STALE " THEN " PREVIEW_SAMPLE " ELSE " PREVIEW_SAMPLE " END",
                            where, current);
#undef PREVIEW_COUNT
#undef PREVIEW_SAMPLE
  return g_strdup_printf ("SELECT %s, %s", count, sample);
}

/* Preview ---------------------------------------------------------------- */

static void
preview_done (CrmRequest *req,
              CrmDbBatch *batch)
{
  PGresult *res = crm_db_batch_get_result (batch, GPOINTER_TO_UINT (req->data));
  GString *out = g_string_new ("{\"count\":");

  g_string_append (out, PQgetvalue (res, 0, 0));
  g_string_append (out, ",\"sample\":");
  g_string_append (out, PQgetvalue (res, 0, 1));
  g_string_append_c (out, '}');
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

void
crm_handle_segment_preview (CrmRequest *req)
{
  JsonObject *body = json_node_get_object (req->body);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  g_autofree char *current = NULL;
  g_autofree char *sql = NULL;
  gint64 sample = SAMPLE_DEFAULT;
  CrmDbBatch *batch;
  g_autoptr(GList) members = json_object_get_members (body);

  for (GList *m = members; m; m = m->next)
    if (!g_str_equal (m->data, "criteria") && !g_str_equal (m->data, "sample"))
      {
        g_autofree char *field = g_strdup_printf ("/%s", (const char *) m->data);

        crm_request_fail (req, CRM_ERROR_INVALID, field, "Unknown member of a preview");
        return;
      }
  if (json_object_has_member (body, "sample"))
    {
      JsonNode *n = json_object_get_member (body, "sample");

      if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64 ||
          json_node_get_int (n) < 0 || json_node_get_int (n) > SAMPLE_MAX)
        {
          crm_request_fail (req, CRM_ERROR_INVALID, "/sample", "sample is a whole number from 0 to 100");
          return;
        }
      sample = json_node_get_int (n);
    }
  g_ptr_array_add (values, g_strdup_printf ("%" G_GINT64_FORMAT, sample));
  where = crm_segment_compile (json_object_get_member (body, "criteria"), "/criteria", 2, values, &error);
  if (where == NULL)
    {
      crm_request_respond_error (req, error);
      return;
    }
  current = crm_segment_compile_current (json_object_get_member (body, "criteria"), 2);
  sql = preview_sql (where, current);
  batch = crm_request_new_batch (req);
  crm_db_batch_add_text (batch, CRM_SEGMENT_PLANNING, 0, NULL);
  req->data = GUINT_TO_POINTER (crm_db_batch_add_text (batch, sql, (int) values->len,
                                                       (const char * const *) values->pdata));
  crm_request_execute (req, batch, preview_done);
}

/* Launch ----------------------------------------------------------------- */

typedef struct
{
  char  *id;
  guint  read;
  guint  finish;
} Launch;

static void
launch_free (gpointer data)
{
  Launch *l = data;

  g_free (l->id);
  g_free (l);
}

static void
launch_done (CrmRequest *req,
             CrmDbBatch *batch)
{
  Launch *l = req->data;
  PGresult *res = crm_db_batch_get_result (batch, l->finish);

  crm_request_respond (req, SOUP_STATUS_OK, g_string_new (PQgetvalue (res, 0, 0)));
}

static void
launch_read_done (CrmRequest *req,
                  CrmDbBatch *batch)
{
  Launch *l = req->data;
  PGresult *res = crm_db_batch_get_result (batch, l->read);
  const char *id_value[1] = { l->id };
  CrmDbBatch *next;
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) criteria = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *where = NULL;
  g_autofree char *insert = NULL;
  const char *status;

  if (PQntuples (res) != 1)
    {
      crm_request_fail (req, CRM_ERROR_NOT_FOUND, "id", "No such campaign");
      return;
    }
  status = PQgetvalue (res, 0, 1);
  if (g_str_equal (PQgetvalue (res, 0, 2), "t") ||
      !(g_str_equal (status, "draft") || g_str_equal (status, "planned")))
    {
      crm_request_fail (req, CRM_ERROR_CONFLICT, "status",
                        "The campaign was launched before, or is not a draft or planned");
      return;
    }
  if (PQgetisnull (res, 0, 0))
    {
      crm_request_fail (req, CRM_ERROR_CONFLICT, "segment_id", "The campaign has no segment to launch to");
      return;
    }
  criteria = json_from_string (PQgetvalue (res, 0, 0), NULL);
  g_ptr_array_add (values, g_strdup (l->id));
  where = crm_segment_compile (criteria, "/segment/criteria", 2, values, &error);
  if (where == NULL)
    {
      crm_request_respond_error (req, error);
      return;
    }
  insert = g_strdup_printf (LAUNCH_INSERT, where);
  next = crm_request_new_batch (req);
  crm_db_batch_add (next, &sql_launch_lock, id_value);
  l->finish = crm_db_batch_add_text (next, insert, (int) values->len, (const char * const *) values->pdata);
  crm_request_execute (req, next, launch_done);
}

void
crm_handle_campaign_launch (CrmRequest *req)
{
  const char *id = crm_request_param (req, 0);
  const char *values[1] = { id };
  Launch *l;
  CrmDbBatch *batch;

  if (!crm_validate_uuid (id))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "id", "id must be a campaign id (a UUID)");
      return;
    }
  if (req->user->role != CRM_ROLE_MARKETING && req->user->role != CRM_ROLE_ADMIN)
    {
      crm_request_fail (req, CRM_ERROR_FORBIDDEN, NULL, "Only marketing staff launch campaigns");
      return;
    }
  l = g_new0 (Launch, 1);
  l->id = g_strdup (id);
  req->data = l;
  req->data_free = launch_free;
  batch = crm_request_new_batch (req);
  l->read = crm_db_batch_add (batch, &sql_launch_read, values);
  crm_request_execute (req, batch, launch_read_done);
}

/* Results ---------------------------------------------------------------- */

static void
results_done (CrmRequest *req,
              CrmDbBatch *batch)
{
  PGresult *res = crm_db_batch_get_result (batch, GPOINTER_TO_UINT (req->data));

  if (PQntuples (res) != 1 || PQgetisnull (res, 0, 0))
    {
      crm_request_fail (req, CRM_ERROR_NOT_FOUND, "id", "No such campaign");
      return;
    }
  crm_request_respond (req, SOUP_STATUS_OK, g_string_new_len (PQgetvalue (res, 0, 0), PQgetlength (res, 0, 0)));
}

void
crm_handle_campaign_results (CrmRequest *req)
{
  const char *id = crm_request_param (req, 0);
  const char *values[1] = { id };
  CrmDbBatch *batch;

  if (!crm_validate_uuid (id))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "id", "id must be a campaign id (a UUID)");
      return;
    }
  batch = crm_request_new_batch (req);
  req->data = GUINT_TO_POINTER (crm_db_batch_add (batch, &sql_results, values));
  crm_request_execute (req, batch, results_done);
}
