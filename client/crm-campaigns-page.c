#define G_LOG_DOMAIN "crm-campaigns-page"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-labels.h"
#include "crm-campaign-results.h"
#include "crm-campaigns-page.h"
#include "crm-outcome-import.h"
#include "crm-error.h"
#include "crm-format.h"

struct _CrmCampaignsPage
{
  AdwBin             parent_instance;

  CrmStore          *store;
  CrmSyncEngine     *engine;
  CrmApi            *api;
  JsonObject        *user;
  GSignalGroup      *store_signals;
  GSignalGroup      *engine_signals;
  GPtrArray         *listed;        /* ids, in the list's order */
  char              *selected_id;
  gboolean          creating;       /* a new campaign shown, not yet saved */
  gboolean          selecting;
  gboolean          launching;
  char              *launch_reason;
  GCancellable      *cancellable;

  /* Template widgets */
  GtkStack          *stack;
  GtkListBox        *campaign_list;
  AdwViewStack      *views;
  GtkStack          *detail_stack;
  CrmCampaignEditor *editor;
  CrmSegmentEditor  *segment_editor;
  GtkButton         *launch_button;
  GtkLabel          *launch_reason_label;
  GtkButton         *send_button;
  GtkSpinner        *launch_spinner;
  GtkLabel          *launch_result;
  GtkButton         *import_button;
};

G_DEFINE_FINAL_TYPE (CrmCampaignsPage, crm_campaigns_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SYNC_ENGINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Running and planned first, then drafts, then the finished. */
static int
status_rank (const char *status)
{
  static const char * const order[] = { "running", "planned", "draft", "completed", "cancelled" };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (g_strcmp0 (order[i], status) == 0)
      return (int) i;
  return G_N_ELEMENTS (order);
}

static int
compare_campaigns (gconstpointer a,
                   gconstpointer b)
{
  JsonObject *x = *(JsonObject **) a, *y = *(JsonObject **) b;
  int rank = status_rank (json_object_get_string_member_with_default (x, "status", NULL)) -
             status_rank (json_object_get_string_member_with_default (y, "status", NULL));
  int starts;

  if (rank != 0)
    return rank;
  /* the latest first */
  starts = g_strcmp0 (json_object_get_string_member_with_default (y, "starts_on", NULL),
                      json_object_get_string_member_with_default (x, "starts_on", NULL));
  if (starts != 0)
    return starts;
  return g_utf8_collate (json_object_get_string_member_with_default (x, "name", ""),
                         json_object_get_string_member_with_default (y, "name", ""));
}

static char *
campaign_subtitle (JsonObject *campaign)
{
  g_autofree char *starts = crm_format_date (json_object_get_string_member_with_default (campaign, "starts_on", NULL));
  g_autofree char *ends = crm_format_date (json_object_get_string_member_with_default (campaign, "ends_on", NULL));
  g_autofree char *budget = crm_format_money (json_object_get_int_member_with_default (campaign, "budget", 0));

  /* TRANSLATORS: kind · status · first day – last day · budget */
  return g_strdup_printf (_("%s · %s · %s – %s · budget %s"),
                          crm_campaign_kind_label (json_object_get_string_member_with_default (campaign, "kind", NULL)),
                          crm_campaign_status_label (json_object_get_string_member_with_default (campaign, "status", NULL)),
                          starts ? starts : "?", ends ? ends : "?", budget);
}

static JsonObject *
find_record (GPtrArray  *records,
             const char *id)
{
  for (guint i = 0; records != NULL && i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (records->pdata[i], "id", NULL), id) == 0)
      return records->pdata[i];
  return NULL;
}

static JsonObject *
dup_campaign (CrmCampaignsPage *self,
              const char       *id)
{
  g_autoptr(GPtrArray) records = NULL;
  JsonObject *found;

  if (self->store == NULL || id == NULL)
    return NULL;
  records = crm_store_get_records (self->store, CRM_ENTITY_CAMPAIGN, NULL, NULL);
  found = find_record (records, id);
  return found ? json_object_ref (found) : NULL;
}

/* ------------------------------------------------------------------ */
/* Launch: whether it may be asked now, and asking                     */
/* ------------------------------------------------------------------ */

/* Why the selected campaign cannot be launched now, or NULL; *@waiting
 * when it is only that its changes have not reached the server. */
