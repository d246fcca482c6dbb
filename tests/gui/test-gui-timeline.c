/* The 360° page's timeline and its two writes, against the real server
 * (in-process, over a throwaway seeded PostgreSQL): every kind of entry of
 * a seeded customer, newest first, counted independently from the
 * database, and the filter narrowing it; a visit logged in the dialog
 * with the server stopped shows at once and reaches PostgreSQL once the
 * server is back; an opportunity made in its dialog reaches PostgreSQL in
 * fen; the dialogs' keys (Escape asks before dropping typed text, a bad
 * field says so under it).  Accessibility on. */
#define G_LOG_DOMAIN "test-gui-timeline"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-auth.h"
#include "crm-customer-detail.h"
#include "crm-customer-timeline.h"
#include "crm-customers-page.h"
#include "crm-interaction-dialog.h"
#include "crm-opportunity-dialog.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-timeline-reader.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;

/* A customer of the manager's with entries of every kind. */
#define EVERY_KIND \
  "SELECT c.id FROM crm.customers c JOIN crm.users u ON u.id = c.owner_id WHERE u.login = 'manager'" \
  " AND EXISTS (SELECT 1 FROM crm.interactions i WHERE i.customer_id = c.id)" \
  " AND EXISTS (SELECT 1 FROM crm.service_requests r JOIN crm.service_steps s ON s.request_id = r.id" \
  "             WHERE r.customer_id = c.id)" \
  " AND EXISTS (SELECT 1 FROM crm.opportunities o JOIN crm.opportunity_stage_history h" \
  "             ON h.opportunity_id = o.id WHERE o.customer_id = c.id)" \
  " AND EXISTS (SELECT 1 FROM crm.campaign_members m WHERE m.customer_id = c.id)" \
  " ORDER BY c.id LIMIT 1"

typedef struct
{
  CrmContext *context;
  CrmWindow  *window;
} Desktop;

static gboolean
signed_in (gpointer context)
{
  return crm_context_get_state (context) == CRM_SESSION_SIGNED_IN;
}

static gboolean
engine_idle (gpointer engine)
{
  return crm_sync_engine_get_status (engine) != CRM_SYNC_STATUS_RUNNING;
}

static gboolean
page_listed (gpointer page)
{
  CrmCustomerModel *model = crm_customers_page_get_model (page);

  return g_strcmp0 (crm_customers_page_get_state (page), "list") == 0 && model != NULL &&
         !crm_customer_model_is_busy (model);
}

static Desktop *
desktop_new (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, "manager", &token);
  Desktop *self = g_new0 (Desktop, 1);

  self->context = crm_context_new (settings);
  crm_context_set_sync_interval (self->context, 0);
  self->window = g_object_ref_sink (crm_window_new (NULL, self->context));
  gtk_window_present (GTK_WINDOW (self->window));

  g_setenv ("KEYLINE_TOKEN", token, TRUE);
  g_setenv ("KEYLINE_SERVER_URL", crm_test_live_get_url (live), TRUE);
  crm_context_restore_async (self->context, NULL, NULL, NULL);
  crm_test_wait_for (signed_in, self->context);
  g_unsetenv ("KEYLINE_TOKEN");
  g_unsetenv ("KEYLINE_SERVER_URL");

  crm_test_wait_for (engine_idle, crm_context_get_sync_engine (self->context));
  crm_test_wait_for (page_listed, crm_window_get_customers_page (self->window));
  return self;
}

static void
desktop_free (Desktop *self)
{
  if (!crm_test_live_running (live))
    crm_test_live_start (live);
  if (crm_context_get_state (self->context) == CRM_SESSION_SIGNED_IN)
    crm_context_sign_out_async (self->context, NULL, NULL, NULL);
  gtk_window_destroy (GTK_WINDOW (self->window));
  crm_test_iterate (50);
  g_assert_finalize_object (self->window);
  g_clear_object (&self->context);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Desktop, desktop_free)

static CrmStore *
store_of (Desktop *desktop)
{
  return crm_context_get_store (desktop->context);
}

static void
sync_and_wait (Desktop *desktop)
{
  g_autoptr(GAsyncResult) result = NULL;
  CrmSyncEngine *engine = crm_context_get_sync_engine (desktop->context);

  crm_sync_engine_sync_async (engine, NULL, crm_test_done_cb, &result);
  crm_sync_engine_sync_finish (engine, crm_test_wait_result (&result), NULL);
  crm_test_iterate (100);
}

static gboolean
timeline_read (gpointer timeline)
{
  return !crm_customer_timeline_is_busy (timeline);
}

/* Opens @id on the 360° page: its timeline, read. */
static CrmCustomerTimeline *
open_customer (Desktop    *desktop,
               const char *id)
{
  CrmCustomersPage *page = crm_window_get_customers_page (desktop->window);
  GtkWidget *detail = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE,
                                                                 "detail"));
  CrmCustomerTimeline *timeline = CRM_CUSTOMER_TIMELINE (gtk_widget_get_template_child (detail,
                                                                                        CRM_TYPE_CUSTOMER_DETAIL,
                                                                                        "timeline_section"));

  g_assert_true (crm_customers_page_open_customer (page, id));
  crm_test_wait_for (timeline_read, timeline);
  crm_test_wait_drawn (timeline);
  return timeline;
}

/* Every drawn GtkLabel and GtkInscription text under @widget, joined by
 * "\n" (the rows are inscriptions). */
