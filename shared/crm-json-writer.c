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

void
crm_json_escape_append (GString    *out,
                        const char *value,
                        gsize       length)
{
  static const char hex[] = "0123456789abcdef";
  const char *p = value;
  const char *end = value + length;
  const char *run = p;

  g_string_append_c (out, '"');
  for (; p < end; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;

      g_string_append_len (out, run, p - run);
      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          g_string_append (out, "\\u00");
          g_string_append_c (out, hex[c >> 4]);
          g_string_append_c (out, hex[c & 0xf]);
          break;
        }
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
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
  before_value (w);
  g_string_append_printf (w->out, "%" G_GINT64_FORMAT, value);
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
  g_string_append (w->out, g_ascii_dtostr (buf, sizeof buf, value));
}

void
crm_json_bool (CrmJsonWriter *w,
               gboolean       value)
{
  before_value (w);
  g_string_append (w->out, value ? "true" : "false");
}

void
crm_json_null (CrmJsonWriter *w)
{
  before_value (w);
  g_string_append (w->out, "null");
}

void
crm_json_raw (CrmJsonWriter *w,
              const char    *json)
{
  before_value (w);
  g_string_append (w->out, json);
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
