#define G_LOG_DOMAIN "crm-handler-sync"

#include "config.h"

#include <string.h>

#include "crm-cursor.h"
#include "crm-error.h"
#include "crm-handlers.h"
#include "crm-records.h"
#include "crm-validate.h"

/*
 * GET /sync?cursor=…&limit=…: what changed since the cursor.
 *
 * A round sends, stage by stage (customers, contacts, departures), the
 * rows the caller may see whose sync_xid the round's base snapshot did not
 * see, in (sync_xid, id) order, a page at a time.  The snapshot taken when
 * a round begins is the next round's base: a row written by a transaction
 * that commits after that moment was not visible in it, so the next round
 * sends it even if its page position had already been passed.  Rows can
 * come twice (harmless: the client stores the newer version); none is
 * skipped.  The first round (no base) sends everything visible and no
 * departures; the client has nothing to remove yet.
 *
 * Row-level security decides visibility; as in the customer list, the
 * caller's scope is also named in the SQL so that PostgreSQL can use the
 * owner or region indexes.
 */

#define DEFAULT_LIMIT 500
#define MAX_LIMIT 2000

typedef enum
{
  SCOPE_ALL,
  SCOPE_OWNER,
  SCOPE_REGIONS,
} Scope;

static const char * const stage_names[CRM_SYNC_N_STAGES] = { "customers", "contacts", "removed" };

/*
 * Each stage's statement.  Parameters: $1 page size, $2 and $3 the
 * position, then $4 the base snapshot (incremental rounds), then the
 * caller's id (SCOPE_OWNER).  Shapes are assembled from fixed text and
 * prepared once per connection.
 */
static const CrmSql *
stage_sql (CrmSyncStage stage,
           gboolean     incremental,
           Scope        scope)
{
  static GMutex lock;
  static GHashTable *shapes;
  g_autofree char *name = g_strdup_printf ("sync_%d_%c_%d", stage, incremental ? 'i' : 'f', scope);
  const char *alias = stage == CRM_SYNC_STAGE_CONTACTS ? "k" : stage == CRM_SYNC_STAGE_DEPARTURES ? "d" : "c";
  const char *key = stage == CRM_SYNC_STAGE_DEPARTURES ? "seq" : "id";
  const char *key_type = stage == CRM_SYNC_STAGE_DEPARTURES ? "bigint" : "uuid";
  CrmSql *sql;
  GString *text;
  int n = 3;

  g_mutex_lock (&lock);
  if (shapes == NULL)
    shapes = g_hash_table_new (g_str_hash, g_str_equal);
  sql = g_hash_table_lookup (shapes, name);
  if (sql != NULL)
    {
      g_mutex_unlock (&lock);
      return sql;
    }

  text = g_string_new (NULL);
  switch (stage)
    {
    case CRM_SYNC_STAGE_CUSTOMERS:
      /* The page is chosen from customers alone, its names joined after:
       * planned with the joins, a page after a freshly loaded table (one
       * sync_xid for every row, so "after this position" was estimated at
       * one row) joined and sorted the caller's whole scope, 1.3 s for a
       * director's page on a million customers instead of 27 ms. */
      g_string_append (text, "SELECT c.sync_xid::text, " CRM_CUSTOMER_COLUMNS
                             " FROM (SELECT * FROM crm.customers c");
      break;
    case CRM_SYNC_STAGE_CONTACTS:
      g_string_append (text, "SELECT k.sync_xid::text, " CRM_CONTACT_COLUMNS " FROM crm.contacts k");
      if (scope != SCOPE_ALL)
        g_string_append (text, " JOIN crm.customers c ON c.id = k.customer_id");
      break;
    case CRM_SYNC_STAGE_DEPARTURES:
      g_string_append (text, "SELECT d.sync_xid::text, d.seq::text, d.entity, d.id, d.customer_id"
                             " FROM crm.sync_departures d");
      break;
    case CRM_SYNC_N_STAGES:
    default:
      g_assert_not_reached ();
    }
  g_string_append_printf (text, " WHERE (%s.sync_xid, %s.%s) > ($2::xid8, $3::%s)",
                          alias, alias, key, key_type);
  /* An incremental round starts each stage at the base's xmin (see
   * crm_handle_sync): with the lower bound in the row comparison alone,
   * the index scan begins there instead of filtering the whole index. */
  if (incremental)
    {
      n++;
      g_string_append_printf (text, " AND NOT pg_visible_in_snapshot(%s.sync_xid, $%d::pg_snapshot)",
                              alias, n);
    }
  if (stage == CRM_SYNC_STAGE_DEPARTURES)
    /* only what the caller cannot see any more: a customer moved away
     * and back again stays */
    g_string_append (text, " AND CASE d.entity"
                           " WHEN 'customer' THEN NOT EXISTS (SELECT 1 FROM crm.customers c WHERE c.id = d.id)"
                           " ELSE NOT EXISTS (SELECT 1 FROM crm.contacts k WHERE k.id = d.id) END");
  else if (scope == SCOPE_OWNER)
    g_string_append_printf (text, " AND c.owner_id = $%d::uuid", ++n);
  else if (scope == SCOPE_REGIONS)
    g_string_append (text, " AND c.region_id = ANY ((SELECT crm.visible_regions())::uuid[])");
  g_string_append_printf (text, " ORDER BY %s.sync_xid, %s.%s LIMIT $1::integer", alias, alias, key);
  if (stage == CRM_SYNC_STAGE_CUSTOMERS)
    g_string_append (text, ") c"
                           " JOIN crm.regions r ON r.id = c.region_id"
                           " LEFT JOIN crm.user_directory u ON u.id = c.owner_id"
                           " ORDER BY c.sync_xid, c.id");

  sql = g_new0 (CrmSql, 1);
  sql->name = g_intern_string (name);
  sql->sql = g_string_free (text, FALSE);
  sql->n_params = n;
  g_hash_table_insert (shapes, (gpointer) sql->name, sql);
  g_mutex_unlock (&lock);
  return sql;
}

