#define G_LOG_DOMAIN "crm-records"

#include "config.h"

#include "crm-db.h"
#include "crm-fields.h"
#include "crm-records.h"
#include "crm-validate.h"

/* Personal data leaves the server masked where the entity table masks it
 * for the caller's role; revealing it is a separate, recorded request
 * (crm-handler-reveal.c). */
static void
member_masked (CrmJsonWriter *w,
               CrmEntity      entity,
               CrmRole        role,
               const char    *key,
               const char    *value)
{
  const CrmField *field = crm_entity_info_field (crm_entity_info (entity), key);
  g_autofree char *masked = NULL;

  g_assert (field != NULL && field->mask != CRM_FIELD_MASK_NONE);
  if (value != NULL && crm_field_masked_for (field, role))
    masked = crm_field_mask_value (field, value);
  crm_json_member_string (w, key, masked != NULL ? masked : value);
}

/* Whether @role receives some field of @entity masked. */
static gboolean
any_masked (CrmEntity entity,
            CrmRole   role)
{
  for (const CrmField *f = crm_entity_info (entity)->fields; f->name != NULL; f++)
    if (crm_field_masked_for (f, role))
      return TRUE;
  return FALSE;
}

static void
member_raw_or_null (CrmJsonWriter  *w,
                    const char     *key,
                    const PGresult *res,
                    int             row,
                    int             column)
{
  crm_json_key (w, key);
  if (PQgetisnull (res, row, column))
    crm_json_null (w);
  else
    crm_json_raw (w, PQgetvalue (res, row, column));
}

void
crm_write_customer_summary (CrmJsonWriter  *w,
                            const PGresult *res,
                            int             row,
                            int             first)
{
  int i = first;

  crm_json_member_string (w, "id", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "name", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "name_en", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "kind", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "industry", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "region_id", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "region_name", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "tier", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "owner_id", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "owner_name", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "status", crm_pg_value (res, row, i++));
  member_raw_or_null (w, "monthly_revenue", res, row, i++);
  member_raw_or_null (w, "arrears", res, row, i++);
  member_raw_or_null (w, "churn_risk", res, row, i++);
  member_raw_or_null (w, "version", res, row, i++);
  crm_json_member_timestamp (w, "updated_at", crm_pg_value (res, row, i++));
  g_assert (i == first + CRM_CUSTOMER_SUMMARY_N);
}

void
crm_write_customer (CrmJsonWriter  *w,
                    CrmRole         role,
                    const PGresult *res,
                    int             row,
                    int             first)
{
  int i = first + CRM_CUSTOMER_SUMMARY_N;

  crm_write_customer_summary (w, res, row, first);
  crm_json_member_string (w, "credit_rating", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "registration_no", crm_pg_value (res, row, i++));
  member_masked (w, CRM_ENTITY_CUSTOMER, role, "address", crm_pg_value (res, row, i++));
  member_masked (w, CRM_ENTITY_CUSTOMER, role, "phone", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "value_segment", crm_pg_value (res, row, i++));
  member_raw_or_null (w, "prefers", res, row, i++);
  member_raw_or_null (w, "churn_reasons", res, row, i++);
  crm_json_member_string (w, "became_customer", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "churned_on", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "churn_reason", crm_pg_value (res, row, i++));
  crm_json_member_timestamp (w, "created_at", crm_pg_value (res, row, i++));
  crm_json_member_bool (w, "personal_data_masked", any_masked (CRM_ENTITY_CUSTOMER, role));
  g_assert (i == first + CRM_CUSTOMER_N);
}

void
crm_write_contact (CrmJsonWriter  *w,
                   CrmRole         role,
                   const PGresult *res,
                   int             row,
                   int             first)
{
  int i = first;

  crm_json_member_string (w, "id", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "customer_id", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "name", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "title", crm_pg_value (res, row, i++));
  member_masked (w, CRM_ENTITY_CONTACT, role, "mobile", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "email", crm_pg_value (res, row, i++));
  member_masked (w, CRM_ENTITY_CONTACT, role, "id_number", crm_pg_value (res, row, i++));
  member_masked (w, CRM_ENTITY_CONTACT, role, "address", crm_pg_value (res, row, i++));
  crm_json_member_bool (w, "is_primary", g_str_equal (PQgetvalue (res, row, i++), "t"));
  member_raw_or_null (w, "version", res, row, i++);
  crm_json_member_timestamp (w, "updated_at", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "role", crm_pg_value (res, row, i++));
  g_assert (i == first + CRM_CONTACT_N);
}

