#pragma once

#include <json-glib/json-glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

/*
 * The scopes the Forecast and Analysis pages offer: "me" for everyone;
 * for directors and administrators also their own region and team, then
 * the regions (by level, then name) and teams of the directory the store
 * holds (the synced entities region and team: only what the user may
 * see).  Managers ask
 * for "me" only: the server refuses them any other scope.
 */
typedef struct
{
  char *scope;   /* "me", "team:ID", "region:ID" */
  char *title;   /* "Me", "East China", "East China · Team 1" */
} CrmPipelineScope;

/* (element-type CrmPipelineScope): "me" first. */
GPtrArray *crm_pipeline_scopes_list  (JsonObject *user,
                                      CrmStore   *store);
/* The scope a page opens at: the first region offered (a director's own
 * region), else "me". */
guint      crm_pipeline_scopes_default (GPtrArray *scopes);
/* Calls @callback (swapped: @data first) when the store's directory
 * changes; disconnect by @data. */
void       crm_pipeline_scopes_watch (CrmStore   *store,
                                      GCallback   callback,
                                      gpointer    data);

G_END_DECLS
