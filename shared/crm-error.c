#define G_LOG_DOMAIN "crm-error"

#include "config.h"

#include "crm-error.h"

/* CRM_ERROR is an extended error domain (GLib 2.68): every error may name
 * the request field it is about, which the server returns as "field". */
typedef struct
{
  char *field;
} CrmErrorPrivate;

static void
crm_error_private_init (CrmErrorPrivate *priv)
{
  priv->field = NULL;
}

static void
crm_error_private_copy (const CrmErrorPrivate *src,
                        CrmErrorPrivate       *dest)
{
  dest->field = g_strdup (src->field);
}

static void
crm_error_private_clear (CrmErrorPrivate *priv)
{
  g_clear_pointer (&priv->field, g_free);
}

G_DEFINE_EXTENDED_ERROR (CrmError, crm_error)

const char *
crm_error_code_to_string (CrmError code)
{
  switch (code)
    {
    case CRM_ERROR_INVALID:             return "invalid";
    case CRM_ERROR_MALFORMED:           return "malformed";
    case CRM_ERROR_TOO_LARGE:           return "too_large";
    case CRM_ERROR_UNAUTHENTICATED:     return "unauthenticated";
    case CRM_ERROR_BAD_CREDENTIALS:     return "bad_credentials";
    case CRM_ERROR_FORBIDDEN:           return "forbidden";
    case CRM_ERROR_NOT_FOUND:           return "not_found";
    case CRM_ERROR_CONFLICT:            return "conflict";
    case CRM_ERROR_PRECONDITION_FAILED: return "precondition_failed";
    case CRM_ERROR_IDEMPOTENCY_KEY_REUSED: return "idempotency_key_reused";
    case CRM_ERROR_THROTTLED:           return "throttled";
    case CRM_ERROR_UNAVAILABLE:         return "unavailable";
    case CRM_ERROR_URI_TOO_LONG:        return "uri_too_long";
    case CRM_ERROR_HEADERS_TOO_LARGE:   return "headers_too_large";
    case CRM_ERROR_TIMEOUT:             return "timeout";
    case CRM_ERROR_INTERNAL:            return "internal";
    default:                            return "internal";
    }
}

void
crm_set_field_error (GError     **error,
                     CrmError     code,
                     const char  *field,
                     const char  *format,
                     ...)
{
  g_autofree char *message = NULL;
  CrmErrorPrivate *priv;
  va_list args;

  if (error == NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, CRM_ERROR, code, message);
  priv = crm_error_get_private (*error);
  g_free (priv->field);
  priv->field = g_strdup (field);
}

const char *
crm_error_get_field (const GError *error)
{
  CrmErrorPrivate *priv;

  /* Errors of other domains (GIO, json-glib) have no field. */
  if (error == NULL || error->domain != CRM_ERROR)
    return NULL;
  priv = crm_error_get_private (error);
  return priv ? priv->field : NULL;
}
