#define G_LOG_DOMAIN "crm-cursor"

#include "config.h"

#include <string.h>

#include "crm-cursor.h"
#include "crm-date.h"
#include "crm-error.h"
#include "crm-validate.h"
#include "crm-wire.h"

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

/* @n digits at @p as a number, or -1. */
static int
fixed_digits (const char *p,
              guint       n)
{
  int value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return -1;
      value = value * 10 + (p[i] - '0');
    }
  return value;
}

/* PostgreSQL's text of a timestamptz (DateStyle ISO), as the list's cursor
 * carries it: "2026-12-03 02:36:51.123456+08", the fraction optional, the
 * offset's minutes and seconds too.  Anything else is refused here rather
 * than by PostgreSQL. */
gboolean
crm_validate_pg_timestamp (const char *text)
{
  const char *p = text;
  int year, month, day, hour, minute, second;
  guint fraction = 0;

  if (text == NULL || strlen (text) < 22)
    return FALSE;
  year = fixed_digits (p, 4);
  month = fixed_digits (p + 5, 2);
  day = fixed_digits (p + 8, 2);
  hour = fixed_digits (p + 11, 2);
  minute = fixed_digits (p + 14, 2);
  second = fixed_digits (p + 17, 2);
  if (p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') || p[13] != ':' || p[16] != ':' ||
      year < 1 || month < 1 || day < 1 || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year) ||
      hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
    return FALSE;
  p += 19;
  if (*p == '.')
    {
      for (p++; g_ascii_isdigit (*p); p++)
        fraction++;
      if (fraction < 1 || fraction > 6)
        return FALSE;
    }
  /* the offset: +HH, +HH:MM or +HH:MM:SS, at most 15:59:59 */
  if (*p != '+' && *p != '-')
    return FALSE;
  p++;
  for (guint part = 0; part < 3; part++)
    {
      int value = fixed_digits (p, 2);

      if (value < 0 || value > (part == 0 ? 15 : 59))
        return FALSE;
      p += 2;
      if (*p == '\0')
        return TRUE;
      if (*p != ':' || part == 2)
        return FALSE;
      p++;
    }
  return FALSE;
}

gboolean
crm_cursor_check_customer_sort (const CrmCursor  *cursor,
                                GError          **error)
{
  gboolean ok;

  g_return_val_if_fail (cursor != NULL, FALSE);

  switch (cursor->sort)
    {
    case CRM_CUSTOMER_SORT_NAME:
      ok = cursor->value != NULL;
      break;
    case CRM_CUSTOMER_SORT_REVENUE:
      ok = g_ascii_string_to_signed (cursor->value, 10, G_MININT64, G_MAXINT64, NULL, NULL);
      break;
    case CRM_CUSTOMER_SORT_UPDATED:
      ok = crm_validate_pg_timestamp (cursor->value);
      break;
    case CRM_N_CUSTOMER_SORTS:
    default:
      ok = FALSE;
      break;
    }
  if (!ok)
    crm_set_field_error (error, CRM_ERROR_INVALID, "cursor", "cursor is damaged");
  return ok;
}

/* Sync cursors ------------------------------------------------------------ */

#define SYNC_VERSION "s2"
#define MAX_SYNC_CURSOR_LENGTH 16384

/* The stage order: the entities with every parent and referenced entity
 * before the entities pointing to it (in the table's order otherwise),
 * then the departures.  Computed once from the entity table. */
static const CrmEntity *
stage_order (void)
{
  static CrmEntity order[CRM_SYNC_N_STAGES];
  static gsize done;

  if (g_once_init_enter (&done))
    {
      gboolean placed[CRM_N_ENTITIES] = { FALSE };
      guint n = 0;

      while (n < CRM_N_ENTITIES)
        {
          guint before = n;

          for (guint e = 0; e < CRM_N_ENTITIES; e++)
            {
              const CrmEntityInfo *info = crm_entity_info (e);
              gboolean ready = !placed[e] && (info->parent == CRM_N_ENTITIES || placed[info->parent]);

              for (const CrmField *f = info->fields; ready && f->name; f++)
                if (f->value_type == CRM_VALUE_REFERENCE && f->reference != (CrmEntity) e)
                  ready = placed[f->reference];
              if (ready)
                {
                  placed[e] = TRUE;
                  order[n++] = e;
                }
            }
          /* a cycle of references would be a broken table */
          g_assert (n > before);
        }
      order[CRM_SYNC_STAGE_DEPARTURES] = CRM_N_ENTITIES;
      g_once_init_leave (&done, 1);
    }
  return order;
}

CrmEntity
crm_sync_stage_entity (guint stage)
{
  g_return_val_if_fail (stage < CRM_SYNC_N_STAGES, CRM_N_ENTITIES);

  return stage_order ()[stage];
}

/* The version and the stage list a cursor was made for: "s2" and a digest
 * of the stages' names, so that a server with other stages resets it. */
static const char *
sync_version (void)
{
  static char *version;
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_autoptr(GString) names = g_string_new (NULL);
      g_autofree char *digest = NULL;

      for (guint stage = 0; stage < CRM_SYNC_N_STAGES; stage++)
        {
          CrmEntity e = crm_sync_stage_entity (stage);

          g_string_append_printf (names, "%s,", e == CRM_N_ENTITIES ? "removed" : crm_entity_info (e)->name);
          if (e != CRM_N_ENTITIES)
            for (const char * const *k = crm_entity_info (e)->key; *k; k++)
              g_string_append_printf (names, "%s;", *k);
        }
      digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, names->str, names->len);
      version = g_strdup_printf ("%s-%.12s", SYNC_VERSION, digest);
      g_once_init_leave (&done, 1);
    }
  return version;
}

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

