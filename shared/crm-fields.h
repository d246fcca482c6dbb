#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The fields a client may write, and their rules, as the entity table
 * (crm-entity.h) describes them: one table for the server, which refuses
 * a bad value with the field's name, and for the client, which checks as
 * the user types.
 */
typedef enum
{
  CRM_FIELD_TEXT,
  CRM_FIELD_ENUM,     /* one of the field's enum_values */
  CRM_FIELD_MOBILE,   /* a mainland mobile number */
  CRM_FIELD_EMAIL,
  CRM_FIELD_PHONE,    /* a fixed line or mobile: digits, spaces, -, + and () */
  CRM_FIELD_BOOL,
  CRM_FIELD_UUID,
} CrmFieldType;

/* Personal data leaves the server masked with '*' (crm_mask_phone,
 * crm_mask_text); a masked value is never a value to write back. */
typedef enum
{
  CRM_FIELD_MASK_NONE,
  CRM_FIELD_MASK_PHONE,  /* first 3 and last 4 characters kept */
  CRM_FIELD_MASK_TEXT,   /* first 2 characters kept */
} CrmFieldMask;

/* The entities that sync: crm_entity_info () describes each
 * (shared/crm-entity.h). */
typedef enum
{
  CRM_ENTITY_CUSTOMER,
  CRM_ENTITY_CONTACT,
  CRM_ENTITY_PRODUCT,
  CRM_ENTITY_SUBSCRIPTION,
  CRM_ENTITY_REVENUE_MONTH,
  CRM_ENTITY_INTERACTION,
  CRM_ENTITY_OPPORTUNITY,
  CRM_ENTITY_OPPORTUNITY_STAGE,
  CRM_ENTITY_SALES_TARGET,
  CRM_ENTITY_SEGMENT,
  CRM_ENTITY_CAMPAIGN,
  CRM_ENTITY_CAMPAIGN_MEMBER,
  CRM_ENTITY_SERVICE_REQUEST,
  CRM_ENTITY_SERVICE_STEP,
  CRM_ENTITY_PIPELINE_STAGE,
  CRM_ENTITY_REGION,
  CRM_ENTITY_TEAM,
  CRM_ENTITY_USER,
  CRM_N_ENTITIES
} CrmEntity;

/* Indexed by CrmEntity: the wire names ("customer", "contact"...). */
extern const char * const crm_entity_names[];

/* A field of an entity (shared/crm-entity.h). */
typedef struct _CrmField CrmField;

/* Every field of @entity, ending with a zeroed field; those a client may
 * write have writable_by other than CRM_ROLES_NONE. */
const CrmField     *crm_entity_fields     (CrmEntity           entity);
/* The field @name of @entity if a client may write it (some role may),
 * else NULL: what a mutation may carry. */
const CrmField     *crm_field_spec_lookup (CrmEntity           entity,
                                           const char         *name);
/* Checks one value (NULL for JSON null; "true"/"false" for booleans).
 * A masked field refuses a value holding the mask character '*'.  The
 * error names the field. */
gboolean            crm_field_validate    (const CrmField     *spec,
                                           const char         *value,
                                           GError            **error);

/* Checks a whole set of changed fields, as a mutation carries them: every
 * name known and writable, every value of the right JSON type and valid;
 * for @create, every required field present. */
gboolean            crm_fields_check_object (CrmEntity     entity,
                                             gboolean      create,
                                             JsonObject   *fields,
                                             GError      **error);

/* Checks an update's "base" (the value each changed field had before the
 * edit) against its @fields: exactly the same names, each value null or
 * of the field's JSON type (content is not checked: a base may be masked).
 * The error names "base". */
gboolean            crm_fields_check_base   (CrmEntity     entity,
                                             JsonObject   *fields,
                                             JsonNode     *base,
                                             GError      **error);

/* For a masked field, how many characters the mask keeps at the head and
 * the tail (crm_mask_text); FALSE for a field sent as it is. */
gboolean            crm_field_mask_kept     (const CrmField     *spec,
                                             guint              *head,
                                             guint              *tail);
/* @value as the server sends it for @spec (masked or unchanged); NULL for
 * NULL. */
char               *crm_field_mask_value    (const CrmField     *spec,
                                             const char         *value);

G_END_DECLS

/* The whole description of CrmField, for the users of the functions above. */
#include "crm-entity.h"
