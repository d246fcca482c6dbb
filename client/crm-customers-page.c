#define G_LOG_DOMAIN "crm-customers-page"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-customer-cells.h"
#include "crm-customer-detail.h"
#include "crm-customers-page.h"
#include "crm-filter-bar.h"
#include "crm-format.h"
#include "crm-list-loader.h"
#include "crm-sort-header.h"

/*
 * The customer list, put together from the list parts: the model sorts
 * and filters; the column view's headers (CrmSortHeader) only tell it
 * what the user clicked, and the filter bar (CrmFilterBar) what was
 * chosen.
 *
 * Filter choices.  Tiers and statuses are the closed vocabularies; the
 * regions and account managers offered are those of the customers in the
 * store: the model counts them as it loads and as rows change
 * (::choices-changed), so nothing reads every customer again after a sync.
 *
 * Loading.  Reading 100,000 customers takes most of a second, so the model
 * is filled in a worker thread (CrmListLoader) while the page shows a
 * spinner; the store's changes meanwhile reach it once it is handed over.
 */

#define N_COLUMNS CRM_CUSTOMER_N_COLUMNS

/* How long the filter menus wait for more changed choices. */
#define CHOICES_DELAY_MS 250
/* The view's first frame lays out this many rows; each frame after it
 * lays out this many more, until the view has every row. */
#define FIRST_ROWS 12
#define MORE_ROWS  8
/* GTK 4.8's list view makes rows for up to this many items of its model:
 * past it the view takes the rest of the model at once. */
#define ROWS_MADE  200

struct _CrmCustomersPage
{
  AdwBin               parent_instance;

  CrmStore            *store;
  CrmSyncEngine       *engine;
  CrmCustomerModel    *model;
  GtkSliceListModel   *rows;        /* the part of the model the view has (see show_rows) */
  guint                rows_tick;
  gboolean             rows_waited;  /* the rows' first frame went by with none */
  GtkSingleSelection  *selection;
  GSignalGroup        *model_signals;
  GSignalGroup        *engine_signals;
  CrmSortHeader       *sort_header;
  CrmListLoader       *loader;
  gint64               load_start;
  guint                choices_timeout;

  const char          *state;
  gboolean             customers_in;  /* during the progress: the customers came in full */
  GCancellable        *reloading;     /* the model's reload the progress then waits for */
  gboolean             pipeline_hidden; /* the store holds not every customer's opportunities */

