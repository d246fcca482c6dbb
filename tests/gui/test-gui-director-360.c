/* A director's 360° page and Forecast drill-down against the real server
 * (in-process, over a throwaway PostgreSQL seeded by `keyline-server
 * seed`), with accessibility on.  A director's local store holds only the
 * opportunities they own (the sync is narrowed on the server; here the
 * others' are also removed from the store as the sync's departures remove
 * them), so the customer's other open opportunities, the pipeline they
 * make and their stage changes come from GET /customers/{id}/360, are
 * kept, and are shown with their age offline; a person's opportunities
 * under the Forecast come from GET /opportunities.  Those the store does
 * hold are in the server's answer too and are counted once.  Every figure
 * is what plain SQL on the database says.  An account manager's page asks the
 * server nothing for opportunities. */
#define G_LOG_DOMAIN "test-gui-director-360"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "crm-application.h"
#include "crm-auth.h"
#include "crm-customer-brief.h"
#include "crm-customer-detail.h"
#include "crm-customer-header.h"
#include "crm-customer-remote.h"
#include "crm-customer-timeline.h"
#include "crm-customers-page.h"
#include "crm-format.h"
#include "crm-pipeline-forecast.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;

/* The region subtree of the demo director. */
#define DIRECTOR_REGIONS \
  "crm.region_subtree((SELECT region_id FROM crm.users WHERE login = 'director'))"
#define DIRECTOR_ID "(SELECT id FROM crm.users WHERE login = 'director')"

/* A customer of the director's region with open opportunities of other
 * owners (2 to 5 open ones, so that the page lists them all) and few
 * enough events that GET /360's timeline (its latest 200) holds every
 * stage change. */
static const char SQL_PICK[] =
  "SELECT c.id FROM crm.customers c"
  " WHERE c.region_id = ANY (" DIRECTOR_REGIONS ")"
  "   AND (SELECT count(*) FROM crm.opportunities o WHERE o.customer_id = c.id AND o.stage NOT IN ('won', 'lost')"
  "        AND o.owner_id IS DISTINCT FROM " DIRECTOR_ID ") BETWEEN 2 AND 5"
  "   AND (SELECT count(*) FROM crm.opportunities o WHERE o.customer_id = c.id AND o.stage NOT IN ('won', 'lost'))"
  "       <= 5"
  "   AND (SELECT count(*) FROM crm.interactions i WHERE i.customer_id = c.id)"
  "     + (SELECT 2 * count(*) FROM crm.service_requests q WHERE q.customer_id = c.id)"
  "     + (SELECT count(*) FROM crm.service_steps s JOIN crm.service_requests q ON q.id = s.request_id"
  "         WHERE q.customer_id = c.id)"
  "     + (SELECT count(*) FROM crm.opportunity_stage_history h JOIN crm.opportunities o ON o.id = h.opportunity_id"
  "         WHERE o.customer_id = c.id)"
  "     + (SELECT count(*) FROM crm.campaign_members m WHERE m.customer_id = c.id) < 200"
  " ORDER BY (SELECT count(*) FROM crm.opportunities o WHERE o.customer_id = c.id"
  "           AND o.stage NOT IN ('won', 'lost')) DESC, c.id"
  " LIMIT 1";
/* the ids of the customer's opportunities the director does not own, as
 * a JSON array (the departures a narrowed sync sends) */
static const char SQL_OTHERS[] =
  "SELECT coalesce(json_agg(id ORDER BY id), '[]') FROM crm.opportunities"
  " WHERE customer_id = $1 AND owner_id IS DISTINCT FROM " DIRECTOR_ID;
static const char SQL_OWN[] =
  "SELECT count(*) FROM crm.opportunities WHERE customer_id = $1 AND owner_id = " DIRECTOR_ID;
static const char SQL_OPEN_OTHERS[] =
  "SELECT count(*) FROM crm.opportunities WHERE customer_id = $1 AND stage NOT IN ('won', 'lost')"
  " AND owner_id IS DISTINCT FROM " DIRECTOR_ID;
