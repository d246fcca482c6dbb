#define G_LOG_DOMAIN "crm-report-cache"

#include "config.h"

#include "crm-report-cache.h"

gpointer
crm_report_cache_read (CrmStore             *store,
                       CrmReportKind         kind,
                       const CrmReportQuery *query,
                       GDateTime           **fetched_at,
                       GError              **error)
{
  g_autofree char *key = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GError) local_error = NULL;
  gpointer report;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (kind < CRM_N_REPORTS && query != NULL, NULL);

  if (fetched_at != NULL)
    *fetched_at = NULL;
  key = crm_report_query_dup_key (query);
  if (!crm_store_get_answer (store, crm_report_kind_path (kind), key, &answer, &when, error) || answer == NULL)
    return NULL;
  report = crm_report_from_text (kind, answer, &local_error);
  if (report == NULL)
    {
      /* kept by an older client, say: as if none were kept */
      g_warning ("The kept answer of %s?%s does not read: %s", crm_report_kind_path (kind), key,
                 local_error->message);
      return NULL;
    }
  if (fetched_at != NULL)
    *fetched_at = g_steal_pointer (&when);
  return report;
}

/* One fetch: what is asked, then what came. */
typedef struct
{
  CrmStore      *store;
  CrmReportKind  kind;
  char          *key;
  gpointer       report;
  char          *answer;
  GDateTime     *fetched_at;
} Fetch;

static void
fetch_free (Fetch *fetch)
{
  g_clear_object (&fetch->store);
  if (fetch->report != NULL)
    crm_report_free (fetch->kind, fetch->report);
  g_free (fetch->key);
  g_free (fetch->answer);
  g_clear_pointer (&fetch->fetched_at, g_date_time_unref);
  g_free (fetch);
}

/* A write with fsync: off the main thread. */
static void
keep_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Fetch *fetch = task_data;
  g_autoptr(GError) error = NULL;

  if (!crm_store_put_answer (fetch->store, crm_report_kind_path (fetch->kind), fetch->key, fetch->answer,
                             fetch->fetched_at, &error))
    g_warning ("Cannot keep the answer of %s: %s", crm_report_kind_path (fetch->kind), error->message);
  g_task_return_boolean (task, TRUE);
}

static void
report_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Fetch *fetch = g_task_get_task_data (task);
  GError *error = NULL;

  fetch->report = crm_api_get_report_finish (CRM_API (object), result, NULL, &fetch->answer, &error);
  if (fetch->report == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  fetch->fetched_at = g_date_time_new_now_utc ();
  if (fetch->store == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* the view's answer waits for the write: a view that shows it and then
   * goes offline finds it kept */
  g_task_run_in_thread (task, keep_thread);
}

void
crm_report_fetch_async (CrmApi               *api,
                        CrmStore             *store,
                        CrmReportKind         kind,
                        const CrmReportQuery *query,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  GTask *task;
  Fetch *fetch;

  g_return_if_fail (CRM_IS_API (api));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));
  g_return_if_fail (kind < CRM_N_REPORTS && query != NULL);

  fetch = g_new0 (Fetch, 1);
  fetch->store = store ? g_object_ref (store) : NULL;
  fetch->kind = kind;
  fetch->key = crm_report_query_dup_key (query);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_report_fetch_async);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_free);
  crm_api_get_report_async (api, kind, query, cancellable, report_cb, task);
}

gpointer
crm_report_fetch_finish (GAsyncResult  *result,
                         GDateTime    **fetched_at,
                         GError       **error)
{
  Fetch *fetch;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_report_fetch_async, NULL);

  if (fetched_at != NULL)
    *fetched_at = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  fetch = g_task_get_task_data (G_TASK (result));
  if (fetched_at != NULL)
    *fetched_at = g_date_time_ref (fetch->fetched_at);
  return g_steal_pointer (&fetch->report);
}
