/* The Board of a director's team or region from the server
 * (crm-pipeline-remote.c, crm-pipeline-board.c in server mode).
 *
 * First against the tiny test server (one answer at a time): a column's
 * first page and the pages Show More asks for (`after` = the last
 * page's `next`), the kept page shown when the server cannot be reached,
 * and a move of a card the store does not hold, queued based on the
 * record the server sent, with the server's figures asked again once
 * the server has taken it.
 *
 * Then against the real server (in-process, over a throwaway PostgreSQL
 * seeded by `keyline-server seed`): the seeded director signs in, syncs
 * and opens the Pipeline: the column headers are GET /pipeline's figures
 * and SQL's for the director's region; Show More appends the next page
 * in the server's order; a card the store does not hold, dropped on
 * another column, shows there at once and reaches PostgreSQL; offline
 * the kept board shows with its age.  The Table: every opportunity of the
 * region, sorted by the server's keys and paged as it scrolls; a bulk
 * change of rows the store does not hold, and its Undo, reach PostgreSQL.
 * Accessibility on. */
#define G_LOG_DOMAIN "test-gui-pipeline-remote"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <sqlite3.h>

#include "crm-api.h"
#include "crm-application.h"
#include "crm-auth.h"
#include "crm-opportunity-dialog.h"
#include "crm-pipeline-page.h"
#include "crm-pipeline-remote.h"
#include "crm-pipeline-table.h"
#include "crm-test-live.h"
#include "crm-test-server.h"
#include "crm-test-store.h"
#include "crm-window.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)

static CrmTestLive *live;

#define SCOPE "region:6f1c2a9e-0b7d-4c3e-9a51-2d4e8f7a1b03"
#define ID(n) "3d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c0" #n

/* A GET /opportunities answer: @n proposals from @first on, of @total. */
static char *
page_text (guint       first,
           guint       n,
           guint       total,
           const char *next)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "{\"scope\": \"%s\", \"as_of\": \"2026-12-03T13:00:00Z\", \"total\": %u, "
                          "\"opportunities\": [", SCOPE, total);
  for (guint i = first; i < first + n; i++)
    g_string_append_printf (s, "%s{\"id\": \"" ID (%u) "\", \"customer_id\": \"7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d\","
                            " \"customer_name\": \"东方电子\", \"owner_id\": null, \"owner_name\": \"王芳\","
                            " \"name\": \"Deal %u\", \"stage\": \"proposal\", \"amount_once\": %u,"
                            " \"amount_monthly\": 0, \"contract_months\": 12, \"probability\": null,"
                            " \"expected_close\": \"2027-01-%02u\", \"stage_changed_at\": null, \"version\": 7,"
                            " \"source\": \"direct\", \"product_lines\": []}",
                            i == first ? "" : ", ", i, i, 100000 * i, i + 1);
  g_string_append_printf (s, "], \"next\": %s%s%s}", next ? "\"" : "", next ? next : "null", next ? "\"" : "");
  return g_string_free (s, FALSE);
}

static const CrmPipelineStage stages[] = {
  { CRM_STAGE_PROPOSAL, 3, 50, TRUE },
  { CRM_STAGE_WON, 5, 100, FALSE },
  { CRM_STAGE_LOST, 6, 0, FALSE },
};

typedef struct
{
  CrmTestServer     *server;
  CrmTestStore      *store;
  CrmApi            *api;
  CrmPipelineRemote *remote;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->server = crm_test_server_new ();
  f->store = crm_test_store_new ();
  f->api = crm_api_new (f->server->url, &error);
  g_assert_no_error (error);
  crm_api_set_token (f->api, "token");
}

static CrmPipelineRemote *
remote_new (Fixture *f,
            CrmApi  *api)
{
  CrmPipelineRemote *remote = crm_pipeline_remote_new ();
  g_autoptr(CrmReportQuery) query = crm_report_query_new (SCOPE, NULL);

  crm_pipeline_remote_set_store (remote, f->store->store);
  crm_pipeline_remote_set_api (remote, api);
  crm_pipeline_remote_set_stages (remote, stages, G_N_ELEMENTS (stages));
  crm_report_query_set_filter (query, "amount_min", "100");
  crm_pipeline_remote_set_query (remote, query);
  return remote;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->remote != NULL)
    g_assert_finalize_object (f->remote);
  g_clear_object (&f->api);
  crm_test_iterate (20);
  crm_test_store_free (f->store);
  crm_test_server_free (f->server);
}

static void
wait_listed (CrmPipelineRemote *remote,
             guint              n)
{
  GListModel *items = crm_pipeline_remote_get_stage_items (remote, CRM_STAGE_PROPOSAL);
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_list_model_get_n_items (items) != n || crm_pipeline_remote_get_stage_loading (remote, CRM_STAGE_PROPOSAL))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static const char *
listed_title (CrmPipelineRemote *remote,
              guint              i)
{
  g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (crm_pipeline_remote_get_stage_items (remote,
                                                                                                  CRM_STAGE_PROPOSAL), i);

  return g_intern_string (crm_opportunity_item_get_title (item));
}