/* Digits only, as an unsigned 64-bit number at most @max. */
static gboolean
parse_unsigned (const char *text,
                gsize       len,
                guint64     max,
                guint64    *value)
{
  g_autofree char *copy = g_strndup (text, len);

  if (len == 0 || len > 20)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return g_ascii_string_to_unsigned (copy, 10, 0, max, value, NULL);
}

/* PostgreSQL's pg_snapshot text: xmin:xmax:xip,xip,...  As PostgreSQL
 * reads it: 0 < xmin <= xmax, each running transaction in [xmin, xmax)
 * and in order; every number fits 64 bits. */
gboolean
crm_validate_snapshot (const char *text)
{
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) running = NULL;
  guint64 xmin, xmax, last;

  if (text == NULL)
    return FALSE;
  parts = g_strsplit (text, ":", -1);
  if (g_strv_length (parts) != 3 ||
      !parse_unsigned (parts[0], strlen (parts[0]), G_MAXUINT64, &xmin) ||
      !parse_unsigned (parts[1], strlen (parts[1]), G_MAXUINT64, &xmax) ||
      xmin == 0 || xmax < xmin)
    return FALSE;
  if (*parts[2] == '\0')
    return TRUE;
  running = g_strsplit (parts[2], ",", -1);
  last = xmin;
  for (guint i = 0; running[i] != NULL; i++)
    {
      guint64 xip;

      if (!parse_unsigned (running[i], strlen (running[i]), G_MAXUINT64, &xip) ||
          xip < last || xip >= xmax)
        return FALSE;
      last = xip;
    }
  return TRUE;
}

/* A decimal number without sign or leading noise, at most @max. */
static gboolean
number_at_most (const char *text,
                guint64     max)
{
  return parse_unsigned (text, strlen (text), max, NULL);
}

/* "s1", or "s<digits>-<12 hex digits>": a version this server or an
 * earlier one wrote. */
static gboolean
is_sync_version (const char *text)
{
  const char *p = text + 1;

  if (text[0] != 's' || !g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '\0')
    return TRUE;
  if (*p++ != '-' || strlen (p) != 12)
    return FALSE;
  for (; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

/* One key field's text as the stage's statement reads it. */
static gboolean
key_part_valid (const CrmField *field,
                const char     *text)
{
  switch (field->value_type)
    {
    case CRM_VALUE_UUID:
    case CRM_VALUE_REFERENCE:
      return crm_validate_uuid (text);
    case CRM_VALUE_INTEGER:
      return g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, NULL, NULL);
    case CRM_VALUE_DATE:
      {
        g_autoptr(GDate) date = strlen (text) == 10 ? crm_date_parse ("cursor", text, NULL) : NULL;

        return date != NULL;
      }
    case CRM_VALUE_ENUM:
      return crm_wire_lookup (field->enum_values, text) >= 0;
    case CRM_VALUE_TEXT:
    case CRM_VALUE_MONEY:
    case CRM_VALUE_TIMESTAMP:
    case CRM_VALUE_BOOL:
    case CRM_VALUE_TEXT_LIST:
    case CRM_VALUE_JSON:
    default:
      return FALSE;
    }
}

gboolean
crm_sync_stage_key_valid (guint       stage,
                          const char *key)
{
  CrmEntity entity;
  const CrmEntityInfo *info;
  g_auto(GStrv) parts = NULL;
  guint i;

  g_return_val_if_fail (stage < CRM_SYNC_N_STAGES, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  entity = crm_sync_stage_entity (stage);
  if (entity == CRM_N_ENTITIES)
    return number_at_most (key, G_MAXINT64);
  info = crm_entity_info (entity);
  parts = g_strsplit (key, ",", -1);
  for (i = 0; info->key[i] != NULL; i++)
    if (parts[i] == NULL || !key_part_valid (crm_entity_info_field (info, info->key[i]), parts[i]))
      return FALSE;
  return parts[i] == NULL;
}

char *
crm_sync_cursor_encode (const CrmSyncCursor *cursor)
{
  g_autoptr(GString) raw = g_string_new (sync_version ());

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
  if (g_strv_length (parts) < 2 || !number_at_most (parts[1], G_MAXUINT64))
    goto bad;
  if (!g_str_equal (parts[0], sync_version ()))
    {
      /* One of ours, made for the old format ("s1") or another stage
       * list: not an error, the client starts over. */
      if (!is_sync_version (parts[0]))
        goto bad;
      cursor = g_new0 (CrmSyncCursor, 1);
      cursor->identity = g_strdup (parts[1]);
      cursor->outdated = TRUE;
      return g_steal_pointer (&cursor);
    }
  if (g_strv_length (parts) != 7)
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

  /* Every number within the range of its type (the identity a uint64,
   * positions an xid8 and a bigint), so none of it fails in PostgreSQL. */
  if (!number_at_most (cursor->identity, G_MAXUINT64) ||
      (cursor->base && !crm_validate_snapshot (cursor->base)) ||
      (cursor->round && !crm_validate_snapshot (cursor->round)) ||
      (cursor->xid == NULL) != (cursor->key == NULL) ||
      (cursor->xid && !number_at_most (cursor->xid, G_MAXUINT64)))
    goto bad;
  /* the key is the row's key, or for departures their sequence number */
  if (cursor->key && !crm_sync_stage_key_valid (cursor->stage, cursor->key))
    goto bad;

  return g_steal_pointer (&cursor);

bad:
  crm_set_field_error (error, CRM_ERROR_INVALID, "cursor",
                       "cursor is not a sync cursor this server handed out");
  return NULL;
}
