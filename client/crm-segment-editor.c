#define G_LOG_DOMAIN "crm-segment-editor"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-error.h"
#include "crm-fields.h"
#include "crm-form.h"
#include "crm-format.h"
#include "crm-money.h"
#include "crm-segment-editor.h"
#include "crm-vocabulary.h"

/* Wait this long after the last change before asking for the count. */
#define PREVIEW_DELAY_MS 300
/* Matching customers shown under the count. */
#define SAMPLE_SIZE 5

typedef enum
{
  VALUE_WORDS,        /* some of @names */
  VALUE_TEXTS,        /* free words, comma-separated */
  VALUE_MONEY,        /* yuan, sent as fen */
  VALUE_MONEY_RANGE,  /* [low, high] in yuan */
  VALUE_NUMBER,       /* a whole number */
} ValueKind;

/* The conditions the server takes (server/crm-segment.c), as offered. */
typedef struct
{
  const char          *field;
  const char          *op;
  const char          *label;
  ValueKind            kind;
  const char * const  *names;
  const char        *(*label_for) (const char *word);
  const char          *unit;
} ConditionKind;

static const char *
product_label_for (const char *word)
{
  return crm_vocabulary_label (crm_product_category_names, word);
}

static const ConditionKind kinds[] = {
  { "status", "in", N_("Status is"), VALUE_WORDS, crm_customer_status_names, crm_customer_status_label_for },
  { "kind", "in", N_("Kind is"), VALUE_WORDS, crm_customer_kind_names, crm_customer_kind_label_for },
  { "industry", "in", N_("Industry is"), VALUE_WORDS, crm_industry_names, crm_industry_label_for },
  { "region", "in", N_("Region code is"), VALUE_TEXTS },
  { "tier", "in", N_("Tier is"), VALUE_WORDS, crm_tier_names, crm_tier_label_for },
  { "value_segment", "in", N_("Value segment is"), VALUE_WORDS, crm_value_segment_names, crm_value_segment_label_for },
  { "monthly_revenue", "gte", N_("Monthly revenue at least"), VALUE_MONEY },
  { "monthly_revenue", "lte", N_("Monthly revenue at most"), VALUE_MONEY },
  { "monthly_revenue", "between", N_("Monthly revenue between"), VALUE_MONEY_RANGE },
  { "arpu_trend", "rising", N_("ARPU rising by at least"), VALUE_NUMBER, .unit = "%" },
  { "arpu_trend", "falling", N_("ARPU falling by at least"), VALUE_NUMBER, .unit = "%" },
  { "arrears", "gte", N_("Arrears at least"), VALUE_MONEY },
  { "products", "holds", N_("Holds products"), VALUE_WORDS, crm_product_category_names, product_label_for },
  { "products", "lacks", N_("Holds none of"), VALUE_WORDS, crm_product_category_names, product_label_for },
  { "contract_end", "within_days", N_("Contract ends within"), VALUE_NUMBER, .unit = N_("days") },
  { "churn_risk", "gte", N_("Churn risk at least"), VALUE_NUMBER },
  { "last_contact", "older_than_days", N_("No contact for at least"), VALUE_NUMBER, .unit = N_("days") },
  { "prefers", "includes", N_("Prefers"), VALUE_TEXTS },
};

typedef struct _Condition Condition;

struct _CrmSegmentEditor
{
  AdwBin        parent_instance;

  CrmStore     *store;
  CrmApi       *api;
  gulong        store_handler;
  char         *segment_id;      /* the saved segment shown, or NULL */
  GPtrArray    *segment_ids;     /* of segment_row's choices after "New segment" */
  GPtrArray    *conditions;      /* of Condition */
  gboolean      editable;
  gboolean      dirty;
  gboolean      loading;         /* filling the rows: not the user's changes */
  gboolean      unsupported;     /* criteria the rows cannot show */
  JsonNode     *stored_criteria; /* a saved segment's, as it came */
  guint         preview_timeout;
  GCancellable *preview_cancellable;
  const char   *state;
  gint64        count;

  /* Template widgets */
  AdwComboRow  *segment_row;
  AdwEntryRow  *name_row;
  GtkLabel     *name_error;
  GtkLabel     *unsupported_label;
  GtkBox       *conditions_box;
  GtkButton    *add_button;
  GtkButton    *save_button;
  GtkLabel     *save_error;
  GtkSpinner   *spinner;
  GtkLabel     *count_label;
  GtkListBox   *sample_list;
};

G_DEFINE_FINAL_TYPE (CrmSegmentEditor, crm_segment_editor, ADW_TYPE_BIN)

