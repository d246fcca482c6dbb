#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "crm-error.h"
#include "crm-store-private.h"

/*
 * The local store: one SQLite file (WAL) per server and user.
 *
 * Threads.  Two connections.  The writer (read-write) applies sync pages,
 * resets and the queue's changes; its mutex, held by every public function
 * that writes, serialises them, and the app applies sync pages in a GTask
 * worker (crm_store_apply_sync_page_async), each in one transaction.  The
 * reader (SQLITE_OPEN_READONLY, its own mutex and statement cache) serves
 * the pure reads: a customer, the list items, the changed rows, the sync
 * state, the queue's list.  WAL lets it read while a page is written, so
 * the main thread never waits for a writer's transaction (with one
 * connection it waited for a whole page's, fsync included: stalls of
 * 100 ms and more while a first sync ran with the list open).  A change is
 * visible to readers once ::customers-changed is emitted: signals are
 * emitted only after the writer's COMMIT, and a read in autocommit (or a
 * read transaction begun after it) starts from a snapshot that includes
 * it.  A read that takes several statements (a customer and its
 * contacts, many changed rows) runs in one read transaction, so it sees
 * one snapshot.  Signals are never emitted with a mutex held, and always
 * on the main context of the thread that opened the store.
 *
 * The parts.  This file: the object, opening (the two connections, the
 * migrations of the local schema), the column tables and the statements
 * assembled from them, the helpers every part uses, the signal.
 * crm-store-layers.c: the two layers (a server record, the shown row);
 * crm-store-sync.c: sync pages, resets, departures and the cursor;
 * crm-store-queue.c: the queue of changes and the sender's writes;
 * crm-store-conflicts.c: conflicts and their resolution;
 * crm-store-records.c: customers, contacts and list items for the views;
 * crm-store-unsent.c: the list of unsent changes.  What more than one
 * part needs is in crm-store-private.h.
 *
 * Every statement is prepared once and takes its values as parameters.
 * The SQL text that is assembled (the upserts, from the column tables
 * below) is assembled from compiled-in constants only.
 */

#define MIGRATIONS_PATH "/org/keylinecrm/Keyline/store/sql"

G_DEFINE_FINAL_TYPE (CrmStore, crm_store, G_TYPE_OBJECT)

enum {
  CUSTOMERS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close_v2)

/* ------------------------------------------------------------------ */
/* The records' columns                                                */
/* ------------------------------------------------------------------ */

/* In the order of the CREATE TABLE (sql/0001-local-schema.sql). */
static const Column customer_columns[] = {
  { "id",              COL_TEXT, TRUE },
  { "name",            COL_TEXT, TRUE },
  { "name_en",         COL_TEXT, FALSE },
  { "kind",            COL_TEXT, FALSE },
  { "industry",        COL_TEXT, FALSE },
  { "region_id",       COL_TEXT, FALSE },
  { "region_name",     COL_TEXT, FALSE },
  { "tier",            COL_TEXT, FALSE },
  { "owner_id",        COL_TEXT, FALSE },
  { "owner_name",      COL_TEXT, FALSE },
  { "status",          COL_TEXT, FALSE },
  { "monthly_revenue", COL_INT,  FALSE },
  { "arrears",         COL_INT,  FALSE },
  { "churn_risk",      COL_INT,  FALSE },
  { "version",         COL_INT,  TRUE },
  { "updated_at",      COL_TEXT, FALSE },
  { "credit_rating",   COL_TEXT, FALSE },
  { "registration_no", COL_TEXT, FALSE },
  { "address",         COL_TEXT, FALSE },
  { "phone",           COL_TEXT, FALSE },
  { "value_segment",   COL_TEXT, FALSE },
  { "prefers",         COL_JSON, FALSE },
  { "churn_reasons",   COL_JSON, FALSE },
  { "became_customer", COL_TEXT, FALSE },
  { "churned_on",      COL_TEXT, FALSE },
  { "churn_reason",    COL_TEXT, FALSE },
  { "created_at",      COL_TEXT, FALSE },
};

static const Column contact_columns[] = {
  { "id",          COL_TEXT, TRUE },
  { "customer_id", COL_TEXT, TRUE },
  { "name",        COL_TEXT, TRUE },
  { "title",       COL_TEXT, FALSE },
  { "mobile",      COL_TEXT, FALSE },
  { "email",       COL_TEXT, FALSE },
  { "id_number",   COL_TEXT, FALSE },
  { "address",     COL_TEXT, FALSE },
  { "is_primary",  COL_BOOL, FALSE },
  { "version",     COL_INT,  TRUE },
  { "updated_at",  COL_TEXT, FALSE },
};

