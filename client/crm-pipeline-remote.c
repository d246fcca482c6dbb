#define G_LOG_DOMAIN "crm-pipeline-remote"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-error.h"
#include "crm-pipeline-remote.h"
#include "crm-pipeline-stages.h"
#include "crm-report-cache.h"

/* One open stage's column: its first page through a loader (kept for
 * offline reading), the pages after it as Show More asks for them. */
typedef struct
{
  CrmPipelineRemote *remote;
  CrmStage           stage;
  CrmReportLoader   *first;
  GListStore        *items;
  gint64             total;
  char              *next;
  GCancellable      *more;        /* while a next page is asked */
} StageList;

/* A move made here that the server's figures do not count yet. */
typedef struct
{
  gint64              seq;        /* its mutation; -1 until queued */
  CrmOpportunityItem *item;       /* as moved */
  CrmStage            from;
  CrmStage            to;
  gint64              amount;      /* as it was */
  gint64              amount_to;   /* as it is (an edit may change it) */
  gint64              weighted_from;
  gint64              weighted_to;
  gboolean            taken;      /* the server took it: counted by the next answer */
} PendingMove;

struct _CrmPipelineRemote
{
  GObject          parent_instance;

  CrmApi          *api;
  CrmStore        *store;
  CrmReportQuery  *query;
  GArray          *stages;        /* of CrmPipelineStage */
  GDateTime       *now;
  CrmReportLoader *totals;
  StageList        lists[CRM_N_STAGES];
  GPtrArray       *moves;         /* of PendingMove */
  GHashTable      *moved;         /* id -> the item as last moved here (Undo of a
                                   * move to won or lost finds it there) */
};

G_DEFINE_FINAL_TYPE (CrmPipelineRemote, crm_pipeline_remote, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void
pending_move_free (PendingMove *move)
{
  g_clear_object (&move->item);
  g_free (move);
}

static void
emit_changed (CrmPipelineRemote *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static const CrmPipelineStage *
find_stage (CrmPipelineRemote *self,
            CrmStage           stage)
{
  for (guint i = 0; self->stages != NULL && i < self->stages->len; i++)
    if (g_array_index (self->stages, CrmPipelineStage, i).stage == stage)
      return &g_array_index (self->stages, CrmPipelineStage, i);
  return NULL;
}

static gboolean
is_open (CrmPipelineRemote *self,
         CrmStage           stage)
{
  const CrmPipelineStage *s = find_stage (self, stage);

  return s != NULL && s->is_open;
}

static int
default_probability (CrmPipelineRemote *self,
                     CrmStage           stage)
{
  const CrmPipelineStage *s = find_stage (self, stage);

  return s != NULL ? s->default_probability : crm_stage_initial_probability[stage];
}

static GDateTime *
dup_now (CrmPipelineRemote *self)
{
  return self->now ? g_date_time_ref (self->now) : g_date_time_new_now_utc ();
}

static const char *
string_or_null (JsonObject *record,
                const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static CrmOpportunityItem *
item_for (CrmPipelineRemote *self,
          JsonObject        *record,
          GDateTime         *now)
{
  const char *stage = string_or_null (record, "stage");
  int index = stage ? crm_wire_lookup (crm_stage_names, stage) : -1;
  CrmOpportunityContext context = {
    .customer_name = string_or_null (record, "customer_name"),
    .owner_name = string_or_null (record, "owner_name"),
    .default_probability = index >= 0 ? default_probability (self, (CrmStage) index) : -1,
  };

  return crm_opportunity_item_new (record, &context, now);
}

static gboolean
find_in (GListModel *items,
         const char *id,
         guint      *position)
{
  guint n = g_list_model_get_n_items (items);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (items, i);

      if (g_strcmp0 (crm_opportunity_item_get_id (item), id) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static PendingMove *
pending_move_of (CrmPipelineRemote *self,
                 const char        *id)
{
  for (guint i = self->moves->len; i > 0; i--)
    {
      PendingMove *move = self->moves->pdata[i - 1];

      if (g_strcmp0 (crm_opportunity_item_get_id (move->item), id) == 0)
        return move;
    }
  return NULL;
}

/* By expected close, none last, then by id: the server's order. */
static int
compare_items (CrmOpportunityItem *a,
               CrmOpportunityItem *b)
{
  const char *x = crm_opportunity_item_get_expected_close (a);
  const char *y = crm_opportunity_item_get_expected_close (b);
  int c;

  if (x == NULL || y == NULL)
    c = (x == NULL) - (y == NULL);
  else
    c = g_strcmp0 (x, y);
  return c != 0 ? c : g_strcmp0 (crm_opportunity_item_get_id (a), crm_opportunity_item_get_id (b));
}

/* Puts @item in @list where the server's order has it (at the end of
 * what is listed when it would come later). */
static void
list_insert (StageList          *list,
             CrmOpportunityItem *item)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list->items));
  guint at = n;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmOpportunityItem) other = g_list_model_get_item (G_LIST_MODEL (list->items), i);

      if (compare_items (item, other) < 0)
        {
          at = i;
          break;
        }
    }
  g_list_store_insert (list->items, at, item);
}

