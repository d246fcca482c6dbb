#pragma once

#include "crm-customer-item.h"
#include "crm-customer-warnings.h"

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
  char              *collation_key;   /* ICU pinyin sort key: compare with strcmp */
  char              *search_text;     /* name, name_en, contact names: folded, "\n" apart */
  char              *phone_digits;    /* the digits of each number shown in full
                                       * (the customer's, its contacts' mobiles),
                                       * "\n" apart; NULL when none */
  char              *contacts;        /* as read: "name\tmobile\n…", until the keys are made */
  char              *phone;           /* as read, until the keys are made */
  const char        *industry;        /* interned; "" when unknown */
  const char        *region_id;       /* interned or NULL */
  const char        *region_name;     /* interned; "" when unknown */
  const char        *owner_id;        /* interned or NULL (no owner) */
  const char        *owner_name;      /* interned or NULL */
  const char        *industry_key;    /* interned collation keys */
  const char        *region_key;
  const char        *owner_key;       /* NULL when there is no owner */
  gint64             monthly_revenue;
  gint64             arrears;           /* fen */
  gint64             open_pipeline;     /* fen: once + 12 × monthly of open opportunities */
  gint64             step_deadline;     /* unix time of the earliest open service step's
                                         * time limit, or 0 */
  const char        *next_contract_end; /* interned "YYYY-MM-DD", or NULL */
  int                churn_risk;        /* 0-100, or -1 when not scored */
  CrmCustomerWarnings warnings;         /* as of when the item was made */
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

/* The list's facts of the customer beyond its row (the store reads them
 * with it), and what its search finds besides its names: @contacts as
 * "name\tmobile" lines, @phone the customer's.  Numbers holding a '*'
 * (masked) are never searched.  Only before the keys are made. */
void crm_customer_item_set_facts    (CrmCustomerItem *self,
                                     gint64           arrears,
                                     int              churn_risk,
                                     gint64           open_pipeline,
                                     const char      *next_contract_end,
                                     const char      *earliest_step_deadline);
void crm_customer_item_set_contacts (CrmCustomerItem *self,
                                     const char      *contacts,
                                     const char      *phone);

/* Only while the item is in no one else's hands (the store, making it). */
void crm_customer_item_set_has_unsent_changes (CrmCustomerItem *self,
                                               gboolean         has_unsent_changes);

/* Whether @a and @b show the same thing (the id included). */
gboolean crm_customer_item_equal (const CrmCustomerItem *a,
                                  const CrmCustomerItem *b);

G_END_DECLS