static const char SQL_OPEN_NAMES[] =
  "SELECT string_agg(name, E'\\n' ORDER BY id) FROM crm.opportunities"
  " WHERE customer_id = $1 AND stage NOT IN ('won', 'lost')";
static const char SQL_PIPELINE[] =
  "SELECT coalesce(sum(amount_once + amount_monthly * contract_months), 0) FROM crm.opportunities"
  " WHERE customer_id = $1 AND stage NOT IN ('won', 'lost')";
static const char SQL_WEIGHTED[] =
  "SELECT coalesce(sum(((o.amount_once + o.amount_monthly * o.contract_months)"
  "                     * coalesce(o.probability, s.default_probability) + 50) / 100), 0)"
  " FROM crm.opportunities o JOIN crm.pipeline_stages s ON s.stage = o.stage"
  " WHERE o.customer_id = $1 AND o.stage NOT IN ('won', 'lost')";
static const char SQL_STAGE_CHANGES[] =
  "SELECT count(*) FROM crm.opportunity_stage_history h JOIN crm.opportunities o ON o.id = h.opportunity_id"
  " WHERE o.customer_id = $1";
/* an account manager's customer with open opportunities */
static const char SQL_MANAGER_PICK[] =
  "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id AND u.login = 'manager'"
  " WHERE EXISTS (SELECT 1 FROM crm.opportunities o WHERE o.customer_id = c.id AND o.stage NOT IN ('won', 'lost'))"
  " ORDER BY c.id LIMIT 1";

static gint64
scalar_int (const char *sql,
            const char *id)
{
  g_autofree char *text = crm_test_live_scalar (live, sql, id);

  g_assert_nonnull (text);
  return g_ascii_strtoll (text, NULL, 10);
}

static char *
money (const char *sql,
       const char *id)
{
  return crm_format_money (scalar_int (sql, id));
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
page_listed (gpointer page)
{
  CrmCustomerModel *model = crm_customers_page_get_model (page);

  return g_strcmp0 (crm_customers_page_get_state (page), "list") == 0 &&
         model != NULL && !crm_customer_model_is_busy (model);
}

typedef struct
{
  CrmContext *context;
  CrmWindow  *window;
} Desktop;

static Desktop *
desktop_new (const char *login)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, login, &token);
  Desktop *self = g_new0 (Desktop, 1);

  self->context = crm_context_new (settings);
  crm_context_set_sync_interval (self->context, 0);
  self->window = g_object_ref_sink (crm_window_new (NULL, self->context));
  gtk_window_set_default_size (GTK_WINDOW (self->window), 1280, 900);
  gtk_window_present (GTK_WINDOW (self->window));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", crm_test_live_get_url (live), TRUE);
  crm_context_restore_async (self->context, NULL, NULL, NULL);
  crm_test_wait_for (signed_in, self->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");

  crm_test_wait_for (engine_idle, crm_context_get_sync_engine (self->context));
  crm_test_wait_for (page_listed, crm_window_get_customers_page (self->window));
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

static CrmCustomerDetail *
detail_of (Desktop *desktop)
{
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);

  return CRM_CUSTOMER_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "detail"));
}

static GtkWidget *
part (CrmCustomerDetail *detail,
      const char        *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (detail), CRM_TYPE_CUSTOMER_DETAIL, name));
}

typedef struct
{
  CrmRemoteAnswer *remote;
  CrmReportState   state;
} StateWait;

static gboolean
state_is (gpointer data)
{
  StateWait *wait = data;

  return crm_remote_answer_get_state (wait->remote) == wait->state;
}

static void
wait_remote (CrmRemoteAnswer *remote,
             CrmReportState   state)
{
  StateWait wait = { remote, state };

  crm_test_wait_for (state_is, &wait);
  crm_test_iterate (50);
}

static gboolean
timeline_idle (gpointer timeline)
{
  return !crm_customer_timeline_is_busy (timeline);
}

