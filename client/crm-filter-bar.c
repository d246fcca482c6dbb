#define G_LOG_DOMAIN "crm-filter-bar"

#include "config.h"

#include <string.h>

#include "crm-customer-item.h"
#include "crm-filter-bar.h"

struct _CrmFilterChoice
{
  char *id;
  char *name;
  char *key;    /* the name's collation key, while sorting */
};

/* The menu of one drop-down. */
typedef struct
{
  GtkDropDown   *drop_down;   /* a child of the bar */
  GtkStringList *labels;
  GPtrArray     *ids;         /* [0] is NULL: "All …" */
} Menu;

struct _CrmFilterBar
{
  GtkBox          parent_instance;

  GtkSearchEntry *search_entry;   /* a child, or NULL */
  GPtrArray      *menus;
  GPtrArray      *toggles;        /* GtkToggleButton children: on/off filters */
  guint           blocked;
};

static void crm_filter_bar_buildable_init (GtkBuildableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CrmFilterBar, crm_filter_bar, GTK_TYPE_BOX,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE, crm_filter_bar_buildable_init))

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GtkBuildableIface *parent_buildable_iface;

/* ------------------------------------------------------------------ */
/* Choices                                                             */
/* ------------------------------------------------------------------ */

static int
choice_compare (gconstpointer a,
                gconstpointer b)
{
  const CrmFilterChoice *ca = *(const CrmFilterChoice * const *) a;
  const CrmFilterChoice *cb = *(const CrmFilterChoice * const *) b;

  return strcmp (ca->key, cb->key);
}

/* The collation key of @name, an interned string: made once (the menus
 * are made again each time a choice comes or goes). */
static char *
dup_choice_key (const char *name)
{
  static GHashTable *keys;   /* interned name -> key */
  G_LOCK_DEFINE_STATIC (keys);
  char *key;

  G_LOCK (keys);
  if (keys == NULL)
    keys = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  key = g_hash_table_lookup (keys, name);
  if (key == NULL)
    {
      /* the list's order (pinyin), whatever the interface language */
      key = crm_collation_key (name);
      g_hash_table_insert (keys, (gpointer) name, key);
    }
  key = g_strdup (key);
  G_UNLOCK (keys);
  return key;
}

static char *
choice_entry (const char *id,
              const char *name)
{
  return g_strconcat (id, "\x1f", name, NULL);
}

/* ------------------------------------------------------------------ */
/* Menus                                                               */
/* ------------------------------------------------------------------ */

static void
menu_free (gpointer data)
{
  Menu *menu = data;

  g_clear_object (&menu->labels);
  g_clear_pointer (&menu->ids, g_ptr_array_unref);
  g_free (menu);
}

static Menu *
find_menu (CrmFilterBar *self,
           GtkDropDown  *drop_down)
{
  for (guint i = 0; i < self->menus->len; i++)
    {
      Menu *menu = self->menus->pdata[i];

      if (menu->drop_down == drop_down)
        return menu;
    }
  return NULL;
}

static const char *
selected_id (Menu *menu)
{
  guint selected = gtk_drop_down_get_selected (menu->drop_down);

  return selected < menu->ids->len ? menu->ids->pdata[selected] : NULL;
}

/* One run of neighbouring differences, spliced into the menu at once. */
typedef struct
{
  GtkStringList *labels;
  guint          position;   /* of the run's first entry */
  guint          removed;
  GStrvBuilder  *added;
  guint          n_added;
} ChoiceRun;

static void
choice_run_flush (ChoiceRun *run)
{
  g_auto(GStrv) strings = g_strv_builder_end (run->added);

  if (run->removed > 0 || run->n_added > 0)
    gtk_string_list_splice (run->labels, run->position, run->removed, (const char * const *) strings);
  run->position += run->n_added;
  run->removed = 0;
  run->n_added = 0;
  g_strv_builder_unref (run->added);
  run->added = g_strv_builder_new ();
}

