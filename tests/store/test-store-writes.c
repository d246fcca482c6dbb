#define G_LOG_DOMAIN "test-store-writes"

#include "config.h"

#include <string.h>

#include "crm-entity.h"
#include "crm-error.h"
#include "crm-store.h"
#include "store-test-util.h"

/*
 * The generic write path of the store: deletes (the shown row goes at
 * once, the server row stays until the server answers), creates of any
 * entity some role may create (an interaction logged here), updates of an
 * interaction merged by field as a contact's are, and the primary contact
 * (marking one unmarks the customer's other at once).  No server: the
 * answers are given to the store as the sync engine would give them.
 */

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* Customer 1 with contacts 11 (李明, primary) and 12 (张华), and
 * interaction 21 (a visit) of it, all at version 1. */
static void
seed (CrmStore *store)
{
  JsonObject *page = test_page ("c1");

  test_page_add_customer (page, test_customer (1, "北京银行", 1));
  test_page_add_contact (page, test_contact (11, 1, "李明", TRUE, 1));
  test_page_add_contact (page, test_contact (12, 1, "张华", FALSE, 1));
  json_object_set_array_member (page, "interactions", json_array_new ());
  json_array_add_object_element (json_object_get_array_member (page, "interactions"),
                                 test_interaction (21, 1, "季度回访", 1));
  test_apply (store, page);
}

/* The records of @entity under customer 1, as crm_store_get_records()
 * gives them. */
static GPtrArray *
records (CrmStore  *store,
         CrmEntity  entity)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = crm_store_get_records (store, entity, test_id (1), &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  return list;
}

/* The record @id of @entity under customer 1, or NULL. */
static JsonObject *
record (CrmStore   *store,
        CrmEntity   entity,
        const char *id)
{
  g_autoptr(GPtrArray) list = records (store, entity);

  for (guint i = 0; list != NULL && i < list->len; i++)
    if (g_strcmp0 (json_object_get_string_member (list->pdata[i], "id"), id) == 0)
      return json_object_ref (list->pdata[i]);
  return NULL;
}

static char *
record_text (CrmStore   *store,
             CrmEntity   entity,
             const char *id)
{
  g_autoptr(JsonObject) r = record (store, entity, id);
  g_autoptr(JsonNode) node = NULL;

  if (r == NULL)
    return NULL;
  node = json_node_init_object (json_node_alloc (), r);
  return json_to_string (node, FALSE);
}

/* How many rows @table of the store's file has with id @id. */
static gint64
rows (StoreFixture *f,
      const char   *table,
      const char   *id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE id = '%s'", table, id);
  g_autofree char *text = test_sql_text (f->path, sql);

  return g_ascii_strtoll (text, NULL, 10);
}

static guint
queue_length (CrmStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) queue = crm_store_list_mutations (store, &error);

  g_assert_no_error (error);
  return queue != NULL ? queue->len : G_MAXUINT;
}

static gboolean
is_primary (CrmStore   *store,
            const char *id)
{
  g_autoptr(JsonObject) r = record (store, CRM_ENTITY_CONTACT, id);

  g_assert_nonnull (r);
  return r != NULL && json_object_get_boolean_member (r, "is_primary");
}

