#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "crm-customer-item-private.h"
#include "crm-error.h"
#include "crm-store.h"
#include "crm-validate.h"
#include "crm-wire.h"

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
 *
 * Conflicts.  An update records, for each field it changes, the value the
 * shown row held before it (its base), and sends it as POST /mutations
 * "base"; a second edit of the same field is based on the first, which is
 * sent before it.  When the server answers 409 (a colleague changed one of
 * the fields first) the change is kept in state 'conflict' with the
 * server's conflicts, the server's record goes to the server layer, and the
 * change still applies on top of it: the row shows the colleague's values
 * for the other fields and the user's for the changed ones, until
 * crm_store_resolve_conflict() turns the user's choices into a new change
 * (a new key, base = theirs) in the same place of the queue, or drops it.
 * Later changes of the record wait behind a change in conflict.
 *
 * Every statement is prepared once and takes its values as parameters.
 * The SQL text that is assembled (the upserts, from the column tables
 * below) is assembled from compiled-in constants only.
 */

#define MIGRATIONS_PATH "/org/keylinecrm/Keyline/store/sql"

/* Changes still to send. */
#define ACTIVE "('pending', 'sent')"
/* Changes that show on the local row: those still to send and those in
 * conflict, which wait for the user (see "Conflicts"). */
#define SHOWN "('pending', 'sent', 'conflict')"

struct _CrmStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  GMutex        lock;
  GHashTable   *statements;   /* SQL text (static) -> sqlite3_stmt */
  sqlite3      *reader;       /* read-only; see "Threads" above */
  GMutex        read_lock;
  GHashTable   *read_statements;
  GMainContext *context;      /* where signals are emitted */
  GThread      *owner;        /* the thread that opened the store */
  guint         schema_version;
};

G_DEFINE_FINAL_TYPE (CrmStore, crm_store, G_TYPE_OBJECT)

enum {
  CUSTOMERS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close_v2)

/* A cached statement: the cleanup resets it for its next use. */
typedef sqlite3_stmt CachedStmt;

static void
cached_stmt_reset (CachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedStmt, cached_stmt_reset)

/* ------------------------------------------------------------------ */
/* The records' columns                                                */
/* ------------------------------------------------------------------ */

typedef enum
{
  COL_TEXT,
  COL_INT,
  COL_BOOL,
  COL_JSON,   /* an array, kept as JSON text */
} ColumnType;

typedef struct
{
  const char *name;
  ColumnType  type;
  gboolean    required;
} Column;

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

enum { LAYER_SHOWN, LAYER_SERVER, N_LAYERS };

typedef struct
{
  const char   *table;
  const char   *server_table;
  const Column *columns;
  guint         n_columns;
  const char   *apply_sql;        /* the writable fields of a JSON object, ?1 id, ?2 fields */
  /* assembled once from the above */
  char         *upsert_sql[N_LAYERS];
  char         *keep_server_sql;  /* copy the shown row to the server table */
  char         *values_sql[N_LAYERS];  /* the writable fields of a row as a JSON object, ?1 id */
  char         *restore_sql;      /* copy the server row to the shown table */
} Entity;

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

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_ROLLBACK[] = "ROLLBACK";
static const char SQL_READ_BEGIN[] = "BEGIN";   /* deferred: the reader's snapshot */

static const char SQL_STATE_GET[] = "SELECT value FROM sync_state WHERE key = ?1";
static const char SQL_STATE_SET[] =
  "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char SQL_STATE_DELETE[] = "DELETE FROM sync_state WHERE key = ?1";

static const char SQL_ANY_ACTIVE[] = "SELECT EXISTS (SELECT 1 FROM mutations WHERE state IN " SHOWN ")";
static const char SQL_HAS_ACTIVE[] =
  "SELECT EXISTS (SELECT 1 FROM mutations WHERE entity = ?1 AND record_id = ?2 AND state IN " SHOWN ")";
static const char SQL_ACTIVE_OF[] =
  "SELECT op, fields FROM mutations WHERE entity = ?1 AND record_id = ?2 AND state IN " SHOWN " ORDER BY seq";
static const char SQL_ACTIVE_CREATES[] =
  "SELECT record_id FROM mutations WHERE entity = 'contact' AND op = 'create' AND state IN " ACTIVE;

static const char SQL_CUSTOMER_VERSION[] = "SELECT version FROM customers WHERE id = ?1";
static const char SQL_CONTACT_VERSION[] = "SELECT version FROM contacts WHERE id = ?1";
static const char SQL_SERVER_CUSTOMER_VERSION[] = "SELECT version FROM customers_server WHERE id = ?1";
static const char SQL_SERVER_CONTACT_VERSION[] = "SELECT version FROM contacts_server WHERE id = ?1";
static const char SQL_CONTACT_CUSTOMER[] = "SELECT customer_id FROM contacts WHERE id = ?1";
static const char SQL_HAS_SERVER_CUSTOMER[] = "SELECT EXISTS (SELECT 1 FROM customers_server WHERE id = ?1)";
static const char SQL_HAS_SERVER_CONTACT[] = "SELECT EXISTS (SELECT 1 FROM contacts_server WHERE id = ?1)";

static const char SQL_DELETE_CUSTOMER[] = "DELETE FROM customers WHERE id = ?1";
static const char SQL_DELETE_SERVER_CUSTOMER[] = "DELETE FROM customers_server WHERE id = ?1";
static const char SQL_DELETE_CONTACT[] = "DELETE FROM contacts WHERE id = ?1";
static const char SQL_DELETE_SERVER_CONTACT[] = "DELETE FROM contacts_server WHERE id = ?1";
static const char SQL_DELETE_CONTACTS_OF[] = "DELETE FROM contacts WHERE customer_id = ?1";
static const char SQL_DELETE_SERVER_CONTACTS_OF[] = "DELETE FROM contacts_server WHERE customer_id = ?1";

/* A contact made here: the row the create's fields then fill in. */
static const char SQL_NEW_CONTACT[] =
  "INSERT INTO contacts (id, customer_id, name, is_primary, version)"
  " VALUES (?1, json_extract(?2, '$.customer_id'), '', 0, 0)";

static const char SQL_ENQUEUE[] =
  "INSERT INTO mutations (key, entity, op, record_id, base_version, fields, state, base)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?7)";

#define MUTATION_COLUMNS "seq, key, entity, op, record_id, base_version, fields, state, last_error, base, conflicts"
static const char SQL_MUTATION[] = "SELECT " MUTATION_COLUMNS " FROM mutations WHERE seq = ?1";
/* The oldest change to send whose record has no older change in conflict. */
static const char SQL_NEXT_MUTATION[] =
  "SELECT " MUTATION_COLUMNS " FROM mutations m WHERE state IN " ACTIVE
  " AND NOT EXISTS (SELECT 1 FROM mutations c WHERE c.state = 'conflict' AND c.entity = m.entity"
  " AND c.record_id = m.record_id AND c.seq < m.seq)"
  " ORDER BY seq LIMIT 1";
