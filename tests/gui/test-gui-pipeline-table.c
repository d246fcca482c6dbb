/* The pipeline's Table and the opportunity dialog's edit mode, against the
 * real server (in-process, over a throwaway seeded PostgreSQL), signed in
 * as the seeded account manager: the dialog opens an opportunity as the
 * store has it, queues only the fields changed, and they reach PostgreSQL;
 * a move to lost without a reason is refused under the field, and with
 * one it is recorded; the total contract value follows what is typed.
 * Accessibility on. */
#define G_LOG_DOMAIN "test-gui-pipeline-table"

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "crm-auth.h"
#include "crm-format.h"
#include "crm-opportunity-dialog.h"
#include "crm-test-live.h"
#include "crm-test-store.h"
#include "crm-window.h"

static CrmTestLive *live;
static char *data_home;

/* The account manager's open opportunities, the first @1 skipped: id,
 * then customer. */
#define OPEN_OPPORTUNITY(what) \
  "SELECT o." what " FROM crm.opportunities o JOIN crm.customers c ON c.id = o.customer_id" \
  " JOIN crm.users u ON u.id = c.owner_id WHERE u.login = 'manager' AND o.stage NOT IN ('won', 'lost')" \
  " ORDER BY o.id OFFSET $1::int LIMIT 1"

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

/* Signed in as @login, the first sync done. */
static Desktop *
desktop_new (const char *login)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *token = NULL;
  g_autoptr(CrmApi) api = crm_test_live_sign_in (live, login, &token);
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
  g_assert_true (crm_sync_engine_sync_finish (engine, crm_test_wait_result (&result), NULL));
  crm_test_iterate (100);
}

static GtkWidget *
child (GtkWidget  *widget,
       GType       type,
       const char *name)
{
  GtkWidget *found = GTK_WIDGET (gtk_widget_get_template_child (widget, type, name));

  g_assert_nonnull (found);
  return found;
}

static void
type_into (GtkWidget  *dialog,
           const char *row,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, row)), text);
}

static const char *
text_of (GtkWidget  *dialog,
         const char *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, row)));
}

static void
record_id_cb (GtkWidget  *dialog,
              const char *record_id,
              char      **out)
{
  *out = g_strdup (record_id);
}

static gboolean
destroyed (gpointer pointer)
{
  return *(gpointer *) pointer == NULL;
}

/* The edit dialog of the manager's @nth open opportunity; its id in @id. */
static GtkWidget *
edit_dialog (Desktop  *desktop,
             guint     nth,
             char    **id)
{
  g_autofree char *offset = g_strdup_printf ("%u", nth);
  g_autofree char *customer_id = crm_test_live_scalar (live, OPEN_OPPORTUNITY ("customer_id"), offset);
  g_autoptr(GError) error = NULL;
  GtkWidget *dialog;

  *id = crm_test_live_scalar (live, OPEN_OPPORTUNITY ("id"), offset);
  g_assert_nonnull (*id);
  dialog = crm_opportunity_dialog_new_for_edit (GTK_WINDOW (desktop->window), store_of (desktop), customer_id, *id,
                                                &error);
  g_assert_no_error (error);
  g_assert_nonnull (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  crm_test_iterate (50);
  return dialog;
}

/* The one queued change: its fields' names, sorted, space-separated. */
static char *
queued_field_names (CrmStore *store)
{
  g_autoptr(GPtrArray) mutations = crm_store_list_mutations (store, NULL);
  g_autoptr(GList) names = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  CrmMutation *m;

  g_assert_cmpuint (mutations->len, ==, 1);
  m = mutations->pdata[0];
  g_assert_cmpint (m->op, ==, CRM_MUTATION_OP_UPDATE);
  names = g_list_sort (json_object_get_members (m->fields), (GCompareFunc) g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (out, "%s%s", out->len ? " " : "", (const char *) l->data);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_edit_saves_only_the_changed_fields (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autofree char *id = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *on_server = NULL;
  g_autofree char *expected = NULL;
  GtkWidget *dialog = edit_dialog (desktop, 0, &id);

  /* as the store has it */
  name = crm_test_live_scalar (live, "SELECT name FROM crm.opportunities WHERE id = $1", id);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Edit Opportunity");
  g_assert_cmpstr (text_of (dialog, "name_row"), ==, name);
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (dialog)),
                                         child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "name_row")));
  g_signal_connect (dialog, "queued", G_CALLBACK (record_id_cb), &record_id);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  type_into (dialog, "next_step_row", "签约前确认报价");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "contract_months_spin")), 36);
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  crm_test_wait_for (destroyed, &dialog);
  g_assert_cmpstr (record_id, ==, id);

  /* an update of the two fields changed, nothing else */
  fields = queued_field_names (store_of (desktop));
  g_assert_cmpstr (fields, ==, "contract_months next_step");

  sync_and_wait (desktop);
  on_server = crm_test_live_scalar (live, "SELECT name || ' | ' || next_step || ' | ' || contract_months"
                                          " FROM crm.opportunities WHERE id = $1", id);
  expected = g_strdup_printf ("%s | 签约前确认报价 | 36", name);
  g_assert_cmpstr (on_server, ==, expected);
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 0);
}

