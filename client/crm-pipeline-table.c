#define G_LOG_DOMAIN "crm-pipeline-table"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-format.h"
#include "crm-opportunity-dialog.h"
#include "crm-pipeline-page.h"
#include "crm-pipeline-table-private.h"
#include "crm-vocabulary.h"
#include "crm-window.h"

G_DEFINE_FINAL_TYPE (CrmPipelineTable, crm_pipeline_table, GTK_TYPE_WIDGET)

/* ------------------------------------------------------------------ */
/* Cells                                                               */
/* ------------------------------------------------------------------ */

static void
show_row_error (CrmPipelineTable *self,
                GtkListItem      *list_item)
{
  CrmOpportunityItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *mark = gtk_widget_get_last_child (gtk_list_item_get_child (list_item));
  const char *error = item ? g_hash_table_lookup (self->row_errors, crm_opportunity_item_get_id (item)) : NULL;

  if (error != NULL)
    {
      gtk_widget_set_tooltip_text (mark, error);
      gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL, error, -1);
    }
  gtk_widget_set_visible (mark, error != NULL);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  column)
{
  GtkWidget *text = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (text), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  if (crm_pipeline_column_is_figure (GPOINTER_TO_UINT (column)))
    {
      gtk_inscription_set_xalign (GTK_INSCRIPTION (text), 1.0);
      gtk_widget_add_css_class (text, "numeric");
    }
  if (GPOINTER_TO_UINT (column) == CRM_PIPELINE_COLUMN_TITLE)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      /* the row's last change was refused, or is in conflict */
      GtkWidget *mark = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

      gtk_widget_set_hexpand (text, TRUE);
      gtk_box_append (GTK_BOX (box), text);
      gtk_widget_set_visible (mark, FALSE);
      gtk_widget_set_name (mark, "row-error");
      gtk_widget_add_css_class (mark, "error");
      gtk_box_append (GTK_BOX (box), mark);
      gtk_list_item_set_child (list_item, box);
    }
  else
    gtk_list_item_set_child (list_item, text);
}

static const char *
cell_text (CrmOpportunityItem *item,
           CrmPipelineColumn   column,
           char              **owned)
{
  switch (column)
    {
    case CRM_PIPELINE_COLUMN_TITLE:
      return crm_opportunity_item_get_title (item);
    case CRM_PIPELINE_COLUMN_CUSTOMER:
      return crm_opportunity_item_get_customer_name (item);
    case CRM_PIPELINE_COLUMN_STAGE:
      return crm_vocabulary_label_at (crm_stage_names, crm_opportunity_item_get_stage (item));
    case CRM_PIPELINE_COLUMN_OWNER:
      return crm_opportunity_item_get_owner_name (item);
    case CRM_PIPELINE_COLUMN_AMOUNT:
      return *owned = crm_format_money (crm_opportunity_item_get_amount (item));
    case CRM_PIPELINE_COLUMN_WEIGHTED:
      return *owned = crm_format_money (crm_opportunity_item_get_weighted (item));
    case CRM_PIPELINE_COLUMN_PROBABILITY:
      /* TRANSLATORS: an opportunity's probability, as a percentage */
      return *owned = g_strdup_printf (_("%d%%"), crm_opportunity_item_get_probability (item));
    case CRM_PIPELINE_COLUMN_EXPECTED_CLOSE:
      return *owned = crm_format_date (crm_opportunity_item_get_expected_close (item));
    case CRM_PIPELINE_COLUMN_DAYS_IN_STAGE:
      if (crm_opportunity_item_get_days_in_stage (item) < 0)
        return NULL;
      return *owned = g_strdup_printf ("%d", crm_opportunity_item_get_days_in_stage (item));
    default:
      g_assert_not_reached ();
    }
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  column)
{
  CrmOpportunityItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  GtkInscription *label = GTK_INSCRIPTION (GTK_IS_INSCRIPTION (child) ? child : gtk_widget_get_first_child (child));
  g_autofree char *owned = NULL;
  const char *text = cell_text (item, GPOINTER_TO_UINT (column), &owned);

  if (text == NULL || text[0] == '\0')
    text = C_("empty cell", "—");
  gtk_inscription_set_text (label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  if (GPOINTER_TO_UINT (column) == CRM_PIPELINE_COLUMN_TITLE)
    {
      CrmPipelineTable *self = g_object_get_data (G_OBJECT (factory), "table");

      g_hash_table_add (self->title_cells, list_item);
      show_row_error (self, list_item);
    }
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  column)
{
  CrmPipelineTable *self = g_object_get_data (G_OBJECT (factory), "table");

  if (GPOINTER_TO_UINT (column) == CRM_PIPELINE_COLUMN_TITLE && self != NULL)
    g_hash_table_remove (self->title_cells, list_item);
}

static GtkListItemFactory *
cell_factory_new (CrmPipelineTable  *self,
                  CrmPipelineColumn  column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  /* the factory lives no longer than the view, which lives in @self */
  g_object_set_data (G_OBJECT (factory), "table", self);
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GUINT_TO_POINTER (column));
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), GUINT_TO_POINTER (column));
  return factory;
}