/*
 * When a round begins: its snapshot, and for a first round how much it
 * will send (progress).  Later rounds are not counted: "changed since a
 * snapshot" cannot be estimated for a prepared statement: once PostgreSQL
 * adopted the generic plan (after five runs) a director's quiet round
 * spent 2.3 s counting a million customers, against 1.6 ms planned for the
 * values.  The pages walk the sync index from the base's xmin instead.
 */
static const CrmSql sql_round_snapshot = {
  "sync_round_snapshot",
  "SELECT pg_current_snapshot()::text",
  0
};

static const CrmSql *
first_round_sql (Scope scope)
{
  static CrmSql shapes[3];
  static GMutex lock;
  CrmSql *sql = &shapes[scope];

  g_mutex_lock (&lock);
  if (sql->name == NULL)
    {
      const char *cs = scope == SCOPE_OWNER ? " WHERE c.owner_id = $1::uuid"
                       : scope == SCOPE_REGIONS ? " WHERE c.region_id = ANY ((SELECT crm.visible_regions())::uuid[])"
                       : "";

      /* contacts are counted by their customers' scope; RLS alone for all */
      sql->sql = g_strdup_printf ("SELECT pg_current_snapshot()::text,"
                                  " (SELECT count(*) FROM crm.customers c%s),"
                                  " (SELECT count(*) FROM crm.contacts k%s%s)",
                                  cs, *cs ? " JOIN crm.customers c ON c.id = k.customer_id" : "", cs);
      sql->n_params = scope == SCOPE_OWNER ? 1 : 0;
      sql->name = g_intern_string (g_strdup_printf ("sync_round_first_%d", scope));
    }
  g_mutex_unlock (&lock);
  return sql;
}

typedef struct
{
  CrmSyncCursor *cursor;         /* where this page starts */
  gint64         limit;
  gboolean       incremental;
  int            round_index;    /* statement of the round's snapshot, or -1 */
  guint          stage_index[CRM_SYNC_N_STAGES];  /* each queried stage's statement */
  int            last_stage;     /* the last stage queried */
  int            final_stage;    /* the last stage of this round */
} SyncState;

static void
sync_state_free (gpointer data)
{
  SyncState *state = data;

  crm_sync_cursor_free (state->cursor);
  g_free (state);
}

/* A digest of what decides the caller's view: a cursor made for someone
 * else, or before a change of role or region, starts over. */
