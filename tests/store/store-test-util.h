#pragma once

#include <json-glib/json-glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

/* A store in a fresh temporary directory. */
typedef struct
{
  char     *dir;
  char     *path;
  CrmStore *store;
} StoreFixture;

void         store_fixture_set_up    (StoreFixture  *fixture,
                                      gconstpointer  data);
void         store_fixture_tear_down (StoreFixture  *fixture,
                                      gconstpointer  data);

/* "00000000-0000-4000-8000-00000000000N", interned. */
const char  *test_id                 (guint          n);

/* A complete server record (docs/openapi.yaml: CustomerDetail without
 * contacts) with plausible values; change members with json_object_set_*. */
JsonObject  *test_customer           (guint          n,
                                      const char    *name,
                                      gint64         version);
JsonObject  *test_contact            (guint          n,
                                      guint          customer,
                                      const char    *name,
                                      gboolean       is_primary,
                                      gint64         version);
JsonObject  *test_interaction        (guint          n,
                                      guint          customer,
                                      const char    *subject,
                                      gint64         version);

/* A GET /sync answer: empty arrays, the cursor.  The add functions take
 * the record. */
JsonObject  *test_page               (const char    *cursor);
void         test_page_add_customer  (JsonObject    *page,
                                      JsonObject    *customer);
void         test_page_add_contact   (JsonObject    *page,
                                      JsonObject    *contact);
void         test_page_add_removal   (JsonObject    *page,
                                      const char    *entity,
                                      guint          id,
                                      guint          customer);

/* Applies @page (and unrefs it), failing the test on error. */
gboolean     test_apply              (CrmStore      *store,
                                      JsonObject    *page);

/* Runs @sql on the store's file through a second connection and returns
 * the first column of the first row as text (NULL if none). */
char        *test_sql_text           (const char    *path,
                                      const char    *sql);

G_END_DECLS