/* "col = the JSON member if the fields have it, else col" */
#define APPLY(f) f " = CASE WHEN json_type(?2, '$." f "') IS NULL THEN " f \
                 " ELSE json_extract(?2, '$." f "') END"

/* The fields a client may write (shared/crm-fields.c). */
static const char SQL_APPLY_CUSTOMER[] =
  "UPDATE customers SET " APPLY ("name") ", " APPLY ("name_en") ", " APPLY ("industry") ", "
  APPLY ("kind") ", " APPLY ("tier") ", " APPLY ("status") ", " APPLY ("credit_rating") ", "
  APPLY ("registration_no") ", " APPLY ("phone") ", " APPLY ("address")
  " WHERE id = ?1";
static const char SQL_APPLY_CONTACT[] =
  "UPDATE contacts SET " APPLY ("name") ", " APPLY ("title") ", " APPLY ("mobile") ", "
  APPLY ("email") ", " APPLY ("address") ", " APPLY ("is_primary")
  " WHERE id = ?1";

static Entity entities[CRM_N_ENTITIES] = {
  [CRM_ENTITY_CUSTOMER] = { "customers", "customers_server", customer_columns,
                            G_N_ELEMENTS (customer_columns), SQL_APPLY_CUSTOMER },
  [CRM_ENTITY_CONTACT] = { "contacts", "contacts_server", contact_columns,
                           G_N_ELEMENTS (contact_columns), SQL_APPLY_CONTACT },
};

static void
assemble_entity_sql (Entity *e)
{
  g_autoptr(GString) names = g_string_new (NULL);
  g_autoptr(GString) params = g_string_new (NULL);
  g_autoptr(GString) sets = g_string_new (NULL);

  if (e->table == NULL)
    return;   /* an entity not kept in the store (yet) */
  for (guint i = 0; i < e->n_columns; i++)
    {
      const char *name = e->columns[i].name;

      g_string_append_printf (names, "%s%s", i ? ", " : "", name);
      g_string_append_printf (params, "%s?%u", i ? ", " : "", i + 1);
      if (i > 0)
        g_string_append_printf (sets, "%s%s = excluded.%s", i > 1 ? ", " : "", name, name);
    }
  for (guint layer = 0; layer < N_LAYERS; layer++)
    {
      const char *table = layer == LAYER_SHOWN ? e->table : e->server_table;

      /* An older record than the one held is ignored; the same version
       * again replaces it (the server's record is the truth). */
      e->upsert_sql[layer] = g_strdup_printf ("INSERT INTO %s (%s) VALUES (%s)"
                                              " ON CONFLICT (id) DO UPDATE SET %s"
                                              " WHERE excluded.version >= %s.version",
                                              table, names->str, params->str, sets->str, table);
    }
  {
    const CrmField *specs = crm_entity_fields ((CrmEntity) (e - entities));
    g_autoptr(GString) pairs = g_string_new (NULL);

    /* names from the shared table of writable fields: constants */
    for (guint i = 0; specs[i].name != NULL; i++)
      {
        if (specs[i].writable_by == CRM_ROLES_NONE)
          continue;
        if (specs[i].value_type == CRM_VALUE_BOOL)
          g_string_append_printf (pairs, "%s'%s', json(CASE WHEN %s THEN 'true' ELSE 'false' END)",
                                  pairs->len ? ", " : "", specs[i].name, specs[i].name);
        else
          g_string_append_printf (pairs, "%s'%s', %s", pairs->len ? ", " : "", specs[i].name, specs[i].name);
      }
    for (guint layer = 0; layer < N_LAYERS; layer++)
      e->values_sql[layer] = g_strdup_printf ("SELECT json_object(%s) FROM %s WHERE id = ?1", pairs->str,
                                              layer == LAYER_SHOWN ? e->table : e->server_table);
  }
  e->keep_server_sql = g_strdup_printf ("INSERT OR IGNORE INTO %s (%s) SELECT %s FROM %s"
                                        " WHERE id = ?1 AND version > 0",
                                        e->server_table, names->str, names->str, e->table);
  e->restore_sql = g_strdup_printf ("INSERT INTO %s (%s) SELECT %s FROM %s WHERE id = ?1",
                                    e->table, names->str, names->str, e->server_table);
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

/* The writer's transactions and the statements that more than one part
 * runs (see crm-store-private.h); each part has its own in its file. */
static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

const char SQL_CUSTOMER_VERSION[] = "SELECT version FROM customers WHERE id = ?1";
const char SQL_CONTACT_VERSION[] = "SELECT version FROM contacts WHERE id = ?1";

const char SQL_DELETE_CUSTOMER[] = "DELETE FROM customers WHERE id = ?1";
const char SQL_DELETE_SERVER_CUSTOMER[] = "DELETE FROM customers_server WHERE id = ?1";
const char SQL_DELETE_CONTACT[] = "DELETE FROM contacts WHERE id = ?1";
const char SQL_DELETE_SERVER_CONTACT[] = "DELETE FROM contacts_server WHERE id = ?1";

/* A contact made here: the row the create's fields then fill in. */
const char SQL_NEW_CONTACT[] =
  "INSERT INTO contacts (id, customer_id, name, is_primary, version)"
  " VALUES (?1, json_extract(?2, '$.customer_id'), '', 0, 0)";

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* @entity's tables, columns and assembled statements. */
const Entity *
crm_store_entity (CrmEntity entity)
{
  return &entities[entity];
}

gboolean
crm_store_sqlite_error (CrmStore    *self,
                        GError     **error,
                        const char  *doing)
{
  g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Local store (%s): %s: %s",
               self->path, doing, sqlite3_errmsg (self->db));
  return FALSE;
}

