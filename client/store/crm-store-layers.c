#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-store-private.h"
#include "crm-validate.h"

/*
 * Two layers.  The tables of the entities some role edits (customers and
 * contacts today; any entity of the entity table with a writable field)
 * hold what the user sees: the server's record with the queued
 * (unconfirmed) changes applied on top, so the interface shows an edit at
 * once.  While a record has queued changes its server record is kept in
 * the entity's _server table (customers_server), and every
 * newer server record (a sync page, a mutation's answer, a conflict's
 * current record) goes there; the visible row is then rebuilt: the server
 * record, then each pending or sent change of the record in queue order.
 * A refused change thus disappears exactly, and a colleague's newer record
 * shows with the user's pending edit still on top.  A queued delete is
 * applied as the row's absence: the record is gone from the shown table
 * at once, its server record stays, so a refused delete brings it back as
 * it was; once the server confirms it (or answers that the record is gone
 * for this user) both rows go.  Invariant: a record has
 * a row in the _server table exactly while it has pending or sent
 * mutations and the server has confirmed it at least once.  A record
 * created here and not yet confirmed has version 0 and no server row.
 * The entities nobody edits have one layer: their row is the server's
 * record (crm_store_store_server_record() writes it and nothing else).
 */

static const char SQL_HAS_ACTIVE[] =
  "SELECT EXISTS (SELECT 1 FROM mutations WHERE entity = ?1 AND record_id = ?2 AND state IN " SHOWN ")";
/* A remote record (0012) none of whose changes is left in the queue. */
static const char SQL_REMOTE_SETTLED[] =
  "SELECT EXISTS (SELECT 1 FROM remote_records r WHERE r.entity = ?1 AND r.record_id = ?2"
  " AND NOT EXISTS (SELECT 1 FROM mutations m WHERE m.entity = r.entity AND m.record_id = r.record_id))";
static const char SQL_UNMARK_REMOTE[] = "DELETE FROM remote_records WHERE entity = ?1 AND record_id = ?2";
static const char SQL_ACTIVE_OF[] =
  "SELECT op, fields FROM mutations WHERE entity = ?1 AND record_id = ?2 AND state IN " SHOWN " ORDER BY seq";

/* Writes a record's @values into @layer's table unless that holds a newer
 * version.  Sets *written.  A column the local table holds NOT NULL (a
 * customer's name) missing from the record is refused like a missing key. */
static gboolean
upsert (CrmStore     *self,
        const Entity *e,
        guint         layer,
        const Value  *values,
        gboolean     *written,
        GError      **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, e->upsert_sql[layer], error);
  int rc;

  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < e->n_columns; i++)
    if (!crm_store_bind_value (s, (int) i + 1, &values[i], &e->columns[i], error))
      return FALSE;
  rc = sqlite3_step (s);
  if (rc == SQLITE_CONSTRAINT_NOTNULL)
    {
      /* "NOT NULL constraint failed: customers.name" */
      const char *dot = strrchr (sqlite3_errmsg (self->db), '.');
      const char *field = dot != NULL ? dot + 1 : "record";

      crm_set_field_error (error, CRM_ERROR_MALFORMED, field, "A %s record without %s", e->info->name, field);
      return FALSE;
    }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return crm_store_sqlite_error (self, error, "writing");
  *written = sqlite3_changes (self->db) > 0;
  return TRUE;
}

gboolean
crm_store_apply_fields (CrmStore    *self,
                        CrmEntity    entity,
                        const char  *id,
                        const char  *fields_text,
                        GError     **error)
{
  return crm_store_exec2 (self, crm_store_entity (entity)->apply_sql, id, fields_text, error);
}

/* The parent of the record @id, as the shown table has it, or NULL. */
static gboolean
parent_of (CrmStore      *self,
           const Entity  *e,
           const char    *id,
           char         **parent_id,
           GError       **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, e->parent_sql, error);
  int rc;

  *parent_id = NULL;
  if (s == NULL)
    return FALSE;
  sqlite3_bind_text (s, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *parent_id = column_dup (s, 0);
  else if (rc != SQLITE_DONE)
    return crm_store_sqlite_error (self, error, "reading");
  return TRUE;
}

