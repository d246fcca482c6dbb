#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include "crm-error.h"
#include "crm-store-private.h"
#include "crm-validate.h"

/* The queue of changes to send (POST /api/v1/mutations): queueing a
 * change, which shows on the row at once, and the sender's writes: the
 * next change to send and what the server answered.  Conflicts are in
 * crm-store-conflicts.c. */

static const char SQL_ENQUEUE[] =
  "INSERT INTO mutations (key, entity, op, record_id, base_version, fields, state, base)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)";

static const char SQL_MARK_REMOTE[] =
  "INSERT OR IGNORE INTO remote_records (entity, record_id) VALUES (?1, ?2)";
static const char SQL_IS_REMOTE[] =
  "SELECT EXISTS (SELECT 1 FROM remote_records WHERE entity = ?1 AND record_id = ?2)";

static const char SQL_MUTATION[] = "SELECT " MUTATION_COLUMNS " FROM mutations WHERE seq = ?1";
/* The oldest change to send whose record has no older change in conflict. */
static const char SQL_NEXT_MUTATION[] =
  "SELECT " MUTATION_COLUMNS " FROM mutations m WHERE state IN " ACTIVE
  " AND NOT EXISTS (SELECT 1 FROM mutations c WHERE c.state = 'conflict' AND c.entity = m.entity"
  " AND c.record_id = m.record_id AND c.seq < m.seq)"
  " ORDER BY seq LIMIT 1";
static const char SQL_ALL_MUTATIONS[] = "SELECT " MUTATION_COLUMNS " FROM mutations ORDER BY seq";
static const char SQL_MARK_SENT[] = "UPDATE mutations SET state = 'sent' WHERE seq = ?1";
static const char SQL_SET_BASE[] = "UPDATE mutations SET base = ?2 WHERE seq = ?1";
static const char SQL_MARK_FAILED[] = "UPDATE mutations SET state = 'failed', last_error = ?2 WHERE seq = ?1";
static const char SQL_DELETE_MUTATION[] = "DELETE FROM mutations WHERE seq = ?1";
static const char SQL_MARK_CONFLICT[] =
  "UPDATE mutations SET state = 'conflict', last_error = ?2, conflicts = ?3 WHERE seq = ?1";
/* Later changes of the same record made on the same version were made on
 * top of the confirmed one: they now apply to the version it produced. */
static const char SQL_REBASE[] =
  "UPDATE mutations SET base_version = ?4"
  " WHERE entity = ?1 AND record_id = ?2 AND op = 'update' AND state IN " ACTIVE
  " AND base_version = ?3";

static JsonObject *
parse_object (const char  *text,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED, "Not a JSON object: %s", text);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static JsonArray *
parse_array (const char  *text,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED, "Not a JSON array: %s", text);
      return NULL;
    }
  return json_array_ref (json_node_get_array (root));
}

static char *
array_to_text (JsonArray *array)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);

  return json_to_string (node, FALSE);
}

/* Checks @fields against the shared field rules (as the server will). */
static gboolean
check_fields (CrmEntity       entity,
              CrmMutationOp   op,
              JsonObject     *fields,
              GError        **error)
{
  return crm_fields_check_object (entity, op == CRM_MUTATION_OP_CREATE, fields, error);
}

CrmMutation *
crm_store_mutation_from_row (sqlite3_stmt  *s,
                             GError       **error)
{
  g_autoptr(CrmMutation) m = crm_mutation_new ();
  const char *entity = (const char *) sqlite3_column_text (s, 2);
  const char *op = (const char *) sqlite3_column_text (s, 3);
  const char *state = (const char *) sqlite3_column_text (s, 7);

  m->seq = sqlite3_column_int64 (s, 0);
  m->key = column_dup (s, 1);
  {
    const CrmEntityInfo *info = entity != NULL ? crm_entity_info_lookup (entity) : NULL;

    if (info == NULL)
      {
        g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED, "A queued change of an unknown entity %s", entity);
        return NULL;
      }
    m->entity = info->entity;
  }
  m->op = g_strcmp0 (op, "create") == 0   ? CRM_MUTATION_OP_CREATE
          : g_strcmp0 (op, "delete") == 0 ? CRM_MUTATION_OP_DELETE
                                          : CRM_MUTATION_OP_UPDATE;
  m->record_id = column_dup (s, 4);
  m->base_version = sqlite3_column_int64 (s, 5);
  m->fields = parse_object ((const char *) sqlite3_column_text (s, 6), error);
  if (m->fields == NULL)
    return NULL;
  if (sqlite3_column_type (s, 9) != SQLITE_NULL &&
      (m->base = parse_object ((const char *) sqlite3_column_text (s, 9), error)) == NULL)
    return NULL;
  if (sqlite3_column_type (s, 10) != SQLITE_NULL &&
      (m->conflicts = parse_array ((const char *) sqlite3_column_text (s, 10), error)) == NULL)
    return NULL;
  if (g_strcmp0 (state, "failed") == 0)
    m->state = CRM_MUTATION_FAILED;
  else if (g_strcmp0 (state, "conflict") == 0)
    m->state = CRM_MUTATION_CONFLICT;
  else if (g_strcmp0 (state, "sent") == 0)
    m->state = CRM_MUTATION_SENT;
  else
    m->state = CRM_MUTATION_PENDING;
  m->last_error = column_dup (s, 8);
  return g_steal_pointer (&m);
}

