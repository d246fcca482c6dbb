#define G_LOG_DOMAIN "crm-opportunity-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-date.h"
#include "crm-error.h"
#include "crm-format.h"
#include "crm-money.h"
#include "crm-opportunity-dialog.h"
#include "crm-opportunity-item.h"
#include "crm-pipeline-stages.h"
#include "crm-vocabulary.h"

/* The stages a new opportunity may start at: the open ones. */
#define N_OPEN_STAGES (CRM_STAGE_NEGOTIATION + 1)

struct _CrmOpportunityDialog
{
  CrmFormWindow   parent_instance;

  char           *customer_id;
  JsonObject     *record;        /* being edited: as it was; NULL for a new one */
  guint           n_stages;      /* offered: the open ones for a new one, all to edit */
  int             defaults[CRM_N_STAGES];   /* each stage's default probability */
  GPtrArray      *campaign_ids;  /* of the campaign row's choices after "None" */
  GtkCheckButton *product_checks[CRM_N_PRODUCT_CATEGORIES];

  /* Template widgets */
  GtkLabel       *customer_label;
  AdwEntryRow    *name_row;
  GtkLabel       *name_error;
  AdwComboRow    *stage_row;
  AdwEntryRow    *lost_reason_row;
  GtkLabel       *lost_reason_error;
  AdwExpanderRow *products_row;
  AdwComboRow    *source_row;
  AdwComboRow    *campaign_row;
  AdwEntryRow    *next_step_row;
  GtkLabel       *source_error;
  GtkLabel       *next_step_error;
  AdwEntryRow    *amount_once_row;
  AdwEntryRow    *amount_monthly_row;
  GtkSpinButton  *contract_months_spin;
  GtkLabel       *total_label;
  GtkLabel       *amount_error;
  AdwActionRow   *probability_row;
  GtkCheckButton *probability_default_check;
  GtkSpinButton  *probability_spin;
  AdwEntryRow    *expected_close_row;
  GtkLabel       *expected_close_error;
};

G_DEFINE_FINAL_TYPE (CrmOpportunityDialog, crm_opportunity_dialog, CRM_TYPE_FORM_WINDOW)

static char *
entry_text (AdwEntryRow *row)
{
  return crm_form_dup_text (GTK_EDITABLE (row));
}

static const char *
member_text (JsonObject *o,
             const char *name)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
    ? json_node_get_string (node) : NULL;
}

static gint64
member_int (JsonObject *o,
            const char *name,
            gint64      missing)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : missing;
}

static CrmStage
selected_stage (CrmOpportunityDialog *self)
{
  guint stage = adw_combo_row_get_selected (self->stage_row);

  return stage < self->n_stages ? (CrmStage) stage : CRM_STAGE_PROSPECTING;
}

static CrmOpportunitySource
selected_source (CrmOpportunityDialog *self)
{
  guint source = adw_combo_row_get_selected (self->source_row);

  return source < CRM_N_OPPORTUNITY_SOURCES ? (CrmOpportunitySource) source : CRM_SOURCE_DIRECT;
}

/* An amount in yuan as fen: "" is nothing (0); FALSE for what is not an
 * amount of money the entity table allows (negative, three decimals). */
static gboolean
amount (const char *text,
        gint64     *fen)
{
  const CrmField *spec = crm_field_spec_lookup (CRM_ENTITY_OPPORTUNITY, "amount_once");
  g_autofree char *digits = NULL;

  *fen = 0;
  if (text[0] == '\0')
    return TRUE;
  if (!crm_money_parse (text, fen, NULL))
    return FALSE;
  digits = g_strdup_printf ("%" G_GINT64_FORMAT, *fen);
  return crm_field_validate (spec, digits, NULL);
}

/* The total contract value as it is typed, or "—" while an amount is not
 * one. */
static void
show_total (CrmOpportunityDialog *self)
{
  g_autofree char *once = entry_text (self->amount_once_row);
  g_autofree char *monthly = entry_text (self->amount_monthly_row);
  gint64 once_fen, monthly_fen;
  g_autofree char *total = NULL;

  if (amount (once, &once_fen) && amount (monthly, &monthly_fen))
    total = crm_format_money (crm_opportunity_amount (once_fen, monthly_fen,
                                                      gtk_spin_button_get_value_as_int (self->contract_months_spin)));
  gtk_label_set_label (self->total_label, total ? total : "—");
}

