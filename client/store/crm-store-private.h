#pragma once

#include <sqlite3.h>

#include "crm-entity.h"
#include "crm-store.h"
#include "crm-sync-page.h"

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

/* What the store keeps of each entity of the entity table
 * (shared/crm-entity.h): its tables and the statements assembled from
 * them once, in crm-store-entities.c.  The statement caches are keyed by
 * the text's address: these strings live for the program. */

/* The table of the records as the user sees them, and the server's
 * records of those with queued changes (see crm-store-layers.c). */
enum { LAYER_SHOWN, LAYER_SERVER, N_LAYERS };

typedef struct
{
  const char   *name;
  CrmValueType  type;
  gboolean      required;   /* the key, the parent, the version: a record without it is refused */
} Column;

typedef struct
{
  const CrmEntityInfo *info;
  const char   *table[N_LAYERS];   /* [LAYER_SERVER]: NULL for an entity nobody edits (one layer) */
  Column       *columns;           /* the entity's fields, then the store's own (a customer's region_name) */
  guint         n_columns;
  guint         key[2];            /* the key's columns (indexes into columns) */
  guint         n_key;
  gboolean      has_version;       /* a newer record replaces an older one, never the reverse */
  gboolean      names_customer;    /* its changes are ::customers-changed of its customer */
  guint         depth;             /* how many parents up to a top-level entity */
  const char   *key_expr;          /* SQL: the key as text (crm_store_key_text()) */
  const char   *key_match;         /* SQL: the row whose key's text is ?1, through the key's index */

  char *upsert_sql[N_LAYERS];      /* ?N the Nth column */
  char *delete_sql[N_LAYERS];      /* ?1, ?2 the key */
  char *key_delete_sql[N_LAYERS];  /* ?1 the key as text (crm_store_key_text()) */
  char *clear_sql[N_LAYERS];       /* every row */
  /* rows of this entity under the record ?1 of an ancestor entity, deleted,
   * RETURNING key_expr; NULL where that entity is no ancestor */
  char *delete_under_sql[N_LAYERS][CRM_N_ENTITIES];
  char *read_sql;                  /* every row, in key order */
  char *read_under_sql;            /* the rows of the parent ?1, in key order */
  char *version_sql[N_LAYERS];     /* ?1 the key as text; entities with a version */
  /* id-keyed entities */
  char *parent_sql;                /* ?1 the id: its parent's id in the shown row */
  /* entities some role edits (two layers) */
  char *apply_sql;                 /* the writable fields of a JSON object, ?1 id, ?2 fields */
  char *values_sql[N_LAYERS];      /* the writable fields of a row as a JSON object, ?1 id */
  char *keep_server_sql;           /* copy the shown row to the server table */
  char *restore_sql;               /* copy the server row to the shown table */
  char *new_sql;                   /* a record made here (version 0), ?1 id, ?2 fields */
  char *parent_any_sql;            /* ?1 id: its parent, as the shown or the server row has it */
  /* a field one record per parent holds true (a customer's primary
   * contact), or NULL; see crm-store-layers.c */
  const char *exclusive;
  int exclusive_column;            /* its column, or -1 */
  int parent_column;               /* the parent field's column, or -1 */
  char *siblings_sql;              /* ?1 parent: the ids of its records, in either layer */
  char *winner_sql;                /* ?1 parent: the record a shown change last gave the field */
  char *unmark_sql;                /* ?1 id: the shown row without the field */
  char *unmark_others_sql[N_LAYERS];  /* ?1 parent, ?2 id: the server's records of the others without it */
} Entity;

/* A value of a record as it travelled, before the store checks it against
 * its column's type (crm_store_bind_value ()): read from a sync page's
 * text (crm-sync-page.c) or taken from a JsonObject
 * (crm_store_values_from_object ()).  @text is a string's value or an
 * array's or object's JSON text; @number an integer's value or a
 * boolean's 0 or 1. */
typedef enum
{
  VALUE_MISSING,
  VALUE_NULL,
  VALUE_STRING,
  VALUE_INTEGER,
  VALUE_BOOLEAN,
  VALUE_OTHER_NUMBER,   /* a fraction or an exponent, or past 64 bits */
  VALUE_ARRAY,
  VALUE_OBJECT,
} ValueKind;

typedef struct
{
  ValueKind   kind;
  gint64      number;
  const char *text;
} Value;

static inline const char *
value_string (const Value *value)
{
  return value->kind == VALUE_STRING ? value->text : NULL;
}

/* @entity's tables, columns and assembled statements. */
const Entity *crm_store_entity          (CrmEntity     entity);
/* Assembles every entity's statements; once, from class_init. */
void          crm_store_entities_init   (void);
/* The key of @record (an object with @e's key fields) as text: the value,
 * or for a composite key the values joined by "/" in the key's order; or
 * NULL, with @error naming the missing field. */
char         *crm_store_key_text        (const Entity  *e,
                                         JsonObject    *record,
                                         GError       **error);
