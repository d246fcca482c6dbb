#define G_LOG_DOMAIN "crm-fields"

#include "config.h"

#include <string.h>

#include "crm-date.h"
#include "crm-entity.h"
#include "crm-error.h"
#include "crm-fields.h"
#include "crm-validate.h"
#include "crm-wire.h"

/* The rules live in the entity table (crm-entity.c); a mutation may carry
 * only the fields some role may write. */
const CrmField *
crm_entity_fields (CrmEntity entity)
{
  const CrmEntityInfo *info = crm_entity_info (entity);

  return info != NULL ? info->fields : NULL;
}

const CrmField *
crm_field_spec_lookup (CrmEntity   entity,
                       const char *name)
{
  const CrmEntityInfo *info = crm_entity_info (entity);
  const CrmField *field = info != NULL ? crm_entity_info_field (info, name) : NULL;

  return field != NULL && field->writable_by != CRM_ROLES_NONE ? field : NULL;
}

static gboolean
valid_phone (const char *value)
{
  guint digits = 0;

  for (const char *p = value; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if (!strchr (" -+()", *p))
        return FALSE;
    }
  return digits >= 5 && digits <= 20;
}

/* RFC 3339 with its offset: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM),
 * a real time, in years PostgreSQL and the client agree on. */
static gboolean
valid_timestamp (const char *value)
{
  static const char shape[] = "dddd-dd-ddTdd:dd:dd";
  g_autoptr(GDateTime) parsed = NULL;
  gsize len = strlen (value);
  const char *p = value + sizeof shape - 1;

  if (len < sizeof shape - 1 || len > 40)
    return FALSE;
  for (guint i = 0; i < sizeof shape - 1; i++)
    if (shape[i] == 'd' ? !g_ascii_isdigit (value[i]) : value[i] != shape[i])
      return FALSE;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      ;
  if (!(g_str_equal (p, "Z") ||
        ((p[0] == '+' || p[0] == '-') && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) && p[3] == ':' &&
         g_ascii_isdigit (p[4]) && g_ascii_isdigit (p[5]) && p[6] == '\0')))
    return FALSE;
  parsed = g_date_time_new_from_iso8601 (value, NULL);
  return parsed != NULL && g_date_time_get_year (parsed) >= 1900 && g_date_time_get_year (parsed) <= 2999;
}

/* The range of @spec's values (crm-entity.h: min_value, max_value). */
static void
number_range (const CrmField *spec,
              gint64         *min,
              gint64         *max)
{
  if (spec->max_value > spec->min_value)
    {
      *min = spec->min_value;
      *max = spec->max_value;
    }
  else if (spec->value_type == CRM_VALUE_MONEY)
    {
      *min = 0;
      *max = G_MAXINT64;
    }
  else
    {
      *min = G_MININT32;
      *max = G_MAXINT32;
    }
  if (spec->value_type == CRM_VALUE_MONEY)
    *min = MAX (*min, 0);
}

/* A whole number in decimal (a JSON integer as crm_fields_check_object
 * passes it, or what the user typed), within the field's range; money is
 * in fen. */