/* ------------------------------------------------------------------ */
/* Row errors                                                          */
/* ------------------------------------------------------------------ */

CrmStore *
_crm_pipeline_table_get_store (CrmPipelineTable *self)
{
  return self->model ? crm_pipeline_model_get_store (self->model) : NULL;
}

/* What the rows show: the store's refusals of the last bulk changes,
 * then what the server refused or found in conflict (the queue's word). */
void
_crm_pipeline_table_refresh_row_errors (CrmPipelineTable *self)
{
  CrmStore *store = _crm_pipeline_table_get_store (self);
  g_autoptr(GPtrArray) mutations = store ? crm_store_list_mutations (store, NULL) : NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_remove_all (self->row_errors);
  g_hash_table_iter_init (&iter, self->refusals);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (self->row_errors, g_strdup (key), g_strdup (value));
  for (guint i = 0; mutations != NULL && i < mutations->len; i++)
    {
      CrmMutation *m = mutations->pdata[i];

      if (m->entity != CRM_ENTITY_OPPORTUNITY)
        continue;
      if (m->state == CRM_MUTATION_CONFLICT)
        g_hash_table_replace (self->row_errors, g_strdup (m->record_id),
                              g_strdup (_("Changed on the server meanwhile: choose what to keep in the list of unsent changes")));
      else if (m->state == CRM_MUTATION_FAILED)
        {
          g_autofree char *message = NULL;

          crm_mutation_parse_refusal (m, NULL, NULL, &message);
          /* TRANSLATORS: a row's change the server refused, and its reason */
          g_hash_table_replace (self->row_errors, g_strdup (m->record_id),
                                g_strdup_printf (_("Refused by the server: %s"),
                                                 message ? message : m->last_error));
        }
    }
  g_hash_table_iter_init (&iter, self->title_cells);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    show_row_error (self, key);
}

static gboolean
errors_idle_cb (gpointer data)
{
  CrmPipelineTable *self = data;

  self->errors_idle = 0;
  _crm_pipeline_table_refresh_row_errors (self);
  return G_SOURCE_REMOVE;
}

static void
store_changed_cb (CrmPipelineTable *self)
{
  if (self->errors_idle == 0)
    self->errors_idle = g_idle_add (errors_idle_cb, self);
}

/* ------------------------------------------------------------------ */
/* Selection and what may be done                                      */
/* ------------------------------------------------------------------ */

static int
role (CrmPipelineTable *self)
{
  GtkRoot *root;
  CrmContext *context;
  JsonObject *user;

  if (self->role != NULL)
    return crm_wire_lookup (crm_role_names, self->role);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  context = root != NULL && CRM_IS_WINDOW (root) ? crm_window_get_context (CRM_WINDOW (root)) : NULL;
  user = context != NULL ? crm_context_get_user (context) : NULL;
  return user != NULL ? crm_wire_lookup (crm_role_names, json_object_get_string_member_with_default (user, "role", ""))
                      : -1;
}

