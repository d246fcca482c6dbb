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
 * more are coalesced into spans of neighbouring edits.  A span is never
 * long: GtkSingleSelection looks for its selected item in every position
 * a signal adds (100 ms for a span over 100,000 rows), and a list view
 * rebinds the rows a signal covers.
 *
 * The main thread never reads the whole list, nor many rows.  Up to
 * SYNC_ROWS changed rows are read at once (an edit shows at once); more
 * (a sync page: a thousand) are read in a worker, with their collation
 * keys, and applied SLICE_USEC at a time, one main-loop iteration each,
 * so frames are drawn in between: when the main loop is idle, and at
 * least every SLICE_EVERY_MS above GTK's drawing, since a window drawing
 * a first sync's progress and a spinner under software rendering may
 * leave it no idle time for the whole sync.  A reset (::customers-changed
 * without ids) reads, counts and sorts every row in a worker; the main
 * thread swaps the result in, and old items are freed in a worker.  One
 * thing at a time: what the store tells meanwhile waits in self->pending,
 * and a reload's snapshot has whatever was told before it began.  A
 * reload does not wait for the slices of a batch (drop_batch ()): it
 * reads those rows itself.
 *
 * Choices.  The regions and owners of all rows are counted as rows come
 * and go (::choices-changed), for the filter menus.
 */

/* Above this many changed rows in one batch, coalesced signals. */
#define EXACT_EDITS 8

/* Search texts whose lists are kept for typing back. */
#define SEARCH_CACHE_SIZE 8

/* Edits further apart than this many rows are told in separate signals. */
#define SPAN_GAP 32
/* A span is told once it covers this many rows (a list view's work grows
 * with it), so that a slice of a batch stays within its time. */
#define SPAN_MAX 16

/* Up to this many changed rows are read at once on the main thread; more
 * in a worker, then applied for at most SLICE_USEC a main-loop iteration. */
#define SYNC_ROWS EXACT_EDITS
#define SLICE_USEC 3000
/* Besides when the main loop is idle, a slice at least this often, at a
 * priority above GTK's layout and drawing (G_PRIORITY_HIGH_IDLE + 10 and
 * + 20): a window whose frames take all of the main loop's time (a first
 * sync's progress and spinner under software rendering) would otherwise
 * keep the rows out of the list until the sync ends. */
#define SLICE_EVERY_MS 20

struct _CrmCustomerModel
{
  GObject            parent_instance;

  CrmStore          *store;
  gulong             changed_handler;
  gulong             steps_handler;

  GHashTable        *by_id;      /* item's id -> item (a reference) */
  CrmItemTree       *all;        /* every item, in sort order */
  CrmItemTree       *shown;      /* those that pass the filters, in sort order */

  CrmCustomerColumn  sort_column;
  gboolean           descending;

  char              *search;     /* as set */
  char              *search_key; /* folded; NULL: no search */
  char              *search_digits; /* the digits of a phone number query, or NULL */
  gboolean           needs_attention;
  int                tier;       /* CrmTier, or -1 */
  int                status;     /* CrmCustomerStatus, or -1 */
  const char        *region_id;  /* interned, or NULL */
  const char        *owner_id;   /* interned, or NULL */

  GPtrArray         *search_cache;   /* of CachedSearch, oldest first */

  GHashTable        *regions;    /* interned id -> ChoiceCount */
  GHashTable        *owners;

  /* Work on its way in: one thing at a time (see "Signals" above) */
  GHashTable        *pending;        /* ids told and not read yet */
  gboolean           pending_reset;  /* everything told */
  gboolean           busy;           /* a worker reads, or a batch is applied */
  gboolean           was_busy;       /* as :busy last said */
  struct _Batch     *batch;          /* rows read, applied a slice at a time */
  guint              batch_source;   /* a slice when the main loop is idle */
  guint              batch_tick;     /* and one every SLICE_EVERY_MS */
  guint              generation;     /* bumped by each reload */
  GCancellable      *cancellable;
  GPtrArray         *reload_waiters; /* of GTask */
  gboolean           held;           /* changes told make a reload to come, read nothing */
  guint              mapping_steps;  /* service steps being mapped to customers */
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
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_STATUS, "status"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_ARREARS, "arrears"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_CHURN_RISK, "churn-risk"),
                    G_DEFINE_ENUM_VALUE (CRM_CUSTOMER_COLUMN_PIPELINE, "pipeline"))

