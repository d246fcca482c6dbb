#define G_LOG_DOMAIN "crm-customer-detail"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-columns.h"
#include "crm-customer-campaigns.h"
#include "crm-customer-brief.h"
#include "crm-customer-contacts.h"
#include "crm-customer-detail.h"
#include "crm-customer-header.h"
#include "crm-customer-remote.h"
#include "crm-customer-services.h"
#include "crm-customer-summary.h"
#include "crm-customer-work.h"
#include "crm-error.h"
#include "crm-customer-timeline.h"
#include "crm-customer-revenue.h"
#include "crm-format.h"
#include "crm-remote-answer.h"
#include "crm-window.h"

struct _CrmCustomerDetail
{
  AdwBin             parent_instance;

  CrmStore          *store;
  CrmSyncEngine     *engine;
  GSignalGroup      *store_signals;
  CrmCustomer       *customer;
  CrmCustomerSummary *summary;   /* the last read, shared with Services and Work */
  CrmRemoteAnswer   *remote;     /* a director's: the customer's other opportunities (/360) */
  gboolean           director;   /* the signed-in user's pages ask the server */
  char              *customer_id;
  gboolean           editing;
  gboolean           saving;     /* the editor's changes are being queued */
  GHashTable        *values;       /* field -> text shown */
  GPtrArray         *view_groups;
  GdkFrameClock     *profile_clock;  /* the Profile and Business groups wait for its after-paint */
  gulong             profile_paint_id;
  guint              profile_idle_id;
  guint              header_reload_id;
  guint              timeline_button_id;

  /* Template widgets */
  GtkLabel          *title_label;
  GtkImage          *unsent_mark;
  GtkLabel          *subtitle_label;
  GtkStack          *buttons_stack;
  GtkLabel          *save_error_label;
  GtkStack          *mode_stack;
  GtkBox            *view_box;
  AdwLeaflet        *leaflet;
  CrmCustomerHeader *header;
  GtkBox            *overview_box;
  GtkScrolledWindow *overview_scroll;
  GtkBox            *sections;
  GtkWidget         *timeline_pane;
  GtkButton         *timeline_button;
  CrmCustomerServices *services_section;
  CrmCustomerWork   *work_section;
  GtkButton         *back_button;
  GtkButton         *save_button;
  GtkButton         *edit_button;
  CrmCustomerEditor *editor;
  CrmCustomerTimeline *timeline_section;
  CrmCustomerRevenue *revenue_section;
  CrmCustomerContacts *contacts_section;
  CrmCustomerCampaigns *campaigns_section;   /* issue 11 */
};

G_DEFINE_FINAL_TYPE (CrmCustomerDetail, crm_customer_detail, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_EDITING,
  N_PROPS
};

enum {
  BACK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
update_actions (CrmCustomerDetail *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "customer.back", !self->editing);
  gtk_widget_action_set_enabled (widget, "customer.edit",
                                 !self->editing && self->customer != NULL && self->store != NULL);
  gtk_widget_action_set_enabled (widget, "customer.cancel", self->editing);
  gtk_widget_action_set_enabled (widget, "customer.save",
                                 self->editing &&
                                 crm_customer_editor_get_valid (self->editor) &&
                                 crm_customer_editor_get_changed (self->editor));
  gtk_widget_action_set_enabled (widget, "customer.export-pdf",
                                 !self->editing && self->customer != NULL && self->store != NULL);
}

/* ------------------------------------------------------------------ */
/* The view                                                            */
/* ------------------------------------------------------------------ */

static AdwPreferencesGroup *
add_group (GtkWidget  *column,
           const char *title)
{
  GtkWidget *group;

  /* only the values, not the widgets (show_profile ()) */
  if (column == NULL)
    return NULL;
  group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (GTK_BOX (column), group);
  return ADW_PREFERENCES_GROUP (group);
}

/* Two columns side by side when there is room, one under the other
 * when not. */
