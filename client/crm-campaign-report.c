#define G_LOG_DOMAIN "crm-campaign-report"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "crm-campaign-report.h"
#include "crm-error.h"
#include "crm-format.h"
#include "crm-vocabulary.h"

/* ------------------------------------------------------------------ */
/* Reading the answer                                                  */
/* ------------------------------------------------------------------ */

/* Reads members of one object, remembering the first that was wrong. */
typedef struct
{
  const char *path;   /* "totals", "by_tier[2]" ... for the message */
  JsonObject *object;
  char       *bad;    /* the first member that was missing or wrong */
} Reader;

static void
reader_fail (Reader     *r,
             const char *member)
{
  if (r->bad == NULL)
    r->bad = r->path ? g_strdup_printf ("%s.%s", r->path, member) : g_strdup (member);
}

/* @sub's failure (if any) as @r's, unless @r has one already. */
static void
adopt_failure (Reader *r,
               Reader *sub)
{
  if (sub->bad != NULL && r->bad == NULL)
    r->bad = g_steal_pointer (&sub->bad);
  g_clear_pointer (&sub->bad, g_free);
}

static JsonNode *
reader_member (Reader     *r,
               const char *member)
{
  JsonNode *node = r->object ? json_object_get_member (r->object, member) : NULL;

  if (node == NULL)
    reader_fail (r, member);
  return node;
}

/* A count or an amount: an integer >= 0 (or null, CRM_CAMPAIGN_NONE, when @nullable). */
static gint64
read_int (Reader     *r,
          const char *member,
          gboolean    nullable)
{
  JsonNode *node = reader_member (r, member);
  gint64 value;

  if (node == NULL)
    return 0;
  if (nullable && JSON_NODE_HOLDS_NULL (node))
    return CRM_CAMPAIGN_NONE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      (value = json_node_get_int (node)) < 0)
    {
      reader_fail (r, member);
      return 0;
    }
  return value;
}

/* A number (integer or not) or null (NAN). */
static double
read_number (Reader     *r,
             const char *member)
{
  JsonNode *node = reader_member (r, member);
  GType type;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NAN;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  reader_fail (r, member);
  return NAN;
}

/* A string, or NULL for null when @nullable. */
static const char *
read_string (Reader     *r,
             const char *member,
             gboolean    nullable)
{
  JsonNode *node = reader_member (r, member);

  if (node == NULL)
    return NULL;
  if (nullable && JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      reader_fail (r, member);
      return NULL;
    }
  return json_node_get_string (node);
}

static JsonObject *
read_object (Reader     *r,
             const char *member)
{
  JsonNode *node = reader_member (r, member);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      reader_fail (r, member);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
read_array (Reader     *r,
            const char *member)
{
  JsonNode *node = reader_member (r, member);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      reader_fail (r, member);
      return NULL;
    }
  return json_node_get_array (node);
}

static void
read_figures (Reader             *r,
              CrmCampaignFigures *f)
{
  f->targets = read_int (r, "targets", FALSE);
  f->contacted = read_int (r, "contacted", FALSE);
  f->responded = read_int (r, "responded", FALSE);
  f->converted = read_int (r, "converted", FALSE);
  f->revenue = read_int (r, "revenue", FALSE);
  f->cost = read_int (r, "cost", FALSE);
  f->response_rate = read_number (r, "response_rate");
  f->conversion_rate = read_number (r, "conversion_rate");
  f->cost_per_response = read_int (r, "cost_per_response", TRUE);
  f->roi = read_number (r, "roi");
}

static void
read_interval (Reader              *r,
               CrmCampaignInterval *interval)
{
  interval->estimate = read_number (r, "estimate");
  interval->lower = read_number (r, "lower");
  interval->upper = read_number (r, "upper");
}

static void
group_clear (gpointer data)
{
  CrmCampaignGroup *group = data;

  g_free (group->key);
  g_free (group->label);
}

static const char *
assignee_label (const char *name,
                const char *queue)
{
  if (name != NULL)
    return name;
  if (queue != NULL)
    return crm_vocabulary_label (crm_channel_kind_names, queue);
  return NULL;
}

