#define G_LOG_DOMAIN "crm-customer-item"

#include "config.h"

#include <string.h>

#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "crm-customer-item-private.h"

G_DEFINE_FINAL_TYPE (CrmCustomerItem, crm_customer_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_TIER,
  PROP_INDUSTRY,
  PROP_REGION_ID,
  PROP_REGION_NAME,
  PROP_OWNER_ID,
  PROP_OWNER_NAME,
  PROP_STATUS,
  PROP_MONTHLY_REVENUE,
  PROP_ARREARS,
  PROP_CHURN_RISK,
  PROP_OPEN_PIPELINE,
  PROP_WARNINGS,
  PROP_VERSION,
  PROP_HAS_UNSENT_CHANGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/*
 * The list's order: ICU's pinyin collation ("zh@collation=pinyin") in
 * every interface language, so that 阿里 < 百度 < 中国 whatever LANG says
 * (glibc's strxfrm in an English locale orders Chinese by code point), and
 * Latin letters as the root collation does (case-insensitive first).  A
 * UCollator serves one thread at a time: each thread opens its own (ICU
 * caches the rules; an open costs microseconds after the first).
 */
static void
collator_free (gpointer collator)
{
  ucol_close (collator);
}

static GPrivate thread_collator = G_PRIVATE_INIT (collator_free);

static UCollator *
get_collator (void)
{
  UCollator *collator = g_private_get (&thread_collator);

  if (collator == NULL)
    {
      UErrorCode status = U_ZERO_ERROR;

      collator = ucol_open ("zh@collation=pinyin", &status);
      if (U_FAILURE (status))
        g_error ("Cannot open ICU's pinyin collation: %s", u_errorName (status));
      g_private_set (&thread_collator, collator);
    }
  return collator;
}

char *
crm_collation_key (const char *text)
{
  UChar stack_chars[256];
  g_autofree UChar *heap_chars = NULL;
  UChar *chars = stack_chars;
  UErrorCode status = U_ZERO_ERROR;
  int32_t n_chars = 0;
  g_autofree char *valid = NULL;
  guint8 *key;
  int32_t size;

  if (text == NULL)
    text = "";
  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);
  u_strFromUTF8 (chars, G_N_ELEMENTS (stack_chars), &n_chars, text, -1, &status);
  if (status == U_BUFFER_OVERFLOW_ERROR)
    {
      status = U_ZERO_ERROR;
      chars = heap_chars = g_new (UChar, n_chars + 1);
      u_strFromUTF8 (chars, n_chars + 1, &n_chars, text, -1, &status);
    }
  if (U_FAILURE (status))
    n_chars = 0;

  /* The key ends in its only NUL byte: strcmp compares keys. */
  size = ucol_getSortKey (get_collator (), chars, n_chars, NULL, 0);
  key = g_malloc (MAX (size, 1));
  key[0] = '\0';
  if (size > 0)
    ucol_getSortKey (get_collator (), chars, n_chars, key, size);
  return (char *) key;
}

/*
 * Collation keys of the few distinct industries, regions and owners, made
 * once per value.  Keys are interned: equal values are equal pointers.
 */
static GMutex key_lock;
static GHashTable *key_table;   /* interned value -> interned key */

static const char *
interned_collation_key (const char *interned)
{
  const char *key;

  if (interned == NULL)
    return NULL;

  g_mutex_lock (&key_lock);
  if (key_table == NULL)
    key_table = g_hash_table_new (g_direct_hash, g_direct_equal);
  key = g_hash_table_lookup (key_table, interned);
  if (key == NULL)
    {
      g_autofree char *made = crm_collation_key (interned);

      key = g_intern_string (made);
      g_hash_table_insert (key_table, (gpointer) interned, (gpointer) key);
    }
  g_mutex_unlock (&key_lock);
  return key;
}

static const char *
nick_or_null (const char * const *names,
              guint               n_names,
              guint               value)
{
  return value < n_names ? names[value] : NULL;
}