enum {
  SAVED,
  SEGMENT_CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

struct _Condition
{
  CrmSegmentEditor *self;       /* unowned */
  GtkWidget        *root;       /* the line and its message */
  GtkDropDown      *joiner;
  GtkDropDown      *kind;
  GtkWidget        *value_box;
  GtkWidget        *entry;      /* texts, a number, a range's low end */
  GtkWidget        *entry_high; /* a range's high end */
  GtkMenuButton    *choices;    /* words */
  GPtrArray        *checks;     /* of GtkCheckButton, in the kind's names' order */
  GtkLabel         *error;
  char             *server_error;
};

static void schedule_preview (CrmSegmentEditor *self);
static void conditions_changed (CrmSegmentEditor *self);

static void
condition_free (Condition *c)
{
  GtkWidget *parent = gtk_widget_get_parent (c->root);

  if (parent != NULL)
    gtk_box_remove (GTK_BOX (parent), c->root);
  g_clear_pointer (&c->checks, g_ptr_array_unref);
  g_free (c->server_error);
  g_object_unref (c->root);
  g_free (c);
}

static const ConditionKind *
condition_kind (Condition *c)
{
  guint i = gtk_drop_down_get_selected (c->kind);

  return i < G_N_ELEMENTS (kinds) ? &kinds[i] : &kinds[0];
}

/* The words chosen, as the menu button says them. */
static void
update_choices_label (Condition *c)
{
  const ConditionKind *k = condition_kind (c);
  g_autoptr(GString) label = g_string_new (NULL);

  for (guint i = 0; i < c->checks->len; i++)
    if (gtk_check_button_get_active (c->checks->pdata[i]))
      {
        if (label->len > 0)
          /* TRANSLATORS: between the words a condition is any one of */
          g_string_append (label, _(", "));
        g_string_append (label, k->label_for (k->names[i]));
      }
  gtk_menu_button_set_label (c->choices, label->len ? label->str : _("Choose…"));
}

static void
condition_edited_cb (Condition *c)
{
  if (c->checks != NULL && c->choices != NULL)
    update_choices_label (c);
  g_clear_pointer (&c->server_error, g_free);
  conditions_changed (c->self);
}

static GtkWidget *
value_entry (Condition  *c,
             const char *name,
             const char *placeholder,
             const char *accessible)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_widget_set_name (entry, name);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 10);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (condition_edited_cb), c);
  gtk_box_append (GTK_BOX (c->value_box), entry);
  return entry;
}

static void
build_words (Condition               *c,
             const ConditionKind     *k)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  c->choices = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_widget_set_name (GTK_WIDGET (c->choices), "choices");
  gtk_widget_set_hexpand (GTK_WIDGET (c->choices), TRUE);
  c->checks = g_ptr_array_new ();
  for (guint i = 0; k->names[i] != NULL; i++)
    {
      GtkWidget *check = gtk_check_button_new_with_label (k->label_for (k->names[i]));

      gtk_widget_set_name (check, k->names[i]);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (condition_edited_cb), c);
      gtk_box_append (GTK_BOX (box), check);
      g_ptr_array_add (c->checks, check);
    }
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  gtk_menu_button_set_popover (c->choices, popover);
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->choices), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Values"), -1);
  gtk_box_append (GTK_BOX (c->value_box), GTK_WIDGET (c->choices));
  update_choices_label (c);
}

/* The value widgets for the kind chosen. */
static void
build_value (Condition *c)
{
  const ConditionKind *k = condition_kind (c);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (c->value_box)) != NULL)
    gtk_box_remove (GTK_BOX (c->value_box), child);
  c->entry = c->entry_high = NULL;
  c->choices = NULL;
  g_clear_pointer (&c->checks, g_ptr_array_unref);

  switch (k->kind)
    {
    case VALUE_WORDS:
      build_words (c, k);
      break;
    case VALUE_TEXTS:
      c->entry = value_entry (c, "value", _("Comma-separated"), _("Values"));
      break;
    case VALUE_MONEY:
      c->entry = value_entry (c, "value", _("Yuan"), _("Amount in yuan"));
      break;
    case VALUE_MONEY_RANGE:
      c->entry = value_entry (c, "value", _("From (yuan)"), _("From, in yuan"));
      c->entry_high = value_entry (c, "value-high", _("To (yuan)"), _("To, in yuan"));
      break;
    case VALUE_NUMBER:
      c->entry = value_entry (c, "value", _("Number"), _("Number"));
      break;
    default:
      g_assert_not_reached ();
    }
  if (k->unit != NULL)
    {
      GtkWidget *unit = gtk_label_new (_(k->unit));

      gtk_widget_add_css_class (unit, "dim-label");
      gtk_box_append (GTK_BOX (c->value_box), unit);
    }
}

static void
kind_changed_cb (Condition *c)
{
  build_value (c);
  condition_edited_cb (c);
}

static void
joiner_changed_cb (Condition *c)
{
  condition_edited_cb (c);
}

static void
remove_clicked_cb (Condition *c)
{
  CrmSegmentEditor *self = c->self;

  g_ptr_array_remove (self->conditions, c);
  self->dirty = TRUE;
  conditions_changed (self);
}

static GtkStringList *
kind_labels (void)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    gtk_string_list_append (list, _(kinds[i].label));
  return list;
}

