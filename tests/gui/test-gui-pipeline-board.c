/* The Pipeline section's Board against the real server (in-process, over
 * a throwaway PostgreSQL seeded by `keyline-server seed`): an account
 * manager signs in, syncs and opens the Pipeline.  Dropping a card on
 * another column (the column's GtkDropTarget, driven as a drop drives
 * it), or moving the focused card from the keyboard, changes its stage in
 * the local store at once and, after a sync, on the server; a loss needs
 * its reason; the column headers equal what plain SQL on the database
 * says of the manager's opportunities under the same filter.
 * Accessibility on. */
#define G_LOG_DOMAIN "test-gui-pipeline-board"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "crm-application.h"
#include "crm-auth.h"
#include "crm-customers-page.h"
#include "crm-format.h"
#include "crm-pipeline-page.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;

/* The manager's first opportunity in stage $1 (the manager sees the
 * opportunities of the customers they own). */
static const char SQL_PICK[] =
  "SELECT o.id FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id"
  " JOIN crm.users u ON u.id = c.owner_id AND u.login = 'manager'"
  " WHERE o.stage = $1::crm.opportunity_stage ORDER BY o.id LIMIT 1";
static const char SQL_STAGE[] = "SELECT stage::text FROM crm.opportunities WHERE id = $1";
static const char SQL_LOST_REASON[] = "SELECT lost_reason FROM crm.opportunities WHERE id = $1";
static const char SQL_MOVES[] =
  "SELECT count(*) FROM crm.opportunity_stage_history WHERE opportunity_id = $1";

/* A column's figures, worked out by PostgreSQL over the manager's open
 * opportunities under the filter the test sets (total contract value at
 * least ¥50,000, closing by 2027-03-31): count, Σ amount, Σ rounded
 * weighted. */
#define FILTER_AMOUNT_MIN 5000000
#define FILTER_CLOSE_TO   "2027-03-31"
#define SQL_FILTERED \
  " FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id" \
  " JOIN crm.users u ON u.id = c.owner_id AND u.login = 'manager'" \
  " JOIN crm.pipeline_stages s ON s.stage = o.stage" \
  " WHERE o.stage = $1::crm.opportunity_stage" \
  "   AND o.amount_once + o.amount_monthly * o.contract_months >= 5000000" \
  "   AND o.expected_close <= DATE '2027-03-31'"
static const char SQL_COUNT[] = "SELECT count(*)" SQL_FILTERED;
static const char SQL_AMOUNT[] =
  "SELECT coalesce(sum(o.amount_once + o.amount_monthly * o.contract_months), 0)" SQL_FILTERED;
static const char SQL_WEIGHTED[] =
  "SELECT coalesce(sum(((o.amount_once + o.amount_monthly * o.contract_months)"
  "                     * coalesce(o.probability, s.default_probability) + 50) / 100), 0)" SQL_FILTERED;

static gint64
scalar_int (const char *sql,
            const char *param)
{
  g_autofree char *text = crm_test_live_scalar (live, sql, param);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
engine_idle (gpointer engine)
{
  return crm_sync_engine_get_status (engine) == CRM_SYNC_STATUS_IDLE &&
         crm_sync_engine_get_last_synced (engine) != NULL;
}

static gboolean
board_shown (gpointer board)
{
  return g_strcmp0 (crm_pipeline_board_get_state (board), "board") == 0;
}

typedef struct
{
  CrmContext      *context;
  CrmWindow       *window;
  CrmPipelinePage *page;
  CrmPipelineBoard *board;
} Desktop;

static void
show_pipeline (Desktop *self)
{
  GtkListBox *sidebar = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (self->window), CRM_TYPE_WINDOW,
                                                                    "sidebar"));

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (sidebar)); row; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), "pipeline") == 0)
      gtk_list_box_select_row (sidebar, GTK_LIST_BOX_ROW (row));
  g_assert_cmpstr (crm_window_get_section (self->window), ==, "pipeline");
}

