/* The customers page and the customer detail page over a local store
 * filled from a sync page fixture (data/customers-page.json: 12 customers
 * in 3 regions, 2 account managers, 4 contacts). */
#include "config.h"

#include <locale.h>

#include <adwaita.h>

#include "crm-customer-detail.h"
#include "crm-customers-page.h"
#include "crm-format.h"
#include "crm-test-store.h"

#define FIXTURE "customers-page.json"
#define N_CUSTOMERS 12

/* 上海浦东发展银行: two contacts, 张伟 (primary) and 刘洋. */
#define SPD_BANK "00000000-0000-4000-8000-000000000001"
#define ZHANG_WEI "00000000-0000-4000-8000-000000000101"

typedef struct
{
  CrmTestStore     *store;
  GtkWindow        *window;
  CrmCustomersPage *page;
} Fixture;

static GObject *
page_child (Fixture    *f,
            const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->page), CRM_TYPE_CUSTOMERS_PAGE, name);

  g_assert_nonnull (object);
  return object;
}

static GObject *
detail_child (CrmCustomerDetail *detail,
              const char        *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (detail), CRM_TYPE_CUSTOMER_DETAIL, name);

  g_assert_nonnull (object);
  return object;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->store = crm_test_store_new_from (FIXTURE);
  f->page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1280, 800);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  crm_customers_page_set_store (f->page, f->store->store);
  gtk_window_present (f->window);
  crm_test_wait_loaded (f->page);
  crm_test_wait_drawn (f->window);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  gtk_window_destroy (f->window);
  crm_test_iterate (20);
  g_assert_null (f->page);
  crm_test_store_free (f->store);
}

static const char *
count_text (Fixture *f)
{
  return gtk_label_get_label (GTK_LABEL (page_child (f, "count_label")));
}

/* Iterates until the count label says @text, failing after 5 s. */
static void
wait_for_count (Fixture    *f,
                const char *text)
{
  gint64 until = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  while (g_strcmp0 (count_text (f), text) != 0 && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpstr (count_text (f), ==, text);
}

static guint
n_shown (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (crm_customers_page_get_model (f->page)));
}

static CrmCustomerItem *
shown (Fixture *f,
       guint    position)
{
  CrmCustomerItem *item = g_list_model_get_item (G_LIST_MODEL (crm_customers_page_get_model (f->page)), position);

  g_assert_nonnull (item);
  g_object_unref (item);   /* the model keeps it */
  return item;
}

static void
test_list_shows_every_customer_and_the_count (Fixture       *f,
                                              gconstpointer  data)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (page_child (f, "column_view"));
  g_autofree char *text = NULL;
  g_autofree char *money = NULL;

  g_assert_cmpstr (crm_customers_page_get_state (f->page), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view))), ==, N_CUSTOMERS);
  g_assert_cmpstr (count_text (f), ==, "12 customers");

  /* Every row is drawn, with its name, tier, region, owner, money and
   * status in words; sorted by name (the collation of the C locale). */
  text = crm_test_dup_visible_text (view);
  for (guint i = 0; i < N_CUSTOMERS; i++)
    g_assert_nonnull (strstr (text, crm_customer_item_get_name (shown (f, i))));
  g_assert_nonnull (strstr (text, "\n上海\n"));
  g_assert_nonnull (strstr (text, "\n王伟\n"));
  g_assert_nonnull (strstr (text, "\nKey\n"));
  g_assert_nonnull (strstr (text, "\nChurned\n"));
  money = crm_format_money (12345667);
  g_assert_cmpstr (money, ==, "¥123,456.67");
  g_assert_nonnull (strstr (text, "\n¥123,456.67\n"));
  g_assert_nonnull (strstr (text, "\nMonthly Revenue\n"));
}