/* Records from the entity table ---------------------------------------- */

/* Customers and contacts: the records the customer endpoints send too. */
typedef struct
{
  CrmEntity   entity;
  const char *alias;
  const char *columns;
  const char *joins;
  void      (*write) (CrmJsonWriter *, CrmRole, const PGresult *, int, int);
} Shaped;

static const Shaped shaped[] = {
  { CRM_ENTITY_CUSTOMER, "c", CRM_CUSTOMER_COLUMNS, CRM_CUSTOMER_JOINS, crm_write_customer },
  { CRM_ENTITY_CONTACT, "k", CRM_CONTACT_COLUMNS, "", crm_write_contact },
};

static const Shaped *
shaped_of (const CrmEntityInfo *info)
{
  for (guint i = 0; i < G_N_ELEMENTS (shaped); i++)
    if (shaped[i].entity == info->entity)
      return &shaped[i];
  return NULL;
}

const char *
crm_record_alias (const CrmEntityInfo *info)
{
  const Shaped *s = shaped_of (info);

  return s != NULL ? s->alias : "t";
}

const char *
crm_record_joins (const CrmEntityInfo *info)
{
  const Shaped *s = shaped_of (info);

  return s != NULL ? s->joins : "";
}

char *
crm_record_columns (const CrmEntityInfo *info)
{
  const Shaped *s = shaped_of (info);
  GString *text;

  g_return_val_if_fail (info != NULL, NULL);

  if (s != NULL)
    return g_strdup (s->columns);
  text = g_string_new (NULL);
  for (const CrmField *f = info->fields; f->name != NULL; f++)
    {
      if (text->len > 0)
        g_string_append (text, ", ");
      /* what libpq's text of the column cannot give as JSON directly */
      if (f->value_type == CRM_VALUE_TEXT_LIST)
        g_string_append_printf (text, "array_to_json(t.%s)", crm_field_column (f));
      else
        g_string_append_printf (text, "t.%s", crm_field_column (f));
    }
  return g_string_free (text, FALSE);
}

void
crm_write_field (CrmJsonWriter  *w,
                 const CrmField *field,
                 CrmRole         role,
                 const char     *value)
{
  if (value == NULL)
    {
      crm_json_key (w, field->name);
      crm_json_null (w);
      return;
    }
  switch (field->value_type)
    {
    case CRM_VALUE_INTEGER:
    case CRM_VALUE_MONEY:
    case CRM_VALUE_TEXT_LIST:   /* array_to_json () */
    case CRM_VALUE_JSON:        /* jsonb's text is JSON */
      crm_json_key (w, field->name);
      crm_json_raw (w, value);
      break;
    case CRM_VALUE_BOOL:
      crm_json_member_bool (w, field->name, g_str_equal (value, "t"));
      break;
    case CRM_VALUE_TIMESTAMP:
      crm_json_member_timestamp (w, field->name, value);
      break;
    case CRM_VALUE_TEXT:
    case CRM_VALUE_DATE:        /* DateStyle ISO: YYYY-MM-DD */
    case CRM_VALUE_ENUM:
    case CRM_VALUE_REFERENCE:
    case CRM_VALUE_UUID:
    default:
      if (crm_field_masked_for (field, role))
        {
          g_autofree char *masked = crm_field_mask_value (field, value);

          crm_json_member_string (w, field->name, masked);
        }
      else
        crm_json_member_string (w, field->name, value);
      break;
    }
}

void
crm_write_record (CrmJsonWriter       *w,
                  const CrmEntityInfo *info,
                  CrmRole              role,
                  const PGresult      *res,
                  int                  row,
                  int                  first)
{
  const Shaped *s = shaped_of (info);
  int col = first;

  g_return_if_fail (info != NULL);

  if (s != NULL)
    {
      s->write (w, role, res, row, first);
      return;
    }
  for (const CrmField *f = info->fields; f->name != NULL; f++, col++)
    if (crm_field_visible_to (f, role))
      crm_write_field (w, f, role, crm_pg_value (res, row, col));
}
