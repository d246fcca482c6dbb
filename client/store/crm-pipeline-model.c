#define G_LOG_DOMAIN "crm-pipeline-model"

#include "config.h"

#include <string.h>

#include "crm-entity.h"
#include "crm-error.h"
#include "crm-pipeline-model.h"
#include "crm-pipeline-stages.h"

/* The most customers whose opportunities are read again one by one. */
#define MAX_PARTIAL_CUSTOMERS 256

/* A user of the directory: what an opportunity's owner gives its item. */
typedef struct
{
  char *name;
  char *team_id;
} User;

/* A move made here that the store's record may not show yet: the record
 * keeps its stage_changed_at until the server's answer comes down. */
typedef struct
{
  CrmStage   stage;
  GDateTime *at;
} LocalMove;

struct _CrmPipelineModel
{
  GObject            parent_instance;

  CrmStore          *store;
  GDateTime         *now;
  GCancellable      *cancellable;
  gboolean           loading;
  gboolean           reading;
  gboolean           pending_full;
  GHashTable        *pending_customers;   /* customer ids to read again */
  GError            *error;

  GArray            *stages;              /* of CrmPipelineStage, by position */
  int                position_of[CRM_N_STAGES + 1];
  GHashTable        *users;               /* id -> User; read-only once made */
  GHashTable        *region_parents;      /* id -> parent id ("" for none) */
  GPtrArray         *choices[CRM_PIPELINE_N_CHOICES];

  CrmPipelineFilter *filter;
  GHashTable        *region_subtree;      /* the filter's region and below, or NULL */
  GHashTable        *items;               /* id -> CrmOpportunityItem, all of them */
  GHashTable        *local_moves;         /* id -> LocalMove */
  GListStore        *filtered;
  GListStore        *stage_items[CRM_N_STAGES];
};

G_DEFINE_FINAL_TYPE (CrmPipelineModel, crm_pipeline_model, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

enum {
  STAGES_CHANGED,
  CHOICES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_read (CrmPipelineModel *self);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *o,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  return json_node_get_int (node);
}

static void
user_free (User *user)
{
  g_free (user->name);
  g_free (user->team_id);
  g_free (user);
}

static void
local_move_free (LocalMove *move)
{
  g_date_time_unref (move->at);
  g_free (move);
}

static void
choice_free (CrmPipelineChoice *choice)
{
  g_free (choice->id);
  g_free (choice->name);
  g_free (choice->name_en);
  g_free (choice);
}

static GPtrArray *
choices_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) choice_free);
}

static void
choices_add (GPtrArray  *choices,
             const char *id,
             const char *name,
             const char *name_en)
{
  CrmPipelineChoice *choice = g_new0 (CrmPipelineChoice, 1);

  choice->id = g_strdup (id);
  choice->name = g_strdup (name ? name : id);
  choice->name_en = g_strdup (name_en);
  g_ptr_array_add (choices, choice);
}

static int
choice_compare (gconstpointer a,
                gconstpointer b)
{
  const CrmPipelineChoice *ca = *(CrmPipelineChoice * const *) a;
  const CrmPipelineChoice *cb = *(CrmPipelineChoice * const *) b;
  int r = g_utf8_collate (ca->name, cb->name);

  return r ? r : strcmp (ca->id, cb->id);
}

static GArray *
default_stages (void)
{
  GArray *stages = g_array_new (FALSE, TRUE, sizeof (CrmPipelineStage));

  for (guint i = 0; i < CRM_N_STAGES; i++)
    {
      CrmPipelineStage s = { (CrmStage) i, (int) i + 1, crm_stage_initial_probability[i],
                             i != CRM_STAGE_WON && i != CRM_STAGE_LOST };

      g_array_append_val (stages, s);
    }
  return stages;
}

static int
stage_compare (gconstpointer a,
               gconstpointer b)
{
  const CrmPipelineStage *sa = a;
  const CrmPipelineStage *sb = b;

  return sa->position != sb->position ? (sa->position < sb->position ? -1 : 1) : (int) sa->stage - (int) sb->stage;
}

static int
default_probability (GArray   *stages,
                     CrmStage  stage)
{
  for (guint i = 0; i < stages->len; i++)
    if (g_array_index (stages, CrmPipelineStage, i).stage == stage)
      return g_array_index (stages, CrmPipelineStage, i).default_probability;
  return -1;
}

/* ------------------------------------------------------------------ */
/* Reading (in a worker)                                               */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmStore   *store;
  GStrv       customers;        /* NULL: everything */
  GDateTime  *now;
  /* in: the model's (a part); out: what was read (everything) */
  GArray     *stages;
  GHashTable *users;
  /* out */
  GPtrArray  *items;
  GHashTable *region_parents;
  GPtrArray  *choices[CRM_PIPELINE_N_CHOICES];
} ReadJob;