static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_INSCRIPTION (widget) && gtk_inscription_get_text (GTK_INSCRIPTION (widget)) != NULL)
    g_string_append_printf (out, "%s\n", gtk_inscription_get_text (GTK_INSCRIPTION (widget)));
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_text (c, out);
}

static char *
drawn_text (gpointer widget)
{
  GString *out = g_string_new (NULL);

  collect_text (widget, out);
  return g_string_free (out, FALSE);
}

static guint
count (const char *sql,
       const char *customer)
{
  g_autofree char *n = crm_test_live_scalar (live, sql, customer);

  return n ? (guint) g_ascii_strtoull (n, NULL, 10) : 0;
}

static guint
count_kind (GListModel      *model,
            CrmTimelineKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmTimelineEntry) entry = g_list_model_get_item (model, i);

      n += crm_timeline_entry_get_kind (entry) == kind;
    }
  return n;
}

static gboolean
toggled_on (gpointer toggle)
{
  return gtk_toggle_button_get_active (toggle);
}

static void
click_filter (CrmCustomerTimeline *timeline,
              const char          *button)
{
  GtkWidget *toggle = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (timeline), CRM_TYPE_CUSTOMER_TIMELINE,
                                                                 button));

  g_assert_true (gtk_widget_get_mapped (toggle));
  /* as Space or Enter on it: clicked once its pressed look was shown */
  gtk_widget_activate (toggle);
  crm_test_wait_for (toggled_on, toggle);
  crm_test_iterate (20);
}

/* What the page shows for each kind, counted from PostgreSQL as the
 * manager's copy has it: an interaction each; a service request opened,
 * and closed if it was; a step each (done, or due); a stage change each;
 * a campaign membership each. */
static void
test_every_kind_newest_first_and_the_filter_narrows_it (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, EVERY_KIND, NULL);
  guint interactions, service, stages, members;
  g_autofree char *newest = NULL;
  g_autofree char *newest_subject = NULL;
  CrmCustomerTimeline *timeline;
  GListModel *model;
  gint64 last = G_MAXINT64;

  g_assert_nonnull (id);
  interactions = count ("SELECT count(*) FROM crm.interactions WHERE customer_id = $1", id);
  service = count ("SELECT (SELECT count(*) + count(closed_at) FROM crm.service_requests WHERE customer_id = $1)"
                   " + (SELECT count(*) FROM crm.service_steps s JOIN crm.service_requests r ON r.id = s.request_id"
                   "    WHERE r.customer_id = $1)", id);
  stages = count ("SELECT count(*) FROM crm.opportunity_stage_history h JOIN crm.opportunities o"
                  " ON o.id = h.opportunity_id WHERE o.customer_id = $1", id);
  members = count ("SELECT count(*) FROM crm.campaign_members WHERE customer_id = $1", id);
  /* the newest instant of them all, as Unix seconds */
  newest = crm_test_live_scalar (live,
                                 "SELECT floor(extract(epoch FROM max(t)))::bigint FROM ("
                                 " SELECT occurred_at AS t FROM crm.interactions WHERE customer_id = $1"
                                 " UNION ALL SELECT opened_at FROM crm.service_requests WHERE customer_id = $1"
                                 " UNION ALL SELECT closed_at FROM crm.service_requests WHERE customer_id = $1"
                                 " UNION ALL SELECT coalesce(s.done_at, s.deadline) FROM crm.service_steps s"
                                 "  JOIN crm.service_requests r ON r.id = s.request_id WHERE r.customer_id = $1"
                                 " UNION ALL SELECT h.changed_at FROM crm.opportunity_stage_history h"
                                 "  JOIN crm.opportunities o ON o.id = h.opportunity_id WHERE o.customer_id = $1"
                                 " UNION ALL SELECT coalesce(m.responded_at, m.contacted_at, g.starts_on::timestamptz)"
                                 "  FROM crm.campaign_members m JOIN crm.campaigns g ON g.id = m.campaign_id"
                                 "  WHERE m.customer_id = $1) x", id);
  newest_subject = crm_test_live_scalar (live, "SELECT subject FROM crm.interactions WHERE customer_id = $1"
                                               " ORDER BY occurred_at DESC LIMIT 1", id);
  g_assert_cmpuint (interactions, >, 0);
  g_assert_cmpuint (service, >, 0);
  g_assert_cmpuint (stages, >, 0);
  g_assert_cmpuint (members, >, 0);

  timeline = open_customer (desktop, id);
  model = crm_customer_timeline_get_model (timeline);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, interactions + service + stages + members);
  g_assert_cmpuint (count_kind (model, CRM_TIMELINE_INTERACTION), ==, interactions);
  g_assert_cmpuint (count_kind (model, CRM_TIMELINE_SERVICE), ==, service);
  g_assert_cmpuint (count_kind (model, CRM_TIMELINE_OPPORTUNITY), ==, stages);
  g_assert_cmpuint (count_kind (model, CRM_TIMELINE_CAMPAIGN), ==, members);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmTimelineEntry) entry = g_list_model_get_item (model, i);

      if (i == 0)
        g_assert_cmpint (crm_timeline_entry_get_when (entry), ==, g_ascii_strtoll (newest, NULL, 10));
      g_assert_cmpint (crm_timeline_entry_get_when (entry), <=, last);
      last = crm_timeline_entry_get_when (entry);
    }

  /* Interactions only: the newest first, drawn */
  click_filter (timeline, "interactions_button");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, interactions);
  g_assert_cmpuint (count_kind (model, CRM_TIMELINE_INTERACTION), ==, interactions);
  crm_test_iterate (100);
  {
    g_autoptr(CrmTimelineEntry) first = g_list_model_get_item (model, 0);
    g_autofree char *text = drawn_text (timeline);

    g_assert_cmpstr (crm_timeline_entry_get_title (first), ==, newest_subject);
    g_assert_nonnull (strstr (text, newest_subject));
  }

  click_filter (timeline, "campaigns_button");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, members);
  g_assert_cmpuint (count_kind (model, CRM_TIMELINE_CAMPAIGN), ==, members);
  click_filter (timeline, "opportunities_button");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, stages);
  click_filter (timeline, "service_button");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, service);
  click_filter (timeline, "all_button");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, interactions + service + stages + members);
  crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
}

