#pragma once

#include <sqlite3.h>

#include "crm-store.h"

G_BEGIN_DECLS

/*
 * What the parts of the local store share: crm-store.c (the object, the
 * connections, the schema) and crm-store-layers.c, -sync.c, -queue.c,
 * -conflicts.c, -records.c and -unsent.c.  Only they include it.
 */

/* Changes still to send. */
#define ACTIVE "('pending', 'sent')"
/* Changes that show on the local row: those still to send and those in
 * conflict, which wait for the user (see crm-store-conflicts.c). */
#define SHOWN "('pending', 'sent', 'conflict')"

struct _CrmStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  GMutex        lock;
  GHashTable   *statements;   /* SQL text (static) -> sqlite3_stmt */
  sqlite3      *reader;       /* read-only; see "Threads" in crm-store.c */
  GMutex        read_lock;
  GHashTable   *read_statements;
  GMainContext *context;      /* where signals are emitted */
  GThread      *owner;        /* the thread that opened the store */
  guint         schema_version;
};

/* A cached statement: the cleanup resets it for its next use. */
typedef sqlite3_stmt CachedStmt;

static inline void
cached_stmt_reset (CachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedStmt, cached_stmt_reset)

/* The records' columns and the statements assembled from them
 * (crm-store.c). */
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

/* The table of the records as the user sees them, and the server's
 * records of those with queued changes (see crm-store-layers.c). */
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

/* @entity's tables, columns and assembled statements. */
const Entity *crm_store_entity (CrmEntity entity);

/* Statements that more than one part runs, defined once in crm-store.c:
 * the statement caches are keyed by the text's address. */
#define SQL_CUSTOMER_VERSION       crm_store_sql_customer_version
#define SQL_CONTACT_VERSION        crm_store_sql_contact_version
#define SQL_DELETE_CUSTOMER        crm_store_sql_delete_customer
#define SQL_DELETE_SERVER_CUSTOMER crm_store_sql_delete_server_customer
#define SQL_DELETE_CONTACT         crm_store_sql_delete_contact
#define SQL_DELETE_SERVER_CONTACT  crm_store_sql_delete_server_contact
#define SQL_NEW_CONTACT            crm_store_sql_new_contact
extern const char SQL_CUSTOMER_VERSION[];
extern const char SQL_CONTACT_VERSION[];
extern const char SQL_DELETE_CUSTOMER[];
extern const char SQL_DELETE_SERVER_CUSTOMER[];
extern const char SQL_DELETE_CONTACT[];
extern const char SQL_DELETE_SERVER_CONTACT[];
extern const char SQL_NEW_CONTACT[];

/* The writer (crm-store.c).  Hold self->lock. */

/* Sets @error from the writer's last error, with what it was @doing;
 * returns FALSE. */
gboolean    crm_store_sqlite_error (CrmStore      *self,
                                    GError       **error,
                                    const char    *doing);
/* The writer's cached statement for @sql, a string that lives for the
 * program; free it with g_autoptr(CachedStmt). */
CachedStmt *crm_store_stmt         (CrmStore      *self,
                                    const char    *sql,
                                    GError       **error);
/* Steps a statement that returns no row. */
gboolean    crm_store_step_done    (CrmStore      *self,
                                    sqlite3_stmt  *s,
                                    GError       **error);
/* Runs @sql with up to two text parameters (NULL: none). */
gboolean    crm_store_exec2        (CrmStore      *self,
                                    const char    *sql,
                                    const char    *p1,
                                    const char    *p2,
                                    GError       **error);
/* The integer of a one-row, one-column query; @missing without a row. */
gboolean    crm_store_query_int    (CrmStore      *self,
                                    const char    *sql,
                                    const char    *p1,
                                    const char    *p2,
                                    gint64         missing,
                                    gint64        *out,
                                    GError       **error);
/* The writer's transaction: BEGIN IMMEDIATE, COMMIT, and a ROLLBACK
 * that is harmless when none is open. */
gboolean    crm_store_begin        (CrmStore      *self,
                                    GError       **error);
gboolean    crm_store_commit       (CrmStore      *self,
                                    GError       **error);
void        crm_store_rollback     (CrmStore      *self);

/* The reader (crm-store.c).  Hold self->read_lock. */

/* As crm_store_sqlite_error(), for the reader. */
gboolean    crm_store_read_error   (CrmStore      *self,
                                    GError       **error,
                                    const char    *doing);
