#define G_LOG_DOMAIN "crm-sync-engine"

#include "config.h"

#include "crm-cursor.h"
#include "crm-error.h"
#include "crm-entity.h"
#include "crm-sync-engine.h"

/*
 * One sync is one "run": an internal GTask whose data is a Run, passed
 * from step to step (each callback owns it), and returned once, to
 * run_finished_cb, which sets the properties, emits ::finished and
 * completes the callers of crm_sync_engine_sync_async() that waited for it.
 *
 *   queue step (worker) -> POST /mutations -> queue step -> ... -> no more
 *   -> GET /sync page 1 -> apply page 1 (worker) -> apply page 2 -> ...
 *                       -> GET /sync page 2      -> GET page 3  -> ... more: false
 *
 * The GET of a page goes out as soon as the page before it is parsed,
 * while the store applies that one (see "The pull" below).  Everything but
 * the worker steps (and CrmApi's parse of a large answer) runs on the main
 * context that was
 * the thread default when the engine was made; so do the notifications.
 * The queue step settles the answered mutation and takes the next one in a
 * worker, because the store's writes wait for SQLite's fsync (the queue is
 * written synchronous=FULL).
 *
 * Outcome, from the error the run ends with:
 *   none                                      -> IDLE, last-synced = now
 *   CRM_ERROR_UNAVAILABLE, field "server"     -> OFFLINE (not reached)
 *   CRM_ERROR_UNAUTHENTICATED                 -> FAILED, ::unauthenticated,
 *                                                the timer stops
 *   G_IO_ERROR_CANCELLED                      -> the status before the run
 *   anything else (an answered 5xx, a bad page, the store) -> FAILED
 *
 * 412 and "conflicts".  An update whose fields a colleague changed first
 * is answered 412 precondition_failed (409 conflict from servers before
 * issue 10, and in the answers they kept for retries) with the record as
 * it is now and, per field, base, mine and theirs; nothing of it was
 * applied.  The store keeps the change in
 * conflict (still shown, never dropped) with the current record, and
 * ::conflict passes both on for the window to offer a resolution.  The
 * push goes on with the next change: a conflict holds back only the later
 * changes of the same record (crm_store_next_mutation() skips them).  A
 * 409 without "conflicts" (a create of a record that exists) and every
 * other 4xx (422 idempotency_key_reused, 404, 403...) marks the change
 * failed with the server's code and message, kept in the queue for the
 * user to see.  A delete is answered {"id", "deleted": true}, without a
 * record: the store then drops the record from both layers; a 404 to a
 * delete settles it the same way (the record is gone for this user).  The first run of an engine also emits ::conflict (without
 * a current record) for each change still in conflict from an earlier
 * session, so that the window can offer it again.
 */

struct _CrmSyncEngine
{
  GObject        parent_instance;

  CrmApi        *api;
  CrmStore      *store;
  GMainContext  *context;        /* where the engine runs and notifies */

  CrmSyncStatus  status;
  gboolean       first_sync;
  guint          entities_done;  /* of the stage order, in full (first_sync) */
  guint64        received;
  guint64        total;
  gboolean       total_estimated;
  GDateTime     *last_synced;
  guint          pending;
  char          *last_error;
  guint          page_size;

  GSource       *timer;
  struct _Run   *run;            /* the running sync, or NULL */
  gboolean       rerun;          /* one more run after it */
  gboolean       announced;      /* conflicts of earlier sessions announced */
  GPtrArray     *next_waiters;   /* Waiter: sync_async calls for the run after */

  gulong         changed_handler;
  gboolean       counting;       /* a count of the queue is under way */
  gboolean       count_again;    /* the queue changed while it ran */
};