/* The one toplevel of @type, or NULL. */
static GtkWidget *
find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (window))
        {
          g_assert_null (found);
          found = window;
        }
    }
  return found;
}

static GtkWidget *
child (GtkWidget  *dialog,
       GType       type,
       const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (dialog, type, name));
}

static void
type_into (GtkWidget  *dialog,
           GType       type,
           const char *row,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, type, row)), text);
}

/* Enter in an entry row, as the keyboard gives it: its text's ::activate
 * (GtkText's key binding for Return). */
static void
press_enter_in (GtkWidget *row)
{
  GtkWidget *text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (row)));

  while (text != NULL && !GTK_IS_TEXT (text))
    text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (text)));
  g_assert_nonnull (text);
  g_signal_emit_by_name (text, "activate");
}

static void
record_id_cb (GtkWidget  *dialog,
              const char *record_id,
              char      **out)
{
  *out = g_strdup (record_id);
}

static gboolean
gone (gpointer type)
{
  return find_window ((GType) GPOINTER_TO_SIZE (type)) == NULL;
}

/* The entry of @key in @timeline's model, or NULL. */
static CrmTimelineEntry *
entry_of (CrmCustomerTimeline *timeline,
          const char          *key)
{
  GListModel *model = crm_customer_timeline_get_model (timeline);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CrmTimelineEntry) entry = g_list_model_get_item (model, i);

      if (g_str_equal (crm_timeline_entry_get_key (entry), key))
        return g_steal_pointer (&entry);
    }
  return NULL;
}

static void
test_visit_logged_offline_shows_at_once_and_reaches_the_server (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, EVERY_KIND, NULL);
  g_autofree char *record_id = NULL;
  g_autofree char *key = NULL;
  g_autofree char *on_server = NULL;
  g_autofree char *before = NULL;
  g_autoptr(CrmTimelineEntry) entry = NULL;
  CrmCustomerTimeline *timeline;
  GtkWidget *dialog;
  GType type = CRM_TYPE_INTERACTION_DIALOG;

  timeline = open_customer (desktop, id);
  crm_test_live_stop (live);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "customer.log-interaction", NULL));
  crm_test_iterate (50);
  dialog = find_window (type);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (desktop->window));
  /* the subject has the keyboard */
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (dialog)),
                                         child (dialog, type, "subject_row")));
  g_signal_connect (dialog, "queued", G_CALLBACK (record_id_cb), &record_id);

  type_into (dialog, type, "subject_row", "上门拜访：续签专线");
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, type, "kind_row")), 0);      /* visit */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, type, "outcome_row")), 0);   /* positive */
  type_into (dialog, type, "next_step_row", "发送续约报价");
  type_into (dialog, type, "next_step_on_row", "2026-12-10");
  press_enter_in (child (dialog, type, "next_step_on_row"));
  crm_test_wait_for (gone, GSIZE_TO_POINTER (type));
  g_assert_nonnull (record_id);

  /* on the timeline at once, with the server away */
  key = g_strconcat ("interaction:", record_id, NULL);
  crm_test_wait_for (timeline_read, timeline);
  entry = entry_of (timeline, key);
  g_assert_nonnull (entry);
  g_assert_cmpstr (crm_timeline_entry_get_title (entry), ==, "上门拜访：续签专线");
  g_assert_nonnull (strstr (crm_timeline_entry_get_meta (entry), "Visit"));
  g_assert_nonnull (strstr (crm_timeline_entry_get_meta (entry), "Positive"));
  g_assert_nonnull (strstr (crm_timeline_entry_get_detail (entry), "发送续约报价"));
  {
    g_autofree char *text = drawn_text (timeline);

    g_assert_nonnull (strstr (text, "上门拜访：续签专线"));
  }
  /* not in PostgreSQL while the server is away */
  before = crm_test_live_scalar (live, "SELECT count(*) FROM crm.interactions WHERE id = $1", record_id);
  g_assert_cmpstr (before, ==, "0");
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 1);

  /* back: sent, and in PostgreSQL as logged */
  crm_test_live_start (live);
  sync_and_wait (desktop);
  on_server = crm_test_live_scalar (live, "SELECT kind || ' ' || outcome || ' ' || subject || ' ' || next_step"
                                          " || ' ' || next_step_on || ' ' || (user_id = (SELECT id FROM crm.users"
                                          " WHERE login = 'manager'))"
                                          " FROM crm.interactions WHERE id = $1", record_id);
  g_assert_cmpstr (on_server, ==, "visit positive 上门拜访：续签专线 发送续约报价 2026-12-10 true");
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 0);
  crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
}