/* ------------------------------------------------------------------ */
/* Queries                                                             */
/* ------------------------------------------------------------------ */

static CrmReportQuery *
list_query (CrmPipelineRemote *self,
            CrmStage           stage,
            const char        *after)
{
  CrmReportQuery *query = crm_report_query_copy (self->query);
  g_autofree char *limit = g_strdup_printf ("%d", CRM_REMOTE_PAGE_SIZE);

  crm_report_query_set_filter (query, "stage", crm_stage_names[stage]);
  crm_report_query_set_filter (query, "sort", "expected_close");
  crm_report_query_set_filter (query, "limit", limit);
  crm_report_query_set_filter (query, "after", after);
  return query;
}

/* The page the first loader holds into the list, with the moves made
 * here that the page may not show yet. */
static void
list_fill (StageList *list)
{
  CrmPipelineRemote *self = list->remote;
  CrmOpportunityPage *page = crm_report_loader_get_report (list->first);
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = dup_now (self);

  g_cancellable_cancel (list->more);
  g_clear_object (&list->more);
  g_clear_pointer (&list->next, g_free);
  list->total = page != NULL ? page->total : 0;
  list->next = page != NULL ? g_strdup (page->next) : NULL;
  for (guint i = 0; page != NULL && i < page->opportunities->len; i++)
    {
      JsonObject *record = page->opportunities->pdata[i];
      PendingMove *move = pending_move_of (self, string_or_null (record, "id"));

      if (move != NULL && move->to != list->stage)
        continue;
      g_ptr_array_add (items, move != NULL ? g_object_ref (move->item) : item_for (self, record, now));
    }
  g_list_store_splice (list->items, 0, g_list_model_get_n_items (G_LIST_MODEL (list->items)), items->pdata,
                       items->len);
  for (guint i = 0; i < self->moves->len; i++)
    {
      PendingMove *move = self->moves->pdata[i];
      guint position;

      if (move->to == list->stage &&
          !find_in (G_LIST_MODEL (list->items), crm_opportunity_item_get_id (move->item), &position))
        list_insert (list, move->item);
    }
}

static void
list_changed_cb (CrmReportLoader *loader,
                 StageList       *list)
{
  list_fill (list);
  emit_changed (list->remote);
}

/* The server's answer counts every move it took before: their deltas go. */
static void
totals_changed_cb (CrmPipelineRemote *self)
{
  if (crm_report_loader_get_state (self->totals) == CRM_REPORT_STATE_FRESH)
    for (guint i = self->moves->len; i > 0; i--)
      if (((PendingMove *) self->moves->pdata[i - 1])->taken)
        g_ptr_array_remove_index (self->moves, i - 1);
  emit_changed (self);
}

static void
load (CrmPipelineRemote *self)
{
  if (self->query == NULL)
    return;
  crm_report_loader_load (self->totals, self->query);
  for (guint s = 0; s < CRM_N_STAGES; s++)
    if (is_open (self, s))
      {
        g_autoptr(CrmReportQuery) query = list_query (self, s, NULL);

        crm_report_loader_load (self->lists[s].first, query);
      }
}

/* ------------------------------------------------------------------ */
/* Show More                                                           */
/* ------------------------------------------------------------------ */

