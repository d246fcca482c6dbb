#define G_LOG_DOMAIN "crm-masked-value"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-entity.h"
#include "crm-error.h"
#include "crm-masked-value.h"

struct _CrmMaskedValue
{
  GtkBox        parent_instance;

  CrmApi       *api;
  gboolean      may_reveal;
  gboolean      offline;
  char         *customer_id;
  char         *entity;
  char         *record_id;
  char         *field;
  char         *value;        /* as shown: the store's, or the revealed one */
  char         *error;
  GCancellable *cancellable;  /* a reveal on its way */

  /* Built in code, each only once it is first shown: a page of contacts
   * makes three of these a contact, and a GtkBuilder template each (seven
   * widgets, four of them hidden) cost more than the rest of the row. */
  GtkWidget    *column;         /* the value, and the error under it */
  GtkLabel     *value_label;
  GtkLabel     *error_label;    /* NULL until there is an error */
  GtkButton    *reveal_button;  /* NULL until offered */
  GtkButton    *copy_button;
  GtkButton    *call_button;
};

G_DEFINE_FINAL_TYPE (CrmMaskedValue, crm_masked_value, GTK_TYPE_BOX)

enum {
  REVEALED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const CrmField *
field_spec (CrmMaskedValue *self)
{
  const CrmEntityInfo *info = self->entity ? crm_entity_info_lookup (self->entity) : NULL;

  return info != NULL && self->field != NULL ? crm_entity_info_field (info, self->field) : NULL;
}

static gboolean
is_phone (CrmMaskedValue *self)
{
  const CrmField *spec = field_spec (self);

  return spec != NULL && spec->mask == CRM_FIELD_MASK_PHONE;
}

static void
set_error (CrmMaskedValue *self,
           const char     *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  if (self->error_label == NULL && message == NULL)
    return;
  if (self->error_label == NULL)
    {
      GtkWidget *label = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 32);
      gtk_widget_add_css_class (label, "error");
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (self->column), label);
      self->error_label = GTK_LABEL (label);
    }
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* A flat button for @action, after @sibling (NULL: last). */
static GtkButton *
add_button (CrmMaskedValue *self,
            const char     *action,
            const char     *label,
            const char     *icon_name,
            const char     *tooltip,
            GtkWidget      *sibling)
{
  GtkWidget *button = icon_name != NULL ? gtk_button_new_from_icon_name (icon_name)
                                        : gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  if (icon_name != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_add_css_class (button, "flat");
  if (sibling != NULL)
    gtk_box_insert_child_after (GTK_BOX (self), button, sibling);
  else
    gtk_box_append (GTK_BOX (self), button);
  return GTK_BUTTON (button);
}

/* Shows or hides a button, making it the first time it is shown. */
static void
show_button (CrmMaskedValue *self,
             GtkButton     **button,
             gboolean        visible,
             const char     *action)
{
  if (*button == NULL && !visible)
    return;
  if (*button == NULL && g_str_equal (action, "masked.reveal"))
    *button = add_button (self, action, _("_Reveal"), NULL,
                          _("Show the full value; the server records who saw it"), self->column);
  else if (*button == NULL && g_str_equal (action, "masked.copy"))
    *button = add_button (self, action, NULL, "edit-copy-symbolic", _("Copy the number"),
                          self->reveal_button ? GTK_WIDGET (self->reveal_button) : self->column);
  else if (*button == NULL)
    *button = add_button (self, action, NULL, "call-start-symbolic", _("Call the number"), NULL);
  gtk_widget_set_visible (GTK_WIDGET (*button), visible);
}

static void
update (CrmMaskedValue *self)
{
  gboolean has_value = self->value != NULL && self->value[0] != '\0';
  gboolean masked = crm_masked_value_get_masked (self);
  gboolean busy = self->cancellable != NULL;

  gtk_label_set_label (self->value_label, has_value ? self->value : "—");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->value_label), has_value ? self->value : NULL);
  if (masked)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->value_label),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Hidden to protect privacy"), -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self->value_label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  show_button (self, &self->reveal_button, masked && self->may_reveal, "masked.reveal");
  if (self->reveal_button != NULL)
    gtk_widget_set_sensitive (GTK_WIDGET (self->reveal_button), !busy);
  show_button (self, &self->copy_button, has_value && !masked && is_phone (self), "masked.copy");
  show_button (self, &self->call_button, has_value && !masked && is_phone (self), "masked.call");
}

