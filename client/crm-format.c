#define G_LOG_DOMAIN "crm-format"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "crm-entity.h"
#include "crm-format.h"

/* The locale's digit grouping (printf's ' flag reads LC_NUMERIC).  The C
 * and POSIX locales have no thousands separator; money without grouping
 * is hard to read, so there a comma groups, as in en_US and zh_CN. */
static char *
group_digits (guint64 value)
{
  const struct lconv *conv = localeconv ();

  if (conv->thousands_sep != NULL && conv->thousands_sep[0] != '\0')
    return g_strdup_printf ("%'" G_GUINT64_FORMAT, value);
  else
    {
      g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
      gsize len = strlen (digits);
      GString *out = g_string_sized_new (len + len / 3);

      for (gsize i = 0; i < len; i++)
        {
          if (i > 0 && (len - i) % 3 == 0)
            g_string_append_c (out, ',');
          g_string_append_c (out, digits[i]);
        }
      return g_string_free (out, FALSE);
    }
}

static guint64
magnitude (gint64 value)
{
  return value < 0 ? (guint64) (-(value + 1)) + 1 : (guint64) value;
}

char *
crm_format_number (gint64 value)
{
  g_autofree char *digits = group_digits (magnitude (value));

  return value < 0 ? g_strconcat ("-", digits, NULL) : g_steal_pointer (&digits);
}

char *
crm_format_money (gint64 fen)
{
  const struct lconv *conv = localeconv ();
  const char *point = conv->decimal_point && conv->decimal_point[0] ? conv->decimal_point : ".";
  guint64 abs_value = magnitude (fen);
  g_autofree char *yuan = group_digits (abs_value / 100);

  return g_strdup_printf ("%s¥%s%s%02u", fen < 0 ? "-" : "", yuan, point, (guint) (abs_value % 100));
}

static GDateTime *
parse (const char *iso)
{
  GDateTime *dt;

  if (iso == NULL || iso[0] == '\0')
    return NULL;

  dt = g_date_time_new_from_iso8601 (iso, NULL);
  if (dt == NULL && strlen (iso) == 10)
    {
      /* A date without a time: midnight, local time, so that the day
       * does not move with the time zone. */
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();
      g_autofree char *with_time = g_strconcat (iso, "T00:00:00", NULL);

      dt = g_date_time_new_from_iso8601 (with_time, local);
    }
  return dt;
}

char *
crm_format_date (const char *iso)
{
  g_autoptr(GDateTime) dt = parse (iso);

  /* %x: the locale's own way to write a date (LC_TIME). */
  return dt ? g_date_time_format (dt, "%x") : NULL;
}

char *
crm_format_date_time (const char *iso)
{
  g_autoptr(GDateTime) dt = parse (iso);
  g_autoptr(GDateTime) local = NULL;

  if (dt == NULL)
    return NULL;
  local = g_date_time_to_local (dt);
  return g_date_time_format (local, "%x %H:%M");
}

