#pragma once

#include <glib.h>

#include "crm-customer-warnings.h"
#include "crm-fields.h"
#include "crm-wire.h"

G_BEGIN_DECLS

/*
 * Numbers, money, dates and the closed vocabularies (crm-wire.h) as the
 * interface shows them, in the current locale: digit grouping and the
 * decimal point from LC_NUMERIC, dates from LC_TIME, words from the
 * translation.
 */

char       *crm_format_number             (gint64             value);
/* Integer fen as yuan: "¥1,234,567.80". */
char       *crm_format_money              (gint64             fen);
/* "2019-03-01" (or an ISO 8601 date-time) as the locale writes a date;
 * NULL for NULL or what cannot be read. */
char       *crm_format_date               (const char        *iso);
/* An ISO 8601 date-time in local time, date and hours:minutes. */
char       *crm_format_date_time          (const char        *iso);
/* "Synced just now", "Synced 2 minutes ago", ... */
char       *crm_format_synced             (GDateTime         *synced,
                                           GDateTime         *now);

const char *crm_tier_label                (CrmTier            tier);
const char *crm_customer_status_label     (CrmCustomerStatus  status);
const char *crm_customer_kind_label       (CrmCustomerKind    kind);
/* By the wire word; the word itself when it is not known, "" for NULL. */
const char *crm_tier_label_for            (const char        *tier);
const char *crm_customer_status_label_for (const char        *status);
const char *crm_customer_kind_label_for   (const char        *kind);
const char *crm_value_segment_label_for   (const char        *segment);

/* The industries the server's data uses ("finance", ...), NULL-terminated;
 * the industry field is free text, so other words show as they are. */
extern const char * const crm_industry_names[];
const char *crm_industry_label_for        (const char        *industry);

/* One warning (a single flag of CrmCustomerWarnings): its words, short
 * for a list column ("Arrears"), and its symbolic icon.  NULL for
 * anything but one known flag. */
const char *crm_customer_warning_label     (CrmCustomerWarnings warning);
const char *crm_customer_warning_icon_name (CrmCustomerWarnings warning);

/* A field's label from the entity table (shared/crm-entity.c), translated,
 * as the editor, the list of unsent changes and the conflict dialog show
 * it; NULL for a name that is no field of @entity. */
const char *crm_field_label               (CrmEntity          entity,
                                           const char        *name);

/* Why @value (NULL or "" for empty) cannot be written to @spec, in the
 * interface's words, for a message under the field; the forms' one rule
 * (the check itself is crm_field_validate ()). */
char       *crm_field_problem             (const CrmField    *spec,
                                           const char        *value);

G_END_DECLS
