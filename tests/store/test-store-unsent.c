#define G_LOG_DOMAIN "test-store-unsent"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-store.h"
#include "store-test-util.h"

/*
 * What the list of unsent changes and the list's mark read from the
 * store: every queued change with its customer's and contact's names,
 * when it was made and its state, and each customer item's
 * has-unsent-changes.  Assertions are non-fatal.
 */

static JsonObject *
fields1 (const char *name,
         const char *value)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, name, value);
  return fields;
}

/* Customers 1 (北京银行, contacts 101 李明 and 102 张华) and 2 (上海电力). */
static void
seed (CrmStore *store)
{
  JsonObject *page = test_page ("c1");

  test_page_add_customer (page, test_customer (1, "北京银行", 3));
  test_page_add_customer (page, test_customer (2, "上海电力", 5));
  test_page_add_contact (page, test_contact (101, 1, "李明", FALSE, 1));
  test_page_add_contact (page, test_contact (102, 1, "张华", TRUE, 1));
  test_apply (store, page);
}

static CrmMutation *
enqueue (CrmStore   *store,
         CrmEntity   entity,
         guint       n,
         const char *field,
         const char *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = fields1 (field, value);
  CrmMutation *m = crm_store_enqueue_update (store, entity, test_id (n), fields, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static GPtrArray *
unsent (CrmStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = crm_store_list_unsent_changes (store, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

/* The item of customer @n, as the list model reads it. */
static gboolean
item_has_unsent (CrmStore *store,
                 guint     n)
{
  g_autoptr(GError) error = NULL;
  const char *ids[] = { test_id (n), NULL };
  g_autoptr(GPtrArray) items = crm_store_get_customer_items (store, ids, &error);
  g_autoptr(GPtrArray) all = crm_store_list_customer_items (store, &error);
  gboolean in_all = FALSE;

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  /* both ways of reading items agree */
  for (guint i = 0; i < all->len; i++)
    if (g_str_equal (crm_customer_item_get_id (all->pdata[i]), test_id (n)))
      in_all = crm_customer_item_get_has_unsent_changes (all->pdata[i]);
  g_assert_cmpint (in_all, ==, crm_customer_item_get_has_unsent_changes (items->pdata[0]));
  return crm_customer_item_get_has_unsent_changes (items->pdata[0]);
}

static void
test_unsent_lists_changes_with_names_and_time (StoreFixture  *f,
                                               gconstpointer  data)
{
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(CrmMutation) b = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) after = NULL;
  g_autoptr(GError) error = NULL;
  CrmUnsentChange *first;
  CrmUnsentChange *second;

  seed (f->store);
  g_assert_cmpuint (crm_store_count_unsent_changes (f->store, &error), ==, 0);
  list = unsent (f->store);
  g_assert_cmpuint (list->len, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);

  a = enqueue (f->store, CRM_ENTITY_CUSTOMER, 2, "phone", "021-66668888");
  b = enqueue (f->store, CRM_ENTITY_CONTACT, 101, "mobile", "13912345678");
  after = g_date_time_new_now_utc ();

  g_assert_cmpuint (crm_store_count_unsent_changes (f->store, &error), ==, 2);
  g_assert_no_error (error);
  list = unsent (f->store);
  g_assert_cmpuint (list->len, ==, 2);
  if (list->len != 2)
    return;
  first = list->pdata[0];
  second = list->pdata[1];

  g_assert_cmpint (first->mutation->seq, ==, a->seq);
  g_assert_cmpstr (first->customer_id, ==, test_id (2));
  g_assert_cmpstr (first->customer_name, ==, "上海电力");
  g_assert_null (first->contact_name);
  g_assert_cmpint (first->mutation->state, ==, CRM_MUTATION_PENDING);
  g_assert_true (json_object_has_member (first->mutation->fields, "phone"));
  g_assert_nonnull (first->created_at);
  /* SQLite keeps milliseconds: allow the rounding */
  g_assert_cmpint (g_date_time_difference (first->created_at, before), >=, -G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_date_time_difference (after, first->created_at), >=, -G_TIME_SPAN_MILLISECOND);

  g_assert_cmpint (second->mutation->seq, ==, b->seq);
  g_assert_cmpint (second->mutation->entity, ==, CRM_ENTITY_CONTACT);
  g_assert_cmpstr (second->customer_id, ==, test_id (1));
  g_assert_cmpstr (second->customer_name, ==, "北京银行");
  g_assert_cmpstr (second->contact_name, ==, "李明");
}

static void
test_unsent_states_follow_the_queue (StoreFixture  *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(CrmMutation) b = NULL;
  g_autoptr(CrmMutation) c = NULL;
  g_autoptr(CrmMutation) sent = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonObject) current = test_customer (2, "上海电力（他人改名）", 9);
  g_autoptr(JsonArray) conflicts = json_array_new ();
  JsonObject *conflict = json_object_new ();

  seed (f->store);
  a = enqueue (f->store, CRM_ENTITY_CUSTOMER, 1, "phone", "021-66668888");
  b = enqueue (f->store, CRM_ENTITY_CUSTOMER, 2, "name", "上海电力集团");
  c = enqueue (f->store, CRM_ENTITY_CONTACT, 102, "title", "总经理");

  json_object_set_string_member (conflict, "field", "name");
  json_object_set_string_member (conflict, "base", "上海电力");
  json_object_set_string_member (conflict, "mine", "上海电力集团");
  json_object_set_string_member (conflict, "theirs", "上海电力（他人改名）");
  json_array_add_object_element (conflicts, conflict);

  sent = crm_store_next_mutation (f->store, &error);                 /* a: sending */
  g_assert_true (crm_store_mutation_conflict (f->store, b->seq, current, conflicts,
                                              "Someone else changed the same fields", &error));  /* b: conflict */
  g_assert_true (crm_store_mutation_failed (f->store, c->seq, "forbidden: not yours", &error));
  g_assert_no_error (error);

  list = unsent (f->store);
  g_assert_cmpuint (list->len, ==, 3);
  if (list->len != 3)
    return;
  g_assert_cmpint (((CrmUnsentChange *) list->pdata[0])->mutation->state, ==, CRM_MUTATION_SENT);
  g_assert_false (crm_unsent_change_is_conflict (list->pdata[0]));
  g_assert_cmpint (((CrmUnsentChange *) list->pdata[1])->mutation->state, ==, CRM_MUTATION_CONFLICT);
  g_assert_true (crm_unsent_change_is_conflict (list->pdata[1]));
  /* until the user chooses, the row keeps their name (mine) */
  g_assert_cmpstr (((CrmUnsentChange *) list->pdata[1])->customer_name, ==, "上海电力集团");
  g_assert_cmpint (((CrmUnsentChange *) list->pdata[2])->mutation->state, ==, CRM_MUTATION_FAILED);
  g_assert_false (crm_unsent_change_is_conflict (list->pdata[2]));
  g_assert_cmpstr (((CrmUnsentChange *) list->pdata[2])->mutation->last_error, ==, "forbidden: not yours");
}

static void
test_unsent_marks_the_customer_item (StoreFixture  *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(CrmMutation) b = NULL;
  g_autoptr(JsonObject) record = NULL;

  seed (f->store);
  g_assert_false (item_has_unsent (f->store, 1));
  g_assert_false (item_has_unsent (f->store, 2));

  /* a contact's change marks its customer */
  a = enqueue (f->store, CRM_ENTITY_CONTACT, 101, "mobile", "13912345678");
  g_assert_true (item_has_unsent (f->store, 1));
  g_assert_false (item_has_unsent (f->store, 2));

  b = enqueue (f->store, CRM_ENTITY_CUSTOMER, 2, "phone", "021-66668888");
  g_assert_true (item_has_unsent (f->store, 2));

  /* confirmed: the mark goes */
  record = test_customer (2, "上海电力", 6);
  json_object_set_string_member (record, "phone", "021-66668888");
  g_assert_true (crm_store_mutation_done (f->store, b->seq, record, &error));
  g_assert_no_error (error);
  g_assert_false (item_has_unsent (f->store, 2));
  g_assert_true (item_has_unsent (f->store, 1));

  /* refused, it stays listed (and marked) until dismissed */
  g_assert_true (crm_store_mutation_failed (f->store, a->seq, "invalid: no", &error));
  g_assert_true (item_has_unsent (f->store, 1));
  g_assert_true (crm_store_discard_mutation (f->store, a->seq, &error));
  g_assert_no_error (error);
  g_assert_false (item_has_unsent (f->store, 1));
  g_assert_cmpuint (crm_store_count_unsent_changes (f->store, &error), ==, 0);
}

/* A delete is listed with the deleted contact's name (from its server
 * record) and its customer, and marks the customer until it is confirmed;
 * an interaction, logged or edited, with its subject, kind and customer. */
static void
test_unsent_names_deletes_and_interactions (StoreFixture  *f,
                                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) deleted = NULL;
  g_autoptr(CrmMutation) logged = NULL;
  g_autoptr(CrmMutation) edited = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) outcome = fields1 ("outcome", "negative");
  g_autoptr(GPtrArray) list = NULL;
  JsonObject *page = test_page ("c2");
  CrmUnsentChange *change;

  seed (f->store);
  json_object_set_array_member (page, "interactions", json_array_new ());
  json_array_add_object_element (json_object_get_array_member (page, "interactions"),
                                 test_interaction (201, 2, "季度回访", 1));
  test_apply (f->store, page);
  g_assert_false (item_has_unsent (f->store, 1));

  deleted = crm_store_enqueue_delete (f->store, CRM_ENTITY_CONTACT, test_id (101), &error);
  g_assert_no_error (error);
  json_object_set_string_member (fields, "customer_id", test_id (1));
  json_object_set_string_member (fields, "kind", "call");
  json_object_set_string_member (fields, "occurred_at", "2026-12-03T10:15:00+08:00");
  json_object_set_string_member (fields, "subject", "电话确认续约意向");
  json_object_set_string_member (fields, "outcome", "neutral");
  logged = crm_store_enqueue_create (f->store, CRM_ENTITY_INTERACTION, NULL, fields, &error);
  g_assert_no_error (error);
  edited = crm_store_enqueue_update (f->store, CRM_ENTITY_INTERACTION, test_id (201), outcome, &error);
  g_assert_no_error (error);

  list = unsent (f->store);
  g_assert_cmpuint (list->len, ==, 3);
  change = list->pdata[0];
  g_assert_cmpint (change->mutation->op, ==, CRM_MUTATION_OP_DELETE);
  g_assert_cmpstr (change->contact_name, ==, "李明");
  g_assert_cmpstr (change->record_name, ==, "李明");
  g_assert_cmpstr (change->customer_id, ==, test_id (1));
  g_assert_cmpstr (change->customer_name, ==, "北京银行");
  change = list->pdata[1];
  g_assert_cmpint (change->mutation->entity, ==, CRM_ENTITY_INTERACTION);
  g_assert_cmpstr (change->record_name, ==, "电话确认续约意向");
  g_assert_cmpstr (json_object_get_string_member (change->record, "kind"), ==, "call");
  g_assert_cmpstr (change->customer_name, ==, "北京银行");
  g_assert_null (change->contact_name);
  change = list->pdata[2];
  g_assert_cmpstr (change->record_name, ==, "季度回访");
  g_assert_cmpstr (change->customer_id, ==, test_id (2));
  g_assert_cmpstr (change->customer_name, ==, "上海电力");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* the deleted contact's customer is marked until the delete is confirmed */
  g_assert_true (item_has_unsent (f->store, 1));
  g_assert_true (crm_store_discard_mutation (f->store, logged->seq, &error));
  g_assert_no_error (error);
  g_assert_true (item_has_unsent (f->store, 1));
  g_assert_true (crm_store_mutation_done (f->store, deleted->seq, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (item_has_unsent (f->store, 1));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, StoreFixture, NULL, store_fixture_set_up, func, store_fixture_tear_down)
  ADD ("/store/unsent/lists-changes-with-names-and-time", test_unsent_lists_changes_with_names_and_time);
  ADD ("/store/unsent/states-follow-the-queue", test_unsent_states_follow_the_queue);
  ADD ("/store/unsent/marks-the-customer-item", test_unsent_marks_the_customer_item);
  ADD ("/store/unsent/names-deletes-and-interactions", test_unsent_names_deletes_and_interactions);
#undef ADD

  return g_test_run ();
}
