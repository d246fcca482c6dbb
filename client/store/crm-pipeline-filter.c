#define G_LOG_DOMAIN "crm-pipeline-filter"

#include "config.h"

#include <string.h>

#include "crm-pipeline-filter.h"

G_DEFINE_BOXED_TYPE (CrmPipelineFilter, crm_pipeline_filter, crm_pipeline_filter_copy, crm_pipeline_filter_free)

CrmPipelineFilter *
crm_pipeline_filter_new (void)
{
  CrmPipelineFilter *filter = g_new0 (CrmPipelineFilter, 1);

  filter->amount_min = -1;
  filter->amount_max = -1;
  return filter;
}

CrmPipelineFilter *
crm_pipeline_filter_copy (const CrmPipelineFilter *filter)
{
  CrmPipelineFilter *copy;

  g_return_val_if_fail (filter != NULL, NULL);

  copy = g_new0 (CrmPipelineFilter, 1);
  copy->owner_id = g_strdup (filter->owner_id);
  copy->team_id = g_strdup (filter->team_id);
  copy->region_id = g_strdup (filter->region_id);
  copy->product_line = g_strdup (filter->product_line);
  copy->amount_min = filter->amount_min;
  copy->amount_max = filter->amount_max;
  copy->close_from = g_strdup (filter->close_from);
  copy->close_to = g_strdup (filter->close_to);
  return copy;
}

void
crm_pipeline_filter_free (CrmPipelineFilter *filter)
{
  if (filter == NULL)
    return;
  g_free (filter->owner_id);
  g_free (filter->team_id);
  g_free (filter->region_id);
  g_free (filter->product_line);
  g_free (filter->close_from);
  g_free (filter->close_to);
  g_free (filter);
}

gboolean
crm_pipeline_filter_equal (const CrmPipelineFilter *a,
                           const CrmPipelineFilter *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->owner_id, b->owner_id) == 0 &&
         g_strcmp0 (a->team_id, b->team_id) == 0 &&
         g_strcmp0 (a->region_id, b->region_id) == 0 &&
         g_strcmp0 (a->product_line, b->product_line) == 0 &&
         a->amount_min == b->amount_min &&
         a->amount_max == b->amount_max &&
         g_strcmp0 (a->close_from, b->close_from) == 0 &&
         g_strcmp0 (a->close_to, b->close_to) == 0;
}

gboolean
crm_pipeline_filter_is_empty (const CrmPipelineFilter *filter)
{
  g_autoptr(CrmPipelineFilter) empty = crm_pipeline_filter_new ();

  g_return_val_if_fail (filter != NULL, TRUE);
  return crm_pipeline_filter_equal (filter, empty);
}

gboolean
crm_pipeline_filter_matches (const CrmPipelineFilter *filter,
                             CrmOpportunityItem      *item,
                             GHashTable              *regions)
{
  const char *close;
  gint64 amount;

  g_return_val_if_fail (filter != NULL, FALSE);
  g_return_val_if_fail (CRM_IS_OPPORTUNITY_ITEM (item), FALSE);

  if (filter->owner_id && g_strcmp0 (filter->owner_id, crm_opportunity_item_get_owner_id (item)) != 0)
    return FALSE;
  if (filter->team_id && g_strcmp0 (filter->team_id, crm_opportunity_item_get_team_id (item)) != 0)
    return FALSE;
  if (filter->region_id)
    {
      const char *region = crm_opportunity_item_get_region_id (item);

      if (region == NULL)
        return FALSE;
      if (regions != NULL ? !g_hash_table_contains (regions, region) : strcmp (region, filter->region_id) != 0)
        return FALSE;
    }
  if (filter->product_line && !crm_opportunity_item_has_product_line (item, filter->product_line))
    return FALSE;
  amount = crm_opportunity_item_get_amount (item);
  if (filter->amount_min >= 0 && amount < filter->amount_min)
    return FALSE;
  if (filter->amount_max >= 0 && amount > filter->amount_max)
    return FALSE;
  close = crm_opportunity_item_get_expected_close (item);
  if ((filter->close_from || filter->close_to) && close == NULL)
    return FALSE;
  if (filter->close_from && strcmp (close, filter->close_from) < 0)
    return FALSE;
  if (filter->close_to && strcmp (close, filter->close_to) > 0)
    return FALSE;
  return TRUE;
}

