#define G_LOG_DOMAIN "crm-pipeline-board"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-format.h"
#include "crm-opportunity-dialog.h"
#include "crm-pipeline-board.h"
#include "crm-pipeline-remote.h"
#include "crm-vocabulary.h"

/* One column: an open stage's cards, or a closing stage's drop zone. */
typedef struct
{
  CrmPipelineBoard *board;
  CrmStage          stage;
  GtkWidget        *widget;
  GtkDropTarget    *drop_target;
  GListModel       *items;        /* the model's; NULL for a drop zone */
  GtkSliceListModel *shown;       /* the first of them, growing frame by frame */
  GtkLabel         *count_label;
  GtkLabel         *amount_label;
  GtkLabel         *weighted_label;
  CrmPipelineTotals totals;
  gulong            items_changed_id;
  GtkLabel         *shown_label;   /* server mode: "50 of 1,234 shown" */
  GtkWidget        *more_button;   /* server mode: Show More */
} Column;

/* The widgets of one card, kept on its root widget ("crm-card"). */
typedef struct
{
  CrmPipelineBoard   *board;
  GtkWidget          *root;
  GtkLabel           *customer;
  GtkLabel           *title;
  GtkLabel           *amount;
  GtkLabel           *close;
  AdwAvatar          *avatar;
  GtkLabel           *owner;
  GtkLabel           *days;
  CrmOpportunityItem *item;       /* bound, or NULL */
} Card;

struct _CrmPipelineBoard
{
  AdwBin            parent_instance;

  CrmPipelineModel *model;
  CrmPipelineRemote *remote;      /* server mode: the columns are the server's */
  GPtrArray        *columns;      /* of Column *: the open stages, then won and lost */
  guint             grow_id;      /* the tick callback growing the columns' cards */
  GCancellable     *cancellable;
  CrmPipelineMove  *last_move;    /* what Undo undoes */
  AdwToast         *toast;        /* the board's, while shown: later news rewrites it */
  const char       *state;
  GtkPopoverMenu   *card_menu;    /* the Move to… menu, shared by the cards */

  /* Template widgets */
  AdwToastOverlay  *toast_overlay;
  GtkStack         *stack;
  AdwStatusPage    *error_page;
  GtkLabel         *status_label;
  GtkBox           *columns_box;
  GtkBox           *closing_box;
};

G_DEFINE_FINAL_TYPE (CrmPipelineBoard, crm_pipeline_board, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_REMOTE,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void do_move (CrmPipelineBoard *self, const char *id, CrmStage stage, const char *reason);
static void column_grow_from_start (Column *column, guint added);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void
column_free (Column *column)
{
  if (column->items_changed_id != 0)
    g_signal_handler_disconnect (column->items, column->items_changed_id);
  g_clear_object (&column->shown);
  g_free (column);
}

static Column *
find_column (CrmPipelineBoard *self,
             CrmStage          stage)
{
  for (guint i = 0; self->columns != NULL && i < self->columns->len; i++)
    {
      Column *column = self->columns->pdata[i];

      if (column->stage == stage)
        return column;
    }
  return NULL;
}

static const char *
stage_label (CrmStage stage)
{
  return crm_vocabulary_label_at (crm_stage_names, stage);
}

static void
set_state (CrmPipelineBoard *self,
           const char       *state)
{
  if (g_strcmp0 (self->state, state) == 0)
    return;
  self->state = state;
  gtk_stack_set_visible_child_name (self->stack, state);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Server mode: the state of the server's figures. */
static void
update_remote_state (CrmPipelineBoard *self)
{
  g_autofree char *status = crm_pipeline_remote_dup_status (self->remote);
  const GError *error = crm_pipeline_remote_get_error (self->remote);
  guint count = 0;

  gtk_label_set_label (self->status_label, status);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status[0] != '\0');
  for (guint i = 0; self->columns != NULL && i < self->columns->len; i++)
    count += ((Column *) self->columns->pdata[i])->totals.count;
  switch (crm_pipeline_remote_get_state (self->remote))
    {
    case CRM_REPORT_STATE_FAILED:
      adw_status_page_set_description (self->error_page, error ? error->message : NULL);
      set_state (self, "error");
      break;
    case CRM_REPORT_STATE_NONE:
      adw_status_page_set_description (self->error_page,
                                       _("The server cannot be reached, and the board was never read from it "
                                         "on this computer."));
      set_state (self, "error");
      break;
    case CRM_REPORT_STATE_KEPT:
    case CRM_REPORT_STATE_FRESH:
    case CRM_REPORT_STATE_OFFLINE:
      set_state (self, count == 0 ? "no-results" : "board");
      break;
    case CRM_REPORT_STATE_EMPTY:
    case CRM_REPORT_STATE_LOADING:
    default:
      set_state (self, "loading");
      break;
    }
}

static void
update_state (CrmPipelineBoard *self)
{
  const GError *error;

  if (self->remote != NULL)
    {
      update_remote_state (self);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  if (self->model == NULL || crm_pipeline_model_get_loading (self->model))
    {
      error = self->model ? crm_pipeline_model_get_error (self->model) : NULL;
      if (error != NULL)
        {
          adw_status_page_set_description (self->error_page, error->message);
          set_state (self, "error");
        }
      else
        set_state (self, "loading");
      return;
    }
  if (crm_pipeline_model_get_n_all (self->model) == 0)
    set_state (self, "empty");
  else if (g_list_model_get_n_items (crm_pipeline_model_get_items (self->model)) == 0)
    set_state (self, "no-results");
  else
    set_state (self, "board");
}

/* ------------------------------------------------------------------ */
/* Column headers                                                      */
/* ------------------------------------------------------------------ */

static void
update_header (Column *column)
{
  CrmPipelineTotals totals[CRM_N_STAGES];
  g_autofree char *count = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *weighted = NULL;
  g_autofree char *weighted_text = NULL;

  if (column->board->remote != NULL)
    crm_pipeline_remote_get_totals (column->board->remote, column->stage, &column->totals);
  else
    {
      crm_pipeline_sum (column->items, totals);
      column->totals = totals[column->stage];
    }
  count = g_strdup_printf ("%u", column->totals.count);
  amount = crm_format_money (column->totals.amount);
  weighted = crm_format_money (column->totals.weighted);
  /* TRANSLATORS: a column's weighted amount, e.g. "Weighted ¥12,340.00" */
  weighted_text = g_strdup_printf (_("Weighted %s"), weighted);
  gtk_label_set_label (column->count_label, count);
  gtk_label_set_label (column->amount_label, amount);
  gtk_label_set_label (column->weighted_label, weighted_text);
  if (column->shown_label != NULL)
    {
      CrmPipelineRemote *remote = column->board->remote;
      guint listed = g_list_model_get_n_items (column->items);
      gint64 total = crm_pipeline_remote_get_stage_total (remote, column->stage);
      g_autofree char *listed_text = crm_format_number (listed);
      g_autofree char *total_text = crm_format_number (total);
      g_autofree char *shown = NULL;

      if (crm_pipeline_remote_get_stage_loading (remote, column->stage))
        shown = g_strdup (_("Loading…"));
      else
        /* TRANSLATORS: under a column of the board: how many of its
         * opportunities are listed, "50 of 1,234 shown" */
        shown = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s shown", "%s of %s shown",
                                              (gulong) total),
                                 listed_text, total_text);
      gtk_label_set_label (column->shown_label, shown);
      gtk_widget_set_visible (column->more_button, crm_pipeline_remote_can_show_more (remote, column->stage));
    }
}

