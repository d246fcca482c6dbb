#define G_LOG_DOMAIN "crm-outcome-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-campaign-task-labels.h"
#include "crm-error.h"
#include "crm-form.h"
#include "crm-opportunity-dialog.h"
#include "crm-outcome-dialog.h"
#include "crm-vocabulary.h"

/* A conversion's link: the member's field and the record. */
typedef struct
{
  const char *field;    /* "opportunity_id" or "subscription_id" */
  char       *id;
} Link;

struct _CrmOutcomeDialog
{
  CrmFormWindow  parent_instance;

  char          *campaign_id;
  char          *customer_id;
  JsonObject    *member;       /* as the store had it */
  GStrv          channels;     /* the channel row's choices */
  GArray        *links;        /* Link: the link row's choices after "None" */
  char          *contacted_shown;   /* what the rows showed at first */
  char          *responded_shown;
  char          *initial;      /* the form's state at first, as text */

  /* Template widgets */
  GtkLabel      *campaign_label;
  GtkLabel      *customer_label;
  GtkLabel      *offer_label;
  AdwComboRow   *response_row;
  AdwComboRow   *channel_row;
  AdwEntryRow   *contacted_row;
  AdwEntryRow   *responded_row;
  GtkLabel      *when_error;
  AdwPreferencesGroup *link_group;
  AdwComboRow   *link_row;
  GtkLabel      *link_note;
};

G_DEFINE_FINAL_TYPE (CrmOutcomeDialog, crm_outcome_dialog, CRM_TYPE_FORM_WINDOW)

/* The outcomes one records (pending is where a member starts). */
static const CrmMemberResponse offered[] = {
  CRM_RESPONSE_CONTACTED, CRM_RESPONSE_RESPONDED, CRM_RESPONSE_CONVERTED, CRM_RESPONSE_DECLINED,
  CRM_RESPONSE_OPTED_OUT, CRM_RESPONSE_UNREACHABLE,
};

static const char *
text_member (JsonObject *o,
             const char *name)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
link_clear (gpointer data)
{
  g_free (((Link *) data)->id);
}

static CrmMemberResponse
selected_response (CrmOutcomeDialog *self)
{
  guint i = adw_combo_row_get_selected (self->response_row);

  return i < G_N_ELEMENTS (offered) ? offered[i] : CRM_RESPONSE_CONTACTED;
}

/* An answer came: responded, converted, declined, opted out. */
static gboolean
answered (CrmMemberResponse response)
{
  return response == CRM_RESPONSE_RESPONDED || response == CRM_RESPONSE_CONVERTED ||
         response == CRM_RESPONSE_DECLINED || response == CRM_RESPONSE_OPTED_OUT;
}

static const Link *
selected_link (CrmOutcomeDialog *self)
{
  guint i = adw_combo_row_get_selected (self->link_row);

  return i > 0 && i <= self->links->len ? &g_array_index (self->links, Link, i - 1) : NULL;
}

/* Everything the form says, as text: to see whether it changed. */
static char *
form_state (CrmOutcomeDialog *self)
{
  const Link *link = selected_link (self);

  return g_strdup_printf ("%u\n%u\n%s\n%s\n%s", adw_combo_row_get_selected (self->response_row),
                          adw_combo_row_get_selected (self->channel_row),
                          gtk_editable_get_text (GTK_EDITABLE (self->contacted_row)),
                          gtk_editable_get_text (GTK_EDITABLE (self->responded_row)), link ? link->id : "");
}

static gboolean
crm_outcome_dialog_has_changes (CrmFormWindow *form)
{
  CrmOutcomeDialog *self = CRM_OUTCOME_DIALOG (form);
  g_autofree char *now = form_state (self);

  return g_strcmp0 (now, self->initial) != 0;
}

/* Why the time typed in @row is not right, or NULL; *@at the time. */
static const char *
time_problem (AdwEntryRow *row,
              GDateTime  **at)
{
  g_autofree char *text = crm_form_dup_text (GTK_EDITABLE (row));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) soon = g_date_time_add_minutes (now, 5);

  *at = crm_form_parse_local_time (text);
  if (*at == NULL)
    return _("Enter a date and time, such as 2026-12-03 14:30");
  if (g_date_time_compare (*at, soon) > 0)
    return _("This time has not come yet");
  return NULL;
}

