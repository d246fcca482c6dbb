#pragma once

#include <gio/gio.h>

#include "crm-opportunity-item.h"
#include "crm-pipeline-filter.h"
#include "crm-store.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_MODEL (crm_pipeline_model_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelineModel, crm_pipeline_model, CRM, PIPELINE_MODEL, GObject)

/*
 * The opportunities of the local store as the pipeline's Board and Table
 * show them (no GTK): every opportunity as a CrmOpportunityItem, the ones
 * that pass the filter in list models (all of them, and one per stage),
 * the stages in their order, and the directory the filter bar offers.
 *
 * It reads the store in a worker (crm_store_get_records () and
 * crm_store_get_customer_items ()) and follows CrmStore::changed: a change
 * of some opportunities or customers re-reads those customers'
 * opportunities only, and moves, inserts or removes their items in place
 * (a card keeps its row); a change of the stages or the directory, or a
 * reset, reads everything again.
 *
 * The lists are in stage order, then by expected close (none last), then
 * by id.  A move (crm_pipeline_model_move_async ()) shows at once: the
 * item moves before the store has written it, and moves back if the
 * store refuses.
 */

/* A stage as the pipeline_stage records have it (or, until they have come
 * from the server, as the vocabulary orders the stages, with the server's
 * initial defaults, crm_stage_initial_probability). */
typedef struct
{
  CrmStage  stage;
  int       position;             /* 1.. */
  int       default_probability;  /* 0..100 */
  gboolean  is_open;
} CrmPipelineStage;

/* A column header's figures: what the cards under it add up to. */
typedef struct
{
  guint   count;
  gint64  amount;     /* Σ total contract value, fen */
  gint64  weighted;   /* Σ of each card's rounded weighted value, fen */
} CrmPipelineTotals;

/* The totals of @items (CrmOpportunityItems) per stage, indexed by
 * CrmStage: the one computation behind every column header, so a header
 * is exactly the sum of its cards.  @totals is overwritten. */
void                     crm_pipeline_sum                  (GListModel              *items,
                                                            CrmPipelineTotals        totals[CRM_N_STAGES]);

/* One entry of the filter bar's lists. */
typedef struct
{
  char *id;
  char *name;
  char *name_en;   /* NULL when the directory has no English name */
} CrmPipelineChoice;

typedef enum
{
  CRM_PIPELINE_CHOICE_OWNER,
  CRM_PIPELINE_CHOICE_TEAM,
  CRM_PIPELINE_CHOICE_REGION,
  CRM_PIPELINE_N_CHOICES
} CrmPipelineChoiceKind;

/* What a finished move was, for its undo. */
typedef struct
{
  char     *id;
  CrmStage  from;
  CrmStage  to;
  char     *from_lost_reason;
} CrmPipelineMove;

void                     crm_pipeline_move_free            (CrmPipelineMove         *move);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CrmPipelineMove, crm_pipeline_move_free)

CrmPipelineModel        *crm_pipeline_model_new            (CrmStore                *store);
CrmStore                *crm_pipeline_model_get_store      (CrmPipelineModel        *self);
/* For the days in stage: NULL is the clock (tests set a fixed time).
 * Takes effect at the next read. */
void                     crm_pipeline_model_set_now        (CrmPipelineModel        *self,
                                                            GDateTime               *now);
/* TRUE until the first read has finished (the "loading" property). */
gboolean                 crm_pipeline_model_get_loading    (CrmPipelineModel        *self);
/* Why the last read failed, or NULL (the "error" property, notified). */
const GError            *crm_pipeline_model_get_error      (CrmPipelineModel        *self);
/* Reads everything again (after an error). */
void                     crm_pipeline_model_reload         (CrmPipelineModel        *self);

/* The stages in position order (the "stages-changed" signal says when
 * they change). */
const CrmPipelineStage  *crm_pipeline_model_get_stages     (CrmPipelineModel        *self,
                                                            guint                   *n_stages);
const CrmPipelineStage  *crm_pipeline_model_lookup_stage   (CrmPipelineModel        *self,
                                                            CrmStage                 stage);

void                     crm_pipeline_model_set_filter     (CrmPipelineModel        *self,
                                                            const CrmPipelineFilter *filter);
const CrmPipelineFilter *crm_pipeline_model_get_filter     (CrmPipelineModel        *self);
/* The items that pass the filter: all stages, and one stage's.  The
 * models belong to @self and stay the same objects. */
GListModel              *crm_pipeline_model_get_items      (CrmPipelineModel        *self);
GListModel              *crm_pipeline_model_get_stage_items (CrmPipelineModel       *self,
                                                            CrmStage                 stage);
/* Any opportunity here by id, filtered or not, or NULL. */
CrmOpportunityItem      *crm_pipeline_model_lookup         (CrmPipelineModel        *self,
                                                            const char              *id);
/* The number of opportunities here, filtered or not. */
guint                    crm_pipeline_model_get_n_all      (CrmPipelineModel        *self);
/* (element-type CrmPipelineChoice): by name; ::choices-changed says when
 * they were read again */
GPtrArray               *crm_pipeline_model_get_choices    (CrmPipelineModel        *self,
                                                            CrmPipelineChoiceKind    kind);

/* Moves opportunity @id to @stage through the store's mutation path
 * (crm_store_enqueue_updates_async (): written locally at once, sent
 * when online).  A move to lost needs @lost_reason (not blank), else
 * CRM_ERROR_INVALID with field "lost_reason" and nothing moves. */
void                     crm_pipeline_model_move_async     (CrmPipelineModel        *self,
                                                            const char              *id,
                                                            CrmStage                 stage,
                                                            const char              *lost_reason,
                                                            GCancellable            *cancellable,
                                                            GAsyncReadyCallback      callback,
                                                            gpointer                 user_data);
CrmPipelineMove         *crm_pipeline_model_move_finish    (CrmPipelineModel        *self,
                                                            GAsyncResult            *result,
                                                            GError                 **error);
/* Moves it back where @move took it from (its reason for a loss too). */
void                     crm_pipeline_model_undo_async     (CrmPipelineModel        *self,
                                                            const CrmPipelineMove   *move,
                                                            GCancellable            *cancellable,
                                                            GAsyncReadyCallback      callback,
                                                            gpointer                 user_data);
gboolean                 crm_pipeline_model_undo_finish    (CrmPipelineModel        *self,
                                                            GAsyncResult            *result,
                                                            GError                 **error);

G_END_DECLS