static void
column_items_changed_cb (GListModel *items,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Column     *column)
{
  update_header (column);
  update_state (column->board);
  column_grow_from_start (column, added);
}

/* ------------------------------------------------------------------ */
/* Cards                                                               */
/* ------------------------------------------------------------------ */

static GtkLabel *
card_label (GtkWidget  *box,
            const char *css_class,
            gboolean    expand)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), expand ? 0 : 1);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, expand);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);
  return GTK_LABEL (label);
}

static GtkWidget *
hbox (GtkWidget *parent)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_box_append (GTK_BOX (parent), box);
  return box;
}

/* The Move to… menu of @card: the other open stages, Won, Lost… */
static GMenuModel *
card_menu_model (Card *card)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) open = g_menu_new ();
  g_autoptr(GMenu) closing = g_menu_new ();
  CrmStage current = crm_opportunity_item_get_stage (card->item);
  const CrmPipelineStage *stages;
  guint n_stages;

  stages = crm_pipeline_model_get_stages (card->board->model, &n_stages);
  for (guint i = 0; i < n_stages; i++)
    {
      g_autoptr(GMenuItem) entry = NULL;
      g_autofree char *label = NULL;

      if (stages[i].stage == current)
        continue;
      label = stages[i].stage == CRM_STAGE_LOST ? g_strdup_printf (_("%s…"), stage_label (stages[i].stage))
                                                 : g_strdup (stage_label (stages[i].stage));
      entry = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (entry, "board.move-card",
                                               g_variant_new ("(si)", crm_opportunity_item_get_id (card->item),
                                                              (int) stages[i].stage));
      g_menu_append_item (stages[i].is_open ? open : closing, entry);
    }
  g_menu_append_section (menu, _("Move to"), G_MENU_MODEL (open));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (closing));
  return G_MENU_MODEL (menu);
}

/* Opens the Move to… menu under @card (one popover for every card: a
 * card is a few widgets, 200 of them a column in GTK 4.8's list view). */
