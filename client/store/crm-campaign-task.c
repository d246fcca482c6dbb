#define G_LOG_DOMAIN "crm-campaign-task"

#include "config.h"

#include <string.h>

#include "crm-campaign-task.h"
#include "crm-entity.h"

struct _CrmCampaignTask
{
  GObject     parent_instance;

  char       *key;
  JsonObject *member;
  JsonObject *campaign;      /* or NULL */
  char       *customer_name;
  GStrv       channels;
  gboolean    unsent;
};

G_DEFINE_FINAL_TYPE (CrmCampaignTask, crm_campaign_task, G_TYPE_OBJECT)

static const char * const no_channels[] = { NULL };

static const char *
text_member (JsonObject *o,
             const char *name)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A record's boolean that may come as true/false or 0/1; FALSE for null. */
static gboolean
bool_member (JsonObject *o,
             const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  return FALSE;
}

/* The campaign's channels: a JSON array of words (or its text). */
static GStrv
channels_of (JsonObject *campaign)
{
  JsonNode *node = campaign ? json_object_get_member (campaign, "channels") : NULL;
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    node = parsed = json_from_string (json_node_get_string (node), NULL);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return g_strv_builder_end (builder);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *word = json_array_get_string_element (array, i);

      if (word != NULL)
        g_strv_builder_add (builder, word);
    }
  return g_strv_builder_end (builder);
}

static void
crm_campaign_task_finalize (GObject *object)
{
  CrmCampaignTask *self = CRM_CAMPAIGN_TASK (object);

  g_free (self->key);
  g_clear_pointer (&self->member, json_object_unref);
  g_clear_pointer (&self->campaign, json_object_unref);
  g_free (self->customer_name);
  g_strfreev (self->channels);

  G_OBJECT_CLASS (crm_campaign_task_parent_class)->finalize (object);
}

static void
crm_campaign_task_class_init (CrmCampaignTaskClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_campaign_task_finalize;
}

static void
crm_campaign_task_init (CrmCampaignTask *self)
{
}

static CrmCampaignTask *
task_new (JsonObject *member,
          JsonObject *campaign,
          const char *customer_name,
          gboolean    unsent)
{
  CrmCampaignTask *self = g_object_new (CRM_TYPE_CAMPAIGN_TASK, NULL);

  self->member = json_object_ref (member);
  self->campaign = campaign ? json_object_ref (campaign) : NULL;
  self->key = crm_campaign_task_key_of (text_member (member, "campaign_id"), text_member (member, "customer_id"));
  self->customer_name = g_strdup (customer_name);
  self->channels = channels_of (campaign);
  self->unsent = unsent;
  return self;
}

char *
crm_campaign_task_key_of (const char *campaign_id,
                          const char *customer_id)
{
  g_return_val_if_fail (campaign_id != NULL && customer_id != NULL, NULL);

  /* crm_store_key_text (): a composite key's values joined by "/" */
  return g_strconcat (campaign_id, "/", customer_id, NULL);
}

const char *
crm_campaign_task_get_key (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return self->key;
}

const char *
crm_campaign_task_get_campaign_id (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return text_member (self->member, "campaign_id");
}

const char *
crm_campaign_task_get_customer_id (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return text_member (self->member, "customer_id");
}

const char *
crm_campaign_task_get_customer_name (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return self->customer_name;
}

JsonObject *
crm_campaign_task_get_member (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return self->member;
}

JsonObject *
crm_campaign_task_get_campaign (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return self->campaign;
}

const char *
crm_campaign_task_get_field (CrmCampaignTask *self,
                             const char      *name)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return text_member (self->member, name);
}

const char *
crm_campaign_task_get_campaign_field (CrmCampaignTask *self,
                                      const char      *name)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return text_member (self->campaign, name);
}

const char * const *
crm_campaign_task_get_channels (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), no_channels);

  return (const char * const *) self->channels;
}

const char *
crm_campaign_task_get_due (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), NULL);

  return text_member (self->campaign, "ends_on");
}

