#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRM_JSON_MAX_DEPTH 64

gboolean crm_json_check (const char  *data,
                         gsize        length,
                         guint        max_depth,
                         GError     **error);

G_END_DECLS