/* The mutation @seq, or NULL with CRM_ERROR_NOT_FOUND. */
CrmMutation *
crm_store_get_mutation_locked (CrmStore  *self,
                               gint64     seq,
                               GError   **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_MUTATION, error);
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, seq);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    return crm_store_mutation_from_row (s, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND, "No queued change %" G_GINT64_FORMAT, seq);
  else
    crm_store_sqlite_error (self, error, "reading the queue");
  return NULL;
}

/* The writable fields of a record's row in @layer as a JSON object, or
 * NULL (without error) when the layer has no row. */
JsonObject *
crm_store_row_values (CrmStore    *self,
                      CrmEntity    entity,
                      guint        layer,
                      const char  *id,
                      GError     **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, crm_store_entity (entity)->values_sql[layer], error);
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_text (s, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    return parse_object ((const char *) sqlite3_column_text (s, 0), error);
  if (rc != SQLITE_DONE)
    crm_store_sqlite_error (self, error, "reading a row");
  return NULL;
}

/* For each member of @fields, its value in @values (JSON null if none). */
static JsonObject *
pick_values (JsonObject *fields,
             JsonObject *values)
{
  g_autoptr(GList) names = json_object_get_members (fields);
  JsonObject *picked = json_object_new ();

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *value = values ? json_object_get_member (values, l->data) : NULL;

      json_object_set_member (picked, l->data, value ? json_node_copy (value) : json_node_new (JSON_NODE_NULL));
    }
  return picked;
}

/* A create: the parent must be here, the id must be new (a record whose
 * delete is still queued keeps its server row); the row is made. */
static gboolean
prepare_create (CrmStore     *self,
                const Entity *e,
                const char   *id,
                JsonObject   *fields,
                const char   *fields_text,
                GError      **error)
{
  const char *parent_field = e->info->parent_field;
  const char *parent_id = parent_field != NULL ? string_member (fields, parent_field) : NULL;
  gint64 parent = -1;
  gint64 shown = -1;
  gint64 server = -1;

  if (parent_field != NULL &&
      !crm_store_query_int (self, crm_store_entity (e->info->parent)->version_sql[LAYER_SHOWN], parent_id, NULL,
                            -1, &parent, error))
    return FALSE;
  if (parent_field != NULL && parent < 0)
    {
      crm_set_field_error (error, CRM_ERROR_NOT_FOUND, parent_field, "No such %s here",
                           crm_entity_info (e->info->parent)->name);
      return FALSE;
    }
  if (!crm_store_query_int (self, e->version_sql[LAYER_SHOWN], id, NULL, -1, &shown, error) ||
      !crm_store_query_int (self, e->version_sql[LAYER_SERVER], id, NULL, -1, &server, error))
    return FALSE;
  if (shown >= 0 || server >= 0)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "id", "A %s with this id is here already", e->info->name);
      return FALSE;
    }
  return crm_store_exec2 (self, e->new_sql, id, fields_text, error);
}

/* An update or a delete: the record must show here (a record whose
 * delete is queued does not: nothing more can be queued on it).  Keeps
 * the server's record while the change is unconfirmed; an update records
 * each field's base, the value the shown row holds before the change. */
