#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A sequence of pointers kept in the order of a comparison function, with
 * access by position: a treap whose nodes count their subtree.  Finding,
 * inserting and removing an element, and reading the one at a position,
 * take O(log n); building from a sorted array takes O(n).  The list model
 * keeps all customers in one and the shown ones in another.  The tree
 * does not own its elements.
 */
typedef struct _CrmItemTree CrmItemTree;

CrmItemTree *crm_item_tree_new         (void);
void         crm_item_tree_free        (CrmItemTree      *tree);
guint        crm_item_tree_get_size    (CrmItemTree      *tree);
/* Replaces the contents with @items[0..n), which must be in order. */
void         crm_item_tree_build       (CrmItemTree      *tree,
                                        gpointer         *items,
                                        guint             n);
gpointer     crm_item_tree_get         (CrmItemTree      *tree,
                                        guint             position);
/* How many elements compare below @item. */
guint        crm_item_tree_lower_bound (CrmItemTree      *tree,
                                        gconstpointer     item,
                                        GCompareDataFunc  compare,
                                        gpointer          data);
/* Where @item (compared, then the same pointer) is, or FALSE. */
gboolean     crm_item_tree_find        (CrmItemTree      *tree,
                                        gconstpointer     item,
                                        GCompareDataFunc  compare,
                                        gpointer          data,
                                        guint            *position);
void         crm_item_tree_insert_at   (CrmItemTree      *tree,
                                        guint             position,
                                        gpointer          item);
gpointer     crm_item_tree_remove_at   (CrmItemTree      *tree,
                                        guint             position);
/* Appends every element, in order, to @out. */
void         crm_item_tree_to_array    (CrmItemTree      *tree,
                                        GPtrArray        *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmItemTree, crm_item_tree_free)

G_END_DECLS
