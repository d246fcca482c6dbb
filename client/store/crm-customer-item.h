#pragma once

#include <glib-object.h>

#include "crm-wire.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_ITEM (crm_customer_item_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerItem, crm_customer_item, CRM, CUSTOMER_ITEM, GObject)

/*
 * One row of the customer list: what the list shows and sorts on.  An item
 * never changes; a changed row is a new item.  The collation key of the
 * name (g_utf8_collate_key, in the locale current when the item was made)
 * and the search text (name and name_en, NFKC, case-folded) are computed
 * once, here.  Read-only properties, for GtkColumnView cells to bind.
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
const char        *crm_customer_item_get_collation_key   (CrmCustomerItem   *self);
const char        *crm_customer_item_get_search_text     (CrmCustomerItem   *self);

/* NFKC and case folding, as the search text is made: for search queries. */
char              *crm_customer_item_fold_search_text    (const char        *text);

G_END_DECLS
