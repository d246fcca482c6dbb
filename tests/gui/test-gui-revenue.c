/* The customer page's Revenue section and the PDF brief, with
 * accessibility on.  Without a server: the section follows the store
 * (empty, then the months a sync brings).  With the real server
 * (in-process on port 0, over a throwaway PostgreSQL seeded with
 * `keyline-server seed`): a seeded customer opened from the list as the
 * account manager, its chart focused and Right pressed (a real key press,
 * through the X server's XTEST), and its month's values, read from the
 * database, in the chart's accessible description; and the brief of that
 * customer written as a PDF whose text (pdftotext) has the customer's
 * Chinese name and monthly revenue, and whose fonts (pdffonts) include the
 * Chinese one, embedded. */
#define G_LOG_DOMAIN "test-gui-revenue"

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-customer-brief.h"
#include "crm-customer-detail.h"
#include "crm-customer-revenue.h"
#include "crm-customers-page.h"
#include "crm-error.h"
#include "crm-format.h"
#include "crm-revenue-chart.h"
#include "crm-test-a11y.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

#define FIXTURE_CUSTOMER "00000000-0000-4000-8000-000000000001"

static CrmTestLive *live;
static char *data_home;

/* ------------------------------------------------------------------ */
/* Without a server                                                    */
/* ------------------------------------------------------------------ */

static JsonObject *
revenue_page (const char *customer_id,
              guint       n_months)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "revenue_months");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_months; i++)
    {
      g_autofree char *month = g_strdup_printf ("%04u-%02u-01", 2024 + i / 12, i % 12 + 1);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "customer_id");
      json_builder_add_string_value (builder, customer_id);
      json_builder_set_member_name (builder, "month");
      json_builder_add_string_value (builder, month);
      json_builder_set_member_name (builder, "revenue");
      json_builder_add_int_value (builder, 100000 + i * 100);
      json_builder_set_member_name (builder, "arrears");
      json_builder_add_int_value (builder, i * 50);
      json_builder_set_member_name (builder, "usage_index");
      json_builder_add_int_value (builder, 100);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, 1);
      json_builder_set_member_name (builder, "updated_at");
      json_builder_add_string_value (builder, "2026-01-01T00:00:00Z");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "cursor");
  json_builder_add_string_value (builder, "fixture-cursor-2");
  json_builder_set_member_name (builder, "more");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_object_ref (json_node_get_object (root));
}

static const char *
visible_page (CrmCustomerRevenue *section)
{
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (section), CRM_TYPE_CUSTOMER_REVENUE,
                                                              "stack"));

  return gtk_stack_get_visible_child_name (stack);
}

static void
test_section_is_empty_then_follows_the_store (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new_from ("customers-page.json");
  g_autoptr(JsonObject) other = revenue_page ("00000000-0000-4000-8000-000000000002", 5);
  g_autoptr(JsonObject) page = revenue_page (FIXTURE_CUSTOMER, 30);
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  CrmCustomerRevenue *section = CRM_CUSTOMER_REVENUE (crm_customer_revenue_new ());
  char *text;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (section));
  crm_customer_revenue_set_store (section, store->store);
  crm_customer_revenue_show (section, FIXTURE_CUSTOMER);
  gtk_window_present (GTK_WINDOW (window));
  crm_test_wait_drawn (window);

  /* No months: it says so, and there is no chart to focus. */
  g_assert_cmpuint (crm_customer_revenue_get_n_months (section), ==, 0);
  g_assert_cmpstr (visible_page (section), ==, "empty");
  text = crm_test_dup_visible_text (section);
  g_assert_nonnull (strstr (text, "No revenue recorded for this customer"));
  g_free (text);
  g_assert_false (gtk_widget_get_mapped (crm_customer_revenue_get_chart (section)));

  /* Another customer's months change nothing... */
  g_assert_true (crm_store_apply_sync_page (store->store, other, &error));
  g_assert_no_error (error);
  crm_test_iterate (50);
  g_assert_cmpuint (crm_customer_revenue_get_n_months (section), ==, 0);

  /* ...this one's arrive through ::changed::revenue_month: the last 24,
   * the latest highlighted and described. */
  g_assert_true (crm_store_apply_sync_page (store->store, page, &error));
  g_assert_no_error (error);
  crm_test_iterate (50);
  crm_test_wait_drawn (window);
  g_assert_cmpuint (crm_customer_revenue_get_n_months (section), ==, 24);
  g_assert_cmpstr (visible_page (section), ==, "chart");
  g_assert_true (gtk_widget_get_mapped (crm_customer_revenue_get_chart (section)));
  g_assert_cmpint (crm_customer_revenue_get_selected (section), ==, 23);
  /* the 30th month: 2026-06, revenue 100000 + 29 * 100 fen */
  g_assert_cmpstr (crm_customer_revenue_get_summary (section), ==, "June 2026: revenue ¥1,029.00, arrears ¥14.50");
  gtk_test_accessible_assert_property (crm_customer_revenue_get_chart (section),
                                       GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       "June 2026: revenue ¥1,029.00, arrears ¥14.50");

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