static const char SQL_ALL_MUTATIONS[] = "SELECT " MUTATION_COLUMNS " FROM mutations ORDER BY seq";
static const char SQL_MARK_SENT[] = "UPDATE mutations SET state = 'sent' WHERE seq = ?1";
static const char SQL_SET_BASE[] = "UPDATE mutations SET base = ?2 WHERE seq = ?1";
static const char SQL_MARK_FAILED[] = "UPDATE mutations SET state = 'failed', last_error = ?2 WHERE seq = ?1";
static const char SQL_DELETE_MUTATION[] = "DELETE FROM mutations WHERE seq = ?1";
static const char SQL_MARK_CONFLICT[] =
  "UPDATE mutations SET state = 'conflict', last_error = ?2, conflicts = ?3 WHERE seq = ?1";
/* A resolved conflict: a new change (new key) in the same place of the queue. */
static const char SQL_RESOLVE[] =
  "UPDATE mutations SET key = ?2, fields = ?3, base = ?4, base_version = ?5, state = 'pending',"
  " last_error = NULL, conflicts = NULL WHERE seq = ?1";
/* Later changes of the same record made on the same version were made on
 * top of the confirmed one: they now apply to the version it produced. */
static const char SQL_REBASE[] =
  "UPDATE mutations SET base_version = ?4"
  " WHERE entity = ?1 AND record_id = ?2 AND op = 'update' AND state IN " ACTIVE
  " AND base_version = ?3";

static const char SQL_RESET[] =
  "DELETE FROM customers; DELETE FROM customers_server; DELETE FROM contacts; DELETE FROM contacts_server;"
  " DELETE FROM sync_state WHERE key = 'cursor'";

/* Whether the customer (of the row being read) or one of its contacts
 * has a change in the queue: the list's mark.  The queue is short; both
 * lookups use its (entity, record_id) index. */
#define HAS_UNSENT \
  "(EXISTS (SELECT 1 FROM mutations m WHERE m.entity = 'customer' AND m.record_id = customers.id)" \
  " OR EXISTS (SELECT 1 FROM mutations m JOIN contacts c ON c.id = m.record_id" \
  " WHERE m.entity = 'contact' AND c.customer_id = customers.id))"
#define ITEM_COLUMNS \
  "id, name, name_en, tier, industry, region_id, region_name, owner_id, owner_name, status," \
  " monthly_revenue, version, " HAS_UNSENT
static const char SQL_ITEMS[] = "SELECT " ITEM_COLUMNS " FROM customers";
static const char SQL_ITEM[] = "SELECT " ITEM_COLUMNS " FROM customers WHERE id = ?1";

static const char SQL_CUSTOMER[] =
  "SELECT id, name, name_en, kind, industry, region_id, region_name, tier, owner_id, owner_name, status,"
  " monthly_revenue, arrears, churn_risk, version, updated_at, credit_rating, registration_no, address,"
  " phone, value_segment, prefers, churn_reasons, became_customer, churned_on, churn_reason, created_at"
  " FROM customers WHERE id = ?1";
static const char SQL_CONTACTS_OF[] =
  "SELECT id, customer_id, name, title, mobile, email, id_number, address, is_primary, version, updated_at"
  " FROM contacts WHERE customer_id = ?1";

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static gboolean
sqlite_error (CrmStore    *self,
              GError     **error,
              const char  *doing)
{
  g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Local store (%s): %s: %s",
               self->path, doing, sqlite3_errmsg (self->db));
  return FALSE;
}

/* The cached statement for @sql, which must be a string that lives for
 * the program (a constant or an assembled statement above). */
static CachedStmt *
stmt (CrmStore    *self,
      const char  *sql,
      GError     **error)
{
  sqlite3_stmt *s = g_hash_table_lookup (self->statements, sql);

  if (s == NULL)
    {
      if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        {
          sqlite_error (self, error, "preparing a statement");
          return NULL;
        }
      g_hash_table_insert (self->statements, (gpointer) sql, s);
    }
  return s;
}

static gboolean
read_error (CrmStore    *self,
            GError     **error,
            const char  *doing)
{
  g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Local store (%s): %s: %s",
               self->path, doing, sqlite3_errmsg (self->reader));
  return FALSE;
}

/* The reader's cached statement for @sql (as stmt()); hold read_lock. */
static CachedStmt *
read_stmt (CrmStore    *self,
           const char  *sql,
           GError     **error)
{
  sqlite3_stmt *s = g_hash_table_lookup (self->read_statements, sql);

  if (s == NULL)
    {
      if (sqlite3_prepare_v3 (self->reader, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        {
          read_error (self, error, "preparing a statement");
          return NULL;
        }
      g_hash_table_insert (self->read_statements, (gpointer) sql, s);
    }
  return s;
}

/* Runs @sql (BEGIN, COMMIT or ROLLBACK) on the reader: the statements in
 * between read one snapshot. */
static gboolean
read_exec (CrmStore    *self,
           const char  *sql,
           GError     **error)
{
  g_autoptr(CachedStmt) s = read_stmt (self, sql, error);

  if (s == NULL)
    return FALSE;
  if (sqlite3_step (s) != SQLITE_DONE)
    return read_error (self, error, "reading");
  return TRUE;
}

/* Ends the reader's transaction, if one is open. */
static void
read_end (CrmStore *self)
{
  g_autoptr(GError) error = NULL;

  if (sqlite3_get_autocommit (self->reader) == 0 && !read_exec (self, SQL_ROLLBACK, &error))
    g_warning ("%s", error->message);
}

/* A row made into a record, or NULL with @error set. */
typedef gpointer (*RowFunc) (sqlite3_stmt  *s,
                             GError       **error);

/* Every row of @sql, through the reader, made into records by @from_row;
 * NULL with @error set on failure. */
static GPtrArray *
read_list (CrmStore       *self,
           const char     *sql,
           RowFunc         from_row,
           GDestroyNotify  free_func,
           GError        **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_func);
  gboolean ok = FALSE;

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(CachedStmt) s = read_stmt (self, sql, error);
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
          read_error (self, error, "reading the queue");
      }
  }
  g_mutex_unlock (&self->read_lock);
  return ok ? g_steal_pointer (&list) : NULL;
}

/* Steps a statement that returns no row. */
static gboolean
step_done (CrmStore     *self,
           sqlite3_stmt *s,
           GError      **error)
{
  int rc = sqlite3_step (s);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return sqlite_error (self, error, "writing");
  return TRUE;
}

/* Runs @sql (a constant) with up to two text parameters. */
static gboolean
exec2 (CrmStore    *self,
       const char  *sql,
       const char  *p1,
       const char  *p2,
       GError     **error)
{
  g_autoptr(CachedStmt) s = stmt (self, sql, error);

  if (s == NULL)
    return FALSE;
  if (p1)
    sqlite3_bind_text (s, 1, p1, -1, SQLITE_TRANSIENT);
  if (p2)
    sqlite3_bind_text (s, 2, p2, -1, SQLITE_TRANSIENT);
  return step_done (self, s, error);
}

/* The integer of a one-row, one-column query with one text parameter;
 * @missing when there is no row. */
static gboolean
query_int (CrmStore    *self,
           const char  *sql,
           const char  *p1,
           const char  *p2,
           gint64       missing,
           gint64      *out,
           GError     **error)
{
  g_autoptr(CachedStmt) s = stmt (self, sql, error);
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
    return sqlite_error (self, error, "reading");
  return TRUE;
}

static char *
column_dup (sqlite3_stmt *s,
            int           column)
{
  if (sqlite3_column_type (s, column) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (s, column));
}

static gboolean
begin (CrmStore  *self,
       GError   **error)
{
  return exec2 (self, SQL_BEGIN, NULL, NULL, error);
}

