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
 * visible to readers once ::customers-changed (or ::changed) is emitted: signals are
 * emitted only after the writer's COMMIT, and a read in autocommit (or a
 * read transaction begun after it) starts from a snapshot that includes
 * it.  A read that takes several statements (a customer and its
 * contacts, many changed rows) runs in one read transaction, so it sees
 * one snapshot.  Signals are never emitted with a mutex held, and always
 * on the main context of the thread that opened the store.
 *
 * The parts.  This file: the object, opening (the two connections, the
 * migrations of the local schema), the helpers every part uses, the
 * signals.  crm-store-entities.c: every entity's columns and statements,
 * assembled from the entity table (shared/crm-entity.h);
 * crm-store-layers.c: where a server record goes (the two layers of what
 * the user edits: a server record, the shown row);
 * crm-store-sync.c: sync pages, resets, departures and the cursor;
 * crm-store-queue.c: the queue of changes and the sender's writes;
 * crm-store-conflicts.c: conflicts and their resolution;
 * crm-store-records.c: customers, contacts and list items for the views,
 * and any entity's records;
 * crm-store-unsent.c: the list of unsent changes;
 * crm-store-answers.c: the last answers of the server's reports, kept for
 * reading offline.  What more than one
 * part needs is in crm-store-private.h.
 *
 * Every statement is prepared once and takes its values as parameters.
 * The SQL text that is assembled (crm-store-entities.c, from the entity
 * table) is assembled from compiled-in constants only.
 */

#define MIGRATIONS_PATH "/org/keylinecrm/Keyline/store/sql"

G_DEFINE_FINAL_TYPE (CrmStore, crm_store, G_TYPE_OBJECT)

enum {
  CUSTOMERS_CHANGED,
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close_v2)

/* ------------------------------------------------------------------ */
/* Statements                                                          */
/* ------------------------------------------------------------------ */

/* The writer's transactions; each part has its own statements in its
 * file, and the entities' are assembled in crm-store-entities.c. */
static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

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

Changes *
changes_new (void)
{
  Changes *changes = g_new0 (Changes, 1);

  changes->customers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return changes;
}

void
changes_free (Changes *changes)
{
  if (changes == NULL)
    return;
  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    g_clear_pointer (&changes->keys[i], g_hash_table_unref);
  g_clear_pointer (&changes->customers, g_hash_table_unref);
  g_free (changes);
}

static void
add_to_set (GHashTable *set,
            const char *text)
{
  if (text != NULL && !g_hash_table_contains (set, text))
    g_hash_table_add (set, g_strdup (text));
}

void
changes_add (Changes    *changes,
             CrmEntity   entity,
             const char *key)
{
  if (changes == NULL || key == NULL)
    return;
  if (changes->keys[entity] == NULL)
    changes->keys[entity] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  add_to_set (changes->keys[entity], key);
}

void
changes_add_customer (Changes    *changes,
                      const char *customer_id)
{
  if (changes != NULL)
    add_to_set (changes->customers, customer_id);
}

/* A set's keys as a GStrv; empties it. */
static GStrv
steal_set (GHashTable *set)
{
  GStrv keys = (GStrv) g_hash_table_get_keys_as_array (set, NULL);

  g_hash_table_steal_all (set);   /* the keys now belong to the array */
  return keys;
}

/* One commit's signals: ::customers-changed (if any customer, or
 * everything), then ::changed for each entity. */
typedef struct
{
  CrmStore *store;
  gboolean  everything;
  GStrv     customers;
  GStrv     keys[CRM_N_ENTITIES];
} Emission;

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  g_object_unref (emission->store);
  g_strfreev (emission->customers);
  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    g_strfreev (emission->keys[i]);
  g_free (emission);
}

static gboolean
emit_cb (gpointer data)
{
  Emission *emission = data;

  if (emission->everything || emission->customers != NULL)
    g_signal_emit (emission->store, signals[CUSTOMERS_CHANGED], 0, emission->customers);
  for (guint i = 0; i < CRM_N_ENTITIES; i++)
    if (emission->everything || emission->keys[i] != NULL)
      {
        const char *name = crm_entity_info ((CrmEntity) i)->name;

        g_signal_emit (emission->store, signals[CHANGED], g_quark_from_static_string (name), name,
                       emission->keys[i]);
      }
  return G_SOURCE_REMOVE;
}

/* Emits the signals for @changes (NULL: everything) on the store's
 * context.  Called without the lock. */
void
crm_store_emit_changed (CrmStore *self,
                        Changes  *changes)
{
  Emission *emission = g_new0 (Emission, 1);
  gboolean any = changes == NULL;

  emission->store = g_object_ref (self);
  emission->everything = changes == NULL;
  if (changes != NULL && g_hash_table_size (changes->customers) > 0)
    {
      emission->customers = steal_set (changes->customers);
      any = TRUE;
    }
  for (guint i = 0; changes != NULL && i < CRM_N_ENTITIES; i++)
    if (changes->keys[i] != NULL && g_hash_table_size (changes->keys[i]) > 0)
      {
        emission->keys[i] = steal_set (changes->keys[i]);
        any = TRUE;
      }
  if (!any)
    {
      emission_free (emission);
      return;
    }

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
      g_source_set_static_name (source, "[crm-store] changed");
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

  crm_store_entities_init ();

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

  /**
   * CrmStore::changed:
   * @entity: the entity's wire name ("contact"), also the signal's detail
   * @keys: (nullable): the keys of its records that were added, changed
   *   or removed (a composite key as its values joined by "/", in the
   *   key's order: "customer-id/2026-01-01"), or %NULL when every record
   *   of the entity may have changed (a reset)
   *
   * Emitted after each committed change (a sync page, a reset, a local
   * edit, the server's answer to one) once for each entity whose records
   * it touched, after ::customers-changed, on the main context that was
   * the thread default when the store was opened.  Connect to
   * "changed::service_request" for one entity.
   */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRV);
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