static void
test_fake_show_more_appends_the_next_page (Fixture       *f,
                                      gconstpointer  data)
{
  g_autofree char *first = page_text (1, 2, 3, "cursor-2");
  g_autofree char *last = page_text (3, 1, 3, NULL);

  crm_test_server_answer (f->server, 200, first, NULL);
  f->remote = remote_new (f, f->api);
  wait_listed (f->remote, 2);
  g_assert_cmpstr (g_hash_table_lookup (f->server->last_query, "scope"), ==, SCOPE);
  g_assert_true (crm_pipeline_remote_can_show_more (f->remote, CRM_STAGE_PROPOSAL));

  crm_test_server_answer (f->server, 200, last, NULL);
  crm_pipeline_remote_show_more (f->remote, CRM_STAGE_PROPOSAL);
  g_assert_false (crm_pipeline_remote_can_show_more (f->remote, CRM_STAGE_PROPOSAL));
  wait_listed (f->remote, 3);
  g_assert_cmpstr (f->server->last_path, ==, "/api/v1/opportunities");
  g_assert_cmpstr (g_hash_table_lookup (f->server->last_query, "after"), ==, "cursor-2");
  g_assert_cmpstr (g_hash_table_lookup (f->server->last_query, "stage"), ==, "proposal");
  g_assert_cmpstr (g_hash_table_lookup (f->server->last_query, "sort"), ==, "expected_close");
  g_assert_cmpstr (g_hash_table_lookup (f->server->last_query, "limit"), ==, "50");
  g_assert_cmpstr (g_hash_table_lookup (f->server->last_query, "amount_min"), ==, "100");
  g_assert_cmpstr (listed_title (f->remote, 0), ==, "Deal 1");
  g_assert_cmpstr (listed_title (f->remote, 2), ==, "Deal 3");
  g_assert_false (crm_pipeline_remote_can_show_more (f->remote, CRM_STAGE_PROPOSAL));
  g_assert_cmpint (crm_pipeline_remote_get_stage_total (f->remote, CRM_STAGE_PROPOSAL), ==, 3);
}

static void
test_kept_page_shows_offline (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *first = page_text (1, 2, 3, "cursor-2");
  g_autofree char *closed = crm_test_closed_url ();
  g_autoptr(CrmApi) offline = crm_api_new (closed, NULL);

  crm_test_server_answer (f->server, 200, first, NULL);
  f->remote = remote_new (f, f->api);
  wait_listed (f->remote, 2);
  g_assert_finalize_object (g_steal_pointer (&f->remote));

  f->remote = remote_new (f, offline);
  wait_listed (f->remote, 2);
  g_assert_cmpstr (listed_title (f->remote, 1), ==, "Deal 2");
}

static void
moved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  CrmPipelineMove **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = crm_pipeline_remote_move_finish (CRM_PIPELINE_REMOTE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_move_is_queued_on_the_server_record (Fixture       *f,
                                          gconstpointer  data)
{
  g_autofree char *first = page_text (1, 2, 2, NULL);
  g_autoptr(CrmPipelineMove) move = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GPtrArray) queued = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  guint requests;

  crm_test_server_answer (f->server, 200, first, NULL);
  f->remote = remote_new (f, f->api);
  wait_listed (f->remote, 2);

  crm_pipeline_remote_move_async (f->remote, ID (1), CRM_STAGE_WON, NULL, NULL, moved_cb, &move);
  /* out of its column at once */
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_remote_get_stage_items (f->remote, CRM_STAGE_PROPOSAL)),
                    ==, 1);
  while (move == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (move->from, ==, CRM_STAGE_PROPOSAL);

  queued = crm_store_list_mutations (f->store->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queued->len, ==, 1);
  m = crm_mutation_ref (queued->pdata[0]);
  g_assert_cmpstr (m->record_id, ==, ID (1));
  g_assert_cmpint (m->base_version, ==, 7);
  g_assert_cmpstr (json_object_get_string_member (m->base, "stage"), ==, "proposal");
  g_assert_cmpstr (json_object_get_string_member (m->fields, "stage"), ==, "won");
  g_assert_true (crm_store_is_remote_record (f->store->store, CRM_ENTITY_OPPORTUNITY, ID (1)));

  /* the server takes it: its figures are asked again */
  requests = f->server->requests;
  answer = json_object_ref (crm_opportunity_item_get_record (crm_pipeline_remote_lookup (f->remote, ID (1))));
  {
    g_autoptr(JsonObject) record = json_object_new ();
    g_autoptr(GList) names = json_object_get_members (answer);

    for (GList *l = names; l != NULL; l = l->next)
      json_object_set_member (record, l->data, json_node_copy (json_object_get_member (answer, l->data)));
    json_object_set_int_member (record, "version", 8);
    g_assert_true (crm_store_mutation_done (f->store->store, m->seq, record, &error));
    g_assert_no_error (error);
  }
  g_assert_false (crm_store_is_remote_record (f->store->store, CRM_ENTITY_OPPORTUNITY, ID (1)));
  crm_test_iterate (200);
  g_assert_cmpuint (f->server->requests, >, requests);
  g_assert_cmpstr (f->server->last_path, ==, "/api/v1/pipeline");
}

/* The Table of the fake server's page, in a window. */
static CrmPipelineTable *
table_new (Fixture                *f,
           CrmPipelineRemoteList **remote,
           GtkWidget             **window)
{
  CrmPipelineTable *table = CRM_PIPELINE_TABLE (crm_pipeline_table_new ());
  g_autoptr(CrmReportQuery) query = crm_report_query_new (SCOPE, NULL);
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  *remote = crm_pipeline_remote_list_new ();
  crm_pipeline_remote_list_set_store (*remote, f->store->store);
  crm_pipeline_remote_list_set_api (*remote, f->api);
  crm_pipeline_remote_list_set_stages (*remote, stages, G_N_ELEMENTS (stages));
  crm_pipeline_remote_list_set_query (*remote, query);
  crm_pipeline_table_set_store (table, f->store->store);
  crm_pipeline_table_set_role (table, "director");
  crm_pipeline_table_set_remote (table, *remote);
  *window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (*window), GTK_WIDGET (table));
  gtk_window_present (GTK_WINDOW (*window));
  while (crm_pipeline_remote_list_get_state (*remote) != CRM_REPORT_STATE_FRESH ||
         crm_pipeline_remote_list_get_loading (*remote))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return table;
}

static GtkWidget *
find_opportunity_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CRM_IS_OPPORTUNITY_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static CrmOpportunityItem *
row_of (CrmPipelineTable *table,
        const char       *id)
{
  GListModel *rows = crm_pipeline_table_get_rows (table);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (rows, i);

      if (g_str_equal (crm_opportunity_item_get_id (item), id))
        return g_steal_pointer (&item);
    }
  return NULL;
}

