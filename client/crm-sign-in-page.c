#define G_LOG_DOMAIN "crm-sign-in-page"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-api.h"
#include "crm-context.h"
#include "crm-error.h"
#include "crm-sign-in-page.h"
#include "crm-validate.h"

struct _CrmSignInPage
{
  AdwBin        parent_instance;

  AdwEntryRow  *server_row;
  AdwEntryRow  *login_row;
  AdwEntryRow  *password_row;
  GtkLabel     *message_label;
  GtkButton    *sign_in_button;
  GtkLabel     *button_label;
  GtkSpinner   *spinner;
  GtkButton    *offline_button;

  CrmContext   *context;
  GCancellable *cancellable;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (CrmSignInPage, crm_sign_in_page, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  SIGNED_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
can_sign_in (CrmSignInPage *self)
{
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *login = gtk_editable_get_text (GTK_EDITABLE (self->login_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  return !self->busy && server[0] != '\0' && login[0] != '\0' && password[0] != '\0';
}

static void
update_action (CrmSignInPage *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.sign-in", can_sign_in (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.open-offline",
                                 self->context != NULL && can_sign_in (self));
}

static void
set_busy (CrmSignInPage *self,
          gboolean       busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;

  /* Read-only rather than insensitive, so that focus stays where it is. */
  gtk_editable_set_editable (GTK_EDITABLE (self->server_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->login_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_label_set_label (self->button_label, busy ? _("Signing In…") : _("Sign In"));
  update_action (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_message (CrmSignInPage *self,
              const char    *message,
              AdwEntryRow   *row_at_fault)
{
  gtk_label_set_label (self->message_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);

  if (row_at_fault != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row_at_fault), "error");
      gtk_widget_grab_focus (GTK_WIDGET (row_at_fault));
    }
}

static void
clear_message (CrmSignInPage *self)
{
  show_message (self, NULL, NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->login_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->password_row), "error");
}

/* What went wrong, in the user's words, and which field to look at. */
static char *
describe_error (CrmSignInPage  *self,
                const GError   *error,
                guint           retry_after,
                const char     *server,
                AdwEntryRow   **row_at_fault)
{
  const char *field = crm_error_get_field (error);

  *row_at_fault = NULL;

  if (error->domain != CRM_ERROR)
    return g_strdup_printf (_("The server at %s did not answer like a Keyline server. Check the address."), server);

  if (error->code == CRM_ERROR_BAD_CREDENTIALS || error->code == CRM_ERROR_UNAUTHENTICATED)
    {
      *row_at_fault = self->password_row;
      return g_strdup (_("The login or password is not right."));
    }

  if (error->code == CRM_ERROR_THROTTLED)
    {
      guint minutes = (retry_after + 59) / 60;

      if (retry_after == 0)
        return g_strdup (_("Too many failed sign-ins. Try again later."));

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Too many failed sign-ins. Try again in %u minute.",
                                           "Too many failed sign-ins. Try again in %u minutes.",
                                           minutes),
                              minutes);
    }

  if (error->code == CRM_ERROR_UNAVAILABLE && g_strcmp0 (field, CRM_API_FIELD_SERVER) == 0)
    {
      *row_at_fault = self->server_row;
      return g_strdup_printf (_("Cannot reach the server at %s. Check the address and your network connection."), server);
    }

  if (error->code == CRM_ERROR_UNAVAILABLE || error->code == CRM_ERROR_INTERNAL)
    return g_strdup (_("The server could not sign you in because of a problem on its side. Try again in a few minutes."));

  if (error->code == CRM_ERROR_INVALID && g_strcmp0 (field, "login") == 0)
    {
      *row_at_fault = self->login_row;
      return g_strdup (_("A login is 2 to 64 letters, digits, “.”, “_” or “-”."));
    }

  if (error->code == CRM_ERROR_INVALID && g_strcmp0 (field, "password") == 0)
    {
      *row_at_fault = self->password_row;
      return g_strdup (_("The password is too long."));
    }

  return g_strdup_printf (_("The server at %s did not answer like a Keyline server. Check the address."), server);
}

/* ------------------------------------------------------------------ */
/* Offline: the local copy opened with the password                    */
/* ------------------------------------------------------------------ */

static char *
typed_server (CrmSignInPage *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
}

static char *
typed_login (CrmSignInPage *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->login_row))));
}

/* After an online sign-in: what the next offline start checks the
 * password against. */
static void
save_verifier (CrmSignInPage *self,
               const char    *server,
               JsonObject    *user)
{
  const char *login = json_object_get_string_member_with_default (user, "login", NULL);

  if (self->context == NULL || login == NULL)
    return;
  crm_context_save_verifier_async (self->context, server, login,
                                   gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                   NULL, NULL, NULL);
}