gboolean
_crm_pipeline_table_may_change_owner (CrmPipelineTable *self)
{
  int r = role (self);

  return r >= 0 && crm_field_writable_by (crm_field_spec_lookup (CRM_ENTITY_OPPORTUNITY, "owner_id"), r);
}

GPtrArray *
_crm_pipeline_table_selected_items (CrmPipelineTable *self)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  if (self->selection == NULL)
    return items;
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    g_ptr_array_add (items, g_list_model_get_item (self->shown, position));
  return items;
}

void
_crm_pipeline_table_update_actions (CrmPipelineTable *self)
{
  guint64 n = 0;
  gboolean idle = self->running == NULL;
  g_autofree char *text = NULL;

  if (self->selection != NULL)
    {
      g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

      n = gtk_bitset_get_size (selected);
    }
  if (n == 0)
    text = g_strdup (_("Select opportunities to change several at once"));
  else
    /* TRANSLATORS: above the Table: how many rows are selected */
    text = g_strdup_printf (ngettext ("%u selected", "%u selected", (gulong) n), (guint) n);
  gtk_label_set_label (self->selection_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->owner_button), _crm_pipeline_table_may_change_owner (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.set-stage", idle && n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.move-to-lost", idle && n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.set-owner", idle && n > 0 && _crm_pipeline_table_may_change_owner (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.set-close-date", idle && n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.undo", idle && self->undo != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.stop", !idle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->stage_button), idle && n > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->owner_button), idle && n > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->close_button), idle && n > 0);
}

/* A row the last bulk change changed comes back as a new item: selected
 * again, so that the next change applies to the same rows.  (After the
 * selection model's own handler, which dropped it.) */
static void
rows_changed_cb (CrmPipelineTable *self,
                 guint             position,
                 guint             removed,
                 guint             added)
{
  for (guint i = position; i < position + added && g_hash_table_size (self->keep_selected) > 0; i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (self->shown, i);

      if (item != NULL && g_hash_table_contains (self->keep_selected, crm_opportunity_item_get_id (item)))
        gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, FALSE);
    }
}

static void
selection_changed_cb (CrmPipelineTable *self)
{
  _crm_pipeline_table_update_actions (self);
}

/* Server mode: an edit saved shows on its row at once, and the list is
 * asked again once the server has it. */
static void
remote_edit_queued_cb (CrmPipelineTable *self,
                       const char       *record_id,
                       GtkWidget        *dialog)
{
  g_autoptr(JsonObject) fields = crm_opportunity_dialog_dup_fields (CRM_OPPORTUNITY_DIALOG (dialog), NULL);

  if (self->remote != NULL && fields != NULL)
    crm_pipeline_remote_list_apply_queued (self->remote, record_id, fields,
                                           crm_form_window_get_queued_seq (CRM_FORM_WINDOW (dialog)));
}

/* Enter or a double click on a row: its Edit dialog (in server mode on
 * the record the server sent, which the store may not hold). */