static gboolean
commit (CrmStore  *self,
        GError   **error)
{
  return exec2 (self, SQL_COMMIT, NULL, NULL, error);
}

static void
rollback (CrmStore *self)
{
  g_autoptr(GError) error = NULL;

  if (sqlite3_get_autocommit (self->db) == 0 && !exec2 (self, SQL_ROLLBACK, NULL, NULL, &error))
    g_warning ("%s", error->message);
}

static JsonObject *
parse_object (const char  *text,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED, "Not a JSON object: %s", text);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static JsonArray *
parse_array (const char  *text,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED, "Not a JSON array: %s", text);
      return NULL;
    }
  return json_array_ref (json_node_get_array (root));
}

static char *
array_to_text (JsonArray *array)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);

  return json_to_string (node, FALSE);
}

static char *
object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
add_changed (GHashTable *changed,
             const char *customer_id)
{
  if (changed != NULL && customer_id != NULL && !g_hash_table_contains (changed, customer_id))
    g_hash_table_add (changed, g_strdup (customer_id));
}

static GHashTable *
changed_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
static void
emit_changed (CrmStore   *self,
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
/* Records from the server                                             */
/* ------------------------------------------------------------------ */

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
  const Entity *e = &entities[entity];
  g_autoptr(CachedStmt) s = stmt (self, e->upsert_sql[layer], error);

  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < e->n_columns; i++)
    if (!bind_member (s, (int) i + 1, record, &e->columns[i], error))
      return FALSE;
  if (!step_done (self, s, error))
    return FALSE;
  *written = sqlite3_changes (self->db) > 0;
  return TRUE;
}

static gboolean
apply_fields (CrmStore    *self,
              CrmEntity    entity,
              const char  *id,
              const char  *fields_text,
              GError     **error)
{
  return exec2 (self, entities[entity].apply_sql, id, fields_text, error);
}

static gboolean
contact_customer (CrmStore    *self,
                  const char  *contact_id,
                  char       **customer_id,
                  GError     **error)
{
  g_autoptr(CachedStmt) s = stmt (self, SQL_CONTACT_CUSTOMER, error);
  int rc;

  *customer_id = NULL;
  if (s == NULL)
    return FALSE;
  sqlite3_bind_text (s, 1, contact_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    *customer_id = column_dup (s, 0);
  else if (rc != SQLITE_DONE)
    return sqlite_error (self, error, "reading");
  return TRUE;
}

/* The customer a record belongs to, as the shown table has it now. */
static gboolean
note_changed (CrmStore    *self,
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
static gboolean
rebuild (CrmStore    *self,
         CrmEntity    entity,
         const char  *id,
         GHashTable  *changed,
         GError     **error)
{
  const Entity *e = &entities[entity];
  const char *entity_name = crm_entity_names[entity];
  gint64 has_server = 0;
  gint64 version = -1;
  gboolean any = FALSE;

  if (!note_changed (self, entity, id, changed, error))
    return FALSE;
  if (!query_int (self, entity == CRM_ENTITY_CUSTOMER ? SQL_HAS_SERVER_CUSTOMER : SQL_HAS_SERVER_CONTACT,
                  id, NULL, 0, &has_server, error) ||
      !query_int (self, entity == CRM_ENTITY_CUSTOMER ? SQL_CUSTOMER_VERSION : SQL_CONTACT_VERSION,
                  id, NULL, -1, &version, error))
    return FALSE;

  if (has_server)
    {
      if (!exec2 (self, entity == CRM_ENTITY_CUSTOMER ? SQL_DELETE_CUSTOMER : SQL_DELETE_CONTACT, id, NULL, error) ||
          !exec2 (self, e->restore_sql, id, NULL, error))
        return FALSE;
    }
  else if (version > 0)
    return TRUE;   /* the shown row is the server's record: nothing queued on it */
  else if (version == 0 && !exec2 (self, SQL_DELETE_CONTACT, id, NULL, error))
    return FALSE;  /* made here, never confirmed: only its create brings it back */

  {
    g_autoptr(CachedStmt) s = stmt (self, SQL_ACTIVE_OF, error);
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
      return sqlite_error (self, error, "reading the queue");
    cached_stmt_reset (s);

    for (guint i = 0; i < ops->len; i++)
      {
        any = TRUE;
        if (g_str_equal (ops->pdata[i], "create"))
          {
            gint64 now = -1;

            if (!query_int (self, SQL_CONTACT_VERSION, id, NULL, -1, &now, error))
              return FALSE;
            if (now < 0 && !exec2 (self, SQL_NEW_CONTACT, id, fields->pdata[i], error))
              return FALSE;
          }
        if (!apply_fields (self, entity, id, fields->pdata[i], error))
          return FALSE;
      }
  }

  if (!any && has_server &&
      !exec2 (self, entity == CRM_ENTITY_CUSTOMER ? SQL_DELETE_SERVER_CUSTOMER : SQL_DELETE_SERVER_CONTACT,
              id, NULL, error))
    return FALSE;
  return note_changed (self, entity, id, changed, error);
}

static gboolean store_server_record (CrmStore    *self,
                                     CrmEntity    entity,
                                     JsonObject  *record,
                                     gboolean     any_active,
                                     GHashTable  *changed,
                                     GError     **error);

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
      if (!store_server_record (self, CRM_ENTITY_CONTACT, json_node_get_object (element), any_active, changed, error))
        return FALSE;
    }
  return TRUE;
}

/* Stores a record the server sent (a sync page, a mutation's answer).
 * @any_active: whether the queue has pending or sent changes at all. */
static gboolean
store_server_record (CrmStore    *self,
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
      (!query_int (self, SQL_HAS_ACTIVE, crm_entity_names[entity], id, 0, &queued, error) ||
       !query_int (self, entity == CRM_ENTITY_CUSTOMER ? SQL_HAS_SERVER_CUSTOMER : SQL_HAS_SERVER_CONTACT,
                   id, NULL, 0, &has_server, error)))
    return FALSE;

  if (entity == CRM_ENTITY_CUSTOMER && !store_embedded_contacts (self, record, any_active, changed, error))
    return FALSE;

  if (queued || has_server)
    {
      /* the server layer, then the shown row again */
      if (!upsert (self, entity, LAYER_SERVER, record, &written, error))
        return FALSE;
      return !written || rebuild (self, entity, id, changed, error);
    }

  /* A contact moving to another customer changes both. */
  if (entity == CRM_ENTITY_CONTACT && !contact_customer (self, id, &before, error))
    return FALSE;
  if (!upsert (self, entity, LAYER_SHOWN, record, &written, error))
    return FALSE;
  if (!written)
    return TRUE;
  add_changed (changed, before);
  return note_changed (self, entity, id, changed, error);
}