static void
more_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  StageList *list = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  CrmOpportunityPage *page;

  /* cancelled when the list was filled again or the remote went: then
   * @list is not touched */
  page = crm_report_fetch_finish (result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&list->more);
  if (page == NULL)
    {
      g_warning ("Cannot read more of %s: %s", crm_stage_names[list->stage], error->message);
      emit_changed (list->remote);
      return;
    }
  now = dup_now (list->remote);
  list->total = page->total;
  g_free (list->next);
  list->next = g_strdup (page->next);
  for (guint i = 0; i < page->opportunities->len; i++)
    {
      JsonObject *record = page->opportunities->pdata[i];
      guint position;
      g_autoptr(CrmOpportunityItem) item = NULL;

      if (pending_move_of (list->remote, string_or_null (record, "id")) != NULL ||
          find_in (G_LIST_MODEL (list->items), string_or_null (record, "id"), &position))
        continue;
      item = item_for (list->remote, record, now);
      g_list_store_append (list->items, item);
    }
  crm_opportunity_page_free (page);
  emit_changed (list->remote);
}

/* ------------------------------------------------------------------ */
/* Moves                                                               */
/* ------------------------------------------------------------------ */

static void
update_moves (CrmPipelineRemote *self)
{
  gboolean taken = FALSE;
  gboolean refused = FALSE;

  for (guint i = self->moves->len; i > 0; i--)
    {
      PendingMove *move = self->moves->pdata[i - 1];
      g_autoptr(CrmMutation) mutation = NULL;
      g_autoptr(GError) error = NULL;

      if (move->seq < 0 || move->taken)
        continue;
      mutation = crm_store_get_mutation (self->store, move->seq, &error);
      if (mutation == NULL && g_error_matches (error, CRM_ERROR, CRM_ERROR_NOT_FOUND))
        taken = move->taken = TRUE;
      else if (mutation != NULL &&
               (mutation->state == CRM_MUTATION_FAILED || mutation->state == CRM_MUTATION_CONFLICT))
        {
          /* the server's record stands: shown as it has it */
          g_ptr_array_remove_index (self->moves, i - 1);
          refused = TRUE;
        }
    }
  if (refused)
    load (self);
  else if (taken)
    crm_report_loader_reload (self->totals);
}

static void
store_changed_cb (CrmStore           *store,
                  const char         *entity,
                  GStrv               keys,
                  CrmPipelineRemote  *self)
{
  if (self->moves->len > 0)
    update_moves (self);
}

/* Shows @move at once: its card out of its column, into the new one. */
static void
show_move (CrmPipelineRemote  *self,
           CrmOpportunityItem *before,
           CrmOpportunityItem *after)
{
  CrmStage from = crm_opportunity_item_get_stage (before);
  CrmStage to = crm_opportunity_item_get_stage (after);
  guint position;

  if (find_in (G_LIST_MODEL (self->lists[from].items), crm_opportunity_item_get_id (before), &position))
    g_list_store_remove (self->lists[from].items, position);
  if (is_open (self, to))
    list_insert (&self->lists[to], after);
  emit_changed (self);
}

typedef struct
{
  CrmOpportunityItem *before;
  CrmPipelineMove    *move;
  PendingMove        *pending;    /* owned by self->moves */
} MoveData;

static void
move_data_free (MoveData *data)
{
  g_clear_object (&data->before);
  g_clear_pointer (&data->move, crm_pipeline_move_free);
  g_free (data);
}

static void
queued_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CrmPipelineRemote *self = g_task_get_source_object (task);
  MoveData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) mutations = NULL;
  GError *error = NULL;

  mutations = crm_store_enqueue_updates_finish (CRM_STORE (source), result, &error);
  if (mutations == NULL)
    {
      /* the store refused it: back where it was */
      g_autoptr(CrmOpportunityItem) after = g_object_ref (data->pending->item);

      g_ptr_array_remove (self->moves, data->pending);
      show_move (self, after, data->before);
      g_task_return_error (task, error);
      return;
    }
  data->pending->seq = ((CrmMutation *) mutations->pdata[0])->seq;
  g_task_return_pointer (task, g_steal_pointer (&data->move), (GDestroyNotify) crm_pipeline_move_free);
}

