#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include "crm-entity.h"
#include "crm-store-private.h"

/* The queue as the list of unsent changes shows it: read only, on the
 * reader. */

/* Every queued change with what the list of unsent changes names it by:
 * the customer it belongs to and, for a contact, the contact's name. */
static const char SQL_UNSENT_CHANGES[] =
  "SELECT m.seq, m.key, m.entity, m.op, m.record_id, m.base_version, m.fields, m.state, m.last_error,"
  " m.base, m.conflicts, m.created_at, CASE m.entity WHEN 'customer' THEN m.record_id ELSE COALESCE (ct.customer_id,"
  " json_extract (m.fields, '$.customer_id')) END, cu.name, ct.name"
  " FROM mutations m"
  " LEFT JOIN contacts ct ON m.entity = 'contact' AND ct.id = m.record_id"
  " LEFT JOIN customers cu ON cu.id = CASE m.entity WHEN 'customer' THEN m.record_id"
  "   ELSE COALESCE (ct.customer_id, json_extract (m.fields, '$.customer_id')) END"
  " ORDER BY m.seq";
static const char SQL_COUNT_UNSENT[] = "SELECT count(*) FROM mutations";
static const char SQL_CUSTOMER_NAME[] = "SELECT name FROM customers WHERE id = ?1";

void
crm_unsent_change_free (CrmUnsentChange *change)
{
  if (change == NULL)
    return;
  g_clear_pointer (&change->mutation, crm_mutation_unref);
  g_free (change->customer_id);
  g_free (change->customer_name);
  g_free (change->contact_name);
  g_free (change->record_name);
  g_clear_pointer (&change->record, json_object_unref);
  g_clear_pointer (&change->created_at, g_date_time_unref);
  g_free (change);
}

gboolean
crm_unsent_change_is_conflict (const CrmUnsentChange *change)
{
  g_return_val_if_fail (change != NULL, FALSE);

  return change->mutation->state == CRM_MUTATION_CONFLICT;
}

static CrmUnsentChange *
unsent_change_from_row (sqlite3_stmt  *s,
                        GError       **error)
{
  g_autoptr(CrmMutation) m = crm_store_mutation_from_row (s, error);
  /* the mutation's columns (MUTATION_COLUMNS), then these */
  const char *created_at = (const char *) sqlite3_column_text (s, 11);
  CrmUnsentChange *change;

  if (m == NULL)
    return NULL;
  change = g_new0 (CrmUnsentChange, 1);
  change->mutation = g_steal_pointer (&m);
  change->created_at = created_at ? g_date_time_new_from_iso8601 (created_at, NULL) : NULL;
  change->customer_id = column_dup (s, 12);
  change->customer_name = column_dup (s, 13);
  change->contact_name = column_dup (s, 14);
  /* a contact made here and refused is no longer in the list of contacts */
  if (change->contact_name == NULL && change->mutation->entity == CRM_ENTITY_CONTACT)
    change->contact_name = g_strdup (string_member (change->mutation->fields, "name"));
  return change;
}

static gpointer
unsent_change_row (sqlite3_stmt  *s,
                   GError       **error)
{
  return unsent_change_from_row (s, error);
}

/* The text of a one-row query on the reader, or NULL. */
static char *
read_text (CrmStore   *self,
           const char *sql,
           const char *param)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachedStmt) s = crm_store_read_stmt (self, sql, &error);

  if (s == NULL)
    {
      g_warning ("%s", error->message);
      return NULL;
    }
  sqlite3_bind_text (s, 1, param, -1, SQLITE_TRANSIENT);
  return sqlite3_step (s) == SQLITE_ROW ? column_dup (s, 0) : NULL;
}

/* The field that names a record of @info in a list: its first searchable
 * text (a customer's or a contact's name, an interaction's subject). */
static const char *
naming_field (const CrmEntityInfo *info)
{
  for (const CrmField *f = info->fields; f->name != NULL; f++)
    if ((f->flags & CRM_FIELD_SEARCHABLE) && f->value_type == CRM_VALUE_TEXT)
      return f->name;
  return NULL;
}

