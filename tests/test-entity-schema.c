/* The entity table (shared/crm-entity.c) against the two schemas it
 * describes: PostgreSQL's catalog after every migration, and the tables
 * of the client's SQLite store.  A column added, dropped or retyped on
 * one side without the other fails here, naming the entity and field. */
#define G_LOG_DOMAIN "test-entity-schema"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "crm-entity.h"
#include "crm-wire.h"
#include "crm-migrate.h"
#include "crm-store.h"
#include "crm-test-pg.h"

static char *conninfo;
static PGconn *conn;

/* Columns of the store that are no field of their entity, and why.  An
 * entry the store does not have is stale and fails the test too. */
static const struct
{
  CrmEntity   entity;
  const char *column;
  const char *reason;
} store_extras[] = {
  { CRM_ENTITY_CUSTOMER, "region_name", "the server joins the region's name into the customer record" },
  { CRM_ENTITY_CUSTOMER, "owner_name", "the server joins the account manager's name into the customer record" },
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)

/* Helpers ----------------------------------------------------------------- */

static PGresult *
query (const char *sql,
       const char *param1,
       const char *param2)
{
  return crm_test_pg_query (conn, sql, param1, param2);
}

/* A column as information_schema.columns describes it. */
typedef struct
{
  char *data_type;
  char *udt_schema;
  char *udt_name;
  gboolean not_null;
} Column;

static void
column_free (gpointer data)
{
  Column *c = data;

  g_free (c->data_type);
  g_free (c->udt_schema);
  g_free (c->udt_name);
  g_free (c);
}

/* The columns of @table ("crm.customers") by name. */
static GHashTable *
table_columns (const char *table)
{
  g_autoptr(PGresult) res = query ("SELECT column_name, data_type, udt_schema, udt_name, is_nullable"
                                   "  FROM information_schema.columns"
                                   " WHERE table_schema = split_part($1, '.', 1)"
                                   "   AND table_name = split_part($1, '.', 2)", table, NULL);
  GHashTable *columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, column_free);

  for (int i = 0; i < PQntuples (res); i++)
    {
      Column *c = g_new0 (Column, 1);

      c->data_type = g_strdup (PQgetvalue (res, i, 1));
      c->udt_schema = g_strdup (PQgetvalue (res, i, 2));
      c->udt_name = g_strdup (PQgetvalue (res, i, 3));
      c->not_null = g_str_equal (PQgetvalue (res, i, 4), "NO");
      g_hash_table_insert (columns, g_strdup (PQgetvalue (res, i, 0)), c);
    }
  return columns;
}

/* The rows of the one-column @res as a NULL-terminated list. */
static GStrv
result_strv (PGresult *res)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (int i = 0; i < PQntuples (res); i++)
    g_strv_builder_add (builder, PQgetvalue (res, i, 0));
  return g_strv_builder_end (builder);
}

/* A drift fails the test case and the checks go on, so that one run
 * names every difference. */
static void drift (const char *format,
                   ...) G_GNUC_PRINTF (1, 2);

static void
drift (const char *format,
       ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("drift: %s", text);
  g_test_fail_printf ("%s", text);
}