  /* Template widgets */
  GtkStack            *stack;
  AdwStatusPage       *progress_page;
  GtkProgressBar      *progress_bar;
  AdwStatusPage       *empty_page;
  AdwStatusPage       *error_page;
  GtkSpinner          *loading_spinner;
  CrmFilterBar        *filter_bar;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *tier_filter;
  GtkDropDown         *region_filter;
  GtkDropDown         *owner_filter;
  GtkDropDown         *status_filter;
  GtkToggleButton     *attention_filter;
  GtkWidget           *attention_label;
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
  GtkColumnViewColumn *arrears_column;
  GtkColumnViewColumn *churn_risk_column;
  GtkColumnViewColumn *pipeline_column;
  GtkColumnViewColumn *columns[N_COLUMNS];   /* the above, by CrmCustomerColumn */
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
/* Sorting                                                             */
/* ------------------------------------------------------------------ */

/* The header the user clicked, as the model's sort. */
static void
sort_changed_cb (CrmCustomersPage *self,
                 guint             column,
                 gboolean          descending,
                 CrmSortHeader    *header)
{
  gint64 start = g_get_monotonic_time ();

  if (self->model == NULL)
    return;

  crm_customer_model_set_sort (self->model, column, descending);
  crm_sort_header_scroll_to_top (header);
  g_debug ("Sorted %u customers in %.1f ms", crm_customer_model_get_total (self->model),
           (g_get_monotonic_time () - start) / 1000.0);
}

/* The model's sort, as the header's arrow. */
static void
show_sort (CrmCustomersPage *self)
{
  if (self->model == NULL)
    return;

  crm_sort_header_show_sort (self->sort_header,
                             crm_customer_model_get_sort_column (self->model),
                             crm_customer_model_get_sort_descending (self->model));
}

static void
model_sort_changed_cb (CrmCustomersPage *self)
{
  show_sort (self);
}

/* ------------------------------------------------------------------ */
/* Filters                                                             */
/* ------------------------------------------------------------------ */

static void
apply_filters (CrmCustomersPage *self)
{
  if (self->model == NULL)
    return;

  crm_customer_model_set_tier (self->model, crm_filter_bar_get_choice (self->filter_bar, self->tier_filter));
  crm_customer_model_set_status (self->model, crm_filter_bar_get_choice (self->filter_bar, self->status_filter));
  crm_customer_model_set_region (self->model, crm_filter_bar_get_choice (self->filter_bar, self->region_filter));
  crm_customer_model_set_owner (self->model, crm_filter_bar_get_choice (self->filter_bar, self->owner_filter));
  crm_customer_model_set_needs_attention (self->model, gtk_toggle_button_get_active (self->attention_filter));
}

static void
filter_changed_cb (CrmCustomersPage *self)
{
  apply_filters (self);
  crm_sort_header_scroll_to_top (self->sort_header);
}

static void
search_changed_cb (CrmCustomersPage *self,
                   GtkSearchEntry   *entry)
{
  gint64 start = g_get_monotonic_time ();

  if (self->model == NULL)
    return;
  crm_customer_model_set_search (self->model, gtk_editable_get_text (GTK_EDITABLE (entry)));
  crm_sort_header_scroll_to_top (self->sort_header);
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

/* The choices of a closed vocabulary: its wire words, in words. */
static GPtrArray *
vocabulary_choices (const char * const  *names,
                    const char        *(*label) (int),
                    int                  n)
{
  GPtrArray *choices = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_filter_choice_free);

  for (int i = 0; i < n; i++)
    g_ptr_array_add (choices, crm_filter_choice_new (names[i], label (i)));
  return choices;
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
  GPtrArray *regions;   /* of CrmFilterChoice, sorted by name */
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

/* The regions and owners of the customers of @model. */
static Options *
options_from (CrmCustomerModel *model)
{
  g_autoptr(GHashTable) regions = crm_customer_model_dup_regions (model);
  g_autoptr(GHashTable) owners = crm_customer_model_dup_owners (model);
  Options *options = g_new0 (Options, 1);

  options->regions = crm_filter_choices_new_sorted (regions);
  options->owners = crm_filter_choices_new_sorted (owners);
  return options;
}

static void
show_options (CrmCustomersPage *self,
              Options          *options)
{
  crm_filter_bar_set_choices (self->filter_bar, self->region_filter, _("All Regions"), options->regions);
  crm_filter_bar_set_choices (self->filter_bar, self->owner_filter, _("All Account Managers"), options->owners);

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

/* Whether a running first sync still brings customers or their
 * contacts.  The server sends every customer first, then their contacts,
 * then what hangs from them (crm-sync-engine.h, "entities-done"): the list
 * shows once the contacts are in too, because it searches their names and
 * mobiles and a customer's page lists them.  The list's other figures
 * (open pipeline, contract ends, service time limits) and the rest of a
 * customer's page fill in as their records come, while the window says
 * the sync goes on. */
static gboolean
customers_coming (CrmCustomersPage *self)
{
  return self->engine != NULL && crm_sync_engine_get_status (self->engine) == CRM_SYNC_STATUS_RUNNING &&
         crm_sync_engine_get_first_sync (self->engine) &&
         !(crm_sync_engine_get_entity_done (self->engine, CRM_ENTITY_CUSTOMER) &&
           crm_sync_engine_get_entity_done (self->engine, CRM_ENTITY_CONTACT));
}

static const char *
compute_state (CrmCustomersPage *self)
{
  CrmSyncStatus status = self->engine ? crm_sync_engine_get_status (self->engine) : CRM_SYNC_STATUS_IDLE;
  gboolean running = status == CRM_SYNC_STATUS_RUNNING;
  guint total = self->model ? crm_customer_model_get_total (self->model) : 0;

  if (crm_list_loader_get_loading (self->loader))
    return "loading";
  if (self->store != NULL && g_strcmp0 (self->state, "detail") == 0)
    return "detail";
  /* Once a first sync has brought every customer and contact, the
   * progress stays until the model has read them all (update_state ()):
   * the list then opens at its first row, instead of moving under the user
   * while the last of them come in.  What the store tells after that (the
   * records under the customers, as the sync goes on) changes rows in
   * place. */
  if (customers_coming (self) || (g_strcmp0 (self->state, "progress") == 0 && self->reloading != NULL))
    return "progress";
  if (total > 0)
    return g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0 ? "list" : "no-results";
  /* a first sync that brought no customer has nothing more to fetch */
  if (running && !crm_sync_engine_get_first_sync (self->engine))
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
      gboolean estimated = crm_sync_engine_get_total_estimated (self->engine);
      g_autofree char *total_text = crm_format_number (total);
      /* an estimate may be passed: the bar waits at 99% for the end */
      double fraction = crm_sync_engine_get_fraction (self->engine);

      if (estimated && received >= total)
        text = g_strdup_printf (ngettext ("%s record", "%s records", received), received_text);
      else if (estimated)
        /* TRANSLATORS: progress of the first sync: records received, of
         * about how many (the server's estimate), and the percentage */
        text = g_strdup_printf (ngettext ("%s of about %s record (%u%%)", "%s of about %s records (%u%%)", total),
                                received_text, total_text, (guint) (fraction * 100));
      else
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

/* ------------------------------------------------------------------ */
/* The rows the view has                                               */
/* ------------------------------------------------------------------ */

/*
 * GTK 4.8's list view makes and lays out up to 200 rows for its model at
 * once, however few show: a column view's first layout of them took
 * 35-45 ms in one frame when the list first showed after a first sync
 * (bench-sync --window), and while the list was under the progress page
 * the rows were made (not shown) whenever the model filled.  So the view
 * gets its model through a slice: empty while the list is not shown and
 * in the frame that first shows it (whose layout and paint of the page
 * itself took 20-25 ms with a screenful of rows besides), then a
 * screenful, then more each frame until it has the whole model.
 */
static gboolean
rows_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  CrmCustomersPage *self = user_data;
  guint size = gtk_slice_list_model_get_size (self->rows);
  guint total = self->model ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;

  if (!self->rows_waited)
    {
      /* this frame shows the page without rows; the next one makes them */
      self->rows_waited = TRUE;
      return G_SOURCE_CONTINUE;
    }
  if (size >= total || size >= ROWS_MADE)
    {
      gtk_slice_list_model_set_size (self->rows, G_MAXUINT);
      self->rows_tick = 0;
      return G_SOURCE_REMOVE;
    }
  gtk_slice_list_model_set_size (self->rows, size == 0 ? FIRST_ROWS : size + MORE_ROWS);
  return G_SOURCE_CONTINUE;
}

/* The view grows to every row from now on (a screenful, then a few more
 * each frame), or (@shown FALSE) has none. */
static void
show_rows (CrmCustomersPage *self,
           gboolean          shown)
{
  if (self->rows == NULL)
    return;
  if (!shown)
    {
      if (self->rows_tick != 0)
        gtk_widget_remove_tick_callback (GTK_WIDGET (self->column_view), self->rows_tick);
      self->rows_tick = 0;
      gtk_slice_list_model_set_size (self->rows, 0);
      return;
    }
  if (self->rows_tick != 0 || gtk_slice_list_model_get_size (self->rows) == G_MAXUINT)
    return;
  self->rows_waited = FALSE;
  self->rows_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->column_view), rows_tick_cb, self, NULL);
}

/* At once, for a position that may lie past the rows the view has yet. */
static void
show_all_rows (CrmCustomersPage *self)
{
  if (self->rows == NULL)
    return;
  if (self->rows_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->column_view), self->rows_tick);
  self->rows_tick = 0;
  gtk_slice_list_model_set_size (self->rows, G_MAXUINT);
}

