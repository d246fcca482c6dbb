#define G_LOG_DOMAIN "test-outcome-csv"

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "crm-error.h"
#include "crm-outcome-csv.h"
#include "crm-store.h"
#include "store-test-util.h"

/*
 * Bulk outcome import, without a display: reading CSV files
 * (tests/data/outcome: encodings, delimiters, quoting, limits), guessing
 * the columns, checking each row against a campaign's members in a store
 * (every kind of bad row, duplicates, outcomes that would move back) and
 * queueing the good rows as updates of campaign_member.  Times are read
 * in Asia/Shanghai (TZ is set in main ()).
 *
 * The store holds campaign 91 (channels sms and phone) with members
 * 1 to 8: 1, 2, 6, 7, 8 pending; 3 converted; 4 in the control group;
 * 5 contacted.  Customer n has registration number REG-000n, 7 and 8
 * share REG-SHARED; customer 9 is no member.
 */

#define CAMPAIGN (test_id (91))

static void
add_member (JsonArray  *members,
            guint       customer,
            const char *response,
            gboolean    is_control,
            const char *contacted_at)
{
  JsonObject *m = json_object_new ();

  json_object_set_string_member (m, "campaign_id", CAMPAIGN);
  json_object_set_string_member (m, "customer_id", test_id (customer));
  json_object_set_boolean_member (m, "is_control", is_control);
  json_object_set_null_member (m, "assigned_to");
  json_object_set_null_member (m, "channel");
  if (contacted_at != NULL)
    json_object_set_string_member (m, "contacted_at", contacted_at);
  else
    json_object_set_null_member (m, "contacted_at");
  json_object_set_string_member (m, "response", response);
  json_object_set_null_member (m, "responded_at");
  json_object_set_int_member (m, "revenue", 0);
  json_object_set_int_member (m, "version", 1);
  json_object_set_string_member (m, "updated_at", "2026-11-01T08:00:00+00:00");
  json_array_add_object_element (members, m);
}

static void
seed (CrmStore *store)
{
  JsonObject *page = test_page ("c1");
  JsonArray *campaigns = json_array_new ();
  JsonArray *members = json_array_new ();
  JsonObject *campaign = json_object_new ();
  JsonArray *channels = json_array_new ();

  for (guint n = 1; n <= 9; n++)
    {
      JsonObject *customer = test_customer (n, "客户", 1);
      g_autofree char *reg = n >= 7 && n <= 8 ? g_strdup ("REG-SHARED") : g_strdup_printf ("REG-%04u", n);

      json_object_set_string_member (customer, "registration_no", reg);
      test_page_add_customer (page, customer);
    }
  json_array_add_string_element (channels, "sms");
  json_array_add_string_element (channels, "phone");
  json_object_set_string_member (campaign, "id", CAMPAIGN);
  json_object_set_string_member (campaign, "name", "冬季关怀");
  json_object_set_string_member (campaign, "kind", "care");
  json_object_set_array_member (campaign, "channels", channels);
  json_object_set_string_member (campaign, "status", "running");
  json_object_set_int_member (campaign, "version", 1);
  json_object_set_string_member (campaign, "updated_at", "2026-11-01T08:00:00+00:00");
  json_array_add_object_element (campaigns, campaign);
  json_object_set_array_member (page, "campaigns", campaigns);
  add_member (members, 1, "pending", FALSE, NULL);
  add_member (members, 2, "pending", FALSE, NULL);
  add_member (members, 3, "converted", FALSE, "2026-11-02T08:00:00+00:00");
  add_member (members, 4, "pending", TRUE, NULL);
  add_member (members, 5, "contacted", FALSE, "2026-11-02T08:00:00+00:00");
  add_member (members, 6, "pending", FALSE, NULL);
  add_member (members, 7, "pending", FALSE, NULL);
  add_member (members, 8, "pending", FALSE, NULL);
  json_object_set_array_member (page, "campaign_members", members);
  test_apply (store, page);
}

static void
fixture_set_up (StoreFixture  *fixture,
                gconstpointer  data)
{
  store_fixture_set_up (fixture, data);
  seed (fixture->store);
}