static gboolean
valid_number (const CrmField *spec,
              const char     *value,
              GError        **error)
{
  gint64 min, max, v;

  number_range (spec, &min, &max);
  if (g_ascii_string_to_signed (value, 10, min, max, &v, NULL))
    return TRUE;
  if (spec->value_type == CRM_VALUE_MONEY && max == G_MAXINT64)
    crm_set_field_error (error, CRM_ERROR_INVALID, spec->name,
                         "%s must be a whole number of fen, 0 or more", spec->name);
  else if (spec->value_type == CRM_VALUE_MONEY)
    crm_set_field_error (error, CRM_ERROR_INVALID, spec->name,
                         "%s must be a whole number of fen from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                         spec->name, min, max);
  else
    crm_set_field_error (error, CRM_ERROR_INVALID, spec->name,
                         "%s must be a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                         spec->name, min, max);
  return FALSE;
}

gboolean
crm_field_validate (const CrmField *spec,
                    const char     *value,
                    GError        **error)
{
  gboolean required = (spec->flags & CRM_FIELD_REQUIRED) != 0;

  if (value == NULL || *value == '\0')
    {
      if (required)
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s is required", spec->name);
          return FALSE;
        }
      return TRUE;
    }
  if (spec->mask != CRM_FIELD_MASK_NONE && strchr (value, '*') != NULL)
    {
      /* what the server sent (138****5678) saved back would replace the
       * real value with the mask */
      crm_set_field_error (error, CRM_ERROR_INVALID, spec->name,
                           "%s still holds hidden characters (*); enter the whole value", spec->name);
      return FALSE;
    }

  if (spec->value_type == CRM_VALUE_INTEGER || spec->value_type == CRM_VALUE_MONEY)
    return valid_number (spec, value, error);
  if (spec->value_type == CRM_VALUE_DATE)
    {
      g_autoptr(GError) date_error = NULL;
      GDate *date = crm_date_parse (spec->name, value, &date_error);

      if (date != NULL)
        {
          g_date_free (date);
          return TRUE;
        }
      crm_set_field_error (error, CRM_ERROR_INVALID, spec->name,
                           "%s must be a date written YYYY-MM-DD, such as 2026-03-01", spec->name);
      return FALSE;
    }
  if (spec->value_type == CRM_VALUE_TIMESTAMP)
    {
      if (valid_timestamp (value))
        return TRUE;
      crm_set_field_error (error, CRM_ERROR_INVALID, spec->name,
                           "%s must be a time with its offset, such as 2026-03-01T09:30:00+08:00", spec->name);
      return FALSE;
    }

  switch (spec->check)
    {
    case CRM_FIELD_TEXT:
      if (spec->flags & CRM_FIELD_MULTILINE)
        return crm_validate_text_multiline (spec->name, value, required ? 1 : 0, spec->max_chars, error);
      return crm_validate_text (spec->name, value, required ? 1 : 0, spec->max_chars, error);
    case CRM_FIELD_ENUM:
      if (crm_wire_lookup (spec->enum_values, value) >= 0)
        return TRUE;
      {
        g_autofree char *allowed = g_strjoinv (", ", (char **) spec->enum_values);

        crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s must be one of %s", spec->name, allowed);
      }
      return FALSE;
    case CRM_FIELD_MOBILE:
      if (crm_validate_mobile (value))
        return TRUE;
      crm_set_field_error (error, CRM_ERROR_INVALID, spec->name,
                           "%s must be a mobile number of 11 digits starting with 1", spec->name);
      return FALSE;
    case CRM_FIELD_EMAIL:
      if (crm_validate_email (value))
        return TRUE;
      crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s must be an e-mail address", spec->name);
      return FALSE;
    case CRM_FIELD_PHONE:
      if (valid_phone (value))
        return TRUE;
      crm_set_field_error (error, CRM_ERROR_INVALID, spec->name,
                           "%s must be a telephone number (5 to 20 digits)", spec->name);
      return FALSE;
    case CRM_FIELD_BOOL:
      if (g_str_equal (value, "true") || g_str_equal (value, "false"))
        return TRUE;
      crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s must be true or false", spec->name);
      return FALSE;
    case CRM_FIELD_UUID:
      if (crm_validate_uuid (value))
        return TRUE;
      crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s must be an id (a UUID)", spec->name);
      return FALSE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

/* The JSON type a value of @spec travels as, for errors. */
static const char *
json_type_name (const CrmField *spec)
{
  if (spec->value_type == CRM_VALUE_BOOL)
    return "boolean";
  if (spec->value_type == CRM_VALUE_TEXT_LIST)
    return "list of strings";
  if (spec->value_type == CRM_VALUE_JSON)
    return "JSON object";
  if (spec->value_type == CRM_VALUE_INTEGER || spec->value_type == CRM_VALUE_MONEY)
    return "whole number";
  return "string";
}

/* @node as crm_field_validate() takes it (a JSON integer in decimal), if
 * it has the field's JSON type; *@value NULL for null. */
static gboolean
node_value (const CrmField  *spec,
            JsonNode        *node,
            char           **value)
{
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  *value = NULL;
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (spec->value_type == CRM_VALUE_BOOL)
    {
      if (type != G_TYPE_BOOLEAN)
        return FALSE;
      *value = g_strdup (json_node_get_boolean (node) ? "true" : "false");
    }
  else if (spec->value_type == CRM_VALUE_INTEGER || spec->value_type == CRM_VALUE_MONEY)
    {
      /* json-glib reads 12.0 and 1e3 as doubles: not whole numbers here */
      if (type != G_TYPE_INT64)
        return FALSE;
      *value = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    }
  else
    {
      if (type != G_TYPE_STRING)
        return FALSE;
      *value = g_strdup (json_node_get_string (node));
    }
  return TRUE;
}

/* A list's value (an array of strings, each one of the field's
 * enum_values if it has them, none twice); NULL @error: no message. */
static gboolean
list_valid (const CrmField  *spec,
            JsonNode        *node,
            GError         **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto not_list;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *word;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        goto not_list;
      word = json_node_get_string (element);
      if (spec->enum_values != NULL && crm_wire_lookup (spec->enum_values, word) < 0)
        {
          g_autofree char *allowed = g_strjoinv (", ", (char **) spec->enum_values);

          crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s may hold only %s", spec->name, allowed);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer) word))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s holds %s twice", spec->name, word);
          return FALSE;
        }
    }
  return TRUE;

not_list:
  crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s must be a list of strings", spec->name);
  return FALSE;
}

gboolean
crm_fields_check_object (CrmEntity    entity,
                         gboolean     create,
                         JsonObject  *fields,
                         GError     **error)
{
  g_autoptr(GList) names = json_object_get_members (fields);

  if (names == NULL)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "fields", "fields must name at least one field");
      return FALSE;
    }
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const CrmField *spec = crm_field_spec_lookup (entity, name);
      JsonNode *node = json_object_get_member (fields, name);
      g_autofree char *value = NULL;

      /* a record's parent (and a create-only field) is set when it is
       * made, not changed after */
      if (spec == NULL || ((spec->flags & (CRM_FIELD_PARENT | CRM_FIELD_CREATE_ONLY)) && !create))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, name, "%s is not a field a client may write here", name);
          return FALSE;
        }
      if (spec->value_type == CRM_VALUE_TEXT_LIST)
        {
          /* [] empties a list that is never null */
          if (JSON_NODE_HOLDS_NULL (node) && (spec->flags & CRM_FIELD_REQUIRED))
            {
              crm_set_field_error (error, CRM_ERROR_INVALID, name, "%s must be a list ([] for none)", name);
              return FALSE;
            }
          if (!JSON_NODE_HOLDS_NULL (node) && !list_valid (spec, node, error))
            return FALSE;
          continue;
        }
      if (spec->value_type == CRM_VALUE_JSON)
        {
          /* an object; what it holds is the entity's to check (a
           * segment's criteria: server/crm-handler-mutations.c) */
          if (JSON_NODE_HOLDS_OBJECT (node) || (JSON_NODE_HOLDS_NULL (node) && !(spec->flags & CRM_FIELD_REQUIRED)))
            continue;
          crm_set_field_error (error, CRM_ERROR_INVALID, name, "%s must be a JSON object", name);
          return FALSE;
        }
      if (!node_value (spec, node, &value))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, name, "%s must be a %s or null", name,
                               json_type_name (spec));
          return FALSE;
        }
      /* "" clears a text; any other type is cleared by null (the
       * database has no empty date, number, id or enum value) */
      if (value != NULL && *value == '\0' && spec->value_type != CRM_VALUE_TEXT &&
          !(spec->flags & CRM_FIELD_REQUIRED))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, name, "%s must be null to clear it, not \"\"", name);
          return FALSE;
        }
      if (!crm_field_validate (spec, value, error))
        return FALSE;
    }
  if (create)
    for (const CrmField *spec = crm_entity_fields (entity); spec->name; spec++)
      if (spec->writable_by != CRM_ROLES_NONE && (spec->flags & CRM_FIELD_REQUIRED) &&
          spec->value_type != CRM_VALUE_BOOL && spec->default_value == NULL &&
          !json_object_has_member (fields, spec->name))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, spec->name, "%s is required", spec->name);
          return FALSE;
        }
  return TRUE;
}