G_DEFINE_FINAL_TYPE (CrmSyncEngine, crm_sync_engine, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (CrmSyncStatus, crm_sync_status,
  G_DEFINE_ENUM_VALUE (CRM_SYNC_STATUS_IDLE, "idle"),
  G_DEFINE_ENUM_VALUE (CRM_SYNC_STATUS_RUNNING, "running"),
  G_DEFINE_ENUM_VALUE (CRM_SYNC_STATUS_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (CRM_SYNC_STATUS_FAILED, "failed"))

enum {
  PROP_0,
  PROP_API,
  PROP_STORE,
  PROP_STATUS,
  PROP_FIRST_SYNC,
  PROP_ENTITIES_DONE,
  PROP_RECEIVED,
  PROP_TOTAL,
  PROP_LAST_SYNCED,
  PROP_PENDING,
  PROP_LAST_ERROR,
  N_PROPS
};

enum {
  CONFLICT,
  UNAUTHENTICATED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* A caller of crm_sync_engine_sync_async () and the link from its
 * cancellable to the run's. */
typedef struct
{
  GTask  *task;
  gulong  cancelled_handler;
} Waiter;

typedef struct _Run
{
  GCancellable  *cancellable;
  GPtrArray     *waiters;         /* Waiter */
  CrmSyncStatus  status_before;
  CrmMutation   *mutation;        /* the one being pushed */
  /* the pull: at most two pages received or under way ahead of the one
   * applying */
  char          *cursor;          /* of the next page to ask for; NULL: from nothing */
  gboolean       cursor_dropped;  /* the server refused the cursor once */
  gboolean       to_fetch;        /* a page is still to be asked for */
  guint          fetching;        /* GETs of /sync under way (at most 2) */
  guint          asked;           /* pages asked for so far (each GET's number) */
  guint          taken;           /* answers taken so far, in the order asked */
  struct _Fetch *early;           /* an answer that came before the one asked before it */
  GQueue         ready;           /* CrmSyncPage: read and checked, waiting for the one applying */
  CrmSyncPage   *applying;        /* in the store's worker */
  GError        *error;           /* the first failure: the run ends with it
                                   * once nothing is under way */
} Run;

/* What the queue step does in its worker, and what it found. */
typedef enum
{
  SETTLE_NONE,
  SETTLE_DONE,
  SETTLE_CONFLICT,
  SETTLE_FAILED,
} Settle;

typedef struct
{
  CrmStore    *store;
  Settle       settle;
  gint64       seq;
  JsonObject  *record;     /* for DONE and CONFLICT; may be NULL */
  JsonArray   *conflicts;  /* for CONFLICT */
  char        *reason;     /* for FAILED, and CONFLICT's message */
  gboolean     take_next;
  gboolean     announce;   /* find the changes in conflict */
  /* out */
  GPtrArray   *unresolved; /* CrmMutation: those in conflict, if announce */
  CrmMutation *settled;    /* CONFLICT: the change as the store now keeps it */
  CrmMutation *next;
  guint        pending;
  char        *cursor;
} QueueStep;

static void start_run           (CrmSyncEngine *self);
static void count_pending_async (CrmSyncEngine *self);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void
waiter_free (gpointer data)
{
  Waiter *waiter = data;

  if (waiter->cancelled_handler != 0)
    g_cancellable_disconnect (g_task_get_cancellable (waiter->task), waiter->cancelled_handler);
  g_clear_object (&waiter->task);
  g_free (waiter);
}

/* One GET /sync: the run's task, its number, the cursor it asked with,
 * and, once its head named the page after it and that page was asked for
 * at once, that cursor (CRM_SYNC_NEXT_HEADER).  Shared by the GET's callback
 * and its header watch. */
typedef struct _Fetch
{
  GTask    *task;
  guint     number;
  char     *cursor;      /* asked with; NULL: from nothing */
  char     *ahead;       /* the next page's, asked for from the head */
  CrmSyncPage *answer;   /* held while an earlier answer is awaited */
  GError   *error;
} Fetch;

static void
fetch_clear (gpointer data)
{
  Fetch *fetch = data;

  g_clear_object (&fetch->task);
  g_clear_pointer (&fetch->cursor, g_free);
  g_clear_pointer (&fetch->ahead, g_free);
  g_clear_pointer (&fetch->answer, crm_sync_page_unref);
  g_clear_error (&fetch->error);
}

static void
fetch_unref (gpointer data)
{
  g_rc_box_release_full (data, fetch_clear);
}

static void
run_free (gpointer data)
{
  Run *run = data;

  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->waiters, g_ptr_array_unref);
  g_clear_pointer (&run->mutation, crm_mutation_unref);
  g_clear_pointer (&run->cursor, g_free);
  g_queue_clear_full (&run->ready, (GDestroyNotify) crm_sync_page_unref);
  g_clear_pointer (&run->early, fetch_unref);
  g_clear_pointer (&run->applying, crm_sync_page_unref);
  g_clear_error (&run->error);
  g_free (run);
}

static void
queue_step_free (gpointer data)
{
  QueueStep *step = data;

  g_clear_object (&step->store);
  g_clear_pointer (&step->record, json_object_unref);
  g_clear_pointer (&step->conflicts, json_array_unref);
  g_clear_pointer (&step->settled, crm_mutation_unref);
  g_clear_pointer (&step->unresolved, g_ptr_array_unref);
  g_free (step->reason);
  g_clear_pointer (&step->next, crm_mutation_unref);
  g_free (step->cursor);
  g_free (step);
}

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
set_status (CrmSyncEngine *self,
            CrmSyncStatus  status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_entities_done (CrmSyncEngine *self,
                   guint          done)
{
  if (self->entities_done == done)
    return;
  self->entities_done = done;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENTITIES_DONE]);
}

/* A first sync fills the store from nothing, entity after entity; outside
 * one, no entity is waiting for its first records.  Both are set before
 * either is notified. */
static void
set_first_sync (CrmSyncEngine *self,
                gboolean       first_sync)
{
  if (self->first_sync == first_sync)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  self->first_sync = first_sync;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_SYNC]);
  set_entities_done (self, first_sync ? 0 : CRM_N_ENTITIES);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The place of @entity in the order a round sends the entities. */
static guint
stage_of (CrmEntity entity)
{
  for (guint stage = 0; stage < CRM_N_ENTITIES; stage++)
    if (crm_sync_stage_entity (stage) == entity)
      return stage;
  g_return_val_if_reached (CRM_N_ENTITIES);
}

/* @page, of a first sync, is applied: the entities before the last one it
 * has records of are in full.  The round sends one entity after another
 * (GET /sync, docs/openapi.yaml), so a record of an entity comes after
 * every record of the entities before it; an entity of which the caller
 * has none is known to be in once a later one's records come, or when
 * the sync ends. */
static void
note_entities_done (CrmSyncEngine *self,
                    CrmSyncPage   *page)
{
  for (guint stage = CRM_N_ENTITIES; stage > self->entities_done; stage--)
    if (crm_sync_page_get_n_entity_records (page, crm_sync_stage_entity (stage - 1)) > 0)
      {
        if (stage - 1 > self->entities_done)
          g_debug ("First sync: the entities before %s are in, after %" G_GUINT64_FORMAT " records",
                   crm_entity_info (crm_sync_stage_entity (stage - 1))->plural, self->received);
        set_entities_done (self, stage - 1);
        return;
      }
}

static void
set_received (CrmSyncEngine *self,
              guint64        received)
{
  if (self->received == received)
    return;
  self->received = received;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVED]);
}

static void
set_total (CrmSyncEngine *self,
           guint64        total,
           gboolean       estimated)
{
  if (self->total == total && self->total_estimated == estimated)
    return;
  self->total = total;
  self->total_estimated = estimated;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
}