static void
test_table_edit_of_a_row_not_in_the_store (Fixture       *f,
                                           gconstpointer  data)
{
  g_autofree char *first = page_text (1, 2, 2, NULL);
  g_autoptr(CrmPipelineRemoteList) remote = NULL;
  g_autoptr(GPtrArray) queued = NULL;
  g_autoptr(CrmOpportunityItem) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) answer = NULL;
  CrmPipelineTable *table;
  GtkWidget *window;
  GtkWidget *dialog;
  GtkWidget *name_row, *amount_row, *amount_error;
  CrmMutation *m;
  guint requests;

  crm_test_server_answer (f->server, 200, first, NULL);
  table = table_new (f, &remote, &window);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_table_get_rows (table)), ==, 2);

  /* Enter on the first row: the Edit dialog of the server's record */
  g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (table), CRM_TYPE_PIPELINE_TABLE, "column_view"),
                         "activate", 0);
  dialog = find_opportunity_dialog ();
  g_assert_nonnull (dialog);
  name_row = GTK_WIDGET (gtk_widget_get_template_child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "name_row"));
  amount_row = GTK_WIDGET (gtk_widget_get_template_child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "amount_once_row"));
  amount_error = GTK_WIDGET (gtk_widget_get_template_child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "amount_error"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "Deal 1");

  /* the same checks as for a record of the store's: nothing queued */
  gtk_editable_set_text (GTK_EDITABLE (amount_row), "a lot");
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  crm_test_iterate (50);
  g_assert_true (find_opportunity_dialog () == dialog);
  g_assert_true (gtk_widget_get_visible (amount_error));
  g_assert_true (gtk_widget_has_css_class (amount_row, "error"));
  queued = crm_store_list_mutations (f->store->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queued->len, ==, 0);
  g_clear_pointer (&queued, g_ptr_array_unref);

  /* saved: only the changed field, based on the server's record */
  gtk_editable_set_text (GTK_EDITABLE (amount_row), "1000");
  gtk_editable_set_text (GTK_EDITABLE (name_row), "Deal 1, larger");
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  while (find_opportunity_dialog () != NULL)
    g_main_context_iteration (NULL, TRUE);
  queued = crm_store_list_mutations (f->store->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (queued->len, ==, 1);
  m = queued->pdata[0];
  g_assert_cmpstr (m->record_id, ==, ID (1));
  g_assert_cmpint (m->base_version, ==, 7);
  g_assert_cmpuint (json_object_get_size (m->fields), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (m->fields, "name"), ==, "Deal 1, larger");
  g_assert_cmpstr (json_object_get_string_member (m->base, "name"), ==, "Deal 1");
  g_assert_true (crm_store_is_remote_record (f->store->store, CRM_ENTITY_OPPORTUNITY, ID (1)));
  /* shown on its row at once */
  row = row_of (table, ID (1));
  g_assert_cmpstr (crm_opportunity_item_get_title (row), ==, "Deal 1, larger");

  /* the server takes it: the list is asked again */
  requests = f->server->requests;
  answer = json_object_new ();
  {
    JsonObject *record = crm_opportunity_item_get_record (row);
    g_autoptr(GList) names = json_object_get_members (record);

    for (GList *l = names; l != NULL; l = l->next)
      json_object_set_member (answer, l->data, json_node_copy (json_object_get_member (record, l->data)));
  }
  json_object_set_int_member (answer, "version", 8);
  g_assert_true (crm_store_mutation_done (f->store->store, m->seq, answer, &error));
  g_assert_no_error (error);
  crm_test_iterate (200);
  g_assert_cmpuint (f->server->requests, >, requests);
  g_assert_cmpstr (f->server->last_path, ==, "/api/v1/opportunities");

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (20);
}

static void
test_table_owner_change_shows_the_new_name (Fixture       *f,
                                            gconstpointer  data)
{
  g_autofree char *first = page_text (1, 2, 2, NULL);
  g_autoptr(CrmPipelineRemoteList) remote = NULL;
  g_autoptr(CrmOpportunityItem) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) page = json_from_string (
    "{\"users\": [{\"id\": \"0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b\", \"display_name\": \"李娜\","
    " \"role\": \"account_manager\", \"version\": 1}], \"cursor\": \"c1\"}", NULL);
  CrmPipelineTable *table;
  GtkWidget *window;

  g_assert_true (crm_store_apply_sync_page (f->store->store, json_node_get_object (page), &error));
  g_assert_no_error (error);
  crm_test_server_answer (f->server, 200, first, NULL);
  table = table_new (f, &remote, &window);
  gtk_selection_model_select_item (crm_pipeline_table_get_selection (table), 0, TRUE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (table), "table.set-owner", "s",
                                             "0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b"));
  while (crm_pipeline_table_is_busy (table))
    g_main_context_iteration (NULL, TRUE);
  row = row_of (table, ID (1));
  g_assert_cmpstr (json_object_get_string_member (crm_opportunity_item_get_record (row), "owner_id"), ==,
                   "0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b");
  g_assert_cmpstr (crm_opportunity_item_get_owner_name (row), ==, "李娜");

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (20);
}

/* ------------------------------------------------------------------ */
/* Against the real server                                             */
/* ------------------------------------------------------------------ */

/* The director's region and every region below it. */
#define SQL_SUBTREE \
  "(WITH RECURSIVE sub AS (SELECT r.id FROM crm.regions r JOIN crm.users u ON u.region_id = r.id" \
  "   AND u.login = 'director'" \
  "  UNION ALL SELECT r.id FROM crm.regions r JOIN sub ON r.parent_id = sub.id) SELECT id FROM sub)"
#define SQL_IN_STAGE \
  " FROM crm.opportunities o JOIN crm.pipeline_stages s ON s.stage = o.stage" \
  " WHERE o.stage = $1::crm.opportunity_stage AND o.region_id IN " SQL_SUBTREE
static const char SQL_COUNT[] = "SELECT count(*)" SQL_IN_STAGE;
static const char SQL_AMOUNT[] =
  "SELECT coalesce(sum(o.amount_once + o.amount_monthly * coalesce(o.contract_months, 12)), 0)" SQL_IN_STAGE;