gboolean
crm_campaign_task_is_open (CrmCampaignTask *self)
{
  const char *response;

  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), FALSE);

  response = text_member (self->member, "response");
  return response == NULL || g_str_equal (response, "pending") || g_str_equal (response, "contacted");
}

gboolean
crm_campaign_task_get_unsent (CrmCampaignTask *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_TASK (self), FALSE);

  return self->unsent;
}

/* NULLs last. */
static int
compare_text (const char *a,
              const char *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL) - (b == NULL);
  return strcmp (a, b);
}

int
crm_campaign_task_compare (gconstpointer a,
                           gconstpointer b,
                           gpointer      user_data)
{
  CrmCampaignTask *x = CRM_CAMPAIGN_TASK ((gpointer) a);
  CrmCampaignTask *y = CRM_CAMPAIGN_TASK ((gpointer) b);
  int r = compare_text (crm_campaign_task_get_due (x), crm_campaign_task_get_due (y));

  if (r == 0)
    r = compare_text (crm_campaign_task_get_campaign_field (x, "name"), crm_campaign_task_get_campaign_field (y, "name"));
  if (r == 0)
    r = g_utf8_collate (x->customer_name ? x->customer_name : "", y->customer_name ? y->customer_name : "");
  if (r == 0)
    r = strcmp (x->key, y->key);
  return r;
}

static int
compare_tasks (gconstpointer a,
               gconstpointer b)
{
  return crm_campaign_task_compare (*(gpointer *) a, *(gpointer *) b, NULL);
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

typedef gboolean (*Wanted) (JsonObject *member,
                            gconstpointer data);

typedef struct
{
  const char           *user_id;
  CrmCampaignTaskScope  scope;
} Assignee;

static gboolean
wanted (JsonObject    *member,
        gconstpointer  data)
{
  const char *user_id = ((const Assignee *) data)->user_id;
  CrmCampaignTaskScope scope = ((const Assignee *) data)->scope;

  /* the control group is not contacted: never a task, should a role that
   * receives is_control read here */
  if (bool_member (member, "is_control"))
    return FALSE;
  if (user_id != NULL && g_strcmp0 (text_member (member, "assigned_to"), user_id) == 0)
    return TRUE;
  return scope == CRM_CAMPAIGN_TASKS_WITH_QUEUED && text_member (member, "queue") != NULL;
}

/* The keys of the campaign members with a change in the queue. */
static GHashTable *
unsent_keys (CrmStore  *store,
             GError   **error)
{
  g_autoptr(GPtrArray) mutations = crm_store_list_mutations (store, error);
  GHashTable *keys;

  if (mutations == NULL)
    return NULL;
  keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < mutations->len; i++)
    {
      CrmMutation *m = mutations->pdata[i];

      if (m->entity == CRM_ENTITY_CAMPAIGN_MEMBER)
        g_hash_table_add (keys, g_strdup (m->record_id));
    }
  return keys;
}

/* Customer id -> name, of @members' customers. */
static GHashTable *
customer_names (CrmStore   *store,
                GPtrArray  *members,
                GError    **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) items = NULL;
  GHashTable *names;

  for (guint i = 0; i < members->len; i++)
    g_ptr_array_add (ids, (gpointer) text_member (members->pdata[i], "customer_id"));
  g_ptr_array_add (ids, NULL);
  items = crm_store_get_customer_items (store, (const char * const *) ids->pdata, error);
  if (items == NULL)
    return NULL;
  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < items->len; i++)
    if (items->pdata[i] != NULL)
      g_hash_table_replace (names, g_strdup (crm_customer_item_get_id (items->pdata[i])),
                            g_strdup (crm_customer_item_get_name (items->pdata[i])));
  return names;
}

