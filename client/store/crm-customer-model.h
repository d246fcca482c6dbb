#pragma once

#include <gio/gio.h>

#include "crm-customer-item.h"
#include "crm-store.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_CUSTOMER_COLUMN_NAME,      /* by the name's collation key */
  CRM_CUSTOMER_COLUMN_TIER,      /* key, major, standard */
  CRM_CUSTOMER_COLUMN_INDUSTRY,
  CRM_CUSTOMER_COLUMN_REGION,    /* the region's name */
  CRM_CUSTOMER_COLUMN_OWNER,     /* the owner's name; no owner last */
  CRM_CUSTOMER_COLUMN_REVENUE,
  CRM_CUSTOMER_COLUMN_STATUS,    /* prospect, active, churned */
  CRM_CUSTOMER_COLUMN_ARREARS,
  CRM_CUSTOMER_COLUMN_CHURN_RISK,  /* not scored first */
  CRM_CUSTOMER_COLUMN_PIPELINE,  /* the open pipeline, unweighted */
} CrmCustomerColumn;

#define CRM_CUSTOMER_N_COLUMNS (CRM_CUSTOMER_COLUMN_PIPELINE + 1)

/* Whether @column holds money: a list sorts it largest first when its
 * header is first clicked. */
gboolean crm_customer_column_is_money (CrmCustomerColumn column);

#define CRM_TYPE_CUSTOMER_COLUMN (crm_customer_column_get_type ())
GType crm_customer_column_get_type (void) G_GNUC_CONST;

#define CRM_TYPE_CUSTOMER_MODEL (crm_customer_model_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerModel, crm_customer_model, CRM, CUSTOMER_MODEL, GObject)

/*
 * The customer list: a GListModel of CrmCustomerItem over a CrmStore,
 * sorted on the items' precomputed keys and filtered in memory.
 *
 * All items are kept in sort order; the shown ones are computed from them
 * when a filter changes, without reading SQLite again.  Ties of the sort
 * column are broken by name, then id; descending is the exact reverse.
 * The store's ::customers-changed updates the changed rows only, each in
 * O(log n); many rows are read in a worker and applied a slice per
 * main-loop iteration, and a reset (no ids) reloads in a worker, so the
 * main thread never reads the whole list.  Call crm_customer_model_reload()
 * once to fill it (in a worker thread, before the model is shown).
 * ::choices-changed tells when the regions or owners of the customers
 * changed.
 */

CrmCustomerModel  *crm_customer_model_new                 (CrmStore          *store);
gboolean           crm_customer_model_reload              (CrmCustomerModel  *self,
                                                           GError           **error);
void               crm_customer_model_reload_async        (CrmCustomerModel    *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean           crm_customer_model_reload_finish       (CrmCustomerModel  *self,
                                                           GAsyncResult      *result,
                                                           GError           **error);
gboolean           crm_customer_model_is_busy             (CrmCustomerModel  *self);
void               crm_customer_model_set_held            (CrmCustomerModel  *self,
                                                           gboolean           held);
/* The filter choices of all customers: id -> name (interned, borrowed). */
GHashTable        *crm_customer_model_dup_regions         (CrmCustomerModel  *self);
GHashTable        *crm_customer_model_dup_owners          (CrmCustomerModel  *self);
CrmStore          *crm_customer_model_get_store           (CrmCustomerModel  *self);
/* All customers, filters aside. */
guint              crm_customer_model_get_total           (CrmCustomerModel  *self);
/* The position of customer @id among the shown ones. */
gboolean           crm_customer_model_find                (CrmCustomerModel  *self,
                                                           const char        *id,
                                                           guint             *position);

void               crm_customer_model_set_sort            (CrmCustomerModel  *self,
                                                           CrmCustomerColumn  column,
                                                           gboolean           descending);
CrmCustomerColumn  crm_customer_model_get_sort_column     (CrmCustomerModel  *self);
gboolean           crm_customer_model_get_sort_descending (CrmCustomerModel  *self);

/* Filters combine with AND; NULL or "" means no filter.  The search is a
 * case-insensitive substring of the name, the English name or a contact's
 * name; a query that is a phone number as typed (digits, spaces, + - ( ))
 * also finds the numbers shown in full (never a masked one) holding its
 * digits: the whole number, or its last digits. */
void               crm_customer_model_set_search          (CrmCustomerModel  *self,
                                                           const char        *text);
/* A tier or status by its wire word (crm-wire.h): "key", "active"... */
void               crm_customer_model_set_tier            (CrmCustomerModel  *self,
                                                           const char        *tier);
void               crm_customer_model_set_status          (CrmCustomerModel  *self,
                                                           const char        *status);
/* A region's or owner's id. */
void               crm_customer_model_set_region          (CrmCustomerModel  *self,
                                                           const char        *region_id);
void               crm_customer_model_set_owner           (CrmCustomerModel  *self,
                                                           const char        *owner_id);
/* Only customers with a warning (crm-customer-warnings.h). */
void               crm_customer_model_set_needs_attention (CrmCustomerModel  *self,
                                                           gboolean           needs_attention);
gboolean           crm_customer_model_get_needs_attention (CrmCustomerModel  *self);
const char        *crm_customer_model_get_search          (CrmCustomerModel  *self);
const char        *crm_customer_model_get_tier            (CrmCustomerModel  *self);
const char        *crm_customer_model_get_status          (CrmCustomerModel  *self);
const char        *crm_customer_model_get_region          (CrmCustomerModel  *self);
const char        *crm_customer_model_get_owner           (CrmCustomerModel  *self);

G_END_DECLS