/* Merges @choices into @menu's labels in order; see set_choices(). */
static void
splice_choices (Menu       *menu,
                const char *all_label,
                GPtrArray  *choices)
{
  GtkStringList *labels = menu->labels;
  GPtrArray *ids = menu->ids;
  g_autoptr(GHashTable) old_entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) old_list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) new_list = g_ptr_array_new_with_free_func (g_free);
  ChoiceRun run = { labels, 1, 0, g_strv_builder_new (), 0 };
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (labels));
  guint i = 1, j = 0;

  if (n_old == 0 || ids->len != n_old || g_strcmp0 (gtk_string_list_get_string (labels, 0), all_label) != 0)
    {
      /* the first menu, or another language: all of it */
      run.position = 0;
      run.removed = n_old;
      g_strv_builder_add (run.added, all_label);
      run.n_added = 1;
      n_old = 0;
    }
  /* read before the splices move them */
  g_ptr_array_add (old_list, NULL);
  for (guint k = 1; k < n_old; k++)
    {
      char *entry = choice_entry (ids->pdata[k], gtk_string_list_get_string (labels, k));

      g_ptr_array_add (old_list, entry);
      g_hash_table_add (old_entries, g_strdup (entry));
    }
  for (guint k = 0; k < choices->len; k++)
    {
      CrmFilterChoice *choice = choices->pdata[k];

      g_ptr_array_add (new_list, choice_entry (choice->id, choice->name));
    }

  while (i < n_old || j < choices->len)
    {
      CrmFilterChoice *choice = j < choices->len ? choices->pdata[j] : NULL;
      const char *old = i < n_old ? old_list->pdata[i] : NULL;
      const char *fresh = choice != NULL ? new_list->pdata[j] : NULL;

      if (old != NULL && fresh != NULL && g_str_equal (old, fresh))
        {
          choice_run_flush (&run);
          run.position++;
          i++, j++;
        }
      else if (fresh != NULL && !g_hash_table_contains (old_entries, fresh))
        {
          g_strv_builder_add (run.added, choice->name);
          run.n_added++;
          j++;
        }
      else
        {
          /* gone, or moved by a new name: out here, in where it belongs */
          g_assert (old != NULL);
          g_hash_table_remove (old_entries, old);
          run.removed++;
          i++;
        }
    }
  choice_run_flush (&run);
  g_strv_builder_unref (run.added);
}

/* Replaces the choices of @menu, keeping the one selected if it is still
 * there.  The old and new entries are merged in their order and only the
 * differences are spliced: the menu's list does work for every entry a
 * splice covers (17 µs each here), and a first sync brings new account
 * managers, scattered through the alphabet, page after page. */
static void
set_choices (Menu       *menu,
             const char *all_label,
             GPtrArray  *choices)
{
  g_autofree char *selected = g_strdup (selected_id (menu));
  guint position = 0;

  splice_choices (menu, all_label, choices);

  g_ptr_array_set_size (menu->ids, 0);
  g_ptr_array_add (menu->ids, NULL);
  for (guint k = 0; k < choices->len; k++)
    {
      CrmFilterChoice *choice = choices->pdata[k];

      if (g_strcmp0 (choice->id, selected) == 0)
        position = k + 1;
      g_ptr_array_add (menu->ids, g_strdup (choice->id));
    }
  if (gtk_drop_down_get_selected (menu->drop_down) != position)
    gtk_drop_down_set_selected (menu->drop_down, position);
}

/* ------------------------------------------------------------------ */
/* Children                                                            */
/* ------------------------------------------------------------------ */

/* The drop-downs' buttons: the choice, cut short when space is short
 * (the list shows it whole), so that the row fits narrow windows. */
static void
choice_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  ellipsize)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  if (ellipsize)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 6);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
    }
  gtk_list_item_set_child (list_item, label);
}