static gboolean
remove_record (CrmStore    *self,
               JsonObject  *departure,
               GHashTable  *changed,
               GError     **error)
{
  const char *entity = string_member (departure, "entity");
  const char *id = string_member (departure, "id");
  const char *customer_id = string_member (departure, "customer_id");

  if (id == NULL || entity == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "removed", "A removal without entity or id");
      return FALSE;
    }
  if (g_str_equal (entity, "customer"))
    {
      add_changed (changed, id);
      return exec2 (self, SQL_DELETE_CUSTOMER, id, NULL, error) &&
             exec2 (self, SQL_DELETE_SERVER_CUSTOMER, id, NULL, error) &&
             exec2 (self, SQL_DELETE_CONTACTS_OF, id, NULL, error) &&
             exec2 (self, SQL_DELETE_SERVER_CONTACTS_OF, id, NULL, error);
    }
  if (g_str_equal (entity, "contact"))
    {
      add_changed (changed, customer_id);
      return note_changed (self, CRM_ENTITY_CONTACT, id, changed, error) &&
             exec2 (self, SQL_DELETE_CONTACT, id, NULL, error) &&
             exec2 (self, SQL_DELETE_SERVER_CONTACT, id, NULL, error);
    }
  crm_set_field_error (error, CRM_ERROR_MALFORMED, "removed", "A removal of an unknown entity %s", entity);
  return FALSE;
}

static gboolean
set_state (CrmStore    *self,
           const char  *key,
           const char  *value,
           GError     **error)
{
  if (value == NULL)
    return exec2 (self, SQL_STATE_DELETE, key, NULL, error);
  return exec2 (self, SQL_STATE_SET, key, value, error);
}

static char *
dup_state (CrmStore   *self,
           const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CachedStmt) s = NULL;
  char *value = NULL;

  g_mutex_lock (&self->read_lock);
  s = read_stmt (self, SQL_STATE_GET, &error);
  if (s != NULL)
    {
      sqlite3_bind_text (s, 1, key, -1, SQLITE_STATIC);
      if (sqlite3_step (s) == SQLITE_ROW)
        value = column_dup (s, 0);
      cached_stmt_reset (g_steal_pointer (&s));
    }
  g_mutex_unlock (&self->read_lock);
  if (error != NULL)
    g_warning ("%s", error->message);
  return value;
}

static gboolean
reset_locked (CrmStore  *self,
              GError   **error)
{
  g_autoptr(GPtrArray) creates = g_ptr_array_new_with_free_func (g_free);

  if (sqlite3_exec (self->db, SQL_RESET, NULL, NULL, NULL) != SQLITE_OK)
    return sqlite_error (self, error, "resetting");

  /* Contacts made here and not yet sent stay visible. */
  {
    g_autoptr(CachedStmt) s = stmt (self, SQL_ACTIVE_CREATES, error);
    int rc;

    if (s == NULL)
      return FALSE;
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
      g_ptr_array_add (creates, column_dup (s, 0));
    if (rc != SQLITE_DONE)
      return sqlite_error (self, error, "reading the queue");
  }
  for (guint i = 0; i < creates->len; i++)
    {
      gint64 present = -1;

      if (!query_int (self, SQL_CONTACT_VERSION, creates->pdata[i], NULL, -1, &present, error))
        return FALSE;
      if (present < 0 && !rebuild (self, CRM_ENTITY_CONTACT, creates->pdata[i], NULL, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
array_member (JsonObject  *page,
              const char  *name,
              JsonArray  **array,
              GError     **error)
{
  JsonNode *node = json_object_get_member (page, name);

  *array = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, name, "%s is not an array", name);
      return FALSE;
    }
  *array = json_node_get_array (node);
  return TRUE;
}

static gboolean
apply_records (CrmStore    *self,
               CrmEntity    entity,
               JsonArray   *array,
               gboolean     any_active,
               GHashTable  *changed,
               GError     **error)
{
  guint n = array ? json_array_get_length (array) : 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, entity == CRM_ENTITY_CUSTOMER ? "customers" : "contacts",
                               "A record that is not an object");
          return FALSE;
        }
      if (!store_server_record (self, entity, json_node_get_object (node), any_active, changed, error))
        return FALSE;
    }
  return TRUE;
}

/* One page in one transaction.  *reset is set when the page said so;
 * @changed then means nothing (everything changed). */
static gboolean
apply_page (CrmStore    *self,
            JsonObject  *page,
            GHashTable  *changed,
            gboolean    *reset,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = g_date_time_format_iso8601 (now);
  JsonArray *customers, *contacts, *removed;
  JsonNode *cursor;
  gint64 any_active = 0;

  {
    JsonNode *node = json_object_get_member (page, "reset");

    *reset = node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
             json_node_get_boolean (node);
  }
  cursor = json_object_get_member (page, "cursor");
  if (!array_member (page, "customers", &customers, error) ||
      !array_member (page, "contacts", &contacts, error) ||
      !array_member (page, "removed", &removed, error))
    return FALSE;
  if (cursor != NULL && !JSON_NODE_HOLDS_NULL (cursor) &&
      !(JSON_NODE_HOLDS_VALUE (cursor) && json_node_get_value_type (cursor) == G_TYPE_STRING))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "cursor", "cursor is not a string");
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  if (!begin (self, error))
    goto failed;
  if (*reset && !reset_locked (self, error))
    goto failed;
  if (!query_int (self, SQL_ANY_ACTIVE, NULL, NULL, 0, &any_active, error) ||
      !apply_records (self, CRM_ENTITY_CUSTOMER, customers, any_active, changed, error) ||
      !apply_records (self, CRM_ENTITY_CONTACT, contacts, any_active, changed, error))
    goto failed;
  for (guint i = 0; removed && i < json_array_get_length (removed); i++)
    {
      JsonNode *node = json_array_get_element (removed, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, "removed", "A removal that is not an object");
          goto failed;
        }
      if (!remove_record (self, json_node_get_object (node), changed, error))
        goto failed;
    }
  if (!set_state (self, "cursor", cursor && !JSON_NODE_HOLDS_NULL (cursor) ? json_node_get_string (cursor) : NULL,
                  error) ||
      !set_state (self, "last_sync", now_text, error) ||
      !commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);
  return TRUE;

failed:
  rollback (self);
  g_mutex_unlock (&self->lock);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* The queue                                                           */
/* ------------------------------------------------------------------ */

/* Checks @fields against the shared field rules (as the server will). */
static gboolean
check_fields (CrmEntity       entity,
              CrmMutationOp   op,
              JsonObject     *fields,
              GError        **error)
{
  return crm_fields_check_object (entity, op == CRM_MUTATION_OP_CREATE, fields, error);
}

static CrmMutation *
mutation_from_row (sqlite3_stmt  *s,
                   GError       **error)
{
  g_autoptr(CrmMutation) m = crm_mutation_new ();
  const char *entity = (const char *) sqlite3_column_text (s, 2);
  const char *op = (const char *) sqlite3_column_text (s, 3);
  const char *state = (const char *) sqlite3_column_text (s, 7);

  m->seq = sqlite3_column_int64 (s, 0);
  m->key = column_dup (s, 1);
  m->entity = g_strcmp0 (entity, "contact") == 0 ? CRM_ENTITY_CONTACT : CRM_ENTITY_CUSTOMER;
  m->op = g_strcmp0 (op, "create") == 0 ? CRM_MUTATION_OP_CREATE : CRM_MUTATION_OP_UPDATE;
  m->record_id = column_dup (s, 4);
  m->base_version = sqlite3_column_int64 (s, 5);
  m->fields = parse_object ((const char *) sqlite3_column_text (s, 6), error);
  if (m->fields == NULL)
    return NULL;
  if (sqlite3_column_type (s, 9) != SQLITE_NULL &&
      (m->base = parse_object ((const char *) sqlite3_column_text (s, 9), error)) == NULL)
    return NULL;
  if (sqlite3_column_type (s, 10) != SQLITE_NULL &&
      (m->conflicts = parse_array ((const char *) sqlite3_column_text (s, 10), error)) == NULL)
    return NULL;
  if (g_strcmp0 (state, "failed") == 0)
    m->state = CRM_MUTATION_FAILED;
  else if (g_strcmp0 (state, "conflict") == 0)
    m->state = CRM_MUTATION_CONFLICT;
  else if (g_strcmp0 (state, "sent") == 0)
    m->state = CRM_MUTATION_SENT;
  else
    m->state = CRM_MUTATION_PENDING;
  m->last_error = column_dup (s, 8);
  return g_steal_pointer (&m);
}

