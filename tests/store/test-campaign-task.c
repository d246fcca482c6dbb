#define G_LOG_DOMAIN "test-campaign-task"

#include "config.h"

#include <string.h>

#include "crm-campaign-task.h"
#include "crm-entity.h"
#include "crm-error.h"
#include "crm-store.h"
#include "store-test-util.h"

/*
 * Campaign tasks read from the store (crm-campaign-task.c): the members
 * assigned to a user (and, for the 360° page, those queued), due first,
 * never the control group; an outcome queued on one shows at once, marked
 * unsent, and the list of unsent changes names its customer.
 */

#define ME     8001
#define OTHER  8002

static JsonObject *
object_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static void
page_add (JsonObject *page,
          const char *plural,
          JsonObject *record)
{
  if (!json_object_has_member (page, plural))
    json_object_set_array_member (page, plural, json_array_new ());
  json_array_add_object_element (json_object_get_array_member (page, plural), record);
}

static void
add_campaign (JsonObject *page,
              guint       id,
              const char *name,
              const char *ends_on)
{
  g_autofree char *json = g_strdup_printf ("{\"id\": \"%s\", \"name\": \"%s\", \"kind\": \"retention\","
                                           " \"channels\": [\"sms\", \"phone\"], \"segment_id\": null,"
                                           " \"owner_id\": null, \"status\": \"running\", \"starts_on\": \"2026-10-01\","
                                           " \"ends_on\": \"%s\", \"budget\": 0, \"cost\": 0, \"offer\": \"9 折\","
                                           " \"channel_costs\": {\"sms\": 8, \"phone\": 350}, \"control_percent\": 10,"
                                           " \"created_at\": \"2026-09-01T00:00:00+00:00\", \"version\": 1,"
                                           " \"updated_at\": \"2026-09-01T00:00:00+00:00\"}",
                                           test_id (id), name, ends_on);

  page_add (page, "campaigns", object_from (json));
}

/* A member; @assigned 0 for none; @control as the server sends it to
 * those who receive it (NULL: the column withheld, as for a manager). */
static void
add_member (JsonObject *page,
            guint       campaign,
            guint       customer,
            guint       assigned,
            const char *queue,
            const char *control,
            const char *response)
{
  g_autofree char *assigned_json = assigned ? g_strdup_printf ("\"%s\"", test_id (assigned)) : g_strdup ("null");
  g_autofree char *queue_json = queue ? g_strdup_printf ("\"%s\"", queue) : g_strdup ("null");
  g_autofree char *json = g_strdup_printf ("{\"campaign_id\": \"%s\", \"customer_id\": \"%s\", \"is_control\": %s,"
                                           " \"assigned_to\": %s, \"queue\": %s, \"channel\": null,"
                                           " \"contacted_at\": null, \"response\": \"%s\", \"responded_at\": null,"
                                           " \"revenue\": 0, \"opportunity_id\": null, \"subscription_id\": null,"
                                           " \"version\": 1, \"updated_at\": \"2026-10-02T00:00:00+00:00\"}",
                                           test_id (campaign), test_id (customer), control ? control : "null",
                                           assigned_json, queue_json, response);

  page_add (page, "campaign_members", object_from (json));
}

/* Customers 1..3; campaigns 91 (ends 2026-12-31) and 96 (ends 2026-11-30). */
static void
fill (StoreFixture *f)
{
  JsonObject *page = test_page ("c1");

  test_page_add_customer (page, test_customer (1, "甲公司", 1));
  test_page_add_customer (page, test_customer (2, "乙公司", 1));
  test_page_add_customer (page, test_customer (3, "丙公司", 1));
  add_campaign (page, 91, "续约挽留", "2026-12-31");
  add_campaign (page, 96, "年终关怀", "2026-11-30");
  add_member (page, 91, 1, ME, NULL, NULL, "pending");
  add_member (page, 96, 2, ME, NULL, NULL, "responded");
  add_member (page, 91, 2, 0, "sms", NULL, "pending");
  add_member (page, 91, 3, OTHER, NULL, NULL, "contacted");
  /* the control group as marketing and administrators receive it */
  add_member (page, 96, 3, 0, NULL, "true", "pending");
  add_member (page, 96, 1, 0, "phone", "true", "pending");
  g_assert_true (test_apply (f->store, page));
}

static GPtrArray *
read_tasks (StoreFixture         *f,
            guint                 user,
            const char           *customer_id,
            CrmCampaignTaskScope  scope)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *tasks = crm_campaign_tasks_read (f->store, test_id (user), customer_id, scope, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tasks);
  return tasks;
}

static char *
key (guint campaign,
     guint customer)
{
  return crm_campaign_task_key_of (test_id (campaign), test_id (customer));
}

static void
assert_key (CrmCampaignTask *task,
            guint            campaign,
            guint            customer)
{
  g_autofree char *expected = key (campaign, customer);

  g_assert_cmpstr (crm_campaign_task_get_key (task), ==, expected);
}

