#define G_LOG_DOMAIN "crm-campaign-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-editor.h"
#include "crm-campaign-labels.h"
#include "crm-date.h"
#include "crm-fields.h"
#include "crm-format.h"
#include "crm-form.h"
#include "crm-money.h"
#include "crm-user.h"
#include "crm-vocabulary.h"

/* A new campaign's plan until it is changed. */
#define DEFAULT_CONTROL_PERCENT 10
#define DEFAULT_DAYS 30

struct _CrmCampaignEditor
{
  AdwBin          parent_instance;

  CrmStore       *store;
  JsonObject     *user;
  JsonObject     *record;        /* as the store has it; NULL for a new one */
  char           *segment_id;
  GPtrArray      *product_ids;   /* of product_row's choices after "None" */
  gboolean        loading;
  gboolean        dirty;
  gboolean        tried;         /* Save was asked for: say what is missing too */
  GtkCheckButton *channel_checks[CRM_N_CHANNEL_KINDS];
  GtkEntry       *channel_costs[CRM_N_CHANNEL_KINDS];
  GtkWidget      *channel_rows[CRM_N_CHANNEL_KINDS];

  /* Template widgets */
  GtkWidget      *planning_box;
  AdwEntryRow    *name_row;
  GtkLabel       *name_error;
  AdwComboRow    *kind_row;
  AdwEntryRow    *offer_row;
  AdwComboRow    *product_row;
  AdwEntryRow    *price_row;
  AdwEntryRow    *discount_row;
  GtkLabel       *offer_error;
  AdwPreferencesGroup *channels_group;
  GtkLabel       *channels_error;
  AdwEntryRow    *budget_row;
  GtkLabel       *budget_error;
  AdwEntryRow    *starts_row;
  AdwEntryRow    *ends_row;
  GtkLabel       *dates_error;
  AdwEntryRow    *control_row;
  GtkLabel       *control_error;
  AdwActionRow   *owner_row;
  AdwActionRow   *status_row;
  GtkWidget      *moves_box;
  GtkWidget      *save_button;
  GtkLabel       *save_error;
};

G_DEFINE_FINAL_TYPE (CrmCampaignEditor, crm_campaign_editor, ADW_TYPE_BIN)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The status changes a client may make (the contract of cwrite): from,
 * to, the action. */
static const struct
{
  const char *from;
  const char *to;
  const char *action;
} moves[] = {
  { "draft", "planned", "campaign.plan" },
  { "planned", "draft", "campaign.draft" },
  { "draft", "cancelled", "campaign.cancel" },
  { "planned", "cancelled", "campaign.cancel" },
  { "running", "cancelled", "campaign.cancel" },
  { "running", "completed", "campaign.complete" },
};

static const char *
record_string (CrmCampaignEditor *self,
               const char        *name)
{
  return self->record ? json_object_get_string_member_with_default (self->record, name, NULL) : NULL;
}

static char *
text_of (AdwEntryRow *row)
{
  return crm_form_dup_text (GTK_EDITABLE (row));
}

static void
set_text (AdwEntryRow *row,
          const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
}

static char *
yuan (JsonObject *record,
      const char *name)
{
  JsonNode *node = record ? json_object_get_member (record, name) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  return crm_money_format (json_node_get_int (node), FALSE);
}

static gboolean
planning (CrmCampaignEditor *self)
{
  const char *status = crm_campaign_editor_get_status (self);

  return g_strcmp0 (status, "draft") == 0 || g_strcmp0 (status, "planned") == 0;
}

static void
update_status (CrmCampaignEditor *self)
{
  const char *status = crm_campaign_editor_get_status (self);
  const char *launched = record_string (self, "launched_at");
  g_autofree char *when = launched ? crm_format_date_time (launched) : NULL;
  g_autofree char *subtitle = NULL;

  /* TRANSLATORS: a campaign's status, then when it was launched */
  subtitle = when ? g_strdup_printf (_("%s · launched %s"), crm_campaign_status_label (status), when)
                  : g_strdup (crm_campaign_status_label (status));
  adw_action_row_set_subtitle (self->status_row, subtitle);
  /* only the moves the status allows are offered */
  for (GtkWidget *b = gtk_widget_get_first_child (self->moves_box); b != NULL; b = gtk_widget_get_next_sibling (b))
    {
      const char *action = gtk_actionable_get_action_name (GTK_ACTIONABLE (b));
      gboolean allowed = FALSE;

      if (b == self->save_button)
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
        allowed |= self->record != NULL && g_strcmp0 (moves[i].from, status) == 0 &&
                   g_strcmp0 (moves[i].action, action) == 0;
      gtk_widget_action_set_enabled (GTK_WIDGET (self), action, allowed);
      gtk_widget_set_visible (b, allowed);
    }
  gtk_widget_set_sensitive (self->planning_box, planning (self));
  gtk_widget_set_visible (self->save_button, planning (self));
}