/* The mutation @seq, or NULL with CRM_ERROR_NOT_FOUND. */
static CrmMutation *
get_mutation (CrmStore  *self,
              gint64     seq,
              GError   **error)
{
  g_autoptr(CachedStmt) s = stmt (self, SQL_MUTATION, error);
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_int64 (s, 1, seq);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    return mutation_from_row (s, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND, "No queued change %" G_GINT64_FORMAT, seq);
  else
    sqlite_error (self, error, "reading the queue");
  return NULL;
}

/* The writable fields of a record's row in @layer as a JSON object, or
 * NULL (without error) when the layer has no row. */
static JsonObject *
row_values (CrmStore    *self,
            CrmEntity    entity,
            guint        layer,
            const char  *id,
            GError     **error)
{
  g_autoptr(CachedStmt) s = stmt (self, entities[entity].values_sql[layer], error);
  int rc;

  if (s == NULL)
    return NULL;
  sqlite3_bind_text (s, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (s);
  if (rc == SQLITE_ROW)
    return parse_object ((const char *) sqlite3_column_text (s, 0), error);
  if (rc != SQLITE_DONE)
    sqlite_error (self, error, "reading a row");
  return NULL;
}

/* For each member of @fields, its value in @values (JSON null if none). */
static JsonObject *
pick_values (JsonObject *fields,
             JsonObject *values)
{
  g_autoptr(GList) names = json_object_get_members (fields);
  JsonObject *picked = json_object_new ();

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *value = values ? json_object_get_member (values, l->data) : NULL;

      json_object_set_member (picked, l->data, value ? json_node_copy (value) : json_node_new (JSON_NODE_NULL));
    }
  return picked;
}

/* Queues a change and applies it to the shown row, inside the caller's
 * transaction and lock.  An update records each field's base: the value
 * the shown row holds before the change. */
static CrmMutation *
enqueue_locked (CrmStore       *self,
                CrmEntity       entity,
                CrmMutationOp   op,
                const char     *id,
                JsonObject     *fields,
                GHashTable     *changed,
                GError        **error)
{
  g_autofree char *fields_text = object_to_text (fields);
  g_autofree char *base_text = NULL;
  g_autofree char *key = g_uuid_string_random ();
  const Entity *e = &entities[entity];
  gint64 version = -1;

  if (op == CRM_MUTATION_OP_CREATE)
    {
      gint64 parent = -1;

      if (!query_int (self, SQL_CUSTOMER_VERSION, string_member (fields, "customer_id"), NULL, -1, &parent, error))
        return NULL;
      if (parent < 0)
        {
          crm_set_field_error (error, CRM_ERROR_NOT_FOUND, "customer_id", "No such customer here");
          return NULL;
        }
      if (!exec2 (self, SQL_NEW_CONTACT, id, fields_text, error))
        return NULL;
    }
  else
    {
      g_autoptr(JsonObject) values = NULL;
      g_autoptr(JsonObject) base = NULL;

      if (!query_int (self, entity == CRM_ENTITY_CUSTOMER ? SQL_CUSTOMER_VERSION : SQL_CONTACT_VERSION,
                      id, NULL, -1, &version, error))
        return NULL;
      if (version < 0)
        {
          crm_set_field_error (error, CRM_ERROR_NOT_FOUND, "id", "No such %s here", crm_entity_names[entity]);
          return NULL;
        }
      values = row_values (self, entity, LAYER_SHOWN, id, error);
      if (values == NULL)
        return NULL;
      base = pick_values (fields, values);
      base_text = object_to_text (base);
      /* keep the server's record while the change is unconfirmed */
      if (!exec2 (self, e->keep_server_sql, id, NULL, error))
        return NULL;
    }

  if (!apply_fields (self, entity, id, fields_text, error))
    return NULL;

  {
    g_autoptr(CachedStmt) s = stmt (self, SQL_ENQUEUE, error);

    if (s == NULL)
      return NULL;
    sqlite3_bind_text (s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 2, crm_entity_names[entity], -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 3, crm_mutation_op_to_string (op), -1, SQLITE_STATIC);
    sqlite3_bind_text (s, 4, id, -1, SQLITE_STATIC);
    if (op == CRM_MUTATION_OP_UPDATE)
      sqlite3_bind_int64 (s, 5, version);
    else
      sqlite3_bind_null (s, 5);
    sqlite3_bind_text (s, 6, fields_text, -1, SQLITE_STATIC);
    if (base_text != NULL)
      sqlite3_bind_text (s, 7, base_text, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null (s, 7);
    if (!step_done (self, s, error))
      return NULL;
  }
  if (!note_changed (self, entity, id, changed, error))
    return NULL;
  return get_mutation (self, sqlite3_last_insert_rowid (self->db), error);
}

/* Queues a change and applies it to the shown row, in one transaction. */
static CrmMutation *
enqueue (CrmStore       *self,
         CrmEntity       entity,
         CrmMutationOp   op,
         const char     *id,
         JsonObject     *fields,
         GError        **error)
{
  g_autoptr(GHashTable) changed = changed_set_new ();
  g_autoptr(CrmMutation) mutation = NULL;

  g_mutex_lock (&self->lock);
  if (!begin (self, error))
    goto failed;
  mutation = enqueue_locked (self, entity, op, id, fields, changed, error);
  if (mutation == NULL || !commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);

  emit_changed (self, changed);
  return g_steal_pointer (&mutation);

failed:
  rollback (self);
  g_mutex_unlock (&self->lock);
  return NULL;
}

typedef enum
{
  OUTCOME_REMOVE,     /* applied, or given up */
  OUTCOME_FAIL,       /* refused: kept as failed, no longer shown */
  OUTCOME_CONFLICT,   /* kept in conflict, still shown */
} Outcome;

/* Marks @seq failed or in conflict with @reason (and @conflicts). */
static gboolean
mark (CrmStore    *self,
      gint64       seq,
      Outcome      how,
      const char  *reason,
      JsonArray   *conflicts,
      GError     **error)
{
  g_autoptr(CachedStmt) s = stmt (self, how == OUTCOME_CONFLICT ? SQL_MARK_CONFLICT
                                        : how == OUTCOME_FAIL ? SQL_MARK_FAILED : SQL_DELETE_MUTATION, error);
  g_autofree char *conflicts_text = conflicts ? array_to_text (conflicts) : NULL;

  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, seq);
  if (how != OUTCOME_REMOVE)
    sqlite3_bind_text (s, 2, reason, -1, SQLITE_STATIC);
  if (how == OUTCOME_CONFLICT)
    sqlite3_bind_text (s, 3, conflicts_text ? conflicts_text : "[]", -1, SQLITE_TRANSIENT);
  return step_done (self, s, error);
}

/* After the server's answer to mutation @seq: removes it, marks it failed
 * or in conflict with @reason, stores @record if any, rebuilds the shown
 * row. */
