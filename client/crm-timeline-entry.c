#define G_LOG_DOMAIN "crm-timeline-entry"

#include "config.h"

#include <string.h>

#include "crm-timeline-entry.h"

struct _CrmTimelineEntry
{
  GObject          parent_instance;

  CrmTimelineKind  kind;
  gboolean         overdue;
  gint64           when;
  char            *key;
  char            *when_text;
  const char      *icon_name;   /* interned */
  char            *title;
  char            *meta;
  char            *detail;
};

G_DEFINE_FINAL_TYPE (CrmTimelineEntry, crm_timeline_entry, G_TYPE_OBJECT)

static void
crm_timeline_entry_finalize (GObject *object)
{
  CrmTimelineEntry *self = CRM_TIMELINE_ENTRY (object);

  g_free (self->key);
  g_free (self->when_text);
  g_free (self->title);
  g_free (self->meta);
  g_free (self->detail);

  G_OBJECT_CLASS (crm_timeline_entry_parent_class)->finalize (object);
}

static void
crm_timeline_entry_class_init (CrmTimelineEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = crm_timeline_entry_finalize;
}

static void
crm_timeline_entry_init (CrmTimelineEntry *self)
{
}

static char *
format_when (gint64 when)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  /* the locale's date, and hours:minutes */
  return local ? g_date_time_format (local, "%x %H:%M") : g_strdup ("");
}

CrmTimelineEntry *
crm_timeline_entry_new (CrmTimelineKind  kind,
                        const char      *key,
                        gint64           when,
                        const char      *icon_name,
                        const char      *title,
                        const char      *meta,
                        const char      *detail,
                        gboolean         overdue)
{
  CrmTimelineEntry *self = g_object_new (CRM_TYPE_TIMELINE_ENTRY, NULL);

  g_return_val_if_fail (key != NULL, self);

  self->kind = kind;
  self->key = g_strdup (key);
  self->when = when;
  self->when_text = format_when (when);
  self->icon_name = g_intern_string (icon_name);
  self->title = g_strdup (title ? title : "");
  self->meta = g_strdup (meta ? meta : "");
  self->detail = g_strdup (detail ? detail : "");
  self->overdue = !!overdue;
  return self;
}

CrmTimelineKind
crm_timeline_entry_get_kind (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), 0);
  return self->kind;
}

const char *
crm_timeline_entry_get_key (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), NULL);
  return self->key;
}

gint64
crm_timeline_entry_get_when (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), 0);
  return self->when;
}

const char *
crm_timeline_entry_get_when_text (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), NULL);
  return self->when_text;
}

const char *
crm_timeline_entry_get_icon_name (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), NULL);
  return self->icon_name;
}

const char *
crm_timeline_entry_get_title (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), NULL);
  return self->title;
}

const char *
crm_timeline_entry_get_meta (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), NULL);
  return self->meta;
}

const char *
crm_timeline_entry_get_detail (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), NULL);
  return self->detail;
}

gboolean
crm_timeline_entry_get_overdue (CrmTimelineEntry *self)
{
  g_return_val_if_fail (CRM_IS_TIMELINE_ENTRY (self), FALSE);
  return self->overdue;
}

int
crm_timeline_entry_compare (gconstpointer a,
                            gconstpointer b)
{
  const CrmTimelineEntry *ea = *(CrmTimelineEntry * const *) a;
  const CrmTimelineEntry *eb = *(CrmTimelineEntry * const *) b;

  if (ea->when != eb->when)
    return ea->when > eb->when ? -1 : 1;
  return strcmp (ea->key, eb->key);
}
