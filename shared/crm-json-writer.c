#define G_LOG_DOMAIN "crm-json-writer"

#include "config.h"

#include <math.h>
#include <string.h>

#include "crm-json-writer.h"

void
crm_json_writer_init (CrmJsonWriter *w,
                      GString       *out)
{
  w->out = out;
  w->depth = 0;
  w->need_comma = 0;
}

/*
 * GLib 2.74's g_string_append_len() is g_string_insert_len(), which
 * handles an insertion anywhere and an overlapping source; a page of rows
 * makes thousands of short appends (perf: g_string_insert_len and the
 * byte-at-a-time escape were 9% of keyline-server's CPU per list page).
 * This only appends.  (g_string_append_c() is inline already.)
 */
static inline void
put (GString    *out,
     const char *bytes,
     gsize       length)
{
  gsize at = out->len;

  if (G_UNLIKELY (at + length >= out->allocated_len))
    g_string_set_size (out, at + length);
  else
    {
      out->len = at + length;
      out->str[out->len] = '\0';
    }
  memcpy (out->str + at, bytes, length);
}

static inline void
before_value (CrmJsonWriter *w)
{
  guint64 bit = G_GUINT64_CONSTANT (1) << w->depth;

  if (w->need_comma & bit)
    g_string_append_c (w->out, ',');
  w->need_comma |= bit;
}

static inline void
push (CrmJsonWriter *w,
      char           c)
{
  before_value (w);
  g_string_append_c (w->out, c);
  g_assert (w->depth < 63);
  w->depth++;
  w->need_comma &= ~(G_GUINT64_CONSTANT (1) << w->depth);
}

static inline void
pop (CrmJsonWriter *w,
     char           c)
{
  g_assert (w->depth > 0);
  w->need_comma &= ~(G_GUINT64_CONSTANT (1) << w->depth);
  w->depth--;
  g_string_append_c (w->out, c);
}

void
crm_json_begin_object (CrmJsonWriter *w)
{
  push (w, '{');
}

void
crm_json_end_object (CrmJsonWriter *w)
{
  pop (w, '}');
}

void
crm_json_begin_array (CrmJsonWriter *w)
{
  push (w, '[');
}

void
crm_json_end_array (CrmJsonWriter *w)
{
  pop (w, ']');
}

/* Eight bytes at a time: does @v hold a byte JSON must escape (below 0x20,
 * '"' or '\\')?  x - 0x01 per byte sets a byte's top bit where x was 0
 * (x = v ^ '"': a quote), x - 0x20 where x was below 0x20; "& ~v" keeps
 * bytes below 0x80, so UTF-8 never matches.  A borrow can only carry past
 * a byte that matched, so the answer is exact; which byte is found again
 * one at a time. */
static inline gboolean
word_needs_escape (guint64 v)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  guint64 quote = v ^ (ones * '"');
  guint64 backslash = v ^ (ones * '\\');

  return (((v - ones * 0x20) | (quote - ones) | (backslash - ones)) & ~v & highs) != 0;
}

/* The last 1-7 bytes of a string as one word, the bytes it lacks being
 * 'a' (plain).  Loads of 4 or 2 bytes that may overlap, into registers: the
 * same from a padded copy on the stack stalled on the store (perf
 * annotate: 40% of the function on the load after it). */
static inline guint64
tail_word (const char *p,
           gsize       n)
{
  guint32 a, b;
  guint16 c, d;

  if (n >= 4)
    {
      memcpy (&a, p, 4);
      memcpy (&b, p + n - 4, 4);
      return a | (guint64) b << 32;
    }
  if (n >= 2)
    {
      memcpy (&c, p, 2);
      memcpy (&d, p + n - 2, 2);
      return c | (guint64) d << 16 | G_GUINT64_CONSTANT (0x6161616100000000);
    }
  return (guchar) *p | G_GUINT64_CONSTANT (0x6161616161616100);
}