static GtkWidget *
add_columns (CrmCustomerDetail *self,
             GtkWidget        **left,
             GtkWidget        **right)
{
  GtkWidget *flow = crm_columns_new (left, right);

  gtk_box_append (self->overview_box, flow);
  g_ptr_array_add (self->view_groups, flow);
  return flow;
}

static GtkWidget *
value_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  /* One line, cut short only when the window is narrow (the tooltip has
   * it whole): a wrapping label in a row's suffix gets its minimum width. */
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_width_chars (GTK_LABEL (label), MIN (g_utf8_strlen (text, -1), 12));
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_tooltip_text (label, text);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_focusable (label, FALSE);
  gtk_widget_add_css_class (label, "dim-label");
  return label;
}

/* A row "title ... value"; an empty value shows as a dash. */
static void
add_value (CrmCustomerDetail   *self,
           AdwPreferencesGroup *group,
           const char          *field,
           const char          *title,
           const char          *value)
{
  const char *shown = value && value[0] ? value : "—";

  if (group != NULL)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value_label (shown));
      gtk_widget_set_name (row, field);
      adw_preferences_group_add (group, row);
    }
  g_hash_table_replace (self->values, g_strdup (field), g_strdup (shown));
}

static void
add_money (CrmCustomerDetail   *self,
           AdwPreferencesGroup *group,
           const char          *field,
           const char          *title,
           gint64               fen)
{
  g_autofree char *text = crm_format_money (fen);

  add_value (self, group, field, title, text);
}

static void
add_date (CrmCustomerDetail   *self,
          AdwPreferencesGroup *group,
          const char          *field,
          const char          *title,
          const char          *iso,
          gboolean             with_time)
{
  g_autofree char *text = with_time ? crm_format_date_time (iso) : crm_format_date (iso);

  add_value (self, group, field, title, text ? text : iso);
}

/* The header's mark: the customer or a contact has changes the server
 * has not confirmed (as on the customer's row in the list). */
static void
show_unsent_mark (CrmCustomerDetail *self)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  const char *ids[] = { self->customer_id, NULL };
  gboolean unsent = FALSE;

  if (self->store != NULL && self->customer_id != NULL)
    items = crm_store_get_customer_items (self->store, ids, &error);
  if (items != NULL && items->len == 1 && items->pdata[0] != NULL)
    unsent = crm_customer_item_get_has_unsent_changes (items->pdata[0]);
  else if (error != NULL)
    g_warning ("Cannot read customer %s: %s", self->customer_id, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->unsent_mark), unsent);
}

static void
remove_profile (CrmCustomerDetail *self)
{
  for (guint i = 0; i < self->view_groups->len; i++)
    gtk_box_remove (self->overview_box, self->view_groups->pdata[i]);
  g_ptr_array_set_size (self->view_groups, 0);
}

/* The Profile and Business groups at the page's end, with @build; without,
 * only the values they show (crm_customer_detail_get_value ()). */