static Desktop *
desktop_new (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "manager", &token);
  Desktop *self = g_new0 (Desktop, 1);

  self->context = crm_context_new (settings);
  crm_context_set_sync_interval (self->context, 0);
  self->window = g_object_ref_sink (crm_window_new (NULL, self->context));
  gtk_window_set_default_size (GTK_WINDOW (self->window), 1280, 800);
  gtk_window_present (GTK_WINDOW (self->window));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", crm_test_live_get_url (live), TRUE);
  crm_context_restore_async (self->context, NULL, NULL, NULL);
  crm_test_wait_for (signed_in, self->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");
  crm_test_wait_for (engine_idle, crm_context_get_sync_engine (self->context));

  self->page = CRM_PIPELINE_PAGE (gtk_widget_get_template_child (GTK_WIDGET (self->window), CRM_TYPE_WINDOW,
                                                                "pipeline_page"));
  self->board = crm_pipeline_page_get_board (self->page);
  show_pipeline (self);
  crm_test_wait_for (board_shown, self->board);
  crm_test_wait_drawn (self->board);
  return self;
}

static void
desktop_free (Desktop *self)
{
  if (crm_context_get_state (self->context) == CRM_SESSION_SIGNED_IN)
    crm_context_sign_out_async (self->context, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (self->window));
  crm_test_iterate (50);
  g_assert_finalize_object (self->window);
  g_clear_object (&self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desktop, desktop_free)

/* The stage of @id as the local store has it. */
static const char *
stored_stage (Desktop    *desktop,
              const char *id)
{
  CrmStore *store = crm_context_get_store (desktop->context);
  CrmOpportunityItem *item = crm_pipeline_model_lookup (crm_pipeline_page_get_model (desktop->page), id);
  g_autoptr(GPtrArray) records = NULL;

  g_assert_nonnull (item);
  records = crm_store_get_records (store, CRM_ENTITY_OPPORTUNITY, crm_opportunity_item_get_customer_id (item), NULL);
  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member (records->pdata[i], "id"), id) == 0)
      return g_intern_string (json_object_get_string_member (records->pdata[i], "stage"));
  return NULL;
}

static gboolean
all_sent (gpointer context)
{
  return crm_sync_engine_get_status (crm_context_get_sync_engine (context)) == CRM_SYNC_STATUS_IDLE &&
         crm_store_count_unsent_changes (crm_context_get_store (context), NULL) == 0;
}

static void
sync_and_wait (Desktop *desktop)
{
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (all_sent, desktop->context);
}

/* Drops card @id on @stage's column as a drag and drop does. */
static gboolean
drop (Desktop    *desktop,
      const char *id,
      CrmStage    stage)
{
  GtkDropTarget *target = crm_pipeline_board_get_drop_target (desktop->board, stage);
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  g_assert_nonnull (target);
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, id);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  return accepted;
}

static guint
column_count (Desktop  *desktop,
              CrmStage  stage)
{
  CrmPipelineTotals totals;

  crm_pipeline_board_get_header (desktop->board, stage, &totals);
  return totals.count;
}

static void
test_drop_moves_locally_and_on_the_server (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, SQL_PICK, "prospecting");
  gint64 moves_before;
  guint in_proposal;
  g_autofree char *server_stage = NULL;

  g_assert_nonnull (id);
  moves_before = scalar_int (SQL_MOVES, id);
  in_proposal = column_count (desktop, CRM_STAGE_PROPOSAL);

  g_assert_true (drop (desktop, id, CRM_STAGE_PROPOSAL));
  /* at once: the card is in the other column, the header counts it */
  g_assert_cmpint (crm_opportunity_item_get_stage (crm_pipeline_model_lookup (crm_pipeline_page_get_model (desktop->page),
                                                                               id)), ==, CRM_STAGE_PROPOSAL);
  g_assert_cmpuint (column_count (desktop, CRM_STAGE_PROPOSAL), ==, in_proposal + 1);
  crm_test_iterate (200);
  g_assert_cmpstr (stored_stage (desktop, id), ==, "proposal");

  sync_and_wait (desktop);
  server_stage = crm_test_live_scalar (live, SQL_STAGE, id);
  g_assert_cmpstr (server_stage, ==, "proposal");
  g_assert_cmpint (scalar_int (SQL_MOVES, id), ==, moves_before + 1);
  /* a drop where it already is moves nothing */
  g_assert_false (drop (desktop, id, CRM_STAGE_PROPOSAL));
}