static void
row_activated_cb (CrmPipelineTable *self,
                  guint             position)
{
  g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (self->shown, position);
  GtkWindow *parent = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
  CrmStore *store = _crm_pipeline_table_get_store (self);
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  if (item == NULL || store == NULL)
    return;
  if (self->remote != NULL)
    dialog = crm_opportunity_dialog_new_for_remote_edit (parent, store, crm_opportunity_item_get_record (item),
                                                         &error);
  else
    dialog = crm_opportunity_dialog_new_for_edit (parent, store, crm_opportunity_item_get_customer_id (item),
                                                  crm_opportunity_item_get_id (item), &error);
  if (dialog == NULL)
    {
      adw_toast_overlay_add_toast (self->toasts, adw_toast_new (error->message));
      return;
    }
  if (self->remote != NULL)
    g_signal_connect_object (dialog, "queued", G_CALLBACK (remote_edit_queued_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The server's sort keys (GET /opportunities) the Table's columns are:
 * more days in stage is an earlier stage change. */
static const char *
server_sort (CrmPipelineColumn  column,
             gboolean           descending,
             gboolean          *server_descending)
{
  *server_descending = descending;
  switch (column)
    {
    case CRM_PIPELINE_COLUMN_TITLE:
      return "title";
    case CRM_PIPELINE_COLUMN_AMOUNT:
      return "amount";
    case CRM_PIPELINE_COLUMN_EXPECTED_CLOSE:
      return "expected_close";
    case CRM_PIPELINE_COLUMN_DAYS_IN_STAGE:
      *server_descending = !descending;
      return "stage_changed_at";
    case CRM_PIPELINE_COLUMN_CUSTOMER:
    case CRM_PIPELINE_COLUMN_STAGE:
    case CRM_PIPELINE_COLUMN_OWNER:
    case CRM_PIPELINE_COLUMN_WEIGHTED:
    case CRM_PIPELINE_COLUMN_PROBABILITY:
    default:
      return NULL;
    }
}

/* The arrow of the remote's order. */
static void
show_remote_sort (CrmPipelineTable *self)
{
  gboolean descending;
  const char *key = crm_pipeline_remote_list_get_sort (self->remote, &descending);

  for (guint c = 0; c < CRM_PIPELINE_N_COLUMNS; c++)
    {
      gboolean server_descending;
      const char *k = server_sort (c, descending, &server_descending);

      if (g_strcmp0 (k, key) == 0)
        {
          crm_sort_header_show_sort (self->sort_header, c, server_descending == descending ? descending : !descending);
          return;
        }
    }
}

static void
sort_changed_cb (CrmPipelineTable *self,
                 guint             column,
                 gboolean          descending,
                 CrmSortHeader    *header)
{
  if (self->remote != NULL)
    {
      gboolean server_descending;
      const char *key = server_sort (column, descending, &server_descending);

      /* only the server's keys sort a list the server pages */
      if (key != NULL)
        {
          crm_pipeline_remote_list_set_sort (self->remote, key, server_descending);
          crm_sort_header_scroll_to_top (header);
        }
      show_remote_sort (self);
      return;
    }
  if (self->rows == NULL)
    return;
  crm_pipeline_sort_model_set_sort (self->rows, column, descending);
  /* the arrow shows the model's order (a money column starts largest first) */
  crm_sort_header_show_sort (header, column, descending);
  crm_sort_header_scroll_to_top (header);
}

/* In the Pipeline page: its model (made anew for each store), whose
 * filter the page's bar sets. */
static void
page_store_cb (CrmPipelineTable *self,
               GParamSpec       *pspec,
               CrmPipelinePage  *page)
{
  crm_pipeline_table_set_model (self, crm_pipeline_page_get_model (page));
}

static void
crm_pipeline_table_root (GtkWidget *widget)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);
  g_autoptr(GObject) engine = g_signal_group_dup_target (self->engine_signals);
  GtkWidget *page;
  GtkRoot *root;

  GTK_WIDGET_CLASS (crm_pipeline_table_parent_class)->root (widget);
  /* the session's role and sync engine are known from here */
  root = gtk_widget_get_root (widget);
  page = gtk_widget_get_ancestor (widget, CRM_TYPE_PIPELINE_PAGE);
  if (page != NULL && !self->follows_page)
    {
      self->follows_page = TRUE;
      g_signal_connect_object (page, "notify::store", G_CALLBACK (page_store_cb), self, G_CONNECT_SWAPPED);
      page_store_cb (self, NULL, CRM_PIPELINE_PAGE (page));
    }
  if (engine == NULL && CRM_IS_WINDOW (root) &&
      crm_window_get_context (CRM_WINDOW (root)) != NULL)
    crm_pipeline_table_set_sync_engine (self, crm_context_get_sync_engine (crm_window_get_context (CRM_WINDOW (root))));
  _crm_pipeline_table_update_actions (self);
}

/* Server mode: the answer's age, the state, how many of how many. */
static void
update_remote_bar (CrmPipelineTable *self)
{
  g_autofree char *status = NULL;
  g_autofree char *text = NULL;
  const GError *error;
  gboolean retry = FALSE;

  gtk_widget_set_visible (GTK_WIDGET (self->remote_bar), self->remote != NULL);
  if (self->remote == NULL)
    return;
  status = crm_pipeline_remote_list_dup_status (self->remote);
  error = crm_pipeline_remote_list_get_error (self->remote);
  switch (crm_pipeline_remote_list_get_state (self->remote))
    {
    case CRM_REPORT_STATE_FAILED:
      text = g_strdup (error ? error->message : "");
      retry = TRUE;
      break;
    case CRM_REPORT_STATE_NONE:
      text = g_strdup (_("The server cannot be reached, and the table was never read from it on this computer."));
      retry = TRUE;
      break;
    case CRM_REPORT_STATE_EMPTY:
    case CRM_REPORT_STATE_LOADING:
      text = g_strdup (_("Loading…"));
      break;
    case CRM_REPORT_STATE_KEPT:
    case CRM_REPORT_STATE_FRESH:
    case CRM_REPORT_STATE_OFFLINE:
    default:
      {
        gint64 total = crm_pipeline_remote_list_get_total (self->remote);
        g_autofree char *listed = crm_format_number (g_list_model_get_n_items (self->shown));
        g_autofree char *all = crm_format_number (total);
        g_autofree char *shown = total == 0 ? g_strdup (_("No opportunity passes the filter."))
                                            : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s shown",
                                                                            "%s of %s shown", (gulong) total),
                                                               listed, all);

        /* TRANSLATORS: above the Table of a team or region: the answer's
         * age, then "100 of 1,234 shown" */
        text = status[0] != '\0' ? g_strdup_printf (_("%s · %s"), status, shown) : g_steal_pointer (&shown);
      }
    }
  gtk_label_set_label (self->remote_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), retry);
  gtk_widget_set_visible (GTK_WIDGET (self->load_more_button),
                          crm_pipeline_remote_list_can_load_more (self->remote));
}