static CrmOutcomeCsv *
load (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "outcome", name, NULL);
  g_autoptr(GError) error = NULL;
  CrmOutcomeCsv *csv = crm_outcome_csv_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (csv);
  return csv;
}

static CrmOutcomeCsv *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  CrmOutcomeCsv *csv = crm_outcome_csv_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  return csv;
}

static GDateTime *
now (void)
{
  return g_date_time_new_from_iso8601 ("2026-12-01T00:00:00+08:00", NULL);
}

/* Checks @csv with its guessed columns against the fixture's campaign. */
static CrmOutcomeCheck *
check (StoreFixture  *fixture,
       CrmOutcomeCsv *csv,
       const int     *mapping)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmOutcomeCampaign) campaign = crm_outcome_campaign_load (fixture->store, CAMPAIGN, &error);
  g_autoptr(GDateTime) time = now ();
  int guessed[CRM_OUTCOME_N_COLUMNS];
  CrmOutcomeCheck *result;

  g_assert_no_error (error);
  g_assert_cmpuint (crm_outcome_campaign_get_n_members (campaign), ==, 8);
  if (mapping == NULL)
    {
      crm_outcome_csv_guess_mapping (csv, guessed);
      mapping = guessed;
    }
  result = crm_outcome_check_new (csv, campaign, mapping, time, &error);
  g_assert_no_error (error);
  return result;
}

static void
assert_update (CrmOutcomeCheck *c,
               guint            i,
               guint            row_number,
               guint            customer,
               const char      *response,
               const char      *channel,
               const char      *contacted_at,
               const char      *responded_at)
{
  const CrmOutcomeUpdate *u;

  g_assert_cmpuint (i, <, crm_outcome_check_get_good (c)->len);
  u = crm_outcome_check_get_good (c)->pdata[i];
  g_assert_cmpuint (u->row_number, ==, row_number);
  g_assert_cmpstr (u->customer_id, ==, test_id (customer));
  g_assert_cmpstr (u->response, ==, response);
  g_assert_cmpstr (u->channel, ==, channel);
  g_assert_cmpstr (u->contacted_at, ==, contacted_at);
  g_assert_cmpstr (u->responded_at, ==, responded_at);
}

static void
assert_issue (GPtrArray         *issues,
              guint              i,
              guint              row_number,
              CrmOutcomeProblem  problem,
              CrmOutcomeColumn   column,
              const char        *message)
{
  const CrmOutcomeIssue *issue;

  g_assert_cmpuint (i, <, issues->len);
  issue = issues->pdata[i];
  g_assert_cmpuint (issue->row_number, ==, row_number);
  g_assert_cmpint (issue->problem, ==, problem);
  g_assert_cmpint (issue->column, ==, column);
  g_assert_cmpstr (issue->message, ==, message);
}

/* ------------------------------------------------------------------ */

static void
test_utf8_without_bom (StoreFixture  *fixture,
                       gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("good.csv");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);
  int mapping[CRM_OUTCOME_N_COLUMNS];

  g_assert_cmpstr (crm_outcome_csv_get_encoding (csv), ==, "UTF-8");
  g_assert_cmpint (crm_outcome_csv_get_delimiter (csv), ==, ',');
  g_assert_cmpuint (crm_outcome_csv_get_n_columns (csv), ==, 4);
  g_assert_cmpuint (crm_outcome_csv_get_n_rows (csv), ==, 3);
  crm_outcome_csv_guess_mapping (csv, mapping);
  g_assert_cmpint (mapping[CRM_OUTCOME_COLUMN_CUSTOMER], ==, 0);
  g_assert_cmpint (mapping[CRM_OUTCOME_COLUMN_OUTCOME], ==, 1);
  g_assert_cmpint (mapping[CRM_OUTCOME_COLUMN_CHANNEL], ==, 2);
  g_assert_cmpint (mapping[CRM_OUTCOME_COLUMN_TIME], ==, 3);

  g_assert_cmpuint (crm_outcome_check_get_good (c)->len, ==, 3);
  g_assert_cmpuint (crm_outcome_check_get_rejected (c)->len, ==, 0);
  g_assert_cmpuint (crm_outcome_check_get_skipped (c)->len, ==, 0);
  /* an id, a registration number with a Chinese outcome and channel and a
   * slashed date, an English label with an ISO time */
  assert_update (c, 0, 2, 1, "contacted", "sms", "2026-11-20T09:30:00+08:00", NULL);
  assert_update (c, 1, 3, 2, "responded", "sms", "2026-11-21T10:05:30+08:00", "2026-11-21T10:05:30+08:00");
  assert_update (c, 2, 4, 6, "opted_out", "phone", "2026-11-22T08:00:00+08:00", "2026-11-22T08:00:00+08:00");
}

