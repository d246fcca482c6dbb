#define G_LOG_DOMAIN "crm-outcome-csv"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "crm-error.h"
#include "crm-outcome-csv.h"

/* Reading an outcome file: encoding, delimiter, RFC 4180 records, and the
 * columns guessed from the header.  Checking is crm-outcome-check.c. */

struct _CrmOutcomeCsv
{
  const char *encoding;
  char        delimiter;
  GStrv       header;
  guint       n_columns;
  GPtrArray  *rows;          /* GStrv, the data rows */
  GArray     *row_numbers;   /* guint, as the file counts */
};

static void
csv_clear (gpointer data)
{
  CrmOutcomeCsv *self = data;

  g_clear_pointer (&self->header, g_strfreev);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->row_numbers, g_array_unref);
}

/* The text as UTF-8 (a BOM dropped), and what it was. */
static char *
decode (const char   *data,
        gsize         length,
        const char  **encoding,
        gsize        *out_length,
        GError      **error)
{
  g_autoptr(GError) local = NULL;
  char *text;

  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      *encoding = "UTF-8 (BOM)";
      data += 3;
      length -= 3;
    }
  else if (length >= 2 && (memcmp (data, "\xFF\xFE", 2) == 0 || memcmp (data, "\xFE\xFF", 2) == 0))
    {
      *encoding = "UTF-16 (BOM)";
      text = g_convert (data, length, "UTF-8", "UTF-16", NULL, out_length, &local);
      if (text == NULL)
        g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, _("The file is not valid UTF-16 text."));
      if (text != NULL && *out_length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
        {
          memmove (text, text + 3, *out_length - 2);
          *out_length -= 3;
        }
      return text;
    }
  else
    *encoding = "UTF-8";
  if (g_utf8_validate_len (data, length, NULL))
    {
      *out_length = length;
      return g_strndup (data, length);
    }
  if (strcmp (*encoding, "UTF-8 (BOM)") == 0)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, _("The file starts as UTF-8 but is not valid UTF-8."));
      return NULL;
    }
  *encoding = "GB18030";
  text = g_convert (data, length, "UTF-8", "GB18030", NULL, out_length, &local);
  if (text == NULL)
    g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID,
                 _("The file is neither UTF-8 nor GB18030 text: save it as CSV (UTF-8) and try again."));
  return text;
}

/* The most frequent of comma, semicolon and tab in the first record,
 * outside quotes (a comma on a tie, or when there is none). */
static char
detect_delimiter (const char *text)
{
  static const char candidates[] = { ',', ';', '\t' };
  guint counts[G_N_ELEMENTS (candidates)] = { 0 };
  gboolean quoted = FALSE;
  char best = ',';
  guint most = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted && (*p == '\n' || *p == '\r'))
        break;
      else if (!quoted)
        for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
          counts[i] += *p == candidates[i];
    }
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (counts[i] > most)
      {
        most = counts[i];
        best = candidates[i];
      }
  return best;
}

typedef struct
{
  CrmOutcomeCsv *csv;
  GString       *field;
  guint          field_chars;
  GPtrArray     *record;   /* char *, NULL-terminated when stolen */
  guint          row;      /* the record's number */
  gboolean       header_done;
} Parser;

static gboolean
end_field (Parser  *p,
           GError **error)
{
  if (p->field_chars > CRM_OUTCOME_CSV_MAX_FIELD)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_TOO_LARGE,
                   _("Row %u, column %u: a field is longer than %u characters."), p->row, p->record->len + 1,
                   CRM_OUTCOME_CSV_MAX_FIELD);
      return FALSE;
    }
  g_ptr_array_add (p->record, g_strndup (p->field->str, p->field->len));
  g_string_truncate (p->field, 0);
  p->field_chars = 0;
  return TRUE;
}

