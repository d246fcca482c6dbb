#pragma once

#include <glib.h>

#include "crm-wire.h"

G_BEGIN_DECLS

/*
 * The words of the activity vocabularies (crm-wire.h) as the interface
 * shows them, translated: interaction kinds and outcomes, opportunity
 * stages, campaign channels and responses, service request kinds,
 * statuses and priorities.
 *
 * @names is one of crm-wire.h's arrays (crm_stage_names, ...) and @word
 * a word of it; the word itself is returned when either is unknown, ""
 * for NULL.
 */
const char *crm_vocabulary_label     (const char * const *names,
                                      const char         *word);
/* The same by index into @names. */
const char *crm_vocabulary_label_at  (const char * const *names,
                                      guint               index);
/* A customer's churn risk factor ("falling_usage", ... as the server
 * scores them), translated; the word itself when unknown, "" for NULL. */
const char *crm_churn_reason_label   (const char         *word);
/* A symbolic icon for an interaction kind ("visit" ...): never NULL. */
const char *crm_interaction_kind_icon_name (const char *kind);

G_END_DECLS