static void
test_lost_without_a_reason_is_refused_inline (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autofree char *id = NULL;
  g_autofree char *on_server = NULL;
  GtkWidget *dialog = edit_dialog (desktop, 1, &id);
  GtkWidget *reason_row = child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "lost_reason_row");
  GtkWidget *reason_error = child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "lost_reason_error");

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_false (gtk_widget_get_visible (reason_row));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "stage_row")),
                              CRM_STAGE_LOST);
  g_assert_true (gtk_widget_get_visible (reason_row));
  /* not said before Save is asked for */
  g_assert_false (gtk_widget_get_visible (reason_error));

  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  crm_test_iterate (50);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (reason_error));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (reason_error)), ==, "Say why it was lost");
  g_assert_true (gtk_widget_has_css_class (reason_row, "error"));
  g_assert_cmpuint (crm_store_count_unsent_changes (store_of (desktop), NULL), ==, 0);

  /* with a reason: moved, and the server records it */
  type_into (dialog, "lost_reason_row", "预算冻结");
  g_assert_false (gtk_widget_get_visible (reason_error));
  g_assert_true (gtk_widget_activate_action (dialog, "dialog.save", NULL));
  crm_test_wait_for (destroyed, &dialog);
  sync_and_wait (desktop);
  on_server = crm_test_live_scalar (live, "SELECT stage || ' ' || lost_reason FROM crm.opportunities WHERE id = $1",
                                    id);
  g_assert_cmpstr (on_server, ==, "lost 预算冻结");
}

static void
test_total_contract_value_follows_what_is_typed (void)
{
  g_autoptr(Desktop) desktop = desktop_new ("manager");
  g_autofree char *id = NULL;
  g_autofree char *expected = crm_format_money (100000 + 20000 * 24);
  GtkWidget *dialog = edit_dialog (desktop, 2, &id);
  GtkWidget *total = child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "total_label");

  type_into (dialog, "amount_once_row", "1000");
  type_into (dialog, "amount_monthly_row", "200");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (dialog, CRM_TYPE_OPPORTUNITY_DIALOG, "contract_months_spin")), 24);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (total)), ==, expected);
  type_into (dialog, "amount_monthly_row", "两百");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (total)), ==, "—");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_path = g_build_filename (path, name, NULL);

      if (g_file_test (child_path, G_FILE_TEST_IS_DIR))
        remove_tree (child_path);
      else
        g_unlink (child_path);
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
  data_home = g_dir_make_tmp ("keyline-ptable-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");
  crm_auth_init (NULL);

  if (!crm_test_live_available ())
    {
      g_test_skip ("no throwaway PostgreSQL (KEYLINE_TEST_PGHOST unset) or no KEYLINE_SERVER");
      remove_tree (data_home);
      return g_test_run ();
    }
  live = crm_test_live_new (200);

  g_test_add_func ("/client/opportunity-dialog/edit-saves-only-the-changed-fields",
                   test_edit_saves_only_the_changed_fields);
  g_test_add_func ("/client/opportunity-dialog/lost-without-a-reason-is-refused-inline",
                   test_lost_without_a_reason_is_refused_inline);
  g_test_add_func ("/client/opportunity-dialog/total-contract-value-follows-what-is-typed",
                   test_total_contract_value_follows_what_is_typed);

  status = g_test_run ();

  crm_test_live_free (live);
  remove_tree (data_home);
  g_free (data_home);
  return status;
}
