#define G_LOG_DOMAIN "crm-store"

#include "config.h"

#include "crm-error.h"
#include "crm-store-private.h"

/* The last answer of each server report per query (0009-answer-cache.sql),
 * for the views that show it while the server cannot be reached.  Only
 * the newest CRM_STORE_MAX_ANSWERS are kept. */

static const char SQL_PUT_ANSWER[] =
  "INSERT INTO answer_cache (endpoint, query, answer, fetched_at) VALUES (?1, ?2, ?3, ?4)"
  " ON CONFLICT (endpoint, query) DO UPDATE SET answer = excluded.answer, fetched_at = excluded.fetched_at";
static const char SQL_PRUNE_ANSWERS[] =
  "DELETE FROM answer_cache WHERE (endpoint, query) IN"
  " (SELECT endpoint, query FROM answer_cache ORDER BY fetched_at DESC, endpoint, query LIMIT -1 OFFSET ?1)";
static const char SQL_GET_ANSWER[] =
  "SELECT answer, fetched_at FROM answer_cache WHERE endpoint = ?1 AND query = ?2";

static gboolean
put_locked (CrmStore    *self,
            const char  *endpoint,
            const char  *query,
            const char  *answer,
            const char  *fetched_at,
            GError     **error)
{
  if (!crm_store_begin (self, error))
    return FALSE;
  {
    g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_PUT_ANSWER, error);

    if (s == NULL)
      return FALSE;
    sqlite3_bind_text (s, 1, endpoint, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (s, 2, query, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (s, 3, answer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (s, 4, fetched_at, -1, SQLITE_TRANSIENT);
    if (!crm_store_step_done (self, s, error))
      return FALSE;
  }
  {
    g_autoptr(CachedStmt) s = crm_store_stmt (self, SQL_PRUNE_ANSWERS, error);

    if (s == NULL)
      return FALSE;
    sqlite3_bind_int (s, 1, CRM_STORE_MAX_ANSWERS);
    if (!crm_store_step_done (self, s, error))
      return FALSE;
  }
  return crm_store_commit (self, error);
}

/**
 * crm_store_put_answer:
 * @endpoint: the report's path below /api/v1 ("/forecast")
 * @query: its parameters as one text (crm_report_query_dup_key ())
 * @answer: the answer's JSON text
 * @fetched_at: when it was fetched
 *
 * Keeps @answer in place of the one kept for (@endpoint, @query), then
 * forgets the oldest beyond CRM_STORE_MAX_ANSWERS.
 */
gboolean
crm_store_put_answer (CrmStore    *self,
                      const char  *endpoint,
                      const char  *query,
                      const char  *answer,
                      GDateTime   *fetched_at,
                      GError     **error)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *when = NULL;
  gboolean ok;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (endpoint != NULL && query != NULL && answer != NULL && fetched_at != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  utc = g_date_time_to_utc (fetched_at);
  when = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");

  g_mutex_lock (&self->lock);
  ok = put_locked (self, endpoint, query, answer, when, error);
  if (!ok)
    crm_store_rollback (self);
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * crm_store_get_answer:
 * @answer: (out) (transfer full): the kept answer's text, or %NULL when
 *   none is kept
 * @fetched_at: (out) (optional) (transfer full): when it was fetched
 *
 * Returns: %FALSE only on a failure to read
 */
gboolean
crm_store_get_answer (CrmStore    *self,
                      const char  *endpoint,
                      const char  *query,
                      char       **answer,
                      GDateTime  **fetched_at,
                      GError     **error)
{
  g_autofree char *text = NULL;
  g_autofree char *when = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (CRM_IS_STORE (self), FALSE);
  g_return_val_if_fail (endpoint != NULL && query != NULL && answer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->read_lock);
  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (self, SQL_GET_ANSWER, error);
    int rc;

    if (s == NULL)
      ok = FALSE;
    else
      {
        sqlite3_bind_text (s, 1, endpoint, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text (s, 2, query, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step (s);
        if (rc == SQLITE_ROW)
          {
            text = column_dup (s, 0);
            when = column_dup (s, 1);
          }
        else if (rc != SQLITE_DONE)
          ok = crm_store_read_error (self, error, "reading a kept answer");
      }
  }
  g_mutex_unlock (&self->read_lock);
  if (!ok)
    return FALSE;

  *answer = NULL;
  if (fetched_at != NULL)
    *fetched_at = NULL;
  if (text == NULL)
    return TRUE;
  if (fetched_at != NULL)
    {
      *fetched_at = when ? g_date_time_new_from_iso8601 (when, NULL) : NULL;
      if (*fetched_at == NULL)
        {
          g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "Local store (%s): a kept answer has no time",
                       self->path);
          return FALSE;
        }
    }
  *answer = g_steal_pointer (&text);
  return TRUE;
}