static char *
launch_problem (CrmCampaignsPage *self,
                gboolean         *waiting)
{
  g_autoptr(JsonObject) campaign = dup_campaign (self, self->selected_id);
  g_autoptr(GPtrArray) mutations = NULL;
  const char *status, *segment_id;
  gboolean refused = FALSE;

  *waiting = FALSE;
  if (campaign == NULL)
    return g_strdup (_("Save the plan first"));
  status = json_object_get_string_member_with_default (campaign, "status", NULL);
  if (g_strcmp0 (status, "draft") != 0 && g_strcmp0 (status, "planned") != 0)
    {
      const char *launched = json_object_get_string_member_with_default (campaign, "launched_at", NULL);
      g_autofree char *when = launched ? crm_format_date_time (launched) : NULL;

      /* TRANSLATORS: %s is when the campaign was launched */
      return when ? g_strdup_printf (_("Launched %s"), when)
                  : g_strdup (_("Only a draft or planned campaign is launched"));
    }
  segment_id = json_object_get_string_member_with_default (campaign, "segment_id", NULL);
  if (segment_id == NULL)
    return g_strdup (_("Choose a segment and save the plan first"));
  if (crm_campaign_editor_has_changes (self->editor) || crm_segment_editor_has_changes (self->segment_editor))
    return g_strdup (_("Save your changes first"));
  mutations = crm_store_list_mutations (self->store, NULL);
  for (guint i = 0; mutations != NULL && i < mutations->len; i++)
    {
      CrmMutation *m = mutations->pdata[i];

      if (!((m->entity == CRM_ENTITY_CAMPAIGN && g_strcmp0 (m->record_id, self->selected_id) == 0) ||
            (m->entity == CRM_ENTITY_SEGMENT && g_strcmp0 (m->record_id, segment_id) == 0)))
        continue;
      if (m->state == CRM_MUTATION_FAILED || m->state == CRM_MUTATION_CONFLICT)
        refused = TRUE;
      *waiting = TRUE;
    }
  if (refused)
    {
      *waiting = FALSE;
      return g_strdup (_("The server refused a change to this campaign or its segment: see the unsent changes"));
    }
  if (*waiting)
    return g_strdup (_("Waiting for the campaign and its segment to reach the server"));
  if (self->api == NULL)
    return g_strdup (_("Launching needs the server"));
  return NULL;
}

/* Outcomes are imported into a launched campaign's members (marketing's
 * store has them, the control group marked). */
static void
update_import (CrmCampaignsPage *self)
{
  g_autoptr(JsonObject) campaign = self->creating || self->selected_id == NULL ? NULL
                                   : dup_campaign (self, self->selected_id);
  const char *status = campaign ? json_object_get_string_member_with_default (campaign, "status", "") : "";

  gboolean launched = self->store != NULL &&
                      (g_strcmp0 (status, "running") == 0 || g_strcmp0 (status, "completed") == 0);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "campaigns.import-outcomes", launched);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "campaigns.results", launched);
}

static void
results_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  crm_campaigns_page_open_results (CRM_CAMPAIGNS_PAGE (widget));
}

static void
import_outcomes_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (self->store == NULL || self->selected_id == NULL || self->creating)
    return;
  dialog = crm_outcome_import_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->store, self->selected_id);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