static gboolean
prepare_change (CrmStore       *self,
                const Entity   *e,
                CrmMutationOp   op,
                const char     *id,
                JsonObject     *fields,
                gint64         *version,
                char          **base_text,
                GError        **error)
{
  if (!crm_store_query_int (self, e->version_sql[LAYER_SHOWN], id, NULL, -1, version, error))
    return FALSE;
  if (*version < 0)
    {
      crm_set_field_error (error, CRM_ERROR_NOT_FOUND, "id", "No such %s here", e->info->name);
      return FALSE;
    }
  if (op == CRM_MUTATION_OP_UPDATE)
    {
      g_autoptr(JsonObject) values = crm_store_row_values (self, e->info->entity, LAYER_SHOWN, id, error);
      g_autoptr(JsonObject) base = NULL;

      if (values == NULL)
        return FALSE;
      base = pick_values (fields, values);
      *base_text = object_to_text (base);
    }
  return crm_store_exec2 (self, e->keep_server_sql, id, NULL, error);
}

/* Applies a queued change to the shown row: the fields, or for a delete
 * the row's removal (the server row stays until the server answers). */
gboolean
crm_store_apply_change (CrmStore       *self,
                        CrmEntity       entity,
                        CrmMutationOp   op,
                        const char     *id,
                        const char     *fields_text,
                        GError        **error)
{
  if (op == CRM_MUTATION_OP_DELETE)
    return crm_store_exec2 (self, crm_store_entity (entity)->key_delete_sql[LAYER_SHOWN], id, NULL, error);
  return crm_store_apply_fields (self, entity, id, fields_text, error);
}

/* A record the server sent (GET /opportunities) that the sync may never
 * bring: written here as the server's record unless the record is here
 * already (then its shown row, with any change queued on it, is the
 * base).  Sets *@adopted when it was written: the caller marks it remote
 * once the change is queued. */
static gboolean
adopt_remote (CrmStore     *self,
              CrmEntity     entity,
              const char   *id,
              JsonObject   *record,
              gboolean     *adopted,
              Changes      *changes,
              GError      **error)
{
  const Entity *e = crm_store_entity (entity);
  gint64 version = -1;

  *adopted = FALSE;
  if (record == NULL)
    return TRUE;
  if (g_strcmp0 (string_member (record, "id"), id) != 0)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "id", "The record is not the one the change is made to");
      return FALSE;
    }
  if (e->table[LAYER_SERVER] == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "entity", "A %s is not changed here", e->info->name);
      return FALSE;
    }
  if (!crm_store_query_int (self, e->version_sql[LAYER_SHOWN], id, NULL, -1, &version, error))
    return FALSE;
  if (version >= 0)
    return TRUE;
  if (!crm_store_query_int (self, e->version_sql[LAYER_SERVER], id, NULL, -1, &version, error))
    return FALSE;
  if (version >= 0)
    return TRUE;   /* a queued delete hides it: the enqueue refuses */
  *adopted = TRUE;
  return crm_store_store_server_record (self, entity, record, TRUE, changes, error);
}

/* Queues a change and applies it to the shown row, inside the caller's
 * transaction and lock. */
static CrmMutation *
enqueue_locked (CrmStore       *self,
                CrmEntity       entity,
                CrmMutationOp   op,
                const char     *id,
                JsonObject     *fields,
                JsonObject     *remote,
                Changes        *changes,
                GError        **error)
{
  g_autofree char *fields_text = object_to_text (fields);
  g_autofree char *base_text = NULL;
  g_autofree char *key = g_uuid_string_random ();
  const Entity *e = crm_store_entity (entity);
  gboolean adopted = FALSE;
  gint64 version = -1;
  gint64 seq;

  if (op == CRM_MUTATION_OP_UPDATE && !adopt_remote (self, entity, id, remote, &adopted, changes, error))
    return NULL;
  if (op == CRM_MUTATION_OP_CREATE ? !prepare_create (self, e, id, fields, fields_text, error)
                                   : !prepare_change (self, e, op, id, fields, &version, &base_text, error))
    return NULL;

  /* the customer before (a contact moved to another, or deleted, names it) */
  if (!crm_store_note_changed (self, entity, id, changes, error) ||
      !crm_store_apply_change (self, entity, op, id, fields_text, error))
    return NULL;

  {
    g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_ENQUEUE, error);

    if (s == NULL)
      return NULL;
    sqlite3_bind_text (s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 2, crm_entity_names[entity], -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 3, crm_mutation_op_to_string (op), -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 4, id, -1, SQLITE_STATIC);
    if (op != CRM_MUTATION_OP_CREATE)
      sqlite3_bind_int64 (s, 5, version);
    else
      sqlite3_bind_null (s, 5);
    sqlite3_bind_text (s, 6, fields_text, -1, SQLITE_STATIC);
    if (base_text != NULL)
      sqlite3_bind_text (s, 7, base_text, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null (s, 7);
    if (!crm_store_step_done (self, s, error))
      return NULL;
  }
  seq = sqlite3_last_insert_rowid (self->db);
  if (adopted && !crm_store_exec2 (self, SQL_MARK_REMOTE, crm_entity_names[entity], id, error))
    return NULL;
  if (!crm_store_note_changed (self, entity, id, changes, error) ||
      !crm_store_exclusive_changed (self, entity, id, fields, changes, error))
    return NULL;
  return crm_store_get_mutation_locked (self, seq, error);
}