static void
test_opportunity_from_the_dialog_reaches_the_server (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, EVERY_KIND, NULL);
  g_autofree char *record_id = NULL;
  g_autofree char *key = NULL;
  g_autofree char *on_server = NULL;
  g_autofree char *history = NULL;
  g_autoptr(CrmTimelineEntry) entry = NULL;
  CrmCustomerTimeline *timeline;
  GtkWidget *dialog;
  GType type = CRM_TYPE_OPPORTUNITY_DIALOG;

  timeline = open_customer (desktop, id);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "customer.new-opportunity", NULL));
  crm_test_iterate (50);
  dialog = find_window (type);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (dialog)),
                                         child (dialog, type, "name_row")));
  /* prospecting, at its default of 10% */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (child (dialog, type, "stage_row"))), ==, 0);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (dialog, type, "probability_spin"))),
                   ==, 10);
  g_signal_connect (dialog, "queued", G_CALLBACK (record_id_cb), &record_id);

  type_into (dialog, type, "name_row", "园区物联网卡扩容");
  type_into (dialog, type, "amount_once_row", "12,800.50");
  type_into (dialog, type, "amount_monthly_row", "3000");
  type_into (dialog, type, "expected_close_row", "2027-03-31");
  press_enter_in (child (dialog, type, "expected_close_row"));
  crm_test_wait_for (gone, GSIZE_TO_POINTER (type));
  g_assert_nonnull (record_id);

  /* on the timeline at once, as new */
  key = g_strconcat ("opportunity:", record_id, NULL);
  crm_test_wait_for (timeline_read, timeline);
  entry = entry_of (timeline, key);
  g_assert_nonnull (entry);
  g_assert_cmpstr (crm_timeline_entry_get_title (entry), ==, "园区物联网卡扩容");
  g_assert_nonnull (strstr (crm_timeline_entry_get_meta (entry), "New at Prospecting"));

  sync_and_wait (desktop);
  /* the probability left at the stage's default: null on the server */
  on_server = crm_test_live_scalar (live, "SELECT name || ' ' || stage || ' ' || amount_once || ' ' || amount_monthly"
                                          " || ' ' || coalesce(probability::text, 'default') || ' ' || expected_close"
                                          " || ' ' || customer_id FROM crm.opportunities WHERE id = $1", record_id);
  {
    g_autofree char *expected = g_strdup_printf ("园区物联网卡扩容 prospecting 1280050 300000 default 2027-03-31 %s", id);

    g_assert_cmpstr (on_server, ==, expected);
  }
  /* the server's first stage, synced back, replaces the local "new" */
  history = crm_test_live_scalar (live, "SELECT id FROM crm.opportunity_stage_history WHERE opportunity_id = $1",
                                  record_id);
  g_assert_nonnull (history);
  sync_and_wait (desktop);
  crm_test_wait_for (timeline_read, timeline);
  g_clear_object (&entry);
  entry = entry_of (timeline, key);
  g_assert_null (entry);
  {
    g_autofree char *stage_key = g_strconcat ("stage:", history, NULL);

    entry = entry_of (timeline, stage_key);
    g_assert_nonnull (entry);
    g_assert_cmpstr (crm_timeline_entry_get_title (entry), ==, "园区物联网卡扩容");
  }
  crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
}

/* A response as its button gives it: the response, then the question closes. */
static void
answer (GtkWidget  *question,
        const char *response)
{
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (question), response);
  gtk_window_close (GTK_WINDOW (question));
}

/* Escape closes an untouched dialog at once and asks before dropping
 * typed text; Save with a bad field says so under it and queues nothing. */
static void
test_dialog_keys_and_inline_errors (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, EVERY_KIND, NULL);
  CrmCustomerTimeline *timeline = open_customer (desktop, id);
  GType type = CRM_TYPE_INTERACTION_DIALOG;
  GtkWidget *dialog, *question;
  GtkLabel *error;

  /* untouched: Escape closes */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "customer.log-interaction", NULL));
  crm_test_iterate (50);
  dialog = find_window (type);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.escape", NULL));
  crm_test_wait_for (gone, GSIZE_TO_POINTER (type));

  /* typed: Escape asks, Cancel keeps it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (timeline), "customer.log-interaction", NULL));
  crm_test_iterate (50);
  dialog = find_window (type);
  type_into (dialog, type, "next_step_row", "回访");
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.escape", NULL));
  crm_test_iterate (50);
  question = crm_test_find_message_dialog ();
  g_assert_nonnull (question);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (question)), ==, "Discard this interaction?");
  answer (question, "cancel");
  crm_test_iterate (50);
  g_assert_true (find_window (type) == dialog);

  /* Save without a subject, a date that is none: said under each, nothing queued */
  type_into (dialog, type, "when_row", "明天上午");
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  crm_test_iterate (50);
  error = GTK_LABEL (child (dialog, type, "subject_error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));
  g_assert_cmpstr (gtk_label_get_label (error), ==, "This field cannot be empty");
  g_assert_true (gtk_widget_has_css_class (child (dialog, type, "subject_row"), "error"));
  error = GTK_LABEL (child (dialog, type, "when_error"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error)));
  g_assert_cmpstr (gtk_label_get_label (error), ==, "Enter a date and time, such as 2026-12-03 14:30");
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 0);
  /* a subject past the entity table's 200 characters */
  {
    GString *long_subject = g_string_new (NULL);

    for (guint i = 0; i < 201; i++)
      g_string_append (long_subject, "长");
    type_into (dialog, type, "subject_row", long_subject->str);
    g_string_free (long_subject, TRUE);
  }
  crm_test_iterate (20);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (child (dialog, type, "subject_error"))), ==,
                   "Use at most 200 characters");

  /* Discard drops it */
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.escape", NULL));
  crm_test_iterate (50);
  question = crm_test_find_message_dialog ();
  g_assert_nonnull (question);
  answer (question, "discard");
  crm_test_wait_for (gone, GSIZE_TO_POINTER (type));
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 0);
  crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
}


