#pragma once

#include <json-glib/json-glib.h>

#include "crm-entity.h"

G_BEGIN_DECLS

/* A local copy of what GET /sync sends, kept as a client keeps it, for the
 * server's sync tests (test-server-sync, test-server-director-sync): per
 * entity, key -> record; a departure removes a record and everything
 * hanging from it; a reset empties it. */
typedef struct
{
  GHashTable *records[CRM_N_ENTITIES];
  GPtrArray  *departures;      /* every departure received */
  char       *cursor;
  gint64      total;           /* the first page's total */
  gboolean    total_estimated; /* and whether it said it is an estimate */
  guint       pages;
  guint       resets;
} Copy;

Copy  *copy_new    (void);
void   copy_free   (Copy       *c);
/* A member as text: a string, or a number's digits. */
char  *member_text (JsonObject *o,
                    const char *name);
/* The record's key, as the database writes concat_ws(',', key…). */
char  *key_of      (const CrmEntityInfo *info,
                    JsonObject          *o);
/* Runs rounds (GET /sync as @token, pages of @limit) until the server says
 * there is no more; returns the records and departures received. */
guint  copy_sync   (Copy       *c,
                    const char *token,
                    guint       limit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Copy, copy_free)

#define CUSTOMERS(c) ((c)->records[CRM_ENTITY_CUSTOMER])
#define CONTACTS(c)  ((c)->records[CRM_ENTITY_CONTACT])

G_END_DECLS
