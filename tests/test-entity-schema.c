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
#include "crm-migrate.h"
#include "crm-store.h"
#include "crm-test-pg.h"

static char *conninfo;
static PGconn *conn;

/* The entities the client's store keeps today.  The list grows as
 * entities reach the store (the generic store is a later step of
 * issue 8). */
static const CrmEntity store_entities[] = { CRM_ENTITY_CUSTOMER, CRM_ENTITY_CONTACT };

/* Fields of those entities the store has no column for, and why.  An
 * entry that the store does have is stale and fails the test too. */
static const struct
{
  CrmEntity   entity;
  const char *field;
  const char *reason;
} store_exclusions[] = {
  { CRM_ENTITY_CUSTOMER, "agent_id",
    "the server's customer record does not send it yet (server/crm-records.h)" },
  { CRM_ENTITY_CONTACT, "created_at",
    "the server's contact record does not send it yet (server/crm-records.h)" },
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
store_exclusion (CrmEntity   entity,
                 const char *field)
{
  for (guint i = 0; i < G_N_ELEMENTS (store_exclusions); i++)
    if (store_exclusions[i].entity == entity && g_str_equal (store_exclusions[i].field, field))
      return store_exclusions[i].reason;
  return NULL;
}

/* The columns of @table in the SQLite file @path. */
static GHashTable *
sqlite_columns (const char *path,
                const char *table)
{
  g_autoptr(sqlite3) db = NULL;
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info(\"%s\")", table);   /* a constant of the table */
  GHashTable *columns = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_hash_table_add (columns, g_strdup ((const char *) sqlite3_column_text (stmt, 1)));
  sqlite3_finalize (stmt);
  return columns;
}

static void
entity_matches_the_store (gconstpointer data)
{
  const CrmEntityInfo *info = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("keyline-entity-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) columns = NULL;
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };
  CrmStore *store;

  g_assert_no_error (error);
  path = g_build_filename (dir, "local.sqlite", NULL);
  store = crm_store_open (path, &error);   /* makes the tables */
  g_assert_no_error (error);
  columns = sqlite_columns (path, info->local_table);
  g_assert_cmpuint (g_hash_table_size (columns), >, 0);

  for (const CrmField *field = info->fields; field->name; field++)
    {
      const char *reason = store_exclusion (info->entity, field->name);

      if (reason != NULL)
        {
          g_test_message ("%s.%s is not in the store: %s", info->name, field->name, reason);
          if (g_hash_table_contains (columns, field->name))
            drift ("%s.%s is in the store now: drop its store exclusion", info->local_table,
                   field->name);
        }
      else if (!g_hash_table_contains (columns, field->name))
        drift ("the store's %s has no column for the field %s.%s", info->local_table, info->name,
               field->name);
    }

  g_assert_finalize_object (store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

/* Every store exclusion names a field of a store entity. */
static void
store_exclusions_name_fields (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (store_exclusions); i++)
    {
      gboolean in_store = FALSE;

      for (guint e = 0; e < G_N_ELEMENTS (store_entities); e++)
        in_store |= store_entities[e] == store_exclusions[i].entity;
      g_assert_true (in_store);
      g_assert_nonnull (crm_entity_info_field (crm_entity_info (store_exclusions[i].entity), store_exclusions[i].field));
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

  for (guint i = 0; i < G_N_ELEMENTS (store_entities); i++)
    {
      const CrmEntityInfo *info = crm_entity_info (store_entities[i]);
      g_autofree char *path = g_strdup_printf ("/entity-schema/store/%s-fields-have-columns", info->name);

      g_test_add_data_func (path, info, entity_matches_the_store);
    }
  g_test_add_func ("/entity-schema/store/exclusions-name-fields-of-store-entities", store_exclusions_name_fields);

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

  status = g_test_run ();

  PQfinish (conn);
  crm_test_pg_drop_database (conninfo);
  g_free (conninfo);
  return status;
}
