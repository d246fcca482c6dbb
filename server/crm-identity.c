#define G_LOG_DOMAIN "crm-identity"

#include "config.h"

#include <string.h>

#include "crm-identity.h"

/*
 * The cache: token hash -> CrmUser, shared by every thread of a server.
 * Entries are kept in the order they were stored (a queue beside the
 * table): the oldest goes first when the cache is full, and an entry older
 * than the age bound is a miss.  Every change of what may be served (a
 * notification, a reset) bumps the generation, so an answer authenticated
 * before it cannot be stored after it.
 */

typedef struct
{
  GBytes  *hash;
  CrmUser *user;
  gint64   stored;   /* monotonic */
  GList   *link;     /* in CrmIdentityCache.order */
} Entry;

struct _CrmIdentityCache
{
  GMutex      lock;
  GHashTable *entries;     /* GBytes token hash -> Entry */
  GQueue      order;       /* Entry, oldest first */
  guint       max_entries;
  gint64      max_age_us;
  guint64     generation;
  gboolean    bypass;
};

/* Users ------------------------------------------------------------------ */

static void
user_clear (gpointer data)
{
  CrmUser *user = data;

  g_free (user->id);
  g_free (user->login);
  g_free (user->display_name);
  g_free (user->team_id);
  g_free (user->region_id);
  g_free (user->expires_at);
  g_free (user->regions);
}

CrmUser *
crm_user_new (void)
{
  return g_atomic_rc_box_new0 (CrmUser);
}

CrmUser *
crm_user_ref (CrmUser *user)
{
  return g_atomic_rc_box_acquire (user);
}

void
crm_user_unref (CrmUser *user)
{
  if (user != NULL)
    g_atomic_rc_box_release_full (user, user_clear);
}

/* Cache ------------------------------------------------------------------ */

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_bytes_unref (e->hash);
  crm_user_unref (e->user);
  g_free (e);
}

CrmIdentityCache *
crm_identity_cache_new (guint max_entries,
                        guint max_age_seconds)
{
  CrmIdentityCache *cache = g_new0 (CrmIdentityCache, 1);

  g_mutex_init (&cache->lock);
  cache->entries = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, NULL, entry_free);
  g_queue_init (&cache->order);
  cache->max_entries = max_entries;
  cache->max_age_us = (gint64) max_age_seconds * G_USEC_PER_SEC;
  cache->bypass = TRUE;
  return cache;
}

void
crm_identity_cache_free (CrmIdentityCache *cache)
{
  if (cache == NULL)
    return;
  g_queue_clear (&cache->order);
  g_hash_table_unref (cache->entries);
  g_mutex_clear (&cache->lock);
  g_free (cache);
}

/* With the lock held. */
static void
remove_entry (CrmIdentityCache *cache,
              Entry            *e)
{
  g_queue_delete_link (&cache->order, e->link);
  g_hash_table_remove (cache->entries, e->hash);
}

static void
clear_locked (CrmIdentityCache *cache)
{
  g_queue_clear (&cache->order);
  g_hash_table_remove_all (cache->entries);
  cache->generation++;
}

CrmUser *
crm_identity_cache_lookup (CrmIdentityCache *cache,
                           GBytes           *token_hash)
{
  CrmUser *user = NULL;
  Entry *e;

  g_mutex_lock (&cache->lock);
  if (!cache->bypass && (e = g_hash_table_lookup (cache->entries, token_hash)) != NULL)
    {
      if (g_get_monotonic_time () - e->stored >= cache->max_age_us ||
          g_get_real_time () >= e->user->expires_us)
        remove_entry (cache, e);
      else
        user = crm_user_ref (e->user);
    }
  g_mutex_unlock (&cache->lock);
  return user;
}

guint64
crm_identity_cache_generation (CrmIdentityCache *cache)
{
  guint64 generation;

  g_mutex_lock (&cache->lock);
  generation = cache->generation;
  g_mutex_unlock (&cache->lock);
  return generation;
}

gboolean
crm_identity_cache_store (CrmIdentityCache *cache,
                          GBytes           *token_hash,
                          CrmUser          *user,
                          guint64           generation)
{
  Entry *e;
  Entry *old;

  g_mutex_lock (&cache->lock);
  if (cache->bypass || cache->max_entries == 0 || generation != cache->generation ||
      g_get_real_time () >= user->expires_us)
    {
      g_mutex_unlock (&cache->lock);
      return FALSE;
    }
  if ((old = g_hash_table_lookup (cache->entries, token_hash)) != NULL)
    remove_entry (cache, old);
  while (g_queue_get_length (&cache->order) >= cache->max_entries)
    remove_entry (cache, g_queue_peek_head (&cache->order));

  e = g_new0 (Entry, 1);
  e->hash = g_bytes_ref (token_hash);
  e->user = crm_user_ref (user);
  e->stored = g_get_monotonic_time ();
  g_queue_push_tail (&cache->order, e);
  e->link = g_queue_peek_tail_link (&cache->order);
  g_hash_table_insert (cache->entries, e->hash, e);
  g_mutex_unlock (&cache->lock);
  return TRUE;
}

void
crm_identity_cache_forget (CrmIdentityCache *cache,
                           GBytes           *token_hash)
{
  Entry *e;

  g_mutex_lock (&cache->lock);
  if ((e = g_hash_table_lookup (cache->entries, token_hash)) != NULL)
    remove_entry (cache, e);
  cache->generation++;
  g_mutex_unlock (&cache->lock);
}

static void
forget_user_locked (CrmIdentityCache *cache,
                    const char       *user_id)
{
  GList *l = cache->order.head;

  while (l != NULL)
    {
      Entry *e = l->data;

      l = l->next;
      if (g_ascii_strcasecmp (e->user->id, user_id) == 0)
        remove_entry (cache, e);
    }
}

void
crm_identity_cache_notify (CrmIdentityCache *cache,
                           const char       *payload)
{
  g_mutex_lock (&cache->lock);
  if (g_str_has_prefix (payload, "session:") && strlen (payload) == 8 + 64)
    {
      guint8 raw[32];
      g_autoptr(GBytes) hash = NULL;
      gboolean ok = TRUE;
      Entry *e;

      for (guint i = 0; i < 32 && ok; i++)
        {
          int hi = g_ascii_xdigit_value (payload[8 + 2 * i]);
          int lo = g_ascii_xdigit_value (payload[8 + 2 * i + 1]);

          ok = hi >= 0 && lo >= 0;
          raw[i] = (guint8) (hi << 4 | lo);
        }
      if (ok)
        {
          hash = g_bytes_new (raw, sizeof raw);
          if ((e = g_hash_table_lookup (cache->entries, hash)) != NULL)
            remove_entry (cache, e);
          cache->generation++;
        }
      else
        clear_locked (cache);
    }
  else if (g_str_has_prefix (payload, "user:"))
    {
      forget_user_locked (cache, payload + 5);
      cache->generation++;
    }
  else
    /* 'all', or anything this version does not know: drop everything */
    clear_locked (cache);
  g_mutex_unlock (&cache->lock);
}

void
crm_identity_cache_reset (CrmIdentityCache *cache,
                          gboolean          bypass)
{
  g_mutex_lock (&cache->lock);
  clear_locked (cache);
  cache->bypass = bypass;
  g_mutex_unlock (&cache->lock);
}

guint
crm_identity_cache_size (CrmIdentityCache *cache)
{
  guint n;

  g_mutex_lock (&cache->lock);
  n = g_hash_table_size (cache->entries);
  g_mutex_unlock (&cache->lock);
  return n;
}