void
crm_json_escape_append (GString    *out,
                        const char *value,
                        gsize       length)
{
  static const char hex[] = "0123456789abcdef";
  const char *p = value;
  const char *end = value + length;
  const char *run = p;
  gboolean tail_looked_at = FALSE;

  g_string_append_c (out, '"');
  while (p < end)
    {
      guchar c;
      guint64 v;

      if (end - p >= 8)
        {
          memcpy (&v, p, sizeof v);
          if (!word_needs_escape (v))
            {
              p += 8;
              continue;
            }
        }
      else if (!tail_looked_at)
        {
          if (!word_needs_escape (tail_word (p, end - p)))
            {
              p = end;
              break;
            }
          tail_looked_at = TRUE;
        }
      c = (guchar) *p;
      if (c >= 0x20 && c != '"' && c != '\\')
        {
          p++;
          continue;
        }
      put (out, run, p - run);
      switch (c)
        {
        case '"':  put (out, "\\\"", 2); break;
        case '\\': put (out, "\\\\", 2); break;
        case '\n': put (out, "\\n", 2); break;
        case '\r': put (out, "\\r", 2); break;
        case '\t': put (out, "\\t", 2); break;
        default:
          {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };

            put (out, u, sizeof u);
          }
          break;
        }
      run = ++p;
    }
  put (out, run, p - run);
  g_string_append_c (out, '"');
}

void
crm_json_key (CrmJsonWriter *w,
              const char    *key)
{
  before_value (w);
  crm_json_escape_append (w->out, key, strlen (key));
  g_string_append_c (w->out, ':');
  /* The value that follows must not get a comma of its own. */
  w->need_comma &= ~(G_GUINT64_CONSTANT (1) << w->depth);
}

void
crm_json_string_len (CrmJsonWriter *w,
                     const char    *value,
                     gsize          length)
{
  before_value (w);
  crm_json_escape_append (w->out, value, length);
}

void
crm_json_string (CrmJsonWriter *w,
                 const char    *value)
{
  if (value == NULL)
    crm_json_null (w);
  else
    crm_json_string_len (w, value, strlen (value));
}

void
crm_json_int (CrmJsonWriter *w,
              gint64         value)
{
  char buf[24];
  char *p = buf + sizeof buf;
  /* the magnitude as unsigned: -G_MININT64 does not fit a gint64 */
  guint64 n = value < 0 ? -(guint64) value : (guint64) value;

  before_value (w);
  do
    *--p = (char) ('0' + n % 10);
  while ((n /= 10) != 0);
  if (value < 0)
    *--p = '-';
  put (w->out, p, buf + sizeof buf - p);
}

void
crm_json_double (CrmJsonWriter *w,
                 double         value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* JSON has no NaN or infinity: g_ascii_dtostr would write "nan". */
  if (!isfinite (value))
    {
      crm_json_null (w);
      return;
    }
  before_value (w);
  g_ascii_dtostr (buf, sizeof buf, value);
  put (w->out, buf, strlen (buf));
}

void
crm_json_bool (CrmJsonWriter *w,
               gboolean       value)
{
  before_value (w);
  if (value)
    put (w->out, "true", 4);
  else
    put (w->out, "false", 5);
}

void
crm_json_null (CrmJsonWriter *w)
{
  before_value (w);
  put (w->out, "null", 4);
}

void
crm_json_raw (CrmJsonWriter *w,
              const char    *json)
{
  before_value (w);
  put (w->out, json, strlen (json));
}

void
crm_json_member_string (CrmJsonWriter *w,
                        const char    *key,
                        const char    *value)
{
  crm_json_key (w, key);
  crm_json_string (w, value);
}

void
crm_json_member_int (CrmJsonWriter *w,
                     const char    *key,
                     gint64         value)
{
  crm_json_key (w, key);
  crm_json_int (w, value);
}

void
crm_json_member_bool (CrmJsonWriter *w,
                      const char    *key,
                      gboolean       value)
{
  crm_json_key (w, key);
  crm_json_bool (w, value);
}

void
crm_json_member_timestamp (CrmJsonWriter *w,
                           const char    *key,
                           const char    *pg_text)
{
  char buf[64];
  gsize len;

  crm_json_key (w, key);
  if (pg_text == NULL)
    {
      crm_json_null (w);
      return;
    }
  len = strlen (pg_text);
  if (len < 19 || len + 4 > sizeof buf || pg_text[10] != ' ')
    {
      crm_json_string (w, pg_text);
      return;
    }
  memcpy (buf, pg_text, len + 1);
  buf[10] = 'T';
  /* an offset of hours only ("+08") gains its minutes */
  if (len >= 3 && (buf[len - 3] == '+' || buf[len - 3] == '-'))
    {
      memcpy (buf + len, ":00", 4);
      len += 3;
    }
  crm_json_string_len (w, buf, len);
}
