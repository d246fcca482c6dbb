#pragma once

#include <json-glib/json-glib.h>

#include "crm-wire.h"

G_BEGIN_DECLS

#define CRM_TYPE_OPPORTUNITY_ITEM (crm_opportunity_item_get_type ())

G_DECLARE_FINAL_TYPE (CrmOpportunityItem, crm_opportunity_item, CRM, OPPORTUNITY_ITEM, GObject)

/*
 * One opportunity as the pipeline's views show it (Board, Table): the
 * record from the local store with what the views derive from it and from
 * the records around it (the customer's name and region, the owner's name
 * and team, the stage's default probability).  The derivations are the
 * issue's, the same in the server's SQL (docs/internals.md, "Pipeline
 * figures"):
 *
 * - amount (total contract value, fen) = amount_once + amount_monthly ×
 *   contract_months (12 where the record has no contract_months);
 * - effective probability = the record's probability, or the stage's
 *   default when the record's is null;
 * - weighted = (amount × probability + 50) / 100, integer division;
 * - days in stage = whole days from stage_changed_at to now.
 *
 * An item never changes; a changed opportunity is a new item.  Read-only
 * properties, for list cells to bind.
 */

#define CRM_OPPORTUNITY_DEFAULT_CONTRACT_MONTHS 12

/* What the item takes from the records around the opportunity. */
typedef struct
{
  const char *customer_name;        /* NULL: the customer is not here */
  const char *region_id;            /* the customer's region, or NULL */
  const char *owner_name;           /* NULL: the owner is not in the directory */
  const char *team_id;              /* the owner's team, or NULL */
  int         default_probability;  /* the stage's, 0..100; -1 when unknown */
} CrmOpportunityContext;

/* The total contract value, in fen. */
static inline gint64
crm_opportunity_amount (gint64 amount_once,
                        gint64 amount_monthly,
                        gint64 contract_months)
{
  return amount_once + amount_monthly * contract_months;
}

/* The weighted value, in fen: @amount × @probability / 100, rounded (halves
 * up; amounts are never negative). */
static inline gint64
crm_opportunity_weighted (gint64 amount,
                          int    probability)
{
  return (amount * probability + 50) / 100;
}

/* @now: for the days in stage.  @context may be NULL (nothing known). */
CrmOpportunityItem *crm_opportunity_item_new                  (JsonObject                  *record,
                                                               const CrmOpportunityContext *context,
                                                               GDateTime                   *now);
/* A copy of @self moved to @stage at @changed_at, as the store will have
 * it once the move is written (its probability the stage's default,
 * @default_probability, when it has none of its own). */
CrmOpportunityItem *crm_opportunity_item_new_moved            (CrmOpportunityItem          *self,
                                                               CrmStage                     stage,
                                                               int                          default_probability,
                                                               GDateTime                   *changed_at,
                                                               GDateTime                   *now);
/* When its stage changed (RFC 3339), or NULL. */
const char         *crm_opportunity_item_get_stage_changed_at (CrmOpportunityItem          *self);

/* The record as the store gave it (do not change it). */
JsonObject         *crm_opportunity_item_get_record           (CrmOpportunityItem          *self);
const char         *crm_opportunity_item_get_id               (CrmOpportunityItem          *self);
const char         *crm_opportunity_item_get_customer_id      (CrmOpportunityItem          *self);
const char         *crm_opportunity_item_get_customer_name    (CrmOpportunityItem          *self);
const char         *crm_opportunity_item_get_region_id        (CrmOpportunityItem          *self);
const char         *crm_opportunity_item_get_owner_id         (CrmOpportunityItem          *self);
const char         *crm_opportunity_item_get_owner_name       (CrmOpportunityItem          *self);
const char         *crm_opportunity_item_get_team_id          (CrmOpportunityItem          *self);
const char         *crm_opportunity_item_get_title            (CrmOpportunityItem          *self);
CrmStage            crm_opportunity_item_get_stage            (CrmOpportunityItem          *self);
gint64              crm_opportunity_item_get_amount_once      (CrmOpportunityItem          *self);
gint64              crm_opportunity_item_get_amount_monthly   (CrmOpportunityItem          *self);
int                 crm_opportunity_item_get_contract_months  (CrmOpportunityItem          *self);
gint64              crm_opportunity_item_get_amount           (CrmOpportunityItem          *self);
/* The effective probability, 0..100. */
int                 crm_opportunity_item_get_probability      (CrmOpportunityItem          *self);
/* The opportunity's own probability, or -1 when it takes the stage's. */
int                 crm_opportunity_item_get_probability_override (CrmOpportunityItem      *self);
gint64              crm_opportunity_item_get_weighted         (CrmOpportunityItem          *self);
/* "YYYY-MM-DD" or NULL */
const char         *crm_opportunity_item_get_expected_close   (CrmOpportunityItem          *self);
/* -1 when the record does not say when its stage changed */
int                 crm_opportunity_item_get_days_in_stage    (CrmOpportunityItem          *self);
/* crm_product_category_names, never NULL */
const char * const *crm_opportunity_item_get_product_lines    (CrmOpportunityItem          *self);
gboolean            crm_opportunity_item_has_product_line     (CrmOpportunityItem          *self,
                                                               const char                  *product_line);
const char         *crm_opportunity_item_get_lost_reason      (CrmOpportunityItem          *self);
gint64              crm_opportunity_item_get_version          (CrmOpportunityItem          *self);

G_END_DECLS