static void
read_job_free (ReadJob *job)
{
  g_clear_object (&job->store);
  g_strfreev (job->customers);
  g_clear_pointer (&job->now, g_date_time_unref);
  g_clear_pointer (&job->stages, g_array_unref);
  g_clear_pointer (&job->users, g_hash_table_unref);
  g_clear_pointer (&job->items, g_ptr_array_unref);
  g_clear_pointer (&job->region_parents, g_hash_table_unref);
  for (guint i = 0; i < CRM_PIPELINE_N_CHOICES; i++)
    g_clear_pointer (&job->choices[i], g_ptr_array_unref);
  g_free (job);
}

static gboolean
read_stages (ReadJob  *job,
             GError  **error)
{
  g_autoptr(GPtrArray) records = NULL;

  job->stages = default_stages ();
  records = crm_store_get_records (job->store, CRM_ENTITY_PIPELINE_STAGE, NULL, error);
  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *r = records->pdata[i];
      const char *name = member_string (r, "stage");
      int index = name ? crm_wire_lookup (crm_stage_names, name) : -1;
      JsonNode *open = json_object_get_member (r, "is_open");
      CrmPipelineStage *s;

      if (index < 0)
        continue;
      s = &g_array_index (job->stages, CrmPipelineStage, index);
      s->position = (int) member_int (r, "position", s->position);
      s->default_probability = (int) CLAMP (member_int (r, "default_probability", s->default_probability), 0, 100);
      if (open != NULL && JSON_NODE_HOLDS_VALUE (open))
        s->is_open = json_node_get_boolean (open);
    }
  g_array_sort (job->stages, stage_compare);
  return TRUE;
}

/* The directory (synced read-only): users, for the owners' names and
 * teams; teams and regions, for the filter bar; the regions' parents, for
 * a region's subtree. */
static gboolean
read_users (ReadJob  *job,
            GError  **error)
{
  g_autoptr(GPtrArray) records = crm_store_get_records (job->store, CRM_ENTITY_USER, NULL, error);

  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    {
      const char *id = member_string (records->pdata[i], "id");
      User *user;

      if (id == NULL)
        continue;
      user = g_new0 (User, 1);
      user->name = g_strdup (member_string (records->pdata[i], "display_name"));
      user->team_id = g_strdup (member_string (records->pdata[i], "team_id"));
      g_hash_table_insert (job->users, g_strdup (id), user);
      choices_add (job->choices[CRM_PIPELINE_CHOICE_OWNER], id, user->name, NULL);
    }
  return TRUE;
}

static gboolean
read_teams (ReadJob  *job,
            GError  **error)
{
  g_autoptr(GPtrArray) records = crm_store_get_records (job->store, CRM_ENTITY_TEAM, NULL, error);

  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    if (member_string (records->pdata[i], "id") != NULL)
      choices_add (job->choices[CRM_PIPELINE_CHOICE_TEAM], member_string (records->pdata[i], "id"),
                   member_string (records->pdata[i], "name"), member_string (records->pdata[i], "name_en"));
  return TRUE;
}

static gboolean
read_regions (ReadJob  *job,
              GError  **error)
{
  g_autoptr(GPtrArray) records = crm_store_get_records (job->store, CRM_ENTITY_REGION, NULL, error);

  if (records == NULL)
    return FALSE;
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *r = records->pdata[i];
      const char *id = member_string (r, "id");
      const char *parent = member_string (r, "parent_id");

      if (id == NULL)
        continue;
      g_hash_table_insert (job->region_parents, g_strdup (id), g_strdup (parent ? parent : ""));
      choices_add (job->choices[CRM_PIPELINE_CHOICE_REGION], id, member_string (r, "name"),
                   member_string (r, "name_en"));
    }
  return TRUE;
}

static gboolean
read_directory (ReadJob  *job,
                GError  **error)
{
  job->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) user_free);
  job->region_parents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < CRM_PIPELINE_N_CHOICES; i++)
    job->choices[i] = choices_new ();
  return read_users (job, error) && read_teams (job, error) && read_regions (job, error);
}

static GPtrArray *
read_opportunities (ReadJob  *job,
                    GError  **error)
{
  g_autoptr(GPtrArray) all = NULL;

  if (job->customers == NULL)
    return crm_store_get_records (job->store, CRM_ENTITY_OPPORTUNITY, NULL, error);

  all = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  for (guint i = 0; job->customers[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) some = crm_store_get_records (job->store, CRM_ENTITY_OPPORTUNITY, job->customers[i],
                                                         error);

      if (some == NULL)
        return NULL;
      for (guint j = 0; j < some->len; j++)
        g_ptr_array_add (all, json_object_ref (some->pdata[j]));
    }
  return g_steal_pointer (&all);
}