/* Under the probability: what the chosen stage gives without an override. */
static void
show_stage_default (CrmOpportunityDialog *self)
{
  int probability = self->defaults[selected_stage (self)];
  g_autofree char *subtitle = NULL;

  /* TRANSLATORS: under Probability: the chosen stage's own probability */
  subtitle = g_strdup_printf (_("Stage default: %d%%"), probability);
  adw_action_row_set_subtitle (self->probability_row, subtitle);
  if (gtk_check_button_get_active (self->probability_default_check))
    gtk_spin_button_set_value (self->probability_spin, probability);
}

static void
show_products (CrmOpportunityDialog *self)
{
  g_autoptr(GString) chosen = g_string_new (NULL);

  for (guint i = 0; i < CRM_N_PRODUCT_CATEGORIES; i++)
    if (gtk_check_button_get_active (self->product_checks[i]))
      {
        if (chosen->len > 0)
          /* TRANSLATORS: between the products of an opportunity */
          g_string_append (chosen, _(", "));
        g_string_append (chosen, crm_vocabulary_label_at (crm_product_category_names, i));
      }
  adw_expander_row_set_subtitle (self->products_row, chosen->len ? chosen->str : _("None"));
}

static gboolean
crm_opportunity_dialog_check (CrmFormWindow *form,
                              gboolean       tried)
{
  CrmOpportunityDialog *self = CRM_OPPORTUNITY_DIALOG (form);
  g_autofree char *name = entry_text (self->name_row);
  g_autofree char *reason = entry_text (self->lost_reason_row);
  g_autofree char *once = entry_text (self->amount_once_row);
  g_autofree char *monthly = entry_text (self->amount_monthly_row);
  g_autofree char *close = entry_text (self->expected_close_row);
  g_autofree char *step = entry_text (self->next_step_row);
  g_autofree char *name_problem = crm_form_check_field (CRM_ENTITY_OPPORTUNITY, "name", name);
  g_autofree char *reason_problem = NULL;
  g_autofree char *step_problem = crm_form_check_field (CRM_ENTITY_OPPORTUNITY, "next_step", step);
  g_autoptr(GDate) close_on = close[0] ? crm_date_parse ("expected_close", close, NULL) : NULL;
  const char *once_problem = NULL, *monthly_problem = NULL, *close_problem = NULL;
  gint64 fen;

  if (name[0] == '\0' && !tried)
    g_clear_pointer (&name_problem, g_free);
  if (selected_stage (self) == CRM_STAGE_LOST)
    {
      reason_problem = crm_form_check_field (CRM_ENTITY_OPPORTUNITY, "lost_reason", reason);
      if (reason_problem == NULL && reason[0] == '\0' && tried)
        reason_problem = g_strdup (_("Say why it was lost"));
    }
  if (!amount (once, &fen))
    once_problem = _("Enter an amount in yuan, such as 12800 or 12,800.50");
  if (!amount (monthly, &fen))
    monthly_problem = _("Enter an amount in yuan, such as 12800 or 12,800.50");
  if (close[0] && close_on == NULL)
    close_problem = _("Enter a date, such as 2026-12-10");

  crm_form_set_error (GTK_WIDGET (self->name_row), self->name_error, name_problem);
  crm_form_set_error (GTK_WIDGET (self->lost_reason_row), self->lost_reason_error, reason_problem);
  crm_form_set_error (GTK_WIDGET (self->next_step_row), self->next_step_error, step_problem);
  crm_form_set_error (GTK_WIDGET (self->amount_monthly_row), self->amount_error, NULL);
  crm_form_set_error (GTK_WIDGET (self->amount_once_row), self->amount_error, NULL);
  if (once_problem != NULL)
    crm_form_set_error (GTK_WIDGET (self->amount_once_row), self->amount_error, once_problem);
  else if (monthly_problem != NULL)
    crm_form_set_error (GTK_WIDGET (self->amount_monthly_row), self->amount_error, monthly_problem);
  crm_form_set_error (GTK_WIDGET (self->expected_close_row), self->expected_close_error, close_problem);
  show_total (self);

  return name[0] != '\0' && name_problem == NULL && reason_problem == NULL && step_problem == NULL &&
         once_problem == NULL && monthly_problem == NULL && close_problem == NULL &&
         (selected_stage (self) != CRM_STAGE_LOST || reason[0] != '\0');
}

