#define G_LOG_DOMAIN "crm-date"

#include "config.h"

#include <string.h>

#include "crm-date.h"
#include "crm-error.h"

GDate *
crm_date_parse (const char  *field,
                const char  *text,
                GError     **error)
{
  guint64 y, m, d;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    goto bad;
  {
    char ys[5] = { text[0], text[1], text[2], text[3], 0 };
    char ms[3] = { text[5], text[6], 0 };
    char ds[3] = { text[8], text[9], 0 };

    if (!g_ascii_string_to_unsigned (ys, 10, 1900, 9999, &y, NULL) ||
        !g_ascii_string_to_unsigned (ms, 10, 1, 12, &m, NULL) ||
        !g_ascii_string_to_unsigned (ds, 10, 1, 31, &d, NULL))
      goto bad;
  }
  if (!g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    goto bad;
  return g_date_new_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);

bad:
  crm_set_field_error (error, CRM_ERROR_INVALID, field,
                       "%s must be a date written YYYY-MM-DD", field);
  return NULL;
}

char *
crm_date_format (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u",
                          g_date_get_year (date),
                          g_date_get_month (date),
                          g_date_get_day (date));
}

int
crm_month_index (int year,
                 int month)
{
  return year * 12 + month - 1;
}

void
crm_month_from_index (int  index,
                      int *year,
                      int *month)
{
  *year = index / 12;
  *month = index % 12 + 1;
}