/* The customers of @records, as list items (name, region, owner). */
static GHashTable *
read_customers (ReadJob    *job,
                GPtrArray  *records,
                GError    **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) customers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) items = NULL;

  for (guint i = 0; i < records->len; i++)
    {
      const char *id = member_string (records->pdata[i], "customer_id");

      if (id != NULL && g_hash_table_add (seen, (gpointer) id))
        g_ptr_array_add (ids, (gpointer) id);
    }
  g_ptr_array_add (ids, NULL);
  items = crm_store_get_customer_items (job->store, (const char * const *) ids->pdata, error);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    if (items->pdata[i] != NULL)
      {
        CrmCustomerItem *c = items->pdata[i];

        g_hash_table_insert (customers, (gpointer) crm_customer_item_get_id (c), g_object_ref (c));
      }
  return g_steal_pointer (&customers);
}

static CrmOpportunityItem *
make_item (ReadJob    *job,
           JsonObject *record,
           GHashTable *customers)
{
  const char *customer_id = member_string (record, "customer_id");
  const char *owner_id = member_string (record, "owner_id");
  const char *stage = member_string (record, "stage");
  int index = stage ? crm_wire_lookup (crm_stage_names, stage) : -1;
  CrmCustomerItem *customer = customer_id ? g_hash_table_lookup (customers, customer_id) : NULL;
  User *user = owner_id ? g_hash_table_lookup (job->users, owner_id) : NULL;
  CrmOpportunityContext context = { 0, };

  context.default_probability = index < 0 ? -1 : default_probability (job->stages, (CrmStage) index);
  if (customer != NULL)
    {
      context.customer_name = crm_customer_item_get_name (customer);
      context.region_id = crm_customer_item_get_region_id (customer);
      /* a store without the directory: the customer's account manager's
       * name, when the opportunity is theirs */
      if (g_strcmp0 (crm_customer_item_get_owner_id (customer), owner_id) == 0)
        context.owner_name = crm_customer_item_get_owner_name (customer);
    }
  if (user != NULL)
    {
      context.owner_name = user->name;
      context.team_id = user->team_id;
    }
  return crm_opportunity_item_new (record, &context, job->now);
}

/* Without a directory, the filter bar offers the owners and regions that
 * the opportunities themselves name. */
