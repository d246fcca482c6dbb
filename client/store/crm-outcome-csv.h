#pragma once

#include <gio/gio.h>

#include "crm-store.h"

G_BEGIN_DECLS

/*
 * Bulk outcome import (issue 11): a CSV file exported by an SMS or
 * call-centre platform, checked against one campaign's members in the
 * local store and queued as updates of campaign_member.  No GTK.
 *
 * Reading (crm-outcome-csv.c): UTF-8 with or without a BOM, UTF-16 with
 * its BOM, else GB18030 (as Chinese platforms export); the delimiter
 * (comma, semicolon or tab) from the header row; RFC 4180 quoting
 * (quoted fields with delimiters, newlines and doubled quotes; CRLF, LF
 * or CR line ends).  Rows are numbered as the file counts them: the
 * header is row 1, a blank line is a row, a quoted field with line breaks
 * keeps its record one row.
 *
 * Checking (crm-outcome-check.c): each row against the campaign's
 * members as the store shows them; a row is good, rejected (with every
 * reason, each naming its column) or skipped (an older duplicate of a
 * member's row, or an outcome that would move the member backwards or
 * that it has already).  Queueing: the good rows in units through
 * crm_store_enqueue_updates(), cancellable between units; a row the
 * store refuses becomes rejected too, so every row of the file ends
 * counted in exactly one of imported, rejected, skipped or not queued.
 */

/* Limits: a bigger file, more rows or a longer field is refused whole. */
#define CRM_OUTCOME_CSV_MAX_BYTES  (64 * 1024 * 1024)
#define CRM_OUTCOME_CSV_MAX_ROWS   500000
#define CRM_OUTCOME_CSV_MAX_FIELD  1000   /* characters */
/* Updates per store transaction when queueing. */
#define CRM_OUTCOME_IMPORT_UNIT    500

typedef enum
{
  CRM_OUTCOME_COLUMN_CUSTOMER,   /* customer id or registration number */
  CRM_OUTCOME_COLUMN_OUTCOME,
  CRM_OUTCOME_COLUMN_CHANNEL,
  CRM_OUTCOME_COLUMN_TIME,
  CRM_OUTCOME_N_COLUMNS
} CrmOutcomeColumn;

/* Why a row is rejected or skipped (the first reason, when several). */
typedef enum
{
  CRM_OUTCOME_PROBLEM_EMPTY,             /* a needed cell is empty */
  CRM_OUTCOME_PROBLEM_NOT_A_MEMBER,
  CRM_OUTCOME_PROBLEM_AMBIGUOUS,         /* a registration number of several members */
  CRM_OUTCOME_PROBLEM_CONTROL_GROUP,
  CRM_OUTCOME_PROBLEM_UNKNOWN_OUTCOME,
  CRM_OUTCOME_PROBLEM_UNKNOWN_CHANNEL,
  CRM_OUTCOME_PROBLEM_CHANNEL_NOT_USED,  /* a channel the campaign does not use */
  CRM_OUTCOME_PROBLEM_BAD_TIME,
  CRM_OUTCOME_PROBLEM_FUTURE_TIME,
  CRM_OUTCOME_PROBLEM_REFUSED,           /* the store refused the update */
  /* skipped */
  CRM_OUTCOME_PROBLEM_DUPLICATE,         /* a later row of the member wins */
  CRM_OUTCOME_PROBLEM_BACKWARDS,         /* the member's outcome is further along */
  CRM_OUTCOME_PROBLEM_UNCHANGED,         /* the member has this outcome already */
} CrmOutcomeProblem;

/* The file */
typedef struct _CrmOutcomeCsv CrmOutcomeCsv;

CrmOutcomeCsv      *crm_outcome_csv_load             (const char      *path,
                                                      GError         **error);
CrmOutcomeCsv      *crm_outcome_csv_parse            (const char      *data,
                                                      gsize            length,
                                                      GError         **error);
CrmOutcomeCsv      *crm_outcome_csv_ref              (CrmOutcomeCsv   *self);
void                crm_outcome_csv_unref            (CrmOutcomeCsv   *self);
/* "UTF-8", "UTF-8 (BOM)", "UTF-16 (BOM)" or "GB18030" */
const char         *crm_outcome_csv_get_encoding     (CrmOutcomeCsv   *self);
char                crm_outcome_csv_get_delimiter    (CrmOutcomeCsv   *self);
/* The header row's cells. */
const char * const *crm_outcome_csv_get_header       (CrmOutcomeCsv   *self);
guint               crm_outcome_csv_get_n_columns    (CrmOutcomeCsv   *self);
/* The data rows (below the header), their cells and numbers. */
guint               crm_outcome_csv_get_n_rows       (CrmOutcomeCsv   *self);
const char * const *crm_outcome_csv_get_row          (CrmOutcomeCsv   *self,
                                                      guint            index);
