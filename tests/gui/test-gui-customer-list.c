/* The customer list's columns of facts and warnings, its "needs
 * attention" filter, its money columns' first sort, and the window in a
 * narrow size; under Xvfb with accessibility on. */
#include "config.h"

#include <string.h>

#include <adwaita.h>

#include "crm-context.h"
#include "crm-customers-page.h"
#include "crm-format.h"
#include "crm-test-store.h"
#include "crm-window.h"

#define FIXTURE "customers-page.json"

/* In the fixture: churn risk 70, 77 and 84 (high); no arrears above a
 * month of revenue until a test gives 广州天河软件园 some. */
#define N_HIGH_CHURN 3
#define TIANHE "广州天河软件园"

static GObject *
page_child (CrmCustomersPage *page,
            const char       *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, name);

  g_assert_nonnull (object);
  return object;
}

static CrmCustomersPage *
page_in_window (CrmTestStore *store,
                GtkWindow   **window)
{
  CrmCustomersPage *page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());

  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (*window, 1280, 800);
  gtk_window_set_child (*window, GTK_WIDGET (page));
  crm_customers_page_set_store (page, store->store);
  gtk_window_present (*window);
  crm_test_wait_loaded (page);
  crm_test_wait_drawn (*window);
  return page;
}

static void
close_window (GtkWindow *window)
{
  gtk_window_destroy (window);
  crm_test_iterate (20);
}

/* The fixture's record of the customer named @name, changed by @change. */
static void
apply_changed_customer (CrmTestStore *store,
                        const char   *name,
                        const char   *member,
                        gint64        value)
{
  g_autoptr(JsonObject) fixture = crm_test_load_page (FIXTURE);
  JsonArray *customers = json_object_get_array_member (fixture, "customers");
  g_autoptr(JsonObject) page = json_object_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *changed = json_array_new ();

  for (guint i = 0; i < json_array_get_length (customers); i++)
    {
      JsonObject *c = json_array_get_object_element (customers, i);

      if (g_str_equal (json_object_get_string_member (c, "name"), name))
        {
          json_object_set_int_member (c, member, value);
          json_object_set_int_member (c, "version", json_object_get_int_member (c, "version") + 1);
          json_array_add_object_element (changed, json_object_ref (c));
        }
    }
  g_assert_cmpuint (json_array_get_length (changed), ==, 1);
  json_object_set_boolean_member (page, "reset", FALSE);
  json_object_set_array_member (page, "customers", changed);
  json_object_set_array_member (page, "contacts", json_array_new ());
  json_object_set_array_member (page, "removed", json_array_new ());
  json_object_set_string_member (page, "cursor", "changed");
  g_assert_true (crm_store_apply_sync_page (store->store, page, &error));
  g_assert_no_error (error);
}

static void
wait_for_count (CrmCustomersPage *page,
                const char       *text)
{
  GtkLabel *label = GTK_LABEL (page_child (page, "count_label"));
  gint64 until = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  while (g_strcmp0 (gtk_label_get_label (label), text) != 0 && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpstr (gtk_label_get_label (label), ==, text);
}

/* The drawn GtkImages under @widget whose icon is @icon_name. */
static void
collect_images (GtkWidget  *widget,
                const char *icon_name,
                GPtrArray  *found)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_IMAGE (widget) && g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (widget)), icon_name) == 0)
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_images (child, icon_name, found);
}