static const char *
owner_name (CrmCampaignEditor *self)
{
  const char *owner = record_string (self, "owner_id");
  g_autoptr(GPtrArray) users = NULL;

  if (self->record == NULL)
    return self->user ? crm_user_get_display_name (self->user) : "";
  if (owner == NULL || self->store == NULL)
    return "—";
  users = crm_store_get_records (self->store, CRM_ENTITY_USER, NULL, NULL);
  for (guint i = 0; users != NULL && i < users->len; i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (users->pdata[i], "id", NULL), owner) == 0)
      return g_intern_string (json_object_get_string_member_with_default (users->pdata[i], "display_name", "—"));
  return "—";
}

/* product_row's choices: "None" and the products by name. */
static void
load_products (CrmCampaignEditor *self)
{
  g_autoptr(GPtrArray) products = self->store ? crm_store_get_records (self->store, CRM_ENTITY_PRODUCT, NULL, NULL)
                                              : NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  const char *chosen = record_string (self, "offer_product_id");
  guint selected = 0;

  g_ptr_array_set_size (self->product_ids, 0);
  gtk_string_list_append (labels, _("None"));
  for (guint i = 0; products != NULL && i < products->len; i++)
    {
      const char *id = json_object_get_string_member_with_default (products->pdata[i], "id", NULL);

      gtk_string_list_append (labels, json_object_get_string_member_with_default (products->pdata[i], "name", ""));
      g_ptr_array_add (self->product_ids, g_strdup (id));
      if (g_strcmp0 (id, chosen) == 0)
        selected = self->product_ids->len;
    }
  adw_combo_row_set_model (self->product_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->product_row, selected);
}

static void
fill_channels (CrmCampaignEditor *self)
{
  JsonNode *channels = self->record ? json_object_get_member (self->record, "channels") : NULL;
  JsonNode *costs = self->record ? json_object_get_member (self->record, "channel_costs") : NULL;
  JsonObject *cost_object = costs && JSON_NODE_HOLDS_OBJECT (costs) ? json_node_get_object (costs) : NULL;

  for (guint i = 0; i < CRM_N_CHANNEL_KINDS; i++)
    {
      const char *name = crm_channel_kind_names[i];
      gboolean on = FALSE;
      g_autofree char *cost = NULL;

      if (channels != NULL && JSON_NODE_HOLDS_ARRAY (channels))
        for (guint j = 0; j < json_array_get_length (json_node_get_array (channels)); j++)
          on |= g_strcmp0 (json_array_get_string_element (json_node_get_array (channels), j), name) == 0;
      if (cost_object != NULL && json_object_has_member (cost_object, name))
        cost = crm_money_format (json_object_get_int_member (cost_object, name), FALSE);
      gtk_check_button_set_active (self->channel_checks[i], on);
      gtk_editable_set_text (GTK_EDITABLE (self->channel_costs[i]), cost ? cost : "");
    }
}

