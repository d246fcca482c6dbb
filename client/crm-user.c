#define G_LOG_DOMAIN "crm-user"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-user.h"
#include "crm-wire.h"

/**
 * crm_user_get_display_name:
 *
 * Returns: the user's name, or their login when the name is empty
 */
const char *
crm_user_get_display_name (JsonObject *user)
{
  const char *name;

  g_return_val_if_fail (user != NULL, NULL);

  name = json_object_get_string_member_with_default (user, "display_name", NULL);
  if (name == NULL || name[0] == '\0')
    name = json_object_get_string_member_with_default (user, "login", "");

  return name ? name : "";
}

/**
 * crm_user_get_role_title:
 *
 * Returns: the user's role in the interface's words, or "" when the user
 *   object does not say (a session remembered while offline)
 */
const char *
crm_user_get_role_title (JsonObject *user)
{
  const char *role;

  g_return_val_if_fail (user != NULL, NULL);

  role = json_object_get_string_member_with_default (user, "role", NULL);

  switch ((CrmRole) crm_wire_lookup (crm_role_names, role ? role : ""))
    {
    case CRM_ROLE_ADMIN:
      return _("Administrator");
    case CRM_ROLE_DIRECTOR:
      return _("Sales director");
    case CRM_ROLE_MANAGER:
      return _("Account manager");
    case CRM_ROLE_MARKETING:
      return _("Marketing staff");
    case CRM_ROLE_SERVICE:
      return _("Service staff");
    case CRM_N_ROLES:
    default:
      return "";
    }
}
