#pragma once

#include <glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/*
 * One PostgreSQL connection per server thread, non-blocking and in pipeline
 * mode, driven by a GSource on the thread's own GMainContext.  A batch is
 * the statements of one request; they run in one implicit transaction (the
 * statements between two Sync messages), so a transaction-local
 * set_config() in the first statement holds for the rest and for nothing
 * else.  Batches from many requests are in flight at once and their results
 * come back in order; a batch that fails fails only itself.
 */

typedef struct _CrmDb CrmDb;
typedef struct _CrmDbBatch CrmDbBatch;

/* A statement known by name, prepared on each connection on first use
 * (by a Parse in an implicit transaction of its own, ahead of the batch). */
typedef struct
{
  const char *name;
  const char *sql;
  int         n_params;
} CrmSql;

typedef void (*CrmDbCallback) (CrmDbBatch   *batch,
                               const GError *error,
                               gpointer      user_data);

/* Connects (blocking: call before the thread's loop starts serving). */
CrmDb      *crm_db_new            (GMainContext  *context,
                                   const char    *conninfo,
                                   GError       **error);
void        crm_db_free           (CrmDb         *db);
gboolean    crm_db_is_connected   (CrmDb         *db);
guint       crm_db_get_in_flight  (CrmDb         *db);

CrmDbBatch *crm_db_batch_new      (void);
void        crm_db_batch_free     (CrmDbBatch    *batch);
/* Adds a statement; @values are copied.  A NULL value is SQL NULL.
 * Returns the statement's index in the batch. */
guint       crm_db_batch_add      (CrmDbBatch         *batch,
                                   const CrmSql       *sql,
                                   const char * const *values);
/* Adds a statement whose parameter @binary_index (or -1) is binary data. */
guint       crm_db_batch_add_full (CrmDbBatch         *batch,
                                   const CrmSql       *sql,
                                   const char * const *values,
                                   int                 binary_index,
                                   gsize               binary_length);
/* Adds a statement given as text, sent unnamed (Parse, Bind and Execute
 * each time, never prepared): for SQL built by the server from a fixed
 * table (a segment's criteria), every value still a parameter. */
guint       crm_db_batch_add_text (CrmDbBatch         *batch,
                                   const char         *sql,
                                   int                 n_params,
                                   const char * const *values);
guint       crm_db_batch_get_n_statements (CrmDbBatch *batch);
/* The result of statement @index once the batch completed, or NULL.  In a
 * batch that failed, the statements that ran before the failure keep
 * theirs. */
PGresult   *crm_db_batch_get_result (CrmDbBatch  *batch,
                                     guint        index);

/* Queues @batch; @callback runs on the connection's context once all its
 * results are in, with @error set if the batch failed (its transaction was
 * then rolled back).  The error is a CRM_ERROR chosen by the SQLSTATE with
 * a message of ours; PostgreSQL's own text only goes to the log.  Takes
 * ownership of @batch, freed after the callback. */
void        crm_db_execute        (CrmDb         *db,
                                   CrmDbBatch    *batch,
                                   CrmDbCallback  callback,
                                   gpointer       user_data);

/* A text value of row @row, column @col of @res, NULL for SQL NULL. */
static inline const char *
crm_pg_value (const PGresult *res,
              int             row,
              int             col)
{
  return PQgetisnull (res, row, col) ? NULL : PQgetvalue (res, row, col);
}

G_END_DECLS