update_launch (CrmCampaignsPage *self)
{
  gboolean waiting = FALSE;
  g_autofree char *problem = self->store ? launch_problem (self, &waiting) : g_strdup ("");
  gboolean offline = self->engine != NULL && crm_sync_engine_get_status (self->engine) == CRM_SYNC_STATUS_OFFLINE;

  if (problem != NULL && waiting && offline)
    {
      g_free (problem);
      problem = g_strdup (_("Offline: the campaign and its segment reach the server when it is back"));
    }
  update_import (self);
  g_free (self->launch_reason);
  self->launch_reason = g_strdup (problem ? problem : "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "campaigns.launch", problem == NULL && !self->launching);
  gtk_label_set_label (self->launch_reason_label, self->launch_reason);
  gtk_widget_set_visible (GTK_WIDGET (self->launch_reason_label), problem != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->send_button), waiting && !offline && self->engine != NULL);
  if (problem != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->launch_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    problem, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->launch_button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
launch_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CrmCampaignsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CrmCampaignLaunch launch;

  if (!crm_api_launch_campaign_finish (CRM_API (object), result, &launch, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->launching = FALSE;
  gtk_spinner_stop (self->launch_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->launch_spinner), FALSE);
  if (error == NULL)
    {
      g_autofree char *members = crm_format_number (launch.members);
      g_autofree char *control = crm_format_number (launch.control);
      g_autofree char *treated = crm_format_number (launch.treated);
      g_autofree char *assigned = crm_format_number (launch.assigned);
      g_autofree char *queued = crm_format_number (launch.queued);

      text = g_strdup_printf (_("Launched: %s members, %s in the control group (not contacted), %s treated: "
                                "%s assigned to account managers, %s in channel queues."),
                              members, control, treated, assigned, queued);
      gtk_widget_remove_css_class (GTK_WIDGET (self->launch_result), "error");
      if (self->engine != NULL)
        crm_sync_engine_sync_now (self->engine);
    }
  else
    {
      if (g_error_matches (error, CRM_ERROR, CRM_ERROR_CONFLICT))
        /* TRANSLATORS: %s is the server's reason, such as "The campaign was launched before" */
        text = g_strdup_printf (_("Not launched: the server refused it (409 Conflict): %s"), error->message);
      else if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE) &&
               g_strcmp0 (crm_error_get_field (error), CRM_API_FIELD_SERVER) == 0)
        text = g_strdup (_("Not launched: the server cannot be reached. Try again when you are online."));
      else
        text = g_strdup_printf (_("Not launched: %s"), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->launch_result), "error");
    }
  gtk_label_set_label (self->launch_result, text);
  gtk_widget_set_visible (GTK_WIDGET (self->launch_result), TRUE);
  update_launch (self);
}

static void
launch_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CrmCampaignsPage *self)
{
  if (g_strcmp0 (response, "launch") != 0 || self->api == NULL || self->selected_id == NULL)
    return;
  self->launching = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->launch_result), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->launch_spinner), TRUE);
  gtk_spinner_start (self->launch_spinner);
  update_launch (self);
  crm_api_launch_campaign_async (self->api, self->selected_id, self->cancellable, launch_cb, g_object_ref (self));
}

static void
launch_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);
  g_autoptr(JsonObject) campaign = dup_campaign (self, self->selected_id);
  gboolean waiting;
  g_autofree char *problem = launch_problem (self, &waiting);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  gint64 count = crm_segment_editor_get_count (self->segment_editor);
  gint64 control = campaign ? json_object_get_int_member_with_default (campaign, "control_percent", 10) : 10;
  GtkWidget *dialog;

  if (problem != NULL || campaign == NULL)
    return;
  /* TRANSLATORS: %s is a campaign's name */
  heading = g_strdup_printf (_("Launch “%s”?"), json_object_get_string_member_with_default (campaign, "name", ""));
  if (count >= 0)
    {
      g_autofree char *number = crm_format_number (count);

      body = g_strdup_printf (ngettext ("The %s customer the segment matches now becomes a member. "
                                        "%d%% of the members, drawn at random, are the control group and are "
                                        "not contacted. A launch cannot be undone.",
                                        "The %s customers the segment matches now become its members. "
                                        "%d%% of them, drawn at random, are the control group and are not "
                                        "contacted. A launch cannot be undone.", (gulong) count),
                              number, (int) control);
    }
  else
    body = g_strdup_printf (_("The customers the segment matches now become its members. %d%% of them, drawn at "
                              "random, are the control group and are not contacted. A launch cannot be undone."),
                            (int) control);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "launch", _("_Launch"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "launch", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (launch_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
send_now_cb (CrmCampaignsPage *self)
{
  if (self->engine != NULL)
    crm_sync_engine_sync_now (self->engine);
}

/* ------------------------------------------------------------------ */
/* The list and the selection                                          */
/* ------------------------------------------------------------------ */

static void
show_campaign (CrmCampaignsPage *self,
               const char       *id)
{
  g_autoptr(JsonObject) campaign = dup_campaign (self, id);
  const char *status = campaign ? json_object_get_string_member_with_default (campaign, "status", NULL) : "draft";
  gboolean planning = g_strcmp0 (status, "draft") == 0 || g_strcmp0 (status, "planned") == 0;

  g_free (self->selected_id);
  self->selected_id = campaign ? g_strdup (id) : NULL;
  crm_campaign_editor_set_campaign (self->editor, self->selected_id);
  crm_segment_editor_set_segment (self->segment_editor,
                                  campaign ? json_object_get_string_member_with_default (campaign, "segment_id", NULL)
                                           : NULL);
  crm_segment_editor_set_editable (self->segment_editor, planning);
  gtk_widget_set_visible (GTK_WIDGET (self->launch_result), FALSE);
  gtk_stack_set_visible_child_name (self->detail_stack, campaign || self->creating ? "views" : "none");
  update_launch (self);
}

static void
reload_list (CrmCampaignsPage *self)
{
  g_autoptr(GPtrArray) records = NULL;
  GtkWidget *child;
  GtkListBoxRow *selected = NULL;

  if (self->store != NULL)
    records = crm_store_get_records (self->store, CRM_ENTITY_CAMPAIGN, NULL, NULL);
  if (records != NULL)
    g_ptr_array_sort (records, compare_campaigns);

  self->selecting = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->campaign_list))) != NULL)
    gtk_list_box_remove (self->campaign_list, child);
  g_ptr_array_set_size (self->listed, 0);
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      JsonObject *campaign = records->pdata[i];
      const char *id = json_object_get_string_member_with_default (campaign, "id", NULL);
      g_autofree char *name = g_markup_escape_text (json_object_get_string_member_with_default (campaign, "name", ""), -1);
      g_autofree char *subtitle = campaign_subtitle (campaign);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_list_box_append (self->campaign_list, row);
      g_ptr_array_add (self->listed, g_strdup (id));
      if (g_strcmp0 (id, self->selected_id) == 0)
        selected = GTK_LIST_BOX_ROW (row);
    }
  gtk_list_box_select_row (self->campaign_list, selected);
  self->selecting = FALSE;

  gtk_stack_set_visible_child_name (self->stack, self->listed->len > 0 || self->creating ? "campaigns" : "empty");
}