/* Every writable field as the form has it, empty ones null, or NULL (and
 * the first problem). */
static JsonObject *
form_fields (CrmOpportunityDialog  *self,
             GError               **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *name = entry_text (self->name_row);
  g_autofree char *reason = entry_text (self->lost_reason_row);
  g_autofree char *once = entry_text (self->amount_once_row);
  g_autofree char *monthly = entry_text (self->amount_monthly_row);
  g_autofree char *close = entry_text (self->expected_close_row);
  g_autofree char *step = entry_text (self->next_step_row);
  CrmStage stage = selected_stage (self);
  CrmOpportunitySource source = selected_source (self);
  guint campaign = adw_combo_row_get_selected (self->campaign_row);
  JsonArray *products = json_array_new ();
  gint64 once_fen, monthly_fen;

  json_object_set_array_member (fields, "product_lines", products);
  if (!amount (once, &once_fen))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "amount_once", "%s", _("Enter an amount in yuan"));
      return NULL;
    }
  if (!amount (monthly, &monthly_fen))
    {
      crm_set_field_error (error, CRM_ERROR_INVALID, "amount_monthly", "%s", _("Enter an amount in yuan"));
      return NULL;
    }
  json_object_set_string_member (fields, "name", name);
  json_object_set_string_member (fields, "stage", crm_stage_names[stage]);
  if (stage == CRM_STAGE_LOST)
    json_object_set_string_member (fields, "lost_reason", reason);
  for (guint i = 0; i < CRM_N_PRODUCT_CATEGORIES; i++)
    if (gtk_check_button_get_active (self->product_checks[i]))
      json_array_add_string_element (products, crm_product_category_names[i]);
  json_object_set_string_member (fields, "source", crm_opportunity_source_names[source]);
  if (source == CRM_SOURCE_CAMPAIGN && campaign > 0 && campaign <= self->campaign_ids->len)
    json_object_set_string_member (fields, "campaign_id", self->campaign_ids->pdata[campaign - 1]);
  else
    json_object_set_null_member (fields, "campaign_id");
  if (step[0])
    json_object_set_string_member (fields, "next_step", step);
  else
    json_object_set_null_member (fields, "next_step");
  json_object_set_int_member (fields, "amount_once", once_fen);
  json_object_set_int_member (fields, "amount_monthly", monthly_fen);
  json_object_set_int_member (fields, "contract_months", gtk_spin_button_get_value_as_int (self->contract_months_spin));
  /* null: the stage's default, whatever it becomes */
  if (gtk_check_button_get_active (self->probability_default_check))
    json_object_set_null_member (fields, "probability");
  else
    json_object_set_int_member (fields, "probability", gtk_spin_button_get_value_as_int (self->probability_spin));
  if (close[0])
    json_object_set_string_member (fields, "expected_close", close);
  else
    json_object_set_null_member (fields, "expected_close");
  return g_steal_pointer (&fields);
}

static gboolean
is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* Two lists of words hold the same ones, in any order. */
static gboolean
same_words (JsonArray *a,
            JsonArray *b)
{
  if (json_array_get_length (a) != json_array_get_length (b))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *word = json_array_get_string_element (a, i);
      gboolean found = FALSE;

      for (guint j = 0; j < json_array_get_length (b) && !found; j++)
        found = g_strcmp0 (word, json_array_get_string_element (b, j)) == 0;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

static gboolean
same_value (JsonNode *was,
            JsonNode *now)
{
  if (is_null (was) || is_null (now))
    return is_null (was) && is_null (now);
  if (JSON_NODE_HOLDS_ARRAY (was) && JSON_NODE_HOLDS_ARRAY (now))
    return same_words (json_node_get_array (was), json_node_get_array (now));
  return json_node_equal (was, now);
}

/* The members of @fields that differ from the record being edited. */
static JsonObject *
changed_fields (CrmOpportunityDialog *self,
                JsonObject           *fields)
{
  JsonObject *changed = json_object_new ();
  g_autoptr(GList) names = json_object_get_members (fields);

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *now = json_object_get_member (fields, l->data);

      if (!same_value (json_object_get_member (self->record, l->data), now))
        json_object_set_member (changed, l->data, json_node_copy (now));
    }
  return changed;
}