/* The members of @customer_id (NULL: every one) that @want, as tasks. */
static GPtrArray *
read_tasks (CrmStore      *store,
            const char    *customer_id,
            Wanted         want,
            gconstpointer  data,
            GError       **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) members = g_ptr_array_new ();
  g_autoptr(GPtrArray) campaigns = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) names = NULL;
  g_autoptr(GHashTable) unsent = NULL;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);

  records = crm_store_get_records (store, CRM_ENTITY_CAMPAIGN_MEMBER, customer_id, error);
  if (records == NULL)
    return NULL;
  for (guint i = 0; i < records->len; i++)
    if (want (records->pdata[i], data))
      g_ptr_array_add (members, records->pdata[i]);
  if (members->len == 0)
    return g_steal_pointer (&tasks);

  campaigns = crm_store_get_records (store, CRM_ENTITY_CAMPAIGN, NULL, error);
  if (campaigns == NULL)
    return NULL;
  for (guint i = 0; i < campaigns->len; i++)
    {
      const char *id = text_member (campaigns->pdata[i], "id");

      if (id != NULL)
        g_hash_table_insert (by_id, (gpointer) id, campaigns->pdata[i]);
    }
  names = customer_names (store, members, error);
  unsent = names ? unsent_keys (store, error) : NULL;
  if (unsent == NULL)
    return NULL;

  for (guint i = 0; i < members->len; i++)
    {
      JsonObject *m = members->pdata[i];
      const char *campaign_id = text_member (m, "campaign_id");
      const char *customer = text_member (m, "customer_id");
      g_autofree char *key = NULL;

      if (campaign_id == NULL || customer == NULL)
        continue;
      key = crm_campaign_task_key_of (campaign_id, customer);
      g_ptr_array_add (tasks, task_new (m, g_hash_table_lookup (by_id, campaign_id),
                                        g_hash_table_lookup (names, customer),
                                        g_hash_table_contains (unsent, key)));
    }
  g_ptr_array_sort (tasks, compare_tasks);
  return g_steal_pointer (&tasks);
}

GPtrArray *
crm_campaign_tasks_read (CrmStore              *store,
                         const char            *user_id,
                         const char            *customer_id,
                         CrmCampaignTaskScope   scope,
                         GError               **error)
{
  Assignee assignee = { user_id, scope };

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return read_tasks (store, customer_id, wanted, &assignee, error);
}

static gboolean
of_campaign (JsonObject    *member,
             gconstpointer  campaign_id)
{
  return !bool_member (member, "is_control") && g_strcmp0 (text_member (member, "campaign_id"), campaign_id) == 0;
}

CrmCampaignTask *
crm_campaign_task_read_one (CrmStore    *store,
                            const char  *campaign_id,
                            const char  *customer_id,
                            GError     **error)
{
  g_autoptr(GPtrArray) tasks = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (campaign_id != NULL && customer_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tasks = read_tasks (store, customer_id, of_campaign, campaign_id, error);
  return tasks != NULL && tasks->len > 0 ? g_object_ref (tasks->pdata[0]) : NULL;
}

typedef struct
{
  CrmStore             *store;
  char                 *user_id;
  char                 *customer_id;
  CrmCampaignTaskScope  scope;
} ReadJob;

static void
read_job_free (ReadJob *job)
{
  g_clear_object (&job->store);
  g_free (job->user_id);
  g_free (job->customer_id);
  g_free (job);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadJob *job = task_data;
  GError *error = NULL;
  GPtrArray *tasks = crm_campaign_tasks_read (job->store, job->user_id, job->customer_id, job->scope, &error);

  if (tasks == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tasks, (GDestroyNotify) g_ptr_array_unref);
}

void
crm_campaign_tasks_read_async (CrmStore             *store,
                               const char           *user_id,
                               const char           *customer_id,
                               CrmCampaignTaskScope  scope,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadJob *job;

  g_return_if_fail (CRM_IS_STORE (store));

  job = g_new0 (ReadJob, 1);
  job->store = g_object_ref (store);
  job->user_id = g_strdup (user_id);
  job->customer_id = g_strdup (customer_id);
  job->scope = scope;
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_campaign_tasks_read_async);
  g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
  g_task_run_in_thread (task, read_thread);
}

GPtrArray *
crm_campaign_tasks_read_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_campaign_tasks_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