/* One row of a breakdown: its key, label and figures. */
static void
read_group (Reader               *r,
            CrmCampaignBreakdown  breakdown,
            CrmCampaignGroup     *group)
{
  const char *key = NULL, *label = NULL;

  switch (breakdown)
    {
    case CRM_CAMPAIGN_BY_CHANNEL:
      key = read_string (r, "channel", TRUE);
      label = key ? crm_vocabulary_label (crm_channel_kind_names, key) : _("Not yet attempted");
      break;
    case CRM_CAMPAIGN_BY_TIER:
      key = read_string (r, "tier", TRUE);
      label = key ? crm_tier_label_for (key) : _("No tier");
      break;
    case CRM_CAMPAIGN_BY_REGION:
      key = read_string (r, "region_id", TRUE);
      label = read_string (r, "region", TRUE);
      break;
    case CRM_CAMPAIGN_BY_ASSIGNEE:
    case CRM_CAMPAIGN_N_BREAKDOWNS:
    default:
      {
        const char *name = read_string (r, "name", TRUE);
        const char *queue = read_string (r, "queue", TRUE);
        const char *user = read_string (r, "user_id", TRUE);

        key = user ? user : queue;
        label = assignee_label (name, queue);
        if (name == NULL && queue != NULL)
          {
            /* TRANSLATORS: members without an account manager, waiting in a
             * channel's queue; %s is the channel ("SMS") */
            group->label = g_strdup_printf (_("%s queue"), label);
            label = NULL;
          }
      }
      break;
    }
  group->key = g_strdup (key);
  if (group->label == NULL)
    group->label = g_strdup (label ? label : _("Unassigned"));
  read_figures (r, &group->figures);
}

static const char * const breakdown_members[CRM_CAMPAIGN_N_BREAKDOWNS] = {
  "by_channel", "by_tier", "by_region", "by_assignee",
};

static GArray *
read_groups (Reader               *r,
             CrmCampaignBreakdown  breakdown)
{
  JsonArray *array = read_array (r, breakdown_members[breakdown]);
  GArray *groups = g_array_new (FALSE, TRUE, sizeof (CrmCampaignGroup));

  g_array_set_clear_func (groups, group_clear);
  for (guint i = 0; array != NULL && i < json_array_get_length (array) && r->bad == NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s[%u]", breakdown_members[breakdown], i);
      JsonNode *node = json_array_get_element (array, i);
      Reader row = { path, JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL, NULL };
      CrmCampaignGroup group = { 0 };

      if (row.object == NULL)
        reader_fail (r, path);
      read_group (&row, breakdown, &group);
      g_array_append_val (groups, group);
      adopt_failure (r, &row);
    }
  return groups;
}