static void
stop_reloading (CrmCustomersPage *self)
{
  if (self->reloading != NULL)
    g_cancellable_cancel (self->reloading);
  g_clear_object (&self->reloading);
}

static void
customers_reloaded_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  CrmCustomersPage *self;

  /* Cancelled: the page, or its model, is gone. */
  if (!crm_customer_model_reload_finish (CRM_CUSTOMER_MODEL (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (error != NULL)
    g_warning ("Cannot read the customers: %s", error->message);
  else
    g_debug ("Read the %u customers again once they were in, in %.1f ms",
             crm_customer_model_get_total (CRM_CUSTOMER_MODEL (object)),
             (g_get_monotonic_time () - self->load_start) / 1000.0);
  g_clear_object (&self->reloading);
  update_state (self);
}

static void
update_state (CrmCustomersPage *self)
{
  const char *state;

  /* The moment the customers are all in, the model reads them all again,
   * at once, and the progress waits for that: its batches of changed rows
   * never end while the sync goes on, and are applied only when the main
   * loop has time, which a first sync's window may not have. */
  gboolean coming = customers_coming (self);

  if (coming)
    {
      self->customers_in = FALSE;
      /* the rows are read at once when they are all in */
      if (self->model != NULL)
        crm_customer_model_set_held (self->model, TRUE);
    }
  else if (g_strcmp0 (self->state, "progress") == 0 && self->model != NULL && !self->customers_in)
    {
      self->customers_in = TRUE;
      stop_reloading (self);
      self->reloading = g_cancellable_new ();
      self->load_start = g_get_monotonic_time ();
      crm_customer_model_reload_async (self->model, self->reloading, customers_reloaded_cb, self);
    }
  if (self->model != NULL && !coming)
    crm_customer_model_set_held (self->model, FALSE);
  state = compute_state (self);

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
  show_rows (self, g_str_equal (state, "list") || g_str_equal (state, "no-results") || g_str_equal (state, "detail"));
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

  if (!g_str_equal (state, "progress"))
    self->customers_in = FALSE;
  if (g_strcmp0 (self->state, state) != 0)
    {
      g_debug ("State: %s", state);
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

/* The open pipeline sums a customer's opportunities, which a first sync
 * brings after the customers and contacts: until they are in, its cells
 * say so instead of showing the sum of those in so far (¥0.00 at first).
 * The other figures are the customer's own. */
static void
update_pipeline_column (CrmCustomersPage *self)
{
  gboolean coming = self->engine != NULL && !crm_sync_engine_get_entity_done (self->engine, CRM_ENTITY_OPPORTUNITY);

  crm_customer_cell_factory_set_coming (gtk_column_view_column_get_factory (self->pipeline_column), coming);
}

static void
engine_changed_cb (CrmCustomersPage *self)
{
  update_pipeline_column (self);
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
  update_pipeline_column (self);
  update_state (self);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

/* In the loader's worker thread. */
static gboolean
load_customers (gpointer   model,
                gpointer  *options,
                GError   **error)
{
  if (!crm_customer_model_reload (model, error))
    return FALSE;
  /* No filter yet: the model shows every customer. */
  *options = options_from (model);
  return TRUE;
}

static void
reload_customers (gpointer model)
{
  crm_customer_model_reload_async (model, NULL, NULL, NULL);
}

static void
loaded_cb (CrmCustomersPage *self,
           CrmCustomerModel *model,
           Options          *options,
           GError           *error,
           CrmListLoader    *loader)
{
  if (error != NULL)
    g_warning ("Cannot read the customers: %s", error->message);

  self->model = g_object_ref (model);
  g_debug ("Read %u customers in %.1f ms", crm_customer_model_get_total (self->model),
           (g_get_monotonic_time () - self->load_start) / 1000.0);

  self->rows = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->model)), 0, 0);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_group_set_target (self->model_signals, self->model);
  show_sort (self);
  if (options != NULL)
    show_options (self, options);
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

  crm_filter_bar_reset (self->filter_bar);
  if (self->model != NULL)
    crm_customer_model_set_search (self->model, NULL);
  apply_filters (self);
  crm_sort_header_scroll_to_top (self->sort_header);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* ------------------------------------------------------------------ */
/* Narrow windows                                                      */
/* ------------------------------------------------------------------ */

/* The columns a narrow list keeps longest, most wanted first; the name is
 * always shown (with every warning's icon: crm-customer-cells.c). */
static const CrmCustomerColumn column_priority[] = {
  CRM_CUSTOMER_COLUMN_REVENUE,
  CRM_CUSTOMER_COLUMN_ARREARS,
  CRM_CUSTOMER_COLUMN_CHURN_RISK,
  CRM_CUSTOMER_COLUMN_OWNER,
  CRM_CUSTOMER_COLUMN_PIPELINE,
  CRM_CUSTOMER_COLUMN_STATUS,
  CRM_CUSTOMER_COLUMN_REGION,
  CRM_CUSTOMER_COLUMN_TIER,
  CRM_CUSTOMER_COLUMN_INDUSTRY,
};
G_STATIC_ASSERT (G_N_ELEMENTS (column_priority) == CRM_CUSTOMER_N_COLUMNS - 1);

/* Room the rows take besides their columns (margins, the scroll bar). */
#define ROW_CHROME 24
/* Narrower than this, the "Needs attention" toggle shows its icon only
 * (its tooltip and accessible label keep the words). */
#define ATTENTION_WORDS_WIDTH 760

/* Shows the columns that fit in @width, by priority: a narrow window
 * hides the secondary ones rather than scrolling sideways. */
static void
fit_columns (CrmCustomersPage *self,
             int               width)
{
  int room = width - ROW_CHROME - gtk_column_view_column_get_fixed_width (self->name_column);
  gboolean fits = TRUE;

  if (gtk_widget_get_visible (self->attention_label) != (width >= ATTENTION_WORDS_WIDTH))
    gtk_widget_set_visible (self->attention_label, width >= ATTENTION_WORDS_WIDTH);

  for (guint i = 0; i < G_N_ELEMENTS (column_priority); i++)
    {
      GtkColumnViewColumn *column = self->columns[column_priority[i]];
      int needs = gtk_column_view_column_get_fixed_width (column);

      if (column_priority[i] == CRM_CUSTOMER_COLUMN_PIPELINE && self->pipeline_hidden)
        {
          if (gtk_column_view_column_get_visible (column))
            gtk_column_view_column_set_visible (column, FALSE);
          continue;
        }
      fits = fits && needs <= room;
      if (fits)
        room -= needs;
      if (gtk_column_view_column_get_visible (column) != fits)
        gtk_column_view_column_set_visible (column, fits);
    }
}

/* The page lays out its one child itself (not through AdwBin's layout
 * manager) so that it knows its width before the rows are allocated: no
 * frame shows columns that do not fit. */
static void
crm_customers_page_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static void
crm_customers_page_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  GtkWidget *child = adw_bin_get_child (ADW_BIN (widget));

  fit_columns (CRM_CUSTOMERS_PAGE (widget), width);
  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_customers_page_dispose (GObject *object)
{
  CrmCustomersPage *self = (CrmCustomersPage *)object;

  g_clear_handle_id (&self->choices_timeout, g_source_remove);
  crm_list_loader_cancel (self->loader);
  stop_reloading (self);

  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  if (self->model_signals != NULL)
    g_signal_group_set_target (self->model_signals, NULL);
  if (self->engine_signals != NULL)
    g_signal_group_set_target (self->engine_signals, NULL);
  show_rows (self, FALSE);
  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
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
  g_clear_object (&self->sort_header);
  g_clear_object (&self->loader);

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
  widget_class->measure = crm_customers_page_measure;
  widget_class->size_allocate = crm_customers_page_size_allocate;

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
  g_type_ensure (CRM_TYPE_FILTER_BAR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, progress_page);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, filter_bar);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, tier_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, region_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, owner_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, status_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, attention_filter);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, attention_label);
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
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, arrears_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, churn_risk_column);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomersPage, pipeline_column);
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
  GtkColumnViewColumn **columns = self->columns;
  g_autoptr(GPtrArray) tiers = NULL;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  /* measure () and size_allocate () lay out the child (see fit_columns) */
  gtk_widget_set_layout_manager (GTK_WIDGET (self), NULL);

  columns[CRM_CUSTOMER_COLUMN_NAME] = self->name_column;
  columns[CRM_CUSTOMER_COLUMN_TIER] = self->tier_column;
  columns[CRM_CUSTOMER_COLUMN_INDUSTRY] = self->industry_column;
  columns[CRM_CUSTOMER_COLUMN_REGION] = self->region_column;
  columns[CRM_CUSTOMER_COLUMN_OWNER] = self->owner_column;
  columns[CRM_CUSTOMER_COLUMN_REVENUE] = self->revenue_column;
  columns[CRM_CUSTOMER_COLUMN_STATUS] = self->status_column;
  columns[CRM_CUSTOMER_COLUMN_ARREARS] = self->arrears_column;
  columns[CRM_CUSTOMER_COLUMN_CHURN_RISK] = self->churn_risk_column;
  columns[CRM_CUSTOMER_COLUMN_PIPELINE] = self->pipeline_column;

  self->sort_header = crm_sort_header_new (self->column_view);
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = crm_customer_cell_factory_new (i);

      gtk_column_view_column_set_factory (columns[i], factory);
      crm_sort_header_add_column (self->sort_header, columns[i], i);
      /* the largest sums first: the customers that matter most */
      crm_sort_header_set_descending_first (self->sort_header, i, crm_customer_column_is_money (i));
    }
  g_signal_connect_object (self->sort_header, "sort-changed", G_CALLBACK (sort_changed_cb), self, G_CONNECT_SWAPPED);

  tiers = vocabulary_choices (crm_tier_names, tier_label, CRM_N_TIERS);
  crm_filter_bar_set_choices (self->filter_bar, self->tier_filter, _("All Tiers"), tiers);
  crm_filter_bar_set_choices (self->filter_bar, self->region_filter, _("All Regions"), none);
  crm_filter_bar_set_choices (self->filter_bar, self->owner_filter, _("All Account Managers"), none);
  statuses = vocabulary_choices (crm_customer_status_names, status_label, CRM_N_CUSTOMER_STATUSES);
  crm_filter_bar_set_choices (self->filter_bar, self->status_filter, _("All Statuses"), statuses);

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
  g_signal_group_connect_swapped (self->engine_signals, "notify::entities-done", G_CALLBACK (engine_changed_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::last-error", G_CALLBACK (engine_changed_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::received", G_CALLBACK (engine_progress_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::total", G_CALLBACK (engine_progress_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "finished", G_CALLBACK (engine_finished_cb), self);

  self->loader = crm_list_loader_new ();
  g_signal_connect_object (self->loader, "loaded", G_CALLBACK (loaded_cb), self, G_CONNECT_SWAPPED);

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

  crm_list_loader_cancel (self->loader);
  g_clear_handle_id (&self->choices_timeout, g_source_remove);
  stop_reloading (self);

  gtk_column_view_set_model (self->column_view, NULL);
  g_signal_group_set_target (self->model_signals, NULL);
  show_rows (self, FALSE);
  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
  g_clear_object (&self->model);
  g_set_object (&self->store, store);

  crm_customer_detail_set_store (self->detail, store);
  if (g_strcmp0 (self->state, "detail") == 0)
    self->state = NULL;

  /* A new list starts without search and filters. */
  crm_filter_bar_reset (self->filter_bar);

  if (store != NULL)
    {
      g_autoptr(CrmCustomerModel) model = NULL;

      self->load_start = g_get_monotonic_time ();
      model = crm_customer_model_new (store);
      crm_list_loader_load (self->loader, G_OBJECT (store), "customers-changed", G_OBJECT (model),
                            load_customers, reload_customers, options_free);
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
  update_pipeline_column (self);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ENGINE]);
}

/**
 * crm_customers_page_set_pipeline_shown:
 * @shown: whether the store holds every opportunity of the customers it
 *   lists
 *
 * The open pipeline column sums the store's opportunities of each
 * customer.  A role whose sync sends only its own opportunities (a
 * director) or none (marketing) would see ¥0.00 for nearly every
 * customer, so the column is left out for it (a director's Pipeline
 * section has the region's figures, from the server).
 */
void
crm_customers_page_set_pipeline_shown (CrmCustomersPage *self,
                                       gboolean          shown)
{
  g_return_if_fail (CRM_IS_CUSTOMERS_PAGE (self));

  if (self->pipeline_hidden == !shown)
    return;
  self->pipeline_hidden = !shown;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
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
    {
      show_all_rows (self);
      gtk_single_selection_set_selected (self->selection, position);
    }

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
    {
      show_all_rows (self);
      gtk_single_selection_set_selected (self->selection, position);
    }

  self->state = NULL;
  update_state (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self->column_view)))
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}
