#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include "crm-error.h"
#include "crm-store-private.h"

/*
 * The store's tables and statements, assembled once from the entity table
 * (shared/crm-entity.c): an entity's local table (sql/0001, 0003) has a
 * column per field under the field's name, which tests/test-entity-schema.c
 * holds against the migrations.  Every entity's records are written,
 * removed and read through the statements here; an entity some role may
 * edit also has the server layer (its _server table) and the statements
 * of the two layers (crm-store-layers.c).
 *
 * The SQL text is assembled from the entity table's constants only; every
 * value is a parameter.
 */

/* Columns of the store that are no field of their entity. */
static const struct
{
  CrmEntity   entity;
  const char *column;
} store_extras[] = {
  /* the names the server joins into a customer record, for the list */
  { CRM_ENTITY_CUSTOMER, "region_name" },
  { CRM_ENTITY_CUSTOMER, "owner_name" },
};

/* Fields that one record per parent holds true: marking one unmarks the
 * others of its parent on the server (a customer's primary contact:
 * crm.unmark_primary () in server/sql/0008-apply-per-entity.sql, and a
 * unique index).  The store does the same locally (crm-store-layers.c). */
static const struct
{
  CrmEntity   entity;
  const char *field;
} exclusive_fields[] = {
  { CRM_ENTITY_CONTACT, "is_primary" },
};

/* What the customer list and a customer's page show: a change of one of
 * these is ::customers-changed for its customer.  Subscriptions,
 * opportunities and service requests make the list's facts of a customer
 * (its open pipeline, next contract end, overdue service step); their
 * departures name the customer.  A service step's customer is its
 * request's: the list model maps those itself (crm-customer-model.c). */
static const CrmEntity customer_view[] = {
  CRM_ENTITY_CUSTOMER, CRM_ENTITY_CONTACT,
  CRM_ENTITY_SUBSCRIPTION, CRM_ENTITY_OPPORTUNITY, CRM_ENTITY_SERVICE_REQUEST,
};

static Entity entities[CRM_N_ENTITIES];

const Entity *
crm_store_entity (CrmEntity entity)
{
  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);

  return &entities[entity];
}

/* "a, b, c" of @e's columns, or with @as_sets the columns not in the
 * key as "b = excluded.b, c = excluded.c". */
static char *
join_columns (const Entity *e,
              gboolean      as_sets)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < e->n_columns; i++)
    {
      gboolean key = i == e->key[0] || (e->n_key > 1 && i == e->key[1]);

      if (as_sets && key)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      if (as_sets)
        g_string_append_printf (text, "%s = excluded.%s", e->columns[i].name, e->columns[i].name);
      else
        g_string_append (text, e->columns[i].name);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* "k1 = ?1 AND k2 = ?2" */
static char *
key_condition (const Entity *e)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint k = 0; k < e->n_key; k++)
    g_string_append_printf (text, "%s%s = ?%u", k ? " AND " : "", e->columns[e->key[k]].name, k + 1);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_column (GArray       *columns,
            const char   *name,
            CrmValueType  type,
            gboolean      required)
{
  Column column = { name, type, required };

  g_array_append_val (columns, column);
}