static void
test_bom_semicolon_crlf_chinese_header (StoreFixture  *fixture,
                                        gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("bom-semicolon.csv");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);
  int mapping[CRM_OUTCOME_N_COLUMNS];

  g_assert_cmpstr (crm_outcome_csv_get_encoding (csv), ==, "UTF-8 (BOM)");
  g_assert_cmpint (crm_outcome_csv_get_delimiter (csv), ==, ';');
  g_assert_cmpstr (crm_outcome_csv_get_header (csv)[0], ==, "客户编号");
  g_assert_cmpstr (crm_outcome_csv_get_header (csv)[4], ==, "时间");
  g_assert_cmpstr (crm_outcome_csv_get_row (csv, 0)[1], ==, "回访; 客户满意");
  g_assert_cmpstr (crm_outcome_csv_get_row (csv, 1)[1], ==, "");
  crm_outcome_csv_guess_mapping (csv, mapping);
  g_assert_cmpint (mapping[CRM_OUTCOME_COLUMN_CUSTOMER], ==, 0);
  g_assert_cmpint (mapping[CRM_OUTCOME_COLUMN_OUTCOME], ==, 2);
  g_assert_cmpint (mapping[CRM_OUTCOME_COLUMN_CHANNEL], ==, 3);
  g_assert_cmpint (mapping[CRM_OUTCOME_COLUMN_TIME], ==, 4);
  g_assert_cmpuint (crm_outcome_check_get_good (c)->len, ==, 2);
  assert_update (c, 0, 2, 1, "converted", "phone", "2026-11-25T14:00:00+08:00", "2026-11-25T14:00:00+08:00");
  assert_update (c, 1, 3, 6, "unreachable", "sms", "2026-11-25T15:00:00+08:00", NULL);
}

static void
test_gb18030 (StoreFixture  *fixture,
              gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("gb18030.csv");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);

  g_assert_cmpstr (crm_outcome_csv_get_encoding (csv), ==, "GB18030");
  g_assert_cmpstr (crm_outcome_csv_get_header (csv)[1], ==, "状态");
  g_assert_cmpstr (crm_outcome_csv_get_row (csv, 0)[1], ==, "已拒绝");
  g_assert_cmpuint (crm_outcome_check_get_good (c)->len, ==, 1);
  assert_update (c, 0, 2, 1, "declined", "phone", "2026-11-26T09:00:00+08:00", "2026-11-26T09:00:00+08:00");
}

static void
test_tab_and_quotes_with_newlines (StoreFixture  *fixture,
                                   gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("tab-quotes.csv");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);

  g_assert_cmpint (crm_outcome_csv_get_delimiter (csv), ==, '\t');
  g_assert_cmpuint (crm_outcome_csv_get_n_rows (csv), ==, 2);
  g_assert_cmpstr (crm_outcome_csv_get_row (csv, 0)[1], ==, "first line\nsecond \"quoted\" line");
  g_assert_cmpstr (crm_outcome_csv_get_row (csv, 1)[1], ==, "x");
  /* a record with a line break in a field is still one row */
  g_assert_cmpuint (crm_outcome_csv_get_row_number (csv, 1), ==, 3);
  g_assert_cmpuint (crm_outcome_check_get_good (c)->len, ==, 2);
  assert_update (c, 0, 2, 1, "responded", "sms", "2026-11-27T08:00:00+08:00", "2026-11-27T08:00:00+08:00");
  assert_update (c, 1, 3, 2, "declined", "sms", "2026-11-27T09:00:00+08:00", "2026-11-27T09:00:00+08:00");
}

