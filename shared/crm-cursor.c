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
crm_base64url_encode (const void *data,
                      gsize       len)
{
  char *b64 = g_base64_encode (data, len);

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

guchar *
crm_base64url_decode (const char *text,
                      gsize       max_length,
                      gsize      *len)
{
  g_autofree char *b64 = NULL;
  gsize text_len;

  *len = 0;
  if (text == NULL || (text_len = strlen (text)) == 0 || text_len > max_length)
    return NULL;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return NULL;
  if (text_len % 4 == 1)
    return NULL;

  b64 = g_malloc (text_len + 4);
  for (gsize i = 0; i < text_len; i++)
    b64[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
  while (text_len % 4 != 0)
    b64[text_len++] = '=';
  b64[text_len] = '\0';
  return g_base64_decode (b64, len);
}

char *
crm_cursor_encode (const CrmCursor *cursor)
{
  g_autoptr(GString) raw = g_string_new (NULL);

  g_return_val_if_fail (cursor != NULL && cursor->id != NULL, NULL);

  g_string_append_printf (raw, "%c%d%c%c%s%c%s",
                          CURSOR_VERSION, cursor->sort, cursor->descending ? 'd' : 'a',
                          SEP, cursor->value ? cursor->value : "", SEP, cursor->id);
  return crm_base64url_encode (raw->str, raw->len);
}

CrmCursor *
crm_cursor_decode (const char  *text,
                   GError     **error)
{
  g_autoptr(CrmCursor) cursor = NULL;
  g_autofree guchar *raw = NULL;
  gsize len = 0;
  const char *p, *end, *sep1, *sep2;

  raw = crm_base64url_decode (text, MAX_CURSOR_LENGTH, &len);
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

/* Sync cursors ------------------------------------------------------------ */

#define SYNC_VERSION "s1"
#define MAX_SYNC_CURSOR_LENGTH 16384

void
crm_sync_cursor_free (CrmSyncCursor *cursor)
{
  if (cursor == NULL)
    return;
  g_free (cursor->identity);
  g_free (cursor->base);
  g_free (cursor->round);
  g_free (cursor->xid);
  g_free (cursor->key);
  g_free (cursor);
}

/* PostgreSQL's pg_snapshot text: xmin:xmax:xip,xip,... (digits only). */
gboolean
crm_validate_snapshot (const char *text)
{
  guint colons = 0;
  gboolean digit = FALSE;

  if (text == NULL || *text == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    {
      if (g_ascii_isdigit (*p))
        digit = TRUE;
      else if (*p == ':' && digit && colons < 2)
        {
          colons++;
          digit = FALSE;
        }
      else if (*p == ',' && digit && colons == 2)
        digit = FALSE;
      else
        return FALSE;
    }
  /* the list of running transactions may be empty, xmin and xmax may not */
  return colons == 2 && (digit || text[strlen (text) - 1] == ':');
}

static gboolean
all_digits (const char *text,
            gsize       max)
{
  gsize n = 0;

  for (const char *p = text; *p; p++, n++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return n > 0 && n <= max;
}

char *
crm_sync_cursor_encode (const CrmSyncCursor *cursor)
{
  g_autoptr(GString) raw = g_string_new (SYNC_VERSION);

  g_return_val_if_fail (cursor != NULL && cursor->identity != NULL, NULL);

  g_string_append_printf (raw, "\n%s\n%s\n%s\n%d\n%s\n%s", cursor->identity,
                          cursor->base ? cursor->base : "", cursor->round ? cursor->round : "",
                          cursor->stage, cursor->xid ? cursor->xid : "", cursor->key ? cursor->key : "");
  return crm_base64url_encode (raw->str, raw->len);
}

CrmSyncCursor *
crm_sync_cursor_decode (const char  *text,
                        GError     **error)
{
  g_autoptr(CrmSyncCursor) cursor = NULL;
  g_autofree guchar *raw = NULL;
  g_auto(GStrv) parts = NULL;
  gsize len = 0;
  gint64 stage;

  raw = crm_base64url_decode (text, MAX_SYNC_CURSOR_LENGTH, &len);
  if (raw == NULL || memchr (raw, '\0', len) != NULL)
    goto bad;
  {
    g_autofree char *str = g_strndup ((const char *) raw, len);

    parts = g_strsplit (str, "\n", -1);
  }
  if (g_strv_length (parts) != 7 || !g_str_equal (parts[0], SYNC_VERSION))
    goto bad;

  cursor = g_new0 (CrmSyncCursor, 1);
  cursor->identity = g_strdup (parts[1]);
  cursor->base = *parts[2] ? g_strdup (parts[2]) : NULL;
  cursor->round = *parts[3] ? g_strdup (parts[3]) : NULL;
  cursor->xid = *parts[5] ? g_strdup (parts[5]) : NULL;
  cursor->key = *parts[6] ? g_strdup (parts[6]) : NULL;
  if (!g_ascii_string_to_signed (parts[4], 10, 0, CRM_SYNC_N_STAGES - 1, &stage, NULL))
    goto bad;
  cursor->stage = (int) stage;

  if (!all_digits (cursor->identity, 64) ||
      (cursor->base && !crm_validate_snapshot (cursor->base)) ||
      (cursor->round && !crm_validate_snapshot (cursor->round)) ||
      (cursor->xid == NULL) != (cursor->key == NULL) ||
      (cursor->xid && !all_digits (cursor->xid, 20)))
    goto bad;
  /* the key is a row id, or for departures their sequence number */
  if (cursor->key && !(cursor->stage == CRM_SYNC_STAGE_DEPARTURES
                       ? all_digits (cursor->key, 19) : crm_validate_uuid (cursor->key)))
    goto bad;

  return g_steal_pointer (&cursor);

bad:
  crm_set_field_error (error, CRM_ERROR_INVALID, "cursor",
                       "cursor is not a sync cursor this server handed out");
  return NULL;
}