static void
crm_customer_item_finalize (GObject *object)
{
  CrmCustomerItem *self = CRM_CUSTOMER_ITEM (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->name_en);
  g_free (self->collation_key);
  g_free (self->search_text);
  g_free (self->phone_digits);
  g_free (self->contacts);
  g_free (self->phone);

  G_OBJECT_CLASS (crm_customer_item_parent_class)->finalize (object);
}

static void
crm_customer_item_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrmCustomerItem *self = CRM_CUSTOMER_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TIER:
      g_value_set_static_string (value, nick_or_null (crm_tier_names, CRM_N_TIERS, self->tier));
      break;
    case PROP_INDUSTRY:
      g_value_set_static_string (value, self->industry);
      break;
    case PROP_REGION_ID:
      g_value_set_static_string (value, self->region_id);
      break;
    case PROP_REGION_NAME:
      g_value_set_static_string (value, self->region_name);
      break;
    case PROP_OWNER_ID:
      g_value_set_static_string (value, self->owner_id);
      break;
    case PROP_OWNER_NAME:
      g_value_set_static_string (value, self->owner_name);
      break;
    case PROP_STATUS:
      g_value_set_static_string (value, nick_or_null (crm_customer_status_names, CRM_N_CUSTOMER_STATUSES,
                                                      self->status));
      break;
    case PROP_MONTHLY_REVENUE:
      g_value_set_int64 (value, self->monthly_revenue);
      break;
    case PROP_ARREARS:
      g_value_set_int64 (value, self->arrears);
      break;
    case PROP_CHURN_RISK:
      g_value_set_int (value, self->churn_risk);
      break;
    case PROP_OPEN_PIPELINE:
      g_value_set_int64 (value, self->open_pipeline);
      break;
    case PROP_WARNINGS:
      g_value_set_uint (value, self->warnings);
      break;
    case PROP_VERSION:
      g_value_set_int64 (value, self->version);
      break;

    case PROP_HAS_UNSENT_CHANGES:
      g_value_set_boolean (value, self->has_unsent_changes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_customer_item_class_init (CrmCustomerItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = crm_customer_item_finalize;
  object_class->get_property = crm_customer_item_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /* The wire words (crm-wire.h): key, major, standard. */
  properties[PROP_TIER] = g_param_spec_string ("tier", NULL, NULL, NULL, flags);
  properties[PROP_INDUSTRY] = g_param_spec_string ("industry", NULL, NULL, NULL, flags);
  properties[PROP_REGION_ID] = g_param_spec_string ("region-id", NULL, NULL, NULL, flags);
  properties[PROP_REGION_NAME] = g_param_spec_string ("region-name", NULL, NULL, NULL, flags);
  properties[PROP_OWNER_ID] = g_param_spec_string ("owner-id", NULL, NULL, NULL, flags);
  properties[PROP_OWNER_NAME] = g_param_spec_string ("owner-name", NULL, NULL, NULL, flags);
  /* prospect, active, churned */
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  /* In fen. */
  properties[PROP_MONTHLY_REVENUE] = g_param_spec_int64 ("monthly-revenue", NULL, NULL,
                                                         G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_ARREARS] = g_param_spec_int64 ("arrears", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_CHURN_RISK] = g_param_spec_int ("churn-risk", NULL, NULL, -1, 100, -1, flags);
  properties[PROP_OPEN_PIPELINE] = g_param_spec_int64 ("open-pipeline", NULL, NULL,
                                                       G_MININT64, G_MAXINT64, 0, flags);
  /* CrmCustomerWarnings */
  properties[PROP_WARNINGS] = g_param_spec_uint ("warnings", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_HAS_UNSENT_CHANGES] = g_param_spec_boolean ("has-unsent-changes", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_customer_item_init (CrmCustomerItem *self)
{
  self->churn_risk = -1;
}

char *
crm_customer_item_fold_search_text (const char *text)
{
  g_autofree char *normal = NULL;

  if (text == NULL)
    return g_strdup ("");
  normal = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  if (normal == NULL)
    return g_strdup ("");
  return g_utf8_casefold (normal, -1);
}

char *
crm_customer_item_phone_digits (const char *text)
{
  g_autoptr(GString) digits = g_string_new (NULL);

  for (const char *p = text ? text : ""; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (strchr (" +-()", *p) == NULL)
        return NULL;
    }
  return digits->len > 0 ? g_string_free (g_steal_pointer (&digits), FALSE) : NULL;
}

/* Adds the digits of @number to @digits unless it is masked (or empty). */
static void
add_phone (GString    *digits,
           const char *number)
{
  gboolean any = FALSE;

  if (number == NULL || strchr (number, '*') != NULL)
    return;
  for (const char *p = number; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      {
        if (!any && digits->len > 0)
          g_string_append_c (digits, '\n');
        g_string_append_c (digits, *p);
        any = TRUE;
      }
}

static void
append_folded (GString    *text,
               const char *part)
{
  g_autofree char *folded = NULL;

  if (part == NULL || *part == '\0')
    return;
  folded = crm_customer_item_fold_search_text (part);
  if (*folded == '\0')
    return;
  if (text->len > 0)
    g_string_append_c (text, '\n');
  g_string_append (text, folded);
}

static void
make_keys (CrmCustomerItem *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) digits = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;

  if (self->collation_key != NULL)
    return;
  self->collation_key = crm_collation_key (self->name);

  /* "name\nname_en\ncontact…": a query cannot hold a newline, so it never
   * matches across two. */
  append_folded (text, self->name);
  append_folded (text, self->name_en);
  add_phone (digits, self->phone);
  lines = self->contacts ? g_strsplit (self->contacts, "\n", -1) : NULL;
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      char *tab = strchr (lines[i], '\t');

      if (tab != NULL)
        {
          *tab = '\0';
          add_phone (digits, tab + 1);
        }
      append_folded (text, lines[i]);
    }
  self->search_text = g_string_free (g_steal_pointer (&text), FALSE);
  self->phone_digits = digits->len > 0 ? g_string_free (g_steal_pointer (&digits), FALSE) : NULL;
  g_clear_pointer (&self->contacts, g_free);
  g_clear_pointer (&self->phone, g_free);
}

typedef struct
{
  CrmCustomerItem **items;
  guint             n;
} Slice;

static gpointer
make_keys_thread (gpointer data)
{
  Slice *slice = data;

  for (guint i = 0; i < slice->n; i++)
    make_keys (slice->items[i]);
  return NULL;
}

void
crm_customer_items_make_keys (CrmCustomerItem **items,
                              guint             n)
{
  guint n_threads = MIN (g_get_num_processors (), 8);
  g_autofree Slice *slices = NULL;
  g_autofree GThread **threads = NULL;
  guint per;

  if (n < 4096 || n_threads < 2)
    {
      for (guint i = 0; i < n; i++)
        make_keys (items[i]);
      return;
    }

  /* Each thread its own slice; the calling thread takes the first. */
  slices = g_new0 (Slice, n_threads);
  threads = g_new0 (GThread *, n_threads);
  per = (n + n_threads - 1) / n_threads;
  for (guint t = 0; t < n_threads; t++)
    {
      slices[t].items = items + MIN (n, t * per);
      slices[t].n = MIN (n, (t + 1) * per) - MIN (n, t * per);
      if (t > 0)
        threads[t] = g_thread_new ("crm-item-keys", make_keys_thread, &slices[t]);
    }
  make_keys_thread (&slices[0]);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
}

CrmCustomerItem *
crm_customer_item_new_without_keys (const char        *id,
                                    const char        *name,
                                    const char        *name_en,
                                    CrmTier            tier,
                                    const char        *industry,
                                    const char        *region_id,
                                    const char        *region_name,
                                    const char        *owner_id,
                                    const char        *owner_name,
                                    CrmCustomerStatus  status,
                                    gint64             monthly_revenue,
                                    gint64             version)
{
  CrmCustomerItem *self;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (CRM_TYPE_CUSTOMER_ITEM, NULL);
  self->id = g_strdup (id);
  self->name = g_strdup (name ? name : "");
  self->name_en = name_en && *name_en ? g_strdup (name_en) : NULL;
  self->industry = g_intern_string (industry ? industry : "");
  self->region_id = g_intern_string (region_id);
  self->region_name = g_intern_string (region_name ? region_name : "");
  self->owner_id = g_intern_string (owner_id);
  self->owner_name = g_intern_string (owner_name);
  self->industry_key = interned_collation_key (self->industry);
  self->region_key = interned_collation_key (self->region_name);
  self->owner_key = interned_collation_key (self->owner_name);
  self->tier = (guint) tier < CRM_N_TIERS ? tier : CRM_N_TIERS;
  self->status = (guint) status < CRM_N_CUSTOMER_STATUSES ? status : CRM_N_CUSTOMER_STATUSES;
  self->monthly_revenue = monthly_revenue;
  self->version = version;
  return self;
}

/**
 * crm_customer_item_new:
 *
 * Makes an item.  Unknown tiers and statuses are CRM_N_TIERS and
 * CRM_N_CUSTOMER_STATUSES; they sort last.  The collation keys are made in
 * the current LC_COLLATE locale.
 */
CrmCustomerItem *
crm_customer_item_new (const char        *id,
                       const char        *name,
                       const char        *name_en,
                       CrmTier            tier,
                       const char        *industry,
                       const char        *region_id,
                       const char        *region_name,
                       const char        *owner_id,
                       const char        *owner_name,
                       CrmCustomerStatus  status,
                       gint64             monthly_revenue,
                       gint64             version)
{
  CrmCustomerItem *self = crm_customer_item_new_without_keys (id, name, name_en, tier, industry, region_id,
                                                              region_name, owner_id, owner_name, status,
                                                              monthly_revenue, version);

  if (self != NULL)
    make_keys (self);
  return self;
}

gboolean
crm_customer_item_equal (const CrmCustomerItem *a,
                         const CrmCustomerItem *b)
{
  /* Interned strings compare as pointers; the keys follow from the values. */
  return strcmp (a->id, b->id) == 0 &&
         strcmp (a->name, b->name) == 0 &&
         strcmp (a->search_text, b->search_text) == 0 &&
         strcmp (a->collation_key, b->collation_key) == 0 &&
         a->industry == b->industry &&
         a->region_id == b->region_id &&
         a->region_name == b->region_name &&
         a->owner_id == b->owner_id &&
         a->owner_name == b->owner_name &&
         g_strcmp0 (a->phone_digits, b->phone_digits) == 0 &&
         a->monthly_revenue == b->monthly_revenue &&
         a->arrears == b->arrears &&
         a->churn_risk == b->churn_risk &&
         a->open_pipeline == b->open_pipeline &&
         a->next_contract_end == b->next_contract_end &&
         a->step_deadline == b->step_deadline &&
         a->warnings == b->warnings &&
         a->version == b->version &&
         a->has_unsent_changes == b->has_unsent_changes &&
         a->tier == b->tier &&
         a->status == b->status;
}

const char *
crm_customer_item_get_id (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->id;
}

const char *
crm_customer_item_get_name (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->name;
}

CrmTier
crm_customer_item_get_tier (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), CRM_N_TIERS);
  return self->tier;
}