static void
open_card_menu (CrmPipelineBoard *self,
                Card             *card)
{
  g_autoptr(GMenuModel) model = NULL;
  graphene_rect_t bounds;

  if (card->item == NULL || self->model == NULL)
    return;
  model = card_menu_model (card);
  if (self->card_menu == NULL)
    {
      self->card_menu = GTK_POPOVER_MENU (gtk_popover_menu_new_from_model (NULL));
      gtk_widget_set_parent (GTK_WIDGET (self->card_menu), GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->card_menu), TRUE);
    }
  gtk_popover_menu_set_menu_model (self->card_menu, model);
  if (gtk_widget_compute_bounds (card->root, GTK_WIDGET (self), &bounds))
    gtk_popover_set_pointing_to (GTK_POPOVER (self->card_menu),
                                 &(GdkRectangle) { (int) bounds.origin.x, (int) bounds.origin.y,
                                                   (int) bounds.size.width, (int) bounds.size.height });
  gtk_popover_popup (GTK_POPOVER (self->card_menu));
}

static void
card_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 Card            *card)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  open_card_menu (card->board, card);
}

static GdkContentProvider *
drag_prepare_cb (GtkDragSource *source,
                 double         x,
                 double         y,
                 Card          *card)
{
  if (card->item == NULL)
    return NULL;
  return gdk_content_provider_new_typed (G_TYPE_STRING, crm_opportunity_item_get_id (card->item));
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               Card          *card)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (card->root);

  gtk_drag_source_set_icon (source, paintable, 0, 0);
}

static void
card_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               CrmPipelineBoard         *self)
{
  Card *card = g_new0 (Card, 1);
  GtkWidget *root = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *row;
  GtkDragSource *source;

  card->board = self;
  card->root = root;
  gtk_widget_add_css_class (root, "card");
  gtk_widget_add_css_class (root, "pipeline-card");

  card->customer = card_label (root, "heading", TRUE);

  card->title = card_label (root, NULL, TRUE);

  row = hbox (root);
  card->amount = card_label (row, "numeric", TRUE);
  card->close = card_label (row, "dim-label", FALSE);

  row = hbox (root);
  card->avatar = ADW_AVATAR (adw_avatar_new (24, NULL, TRUE));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (card->avatar));
  card->owner = card_label (row, "caption", TRUE);
  card->days = card_label (row, "caption", FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (card->days), "dim-label");

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect (source, "prepare", G_CALLBACK (drag_prepare_cb), card);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), card);
  gtk_widget_add_controller (root, GTK_EVENT_CONTROLLER (source));
  /* the Move to… menu: a right click (and Ctrl+M, Menu, Shift+F10) */
  {
    GtkGesture *click = gtk_gesture_click_new ();

    gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
    g_signal_connect (click, "pressed", G_CALLBACK (card_pressed_cb), card);
    gtk_widget_add_controller (root, GTK_EVENT_CONTROLLER (click));
  }

  g_object_set_data_full (G_OBJECT (root), "crm-card", card, g_free);
  gtk_list_item_set_child (list_item, root);
}

static void
card_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              CrmPipelineBoard         *self)
{
  Card *card = g_object_get_data (G_OBJECT (gtk_list_item_get_child (list_item)), "crm-card");
  CrmOpportunityItem *item = gtk_list_item_get_item (list_item);
  const char *customer = crm_opportunity_item_get_customer_name (item);
  const char *owner = crm_opportunity_item_get_owner_name (item);
  const char *close = crm_opportunity_item_get_expected_close (item);
  int days = crm_opportunity_item_get_days_in_stage (item);
  g_autofree char *amount = crm_format_money (crm_opportunity_item_get_amount (item));
  g_autofree char *close_text = close ? crm_format_date (close) : g_strdup (_("No close date"));
  g_autofree char *days_text = NULL;
  g_autofree char *description = NULL;

  card->item = item;
  gtk_label_set_label (card->customer, customer ? customer : _("Unknown customer"));
  gtk_label_set_label (card->title, crm_opportunity_item_get_title (item));
  gtk_label_set_label (card->amount, amount);
  gtk_label_set_label (card->close, close_text);
  adw_avatar_set_text (card->avatar, owner);
  gtk_label_set_label (card->owner, owner ? owner : "");
  if (days >= 0)
    /* TRANSLATORS: how long a card has been in its stage */
    days_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day", "%d days", days), days);
  gtk_label_set_label (card->days, days_text ? days_text : "");

  description = g_strdup_printf ("%s, %s, %s, %s, %s, %s", customer ? customer : "",
                                 crm_opportunity_item_get_title (item), amount, close_text, owner ? owner : "",
                                 days_text ? days_text : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (card->root), GTK_ACCESSIBLE_PROPERTY_LABEL, description, -1);
}

static void
card_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                CrmPipelineBoard         *self)
{
  Card *card = g_object_get_data (G_OBJECT (gtk_list_item_get_child (list_item)), "crm-card");

  card->item = NULL;
}

/* The card that has the keyboard focus, or NULL. */
static Card *
focused_card (CrmPipelineBoard *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GtkWidget *child = focus ? gtk_widget_get_first_child (focus) : NULL;
  Card *card;

  if (child != NULL && (card = g_object_get_data (G_OBJECT (child), "crm-card")) != NULL)
    return card->item ? card : NULL;
  for (GtkWidget *w = focus; w != NULL && w != GTK_WIDGET (self); w = gtk_widget_get_parent (w))
    if ((card = g_object_get_data (G_OBJECT (w), "crm-card")) != NULL)
      return card->item ? card : NULL;
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Columns                                                             */
/* ------------------------------------------------------------------ */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         Column        *column)
{
  const char *id = G_VALUE_HOLDS_STRING (value) ? g_value_get_string (value) : NULL;

  return id != NULL && crm_pipeline_board_request_move (column->board, id, column->stage);
}

