#define G_LOG_DOMAIN "crm-seed"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "crm-error.h"
#include "crm-migrate.h"
#include "crm-seed-data.h"
#include "crm-seed-private.h"

guint
seed_rng_weighted (SeedRng     *r,
                   const guint *weights,
                   guint        n)
{
  guint total = 0;
  guint pick;

  for (guint i = 0; i < n; i++)
    total += weights[i];
  if (total == 0)
    return 0;
  pick = seed_rng_below (r, total);
  for (guint i = 0; i < n; i++)
    {
      if (pick < weights[i])
        return i;
      pick -= weights[i];
    }
  return n - 1;
}

/* ------------------------------------------------------------------ */
/* Identifiers */

/* 2026-10-31T16:00:00Z, that is 2026-11-01 00:00 in China, in ms. */
#define UUID_EPOCH_MS G_GUINT64_CONSTANT (1793462400000)

SeedUuid
seed_uuid (guint64    seed,
           SeedEntity entity,
           guint64    number)
{
  SeedUuid id;
  /* each table gets its own second, so ids of different tables differ in
   * their clock part as well */
  guint64 ms = UUID_EPOCH_MS + (guint64) entity * 1000 + (number >> 12);
  guint64 counter = number & 0xfff;
  guint64 rnd = seed_hash3 (seed, STREAM_UUID * 64 + entity, number);

  id.b[0] = (guint8) (ms >> 40);
  id.b[1] = (guint8) (ms >> 32);
  id.b[2] = (guint8) (ms >> 24);
  id.b[3] = (guint8) (ms >> 16);
  id.b[4] = (guint8) (ms >> 8);
  id.b[5] = (guint8) ms;
  id.b[6] = (guint8) (0x70 | (counter >> 8));
  id.b[7] = (guint8) counter;
  id.b[8] = (guint8) (0x80 | ((rnd >> 56) & 0x3f));
  for (int i = 9; i < 16; i++)
    id.b[i] = (guint8) (rnd >> (8 * (15 - i)));
  return id;
}

void
seed_uuid_to_text (const SeedUuid *id,
                   char           *out)
{
  static const char hex[] = "0123456789abcdef";
  int o = 0;

  for (int i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        out[o++] = '-';
      out[o++] = hex[id->b[i] >> 4];
      out[o++] = hex[id->b[i] & 15];
    }
}

/* ------------------------------------------------------------------ */
/* Dates (H. Hinnant's civil calendar algorithms) */

