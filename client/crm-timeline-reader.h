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

G_END_DECLS
