#pragma once

#include "crm-http.h"

G_BEGIN_DECLS

typedef enum
{
  CRM_ROUTER_FOUND,
  CRM_ROUTER_NO_PATH,
  CRM_ROUTER_BAD_METHOD,
} CrmRouterResult;

/* Matches @path (below /api/v1/, no leading slash) and @method against the
 * API's routes.  On CRM_ROUTER_FOUND, *route is set and the :params are
 * appended to @params; on CRM_ROUTER_BAD_METHOD, *allowed lists the methods
 * the path does take ("GET, DELETE"). */
CrmRouterResult crm_router_match (const char      *method,
                                  const char      *path,
                                  const CrmRoute **route,
                                  GPtrArray       *params,
                                  char           **allowed);

G_END_DECLS
