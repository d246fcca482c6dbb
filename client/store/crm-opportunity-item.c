#define G_LOG_DOMAIN "crm-opportunity-item"

#include "config.h"

#include "crm-opportunity-item.h"

struct _CrmOpportunityItem
{
  GObject     parent_instance;

  JsonObject *record;
  const char *id;               /* these point into record */
  const char *customer_id;
  const char *owner_id;
  const char *title;
  const char *expected_close;
  const char *lost_reason;
  const char *stage_changed_at;
  char       *customer_name;
  char       *region_id;
  char       *owner_name;
  char       *team_id;
  CrmStage    stage;
  gint64      amount_once;
  gint64      amount_monthly;
  int         contract_months;
  gint64      amount;
  int         probability;
  int         probability_override;
  gint64      weighted;
  int         days_in_stage;
  GStrv       product_lines;
  gint64      version;
};

G_DEFINE_FINAL_TYPE (CrmOpportunityItem, crm_opportunity_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CUSTOMER_ID,
  PROP_CUSTOMER_NAME,
  PROP_OWNER_ID,
  PROP_OWNER_NAME,
  PROP_TITLE,
  PROP_STAGE,
  PROP_AMOUNT,
  PROP_PROBABILITY,
  PROP_WEIGHTED,
  PROP_EXPECTED_CLOSE,
  PROP_DAYS_IN_STAGE,
  PROP_PRODUCT_LINES,
  PROP_VERSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The member's integer, or @fallback when it is missing or null. */
static gint64
member_int (JsonObject *o,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  return json_node_get_int (node);
}

static GStrv
member_strv (JsonObject *o,
             const char *name)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonNode *node = json_object_get_member (o, name);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (element));
        }
    }
  return g_strv_builder_end (builder);
}

/* Whole days from @since (RFC 3339) to @now; -1 without @since. */
static int
days_since (const char *since,
            GDateTime  *now)
{
  g_autoptr(GDateTime) t = since ? g_date_time_new_from_iso8601 (since, NULL) : NULL;
  GTimeSpan span;

  if (t == NULL || now == NULL)
    return -1;
  span = g_date_time_difference (now, t);
  return span <= 0 ? 0 : (int) (span / G_TIME_SPAN_DAY);
}

static void
derive (CrmOpportunityItem *self,
        int                 default_probability)
{
  self->amount = crm_opportunity_amount (self->amount_once, self->amount_monthly, self->contract_months);
  if (self->probability_override >= 0)
    self->probability = self->probability_override;
  else
    self->probability = CLAMP (default_probability, 0, 100);
  self->weighted = crm_opportunity_weighted (self->amount, self->probability);
}

static void
crm_opportunity_item_finalize (GObject *object)
{
  CrmOpportunityItem *self = (CrmOpportunityItem *) object;

  g_clear_pointer (&self->record, json_object_unref);
  g_free (self->customer_name);
  g_free (self->region_id);
  g_free (self->owner_name);
  g_free (self->team_id);
  g_strfreev (self->product_lines);

  G_OBJECT_CLASS (crm_opportunity_item_parent_class)->finalize (object);
}

static void
crm_opportunity_item_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  CrmOpportunityItem *self = CRM_OPPORTUNITY_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_CUSTOMER_ID: g_value_set_string (value, self->customer_id); break;
    case PROP_CUSTOMER_NAME: g_value_set_string (value, self->customer_name); break;
    case PROP_OWNER_ID: g_value_set_string (value, self->owner_id); break;
    case PROP_OWNER_NAME: g_value_set_string (value, self->owner_name); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_STAGE: g_value_set_int (value, self->stage); break;
    case PROP_AMOUNT: g_value_set_int64 (value, self->amount); break;
    case PROP_PROBABILITY: g_value_set_int (value, self->probability); break;
    case PROP_WEIGHTED: g_value_set_int64 (value, self->weighted); break;
    case PROP_EXPECTED_CLOSE: g_value_set_string (value, self->expected_close); break;
    case PROP_DAYS_IN_STAGE: g_value_set_int (value, self->days_in_stage); break;
    case PROP_PRODUCT_LINES: g_value_set_boxed (value, self->product_lines); break;
    case PROP_VERSION: g_value_set_int64 (value, self->version); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