/* What drawing the chart costs: 24 months, 1,000 x 220 pixels, text
 * laid out by pango each time (reported, not asserted: a shared machine's
 * timings vary). */
static void
test_chart_draw_time (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new_from ("customers-page.json");
  g_autoptr(JsonObject) page = revenue_page (FIXTURE_CUSTOMER, 24);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GArray) months = NULL;
  g_autoptr(GError) error = NULL;
  PangoContext *context;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1000, 220);
  cairo_t *cr = cairo_create (surface);
  GdkRGBA ink = { 0, 0, 0, 1 };
  CrmRevenueChart chart = { 0 };
  CrmRevenueChartGeometry geometry;
  gint64 start;
  guint n = 200;

  g_assert_true (crm_store_apply_sync_page (store->store, page, &error));
  g_assert_no_error (error);
  records = crm_store_get_records (store->store, CRM_ENTITY_REVENUE_MONTH, FIXTURE_CUSTOMER, &error);
  g_assert_no_error (error);
  months = crm_revenue_months_from_records (records, CRM_REVENUE_CHART_MONTHS);
  g_assert_cmpuint (months->len, ==, 24);
  crm_revenue_chart_set_colors (&chart, &ink, FALSE);
  chart.months = (const CrmRevenueMonth *) months->data;
  chart.n_months = months->len;
  chart.highlight = 3;
  context = pango_cairo_create_context (cr);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    crm_revenue_chart_draw (&chart, cr, context, 1000, 220, &geometry);
  g_test_message ("crm_revenue_chart_draw, 24 months, 1000x220: %.3f ms each (%u draws)",
                  (g_get_monotonic_time () - start) / 1000.0 / n, n);
  /* The months are where the pointer finds them. */
  g_assert_cmpint (crm_revenue_chart_month_at (&geometry, geometry.plot_x + 1, geometry.plot_y + 1), ==, 0);
  g_assert_cmpint (crm_revenue_chart_month_at (&geometry, geometry.plot_x + geometry.plot_width - 1,
                                               geometry.plot_y + 1), ==, 23);
  g_assert_cmpint (crm_revenue_chart_month_at (&geometry, geometry.plot_x - 1, geometry.plot_y + 1), ==, -1);

  g_object_unref (context);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* ------------------------------------------------------------------ */
/* With the real server                                                */
/* ------------------------------------------------------------------ */

typedef struct
{
  CrmContext        *context;
  CrmWindow         *window;
  CrmCustomersPage  *page;
  CrmCustomerDetail *detail;
} Fixture;

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
idle_with_empty_queue (gpointer engine)
{
  return crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING &&
         crm_sync_engine_get_pending (engine) == 0;
}

/* The list shows, and the model has taken in every row the sync brought:
 * the list shows once a first sync's customers are in, before the sync
 * ends, and the rows of what came after are read in batches. */