static Column *
column_new (CrmPipelineBoard *self,
            CrmStage          stage)
{
  Column *column = g_new0 (Column, 1);

  column->board = self;
  column->stage = stage;
  column->drop_target = gtk_drop_target_new (G_TYPE_STRING, GDK_ACTION_MOVE);
  g_signal_connect (column->drop_target, "drop", G_CALLBACK (drop_cb), column);
  return column;
}

static GtkLabel *
header_label (GtkWidget  *box,
              const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);
  return GTK_LABEL (label);
}

/* GTK 4.8's list view makes and measures up to 200 rows whatever it
 * shows: four columns of 5,000 opportunities made 800 cards in the
 * board's first frame (450 ms of main-thread CPU, bench/board).  Each
 * column shows a screenful at first, and GROW_STEP more cards a frame
 * until the list view holds all it would make (GROW_ALL), then the rest
 * at once (the list view makes none of those until scrolled to). */
#define FIRST_CARDS 10
#define GROW_STEP   4
#define GROW_ALL    200

static gboolean
grow_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  CrmPipelineBoard *self = CRM_PIPELINE_BOARD (widget);
  gboolean more = FALSE;

  for (guint i = 0; self->columns != NULL && i < self->columns->len; i++)
    {
      Column *column = self->columns->pdata[i];
      guint size, n;

      if (column->shown == NULL)
        continue;
      size = gtk_slice_list_model_get_size (column->shown);
      n = g_list_model_get_n_items (column->items);
      if (size >= n)
        continue;
      gtk_slice_list_model_set_size (column->shown, size + GROW_STEP >= GROW_ALL ? G_MAXUINT : size + GROW_STEP);
      more = more || gtk_slice_list_model_get_size (column->shown) < n;
    }
  if (more)
    return G_SOURCE_CONTINUE;
  self->grow_id = 0;
  return G_SOURCE_REMOVE;
}

static void
start_growing (CrmPipelineBoard *self)
{
  if (self->grow_id == 0)
    self->grow_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), grow_cb, NULL, NULL);
}

/* Many cards at once (a read, a filter): a screenful again, then growing. */
static void
column_grow_from_start (Column *column,
                        guint   added)
{
  /* a server's page is listed whole */
  if (column->shown == NULL || column->board->remote != NULL)
    return;
  if (added > GROW_STEP * 4)
    gtk_slice_list_model_set_size (column->shown, MIN (gtk_slice_list_model_get_size (column->shown), FIRST_CARDS));
  if (gtk_slice_list_model_get_size (column->shown) < g_list_model_get_n_items (column->items))
    start_growing (column->board);
}

/* Server mode: how many cards of how many, and Show More. */
static void
add_footer (Column    *column,
            GtkWidget *box)
{
  GtkWidget *footer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *button = gtk_button_new_with_mnemonic (_("Show _More"));
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_add_css_class (footer, "pipeline-column-footer");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_name (button, "show-more");
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "board.show-more");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_int32 (column->stage));
  gtk_box_append (GTK_BOX (footer), label);
  gtk_box_append (GTK_BOX (footer), button);
  gtk_box_append (GTK_BOX (box), footer);
  column->shown_label = GTK_LABEL (label);
  column->more_button = button;
}

/* Server mode: an edit saved shows on its card at once (as a move), and
 * the server's figures are asked again once the server has it. */
static void
remote_edit_queued_cb (CrmPipelineBoard *self,
                       const char       *record_id,
                       GtkWidget        *dialog)
{
  g_autoptr(JsonObject) fields = crm_opportunity_dialog_dup_fields (CRM_OPPORTUNITY_DIALOG (dialog), NULL);

  if (self->remote != NULL && fields != NULL)
    crm_pipeline_remote_apply_queued (self->remote, record_id, fields,
                                      crm_form_window_get_queued_seq (CRM_FORM_WINDOW (dialog)));
}

/* Enter or a double click on a card: its Edit dialog (in server mode on
 * the record the server sent, which the store may not hold). */