static CrmMutation *
update1 (CrmStore    *store,
         CrmEntity    entity,
         const char  *id,
         const char  *field,
         JsonNode    *value)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GError) error = NULL;
  CrmMutation *m;

  json_object_set_member (fields, field, value);
  m = crm_store_enqueue_update (store, entity, id, fields, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static CrmMutation *
mark_primary (CrmStore   *store,
              const char *id)
{
  return update1 (store, CRM_ENTITY_CONTACT, id, "is_primary", json_node_init_boolean (json_node_alloc (), TRUE));
}

static CrmMutation *
delete_contact (CrmStore   *store,
                const char *id)
{
  g_autoptr(GError) error = NULL;
  CrmMutation *m = crm_store_enqueue_delete (store, CRM_ENTITY_CONTACT, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

/* A sync page with @records of @plural, applied. */
static void
apply_records (CrmStore   *store,
               const char *plural,
               JsonObject *first,
               ...)
{
  JsonObject *page = test_page ("c2");
  JsonArray *array = json_array_new ();
  va_list args;

  va_start (args, first);
  for (JsonObject *r = first; r != NULL; r = va_arg (args, JsonObject *))
    json_array_add_object_element (array, r);
  va_end (args);
  json_object_set_array_member (page, plural, array);
  test_apply (store, page);
}

/* ::changed and ::customers-changed as they came. */
typedef struct
{
  GHashTable *keys;        /* "entity key" */
  GHashTable *customers;   /* customer ids */
} Heard;

static void
changed_cb (CrmStore           *store,
            const char         *entity,
            const char * const *keys,
            Heard              *heard)
{
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    g_hash_table_add (heard->keys, g_strdup_printf ("%s %s", entity, keys[i]));
}

static void
customers_changed_cb (CrmStore           *store,
                      const char * const *ids,
                      Heard              *heard)
{
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    g_hash_table_add (heard->customers, g_strdup (ids[i]));
}

static void
heard_watch (Heard    *heard,
             CrmStore *store)
{
  heard->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  heard->customers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (store, "changed", G_CALLBACK (changed_cb), heard);
  g_signal_connect (store, "customers-changed", G_CALLBACK (customers_changed_cb), heard);
}

static void
heard_clear (Heard    *heard,
             CrmStore *store)
{
  g_signal_handlers_disconnect_by_data (store, heard);
  g_clear_pointer (&heard->keys, g_hash_table_unref);
  g_clear_pointer (&heard->customers, g_hash_table_unref);
}

static gboolean
heard (Heard      *h,
       const char *entity,
       const char *key)
{
  g_autofree char *text = g_strdup_printf ("%s %s", entity, key);

  return g_hash_table_contains (h->keys, text);
}

/* ------------------------------------------------------------------ */
/* Deletes                                                             */
/* ------------------------------------------------------------------ */

static void
test_delete_hides_the_row_and_keeps_the_server_record (StoreFixture  *f,
                                                        gconstpointer  data)
{
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) gone = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  Heard h;

  seed (f->store);
  heard_watch (&h, f->store);
  m = delete_contact (f->store, test_id (12));

  /* gone from what is shown, at once, and said so */
  gone = record (f->store, CRM_ENTITY_CONTACT, test_id (12));
  g_assert_null (gone);
  contacts = records (f->store, CRM_ENTITY_CONTACT);
  g_assert_cmpuint (contacts->len, ==, 1);
  g_assert_true (heard (&h, "contact", test_id (12)));
  g_assert_true (g_hash_table_contains (h.customers, test_id (1)));
  heard_clear (&h, f->store);

  /* the server's record is kept; the change is a delete naming the
   * record and nothing else */
  g_assert_cmpint (rows (f, "contacts", test_id (12)), ==, 0);
  g_assert_cmpint (rows (f, "contacts_server", test_id (12)), ==, 1);
  g_assert_cmpint (m->op, ==, CRM_MUTATION_OP_DELETE);
  request = crm_mutation_to_request (m);
  g_assert_cmpstr (json_object_get_string_member (request, "op"), ==, "delete");
  g_assert_cmpstr (json_object_get_string_member (request, "entity"), ==, "contact");
  g_assert_cmpstr (json_object_get_string_member (request, "id"), ==, test_id (12));
  g_assert_false (json_object_has_member (request, "fields"));
  g_assert_false (json_object_has_member (request, "base"));
  g_assert_false (json_object_has_member (request, "base_version"));

  /* read back from the queue, it is still a delete */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CrmMutation) again = crm_store_get_mutation (f->store, m->seq, &error);

    g_assert_no_error (error);
    g_assert_cmpint (again->op, ==, CRM_MUTATION_OP_DELETE);
  }
}