static Condition *
condition_new (CrmSegmentEditor *self)
{
  static const char * const joiners[] = { N_("and"), N_("or"), NULL };
  Condition *c = g_new0 (Condition, 1);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  const char *joiner_labels[3] = { _(joiners[0]), _(joiners[1]), NULL };

  c->self = self;
  c->root = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_VERTICAL, 2));
  c->joiner = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (joiner_labels));
  gtk_widget_set_name (GTK_WIDGET (c->joiner), "joiner");
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->joiner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Joined to the condition before by"), -1);
  c->kind = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (kind_labels ()), NULL));
  gtk_widget_set_name (GTK_WIDGET (c->kind), "kind");
  gtk_accessible_update_property (GTK_ACCESSIBLE (c->kind), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Condition"), -1);
  c->value_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_hexpand (c->value_box, TRUE);
  gtk_widget_set_name (remove, "remove");
  gtk_widget_set_tooltip_text (remove, _("Remove Condition"));
  gtk_widget_add_css_class (remove, "flat");
  c->error = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (c->error), "error");
  gtk_label_set_xalign (c->error, 0);
  gtk_label_set_wrap (c->error, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (c->error), "error");
  gtk_widget_add_css_class (GTK_WIDGET (c->error), "caption");
  gtk_widget_set_visible (GTK_WIDGET (c->error), FALSE);

  gtk_box_append (GTK_BOX (line), GTK_WIDGET (c->joiner));
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (c->kind));
  gtk_box_append (GTK_BOX (line), c->value_box);
  gtk_box_append (GTK_BOX (line), remove);
  gtk_box_append (GTK_BOX (c->root), line);
  gtk_box_append (GTK_BOX (c->root), GTK_WIDGET (c->error));
  build_value (c);

  g_signal_connect_swapped (c->kind, "notify::selected", G_CALLBACK (kind_changed_cb), c);
  g_signal_connect_swapped (c->joiner, "notify::selected", G_CALLBACK (joiner_changed_cb), c);
  g_signal_connect_swapped (remove, "clicked", G_CALLBACK (remove_clicked_cb), c);
  return c;
}

/* ------------------------------------------------------------------ */
/* Criteria: from the rows, and into them                              */
/* ------------------------------------------------------------------ */

/* "1,234.50" yuan as fen; FALSE if it is not an amount. */
static gboolean
parse_yuan (const char *text,
            gint64     *fen)
{
  if (!crm_money_parse (text, fen, NULL))
    return FALSE;
  return *fen >= 0;
}

static gboolean
parse_number (const char *text,
              gint64     *n)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *n = (gint64) value;
  return TRUE;
}

static char *
entry_text (GtkWidget *entry)
{
  return crm_form_dup_text (GTK_EDITABLE (entry));
}

/* The condition's value: NULL with *@problem NULL when nothing is given
 * yet, NULL with *@problem set when what is given is not a value. */
static JsonNode *
condition_value (Condition  *c,
                 char      **problem)
{
  const ConditionKind *k = condition_kind (c);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *text = c->entry ? entry_text (c->entry) : NULL;
  gint64 n, high;

  *problem = NULL;
  switch (k->kind)
    {
    case VALUE_WORDS:
      {
        gboolean any = FALSE;

        json_builder_begin_array (b);
        for (guint i = 0; i < c->checks->len; i++)
          if (gtk_check_button_get_active (c->checks->pdata[i]))
            {
              json_builder_add_string_value (b, k->names[i]);
              any = TRUE;
            }
        json_builder_end_array (b);
        return any ? json_builder_get_root (b) : NULL;
      }
    case VALUE_TEXTS:
      {
        g_auto(GStrv) parts = g_strsplit (text, "，", -1);   /* a Chinese comma separates too */
        g_autofree char *normal = g_strjoinv (",", parts);
        g_auto(GStrv) words = g_strsplit (normal, ",", -1);
        gboolean any = FALSE;

        json_builder_begin_array (b);
        for (guint i = 0; words[i] != NULL; i++)
          if (*g_strstrip (words[i]) != '\0')
            {
              json_builder_add_string_value (b, words[i]);
              any = TRUE;
            }
        json_builder_end_array (b);
        return any ? json_builder_get_root (b) : NULL;
      }
    case VALUE_MONEY:
    case VALUE_NUMBER:
      if (text[0] == '\0')
        return NULL;
      if (k->kind == VALUE_MONEY ? !parse_yuan (text, &n) : !parse_number (text, &n))
        {
          *problem = g_strdup (k->kind == VALUE_MONEY ? _("Enter an amount in yuan, such as 1200 or 1200.50")
                                                      : _("Enter a whole number, 0 or more"));
          return NULL;
        }
      return json_node_init_int (json_node_alloc (), n);
    case VALUE_MONEY_RANGE:
      {
        g_autofree char *text_high = entry_text (c->entry_high);

        if (text[0] == '\0' || text_high[0] == '\0')
          return NULL;
        if (!parse_yuan (text, &n) || !parse_yuan (text_high, &high))
          {
            *problem = g_strdup (_("Enter amounts in yuan, such as 1200 or 1200.50"));
            return NULL;
          }
        json_builder_begin_array (b);
        json_builder_add_int_value (b, n);
        json_builder_add_int_value (b, high);
        json_builder_end_array (b);
        return json_builder_get_root (b);
      }
    default:
      g_assert_not_reached ();
    }
}

static gboolean
condition_joins_with_or (Condition *c)
{
  return gtk_drop_down_get_selected (c->joiner) == 1;
}

/* The JSON pointer (below the criteria) of condition @index as
 * build_criteria () places it. */
static char *
condition_pointer (CrmSegmentEditor *self,
                   guint             index)
{
  guint group = 0, first = 0, size;

  for (guint i = 1; i <= index; i++)
    if (!condition_joins_with_or (self->conditions->pdata[i]))
      {
        group++;
        first = i;
      }
  for (size = 1; first + size < self->conditions->len; size++)
    if (!condition_joins_with_or (self->conditions->pdata[first + size]))
      break;
  if (size == 1)
    return g_strdup_printf ("/all/%u", group);
  return g_strdup_printf ("/all/%u/any/%u", group, index - first);
}