/* What @change is about, read on the reader: its record as shown, or as
 * the server has it (a record whose delete is queued), or as the change
 * made it (a create the server refused); its name and its customer. */
static void
describe_record_locked (CrmStore        *self,
                        CrmUnsentChange *change)
{
  CrmMutation *m = change->mutation;
  const Entity *e = crm_store_entity (m->entity);
  const char *name_field = naming_field (e->info);

  for (guint layer = 0; layer < N_LAYERS && change->record == NULL; layer++)
    {
      g_autofree char *text = e->values_sql[layer] ? read_text (self, e->values_sql[layer], m->record_id) : NULL;
      g_autoptr(JsonNode) node = text ? json_from_string (text, NULL) : NULL;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        change->record = json_object_ref (json_node_get_object (node));
    }
  if (change->record == NULL && m->op == CRM_MUTATION_OP_CREATE)
    change->record = json_object_ref (m->fields);
  if (change->record == NULL)
    return;

  if (name_field != NULL)
    change->record_name = g_strdup (string_member (change->record, name_field));
  if (change->contact_name == NULL && m->entity == CRM_ENTITY_CONTACT)
    change->contact_name = g_strdup (change->record_name);
  if (change->customer_id == NULL && e->info->parent == CRM_ENTITY_CUSTOMER)
    change->customer_id = g_strdup (string_member (change->record, e->info->parent_field));
  /* a record keyed by its parent and another column (a campaign member:
   * "campaign/customer") names its customer in its key, not in the
   * writable fields read above */
  if (change->customer_id == NULL && e->info->parent == CRM_ENTITY_CUSTOMER && e->n_key == 2)
    {
      g_auto(GStrv) parts = g_strsplit (m->record_id, "/", 2);

      for (guint k = 0; k < 2 && parts[0] != NULL && parts[1] != NULL; k++)
        if (g_strcmp0 (e->columns[e->key[k]].name, e->info->parent_field) == 0)
          change->customer_id = g_strdup (parts[k]);
    }
  if (change->customer_name == NULL && change->customer_id != NULL)
    change->customer_name = read_text (self, SQL_CUSTOMER_NAME, change->customer_id);
}

/**
 * crm_store_list_unsent_changes:
 *
 * Every change in the queue, oldest first (waiting, being sent, refused
 * or in conflict), with the names to show it by: its customer, and the
 * record as it shows (as the server has it, for a delete; as the change
 * made it, for a refused create) with its name.
 *
 * Returns: (transfer full) (element-type CrmUnsentChange): the changes,
 *   or %NULL on error
 */
GPtrArray *
crm_store_list_unsent_changes (CrmStore  *self,
                               GError   **error)
{
  GPtrArray *changes;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  changes = crm_store_read_list (self, SQL_UNSENT_CHANGES, unsent_change_row,
                                 (GDestroyNotify) crm_unsent_change_free, error);
  if (changes == NULL)
    return NULL;
  g_mutex_lock (&self->read_lock);
  for (guint i = 0; i < changes->len; i++)
    describe_record_locked (self, changes->pdata[i]);
  g_mutex_unlock (&self->read_lock);
  return changes;
}

/**
 * crm_store_count_unsent_changes:
 *
 * Returns: the number of changes in the queue, failed ones included (what
 *   signing out would throw away); 0 on error, with @error set
 */
guint
crm_store_count_unsent_changes (CrmStore  *self,
                                GError   **error)
{
  gint64 count = 0;

  g_return_val_if_fail (CRM_IS_STORE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  /* on the reader: the window asks after every change, sync pages too */
  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (self, SQL_COUNT_UNSENT, error);

    if (s != NULL && sqlite3_step (s) == SQLITE_ROW)
      count = sqlite3_column_int64 (s, 0);
    else if (s != NULL)
      crm_store_read_error (self, error, "counting the queue");
  }
  g_mutex_unlock (&self->read_lock);
  return (guint) count;
}