static void
set_pending (CrmSyncEngine *self,
             guint          pending)
{
  if (self->pending == pending)
    return;
  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

static void
set_last_error (CrmSyncEngine *self,
                const char    *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
stop_timer (CrmSyncEngine *self)
{
  if (self->timer == NULL)
    return;
  g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
}

static gboolean
is_offline_error (const GError *error)
{
  return g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE) &&
         g_strcmp0 (crm_error_get_field (error), CRM_API_FIELD_SERVER) == 0;
}

/* ------------------------------------------------------------------ */
/* The queue step (a worker)                                           */
/* ------------------------------------------------------------------ */

/* The changes still to send; with @unresolved, collects those in conflict. */
static guint
count_pending (CrmStore   *store,
               GPtrArray  *unresolved,
               GError    **error)
{
  g_autoptr(GPtrArray) queue = crm_store_list_mutations (store, error);
  guint pending = 0;

  if (queue == NULL)
    return G_MAXUINT;
  for (guint i = 0; i < queue->len; i++)
    {
      CrmMutation *m = queue->pdata[i];

      if (m->state == CRM_MUTATION_PENDING || m->state == CRM_MUTATION_SENT)
        pending++;
      else if (m->state == CRM_MUTATION_CONFLICT && unresolved != NULL)
        g_ptr_array_add (unresolved, crm_mutation_ref (m));
    }
  return pending;
}

static void
queue_step_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  QueueStep *step = task_data;
  GError *error = NULL;
  gboolean ok;

  switch (step->settle)
    {
    case SETTLE_NONE:
      ok = TRUE;
      break;
    case SETTLE_DONE:
      ok = crm_store_mutation_done (step->store, step->seq, step->record, &error);
      break;
    case SETTLE_CONFLICT:
      ok = crm_store_mutation_conflict (step->store, step->seq, step->record, step->conflicts, step->reason,
                                        &error) &&
           (step->settled = crm_store_get_mutation (step->store, step->seq, &error)) != NULL;
      break;
    case SETTLE_FAILED:
      ok = crm_store_mutation_failed (step->store, step->seq, step->reason, &error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (ok && step->take_next)
    {
      step->next = crm_store_next_mutation (step->store, &error);
      ok = step->next != NULL || error == NULL;
    }
  if (ok)
    {
      if (step->announce)
        step->unresolved = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_mutation_unref);
      step->pending = count_pending (step->store, step->unresolved, &error);
      ok = step->pending != G_MAXUINT;
    }
  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  step->cursor = crm_store_dup_cursor (step->store);
  g_task_return_boolean (task, TRUE);
}

/* Runs @step in a worker; @callback gets @user_data.  The task has no
 * source object, so nothing of the engine is released in the worker. */
static void
queue_step_run (QueueStep           *step,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) worker = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (worker, queue_step_run);
  g_task_set_task_data (worker, step, queue_step_free);
  g_task_run_in_thread (worker, queue_step_thread);
}

/* ------------------------------------------------------------------ */
/* A run                                                               */
/* ------------------------------------------------------------------ */

static void push_next (GTask *task, CrmMutation *mutation);
static void advance (GTask *task);
static void queue_stepped_cb (GObject *object, GAsyncResult *result, gpointer user_data);

/* Settles the mutation being pushed and takes the next one.  Each step
 * below takes the run's @task, the one reference its callback owns. */
static void
settle (GTask       *task,
        Settle       how,
        JsonObject  *record,
        JsonArray   *conflicts,
        const char  *reason)
{
  CrmSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  QueueStep *step = g_new0 (QueueStep, 1);

  step->store = g_object_ref (self->store);
  step->settle = how;
  step->seq = run->mutation->seq;
  step->record = record ? json_object_ref (record) : NULL;
  step->conflicts = conflicts ? json_array_ref (conflicts) : NULL;
  step->reason = g_strdup (reason);
  step->take_next = TRUE;
  queue_step_run (step, queue_stepped_cb, task);
}

/* The "conflicts" array of a 412's (or an older server's 409's) body, or NULL. */
static JsonArray *
conflicts_member (JsonObject *body)
{
  JsonNode *node = body ? json_object_get_member (body, "conflicts") : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* A refusal as the queue keeps it (crm_mutation_format_refusal ()): the
 * server's own code when it gave one (idempotency_key_reused is not one of
 * ours), and the field it named, for the list of unsent changes. */
static char *
refusal_reason (const GError *error,
                JsonObject   *body)
{
  JsonObject *detail = body ? object_member (body, "error") : NULL;
  const char *code = detail ? json_object_get_string_member_with_default (detail, "code", NULL) : NULL;
  JsonNode *field = detail ? json_object_get_member (detail, "field") : NULL;

  return crm_mutation_format_refusal (code ? code : crm_error_code_to_string (error->code),
                                      field != NULL && JSON_NODE_HOLDS_VALUE (field) &&
                                      json_node_get_value_type (field) == G_TYPE_STRING
                                        ? json_node_get_string (field) : NULL,
                                      error->message);
}

