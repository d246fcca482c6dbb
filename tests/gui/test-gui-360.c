/* The 360° page against the real server (in-process, over a throwaway
 * PostgreSQL seeded by `keyline-server seed`): an account manager signs
 * in, syncs, and opens one of their customers; the header's figures
 * (monthly revenue, ARPU and its trend, arrears and their age, open
 * complaints, the open pipeline unweighted and weighted, the warnings)
 * and the Services and Work in progress sections must be what plain SQL
 * on the database says, worked out here independently of the client.
 * Accessibility on.  With KEYLINE_TEST_SHOT=FILE.png it also saves a
 * picture of the window showing the page. */
#define G_LOG_DOMAIN "test-gui-360"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "crm-application.h"
#include "crm-auth.h"
#include "crm-customer-detail.h"
#include "crm-customer-header.h"
#include "crm-customer-services.h"
#include "crm-customers-page.h"
#include "crm-format.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;

/* Three of the manager's customers with the most to show: the first by
 * arrears above a month of revenue, the second by open complaints, the
 * third by open pipeline ($2: 0, 1, 2). */
static const char SQL_PICK[] =
  "SELECT id FROM (SELECT c.id, c.arrears > c.monthly_revenue AND c.monthly_revenue > 0 AS arrears,"
  "   (SELECT count(*) FROM crm.service_requests r WHERE r.customer_id = c.id"
  "    AND r.kind = 'complaint' AND r.status IN ('open', 'in_progress')) AS complaints,"
  "   (SELECT count(*) FROM crm.opportunities o WHERE o.customer_id = c.id"
  "    AND o.stage NOT IN ('won', 'lost')) AS opportunities,"
  "   (SELECT count(*) FROM crm.subscriptions s WHERE s.customer_id = c.id) AS subscriptions"
  "  FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id AND u.login = 'manager') k"
  " ORDER BY CASE $1::int WHEN 0 THEN arrears::int WHEN 1 THEN complaints ELSE opportunities END DESC,"
  "   subscriptions DESC, id"
  " LIMIT 1";

static const char SQL_LINES[] =
  "SELECT coalesce(sum(quantity), 0) FROM crm.subscriptions WHERE customer_id = $1 AND status = 'active'";
static const char SQL_MRR[] = "SELECT monthly_revenue FROM crm.customers WHERE id = $1";
static const char SQL_ARPU[] =
  "SELECT round(c.monthly_revenue::numeric / s.lines) FROM crm.customers c,"
  " (SELECT sum(quantity) AS lines FROM crm.subscriptions WHERE customer_id = $1 AND status = 'active') s"
  " WHERE c.id = $1 AND s.lines > 0";
/* the latest month's revenue over the same lines: the sparkline's last point */
static const char SQL_ARPU_LATEST[] =
  "SELECT round(r.revenue::numeric / s.lines) FROM"
  " (SELECT revenue FROM crm.revenue_months WHERE customer_id = $1 ORDER BY month DESC LIMIT 1) r,"
  " (SELECT sum(quantity) AS lines FROM crm.subscriptions WHERE customer_id = $1 AND status = 'active') s"
  " WHERE s.lines > 0";
static const char SQL_ARREARS[] = "SELECT arrears FROM crm.customers WHERE id = $1";
/* every month after the latest one without arrears */
static const char SQL_ARREARS_AGE[] =
  "SELECT count(*) FROM crm.revenue_months WHERE customer_id = $1 AND month >"
  " coalesce((SELECT max(month) FROM crm.revenue_months WHERE customer_id = $1 AND arrears = 0), '-infinity')";
static const char SQL_COMPLAINTS[] =
  "SELECT count(*) FROM crm.service_requests WHERE customer_id = $1 AND kind = 'complaint'"
  " AND status NOT IN ('resolved', 'closed')";
static const char SQL_PIPELINE[] =
  "SELECT coalesce(sum(amount_once + amount_monthly * contract_months), 0) FROM crm.opportunities"
  " WHERE customer_id = $1 AND stage NOT IN ('won', 'lost')";
static const char SQL_WEIGHTED[] =
  "SELECT coalesce(sum(((o.amount_once + o.amount_monthly * o.contract_months)"
  "                     * coalesce(o.probability, s.default_probability) + 50) / 100), 0)"
  " FROM crm.opportunities o JOIN crm.pipeline_stages s ON s.stage = o.stage"
  " WHERE o.customer_id = $1 AND o.stage NOT IN ('won', 'lost')";