/* Near the end of what is listed: the next page. */
static void
scrolled_cb (CrmPipelineTable *self,
             GtkAdjustment    *adjustment)
{
  double end = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (self->remote != NULL && gtk_adjustment_get_value (adjustment) >= end - gtk_adjustment_get_page_size (adjustment) &&
      crm_pipeline_remote_list_can_load_more (self->remote))
    crm_pipeline_remote_list_load_more (self->remote);
}

/* The view lists the remote's rows in server mode, else the model's. */
static void
show_rows (CrmPipelineTable *self)
{
  gtk_column_view_set_model (self->column_view, NULL);
  g_clear_object (&self->selection);
  self->shown = self->remote != NULL ? crm_pipeline_remote_list_get_items (self->remote)
                : self->rows != NULL ? G_LIST_MODEL (self->rows) : NULL;
  if (self->shown != NULL)
    {
      self->selection = gtk_multi_selection_new (g_object_ref (self->shown));
      g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (selection_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_handlers_disconnect_by_func (self->shown, rows_changed_cb, self);
      g_signal_connect_object (self->shown, "items-changed", G_CALLBACK (rows_changed_cb), self, G_CONNECT_SWAPPED);
      gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
    }
  if (self->remote != NULL)
    show_remote_sort (self);
  else if (self->rows != NULL)
    crm_sort_header_show_sort (self->sort_header, crm_pipeline_sort_model_get_column (self->rows),
                               crm_pipeline_sort_model_get_descending (self->rows));
  update_remote_bar (self);
  _crm_pipeline_table_refresh_row_errors (self);
  _crm_pipeline_table_update_actions (self);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);

  if (self->remote != NULL)
    crm_pipeline_remote_list_reload (self->remote);
}

static void
load_more_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (widget);

  if (self->remote != NULL)
    crm_pipeline_remote_list_load_more (self->remote);
}

static void
crm_pipeline_table_dispose (GObject *object)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->errors_idle, g_source_remove);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_PIPELINE_TABLE);
  g_clear_object (&self->selection);
  if (self->remote != NULL)
    g_signal_handlers_disconnect_by_data (self->remote, self);
  g_clear_object (&self->remote);
  self->shown = NULL;
  g_clear_object (&self->rows);
  g_clear_object (&self->model);
  g_clear_object (&self->sort_header);
  g_clear_object (&self->store_signals);
  g_clear_object (&self->engine_signals);

  G_OBJECT_CLASS (crm_pipeline_table_parent_class)->dispose (object);
}

