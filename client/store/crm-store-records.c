#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include <string.h>

#include "crm-customer-item-private.h"
#include "crm-error.h"
#include "crm-store-private.h"
#include "crm-wire.h"

/* Reading customers, their contacts and the list's items for the views,
 * and any entity's records (crm_store_get_records()), on the reader (see
 * "Threads" in crm-store.c). */

static const char SQL_READ_BEGIN[] = "BEGIN";   /* deferred: the reader's snapshot */

/* Whether the customer (of the row being read) or one of its contacts
 * has a change in the queue: the list's mark.  A contact whose delete is
 * queued is found by its server row.  The queue is short; the lookups use
 * its (entity, record_id) index. */
#define HAS_UNSENT \
  "(EXISTS (SELECT 1 FROM mutations m WHERE m.entity = 'customer' AND m.record_id = customers.id)" \
  " OR EXISTS (SELECT 1 FROM mutations m JOIN contacts c ON c.id = m.record_id" \
  " WHERE m.entity = 'contact' AND c.customer_id = customers.id)" \
  " OR EXISTS (SELECT 1 FROM mutations m JOIN contacts_server c ON c.id = m.record_id" \
  " WHERE m.entity = 'contact' AND m.op = 'delete' AND c.customer_id = customers.id))"
/* The list's facts of a customer (crm-customer-warnings.h), each from its
 * entity's customer_id index: the open pipeline (opportunities neither won
 * nor lost, once + 12 × monthly, unweighted), the earliest contract end,
 * today or later, of an active subscription, and the earliest time limit
 * of an open step of an open service request; then the contacts' names
 * and mobiles ("name\tmobile" lines) and the customer's phone, which the
 * list searches. */
#define ITEM_FACTS \
  " arrears, churn_risk," \
  " (SELECT coalesce(sum(coalesce(o.amount_once, 0) + 12 * coalesce(o.amount_monthly, 0)), 0)" \
  "  FROM opportunities o WHERE o.customer_id = customers.id AND o.stage NOT IN ('won', 'lost'))," \
  " (SELECT min(s.contract_end) FROM subscriptions s WHERE s.customer_id = customers.id" \
  "  AND s.status = 'active' AND s.contract_end >= date('now', 'localtime'))," \
  " (SELECT min(t.deadline) FROM service_requests r JOIN service_steps t ON t.request_id = r.id" \
  "  WHERE r.customer_id = customers.id AND r.status IN ('open', 'in_progress') AND t.done_at IS NULL)," \
  " (SELECT group_concat(c.name || char(9) || coalesce(c.mobile, ''), char(10))" \
  "  FROM contacts c WHERE c.customer_id = customers.id)," \
  " phone"
#define ITEM_COLUMNS \
  "id, name, name_en, tier, industry, region_id, region_name, owner_id, owner_name, status," \
  " monthly_revenue, version, " HAS_UNSENT ", " ITEM_FACTS
static const char SQL_ITEMS[] = "SELECT " ITEM_COLUMNS " FROM customers";
static const char SQL_ITEM[] = "SELECT " ITEM_COLUMNS " FROM customers WHERE id = ?1";

static const char SQL_CUSTOMER[] =
  "SELECT id, name, name_en, kind, industry, region_id, region_name, tier, owner_id, owner_name, status,"
  " monthly_revenue, arrears, churn_risk, version, updated_at, credit_rating, registration_no, address,"
  " phone, value_segment, prefers, churn_reasons, became_customer, churned_on, churn_reason, created_at"
  " FROM customers WHERE id = ?1";
static const char SQL_CONTACTS_OF[] =
  "SELECT id, customer_id, name, title, mobile, email, id_number, address, is_primary, version, updated_at,"
  " role FROM contacts WHERE customer_id = ?1";

static GStrv
strv_from_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *root;

  if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (node));
        }
    }
  return g_strv_builder_end (builder);
}