static void
move (CrmPipelineRemote *self,
      const char        *id,
      CrmStage           stage,
      gboolean           set_reason,
      const char        *lost_reason,
      GTask             *task)
{
  CrmOpportunityItem *item = crm_pipeline_remote_lookup (self, id);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GDateTime) now = dup_now (self);
  CrmStoreUpdate update = { CRM_ENTITY_OPPORTUNITY, id, fields, NULL };
  MoveData *data;
  PendingMove *pending;

  if (item == NULL || self->store == NULL)
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_NOT_FOUND, "No such opportunity here");
      return;
    }
  data = g_new0 (MoveData, 1);
  data->move = g_new0 (CrmPipelineMove, 1);
  data->move->id = g_strdup (id);
  data->move->from = crm_opportunity_item_get_stage (item);
  data->move->to = stage;
  data->move->from_lost_reason = g_strdup (crm_opportunity_item_get_lost_reason (item));
  g_task_set_task_data (task, data, (GDestroyNotify) move_data_free);
  if (data->move->from == stage && !set_reason)
    {
      g_task_return_pointer (task, g_steal_pointer (&data->move), (GDestroyNotify) crm_pipeline_move_free);
      return;
    }

  json_object_set_string_member (fields, "stage", crm_stage_names[stage]);
  if (set_reason && lost_reason != NULL)
    json_object_set_string_member (fields, "lost_reason", lost_reason);
  else if (set_reason)
    json_object_set_null_member (fields, "lost_reason");

  data->before = g_object_ref (item);
  pending = g_new0 (PendingMove, 1);
  pending->seq = -1;
  pending->item = crm_opportunity_item_new_moved (item, stage, default_probability (self, stage), now, now);
  pending->from = data->move->from;
  pending->to = stage;
  pending->amount = crm_opportunity_item_get_amount (item);
  pending->amount_to = pending->amount;
  pending->weighted_from = crm_opportunity_item_get_weighted (item);
  pending->weighted_to = crm_opportunity_item_get_weighted (pending->item);
  data->pending = pending;
  g_ptr_array_add (self->moves, pending);
  g_hash_table_replace (self->moved, g_strdup (id), g_object_ref (pending->item));
  show_move (self, data->before, pending->item);

  /* based on the record as the server sent it (the one here, if the
   * store holds it) */
  update.remote = crm_opportunity_item_get_record (item);
  crm_store_enqueue_updates_async (self->store, &update, 1, g_task_get_cancellable (task), queued_cb,
                                   g_object_ref (task));
}

/* An edit queued here (the Edit dialog's): shown at once as a move is
 * (in its stage's column, the headers adjusted), the server's figures
 * asked again once the server has taken it. */
static void
apply_queued (CrmPipelineRemote *self,
              const char        *id,
              JsonObject        *fields,
              gint64             seq)
{
  CrmOpportunityItem *item = crm_pipeline_remote_lookup (self, id);
  g_autoptr(CrmOpportunityItem) before = NULL;
  g_autoptr(CrmOpportunityItem) edited = NULL;
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GList) names = NULL;
  g_autoptr(GDateTime) now = dup_now (self);
  PendingMove *pending;

  if (item == NULL)
    return;
  before = g_object_ref (item);
  names = json_object_get_members (crm_opportunity_item_get_record (before));
  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (record, l->data,
                            json_node_copy (json_object_get_member (crm_opportunity_item_get_record (before), l->data)));
  g_list_free (g_steal_pointer (&names));
  names = json_object_get_members (fields);
  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (record, l->data, json_node_copy (json_object_get_member (fields, l->data)));
  edited = item_for (self, record, now);

  pending = g_new0 (PendingMove, 1);
  pending->seq = seq;
  pending->from = crm_opportunity_item_get_stage (before);
  pending->to = crm_opportunity_item_get_stage (edited);
  pending->item = pending->from == pending->to
    ? g_object_ref (edited)
    : crm_opportunity_item_new_moved (edited, pending->to, default_probability (self, pending->to), now, now);
  pending->amount = crm_opportunity_item_get_amount (before);
  pending->amount_to = crm_opportunity_item_get_amount (pending->item);
  pending->weighted_from = crm_opportunity_item_get_weighted (before);
  pending->weighted_to = crm_opportunity_item_get_weighted (pending->item);
  g_ptr_array_add (self->moves, pending);
  g_hash_table_replace (self->moved, g_strdup (id), g_object_ref (pending->item));
  show_move (self, before, pending->item);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_pipeline_remote_dispose (GObject *object)
{
  CrmPipelineRemote *self = CRM_PIPELINE_REMOTE (object);

  for (guint s = 0; s < CRM_N_STAGES; s++)
    {
      StageList *list = &self->lists[s];

      g_cancellable_cancel (list->more);
      g_clear_object (&list->more);
      if (list->first != NULL)
        g_signal_handlers_disconnect_by_data (list->first, list);
      g_clear_object (&list->first);
    }
  if (self->totals != NULL)
    g_signal_handlers_disconnect_by_data (self->totals, self);
  g_clear_object (&self->totals);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_clear_object (&self->api);

  G_OBJECT_CLASS (crm_pipeline_remote_parent_class)->dispose (object);
}

