#pragma once

#include <glib.h>

#include "crm-entity.h"

G_BEGIN_DECLS

/*
 * Keyset pagination cursors.  A cursor names the sort order it was made for
 * and the sort value and id of the last row of the page; it is opaque to
 * clients (URL-safe base64) and checked on the way back in.
 */
typedef struct
{
  int   sort;        /* index into the list's sort names */
  gboolean descending;
  char *value;       /* the last row's sort value, as text */
  char *id;          /* the last row's id (a UUID) */
} CrmCursor;

char      *crm_cursor_encode (const CrmCursor *cursor);
CrmCursor *crm_cursor_decode (const char      *text,
                              GError         **error);
void       crm_cursor_free   (CrmCursor       *cursor);
/* Checks that a decoded cursor is one the customer list could have made:
 * its sort is a CrmCustomerSort and its value reads as that sort's column
 * (any text for the name, a bigint for revenue, a timestamptz as
 * PostgreSQL writes it for updated).  Sets an error on "cursor". */
gboolean   crm_cursor_check_customer_sort (const CrmCursor  *cursor,
                                           GError          **error);
/* PostgreSQL's text of a timestamptz, DateStyle ISO. */
gboolean   crm_validate_pg_timestamp      (const char       *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCursor, crm_cursor_free)

/*
 * Sync cursors (GET /sync).  A sync runs in rounds; a round sends every
 * record the caller may see that changed after the snapshot @base (all of
 * them when @base is NULL), stage by stage, each stage in (sync_xid, key)
 * order.  @round is the snapshot taken when the round began: it becomes
 * the next round's base.  @identity is a digest of who the cursor was made
 * for; if that changes, the client starts again from nothing.
 *
 * The stages come from the entity table (crm-entity.h): one per entity,
 * parents and referenced entities before the entities that point to them,
 * then the departures.  A cursor names the stage list it was made for; one
 * of an older list (or of the older format) decodes with @outdated set, and
 * the client starts again.
 */
#define CRM_SYNC_N_STAGES (CRM_N_ENTITIES + 1)
#define CRM_SYNC_STAGE_DEPARTURES CRM_N_ENTITIES

/* A page of GET /sync that has a page after it names that page's cursor
 * in this response header too (the body's "cursor" when "more" is true),
 * so that a client may ask for it before the body is in and parsed. */
#define CRM_SYNC_NEXT_HEADER "Keyline-Sync-Next"

typedef struct
{
  char    *identity;  /* digits */
  char    *base;      /* pg_snapshot text, or NULL: from nothing */
  char    *round;     /* pg_snapshot text, or NULL: the round has not begun */
  int      stage;     /* index into the stage order (crm_sync_stage_entity ()) */
  char    *xid;       /* position in the stage: the last record's sync_xid… */
  char    *key;       /* …and its key, the key fields' text joined by ',' (the sequence
                       * number for departures); both NULL at the start */
  gboolean outdated;  /* made for another stage list or format: start over */
} CrmSyncCursor;

/* The entity of @stage, or CRM_N_ENTITIES for the departures stage. */
CrmEntity      crm_sync_stage_entity  (guint                stage);
/* Whether @key (as a cursor holds it) is a key of @stage's entity. */
gboolean       crm_sync_stage_key_valid (guint              stage,
                                         const char        *key);
char          *crm_sync_cursor_encode (const CrmSyncCursor *cursor);
CrmSyncCursor *crm_sync_cursor_decode (const char          *text,
                                       GError             **error);
void           crm_sync_cursor_free   (CrmSyncCursor       *cursor);
gboolean       crm_validate_snapshot  (const char          *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmSyncCursor, crm_sync_cursor_free)

/* URL-safe base64 without padding. */
char   *crm_base64url_encode (const void *data,
                              gsize       len);
guchar *crm_base64url_decode (const char *text,
                              gsize       max_length,
                              gsize      *len);

G_END_DECLS