static void
mutation_posted_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) error_body = NULL;
  Run *run = g_task_get_task_data (task);
  JsonObject *body;
  guint status = 0;

  answer = crm_api_post_json_finish_full (CRM_API (object), result, &status, &error_body, &error);
  if (answer != NULL)
    {
      JsonObject *record = JSON_NODE_HOLDS_OBJECT (answer) ? object_member (json_node_get_object (answer), "record")
                                                           : NULL;

      settle (g_steal_pointer (&task), SETTLE_DONE, record, NULL, NULL);
      return;
    }
  body = error_body != NULL && JSON_NODE_HOLDS_OBJECT (error_body) ? json_node_get_object (error_body) : NULL;

  if ((g_error_matches (error, CRM_ERROR, CRM_ERROR_PRECONDITION_FAILED) ||
       g_error_matches (error, CRM_ERROR, CRM_ERROR_CONFLICT)) &&
      conflicts_member (body) != NULL && run->mutation->op == CRM_MUTATION_OP_UPDATE)
    {
      g_debug ("Mutation %" G_GINT64_FORMAT " (%s) is in conflict: %s", run->mutation->seq, run->mutation->key,
               error->message);
      settle (g_steal_pointer (&task), SETTLE_CONFLICT, object_member (body, "record"), conflicts_member (body),
              error->message);
      return;
    }

  /* A delete answered 404: the record is gone for this user (deleted by
   * someone else, or moved out of their sight), which is what the delete
   * asked for.  Settled as done: the mutation and both rows go, and the
   * departure the next sync may bring finds nothing left to remove. */
  if (run->mutation->op == CRM_MUTATION_OP_DELETE && g_error_matches (error, CRM_ERROR, CRM_ERROR_NOT_FOUND))
    {
      g_debug ("Mutation %" G_GINT64_FORMAT " deletes a record already gone: %s", run->mutation->seq,
               error->message);
      settle (g_steal_pointer (&task), SETTLE_DONE, NULL, NULL, NULL);
      return;
    }

  if (status >= 400 && status < 500 && !g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAUTHENTICATED))
    {
      g_autofree char *reason = refusal_reason (error, body);

      g_message ("The server refused a change (%u): %s", status, reason);
      settle (g_steal_pointer (&task), SETTLE_FAILED, NULL, NULL, reason);
      return;
    }

  /* not reached, signed out, cancelled, or a server error: the mutation
   * stays in the queue, sent, and is sent again with its key */
  g_task_return_error (task, g_steal_pointer (&error));
}

/* Sends @mutation (taking it, and @task). */
static void
push_next (GTask       *task,
           CrmMutation *mutation)
{
  CrmSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonNode) body = NULL;

  g_clear_pointer (&run->mutation, crm_mutation_unref);
  run->mutation = mutation;
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  request = crm_mutation_to_request (mutation);
  body = json_node_init_object (json_node_alloc (), request);
  crm_api_post_json_async (self->api, "/mutations", body, g_task_get_cancellable (task), mutation_posted_cb, task);
}

static void
queue_stepped_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  CrmSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  QueueStep *step = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_pending (self, step->pending);
  /* the store holds the current record when the signal is emitted */
  if (step->settle == SETTLE_CONFLICT)
    g_signal_emit (self, signals[CONFLICT], 0, step->settled, step->record);
  if (step->announce)
    self->announced = TRUE;
  for (guint i = 0; step->unresolved != NULL && i < step->unresolved->len; i++)
    g_signal_emit (self, signals[CONFLICT], 0, step->unresolved->pdata[i], NULL);

  if (step->next != NULL)
    {
      push_next (g_steal_pointer (&task), g_steal_pointer (&step->next));
      return;
    }

  /* the queue is empty (or holds failed changes only): pull */
  g_clear_pointer (&run->mutation, crm_mutation_unref);
  g_free (run->cursor);
  run->cursor = g_steal_pointer (&step->cursor);
  set_first_sync (self, run->cursor == NULL);
  run->to_fetch = TRUE;
  advance (task);
}

/* The pull.  Page N's cursor is in the head of its answer
 * (CRM_SYNC_NEXT_HEADER), so the GET of page N+1 goes out as soon as that
 * head is in, while N's body arrives and is parsed in a worker and the
 * store's worker applies N-1: the server's time for one page overlaps the
 * transfer and parse of the one before and the apply of the one before
 * that.  (Without the header, from a server that does not send it, N+1 is
 * asked for once N is parsed.)  Nothing is asked for ahead while a page
 * waits to be applied, so at most two pages wait behind the one applying
 * and memory stays bounded whatever the size of the sync; answers are
 * taken in the order asked, and a body that names another next page than
 * its head fails the run.  Pages are applied one at a time, in
 * order, each in one transaction with its own cursor: a failure or a
 * cancel at any point leaves the store at the end of the last page applied,
 * and the next sync asks for the page after it.
 *
 * Each step below is a callback that owns one reference to the run's task
 * and ends with advance (), which starts what may start, and ends the run
 * once nothing is under way. */

/* Keeps the first failure; the run ends with it when nothing is under way. */
static void
fail (Run    *run,
      GError *error)
{
  if (run->error == NULL)
    run->error = error;
  else
    g_error_free (error);
}

static void
page_applied_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  CrmSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(CrmSyncPage) page = g_steal_pointer (&run->applying);

  if (!crm_store_apply_sync_page_finish (CRM_STORE (object), result, &error))
    fail (run, g_steal_pointer (&error));
  else
    {
      set_received (self, self->received + crm_sync_page_get_n_records (page));
      /* the store dropped its copy: from nothing again */
      if (crm_sync_page_get_reset (page))
        {
          set_first_sync (self, TRUE);
          set_entities_done (self, 0);
        }
      else if (self->first_sync)
        note_entities_done (self, page);
    }
  advance (task);
}

/* Hands the page received to the store's worker. */
static void
apply_ready (GTask *task)
{
  CrmSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);

  g_assert (run->applying == NULL && !g_queue_is_empty (&run->ready));
  run->applying = g_queue_pop_head (&run->ready);
  /* Not cancellable: a page that came is applied, with its cursor. */
  crm_store_apply_sync_page_async (self->store, run->applying, NULL, page_applied_cb, g_object_ref (task));
}