/* The row cell (a GtkInscription) drawn under @widget with @text. */
static GtkWidget *
find_inscription (GtkWidget  *widget,
                  const char *text)
{
  if (!gtk_widget_get_mapped (widget))
    return NULL;
  if (GTK_IS_INSCRIPTION (widget) && g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_inscription (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A warning shows as an icon with its words as tooltip and accessible
 * label, in the customer's name cell; the figure it is about says so to
 * assistive technologies.  The filter shows just those customers. */
static void
test_list_warnings_are_icons_with_words_and_a_filter (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new_from (FIXTURE);
  const char *arrears_label = crm_customer_warning_label (CRM_CUSTOMER_WARNING_ARREARS);
  const char *churn_label = crm_customer_warning_label (CRM_CUSTOMER_WARNING_CHURN_RISK);
  g_autoptr(GPtrArray) icons = g_ptr_array_new ();
  g_autofree char *money = crm_format_money (500000);
  g_autofree char *spoken = NULL;
  GtkWindow *window;
  CrmCustomersPage *page = page_in_window (store, &window);
  GtkWidget *column_view = GTK_WIDGET (page_child (page, "column_view"));
  GtkWidget *arrears_cell;
  guint n_churn = 0, n_arrears = 0;

  /* 广州天河软件园 (revenue 120,000 fen) now owes 500,000 */
  apply_changed_customer (store, TIANHE, "arrears", 500000);
  crm_test_iterate (200);

  collect_images (column_view, "dialog-warning-symbolic", icons);
  for (guint i = 0; i < icons->len; i++)
    {
      const char *tooltip = gtk_widget_get_tooltip_text (icons->pdata[i]);

      g_assert_nonnull (tooltip);
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (icons->pdata[i]), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip);
      n_churn += g_str_equal (tooltip, churn_label);
      n_arrears += g_str_equal (tooltip, arrears_label);
    }
  g_assert_cmpuint (n_churn, ==, N_HIGH_CHURN);
  g_assert_cmpuint (n_arrears, ==, 1);

  arrears_cell = find_inscription (column_view, money);
  g_assert_nonnull (arrears_cell);
  spoken = g_strdup_printf ("%s, %s", money, arrears_label);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (arrears_cell), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken);

  /* Needs attention: the four, and back */
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (page_child (page, "attention_filter")), TRUE);
  wait_for_count (page, "4 of 12 customers");
  gtk_widget_activate_action (GTK_WIDGET (page), "customers.clear-filters", NULL);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child (page, "attention_filter"))));
  wait_for_count (page, "12 customers");

  close_window (window);
}

/* The first click on a money column's header sorts largest first; on
 * another column, ascending. */
static void
test_list_money_columns_sort_largest_first (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new_from (FIXTURE);
  GtkWindow *window;
  CrmCustomersPage *page = page_in_window (store, &window);
  GtkColumnView *view = GTK_COLUMN_VIEW (page_child (page, "column_view"));
  CrmCustomerModel *model = crm_customers_page_get_model (page);
  const char *money[] = { "revenue_column", "arrears_column", "pipeline_column" };
  const char *others[] = { "tier_column", "churn_risk_column", "name_column" };

  for (guint i = 0; i < G_N_ELEMENTS (money); i++)
    {
      g_autoptr(CrmCustomerItem) first = NULL;
      g_autoptr(CrmCustomerItem) last = NULL;

      /* what a click on a header not sorted by does to the view's sorter */
      gtk_column_view_sort_by_column (view, GTK_COLUMN_VIEW_COLUMN (page_child (page, money[i])), GTK_SORT_ASCENDING);
      crm_test_iterate (50);
      g_assert_true (crm_customer_model_get_sort_descending (model));
      first = g_list_model_get_item (G_LIST_MODEL (model), 0);
      last = g_list_model_get_item (G_LIST_MODEL (model), g_list_model_get_n_items (G_LIST_MODEL (model)) - 1);
      if (g_str_equal (money[i], "revenue_column"))
        g_assert_cmpint (crm_customer_item_get_monthly_revenue (first), >=,
                         crm_customer_item_get_monthly_revenue (last));
      /* the arrow says so */
      g_assert_true (gtk_column_view_column_get_sorter (GTK_COLUMN_VIEW_COLUMN (page_child (page, money[i]))) != NULL);

      /* the second click: smallest first */
      gtk_column_view_sort_by_column (view, GTK_COLUMN_VIEW_COLUMN (page_child (page, money[i])), GTK_SORT_ASCENDING);
      crm_test_iterate (50);
      g_assert_false (crm_customer_model_get_sort_descending (model));

      gtk_column_view_sort_by_column (view, GTK_COLUMN_VIEW_COLUMN (page_child (page, others[i])), GTK_SORT_ASCENDING);
      crm_test_iterate (50);
      g_assert_false (crm_customer_model_get_sort_descending (model));
    }

  close_window (window);
}

/* The drawn buttons under @widget that go back. */
static guint
count_back_buttons (GtkWidget *widget)
{
  guint n = 0;

  if (!gtk_widget_get_mapped (widget))
    return 0;
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), "go-previous-symbolic") == 0)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_back_buttons (child);
  return n;
}