static const char SQL_WEIGHTED[] =
  "SELECT coalesce(sum(((o.amount_once + o.amount_monthly * coalesce(o.contract_months, 12))"
  "                     * coalesce(o.probability, s.default_probability) + 50) / 100), 0)" SQL_IN_STAGE;
/* The 51st of a column in the board's order (the first of Show More's page). */
static const char SQL_FIFTY_FIRST[] =
  "SELECT o.id::text" SQL_IN_STAGE " ORDER BY coalesce (o.expected_close, 'infinity'::date), o.id OFFSET 50 LIMIT 1";
/* A colleague's opportunity in stage $1 of the region (not the director's own). */
static const char SQL_COLLEAGUES[] =
  "SELECT o.id::text" SQL_IN_STAGE
  " AND o.owner_id IS DISTINCT FROM (SELECT id FROM crm.users WHERE login = 'director')"
  " ORDER BY coalesce (o.expected_close, 'infinity'::date), o.id LIMIT 1";
static const char SQL_STAGE[] = "SELECT stage::text FROM crm.opportunities WHERE id = $1";

static const CrmStage open_stages[] = {
  CRM_STAGE_PROSPECTING, CRM_STAGE_QUALIFICATION, CRM_STAGE_PROPOSAL, CRM_STAGE_NEGOTIATION,
};

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

typedef struct
{
  CrmContext       *context;
  CrmWindow        *window;
  CrmPipelinePage  *page;
  CrmPipelineBoard *board;
} Desktop;

/* The board from the server, every column's first page in. */
static gboolean
server_board_shown (gpointer board)
{
  CrmPipelineRemote *remote = crm_pipeline_board_get_remote (board);

  if (remote == NULL || crm_pipeline_remote_get_state (remote) != CRM_REPORT_STATE_FRESH ||
      g_strcmp0 (crm_pipeline_board_get_state (board), "board") != 0)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (open_stages); i++)
    if (crm_pipeline_remote_get_stage_loading (remote, open_stages[i]))
      return FALSE;
  return TRUE;
}

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

/* The director signs in, syncs, and opens the Pipeline's Board. */
static Desktop *
desktop_new (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "director", &token);
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
  crm_test_wait_for (server_board_shown, self->board);
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

/* GET /pipeline as the board asked it. */
static CrmPipelineReport *
servers_totals (Desktop *desktop)
{
  CrmPipelineRemote *remote = crm_pipeline_board_get_remote (desktop->board);
  CrmApi *api = crm_context_get_api (desktop->context);
  GAsyncResult *result = NULL;
  g_autoptr(GError) error = NULL;
  CrmPipelineReport *report;

  crm_api_get_report_async (api, CRM_REPORT_PIPELINE, crm_pipeline_remote_get_query (remote), NULL,
                            crm_test_done_cb, &result);
  report = crm_api_get_report_finish (api, crm_test_wait_result (&result), NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  return report;
}

static const CrmPipelineStageTotal *
stage_total (CrmPipelineReport *report,
             CrmStage           stage)
{
  for (guint i = 0; i < report->stages->len; i++)
    if (g_array_index (report->stages, CrmPipelineStageTotal, i).stage == (int) stage)
      return &g_array_index (report->stages, CrmPipelineStageTotal, i);
  g_assert_not_reached ();
}

/* Every open column's header: the server's figures, and SQL's. */
static gboolean
headers_are_sqls (gpointer data)
{
  Desktop *desktop = data;

  for (guint i = 0; i < G_N_ELEMENTS (open_stages); i++)
    {
      const char *name = crm_stage_names[open_stages[i]];
      CrmPipelineTotals totals;

      crm_pipeline_board_get_header (desktop->board, open_stages[i], &totals);
      if (totals.count != (guint) scalar_int (SQL_COUNT, name) || totals.amount != scalar_int (SQL_AMOUNT, name) ||
          totals.weighted != scalar_int (SQL_WEIGHTED, name))
        return FALSE;
    }
  return TRUE;
}

static void
test_director_headers_are_the_servers_and_sqls (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmPipelineReport) report = servers_totals (desktop);
  CrmPipelineRemote *remote = crm_pipeline_board_get_remote (desktop->board);
  gint64 all = 0;

  g_assert_true (g_str_has_prefix (crm_report_query_get_scope (crm_pipeline_remote_get_query (remote)), "region:"));
  for (guint i = 0; i < G_N_ELEMENTS (open_stages); i++)
    {
      CrmStage stage = open_stages[i];
      const char *name = crm_stage_names[stage];
      const CrmPipelineStageTotal *server = stage_total (report, stage);
      CrmPipelineTotals shown;
      gint64 count = scalar_int (SQL_COUNT, name);

      crm_pipeline_board_get_header (desktop->board, stage, &shown);
      g_assert_cmpint (shown.count, ==, server->count);
      g_assert_cmpint (shown.amount, ==, server->amount);
      g_assert_cmpint (shown.weighted, ==, server->weighted);
      g_assert_cmpint (shown.count, ==, count);
      g_assert_cmpint (shown.amount, ==, scalar_int (SQL_AMOUNT, name));
      g_assert_cmpint (shown.weighted, ==, scalar_int (SQL_WEIGHTED, name));
      /* the column lists the first page of them */
      g_assert_cmpuint (crm_pipeline_board_get_n_listed (desktop->board, stage), ==, MIN (count, CRM_REMOTE_PAGE_SIZE));
      all += count;
    }
  /* the region is more than the director's own: the store could not say it */
  g_assert_cmpint (all, >, scalar_int ("SELECT count(*) FROM crm.opportunities o JOIN crm.users u ON u.id = o.owner_id"
                                       " AND u.login = $1 WHERE o.stage::text NOT IN ('won', 'lost')", "director"));
}

