#define G_LOG_DOMAIN "crm-application"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-application.h"
#include "crm-preferences-window.h"
#include "crm-window.h"

struct _CrmApplication
{
  AdwApplication  parent_instance;

  CrmContext     *context;
  gboolean        restoring;
};

G_DEFINE_FINAL_TYPE (CrmApplication, crm_application, ADW_TYPE_APPLICATION)

static void
update_actions (CrmApplication *self)
{
  GAction *sign_out = g_action_map_lookup_action (G_ACTION_MAP (self), "sign-out");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (sign_out),
                               crm_context_get_state (self->context) == CRM_SESSION_SIGNED_IN);
}

static void
state_changed_cb (CrmApplication *self,
                  GParamSpec     *pspec,
                  CrmContext     *context)
{
  update_actions (self);
}

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CrmApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  self->restoring = FALSE;
  if (!crm_context_restore_finish (CRM_CONTEXT (object), result, &error))
    g_message ("Could not pick up the last session: %s", error->message);
  g_application_release (G_APPLICATION (self));
}

static void
sign_out_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CrmApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!crm_context_sign_out_finish (CRM_CONTEXT (object), result, &error))
    g_warning ("Signing out did not finish: %s", error->message);

  /* Held so that quitting right after signing out still tells the server. */
  g_application_release (G_APPLICATION (self));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CrmApplication *self = CRM_APPLICATION (user_data);
  GList *windows;

  /* Close rather than quit, so that each window remembers its size. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CrmApplication *self = CRM_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (crm_preferences_window_new (parent, self->context)));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CrmApplication *self = CRM_APPLICATION (user_data);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { _("The Keyline developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application", self,
                        "transient-for", parent,
                        "application-name", "Keyline",
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Keyline developers"),
                        "developers", developers,
                        "comments", _("Customers, contacts and sales for the key-account teams of telecom operators."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* TRANSLATORS: your names, one a line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
sign_out_confirmed_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(CrmApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (crm_window_confirm_sign_out_finish (CRM_WINDOW (object), result, &error) &&
      crm_context_get_state (self->context) == CRM_SESSION_SIGNED_IN)
    {
      /* sign_out_cb releases the application */
      crm_context_sign_out_async (self->context, NULL, sign_out_cb, g_object_ref (self));
      return;
    }
  if (error != NULL)
    g_warning ("Could not ask about the unsent changes: %s", error->message);
  g_application_release (G_APPLICATION (self));
}

static void
sign_out_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  CrmApplication *self = CRM_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (crm_context_get_state (self->context) != CRM_SESSION_SIGNED_IN)
    return;

  /* Held until the server is told, so that quitting right after signing
   * out still tells it; the window first asks about unsent changes. */
  g_application_hold (G_APPLICATION (self));
  if (CRM_IS_WINDOW (window))
    {
      crm_window_confirm_sign_out_async (CRM_WINDOW (window), NULL, sign_out_confirmed_cb, g_object_ref (self));
      return;
    }
  crm_context_sign_out_async (self->context, NULL, sign_out_cb, g_object_ref (self));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "sign-out", sign_out_action },
};

static void
crm_application_startup (GApplication *application)
{
  CrmApplication *self = CRM_APPLICATION (application);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *preferences_accels[] = { "<Control>comma", NULL };
  static const char *sync_accels[] = { "F5", "<Control>r", NULL };

  G_APPLICATION_CLASS (crm_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APP_ID);

  self->context = crm_context_new (NULL);
  g_signal_connect_object (self->context, "notify::state", G_CALLBACK (state_changed_cb), self, G_CONNECT_SWAPPED);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.sync", sync_accels);
  update_actions (self);
}

static void
crm_application_activate (GApplication *application)
{
  CrmApplication *self = CRM_APPLICATION (application);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (crm_window_new (GTK_APPLICATION (self), self->context));

  gtk_window_present (window);

  if (crm_context_get_state (self->context) == CRM_SESSION_STARTING && !self->restoring)
    {
      self->restoring = TRUE;
      g_application_hold (application);
      crm_context_restore_async (self->context, NULL, restore_cb, g_object_ref (self));
    }
}

static void
crm_application_dispose (GObject *object)
{
  CrmApplication *self = (CrmApplication *)object;

  g_clear_object (&self->context);

  G_OBJECT_CLASS (crm_application_parent_class)->dispose (object);
}

static void
crm_application_class_init (CrmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = crm_application_dispose;

  application_class->startup = crm_application_startup;
  application_class->activate = crm_application_activate;
}

static void
crm_application_init (CrmApplication *self)
{
}

CrmApplication *
crm_application_new (void)
{
  return g_object_new (CRM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/keylinecrm/Keyline",
                       NULL);
}

/**
 * crm_application_get_context:
 *
 * Returns: (transfer none) (nullable): the context, made at start-up
 */
CrmContext *
crm_application_get_context (CrmApplication *self)
{
  g_return_val_if_fail (CRM_IS_APPLICATION (self), NULL);

  return self->context;
}

void
crm_application_setup_gettext (void)
{
  const char *localedir = g_getenv ("KEYLINE_LOCALEDIR");

  if (localedir == NULL || localedir[0] == '\0')
    localedir = LOCALEDIR;

  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
