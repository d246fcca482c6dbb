#pragma once

#include "crm-customer-item.h"

G_BEGIN_DECLS

/*
 * The item's fields, for the list model, which compares millions of pairs
 * when it sorts and reads the fields directly.  Strings of which there are
 * few distinct values (industry, region, owner) are interned
 * (g_intern_string), and so are their collation keys: equal values are
 * equal pointers, and the filters compare pointers.
 */
struct _CrmCustomerItem
{
  GObject            parent_instance;

  char              *id;
  char              *name;
  char              *name_en;         /* or NULL */
  char              *collation_key;
  char              *search_text;
  const char        *industry;        /* interned; "" when unknown */
  const char        *region_id;       /* interned or NULL */
  const char        *region_name;     /* interned; "" when unknown */
  const char        *owner_id;        /* interned or NULL (no owner) */
  const char        *owner_name;      /* interned or NULL */
  const char        *industry_key;    /* interned collation keys */
  const char        *region_key;
  const char        *owner_key;       /* NULL when there is no owner */
  gint64             monthly_revenue;
  gint64             version;
  gboolean           has_unsent_changes;  /* queued changes of it or its contacts */
  CrmTier            tier;            /* CRM_N_TIERS when unknown */
  CrmCustomerStatus  status;          /* CRM_N_CUSTOMER_STATUSES when unknown */
};

/* An item whose collation key and search text are not made yet: for
 * the store, which makes many and then their keys on every core. */
CrmCustomerItem *crm_customer_item_new_without_keys (const char        *id,
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
/* Makes the keys of @items that have none, in threads when there are many
 * (g_utf8_collate_key costs microseconds a name).  The items must not be
 * in use elsewhere yet. */
void             crm_customer_items_make_keys       (CrmCustomerItem  **items,
                                                     guint              n);

/* Only while the item is in no one else's hands (the store, making it). */
void crm_customer_item_set_has_unsent_changes (CrmCustomerItem *self,
                                               gboolean         has_unsent_changes);

/* Whether @a and @b show the same thing (the id included). */
gboolean crm_customer_item_equal (const CrmCustomerItem *a,
                                  const CrmCustomerItem *b);

G_END_DECLS