/* The column of @stage, by its name. */
static GtkWidget *
column_widget (Desktop  *desktop,
               CrmStage  stage)
{
  GtkWidget *box = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (desktop->board), CRM_TYPE_PIPELINE_BOARD,
                                                              "columns_box"));

  for (GtkWidget *c = gtk_widget_get_first_child (box); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (g_strcmp0 (gtk_widget_get_name (c), crm_stage_names[stage]) == 0)
      return c;
  g_assert_not_reached ();
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  Desktop  *desktop;
  CrmStage  stage;
  guint     n;
} Listed;

static gboolean
listed_is (gpointer data)
{
  Listed *l = data;

  return crm_pipeline_board_get_n_listed (l->desktop->board, l->stage) == l->n &&
         !crm_pipeline_remote_get_stage_loading (crm_pipeline_board_get_remote (l->desktop->board), l->stage);
}

static void
test_show_more_appends_the_next_page (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmPipelineRemote *remote = crm_pipeline_board_get_remote (desktop->board);
  CrmStage stage = CRM_N_STAGES;
  gint64 count = 0;
  GtkWidget *column, *button, *label;
  g_autofree char *fifty_first = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(CrmOpportunityItem) item = NULL;
  Listed listed;

  for (guint i = 0; i < G_N_ELEMENTS (open_stages) && stage == CRM_N_STAGES; i++)
    if ((count = scalar_int (SQL_COUNT, crm_stage_names[open_stages[i]])) > CRM_REMOTE_PAGE_SIZE)
      stage = open_stages[i];
  g_assert_cmpint (stage, !=, CRM_N_STAGES);
  column = column_widget (desktop, stage);
  button = find_named (column, "show-more");
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_cmpuint (crm_pipeline_board_get_n_listed (desktop->board, stage), ==, CRM_REMOTE_PAGE_SIZE);

  gtk_widget_activate (button);
  listed = (Listed) { desktop, stage, MIN (count, 2 * CRM_REMOTE_PAGE_SIZE) };
  crm_test_wait_for (listed_is, &listed);
  /* appended in the server's order: the 51st is SQL's 51st */
  fifty_first = crm_test_live_scalar (live, SQL_FIFTY_FIRST, crm_stage_names[stage]);
  item = g_list_model_get_item (crm_pipeline_remote_get_stage_items (remote, stage), CRM_REMOTE_PAGE_SIZE);
  g_assert_cmpstr (crm_opportunity_item_get_id (item), ==, fifty_first);
  label = gtk_widget_get_prev_sibling (button);
  expected = g_strdup_printf ("%u of %" G_GINT64_FORMAT " shown", listed.n, count);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==, expected);
  g_assert_cmpint (gtk_widget_get_visible (button), ==, count > 2 * CRM_REMOTE_PAGE_SIZE);
}

static gboolean
all_sent (gpointer context)
{
  return crm_sync_engine_get_status (crm_context_get_sync_engine (context)) == CRM_SYNC_STATUS_IDLE &&
         crm_store_count_unsent_changes (crm_context_get_store (context), NULL) == 0;
}

static gboolean
listed_in (CrmPipelineRemote *remote,
           CrmStage           stage,
           const char        *id)
{
  GListModel *items = crm_pipeline_remote_get_stage_items (remote, stage);

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (items, i);

      if (g_strcmp0 (crm_opportunity_item_get_id (item), id) == 0)
        return TRUE;
    }
  return FALSE;
}

/* What a director's store holds once the sync brings only their own
 * opportunities: the region's others are taken out of this one. */