/* The client's own Chinese labels (po/zh_CN.po) are read too. */
static void
test_client_labels (StoreFixture  *fixture,
                    gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = parse ("客户编号,结果,渠道\nREG-0001,拒绝再联系,电话\nREG-0002,已联系,SMS\n");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);

  g_assert_cmpuint (crm_outcome_check_get_rejected (c)->len, ==, 0);
  assert_update (c, 0, 2, 1, "opted_out", "phone", NULL, NULL);
  assert_update (c, 1, 3, 2, "contacted", "sms", NULL, NULL);
}

static void
test_each_bad_row_names_its_row_and_column (StoreFixture  *fixture,
                                            gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("bad-rows.csv");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);
  GPtrArray *bad = crm_outcome_check_get_rejected (c);
  g_autofree char *not_member = g_strdup_printf ("customer_id: “%s” is not a member of this campaign", test_id (9));

  g_assert_cmpuint (bad->len, ==, 11);
  assert_issue (bad, 0, 2, CRM_OUTCOME_PROBLEM_EMPTY, CRM_OUTCOME_COLUMN_CUSTOMER, "customer_id: empty");
  assert_issue (bad, 1, 3, CRM_OUTCOME_PROBLEM_NOT_A_MEMBER, CRM_OUTCOME_COLUMN_CUSTOMER, not_member);
  assert_issue (bad, 2, 4, CRM_OUTCOME_PROBLEM_AMBIGUOUS, CRM_OUTCOME_COLUMN_CUSTOMER,
                "customer_id: “REG-SHARED” is the registration number of several members");
  assert_issue (bad, 3, 5, CRM_OUTCOME_PROBLEM_CONTROL_GROUP, CRM_OUTCOME_COLUMN_CUSTOMER,
                "customer_id: “REG-0004” is in the control group, which is not contacted");
  assert_issue (bad, 4, 6, CRM_OUTCOME_PROBLEM_UNKNOWN_OUTCOME, CRM_OUTCOME_COLUMN_OUTCOME,
                "outcome: “maybe” is not an outcome (contacted, responded, converted, declined, opted out, "
                "unreachable)");
  assert_issue (bad, 5, 7, CRM_OUTCOME_PROBLEM_EMPTY, CRM_OUTCOME_COLUMN_OUTCOME, "outcome: empty");
  assert_issue (bad, 6, 8, CRM_OUTCOME_PROBLEM_UNKNOWN_CHANNEL, CRM_OUTCOME_COLUMN_CHANNEL,
                "channel: “fax” is not a channel");
  assert_issue (bad, 7, 9, CRM_OUTCOME_PROBLEM_CHANNEL_NOT_USED, CRM_OUTCOME_COLUMN_CHANNEL,
                "channel: this campaign does not use the channel “e-mail”");
  assert_issue (bad, 8, 10, CRM_OUTCOME_PROBLEM_BAD_TIME, CRM_OUTCOME_COLUMN_TIME,
                "time: “20.11.2026” is not a time such as 2026-03-01 09:30 or 2026-03-01T09:30:00+08:00");
  assert_issue (bad, 9, 11, CRM_OUTCOME_PROBLEM_FUTURE_TIME, CRM_OUTCOME_COLUMN_TIME,
                "time: “2027-01-01 09:00” is in the future");
  /* row 12 is blank; a row with three faults gives all three */
  assert_issue (bad, 10, 13, CRM_OUTCOME_PROBLEM_UNKNOWN_OUTCOME, CRM_OUTCOME_COLUMN_OUTCOME,
                "outcome: “pending” is not an outcome (contacted, responded, converted, declined, opted out, "
                "unreachable); channel: “nope” is not a channel; time: “yesterday” is not a time such as "
                "2026-03-01 09:30 or 2026-03-01T09:30:00+08:00");
  g_assert_cmpuint (crm_outcome_check_get_good (c)->len, ==, 1);
  assert_update (c, 0, 14, 6, "unreachable", "sms", "2026-11-20T09:00:00+08:00", NULL);
  g_assert_cmpuint (crm_outcome_check_get_skipped (c)->len, ==, 0);
}

