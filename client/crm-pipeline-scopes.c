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

  /* "me" has no id; a team or region needs one (a director without a
   * team has none to offer) */
  if (id == NULL ? !g_str_equal (kind, "me") : !crm_validate_uuid (id))
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

static int
compare_records (gconstpointer a,
                 gconstpointer b)
{
  JsonObject *x = *(JsonObject **) a;
  JsonObject *y = *(JsonObject **) b;
  gint64 lx = json_object_get_int_member_with_default (x, "level", 0);
  gint64 ly = json_object_get_int_member_with_default (y, "level", 0);

  if (lx != ly)
    return lx < ly ? -1 : 1;
  return g_utf8_collate (json_object_get_string_member_with_default (x, "name", ""),
                         json_object_get_string_member_with_default (y, "name", ""));
}

/* Every record of the directory's @entity the store holds (what the
 * user may see), regions by level, each as "Region: NAME". */
static void
add_directory (GPtrArray  *list,
               CrmStore   *store,
               CrmEntity   entity)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  records = crm_store_get_records (store, entity, NULL, &error);
  if (records == NULL)
    {
      g_warning ("Cannot read the directory: %s", error->message);
      return;
    }
  g_ptr_array_sort (records, compare_records);
  for (guint i = 0; i < records->len; i++)
    {
      const char *name = json_object_get_string_member_with_default (records->pdata[i], "name", NULL);
      g_autofree char *title = NULL;

      if (name == NULL)
        continue;
      if (entity == CRM_ENTITY_REGION)
        /* TRANSLATORS: a region in the list of scopes; %s is its name */
        title = g_strdup_printf (C_("scope", "Region: %s"), name);
      else
        /* TRANSLATORS: a team in the list of scopes; %s is its name */
        title = g_strdup_printf (C_("scope", "Team: %s"), name);
      add (list, entity == CRM_ENTITY_REGION ? "region" : "team",
           json_object_get_string_member_with_default (records->pdata[i], "id", NULL), title);
    }
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
  if (store != NULL)
    {
      add_directory (list, store, CRM_ENTITY_REGION);
      add_directory (list, store, CRM_ENTITY_TEAM);
    }
  return list;
}

void
crm_pipeline_scopes_watch (CrmStore  *store,
                           GCallback  callback,
                           gpointer   data)
{
  g_return_if_fail (CRM_IS_STORE (store));

  g_signal_connect_swapped (store, "changed::region", callback, data);
  g_signal_connect_swapped (store, "changed::team", callback, data);
}

guint
crm_pipeline_scopes_default (GPtrArray *scopes)
{
  g_return_val_if_fail (scopes != NULL, 0);

  for (guint i = 0; i < scopes->len; i++)
    if (g_str_has_prefix (((CrmPipelineScope *) scopes->pdata[i])->scope, "region:"))
      return i;
  return 0;
}