static gboolean
settle (CrmStore    *self,
        gint64       seq,
        Outcome      how,
        const char  *reason,
        JsonObject  *record,
        JsonArray   *conflicts,
        GError     **error)
{
  g_autoptr(GHashTable) changed = changed_set_new ();
  g_autoptr(CrmMutation) m = NULL;
  gboolean remove = how == OUTCOME_REMOVE;
  const char *record_id;

  g_mutex_lock (&self->lock);
  if (!begin (self, error))
    goto failed;
  m = get_mutation (self, seq, error);
  if (m == NULL)
    goto failed;
  record_id = record ? string_member (record, "id") : NULL;
  if (record_id != NULL && !g_str_equal (record_id, m->record_id))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "id", "The record is not the one the change was made to");
      goto failed;
    }

  if (!mark (self, seq, how, reason, conflicts, error))
    goto failed;

  if (remove && record != NULL)
    {
      JsonNode *version = json_object_get_member (record, "version");
      g_autoptr(CachedStmt) s = stmt (self, SQL_REBASE, error);

      if (s == NULL)
        goto failed;
      if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) || json_node_get_value_type (version) != G_TYPE_INT64)
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, "version", "A record without a version");
          goto failed;
        }
      sqlite3_bind_text (s, 1, crm_entity_names[m->entity], -1, SQLITE_STATIC);
      sqlite3_bind_text (s, 2, m->record_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (s, 3, m->base_version);
      sqlite3_bind_int64 (s, 4, json_node_get_int (version));
      if (!step_done (self, s, error))
        goto failed;
    }

  if (record != NULL && !store_server_record (self, m->entity, record, TRUE, changed, error))
    goto failed;
  /* whatever the record did, the settled change no longer shows (or, in
   * conflict, shows on the server's current record) */
  if (!rebuild (self, m->entity, m->record_id, changed, error) ||
      !commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);

  emit_changed (self, changed);
  return TRUE;

failed:
  rollback (self);
  g_mutex_unlock (&self->lock);
  return FALSE;
}

/* An update queued before the store recorded bases (schema 1) has none:
 * it is based on the server layer's row, the last values the server
 * confirmed, so that the server can take it (or answer a conflict). */
static gboolean
fill_missing_base (CrmStore     *self,
                   CrmMutation  *m,
                   GError      **error)
{
  g_autoptr(JsonObject) server = NULL;
  g_autoptr(CachedStmt) s = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *base_text = NULL;

  if (m->op != CRM_MUTATION_OP_UPDATE || m->base != NULL)
    return TRUE;
  server = row_values (self, m->entity, LAYER_SERVER, m->record_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  m->base = pick_values (m->fields, server);
  base_text = object_to_text (m->base);
  s = stmt (self, SQL_SET_BASE, error);
  if (s == NULL)
    return FALSE;
  sqlite3_bind_int64 (s, 1, m->seq);
  sqlite3_bind_text (s, 2, base_text, -1, SQLITE_STATIC);
  return step_done (self, s, error);
}

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

  server = row_values (self, m->entity, LAYER_SERVER, m->record_id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!query_int (self, m->entity == CRM_ENTITY_CUSTOMER ? SQL_SERVER_CUSTOMER_VERSION : SQL_SERVER_CONTACT_VERSION,
                  m->record_id, NULL, m->base_version, &version, error))
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
    return mark (self, m->seq, OUTCOME_REMOVE, NULL, NULL, error);

  {
    g_autoptr(CachedStmt) s = stmt (self, SQL_RESOLVE, error);
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
    if (!step_done (self, s, error))
      return FALSE;
  }
  *resolved = get_mutation (self, m->seq, error);
  return *resolved != NULL;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

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
  return item;
}

static void
item_unref0 (gpointer item)
{
  if (item != NULL)
    g_object_unref (item);
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

  if (!query_int (self, "PRAGMA user_version", NULL, NULL, 0, &current, error))
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

/**
 * crm_store_apply_sync_page:
 * @page: one answer of GET /api/v1/sync
 *
 * Applies the page in one transaction: upserts its "customers" and
 * "contacts" (an older version than the one held is ignored), removes the
 * "removed" ones (a customer with its contacts), stores "cursor".  A page
 * with "reset": true first drops every local row and the cursor (the
 * queue stays).  Blocking: the app calls the _async version.
 */
gboolean
crm_store_apply_sync_page (CrmStore    *self,
                           JsonObject  *page,
                           GError     **error)
{
  g_autoptr(GHashTable) changed = changed_set_new ();
  gboolean reset = FALSE;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!apply_page (self, page, changed, &reset, error))
    return FALSE;
  emit_changed (self, reset ? NULL : changed);
  return TRUE;
}

typedef struct
{
  GHashTable *changed;
  gboolean    reset;
} PageResult;

static void
page_result_free (gpointer data)
{
  PageResult *result = data;

  g_clear_pointer (&result->changed, g_hash_table_unref);
  g_free (result);
}

static void
apply_sync_page_thread (GTask        *worker,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  CrmStore *self = source_object;
  JsonObject *page = task_data;
  PageResult *result;
  GError *error = NULL;
  gboolean applied;

  if (g_task_return_error_if_cancelled (worker))
    return;
  result = g_new0 (PageResult, 1);
  result->changed = changed_set_new ();
  applied = apply_page (self, page, result->changed, &result->reset, &error);
  /* The page is let go here rather than where the task ends, on the
   * caller's main thread: when nobody else holds it (the sync engine does
   * not), a thousand records are freed in this thread. */
  g_task_set_task_data (worker, NULL, NULL);
  if (!applied)
    {
      page_result_free (result);
      g_task_return_error (worker, error);
      return;
    }
  g_task_return_pointer (worker, result, page_result_free);
}

/* Back on the caller's context: the signal first, then the caller. */
static void
sync_page_applied_cb (GObject      *source,
                      GAsyncResult *res,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CrmStore *self = CRM_STORE (source);
  PageResult *result;
  GError *error = NULL;

  result = g_task_propagate_pointer (G_TASK (res), &error);
  if (result == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  emit_changed (self, result->reset ? NULL : result->changed);
  page_result_free (result);
  g_task_return_boolean (task, TRUE);
}

/**
 * crm_store_apply_sync_page_async:
 *
 * Applies @page in a worker thread (g_task_run_in_thread).  @page is
 * referenced and read from that thread, and released there: do not
 * change it until the callback.  ::customers-changed is emitted before
 * @callback runs.
 */
void
crm_store_apply_sync_page_async (CrmStore            *self,
                                 JsonObject          *page,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) worker = NULL;

  g_return_if_fail (CRM_IS_STORE (self));
  g_return_if_fail (page != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_store_apply_sync_page_async);

  worker = g_task_new (self, cancellable, sync_page_applied_cb, g_object_ref (task));
  g_task_set_source_tag (worker, apply_sync_page_thread);
  g_task_set_task_data (worker, json_object_ref (page), (GDestroyNotify) json_object_unref);
  g_task_run_in_thread (worker, apply_sync_page_thread);
}