static CrmCustomerDetail *
open_customer (Desktop    *desktop,
               const char *id)
{
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);
  CrmCustomerDetail *detail = detail_of (desktop);

  g_assert_true (crm_customers_page_open_customer (page, id));
  crm_test_wait_drawn (detail);
  crm_test_iterate (100);
  return detail;
}

/* The rows of the customer's other owners' opportunities (named "remote"
 * by the Work section), under @widget. */
static guint
count_remote_rows (GtkWidget *widget)
{
  guint n = g_strcmp0 (gtk_widget_get_name (widget), "remote") == 0 && gtk_widget_get_visible (widget) ? 1 : 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    n += count_remote_rows (c);
  return n;
}

/* The customer's open opportunities of other owners the store holds. */
static guint
open_others_in_store (CrmStore   *store,
                      const char *id)
{
  g_autofree char *director = crm_test_live_scalar (live, "SELECT " DIRECTOR_ID, NULL);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  records = crm_store_get_records (store, CRM_ENTITY_OPPORTUNITY, id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *o = records->pdata[i];
      const char *stage = json_object_get_string_member_with_default (o, "stage", "");

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "owner_id", NULL), director) != 0 &&
          g_strcmp0 (stage, "won") != 0 && g_strcmp0 (stage, "lost") != 0)
        n++;
    }
  g_test_message ("%u open opportunities of other owners in the store", n);
  return n;
}

/* What a narrowed sync does to the director's store: the customer's
 * opportunities of other owners depart, with their stage history. */
static void
remove_others (CrmStore   *store,
               const char *id)
{
  g_autofree char *ids_text = crm_test_live_scalar (live, SQL_OTHERS, id);
  g_autoptr(JsonNode) ids = json_from_string (ids_text, NULL);
  g_autoptr(JsonObject) page = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) left = NULL;
  JsonArray *removed = json_array_new ();

  g_assert_nonnull (ids);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (ids)); i++)
    {
      JsonObject *departure = json_object_new ();
      JsonObject *key = json_object_new ();

      json_object_set_string_member (key, "id", json_array_get_string_element (json_node_get_array (ids), i));
      json_object_set_string_member (departure, "entity", "opportunity");
      json_object_set_object_member (departure, "key", key);
      json_object_set_string_member (departure, "customer_id", id);
      json_array_add_object_element (removed, departure);
    }
  json_object_set_array_member (page, "removed", removed);
  g_assert_true (crm_store_apply_sync_page (store, page, &error));
  g_assert_no_error (error);

  /* the store holds the director's own alone */
  left = crm_store_get_records (store, CRM_ENTITY_OPPORTUNITY, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (left->len, ==, scalar_int (SQL_OWN, id));
}

static void
assert_pipeline (CrmCustomerDetail *detail,
                 const char        *id)
{
  CrmCustomerHeader *header = CRM_CUSTOMER_HEADER (part (detail, "header"));
  g_autofree char *pipeline = money (SQL_PIPELINE, id);
  g_autofree char *weighted = money (SQL_WEIGHTED, id);
  g_autofree char *weighted_text = g_strdup_printf (_("Weighted %s"), weighted);

  g_test_message ("pipeline %s, %s", crm_customer_header_get_value (header, "pipeline"),
                  crm_customer_header_get_value (header, "pipeline_weighted"));
  g_assert_cmpstr (crm_customer_header_get_value (header, "pipeline"), ==, pipeline);
  g_assert_cmpstr (crm_customer_header_get_value (header, "pipeline_weighted"), ==, weighted_text);
}