static void
row_selected_cb (CrmCampaignsPage *self,
                 GtkListBoxRow    *row)
{
  int index = row ? gtk_list_box_row_get_index (row) : -1;

  if (self->selecting || index < 0 || (guint) index >= self->listed->len)
    return;
  if (g_strcmp0 (self->listed->pdata[index], self->selected_id) == 0 && !self->creating)
    return;
  self->creating = FALSE;
  show_campaign (self, self->listed->pdata[index]);
}

static void
campaigns_changed_cb (CrmCampaignsPage *self)
{
  g_autoptr(JsonObject) campaign = NULL;

  reload_list (self);
  /* a launch (or another planner) moved it on: its segment stays as it is */
  campaign = dup_campaign (self, self->selected_id);
  if (campaign != NULL)
    {
      const char *status = json_object_get_string_member_with_default (campaign, "status", NULL);

      crm_segment_editor_set_editable (self->segment_editor,
                                       g_strcmp0 (status, "draft") == 0 || g_strcmp0 (status, "planned") == 0);
    }
  update_launch (self);
}

static void
queue_changed_cb (CrmCampaignsPage *self)
{
  update_launch (self);
}

static void
new_campaign_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (widget);

  if (self->store == NULL)
    return;
  self->creating = TRUE;
  self->selecting = TRUE;
  gtk_list_box_unselect_all (self->campaign_list);
  self->selecting = FALSE;
  show_campaign (self, NULL);
  gtk_stack_set_visible_child_name (self->stack, "campaigns");
  adw_view_stack_set_visible_child_name (self->views, "plan");
  gtk_widget_child_focus (GTK_WIDGET (self->editor), GTK_DIR_TAB_FORWARD);
}

static void
editor_saved_cb (CrmCampaignsPage *self,
                 const char       *id)
{
  self->creating = FALSE;
  g_free (self->selected_id);
  self->selected_id = g_strdup (id);
  reload_list (self);
  update_launch (self);
  if (self->engine != NULL)
    crm_sync_engine_sync_now (self->engine);
}

/* A segment saved: the plan uses it (saved at once for a campaign that
 * exists, so that Launch has it). */
static void
segment_saved_cb (CrmCampaignsPage *self,
                  const char       *segment_id)
{
  crm_campaign_editor_set_segment (self->editor, segment_id);
  if (self->selected_id != NULL)
    crm_campaign_editor_save (self->editor);
  update_launch (self);
  if (self->engine != NULL)
    crm_sync_engine_sync_now (self->engine);
}