static gboolean
crm_opportunity_dialog_has_changes (CrmFormWindow *form)
{
  CrmOpportunityDialog *self = CRM_OPPORTUNITY_DIALOG (form);
  AdwEntryRow *rows[] = { self->name_row, self->lost_reason_row, self->next_step_row, self->amount_once_row,
                          self->amount_monthly_row, self->expected_close_row };
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(JsonObject) changed = NULL;

  if (self->record == NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        {
          g_autofree char *text = entry_text (rows[i]);

          if (text[0])
            return TRUE;
        }
      for (guint i = 0; i < CRM_N_PRODUCT_CATEGORIES; i++)
        if (gtk_check_button_get_active (self->product_checks[i]))
          return TRUE;
      return FALSE;
    }
  fields = form_fields (self, NULL);
  if (fields == NULL)
    return TRUE;      /* an amount that is none: something was typed */
  changed = changed_fields (self, fields);
  return json_object_get_size (changed) > 0;
}

static JsonObject *
crm_opportunity_dialog_form_dup_fields (CrmFormWindow  *form,
                                        GError        **error)
{
  return crm_opportunity_dialog_dup_fields (CRM_OPPORTUNITY_DIALOG (form), error);
}

/* The template's signals come while it is built, before the store is
 * set: the form is not set up until then. */
static gboolean
set_up (CrmOpportunityDialog *self)
{
  return crm_form_window_get_store (CRM_FORM_WINDOW (self)) != NULL;
}

static void
stage_changed_cb (CrmOpportunityDialog *self)
{
  if (!set_up (self))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->lost_reason_row), selected_stage (self) == CRM_STAGE_LOST);
  show_stage_default (self);
  crm_form_window_changed (CRM_FORM_WINDOW (self));
}

static void
source_changed_cb (CrmOpportunityDialog *self)
{
  if (!set_up (self))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->campaign_row), selected_source (self) == CRM_SOURCE_CAMPAIGN);
  crm_form_window_changed (CRM_FORM_WINDOW (self));
}

static void
probability_default_toggled_cb (CrmOpportunityDialog *self)
{
  gboolean by_stage;

  if (!set_up (self))
    return;
  by_stage = gtk_check_button_get_active (self->probability_default_check);
  gtk_widget_set_sensitive (GTK_WIDGET (self->probability_spin), !by_stage);
  show_stage_default (self);
  crm_form_window_changed (CRM_FORM_WINDOW (self));
}

static void
product_toggled_cb (CrmOpportunityDialog *self)
{
  if (!set_up (self))
    return;
  show_products (self);
  crm_form_window_changed (CRM_FORM_WINDOW (self));
}

static void
crm_opportunity_dialog_finalize (GObject *object)
{
  CrmOpportunityDialog *self = CRM_OPPORTUNITY_DIALOG (object);

  g_clear_pointer (&self->record, json_object_unref);
  g_clear_pointer (&self->campaign_ids, g_ptr_array_unref);
  g_free (self->customer_id);

  G_OBJECT_CLASS (crm_opportunity_dialog_parent_class)->finalize (object);
}