static void
crm_pipeline_remote_finalize (GObject *object)
{
  CrmPipelineRemote *self = CRM_PIPELINE_REMOTE (object);

  for (guint s = 0; s < CRM_N_STAGES; s++)
    {
      g_clear_object (&self->lists[s].items);
      g_free (self->lists[s].next);
    }
  g_clear_pointer (&self->moves, g_ptr_array_unref);
  g_clear_pointer (&self->moved, g_hash_table_unref);
  g_clear_pointer (&self->query, crm_report_query_free);
  g_clear_pointer (&self->stages, g_array_unref);
  g_clear_pointer (&self->now, g_date_time_unref);

  G_OBJECT_CLASS (crm_pipeline_remote_parent_class)->finalize (object);
}

static void
crm_pipeline_remote_class_init (CrmPipelineRemoteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_pipeline_remote_dispose;
  object_class->finalize = crm_pipeline_remote_finalize;

  /**
   * CrmPipelineRemote::changed:
   *
   * A state, the figures or a list changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
crm_pipeline_remote_init (CrmPipelineRemote *self)
{
  self->moves = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_move_free);
  self->moved = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->totals = crm_report_loader_new (CRM_REPORT_PIPELINE);
  g_signal_connect_swapped (self->totals, "changed", G_CALLBACK (totals_changed_cb), self);
  for (guint s = 0; s < CRM_N_STAGES; s++)
    {
      StageList *list = &self->lists[s];

      list->remote = self;
      list->stage = s;
      list->items = g_list_store_new (CRM_TYPE_OPPORTUNITY_ITEM);
      list->first = crm_report_loader_new (CRM_REPORT_OPPORTUNITIES);
      g_signal_connect (list->first, "changed", G_CALLBACK (list_changed_cb), list);
    }
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

CrmPipelineRemote *
crm_pipeline_remote_new (void)
{
  return g_object_new (CRM_TYPE_PIPELINE_REMOTE, NULL);
}

void
crm_pipeline_remote_set_api (CrmPipelineRemote *self,
                             CrmApi            *api)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));

  if (!g_set_object (&self->api, api))
    return;
  crm_report_loader_set_api (self->totals, api);
  for (guint s = 0; s < CRM_N_STAGES; s++)
    crm_report_loader_set_api (self->lists[s].first, api);
}

void
crm_pipeline_remote_set_store (CrmPipelineRemote *self,
                               CrmStore          *store)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed::opportunity", G_CALLBACK (store_changed_cb), self, 0);
  crm_report_loader_set_store (self->totals, store);
  for (guint s = 0; s < CRM_N_STAGES; s++)
    crm_report_loader_set_store (self->lists[s].first, store);
}

void
crm_pipeline_remote_set_stages (CrmPipelineRemote      *self,
                                const CrmPipelineStage *stages,
                                guint                   n_stages)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));

  g_clear_pointer (&self->stages, g_array_unref);
  self->stages = g_array_sized_new (FALSE, FALSE, sizeof (CrmPipelineStage), n_stages);
  g_array_append_vals (self->stages, stages, n_stages);
  load (self);
}

void
crm_pipeline_remote_set_query (CrmPipelineRemote    *self,
                               const CrmReportQuery *query)
{
  g_autofree char *old = NULL;
  g_autofree char *new = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));
  g_return_if_fail (query != NULL);

  old = self->query ? crm_report_query_dup_key (self->query) : NULL;
  new = crm_report_query_dup_key (query);
  if (g_strcmp0 (old, new) == 0)
    return;
  g_clear_pointer (&self->query, crm_report_query_free);
  self->query = crm_report_query_copy (query);
  load (self);
}

const CrmReportQuery *
crm_pipeline_remote_get_query (CrmPipelineRemote *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), NULL);
  return self->query;
}

void
crm_pipeline_remote_set_now (CrmPipelineRemote *self,
                             GDateTime         *now)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));

  g_clear_pointer (&self->now, g_date_time_unref);
  self->now = now ? g_date_time_ref (now) : NULL;
}

void
crm_pipeline_remote_follow_mapped (CrmPipelineRemote *self,
                                   GtkWidget         *widget)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));

  crm_report_loader_follow_mapped (self->totals, widget);
  for (guint s = 0; s < CRM_N_STAGES; s++)
    crm_report_loader_follow_mapped (self->lists[s].first, widget);
}

void
crm_pipeline_remote_reload (CrmPipelineRemote *self)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));

  crm_report_loader_reload (self->totals);
  for (guint s = 0; s < CRM_N_STAGES; s++)
    if (is_open (self, s))
      crm_report_loader_reload (self->lists[s].first);
}

CrmReportState
crm_pipeline_remote_get_state (CrmPipelineRemote *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), CRM_REPORT_STATE_EMPTY);
  return crm_report_loader_get_state (self->totals);
}

const GError *
crm_pipeline_remote_get_error (CrmPipelineRemote *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), NULL);
  return crm_report_loader_get_error (self->totals);
}

char *
crm_pipeline_remote_dup_status (CrmPipelineRemote *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), NULL);
  return crm_report_loader_dup_status (self->totals);
}

gboolean
crm_pipeline_remote_get_totals (CrmPipelineRemote *self,
                                CrmStage           stage,
                                CrmPipelineTotals *totals)
{
  CrmPipelineReport *report;
  gboolean found = FALSE;

  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), FALSE);
  g_return_val_if_fail (totals != NULL, FALSE);

  memset (totals, 0, sizeof *totals);
  report = crm_report_loader_get_report (self->totals);
  for (guint i = 0; report != NULL && i < report->stages->len; i++)
    {
      const CrmPipelineStageTotal *t = &g_array_index (report->stages, CrmPipelineStageTotal, i);

      if (t->stage != (int) stage)
        continue;
      totals->count = (guint) t->count;
      totals->amount = t->amount;
      totals->weighted = t->weighted;
      found = TRUE;
    }
  if (report == NULL)
    return FALSE;
  for (guint i = 0; i < self->moves->len; i++)
    {
      PendingMove *move = self->moves->pdata[i];

      if (move->from == stage)
        {
          totals->count = totals->count > 0 ? totals->count - 1 : 0;
          totals->amount = MAX (totals->amount - move->amount, 0);
          totals->weighted = MAX (totals->weighted - move->weighted_from, 0);
        }
      if (move->to == stage)
        {
          totals->count++;
          totals->amount += move->amount_to;
          totals->weighted += move->weighted_to;
        }
    }
  return found || totals->count > 0;
}

GListModel *
crm_pipeline_remote_get_stage_items (CrmPipelineRemote *self,
                                     CrmStage           stage)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), NULL);
  g_return_val_if_fail (stage < CRM_N_STAGES, NULL);

  return G_LIST_MODEL (self->lists[stage].items);
}

gint64
crm_pipeline_remote_get_stage_total (CrmPipelineRemote *self,
                                     CrmStage           stage)
{
  CrmPipelineTotals totals;

  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), 0);
  g_return_val_if_fail (stage < CRM_N_STAGES, 0);

  /* the header's count is the same count, with the moves made here */
  if (crm_pipeline_remote_get_totals (self, stage, &totals))
    return MAX ((gint64) totals.count, (gint64) g_list_model_get_n_items (G_LIST_MODEL (self->lists[stage].items)));
  return self->lists[stage].total;
}