gboolean
crm_customer_column_is_money (CrmCustomerColumn column)
{
  return column == CRM_CUSTOMER_COLUMN_REVENUE || column == CRM_CUSTOMER_COLUMN_ARREARS ||
         column == CRM_CUSTOMER_COLUMN_PIPELINE;
}

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
  PROP_NEEDS_ATTENTION,
  PROP_TOTAL,
  PROP_N_ITEMS,
  PROP_ITEM_TYPE,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHOICES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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

/* The order of a sort column and direction, apart from a model: a reload
 * sorts in a worker with the order the model had when it began. */
typedef struct
{
  CrmCustomerColumn column;
  gboolean          descending;
} Order;

static int
compare_in_order (const CrmCustomerItem *a,
                  const CrmCustomerItem *b,
                  const Order           *order)
{
  int r;

  switch (order->column)
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
    case CRM_CUSTOMER_COLUMN_ARREARS:
      r = compare_int64 (a->arrears, b->arrears);
      break;
    case CRM_CUSTOMER_COLUMN_CHURN_RISK:
      r = compare_int64 (a->churn_risk, b->churn_risk);
      break;
    case CRM_CUSTOMER_COLUMN_PIPELINE:
      r = compare_int64 (a->open_pipeline, b->open_pipeline);
      break;
    default:
      g_assert_not_reached ();
    }
  if (r == 0)
    r = strcmp (a->collation_key, b->collation_key);
  if (r == 0)
    r = strcmp (a->id, b->id);
  return order->descending ? -r : r;
}

static int
compare_items (gconstpointer pa,
               gconstpointer pb,
               gpointer      data)
{
  const CrmCustomerModel *self = data;
  Order order = { self->sort_column, self->descending };

  return compare_in_order (pa, pb, &order);
}

static int
compare_slots_in_order (gconstpointer pa,
                        gconstpointer pb,
                        gpointer      data)
{
  return compare_in_order (*(gconstpointer const *) pa, *(gconstpointer const *) pb, data);
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
  if (self->needs_attention && item->warnings == CRM_CUSTOMER_WARNING_NONE)
    return FALSE;
  if (self->search_key != NULL && strstr (item->search_text, self->search_key) == NULL &&
      (self->search_digits == NULL || item->phone_digits == NULL ||
       strstr (item->phone_digits, self->search_digits) == NULL))
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
/* Spans of changed rows                                               */
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

/* Whether an edit at [position, position + removed) lies more than
 * SPAN_GAP rows away from @span: it is then told apart, since a signal
 * over a long span makes a GtkSingleSelection look for its selected item
 * in every added position. */
static gboolean
span_is_far (const Span *span,
             guint       position,
             guint       removed)
{
  return span->any && (position + removed + SPAN_GAP < span->lo || position > span->new_end + SPAN_GAP);
}

static void
span_flush (CrmCustomerModel *self,
            Span             *span)
{
  if (span->any)
    g_list_model_items_changed (G_LIST_MODEL (self), span->lo, span->old_end - span->lo, span->new_end - span->lo);
  span->any = FALSE;
}

/* ------------------------------------------------------------------ */
/* Filter choices                                                      */
/* ------------------------------------------------------------------ */

/* How many customers have a region (or owner), and the name the latest
 * of them gave it: the filter menus follow the changed rows. */
typedef struct
{
  const char *name;   /* interned */
  guint       count;
} ChoiceCount;

static GHashTable *
choice_table_new (void)
{
  return g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
}

static gboolean
choice_add (GHashTable *table,
            const char *id,
            const char *name,
            int         delta)
{
  ChoiceCount *count;

  if (id == NULL)
    return FALSE;
  count = g_hash_table_lookup (table, id);
  if (delta > 0 && count == NULL)
    {
      count = g_new0 (ChoiceCount, 1);
      count->name = name;
      count->count = 1;
      g_hash_table_insert (table, (gpointer) id, count);
      return TRUE;
    }
  if (count == NULL)
    return FALSE;
  if (delta < 0 && --count->count == 0)
    {
      g_hash_table_remove (table, id);
      return TRUE;
    }
  if (delta > 0)
    count->count++;
  if (delta > 0 && count->name != name)
    {
      count->name = name;
      return TRUE;
    }
  return FALSE;
}

/* Counts @item in (@delta 1) or out (-1); whether a choice came, went or
 * was renamed. */
static gboolean
choices_count (GHashTable            *regions,
               GHashTable            *owners,
               const CrmCustomerItem *item,
               int                    delta)
{
  gboolean changed = choice_add (regions, item->region_id, item->region_name, delta);

  return choice_add (owners, item->owner_id, item->owner_name, delta) || changed;
}

static GHashTable *
choices_dup (GHashTable *table)
{
  GHashTable *out = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer id, count;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &id, &count))
    g_hash_table_insert (out, id, (gpointer) ((ChoiceCount *) count)->name);
  return out;
}