static void
test_refused_delete_restores_the_record_exactly (StoreFixture  *f,
                                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) edit = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  Heard h;

  seed (f->store);
  /* an edit queued before the delete shows again with the record */
  edit = update1 (f->store, CRM_ENTITY_CONTACT, test_id (12), "title", json_node_init_string (json_node_alloc (),
                                                                                               "副总经理"));
  before = record_text (f->store, CRM_ENTITY_CONTACT, test_id (12));
  m = delete_contact (f->store, test_id (12));
  g_assert_null (record_text (f->store, CRM_ENTITY_CONTACT, test_id (12)));

  heard_watch (&h, f->store);
  g_assert_true (crm_store_mutation_failed (f->store, m->seq, "forbidden: not yours", &error));
  g_assert_no_error (error);
  after = record_text (f->store, CRM_ENTITY_CONTACT, test_id (12));
  g_assert_cmpstr (after, ==, before);
  g_assert_true (heard (&h, "contact", test_id (12)));
  g_assert_true (g_hash_table_contains (h.customers, test_id (1)));
  heard_clear (&h, f->store);

  /* the edit still waits; once it is taken back, the server's record */
  g_assert_cmpint (rows (f, "contacts_server", test_id (12)), ==, 1);
  g_assert_true (crm_store_discard_mutation (f->store, edit->seq, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rows (f, "contacts_server", test_id (12)), ==, 0);
  g_clear_pointer (&after, g_free);
  after = test_sql_text (f->path, "SELECT title FROM contacts WHERE id = '00000000-0000-4000-8000-000000000012'");
  g_assert_cmpstr (after, !=, "副总经理");
  /* the failed delete stays in the queue for the user to see */
  g_assert_cmpuint (queue_length (f->store), ==, 1);
}

static void
test_confirmed_delete_drops_both_layers (StoreFixture  *f,
                                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  JsonObject *page;

  seed (f->store);
  m = delete_contact (f->store, test_id (12));

  /* a sync page with the record as it was, while the delete waits: it
   * goes under the delete, which still hides it */
  apply_records (f->store, "contacts", test_contact (12, 1, "张华", FALSE, 2), NULL);
  g_assert_null (record_text (f->store, CRM_ENTITY_CONTACT, test_id (12)));
  g_assert_cmpstr (test_sql_text (f->path, "SELECT version FROM contacts_server"
                                           " WHERE id = '00000000-0000-4000-8000-000000000012'"), ==, "2");

  /* {"id", "deleted": true}: no record */
  g_assert_true (crm_store_mutation_done (f->store, m->seq, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rows (f, "contacts", test_id (12)), ==, 0);
  g_assert_cmpint (rows (f, "contacts_server", test_id (12)), ==, 0);
  g_assert_cmpuint (queue_length (f->store), ==, 0);
  g_assert_nonnull (record_text (f->store, CRM_ENTITY_CONTACT, test_id (11)));

  /* the departure the next sync brings finds nothing and harms nothing */
  page = test_page ("c3");
  test_page_add_removal (page, "contact", 12, 1);
  g_assert_true (test_apply (f->store, page));
  g_assert_cmpint (rows (f, "contacts", test_id (12)), ==, 0);
  g_assert_nonnull (record_text (f->store, CRM_ENTITY_CONTACT, test_id (11)));
}

static void
test_deleted_record_takes_no_more_changes (StoreFixture  *f,
                                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) refused = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();

  seed (f->store);
  m = delete_contact (f->store, test_id (12));

  json_object_set_string_member (fields, "title", "经理");
  refused = crm_store_enqueue_update (f->store, CRM_ENTITY_CONTACT, test_id (12), fields, &error);
  g_assert_null (refused);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  refused = crm_store_enqueue_delete (f->store, CRM_ENTITY_CONTACT, test_id (12), &error);
  g_assert_null (refused);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* nor is a record made again under its id */
  json_object_set_string_member (fields, "name", "张华");
  json_object_set_string_member (fields, "customer_id", test_id (1));
  refused = crm_store_enqueue_create (f->store, CRM_ENTITY_CONTACT, test_id (12), fields, &error);
  g_assert_null (refused);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpstr (crm_error_get_field (error), ==, "id");
  g_clear_error (&error);

  g_assert_cmpuint (queue_length (f->store), ==, 1);
  g_assert_null (record_text (f->store, CRM_ENTITY_CONTACT, test_id (12)));
}

