#pragma once

#include <adwaita.h>

#include "crm-context.h"

G_BEGIN_DECLS

#define CRM_TYPE_APPLICATION (crm_application_get_type ())

G_DECLARE_FINAL_TYPE (CrmApplication, crm_application, CRM, APPLICATION, AdwApplication)

CrmApplication *crm_application_new           (void);
CrmContext     *crm_application_get_context   (CrmApplication *self);

/* Binds the "keyline" text domain to $KEYLINE_LOCALEDIR when set (the build
 * tree's po/ folder, to run uninstalled), else to the installed LOCALEDIR. */
void            crm_application_setup_gettext (void);

G_END_DECLS