static void
crm_opportunity_dialog_class_init (CrmOpportunityDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  CrmFormWindowClass *form_class = CRM_FORM_WINDOW_CLASS (klass);

  object_class->finalize = crm_opportunity_dialog_finalize;
  form_class->entity = CRM_ENTITY_OPPORTUNITY;
  form_class->discard_heading = N_("Discard this opportunity?");
  form_class->check = crm_opportunity_dialog_check;
  form_class->has_changes = crm_opportunity_dialog_has_changes;
  form_class->dup_fields = crm_opportunity_dialog_form_dup_fields;

  crm_form_window_class_set_template (widget_class, "/org/keylinecrm/Keyline/crm-opportunity-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, customer_label);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, stage_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, lost_reason_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, lost_reason_error);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, products_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, source_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, campaign_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, next_step_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, source_error);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, next_step_error);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, amount_once_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, amount_monthly_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, contract_months_spin);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, total_label);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, amount_error);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, probability_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, probability_default_check);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, probability_spin);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, expected_close_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, expected_close_error);
  gtk_widget_class_bind_template_callback (widget_class, stage_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, source_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, probability_default_toggled_cb);
}

static void
crm_opportunity_dialog_init (CrmOpportunityDialog *self)
{
  g_autoptr(GtkStringList) sources = crm_form_labels_of (crm_opportunity_source_names, CRM_N_OPPORTUNITY_SOURCES);

  gtk_widget_init_template (GTK_WIDGET (self));

  memcpy (self->defaults, crm_stage_initial_probability, sizeof self->defaults);
  self->campaign_ids = g_ptr_array_new_with_free_func (g_free);
  adw_combo_row_set_model (self->source_row, G_LIST_MODEL (sources));
  adw_combo_row_set_selected (self->source_row, CRM_SOURCE_DIRECT);
  for (guint i = 0; i < CRM_N_PRODUCT_CATEGORIES; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();

      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     crm_vocabulary_label_at (crm_product_category_names, i));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      crm_vocabulary_label_at (crm_product_category_names, i), -1);
      g_signal_connect_object (check, "toggled", G_CALLBACK (product_toggled_cb), self, G_CONNECT_SWAPPED);
      adw_expander_row_add_row (self->products_row, row);
      self->product_checks[i] = GTK_CHECK_BUTTON (check);
    }
  show_products (self);
}

/* What every mode reads from the store: the stages' defaults, the
 * campaigns, the customer's name; and the stages offered. */
static void
setup (CrmOpportunityDialog *self,
       CrmStore             *store,
       const char           *customer_id,
       const char           *customer_name,
       guint                 n_stages)
{
  g_autoptr(GtkStringList) stages = crm_form_labels_of (crm_stage_names, n_stages);
  g_autoptr(GtkStringList) campaigns = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) records = crm_store_get_records (store, CRM_ENTITY_CAMPAIGN, NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *about = NULL;

  crm_form_window_set_store (CRM_FORM_WINDOW (self), store);
  self->customer_id = g_strdup (customer_id);
  if (!crm_pipeline_stage_defaults (store, self->defaults, &error))
    g_warning ("The stages' probabilities could not be read: %s", error->message);
  gtk_string_list_append (campaigns, _("None"));
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      const char *name = member_text (records->pdata[i], "name");

      gtk_string_list_append (campaigns, name ? name : "");
      g_ptr_array_add (self->campaign_ids, g_strdup (member_text (records->pdata[i], "id")));
    }
  adw_combo_row_set_model (self->campaign_row, G_LIST_MODEL (campaigns));
  self->n_stages = n_stages;
  adw_combo_row_set_model (self->stage_row, G_LIST_MODEL (stages));
  adw_combo_row_set_selected (self->stage_row, CRM_STAGE_PROSPECTING);
  /* TRANSLATORS: under the opportunity dialog's title: the customer it is for */
  about = g_strdup_printf (_("For %s"), customer_name);
  gtk_label_set_label (self->customer_label, about);
  show_stage_default (self);
  show_total (self);
}

GtkWidget *
crm_opportunity_dialog_new (GtkWindow   *parent,
                            CrmStore    *store,
                            CrmCustomer *customer)
{
  CrmOpportunityDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (customer != NULL, NULL);

  self = g_object_new (CRM_TYPE_OPPORTUNITY_DIALOG, "transient-for", parent, NULL);
  setup (self, store, customer->id, customer->name, N_OPEN_STAGES);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return GTK_WIDGET (self);
}

static void
set_text (AdwEntryRow *row,
          const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
}