static void
assert_same_words (const CrmEntityInfo *info,
                   const char          *what,
                   const char * const  *expected,
                   GStrv                found)
{
  g_autofree char *e = g_strjoinv (", ", (char **) expected);
  g_autofree char *f = g_strjoinv (", ", found);

  if (!g_str_equal (e, f))
    drift ("%s %s: the entity table says (%s), PostgreSQL (%s)", info->table, what, e, f);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The labels of a crm.* enum, in their order. */
static GStrv
enum_labels (const char *type)
{
  g_autoptr(PGresult) res = query ("SELECT enumlabel FROM pg_enum WHERE enumtypid = $1::regtype"
                                   " ORDER BY enumsortorder", type, NULL);

  return result_strv (res);
}

/* The words of the CHECK (… IN (…)) on @column of @table, in order. */
static GStrv
check_labels (const char *table,
              const char *column)
{
  g_autoptr(PGresult) res =
    query ("SELECT r.m[1] FROM pg_constraint c"
           "  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
           "  CROSS JOIN LATERAL regexp_matches (pg_get_constraintdef (c.oid), '''([^'']*)''', 'g')"
           "       WITH ORDINALITY AS r(m, n)"
           " WHERE c.conrelid = $1::regclass AND c.contype = 'c' AND cardinality (c.conkey) = 1"
           "   AND a.attname = $2"
           " ORDER BY c.oid, r.n", table, column);

  return result_strv (res);
}

/* The table a one-column foreign key on @column of @table points to, or
 * NULL. */
static char *
foreign_table (const char *table,
               const char *column)
{
  g_autoptr(PGresult) res =
    query ("SELECT c.confrelid::regclass::text FROM pg_constraint c"
           "  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
           " WHERE c.conrelid = $1::regclass AND c.contype = 'f' AND cardinality (c.conkey) = 1"
           "   AND a.attname = $2", table, column);

  return PQntuples (res) == 1 ? g_strdup (PQgetvalue (res, 0, 0)) : NULL;
}

/* PostgreSQL ---------------------------------------------------------------- */

static const char * const value_type_names[] = {
  "TEXT", "INTEGER", "MONEY", "DATE", "TIMESTAMP", "BOOL", "ENUM", "REFERENCE", "UUID", "TEXT_LIST", "JSON",
};
G_STATIC_ASSERT (G_N_ELEMENTS (value_type_names) == CRM_VALUE_JSON + 1);

/* Whether @c can hold @field's values as the table says they travel. */
static void
assert_type (const CrmEntityInfo *info,
             const CrmField      *field,
             const Column        *c)
{
  const char *column = crm_field_column (field);
  gboolean ok = FALSE;

  switch (field->value_type)
    {
    case CRM_VALUE_TEXT:
      ok = g_str_equal (c->data_type, "text");
      break;
    case CRM_VALUE_INTEGER:
      ok = g_str_equal (c->data_type, "smallint") || g_str_equal (c->data_type, "integer") ||
           g_str_equal (c->data_type, "bigint");
      break;
    case CRM_VALUE_MONEY:
      ok = g_str_equal (c->data_type, "bigint");
      break;
    case CRM_VALUE_DATE:
      ok = g_str_equal (c->data_type, "date");
      break;
    case CRM_VALUE_TIMESTAMP:
      ok = g_str_equal (c->data_type, "timestamp with time zone");
      break;
    case CRM_VALUE_BOOL:
      ok = g_str_equal (c->data_type, "boolean");
      break;
    case CRM_VALUE_REFERENCE:
    case CRM_VALUE_UUID:
      ok = g_str_equal (c->data_type, "uuid");
      break;
    case CRM_VALUE_JSON:
      ok = g_str_equal (c->data_type, "jsonb");
      break;
    case CRM_VALUE_ENUM:
      if (g_str_equal (field->sql_type, "text"))
        {
          g_auto(GStrv) words = check_labels (info->table, column);

          ok = g_str_equal (c->data_type, "text");
          assert_same_words (info, column, field->enum_values, words);
        }
      else
        {
          g_auto(GStrv) labels = enum_labels (field->sql_type);
          g_autofree char *udt = g_strdup_printf ("%s.%s", c->udt_schema, c->udt_name);

          ok = g_str_equal (c->data_type, "USER-DEFINED") && g_str_equal (udt, field->sql_type);
          assert_same_words (info, column, field->enum_values, labels);
        }
      break;
    case CRM_VALUE_TEXT_LIST:
      if (field->enum_values == NULL)
        ok = g_str_equal (c->data_type, "ARRAY") && g_str_equal (c->udt_name, "_text");
      else
        {
          g_autofree char *element = g_strndup (field->sql_type, strlen (field->sql_type) - 2);  /* "[]" */
          g_autofree char *udt = g_strdup_printf ("%s.%s", c->udt_schema, c->udt_name);
          g_autofree char *expected = g_strdup_printf ("crm._%s", element + strlen ("crm."));
          g_auto(GStrv) labels = enum_labels (element);

          g_assert_true (g_str_has_suffix (field->sql_type, "[]"));
          ok = g_str_equal (c->data_type, "ARRAY") && g_str_equal (udt, expected);
          assert_same_words (info, column, field->enum_values, labels);
        }
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    drift ("%s.%s: %s (%s.%s) cannot hold the entity table's value type %s", info->table, column,
           c->data_type, c->udt_schema, c->udt_name, value_type_names[field->value_type]);
}

/* The key: exactly the primary key's columns. */
static void
assert_key (const CrmEntityInfo *info)
{
  g_autoptr(PGresult) res = query ("SELECT a.attname FROM pg_index i"
                                   "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                                   " WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attname",
                                   info->table, NULL);
  g_auto(GStrv) primary = result_strv (res);
  g_autoptr(GPtrArray) flagged = g_ptr_array_new ();

  for (const CrmField *field = info->fields; field->name; field++)
    if (field->flags & CRM_FIELD_KEY)
      {
        g_assert_true (g_strv_contains (info->key, field->name));
        g_ptr_array_add (flagged, (gpointer) crm_field_column (field));
      }
  g_ptr_array_sort (flagged, compare_strings);
  g_ptr_array_add (flagged, NULL);
  g_assert_cmpuint (g_strv_length ((char **) info->key), ==, flagged->len - 1);
  assert_same_words (info, "primary key", (const char * const *) flagged->pdata, primary);
}

static void
entity_matches_postgres (gconstpointer data)
{
  const CrmEntityInfo *info = data;
  g_autoptr(GHashTable) columns = NULL;
  g_autoptr(GHashTable) described = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(PGresult) exists = query ("SELECT to_regclass ($1) IS NOT NULL", info->table, NULL);
  GHashTableIter iter;
  const char *name;

  g_assert_cmpstr (PQgetvalue (exists, 0, 0), ==, "t");
  columns = table_columns (info->table);
  for (const CrmField *field = info->fields; field->name; field++)
    {
      const char *column = crm_field_column (field);
      Column *c = g_hash_table_lookup (columns, column);

      g_test_message ("%s.%s", info->name, field->name);
      if (c == NULL)
        {
          drift ("%s has no column %s for the field %s.%s", info->table, column, info->name,
                 field->name);
          continue;
        }
      assert_type (info, field, c);
      if (c->not_null != ((field->flags & CRM_FIELD_REQUIRED) != 0))
        drift ("%s.%s: NOT NULL is %s, but the entity table says %srequired", info->table, column,
               c->not_null ? "set" : "not set", field->flags & CRM_FIELD_REQUIRED ? "" : "not ");
      if (field->value_type == CRM_VALUE_REFERENCE || (field->flags & CRM_FIELD_PARENT))
        {
          g_autofree char *target = foreign_table (info->table, column);
          CrmEntity to = field->flags & CRM_FIELD_PARENT ? info->parent : field->reference;

          g_assert_cmpint (field->value_type, ==, CRM_VALUE_REFERENCE);
          if (g_strcmp0 (target, crm_entity_info (to)->table) != 0)
            drift ("%s.%s refers to %s, but the entity table says %s", info->table, column,
                   target ? target : "no table", crm_entity_info (to)->table);
        }
      g_hash_table_add (described, (gpointer) column);
    }
  assert_key (info);

  /* every column is described, or kept on the server on purpose */
  for (guint i = 0; info->server_only != NULL && info->server_only[i] != NULL; i++)
    {
      g_assert_true (g_hash_table_contains (columns, info->server_only[i]));   /* not stale */
      g_assert_false (g_hash_table_contains (described, info->server_only[i]));
      g_hash_table_add (described, (gpointer) info->server_only[i]);
    }
  g_hash_table_iter_init (&iter, columns);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    if (!g_hash_table_contains (described, name))
      drift ("%s.%s is neither a field of %s nor one of its server-only columns", info->table, name,
             info->name);
}

/* The client's store ----------------------------------------------------- */

static const char *
store_extra (CrmEntity   entity,
             const char *column)
{
  for (guint i = 0; i < G_N_ELEMENTS (store_extras); i++)
    if (store_extras[i].entity == entity && g_str_equal (store_extras[i].column, column))
      return store_extras[i].reason;
  return NULL;
}

/* A column of a SQLite table as PRAGMA table_info describes it. */
typedef struct
{
  char    *type;
  gboolean not_null;
  int      pk;          /* its place in the primary key from 1, or 0 */
} StoreColumn;

static void
store_column_free (gpointer data)
{
  StoreColumn *c = data;

  g_free (c->type);
  g_free (c);
}

/* The columns of @table in @db by name; empty if there is no such table.
 * The PRAGMA's argument is a constant of the entity table. */
static GHashTable *
sqlite_columns (sqlite3    *db,
                const char *table)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(\"%s\")", table);
  GHashTable *columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, store_column_free);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      StoreColumn *c = g_new0 (StoreColumn, 1);

      c->type = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      c->not_null = sqlite3_column_int (stmt, 3) != 0;
      c->pk = sqlite3_column_int (stmt, 5);
      g_hash_table_insert (columns, g_strdup ((const char *) sqlite3_column_text (stmt, 1)), c);
    }
  sqlite3_finalize (stmt);
  return columns;
}