/* ------------------------------------------------------------------ */
/* Changed rows                                                        */
/* ------------------------------------------------------------------ */

/* Moves the row of @id to where @item (NULL: gone) belongs: in @span
 * unless @exact.  Returns whether the filter choices changed. */
static gboolean
update_row (CrmCustomerModel *self,
            const char       *id,
            CrmCustomerItem  *item,
            gboolean          exact,
            Span             *span)
{
  CrmCustomerItem *old = g_hash_table_lookup (self->by_id, id);
  gboolean was_shown = FALSE, choices_changed = FALSE;
  guint at = 0, to = 0;

  if (old == NULL && item == NULL)
    return FALSE;
  if (old != NULL && item != NULL && crm_customer_item_equal (old, item))
    return FALSE;

  if (!exact)
    {
      /* Far from the span so far: tell it before this row changes. */
      if (old != NULL && matches (self, old) && crm_item_tree_find (self->shown, old, compare_items, self, &at) &&
          span_is_far (span, at, 1))
        span_flush (self, span);
      if (item != NULL && matches (self, item) &&
          span_is_far (span, crm_item_tree_lower_bound (self->shown, item, compare_items, self), 0))
        span_flush (self, span);
    }

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
    {
      crm_item_tree_insert_at (self->all, crm_item_tree_lower_bound (self->all, item, compare_items, self), item);
      choices_changed = choices_count (self->regions, self->owners, item, 1);
    }
  /* Out after in: a choice the row keeps never drops to none. */
  if (old != NULL && choices_count (self->regions, self->owners, old, -1))
    choices_changed = TRUE;

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
            span_add (span, at, 1, 1);
        }
      else
        {
          if (was_shown)
            {
              if (exact)
                g_list_model_items_changed (G_LIST_MODEL (self), at, 1, 0);
              else
                span_add (span, at, 1, 0);
            }
          crm_item_tree_insert_at (self->shown, to, item);
          if (exact)
            g_list_model_items_changed (G_LIST_MODEL (self), to, 0, 1);
          else
            span_add (span, to, 0, 1);
        }
    }
  else if (was_shown)
    {
      if (exact)
        g_list_model_items_changed (G_LIST_MODEL (self), at, 1, 0);
      else
        span_add (span, at, 1, 0);
    }

  if (item != NULL)
    g_hash_table_replace (self->by_id, item->id, g_object_ref (item));
  else
    g_hash_table_remove (self->by_id, id);
  return choices_changed;
}

/* Applies rows [*next, n) of a batch read from the store (@fresh[i] is
 * the item of @ids[i], NULL when gone), until @deadline (0: all of them).
 * Up to EXACT_EDITS rows in a batch emit exact signals, more are
 * coalesced by neighbourhood. */
static void
update_rows (CrmCustomerModel   *self,
             const char * const *ids,
             GPtrArray          *fresh,
             guint              *next,
             gint64              deadline)
{
  guint total_before = crm_item_tree_get_size (self->all);
  guint shown_before = crm_item_tree_get_size (self->shown);
  gboolean exact = fresh->len <= EXACT_EDITS;
  gboolean choices_changed = FALSE;
  Span span = { 0 };

  search_cache_clear (self);
  while (*next < fresh->len)
    {
      guint i = (*next)++;

      if (update_row (self, ids[i], fresh->pdata[i], exact, &span))
        choices_changed = TRUE;
      if (span.any && span.new_end - span.lo > SPAN_MAX)
        span_flush (self, &span);
      if (deadline != 0 && g_get_monotonic_time () >= deadline)
        break;
    }

  span_flush (self, &span);
  if (total_before != crm_item_tree_get_size (self->all))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  if (shown_before != crm_item_tree_get_size (self->shown))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  if (choices_changed)
    g_signal_emit (self, signals[CHOICES_CHANGED], 0);
}

