#define G_LOG_DOMAIN "crm-customers-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-customer-detail.h"
#include "crm-customers-page.h"
#include "crm-format.h"

/*
 * Sorting.  The model sorts; GtkColumnView only draws the headers.  Each
 * column carries a GtkCustomSorter that never sorts anything: when the
 * user clicks a header, the view's sorter changes, and comparing two
 * probe objects with it tells which column's sorter it asks first (the
 * primary column) and whether it inverts the answer (descending).  GTK
 * 4.8 has no public gtk_column_view_sorter_get_primary_sort_column ().
 *
 * Filter choices.  Tiers and statuses are the closed vocabularies; the
 * regions and account managers offered are those of the customers in the
 * store: the model counts them as it loads and as rows change
 * (::choices-changed), so nothing reads every customer again after a sync.
 *
 * Loading.  Reading 100,000 customers takes most of a second, so the model
 * is filled in a worker thread while the page shows a spinner.  Its
 * handler of the store's ::customers-changed is blocked meanwhile (the
 * model is not the main thread's until it is handed over); the ids that
 * changed meanwhile are told again, by emitting the store's signal, once
 * it is.
 */

#define N_COLUMNS (CRM_CUSTOMER_COLUMN_STATUS + 1)

/* How long the filter menus wait for more changed choices. */
#define CHOICES_DELAY_MS 250

typedef struct
{
  CrmCustomersPage  *page;
  CrmCustomerColumn  column;
} ColumnInfo;

struct _CrmCustomersPage
{
  AdwBin               parent_instance;

  CrmStore            *store;
  CrmSyncEngine       *engine;
  CrmCustomerModel    *model;
  GtkSingleSelection  *selection;
  GSignalGroup        *model_signals;
  GSignalGroup        *engine_signals;
  GSignalGroup        *store_signals;

  ColumnInfo           columns[N_COLUMNS];
  GtkColumnViewColumn *view_columns[N_COLUMNS];
  GObject             *probe_a;
  GObject             *probe_b;
  int                  probed_column;
  gboolean             showing_sort;

  GtkStringList       *region_labels;
  GPtrArray           *region_ids;      /* [0] is NULL: every region */
  GtkStringList       *owner_labels;
  GPtrArray           *owner_ids;
  guint                filters_blocked;
  guint                choices_timeout;

  const char          *state;

  GCancellable        *load_cancellable;
  GHashTable          *changed_while_loading;   /* ids, or NULL */
  gboolean             reset_while_loading;

  /* Template widgets */
  GtkStack            *stack;
  AdwStatusPage       *progress_page;
  GtkProgressBar      *progress_bar;
  AdwStatusPage       *empty_page;
  AdwStatusPage       *error_page;
  GtkSpinner          *loading_spinner;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *tier_filter;
  GtkDropDown         *region_filter;
  GtkDropDown         *owner_filter;
  GtkDropDown         *status_filter;
  GtkLabel            *count_label;
  GtkStack            *results_stack;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *tier_column;
  GtkColumnViewColumn *industry_column;
  GtkColumnViewColumn *region_column;
  GtkColumnViewColumn *owner_column;
  GtkColumnViewColumn *revenue_column;
  GtkColumnViewColumn *status_column;
  CrmCustomerDetail   *detail;
};

