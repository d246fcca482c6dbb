#define G_LOG_DOMAIN "crm-mutation"

#include "config.h"

#include "crm-mutation.h"

G_DEFINE_BOXED_TYPE (CrmMutation, crm_mutation, crm_mutation_ref, crm_mutation_unref)

static void
mutation_clear (gpointer data)
{
  CrmMutation *mutation = data;

  g_free (mutation->key);
  g_free (mutation->record_id);
  g_clear_pointer (&mutation->fields, json_object_unref);
  g_clear_pointer (&mutation->base, json_object_unref);
  g_free (mutation->last_error);
  g_clear_pointer (&mutation->conflicts, json_array_unref);
}

CrmMutation *
crm_mutation_new (void)
{
  return g_atomic_rc_box_new0 (CrmMutation);
}

CrmMutation *
crm_mutation_ref (CrmMutation *mutation)
{
  g_return_val_if_fail (mutation != NULL, NULL);

  return g_atomic_rc_box_acquire (mutation);
}

void
crm_mutation_unref (CrmMutation *mutation)
{
  g_return_if_fail (mutation != NULL);

  g_atomic_rc_box_release_full (mutation, mutation_clear);
}

const char *
crm_mutation_op_to_string (CrmMutationOp op)
{
  switch (op)
    {
    case CRM_MUTATION_OP_UPDATE:
      return "update";
    case CRM_MUTATION_OP_CREATE:
      return "create";
    case CRM_MUTATION_OP_DELETE:
      return "delete";
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
crm_mutation_state_to_string (CrmMutationState state)
{
  switch (state)
    {
    case CRM_MUTATION_PENDING:
      return "pending";
    case CRM_MUTATION_SENT:
      return "sent";
    case CRM_MUTATION_FAILED:
      return "failed";
    case CRM_MUTATION_CONFLICT:
      return "conflict";
    default:
      g_return_val_if_reached (NULL);
    }
}

JsonObject *
crm_mutation_to_request (CrmMutation *mutation)
{
  JsonObject *body;

  g_return_val_if_fail (mutation != NULL, NULL);

  body = json_object_new ();
  json_object_set_string_member (body, "key", mutation->key);
  json_object_set_string_member (body, "entity", crm_entity_names[mutation->entity]);
  json_object_set_string_member (body, "op", crm_mutation_op_to_string (mutation->op));
  json_object_set_string_member (body, "id", mutation->record_id);
  if (mutation->op == CRM_MUTATION_OP_UPDATE)
    {
      json_object_set_int_member (body, "base_version", mutation->base_version);
      json_object_set_object_member (body, "base", mutation->base ? json_object_ref (mutation->base)
                                                                  : json_object_new ());
    }
  /* a delete names the record and nothing else */
  if (mutation->op != CRM_MUTATION_OP_DELETE)
    json_object_set_object_member (body, "fields", json_object_ref (mutation->fields));
  return body;
}