static void
show_profile (CrmCustomerDetail *self,
              gboolean           build)
{
  CrmCustomer *c = self->customer;
  AdwPreferencesGroup *group;
  GtkWidget *left = NULL, *right = NULL;

  if (build)
    remove_profile (self);
  if (c == NULL)
    return;
  if (build)
    add_columns (self, &left, &right);

  group = add_group (left, _("Profile"));
  add_value (self, group, "name", _("Name"), c->name);
  add_value (self, group, "name_en", _("English Name"), c->name_en);
  add_value (self, group, "kind", _("Kind"), crm_customer_kind_label_for (c->kind));
  add_value (self, group, "industry", _("Industry"), crm_industry_label_for (c->industry));
  add_value (self, group, "region", _("Region"), c->region_name);
  add_value (self, group, "owner", _("Account Manager"), c->owner_name ? c->owner_name : _("Unassigned"));
  add_value (self, group, "tier", _("Tier"), crm_tier_label_for (c->tier));
  add_value (self, group, "status", _("Status"), crm_customer_status_label_for (c->status));
  add_value (self, group, "credit_rating", _("Credit Rating"), c->credit_rating);
  add_value (self, group, "registration_no", _("Registration Number"), c->registration_no);
  /* the phone and the address are the Contacts section's, with Reveal */

  group = add_group (right, _("Business"));
  add_money (self, group, "monthly_revenue", _("Monthly Revenue"), c->monthly_revenue);
  add_money (self, group, "arrears", _("Arrears"), c->arrears);
  add_value (self, group, "value_segment", _("Value Segment"), crm_value_segment_label_for (c->value_segment));
  {
    g_autofree char *risk = c->churn_risk >= 0 ? g_strdup_printf ("%d%%", c->churn_risk) : NULL;

    add_value (self, group, "churn_risk", _("Churn Risk"), risk);
  }
  add_date (self, group, "became_customer", _("Customer Since"), c->became_customer, FALSE);
  if (c->churned_on != NULL)
    {
      add_date (self, group, "churned_on", _("Churned On"), c->churned_on, FALSE);
      add_value (self, group, "churn_reason", _("Churn Reason"), c->churn_reason);
    }
  add_date (self, group, "updated_at", _("Last Changed"), c->updated_at, TRUE);
}

static void
cancel_profile (CrmCustomerDetail *self)
{
  /* a clock disposed with its surface has dropped its handlers already */
  if (self->profile_clock != NULL && g_signal_handler_is_connected (self->profile_clock, self->profile_paint_id))
    g_signal_handler_disconnect (self->profile_clock, self->profile_paint_id);
  self->profile_paint_id = 0;
  g_clear_object (&self->profile_clock);
  g_clear_handle_id (&self->profile_idle_id, g_source_remove);
}

static gboolean
profile_idle_cb (gpointer data)
{
  CrmCustomerDetail *self = data;

  self->profile_idle_id = 0;
  show_profile (self, TRUE);
  return G_SOURCE_REMOVE;
}

static void
profile_after_paint_cb (GdkFrameClock     *clock,
                        CrmCustomerDetail *self)
{
  cancel_profile (self);
  self->profile_idle_id = g_idle_add (profile_idle_cb, self);
}

/* The groups lie below Services, Revenue and Work, out of sight when the
 * page opens: they are made after the first frame, which they made 15 ms
 * slower (bench/page), before anyone can scroll to them. */
static void
schedule_profile (CrmCustomerDetail *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  cancel_profile (self);
  if (clock == NULL)
    {
      show_profile (self, TRUE);
      return;
    }
  self->profile_clock = g_object_ref (clock);
  self->profile_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (profile_after_paint_cb), self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
show_customer (CrmCustomerDetail *self)
{
  CrmCustomer *c = self->customer;
  g_autofree char *subtitle = NULL;

  g_hash_table_remove_all (self->values);
  if (c == NULL)
    {
      cancel_profile (self);
      show_profile (self, TRUE);
      gtk_label_set_label (self->title_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->unsent_mark), FALSE);
      gtk_label_set_label (self->subtitle_label, "");
      update_actions (self);
      return;
    }

  gtk_label_set_label (self->title_label, c->name);
  show_unsent_mark (self);
  if (c->name_en && c->name_en[0])
    subtitle = g_strdup (c->name_en);
  else
    /* TRANSLATORS: a customer's industry and region, under its name */
    subtitle = g_strdup_printf (_("%s · %s"), crm_industry_label_for (c->industry), c->region_name ? c->region_name : "");
  gtk_label_set_label (self->subtitle_label, subtitle);

  /* the last customer's go at once: never shown under this one's name */
  remove_profile (self);
  show_profile (self, FALSE);
  schedule_profile (self);
  update_actions (self);
}

