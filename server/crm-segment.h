#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * A segment's criteria (issue 11) compiled into one SQL condition over
 * crm.customers as "c".  Criteria are a tree of
 *
 *   {"all": [node, ...]}   every node holds
 *   {"any": [node, ...]}   at least one node holds
 *   {"field": NAME, "op": OP, "value": VALUE}
 *
 * Field names and operators come only from the table in crm-segment.c;
 * every value becomes a parameter ($first_param, $first_param + 1, ...),
 * appended to @values as text.  An unknown field or operator, a value of
 * the wrong shape, or a tree too deep or too large is CRM_ERROR_INVALID
 * whose field is the JSON pointer of the offending member below @path
 * ("/criteria/all/1/op").
 */
char *crm_segment_compile (JsonNode    *criteria,
                           const char  *path,
                           guint        first_param,
                           GPtrArray   *values,
                           GError     **error);
/* The condition of @criteria (already compiled without error by
 * crm_segment_compile() with the same @first_param: the same parameters)
 * valid only while no customer's kept figures are stale (ARPU figures
 * of an earlier month, a nearest contract end in the past:
 * CRM_SEGMENT_KEPT_STALE false); NULL when it would be the same text. */
char *crm_segment_compile_current (JsonNode *criteria,
                                   guint     first_param);

/* A subquery: whether some customer the caller sees has kept ARPU figures
 * of an earlier month (0020) or a kept nearest contract end in the past
 * (0022); each an index probe. */
#define CRM_SEGMENT_KEPT_STALE \
  "(SELECT EXISTS (SELECT 1 FROM crm.customers k" \
  " WHERE k.arpu_month0 < date_trunc('month', current_date)::date)" \
  " OR EXISTS (SELECT 1 FROM crm.customers k WHERE k.contract_end_next < current_date))"

/* A statement to run before the preview, in its transaction: the planner
 * costs a random page read as the sequential one it is with the customers
 * in memory, so that a count reads the narrow covering index
 * customers_segment (0022) instead of the table when no index narrows it. */
#define CRM_SEGMENT_PLANNING "SELECT set_config('random_page_cost', '1.1', true)"

/* Nesting and size limits of the criteria. */
#define CRM_SEGMENT_MAX_DEPTH      8
#define CRM_SEGMENT_MAX_CONDITIONS 64

G_END_DECLS
