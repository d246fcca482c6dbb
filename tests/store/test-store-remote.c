/* A change of a record the sync never brings (a director moving a
 * colleague's opportunity listed by GET /opportunities):
 * crm_store_enqueue_update_of_remote () queues it based on the record the
 * server sent, like any change (kept over a reopen, in the list of
 * unsent changes, a conflict kept), and the record leaves the store with
 * its last change. */
#include "config.h"

#include "crm-error.h"
#include "crm-store.h"
#include "store-test-util.h"

#define SERVER_VERSION 7

/* An opportunity as GET /opportunities lists it. */
static JsonObject *
listed_opportunity (guint       n,
                    const char *stage)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "id", test_id (n));
  json_object_set_string_member (o, "customer_id", test_id (100 + n));
  json_object_set_string_member (o, "customer_name", "东方电子");
  json_object_set_string_member (o, "owner_id", test_id (200 + n));
  json_object_set_string_member (o, "owner_name", "王芳");
  json_object_set_string_member (o, "name", "专线扩容");
  json_object_set_string_member (o, "stage", stage);
  json_object_set_int_member (o, "amount_once", 1200000);
  json_object_set_int_member (o, "amount_monthly", 50000);
  json_object_set_int_member (o, "contract_months", 24);
  json_object_set_null_member (o, "probability");
  json_object_set_string_member (o, "expected_close", "2027-01-15");
  json_object_set_string_member (o, "stage_changed_at", "2026-11-02T09:00:00Z");
  json_object_set_int_member (o, "version", SERVER_VERSION);
  return o;
}

static JsonObject *
stage_change (const char *stage)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "stage", stage);
  return fields;
}

static gint64
count (StoreFixture *f,
       const char   *sql)
{
  g_autofree char *text = test_sql_text (f->path, sql);

  return g_ascii_strtoll (text, NULL, 10);
}

static const char SQL_ROWS[] =
  "SELECT (SELECT count(*) FROM opportunities) + (SELECT count(*) FROM opportunities_server)"
  " + (SELECT count(*) FROM remote_records)";

static void
test_change_is_based_on_the_server_record (StoreFixture  *f,
                                           gconstpointer  data)
{
  g_autoptr(JsonObject) record = listed_opportunity (1, "proposal");
  g_autoptr(JsonObject) fields = stage_change ("negotiation");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) next = NULL;
  g_autoptr(GPtrArray) unsent = NULL;
  g_autofree char *stage = NULL;

  m = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, record, fields, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  g_assert_cmpstr (m->record_id, ==, test_id (1));
  g_assert_cmpint (m->base_version, ==, SERVER_VERSION);
  g_assert_cmpstr (json_object_get_string_member (m->base, "stage"), ==, "proposal");
  g_assert_nonnull (m->key);
  g_assert_true (crm_store_is_remote_record (f->store, CRM_ENTITY_OPPORTUNITY, test_id (1)));
  /* shown with the change, the server's record kept under it */
  stage = test_sql_text (f->path, "SELECT stage FROM opportunities");
  g_assert_cmpstr (stage, ==, "negotiation");
  g_assert_cmpint (count (f, "SELECT count(*) FROM opportunities_server WHERE stage = 'proposal'"), ==, 1);

  /* in the list of unsent changes, and sent like any other */
  unsent = crm_store_list_unsent_changes (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (unsent->len, ==, 1);
  next = crm_store_next_mutation (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (next->seq, ==, m->seq);
}

static void
test_record_leaves_with_its_last_change (StoreFixture  *f,
                                         gconstpointer  data)
{
  g_autoptr(JsonObject) record = listed_opportunity (1, "proposal");
  g_autoptr(JsonObject) first = stage_change ("negotiation");
  g_autoptr(JsonObject) second = stage_change ("won");
  g_autoptr(JsonObject) answer = listed_opportunity (1, "negotiation");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) a = NULL;
  g_autoptr(CrmMutation) b = NULL;

  a = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, record, first, &error);
  g_assert_no_error (error);
  /* a second change of it is made on the record as it shows here */
  b = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, record, second, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (b->base, "stage"), ==, "negotiation");

  json_object_set_int_member (answer, "version", SERVER_VERSION + 1);
  g_assert_true (crm_store_mutation_done (f->store, a->seq, answer, &error));
  g_assert_no_error (error);
  /* still queued: still here */
  g_assert_true (crm_store_is_remote_record (f->store, CRM_ENTITY_OPPORTUNITY, test_id (1)));
  g_assert_cmpint (count (f, "SELECT count(*) FROM opportunities WHERE stage = 'won'"), ==, 1);

  json_object_set_string_member (answer, "stage", "won");
  json_object_set_int_member (answer, "version", SERVER_VERSION + 2);
  g_assert_true (crm_store_mutation_done (f->store, b->seq, answer, &error));
  g_assert_no_error (error);
  g_assert_false (crm_store_is_remote_record (f->store, CRM_ENTITY_OPPORTUNITY, test_id (1)));
  g_assert_cmpint (count (f, SQL_ROWS), ==, 0);
}