static char *
identity_of (const CrmUser *user)
{
  g_autofree char *who = g_strdup_printf ("%s|%d|%s", user->id, user->role,
                                          user->region_id ? user->region_id : "");
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint64 value = 0;

  g_checksum_update (sum, (const guchar *) who, -1);
  g_checksum_get_digest (sum, digest, &len);
  for (guint i = 0; i < 8; i++)
    value = value << 8 | digest[i];
  return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
}

static void
write_stage_row (CrmJsonWriter  *w,
                 CrmSyncStage    stage,
                 const PGresult *res,
                 int             row)
{
  crm_json_begin_object (w);
  switch (stage)
    {
    case CRM_SYNC_STAGE_CUSTOMERS:
      crm_write_customer (w, res, row, 1);
      break;
    case CRM_SYNC_STAGE_CONTACTS:
      crm_write_contact (w, res, row, 1);
      break;
    case CRM_SYNC_STAGE_DEPARTURES:
      crm_json_member_string (w, "entity", PQgetvalue (res, row, 2));
      crm_json_member_string (w, "id", PQgetvalue (res, row, 3));
      crm_json_member_string (w, "customer_id", PQgetvalue (res, row, 4));
      break;
    case CRM_SYNC_N_STAGES:
    default:
      g_assert_not_reached ();
    }
  crm_json_end_object (w);
}