static void
test_duplicates_keep_the_latest_and_never_move_back (StoreFixture  *fixture,
                                                     gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("duplicates.csv");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);
  GPtrArray *skipped = crm_outcome_check_get_skipped (c);
  int mapping[CRM_OUTCOME_N_COLUMNS] = { 0, 1, -1, -1 };
  g_autoptr(CrmOutcomeCheck) untimed = NULL;

  g_assert_cmpuint (crm_outcome_check_get_rejected (c)->len, ==, 0);
  g_assert_cmpuint (crm_outcome_check_get_good (c)->len, ==, 1);
  /* member 1's latest row is row 3 (12:00), not the file's last */
  assert_update (c, 0, 3, 1, "responded", NULL, "2026-11-20T12:00:00+08:00", "2026-11-20T12:00:00+08:00");
  g_assert_cmpuint (skipped->len, ==, 5);
  assert_issue (skipped, 0, 2, CRM_OUTCOME_PROBLEM_DUPLICATE, CRM_OUTCOME_COLUMN_CUSTOMER,
                "customer id: the same member’s later row 3 is imported instead");
  assert_issue (skipped, 1, 4, CRM_OUTCOME_PROBLEM_DUPLICATE, CRM_OUTCOME_COLUMN_CUSTOMER,
                "customer id: the same member’s later row 3 is imported instead");
  /* member 3 is converted: contacted would move it back */
  assert_issue (skipped, 2, 5, CRM_OUTCOME_PROBLEM_BACKWARDS, CRM_OUTCOME_COLUMN_OUTCOME,
                "outcome: the member is already “Converted”; “Contacted” would move it back");
  /* member 5: row 6 (10:00) is later than row 7 (09:00), and it is
   * contacted already */
  assert_issue (skipped, 3, 6, CRM_OUTCOME_PROBLEM_UNCHANGED, CRM_OUTCOME_COLUMN_OUTCOME,
                "outcome: the member is already “Contacted”");
  assert_issue (skipped, 4, 7, CRM_OUTCOME_PROBLEM_DUPLICATE, CRM_OUTCOME_COLUMN_CUSTOMER,
                "customer id: the same member’s later row 6 is imported instead");
  g_assert_cmpuint (crm_outcome_check_count_skipped (c, CRM_OUTCOME_PROBLEM_DUPLICATE), ==, 3);

  /* without times, the file's order decides */
  untimed = check (fixture, csv, mapping);
  g_assert_cmpuint (crm_outcome_check_get_good (untimed)->len, ==, 2);
  assert_update (untimed, 0, 4, 1, "contacted", NULL, NULL, NULL);
  assert_update (untimed, 1, 7, 5, "converted", NULL, NULL, NULL);
}

static void
test_file_errors (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "outcome", "unclosed-quote.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmOutcomeCsv) csv = crm_outcome_csv_load (path, &error);

  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "Row 3: a quoted field is never closed.");
  g_assert_null (csv);
  g_clear_error (&error);

  csv = crm_outcome_csv_parse ("customer id,outcome\r\n\r\n", 23, &error);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "The file has no rows below its header.");
  g_clear_error (&error);

  csv = crm_outcome_csv_parse ("", 0, &error);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "The file is empty.");
  g_clear_error (&error);

  /* a BOM, then bytes that are no UTF-8 */
  csv = crm_outcome_csv_parse ("\xEF\xBB\xBF" "a\n\xFF\xFE\xFD\n", 9, &error);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_utf16_and_unknown_encodings (void)
{
  const char *text = "客户编号\t结果\r\nREG-0001\t已接触\r\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *utf16 = NULL;
  g_autofree char *with_bom = NULL;
  gsize length = 0;
  g_autoptr(CrmOutcomeCsv) csv = NULL;

  /* as Excel saves "Unicode text": UTF-16LE with its BOM, tabs */
  utf16 = g_convert (text, -1, "UTF-16LE", "UTF-8", NULL, &length, &error);
  g_assert_no_error (error);
  with_bom = g_malloc (length + 2);
  memcpy (with_bom, "\xFF\xFE", 2);
  memcpy (with_bom + 2, utf16, length);
  csv = crm_outcome_csv_parse (with_bom, length + 2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (crm_outcome_csv_get_encoding (csv), ==, "UTF-16 (BOM)");
  g_assert_cmpint (crm_outcome_csv_get_delimiter (csv), ==, '\t');
  g_assert_cmpstr (crm_outcome_csv_get_header (csv)[0], ==, "客户编号");
  g_assert_cmpstr (crm_outcome_csv_get_row (csv, 0)[1], ==, "已接触");
  g_clear_pointer (&csv, crm_outcome_csv_unref);

  /* bytes that are neither UTF-8 nor GB18030 */
  csv = crm_outcome_csv_parse ("a,b\n\xFF\xFF,c\n", 9, &error);
  g_assert_null (csv);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "The file is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8) and try again.");
}

