#define G_LOG_DOMAIN "crm-customer-work"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-customer-summary.h"
#include "crm-customer-work.h"
#include "crm-error.h"
#include "crm-format.h"
#include "crm-window.h"

struct _CrmCustomerWork
{
  GtkBox               parent_instance;

  GtkWidget           *opportunities;   /* AdwPreferencesGroup */
  GtkWidget           *requests;        /* AdwPreferencesGroup */
  GPtrArray           *rows;            /* (widget, its group) pairs */
  CrmCustomerSummary  *summary;         /* what is shown */
  gboolean             remote;          /* others' opportunities come from the server */
  CrmReportState       remote_state;
  GtkWidget           *remote_spinner;  /* in the opportunities' header */
  GtkWidget           *retry_button;
};

/* Rows a list shows before "Show N more": each row costs its share of the
 * page's first frame (bench/page). */
#define SHOWN_FIRST 5

G_DEFINE_FINAL_TYPE (CrmCustomerWork, crm_customer_work, GTK_TYPE_BOX)

/* The open stages (crm_stage_names; won and lost are not work in progress). */
static const char * const stage_labels[] = {
  N_("Prospecting"), N_("Qualification"), N_("Proposal"), N_("Negotiation"), N_("Won"), N_("Lost"),
};
G_STATIC_ASSERT (G_N_ELEMENTS (stage_labels) == CRM_N_STAGES);

static const char * const service_kind_labels[] = {
  N_("Inquiry"), N_("Quotation"), N_("Order"), N_("Installation"), N_("Fault"), N_("Complaint"),
  N_("Billing"), N_("Cancellation"),
};
G_STATIC_ASSERT (G_N_ELEMENTS (service_kind_labels) == CRM_N_SERVICE_KINDS);

static const char *
label_of (const char * const *names,
          const char * const *labels,
          const char         *word)
{
  int i = word ? crm_wire_lookup (names, word) : -1;

  return i < 0 ? (word ? word : "") : _(labels[i]);
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = o ? json_object_get_member (o, name) : NULL;

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
}

static gint64
member_int (JsonObject *o,
            const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;
}

/* The signed-in user (GET /me) of the window this page is in, or NULL. */
static JsonObject *
signed_in_user (CrmCustomerWork *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  CrmContext *context = CRM_IS_WINDOW (root) ? crm_window_get_context (CRM_WINDOW (root)) : NULL;

  return context ? crm_context_get_user (context) : NULL;
}

static const char *
my_id (CrmCustomerWork *self)
{
  JsonObject *me = signed_in_user (self);

  return me ? json_object_get_string_member_with_default (me, "id", NULL) : NULL;
}

/* A user the store has no name for: "you", the customer's account
 * manager by name, or the start of the id. */
static char *
owner_text (CrmCustomerWork *self,
            CrmCustomer     *customer,
            const char      *owner_id)
{
  JsonObject *me = signed_in_user (self);

  if (owner_id == NULL)
    return g_strdup (_("Unassigned"));
  if (me != NULL && g_strcmp0 (owner_id, json_object_get_string_member_with_default (me, "id", NULL)) == 0)
    /* TRANSLATORS: the owner of a step or an opportunity is the signed-in user */
    return g_strdup (_("you"));
  if (customer->owner_name != NULL && g_strcmp0 (owner_id, customer->owner_id) == 0)
    return g_strdup (customer->owner_name);
  /* TRANSLATORS: a user the client has no name for, by the end of their id
   * (ids made at about the same time share their start) */
  return g_strdup_printf (_("user …%s"), owner_id + MAX (strlen (owner_id), 8) - 8);
}

/* One line each for title and subtitle, cut short when narrow: a
 * wrapping row is measured again at every width the page's boxes try,
 * which made the page's first frame slow (bench/page).  No tooltip: one
 * that is pending when its window goes away trips GTK 4.8
 * (gdk_surface_get_device_position on a destroyed surface). */
static void
one_line (GtkWidget *row)
{
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
}