static void
forget_colleagues_opportunities (Desktop *desktop)
{
  CrmStore *store = crm_context_get_store (desktop->context);
  g_autoptr(sqlite3) db = NULL;
  g_autofree char *sql = g_strdup_printf ("DELETE FROM opportunities WHERE owner_id IS NOT '%s'",
                                          json_object_get_string_member (crm_context_get_user (desktop->context),
                                                                         "id"));

  g_assert_cmpint (sqlite3_open (crm_store_get_path (store), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
}

static gboolean
is_in_store (CrmStore   *store,
             const char *customer_id,
             const char *id)
{
  g_autoptr(GPtrArray) records = crm_store_get_records (store, CRM_ENTITY_OPPORTUNITY, customer_id, NULL);

  for (guint i = 0; records != NULL && i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member (records->pdata[i], "id"), id) == 0)
      return TRUE;
  return FALSE;
}

static void
test_move_of_a_card_not_in_the_store_reaches_the_server (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmPipelineRemote *remote = crm_pipeline_board_get_remote (desktop->board);
  CrmStore *store = crm_context_get_store (desktop->context);
  g_autofree char *id = crm_test_live_scalar (live, SQL_COLLEAGUES, "proposal");
  g_autofree char *customer = NULL;
  g_autofree char *stage = NULL;
  GtkDropTarget *target = crm_pipeline_board_get_drop_target (desktop->board, CRM_STAGE_NEGOTIATION);
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  CrmPipelineTotals before, after;

  forget_colleagues_opportunities (desktop);
  g_assert_nonnull (id);
  g_assert_true (listed_in (remote, CRM_STAGE_PROPOSAL, id));
  customer = g_strdup (crm_opportunity_item_get_customer_id (crm_pipeline_remote_lookup (remote, id)));
  g_assert_false (is_in_store (store, customer, id));
  crm_pipeline_board_get_header (desktop->board, CRM_STAGE_NEGOTIATION, &before);

  /* dropped on Negotiation: there at once, counted in its header */
  g_value_init (&value, G_TYPE_STRING);
  g_value_set_string (&value, id);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
  g_assert_true (listed_in (remote, CRM_STAGE_NEGOTIATION, id));
  g_assert_false (listed_in (remote, CRM_STAGE_PROPOSAL, id));
  crm_pipeline_board_get_header (desktop->board, CRM_STAGE_NEGOTIATION, &after);
  g_assert_cmpuint (after.count, ==, before.count + 1);
  crm_test_iterate (200);
  /* queued on the server's record: here while it is unsent */
  g_assert_true (crm_store_is_remote_record (store, CRM_ENTITY_OPPORTUNITY, id));
  g_assert_cmpuint (crm_store_count_unsent_changes (store, NULL), ==, 1);

  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (all_sent, desktop->context);
  stage = crm_test_live_scalar (live, SQL_STAGE, id);
  g_assert_cmpstr (stage, ==, "negotiation");
  /* the server took it: the headers are the server's again, and SQL's */
  crm_test_wait_for (headers_are_sqls, desktop);
  g_assert_true (listed_in (remote, CRM_STAGE_NEGOTIATION, id));
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_list_view (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
no_opportunity_dialog (gpointer data)
{
  return find_opportunity_dialog () == NULL;
}

static void
test_board_edit_of_a_card_not_in_the_store (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmPipelineRemote *remote = crm_pipeline_board_get_remote (desktop->board);
  CrmStore *store = crm_context_get_store (desktop->context);
  g_autofree char *id = crm_test_live_scalar (live, SQL_COLLEAGUES, "proposal");
  g_autofree char *stage = NULL;
  g_autofree char *amount = NULL;
  g_autoptr(GPtrArray) queued = NULL;
  GListModel *items = crm_pipeline_remote_get_stage_items (remote, CRM_STAGE_PROPOSAL);
  GtkWidget *list, *dialog;
  CrmMutation *m;
  CrmPipelineTotals before, after;
  guint position = G_MAXUINT;

  forget_colleagues_opportunities (desktop);
  g_assert_nonnull (id);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (items, i);

      if (g_str_equal (crm_opportunity_item_get_id (item), id))
        position = i;
    }
  g_assert_cmpuint (position, !=, G_MAXUINT);
  crm_pipeline_board_get_header (desktop->board, CRM_STAGE_NEGOTIATION, &before);

  /* Enter on the card: the Edit dialog of the server's record */
  list = find_list_view (column_widget (desktop, CRM_STAGE_PROPOSAL));
  g_assert_nonnull (list);
  g_signal_emit_by_name (list, "activate", position);
  dialog = find_opportunity_dialog ();
  g_assert_nonnull (dialog);
  adw_combo_row_set_selected (ADW_COMBO_ROW (gtk_widget_get_template_child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG,
                                                                            "stage_row")), CRM_STAGE_NEGOTIATION);
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG,
                                                                      "amount_once_row")), "888888");
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  crm_test_wait_for (no_opportunity_dialog, NULL);

  /* queued on the server's record: the changed fields only */
  queued = crm_store_list_mutations (store, NULL);
  g_assert_cmpuint (queued->len, ==, 1);
  m = queued->pdata[0];
  g_assert_cmpstr (m->record_id, ==, id);
  g_assert_cmpuint (json_object_get_size (m->fields), ==, 2);
  g_assert_cmpint (json_object_get_int_member (m->fields, "amount_once"), ==, 88888800);
  g_assert_cmpstr (json_object_get_string_member (m->fields, "stage"), ==, "negotiation");
  g_assert_cmpstr (json_object_get_string_member (m->base, "stage"), ==, "proposal");
  g_assert_true (crm_store_is_remote_record (store, CRM_ENTITY_OPPORTUNITY, id));
  /* shown at once: in its new column, counted in its header */
  g_assert_true (listed_in (remote, CRM_STAGE_NEGOTIATION, id));
  g_assert_false (listed_in (remote, CRM_STAGE_PROPOSAL, id));
  crm_pipeline_board_get_header (desktop->board, CRM_STAGE_NEGOTIATION, &after);
  g_assert_cmpuint (after.count, ==, before.count + 1);
  g_assert_cmpint (after.amount, ==,
                   before.amount + crm_opportunity_item_get_amount (crm_pipeline_remote_lookup (remote, id)));

  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (all_sent, desktop->context);
  stage = crm_test_live_scalar (live, SQL_STAGE, id);
  g_assert_cmpstr (stage, ==, "negotiation");
  amount = crm_test_live_scalar (live, "SELECT amount_once::text FROM crm.opportunities WHERE id = $1", id);
  g_assert_cmpstr (amount, ==, "88888800");
  /* the server took it: the headers are the server's again, and SQL's */
  crm_test_wait_for (headers_are_sqls, desktop);
  g_assert_true (listed_in (remote, CRM_STAGE_NEGOTIATION, id));
}

static gboolean
remote_offline (gpointer board)
{
  return crm_pipeline_remote_get_state (crm_pipeline_board_get_remote (board)) == CRM_REPORT_STATE_OFFLINE;
}

static void
test_offline_the_kept_board_shows_with_its_age (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmPipelineRemote *remote = crm_pipeline_board_get_remote (desktop->board);
  GtkWidget *status = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (desktop->board), CRM_TYPE_PIPELINE_BOARD,
                                                     "status_label");
  CrmPipelineTotals online[G_N_ELEMENTS (open_stages)];
  guint listed = crm_pipeline_board_get_n_listed (desktop->board, CRM_STAGE_PROSPECTING);

  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (status)), "As of "));
  for (guint i = 0; i < G_N_ELEMENTS (open_stages); i++)
    crm_pipeline_board_get_header (desktop->board, open_stages[i], &online[i]);

  crm_test_live_stop (live);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desktop->board), "board.reload", NULL));
  crm_test_wait_for (remote_offline, desktop->board);
  crm_test_wait_drawn (desktop->board);
  g_assert_cmpstr (crm_pipeline_board_get_state (desktop->board), ==, "board");
  g_assert_true (gtk_widget_get_visible (status));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (status)), "Offline. As of "));
  for (guint i = 0; i < G_N_ELEMENTS (open_stages); i++)
    {
      CrmPipelineTotals kept;

      crm_pipeline_board_get_header (desktop->board, open_stages[i], &kept);
      g_assert_cmpuint (kept.count, ==, online[i].count);
      g_assert_cmpint (kept.amount, ==, online[i].amount);
    }
  g_assert_cmpuint (crm_pipeline_board_get_n_listed (desktop->board, CRM_STAGE_PROSPECTING), ==, listed);
  g_assert_true (remote == crm_pipeline_board_get_remote (desktop->board));
  crm_test_live_start (live);
}