/* The same of a record's values (one per column of @e). */
char         *crm_store_values_key_text (const Entity  *e,
                                         const Value   *values,
                                         GError       **error);
/* @record's value for each column of @e (freed with g_free ()); the JSON
 * text of an array or object member goes to @texts, which must outlive
 * the values. */
Value        *crm_store_values_from_object (const Entity *e,
                                            JsonObject   *record,
                                            GPtrArray    *texts);
/* Binds @value (as its type travels: text, int64, 0/1, JSON text) to
 * parameter @index; a value of another type than @column's, or a missing
 * required one, is CRM_ERROR_MALFORMED naming it.  A text is bound
 * without a copy: it must outlive the statement's use. */
gboolean      crm_store_bind_value      (sqlite3_stmt  *s,
                                         int            index,
                                         const Value   *value,
                                         const Column  *column,
                                         GError       **error);
/* The same of @record's member @column. */
gboolean      crm_store_bind_member     (sqlite3_stmt  *s,
                                         int            index,
                                         JsonObject    *record,
                                         const Column  *column,
                                         GError       **error);
/* Column @index of a row as JSON, as @column's type travels. */
JsonNode     *crm_store_column_node     (sqlite3_stmt  *s,
                                         int            index,
                                         const Column  *column);

/* A read sync page's records of @entity (crm-sync-page.c): *n_records
 * rows of @entity's n_columns values, in the page's order. */
const Value        *crm_sync_page_records (CrmSyncPage *page,
                                           CrmEntity    entity,
                                           guint       *n_records);
/* Its departures, each an object's JSON text. */
const char * const *crm_sync_page_removed (CrmSyncPage *page,
                                           guint       *n_removed);

/* What a change touched, for the signals (crm-store.c): the keys of each
 * entity's changed records (::changed) and the customers whose row or
 * contacts changed (::customers-changed). */
typedef struct
{
  GHashTable *keys[CRM_N_ENTITIES];   /* key text set, or NULL */
  GHashTable *customers;
} Changes;

Changes      *changes_new               (void);
void          changes_free              (Changes       *changes);
void          changes_add               (Changes       *changes,
                                         CrmEntity      entity,
                                         const char    *key);
void          changes_add_customer      (Changes       *changes,
                                         const char    *customer_id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Changes, changes_free)

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

/* ::customers-changed and ::changed for @changes (NULL: everything), on
 * the store's context; empties @changes.  Called without a lock
 * (crm-store.c). */
void        crm_store_emit_changed (CrmStore      *self,
                                    Changes       *changes);

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

/* The two layers (crm-store-layers.c).  Hold self->lock, in the
 * writer's transaction; @changes collects what changed. */

/* Applies the fields (a JSON object's text) to the shown row. */
gboolean crm_store_apply_fields        (CrmStore    *self,
                                        CrmEntity    entity,
                                        const char  *id,
                                        const char  *fields_text,
                                        GError     **error);
/* Applies a queued change of @op to the shown row: the fields (a JSON
 * object's text), or for a delete the row's removal (crm-store-queue.c). */
gboolean crm_store_apply_change        (CrmStore       *self,
                                        CrmEntity       entity,
                                        CrmMutationOp   op,
                                        const char     *id,
                                        const char     *fields_text,
                                        GError        **error);
/* Adds the record @key to @changes and, for an entity that names its
 * customer, that customer (a contact's, as the shown table has it). */
gboolean crm_store_note_changed        (CrmStore    *self,
                                        CrmEntity    entity,
                                        const char  *key,
                                        Changes     *changes,
                                        GError     **error);
/* Makes the shown row again: the server's record, then the queued
 * changes. */
gboolean crm_store_rebuild             (CrmStore    *self,
                                        CrmEntity    entity,
                                        const char  *id,
                                        Changes     *changes,
                                        GError     **error);
/* After a change of @id's @fields (queued, settled or resolved): when
 * they hold the entity's exclusive field, the other records of its
 * parent are rebuilt, as the new holder of the field shows. */
gboolean crm_store_exclusive_changed   (CrmStore    *self,
                                        CrmEntity    entity,
                                        const char  *id,
                                        JsonObject  *fields,
                                        Changes     *changes,
                                        GError     **error);
/* Stores a record the server sent (a mutation's answer, a conflict's
 * current record) and the children it holds (a customer's "contacts").
 * @any_active: whether the queue has pending or sent changes at all. */
gboolean crm_store_store_server_record (CrmStore    *self,
                                        CrmEntity    entity,
                                        JsonObject  *record,
                                        gboolean     any_active,
                                        Changes     *changes,
                                        GError     **error);
/* The same of a record as its values, one per column (a sync page's). */
gboolean crm_store_store_server_values (CrmStore     *self,
                                        CrmEntity     entity,
                                        const Value  *values,
                                        gboolean      any_active,
                                        Changes      *changes,
                                        GError      **error);

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
