#pragma once

#include <libpq-fe.h>

#include "crm-json-writer.h"

G_BEGIN_DECLS

/*
 * The customer and contact records as the API sends them, shared by the
 * customer endpoints, sync and mutations so that a record looks the same
 * wherever it comes from.  Each *_COLUMNS macro is a SELECT list over
 * crm.customers c, crm.regions r (the customer's region) and
 * crm.user_directory u (its owner); the writers read a row of it from
 * column @first on.  Personal data (phone, mobile, ID number, address) is
 * written masked.
 */

/* What a list shows: id … updated_at. */
#define CRM_CUSTOMER_SUMMARY_COLUMNS \
  "c.id, c.name, c.name_en, c.kind, c.industry, c.region_id, r.name, c.tier, c.owner_id," \
  " u.display_name, c.status, c.monthly_revenue, c.arrears, c.churn_risk, c.version," \
  " c.updated_at"
#define CRM_CUSTOMER_SUMMARY_N 16

/* The whole record: the summary, then the detail. */
#define CRM_CUSTOMER_COLUMNS CRM_CUSTOMER_SUMMARY_COLUMNS "," \
  " c.credit_rating, c.registration_no, c.address, c.phone," \
  " c.value_segment, array_to_json(c.prefers), array_to_json(c.churn_reasons)," \
  " c.became_customer, c.churned_on, c.churn_reason, c.created_at"
#define CRM_CUSTOMER_N (CRM_CUSTOMER_SUMMARY_N + 11)

#define CRM_CUSTOMER_FROM \
  " FROM crm.customers c" \
  " JOIN crm.regions r ON r.id = c.region_id" \
  " LEFT JOIN crm.user_directory u ON u.id = c.owner_id"

/* Over crm.contacts k. */
#define CRM_CONTACT_COLUMNS \
  "k.id, k.customer_id, k.name, k.title, k.mobile, k.email, k.id_number, k.address," \
  " k.is_primary, k.version, k.updated_at"
#define CRM_CONTACT_N 11

/* Writes the members (not the braces) of a record. */
void crm_write_customer_summary (CrmJsonWriter  *w,
                                 const PGresult *res,
                                 int             row,
                                 int             first);
void crm_write_customer         (CrmJsonWriter  *w,
                                 const PGresult *res,
                                 int             row,
                                 int             first);
void crm_write_contact          (CrmJsonWriter  *w,
                                 const PGresult *res,
                                 int             row,
                                 int             first);

G_END_DECLS