static void
test_own_opportunities_stay_in_the_store (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autoptr(CrmPipelineFilter) mine = crm_pipeline_filter_new ();

  mine->owner_id = g_strdup (json_object_get_string_member (crm_context_get_user (desktop->context), "id"));
  crm_pipeline_page_set_filter (desktop->page, mine);
  g_assert_null (crm_pipeline_board_get_remote (desktop->board));
  crm_pipeline_filter_free (g_steal_pointer (&mine));
  mine = crm_pipeline_filter_new ();
  crm_pipeline_page_set_filter (desktop->page, mine);
  g_assert_nonnull (crm_pipeline_board_get_remote (desktop->board));
}

/* ------------------------------------------------------------------ */
/* The Table from the server                                           */
/* ------------------------------------------------------------------ */

#define SQL_REGION_ALL " FROM crm.opportunities o WHERE o.region_id IN " SQL_SUBTREE
#define SQL_AMOUNT_OF "(o.amount_once + o.amount_monthly * coalesce (o.contract_months, 12))"

static gboolean
table_listed (gpointer table)
{
  CrmPipelineRemoteList *remote = crm_pipeline_table_get_remote (table);

  return remote != NULL && crm_pipeline_remote_list_get_state (remote) == CRM_REPORT_STATE_FRESH &&
         !crm_pipeline_remote_list_get_loading (remote);
}

static CrmPipelineTable *
show_table (Desktop *desktop)
{
  AdwViewStack *views = ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (desktop->page),
                                                                       CRM_TYPE_PIPELINE_PAGE, "views"));
  CrmPipelineTable *table = CRM_PIPELINE_TABLE (gtk_widget_get_template_child (GTK_WIDGET (desktop->page),
                                                                              CRM_TYPE_PIPELINE_PAGE, "table"));

  adw_view_stack_set_visible_child_name (views, "table");
  crm_test_wait_for (table_listed, table);
  crm_test_wait_drawn (table);
  return table;
}

/* The amounts of the first @n rows, space-separated. */
static char *
listed_amounts (CrmPipelineTable *table,
                guint             n)
{
  GListModel *rows = crm_pipeline_table_get_rows (table);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < n && i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (rows, i);

      g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? " " : "", crm_opportunity_item_get_amount (item));
    }
  return g_string_free (s, FALSE);
}

static char *
sqls_amounts (guint n)
{
  g_autofree char *limit = g_strdup_printf ("%u", n);

  return crm_test_live_scalar (live, "SELECT string_agg (a::text, ' ' ORDER BY a DESC) FROM (SELECT " SQL_AMOUNT_OF
                               " AS a" SQL_REGION_ALL " ORDER BY 1 DESC LIMIT $1::int) t", limit);
}

typedef struct
{
  CrmPipelineTable *table;
  guint             n;
} Rows;

/* The list laid out: more rows than a screenful. */
static gboolean
is_laid_out (gpointer adjustment)
{
  return gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment) &&
         gtk_adjustment_get_page_size (adjustment) > 0;
}

static gboolean
rows_are (gpointer data)
{
  Rows *r = data;

  return g_list_model_get_n_items (crm_pipeline_table_get_rows (r->table)) == r->n &&
         !crm_pipeline_remote_list_get_loading (crm_pipeline_table_get_remote (r->table));
}

static void
test_table_sorts_by_a_server_key_and_pages (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmPipelineTable *table = show_table (desktop);
  CrmPipelineRemoteList *remote = crm_pipeline_table_get_remote (table);
  GtkColumnView *view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (table), CRM_TYPE_PIPELINE_TABLE,
                                                                        "column_view"));
  GtkColumnViewColumn *amount = GTK_COLUMN_VIEW_COLUMN (gtk_widget_get_template_child (GTK_WIDGET (table),
                                                                                       CRM_TYPE_PIPELINE_TABLE,
                                                                                       "amount_column"));
  GtkColumnViewColumn *customer = GTK_COLUMN_VIEW_COLUMN (gtk_widget_get_template_child (GTK_WIDGET (table),
                                                                                         CRM_TYPE_PIPELINE_TABLE,
                                                                                         "customer_column"));
  GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (GTK_WIDGET (table),
                                                                                    CRM_TYPE_PIPELINE_TABLE,
                                                                                    "scroller"));
  GtkLabel *label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (table), CRM_TYPE_PIPELINE_TABLE,
                                                              "remote_label"));
  gint64 total = scalar_int ("SELECT count(*)" SQL_REGION_ALL, NULL);
  g_autofree char *shown = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *page_text = NULL;
  GtkAdjustment *adjustment;
  gboolean descending;
  Rows rows;

  /* every opportunity of the region, a page of them listed */
  g_assert_cmpint (total, >, 2 * CRM_REMOTE_LIST_PAGE_SIZE);
  g_assert_cmpint (crm_pipeline_remote_list_get_total (remote), ==, total);
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_table_get_rows (table)), ==, CRM_REMOTE_LIST_PAGE_SIZE);
  page_text = g_strdup_printf ("%u of %" G_GINT64_FORMAT " shown", CRM_REMOTE_LIST_PAGE_SIZE, total);
  g_assert_nonnull (strstr (gtk_label_get_label (label), page_text));

  /* the header clicked: the server sorts, money largest first */
  gtk_column_view_sort_by_column (view, amount, GTK_SORT_ASCENDING);
  g_assert_cmpstr (crm_pipeline_remote_list_get_sort (remote, &descending), ==, "amount");
  g_assert_true (descending);
  crm_test_wait_for (table_listed, table);
  shown = listed_amounts (table, CRM_REMOTE_LIST_PAGE_SIZE);
  expected = sqls_amounts (CRM_REMOTE_LIST_PAGE_SIZE);
  g_assert_cmpstr (shown, ==, expected);

  /* scrolled to the end: the next page, in the same order */
  adjustment = gtk_scrolled_window_get_vadjustment (scroller);
  crm_test_wait_for (is_laid_out, adjustment);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  rows = (Rows) { table, 2 * CRM_REMOTE_LIST_PAGE_SIZE };
  crm_test_wait_for (rows_are, &rows);
  g_free (shown);
  g_free (expected);
  shown = listed_amounts (table, 2 * CRM_REMOTE_LIST_PAGE_SIZE);
  expected = sqls_amounts (2 * CRM_REMOTE_LIST_PAGE_SIZE);
  g_assert_cmpstr (shown, ==, expected);

  /* a column the server does not sort by leaves the order */
  gtk_column_view_sort_by_column (view, customer, GTK_SORT_ASCENDING);
  g_assert_cmpstr (crm_pipeline_remote_list_get_sort (remote, &descending), ==, "amount");
  g_assert_cmpuint (g_list_model_get_n_items (crm_pipeline_table_get_rows (table)), ==, 2 * CRM_REMOTE_LIST_PAGE_SIZE);
}