/* Something to free off the main thread: a whole list of items (a few
 * tens of milliseconds for 100,000), or a sync page's batch of rows, most
 * of whose items are dropped unused when only contacts changed. */
typedef struct
{
  gpointer       data;
  GDestroyNotify free_func;
} Garbage;

static void
free_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Garbage *garbage = task_data;

  garbage->free_func (garbage->data);
  g_free (garbage);
  g_task_return_boolean (task, TRUE);
}

static void
free_in_worker (gpointer       data,
                GDestroyNotify free_func)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  Garbage *garbage = g_new (Garbage, 1);

  garbage->data = data;
  garbage->free_func = free_func;
  g_task_set_source_tag (task, free_in_worker);
  g_task_set_task_data (task, garbage, NULL);
  g_task_run_in_thread (task, free_thread);
}

/* A batch of rows read in a worker, applied a slice a main-loop
 * iteration. */
typedef struct _Batch
{
  CrmStore   *store;
  char      **ids;
  GPtrArray  *fresh;
  guint       next;
  guint       generation;
} Batch;

static void
batch_free (Batch *batch)
{
  g_clear_object (&batch->store);
  g_strfreev (batch->ids);
  g_clear_pointer (&batch->fresh, g_ptr_array_unref);
  g_free (batch);
}

static void pump (CrmCustomerModel *self);

static void
batch_sources_clear (CrmCustomerModel *self)
{
  g_clear_handle_id (&self->batch_source, g_source_remove);
  g_clear_handle_id (&self->batch_tick, g_source_remove);
}

static gboolean
apply_batch_cb (gpointer data)
{
  CrmCustomerModel *self = data;
  Batch *batch = self->batch;

  update_rows (self, (const char * const *) batch->ids, batch->fresh, &batch->next,
               g_get_monotonic_time () + SLICE_USEC);
  /* a reload asked for by a handler of the signals above dropped it */
  if (self->batch != batch)
    return G_SOURCE_REMOVE;
  if (batch->next < batch->fresh->len)
    return G_SOURCE_CONTINUE;

  batch_sources_clear (self);
  /* the store was let go when the rows were read: nothing here needs the
   * main thread */
  free_in_worker (g_steal_pointer (&self->batch), (GDestroyNotify) batch_free);
  self->busy = FALSE;
  pump (self);
  return G_SOURCE_REMOVE;
}

/* A reload is to come, and reads every row after this: the rows of a
 * batch still applied a slice at a time are left to it. */
static void
drop_batch (CrmCustomerModel *self)
{
  if (self->batch == NULL)
    return;
  batch_sources_clear (self);
  free_in_worker (g_steal_pointer (&self->batch), (GDestroyNotify) batch_free);
  self->busy = FALSE;
}

static void
read_rows_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Batch *batch = task_data;
  GError *error = NULL;

  batch->fresh = crm_store_get_customer_items (batch->store, (const char * const *) batch->ids, &error);
  if (batch->fresh == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
rows_read_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CrmCustomerModel *self;
  Batch *batch = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* Cancelled: the model is gone (the task does not hold it, so that it
   * goes when its owner lets it go). */
  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  /* The worker is done with the store: let it go here, not wherever the
   * task happens to end. */
  g_clear_object (&batch->store);
  if (error != NULL)
    {
      g_warning ("Cannot read changed customers: %s", error->message);
      self->busy = FALSE;
      pump (self);
      return;
    }
  if (batch->generation != self->generation || self->pending_reset)
    {
      /* read before a reload that has them, or that is to come */
      self->busy = FALSE;
      pump (self);
      return;
    }

  /* Taken from the task, which frees its data wherever it ends. */
  self->batch = g_new0 (Batch, 1);
  self->batch->ids = g_steal_pointer (&batch->ids);
  self->batch->fresh = g_steal_pointer (&batch->fresh);
  if (apply_batch_cb (self) == G_SOURCE_CONTINUE)
    {
      self->batch_source = g_idle_add (apply_batch_cb, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->batch_source),
                                "[crm-customer-model] changed rows");
      self->batch_tick = g_timeout_add_full (G_PRIORITY_HIGH_IDLE, SLICE_EVERY_MS, apply_batch_cb, self, NULL);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->batch_tick),
                                "[crm-customer-model] changed rows, timed");
    }
}