static void
test_delete_of_what_nobody_deletes_is_refused (StoreFixture  *f,
                                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;

  seed (f->store);
  /* a customer (its children would have nothing to come back from), an
   * interaction (the entity table lets nobody delete one) */
  m = crm_store_enqueue_delete (f->store, CRM_ENTITY_CUSTOMER, test_id (1), &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);
  m = crm_store_enqueue_delete (f->store, CRM_ENTITY_INTERACTION, test_id (21), &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpuint (queue_length (f->store), ==, 0);
  g_assert_nonnull (record_text (f->store, CRM_ENTITY_INTERACTION, test_id (21)));
  g_assert_cmpint (rows (f, "customers", test_id (1)), ==, 1);
}

/* A record made here and deleted before it was sent: both go to the
 * server in order; until then it is not shown. */
static void
test_delete_of_a_record_made_here (StoreFixture  *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) create = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(JsonObject) answer = NULL;

  seed (f->store);
  json_object_set_string_member (fields, "customer_id", test_id (1));
  json_object_set_string_member (fields, "name", "赵强");
  create = crm_store_enqueue_create (f->store, CRM_ENTITY_CONTACT, NULL, fields, &error);
  g_assert_no_error (error);
  m = delete_contact (f->store, create->record_id);
  g_assert_null (record_text (f->store, CRM_ENTITY_CONTACT, create->record_id));

  /* the create's answer goes under the delete */
  answer = test_contact (13, 1, "赵强", FALSE, 1);
  json_object_set_string_member (answer, "id", create->record_id);
  g_assert_true (crm_store_mutation_done (f->store, create->seq, answer, &error));
  g_assert_no_error (error);
  g_assert_null (record_text (f->store, CRM_ENTITY_CONTACT, create->record_id));
  g_assert_cmpint (rows (f, "contacts_server", create->record_id), ==, 1);

  g_assert_true (crm_store_mutation_done (f->store, m->seq, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rows (f, "contacts", create->record_id), ==, 0);
  g_assert_cmpint (rows (f, "contacts_server", create->record_id), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Creates and updates of any entity                                   */
/* ------------------------------------------------------------------ */

static JsonObject *
visit_fields (void)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "customer_id", test_id (1));
  json_object_set_string_member (fields, "contact_id", test_id (11));
  json_object_set_string_member (fields, "kind", "visit");
  json_object_set_string_member (fields, "occurred_at", "2026-12-03T09:30:00+08:00");
  json_object_set_string_member (fields, "subject", "上门演示专线方案");
  json_object_set_string_member (fields, "notes", "客户有意向，下周报价");
  json_object_set_string_member (fields, "outcome", "positive");
  return fields;
}

static void
test_interaction_logged_here_shows_at_once (StoreFixture  *f,
                                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = visit_fields ();
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) confirmed = NULL;
  Heard h;

  seed (f->store);
  heard_watch (&h, f->store);
  m = crm_store_enqueue_create (f->store, CRM_ENTITY_INTERACTION, NULL, fields, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  g_assert_cmpint (m->op, ==, CRM_MUTATION_OP_CREATE);
  g_assert_true (heard (&h, "interaction", m->record_id));
  heard_clear (&h, f->store);

  shown = record (f->store, CRM_ENTITY_INTERACTION, m->record_id);
  g_assert_nonnull (shown);
  g_assert_cmpstr (json_object_get_string_member (shown, "subject"), ==, "上门演示专线方案");
  g_assert_cmpstr (json_object_get_string_member (shown, "kind"), ==, "visit");
  g_assert_cmpstr (json_object_get_string_member (shown, "outcome"), ==, "positive");
  g_assert_cmpstr (json_object_get_string_member (shown, "contact_id"), ==, test_id (11));
  g_assert_cmpint (json_object_get_int_member (shown, "version"), ==, 0);
  g_assert_true (json_object_get_null_member (shown, "user_id"));

  request = crm_mutation_to_request (m);
  g_assert_cmpstr (json_object_get_string_member (request, "entity"), ==, "interaction");
  g_assert_cmpstr (json_object_get_string_member (request, "op"), ==, "create");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (request, "fields"), "notes"), ==,
                   "客户有意向，下周报价");

  /* 201 {"record": …}: the server filled in who logged it */
  answer = test_interaction (0, 1, "上门演示专线方案", 1);
  json_object_set_string_member (answer, "id", m->record_id);
  json_object_set_string_member (answer, "user_id", test_id (8001));
  json_object_set_string_member (answer, "notes", "客户有意向，下周报价");
  g_assert_true (crm_store_mutation_done (f->store, m->seq, answer, &error));
  g_assert_no_error (error);
  confirmed = record (f->store, CRM_ENTITY_INTERACTION, m->record_id);
  g_assert_nonnull (confirmed);
  g_assert_cmpstr (json_object_get_string_member (confirmed, "user_id"), ==, test_id (8001));
  g_assert_cmpint (json_object_get_int_member (confirmed, "version"), ==, 1);
  g_assert_cmpint (rows (f, "interactions_server", m->record_id), ==, 0);
  g_assert_cmpuint (queue_length (f->store), ==, 0);
}