/* ------------------------------------------------------------------ */
/* A director's: the other owners' opportunities from the server       */
/* ------------------------------------------------------------------ */

/* The session of the window this page is in, or NULL. */
static CrmContext *
session (CrmCustomerDetail *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return root != NULL && CRM_IS_WINDOW (root) ? crm_window_get_context (CRM_WINDOW (root)) : NULL;
}

/* The server's answer for the customer shown, or NULL (not a director's
 * page, not yet asked, or offline with none kept). */
static JsonNode *
remote_answer (CrmCustomerDetail *self)
{
  g_autofree char *path = NULL;

  if (!self->director || self->customer_id == NULL)
    return NULL;
  path = crm_customer_remote_path (self->customer_id);
  if (g_strcmp0 (crm_remote_answer_get_path (self->remote), path) != 0)
    return NULL;
  return crm_remote_answer_get_answer (self->remote);
}

/* Asks for the customer shown when the signed-in user is a director;
 * nothing (no request) for anyone else. */
static void
load_remote (CrmCustomerDetail *self)
{
  CrmContext *context = session (self);
  g_autofree char *path = NULL;

  self->director = context != NULL && crm_customer_remote_wanted (crm_context_get_user (context));
  if (!self->director || self->customer_id == NULL)
    {
      crm_remote_answer_load (self->remote, NULL, NULL);
      return;
    }
  crm_remote_answer_set_store (self->remote, self->store);
  crm_remote_answer_set_api (self->remote, crm_context_get_api (context));
  /* asked again each time the page is shown: the kept answer meanwhile */
  path = crm_customer_remote_path (self->customer_id);
  crm_remote_answer_load (self->remote, path, NULL);
}

static void
show_remote_state (CrmCustomerDetail *self)
{
  g_autofree char *status = crm_remote_answer_dup_status (self->remote);
  const GError *error = crm_remote_answer_get_error (self->remote);

  crm_customer_work_set_remote (self->work_section, self->director && self->customer_id != NULL,
                                crm_remote_answer_get_state (self->remote), status,
                                error ? error->message : NULL);
}

/* Reads the customer and its figures again; FALSE when the store no
 * longer has it. */
static gboolean
reload (CrmCustomerDetail *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCustomerSummary) summary = NULL;
  CrmCustomer *customer = NULL;

  g_clear_handle_id (&self->header_reload_id, g_source_remove);
  if (self->store != NULL && self->customer_id != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();

      JsonNode *remote = remote_answer (self);

      summary = crm_customer_summary_read_with_remote (self->store, self->customer_id, now,
                                                       crm_customer_remote_opportunities (remote), &error);
      if (summary != NULL)
        {
          customer = crm_customer_ref (summary->customer);
          /* a director's figures without the others' are not shown as whole */
          summary->pipeline_partial = self->director && remote == NULL;
        }
      else if (!g_error_matches (error, CRM_ERROR, CRM_ERROR_NOT_FOUND))
        g_warning ("Cannot read customer %s: %s", self->customer_id, error->message);
    }

  g_clear_pointer (&self->customer, crm_customer_unref);
  self->customer = customer;
  g_clear_pointer (&self->summary, crm_customer_summary_free);
  self->summary = summary != NULL ? crm_customer_summary_ref (summary) : NULL;
  /* one read of the customer's figures for the header, Services and Work */
  crm_customer_header_show (self->header, summary);
  crm_customer_services_show (self->services_section, summary);
  show_remote_state (self);
  crm_customer_work_show (self->work_section, summary);
  show_customer (self);
  return customer != NULL;
}

static gboolean
header_reload_cb (gpointer data)
{
  CrmCustomerDetail *self = data;

  self->header_reload_id = 0;
  if (!self->editing)
    reload (self);
  return G_SOURCE_REMOVE;
}

/* A record under the customer changed: its summary may have. */
static void
figures_changed_cb (CrmCustomerDetail *self)
{
  if (self->customer_id != NULL && self->header_reload_id == 0)
    self->header_reload_id = g_idle_add (header_reload_cb, self);
}