/* A blank line is a row of the file but not a record. */
static gboolean
end_record (Parser  *p,
            GError **error)
{
  gboolean blank = p->record->len == 0 && p->field->len == 0;
  guint row = p->row;

  if (blank)
    {
      p->row++;
      return TRUE;
    }
  if (!end_field (p, error))
    return FALSE;
  p->row++;
  g_ptr_array_add (p->record, NULL);
  if (!p->header_done)
    {
      p->csv->n_columns = p->record->len - 1;
      p->csv->header = (GStrv) g_ptr_array_free (g_steal_pointer (&p->record), FALSE);
      p->header_done = TRUE;
    }
  else if (p->csv->rows->len >= CRM_OUTCOME_CSV_MAX_ROWS)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_TOO_LARGE, _("The file has more than %u rows: split it and import each part."),
                   CRM_OUTCOME_CSV_MAX_ROWS);
      return FALSE;
    }
  else
    {
      g_ptr_array_add (p->csv->rows, g_ptr_array_free (g_steal_pointer (&p->record), FALSE));
      g_array_append_val (p->csv->row_numbers, row);
    }
  p->record = g_ptr_array_new_with_free_func (g_free);
  return TRUE;
}

static inline void
add_byte (Parser *p,
          char    c)
{
  g_string_append_c (p->field, c);
  p->field_chars += ((guchar) c & 0xC0) != 0x80;
}

/* RFC 4180, forgiving a quote inside an unquoted field and text after a
 * closing quote (both kept as they are). */
static gboolean
parse_records (Parser      *p,
               const char  *text,
               gsize        length,
               GError     **error)
{
  const char delimiter = p->csv->delimiter;
  const char *end = text + length;
  gboolean quoted = FALSE;
  guint quote_row = 0;

  for (const char *s = text; s < end; s++)
    {
      char c = *s;

      if (quoted)
        {
          if (c == '"' && s + 1 < end && s[1] == '"')
            add_byte (p, '"'), s++;
          else if (c == '"')
            quoted = FALSE;
          else
            add_byte (p, c);
        }
      else if (c == '"' && p->field->len == 0)
        quoted = TRUE, quote_row = p->row;
      else if (c == delimiter)
        {
          if (!end_field (p, error))
            return FALSE;
        }
      else if (c == '\r' || c == '\n')
        {
          if (c == '\r' && s + 1 < end && s[1] == '\n')
            s++;
          if (!end_record (p, error))
            return FALSE;
        }
      else
        add_byte (p, c);
    }
  if (quoted)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, _("Row %u: a quoted field is never closed."), quote_row);
      return FALSE;
    }
  if (p->record->len > 0 || p->field->len > 0)
    return end_record (p, error);
  return TRUE;
}

CrmOutcomeCsv *
crm_outcome_csv_parse (const char  *data,
                       gsize        length,
                       GError     **error)
{
  g_autoptr(CrmOutcomeCsv) self = g_atomic_rc_box_new0 (CrmOutcomeCsv);
  g_autofree char *text = NULL;
  gsize text_length = 0;
  Parser p = { self, NULL, 0, NULL, 1, FALSE };
  gboolean ok;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  self->row_numbers = g_array_new (FALSE, FALSE, sizeof (guint));
  if (length > CRM_OUTCOME_CSV_MAX_BYTES)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_TOO_LARGE, _("The file is larger than %u MB: split it and import each part."),
                   CRM_OUTCOME_CSV_MAX_BYTES / (1024 * 1024));
      return NULL;
    }
  text = decode (data, length, &self->encoding, &text_length, error);
  if (text == NULL)
    return NULL;
  self->delimiter = detect_delimiter (text);
  p.field = g_string_new (NULL);
  p.record = g_ptr_array_new_with_free_func (g_free);
  ok = parse_records (&p, text, text_length, error);
  g_string_free (p.field, TRUE);
  g_clear_pointer (&p.record, g_ptr_array_unref);
  if (!ok)
    return NULL;
  if (self->header == NULL)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, _("The file is empty."));
      return NULL;
    }
  if (self->rows->len == 0)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INVALID, _("The file has no rows below its header."));
      return NULL;
    }
  return g_steal_pointer (&self);
}

CrmOutcomeCsv *
crm_outcome_csv_load (const char  *path,
                      GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  /* the size first: a huge file is never read */
  if (g_stat (path, &st) == 0 && st.st_size > CRM_OUTCOME_CSV_MAX_BYTES)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_TOO_LARGE, _("The file is larger than %u MB: split it and import each part."),
                   CRM_OUTCOME_CSV_MAX_BYTES / (1024 * 1024));
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  return crm_outcome_csv_parse (data, length, error);
}