int
seed_days_from_civil (int y,
                      int m,
                      int d)
{
  int era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void
seed_civil_from_days (int  days,
                      int *y,
                      int *m,
                      int *d)
{
  int z = days + 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;

  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

int
seed_month_start (int m)
{
  static int starts[SEED_MONTHS + 1];

  if (starts[0] == 0)
    for (int i = 0; i <= SEED_MONTHS; i++)
      starts[i] = seed_days_from_civil (2024 + (10 + i) / 12, (10 + i) % 12 + 1, 1);
  return starts[CLAMP (m, 0, SEED_MONTHS)];
}

int
seed_month_of (int days)
{
  int y, m, d;

  seed_civil_from_days (days, &y, &m, &d);
  return (y - 2024) * 12 + m - 11;
}

static int
days_in_month (int y,
               int m)
{
  static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return n[m - 1];
}

int
seed_add_months (int days,
                 int months)
{
  int y, m, d, k;

  seed_civil_from_days (days, &y, &m, &d);
  k = y * 12 + (m - 1) + months;
  y = k / 12;
  m = k % 12 + 1;
  return seed_days_from_civil (y, m, MIN (d, days_in_month (y, m)));
}

char *
seed_cat_date (char *p,
               int   days)
{
  int y, m, d;

  seed_civil_from_days (days, &y, &m, &d);
  p = seed_cat_uint_w (p, (guint64) y, 4);
  *p++ = '-';
  p = seed_cat_uint_w (p, (guint64) m, 2);
  *p++ = '-';
  return seed_cat_uint_w (p, (guint64) d, 2);
}

char *
seed_put_date (char *p,
               int   days)
{
  if (days < 0)
    return seed_put_null (p);
  p = seed_cat_date (p, days);
  *p++ = '\t';
  return p;
}

char *
seed_put_time (char   *p,
               gint64  secs)
{
  int s;

  if (secs < 0)
    return seed_put_null (p);
  p = seed_cat_date (p, (int) (secs / SEED_DAY));
  s = (int) (secs % SEED_DAY);
  *p++ = ' ';
  p = seed_cat_uint_w (p, (guint64) (s / 3600), 2);
  *p++ = ':';
  p = seed_cat_uint_w (p, (guint64) (s / 60 % 60), 2);
  *p++ = ':';
  p = seed_cat_uint_w (p, (guint64) (s % 60), 2);
  return seed_cat (p, "+08\t");
}

/* ------------------------------------------------------------------ */
/* COPY */

/* The table's indexes that no foreign key relies on, with the statements
 * that drop them and make them again.  Building an index once from sorted
 * data costs a fraction of maintaining it row by row (pinyin collation and
 * trigram indexes on customers most of all), as pg_restore knows. */
static const char index_query[] =
  "SELECT CASE WHEN con.oid IS NULL"
  "            THEN format('DROP INDEX crm.%I', i.relname)"
  "            ELSE format('ALTER TABLE crm.%I DROP CONSTRAINT %I', c.relname, con.conname) END,"
  "       CASE WHEN con.oid IS NULL"
  "            THEN pg_get_indexdef(x.indexrelid)"
  "            ELSE format('ALTER TABLE crm.%I ADD CONSTRAINT %I %s', c.relname, con.conname,"
  "                        pg_get_constraintdef(con.oid)) END"
  "  FROM pg_index x"
  "  JOIN pg_class c ON c.oid = x.indrelid"
  "  JOIN pg_class i ON i.oid = x.indexrelid"
  "  JOIN pg_namespace n ON n.oid = c.relnamespace"
  "  LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid AND con.conrelid = x.indrelid"
  "                            AND con.contype IN ('p', 'u')"
  " WHERE n.nspname = 'crm' AND c.relname = $1"
  "   AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = x.indexrelid)"
  "   AND NOT EXISTS (SELECT FROM pg_constraint e WHERE e.conindid = x.indexrelid AND e.contype NOT IN ('p', 'u'))"
  " ORDER BY i.relname";

static gboolean
drop_indexes (SeedCopy    *copy,
              GError     **error)
{
  const char *params[1] = { copy->table };
  g_autoptr(PGresult) res = PQexecParams (copy->conn, index_query, 1, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "indexes of %s: %s", copy->table,
                   g_strchomp (PQerrorMessage (copy->conn)));
      return FALSE;
    }
  copy->indexes = g_ptr_array_new_with_free_func (g_free);
  for (int r = 0; r < PQntuples (res); r++)
    {
      if (!crm_pg_exec (copy->conn, PQgetvalue (res, r, 0), error))
        return FALSE;
      g_ptr_array_add (copy->indexes, g_strdup (PQgetvalue (res, r, 1)));
    }
  return TRUE;
}

gboolean
seed_copy_begin (SeedCopy    *copy,
                 PGconn      *conn,
                 const char  *table,
                 const char  *columns,
                 GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("COPY crm.%s (%s) FROM STDIN", table, columns);
  g_autoptr(PGresult) res = NULL;

  memset (copy, 0, sizeof *copy);
  copy->conn = conn;
  copy->table = table;
  copy->started = g_get_monotonic_time ();
  if (!drop_indexes (copy, error))
    return FALSE;
  res = PQexec (conn, sql);
  if (PQresultStatus (res) != PGRES_COPY_IN)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "COPY %s: %s", table,
                   g_strchomp (PQerrorMessage (conn)));
      g_clear_pointer (&copy->indexes, g_ptr_array_unref);
      return FALSE;
    }
  copy->cap = (1u << 20) + 2 * SEED_ROW_MAX;
  copy->data = g_malloc (copy->cap);
  return TRUE;
}