static void
card_activated_cb (GtkListView *list,
                   guint        position,
                   Column      *column)
{
  CrmPipelineBoard *self = column->board;
  g_autoptr(CrmOpportunityItem) item = g_list_model_get_item (G_LIST_MODEL (column->shown), position);
  GtkWindow *parent = GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self)));
  CrmStore *store = self->model ? crm_pipeline_model_get_store (self->model) : NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  if (item == NULL || store == NULL)
    return;
  if (self->remote != NULL)
    dialog = crm_opportunity_dialog_new_for_remote_edit (parent, store, crm_opportunity_item_get_record (item),
                                                         &error);
  else
    dialog = crm_opportunity_dialog_new_for_edit (parent, store, crm_opportunity_item_get_customer_id (item),
                                                  crm_opportunity_item_get_id (item), &error);
  if (dialog == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }
  if (self->remote != NULL)
    g_signal_connect_object (dialog, "queued", G_CALLBACK (remote_edit_queued_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_open_column (CrmPipelineBoard *self,
                 CrmStage          stage)
{
  Column *column = column_new (self, stage);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkNoSelection *selection;
  GtkWidget *box, *header, *title_row, *title, *scroller, *list;

  column->items = self->remote != NULL ? crm_pipeline_remote_get_stage_items (self->remote, stage)
                                       : crm_pipeline_model_get_stage_items (self->model, stage);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (box, "pipeline-column");
  gtk_widget_set_size_request (box, 260, -1);
  gtk_widget_set_hexpand (box, TRUE);
  gtk_widget_set_name (box, crm_stage_names[stage]);

  header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (header, "pipeline-column-header");
  title_row = hbox (header);
  title = gtk_label_new (stage_label (stage));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (title_row), title);
  column->count_label = header_label (title_row, "pipeline-count");
  column->amount_label = header_label (header, "numeric");
  column->weighted_label = header_label (header, "dim-label");
  gtk_box_append (GTK_BOX (box), header);

  g_signal_connect (factory, "setup", G_CALLBACK (card_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (card_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (card_unbind_cb), self);
  /* a page of the server's is CRM_REMOTE_PAGE_SIZE cards: no growing */
  column->shown = gtk_slice_list_model_new (g_object_ref (column->items), 0,
                                            self->remote != NULL ? G_MAXUINT : FIRST_CARDS);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (column->shown)));
  list = gtk_list_view_new (GTK_SELECTION_MODEL (selection), g_object_ref (factory));
  gtk_widget_add_css_class (list, "pipeline-cards");
  g_signal_connect (list, "activate", G_CALLBACK (card_activated_cb), column);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, stage_label (stage), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  gtk_box_append (GTK_BOX (box), scroller);
  if (self->remote != NULL)
    add_footer (column, box);

  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (column->drop_target));
  column->widget = box;
  column->items_changed_id = g_signal_connect (column->items, "items-changed",
                                               G_CALLBACK (column_items_changed_cb), column);
  gtk_box_append (self->columns_box, box);
  g_ptr_array_add (self->columns, column);
  update_header (column);
  column_grow_from_start (column, 0);
}

static void
add_closing_zone (CrmPipelineBoard *self,
                  CrmStage          stage)
{
  Column *column = column_new (self, stage);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name (stage == CRM_STAGE_WON ? "emblem-ok-symbolic"
                                                                          : "window-close-symbolic");
  GtkWidget *label = gtk_label_new (stage_label (stage));

  gtk_widget_add_css_class (box, "pipeline-drop-zone");
  gtk_widget_add_css_class (box, stage == CRM_STAGE_WON ? "won" : "lost");
  gtk_widget_set_name (box, crm_stage_names[stage]);
  gtk_widget_set_halign (icon, GTK_ALIGN_END);
  gtk_widget_set_hexpand (icon, TRUE);
  gtk_widget_set_halign (label, GTK_ALIGN_START);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_tooltip_text (box, stage == CRM_STAGE_WON ? _("Drop a card here to mark it won")
                                                            : _("Drop a card here to mark it lost"));
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (column->drop_target));
  column->widget = box;
  gtk_box_append (self->closing_box, box);
  g_ptr_array_add (self->columns, column);
}

static void
clear_columns (CrmPipelineBoard *self)
{
  GtkWidget *child;

  if (self->grow_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->grow_id);
  self->grow_id = 0;
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->columns_box))) != NULL)
    gtk_box_remove (self->columns_box, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->closing_box))) != NULL)
    gtk_box_remove (self->closing_box, child);
}

static void
build_columns (CrmPipelineBoard *self)
{
  const CrmPipelineStage *stages;
  guint n_stages;

  clear_columns (self);
  if (self->model == NULL)
    return;
  self->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  stages = crm_pipeline_model_get_stages (self->model, &n_stages);
  for (guint i = 0; i < n_stages; i++)
    if (stages[i].is_open)
      add_open_column (self, stages[i].stage);
  for (guint i = 0; i < n_stages; i++)
    if (!stages[i].is_open)
      add_closing_zone (self, stages[i].stage);
}

/* ------------------------------------------------------------------ */
/* Moves                                                               */
/* ------------------------------------------------------------------ */

static void
toast_dismissed_cb (AdwToast         *toast,
                    CrmPipelineBoard *self)
{
  if (self->toast == toast)
    self->toast = NULL;
}

/* The board's news, in one toast: a move's replaces the text of the one
 * still shown instead of dismissing it for a new one.  libadwaita 1.2
 * frees a toast dismissed while it is still sliding in (the 300 ms hide
 * of a toast dismissed within 200 ms of a 500 ms replacing show, or both
 * ending in one late frame, when the hide runs first) and then touches it
 * as the slide ends: a SIGSEGV in adw_animation_skip.  So the board never
 * dismisses its toast early; the toast's own timeout does. */
