#pragma once

#include <glib.h>

#include "crm-wire.h"

G_BEGIN_DECLS

/*
 * Who is asking, and the server's cache of it.
 *
 * A request whose token the cache holds begins its transaction with one
 * plain statement of set_config () calls made from the entry; any other
 * begins with crm.authenticate (), whose answer fills the cache.  Every
 * change that alters or ends an identity notifies the channel
 * CRM_IDENTITY_CHANNEL at commit (server/sql/0024-identity-cache.sql), and
 * each server process keeps one connection listening on it
 * (CrmIdentityListener), which drops the entries named at once.  While that
 * connection is down the cache is empty and bypassed.
 */

#define CRM_IDENTITY_CHANNEL "keyline_identity"

/* Who is asking.  Immutable once made and shared by reference: the cache
 * and every request that uses an entry hold their own. */
typedef struct
{
  char    *id;
  char    *login;
  char    *display_name;
  CrmRole  role;
  char    *team_id;
  char    *region_id;
  char    *expires_at;   /* as PostgreSQL wrote it */
  char    *regions;      /* keyline.regions: a text[] of region ids, "{}" unless a director */
  gint64   expires_us;   /* the session's end, real time in microseconds */
} CrmUser;

/* A new user of refcount 1 with every field empty. */
CrmUser *crm_user_new   (void);
CrmUser *crm_user_ref   (CrmUser *user);
void     crm_user_unref (CrmUser *user);

typedef struct _CrmIdentityCache CrmIdentityCache;

/* @max_entries 0 disables the cache (every request authenticates in the
 * database).  Starts bypassed: crm_identity_cache_reset () opens it once
 * its listener is listening. */
CrmIdentityCache *crm_identity_cache_new        (guint             max_entries,
                                                 guint             max_age_seconds);
void              crm_identity_cache_free       (CrmIdentityCache *cache);
/* The entry for @token_hash (a new reference), or NULL: none, bypassed,
 * older than the age bound, or past its session's end. */
CrmUser          *crm_identity_cache_lookup     (CrmIdentityCache *cache,
                                                 GBytes           *token_hash);
/* Read before authenticating in the database; crm_identity_cache_store ()
 * refuses an answer whose generation is not the current one (something
 * was revoked meanwhile, or the listener came or went). */
guint64           crm_identity_cache_generation (CrmIdentityCache *cache);
/* Keeps @user for @token_hash, evicting the oldest entry when full;
 * FALSE if refused (bypassed, disabled, or @generation is stale). */
gboolean          crm_identity_cache_store      (CrmIdentityCache *cache,
                                                 GBytes           *token_hash,
                                                 CrmUser          *user,
                                                 guint64           generation);
/* Drops one session (this process signed it out). */
void              crm_identity_cache_forget     (CrmIdentityCache *cache,
                                                 GBytes           *token_hash);
/* Applies one payload of CRM_IDENTITY_CHANNEL. */
void              crm_identity_cache_notify     (CrmIdentityCache *cache,
                                                 const char       *payload);
/* Empties the cache and bypasses it (@bypass) or opens it. */
void              crm_identity_cache_reset      (CrmIdentityCache *cache,
                                                 gboolean          bypass);
guint             crm_identity_cache_size       (CrmIdentityCache *cache);

typedef struct _CrmIdentityListener CrmIdentityListener;

/* Starts the thread that LISTENs on CRM_IDENTITY_CHANNEL through
 * @conninfo (as application_name "keyline-identity") and applies what it
 * hears to @cache; it reconnects by itself.  Waits until it first listens,
 * or failed to, for at most a few seconds. */
CrmIdentityListener *crm_identity_listener_start (CrmIdentityCache    *cache,
                                                  const char          *conninfo);
void                 crm_identity_listener_stop  (CrmIdentityListener *listener);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmUser, crm_user_unref)

G_END_DECLS
