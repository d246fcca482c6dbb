#define G_LOG_DOMAIN "crm-outcome-check"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "crm-error.h"
#include "crm-outcome-csv.h"
#include "crm-store-private.h"
#include "crm-wire.h"

/* Checking an outcome file's rows against a campaign's members in the
 * store, and queueing the good ones (crm-outcome-csv.h). */

/* The campaign and its members, as the shown layer has them. */
static const char SQL_CAMPAIGN[] = "SELECT id, name, channels FROM campaigns WHERE id = ?1";
static const char SQL_MEMBERS[] =
  "SELECT m.customer_id, c.registration_no, m.is_control, m.response, m.contacted_at"
  " FROM campaign_members m LEFT JOIN customers c ON c.id = m.customer_id WHERE m.campaign_id = ?1";

typedef struct
{
  char     *customer_id;
  char     *registration_no;
  gboolean  is_control;
  int       response;      /* index in crm_member_response_names, or -1 */
  gboolean  contacted;     /* has a contacted_at */
} Member;

struct _CrmOutcomeCampaign
{
  char       *id;
  char       *name;
  GStrv       channels;
  GPtrArray  *members;        /* Member * */
  GHashTable *by_id;          /* customer id -> Member * */
  GHashTable *by_registration; /* registration number -> Member *, or NULL when several share it */
};

struct _CrmOutcomeCheck
{
  char      *campaign_id;
  GPtrArray *good;        /* CrmOutcomeUpdate * */
  GPtrArray *rejected;    /* CrmOutcomeIssue * */
  GPtrArray *skipped;     /* CrmOutcomeIssue * */
  gint       n_done;      /* atomic */
  gint       n_queued;    /* atomic */
  gboolean   queued;
};

/* Outcomes a file may give (pending is none), their rank (an outcome is
 * never replaced by a lower one) and the words that name them: the wire
 * name, the English label, the Chinese of DOMAIN.md and the client's own
 * Chinese labels (po/zh_CN.po). */
static const struct
{
  const char         *name;
  guint               rank;
  const char         *label;      /* translated for messages */
  const char * const  words[5];   /* normalised (lower case, no blanks, "_", "-", ".") */
} outcomes[] = {
  { "pending", 0, N_("Pending"), { NULL } },
  { "contacted", 1, N_("Contacted"), { "contacted", "已接触", "已联系", NULL } },
  { "responded", 2, N_("Responded"), { "responded", "已响应", NULL } },
  { "converted", 3, N_("Converted"), { "converted", "已转化", NULL } },
  { "declined", 2, N_("Declined"), { "declined", "已拒绝", NULL } },
  { "opted_out", 2, N_("Opted out"), { "optedout", "退订", "已退订", "拒绝再联系", NULL } },
  { "unreachable", 1, N_("Unreachable"), { "unreachable", "无法联系", NULL } },
};
G_STATIC_ASSERT (G_N_ELEMENTS (outcomes) == CRM_N_MEMBER_RESPONSES);

static const struct
{
  const char         *name;
  const char * const  words[5];
} channels[] = {
  { "sms", { "sms", "短信", NULL } },
  { "phone", { "phone", "phonecall", "call", "电话外呼", "电话" } },
  { "email", { "email", "电子邮件", "电子邮箱", "邮件", NULL } },
  { "visit", { "visit", "上门拜访", "拜访", NULL } },
  { "business_hall", { "businesshall", "营业厅", NULL } },
};
G_STATIC_ASSERT (G_N_ELEMENTS (channels) == CRM_N_CHANNEL_KINDS);

static void
member_free (Member *m)
{
  g_free (m->customer_id);
  g_free (m->registration_no);
  g_free (m);
}

static void
update_free (CrmOutcomeUpdate *u)
{
  g_free (u->customer_id);
  g_free (u->contacted_at);
  g_free (u->responded_at);
  g_free (u);
}

static void
issue_free (CrmOutcomeIssue *issue)
{
  g_free (issue->message);
  g_free (issue);
}

