#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include "crm-error.h"
#include "crm-store-private.h"

/* Applying sync pages (GET /api/v1/sync): the records, the departures,
 * a reset, the cursor.  See crm-store-layers.c for where a record goes. */

static const char SQL_STATE_GET[] = "SELECT value FROM sync_state WHERE key = ?1";
static const char SQL_STATE_SET[] =
  "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char SQL_STATE_DELETE[] = "DELETE FROM sync_state WHERE key = ?1";

static const char SQL_ANY_ACTIVE[] = "SELECT EXISTS (SELECT 1 FROM mutations WHERE state IN " SHOWN ")";
static const char SQL_ACTIVE_CREATES[] =
  "SELECT entity, record_id FROM mutations WHERE op = 'create' AND state IN " ACTIVE " ORDER BY seq";
static const char SQL_RESET_CURSOR[] = "DELETE FROM sync_state WHERE key = 'cursor'";
/* Records a change was queued on without the sync bringing them (0012). */
static const char SQL_ANY_REMOTE[] = "SELECT EXISTS (SELECT 1 FROM remote_records)";
static const char SQL_UNMARK_REMOTE[] = "DELETE FROM remote_records WHERE entity = ?1 AND record_id = ?2";

/* Runs a DELETE … RETURNING key of @e's rows and notes each. */
static gboolean
delete_noting (CrmStore     *self,
               const Entity *e,
               const char   *sql,
               const char   *id,
               Changes      *changes,
               GError      **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, sql, error);
  int rc;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_text (s, 1, id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    changes_add (changes, e->info->entity, (const char *) sqlite3_column_text (s, 0));
  if (rc != SQLITE_DONE)
    return crm_store_sqlite_error (self, error, "removing");
  return TRUE;
}

/* Removes the records of every entity under the record @id of @e, in
 * every layer, the deepest first (their parents say which are under). */
static gboolean
remove_descendants (CrmStore     *self,
                    const Entity *e,
                    const char   *id,
                    Changes      *changes,
                    GError      **error)
{
  for (guint depth = CRM_N_ENTITIES; depth > e->depth; depth--)
    for (guint d = 0; d < CRM_N_ENTITIES; d++)
      {
        const Entity *child = crm_store_entity ((CrmEntity) d);

        if (child->depth != depth)
          continue;
        for (guint layer = 0; layer < N_LAYERS; layer++)
          {
            const char *sql = child->delete_under_sql[layer][e->info->entity];

            if (sql != NULL && !delete_noting (self, child, sql, id, changes, error))
              return FALSE;
          }
      }
  return TRUE;
}

/* The key of a departure: its "key" object, or (for an entity keyed by
 * "id", and as composite keys may come) its own members. */
static JsonObject *
departure_key (JsonObject *departure)
{
  JsonNode *key = json_object_get_member (departure, "key");

  return key != NULL && JSON_NODE_HOLDS_OBJECT (key) ? json_node_get_object (key) : departure;
}