/* The criteria, or NULL (and each row's problem shown) while a row is
 * incomplete or wrong. */
static JsonNode *
build_criteria (CrmSegmentEditor *self,
                gboolean         *incomplete)
{
  g_autoptr(JsonArray) all = json_array_new ();
  g_autoptr(JsonArray) group = NULL;
  gboolean ok = TRUE;

  *incomplete = FALSE;
  for (guint i = 0; i < self->conditions->len; i++)
    {
      Condition *c = self->conditions->pdata[i];
      const ConditionKind *k = condition_kind (c);
      g_autofree char *problem = NULL;
      JsonNode *value = condition_value (c, &problem);
      JsonObject *leaf;

      crm_form_set_error (c->value_box, c->error, problem ? problem : c->server_error);
      if (value == NULL)
        {
          ok = FALSE;
          *incomplete |= problem == NULL;
          continue;
        }
      if (i == 0 || !condition_joins_with_or (c))
        {
          if (group != NULL)
            json_array_add_element (all, json_node_init_array (json_node_alloc (), group));
          g_clear_pointer (&group, json_array_unref);
          group = json_array_new ();
        }
      leaf = json_object_new ();
      json_object_set_string_member (leaf, "field", k->field);
      json_object_set_string_member (leaf, "op", k->op);
      json_object_set_member (leaf, "value", value);
      json_array_add_object_element (group, leaf);
    }
  if (!ok || group == NULL)
    return NULL;
  json_array_add_element (all, json_node_init_array (json_node_alloc (), group));

  {
    g_autoptr(JsonArray) groups = json_array_new ();
    JsonObject *root = json_object_new ();

    for (guint g = 0; g < json_array_get_length (all); g++)
      {
        JsonArray *members = json_array_get_array_element (all, g);

        if (json_array_get_length (members) == 1)
          json_array_add_element (groups, json_node_copy (json_array_get_element (members, 0)));
        else
          {
            JsonObject *any = json_object_new ();

            json_object_set_array_member (any, "any", json_array_ref (members));
            json_array_add_object_element (groups, any);
          }
      }
    json_object_set_array_member (root, "all", g_steal_pointer (&groups));
    return json_node_init_object (json_node_alloc (), root);
  }
}

static void
set_entry (GtkWidget *entry,
           const char *text)
{
  if (entry != NULL)
    gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static char *
yuan_text (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return g_strdup ("");
  return crm_money_format (json_node_get_int (node), FALSE);
}

/* A row showing @leaf; FALSE if no kind offered takes it. */
static gboolean
add_leaf (CrmSegmentEditor *self,
          JsonObject       *leaf,
          gboolean          joins_with_or)
{
  const char *field = json_object_get_string_member_with_default (leaf, "field", "");
  const char *op = json_object_get_string_member_with_default (leaf, "op", "");
  int pos = crm_segment_editor_kind_position (field, op);
  JsonNode *value = json_object_get_member (leaf, "value");
  const ConditionKind *k;
  Condition *c;

  if (pos < 0 || value == NULL)
    return FALSE;
  k = &kinds[pos];
  c = condition_new (self);
  gtk_drop_down_set_selected (c->joiner, joins_with_or ? 1 : 0);
  gtk_drop_down_set_selected (c->kind, pos);
  if ((k->kind == VALUE_WORDS || k->kind == VALUE_TEXTS) && JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *words = json_node_get_array (value);
      g_autoptr(GPtrArray) texts = g_ptr_array_new_null_terminated (0, NULL, TRUE);

      for (guint i = 0; i < json_array_get_length (words); i++)
        {
          const char *word = json_array_get_string_element (words, i);
          int w = k->kind == VALUE_WORDS ? crm_wire_lookup (k->names, word) : -1;

          if (w >= 0)
            gtk_check_button_set_active (c->checks->pdata[w], TRUE);
          g_ptr_array_add (texts, (gpointer) word);
        }
      if (k->kind == VALUE_TEXTS)
        {
          g_autofree char *joined = g_strjoinv (", ", (char **) texts->pdata);

          set_entry (c->entry, joined);
        }
    }
  else if (k->kind == VALUE_MONEY_RANGE && JSON_NODE_HOLDS_ARRAY (value) &&
           json_array_get_length (json_node_get_array (value)) == 2)
    {
      g_autofree char *low = yuan_text (json_array_get_element (json_node_get_array (value), 0));
      g_autofree char *high = yuan_text (json_array_get_element (json_node_get_array (value), 1));

      set_entry (c->entry, low);
      set_entry (c->entry_high, high);
    }
  else if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_INT64)
    {
      g_autofree char *text = k->kind == VALUE_MONEY ? yuan_text (value)
                                                     : g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));

      set_entry (c->entry, text);
    }
  g_ptr_array_add (self->conditions, c);
  return TRUE;
}

/* Rows for @criteria: {"all": [leaf or {"any": [leaf...]}...]}, {"any":
 * [leaf...]} or one leaf; FALSE for any other shape. */