static const char SQL_OPEN_OPPORTUNITIES[] =
  "SELECT count(*) FROM crm.opportunities WHERE customer_id = $1 AND stage NOT IN ('won', 'lost')";
static const char SQL_OPEN_REQUESTS[] =
  "SELECT count(*) FROM crm.service_requests WHERE customer_id = $1 AND status IN ('open', 'in_progress')";
static const char SQL_SUBSCRIPTIONS[] = "SELECT count(*) FROM crm.subscriptions WHERE customer_id = $1";
static const char SQL_PRODUCT_LINES[] =
  "SELECT count(DISTINCT p.category) FROM crm.subscriptions s JOIN crm.products p ON p.id = s.product_id"
  " WHERE s.customer_id = $1";
/* the four warnings, as bits (crm-customer-warnings.h) */
static const char SQL_WARNINGS[] =
  "SELECT (CASE WHEN c.arrears > 0 AND c.arrears > c.monthly_revenue THEN 1 ELSE 0 END)"
  " + (CASE WHEN c.churn_risk >= 70 THEN 2 ELSE 0 END)"
  " + (CASE WHEN EXISTS (SELECT 1 FROM crm.subscriptions s WHERE s.customer_id = c.id AND s.status = 'active'"
  "      AND s.contract_end BETWEEN current_date AND current_date + 90) THEN 4 ELSE 0 END)"
  " + (CASE WHEN EXISTS (SELECT 1 FROM crm.service_steps t JOIN crm.service_requests r ON r.id = t.request_id"
  "      WHERE r.customer_id = c.id AND r.status IN ('open', 'in_progress') AND t.done_at IS NULL"
  "      AND t.deadline < now()) THEN 8 ELSE 0 END)"
  " FROM crm.customers c WHERE c.id = $1";

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
desktop_new (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "manager", &token);
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

/* A picture of @widget as drawn, to @path. */
static void
save_shot (GtkWidget  *widget,
           const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);

  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &bounds);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, &bounds);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* The window, and the whole page however long, next to KEYLINE_TEST_SHOT. */
static void
shoot (Desktop *desktop,
       guint    k)
{
  g_autofree char *shot = g_strndup (g_getenv ("KEYLINE_TEST_SHOT"), strlen (g_getenv ("KEYLINE_TEST_SHOT")) - 4);
  g_autofree char *path = g_strdup_printf ("%s-%u.png", shot, k);
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);
  GtkWidget *detail = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE,
                                                                 "detail"));
  GtkWidget *view = GTK_WIDGET (gtk_widget_get_template_child (detail, CRM_TYPE_CUSTOMER_DETAIL, "view_box"));
  g_autofree char *base = g_strndup (path, strlen (path) - strlen (".png"));
  g_autofree char *page_path = g_strconcat (base, "-page.png", NULL);

  /* past the list's crossfade to the page */
  crm_test_iterate (800);
  save_shot (GTK_WIDGET (desktop->window), path);
  save_shot (view, page_path);
  {
    const char *parts[] = { "header", "services_section", "work_section" };

    for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
      {
        g_autofree char *part_path = g_strdup_printf ("%s-%s.png", base, parts[i]);

        save_shot (GTK_WIDGET (gtk_widget_get_template_child (detail, CRM_TYPE_CUSTOMER_DETAIL, parts[i])),
                   part_path);
      }
  }
}

static CrmCustomerDetail *
open_customer (Desktop    *desktop,
               const char *id)
{
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);
  CrmCustomerDetail *detail = CRM_CUSTOMER_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                                                   CRM_TYPE_CUSTOMERS_PAGE,
                                                                                   "detail"));

  g_assert_true (crm_customers_page_open_customer (page, id));
  crm_test_wait_drawn (detail);
  crm_test_iterate (100);
  return detail;
}

static CrmCustomerHeader *
header_of (CrmCustomerDetail *detail)
{
  return CRM_CUSTOMER_HEADER (gtk_widget_get_template_child (GTK_WIDGET (detail), CRM_TYPE_CUSTOMER_DETAIL,
                                                             "header"));
}

static void
assert_shown (CrmCustomerHeader *header,
              const char        *figure,
              const char        *expected)
{
  const char *shown = crm_customer_header_get_value (header, figure);

  g_test_message ("%s: %s", figure, shown);
  g_assert_cmpstr (shown, ==, expected);
}

