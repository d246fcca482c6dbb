#define G_LOG_DOMAIN "crm-handler-mutations"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-fields.h"
#include "crm-handlers.h"
#include "crm-records.h"
#include "crm-validate.h"
#include "crm-wire.h"

/*
 * POST /mutations: one write from a client's queue.
 *
 *   {"key": UUID, "entity": "customer"|"contact", "op": "update"|"create",
 *    "id": UUID, "base_version": N, "fields": {...}}
 *
 * An update applies only if the record is still at base_version; otherwise
 * 412 with the current record.  The key makes a retry safe: the first
 * answer is kept (crm.mutations) and given again instead of applying the
 * write twice.  The write itself is crm.apply_mutation(), which runs as the
 * caller under the tables' policies; this file checks the body against the
 * field rules shared with the client (crm-fields.h).
 */

static const char * const op_names[] = { "update", "create", NULL };
enum { OP_UPDATE, OP_CREATE };

static const CrmSql sql_apply = {
  "mutation_apply",
  "SELECT status, answer FROM crm.apply_mutation($1::uuid, $2, $3, $4::uuid, $5::integer, $6::jsonb)",
  6
};

static const CrmSql sql_customer = {
  "mutation_customer",
  "SELECT " CRM_CUSTOMER_COLUMNS CRM_CUSTOMER_FROM " WHERE c.id = $1::uuid",
  1
};

static const CrmSql sql_contact = {
  "mutation_contact",
  "SELECT " CRM_CONTACT_COLUMNS " FROM crm.contacts k WHERE k.id = $1::uuid",
  1
};

static const CrmSql sql_keep_answer = {
  "mutation_keep_answer",
  "UPDATE crm.mutations SET answer = $2 WHERE user_id = crm.current_user_id() AND key = $1::uuid",
  2
};

typedef struct
{
  char      *key;
  CrmEntity  entity;
  int        op;
  char      *id;
  guint      status;
  GString   *answer;
} Mutation;