static gboolean
load_criteria (CrmSegmentEditor *self,
               JsonNode         *criteria)
{
  JsonObject *root = criteria && JSON_NODE_HOLDS_OBJECT (criteria) ? json_node_get_object (criteria) : NULL;
  JsonArray *list;

  if (root == NULL)
    return FALSE;
  if (json_object_has_member (root, "field"))
    return add_leaf (self, root, FALSE);
  if (json_object_has_member (root, "any") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "any")))
    {
      list = json_object_get_array_member (root, "any");
      for (guint i = 0; i < json_array_get_length (list); i++)
        if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (list, i)) ||
            !add_leaf (self, json_array_get_object_element (list, i), i > 0))
          return FALSE;
      return TRUE;
    }
  if (!json_object_has_member (root, "all") || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "all")))
    return FALSE;
  list = json_object_get_array_member (root, "all");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (json_array_get_element (list, i))
                         ? json_array_get_object_element (list, i) : NULL;
      JsonArray *any;

      if (item == NULL)
        return FALSE;
      if (!json_object_has_member (item, "any"))
        {
          if (!add_leaf (self, item, FALSE))
            return FALSE;
          continue;
        }
      if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (item, "any")))
        return FALSE;
      any = json_object_get_array_member (item, "any");
      for (guint j = 0; j < json_array_get_length (any); j++)
        if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (any, j)) ||
            !add_leaf (self, json_array_get_object_element (any, j), j > 0))
          return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The count and the sample                                            */
/* ------------------------------------------------------------------ */

static void
set_state (CrmSegmentEditor *self,
           const char       *state,
           const char       *label)
{
  gboolean loading = g_strcmp0 (state, "loading") == 0 || g_strcmp0 (state, "waiting") == 0;

  /* while counting again, the last count stays until the new one comes */
  if (label == NULL && loading && g_strcmp0 (self->state, "counted") != 0 && g_strcmp0 (self->state, "loading") != 0 &&
      g_strcmp0 (self->state, "waiting") != 0)
    label = _("Counting…");
  self->state = state;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  if (label != NULL)
    gtk_label_set_label (self->count_label, label);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->count_label), GTK_ACCESSIBLE_STATE_BUSY, loading, -1);
}

static void
clear_sample (CrmSegmentEditor *self)
{
  GtkWidget *row;

  while ((row = gtk_widget_get_first_child (GTK_WIDGET (self->sample_list))) != NULL)
    gtk_list_box_remove (self->sample_list, row);
  gtk_widget_set_visible (GTK_WIDGET (self->sample_list), FALSE);
}

static void
show_sample (CrmSegmentEditor *self,
             JsonArray        *sample)
{
  clear_sample (self);
  for (guint i = 0; i < json_array_get_length (sample); i++)
    {
      JsonObject *customer = JSON_NODE_HOLDS_OBJECT (json_array_get_element (sample, i))
                             ? json_array_get_object_element (sample, i) : NULL;
      GtkWidget *row;
      g_autofree char *money = NULL;
      g_autofree char *detail = NULL;
      g_autofree char *name = NULL;

      if (customer == NULL)
        continue;
      money = crm_format_money (json_object_get_int_member_with_default (customer, "monthly_revenue", 0));
      /* TRANSLATORS: a matching customer's region · tier · monthly revenue */
      detail = g_strdup_printf (_("%s · %s · %s a month"),
                                json_object_get_string_member_with_default (customer, "region", ""),
                                crm_tier_label_for (json_object_get_string_member_with_default (customer, "tier", NULL)),
                                money);
      name = g_markup_escape_text (json_object_get_string_member_with_default (customer, "name", ""), -1);
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), detail);
      gtk_list_box_append (self->sample_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->sample_list), json_array_get_length (sample) > 0);
}

/* The row a JSON pointer from the server names ("/criteria/all/1/any/0/op"
 * from the preview, "/fields/criteria/..." from a mutation), or -1. */
static int
condition_at_pointer (CrmSegmentEditor *self,
                      const char       *pointer)
{
  const char *rest = NULL;
  int best = -1;
  gsize best_len = 0;

  if (pointer == NULL)
    return -1;
  if (g_str_has_prefix (pointer, "/criteria"))
    rest = pointer + strlen ("/criteria");
  else if (g_str_has_prefix (pointer, "/fields/criteria"))
    rest = pointer + strlen ("/fields/criteria");
  if (rest == NULL)
    return -1;
  for (guint i = 0; i < self->conditions->len; i++)
    {
      g_autofree char *p = condition_pointer (self, i);
      gsize len = strlen (p);

      if (g_str_has_prefix (rest, p) && (rest[len] == '\0' || rest[len] == '/') && len > best_len)
        {
          best = (int) i;
          best_len = len;
        }
    }
  return best;
}