/* The cached statement for @sql, which must be a string that lives for
 * the program (a constant or an assembled statement above). */
CachedStmt *
crm_store_stmt (CrmStore    *self,
                const char  *sql,
                GError     **error)
{
  sqlite3_stmt *s = g_hash_table_lookup (self->statements, sql);

  if (s == NULL)
    {
      if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        {
          crm_store_sqlite_error (self, error, "preparing a statement");
          return NULL;
        }
      g_hash_table_insert (self->statements, (gpointer) sql, s);
    }
  return s;
}

gboolean
crm_store_read_error (CrmStore    *self,
                      GError     **error,
                      const char  *doing)
{
  g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Local store (%s): %s: %s",
               self->path, doing, sqlite3_errmsg (self->reader));
  return FALSE;
}

/* The reader's cached statement for @sql (as crm_store_stmt()); hold read_lock. */
CachedStmt *
crm_store_read_stmt (CrmStore    *self,
                     const char  *sql,
                     GError     **error)
{
  sqlite3_stmt *s = g_hash_table_lookup (self->read_statements, sql);

  if (s == NULL)
    {
      if (sqlite3_prepare_v3 (self->reader, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        {
          crm_store_read_error (self, error, "preparing a statement");
          return NULL;
        }
      g_hash_table_insert (self->read_statements, (gpointer) sql, s);
    }
  return s;
}

/* Runs @sql (BEGIN, COMMIT or ROLLBACK) on the reader: the statements in
 * between read one snapshot. */
gboolean
crm_store_read_exec (CrmStore    *self,
                     const char  *sql,
                     GError     **error)
{
  g_autoptr(CachedStmt) s = crm_store_read_stmt (self, sql, error);

  if (s == NULL)
    return FALSE;
  if (sqlite3_step (s) != SQLITE_DONE)
    return crm_store_read_error (self, error, "reading");
  return TRUE;
}

/* Ends the reader's transaction, if one is open. */
void
crm_store_read_end (CrmStore *self)
{
  g_autoptr(GError) error = NULL;

  if (sqlite3_get_autocommit (self->reader) == 0 && !crm_store_read_exec (self, SQL_ROLLBACK, &error))
    g_warning ("%s", error->message);
}

/* Every row of @sql, through the reader, made into records by @from_row;
 * NULL with @error set on failure. */
GPtrArray *
crm_store_read_list (CrmStore       *self,
                     const char     *sql,
                     RowFunc         from_row,
                     GDestroyNotify  free_func,
                     GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_func);
  gboolean ok = FALSE;

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (self, sql, error);
    int rc = SQLITE_ERROR;

    if (s != NULL)
      {
        while ((rc = sqlite3_step (s)) == SQLITE_ROW)
          {
            gpointer record = from_row (s, error);

            if (record == NULL)
              break;
            g_ptr_array_add (list, record);
          }
        if (rc == SQLITE_DONE)
          ok = TRUE;
        else if (rc != SQLITE_ROW)
          crm_store_read_error (self, error, "reading the queue");
      }
  }
  g_mutex_unlock (&self->read_lock);
  return ok ? g_steal_pointer (&list) : NULL;
}