CrmOutcomeCsv *
crm_outcome_csv_ref (CrmOutcomeCsv *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
crm_outcome_csv_unref (CrmOutcomeCsv *self)
{
  g_atomic_rc_box_release_full (self, csv_clear);
}

const char *
crm_outcome_csv_get_encoding (CrmOutcomeCsv *self)
{
  return self->encoding;
}

char
crm_outcome_csv_get_delimiter (CrmOutcomeCsv *self)
{
  return self->delimiter;
}

const char * const *
crm_outcome_csv_get_header (CrmOutcomeCsv *self)
{
  return (const char * const *) self->header;
}

guint
crm_outcome_csv_get_n_columns (CrmOutcomeCsv *self)
{
  return self->n_columns;
}

guint
crm_outcome_csv_get_n_rows (CrmOutcomeCsv *self)
{
  return self->rows->len;
}

const char * const *
crm_outcome_csv_get_row (CrmOutcomeCsv *self,
                         guint          index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);

  return self->rows->pdata[index];
}

guint
crm_outcome_csv_get_row_number (CrmOutcomeCsv *self,
                                guint          index)
{
  g_return_val_if_fail (index < self->rows->len, 0);

  return g_array_index (self->row_numbers, guint, index);
}

/* Header names of each column, lower case without spaces, "_", "-" or
 * "." (see normalize ()), in English and Chinese. */
static const char * const customer_names[] = {
  "customerid", "customer", "customerno", "customernumber", "customercode", "clientid", "accountid",
  "registrationnumber", "registrationno", "regno", "客户编号", "客户id", "客户号", "客户代码", "客户",
  "注册号", "统一社会信用代码", "登记号", NULL
};
static const char * const outcome_names[] = {
  "outcome", "result", "response", "status", "结果", "状态", "外呼结果", "发送状态", "响应", "处理结果", NULL
};
static const char * const channel_names[] = { "channel", "渠道", "通道", "触达渠道", NULL };
static const char * const time_names[] = {
  "time", "datetime", "timestamp", "date", "contactedat", "respondedat", "时间", "日期", "联系时间", "发送时间",
  "外呼时间", "回复时间", NULL
};
static const char * const * const column_names[CRM_OUTCOME_N_COLUMNS] = {
  customer_names, outcome_names, channel_names, time_names,
};

static char *
normalize (const char *header)
{
  g_autofree char *down = g_utf8_strdown (header, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = down; *p != '\0'; p++)
    if (!g_ascii_isspace (*p) && *p != '_' && *p != '-' && *p != '.')
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* Exact names first, then a header that contains one ("客户编号（必填）");
 * each file column serves one purpose. */
void
crm_outcome_csv_guess_mapping (CrmOutcomeCsv *self,
                               int            mapping[CRM_OUTCOME_N_COLUMNS])
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree gboolean *taken = g_new0 (gboolean, self->n_columns);

  for (guint c = 0; c < self->n_columns; c++)
    g_ptr_array_add (names, normalize (self->header[c]));
  for (guint k = 0; k < CRM_OUTCOME_N_COLUMNS; k++)
    mapping[k] = -1;
  for (guint pass = 0; pass < 2; pass++)
    for (guint k = 0; k < CRM_OUTCOME_N_COLUMNS; k++)
      for (guint n = 0; mapping[k] < 0 && column_names[k][n] != NULL; n++)
        for (guint c = 0; mapping[k] < 0 && c < self->n_columns; c++)
          {
            const char *name = names->pdata[c];

            if (!taken[c] && (pass == 0 ? strcmp (name, column_names[k][n]) == 0
                                        : strstr (name, column_names[k][n]) != NULL))
              {
                mapping[k] = (int) c;
                taken[c] = TRUE;
              }
          }
}

void
crm_outcome_csv_append_field (GString    *out,
                              const char *text,
                              char        delimiter)
{
  if (text == NULL)
    return;
  if (strchr (text, delimiter) == NULL && strpbrk (text, "\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}