static void
test_list_search_narrows_as_you_type (Fixture       *f,
                                      gconstpointer  data)
{
  GtkEditable *search = GTK_EDITABLE (page_child (f, "search_entry"));

  /* A Chinese substring, typed a character at a time. */
  gtk_editable_set_text (search, "上");
  wait_for_count (f, "4 of 12 customers");
  gtk_editable_set_text (search, "上海");
  wait_for_count (f, "4 of 12 customers");
  gtk_editable_set_text (search, "上海浦");
  wait_for_count (f, "1 of 12 customers");
  g_assert_cmpstr (crm_customer_item_get_name (shown (f, 0)), ==, "上海浦东发展银行");

  /* The English name counts too, whatever the case. */
  gtk_editable_set_text (search, "spd");
  wait_for_count (f, "1 of 12 customers");

  gtk_editable_set_text (search, "no such customer");
  wait_for_count (f, "0 of 12 customers");
  crm_test_wait_drawn (f->window);
  g_assert_cmpstr (crm_customers_page_get_state (f->page), ==, "no-results");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (page_child (f, "results_stack"))), ==, "no-results");

  /* Clearing the search and filters brings them all back. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "customers.clear-filters", NULL);
  wait_for_count (f, "12 customers");
  g_assert_cmpstr (crm_customers_page_get_state (f->page), ==, "list");
}

static void
test_list_filters_narrow (Fixture       *f,
                          gconstpointer  data)
{
  GtkDropDown *tier = GTK_DROP_DOWN (page_child (f, "tier_filter"));
  GtkDropDown *region = GTK_DROP_DOWN (page_child (f, "region_filter"));
  GtkDropDown *owner = GTK_DROP_DOWN (page_child (f, "owner_filter"));
  GtkDropDown *status = GTK_DROP_DOWN (page_child (f, "status_filter"));
  GListModel *regions = gtk_drop_down_get_model (region);
  gint64 until = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  guint beijing = 0;

  /* Tiers and statuses in words, "All" first. */
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (tier)), 0), ==, "All Tiers");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (tier)), 1), ==, "Key");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (status)), 3), ==, "Churned");

  gtk_drop_down_set_selected (tier, 1 + CRM_TIER_KEY);
  wait_for_count (f, "4 of 12 customers");
  for (guint i = 0; i < n_shown (f); i++)
    g_assert_cmpint (crm_customer_item_get_tier (shown (f, i)), ==, CRM_TIER_KEY);

  /* Regions and owners are those of the store's customers, read in a
   * worker thread. */
  while (g_list_model_get_n_items (regions) < 4 && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (regions), ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (owner)), ==, 3);
  for (guint i = 1; i < 4; i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (regions), i), "北京"))
      beijing = i;
  g_assert_cmpuint (beijing, >, 0);

  gtk_drop_down_set_selected (region, beijing);
  wait_for_count (f, "1 of 12 customers");
  g_assert_cmpstr (crm_customer_item_get_name (shown (f, 0)), ==, "北京首都钢铁");

  gtk_drop_down_set_selected (status, 1 + CRM_CUSTOMER_STATUS_ACTIVE);
  wait_for_count (f, "0 of 12 customers");

  gtk_drop_down_set_selected (tier, 0);
  gtk_drop_down_set_selected (status, 0);
  wait_for_count (f, "4 of 12 customers");
  for (guint i = 0; i < n_shown (f); i++)
    g_assert_cmpstr (crm_customer_item_get_region_name (shown (f, i)), ==, "北京");
}

/* How many headers of @widget's column view draw a sort arrow (GTK 4.8:
 * a "sort-indicator" node with the class ascending or descending). */
static guint
count_sort_arrows (GtkWidget *widget)
{
  guint n = 0;

  if (g_str_equal (gtk_widget_get_css_name (widget), "sort-indicator") &&
      (gtk_widget_has_css_class (widget, "ascending") || gtk_widget_has_css_class (widget, "descending")))
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_sort_arrows (child);
  return n;
}

static void
test_list_header_click_sorts_through_the_model (Fixture       *f,
                                                gconstpointer  data)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (page_child (f, "column_view"));
  GtkColumnViewColumn *revenue = GTK_COLUMN_VIEW_COLUMN (page_child (f, "revenue_column"));
  CrmCustomerModel *model = crm_customers_page_get_model (f->page);

  g_assert_cmpint (crm_customer_model_get_sort_column (model), ==, CRM_CUSTOMER_COLUMN_NAME);

  /* What a click on the header does: the view's sorter changes, and the
   * page hands the column and direction to the model. */
  g_assert_cmpuint (count_sort_arrows (GTK_WIDGET (view)), ==, 1);
  gtk_column_view_sort_by_column (view, revenue, GTK_SORT_DESCENDING);
  g_assert_cmpint (crm_customer_model_get_sort_column (model), ==, CRM_CUSTOMER_COLUMN_REVENUE);
  g_assert_true (crm_customer_model_get_sort_descending (model));
  /* one arrow: the model sorts by one column, and the name's header
   * (clicked before) no longer shows one */
  g_assert_cmpuint (count_sort_arrows (GTK_WIDGET (view)), ==, 1);
  g_assert_cmpstr (crm_customer_item_get_name (shown (f, 0)), ==, "广州白云机场");
  for (guint i = 1; i < n_shown (f); i++)
    g_assert_cmpint (crm_customer_item_get_monthly_revenue (shown (f, i - 1)), >=,
                     crm_customer_item_get_monthly_revenue (shown (f, i)));

  gtk_column_view_sort_by_column (view, revenue, GTK_SORT_ASCENDING);
  g_assert_false (crm_customer_model_get_sort_descending (model));
  g_assert_cmpint (crm_customer_item_get_monthly_revenue (shown (f, 0)), ==, 0);
  for (guint i = 1; i < n_shown (f); i++)
    g_assert_cmpint (crm_customer_item_get_monthly_revenue (shown (f, i - 1)), <=,
                     crm_customer_item_get_monthly_revenue (shown (f, i)));

  /* And the other way: the model's sort shows as the header's arrow. */
  crm_customer_model_set_sort (model, CRM_CUSTOMER_COLUMN_TIER, FALSE);
  g_assert_cmpint (crm_customer_model_get_sort_column (model), ==, CRM_CUSTOMER_COLUMN_TIER);
  g_assert_cmpuint (count_sort_arrows (GTK_WIDGET (view)), ==, 1);
  g_assert_cmpint (crm_customer_item_get_tier (shown (f, 0)), ==, CRM_TIER_KEY);
}