/* g_date_set_parse () reads by the locale; the server writes ISO 8601. */
static gboolean
parse_iso_date (const char *text,
                GDate      *date)
{
  guint y, m, d;

  g_date_clear (date, 1);
  if (text == NULL || sscanf (text, "%4u-%2u-%2u", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
    return FALSE;
  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static GArray *
read_weeks (Reader *r)
{
  JsonArray *array = read_array (r, "by_week");
  GArray *weeks = g_array_new (FALSE, TRUE, sizeof (CrmCampaignWeek));

  for (guint i = 0; array != NULL && i < json_array_get_length (array) && r->bad == NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("by_week[%u]", i);
      JsonNode *node = json_array_get_element (array, i);
      Reader row = { path, JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL, NULL };
      CrmCampaignWeek week = { 0 };
      const char *date = read_string (&row, "week", FALSE);

      if (date != NULL && (strlen (date) != 10 || !parse_iso_date (date, &week.week)))
        reader_fail (&row, "week");
      week.contacted = read_int (&row, "contacted", FALSE);
      week.responded = read_int (&row, "responded", FALSE);
      week.converted = read_int (&row, "converted", FALSE);
      week.revenue = read_int (&row, "revenue", FALSE);
      g_array_append_val (weeks, week);
      adopt_failure (r, &row);
    }
  return weeks;
}

static void
read_head (Reader            *r,
           CrmCampaignReport *report)
{
  const char *launched;

  report->campaign_id = g_strdup (read_string (r, "campaign_id", FALSE));
  report->name = g_strdup (read_string (r, "name", FALSE));
  report->status = g_strdup (read_string (r, "status", FALSE));
  launched = read_string (r, "launched_at", TRUE);
  if (launched != NULL && !(report->launched_at = g_date_time_new_from_iso8601 (launched, NULL)))
    reader_fail (r, "launched_at");
  report->budget = read_int (r, "budget", TRUE);
  report->control_percent = read_int (r, "control_percent", FALSE);
}

static void
read_control_and_uplift (Reader            *r,
                         CrmCampaignReport *report)
{
  Reader control = { "control", read_object (r, "control"), NULL };
  JsonObject *uplift = read_object (r, "uplift");
  Reader up = { "uplift", uplift, NULL };
  Reader conversion = { "uplift.conversion", NULL, NULL };
  Reader revenue = { "uplift.revenue", NULL, NULL };

  report->control_members = read_int (&control, "members", FALSE);
  report->control_converted = read_int (&control, "converted", FALSE);
  report->control_conversion_rate = read_number (&control, "conversion_rate");
  report->control_revenue = read_int (&control, "revenue", FALSE);
  conversion.object = read_object (&up, "conversion");
  revenue.object = read_object (&up, "revenue");
  read_interval (&conversion, &report->uplift_conversion);
  read_interval (&revenue, &report->uplift_revenue);
  adopt_failure (r, &control);
  adopt_failure (r, &up);
  adopt_failure (r, &conversion);
  adopt_failure (r, &revenue);
}

CrmCampaignReport *
crm_campaign_report_from_json (JsonNode  *node,
                               GError   **error)
{
  g_autoptr(CrmCampaignReport) report = g_new0 (CrmCampaignReport, 1);
  Reader r = { NULL, NULL, NULL };
  Reader totals = { "totals", NULL, NULL };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  report->budget = CRM_CAMPAIGN_NONE;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED, "The campaign's results are not a JSON object");
      return NULL;
    }
  r.object = json_node_get_object (node);
  read_head (&r, report);
  totals.object = read_object (&r, "totals");
  read_figures (&totals, &report->totals);
  adopt_failure (&r, &totals);
  read_control_and_uplift (&r, report);
  for (guint b = 0; b < CRM_CAMPAIGN_N_BREAKDOWNS; b++)
    report->groups[b] = read_groups (&r, b);
  report->weeks = read_weeks (&r);
  if (r.bad != NULL)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED,
                   "The campaign's results have a missing or unreadable “%s”", r.bad);
      g_free (r.bad);
      return NULL;
    }
  return g_steal_pointer (&report);
}

CrmCampaignReport *
crm_campaign_report_from_text (const char  *text,
                               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (!json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_MALFORMED, "The campaign's results do not read: %s",
                   local_error->message);
      return NULL;
    }
  return crm_campaign_report_from_json (json_parser_get_root (parser), error);
}

void
crm_campaign_report_free (CrmCampaignReport *report)
{
  if (report == NULL)
    return;
  g_free (report->campaign_id);
  g_free (report->name);
  g_free (report->status);
  g_clear_pointer (&report->launched_at, g_date_time_unref);
  for (guint b = 0; b < CRM_CAMPAIGN_N_BREAKDOWNS; b++)
    g_clear_pointer (&report->groups[b], g_array_unref);
  g_clear_pointer (&report->weeks, g_array_unref);
  g_free (report);
}

const char *
crm_campaign_breakdown_title (CrmCampaignBreakdown breakdown)
{
  switch (breakdown)
    {
    case CRM_CAMPAIGN_BY_CHANNEL:
      return _("Channel");
    case CRM_CAMPAIGN_BY_TIER:
      return _("Tier");
    case CRM_CAMPAIGN_BY_REGION:
      return _("Region");
    case CRM_CAMPAIGN_BY_ASSIGNEE:
      return _("Account Manager");
    case CRM_CAMPAIGN_N_BREAKDOWNS:
    default:
      g_return_val_if_reached ("");
    }
}


/* ------------------------------------------------------------------ */
/* In words                                                            */
/* ------------------------------------------------------------------ */

char *
crm_campaign_format_rate (double fraction)
{
  if (isnan (fraction))
    return g_strdup ("—");
  /* TRANSLATORS: a rate as a percentage: "12.5%" */
  return g_strdup_printf (_("%.1f%%"), fraction * 100.0);
}

char *
crm_campaign_format_roi (double roi)
{
  if (isnan (roi))
    return g_strdup ("—");
  return g_strdup_printf (_("%+.1f%%"), roi * 100.0);
}

gboolean
crm_campaign_interval_known (const CrmCampaignInterval *interval)
{
  g_return_val_if_fail (interval != NULL, FALSE);

  return !isnan (interval->estimate) && !isnan (interval->lower) && !isnan (interval->upper);
}

