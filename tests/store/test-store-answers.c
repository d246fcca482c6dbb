#define G_LOG_DOMAIN "test-store-answers"

#include "config.h"

#include <stdlib.h>

#include "crm-error.h"
#include "crm-store.h"
#include "store-test-util.h"

/*
 * The kept answers of the server's reports (crm-store-answers.c): one per
 * (endpoint, query), with the time it was fetched, kept across a reopen,
 * the newest CRM_STORE_MAX_ANSWERS only.
 */

static GDateTime *
at (int hour,
    int minute,
    int second)
{
  return g_date_time_new_utc (2026, 12, 3, hour, minute, second);
}

static void
put (CrmStore   *store,
     const char *endpoint,
     const char *query,
     const char *answer,
     GDateTime  *when)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_store_put_answer (store, endpoint, query, answer, when, &error));
  g_assert_no_error (error);
}

/* The kept answer's text (NULL when none) and, in @when, its time. */
static char *
get (CrmStore    *store,
     const char  *endpoint,
     const char  *query,
     GDateTime  **when)
{
  g_autoptr(GError) error = NULL;
  char *answer = (char *) "unset";

  g_assert_true (crm_store_get_answer (store, endpoint, query, &answer, when, &error));
  g_assert_no_error (error);
  return answer;
}

static void
test_answers_are_kept_per_endpoint_and_query (StoreFixture  *f,
                                              gconstpointer  data)
{
  g_autoptr(GDateTime) t1 = at (10, 42, 7);
  g_autoptr(GDateTime) t2 = at (11, 0, 0);
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autofree char *none = NULL;

  put (f->store, "/forecast", "period=2026-Q4&scope=me", "{\"a\":1}", t1);
  put (f->store, "/forecast", "period=2026-Q3&scope=me", "{\"b\":2}", t2);
  put (f->store, "/pipeline/analysis", "period=2026-Q4&scope=me", "{\"c\":3}", t2);

  a = get (f->store, "/forecast", "period=2026-Q4&scope=me", &when);
  g_assert_cmpstr (a, ==, "{\"a\":1}");
  g_assert_nonnull (when);
  g_assert_true (g_date_time_equal (when, t1));
  g_clear_pointer (&when, g_date_time_unref);
  b = get (f->store, "/forecast", "period=2026-Q3&scope=me", NULL);
  g_assert_cmpstr (b, ==, "{\"b\":2}");
  c = get (f->store, "/pipeline/analysis", "period=2026-Q4&scope=me", NULL);
  g_assert_cmpstr (c, ==, "{\"c\":3}");

  none = get (f->store, "/pipeline", "period=2026-Q4&scope=me", &when);
  g_assert_null (none);
  g_assert_null (when);
}

static void
test_answers_newer_replaces_older (StoreFixture  *f,
                                   gconstpointer  data)
{
  g_autoptr(GDateTime) t1 = at (9, 0, 0);
  g_autoptr(GDateTime) t2 = at (14, 30, 15);
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *count = NULL;

  put (f->store, "/forecast", "scope=me", "{\"old\":true}", t1);
  put (f->store, "/forecast", "scope=me", "{\"new\":true}", t2);

  answer = get (f->store, "/forecast", "scope=me", &when);
  g_assert_cmpstr (answer, ==, "{\"new\":true}");
  g_assert_true (g_date_time_equal (when, t2));
  count = test_sql_text (f->path, "SELECT count(*) FROM answer_cache");
  g_assert_cmpstr (count, ==, "1");
}

static void
test_answers_survive_reopening (StoreFixture  *f,
                                gconstpointer  data)
{
  g_autoptr(GDateTime) t1 = g_date_time_new_local (2026, 12, 3, 18, 42, 0.5);
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *answer = NULL;

  put (f->store, "/pipeline", "region=abc&scope=me", "{\"中\":\"文\"}", t1);
  g_assert_finalize_object (g_steal_pointer (&f->store));
  f->store = crm_store_open (f->path, &error);
  g_assert_no_error (error);

  answer = get (f->store, "/pipeline", "region=abc&scope=me", &when);
  g_assert_cmpstr (answer, ==, "{\"中\":\"文\"}");
  /* the same instant, to the microsecond, whatever the zone it came in */
  g_assert_cmpint (g_date_time_to_unix (when), ==, g_date_time_to_unix (t1));
  g_assert_cmpint (g_date_time_get_microsecond (when), ==, 500000);
}

static void
test_answers_only_the_newest_are_kept (StoreFixture  *f,
                                       gconstpointer  data)
{
  g_autoptr(GDateTime) base = at (0, 0, 0);
  g_autofree char *count = NULL;
  g_autofree char *oldest = NULL;
  g_autofree char *newest = NULL;
  g_autofree char *first_kept = NULL;
  g_autofree char *newest_query = NULL;
  guint n = CRM_STORE_MAX_ANSWERS + 5;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) when = g_date_time_add_seconds (base, i);
      g_autofree char *query = g_strdup_printf ("scope=me&n=%u", i);

      put (f->store, "/forecast", query, "{}", when);
    }

  count = test_sql_text (f->path, "SELECT count(*) FROM answer_cache");
  g_assert_cmpint (atoi (count), ==, CRM_STORE_MAX_ANSWERS);
  oldest = get (f->store, "/forecast", "scope=me&n=4", NULL);
  g_assert_null (oldest);
  first_kept = get (f->store, "/forecast", "scope=me&n=5", NULL);
  g_assert_cmpstr (first_kept, ==, "{}");
  newest_query = g_strdup_printf ("scope=me&n=%u", n - 1);
  newest = get (f->store, "/forecast", newest_query, NULL);
  g_assert_cmpstr (newest, ==, "{}");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

#define ADD(path, func) g_test_add (path, StoreFixture, NULL, store_fixture_set_up, func, store_fixture_tear_down)
  ADD ("/store/answers/are-kept-per-endpoint-and-query", test_answers_are_kept_per_endpoint_and_query);
  ADD ("/store/answers/newer-replaces-older", test_answers_newer_replaces_older);
  ADD ("/store/answers/survive-reopening", test_answers_survive_reopening);
  ADD ("/store/answers/only-the-newest-are-kept", test_answers_only_the_newest_are_kept);
#undef ADD

  return g_test_run ();
}