/* Reads the rows of @ids: at once when they are few, else in a worker,
 * then applies them a slice a main-loop iteration. */
static void
read_rows (CrmCustomerModel *self,
           char            **ids)
{
  g_autoptr(GTask) task = NULL;
  Batch *batch;

  if (g_strv_length (ids) <= SYNC_ROWS)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) fresh = crm_store_get_customer_items (self->store, (const char * const *) ids, &error);
      guint next = 0;

      if (fresh == NULL)
        g_warning ("Cannot read changed customers: %s", error->message);
      else
        update_rows (self, (const char * const *) ids, fresh, &next, 0);
      g_strfreev (ids);
      return;
    }

  self->busy = TRUE;
  batch = g_new0 (Batch, 1);
  batch->store = g_object_ref (self->store);
  batch->ids = ids;
  batch->generation = self->generation;
  task = g_task_new (NULL, self->cancellable, rows_read_cb, self);
  g_task_set_source_tag (task, read_rows);
  g_task_set_task_data (task, batch, (GDestroyNotify) batch_free);
  g_task_run_in_thread (task, read_rows_thread);
}

/* ------------------------------------------------------------------ */
/* Reloading                                                           */
/* ------------------------------------------------------------------ */

/* Every customer, read, counted and sorted: in a worker for a reload. */
typedef struct
{
  Order        order;
  GPtrArray   *items;     /* sorted */
  GHashTable  *by_id;
  CrmItemTree *all;
  GHashTable  *regions;
  GHashTable  *owners;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_pointer (&loaded->items, g_ptr_array_unref);
  g_clear_pointer (&loaded->by_id, g_hash_table_unref);
  g_clear_pointer (&loaded->all, crm_item_tree_free);
  g_clear_pointer (&loaded->regions, g_hash_table_unref);
  g_clear_pointer (&loaded->owners, g_hash_table_unref);
  g_free (loaded);
}

static Loaded *
load (CrmStore     *store,
      const Order  *order,
      GError      **error)
{
  g_autoptr(GPtrArray) items = crm_store_list_customer_items (store, error);
  Loaded *loaded;

  if (items == NULL)
    return NULL;
  loaded = g_new0 (Loaded, 1);
  loaded->order = *order;
  loaded->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  loaded->regions = choice_table_new ();
  loaded->owners = choice_table_new ();
  for (guint i = 0; i < items->len; i++)
    {
      CrmCustomerItem *item = items->pdata[i];

      g_hash_table_replace (loaded->by_id, item->id, g_object_ref (item));
      choices_count (loaded->regions, loaded->owners, item, 1);
    }
  g_ptr_array_sort_with_data (items, compare_slots_in_order, &loaded->order);
  loaded->all = crm_item_tree_new ();
  crm_item_tree_build (loaded->all, items->pdata, items->len);
  loaded->items = g_steal_pointer (&items);
  return loaded;
}

#define SWAP(a, b) G_STMT_START { gpointer swap_tmp = (a); (a) = (b); (b) = swap_tmp; } G_STMT_END

/* Shows @loaded (in the model's order) in one items-changed; @loaded
 * then holds what the model held, for the caller to free. */
