#define G_LOG_DOMAIN "crm-customer-model"

#include "config.h"

#include <string.h>

#include "crm-customer-item-private.h"
#include "crm-customer-model.h"
#include "crm-item-tree.h"
#include "crm-wire.h"

/*
 * Why not GtkSortListModel + GtkFilterListModel: on GTK 4.8 the sort model
 * compares items through GtkSorter without keys (2 s for 100,000 rows, 26 s
 * for 1,000,000) and every single-row change under it costs O(n).  Here
 * every item carries its keys (the name's collation key, interned keys for
 * industry, region and owner, numbers for the rest), all items live in an
 * order-statistic tree in sort order (crm-item-tree.c), and the shown ones
 * in a second tree built from the first when a filter changes.
 *
 * Filters.  A change of the search text that only adds to it filters the
 * shown items, any other change all items; the lists of the last few
 * search texts are kept while nothing else changes, so typing back (the
 * Backspace key) costs no scan.
 *
 * Signals.  A filter change emits one items-changed, spanning from the
 * first to the last shown position that changed (the common head and tail
 * of the old and new lists are left out).  A change of the store's rows
 * re-reads those rows and moves each in O(log n); up to EXACT_EDITS changed
 * rows emit exact signals (a row that moves: one removal, one insertion),
 * more are coalesced into one items-changed spanning them all.
 */

/* Above this many changed rows in one batch, one coalesced signal. */
#define EXACT_EDITS 8

/* Search texts whose lists are kept for typing back. */
#define SEARCH_CACHE_SIZE 8

struct _CrmCustomerModel
{
  GObject            parent_instance;

  CrmStore          *store;
  gulong             changed_handler;

  GHashTable        *by_id;      /* item's id -> item (a reference) */
  CrmItemTree       *all;        /* every item, in sort order */
  CrmItemTree       *shown;      /* those that pass the filters, in sort order */

  CrmCustomerColumn  sort_column;
  gboolean           descending;

  char              *search;     /* as set */
  char              *search_key; /* folded; NULL: no search */
  int                tier;       /* CrmTier, or -1 */
  int                status;     /* CrmCustomerStatus, or -1 */
  const char        *region_id;  /* interned, or NULL */
  const char        *owner_id;   /* interned, or NULL */

  GPtrArray         *search_cache;   /* of CachedSearch, oldest first */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrmCustomerModel, crm_customer_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

G_DEFINE_ENUM_TYPE (CrmCustomerColumn, crm_customer_column,
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_NAME, "name"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_TIER, "tier"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_INDUSTRY, "industry"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_REGION, "region"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_OWNER, "owner"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_REVENUE, "revenue"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_STATUS, "status"))