char *
crm_format_synced (GDateTime *synced,
                   GDateTime *now)
{
  GTimeSpan span;
  guint n;

  g_return_val_if_fail (synced != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  span = g_date_time_difference (now, synced);
  if (span < G_TIME_SPAN_MINUTE)
    return g_strdup (_("Synced just now"));
  if (span < G_TIME_SPAN_HOUR)
    {
      n = span / G_TIME_SPAN_MINUTE;
      return g_strdup_printf (ngettext ("Synced %u minute ago", "Synced %u minutes ago", n), n);
    }
  if (span < G_TIME_SPAN_DAY)
    {
      n = span / G_TIME_SPAN_HOUR;
      return g_strdup_printf (ngettext ("Synced %u hour ago", "Synced %u hours ago", n), n);
    }
  {
    g_autoptr(GDateTime) local = g_date_time_to_local (synced);
    g_autofree char *date = g_date_time_format (local, "%x");

    /* TRANSLATORS: %s is a date */
    return g_strdup_printf (_("Synced on %s"), date);
  }
}

const char *
crm_tier_label (CrmTier tier)
{
  switch (tier)
    {
    case CRM_TIER_KEY:
      return C_("tier", "Key");
    case CRM_TIER_MAJOR:
      return C_("tier", "Major");
    case CRM_TIER_STANDARD:
      return C_("tier", "Standard");
    case CRM_N_TIERS:
    default:
      return "";
    }
}

const char *
crm_customer_status_label (CrmCustomerStatus status)
{
  switch (status)
    {
    case CRM_CUSTOMER_STATUS_PROSPECT:
      return C_("customer status", "Prospect");
    case CRM_CUSTOMER_STATUS_ACTIVE:
      return C_("customer status", "Active");
    case CRM_CUSTOMER_STATUS_CHURNED:
      return C_("customer status", "Churned");
    case CRM_N_CUSTOMER_STATUSES:
    default:
      return "";
    }
}

const char *
crm_customer_kind_label (CrmCustomerKind kind)
{
  switch (kind)
    {
    case CRM_CUSTOMER_KIND_GOVERNMENT:
      return C_("customer kind", "Government");
    case CRM_CUSTOMER_KIND_LARGE_ENTERPRISE:
      return C_("customer kind", "Large enterprise");
    case CRM_CUSTOMER_KIND_SME:
      return C_("customer kind", "Small or medium enterprise");
    case CRM_N_CUSTOMER_KINDS:
    default:
      return "";
    }
}

const char *
crm_tier_label_for (const char *tier)
{
  int index = tier ? crm_wire_lookup (crm_tier_names, tier) : -1;

  return index >= 0 ? crm_tier_label (index) : (tier ? tier : "");
}

const char *
crm_customer_status_label_for (const char *status)
{
  int index = status ? crm_wire_lookup (crm_customer_status_names, status) : -1;

  return index >= 0 ? crm_customer_status_label (index) : (status ? status : "");
}

const char *
crm_customer_kind_label_for (const char *kind)
{
  int index = kind ? crm_wire_lookup (crm_customer_kind_names, kind) : -1;

  return index >= 0 ? crm_customer_kind_label (index) : (kind ? kind : "");
}

const char *
crm_value_segment_label_for (const char *segment)
{
  if (segment == NULL)
    return "";
  if (g_str_equal (segment, "high"))
    return _("High value");
  if (g_str_equal (segment, "medium"))
    return _("Medium value");
  if (g_str_equal (segment, "low"))
    return _("Low value");
  return segment;
}

const char *
crm_customer_warning_label (CrmCustomerWarnings warning)
{
  switch ((int) warning)
    {
    case CRM_CUSTOMER_WARNING_ARREARS:
      return _("Arrears above a month of revenue");
    case CRM_CUSTOMER_WARNING_CHURN_RISK:
      return _("High churn risk");
    case CRM_CUSTOMER_WARNING_CONTRACT_ENDS:
      return _("Contract ends within 90 days");
    case CRM_CUSTOMER_WARNING_OVERDUE_STEP:
      return _("Service step overdue");
    default:
      return NULL;
    }
}

const char *
crm_customer_warning_icon_name (CrmCustomerWarnings warning)
{
  switch ((int) warning)
    {
    case CRM_CUSTOMER_WARNING_ARREARS:
    case CRM_CUSTOMER_WARNING_CHURN_RISK:
      return "dialog-warning-symbolic";
    case CRM_CUSTOMER_WARNING_CONTRACT_ENDS:
    case CRM_CUSTOMER_WARNING_OVERDUE_STEP:
      return "alarm-symbolic";
    default:
      return NULL;
    }
}

const char * const crm_industry_names[] = {
  "government", "finance", "healthcare", "education", "manufacturing", "logistics", "transport",
  "retail", "hospitality", "construction", "energy", "internet", "media", "services", NULL
};

const char *
crm_industry_label_for (const char *industry)
{
  static const struct { const char *word; const char *label; } labels[] = {
    { "government", NC_("industry", "Government") },
    { "finance", NC_("industry", "Finance") },
    { "healthcare", NC_("industry", "Healthcare") },
    { "education", NC_("industry", "Education") },
    { "manufacturing", NC_("industry", "Manufacturing") },
    { "logistics", NC_("industry", "Logistics") },
    { "transport", NC_("industry", "Transport") },
    { "retail", NC_("industry", "Retail") },
    { "hospitality", NC_("industry", "Hospitality") },
    { "construction", NC_("industry", "Construction") },
    { "energy", NC_("industry", "Energy") },
    { "internet", NC_("industry", "Internet") },
    { "media", NC_("industry", "Media") },
    { "services", NC_("industry", "Business services") },
  };

  if (industry == NULL)
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (industry, labels[i].word))
      return g_dpgettext2 (NULL, "industry", labels[i].label);
  return industry;
}

const char *
crm_field_label (CrmEntity   entity,
                 const char *name)
{
  const CrmField *field;

  g_return_val_if_fail ((guint) entity < CRM_N_ENTITIES, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  /* the entity table's label: a company's "Name" or, in context, a person's */
  field = crm_entity_info_field (crm_entity_info (entity), name);
  if (field == NULL || field->label == NULL)
    return NULL;
  if (field->label_context != NULL)
    return g_dpgettext2 (GETTEXT_PACKAGE, field->label_context, field->label);
  return g_dgettext (GETTEXT_PACKAGE, field->label);
}

char *
crm_field_problem (const CrmField *spec,
                   const char     *value)
{
  g_return_val_if_fail (spec != NULL, NULL);

  if (value == NULL || value[0] == '\0')
    return g_strdup (_("This field cannot be empty"));
  if (spec->mask != CRM_FIELD_MASK_NONE && strchr (value, '*') != NULL)
    return g_strdup (_("Enter the whole value: * stands for hidden characters"));

  switch (spec->check)
    {
    case CRM_FIELD_TEXT:
      if (spec->max_chars > 0 && g_utf8_strlen (value, -1) > spec->max_chars)
        return g_strdup_printf (ngettext ("Use at most %u character", "Use at most %u characters", spec->max_chars),
                                spec->max_chars);
      return g_strdup (_("This text has characters that cannot be used"));
    case CRM_FIELD_MOBILE:
      return g_strdup (_("Enter a mobile number of 11 digits starting with 1"));
    case CRM_FIELD_EMAIL:
      return g_strdup (_("Enter an e-mail address, such as name@example.com"));
    case CRM_FIELD_PHONE:
      return g_strdup (_("Enter a telephone number of 5 to 20 digits"));
    case CRM_FIELD_ENUM:
      return g_strdup (_("Choose one of the values offered"));
    case CRM_FIELD_BOOL:
    case CRM_FIELD_UUID:
    default:
      return g_strdup (_("This value cannot be used"));
    }
}
