#define G_LOG_DOMAIN "crm-pipeline-sort-model"

#include "config.h"

#include <string.h>

#include "crm-item-tree.h"
#include "crm-pipeline-sort-model.h"

/*
 * Why not GtkSortListModel: see crm-customer-model.c (it compares through
 * GtkSorter without keys, and a single-row change costs O(n)); and this
 * list lives in client/store, without GTK.
 *
 * The source tells what changed by position; self->mirror holds its items
 * in its order, so that a removed item is known, found in the tree by its
 * keys and taken out.
 */

/* Above this many rows changed at once, the tree is built again. */
#define EXACT_EDITS 48

typedef struct
{
  char   *title;     /* collation keys; NULL: none (last) */
  char   *customer;
  char   *owner;
  gint64  number;    /* the sort column's, for the others */
} Keys;

struct _CrmPipelineSortModel
{
  GObject            parent_instance;

  GListModel        *source;
  gulong             changed_handler;
  GPtrArray         *mirror;    /* the source's items (references), in its order */
  GHashTable        *keys;      /* item -> Keys */
  GHashTable        *by_id;     /* id -> item */
  CrmItemTree       *tree;      /* the items, in sort order */
  CrmPipelineColumn  column;
  gboolean           descending;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrmPipelineSortModel, crm_pipeline_sort_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
keys_free (gpointer data)
{
  Keys *keys = data;

  g_free (keys->title);
  g_free (keys->customer);
  g_free (keys->owner);
  g_free (keys);
}

static char *
collate_key (const char *text)
{
  return text != NULL && text[0] != '\0' ? g_utf8_collate_key (text, -1) : NULL;
}

static gint64
number_of (CrmOpportunityItem *item,
           CrmPipelineColumn   column)
{
  const char *close;

  switch (column)
    {
    case CRM_PIPELINE_COLUMN_STAGE:
      return crm_opportunity_item_get_stage (item);
    case CRM_PIPELINE_COLUMN_AMOUNT:
      return crm_opportunity_item_get_amount (item);
    case CRM_PIPELINE_COLUMN_WEIGHTED:
      return crm_opportunity_item_get_weighted (item);
    case CRM_PIPELINE_COLUMN_PROBABILITY:
      return crm_opportunity_item_get_probability (item);
    case CRM_PIPELINE_COLUMN_DAYS_IN_STAGE:
      return crm_opportunity_item_get_days_in_stage (item);
    case CRM_PIPELINE_COLUMN_EXPECTED_CLOSE:
      /* YYYYMMDD; none after every date */
      close = crm_opportunity_item_get_expected_close (item);
      if (close == NULL || strlen (close) != 10)
        return G_MAXINT64;
      return g_ascii_strtoll (close, NULL, 10) * 10000 + g_ascii_strtoll (close + 5, NULL, 10) * 100 +
             g_ascii_strtoll (close + 8, NULL, 10);
    case CRM_PIPELINE_COLUMN_TITLE:
    case CRM_PIPELINE_COLUMN_CUSTOMER:
    case CRM_PIPELINE_COLUMN_OWNER:
    default:
      return 0;
    }
}

static Keys *
keys_of (CrmPipelineSortModel *self,
         CrmOpportunityItem   *item)
{
  Keys *keys = g_hash_table_lookup (self->keys, item);

  if (keys == NULL)
    {
      keys = g_new0 (Keys, 1);
      keys->title = collate_key (crm_opportunity_item_get_title (item));
      keys->customer = collate_key (crm_opportunity_item_get_customer_name (item));
      keys->owner = collate_key (crm_opportunity_item_get_owner_name (item));
      keys->number = number_of (item, self->column);
      g_hash_table_insert (self->keys, item, keys);
    }
  return keys;
}

/* NULL (unknown) after every text. */
static int
compare_text (const char *a,
              const char *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL) - (b == NULL);
  return strcmp (a, b);
}