const char *
crm_customer_item_get_industry (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->industry;
}

const char *
crm_customer_item_get_region_id (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->region_id;
}

const char *
crm_customer_item_get_region_name (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->region_name;
}

const char *
crm_customer_item_get_owner_id (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->owner_id;
}

const char *
crm_customer_item_get_owner_name (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->owner_name;
}

CrmCustomerStatus
crm_customer_item_get_status (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), CRM_N_CUSTOMER_STATUSES);
  return self->status;
}

gint64
crm_customer_item_get_monthly_revenue (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), 0);
  return self->monthly_revenue;
}

gint64
crm_customer_item_get_version (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), 0);
  return self->version;
}

gint64
crm_customer_item_get_arrears (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), 0);
  return self->arrears;
}

int
crm_customer_item_get_churn_risk (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), -1);
  return self->churn_risk;
}

gint64
crm_customer_item_get_open_pipeline (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), 0);
  return self->open_pipeline;
}

const char *
crm_customer_item_get_next_contract_end (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->next_contract_end;
}

/**
 * crm_customer_item_get_warnings:
 *
 * Returns: what makes the customer need attention, by the rule of
 *   crm_customer_warnings_for(), as of when the item was made
 */
CrmCustomerWarnings
crm_customer_item_get_warnings (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), CRM_CUSTOMER_WARNING_NONE);
  return self->warnings;
}