/* Whether a failed sign-in should open the local copy instead: the
 * server cannot be reached and this computer has the user's copy with its
 * verifier.  That is what someone signing in on a train expects; with no
 * copy here, the error says why nothing can be opened. */
static gboolean
unreachable_with_local_copy (CrmSignInPage *self,
                             const GError  *error,
                             const char    *server)
{
  g_autofree char *login = typed_login (self);
  g_autofree char *verifier = NULL;

  if (self->context == NULL ||
      !g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE) ||
      g_strcmp0 (crm_error_get_field (error), CRM_API_FIELD_SERVER) != 0)
    return FALSE;
  verifier = crm_context_dup_verifier_path (self->context, server, login);
  return verifier != NULL && g_file_test (verifier, G_FILE_TEST_IS_REGULAR);
}

static void
opened_offline_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CrmSignInPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *login = NULL;

  crm_context_open_offline_finish (CRM_CONTEXT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (error == NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
      return;
    }

  g_debug ("Opening offline failed: %s", error->message);
  login = typed_login (self);
  if (g_error_matches (error, CRM_ERROR, CRM_ERROR_BAD_CREDENTIALS))
    show_message (self, _("The password is not the one you last signed in with on this computer."),
                  self->password_row);
  else if (g_error_matches (error, CRM_ERROR, CRM_ERROR_NOT_FOUND))
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("There is no copy of %s’s customers on this computer. Sign in once while the server can be reached; after that you can work offline."),
                                 login);
      show_message (self, message, NULL);
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("The copy on this computer could not be opened: %s"), error->message);

      show_message (self, message, NULL);
    }
}

/* @after_unreachable: the server could not be reached just now. */
static void
open_offline (CrmSignInPage *self,
              gboolean       after_unreachable)
{
  g_autofree char *server = typed_server (self);
  g_autofree char *login = typed_login (self);

  if (self->context == NULL || self->busy)
    return;

  clear_message (self);
  set_busy (self, TRUE);
  gtk_label_set_label (self->button_label, after_unreachable ? _("Opening Offline…") : _("Opening…"));
  self->cancellable = g_cancellable_new ();
  crm_context_open_offline_async (self->context, server, login,
                                  gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                  self->cancellable, opened_offline_cb, g_object_ref (self));
}

static void
open_offline_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  open_offline (CRM_SIGN_IN_PAGE (widget), FALSE);
}

static void
sign_in_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CrmSignInPage) self = user_data;
  g_autoptr(JsonObject) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  CrmApi *api = CRM_API (object);
  guint retry_after = 0;

  token = crm_api_sign_in_finish (api, result, &user, &retry_after, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);

  if (token == NULL)
    {
      g_autofree char *message = NULL;
      AdwEntryRow *row_at_fault = NULL;

      g_debug ("Signing in failed: %s", error->message);
      if (unreachable_with_local_copy (self, error, crm_api_get_base_url (api)))
        {
          open_offline (self, TRUE);
          return;
        }
      message = describe_error (self, error, retry_after, crm_api_get_base_url (api), &row_at_fault);
      show_message (self, message, row_at_fault);
      return;
    }

  save_verifier (self, crm_api_get_base_url (api), user);

  /* The password has done its work; do not leave it in the field. */
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  g_signal_emit (self, signals[SIGNED_IN], 0, api, token, user);
}

static void
sign_in_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  CrmSignInPage *self = CRM_SIGN_IN_PAGE (widget);
  g_autoptr(CrmApi) api = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *login = NULL;
  const char *password;

  if (self->busy)
    return;

  server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  login = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->login_row))));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  clear_message (self);

  api = crm_api_new (server, &error);
  if (api == NULL)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("“%s” is not a server address. Enter one such as http://crm.example.com:8470."), server);
      show_message (self, message, self->server_row);
      return;
    }

  if (!crm_validate_login (login))
    {
      show_message (self, _("A login is 2 to 64 letters, digits, “.”, “_” or “-”."), self->login_row);
      return;
    }

  set_busy (self, TRUE);
  self->cancellable = g_cancellable_new ();
  crm_api_sign_in_async (api, login, password, self->cancellable, sign_in_cb, g_object_ref (self));
}

static AdwEntryRow *
first_empty_row (CrmSignInPage *self)
{
  AdwEntryRow *rows[] = { self->server_row, self->login_row, self->password_row };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      if (gtk_editable_get_text (GTK_EDITABLE (rows[i]))[0] == '\0')
        return rows[i];
    }

  return NULL;
}

static void
entry_activated_cb (CrmSignInPage *self,
                    AdwEntryRow   *row)
{
  AdwEntryRow *empty;

  if (can_sign_in (self))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.sign-in", NULL);
      return;
    }

  /* Not ready yet: Enter moves on to the first empty field. */
  empty = first_empty_row (self);
  if (empty != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (empty));
}