/* The row of a column's list whose card shows @title, or NULL. */
static GtkWidget *
row_of (GtkWidget  *widget,
        const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LIST_VIEW (widget) && gtk_widget_get_first_child (child) != NULL)
        {
          g_autofree char *text = crm_test_dup_visible_text (child);

          if (text != NULL && strstr (text, title) != NULL)
            return child;
        }
      if ((found = row_of (child, title)) != NULL)
        return found;
    }
  return NULL;
}

/* The board's Move to… menu, when it is shown. */
static GtkPopover *
shown_menu (CrmPipelineBoard *board)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (board)); child;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER_MENU (child) && gtk_widget_get_visible (child))
      return GTK_POPOVER (child);
  return NULL;
}

static void
test_keyboard_moves_the_focused_card (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmPipelineModel *model = crm_pipeline_page_get_model (desktop->page);
  GListModel *qualification = crm_pipeline_model_get_stage_items (model, CRM_STAGE_QUALIFICATION);
  g_autoptr(CrmOpportunityItem) first = g_list_model_get_item (qualification, 0);
  g_autofree char *id = g_strdup (crm_opportunity_item_get_id (first));
  GtkWidget *row;
  g_autofree char *server_stage = NULL;

  /* the first card of Qualification has the focus */
  row = row_of (GTK_WIDGET (desktop->board), crm_opportunity_item_get_title (first));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_grab_focus (row));

  /* Ctrl+M: its Move to… menu opens */
  g_assert_null (shown_menu (desktop->board));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->board), "board.move-to", NULL));
  g_assert_nonnull (shown_menu (desktop->board));
  gtk_popover_popdown (shown_menu (desktop->board));
  crm_test_iterate (100);
  /* found again: a read of the store that landed while the loop ran (the
   * sync's last pages) fills the column anew, and its list view frees the
   * rows it had, this one too */
  row = row_of (GTK_WIDGET (desktop->board), crm_opportunity_item_get_title (first));
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_grab_focus (row));

  /* Alt+Right: to the next stage */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->board), "board.move-next", NULL));
  g_assert_cmpint (crm_opportunity_item_get_stage (crm_pipeline_model_lookup (model, id)), ==, CRM_STAGE_PROPOSAL);
  crm_test_iterate (200);
  g_assert_cmpstr (stored_stage (desktop, id), ==, "proposal");

  /* the Move to… menu's entry for Negotiation (what it activates) */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->board), "board.move-card", "(si)", id,
                                             (int) CRM_STAGE_NEGOTIATION));
  g_assert_cmpint (crm_opportunity_item_get_stage (crm_pipeline_model_lookup (model, id)), ==, CRM_STAGE_NEGOTIATION);

  /* Undo: back to Proposal */
  crm_test_iterate (200);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->board), "board.undo", NULL));
  g_assert_cmpint (crm_opportunity_item_get_stage (crm_pipeline_model_lookup (model, id)), ==, CRM_STAGE_PROPOSAL);

  sync_and_wait (desktop);
  server_stage = crm_test_live_scalar (live, SQL_STAGE, id);
  g_assert_cmpstr (server_stage, ==, "proposal");
}

/* Moves in quick succession (a user pressing Alt+Right three times): each
 * one's news replaces the last's, and the board outlives the toasts'
 * animations (libadwaita 1.2 freed a toast dismissed while it was still
 * sliding in, then touched it when the slide ended). */