/* The record and, for what the customer views show, its customer (the
 * record itself, or its parent as the shown table has it now). */
gboolean
crm_store_note_changed (CrmStore    *self,
                        CrmEntity    entity,
                        const char  *key,
                        Changes     *changes,
                        GError     **error)
{
  const Entity *e = crm_store_entity (entity);
  g_autofree char *customer_id = NULL;

  changes_add (changes, entity, key);
  if (!e->names_customer)
    return TRUE;
  if (e->info->parent == CRM_N_ENTITIES)
    {
      changes_add_customer (changes, key);
      return TRUE;
    }
  if (!parent_of (self, e, key, &customer_id, error))
    return FALSE;
  changes_add_customer (changes, customer_id);
  return TRUE;
}

/* Applies each pending or sent change of @id, in queue order, to the
 * shown row; a create makes the row first if it is not there, a delete
 * removes it.  Sets *any when there was one. */
static gboolean
apply_queued (CrmStore     *self,
              const Entity *e,
              const char   *id,
              gboolean     *any,
              GError      **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_ACTIVE_OF, error);
  g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_text (s, 1, e->info->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (s, 2, id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      g_ptr_array_add (ops, column_dup (s, 0));
      g_ptr_array_add (fields, column_dup (s, 1));
    }
  if (rc != SQLITE_DONE)
    return crm_store_sqlite_error (self, error, "reading the queue");
  cached_stmt_reset (g_steal_pointer (&s));

  for (guint i = 0; i < ops->len; i++)
    {
      *any = TRUE;
      if (g_str_equal (ops->pdata[i], "create"))
        {
          gint64 now = -1;

          if (!crm_store_query_int (self, e->version_sql[LAYER_SHOWN], id, NULL, -1, &now, error))
            return FALSE;
          if (now < 0 && !crm_store_exec2 (self, e->new_sql, id, fields->pdata[i], error))
            return FALSE;
        }
      /* a queued delete: the record shows as gone (its server row stays
       * until the server answers; nothing is queued after it) */
      if (!crm_store_apply_change (self, e->info->entity,
                                   g_str_equal (ops->pdata[i], "delete") ? CRM_MUTATION_OP_DELETE
                                                                         : CRM_MUTATION_OP_UPDATE,
                                   id, fields->pdata[i], error))
        return FALSE;
    }
  return TRUE;
}

/* The text of a one-row, one-column query with one text parameter, or
 * NULL (without error) when there is no row. */
static gboolean
query_text (CrmStore    *self,
            const char  *sql,
            const char  *param,
            char       **out,
            GError     **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, sql, error);
  int rc;

  *out = NULL;
  if (s == NULL)
    return FALSE;
  sqlite3_bind_text (s, 1, param, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *out = column_dup (s, 0);
  else if (rc != SQLITE_DONE)
    return crm_store_sqlite_error (self, error, "reading");
  return TRUE;
}

/*
 * A field one record per parent holds (a customer's primary contact,
 * Entity.exclusive).  Marking one record unmarks the others of its parent
 * on the server, in the same write.  Locally:
 *
 * - While a change that sets the field is queued (pending, sent or in
 *   conflict), the record of the latest such change holds it: every other
 *   record of the parent shows without it ("outranked").  Its server row
 *   is kept meanwhile, as for a queued change of its own, so that when the
 *   change is refused or taken back the rebuild brings the mark back.
 * - A server record that holds the field (a mutation's answer, a sync
 *   page) says the others of its parent do not: their server records lose
 *   it at once (the server's own record of them, with a new version, comes
 *   with the next sync page; a record read later is never older, as the
 *   engine applies answers and pages in the order they were read).
 */

/* Whether another record of @id's parent is to hold @e's exclusive field
 * because of a queued change. */