static gboolean
unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

/* Ctrl+L and Ctrl+Shift+O are the timeline's shortcuts for its two
 * actions (activated here as a key press would, through the shortcut's
 * own action), and the shortcuts window lists them. */
static void
test_shortcuts_are_bound_and_listed (void)
{
  g_autoptr(Desktop) desktop = desktop_new ();
  g_autofree char *id = crm_test_live_scalar (live, EVERY_KIND, NULL);
  CrmCustomerTimeline *timeline = open_customer (desktop, id);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (timeline));
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/org/keylinecrm/Keyline/gtk/help-overlay.ui");
  g_autoptr(GSList) objects = gtk_builder_get_objects (builder);
  g_autoptr(GtkShortcutAction) log_action = NULL;
  struct { const char *trigger; const char *action; GType dialog; gboolean bound; gboolean listed; } keys[] = {
    { "<Control>l", "action(customer.log-interaction)", CRM_TYPE_INTERACTION_DIALOG, FALSE, FALSE },
    { "<Shift><Control>o", "action(customer.new-opportunity)", CRM_TYPE_OPPORTUNITY_DIALOG, FALSE, FALSE },
  };

  for (guint c = 0; c < g_list_model_get_n_items (controllers); c++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, c);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      g_assert_cmpint (gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (controller)), ==,
                       GTK_SHORTCUT_SCOPE_MANAGED);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (controller)); i++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), i);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));
          g_autofree char *action = gtk_shortcut_action_to_string (gtk_shortcut_get_action (shortcut));

          for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
            if (g_str_equal (trigger, keys[k].trigger) && g_str_equal (action, keys[k].action))
              {
                GtkWidget *dialog;

                keys[k].bound = TRUE;
                if (k == 0)
                  g_set_object (&log_action, gtk_shortcut_get_action (shortcut));
                g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                             GTK_WIDGET (timeline), NULL));
                crm_test_iterate (50);
                dialog = find_window (keys[k].dialog);
                g_assert_nonnull (dialog);
                gtk_widget_activate_action (dialog, "dialog.escape", NULL);
                crm_test_wait_for (gone, GSIZE_TO_POINTER (keys[k].dialog));
              }
        }
    }
  for (GSList *l = objects; l != NULL; l = l->next)
    if (GTK_IS_SHORTCUTS_SHORTCUT (l->data))
      {
        g_autofree char *accelerator = NULL;

        g_object_get (l->data, "accelerator", &accelerator, NULL);
        for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
          {
            guint key, want_key;
            GdkModifierType mods, want_mods;

            if (accelerator == NULL || !gtk_accelerator_parse (accelerator, &key, &mods) ||
                !gtk_accelerator_parse (keys[k].trigger, &want_key, &want_mods))
              continue;
            if (key == want_key && mods == want_mods)
              keys[k].listed = TRUE;
          }
      }
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      g_test_message ("%s", keys[k].trigger);
      g_assert_true (keys[k].bound);
      g_assert_true (keys[k].listed);
    }

  /* back on the list, the keys are not the timeline's */
  crm_customers_page_show_list (crm_window_get_customers_page (desktop->window));
  crm_test_wait_for (unmapped, timeline);                /* after the stack's crossfade */
  /* disabled: the key press is not taken, and goes on to whoever else
   * wants it */
  g_assert_nonnull (log_action);
  g_assert_false (gtk_shortcut_action_activate (log_action, 0, GTK_WIDGET (timeline), NULL));
  crm_test_iterate (50);
  g_assert_null (find_window (CRM_TYPE_INTERACTION_DIALOG));
}

/* 2,000 entries -------------------------------------------------------- */

#define BIG_CUSTOMER "00000000-0000-4000-8000-000000000001"

static void
add_record (JsonObject *page,
            const char *plural,
            const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  if (!json_object_has_member (page, plural))
    json_object_set_array_member (page, plural, json_array_new ());
  json_array_add_element (json_object_get_array_member (page, plural), g_steal_pointer (&node));
}

/* An instant @minutes before 2026-12-01 08:00 UTC. */
static char *
minutes_before (guint minutes)
{
  g_autoptr(GDateTime) base = g_date_time_new_utc (2026, 12, 1, 8, 0, 0);
  g_autoptr(GDateTime) at = g_date_time_add_minutes (base, -(int) minutes);

  return g_date_time_format_iso8601 (at);
}

/* BIG_CUSTOMER with 1,400 interactions, 100 service requests of 3 steps
 * each (400 entries) and 10 opportunities of 20 stage changes (200): 2,000
 * entries, in no order. */