static GtkWidget *
overdue_tag (void)
{
  GtkWidget *tag = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *icon = gtk_image_new_from_icon_name ("alarm-symbolic");

  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_box_append (GTK_BOX (tag), icon);
  gtk_box_append (GTK_BOX (tag), gtk_label_new (_("Overdue")));
  gtk_widget_add_css_class (tag, "customer-warning");
  gtk_widget_add_css_class (tag, "serious");
  gtk_widget_set_valign (tag, GTK_ALIGN_CENTER);
  return tag;
}

static void
add_row (CrmCustomerWork *self,
         GtkWidget       *group,
         GtkWidget       *row)
{
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  g_ptr_array_add (self->rows, row);
  g_ptr_array_add (self->rows, group);
}

static void
add_empty_row (CrmCustomerWork *self,
               GtkWidget       *group,
               const char      *text)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  gtk_widget_add_css_class (row, "dim-label");
  one_line (row);
  add_row (self, group, row);
}

static GtkWidget *
opportunity_row (CrmCustomerWork *self,
                 CrmCustomer     *customer,
                 gpointer         data)
{
  CrmSummaryOpportunity *item = data;
  JsonObject *o = item->record;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *amounts = gtk_label_new (NULL);
  const char *owner_name = item->remote ? member_string (o, "owner_name") : NULL;
  g_autofree char *owner = owner_name != NULL && g_strcmp0 (member_string (o, "owner_id"), my_id (self)) != 0
                           ? g_strdup (owner_name) : owner_text (self, customer, member_string (o, "owner_id"));
  g_autofree char *close = crm_format_date (member_string (o, "expected_close"));
  g_autofree char *once = crm_format_money (member_int (o, "amount_once"));
  g_autofree char *monthly = crm_format_money (member_int (o, "amount_monthly"));
  g_autofree char *subtitle = NULL;
  g_autofree char *money = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), member_string (o, "name"));
  /* TRANSLATORS: an open opportunity: stage, probability, expected close, owner */
  subtitle = g_strdup_printf (_("%s · %d%% · closes %s · owner %s"),
                              label_of (crm_stage_names, stage_labels, member_string (o, "stage")),
                              item->probability, close ? close : "—", owner);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* TRANSLATORS: an opportunity's amounts: one-off and monthly */
  money = g_strdup_printf (_("%s one-off\n%s a month"), once, monthly);
  gtk_label_set_label (GTK_LABEL (amounts), money);
  gtk_label_set_xalign (GTK_LABEL (amounts), 1);
  gtk_label_set_justify (GTK_LABEL (amounts), GTK_JUSTIFY_RIGHT);
  gtk_widget_add_css_class (amounts, "numeric");
  gtk_widget_set_valign (amounts, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), amounts);
  if (item->remote)
    {
      /* another owner's, shown from the server's answer: it is not in
       * this computer's copy and is not changed from here */
      GtkWidget *icon = gtk_image_new_from_icon_name ("network-server-symbolic");

      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("From the server, read-only"), -1);
      gtk_widget_add_css_class (icon, "dim-label");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_widget_set_name (row, "remote");
    }
  one_line (row);
  return row;
}

static GtkWidget *
request_row (CrmCustomerWork *self,
             CrmCustomer     *customer,
             gpointer         data)
{
  CrmSummaryRequest *item = data;
  JsonObject *r = item->record;
  JsonObject *step = item->current_step;
  GtkWidget *row = adw_action_row_new ();
  const char *kind = label_of (crm_service_kind_names, service_kind_labels, member_string (r, "kind"));
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), member_string (r, "title"));
  if (step != NULL)
    {
      g_autofree char *owner = owner_text (self, customer, member_string (step, "owner_id"));
      g_autofree char *due = crm_format_date_time (member_string (step, "deadline"));

      /* TRANSLATORS: an open service request: kind, its current step (number, of how
       * many, name), the step's owner and deadline */
      subtitle = g_strdup_printf (_("%s · step %u of %u: %s · owner %s · due %s"), kind, item->n_done + 1,
                                  item->n_steps, member_string (step, "name"), owner, due ? due : "—");
    }
  else
    /* TRANSLATORS: an open service request with no step left to do */
    subtitle = g_strdup_printf (_("%s · no open step"), kind);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (item->overdue)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), overdue_tag ());
  one_line (row);
  return row;
}

