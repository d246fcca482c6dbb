#pragma once

#include <json-glib/json-glib.h>

#include "crm-customer-warnings.h"
#include "crm-store.h"

G_BEGIN_DECLS

/*
 * What the 360° page shows of one customer, computed from the local store
 * (no GTK): the header's figures, the Services grouped by product line,
 * and the Work in progress.  The rules are written out in
 * docs/internals.md, "360° figures"; the server's /360 uses the same ones.
 *
 * Money is integer fen.  The records (JsonObjects as
 * crm_store_get_records() gives them) stay owned by the summary; every
 * pointer into them lives as long as it does.
 */

#define CRM_SUMMARY_ARPU_MONTHS 12

/* One subscription on the Services section. */
typedef struct
{
  JsonObject *record;         /* the subscription */
  const char *product_name;   /* the product's name, or NULL when the product is not here */
  const char *category;       /* the product's category (crm_product_category_names), or NULL */
  gboolean    ends_soon;      /* active, and crm_contract_ends_soon () */
} CrmSummaryService;

/* The subscriptions of one product line. */
typedef struct
{
  const char *category;       /* NULL: products not in the store */
  GPtrArray  *services;       /* of CrmSummaryService *, by product name, then start */
  gint64      quantity;       /* the active ones' */
  gint64      monthly_fee;    /* the active ones' */
} CrmSummaryServiceGroup;

/* An open opportunity (stage neither won nor lost). */
typedef struct
{
  JsonObject *record;
  gint64      value;          /* amount_once + 12 × amount_monthly */
  gint64      weighted;       /* value × probability / 100 (not rounded: see the total) */
  int         probability;    /* its own, or its stage's default */
  gboolean    remote;         /* from the server, not in the store: read-only here */
} CrmSummaryOpportunity;

/* An open service request (status open or in_progress). */
typedef struct
{
  JsonObject *record;
  JsonObject *current_step;   /* the first step (by position) not done, or NULL */
  gboolean    overdue;        /* the current step's deadline has passed */
  guint       n_steps;
  guint       n_done;
} CrmSummaryRequest;

typedef struct
{
  CrmCustomer         *customer;
  char                *today;              /* "YYYY-MM-DD", local */

  gint64               monthly_revenue;    /* the customer's */
  gint64               active_lines;       /* Σ quantity of active subscriptions */
  gboolean             has_arpu;           /* FALSE when there are no active lines */
  gint64               arpu;               /* monthly_revenue / active_lines, rounded */
  guint                n_arpu_months;      /* 0..CRM_SUMMARY_ARPU_MONTHS */
  char                *arpu_months[CRM_SUMMARY_ARPU_MONTHS];  /* "YYYY-MM-DD", oldest first */
  gint64               arpu_trend[CRM_SUMMARY_ARPU_MONTHS];   /* that month's revenue / active_lines */
  gint64               arrears;            /* the customer's */
  guint                arrears_months;     /* consecutive latest months with arrears */
  guint                open_complaints;
  gint64               pipeline;           /* Σ value of open opportunities */
  gint64               pipeline_weighted;  /* Σ value × probability, / 100, rounded */
  gboolean             pipeline_partial;   /* others' opportunities are missing (not yet
                                            * or not at all from the server) */
  const char          *next_contract_end;  /* of an active subscription, from today; or NULL */
  guint                overdue_steps;      /* open steps of open requests past their deadline */
  CrmCustomerWarnings  warnings;

  guint                n_services;
  GPtrArray           *service_groups;     /* of CrmSummaryServiceGroup *, in category order */
  GPtrArray           *opportunities;      /* of CrmSummaryOpportunity *, by expected close */
  GPtrArray           *requests;           /* of CrmSummaryRequest *, by current step's deadline */

  /*< private >*/
  GPtrArray           *records;            /* every JsonObject read, kept alive */
} CrmCustomerSummary;

/* Reads customer @id and what hangs under it from @store and computes its
 * figures as of @now (for "today", "overdue" and "ends within 90 days").
 * NULL with CRM_ERROR_NOT_FOUND when the customer is not here. */
CrmCustomerSummary *crm_customer_summary_read (CrmStore     *store,
                                               const char   *id,
                                               GDateTime    *now,
                                               GError      **error);
/* The same, with @remote (nullable): open opportunities from the server
 * (a director's store holds only their own; crm-customer-remote.h).
 * Those whose id the store has (at any stage) are the store's; the others
 * are added, marked remote, and count in the pipeline by the same rules. */
CrmCustomerSummary *crm_customer_summary_read_with_remote (CrmStore     *store,
                                                           const char   *id,
                                                           GDateTime    *now,
                                                           JsonArray    *remote,
                                                           GError      **error);
/* The summary is not changed once read: the page's parts share one. */
CrmCustomerSummary *crm_customer_summary_ref  (CrmCustomerSummary *summary);
/* Drops a reference (the last one frees it). */
void                crm_customer_summary_free (CrmCustomerSummary *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmCustomerSummary, crm_customer_summary_free)

G_END_DECLS
