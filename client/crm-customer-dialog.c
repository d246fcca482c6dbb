#define G_LOG_DOMAIN "crm-customer-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-customer-dialog.h"
#include "crm-entity.h"
#include "crm-format.h"

/* A choice row: the wire words behind its labels. */
typedef struct
{
  const char *field;
  GPtrArray  *values;   /* of char *, in the row's order */
} Choice;

enum { KIND, INDUSTRY, REGION, TIER, CREDIT_RATING, N_CHOICES };

struct _CrmCustomerDialog
{
  AdwMessageDialog  parent_instance;

  CrmStore         *store;
  Choice            choices[N_CHOICES];

  /* Template widgets */
  AdwEntryRow      *name_row;
  GtkLabel         *name_message;
  AdwEntryRow      *name_en_row;
  GtkLabel         *name_en_message;
  AdwComboRow      *kind_row;
  AdwComboRow      *industry_row;
  AdwComboRow      *region_row;
  GtkLabel         *region_message;
  AdwComboRow      *tier_row;
  AdwComboRow      *credit_rating_row;
  GtkLabel         *error_label;
};

G_DEFINE_FINAL_TYPE (CrmCustomerDialog, crm_customer_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static AdwComboRow *
choice_row (CrmCustomerDialog *self,
            guint              choice)
{
  AdwComboRow *rows[N_CHOICES] = { self->kind_row, self->industry_row, self->region_row, self->tier_row,
                                   self->credit_rating_row };

  return rows[choice];
}

/* The wire word chosen, or NULL. */
static const char *
chosen (CrmCustomerDialog *self,
        guint              choice)
{
  guint selected = adw_combo_row_get_selected (choice_row (self, choice));
  GPtrArray *values = self->choices[choice].values;

  return values != NULL && selected < values->len ? values->pdata[selected] : NULL;
}

static char *
typed (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return text[0] != '\0' ? g_steal_pointer (&text) : NULL;
}

/* Shows why @value is not right for @field under @row; FALSE then. */
static gboolean
check_text (GtkWidget  *row,
            GtkLabel   *message,
            const char *field,
            const char *value,
            gboolean    touched)
{
  const CrmField *spec = crm_field_spec_lookup (CRM_ENTITY_CUSTOMER, field);
  gboolean valid = (value == NULL && !(spec->flags & CRM_FIELD_REQUIRED)) || crm_field_validate (spec, value, NULL);
  g_autofree char *problem = valid || !touched ? NULL : crm_field_problem (spec, value);

  gtk_label_set_label (message, problem ? problem : "");
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (message)), problem != NULL);
  if (problem != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE, -1);
    }
  else
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_STATE_INVALID);
    }
  return valid;
}

static gboolean
check (CrmCustomerDialog *self)
{
  g_autofree char *name = typed (self->name_row);
  g_autofree char *name_en = typed (self->name_en_row);
  /* the name says so only once something was typed in it */
  gboolean touched = gtk_editable_get_text (GTK_EDITABLE (self->name_row))[0] != '\0';
  gboolean valid = TRUE;

  /* still being filled */
  for (guint i = 0; i < N_CHOICES; i++)
    if (self->choices[i].values == NULL)
      return FALSE;
  valid &= check_text (GTK_WIDGET (self->name_row), self->name_message, "name", name, touched);
  valid &= check_text (GTK_WIDGET (self->name_en_row), self->name_en_message, "name_en", name_en, TRUE);
  for (guint i = 0; i < N_CHOICES; i++)
    valid &= chosen (self, i) != NULL;
  gtk_label_set_label (self->region_message, self->choices[REGION].values->len == 0
                                             ? _("No region is known here yet: sync first") : "");
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->region_message)),
                          self->choices[REGION].values->len == 0);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "create", valid);
  return valid;
}

static void
changed_cb (CrmCustomerDialog *self)
{
  check (self);
}