static void
swap_in (CrmCustomerModel *self,
         Loaded           *loaded)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_sized_new (loaded->items->len);
  guint total_before = crm_item_tree_get_size (self->all);
  guint shown_before = crm_item_tree_get_size (self->shown);

  /* The old items stay alive until the signal has told everyone. */
  SWAP (self->by_id, loaded->by_id);
  SWAP (self->all, loaded->all);
  SWAP (self->regions, loaded->regions);
  SWAP (self->owners, loaded->owners);

  for (guint i = 0; i < loaded->items->len; i++)
    if (matches (self, loaded->items->pdata[i]))
      g_ptr_array_add (shown, loaded->items->pdata[i]);
  crm_item_tree_build (self->shown, shown->pdata, shown->len);
  search_cache_clear (self);
  search_cache_keep (self, shown);

  if (shown_before > 0 || shown->len > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, shown_before, shown->len);
  if (total_before != loaded->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  if (shown_before != shown->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
  g_signal_emit (self, signals[CHOICES_CHANGED], 0);
}

typedef struct
{
  CrmStore *store;
  Order     order;
  guint     generation;
} ReloadData;

static void
reload_data_free (ReloadData *data)
{
  g_clear_object (&data->store);
  g_free (data);
}

static void
reload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ReloadData *data = task_data;
  GError *error = NULL;
  Loaded *loaded = load (data->store, &data->order, &error);

  if (loaded == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
}

static void
complete_waiters (CrmCustomerModel *self,
                  const GError     *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->reload_waiters);

  self->reload_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      if (error != NULL)
        g_task_return_error (waiters->pdata[i], g_error_copy (error));
      else
        g_task_return_boolean (waiters->pdata[i], TRUE);
    }
}

static void
reloaded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CrmCustomerModel *self;
  ReloadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  Loaded *loaded = g_task_propagate_pointer (G_TASK (result), &error);

  /* Cancelled: the model is gone (as in rows_read_cb()). */
  if (loaded == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  g_clear_object (&data->store);   /* as in rows_read_cb() */
  self->busy = FALSE;
  if (loaded == NULL)
    {
      g_warning ("Cannot reload the customer list: %s", error->message);
      complete_waiters (self, error);
      pump (self);
      return;
    }
  if (data->generation != self->generation)
    /* a blocking reload came meanwhile: this one is older */
    free_in_worker (loaded, (GDestroyNotify) loaded_free);
  else if (data->order.column != self->sort_column || data->order.descending != self->descending)
    {
      /* sorted the old way: once more */
      free_in_worker (loaded, (GDestroyNotify) loaded_free);
      self->pending_reset = TRUE;
      pump (self);
      return;
    }
  else
    {
      self->generation++;
      swap_in (self, loaded);
      free_in_worker (loaded, (GDestroyNotify) loaded_free);
    }
  complete_waiters (self, NULL);
  pump (self);
}

/* Reads every customer in a worker; the main thread only swaps the
 * result in.  Changes told meanwhile wait in self->pending. */
static void
start_reload (CrmCustomerModel *self)
{
  g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, reloaded_cb, self);
  ReloadData *data = g_new0 (ReloadData, 1);

  data->store = g_object_ref (self->store);
  data->order.column = self->sort_column;
  data->order.descending = self->descending;
  data->generation = self->generation;
  /* Told before the read begins: the read has them. */
  g_hash_table_remove_all (self->pending);
  self->busy = TRUE;
  g_task_set_source_tag (task, start_reload);
  g_task_set_task_data (task, data, (GDestroyNotify) reload_data_free);
  g_task_run_in_thread (task, reload_thread);
}