guint               crm_outcome_csv_get_row_number   (CrmOutcomeCsv   *self,
                                                      guint            index);
/* The columns whose header names the column (English or Chinese):
 * mapping[CRM_OUTCOME_COLUMN_*] is a column index, or -1. */
void                crm_outcome_csv_guess_mapping    (CrmOutcomeCsv   *self,
                                                      int              mapping[CRM_OUTCOME_N_COLUMNS]);
/* @text with RFC 4180 quoting when it needs it, appended to @out. */
void                crm_outcome_csv_append_field     (GString         *out,
                                                      const char      *text,
                                                      char             delimiter);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmOutcomeCsv, crm_outcome_csv_unref)

/* A campaign's members as the store shows them */
typedef struct _CrmOutcomeCampaign CrmOutcomeCampaign;

CrmOutcomeCampaign *crm_outcome_campaign_load        (CrmStore        *store,
                                                      const char      *campaign_id,
                                                      GError         **error);
void                crm_outcome_campaign_free        (CrmOutcomeCampaign *self);
const char         *crm_outcome_campaign_get_id      (CrmOutcomeCampaign *self);
const char         *crm_outcome_campaign_get_name    (CrmOutcomeCampaign *self);
guint               crm_outcome_campaign_get_n_members (CrmOutcomeCampaign *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmOutcomeCampaign, crm_outcome_campaign_free)

/* A good row: the update it makes. */
typedef struct
{
  guint       index;         /* its data row (crm_outcome_csv_get_row ()) */
  guint       row_number;    /* as the file counts */
  char       *customer_id;
  const char *response;      /* wire names (crm-wire.h), static */
  const char *channel;       /* or NULL: not mapped */
  char       *contacted_at;  /* or NULL: left as it is */
  char       *responded_at;  /* or NULL: left as it is */
} CrmOutcomeUpdate;

/* A rejected or skipped row. */
typedef struct
{
  guint              index;
  guint              row_number;
  CrmOutcomeProblem  problem;
  CrmOutcomeColumn   column;    /* of the first problem */
  char              *message;   /* every reason, each naming its column (translated) */
} CrmOutcomeIssue;

/* Checking and queueing */
typedef struct _CrmOutcomeCheck CrmOutcomeCheck;

/* Checks every row of @csv with @mapping (customer and outcome are
 * needed); @now bounds the times (a time more than an hour after it is
 * refused). */
CrmOutcomeCheck    *crm_outcome_check_new            (CrmOutcomeCsv      *csv,
                                                      CrmOutcomeCampaign *campaign,
                                                      const int           mapping[CRM_OUTCOME_N_COLUMNS],
                                                      GDateTime          *now,
                                                      GError            **error);
CrmOutcomeCheck    *crm_outcome_check_ref            (CrmOutcomeCheck *self);
void                crm_outcome_check_unref          (CrmOutcomeCheck *self);
/* CrmOutcomeUpdate *, in file order */
GPtrArray          *crm_outcome_check_get_good       (CrmOutcomeCheck *self);
/* CrmOutcomeIssue *, in file order (after queueing, with the refused) */
GPtrArray          *crm_outcome_check_get_rejected   (CrmOutcomeCheck *self);
GPtrArray          *crm_outcome_check_get_skipped    (CrmOutcomeCheck *self);
guint               crm_outcome_check_count_skipped  (CrmOutcomeCheck *self,
                                                      CrmOutcomeProblem problem);

/* Queues the good rows, CRM_OUTCOME_IMPORT_UNIT a transaction (a unit the
 * store refuses is tried row by row; a refused row joins the rejected).
 * Blocking: call it in a worker.  Stops between units when @cancellable
 * is cancelled and says so in @stopped.  Once per check. */
gboolean            crm_outcome_check_queue          (CrmOutcomeCheck *self,
                                                      CrmStore        *store,
                                                      GCancellable    *cancellable,
                                                      gboolean        *stopped,
                                                      GError         **error);
/* Good rows handled so far by crm_outcome_check_queue (): any thread. */
guint               crm_outcome_check_get_n_done     (CrmOutcomeCheck *self);
guint               crm_outcome_check_get_n_queued   (CrmOutcomeCheck *self);
/* The rejected rows as CSV (UTF-8 with a BOM, the file's delimiter,
 * CRLF): the header and each rejected row's cells, with an added column
 * of its reasons, to fix and import again. */
char               *crm_outcome_check_rejected_csv   (CrmOutcomeCheck *self,
                                                      CrmOutcomeCsv   *csv,
                                                      gsize           *length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmOutcomeCheck, crm_outcome_check_unref)

G_END_DECLS