/* Steps a statement that returns no row. */
gboolean
crm_store_step_done (CrmStore     *self,
                     sqlite3_stmt *s,
                     GError      **error)
{
  int rc = sqlite3_step (s);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return crm_store_sqlite_error (self, error, "writing");
  return TRUE;
}

/* Runs @sql (a constant) with up to two text parameters. */
gboolean
crm_store_exec2 (CrmStore    *self,
                 const char  *sql,
                 const char  *p1,
                 const char  *p2,
                 GError     **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, sql, error);

  if (s == NULL)
    return FALSE;
  if (p1)
    sqlite3_bind_text (s, 1, p1, -1, SQLITE_TRANSIENT);
  if (p2)
    sqlite3_bind_text (s, 2, p2, -1, SQLITE_TRANSIENT);
  return crm_store_step_done (self, s, error);
}

/* The integer of a one-row, one-column query with one text parameter;
 * @missing when there is no row. */
gboolean
crm_store_query_int (CrmStore    *self,
                     const char  *sql,
                     const char  *p1,
                     const char  *p2,
                     gint64       missing,
                     gint64      *out,
                     GError     **error)
{
  g_autoptr(CachedStmt) s = crm_store_stmt (self, sql, error);
  int rc;

  if (s == NULL)
    return FALSE;
  if (p1)
    sqlite3_bind_text (s, 1, p1, -1, SQLITE_TRANSIENT);
  if (p2)
    sqlite3_bind_text (s, 2, p2, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (s, 0);
  else if (rc == SQLITE_DONE)
    *out = missing;
  else
    return crm_store_sqlite_error (self, error, "reading");
  return TRUE;
}

gboolean
crm_store_begin (CrmStore  *self,
                 GError   **error)
{
  return crm_store_exec2 (self, SQL_BEGIN, NULL, NULL, error);
}

gboolean
crm_store_commit (CrmStore  *self,
                  GError   **error)
{
  return crm_store_exec2 (self, SQL_COMMIT, NULL, NULL, error);
}

void
crm_store_rollback (CrmStore *self)
{
  g_autoptr(GError) error = NULL;

  if (sqlite3_get_autocommit (self->db) == 0 && !crm_store_exec2 (self, SQL_ROLLBACK, NULL, NULL, &error))
    g_warning ("%s", error->message);
}

typedef struct
{
  CrmStore *store;
  GStrv     ids;   /* NULL: everything */
} Emission;

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  g_object_unref (emission->store);
  g_strfreev (emission->ids);
  g_free (emission);
}

static gboolean
emit_cb (gpointer data)
{
  Emission *emission = data;

  g_signal_emit (emission->store, signals[CUSTOMERS_CHANGED], 0, emission->ids);
  return G_SOURCE_REMOVE;
}

/* Emits ::customers-changed for @changed (NULL: everything) on the store's
 * context.  Called without the lock. */
void
crm_store_emit_changed (CrmStore   *self,
                        GHashTable *changed)
{
  Emission *emission;

  if (changed != NULL && g_hash_table_size (changed) == 0)
    return;

  emission = g_new0 (Emission, 1);
  emission->store = g_object_ref (self);
  if (changed != NULL)
    emission->ids = (GStrv) g_hash_table_get_keys_as_array (changed, NULL);
  if (changed != NULL)
    g_hash_table_steal_all (changed);   /* the keys now belong to ids */

  if (g_thread_self () == self->owner)
    {
      emit_cb (emission);
      emission_free (emission);
    }
  else
    {
      /* Not g_main_context_invoke(): it calls at once, in this thread, when
       * nobody owns the context. */
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, emit_cb, emission, emission_free);
      g_source_set_static_name (source, "[crm-store] customers-changed");
      g_source_attach (source, self->context);
    }
}

/* ------------------------------------------------------------------ */
/* Opening                                                             */
/* ------------------------------------------------------------------ */