static void
clear (CrmCustomerWork *self)
{
  for (guint i = 0; i + 1 < self->rows->len; i += 2)
    adw_preferences_group_remove (self->rows->pdata[i + 1], self->rows->pdata[i]);
  g_ptr_array_set_size (self->rows, 0);
}

typedef GtkWidget *(*RowFunc) (CrmCustomerWork *self,
                               CrmCustomer     *customer,
                               gpointer         item);

static void add_items (CrmCustomerWork *self,
                       GtkWidget       *group,
                       GPtrArray       *items,
                       guint            from,
                       RowFunc          make_row);

static void
show_more_cb (AdwActionRow    *row,
              CrmCustomerWork *self)
{
  GtkWidget *group = g_object_get_data (G_OBJECT (row), "group");
  GPtrArray *items = g_object_get_data (G_OBJECT (row), "items");
  RowFunc make_row = (RowFunc) g_object_get_data (G_OBJECT (row), "make-row");

  /* the row goes; the rest of the list comes in its place */
  for (guint i = 0; i + 1 < self->rows->len; i += 2)
    if (self->rows->pdata[i] == (gpointer) row)
      {
        g_ptr_array_remove_range (self->rows, i, 2);
        break;
      }
  adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (row));
  add_items (self, group, items, SHOWN_FIRST, make_row);
}

/* @items from @from on: all of them, or SHOWN_FIRST and a row that shows
 * the others. */
static void
add_items (CrmCustomerWork *self,
           GtkWidget       *group,
           GPtrArray       *items,
           guint            from,
           RowFunc          make_row)
{
  guint until = from == 0 && items->len > SHOWN_FIRST + 1 ? SHOWN_FIRST : items->len;

  for (guint i = from; i < until; i++)
    add_row (self, group, make_row (self, self->summary->customer, items->pdata[i]));
  if (until < items->len)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Show %u more", "Show %u more",
                                                             items->len - until), items->len - until);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-down-symbolic"));
      gtk_widget_set_name (row, "show-more");
      g_object_set_data (G_OBJECT (row), "group", group);
      g_object_set_data (G_OBJECT (row), "items", items);
      g_object_set_data (G_OBJECT (row), "make-row", (gpointer) make_row);
      g_signal_connect (row, "activated", G_CALLBACK (show_more_cb), self);
      add_row (self, group, row);
    }
}

/* Shows @summary, or nothing for NULL. */
static void
fill (CrmCustomerWork *self,
      CrmCustomerSummary *summary)
{
  clear (self);
  g_clear_pointer (&self->summary, crm_customer_summary_free);
  if (summary == NULL)
    return;
  self->summary = crm_customer_summary_ref (summary);

  add_items (self, self->opportunities, self->summary->opportunities, 0, opportunity_row);
  /* nothing known of the other owners' yet: the group's description
   * says why, not "none" */
  if (self->summary->opportunities->len == 0 &&
      !(self->remote && (self->remote_state == CRM_REPORT_STATE_LOADING ||
                         self->remote_state == CRM_REPORT_STATE_NONE ||
                         self->remote_state == CRM_REPORT_STATE_FAILED)))
    add_empty_row (self, self->opportunities, _("No open opportunities"));

  add_items (self, self->requests, self->summary->requests, 0, request_row);
  if (self->summary->requests->len == 0)
    add_empty_row (self, self->requests, _("No open service requests"));
}

static void
crm_customer_work_dispose (GObject *object)
{
  CrmCustomerWork *self = CRM_CUSTOMER_WORK (object);

  g_clear_pointer (&self->summary, crm_customer_summary_free);
  G_OBJECT_CLASS (crm_customer_work_parent_class)->dispose (object);
}

static void
crm_customer_work_finalize (GObject *object)
{
  CrmCustomerWork *self = CRM_CUSTOMER_WORK (object);

  g_ptr_array_unref (self->rows);
  G_OBJECT_CLASS (crm_customer_work_parent_class)->finalize (object);
}

static void
crm_customer_work_class_init (CrmCustomerWorkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = crm_customer_work_dispose;
  object_class->finalize = crm_customer_work_finalize;
}

