#define G_LOG_DOMAIN "crm-report-loader"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-error.h"
#include "crm-report-cache.h"
#include "crm-report-loader.h"

/* How often the age is written again. */
#define AGE_INTERVAL 30

struct _CrmReportLoader
{
  GObject          parent_instance;

  CrmReportKind    kind;
  CrmApi          *api;
  CrmStore        *store;
  CrmReportQuery  *query;
  GCancellable    *cancellable;
  CrmReportState   state;
  gpointer         report;
  GDateTime       *fetched_at;
  GError          *error;
  char            *age_text;
  guint            age_source;
  gboolean         inactive;       /* nobody looks: the query waits */
  gboolean         waiting;        /* a query waits for crm_report_loader_set_active () */
};

G_DEFINE_FINAL_TYPE (CrmReportLoader, crm_report_loader, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_AGE_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_age (CrmReportLoader *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  char *text = self->fetched_at ? crm_report_format_age (self->fetched_at, now) : g_strdup ("");

  if (g_strcmp0 (text, self->age_text) == 0)
    {
      g_free (text);
      return;
    }
  g_free (self->age_text);
  self->age_text = text;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGE_TEXT]);
}

static gboolean
age_cb (gpointer user_data)
{
  update_age (user_data);
  return G_SOURCE_CONTINUE;
}

static void
set_report (CrmReportLoader *self,
            CrmReportState   state,
            gpointer         report,
            GDateTime       *fetched_at)
{
  if (self->report != NULL)
    crm_report_free (self->kind, self->report);
  self->report = report;
  g_clear_pointer (&self->fetched_at, g_date_time_unref);
  self->fetched_at = fetched_at ? g_date_time_ref (fetched_at) : NULL;
  self->state = state;
  update_age (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
fetch_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CrmReportLoader *self = user_data;
  g_autoptr(GDateTime) fetched_at = NULL;
  g_autoptr(GError) error = NULL;
  gpointer report;

  /* cancelled when the query changed or the loader went: then @self
   * may be gone, and is not touched */
  report = crm_report_fetch_finish (result, &fetched_at, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (report != NULL)
    {
      set_report (self, CRM_REPORT_STATE_FRESH, report, fetched_at);
      return;
    }
  if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE) &&
      g_strcmp0 (crm_error_get_field (error), CRM_API_FIELD_SERVER) == 0)
    {
      /* not reached: the kept answer (if any) stays */
      self->state = self->report != NULL ? CRM_REPORT_STATE_OFFLINE : CRM_REPORT_STATE_NONE;
      g_signal_emit (self, signals[CHANGED], 0);
      return;
    }
  g_clear_error (&self->error);
  self->error = g_steal_pointer (&error);
  set_report (self, CRM_REPORT_STATE_FAILED, NULL, NULL);
}

static void
start (CrmReportLoader *self)
{
  g_autoptr(GDateTime) fetched_at = NULL;
  g_autoptr(GError) error = NULL;
  gpointer kept = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  if (self->query == NULL)
    return;
  if (self->inactive)
    {
      self->waiting = TRUE;
      return;
    }
  self->waiting = FALSE;

  if (self->store != NULL)
    {
      kept = crm_report_cache_read (self->store, self->kind, self->query, &fetched_at, &error);
      if (error != NULL)
        g_warning ("%s", error->message);
    }
  if (self->api == NULL)
    {
      set_report (self, kept ? CRM_REPORT_STATE_OFFLINE : CRM_REPORT_STATE_EMPTY, kept, fetched_at);
      return;
    }
  set_report (self, kept ? CRM_REPORT_STATE_KEPT : CRM_REPORT_STATE_LOADING, kept, fetched_at);
  self->cancellable = g_cancellable_new ();
  crm_report_fetch_async (self->api, self->store, self->kind, self->query, self->cancellable, fetch_cb, self);
}

static void
crm_report_loader_dispose (GObject *object)
{
  CrmReportLoader *self = CRM_REPORT_LOADER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->age_source, g_source_remove);
  g_clear_object (&self->api);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_report_loader_parent_class)->dispose (object);
}

static void
crm_report_loader_finalize (GObject *object)
{
  CrmReportLoader *self = CRM_REPORT_LOADER (object);

  if (self->report != NULL)
    crm_report_free (self->kind, self->report);
  g_clear_pointer (&self->query, crm_report_query_free);
  g_clear_pointer (&self->fetched_at, g_date_time_unref);
  g_clear_error (&self->error);
  g_free (self->age_text);

  G_OBJECT_CLASS (crm_report_loader_parent_class)->finalize (object);
}