static void
segment_chosen_cb (CrmCampaignsPage *self,
                   const char       *segment_id)
{
  crm_campaign_editor_set_segment (self->editor, segment_id);
  update_launch (self);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_campaigns_page_dispose (GObject *object)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  if (self->engine_signals != NULL)
    g_signal_group_set_target (self->engine_signals, NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->engine);
  g_clear_object (&self->api);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CAMPAIGNS_PAGE);

  G_OBJECT_CLASS (crm_campaigns_page_parent_class)->dispose (object);
}

static void
crm_campaigns_page_finalize (GObject *object)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (object);

  g_clear_object (&self->store_signals);
  g_clear_object (&self->engine_signals);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->user, json_object_unref);
  g_clear_pointer (&self->listed, g_ptr_array_unref);
  g_free (self->selected_id);
  g_free (self->launch_reason);

  G_OBJECT_CLASS (crm_campaigns_page_parent_class)->finalize (object);
}

static void
crm_campaigns_page_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_SYNC_ENGINE:
      g_value_set_object (value, self->engine);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_campaigns_page_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  CrmCampaignsPage *self = CRM_CAMPAIGNS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      crm_campaigns_page_set_store (self, g_value_get_object (value));
      break;
    case PROP_SYNC_ENGINE:
      crm_campaigns_page_set_sync_engine (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_campaigns_page_class_init (CrmCampaignsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_campaigns_page_dispose;
  object_class->finalize = crm_campaigns_page_finalize;
  object_class->get_property = crm_campaigns_page_get_property;
  object_class->set_property = crm_campaigns_page_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, CRM_TYPE_STORE,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SYNC_ENGINE] = g_param_spec_object ("sync-engine", NULL, NULL, CRM_TYPE_SYNC_ENGINE,
                                                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                      G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CRM_TYPE_CAMPAIGN_EDITOR);
  g_type_ensure (CRM_TYPE_SEGMENT_EDITOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-campaigns-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, campaign_list);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, views);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, editor);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, segment_editor);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, launch_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, launch_reason_label);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, send_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, launch_spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, launch_result);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignsPage, import_button);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, editor_saved_cb);
  gtk_widget_class_bind_template_callback (widget_class, segment_saved_cb);
  gtk_widget_class_bind_template_callback (widget_class, segment_chosen_cb);
  gtk_widget_class_bind_template_callback (widget_class, send_now_cb);

  gtk_widget_class_install_action (widget_class, "campaigns.new", NULL, new_campaign_action);
  gtk_widget_class_install_action (widget_class, "campaigns.launch", NULL, launch_action);
  gtk_widget_class_install_action (widget_class, "campaigns.import-outcomes", NULL, import_outcomes_action);
  gtk_widget_class_install_action (widget_class, "campaigns.results", NULL, results_action);
  /* inside the section; the window's Ctrl+N (a customer) elsewhere */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "campaigns.new", NULL);
}

static void
crm_campaigns_page_init (CrmCampaignsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->listed = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  g_signal_group_connect_swapped (self->store_signals, "changed::campaign", G_CALLBACK (campaigns_changed_cb), self);
  g_signal_group_connect_swapped (self->store_signals, "changed::segment", G_CALLBACK (queue_changed_cb), self);
  self->engine_signals = g_signal_group_new (CRM_TYPE_SYNC_ENGINE);
  g_signal_group_connect_swapped (self->engine_signals, "notify::status", G_CALLBACK (queue_changed_cb), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::pending", G_CALLBACK (queue_changed_cb), self);
  reload_list (self);
  show_campaign (self, NULL);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

GtkWidget *
crm_campaigns_page_new (void)
{
  return g_object_new (CRM_TYPE_CAMPAIGNS_PAGE, NULL);
}

CrmStore *
crm_campaigns_page_get_store (CrmCampaignsPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), NULL);

  return self->store;
}