static void
set_money (AdwEntryRow *row,
           gint64       fen)
{
  g_autofree char *text = fen ? crm_money_format (fen, FALSE) : NULL;

  set_text (row, text);
}

/* Where campaign @id is among the campaign row's choices; one not in the
 * store (yet) is added, so that saving keeps it. */
static guint
campaign_choice (CrmOpportunityDialog *self,
                 const char           *id)
{
  GtkStringList *campaigns = GTK_STRING_LIST (adw_combo_row_get_model (self->campaign_row));

  for (guint i = 0; i < self->campaign_ids->len; i++)
    if (g_str_equal (id, self->campaign_ids->pdata[i]))
      return i + 1;
  g_ptr_array_add (self->campaign_ids, g_strdup (id));
  gtk_string_list_append (campaigns, _("A campaign not on this computer"));
  return self->campaign_ids->len;
}

/* A new opportunity that came from campaign @campaign_id: its source is
 * "campaign" and its campaign that one (the outcome dialog's New
 * Opportunity, issue 11). */
void
crm_opportunity_dialog_set_campaign (CrmOpportunityDialog *self,
                                     const char           *campaign_id)
{
  g_return_if_fail (CRM_IS_OPPORTUNITY_DIALOG (self));
  g_return_if_fail (campaign_id != NULL);

  adw_combo_row_set_selected (self->source_row, CRM_SOURCE_CAMPAIGN);
  adw_combo_row_set_selected (self->campaign_row, campaign_choice (self, campaign_id));
}

/* The form as @record has it. */
static void
fill (CrmOpportunityDialog *self,
      JsonObject           *record)
{
  int stage = crm_wire_lookup (crm_stage_names, member_text (record, "stage"));
  int source = crm_wire_lookup (crm_opportunity_source_names, member_text (record, "source"));
  JsonNode *products = json_object_get_member (record, "product_lines");
  const char *campaign_id = member_text (record, "campaign_id");
  gint64 probability = member_int (record, "probability", -1);

  set_text (self->name_row, member_text (record, "name"));
  adw_combo_row_set_selected (self->stage_row, stage >= 0 ? (guint) stage : CRM_STAGE_PROSPECTING);
  set_text (self->lost_reason_row, member_text (record, "lost_reason"));
  for (guint i = 0; products && JSON_NODE_HOLDS_ARRAY (products) && i < json_array_get_length (json_node_get_array (products)); i++)
    {
      int category = crm_wire_lookup (crm_product_category_names,
                                      json_array_get_string_element (json_node_get_array (products), i));

      if (category >= 0)
        gtk_check_button_set_active (self->product_checks[category], TRUE);
    }
  adw_combo_row_set_selected (self->source_row, source >= 0 ? (guint) source : CRM_SOURCE_DIRECT);
  if (campaign_id != NULL)
    adw_combo_row_set_selected (self->campaign_row, campaign_choice (self, campaign_id));
  set_text (self->next_step_row, member_text (record, "next_step"));
  set_money (self->amount_once_row, member_int (record, "amount_once", 0));
  set_money (self->amount_monthly_row, member_int (record, "amount_monthly", 0));
  gtk_spin_button_set_value (self->contract_months_spin,
                             member_int (record, "contract_months", CRM_OPPORTUNITY_DEFAULT_CONTRACT_MONTHS));
  gtk_check_button_set_active (self->probability_default_check, probability < 0);
  if (probability >= 0)
    gtk_spin_button_set_value (self->probability_spin, probability);
  set_text (self->expected_close_row, member_text (record, "expected_close"));
  show_stage_default (self);
  show_products (self);
  show_total (self);
}