static int
contact_compare (gconstpointer a,
                 gconstpointer b)
{
  const CrmContact *ca = *(CrmContact * const *) a;
  const CrmContact *cb = *(CrmContact * const *) b;
  int r;

  if (ca->is_primary != cb->is_primary)
    return ca->is_primary ? -1 : 1;
  r = g_utf8_collate (ca->name, cb->name);
  return r ? r : strcmp (ca->id, cb->id);
}

static CrmCustomerItem *
item_from_row (sqlite3_stmt *s)
{
  const char *tier = (const char *) sqlite3_column_text (s, 3);
  const char *status = (const char *) sqlite3_column_text (s, 9);
  int tier_index = tier ? crm_wire_lookup (crm_tier_names, tier) : -1;
  int status_index = status ? crm_wire_lookup (crm_customer_status_names, status) : -1;
  CrmCustomerItem *item;

  item = crm_customer_item_new_without_keys ((const char *) sqlite3_column_text (s, 0),
                                             (const char *) sqlite3_column_text (s, 1),
                                             (const char *) sqlite3_column_text (s, 2),
                                             tier_index < 0 ? CRM_N_TIERS : (CrmTier) tier_index,
                                             (const char *) sqlite3_column_text (s, 4),
                                             (const char *) sqlite3_column_text (s, 5),
                                             (const char *) sqlite3_column_text (s, 6),
                                             (const char *) sqlite3_column_text (s, 7),
                                             (const char *) sqlite3_column_text (s, 8),
                                             status_index < 0 ? CRM_N_CUSTOMER_STATUSES : (CrmCustomerStatus) status_index,
                                             sqlite3_column_int64 (s, 10),
                                             sqlite3_column_int64 (s, 11));
  crm_customer_item_set_has_unsent_changes (item, sqlite3_column_int (s, 12) != 0);
  crm_customer_item_set_facts (item,
                               sqlite3_column_int64 (s, 13),
                               sqlite3_column_type (s, 14) == SQLITE_NULL ? -1 : sqlite3_column_int (s, 14),
                               sqlite3_column_int64 (s, 15),
                               (const char *) sqlite3_column_text (s, 16),
                               (const char *) sqlite3_column_text (s, 17));
  crm_customer_item_set_contacts (item,
                                  (const char *) sqlite3_column_text (s, 18),
                                  (const char *) sqlite3_column_text (s, 19));
  return item;
}

static void
item_unref0 (gpointer item)
{
  if (item != NULL)
    g_object_unref (item);
}

/**
 * crm_store_get_customer:
 *
 * One customer with its contacts, or %NULL with CRM_ERROR_NOT_FOUND.
 */