/* Queues a change and applies it to the shown row, in one transaction. */
static CrmMutation *
enqueue (CrmStore       *self,
         CrmEntity       entity,
         CrmMutationOp   op,
         const char     *id,
         JsonObject     *fields,
         JsonObject     *remote,
         GError        **error)
{
  g_autoptr(Changes) changes = changes_new ();
  g_autoptr(CrmMutation) mutation = NULL;

  g_mutex_lock (&self->lock);
  if (!crm_store_begin (self, error))
    goto failed;
  mutation = enqueue_locked (self, entity, op, id, fields, remote, changes, error);
  if (mutation == NULL || !crm_store_commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);

  crm_store_emit_changed (self, changes);
  return g_steal_pointer (&mutation);

failed:
  crm_store_rollback (self);
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* Marks @seq failed or in conflict with @reason (and @conflicts). */
gboolean
crm_store_mark (CrmStore    *self,
                gint64       seq,
                Outcome      how,
                const char  *reason,
                JsonArray   *conflicts,
                GError     **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, how == OUTCOME_CONFLICT ? SQL_MARK_CONFLICT
                                                  : how == OUTCOME_FAIL ? SQL_MARK_FAILED : SQL_DELETE_MUTATION, error);
  g_autofree char *conflicts_text = conflicts ? array_to_text (conflicts) : NULL;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, seq);
  if (how != OUTCOME_REMOVE)
    sqlite3_bind_text (s, 2, reason, -1, SQLITE_STATIC);
  if (how == OUTCOME_CONFLICT)
    sqlite3_bind_text (s, 3, conflicts_text ? conflicts_text : "[]", -1, SQLITE_TRANSIENT);
  return crm_store_step_done (self, s, error);
}

/* A delete the server applied: the record's rows go from both layers
 * (its customer's views lose the mark of the queued change). */
static gboolean
forget_record (CrmStore     *self,
               CrmMutation  *m,
               Changes      *changes,
               GError      **error)
{
  const Entity *e = crm_store_entity (m->entity);

  changes_add (changes, m->entity, m->record_id);
  if (e->names_customer && e->info->parent == CRM_ENTITY_CUSTOMER)
    {
      g_autoptr(CachedStmt) s = crm_store_stmt (self, e->parent_any_sql, error);

      if (s == NULL)
        return FALSE;
      sqlite3_bind_text (s, 1, m->record_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (s) == SQLITE_ROW)
        changes_add_customer (changes, (const char *) sqlite3_column_text (s, 0));
    }
  return crm_store_exec2 (self, e->key_delete_sql[LAYER_SHOWN], m->record_id, NULL, error) &&
         crm_store_exec2 (self, e->key_delete_sql[LAYER_SERVER], m->record_id, NULL, error);
}

/* After the server's answer to mutation @seq: removes it, marks it failed
 * or in conflict with @reason, stores @record if any, rebuilds the shown
 * row.  @applied: the server applied it (a delete then takes the record
 * away for good). */