static void
test_detail_shows_fields_and_contacts (Fixture       *f,
                                       gconstpointer  data)
{
  CrmCustomerDetail *detail = CRM_CUSTOMER_DETAIL (page_child (f, "detail"));
  g_autofree char *text = NULL;

  /* Enter on the selected row opens it. */
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (gtk_column_view_get_model (GTK_COLUMN_VIEW (page_child (f, "column_view")))), 0);
  g_signal_emit_by_name (page_child (f, "column_view"), "activate", 0);
  g_assert_cmpstr (crm_customers_page_get_state (f->page), ==, "detail");
  g_assert_cmpstr (crm_customer_detail_get_customer_id (detail), ==, crm_customer_item_get_id (shown (f, 0)));

  g_assert_true (crm_customers_page_open_customer (f->page, SPD_BANK));
  crm_test_wait_drawn (f->window);
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "name"), ==, "上海浦东发展银行");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "name_en"), ==, "SPD Bank");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "kind"), ==, "Large enterprise");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "tier"), ==, "Key");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "status"), ==, "Active");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "owner"), ==, "王伟");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "monthly_revenue"), ==, "¥123,456.67");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "phone"), ==, "138****5601");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "value_segment"), ==, "Medium value");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "became_customer"), ==, "03/01/19");   /* %x of C */

  /* Contacts: the primary first, mobiles masked as the server sent them. */
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "contact.0.name"), ==, "张伟");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "contact.0.is_primary"), ==, "true");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "contact.0.mobile"), ==, "139****5678");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "contact.1.name"), ==, "刘洋");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "contact.1.email"), ==, "liuyang@spdb.example.cn");

  text = crm_test_dup_visible_text (detail);
  g_assert_nonnull (strstr (text, "信息中心主任"));
  g_assert_nonnull (strstr (text, "139****5678"));
  g_assert_nonnull (strstr (text, "Primary"));
  g_assert_nonnull (strstr (text, "Monthly Revenue"));

  /* Back to the list, with the customer selected. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "customer.back", NULL);
  g_assert_cmpstr (crm_customers_page_get_state (f->page), ==, "list");
}

static gboolean
save_enabled (CrmCustomerDetail *detail)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (detail_child (detail, "save_button")));
}

static GPtrArray *
mutations (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = crm_store_list_mutations (f->store->store, &error);

  g_assert_no_error (error);
  return list;
}

static void
test_edit_checks_as_you_type_and_queues_changed_fields_only (Fixture       *f,
                                                             gconstpointer  data)
{
  CrmCustomerDetail *detail = CRM_CUSTOMER_DETAIL (page_child (f, "detail"));
  CrmCustomerEditor *editor = crm_customer_detail_get_editor (detail);
  g_autoptr(GPtrArray) queue = NULL;
  GtkWidget *mobile, *name, *email;
  CrmMutation *m;
  g_autofree char *text = NULL;

  g_assert_true (crm_customers_page_open_customer (f->page, SPD_BANK));
  gtk_widget_activate_action (GTK_WIDGET (detail), "customer.edit", NULL);
  g_assert_true (crm_customer_detail_get_editing (detail));
  crm_test_wait_drawn (f->window);

  /* Nothing changed yet: masked values stand, read-only, Save waits for
   * a change.  Replacing the mobile starts from an empty field. */
  g_assert_true (crm_customer_editor_get_valid (editor));
  g_assert_false (save_enabled (detail));
  mobile = crm_customer_editor_get_field_row (editor, ZHANG_WEI, "mobile");
  g_assert_true (ADW_IS_ACTION_ROW (mobile));
  g_assert_true (crm_customer_editor_get_masked (editor, ZHANG_WEI, "mobile"));
  gtk_widget_activate_action_variant (GTK_WIDGET (editor), "editor.replace-field",
                                      gtk_actionable_get_action_target_value (GTK_ACTIONABLE (crm_test_find_button (mobile, "_Replace…"))));
  mobile = crm_customer_editor_get_field_row (editor, ZHANG_WEI, "mobile");
  g_assert_true (ADW_IS_ENTRY_ROW (mobile));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (mobile)), ==, "");

  /* A wrong mobile: the message under the field, Save off. */
  gtk_editable_set_text (GTK_EDITABLE (mobile), "1391234");
  g_assert_false (crm_customer_editor_get_valid (editor));
  g_assert_false (save_enabled (detail));
  g_assert_cmpstr (crm_customer_editor_get_field_message (editor, ZHANG_WEI, "mobile"), ==,
                   "Enter a mobile number of 11 digits starting with 1");
  g_assert_true (gtk_widget_has_css_class (mobile, "error"));
  crm_test_wait_drawn (f->window);
  text = crm_test_dup_visible_text (editor);
  g_assert_nonnull (strstr (text, "Enter a mobile number of 11 digits starting with 1"));

  /* Saving now does nothing. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "customer.save", NULL);
  g_assert_true (crm_customer_detail_get_editing (detail));
  queue = mutations (f);
  g_assert_cmpuint (queue->len, ==, 0);
  g_clear_pointer (&queue, g_ptr_array_unref);

  /* An empty name and a bad e-mail are refused too. */
  name = crm_customer_editor_get_field_row (editor, NULL, "name");
  gtk_editable_set_text (GTK_EDITABLE (name), "");
  g_assert_cmpstr (crm_customer_editor_get_field_message (editor, NULL, "name"), ==, "This field cannot be empty");
  gtk_editable_set_text (GTK_EDITABLE (name), "上海浦东发展银行");
  g_assert_null (crm_customer_editor_get_field_message (editor, NULL, "name"));
  email = crm_customer_editor_get_field_row (editor, ZHANG_WEI, "email");
  gtk_editable_set_text (GTK_EDITABLE (email), "zhangwei@");
  g_assert_nonnull (crm_customer_editor_get_field_message (editor, ZHANG_WEI, "email"));
  gtk_editable_set_text (GTK_EDITABLE (email), "zhangwei@spdb.example.cn");
  g_assert_null (crm_customer_editor_get_field_message (editor, ZHANG_WEI, "email"));

  /* A right one: Save on; saving queues one update with that field only. */
  gtk_editable_set_text (GTK_EDITABLE (mobile), "13912345678");
  g_assert_null (crm_customer_editor_get_field_message (editor, ZHANG_WEI, "mobile"));
  g_assert_true (crm_customer_editor_get_valid (editor));
  g_assert_true (save_enabled (detail));
  gtk_widget_activate_action (GTK_WIDGET (detail), "customer.save", NULL);
  crm_test_wait_saved (detail);

  queue = mutations (f);
  g_assert_cmpuint (queue->len, ==, 1);
  m = queue->pdata[0];
  g_assert_cmpint (m->entity, ==, CRM_ENTITY_CONTACT);
  g_assert_cmpint (m->op, ==, CRM_MUTATION_OP_UPDATE);
  g_assert_cmpstr (m->record_id, ==, ZHANG_WEI);
  g_assert_cmpint (m->base_version, ==, 1);
  g_assert_cmpuint (json_object_get_size (m->fields), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (m->fields, "mobile"), ==, "13912345678");
  g_clear_pointer (&queue, g_ptr_array_unref);

  /* The view shows the change at once (the store applies it locally). */
  crm_test_iterate (50);
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "contact.0.mobile"), ==, "13912345678");
}

