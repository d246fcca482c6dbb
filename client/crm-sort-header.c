#define G_LOG_DOMAIN "crm-sort-header"

#include "config.h"

#include "crm-sort-header.h"

/*
 * GTK 4.8 has no public gtk_column_view_sorter_get_primary_sort_column ():
 * when the user clicks a header, the view's sorter changes, and comparing
 * two probe objects with it tells which column's sorter it asks first (the
 * primary column) and whether it inverts the answer (descending).  The
 * columns' sorters carry only their id; the header they report to is the
 * one probing, on the main thread, for the length of one comparison.
 */

struct _CrmSortHeader
{
  GObject        parent_instance;

  GtkColumnView *view;      /* weak: the page's, not the header's */
  GPtrArray     *columns;   /* GtkColumnViewColumn, or NULL, by id */
  GArray        *descending_first;   /* gboolean, by id */
  GObject       *probe_a;
  GObject       *probe_b;
  int            probed_column;
  gboolean       showing_sort;
  int            shown_column;   /* whose header has the arrow, or -1 */
};

G_DEFINE_FINAL_TYPE (CrmSortHeader, crm_sort_header, G_TYPE_OBJECT)

enum {
  SORT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The header whose view's sorter is being probed, or NULL. */
static CrmSortHeader *probing;

static int
probe_compare_cb (gconstpointer a,
                  gconstpointer b,
                  gpointer      column_id)
{
  if (probing != NULL && probing->probed_column < 0)
    probing->probed_column = GPOINTER_TO_INT (column_id);
  return GTK_ORDERING_SMALLER;
}

/* The header the user clicked, as a column and a direction. */
static void
view_sorter_changed_cb (CrmSortHeader   *self,
                        GtkSorterChange  change,
                        GtkSorter       *sorter)
{
  GtkOrdering order;

  if (self->showing_sort)
    return;

  g_assert (probing == NULL);
  self->probed_column = -1;
  probing = self;
  order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  probing = NULL;
  if (self->probed_column < 0 || order == GTK_ORDERING_EQUAL)
    return;

  /* GTK sorts a newly clicked column ascending; some start the other way
   * (the arrow follows once the model tells its sort back). */
  if (self->probed_column != self->shown_column &&
      (guint) self->probed_column < self->descending_first->len &&
      g_array_index (self->descending_first, gboolean, self->probed_column))
    {
      g_signal_emit (self, signals[SORT_CHANGED], 0, (guint) self->probed_column, TRUE);
      return;
    }
  g_signal_emit (self, signals[SORT_CHANGED], 0, (guint) self->probed_column, order == GTK_ORDERING_LARGER);
}

static void
crm_sort_header_dispose (GObject *object)
{
  CrmSortHeader *self = CRM_SORT_HEADER (object);

  if (self->view != NULL && gtk_column_view_get_sorter (self->view) != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->view), self);
  g_clear_weak_pointer (&self->view);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_pointer (&self->descending_first, g_array_unref);

  G_OBJECT_CLASS (crm_sort_header_parent_class)->dispose (object);
}

static void
crm_sort_header_finalize (GObject *object)
{
  CrmSortHeader *self = CRM_SORT_HEADER (object);

  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);

  G_OBJECT_CLASS (crm_sort_header_parent_class)->finalize (object);
}

static void
crm_sort_header_class_init (CrmSortHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_sort_header_dispose;
  object_class->finalize = crm_sort_header_finalize;

  /**
   * CrmSortHeader::sort-changed:
   * @column_id: the id the clicked column was added with
   * @descending: the direction its arrow shows
   *
   * The user asked for another order.  Not emitted for
   * crm_sort_header_show_sort().
   */
  signals[SORT_CHANGED] =
    g_signal_new ("sort-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_BOOLEAN);
}

static void
crm_sort_header_init (CrmSortHeader *self)
{
  self->columns = g_ptr_array_new_with_free_func (g_object_unref);
  self->descending_first = g_array_new (FALSE, TRUE, sizeof (gboolean));
  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);
  self->probed_column = -1;
  self->shown_column = -1;
}

/**
 * crm_sort_header_new:
 * @view: the column view whose headers to follow
 *
 * Returns: (transfer full): a header with no sortable column yet
 */