/* Logged and edited before it was sent: the 201's record goes to the
 * server layer with the edit on top, which then goes on the version the
 * create made. */
static void
test_interaction_edited_before_it_was_sent (StoreFixture  *f,
                                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = visit_fields ();
  g_autoptr(CrmMutation) create = NULL;
  g_autoptr(CrmMutation) edit = NULL;
  g_autoptr(CrmMutation) rebased = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) shown = NULL;

  seed (f->store);
  create = crm_store_enqueue_create (f->store, CRM_ENTITY_INTERACTION, NULL, fields, &error);
  g_assert_no_error (error);
  edit = update1 (f->store, CRM_ENTITY_INTERACTION, create->record_id, "outcome",
                  json_node_init_string (json_node_alloc (), "neutral"));
  g_assert_cmpstr (json_object_get_string_member (edit->base, "outcome"), ==, "positive");

  answer = test_interaction (0, 1, "上门演示专线方案", 1);
  json_object_set_string_member (answer, "id", create->record_id);
  g_assert_true (crm_store_mutation_done (f->store, create->seq, answer, &error));
  g_assert_no_error (error);

  shown = record (f->store, CRM_ENTITY_INTERACTION, create->record_id);
  g_assert_cmpstr (json_object_get_string_member (shown, "outcome"), ==, "neutral");
  g_assert_cmpstr (json_object_get_string_member (shown, "user_id"), ==, test_id (8001));
  g_assert_cmpint (rows (f, "interactions_server", create->record_id), ==, 1);
  rebased = crm_store_get_mutation (f->store, edit->seq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rebased->base_version, ==, 1);

  /* refused, the server's record shows */
  g_assert_true (crm_store_mutation_failed (f->store, edit->seq, "forbidden: no", &error));
  g_assert_no_error (error);
  g_clear_pointer (&shown, json_object_unref);
  shown = record (f->store, CRM_ENTITY_INTERACTION, create->record_id);
  g_assert_cmpstr (json_object_get_string_member (shown, "outcome"), ==, "positive");
  g_assert_cmpint (rows (f, "interactions_server", create->record_id), ==, 0);
}