static void
test_quick_moves_replace_the_toast (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, SQL_PICK, "prospecting");
  CrmPipelineModel *model = crm_pipeline_page_get_model (desktop->page);
  CrmStage stages[] = { CRM_STAGE_QUALIFICATION, CRM_STAGE_PROPOSAL, CRM_STAGE_NEGOTIATION };
  g_autofree char *visible = NULL;
  g_autofree char *said = NULL;

  g_assert_nonnull (id);
  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->board), "board.move-card", "(si)", id,
                                                 (int) stages[i]));
      crm_test_iterate (50);
    }
  /* past every show and hide animation (500 ms at most) */
  crm_test_iterate (1000);
  g_assert_cmpint (crm_opportunity_item_get_stage (crm_pipeline_model_lookup (model, id)), ==, CRM_STAGE_NEGOTIATION);
  said = g_strdup_printf ("Moved “%s” to Negotiation",
                          crm_opportunity_item_get_title (crm_pipeline_model_lookup (model, id)));
  visible = crm_test_dup_visible_text (desktop->board);
  g_assert_nonnull (strstr (visible, said));
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static void
test_loss_asks_for_a_reason (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, SQL_PICK, "negotiation");
  CrmPipelineModel *model = crm_pipeline_page_get_model (desktop->page);
  AdwMessageDialog *dialog;
  GtkEditable *entry;
  g_autofree char *server_stage = NULL;
  g_autofree char *reason = NULL;

  g_assert_nonnull (id);
  /* cancelled: nothing moves */
  g_assert_true (drop (desktop, id, CRM_STAGE_LOST));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "lose"));
  adw_message_dialog_response (dialog, "cancel");
  crm_test_iterate (100);
  g_assert_cmpint (crm_opportunity_item_get_stage (crm_pipeline_model_lookup (model, id)), ==, CRM_STAGE_NEGOTIATION);
  g_assert_cmpstr (stored_stage (desktop, id), ==, "negotiation");

  /* with a reason */
  g_assert_true (drop (desktop, id, CRM_STAGE_LOST));
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  gtk_editable_set_text (entry, "   ");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "lose"));
  gtk_editable_set_text (entry, "Budget cut");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "lose"));
  adw_message_dialog_response (dialog, "lose");
  g_assert_cmpint (crm_opportunity_item_get_stage (crm_pipeline_model_lookup (model, id)), ==, CRM_STAGE_LOST);
  crm_test_iterate (200);
  g_assert_cmpstr (stored_stage (desktop, id), ==, "lost");

  sync_and_wait (desktop);
  server_stage = crm_test_live_scalar (live, SQL_STAGE, id);
  reason = crm_test_live_scalar (live, SQL_LOST_REASON, id);
  g_assert_cmpstr (server_stage, ==, "lost");
  g_assert_cmpstr (reason, ==, "Budget cut");
}

static void
test_headers_equal_the_database_under_a_filter (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmPipelineFilter) filter = crm_pipeline_filter_new ();
  CrmStage open[] = { CRM_STAGE_PROSPECTING, CRM_STAGE_QUALIFICATION, CRM_STAGE_PROPOSAL, CRM_STAGE_NEGOTIATION };
  g_autofree char *visible = NULL;
  guint shown = 0, open_before = 0;

  for (guint i = 0; i < G_N_ELEMENTS (open); i++)
    open_before += column_count (desktop, open[i]);
  filter->amount_min = FILTER_AMOUNT_MIN;
  filter->close_to = g_strdup (FILTER_CLOSE_TO);
  crm_pipeline_page_set_filter (desktop->page, filter);
  crm_test_wait_drawn (desktop->board);
  visible = crm_test_dup_visible_text (desktop->board);

  for (guint i = 0; i < G_N_ELEMENTS (open); i++)
    {
      const char *stage = crm_stage_names[open[i]];
      CrmPipelineTotals totals;
      g_autofree char *amount = NULL;

      crm_pipeline_board_get_header (desktop->board, open[i], &totals);
      g_test_message ("%s: %u, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT, stage, totals.count, totals.amount,
                      totals.weighted);
      g_assert_cmpint (totals.count, ==, scalar_int (SQL_COUNT, stage));
      g_assert_cmpint (totals.amount, ==, scalar_int (SQL_AMOUNT, stage));
      g_assert_cmpint (totals.weighted, ==, scalar_int (SQL_WEIGHTED, stage));
      shown += totals.count;
      /* and shown so */
      amount = crm_format_money (totals.amount);
      g_assert_nonnull (strstr (visible, amount));
    }
  /* the filter left some out, and some in */
  g_assert_cmpuint (shown, >, 0);
  g_assert_cmpuint (shown, <, open_before);
}

/* Sixty more prospects for the manager's first customer. */
static const char SQL_MANY_PROSPECTS[] =
  "WITH made AS (INSERT INTO crm.opportunities (customer_id, owner_id, name, stage, amount_once,"
  "   amount_monthly, expected_close, stage_changed_at)"
  " SELECT c.id, c.owner_id, 'Prospect ' || g, 'prospecting', 100000 * g, 0, current_date + g, now()"
  " FROM (SELECT c.id, c.owner_id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
  "       AND u.login = 'manager' ORDER BY c.id LIMIT 1) c, generate_series (1, $1::int) g"
  " RETURNING id) SELECT count(*) FROM made";