CrmCustomer *
crm_store_get_customer (CrmStore    *self,
                        const char  *id,
                        GError     **error)
{
  g_autoptr(CrmCustomer) c = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->read_lock);
  /* The customer and its contacts from one snapshot. */
  if (!crm_store_read_exec (self, SQL_READ_BEGIN, error))
    goto out;
  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (self, SQL_CUSTOMER, error);
    int rc;

    if (s == NULL)
      goto out;
    sqlite3_bind_text (s, 1, id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step (s);
    if (rc == SQLITE_DONE)
      {
        crm_set_field_error (error, CRM_ERROR_NOT_FOUND, "id", "No such customer here");
        goto out;
      }
    if (rc != SQLITE_ROW)
      {
        crm_store_read_error (self, error, "reading a customer");
        goto out;
      }
    c = crm_customer_new ();
    c->id = column_dup (s, 0);
    c->name = column_dup (s, 1);
    c->name_en = column_dup (s, 2);
    c->kind = column_dup (s, 3);
    c->industry = column_dup (s, 4);
    c->region_id = column_dup (s, 5);
    c->region_name = column_dup (s, 6);
    c->tier = column_dup (s, 7);
    c->owner_id = column_dup (s, 8);
    c->owner_name = column_dup (s, 9);
    c->status = column_dup (s, 10);
    c->monthly_revenue = sqlite3_column_int64 (s, 11);
    c->arrears = sqlite3_column_int64 (s, 12);
    c->churn_risk = sqlite3_column_type (s, 13) == SQLITE_NULL ? -1 : sqlite3_column_int (s, 13);
    c->version = sqlite3_column_int64 (s, 14);
    c->updated_at = column_dup (s, 15);
    c->credit_rating = column_dup (s, 16);
    c->registration_no = column_dup (s, 17);
    c->address = column_dup (s, 18);
    c->phone = column_dup (s, 19);
    c->value_segment = column_dup (s, 20);
    c->prefers = strv_from_json ((const char *) sqlite3_column_text (s, 21));
    c->churn_reasons = strv_from_json ((const char *) sqlite3_column_text (s, 22));
    c->became_customer = column_dup (s, 23);
    c->churned_on = column_dup (s, 24);
    c->churn_reason = column_dup (s, 25);
    c->created_at = column_dup (s, 26);
  }
  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (self, SQL_CONTACTS_OF, error);
    int rc;

    if (s == NULL)
      goto out;
    sqlite3_bind_text (s, 1, id, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
      {
        CrmContact *k = crm_contact_new ();

        k->id = column_dup (s, 0);
        k->customer_id = column_dup (s, 1);
        k->name = column_dup (s, 2);
        k->title = column_dup (s, 3);
        k->mobile = column_dup (s, 4);
        k->email = column_dup (s, 5);
        k->id_number = column_dup (s, 6);
        k->address = column_dup (s, 7);
        k->is_primary = sqlite3_column_int (s, 8) != 0;
        k->version = sqlite3_column_int64 (s, 9);
        k->updated_at = column_dup (s, 10);
        k->role = column_dup (s, 11);
        if (k->name == NULL)
          k->name = g_strdup ("");
        g_ptr_array_add (c->contacts, k);
      }
    if (rc != SQLITE_DONE)
      {
        crm_store_read_error (self, error, "reading contacts");
        goto out;
      }
  }
  ok = TRUE;

out:
  crm_store_read_end (self);
  g_mutex_unlock (&self->read_lock);
  if (!ok)
    return NULL;
  g_ptr_array_sort (c->contacts, contact_compare);
  return g_steal_pointer (&c);
}

/**
 * crm_store_list_customer_items:
 *
 * Every local customer as a list item, in no particular order.
 */
GPtrArray *
crm_store_list_customer_items (CrmStore  *self,
                               GError   **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean ok = FALSE;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (self, SQL_ITEMS, error);
    int rc;

    if (s != NULL)
      {
        while ((rc = sqlite3_step (s)) == SQLITE_ROW)
          g_ptr_array_add (items, item_from_row (s));
        if (rc == SQLITE_DONE)
          ok = TRUE;
        else
          crm_store_read_error (self, error, "reading customers");
      }
  }
  g_mutex_unlock (&self->read_lock);
  if (!ok)
    return NULL;
  crm_customer_items_make_keys ((CrmCustomerItem **) items->pdata, items->len);
  return g_steal_pointer (&items);
}

/**
 * crm_store_get_customer_items:
 * @ids: customer ids
 *
 * The list items of @ids, in the same order: an array as long as @ids
 * whose element is %NULL where the customer is not (or no longer) here.
 */