static void
show_toast (CrmPipelineBoard *self,
            const char       *title,
            gboolean          with_undo)
{
  AdwToast *toast = self->toast;

  if (toast == NULL)
    toast = adw_toast_new (title);
  else
    adw_toast_set_title (toast, title);
  adw_toast_set_button_label (toast, with_undo ? _("_Undo") : NULL);
  adw_toast_set_action_name (toast, with_undo ? "board.undo" : NULL);
  if (self->toast == NULL)
    {
      self->toast = toast;
      g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
}

static void
moved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CrmPipelineBoard) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmPipelineMove) move = NULL;
  g_autofree char *title = NULL;
  CrmOpportunityItem *item;

  move = CRM_IS_PIPELINE_REMOTE (source) ? crm_pipeline_remote_move_finish (CRM_PIPELINE_REMOTE (source), result, &error)
                                         : crm_pipeline_model_move_finish (CRM_PIPELINE_MODEL (source), result, &error);
  if (move == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      title = g_strdup_printf (_("Could not move the opportunity: %s"), error->message);
      show_toast (self, title, FALSE);
      return;
    }
  if (move->from == move->to)
    return;
  item = CRM_IS_PIPELINE_REMOTE (source) ? crm_pipeline_remote_lookup (CRM_PIPELINE_REMOTE (source), move->id)
                                         : crm_pipeline_model_lookup (CRM_PIPELINE_MODEL (source), move->id);
  /* TRANSLATORS: "Moved “Fibre for the new office” to Proposal" */
  title = g_strdup_printf (_("Moved “%s” to %s"), item ? crm_opportunity_item_get_title (item) : "",
                           stage_label (move->to));
  g_clear_pointer (&self->last_move, crm_pipeline_move_free);
  self->last_move = g_steal_pointer (&move);
  show_toast (self, title, TRUE);
}

static void
do_move (CrmPipelineBoard *self,
         const char       *id,
         CrmStage          stage,
         const char       *reason)
{
  if (self->remote != NULL)
    crm_pipeline_remote_move_async (self->remote, id, stage, reason, self->cancellable, moved_cb, g_object_ref (self));
  else
    crm_pipeline_model_move_async (self->model, id, stage, reason, self->cancellable, moved_cb, g_object_ref (self));
}

static void
reason_changed_cb (GtkEditable      *entry,
                   AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "lose", text[0] != '\0');
}

static void
reason_activate_cb (GtkEntry         *entry,
                    AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "lose"))
    adw_message_dialog_response (dialog, "lose");
}

static void
reason_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CrmPipelineBoard *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  const char *id = g_object_get_data (G_OBJECT (dialog), "opportunity-id");

  if (g_strcmp0 (response, "lose") == 0 && self->model != NULL)
    do_move (self, id, CRM_STAGE_LOST, gtk_editable_get_text (entry));
}

/* A loss needs its reason: nothing moves until it is given. */
static void
ask_reason (CrmPipelineBoard   *self,
            CrmOpportunityItem *item)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog, *entry;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Mark as Lost?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog), _("Why was “%s” lost?"),
                                  crm_opportunity_item_get_title (item));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "lose", _("Mark _Lost"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "lose", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "lose", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "lose");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason lost"));
  gtk_entry_set_max_length (GTK_ENTRY (entry), 500);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason lost"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_signal_connect (entry, "changed", G_CALLBACK (reason_changed_cb), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (reason_activate_cb), dialog);
  g_object_set_data_full (G_OBJECT (dialog), "opportunity-id", g_strdup (crm_opportunity_item_get_id (item)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (reason_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */
/* ------------------------------------------------------------------ */

static void
undone_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CrmPipelineBoard) self = user_data;
  g_autoptr(GError) error = NULL;

  gboolean undone = CRM_IS_PIPELINE_REMOTE (source)
                    ? crm_pipeline_remote_undo_finish (CRM_PIPELINE_REMOTE (source), result, &error)
                    : crm_pipeline_model_undo_finish (CRM_PIPELINE_MODEL (source), result, &error);

  if (!undone &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *title = g_strdup_printf (_("Could not undo the move: %s"), error->message);

      show_toast (self, title, FALSE);
    }
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmPipelineBoard *self = CRM_PIPELINE_BOARD (widget);
  g_autoptr(CrmPipelineMove) move = g_steal_pointer (&self->last_move);

  if (move == NULL || self->model == NULL)
    return;
  if (self->remote != NULL)
    crm_pipeline_remote_undo_async (self->remote, move, self->cancellable, undone_cb, g_object_ref (self));
  else
    crm_pipeline_model_undo_async (self->model, move, self->cancellable, undone_cb, g_object_ref (self));
}

/* The stage @step places after (or before) @stage in the board's order:
 * the open stages, then won. */
static gboolean
neighbour_stage (CrmPipelineBoard *self,
                 CrmStage          stage,
                 int               step,
                 CrmStage         *out)
{
  for (guint i = 0; i < self->columns->len; i++)
    {
      Column *column = self->columns->pdata[i];
      int j = (int) i + step;

      if (column->stage != stage)
        continue;
      if (j < 0 || j >= (int) self->columns->len)
        return FALSE;
      *out = ((Column *) self->columns->pdata[j])->stage;
      return *out != CRM_STAGE_LOST;
    }
  return FALSE;
}

static void
move_step_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelineBoard *self = CRM_PIPELINE_BOARD (widget);
  Card *card = self->model && self->columns ? focused_card (self) : NULL;
  int step = g_str_equal (action_name, "board.move-next") ? 1 : -1;
  CrmStage to;

  if (card == NULL)
    return;
  if (neighbour_stage (self, crm_opportunity_item_get_stage (card->item), step, &to))
    crm_pipeline_board_request_move (self, crm_opportunity_item_get_id (card->item), to);
}