static void
choices_from_items (ReadJob    *job,
                    GHashTable *customers)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer value;

  if (job->choices[CRM_PIPELINE_CHOICE_OWNER]->len == 0)
    for (guint i = 0; i < job->items->len; i++)
      {
        CrmOpportunityItem *item = job->items->pdata[i];
        const char *owner = crm_opportunity_item_get_owner_id (item);

        if (owner != NULL && crm_opportunity_item_get_owner_name (item) != NULL &&
            g_hash_table_add (seen, (gpointer) owner))
          choices_add (job->choices[CRM_PIPELINE_CHOICE_OWNER], owner, crm_opportunity_item_get_owner_name (item),
                       NULL);
      }
  if (job->choices[CRM_PIPELINE_CHOICE_REGION]->len == 0)
    {
      g_hash_table_iter_init (&iter, customers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          const char *region = crm_customer_item_get_region_id (value);

          if (region != NULL && g_hash_table_add (seen, (gpointer) region))
            choices_add (job->choices[CRM_PIPELINE_CHOICE_REGION], region,
                         crm_customer_item_get_region_name (value), NULL);
        }
    }
  for (guint i = 0; i < CRM_PIPELINE_N_CHOICES; i++)
    g_ptr_array_sort (job->choices[i], choice_compare);
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadJob *job = task_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GHashTable) customers = NULL;
  GError *error = NULL;

  if (job->customers == NULL && (!read_stages (job, &error) || !read_directory (job, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  records = read_opportunities (job, &error);
  if (records != NULL)
    customers = read_customers (job, records, &error);
  if (customers == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->items = g_ptr_array_new_full (records->len, g_object_unref);
  for (guint i = 0; i < records->len; i++)
    if (member_string (records->pdata[i], "id") != NULL)
      g_ptr_array_add (job->items, make_item (job, records->pdata[i], customers));
  if (job->customers == NULL)
    choices_from_items (job, customers);
  g_task_return_boolean (task, TRUE);
}

/* ------------------------------------------------------------------ */
/* The lists                                                           */
/* ------------------------------------------------------------------ */

static int
item_compare (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  CrmPipelineModel *self = user_data;
  CrmOpportunityItem *ia = (CrmOpportunityItem *) a;
  CrmOpportunityItem *ib = (CrmOpportunityItem *) b;
  int pa = self->position_of[crm_opportunity_item_get_stage (ia)];
  int pb = self->position_of[crm_opportunity_item_get_stage (ib)];
  const char *ca = crm_opportunity_item_get_expected_close (ia);
  const char *cb = crm_opportunity_item_get_expected_close (ib);

  if (pa != pb)
    return pa < pb ? -1 : 1;
  if ((ca == NULL) != (cb == NULL))
    return ca == NULL ? 1 : -1;
  if (ca != NULL && strcmp (ca, cb) != 0)
    return strcmp (ca, cb);
  return g_strcmp0 (crm_opportunity_item_get_id (ia), crm_opportunity_item_get_id (ib));
}

static int
item_compare_sort (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  return item_compare (*(gpointer *) a, *(gpointer *) b, user_data);
}

/* Where @item is in @store, or would go: the first position whose item
 * does not sort before it.  *@found says whether @item itself is there. */
static guint
store_position (CrmPipelineModel   *self,
                GListStore         *store,
                CrmOpportunityItem *item,
                gboolean           *found)
{
  guint lo = 0, hi = g_list_model_get_n_items (G_LIST_MODEL (store));

  *found = FALSE;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      g_autoptr(CrmOpportunityItem) other = g_list_model_get_item (G_LIST_MODEL (store), mid);

      if (item_compare (other, item, self) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < g_list_model_get_n_items (G_LIST_MODEL (store)))
    {
      g_autoptr(CrmOpportunityItem) there = g_list_model_get_item (G_LIST_MODEL (store), lo);

      *found = there == item;
    }
  return lo;
}

/* Takes @old out of @store and puts @new in, either may be NULL; in one
 * change when @new takes @old's place, so its row is kept. */
static void
store_replace (CrmPipelineModel   *self,
               GListStore         *store,
               CrmOpportunityItem *old,
               CrmOpportunityItem *new)
{
  gboolean found = FALSE;
  guint old_pos = 0;

  if (old != NULL)
    old_pos = store_position (self, store, old, &found);
  if (found && new != NULL)
    {
      gboolean before_ok = TRUE, after_ok = TRUE;
      guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

      if (old_pos > 0)
        {
          g_autoptr(CrmOpportunityItem) prev = g_list_model_get_item (G_LIST_MODEL (store), old_pos - 1);

          before_ok = item_compare (prev, new, self) < 0;
        }
      if (old_pos + 1 < n)
        {
          g_autoptr(CrmOpportunityItem) next = g_list_model_get_item (G_LIST_MODEL (store), old_pos + 1);

          after_ok = item_compare (new, next, self) < 0;
        }
      if (before_ok && after_ok)
        {
          g_list_store_splice (store, old_pos, 1, (gpointer *) &new, 1);
          return;
        }
    }
  if (found)
    g_list_store_remove (store, old_pos);
  if (new != NULL)
    g_list_store_insert (store, store_position (self, store, new, &found), new);
}

static gboolean
passes (CrmPipelineModel   *self,
        CrmOpportunityItem *item)
{
  return item != NULL && (guint) crm_opportunity_item_get_stage (item) < CRM_N_STAGES &&
         crm_pipeline_filter_matches (self->filter, item, self->region_subtree);
}

/* Puts @new where @old was (in the table and the lists); either may be
 * NULL. */
static void
change_item (CrmPipelineModel   *self,
             CrmOpportunityItem *old,
             CrmOpportunityItem *new)
{
  CrmOpportunityItem *shown_old = passes (self, old) ? old : NULL;
  CrmOpportunityItem *shown_new = passes (self, new) ? new : NULL;

  g_object_ref (old ? old : new);   /* the table may hold the last reference */
  if (new != NULL)
    g_hash_table_replace (self->items, (gpointer) crm_opportunity_item_get_id (new), g_object_ref (new));
  else
    g_hash_table_remove (self->items, crm_opportunity_item_get_id (old));

  if (shown_old != NULL || shown_new != NULL)
    store_replace (self, self->filtered, shown_old, shown_new);
  if (shown_old != NULL && shown_new != NULL &&
      crm_opportunity_item_get_stage (shown_old) == crm_opportunity_item_get_stage (shown_new))
    store_replace (self, self->stage_items[crm_opportunity_item_get_stage (shown_new)], shown_old, shown_new);
  else
    {
      if (shown_old != NULL)
        store_replace (self, self->stage_items[crm_opportunity_item_get_stage (shown_old)], shown_old, NULL);
      if (shown_new != NULL)
        store_replace (self, self->stage_items[crm_opportunity_item_get_stage (shown_new)], NULL, shown_new);
    }
  g_object_unref (old ? old : new);
}

/* Fills the lists again from the table (a new filter, a full read). */
static void
refill (CrmPipelineModel *self)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  GPtrArray *per_stage[CRM_N_STAGES];
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (passes (self, value))
      g_ptr_array_add (shown, value);
  g_ptr_array_sort_with_data (shown, item_compare_sort, self);

  for (guint s = 0; s < CRM_N_STAGES; s++)
    per_stage[s] = g_ptr_array_new ();
  for (guint i = 0; i < shown->len; i++)
    g_ptr_array_add (per_stage[crm_opportunity_item_get_stage (shown->pdata[i])], shown->pdata[i]);

  g_list_store_splice (self->filtered, 0, g_list_model_get_n_items (G_LIST_MODEL (self->filtered)),
                       shown->pdata, shown->len);
  for (guint s = 0; s < CRM_N_STAGES; s++)
    {
      GListStore *store = self->stage_items[s];

      g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                           per_stage[s]->pdata, per_stage[s]->len);
      g_ptr_array_unref (per_stage[s]);
    }
}

static void
update_region_subtree (CrmPipelineModel *self)
{
  GHashTableIter iter;
  gpointer key;
  gboolean grew = TRUE;

  g_clear_pointer (&self->region_subtree, g_hash_table_unref);
  if (self->filter->region_id == NULL)
    return;
  self->region_subtree = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (self->region_subtree, g_strdup (self->filter->region_id));
  /* a handful of levels: add the children of what is in until nothing grows */
  while (grew)
    {
      grew = FALSE;
      g_hash_table_iter_init (&iter, self->region_parents);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          const char *parent = g_hash_table_lookup (self->region_parents, key);

          if (!g_hash_table_contains (self->region_subtree, key) && g_hash_table_contains (self->region_subtree, parent))
            {
              g_hash_table_add (self->region_subtree, g_strdup (key));
              grew = TRUE;
            }
        }
    }
}

