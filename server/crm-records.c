#define G_LOG_DOMAIN "crm-records"

#include "config.h"

#include "crm-db.h"
#include "crm-records.h"
#include "crm-validate.h"

/* Personal data leaves the server masked; revealing it is a separate,
 * recorded request. */
static void
member_masked (CrmJsonWriter *w,
               const char    *key,
               const char    *value,
               gboolean       phone)
{
  g_autofree char *masked = NULL;

  if (value != NULL)
    masked = phone ? crm_mask_phone (value) : crm_mask_text (value, 2, 0);
  crm_json_member_string (w, key, masked);
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
                    const PGresult *res,
                    int             row,
                    int             first)
{
  int i = first + CRM_CUSTOMER_SUMMARY_N;

  crm_write_customer_summary (w, res, row, first);
  crm_json_member_string (w, "credit_rating", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "registration_no", crm_pg_value (res, row, i++));
  member_masked (w, "address", crm_pg_value (res, row, i++), FALSE);
  member_masked (w, "phone", crm_pg_value (res, row, i++), TRUE);
  crm_json_member_string (w, "value_segment", crm_pg_value (res, row, i++));
  member_raw_or_null (w, "prefers", res, row, i++);
  member_raw_or_null (w, "churn_reasons", res, row, i++);
  crm_json_member_string (w, "became_customer", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "churned_on", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "churn_reason", crm_pg_value (res, row, i++));
  crm_json_member_timestamp (w, "created_at", crm_pg_value (res, row, i++));
  crm_json_member_bool (w, "personal_data_masked", TRUE);
  g_assert (i == first + CRM_CUSTOMER_N);
}

void
crm_write_contact (CrmJsonWriter  *w,
                   const PGresult *res,
                   int             row,
                   int             first)
{
  int i = first;

  crm_json_member_string (w, "id", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "customer_id", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "name", crm_pg_value (res, row, i++));
  crm_json_member_string (w, "title", crm_pg_value (res, row, i++));
  member_masked (w, "mobile", crm_pg_value (res, row, i++), TRUE);
  crm_json_member_string (w, "email", crm_pg_value (res, row, i++));
  member_masked (w, "id_number", crm_pg_value (res, row, i++), FALSE);
  member_masked (w, "address", crm_pg_value (res, row, i++), FALSE);
  crm_json_member_bool (w, "is_primary", g_str_equal (PQgetvalue (res, row, i++), "t"));
  member_raw_or_null (w, "version", res, row, i++);
  crm_json_member_timestamp (w, "updated_at", crm_pg_value (res, row, i++));
  g_assert (i == first + CRM_CONTACT_N);
}