/* The columns, the key, the layers and the depth of @e. */
static void
describe (Entity              *e,
          const CrmEntityInfo *info)
{
  g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (Column));

  e->info = info;
  e->table[LAYER_SHOWN] = info->local_table;
  if (crm_entity_info_writable (info))
    {
      g_autofree char *server = g_strconcat (info->local_table, "_server", NULL);

      e->table[LAYER_SERVER] = g_intern_string (server);
    }
  for (const CrmField *field = info->fields; field->name != NULL; field++)
    {
      gboolean key = g_strv_contains (info->key, field->name);
      gboolean version = g_str_equal (field->name, "version");

      if (key)
        e->key[e->n_key++] = columns->len;
      e->has_version |= version;
      add_column (columns, field->name, field->value_type, key || version || (field->flags & CRM_FIELD_PARENT));
    }
  g_assert (e->n_key == g_strv_length ((char **) info->key) && e->n_key <= 2);
  for (guint i = 0; i < G_N_ELEMENTS (store_extras); i++)
    if (store_extras[i].entity == info->entity)
      add_column (columns, store_extras[i].column, CRM_VALUE_TEXT, FALSE);
  e->n_columns = columns->len;
  e->columns = (Column *) (gpointer) g_array_free (g_steal_pointer (&columns), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (customer_view); i++)
    e->names_customer |= customer_view[i] == info->entity;
  for (CrmEntity p = info->parent; p != CRM_N_ENTITIES; p = crm_entity_info (p)->parent)
    e->depth++;
  if (e->n_key == 1)
    {
      g_autofree char *match = g_strdup_printf ("%s = ?1", e->columns[e->key[0]].name);

      e->key_expr = e->columns[e->key[0]].name;
      e->key_match = g_intern_string (match);
    }
  else
    {
      g_autofree char *expr = g_strdup_printf ("%s || '/' || %s", e->columns[e->key[0]].name,
                                               e->columns[e->key[1]].name);
      /* the key's text split again, so that the primary key's index serves
       * (no key value holds a "/": UUIDs, dates) */
      g_autofree char *match = g_strdup_printf ("%s = substr(?1, 1, instr(?1, '/') - 1)"
                                                " AND %s = substr(?1, instr(?1, '/') + 1)",
                                                e->columns[e->key[0]].name, e->columns[e->key[1]].name);

      e->key_expr = g_intern_string (expr);
      e->key_match = g_intern_string (match);
    }
}

/* Writing, removing and reading records, in every layer there is. */
static void
assemble_records (Entity *e)
{
  g_autofree char *names = join_columns (e, FALSE);
  g_autofree char *params = NULL;
  g_autofree char *sets = join_columns (e, TRUE);
  g_autofree char *keys = NULL;
  g_autofree char *where = key_condition (e);
  g_autoptr(GString) p = g_string_new (NULL);

  for (guint i = 0; i < e->n_columns; i++)
    g_string_append_printf (p, "%s?%u", i ? ", " : "", i + 1);
  params = g_string_free (g_steal_pointer (&p), FALSE);
  keys = e->n_key == 1 ? g_strdup (e->columns[e->key[0]].name)
                       : g_strdup_printf ("%s, %s", e->columns[e->key[0]].name, e->columns[e->key[1]].name);

  for (guint layer = 0; layer < N_LAYERS; layer++)
    {
      const char *table = e->table[layer];

      if (table == NULL)
        continue;
      /* An older record than the one held is ignored; the same version
       * again replaces it (the server's record is the truth).  Without a
       * version (an append-only history) the record sent replaces. */
      e->upsert_sql[layer] = g_strdup_printf ("INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO UPDATE SET %s%s%s%s",
                                              table, names, params, keys, sets,
                                              e->has_version ? " WHERE excluded.version >= " : "",
                                              e->has_version ? table : "", e->has_version ? ".version" : "");
      e->delete_sql[layer] = g_strdup_printf ("DELETE FROM %s WHERE %s", table, where);
      /* the queue and the layers name a record by its key's text (a
       * two-column key as "<first>/<second>", key_expr) */
      e->key_delete_sql[layer] = g_strdup_printf ("DELETE FROM %s WHERE %s", table, e->key_match);
      e->clear_sql[layer] = g_strdup_printf ("DELETE FROM %s", table);
      if (e->has_version)
        e->version_sql[layer] = g_strdup_printf ("SELECT version FROM %s WHERE %s", table, e->key_match);
    }
  e->read_sql = g_strdup_printf ("SELECT %s FROM %s ORDER BY %s", names, e->table[LAYER_SHOWN], keys);
  if (e->info->parent_field != NULL)
    {
      e->read_under_sql = g_strdup_printf ("SELECT %s FROM %s WHERE %s = ?1 ORDER BY %s", names,
                                           e->table[LAYER_SHOWN], e->info->parent_field, keys);
      if (e->n_key == 1)
        e->parent_sql = g_strdup_printf ("SELECT %s FROM %s WHERE %s", e->info->parent_field,
                                         e->table[LAYER_SHOWN], where);
    }
}