/* The widgets from the record (a new one: the defaults). */
static void
fill (CrmCampaignEditor *self)
{
  const char *kind = record_string (self, "kind");
  int kind_index = kind ? crm_wire_lookup (crm_campaign_kind_names, kind) : 0;
  g_autofree char *budget = yuan (self->record, "budget");
  g_autofree char *price = yuan (self->record, "offer_price");
  g_autofree char *discount = NULL;
  g_autofree char *control = NULL;
  g_autofree char *starts = NULL;
  g_autofree char *ends = NULL;

  self->loading = TRUE;
  if (self->record != NULL)
    {
      gint64 d = json_object_get_int_member_with_default (self->record, "offer_discount", 0);

      discount = d > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, d) : g_strdup ("");
      control = g_strdup_printf ("%" G_GINT64_FORMAT,
                                 json_object_get_int_member_with_default (self->record, "control_percent",
                                                                          DEFAULT_CONTROL_PERCENT));
      starts = g_strdup (record_string (self, "starts_on"));
      ends = g_strdup (record_string (self, "ends_on"));
    }
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autoptr(GDateTime) later = g_date_time_add_days (now, DEFAULT_DAYS);

      discount = g_strdup ("");
      control = g_strdup_printf ("%d", DEFAULT_CONTROL_PERCENT);
      starts = g_date_time_format (now, "%Y-%m-%d");
      ends = g_date_time_format (later, "%Y-%m-%d");
    }
  set_text (self->name_row, record_string (self, "name"));
  adw_combo_row_set_selected (self->kind_row, kind_index >= 0 ? (guint) kind_index : 0);
  set_text (self->offer_row, record_string (self, "offer"));
  load_products (self);
  set_text (self->price_row, price);
  set_text (self->discount_row, discount);
  fill_channels (self);
  set_text (self->budget_row, budget);
  set_text (self->starts_row, starts);
  set_text (self->ends_row, ends);
  set_text (self->control_row, control);
  adw_action_row_set_subtitle (self->owner_row, owner_name (self));
  self->tried = FALSE;
  self->dirty = FALSE;
  self->loading = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->save_error), FALSE);
  update_status (self);
}

/* ------------------------------------------------------------------ */
/* Checking and reading the fields                                     */
/* ------------------------------------------------------------------ */

/* An optional amount in yuan as fen (-1 for none); FALSE if it is not
 * one the field @name takes. */
static gboolean
read_money (const char *text,
            const char *name,
            gint64     *fen)
{
  g_autofree char *digits = NULL;

  *fen = -1;
  if (text[0] == '\0')
    return TRUE;
  if (!crm_money_parse (text, fen, NULL) || *fen < 0)
    return FALSE;
  digits = g_strdup_printf ("%" G_GINT64_FORMAT, *fen);
  return crm_form_check_field (CRM_ENTITY_CAMPAIGN, name, digits) == NULL;
}

static void
show_error (GtkWidget  *row,
            GtkLabel   *label,
            char      **problem)
{
  crm_form_set_error (row, label, *problem);
  g_clear_pointer (problem, g_free);
}

static gboolean
check_offer (CrmCampaignEditor *self)
{
  g_autofree char *price = text_of (self->price_row);
  g_autofree char *discount = text_of (self->discount_row);
  g_autofree char *offer = text_of (self->offer_row);
  char *problem = crm_form_check_field (CRM_ENTITY_CAMPAIGN, "offer", offer);
  GtkWidget *row = GTK_WIDGET (self->offer_row);
  gint64 fen;

  crm_form_set_error (GTK_WIDGET (self->price_row), self->offer_error, NULL);
  crm_form_set_error (GTK_WIDGET (self->discount_row), self->offer_error, NULL);
  if (problem == NULL && !read_money (price, "offer_price", &fen))
    {
      problem = g_strdup (_("Enter the price in yuan a month, such as 88 or 88.50"));
      row = GTK_WIDGET (self->price_row);
    }
  if (problem == NULL && discount[0] != '\0' &&
      (problem = crm_form_check_field (CRM_ENTITY_CAMPAIGN, "offer_discount", discount)) != NULL)
    {
      g_free (problem);
      problem = g_strdup (_("Enter a discount from 1 to 100 percent"));
      row = GTK_WIDGET (self->discount_row);
    }
  if (problem == NULL && price[0] != '\0' && discount[0] != '\0')
    {
      problem = g_strdup (_("Give the offer a price or a discount, not both"));
      row = GTK_WIDGET (self->discount_row);
    }
  {
    gboolean ok = problem == NULL;

    show_error (row, self->offer_error, &problem);
    return ok;
  }
}