static void
test_edit_customer_fields_update_the_list (Fixture       *f,
                                           gconstpointer  data)
{
  CrmCustomerDetail *detail = CRM_CUSTOMER_DETAIL (page_child (f, "detail"));
  CrmCustomerEditor *editor = crm_customer_detail_get_editor (detail);
  g_autoptr(GPtrArray) queue = NULL;
  GtkWidget *tier;
  CrmMutation *m;
  guint position;

  g_assert_true (crm_customers_page_open_customer (f->page, SPD_BANK));
  crm_customer_detail_set_editing (detail, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (crm_customer_editor_get_field_row (editor, NULL, "name")), "浦发银行");
  tier = crm_customer_editor_get_field_row (editor, NULL, "tier");
  g_assert_true (ADW_IS_COMBO_ROW (tier));
  adw_combo_row_set_selected (ADW_COMBO_ROW (tier), CRM_TIER_MAJOR);
  g_assert_true (save_enabled (detail));
  gtk_widget_activate_action (GTK_WIDGET (detail), "customer.save", NULL);
  crm_test_wait_saved (detail);

  /* One update of the customer with the two changed fields, nothing of
   * the masked phone or address. */
  queue = mutations (f);
  g_assert_cmpuint (queue->len, ==, 1);
  m = queue->pdata[0];
  g_assert_cmpint (m->entity, ==, CRM_ENTITY_CUSTOMER);
  g_assert_cmpstr (m->record_id, ==, SPD_BANK);
  g_assert_cmpuint (json_object_get_size (m->fields), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (m->fields, "name"), ==, "浦发银行");
  g_assert_cmpstr (json_object_get_string_member (m->fields, "tier"), ==, "major");

  /* The list follows the store's ::customers-changed. */
  crm_test_iterate (50);
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "name"), ==, "浦发银行");
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "tier"), ==, "Major");
  g_assert_true (crm_customer_model_find (crm_customers_page_get_model (f->page), SPD_BANK, &position));
  g_assert_cmpstr (crm_customer_item_get_name (shown (f, position)), ==, "浦发银行");

  /* Cancel drops what was typed. */
  crm_customer_detail_set_editing (detail, TRUE);
  gtk_editable_set_text (GTK_EDITABLE (crm_customer_editor_get_field_row (editor, NULL, "name")), "Nothing");
  gtk_widget_activate_action (GTK_WIDGET (detail), "customer.cancel", NULL);
  g_assert_false (crm_customer_detail_get_editing (detail));
  g_clear_pointer (&queue, g_ptr_array_unref);
  queue = mutations (f);
  g_assert_cmpuint (queue->len, ==, 1);
  g_assert_cmpstr (crm_customer_detail_get_value (detail, "name"), ==, "浦发银行");
}