G_DEFINE_FINAL_TYPE (CrmCustomersPage, crm_customers_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SYNC_ENGINE,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_state (CrmCustomersPage *self);

/* ------------------------------------------------------------------ */
/* Cells                                                               */
/* ------------------------------------------------------------------ */

/* The name cell: the name, then a mark when the customer has changes the
 * server has not confirmed (an icon with a tooltip and an accessible
 * name, not a colour alone). */
static GtkWidget *
name_cell_new (GtkWidget *label)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *mark = gtk_image_new_from_icon_name ("document-send-symbolic");

  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_name (mark, "unsent-mark");
  gtk_widget_set_tooltip_text (mark, _("Has changes not yet on the server"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Has changes not yet on the server"), -1);
  gtk_widget_add_css_class (mark, "accent");
  gtk_widget_set_visible (mark, FALSE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), mark);
  return box;
}

static GtkLabel *
cell_label (GtkListItem *list_item)
{
  GtkWidget *child = gtk_list_item_get_child (list_item);

  return GTK_LABEL (GTK_IS_LABEL (child) ? child : gtk_widget_get_first_child (child));
}

static void
name_cell_bind (GtkListItem     *list_item,
                CrmCustomerItem *item)
{
  GtkWidget *mark = gtk_widget_get_last_child (gtk_list_item_get_child (list_item));

  gtk_widget_set_visible (mark, crm_customer_item_get_has_unsent_changes (item));
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ColumnInfo               *info)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (info->column == CRM_CUSTOMER_COLUMN_REVENUE)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "numeric");
    }
  else
    gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  if (info->column == CRM_CUSTOMER_COLUMN_NAME)
    gtk_list_item_set_child (list_item, name_cell_new (label));
  else
    gtk_list_item_set_child (list_item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ColumnInfo               *info)
{
  CrmCustomerItem *item = gtk_list_item_get_item (list_item);
  GtkLabel *label = cell_label (list_item);
  g_autofree char *owned = NULL;
  const char *text = NULL;

  switch (info->column)
    {
    case CRM_CUSTOMER_COLUMN_NAME:
      text = crm_customer_item_get_name (item);
      name_cell_bind (list_item, item);
      break;
    case CRM_CUSTOMER_COLUMN_TIER:
      text = crm_tier_label (crm_customer_item_get_tier (item));
      break;
    case CRM_CUSTOMER_COLUMN_INDUSTRY:
      text = crm_industry_label_for (crm_customer_item_get_industry (item));
      break;
    case CRM_CUSTOMER_COLUMN_REGION:
      text = crm_customer_item_get_region_name (item);
      break;
    case CRM_CUSTOMER_COLUMN_OWNER:
      text = crm_customer_item_get_owner_name (item);
      if (text == NULL)
        /* TRANSLATORS: a customer without an account manager */
        text = _("Unassigned");
      break;
    case CRM_CUSTOMER_COLUMN_REVENUE:
      text = owned = crm_format_money (crm_customer_item_get_monthly_revenue (item));
      break;
    case CRM_CUSTOMER_COLUMN_STATUS:
      text = crm_customer_status_label (crm_customer_item_get_status (item));
      if (crm_customer_item_get_status (item) == CRM_CUSTOMER_STATUS_CHURNED)
        gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_label_set_label (label, text ? text : "");
}

/* ------------------------------------------------------------------ */
/* Sorting                                                             */
/* ------------------------------------------------------------------ */

/*
 * A new order, search or filter shows the list from its top: left alone,
 * the view would follow the row it showed first wherever the change moved
 * it.  GtkListBase's list.scroll-to-item moves its anchor at once; it is
 * an action of the list view inside the column view.  (Detaching the model
 * and attaching it again does the same but costs 30 to 50 ms at 100,000
 * rows.)
 */
static void
scroll_to_top (CrmCustomersPage *self)
{
  if (self->model == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->model)) == 0)
    return;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_VIEW (child))
      {
        gtk_widget_activate_action (child, "list.scroll-to-item", "u", 0);
        break;
      }
}

static int
probe_compare_cb (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  ColumnInfo *info = user_data;

  if (info->page->probed_column < 0)
    info->page->probed_column = info->column;
  return GTK_ORDERING_SMALLER;
}

/* The header the user clicked, as the model's sort. */
static void
view_sorter_changed_cb (CrmCustomersPage *self,
                        GtkSorterChange   change,
                        GtkSorter        *sorter)
{
  GtkOrdering order;

  if (self->model == NULL || self->showing_sort)
    return;

  self->probed_column = -1;
  order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  if (self->probed_column < 0 || order == GTK_ORDERING_EQUAL)
    return;

  {
    gint64 start = g_get_monotonic_time ();

    crm_customer_model_set_sort (self->model, self->probed_column, order == GTK_ORDERING_LARGER);
    scroll_to_top (self);
    g_debug ("Sorted %u customers in %.1f ms", crm_customer_model_get_total (self->model),
             (g_get_monotonic_time () - start) / 1000.0);
  }
}