gboolean
crm_fields_check_base (CrmEntity    entity,
                       JsonObject  *fields,
                       JsonNode    *base,
                       GError     **error)
{
  g_autoptr(GList) names = NULL;
  JsonObject *base_obj;

  if (base == NULL || !JSON_NODE_HOLDS_OBJECT (base))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "base",
                           "base must be an object: for each changed field, the value the change was made on");
      return FALSE;
    }
  base_obj = json_node_get_object (base);
  if (json_object_get_size (base_obj) != json_object_get_size (fields))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "base", "base must name exactly the fields in fields");
      return FALSE;
    }
  names = json_object_get_members (fields);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const CrmField *spec = crm_field_spec_lookup (entity, name);
      JsonNode *node = json_object_get_member (base_obj, name);
      g_autofree char *value = NULL;

      if (node == NULL)
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, "base", "base has no value for %s", name);
          return FALSE;
        }
      if (spec != NULL && spec->value_type == CRM_VALUE_TEXT_LIST &&
          (JSON_NODE_HOLDS_NULL (node) || list_valid (spec, node, NULL)))
        continue;
      if (spec != NULL && spec->value_type == CRM_VALUE_JSON &&
          (JSON_NODE_HOLDS_NULL (node) || JSON_NODE_HOLDS_OBJECT (node)))
        continue;
      if (spec == NULL || spec->value_type == CRM_VALUE_TEXT_LIST || spec->value_type == CRM_VALUE_JSON ||
          !node_value (spec, node, &value))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, "base", "base's %s must be a %s or null", name,
                               spec ? json_type_name (spec) : "string");
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
crm_field_mask_kept (const CrmField *spec,
                     guint          *head,
                     guint          *tail)
{
  g_return_val_if_fail (spec != NULL, FALSE);

  switch (spec->mask)
    {
    case CRM_FIELD_MASK_PHONE:   /* 13812345678 -> 138****5678 */
      *head = 3;
      *tail = 4;
      return TRUE;
    case CRM_FIELD_MASK_TEXT:    /* 北京市朝阳区 -> 北京**** */
      *head = 2;
      *tail = 0;
      return TRUE;
    case CRM_FIELD_MASK_NONE:
    default:
      return FALSE;
    }
}

char *
crm_field_mask_value (const CrmField *spec,
                      const char     *value)
{
  guint head, tail;

  if (!crm_field_mask_kept (spec, &head, &tail))
    return g_strdup (value);
  return crm_mask_text (value, head, tail);
}