GPtrArray *
crm_store_get_customer_items (CrmStore            *self,
                              const char * const  *ids,
                              GError             **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (item_unref0);
  gboolean ok = TRUE;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (ids != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->read_lock);
  /* Every row from one snapshot (and one lock of the WAL, not one a row). */
  ok = crm_store_read_exec (self, SQL_READ_BEGIN, error);
  for (guint i = 0; ok && ids[i] != NULL; i++)
    {
      g_autoptr(CachedStmt) s = crm_store_read_stmt (self, SQL_ITEM, error);
      int rc;

      if (s == NULL)
        {
          ok = FALSE;
          break;
        }
      sqlite3_bind_text (s, 1, ids[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (s);
      if (rc == SQLITE_ROW)
        g_ptr_array_add (items, item_from_row (s));
      else if (rc == SQLITE_DONE)
        g_ptr_array_add (items, NULL);
      else
        ok = crm_store_read_error (self, error, "reading customers");
    }
  crm_store_read_end (self);
  g_mutex_unlock (&self->read_lock);
  if (!ok)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    if (items->pdata[i] != NULL)
      crm_customer_items_make_keys ((CrmCustomerItem **) &items->pdata[i], 1);
  return g_steal_pointer (&items);
}

static const char SQL_STEP_CUSTOMER[] =
  "SELECT r.customer_id FROM service_steps t JOIN service_requests r ON r.id = t.request_id WHERE t.id = ?1";

/**
 * crm_store_get_step_customer_ids:
 * @step_ids: service steps' ids
 *
 * The customers whose service requests hold the steps of @step_ids that
 * are here, each once, in no order.
 */
GStrv
crm_store_get_step_customer_ids (CrmStore            *self,
                                 const char * const  *step_ids,
                                 GError             **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GStrv ids;
  gboolean ok;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (step_ids != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->read_lock);
  ok = crm_store_read_exec (self, SQL_READ_BEGIN, error);
  for (guint i = 0; ok && step_ids[i] != NULL; i++)
    {
      g_autoptr(CachedStmt) s = crm_store_read_stmt (self, SQL_STEP_CUSTOMER, error);
      int rc;

      if (s == NULL)
        {
          ok = FALSE;
          break;
        }
      sqlite3_bind_text (s, 1, step_ids[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (s);
      if (rc == SQLITE_ROW && sqlite3_column_text (s, 0) != NULL)
        g_hash_table_add (seen, g_strdup ((const char *) sqlite3_column_text (s, 0)));
      else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ok = crm_store_read_error (self, error, "reading service steps");
    }
  crm_store_read_end (self);
  g_mutex_unlock (&self->read_lock);
  if (!ok)
    return NULL;
  ids = (GStrv) g_hash_table_get_keys_as_array (seen, NULL);
  g_hash_table_steal_all (seen);   /* the keys now belong to ids */
  return ids;
}

/* The row of @e that @s stands on, as the server sent it. */
static JsonObject *
record_from_row (const Entity *e,
                 sqlite3_stmt *s)
{
  JsonObject *record = json_object_new ();

  for (guint i = 0; i < e->n_columns; i++)
    json_object_set_member (record, e->columns[i].name, crm_store_column_node (s, (int) i, &e->columns[i]));
  return record;
}

/**
 * crm_store_get_records:
 * @entity: any entity of the entity table
 * @parent_id: (nullable): the id of the parent record (a customer; for an
 *   opportunity's stage changes the opportunity, for a service step the
 *   request), or %NULL for every record of @entity
 *
 * The records of @entity as the user sees them (queued edits included),
 * each a JsonObject with the entity's fields as the server sends them
 * (money in fen, booleans, lists and JSON objects as JSON; a field
 * withheld from the user is null), in key order.  Reads on the reader, in
 * one snapshot: callable from any thread, a worker included; it never
 * waits for a sync page being written.  %NULL with CRM_ERROR_INVALID when
 * @parent_id is given for a top-level entity.
 *
 * Returns: (transfer container) (element-type JsonObject): the records
 */
GPtrArray *
crm_store_get_records (CrmStore    *self,
                       CrmEntity    entity,
                       const char  *parent_id,
                       GError     **error)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  const Entity *e;
  gboolean ok = FALSE;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  e = crm_store_entity (entity);
  if (parent_id != NULL && e->read_under_sql == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "parent_id", "A %s has no parent", e->info->name);
      return NULL;
    }

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (self, parent_id ? e->read_under_sql : e->read_sql, error);
    int rc = SQLITE_ERROR;

    if (s != NULL)
      {
        if (parent_id != NULL)
          sqlite3_bind_text (s, 1, parent_id, -1, SQLITE_TRANSIENT);
        while ((rc = sqlite3_step (s)) == SQLITE_ROW)
          g_ptr_array_add (records, record_from_row (e, s));
        if (rc == SQLITE_DONE)
          ok = TRUE;
        else
          crm_store_read_error (self, error, "reading records");
      }
  }
  g_mutex_unlock (&self->read_lock);
  return ok ? g_steal_pointer (&records) : NULL;
}