static void
choice_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  ellipsize)
{
  GtkStringObject *item = gtk_list_item_get_item (list_item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (list_item)), gtk_string_object_get_string (item));
}

static void
selected_changed_cb (CrmFilterBar *self)
{
  if (self->blocked == 0)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
add_drop_down (CrmFilterBar *self,
               GtkDropDown  *drop_down)
{
  g_autoptr(GtkListItemFactory) button = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) list = gtk_signal_list_item_factory_new ();
  Menu *menu = g_new0 (Menu, 1);

  g_signal_connect (button, "setup", G_CALLBACK (choice_setup_cb), GINT_TO_POINTER (TRUE));
  g_signal_connect (button, "bind", G_CALLBACK (choice_bind_cb), NULL);
  g_signal_connect (list, "setup", G_CALLBACK (choice_setup_cb), GINT_TO_POINTER (FALSE));
  g_signal_connect (list, "bind", G_CALLBACK (choice_bind_cb), NULL);
  gtk_drop_down_set_factory (drop_down, button);
  gtk_drop_down_set_list_factory (drop_down, list);

  menu->drop_down = drop_down;
  menu->labels = gtk_string_list_new (NULL);
  menu->ids = g_ptr_array_new_with_free_func (g_free);
  gtk_drop_down_set_model (drop_down, G_LIST_MODEL (menu->labels));
  g_ptr_array_add (self->menus, menu);

  g_signal_connect_swapped (drop_down, "notify::selected", G_CALLBACK (selected_changed_cb), self);
}

static void
toggled_cb (CrmFilterBar *self)
{
  if (self->blocked == 0)
    g_signal_emit (self, signals[CHANGED], 0);
}

/* A child of the bar: the search entry, a drop-down whose menu the bar
 * keeps from now on, or a toggle button (a filter on or off). */
static void
adopt (CrmFilterBar *self,
       GtkWidget    *child)
{
  if (GTK_IS_SEARCH_ENTRY (child))
    self->search_entry = GTK_SEARCH_ENTRY (child);
  else if (GTK_IS_DROP_DOWN (child))
    add_drop_down (self, GTK_DROP_DOWN (child));
  else if (GTK_IS_TOGGLE_BUTTON (child))
    {
      g_ptr_array_add (self->toggles, child);
      g_signal_connect_swapped (child, "toggled", G_CALLBACK (toggled_cb), self);
    }
}

static void
crm_filter_bar_buildable_add_child (GtkBuildable *buildable,
                                    GtkBuilder   *builder,
                                    GObject      *child,
                                    const char   *type)
{
  parent_buildable_iface->add_child (buildable, builder, child, type);
  if (GTK_IS_WIDGET (child))
    adopt (CRM_FILTER_BAR (buildable), GTK_WIDGET (child));
}

static void
crm_filter_bar_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = crm_filter_bar_buildable_add_child;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_filter_bar_dispose (GObject *object)
{
  CrmFilterBar *self = CRM_FILTER_BAR (object);

  for (guint i = 0; self->menus != NULL && i < self->menus->len; i++)
    {
      Menu *menu = self->menus->pdata[i];

      g_signal_handlers_disconnect_by_data (menu->drop_down, self);
    }
  g_clear_pointer (&self->menus, g_ptr_array_unref);
  for (guint i = 0; self->toggles != NULL && i < self->toggles->len; i++)
    g_signal_handlers_disconnect_by_data (self->toggles->pdata[i], self);
  g_clear_pointer (&self->toggles, g_ptr_array_unref);
  self->search_entry = NULL;

  G_OBJECT_CLASS (crm_filter_bar_parent_class)->dispose (object);
}