static gboolean
settle (CrmStore    *self,
        gint64       seq,
        Outcome      how,
        gboolean     applied,
        const char  *reason,
        JsonObject  *record,
        JsonArray   *conflicts,
        GError     **error)
{
  g_autoptr(Changes) changes = changes_new ();
  g_autoptr(CrmMutation) m = NULL;
  gboolean remove = how == OUTCOME_REMOVE;
  const char *record_id;

  g_mutex_lock (&self->lock);
  if (!crm_store_begin (self, error))
    goto failed;
  m = crm_store_get_mutation_locked (self, seq, error);
  if (m == NULL)
    goto failed;
  record_id = record ? string_member (record, "id") : NULL;
  if (record_id != NULL && !g_str_equal (record_id, m->record_id))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "id", "The record is not the one the change was made to");
      goto failed;
    }

  if (!crm_store_mark (self, seq, how, reason, conflicts, error))
    goto failed;
  if (applied && m->op == CRM_MUTATION_OP_DELETE && !forget_record (self, m, changes, error))
    goto failed;

  if (remove && record != NULL)
    {
      JsonNode *version = json_object_get_member (record, "version");
      g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_REBASE, error);

      if (s == NULL)
        goto failed;
      if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) || json_node_get_value_type (version) != G_TYPE_INT64)
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, "version", "A record without a version");
          goto failed;
        }
      sqlite3_bind_text (s, 1, crm_entity_names[m->entity], -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 2, m->record_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (s, 3, m->base_version);
      sqlite3_bind_int64 (s, 4, json_node_get_int (version));
      if (!crm_store_step_done (self, s, error))
        goto failed;
    }

  if (record != NULL && !crm_store_store_server_record (self, m->entity, record, TRUE, changes, error))
    goto failed;
  /* whatever the record did, the settled change no longer shows (or, in
   * conflict, shows on the server's current record) */
  if (!crm_store_rebuild (self, m->entity, m->record_id, changes, error) ||
      !crm_store_exclusive_changed (self, m->entity, m->record_id, m->fields, changes, error) ||
      !crm_store_commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);

  crm_store_emit_changed (self, changes);
  return TRUE;

failed:
  crm_store_rollback (self);
  g_mutex_unlock (&self->lock);
  return FALSE;
}

/* An update queued before the store recorded bases (schema 1) has none:
 * it is based on the server layer's row, the last values the server
 * confirmed, so that the server can take it (or answer a conflict). */
static gboolean
fill_missing_base (CrmStore     *self,
                   CrmMutation  *m,
                   GError      **error)
{
  g_autoptr(JsonObject) server = NULL;
  g_autoptr(CachedStmt) s = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *base_text = NULL;

  if (m->op != CRM_MUTATION_OP_UPDATE || m->base != NULL)
    return TRUE;
  server = crm_store_row_values (self, m->entity, LAYER_SERVER, m->record_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  m->base = pick_values (m->fields, server);
  base_text = object_to_text (m->base);
  s = crm_store_stmt (self, SQL_SET_BASE, error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, m->seq);
  sqlite3_bind_text (s, 2, base_text, -1, SQLITE_STATIC);
  return crm_store_step_done (self, s, error);
}

/**
 * crm_store_enqueue_update:
 * @entity: an entity with a field some role may write
 * @id: the record's id
 * @changed_fields: the changed fields and their new values (as POST
 *   /mutations "fields"); checked with the shared field rules
 *
 * Queues the change with a fresh idempotency key and the record's local
 * version as base_version, and applies it to the local row at once, in one
 * transaction.  Returns the queued mutation, or %NULL (CRM_ERROR_INVALID
 * naming the field, CRM_ERROR_NOT_FOUND for an unknown record).
 */
CrmMutation *
crm_store_enqueue_update (CrmStore    *self,
                          CrmEntity    entity,
                          const char  *id,
                          JsonObject  *changed_fields,
                          GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (changed_fields != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_fields (entity, CRM_MUTATION_OP_UPDATE, changed_fields, error))
    return NULL;
  return enqueue (self, entity, CRM_MUTATION_OP_UPDATE, id, changed_fields, NULL, error);
}

/**
 * crm_store_enqueue_update_of_remote:
 * @entity: an entity with a field some role may write
 * @server_record: the record as the server sent it (GET /opportunities),
 *   which the sync may never bring here (a director's view of a
 *   colleague's opportunity)
 * @changed_fields: as for crm_store_enqueue_update()
 *
 * crm_store_enqueue_update() of a record that may not be here: when it is
 * not, @server_record is written as the server's record first, so that
 * the change is based on it (its version, and per field the value it
 * held), and the record is marked remote.  It then travels like any other
 * change (sent when the server can be reached, kept over a restart, in
 * the list of unsent changes, a conflict as any conflict); a remote
 * record stays here exactly while a change of it is queued (failed and
 * in conflict included) and goes with the last one, unless a sync brings
 * it meanwhile (it is the user's then: crm-store-sync.c drops the mark).  A record that is
 * here already is changed as it shows here.
 */
CrmMutation *
crm_store_enqueue_update_of_remote (CrmStore    *self,
                                    CrmEntity    entity,
                                    JsonObject  *server_record,
                                    JsonObject  *changed_fields,
                                    GError     **error)
{
  const char *id;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);
  g_return_val_if_fail (server_record != NULL && changed_fields != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  id = string_member (server_record, "id");
  if (id == NULL || !crm_validate_uuid (id))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "id", "A %s record without a valid id",
                           crm_entity_names[entity]);
      return NULL;
    }
  if (!check_fields (entity, CRM_MUTATION_OP_UPDATE, changed_fields, error))
    return NULL;
  return enqueue (self, entity, CRM_MUTATION_OP_UPDATE, id, changed_fields, server_record, error);
}