/* Whether the drop-down's menu has an entry @label. */
static gboolean
menu_has (GtkDropDown *drop_down,
          const char  *label)
{
  GListModel *labels = gtk_drop_down_get_model (drop_down);

  for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (labels), i), label))
      return TRUE;
  return FALSE;
}

/* Iterates until @drop_down's menu has (or has not) @label, 5 s at most. */
static void
wait_for_menu (GtkDropDown *drop_down,
               const char  *label,
               gboolean     present)
{
  gint64 until = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  while (menu_has (drop_down, label) != present && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_true (menu_has (drop_down, label) == present);
}

static JsonObject *
page_new (const char *cursor)
{
  JsonObject *page = json_object_new ();

  json_object_set_array_member (page, "customers", json_array_new ());
  json_object_set_array_member (page, "contacts", json_array_new ());
  json_object_set_array_member (page, "removed", json_array_new ());
  json_object_set_string_member (page, "cursor", cursor);
  return page;
}

/* The region and owner menus follow the rows a sync changes: a region
 * comes with its first customer and goes with its last, and the menu
 * keeps the region chosen. */
static void
test_list_filter_choices_follow_changed_rows (Fixture       *f,
                                              gconstpointer  data)
{
  GtkDropDown *region = GTK_DROP_DOWN (page_child (f, "region_filter"));
  GtkDropDown *owner = GTK_DROP_DOWN (page_child (f, "owner_filter"));
  JsonObject *page = page_new ("choices-1");
  JsonObject *customer = json_object_new ();
  JsonObject *removal = json_object_new ();
  g_autoptr(GError) error = NULL;
  guint beijing = 0;

  wait_for_menu (region, "北京", TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (region)), ==, 4);
  for (guint i = 1; i < 4; i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (region)), i), "北京"))
      beijing = i;
  gtk_drop_down_set_selected (region, beijing);
  wait_for_count (f, "4 of 12 customers");

  json_object_set_string_member (customer, "id", "00000000-0000-4000-8000-000000009999");
  json_object_set_string_member (customer, "name", "成都天府软件园");
  json_object_set_int_member (customer, "version", 1);
  json_object_set_string_member (customer, "tier", "standard");
  json_object_set_string_member (customer, "status", "prospect");
  json_object_set_string_member (customer, "region_id", "00000000-0000-4000-8000-000000009901");
  json_object_set_string_member (customer, "region_name", "成都");
  json_object_set_string_member (customer, "owner_id", "00000000-0000-4000-8000-000000009902");
  json_object_set_string_member (customer, "owner_name", "赵敏");
  json_array_add_object_element (json_object_get_array_member (page, "customers"), customer);
  g_assert_true (crm_store_apply_sync_page (f->store->store, page, &error));
  g_assert_no_error (error);
  json_object_unref (page);

  wait_for_menu (region, "成都", TRUE);
  wait_for_menu (owner, "赵敏", TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (region)), ==, 5);
  /* still 北京, still filtered */
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (region)),
                                               gtk_drop_down_get_selected (region)), ==, "北京");
  wait_for_count (f, "4 of 13 customers");

  page = page_new ("choices-2");
  json_object_set_string_member (removal, "entity", "customer");
  json_object_set_string_member (removal, "id", "00000000-0000-4000-8000-000000009999");
  json_object_set_string_member (removal, "customer_id", "00000000-0000-4000-8000-000000009999");
  json_array_add_object_element (json_object_get_array_member (page, "removed"), removal);
  g_assert_true (crm_store_apply_sync_page (f->store->store, page, &error));
  g_assert_no_error (error);
  json_object_unref (page);

  wait_for_menu (region, "成都", FALSE);
  wait_for_menu (owner, "赵敏", FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (region)), ==, 4);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (region)),
                                               gtk_drop_down_get_selected (region)), ==, "北京");
  wait_for_count (f, "4 of 12 customers");
}

static JsonObject *
owned_customer_new (const char *id,
                    const char *name,
                    const char *owner_id,
                    const char *owner_name)
{
  JsonObject *customer = json_object_new ();

  json_object_set_string_member (customer, "id", id);
  json_object_set_string_member (customer, "name", name);
  json_object_set_int_member (customer, "version", 2);
  json_object_set_string_member (customer, "tier", "standard");
  json_object_set_string_member (customer, "status", "active");
  json_object_set_string_member (customer, "region_id", "00000000-0000-4000-8000-000000009001");
  json_object_set_string_member (customer, "region_name", "上海");
  json_object_set_string_member (customer, "owner_id", owner_id);
  json_object_set_string_member (customer, "owner_name", owner_name);
  return customer;
}

/* Whether @drop_down's menu is "All Account Managers" then exactly
 * @names (NULL-terminated, in collation order). */