GtkWidget *
crm_opportunity_dialog_new_for_edit (GtkWindow   *parent,
                                     CrmStore    *store,
                                     const char  *customer_id,
                                     const char  *opportunity_id,
                                     GError     **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(CrmCustomer) customer = NULL;
  CrmOpportunityDialog *self;
  JsonObject *record = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (customer_id != NULL && opportunity_id != NULL, NULL);

  records = crm_store_get_records (store, CRM_ENTITY_OPPORTUNITY, customer_id, error);
  if (records == NULL)
    return NULL;
  for (guint i = 0; i < records->len && record == NULL; i++)
    if (g_strcmp0 (member_text (records->pdata[i], "id"), opportunity_id) == 0)
      record = records->pdata[i];
  if (record == NULL)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND, _("This opportunity is no longer here"));
      return NULL;
    }
  customer = crm_store_get_customer (store, customer_id, NULL);

  self = g_object_new (CRM_TYPE_OPPORTUNITY_DIALOG, "transient-for", parent,
                       "title", _("Edit Opportunity"), NULL);
  setup (self, store, customer_id, customer ? customer->name : "", CRM_N_STAGES);
  crm_form_window_set_record (CRM_FORM_WINDOW (self), opportunity_id);
  self->record = json_object_ref (record);
  fill (self, record);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return GTK_WIDGET (self);
}

/**
 * crm_opportunity_dialog_new_for_remote_edit:
 * @server_record: the opportunity as the server sent it (GET
 *   /opportunities), which the store may not hold
 *
 * Edit Opportunity of @server_record: as the store has it when it holds
 * it (crm_opportunity_dialog_new_for_edit ()), else on the server's
 * record, saved with crm_store_enqueue_update_of_remote () (the changed
 * fields, their base values the server's).
 */
GtkWidget *
crm_opportunity_dialog_new_for_remote_edit (GtkWindow   *parent,
                                            CrmStore    *store,
                                            JsonObject  *server_record,
                                            GError     **error)
{
  const char *id = member_text (server_record, "id");
  const char *customer_id = member_text (server_record, "customer_id");
  const char *customer_name = member_text (server_record, "customer_name");
  g_autoptr(GError) local = NULL;
  CrmOpportunityDialog *self;
  GtkWidget *dialog;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (server_record != NULL, NULL);

  if (id == NULL || customer_id == NULL)
    {
      g_set_error (error, CRM_ERROR, CRM_ERROR_NOT_FOUND, _("This opportunity is no longer here"));
      return NULL;
    }
  dialog = crm_opportunity_dialog_new_for_edit (parent, store, customer_id, id, &local);
  if (dialog != NULL || !g_error_matches (local, CRM_ERROR, CRM_ERROR_NOT_FOUND))
    {
      if (dialog == NULL)
        g_propagate_error (error, g_steal_pointer (&local));
      return dialog;
    }

  self = g_object_new (CRM_TYPE_OPPORTUNITY_DIALOG, "transient-for", parent,
                       "title", _("Edit Opportunity"), NULL);
  setup (self, store, customer_id, customer_name ? customer_name : "", CRM_N_STAGES);
  crm_form_window_set_remote_record (CRM_FORM_WINDOW (self), server_record);
  self->record = json_object_ref (server_record);
  fill (self, server_record);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return GTK_WIDGET (self);
}

JsonObject *
crm_opportunity_dialog_dup_fields (CrmOpportunityDialog  *self,
                                   GError               **error)
{
  g_autoptr(JsonObject) fields = NULL;
  g_autoptr(GList) names = NULL;

  g_return_val_if_fail (CRM_IS_OPPORTUNITY_DIALOG (self), NULL);

  fields = form_fields (self, error);
  if (fields == NULL)
    return NULL;
  if (self->record != NULL)
    {
      g_autoptr(JsonObject) changed = changed_fields (self, fields);

      /* nothing changed: nothing to queue */
      if (json_object_get_size (changed) == 0)
        return g_steal_pointer (&changed);
      if (!crm_fields_check_object (CRM_ENTITY_OPPORTUNITY, FALSE, changed, error))
        return NULL;
      return g_steal_pointer (&changed);
    }
  /* a new one: what is empty is left to the server */
  names = json_object_get_members (fields);
  for (GList *l = names; l != NULL; l = l->next)
    if (JSON_NODE_HOLDS_NULL (json_object_get_member (fields, l->data)))
      json_object_remove_member (fields, l->data);
  json_object_set_string_member (fields, "customer_id", self->customer_id);
  if (!crm_fields_check_object (CRM_ENTITY_OPPORTUNITY, TRUE, fields, error))
    return NULL;
  return g_steal_pointer (&fields);
}
