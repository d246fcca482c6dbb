#define G_LOG_DOMAIN "crm-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-preferences-window.h"
#include "crm-user.h"

struct _CrmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  CrmContext           *context;

  /* Template widgets */
  AdwActionRow         *server_row;
  AdwActionRow         *user_row;
};

G_DEFINE_FINAL_TYPE (CrmPreferencesWindow, crm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_session (CrmPreferencesWindow *self)
{
  g_autofree char *server = crm_context_dup_server_url (self->context);
  JsonObject *user = crm_context_get_user (self->context);

  adw_action_row_set_subtitle (self->server_row, server);

  if (user == NULL)
    {
      adw_action_row_set_subtitle (self->user_row, _("Not signed in"));
    }
  else
    {
      g_autofree char *who = NULL;
      const char *login = json_object_get_string_member_with_default (user, "login", "");

      /* TRANSLATORS: a user's name and, in brackets, their login */
      who = g_strdup_printf (_("%s (%s)"), crm_user_get_display_name (user), login);
      adw_action_row_set_subtitle (self->user_row, who);
    }
}

static void
state_changed_cb (CrmPreferencesWindow *self,
                  GParamSpec           *pspec,
                  CrmContext           *context)
{
  /* Signed out from here or elsewhere: nothing left to show. */
  if (crm_context_get_state (context) == CRM_SESSION_SIGNED_OUT)
    gtk_window_close (GTK_WINDOW (self));
  else
    update_session (self);
}

static void
crm_preferences_window_constructed (GObject *object)
{
  CrmPreferencesWindow *self = (CrmPreferencesWindow *)object;

  G_OBJECT_CLASS (crm_preferences_window_parent_class)->constructed (object);

  g_assert (CRM_IS_CONTEXT (self->context));

  g_signal_connect_object (self->context, "notify::state", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);
  update_session (self);
}

static void
crm_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CRM_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (crm_preferences_window_parent_class)->dispose (object);
}

static void
crm_preferences_window_finalize (GObject *object)
{
  CrmPreferencesWindow *self = (CrmPreferencesWindow *)object;

  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_preferences_window_parent_class)->finalize (object);
}

static void
crm_preferences_window_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  CrmPreferencesWindow *self = CRM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_preferences_window_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  CrmPreferencesWindow *self = CRM_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_preferences_window_class_init (CrmPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = crm_preferences_window_constructed;
  object_class->dispose = crm_preferences_window_dispose;
  object_class->finalize = crm_preferences_window_finalize;
  object_class->get_property = crm_preferences_window_get_property;
  object_class->set_property = crm_preferences_window_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         CRM_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, CrmPreferencesWindow, user_row);
}

static void
crm_preferences_window_init (CrmPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * crm_preferences_window_new:
 * @parent: (nullable): the window it belongs to; its application's actions
 *   (app.sign-out) serve the preferences too
 */
GtkWidget *
crm_preferences_window_new (GtkWindow  *parent,
                            CrmContext *context)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_CONTEXT (context), NULL);

  return g_object_new (CRM_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "application", parent ? gtk_window_get_application (parent) : NULL,
                       "context", context,
                       NULL);
}