static void
revealed_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CrmMaskedValue) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  if (!crm_api_reveal_finish (CRM_API (object), result, &value, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_clear_object (&self->cancellable);
      if (g_error_matches (error, CRM_ERROR, CRM_ERROR_UNAVAILABLE))
        set_error (self, _("Cannot reach the server: revealing needs a connection"));
      else if (g_error_matches (error, CRM_ERROR, CRM_ERROR_FORBIDDEN))
        set_error (self, _("Your role may not see this in full"));
      else if (g_error_matches (error, CRM_ERROR, CRM_ERROR_NOT_FOUND))
        set_error (self, _("The server no longer shows you this record"));
      else
        set_error (self, _("The value could not be revealed"));
      g_debug ("Reveal %s.%s: %s", self->entity, self->field, error->message);
      update (self);
      return;
    }
  g_clear_object (&self->cancellable);
  g_free (self->value);
  self->value = g_steal_pointer (&value);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    {
      g_signal_emit (self, signals[REVEALED], 0, self->value);
      return;
    }
  set_error (self, NULL);
  update (self);
  g_signal_emit (self, signals[REVEALED], 0, self->value);
}

static void
reveal_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmMaskedValue *self = CRM_MASKED_VALUE (widget);

  if (!crm_masked_value_get_masked (self) || !self->may_reveal || self->cancellable != NULL)
    return;
  if (self->api == NULL || self->offline)
    {
      set_error (self, _("You are offline: revealing needs a connection to the server"));
      return;
    }
  set_error (self, NULL);
  self->cancellable = g_cancellable_new ();
  crm_api_reveal_async (self->api, self->customer_id, self->entity, self->record_id, self->field,
                        self->cancellable, revealed_cb, g_object_ref (self));
  update (self);
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmMaskedValue *self = CRM_MASKED_VALUE (widget);

  if (self->value != NULL && !crm_masked_value_get_masked (self))
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->value);
}

static void
launched_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CrmMaskedValue) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_debug ("Call: %s", error->message);
      set_error (self, _("No application for phone calls is set up"));
    }
}

static void
call_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmMaskedValue *self = CRM_MASKED_VALUE (widget);
  g_autofree char *uri = crm_masked_value_dup_tel_uri (self);
  g_autoptr(GdkAppLaunchContext) context = NULL;

  if (uri == NULL)
    return;
  set_error (self, NULL);
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL, launched_cb,
                                           g_object_ref (self));
}

static void
crm_masked_value_dispose (GObject *object)
{
  CrmMaskedValue *self = CRM_MASKED_VALUE (object);

  /* a reveal on its way is not cancelled: the server records it, so its
   * value still reaches ::revealed (the owner may show it in a new row) */
  g_clear_object (&self->api);

  G_OBJECT_CLASS (crm_masked_value_parent_class)->dispose (object);
}

static void
crm_masked_value_finalize (GObject *object)
{
  CrmMaskedValue *self = CRM_MASKED_VALUE (object);

  g_clear_object (&self->cancellable);
  g_free (self->customer_id);
  g_free (self->entity);
  g_free (self->record_id);
  g_free (self->field);
  g_free (self->value);
  g_free (self->error);

  G_OBJECT_CLASS (crm_masked_value_parent_class)->finalize (object);
}