static GDateTime *
dup_now (CrmPipelineModel *self)
{
  return self->now ? g_date_time_ref (self->now) : g_date_time_new_now_utc ();
}

/* A move made here wins over a record that does not show it yet. */
static CrmOpportunityItem *
overlay_local_move (CrmPipelineModel   *self,
                    CrmOpportunityItem *item,
                    GDateTime          *now)
{
  const char *id = crm_opportunity_item_get_id (item);
  LocalMove *move = g_hash_table_lookup (self->local_moves, id);
  g_autoptr(GDateTime) changed = NULL;
  const char *changed_at;

  if (move == NULL)
    return g_object_ref (item);
  if (crm_opportunity_item_get_stage (item) != move->stage)
    {
      g_hash_table_remove (self->local_moves, id);
      return g_object_ref (item);
    }
  changed_at = crm_opportunity_item_get_stage_changed_at (item);
  changed = changed_at ? g_date_time_new_from_iso8601 (changed_at, NULL) : NULL;
  if (changed != NULL && g_date_time_compare (changed, move->at) >= 0)
    {
      g_hash_table_remove (self->local_moves, id);
      return g_object_ref (item);
    }
  return crm_opportunity_item_new_moved (item, move->stage,
                                         default_probability (self->stages, move->stage), move->at, now);
}

/* ------------------------------------------------------------------ */
/* Applying a read                                                     */
/* ------------------------------------------------------------------ */

static void
set_stages (CrmPipelineModel *self,
            GArray           *stages)
{
  gboolean same = self->stages != NULL && self->stages->len == stages->len &&
                  memcmp (self->stages->data, stages->data, stages->len * sizeof (CrmPipelineStage)) == 0;

  g_clear_pointer (&self->stages, g_array_unref);
  self->stages = g_array_ref (stages);
  for (guint i = 0; i <= CRM_N_STAGES; i++)
    self->position_of[i] = G_MAXINT;
  for (guint i = 0; i < stages->len; i++)
    self->position_of[g_array_index (stages, CrmPipelineStage, i).stage] = (int) i;
  if (!same)
    g_signal_emit (self, signals[STAGES_CHANGED], 0);
}

static void
apply_full (CrmPipelineModel *self,
            ReadJob          *job)
{
  g_autoptr(GDateTime) now = dup_now (self);

  set_stages (self, job->stages);
  g_clear_pointer (&self->users, g_hash_table_unref);
  self->users = g_hash_table_ref (job->users);
  g_clear_pointer (&self->region_parents, g_hash_table_unref);
  self->region_parents = g_hash_table_ref (job->region_parents);
  for (guint i = 0; i < CRM_PIPELINE_N_CHOICES; i++)
    {
      g_clear_pointer (&self->choices[i], g_ptr_array_unref);
      self->choices[i] = g_ptr_array_ref (job->choices[i]);
    }
  update_region_subtree (self);
  g_signal_emit (self, signals[CHOICES_CHANGED], 0);

  g_hash_table_remove_all (self->items);
  for (guint i = 0; i < job->items->len; i++)
    {
      CrmOpportunityItem *item = overlay_local_move (self, job->items->pdata[i], now);

      g_hash_table_replace (self->items, (gpointer) crm_opportunity_item_get_id (item), item);
    }
  refill (self);
}

static void
apply_part (CrmPipelineModel *self,
            ReadJob          *job)
{
  g_autoptr(GHashTable) customers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) fresh = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GDateTime) now = dup_now (self);
  GHashTableIter iter;
  gpointer value;

  for (guint i = 0; job->customers[i] != NULL; i++)
    g_hash_table_add (customers, job->customers[i]);
  for (guint i = 0; i < job->items->len; i++)
    g_hash_table_add (fresh, (gpointer) crm_opportunity_item_get_id (job->items->pdata[i]));

  /* those customers' opportunities that are no longer there */
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (g_hash_table_contains (customers, crm_opportunity_item_get_customer_id (value)) &&
        !g_hash_table_contains (fresh, crm_opportunity_item_get_id (value)))
      g_ptr_array_add (gone, g_object_ref (value));
  for (guint i = 0; i < gone->len; i++)
    change_item (self, gone->pdata[i], NULL);

  for (guint i = 0; i < job->items->len; i++)
    {
      g_autoptr(CrmOpportunityItem) item = overlay_local_move (self, job->items->pdata[i], now);
      CrmOpportunityItem *old = g_hash_table_lookup (self->items, crm_opportunity_item_get_id (item));

      change_item (self, old, item);
    }
}