void
seed_copy_flush (SeedCopy *copy)
{
  if (copy->len > 0 && !copy->failed &&
      PQputCopyData (copy->conn, copy->data, (int) copy->len) != 1)
    {
      copy->failed = TRUE;
      copy->error = g_strdup (PQerrorMessage (copy->conn));
    }
  copy->len = 0;
}

gboolean
seed_copy_end (SeedCopy  *copy,
               GError   **error)
{
  PGresult *res;
  gboolean ok;
  gint64 loaded;
  guint n_indexes;

  seed_copy_flush (copy);
  g_clear_pointer (&copy->data, g_free);
  if (PQputCopyEnd (copy->conn, copy->failed ? "seed failed" : NULL) != 1 && !copy->failed)
    {
      copy->failed = TRUE;
      copy->error = g_strdup (PQerrorMessage (copy->conn));
    }
  ok = !copy->failed;
  while ((res = PQgetResult (copy->conn)) != NULL)
    {
      if (PQresultStatus (res) != PGRES_COMMAND_OK && ok)
        {
          ok = FALSE;
          g_free (copy->error);
          copy->error = g_strdup (PQresultErrorMessage (res));
        }
      PQclear (res);
    }
  if (!ok)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_INTERNAL, "COPY %s: %s", copy->table,
                   copy->error ? g_strchomp (copy->error) : "failed");
      g_clear_pointer (&copy->error, g_free);
      g_clear_pointer (&copy->indexes, g_ptr_array_unref);
      return FALSE;
    }
  loaded = g_get_monotonic_time ();
  for (guint i = 0; ok && i < copy->indexes->len; i++)
    ok = crm_pg_exec (copy->conn, copy->indexes->pdata[i], error);
  n_indexes = copy->indexes->len;
  g_clear_pointer (&copy->indexes, g_ptr_array_unref);
  if (!ok)
    return FALSE;
  fprintf (stderr, "%s: %" G_GUINT64_FORMAT " rows, %.1f s", copy->table, copy->rows,
           (double) (g_get_monotonic_time () - copy->started) / G_USEC_PER_SEC);
  if (n_indexes)
    fprintf (stderr, " (%u index%s %.1f s)", n_indexes, n_indexes == 1 ? "" : "es",
             (double) (g_get_monotonic_time () - loaded) / G_USEC_PER_SEC);
  fprintf (stderr, "\n");
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Codes */

static const char credit_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int
credit_value (char c)
{
  const char *p = strchr (credit_chars, c);

  return p ? (int) (p - credit_chars) : 0;
}

void
seed_credit_code (SeedRng    *r,
                  const char *kind,
                  const char *region_code,
                  char       *out)
{
  static const int org_weights[] = { 3, 7, 9, 10, 5, 8, 4, 2 };
  static const int weights[] = { 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28 };
  int sum = 0;
  int c;

  memcpy (out, kind, 2);
  memcpy (out + 2, region_code, 6);
  /* the 9-character organisation code: new registrations since 2015 start
   * "MA", older ones are digits */
  if (kind[0] == '9' && seed_rng_chance (r, 0.55))
    {
      out[8] = 'M';
      out[9] = 'A';
      for (int i = 10; i < 16; i++)
        out[i] = credit_chars[seed_rng_below (r, i < 12 ? 10 : 31)];
    }
  else
    for (int i = 8; i < 16; i++)
      out[i] = (char) ('0' + seed_rng_below (r, 10));
  for (int i = 0; i < 8; i++)
    {
      char ch = out[8 + i];
      int v = g_ascii_isdigit (ch) ? ch - '0' : ch - 'A' + 10;
      sum += v * org_weights[i];
    }
  c = 11 - sum % 11;
  out[16] = c == 10 ? 'X' : c == 11 ? '0' : (char) ('0' + c);

  sum = 0;
  for (int i = 0; i < 17; i++)
    sum += credit_value (out[i]) * weights[i];
  c = 31 - sum % 31;
  out[17] = credit_chars[c == 31 ? 0 : c];
  out[18] = '\0';
}