/* Fills a choice row from @values (wire words) and @labels. */
static void
fill (CrmCustomerDialog *self,
      guint              choice,
      const char        *field,
      GPtrArray         *values,
      GPtrArray         *labels,
      guint              selected)
{
  GtkStringList *model = gtk_string_list_new (NULL);
  AdwComboRow *row = choice_row (self, choice);

  for (guint i = 0; i < labels->len; i++)
    gtk_string_list_append (model, labels->pdata[i]);
  self->choices[choice].field = field;
  self->choices[choice].values = values;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), crm_field_label (CRM_ENTITY_CUSTOMER, field));
  adw_combo_row_set_model (row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (row, MIN (selected, MAX (labels->len, 1) - 1));
  g_object_unref (model);
}

/* A closed vocabulary: its words and their labels. */
static void
fill_vocabulary (CrmCustomerDialog   *self,
                 guint                choice,
                 const char          *field,
                 const char * const  *names,
                 const char         *(*label_for) (const char *),
                 const char          *preferred)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint selected = 0;

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_strcmp0 (names[i], preferred) == 0)
        selected = i;
      g_ptr_array_add (values, g_strdup (names[i]));
      g_ptr_array_add (labels, (gpointer) (label_for ? label_for (names[i]) : names[i]));
    }
  fill (self, choice, field, values, labels, selected);
}

static gint
by_name (gconstpointer a,
         gconstpointer b,
         gpointer      user_data)
{
  GHashTable *names = user_data;

  return g_utf8_collate (g_hash_table_lookup (names, *(char **) a), g_hash_table_lookup (names, *(char **) b));
}

/* The regions of the customers here, by name; the one most of them are
 * in first chosen. */
static void
fill_regions (CrmCustomerDialog *self)
{
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  guint best = 0, best_count = 0;

  items = crm_store_list_customer_items (self->store, &error);
  if (items == NULL)
    g_warning ("Cannot read the regions: %s", error->message);
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const char *id = crm_customer_item_get_region_id (items->pdata[i]);
      const char *name = crm_customer_item_get_region_name (items->pdata[i]);

      if (id == NULL || id[0] == '\0' || name == NULL || name[0] == '\0')
        continue;
      if (!g_hash_table_contains (names, id))
        {
          g_hash_table_insert (names, g_strdup (id), g_strdup (name));
          g_ptr_array_add (values, g_strdup (id));
        }
      g_hash_table_insert (counts, (gpointer) g_intern_string (id),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, id)) + 1));
    }
  g_ptr_array_sort_with_data (values, by_name, names);
  for (guint i = 0; i < values->len; i++)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, values->pdata[i]));

      g_ptr_array_add (labels, g_hash_table_lookup (names, values->pdata[i]));
      if (n > best_count)
        {
          best = i;
          best_count = n;
        }
    }
  fill (self, REGION, "region_id", values, labels, best);
}

static void
response_cb (CrmCustomerDialog *self,
             const char        *response)
{
  if (g_strcmp0 (response, "create") == 0)
    g_free (crm_customer_dialog_create (self));
}

static void
crm_customer_dialog_dispose (GObject *object)
{
  CrmCustomerDialog *self = CRM_CUSTOMER_DIALOG (object);

  g_clear_object (&self->store);
  for (guint i = 0; i < N_CHOICES; i++)
    g_clear_pointer (&self->choices[i].values, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (object), CRM_TYPE_CUSTOMER_DIALOG);

  G_OBJECT_CLASS (crm_customer_dialog_parent_class)->dispose (object);
}

static void
crm_customer_dialog_class_init (CrmCustomerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_customer_dialog_dispose;

  /**
   * CrmCustomerDialog::created:
   * @id: the new customer's id
   */
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-customer-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, name_message);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, name_en_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, name_en_message);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, industry_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, region_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, region_message);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, tier_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, credit_rating_row);
  gtk_widget_class_bind_template_child (widget_class, CrmCustomerDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
}

