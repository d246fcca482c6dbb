#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_SIGN_IN_PAGE (crm_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (CrmSignInPage, crm_sign_in_page, CRM, SIGN_IN_PAGE, AdwBin)

/*
 * Server address, login and password, and the sign-in.sign-in action.  On
 * success it emits ::signed-in with the CrmApi holding the new token; on
 * failure it says why, below the fields, which keep what was typed.
 */
GtkWidget  *crm_sign_in_page_new            (void);
const char *crm_sign_in_page_get_server_url (CrmSignInPage *self);
void        crm_sign_in_page_set_server_url (CrmSignInPage *self,
                                             const char    *server_url);
const char *crm_sign_in_page_get_login      (CrmSignInPage *self);
void        crm_sign_in_page_set_login      (CrmSignInPage *self,
                                             const char    *login);
gboolean    crm_sign_in_page_get_busy       (CrmSignInPage *self);
const char *crm_sign_in_page_get_message    (CrmSignInPage *self);
void        crm_sign_in_page_reset          (CrmSignInPage *self);
void        crm_sign_in_page_show_notice    (CrmSignInPage *self,
                                             const char    *notice);
void        crm_sign_in_page_set_context    (CrmSignInPage *self,
                                             CrmContext    *context);

G_END_DECLS