/* The server's answer came, or the server was not reached. */
static void
remote_changed_cb (CrmCustomerDetail *self)
{
  JsonNode *remote = remote_answer (self);

  crm_customer_timeline_set_remote_stages (self->timeline_section, crm_customer_remote_stage_changes (remote));
  if (self->director && !self->editing && self->customer_id != NULL)
    reload (self);
  else
    show_remote_state (self);
}

static void
remote_status_cb (CrmCustomerDetail *self)
{
  show_remote_state (self);
}

static void
store_changed_cb (CrmCustomerDetail  *self,
                  const char * const *ids,
                  CrmStore           *store)
{
  if (self->customer_id == NULL)
    return;
  if (ids != NULL && !g_strv_contains (ids, self->customer_id))
    return;

  /* Mid-edit, the form keeps what the user typed; the view catches up
   * when the edit ends. */
  if (self->editing)
    return;

  if (!reload (self) && gtk_widget_get_mapped (GTK_WIDGET (self)))
    g_signal_emit (self, signals[BACK], 0);
}

static void
editor_changed_cb (CrmCustomerDetail *self)
{
  update_actions (self);
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */
/* ------------------------------------------------------------------ */

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (widget);

  if (self->editing || !gtk_widget_get_mapped (widget))
    return;
  /* folded, on the timeline: back to the overview first */
  if (adw_leaflet_get_folded (self->leaflet) &&
      g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "timeline") == 0)
    adw_leaflet_set_visible_child_name (self->leaflet, "overview");
  else
    g_signal_emit (self, signals[BACK], 0);
}

/* The title bar offers the timeline only when the page is folded and
 * shows the overview. */
static gboolean
update_timeline_button_cb (gpointer data)
{
  CrmCustomerDetail *self = data;
  gboolean offer = adw_leaflet_get_folded (self->leaflet) &&
                   gtk_widget_get_visible (self->timeline_pane) &&
                   g_strcmp0 (adw_leaflet_get_visible_child_name (self->leaflet), "timeline") != 0;

  self->timeline_button_id = 0;
  gtk_widget_set_visible (GTK_WIDGET (self->timeline_button), offer);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "customer.show-timeline", offer);
  return G_SOURCE_REMOVE;
}

/* The leaflet folds while it is being allocated: showing the button then
 * would leave the title bar unallocated for the frame being drawn. */
static void
folded_cb (CrmCustomerDetail *self)
{
  if (self->timeline_button_id == 0)
    self->timeline_button_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, update_timeline_button_cb, self, NULL);
}

static void
show_timeline_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (widget);

  if (gtk_widget_get_visible (self->timeline_pane))
    {
      adw_leaflet_set_visible_child_name (self->leaflet, "timeline");
      update_timeline_button_cb (self);
    }
}

static void
discard_confirmed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CrmCustomerDetail) self = user_data;

  if (crm_customer_editor_confirm_discard_finish (CRM_CUSTOMER_EDITOR (object), result, NULL))
    crm_customer_detail_set_editing (self, FALSE);
}