gboolean
crm_campaign_interval_holds_zero (const CrmCampaignInterval *interval)
{
  return crm_campaign_interval_known (interval) && interval->lower <= 0.0 && interval->upper >= 0.0;
}

/* Percentage points with one decimal and a sign: "+4.2", "−1.0". */
static char *
points (double fraction)
{
  double value = round (fraction * 1000.0) / 10.0;

  if (value == 0.0)
    return g_strdup ("0.0");
  return g_strdup_printf ("%s%.1f", value < 0 ? "−" : "+", fabs (value));
}

/* Money with a sign: "+¥12.00", "−¥3.50". */
static char *
signed_money (double fen)
{
  gint64 rounded = (gint64) llround (fen);
  g_autofree char *money = crm_format_money (rounded < 0 ? -rounded : rounded);

  if (rounded == 0)
    return g_steal_pointer (&money);
  return g_strconcat (rounded < 0 ? "−" : "+", money, NULL);
}

char *
crm_campaign_format_conversion_interval (const CrmCampaignInterval *interval)
{
  g_autofree char *estimate = NULL, *lower = NULL, *upper = NULL;

  g_return_val_if_fail (interval != NULL, NULL);

  if (!crm_campaign_interval_known (interval))
    return g_strdup ("—");
  estimate = points (interval->estimate);
  lower = points (interval->lower);
  upper = points (interval->upper);
  /* TRANSLATORS: an uplift in percentage points and its 95% interval:
   * "+4.2 points (+1.0 to +7.4)" */
  return g_strdup_printf (_("%s points (%s to %s)"), estimate, lower, upper);
}

char *
crm_campaign_format_revenue_interval (const CrmCampaignInterval *interval)
{
  g_autofree char *estimate = NULL, *lower = NULL, *upper = NULL;

  g_return_val_if_fail (interval != NULL, NULL);

  if (!crm_campaign_interval_known (interval))
    return g_strdup ("—");
  estimate = signed_money (interval->estimate);
  lower = signed_money (interval->lower);
  upper = signed_money (interval->upper);
  /* TRANSLATORS: an uplift in revenue per member and its 95% interval:
   * "+¥12.00 (−¥3.00 to +¥27.00)" */
  return g_strdup_printf (_("%s (%s to %s)"), estimate, lower, upper);
}

/* Why there is no interval: no control group, or a group still empty. */
static char *
no_interval (const CrmCampaignReport *report)
{
  if (report->control_percent == 0 || report->control_members == 0)
    return g_strdup (_("This campaign has no control group, so its effect cannot be measured."));
  return g_strdup (_("Not enough results yet to compare with the control group."));
}

char *
crm_campaign_describe_conversion_uplift (const CrmCampaignReport *report)
{
  const CrmCampaignInterval *u;
  g_autofree char *estimate = NULL, *lower = NULL, *upper = NULL;

  g_return_val_if_fail (report != NULL, NULL);

  u = &report->uplift_conversion;
  if (!crm_campaign_interval_known (u))
    return no_interval (report);
  lower = points (u->lower);
  upper = points (u->upper);
  if (crm_campaign_interval_holds_zero (u))
    {
      estimate = points (u->estimate);
      /* TRANSLATORS: the conversion uplift when its 95% interval holds
       * zero; the values are percentage points ("+0.8", "−1.2") */
      return g_strdup_printf (_("No measurable effect on conversion (yet). Targeted customers converted %s "
                                "percentage points differently from the control group, but with 95%% confidence "
                                "the true difference lies between %s and %s points, which includes zero: it may "
                                "be chance."), estimate, lower, upper);
    }
  estimate = points (fabs (u->estimate));
  if (u->estimate > 0)
    /* TRANSLATORS: a measured conversion uplift; the first %s is how many
     * percentage points ("+4.2"), then the 95% interval's bounds */
    return g_strdup_printf (_("Targeted customers converted %s percentage points more often than the control "
                              "group. With 95%% confidence the effect lies between %s and %s points."),
                            estimate + 1, lower, upper);
  return g_strdup_printf (_("Targeted customers converted %s percentage points less often than the control "
                            "group. With 95%% confidence the effect lies between %s and %s points."),
                          estimate + 1, lower, upper);
}