static gboolean
check_channels (CrmCampaignEditor *self)
{
  char *problem = NULL;
  GtkWidget *row = GTK_WIDGET (self->channels_group);
  guint n = 0;

  for (guint i = 0; i < CRM_N_CHANNEL_KINDS; i++)
    {
      g_autofree char *cost = crm_form_dup_text (GTK_EDITABLE (self->channel_costs[i]));
      gint64 fen;

      gtk_widget_remove_css_class (self->channel_rows[i], "error");
      if (!gtk_check_button_get_active (self->channel_checks[i]))
        continue;
      n++;
      if (problem == NULL && (cost[0] == '\0' ? self->tried : !crm_money_parse (cost, &fen, NULL) || fen < 0))
        {
          /* TRANSLATORS: %s is a channel, such as SMS */
          problem = g_strdup_printf (_("Enter the cost of one contact by %s in yuan, such as 0.08"),
                                     crm_vocabulary_label_at (crm_channel_kind_names, i));
          row = self->channel_rows[i];
        }
    }
  if (problem == NULL && n == 0 && self->tried)
    problem = g_strdup (_("Choose at least one channel"));
  {
    gboolean ok = problem == NULL && n > 0;

    show_error (row, self->channels_error, &problem);
    return ok;
  }
}

static gboolean
check_dates (CrmCampaignEditor *self)
{
  g_autofree char *starts = text_of (self->starts_row);
  g_autofree char *ends = text_of (self->ends_row);
  g_autoptr(GDate) from = starts[0] ? crm_date_parse ("starts_on", starts, NULL) : NULL;
  g_autoptr(GDate) to = ends[0] ? crm_date_parse ("ends_on", ends, NULL) : NULL;
  char *problem = NULL;
  GtkWidget *row = GTK_WIDGET (self->starts_row);

  crm_form_set_error (GTK_WIDGET (self->ends_row), self->dates_error, NULL);
  if ((starts[0] && from == NULL) || (!starts[0] && self->tried))
    problem = g_strdup (_("Enter the first day as YYYY-MM-DD"));
  else if ((ends[0] && to == NULL) || (!ends[0] && self->tried))
    {
      problem = g_strdup (_("Enter the last day as YYYY-MM-DD"));
      row = GTK_WIDGET (self->ends_row);
    }
  else if (from != NULL && to != NULL && g_date_compare (from, to) > 0)
    {
      problem = g_strdup (_("The campaign cannot end before it starts"));
      row = GTK_WIDGET (self->ends_row);
    }
  {
    gboolean ok = problem == NULL && from != NULL && to != NULL;

    show_error (row, self->dates_error, &problem);
    return ok;
  }
}

/* Each field's problem under it; TRUE when there is none.  What is
 * missing is said only once Save was asked for. */
static gboolean
check (CrmCampaignEditor *self)
{
  g_autofree char *name = text_of (self->name_row);
  g_autofree char *budget = text_of (self->budget_row);
  g_autofree char *control = text_of (self->control_row);
  char *problem;
  gboolean ok = TRUE;
  gint64 fen;

  problem = (name[0] || self->tried) ? crm_form_check_field (CRM_ENTITY_CAMPAIGN, "name", name) : NULL;
  ok &= problem == NULL && name[0];
  show_error (GTK_WIDGET (self->name_row), self->name_error, &problem);

  ok &= check_offer (self);
  ok &= check_channels (self);

  if (!read_money (budget, "budget", &fen))
    problem = g_strdup (_("Enter the budget in yuan, such as 50000"));
  else if (fen < 0 && self->tried)
    problem = g_strdup (_("This field cannot be empty"));
  ok &= problem == NULL && fen >= 0;
  show_error (GTK_WIDGET (self->budget_row), self->budget_error, &problem);

  ok &= check_dates (self);

  if (control[0] || self->tried)
    {
      problem = crm_form_check_field (CRM_ENTITY_CAMPAIGN, "control_percent", control);
      if (problem != NULL && control[0])
        {
          g_free (problem);
          problem = g_strdup (_("Enter a share from 0 to 50 percent"));
        }
    }
  ok &= problem == NULL && control[0];
  show_error (GTK_WIDGET (self->control_row), self->control_error, &problem);
  return ok;
}

