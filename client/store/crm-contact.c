#define G_LOG_DOMAIN "crm-contact"

#include "config.h"

#include "crm-contact.h"

G_DEFINE_BOXED_TYPE (CrmContact, crm_contact, crm_contact_ref, crm_contact_unref)

static void
contact_clear (gpointer data)
{
  CrmContact *contact = data;

  g_free (contact->id);
  g_free (contact->customer_id);
  g_free (contact->name);
  g_free (contact->title);
  g_free (contact->mobile);
  g_free (contact->email);
  g_free (contact->id_number);
  g_free (contact->address);
  g_free (contact->role);
  g_free (contact->updated_at);
}

CrmContact *
crm_contact_new (void)
{
  return g_atomic_rc_box_new0 (CrmContact);
}

CrmContact *
crm_contact_ref (CrmContact *contact)
{
  g_return_val_if_fail (contact != NULL, NULL);

  return g_atomic_rc_box_acquire (contact);
}

void
crm_contact_unref (CrmContact *contact)
{
  g_return_if_fail (contact != NULL);

  g_atomic_rc_box_release_full (contact, contact_clear);
}
