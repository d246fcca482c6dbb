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
 * A round sends, stage by stage (one per entity of the entity table,
 * parents first: customers, contacts, products, subscriptions…; then the
 * departures), the rows the caller may see whose sync_xid the round's base
 * snapshot did not see, in (sync_xid, key) order, a page at a time.  The
 * snapshot taken when a round begins is the next round's base: a row
 * written by a transaction that commits after that moment was not visible
 * in it, so the next round sends it even if its page position had already
 * been passed.  Rows can come twice (harmless: the client stores the newer
 * version); none is skipped.  The first round (no base) sends everything
 * visible and no departures; the client has nothing to remove yet.
 *
 * Row-level security decides visibility; as in the customer list, the
 * caller's scope is also named in the SQL (on the customer, for the
 * entities under it) so that PostgreSQL can use the owner or region
 * indexes.  A role the entity table says may read none of an entity
 * (readable_by) skips its stage: its policy would return nothing, but only
 * after scanning the table.
 *
 * Where the entity table narrows a role's sync to the records the caller
 * owns (synced_own_for: a director's own opportunities, and their stage
 * history through them), the stage names the owner too, the first round
 * counts only those, and a record that stops being the caller's departs
 * for them although the policy still shows it: the departure names the
 * owner it left (crm.sync_departures.left_owner, 0021) and goes out if the
 * caller no longer owns the record.  What a role's sync holds is part of
 * the cursor's identity, so a client made under another rule starts over.
 */

#define DEFAULT_LIMIT 500
#define MAX_LIMIT 2000
#define MAX_KEY 2      /* key fields of an entity */

typedef enum
{
  SCOPE_ALL,
  SCOPE_OWNER,
  SCOPE_REGIONS,
} Scope;

static const char *
stage_name (int stage)
{
  CrmEntity entity = crm_sync_stage_entity (stage);

  return entity == CRM_N_ENTITIES ? "removed" : crm_entity_info (entity)->plural;
}

static gboolean
stage_readable (int     stage,
                CrmRole role)
{
  CrmEntity entity = crm_sync_stage_entity (stage);

  return entity == CRM_N_ENTITIES || crm_entity_info_readable_by (crm_entity_info (entity), role);
}

/* The first stage from @from to @final that @role reads, or @final + 1. */
static int
readable_stage_from (CrmRole role,
                     int     from,
                     int     final)
{
  while (from <= final && !stage_readable (from, role))
    from++;
  return from;
}

/* How a key field is cast in the keyset comparison, and where a stage
 * starts before its first row.  An enum key (a pipeline stage) is
 * compared and ordered as its text, which has a value below every other:
 * the empty string. */
static const char *
key_type (const CrmField *field)
{
  return field->value_type == CRM_VALUE_DATE ? "date"
         : field->value_type == CRM_VALUE_INTEGER ? "bigint"
         : field->value_type == CRM_VALUE_ENUM ? "text" : "uuid";
}

static const char *
key_start (const CrmField *field)
{
  return field->value_type == CRM_VALUE_DATE ? "-infinity"
         : field->value_type == CRM_VALUE_INTEGER ? "-9223372036854775808"
         : field->value_type == CRM_VALUE_ENUM ? ""
         : "00000000-0000-0000-0000-000000000000";
}

/* The key field as the keyset compares and orders it. */
static char *
key_column (const char     *alias,
            const CrmField *field)
{
  return g_strdup_printf ("%s.%s%s", alias, crm_field_column (field),
                          field->value_type == CRM_VALUE_ENUM ? "::text" : "");
}

/* Every field name that is part of some entity's key: the members a
 * departure's key may have ("id", "customer_id", "month", "campaign_id"),
 * in the departures statement's column order from column 4 on. */
static const char * const *
departure_key_names (void)
{
  static const char *names[2 * CRM_N_ENTITIES + 1];
  static gsize done;

  if (g_once_init_enter (&done))
    {
      guint n = 0;

      for (guint e = 0; e < CRM_N_ENTITIES; e++)
        for (const char * const *k = crm_entity_info (e)->key; *k; k++)
          if (!g_strv_contains (names, *k))
            names[n++] = *k;
      g_once_init_leave (&done, 1);
    }
  return names;
}