/* Whether some index of @table (the primary key's included) begins with
 * @column. */
static gboolean
sqlite_indexed (sqlite3    *db,
                const char *table,
                const char *column)
{
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM pragma_index_list(?1) l"
                                           " JOIN pragma_index_info(l.name) i ON i.seqno = 0"
                                           " WHERE i.name = ?2", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, column, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    found = sqlite3_column_int (stmt, 0) > 0;
  sqlite3_finalize (stmt);
  return found;
}

/* The SQLite type a field's values are stored as (0001, 0003). */
static const char *
store_type (const CrmField *field)
{
  switch (field->value_type)
    {
    case CRM_VALUE_INTEGER:
    case CRM_VALUE_MONEY:
    case CRM_VALUE_BOOL:
      return "INTEGER";
    case CRM_VALUE_TEXT:
    case CRM_VALUE_DATE:
    case CRM_VALUE_TIMESTAMP:
    case CRM_VALUE_ENUM:
    case CRM_VALUE_REFERENCE:
    case CRM_VALUE_UUID:
    case CRM_VALUE_TEXT_LIST:
    case CRM_VALUE_JSON:
      return "TEXT";
    default:
      g_assert_not_reached ();
    }
}

/* SQLite's affinity of a declared type (its "Determination of Column
 * Affinity"), for the two the store uses. */
