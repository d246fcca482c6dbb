#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Dates travel as ISO 8601 "YYYY-MM-DD", months as "YYYY-MM". */
GDate   *crm_date_parse       (const char  *field,
                               const char  *text,
                               GError     **error);
char    *crm_date_format      (const GDate *date);
/* A month as one integer (year * 12 + month - 1), for month arithmetic. */
int      crm_month_index      (int          year,
                               int          month);
void     crm_month_from_index (int          index,
                               int         *year,
                               int         *month);

G_END_DECLS