static void
read_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmPipelineModel) self = user_data;
  ReadJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->reading = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning ("Reading the pipeline: %s", error->message);
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
    }
  else
    {
      if (job->customers == NULL)
        apply_full (self, job);
      else
        apply_part (self, job);
      if (self->error != NULL)
        {
          g_clear_error (&self->error);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
        }
    }
  if (self->loading && job->customers == NULL)
    {
      self->loading = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
  schedule_read (self);
}

/* Starts the read that is due, unless one is running (it starts the
 * next when it ends). */
static void
schedule_read (CrmPipelineModel *self)
{
  g_autoptr(GTask) task = NULL;
  ReadJob *job;

  if (self->reading || (!self->pending_full && g_hash_table_size (self->pending_customers) == 0))
    return;

  /* past a few hundred customers (a sync's first pages), one read of
   * everything is cheaper than a query for each */
  if (g_hash_table_size (self->pending_customers) > MAX_PARTIAL_CUSTOMERS)
    self->pending_full = TRUE;

  job = g_new0 (ReadJob, 1);
  job->store = g_object_ref (self->store);
  job->now = dup_now (self);
  if (!self->pending_full)
    {
      job->customers = (GStrv) g_hash_table_get_keys_as_array (self->pending_customers, NULL);
      g_hash_table_steal_all (self->pending_customers);
      job->stages = g_array_ref (self->stages);
      job->users = g_hash_table_ref (self->users);
    }
  else
    g_hash_table_remove_all (self->pending_customers);
  self->pending_full = FALSE;
  self->reading = TRUE;

  task = g_task_new (NULL, self->cancellable, read_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, schedule_read);
  g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
  g_task_run_in_thread (task, read_thread);
}

static void
store_changed_cb (CrmStore           *store,
                  const char         *entity,
                  const char * const *keys,
                  CrmPipelineModel   *self)
{
  gboolean is_opportunity = g_strcmp0 (entity, "opportunity") == 0;

  if (is_opportunity || g_strcmp0 (entity, "customer") == 0)
    {
      if (keys == NULL)
        self->pending_full = TRUE;
      for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
        {
          CrmOpportunityItem *item = is_opportunity ? g_hash_table_lookup (self->items, keys[i]) : NULL;
          const char *customer = item ? crm_opportunity_item_get_customer_id (item) : keys[i];

          /* an opportunity not seen before: its customer is not known */
          if (is_opportunity && item == NULL)
            self->pending_full = TRUE;
          else if (!g_hash_table_contains (self->pending_customers, customer))
            g_hash_table_add (self->pending_customers, g_strdup (customer));
        }
    }
  else if (g_strcmp0 (entity, "pipeline_stage") == 0 || g_strcmp0 (entity, "user") == 0 ||
           g_strcmp0 (entity, "team") == 0 || g_strcmp0 (entity, "region") == 0)
    self->pending_full = TRUE;
  else
    return;
  schedule_read (self);
}

/* ------------------------------------------------------------------ */
/* Moves                                                               */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmOpportunityItem *before;
  CrmOpportunityItem *after;
  CrmPipelineMove    *move;
} MoveData;

static void
move_data_free (MoveData *data)
{
  g_clear_object (&data->before);
  g_clear_object (&data->after);
  g_clear_pointer (&data->move, crm_pipeline_move_free);
  g_free (data);
}

static void
move_queued_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CrmPipelineModel *self = g_task_get_source_object (task);
  MoveData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) mutations = NULL;
  GError *error = NULL;

  mutations = crm_store_enqueue_updates_finish (CRM_STORE (source), result, &error);
  if (mutations == NULL)
    {
      /* the store refused it: back where it was, unless it changed since */
      CrmOpportunityItem *now = g_hash_table_lookup (self->items, data->move->id);

      if (now == data->after)
        change_item (self, data->after, data->before);
      g_hash_table_remove (self->local_moves, data->move->id);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&data->move), (GDestroyNotify) crm_pipeline_move_free);
}