static gboolean
is_outranked (CrmStore      *self,
              const Entity  *e,
              const char    *id,
              gboolean      *outranked,
              GError       **error)
{
  g_autofree char *parent = NULL;
  g_autofree char *winner = NULL;

  *outranked = FALSE;
  if (e->exclusive == NULL)
    return TRUE;
  if (!query_text (self, e->parent_any_sql, id, &parent, error))
    return FALSE;
  if (parent == NULL)
    return TRUE;
  if (!query_text (self, e->winner_sql, parent, &winner, error))
    return FALSE;
  *outranked = winner != NULL && !g_str_equal (winner, id);
  return TRUE;
}

/* The ids of every record of @parent, in either layer. */
static GPtrArray *
siblings (CrmStore      *self,
          const Entity  *e,
          const char    *parent,
          GError       **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, e->siblings_sql, error);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_text (s, 1, parent, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    g_ptr_array_add (ids, column_dup (s, 0));
  if (rc != SQLITE_DONE)
    {
      crm_store_sqlite_error (self, error, "reading");
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/* Rebuilds every record of @parent but @id. */
static gboolean
rebuild_siblings (CrmStore      *self,
                  const Entity  *e,
                  const char    *parent,
                  const char    *id,
                  Changes       *changes,
                  GError       **error)
{
  g_autoptr(GPtrArray) ids = siblings (self, e, parent, error);

  if (ids == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!g_str_equal (ids->pdata[i], id) && !crm_store_rebuild (self, e->info->entity, ids->pdata[i], changes, error))
      return FALSE;
  return TRUE;
}

/* Notes every record of @parent but @id as changed. */
static gboolean
note_siblings (CrmStore      *self,
               const Entity  *e,
               const char    *parent,
               const char    *id,
               Changes       *changes,
               GError       **error)
{
  g_autoptr(GPtrArray) ids = siblings (self, e, parent, error);

  if (ids == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    if (!g_str_equal (ids->pdata[i], id) && !crm_store_note_changed (self, e->info->entity, ids->pdata[i], changes, error))
      return FALSE;
  return TRUE;
}

gboolean
crm_store_exclusive_changed (CrmStore    *self,
                             CrmEntity    entity,
                             const char  *id,
                             JsonObject  *fields,
                             Changes     *changes,
                             GError     **error)
{
  const Entity *e = crm_store_entity (entity);
  g_autofree char *parent = NULL;

  if (e->exclusive == NULL || fields == NULL || !json_object_has_member (fields, e->exclusive))
    return TRUE;
  /* a create names it; a record's rows may be gone (a refused create) */
  parent = g_strdup (string_member (fields, e->info->parent_field));
  if (parent == NULL && !query_text (self, e->parent_any_sql, id, &parent, error))
    return FALSE;
  return parent == NULL || rebuild_siblings (self, e, parent, id, changes, error);
}

/* The record of @values, which the server sent and which was written,
 * holds @e's exclusive field: the others of its parent no longer do on the
 * server. */
static gboolean
unmark_others (CrmStore     *self,
               const Entity *e,
               const char   *id,
               const Value  *values,
               gboolean      any_active,
               Changes      *changes,
               GError      **error)
{
  const char *parent;
  gboolean shown_changed;

  if (e->exclusive == NULL)
    return TRUE;
  parent = value_string (&values[e->parent_column]);
  if (values[e->exclusive_column].kind != VALUE_BOOLEAN || !values[e->exclusive_column].number || parent == NULL)
    return TRUE;
  if (!crm_store_exec2 (self, e->unmark_others_sql[LAYER_SERVER], parent, id, error) ||
      !crm_store_exec2 (self, e->unmark_others_sql[LAYER_SHOWN], parent, id, error))
    return FALSE;
  shown_changed = sqlite3_changes (self->db) > 0;
  /* without queued changes there are no server rows to show again */
  if (!any_active)
    return !shown_changed || note_siblings (self, e, parent, id, changes, error);
  return rebuild_siblings (self, e, parent, id, changes, error);
}

/* Makes the shown row of a record with queued changes again: the server's
 * record (or, for a record made here, nothing), then each pending or sent
 * change in queue order.  Drops the server row when no change is left,
 * and a remote record's rows (crm_store_enqueue_update_of_remote ()) when
 * none of its changes is left in the queue: the sync never updates it. */
gboolean
crm_store_rebuild (CrmStore    *self,
                   CrmEntity    entity,
                   const char  *id,
                   Changes     *changes,
                   GError     **error)
{
  const Entity *e = crm_store_entity (entity);
  gint64 server_version = -1;
  gint64 version = -1;
  gboolean any = FALSE;
  gboolean outranked = FALSE;
  gint64 settled = 0;

  if (!crm_store_note_changed (self, entity, id, changes, error) ||
      !crm_store_query_int (self, SQL_REMOTE_SETTLED, e->info->name, id, 0, &settled, error))
    return FALSE;
  if (settled)
    return crm_store_exec2 (self, e->key_delete_sql[LAYER_SHOWN], id, NULL, error) &&
           crm_store_exec2 (self, e->key_delete_sql[LAYER_SERVER], id, NULL, error) &&
           crm_store_exec2 (self, SQL_UNMARK_REMOTE, e->info->name, id, error);
  if (!crm_store_query_int (self, e->version_sql[LAYER_SERVER], id, NULL, -1, &server_version, error) ||
      !crm_store_query_int (self, e->version_sql[LAYER_SHOWN], id, NULL, -1, &version, error) ||
      !is_outranked (self, e, id, &outranked, error))
    return FALSE;

  if (server_version >= 0)
    {
      if (!crm_store_exec2 (self, e->key_delete_sql[LAYER_SHOWN], id, NULL, error) ||
          !crm_store_exec2 (self, e->restore_sql, id, NULL, error))
        return FALSE;
    }
  else if (version > 0 && !outranked)
    return TRUE;   /* the shown row is the server's record: nothing queued on it */
  else if (version > 0)
    {
      /* about to lose the exclusive field: keep the server's record */
      if (!crm_store_exec2 (self, e->keep_server_sql, id, NULL, error))
        return FALSE;
      server_version = version;
    }
  else if (version == 0 && !crm_store_exec2 (self, e->key_delete_sql[LAYER_SHOWN], id, NULL, error))
    return FALSE;  /* made here, never confirmed: only its create brings it back */

  if (!apply_queued (self, e, id, &any, error))
    return FALSE;
  if (outranked && !crm_store_exec2 (self, e->unmark_sql, id, NULL, error))
    return FALSE;
  any |= outranked;
  if (!any && server_version >= 0 && !crm_store_exec2 (self, e->key_delete_sql[LAYER_SERVER], id, NULL, error))
    return FALSE;
  return crm_store_note_changed (self, entity, id, changes, error);
}

/* A record with its children (a customer with its contacts, as GET
 * /customers/{id} answers) brings them: any member named as a child
 * entity's plural holding an array. */
static gboolean
store_embedded_children (CrmStore    *self,
                         const Entity *e,
                         JsonObject  *record,
                         gboolean     any_active,
                         Changes     *changes,
                         GError     **error)
{
  for (guint c = 0; c < CRM_N_ENTITIES; c++)
    {
      const CrmEntityInfo *child = crm_entity_info ((CrmEntity) c);
      JsonNode *node;
      JsonArray *array;

      if (child->parent != e->info->entity ||
          (node = json_object_get_member (record, child->plural)) == NULL || !JSON_NODE_HOLDS_ARRAY (node))
        continue;
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_OBJECT (element))
            {
              crm_set_field_error (error, CRM_ERROR_MALFORMED, child->plural, "A %s that is not an object",
                                   child->name);
              return FALSE;
            }
          if (!crm_store_store_server_record (self, child->entity, json_node_get_object (element), any_active,
                                              changes, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* A record of an entity some role edits: to the server layer while it has
 * queued changes (then the shown row again), else to the shown row. */
static gboolean
store_edited_record (CrmStore     *self,
                     const Entity *e,
                     const char   *id,
                     const Value  *values,
                     gboolean      any_active,
                     Changes      *changes,
                     GError      **error)
{
  gint64 queued = 0;
  gint64 server_version = -1;
  gboolean written = FALSE;
  g_autofree char *before = NULL;

  /* Without queued changes there are no server rows (see "Two layers"),
   * except for a moment while a change is settled. */
  if (any_active &&
      (!crm_store_query_int (self, SQL_HAS_ACTIVE, e->info->name, id, 0, &queued, error) ||
       !crm_store_query_int (self, e->version_sql[LAYER_SERVER], id, NULL, -1, &server_version, error)))
    return FALSE;

  if (queued || server_version >= 0)
    {
      if (!upsert (self, e, LAYER_SERVER, values, &written, error))
        return FALSE;
      return !written || (crm_store_rebuild (self, e->info->entity, id, changes, error) &&
                          unmark_others (self, e, id, values, any_active, changes, error));
    }

  /* A record moving to another parent changes both customers. */
  if (e->names_customer && e->parent_sql != NULL && !parent_of (self, e, id, &before, error))
    return FALSE;
  if (!upsert (self, e, LAYER_SHOWN, values, &written, error))
    return FALSE;
  if (!written)
    return TRUE;
  changes_add_customer (changes, before);
  if (!crm_store_note_changed (self, e->info->entity, id, changes, error) ||
      !unmark_others (self, e, id, values, any_active, changes, error))
    return FALSE;
  /* a queued change may give another record the exclusive field */
  return !any_active || e->exclusive == NULL || crm_store_rebuild (self, e->info->entity, id, changes, error);
}

/* The key of the record of @values as text, once its key fields are
 * checked; or NULL with @error naming the field. */
static char *
valid_key (const Entity  *e,
           const Value   *values,
           GError       **error)
{
  for (guint k = 0; k < e->n_key; k++)
    {
      const Column *column = &e->columns[e->key[k]];
      const char *value = value_string (&values[e->key[k]]);

      if ((column->type == CRM_VALUE_UUID || column->type == CRM_VALUE_REFERENCE) &&
          (value == NULL || !crm_validate_uuid (value)))
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, column->name, "A %s record without a valid %s",
                               e->info->name, column->name);
          return NULL;
        }
    }
  return crm_store_values_key_text (e, values, error);
}

/* Stores the record of @values, whose key is @key. */
static gboolean
store_values (CrmStore     *self,
              const Entity *e,
              const char   *key,
              const Value  *values,
              gboolean      any_active,
              Changes      *changes,
              GError      **error)
{
  gboolean written = FALSE;

  if (e->table[LAYER_SERVER] != NULL)
    return store_edited_record (self, e, key, values, any_active, changes, error);

  /* one layer: the row is the server's record */
  if (!upsert (self, e, LAYER_SHOWN, values, &written, error))
    return FALSE;
  if (written)
    changes_add (changes, e->info->entity, key);
  return TRUE;
}

gboolean
crm_store_store_server_values (CrmStore     *self,
                               CrmEntity     entity,
                               const Value  *values,
                               gboolean      any_active,
                               Changes      *changes,
                               GError      **error)
{
  const Entity *e = crm_store_entity (entity);
  g_autofree char *key = valid_key (e, values, error);

  return key != NULL && store_values (self, e, key, values, any_active, changes, error);
}

gboolean
crm_store_store_server_record (CrmStore    *self,
                               CrmEntity    entity,
                               JsonObject  *record,
                               gboolean     any_active,
                               Changes     *changes,
                               GError     **error)
{
  const Entity *e = crm_store_entity (entity);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree Value *values = crm_store_values_from_object (e, record, texts);
  g_autofree char *key = valid_key (e, values, error);

  return key != NULL &&
         store_embedded_children (self, e, record, any_active, changes, error) &&
         store_values (self, e, key, values, any_active, changes, error);
}