static void
row_changed_cb (CrmSignInPage *self,
                AdwEntryRow   *row)
{
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  update_action (self);
}

/* Focus goes to the first field still to fill in. */
static gboolean
crm_sign_in_page_grab_focus (GtkWidget *widget)
{
  CrmSignInPage *self = CRM_SIGN_IN_PAGE (widget);
  AdwEntryRow *empty = first_empty_row (self);

  return gtk_widget_grab_focus (GTK_WIDGET (empty ? empty : self->password_row));
}

static void
crm_sign_in_page_dispose (GObject *object)
{
  CrmSignInPage *self = (CrmSignInPage *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_SIGN_IN_PAGE);

  G_OBJECT_CLASS (crm_sign_in_page_parent_class)->dispose (object);
}

static void
crm_sign_in_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CrmSignInPage *self = CRM_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_sign_in_page_class_init (CrmSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_sign_in_page_dispose;
  object_class->get_property = crm_sign_in_page_get_property;

  widget_class->grab_focus = crm_sign_in_page_grab_focus;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmSignInPage::signed-in:
   * @api: the API client, now holding the token
   * @token: the new token
   * @user: the signed-in user
   */
  signals[SIGNED_IN] =
    g_signal_new ("signed-in",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, CRM_TYPE_API, G_TYPE_STRING, JSON_TYPE_OBJECT);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSignInPage, login_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, CrmSignInPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSignInPage, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, CrmSignInPage, button_label);
  gtk_widget_class_bind_template_child (widget_class, CrmSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, CrmSignInPage, offline_button);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_changed_cb);

  gtk_widget_class_install_action (widget_class, "sign-in.sign-in", NULL, sign_in_action);
  gtk_widget_class_install_action (widget_class, "sign-in.open-offline", NULL, open_offline_action);
}

static void
crm_sign_in_page_init (CrmSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  update_action (self);
}

GtkWidget *
crm_sign_in_page_new (void)
{
  return g_object_new (CRM_TYPE_SIGN_IN_PAGE, NULL);
}

const char *
crm_sign_in_page_get_server_url (CrmSignInPage *self)
{
  g_return_val_if_fail (CRM_IS_SIGN_IN_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->server_row));
}

void
crm_sign_in_page_set_server_url (CrmSignInPage *self,
                                 const char    *server_url)
{
  g_return_if_fail (CRM_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url ? server_url : "");
}

const char *
crm_sign_in_page_get_login (CrmSignInPage *self)
{
  g_return_val_if_fail (CRM_IS_SIGN_IN_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->login_row));
}

void
crm_sign_in_page_set_login (CrmSignInPage *self,
                            const char    *login)
{
  g_return_if_fail (CRM_IS_SIGN_IN_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->login_row), login ? login : "");
}

gboolean
crm_sign_in_page_get_busy (CrmSignInPage *self)
{
  g_return_val_if_fail (CRM_IS_SIGN_IN_PAGE (self), FALSE);

  return self->busy;
}

/**
 * crm_sign_in_page_get_message:
 *
 * Returns: the message shown below the fields, or "" when none is
 */
const char *
crm_sign_in_page_get_message (CrmSignInPage *self)
{
  g_return_val_if_fail (CRM_IS_SIGN_IN_PAGE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->message_label)))
    return "";

  return gtk_label_get_label (self->message_label);
}

/**
 * crm_sign_in_page_reset:
 *
 * Stops a sign-in in progress and clears the password and the message,
 * for showing the page again after signing out.
 */
void
crm_sign_in_page_reset (CrmSignInPage *self)
{
  g_return_if_fail (CRM_IS_SIGN_IN_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  clear_message (self);
}

/**
 * crm_sign_in_page_show_notice:
 * @notice: why the page is shown ("Your session has ended…")
 *
 * Shows @notice where the page's messages go, after crm_sign_in_page_reset ().
 * It stays on the page, not over the window: it goes when the page does
 * (signing in) or with the next message.
 */
void
crm_sign_in_page_show_notice (CrmSignInPage *self,
                              const char    *notice)
{
  g_return_if_fail (CRM_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (notice != NULL);

  show_message (self, notice, NULL);
}

/**
 * crm_sign_in_page_set_context:
 * @context: (nullable): the context to open local copies offline with
 *
 * With a context, a successful sign-in keeps the offline verifier, the
 * page offers Open Offline, and a sign-in that cannot reach the server
 * opens the local copy instead when this computer has one.
 */
void
crm_sign_in_page_set_context (CrmSignInPage *self,
                              CrmContext    *context)
{
  g_return_if_fail (CRM_IS_SIGN_IN_PAGE (self));
  g_return_if_fail (context == NULL || CRM_IS_CONTEXT (context));

  g_set_object (&self->context, context);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_button), context != NULL);
  update_action (self);
}