static void
preview_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gint64 count = -1;
  g_autoptr(JsonArray) sample = crm_api_preview_segment_finish (CRM_API (object), result, &count, &error);
  CrmSegmentEditor *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = CRM_SEGMENT_EDITOR (user_data);
  g_clear_object (&self->preview_cancellable);
  if (sample != NULL)
    {
      g_autofree char *number = crm_format_number (count);
      g_autofree char *label = g_strdup_printf (ngettext ("%s customer matches", "%s customers match",
                                                          (gulong) count), number);

      self->count = count;
      set_state (self, "counted", label);
      show_sample (self, sample);
      return;
    }

  self->count = -1;
  clear_sample (self);
  if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE) &&
      g_strcmp0 (crm_error_get_field (error), CRM_API_FIELD_SERVER) == 0)
    {
      set_state (self, "offline", _("Offline: the count needs the server"));
      return;
    }
  if (g_error_matches (error, CRM_ERROR, CRM_ERROR_INVALID))
    {
      int at = condition_at_pointer (self, crm_error_get_field (error));

      if (at >= 0)
        {
          Condition *c = self->conditions->pdata[at];

          g_free (c->server_error);
          c->server_error = g_strdup (error->message);
          crm_form_set_error (c->value_box, c->error, c->server_error);
          set_state (self, "invalid", _("The server cannot count these conditions: see the marked one"));
          return;
        }
    }
  {
    g_autofree char *label = g_strdup_printf (_("Could not count: %s"), error->message);

    set_state (self, "failed", label);
  }
}

static gboolean
preview_timeout_cb (gpointer user_data)
{
  CrmSegmentEditor *self = user_data;
  gboolean incomplete;
  g_autoptr(JsonNode) criteria = NULL;

  self->preview_timeout = 0;
  criteria = self->unsupported ? json_node_copy (self->stored_criteria) : build_criteria (self, &incomplete);
  if (criteria == NULL || self->api == NULL)
    return G_SOURCE_REMOVE;
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->preview_cancellable = g_cancellable_new ();
  set_state (self, "loading", NULL);
  crm_api_preview_segment_async (self->api, criteria, SAMPLE_SIZE, self->preview_cancellable, preview_cb, self);
  return G_SOURCE_REMOVE;
}

/* Asks for the count PREVIEW_DELAY_MS after the last change; says why
 * not when it cannot be asked. */
static void
schedule_preview (CrmSegmentEditor *self)
{
  gboolean incomplete = FALSE;
  g_autoptr(JsonNode) criteria = NULL;

  g_clear_handle_id (&self->preview_timeout, g_source_remove);
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->count = -1;

  criteria = self->unsupported ? json_node_copy (self->stored_criteria) : build_criteria (self, &incomplete);
  if (!self->unsupported && self->conditions->len == 0)
    {
      clear_sample (self);
      set_state (self, "empty", _("Add a condition to see how many customers it matches"));
      return;
    }
  if (criteria == NULL)
    {
      clear_sample (self);
      set_state (self, "incomplete", incomplete ? _("Complete the conditions to see the count")
                                                : _("Correct the marked condition to see the count"));
      return;
    }
  if (self->api == NULL)
    {
      clear_sample (self);
      set_state (self, "offline", _("Offline: the count needs the server"));
      return;
    }
  set_state (self, "waiting", NULL);
  self->preview_timeout = g_timeout_add (PREVIEW_DELAY_MS, preview_timeout_cb, self);
}

/* ------------------------------------------------------------------ */
/* The rows                                                            */
/* ------------------------------------------------------------------ */

static void
update_sensitivity (CrmSegmentEditor *self)
{
  gboolean rows = self->editable && !self->unsupported;

  gtk_widget_set_sensitive (GTK_WIDGET (self->conditions_box), rows);
  gtk_widget_set_visible (GTK_WIDGET (self->add_button), rows);
  gtk_widget_set_visible (GTK_WIDGET (self->save_button), self->editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->segment_row), self->editable);
  gtk_editable_set_editable (GTK_EDITABLE (self->name_row), self->editable);
  gtk_widget_set_visible (GTK_WIDGET (self->unsupported_label), self->unsupported);
}

/* Lays the rows out again (the first has no joiner) and asks for the
 * count. */
static void
conditions_changed (CrmSegmentEditor *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->conditions_box))) != NULL)
    gtk_box_remove (self->conditions_box, child);
  for (guint i = 0; i < self->conditions->len; i++)
    {
      Condition *c = self->conditions->pdata[i];

      gtk_widget_set_visible (GTK_WIDGET (c->joiner), i > 0);
      gtk_box_append (self->conditions_box, c->root);
    }
  if (!self->loading)
    {
      self->dirty = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self->save_error), FALSE);
    }
  update_sensitivity (self);
  schedule_preview (self);
}

static void
add_condition_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmSegmentEditor *self = CRM_SEGMENT_EDITOR (widget);
  Condition *c = condition_new (self);

  g_ptr_array_add (self->conditions, c);
  conditions_changed (self);
  gtk_widget_grab_focus (GTK_WIDGET (c->kind));
}

static JsonObject *
find_segment (CrmSegmentEditor *self,
              const char       *id,
              GPtrArray        *records)
{
  for (guint i = 0; records != NULL && i < records->len; i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (records->pdata[i], "id", NULL), id) == 0)
      return records->pdata[i];
  return NULL;
}

