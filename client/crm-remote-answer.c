#define G_LOG_DOMAIN "crm-remote-answer"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-error.h"
#include "crm-remote-answer.h"

/* How often the age is written again. */
#define AGE_INTERVAL 30

struct _CrmRemoteAnswer
{
  GObject             parent_instance;

  CrmRemoteCheckFunc  check;
  CrmApi             *api;
  CrmStore           *store;
  char               *path;
  GHashTable         *params;
  char               *key;
  GCancellable       *cancellable;
  CrmReportState      state;
  JsonNode           *answer;
  GDateTime          *fetched_at;
  GError             *error;
  char               *status;
  guint               age_source;
  guint               n_requests;
  gboolean            inactive;   /* nobody looks: the request waits */
  gboolean            waiting;    /* a request waits for crm_remote_answer_set_active () */
};

G_DEFINE_FINAL_TYPE (CrmRemoteAnswer, crm_remote_answer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
make_status (CrmRemoteAnswer *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *age = self->fetched_at ? crm_report_format_age (self->fetched_at, now) : g_strdup ("");

  return crm_report_state_dup_status (self->state, age);
}

static void
update_status (CrmRemoteAnswer *self)
{
  char *status = make_status (self);

  if (g_strcmp0 (status, self->status) == 0)
    {
      g_free (status);
      return;
    }
  g_free (self->status);
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static gboolean
age_cb (gpointer user_data)
{
  update_status (user_data);
  return G_SOURCE_CONTINUE;
}

static void
set_answer (CrmRemoteAnswer *self,
            CrmReportState   state,
            JsonNode        *answer,
            GDateTime       *fetched_at)
{
  g_clear_pointer (&self->answer, json_node_unref);
  self->answer = answer;
  g_clear_pointer (&self->fetched_at, g_date_time_unref);
  self->fetched_at = fetched_at ? g_date_time_ref (fetched_at) : NULL;
  self->state = state;
  update_status (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The kept answer for the current path, checked again; NULL when none. */
static JsonNode *
read_kept (CrmRemoteAnswer  *self,
           GDateTime       **fetched_at)
{
  g_autofree char *text = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *kept;

  if (self->store == NULL)
    return NULL;
  if (!crm_store_get_answer (self->store, self->path, self->key, &text, &when, &error))
    {
      g_warning ("Cannot read the kept answer of %s: %s", self->path, error->message);
      return NULL;
    }
  if (text == NULL)
    return NULL;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, -1, &error) ||
      (kept = self->check (json_parser_get_root (parser), &error)) == NULL)
    {
      /* kept by an older client, say: as if none were kept */
      g_warning ("The kept answer of %s does not read: %s", self->path, error->message);
      return NULL;
    }
  *fetched_at = g_steal_pointer (&when);
  return kept;
}

/* One request: what is asked, and what came. */
typedef struct
{
  CrmRemoteAnswer *self;   /* not a reference: the request is cancelled first */
  CrmStore        *store;
  char            *path;
  char            *key;
  JsonNode        *answer;
  GDateTime       *fetched_at;
} Request;

static void
request_free (Request *request)
{
  g_clear_object (&request->store);
  g_free (request->path);
  g_free (request->key);
  g_clear_pointer (&request->answer, json_node_unref);
  g_clear_pointer (&request->fetched_at, g_date_time_unref);
  g_free (request);
}

/* A write with fsync: off the main thread. */
static void
keep_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = json_to_string (request->answer, FALSE);

  if (!crm_store_put_answer (request->store, request->path, request->key, text, request->fetched_at, &error))
    g_warning ("Cannot keep the answer of %s: %s", request->path, error->message);
  g_task_return_boolean (task, TRUE);
}

/* The answer is kept (or there was nothing to keep): shown, unless the
 * request was cancelled meanwhile (another path, or @self gone). */
static void
kept_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Request *request = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), NULL) || request->answer == NULL)
    return;
  set_answer (request->self, CRM_REPORT_STATE_FRESH, g_steal_pointer (&request->answer), request->fetched_at);
}

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  CrmRemoteAnswer *self = request->self;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  root = crm_api_get_json_finish (CRM_API (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_task_return_boolean (task, FALSE);   /* @self may be gone */
      return;
    }
  if (root != NULL)
    request->answer = self->check (root, &error);
  if (request->answer != NULL)
    {
      request->fetched_at = g_date_time_new_now_utc ();
      if (request->store == NULL)
        g_task_return_boolean (task, TRUE);
      else
        /* shown once kept: a view that shows it and then goes offline finds it */
        g_task_run_in_thread (task, keep_thread);
      return;
    }
  g_task_return_boolean (task, FALSE);
  if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE) &&
      g_strcmp0 (crm_error_get_field (error), CRM_API_FIELD_SERVER) == 0)
    {
      /* not reached: the kept answer (if any) stays */
      self->state = self->answer != NULL ? CRM_REPORT_STATE_OFFLINE : CRM_REPORT_STATE_NONE;
      update_status (self);
      g_signal_emit (self, signals[CHANGED], 0);
      return;
    }
  g_clear_error (&self->error);
  self->error = g_steal_pointer (&error);
  set_answer (self, CRM_REPORT_STATE_FAILED, NULL, NULL);
}