const char *
crm_customer_item_get_collation_key (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->collation_key;
}

const char *
crm_customer_item_get_search_text (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), NULL);
  return self->search_text;
}

/**
 * crm_customer_item_get_has_unsent_changes:
 *
 * Returns: whether the customer or one of its contacts has changes in the
 *   local queue that the server has not confirmed (waiting, being sent, or
 *   refused and not yet dismissed)
 */
gboolean
crm_customer_item_get_has_unsent_changes (CrmCustomerItem *self)
{
  g_return_val_if_fail (CRM_IS_CUSTOMER_ITEM (self), FALSE);

  return self->has_unsent_changes;
}

void
crm_customer_item_set_has_unsent_changes (CrmCustomerItem *self,
                                          gboolean         has_unsent_changes)
{
  g_return_if_fail (CRM_IS_CUSTOMER_ITEM (self));

  self->has_unsent_changes = !!has_unsent_changes;
}

void
crm_customer_item_set_contacts (CrmCustomerItem *self,
                                const char      *contacts,
                                const char      *phone)
{
  g_return_if_fail (CRM_IS_CUSTOMER_ITEM (self));
  g_return_if_fail (self->collation_key == NULL);

  g_free (self->contacts);
  self->contacts = g_strdup (contacts);
  g_free (self->phone);
  self->phone = g_strdup (phone);
}

