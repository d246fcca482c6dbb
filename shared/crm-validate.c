#define G_LOG_DOMAIN "crm-validate"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-validate.h"

gboolean
crm_validate_uuid (const char *value)
{
  static const guint dashes[] = { 8, 13, 18, 23 };
  guint d = 0;

  if (value == NULL || strlen (value) != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++)
    {
      if (d < G_N_ELEMENTS (dashes) && i == dashes[d])
        {
          if (value[i] != '-')
            return FALSE;
          d++;
        }
      else if (!g_ascii_isxdigit (value[i]))
        return FALSE;
    }
  return TRUE;
}

/* Mainland China mobile numbers: 11 digits, starting 13–19.  An optional
 * +86 or 86 prefix and spaces or dashes between groups are accepted. */
gboolean
crm_validate_mobile (const char *value)
{
  char digits[16];
  guint n = 0;
  const char *p = value;
  gboolean plus86 = FALSE;

  if (value == NULL)
    return FALSE;
  if (g_str_has_prefix (p, "+86"))
    {
      p += 3;
      plus86 = TRUE;
    }
  for (; *p; p++)
    {
      if (*p == ' ' || *p == '-')
        continue;
      if (!g_ascii_isdigit (*p) || n >= sizeof digits - 1)
        return FALSE;
      digits[n++] = *p;
    }
  digits[n] = '\0';
  if (!plus86 && n == 13 && g_str_has_prefix (digits, "86"))
    memmove (digits, digits + 2, (n -= 2) + 1);
  return n == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9';
}

gboolean
crm_validate_email (const char *value)
{
  const char *at;
  const char *dot;

  if (value == NULL || strlen (value) > 254)
    return FALSE;
  /* No spaces or control characters (a newline would inject a header). */
  for (const char *p = value; *p; p++)
    if ((guchar) *p <= ' ' || *p == 0x7f)
      return FALSE;
  at = strchr (value, '@');
  if (at == NULL || at == value || strchr (at + 1, '@') != NULL)
    return FALSE;
  dot = strrchr (at, '.');
  return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

gboolean
crm_validate_login (const char *value)
{
  gsize len;

  if (value == NULL)
    return FALSE;
  len = strlen (value);
  if (len < 2 || len > 64)
    return FALSE;
  for (const char *p = value; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
validate_text (const char  *field,
               const char  *value,
               guint        min_chars,
               guint        max_chars,
               gboolean     multiline,
               GError     **error)
{
  glong chars;

  if (value == NULL || !g_utf8_validate (value, -1, NULL))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, field, "%s must be text", field);
      return FALSE;
    }
  /* Control characters (a NUL arriving as \u0000 is refused before this,
   * by crm_json_check, since a C string ends there). */
  for (const char *p = value; *p; p++)
    {
      guchar c = (guchar) *p;

      if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\t')))
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, field,
                               multiline ? "%s must not contain control characters"
                                         : "%s must be one line without control characters",
                               field);
          return FALSE;
        }
    }
  chars = g_utf8_strlen (value, -1);
  if (chars < min_chars)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, field,
                           min_chars == 1 ? "%s is required" : "%s is too short", field);
      return FALSE;
    }
  if (chars > max_chars)
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, field,
                           "%s is longer than %u characters", field, max_chars);
      return FALSE;
    }
  return TRUE;
}

gboolean
crm_validate_text (const char  *field,
                   const char  *value,
                   guint        min_chars,
                   guint        max_chars,
                   GError     **error)
{
  return validate_text (field, value, min_chars, max_chars, FALSE, error);
}

gboolean
crm_validate_text_multiline (const char  *field,
                             const char  *value,
                             guint        min_chars,
                             guint        max_chars,
                             GError     **error)
{
  return validate_text (field, value, min_chars, max_chars, TRUE, error);
}

gboolean
crm_parse_int_param (const char  *field,
                     const char  *value,
                     gint64       min,
                     gint64       max,
                     gint64      *out,
                     GError     **error)
{
  gint64 v;

  if (value == NULL || !g_ascii_string_to_signed (value, 10, min, max, &v, NULL))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, field,
                           "%s must be a whole number from %" G_GINT64_FORMAT
                           " to %" G_GINT64_FORMAT, field, min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
crm_parse_enum_param (const char         *field,
                      const char         *value,
                      const char * const *names,
                      int                *out,
                      GError            **error)
{
  for (int i = 0; value != NULL && names[i] != NULL; i++)
    if (g_str_equal (names[i], value))
      {
        *out = i;
        return TRUE;
      }
  {
    g_autofree char *allowed = g_strjoinv (", ", (char **) names);
    crm_set_field_error (error, CRM_ERROR_INVALID, field,
                         "%s must be one of: %s", field, allowed);
  }
  return FALSE;
}

char *
crm_mask_text (const char *value,
               guint       keep_head,
               guint       keep_tail)
{
  GString *out;
  glong n;
  const char *p;

  if (value == NULL)
    return NULL;
  n = g_utf8_strlen (value, -1);
  if (n <= (glong) (keep_head + keep_tail))
    {
      keep_head = 0;
      keep_tail = n > 2 ? 1 : 0;
    }
  out = g_string_new (NULL);
  p = value;
  for (glong i = 0; i < n; i++, p = g_utf8_next_char (p))
    {
      if (i < keep_head || i >= n - keep_tail)
        g_string_append_unichar (out, g_utf8_get_char (p));
      else
        g_string_append_c (out, '*');
    }
  return g_string_free (out, FALSE);
}

/* 13812345678 -> 138****5678 */
char *
crm_mask_phone (const char *value)
{
  return crm_mask_text (value, 3, 4);
}
