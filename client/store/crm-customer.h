#pragma once

#include <glib-object.h>

#include "crm-contact.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER (crm_customer_get_type ())

/*
 * One customer with its contacts, as the local store holds it: the 360°
 * view starts from it (docs/openapi.yaml: CustomerDetail).  Nullable
 * fields are NULL when the server sent null; churn_risk is -1 then.
 * Money is integer fen.  Reference counted; the fields are read-only.
 */
typedef struct
{
  char       *id;
  char       *name;
  char       *name_en;
  char       *kind;
  char       *industry;
  char       *region_id;
  char       *region_name;
  char       *tier;
  char       *owner_id;
  char       *owner_name;
  char       *status;
  gint64      monthly_revenue;
  gint64      arrears;
  int         churn_risk;
  gint64      version;
  char       *updated_at;
  char       *credit_rating;
  char       *registration_no;
  char       *address;
  char       *phone;
  char       *value_segment;
  GStrv       prefers;          /* never NULL */
  GStrv       churn_reasons;    /* never NULL */
  char       *became_customer;
  char       *churned_on;
  char       *churn_reason;
  char       *created_at;
  GPtrArray  *contacts;         /* of CrmContact: primary first, then by name */
} CrmCustomer;

GType        crm_customer_get_type (void) G_GNUC_CONST;
CrmCustomer *crm_customer_new      (void);
CrmCustomer *crm_customer_ref      (CrmCustomer *customer);
void         crm_customer_unref    (CrmCustomer *customer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCustomer, crm_customer_unref)

G_END_DECLS