static const char *
affinity (const char *type)
{
  g_autofree char *upper = g_ascii_strup (type, -1);

  if (strstr (upper, "INT") != NULL)
    return "INTEGER";
  if (strstr (upper, "CHAR") != NULL || strstr (upper, "CLOB") != NULL || strstr (upper, "TEXT") != NULL)
    return "TEXT";
  return upper[0] ? "NUMERIC" : "BLOB";
}

/* @table (the entity's local table, or with @server its server layer, a
 * copy made by CREATE TABLE AS with a unique index on the key) against
 * @info. */
static void
table_matches_entity (sqlite3             *db,
                      const CrmEntityInfo *info,
                      const char          *table,
                      gboolean             server)
{
  g_autoptr(GHashTable) columns = sqlite_columns (db, table);
  GHashTableIter iter;
  const char *name;

  if (g_hash_table_size (columns) == 0)
    {
      drift ("the store has no table %s for %s", table, info->name);
      return;
    }
  for (const CrmField *field = info->fields; field->name; field++)
    {
      StoreColumn *c = g_hash_table_lookup (columns, field->name);
      gboolean key = g_strv_contains (info->key, field->name);

      if (c == NULL)
        {
          drift ("the store's %s has no column for the field %s.%s", table, info->name, field->name);
          continue;
        }
      if (!g_str_equal (affinity (c->type), store_type (field)))
        drift ("the store's %s.%s is %s, but %s.%s is stored as %s", table, field->name, c->type, info->name,
               field->name, store_type (field));
      if (server)
        continue;
      /* the key in the key's order; the key and the parent never null */
      if (key != (c->pk > 0) ||
          (key && g_strcmp0 (info->key[c->pk - 1], field->name) != 0))
        {
          g_autofree char *key_text = g_strjoinv (", ", (char **) info->key);

          drift ("the store's %s.%s is %s of the primary key, but the entity's key is (%s)", table, field->name,
                 c->pk > 0 ? "part" : "not part", key_text);
        }
      if ((key || (field->flags & CRM_FIELD_PARENT) || g_str_equal (field->name, "version")) && !c->not_null)
        drift ("the store's %s.%s may be null", table, field->name);
    }
  if (server && !sqlite_indexed (db, table, info->key[0]))
    drift ("the store's %s has no index on its key", table);
  if (info->parent_field != NULL && !sqlite_indexed (db, table, info->parent_field))
    drift ("the store's %s has no index on its parent column %s", table, info->parent_field);

  /* every column is a field, or the store's own on purpose */
  g_hash_table_iter_init (&iter, columns);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    if (crm_entity_info_field (info, name) == NULL && store_extra (info->entity, name) == NULL)
      drift ("the store's %s.%s is no field of %s", table, name, info->name);
}

/* A new store in a temporary directory, and a read-only connection to
 * its file. */
typedef struct
{
  char     *dir;
  char     *path;
  CrmStore *store;
  sqlite3  *db;
} TempStore;