/* As crm_store_stmt(), for the reader. */
CachedStmt *crm_store_read_stmt    (CrmStore      *self,
                                    const char    *sql,
                                    GError       **error);
/* Runs BEGIN, COMMIT or ROLLBACK on the reader: one snapshot between. */
gboolean    crm_store_read_exec    (CrmStore      *self,
                                    const char    *sql,
                                    GError       **error);
/* Ends the reader's transaction, if one is open. */
void        crm_store_read_end     (CrmStore      *self);

/* A row made into a record, or NULL with @error set. */
typedef gpointer (*RowFunc) (sqlite3_stmt  *s,
                             GError       **error);

/* Every row of @sql, through the reader, made into records by @from_row;
 * takes self->read_lock itself. */
GPtrArray  *crm_store_read_list    (CrmStore       *self,
                                    const char     *sql,
                                    RowFunc         from_row,
                                    GDestroyNotify  free_func,
                                    GError        **error);

/* ::customers-changed for @changed (NULL: everything), on the store's
 * context; empties @changed.  Called without a lock (crm-store.c). */
void        crm_store_emit_changed (CrmStore      *self,
                                    GHashTable    *changed);

/* Small helpers of every part. */

/* A text column, or NULL. */
static inline char *
column_dup (sqlite3_stmt *s,
            int           column)
{
  if (sqlite3_column_type (s, column) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (s, column));
}

static inline char *
object_to_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

static inline const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static inline void
add_changed (GHashTable *changed,
             const char *customer_id)
{
  if (changed != NULL && customer_id != NULL && !g_hash_table_contains (changed, customer_id))
    g_hash_table_add (changed, g_strdup (customer_id));
}

static inline GHashTable *
changed_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* The two layers (crm-store-layers.c).  Hold self->lock, in the
 * writer's transaction; @changed collects the customers' ids. */

/* Applies the fields (a JSON object's text) to the shown row. */
gboolean crm_store_apply_fields        (CrmStore    *self,
                                        CrmEntity    entity,
                                        const char  *id,
                                        const char  *fields_text,
                                        GError     **error);
/* Adds the customer of a record (a contact's, as the shown table has it)
 * to @changed. */
gboolean crm_store_note_changed        (CrmStore    *self,
                                        CrmEntity    entity,
                                        const char  *id,
                                        GHashTable  *changed,
                                        GError     **error);
/* Makes the shown row again: the server's record, then the queued
 * changes. */
gboolean crm_store_rebuild             (CrmStore    *self,
                                        CrmEntity    entity,
                                        const char  *id,
                                        GHashTable  *changed,
                                        GError     **error);
/* Stores a record the server sent (a sync page, a mutation's answer). */
gboolean crm_store_store_server_record (CrmStore    *self,
                                        CrmEntity    entity,
                                        JsonObject  *record,
                                        gboolean     any_active,
                                        GHashTable  *changed,
                                        GError     **error);

/* The queue (crm-store-queue.c). */

/* The columns of a row of the queue, as crm_store_mutation_from_row()
 * reads them. */
#define MUTATION_COLUMNS "seq, key, entity, op, record_id, base_version, fields, state, last_error, base, conflicts"

/* What becomes of a change the server answered (crm_store_mark()). */
typedef enum
{
  OUTCOME_REMOVE,     /* applied, or given up */
  OUTCOME_FAIL,       /* refused: kept as failed, no longer shown */
  OUTCOME_CONFLICT,   /* kept in conflict, still shown */
} Outcome;

/* A row of MUTATION_COLUMNS as a mutation, or NULL with @error set. */
CrmMutation *crm_store_mutation_from_row   (sqlite3_stmt  *s,
                                            GError       **error);
/* The mutation @seq, or NULL with CRM_ERROR_NOT_FOUND; hold self->lock. */
CrmMutation *crm_store_get_mutation_locked (CrmStore      *self,
                                            gint64         seq,
                                            GError       **error);
/* The writable fields of a record's row in @layer as a JSON object, or
 * NULL (without error) when the layer has no row. */
JsonObject  *crm_store_row_values          (CrmStore      *self,
                                            CrmEntity      entity,
                                            guint          layer,
                                            const char    *id,
                                            GError       **error);
/* Removes @seq (OUTCOME_REMOVE) or marks it failed or in conflict. */
gboolean     crm_store_mark                (CrmStore      *self,
                                            gint64         seq,
                                            Outcome        how,
                                            const char    *reason,
                                            JsonArray     *conflicts,
                                            GError       **error);

G_END_DECLS
