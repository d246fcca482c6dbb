#define G_LOG_DOMAIN "crm-json-check"

#include "config.h"

#include <string.h>

#include "crm-error.h"
#include "crm-json-check.h"

/*
 * A single pass over a request body before json-glib sees it.  json-glib 1.6
 * has no depth limit and recurses once per nesting level, so 100,000 nested
 * brackets exhaust the stack; this pass bounds the nesting, checks that
 * brackets pair up outside strings and that the text is UTF-8.
 *
 * It is also where JSON is made strict.  json-glib 1.6 accepts comments
 * (/ * * / and //) and other text outside strings that JSON does not have, so
 * outside strings only JSON's own characters may appear, and nothing but
 * white space may follow the one top-level value.  A "\u0000" escape is
 * refused here, naming the top-level member it is in: once json-glib has
 * decoded it, the C string simply ends there and no later check could see it.
 * The grammar proper is left to json-glib, which is safe once the depth is
 * bounded.
 */

#define MAX_KEY 64

typedef struct
{
  char     stack[256];
  guint    depth;
  gboolean top_done;       /* the top-level value is complete */
  gboolean in_top_scalar;  /* inside a number or literal at the top level */
  gsize    string_start;   /* of the string being read, or the last one */
  gsize    string_len;
  char     key[MAX_KEY + 1]; /* the top-level member being read */
} Scan;

static gboolean
outside_string_char_ok (char c)
{
  return strchr ("{}[]:,\" \t\n\r0123456789-+.eEtrufalsn", c) != NULL && c != '\0';
}

/* Reads the string starting after the quote at *i; leaves *i on its
 * closing quote. */
static gboolean
scan_string (Scan        *scan,
             const char  *data,
             gsize        length,
             gsize       *i,
             GError     **error)
{
  scan->string_start = *i + 1;
  for ((*i)++; *i < length; (*i)++)
    {
      char c = data[*i];

      if (c == '"')
        {
          scan->string_len = *i - scan->string_start;
          return TRUE;
        }
      if (c == '\\')
        {
          if (*i + 5 < length && data[*i + 1] == 'u' && strncmp (data + *i + 2, "0000", 4) == 0)
            {
              const char *field = scan->depth >= 1 && scan->key[0] ? scan->key : "body";

              crm_set_field_error (error, CRM_ERROR_INVALID, field,
                                   "%s must not contain a NUL character", field);
              return FALSE;
            }
          (*i)++;
        }
      else if ((guchar) c < 0x20)
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, "body",
                               "Control character in a string at byte %" G_GSIZE_FORMAT, *i);
          return FALSE;
        }
    }
  crm_set_field_error (error, CRM_ERROR_MALFORMED, "body", "The JSON text ends early");
  return FALSE;
}

static gboolean
scan_bracket (Scan        *scan,
              char         c,
              gsize        i,
              guint        max_depth,
              GError     **error)
{
  if (c == '[' || c == '{')
    {
      if (scan->depth >= max_depth)
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, "body",
                               "JSON is nested deeper than %u levels", max_depth);
          return FALSE;
        }
      scan->stack[scan->depth++] = c;
      return TRUE;
    }
  if (scan->depth == 0 || scan->stack[scan->depth - 1] != (c == ']' ? '[' : '{'))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "body",
                           "Unbalanced '%c' at byte %" G_GSIZE_FORMAT, c, i);
      return FALSE;
    }
  if (--scan->depth == 0)
    scan->top_done = TRUE;
  return TRUE;
}

gboolean
crm_json_check (const char  *data,
                gsize        length,
                guint        max_depth,
                GError     **error)
{
  Scan scan = { 0 };
  gsize i;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (max_depth <= sizeof scan.stack, FALSE);

  if (!g_utf8_validate_len (data, length, NULL))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "body", "The body is not valid UTF-8");
      return FALSE;
    }

  for (i = 0; i < length; i++)
    {
      char c = data[i];
      gboolean space = c == ' ' || c == '\t' || c == '\n' || c == '\r';

      if (!outside_string_char_ok (c))
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, "body",
                               "Unexpected character at byte %" G_GSIZE_FORMAT
                               " (JSON has no comments)", i);
          return FALSE;
        }
      if (scan.depth == 0 && !space && (scan.top_done || (scan.in_top_scalar && strchr ("{[\"", c))))
        {
          crm_set_field_error (error, CRM_ERROR_MALFORMED, "body",
                               "Trailing data after the JSON value at byte %" G_GSIZE_FORMAT, i);
          return FALSE;
        }
      if (scan.depth == 0 && space && scan.in_top_scalar)
        {
          scan.in_top_scalar = FALSE;
          scan.top_done = TRUE;
        }

      switch (c)
        {
        case '"':
          if (!scan_string (&scan, data, length, &i, error))
            return FALSE;
          if (scan.depth == 0)
            scan.top_done = TRUE;
          break;

        case ':':
          if (scan.depth == 1)
            g_strlcpy (scan.key, data + scan.string_start, MIN (scan.string_len, MAX_KEY) + 1);
          break;

        case '[':
        case '{':
        case ']':
        case '}':
          if (!scan_bracket (&scan, c, i, max_depth, error))
            return FALSE;
          break;

        default:
          if (scan.depth == 0 && !space)
            scan.in_top_scalar = TRUE;
          break;
        }
    }

  if (scan.depth != 0)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "body", "The JSON text ends early");
      return FALSE;
    }

  return TRUE;
}