static void
check_figures (Desktop    *desktop,
               const char *id)
{
  CrmCustomerDetail *detail;
  CrmCustomerHeader *header;
  g_autofree char *visible = NULL;
  gint64 lines;

  g_assert_nonnull (id);
  g_test_message ("customer %s", id);
  detail = open_customer (desktop, id);
  header = header_of (detail);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (header)));

  {
    g_autofree char *mrr = money (SQL_MRR, id);

    assert_shown (header, "monthly_revenue", mrr);
  }

  lines = scalar_int (SQL_LINES, id);
  if (lines > 0)
    {
      g_autofree char *arpu = money (SQL_ARPU, id);
      g_autofree char *latest = money (SQL_ARPU_LATEST, id);
      GtkWidget *sparkline = crm_customer_header_get_sparkline (header);
      const char *tooltip = gtk_widget_get_tooltip_text (sparkline);

      assert_shown (header, "arpu", arpu);
      /* the trend's last point, in the words a screen reader gets */
      g_assert_nonnull (tooltip);
      g_assert_true (g_str_has_suffix (tooltip, latest));
    }
  else
    assert_shown (header, "arpu", "—");

  {
    g_autofree char *arrears = money (SQL_ARREARS, id);
    gint64 age = scalar_int (SQL_ARREARS_AGE, id);
    g_autofree char *age_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u month in a row",
                                                              "%u months in a row", (gulong) age), (guint) age);

    assert_shown (header, "arrears", arrears);
    if (scalar_int (SQL_ARREARS, id) > 0 && age > 0)
      assert_shown (header, "arrears_age", age_text);
    else
      assert_shown (header, "arrears_age", NULL);
  }

  {
    g_autofree char *complaints = crm_format_number (scalar_int (SQL_COMPLAINTS, id));
    g_autofree char *pipeline = money (SQL_PIPELINE, id);
    g_autofree char *weighted = money (SQL_WEIGHTED, id);
    g_autofree char *weighted_text = g_strdup_printf (_("Weighted %s"), weighted);

    assert_shown (header, "open_complaints", complaints);
    assert_shown (header, "pipeline", pipeline);
    assert_shown (header, "pipeline_weighted", weighted_text);
  }

  g_assert_cmpuint (crm_customer_header_get_warnings (header), ==, scalar_int (SQL_WARNINGS, id));

  /* drawn, not only set */
  visible = crm_test_dup_visible_text (detail);
  {
    g_autofree char *mrr = money (SQL_MRR, id);

    g_assert_nonnull (strstr (visible, mrr));
  }
}

static void
test_figures (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  const char *kinds[] = { "0", "1", "2" };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *id = crm_test_live_scalar (live, SQL_PICK, kinds[k]);

      check_figures (desktop, id);
      if (g_getenv ("KEYLINE_TEST_SHOT") != NULL)
        shoot (desktop, k);
      crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
      crm_test_iterate (50);
    }
}

static void
find_named (GtkWidget  *widget,
            const char *name,
            GPtrArray  *found)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    find_named (child, name, found);
}

/* Services: one expander a product line, every subscription in one;
 * Work in progress: a row an open opportunity and an open request. */
/* Seven more open opportunities for customer $1, so that the list is
 * longer than what Work in progress shows at first. */
static const char SQL_MORE_OPPORTUNITIES[] =
  "WITH made AS (INSERT INTO crm.opportunities (customer_id, owner_id, name, stage, amount_once,"
  "   amount_monthly, probability, expected_close)"
  " SELECT c.id, c.owner_id, 'Expansion ' || g, 'proposal', 100000 * g, 1000 * g, 10 * g,"
  "   current_date + 30 * g FROM crm.customers c, generate_series (1, 7) g WHERE c.id = $1"
  " RETURNING id) SELECT count(*) FROM made";

static const char SQL_REGISTRATION[] = "SELECT registration_no FROM crm.customers WHERE id = $1";

