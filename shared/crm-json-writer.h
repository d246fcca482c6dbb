#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * A streaming JSON writer into a GString.  json-glib's JsonBuilder builds a
 * tree of JsonNodes and then serialises it; for a 500-row page that was about
 * four times slower than writing the text directly, and list pages are the
 * server's hottest path.  Commas are inserted automatically.
 */
typedef struct
{
  GString *out;
  guint    depth;
  guint64  need_comma; /* bit n: a value was written at depth n */
} CrmJsonWriter;

void  crm_json_writer_init        (CrmJsonWriter *w,
                                   GString       *out);
void  crm_json_begin_object       (CrmJsonWriter *w);
void  crm_json_end_object         (CrmJsonWriter *w);
void  crm_json_begin_array        (CrmJsonWriter *w);
void  crm_json_end_array          (CrmJsonWriter *w);
void  crm_json_key                (CrmJsonWriter *w,
                                   const char    *key);
void  crm_json_string             (CrmJsonWriter *w,
                                   const char    *value);
void  crm_json_string_len         (CrmJsonWriter *w,
                                   const char    *value,
                                   gsize          length);
void  crm_json_int                (CrmJsonWriter *w,
                                   gint64         value);
void  crm_json_double             (CrmJsonWriter *w,
                                   double         value);
void  crm_json_bool               (CrmJsonWriter *w,
                                   gboolean       value);
void  crm_json_null               (CrmJsonWriter *w);
/* Writes already-serialised JSON (for example a jsonb column) as a value. */
void  crm_json_raw                (CrmJsonWriter *w,
                                   const char    *json);

/* Shorthands for "key": value members; a NULL string writes null. */
void  crm_json_member_string      (CrmJsonWriter *w,
                                   const char    *key,
                                   const char    *value);
void  crm_json_member_int         (CrmJsonWriter *w,
                                   const char    *key,
                                   gint64         value);
void  crm_json_member_bool        (CrmJsonWriter *w,
                                   const char    *key,
                                   gboolean       value);

/* A PostgreSQL timestamptz in its ISO output ("2026-11-01 08:30:00.5+08")
 * written as RFC 3339 ("2026-11-01T08:30:00.5+08:00"); NULL writes null. */
void  crm_json_member_timestamp   (CrmJsonWriter *w,
                                   const char    *key,
                                   const char    *pg_text);

void  crm_json_escape_append      (GString       *out,
                                   const char    *value,
                                   gsize          length);

G_END_DECLS