static void
test_limits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmOutcomeCsv) csv = NULL;
  g_autoptr(GString) text = g_string_new ("customer id,note\n1,");
  g_autofree char *dir = g_dir_make_tmp ("outcome-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "big.csv", NULL);
  int fd;

  /* a field of the longest length passes, one more character does not */
  for (guint i = 0; i < CRM_OUTCOME_CSV_MAX_FIELD; i++)
    g_string_append (text, "字");
  csv = crm_outcome_csv_parse (text->str, text->len, &error);
  g_assert_no_error (error);
  g_clear_pointer (&csv, crm_outcome_csv_unref);
  g_string_append (text, "字\n");
  csv = crm_outcome_csv_parse (text->str, text->len, &error);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "Row 2, column 2: a field is longer than 1000 characters.");
  g_clear_error (&error);

  /* the most rows pass, one more does not */
  g_string_assign (text, "customer id\n");
  for (guint i = 0; i < CRM_OUTCOME_CSV_MAX_ROWS; i++)
    g_string_append (text, "1\n");
  csv = crm_outcome_csv_parse (text->str, text->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (crm_outcome_csv_get_n_rows (csv), ==, CRM_OUTCOME_CSV_MAX_ROWS);
  g_clear_pointer (&csv, crm_outcome_csv_unref);
  g_string_append (text, "1\n");
  csv = crm_outcome_csv_parse (text->str, text->len, &error);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "The file has more than 500000 rows: split it and import each part.");
  g_clear_error (&error);

  /* a file over the size is refused before it is read (a sparse file) */
  g_assert_no_error (error);
  fd = g_open (path, O_CREAT | O_WRONLY, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, CRM_OUTCOME_CSV_MAX_BYTES + 1), ==, 0);
  g_close (fd, NULL);
  csv = crm_outcome_csv_load (path, &error);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "The file is larger than 64 MB: split it and import each part.");
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_guessed_columns (void)
{
  static const struct
  {
    const char *header;
    int         expected[CRM_OUTCOME_N_COLUMNS];
  } cases[] = {
    { "客户编号（必填）,外呼结果,渠道,外呼时间\n", { 0, 1, 2, 3 } },
    { "Time,Channel,Status,Customer ID\n", { 3, 2, 1, 0 } },
    { "registration_no,result\n", { 0, 1, -1, -1 } },
    { "手机号,备注\n", { -1, -1, -1, -1 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (cases[i].header, "x,y,z,w\n", NULL);
      g_autoptr(CrmOutcomeCsv) csv = parse (text);
      int mapping[CRM_OUTCOME_N_COLUMNS];

      crm_outcome_csv_guess_mapping (csv, mapping);
      for (guint k = 0; k < CRM_OUTCOME_N_COLUMNS; k++)
        g_assert_cmpint (mapping[k], ==, cases[i].expected[k]);
    }
}

static void
test_customer_and_outcome_columns_are_needed (StoreFixture  *fixture,
                                              gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("good.csv");
  g_autoptr(CrmOutcomeCampaign) campaign = crm_outcome_campaign_load (fixture->store, CAMPAIGN, NULL);
  g_autoptr(GDateTime) time = now ();
  g_autoptr(GError) error = NULL;
  int mapping[CRM_OUTCOME_N_COLUMNS] = { 0, -1, 2, 3 };
  g_autoptr(CrmOutcomeCheck) c = crm_outcome_check_new (csv, campaign, mapping, time, &error);

  g_assert_null (c);
  g_assert_error (error, CRM_ERROR, CRM_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (crm_outcome_campaign_load (fixture->store, test_id (99), &error));
  g_assert_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND);
}

static void
test_queue_makes_one_update_per_good_row (StoreFixture  *fixture,
                                          gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("good.csv");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);
  g_autoptr(CrmOutcomeCheck) again = NULL;
  g_autoptr(GPtrArray) mutations = NULL;
  g_autoptr(GError) error = NULL;
  gboolean stopped = TRUE;
  static const char * const expected[] = {
    "{\"response\":\"contacted\",\"channel\":\"sms\",\"contacted_at\":\"2026-11-20T09:30:00+08:00\"}",
    "{\"response\":\"responded\",\"channel\":\"sms\",\"contacted_at\":\"2026-11-21T10:05:30+08:00\","
    "\"responded_at\":\"2026-11-21T10:05:30+08:00\"}",
    "{\"response\":\"opted_out\",\"channel\":\"phone\",\"contacted_at\":\"2026-11-22T08:00:00+08:00\","
    "\"responded_at\":\"2026-11-22T08:00:00+08:00\"}",
  };
  static const guint customers[] = { 1, 2, 6 };

  g_assert_true (crm_outcome_check_queue (c, fixture->store, NULL, &stopped, &error));
  g_assert_no_error (error);
  g_assert_false (stopped);
  g_assert_cmpuint (crm_outcome_check_get_n_done (c), ==, 3);
  g_assert_cmpuint (crm_outcome_check_get_n_queued (c), ==, 3);
  mutations = crm_store_list_mutations (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mutations->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      CrmMutation *m = mutations->pdata[i];
      g_autofree char *id = g_strconcat (CAMPAIGN, "/", test_id (customers[i]), NULL);
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), m->fields);
      g_autofree char *fields = json_to_string (node, FALSE);

      g_assert_cmpint (m->entity, ==, CRM_ENTITY_CAMPAIGN_MEMBER);
      g_assert_cmpint (m->op, ==, CRM_MUTATION_OP_UPDATE);
      g_assert_cmpstr (m->record_id, ==, id);
      g_assert_cmpstr (fields, ==, expected[i]);
    }
  /* the same file again queues nothing: each member has its outcome */
  again = check (fixture, csv, NULL);
  g_assert_cmpuint (crm_outcome_check_get_good (again)->len, ==, 0);
  g_assert_cmpuint (crm_outcome_check_count_skipped (again, CRM_OUTCOME_PROBLEM_UNCHANGED), ==, 3);
}

