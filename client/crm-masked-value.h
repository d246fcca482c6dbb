#pragma once

#include <gtk/gtk.h>

#include "crm-api.h"

G_BEGIN_DECLS

#define CRM_TYPE_MASKED_VALUE (crm_masked_value_get_type ())

G_DECLARE_FINAL_TYPE (CrmMaskedValue, crm_masked_value, CRM, MASKED_VALUE, GtkBox)

/*
 * One value of personal data as the store holds it (maybe masked:
 * 139****5678).  When masked and the user's role may reveal it, Reveal
 * asks the server for the full value (POST /customers/{id}/reveal, which
 * records it in the audit log) and shows it here, for this page only: it
 * is never written to the local store.  Offline, or when the server
 * refuses, the reason shows inline.  A phone number shown in full offers
 * Copy (the clipboard) and Call (the desktop's tel: handler).
 *
 * ::revealed (const char *value) tells the owner, which may keep the value
 * while the page shows the same customer (crm_masked_value_set_revealed ()).
 */

GtkWidget  *crm_masked_value_new           (void);
/* What the value is: @entity "customer" or "contact", its record and the
 * customer it belongs to, the field's wire name and the value as stored. */
void        crm_masked_value_set           (CrmMaskedValue *self,
                                            const char     *customer_id,
                                            const char     *entity,
                                            const char     *record_id,
                                            const char     *field,
                                            const char     *value);
/* Who asks: @api (NULL when signed out), whether the role may reveal,
 * and whether the session is offline. */
void        crm_masked_value_set_session   (CrmMaskedValue *self,
                                            CrmApi         *api,
                                            gboolean        may_reveal,
                                            gboolean        offline);
/* Shows @value as revealed before (kept by the owner for this page). */
void        crm_masked_value_set_revealed  (CrmMaskedValue *self,
                                            const char     *value);
const char *crm_masked_value_get_text      (CrmMaskedValue *self);
gboolean    crm_masked_value_get_masked    (CrmMaskedValue *self);
/* The inline error, or NULL. */
const char *crm_masked_value_get_error     (CrmMaskedValue *self);
/* The tel: URI Call opens, or NULL when it is not offered. */
char       *crm_masked_value_dup_tel_uri   (CrmMaskedValue *self);

G_END_DECLS