/* Which rows the outcome asks for. */
static void
show_rows (CrmOutcomeDialog *self)
{
  CrmMemberResponse response = selected_response (self);
  gboolean converted = response == CRM_RESPONSE_CONVERTED;

  gtk_widget_set_visible (GTK_WIDGET (self->contacted_row), response != CRM_RESPONSE_UNREACHABLE);
  gtk_widget_set_visible (GTK_WIDGET (self->responded_row), answered (response));
  gtk_widget_set_visible (GTK_WIDGET (self->link_group), converted);
  gtk_widget_set_visible (GTK_WIDGET (self->link_note), converted && selected_link (self) == NULL);
}

static gboolean
crm_outcome_dialog_check (CrmFormWindow *form,
                          gboolean       tried)
{
  CrmOutcomeDialog *self = CRM_OUTCOME_DIALOG (form);
  CrmMemberResponse response = selected_response (self);
  g_autoptr(GDateTime) contacted = NULL;
  g_autoptr(GDateTime) responded = NULL;
  const char *contacted_problem = NULL;
  const char *responded_problem = NULL;

  show_rows (self);
  if (response != CRM_RESPONSE_UNREACHABLE)
    contacted_problem = time_problem (self->contacted_row, &contacted);
  if (answered (response))
    responded_problem = time_problem (self->responded_row, &responded);
  if (responded_problem == NULL && contacted != NULL && responded != NULL &&
      g_date_time_compare (responded, contacted) < 0)
    responded_problem = _("The customer cannot respond before they were contacted");

  crm_form_set_error (GTK_WIDGET (self->contacted_row), self->when_error, NULL);
  crm_form_set_error (GTK_WIDGET (self->responded_row), self->when_error, NULL);
  if (contacted_problem != NULL)
    crm_form_set_error (GTK_WIDGET (self->contacted_row), self->when_error, contacted_problem);
  else if (responded_problem != NULL)
    crm_form_set_error (GTK_WIDGET (self->responded_row), self->when_error, responded_problem);
  return contacted_problem == NULL && responded_problem == NULL;
}

static JsonObject *
crm_outcome_dialog_form_dup_fields (CrmFormWindow  *form,
                                    GError        **error)
{
  return crm_outcome_dialog_dup_fields (CRM_OUTCOME_DIALOG (form), error);
}

static void
response_changed_cb (CrmOutcomeDialog *self)
{
  CrmMemberResponse response = selected_response (self);

  /* an answer's time starts as now, as the contact's did */
  if (answered (response) && gtk_editable_get_text (GTK_EDITABLE (self->responded_row))[0] == '\0')
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *text = crm_form_format_local_time (now);

      gtk_editable_set_text (GTK_EDITABLE (self->responded_row), text);
    }
  crm_form_window_changed (CRM_FORM_WINDOW (self));
  show_rows (self);
}

static void
choice_changed_cb (CrmOutcomeDialog *self)
{
  crm_form_window_changed (CRM_FORM_WINDOW (self));
  show_rows (self);
}

/* ------------------------------------------------------------------ */
/* The conversion's link                                               */
/* ------------------------------------------------------------------ */

static void
add_link (CrmOutcomeDialog *self,
          GtkStringList    *labels,
          const char       *field,
          const char       *id,
          const char       *label)
{
  Link link = { field, g_strdup (id) };

  g_array_append_val (self->links, link);
  gtk_string_list_append (labels, label);
}

static char *
subscription_label (JsonObject *subscription,
                    GHashTable *products)
{
  JsonObject *product = g_hash_table_lookup (products, text_member (subscription, "product_id"));
  const char *name = text_member (product, "name");
  const char *name_en = text_member (product, "name_en");
  const char *started = text_member (subscription, "started_on");

  if (!crm_campaign_task_chinese_ui () && name_en != NULL && name_en[0] != '\0')
    name = name_en;
  /* TRANSLATORS: a subscription in the outcome dialog: its product and when it started */
  return g_strdup_printf (_("Subscription: %s, since %s"), name ? name : _("A product not on this computer"),
                          started ? started : "—");
}

/* The customer's opportunities and subscriptions, from the store; then
 * selects @select (or the member's link when NULL). */
