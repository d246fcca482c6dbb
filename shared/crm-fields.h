#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The fields a client may write, and their rules: one table for the
 * server, which refuses a bad value with the field's name, and for the
 * client, which checks as the user types.
 */
typedef enum
{
  CRM_FIELD_TEXT,
  CRM_FIELD_ENUM,     /* one of @names */
  CRM_FIELD_MOBILE,   /* a mainland mobile number */
  CRM_FIELD_EMAIL,
  CRM_FIELD_PHONE,    /* a fixed line or mobile: digits, spaces, -, + and () */
  CRM_FIELD_BOOL,
  CRM_FIELD_UUID,
} CrmFieldType;

typedef struct
{
  const char         *name;
  CrmFieldType        type;
  gboolean            required;    /* may be neither null nor empty */
  guint               max_chars;   /* for text */
  const char * const *names;       /* for enums */
} CrmFieldSpec;

typedef enum
{
  CRM_ENTITY_CUSTOMER,
  CRM_ENTITY_CONTACT,
  CRM_N_ENTITIES
} CrmEntity;

extern const char * const crm_entity_names[];
extern const char * const crm_credit_rating_names[];

/* The writable fields of @entity, ending with a zeroed spec. */
const CrmFieldSpec *crm_entity_fields     (CrmEntity           entity);
const CrmFieldSpec *crm_field_spec_lookup (CrmEntity           entity,
                                           const char         *name);
/* Checks one value (NULL for JSON null; "true"/"false" for booleans).
 * The error names the field. */
gboolean            crm_field_validate    (const CrmFieldSpec *spec,
                                           const char         *value,
                                           GError            **error);

/* Checks a whole set of changed fields, as a mutation carries them: every
 * name known and writable, every value of the right JSON type and valid;
 * for @create, every required field present. */
gboolean            crm_fields_check_object (CrmEntity     entity,
                                             gboolean      create,
                                             JsonObject   *fields,
                                             GError      **error);

G_END_DECLS
