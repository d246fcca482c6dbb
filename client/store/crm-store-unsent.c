#define G_LOG_DOMAIN "crm-store"

#include "config.h"

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

void
crm_unsent_change_free (CrmUnsentChange *change)
{
  if (change == NULL)
    return;
  g_clear_pointer (&change->mutation, crm_mutation_unref);
  g_free (change->customer_id);
  g_free (change->customer_name);
  g_free (change->contact_name);
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

/**
 * crm_store_list_unsent_changes:
 *
 * Every change in the queue, oldest first (waiting, being sent, refused
 * or in conflict), with the names to show it by.
 *
 * Returns: (transfer full) (element-type CrmUnsentChange): the changes,
 *   or %NULL on error
 */
GPtrArray *
crm_store_list_unsent_changes (CrmStore  *self,
                               GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return crm_store_read_list (self, SQL_UNSENT_CHANGES, unsent_change_row, (GDestroyNotify) crm_unsent_change_free,
                              error);
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