static JsonObject *
big_page (void)
{
  JsonObject *page = crm_test_load_page ("customers-page.json");
  guint n = 0;

#define ID(k) g_strdup_printf ("00000000-0000-4000-8000-%012u", (k))
  for (guint i = 0; i < 1400; i++)
    {
      g_autofree char *id = ID (100000 + i);
      g_autofree char *at = minutes_before ((i * 7919) % 100000);
      g_autofree char *json = g_strdup_printf ("{\"id\": \"%s\", \"customer_id\": \"" BIG_CUSTOMER "\","
                                               " \"contact_id\": null, \"user_id\": null, \"kind\": \"call\","
                                               " \"occurred_at\": \"%s\", \"subject\": \"回访 %u\", \"notes\": null,"
                                               " \"outcome\": \"neutral\", \"version\": 1,"
                                               " \"updated_at\": \"2026-12-01T08:00:00+00:00\"}", id, at, i);

      add_record (page, "interactions", json);
      n++;
    }
  for (guint r = 0; r < 100; r++)
    {
      g_autofree char *id = ID (200000 + r);
      g_autofree char *at = minutes_before ((r * 104729) % 100000);
      g_autofree char *json = g_strdup_printf ("{\"id\": \"%s\", \"customer_id\": \"" BIG_CUSTOMER "\","
                                               " \"phase\": \"after_sale\", \"kind\": \"fault\", \"title\": \"断网 %u\","
                                               " \"description\": null, \"status\": \"closed\", \"priority\": \"high\","
                                               " \"opened_by\": null, \"opened_at\": \"%s\", \"due_at\": null,"
                                               " \"closed_at\": null, \"satisfaction\": null, \"version\": 1,"
                                               " \"updated_at\": \"2026-12-01T08:00:00+00:00\"}", id, r, at);

      add_record (page, "service_requests", json);
      n++;
      for (guint k = 0; k < 3; k++)
        {
          g_autofree char *step = ID (300000 + r * 3 + k);
          g_autofree char *done = minutes_before ((r * 104729 + k * 13) % 100000);
          g_autofree char *step_json = g_strdup_printf ("{\"id\": \"%s\", \"request_id\": \"%s\", \"position\": %u,"
                                                        " \"name\": \"节点 %u\", \"owner_id\": null,"
                                                        " \"deadline\": \"%s\", \"done_at\": \"%s\", \"note\": null,"
                                                        " \"version\": 1, \"updated_at\": \"2026-12-01T08:00:00+00:00\"}",
                                                        step, id, k + 1, k + 1, done, done);

          add_record (page, "service_steps", step_json);
          n++;
        }
    }
  for (guint o = 0; o < 10; o++)
    {
      g_autofree char *id = ID (400000 + o);
      g_autofree char *json = g_strdup_printf ("{\"id\": \"%s\", \"customer_id\": \"" BIG_CUSTOMER "\","
                                               " \"owner_id\": null, \"name\": \"扩容 %u\", \"stage\": \"proposal\","
                                               " \"amount_once\": 0, \"amount_monthly\": 0, \"probability\": 50,"
                                               " \"expected_close\": null, \"closed_on\": null, \"lost_reason\": null,"
                                               " \"agent_id\": null, \"created_at\": \"2026-01-01T00:00:00+00:00\","
                                               " \"version\": 1, \"updated_at\": \"2026-12-01T08:00:00+00:00\"}", id, o);

      add_record (page, "opportunities", json);
      for (guint k = 0; k < 20; k++)
        {
          g_autofree char *at = minutes_before ((o * 20 + k) * 433 % 100000);
          g_autofree char *stage_json = g_strdup_printf ("{\"id\": %u, \"opportunity_id\": \"%s\","
                                                         " \"from_stage\": \"qualification\", \"to_stage\": \"proposal\","
                                                         " \"changed_at\": \"%s\", \"changed_by\": null}",
                                                         500000 + o * 20 + k, id, at);

          add_record (page, "opportunity_stages", stage_json);
          n++;
        }
    }
#undef ID
  g_assert_cmpuint (n, ==, 2000);
  return page;
}

static gboolean
drawn_rows_counted (GtkWidget *widget,
                    guint     *rows)
{
  if (g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "GtkListItemWidget") == 0)
    (*rows)++;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    drawn_rows_counted (c, rows);
  return TRUE;
}

/* 2,000 entries are read in a worker and shown newest first; the list
 * makes rows for what is on screen, not for every entry; a change in the
 * store is on the list at once.  Times are reported, not asserted. */
