#pragma once

#include <json-glib/json-glib.h>

#include "crm-store.h"
#include "crm-wire.h"

G_BEGIN_DECLS

/*
 * The pipeline's stages as the store holds them (the entity
 * pipeline_stage, server/sql/0014-pipeline.sql): each stage's default
 * probability, which an opportunity without its own (probability null)
 * takes.  Until the stages have come from the server, the defaults the
 * server starts with.
 */

/* The stages' initial defaults: 10, 25, 50, 75, 100, 0. */
extern const int crm_stage_initial_probability[CRM_N_STAGES];

/* Fills @defaults (indexed by CrmStage) from the store's stages. */
gboolean crm_pipeline_stage_defaults     (CrmStore    *store,
                                          int          defaults[CRM_N_STAGES],
                                          GError     **error);
/* @opportunity's effective probability: its own, else its stage's
 * default in @defaults (0 for a record without a known stage). */
int      crm_opportunity_probability     (JsonObject  *opportunity,
                                          const int    defaults[CRM_N_STAGES]);

G_END_DECLS
