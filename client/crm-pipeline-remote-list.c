#define G_LOG_DOMAIN "crm-pipeline-remote-list"

#include "config.h"

#include "crm-error.h"
#include "crm-pipeline-remote-list.h"
#include "crm-pipeline-stages.h"
#include "crm-report-cache.h"

struct _CrmPipelineRemoteList
{
  GObject          parent_instance;

  CrmApi          *api;
  CrmStore        *store;
  CrmReportQuery  *query;
  char            *sort;
  gboolean         descending;
  GArray          *stages;        /* of CrmPipelineStage */
  CrmReportLoader *first;
  GListStore      *items;
  gint64           total;
  char            *next;
  GCancellable    *more;          /* while a next page is asked */
  GArray          *queued;        /* of gint64: changes shown here, not settled yet */
  GHashTable      *owners;        /* user id -> display name (the store's
                                   * directory), read when first needed */
};

G_DEFINE_FINAL_TYPE (CrmPipelineRemoteList, crm_pipeline_remote_list, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
string_or_null (JsonObject *record,
                const char *name)
{
  JsonNode *node = json_object_get_member (record, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static int
default_probability (CrmPipelineRemoteList *self,
                     int                    stage)
{
  for (guint i = 0; self->stages != NULL && i < self->stages->len; i++)
    if ((int) g_array_index (self->stages, CrmPipelineStage, i).stage == stage)
      return g_array_index (self->stages, CrmPipelineStage, i).default_probability;
  return stage >= 0 && stage < CRM_N_STAGES ? crm_stage_initial_probability[stage] : -1;
}

static CrmOpportunityItem *
item_for (CrmPipelineRemoteList *self,
          JsonObject            *record,
          GDateTime             *now)
{
  const char *stage = string_or_null (record, "stage");
  CrmOpportunityContext context = {
    .customer_name = string_or_null (record, "customer_name"),
    .owner_name = string_or_null (record, "owner_name"),
    .default_probability = default_probability (self, stage ? crm_wire_lookup (crm_stage_names, stage) : -1),
  };

  return crm_opportunity_item_new (record, &context, now);
}

static void
append_page (CrmPipelineRemoteList *self,
             CrmOpportunityPage    *page,
             gboolean               replace)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_clear_pointer (&self->next, g_free);
  self->total = page != NULL ? page->total : 0;
  self->next = page != NULL ? g_strdup (page->next) : NULL;
  for (guint i = 0; page != NULL && i < page->opportunities->len; i++)
    g_ptr_array_add (items, item_for (self, page->opportunities->pdata[i], now));
  g_list_store_splice (self->items, replace ? 0 : g_list_model_get_n_items (G_LIST_MODEL (self->items)),
                       replace ? g_list_model_get_n_items (G_LIST_MODEL (self->items)) : 0, items->pdata, items->len);
}

static void
first_changed_cb (CrmPipelineRemoteList *self)
{
  g_cancellable_cancel (self->more);
  g_clear_object (&self->more);
  append_page (self, crm_report_loader_get_report (self->first), TRUE);
  g_signal_emit (self, signals[CHANGED], 0);
}

static CrmReportQuery *
page_query (CrmPipelineRemoteList *self,
            const char            *after)
{
  CrmReportQuery *query = crm_report_query_copy (self->query);
  g_autofree char *limit = g_strdup_printf ("%d", CRM_REMOTE_LIST_PAGE_SIZE);

  crm_report_query_set_filter (query, "sort", self->sort);
  crm_report_query_set_filter (query, "order", self->descending ? "desc" : "asc");
  crm_report_query_set_filter (query, "limit", limit);
  crm_report_query_set_filter (query, "after", after);
  return query;
}

static void
load (CrmPipelineRemoteList *self)
{
  g_autoptr(CrmReportQuery) query = NULL;

  if (self->query == NULL)
    return;
  query = page_query (self, NULL);
  crm_report_loader_load (self->first, query);
}

static void
more_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  CrmPipelineRemoteList *self = user_data;
  g_autoptr(GError) error = NULL;
  CrmOpportunityPage *page;

  /* cancelled when the list was asked again or went: @self untouched */
  page = crm_report_fetch_finish (result, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->more);
  if (page == NULL)
    g_warning ("Cannot read more opportunities: %s", error->message);
  else
    {
      append_page (self, page, FALSE);
      crm_opportunity_page_free (page);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

/* The changes shown here that the server took (or refused, or found in
 * conflict: its record stands) are settled: the list is asked again. */
static void
store_opportunity_cb (CrmStore              *store,
                      const char            *entity,
                      GStrv                  keys,
                      CrmPipelineRemoteList *self)
{
  gboolean settled = FALSE;

  for (guint i = self->queued->len; i > 0; i--)
    {
      g_autoptr(CrmMutation) mutation = NULL;
      g_autoptr(GError) error = NULL;

      mutation = crm_store_get_mutation (store, g_array_index (self->queued, gint64, i - 1), &error);
      if ((mutation == NULL && g_error_matches (error, CRM_ERROR, CRM_ERROR_NOT_FOUND)) ||
          (mutation != NULL &&
           (mutation->state == CRM_MUTATION_FAILED || mutation->state == CRM_MUTATION_CONFLICT)))
        {
          g_array_remove_index (self->queued, i - 1);
          settled = TRUE;
        }
    }
  if (settled)
    crm_report_loader_reload (self->first);
}

static void
store_user_cb (CrmStore              *store,
               const char            *entity,
               GStrv                  keys,
               CrmPipelineRemoteList *self)
{
  g_clear_pointer (&self->owners, g_hash_table_unref);
}

/* The display name of user @id in the store's directory, or NULL. */
static const char *
owner_name (CrmPipelineRemoteList *self,
            const char            *id)
{
  if (id == NULL || self->store == NULL)
    return NULL;
  if (self->owners == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) users = crm_store_get_records (self->store, CRM_ENTITY_USER, NULL, &error);

      if (users == NULL)
        g_warning ("The directory could not be read: %s", error->message);
      self->owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (guint i = 0; users != NULL && i < users->len; i++)
        if (string_or_null (users->pdata[i], "id") != NULL)
          g_hash_table_replace (self->owners, g_strdup (string_or_null (users->pdata[i], "id")),
                                g_strdup (string_or_null (users->pdata[i], "display_name")));
    }
  return g_hash_table_lookup (self->owners, id);
}

static void
crm_pipeline_remote_list_dispose (GObject *object)
{
  CrmPipelineRemoteList *self = CRM_PIPELINE_REMOTE_LIST (object);

  g_cancellable_cancel (self->more);
  g_clear_object (&self->more);
  if (self->first != NULL)
    g_signal_handlers_disconnect_by_data (self->first, self);
  g_clear_object (&self->first);
  g_clear_object (&self->api);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_pipeline_remote_list_parent_class)->dispose (object);
}

static void
crm_pipeline_remote_list_finalize (GObject *object)
{
  CrmPipelineRemoteList *self = CRM_PIPELINE_REMOTE_LIST (object);

  g_clear_object (&self->items);
  g_clear_pointer (&self->queued, g_array_unref);
  g_clear_pointer (&self->owners, g_hash_table_unref);
  g_clear_pointer (&self->query, crm_report_query_free);
  g_clear_pointer (&self->stages, g_array_unref);
  g_free (self->sort);
  g_free (self->next);

  G_OBJECT_CLASS (crm_pipeline_remote_list_parent_class)->finalize (object);
}

static void
crm_pipeline_remote_list_class_init (CrmPipelineRemoteListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_pipeline_remote_list_dispose;
  object_class->finalize = crm_pipeline_remote_list_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
crm_pipeline_remote_list_init (CrmPipelineRemoteList *self)
{
  self->sort = g_strdup ("expected_close");
  self->items = g_list_store_new (CRM_TYPE_OPPORTUNITY_ITEM);
  self->queued = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->first = crm_report_loader_new (CRM_REPORT_OPPORTUNITIES);
  g_signal_connect_swapped (self->first, "changed", G_CALLBACK (first_changed_cb), self);
}

CrmPipelineRemoteList *
crm_pipeline_remote_list_new (void)
{
  return g_object_new (CRM_TYPE_PIPELINE_REMOTE_LIST, NULL);
}

void
crm_pipeline_remote_list_set_api (CrmPipelineRemoteList *self,
                                  CrmApi                *api)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));

  if (g_set_object (&self->api, api))
    crm_report_loader_set_api (self->first, api);
}