static void
fill_links (CrmOutcomeDialog *self,
            const char       *select)
{
  CrmStore *store = crm_form_window_get_store (CRM_FORM_WINDOW (self));
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) opportunities = crm_store_get_records (store, CRM_ENTITY_OPPORTUNITY, self->customer_id, NULL);
  g_autoptr(GPtrArray) subscriptions = crm_store_get_records (store, CRM_ENTITY_SUBSCRIPTION, self->customer_id, NULL);
  g_autoptr(GPtrArray) products = crm_store_get_records (store, CRM_ENTITY_PRODUCT, NULL, NULL);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);
  guint chosen = 0;

  if (select == NULL)
    select = text_member (self->member, "opportunity_id") ? text_member (self->member, "opportunity_id")
                                                          : text_member (self->member, "subscription_id");
  for (guint i = 0; products != NULL && i < products->len; i++)
    if (text_member (products->pdata[i], "id") != NULL)
      g_hash_table_insert (by_id, (gpointer) text_member (products->pdata[i], "id"), products->pdata[i]);
  g_array_set_size (self->links, 0);
  gtk_string_list_append (labels, _("None"));
  for (guint i = 0; opportunities != NULL && i < opportunities->len; i++)
    {
      JsonObject *o = opportunities->pdata[i];
      /* TRANSLATORS: an opportunity in the outcome dialog: its name and its stage */
      g_autofree char *label = g_strdup_printf (_("Opportunity: %s (%s)"), text_member (o, "name"),
                                                crm_vocabulary_label (crm_stage_names, text_member (o, "stage")));

      add_link (self, labels, "opportunity_id", text_member (o, "id"), label);
    }
  for (guint i = 0; subscriptions != NULL && i < subscriptions->len; i++)
    {
      g_autofree char *label = subscription_label (subscriptions->pdata[i], by_id);

      add_link (self, labels, "subscription_id", text_member (subscriptions->pdata[i], "id"), label);
    }
  for (guint i = 0; select != NULL && i < self->links->len; i++)
    if (g_strcmp0 (g_array_index (self->links, Link, i).id, select) == 0)
      chosen = i + 1;
  adw_combo_row_set_model (self->link_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->link_row, chosen);
}

static void
opportunity_queued_cb (CrmOutcomeDialog *self,
                       const char       *record_id)
{
  fill_links (self, record_id);
  crm_form_window_changed (CRM_FORM_WINDOW (self));
  show_rows (self);
}

/* outcome.new-opportunity: the New Opportunity dialog, from this campaign;
 * the new opportunity becomes the link. */