enum {
  PROP_0,
  PROP_STORE,
  PROP_SORT_COLUMN,
  PROP_SORT_DESCENDING,
  PROP_SEARCH,
  PROP_TIER,
  PROP_STATUS,
  PROP_REGION,
  PROP_OWNER,
  PROP_TOTAL,
  PROP_N_ITEMS,
  PROP_ITEM_TYPE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------ */
/* Order and filters                                                   */
/* ------------------------------------------------------------------ */

static inline int
compare_int64 (gint64 a,
               gint64 b)
{
  return (a > b) - (a < b);
}

/* Interned keys: equal values are equal pointers.  NULL (no owner) last. */
static inline int
compare_key (const char *a,
             const char *b)
{
  if (a == b)
    return 0;
  if (a == NULL)
    return 1;
  if (b == NULL)
    return -1;
  return strcmp (a, b);
}

static int
compare_items (gconstpointer pa,
               gconstpointer pb,
               gpointer      data)
{
  const CrmCustomerItem *a = pa;
  const CrmCustomerItem *b = pb;
  const CrmCustomerModel *self = data;
  int r;

  switch (self->sort_column)
    {
    case CRM_CUSTOMER_COLUMN_NAME:
      r = 0;
      break;
    case CRM_CUSTOMER_COLUMN_TIER:
      r = compare_int64 (a->tier, b->tier);
      break;
    case CRM_CUSTOMER_COLUMN_INDUSTRY:
      r = compare_key (a->industry_key, b->industry_key);
      break;
    case CRM_CUSTOMER_COLUMN_REGION:
      r = compare_key (a->region_key, b->region_key);
      break;
    case CRM_CUSTOMER_COLUMN_OWNER:
      r = compare_key (a->owner_key, b->owner_key);
      break;
    case CRM_CUSTOMER_COLUMN_REVENUE:
      r = compare_int64 (a->monthly_revenue, b->monthly_revenue);
      break;
    case CRM_CUSTOMER_COLUMN_STATUS:
      r = compare_int64 (a->status, b->status);
      break;
    default:
      g_assert_not_reached ();
    }
  if (r == 0)
    r = strcmp (a->collation_key, b->collation_key);
  if (r == 0)
    r = strcmp (a->id, b->id);
  return self->descending ? -r : r;
}

static int
compare_slots (gconstpointer pa,
               gconstpointer pb,
               gpointer      data)
{
  return compare_items (*(gconstpointer const *) pa, *(gconstpointer const *) pb, data);
}

static inline gboolean
matches (const CrmCustomerModel *self,
         const CrmCustomerItem  *item)
{
  if (self->tier >= 0 && (int) item->tier != self->tier)
    return FALSE;
  if (self->status >= 0 && (int) item->status != self->status)
    return FALSE;
  if (self->region_id != NULL && item->region_id != self->region_id)
    return FALSE;
  if (self->owner_id != NULL && item->owner_id != self->owner_id)
    return FALSE;
  if (self->search_key != NULL && strstr (item->search_text, self->search_key) == NULL)
    return FALSE;
  return TRUE;
}

/*
 * Searches typed back: the shown lists of the last few search texts,
 * while nothing else changes (rows, sort, other filters), so that deleting
 * a character shows the list it had before without reading every item.
 * The arrays borrow the items, which by_id keeps alive until the cache is
 * cleared.
 */
typedef struct
{
  char      *key;     /* the folded search text; "" for none */
  GPtrArray *shown;
} CachedSearch;

static void
cached_search_free (gpointer data)
{
  CachedSearch *cached = data;

  g_free (cached->key);
  g_ptr_array_unref (cached->shown);
  g_free (cached);
}

static void
search_cache_clear (CrmCustomerModel *self)
{
  g_ptr_array_set_size (self->search_cache, 0);
}

static GPtrArray *
search_cache_lookup (CrmCustomerModel *self)
{
  const char *key = self->search_key ? self->search_key : "";

  for (guint i = 0; i < self->search_cache->len; i++)
    {
      CachedSearch *cached = self->search_cache->pdata[i];

      if (g_str_equal (cached->key, key))
        return g_ptr_array_ref (cached->shown);
    }
  return NULL;
}

/* Remembers @shown as the list of the current search text. */
static void
search_cache_keep (CrmCustomerModel *self,
                   GPtrArray        *shown)
{
  const char *key = self->search_key ? self->search_key : "";
  CachedSearch *cached;

  for (guint i = 0; i < self->search_cache->len; i++)
    if (g_str_equal (((CachedSearch *) self->search_cache->pdata[i])->key, key))
      {
        g_ptr_array_remove_index (self->search_cache, i);
        break;
      }
  if (self->search_cache->len == SEARCH_CACHE_SIZE)
    g_ptr_array_remove_index (self->search_cache, 0);
  cached = g_new (CachedSearch, 1);
  cached->key = g_strdup (key);
  cached->shown = g_ptr_array_ref (shown);
  g_ptr_array_add (self->search_cache, cached);
}

/* The items that pass the filters, in order, taken from all items or
 * (@narrowing: the new filters pass a subset of what the old ones passed)
 * from the shown ones. */
static GPtrArray *
collect (CrmCustomerModel *self,
         gboolean          narrowing)
{
  g_autoptr(GPtrArray) source = g_ptr_array_sized_new (crm_item_tree_get_size (narrowing ? self->shown : self->all));
  GPtrArray *after;

  crm_item_tree_to_array (narrowing ? self->shown : self->all, source);
  after = g_ptr_array_sized_new (source->len);
  for (guint i = 0; i < source->len; i++)
    if (matches (self, source->pdata[i]))
      g_ptr_array_add (after, source->pdata[i]);
  return after;
}

/* Shows @after (in order); one items-changed over the part that differs
 * (the common head and tail of the old and new lists left out). */
static void
show (CrmCustomerModel *self,
      GPtrArray        *after)
{
  g_autoptr(GPtrArray) before = g_ptr_array_sized_new (crm_item_tree_get_size (self->shown));
  guint head = 0, tail = 0;

  crm_item_tree_to_array (self->shown, before);
  while (head < before->len && head < after->len && before->pdata[head] == after->pdata[head])
    head++;
  while (tail < before->len - head && tail < after->len - head &&
         before->pdata[before->len - 1 - tail] == after->pdata[after->len - 1 - tail])
    tail++;
  if (head == before->len && head == after->len)
    return;   /* the same rows */

  crm_item_tree_build (self->shown, after->pdata, after->len);
  g_list_model_items_changed (G_LIST_MODEL (self), head, before->len - head - tail, after->len - head - tail);
  if (before->len != after->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
refilter (CrmCustomerModel *self,
          gboolean          narrowing)
{
  g_autoptr(GPtrArray) after = collect (self, narrowing);

  search_cache_clear (self);
  show (self, after);
  search_cache_keep (self, after);
}

/* Sorts all items again and shows everything anew (one items-changed). */
static void
resort (CrmCustomerModel *self)
{
  g_autoptr(GPtrArray) items = g_ptr_array_sized_new (crm_item_tree_get_size (self->all));
  g_autoptr(GPtrArray) shown = NULL;
  guint before = crm_item_tree_get_size (self->shown);

  crm_item_tree_to_array (self->all, items);
  g_ptr_array_sort_with_data (items, compare_slots, self);
  crm_item_tree_build (self->all, items->pdata, items->len);

  shown = g_ptr_array_sized_new (items->len);
  for (guint i = 0; i < items->len; i++)
    if (matches (self, items->pdata[i]))
      g_ptr_array_add (shown, items->pdata[i]);
  crm_item_tree_build (self->shown, shown->pdata, shown->len);
  search_cache_clear (self);
  search_cache_keep (self, shown);

  if (before > 0 || shown->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, before, shown->len);
  if (before != shown->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* ------------------------------------------------------------------ */
/* Changed rows                                                        */
/* ------------------------------------------------------------------ */

/* The union of a batch's edits: [lo, old_end) of the list before the
 * batch became [lo, new_end). */
typedef struct
{
  gboolean any;
  guint    lo;
  guint    old_end;
  guint    new_end;
} Span;

static void
span_add (Span  *span,
          guint  position,
          guint  removed,
          guint  added)
{
  guint end = position + removed;   /* in the list as it is before this edit */

  if (!span->any)
    {
      span->any = TRUE;
      span->lo = position;
      span->old_end = end;
      span->new_end = position + added;
      return;
    }
  if (end > span->new_end)
    /* past the span, positions differ from the old list's by the span's growth */
    span->old_end = MAX (span->old_end, (guint) ((gint64) end - ((gint64) span->new_end - span->old_end)));
  span->new_end = MAX (span->new_end, end) + added - removed;
  span->lo = MIN (span->lo, position);
}

static void
update_rows (CrmCustomerModel   *self,
             const char * const *ids)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fresh = crm_store_get_customer_items (self->store, ids, &error);
  guint total_before = crm_item_tree_get_size (self->all);
  guint shown_before = crm_item_tree_get_size (self->shown);
  gboolean exact;
  Span span = { 0 };

  if (fresh == NULL)
    {
      g_warning ("Cannot read changed customers: %s", error->message);
      return;
    }
  exact = fresh->len <= EXACT_EDITS;
  search_cache_clear (self);

  for (guint i = 0; i < fresh->len; i++)
    {
      CrmCustomerItem *item = fresh->pdata[i];
      CrmCustomerItem *old = g_hash_table_lookup (self->by_id, ids[i]);
      gboolean was_shown = FALSE;
      guint at = 0, to = 0;

      if (old == NULL && item == NULL)
        continue;
      if (old != NULL && item != NULL && crm_customer_item_equal (old, item))
        continue;

      if (old != NULL)
        {
          guint position;

          if (crm_item_tree_find (self->all, old, compare_items, self, &position))
            crm_item_tree_remove_at (self->all, position);
          if (matches (self, old) && crm_item_tree_find (self->shown, old, compare_items, self, &at))
            {
              crm_item_tree_remove_at (self->shown, at);
              was_shown = TRUE;
            }
        }
      if (item != NULL)
        crm_item_tree_insert_at (self->all, crm_item_tree_lower_bound (self->all, item, compare_items, self), item);

      if (item != NULL && matches (self, item))
        {
          to = crm_item_tree_lower_bound (self->shown, item, compare_items, self);
          if (was_shown && to == at)
            {
              /* changed in place */
              crm_item_tree_insert_at (self->shown, to, item);
              if (exact)
                g_list_model_items_changed (G_LIST_MODEL (self), at, 1, 1);
              else
                span_add (&span, at, 1, 1);
            }
          else
            {
              if (was_shown)
                {
                  if (exact)
                    g_list_model_items_changed (G_LIST_MODEL (self), at, 1, 0);
                  else
                    span_add (&span, at, 1, 0);
                }
              crm_item_tree_insert_at (self->shown, to, item);
              if (exact)
                g_list_model_items_changed (G_LIST_MODEL (self), to, 0, 1);
              else
                span_add (&span, to, 0, 1);
            }
        }
      else if (was_shown)
        {
          if (exact)
            g_list_model_items_changed (G_LIST_MODEL (self), at, 1, 0);
          else
            span_add (&span, at, 1, 0);
        }

      if (item != NULL)
        g_hash_table_replace (self->by_id, item->id, g_object_ref (item));
      else
        g_hash_table_remove (self->by_id, ids[i]);
    }

  if (span.any)
    g_list_model_items_changed (G_LIST_MODEL (self), span.lo, span.old_end - span.lo, span.new_end - span.lo);
  if (total_before != crm_item_tree_get_size (self->all))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  if (shown_before != crm_item_tree_get_size (self->shown))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
customers_changed_cb (CrmStore           *store,
                      const char * const *ids,
                      CrmCustomerModel   *self)
{
  if (ids == NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!crm_customer_model_reload (self, &error))
        g_warning ("Cannot reload the customer list: %s", error->message);
      return;
    }
  update_rows (self, ids);
}

/* ------------------------------------------------------------------ */
/* GListModel                                                          */
/* ------------------------------------------------------------------ */

static GType
get_item_type (GListModel *model)
{
  return CRM_TYPE_CUSTOMER_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return crm_item_tree_get_size (CRM_CUSTOMER_MODEL (model)->shown);
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  CrmCustomerModel *self = CRM_CUSTOMER_MODEL (model);

  if (position >= crm_item_tree_get_size (self->shown))
    return NULL;
  return g_object_ref (crm_item_tree_get (self->shown, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_customer_model_dispose (GObject *object)
{
  CrmCustomerModel *self = CRM_CUSTOMER_MODEL (object);

  g_clear_signal_handler (&self->changed_handler, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_customer_model_parent_class)->dispose (object);
}

static void
crm_customer_model_finalize (GObject *object)
{
  CrmCustomerModel *self = CRM_CUSTOMER_MODEL (object);

  g_clear_pointer (&self->shown, crm_item_tree_free);
  g_clear_pointer (&self->all, crm_item_tree_free);
  g_clear_pointer (&self->search_cache, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_free (self->search);
  g_free (self->search_key);

  G_OBJECT_CLASS (crm_customer_model_parent_class)->finalize (object);
}

static void
crm_customer_model_constructed (GObject *object)
{
  CrmCustomerModel *self = CRM_CUSTOMER_MODEL (object);

  G_OBJECT_CLASS (crm_customer_model_parent_class)->constructed (object);

  if (self->store != NULL)
    self->changed_handler = g_signal_connect_object (self->store, "customers-changed",
                                                     G_CALLBACK (customers_changed_cb), self, 0);
}

static void
crm_customer_model_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrmCustomerModel *self = CRM_CUSTOMER_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SORT_COLUMN:
      g_value_set_enum (value, self->sort_column);
      break;
    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->descending);
      break;
    case PROP_SEARCH:
      g_value_set_string (value, self->search);
      break;
    case PROP_TIER:
      g_value_set_string (value, crm_customer_model_get_tier (self));
      break;
    case PROP_STATUS:
      g_value_set_string (value, crm_customer_model_get_status (self));
      break;
    case PROP_REGION:
      g_value_set_string (value, self->region_id);
      break;
    case PROP_OWNER:
      g_value_set_string (value, self->owner_id);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, crm_customer_model_get_total (self));
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, crm_item_tree_get_size (self->shown));
      break;
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, CRM_TYPE_CUSTOMER_ITEM);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_customer_model_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CrmCustomerModel *self = CRM_CUSTOMER_MODEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_SORT_COLUMN:
      crm_customer_model_set_sort (self, g_value_get_enum (value), self->descending);
      break;
    case PROP_SORT_DESCENDING:
      crm_customer_model_set_sort (self, self->sort_column, g_value_get_boolean (value));
      break;
    case PROP_SEARCH:
      crm_customer_model_set_search (self, g_value_get_string (value));
      break;
    case PROP_TIER:
      crm_customer_model_set_tier (self, g_value_get_string (value));
      break;
    case PROP_STATUS:
      crm_customer_model_set_status (self, g_value_get_string (value));
      break;
    case PROP_REGION:
      crm_customer_model_set_region (self, g_value_get_string (value));
      break;
    case PROP_OWNER:
      crm_customer_model_set_owner (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_customer_model_class_init (CrmCustomerModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = crm_customer_model_dispose;
  object_class->finalize = crm_customer_model_finalize;
  object_class->constructed = crm_customer_model_constructed;
  object_class->get_property = crm_customer_model_get_property;
  object_class->set_property = crm_customer_model_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, CRM_TYPE_STORE,
                                                G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_COLUMN] = g_param_spec_enum ("sort-column", NULL, NULL, CRM_TYPE_CUSTOMER_COLUMN,
                                                    CRM_CUSTOMER_COLUMN_NAME, rw);
  properties[PROP_SORT_DESCENDING] = g_param_spec_boolean ("sort-descending", NULL, NULL, FALSE, rw);
  properties[PROP_SEARCH] = g_param_spec_string ("search", NULL, NULL, NULL, rw);
  properties[PROP_TIER] = g_param_spec_string ("tier", NULL, NULL, NULL, rw);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, rw);
  properties[PROP_REGION] = g_param_spec_string ("region", NULL, NULL, NULL, rw);
  properties[PROP_OWNER] = g_param_spec_string ("owner", NULL, NULL, NULL, rw);
  properties[PROP_TOTAL] = g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ITEM_TYPE] = g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_customer_model_init (CrmCustomerModel *self)
{
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->all = crm_item_tree_new ();
  self->shown = crm_item_tree_new ();
  self->tier = -1;
  self->status = -1;
  self->search_cache = g_ptr_array_new_with_free_func (cached_search_free);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

CrmCustomerModel *
crm_customer_model_new (CrmStore *store)
{
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  return g_object_new (CRM_TYPE_CUSTOMER_MODEL, "store", store, NULL);
}

CrmStore *
crm_customer_model_get_store (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), NULL);

  return self->store;
}

/**
 * crm_customer_model_reload:
 *
 * Reads every customer from the store again (once at start and after a
 * reset; changes after that arrive through ::customers-changed).  The
 * collation keys are made in the current locale.  One items-changed.
 */
gboolean
crm_customer_model_reload (CrmCustomerModel  *self,
                           GError           **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GHashTable) old_by_id = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  guint total_before, shown_before;

  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  items = crm_store_list_customer_items (self->store, error);
  if (items == NULL)
    return FALSE;

  total_before = crm_item_tree_get_size (self->all);
  shown_before = crm_item_tree_get_size (self->shown);

  /* The old items stay alive until the signal has told everyone. */
  old_by_id = g_steal_pointer (&self->by_id);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  for (guint i = 0; i < items->len; i++)
    {
      CrmCustomerItem *item = items->pdata[i];

      g_hash_table_replace (self->by_id, item->id, g_object_ref (item));
    }

  g_ptr_array_sort_with_data (items, compare_slots, self);
  crm_item_tree_build (self->all, items->pdata, items->len);
  shown = g_ptr_array_sized_new (items->len);
  for (guint i = 0; i < items->len; i++)
    if (matches (self, items->pdata[i]))
      g_ptr_array_add (shown, items->pdata[i]);
  crm_item_tree_build (self->shown, shown->pdata, shown->len);
  search_cache_clear (self);
  search_cache_keep (self, shown);

  if (shown_before > 0 || shown->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, shown_before, shown->len);
  if (total_before != items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  if (shown_before != shown->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  return TRUE;
}

guint
crm_customer_model_get_total (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), 0);

  return crm_item_tree_get_size (self->all);
}

gboolean
crm_customer_model_find (CrmCustomerModel *self,
                         const char       *id,
                         guint            *position)
{
  CrmCustomerItem *item;
  guint at;

  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  item = g_hash_table_lookup (self->by_id, id);
  if (item == NULL || !matches (self, item) ||
      !crm_item_tree_find (self->shown, item, compare_items, self, &at))
    return FALSE;
  if (position)
    *position = at;
  return TRUE;
}

void
crm_customer_model_set_sort (CrmCustomerModel  *self,
                             CrmCustomerColumn  column,
                             gboolean           descending)
{
  gboolean column_changed, order_changed;

  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));
  g_return_if_fail (column <= CRM_CUSTOMER_COLUMN_STATUS);

  descending = !!descending;
  column_changed = self->sort_column != column;
  order_changed = self->descending != descending;
  if (!column_changed && !order_changed)
    return;

  self->sort_column = column;
  self->descending = descending;
  resort (self);
  if (column_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_COLUMN]);
  if (order_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_DESCENDING]);
}