static int
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  CrmPipelineSortModel *self = data;
  Keys *ka = keys_of (self, (CrmOpportunityItem *) a);
  Keys *kb = keys_of (self, (CrmOpportunityItem *) b);
  int c;

  if (self->column == CRM_PIPELINE_COLUMN_CUSTOMER)
    c = compare_text (ka->customer, kb->customer);
  else if (self->column == CRM_PIPELINE_COLUMN_OWNER)
    c = compare_text (ka->owner, kb->owner);
  else
    c = (ka->number > kb->number) - (ka->number < kb->number);
  if (c == 0)
    c = compare_text (ka->title, kb->title);
  if (c == 0)
    c = g_strcmp0 (crm_opportunity_item_get_id ((CrmOpportunityItem *) a),
                   crm_opportunity_item_get_id ((CrmOpportunityItem *) b));
  return self->descending ? -c : c;
}

static int
compare_pointers (gconstpointer a,
                  gconstpointer b,
                  gpointer      data)
{
  return compare_items (*(gpointer *) a, *(gpointer *) b, data);
}

/* Every item of the mirror, sorted, as the tree. */
static void
rebuild (CrmPipelineSortModel *self)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_sized_new (self->mirror->len);

  for (guint i = 0; i < self->mirror->len; i++)
    g_ptr_array_add (sorted, self->mirror->pdata[i]);
  g_ptr_array_sort_with_data (sorted, compare_pointers, self);
  crm_item_tree_build (self->tree, sorted->pdata, sorted->len);
}

static void
forget (CrmPipelineSortModel *self,
        CrmOpportunityItem   *item)
{
  const char *id = crm_opportunity_item_get_id (item);

  if (g_hash_table_lookup (self->by_id, id) == item)
    g_hash_table_remove (self->by_id, id);
  g_hash_table_remove (self->keys, item);
}

static void
remember (CrmPipelineSortModel *self,
          CrmOpportunityItem   *item)
{
  g_hash_table_replace (self->by_id, (gpointer) crm_opportunity_item_get_id (item), item);
  keys_of (self, item);
}

/* Takes the source's rows [position, position + removed) out of the tree
 * and puts its new ones in, one signal a row. */
static void
apply_exact (CrmPipelineSortModel *self,
             guint                 position,
             guint                 removed,
             guint                 added)
{
  for (guint i = 0; i < removed; i++)
    {
      CrmOpportunityItem *item = self->mirror->pdata[position];
      guint at;

      if (crm_item_tree_find (self->tree, item, compare_items, self, &at))
        {
          crm_item_tree_remove_at (self->tree, at);
          g_list_model_items_changed (G_LIST_MODEL (self), at, 1, 0);
        }
      forget (self, item);
      g_ptr_array_remove_index (self->mirror, position);
    }
  for (guint i = 0; i < added; i++)
    {
      CrmOpportunityItem *item = g_list_model_get_item (self->source, position + i);
      guint at;

      g_ptr_array_insert (self->mirror, (int) (position + i), item);
      remember (self, item);
      at = crm_item_tree_lower_bound (self->tree, item, compare_items, self);
      crm_item_tree_insert_at (self->tree, at, item);
      g_list_model_items_changed (G_LIST_MODEL (self), at, 0, 1);
    }
}

static void
source_changed_cb (GListModel           *source,
                   guint                 position,
                   guint                 removed,
                   guint                 added,
                   CrmPipelineSortModel *self)
{
  guint before = crm_item_tree_get_size (self->tree);

  if (removed + added <= EXACT_EDITS)
    {
      apply_exact (self, position, removed, added);
      return;
    }
  for (guint i = 0; i < removed; i++)
    forget (self, self->mirror->pdata[position + i]);
  g_ptr_array_remove_range (self->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    {
      CrmOpportunityItem *item = g_list_model_get_item (source, position + i);

      g_ptr_array_insert (self->mirror, (int) (position + i), item);
      remember (self, item);
    }
  rebuild (self);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, before, crm_item_tree_get_size (self->tree));
}

static GType
crm_pipeline_sort_model_get_item_type (GListModel *model)
{
  return CRM_TYPE_OPPORTUNITY_ITEM;
}

static guint
crm_pipeline_sort_model_get_n_items (GListModel *model)
{
  return crm_item_tree_get_size (CRM_PIPELINE_SORT_MODEL (model)->tree);
}