gboolean
crm_store_apply_sync_page_finish (CrmStore      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_store_apply_sync_page_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_store_reset:
 *
 * Drops every local customer and contact and the sync cursor, for when
 * the server answers "reset": true; the next sync starts over.  The queue
 * of unsent changes stays (contacts made here stay visible); the changes
 * show again on the rows as they come back.
 */
gboolean
crm_store_reset (CrmStore  *self,
                 GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (!begin (self, error) || !reset_locked (self, error) || !commit (self, error))
    {
      rollback (self);
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  g_mutex_unlock (&self->lock);
  emit_changed (self, NULL);
  return TRUE;
}

/* The server's opaque sync cursor, or NULL before the first page. */
char *
crm_store_dup_cursor (CrmStore *self)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);

  return dup_state (self, "cursor");
}

/* When the last sync page was applied, or NULL. */
GDateTime *
crm_store_dup_last_sync (CrmStore *self)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);

  text = dup_state (self, "last_sync");
  return text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;
}

/**
 * crm_store_enqueue_update:
 * @entity: customer or contact
 * @id: the record's id
 * @changed_fields: the changed fields and their new values (as POST
 *   /mutations "fields"); checked with the shared field rules
 *
 * Queues the change with a fresh idempotency key and the record's local
 * version as base_version, and applies it to the local row at once, in one
 * transaction.  Returns the queued mutation, or %NULL (CRM_ERROR_INVALID
 * naming the field, CRM_ERROR_NOT_FOUND for an unknown record).
 */
CrmMutation *
crm_store_enqueue_update (CrmStore    *self,
                          CrmEntity    entity,
                          const char  *id,
                          JsonObject  *changed_fields,
                          GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (changed_fields != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_fields (entity, CRM_MUTATION_OP_UPDATE, changed_fields, error))
    return NULL;
  return enqueue (self, entity, CRM_MUTATION_OP_UPDATE, id, changed_fields, error);
}

/**
 * crm_store_enqueue_create_contact:
 * @customer_id: the customer the contact belongs to
 * @fields: the contact's fields (name, title, mobile, email, address,
 *   is_primary)
 *
 * Makes a contact with a new id here (version 0 until the server confirms
 * it) and queues its creation.  Returns the queued mutation; its
 * record_id is the new contact's id.
 */
CrmMutation *
crm_store_enqueue_create_contact (CrmStore    *self,
                                  const char  *customer_id,
                                  JsonObject  *fields,
                                  GError     **error)
{
  g_autoptr(JsonObject) all = json_object_new ();
  g_autoptr(GList) names = NULL;
  g_autofree char *id = g_uuid_string_random ();

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (customer_id != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  names = json_object_get_members (fields);
  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (all, l->data, json_node_copy (json_object_get_member (fields, l->data)));
  json_object_set_string_member (all, "customer_id", customer_id);
  if (!json_object_has_member (all, "is_primary"))
    json_object_set_boolean_member (all, "is_primary", FALSE);

  if (!check_fields (CRM_ENTITY_CONTACT, CRM_MUTATION_OP_CREATE, all, error))
    return NULL;
  return enqueue (self, CRM_ENTITY_CONTACT, CRM_MUTATION_OP_CREATE, id, all, error);
}

/**
 * crm_store_enqueue_updates:
 * @updates: (array length=n_updates): the changes of one save (a customer
 *   and its contacts, say)
 *
 * Queues several updates as one unit: in one transaction, so that either
 * every change is queued and shows locally, or (on any error: a field
 * refused by the shared rules, an unknown record) none is.  Returns the
 * queued mutations in the order of @updates, or %NULL.
 */
GPtrArray *
crm_store_enqueue_updates (CrmStore              *self,
                           const CrmStoreUpdate  *updates,
                           guint                  n_updates,
                           GError               **error)
{
  g_autoptr(GPtrArray) mutations = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_mutation_unref);
  g_autoptr(GHashTable) changed = changed_set_new ();

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (updates != NULL || n_updates == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint i = 0; i < n_updates; i++)
    {
      g_return_val_if_fail ((guint) updates[i].entity < CRM_N_ENTITIES, NULL);
      g_return_val_if_fail (updates[i].id != NULL && updates[i].fields != NULL, NULL);
      if (!check_fields (updates[i].entity, CRM_MUTATION_OP_UPDATE, updates[i].fields, error))
        return NULL;
    }

  g_mutex_lock (&self->lock);
  if (!begin (self, error))
    goto failed;
  for (guint i = 0; i < n_updates; i++)
    {
      CrmMutation *m = enqueue_locked (self, updates[i].entity, CRM_MUTATION_OP_UPDATE, updates[i].id,
                                       updates[i].fields, changed, error);

      if (m == NULL)
        goto failed;
      g_ptr_array_add (mutations, m);
    }
  if (!commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);

  emit_changed (self, changed);
  return g_steal_pointer (&mutations);

failed:
  rollback (self);
  g_mutex_unlock (&self->lock);
  return NULL;
}

/* The updates of one save, owned by the worker that queues them. */
typedef struct
{
  GArray    *updates;   /* CrmStoreUpdate, id and fields owned */
} UpdatesData;

static void
updates_data_free (gpointer data)
{
  UpdatesData *u = data;

  for (guint i = 0; i < u->updates->len; i++)
    {
      CrmStoreUpdate *update = &g_array_index (u->updates, CrmStoreUpdate, i);

      g_free ((char *) update->id);
      json_object_unref (update->fields);
    }
  g_array_unref (u->updates);
  g_free (u);
}