static void
test_create_is_checked_as_the_server_would (StoreFixture  *f,
                                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = visit_fields ();
  g_autoptr(CrmMutation) m = NULL;

  seed (f->store);
  /* a parent that is not here */
  json_object_set_string_member (fields, "customer_id", test_id (2));
  m = crm_store_enqueue_create (f->store, CRM_ENTITY_INTERACTION, NULL, fields, &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
  g_assert_cmpstr (crm_error_get_field (error), ==, "customer_id");
  g_clear_error (&error);

  /* a required field left out */
  json_object_set_string_member (fields, "customer_id", test_id (1));
  json_object_remove_member (fields, "subject");
  m = crm_store_enqueue_create (f->store, CRM_ENTITY_INTERACTION, NULL, fields, &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpstr (crm_error_get_field (error), ==, "subject");
  g_clear_error (&error);

  /* an entity nobody creates */
  m = crm_store_enqueue_create (f->store, CRM_ENTITY_CUSTOMER, NULL, fields, &error);
  g_assert_null (m);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpuint (queue_length (f->store), ==, 0);
  {
    g_autoptr(GPtrArray) list = records (f->store, CRM_ENTITY_INTERACTION);

    g_assert_cmpuint (list->len, ==, 1);
  }
}

static void
test_interaction_edit_merges_by_field (StoreFixture  *f,
                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(CrmMutation) settled = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(JsonObject) current = NULL;
  g_autoptr(JsonArray) conflicts = json_array_new ();
  g_autoptr(JsonObject) theirs = NULL;
  JsonObject *conflict = json_object_new ();

  seed (f->store);
  m = update1 (f->store, CRM_ENTITY_INTERACTION, test_id (21), "outcome",
               json_node_init_string (json_node_alloc (), "negative"));
  /* based on what the row showed */
  g_assert_cmpstr (json_object_get_string_member (m->base, "outcome"), ==, "positive");
  g_assert_cmpint (rows (f, "interactions_server", test_id (21)), ==, 1);

  /* a colleague's newer record: their subject, my outcome on top */
  theirs = test_interaction (21, 1, "同事改的主题", 2);
  apply_records (f->store, "interactions", json_object_ref (theirs), NULL);
  shown = record (f->store, CRM_ENTITY_INTERACTION, test_id (21));
  g_assert_cmpstr (json_object_get_string_member (shown, "subject"), ==, "同事改的主题");
  g_assert_cmpstr (json_object_get_string_member (shown, "outcome"), ==, "negative");
  g_assert_cmpint (json_object_get_int_member (shown, "version"), ==, 2);

  /* they changed the outcome too: 409, kept in conflict, mine still shows */
  current = test_interaction (21, 1, "同事改的主题", 3);
  json_object_set_string_member (current, "outcome", "neutral");
  json_object_set_string_member (conflict, "field", "outcome");
  json_object_set_string_member (conflict, "base", "positive");
  json_object_set_string_member (conflict, "mine", "negative");
  json_object_set_string_member (conflict, "theirs", "neutral");
  json_array_add_object_element (conflicts, conflict);
  g_assert_true (crm_store_mutation_conflict (f->store, m->seq, current, conflicts, "changed", &error));
  g_assert_no_error (error);
  g_clear_pointer (&shown, json_object_unref);
  shown = record (f->store, CRM_ENTITY_INTERACTION, test_id (21));
  g_assert_cmpstr (json_object_get_string_member (shown, "outcome"), ==, "negative");
  g_assert_cmpint (json_object_get_int_member (shown, "version"), ==, 3);
  settled = crm_store_get_mutation (f->store, m->seq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (settled->state, ==, CRM_MUTATION_CONFLICT);

  /* theirs chosen: the server's record shows, nothing is left queued */
  g_assert_true (crm_store_resolve_conflict (f->store, m->seq, NULL, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&shown, json_object_unref);
  shown = record (f->store, CRM_ENTITY_INTERACTION, test_id (21));
  g_assert_cmpstr (json_object_get_string_member (shown, "outcome"), ==, "neutral");
  g_assert_cmpint (rows (f, "interactions_server", test_id (21)), ==, 0);
}

/* ------------------------------------------------------------------ */
/* The primary contact                                                 */
/* ------------------------------------------------------------------ */

static void
test_marking_a_contact_primary_unmarks_the_other_at_once (StoreFixture  *f,
                                                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  Heard h;

  seed (f->store);
  heard_watch (&h, f->store);
  m = mark_primary (f->store, test_id (12));
  g_assert_true (is_primary (f->store, test_id (12)));
  g_assert_false (is_primary (f->store, test_id (11)));
  g_assert_true (heard (&h, "contact", test_id (11)));
  g_assert_true (g_hash_table_contains (h.customers, test_id (1)));
  heard_clear (&h, f->store);
  /* only the marked contact's change is sent: the server unmarks the other */
  g_assert_cmpuint (queue_length (f->store), ==, 1);
  g_assert_cmpint (rows (f, "contacts_server", test_id (11)), ==, 1);

  /* refused: the other is primary again, as the server has it */
  g_assert_true (crm_store_mutation_failed (f->store, m->seq, "forbidden: not yours", &error));
  g_assert_no_error (error);
  g_assert_true (is_primary (f->store, test_id (11)));
  g_assert_false (is_primary (f->store, test_id (12)));
  g_assert_cmpint (rows (f, "contacts_server", test_id (11)), ==, 0);
  g_assert_cmpint (rows (f, "contacts_server", test_id (12)), ==, 0);
}

static void
test_confirmed_primary_keeps_the_other_unmarked (StoreFixture  *f,
                                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) m = NULL;
  g_autoptr(JsonObject) answer = test_contact (12, 1, "张华", TRUE, 2);

  seed (f->store);
  m = mark_primary (f->store, test_id (12));

  /* the answer: the marked contact; the other's new version comes with
   * the sync after, and it does not show as primary meanwhile */
  g_assert_true (crm_store_mutation_done (f->store, m->seq, answer, &error));
  g_assert_no_error (error);
  g_assert_true (is_primary (f->store, test_id (12)));
  g_assert_false (is_primary (f->store, test_id (11)));
  g_assert_cmpint (rows (f, "contacts_server", test_id (11)), ==, 0);
  g_assert_cmpint (rows (f, "contacts_server", test_id (12)), ==, 0);
  g_assert_cmpuint (queue_length (f->store), ==, 0);

  apply_records (f->store, "contacts", test_contact (11, 1, "李明", FALSE, 2), NULL);
  g_assert_false (is_primary (f->store, test_id (11)));
  g_assert_true (is_primary (f->store, test_id (12)));
}

/* The last change that marks one wins, as on the server, whichever of the
 * two is answered first. */
static void
test_the_last_contact_marked_primary_shows_as_primary (StoreFixture  *f,
                                                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmMutation) first = NULL;
  g_autoptr(CrmMutation) second = NULL;
  g_autoptr(JsonObject) answer = test_contact (12, 1, "张华", TRUE, 2);

  seed (f->store);
  first = mark_primary (f->store, test_id (12));
  second = mark_primary (f->store, test_id (11));
  g_assert_true (is_primary (f->store, test_id (11)));
  g_assert_false (is_primary (f->store, test_id (12)));

  g_assert_true (crm_store_mutation_done (f->store, first->seq, answer, &error));
  g_assert_no_error (error);
  g_assert_true (is_primary (f->store, test_id (11)));
  g_assert_false (is_primary (f->store, test_id (12)));
}

static void
test_new_primary_contact_made_here_unmarks_the_other (StoreFixture  *f,
                                                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;

  seed (f->store);
  json_object_set_string_member (fields, "customer_id", test_id (1));
  json_object_set_string_member (fields, "name", "王芳");
  json_object_set_boolean_member (fields, "is_primary", TRUE);
  m = crm_store_enqueue_create (f->store, CRM_ENTITY_CONTACT, NULL, fields, &error);
  g_assert_no_error (error);
  g_assert_true (is_primary (f->store, m->record_id));
  g_assert_false (is_primary (f->store, test_id (11)));

  /* refused: the new contact goes, the other is primary again */
  g_assert_true (crm_store_mutation_failed (f->store, m->seq, "invalid: no", &error));
  g_assert_no_error (error);
  g_assert_true (is_primary (f->store, test_id (11)));
}

/* A colleague made another contact primary: the sync page brings that
 * contact, and the one this copy had as primary stops showing so. */
static void
test_primary_contact_from_the_server_unmarks_the_other (StoreFixture  *f,
                                                        gconstpointer  data)
{
  seed (f->store);
  apply_records (f->store, "contacts", test_contact (12, 1, "张华", TRUE, 2), NULL);
  g_assert_true (is_primary (f->store, test_id (12)));
  g_assert_false (is_primary (f->store, test_id (11)));
  /* another customer's primary contact does not touch this one's */
  {
    JsonObject *page = test_page ("c3");

    test_page_add_customer (page, test_customer (3, "上海电力", 1));
    test_page_add_contact (page, test_contact (31, 3, "周杰", TRUE, 1));
    test_apply (f->store, page);
  }
  g_assert_true (is_primary (f->store, test_id (12)));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, StoreFixture, NULL, store_fixture_set_up, func, store_fixture_tear_down)
  ADD ("/store/writes/delete-hides-the-row-and-keeps-the-server-record",
       test_delete_hides_the_row_and_keeps_the_server_record);
  ADD ("/store/writes/refused-delete-restores-the-record-exactly", test_refused_delete_restores_the_record_exactly);
  ADD ("/store/writes/confirmed-delete-drops-both-layers", test_confirmed_delete_drops_both_layers);
  ADD ("/store/writes/deleted-record-takes-no-more-changes", test_deleted_record_takes_no_more_changes);
  ADD ("/store/writes/delete-of-what-nobody-deletes-is-refused", test_delete_of_what_nobody_deletes_is_refused);
  ADD ("/store/writes/delete-of-a-record-made-here-goes-after-its-create", test_delete_of_a_record_made_here);
  ADD ("/store/writes/interaction-logged-here-shows-at-once", test_interaction_logged_here_shows_at_once);
  ADD ("/store/writes/interaction-edited-before-it-was-sent", test_interaction_edited_before_it_was_sent);
  ADD ("/store/writes/create-is-checked-as-the-server-would", test_create_is_checked_as_the_server_would);
  ADD ("/store/writes/interaction-edit-merges-by-field", test_interaction_edit_merges_by_field);
  ADD ("/store/writes/marking-a-contact-primary-unmarks-the-other-at-once",
       test_marking_a_contact_primary_unmarks_the_other_at_once);
  ADD ("/store/writes/confirmed-primary-keeps-the-other-unmarked", test_confirmed_primary_keeps_the_other_unmarked);
  ADD ("/store/writes/the-last-contact-marked-primary-shows-as-primary",
       test_the_last_contact_marked_primary_shows_as_primary);
  ADD ("/store/writes/new-primary-contact-made-here-unmarks-the-other",
       test_new_primary_contact_made_here_unmarks_the_other);
  ADD ("/store/writes/primary-contact-from-the-server-unmarks-the-other",
       test_primary_contact_from_the_server_unmarks_the_other);
#undef ADD

  return g_test_run ();
}