gboolean
crm_pipeline_remote_get_stage_loading (CrmPipelineRemote *self,
                                       CrmStage           stage)
{
  CrmReportState state;

  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), FALSE);
  g_return_val_if_fail (stage < CRM_N_STAGES, FALSE);

  state = crm_report_loader_get_state (self->lists[stage].first);
  return self->lists[stage].more != NULL || state == CRM_REPORT_STATE_LOADING;
}

gboolean
crm_pipeline_remote_can_show_more (CrmPipelineRemote *self,
                                   CrmStage           stage)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), FALSE);
  g_return_val_if_fail (stage < CRM_N_STAGES, FALSE);

  return self->lists[stage].next != NULL && self->lists[stage].more == NULL && self->api != NULL;
}

void
crm_pipeline_remote_show_more (CrmPipelineRemote *self,
                               CrmStage           stage)
{
  StageList *list;
  g_autoptr(CrmReportQuery) query = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));
  g_return_if_fail (stage < CRM_N_STAGES);

  list = &self->lists[stage];
  if (!crm_pipeline_remote_can_show_more (self, stage))
    return;
  query = list_query (self, stage, list->next);
  list->more = g_cancellable_new ();
  crm_report_fetch_async (self->api, self->store, CRM_REPORT_OPPORTUNITIES, query, list->more, more_cb, list);
  emit_changed (self);
}