static CrmWindow *
window_of_size (CrmTestStore *store,
                int           width)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(CrmContext) context = NULL;
  CrmWindow *window;

  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", 800);
  g_settings_set_boolean (settings, "window-maximized", FALSE);
  context = crm_context_new (settings);
  window = g_object_ref_sink (crm_window_new (NULL, context));
  /* the signed-in layout over a local copy, without a server */
  gtk_stack_set_visible_child_name (GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), CRM_TYPE_WINDOW,
                                                                              "stack")), "main");
  crm_customers_page_set_store (crm_window_get_customers_page (window), store->store);
  gtk_window_present (GTK_WINDOW (window));
  crm_test_wait_loaded (crm_window_get_customers_page (window));
  crm_test_wait_drawn (window);
  crm_test_iterate (100);
  return window;
}

static gboolean
column_shown (CrmCustomersPage *page,
              const char       *name)
{
  return gtk_column_view_column_get_visible (GTK_COLUMN_VIEW_COLUMN (page_child (page, name)));
}

/* Below 800 px the sidebar folds away and the list keeps the columns it
 * has room for; an open customer has one way back, not two. */
static void
test_window_adapts_below_800_px (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new_from (FIXTURE);
  const int widths[] = { 1280, 640 };

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      CrmWindow *window = window_of_size (store, widths[i]);
      AdwFlap *flap = ADW_FLAP (gtk_widget_get_template_child (GTK_WIDGET (window), CRM_TYPE_WINDOW, "flap"));
      GtkWidget *sidebar_button = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), CRM_TYPE_WINDOW,
                                                                             "sidebar_button"));
      CrmCustomersPage *page = crm_window_get_customers_page (window);
      gboolean narrow = widths[i] < CRM_WINDOW_NARROW_WIDTH;
      g_autoptr(CrmCustomerItem) item = NULL;

      g_test_message ("%d px wide", widths[i]);
      g_test_message ("window %d px", gtk_widget_get_width (GTK_WIDGET (window)));
      g_assert_true (adw_flap_get_folded (flap) == narrow);
      g_assert_true (gtk_widget_get_mapped (sidebar_button) == narrow);
      g_assert_false (adw_flap_get_reveal_flap (flap) && narrow);

      /* the name and the revenue always; the others by priority, as many
       * as fit (crm-customers-page.c, column_priority) */
      g_assert_true (column_shown (page, "name_column"));
      g_assert_true (column_shown (page, "revenue_column"));
      g_assert_true (column_shown (page, "owner_column") == !narrow);
      g_assert_true (column_shown (page, "pipeline_column") == !narrow);
      g_assert_true (column_shown (page, "status_column") == !narrow);
      g_assert_true (column_shown (page, "arrears_column") == (widths[i] >= 640));
      /* the filter's words go, its icon, tooltip and accessible label stay */
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page_child (page, "attention_label"))) == !narrow);
      if (narrow)
        {
          g_assert_false (column_shown (page, "industry_column"));
          g_assert_false (column_shown (page, "tier_column"));
        }

      /* the list has no back button; an open customer has one */
      g_assert_cmpuint (count_back_buttons (GTK_WIDGET (window)), ==, 0);
      item = g_list_model_get_item (G_LIST_MODEL (crm_customers_page_get_model (page)), 0);
      g_assert_true (crm_customers_page_open_customer (page, crm_customer_item_get_id (item)));
      crm_test_wait_drawn (window);
      crm_test_iterate (300);
      g_assert_cmpuint (count_back_buttons (GTK_WIDGET (window)), ==, 1);

      /* folded, the sidebar opens over the page from its button */
      if (narrow)
        {
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (sidebar_button), TRUE);
          g_assert_true (adw_flap_get_reveal_flap (flap));
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (sidebar_button), FALSE);
        }

      crm_customers_page_set_store (page, NULL);
      gtk_window_destroy (GTK_WINDOW (window));
      crm_test_iterate (50);
      g_object_unref (window);
    }
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/client/list/warnings/are-icons-with-words-and-a-filter",
                   test_list_warnings_are_icons_with_words_and_a_filter);
  g_test_add_func ("/client/list/sort/money-columns-sort-largest-first", test_list_money_columns_sort_largest_first);
  g_test_add_func ("/client/window/adapts-below-800-px", test_window_adapts_below_800_px);

  return g_test_run ();
}
