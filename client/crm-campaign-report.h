#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crm-campaign-labels.h"

G_BEGIN_DECLS

/*
 * A campaign's results (GET /campaigns/{id}/results, schema
 * CampaignResults in docs/openapi.yaml) as a plain struct, and what is
 * made of it: the words of its uplift, a CSV file and a PDF report.
 *
 * Money is in fen; rates and ROI are fractions (0.25 is 25 %) and NAN
 * when the server sends null; a money value the server sends as null is
 * CRM_CAMPAIGN_NONE.  Every member is checked as it is read: a missing
 * one, one of the wrong type or a negative count makes the whole answer
 * CRM_ERROR_MALFORMED.  Members the client does not know are ignored.
 */

#define CRM_CAMPAIGN_NONE G_MININT64

typedef struct
{
  gint64 targets;
  gint64 contacted;
  gint64 responded;
  gint64 converted;
  gint64 revenue;             /* fen attributed */
  gint64 cost;                /* fen */
  double response_rate;       /* NAN: no targets */
  double conversion_rate;
  gint64 cost_per_response;   /* fen, or CRM_CAMPAIGN_NONE */
  double roi;                 /* NAN: no cost */
} CrmCampaignFigures;

typedef enum
{
  CRM_CAMPAIGN_BY_CHANNEL,
  CRM_CAMPAIGN_BY_TIER,
  CRM_CAMPAIGN_BY_REGION,
  CRM_CAMPAIGN_BY_ASSIGNEE,
  CRM_CAMPAIGN_N_BREAKDOWNS
} CrmCampaignBreakdown;

/* One row of a breakdown. */
typedef struct
{
  char               *key;     /* channel, tier, region id, user id or queue; NULL: none */
  char               *label;   /* as the interface names it, translated */
  CrmCampaignFigures  figures;
} CrmCampaignGroup;

/* An estimate with its 95 % interval; all NAN when a group is empty. */
typedef struct
{
  double estimate;
  double lower;
  double upper;
} CrmCampaignInterval;

typedef struct
{
  GDate  week;                /* its Monday */
  gint64 contacted;
  gint64 responded;
  gint64 converted;
  gint64 revenue;
} CrmCampaignWeek;

typedef struct
{
  char                *campaign_id;
  char                *name;
  char                *status;            /* draft, planned, running, completed, cancelled */
  GDateTime           *launched_at;       /* NULL: not launched */
  gint64               budget;            /* fen, or CRM_CAMPAIGN_NONE */
  gint64               control_percent;
  CrmCampaignFigures   totals;
  gint64               control_members;
  gint64               control_converted;
  double               control_conversion_rate;
  gint64               control_revenue;
  CrmCampaignInterval  uplift_conversion; /* fraction: 0.05 is five percentage points */
  CrmCampaignInterval  uplift_revenue;    /* fen per member */
  GArray              *groups[CRM_CAMPAIGN_N_BREAKDOWNS];  /* of CrmCampaignGroup */
  GArray              *weeks;             /* of CrmCampaignWeek, oldest first */
} CrmCampaignReport;

CrmCampaignReport *crm_campaign_report_from_json (JsonNode           *node,
                                                  GError            **error);
CrmCampaignReport *crm_campaign_report_from_text (const char         *text,
                                                  GError            **error);
void               crm_campaign_report_free      (CrmCampaignReport  *report);

/* "Channel", "Tier", "Region", "Account manager", translated. */
const char *crm_campaign_breakdown_title (CrmCampaignBreakdown breakdown);

/* ------------------------------------------------------------------ */
/* In words                                                            */
/* ------------------------------------------------------------------ */

/* A fraction as a percentage with one decimal ("12.5%"), "—" for NAN. */
char     *crm_campaign_format_rate       (double                    fraction);
/* (revenue − cost) / cost as a percentage ("+125.0%"), "—" for NAN. */
char     *crm_campaign_format_roi        (double                    roi);
/* Whether the interval is known and holds zero: no measurable effect. */
gboolean  crm_campaign_interval_holds_zero (const CrmCampaignInterval *interval);
/* Whether the interval could be computed at all. */
gboolean  crm_campaign_interval_known    (const CrmCampaignInterval *interval);
/* What the conversion uplift says, in a sentence a user understands:
 * "Customers who were contacted converted 4.2 percentage points more
 * often than the control group (95% sure: between 1.0 and 7.4 points
 * more)." or, when the interval holds zero, that the campaign shows no
 * measurable effect on conversion (yet). */
char     *crm_campaign_describe_conversion_uplift (const CrmCampaignReport *report);
/* The same for the revenue per member. */
char     *crm_campaign_describe_revenue_uplift    (const CrmCampaignReport *report);
/* The interval alone: "+4.2 points (1.0 to 7.4)", "+¥12.00 (−¥3.00 to ¥27.00)". */
char     *crm_campaign_format_conversion_interval (const CrmCampaignInterval *interval);
char     *crm_campaign_format_revenue_interval    (const CrmCampaignInterval *interval);

/* ------------------------------------------------------------------ */
/* Export                                                              */
/* ------------------------------------------------------------------ */

/* The report as CSV (RFC 4180: fields with a comma, quote or line break
 * quoted, quotes doubled, CRLF line ends), in UTF-8 beginning with a
 * byte order mark: the campaign, the uplift, the control group, the
 * totals and each breakdown, then the weeks.  Money in yuan with two
 * decimals, rates in percent, no digit grouping: numbers a spreadsheet
 * reads as numbers. */
char     *crm_campaign_report_dup_csv     (const CrmCampaignReport *report);
gboolean  crm_campaign_report_write_csv   (const CrmCampaignReport *report,
                                           GFile                   *file,
                                           GCancellable            *cancellable,
                                           GError                 **error);

/* The report as an A4 PDF: the figures, the uplift in words with its
 * interval drawn, the control group, the weekly chart (crm-campaign-chart.c,
 * as on the screen) and each breakdown, on as many pages as it takes;
 * fonts (Chinese included) embedded. */
gboolean  crm_campaign_report_write_pdf   (const CrmCampaignReport *report,
                                           GFile                   *file,
                                           GCancellable            *cancellable,
                                           GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCampaignReport, crm_campaign_report_free)

G_END_DECLS