static void
crm_masked_value_class_init (CrmMaskedValueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_masked_value_dispose;
  object_class->finalize = crm_masked_value_finalize;

  /**
   * CrmMaskedValue::revealed:
   * @value: (nullable): the full value the server sent
   */
  signals[REVEALED] = g_signal_new ("revealed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "masked.reveal", NULL, reveal_action);
  gtk_widget_class_install_action (widget_class, "masked.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "masked.call", NULL, call_action);
}

static void
crm_masked_value_init (CrmMaskedValue *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_box_set_spacing (GTK_BOX (self), 6);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
  self->column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_set_valign (self->column, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self), self->column);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_focusable (label, FALSE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (self->column), label);
  self->value_label = GTK_LABEL (label);
  update (self);
}

GtkWidget *
crm_masked_value_new (void)
{
  return g_object_new (CRM_TYPE_MASKED_VALUE, NULL);
}

void
crm_masked_value_set (CrmMaskedValue *self,
                      const char     *customer_id,
                      const char     *entity,
                      const char     *record_id,
                      const char     *field,
                      const char     *value)
{
  g_return_if_fail (CRM_IS_MASKED_VALUE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_free (self->customer_id);
  self->customer_id = g_strdup (customer_id);
  g_free (self->entity);
  self->entity = g_strdup (entity);
  g_free (self->record_id);
  self->record_id = g_strdup (record_id);
  g_free (self->field);
  self->field = g_strdup (field);
  g_free (self->value);
  self->value = g_strdup (value);
  gtk_widget_set_name (GTK_WIDGET (self), field);
  /* a phone number is short and useless cut: it keeps its width, and the
   * row's other text gives way; a long address may be cut */
  gtk_label_set_ellipsize (self->value_label, is_phone (self) ? PANGO_ELLIPSIZE_NONE : PANGO_ELLIPSIZE_END);
  if (is_phone (self))
    gtk_widget_add_css_class (GTK_WIDGET (self->value_label), "numeric");
  set_error (self, NULL);
  update (self);
}

void
crm_masked_value_set_session (CrmMaskedValue *self,
                              CrmApi         *api,
                              gboolean        may_reveal,
                              gboolean        offline)
{
  g_return_if_fail (CRM_IS_MASKED_VALUE (self));
  g_return_if_fail (api == NULL || CRM_IS_API (api));

  g_set_object (&self->api, api);
  self->may_reveal = may_reveal;
  self->offline = offline;
  update (self);
}

void
crm_masked_value_set_revealed (CrmMaskedValue *self,
                               const char     *value)
{
  g_return_if_fail (CRM_IS_MASKED_VALUE (self));

  g_free (self->value);
  self->value = g_strdup (value);
  update (self);
}

const char *
crm_masked_value_get_text (CrmMaskedValue *self)
{
  g_return_val_if_fail (CRM_IS_MASKED_VALUE (self), NULL);

  return gtk_label_get_label (self->value_label);
}

/* Masked: a field the table masks, holding the mask character. */
gboolean
crm_masked_value_get_masked (CrmMaskedValue *self)
{
  const CrmField *spec;

  g_return_val_if_fail (CRM_IS_MASKED_VALUE (self), FALSE);

  spec = field_spec (self);
  return spec != NULL && spec->mask != CRM_FIELD_MASK_NONE && self->value != NULL && strchr (self->value, '*') != NULL;
}

const char *
crm_masked_value_get_error (CrmMaskedValue *self)
{
  g_return_val_if_fail (CRM_IS_MASKED_VALUE (self), NULL);

  return self->error;
}

char *
crm_masked_value_dup_tel_uri (CrmMaskedValue *self)
{
  GString *uri;

  g_return_val_if_fail (CRM_IS_MASKED_VALUE (self), NULL);

  if (!is_phone (self) || self->value == NULL || self->value[0] == '\0' || crm_masked_value_get_masked (self))
    return NULL;
  /* RFC 3966: digits, and the visual separator "-"; a leading "+" */
  uri = g_string_new ("tel:");
  for (const char *p = self->value; *p; p++)
    if (g_ascii_isdigit (*p) || *p == '-' || (*p == '+' && p == self->value))
      g_string_append_c (uri, *p);
  return g_string_free (uri, FALSE);
}