/* A member gone between the check and the import is rejected, with the
 * store's reason; the others of its unit are queued. */
static void
test_queue_rejects_what_the_store_refuses (StoreFixture  *fixture,
                                           gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = load ("good.csv");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);
  JsonObject *page = test_page ("c2");
  JsonObject *removal = json_object_new ();
  g_autoptr(GPtrArray) mutations = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *rejected;
  gboolean stopped = TRUE;

  json_object_set_string_member (removal, "entity", "campaign_member");
  json_object_set_string_member (removal, "campaign_id", CAMPAIGN);
  json_object_set_string_member (removal, "customer_id", test_id (2));
  json_array_add_object_element (json_object_get_array_member (page, "removed"), removal);
  test_apply (fixture->store, page);

  g_assert_true (crm_outcome_check_queue (c, fixture->store, NULL, &stopped, &error));
  g_assert_cmpuint (crm_outcome_check_get_n_done (c), ==, 3);
  g_assert_cmpuint (crm_outcome_check_get_n_queued (c), ==, 2);
  rejected = crm_outcome_check_get_rejected (c);
  g_assert_cmpuint (rejected->len, ==, 1);
  g_assert_cmpuint (((CrmOutcomeIssue *) rejected->pdata[0])->row_number, ==, 3);
  g_assert_cmpint (((CrmOutcomeIssue *) rejected->pdata[0])->problem, ==, CRM_OUTCOME_PROBLEM_REFUSED);
  g_assert_true (g_str_has_prefix (((CrmOutcomeIssue *) rejected->pdata[0])->message, "not queued: "));
  mutations = crm_store_list_mutations (fixture->store, &error);
  g_assert_cmpuint (mutations->len, ==, 2);
}