/* Every plan field as it is written (after check () said TRUE). */
static JsonObject *
dup_fields (CrmCampaignEditor *self)
{
  JsonObject *fields = json_object_new ();
  g_autoptr(JsonArray) channels = json_array_new ();
  g_autoptr(JsonObject) costs = json_object_new ();
  g_autofree char *name = text_of (self->name_row);
  g_autofree char *offer = text_of (self->offer_row);
  g_autofree char *price = text_of (self->price_row);
  g_autofree char *discount = text_of (self->discount_row);
  g_autofree char *budget = text_of (self->budget_row);
  g_autofree char *control = text_of (self->control_row);
  guint product = adw_combo_row_get_selected (self->product_row);
  gint64 fen;

  json_object_set_string_member (fields, "name", name);
  json_object_set_string_member (fields, "kind", crm_campaign_kind_names[adw_combo_row_get_selected (self->kind_row)]);
  if (offer[0])
    json_object_set_string_member (fields, "offer", offer);
  else
    json_object_set_null_member (fields, "offer");
  if (product > 0 && product <= self->product_ids->len)
    json_object_set_string_member (fields, "offer_product_id", self->product_ids->pdata[product - 1]);
  else
    json_object_set_null_member (fields, "offer_product_id");
  if (read_money (price, "offer_price", &fen) && fen >= 0)
    json_object_set_int_member (fields, "offer_price", fen);
  else
    json_object_set_null_member (fields, "offer_price");
  if (discount[0])
    json_object_set_int_member (fields, "offer_discount", g_ascii_strtoll (discount, NULL, 10));
  else
    json_object_set_null_member (fields, "offer_discount");
  for (guint i = 0; i < CRM_N_CHANNEL_KINDS; i++)
    if (gtk_check_button_get_active (self->channel_checks[i]))
      {
        g_autofree char *cost = crm_form_dup_text (GTK_EDITABLE (self->channel_costs[i]));

        crm_money_parse (cost, &fen, NULL);
        json_array_add_string_element (channels, crm_channel_kind_names[i]);
        json_object_set_int_member (costs, crm_channel_kind_names[i], fen);
      }
  json_object_set_array_member (fields, "channels", g_steal_pointer (&channels));
  json_object_set_object_member (fields, "channel_costs", g_steal_pointer (&costs));
  read_money (budget, "budget", &fen);
  json_object_set_int_member (fields, "budget", fen);
  json_object_set_string_member (fields, "starts_on", gtk_editable_get_text (GTK_EDITABLE (self->starts_row)));
  json_object_set_string_member (fields, "ends_on", gtk_editable_get_text (GTK_EDITABLE (self->ends_row)));
  json_object_set_int_member (fields, "control_percent", g_ascii_strtoll (control, NULL, 10));
  if (self->segment_id != NULL)
    json_object_set_string_member (fields, "segment_id", self->segment_id);
  return fields;
}

/* Of @fields, those that differ from the record (an update sends only
 * those); a new record's: the non-null ones. */
static JsonObject *
changed_fields (CrmCampaignEditor *self,
                JsonObject        *fields)
{
  JsonObject *changed = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (fields);

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *mine = json_object_get_member (fields, l->data);
      JsonNode *stored = self->record ? json_object_get_member (self->record, l->data) : NULL;

      if (self->record == NULL ? JSON_NODE_HOLDS_NULL (mine)
                               : (stored != NULL && json_node_equal (mine, stored)) ||
                                 (stored == NULL && JSON_NODE_HOLDS_NULL (mine)))
        continue;
      json_object_set_member (changed, l->data, json_node_copy (mine));
    }
  return changed;
}

static void
show_save_error (CrmCampaignEditor *self,
                 const GError      *error)
{
  g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);

  gtk_label_set_label (self->save_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->save_error), TRUE);
}

static gboolean
enqueue (CrmCampaignEditor *self,
         JsonObject        *fields)
{
  g_autoptr(CrmMutation) mutation = NULL;
  g_autoptr(GError) error = NULL;

  if (json_object_get_size (fields) == 0)
    return TRUE;
  mutation = self->record == NULL
    ? crm_store_enqueue_create (self->store, CRM_ENTITY_CAMPAIGN, NULL, fields, &error)
    : crm_store_enqueue_update (self->store, CRM_ENTITY_CAMPAIGN,
                                json_object_get_string_member (self->record, "id"), fields, &error);
  if (mutation == NULL)
    {
      show_save_error (self, error);
      return FALSE;
    }
  crm_campaign_editor_set_campaign (self, mutation->record_id);
  g_signal_emit (self, signals[SAVED], 0, mutation->record_id);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Callbacks and actions                                               */
/* ------------------------------------------------------------------ */

static void
changed_cb (CrmCampaignEditor *self)
{
  if (self->loading || self->store == NULL)
    return;
  self->dirty = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->save_error), FALSE);
  check (self);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  crm_campaign_editor_save (CRM_CAMPAIGN_EDITOR (widget));
}

static void move_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter);

