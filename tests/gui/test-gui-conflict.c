/* The conflict dialog over a local store holding a change in conflict: the
 * customer 上海浦东发展银行 (data/customers-page.json) renamed and retiered
 * here while a colleague did both differently.  With KEYLINE_SCREENSHOT_DIR
 * set, the dialog is also written there as conflict-en.png and
 * conflict-zh.png. */
#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "crm-application.h"
#include "crm-conflict-dialog.h"
#include "crm-test-store.h"

#define FIXTURE "customers-page.json"
#define SPD_BANK "00000000-0000-4000-8000-000000000001"

typedef struct
{
  CrmTestStore *store;
  CrmMutation  *mutation;
  GtkWindow    *parent;
  GtkWidget    *dialog;
  gboolean      resolved_emitted;
  CrmMutation  *resolved;
} Fixture;

static JsonObject *
fixture_customer (const char *id)
{
  g_autoptr(JsonObject) page = crm_test_load_page (FIXTURE);
  JsonArray *customers = json_object_get_array_member (page, "customers");

  for (guint i = 0; i < json_array_get_length (customers); i++)
    {
      JsonObject *c = json_array_get_object_element (customers, i);

      if (g_str_equal (json_object_get_string_member (c, "id"), id))
        {
          g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), c);
          g_autoptr(JsonNode) copy = json_node_copy (node);

          return json_object_ref (json_node_get_object (copy));
        }
    }
  g_assert_not_reached ();
}

static void
add_conflict (JsonArray  *conflicts,
              const char *field,
              const char *base,
              const char *mine,
              const char *theirs)
{
  JsonObject *c = json_object_new ();

  json_object_set_string_member (c, "field", field);
  json_object_set_string_member (c, "base", base);
  json_object_set_string_member (c, "mine", mine);
  json_object_set_string_member (c, "theirs", theirs);
  json_array_add_object_element (conflicts, c);
}

static void
resolved_cb (CrmConflictDialog *dialog,
             CrmMutation       *resolved,
             Fixture           *f)
{
  f->resolved_emitted = TRUE;
  f->resolved = resolved ? crm_mutation_ref (resolved) : NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) fields = json_object_new ();
  g_autoptr(JsonObject) current = fixture_customer (SPD_BANK);
  g_autoptr(JsonArray) conflicts = json_array_new ();
  g_autoptr(CrmMutation) queued = NULL;
  g_autoptr(CrmMutation) sent = NULL;

  f->store = crm_test_store_new_from (FIXTURE);
  json_object_set_string_member (fields, "name", "上海浦东发展银行（总行）");
  json_object_set_string_member (fields, "tier", "major");
  json_object_set_string_member (fields, "phone", "021-61618888");
  queued = crm_store_enqueue_update (f->store->store, CRM_ENTITY_CUSTOMER, SPD_BANK, fields, &error);
  g_assert_no_error (error);
  sent = crm_store_next_mutation (f->store->store, &error);
  g_assert_no_error (error);

  /* the colleague's version: another name, tier and phone */
  json_object_set_string_member (current, "name", "浦发银行");
  json_object_set_string_member (current, "tier", "standard");
  json_object_set_string_member (current, "phone", "139****0000");
  json_object_set_int_member (current, "version", json_object_get_int_member (current, "version") + 1);
  add_conflict (conflicts, "name", "上海浦东发展银行", "上海浦东发展银行（总行）", "浦发银行");
  add_conflict (conflicts, "tier", "key", "major", "standard");
  add_conflict (conflicts, "phone", "138****5601", "021-61618888", "139****0000");
  g_assert_true (crm_store_mutation_conflict (f->store->store, queued->seq, current, conflicts,
                                              "Someone else changed name", &error));
  g_assert_no_error (error);
  f->mutation = crm_store_get_mutation (f->store->store, queued->seq, &error);
  g_assert_no_error (error);

  f->parent = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->parent, 1000, 700);
  gtk_window_present (f->parent);
  f->dialog = crm_conflict_dialog_new (f->parent, f->store->store, f->mutation, "上海浦东发展银行");
  g_signal_connect (f->dialog, "resolved", G_CALLBACK (resolved_cb), f);
  gtk_window_present (GTK_WINDOW (f->dialog));
  crm_test_wait_drawn (f->dialog);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->dialog != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (f->dialog), (gpointer *) &f->dialog);
      gtk_window_destroy (GTK_WINDOW (f->dialog));
      crm_test_iterate (20);
      g_assert_null (f->dialog);
    }
  gtk_window_destroy (f->parent);
  g_clear_pointer (&f->mutation, crm_mutation_unref);
  g_clear_pointer (&f->resolved, crm_mutation_unref);
  crm_test_store_free (f->store);
}

/* The dialog as a PNG, drawn by its own renderer. */
static void
save_snapshot (GtkWidget  *widget,
               const char *name)
{
  const char *dir = g_getenv ("KEYLINE_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (dir == NULL || dir[0] == '\0')
    return;
  path = g_build_filename (dir, name, NULL);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1, 1, 1, 1 }, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Wrote %s", path);
}