/* Lower case, without blanks, "_", "-" and "." ("Opted out" = "opted_out"). */
static char *
normalize (const char *text)
{
  g_autofree char *down = g_utf8_strdown (text, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = down; *p != '\0'; p++)
    if (!g_ascii_isspace (*p) && *p != '_' && *p != '-' && *p != '.')
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static int
lookup_outcome (const char *text)
{
  g_autofree char *word = normalize (text);

  for (guint i = 0; i < G_N_ELEMENTS (outcomes); i++)
    for (guint w = 0; w < G_N_ELEMENTS (outcomes[i].words) && outcomes[i].words[w] != NULL; w++)
      if (strcmp (word, outcomes[i].words[w]) == 0)
        return (int) i;
  return -1;
}

static const char *
lookup_channel (const char *text)
{
  g_autofree char *word = normalize (text);

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    for (guint w = 0; w < G_N_ELEMENTS (channels[i].words) && channels[i].words[w] != NULL; w++)
      if (strcmp (word, channels[i].words[w]) == 0)
        return channels[i].name;
  return NULL;
}

/* Reading the campaign */

static gpointer
campaign_from_row (sqlite3_stmt  *s,
                   GError       **error)
{
  CrmOutcomeCampaign *c = g_new0 (CrmOutcomeCampaign, 1);
  const char *list = (const char *) sqlite3_column_text (s, 2);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *names = g_ptr_array_new ();

  c->id = column_dup (s, 0);
  c->name = column_dup (s, 1);
  if (list != NULL && json_parser_load_from_data (parser, list, -1, NULL) &&
      JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      JsonArray *array = json_node_get_array (json_parser_get_root (parser));

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (names, g_strdup (json_array_get_string_element (array, i)));
    }
  g_ptr_array_add (names, NULL);
  c->channels = (GStrv) g_ptr_array_free (names, FALSE);
  return c;
}

static gpointer
member_from_row (sqlite3_stmt  *s,
                 GError       **error)
{
  Member *m = g_new0 (Member, 1);
  const char *response = (const char *) sqlite3_column_text (s, 3);

  m->customer_id = column_dup (s, 0);
  m->registration_no = column_dup (s, 1);
  m->is_control = sqlite3_column_int (s, 2) != 0;
  m->response = response != NULL ? crm_wire_lookup (crm_member_response_names, response) : -1;
  m->contacted = sqlite3_column_type (s, 4) != SQLITE_NULL;
  return m;
}

/* The campaign's row, then its members; hold store->read_lock. */
static CrmOutcomeCampaign *
read_campaign (CrmStore    *store,
               const char  *campaign_id,
               GError     **error)
{
  g_autoptr(CrmOutcomeCampaign) self = NULL;
  int rc;

  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (store, SQL_CAMPAIGN, error);

    if (s == NULL)
      return NULL;
    sqlite3_bind_text (s, 1, campaign_id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step (s);
    if (rc == SQLITE_DONE)
      g_set_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND, _("This campaign is not in the local copy."));
    else if (rc != SQLITE_ROW)
      crm_store_read_error (store, error, "reading a campaign");
    if (rc != SQLITE_ROW)
      return NULL;
    self = campaign_from_row (s, error);
  }
  self->members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_registration = g_hash_table_new (g_str_hash, g_str_equal);
  {
    g_autoptr(CachedStmt) s = crm_store_read_stmt (store, SQL_MEMBERS, error);

    if (s == NULL)
      return NULL;
    sqlite3_bind_text (s, 1, campaign_id, -1, SQLITE_TRANSIENT);
    while ((rc = sqlite3_step (s)) == SQLITE_ROW)
      {
        Member *m = member_from_row (s, NULL);

        g_ptr_array_add (self->members, m);
        g_hash_table_insert (self->by_id, m->customer_id, m);
        /* a number several members share names none of them */
        if (m->registration_no != NULL && *m->registration_no != '\0')
          g_hash_table_insert (self->by_registration, m->registration_no,
                               g_hash_table_contains (self->by_registration, m->registration_no) ? NULL : m);
      }
    if (rc != SQLITE_DONE)
      {
        crm_store_read_error (store, error, "reading a campaign's members");
        return NULL;
      }
  }
  return g_steal_pointer (&self);
}

CrmOutcomeCampaign *
crm_outcome_campaign_load (CrmStore    *store,
                           const char  *campaign_id,
                           GError     **error)
{
  CrmOutcomeCampaign *self = NULL;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (campaign_id != NULL, NULL);

  g_mutex_lock (&store->read_lock);
  /* the campaign and its members from one snapshot */
  if (crm_store_read_exec (store, "BEGIN", error))
    self = read_campaign (store, campaign_id, error);
  crm_store_read_end (store);
  g_mutex_unlock (&store->read_lock);
  return self;
}