static gboolean
page_listed (gpointer page)
{
  CrmCustomerModel *model = crm_customers_page_get_model (page);

  return g_strcmp0 (crm_customers_page_get_state (page), "list") == 0 &&
         model != NULL && !crm_customer_model_is_busy (model);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "manager", &token);

  f->context = crm_context_new (settings);
  crm_context_set_sync_interval (f->context, 0);
  f->window = g_object_ref_sink (crm_window_new (NULL, f->context));
  gtk_window_present (GTK_WINDOW (f->window));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", crm_test_live_get_url (live), TRUE);
  crm_context_restore_async (f->context, NULL, NULL, NULL);
  crm_test_wait_for (signed_in, f->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");
  crm_test_wait_for (idle_with_empty_queue, crm_context_get_sync_engine (f->context));

  f->page = crm_window_get_customers_page (f->window);
  crm_test_wait_for (page_listed, f->page);
  f->detail = CRM_CUSTOMER_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (f->page), CRM_TYPE_CUSTOMERS_PAGE,
                                                                  "detail"));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  crm_context_sign_out_async (f->context, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (f->window));
  crm_test_iterate (50);
  g_assert_finalize_object (f->window);
  g_clear_object (&f->context);
}

/* One of the manager's customers with a Chinese name and at least three
 * months of revenue. */
static char *
seeded_customer (void)
{
  char *id = crm_test_live_scalar (live,
                                   "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id"
                                   " WHERE u.login = 'manager' AND c.monthly_revenue > 0"
                                   " AND (SELECT count(*) FROM crm.revenue_months r WHERE r.customer_id = c.id) >= 3"
                                   " ORDER BY c.id LIMIT 1", NULL);

  g_assert_nonnull (id);
  return id;
}

/* What the chart must say about the @index-th of the customer's last 24
 * months (oldest first), from the database. */
static char *
expected_description (const char *id,
                      guint       index)
{
  g_autofree char *sql = g_strdup_printf ("SELECT concat_ws (' ', to_char (month, 'YYYY MM'), revenue, arrears)"
                                          " FROM (SELECT * FROM crm.revenue_months WHERE customer_id = $1"
                                          " ORDER BY month DESC LIMIT 24) last ORDER BY month OFFSET %u LIMIT 1",
                                          index);
  g_autofree char *row = crm_test_live_scalar (live, sql, id);
  g_auto(GStrv) parts = NULL;
  g_autoptr(GDateTime) month = NULL;
  g_autofree char *name = NULL;
  g_autofree char *revenue = NULL;
  g_autofree char *arrears = NULL;

  g_assert_nonnull (row);
  parts = g_strsplit (row, " ", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 4);
  month = g_date_time_new_local (atoi (parts[0]), atoi (parts[1]), 1, 0, 0, 0);
  name = g_date_time_format (month, "%B %Y");
  revenue = crm_format_money (g_ascii_strtoll (parts[2], NULL, 10));
  arrears = crm_format_money (g_ascii_strtoll (parts[3], NULL, 10));
  return g_strdup_printf ("%s: revenue %s, arrears %s", name, revenue, arrears);
}

/* A key pressed and released as a keyboard does, through XTEST, to the
 * window with the X input focus. */
static void
press_key (const char *key)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "xdotool", "key", "--clearmodifiers", key, NULL };
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

typedef struct
{
  CrmCustomerRevenue *section;
  int                 selected;
} Selection;

static gboolean
selected_is (gpointer data)
{
  Selection *s = data;

  return crm_customer_revenue_get_selected (s->section) == s->selected;
}

static gboolean
is_focus (gpointer widget)
{
  return gtk_widget_has_focus (widget) && gtk_window_is_active (GTK_WINDOW (gtk_widget_get_root (widget)));
}