static void
new_opportunity_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CrmOutcomeDialog *self = CRM_OUTCOME_DIALOG (widget);
  CrmStore *store = crm_form_window_get_store (CRM_FORM_WINDOW (self));
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmCustomer) customer = crm_store_get_customer (store, self->customer_id, &error);
  GtkWidget *dialog;

  if (customer == NULL)
    {
      crm_form_window_show_save_error (CRM_FORM_WINDOW (self), error ? error->message : NULL);
      return;
    }
  dialog = crm_opportunity_dialog_new (GTK_WINDOW (self), store, customer);
  crm_opportunity_dialog_set_campaign (CRM_OPPORTUNITY_DIALOG (dialog), self->campaign_id);
  g_signal_connect_object (dialog, "queued", G_CALLBACK (opportunity_queued_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ------------------------------------------------------------------ */

static void
crm_outcome_dialog_finalize (GObject *object)
{
  CrmOutcomeDialog *self = CRM_OUTCOME_DIALOG (object);

  g_free (self->campaign_id);
  g_free (self->customer_id);
  g_clear_pointer (&self->member, json_object_unref);
  g_strfreev (self->channels);
  g_clear_pointer (&self->links, g_array_unref);
  g_free (self->contacted_shown);
  g_free (self->responded_shown);
  g_free (self->initial);

  G_OBJECT_CLASS (crm_outcome_dialog_parent_class)->finalize (object);
}

static void
crm_outcome_dialog_class_init (CrmOutcomeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  CrmFormWindowClass *form_class = CRM_FORM_WINDOW_CLASS (klass);

  object_class->finalize = crm_outcome_dialog_finalize;
  form_class->entity = CRM_ENTITY_CAMPAIGN_MEMBER;
  form_class->discard_heading = N_("Discard this outcome?");
  form_class->check = crm_outcome_dialog_check;
  form_class->has_changes = crm_outcome_dialog_has_changes;
  form_class->dup_fields = crm_outcome_dialog_form_dup_fields;

  crm_form_window_class_set_template (widget_class, "/org/keylinecrm/Keyline/crm-outcome-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, campaign_label);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, customer_label);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, offer_label);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, response_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, channel_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, contacted_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, responded_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, when_error);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, link_group);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, link_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeDialog, link_note);
  gtk_widget_class_bind_template_callback (widget_class, response_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choice_changed_cb);

  gtk_widget_class_install_action (widget_class, "outcome.new-opportunity", NULL, new_opportunity_action);
}

static void
crm_outcome_dialog_init (CrmOutcomeDialog *self)
{
  g_autoptr(GtkStringList) responses = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->links = g_array_new (FALSE, TRUE, sizeof (Link));
  g_array_set_clear_func (self->links, link_clear);
  for (guint i = 0; i < G_N_ELEMENTS (offered); i++)
    gtk_string_list_append (responses, crm_vocabulary_label_at (crm_member_response_names, offered[i]));
  adw_combo_row_set_model (self->response_row, G_LIST_MODEL (responses));
}

/* The member's time @field as the row shows it; now when it has none. */
static char *
shown_time (JsonObject *member,
            const char *field)
{
  const char *iso = text_member (member, field);
  g_autoptr(GDateTime) at = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;

  if (at == NULL)
    at = g_date_time_new_now_local ();
  return crm_form_format_local_time (at);
}

/* The channel row: the campaign's channels, and the member's own should
 * it not be one of them. */
static void
fill_channels (CrmOutcomeDialog   *self,
               const char * const *campaign_channels)
{
  const char *mine = text_member (self->member, "channel");
  const char *queue = text_member (self->member, "queue");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint chosen = 0;

  for (guint i = 0; campaign_channels[i] != NULL; i++)
    g_strv_builder_add (builder, campaign_channels[i]);
  if (mine != NULL && !g_strv_contains (campaign_channels, mine))
    g_strv_builder_add (builder, mine);
  self->channels = g_strv_builder_end (builder);
  if (self->channels[0] == NULL)
    {
      /* a campaign not (yet) here: every channel */
      g_strfreev (self->channels);
      self->channels = g_strdupv ((char **) crm_channel_kind_names);
    }
  for (guint i = 0; self->channels[i] != NULL; i++)
    {
      gtk_string_list_append (labels, crm_vocabulary_label (crm_channel_kind_names, self->channels[i]));
      if (g_strcmp0 (self->channels[i], mine ? mine : queue) == 0)
        chosen = i;
    }
  adw_combo_row_set_model (self->channel_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->channel_row, chosen);
}

static void
fill (CrmOutcomeDialog *self,
      CrmCampaignTask  *task)
{
  const char *response = text_member (self->member, "response");
  int r = response ? crm_wire_lookup (crm_member_response_names, response) : -1;
  const char *offer = crm_campaign_task_get_campaign_field (task, "offer");
  const char *due = crm_campaign_task_get_due (task);
  g_autofree char *title = crm_campaign_task_dup_title (task);
  g_autofree char *about = NULL;
  g_autofree char *offer_text = NULL;

  gtk_label_set_label (self->campaign_label, title);
  /* TRANSLATORS: in the outcome dialog: the customer, and when the campaign ends */
  about = g_strdup_printf (_("%s · due %s"), crm_campaign_task_get_customer_name (task)
                           ? crm_campaign_task_get_customer_name (task) : _("A customer not on this computer"),
                           due ? due : "—");
  gtk_label_set_label (self->customer_label, about);
  if (offer != NULL)
    /* TRANSLATORS: the campaign's offer to the customer */
    offer_text = g_strdup_printf (_("Offer: %s"), offer);
  gtk_label_set_label (self->offer_label, offer_text ? offer_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->offer_label), offer_text != NULL);

  fill_channels (self, crm_campaign_task_get_channels (task));
  for (guint i = 0; i < G_N_ELEMENTS (offered); i++)
    if ((int) offered[i] == r)
      adw_combo_row_set_selected (self->response_row, i);
  self->contacted_shown = shown_time (self->member, "contacted_at");
  gtk_editable_set_text (GTK_EDITABLE (self->contacted_row), self->contacted_shown);
  if (text_member (self->member, "responded_at") != NULL || (r >= 0 && answered ((CrmMemberResponse) r)))
    self->responded_shown = shown_time (self->member, "responded_at");
  else
    self->responded_shown = g_strdup ("");
  gtk_editable_set_text (GTK_EDITABLE (self->responded_row), self->responded_shown);
  show_rows (self);
}

GtkWidget *
crm_outcome_dialog_new (GtkWindow  *parent,
                        CrmStore   *store,
                        const char *campaign_id,
                        const char *customer_id)
{
  CrmOutcomeDialog *self;
  g_autoptr(CrmCampaignTask) task = NULL;
  g_autofree char *key = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (campaign_id != NULL && customer_id != NULL, NULL);

  task = crm_campaign_task_read_one (store, campaign_id, customer_id, NULL);
  if (task == NULL)
    return NULL;
  self = g_object_new (CRM_TYPE_OUTCOME_DIALOG, "transient-for", parent, NULL);
  self->campaign_id = g_strdup (campaign_id);
  self->customer_id = g_strdup (customer_id);
  self->member = json_object_ref (crm_campaign_task_get_member (task));
  key = crm_campaign_task_key_of (campaign_id, customer_id);
  crm_form_window_set_record (CRM_FORM_WINDOW (self), key);
  fill (self, task);
  /* set last: the rows' signals while filling are not the user's */
  crm_form_window_set_store (CRM_FORM_WINDOW (self), store);
  fill_links (self, NULL);
  show_rows (self);
  self->initial = form_state (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->response_row));
  return GTK_WIDGET (self);
}

/* Sets @field to @value (NULL: null) in @fields when the member has
 * another value. */
static void
set_if_changed (CrmOutcomeDialog *self,
                JsonObject       *fields,
                const char       *field,
                const char       *value)
{
  if (g_strcmp0 (text_member (self->member, field), value) == 0)
    return;
  if (value == NULL)
    json_object_set_null_member (fields, field);
  else
    json_object_set_string_member (fields, field, value);
}

/* The time typed in @row, as RFC 3339, when it is not what the row showed
 * at first (the member's, to the minute); else the member's own. */
static char *
time_value (CrmOutcomeDialog *self,
            AdwEntryRow      *row,
            const char       *shown,
            const char       *field)
{
  g_autofree char *text = crm_form_dup_text (GTK_EDITABLE (row));
  g_autoptr(GDateTime) at = NULL;

  if (g_strcmp0 (text, shown) == 0 && text_member (self->member, field) != NULL)
    return g_strdup (text_member (self->member, field));
  at = crm_form_parse_local_time (text);
  return at ? g_date_time_format_iso8601 (at) : NULL;
}

JsonObject *
crm_outcome_dialog_dup_fields (CrmOutcomeDialog  *self,
                               GError           **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  CrmMemberResponse response;
  guint channel;
  const Link *link;

  g_return_val_if_fail (CRM_IS_OUTCOME_DIALOG (self), NULL);

  response = selected_response (self);
  channel = adw_combo_row_get_selected (self->channel_row);
  link = response == CRM_RESPONSE_CONVERTED ? selected_link (self) : NULL;
  set_if_changed (self, fields, "response", crm_member_response_names[response]);
  if (channel < g_strv_length (self->channels))
    set_if_changed (self, fields, "channel", self->channels[channel]);
  if (response != CRM_RESPONSE_UNREACHABLE)
    {
      g_autofree char *at = time_value (self, self->contacted_row, self->contacted_shown, "contacted_at");

      if (at == NULL)
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, "contacted_at", "%s", _("Enter a date and time"));
          return NULL;
        }
      set_if_changed (self, fields, "contacted_at", at);
    }
  if (answered (response))
    {
      g_autofree char *at = time_value (self, self->responded_row, self->responded_shown, "responded_at");

      if (at == NULL)
        {
          crm_set_field_error (error, CRM_ERROR_INVALID, "responded_at", "%s", _("Enter a date and time"));
          return NULL;
        }
      set_if_changed (self, fields, "responded_at", at);
    }
  else
    set_if_changed (self, fields, "responded_at", NULL);
  /* one link at most (the server's campaign_members_one_link) */
  set_if_changed (self, fields, "opportunity_id",
                  link && g_str_equal (link->field, "opportunity_id") ? link->id : NULL);
  set_if_changed (self, fields, "subscription_id",
                  link && g_str_equal (link->field, "subscription_id") ? link->id : NULL);

  /* the entity table's checks, as the server will make them */
  if (json_object_get_size (fields) > 0 && !crm_fields_check_object (CRM_ENTITY_CAMPAIGN_MEMBER, FALSE, fields, error))
    return NULL;
  return g_steal_pointer (&fields);
}
