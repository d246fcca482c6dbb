#define G_LOG_DOMAIN "crm-pipeline-stages"

#include "config.h"

#include "crm-pipeline-stages.h"

/* As server/sql/0014-pipeline.sql seeds crm.pipeline_stages. */
const int crm_stage_initial_probability[CRM_N_STAGES] = { 10, 25, 50, 75, 100, 0 };

static const char *
member_text (JsonObject *o,
             const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The integer member @name of @o, or -1 when it is null or missing. */
static gint64
member_number (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return -1;
  return json_node_get_int (node);
}

gboolean
crm_pipeline_stage_defaults (CrmStore  *store,
                             int        defaults[CRM_N_STAGES],
                             GError   **error)
{
  g_autoptr(GPtrArray) stages = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), FALSE);

  for (guint i = 0; i < CRM_N_STAGES; i++)
    defaults[i] = crm_stage_initial_probability[i];
  stages = crm_store_get_records (store, CRM_ENTITY_PIPELINE_STAGE, NULL, error);
  if (stages == NULL)
    return FALSE;
  for (guint i = 0; i < stages->len; i++)
    {
      int stage = crm_wire_lookup (crm_stage_names, member_text (stages->pdata[i], "stage"));
      gint64 p = member_number (stages->pdata[i], "default_probability");

      if (stage >= 0 && p >= 0 && p <= 100)
        defaults[stage] = (int) p;
    }
  return TRUE;
}

int
crm_opportunity_probability (JsonObject *opportunity,
                             const int   defaults[CRM_N_STAGES])
{
  gint64 own = member_number (opportunity, "probability");
  int stage;

  g_return_val_if_fail (opportunity != NULL, 0);

  if (own >= 0 && own <= 100)
    return (int) own;
  stage = crm_wire_lookup (crm_stage_names, member_text (opportunity, "stage"));
  return stage >= 0 ? defaults[stage] : 0;
}