static void
escape_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (widget);

  if (!gtk_widget_get_mapped (widget))
    return;
  if (self->editing && !crm_customer_editor_get_changed (self->editor))
    crm_customer_detail_set_editing (self, FALSE);
  else if (self->editing)
    /* Unsaved changes are dropped only when the user says so. */
    crm_customer_editor_confirm_discard_async (self->editor, NULL, discard_confirmed_cb, g_object_ref (self));
  else
    g_signal_emit (self, signals[BACK], 0);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (widget);

  crm_customer_detail_set_editing (self, TRUE);
  crm_customer_editor_focus (self->editor);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  crm_customer_detail_set_editing (CRM_CUSTOMER_DETAIL (widget), FALSE);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CrmCustomerDetail) self = user_data;
  g_autoptr(GError) error = NULL;
  guint queued = 0;

  self->saving = FALSE;
  if (!crm_customer_editor_save_finish (CRM_CUSTOMER_EDITOR (object), result, &queued, &error))
    {
      g_autofree char *message = NULL;

      /* TRANSLATORS: %s says why the local copy refused the change */
      message = g_strdup_printf (_("Could not save: %s"), error->message);
      gtk_label_set_label (self->save_error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->save_error_label), TRUE);
      return;
    }

  crm_customer_detail_set_editing (self, FALSE);
  if (self->engine != NULL)
    crm_sync_engine_sync_now (self->engine);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (widget);

  if (!self->editing || self->saving || self->store == NULL ||
      !crm_customer_editor_get_valid (self->editor) ||
      !crm_customer_editor_get_changed (self->editor))
    return;

  /* Written by the store's worker: a sync page being applied meanwhile
   * never holds up the main loop.  The editor stays until it is queued. */
  self->saving = TRUE;
  crm_customer_editor_save_async (self->editor, self->store, NULL, saved_cb, g_object_ref (self));
}

static void
export_pdf_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (widget);
  JsonNode *remote = remote_answer (self);
  g_autofree char *note = NULL;

  if (self->editing || self->store == NULL || self->customer_id == NULL)
    return;
  if (self->director)
    note = crm_customer_brief_remote_note (crm_remote_answer_get_state (self->remote),
                                           crm_remote_answer_get_fetched_at (self->remote));
  crm_customer_brief_export (widget, self->store, self->customer_id,
                             crm_customer_remote_opportunities (remote), note);
}

static void
reload_opportunities_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (widget);

  if (self->director && self->customer_id != NULL)
    crm_remote_answer_reload (self->remote);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_customer_detail_dispose (GObject *object)
{
  CrmCustomerDetail *self = (CrmCustomerDetail *)object;

  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  g_clear_handle_id (&self->header_reload_id, g_source_remove);
  g_clear_handle_id (&self->timeline_button_id, g_source_remove);
  cancel_profile (self);
  if (self->remote != NULL)
    g_signal_handlers_disconnect_by_data (self->remote, self);
  g_clear_object (&self->remote);
  g_clear_object (&self->store);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->customer, crm_customer_unref);
  g_clear_pointer (&self->summary, crm_customer_summary_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CUSTOMER_DETAIL);

  G_OBJECT_CLASS (crm_customer_detail_parent_class)->dispose (object);
}

static void
crm_customer_detail_finalize (GObject *object)
{
  CrmCustomerDetail *self = (CrmCustomerDetail *)object;

  g_clear_object (&self->store_signals);
  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_pointer (&self->view_groups, g_ptr_array_unref);
  g_free (self->customer_id);

  G_OBJECT_CLASS (crm_customer_detail_parent_class)->finalize (object);
}