static void
start (CrmRemoteAnswer *self)
{
  g_autoptr(GDateTime) fetched_at = NULL;
  JsonNode *kept;
  Request *request;
  GTask *task;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  if (self->path == NULL)
    {
      set_answer (self, CRM_REPORT_STATE_EMPTY, NULL, NULL);
      return;
    }
  if (self->inactive)
    {
      /* nothing of another path stays shown meanwhile */
      self->waiting = TRUE;
      if (self->answer != NULL || self->state != CRM_REPORT_STATE_EMPTY)
        set_answer (self, CRM_REPORT_STATE_EMPTY, NULL, NULL);
      return;
    }
  self->waiting = FALSE;

  kept = read_kept (self, &fetched_at);
  if (self->api == NULL)
    {
      set_answer (self, kept ? CRM_REPORT_STATE_OFFLINE : CRM_REPORT_STATE_NONE, kept, fetched_at);
      return;
    }
  set_answer (self, kept ? CRM_REPORT_STATE_KEPT : CRM_REPORT_STATE_LOADING, kept, fetched_at);

  request = g_new0 (Request, 1);
  request->self = self;
  request->store = self->store ? g_object_ref (self->store) : NULL;
  request->path = g_strdup (self->path);
  request->key = g_strdup (self->key);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->cancellable, kept_cb, NULL);
  g_task_set_source_tag (task, start);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  self->n_requests++;
  crm_api_get_json_async (self->api, self->path, self->params, self->cancellable, fetch_cb, task);
}

static void
crm_remote_answer_dispose (GObject *object)
{
  CrmRemoteAnswer *self = CRM_REMOTE_ANSWER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->age_source, g_source_remove);
  g_clear_object (&self->api);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_remote_answer_parent_class)->dispose (object);
}

static void
crm_remote_answer_finalize (GObject *object)
{
  CrmRemoteAnswer *self = CRM_REMOTE_ANSWER (object);

  g_clear_pointer (&self->answer, json_node_unref);
  g_clear_pointer (&self->fetched_at, g_date_time_unref);
  g_clear_pointer (&self->params, g_hash_table_unref);
  g_clear_error (&self->error);
  g_free (self->path);
  g_free (self->key);
  g_free (self->status);

  G_OBJECT_CLASS (crm_remote_answer_parent_class)->finalize (object);
}

