#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CRM_ERROR (crm_error_quark ())

/* One error domain for the whole project.  The server maps these codes to
 * HTTP statuses in exactly one place (crm_http_status_for_error). */
typedef enum
{
  CRM_ERROR_INVALID,             /* a field is malformed or out of range */
  CRM_ERROR_MALFORMED,           /* the body is not well-formed JSON */
  CRM_ERROR_TOO_LARGE,           /* the body is over the configured limit */
  CRM_ERROR_UNAUTHENTICATED,     /* no token, or an expired one */
  CRM_ERROR_BAD_CREDENTIALS,     /* wrong login or password */
  CRM_ERROR_FORBIDDEN,           /* the caller's role may not do this */
  CRM_ERROR_NOT_FOUND,           /* no such record, or not visible */
  CRM_ERROR_CONFLICT,            /* the record exists already */
  CRM_ERROR_PRECONDITION_FAILED, /* the version did not match */
  CRM_ERROR_IDEMPOTENCY_KEY_REUSED, /* a write's key was used for a different write */
  CRM_ERROR_THROTTLED,           /* too many attempts */
  CRM_ERROR_UNAVAILABLE,         /* the database cannot be reached, or too busy */
  CRM_ERROR_URI_TOO_LONG,        /* the request's path and query are over the limit */
  CRM_ERROR_HEADERS_TOO_LARGE,   /* the request's headers are over the limit */
  CRM_ERROR_TIMEOUT,             /* the request did not arrive in time */
  CRM_ERROR_INTERNAL,            /* a bug or an unexpected database error */
} CrmError;

GQuark       crm_error_quark          (void);
const char  *crm_error_code_to_string (CrmError      code);
void         crm_set_field_error      (GError      **error,
                                       CrmError      code,
                                       const char   *field,
                                       const char   *format,
                                       ...) G_GNUC_PRINTF (4, 5);
const char  *crm_error_get_field      (const GError *error);

G_END_DECLS