static void
test_right_announces_the_next_months_values (Fixture       *f,
                                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = seeded_customer ();
  g_autofree char *count = crm_test_live_scalar (live, "SELECT least (24, count(*)) FROM crm.revenue_months"
                                                       " WHERE customer_id = $1", id);
  g_autofree char *first = expected_description (id, 0);
  g_autofree char *second = expected_description (id, 1);
  CrmCustomerRevenue *section;
  GtkWidget *chart;
  Selection selection;

  g_assert_true (crm_customers_page_open_customer (f->page, id));
  crm_test_wait_drawn (f->window);
  section = CRM_CUSTOMER_REVENUE (gtk_widget_get_template_child (GTK_WIDGET (f->detail), CRM_TYPE_CUSTOMER_DETAIL,
                                                                 "revenue_section"));
  selection.section = section;
  chart = crm_customer_revenue_get_chart (section);
  g_assert_cmpuint (crm_customer_revenue_get_n_months (section), ==, atoi (count));
  g_assert_true (gtk_widget_get_mapped (chart));
  g_assert_true (gtk_widget_get_focusable (chart));
  g_assert_true (gtk_test_accessible_has_role (GTK_ACCESSIBLE (chart), GTK_ACCESSIBLE_ROLE_IMG));

  /* Accessibility is on, as on a desktop: this program is on the bus. */
  g_assert_true (crm_test_a11y_wait_registered (g_get_application_name (), &error));
  g_assert_no_error (error);

  /* The chart has the keyboard focus, in the window that has X's. */
  gtk_window_present (GTK_WINDOW (f->window));
  g_assert_true (gtk_widget_grab_focus (chart));
  crm_test_wait_for (is_focus, chart);

  /* Home: the oldest month; Right: the next, its values announced. */
  press_key ("Home");
  selection.selected = 0;
  crm_test_wait_for (selected_is, &selection);
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, first);
  press_key ("Right");
  selection.selected = 1;
  crm_test_wait_for (selected_is, &selection);
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, second);
  crm_test_wait_drawn (f->window);

  /* Left goes back. */
  press_key ("Left");
  selection.selected = 0;
  crm_test_wait_for (selected_is, &selection);
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, first);
}

/* The standard output of @argv; fails the test if it does not run. */
static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* Whether pdffonts lists a font named @postscript_name (after its subset
 * tag, "ABCDEF+") as embedded. */
static gboolean
font_embedded (const char *listing,
               const char *postscript_name)
{
  g_auto(GStrv) lines = g_strsplit (listing, "\n", -1);

  for (guint i = 2; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      g_autoptr(GPtrArray) fields = g_ptr_array_new ();
      const char *name;

      for (guint k = 0; words[k] != NULL; k++)
        if (words[k][0] != '\0')
          g_ptr_array_add (fields, words[k]);
      if (fields->len < 7)
        continue;
      /* name type... encoding emb sub uni object ID */
      name = strchr (fields->pdata[0], '+') ? strchr (fields->pdata[0], '+') + 1 : fields->pdata[0];
      if (g_str_equal (name, postscript_name) && g_str_equal (fields->pdata[fields->len - 5], "yes"))
        return TRUE;
    }
  return FALSE;
}