/* Whether a row titled @title is shown under @widget. */
static gboolean
row_shown (GtkWidget  *widget,
           const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return gtk_widget_get_mapped (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (row_shown (c, title))
      return TRUE;
  return FALSE;
}

/* Every open opportunity of the customer is listed, the others' marked
 * as the server's. */
static void
assert_work (CrmCustomerDetail *detail,
             const char        *id)
{
  g_autofree char *names = crm_test_live_scalar (live, SQL_OPEN_NAMES, id);
  g_auto(GStrv) each = g_strsplit (names, "\n", -1);
  GtkWidget *work = part (detail, "work_section");

  g_assert_cmpuint (count_remote_rows (work), ==, scalar_int (SQL_OPEN_OTHERS, id));
  for (guint i = 0; each[i] != NULL; i++)
    {
      g_test_message ("open opportunity %s", each[i]);
      g_assert_true (row_shown (work, each[i]));
    }
}

static guint
n_stage_entries (CrmCustomerDetail *detail)
{
  CrmCustomerTimeline *timeline = CRM_CUSTOMER_TIMELINE (part (detail, "timeline_section"));
  GListModel *model;
  guint n;

  crm_test_wait_for (timeline_idle, timeline);
  crm_customer_timeline_set_filter (timeline, CRM_TIMELINE_OPPORTUNITY);
  model = crm_customer_timeline_get_model (timeline);
  n = g_list_model_get_n_items (model);
  crm_customer_timeline_set_filter (timeline, CRM_TIMELINE_ALL);
  return n;
}

/* The brief of the customer as the page writes it (customer.export-pdf
 * hands the page's answer over): its text (pdftotext) has the pipeline of
 * every open opportunity, as SQL sums it, and where the others' came from. */
static void
assert_brief (CrmStore        *store,
              CrmRemoteAnswer *remote,
              const char      *id)
{
  g_autofree char *path = g_build_filename (data_home, "brief.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = crm_customer_brief_remote_note (crm_remote_answer_get_state (remote),
                                                          crm_remote_answer_get_fetched_at (remote));
  g_autofree char *pipeline = money (SQL_PIPELINE, id);
  g_autofree char *weighted = money (SQL_WEIGHTED, id);
  g_autofree char *line = g_strdup_printf ("Open pipeline %s, weighted %s", pipeline, weighted);
  g_autofree char *text = NULL;
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };
  int status = -1;

  crm_customer_brief_write_with_remote_async (store, id,
                                              crm_customer_remote_opportunities (crm_remote_answer_get_answer (remote)),
                                              note, file, NULL, crm_test_done_cb, &result);
  g_assert_true (crm_customer_brief_write_finish (crm_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &text,
                NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("brief: %s", line);
  g_assert_nonnull (strstr (text, line));
  g_assert_nonnull (strstr (text, "Other owners’ opportunities from the server."));
  g_unlink (path);
}

/* Whether the customer list shows its open pipeline column (the window
 * is wide enough for every column). */
static gboolean
list_shows_pipeline (Desktop *desktop)
{
  GObject *column = gtk_widget_get_template_child (GTK_WIDGET (crm_window_get_customers_page (desktop->window)),
                                                   CRM_TYPE_CUSTOMERS_PAGE, "pipeline_column");

  crm_test_iterate (20);
  return gtk_column_view_column_get_visible (GTK_COLUMN_VIEW_COLUMN (column));
}

static void
test_director_sees_others_opportunities_and_keeps_them (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("director");
  g_autofree char *id = crm_test_live_scalar (live, SQL_PICK, NULL);
  CrmStore *store = crm_context_get_store (desktop->context);
  CrmCustomerDetail *detail;
  CrmRemoteAnswer *remote;
  const char *description;

  g_assert_nonnull (id);
  /* the store has the director's own opportunities only: the list would
   * sum those */
  g_assert_false (list_shows_pipeline (desktop));
  g_test_message ("customer %s: %" G_GINT64_FORMAT " open opportunities of other owners", id,
                  scalar_int (SQL_OPEN_OTHERS, id));
  detail = detail_of (desktop);
  remote = crm_customer_detail_get_remote (detail);

  /* those the store holds are in the server's answer too: counted once,
   * as the store's (whatever the sync left in the store) */
  open_customer (desktop, id);
  wait_remote (remote, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (detail);
  assert_pipeline (detail, id);
  g_assert_cmpuint (count_remote_rows (part (detail, "work_section")), ==,
                    scalar_int (SQL_OPEN_OTHERS, id) - open_others_in_store (store, id));
  crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
  crm_test_iterate (200);

  remove_others (store, id);

  /* the page: the others' from the server, the pipeline of them all */
  open_customer (desktop, id);
  wait_remote (remote, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (detail);
  assert_pipeline (detail, id);
  assert_work (detail, id);
  description = adw_preferences_group_get_description (
    ADW_PREFERENCES_GROUP (gtk_widget_get_first_child (part (detail, "work_section"))));
  g_test_message ("%s", description);
  g_assert_true (g_str_has_prefix (description, "Other owners’ opportunities from the server. As of "));
  /* the timeline has every stage change, the others' from the server */
  g_assert_cmpuint (n_stage_entries (detail), ==, scalar_int (SQL_STAGE_CHANGES, id));
  /* the brief the same figures */
  assert_brief (store, remote, id);

  /* offline after one visit: the kept answer, with its age */
  crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
  crm_test_iterate (200);
  crm_test_live_stop (live);
  open_customer (desktop, id);
  wait_remote (remote, CRM_REPORT_STATE_OFFLINE);
  crm_test_wait_drawn (detail);
  assert_pipeline (detail, id);
  assert_work (detail, id);
  description = adw_preferences_group_get_description (
    ADW_PREFERENCES_GROUP (gtk_widget_get_first_child (part (detail, "work_section"))));
  g_test_message ("%s", description);
  g_assert_true (g_str_has_prefix (description, "Other owners’ opportunities from the server. Offline. As of "));
  g_assert_nonnull (strstr (description, "just now"));
  g_assert_cmpuint (n_stage_entries (detail), ==, scalar_int (SQL_STAGE_CHANGES, id));
  crm_test_live_start (live);
}

static void
test_manager_page_asks_nothing_for_opportunities (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autofree char *id = crm_test_live_scalar (live, SQL_MANAGER_PICK, NULL);
  CrmCustomerDetail *detail;
  CrmRemoteAnswer *remote;
  g_autofree char *pipeline = NULL;
  const char *description;

  g_assert_nonnull (id);
  g_assert_true (list_shows_pipeline (desktop));
  detail = open_customer (desktop, id);
  remote = crm_customer_detail_get_remote (detail);
  crm_test_iterate (500);
  g_assert_cmpuint (crm_remote_answer_get_n_requests (remote), ==, 0);
  g_assert_cmpint (crm_remote_answer_get_state (remote), ==, CRM_REPORT_STATE_EMPTY);
  description = adw_preferences_group_get_description (
    ADW_PREFERENCES_GROUP (gtk_widget_get_first_child (part (detail, "work_section"))));
  g_assert_cmpstr (description ? description : "", ==, "");
  /* from the store, as before */
  pipeline = money (SQL_PIPELINE, id);
  g_assert_cmpstr (crm_customer_header_get_value (CRM_CUSTOMER_HEADER (part (detail, "header")), "pipeline"), ==,
                   pipeline);
}

/* ------------------------------------------------------------------ */
/* The Forecast's drill-down to a person                               */
/* ------------------------------------------------------------------ */

/* A person of the director's first team with opportunities counted in
 * this year (won closing in it, open expected in it), and their names,
 * largest first. */
static const char SQL_PERSON_NAMES[] =
  "SELECT string_agg(name, E'\\n' ORDER BY amount_once + amount_monthly * contract_months DESC, id DESC)"
  " FROM crm.opportunities WHERE owner_id = $1::uuid"
  " AND ((stage = 'won' AND closed_on BETWEEN date_trunc('year', current_date)::date"
  "                                        AND (date_trunc('year', current_date) + interval '1 year - 1 day')::date)"
  "   OR (stage NOT IN ('won', 'lost') AND expected_close BETWEEN date_trunc('year', current_date)::date"
  "                                        AND (date_trunc('year', current_date) + interval '1 year - 1 day')::date))";

static GtkWidget *
forecast_child (CrmPipelineForecast *page,
                const char          *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_PIPELINE_FORECAST, name));
}

static gboolean
forecast_fresh (gpointer page)
{
  return crm_report_loader_get_state (crm_pipeline_forecast_get_loader (page)) == CRM_REPORT_STATE_FRESH;
}

static void
test_forecast_person_is_the_servers (void)
{
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "director", &token);
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *period = g_strdup_printf ("%d", g_date_time_get_year (now));
  g_autofree char *region = NULL;
  g_autofree char *user_id = crm_test_live_scalar (live, "SELECT id FROM crm.users WHERE login = 'director'", NULL);
  g_autofree char *region_id = crm_test_live_scalar (live, "SELECT region_id FROM crm.users WHERE login = 'director'",
                                                     NULL);
  g_autoptr(JsonObject) user = json_object_new ();
  GtkWidget *window = gtk_window_new ();
  CrmPipelineForecast *page = CRM_PIPELINE_FORECAST (crm_pipeline_forecast_new ());
  GtkListBox *rows = GTK_LIST_BOX (forecast_child (page, "rows_list"));
  CrmRemoteAnswer *remote = crm_pipeline_forecast_get_person_remote (page);
  const char *person = NULL;
  g_autofree char *names = NULL;
  g_auto(GStrv) each = NULL;
  guint shown = 0;

  json_object_set_string_member (user, "id", user_id);
  json_object_set_string_member (user, "role", "director");
  json_object_set_string_member (user, "region_id", region_id);
  region = g_strconcat ("region:", region_id, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  crm_pipeline_forecast_set_period (page, period);
  crm_pipeline_forecast_set_user (page, user);
  /* an empty store: whatever is listed is the server's */
  crm_pipeline_forecast_set_store (page, store->store);
  crm_pipeline_forecast_set_api (page, api);
  g_assert_true (crm_pipeline_forecast_set_scope (page, region));
  gtk_window_present (GTK_WINDOW (window));
  crm_test_wait_for (forecast_fresh, page);

  /* the first team, then its first person other than the director */
  g_signal_emit_by_name (rows, "row-activated", gtk_list_box_get_row_at_index (rows, 0));
  crm_test_wait_for (forecast_fresh, page);
  for (int i = 0; person == NULL && gtk_list_box_get_row_at_index (rows, i) != NULL; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (rows, i);
      const char *row_id = g_object_get_data (G_OBJECT (row), "crm-id");

      if (row_id != NULL && g_strcmp0 (row_id, user_id) != 0)
        {
          person = row_id;
          names = crm_test_live_scalar (live, SQL_PERSON_NAMES, person);
          g_signal_emit_by_name (rows, "row-activated", row);
        }
    }
  g_assert_nonnull (person);
  g_assert_nonnull (names);
  wait_remote (remote, CRM_REPORT_STATE_FRESH);
  crm_test_wait_drawn (window);

  /* the person's opportunities of the year, largest first, as SQL lists them */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (forecast_child (page, "stack"))), ==,
                   "opportunities");
  each = g_strsplit (names, "\n", -1);
  for (GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (forecast_child (page, "opportunities_list")),
                                                             0);
       row != NULL;
       row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (forecast_child (page, "opportunities_list")), shown))
    {
      g_assert_nonnull (each[shown]);
      g_test_message ("%s | %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), each[shown]);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, each[shown]);
      shown++;
    }
  g_test_message ("%u opportunities of %s", shown, person);
  g_assert_cmpuint (shown, ==, g_strv_length (each));
  g_assert_cmpuint (shown, >, 0);

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* accessibility on, whatever the environment says */
  g_unsetenv ("GTK_A11Y");
  data_home = g_dir_make_tmp ("keyline-director-360-XXXXXX", &error);
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

  g_test_add_func ("/client/director-360/others-opportunities-come-from-the-server-and-stay-offline",
                   test_director_sees_others_opportunities_and_keeps_them);
  g_test_add_func ("/client/director-360/an-account-managers-page-asks-nothing-for-opportunities",
                   test_manager_page_asks_nothing_for_opportunities);
  g_test_add_func ("/client/director-360/forecast-person-lists-the-servers-opportunities",
                   test_forecast_person_is_the_servers);

  status = g_test_run ();
  crm_test_live_free (live);
  g_rmdir (data_home);
  return status;
}
