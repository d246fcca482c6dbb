#define G_LOG_DOMAIN "crm-json-check"

#include "config.h"

#include "crm-error.h"
#include "crm-json-check.h"

/*
 * A single pass over a request body before json-glib sees it.  json-glib 1.6
 * has no depth limit and recurses once per nesting level, so 100,000 nested
 * brackets exhaust the stack; this pass bounds the nesting, checks that
 * brackets pair up outside strings and that the text is UTF-8.  The grammar
 * proper is left to json-glib, which is safe once the depth is bounded.
 */
gboolean
crm_json_check (const char  *data,
                gsize        length,
                guint        max_depth,
                GError     **error)
{
  char stack[256];
  guint depth = 0;
  gboolean in_string = FALSE;
  gsize i;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (max_depth <= sizeof stack, FALSE);

  if (!g_utf8_validate_len (data, length, NULL))
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "body", "The body is not valid UTF-8");
      return FALSE;
    }

  for (i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          else if ((guchar) c < 0x20)
            {
              crm_set_field_error (error, CRM_ERROR_MALFORMED, "body",
                                   "Control character in a string at byte %" G_GSIZE_FORMAT, i);
              return FALSE;
            }
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;

        case '[':
        case '{':
          if (depth >= max_depth)
            {
              crm_set_field_error (error, CRM_ERROR_MALFORMED, "body",
                                   "JSON is nested deeper than %u levels", max_depth);
              return FALSE;
            }
          stack[depth++] = c;
          break;

        case ']':
        case '}':
          if (depth == 0 || stack[depth - 1] != (c == ']' ? '[' : '{'))
            {
              crm_set_field_error (error, CRM_ERROR_MALFORMED, "body",
                                   "Unbalanced '%c' at byte %" G_GSIZE_FORMAT, c, i);
              return FALSE;
            }
          depth--;
          break;

        default:
          break;
        }
    }

  if (in_string || depth != 0)
    {
      crm_set_field_error (error, CRM_ERROR_MALFORMED, "body", "The JSON text ends early");
      return FALSE;
    }

  return TRUE;
}
