#define G_LOG_DOMAIN "crm-customer"

#include "config.h"

#include "crm-customer.h"

G_DEFINE_BOXED_TYPE (CrmCustomer, crm_customer, crm_customer_ref, crm_customer_unref)

static void
customer_clear (gpointer data)
{
  CrmCustomer *customer = data;

  g_free (customer->id);
  g_free (customer->name);
  g_free (customer->name_en);
  g_free (customer->kind);
  g_free (customer->industry);
  g_free (customer->region_id);
  g_free (customer->region_name);
  g_free (customer->tier);
  g_free (customer->owner_id);
  g_free (customer->owner_name);
  g_free (customer->status);
  g_free (customer->updated_at);
  g_free (customer->credit_rating);
  g_free (customer->registration_no);
  g_free (customer->address);
  g_free (customer->phone);
  g_free (customer->value_segment);
  g_strfreev (customer->prefers);
  g_strfreev (customer->churn_reasons);
  g_free (customer->became_customer);
  g_free (customer->churned_on);
  g_free (customer->churn_reason);
  g_free (customer->created_at);
  g_clear_pointer (&customer->contacts, g_ptr_array_unref);
}

CrmCustomer *
crm_customer_new (void)
{
  CrmCustomer *customer = g_atomic_rc_box_new0 (CrmCustomer);

  customer->churn_risk = -1;
  customer->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify) crm_contact_unref);
  return customer;
}

CrmCustomer *
crm_customer_ref (CrmCustomer *customer)
{
  g_return_val_if_fail (customer != NULL, NULL);

  return g_atomic_rc_box_acquire (customer);
}

void
crm_customer_unref (CrmCustomer *customer)
{
  g_return_if_fail (customer != NULL);

  g_atomic_rc_box_release_full (customer, customer_clear);
}
