#define G_LOG_DOMAIN "test-store-key-lookups"

#include "config.h"

#include <string.h>

#include "crm-store-private.h"
#include "store-test-util.h"

/*
 * The statements a queued change runs on one record (its writable values,
 * the update of the shown row, keeping and restoring the server's row)
 * find the record through its key's index, for every entity some role
 * edits: SQLite's plan for each has no SCAN.  A record with a two-column
 * key (a campaign member: "<campaign_id>/<customer_id>") was found by
 * comparing the joined text, a scan of every member of every campaign per
 * queued outcome: 24 ms an update at 20,000 members, 425 s for a
 * 17,800-row outcome import (bench/outcome).
 */

static void
assert_no_scan (sqlite3    *db,
                const char *sql)
{
  g_autofree char *explain = g_strconcat ("EXPLAIN QUERY PLAN ", sql, NULL);
  sqlite3_stmt *s = NULL;
  guint steps = 0;

  g_assert_cmpint (sqlite3_prepare_v2 (db, explain, -1, &s, NULL), ==, SQLITE_OK);
  while (sqlite3_step (s) == SQLITE_ROW)
    {
      const char *detail = (const char *) sqlite3_column_text (s, 3);

      steps++;
      if (g_str_has_prefix (detail, "SCAN"))
        g_error ("%s\n  is planned as %s", sql, detail);
    }
  sqlite3_finalize (s);
  g_assert_cmpuint (steps, >, 0);
}

static void
test_record_statements_use_the_key (StoreFixture  *fixture,
                                    gconstpointer  data)
{
  sqlite3 *db = NULL;
  guint checked = 0;

  g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  for (CrmEntity entity = 0; entity < CRM_N_ENTITIES; entity++)
    {
      const Entity *e = crm_store_entity (entity);

      if (e->table[LAYER_SERVER] == NULL)
        continue;
      assert_no_scan (db, e->values_sql[LAYER_SHOWN]);
      assert_no_scan (db, e->values_sql[LAYER_SERVER]);
      assert_no_scan (db, e->apply_sql);
      assert_no_scan (db, e->keep_server_sql);
      assert_no_scan (db, e->restore_sql);
      checked += entity == CRM_ENTITY_CAMPAIGN_MEMBER;
    }
  g_assert_cmpuint (checked, ==, 1);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/store/queue/record-statements-use-the-key", StoreFixture, NULL, store_fixture_set_up,
              test_record_statements_use_the_key, store_fixture_tear_down);
  return g_test_run ();
}