/* The warnings of @self's facts now (local time).  The clock is read
 * only for the rules that need it. */
static CrmCustomerWarnings
warnings_now (CrmCustomerItem *self)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *today = NULL;
  CrmCustomerFacts facts = {
    .monthly_revenue = self->monthly_revenue,
    .arrears = self->arrears,
    .churn_risk = self->churn_risk,
    .next_contract_end = self->next_contract_end,
  };

  if (self->next_contract_end != NULL || self->step_deadline != 0)
    {
      now = g_date_time_new_now_local ();
      today = g_date_time_format (now, "%Y-%m-%d");
      facts.has_overdue_step = self->step_deadline != 0 && self->step_deadline < g_date_time_to_unix (now);
    }
  return crm_customer_warnings_for (&facts, today);
}

void
crm_customer_item_set_facts (CrmCustomerItem *self,
                             gint64           arrears,
                             int              churn_risk,
                             gint64           open_pipeline,
                             const char      *next_contract_end,
                             const char      *earliest_step_deadline)
{
  g_return_if_fail (CRM_IS_CUSTOMER_ITEM (self));

  self->arrears = arrears;
  self->churn_risk = churn_risk >= 0 && churn_risk <= 100 ? churn_risk : -1;
  self->open_pipeline = open_pipeline;
  self->next_contract_end = next_contract_end && *next_contract_end ? g_intern_string (next_contract_end) : NULL;
  self->step_deadline = 0;
  if (earliest_step_deadline != NULL && *earliest_step_deadline != '\0')
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) deadline = g_date_time_new_from_iso8601 (earliest_step_deadline, utc);

      if (deadline != NULL)
        self->step_deadline = g_date_time_to_unix (deadline);
    }
  self->warnings = warnings_now (self);
}