static gboolean
menu_is (GtkDropDown        *drop_down,
         const char * const *names)
{
  GListModel *labels = gtk_drop_down_get_model (drop_down);
  guint n = g_strv_length ((char **) names);

  if (g_list_model_get_n_items (labels) != n + 1)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (labels), i + 1), names[i]))
      return FALSE;
  return TRUE;
}

/* The menus' order: the list's (pinyin, in every locale). */
static int
collate_cb (gconstpointer a,
            gconstpointer b)
{
  g_autofree char *ka = crm_collation_key (*(const char * const *) a);
  g_autofree char *kb = crm_collation_key (*(const char * const *) b);

  return strcmp (ka, kb);
}

static void
wait_for_menu_is (GtkDropDown *drop_down,
                  const char **names)
{
  gint64 until = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  qsort (names, g_strv_length ((char **) names), sizeof (char *), collate_cb);
  while (!menu_is (drop_down, names) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  if (!menu_is (drop_down, names))
    {
      GListModel *labels = gtk_drop_down_get_model (drop_down);

      for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
        g_test_message ("menu entry %u: %s", i, gtk_string_list_get_string (GTK_STRING_LIST (labels), i));
      g_assert_not_reached ();
    }
}

/* The owner menu is spliced where it differs (new owners scattered
 * through the alphabet, a renamed one moving, one going): it ends up
 * exactly the owners of the rows, in order, with the chosen one kept. */
static void
test_list_owner_menu_is_merged_in_order (Fixture       *f,
                                         gconstpointer  data)
{
  GtkDropDown *owner = GTK_DROP_DOWN (page_child (f, "owner_filter"));
  JsonArray *customers;
  JsonObject *page;
  JsonObject *removal;
  g_autoptr(GError) error = NULL;
  const char *first[] = { "王伟", "李娜", NULL };
  const char *added[] = { "王伟", "李娜", "Aaron Lee", "Zed Young", "Moss Hart", "陈静", NULL };
  const char *renamed[] = { "李娜", "Aaron Lee", "Zed Young", "陈静", "Abe Wang", NULL };

  wait_for_menu_is (owner, first);

  page = page_new ("owners-1");
  customers = json_object_get_array_member (page, "customers");
  json_array_add_object_element (customers, owned_customer_new ("00000000-0000-4000-8000-000000009101", "Aaron Co",
                                                                "00000000-0000-4000-8000-000000009201", "Aaron Lee"));
  json_array_add_object_element (customers, owned_customer_new ("00000000-0000-4000-8000-000000009102", "Zed Co",
                                                                "00000000-0000-4000-8000-000000009202", "Zed Young"));
  json_array_add_object_element (customers, owned_customer_new ("00000000-0000-4000-8000-000000009103", "Moss Co",
                                                                "00000000-0000-4000-8000-000000009203", "Moss Hart"));
  json_array_add_object_element (customers, owned_customer_new ("00000000-0000-4000-8000-000000009104", "陈氏集团",
                                                                "00000000-0000-4000-8000-000000009204", "陈静"));
  g_assert_true (crm_store_apply_sync_page (f->store->store, page, &error));
  g_assert_no_error (error);
  json_object_unref (page);
  wait_for_menu_is (owner, added);

  for (guint i = 1; i <= g_strv_length ((char **) added); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (owner)), i), "Zed Young"))
      gtk_drop_down_set_selected (owner, i);
  wait_for_count (f, "1 of 16 customers");

  /* 王伟 renamed by the latest of their rows (now first in the
   * alphabet), Moss Hart's only customer gone */
  page = page_new ("owners-2");
  customers = json_object_get_array_member (page, "customers");
  for (guint i = 0; i < 6; i++)
    {
      static const char *ids[] = { "01", "02", "06", "08", "09", "11" };
      g_autofree char *id = g_strdup_printf ("00000000-0000-4000-8000-0000000000%s", ids[i]);

      json_array_add_object_element (customers, owned_customer_new (id, "王氏客户",
                                                                    "00000000-0000-4000-8000-000000008001", "Abe Wang"));
    }
  removal = json_object_new ();
  json_object_set_string_member (removal, "entity", "customer");
  json_object_set_string_member (removal, "id", "00000000-0000-4000-8000-000000009103");
  json_object_set_string_member (removal, "customer_id", "00000000-0000-4000-8000-000000009103");
  json_array_add_object_element (json_object_get_array_member (page, "removed"), removal);
  g_assert_true (crm_store_apply_sync_page (f->store->store, page, &error));
  g_assert_no_error (error);
  json_object_unref (page);
  wait_for_menu_is (owner, renamed);

  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (owner)),
                                               gtk_drop_down_get_selected (owner)), ==, "Zed Young");
  wait_for_count (f, "1 of 15 customers");
}

