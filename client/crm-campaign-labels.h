#pragma once

#include <glib.h>

#include "crm-wire.h"

G_BEGIN_DECLS

/*
 * A campaign's closed words (crm-wire.h: crm_campaign_kind_names,
 * crm_campaign_status_names) as the Campaigns section shows them,
 * translated; the word itself when unknown, "" for NULL.
 */
const char *crm_campaign_kind_label   (const char *kind);
const char *crm_campaign_status_label (const char *status);
/* The same by index, for a combo row. */
const char *crm_campaign_kind_label_at (guint index);

G_END_DECLS