static void
add_string (GVariantBuilder *builder,
            const char      *key,
            const char      *value)
{
  if (value != NULL)
    g_variant_builder_add (builder, "{sv}", key, g_variant_new_string (value));
}

GVariant *
crm_pipeline_filter_to_variant (const CrmPipelineFilter *filter)
{
  GVariantBuilder builder;

  g_return_val_if_fail (filter != NULL, NULL);

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  add_string (&builder, "owner", filter->owner_id);
  add_string (&builder, "team", filter->team_id);
  add_string (&builder, "region", filter->region_id);
  add_string (&builder, "product-line", filter->product_line);
  if (filter->amount_min >= 0)
    g_variant_builder_add (&builder, "{sv}", "amount-min", g_variant_new_int64 (filter->amount_min));
  if (filter->amount_max >= 0)
    g_variant_builder_add (&builder, "{sv}", "amount-max", g_variant_new_int64 (filter->amount_max));
  add_string (&builder, "close-from", filter->close_from);
  add_string (&builder, "close-to", filter->close_to);
  return g_variant_builder_end (&builder);
}

static char *
lookup_string (GVariantDict *dict,
               const char   *key)
{
  char *value = NULL;

  if (!g_variant_dict_lookup (dict, key, "s", &value))
    return NULL;
  return value;
}

CrmPipelineFilter *
crm_pipeline_filter_new_from_variant (GVariant *variant)
{
  g_autoptr(GVariantDict) dict = NULL;
  CrmPipelineFilter *filter = crm_pipeline_filter_new ();
  gint64 amount;

  if (variant == NULL || !g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    return filter;
  dict = g_variant_dict_new (variant);
  filter->owner_id = lookup_string (dict, "owner");
  filter->team_id = lookup_string (dict, "team");
  filter->region_id = lookup_string (dict, "region");
  filter->product_line = lookup_string (dict, "product-line");
  if (g_variant_dict_lookup (dict, "amount-min", "x", &amount) && amount >= 0)
    filter->amount_min = amount;
  if (g_variant_dict_lookup (dict, "amount-max", "x", &amount) && amount >= 0)
    filter->amount_max = amount;
  filter->close_from = lookup_string (dict, "close-from");
  filter->close_to = lookup_string (dict, "close-to");
  return filter;
}

static char *
format_date (GDateYear  year,
             GDateMonth month,
             GDateDay   day)
{
  return g_strdup_printf ("%04u-%02u-%02u", (guint) year, (guint) month, (guint) day);
}

void
crm_pipeline_period_bounds (CrmPipelinePeriod   period,
                            GDate              *date,
                            char              **first,
                            char              **last)
{
  GDateYear year;
  GDateMonth month, first_month, last_month;

  g_return_if_fail (date != NULL && g_date_valid (date));
  g_return_if_fail (first != NULL && last != NULL);

  year = g_date_get_year (date);
  month = g_date_get_month (date);
  switch (period)
    {
    case CRM_PIPELINE_PERIOD_MONTH:
      first_month = last_month = month;
      break;
    case CRM_PIPELINE_PERIOD_QUARTER:
      first_month = (GDateMonth) (((month - 1) / 3) * 3 + 1);
      last_month = (GDateMonth) (first_month + 2);
      break;
    case CRM_PIPELINE_PERIOD_YEAR:
    default:
      first_month = G_DATE_JANUARY;
      last_month = G_DATE_DECEMBER;
      break;
    }
  *first = format_date (year, first_month, 1);
  *last = format_date (year, last_month, g_date_get_days_in_month (last_month, year));
}