/* A departure: the record, in every layer, and every record under it. */
static gboolean
remove_record (CrmStore    *self,
               JsonObject  *departure,
               Changes     *changes,
               GError     **error)
{
  const char *name = string_member (departure, "entity");
  const CrmEntityInfo *info = name != NULL ? crm_entity_info_lookup (name) : NULL;
  JsonObject *key_object = departure_key (departure);
  g_autofree char *key = NULL;
  const Entity *e;

  if (name == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "removed", "A removal without entity");
      return FALSE;
    }
  if (info == NULL || !g_str_equal (info->name, name))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "removed", "A removal of an unknown entity %s", name);
      return FALSE;
    }
  e = crm_store_entity (info->entity);
  key = crm_store_key_text (e, key_object, NULL);
  if (key == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "removed", "A removal of a %s without its key", name);
      return FALSE;
    }

  /* the customer it belonged to, as the departure and the row say */
  if (e->names_customer && info->parent == CRM_ENTITY_CUSTOMER)
    changes_add_customer (changes, string_member (departure, info->parent_field));
  if (!crm_store_note_changed (self, info->entity, key, changes, error))
    return FALSE;
  if (e->n_key == 1 && !remove_descendants (self, e, key, changes, error))
    return FALSE;
  for (guint layer = 0; layer < N_LAYERS; layer++)
    {
      g_autoptr(CachedStmt) s = NULL;

      if (e->table[layer] == NULL)
        continue;
      if ((s = crm_store_stmt (self, e->delete_sql[layer], error)) == NULL)
        return FALSE;
      for (guint k = 0; k < e->n_key; k++)
        if (!crm_store_bind_member (s, (int) k + 1, key_object, &e->columns[e->key[k]], error))
          return FALSE;
      if (!crm_store_step_done (self, s, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
set_state (CrmStore    *self,
           const char  *key,
           const char  *value,
           GError     **error)
{
  if (value == NULL)
    return crm_store_exec2 (self, SQL_STATE_DELETE, key, NULL, error);
  return crm_store_exec2 (self, SQL_STATE_SET, key, value, error);
}

static char *
dup_state (CrmStore   *self,
           const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachedStmt) s = NULL;
  char *value = NULL;

  g_mutex_lock (&self->read_lock);
  s = crm_store_read_stmt (self, SQL_STATE_GET, &error);
  if (s != NULL)
    {
      sqlite3_bind_text (s, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (s) == SQLITE_ROW)
        value = column_dup (s, 0);
      cached_stmt_reset (g_steal_pointer (&s));
    }
  g_mutex_unlock (&self->read_lock);
  if (error != NULL)
    g_warning ("%s", error->message);
  return value;
}

/* Drops every entity's rows and the cursor; what was made here and not
 * yet sent (a new contact) stays visible. */
static gboolean
reset_locked (CrmStore  *self,
              GError   **error)
{
  g_autoptr(GPtrArray) entities = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) creates = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    for (guint layer = 0; layer < N_LAYERS; layer++)
      {
        const char *sql = crm_store_entity ((CrmEntity) i)->clear_sql[layer];

        if (sql != NULL && !crm_store_exec2 (self, sql, NULL, NULL, error))
          return FALSE;
      }
  if (!crm_store_exec2 (self, SQL_RESET_CURSOR, NULL, NULL, error))
    return FALSE;

  {
    g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_ACTIVE_CREATES, error);
    int rc;

    if (s == NULL)
      return FALSE;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
      {
        g_ptr_array_add (entities, column_dup (s, 0));
        g_ptr_array_add (creates, column_dup (s, 1));
      }
    if (rc != SQLITE_DONE)
      return crm_store_sqlite_error (self, error, "reading the queue");
  }
  for (guint i = 0; i < creates->len; i++)
    {
      const CrmEntityInfo *info = crm_entity_info_lookup (entities->pdata[i]);
      gint64 present = -1;

      if (info == NULL)
        continue;   /* the queue's CHECK allows none */
      if (!crm_store_query_int (self, crm_store_entity (info->entity)->version_sql[LAYER_SHOWN], creates->pdata[i],
                                NULL, -1, &present, error))
        return FALSE;
      if (present < 0 && !crm_store_rebuild (self, info->entity, creates->pdata[i], NULL, error))
        return FALSE;
    }
  return TRUE;
}

/* The sync brings the record of @values: if a change was queued on it as a
 * record of someone else's (crm_store_enqueue_update_of_remote ()), it is
 * the user's now (a deal reassigned to them) and stays after that change. */
static gboolean
unmark_remote (CrmStore     *self,
               CrmEntity     entity,
               const Value  *values,
               GError      **error)
{
  g_autofree char *key = crm_store_values_key_text (crm_store_entity (entity), values, error);

  return key != NULL && crm_store_exec2 (self, SQL_UNMARK_REMOTE, crm_entity_names[entity], key, error);
}