/* Takes @page (its reference), checked, as the one to apply next, and
 * learns from it where the page after it starts (unless that page was
 * asked for from the answer's head: @ahead). */
static void
receive (Run         *run,
         CrmSyncPage *page,
         const char  *ahead)
{
  if (ahead == NULL)
    {
      gboolean reset = crm_sync_page_get_reset (page);

      g_clear_pointer (&run->cursor, g_free);
      if (!reset)
        run->cursor = g_strdup (crm_sync_page_get_cursor (page));   /* checked before */
      run->to_fetch = reset || crm_sync_page_get_more (page);
    }
  g_assert (g_queue_get_length (&run->ready) < 2);
  g_queue_push_tail (&run->ready, page);
}

/* The answer of @fetch, read (CrmApi reads an answer of more than 64 KiB,
 * as every full page is, in a worker; crm_sync_page_read ()): checked
 * here, then queued. */
static void
take_answer (GTask *task,
             Fetch *fetch)
{
  CrmSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  CrmSyncPage *page = fetch->answer;

  if (fetch->answer == NULL)
    {
      /* A cursor this server does not take (made by an older one, or
       * damaged): start from nothing rather than fail every sync. */
      if (g_error_matches (fetch->error, CRM_ERROR, CRM_ERROR_INVALID) &&
          g_strcmp0 (crm_error_get_field (fetch->error), "cursor") == 0 &&
          fetch->cursor != NULL && !run->cursor_dropped)
        {
          g_message ("The server refused the sync cursor (%s); syncing from the start", fetch->error->message);
          run->cursor_dropped = TRUE;
          receive (run, crm_sync_page_new_reset (), NULL);
        }
      else
        fail (run, g_steal_pointer (&fetch->error));
      return;
    }
  if (crm_sync_page_get_reset (page))
    {
      /* a page asked for without a cursor cannot belong to someone else */
      if (fetch->cursor == NULL)
        {
          fail (run, g_error_new (CRM_ERROR, CRM_ERROR_MALFORMED, "The server reset a sync that had no cursor"));
          return;
        }
    }
  else if (crm_sync_page_get_cursor (page) == NULL)
    {
      /* without it the store would forget where it is and miss removals */
      fail (run, g_error_new (CRM_ERROR, CRM_ERROR_MALFORMED, "The server’s sync page has no cursor"));
      return;
    }
  /* the page after it was asked for from the head: the body must agree */
  if (fetch->ahead != NULL &&
      (crm_sync_page_get_reset (page) || !crm_sync_page_get_more (page) ||
       g_strcmp0 (crm_sync_page_get_cursor (page), fetch->ahead) != 0))
    {
      fail (run, g_error_new (CRM_ERROR, CRM_ERROR_MALFORMED,
                              "The server’s sync page names another next page in its body than in its head"));
      return;
    }
  if (crm_sync_page_get_total (page) >= 0)
    set_total (self, (guint64) crm_sync_page_get_total (page), crm_sync_page_get_total_estimated (page));

  receive (run, crm_sync_page_ref (page), fetch->ahead);
}

/* Answers are taken in the order they were asked for: one that comes
 * before the answer asked before it (two GETs can be under way) waits. */
static void
page_received_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Fetch *fetch = user_data;
  g_autoptr(GTask) task = g_object_ref (fetch->task);
  Run *run = g_task_get_task_data (task);

  run->fetching--;
  fetch->answer = crm_api_get_read_finish (CRM_API (object), result, &fetch->error);
  if (fetch->number != run->taken)
    {
      g_assert (run->early == NULL);
      run->early = fetch;
      return;
    }
  take_answer (task, fetch);
  run->taken++;
  fetch_unref (fetch);
  if (run->early != NULL && run->early->number == run->taken)
    {
      Fetch *early = g_steal_pointer (&run->early);

      if (run->error == NULL)
        take_answer (task, early);
      run->taken++;
      fetch_unref (early);
    }
  advance (task);
}

static void fetch_page (GTask *task);

/* The head of a page's answer named the page after it
 * (CRM_SYNC_NEXT_HEADER): ask for it now, while this one's body arrives and
 * is parsed, if nothing else waits. */
static void
next_heard (const char *cursor,
            gpointer    data)
{
  Fetch *fetch = data;
  Run *run = g_task_get_task_data (fetch->task);

  if (cursor == NULL || *cursor == '\0' || run->error != NULL || g_cancellable_is_cancelled (run->cancellable))
    return;
  if (run->fetching != 1 || run->to_fetch || !g_queue_is_empty (&run->ready) || fetch->number != run->asked - 1)
    return;
  fetch->ahead = g_strdup (cursor);
  g_free (run->cursor);
  run->cursor = g_strdup (cursor);
  run->to_fetch = TRUE;
  fetch_page (fetch->task);
}

/* A page's answer, read in CrmApi's worker. */
static gpointer
read_page (GBytes  *body,
           GError **error)
{
  gsize length = 0;
  const char *data = g_bytes_get_data (body, &length);

  return crm_sync_page_read (data, length, error);
}

/* GET the page at run->cursor. */
static void
fetch_page (GTask *task)
{
  CrmSyncEngine *self = g_task_get_source_object (task);
  Run *run = g_task_get_task_data (task);
  g_autoptr(GHashTable) query = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  Fetch *fetch = g_rc_box_new0 (Fetch);

  g_assert (run->fetching < 2 && run->to_fetch);
  run->fetching++;
  run->to_fetch = FALSE;
  fetch->task = g_object_ref (task);
  fetch->number = run->asked++;
  fetch->cursor = g_strdup (run->cursor);
  g_hash_table_insert (query, (gpointer) "limit", g_strdup_printf ("%u", self->page_size));
  if (run->cursor != NULL)
    g_hash_table_insert (query, (gpointer) "cursor", g_strdup (run->cursor));
  crm_api_get_read_with_header_async (self->api, "/sync", query, CRM_SYNC_NEXT_HEADER, next_heard,
                                      g_rc_box_acquire (fetch), fetch_unref, read_page,
                                      (GDestroyNotify) crm_sync_page_unref,
                                      g_task_get_cancellable (task), page_received_cb, fetch);
}