static gpointer
crm_pipeline_sort_model_get_item (GListModel *model,
                                  guint       position)
{
  CrmPipelineSortModel *self = CRM_PIPELINE_SORT_MODEL (model);

  if (position >= crm_item_tree_get_size (self->tree))
    return NULL;
  return g_object_ref (crm_item_tree_get (self->tree, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = crm_pipeline_sort_model_get_item_type;
  iface->get_n_items = crm_pipeline_sort_model_get_n_items;
  iface->get_item = crm_pipeline_sort_model_get_item;
}

static void
crm_pipeline_sort_model_dispose (GObject *object)
{
  CrmPipelineSortModel *self = CRM_PIPELINE_SORT_MODEL (object);

  g_clear_signal_handler (&self->changed_handler, self->source);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (crm_pipeline_sort_model_parent_class)->dispose (object);
}

static void
crm_pipeline_sort_model_finalize (GObject *object)
{
  CrmPipelineSortModel *self = CRM_PIPELINE_SORT_MODEL (object);

  g_clear_pointer (&self->tree, crm_item_tree_free);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->keys, g_hash_table_unref);
  g_clear_pointer (&self->mirror, g_ptr_array_unref);

  G_OBJECT_CLASS (crm_pipeline_sort_model_parent_class)->finalize (object);
}

static void
crm_pipeline_sort_model_class_init (CrmPipelineSortModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_pipeline_sort_model_dispose;
  object_class->finalize = crm_pipeline_sort_model_finalize;
}

static void
crm_pipeline_sort_model_init (CrmPipelineSortModel *self)
{
  self->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  self->keys = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, keys_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->tree = crm_item_tree_new ();
  self->column = CRM_PIPELINE_COLUMN_EXPECTED_CLOSE;
}

gboolean
crm_pipeline_column_is_figure (CrmPipelineColumn column)
{
  return column == CRM_PIPELINE_COLUMN_AMOUNT || column == CRM_PIPELINE_COLUMN_WEIGHTED ||
         column == CRM_PIPELINE_COLUMN_PROBABILITY || column == CRM_PIPELINE_COLUMN_DAYS_IN_STAGE;
}

/**
 * crm_pipeline_sort_model_new:
 * @source: a list of CrmOpportunityItem
 *
 * Sorted by expected close, soonest first, until told otherwise.
 */
CrmPipelineSortModel *
crm_pipeline_sort_model_new (GListModel *source)
{
  CrmPipelineSortModel *self;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (source), NULL);

  self = g_object_new (CRM_TYPE_PIPELINE_SORT_MODEL, NULL);
  self->source = g_object_ref (source);
  n = g_list_model_get_n_items (source);
  for (guint i = 0; i < n; i++)
    {
      CrmOpportunityItem *item = g_list_model_get_item (source, i);

      g_ptr_array_add (self->mirror, item);
      remember (self, item);
    }
  rebuild (self);
  self->changed_handler = g_signal_connect (source, "items-changed", G_CALLBACK (source_changed_cb), self);
  return self;
}

void
crm_pipeline_sort_model_set_sort (CrmPipelineSortModel *self,
                                  CrmPipelineColumn     column,
                                  gboolean              descending)
{
  GHashTableIter iter;
  gpointer item, keys;
  guint n;

  g_return_if_fail (CRM_IS_PIPELINE_SORT_MODEL (self));
  g_return_if_fail ((guint) column < CRM_PIPELINE_N_COLUMNS);

  if (self->column == column && self->descending == descending)
    return;
  self->column = column;
  self->descending = descending;
  g_hash_table_iter_init (&iter, self->keys);
  while (g_hash_table_iter_next (&iter, &item, &keys))
    ((Keys *) keys)->number = number_of (item, column);
  rebuild (self);
  n = crm_item_tree_get_size (self->tree);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, n);
}

CrmPipelineColumn
crm_pipeline_sort_model_get_column (CrmPipelineSortModel *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_SORT_MODEL (self), CRM_PIPELINE_COLUMN_TITLE);

  return self->column;
}

gboolean
crm_pipeline_sort_model_get_descending (CrmPipelineSortModel *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_SORT_MODEL (self), FALSE);

  return self->descending;
}

gboolean
crm_pipeline_sort_model_find (CrmPipelineSortModel *self,
                              const char           *id,
                              guint                *position)
{
  CrmOpportunityItem *item;

  g_return_val_if_fail (CRM_IS_PIPELINE_SORT_MODEL (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  item = g_hash_table_lookup (self->by_id, id);
  return item != NULL && crm_item_tree_find (self->tree, item, compare_items, self, position);
}
