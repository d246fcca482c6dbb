#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CRM_TYPE_CONTACT (crm_contact_get_type ())

/*
 * A contact as the local store holds it (docs/openapi.yaml: Contact).
 * Personal data (mobile, id_number, address) is as the server sent it,
 * that is masked.  Reference counted; the fields are read-only.
 */
typedef struct
{
  char     *id;
  char     *customer_id;
  char     *name;
  char     *title;
  char     *mobile;
  char     *email;
  char     *id_number;
  char     *address;
  gboolean  is_primary;
  char     *role;          /* crm_contact_role_names; NULL for not known */
  gint64    version;       /* 0 for a contact created here and not yet confirmed */
  char     *updated_at;
} CrmContact;

GType       crm_contact_get_type (void) G_GNUC_CONST;
CrmContact *crm_contact_new      (void);
CrmContact *crm_contact_ref      (CrmContact *contact);
void        crm_contact_unref    (CrmContact *contact);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmContact, crm_contact_unref)

G_END_DECLS