void
crm_outcome_campaign_free (CrmOutcomeCampaign *self)
{
  if (self == NULL)
    return;
  g_free (self->id);
  g_free (self->name);
  g_strfreev (self->channels);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->by_registration, g_hash_table_unref);
  g_clear_pointer (&self->members, g_ptr_array_unref);
  g_free (self);
}

const char *
crm_outcome_campaign_get_id (CrmOutcomeCampaign *self)
{
  return self->id;
}

const char *
crm_outcome_campaign_get_name (CrmOutcomeCampaign *self)
{
  return self->name;
}

guint
crm_outcome_campaign_get_n_members (CrmOutcomeCampaign *self)
{
  return self->members != NULL ? self->members->len : 0;
}

/* Times */

/* Reads 1 to @max digits. */
static gboolean
read_number (const char **p,
             guint        max,
             int         *out)
{
  guint n = 0;

  *out = 0;
  while (n < max && g_ascii_isdigit (**p))
    *out = *out * 10 + (*(*p)++ - '0'), n++;
  return n > 0;
}

/* "YYYY-MM-DD HH:MM[:SS]" or "YYYY/MM/DD HH:MM[:SS]" (one-digit month,
 * day and hour too, as spreadsheets write them) in @local; else ISO 8601
 * with its offset, or without one in @local. */
static GDateTime *
parse_time (const char *text,
            GTimeZone  *local)
{
  const char *p = text;
  int year, month, day, hour, minute, second = 0;
  char sep;

  if (read_number (&p, 4, &year) && p - text == 4 && (*p == '-' || *p == '/'))
    {
      sep = *p++;
      if (read_number (&p, 2, &month) && *p++ == sep && read_number (&p, 2, &day) && (*p == ' ' || *p == 'T'))
        {
          p++;
          if (read_number (&p, 2, &hour) && *p++ == ':' && read_number (&p, 2, &minute) &&
              (*p == '\0' || (*p == ':' && (p++, read_number (&p, 2, &second)) && *p == '\0')))
            return g_date_time_new (local, year, month, day, hour, minute, second);
        }
      if (sep == '/')
        return NULL;
    }
  return g_date_time_new_from_iso8601 (text, local);
}

/* Checking */

typedef struct
{
  CrmOutcomeCsv      *csv;
  CrmOutcomeCampaign *campaign;
  const int          *mapping;
  GDateTime          *now;
  GTimeZone          *local;
} Context;

/* A row as read, before duplicates and the store's outcomes are looked at. */
typedef struct
{
  guint       index;
  Member     *member;
  int         outcome;
  const char *channel;
  GDateTime  *time;
} Candidate;

static void
candidate_free (Candidate *c)
{
  g_clear_pointer (&c->time, g_date_time_unref);
  g_free (c);
}

static const char *
cell (Context    *ctx,
      guint       index,
      CrmOutcomeColumn column)
{
  const char * const *row = crm_outcome_csv_get_row (ctx->csv, index);
  int c = ctx->mapping[column];

  if (c < 0 || (guint) c >= g_strv_length ((char **) row))
    return "";
  return row[c];
}

static void
add_reason (GString           *reasons,
            CrmOutcomeProblem *first,
            CrmOutcomeColumn  *first_column,
            Context           *ctx,
            CrmOutcomeColumn   column,
            CrmOutcomeProblem  problem,
            char              *reason)
{
  const char *header = crm_outcome_csv_get_header (ctx->csv)[ctx->mapping[column]];

  if (reasons->len == 0)
    *first = problem, *first_column = column;
  else
    g_string_append (reasons, "; ");
  /* TRANSLATORS: a column of the file, then what is wrong in it */
  g_string_append_printf (reasons, _("%s: %s"), header, reason);
  g_free (reason);
}

static CrmOutcomeIssue *
issue_new (Context           *ctx,
           guint              index,
           CrmOutcomeProblem  problem,
           CrmOutcomeColumn   column,
           char              *message)
{
  CrmOutcomeIssue *issue = g_new0 (CrmOutcomeIssue, 1);

  issue->index = index;
  issue->row_number = crm_outcome_csv_get_row_number (ctx->csv, index);
  issue->problem = problem;
  issue->column = column;
  issue->message = message;
  return issue;
}

#define REASON(column, problem, ...) \
  add_reason (reasons, &problem_, &column_, ctx, column, problem, g_strdup_printf (__VA_ARGS__))