static void
test_list_changes_while_loading_are_not_lost (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new_from (FIXTURE);
  CrmCustomersPage *page = g_object_ref_sink (CRM_CUSTOMERS_PAGE (crm_customers_page_new ()));
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) mutation = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCustomerItem) item = NULL;
  CrmCustomerModel *model;
  guint position;

  /* The model is filled in a worker; a change committed meanwhile is told
   * to it once it is the main thread's. */
  crm_customers_page_set_store (page, store->store);
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "loading");
  json_object_set_string_member (fields, "name", "浦发银行（改）");
  mutation = crm_store_enqueue_update (store->store, CRM_ENTITY_CUSTOMER, SPD_BANK, fields, &error);
  g_assert_no_error (error);
  crm_test_wait_loaded (page);
  crm_test_iterate (50);

  model = crm_customers_page_get_model (page);
  g_assert_cmpuint (crm_customer_model_get_total (model), ==, N_CUSTOMERS);
  g_assert_true (crm_customer_model_find (model, SPD_BANK, &position));
  item = g_list_model_get_item (G_LIST_MODEL (model), position);
  g_assert_cmpstr (crm_customer_item_get_name (item), ==, "浦发银行（改）");

  g_clear_object (&item);
  crm_customers_page_set_store (page, NULL);
  g_assert_finalize_object (page);
}

/* Labels and inscriptions (the cells, crm-customer-cells.c). */
static guint
count_texts (GtkWidget *widget)
{
  guint n = GTK_IS_LABEL (widget) || GTK_IS_INSCRIPTION (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_texts (child);
  return n;
}

#define N_MANY 100000

static gboolean
view_has_every_customer (gpointer view)
{
  return g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view))) == N_MANY;
}

static void
test_list_of_100000_opens_without_blocking (void)
{
  g_autoptr(CrmTestStore) store = crm_test_store_new ();
  g_autoptr(JsonObject) fixture = crm_test_load_page (FIXTURE);
  JsonObject *model_customer = json_array_get_object_element (json_object_get_array_member (fixture, "customers"), 0);
  static const char * const cities[] = { "北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "南京" };
  static const char * const trades[] = { "科技", "物流", "制造", "电子", "医药", "能源", "建设", "贸易" };
  CrmCustomersPage *page;
  GtkWindow *window;
  GtkColumnView *view;
  CrmCustomerModel *model;
  g_autoptr(CrmCustomerItem) top = NULL;
  gint64 start, took;
  guint labels, n_columns;

  /* 100,000 customers through sync pages of 5,000. */
  for (guint p = 0; p < N_MANY / 5000; p++)
    {
      g_autoptr(JsonObject) page_json = json_object_new ();
      g_autoptr(GError) error = NULL;
      JsonArray *customers = json_array_new ();

      for (guint i = p * 5000; i < (p + 1) * 5000; i++)
        {
          JsonObject *c = json_object_new ();
          g_autofree char *id = g_strdup_printf ("%08x-0000-4000-8000-%012u", i * 2654435761u, i);
          g_autofree char *name = g_strdup_printf ("%s%s%u有限公司", cities[i % 8], trades[(i / 8) % 8], i);
          GList *members = json_object_get_members (model_customer);

          for (GList *l = members; l != NULL; l = l->next)
            json_object_set_member (c, l->data, json_node_copy (json_object_get_member (model_customer, l->data)));
          g_list_free (members);
          json_object_set_string_member (c, "id", id);
          json_object_set_string_member (c, "name", name);
          json_object_set_null_member (c, "name_en");
          json_object_set_int_member (c, "monthly_revenue", (gint64) ((i * 7919u) % 1000003u));
          json_array_add_object_element (customers, c);
        }
      json_object_set_boolean_member (page_json, "reset", FALSE);
      json_object_set_array_member (page_json, "customers", customers);
      json_object_set_array_member (page_json, "contacts", json_array_new ());
      json_object_set_array_member (page_json, "removed", json_array_new ());
      json_object_set_string_member (page_json, "cursor", "c");
      json_object_set_boolean_member (page_json, "more", FALSE);
      g_assert_true (crm_store_apply_sync_page (store->store, page_json, &error));
      g_assert_no_error (error);
    }
  crm_test_iterate (50);

  page = CRM_CUSTOMERS_PAGE (crm_customers_page_new ());
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1280, 800);
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);

  /* The page is handed the store at once: reading it is a worker's job. */
  start = g_get_monotonic_time ();
  crm_customers_page_set_store (page, store->store);
  took = g_get_monotonic_time () - start;
  g_test_message ("set_store took %.1f ms", took / 1000.0);
  g_assert_cmpint (took, <, 100 * 1000);
  g_assert_cmpstr (crm_customers_page_get_state (page), ==, "loading");
  crm_test_wait_loaded (page);
  crm_test_wait_drawn (window);

  model = crm_customers_page_get_model (page);
  g_assert_cmpuint (crm_customer_model_get_total (model), ==, N_MANY);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE,
                                                                                   "count_label"))),
                   ==, "100,000 customers");

  /* Rows are made for what shows, and recycled: GTK 4.8's list view keeps
   * a window of about 200 rows (a text a column), however many customers. */
  view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "column_view"));
  n_columns = g_list_model_get_n_items (gtk_column_view_get_columns (view));
  labels = count_texts (GTK_WIDGET (view));
  g_test_message ("%u texts in the column view", labels);
  /* rows were made (the first screen at least), not one per customer */
  g_assert_cmpuint (labels, >, n_columns * 10);
  g_assert_cmpuint (labels, <, n_columns * 300);
  /* the view gets its rows a few each frame (crm-customers-page.c,
   * show_rows ()), then, past the rows GTK makes, every customer at once:
   * the scroll bar and End reach the last one */
  {
    gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!view_has_every_customer (view) && g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (view_has_every_customer (view));
  }
  g_assert_cmpuint (count_texts (GTK_WIDGET (view)), <, n_columns * 300);

  /* Search and sort go through the model, without reading SQLite. */
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE,
                                                                      "search_entry")), "深圳");
  crm_test_iterate (400);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_MANY / 8);
  gtk_column_view_sort_by_column (view, GTK_COLUMN_VIEW_COLUMN (gtk_widget_get_template_child (GTK_WIDGET (page),
                                                                                                CRM_TYPE_CUSTOMERS_PAGE,
                                                                                                "revenue_column")),
                                  GTK_SORT_DESCENDING);
  top = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_true (g_str_has_prefix (crm_customer_item_get_name (top), "深圳"));
  crm_test_wait_drawn (window);
  g_assert_cmpuint (count_texts (GTK_WIDGET (view)), <, n_columns * 300);

  g_clear_object (&top);
  gtk_window_destroy (window);
  crm_test_iterate (50);
}

