#define G_LOG_DOMAIN "crm-handler-reveal"

#include "config.h"

#include "crm-entity.h"
#include "crm-error.h"
#include "crm-handlers.h"
#include "crm-validate.h"

/*
 * POST /customers/:id/reveal {"entity", "id", "field"}: the full value of
 * one masked field of the customer or of one of its contacts, for a role
 * the entity table lets reveal it (revealable_by).  crm.reveal()
 * (0011-reveal.sql) reads it through the row-level security of the
 * caller and writes the audit record in the same transaction; the
 * checks here answer what they can before the database is asked.
 */

static const CrmSql sql_reveal = {
  "customer_reveal",
  "SELECT code, field, value FROM crm.reveal($1::uuid, $2, $3::uuid, $4)",
  4
};

/* What a reveal asks for, kept for the answer. */
typedef struct
{
  const CrmEntityInfo *info;
  char                *id;
  const CrmField      *field;
  guint                index;
} Reveal;

static void
reveal_free (gpointer data)
{
  Reveal *r = data;

  g_free (r->id);
  g_free (r);
}

/* "mobile, id_number or address": the masked fields of @info. */
static char *
masked_fields (const CrmEntityInfo *info)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) text = g_string_new (NULL);

  for (const CrmField *f = info->fields; f->name != NULL; f++)
    if (f->mask != CRM_FIELD_MASK_NONE)
      g_ptr_array_add (names, (gpointer) f->name);
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (text, "%s%s", i == 0 ? "" : i + 1 < names->len ? ", " : " or ",
                            (const char *) names->pdata[i]);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const char *
string_member (JsonObject *obj,
               const char *name,
               gboolean   *ok)
{
  JsonNode *node = json_object_get_member (obj, name);

  *ok = TRUE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *ok = FALSE;
      return NULL;
    }
  return json_node_get_string (node);
}

/* The request's entity, record and field, checked against the entity
 * table and the caller's role; the error names the member at fault. */
static gboolean
check_request (JsonObject  *body,
               const char  *customer,
               CrmRole      role,
               Reveal      *r,
               GError     **error)
{
  gboolean ok_entity, ok_id, ok_field;
  const char *entity = string_member (body, "entity", &ok_entity);
  const char *id = string_member (body, "id", &ok_id);
  const char *field = string_member (body, "field", &ok_field);
  g_autofree char *names = NULL;

  if (!crm_validate_uuid (customer))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "id", "the path must name a customer (a UUID)");
      return FALSE;
    }
  if (!ok_entity || (g_strcmp0 (entity, "customer") != 0 && g_strcmp0 (entity, "contact") != 0))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "entity", "entity must be customer or contact");
      return FALSE;
    }
  r->info = crm_entity_info_lookup (entity);
  /* a customer's own field: the id is the path's, if given at all */
  if (!ok_id || (id == NULL && r->info->entity != CRM_ENTITY_CUSTOMER) || (id != NULL && !crm_validate_uuid (id)))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "id", "id must be the %s's id (a UUID)", entity);
      return FALSE;
    }
  r->id = g_strdup (id != NULL ? id : customer);
  r->field = ok_field && field != NULL ? crm_entity_info_field (r->info, field) : NULL;
  if (r->field == NULL || r->field->mask == CRM_FIELD_MASK_NONE)
    {
      names = masked_fields (r->info);
      if (!ok_field || field == NULL)
        crm_set_field_error (error, CRM_ERROR_INVALID, "field", "field must be %s", names);
      else
        crm_set_field_error (error, CRM_ERROR_INVALID, "field", "%s is no masked field of a %s: field must be %s",
                             field, entity, names);
      return FALSE;
    }
  if (!crm_field_revealable_by (r->field, role))
    {
      crm_set_field_error (error, CRM_ERROR_FORBIDDEN, "field", "Your role may not reveal personal data");
      return FALSE;
    }
  return TRUE;
}

static void
revealed (CrmRequest *req,
          CrmDbBatch *batch)
{
  Reveal *r = req->data;
  PGresult *res = crm_db_batch_get_result (batch, r->index);
  const char *code = crm_pg_value (res, 0, 0);
  GString *out;
  CrmJsonWriter w;

  if (g_strcmp0 (code, "not_found") == 0)
    {
      crm_request_fail (req, CRM_ERROR_NOT_FOUND, "id", "No such record, or not one of yours");
      return;
    }
  if (g_strcmp0 (code, "forbidden") == 0)
    {
      crm_request_fail (req, CRM_ERROR_FORBIDDEN, "field", "Your role may not reveal personal data");
      return;
    }
  if (g_strcmp0 (code, "ok") != 0)
    {
      /* the entity table and crm.reveal () disagree about a field */
      g_warning ("crm.reveal () answered %s for %s.%s", code, r->info->name, r->field->name);
      crm_request_fail (req, CRM_ERROR_INTERNAL, NULL, "The value could not be revealed");
      return;
    }
  out = g_string_sized_new (256);
  crm_json_writer_init (&w, out);
  crm_json_begin_object (&w);
  crm_json_member_string (&w, "entity", r->info->name);
  crm_json_member_string (&w, "id", r->id);
  crm_json_member_string (&w, "field", r->field->name);
  crm_json_member_string (&w, "value", crm_pg_value (res, 0, 2));
  crm_json_end_object (&w);
  crm_request_respond (req, SOUP_STATUS_OK, out);
}

void
crm_handle_customer_reveal (CrmRequest *req)
{
  const char *customer = crm_request_param (req, 0);
  g_autoptr(GError) error = NULL;
  Reveal *r = g_new0 (Reveal, 1);
  CrmDbBatch *batch;

  req->data = r;
  req->data_free = reveal_free;
  if (!check_request (json_node_get_object (req->body), customer, req->user->role, r, &error))
    {
      crm_request_respond_error (req, error);
      return;
    }
  batch = crm_request_new_batch (req);
  {
    const char *values[4] = { customer, r->info->name, r->id, r->field->name };

    r->index = crm_db_batch_add (batch, &sql_reveal, values);
  }
  crm_request_execute (req, batch, revealed);
}