gboolean
crm_store_is_remote_record (CrmStore   *self,
                            CrmEntity   entity,
                            const char *id)
{
  g_autoptr(GError) error = NULL;
  gint64 remote = 0;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (!crm_store_query_int (self, SQL_IS_REMOTE, crm_entity_names[entity], id, 0, &remote, &error))
    g_warning ("%s", error->message);
  g_mutex_unlock (&self->lock);
  return remote != 0;
}

/* Whether some record of another entity hangs from @e's records. */
static gboolean
has_children (const Entity *e)
{
  for (guint c = 0; c < CRM_N_ENTITIES; c++)
    if (crm_entity_info ((CrmEntity) c)->parent == e->info->entity)
      return TRUE;
  return FALSE;
}

/**
 * crm_store_enqueue_create:
 * @entity: an entity the entity table lets some role create
 * @id: (nullable): the new record's id (a UUID), or %NULL for a new one
 * @fields: the record's fields, its parent's reference among them (a
 *   contact's or an interaction's customer_id); checked with the shared
 *   field rules
 *
 * Makes the record here at once (version 0 until the server confirms it;
 * crm_store_get_records() lists it) and queues its creation.  The parent
 * must be here (CRM_ERROR_NOT_FOUND naming the parent's field); an id
 * already here, or whose record's delete is queued, is refused.  Returns
 * the queued mutation; its record_id is the new record's id.
 */
CrmMutation *
crm_store_enqueue_create (CrmStore    *self,
                          CrmEntity    entity,
                          const char  *id,
                          JsonObject  *fields,
                          GError     **error)
{
  g_autofree char *new_id = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);
  g_return_val_if_fail (fields != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (crm_entity_info (entity)->creatable_by == CRM_ROLES_NONE)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "entity", "A %s is not made here", crm_entity_names[entity]);
      return NULL;
    }
  if (id != NULL && !crm_validate_uuid (id))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "id", "id must be a UUID");
      return NULL;
    }
  new_id = id != NULL ? g_strdup (id) : g_uuid_string_random ();
  if (!check_fields (entity, CRM_MUTATION_OP_CREATE, fields, error))
    return NULL;
  return enqueue (self, entity, CRM_MUTATION_OP_CREATE, new_id, fields, NULL, error);
}

/**
 * crm_store_enqueue_delete:
 * @entity: an entity the entity table lets some role delete
 * @id: the record's id
 *
 * Queues the record's deletion: it is gone from the shown table at once
 * (its server record is kept, as for an update, so that a refused delete
 * brings it back as it was), and nothing more can be queued on it.  The
 * record must be here (CRM_ERROR_NOT_FOUND).  An entity with records of
 * another entity under it is refused (CRM_ERROR_INVALID): their rows have
 * no server layer to come back from (no deletable entity has any today).
 */
CrmMutation *
crm_store_enqueue_delete (CrmStore    *self,
                          CrmEntity    entity,
                          const char  *id,
                          GError     **error)
{
  g_autoptr(JsonObject) none = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (crm_entity_info (entity)->deletable_by == CRM_ROLES_NONE || has_children (crm_store_entity (entity)))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "entity", "A %s is not deleted here", crm_entity_names[entity]);
      return NULL;
    }
  none = json_object_new ();
  return enqueue (self, entity, CRM_MUTATION_OP_DELETE, id, none, NULL, error);
}