CrmOpportunityItem *
crm_pipeline_remote_lookup (CrmPipelineRemote *self,
                            const char        *id)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint s = 0; s < CRM_N_STAGES; s++)
    {
      guint position;

      if (find_in (G_LIST_MODEL (self->lists[s].items), id, &position))
        {
          g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (G_LIST_MODEL (self->lists[s].items),
                                                                      position);

          return item;   /* the list holds it */
        }
    }
  return g_hash_table_lookup (self->moved, id);
}

void
crm_pipeline_remote_move_async (CrmPipelineRemote   *self,
                                const char          *id,
                                CrmStage             stage,
                                const char          *lost_reason,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *reason = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));
  g_return_if_fail (id != NULL && stage < CRM_N_STAGES);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_pipeline_remote_move_async);
  reason = g_strstrip (g_strdup (lost_reason ? lost_reason : ""));
  if (stage == CRM_STAGE_LOST && reason[0] == '\0')
    {
      g_task_return_new_error (task, CRM_ERROR, CRM_ERROR_INVALID, "A lost opportunity needs its reason");
      return;
    }
  move (self, id, stage, stage == CRM_STAGE_LOST, lost_reason, task);
}

CrmPipelineMove *
crm_pipeline_remote_move_finish (CrmPipelineRemote  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_pipeline_remote_move_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
undone_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CrmPipelineMove) move = NULL;
  GError *error = NULL;

  move = g_task_propagate_pointer (G_TASK (result), &error);
  if (move == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
crm_pipeline_remote_undo_async (CrmPipelineRemote     *self,
                                const CrmPipelineMove *undone,
                                GCancellable          *cancellable,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  GTask *task;
  GTask *inner;

  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));
  g_return_if_fail (undone != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_pipeline_remote_undo_async);
  inner = g_task_new (self, cancellable, undone_cb, task);
  move (self, undone->id, undone->from, undone->to == CRM_STAGE_LOST || undone->from == CRM_STAGE_LOST,
        undone->from_lost_reason, inner);
  g_object_unref (inner);
}

gboolean
crm_pipeline_remote_undo_finish (CrmPipelineRemote  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_pipeline_remote_undo_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_pipeline_remote_apply_queued:
 * @fields: the fields the change @seq (queued on the store) sets
 *
 * Shows an edit of card @id queued elsewhere (the Edit dialog) at once,
 * as a move is shown, and asks the server's figures again once the server
 * has taken it.
 */
void
crm_pipeline_remote_apply_queued (CrmPipelineRemote *self,
                                  const char        *id,
                                  JsonObject        *fields,
                                  gint64             seq)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE (self));
  g_return_if_fail (id != NULL && fields != NULL);

  apply_queued (self, id, fields, seq);
}