#define DEPARTURE_KEY_COLUMN 4

/* Whether the entity table narrows some entity's sync for @role. */
static gboolean
role_synced_own (CrmRole role)
{
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    if (crm_entity_info_synced_owner (crm_entity_info (e), role) != NULL)
      return TRUE;
  return FALSE;
}

/* The condition that the row @alias of @info is the caller's ($@param),
 * where @role's sync is narrowed to the caller's own (@owner: @info or its
 * parent). */
static void
append_owned (GString             *text,
              const CrmEntityInfo *info,
              const CrmEntityInfo *owner,
              const char          *alias,
              int                  param)
{
  const CrmField *owner_field = crm_entity_info_field (owner, owner->owner_field);
  const CrmField *parent_field;

  if (owner == info)
    {
      g_string_append_printf (text, "%s.%s = $%d::uuid", alias, crm_field_column (owner_field), param);
      return;
    }
  parent_field = crm_entity_info_field (info, info->parent_field);
  g_string_append_printf (text, "EXISTS (SELECT 1 FROM %s own WHERE own.%s = %s.%s AND own.%s = $%d::uuid)",
                          owner->table, crm_field_column (crm_entity_info_field (owner, owner->key[0])), alias,
                          crm_field_column (parent_field), crm_field_column (owner_field), param);
}

/* For @role's departures of records that left what the caller owns
 * (left_owner, 0021): whether the record is still the caller's ($@param). */
static void
append_still_owned (GString *text,
                    CrmRole  role,
                    int      param)
{
  g_string_append (text, "CASE d.entity");
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    {
      const CrmEntityInfo *info = crm_entity_info (e);
      const CrmEntityInfo *owner = crm_entity_info_synced_owner (info, role);

      if (owner == NULL)
        continue;
      g_string_append_printf (text, " WHEN '%s' THEN EXISTS (SELECT 1 FROM %s x WHERE ", info->name, info->table);
      for (guint k = 0; info->key[k]; k++)
        {
          const CrmField *f = crm_entity_info_field (info, info->key[k]);

          g_string_append_printf (text, "x.%s = (d.key->>'%s')::%s AND ", crm_field_column (f), f->name,
                                  f->value_type == CRM_VALUE_ENUM ? f->sql_type : key_type (f));
        }
      append_owned (text, info, owner, "x", param);
      g_string_append (text, ")");
    }
  /* an entity not narrowed for the role: such a departure is not theirs */
  g_string_append (text, " ELSE true END");
}

/* The departures stage's text: who may see a departure is its policy;
 * only those the caller cannot see any more go out (a customer moved away
 * and back again stays), and only of entities the caller reads ($n).  A
 * departure naming the owner a record left (left_owner) is for that user
 * alone, where their role's sync is narrowed to their own and the record
 * is not theirs again ($n + 1); nobody else's. */
static void
append_departures_sql (GString *text,
                       int     *n,
                       gboolean incremental,
                       CrmRole  role)
{
  const char * const *names = departure_key_names ();

  g_string_append (text, "SELECT d.sync_xid::text, d.seq::text, d.entity, d.customer_id");
  for (guint i = 0; names[i]; i++)
    g_string_append_printf (text, ", d.key->>'%s'", names[i]);
  g_string_append (text, " FROM crm.sync_departures d WHERE (d.sync_xid, d.seq) > ($2::xid8, $3::bigint)");
  *n = 3;
  if (incremental)
    g_string_append_printf (text, " AND NOT pg_visible_in_snapshot(d.sync_xid, $%d::pg_snapshot)", ++*n);
  /* crm.sync_row_visible (0007): one index lookup under the table's
   * policy */
  g_string_append_printf (text, " AND d.entity = ANY ($%d::text[])"
                                " AND ((d.left_owner IS NULL AND NOT crm.sync_row_visible(CASE d.entity", ++*n);
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    g_string_append_printf (text, " WHEN '%s' THEN '%s'::regclass", crm_entity_info (e)->name,
                            crm_entity_info (e)->table);
  g_string_append (text, " END, d.key))");
  /* a record that left what the caller owns, and is not theirs again */
  if (role_synced_own (role))
    {
      g_string_append_printf (text, " OR (d.left_owner = $%d::uuid AND NOT ", ++*n);
      append_still_owned (text, role, *n);
      g_string_append (text, ")");
    }
  g_string_append (text, ") ORDER BY d.sync_xid, d.seq LIMIT $1::integer");
}