static void
test_sections (void)
{
  g_autofree char *id = crm_test_live_scalar (live, SQL_PICK, "2");
  g_autofree char *made = crm_test_live_scalar (live, SQL_MORE_OPPORTUNITIES, id);
  g_autoptr(Desktop) desktop = desktop_new ();
  CrmCustomerDetail *detail = open_customer (desktop, id);
  CrmCustomerServices *services = CRM_CUSTOMER_SERVICES (
    gtk_widget_get_template_child (GTK_WIDGET (detail), CRM_TYPE_CUSTOMER_DETAIL, "services_section"));
  GtkWidget *work = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (detail), CRM_TYPE_CUSTOMER_DETAIL,
                                                               "work_section"));
  GPtrArray *rows = crm_customer_services_get_rows (services);
  g_autofree char *text = NULL;
  guint shown = 0;

  g_assert_cmpuint (rows->len, ==, scalar_int (SQL_PRODUCT_LINES, id));
  for (guint i = 0; i < rows->len; i++)
    {
      /* opening a line (activating its row, as a click or Enter does)
       * makes its rows; a second activation folds it again */
      if (!crm_customer_services_get_line_expanded (services, i))
        {
          g_signal_emit_by_name (rows->pdata[i], "activated");
          g_assert_true (crm_customer_services_get_line_expanded (services, i));
        }
      else
        {
          g_signal_emit_by_name (rows->pdata[i], "activated");
          g_assert_false (crm_customer_services_get_line_expanded (services, i));
          g_signal_emit_by_name (rows->pdata[i], "activated");
        }
      g_assert_true (crm_customer_services_get_line_expanded (services, i));
    }
  crm_test_iterate (50);
  {
    g_autofree char *all = crm_test_dup_visible_text (services);
    g_auto(GStrv) parts = g_strsplit (all, " a month", -1);

    /* each subscription row says "N × ¥fee a month"; each line's subtitle
     * says "… · ¥fees a month" */
    shown = g_strv_length (parts) - 1 - rows->len;
  }
  g_assert_cmpuint (shown, ==, scalar_int (SQL_SUBSCRIPTIONS, id));

  /* the Profile and Business groups at the page's end come after the
   * first frame of a page opened again (its widgets already made), with
   * the registration number the database has */
  crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
  crm_test_iterate (100);
  g_assert_true (gtk_widget_get_realized (GTK_WIDGET (detail)));
  g_assert_true (detail == open_customer (desktop, id));
  {
    g_autofree char *registration = crm_test_live_scalar (live, SQL_REGISTRATION, id);
    g_autofree char *all = crm_test_dup_visible_text (detail);
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    /* built in an idle after the page's first paint: on a loaded machine
     * that may be a few frames later, so wait for it (10 s at most) */
    while (strstr (all, _("Registration Number")) == NULL && g_get_monotonic_time () < end)
      {
        crm_test_iterate (20);
        g_free (all);
        all = crm_test_dup_visible_text (detail);
      }
    g_assert_nonnull (registration);
    g_assert_nonnull (strstr (all, _("Registration Number")));
    g_assert_nonnull (strstr (all, registration));
  }

  /* a long list shows its first rows and "Show N more", which shows the rest */
  g_assert_cmpstr (made, ==, "7");
  {
    GPtrArray *more = g_ptr_array_new ();
    g_autofree char *first = crm_test_dup_visible_text (work);
    g_auto(GStrv) one_off = g_strsplit (first, " one-off", -1);

    g_assert_cmpuint (g_strv_length (one_off) - 1, ==, 5);
    find_named (work, "show-more", more);
    g_assert_cmpuint (more->len, ==, 1);
    for (guint i = 0; i < more->len; i++)
      g_signal_emit_by_name (more->pdata[i], "activated");
    g_ptr_array_unref (more);
    more = g_ptr_array_new ();
    find_named (work, "show-more", more);
    g_assert_cmpuint (more->len, ==, 0);
    g_ptr_array_unref (more);
  }
  crm_test_iterate (50);
  text = crm_test_dup_visible_text (work);
  {
    g_auto(GStrv) one_off = g_strsplit (text, " one-off", -1);
    g_auto(GStrv) steps = g_strsplit (text, "step ", -1);
    g_auto(GStrv) no_step = g_strsplit (text, "no open step", -1);
    gint64 opportunities = scalar_int (SQL_OPEN_OPPORTUNITIES, id);
    gint64 requests = scalar_int (SQL_OPEN_REQUESTS, id);

    g_assert_cmpint (g_strv_length (one_off) - 1, ==, opportunities);
    g_assert_cmpint ((g_strv_length (steps) - 1) + (g_strv_length (no_step) - 1), ==, requests);
    if (opportunities == 0)
      g_assert_nonnull (strstr (text, "No open opportunities"));
    if (requests == 0)
      g_assert_nonnull (strstr (text, "No open service requests"));
  }
}