static void
crm_report_loader_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrmReportLoader *self = CRM_REPORT_LOADER (object);

  switch (prop_id)
    {
    case PROP_AGE_TEXT:
      g_value_set_string (value, crm_report_loader_get_age_text (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_report_loader_class_init (CrmReportLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_report_loader_dispose;
  object_class->finalize = crm_report_loader_finalize;
  object_class->get_property = crm_report_loader_get_property;

  properties[PROP_AGE_TEXT] =
    g_param_spec_string ("age-text", NULL, NULL, "",
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmReportLoader::changed:
   *
   * The state, the report or the error changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
crm_report_loader_init (CrmReportLoader *self)
{
  self->age_text = g_strdup ("");
  self->age_source = g_timeout_add_seconds (AGE_INTERVAL, age_cb, self);
}

CrmReportLoader *
crm_report_loader_new (CrmReportKind kind)
{
  CrmReportLoader *self;

  g_return_val_if_fail (kind < CRM_N_REPORTS, NULL);

  self = g_object_new (CRM_TYPE_REPORT_LOADER, NULL);
  self->kind = kind;
  return self;
}

void
crm_report_loader_set_api (CrmReportLoader *self,
                           CrmApi          *api)
{
  g_return_if_fail (CRM_IS_REPORT_LOADER (self));
  g_return_if_fail (api == NULL || CRM_IS_API (api));

  if (g_set_object (&self->api, api))
    start (self);
}

void
crm_report_loader_set_store (CrmReportLoader *self,
                             CrmStore        *store)
{
  g_return_if_fail (CRM_IS_REPORT_LOADER (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (g_set_object (&self->store, store))
    start (self);
}

void
crm_report_loader_load (CrmReportLoader      *self,
                        const CrmReportQuery *query)
{
  g_return_if_fail (CRM_IS_REPORT_LOADER (self));
  g_return_if_fail (query != NULL);

  g_clear_pointer (&self->query, crm_report_query_free);
  self->query = crm_report_query_copy (query);
  start (self);
}

/**
 * crm_report_loader_set_active:
 * @active: whether anyone looks at the report
 *
 * An inactive loader keeps its query but neither reads the cache nor
 * asks the server; made active, it loads what it was last given.  A page
 * that may never be opened (the Pipeline's Forecast and Analysis) is
 * active only while it is mapped, so signing in costs no report.  A
 * loader is active when made.
 */
void
crm_report_loader_set_active (CrmReportLoader *self,
                              gboolean         active)
{
  g_return_if_fail (CRM_IS_REPORT_LOADER (self));

  self->inactive = !active;
  if (active && self->waiting)
    start (self);
}

static void
widget_mapped_cb (CrmReportLoader *self)
{
  crm_report_loader_set_active (self, TRUE);
}

static void
widget_unmapped_cb (CrmReportLoader *self)
{
  crm_report_loader_set_active (self, FALSE);
}

/**
 * crm_report_loader_follow_mapped:
 * @widget: the page that shows the report
 *
 * Makes the loader active exactly while @widget is mapped.
 */
void
crm_report_loader_follow_mapped (CrmReportLoader *self,
                                 GtkWidget       *widget)
{
  g_return_if_fail (CRM_IS_REPORT_LOADER (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  crm_report_loader_set_active (self, gtk_widget_get_mapped (widget));
  g_signal_connect_object (widget, "map", G_CALLBACK (widget_mapped_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (widget, "unmap", G_CALLBACK (widget_unmapped_cb), self, G_CONNECT_SWAPPED);
}

void
crm_report_loader_reload (CrmReportLoader *self)
{
  g_return_if_fail (CRM_IS_REPORT_LOADER (self));

  start (self);
}

CrmReportState
crm_report_loader_get_state (CrmReportLoader *self)
{
  g_return_val_if_fail (CRM_IS_REPORT_LOADER (self), CRM_REPORT_STATE_EMPTY);

  return self->state;
}

gpointer
crm_report_loader_get_report (CrmReportLoader *self)
{
  g_return_val_if_fail (CRM_IS_REPORT_LOADER (self), NULL);

  return self->report;
}

GDateTime *
crm_report_loader_get_fetched_at (CrmReportLoader *self)
{
  g_return_val_if_fail (CRM_IS_REPORT_LOADER (self), NULL);

  return self->fetched_at;
}

const GError *
crm_report_loader_get_error (CrmReportLoader *self)
{
  g_return_val_if_fail (CRM_IS_REPORT_LOADER (self), NULL);

  return self->error;
}

const CrmReportQuery *
crm_report_loader_get_query (CrmReportLoader *self)
{
  g_return_val_if_fail (CRM_IS_REPORT_LOADER (self), NULL);

  return self->query;
}

const char *
crm_report_loader_get_age_text (CrmReportLoader *self)
{
  g_return_val_if_fail (CRM_IS_REPORT_LOADER (self), NULL);

  return self->age_text;
}

char *
crm_report_state_dup_status (CrmReportState  state,
                             const char     *age)
{
  switch (state)
    {
    case CRM_REPORT_STATE_OFFLINE:
      /* TRANSLATORS: the server cannot be reached; %s is "As of 10:42, 3 hours ago" */
      return g_strdup_printf (_("Offline. %s"), age);
    case CRM_REPORT_STATE_KEPT:
      /* TRANSLATORS: a kept answer is shown while the server is asked; %s is its age */
      return g_strdup_printf (_("%s. Asking the server…"), age);
    case CRM_REPORT_STATE_FRESH:
      return g_strdup (age);
    case CRM_REPORT_STATE_NONE:
      return g_strdup (_("Offline."));
    case CRM_REPORT_STATE_EMPTY:
    case CRM_REPORT_STATE_LOADING:
    case CRM_REPORT_STATE_FAILED:
    default:
      return g_strdup ("");
    }
}

char *
crm_report_loader_dup_status (CrmReportLoader *self)
{
  g_return_val_if_fail (CRM_IS_REPORT_LOADER (self), NULL);

  return crm_report_state_dup_status (self->state, self->age_text);
}

gboolean
crm_report_loader_is_offline (CrmReportLoader *self)
{
  g_return_val_if_fail (CRM_IS_REPORT_LOADER (self), FALSE);

  return self->state == CRM_REPORT_STATE_OFFLINE || self->state == CRM_REPORT_STATE_NONE;
}
