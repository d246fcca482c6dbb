#define G_LOG_DOMAIN "crm-pending-popover"

#include "config.h"

#include <glib/gi18n.h>

#include "crm-entity.h"
#include "crm-format.h"
#include "crm-pending-popover.h"

struct _CrmPendingPopover
{
  GtkPopover     parent_instance;

  CrmStore      *store;
  CrmSyncEngine *engine;
  GSignalGroup  *store_signals;
  GSignalGroup  *engine_signals;
  guint          refresh_idle;
  guint          count;

  /* Template widgets */
  GtkListBox    *list;
};

G_DEFINE_FINAL_TYPE (CrmPendingPopover, crm_pending_popover, GTK_TYPE_POPOVER)

enum {
  PROP_0,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


/* Changes that make or remove a whole record, named by what they do:
 * "Delete contact 李明", "Log visit: 季度回访".  @kind: the record's
 * "kind" member, or NULL for any. */
static const struct
{
  CrmEntity      entity;
  CrmMutationOp  op;
  const char    *kind;
  const char    *format;   /* %s: the record's name */
} actions[] = {
  /* TRANSLATORS: %s is the contact's name */
  { CRM_ENTITY_CONTACT, CRM_MUTATION_OP_DELETE, NULL, N_("Delete contact %s") },
  /* TRANSLATORS: %s is the subject of the visit that was logged */
  { CRM_ENTITY_INTERACTION, CRM_MUTATION_OP_CREATE, "visit", N_("Log visit: %s") },
  /* TRANSLATORS: %s is the subject of the phone call that was logged */
  { CRM_ENTITY_INTERACTION, CRM_MUTATION_OP_CREATE, "call", N_("Log call: %s") },
  /* TRANSLATORS: %s is the subject of the e-mail that was logged */
  { CRM_ENTITY_INTERACTION, CRM_MUTATION_OP_CREATE, "email", N_("Log e-mail: %s") },
  /* TRANSLATORS: %s is the subject of the meeting that was logged */
  { CRM_ENTITY_INTERACTION, CRM_MUTATION_OP_CREATE, "meeting", N_("Log meeting: %s") },
};

/* The format of @change's action (see actions), or NULL. */
static const char *
action_format (const CrmUnsentChange *change)
{
  CrmMutation *m = change->mutation;
  const char *kind = NULL;

  if (change->record != NULL && json_object_has_member (change->record, "kind"))
    kind = json_object_get_string_member_with_default (change->record, "kind", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (actions[i].entity == m->entity && actions[i].op == m->op &&
        (actions[i].kind == NULL || g_strcmp0 (actions[i].kind, kind) == 0))
      return _(actions[i].format);
  if (m->op == CRM_MUTATION_OP_DELETE)
    /* TRANSLATORS: a change that deletes a record; %s names it */
    return _("Delete: %s");
  return NULL;
}

/* The record's name, or what it is when it has none here. */
static const char *
record_name (const CrmUnsentChange *change)
{
  if (change->record_name != NULL && change->record_name[0] != '\0')
    return change->record_name;
  if (change->mutation->entity == CRM_ENTITY_CONTACT)
    return _("A contact");
  return g_dgettext (GETTEXT_PACKAGE, crm_entity_info (change->mutation->entity)->label);
}

/* When the change was made: "14:05" today, else with the date. */
static char *
describe_when (const CrmUnsentChange *change)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = NULL;

  if (change->created_at == NULL)
    return NULL;
  local = g_date_time_to_local (change->created_at);
  now = g_date_time_new_now_local ();
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M");
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

/* "Phone, Address · 14:05"; for a change named by its action, the
 * customer: "北京银行 · 14:05" */
static char *
describe_fields (const CrmUnsentChange *change)
{
  CrmMutation *m = change->mutation;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GList) names = json_object_get_members (m->fields);
  g_autofree char *when = describe_when (change);

  if (action_format (change) != NULL)
    g_string_append (text, change->customer_name ? change->customer_name : _("A customer no longer here"));
  else if (m->op == CRM_MUTATION_OP_CREATE && m->entity == CRM_ENTITY_CONTACT)
    g_string_append (text, _("New contact"));
  else if (m->op == CRM_MUTATION_OP_CREATE)
    g_string_append (text, g_dgettext (GETTEXT_PACKAGE, crm_entity_info (m->entity)->label));
  else
    for (const GList *l = names; l != NULL; l = l->next)
      {
        const char *title = crm_field_label (m->entity, l->data);

        if (title == NULL)
          continue;
        if (text->len > 0)
          /* TRANSLATORS: between the names of changed fields */
          g_string_append (text, _(", "));
        g_string_append (text, title);
      }

  if (when != NULL)
    {
      if (text->len > 0)
        g_string_append (text, " · ");
      g_string_append (text, when);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* "Delete contact 李明", "Log visit: 季度回访"; else the record and its
 * customer: "李明 · 北京银行", or the customer's name. */
static char *
describe_record (const CrmUnsentChange *change)
{
  const char *customer = change->customer_name ? change->customer_name : _("A customer no longer here");
  const char *format = action_format (change);

  if (format != NULL)
    {
      char *title;

      /* the formats are actions' (and their translations, which msgfmt
       * checks as c-format), each with one %s */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
      title = g_strdup_printf (format, record_name (change));
#pragma GCC diagnostic pop
      return title;
    }
  if (change->mutation->entity != CRM_ENTITY_CUSTOMER)
    /* TRANSLATORS: a contact's name (or an interaction's subject), then the name of its customer */
    return g_strdup_printf (_("%s · %s"), record_name (change), customer);
  return g_strdup (customer);
}

/* Why the server refused @mutation, in the user's language: what was
 * wrong and, when the server named one, with which field (by its label).
 * A refusal of another kind keeps the server's own words. */
static char *
refusal_detail (CrmMutation *mutation)
{
  g_autofree char *code = NULL, *field = NULL, *message = NULL;
  const char *why = NULL;

  crm_mutation_parse_refusal (mutation, &code, &field, &message);
  if (g_strcmp0 (code, "invalid") == 0)
    why = _("This value cannot be used");
  else if (g_strcmp0 (code, "forbidden") == 0)
    why = _("Your role may not change this");
  else if (g_strcmp0 (code, "not_found") == 0)
    why = _("The record is gone or no longer yours");
  if (why == NULL)
    return g_strdup (mutation->last_error);
  if (field != NULL && g_strcmp0 (field, "id") != 0 && g_strcmp0 (field, "op") != 0)
    {
      const char *label = crm_field_label (mutation->entity, field);

      /* TRANSLATORS: a field's label, then why the server refused its value */
      return g_strdup_printf (_("%s: %s"), label != NULL ? label : field, why);
    }
  return g_strdup (why);
}

/* What happens to the change, in words, and the icon that goes with it.
 * A change marked sent whose sync ended without an answer (offline) is
 * sent again, with the same key: to the user it is waiting. */
static const char *
describe_state (CrmPendingPopover      *self,
                const CrmUnsentChange  *change,
                const char            **icon_name,
                char                  **detail)
{
  gboolean running = self->engine != NULL &&
                     crm_sync_engine_get_status (self->engine) == CRM_SYNC_STATUS_RUNNING;

  *detail = NULL;
  switch (change->mutation->state)
    {
    case CRM_MUTATION_SENT:
      if (running)
        {
          *icon_name = "emblem-synchronizing-symbolic";
          return _("Sending");
        }
      G_GNUC_FALLTHROUGH;
    case CRM_MUTATION_PENDING:
      *icon_name = "alarm-symbolic";
      return _("Waiting to be sent");
    case CRM_MUTATION_CONFLICT:
      *icon_name = "dialog-warning-symbolic";
      *detail = g_strdup (_("Someone else changed the same fields: choose which values to keep"));
      return _("Changed elsewhere: not applied");
    case CRM_MUTATION_FAILED:
    default:
      *icon_name = "dialog-warning-symbolic";
      *detail = refusal_detail (change->mutation);
      return _("Refused by the server");
    }
}

static void
discard_clicked_cb (GtkButton         *button,
                    CrmPendingPopover *self)
{
  gint64 seq = *(gint64 *) g_object_get_data (G_OBJECT (button), "seq");
  g_autoptr(GError) error = NULL;

  if (self->store != NULL && !crm_store_discard_mutation (self->store, seq, &error))
    g_warning ("Could not dismiss a refused change: %s", error->message);
  crm_pending_popover_refresh (self);
}

static GtkWidget *
make_row (CrmPendingPopover     *self,
          const CrmUnsentChange *change)
{
  g_autofree char *title = describe_record (change);
  g_autofree char *subtitle = describe_fields (change);
  g_autofree char *detail = NULL;
  g_autofree char *state_text = NULL;
  const char *icon_name = NULL;
  const char *state = describe_state (self, change, &icon_name, &detail);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);
  GtkWidget *label = gtk_label_new (state);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_name (row, change->mutation->key);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, state, -1);
  gtk_widget_set_tooltip_text (box, detail ? detail : state);
  gtk_label_set_xalign (GTK_LABEL (label), 1.0);
  gtk_widget_add_css_class (label, "caption");
  if (change->mutation->state == CRM_MUTATION_FAILED || change->mutation->state == CRM_MUTATION_CONFLICT)
    {
      gtk_widget_add_css_class (icon, "warning");
      gtk_widget_add_css_class (label, "warning");
    }
  else
    gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), box);

  if (change->mutation->state == CRM_MUTATION_FAILED)
    {
      GtkWidget *discard = gtk_button_new_from_icon_name ("user-trash-symbolic");
      gint64 *seq = g_new (gint64, 1);

      *seq = change->mutation->seq;
      g_object_set_data_full (G_OBJECT (discard), "seq", seq, g_free);
      gtk_widget_set_name (discard, "dismiss");
      gtk_widget_set_valign (discard, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (discard, "flat");
      gtk_widget_set_tooltip_text (discard, _("Dismiss: the server keeps its version"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (discard), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Dismiss: the server keeps its version"), -1);
      g_signal_connect_object (discard, "clicked", G_CALLBACK (discard_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), discard);
    }
  else if (change->mutation->state == CRM_MUTATION_CONFLICT)
    {
      /* Never dismissed from here: the user's values are kept until they
       * choose, in the conflict dialog, which to keep. */
      GtkWidget *resolve = gtk_button_new_with_mnemonic (_("_Resolve…"));

      gtk_widget_set_name (resolve, "resolve");
      gtk_widget_set_valign (resolve, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (resolve), "win.resolve-conflict");
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (resolve),
                                              g_variant_new_int64 (change->mutation->seq));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), resolve);
    }

  return row;
}