static void
crm_filter_bar_class_init (CrmFilterBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_filter_bar_dispose;

  /**
   * CrmFilterBar::changed:
   *
   * The user chose another entry of a drop-down, or toggled a filter.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
crm_filter_bar_init (CrmFilterBar *self)
{
  self->menus = g_ptr_array_new_with_free_func (menu_free);
  self->toggles = g_ptr_array_new ();
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

CrmFilterChoice *
crm_filter_choice_new (const char *id,
                       const char *name)
{
  CrmFilterChoice *choice;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  choice = g_new0 (CrmFilterChoice, 1);
  choice->id = g_strdup (id);
  choice->name = g_strdup (name);
  return choice;
}

void
crm_filter_choice_free (CrmFilterChoice *choice)
{
  if (choice == NULL)
    return;

  g_free (choice->id);
  g_free (choice->name);
  g_free (choice->key);
  g_free (choice);
}

/**
 * crm_filter_choices_new_sorted:
 * @names: id -> name (NULL: the id), interned strings, as a list model
 *   counts them (crm_customer_model_dup_regions(), say)
 *
 * Returns: (transfer full) (element-type CrmFilterChoice): the choices,
 *   in the order of their names' collation
 */
GPtrArray *
crm_filter_choices_new_sorted (GHashTable *names)
{
  GPtrArray *choices = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_filter_choice_free);
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (names != NULL, choices);

  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      CrmFilterChoice *choice = crm_filter_choice_new (key, value ? value : key);

      choice->key = dup_choice_key (value ? value : key);
      g_ptr_array_add (choices, choice);
    }
  g_ptr_array_sort (choices, choice_compare);
  return choices;
}

GtkWidget *
crm_filter_bar_new (void)
{
  return g_object_new (CRM_TYPE_FILTER_BAR, NULL);
}

/**
 * crm_filter_bar_append:
 * @child: a GtkSearchEntry, a GtkDropDown (its menu kept by the bar from
 *   now on, empty until crm_filter_bar_set_choices()) or any widget
 *
 * Adds @child at the end of the row, as a <child> of the .ui does.
 */
void
crm_filter_bar_append (CrmFilterBar *self,
                       GtkWidget    *child)
{
  g_return_if_fail (CRM_IS_FILTER_BAR (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  gtk_box_append (GTK_BOX (self), child);
  adopt (self, child);
}

/**
 * crm_filter_bar_set_choices:
 * @filter: a drop-down of the bar
 * @all_label: the first entry, for no filter ("All Regions")
 * @choices: (element-type CrmFilterChoice): the other entries, in order
 *
 * Makes @filter's menu @all_label then @choices, splicing only the entries
 * that differ, and keeps the choice selected if it is still there ("All …"
 * otherwise).  Does not emit ::changed.
 */
void
crm_filter_bar_set_choices (CrmFilterBar *self,
                            GtkDropDown  *filter,
                            const char   *all_label,
                            GPtrArray    *choices)
{
  Menu *menu;

  g_return_if_fail (CRM_IS_FILTER_BAR (self));
  g_return_if_fail (all_label != NULL);
  g_return_if_fail (choices != NULL);
  menu = find_menu (self, filter);
  g_return_if_fail (menu != NULL);

  self->blocked++;
  set_choices (menu, all_label, choices);
  self->blocked--;
}

const char *
crm_filter_bar_get_choice (CrmFilterBar *self,
                           GtkDropDown  *filter)
{
  Menu *menu;

  g_return_val_if_fail (CRM_IS_FILTER_BAR (self), NULL);
  menu = find_menu (self, filter);
  g_return_val_if_fail (menu != NULL, NULL);

  return selected_id (menu);
}

void
crm_filter_bar_reset (CrmFilterBar *self)
{
  g_return_if_fail (CRM_IS_FILTER_BAR (self));

  self->blocked++;
  for (guint i = 0; i < self->menus->len; i++)
    {
      Menu *menu = self->menus->pdata[i];

      gtk_drop_down_set_selected (menu->drop_down, 0);
    }
  for (guint i = 0; i < self->toggles->len; i++)
    gtk_toggle_button_set_active (self->toggles->pdata[i], FALSE);
  self->blocked--;
  if (self->search_entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}