static void
test_two_thousand_entries_stay_fast (void)
{
  g_autoptr(CrmTestStore) ts = crm_test_store_new ();
  g_autoptr(JsonObject) page = big_page ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) read = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(CrmMutation) m = NULL;
  g_autofree char *key = NULL;
  GtkWidget *window = gtk_window_new ();
  CrmCustomerTimeline *timeline = CRM_CUSTOMER_TIMELINE (crm_customer_timeline_new ());
  GListModel *model = crm_customer_timeline_get_model (timeline);
  gint64 start, last = G_MAXINT64;
  guint rows = 0;

  g_assert_true (crm_store_apply_sync_page (ts->store, page, &error));
  g_assert_no_error (error);
  crm_test_iterate (50);

  start = g_get_monotonic_time ();
  read = crm_timeline_read (ts->store, BIG_CUSTOMER, now, &error);
  g_assert_no_error (error);
  g_test_message ("crm_timeline_read: %u entries in %.1f ms", read->len,
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (read->len, ==, 2000);

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (timeline));
  gtk_window_present (GTK_WINDOW (window));
  crm_customer_timeline_set_store (timeline, ts->store);
  start = g_get_monotonic_time ();
  crm_customer_timeline_show (timeline, BIG_CUSTOMER);
  crm_test_wait_for (timeline_read, timeline);
  crm_test_wait_drawn (timeline);
  g_test_message ("show to drawn: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2000);
  for (guint i = 0; i < 2000; i++)
    {
      g_autoptr(CrmTimelineEntry) entry = g_list_model_get_item (model, i);

      g_assert_cmpint (crm_timeline_entry_get_when (entry), <=, last);
      last = crm_timeline_entry_get_when (entry);
    }
  /* GtkListView keeps a bounded number of rows (about 200 in GTK 4.8),
   * whatever the model holds */
  drawn_rows_counted (GTK_WIDGET (timeline), &rows);
  g_test_message ("rows made: %u", rows);
  g_assert_cmpuint (rows, >, 0);
  g_assert_cmpuint (rows, <, 400);

  /* again, with the window up: another customer, then this one */
  crm_customer_timeline_show (timeline, "00000000-0000-4000-8000-000000000002");
  crm_test_wait_for (timeline_read, timeline);
  crm_test_wait_drawn (timeline);
  start = g_get_monotonic_time ();
  crm_customer_timeline_show (timeline, BIG_CUSTOMER);
  crm_test_wait_for (timeline_read, timeline);
  crm_test_wait_drawn (timeline);
  g_test_message ("show to drawn, window up: %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2000);

  /* a filter with nothing to show says so */
  crm_customer_timeline_set_filter (timeline, CRM_TIMELINE_CAMPAIGN);
  crm_test_iterate (20);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  {
    GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (timeline), CRM_TYPE_CUSTOMER_TIMELINE,
                                                                  "stack"));
    AdwStatusPage *empty = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (timeline),
                                                                           CRM_TYPE_CUSTOMER_TIMELINE, "empty_page"));

    g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "empty");
    g_assert_cmpstr (adw_status_page_get_title (empty), ==, "Not in any campaign");
    crm_customer_timeline_set_filter (timeline, CRM_TIMELINE_ALL);
    crm_test_iterate (20);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "list");
  }

  /* a visit logged now: on top once the store says so */
  json_object_set_string_member (fields, "customer_id", BIG_CUSTOMER);
  json_object_set_string_member (fields, "kind", "visit");
  json_object_set_string_member (fields, "occurred_at", "2026-12-02T09:00:00+08:00");
  json_object_set_string_member (fields, "subject", "新的拜访");
  json_object_set_string_member (fields, "outcome", "positive");
  m = crm_store_enqueue_create (ts->store, CRM_ENTITY_INTERACTION, NULL, fields, &error);
  g_assert_no_error (error);
  crm_test_iterate (20);
  crm_test_wait_for (timeline_read, timeline);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2001);
  key = g_strconcat ("interaction:", m->record_id, NULL);
  {
    g_autoptr(CrmTimelineEntry) first = g_list_model_get_item (model, 0);

    g_assert_cmpstr (crm_timeline_entry_get_key (first), ==, key);
    g_assert_cmpstr (crm_timeline_entry_get_meta (first), ==, "Visit · Positive · You");
  }

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

static gboolean
timeline_first_shown (gpointer timeline)
{
  return !crm_customer_timeline_is_reading (timeline);
}

/* Keys of @model's first @n entries equal those of @read. */
static void
assert_keys (GListModel *model,
             GPtrArray  *read,
             guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmTimelineEntry) entry = g_list_model_get_item (model, i);

      g_assert_cmpstr (crm_timeline_entry_get_key (entry), ==,
                       crm_timeline_entry_get_key (read->pdata[i]));
    }
}

/* On screen, the read's first screenful is shown at once (the frame that
 * shows the page makes only those rows) and the rest after that frame is
 * drawn, newest first throughout; the timeline is busy until then.  Read
 * again for the same customer, the first screenful is replaced at once
 * and the rest after the next frame.  Outside a window, all at once. */
static void
test_first_screenful_then_the_rest (void)
{
  g_autoptr(CrmTestStore) ts = crm_test_store_new ();
  g_autoptr(JsonObject) page = big_page ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) read = NULL;
  GtkWidget *window = gtk_window_new ();
  CrmCustomerTimeline *timeline = CRM_CUSTOMER_TIMELINE (crm_customer_timeline_new ());
  GListModel *model = crm_customer_timeline_get_model (timeline);
  CrmCustomerTimeline *hidden = CRM_CUSTOMER_TIMELINE (g_object_ref_sink (crm_customer_timeline_new ()));
  guint first;

  g_assert_true (crm_store_apply_sync_page (ts->store, page, &error));
  g_assert_no_error (error);
  read = crm_timeline_read (ts->store, BIG_CUSTOMER, now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read->len, ==, 2000);

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (timeline));
  gtk_window_present (GTK_WINDOW (window));
  crm_customer_timeline_set_store (timeline, ts->store);
  crm_test_wait_drawn (timeline);

  crm_customer_timeline_show (timeline, BIG_CUSTOMER);
  crm_test_wait_for (timeline_first_shown, timeline);
  first = g_list_model_get_n_items (model);
  g_test_message ("first screenful: %u entries", first);
  g_assert_cmpuint (first, >=, 700 / 44);   /* what 700 px can show */
  g_assert_cmpuint (first, <, 200);   /* fewer than GtkListView's rows */
  g_assert_true (crm_customer_timeline_is_busy (timeline));
  assert_keys (model, read, first);
  crm_test_wait_for (timeline_read, timeline);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2000);
  assert_keys (model, read, 2000);

  /* the same customer again: the first screenful replaced, then the rest */
  crm_customer_timeline_show (timeline, BIG_CUSTOMER);
  crm_test_wait_for (timeline_first_shown, timeline);
  g_assert_true (crm_customer_timeline_is_busy (timeline));
  assert_keys (model, read, first);
  crm_test_wait_for (timeline_read, timeline);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2000);
  assert_keys (model, read, 2000);

  /* in no window: no frame to wait for */
  crm_customer_timeline_set_store (hidden, ts->store);
  crm_customer_timeline_show (hidden, BIG_CUSTOMER);
  crm_test_wait_for (timeline_first_shown, hidden);
  g_assert_false (crm_customer_timeline_is_busy (hidden));
  g_assert_cmpuint (g_list_model_get_n_items (crm_customer_timeline_get_model (hidden)), ==, 2000);

  g_object_unref (hidden);
  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