/* Which rows of @e are under the record ?1 of @ancestor: through the
 * parents in between (a parent is always id-keyed). */
static char *
under_condition (const Entity *e,
                 CrmEntity     ancestor)
{
  const Entity *parent = &entities[e->info->parent];
  g_autofree char *inner = NULL;

  if (e->info->parent == ancestor)
    return g_strdup_printf ("%s = ?1", e->info->parent_field);
  inner = under_condition (parent, ancestor);
  return g_strdup_printf ("%s IN (SELECT id FROM %s WHERE %s)", e->info->parent_field, parent->table[LAYER_SHOWN],
                          inner);
}

/* For each ancestor entity: delete this entity's rows under one of its
 * records. */
static void
assemble_cascade (Entity *e)
{
  for (CrmEntity a = e->info->parent; a != CRM_N_ENTITIES; a = crm_entity_info (a)->parent)
    {
      g_autofree char *condition = under_condition (e, a);

      for (guint layer = 0; layer < N_LAYERS; layer++)
        if (e->table[layer] != NULL)
          e->delete_under_sql[layer][a] = g_strdup_printf ("DELETE FROM %s WHERE %s RETURNING %s", e->table[layer],
                                                           condition, e->key_expr);
    }
}

/* The two layers of an entity some role edits. */
static void
assemble_layers (Entity *e)
{
  g_autofree char *names = join_columns (e, FALSE);
  g_autoptr(GString) pairs = g_string_new (NULL);
  g_autoptr(GString) applies = g_string_new (NULL);
  g_autoptr(GString) new_names = g_string_new ("id, version");
  g_autoptr(GString) new_values = g_string_new ("?1, 0");

  if (e->table[LAYER_SERVER] == NULL)
    return;
  /* a two-column key is found by its text, as the queue names the
   * record (key_expr: "<campaign_id>/<customer_id>") */
  g_assert (e->has_version);
  for (const CrmField *f = e->info->fields; f->name != NULL; f++)
    {
      gboolean number = f->value_type == CRM_VALUE_BOOL || f->value_type == CRM_VALUE_INTEGER ||
                        f->value_type == CRM_VALUE_MONEY;

      if (f->writable_by == CRM_ROLES_NONE)
        continue;
      if (f->value_type == CRM_VALUE_BOOL)
        g_string_append_printf (pairs, "%s'%s', json(CASE WHEN %s THEN 'true' ELSE 'false' END)",
                                pairs->len ? ", " : "", f->name, f->name);
      else if (f->value_type == CRM_VALUE_TEXT_LIST || f->value_type == CRM_VALUE_JSON)
        /* kept as JSON text: a list, not a string holding one */
        g_string_append_printf (pairs, "%s'%s', json(%s)", pairs->len ? ", " : "", f->name, f->name);
      else
        g_string_append_printf (pairs, "%s'%s', %s", pairs->len ? ", " : "", f->name, f->name);
      /* the member if the fields have it, else the column as it is */
      g_string_append_printf (applies, "%s%s = CASE WHEN json_type(?2, '$.%s') IS NULL THEN %s"
                              " ELSE json_extract(?2, '$.%s') END",
                              applies->len ? ", " : "", f->name, f->name, f->name, f->name);
      /* a record made here: what its create carries; a required field
       * the create leaves out is the server's default, or empty, until
       * the server's record comes */
      g_string_append_printf (new_names, ", %s", f->name);
      if ((f->flags & CRM_FIELD_REQUIRED) && f->default_value != NULL)
        g_string_append_printf (new_values, ", COALESCE(json_extract(?2, '$.%s'), %s)", f->name, f->default_value);
      else if (f->flags & CRM_FIELD_REQUIRED)
        g_string_append_printf (new_values, ", COALESCE(json_extract(?2, '$.%s'), %s)", f->name, number ? "0" : "''");
      else
        g_string_append_printf (new_values, ", json_extract(?2, '$.%s')", f->name);
    }
  /* key_match, not "key_expr = ?1": the key's index serves (a scan of
   * every member of every campaign per queued outcome otherwise) */
  for (guint layer = 0; layer < N_LAYERS; layer++)
    e->values_sql[layer] = g_strdup_printf ("SELECT json_object(%s) FROM %s WHERE %s", pairs->str,
                                            e->table[layer], e->key_match);
  e->apply_sql = g_strdup_printf ("UPDATE %s SET %s WHERE %s", e->table[LAYER_SHOWN], applies->str,
                                  e->key_match);
  e->keep_server_sql = g_strdup_printf ("INSERT OR IGNORE INTO %s (%s) SELECT %s FROM %s WHERE %s AND version > 0",
                                        e->table[LAYER_SERVER], names, names, e->table[LAYER_SHOWN], e->key_match);
  e->restore_sql = g_strdup_printf ("INSERT INTO %s (%s) SELECT %s FROM %s WHERE %s",
                                    e->table[LAYER_SHOWN], names, names, e->table[LAYER_SERVER], e->key_match);
  /* only records keyed by id are made here (creatable_by) */
  if (e->n_key == 1 && e->info->creatable_by != CRM_ROLES_NONE)
    e->new_sql = g_strdup_printf ("INSERT INTO %s (%s) VALUES (%s)", e->table[LAYER_SHOWN], new_names->str,
                                  new_values->str);
}