void
crm_pipeline_remote_list_set_store (CrmPipelineRemoteList *self,
                                    CrmStore              *store)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  g_clear_pointer (&self->owners, g_hash_table_unref);
  g_array_set_size (self->queued, 0);
  if (store != NULL)
    {
      g_signal_connect_object (store, "changed::opportunity", G_CALLBACK (store_opportunity_cb), self, 0);
      g_signal_connect_object (store, "changed::user", G_CALLBACK (store_user_cb), self, 0);
    }
  crm_report_loader_set_store (self->first, store);
}

void
crm_pipeline_remote_list_set_stages (CrmPipelineRemoteList  *self,
                                     const CrmPipelineStage *stages,
                                     guint                   n_stages)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));

  g_clear_pointer (&self->stages, g_array_unref);
  self->stages = g_array_sized_new (FALSE, FALSE, sizeof (CrmPipelineStage), n_stages);
  g_array_append_vals (self->stages, stages, n_stages);
}

void
crm_pipeline_remote_list_set_query (CrmPipelineRemoteList *self,
                                    const CrmReportQuery  *query)
{
  g_autofree char *old = NULL;
  g_autofree char *new = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));
  g_return_if_fail (query != NULL);

  old = self->query ? crm_report_query_dup_key (self->query) : NULL;
  new = crm_report_query_dup_key (query);
  if (g_strcmp0 (old, new) == 0)
    return;
  g_clear_pointer (&self->query, crm_report_query_free);
  self->query = crm_report_query_copy (query);
  load (self);
}