static void
test_dialog_keeps_mine_for_one_field_and_theirs_for_another (Fixture       *f,
                                                             gconstpointer  data)
{
  CrmConflictDialog *dialog = CRM_CONFLICT_DIALOG (f->dialog);
  GtkToggleButton *name_mine = crm_conflict_dialog_get_choice (dialog, "name", TRUE);
  GtkToggleButton *name_theirs = crm_conflict_dialog_get_choice (dialog, "name", FALSE);
  GtkToggleButton *tier_mine = crm_conflict_dialog_get_choice (dialog, "tier", TRUE);
  GtkToggleButton *tier_theirs = crm_conflict_dialog_get_choice (dialog, "tier", FALSE);
  GtkToggleButton *phone_theirs = crm_conflict_dialog_get_choice (dialog, "phone", FALSE);
  g_autofree char *text = crm_test_dup_visible_text (f->dialog);
  g_autoptr(CrmCustomer) customer = NULL;
  g_autoptr(GPtrArray) queue = NULL;
  g_autoptr(GError) error = NULL;

  /* each field: its label, yours and theirs side by side */
  g_assert_nonnull (strstr (text, "Changes to 上海浦东发展银行 conflict with someone else’s"));
  g_assert_nonnull (strstr (text, "Name"));
  g_assert_nonnull (strstr (text, "Tier"));
  g_assert_nonnull (strstr (text, "上海浦东发展银行（总行）"));
  g_assert_nonnull (strstr (text, "浦发银行"));
  g_assert_nonnull (strstr (text, "Major"));
  g_assert_nonnull (strstr (text, "Standard"));
  /* masked values stay masked: the server's as it came, the user's own
   * as the server would mask it */
  g_assert_nonnull (strstr (text, "139****0000"));
  g_assert_nonnull (strstr (text, "021*****8888"));
  g_assert_null (strstr (text, "021-61618888"));
  g_assert_null (crm_conflict_dialog_get_choice (dialog, "industry", TRUE));

  /* yours is chosen at first; the two are one choice, by keyboard too */
  g_assert_true (gtk_toggle_button_get_active (name_mine));
  g_assert_false (gtk_toggle_button_get_active (name_theirs));
  g_assert_true (gtk_toggle_button_get_active (tier_mine));
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (tier_theirs)));

  /* theirs for the tier and the phone, yours for the name; activating
   * is what Space or Enter does on the focused button */
  gtk_widget_activate (GTK_WIDGET (tier_theirs));
  gtk_widget_activate (GTK_WIDGET (phone_theirs));
  crm_test_iterate (1000);
  g_assert_true (gtk_toggle_button_get_active (tier_theirs));
  g_assert_false (gtk_toggle_button_get_active (tier_mine));
  save_snapshot (f->dialog, "conflict-en.png");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (f->dialog), "apply");
  crm_test_iterate (20);

  g_assert_true (f->resolved_emitted);
  g_assert_nonnull (f->resolved);
  if (f->resolved == NULL)
    return;
  g_assert_cmpuint (json_object_get_size (f->resolved->fields), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (f->resolved->fields, "name"), ==, "上海浦东发展银行（总行）");
  g_assert_cmpstr (json_object_get_string_member (f->resolved->base, "name"), ==, "浦发银行");
  g_assert_cmpint (f->resolved->state, ==, CRM_MUTATION_PENDING);

  customer = crm_store_get_customer (f->store->store, SPD_BANK, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (customer->name, ==, "上海浦东发展银行（总行）");
  g_assert_cmpstr (customer->tier, ==, "standard");
  g_assert_cmpstr (customer->phone, ==, "139****0000");
  queue = crm_store_list_mutations (f->store->store, &error);
  g_assert_cmpuint (queue->len, ==, 1);
}

static void
test_later_keeps_the_conflict (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CrmMutation) kept = NULL;
  g_autoptr(CrmCustomer) customer = NULL;
  g_autoptr(GError) error = NULL;

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (f->dialog), "cancel");
  crm_test_iterate (20);
  g_assert_false (f->resolved_emitted);
  kept = crm_store_get_mutation (f->store->store, f->mutation->seq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (kept->state, ==, CRM_MUTATION_CONFLICT);
  customer = crm_store_get_customer (f->store->store, SPD_BANK, &error);
  g_assert_cmpstr (customer->name, ==, "上海浦东发展银行（总行）");
}

static void
test_zh_cn_translates_the_dialog (void)
{
  Fixture f = { 0 };
  g_autofree char *text = NULL;

  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    {
      g_test_skip ("The zh_CN.UTF-8 locale is not installed (Debian: locales-all)");
      return;
    }
  crm_application_setup_gettext ();
  fixture_set_up (&f, NULL);
  text = crm_test_dup_visible_text (f.dialog);
  g_assert_nonnull (strstr (text, "上海浦东发展银行 的修改与他人的修改冲突"));
  g_assert_nonnull (strstr (text, "您的"));
  gtk_widget_activate (GTK_WIDGET (crm_conflict_dialog_get_choice (CRM_CONFLICT_DIALOG (f.dialog), "tier", FALSE)));
  gtk_widget_activate (GTK_WIDGET (crm_conflict_dialog_get_choice (CRM_CONFLICT_DIALOG (f.dialog), "phone", FALSE)));
  crm_test_iterate (1000);
  save_snapshot (f.dialog, "conflict-zh.png");
  fixture_tear_down (&f, NULL);
  setlocale (LC_ALL, "C.UTF-8");
}

int
main (int   argc,
      char *argv[])
{
  /* Accessibility on, whatever the suite's environment says: the dialog
   * sets accessible labels, which GTK 4.8 only exercises with it on. */
  g_unsetenv ("GTK_A11Y");
  setlocale (LC_ALL, "C.UTF-8");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  setlocale (LC_ALL, "C.UTF-8");

  g_test_add ("/client/conflict/dialog-keeps-mine-for-one-field-and-theirs-for-another", Fixture, NULL,
              fixture_set_up, test_dialog_keeps_mine_for_one_field_and_theirs_for_another, fixture_tear_down);
  g_test_add ("/client/conflict/later-keeps-the-conflict", Fixture, NULL,
              fixture_set_up, test_later_keeps_the_conflict, fixture_tear_down);
  g_test_add_func ("/client/conflict/zh-cn-translates-the-dialog", test_zh_cn_translates_the_dialog);

  return g_test_run ();
}