void
crm_campaigns_page_set_store (CrmCampaignsPage *self,
                              CrmStore         *store)
{
  g_return_if_fail (CRM_IS_CAMPAIGNS_PAGE (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_signal_group_set_target (self->store_signals, store);
  crm_campaign_editor_set_store (self->editor, store);
  crm_segment_editor_set_store (self->segment_editor, store);
  self->creating = FALSE;
  g_clear_pointer (&self->selected_id, g_free);
  reload_list (self);
  show_campaign (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

void
crm_campaigns_page_set_sync_engine (CrmCampaignsPage *self,
                                    CrmSyncEngine    *engine)
{
  g_return_if_fail (CRM_IS_CAMPAIGNS_PAGE (self));
  g_return_if_fail (engine == NULL || CRM_IS_SYNC_ENGINE (engine));

  if (!g_set_object (&self->engine, engine))
    return;
  g_signal_group_set_target (self->engine_signals, engine);
  update_launch (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNC_ENGINE]);
}

void
crm_campaigns_page_set_session (CrmCampaignsPage *self,
                                CrmApi           *api,
                                JsonObject       *user)
{
  g_return_if_fail (CRM_IS_CAMPAIGNS_PAGE (self));

  g_set_object (&self->api, api);
  g_clear_pointer (&self->user, json_object_unref);
  self->user = user ? json_object_ref (user) : NULL;
  crm_campaign_editor_set_user (self->editor, user);
  crm_segment_editor_set_api (self->segment_editor, api);
  update_launch (self);
}

const char *
crm_campaigns_page_get_selected_id (CrmCampaignsPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), NULL);

  return self->creating ? NULL : self->selected_id;
}

gboolean
crm_campaigns_page_select (CrmCampaignsPage *self,
                           const char       *id)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), FALSE);

  for (guint i = 0; i < self->listed->len; i++)
    if (g_strcmp0 (self->listed->pdata[i], id) == 0)
      {
        gtk_list_box_select_row (self->campaign_list, gtk_list_box_get_row_at_index (self->campaign_list, (int) i));
        return TRUE;
      }
  return FALSE;
}

AdwViewStack *
crm_campaigns_page_get_views (CrmCampaignsPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), NULL);

  return self->views;
}

CrmCampaignEditor *
crm_campaigns_page_get_editor (CrmCampaignsPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), NULL);

  return self->editor;
}

CrmSegmentEditor *
crm_campaigns_page_get_segment_editor (CrmCampaignsPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), NULL);

  return self->segment_editor;
}

GStrv
crm_campaigns_page_dup_listed (CrmCampaignsPage *self)
{
  GStrvBuilder *builder;
  GStrv out;

  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; i < self->listed->len; i++)
    g_strv_builder_add (builder, self->listed->pdata[i]);
  out = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return out;
}

const char *
crm_campaigns_page_get_launch_reason (CrmCampaignsPage *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), NULL);

  return self->launch_reason ? self->launch_reason : "";
}

/**
 * crm_campaigns_page_open_results:
 *
 * Opens the selected campaign's results (CrmCampaignResults) in a window
 * of their own: they are wide (a breakdown of eleven columns, the weekly
 * chart), and as a page of the section they widened the main window past
 * the width below which it folds.
 *
 * Returns: (transfer none) (nullable): the results shown, or NULL when no
 *   saved campaign is selected
 */
CrmCampaignResults *
crm_campaigns_page_open_results (CrmCampaignsPage *self)
{
  g_autoptr(JsonObject) campaign = NULL;
  GtkRoot *root;
  GtkWidget *window, *results;

  g_return_val_if_fail (CRM_IS_CAMPAIGNS_PAGE (self), NULL);

  if (self->store == NULL || self->selected_id == NULL || self->creating)
    return NULL;
  campaign = dup_campaign (self, self->selected_id);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  window = adw_window_new ();
  results = crm_campaign_results_new ();
  gtk_window_set_title (GTK_WINDOW (window),
                        campaign ? json_object_get_string_member_with_default (campaign, "name", "") : "");
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  /* an AdwWindow has no title bar of its own */
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

    gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
    gtk_widget_set_vexpand (results, TRUE);
    gtk_box_append (GTK_BOX (box), results);
    adw_window_set_content (ADW_WINDOW (window), box);
  }
  crm_campaign_results_set_session (CRM_CAMPAIGN_RESULTS (results), self->api, self->store);
  crm_campaign_results_set_campaign (CRM_CAMPAIGN_RESULTS (results), self->selected_id);
  gtk_window_present (GTK_WINDOW (window));
  return CRM_CAMPAIGN_RESULTS (results);
}