void
crm_pipeline_remote_list_set_sort (CrmPipelineRemoteList *self,
                                   const char            *key,
                                   gboolean               descending)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));
  g_return_if_fail (crm_wire_lookup (crm_opportunity_sort_names, key) >= 0);

  if (g_strcmp0 (self->sort, key) == 0 && self->descending == descending)
    return;
  g_free (self->sort);
  self->sort = g_strdup (key);
  self->descending = descending;
  load (self);
}

const char *
crm_pipeline_remote_list_get_sort (CrmPipelineRemoteList *self,
                                   gboolean              *descending)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self), NULL);

  if (descending != NULL)
    *descending = self->descending;
  return self->sort;
}

void
crm_pipeline_remote_list_follow_mapped (CrmPipelineRemoteList *self,
                                        GtkWidget             *widget)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));

  crm_report_loader_follow_mapped (self->first, widget);
}

void
crm_pipeline_remote_list_reload (CrmPipelineRemoteList *self)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));

  crm_report_loader_reload (self->first);
}

GListModel *
crm_pipeline_remote_list_get_items (CrmPipelineRemoteList *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self), NULL);
  return G_LIST_MODEL (self->items);
}

gint64
crm_pipeline_remote_list_get_total (CrmPipelineRemoteList *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self), 0);
  return self->total;
}

CrmReportState
crm_pipeline_remote_list_get_state (CrmPipelineRemoteList *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self), CRM_REPORT_STATE_EMPTY);
  return crm_report_loader_get_state (self->first);
}

const GError *
crm_pipeline_remote_list_get_error (CrmPipelineRemoteList *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self), NULL);
  return crm_report_loader_get_error (self->first);
}

char *
crm_pipeline_remote_list_dup_status (CrmPipelineRemoteList *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self), NULL);
  return crm_report_loader_dup_status (self->first);
}

gboolean
crm_pipeline_remote_list_get_loading (CrmPipelineRemoteList *self)
{
  CrmReportState state;

  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self), FALSE);

  state = crm_report_loader_get_state (self->first);
  return self->more != NULL || state == CRM_REPORT_STATE_LOADING || state == CRM_REPORT_STATE_KEPT;
}

gboolean
crm_pipeline_remote_list_can_load_more (CrmPipelineRemoteList *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self), FALSE);
  return self->next != NULL && self->more == NULL && self->api != NULL;
}

void
crm_pipeline_remote_list_load_more (CrmPipelineRemoteList *self)
{
  g_autoptr(CrmReportQuery) query = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));

  if (!crm_pipeline_remote_list_can_load_more (self))
    return;
  query = page_query (self, self->next);
  self->more = g_cancellable_new ();
  crm_report_fetch_async (self->api, self->store, CRM_REPORT_OPPORTUNITIES, query, self->more, more_cb, self);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
crm_pipeline_remote_list_apply_change (CrmPipelineRemoteList *self,
                                       const char            *id,
                                       JsonObject            *fields)
{
  guint n;

  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));
  g_return_if_fail (id != NULL && fields != NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->items));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);
      JsonObject *old;
      g_autoptr(JsonObject) record = NULL;
      g_autoptr(GList) names = NULL;
      g_autoptr(GDateTime) now = NULL;
      g_autoptr(CrmOpportunityItem) changed = NULL;

      if (g_strcmp0 (crm_opportunity_item_get_id (item), id) != 0)
        continue;
      /* a copy: the old record stays as it was, for its item */
      old = crm_opportunity_item_get_record (item);
      record = json_object_new ();
      names = json_object_get_members (old);
      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (record, l->data, json_node_copy (json_object_get_member (old, l->data)));
      g_list_free (g_steal_pointer (&names));
      names = json_object_get_members (fields);
      for (GList *l = names; l != NULL; l = l->next)
        json_object_set_member (record, l->data, json_node_copy (json_object_get_member (fields, l->data)));
      /* a new owner shows with their name, from the directory */
      if (json_object_has_member (fields, "owner_id"))
        {
          const char *name = owner_name (self, string_or_null (fields, "owner_id"));

          if (name != NULL)
            json_object_set_string_member (record, "owner_name", name);
          else
            json_object_set_null_member (record, "owner_name");
        }
      now = g_date_time_new_now_utc ();
      changed = item_for (self, record, now);
      g_list_store_splice (self->items, i, 1, (gpointer *) &changed, 1);
      return;
    }
}

void
crm_pipeline_remote_list_apply_queued (CrmPipelineRemoteList *self,
                                       const char            *id,
                                       JsonObject            *fields,
                                       gint64                 seq)
{
  g_return_if_fail (CRM_IS_PIPELINE_REMOTE_LIST (self));
  g_return_if_fail (id != NULL && fields != NULL);

  crm_pipeline_remote_list_apply_change (self, id, fields);
  if (seq >= 0)
    g_array_append_val (self->queued, seq);
}