/* An entity's stage: its record's columns after sync_xid and the key's
 * text, the keyset on (sync_xid, key…), the round's base, the scope. */
static void
append_entity_sql (GString             *text,
                   const CrmEntityInfo *info,
                   int                 *n,
                   gboolean             incremental,
                   Scope                scope,
                   CrmRole              role)
{
  const CrmEntityInfo *owner = crm_entity_info_synced_owner (info, role);
  const char *a = crm_record_alias (info);
  const char *joins = crm_record_joins (info);
  g_autofree char *columns = crm_record_columns (info);
  g_autoptr(GString) keys = g_string_new (NULL);
  g_autoptr(GString) key_text = g_string_new ("concat_ws(','");
  g_autoptr(GString) position = g_string_new (NULL);
  gboolean under_customer = info->parent == CRM_ENTITY_CUSTOMER;

  *n = 2;
  for (guint k = 0; info->key[k]; k++)
    {
      const CrmField *f = crm_entity_info_field (info, info->key[k]);
      g_autofree char *column = key_column (a, f);

      g_string_append_printf (keys, ", %s", column);
      g_string_append_printf (key_text, ", %s.%s::text", a, crm_field_column (f));
      g_string_append_printf (position, ", $%d::%s", ++*n, key_type (f));
    }
  g_string_append (key_text, ")");

  g_string_append_printf (text, "SELECT %s.sync_xid::text, %s, %s FROM ", a, key_text->str, columns);
  /* The customer's page is chosen from customers alone, its names joined
   * after: planned with the joins, a page after a freshly loaded table
   * (one sync_xid for every row, so "after this position" was estimated
   * at one row) joined and sorted the caller's whole scope, 1.3 s for a
   * director's page on a million customers instead of 27 ms. */
  if (*joins)
    g_string_append (text, "(SELECT * FROM ");
  g_string_append_printf (text, "%s %s", info->table, a);
  if (under_customer && scope != SCOPE_ALL)
    g_string_append_printf (text, " JOIN crm.customers c ON c.id = %s.customer_id", a);
  g_string_append_printf (text, " WHERE (%s.sync_xid%s) > ($2::xid8%s)", a, keys->str, position->str);
  /* An incremental round starts each stage at the base's xmin (see
   * crm_handle_sync): with the lower bound in the row comparison alone,
   * the index scan begins there instead of filtering the whole index. */
  if (incremental)
    g_string_append_printf (text, " AND NOT pg_visible_in_snapshot(%s.sync_xid, $%d::pg_snapshot)", a, ++*n);
  if (under_customer || info->entity == CRM_ENTITY_CUSTOMER)
    {
      if (scope == SCOPE_OWNER)
        g_string_append_printf (text, " AND c.owner_id = $%d::uuid", ++*n);
      else if (scope == SCOPE_REGIONS)
        g_string_append (text, " AND c.region_id = ANY ((SELECT crm.visible_regions())::uuid[])");
    }
  if (owner != NULL)
    {
      g_string_append (text, " AND ");
      append_owned (text, info, owner, a, ++*n);
    }
  g_string_append_printf (text, " ORDER BY %s.sync_xid%s LIMIT $1::integer", a, keys->str);
  if (*joins)
    g_string_append_printf (text, ") %s%s ORDER BY %s.sync_xid%s", a, joins, a, keys->str);
}

/* Whether @stage's statement names the caller's scope (and, for a
 * manager, takes the caller's id). */
static gboolean
stage_scoped (int stage)
{
  CrmEntity entity = crm_sync_stage_entity (stage);

  return entity == CRM_ENTITY_CUSTOMER ||
         (entity != CRM_N_ENTITIES && crm_entity_info (entity)->parent == CRM_ENTITY_CUSTOMER);
}

/* Whether @stage's statement depends on @role's narrowing (and takes the
 * caller's id for it). */