static void
crm_pipeline_table_finalize (GObject *object)
{
  CrmPipelineTable *self = CRM_PIPELINE_TABLE (object);

  g_clear_pointer (&self->running, crm_pipeline_bulk_unref);
  g_clear_pointer (&self->undo, crm_pipeline_bulk_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->refusals, g_hash_table_unref);
  g_clear_pointer (&self->row_errors, g_hash_table_unref);
  g_clear_pointer (&self->title_cells, g_hash_table_unref);
  g_clear_pointer (&self->keep_selected, g_hash_table_unref);
  g_free (self->role);

  G_OBJECT_CLASS (crm_pipeline_table_parent_class)->finalize (object);
}

static void
crm_pipeline_table_class_init (CrmPipelineTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_pipeline_table_dispose;
  object_class->finalize = crm_pipeline_table_finalize;
  widget_class->root = crm_pipeline_table_root;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-pipeline-table.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, toasts);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, selection_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, stage_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, stage_popover);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, stage_buttons);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, lost_reason_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, lost_reason_error);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, owner_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, owner_popover);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, owner_buttons);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, close_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, close_popover);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, close_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, close_error);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, column_view);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, title_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, customer_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, stage_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, owner_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, amount_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, weighted_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, probability_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, close_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, days_column);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, scroller);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, remote_bar);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, remote_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, load_more_button);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineTable, retry_button);
  gtk_widget_class_install_action (widget_class, "table.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "table.load-more", NULL, load_more_action);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  _crm_pipeline_table_class_init_bulk (widget_class);
}

static void
crm_pipeline_table_init (CrmPipelineTable *self)
{
  GtkColumnViewColumn **columns = self->columns;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->refusals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->row_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->title_cells = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->keep_selected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  columns[CRM_PIPELINE_COLUMN_TITLE] = self->title_column;
  columns[CRM_PIPELINE_COLUMN_CUSTOMER] = self->customer_column;
  columns[CRM_PIPELINE_COLUMN_STAGE] = self->stage_column;
  columns[CRM_PIPELINE_COLUMN_OWNER] = self->owner_column;
  columns[CRM_PIPELINE_COLUMN_AMOUNT] = self->amount_column;
  columns[CRM_PIPELINE_COLUMN_WEIGHTED] = self->weighted_column;
  columns[CRM_PIPELINE_COLUMN_PROBABILITY] = self->probability_column;
  columns[CRM_PIPELINE_COLUMN_EXPECTED_CLOSE] = self->close_column;
  columns[CRM_PIPELINE_COLUMN_DAYS_IN_STAGE] = self->days_column;

  self->sort_header = crm_sort_header_new (self->column_view);
  for (guint i = 0; i < CRM_PIPELINE_N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = cell_factory_new (self, i);

      gtk_column_view_column_set_factory (columns[i], factory);
      crm_sort_header_add_column (self->sort_header, columns[i], i);
      /* the largest deals first */
      crm_sort_header_set_descending_first (self->sort_header, i, crm_pipeline_column_is_figure (i));
    }
  g_signal_connect_object (self->sort_header, "sort-changed", G_CALLBACK (sort_changed_cb), self, G_CONNECT_SWAPPED);
  _crm_pipeline_table_init_bulk (self);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->scroller), "value-changed",
                           G_CALLBACK (scrolled_cb), self, G_CONNECT_SWAPPED);

  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed", G_CALLBACK (store_changed_cb), self);
  self->engine_signals = g_signal_group_new (CRM_TYPE_SYNC_ENGINE);
  g_signal_group_connect_swapped (self->engine_signals, "notify::status", G_CALLBACK (store_changed_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::pending", G_CALLBACK (store_changed_cb), self);
  _crm_pipeline_table_update_actions (self);
}

/**
 * crm_pipeline_table_set_remote:
 * @remote: (nullable): the server's list of a team or region, or %NULL
 *   for the model's
 *
 * Server mode: the rows are @remote's, in the order of the server's sort
 * keys (the other columns do not sort), the next page asked near the end
 * (or with Load More); bulk changes are queued on the records the server
 * sent (crm_store_enqueue_update_of_remote ()) and shown on the rows.
 */
void
crm_pipeline_table_set_remote (CrmPipelineTable      *self,
                               CrmPipelineRemoteList *remote)
{
  g_return_if_fail (CRM_IS_PIPELINE_TABLE (self));
  g_return_if_fail (remote == NULL || CRM_IS_PIPELINE_REMOTE_LIST (remote));

  if (self->remote == remote)
    return;
  if (self->remote != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->remote, self);
      g_signal_handlers_disconnect_by_func (crm_pipeline_remote_list_get_items (self->remote), rows_changed_cb, self);
    }
  g_clear_pointer (&self->undo, crm_pipeline_bulk_unref);
  g_set_object (&self->remote, remote);
  if (remote != NULL)
    g_signal_connect_object (remote, "changed", G_CALLBACK (update_remote_bar), self, G_CONNECT_SWAPPED);
  show_rows (self);
}