static void
set_count (CrmPendingPopover *self,
           guint              count)
{
  if (self->count == count)
    return;
  self->count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
}

static gboolean
refresh_idle_cb (gpointer user_data)
{
  CrmPendingPopover *self = user_data;

  self->refresh_idle = 0;
  crm_pending_popover_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
queue_refresh (CrmPendingPopover *self)
{
  /* once for a burst of changes, but before the next frame is drawn */
  if (self->refresh_idle == 0)
    self->refresh_idle = g_idle_add_full (G_PRIORITY_DEFAULT, refresh_idle_cb, self, NULL);
}

static void
crm_pending_popover_dispose (GObject *object)
{
  CrmPendingPopover *self = (CrmPendingPopover *)object;

  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  if (self->store_signals != NULL)
    g_signal_group_set_target (self->store_signals, NULL);
  if (self->engine_signals != NULL)
    g_signal_group_set_target (self->engine_signals, NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_PENDING_POPOVER);

  G_OBJECT_CLASS (crm_pending_popover_parent_class)->dispose (object);
}

static void
crm_pending_popover_finalize (GObject *object)
{
  CrmPendingPopover *self = (CrmPendingPopover *)object;

  g_clear_object (&self->store_signals);
  g_clear_object (&self->engine_signals);

  G_OBJECT_CLASS (crm_pending_popover_parent_class)->finalize (object);
}

static void
crm_pending_popover_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CrmPendingPopover *self = CRM_PENDING_POPOVER (object);

  switch (prop_id)
    {
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_pending_popover_class_init (CrmPendingPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_pending_popover_dispose;
  object_class->finalize = crm_pending_popover_finalize;
  object_class->get_property = crm_pending_popover_get_property;

  properties[PROP_COUNT] =
    g_param_spec_uint ("count", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-pending-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmPendingPopover, list);
}

static void
crm_pending_popover_init (CrmPendingPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->store_signals = g_signal_group_new (CRM_TYPE_STORE);
  /* any entity's change (a logged interaction names no customer view) */
  g_signal_group_connect_swapped (self->store_signals, "changed", G_CALLBACK (queue_refresh), self);
  self->engine_signals = g_signal_group_new (CRM_TYPE_SYNC_ENGINE);
  g_signal_group_connect_swapped (self->engine_signals, "notify::status", G_CALLBACK (queue_refresh), self);
  g_signal_group_connect_swapped (self->engine_signals, "notify::pending", G_CALLBACK (queue_refresh), self);
}

GtkWidget *
crm_pending_popover_new (void)
{
  return g_object_new (CRM_TYPE_PENDING_POPOVER, NULL);
}

/**
 * crm_pending_popover_set_store:
 * @store: (nullable): the local copy whose queue to list
 */
void
crm_pending_popover_set_store (CrmPendingPopover *self,
                               CrmStore          *store)
{
  g_return_if_fail (CRM_IS_PENDING_POPOVER (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  g_signal_group_set_target (self->store_signals, store);
  crm_pending_popover_refresh (self);
}

/**
 * crm_pending_popover_set_sync_engine:
 * @engine: (nullable): the engine that sends the queue
 */
void
crm_pending_popover_set_sync_engine (CrmPendingPopover *self,
                                     CrmSyncEngine     *engine)
{
  g_return_if_fail (CRM_IS_PENDING_POPOVER (self));
  g_return_if_fail (engine == NULL || CRM_IS_SYNC_ENGINE (engine));

  g_set_object (&self->engine, engine);
  g_signal_group_set_target (self->engine_signals, engine);
  queue_refresh (self);
}

guint
crm_pending_popover_get_count (CrmPendingPopover *self)
{
  g_return_val_if_fail (CRM_IS_PENDING_POPOVER (self), 0);

  return self->count;
}

char *
crm_pending_popover_dup_label (CrmPendingPopover *self)
{
  g_return_val_if_fail (CRM_IS_PENDING_POPOVER (self), NULL);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unsent change", "%u unsent changes", self->count),
                          self->count);
}

void
crm_pending_popover_refresh (CrmPendingPopover *self)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *child;

  g_return_if_fail (CRM_IS_PENDING_POPOVER (self));

  g_clear_handle_id (&self->refresh_idle, g_source_remove);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  if (self->store != NULL)
    {
      changes = crm_store_list_unsent_changes (self->store, &error);
      if (changes == NULL)
        g_warning ("Could not read the queue of changes: %s", error->message);
    }
  for (guint i = 0; changes != NULL && i < changes->len; i++)
    gtk_list_box_append (self->list, make_row (self, g_ptr_array_index (changes, i)));

  set_count (self, changes ? changes->len : 0);
}

/**
 * crm_pending_popover_get_list:
 *
 * Returns: (transfer none): the list box of rows, one per change, each
 *   named after the change's idempotency key
 */
GtkListBox *
crm_pending_popover_get_list (CrmPendingPopover *self)
{
  g_return_val_if_fail (CRM_IS_PENDING_POPOVER (self), NULL);

  return self->list;
}
