#pragma once

#include <glib-object.h>

#include "crm-customer-warnings.h"
#include "crm-wire.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_ITEM (crm_customer_item_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerItem, crm_customer_item, CRM, CUSTOMER_ITEM, GObject)

/*
 * One row of the customer list: what the list shows and sorts on.  An item
 * never changes; a changed row is a new item.  The collation key of the
 * name (ICU's pinyin collation, in every interface language: Chinese by
 * pinyin, Latin letters case-insensitively) and the search text (name,
 * name_en and the contacts' names, NFKC, case-folded; the digits of the
 * phone numbers shown in full) are computed once, here.  The facts the
 * warnings read (crm-customer-warnings.h) come with the row, and its
 * warnings are worked out when the item is made.  Read-only properties,
 * for GtkColumnView cells to bind.
 */

CrmCustomerItem   *crm_customer_item_new                 (const char        *id,
                                                          const char        *name,
                                                          const char        *name_en,
                                                          CrmTier            tier,
                                                          const char        *industry,
                                                          const char        *region_id,
                                                          const char        *region_name,
                                                          const char        *owner_id,
                                                          const char        *owner_name,
                                                          CrmCustomerStatus  status,
                                                          gint64             monthly_revenue,
                                                          gint64             version);

const char        *crm_customer_item_get_id              (CrmCustomerItem   *self);
const char        *crm_customer_item_get_name            (CrmCustomerItem   *self);
CrmTier            crm_customer_item_get_tier            (CrmCustomerItem   *self);
const char        *crm_customer_item_get_industry        (CrmCustomerItem   *self);
const char        *crm_customer_item_get_region_id       (CrmCustomerItem   *self);
const char        *crm_customer_item_get_region_name     (CrmCustomerItem   *self);
const char        *crm_customer_item_get_owner_id        (CrmCustomerItem   *self);
const char        *crm_customer_item_get_owner_name      (CrmCustomerItem   *self);
CrmCustomerStatus  crm_customer_item_get_status          (CrmCustomerItem   *self);
gint64             crm_customer_item_get_monthly_revenue (CrmCustomerItem   *self);
gint64             crm_customer_item_get_version         (CrmCustomerItem   *self);
gboolean           crm_customer_item_get_has_unsent_changes (CrmCustomerItem *self);
gint64             crm_customer_item_get_arrears         (CrmCustomerItem   *self);
/* 0-100, or -1 when not scored */
int                crm_customer_item_get_churn_risk      (CrmCustomerItem   *self);
gint64             crm_customer_item_get_open_pipeline   (CrmCustomerItem   *self);
/* "YYYY-MM-DD" or NULL: the earliest end, today or later, of an active
 * subscription's contract */
const char        *crm_customer_item_get_next_contract_end (CrmCustomerItem *self);
CrmCustomerWarnings crm_customer_item_get_warnings       (CrmCustomerItem   *self);
const char        *crm_customer_item_get_collation_key   (CrmCustomerItem   *self);
const char        *crm_customer_item_get_search_text     (CrmCustomerItem   *self);

/* NFKC and case folding, as the search text is made: for search queries. */
char              *crm_customer_item_fold_search_text    (const char        *text);
/* The digits of @text if it is a phone number as typed (digits, spaces,
 * '+', '-', '(', ')' and at least one digit), else NULL: for queries. */
char              *crm_customer_item_phone_digits        (const char        *text);
/* The sort key of @text in the list's order (ICU, pinyin): keys compare
 * with strcmp.  Safe in any thread. */
char              *crm_collation_key                     (const char        *text);

G_END_DECLS