/* The model's sort, as the header's arrow. */
static void
show_sort (CrmCustomersPage *self)
{
  CrmCustomerColumn column;

  if (self->model == NULL)
    return;

  column = crm_customer_model_get_sort_column (self->model);
  self->showing_sort = TRUE;
  gtk_column_view_sort_by_column (self->column_view, self->view_columns[column],
                                  crm_customer_model_get_sort_descending (self->model)
                                    ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  self->showing_sort = FALSE;
}

static void
model_sort_changed_cb (CrmCustomersPage *self)
{
  show_sort (self);
}

/* ------------------------------------------------------------------ */
/* Filters                                                             */
/* ------------------------------------------------------------------ */

static const char *
selected_id (GtkDropDown *drop_down,
             GPtrArray   *ids)
{
  guint selected = gtk_drop_down_get_selected (drop_down);

  return selected < ids->len ? ids->pdata[selected] : NULL;
}

static void
apply_filters (CrmCustomersPage *self)
{
  guint tier, status;

  if (self->model == NULL)
    return;

  tier = gtk_drop_down_get_selected (self->tier_filter);
  status = gtk_drop_down_get_selected (self->status_filter);

  crm_customer_model_set_tier (self->model, tier > 0 && tier <= CRM_N_TIERS ? crm_tier_names[tier - 1] : NULL);
  crm_customer_model_set_status (self->model,
                                 status > 0 && status <= CRM_N_CUSTOMER_STATUSES
                                   ? crm_customer_status_names[status - 1] : NULL);
  crm_customer_model_set_region (self->model, selected_id (self->region_filter, self->region_ids));
  crm_customer_model_set_owner (self->model, selected_id (self->owner_filter, self->owner_ids));
}

static void
filter_changed_cb (CrmCustomersPage *self)
{
  if (self->filters_blocked == 0)
    {
      apply_filters (self);
      scroll_to_top (self);
    }
}

static void
search_changed_cb (CrmCustomersPage *self,
                   GtkSearchEntry   *entry)
{
  gint64 start = g_get_monotonic_time ();

  if (self->model == NULL)
    return;
  crm_customer_model_set_search (self->model, gtk_editable_get_text (GTK_EDITABLE (entry)));
  scroll_to_top (self);
  g_debug ("Searched %u customers in %.1f ms", crm_customer_model_get_total (self->model),
           (g_get_monotonic_time () - start) / 1000.0);
}

/* Enter in the search: open the first customer shown. */
static void
search_activate_cb (CrmCustomersPage *self,
                    GtkSearchEntry   *entry)
{
  g_autoptr(CrmCustomerItem) item = NULL;

  if (self->model == NULL)
    return;

  search_changed_cb (self, entry);
  item = g_list_model_get_item (G_LIST_MODEL (self->model), 0);
  if (item != NULL)
    crm_customers_page_open_customer (self, crm_customer_item_get_id (item));
}

/* The drop-downs' buttons: the choice, cut short when space is short
 * (the list shows it whole), so that the toolbar fits narrow windows. */
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
set_up_drop_down (GtkDropDown *drop_down)
{
  g_autoptr(GtkListItemFactory) button = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) list = gtk_signal_list_item_factory_new ();

  g_signal_connect (button, "setup", G_CALLBACK (choice_setup_cb), GINT_TO_POINTER (TRUE));
  g_signal_connect (button, "bind", G_CALLBACK (choice_bind_cb), NULL);
  g_signal_connect (list, "setup", G_CALLBACK (choice_setup_cb), GINT_TO_POINTER (FALSE));
  g_signal_connect (list, "bind", G_CALLBACK (choice_bind_cb), NULL);
  gtk_drop_down_set_factory (drop_down, button);
  gtk_drop_down_set_list_factory (drop_down, list);
}

static GtkStringList *
vocabulary_labels (const char  *all_label,
                   const char *(*label) (int),
                   int          n)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, all_label);
  for (int i = 0; i < n; i++)
    gtk_string_list_append (list, label (i));
  return list;
}

static const char *
tier_label (int tier)
{
  return crm_tier_label (tier);
}

static const char *
status_label (int status)
{
  return crm_customer_status_label (status);
}

typedef struct
{
  char *id;
  char *name;
  char *key;
} Choice;

static void
choice_free (gpointer data)
{
  Choice *choice = data;

  g_free (choice->id);
  g_free (choice->name);
  g_free (choice->key);
  g_free (choice);
}

static int
choice_compare (gconstpointer a,
                gconstpointer b)
{
  const Choice *ca = *(const Choice * const *) a;
  const Choice *cb = *(const Choice * const *) b;

  return strcmp (ca->key, cb->key);
}

typedef struct
{
  GPtrArray *regions;   /* of Choice, sorted by name */
  GPtrArray *owners;
} Options;

static void
options_free (gpointer data)
{
  Options *options = data;

  g_clear_pointer (&options->regions, g_ptr_array_unref);
  g_clear_pointer (&options->owners, g_ptr_array_unref);
  g_free (options);
}

/* The collation key of @name, an interned string: made once (the menus
 * are made again each time a region or owner comes or goes). */
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
      key = g_utf8_collate_key (name, -1);
      g_hash_table_insert (keys, (gpointer) name, key);
    }
  key = g_strdup (key);
  G_UNLOCK (keys);
  return key;
}

/* @table: id -> name, interned strings (crm_customer_model_dup_regions) */
static GPtrArray *
choices_from (GHashTable *table)
{
  GPtrArray *choices = g_ptr_array_new_with_free_func (choice_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Choice *choice = g_new0 (Choice, 1);

      choice->id = g_strdup (key);
      choice->name = g_strdup (value ? value : key);
      choice->key = dup_choice_key (value ? value : key);
      g_ptr_array_add (choices, choice);
    }
  g_ptr_array_sort (choices, choice_compare);
  return choices;
}

/* The regions and owners of the customers of @model. */
static Options *
options_from (CrmCustomerModel *model)
{
  g_autoptr(GHashTable) regions = crm_customer_model_dup_regions (model);
  g_autoptr(GHashTable) owners = crm_customer_model_dup_owners (model);
  Options *options = g_new0 (Options, 1);

  options->regions = choices_from (regions);
  options->owners = choices_from (owners);
  return options;
}