static void
crm_customer_detail_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (object);

  switch (prop_id)
    {
    case PROP_EDITING:
      g_value_set_boolean (value, self->editing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_customer_detail_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CrmCustomerDetail *self = CRM_CUSTOMER_DETAIL (object);

  switch (prop_id)
    {
    case PROP_EDITING:
      crm_customer_detail_set_editing (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_customer_detail_class_init (CrmCustomerDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customer_detail_dispose;
  object_class->finalize = crm_customer_detail_finalize;
  object_class->get_property = crm_customer_detail_get_property;
  object_class->set_property = crm_customer_detail_set_property;

  properties[PROP_EDITING] =
    g_param_spec_boolean ("editing", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmCustomerDetail::back:
   *
   * The user asked for the list again.
   */
  signals[BACK] =
    g_signal_new ("back",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (CRM_TYPE_CUSTOMER_EDITOR);
  g_type_ensure (CRM_TYPE_CUSTOMER_HEADER);
  g_type_ensure (CRM_TYPE_CUSTOMER_SERVICES);
  g_type_ensure (CRM_TYPE_CUSTOMER_WORK);
  g_type_ensure (CRM_TYPE_CUSTOMER_TIMELINE);
  g_type_ensure (CRM_TYPE_CUSTOMER_REVENUE);
  g_type_ensure (CRM_TYPE_CUSTOMER_CONTACTS);
  g_type_ensure (CRM_TYPE_CUSTOMER_CAMPAIGNS);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customer-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, title_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, unsent_mark);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, buttons_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, save_error_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, view_box);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, header);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, overview_box);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, overview_scroll);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, sections);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, timeline_pane);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, timeline_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, services_section);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, work_section);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, back_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, save_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, edit_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, editor);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, timeline_section);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, revenue_section);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, campaigns_section);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDetail, contacts_section);
  gtk_widget_class_bind_template_callback (widget_class, editor_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, folded_cb);

  gtk_widget_class_install_action (widget_class, "customer.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "customer.escape", NULL, escape_action);
  gtk_widget_class_install_action (widget_class, "customer.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "customer.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "customer.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "customer.show-timeline", NULL, show_timeline_action);
  gtk_widget_class_install_action (widget_class, "customer.export-pdf", NULL, export_pdf_action);
  gtk_widget_class_install_action (widget_class, "customer.reload-opportunities", NULL,
                                   reload_opportunities_action);
}

static void
crm_customer_detail_init (CrmCustomerDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->view_groups = g_ptr_array_new ();
  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "customers-changed", G_CALLBACK (store_changed_cb), self);
  {
    /* what the summary of the header, Services and Work is made of
     * (crm-customer-summary.c) */
    static const char * const figures[] = {
      "changed::subscription", "changed::product", "changed::revenue_month", "changed::opportunity",
      "changed::service_request", "changed::service_step",
    };

    for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
      g_signal_group_connect_swapped (self->store_signals, figures[i], G_CALLBACK (figures_changed_cb), self);
  }
  g_signal_connect_swapped (self->timeline_pane, "notify::visible", G_CALLBACK (folded_cb), self);
  /* asks only while the page is shown */
  self->remote = crm_remote_answer_new (crm_customer_remote_check_360);
  crm_remote_answer_follow_mapped (self->remote, GTK_WIDGET (self));
  g_signal_connect_swapped (self->remote, "changed", G_CALLBACK (remote_changed_cb), self);
  g_signal_connect_swapped (self->remote, "notify::status", G_CALLBACK (remote_status_cb), self);
  update_timeline_button_cb (self);

  update_actions (self);
}

GtkWidget *
crm_customer_detail_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_DETAIL, NULL);
}

void
crm_customer_detail_set_store (CrmCustomerDetail *self,
                               CrmStore          *store)
{
  g_return_if_fail (CRM_IS_CUSTOMER_DETAIL (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;

  crm_customer_detail_set_editing (self, FALSE);
  g_set_object (&self->store, store);
  g_signal_group_set_target (self->store_signals, store);
  crm_customer_revenue_set_store (self->revenue_section, store);
  crm_customer_campaigns_set_store (self->campaigns_section, store);
  g_clear_pointer (&self->customer_id, g_free);
  crm_customer_timeline_set_store (self->timeline_section, store);
  crm_customer_contacts_set_store (self->contacts_section, store);
  crm_remote_answer_set_store (self->remote, NULL);
  load_remote (self);
  reload (self);
}

void
crm_customer_detail_set_sync_engine (CrmCustomerDetail *self,
                                     CrmSyncEngine     *engine)
{
  g_return_if_fail (CRM_IS_CUSTOMER_DETAIL (self));
  g_return_if_fail (engine == NULL || CRM_IS_SYNC_ENGINE (engine));

  g_set_object (&self->engine, engine);
  crm_customer_timeline_set_sync_engine (self->timeline_section, engine);
}

gboolean
crm_customer_detail_show (CrmCustomerDetail *self,
                          const char        *id)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_DETAIL (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  crm_customer_detail_set_editing (self, FALSE);
  g_free (self->customer_id);
  self->customer_id = g_strdup (id);
  /* a director's: the other owners' opportunities (the kept answer at
   * once, then the server's, while the page is shown) */
  load_remote (self);
  crm_customer_timeline_set_remote_stages (self->timeline_section,
                                           crm_customer_remote_stage_changes (remote_answer (self)));
  /* first: its worker reads while this thread makes the rest */
  crm_customer_timeline_show (self->timeline_section, id);
  if (!reload (self))
    {
      g_clear_pointer (&self->customer_id, g_free);
      load_remote (self);
      crm_customer_timeline_show (self->timeline_section, NULL);
      return FALSE;
    }
  adw_leaflet_set_visible_child_name (self->leaflet, "overview");
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->overview_scroll), 0);
  crm_customer_revenue_show (self->revenue_section, id);
  crm_customer_campaigns_show (self->campaigns_section, id);
  crm_customer_contacts_show (self->contacts_section, id);
  gtk_widget_grab_focus (GTK_WIDGET (self->back_button));
  return TRUE;
}