static void
move_to_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrmPipelineBoard *self = CRM_PIPELINE_BOARD (widget);
  Card *card = self->model ? focused_card (self) : NULL;

  if (card != NULL)
    open_card_menu (self, card);
}

static void
move_card_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  const char *id;
  int stage;

  g_variant_get (parameter, "(&si)", &id, &stage);
  if (stage >= 0 && stage < CRM_N_STAGES)
    crm_pipeline_board_request_move (CRM_PIPELINE_BOARD (widget), id, (CrmStage) stage);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmPipelineBoard *self = CRM_PIPELINE_BOARD (widget);

  if (self->remote != NULL)
    crm_pipeline_remote_reload (self->remote);
  else if (self->model != NULL)
    crm_pipeline_model_reload (self->model);
}

static void
show_more_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmPipelineBoard *self = CRM_PIPELINE_BOARD (widget);
  int stage = g_variant_get_int32 (parameter);

  if (self->remote != NULL && stage >= 0 && stage < CRM_N_STAGES)
    crm_pipeline_remote_show_more (self->remote, (CrmStage) stage);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_pipeline_board_dispose (GObject *object)
{
  CrmPipelineBoard *self = (CrmPipelineBoard *) object;

  g_cancellable_cancel (self->cancellable);
  crm_pipeline_board_set_remote (self, NULL);
  crm_pipeline_board_set_model (self, NULL);
  g_clear_pointer ((GtkWidget **) &self->card_menu, gtk_widget_unparent);
  /* the toast overlay is both AdwBin's child and a template child:
   * unparented once, here, not again by AdwBin */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_PIPELINE_BOARD);

  G_OBJECT_CLASS (crm_pipeline_board_parent_class)->dispose (object);
}

static void
crm_pipeline_board_finalize (GObject *object)
{
  CrmPipelineBoard *self = (CrmPipelineBoard *) object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->last_move, crm_pipeline_move_free);

  G_OBJECT_CLASS (crm_pipeline_board_parent_class)->finalize (object);
}