static void
crm_customer_work_init (CrmCustomerWork *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 24);
  self->opportunities = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->opportunities), _("Open Opportunities"));
  gtk_box_append (GTK_BOX (self), self->opportunities);
  {
    GtkWidget *suffix = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    self->remote_spinner = gtk_spinner_new ();
    gtk_widget_set_valign (self->remote_spinner, GTK_ALIGN_CENTER);
    gtk_box_append (GTK_BOX (suffix), self->remote_spinner);
    self->retry_button = gtk_button_new_with_mnemonic (_("_Retry"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (self->retry_button), "customer.reload-opportunities");
    gtk_widget_set_valign (self->retry_button, GTK_ALIGN_CENTER);
    gtk_widget_set_name (self->retry_button, "retry");
    gtk_box_append (GTK_BOX (suffix), self->retry_button);
    gtk_widget_set_visible (self->remote_spinner, FALSE);
    gtk_widget_set_visible (self->retry_button, FALSE);
    adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self->opportunities), suffix);
  }
  self->requests = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->requests), _("Open Service Requests"));
  gtk_box_append (GTK_BOX (self), self->requests);
  self->rows = g_ptr_array_new ();
}

GtkWidget *
crm_customer_work_new (void)
{
  return g_object_new (CRM_TYPE_CUSTOMER_WORK, NULL);
}

void
crm_customer_work_show (CrmCustomerWork    *self,
                        CrmCustomerSummary *summary)
{
  g_return_if_fail (CRM_IS_CUSTOMER_WORK (self));

  fill (self, summary);
}

/**
 * crm_customer_work_set_remote:
 * @remote: whether other owners' opportunities come from the server (a
 *   director's page)
 * @state: the state of the server's answer
 * @status: its age, as crm_remote_answer_dup_status () words it
 * @error: (nullable): why the server refused
 *
 * Says above the open opportunities where the other owners' come from:
 * their age, that the server is being asked (with a spinner), that they
 * are not on this computer offline, or why the server refused (with
 * Retry, the action customer.reload-opportunities).
 */
void
crm_customer_work_set_remote (CrmCustomerWork *self,
                              gboolean         remote,
                              CrmReportState   state,
                              const char      *status,
                              const char      *error)
{
  g_autofree char *text = NULL;
  gboolean refill;

  g_return_if_fail (CRM_IS_CUSTOMER_WORK (self));

  refill = self->remote != remote || self->remote_state != state;
  self->remote = remote;
  self->remote_state = state;
  if (remote)
    switch (state)
      {
      case CRM_REPORT_STATE_LOADING:
        /* TRANSLATORS: above a director's open opportunities of a customer */
        text = g_strdup (_("Asking the server for the other owners’ opportunities…"));
        break;
      case CRM_REPORT_STATE_NONE:
        text = g_strdup (_("Offline. The other owners’ opportunities are not on this computer."));
        break;
      case CRM_REPORT_STATE_FAILED:
        /* TRANSLATORS: %s says why the server refused */
        text = g_strdup_printf (_("Could not get the other owners’ opportunities: %s"), error ? error : "");
        break;
      case CRM_REPORT_STATE_KEPT:
      case CRM_REPORT_STATE_FRESH:
      case CRM_REPORT_STATE_OFFLINE:
        /* TRANSLATORS: above a director's open opportunities of a customer;
         * %s is "As of 10:42, 3 hours ago" or "Offline. As of ..." */
        text = g_strdup_printf (_("Other owners’ opportunities from the server. %s"), status ? status : "");
        break;
      case CRM_REPORT_STATE_EMPTY:
      default:
        break;
      }
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->opportunities), text);
  gtk_widget_set_visible (self->remote_spinner, remote && (state == CRM_REPORT_STATE_LOADING ||
                                                           state == CRM_REPORT_STATE_KEPT));
  gtk_spinner_set_spinning (GTK_SPINNER (self->remote_spinner), gtk_widget_get_visible (self->remote_spinner));
  gtk_widget_set_visible (self->retry_button, remote && (state == CRM_REPORT_STATE_FAILED ||
                                                         state == CRM_REPORT_STATE_NONE ||
                                                         state == CRM_REPORT_STATE_OFFLINE));
  if (refill && self->summary != NULL)
    {
      g_autoptr(CrmCustomerSummary) summary = crm_customer_summary_ref (self->summary);

      fill (self, summary);
    }
}
