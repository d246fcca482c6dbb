#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "crm-fields.h"

G_BEGIN_DECLS

/*
 * One answer of GET /api/v1/sync, read (crm-sync-page.c): the records of
 * each entity as flat rows of values, the departures, the cursor and the
 * flags.  Reading builds no JSON tree: a page of a thousand customers is
 * read in one pass into one block of text and one array of values per
 * entity, which the store binds as they are (crm_store_apply_sync_page_async ()).
 * Immutable once read; reference counted, and safe to hand to another
 * thread.
 */
typedef struct _CrmSyncPage CrmSyncPage;

CrmSyncPage *crm_sync_page_read                (const char   *data,
                                                gsize         length,
                                                GError      **error);
CrmSyncPage *crm_sync_page_new_from_object     (JsonObject   *page,
                                                GError      **error);
/* A page that drops the local copy and the cursor ("reset": true, "more": true). */
CrmSyncPage *crm_sync_page_new_reset           (void);
CrmSyncPage *crm_sync_page_ref                 (CrmSyncPage  *page);
void         crm_sync_page_unref               (CrmSyncPage  *page);

gboolean     crm_sync_page_get_reset           (CrmSyncPage  *page);
gboolean     crm_sync_page_get_more            (CrmSyncPage  *page);
/* The cursor of the page after it, or NULL (null or missing). */
const char  *crm_sync_page_get_cursor          (CrmSyncPage  *page);
/* "total": how many records the whole sync brings, or -1 when the page
 * does not say; "total_estimated": whether that is an estimate. */
gint64       crm_sync_page_get_total           (CrmSyncPage  *page);
gboolean     crm_sync_page_get_total_estimated (CrmSyncPage  *page);
/* Records of every entity and departures. */
guint        crm_sync_page_get_n_records       (CrmSyncPage  *page);
/* Records of @entity. */
guint        crm_sync_page_get_n_entity_records (CrmSyncPage *page,
                                                 CrmEntity    entity);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSyncPage, crm_sync_page_unref)

G_END_DECLS