static int
migration_compare (gconstpointer a,
                   gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
migrate (CrmStore  *self,
         GError   **error)
{
  g_auto(GStrv) names = g_resources_enumerate_children (MIGRATIONS_PATH, 0, error);
  gint64 current = 0;
  guint n;

  if (names == NULL)
    return FALSE;
  n = g_strv_length (names);
  qsort (names, n, sizeof (char *), migration_compare);
  for (guint i = 0; i < n; i++)
    if (g_ascii_strtoull (names[i], NULL, 10) != i + 1)
      {
        g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Local store migration %s is out of sequence", names[i]);
        return FALSE;
      }

  if (!crm_store_query_int (self, "PRAGMA user_version", NULL, NULL, 0, &current, error))
    return FALSE;
  if (current > n)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID,
                   "The local store %s was written by a newer Keyline (schema %" G_GINT64_FORMAT ", this one knows %u)",
                   self->path, current, n);
      return FALSE;
    }

  for (guint i = (guint) current; i < n; i++)
    {
      g_autofree char *path = g_strconcat (MIGRATIONS_PATH "/", names[i], NULL);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, error);
      g_autofree char *sql = NULL;
      g_autofree char *bump = NULL;
      char *message = NULL;

      if (bytes == NULL)
        return FALSE;
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      /* the version is the migration's number, not data */
      bump = g_strdup_printf ("PRAGMA user_version = %u", i + 1);
      if (sqlite3_exec (self->db, "BEGIN IMMEDIATE", NULL, NULL, &message) != SQLITE_OK ||
          sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK ||
          sqlite3_exec (self->db, bump, NULL, NULL, &message) != SQLITE_OK ||
          sqlite3_exec (self->db, "COMMIT", NULL, NULL, &message) != SQLITE_OK)
        {
          g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Local store %s: migration %s failed: %s",
                       self->path, names[i], message ? message : sqlite3_errmsg (self->db));
          sqlite3_free (message);
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      g_debug ("%s: applied migration %s", self->path, names[i]);
    }
  self->schema_version = n;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_store_finalize (GObject *object)
{
  CrmStore *self = CRM_STORE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);   /* finalizes them */
  g_clear_pointer (&self->read_statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  if (self->reader != NULL)
    sqlite3_close_v2 (self->reader);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->path);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->read_lock);

  G_OBJECT_CLASS (crm_store_parent_class)->finalize (object);
}

static void
crm_store_class_init (CrmStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = crm_store_finalize;

  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    assemble_entity_sql (&entities[i]);

  /**
   * CrmStore::customers-changed:
   * @ids: (nullable): the ids of the customers whose row or contacts
   *   changed (added, changed or removed), or %NULL when everything may
   *   have changed
   *
   * Emitted after each committed change, on the main context that was
   * the thread default when the store was opened.
   */
  signals[CUSTOMERS_CHANGED] = g_signal_new ("customers-changed",
                                             G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_STRV);
}

static void
crm_store_init (CrmStore *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->read_lock);
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            (GDestroyNotify) sqlite3_finalize);
  self->read_statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                 (GDestroyNotify) sqlite3_finalize);
  self->context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

/**
 * crm_store_open:
 * @path: the database file; created if missing
 *
 * Opens the store, creating or migrating its schema.  Signals will be
 * emitted on the calling thread's default main context.
 */
CrmStore *
crm_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(CrmStore) self = NULL;
  g_autoptr(sqlite3) db = NULL;
  char *message = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CRM_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Cannot open the local store %s: %s", path,
                   db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);
  /* WAL: readers never block the writer.  synchronous=FULL: the queue
   * holds the user's unsent edits, which must survive a power cut. */
  if (sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;", NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Cannot set up the local store %s: %s", path, message);
      sqlite3_free (message);
      return NULL;
    }
  self->db = g_steal_pointer (&db);

  if (!migrate (self, error))
    return NULL;

  /* The reader, once the schema is there (see "Threads" above). */
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Cannot open the local store %s for reading: %s", path,
                   db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  sqlite3_busy_timeout (db, 5000);
  self->reader = g_steal_pointer (&db);
  return g_steal_pointer (&self);
}

const char *
crm_store_get_path (CrmStore *self)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);

  return self->path;
}

guint
crm_store_get_schema_version (CrmStore *self)
{
  g_return_val_if_fail (CRM_IS_STORE (self), 0);

  return self->schema_version;
}