static void
mutation_free (gpointer data)
{
  Mutation *m = data;

  g_free (m->key);
  g_free (m->id);
  if (m->answer)
    g_string_free (m->answer, TRUE);
  g_free (m);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The fields as validated text for crm.apply_mutation(), or NULL. */
static char *
check_fields (JsonObject  *fields,
              CrmEntity    entity,
              int          op,
              GError     **error)
{
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (!crm_fields_check_object (entity, op == OP_CREATE, fields, error))
    return NULL;
  root = json_node_init_object (json_node_alloc (), fields);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
answer_kept (CrmRequest *req,
             CrmDbBatch *batch)
{
  Mutation *m = req->data;

  crm_request_respond (req, m->status, g_steal_pointer (&m->answer));
}

static void
write_error (CrmJsonWriter *w,
             CrmError       code,
             const char    *field,
             const char    *message)
{
  crm_json_key (w, "error");
  crm_json_begin_object (w);
  crm_json_member_string (w, "code", crm_error_code_to_string (code));
  crm_json_member_string (w, "message", message);
  if (field)
    crm_json_member_string (w, "field", field);
  crm_json_end_object (w);
}

static void
applied (CrmRequest *req,
         CrmDbBatch *batch)
{
  Mutation *m = req->data;
  PGresult *res = crm_db_batch_get_result (batch, 1);
  PGresult *record = crm_db_batch_get_result (batch, 2);
  const char *first_answer;
  CrmJsonWriter w;
  gboolean have_record;

  m->status = (guint) g_ascii_strtoull (PQgetvalue (res, 0, 0), NULL, 10);
  first_answer = crm_pg_value (res, 0, 1);
  have_record = PQntuples (record) == 1;

  if (first_answer != NULL)
    {
      /* A retry: the first answer, as it was. */
      crm_request_respond (req, m->status, g_string_new (first_answer));
      return;
    }

  m->answer = g_string_sized_new (2048);
  crm_json_writer_init (&w, m->answer);
  crm_json_begin_object (&w);
  switch (m->status)
    {
    case 200:
    case 201:
    case 412:
      if (m->status == 412)
        write_error (&w, CRM_ERROR_PRECONDITION_FAILED, "base_version",
                     "The record changed since base_version; the current record is attached");
      crm_json_key (&w, m->status == 412 ? "current" : "record");
      if (have_record)
        {
          crm_json_begin_object (&w);
          if (m->entity == CRM_ENTITY_CUSTOMER)
            crm_write_customer (&w, record, 0, 0);
          else
            crm_write_contact (&w, record, 0, 0);
          crm_json_end_object (&w);
        }
      else
        crm_json_null (&w);
      break;
    case 403:
      write_error (&w, CRM_ERROR_FORBIDDEN, "id", "You may see this record but not change it");
      break;
    case 404:
      write_error (&w, CRM_ERROR_NOT_FOUND, m->op == OP_CREATE ? "customer_id" : "id",
                   "No such record, or not one of yours");
      break;
    case 409:
      write_error (&w, CRM_ERROR_CONFLICT, "id", "A record with this id exists already");
      break;
    case 422:
      /* the key was used for another record: not a retry, and not kept */
      write_error (&w, CRM_ERROR_INVALID, "key", "This key was used for another write; make a new key");
      crm_json_end_object (&w);
      crm_request_respond (req, 400, g_steal_pointer (&m->answer));
      return;
    default:
      crm_json_end_object (&w);
      crm_request_fail (req, CRM_ERROR_INTERNAL, NULL, "The write returned an unexpected status");
      return;
    }
  crm_json_end_object (&w);

  /* Keep the answer for retries, then give it. */
  {
    CrmDbBatch *keep = crm_request_new_batch (req);
    const char *values[2] = { m->key, m->answer->str };

    crm_db_batch_add (keep, &sql_keep_answer, values);
    crm_request_execute (req, keep, answer_kept);
  }
}

void
crm_handle_mutation (CrmRequest *req)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *fields_text = NULL;
  g_autofree char *base_text = NULL;
  JsonObject *obj = json_node_get_object (req->body);
  JsonNode *fields = json_object_get_member (obj, "fields");
  JsonNode *base = json_object_get_member (obj, "base_version");
  const char *key = member_string (obj, "key");
  const char *entity = member_string (obj, "entity");
  const char *op = member_string (obj, "op");
  const char *id = member_string (obj, "id");
  Mutation *m = g_new0 (Mutation, 1);
  int entity_index = -1;
  CrmDbBatch *batch;

  req->data = m;
  req->data_free = mutation_free;

  if (key == NULL || !crm_validate_uuid (key))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "key", "key must be a UUID made for this write");
      return;
    }
  if (entity == NULL || (entity_index = crm_wire_lookup (crm_entity_names, entity)) < 0)
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "entity", "entity must be customer or contact");
      return;
    }
  m->entity = (CrmEntity) entity_index;
  m->op = op ? crm_wire_lookup (op_names, op) : OP_UPDATE;
  if (m->op < 0 || (m->op == OP_CREATE && m->entity != CRM_ENTITY_CONTACT))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "op",
                        "op must be update, or create for a contact");
      return;
    }
  if (id == NULL || !crm_validate_uuid (id))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "id", "id must be the record's id (a UUID)");
      return;
    }
  if (m->op == OP_UPDATE)
    {
      if (base == NULL || !JSON_NODE_HOLDS_VALUE (base) || json_node_get_value_type (base) != G_TYPE_INT64 ||
          json_node_get_int (base) < 1 || json_node_get_int (base) > G_MAXINT32)
        {
          crm_request_fail (req, CRM_ERROR_INVALID, "base_version",
                            "base_version must be the version the change was made on");
          return;
        }
      base_text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (base));
    }
  if (fields == NULL || !JSON_NODE_HOLDS_OBJECT (fields))
    {
      crm_request_fail (req, CRM_ERROR_INVALID, "fields", "fields must be an object");
      return;
    }
  fields_text = check_fields (json_node_get_object (fields), m->entity, m->op, &error);
  if (fields_text == NULL)
    {
      crm_request_respond_error (req, error);
      return;
    }

  m->key = g_strdup (key);
  m->id = g_strdup (id);
  batch = crm_request_new_batch (req);
  {
    const char *apply_values[6] = { key, entity, op_names[m->op], id, base_text, fields_text };
    const char *record_values[1] = { id };

    crm_db_batch_add (batch, &sql_apply, apply_values);
    crm_db_batch_add (batch, m->entity == CRM_ENTITY_CUSTOMER ? &sql_customer : &sql_contact, record_values);
  }
  crm_request_execute (req, batch, applied);
}