static void
temp_store_open (TempStore *t)
{
  g_autoptr(GError) error = NULL;

  t->dir = g_dir_make_tmp (NULL, &error);
  g_assert_no_error (error);
  t->path = g_build_filename (t->dir, "local.sqlite", NULL);
  t->store = crm_store_open (t->path, &error);   /* makes the tables */
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_open_v2 (t->path, &t->db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
}

static void
temp_store_remove (TempStore *t)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  g_clear_pointer (&t->db, sqlite3_close);
  g_assert_finalize_object (t->store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (t->path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (t->dir);
  g_free (t->path);
  g_free (t->dir);
}

static void
entity_matches_the_store (gconstpointer data)
{
  const CrmEntityInfo *info = data;
  g_autofree char *server_table = NULL;
  TempStore t;
  sqlite3 *db;

  temp_store_open (&t);
  db = t.db;

  table_matches_entity (db, info, info->local_table, FALSE);
  /* what the user may edit keeps the server's record under the edits
   * (client/store/crm-store-layers.c) */
  server_table = g_strconcat (info->local_table, "_server", NULL);
  if (crm_entity_info_writable (info))
    table_matches_entity (db, info, server_table, TRUE);
  else
    {
      g_autoptr(GHashTable) columns = sqlite_columns (db, server_table);

      if (g_hash_table_size (columns) > 0)
        drift ("the store has a server layer %s for the read-only %s", server_table, info->name);
    }
  temp_store_remove (&t);
}

/* Every store extra names a column the store has and no field. */
static void
store_extras_are_columns_and_no_fields (void)
{
  TempStore t;

  temp_store_open (&t);
  for (guint i = 0; i < G_N_ELEMENTS (store_extras); i++)
    {
      const CrmEntityInfo *info = crm_entity_info (store_extras[i].entity);
      g_autoptr(GHashTable) columns = sqlite_columns (t.db, info->local_table);

      g_assert_null (crm_entity_info_field (info, store_extras[i].column));
      if (!g_hash_table_contains (columns, store_extras[i].column))
        drift ("%s.%s is no longer in the store: drop its store extra", info->local_table, store_extras[i].column);
    }
  temp_store_remove (&t);
}

/* crm.reveal () (0011-reveal.sql) knows the entity table's masks: for
 * every role and every field of a customer or a contact, a role the table
 * lets reveal nothing is refused (forbidden), a masked field is looked
 * for (a random record: not found), any other field is invalid, naming
 * the field.  Nothing is written: the records do not exist. */
static void
reveal_knows_every_masked_field (void)
{
  const CrmEntity entities[] = { CRM_ENTITY_CUSTOMER, CRM_ENTITY_CONTACT };

  for (guint role = 0; role < CRM_N_ROLES; role++)
    for (guint e = 0; e < G_N_ELEMENTS (entities); e++)
      for (const CrmField *f = crm_entity_info (entities[e])->fields; f->name != NULL; f++)
        {
          const char *name = crm_entity_info (entities[e])->name;
          gboolean reveals = FALSE;
          const char *expected;
          g_autoptr(PGresult) res = NULL;

          for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
            for (const CrmField *g = crm_entity_info (entities[i])->fields; g->name != NULL; g++)
              reveals |= crm_field_revealable_by (g, role);
          if (!reveals)
            expected = "forbidden/field";
          else if (crm_field_revealable_by (f, role))
            expected = "not_found/id";
          else
            expected = "invalid/field";
          PQclear (query ("BEGIN", NULL, NULL));
          PQclear (query ("SELECT set_config('keyline.user_id', gen_random_uuid()::text, true),"
                          "       set_config('keyline.role', $1, true)", crm_role_names[role], NULL));
          res = query ("SELECT code || '/' || field FROM crm.reveal(gen_random_uuid(), $1, gen_random_uuid(), $2)",
                       name, f->name);
          g_test_message ("%s: %s.%s: %s", crm_role_names[role], name, f->name, PQgetvalue (res, 0, 0));
          g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, expected);
          PQclear (query ("ROLLBACK", NULL, NULL));
        }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  guint applied = 0;
  int status;

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    {
      const CrmEntityInfo *info = crm_entity_info ((CrmEntity) i);
      g_autofree char *path = g_strdup_printf ("/entity-schema/store/%s-matches-%s", info->name, info->local_table);

      g_test_add_data_func (path, info, entity_matches_the_store);
    }
  g_test_add_func ("/entity-schema/store/extras-are-columns-and-no-fields", store_extras_are_columns_and_no_fields);

  if (!crm_test_pg_available ())
    {
      g_test_message ("no throwaway PostgreSQL (run tools/test): the catalog checks are skipped");
      return g_test_run ();
    }
  conninfo = crm_test_pg_create_database (&error);
  g_assert_no_error (error);
  g_assert_true (crm_migrate_run (conninfo, &applied, &error));
  g_assert_no_error (error);
  conn = crm_pg_connect_blocking (conninfo, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    {
      const CrmEntityInfo *info = crm_entity_info ((CrmEntity) i);
      g_autofree char *path = g_strdup_printf ("/entity-schema/postgres/%s-matches-%s", info->name, info->table);

      g_test_add_data_func (path, info, entity_matches_postgres);
    }
  g_test_add_func ("/entity-schema/postgres/reveal-knows-every-masked-field", reveal_knows_every_masked_field);

  status = g_test_run ();

  PQfinish (conn);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
