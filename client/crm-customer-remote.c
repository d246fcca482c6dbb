#define G_LOG_DOMAIN "crm-customer-remote"

#include "config.h"

#include "crm-customer-remote.h"
#include "crm-error.h"
#include "crm-wire.h"

gboolean
crm_customer_remote_wanted (JsonObject *user)
{
  return user != NULL &&
         g_strcmp0 (json_object_get_string_member_with_default (user, "role", NULL), "director") == 0;
}

char *
crm_customer_remote_path (const char *customer_id)
{
  g_return_val_if_fail (customer_id != NULL, NULL);

  return g_strdup_printf ("/customers/%s/360", customer_id);
}

static gboolean
malformed (GError    **error,
           const char *member)
{
  crm_set_field_error (error, CRM_ERROR_MALFORMED, member,
                       "The server’s answer has no valid “%s”", member);
  return FALSE;
}

static gboolean
has_string (JsonObject *o,
            const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
has_int_or_null (JsonObject *o,
                 const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node) ||
         (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64);
}

/* An opportunity record as the pages read it: id, customer, stage (one of
 * the six), name, and integer amounts. */
static gboolean
check_opportunity (JsonNode  *node,
                   GError   **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

  if (o == NULL)
    return malformed (error, "opportunities");
  if (!has_string (o, "id") || !has_string (o, "customer_id") || !has_string (o, "name"))
    return malformed (error, "opportunities/id");
  if (!has_string (o, "stage") || crm_wire_lookup (crm_stage_names, json_object_get_string_member (o, "stage")) < 0)
    return malformed (error, "opportunities/stage");
  if (!has_int_or_null (o, "amount_once") || !has_int_or_null (o, "amount_monthly") ||
      !has_int_or_null (o, "contract_months") || !has_int_or_null (o, "probability"))
    return malformed (error, "opportunities/amount");
  return TRUE;
}

/* A copy of @array's opportunities, each checked. */
static JsonArray *
copy_opportunities (JsonArray  *array,
                    GError    **error)
{
  g_autoptr(JsonArray) copy = json_array_new ();

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!check_opportunity (node, error))
        return NULL;
      json_array_add_element (copy, json_node_copy (node));
    }
  return g_steal_pointer (&copy);
}

static JsonArray *
array_member (JsonObject *o,
              const char *name)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The timeline's stage changes: records with id, opportunity_id,
 * to_stage and changed_at. */
static JsonArray *
copy_stage_changes (JsonArray  *timeline,
                    GError    **error)
{
  g_autoptr(JsonArray) copy = json_array_new ();

  for (guint i = 0; i < json_array_get_length (timeline); i++)
    {
      JsonNode *node = json_array_get_element (timeline, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *record = entry ? json_object_get_member (entry, "record") : NULL;
      JsonObject *r;

      if (entry == NULL || !has_string (entry, "kind"))
        return malformed (error, "timeline"), NULL;
      if (g_strcmp0 (json_object_get_string_member (entry, "kind"), "opportunity_stage") != 0)
        continue;
      r = record != NULL && JSON_NODE_HOLDS_OBJECT (record) ? json_node_get_object (record) : NULL;
      if (r == NULL || !json_object_has_member (r, "id") || !has_string (r, "opportunity_id") ||
          !has_string (r, "to_stage") || !has_string (r, "changed_at"))
        return malformed (error, "timeline/record"), NULL;
      json_array_add_element (copy, json_node_copy (record));
    }
  return g_steal_pointer (&copy);
}

JsonNode *
crm_customer_remote_check_360 (JsonNode  *answer,
                               GError   **error)
{
  JsonObject *root = answer && JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  JsonArray *opportunities = array_member (root, "opportunities");
  JsonArray *timeline = array_member (root, "timeline");
  JsonArray *stage_changes = array_member (root, "stage_changes");
  g_autoptr(JsonArray) kept_opportunities = NULL;
  g_autoptr(JsonArray) kept_changes = NULL;
  JsonObject *kept;
  JsonNode *node;

  if (opportunities == NULL)
    return malformed (error, "opportunities"), NULL;
  /* the server's document has a timeline; a kept one, its stage changes */
  if (timeline == NULL && stage_changes == NULL)
    return malformed (error, "timeline"), NULL;
  kept_opportunities = copy_opportunities (opportunities, error);
  if (kept_opportunities == NULL)
    return NULL;
  if (timeline != NULL)
    kept_changes = copy_stage_changes (timeline, error);
  else
    {
      g_autoptr(JsonArray) wrapped = json_array_new ();

      /* read back as the timeline's entries they came from */
      for (guint i = 0; i < json_array_get_length (stage_changes); i++)
        {
          JsonObject *entry = json_object_new ();

          json_object_set_string_member (entry, "kind", "opportunity_stage");
          json_object_set_member (entry, "record", json_node_copy (json_array_get_element (stage_changes, i)));
          json_array_add_object_element (wrapped, entry);
        }
      kept_changes = copy_stage_changes (wrapped, error);
    }
  if (kept_changes == NULL)
    return NULL;

  kept = json_object_new ();
  json_object_set_array_member (kept, "opportunities", g_steal_pointer (&kept_opportunities));
  json_object_set_array_member (kept, "stage_changes", g_steal_pointer (&kept_changes));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, kept);
  return node;
}

JsonArray *
crm_customer_remote_opportunities (JsonNode *kept)
{
  return array_member (kept && JSON_NODE_HOLDS_OBJECT (kept) ? json_node_get_object (kept) : NULL, "opportunities");
}

JsonArray *
crm_customer_remote_stage_changes (JsonNode *kept)
{
  return array_member (kept && JSON_NODE_HOLDS_OBJECT (kept) ? json_node_get_object (kept) : NULL, "stage_changes");
}

JsonNode *
crm_customer_remote_check_list (JsonNode  *answer,
                                GError   **error)
{
  JsonObject *root = answer && JSON_NODE_HOLDS_OBJECT (answer) ? json_node_get_object (answer) : NULL;
  JsonArray *opportunities = array_member (root, "opportunities");
  g_autoptr(JsonArray) copy = NULL;
  JsonNode *total;
  JsonObject *kept;
  JsonNode *node;

  if (opportunities == NULL)
    return malformed (error, "opportunities"), NULL;
  total = json_object_get_member (root, "total");
  if (total == NULL || !JSON_NODE_HOLDS_VALUE (total) || json_node_get_value_type (total) != G_TYPE_INT64 ||
      json_node_get_int (total) < json_array_get_length (opportunities))
    return malformed (error, "total"), NULL;
  copy = copy_opportunities (opportunities, error);
  if (copy == NULL)
    return NULL;
  kept = json_object_new ();
  json_object_set_int_member (kept, "total", json_node_get_int (total));
  json_object_set_array_member (kept, "opportunities", g_steal_pointer (&copy));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, kept);
  return node;
}

gint64
crm_customer_remote_list_total (JsonNode *kept)
{
  JsonObject *root = kept && JSON_NODE_HOLDS_OBJECT (kept) ? json_node_get_object (kept) : NULL;

  return root ? json_object_get_int_member_with_default (root, "total", 0) : 0;
}
