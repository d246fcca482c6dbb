#pragma once

#include <adwaita.h>

#include "crm-store.h"
#include "crm-sync-engine.h"
#include "crm-timeline-entry.h"

G_BEGIN_DECLS

#define CRM_TYPE_CUSTOMER_TIMELINE (crm_customer_timeline_get_type ())

G_DECLARE_FINAL_TYPE (CrmCustomerTimeline, crm_customer_timeline, CRM, CUSTOMER_TIMELINE, AdwBin)

/*
 * The 360° page's timeline: one customer's interactions, service requests
 * and their steps, opportunity stage changes and campaign contacts, newest
 * first (crm-timeline-reader.h), in a GtkListView that scrolls by itself,
 * filtered by kind (All, Interactions, Service, Opportunities, Campaigns).
 * Read from the local store in a worker, and again whenever the store
 * says one of those entities changed.  In a shown window, a read's first
 * screenful (what the window's height can show) goes on the list at once
 * and the rest once the window has drawn the next frame, so that the
 * frame showing the page makes and measures only the rows on screen.
 *
 * It carries the page's two writes about the customer, as actions with
 * their buttons above the list: customer.log-interaction (Ctrl+L, the
 * Log Interaction dialog) and customer.new-opportunity (Ctrl+Shift+O, the
 * New Opportunity dialog), enabled only while the timeline is shown with
 * a customer (the shortcuts are the window's: managed scope).  They live
 * here, not on the page: a button outside the timeline reaches them with
 * gtk_widget_activate_action (timeline, ...).  What they queue appears
 * here at once and is sent by the sync engine, when one is set (else at
 * the next sync).
 */
GtkWidget        *crm_customer_timeline_new             (void);
void              crm_customer_timeline_set_store       (CrmCustomerTimeline *self,
                                                         CrmStore            *store);
void              crm_customer_timeline_set_sync_engine (CrmCustomerTimeline *self,
                                                         CrmSyncEngine       *engine);
/* Reads customer @id's timeline (in a worker) and shows it; NULL clears. */
void              crm_customer_timeline_show            (CrmCustomerTimeline *self,
                                                         const char          *customer_id);
const char       *crm_customer_timeline_get_customer_id (CrmCustomerTimeline *self);
/* A director's: others' stage changes from the server (nullable). */
void              crm_customer_timeline_set_remote_stages (CrmCustomerTimeline *self,
                                                           JsonArray           *stages);

/* Only the kinds in @kinds (CRM_TIMELINE_ALL, or one kind), as the
 * filter buttons choose. */
void              crm_customer_timeline_set_filter      (CrmCustomerTimeline *self,
                                                         CrmTimelineKind      kinds);
CrmTimelineKind   crm_customer_timeline_get_filter      (CrmCustomerTimeline *self);
/* The entries shown (after the filter), newest first. */
GListModel       *crm_customer_timeline_get_model       (CrmCustomerTimeline *self);
/* A read is under way (or due), or the rest of one is still to follow
 * its first screenful. */
gboolean          crm_customer_timeline_is_busy         (CrmCustomerTimeline *self);
/* A read is under way: its first screenful is not shown yet. */
gboolean          crm_customer_timeline_is_reading      (CrmCustomerTimeline *self);

G_END_DECLS