/* Starts what may start: the apply of the page received once the store's
 * worker is free, and the GET of the next page once nothing waits to be
 * applied and no GET is under way (next_heard () asks earlier).  After a
 * failure or a cancel nothing new starts, and when nothing is under way any more the run ends: a page
 * received but not applied is dropped (cancelling stops between pages),
 * and what was applied stays, with its cursor.  Does not take @task. */
static void
advance (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  gboolean go_on = run->error == NULL && !g_cancellable_is_cancelled (run->cancellable);

  if (go_on && run->applying == NULL && !g_queue_is_empty (&run->ready))
    apply_ready (task);
  if (go_on && run->fetching == 0 && g_queue_is_empty (&run->ready) && run->to_fetch)
    fetch_page (task);
  if (run->applying != NULL || run->fetching > 0)
    return;

  if (run->error != NULL)
    g_task_return_error (task, g_steal_pointer (&run->error));
  else if (!run->to_fetch && g_queue_is_empty (&run->ready))
    g_task_return_boolean (task, TRUE);   /* the last page is applied */
  else if (!g_task_return_error_if_cancelled (task))
    g_assert_not_reached ();
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      run_cancellable)
{
  g_cancellable_cancel (run_cancellable);
}

static void
run_finished_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CrmSyncEngine *self = CRM_SYNC_ENGINE (object);
  Run *run = g_task_get_task_data (G_TASK (result));
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&run->waiters);
  g_autoptr(GError) error = NULL;
  gboolean success;

  g_assert (self->run == run);
  self->run = NULL;
  success = g_task_propagate_boolean (G_TASK (result), &error);

  g_object_freeze_notify (G_OBJECT (self));
  set_first_sync (self, FALSE);
  if (success)
    {
      g_debug ("Synced: %" G_GUINT64_FORMAT " records", self->received);
      g_clear_pointer (&self->last_synced, g_date_time_unref);
      self->last_synced = g_date_time_new_now_utc ();
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
      set_last_error (self, NULL);
      set_status (self, CRM_SYNC_STATUS_IDLE);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_debug ("Sync cancelled");
      set_status (self, run->status_before);
    }
  else
    {
      g_message ("Sync failed: %s", error->message);
      set_last_error (self, error->message);
      set_status (self, is_offline_error (error) ? CRM_SYNC_STATUS_OFFLINE : CRM_SYNC_STATUS_FAILED);
    }
  g_object_thaw_notify (G_OBJECT (self));

  if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAUTHENTICATED))
    {
      /* the token is of no more use: no more syncs until someone asks */
      stop_timer (self);
      self->rerun = FALSE;
      g_signal_emit (self, signals[UNAUTHENTICATED], 0);
    }
  g_signal_emit (self, signals[FINISHED], 0, success);

  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = waiters->pdata[i];

      if (success)
        g_task_return_boolean (waiter->task, TRUE);
      else
        g_task_return_error (waiter->task, g_error_copy (error));
    }

  if (self->run == NULL && (self->rerun || self->next_waiters->len > 0))
    start_run (self);
  if (self->run == NULL && self->count_again)
    count_pending_async (self);
}

static void
start_run (CrmSyncEngine *self)
{
  g_autoptr(GTask) task = NULL;
  Run *run;
  QueueStep *step;

  g_assert (self->run == NULL);

  run = g_new0 (Run, 1);
  run->cancellable = g_cancellable_new ();
  run->waiters = g_steal_pointer (&self->next_waiters);
  run->status_before = self->status;
  self->next_waiters = g_ptr_array_new_with_free_func (waiter_free);
  self->rerun = FALSE;
  self->run = run;

  for (guint i = 0; i < run->waiters->len; i++)
    {
      Waiter *waiter = run->waiters->pdata[i];
      GCancellable *cancellable = g_task_get_cancellable (waiter->task);

      /* a caller who gives up cancels the run it waits for */
      if (cancellable != NULL)
        waiter->cancelled_handler = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb),
                                                           g_object_ref (run->cancellable), g_object_unref);
    }

  task = g_task_new (self, run->cancellable, run_finished_cb, NULL);
  g_task_set_source_tag (task, start_run);
  g_task_set_task_data (task, run, run_free);
  /* a run that ends as it is cancelled still reports what it did */
  g_task_set_check_cancellable (task, FALSE);

  g_object_freeze_notify (G_OBJECT (self));
  set_received (self, 0);
  set_total (self, 0, FALSE);
  set_status (self, CRM_SYNC_STATUS_RUNNING);
  g_object_thaw_notify (G_OBJECT (self));

  step = g_new0 (QueueStep, 1);
  step->store = g_object_ref (self->store);
  step->settle = SETTLE_NONE;
  step->take_next = TRUE;
  step->announce = !self->announced;
  queue_step_run (step, queue_stepped_cb, g_steal_pointer (&task));
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                           */
/* ------------------------------------------------------------------ */

static void
pending_counted_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(CrmSyncEngine) self = user_data;
  g_autoptr(GError) error = NULL;
  QueueStep *step = g_task_get_task_data (G_TASK (result));

  self->counting = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not count the queued changes: %s", error->message);
  else if (self->run == NULL)
    set_pending (self, step->pending);
  if (self->count_again && self->run == NULL)
    count_pending_async (self);
}