CrmCustomerColumn
crm_customer_model_get_sort_column (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), CRM_CUSTOMER_COLUMN_NAME);

  return self->sort_column;
}

gboolean
crm_customer_model_get_sort_descending (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), FALSE);

  return self->descending;
}

void
crm_customer_model_set_search (CrmCustomerModel *self,
                               const char       *text)
{
  g_autofree char *key = NULL;
  gboolean narrowing;

  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));

  if (text != NULL && *text != '\0')
    key = crm_customer_item_fold_search_text (text);
  if (key != NULL && *key == '\0')
    g_clear_pointer (&key, g_free);

  if (g_strcmp0 (text, self->search) == 0 && g_strcmp0 (key, self->search_key) == 0)
    return;

  /* Typing on: whatever contains the new text contains the old. */
  narrowing = key != NULL && (self->search_key == NULL || strstr (key, self->search_key) != NULL);

  g_free (self->search);
  self->search = g_strdup (text);
  if (g_strcmp0 (key, self->search_key) != 0)
    {
      g_autoptr(GPtrArray) after = NULL;

      g_free (self->search_key);
      self->search_key = g_steal_pointer (&key);
      after = search_cache_lookup (self);
      if (after == NULL)
        after = collect (self, narrowing);
      show (self, after);
      search_cache_keep (self, after);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH]);
}