/* The parent of a record of an entity some role edits, in either layer. */
static void
assemble_parent_any (Entity *e)
{
  if (e->table[LAYER_SERVER] == NULL || e->info->parent_field == NULL)
    return;
  e->parent_any_sql = g_strdup_printf ("SELECT %s FROM %s WHERE %s UNION ALL SELECT %s FROM %s WHERE %s",
                                       e->info->parent_field, e->table[LAYER_SHOWN], e->key_match,
                                       e->info->parent_field, e->table[LAYER_SERVER], e->key_match);
}

/* The column named @name, or -1 (none, or @name NULL). */
static int
column_index (const Entity *e,
              const char   *name)
{
  for (guint i = 0; name != NULL && i < e->n_columns; i++)
    if (g_str_equal (e->columns[i].name, name))
      return (int) i;
  return -1;
}

/* The statements of a field one record per parent holds (see
 * exclusive_fields). */
static void
assemble_exclusive (Entity *e)
{
  const char *shown = e->table[LAYER_SHOWN];
  const char *server = e->table[LAYER_SERVER];
  const char *parent = e->info->parent_field;
  const char *field = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (exclusive_fields); i++)
    if (exclusive_fields[i].entity == e->info->entity)
      field = exclusive_fields[i].field;
  if (field == NULL)
    return;
  g_assert (server != NULL && parent != NULL && e->n_key == 1);
  e->exclusive = field;
  e->siblings_sql = g_strdup_printf ("SELECT id FROM %s WHERE %s = ?1 UNION SELECT id FROM %s WHERE %s = ?1",
                                     shown, parent, server, parent);
  /* the record of ?1 with the latest shown change that sets the field */
  e->winner_sql = g_strdup_printf ("SELECT m.record_id FROM mutations m WHERE m.entity = '%s' AND m.state IN " SHOWN
                                   " AND m.op <> 'delete' AND json_extract (m.fields, '$.%s') = 1"
                                   " AND ?1 IN (SELECT %s FROM %s WHERE id = m.record_id"
                                   " UNION ALL SELECT %s FROM %s WHERE id = m.record_id"
                                   " UNION ALL SELECT json_extract (m.fields, '$.%s'))"
                                   " ORDER BY m.seq DESC LIMIT 1",
                                   e->info->name, field, parent, shown, parent, server, parent);
  e->unmark_sql = g_strdup_printf ("UPDATE %s SET %s = 0 WHERE id = ?1 AND %s", shown, field, field);
  /* the server's records of the others of ?1 than ?2: in the server
   * layer, and shown rows that are the server's record */
  e->unmark_others_sql[LAYER_SERVER] = g_strdup_printf ("UPDATE %s SET %s = 0 WHERE %s = ?1 AND id <> ?2 AND %s",
                                                        server, field, parent, field);
  e->unmark_others_sql[LAYER_SHOWN] = g_strdup_printf ("UPDATE %s SET %s = 0 WHERE %s = ?1 AND id <> ?2 AND %s"
                                                       " AND version > 0 AND id NOT IN (SELECT id FROM %s)",
                                                       shown, field, parent, field, server);
}