const char *
crm_customer_detail_get_customer_id (CrmCustomerDetail *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_DETAIL (self), NULL);

  return self->customer_id;
}

/**
 * crm_customer_detail_get_customer:
 *
 * Returns: (transfer none) (nullable): the customer shown
 */
CrmCustomer *
crm_customer_detail_get_customer (CrmCustomerDetail *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_DETAIL (self), NULL);

  return self->customer;
}

gboolean
crm_customer_detail_get_editing (CrmCustomerDetail *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_DETAIL (self), FALSE);

  return self->editing;
}

void
crm_customer_detail_set_editing (CrmCustomerDetail *self,
                                 gboolean           editing)
{
  g_return_if_fail (CRM_IS_CUSTOMER_DETAIL (self));

  editing = !!editing && self->customer != NULL && self->store != NULL;
  if (self->editing == editing)
    return;

  self->editing = editing;
  gtk_widget_set_visible (GTK_WIDGET (self->save_error_label), FALSE);
  if (editing)
    {
      crm_customer_editor_set_customer (self->editor, self->customer);
      gtk_stack_set_visible_child_name (self->mode_stack, "edit");
      gtk_stack_set_visible_child_name (self->buttons_stack, "edit");
    }
  else
    {
      gtk_stack_set_visible_child_name (self->mode_stack, "view");
      gtk_stack_set_visible_child_name (self->buttons_stack, "view");
      crm_customer_editor_set_customer (self->editor, NULL);
      /* What changed meanwhile, and what was just saved. */
      reload (self);
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        gtk_widget_grab_focus (GTK_WIDGET (self->edit_button));
    }
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EDITING]);
}

/**
 * crm_customer_detail_get_editor:
 *
 * Returns: (transfer none): the edit form
 */
CrmCustomerEditor *
crm_customer_detail_get_editor (CrmCustomerDetail *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_DETAIL (self), NULL);

  return self->editor;
}

/**
 * crm_customer_detail_get_remote:
 *
 * Returns: (transfer none): what a director's page asks the server (for
 *   tests: its state and how many requests it sent)
 */
CrmRemoteAnswer *
crm_customer_detail_get_remote (CrmCustomerDetail *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_DETAIL (self), NULL);

  return self->remote;
}

const char *
crm_customer_detail_get_value (CrmCustomerDetail *self,
                               const char        *field)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_DETAIL (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  /* a contact's, the phone and the address: the Contacts section's */
  if (g_str_has_prefix (field, "contact.") || g_str_equal (field, "phone") || g_str_equal (field, "address"))
    return crm_customer_contacts_get_value (self->contacts_section, field);
  return g_hash_table_lookup (self->values, field);
}