static gboolean
leaflet_folded (gpointer leaflet)
{
  return adw_leaflet_get_folded (leaflet);
}

static gboolean
leaflet_unfolded (gpointer leaflet)
{
  return !adw_leaflet_get_folded (leaflet);
}

static void
count_cb (GtkWidget *widget,
          guint     *count)
{
  (*count)++;
}

/* The frame: with something in the timeline pane, the timeline sits
 * beside the overview in a wide window; below 800 px the page folds, the
 * title bar offers Timeline, and Back returns from the timeline to the
 * overview before it leaves the page.  The page in a window of its own
 * (the main window folds its sidebar first). */
static void
test_timeline_folds (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, SQL_PICK, "2");
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  CrmCustomerDetail *detail = CRM_CUSTOMER_DETAIL (crm_customer_detail_new ());
  GtkWidget *pane = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (detail), CRM_TYPE_CUSTOMER_DETAIL,
                                                               "timeline_pane"));
  AdwLeaflet *leaflet = ADW_LEAFLET (gtk_widget_get_template_child (GTK_WIDGET (detail), CRM_TYPE_CUSTOMER_DETAIL,
                                                                   "leaflet"));
  GtkWidget *button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (detail), CRM_TYPE_CUSTOMER_DETAIL,
                                                                 "timeline_button"));
  guint backs = 0;

  gtk_window_set_child (window, GTK_WIDGET (detail));
  gtk_window_set_default_size (window, 1000, 800);
  g_signal_connect (detail, "back", G_CALLBACK (count_cb), &backs);
  crm_customer_detail_set_store (detail, crm_context_get_store (desktop->context));
  gtk_window_present (window);
  g_assert_true (crm_customer_detail_show (detail, id));
  crm_test_wait_drawn (detail);

  /* the timeline beside the overview from 800 px, and no button for it */
  g_assert_true (gtk_widget_get_visible (pane));
  crm_test_wait_for (leaflet_unfolded, leaflet);
  crm_test_wait_drawn (detail);
  g_assert_true (gtk_widget_get_mapped (pane));
  g_assert_false (gtk_widget_get_visible (button));

  gtk_window_set_default_size (window, 700, 800);
  crm_test_wait_for (leaflet_folded, leaflet);
  crm_test_wait_drawn (detail);
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "overview");
  g_assert_true (gtk_widget_get_visible (button));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "customer.show-timeline", NULL));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "timeline");
  g_assert_false (gtk_widget_get_visible (button));
  crm_test_iterate (400);

  /* Back: first to the overview, then out of the page */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "customer.back", NULL));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "overview");
  g_assert_cmpuint (backs, ==, 0);
  crm_test_iterate (50);
  g_assert_true (gtk_widget_get_visible (button));
  crm_test_iterate (400);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (detail), "customer.back", NULL));
  g_assert_cmpuint (backs, ==, 1);

  gtk_window_destroy (window);
  crm_test_iterate (50);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  const char *shot = g_getenv ("KEYLINE_TEST_SHOT");
  int status;

  /* accessibility on, whatever the environment says */
  g_unsetenv ("GTK_A11Y");
  data_home = g_dir_make_tmp ("keyline-360-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  /* the words are compared in English; a picture is taken in the
   * environment's language (LANG=zh_CN.UTF-8) */
  setlocale (LC_ALL, shot ? "" : "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, shot ? "" : "C.UTF-8");
  crm_application_setup_gettext ();
  crm_auth_init (NULL);

  if (!crm_test_live_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      return g_test_run ();
    }
  live = crm_test_live_new (200);
  if (shot != NULL)
    {
      /* what AdwApplication loads by itself in the program */
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/org/keylinecrm/Keyline/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }

  g_test_add_func ("/client/360/header-shows-the-figures-the-database-gives", test_figures);
  if (shot == NULL)
    {
      g_test_add_func ("/client/360/sections-list-every-service-and-open-work", test_sections);
      g_test_add_func ("/client/360/timeline-sits-beside-and-folds-under-800-px", test_timeline_folds);
    }

  status = g_test_run ();
  crm_test_live_free (live);
  g_rmdir (data_home);
  return status;
}