/* segment_row's choices: "New segment", then the segments by name. */
static void
reload_segments (CrmSegmentEditor *self)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint selected = 0;

  if (self->store != NULL)
    records = crm_store_get_records (self->store, CRM_ENTITY_SEGMENT, NULL, NULL);
  g_ptr_array_set_size (self->segment_ids, 0);
  gtk_string_list_append (labels, _("New segment"));
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      JsonObject *s = records->pdata[i];
      const char *id = json_object_get_string_member_with_default (s, "id", NULL);

      gtk_string_list_append (labels, json_object_get_string_member_with_default (s, "name", ""));
      g_ptr_array_add (self->segment_ids, g_strdup (id));
      if (g_strcmp0 (id, self->segment_id) == 0)
        selected = i + 1;
    }
  self->loading = TRUE;
  adw_combo_row_set_model (self->segment_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->segment_row, selected);
  self->loading = FALSE;
}

/* Shows segment @id's name and criteria (none: a new segment). */
static void
show_segment (CrmSegmentEditor *self,
              const char       *id)
{
  g_autoptr(GPtrArray) records = NULL;
  JsonObject *segment;

  if (self->store != NULL && id != NULL)
    records = crm_store_get_records (self->store, CRM_ENTITY_SEGMENT, NULL, NULL);
  segment = find_segment (self, id, records);

  self->loading = TRUE;
  g_free (self->segment_id);
  self->segment_id = segment ? g_strdup (id) : NULL;
  g_ptr_array_set_size (self->conditions, 0);
  g_clear_pointer (&self->stored_criteria, json_node_unref);
  self->unsupported = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                         segment ? json_object_get_string_member_with_default (segment, "name", "") : "");
  if (segment != NULL)
    {
      JsonNode *criteria = json_object_get_member (segment, "criteria");

      self->stored_criteria = criteria ? json_node_copy (criteria) : NULL;
      if (!load_criteria (self, criteria))
        {
          g_ptr_array_set_size (self->conditions, 0);
          self->unsupported = self->stored_criteria != NULL;
        }
    }
  crm_form_set_error (GTK_WIDGET (self->name_row), self->name_error, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->save_error), FALSE);
  conditions_changed (self);
  self->dirty = FALSE;
  self->loading = FALSE;
  reload_segments (self);
}

static void
segment_selected_cb (CrmSegmentEditor *self)
{
  guint i = adw_combo_row_get_selected (self->segment_row);
  const char *id = i > 0 && i <= self->segment_ids->len ? self->segment_ids->pdata[i - 1] : NULL;

  if (self->loading || g_strcmp0 (id, self->segment_id) == 0)
    return;
  show_segment (self, id);
  g_signal_emit (self, signals[SEGMENT_CHOSEN], 0, self->segment_id);
}

static void
name_changed_cb (CrmSegmentEditor *self)
{
  if (self->loading)
    return;
  self->dirty = TRUE;
  crm_form_set_error (GTK_WIDGET (self->name_row), self->name_error, NULL);
}

static void
store_changed_cb (CrmSegmentEditor *self,
                  const char       *entity,
                  GStrv             keys)
{
  reload_segments (self);
  /* the segment shown came back from the server: show it unless typed over */
  if (!self->dirty && self->segment_id != NULL &&
      (keys == NULL || g_strv_contains ((const char * const *) keys, self->segment_id)))
    {
      g_autofree char *id = g_strdup (self->segment_id);

      show_segment (self, id);
    }
}

/* Save: the name and the criteria, a create or an update of the
 * segment shown. */
static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmSegmentEditor *self = CRM_SEGMENT_EDITOR (widget);
  g_autofree char *name = crm_form_dup_text (GTK_EDITABLE (self->name_row));
  g_autofree char *name_problem = crm_form_check_field (CRM_ENTITY_SEGMENT, "name", name);
  g_autoptr(JsonNode) criteria = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) mutation = NULL;
  g_autoptr(GError) error = NULL;
  gboolean incomplete;

  if (self->store == NULL || self->unsupported)
    return;
  crm_form_set_error (GTK_WIDGET (self->name_row), self->name_error, name_problem);
  criteria = build_criteria (self, &incomplete);
  if (criteria == NULL)
    {
      gtk_label_set_label (self->save_error, self->conditions->len == 0 ? _("Add at least one condition")
                                                                         : _("Complete or correct the conditions first"));
      gtk_widget_set_visible (GTK_WIDGET (self->save_error), TRUE);
      return;
    }
  if (name_problem != NULL)
    return;

  json_object_set_string_member (fields, "name", name);
  json_object_set_member (fields, "criteria", g_steal_pointer (&criteria));
  mutation = self->segment_id == NULL
    ? crm_store_enqueue_create (self->store, CRM_ENTITY_SEGMENT, NULL, fields, &error)
    : crm_store_enqueue_update (self->store, CRM_ENTITY_SEGMENT, self->segment_id, fields, &error);
  if (mutation == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not save: %s"), error->message);

      gtk_label_set_label (self->save_error, message);
      gtk_widget_set_visible (GTK_WIDGET (self->save_error), TRUE);
      return;
    }
  self->dirty = FALSE;
  g_free (self->segment_id);
  self->segment_id = g_strdup (mutation->record_id);
  reload_segments (self);
  g_signal_emit (self, signals[SAVED], 0, self->segment_id);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
crm_segment_editor_dispose (GObject *object)
{
  CrmSegmentEditor *self = CRM_SEGMENT_EDITOR (object);

  g_clear_handle_id (&self->preview_timeout, g_source_remove);
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_clear_pointer (&self->conditions, g_ptr_array_unref);
  crm_segment_editor_set_store (self, NULL);
  g_clear_object (&self->api);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_SEGMENT_EDITOR);

  G_OBJECT_CLASS (crm_segment_editor_parent_class)->dispose (object);
}