/* @set_reason: write @lost_reason (a move to lost, or an undo). */
static void
move (CrmPipelineModel    *self,
      const char          *id,
      CrmStage             stage,
      gboolean             set_reason,
      const char          *lost_reason,
      GTask               *task)
{
  CrmOpportunityItem *item = g_hash_table_lookup (self->items, id);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GDateTime) now = dup_now (self);
  CrmStoreUpdate update = { CRM_ENTITY_OPPORTUNITY, id, fields };
  LocalMove *local;
  MoveData *data;

  if (item == NULL)
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

  /* shown at once */
  data->before = g_object_ref (item);
  data->after = crm_opportunity_item_new_moved (item, stage, default_probability (self->stages, stage), now, now);
  local = g_new0 (LocalMove, 1);
  local->stage = stage;
  local->at = g_date_time_ref (now);
  g_hash_table_replace (self->local_moves, g_strdup (id), local);
  change_item (self, data->before, data->after);

  crm_store_enqueue_updates_async (self->store, &update, 1, g_task_get_cancellable (task), move_queued_cb,
                                   g_object_ref (task));
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_pipeline_model_dispose (GObject *object)
{
  CrmPipelineModel *self = (CrmPipelineModel *) object;

  g_cancellable_cancel (self->cancellable);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  for (guint i = 0; i < CRM_N_STAGES; i++)
    g_clear_object (&self->stage_items[i]);
  g_clear_object (&self->filtered);

  G_OBJECT_CLASS (crm_pipeline_model_parent_class)->dispose (object);
}

static void
crm_pipeline_model_finalize (GObject *object)
{
  CrmPipelineModel *self = (CrmPipelineModel *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->now, g_date_time_unref);
  g_clear_pointer (&self->pending_customers, g_hash_table_unref);
  g_clear_error (&self->error);
  g_clear_pointer (&self->stages, g_array_unref);
  g_clear_pointer (&self->users, g_hash_table_unref);
  g_clear_pointer (&self->region_parents, g_hash_table_unref);
  for (guint i = 0; i < CRM_PIPELINE_N_CHOICES; i++)
    g_clear_pointer (&self->choices[i], g_ptr_array_unref);
  g_clear_pointer (&self->filter, crm_pipeline_filter_free);
  g_clear_pointer (&self->region_subtree, g_hash_table_unref);
  g_clear_pointer (&self->items, g_hash_table_unref);
  g_clear_pointer (&self->local_moves, g_hash_table_unref);

  G_OBJECT_CLASS (crm_pipeline_model_parent_class)->finalize (object);
}

static void
crm_pipeline_model_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrmPipelineModel *self = CRM_PIPELINE_MODEL (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_pipeline_model_class_init (CrmPipelineModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_pipeline_model_dispose;
  object_class->finalize = crm_pipeline_model_finalize;
  object_class->get_property = crm_pipeline_model_get_property;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, TRUE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmPipelineModel::stages-changed:
   *
   * The stages' order, defaults or openness changed.
   */
  signals[STAGES_CHANGED] = g_signal_new ("stages-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * CrmPipelineModel::choices-changed:
   *
   * The directory was read again (crm_pipeline_model_get_choices ()).
   */
  signals[CHOICES_CHANGED] = g_signal_new ("choices-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
crm_pipeline_model_init (CrmPipelineModel *self)
{
  g_autoptr(GArray) stages = default_stages ();

  self->loading = TRUE;
  self->cancellable = g_cancellable_new ();
  self->pending_customers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->users = g_hash_table_new (g_str_hash, g_str_equal);
  self->region_parents = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < CRM_PIPELINE_N_CHOICES; i++)
    self->choices[i] = choices_new ();
  self->filter = crm_pipeline_filter_new ();
  self->items = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->local_moves = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) local_move_free);
  self->filtered = g_list_store_new (CRM_TYPE_OPPORTUNITY_ITEM);
  for (guint i = 0; i < CRM_N_STAGES; i++)
    self->stage_items[i] = g_list_store_new (CRM_TYPE_OPPORTUNITY_ITEM);
  set_stages (self, stages);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

void
crm_pipeline_sum (GListModel        *items,
                  CrmPipelineTotals  totals[CRM_N_STAGES])
{
  guint n;

  g_return_if_fail (G_IS_LIST_MODEL (items));
  g_return_if_fail (totals != NULL);

  memset (totals, 0, CRM_N_STAGES * sizeof (CrmPipelineTotals));
  n = g_list_model_get_n_items (items);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (items, i);
      CrmStage stage = crm_opportunity_item_get_stage (item);

      if ((guint) stage >= CRM_N_STAGES)
        continue;
      totals[stage].count++;
      totals[stage].amount += crm_opportunity_item_get_amount (item);
      totals[stage].weighted += crm_opportunity_item_get_weighted (item);
    }
}

void
crm_pipeline_move_free (CrmPipelineMove *move)
{
  if (move == NULL)
    return;
  g_free (move->id);
  g_free (move->from_lost_reason);
  g_free (move);
}

/**
 * crm_pipeline_model_new:
 *
 * Starts reading @store at once; "loading" turns FALSE when it is done.
 */
CrmPipelineModel *
crm_pipeline_model_new (CrmStore *store)
{
  CrmPipelineModel *self;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_PIPELINE_MODEL, NULL);
  self->store = g_object_ref (store);
  g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);
  crm_pipeline_model_reload (self);
  return self;
}

