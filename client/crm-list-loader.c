#define G_LOG_DOMAIN "crm-list-loader"

#include "config.h"

#include "crm-list-loader.h"

struct _CrmListLoader
{
  GObject       parent_instance;

  /* While a load runs: */
  GCancellable *cancellable;
  GObject      *store;
  guint         changed_signal;
  gulong        changed_handler;
  GHashTable   *changed;   /* ids the store told meanwhile */
  gboolean      reset;     /* the store told a change of all */
};

G_DEFINE_FINAL_TYPE (CrmListLoader, crm_list_loader, G_TYPE_OBJECT)

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  GObject           *model;
  CrmListLoadFunc    load;
  CrmListReloadFunc  reload;
  gpointer           extra;
  GDestroyNotify     extra_free;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->model);
  if (load->extra != NULL && load->extra_free != NULL)
    load->extra_free (load->extra);
  g_free (load);
}

static void
stop_listening (CrmListLoader *self)
{
  if (self->changed_handler != 0)
    g_clear_signal_handler (&self->changed_handler, self->store);
  g_clear_object (&self->store);
}

/* To be told to the model once it is handed over. */
static void
store_changed_cb (CrmListLoader      *self,
                  const char * const *ids,
                  GObject            *store)
{
  if (ids == NULL)
    self->reset = TRUE;
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    g_hash_table_add (self->changed, g_strdup (ids[i]));
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GError) error = NULL;

  if (!load->load (load->model, &load->extra, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) changed = NULL;
  g_autoptr(GObject) store = NULL;
  g_autoptr(GObject) model = NULL;
  Load *load = g_task_get_task_data (G_TASK (result));
  gpointer extra;
  CrmListLoader *self;
  gboolean reset;
  guint signal_id;

  /* Cancelled: the loader may be gone. */
  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_clear_object (&self->cancellable);
  changed = g_steal_pointer (&self->changed);
  reset = self->reset;
  self->reset = FALSE;
  store = g_object_ref (self->store);
  signal_id = self->changed_signal;
  stop_listening (self);

  /* The model and what came with it go on the main thread, not with
   * the task, which the worker may drop last. */
  model = g_steal_pointer (&load->model);
  extra = g_steal_pointer (&load->extra);

  g_signal_handlers_unblock_matched (store, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, model);
  if (reset)
    /* read again in a worker; the list shows meanwhile what was read */
    load->reload (model);
  else if (g_hash_table_size (changed) > 0)
    {
      g_autofree char **ids = (char **) g_hash_table_get_keys_as_array (changed, NULL);

      g_signal_emit (store, signal_id, 0, ids);
    }

  g_signal_emit (self, signals[LOADED], 0, model, extra, error);
  if (extra != NULL && load->extra_free != NULL)
    load->extra_free (extra);
}

static void
crm_list_loader_dispose (GObject *object)
{
  CrmListLoader *self = CRM_LIST_LOADER (object);

  crm_list_loader_cancel (self);

  G_OBJECT_CLASS (crm_list_loader_parent_class)->dispose (object);
}

static void
crm_list_loader_class_init (CrmListLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_list_loader_dispose;

  /**
   * CrmListLoader::loaded:
   * @model: the model, filled (or as far as it got, on an error)
   * @extra: (nullable): what the load function left in its @extra
   * @error: (nullable): why the model could not be read
   *
   * The model is the main thread's from now on: the store's changes
   * reach it again.  @extra is freed after the signal.
   */
  signals[LOADED] =
    g_signal_new ("loaded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3,
                  G_TYPE_OBJECT,
                  G_TYPE_POINTER,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
crm_list_loader_init (CrmListLoader *self)
{
}

CrmListLoader *
crm_list_loader_new (void)
{
  return g_object_new (CRM_TYPE_LIST_LOADER, NULL);
}

/**
 * crm_list_loader_load:
 * @store: what @model reads, which emits @changed_signal
 * @changed_signal: the store's signal for changed rows: its one argument
 *   a NULL-terminated array of ids, or NULL for all
 * @model: a new, empty model over @store, not shown yet
 * @load: fills @model, in a worker thread
 * @reload: has @model read everything again, for a change of all that
 *   came while it loaded
 * @extra_free: (nullable): frees what @load leaves in its @extra
 *
 * Cancels the load that runs, if any, and loads @model; ::loaded comes
 * when it is done.
 */
void
crm_list_loader_load (CrmListLoader     *self,
                      GObject           *store,
                      const char        *changed_signal,
                      GObject           *model,
                      CrmListLoadFunc    load,
                      CrmListReloadFunc  reload,
                      GDestroyNotify     extra_free)
{
  g_autoptr(GTask) task = NULL;
  Load *data;
  guint signal_id;

  g_return_if_fail (CRM_IS_LIST_LOADER (self));
  g_return_if_fail (G_IS_OBJECT (store));
  g_return_if_fail (G_IS_OBJECT (model));
  g_return_if_fail (load != NULL && reload != NULL);
  g_return_if_fail (changed_signal != NULL);

  if (!g_signal_parse_name (changed_signal, G_OBJECT_TYPE (store), &signal_id, NULL, FALSE))
    {
      g_critical ("%s has no signal %s", G_OBJECT_TYPE_NAME (store), changed_signal);
      return;
    }

  crm_list_loader_cancel (self);

  data = g_new0 (Load, 1);
  data->model = g_object_ref (model);
  data->load = load;
  data->reload = reload;
  data->extra_free = extra_free;
  g_signal_handlers_block_matched (store, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, model);

  self->store = g_object_ref (store);
  self->changed_signal = signal_id;
  self->changed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->changed_handler = g_signal_connect_swapped (store, changed_signal, G_CALLBACK (store_changed_cb), self);
  self->cancellable = g_cancellable_new ();

  task = g_task_new (NULL, self->cancellable, load_cb, self);
  g_task_set_source_tag (task, crm_list_loader_load);
  g_task_set_task_data (task, data, load_free);
  g_task_run_in_thread (task, load_thread);
}

/**
 * crm_list_loader_cancel:
 *
 * Drops the load that runs, if any: no ::loaded for it.  Its model's
 * handlers of the store stay blocked; the model goes when the worker is
 * done with it.
 */
void
crm_list_loader_cancel (CrmListLoader *self)
{
  g_return_if_fail (CRM_IS_LIST_LOADER (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  stop_listening (self);
  g_clear_pointer (&self->changed, g_hash_table_unref);
  self->reset = FALSE;
}

/* Whether a load runs (::loaded has not come yet). */
gboolean
crm_list_loader_get_loading (CrmListLoader *self)
{
  g_return_val_if_fail (CRM_IS_LIST_LOADER (self), FALSE);

  return self->cancellable != NULL;
}
