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

/* Nesting and size limits of the criteria. */
#define CRM_SEGMENT_MAX_DEPTH      8
#define CRM_SEGMENT_MAX_CONDITIONS 64

G_END_DECLS
