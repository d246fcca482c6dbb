#include "config.h"

#include <glib/gstdio.h>
#include <adwaita.h>

#include "crm-customer-detail.h"
#include "crm-customers-page.h"
#include "crm-test-store.h"

CrmTestStore *
crm_test_store_new (void)
{
  g_autoptr(GError) error = NULL;
  CrmTestStore *self = g_new0 (CrmTestStore, 1);

  self->dir = g_dir_make_tmp ("keyline-gui-XXXXXX", &error);
  g_assert_no_error (error);
  self->path = g_build_filename (self->dir, "local.sqlite", NULL);
  self->store = crm_store_open (self->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (self->store);
  return self;
}

JsonObject *
crm_test_load_page (const char *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *file = g_test_build_filename (G_TEST_DIST, "gui", "data", fixture, NULL);

  json_parser_load_from_file (parser, file, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

CrmTestStore *
crm_test_store_new_from (const char *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) page = crm_test_load_page (fixture);
  CrmTestStore *self = crm_test_store_new ();

  g_assert_true (crm_store_apply_sync_page (self->store, page, &error));
  g_assert_no_error (error);
  /* The store tells about the page in an idle: let it, before a model
   * reads the store, so that nothing arrives twice. */
  crm_test_iterate (50);
  return self;
}

void
crm_test_store_free (CrmTestStore *self)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  if (self->store != NULL)
    {
      crm_test_iterate (20);
      g_assert_finalize_object (self->store);
    }
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (self->path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (self->dir);
  g_free (self->path);
  g_free (self->dir);
  g_free (self);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

void
crm_test_iterate (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *drawn)
{
  *drawn = TRUE;
}

void
crm_test_wait_drawn (gpointer widget)
{
  GdkFrameClock *clock;
  gboolean drawn = FALSE;
  gulong handler;
  guint frames;

  /* Realized first: a page may still be on its way in (a stack's
   * transition, a model read in a worker). */
  {
    gboolean timed_out = FALSE;
    guint id = g_timeout_add_seconds (5, timeout_cb, &timed_out);

    while (!gtk_widget_get_realized (GTK_WIDGET (widget)) && !timed_out)
      g_main_context_iteration (NULL, TRUE);
    g_assert_false (timed_out);
    g_source_remove (id);
  }

  /* A few frames: the first lays out, the ones after settle. */
  for (frames = 0; frames < 3; frames++)
    {
      gboolean timed_out = FALSE;
      guint id;

      clock = gtk_widget_get_frame_clock (GTK_WIDGET (widget));
      g_assert_nonnull (clock);
      drawn = FALSE;
      handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &drawn);
      gtk_widget_queue_draw (GTK_WIDGET (widget));
      id = g_timeout_add_seconds (5, timeout_cb, &timed_out);
      while (!drawn && !timed_out)
        g_main_context_iteration (NULL, TRUE);
      g_signal_handler_disconnect (clock, handler);
      g_assert_false (timed_out);
      g_source_remove (id);
    }
}

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (!gtk_widget_get_child_visible (widget) || !gtk_widget_get_visible (widget) || !gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget) || GTK_IS_INSCRIPTION (widget))
    {
      /* the list's cells are inscriptions (crm-customer-cells.c) */
      g_string_append (out, GTK_IS_LABEL (widget) ? gtk_label_get_label (GTK_LABEL (widget))
                                                  : gtk_inscription_get_text (GTK_INSCRIPTION (widget)));
      g_string_append_c (out, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

char *
crm_test_dup_visible_text (gpointer widget)
{
  GString *out = g_string_new (NULL);

  collect_text (GTK_WIDGET (widget), out);
  return g_string_free (out, FALSE);
}

GtkWidget *
crm_test_find_button (gpointer    widget,
                      const char *label)
{
  if (GTK_IS_BUTTON (widget) &&
      (g_strcmp0 (gtk_button_get_label (widget), label) == 0 ||
       g_strcmp0 (gtk_widget_get_tooltip_text (widget), label) == 0))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = crm_test_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
crm_test_find_message_dialog (void)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());
  GtkWidget *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (window))
        {
          g_assert_null (found);
          found = window;
        }
    }
  return found;
}

void
crm_test_wait_loaded (gpointer page)
{
  gint64 until = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (g_strcmp0 (crm_customers_page_get_state (page), "loading") == 0 && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpstr (crm_customers_page_get_state (page), !=, "loading");
}

void
crm_test_wait_saved (gpointer detail)
{
  gint64 until = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (crm_customer_detail_get_editing (detail) && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_false (crm_customer_detail_get_editing (detail));
}