static void
notify_busy (CrmCustomerModel *self)
{
  gboolean busy = crm_customer_model_is_busy (self);

  if (busy != self->was_busy)
    {
      self->was_busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

static void pump_one (CrmCustomerModel *self);

/* One thing at a time: a reload, or the changed rows told so far; then
 * :busy says whether anything is still on its way. */
static void
pump (CrmCustomerModel *self)
{
  pump_one (self);
  notify_busy (self);
}

static void
pump_one (CrmCustomerModel *self)
{
  char **ids;

  if (self->busy || self->store == NULL)
    return;
  if (self->held && self->reload_waiters->len == 0)
    return;
  if (self->pending_reset)
    {
      self->pending_reset = FALSE;
      start_reload (self);
      return;
    }
  if (g_hash_table_size (self->pending) == 0)
    return;
  ids = (char **) g_hash_table_get_keys_as_array (self->pending, NULL);
  g_hash_table_steal_all (self->pending);   /* the keys now belong to ids */
  read_rows (self, ids);
}

static void
customers_changed_cb (CrmStore           *store,
                      const char * const *ids,
                      CrmCustomerModel   *self)
{
  if (ids == NULL || self->held)
    {
      self->pending_reset = TRUE;
      g_hash_table_remove_all (self->pending);
      drop_batch (self);
      ids = NULL;
    }
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    if (!g_hash_table_contains (self->pending, ids[i]))
      g_hash_table_add (self->pending, g_strdup (ids[i]));
  pump (self);
}

/* A service step names no customer: its request does.  The steps told
 * are mapped to their customers in a worker, which then count as told by
 * ::customers-changed.  (A step gone on its own, without its request,
 * cannot be mapped; its request's change or departure names the
 * customer.) */
typedef struct
{
  CrmStore *store;
  GStrv     steps;
  GStrv     customers;
} StepMap;

static void
step_map_free (StepMap *map)
{
  g_clear_object (&map->store);
  g_strfreev (map->steps);
  g_strfreev (map->customers);
  g_free (map);
}

static void
map_steps_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  StepMap *map = task_data;
  GError *error = NULL;

  map->customers = crm_store_get_step_customer_ids (map->store, (const char * const *) map->steps, &error);
  if (map->customers == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
steps_mapped_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  StepMap *map = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  CrmCustomerModel *self;

  /* Cancelled: the model is gone (as in rows_read_cb()). */
  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  self->mapping_steps--;
  g_clear_object (&map->store);
  if (error != NULL)
    {
      g_warning ("Cannot find the customers of service steps: %s", error->message);
      return;
    }
  if (map->customers[0] != NULL)
    customers_changed_cb (NULL, (const char * const *) map->customers, self);
}

static void
steps_changed_cb (CrmStore           *store,
                  const char         *entity,
                  const char * const *keys,
                  CrmCustomerModel   *self)
{
  g_autoptr(GTask) task = NULL;
  StepMap *map;

  /* Every step (a reset): ::customers-changed said everything. */
  if (keys == NULL || keys[0] == NULL)
    return;
  map = g_new0 (StepMap, 1);
  map->store = g_object_ref (store);
  map->steps = g_strdupv ((char **) keys);
  self->mapping_steps++;
  task = g_task_new (NULL, self->cancellable, steps_mapped_cb, self);
  g_task_set_source_tag (task, steps_changed_cb);
  g_task_set_task_data (task, map, (GDestroyNotify) step_map_free);
  g_task_run_in_thread (task, map_steps_thread);
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
  g_clear_signal_handler (&self->steps_handler, self->store);
  g_cancellable_cancel (self->cancellable);
  batch_sources_clear (self);
  g_clear_pointer (&self->batch, batch_free);
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
  g_clear_pointer (&self->regions, g_hash_table_unref);
  g_clear_pointer (&self->owners, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->reload_waiters, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->search);
  g_free (self->search_key);
  g_free (self->search_digits);

  G_OBJECT_CLASS (crm_customer_model_parent_class)->finalize (object);
}

static void
crm_customer_model_constructed (GObject *object)
{
  CrmCustomerModel *self = CRM_CUSTOMER_MODEL (object);

  G_OBJECT_CLASS (crm_customer_model_parent_class)->constructed (object);

  if (self->store != NULL)
    {
      self->changed_handler = g_signal_connect_object (self->store, "customers-changed",
                                                       G_CALLBACK (customers_changed_cb), self, 0);
      self->steps_handler = g_signal_connect_object (self->store, "changed::service_step",
                                                     G_CALLBACK (steps_changed_cb), self, 0);
    }
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
    case PROP_NEEDS_ATTENTION:
      g_value_set_boolean (value, self->needs_attention);
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
    case PROP_BUSY:
      g_value_set_boolean (value, crm_customer_model_is_busy (self));
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
    case PROP_NEEDS_ATTENTION:
      crm_customer_model_set_needs_attention (self, g_value_get_boolean (value));
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
  properties[PROP_NEEDS_ATTENTION] = g_param_spec_boolean ("needs-attention", NULL, NULL, FALSE, rw);
  properties[PROP_TOTAL] = g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ITEM_TYPE] = g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT, ro);
  /* crm_customer_model_is_busy (), notified when it changes */
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmCustomerModel::choices-changed:
   *
   * The regions or account managers of the customers (filters aside)
   * changed: one came, went, or was renamed.
   */
  signals[CHOICES_CHANGED] = g_signal_new ("choices-changed",
                                           G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
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
  self->regions = choice_table_new ();
  self->owners = choice_table_new ();
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->reload_waiters = g_ptr_array_new_with_free_func (g_object_unref);
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
 * Reads every customer from the store again, blocking: for a model that
 * is not shown yet, filled in a worker thread (the page's loader).  The
 * collation keys are made in the current locale.  One items-changed.
 * Rows read before it and not applied yet are dropped: it has them.
 */
gboolean
crm_customer_model_reload (CrmCustomerModel  *self,
                           GError           **error)
{
  Order order;
  Loaded *loaded;

  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  order.column = self->sort_column;
  order.descending = self->descending;
  loaded = load (self->store, &order, error);
  if (loaded == NULL)
    return FALSE;

  self->generation++;
  if (self->batch != NULL)
    {
      batch_sources_clear (self);
      g_clear_pointer (&self->batch, batch_free);
      self->busy = FALSE;
    }
  g_hash_table_remove_all (self->pending);
  swap_in (self, loaded);
  loaded_free (loaded);
  notify_busy (self);
  return TRUE;
}

/**
 * crm_customer_model_reload_async:
 *
 * Reads and sorts every customer again in a worker thread, then shows
 * them in one items-changed (as the store's ::customers-changed with no
 * ids does by itself).  Rows changed meanwhile are applied after; rows
 * read before and not applied yet are left to it.  @callback runs once
 * the model has every row the store had told it of when this was called.
 */
void
crm_customer_model_reload_async (CrmCustomerModel    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, crm_customer_model_reload_async);
  g_ptr_array_add (self->reload_waiters, task);
  self->pending_reset = TRUE;
  drop_batch (self);
  pump (self);
}

/**
 * crm_customer_model_set_held:
 * @held: whether to hold the rows as they are
 *
 * While held, what the store tells is not read: the model only notes
 * that it is to read every row again, which it does when let go or when
 * a reload is asked for (crm_customer_model_reload_async ()).  For a list
 * not shown while a first sync brings its rows: applying them row by row
 * would cost the main thread what one reload does in a worker.
 */
void
crm_customer_model_set_held (CrmCustomerModel *self,
                             gboolean          held)
{
  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));

  if (self->held == !!held)
    return;
  self->held = !!held;
  if (held && (self->batch != NULL || g_hash_table_size (self->pending) > 0))
    {
      /* what is on its way would be read again */
      self->pending_reset = TRUE;
      g_hash_table_remove_all (self->pending);
      drop_batch (self);
    }
  pump (self);
}