CrmSortHeader *
crm_sort_header_new (GtkColumnView *view)
{
  CrmSortHeader *self;

  g_return_val_if_fail (GTK_IS_COLUMN_VIEW (view), NULL);

  self = g_object_new (CRM_TYPE_SORT_HEADER, NULL);
  g_set_weak_pointer (&self->view, view);
  g_signal_connect_object (gtk_column_view_get_sorter (view), "changed",
                           G_CALLBACK (view_sorter_changed_cb), self, G_CONNECT_SWAPPED);
  return self;
}

/**
 * crm_sort_header_add_column:
 * @column: a column of the view
 * @column_id: what ::sort-changed calls it (the model's sort column)
 *
 * Makes @column's header clickable.
 */
void
crm_sort_header_add_column (CrmSortHeader       *self,
                            GtkColumnViewColumn *column,
                            guint                column_id)
{
  g_autoptr(GtkSorter) sorter = NULL;

  g_return_if_fail (CRM_IS_SORT_HEADER (self));
  g_return_if_fail (GTK_IS_COLUMN_VIEW_COLUMN (column));
  g_return_if_fail (column_id <= G_MAXINT);

  if (column_id >= self->columns->len)
    g_ptr_array_set_size (self->columns, column_id + 1);
  if (self->columns->pdata[column_id] != NULL)
    g_object_unref (self->columns->pdata[column_id]);
  self->columns->pdata[column_id] = g_object_ref (column);

  sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare_cb, GUINT_TO_POINTER (column_id), NULL));
  gtk_column_view_column_set_sorter (column, sorter);
}

/**
 * crm_sort_header_set_descending_first:
 * @column_id: a column added
 * @descending_first: whether the first click on its header (while
 *   another column is the sort) asks for largest first
 *
 * Money columns, say: the customers that matter most come first.
 */
void
crm_sort_header_set_descending_first (CrmSortHeader *self,
                                      guint          column_id,
                                      gboolean       descending_first)
{
  g_return_if_fail (CRM_IS_SORT_HEADER (self));
  g_return_if_fail (column_id < self->columns->len && self->columns->pdata[column_id] != NULL);

  if (column_id >= self->descending_first->len)
    g_array_set_size (self->descending_first, column_id + 1);
  g_array_index (self->descending_first, gboolean, column_id) = !!descending_first;
}

/**
 * crm_sort_header_show_sort:
 * @column_id: the model's sort column, as added
 * @descending: the model's direction
 *
 * Puts the arrow on the model's sort, without emitting ::sort-changed.
 */
void
crm_sort_header_show_sort (CrmSortHeader *self,
                           guint          column_id,
                           gboolean       descending)
{
  g_return_if_fail (CRM_IS_SORT_HEADER (self));
  g_return_if_fail (column_id < self->columns->len && self->columns->pdata[column_id] != NULL);

  if (self->view == NULL)
    return;
  self->showing_sort = TRUE;
  /* GTK 4.8 tells a header to redraw its arrow only when its column is
   * added to the view's sorter or the sorter is cleared while the column
   * leads it: a header clicked before keeps its arrow when another is
   * clicked.  So the last one shown leads once more, and is cleared. */
  if (self->shown_column >= 0 && (guint) self->shown_column != column_id &&
      (guint) self->shown_column < self->columns->len && self->columns->pdata[self->shown_column] != NULL)
    {
      gtk_column_view_sort_by_column (self->view, self->columns->pdata[self->shown_column], GTK_SORT_ASCENDING);
      gtk_column_view_sort_by_column (self->view, NULL, GTK_SORT_ASCENDING);
    }
  gtk_column_view_sort_by_column (self->view, self->columns->pdata[column_id],
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  self->shown_column = column_id;
  self->showing_sort = FALSE;
}

/**
 * crm_sort_header_scroll_to_top:
 *
 * Shows the list from its top: left alone, the view would follow the row
 * it showed first wherever a new order, search or filter moved it.
 * GtkListBase's list.scroll-to-item moves its anchor at once; it is an
 * action of the list view inside the column view.  (Detaching the model
 * and attaching it again does the same but costs 30 to 50 ms at 100,000
 * rows.)
 */
void
crm_sort_header_scroll_to_top (CrmSortHeader *self)
{
  GListModel *model;

  g_return_if_fail (CRM_IS_SORT_HEADER (self));

  if (self->view == NULL)
    return;
  model = G_LIST_MODEL (gtk_column_view_get_model (self->view));
  if (model == NULL || g_list_model_get_n_items (model) == 0)
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      {
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", 0);
        break;
      }
}
