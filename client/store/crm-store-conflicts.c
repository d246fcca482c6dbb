#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include "crm-error.h"
#include "crm-store-private.h"

/*
 * Conflicts.  An update records, for each field it changes, the value the
 * shown row held before it (its base), and sends it as POST /mutations
 * "base"; a second edit of the same field is based on the first, which is
 * sent before it.  When the server answers 412 (a colleague changed one of
 * the fields first) the change is kept in state 'conflict' with the
 * server's conflicts, the server's record goes to the server layer, and the
 * change still applies on top of it: the row shows the colleague's values
 * for the other fields and the user's for the changed ones, until
 * crm_store_resolve_conflict() turns the user's choices into a new change
 * (a new key, base = theirs) in the same place of the queue, or drops it.
 * Later changes of the record wait behind a change in conflict.
 */

/* A resolved conflict: a new change (new key) in the same place of the queue. */
static const char SQL_RESOLVE[] =
  "UPDATE mutations SET key = ?2, fields = ?3, base = ?4, base_version = ?5, state = 'pending',"
  " last_error = NULL, conflicts = NULL WHERE seq = ?1";

/* The member of a conflict object @field in @conflicts, or NULL. */
static JsonObject *
find_conflict (JsonArray  *conflicts,
               const char *field)
{
  for (guint i = 0; conflicts != NULL && i < json_array_get_length (conflicts); i++)
    {
      JsonNode *node = json_array_get_element (conflicts, i);

      if (JSON_NODE_HOLDS_OBJECT (node) &&
          g_strcmp0 (string_member (json_node_get_object (node), "field"), field) == 0)
        return json_node_get_object (node);
    }
  return NULL;
}

/* Turns conflict @m into what the user chose: the fields in @keep_mine
 * with base = theirs, the other changed fields based on the server's
 * record, the conflicting fields not kept dropped.  Sets *resolved to the
 * new change, or NULL when nothing is left to send (then @m is gone). */
static gboolean
resolve_locked (CrmStore            *self,
                CrmMutation         *m,
                const char * const  *keep_mine,
                CrmMutation        **resolved,
                GError             **error)
{
  g_autoptr(JsonObject) server = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) base = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (m->fields);
  g_autoptr(GError) local_error = NULL;
  gint64 version = m->base_version;

  for (guint i = 0; keep_mine != NULL && keep_mine[i] != NULL; i++)
    if (find_conflict (m->conflicts, keep_mine[i]) == NULL)
      {
        crm_set_field_error (error, CRM_ERROR_INVALID, keep_mine[i], "%s is not in conflict", keep_mine[i]);
        return FALSE;
      }

  server = crm_store_row_values (self, m->entity, LAYER_SERVER, m->record_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!crm_store_query_int (self, crm_store_entity (m->entity)->version_sql[LAYER_SERVER], m->record_id, NULL,
                            m->base_version, &version, error))
    return FALSE;

  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonObject *conflict = find_conflict (m->conflicts, name);
      JsonNode *their = conflict ? json_object_get_member (conflict, "theirs") : NULL;
      JsonNode *was = NULL;

      if (conflict != NULL && !(keep_mine != NULL && g_strv_contains (keep_mine, name)))
        continue;   /* theirs: the server's record shows */
      if (conflict != NULL)
        was = their;
      else if (server != NULL)
        was = json_object_get_member (server, name);
      else if (m->base != NULL)
        was = json_object_get_member (m->base, name);
      json_object_set_member (fields, name, json_node_copy (json_object_get_member (m->fields, name)));
      json_object_set_member (base, name, was ? json_node_copy (was) : json_node_new (JSON_NODE_NULL));
    }

  *resolved = NULL;
  if (json_object_get_size (fields) == 0)
    return crm_store_mark (self, m->seq, OUTCOME_REMOVE, NULL, NULL, error);

  {
    g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_RESOLVE, error);
    g_autofree char *key = g_uuid_string_random ();   /* a new change: a new key */
    g_autofree char *fields_text = object_to_text (fields);
    g_autofree char *base_text = object_to_text (base);

    if (s == NULL)
      return FALSE;
    sqlite3_bind_int64 (s, 1, m->seq);
    sqlite3_bind_text (s, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 3, fields_text, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 4, base_text, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (s, 5, version);
    if (!crm_store_step_done (self, s, error))
      return FALSE;
  }
  *resolved = crm_store_get_mutation_locked (self, m->seq, error);
  return *resolved != NULL;
}

/**
 * crm_store_resolve_conflict:
 * @seq: a change in conflict
 * @keep_mine: (nullable) (array zero-terminated=1): the conflicting
 *   fields for which the user keeps their own value; every other
 *   conflicting field takes the server's (theirs)
 * @resolved: (out) (optional) (nullable): the change that will be sent,
 *   or %NULL when nothing is left to send
 *
 * Ends a conflict as the user chose.  The change becomes a new one (a new
 * idempotency key, in the same place of the queue): the kept fields with
 * base = theirs, the change's fields that were not in conflict based on
 * the server's record; the fields where theirs was kept are dropped and
 * the row shows the server's values for them.  When nothing is left the
 * change is gone and nothing is sent.  CRM_ERROR_INVALID when @seq is not
 * in conflict or @keep_mine names a field that is not.
 */
gboolean
crm_store_resolve_conflict (CrmStore            *self,
                            gint64               seq,
                            const char * const  *keep_mine,
                            CrmMutation        **resolved,
                            GError             **error)
{
  g_autoptr(Changes) changes = changes_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) result = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (!crm_store_begin (self, error))
    goto failed;
  m = crm_store_get_mutation_locked (self, seq, error);
  if (m == NULL)
    goto failed;
  if (m->state != CRM_MUTATION_CONFLICT)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, "The change %" G_GINT64_FORMAT " is not in conflict", seq);
      goto failed;
    }
  if (!resolve_locked (self, m, keep_mine, &result, error) ||
      !crm_store_rebuild (self, m->entity, m->record_id, changes, error) ||
      !crm_store_exclusive_changed (self, m->entity, m->record_id, m->fields, changes, error) ||
      !crm_store_commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);

  crm_store_emit_changed (self, changes);
  if (resolved != NULL)
    *resolved = g_steal_pointer (&result);
  return TRUE;

failed:
  crm_store_rollback (self);
  g_mutex_unlock (&self->lock);
  return FALSE;
}
