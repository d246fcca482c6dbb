#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include "crm-error.h"
#include "crm-store-private.h"
#include "crm-validate.h"

/*
 * Two layers.  customers and contacts hold what the user sees: the server's
 * record with the queued (unconfirmed) changes applied on top, so the
 * interface shows an edit at once.  While a record has queued changes its
 * server record is kept in customers_server or contacts_server, and every
 * newer server record (a sync page, a mutation's answer, a conflict's
 * current record) goes there; the visible row is then rebuilt: the server
 * record, then each pending or sent change of the record in queue order.
 * A refused change thus disappears exactly, and a colleague's newer record
 * shows with the user's pending edit still on top.  Invariant: a record has
 * a row in the _server table exactly while it has pending or sent
 * mutations and the server has confirmed it at least once.  A contact
 * created here and not yet confirmed has version 0 and no server row.
 */

static const char SQL_HAS_ACTIVE[] =
  "SELECT EXISTS (SELECT 1 FROM mutations WHERE entity = ?1 AND record_id = ?2 AND state IN " SHOWN ")";
static const char SQL_ACTIVE_OF[] =
  "SELECT op, fields FROM mutations WHERE entity = ?1 AND record_id = ?2 AND state IN " SHOWN " ORDER BY seq";
static const char SQL_CONTACT_CUSTOMER[] = "SELECT customer_id FROM contacts WHERE id = ?1";
static const char SQL_HAS_SERVER_CUSTOMER[] = "SELECT EXISTS (SELECT 1 FROM customers_server WHERE id = ?1)";
static const char SQL_HAS_SERVER_CONTACT[] = "SELECT EXISTS (SELECT 1 FROM contacts_server WHERE id = ?1)";

static gboolean
bind_member (sqlite3_stmt  *s,
             int            index,
             JsonObject    *object,
             const Column  *column,
             GError       **error)
{
  JsonNode *node = json_object_get_member (object, column->name);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (column->required)
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, column->name, "A record without %s", column->name);
          return FALSE;
        }
      sqlite3_bind_null (s, index);
      return TRUE;
    }

  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  switch (column->type)
    {
    case COL_TEXT:
      if (type != G_TYPE_STRING)
        break;
      /* the page outlives the statement's use */
      sqlite3_bind_text (s, index, json_node_get_string (node), -1, SQLITE_STATIC);
      return TRUE;
    case COL_INT:
      if (type != G_TYPE_INT64)
        break;
      sqlite3_bind_int64 (s, index, json_node_get_int (node));
      return TRUE;
    case COL_BOOL:
      if (type != G_TYPE_BOOLEAN)
        break;
      sqlite3_bind_int (s, index, json_node_get_boolean (node));
      return TRUE;
    case COL_JSON:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        break;
      sqlite3_bind_text (s, index, json_to_string (node, FALSE), -1, g_free);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
  crm_set_field_error (error, CRM_ERROR_MALFORMED, column->name, "%s has the wrong type", column->name);
  return FALSE;
}

/* Writes @record into @layer's table unless that holds a newer version.
 * Sets *written. */
static gboolean
upsert (CrmStore    *self,
        CrmEntity    entity,
        guint        layer,
        JsonObject  *record,
        gboolean    *written,
        GError     **error)
{
  const Entity *e = crm_store_entity (entity);
  g_autoptr(CachedStmt) s = crm_store_stmt (self, e->upsert_sql[layer], error);

  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < e->n_columns; i++)
    if (!bind_member (s, (int) i + 1, record, &e->columns[i], error))
      return FALSE;
  if (!crm_store_step_done (self, s, error))
    return FALSE;
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

static gboolean
contact_customer (CrmStore    *self,
                  const char  *contact_id,
                  char       **customer_id,
                  GError     **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_CONTACT_CUSTOMER, error);
  int rc;

  *customer_id = NULL;
  if (s == NULL)
    return FALSE;
  sqlite3_bind_text (s, 1, contact_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *customer_id = column_dup (s, 0);
  else if (rc != SQLITE_DONE)
    return crm_store_sqlite_error (self, error, "reading");
  return TRUE;
}

/* The customer a record belongs to, as the shown table has it now. */
gboolean
crm_store_note_changed (CrmStore    *self,
                        CrmEntity    entity,
                        const char  *id,
                        GHashTable  *changed,
                        GError     **error)
{
  g_autofree char *customer_id = NULL;

  if (entity == CRM_ENTITY_CUSTOMER)
    {
      add_changed (changed, id);
      return TRUE;
    }
  if (!contact_customer (self, id, &customer_id, error))
    return FALSE;
  add_changed (changed, customer_id);
  return TRUE;
}

/* Makes the shown row of a record with queued changes again: the server's
 * record (or, for a contact made here, nothing), then each pending or sent
 * change in queue order.  Drops the server row when no change is left. */