const char *
crm_customer_model_get_search (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), NULL);

  return self->search;
}

static int
lookup_word (const char * const *names,
             const char         *word)
{
  int index;

  if (word == NULL || *word == '\0')
    return -1;
  index = crm_wire_lookup (names, word);
  if (index < 0)
    g_warning ("Unknown filter value %s", word);
  return index;
}

static void
set_int_filter (CrmCustomerModel *self,
                int              *field,
                int               value,
                guint             prop)
{
  gboolean narrowing;

  if (*field == value)
    return;
  narrowing = *field < 0;
  *field = value;
  refilter (self, narrowing);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_id_filter (CrmCustomerModel  *self,
               const char       **field,
               const char        *value,
               guint              prop)
{
  const char *interned = value && *value ? g_intern_string (value) : NULL;
  gboolean narrowing;

  if (*field == interned)
    return;
  narrowing = *field == NULL;
  *field = interned;
  refilter (self, narrowing);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
crm_customer_model_set_tier (CrmCustomerModel *self,
                             const char       *tier)
{
  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));

  set_int_filter (self, &self->tier, lookup_word (crm_tier_names, tier), PROP_TIER);
}

const char *
crm_customer_model_get_tier (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), NULL);

  return self->tier >= 0 ? crm_tier_names[self->tier] : NULL;
}

void
crm_customer_model_set_status (CrmCustomerModel *self,
                               const char       *status)
{
  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));

  set_int_filter (self, &self->status, lookup_word (crm_customer_status_names, status), PROP_STATUS);
}

const char *
crm_customer_model_get_status (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), NULL);

  return self->status >= 0 ? crm_customer_status_names[self->status] : NULL;
}

void
crm_customer_model_set_region (CrmCustomerModel *self,
                               const char       *region_id)
{
  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));

  set_id_filter (self, &self->region_id, region_id, PROP_REGION);
}

const char *
crm_customer_model_get_region (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), NULL);

  return self->region_id;
}

void
crm_customer_model_set_owner (CrmCustomerModel *self,
                              const char       *owner_id)
{
  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));

  set_id_filter (self, &self->owner_id, owner_id, PROP_OWNER);
}

const char *
crm_customer_model_get_owner (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), NULL);

  return self->owner_id;
}