/* The row @index as a candidate, or NULL with its issue added to @rejected. */
static Candidate *
check_row (Context   *ctx,
           guint      index,
           GPtrArray *rejected)
{
  g_autoptr(GString) reasons = g_string_new (NULL);
  g_autofree char *customer = g_strstrip (g_strdup (cell (ctx, index, CRM_OUTCOME_COLUMN_CUSTOMER)));
  g_autofree char *outcome = g_strstrip (g_strdup (cell (ctx, index, CRM_OUTCOME_COLUMN_OUTCOME)));
  g_autofree char *channel = g_strstrip (g_strdup (cell (ctx, index, CRM_OUTCOME_COLUMN_CHANNEL)));
  g_autofree char *time = g_strstrip (g_strdup (cell (ctx, index, CRM_OUTCOME_COLUMN_TIME)));
  CrmOutcomeProblem problem_ = 0;
  CrmOutcomeColumn column_ = 0;
  Candidate c = { index, NULL, -1, NULL, NULL };

  if (*customer == '\0')
    REASON (CRM_OUTCOME_COLUMN_CUSTOMER, CRM_OUTCOME_PROBLEM_EMPTY, "%s", _("empty"));
  else if ((c.member = g_hash_table_lookup (ctx->campaign->by_id, customer)) == NULL &&
           g_hash_table_contains (ctx->campaign->by_registration, customer) &&
           (c.member = g_hash_table_lookup (ctx->campaign->by_registration, customer)) == NULL)
    REASON (CRM_OUTCOME_COLUMN_CUSTOMER, CRM_OUTCOME_PROBLEM_AMBIGUOUS,
            _("“%s” is the registration number of several members"), customer);
  else if (c.member == NULL)
    REASON (CRM_OUTCOME_COLUMN_CUSTOMER, CRM_OUTCOME_PROBLEM_NOT_A_MEMBER,
            _("“%s” is not a member of this campaign"), customer);
  else if (c.member->is_control)
    REASON (CRM_OUTCOME_COLUMN_CUSTOMER, CRM_OUTCOME_PROBLEM_CONTROL_GROUP,
            _("“%s” is in the control group, which is not contacted"), customer);

  if (*outcome == '\0')
    REASON (CRM_OUTCOME_COLUMN_OUTCOME, CRM_OUTCOME_PROBLEM_EMPTY, "%s", _("empty"));
  else if ((c.outcome = lookup_outcome (outcome)) <= 0)
    REASON (CRM_OUTCOME_COLUMN_OUTCOME, CRM_OUTCOME_PROBLEM_UNKNOWN_OUTCOME,
            _("“%s” is not an outcome (contacted, responded, converted, declined, opted out, unreachable)"), outcome);

  if (ctx->mapping[CRM_OUTCOME_COLUMN_CHANNEL] >= 0 && *channel != '\0')
    {
      if ((c.channel = lookup_channel (channel)) == NULL)
        REASON (CRM_OUTCOME_COLUMN_CHANNEL, CRM_OUTCOME_PROBLEM_UNKNOWN_CHANNEL, _("“%s” is not a channel"), channel);
      else if (!g_strv_contains ((const char * const *) ctx->campaign->channels, c.channel))
        REASON (CRM_OUTCOME_COLUMN_CHANNEL, CRM_OUTCOME_PROBLEM_CHANNEL_NOT_USED,
                _("this campaign does not use the channel “%s”"), channel);
    }

  if (ctx->mapping[CRM_OUTCOME_COLUMN_TIME] >= 0 && *time != '\0')
    {
      if ((c.time = parse_time (time, ctx->local)) == NULL)
        REASON (CRM_OUTCOME_COLUMN_TIME, CRM_OUTCOME_PROBLEM_BAD_TIME,
                _("“%s” is not a time such as 2026-03-01 09:30 or 2026-03-01T09:30:00+08:00"), time);
      else if (g_date_time_difference (c.time, ctx->now) > G_TIME_SPAN_HOUR)
        REASON (CRM_OUTCOME_COLUMN_TIME, CRM_OUTCOME_PROBLEM_FUTURE_TIME, _("“%s” is in the future"), time);
    }

  if (reasons->len > 0)
    {
      g_clear_pointer (&c.time, g_date_time_unref);
      g_ptr_array_add (rejected, issue_new (ctx, index, problem_, column_, g_string_free (g_steal_pointer (&reasons),
                                                                                         FALSE)));
      return NULL;
    }
  return g_memdup2 (&c, sizeof c);
}