char *
crm_campaign_describe_revenue_uplift (const CrmCampaignReport *report)
{
  const CrmCampaignInterval *u;
  g_autofree char *estimate = NULL, *lower = NULL, *upper = NULL;

  g_return_val_if_fail (report != NULL, NULL);

  u = &report->uplift_revenue;
  if (!crm_campaign_interval_known (u))
    return no_interval (report);
  lower = signed_money (u->lower);
  upper = signed_money (u->upper);
  if (crm_campaign_interval_holds_zero (u))
    {
      estimate = signed_money (u->estimate);
      /* TRANSLATORS: the revenue uplift per customer when its 95% interval
       * holds zero; amounts of money with their sign */
      return g_strdup_printf (_("No measurable effect on revenue (yet). The difference per customer from the "
                                "control group is %s, but with 95%% confidence it lies between %s and %s, which "
                                "includes zero: it may be chance."), estimate, lower, upper);
    }
  estimate = crm_format_money ((gint64) llround (fabs (u->estimate)));
  if (u->estimate > 0)
    return g_strdup_printf (_("Each targeted customer brought %s more revenue on average than one of the control "
                              "group. With 95%% confidence the effect lies between %s and %s."),
                            estimate, lower, upper);
  return g_strdup_printf (_("Each targeted customer brought %s less revenue on average than one of the control "
                            "group. With 95%% confidence the effect lies between %s and %s."),
                          estimate, lower, upper);
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */
/* ------------------------------------------------------------------ */

/* The text being written, and whether a line has just begun. */
typedef struct
{
  GString  *s;
  gboolean  fresh;
} Csv;

/* One field, quoted when it holds a comma, a quote or a line break. */
static void
csv_field (Csv        *out,
           const char *text)
{
  if (!out->fresh)
    g_string_append_c (out->s, ',');
  out->fresh = FALSE;
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out->s, text);
      return;
    }
  g_string_append_c (out->s, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out->s, '"');
      g_string_append_c (out->s, *p);
    }
  g_string_append_c (out->s, '"');
}

static void
csv_end (Csv *out)
{
  g_string_append (out->s, "\r\n");
  out->fresh = TRUE;
}

/* Fields in the C locale: a spreadsheet reads "1234.50" in any language. */
static void
csv_number (Csv        *out,
            const char *format,
            double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  csv_field (out, isnan (value) ? "" : g_ascii_formatd (buffer, sizeof buffer, format, value));
}

static void
csv_int (Csv    *out,
         gint64  value)
{
  g_autofree char *text = value == CRM_CAMPAIGN_NONE ? g_strdup ("")
                                                      : g_strdup_printf ("%" G_GINT64_FORMAT, value);

  csv_field (out, text);
}

static void
csv_yuan (Csv    *out,
          double  fen)
{
  csv_number (out, "%.2f", isnan (fen) || fen == (double) CRM_CAMPAIGN_NONE ? NAN : fen / 100.0);
}

static void
csv_percent (Csv    *out,
             double  fraction)
{
  csv_number (out, "%.2f", isnan (fraction) ? NAN : fraction * 100.0);
}

static void
csv_figures_header (Csv        *out,
                    const char *first,
                    const char *second)
{
  csv_field (out, first);
  csv_field (out, second);
  csv_field (out, _("Targets"));
  csv_field (out, C_("campaign figure", "Contacted"));
  csv_field (out, _("Responded"));
  csv_field (out, _("Converted"));
  csv_field (out, _("Response rate (%)"));
  csv_field (out, _("Conversion rate (%)"));
  csv_field (out, _("Revenue (yuan)"));
  csv_field (out, _("Cost (yuan)"));
  csv_field (out, _("Cost per response (yuan)"));
  csv_field (out, _("ROI (%)"));
  csv_end (out);
}

static void
csv_figures (Csv                      *out,
             const char               *first,
             const char               *second,
             const CrmCampaignFigures *f)
{
  csv_field (out, first);
  csv_field (out, second);
  csv_int (out, f->targets);
  csv_int (out, f->contacted);
  csv_int (out, f->responded);
  csv_int (out, f->converted);
  csv_percent (out, f->response_rate);
  csv_percent (out, f->conversion_rate);
  csv_yuan (out, f->revenue);
  csv_yuan (out, f->cost);
  csv_yuan (out, f->cost_per_response == CRM_CAMPAIGN_NONE ? NAN : f->cost_per_response);
  csv_percent (out, f->roi);
  csv_end (out);
}

static void
csv_pair (Csv        *out,
          const char *label,
          const char *value)
{
  csv_field (out, label);
  csv_field (out, value);
  csv_end (out);
}