static void
test_brief_pdf_has_name_money_and_chinese_font (Fixture       *f,
                                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = seeded_customer ();
  g_autofree char *name = crm_test_live_scalar (live, "SELECT name FROM crm.customers WHERE id = $1", id);
  g_autofree char *fen = crm_test_live_scalar (live, "SELECT monthly_revenue FROM crm.customers WHERE id = $1", id);
  g_autofree char *money = crm_format_money (g_ascii_strtoll (fen, NULL, 10));
  g_autofree char *dir = g_dir_make_tmp ("keyline-brief-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "brief.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  const char *fc_argv[] = { "fc-match", "-f", "%{postscriptname}", ":lang=zh-cn", NULL };
  const char *text_argv[] = { "pdftotext", "-enc", "UTF-8", path, "-", NULL };
  const char *fonts_argv[] = { "pdffonts", path, NULL };
  g_autofree char *cjk_font = run (fc_argv);
  g_autofree char *text = NULL;
  g_autofree char *fonts = NULL;
  g_autofree char *info = NULL;
  gint64 start;

  /* The seed names customers in Chinese. */
  g_assert_nonnull (name);
  g_assert_cmpint (g_unichar_get_script (g_utf8_get_char (name)), ==, G_UNICODE_SCRIPT_HAN);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  crm_customer_brief_write_async (crm_context_get_store (f->context), id, file, NULL, crm_test_done_cb, &result);
  g_assert_true (crm_customer_brief_write_finish (crm_test_wait_result (&result), &error));
  g_assert_no_error (error);
  g_test_message ("brief written in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);

  /* One A4 page... */
  {
    const char *info_argv[] = { "pdfinfo", path, NULL };

    info = run (info_argv);
    g_assert_true (g_regex_match_simple ("^Pages:\\s+1$", info, G_REGEX_MULTILINE, 0));
    g_assert_nonnull (strstr (info, "595.276 x 841.89 pts (A4)"));
  }
  /* ...with the name and the monthly revenue in its text... */
  text = run (text_argv);
  g_assert_nonnull (strstr (text, name));
  g_assert_nonnull (strstr (text, money));
  /* ...and the Chinese font in it, not merely named. */
  fonts = run (fonts_argv);
  g_assert_cmpstr (cjk_font, !=, "");
  if (!font_embedded (fonts, cjk_font))
    g_error ("%s is not embedded:\n%s", cjk_font, fonts);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_brief_of_an_unknown_customer_fails (Fixture       *f,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("keyline-brief-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "brief.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  crm_customer_brief_write_async (crm_context_get_store (f->context), "00000000-0000-4000-8000-00000000dead", file,
                                  NULL, crm_test_done_cb, &result);
  g_assert_false (crm_customer_brief_write_finish (crm_test_wait_result (&result), &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

/* Where a shortcut controller of @widget sends @trigger, or NULL. */
static char *
shortcut_action (GtkWidget  *widget,
                 const char *trigger)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *text = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_str_equal (text, trigger))
            return gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));
        }
    }
  return NULL;
}

static void
test_export_button_and_ctrl_p_run_the_action (Fixture       *f,
                                              gconstpointer  data)
{
  g_autofree char *id = seeded_customer ();
  g_autofree char *ctrl_p = shortcut_action (GTK_WIDGET (f->detail), "<Control>p");
  GtkWidget *button = crm_test_find_button (f->detail, "Export a PDF Brief (Ctrl+P)");

  g_assert_cmpstr (ctrl_p, ==, "action(customer.export-pdf)");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), ==, "customer.export-pdf");
  g_assert_true (crm_customers_page_open_customer (f->page, id));
  crm_test_wait_drawn (f->window);
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  /* Not while editing: the brief shows what is saved. */
  crm_customer_detail_set_editing (f->detail, TRUE);
  g_assert_false (gtk_widget_is_sensitive (button));
  crm_customer_detail_set_editing (f->detail, FALSE);
  g_assert_true (gtk_widget_is_sensitive (button));
}

static void
remove_data_home (void)
{
  g_autofree char *keyline = g_build_filename (data_home, "keyline", NULL);
  g_autoptr(GDir) servers = g_dir_open (keyline, 0, NULL);
  const char *name;

  while (servers != NULL && (name = g_dir_read_name (servers)) != NULL)
    {
      g_autofree char *sub = g_build_filename (keyline, name, NULL);

      g_rmdir (sub);
    }
  g_rmdir (keyline);
  g_rmdir (data_home);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  data_home = g_dir_make_tmp ("keyline-revenue-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");

  g_test_add_func ("/client/revenue/section-is-empty-then-follows-the-store",
                   test_section_is_empty_then_follows_the_store);
  g_test_add_func ("/client/revenue/chart-draw-time-and-month-under-the-pointer", test_chart_draw_time);
  if (crm_test_live_available ())
    {
      live = crm_test_live_new (60);
      g_test_add ("/client/revenue/right-announces-the-next-months-values", Fixture, NULL,
                  fixture_set_up, test_right_announces_the_next_months_values, fixture_tear_down);
      g_test_add ("/client/brief/pdf-has-the-chinese-name-the-revenue-and-the-font-embedded", Fixture, NULL,
                  fixture_set_up, test_brief_pdf_has_name_money_and_chinese_font, fixture_tear_down);
      g_test_add ("/client/brief/unknown-customer-fails-and-writes-nothing", Fixture, NULL,
                  fixture_set_up, test_brief_of_an_unknown_customer_fails, fixture_tear_down);
      g_test_add ("/client/brief/export-button-and-ctrl-p-run-customer-export-pdf-outside-editing", Fixture, NULL,
                  fixture_set_up, test_export_button_and_ctrl_p_run_the_action, fixture_tear_down);
    }
  else
    g_test_message ("no throwaway PostgreSQL or no KEYLINE_SERVER: only the tests without a server run");

  status = g_test_run ();

  g_clear_pointer (&live, crm_test_live_free);
  remove_data_home ();
  g_free (data_home);
  return status;
}