/* Later by time (a row without one is earlier than any with one), then
 * by place in the file. */
static gboolean
is_later (Candidate *a,
          Candidate *b)
{
  if ((a->time != NULL) != (b->time != NULL))
    return a->time != NULL;
  if (a->time != NULL && g_date_time_compare (a->time, b->time) != 0)
    return g_date_time_compare (a->time, b->time) > 0;
  return a->index > b->index;
}

static char *
format_time (GDateTime *time)
{
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%S%:z");
}

/* The update of a candidate that won over its duplicates, or NULL with
 * why it is skipped. */
static CrmOutcomeUpdate *
make_update (Context            *ctx,
             Candidate          *c,
             GPtrArray          *skipped)
{
  const Member *m = c->member;
  CrmOutcomeUpdate *u;

  if (m->response >= 0 && outcomes[m->response].rank > outcomes[c->outcome].rank)
    {
      g_ptr_array_add (skipped, issue_new (ctx, c->index, CRM_OUTCOME_PROBLEM_BACKWARDS, CRM_OUTCOME_COLUMN_OUTCOME,
                                           g_strdup_printf (_("%s: the member is already “%s”; “%s” would move it back"),
                                                            crm_outcome_csv_get_header (ctx->csv)[ctx->mapping[CRM_OUTCOME_COLUMN_OUTCOME]],
                                                            _(outcomes[m->response].label),
                                                            _(outcomes[c->outcome].label))));
      return NULL;
    }
  if (m->response == c->outcome)
    {
      g_ptr_array_add (skipped, issue_new (ctx, c->index, CRM_OUTCOME_PROBLEM_UNCHANGED, CRM_OUTCOME_COLUMN_OUTCOME,
                                           g_strdup_printf (_("%s: the member is already “%s”"),
                                                            crm_outcome_csv_get_header (ctx->csv)[ctx->mapping[CRM_OUTCOME_COLUMN_OUTCOME]],
                                                            _(outcomes[m->response].label))));
      return NULL;
    }
  u = g_new0 (CrmOutcomeUpdate, 1);
  u->index = c->index;
  u->row_number = crm_outcome_csv_get_row_number (ctx->csv, c->index);
  u->customer_id = g_strdup (m->customer_id);
  u->response = outcomes[c->outcome].name;
  u->channel = c->channel;
  if (c->time != NULL)
    {
      /* the first contact is kept; an answer is a response's time */
      if (outcomes[c->outcome].rank <= 1 || !m->contacted)
        u->contacted_at = format_time (c->time);
      if (outcomes[c->outcome].rank >= 2)
        u->responded_at = format_time (c->time);
    }
  return u;
}

static int
issue_compare (gconstpointer a,
               gconstpointer b)
{
  const CrmOutcomeIssue *x = *(CrmOutcomeIssue * const *) a;
  const CrmOutcomeIssue *y = *(CrmOutcomeIssue * const *) b;

  return (x->index > y->index) - (x->index < y->index);
}

static int
update_compare (gconstpointer a,
                gconstpointer b)
{
  const CrmOutcomeUpdate *x = *(CrmOutcomeUpdate * const *) a;
  const CrmOutcomeUpdate *y = *(CrmOutcomeUpdate * const *) b;

  return (x->index > y->index) - (x->index < y->index);
}

/* Each member's latest row wins; the others are skipped, naming it. */
static void
resolve_duplicates (Context   *ctx,
                    GPtrArray *candidates,
                    GPtrArray *winners,
                    GPtrArray *skipped)
{
  g_autoptr(GHashTable) latest = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = candidates->pdata[i];
      Candidate *seen = g_hash_table_lookup (latest, c->member);

      if (seen == NULL || is_later (c, seen))
        g_hash_table_insert (latest, c->member, c);
    }
  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *c = candidates->pdata[i];
      Candidate *winner = g_hash_table_lookup (latest, c->member);

      if (winner == c)
        g_ptr_array_add (winners, c);
      else
        g_ptr_array_add (skipped,
                         issue_new (ctx, c->index, CRM_OUTCOME_PROBLEM_DUPLICATE, CRM_OUTCOME_COLUMN_CUSTOMER,
                                    g_strdup_printf (_("%s: the same member’s later row %u is imported instead"),
                                                     crm_outcome_csv_get_header (ctx->csv)[ctx->mapping[CRM_OUTCOME_COLUMN_CUSTOMER]],
                                                     crm_outcome_csv_get_row_number (ctx->csv, winner->index))));
    }
}

