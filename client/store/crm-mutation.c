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

char *
crm_mutation_format_refusal (const char *code,
                             const char *field,
                             const char *message)
{
  g_return_val_if_fail (code != NULL && message != NULL, NULL);

  if (field != NULL && *field != '\0')
    return g_strdup_printf ("%s (%s): %s", code, field, message);
  return g_strdup_printf ("%s: %s", code, message);
}

void
crm_mutation_parse_refusal (CrmMutation  *mutation,
                            char        **code,
                            char        **field,
                            char        **message)
{
  g_autoptr(GRegex) regex = g_regex_new ("^([a-z_]+)(?: \\(([a-z_]+)\\))?: (.*)$", G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_return_if_fail (mutation != NULL);

  *code = *field = *message = NULL;
  if (mutation->last_error == NULL || !g_regex_match (regex, mutation->last_error, 0, &match))
    {
      *message = g_strdup (mutation->last_error);
      return;
    }
  *code = g_match_info_fetch (match, 1);
  *field = g_match_info_fetch (match, 2);
  *message = g_match_info_fetch (match, 3);
  if (*field != NULL && **field == '\0')
    g_clear_pointer (field, g_free);
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