CrmPipelineRemoteList *
crm_pipeline_table_get_remote (CrmPipelineTable *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_TABLE (self), NULL);
  return self->remote;
}

GtkWidget *
crm_pipeline_table_new (void)
{
  return g_object_new (CRM_TYPE_PIPELINE_TABLE, NULL);
}

void
crm_pipeline_table_set_model (CrmPipelineTable *self,
                              CrmPipelineModel *model)
{
  g_return_if_fail (CRM_IS_PIPELINE_TABLE (self));
  g_return_if_fail (model == NULL || CRM_IS_PIPELINE_MODEL (model));

  if (self->model == model)
    return;
  g_clear_object (&self->rows);
  g_set_object (&self->model, model);
  g_signal_group_set_target (self->store_signals, model ? crm_pipeline_model_get_store (model) : NULL);
  g_hash_table_remove_all (self->refusals);
  g_hash_table_remove_all (self->keep_selected);
  g_clear_pointer (&self->undo, crm_pipeline_bulk_unref);
  if (model != NULL)
    self->rows = crm_pipeline_sort_model_new (crm_pipeline_model_get_items (model));
  show_rows (self);
}

CrmPipelineModel *
crm_pipeline_table_get_model (CrmPipelineTable *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_TABLE (self), NULL);

  return self->model;
}

void
crm_pipeline_table_set_store (CrmPipelineTable *self,
                              CrmStore         *store)
{
  g_autoptr(CrmPipelineModel) model = NULL;

  g_return_if_fail (CRM_IS_PIPELINE_TABLE (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (store != NULL && self->model != NULL && crm_pipeline_model_get_store (self->model) == store)
    return;
  if (store != NULL)
    model = crm_pipeline_model_new (store);
  crm_pipeline_table_set_model (self, model);
}

void
crm_pipeline_table_set_role (CrmPipelineTable *self,
                             const char       *role)
{
  g_return_if_fail (CRM_IS_PIPELINE_TABLE (self));

  g_free (self->role);
  self->role = g_strdup (role);
  _crm_pipeline_table_update_actions (self);
}

void
crm_pipeline_table_set_sync_engine (CrmPipelineTable *self,
                                    CrmSyncEngine    *engine)
{
  g_return_if_fail (CRM_IS_PIPELINE_TABLE (self));
  g_return_if_fail (engine == NULL || CRM_IS_SYNC_ENGINE (engine));

  g_signal_group_set_target (self->engine_signals, engine);
}

GListModel *
crm_pipeline_table_get_rows (CrmPipelineTable *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_TABLE (self), NULL);

  return self->shown;
}

GtkSelectionModel *
crm_pipeline_table_get_selection (CrmPipelineTable *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_TABLE (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

gboolean
crm_pipeline_table_is_busy (CrmPipelineTable *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_TABLE (self), FALSE);

  return self->running != NULL;
}

const char *
crm_pipeline_table_get_row_error (CrmPipelineTable *self,
                                  const char       *id)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_TABLE (self), NULL);

  return g_hash_table_lookup (self->row_errors, id);
}
