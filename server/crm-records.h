#pragma once

#include <libpq-fe.h>

#include "crm-entity.h"
#include "crm-json-writer.h"

G_BEGIN_DECLS

/*
 * The customer and contact records as the API sends them, shared by the
 * customer endpoints, sync and mutations so that a record looks the same
 * wherever it comes from.  Each *_COLUMNS macro is a SELECT list over
 * crm.customers c (or crm.contacts k); the writers read a row of it from
 * column @first on.  Personal data (phone, mobile, ID number, address) is
 * written masked where the entity table masks it for @role.
 *
 * A customer's region and owner's names come two ways, with the same
 * columns (docs/plans/hot-statements.txt has the plans and figures):
 *  - for one record, scalar subqueries by key (CRM_CUSTOMER_ONE_*): joined,
 *    PostgreSQL hash-joined all 70 regions to decorate it;
 *  - for a page of records, joins (CRM_CUSTOMER_JOINS, over r and u) after
 *    the page was chosen from crm.customers alone: a memoized index lookup
 *    per row, where a subquery scanned the regions once per row.
 */

#define CRM_CUSTOMER_SUMMARY_COLUMNS_WITH(REGION_NAME, OWNER_NAME) \
  "c.id, c.name, c.name_en, c.kind, c.industry, c.region_id, " REGION_NAME ", c.tier, c.owner_id," \
  " " OWNER_NAME ", c.status, c.monthly_revenue, c.arrears, c.churn_risk, c.version," \
  " c.updated_at"
#define CRM_CUSTOMER_DETAIL_COLUMNS \
  " c.credit_rating, c.registration_no, c.address, c.phone," \
  " c.value_segment, array_to_json(c.prefers), array_to_json(c.churn_reasons)," \
  " c.became_customer, c.churned_on, c.churn_reason, c.created_at"

/* What a list shows: id … updated_at, over c and CRM_CUSTOMER_JOINS. */
#define CRM_CUSTOMER_SUMMARY_COLUMNS CRM_CUSTOMER_SUMMARY_COLUMNS_WITH ("r.name", "u.display_name")
#define CRM_CUSTOMER_SUMMARY_N 16

/* The whole record: the summary, then the detail; over c and
 * CRM_CUSTOMER_JOINS. */
#define CRM_CUSTOMER_COLUMNS CRM_CUSTOMER_SUMMARY_COLUMNS "," CRM_CUSTOMER_DETAIL_COLUMNS
#define CRM_CUSTOMER_N (CRM_CUSTOMER_SUMMARY_N + 11)

/* The names of a page's region and owner, joined to its rows. */
#define CRM_CUSTOMER_JOINS \
  " LEFT JOIN crm.regions r ON r.id = c.region_id" \
  " LEFT JOIN crm.user_directory u ON u.id = c.owner_id"

/* The whole record over crm.customers c alone, for one customer: the same
 * columns, the names by key. */
#define CRM_CUSTOMER_ONE_COLUMNS \
  CRM_CUSTOMER_SUMMARY_COLUMNS_WITH ("(SELECT r.name FROM crm.regions r WHERE r.id = c.region_id)", \
                                     "(SELECT u.display_name FROM crm.user_directory u WHERE u.id = c.owner_id)") \
  "," CRM_CUSTOMER_DETAIL_COLUMNS
#define CRM_CUSTOMER_ONE_FROM " FROM crm.customers c"

/* Over crm.contacts k. */
#define CRM_CONTACT_COLUMNS \
  "k.id, k.customer_id, k.name, k.title, k.mobile, k.email, k.id_number, k.address," \
  " k.is_primary, k.version, k.updated_at, k.role"
#define CRM_CONTACT_N 12

/* Writes the members (not the braces) of a record. */
void crm_write_customer_summary (CrmJsonWriter  *w,
                                 const PGresult *res,
                                 int             row,
                                 int             first);
void crm_write_customer         (CrmJsonWriter  *w,
                                 CrmRole         role,
                                 const PGresult *res,
                                 int             row,
                                 int             first);
void crm_write_contact          (CrmJsonWriter  *w,
                                 CrmRole         role,
                                 const PGresult *res,
                                 int             row,
                                 int             first);

/*
 * Any entity's record, from the entity table: every field the caller's
 * role receives, in the table's order, as its value type travels (money
 * and integers as numbers, booleans, dates "YYYY-MM-DD", timestamps RFC
 * 3339, text lists as arrays, JSON as it is), masked where the table masks
 * it for the role; fields withheld from the role are left out.  Customers
 * and contacts are the records above (the customer endpoints and mutations
 * send the same), whose columns and writers they keep.
 */

/* The SELECT list of @info's record over @info's alias
 * (crm_record_alias ()): newly allocated. */
char       *crm_record_columns (const CrmEntityInfo *info);
/* The alias the record's columns read: "c" (a customer), "k" (a contact)
 * or "t". */
const char *crm_record_alias   (const CrmEntityInfo *info);
/* The FROM clause the customer's columns need around crm.customers c (its
 * region and owner's names), "" for the others. */
const char *crm_record_joins   (const CrmEntityInfo *info);
/* Writes the members of @info's record for @role from column @first on. */
void        crm_write_record   (CrmJsonWriter       *w,
                                const CrmEntityInfo *info,
                                CrmRole              role,
                                const PGresult      *res,
                                int                  row,
                                int                  first);
/* Writes one member: @field's @value (libpq's text, NULL for null), as its type
 * travels, masked for @role where the table says so. */
void        crm_write_field    (CrmJsonWriter       *w,
                                const CrmField      *field,
                                CrmRole              role,
                                const char          *value);

G_END_DECLS