static void
test_cancelled_queue_says_what_it_queued (StoreFixture  *fixture,
                                          gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new ("customer id,outcome\n");
  g_autoptr(CrmOutcomeCsv) csv = NULL;
  g_autoptr(CrmOutcomeCheck) c = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) mutations = NULL;
  gboolean stopped = FALSE;

  g_string_append (text, "REG-0001,contacted\nREG-0002,contacted\n");
  csv = parse (text->str);
  c = check (fixture, csv, NULL);
  g_cancellable_cancel (cancellable);
  g_assert_true (crm_outcome_check_queue (c, fixture->store, cancellable, &stopped, NULL));
  g_assert_true (stopped);
  g_assert_cmpuint (crm_outcome_check_get_n_queued (c), ==, 0);
  g_assert_cmpuint (crm_outcome_check_get_n_done (c), ==, 0);
  mutations = crm_store_list_mutations (fixture->store, NULL);
  g_assert_cmpuint (mutations->len, ==, 0);
}

static void
test_rejected_rows_as_csv (StoreFixture  *fixture,
                           gconstpointer  data)
{
  g_autoptr(CrmOutcomeCsv) csv = parse ("customer id;outcome;note\r\n"
                                        "REG-0001;maybe;\"a \"\"b\"\"\"\r\n"
                                        "REG-0002;contacted;ok\r\n"
                                        "\"REG;9\";contacted\r\n");
  g_autoptr(CrmOutcomeCheck) c = check (fixture, csv, NULL);
  gsize length = 0;
  g_autofree char *out = crm_outcome_check_rejected_csv (c, csv, &length);
  g_autoptr(CrmOutcomeCsv) back = NULL;

  g_assert_cmpstr (out, ==,
                   "\xEF\xBB\xBF" "customer id;outcome;note;Error\r\n"
                   "REG-0001;maybe;\"a \"\"b\"\"\";outcome: “maybe” is not an outcome (contacted, responded, converted,"
                   " declined, opted out, unreachable)\r\n"
                   "\"REG;9\";contacted;;\"customer id: “REG;9” is not a member of this campaign\"\r\n");
  g_assert_cmpuint (length, ==, strlen (out));
  /* and it reads back as the rows it came from */
  back = parse (out);
  g_assert_cmpuint (crm_outcome_csv_get_n_rows (back), ==, 2);
  g_assert_cmpstr (crm_outcome_csv_get_row (back, 0)[2], ==, "a \"b\"");
  g_assert_cmpstr (crm_outcome_csv_get_row (back, 1)[0], ==, "REG;9");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "Asia/Shanghai", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, StoreFixture, NULL, fixture_set_up, func, store_fixture_tear_down)
  ADD ("/outcome-csv/reads-utf8-without-bom", test_utf8_without_bom);
  ADD ("/outcome-csv/reads-bom-semicolons-crlf-and-chinese-headers", test_bom_semicolon_crlf_chinese_header);
  ADD ("/outcome-csv/reads-gb18030", test_gb18030);
  ADD ("/outcome-csv/reads-tabs-and-quoted-newlines", test_tab_and_quotes_with_newlines);
  ADD ("/outcome-csv/reads-the-clients-own-chinese-labels", test_client_labels);
  ADD ("/outcome-csv/each-bad-row-names-its-row-and-column", test_each_bad_row_names_its_row_and_column);
  ADD ("/outcome-csv/duplicates-keep-the-latest-and-never-move-back",
       test_duplicates_keep_the_latest_and_never_move_back);
  ADD ("/outcome-csv/customer-and-outcome-columns-are-needed", test_customer_and_outcome_columns_are_needed);
  ADD ("/outcome-csv/queue-makes-one-update-per-good-row", test_queue_makes_one_update_per_good_row);
  ADD ("/outcome-csv/queue-rejects-what-the-store-refuses", test_queue_rejects_what_the_store_refuses);
  ADD ("/outcome-csv/cancelled-queue-says-what-it-queued", test_cancelled_queue_says_what_it_queued);
  ADD ("/outcome-csv/rejected-rows-save-as-csv", test_rejected_rows_as_csv);
#undef ADD
  g_test_add_func ("/outcome-csv/file-errors-are-clear", test_file_errors);
  g_test_add_func ("/outcome-csv/reads-utf16-and-refuses-unknown-encodings", test_utf16_and_unknown_encodings);
  g_test_add_func ("/outcome-csv/limits-refuse-the-file", test_limits);
  g_test_add_func ("/outcome-csv/columns-guessed-from-english-and-chinese", test_guessed_columns);
  return g_test_run ();
}