static void
crm_remote_answer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrmRemoteAnswer *self = CRM_REMOTE_ANSWER (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_remote_answer_class_init (CrmRemoteAnswerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_remote_answer_dispose;
  object_class->finalize = crm_remote_answer_finalize;
  object_class->get_property = crm_remote_answer_get_property;

  /**
   * CrmRemoteAnswer:status:
   *
   * What a view says of the answer shown (crm_remote_answer_dup_status ()),
   * its age kept current.
   */
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, "",
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmRemoteAnswer::changed:
   *
   * The state, the answer or the error changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
crm_remote_answer_init (CrmRemoteAnswer *self)
{
  self->status = g_strdup ("");
  self->age_source = g_timeout_add_seconds (AGE_INTERVAL, age_cb, self);
}

CrmRemoteAnswer *
crm_remote_answer_new (CrmRemoteCheckFunc check)
{
  CrmRemoteAnswer *self;

  g_return_val_if_fail (check != NULL, NULL);

  self = g_object_new (CRM_TYPE_REMOTE_ANSWER, NULL);
  self->check = check;
  return self;
}

void
crm_remote_answer_set_api (CrmRemoteAnswer *self,
                           CrmApi          *api)
{
  g_return_if_fail (CRM_IS_REMOTE_ANSWER (self));
  g_return_if_fail (api == NULL || CRM_IS_API (api));

  if (g_set_object (&self->api, api) && self->path != NULL)
    start (self);
}

void
crm_remote_answer_set_store (CrmRemoteAnswer *self,
                             CrmStore        *store)
{
  g_return_if_fail (CRM_IS_REMOTE_ANSWER (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (g_set_object (&self->store, store) && self->path != NULL)
    start (self);
}

static void
copy_param (gpointer key,
            gpointer value,
            gpointer user_data)
{
  g_hash_table_insert (user_data, g_strdup (key), g_strdup (value));
}

void
crm_remote_answer_load (CrmRemoteAnswer *self,
                        const char      *path,
                        GHashTable      *params)
{
  g_return_if_fail (CRM_IS_REMOTE_ANSWER (self));

  if (path == NULL && self->path == NULL && self->state == CRM_REPORT_STATE_EMPTY)
    return;   /* nothing asked, nothing to ask */
  g_free (self->path);
  self->path = g_strdup (path);
  g_clear_pointer (&self->params, g_hash_table_unref);
  self->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (params != NULL)
    g_hash_table_foreach (params, copy_param, self->params);
  g_free (self->key);
  self->key = crm_remote_answer_dup_key (self->params);
  start (self);
}

void
crm_remote_answer_reload (CrmRemoteAnswer *self)
{
  g_return_if_fail (CRM_IS_REMOTE_ANSWER (self));

  start (self);
}

/**
 * crm_remote_answer_set_active:
 * @active: whether anyone looks at the answer
 *
 * An inactive one keeps its path but neither reads the store nor asks
 * the server; made active, it loads what it was last given.  Active when
 * made.
 */
void
crm_remote_answer_set_active (CrmRemoteAnswer *self,
                              gboolean         active)
{
  g_return_if_fail (CRM_IS_REMOTE_ANSWER (self));

  self->inactive = !active;
  if (active && self->waiting)
    start (self);
}

static void
widget_mapped_cb (CrmRemoteAnswer *self)
{
  crm_remote_answer_set_active (self, TRUE);
}

static void
widget_unmapped_cb (CrmRemoteAnswer *self)
{
  crm_remote_answer_set_active (self, FALSE);
}

/* Active exactly while @widget is mapped. */
void
crm_remote_answer_follow_mapped (CrmRemoteAnswer *self,
                                 GtkWidget       *widget)
{
  g_return_if_fail (CRM_IS_REMOTE_ANSWER (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  crm_remote_answer_set_active (self, gtk_widget_get_mapped (widget));
  g_signal_connect_object (widget, "map", G_CALLBACK (widget_mapped_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (widget, "unmap", G_CALLBACK (widget_unmapped_cb), self, G_CONNECT_SWAPPED);
}

CrmReportState
crm_remote_answer_get_state (CrmRemoteAnswer *self)
{
  g_return_val_if_fail (CRM_IS_REMOTE_ANSWER (self), CRM_REPORT_STATE_EMPTY);

  return self->state;
}

JsonNode *
crm_remote_answer_get_answer (CrmRemoteAnswer *self)
{
  g_return_val_if_fail (CRM_IS_REMOTE_ANSWER (self), NULL);

  return self->answer;
}

const char *
crm_remote_answer_get_path (CrmRemoteAnswer *self)
{
  g_return_val_if_fail (CRM_IS_REMOTE_ANSWER (self), NULL);

  return self->path;
}

const GError *
crm_remote_answer_get_error (CrmRemoteAnswer *self)
{
  g_return_val_if_fail (CRM_IS_REMOTE_ANSWER (self), NULL);

  return self->error;
}

GDateTime *
crm_remote_answer_get_fetched_at (CrmRemoteAnswer *self)
{
  g_return_val_if_fail (CRM_IS_REMOTE_ANSWER (self), NULL);

  return self->fetched_at;
}

char *
crm_remote_answer_dup_status (CrmRemoteAnswer *self)
{
  g_return_val_if_fail (CRM_IS_REMOTE_ANSWER (self), NULL);

  return g_strdup (self->status);
}

guint
crm_remote_answer_get_n_requests (CrmRemoteAnswer *self)
{
  g_return_val_if_fail (CRM_IS_REMOTE_ANSWER (self), 0);

  return self->n_requests;
}

static int
compare_names (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char *
crm_remote_answer_dup_key (GHashTable *params)
{
  g_autoptr(GString) key = g_string_new (NULL);
  g_autofree gpointer *names = NULL;
  guint n = 0;

  if (params == NULL)
    return g_strdup ("");
  names = g_hash_table_get_keys_as_array (params, &n);
  g_qsort_with_data (names, n, sizeof (gpointer), compare_names, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *value = g_uri_escape_string (g_hash_table_lookup (params, names[i]), NULL, FALSE);

      g_string_append_printf (key, "%s%s=%s", i > 0 ? "&" : "", (char *) names[i], value);
    }
  return g_string_free (g_steal_pointer (&key), FALSE);
}
