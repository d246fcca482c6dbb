#define G_LOG_DOMAIN "crm-customer-item"

#include "config.h"

#include <locale.h>
#include <string.h>

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
  PROP_VERSION,
  PROP_HAS_UNSENT_CHANGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/*
 * Collation keys of the few distinct industries, regions and owners, made
 * once per value and locale.  Keys are interned, so an item keeps a pointer
 * that stays valid after the locale (and so the table) changes.
 */
static GMutex key_lock;
static GHashTable *key_table;   /* interned value -> interned key */
static char *key_locale;

static const char *
interned_collation_key (const char *interned)
{
  const char *locale = setlocale (LC_COLLATE, NULL);
  const char *key;

  if (interned == NULL)
    return NULL;

  g_mutex_lock (&key_lock);
  if (key_table == NULL || g_strcmp0 (key_locale, locale) != 0)
    {
      g_clear_pointer (&key_table, g_hash_table_unref);
      g_free (key_locale);
      key_locale = g_strdup (locale);
      key_table = g_hash_table_new (g_direct_hash, g_direct_equal);
    }
  key = g_hash_table_lookup (key_table, interned);
  if (key == NULL)
    {
      g_autofree char *made = g_utf8_collate_key (interned, -1);

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
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_HAS_UNSENT_CHANGES] = g_param_spec_boolean ("has-unsent-changes", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
crm_customer_item_init (CrmCustomerItem *self)
{
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

static void
make_keys (CrmCustomerItem *self)
{
  g_autofree char *folded_name = NULL;
  g_autofree char *folded_en = NULL;

  if (self->collation_key != NULL)
    return;
  self->collation_key = g_utf8_collate_key (self->name, -1);

  /* "name\nname_en": a query cannot hold a newline, so it never matches
   * across the two. */
  folded_name = crm_customer_item_fold_search_text (self->name);
  if (self->name_en != NULL && *self->name_en != '\0')
    {
      folded_en = crm_customer_item_fold_search_text (self->name_en);
      self->search_text = g_strconcat (folded_name, "\n", folded_en, NULL);
    }
  else
    self->search_text = g_steal_pointer (&folded_name);
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
         a->monthly_revenue == b->monthly_revenue &&
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
