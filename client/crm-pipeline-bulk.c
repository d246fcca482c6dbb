#define G_LOG_DOMAIN "crm-pipeline-bulk"

#include "config.h"

#include "crm-pipeline-bulk.h"

struct _CrmPipelineBulk
{
  CrmStore   *store;
  CrmEntity   entity;
  GPtrArray  *ids;        /* char * */
  GPtrArray  *fields;     /* JsonObject *, one an id */
  GPtrArray  *remotes;    /* JsonObject * or NULL, one an id: the record as the
                           * server sent it (crm_pipeline_bulk_add_remote ()) */
  gint        done;       /* atomic */
  GHashTable *queued;     /* id (borrowed from ids) -> itself */
  GHashTable *refusals;   /* id (borrowed) -> message */
  gboolean    ran;
};

static void
unref_record (gpointer record)
{
  if (record != NULL)
    json_object_unref (record);
}

static void
bulk_clear (gpointer data)
{
  CrmPipelineBulk *self = data;

  g_clear_object (&self->store);
  g_clear_pointer (&self->queued, g_hash_table_unref);
  g_clear_pointer (&self->refusals, g_hash_table_unref);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->remotes, g_ptr_array_unref);
  g_clear_pointer (&self->ids, g_ptr_array_unref);
}

CrmPipelineBulk *
crm_pipeline_bulk_new (CrmStore  *store,
                       CrmEntity  entity)
{
  CrmPipelineBulk *self;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_atomic_rc_box_new0 (CrmPipelineBulk);
  self->store = g_object_ref (store);
  self->entity = entity;
  self->ids = g_ptr_array_new_with_free_func (g_free);
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  self->remotes = g_ptr_array_new_with_free_func (unref_record);
  self->queued = g_hash_table_new (g_str_hash, g_str_equal);
  self->refusals = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  return self;
}

CrmPipelineBulk *
crm_pipeline_bulk_ref (CrmPipelineBulk *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
crm_pipeline_bulk_unref (CrmPipelineBulk *self)
{
  g_atomic_rc_box_release_full (self, bulk_clear);
}

void
crm_pipeline_bulk_add (CrmPipelineBulk *self,
                       const char      *id,
                       JsonObject      *fields)
{
  g_return_if_fail (self != NULL && !self->ran);
  g_return_if_fail (id != NULL && fields != NULL);

  crm_pipeline_bulk_add_remote (self, id, fields, NULL);
}

/**
 * crm_pipeline_bulk_add_remote:
 * @record: (nullable): the record as the server sent it, for a record the
 *   store may not hold (crm_store_enqueue_update_of_remote ())
 */
void
crm_pipeline_bulk_add_remote (CrmPipelineBulk *self,
                              const char      *id,
                              JsonObject      *fields,
                              JsonObject      *record)
{
  g_return_if_fail (self != NULL && !self->ran);
  g_return_if_fail (id != NULL && fields != NULL);

  g_ptr_array_add (self->ids, g_strdup (id));
  g_ptr_array_add (self->fields, json_object_ref (fields));
  g_ptr_array_add (self->remotes, record ? json_object_ref (record) : NULL);
}

JsonObject *
crm_pipeline_bulk_get_remote (CrmPipelineBulk *self,
                              guint            index)
{
  g_return_val_if_fail (index < self->remotes->len, NULL);

  return self->remotes->pdata[index];
}

guint
crm_pipeline_bulk_get_size (CrmPipelineBulk *self)
{
  return self->ids->len;
}

const char *
crm_pipeline_bulk_get_id (CrmPipelineBulk *self,
                          guint            index)
{
  g_return_val_if_fail (index < self->ids->len, NULL);

  return self->ids->pdata[index];
}

JsonObject *
crm_pipeline_bulk_get_fields (CrmPipelineBulk *self,
                              guint            index)
{
  g_return_val_if_fail (index < self->fields->len, NULL);

  return self->fields->pdata[index];
}

guint
crm_pipeline_bulk_get_done (CrmPipelineBulk *self)
{
  return (guint) g_atomic_int_get (&self->done);
}

/* Records [first, first + n) as one unit, else one by one. */
static void
queue_chunk (CrmPipelineBulk *self,
             guint            first,
             guint            n)
{
  g_autofree CrmStoreUpdate *updates = g_new0 (CrmStoreUpdate, n);
  g_autoptr(GPtrArray) mutations = NULL;

  for (guint i = 0; i < n; i++)
    updates[i] = (CrmStoreUpdate) { self->entity, self->ids->pdata[first + i], self->fields->pdata[first + i],
                                    self->remotes->pdata[first + i] };
  mutations = crm_store_enqueue_updates (self->store, updates, n, NULL);
  for (guint i = 0; i < n; i++)
    {
      const char *id = self->ids->pdata[first + i];
      g_autoptr(GError) error = NULL;
      g_autoptr(CrmMutation) m = NULL;

      if (mutations == NULL && self->remotes->pdata[first + i] != NULL)
        m = crm_store_enqueue_update_of_remote (self->store, self->entity, self->remotes->pdata[first + i],
                                                self->fields->pdata[first + i], &error);
      else if (mutations == NULL)
        m = crm_store_enqueue_update (self->store, self->entity, id, self->fields->pdata[first + i], &error);
      if (mutations != NULL || m != NULL)
        g_hash_table_add (self->queued, (gpointer) id);
      else
        g_hash_table_replace (self->refusals, (gpointer) id, g_strdup (error->message));
    }
  g_atomic_int_add (&self->done, (int) n);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  CrmPipelineBulk *self = task_data;
  gboolean stopped = FALSE;

  for (guint first = 0; first < self->ids->len; first += CRM_PIPELINE_BULK_CHUNK)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          stopped = TRUE;
          break;
        }
      queue_chunk (self, first, MIN (CRM_PIPELINE_BULK_CHUNK, self->ids->len - first));
    }
  g_task_return_int (task, stopped);
}

void
crm_pipeline_bulk_run_async (CrmPipelineBulk     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL && !self->ran);

  self->ran = TRUE;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_pipeline_bulk_run_async);
  g_task_set_task_data (task, crm_pipeline_bulk_ref (self), (GDestroyNotify) crm_pipeline_bulk_unref);
  /* cancelled, it stops between units and still says what it queued */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, run_thread);
}

gboolean
crm_pipeline_bulk_run_finish (CrmPipelineBulk  *self,
                              GAsyncResult     *result,
                              gboolean         *stopped,
                              GError          **error)
{
  gssize value;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  value = g_task_propagate_int (G_TASK (result), error);
  if (value < 0)
    return FALSE;
  if (stopped != NULL)
    *stopped = value != 0;
  return TRUE;
}

gboolean
crm_pipeline_bulk_was_queued (CrmPipelineBulk *self,
                              const char      *id)
{
  return g_hash_table_contains (self->queued, id);
}

const char *
crm_pipeline_bulk_get_refusal (CrmPipelineBulk *self,
                               const char      *id)
{
  return g_hash_table_lookup (self->refusals, id);
}

guint
crm_pipeline_bulk_get_n_queued (CrmPipelineBulk *self)
{
  return g_hash_table_size (self->queued);
}