CrmStore *
crm_pipeline_model_get_store (CrmPipelineModel *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  return self->store;
}

void
crm_pipeline_model_set_now (CrmPipelineModel *self,
                            GDateTime        *now)
{
  g_return_if_fail (CRM_IS_PIPELINE_MODEL (self));

  g_clear_pointer (&self->now, g_date_time_unref);
  self->now = now ? g_date_time_ref (now) : NULL;
}

gboolean
crm_pipeline_model_get_loading (CrmPipelineModel *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), FALSE);
  return self->loading;
}

const GError *
crm_pipeline_model_get_error (CrmPipelineModel *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  return self->error;
}

void
crm_pipeline_model_reload (CrmPipelineModel *self)
{
  g_return_if_fail (CRM_IS_PIPELINE_MODEL (self));

  self->pending_full = TRUE;
  schedule_read (self);
}

const CrmPipelineStage *
crm_pipeline_model_get_stages (CrmPipelineModel *self,
                               guint            *n_stages)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  g_return_val_if_fail (n_stages != NULL, NULL);

  *n_stages = self->stages->len;
  return (const CrmPipelineStage *) (gpointer) self->stages->data;
}

const CrmPipelineStage *
crm_pipeline_model_lookup_stage (CrmPipelineModel *self,
                                 CrmStage          stage)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  g_return_val_if_fail ((guint) stage < CRM_N_STAGES, NULL);

  return &g_array_index (self->stages, CrmPipelineStage, self->position_of[stage]);
}

void
crm_pipeline_model_set_filter (CrmPipelineModel        *self,
                               const CrmPipelineFilter *filter)
{
  g_return_if_fail (CRM_IS_PIPELINE_MODEL (self));
  g_return_if_fail (filter != NULL);

  if (crm_pipeline_filter_equal (self->filter, filter))
    return;
  crm_pipeline_filter_free (self->filter);
  self->filter = crm_pipeline_filter_copy (filter);
  update_region_subtree (self);
  refill (self);
}

const CrmPipelineFilter *
crm_pipeline_model_get_filter (CrmPipelineModel *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  return self->filter;
}

GListModel *
crm_pipeline_model_get_items (CrmPipelineModel *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

GListModel *
crm_pipeline_model_get_stage_items (CrmPipelineModel *self,
                                    CrmStage          stage)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  g_return_val_if_fail ((guint) stage < CRM_N_STAGES, NULL);
  return G_LIST_MODEL (self->stage_items[stage]);
}

CrmOpportunityItem *
crm_pipeline_model_lookup (CrmPipelineModel *self,
                           const char       *id)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  return id ? g_hash_table_lookup (self->items, id) : NULL;
}

guint
crm_pipeline_model_get_n_all (CrmPipelineModel *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), 0);
  return g_hash_table_size (self->items);
}

GPtrArray *
crm_pipeline_model_get_choices (CrmPipelineModel      *self,
                                CrmPipelineChoiceKind  kind)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  g_return_val_if_fail ((guint) kind < CRM_PIPELINE_N_CHOICES, NULL);
  return self->choices[kind];
}

void
crm_pipeline_model_move_async (CrmPipelineModel    *self,
                               const char          *id,
                               CrmStage             stage,
                               const char          *lost_reason,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *reason = g_strstrip (g_strdup (lost_reason ? lost_reason : ""));

  g_return_if_fail (CRM_IS_PIPELINE_MODEL (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail ((guint) stage < CRM_N_STAGES);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_pipeline_model_move_async);
  if (stage == CRM_STAGE_LOST && reason[0] == '\0')
    {
      g_task_return_error (task, g_error_new_literal (CRM_ERROR, CRM_ERROR_INVALID,
                                                      "A lost opportunity needs a reason"));
      return;
    }
  move (self, id, stage, stage == CRM_STAGE_LOST, reason, task);
}

CrmPipelineMove *
crm_pipeline_model_move_finish (CrmPipelineModel  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_pipeline_model_move_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
crm_pipeline_model_undo_async (CrmPipelineModel      *self,
                               const CrmPipelineMove *undone,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_MODEL (self));
  g_return_if_fail (undone != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_pipeline_model_undo_async);
  /* a loss's reason goes back to what it was */
  move (self, undone->id, undone->from, undone->to == CRM_STAGE_LOST || undone->from == CRM_STAGE_LOST,
        undone->from_lost_reason, task);
}

gboolean
crm_pipeline_model_undo_finish (CrmPipelineModel  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_autoptr(CrmPipelineMove) done = NULL;

  g_return_val_if_fail (CRM_IS_PIPELINE_MODEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == crm_pipeline_model_undo_async, FALSE);

  done = g_task_propagate_pointer (G_TASK (result), error);
  return done != NULL;
}