void
seed_id_number (SeedRng    *r,
                const char *region_code,
                int         birth_days,
                gboolean    male,
                char       *out)
{
  static const int weights[] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
  static const char checks[] = "10X98765432";
  char *p = out;
  int y, m, d, seq, sum = 0;

  seed_civil_from_days (birth_days, &y, &m, &d);
  memcpy (p, region_code, 6);
  p += 6;
  p = seed_cat_uint_w (p, (guint64) y, 4);
  p = seed_cat_uint_w (p, (guint64) m, 2);
  p = seed_cat_uint_w (p, (guint64) d, 2);
  seq = (int) seed_rng_below (r, 500) * 2 + (male ? 1 : 0);
  p = seed_cat_uint_w (p, (guint64) seq, 3);
  for (int i = 0; i < 17; i++)
    sum += (out[i] - '0') * weights[i];
  out[17] = checks[sum % 11];
  out[18] = '\0';
}

char *
seed_cat_chinese_number (char  *p,
                         guint  n)
{
  if (n == 0 || n > 99)
    return seed_cat_uint (p, n);
  if (n >= 20)
    p = seed_cat (p, seed_chinese_digits[n / 10]);
  if (n >= 10)
    p = seed_cat (p, seed_chinese_digits[10]);
  if (n % 10 != 0 || n < 10)
    p = seed_cat (p, seed_chinese_digits[n % 10]);
  return p;
}

/* Latin text next to Chinese gets a space on that side ("咨询 5G 套餐"). */
char *
seed_cat_template (char       *p,
                   const char *templ,
                   const char *arg)
{
  const char *at = strstr (templ, "%s");
  gsize len;

  if (at == NULL)
    return seed_cat (p, templ);
  memcpy (p, templ, (gsize) (at - templ));
  p += at - templ;
  len = strlen (arg);
  if (at > templ && (guchar) at[-1] >= 0x80 && len && g_ascii_isalnum (arg[0]))
    *p++ = ' ';
  p = seed_cat (p, arg);
  if (len && g_ascii_isalnum (arg[len - 1]) && (guchar) at[2] >= 0x80)
    *p++ = ' ';
  return seed_cat (p, at + 2);
}

/* ------------------------------------------------------------------ */
/* People */

char *
seed_world_strdup (SeedWorld  *w,
                   const char *s)
{
  return s ? g_string_chunk_insert (w->strings, s) : NULL;
}

void
seed_person (SeedRng *r,
             char    *name,
             char    *pinyin)
{
  const SeedSyllable *sur = &SEED_PICK (r, seed_surnames);
  const SeedSyllable *g1 = &SEED_PICK (r, seed_given);
  char *n = name, *py = pinyin;

  n = seed_cat (n, sur->hanzi);
  n = seed_cat (n, g1->hanzi);
  py = seed_cat (py, sur->pinyin);
  *py++ = '.';
  py = seed_cat (py, g1->pinyin);
  if (seed_rng_chance (r, 0.7))
    {
      const SeedSyllable *g2 = &SEED_PICK (r, seed_given);

      n = seed_cat (n, g2->hanzi);
      py = seed_cat (py, g2->pinyin);
    }
  *n = '\0';
  *py = '\0';
}

void
seed_person_name (SeedWorld   *w,
                  SeedRng     *r,
                  const char **name,
                  const char **pinyin)
{
  char n[64], py[64];

  seed_person (r, n, py);
  *name = seed_world_strdup (w, n);
  *pinyin = seed_world_strdup (w, py);
}