/**
 * crm_store_enqueue_updates:
 * @updates: (array length=n_updates): the changes of one save (a customer
 *   and its contacts, say)
 *
 * Queues several updates as one unit: in one transaction, so that either
 * every change is queued and shows locally, or (on any error: a field
 * refused by the shared rules, an unknown record) none is.  Returns the
 * queued mutations in the order of @updates, or %NULL.
 */
GPtrArray *
crm_store_enqueue_updates (CrmStore              *self,
                           const CrmStoreUpdate  *updates,
                           guint                  n_updates,
                           GError               **error)
{
  g_autoptr(GPtrArray) mutations = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_mutation_unref);
  g_autoptr(Changes) changes = changes_new ();

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (updates != NULL || n_updates == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < n_updates; i++)
    {
      g_return_val_if_fail ((guint) updates[i].entity < CRM_N_ENTITIES, NULL);
      g_return_val_if_fail (updates[i].id != NULL && updates[i].fields != NULL, NULL);
      if (!check_fields (updates[i].entity, CRM_MUTATION_OP_UPDATE, updates[i].fields, error))
        return NULL;
    }

  g_mutex_lock (&self->lock);
  if (!crm_store_begin (self, error))
    goto failed;
  for (guint i = 0; i < n_updates; i++)
    {
      CrmMutation *m = enqueue_locked (self, updates[i].entity, CRM_MUTATION_OP_UPDATE, updates[i].id,
                                       updates[i].fields, updates[i].remote, changes, error);

      if (m == NULL)
        goto failed;
      g_ptr_array_add (mutations, m);
    }
  if (!crm_store_commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);

  crm_store_emit_changed (self, changes);
  return g_steal_pointer (&mutations);

failed:
  crm_store_rollback (self);
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* The updates of one save, owned by the worker that queues them. */
typedef struct
{
  GArray    *updates;   /* CrmStoreUpdate, id and fields owned */
} UpdatesData;

static void
updates_data_free (gpointer data)
{
  UpdatesData *u = data;

  for (guint i = 0; i < u->updates->len; i++)
    {
      CrmStoreUpdate *update = &g_array_index (u->updates, CrmStoreUpdate, i);

      g_free ((char *) update->id);
      json_object_unref (update->fields);
      if (update->remote != NULL)
        json_object_unref (update->remote);
    }
  g_array_unref (u->updates);
  g_free (u);
}

static void
enqueue_updates_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  UpdatesData *u = task_data;
  GError *error = NULL;
  GPtrArray *mutations;

  mutations = crm_store_enqueue_updates (source_object, (const CrmStoreUpdate *) (gpointer) u->updates->data,
                                         u->updates->len, &error);
  if (mutations == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, mutations, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * crm_store_enqueue_updates_async:
 *
 * crm_store_enqueue_updates() in a worker thread, so that a save made
 * while a sync page is being written never holds up the main loop.
 * @updates is copied.  The signals are emitted (on the store's
 * main context) before @callback runs.
 */
void
crm_store_enqueue_updates_async (CrmStore             *self,
                                 const CrmStoreUpdate *updates,
                                 guint                 n_updates,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  UpdatesData *u;

  g_return_if_fail (CRM_IS_STORE (self));
  g_return_if_fail (updates != NULL || n_updates == 0);

  u = g_new0 (UpdatesData, 1);
  u->updates = g_array_sized_new (FALSE, TRUE, sizeof (CrmStoreUpdate), n_updates);
  for (guint i = 0; i < n_updates; i++)
    {
      CrmStoreUpdate copy = { updates[i].entity, g_strdup (updates[i].id), json_object_ref (updates[i].fields),
                              updates[i].remote ? json_object_ref (updates[i].remote) : NULL };

      g_array_append_val (u->updates, copy);
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_store_enqueue_updates_async);
  g_task_set_task_data (task, u, updates_data_free);
  g_task_run_in_thread (task, enqueue_updates_thread);
}

/**
 * crm_store_enqueue_updates_finish:
 *
 * Returns: (transfer full): the queued mutations, as
 *   crm_store_enqueue_updates(), or %NULL with @error set
 */
GPtrArray *
crm_store_enqueue_updates_finish (CrmStore      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_store_enqueue_updates_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * crm_store_next_mutation:
 *
 * The oldest change that is pending or was sent without an answer (a
 * retry keeps its key, so the server applies it once), marked sent; or
 * %NULL, without error, when there is none.  A change of a record that
 * has an older change in conflict waits behind it: it is not taken.
 */
CrmMutation *
crm_store_next_mutation (CrmStore  *self,
                         GError   **error)
{
  g_autoptr(CrmMutation) m = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  {
    g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_NEXT_MUTATION, error);
    int rc;

    if (s != NULL)
      {
        rc = sqlite3_step (s);
        if (rc == SQLITE_ROW)
          m = crm_store_mutation_from_row (s, error);
        else if (rc != SQLITE_DONE)
          crm_store_sqlite_error (self, error, "reading the queue");
      }
  }
  if (m != NULL && !fill_missing_base (self, m, error))
    g_clear_pointer (&m, crm_mutation_unref);
  if (m != NULL)
    {
      g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_MARK_SENT, error);

      if (s == NULL)
        g_clear_pointer (&m, crm_mutation_unref);
      else
        {
          sqlite3_bind_int64 (s, 1, m->seq);
          if (!crm_store_step_done (self, s, error))
            g_clear_pointer (&m, crm_mutation_unref);
          else
            m->state = CRM_MUTATION_SENT;
        }
    }
  g_mutex_unlock (&self->lock);
  return g_steal_pointer (&m);
}