void
crm_store_entities_init (void)
{
  static gsize done = 0;

  if (!g_once_init_enter (&done))
    return;
  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    describe (&entities[i], crm_entity_info ((CrmEntity) i));
  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    {
      assemble_records (&entities[i]);
      assemble_cascade (&entities[i]);
      assemble_layers (&entities[i]);
      assemble_parent_any (&entities[i]);
      assemble_exclusive (&entities[i]);
      entities[i].exclusive_column = column_index (&entities[i], entities[i].exclusive);
      entities[i].parent_column = column_index (&entities[i], entities[i].info->parent_field);
    }
  g_once_init_leave (&done, 1);
}

/* @column's member of @record as a value; an array's or object's JSON
 * text goes to @texts. */
static void
value_from_member (Value        *value,
                   JsonObject   *record,
                   const Column *column,
                   GPtrArray    *texts)
{
  JsonNode *node = json_object_get_member (record, column->name);
  GType type;

  value->number = 0;
  value->text = NULL;
  if (node == NULL)
    {
      value->kind = VALUE_MISSING;
      return;
    }
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_NULL:
      value->kind = VALUE_NULL;
      return;
    case JSON_NODE_ARRAY:
    case JSON_NODE_OBJECT:
      value->kind = JSON_NODE_HOLDS_ARRAY (node) ? VALUE_ARRAY : VALUE_OBJECT;
      value->text = json_to_string (node, FALSE);
      g_ptr_array_add (texts, (gpointer) value->text);
      return;
    case JSON_NODE_VALUE:
    default:
      break;
    }
  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    {
      value->kind = VALUE_STRING;
      value->text = json_node_get_string (node);
    }
  else if (type == G_TYPE_INT64)
    {
      value->kind = VALUE_INTEGER;
      value->number = json_node_get_int (node);
    }
  else if (type == G_TYPE_BOOLEAN)
    {
      value->kind = VALUE_BOOLEAN;
      value->number = json_node_get_boolean (node);
    }
  else
    value->kind = VALUE_OTHER_NUMBER;
}

Value *
crm_store_values_from_object (const Entity *e,
                              JsonObject   *record,
                              GPtrArray    *texts)
{
  Value *values = g_new (Value, e->n_columns);

  for (guint i = 0; i < e->n_columns; i++)
    value_from_member (&values[i], record, &e->columns[i], texts);
  return values;
}

/* A key value as text, or NULL. */
static char *
key_value_text (const Value *value)
{
  if (value->kind == VALUE_STRING)
    return g_strdup (value->text);
  if (value->kind == VALUE_INTEGER)
    return g_strdup_printf ("%" G_GINT64_FORMAT, value->number);
  return NULL;
}

char *
crm_store_values_key_text (const Entity  *e,
                           const Value   *values,
                           GError       **error)
{
  g_autofree char *first = key_value_text (&values[e->key[0]]);
  g_autofree char *second = NULL;

  if (first == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, e->columns[e->key[0]].name, "A %s record without %s",
                           e->info->name, e->columns[e->key[0]].name);
      return NULL;
    }
  if (e->n_key == 1)
    return g_steal_pointer (&first);
  second = key_value_text (&values[e->key[1]]);
  if (second == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, e->columns[e->key[1]].name, "A %s record without %s",
                           e->info->name, e->columns[e->key[1]].name);
      return NULL;
    }
  return g_strconcat (first, "/", second, NULL);
}

