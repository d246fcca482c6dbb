#pragma once

#include <glib.h>

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
 */
typedef enum
{
  CRM_SYNC_STAGE_CUSTOMERS,
  CRM_SYNC_STAGE_CONTACTS,
  CRM_SYNC_STAGE_DEPARTURES,
  CRM_SYNC_N_STAGES
} CrmSyncStage;

typedef struct
{
  char *identity;  /* digits */
  char *base;      /* pg_snapshot text, or NULL: from nothing */
  char *round;     /* pg_snapshot text, or NULL: the round has not begun */
  int   stage;     /* CrmSyncStage */
  char *xid;       /* position in the stage: the last record's sync_xid… */
  char *key;       /* …and its id (its sequence number for departures); both NULL at the start */
} CrmSyncCursor;

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