static char *
choice_entry (const char *id,
              const char *name)
{
  return g_strconcat (id, "\x1f", name, NULL);
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

/* Replaces the choices of @drop_down, keeping the one selected if it is
 * still there.  The old and new entries are merged in their order and
 * only the differences are spliced: the menu's list does work for every
 * entry a splice covers (17 µs each here), and a first sync brings new
 * account managers, scattered through the alphabet, page after page. */
static void
set_choices (GtkDropDown   *drop_down,
             GtkStringList *labels,
             GPtrArray     *ids,
             const char    *all_label,
             GPtrArray     *choices)
{
  g_autofree char *selected = g_strdup (selected_id (drop_down, ids));
  g_autoptr(GHashTable) old_entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) new_entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) old_list = g_ptr_array_new_with_free_func (g_free);
  ChoiceRun run = { labels, 1, 0, g_strv_builder_new (), 0 };
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (labels));
  guint i = 1, j = 0;
  guint position = 0;

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
      Choice *choice = choices->pdata[k];

      g_hash_table_add (new_entries, choice_entry (choice->id, choice->name));
    }

  while (i < n_old || j < choices->len)
    {
      Choice *choice = j < choices->len ? choices->pdata[j] : NULL;
      const char *old = i < n_old ? old_list->pdata[i] : NULL;
      g_autofree char *fresh = choice != NULL ? choice_entry (choice->id, choice->name) : NULL;

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

  g_ptr_array_set_size (ids, 0);
  g_ptr_array_add (ids, NULL);
  for (guint k = 0; k < choices->len; k++)
    {
      Choice *choice = choices->pdata[k];

      if (g_strcmp0 (choice->id, selected) == 0)
        position = k + 1;
      g_ptr_array_add (ids, g_strdup (choice->id));
    }
  if (gtk_drop_down_get_selected (drop_down) != position)
    gtk_drop_down_set_selected (drop_down, position);
}

static void
show_options (CrmCustomersPage *self,
              Options          *options)
{
  self->filters_blocked++;
  set_choices (self->region_filter, self->region_labels, self->region_ids, _("All Regions"), options->regions);
  set_choices (self->owner_filter, self->owner_labels, self->owner_ids, _("All Account Managers"), options->owners);
  self->filters_blocked--;

  apply_filters (self);
}

static gboolean
choices_timeout_cb (gpointer user_data)
{
  CrmCustomersPage *self = user_data;
  Options *options;

  self->choices_timeout = 0;
  if (self->model == NULL)
    return G_SOURCE_REMOVE;
  options = options_from (self->model);
  show_options (self, options);
  options_free (options);
  return G_SOURCE_REMOVE;
}

/* A region or account manager came, went or was renamed: the menus are
 * made again shortly, once for a burst (a first sync adds owners page
 * after page), in a main-loop iteration of their own. */
static void
model_choices_changed_cb (CrmCustomersPage *self)
{
  if (self->choices_timeout == 0)
    self->choices_timeout = g_timeout_add (CHOICES_DELAY_MS, choices_timeout_cb, self);
}

static void
store_changed_cb (CrmCustomersPage   *self,
                  const char * const *ids,
                  CrmStore           *store)
{
  if (self->load_cancellable != NULL)
    {
      /* To be told to the model once it is loaded. */
      if (ids == NULL)
        self->reset_while_loading = TRUE;
      for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
        g_hash_table_add (self->changed_while_loading, g_strdup (ids[i]));
    }
}

/* ------------------------------------------------------------------ */
/* State                                                               */
/* ------------------------------------------------------------------ */

static gboolean
ever_synced (CrmCustomersPage *self)
{
  g_autoptr(GDateTime) last = NULL;

  if (self->engine != NULL && crm_sync_engine_get_last_synced (self->engine) != NULL)
    return TRUE;
  if (self->store == NULL)
    return FALSE;
  last = crm_store_dup_last_sync (self->store);
  return last != NULL;
}

static const char *
compute_state (CrmCustomersPage *self)
{
  CrmSyncStatus status = self->engine ? crm_sync_engine_get_status (self->engine) : CRM_SYNC_STATUS_IDLE;
  gboolean running = status == CRM_SYNC_STATUS_RUNNING;
  guint total = self->model ? crm_customer_model_get_total (self->model) : 0;

  if (self->load_cancellable != NULL)
    return "loading";
  if (self->store != NULL && g_strcmp0 (self->state, "detail") == 0)
    return "detail";
  if (running && crm_sync_engine_get_first_sync (self->engine))
    return "progress";
  if (total > 0)
    return g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0 ? "list" : "no-results";
  if (running)
    return "progress";
  if (status == CRM_SYNC_STATUS_FAILED || status == CRM_SYNC_STATUS_OFFLINE)
    return "error";
  return "empty";
}

