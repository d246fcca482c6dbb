#define G_LOG_DOMAIN "crm-pipeline-scopes"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-pipeline-scopes.h"
#include "crm-validate.h"

static void
scope_free (CrmPipelineScope *scope)
{
  g_free (scope->scope);
  g_free (scope->title);
  g_free (scope);
}

static void
add (GPtrArray  *list,
     const char *kind,
     const char *id,
     const char *title)
{
  CrmPipelineScope *scope;
  g_autofree char *name = NULL;

  if (id != NULL && !crm_validate_uuid (id))
    return;
  name = id ? g_strconcat (kind, ":", id, NULL) : g_strdup (kind);
  for (guint i = 0; i < list->len; i++)
    if (g_str_equal (((CrmPipelineScope *) list->pdata[i])->scope, name))
      return;
  scope = g_new0 (CrmPipelineScope, 1);
  scope->scope = g_steal_pointer (&name);
  scope->title = g_strdup (title);
  g_ptr_array_add (list, scope);
}

static gboolean
may_choose (JsonObject *user)
{
  const char *role = user ? json_object_get_string_member_with_default (user, "role", NULL) : NULL;

  return g_strcmp0 (role, "director") == 0 || g_strcmp0 (role, "admin") == 0;
}

GPtrArray *
crm_pipeline_scopes_list (JsonObject *user,
                          CrmStore   *store)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) scope_free);

  add (list, "me", NULL, C_("scope", "Me"));
  if (!may_choose (user))
    return list;
  add (list, "region", json_object_get_string_member_with_default (user, "region_id", NULL), _("My region"));
  add (list, "team", json_object_get_string_member_with_default (user, "team_id", NULL), _("My team"));
  return list;
}

void
crm_pipeline_scopes_watch (CrmStore  *store,
                           GCallback  callback,
                           gpointer   data)
{
  g_return_if_fail (CRM_IS_STORE (store));
}