static void
test_assigned_due_first (StoreFixture  *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) tasks = NULL;
  CrmCampaignTask *first, *second;

  fill (f);
  tasks = read_tasks (f, ME, NULL, CRM_CAMPAIGN_TASKS_ASSIGNED);

  /* mine only (not the other manager's, not the queue's), due first */
  g_assert_cmpuint (tasks->len, ==, 2);
  first = tasks->pdata[0];
  second = tasks->pdata[1];
  assert_key (first, 96, 2);
  assert_key (second, 91, 1);
  g_assert_cmpstr (crm_campaign_task_get_due (first), ==, "2026-11-30");
  g_assert_cmpstr (crm_campaign_task_get_campaign_field (first, "name"), ==, "年终关怀");
  g_assert_cmpstr (crm_campaign_task_get_customer_name (first), ==, "乙公司");
  g_assert_false (crm_campaign_task_is_open (first));
  g_assert_true (crm_campaign_task_is_open (second));
  g_assert_cmpstr (crm_campaign_task_get_channels (second)[0], ==, "sms");
  g_assert_cmpstr (crm_campaign_task_get_channels (second)[1], ==, "phone");
  g_assert_null (crm_campaign_task_get_channels (second)[2]);
  g_assert_false (crm_campaign_task_get_unsent (second));

  /* nobody signed in: nothing assigned, only what is queued */
  g_clear_pointer (&tasks, g_ptr_array_unref);
  {
    g_autoptr(GError) error = NULL;

    tasks = crm_campaign_tasks_read (f->store, NULL, NULL, CRM_CAMPAIGN_TASKS_WITH_QUEUED, &error);
    g_assert_no_error (error);
    /* (96, 1) has a queue but is in the control group */
    g_assert_cmpuint (tasks->len, ==, 1);
    assert_key (tasks->pdata[0], 91, 2);
  }
}

static void
test_never_the_control_group (StoreFixture  *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) third = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(CrmCampaignTask) control = NULL;
  g_autoptr(CrmCampaignTask) treated = NULL;

  fill (f);
  /* customer 3: the other manager's target, and a control member */
  third = read_tasks (f, OTHER, test_id (3), CRM_CAMPAIGN_TASKS_WITH_QUEUED);
  g_assert_cmpuint (third->len, ==, 1);
  assert_key (third->pdata[0], 91, 3);
  /* customer 1: mine, and a control member that has a queue (as a
   * mistaken row would): still not a task */
  first = read_tasks (f, ME, test_id (1), CRM_CAMPAIGN_TASKS_WITH_QUEUED);
  g_assert_cmpuint (first->len, ==, 1);
  assert_key (first->pdata[0], 91, 1);

  control = crm_campaign_task_read_one (f->store, test_id (96), test_id (3), NULL);
  g_assert_null (control);
  treated = crm_campaign_task_read_one (f->store, test_id (91), test_id (2), NULL);
  g_assert_nonnull (treated);
  g_assert_cmpstr (crm_campaign_task_get_field (treated, "queue"), ==, "sms");
}

static void
test_outcome_waits_unsent (StoreFixture  *f,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autofree char *k = key (91, 1);
  CrmUnsentChange *change;

  fill (f);
  json_object_set_string_member (fields, "response", "contacted");
  json_object_set_string_member (fields, "channel", "phone");
  json_object_set_string_member (fields, "contacted_at", "2026-11-20T10:00:00+08:00");
  m = crm_store_enqueue_update (f->store, CRM_ENTITY_CAMPAIGN_MEMBER, k, fields, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);

  tasks = read_tasks (f, ME, NULL, CRM_CAMPAIGN_TASKS_ASSIGNED);
  g_assert_cmpuint (tasks->len, ==, 2);
  assert_key (tasks->pdata[1], 91, 1);
  g_assert_cmpstr (crm_campaign_task_get_field (tasks->pdata[1], "response"), ==, "contacted");
  g_assert_cmpstr (crm_campaign_task_get_field (tasks->pdata[1], "channel"), ==, "phone");
  g_assert_true (crm_campaign_task_get_unsent (tasks->pdata[1]));
  g_assert_false (crm_campaign_task_get_unsent (tasks->pdata[0]));

  /* the list of unsent changes says whose it is: the customer in its key */
  changes = crm_store_list_unsent_changes (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 1);
  change = changes->pdata[0];
  g_assert_cmpstr (change->mutation->record_id, ==, k);
  g_assert_cmpstr (change->customer_id, ==, test_id (1));
  g_assert_cmpstr (change->customer_name, ==, "甲公司");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/campaign-tasks/are-the-members-assigned-to-the-user-due-first", StoreFixture, NULL,
              store_fixture_set_up, test_assigned_due_first, store_fixture_tear_down);
  g_test_add ("/store/campaign-tasks/never-include-the-control-group", StoreFixture, NULL,
              store_fixture_set_up, test_never_the_control_group, store_fixture_tear_down);
  g_test_add ("/store/campaign-tasks/an-outcome-waits-unsent-and-names-its-customer", StoreFixture, NULL,
              store_fixture_set_up, test_outcome_waits_unsent, store_fixture_tear_down);

  return g_test_run ();
}
