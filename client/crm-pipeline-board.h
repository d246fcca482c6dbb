#pragma once

#include <adwaita.h>

#include "crm-pipeline-model.h"
#include "crm-pipeline-remote.h"

G_BEGIN_DECLS

#define CRM_TYPE_PIPELINE_BOARD (crm_pipeline_board_get_type ())

G_DECLARE_FINAL_TYPE (CrmPipelineBoard, crm_pipeline_board, CRM, PIPELINE_BOARD, AdwBin)

/*
 * The pipeline's Board: one column per open stage (in position order) of
 * the model's filtered opportunities, each a GtkListView of cards (rows
 * are recycled: 5,000 cards are a screenful of widgets), its header the
 * count, amount and weighted amount of its cards (crm_pipeline_sum ()).
 * A card moves by drag and drop onto another column or onto Won or Lost,
 * or from the keyboard (board.move-next, board.move-previous, and the
 * card's Move to… menu, board.move-to); a move to lost asks for the
 * reason first.  Every move goes through the model's mutation path, shows
 * at once, and offers Undo in a toast.  Enter or a double click on a card
 * opens its Edit dialog (in server mode on the server's record, the edit
 * shown at once as a move is).  States: loading, empty (no
 * opportunities at all), no-results (none under the filter), error,
 * board.
 */

GtkWidget        *crm_pipeline_board_new           (void);
CrmPipelineModel *crm_pipeline_board_get_model     (CrmPipelineBoard *self);
void              crm_pipeline_board_set_model     (CrmPipelineBoard *self,
                                                    CrmPipelineModel *model);
/* Server mode (a director's team or region): @remote's columns; NULL:
 * the model's. */
void              crm_pipeline_board_set_remote    (CrmPipelineBoard  *self,
                                                    CrmPipelineRemote *remote);
CrmPipelineRemote *crm_pipeline_board_get_remote   (CrmPipelineBoard  *self);
/* "loading", "empty", "no-results", "error" or "board" */
const char       *crm_pipeline_board_get_state     (CrmPipelineBoard *self);
/* Moves card @id to @stage as a drop there does (asking for the reason of
 * a loss).  FALSE when there is no such card or it is there already. */
gboolean          crm_pipeline_board_request_move  (CrmPipelineBoard *self,
                                                    const char       *id,
                                                    CrmStage          stage);
/* The drop target of @stage's column (or of Won or Lost), for tests. */
GtkDropTarget    *crm_pipeline_board_get_drop_target (CrmPipelineBoard *self,
                                                      CrmStage          stage);
/* How many of @stage's cards its list holds now (a long column grows to
 * all of them over the frames after it is filled), for tests. */
guint             crm_pipeline_board_get_n_listed  (CrmPipelineBoard *self,
                                                    CrmStage          stage);
/* The header's figures of @stage's column, as shown. */
void              crm_pipeline_board_get_header    (CrmPipelineBoard *self,
                                                    CrmStage          stage,
                                                    CrmPipelineTotals *totals);

G_END_DECLS
