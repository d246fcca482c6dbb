/* The Board of a director's team or region from the server
 * (crm-pipeline-remote.c, crm-pipeline-board.c in server mode).
 *
 * First against the tiny test server (one answer at a time): a column's
 * first page and the pages Show More asks for (`after` = the last
 * page's `next`), the kept page shown when the server cannot be reached,
 * and a move of a card the store does not hold, queued based on the
 * record the server sent, with the server's figures asked again once
 * the server has taken it.  Accessibility on. */
#define G_LOG_DOMAIN "test-gui-pipeline-remote"

#include "config.h"

#include <adwaita.h>

#include "crm-api.h"
#include "crm-pipeline-remote.h"
#include "crm-test-server.h"
#include "crm-test-store.h"

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
                            " \"expected_close\": \"2027-01-%02u\", \"stage_changed_at\": null, \"version\": 7}",
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
test_show_more_appends_the_next_page (Fixture       *f,
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

int
main (int    argc,
      char **argv)
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/pipeline-remote/show-more-appends-the-next-page", test_show_more_appends_the_next_page);
  ADD ("/pipeline-remote/kept-page-shows-offline", test_kept_page_shows_offline);
  ADD ("/pipeline-remote/move-is-queued-on-the-server-record", test_move_is_queued_on_the_server_record);
#undef ADD
  return g_test_run ();
}
