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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCursor, crm_cursor_free)

G_END_DECLS