CrmOutcomeCheck *
crm_outcome_check_new (CrmOutcomeCsv      *csv,
                       CrmOutcomeCampaign *campaign,
                       const int           mapping[CRM_OUTCOME_N_COLUMNS],
                       GDateTime          *now,
                       GError            **error)
{
  g_autoptr(CrmOutcomeCheck) self = NULL;
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  g_autoptr(GPtrArray) winners = g_ptr_array_new ();
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  Context ctx = { csv, campaign, mapping, now, local };

  g_return_val_if_fail (csv != NULL && campaign != NULL && mapping != NULL && now != NULL, NULL);

  for (guint k = 0; k < CRM_OUTCOME_N_COLUMNS; k++)
    g_return_val_if_fail (mapping[k] < (int) crm_outcome_csv_get_n_columns (csv), NULL);
  if (mapping[CRM_OUTCOME_COLUMN_CUSTOMER] < 0 || mapping[CRM_OUTCOME_COLUMN_OUTCOME] < 0)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, _("Choose the columns of the customer and of the outcome."));
      return NULL;
    }
  self = g_atomic_rc_box_new0 (CrmOutcomeCheck);
  self->campaign_id = g_strdup (campaign->id);
  self->good = g_ptr_array_new_with_free_func ((GDestroyNotify) update_free);
  self->rejected = g_ptr_array_new_with_free_func ((GDestroyNotify) issue_free);
  self->skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) issue_free);
  for (guint i = 0; i < crm_outcome_csv_get_n_rows (csv); i++)
    {
      Candidate *c = check_row (&ctx, i, self->rejected);

      if (c != NULL)
        g_ptr_array_add (candidates, c);
    }
  resolve_duplicates (&ctx, candidates, winners, self->skipped);
  for (guint i = 0; i < winners->len; i++)
    {
      CrmOutcomeUpdate *u = make_update (&ctx, winners->pdata[i], self->skipped);

      if (u != NULL)
        g_ptr_array_add (self->good, u);
    }
  g_ptr_array_sort (self->good, update_compare);
  g_ptr_array_sort (self->skipped, issue_compare);
  return g_steal_pointer (&self);
}

