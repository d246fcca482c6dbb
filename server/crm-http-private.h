#pragma once

#include "crm-http.h"

G_BEGIN_DECLS

/* Shared by crm-http.c and crm-http-limits.c. */

/* {"error": {"code", "message", "field"}}; @field may be NULL. */
GString *crm_http_error_body      (CrmError    code,
                                   const char *message,
                                   const char *field);
/* The early handler and the request-started/-read hooks of the limits. */
void     crm_http_limits_install  (SoupServer *server,
                                   CrmWorker  *worker);

G_END_DECLS
