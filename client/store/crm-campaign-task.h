#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_CAMPAIGN_TASK (crm_campaign_task_get_type ())

G_DECLARE_FINAL_TYPE (CrmCampaignTask, crm_campaign_task, CRM, CAMPAIGN_TASK, GObject)

/*
 * A campaign target as the account manager works it (issue 11): one
 * campaign member from the local store with its campaign (name, kind,
 * offer, channels, end date: the task is due when the campaign ends) and
 * its customer's name, and whether a change of it waits in the queue.
 * Members of the control group (is_control, which only marketing and
 * administrators receive) are never tasks.  An item never changes; a
 * changed member is a new item.
 */

/* Its key as the store and the mutation path name it: "campaign/customer". */
char            *crm_campaign_task_key_of            (const char      *campaign_id,
                                                      const char      *customer_id);

const char      *crm_campaign_task_get_key           (CrmCampaignTask *self);
const char      *crm_campaign_task_get_campaign_id   (CrmCampaignTask *self);
const char      *crm_campaign_task_get_customer_id   (CrmCampaignTask *self);
/* NULL when the store does not have the customer */
const char      *crm_campaign_task_get_customer_name (CrmCampaignTask *self);
/* The member's record (campaign_member fields) and its campaign's (NULL
 * when the store does not have it); do not change them. */
JsonObject      *crm_campaign_task_get_member        (CrmCampaignTask *self);
JsonObject      *crm_campaign_task_get_campaign      (CrmCampaignTask *self);
/* A text member of the member's record, or of the campaign's; NULL when
 * null or absent. */
const char      *crm_campaign_task_get_field         (CrmCampaignTask *self,
                                                      const char      *name);
const char      *crm_campaign_task_get_campaign_field (CrmCampaignTask *self,
                                                       const char      *name);
/* The campaign's channels (wire words), NULL-terminated; never NULL. */
const char * const *crm_campaign_task_get_channels   (CrmCampaignTask *self);
/* "YYYY-MM-DD", the campaign's end; NULL when unknown. */
const char      *crm_campaign_task_get_due           (CrmCampaignTask *self);
/* Still to work: pending or contacted. */
gboolean         crm_campaign_task_is_open           (CrmCampaignTask *self);
/* A change of it is in the queue (not yet confirmed by the server). */
gboolean         crm_campaign_task_get_unsent        (CrmCampaignTask *self);
/* Due first, then by campaign and customer: a GCompareDataFunc. */
int              crm_campaign_task_compare           (gconstpointer    a,
                                                      gconstpointer    b,
                                                      gpointer         user_data);

/* Which members a read returns. */
typedef enum
{
  CRM_CAMPAIGN_TASKS_ASSIGNED = 0,       /* assigned to the user */
  CRM_CAMPAIGN_TASKS_WITH_QUEUED = 1,    /* and those in a channel's queue */
} CrmCampaignTaskScope;

/* The campaign tasks of @user_id (every customer's, or @customer_id's
 * when not NULL) from @store, sorted with crm_campaign_task_compare ().
 * Blocking (several reads of the store's read connection): call it from
 * a worker, or use crm_campaign_tasks_read_async (). */
GPtrArray       *crm_campaign_tasks_read             (CrmStore             *store,
                                                      const char           *user_id,
                                                      const char           *customer_id,
                                                      CrmCampaignTaskScope  scope,
                                                      GError              **error);
/* The member @campaign_id/@customer_id as a task, whoever it is assigned
 * to; NULL (without @error) when the store does not have it or it is in
 * the control group. */
CrmCampaignTask *crm_campaign_task_read_one          (CrmStore             *store,
                                                      const char           *campaign_id,
                                                      const char           *customer_id,
                                                      GError              **error);
void             crm_campaign_tasks_read_async       (CrmStore             *store,
                                                      const char           *user_id,
                                                      const char           *customer_id,
                                                      CrmCampaignTaskScope  scope,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
/* (element-type CrmCampaignTask) */
GPtrArray       *crm_campaign_tasks_read_finish      (GAsyncResult         *result,
                                                      GError              **error);

G_END_DECLS