static void
test_refused_change_keeps_it_until_dismissed (StoreFixture  *f,
                                              gconstpointer  data)
{
  g_autoptr(JsonObject) record = listed_opportunity (1, "proposal");
  g_autoptr(JsonObject) fields = stage_change ("negotiation");
  g_autoptr(JsonObject) current = listed_opportunity (1, "qualification");
  g_autoptr(JsonObject) other = listed_opportunity (2, "proposal");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) c = NULL;

  m = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, record, fields, &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_mutation_failed (f->store, m->seq, "forbidden", &error));
  g_assert_no_error (error);
  /* in the list of unsent changes, as refused: the record stays for it */
  g_assert_cmpuint (crm_store_count_unsent_changes (f->store, NULL), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM opportunities WHERE stage = 'proposal'"), ==, 1);
  g_assert_true (crm_store_discard_mutation (f->store, m->seq, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, SQL_ROWS), ==, 0);

  /* a conflict keeps it, with the server's current record under it */
  c = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, other, fields, &error);
  g_assert_no_error (error);
  json_object_set_string_member (current, "id", test_id (2));
  json_object_set_int_member (current, "version", SERVER_VERSION + 1);
  g_assert_true (crm_store_mutation_conflict (f->store, c->seq, current, NULL, "changed", &error));
  g_assert_no_error (error);
  g_assert_true (crm_store_is_remote_record (f->store, CRM_ENTITY_OPPORTUNITY, test_id (2)));
  g_assert_cmpint (count (f, "SELECT count(*) FROM opportunities_server WHERE stage = 'qualification'"), ==, 1);
}

static void
test_queued_change_survives_a_reopen (StoreFixture  *f,
                                      gconstpointer  data)
{
  g_autoptr(JsonObject) record = listed_opportunity (1, "proposal");
  g_autoptr(JsonObject) fields = stage_change ("negotiation");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) again = NULL;

  m = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, record, fields, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&f->store));
  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);
  again = crm_store_next_mutation (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  g_assert_cmpstr (again->key, ==, m->key);
  g_assert_cmpstr (json_object_get_string_member (again->base, "stage"), ==, "proposal");
  g_assert_true (crm_store_is_remote_record (f->store, CRM_ENTITY_OPPORTUNITY, test_id (1)));
}

static void
test_own_record_stays_after_its_change (StoreFixture  *f,
                                        gconstpointer  data)
{
  g_autoptr(JsonObject) record = listed_opportunity (1, "proposal");
  g_autoptr(JsonObject) fields = stage_change ("negotiation");
  g_autoptr(JsonObject) answer = listed_opportunity (1, "negotiation");
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;

  /* the user's own, which the sync brought: changed as it shows here */
  {
    g_autoptr(JsonObject) page = test_page ("c1");
    JsonArray *list = json_array_new ();

    json_array_add_object_element (list, json_object_ref (record));
    json_object_set_array_member (page, "opportunities", list);
    test_apply (f->store, g_steal_pointer (&page));
  }
  m = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, record, fields, &error);
  g_assert_no_error (error);
  g_assert_false (crm_store_is_remote_record (f->store, CRM_ENTITY_OPPORTUNITY, test_id (1)));
  json_object_set_int_member (answer, "version", SERVER_VERSION + 1);
  g_assert_true (crm_store_mutation_done (f->store, m->seq, answer, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM opportunities WHERE stage = 'negotiation'"), ==, 1);
}

/* A director hands a colleague's deal to themselves: the sync brings it
 * (it is theirs now) while the change is still queued.  It stays after
 * that change settles. */
static void
test_record_the_sync_brings_stays (StoreFixture  *f,
                                   gconstpointer  data)
{
  g_autoptr(JsonObject) record = listed_opportunity (1, "proposal");
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) answer = listed_opportunity (1, "proposal");
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (fields, "owner_id", test_id (300));
  m = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, record, fields, &error);
  g_assert_no_error (error);
  g_assert_true (crm_store_is_remote_record (f->store, CRM_ENTITY_OPPORTUNITY, test_id (1)));

  /* the server took it; the sync brings it before the answer is read */
  json_object_set_string_member (answer, "owner_id", test_id (300));
  json_object_set_int_member (answer, "version", SERVER_VERSION + 1);
  {
    g_autoptr(JsonObject) page = test_page ("c1");
    JsonArray *list = json_array_new ();

    json_array_add_object_element (list, json_object_ref (answer));
    json_object_set_array_member (page, "opportunities", list);
    test_apply (f->store, g_steal_pointer (&page));
  }
  g_assert_false (crm_store_is_remote_record (f->store, CRM_ENTITY_OPPORTUNITY, test_id (1)));

  g_assert_true (crm_store_mutation_done (f->store, m->seq, answer, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (f, "SELECT count(*) FROM opportunities WHERE owner_id IS NOT NULL AND version = 8"), ==, 1);
  g_assert_cmpint (count (f, "SELECT count(*) FROM opportunities_server"), ==, 0);
  g_assert_cmpint (count (f, "SELECT count(*) FROM remote_records"), ==, 0);
}

static void
test_other_record_is_refused (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(JsonObject) record = listed_opportunity (1, "proposal");
  g_autoptr(JsonObject) bad = stage_change ("haggling");
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;

  m = crm_store_enqueue_update_of_remote (f->store, CRM_ENTITY_OPPORTUNITY, record, bad, &error);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_null (m);
  g_assert_cmpint (count (f, SQL_ROWS), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, StoreFixture, NULL, store_fixture_set_up, func, store_fixture_tear_down)
  ADD ("/store/remote/change-is-based-on-the-server-record", test_change_is_based_on_the_server_record);
  ADD ("/store/remote/record-leaves-with-its-last-change", test_record_leaves_with_its_last_change);
  ADD ("/store/remote/refused-change-keeps-it-until-dismissed", test_refused_change_keeps_it_until_dismissed);
  ADD ("/store/remote/queued-change-survives-a-reopen", test_queued_change_survives_a_reopen);
  ADD ("/store/remote/own-record-stays-after-its-change", test_own_record_stays_after_its_change);
  ADD ("/store/remote/invalid-change-writes-nothing", test_other_record_is_refused);
  ADD ("/store/remote/record-the-sync-brings-stays-after-its-change", test_record_the_sync_brings_stays);
#undef ADD
  return g_test_run ();
}
