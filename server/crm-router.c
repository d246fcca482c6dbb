#define G_LOG_DOMAIN "crm-router"

#include "config.h"

#include <string.h>

#include "crm-handlers.h"
#include "crm-router.h"

/*
 * The API's routes.  A hand-written table rather than a library: libsoup's
 * own handler lookup matches path prefixes only, and the table is small
 * enough that a linear match per request costs well under a microsecond.
 */
static const CrmRoute routes[] = {
  { "GET",    "health",        CRM_ROUTE_PUBLIC, crm_handle_health },
  { "POST",   "session",       CRM_ROUTE_BODY,   crm_handle_session_create },
  { "DELETE", "session",       CRM_ROUTE_AUTH,   crm_handle_session_delete },
  { "GET",    "me",            CRM_ROUTE_AUTH,   crm_handle_me },
  { "GET",    "customers",     CRM_ROUTE_AUTH,   crm_handle_customers_list },
  { "GET",    "customers/:id", CRM_ROUTE_AUTH,   crm_handle_customer_get },
  { "GET",    "customers/:id/360", CRM_ROUTE_AUTH, crm_handle_customer_360 },
  { "POST",   "customers/:id/reveal", CRM_ROUTE_AUTH | CRM_ROUTE_BODY, crm_handle_customer_reveal },
  { "GET",    "sync",          CRM_ROUTE_AUTH,   crm_handle_sync },
  { "POST",   "mutations",     CRM_ROUTE_AUTH | CRM_ROUTE_BODY, crm_handle_mutation },
  { "GET",    "pipeline",      CRM_ROUTE_AUTH,   crm_handle_pipeline },
  { "GET",    "pipeline/analysis", CRM_ROUTE_AUTH, crm_handle_pipeline_analysis },
  { "GET",    "forecast",      CRM_ROUTE_AUTH,   crm_handle_forecast },
  { "GET",    "opportunities", CRM_ROUTE_AUTH,   crm_handle_opportunities },
  /* campaigns (issue 11) */
  { "POST",   "segments/preview", CRM_ROUTE_AUTH | CRM_ROUTE_BODY, crm_handle_segment_preview },
  { "POST",   "campaigns/:id/launch", CRM_ROUTE_AUTH, crm_handle_campaign_launch },
  { "GET",    "campaigns/:id/results", CRM_ROUTE_AUTH, crm_handle_campaign_results },
};

static const char *
segment_end (const char *s)
{
  const char *slash = strchr (s, '/');

  return slash ? slash : s + strlen (s);
}

/* Compares one route pattern with a path, segment by segment. */
static gboolean
pattern_matches (const char *pattern,
                 const char *path,
                 GPtrArray  *params)
{
  const char *p = pattern;
  const char *s = path;
  guint added = 0;

  while (*p && *s)
    {
      const char *pend = segment_end (p);
      const char *send = segment_end (s);

      if (*p == ':')
        {
          if (send == s)
            goto no;
          if (params)
            {
              g_ptr_array_add (params, g_uri_unescape_segment (s, send, NULL));
              added++;
            }
        }
      else if (pend - p != send - s || memcmp (p, s, pend - p) != 0)
        goto no;

      p = *pend ? pend + 1 : pend;
      s = *send ? send + 1 : send;
      if ((*p == '\0') != (*s == '\0'))
        goto no;
    }
  if (*p == '\0' && *s == '\0')
    return TRUE;

no:
  if (params)
    g_ptr_array_remove_range (params, params->len - added, added);
  return FALSE;
}

CrmRouterResult
crm_router_match (const char      *method,
                  const char      *path,
                  const CrmRoute **route,
                  GPtrArray       *params,
                  char           **allowed)
{
  g_autoptr(GString) methods = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      if (!g_str_equal (routes[i].method, method))
        continue;
      if (pattern_matches (routes[i].pattern, path, params))
        {
          /* a :param that does not decode (say %00) matches nothing */
          for (guint j = 0; j < params->len; j++)
            if (params->pdata[j] == NULL)
              return CRM_ROUTER_NO_PATH;
          *route = &routes[i];
          return CRM_ROUTER_FOUND;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (routes); i++)
    if (pattern_matches (routes[i].pattern, path, NULL))
      {
        if (methods == NULL)
          methods = g_string_new (routes[i].method);
        else
          g_string_append_printf (methods, ", %s", routes[i].method);
      }
  if (methods == NULL)
    return CRM_ROUTER_NO_PATH;
  if (allowed)
    *allowed = g_string_free (g_steal_pointer (&methods), FALSE);
  return CRM_ROUTER_BAD_METHOD;
}
