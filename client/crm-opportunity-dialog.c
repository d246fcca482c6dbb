#define G_LOG_DOMAIN "crm-opportunity-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-date.h"
#include "crm-error.h"
#include "crm-form.h"
#include "crm-money.h"
#include "crm-opportunity-dialog.h"
#include "crm-vocabulary.h"

/* The stages a new opportunity may start at: the open ones. */
#define N_OPEN_STAGES (CRM_STAGE_NEGOTIATION + 1)
/* Neither the vocabulary nor the database gives a stage its probability. */
#define DEFAULT_PROBABILITY 10

struct _CrmOpportunityDialog
{
  CrmFormWindow  parent_instance;

  char          *customer_id;

  /* Template widgets */
  GtkLabel      *customer_label;
  AdwEntryRow   *name_row;
  GtkLabel      *name_error;
  AdwComboRow   *stage_row;
  AdwEntryRow   *amount_once_row;
  AdwEntryRow   *amount_monthly_row;
  GtkSpinButton *probability_spin;
  AdwEntryRow   *expected_close_row;
  GtkLabel      *amount_error;
  GtkLabel      *expected_close_error;
};

G_DEFINE_FINAL_TYPE (CrmOpportunityDialog, crm_opportunity_dialog, CRM_TYPE_FORM_WINDOW)

static char *
entry_text (AdwEntryRow *row)
{
  return crm_form_dup_text (GTK_EDITABLE (row));
}

static gboolean
crm_opportunity_dialog_has_changes (CrmFormWindow *form)
{
  CrmOpportunityDialog *self = CRM_OPPORTUNITY_DIALOG (form);
  AdwEntryRow *rows[] = { self->name_row, self->amount_once_row, self->amount_monthly_row, self->expected_close_row };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *text = entry_text (rows[i]);

      if (text[0])
        return TRUE;
    }
  return FALSE;
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

static gboolean
crm_opportunity_dialog_check (CrmFormWindow *form,
                              gboolean       tried)
{
  CrmOpportunityDialog *self = CRM_OPPORTUNITY_DIALOG (form);
  g_autofree char *name = entry_text (self->name_row);
  g_autofree char *once = entry_text (self->amount_once_row);
  g_autofree char *monthly = entry_text (self->amount_monthly_row);
  g_autofree char *close = entry_text (self->expected_close_row);
  g_autofree char *name_problem = crm_form_check_field (CRM_ENTITY_OPPORTUNITY, "name", name);
  g_autoptr(GDate) close_on = close[0] ? crm_date_parse ("expected_close", close, NULL) : NULL;
  const char *once_problem = NULL, *monthly_problem = NULL, *close_problem = NULL;
  gint64 fen;

  if (name[0] == '\0' && !tried)
    g_clear_pointer (&name_problem, g_free);
  if (!amount (once, &fen))
    once_problem = _("Enter an amount in yuan, such as 12800 or 12,800.50");
  if (!amount (monthly, &fen))
    monthly_problem = _("Enter an amount in yuan, such as 12800 or 12,800.50");
  if (close[0] && close_on == NULL)
    close_problem = _("Enter a date, such as 2026-12-10");

  crm_form_set_error (GTK_WIDGET (self->name_row), self->name_error, name_problem);
  crm_form_set_error (GTK_WIDGET (self->amount_monthly_row), self->amount_error, NULL);
  crm_form_set_error (GTK_WIDGET (self->amount_once_row), self->amount_error, NULL);
  if (once_problem != NULL)
    crm_form_set_error (GTK_WIDGET (self->amount_once_row), self->amount_error, once_problem);
  else if (monthly_problem != NULL)
    crm_form_set_error (GTK_WIDGET (self->amount_monthly_row), self->amount_error, monthly_problem);
  crm_form_set_error (GTK_WIDGET (self->expected_close_row), self->expected_close_error, close_problem);

  return name[0] != '\0' && name_problem == NULL && once_problem == NULL && monthly_problem == NULL &&
         close_problem == NULL;
}

static JsonObject *
crm_opportunity_dialog_form_dup_fields (CrmFormWindow  *form,
                                        GError        **error)
{
  return crm_opportunity_dialog_dup_fields (CRM_OPPORTUNITY_DIALOG (form), error);
}

static void
crm_opportunity_dialog_finalize (GObject *object)
{
  CrmOpportunityDialog *self = CRM_OPPORTUNITY_DIALOG (object);

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
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, amount_once_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, amount_monthly_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, probability_spin);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, expected_close_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, amount_error);
  gtk_widget_class_bind_template_child (widget_class, CrmOpportunityDialog, expected_close_error);
}

static void
crm_opportunity_dialog_init (CrmOpportunityDialog *self)
{
  g_autoptr(GtkStringList) stages = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < N_OPEN_STAGES; i++)
    gtk_string_list_append (stages, crm_vocabulary_label_at (crm_stage_names, i));
  adw_combo_row_set_model (self->stage_row, G_LIST_MODEL (stages));
  adw_combo_row_set_selected (self->stage_row, CRM_STAGE_PROSPECTING);
  gtk_spin_button_set_value (self->probability_spin, DEFAULT_PROBABILITY);
}

GtkWidget *
crm_opportunity_dialog_new (GtkWindow   *parent,
                            CrmStore    *store,
                            CrmCustomer *customer)
{
  CrmOpportunityDialog *self;
  g_autofree char *about = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (customer != NULL, NULL);

  self = g_object_new (CRM_TYPE_OPPORTUNITY_DIALOG, "transient-for", parent, NULL);
  crm_form_window_set_store (CRM_FORM_WINDOW (self), store);
  self->customer_id = g_strdup (customer->id);
  /* TRANSLATORS: under the New Opportunity title: the customer it is for */
  about = g_strdup_printf (_("For %s"), customer->name);
  gtk_label_set_label (self->customer_label, about);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return GTK_WIDGET (self);
}

JsonObject *
crm_opportunity_dialog_dup_fields (CrmOpportunityDialog  *self,
                                   GError               **error)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autofree char *name = entry_text (self->name_row);
  g_autofree char *once = entry_text (self->amount_once_row);
  g_autofree char *monthly = entry_text (self->amount_monthly_row);
  g_autofree char *close = entry_text (self->expected_close_row);
  guint stage = adw_combo_row_get_selected (self->stage_row);
  gint64 once_fen, monthly_fen;

  g_return_val_if_fail (CRM_IS_OPPORTUNITY_DIALOG (self), NULL);

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
  json_object_set_string_member (fields, "customer_id", self->customer_id);
  json_object_set_string_member (fields, "name", name);
  json_object_set_string_member (fields, "stage", stage < N_OPEN_STAGES ? crm_stage_names[stage] : "");
  json_object_set_int_member (fields, "amount_once", once_fen);
  json_object_set_int_member (fields, "amount_monthly", monthly_fen);
  json_object_set_int_member (fields, "probability", gtk_spin_button_get_value_as_int (self->probability_spin));
  if (close[0])
    json_object_set_string_member (fields, "expected_close", close);

  if (!crm_fields_check_object (CRM_ENTITY_OPPORTUNITY, TRUE, fields, error))
    return NULL;
  return g_steal_pointer (&fields);
}