static void
csv_head (Csv                     *out,
          const CrmCampaignReport *report)
{
  g_autofree char *launched = NULL;

  if (report->launched_at != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (report->launched_at);

      launched = g_date_time_format (utc, "%Y-%m-%d %H:%M:%S UTC");
    }
  csv_pair (out, _("Campaign"), report->name);
  csv_pair (out, _("Status"), crm_campaign_status_label (report->status));
  csv_pair (out, _("Launched"), launched);
  csv_field (out, _("Budget (yuan)"));
  csv_yuan (out, report->budget == CRM_CAMPAIGN_NONE ? NAN : report->budget);
  csv_end (out);
  csv_field (out, _("Control group (%)"));
  csv_int (out, report->control_percent);
  csv_end (out);
  csv_end (out);
}

static void
csv_uplift (Csv                     *out,
            const CrmCampaignReport *report)
{
  const CrmCampaignInterval *c = &report->uplift_conversion, *r = &report->uplift_revenue;

  csv_field (out, _("Uplift over the control group"));
  csv_field (out, _("Estimate"));
  csv_field (out, _("95% interval, lower"));
  csv_field (out, _("95% interval, upper"));
  csv_field (out, _("Measurable effect"));
  csv_end (out);
  csv_field (out, _("Conversion (percentage points)"));
  csv_percent (out, c->estimate);
  csv_percent (out, c->lower);
  csv_percent (out, c->upper);
  csv_field (out, !crm_campaign_interval_known (c) ? "" : crm_campaign_interval_holds_zero (c) ? _("No") : _("Yes"));
  csv_end (out);
  csv_field (out, _("Revenue per member (yuan)"));
  csv_yuan (out, r->estimate);
  csv_yuan (out, r->lower);
  csv_yuan (out, r->upper);
  csv_field (out, !crm_campaign_interval_known (r) ? "" : crm_campaign_interval_holds_zero (r) ? _("No") : _("Yes"));
  csv_end (out);
  csv_end (out);

  csv_field (out, _("Control group"));
  csv_field (out, _("Members"));
  csv_field (out, _("Converted"));
  csv_field (out, _("Conversion rate (%)"));
  csv_field (out, _("Revenue (yuan)"));
  csv_end (out);
  csv_field (out, "");
  csv_int (out, report->control_members);
  csv_int (out, report->control_converted);
  csv_percent (out, report->control_conversion_rate);
  csv_yuan (out, report->control_revenue);
  csv_end (out);
  csv_end (out);
}

char *
crm_campaign_report_dup_csv (const CrmCampaignReport *report)
{
  Csv csv = { g_string_new ("\xEF\xBB\xBF"), TRUE };
  Csv *out = &csv;

  g_return_val_if_fail (report != NULL, NULL);

  csv_head (out, report);
  csv_uplift (out, report);
  csv_figures_header (out, _("Breakdown"), _("Group"));
  csv_figures (out, _("Total"), "", &report->totals);
  for (guint b = 0; b < CRM_CAMPAIGN_N_BREAKDOWNS; b++)
    for (guint i = 0; i < report->groups[b]->len; i++)
      {
        const CrmCampaignGroup *g = &g_array_index (report->groups[b], CrmCampaignGroup, i);

        csv_figures (out, crm_campaign_breakdown_title (b), g->label, &g->figures);
      }
  csv_end (out);
  csv_field (out, _("Week"));
  csv_field (out, C_("campaign figure", "Contacted"));
  csv_field (out, _("Responded"));
  csv_field (out, _("Converted"));
  csv_field (out, _("Revenue (yuan)"));
  csv_end (out);
  for (guint i = 0; i < report->weeks->len; i++)
    {
      const CrmCampaignWeek *w = &g_array_index (report->weeks, CrmCampaignWeek, i);
      char date[16];

      g_date_strftime (date, sizeof date, "%Y-%m-%d", &w->week);
      csv_field (out, date);
      csv_int (out, w->contacted);
      csv_int (out, w->responded);
      csv_int (out, w->converted);
      csv_yuan (out, w->revenue);
      csv_end (out);
    }
  return g_string_free (csv.s, FALSE);
}

gboolean
crm_campaign_report_write_csv (const CrmCampaignReport  *report,
                               GFile                    *file,
                               GCancellable             *cancellable,
                               GError                  **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  text = crm_campaign_report_dup_csv (report);
  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                  NULL, cancellable, error);
}