static void
sync_done (CrmRequest *req,
           CrmDbBatch *batch)
{
  SyncState *state = req->data;
  CrmSyncCursor next = { 0 };
  g_autofree char *cursor_text = NULL;
  g_autofree char *round = NULL;
  GString *out = g_string_sized_new (64 * 1024);
  CrmJsonWriter w;
  gint64 emitted = 0;
  gboolean more = FALSE;
  int stage;

  if (state->round_index >= 0)
    round = g_strdup (PQgetvalue (crm_db_batch_get_result (batch, state->round_index), 0, 0));
  else
    round = g_strdup (state->cursor->round);

  next.identity = state->cursor->identity;
  next.base = state->cursor->base;
  next.round = round;

  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_json_member_bool (&w, "reset", FALSE);
  if (state->round_index >= 0 && !state->incremental)
    {
      PGresult *res = crm_db_batch_get_result (batch, state->round_index);

      /* the round's size, for progress: rows to come */
      crm_json_key (&w, "total");
      crm_json_int (&w, g_ascii_strtoll (PQgetvalue (res, 0, 1), NULL, 10) +
                        g_ascii_strtoll (PQgetvalue (res, 0, 2), NULL, 10));
    }

  /* Every stage has its array, empty when this page holds none of it. */
  for (stage = 0; stage < CRM_SYNC_N_STAGES; stage++)
    {
      PGresult *res = NULL;
      int rows = 0;
      int take = 0;

      if (!more && stage >= state->cursor->stage && stage <= state->last_stage)
        {
          res = crm_db_batch_get_result (batch, state->stage_index[stage]);
          rows = PQntuples (res);
          take = (int) MIN ((gint64) rows, state->limit - emitted);
        }

      crm_json_key (&w, stage_names[stage]);
      crm_json_begin_array (&w);
      for (int i = 0; i < take; i++)
        write_stage_row (&w, stage, res, i);
      crm_json_end_array (&w);
      emitted += take;

      if (take < rows)
        {
          /* The page is full inside this stage: go on from its last row
           * (column 1 is the id, or the sequence number of a departure). */
          next.stage = stage;
          if (take > 0)
            {
              next.xid = PQgetvalue (res, take - 1, 0);
              next.key = PQgetvalue (res, take - 1, 1);
            }
          else if (stage == state->cursor->stage)
            {
              next.xid = state->cursor->xid;
              next.key = state->cursor->key;
            }
          more = TRUE;
        }
    }

  if (!more)
    {
      if (state->last_stage < state->final_stage)
        {
          next.stage = state->last_stage + 1;
          more = TRUE;
        }
      else
        {
          /* The round is complete: its snapshot is the next one's base. */
          next.base = round;
          next.round = NULL;
          next.stage = CRM_SYNC_STAGE_CUSTOMERS;
        }
    }

  cursor_text = crm_sync_cursor_encode (&next);
  crm_json_member_string (&w, "cursor", cursor_text);
  crm_json_member_bool (&w, "more", more);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

static void
respond_reset (CrmRequest *req)
{
  GString *out = g_string_new (NULL);
  CrmJsonWriter w;

  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_json_member_bool (&w, "reset", TRUE);
  for (int stage = 0; stage < CRM_SYNC_N_STAGES; stage++)
    {
      crm_json_key (&w, stage_names[stage]);
      crm_json_begin_array (&w);
      crm_json_end_array (&w);
    }
  crm_json_member_string (&w, "cursor", NULL);
  crm_json_member_bool (&w, "more", TRUE);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

void
crm_handle_sync (CrmRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = identity_of (req->user);
  g_autofree char *limit_text = NULL;
  g_autofree char *base_xmin = NULL;
  const char *cursor_param = crm_request_query (req, "cursor");
  const char *limit_param = crm_request_query (req, "limit");
  SyncState *state = g_new0 (SyncState, 1);
  Scope scope = SCOPE_ALL;
  CrmDbBatch *batch;

  req->data = state;
  req->data_free = sync_state_free;
  state->limit = DEFAULT_LIMIT;
  state->round_index = -1;

  if (limit_param && !crm_parse_int_param ("limit", limit_param, 1, MAX_LIMIT, &state->limit, &error))
    {
      crm_request_respond_error (req, error);
      return;
    }
  if (cursor_param && *cursor_param)
    {
      state->cursor = crm_sync_cursor_decode (cursor_param, &error);
      if (state->cursor == NULL)
        {
          crm_request_respond_error (req, error);
          return;
        }
      if (!g_str_equal (state->cursor->identity, identity))
        {
          respond_reset (req);
          return;
        }
    }
  else
    {
      state->cursor = g_new0 (CrmSyncCursor, 1);
      state->cursor->identity = g_strdup (identity);
    }

  if (req->user->role == CRM_ROLE_MANAGER)
    scope = SCOPE_OWNER;
  else if (req->user->role == CRM_ROLE_DIRECTOR)
    scope = SCOPE_REGIONS;

  state->incremental = state->cursor->base != NULL;
  state->final_stage = state->incremental ? CRM_SYNC_STAGE_DEPARTURES : CRM_SYNC_STAGE_CONTACTS;
  if (state->cursor->stage > state->final_stage)
    {
      crm_set_field_error (&error, CRM_ERROR_INVALID, "cursor", "cursor is not a sync cursor this server handed out");
      crm_request_respond_error (req, error);
      return;
    }
  /* An incremental round is usually small: all its stages in one page.  A
   * first round pages through one stage at a time. */
  state->last_stage = state->incremental ? state->final_stage : state->cursor->stage;

  limit_text = g_strdup_printf ("%" G_GINT64_FORMAT, state->limit + 1);
  if (state->incremental)
    base_xmin = g_strndup (state->cursor->base, strcspn (state->cursor->base, ":"));
  batch = crm_request_new_batch (req);
  if (state->cursor->round == NULL)
    {
      const char *values[1] = { req->user->id };

      if (state->incremental)
        state->round_index = (int) crm_db_batch_add (batch, &sql_round_snapshot, NULL);
      else
        state->round_index = (int) crm_db_batch_add (batch, first_round_sql (scope), values);
    }
  for (int stage = state->cursor->stage; stage <= state->last_stage; stage++)
    {
      gboolean at_cursor = stage == state->cursor->stage && state->cursor->xid != NULL;
      const char *values[5] = { limit_text, NULL, NULL, NULL, NULL };
      int n = 3;

      /* every row the base did not see has sync_xid >= the base's xmin */
      values[1] = at_cursor ? state->cursor->xid : state->incremental ? base_xmin : "0";
      values[2] = at_cursor ? state->cursor->key
                  : stage == CRM_SYNC_STAGE_DEPARTURES ? "0" : "00000000-0000-0000-0000-000000000000";
      if (state->incremental)
        values[n++] = state->cursor->base;
      if (scope == SCOPE_OWNER && stage != CRM_SYNC_STAGE_DEPARTURES)
        values[n++] = req->user->id;
      state->stage_index[stage] = crm_db_batch_add (batch,
                                                    stage_sql (stage, state->incremental,
                                                               stage == CRM_SYNC_STAGE_DEPARTURES ? SCOPE_ALL : scope),
                                                    values);
    }
  crm_request_execute (req, batch, sync_done);
}