/**
 * crm_store_mutation_done:
 * @seq: the mutation
 * @server_record: (nullable): the record the server answered with
 *
 * The server applied the change: removes it from the queue and stores the
 * server's record.  Later queued changes of the record made on the same
 * version now apply to the version this one produced.  A delete is
 * answered without a record: the record's rows go from both layers.
 */
gboolean
crm_store_mutation_done (CrmStore    *self,
                         gint64       seq,
                         JsonObject  *server_record,
                         GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return settle (self, seq, OUTCOME_REMOVE, TRUE, NULL, server_record, NULL, error);
}

/**
 * crm_store_mutation_conflict:
 * @seq: the mutation
 * @current: (nullable): the server's current record (412 "record")
 * @conflicts: (nullable): the 412's "conflicts": {field, base, mine,
 *   theirs} objects
 * @message: (nullable): the server's message
 *
 * A colleague changed a field of the change first and the server applied
 * none of it: stores the server's current record and keeps the change, in
 * conflict, until crm_store_resolve_conflict().  The row shows the
 * server's record with the change still on top (the user's values are
 * never lost); later changes of the record are not sent until then.
 */
gboolean
crm_store_mutation_conflict (CrmStore    *self,
                             gint64       seq,
                             JsonObject  *current,
                             JsonArray   *conflicts,
                             const char  *message,
                             GError     **error)
{
  g_autofree char *reason = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reason = g_strdup_printf ("conflict: %s", message ? message : "the record changed on the server");
  return settle (self, seq, OUTCOME_CONFLICT, FALSE, reason, current, conflicts, error);
}

/**
 * crm_store_mutation_failed:
 * @reason: why, for the log and the list of failed changes
 *
 * The server refused the change for another reason (forbidden, not found,
 * invalid): marks it failed and takes it back from the row.
 */
gboolean
crm_store_mutation_failed (CrmStore    *self,
                           gint64       seq,
                           const char  *reason,
                           GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return settle (self, seq, OUTCOME_FAIL, FALSE, reason, NULL, NULL, error);
}

/* Forgets a change (a failed one the user gave up on, or a pending one
 * they took back); the row shows what is left. */
gboolean
crm_store_discard_mutation (CrmStore  *self,
                            gint64     seq,
                            GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return settle (self, seq, OUTCOME_REMOVE, FALSE, NULL, NULL, NULL, error);
}

static gpointer
mutation_row (sqlite3_stmt  *s,
              GError       **error)
{
  return crm_store_mutation_from_row (s, error);
}

/* The queued change @seq, or %NULL with CRM_ERROR_NOT_FOUND. */
CrmMutation *
crm_store_get_mutation (CrmStore  *self,
                        gint64     seq,
                        GError   **error)
{
  CrmMutation *m;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  m = crm_store_get_mutation_locked (self, seq, error);
  g_mutex_unlock (&self->lock);
  return m;
}

/* Every queued change, oldest first, failed ones included. */
GPtrArray *
crm_store_list_mutations (CrmStore  *self,
                          GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return crm_store_read_list (self, SQL_ALL_MUTATIONS, mutation_row, (GDestroyNotify) crm_mutation_unref, error);
}
