#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean crm_validate_uuid        (const char  *value);
gboolean crm_validate_mobile      (const char  *value);
gboolean crm_validate_email       (const char  *value);
gboolean crm_validate_login       (const char  *value);
/* One line of text: UTF-8, min to max characters, no control characters
 * (U+0000 to U+001F, U+007F; not even tab or newline). */
gboolean crm_validate_text        (const char  *field,
                                   const char  *value,
                                   guint        min_chars,
                                   guint        max_chars,
                                   GError     **error);
/* The same, but tab and newline are allowed (notes, multi-line fields). */
gboolean crm_validate_text_multiline (const char  *field,
                                      const char  *value,
                                      guint        min_chars,
                                      guint        max_chars,
                                      GError     **error);
gboolean crm_parse_int_param      (const char  *field,
                                   const char  *value,
                                   gint64       min,
                                   gint64       max,
                                   gint64      *out,
                                   GError     **error);
gboolean crm_parse_enum_param     (const char         *field,
                                   const char         *value,
                                   const char * const *names,
                                   int                *out,
                                   GError            **error);
char    *crm_mask_phone           (const char  *value);
char    *crm_mask_text            (const char  *value,
                                   guint        keep_head,
                                   guint        keep_tail);

G_END_DECLS