/* Counts the queue in a worker for "pending"; during a run, or while a
 * count runs, once more after it. */
static void
count_pending_async (CrmSyncEngine *self)
{
  QueueStep *step;

  if (self->run != NULL || self->counting)
    {
      self->count_again = TRUE;
      return;
    }
  self->counting = TRUE;
  self->count_again = FALSE;
  step = g_new0 (QueueStep, 1);
  step->store = g_object_ref (self->store);
  step->settle = SETTLE_NONE;
  queue_step_run (step, pending_counted_cb, g_object_ref (self));
}

/* An edit was queued, or anything else changed. */
static void
customers_changed_cb (CrmStore      *store,
                      GStrv          ids,
                      CrmSyncEngine *self)
{
  count_pending_async (self);
}

static gboolean
timer_cb (gpointer user_data)
{
  CrmSyncEngine *self = user_data;

  /* a tick during a run is not worth one more */
  if (self->run == NULL)
    start_run (self);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_sync_engine_dispose (GObject *object)
{
  CrmSyncEngine *self = CRM_SYNC_ENGINE (object);

  stop_timer (self);
  g_clear_signal_handler (&self->changed_handler, self->store);
  g_clear_object (&self->api);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_sync_engine_parent_class)->dispose (object);
}

static void
crm_sync_engine_finalize (GObject *object)
{
  CrmSyncEngine *self = CRM_SYNC_ENGINE (object);

  g_clear_pointer (&self->next_waiters, g_ptr_array_unref);
  g_clear_pointer (&self->last_synced, g_date_time_unref);
  g_clear_pointer (&self->last_error, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (crm_sync_engine_parent_class)->finalize (object);
}

static void
crm_sync_engine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CrmSyncEngine *self = CRM_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;

    case PROP_FIRST_SYNC:
      g_value_set_boolean (value, self->first_sync);
      break;

    case PROP_ENTITIES_DONE:
      g_value_set_uint (value, self->entities_done);
      break;

    case PROP_RECEIVED:
      g_value_set_uint64 (value, self->received);
      break;

    case PROP_TOTAL:
      g_value_set_uint64 (value, self->total);
      break;

    case PROP_LAST_SYNCED:
      g_value_set_boxed (value, self->last_synced);
      break;

    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;

    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_sync_engine_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  CrmSyncEngine *self = CRM_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_API:
      self->api = g_value_dup_object (value);
      break;

    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_sync_engine_class_init (CrmSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_sync_engine_dispose;
  object_class->finalize = crm_sync_engine_finalize;
  object_class->get_property = crm_sync_engine_get_property;
  object_class->set_property = crm_sync_engine_set_property;

  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL,
                         CRM_TYPE_API,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CRM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       CRM_TYPE_SYNC_STATUS,
                       CRM_SYNC_STATUS_IDLE,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_FIRST_SYNC] =
    g_param_spec_boolean ("first-sync", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_ENTITIES_DONE] =
    g_param_spec_uint ("entities-done", NULL, NULL,
                       0, CRM_N_ENTITIES, CRM_N_ENTITIES,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RECEIVED] =
    g_param_spec_uint64 ("received", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_TOTAL] =
    g_param_spec_uint64 ("total", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAST_SYNCED] =
    g_param_spec_boxed ("last-synced", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmSyncEngine::conflict:
   * @mutation: the change in conflict, as the store now keeps it (state
   *   %CRM_MUTATION_CONFLICT, with its conflicts)
   * @current: (nullable): the server's current record, now in the store;
   *   %NULL for a conflict of an earlier session, announced by the
   *   engine's first run
   *
   * Emitted after the store recorded the conflict; the change waits for
   * crm_store_resolve_conflict().
   */
  signals[CONFLICT] =
    g_signal_new ("conflict",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CRM_TYPE_MUTATION, JSON_TYPE_OBJECT);

  /**
   * CrmSyncEngine::unauthenticated:
   *
   * The server refused the token (expired or signed out): the sync
   * stopped, and so did the timer of crm_sync_engine_start().
   */
  signals[UNAUTHENTICATED] =
    g_signal_new ("unauthenticated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * CrmSyncEngine::finished:
   * @success: whether the sync succeeded (a cancelled one did not)
   *
   * Emitted at the end of each sync, after the properties are set.
   */
  signals[FINISHED] =
    g_signal_new ("finished",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
crm_sync_engine_init (CrmSyncEngine *self)
{
  self->status = CRM_SYNC_STATUS_IDLE;
  self->entities_done = CRM_N_ENTITIES;
  self->page_size = CRM_SYNC_ENGINE_PAGE_SIZE;
  self->next_waiters = g_ptr_array_new_with_free_func (waiter_free);
  self->context = g_main_context_ref_thread_default ();
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

/**
 * crm_sync_engine_new:
 * @api: the session with the server
 * @store: the local copy of what the session's user may see
 *
 * The engine runs, and notifies, on the calling thread's default main
 * context.  "last-synced" starts as the store's time of its last applied
 * page, "pending" is counted in a worker.
 */
CrmSyncEngine *
crm_sync_engine_new (CrmApi   *api,
                     CrmStore *store)
{
  CrmSyncEngine *self;

  g_return_val_if_fail (CRM_IS_API (api), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_SYNC_ENGINE, "api", api, "store", store, NULL);
  self->last_synced = crm_store_dup_last_sync (store);
  self->changed_handler = g_signal_connect (store, "customers-changed", G_CALLBACK (customers_changed_cb), self);
  count_pending_async (self);
  return self;
}

CrmApi *
crm_sync_engine_get_api (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), NULL);

  return self->api;
}

CrmStore *
crm_sync_engine_get_store (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), NULL);

  return self->store;
}

CrmSyncStatus
crm_sync_engine_get_status (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), CRM_SYNC_STATUS_IDLE);

  return self->status;
}

