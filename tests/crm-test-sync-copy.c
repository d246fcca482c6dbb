#define G_LOG_DOMAIN "crm-test-sync-copy"

#include "config.h"

#include "crm-test-http.h"
#include "crm-test-sync-copy.h"

Copy *
copy_new (void)
{
  Copy *c = g_new0 (Copy, 1);

  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    c->records[e] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  c->departures = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  c->total = -1;
  return c;
}

void
copy_free (Copy *c)
{
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    g_hash_table_unref (c->records[e]);
  g_ptr_array_unref (c->departures);
  g_free (c->cursor);
  g_free (c);
}


char *
member_text (JsonObject *o,
             const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  g_assert_nonnull (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
}

char *
key_of (const CrmEntityInfo *info,
        JsonObject          *o)
{
  g_autoptr(GString) key = g_string_new (NULL);

  for (guint k = 0; info->key[k]; k++)
    {
      g_autofree char *part = member_text (o, info->key[k]);

      g_string_append_printf (key, "%s%s", k ? "," : "", part);
    }
  return g_strdup (key->str);
}

/* Removes a record and, as a client does, everything hanging from it. */
static void
remove_with_children (Copy       *c,
                      CrmEntity   entity,
                      const char *key)
{
  g_hash_table_remove (c->records[entity], key);
  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    {
      const CrmEntityInfo *child = crm_entity_info (e);
      g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
      GHashTableIter iter;
      gpointer k, v;

      if (child->parent != entity)
        continue;
      g_hash_table_iter_init (&iter, c->records[e]);
      while (g_hash_table_iter_next (&iter, &k, &v))
        if (g_strcmp0 (json_object_get_string_member (v, child->parent_field), key) == 0)
          g_ptr_array_add (gone, g_strdup (k));
      for (guint i = 0; i < gone->len; i++)
        remove_with_children (c, e, gone->pdata[i]);
    }
}

static guint
apply_page (Copy       *c,
            JsonObject *page)
{
  JsonArray *removed = json_object_get_array_member (page, "removed");
  guint received = 0;

  for (guint e = 0; e < CRM_N_ENTITIES; e++)
    {
      const CrmEntityInfo *info = crm_entity_info (e);
      JsonArray *array = json_object_get_array_member (page, info->plural);

      g_assert_nonnull (array);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *o = json_array_get_object_element (array, i);
          g_autofree char *key = key_of (info, o);
          JsonObject *old = g_hash_table_lookup (c->records[e], key);

          /* keep the newer version: a row can come twice */
          if (old && json_object_has_member (o, "version") &&
              json_object_get_int_member (old, "version") > json_object_get_int_member (o, "version"))
            continue;
          g_hash_table_replace (c->records[e], g_steal_pointer (&key), json_object_ref (o));
        }
      received += json_array_get_length (array);
    }
  for (guint i = 0; i < json_array_get_length (removed); i++)
    {
      JsonObject *o = json_array_get_object_element (removed, i);
      const CrmEntityInfo *info = crm_entity_info_lookup (json_object_get_string_member (o, "entity"));
      g_autofree char *key = NULL;

      g_assert_nonnull (info);
      key = key_of (info, o);
      remove_with_children (c, info->entity, key);
      g_ptr_array_add (c->departures, json_object_ref (o));
      received++;
    }
  return received;
}

guint
copy_sync (Copy       *c,
           const char *token,
           guint       limit)
{
  guint received = 0;

  for (;;)
    {
      g_autofree char *path = c->cursor
        ? g_strdup_printf ("sync?limit=%u&cursor=%s", limit, c->cursor)
        : g_strdup_printf ("sync?limit=%u", limit);
      g_autoptr(Response) r = get (path, token);
      JsonObject *page;

      if (r->status != 200)
        g_error ("GET %s: %u %s", path, r->status, r->body);
      page = obj (r);
      c->pages++;
      /* the head names the next page exactly when the body does */
      if (!json_object_get_boolean_member (page, "reset") && json_object_get_boolean_member (page, "more"))
        g_assert_cmpstr (r->sync_next, ==, json_object_get_string_member (page, "cursor"));
      else
        g_assert_null (r->sync_next);
      if (json_object_get_boolean_member (page, "reset"))
        {
          c->resets++;
          for (guint e = 0; e < CRM_N_ENTITIES; e++)
            g_hash_table_remove_all (c->records[e]);
          g_clear_pointer (&c->cursor, g_free);
          continue;
        }
      if (c->total < 0 && json_object_has_member (page, "total"))
        {
          c->total = json_object_get_int_member (page, "total");
          c->total_estimated = json_object_get_boolean_member_with_default (page, "total_estimated", FALSE);
        }
      received += apply_page (c, page);
      g_free (c->cursor);
      c->cursor = g_strdup (json_object_get_string_member (page, "cursor"));
      if (!json_object_get_boolean_member (page, "more"))
        return received;
    }
}