/* A long column lists a screenful when it is filled (a filter, a read)
 * and grows to every card over the next frames. */
static void
test_long_column_grows (void)
{
  g_autofree char *made = crm_test_live_scalar (live, SQL_MANY_PROSPECTS, "60");
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmPipelineFilter) filter = crm_pipeline_filter_new ();
  guint count;

  g_assert_cmpstr (made, ==, "60");
  crm_test_iterate (1000);
  count = column_count (desktop, CRM_STAGE_PROSPECTING);
  g_assert_cmpuint (count, >=, 60);
  g_assert_cmpuint (crm_pipeline_board_get_n_listed (desktop->board, CRM_STAGE_PROSPECTING), ==, count);

  /* a filter that keeps them all fills the column again: a screenful */
  filter->amount_min = 1;
  crm_pipeline_page_set_filter (desktop->page, filter);
  g_assert_cmpuint (crm_pipeline_board_get_n_listed (desktop->board, CRM_STAGE_PROSPECTING), <, 30);
  crm_test_iterate (1000);
  g_assert_cmpuint (crm_pipeline_board_get_n_listed (desktop->board, CRM_STAGE_PROSPECTING), ==,
                    column_count (desktop, CRM_STAGE_PROSPECTING));
}

/* A saved view is kept in the settings and brings its filter back. */
static void
test_saved_views (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmPipelineFilter) filter = crm_pipeline_filter_new ();
  g_autoptr(CrmPipelineFilter) none = crm_pipeline_filter_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) views = NULL;
  guint all = g_list_model_get_n_items (crm_pipeline_model_get_items (crm_pipeline_page_get_model (desktop->page)));

  filter->amount_min = FILTER_AMOUNT_MIN;
  crm_pipeline_page_set_filter (desktop->page, filter);
  crm_pipeline_page_save_view (desktop->page, "Big deals");
  crm_pipeline_page_set_filter (desktop->page, none);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (crm_pipeline_page_get_model (desktop->page))),
                    ==, all);
  views = g_settings_get_value (settings, "pipeline-views");
  g_assert_cmpuint (g_variant_n_children (views), ==, 1);

  g_assert_true (crm_pipeline_page_apply_view (desktop->page, "Big deals"));
  g_assert_true (crm_pipeline_filter_equal (crm_pipeline_page_get_filter (desktop->page), filter));
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_model_get_items (crm_pipeline_page_get_model (desktop->page))),
                    <, all);
  g_assert_true (crm_pipeline_page_delete_view (desktop->page, "Big deals"));
  g_assert_false (crm_pipeline_page_apply_view (desktop->page, "Big deals"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  data_home = g_dir_make_tmp ("keyline-pipeline-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_application_setup_gettext ();
  crm_auth_init (NULL);

  if (!crm_test_live_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      return g_test_run ();
    }
  live = crm_test_live_new (200);

  g_test_add_func ("/client/pipeline/board/a-drop-moves-the-card-locally-and-after-sync-on-the-server",
                   test_drop_moves_locally_and_on_the_server);
  g_test_add_func ("/client/pipeline/board/the-keyboard-moves-the-focused-card-and-undo-moves-it-back",
                   test_keyboard_moves_the_focused_card);
  g_test_add_func ("/client/pipeline/board/quick-moves-replace-the-toast-and-the-board-outlives-its-animations",
                   test_quick_moves_replace_the_toast);
  g_test_add_func ("/client/pipeline/board/a-loss-moves-only-with-a-reason",
                   test_loss_asks_for_a_reason);
  g_test_add_func ("/client/pipeline/board/column-headers-equal-the-database-under-a-filter",
                   test_headers_equal_the_database_under_a_filter);
  g_test_add_func ("/client/pipeline/board/saved-views-bring-their-filter-back", test_saved_views);
  g_test_add_func ("/client/pipeline/board/a-long-column-lists-a-screenful-then-every-card", test_long_column_grows);

  status = g_test_run ();
  crm_test_live_free (live);
  g_rmdir (data_home);
  return status;
}