static void
check_clear (gpointer data)
{
  CrmOutcomeCheck *self = data;

  g_clear_pointer (&self->campaign_id, g_free);
  g_clear_pointer (&self->good, g_ptr_array_unref);
  g_clear_pointer (&self->rejected, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
}

CrmOutcomeCheck *
crm_outcome_check_ref (CrmOutcomeCheck *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
crm_outcome_check_unref (CrmOutcomeCheck *self)
{
  g_atomic_rc_box_release_full (self, check_clear);
}

GPtrArray *
crm_outcome_check_get_good (CrmOutcomeCheck *self)
{
  return self->good;
}

GPtrArray *
crm_outcome_check_get_rejected (CrmOutcomeCheck *self)
{
  return self->rejected;
}

GPtrArray *
crm_outcome_check_get_skipped (CrmOutcomeCheck *self)
{
  return self->skipped;
}

guint
crm_outcome_check_count_skipped (CrmOutcomeCheck   *self,
                                 CrmOutcomeProblem  problem)
{
  guint n = 0;

  for (guint i = 0; i < self->skipped->len; i++)
    n += ((CrmOutcomeIssue *) self->skipped->pdata[i])->problem == problem;
  return n;
}

/* Queueing */

static JsonObject *
update_fields (const CrmOutcomeUpdate *u)
{
  JsonObject *fields = json_object_new ();

  json_object_set_string_member (fields, "response", u->response);
  if (u->channel != NULL)
    json_object_set_string_member (fields, "channel", u->channel);
  if (u->contacted_at != NULL)
    json_object_set_string_member (fields, "contacted_at", u->contacted_at);
  if (u->responded_at != NULL)
    json_object_set_string_member (fields, "responded_at", u->responded_at);
  return fields;
}

/* The good rows [first, first + n) in one transaction, else one by one;
 * the refused join @refused. */
static void
queue_unit (CrmOutcomeCheck *self,
            CrmStore        *store,
            guint            first,
            guint            n,
            GPtrArray       *refused)
{
  g_autofree CrmStoreUpdate *updates = g_new0 (CrmStoreUpdate, n);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GPtrArray) mutations = NULL;
  guint queued = 0;

  for (guint i = 0; i < n; i++)
    {
      const CrmOutcomeUpdate *u = self->good->pdata[first + i];

      g_ptr_array_add (ids, g_strconcat (self->campaign_id, "/", u->customer_id, NULL));
      g_ptr_array_add (fields, update_fields (u));
      updates[i] = (CrmStoreUpdate) { CRM_ENTITY_CAMPAIGN_MEMBER, ids->pdata[i], fields->pdata[i] };
    }
  mutations = crm_store_enqueue_updates (store, updates, n, NULL);
  if (mutations != NULL)
    queued = n;
  for (guint i = 0; mutations == NULL && i < n; i++)
    {
      const CrmOutcomeUpdate *u = self->good->pdata[first + i];
      g_autoptr(GError) error = NULL;
      g_autoptr(CrmMutation) m = crm_store_enqueue_update (store, CRM_ENTITY_CAMPAIGN_MEMBER, ids->pdata[i],
                                                           fields->pdata[i], &error);
      CrmOutcomeIssue *issue;

      if (m != NULL)
        {
          queued++;
          continue;
        }
      issue = g_new0 (CrmOutcomeIssue, 1);
      issue->index = u->index;
      issue->row_number = u->row_number;
      issue->problem = CRM_OUTCOME_PROBLEM_REFUSED;
      issue->column = CRM_OUTCOME_COLUMN_CUSTOMER;
      issue->message = g_strdup_printf (_("not queued: %s"), error->message);
      g_ptr_array_add (refused, issue);
    }
  g_atomic_int_add (&self->n_queued, (int) queued);
  g_atomic_int_add (&self->n_done, (int) n);
}

gboolean
crm_outcome_check_queue (CrmOutcomeCheck  *self,
                         CrmStore         *store,
                         GCancellable     *cancellable,
                         gboolean         *stopped,
                         GError          **error)
{
  g_autoptr(GPtrArray) refused = g_ptr_array_new ();
  gboolean cancelled = FALSE;

  g_return_val_if_fail (self != NULL && CRM_IS_STORE (store), FALSE);
  g_return_val_if_fail (!self->queued, FALSE);

  self->queued = TRUE;
  for (guint first = 0; first < self->good->len; first += CRM_OUTCOME_IMPORT_UNIT)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          cancelled = TRUE;
          break;
        }
      queue_unit (self, store, first, MIN (CRM_OUTCOME_IMPORT_UNIT, self->good->len - first), refused);
    }
  for (guint i = 0; i < refused->len; i++)
    g_ptr_array_add (self->rejected, refused->pdata[i]);
  g_ptr_array_sort (self->rejected, issue_compare);
  if (stopped != NULL)
    *stopped = cancelled;
  return TRUE;
}

guint
crm_outcome_check_get_n_done (CrmOutcomeCheck *self)
{
  return (guint) g_atomic_int_get (&self->n_done);
}

guint
crm_outcome_check_get_n_queued (CrmOutcomeCheck *self)
{
  return (guint) g_atomic_int_get (&self->n_queued);
}

char *
crm_outcome_check_rejected_csv (CrmOutcomeCheck *self,
                                CrmOutcomeCsv   *csv,
                                gsize           *length)
{
  GString *out = g_string_new ("\xEF\xBB\xBF");
  const char delimiter = crm_outcome_csv_get_delimiter (csv);
  const char * const *header = crm_outcome_csv_get_header (csv);

  for (guint c = 0; header[c] != NULL; c++)
    {
      crm_outcome_csv_append_field (out, header[c], delimiter);
      g_string_append_c (out, delimiter);
    }
  crm_outcome_csv_append_field (out, _("Error"), delimiter);
  g_string_append (out, "\r\n");
  for (guint i = 0; i < self->rejected->len; i++)
    {
      const CrmOutcomeIssue *issue = self->rejected->pdata[i];
      const char * const *row = crm_outcome_csv_get_row (csv, issue->index);
      guint n = g_strv_length ((char **) row);

      /* as many cells as the header, so the error column lines up */
      for (guint c = 0; c < MAX (n, crm_outcome_csv_get_n_columns (csv)); c++)
        {
          crm_outcome_csv_append_field (out, c < n ? row[c] : "", delimiter);
          g_string_append_c (out, delimiter);
        }
      crm_outcome_csv_append_field (out, issue->message, delimiter);
      g_string_append (out, "\r\n");
    }
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}