static void
crm_customer_dialog_init (CrmCustomerDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), crm_field_label (CRM_ENTITY_CUSTOMER, "name"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_en_row),
                                 crm_field_label (CRM_ENTITY_CUSTOMER, "name_en"));
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->name_row), GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE,
                                  self->name_message, -1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->name_en_row), GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE,
                                  self->name_en_message, -1);
  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
}

GtkWidget *
crm_customer_dialog_new (GtkWindow *parent,
                         CrmStore  *store)
{
  CrmCustomerDialog *self;

  g_return_val_if_fail (CRM_IS_STORE (store), NULL);

  self = g_object_new (CRM_TYPE_CUSTOMER_DIALOG, "transient-for", parent, "modal", TRUE, NULL);
  self->store = g_object_ref (store);
  fill_vocabulary (self, KIND, "kind", crm_customer_kind_names, crm_customer_kind_label_for, "sme");
  fill_vocabulary (self, INDUSTRY, "industry", crm_industry_names, crm_industry_label_for, NULL);
  fill_regions (self);
  fill_vocabulary (self, TIER, "tier", crm_tier_names, crm_tier_label_for, "standard");
  /* the database's own default rating for a new customer */
  fill_vocabulary (self, CREDIT_RATING, "credit_rating", crm_credit_rating_names, NULL, "BBB");
  check (self);
  return GTK_WIDGET (self);
}

GtkWidget *
crm_customer_dialog_get_row (CrmCustomerDialog *self,
                             const char        *field)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_DIALOG (self), NULL);

  if (g_strcmp0 (field, "name") == 0)
    return GTK_WIDGET (self->name_row);
  if (g_strcmp0 (field, "name_en") == 0)
    return GTK_WIDGET (self->name_en_row);
  for (guint i = 0; i < N_CHOICES; i++)
    if (g_strcmp0 (self->choices[i].field, field) == 0)
      return GTK_WIDGET (choice_row (self, i));
  return NULL;
}

const char *
crm_customer_dialog_get_field_message (CrmCustomerDialog *self,
                                       const char        *field)
{
  GtkLabel *label = NULL;

  g_return_val_if_fail (CRM_IS_CUSTOMER_DIALOG (self), NULL);

  if (g_strcmp0 (field, "name") == 0)
    label = self->name_message;
  else if (g_strcmp0 (field, "name_en") == 0)
    label = self->name_en_message;
  else if (g_strcmp0 (field, "region_id") == 0)
    label = self->region_message;
  return label != NULL && gtk_widget_get_visible (gtk_widget_get_parent (GTK_WIDGET (label)))
         ? gtk_label_get_label (label) : NULL;
}

char *
crm_customer_dialog_create (CrmCustomerDialog *self)
{
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) mutation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *name_en = NULL;

  g_return_val_if_fail (CRM_IS_CUSTOMER_DIALOG (self), NULL);

  if (!check (self))
    {
      /* say what is missing, even for a name never typed */
      check_text (GTK_WIDGET (self->name_row), self->name_message, "name", NULL, TRUE);
      return NULL;
    }
  name = typed (self->name_row);
  name_en = typed (self->name_en_row);
  json_object_set_string_member (fields, "name", name);
  if (name_en != NULL)
    json_object_set_string_member (fields, "name_en", name_en);
  for (guint i = 0; i < N_CHOICES; i++)
    json_object_set_string_member (fields, self->choices[i].field, chosen (self, i));
  json_object_set_string_member (fields, "status", "prospect");
  mutation = crm_store_enqueue_create (self->store, CRM_ENTITY_CUSTOMER, NULL, fields, &error);
  if (mutation == NULL)
    {
      g_warning ("Cannot queue the new customer: %s", error->message);
      gtk_label_set_label (self->error_label, _("The customer could not be made here"));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return NULL;
    }
  g_signal_emit (self, signals[CREATED], 0, mutation->record_id);
  return g_strdup (mutation->record_id);
}