gboolean
crm_customer_model_reload_finish (CrmCustomerModel  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * crm_customer_model_is_busy:
 *
 * Whether changes told by the store are still on their way in (a reload
 * or changed rows read in a worker, or applied a slice at a time).
 */
gboolean
crm_customer_model_is_busy (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), FALSE);

  return self->busy || self->pending_reset || g_hash_table_size (self->pending) > 0 || self->mapping_steps > 0;
}

/**
 * crm_customer_model_dup_regions:
 *
 * The regions of all customers, filters aside: a table of region id to
 * name (both interned strings, borrowed).
 */
GHashTable *
crm_customer_model_dup_regions (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), NULL);

  return choices_dup (self->regions);
}

/* The account managers of all customers: owner id to name, as above. */
GHashTable *
crm_customer_model_dup_owners (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), NULL);

  return choices_dup (self->owners);
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
  g_return_if_fail (column < CRM_CUSTOMER_N_COLUMNS);

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
      g_free (self->search_digits);
      self->search_digits = crm_customer_item_phone_digits (self->search_key);
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

/**
 * crm_customer_model_set_needs_attention:
 *
 * Shows only the customers with a warning (crm_customer_warnings_for()),
 * or (%FALSE) every customer the other filters pass.
 */
void
crm_customer_model_set_needs_attention (CrmCustomerModel *self,
                                        gboolean          needs_attention)
{
  g_return_if_fail (CRM_IS_CUSTOMER_MODEL (self));

  needs_attention = !!needs_attention;
  if (self->needs_attention == needs_attention)
    return;
  self->needs_attention = needs_attention;
  refilter (self, needs_attention);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_ATTENTION]);
}

gboolean
crm_customer_model_get_needs_attention (CrmCustomerModel *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_MODEL (self), FALSE);

  return self->needs_attention;
}
