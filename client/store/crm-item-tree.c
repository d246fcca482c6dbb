#define G_LOG_DOMAIN "crm-item-tree"

#include "config.h"

#include "crm-item-tree.h"

/*
 * A treap (Seidel and Aragon): a binary search tree in element order that
 * is also a heap on random priorities, so its expected depth is O(log n)
 * whatever the order of the operations.  Each node counts its subtree,
 * which gives positions.  Nodes come from blocks and go back to a free
 * list; a rebuild (every filter change rebuilds the shown tree) reuses
 * them without calling malloc per node.
 */

typedef struct _Node Node;

struct _Node
{
  gpointer item;
  Node    *left;
  Node    *right;
  guint32  priority;
  guint32  size;
};

#define BLOCK_NODES 4096

struct _CrmItemTree
{
  Node      *root;
  Node      *free_nodes;   /* linked through ->right */
  GPtrArray *blocks;
  guint32    random;       /* xorshift32 state */
};

static inline guint32
node_size (const Node *node)
{
  return node ? node->size : 0;
}

static inline void
node_update (Node *node)
{
  node->size = 1 + node_size (node->left) + node_size (node->right);
}

static guint32
next_random (CrmItemTree *tree)
{
  guint32 x = tree->random;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  tree->random = x;
  return x;
}

static Node *
node_new (CrmItemTree *tree,
          gpointer     item)
{
  Node *node;

  if (tree->free_nodes == NULL)
    {
      Node *block = g_new (Node, BLOCK_NODES);

      g_ptr_array_add (tree->blocks, block);
      for (guint i = 0; i < BLOCK_NODES; i++)
        {
          block[i].right = tree->free_nodes;
          tree->free_nodes = &block[i];
        }
    }
  node = tree->free_nodes;
  tree->free_nodes = node->right;
  node->item = item;
  node->left = node->right = NULL;
  node->priority = next_random (tree);
  node->size = 1;
  return node;
}

static void
node_release (CrmItemTree *tree,
              Node        *node)
{
  node->item = NULL;
  node->left = NULL;
  node->right = tree->free_nodes;
  tree->free_nodes = node;
}

/* Splits @node into its first @k elements (*a) and the rest (*b). */
static void
split (Node   *node,
       guint   k,
       Node  **a,
       Node  **b)
{
  if (node == NULL)
    {
      *a = *b = NULL;
      return;
    }
  if (node_size (node->left) < k)
    {
      split (node->right, k - node_size (node->left) - 1, &node->right, b);
      node_update (node);
      *a = node;
    }
  else
    {
      split (node->left, k, a, &node->left);
      node_update (node);
      *b = node;
    }
}

/* Joins @a and @b, every element of @a coming first. */
static Node *
merge (Node *a,
       Node *b)
{
  if (a == NULL)
    return b;
  if (b == NULL)
    return a;
  if (a->priority > b->priority)
    {
      a->right = merge (a->right, b);
      node_update (a);
      return a;
    }
  b->left = merge (a, b->left);
  node_update (b);
  return b;
}

static void
release_all (CrmItemTree *tree)
{
  /* Every node goes back to the free list; no walk of the tree needed. */
  tree->root = NULL;
  tree->free_nodes = NULL;
  for (guint b = 0; b < tree->blocks->len; b++)
    {
      Node *block = g_ptr_array_index (tree->blocks, b);

      for (guint i = 0; i < BLOCK_NODES; i++)
        {
          block[i].right = tree->free_nodes;
          tree->free_nodes = &block[i];
        }
    }
}

static guint32
fix_sizes (Node *node)
{
  if (node == NULL)
    return 0;
  node->size = 1 + fix_sizes (node->left) + fix_sizes (node->right);
  return node->size;
}

CrmItemTree *
crm_item_tree_new (void)
{
  CrmItemTree *tree = g_new0 (CrmItemTree, 1);

  tree->blocks = g_ptr_array_new_with_free_func (g_free);
  tree->random = g_random_int () | 1;
  return tree;
}

void
crm_item_tree_free (CrmItemTree *tree)
{
  if (tree == NULL)
    return;
  g_ptr_array_unref (tree->blocks);
  g_free (tree);
}

guint
crm_item_tree_get_size (CrmItemTree *tree)
{
  return node_size (tree->root);
}

void
crm_item_tree_build (CrmItemTree *tree,
                     gpointer    *items,
                     guint        n)
{
  g_autofree Node **spine = NULL;
  guint depth = 0;

  release_all (tree);
  if (n == 0)
    return;

  /* The Cartesian tree of random priorities over the items, in one pass:
   * @spine is the right spine of the tree so far. */
  spine = g_new (Node *, n);
  for (guint i = 0; i < n; i++)
    {
      Node *node = node_new (tree, items[i]);
      Node *last = NULL;

      while (depth > 0 && spine[depth - 1]->priority < node->priority)
        last = spine[--depth];
      node->left = last;
      if (depth > 0)
        spine[depth - 1]->right = node;
      spine[depth++] = node;
    }
  tree->root = spine[0];
  fix_sizes (tree->root);
}

gpointer
crm_item_tree_get (CrmItemTree *tree,
                   guint        position)
{
  Node *node = tree->root;

  g_return_val_if_fail (position < node_size (tree->root), NULL);

  while (node != NULL)
    {
      guint left = node_size (node->left);

      if (position < left)
        node = node->left;
      else if (position == left)
        return node->item;
      else
        {
          position -= left + 1;
          node = node->right;
        }
    }
  g_return_val_if_reached (NULL);
}

guint
crm_item_tree_lower_bound (CrmItemTree      *tree,
                           gconstpointer     item,
                           GCompareDataFunc  compare,
                           gpointer          data)
{
  Node *node = tree->root;
  guint below = 0;

  while (node != NULL)
    {
      if (compare (node->item, item, data) < 0)
        {
          below += node_size (node->left) + 1;
          node = node->right;
        }
      else
        node = node->left;
    }
  return below;
}

gboolean
crm_item_tree_find (CrmItemTree      *tree,
                    gconstpointer     item,
                    GCompareDataFunc  compare,
                    gpointer          data,
                    guint            *position)
{
  guint at = crm_item_tree_lower_bound (tree, item, compare, data);

  if (at < node_size (tree->root) && crm_item_tree_get (tree, at) == item)
    {
      *position = at;
      return TRUE;
    }
  return FALSE;
}

void
crm_item_tree_insert_at (CrmItemTree *tree,
                         guint        position,
                         gpointer     item)
{
  Node *a, *b;

  g_return_if_fail (position <= node_size (tree->root));

  split (tree->root, position, &a, &b);
  tree->root = merge (merge (a, node_new (tree, item)), b);
}

gpointer
crm_item_tree_remove_at (CrmItemTree *tree,
                         guint        position)
{
  Node *a, *b, *middle, *rest;
  gpointer item;

  g_return_val_if_fail (position < node_size (tree->root), NULL);

  split (tree->root, position, &a, &b);
  split (b, 1, &middle, &rest);
  item = middle->item;
  node_release (tree, middle);
  tree->root = merge (a, rest);
  return item;
}

static void
collect (Node      *node,
         GPtrArray *out)
{
  while (node != NULL)
    {
      collect (node->left, out);
      g_ptr_array_add (out, node->item);
      node = node->right;
    }
}

void
crm_item_tree_to_array (CrmItemTree *tree,
                        GPtrArray   *out)
{
  collect (tree->root, out);
}