static void
update_progress (CrmCustomersPage *self)
{
  guint64 received, total;
  g_autofree char *received_text = NULL;
  g_autofree char *text = NULL;

  if (self->engine == NULL)
    return;

  received = crm_sync_engine_get_received (self->engine);
  total = crm_sync_engine_get_total (self->engine);
  received_text = crm_format_number (received);

  if (total > 0)
    {
      g_autofree char *total_text = crm_format_number (total);
      double fraction = MIN (1.0, (double) received / (double) total);

      /* TRANSLATORS: progress of the first sync: records received, of how
       * many, and the percentage */
      text = g_strdup_printf (ngettext ("%s of %s record (%u%%)", "%s of %s records (%u%%)", total),
                              received_text, total_text, (guint) (fraction * 100));
      gtk_progress_bar_set_fraction (self->progress_bar, fraction);
    }
  else
    {
      text = g_strdup_printf (ngettext ("%s record", "%s records", received), received_text);
      gtk_progress_bar_pulse (self->progress_bar);
    }
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
update_count (CrmCustomersPage *self)
{
  g_autofree char *text = NULL;
  guint shown, total;

  if (self->model == NULL)
    {
      gtk_label_set_label (self->count_label, "");
      return;
    }

  shown = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  total = crm_customer_model_get_total (self->model);
  if (shown == total)
    {
      g_autofree char *n = crm_format_number (total);

      text = g_strdup_printf (ngettext ("%s customer", "%s customers", total), n);
    }
  else
    {
      g_autofree char *n = crm_format_number (shown);
      g_autofree char *of = crm_format_number (total);

      /* TRANSLATORS: customers shown by the search and filters, of how many */
      text = g_strdup_printf (ngettext ("%s of %s customer", "%s of %s customers", total), n, of);
    }
  gtk_label_set_label (self->count_label, text);
}

static void
update_state (CrmCustomersPage *self)
{
  const char *state = compute_state (self);

  if (g_str_equal (state, "error"))
    {
      gboolean offline = crm_sync_engine_get_status (self->engine) == CRM_SYNC_STATUS_OFFLINE;
      const char *why = crm_sync_engine_get_last_error (self->engine);
      g_autofree char *description = NULL;

      if (offline)
        description = g_strdup (_("Cannot reach the server. Check the connection, then try again."));
      else if (why != NULL && why[0] != '\0')
        /* TRANSLATORS: %s is what the server said */
        description = g_strdup_printf (_("The server answered: %s"), why);
      else
        description = g_strdup (_("The server could not send your customers."));
      adw_status_page_set_description (self->error_page, description);
    }
  else if (g_str_equal (state, "empty"))
    {
      adw_status_page_set_description (self->empty_page,
                                       ever_synced (self)
                                         ? _("No customers are assigned to you yet. New ones appear here after the next sync.")
                                         : _("Your customers appear here after the first sync."));
    }
  else if (g_str_equal (state, "progress"))
    {
      update_progress (self);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customers.cancel-sync",
                                 self->engine && crm_sync_engine_get_status (self->engine) == CRM_SYNC_STATUS_RUNNING);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customers.retry", self->engine != NULL);

  if (g_str_equal (state, "loading"))
    gtk_spinner_start (self->loading_spinner);
  else
    gtk_spinner_stop (self->loading_spinner);

  /* Under another page (a first sync's progress), the rows are not
   * measured or laid out: a hidden but visible column view cost frames of
   * 16-24 ms while a first sync filled it, 10-16 ms without it. */
  gtk_widget_set_visible (GTK_WIDGET (self->column_view),
                          g_str_equal (state, "no-results") || g_str_equal (state, "list"));
  if (g_str_equal (state, "no-results") || g_str_equal (state, "list"))
    {
      gtk_stack_set_visible_child_name (self->results_stack, g_str_equal (state, "list") ? "rows" : "no-results");
      /* The list comes after a first sync's progress at once: a crossfade
       * draws both pages in every frame of it, the list's first layout
       * besides (frames of 40-150 ms under software GL). */
      gtk_stack_set_visible_child_full (self->stack, "list",
                                        g_strcmp0 (self->state, "progress") == 0 ? GTK_STACK_TRANSITION_TYPE_NONE
                                                                                 : gtk_stack_get_transition_type (self->stack));
    }
  else
    gtk_stack_set_visible_child_name (self->stack, state);

  if (g_strcmp0 (self->state, state) != 0)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
model_changed_cb (CrmCustomersPage *self)
{
  update_count (self);
  update_state (self);
}

static void
engine_changed_cb (CrmCustomersPage *self)
{
  update_state (self);
}

static void
engine_progress_cb (CrmCustomersPage *self)
{
  if (g_strcmp0 (self->state, "progress") == 0)
    update_progress (self);
}

static void
engine_finished_cb (CrmCustomersPage *self,
                    gboolean          success,
                    CrmSyncEngine    *engine)
{
  update_state (self);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmCustomerModel *model;
  Options          *options;
  gint64            start;
} Load;

static void
load_free (gpointer data)
{
  Load *load = data;

  g_clear_object (&load->model);
  g_clear_pointer (&load->options, options_free);
  g_free (load);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(GError) error = NULL;

  if (!crm_customer_model_reload (load->model, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* No filter yet: the model shows every customer. */
  load->options = options_from (load->model);
  g_task_return_boolean (task, TRUE);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) changed = NULL;
  Load *load = g_task_get_task_data (G_TASK (result));
  CrmCustomersPage *self;

  /* Cancelled: the page is gone, or has another store. */
  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = user_data;
  g_clear_object (&self->load_cancellable);
  changed = g_steal_pointer (&self->changed_while_loading);
  if (error != NULL)
    g_warning ("Cannot read the customers: %s", error->message);

  self->model = g_steal_pointer (&load->model);
  g_signal_handlers_unblock_matched (self->store, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self->model);
  g_debug ("Read %u customers in %.1f ms", crm_customer_model_get_total (self->model),
           (g_get_monotonic_time () - load->start) / 1000.0);

  if (self->reset_while_loading)
    /* read again in a worker; the list shows meanwhile what was read */
    crm_customer_model_reload_async (self->model, NULL, NULL, NULL);
  else if (changed != NULL && g_hash_table_size (changed) > 0)
    {
      g_autofree char **ids = (char **) g_hash_table_get_keys_as_array (changed, NULL);

      /* Everyone may hear it again: re-reading a row that did not change
       * costs little. */
      g_signal_emit_by_name (self->store, "customers-changed", ids);
    }

  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_group_set_target (self->model_signals, self->model);
  show_sort (self);
  if (load->options != NULL)
    show_options (self, load->options);
  else
    apply_filters (self);
  /* A search typed while loading. */
  search_changed_cb (self, self->search_entry);

  update_count (self);
  update_state (self);
}

/* ------------------------------------------------------------------ */
/* Navigation                                                          */
/* ------------------------------------------------------------------ */

static void
row_activated_cb (CrmCustomersPage *self,
                  guint             position,
                  GtkColumnView    *view)
{
  g_autoptr(CrmCustomerItem) item = NULL;

  if (self->model == NULL)
    return;
  item = g_list_model_get_item (G_LIST_MODEL (self->model), position);
  if (item != NULL)
    crm_customers_page_open_customer (self, crm_customer_item_get_id (item));
}

static void
detail_back_cb (CrmCustomersPage  *self,
                CrmCustomerDetail *detail)
{
  crm_customers_page_show_list (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmCustomersPage *self = CRM_CUSTOMERS_PAGE (widget);

  if (!gtk_widget_get_mapped (widget))
    return;
  if (g_strcmp0 (self->state, "detail") == 0)
    {
      if (crm_customer_detail_get_editing (self->detail))
        return;
      crm_customers_page_show_list (self);
    }
  if (gtk_widget_get_mapped (GTK_WIDGET (self->search_entry)))
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
cancel_sync_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmCustomersPage *self = CRM_CUSTOMERS_PAGE (widget);

  if (self->engine != NULL)
    crm_sync_engine_cancel (self->engine);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CrmCustomersPage *self = CRM_CUSTOMERS_PAGE (widget);

  if (self->engine != NULL)
    crm_sync_engine_sync_now (self->engine);
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmCustomersPage *self = CRM_CUSTOMERS_PAGE (widget);

  self->filters_blocked++;
  gtk_drop_down_set_selected (self->tier_filter, 0);
  gtk_drop_down_set_selected (self->region_filter, 0);
  gtk_drop_down_set_selected (self->owner_filter, 0);
  gtk_drop_down_set_selected (self->status_filter, 0);
  self->filters_blocked--;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  if (self->model != NULL)
    crm_customer_model_set_search (self->model, NULL);
  apply_filters (self);
  scroll_to_top (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_customers_page_dispose (GObject *object)
{
  CrmCustomersPage *self = (CrmCustomersPage *)object;

  g_clear_handle_id (&self->choices_timeout, g_source_remove);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  if (self->model_signals != NULL)
    g_signal_group_set_target (self->model_signals, NULL);
  if (self->engine_signals != NULL)
    g_signal_group_set_target (self->engine_signals, NULL);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->engine);
  g_clear_object (&self->store);

  /* The stack is both AdwBin's child and a template child: unparented
   * once, here, not again by AdwBin. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CUSTOMERS_PAGE);

  G_OBJECT_CLASS (crm_customers_page_parent_class)->dispose (object);
}

static void
crm_customers_page_finalize (GObject *object)
{
  CrmCustomersPage *self = (CrmCustomersPage *)object;

  g_clear_object (&self->model_signals);
  g_clear_object (&self->engine_signals);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);
  g_clear_object (&self->region_labels);
  g_clear_object (&self->owner_labels);
  g_clear_pointer (&self->region_ids, g_ptr_array_unref);
  g_clear_pointer (&self->owner_ids, g_ptr_array_unref);
  g_clear_pointer (&self->changed_while_loading, g_hash_table_unref);

  G_OBJECT_CLASS (crm_customers_page_parent_class)->finalize (object);
}

static void
crm_customers_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrmCustomersPage *self = CRM_CUSTOMERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SYNC_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_customers_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CrmCustomersPage *self = CRM_CUSTOMERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      crm_customers_page_set_store (self, g_value_get_object (value));
      break;

    case PROP_SYNC_ENGINE:
      crm_customers_page_set_sync_engine (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_customers_page_class_init (CrmCustomersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customers_page_dispose;
  object_class->finalize = crm_customers_page_finalize;
  object_class->get_property = crm_customers_page_get_property;
  object_class->set_property = crm_customers_page_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CRM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SYNC_ENGINE] =
    g_param_spec_object ("sync-engine", NULL, NULL,
                         CRM_TYPE_SYNC_ENGINE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRM_TYPE_CUSTOMER_DETAIL);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, progress_page);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, tier_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, region_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, owner_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, status_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, results_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, name_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, tier_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, industry_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, region_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, owner_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, revenue_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, status_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, detail);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, detail_back_cb);

  gtk_widget_class_install_action (widget_class, "customers.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "customers.cancel-sync", NULL, cancel_sync_action);
  gtk_widget_class_install_action (widget_class, "customers.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "customers.clear-filters", NULL, clear_filters_action);
}

static void
crm_customers_page_init (CrmCustomersPage *self)
{
  g_autoptr(GtkStringList) tiers = NULL;
  g_autoptr(GtkStringList) statuses = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);
  self->view_columns[CRM_CUSTOMER_COLUMN_NAME] = self->name_column;
  self->view_columns[CRM_CUSTOMER_COLUMN_TIER] = self->tier_column;
  self->view_columns[CRM_CUSTOMER_COLUMN_INDUSTRY] = self->industry_column;
  self->view_columns[CRM_CUSTOMER_COLUMN_REGION] = self->region_column;
  self->view_columns[CRM_CUSTOMER_COLUMN_OWNER] = self->owner_column;
  self->view_columns[CRM_CUSTOMER_COLUMN_REVENUE] = self->revenue_column;
  self->view_columns[CRM_CUSTOMER_COLUMN_STATUS] = self->status_column;

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkSorter) sorter = NULL;

      self->columns[i].page = self;
      self->columns[i].column = i;
      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), &self->columns[i]);
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), &self->columns[i]);
      gtk_column_view_column_set_factory (self->view_columns[i], factory);

      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare_cb, &self->columns[i], NULL));
      gtk_column_view_column_set_sorter (self->view_columns[i], sorter);
    }
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (view_sorter_changed_cb), self, G_CONNECT_SWAPPED);

  set_up_drop_down (self->tier_filter);
  set_up_drop_down (self->region_filter);
  set_up_drop_down (self->owner_filter);
  set_up_drop_down (self->status_filter);

  tiers = vocabulary_labels (_("All Tiers"), tier_label, CRM_N_TIERS);
  gtk_drop_down_set_model (self->tier_filter, G_LIST_MODEL (tiers));
  statuses = vocabulary_labels (_("All Statuses"), status_label, CRM_N_CUSTOMER_STATUSES);
  gtk_drop_down_set_model (self->status_filter, G_LIST_MODEL (statuses));

  self->region_labels = gtk_string_list_new (NULL);
  gtk_string_list_append (self->region_labels, _("All Regions"));
  self->region_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->region_ids, NULL);
  gtk_drop_down_set_model (self->region_filter, G_LIST_MODEL (self->region_labels));

  self->owner_labels = gtk_string_list_new (NULL);
  gtk_string_list_append (self->owner_labels, _("All Account Managers"));
  self->owner_ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->owner_ids, NULL);
  gtk_drop_down_set_model (self->owner_filter, G_LIST_MODEL (self->owner_labels));

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->column_view));

  self->model_signals = g_signal_group_new (CRM_TYPE_CUSTOMER_MODEL);
  /* Not items-changed: a sync moves rows one signal each, the count
   * changes only with n-items. */
  g_signal_group_connect_swapped (self->model_signals, "notify::n-items", G_CALLBACK (model_changed_cb), self);
  g_signal_group_connect_swapped (self->model_signals, "notify::total", G_CALLBACK (model_changed_cb), self);
  g_signal_group_connect_swapped (self->model_signals, "notify::sort-column", G_CALLBACK (model_sort_changed_cb), self);
  g_signal_group_connect_swapped (self->model_signals, "notify::sort-descending", G_CALLBACK (model_sort_changed_cb), self);
  g_signal_group_connect_swapped (self->model_signals, "choices-changed", G_CALLBACK (model_choices_changed_cb), self);

  self->engine_signals = g_signal_group_new (CRM_TYPE_SYNC_ENGINE);
  g_signal_group_connect_swapped (self->engine_signals, "notify::status", G_CALLBACK (engine_changed_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::first-sync", G_CALLBACK (engine_changed_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::last-error", G_CALLBACK (engine_changed_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::received", G_CALLBACK (engine_progress_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::total", G_CALLBACK (engine_progress_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "finished", G_CALLBACK (engine_finished_cb), self);

  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "customers-changed", G_CALLBACK (store_changed_cb), self);

  update_count (self);
  update_state (self);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

GtkWidget *
crm_customers_page_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMERS_PAGE, NULL);
}

CrmStore *
crm_customers_page_get_store (CrmCustomersPage *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMERS_PAGE (self), NULL);

  return self->store;
}

/**
 * crm_customers_page_set_store:
 * @store: (nullable): the local copy to show
 *
 * Reads every customer of @store into a new list model, in a worker
 * thread (the state is "loading" meanwhile; changes after that come
 * through the store's ::customers-changed), and shows the list from the
 * top, with no search and no filters.
 */
void
crm_customers_page_set_store (CrmCustomersPage *self,
                              CrmStore         *store)
{
  g_return_if_fail (CRM_IS_CUSTOMERS_PAGE (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->changed_while_loading, g_hash_table_unref);
  self->reset_while_loading = FALSE;
  g_clear_handle_id (&self->choices_timeout, g_source_remove);

  gtk_column_view_set_model (self->column_view, NULL);
  g_signal_group_set_target (self->model_signals, NULL);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_set_object (&self->store, store);
  g_signal_group_set_target (self->store_signals, store);

  crm_customer_detail_set_store (self->detail, store);
  if (g_strcmp0 (self->state, "detail") == 0)
    self->state = NULL;

  /* A new list starts without search and filters. */
  self->filters_blocked++;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->tier_filter, 0);
  gtk_drop_down_set_selected (self->status_filter, 0);
  gtk_drop_down_set_selected (self->region_filter, 0);
  gtk_drop_down_set_selected (self->owner_filter, 0);
  self->filters_blocked--;

  if (store != NULL)
    {
      Load *load = g_new0 (Load, 1);
      GTask *task;

      load->start = g_get_monotonic_time ();
      load->model = crm_customer_model_new (store);
      g_signal_handlers_block_matched (store, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, load->model);
      self->changed_while_loading = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->load_cancellable = g_cancellable_new ();

      task = g_task_new (NULL, self->load_cancellable, load_cb, self);
      g_task_set_source_tag (task, crm_customers_page_set_store);
      g_task_set_task_data (task, load, load_free);
      g_task_run_in_thread (task, load_thread);
      g_object_unref (task);
    }
  else
    {
      Options none = { g_ptr_array_new (), g_ptr_array_new () };

      show_options (self, &none);
      g_ptr_array_unref (none.regions);
      g_ptr_array_unref (none.owners);
    }

  update_count (self);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

CrmSyncEngine *
crm_customers_page_get_sync_engine (CrmCustomersPage *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMERS_PAGE (self), NULL);

  return self->engine;
}

/**
 * crm_customers_page_set_sync_engine:
 * @engine: (nullable): the engine that fills the store
 *
 * Its state decides what shows while the store is empty (the first
 * sync's progress, an error) and what Cancel and Retry do.
 */
void
crm_customers_page_set_sync_engine (CrmCustomersPage *self,
                                    CrmSyncEngine    *engine)
{
  g_return_if_fail (CRM_IS_CUSTOMERS_PAGE (self));
  g_return_if_fail (engine == NULL || CRM_IS_SYNC_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;

  g_signal_group_set_target (self->engine_signals, engine);
  crm_customer_detail_set_sync_engine (self->detail, engine);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ENGINE]);
}

/**
 * crm_customers_page_get_model:
 *
 * Returns: (transfer none) (nullable): the list model shown
 */
CrmCustomerModel *
crm_customers_page_get_model (CrmCustomersPage *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMERS_PAGE (self), NULL);

  return self->model;
}

const char *
crm_customers_page_get_state (CrmCustomersPage *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMERS_PAGE (self), NULL);

  return self->state;
}

gboolean
crm_customers_page_open_customer (CrmCustomersPage *self,
                                  const char       *id)
{
  guint position;

  g_return_val_if_fail (CRM_IS_CUSTOMERS_PAGE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (self->store == NULL || !crm_customer_detail_show (self->detail, id))
    return FALSE;

  if (self->model != NULL && crm_customer_model_find (self->model, id, &position))
    gtk_single_selection_set_selected (self->selection, position);

  self->state = "detail";
  gtk_stack_set_visible_child_name (self->stack, "detail");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  gtk_widget_grab_focus (GTK_WIDGET (self->detail));
  return TRUE;
}

/**
 * crm_customers_page_show_list:
 *
 * Leaves the detail page (dropping an edit in progress) for the list,
 * with the customer that was open selected.
 */
void
crm_customers_page_show_list (CrmCustomersPage *self)
{
  const char *id;
  guint position;

  g_return_if_fail (CRM_IS_CUSTOMERS_PAGE (self));

  if (g_strcmp0 (self->state, "detail") != 0)
    return;

  crm_customer_detail_set_editing (self->detail, FALSE);
  id = crm_customer_detail_get_customer_id (self->detail);
  if (id != NULL && self->model != NULL && crm_customer_model_find (self->model, id, &position))
    gtk_single_selection_set_selected (self->selection, position);

  self->state = NULL;
  update_state (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self->column_view)))
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}