char *
crm_store_key_text (const Entity  *e,
                    JsonObject    *record,
                    GError       **error)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree Value *values = g_new0 (Value, e->n_columns);

  for (guint k = 0; k < e->n_key; k++)
    value_from_member (&values[e->key[k]], record, &e->columns[e->key[k]], texts);
  return crm_store_values_key_text (e, values, error);
}

gboolean
crm_store_bind_value (sqlite3_stmt  *s,
                      int            index,
                      const Value   *value,
                      const Column  *column,
                      GError       **error)
{
  if (value->kind == VALUE_MISSING || value->kind == VALUE_NULL)
    {
      if (column->required)
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, column->name, "A record without %s", column->name);
          return FALSE;
        }
      sqlite3_bind_null (s, index);
      return TRUE;
    }

  switch (column->type)
    {
    case CRM_VALUE_TEXT:
    case CRM_VALUE_DATE:
    case CRM_VALUE_TIMESTAMP:
    case CRM_VALUE_ENUM:
    case CRM_VALUE_REFERENCE:
    case CRM_VALUE_UUID:
      if (value->kind != VALUE_STRING)
        break;
      sqlite3_bind_text (s, index, value->text, -1, SQLITE_STATIC);
      return TRUE;
    case CRM_VALUE_INTEGER:
    case CRM_VALUE_MONEY:
      if (value->kind != VALUE_INTEGER)
        break;
      sqlite3_bind_int64 (s, index, value->number);
      return TRUE;
    case CRM_VALUE_BOOL:
      if (value->kind != VALUE_BOOLEAN)
        break;
      sqlite3_bind_int (s, index, (int) value->number);
      return TRUE;
    case CRM_VALUE_TEXT_LIST:
    case CRM_VALUE_JSON:
      if (value->kind != (column->type == CRM_VALUE_TEXT_LIST ? VALUE_ARRAY : VALUE_OBJECT))
        break;
      sqlite3_bind_text (s, index, value->text, -1, SQLITE_STATIC);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
  crm_set_field_error (error, CRM_ERROR_MALFORMED, column->name, "%s has the wrong type", column->name);
  return FALSE;
}

gboolean
crm_store_bind_member (sqlite3_stmt  *s,
                       int            index,
                       JsonObject    *record,
                       const Column  *column,
                       GError       **error)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  Value value;

  value_from_member (&value, record, column, texts);
  /* a copy: the JSON text goes with @texts */
  if (!crm_store_bind_value (s, index, &value, column, error))
    return FALSE;
  if (value.kind == VALUE_ARRAY || value.kind == VALUE_OBJECT)
    sqlite3_bind_text (s, index, value.text, -1, SQLITE_TRANSIENT);
  return TRUE;
}

JsonNode *
crm_store_column_node (sqlite3_stmt *s,
                       int           index,
                       const Column *column)
{
  CrmValueType type = column->type;

  /* as crm_store_bind_member() stored it */
  if (sqlite3_column_type (s, index) == SQLITE_NULL)
    return json_node_new (JSON_NODE_NULL);
  if (type == CRM_VALUE_INTEGER || type == CRM_VALUE_MONEY)
    return json_node_init_int (json_node_alloc (), sqlite3_column_int64 (s, index));
  if (type == CRM_VALUE_BOOL)
    return json_node_init_boolean (json_node_alloc (), sqlite3_column_int (s, index) != 0);
  if (type == CRM_VALUE_TEXT_LIST || type == CRM_VALUE_JSON)
    {
      JsonNode *node = json_from_string ((const char *) sqlite3_column_text (s, index), NULL);

      return node != NULL ? node : json_node_new (JSON_NODE_NULL);
    }
  return json_node_init_string (json_node_alloc (), (const char *) sqlite3_column_text (s, index));
}