static void
enqueue_updates_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  UpdatesData *u = task_data;
  GError *error = NULL;
  GPtrArray *mutations;

  mutations = crm_store_enqueue_updates (source_object, (const CrmStoreUpdate *) (gpointer) u->updates->data,
                                         u->updates->len, &error);
  if (mutations == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, mutations, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * crm_store_enqueue_updates_async:
 *
 * crm_store_enqueue_updates() in a worker thread, so that a save made
 * while a sync page is being written never holds up the main loop.
 * @updates is copied.  ::customers-changed is emitted (on the store's
 * main context) before @callback runs.
 */
void
crm_store_enqueue_updates_async (CrmStore             *self,
                                 const CrmStoreUpdate *updates,
                                 guint                 n_updates,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  UpdatesData *u;

  g_return_if_fail (CRM_IS_STORE (self));
  g_return_if_fail (updates != NULL || n_updates == 0);

  u = g_new0 (UpdatesData, 1);
  u->updates = g_array_sized_new (FALSE, TRUE, sizeof (CrmStoreUpdate), n_updates);
  for (guint i = 0; i < n_updates; i++)
    {
      CrmStoreUpdate copy = { updates[i].entity, g_strdup (updates[i].id), json_object_ref (updates[i].fields) };

      g_array_append_val (u->updates, copy);
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_store_enqueue_updates_async);
  g_task_set_task_data (task, u, updates_data_free);
  g_task_run_in_thread (task, enqueue_updates_thread);
}

/**
 * crm_store_enqueue_updates_finish:
 *
 * Returns: (transfer full): the queued mutations, as
 *   crm_store_enqueue_updates(), or %NULL with @error set
 */
GPtrArray *
crm_store_enqueue_updates_finish (CrmStore      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_store_enqueue_updates_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * crm_store_next_mutation:
 *
 * The oldest change that is pending or was sent without an answer (a
 * retry keeps its key, so the server applies it once), marked sent; or
 * %NULL, without error, when there is none.  A change of a record that
 * has an older change in conflict waits behind it: it is not taken.
 */
CrmMutation *
crm_store_next_mutation (CrmStore  *self,
                         GError   **error)
{
  g_autoptr(CrmMutation) m = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  {
    g_autoptr(CachedStmt) s = stmt (self, SQL_NEXT_MUTATION, error);
    int rc;

    if (s != NULL)
      {
        rc = sqlite3_step (s);
        if (rc == SQLITE_ROW)
          m = mutation_from_row (s, error);
        else if (rc != SQLITE_DONE)
          sqlite_error (self, error, "reading the queue");
      }
  }
  if (m != NULL && !fill_missing_base (self, m, error))
    g_clear_pointer (&m, crm_mutation_unref);
  if (m != NULL)
    {
      g_autoptr(CachedStmt) s = stmt (self, SQL_MARK_SENT, error);

      if (s == NULL)
        g_clear_pointer (&m, crm_mutation_unref);
      else
        {
          sqlite3_bind_int64 (s, 1, m->seq);
          if (!step_done (self, s, error))
            g_clear_pointer (&m, crm_mutation_unref);
          else
            m->state = CRM_MUTATION_SENT;
        }
    }
  g_mutex_unlock (&self->lock);
  return g_steal_pointer (&m);
}

/**
 * crm_store_mutation_done:
 * @seq: the mutation
 * @server_record: (nullable): the record the server answered with
 *
 * The server applied the change: removes it from the queue and stores the
 * server's record.  Later queued changes of the record made on the same
 * version now apply to the version this one produced.
 */
gboolean
crm_store_mutation_done (CrmStore    *self,
                         gint64       seq,
                         JsonObject  *server_record,
                         GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return settle (self, seq, OUTCOME_REMOVE, NULL, server_record, NULL, error);
}

/**
 * crm_store_mutation_conflict:
 * @seq: the mutation
 * @current: (nullable): the server's current record (409 "record")
 * @conflicts: (nullable): the 409's "conflicts": {field, base, mine,
 *   theirs} objects
 * @message: (nullable): the server's message
 *
 * A colleague changed a field of the change first and the server applied
 * none of it: stores the server's current record and keeps the change, in
 * conflict, until crm_store_resolve_conflict().  The row shows the
 * server's record with the change still on top (the user's values are
 * never lost); later changes of the record are not sent until then.
 */
gboolean
crm_store_mutation_conflict (CrmStore    *self,
                             gint64       seq,
                             JsonObject  *current,
                             JsonArray   *conflicts,
                             const char  *message,
                             GError     **error)
{
  g_autofree char *reason = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reason = g_strdup_printf ("conflict: %s", message ? message : "the record changed on the server");
  return settle (self, seq, OUTCOME_CONFLICT, reason, current, conflicts, error);
}

/**
 * crm_store_mutation_failed:
 * @reason: why, for the log and the list of failed changes
 *
 * The server refused the change for another reason (forbidden, not found,
 * invalid): marks it failed and takes it back from the row.
 */
gboolean
crm_store_mutation_failed (CrmStore    *self,
                           gint64       seq,
                           const char  *reason,
                           GError     **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return settle (self, seq, OUTCOME_FAIL, reason, NULL, NULL, error);
}

/* Forgets a change (a failed one the user gave up on, or a pending one
 * they took back); the row shows what is left. */
gboolean
crm_store_discard_mutation (CrmStore  *self,
                            gint64     seq,
                            GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return settle (self, seq, OUTCOME_REMOVE, NULL, NULL, NULL, error);
}

static gpointer
mutation_row (sqlite3_stmt  *s,
              GError       **error)
{
  return mutation_from_row (s, error);
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
  g_autoptr(GHashTable) changed = changed_set_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) result = NULL;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  if (!begin (self, error))
    goto failed;
  m = get_mutation (self, seq, error);
  if (m == NULL)
    goto failed;
  if (m->state != CRM_MUTATION_CONFLICT)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, "The change %" G_GINT64_FORMAT " is not in conflict", seq);
      goto failed;
    }
  if (!resolve_locked (self, m, keep_mine, &result, error) ||
      !rebuild (self, m->entity, m->record_id, changed, error) ||
      !commit (self, error))
    goto failed;
  g_mutex_unlock (&self->lock);

  emit_changed (self, changed);
  if (resolved != NULL)
    *resolved = g_steal_pointer (&result);
  return TRUE;

failed:
  rollback (self);
  g_mutex_unlock (&self->lock);
  return FALSE;
}

/* The queued change @seq, or %NULL with CRM_ERROR_NOT_FOUND. */
CrmMutation *
crm_store_get_mutation (CrmStore  *self,
                        gint64     seq,
                        GError   **error)
{
  CrmMutation *m;

  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&self->lock);
  m = get_mutation (self, seq, error);
  g_mutex_unlock (&self->lock);
  return m;
}

/* Every queued change, oldest first, failed ones included. */
GPtrArray *
crm_store_list_mutations (CrmStore  *self,
                          GError   **error)
{
  g_return_val_if_fail (CRM_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_list (self, SQL_ALL_MUTATIONS, mutation_row, (GDestroyNotify) crm_mutation_unref, error);
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
  if (!read_exec (self, SQL_READ_BEGIN, error))
    goto out;
  {
    g_autoptr(CachedStmt) s = read_stmt (self, SQL_CUSTOMER, error);
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
        read_error (self, error, "reading a customer");
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
    g_autoptr(CachedStmt) s = read_stmt (self, SQL_CONTACTS_OF, error);
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
        if (k->name == NULL)
          k->name = g_strdup ("");
        g_ptr_array_add (c->contacts, k);
      }
    if (rc != SQLITE_DONE)
      {
        read_error (self, error, "reading contacts");
        goto out;
      }
  }
  ok = TRUE;

out:
  read_end (self);
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
    g_autoptr(CachedStmt) s = read_stmt (self, SQL_ITEMS, error);
    int rc;

    if (s != NULL)
      {
        while ((rc = sqlite3_step (s)) == SQLITE_ROW)
          g_ptr_array_add (items, item_from_row (s));
        if (rc == SQLITE_DONE)
          ok = TRUE;
        else
          read_error (self, error, "reading customers");
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
  ok = read_exec (self, SQL_READ_BEGIN, error);
  for (guint i = 0; ok && ids[i] != NULL; i++)
    {
      g_autoptr(CachedStmt) s = read_stmt (self, SQL_ITEM, error);
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
        ok = read_error (self, error, "reading customers");
    }
  read_end (self);
  g_mutex_unlock (&self->read_lock);
  if (!ok)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    if (items->pdata[i] != NULL)
      crm_customer_items_make_keys ((CrmCustomerItem **) &items->pdata[i], 1);
  return g_steal_pointer (&items);
}

/* ------------------------------------------------------------------ */
/* Unsent changes (read only)                                          */
/* ------------------------------------------------------------------ */

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
  g_autoptr(CrmMutation) m = mutation_from_row (s, error);
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

  return read_list (self, SQL_UNSENT_CHANGES, unsent_change_row, (GDestroyNotify) crm_unsent_change_free, error);
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
    g_autoptr(CachedStmt) s = read_stmt (self, SQL_COUNT_UNSENT, error);

    if (s != NULL && sqlite3_step (s) == SQLITE_ROW)
      count = sqlite3_column_int64 (s, 0);
    else if (s != NULL)
      read_error (self, error, "counting the queue");
  }
  g_mutex_unlock (&self->read_lock);
  return (guint) count;
}