gboolean
crm_sync_engine_get_first_sync (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), FALSE);

  return self->first_sync;
}

/**
 * crm_sync_engine_get_entities_done:
 *
 * Returns: while a first sync runs, how many entities, in the order the
 *   server sends them (crm_sync_stage_entity ()), the store has in full;
 *   %CRM_N_ENTITIES when no first sync runs
 */
guint
crm_sync_engine_get_entities_done (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), CRM_N_ENTITIES);

  return self->entities_done;
}

/**
 * crm_sync_engine_get_entity_done:
 * @entity: an entity of the entity table
 *
 * Returns: %FALSE while a first sync runs and may still bring records of
 *   @entity; %TRUE once every one of them is in the store (the sync goes
 *   on with the entities after it), and whenever no first sync runs
 */
gboolean
crm_sync_engine_get_entity_done (CrmSyncEngine *self,
                                 CrmEntity      entity)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), TRUE);
  g_return_val_if_fail (entity < CRM_N_ENTITIES, TRUE);

  return stage_of (entity) < self->entities_done;
}

guint64
crm_sync_engine_get_received (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), 0);

  return self->received;
}

guint64
crm_sync_engine_get_total (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), 0);

  return self->total;
}

/* Whether the first page's total is the server's estimate (a sample of
 * customers) rather than an exact count. */
gboolean
crm_sync_engine_get_total_estimated (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), FALSE);

  return self->total_estimated;
}

/**
 * crm_sync_engine_get_fraction:
 *
 * Returns: how far the running first sync is, 0 to 1, or -1 when its
 *   total is not known.  An estimated total may be passed: the fraction
 *   then waits at 0.99 for the end.
 */
double
crm_sync_engine_get_fraction (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), -1);

  if (self->total == 0)
    return -1;
  return MIN (self->total_estimated ? 0.99 : 1.0, (double) self->received / (double) self->total);
}

GDateTime *
crm_sync_engine_get_last_synced (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), NULL);

  return self->last_synced;
}

guint
crm_sync_engine_get_pending (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), 0);

  return self->pending;
}

const char *
crm_sync_engine_get_last_error (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), NULL);

  return self->last_error;
}

guint
crm_sync_engine_get_page_size (CrmSyncEngine *self)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), 0);

  return self->page_size;
}

void
crm_sync_engine_set_page_size (CrmSyncEngine *self,
                               guint          page_size)
{
  g_return_if_fail (CRM_IS_SYNC_ENGINE (self));
  g_return_if_fail (page_size > 0);

  self->page_size = page_size;
}

/**
 * crm_sync_engine_start:
 * @interval_seconds: seconds between syncs; 0 for none after this one
 *
 * Syncs now, then every @interval_seconds while no sync runs (a tick
 * during a sync is skipped), until crm_sync_engine_stop () or a 401.
 */
void
crm_sync_engine_start (CrmSyncEngine *self,
                       guint          interval_seconds)
{
  g_return_if_fail (CRM_IS_SYNC_ENGINE (self));

  stop_timer (self);
  crm_sync_engine_sync_now (self);
  if (interval_seconds == 0)
    return;
  self->timer = g_timeout_source_new_seconds (interval_seconds);
  g_source_set_callback (self->timer, timer_cb, self, NULL);
  g_source_set_static_name (self->timer, "[crm-sync-engine] timer");
  g_source_attach (self->timer, self->context);
}

/* Stops the timer, forgets a sync asked for with sync_now that has not
 * started, and cancels the running one (crm_sync_engine_cancel ()): after
 * it only crm_sync_engine_sync_async () syncs. */
void
crm_sync_engine_stop (CrmSyncEngine *self)
{
  g_return_if_fail (CRM_IS_SYNC_ENGINE (self));

  stop_timer (self);
  self->rerun = FALSE;
  crm_sync_engine_cancel (self);
}

void
crm_sync_engine_sync_now (CrmSyncEngine *self)
{
  g_return_if_fail (CRM_IS_SYNC_ENGINE (self));

  if (self->run != NULL)
    self->rerun = TRUE;
  else
    start_run (self);
}

void
crm_sync_engine_cancel (CrmSyncEngine *self)
{
  g_return_if_fail (CRM_IS_SYNC_ENGINE (self));

  if (self->run != NULL)
    g_cancellable_cancel (self->run->cancellable);
}

/**
 * crm_sync_engine_sync_async:
 * @cancellable: (nullable): cancels the sync this call waits for
 *
 * Syncs now, or, while a sync runs, once more after it; @callback runs when
 * that sync ends.  Calls made during the same run share the next one.
 */
void
crm_sync_engine_sync_async (CrmSyncEngine       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Waiter *waiter;

  g_return_if_fail (CRM_IS_SYNC_ENGINE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  waiter = g_new0 (Waiter, 1);
  waiter->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (waiter->task, crm_sync_engine_sync_async);
  g_ptr_array_add (self->next_waiters, waiter);
  if (self->run == NULL)
    start_run (self);
}

/**
 * crm_sync_engine_sync_finish:
 *
 * Returns: %TRUE if the sync succeeded; else %FALSE with the error it
 *   ended with (CRM_ERROR_UNAVAILABLE with the field "server" when the
 *   server was not reached, G_IO_ERROR_CANCELLED when cancelled)
 */
gboolean
crm_sync_engine_sync_finish (CrmSyncEngine  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (CRM_IS_SYNC_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_sync_engine_sync_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
