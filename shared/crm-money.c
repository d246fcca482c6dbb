#define G_LOG_DOMAIN "crm-money"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-money.h"

/* Parses "1234", "1234.5", "-1,234.56" or "¥1,234.56" into fen, exactly:
 * no floating point is involved, and more than two decimals is an error. */
gboolean
crm_money_parse (const char  *text,
                 CrmMoney    *out,
                 GError     **error)
{
  const char *p = text;
  gboolean negative = FALSE;
  guint64 whole = 0;
  guint64 frac = 0;
  guint ndigits = 0;
  guint nfrac = 0;
  guint group = 0;          /* digits since the last thousands separator */
  gboolean grouped = FALSE; /* a separator was seen */

  if (p == NULL)
    goto bad;
  while (*p == ' ')
    p++;
  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (g_str_has_prefix (p, "¥"))
    p += strlen ("¥");

  for (; *p && *p != '.'; p++)
    {
      if (*p == ',')
        {
          /* Separators only between groups of three: "1,23" is not ¥123. */
          if (ndigits == 0 || (grouped ? group != 3 : group > 3))
            goto bad;
          grouped = TRUE;
          group = 0;
          continue;
        }
      if (!g_ascii_isdigit (*p))
        goto bad;
      group++;
      if (whole > (G_MAXINT64 / 100 - 9) / 10)
        goto bad;
      whole = whole * 10 + (*p - '0');
      ndigits++;
    }
  if (grouped && group != 3)
    goto bad;
  if (*p == '.')
    {
      for (p++; *p; p++)
        {
          if (!g_ascii_isdigit (*p) || nfrac == 2)
            goto bad;
          frac = frac * 10 + (*p - '0');
          nfrac++;
        }
    }
  if (ndigits == 0 && nfrac == 0)
    goto bad;
  if (nfrac == 1)
    frac *= 10;

  *out = (CrmMoney) (whole * 100 + frac) * (negative ? -1 : 1);
  return TRUE;

bad:
  crm_set_field_error (error, CRM_ERROR_INVALID, "amount",
                       "“%s” is not an amount of money", text ? text : "");
  return FALSE;
}

/* 123456789 -> "¥1,234,567.89" (or without the symbol). */
char *
crm_money_format (CrmMoney value,
                  gboolean with_symbol)
{
  GString *out = g_string_new (NULL);
  guint64 abs_value = value < 0 ? (guint64) (-(value + 1)) + 1 : (guint64) value;
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, abs_value / 100);
  gsize len = strlen (digits);

  if (value < 0)
    g_string_append_c (out, '-');
  if (with_symbol)
    g_string_append (out, "¥");
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  g_string_append_printf (out, ".%02u", (guint) (abs_value % 100));
  return g_string_free (out, FALSE);
}