static void
cancel_response_cb (AdwMessageDialog  *dialog,
                    const char        *response,
                    CrmCampaignEditor *self)
{
  if (g_strcmp0 (response, "cancel-campaign") == 0)
    move_action (GTK_WIDGET (self), "campaign.cancel", g_variant_new_boolean (TRUE));
}

/* A status button: what the button says, after any unsaved change;
 * Cancel asks first (it cannot be undone). */
static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (widget);
  const char *status = crm_campaign_editor_get_status (self);
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(GVariant) confirmed = parameter ? g_variant_ref_sink (parameter) : NULL;

  if (self->record == NULL)
    return;
  if (g_str_equal (action_name, "campaign.cancel") && confirmed == NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                  _("Cancel this campaign?"),
                                                  _("A cancelled campaign is not planned or launched again."));

      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "keep", _("_Keep It"),
                                        "cancel-campaign", _("Cance_l Campaign"), NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-campaign",
                                                  ADW_RESPONSE_DESTRUCTIVE);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "keep");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
      g_signal_connect_object (dialog, "response", G_CALLBACK (cancel_response_cb), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  if (self->dirty && planning (self) && !crm_campaign_editor_save (self))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
    if (g_str_equal (moves[i].action, action_name) && g_strcmp0 (moves[i].from, status) == 0)
      {
        json_object_set_string_member (fields, "status", moves[i].to);
        enqueue (self, fields);
        return;
      }
}

static void
build_channels (CrmCampaignEditor *self)
{
  for (guint i = 0; i < CRM_N_CHANNEL_KINDS; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      GtkWidget *cost = gtk_entry_new ();
      const char *label = crm_vocabulary_label_at (crm_channel_kind_names, i);
      g_autofree char *cost_label = g_strdup_printf (_("Cost of one contact by %s, in yuan"), label);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
      gtk_widget_set_name (row, crm_channel_kind_names[i]);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      gtk_entry_set_placeholder_text (GTK_ENTRY (cost), _("Cost per contact"));
      gtk_editable_set_width_chars (GTK_EDITABLE (cost), 10);
      gtk_widget_set_valign (cost, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (cost), GTK_ACCESSIBLE_PROPERTY_LABEL, cost_label, -1);
      g_object_bind_property (check, "active", cost, "sensitive", G_BINDING_SYNC_CREATE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), cost);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (changed_cb), self);
      g_signal_connect_swapped (cost, "changed", G_CALLBACK (changed_cb), self);
      adw_preferences_group_add (self->channels_group, row);
      self->channel_checks[i] = GTK_CHECK_BUTTON (check);
      self->channel_costs[i] = GTK_ENTRY (cost);
      self->channel_rows[i] = row;
    }
}

static void
store_changed_cb (CrmCampaignEditor *self,
                  const char        *entity,
                  GStrv              keys)
{
  const char *id = self->record ? record_string (self, "id") : NULL;

  if (id == NULL || (keys != NULL && !g_strv_contains ((const char * const *) keys, id)))
    return;
  if (self->dirty)
    {
      /* typed over: keep what is typed, follow the status */
      g_autoptr(GPtrArray) records = crm_store_get_records (self->store, CRM_ENTITY_CAMPAIGN, NULL, NULL);

      for (guint i = 0; records != NULL && i < records->len; i++)
        if (g_strcmp0 (json_object_get_string_member_with_default (records->pdata[i], "id", NULL), id) == 0)
          {
            g_clear_pointer (&self->record, json_object_unref);
            self->record = json_object_ref (records->pdata[i]);
          }
      update_status (self);
      return;
    }
  {
    g_autofree char *copy = g_strdup (id);

    crm_campaign_editor_set_campaign (self, copy);
  }
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_campaign_editor_dispose (GObject *object)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (object);

  g_clear_object (&self->store);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CAMPAIGN_EDITOR);

  G_OBJECT_CLASS (crm_campaign_editor_parent_class)->dispose (object);
}

static void
crm_campaign_editor_finalize (GObject *object)
{
  CrmCampaignEditor *self = CRM_CAMPAIGN_EDITOR (object);

  g_clear_pointer (&self->record, json_object_unref);
  g_clear_pointer (&self->user, json_object_unref);
  g_clear_pointer (&self->product_ids, g_ptr_array_unref);
  g_free (self->segment_id);

  G_OBJECT_CLASS (crm_campaign_editor_parent_class)->finalize (object);
}