crm_opportunity_item_class_init (CrmOpportunityItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = crm_opportunity_item_finalize;
  object_class->get_property = crm_opportunity_item_get_property;

  properties[PROP_ID] = string_property ("id");
  properties[PROP_CUSTOMER_ID] = string_property ("customer-id");
  properties[PROP_CUSTOMER_NAME] = string_property ("customer-name");
  properties[PROP_OWNER_ID] = string_property ("owner-id");
  properties[PROP_OWNER_NAME] = string_property ("owner-name");
  properties[PROP_TITLE] = string_property ("title");
  properties[PROP_STAGE] = g_param_spec_int ("stage", NULL, NULL, 0, CRM_N_STAGES, 0, flags);
  properties[PROP_AMOUNT] = g_param_spec_int64 ("amount", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PROBABILITY] = g_param_spec_int ("probability", NULL, NULL, 0, 100, 0, flags);
  properties[PROP_WEIGHTED] = g_param_spec_int64 ("weighted", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_EXPECTED_CLOSE] = string_property ("expected-close");
  properties[PROP_DAYS_IN_STAGE] = g_param_spec_int ("days-in-stage", NULL, NULL, -1, G_MAXINT, -1, flags);
  properties[PROP_PRODUCT_LINES] = g_param_spec_boxed ("product-lines", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_opportunity_item_init (CrmOpportunityItem *self)
{
  self->probability_override = -1;
  self->days_in_stage = -1;
  self->stage = CRM_N_STAGES;
}

CrmOpportunityItem *
crm_opportunity_item_new (JsonObject                  *record,
                          const CrmOpportunityContext *context,
                          GDateTime                   *now)
{
  CrmOpportunityItem *self;
  const char *stage;
  int index;

  g_return_val_if_fail (record != NULL, NULL);

  self = g_object_new (CRM_TYPE_OPPORTUNITY_ITEM, NULL);
  self->record = json_object_ref (record);
  self->id = member_string (record, "id");
  self->customer_id = member_string (record, "customer_id");
  self->owner_id = member_string (record, "owner_id");
  self->title = member_string (record, "name");
  self->expected_close = member_string (record, "expected_close");
  self->lost_reason = member_string (record, "lost_reason");
  stage = member_string (record, "stage");
  index = stage ? crm_wire_lookup (crm_stage_names, stage) : -1;
  self->stage = index < 0 ? CRM_N_STAGES : (CrmStage) index;
  self->amount_once = MAX (member_int (record, "amount_once", 0), 0);
  self->amount_monthly = MAX (member_int (record, "amount_monthly", 0), 0);
  self->contract_months = (int) member_int (record, "contract_months", CRM_OPPORTUNITY_DEFAULT_CONTRACT_MONTHS);
  self->probability_override = (int) CLAMP (member_int (record, "probability", -1), -1, 100);
  self->stage_changed_at = member_string (record, "stage_changed_at");
  self->days_in_stage = days_since (self->stage_changed_at, now);
  self->product_lines = member_strv (record, "product_lines");
  self->version = member_int (record, "version", 0);
  if (context != NULL)
    {
      self->customer_name = g_strdup (context->customer_name);
      self->region_id = g_strdup (context->region_id);
      self->owner_name = g_strdup (context->owner_name);
      self->team_id = g_strdup (context->team_id);
    }
  derive (self, context ? context->default_probability : 0);
  return self;
}

CrmOpportunityItem *
crm_opportunity_item_new_moved (CrmOpportunityItem *self,
                                CrmStage            stage,
                                int                 default_probability,
                                GDateTime          *changed_at,
                                GDateTime          *now)
{
  g_autoptr(JsonObject) record = NULL;
  g_autofree char *changed_text = NULL;
  CrmOpportunityContext context = { 0, };

  g_return_val_if_fail (CRM_IS_OPPORTUNITY_ITEM (self), NULL);
  g_return_val_if_fail ((guint) stage < CRM_N_STAGES, NULL);

  /* a shallow copy: the members are not changed, only replaced */
  record = json_object_new ();
  {
    JsonObjectIter iter;
    const char *name;
    JsonNode *node;

    json_object_iter_init (&iter, self->record);
    while (json_object_iter_next (&iter, &name, &node))
      json_object_set_member (record, name, json_node_copy (node));
  }
  json_object_set_string_member (record, "stage", crm_stage_names[stage]);
  changed_text = changed_at ? g_date_time_format_iso8601 (changed_at) : NULL;
  if (changed_text != NULL)
    json_object_set_string_member (record, "stage_changed_at", changed_text);

  context.customer_name = self->customer_name;
  context.region_id = self->region_id;
  context.owner_name = self->owner_name;
  context.team_id = self->team_id;
  context.default_probability = default_probability;
  return crm_opportunity_item_new (record, &context, now);
}

JsonObject *
crm_opportunity_item_get_record (CrmOpportunityItem *self)
{
  g_return_val_if_fail (CRM_IS_OPPORTUNITY_ITEM (self), NULL);
  return self->record;
}

#define GETTER(type, field) \
  type \
  crm_opportunity_item_get_##field (CrmOpportunityItem *self) \
  { \
    g_return_val_if_fail (CRM_IS_OPPORTUNITY_ITEM (self), (type) 0); \
    return self->field; \
  }

GETTER (const char *, id)
GETTER (const char *, customer_id)
GETTER (const char *, customer_name)
GETTER (const char *, region_id)
GETTER (const char *, owner_id)
GETTER (const char *, owner_name)
GETTER (const char *, team_id)
GETTER (const char *, title)
GETTER (CrmStage, stage)
GETTER (gint64, amount_once)
GETTER (gint64, amount_monthly)
GETTER (int, contract_months)
GETTER (gint64, amount)
GETTER (int, probability)
GETTER (int, probability_override)
GETTER (gint64, weighted)
GETTER (const char *, expected_close)
GETTER (int, days_in_stage)
GETTER (const char *, lost_reason)
GETTER (const char *, stage_changed_at)
GETTER (gint64, version)

#undef GETTER

const char * const *
crm_opportunity_item_get_product_lines (CrmOpportunityItem *self)
{
  g_return_val_if_fail (CRM_IS_OPPORTUNITY_ITEM (self), NULL);
  return (const char * const *) self->product_lines;
}

gboolean
crm_opportunity_item_has_product_line (CrmOpportunityItem *self,
                                       const char         *product_line)
{
  g_return_val_if_fail (CRM_IS_OPPORTUNITY_ITEM (self), FALSE);
  return product_line != NULL && g_strv_contains ((const char * const *) self->product_lines, product_line);
}
