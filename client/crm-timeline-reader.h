#pragma once

#include "crm-store.h"
#include "crm-timeline-entry.h"

G_BEGIN_DECLS

/*
 * A customer's timeline from the local store: its interactions, its
 * service requests (opened, closed) and their steps (done, or due and
 * maybe overdue), the stage changes of its opportunities, and its
 * campaign memberships with their outcome; CrmTimelineEntry objects,
 * newest first.  Blocking (several reads of the store's read connection):
 * call it from a worker.  @now decides what is overdue.
 */
GPtrArray *crm_timeline_read (CrmStore    *store,
                              const char  *customer_id,
                              GDateTime   *now,
                              GError     **error);

/* The same, with @remote_stages (nullable): stage changes from the
 * server (a director's store holds only their own opportunities and
 * their history; crm-customer-remote.h), each a stage history record with
 * opportunity_name and changed_by_name.  Those of opportunities the store
 * has are the store's; the others are added. */
GPtrArray *crm_timeline_read_with_remote (CrmStore    *store,
                                          const char  *customer_id,
                                          GDateTime   *now,
                                          JsonArray   *remote_stages,
                                          GError     **error);

G_END_DECLS
