#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* What a timeline entry is about: its filter. */
typedef enum
{
  CRM_TIMELINE_INTERACTION  = 1 << 0,  /* a visit, call, e-mail or meeting */
  CRM_TIMELINE_SERVICE      = 1 << 1,  /* a service request opened or closed, a step done or due */
  CRM_TIMELINE_OPPORTUNITY  = 1 << 2,  /* an opportunity's stage change */
  CRM_TIMELINE_CAMPAIGN     = 1 << 3,  /* a campaign's contact and its outcome */
} CrmTimelineKind;

#define CRM_TIMELINE_ALL (CRM_TIMELINE_INTERACTION | CRM_TIMELINE_SERVICE | CRM_TIMELINE_OPPORTUNITY | \
                          CRM_TIMELINE_CAMPAIGN)

#define CRM_TYPE_TIMELINE_ENTRY (crm_timeline_entry_get_type ())

G_DECLARE_FINAL_TYPE (CrmTimelineEntry, crm_timeline_entry, CRM, TIMELINE_ENTRY, GObject)

/*
 * One line of a customer's timeline, as it is shown: immutable, made by
 * crm_timeline_read () in a worker.  @when is the instant it is placed at
 * (seconds since 1970, UTC); @key names the record and what about it
 * ("interaction:<id>", "step-due:<id>"...), unique within one timeline.
 */
CrmTimelineEntry *crm_timeline_entry_new           (CrmTimelineKind   kind,
                                                    const char       *key,
                                                    gint64            when,
                                                    const char       *icon_name,
                                                    const char       *title,
                                                    const char       *meta,
                                                    const char       *detail,
                                                    gboolean          overdue);
CrmTimelineKind   crm_timeline_entry_get_kind      (CrmTimelineEntry *self);
const char       *crm_timeline_entry_get_key       (CrmTimelineEntry *self);
gint64            crm_timeline_entry_get_when      (CrmTimelineEntry *self);
/* The instant as the locale writes a date and time. */
const char       *crm_timeline_entry_get_when_text (CrmTimelineEntry *self);
const char       *crm_timeline_entry_get_icon_name (CrmTimelineEntry *self);
const char       *crm_timeline_entry_get_title     (CrmTimelineEntry *self);
/* Kind, outcome, who, from → to ...: one line, or "". */
const char       *crm_timeline_entry_get_meta      (CrmTimelineEntry *self);
/* Notes and the next step, or "". */
const char       *crm_timeline_entry_get_detail    (CrmTimelineEntry *self);
/* A service step past its deadline and not done. */
gboolean          crm_timeline_entry_get_overdue   (CrmTimelineEntry *self);

/* Newest first; equal instants by key, so the order is stable. */
int               crm_timeline_entry_compare       (gconstpointer     a,
                                                    gconstpointer     b);

G_END_DECLS