static gboolean
apply_records (CrmStore     *self,
               CrmEntity     entity,
               CrmSyncPage  *page,
               gboolean      any_active,
               gboolean      any_remote,
               Changes      *changes,
               GError      **error)
{
  guint n_columns = crm_store_entity (entity)->n_columns;
  guint n = 0;
  const Value *records = crm_sync_page_records (page, entity, &n);

  for (guint i = 0; i < n; i++)
    {
      const Value *values = records + (gsize) i * n_columns;

      if (!crm_store_store_server_values (self, entity, values, any_active, changes, error) ||
          (any_remote && !unmark_remote (self, entity, values, error)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
apply_removals (CrmStore     *self,
                CrmSyncPage  *page,
                Changes      *changes,
                GError      **error)
{
  guint n = 0;
  const char * const *removed = crm_sync_page_removed (page, &n);

  for (guint i = 0; i < n; i++)
    {
      /* a departure is small and rare: read as a tree */
      g_autoptr(JsonNode) departure = json_from_string (removed[i], NULL);

      if (!remove_record (self, json_node_get_object (departure), changes, error))
        return FALSE;
    }
  return TRUE;
}

/* One page in one transaction.  *reset is set when the page said so;
 * @changes then means nothing (everything changed). */
static gboolean
apply_page (CrmStore     *self,
            CrmSyncPage  *page,
            Changes      *changes,
            gboolean     *reset,
            GError      **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = g_date_time_format_iso8601 (now);
  gint64 any_active = 0;
  gint64 any_remote = 0;

  *reset = crm_sync_page_get_reset (page);
  g_mutex_lock (&self->lock);
  if (!crm_store_begin (self, error))
    goto failed;
  if (*reset && !reset_locked (self, error))
    goto failed;
  if (!crm_store_query_int (self, SQL_ANY_ACTIVE, NULL, NULL, 0, &any_active, error) ||
      !crm_store_query_int (self, SQL_ANY_REMOTE, NULL, NULL, 0, &any_remote, error))
    goto failed;
  /* in the entity table's order: a parent before its children */
  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    if (!apply_records (self, (CrmEntity) i, page, any_active, any_remote, changes, error))
      goto failed;
  if (!apply_removals (self, page, changes, error) ||
      !set_state (self, "cursor", crm_sync_page_get_cursor (page), error) ||
      !set_state (self, "last_sync", now_text, error) ||
      !crm_store_commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);
  return TRUE;

failed:
  crm_store_rollback (self);
  g_mutex_unlock (&self->lock);
  return FALSE;
}

/**
 * crm_store_apply_sync_page:
 * @page: one answer of GET /api/v1/sync
 *
 * Applies the page in one transaction: upserts the records of each
 * entity's array, named by its plural ("customers", "contacts",
 * "products", "revenue_months"…; an older version than the one held is
 * ignored), removes the "removed" ones with every record under them (a
 * customer with its contacts, subscriptions, opportunities and their
 * stage changes…), stores "cursor".  A departure is {"entity", and the
 * key}: the key's fields as members ({"entity": "contact", "id": …,
 * "customer_id": …}, as the server sends today) or as a "key" object
 * ({"entity": "revenue_month", "key": {"customer_id": …, "month": …}});
 * both are accepted, for composite keys too.  A page with "reset": true
 * first drops every local row and the cursor (the queue stays).  The page
 * is read as the sync engine reads an answer (crm_sync_page_read ()).
 * Blocking: the app calls the _async version.
 */
gboolean
crm_store_apply_sync_page (CrmStore    *self,
                           JsonObject  *page,
                           GError     **error)
{
  g_autoptr(Changes) changes = changes_new ();
  g_autoptr(CrmSyncPage) read = NULL;
  gboolean reset = FALSE;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  read = crm_sync_page_new_from_object (page, error);
  if (read == NULL || !apply_page (self, read, changes, &reset, error))
    return FALSE;
  crm_store_emit_changed (self, reset ? NULL : changes);
  return TRUE;
}

typedef struct
{
  Changes  *changes;
  gboolean  reset;
} PageResult;

static void
page_result_free (gpointer data)
{
  PageResult *result = data;

  g_clear_pointer (&result->changes, changes_free);
  g_free (result);
}

static void
apply_sync_page_thread (GTask        *worker,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  CrmStore *self = source_object;
  CrmSyncPage *page = task_data;
  PageResult *result;
  GError *error = NULL;
  gboolean applied;

  if (g_task_return_error_if_cancelled (worker))
    return;
  result = g_new0 (PageResult, 1);
  result->changes = changes_new ();
  applied = apply_page (self, page, result->changes, &result->reset, &error);
  /* The page is let go here rather than where the task ends, on the
   * caller's main thread: when nobody else holds it (the sync engine does
   * not), it is freed in this thread. */
  g_task_set_task_data (worker, NULL, NULL);
  if (!applied)
    {
      page_result_free (result);
      g_task_return_error (worker, error);
      return;
    }
  g_task_return_pointer (worker, result, page_result_free);
}

/* Back on the caller's context: the signal first, then the caller. */
static void
sync_page_applied_cb (GObject      *source,
                      GAsyncResult *res,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CrmStore *self = CRM_STORE (source);
  PageResult *result;
  GError *error = NULL;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (result == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  crm_store_emit_changed (self, result->reset ? NULL : result->changes);
  page_result_free (result);
  g_task_return_boolean (task, TRUE);
}

/**
 * crm_store_apply_sync_page_async:
 *
 * Applies @page, as crm_store_apply_sync_page () applies one, in a worker
 * thread (g_task_run_in_thread).  @page is referenced and read from that
 * thread, and released there.  ::customers-changed and ::changed are
 * emitted before @callback runs.
 */
void
crm_store_apply_sync_page_async (CrmStore            *self,
                                 CrmSyncPage         *page,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (CRM_IS_STORE (self));
  g_return_if_fail (page != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_store_apply_sync_page_async);

  worker = g_task_new (self, cancellable, sync_page_applied_cb, g_object_ref (task));
  g_task_set_source_tag (worker, apply_sync_page_thread);
  g_task_set_task_data (worker, crm_sync_page_ref (page), (GDestroyNotify) crm_sync_page_unref);
  g_task_run_in_thread (worker, apply_sync_page_thread);
}

gboolean
crm_store_apply_sync_page_finish (CrmStore      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_store_apply_sync_page_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_store_reset:
 *
 * Drops every local record of every entity and the sync cursor, for when
 * the server answers "reset": true; the next sync starts over.  The queue
 * of unsent changes stays (contacts made here stay visible); the changes
 * show again on the rows as they come back.
 */
gboolean
crm_store_reset (CrmStore  *self,
                 GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (!crm_store_begin (self, error) || !reset_locked (self, error) || !crm_store_commit (self, error))
    {
      crm_store_rollback (self);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  g_mutex_unlock (&self->lock);
  crm_store_emit_changed (self, NULL);
  return TRUE;
}

/* The server's opaque sync cursor, or NULL before the first page. */
char *
crm_store_dup_cursor (CrmStore *self)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);

  return dup_state (self, "cursor");
}

/* When the last sync page was applied, or NULL. */
GDateTime *
crm_store_dup_last_sync (CrmStore *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);

  text = dup_state (self, "last_sync");
  return text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}