static void
crm_segment_editor_finalize (GObject *object)
{
  CrmSegmentEditor *self = CRM_SEGMENT_EDITOR (object);

  g_free (self->segment_id);
  g_clear_pointer (&self->segment_ids, g_ptr_array_unref);
  g_clear_pointer (&self->stored_criteria, json_node_unref);

  G_OBJECT_CLASS (crm_segment_editor_parent_class)->finalize (object);
}

static void
crm_segment_editor_class_init (CrmSegmentEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_segment_editor_dispose;
  object_class->finalize = crm_segment_editor_finalize;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                 G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SEGMENT_CHOSEN] = g_signal_new ("segment-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                          NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-segment-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, segment_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, name_error);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, unsupported_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, conditions_box);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, add_button);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, save_error);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, count_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSegmentEditor, sample_list);
  gtk_widget_class_bind_template_callback (widget_class, segment_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);

  gtk_widget_class_install_action (widget_class, "segment.add-condition", NULL, add_condition_action);
  gtk_widget_class_install_action (widget_class, "segment.save", NULL, save_action);
}

static void
crm_segment_editor_init (CrmSegmentEditor *self)
{
  self->loading = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->loading = FALSE;
  self->editable = TRUE;
  self->count = -1;
  self->conditions = g_ptr_array_new_with_free_func ((GDestroyNotify) condition_free);
  self->segment_ids = g_ptr_array_new_with_free_func (g_free);
  reload_segments (self);
  conditions_changed (self);
  self->dirty = FALSE;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */
/* ------------------------------------------------------------------ */

GtkWidget *
crm_segment_editor_new (void)
{
  return g_object_new (CRM_TYPE_SEGMENT_EDITOR, NULL);
}

void
crm_segment_editor_set_store (CrmSegmentEditor *self,
                              CrmStore         *store)
{
  g_return_if_fail (CRM_IS_SEGMENT_EDITOR (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;
  if (self->store != NULL)
    g_clear_signal_handler (&self->store_handler, self->store);
  g_set_object (&self->store, store);
  if (store != NULL)
    self->store_handler = g_signal_connect_object (store, "changed::segment", G_CALLBACK (store_changed_cb),
                                                   self, G_CONNECT_SWAPPED);
  if (self->conditions != NULL)
    reload_segments (self);
}

void
crm_segment_editor_set_api (CrmSegmentEditor *self,
                            CrmApi           *api)
{
  g_return_if_fail (CRM_IS_SEGMENT_EDITOR (self));
  g_return_if_fail (api == NULL || CRM_IS_API (api));

  if (g_set_object (&self->api, api))
    schedule_preview (self);
}

void
crm_segment_editor_set_segment (CrmSegmentEditor *self,
                                const char       *id)
{
  g_return_if_fail (CRM_IS_SEGMENT_EDITOR (self));

  show_segment (self, id);
}

const char *
crm_segment_editor_get_segment (CrmSegmentEditor *self)
{
  g_return_val_if_fail (CRM_IS_SEGMENT_EDITOR (self), NULL);

  return self->segment_id;
}

void
crm_segment_editor_set_editable (CrmSegmentEditor *self,
                                 gboolean          editable)
{
  g_return_if_fail (CRM_IS_SEGMENT_EDITOR (self));

  self->editable = editable;
  update_sensitivity (self);
}

JsonNode *
crm_segment_editor_dup_criteria (CrmSegmentEditor *self)
{
  gboolean incomplete;

  g_return_val_if_fail (CRM_IS_SEGMENT_EDITOR (self), NULL);

  if (self->unsupported)
    return self->stored_criteria ? json_node_copy (self->stored_criteria) : NULL;
  return build_criteria (self, &incomplete);
}

const char *
crm_segment_editor_get_state (CrmSegmentEditor *self)
{
  g_return_val_if_fail (CRM_IS_SEGMENT_EDITOR (self), NULL);

  return self->state;
}

gint64
crm_segment_editor_get_count (CrmSegmentEditor *self)
{
  g_return_val_if_fail (CRM_IS_SEGMENT_EDITOR (self), -1);

  return self->count;
}

gboolean
crm_segment_editor_has_changes (CrmSegmentEditor *self)
{
  g_return_val_if_fail (CRM_IS_SEGMENT_EDITOR (self), FALSE);

  return self->dirty;
}

guint
crm_segment_editor_get_n_conditions (CrmSegmentEditor *self)
{
  g_return_val_if_fail (CRM_IS_SEGMENT_EDITOR (self), 0);

  return self->conditions->len;
}

GtkWidget *
crm_segment_editor_get_condition (CrmSegmentEditor *self,
                                  guint             index)
{
  g_return_val_if_fail (CRM_IS_SEGMENT_EDITOR (self), NULL);
  g_return_val_if_fail (index < self->conditions->len, NULL);

  return ((Condition *) self->conditions->pdata[index])->root;
}

int
crm_segment_editor_kind_position (const char *field,
                                  const char *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_strcmp0 (kinds[i].field, field) == 0 && g_strcmp0 (kinds[i].op, op) == 0)
      return (int) i;
  return -1;
}