static void
crm_campaign_editor_class_init (CrmCampaignEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_campaign_editor_dispose;
  object_class->finalize = crm_campaign_editor_finalize;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-campaign-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, planning_box);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, name_error);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, kind_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, offer_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, product_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, price_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, discount_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, offer_error);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, channels_group);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, channels_error);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, budget_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, budget_error);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, starts_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, ends_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, dates_error);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, control_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, control_error);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, owner_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, status_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, moves_box);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, CrmCampaignEditor, save_error);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);

  gtk_widget_class_install_action (widget_class, "campaign.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "campaign.plan", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "campaign.draft", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "campaign.complete", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "campaign.cancel", NULL, move_action);
}

static void
crm_campaign_editor_init (CrmCampaignEditor *self)
{
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);

  self->loading = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->product_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < CRM_N_CAMPAIGN_KINDS; i++)
    gtk_string_list_append (kinds, crm_campaign_kind_label_at (i));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds));
  build_channels (self);
  fill (self);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

GtkWidget *
crm_campaign_editor_new (void)
{
  return g_object_new (CRM_TYPE_CAMPAIGN_EDITOR, NULL);
}

void
crm_campaign_editor_set_store (CrmCampaignEditor *self,
                               CrmStore          *store)
{
  g_return_if_fail (CRM_IS_CAMPAIGN_EDITOR (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed::campaign", G_CALLBACK (store_changed_cb), self, G_CONNECT_SWAPPED);
  crm_campaign_editor_set_campaign (self, NULL);
}

void
crm_campaign_editor_set_user (CrmCampaignEditor *self,
                              JsonObject        *user)
{
  g_return_if_fail (CRM_IS_CAMPAIGN_EDITOR (self));

  g_clear_pointer (&self->user, json_object_unref);
  self->user = user ? json_object_ref (user) : NULL;
  if (self->record == NULL)
    adw_action_row_set_subtitle (self->owner_row, owner_name (self));
}

void
crm_campaign_editor_set_campaign (CrmCampaignEditor *self,
                                  const char        *id)
{
  g_autoptr(GPtrArray) records = NULL;

  g_return_if_fail (CRM_IS_CAMPAIGN_EDITOR (self));

  g_clear_pointer (&self->record, json_object_unref);
  if (id != NULL && self->store != NULL)
    records = crm_store_get_records (self->store, CRM_ENTITY_CAMPAIGN, NULL, NULL);
  for (guint i = 0; records != NULL && i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (records->pdata[i], "id", NULL), id) == 0)
      self->record = json_object_ref (records->pdata[i]);
  g_free (self->segment_id);
  self->segment_id = g_strdup (record_string (self, "segment_id"));
  fill (self);
}

const char *
crm_campaign_editor_get_campaign (CrmCampaignEditor *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_EDITOR (self), NULL);

  return record_string (self, "id");
}

const char *
crm_campaign_editor_get_status (CrmCampaignEditor *self)
{
  const char *status;

  g_return_val_if_fail (CRM_IS_CAMPAIGN_EDITOR (self), NULL);

  status = record_string (self, "status");
  return status ? status : "draft";
}

void
crm_campaign_editor_set_segment (CrmCampaignEditor *self,
                                 const char        *segment_id)
{
  g_return_if_fail (CRM_IS_CAMPAIGN_EDITOR (self));

  if (g_strcmp0 (self->segment_id, segment_id) == 0)
    return;
  g_free (self->segment_id);
  self->segment_id = g_strdup (segment_id);
  if (g_strcmp0 (segment_id, record_string (self, "segment_id")) != 0)
    self->dirty = TRUE;
}

gboolean
crm_campaign_editor_has_changes (CrmCampaignEditor *self)
{
  g_return_val_if_fail (CRM_IS_CAMPAIGN_EDITOR (self), FALSE);

  return self->dirty;
}

gboolean
crm_campaign_editor_save (CrmCampaignEditor *self)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(JsonObject) changed = NULL;

  g_return_val_if_fail (CRM_IS_CAMPAIGN_EDITOR (self), FALSE);

  if (self->store == NULL || !planning (self))
    return FALSE;
  self->tried = TRUE;
  if (!check (self))
    return FALSE;
  fields = dup_fields (self);
  changed = changed_fields (self, fields);
  if (self->record == NULL)
    json_object_set_string_member (changed, "status", "draft");
  return enqueue (self, changed);
}