static gboolean
stage_synced_own (int     stage,
                  CrmRole role)
{
  CrmEntity entity = crm_sync_stage_entity (stage);

  if (entity == CRM_N_ENTITIES)
    return role_synced_own (role);
  return crm_entity_info_synced_owner (crm_entity_info (entity), role) != NULL;
}

/*
 * Each stage's statement.  Parameters: $1 page size, $2 and on the
 * position (sync_xid, then each key field; a departure's sequence
 * number), then the base snapshot (incremental rounds), then the caller's
 * id (SCOPE_OWNER) or, for departures, the entities the caller reads, then
 * the caller's id again where the role's sync is narrowed to its own.
 * Shapes are assembled from the entity table once and prepared once per
 * connection.
 */
static const CrmSql *
stage_sql (int      stage,
           gboolean incremental,
           Scope    scope,
           CrmRole  role)
{
  static GMutex lock;
  static GHashTable *shapes;
  CrmEntity entity = crm_sync_stage_entity (stage);
  g_autofree char *name = NULL;
  CrmSql *sql;
  GString *text;
  int n = 0;

  if (!stage_scoped (stage))
    scope = SCOPE_ALL;
  /* the role only where it narrows the statement */
  if (stage_synced_own (stage, role))
    name = g_strdup_printf ("sync_%s_%c_%d_own%d", stage_name (stage), incremental ? 'i' : 'f', scope, role);
  else
    name = g_strdup_printf ("sync_%s_%c_%d", stage_name (stage), incremental ? 'i' : 'f', scope);
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
  if (entity == CRM_N_ENTITIES)
    append_departures_sql (text, &n, incremental, role);
  else
    append_entity_sql (text, crm_entity_info (entity), &n, incremental, scope, role);

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

/*
 * A first round's size.  Counting every record under the policies costs
 * as much as reading them: a director's 3.8 million records on the bench
 * database took 13.5 s warm, 29 s cold, before the first page, while the
 * connection's pipeline waited.  So the customers in scope are counted
 * (one index-only scan) and, beside that count, a random sample of at most
 * $1 of them (crm_config's sync_count_sample) is drawn; the records under
 * a customer are counted for the sample alone and scaled by customers /
 * sample.  With no more customers than the sample the count is exact, and
 * the third column says whether it is; the entities not under a customer,
 * and those narrowed to the caller's own, are counted exactly.  Columns:
 * the snapshot, the total, whether it is an estimate.
 */
static const CrmSql *
first_round_sql (Scope   scope,
                 CrmRole role)
{
  static CrmSql shapes[3][CRM_N_ROLES];
  static GMutex lock;
  CrmSql *sql = &shapes[scope][role];

  g_mutex_lock (&lock);
  if (sql->name == NULL)
    {
      const char *cs = scope == SCOPE_OWNER ? " WHERE c.owner_id = $2::uuid"
                       : scope == SCOPE_REGIONS ? " WHERE c.region_id = ANY ((SELECT crm.visible_regions())::uuid[])"
                       : "";
      GString *text = g_string_new (NULL);
      g_autoptr(GString) sampled = g_string_new ("0");
      g_autoptr(GString) exact = g_string_new ("0");
      gboolean customers = FALSE;

      for (int stage = 0; stage < CRM_SYNC_STAGE_DEPARTURES; stage++)
        {
          const CrmEntityInfo *info = crm_entity_info (crm_sync_stage_entity (stage));
          const CrmEntityInfo *owner = crm_entity_info_synced_owner (info, role);
          gboolean where = FALSE;

          if (!stage_readable (stage, role))
            continue;
          if (info->entity == CRM_ENTITY_CUSTOMER)
            {
              customers = TRUE;
              continue;
            }
          /* under a customer, not narrowed further: through the sample */
          if (stage_scoped (stage) && owner == NULL)
            {
              g_string_append_printf (sampled, " + (SELECT count(*) FROM %s t WHERE t.customer_id IN (SELECT id FROM s))",
                                      info->table);
              continue;
            }
          if (stage_scoped (stage) && *cs)
            g_string_append_printf (exact, " + (SELECT count(*) FROM %s t JOIN crm.customers c ON c.id = t.customer_id%s",
                                    info->table, cs);
          else
            g_string_append_printf (exact, " + (SELECT count(*) FROM %s t", info->table);
          where = stage_scoped (stage) && *cs;
          if (owner != NULL)
            {
              g_string_append (exact, where ? " AND " : " WHERE ");
              append_owned (exact, info, owner, "t", 2);
            }
          g_string_append (exact, ")");
        }
      /* count(*) OVER () is every customer in scope, taken before the
       * sort keeps the sample: one scan for both */
      g_string_append_printf (text,
                              "WITH s AS MATERIALIZED (SELECT c.id, count(*) OVER () AS n FROM crm.customers c%s"
                              " ORDER BY random() LIMIT $1::integer),"
                              " k AS (SELECT coalesce(max(n), 0) AS n, count(*) AS k FROM s)"
                              " SELECT pg_current_snapshot()::text,"
                              " %s + (%s) + CASE WHEN k.k > 0 THEN round((%s) * k.n::numeric / k.k)::bigint ELSE 0 END,"
                              " k.n > k.k FROM k",
                              cs, customers ? "k.n" : "0", exact->str, sampled->str);
      sql->sql = g_string_free (text, FALSE);
      sql->n_params = scope == SCOPE_OWNER || role_synced_own (role) ? 2 : 1;
      sql->name = g_intern_string (g_strdup_printf ("sync_round_first_%d_%d", scope, role));
    }
  g_mutex_unlock (&lock);
  return sql;
}

typedef struct
{
  CrmSyncCursor *cursor;         /* where this page starts */
  CrmRole        role;
  gint64         limit;
  gboolean       incremental;
  int            round_index;    /* statement of the round's snapshot, or -1 */
  int            stage_index[CRM_SYNC_N_STAGES];  /* each queried stage's statement, or -1 */
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

/* What the entity table narrows @role's sync to ("" for nothing): each
 * such entity and what narrows it ("opportunity:owner_id",
 * "opportunity_stage:opportunity"). */
static char *
synced_own_scope (CrmRole role)
{
  GString *text = g_string_new (NULL);

  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    {
      const CrmEntityInfo *info = crm_entity_info (e);
      const CrmEntityInfo *owner = crm_entity_info_synced_owner (info, role);

      if (owner != NULL)
        g_string_append_printf (text, "|%s:%s", info->name, owner == info ? info->owner_field : owner->name);
    }
  return g_string_free (text, FALSE);
}

/* A digest of what decides the caller's view: a cursor made for someone
 * else, before a change of role or region, or under another narrowing of
 * the role's sync (the store holds the region's opportunities, say, and
 * should hold the caller's own only) starts over.  A role whose sync is
 * not narrowed has the digest it always had. */
static char *
identity_of (const CrmUser *user)
{
  g_autofree char *own = synced_own_scope (user->role);
  g_autofree char *who = g_strdup_printf ("%s|%d|%s%s", user->id, user->role,
                                          user->region_id ? user->region_id : "", own);
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

/* A departure: the entity, its key's fields as members, and the customer
 * it was under (for a customer or a contact exactly {entity, id,
 * customer_id}, as before). */
static void
write_departure (CrmJsonWriter  *w,
                 CrmRole         role,
                 const PGresult *res,
                 int             row)
{
  const char * const *names = departure_key_names ();
  const CrmEntityInfo *info = crm_entity_info_lookup (PQgetvalue (res, row, 2));

  g_return_if_fail (info != NULL);

  crm_json_member_string (w, "entity", info->name);
  for (guint k = 0; info->key[k]; k++)
    for (guint i = 0; names[i]; i++)
      if (g_str_equal (names[i], info->key[k]))
        crm_write_field (w, crm_entity_info_field (info, names[i]), role,
                         crm_pg_value (res, row, DEPARTURE_KEY_COLUMN + (int) i));
  if (!g_strv_contains (info->key, "customer_id"))
    crm_json_member_string (w, "customer_id", crm_pg_value (res, row, 3));
}

static void
write_stage_row (CrmJsonWriter  *w,
                 int             stage,
                 CrmRole         role,
                 const PGresult *res,
                 int             row)
{
  CrmEntity entity = crm_sync_stage_entity (stage);

  crm_json_begin_object (w);
  /* columns 0 and 1 are the position: sync_xid and the key (or seq) */
  if (entity == CRM_N_ENTITIES)
    write_departure (w, role, res, row);
  else
    crm_write_record (w, crm_entity_info (entity), role, res, row, 2);
  crm_json_end_object (w);
}

/* About how long the page's JSON will be: its values, and per value a
 * key and punctuation.  A full page of customers is about 800 KB: a buffer
 * sized once is not grown and copied five times (with its fresh memory
 * faulted in each time), a third of the server's CPU on such a page. */
static gsize
page_size_estimate (SyncState  *state,
                    CrmDbBatch *batch)
{
  gsize size = 4096;

  for (int stage = 0; stage < CRM_SYNC_N_STAGES; stage++)
    if (state->stage_index[stage] >= 0)
      {
        PGresult *res = crm_db_batch_get_result (batch, (guint) state->stage_index[stage]);
        int rows = MIN (PQntuples (res), (int) state->limit);

        for (int i = 0; i < rows; i++)
          for (int f = 0; f < PQnfields (res); f++)
            size += (gsize) PQgetlength (res, i, f) + 24;
      }
  return size;
}

static void
sync_done (CrmRequest *req,
           CrmDbBatch *batch)
{
  SyncState *state = req->data;
  CrmSyncCursor next = { 0 };
  g_autofree char *cursor_text = NULL;
  g_autofree char *round = NULL;
  GString *out = g_string_sized_new (page_size_estimate (state, batch));
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

      /* the round's size, for progress: rows to come, and whether that
       * is an estimate (first_round_sql) */
      crm_json_key (&w, "total");
      crm_json_int (&w, g_ascii_strtoll (PQgetvalue (res, 0, 1), NULL, 10));
      crm_json_member_bool (&w, "total_estimated", PQgetvalue (res, 0, 2)[0] == 't');
    }

  /* Every stage has its array, empty when this page holds none of it. */
  for (stage = 0; stage < CRM_SYNC_N_STAGES; stage++)
    {
      PGresult *res = NULL;
      int rows = 0;
      int take = 0;

      if (!more && stage >= state->cursor->stage && stage <= state->last_stage && state->stage_index[stage] >= 0)
        {
          res = crm_db_batch_get_result (batch, (guint) state->stage_index[stage]);
          rows = PQntuples (res);
          take = (int) MIN ((gint64) rows, state->limit - emitted);
        }

      crm_json_key (&w, stage_name (stage));
      crm_json_begin_array (&w);
      for (int i = 0; i < take; i++)
        write_stage_row (&w, stage, state->role, res, i);
      crm_json_end_array (&w);
      emitted += take;

      if (take < rows)
        {
          /* The page is full inside this stage: go on from its last row. */
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
      int following = readable_stage_from (state->role, state->last_stage + 1, state->final_stage);

      if (following <= state->final_stage)
        {
          next.stage = following;
          more = TRUE;
        }
      else
        {
          /* The round is complete: its snapshot is the next one's base. */
          next.base = round;
          next.round = NULL;
          next.stage = 0;
        }
    }

  cursor_text = crm_sync_cursor_encode (&next);
  crm_json_member_string (&w, "cursor", cursor_text);
  crm_json_member_bool (&w, "more", more);
  crm_json_end_object (&w);
  /* the next page in the head as well: the client asks for it while this
   * body is on its way and being parsed */
  if (more && !req->gone)
    soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), CRM_SYNC_NEXT_HEADER,
                                  cursor_text);
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
      crm_json_key (&w, stage_name (stage));
      crm_json_begin_array (&w);
      crm_json_end_array (&w);
    }
  crm_json_member_string (&w, "cursor", NULL);
  crm_json_member_bool (&w, "more", TRUE);
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

/* The names of the entities @role reads, as a PostgreSQL text[]. */
static char *
readable_entities (CrmRole role)
{
  g_autoptr(GString) text = g_string_new ("{");

  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    if (crm_entity_info_readable_by (crm_entity_info (e), role))
      g_string_append_printf (text, "%s%s", text->len > 1 ? "," : "", crm_entity_info (e)->name);
  g_string_append_c (text, '}');
  return g_strdup (text->str);
}

/* Queues @stage's statement from the cursor's position (or the stage's
 * start). */
static void
add_stage (SyncState  *state,
           CrmDbBatch *batch,
           int         stage,
           Scope       scope,
           const char *limit_text,
           const char *base_xmin,
           const char *user_id,
           const char *readable)
{
  CrmEntity entity = crm_sync_stage_entity (stage);
  gboolean at_cursor = stage == state->cursor->stage && state->cursor->xid != NULL;
  g_auto(GStrv) position = at_cursor ? g_strsplit (state->cursor->key, ",", -1) : NULL;
  const char *values[5 + MAX_KEY + 1] = { limit_text, NULL };
  int n = 1;

  /* every row the base did not see has sync_xid >= the base's xmin */
  values[n++] = at_cursor ? state->cursor->xid : state->incremental ? base_xmin : "0";
  if (entity == CRM_N_ENTITIES)
    values[n++] = at_cursor ? position[0] : "0";
  else
    {
      const CrmEntityInfo *info = crm_entity_info (entity);

      for (guint k = 0; info->key[k]; k++)
        values[n++] = at_cursor ? position[k] : key_start (crm_entity_info_field (info, info->key[k]));
    }
  if (state->incremental)
    values[n++] = state->cursor->base;
  if (entity == CRM_N_ENTITIES)
    values[n++] = readable;
  else if (scope == SCOPE_OWNER && stage_scoped (stage))
    values[n++] = user_id;
  if (stage_synced_own (stage, state->role))
    values[n++] = user_id;
  state->stage_index[stage] = (int) crm_db_batch_add (batch, stage_sql (stage, state->incremental, scope,
                                                                        state->role), values);
}

void
crm_handle_sync (CrmRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *identity = identity_of (req->user);
  g_autofree char *limit_text = NULL;
  g_autofree char *base_xmin = NULL;
  g_autofree char *readable = readable_entities (req->user->role);
  const char *cursor_param = crm_request_query (req, "cursor");
  const char *limit_param = crm_request_query (req, "limit");
  SyncState *state = g_new0 (SyncState, 1);
  Scope scope = SCOPE_ALL;
  CrmDbBatch *batch;

  req->data = state;
  req->data_free = sync_state_free;
  state->limit = DEFAULT_LIMIT;
  state->round_index = -1;
  state->role = req->user->role;
  for (int stage = 0; stage < CRM_SYNC_N_STAGES; stage++)
    state->stage_index[stage] = -1;

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
      /* made for someone else, or for another stage list */
      if (state->cursor->outdated || !g_str_equal (state->cursor->identity, identity))
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
  state->final_stage = state->incremental ? CRM_SYNC_STAGE_DEPARTURES : CRM_SYNC_STAGE_DEPARTURES - 1;
  if (state->cursor->stage > state->final_stage)
    {
      crm_set_field_error (&error, CRM_ERROR_INVALID, "cursor", "cursor is not a sync cursor this server handed out");
      crm_request_respond_error (req, error);
      return;
    }
  /* An incremental round is usually small: all its stages in one page.  A
   * first round pages through one stage at a time, skipping those the
   * caller reads none of. */
  state->last_stage = state->incremental ? state->final_stage
                      : MIN (readable_stage_from (state->role, state->cursor->stage, state->final_stage),
                             state->final_stage);

  limit_text = g_strdup_printf ("%" G_GINT64_FORMAT, state->limit + 1);
  if (state->incremental)
    base_xmin = g_strndup (state->cursor->base, strcspn (state->cursor->base, ":"));
  batch = crm_request_new_batch (req);
  if (state->cursor->round == NULL)
    {
      g_autofree char *sample = g_strdup_printf ("%u", req->worker->config->sync_count_sample);
      const char *values[2] = { sample, req->user->id };

      if (state->incremental)
        state->round_index = (int) crm_db_batch_add (batch, &sql_round_snapshot, NULL);
      else
        state->round_index = (int) crm_db_batch_add (batch, first_round_sql (scope, state->role), values);
    }
  for (int stage = state->cursor->stage; stage <= state->last_stage; stage++)
    if (stage_readable (stage, state->role))
      add_stage (state, batch, stage, scope, limit_text, base_xmin, req->user->id, readable);
  crm_request_execute (req, batch, sync_done);
}
