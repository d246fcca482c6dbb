#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Reading the user object of POST /session and GET /me for display. */
const char *crm_user_get_display_name (JsonObject *user);
const char *crm_user_get_role_title   (JsonObject *user);

G_END_DECLS