static void
crm_pipeline_board_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrmPipelineBoard *self = CRM_PIPELINE_BOARD (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_REMOTE:
      g_value_set_object (value, self->remote);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_pipeline_board_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CrmPipelineBoard *self = CRM_PIPELINE_BOARD (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      crm_pipeline_board_set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_pipeline_board_class_init (CrmPipelineBoardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_pipeline_board_dispose;
  object_class->finalize = crm_pipeline_board_finalize;
  object_class->get_property = crm_pipeline_board_get_property;
  object_class->set_property = crm_pipeline_board_set_property;

  properties[PROP_MODEL] = g_param_spec_object ("model", NULL, NULL, CRM_TYPE_PIPELINE_MODEL,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REMOTE] = g_param_spec_object ("remote", NULL, NULL, CRM_TYPE_PIPELINE_REMOTE,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, "loading",
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-pipeline-board.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineBoard, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineBoard, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineBoard, error_page);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineBoard, status_label);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineBoard, columns_box);
  gtk_widget_class_bind_template_child (widget_class, CrmPipelineBoard, closing_box);

  gtk_widget_class_install_action (widget_class, "board.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "board.move-next", NULL, move_step_action);
  gtk_widget_class_install_action (widget_class, "board.move-previous", NULL, move_step_action);
  gtk_widget_class_install_action (widget_class, "board.move-to", NULL, move_to_action);
  gtk_widget_class_install_action (widget_class, "board.move-card", "(si)", move_card_action);
  gtk_widget_class_install_action (widget_class, "board.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "board.show-more", "i", show_more_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "board.move-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "board.move-previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "board.move-to", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "board.move-to", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "board.move-to", NULL);
}

static void
crm_pipeline_board_init (CrmPipelineBoard *self)
{
  static gsize css_loaded;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->state = "loading";
  if (g_once_init_enter (&css_loaded))
    {
      g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/org/keylinecrm/Keyline/crm-pipeline-board.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_once_init_leave (&css_loaded, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

GtkWidget *
crm_pipeline_board_new (void)
{
  return g_object_new (CRM_TYPE_PIPELINE_BOARD, NULL);
}

CrmPipelineModel *
crm_pipeline_board_get_model (CrmPipelineBoard *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_BOARD (self), NULL);
  return self->model;
}

void
crm_pipeline_board_set_model (CrmPipelineBoard *self,
                              CrmPipelineModel *model)
{
  g_return_if_fail (CRM_IS_PIPELINE_BOARD (self));
  g_return_if_fail (model == NULL || CRM_IS_PIPELINE_MODEL (model));

  if (self->model == model)
    return;
  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->model, self);
      g_signal_handlers_disconnect_by_data (crm_pipeline_model_get_items (self->model), self);
    }
  clear_columns (self);
  g_clear_pointer (&self->last_move, crm_pipeline_move_free);
  g_set_object (&self->model, model);
  if (model != NULL)
    {
      g_signal_connect_swapped (model, "stages-changed", G_CALLBACK (build_columns), self);
      g_signal_connect_swapped (model, "notify::loading", G_CALLBACK (update_state), self);
      g_signal_connect_swapped (model, "notify::error", G_CALLBACK (update_state), self);
      g_signal_connect_swapped (crm_pipeline_model_get_items (model), "items-changed", G_CALLBACK (update_state), self);
      build_columns (self);
    }
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

const char *
crm_pipeline_board_get_state (CrmPipelineBoard *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_BOARD (self), NULL);
  return self->state;
}

gboolean
crm_pipeline_board_request_move (CrmPipelineBoard *self,
                                 const char       *id,
                                 CrmStage          stage)
{
  CrmOpportunityItem *item;

  g_return_val_if_fail (CRM_IS_PIPELINE_BOARD (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (self->remote != NULL)
    item = crm_pipeline_remote_lookup (self->remote, id);
  else
    item = self->model ? crm_pipeline_model_lookup (self->model, id) : NULL;
  if (item == NULL || crm_opportunity_item_get_stage (item) == stage)
    return FALSE;
  if (stage == CRM_STAGE_LOST)
    ask_reason (self, item);
  else
    do_move (self, id, stage, NULL);
  return TRUE;
}

GtkDropTarget *
crm_pipeline_board_get_drop_target (CrmPipelineBoard *self,
                                    CrmStage          stage)
{
  Column *column;

  g_return_val_if_fail (CRM_IS_PIPELINE_BOARD (self), NULL);

  column = find_column (self, stage);
  return column ? column->drop_target : NULL;
}

void
crm_pipeline_board_get_header (CrmPipelineBoard  *self,
                               CrmStage           stage,
                               CrmPipelineTotals *totals)
{
  Column *column;

  g_return_if_fail (CRM_IS_PIPELINE_BOARD (self));
  g_return_if_fail (totals != NULL);

  column = find_column (self, stage);
  if (column != NULL)
    *totals = column->totals;
  else
    memset (totals, 0, sizeof *totals);
}

guint
crm_pipeline_board_get_n_listed (CrmPipelineBoard *self,
                                 CrmStage          stage)
{
  Column *column;

  g_return_val_if_fail (CRM_IS_PIPELINE_BOARD (self), 0);

  column = find_column (self, stage);
  return column != NULL && column->shown != NULL ? g_list_model_get_n_items (G_LIST_MODEL (column->shown)) : 0;
}

static void
remote_changed_cb (CrmPipelineBoard *self)
{
  for (guint i = 0; self->columns != NULL && i < self->columns->len; i++)
    {
      Column *column = self->columns->pdata[i];

      if (column->items != NULL)
        update_header (column);
    }
  update_state (self);
}

/**
 * crm_pipeline_board_set_remote:
 * @remote: (nullable): the server's board of a team or region, or %NULL
 *   for the model's (the store's) opportunities
 *
 * Server mode: the columns list @remote's cards, page by page (Show
 * More), under headers of the server's figures, with the answer's age;
 * moves go through @remote.  The model still gives the stages.
 */
void
crm_pipeline_board_set_remote (CrmPipelineBoard  *self,
                               CrmPipelineRemote *remote)
{
  g_return_if_fail (CRM_IS_PIPELINE_BOARD (self));
  g_return_if_fail (remote == NULL || CRM_IS_PIPELINE_REMOTE (remote));

  if (self->remote == remote)
    return;
  if (self->remote != NULL)
    g_signal_handlers_disconnect_by_data (self->remote, self);
  g_clear_pointer (&self->last_move, crm_pipeline_move_free);
  g_set_object (&self->remote, remote);
  if (remote != NULL)
    g_signal_connect_swapped (remote, "changed", G_CALLBACK (remote_changed_cb), self);
  build_columns (self);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE]);
}

CrmPipelineRemote *
crm_pipeline_board_get_remote (CrmPipelineBoard *self)
{
  g_return_val_if_fail (CRM_IS_PIPELINE_BOARD (self), NULL);
  return self->remote;
}