static void
test_format_follows_the_locale (void)
{
  g_autofree char *c_money = NULL;
  g_autofree char *zh_money = NULL;
  g_autofree char *en_money = NULL;
  g_autofree char *zh_date = NULL;
  g_autofree char *negative = NULL;

  c_money = crm_format_money (123456789);
  g_assert_cmpstr (c_money, ==, "¥1,234,567.89");
  negative = crm_format_money (-5);
  g_assert_cmpstr (negative, ==, "-¥0.05");

  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL || setlocale (LC_ALL, "en_US.UTF-8") == NULL)
    {
      setlocale (LC_ALL, "C.UTF-8");
      g_test_skip ("zh_CN.UTF-8 or en_US.UTF-8 is not installed");
      return;
    }
  setlocale (LC_ALL, "zh_CN.UTF-8");
  zh_money = crm_format_money (123456789);
  zh_date = crm_format_date ("2019-03-01");
  setlocale (LC_ALL, "en_US.UTF-8");
  en_money = crm_format_money (123456789);
  setlocale (LC_ALL, "C.UTF-8");

  g_assert_cmpstr (zh_money, ==, "¥1,234,567.89");
  g_assert_cmpstr (en_money, ==, "¥1,234,567.89");
  g_assert_cmpstr (zh_date, ==, "2019年03月01日");
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");

  g_test_add ("/client/customers/list/shows-every-customer-and-the-count", Fixture, NULL,
              fixture_set_up, test_list_shows_every_customer_and_the_count, fixture_tear_down);
  g_test_add ("/client/customers/list/search-narrows-as-you-type", Fixture, NULL,
              fixture_set_up, test_list_search_narrows_as_you_type, fixture_tear_down);
  g_test_add ("/client/customers/list/filters-narrow", Fixture, NULL,
              fixture_set_up, test_list_filters_narrow, fixture_tear_down);
  g_test_add ("/client/customers/list/header-click-sorts-through-the-model", Fixture, NULL,
              fixture_set_up, test_list_header_click_sorts_through_the_model, fixture_tear_down);
  g_test_add ("/client/customers/detail/shows-fields-and-contacts", Fixture, NULL,
              fixture_set_up, test_detail_shows_fields_and_contacts, fixture_tear_down);
  g_test_add ("/client/customers/edit/checks-as-you-type-and-queues-changed-fields-only", Fixture, NULL,
              fixture_set_up, test_edit_checks_as_you_type_and_queues_changed_fields_only, fixture_tear_down);
  g_test_add ("/client/customers/edit/customer-fields-update-the-list", Fixture, NULL,
              fixture_set_up, test_edit_customer_fields_update_the_list, fixture_tear_down);
  g_test_add ("/client/customers/list/owner-menu-is-merged-in-order", Fixture, NULL,
              fixture_set_up, test_list_owner_menu_is_merged_in_order, fixture_tear_down);
  g_test_add ("/client/customers/list/filter-choices-follow-changed-rows", Fixture, NULL,
              fixture_set_up, test_list_filter_choices_follow_changed_rows, fixture_tear_down);
  g_test_add_func ("/client/customers/list/changes-while-loading-are-not-lost",
                   test_list_changes_while_loading_are_not_lost);
  g_test_add_func ("/client/customers/list/100000-customers-open-without-blocking",
                   test_list_of_100000_opens_without_blocking);
  g_test_add_func ("/client/format/follows-the-locale", test_format_follows_the_locale);

  return g_test_run ();
}