gboolean
crm_store_rebuild (CrmStore    *self,
                   CrmEntity    entity,
                   const char  *id,
                   GHashTable  *changed,
                   GError     **error)
{
  const Entity *e = crm_store_entity (entity);
  const char *entity_name = crm_entity_names[entity];
  gint64 has_server = 0;
  gint64 version = -1;
  gboolean any = FALSE;

  if (!crm_store_note_changed (self, entity, id, changed, error))
    return FALSE;
  if (!crm_store_query_int (self, entity == CRM_ENTITY_CUSTOMER ? SQL_HAS_SERVER_CUSTOMER : SQL_HAS_SERVER_CONTACT,
                            id, NULL, 0, &has_server, error) ||
      !crm_store_query_int (self, entity == CRM_ENTITY_CUSTOMER ? SQL_CUSTOMER_VERSION : SQL_CONTACT_VERSION,
                            id, NULL, -1, &version, error))
    return FALSE;

  if (has_server)
    {
      if (!crm_store_exec2 (self, entity == CRM_ENTITY_CUSTOMER ? SQL_DELETE_CUSTOMER : SQL_DELETE_CONTACT, id, NULL,
                            error) ||
          !crm_store_exec2 (self, e->restore_sql, id, NULL, error))
        return FALSE;
    }
  else if (version > 0)
    return TRUE;   /* the shown row is the server's record: nothing queued on it */
  else if (version == 0 && !crm_store_exec2 (self, SQL_DELETE_CONTACT, id, NULL, error))
    return FALSE;  /* made here, never confirmed: only its create brings it back */

  {
    g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_ACTIVE_OF, error);
    g_autoptr(GPtrArray) ops = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
    int rc;

    if (s == NULL)
      return FALSE;
    sqlite3_bind_text (s, 1, entity_name, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 2, id, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
      {
        g_ptr_array_add (ops, column_dup (s, 0));
        g_ptr_array_add (fields, column_dup (s, 1));
      }
    if (rc != SQLITE_DONE)
      return crm_store_sqlite_error (self, error, "reading the queue");
    cached_stmt_reset (s);

    for (guint i = 0; i < ops->len; i++)
      {
        any = TRUE;
        if (g_str_equal (ops->pdata[i], "create"))
          {
            gint64 now = -1;

            if (!crm_store_query_int (self, SQL_CONTACT_VERSION, id, NULL, -1, &now, error))
              return FALSE;
            if (now < 0 && !crm_store_exec2 (self, SQL_NEW_CONTACT, id, fields->pdata[i], error))
              return FALSE;
          }
        if (!crm_store_apply_fields (self, entity, id, fields->pdata[i], error))
          return FALSE;
      }
  }

  if (!any && has_server &&
      !crm_store_exec2 (self, entity == CRM_ENTITY_CUSTOMER ? SQL_DELETE_SERVER_CUSTOMER : SQL_DELETE_SERVER_CONTACT,
                        id, NULL, error))
    return FALSE;
  return crm_store_note_changed (self, entity, id, changed, error);
}

/* A customer record with its contacts (GET /customers/{id}) brings them. */
static gboolean
store_embedded_contacts (CrmStore    *self,
                         JsonObject  *customer,
                         gboolean     any_active,
                         GHashTable  *changed,
                         GError     **error)
{
  JsonNode *node = json_object_get_member (customer, "contacts");
  JsonArray *contacts;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return TRUE;
  contacts = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (contacts); i++)
    {
      JsonNode *element = json_array_get_element (contacts, i);

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, "contacts", "A contact that is not an object");
          return FALSE;
        }
      if (!crm_store_store_server_record (self, CRM_ENTITY_CONTACT, json_node_get_object (element), any_active, changed,
                                          error))
        return FALSE;
    }
  return TRUE;
}

/* Stores a record the server sent (a sync page, a mutation's answer).
 * @any_active: whether the queue has pending or sent changes at all. */
gboolean
crm_store_store_server_record (CrmStore    *self,
                               CrmEntity    entity,
                               JsonObject  *record,
                               gboolean     any_active,
                               GHashTable  *changed,
                               GError     **error)
{
  const char *id = string_member (record, "id");
  gint64 queued = 0;
  gint64 has_server = 0;
  gboolean written = FALSE;
  g_autofree char *before = NULL;

  if (id == NULL || !crm_validate_uuid (id))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "id", "A %s record without a valid id",
                           crm_entity_names[entity]);
      return FALSE;
    }

  /* Without queued changes there are no server rows (see "Two layers"),
   * except for a moment while a change is settled. */
  if (any_active &&
      (!crm_store_query_int (self, SQL_HAS_ACTIVE, crm_entity_names[entity], id, 0, &queued, error) ||
       !crm_store_query_int (self, entity == CRM_ENTITY_CUSTOMER ? SQL_HAS_SERVER_CUSTOMER : SQL_HAS_SERVER_CONTACT,
                             id, NULL, 0, &has_server, error)))
    return FALSE;

  if (entity == CRM_ENTITY_CUSTOMER && !store_embedded_contacts (self, record, any_active, changed, error))
    return FALSE;

  if (queued || has_server)
    {
      /* the server layer, then the shown row again */
      if (!upsert (self, entity, LAYER_SERVER, record, &written, error))
        return FALSE;
      return !written || crm_store_rebuild (self, entity, id, changed, error);
    }

  /* A contact moving to another customer changes both. */
  if (entity == CRM_ENTITY_CONTACT && !contact_customer (self, id, &before, error))
    return FALSE;
  if (!upsert (self, entity, LAYER_SHOWN, record, &written, error))
    return FALSE;
  if (!written)
    return TRUE;
  add_changed (changed, before);
  return crm_store_note_changed (self, entity, id, changed, error);
}