/* Times "Overdue" is drawn under @widget. */
static guint
count_overdue (gpointer widget)
{
  g_autofree char *text = drawn_text (widget);
  guint n = 0;

  for (const char *p = strstr (text, "Overdue\n"); p != NULL; p = strstr (p + 1, "Overdue\n"))
    n++;
  return n;
}

/* An open request's step past its deadline says so in words on its row
 * (made only for such a row), and a row rebound to another entry does
 * not keep it. */
static void
test_overdue_step_says_so (void)
{
  g_autoptr(CrmTestStore) ts = crm_test_store_new ();
  g_autoptr(JsonObject) page = crm_test_load_page ("customers-page.json");
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  CrmCustomerTimeline *timeline = CRM_CUSTOMER_TIMELINE (crm_customer_timeline_new ());

  add_record (page, "service_requests",
              "{\"id\": \"00000000-0000-4000-8000-000000900001\", \"customer_id\": \"" BIG_CUSTOMER "\","
              " \"phase\": \"after_sale\", \"kind\": \"fault\", \"title\": \"断网\", \"description\": null,"
              " \"status\": \"in_progress\", \"priority\": \"high\", \"opened_by\": null,"
              " \"opened_at\": \"2026-01-01T08:00:00+00:00\", \"due_at\": null, \"closed_at\": null,"
              " \"satisfaction\": null, \"version\": 1, \"updated_at\": \"2026-01-01T08:00:00+00:00\"}");
  add_record (page, "service_steps",
              "{\"id\": \"00000000-0000-4000-8000-000000900002\","
              " \"request_id\": \"00000000-0000-4000-8000-000000900001\", \"position\": 1, \"name\": \"受理\","
              " \"owner_id\": null, \"deadline\": \"2026-01-02T08:00:00+00:00\","
              " \"done_at\": \"2026-01-01T09:00:00+00:00\", \"note\": null, \"version\": 1,"
              " \"updated_at\": \"2026-01-01T08:00:00+00:00\"}");
  add_record (page, "service_steps",
              "{\"id\": \"00000000-0000-4000-8000-000000900003\","
              " \"request_id\": \"00000000-0000-4000-8000-000000900001\", \"position\": 2, \"name\": \"抢修\","
              " \"owner_id\": null, \"deadline\": \"2026-01-03T08:00:00+00:00\", \"done_at\": null,"
              " \"note\": null, \"version\": 1, \"updated_at\": \"2026-01-01T08:00:00+00:00\"}");
  g_assert_true (crm_store_apply_sync_page (ts->store, page, &error));
  g_assert_no_error (error);

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (timeline));
  gtk_window_present (GTK_WINDOW (window));
  crm_customer_timeline_set_store (timeline, ts->store);
  crm_customer_timeline_show (timeline, BIG_CUSTOMER);
  crm_test_wait_for (timeline_read, timeline);
  crm_test_wait_drawn (timeline);
  crm_test_iterate (50);
  g_assert_cmpuint (count_overdue (timeline), ==, 1);

  /* the steps' rows rebound to the request alone: nothing overdue drawn */
  crm_customer_timeline_set_filter (timeline, CRM_TIMELINE_INTERACTION);
  crm_test_iterate (50);
  g_assert_cmpuint (count_overdue (timeline), ==, 0);
  crm_customer_timeline_set_filter (timeline, CRM_TIMELINE_ALL);
  crm_test_iterate (50);
  g_assert_cmpuint (count_overdue (timeline), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  crm_test_iterate (50);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path_child = g_build_filename (path, name, NULL);

      if (g_file_test (path_child, G_FILE_TEST_IS_DIR))
        remove_tree (path_child);
      else
        g_unlink (path_child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* accessibility on, whatever the environment says */
  g_unsetenv ("GTK_A11Y");
  data_home = g_dir_make_tmp ("keyline-timeline-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_auth_init (NULL);

  g_test_add_func ("/client/timeline/two-thousand-entries-stay-fast", test_two_thousand_entries_stay_fast);
  g_test_add_func ("/client/timeline/first-screenful-at-once-then-the-rest", test_first_screenful_then_the_rest);
  g_test_add_func ("/client/timeline/overdue-step-says-so-in-words", test_overdue_step_says_so);
  if (!crm_test_live_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      remove_tree (data_home);
      return g_test_run ();
    }
  live = crm_test_live_new (200);

  g_test_add_func ("/client/timeline/shows-every-kind-newest-first-and-the-filter-narrows-it",
                   test_every_kind_newest_first_and_the_filter_narrows_it);
  g_test_add_func ("/client/timeline/visit-logged-offline-shows-at-once-and-reaches-the-server",
                   test_visit_logged_offline_shows_at_once_and_reaches_the_server);
  g_test_add_func ("/client/timeline/opportunity-from-the-dialog-reaches-the-server",
                   test_opportunity_from_the_dialog_reaches_the_server);
  g_test_add_func ("/client/timeline/dialog-keys-and-inline-errors", test_dialog_keys_and_inline_errors);
  g_test_add_func ("/client/timeline/shortcuts-are-bound-and-listed", test_shortcuts_are_bound_and_listed);

  status = g_test_run ();

  crm_test_live_free (live);
  remove_tree (data_home);
  g_free (data_home);
  return status;
}