static gboolean
table_idle (gpointer table)
{
  return !crm_pipeline_table_is_busy (table);
}

static void
test_table_bulk_change_of_rows_not_in_the_store (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmPipelineTable *table = show_table (desktop);
  CrmStore *store = crm_context_get_store (desktop->context);
  GListModel *rows = crm_pipeline_table_get_rows (table);
  g_autoptr(CrmOpportunityItem) first = NULL;
  g_autoptr(CrmOpportunityItem) now = NULL;
  g_autofree char *id = NULL;
  g_autofree char *was = NULL;
  g_autofree char *stage = NULL;
  const char *to;

  forget_colleagues_opportunities (desktop);
  /* the latest to close first: open ones (the earliest are long won or lost) */
  crm_pipeline_remote_list_set_sort (crm_pipeline_table_get_remote (table), "expected_close", TRUE);
  crm_test_wait_for (table_listed, table);
  /* the first open colleague's row of the list */
  for (guint i = 0; i < g_list_model_get_n_items (rows) && id == NULL; i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (rows, i);
      CrmStage s = crm_opportunity_item_get_stage (item);

      if (s != CRM_STAGE_WON && s != CRM_STAGE_LOST &&
          !is_in_store (store, crm_opportunity_item_get_customer_id (item), crm_opportunity_item_get_id (item)))
        {
          id = g_strdup (crm_opportunity_item_get_id (item));
          gtk_selection_model_select_item (crm_pipeline_table_get_selection (table), i, TRUE);
          first = g_object_ref (item);
        }
    }
  g_assert_nonnull (id);
  was = g_strdup (crm_stage_names[crm_opportunity_item_get_stage (first)]);
  to = g_str_equal (was, "negotiation") ? "proposal" : "negotiation";

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (table), "table.set-stage", "s", to));
  crm_test_wait_for (table_idle, table);
  /* shown on the row at once, queued on the server's record */
  for (guint i = 0; i < g_list_model_get_n_items (rows) && now == NULL; i++)
    {
      g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (rows, i);

      if (g_str_equal (crm_opportunity_item_get_id (item), id))
        now = g_object_ref (item);
    }
  g_assert_cmpstr (crm_stage_names[crm_opportunity_item_get_stage (now)], ==, to);
  g_assert_true (crm_store_is_remote_record (store, CRM_ENTITY_OPPORTUNITY, id));
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (all_sent, desktop->context);
  stage = crm_test_live_scalar (live, SQL_STAGE, id);
  g_assert_cmpstr (stage, ==, to);

  /* Undo: back on the server too */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (table), "table.undo", NULL));
  crm_test_wait_for (table_idle, table);
  crm_sync_engine_sync_now (crm_context_get_sync_engine (desktop->context));
  crm_test_wait_for (all_sent, desktop->context);
  g_free (stage);
  stage = crm_test_live_scalar (live, SQL_STAGE, id);
  g_assert_cmpstr (stage, ==, was);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  int status;

  data_home = g_dir_make_tmp ("keyline-remote-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_application_setup_gettext ();
  crm_auth_init (NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/pipeline-remote/show-more-appends-the-next-page", test_fake_show_more_appends_the_next_page);
  ADD ("/pipeline-remote/kept-page-shows-offline", test_kept_page_shows_offline);
  ADD ("/pipeline-remote/move-is-queued-on-the-server-record", test_move_is_queued_on_the_server_record);
  ADD ("/pipeline-remote/table-edit-of-a-row-not-in-the-store", test_table_edit_of_a_row_not_in_the_store);
  ADD ("/pipeline-remote/table-owner-change-shows-the-new-name", test_table_owner_change_shows_the_new_name);
#undef ADD
  if (crm_test_live_available ())
    {
      /* enough for a column of the director's region to hold more than
       * a page (87 prospecting of 297 in all) */
      live = crm_test_live_new (6000);
      g_test_add_func ("/pipeline-remote/live/director-headers-are-the-servers-and-sqls",
                       test_director_headers_are_the_servers_and_sqls);
      g_test_add_func ("/pipeline-remote/live/show-more-appends-the-next-page", test_show_more_appends_the_next_page);
      g_test_add_func ("/pipeline-remote/live/move-of-a-card-not-in-the-store-reaches-the-server",
                       test_move_of_a_card_not_in_the_store_reaches_the_server);
      g_test_add_func ("/pipeline-remote/live/board-edit-of-a-card-not-in-the-store",
                       test_board_edit_of_a_card_not_in_the_store);
      g_test_add_func ("/pipeline-remote/live/offline-the-kept-board-shows-with-its-age",
                       test_offline_the_kept_board_shows_with_its_age);
      g_test_add_func ("/pipeline-remote/live/own-opportunities-stay-in-the-store",
                       test_own_opportunities_stay_in_the_store);
      g_test_add_func ("/pipeline-remote/live/table-sorts-by-a-server-key-and-pages",
                       test_table_sorts_by_a_server_key_and_pages);
      g_test_add_func ("/pipeline-remote/live/table-bulk-change-of-rows-not-in-the-store",
                       test_table_bulk_change_of_rows_not_in_the_store);
    }
  status = g_test_run ();
  g_clear_pointer (&live, crm_test_live_free);
  return status;
}
