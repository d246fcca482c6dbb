#define G_LOG_DOMAIN "crm-cursor"

#include "config.h"

#include <string.h>

#include "crm-cursor.h"
#include "crm-error.h"
#include "crm-validate.h"

#define CURSOR_VERSION '1'
#define SEP '\n'
#define MAX_CURSOR_LENGTH 1024

void
crm_cursor_free (CrmCursor *cursor)
{
  if (cursor == NULL)
    return;
  g_free (cursor->value);
  g_free (cursor->id);
  g_free (cursor);
}

char *
crm_cursor_encode (const CrmCursor *cursor)
{
  g_autoptr(GString) raw = g_string_new (NULL);
  char *b64;

  g_return_val_if_fail (cursor != NULL && cursor->id != NULL, NULL);

  g_string_append_printf (raw, "%c%d%c%c%s%c%s",
                          CURSOR_VERSION, cursor->sort, cursor->descending ? 'd' : 'a',
                          SEP, cursor->value ? cursor->value : "", SEP, cursor->id);
  b64 = g_base64_encode ((const guchar *) raw->str, raw->len);
  /* URL-safe alphabet, no padding */
  for (char *p = b64; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return b64;
}

CrmCursor *
crm_cursor_decode (const char  *text,
                   GError     **error)
{
  g_autoptr(CrmCursor) cursor = NULL;
  g_autofree char *b64 = NULL;
  g_autofree guchar *raw = NULL;
  gsize len = 0;
  gsize text_len;
  const char *p, *end, *sep1, *sep2;

  if (text == NULL || (text_len = strlen (text)) == 0 || text_len > MAX_CURSOR_LENGTH)
    goto bad;
  for (p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      goto bad;

  b64 = g_malloc (text_len + 4);
  for (gsize i = 0; i < text_len; i++)
    b64[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
  while (text_len % 4 != 0)
    b64[text_len++] = '=';
  b64[text_len] = '\0';

  raw = g_base64_decode (b64, &len);
  if (raw == NULL || len < 4 || raw[0] != CURSOR_VERSION)
    goto bad;
  p = (const char *) raw;
  end = p + len;
  if (memchr (p, '\0', len) != NULL)
    goto bad;

  sep1 = memchr (p, SEP, len);
  if (sep1 == NULL || sep1 - p < 3)
    goto bad;
  /* The id (a UUID) follows the last separator; the value may hold more. */
  for (sep2 = end - 1; sep2 > sep1 && *sep2 != SEP; sep2--)
    ;
  if (sep2 == sep1)
    goto bad;

  cursor = g_new0 (CrmCursor, 1);
  {
    g_autofree char *num = g_strndup (p + 1, sep1 - p - 2);
    gint64 sort;
    char dir = sep1[-1];

    if (!g_ascii_string_to_signed (num, 10, 0, 64, &sort, NULL) || (dir != 'a' && dir != 'd'))
      goto bad;
    cursor->sort = (int) sort;
    cursor->descending = dir == 'd';
  }
  cursor->value = g_strndup (sep1 + 1, sep2 - sep1 - 1);
  cursor->id = g_strndup (sep2 + 1, end - sep2 - 1);
  if (!g_utf8_validate (cursor->value, -1, NULL) || !crm_validate_uuid (cursor->id))
    goto bad;

  return g_steal_pointer (&cursor);

bad:
  crm_set_field_error (error, CRM_ERROR_INVALID, "cursor",
                       "cursor is not a cursor this server handed out");
  return NULL;
}
