#define G_LOG_DOMAIN "crm-outcome-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "crm-outcome-csv.h"
#include "crm-outcome-import.h"

/* Rows of the file shown in the preview. */
#define PREVIEW_ROWS 5

struct _CrmOutcomeImport
{
  AdwWindow             parent_instance;

  GtkWidget            *cancel_button;
  GtkWidget            *import_button;
  GtkStack             *stack;
  AdwActionRow         *file_row;
  GtkGrid              *preview;
  GtkDropDown          *customer_column;
  GtkDropDown          *outcome_column;
  GtkDropDown          *channel_column;
  GtkDropDown          *time_column;
  GtkLabel             *summary;
  GtkListView          *problems;
  AdwStatusPage        *busy_page;
  AdwStatusPage        *done_page;
  GtkProgressBar       *progress;

  CrmStore             *store;
  char                 *campaign_id;
  CrmOutcomeCampaign   *campaign;    /* read by workers: freed in finalize only */
  char                 *file_name;
  CrmOutcomeCsv        *csv;
  CrmOutcomeCheck      *check;
  GtkStringList        *problem_model;
  guint                 generation;  /* of the newest check; older answers are dropped */
  guint                 busy;        /* workers running */
  gboolean              filling;     /* setting the drop-downs' models */
  gboolean              importing;
  GCancellable         *import_cancellable;
  guint                 progress_id;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (CrmOutcomeImport, crm_outcome_import, ADW_TYPE_WINDOW)

/* ------------------------------------------------------------------ */
/* Workers                                                             */
/* ------------------------------------------------------------------ */

typedef struct
{
  GFile              *file;
  CrmStore           *store;
  char               *campaign_id;
  CrmOutcomeCampaign *campaign;   /* borrowed (the dialog's), or NULL: read it */
  CrmOutcomeCsv      *csv;        /* for a check of another mapping */
  int                 mapping[CRM_OUTCOME_N_COLUMNS];
  guint               generation;
  /* results */
  CrmOutcomeCampaign *loaded;
  CrmOutcomeCheck    *check;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->file);
  g_clear_object (&job->store);
  g_free (job->campaign_id);
  g_clear_pointer (&job->csv, crm_outcome_csv_unref);
  g_clear_pointer (&job->loaded, crm_outcome_campaign_free);
  g_clear_pointer (&job->check, crm_outcome_check_unref);
  g_free (job);
}

/* Reads the file (and the campaign, the first time), guesses the columns
 * and checks the rows; or checks the rows again with another mapping. */
static void
read_and_check_thread (GTask        *task,
                       gpointer      source_object,
                       gpointer      task_data,
                       GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (job->csv == NULL)
    {
      g_autofree char *path = g_file_get_path (job->file);

      if (path == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, _("Only local files can be imported."));
          return;
        }
      job->csv = crm_outcome_csv_load (path, &error);
      if (job->csv == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      crm_outcome_csv_guess_mapping (job->csv, job->mapping);
    }
  if (job->campaign == NULL)
    {
      job->loaded = crm_outcome_campaign_load (job->store, job->campaign_id, &error);
      if (job->loaded == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  /* without the needed columns there is nothing to check: no check */
  job->check = crm_outcome_check_new (job->csv, job->campaign ? job->campaign : job->loaded, job->mapping, now,
                                      NULL);
  g_task_return_boolean (task, TRUE);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  gboolean stopped = FALSE;

  if (!crm_outcome_check_queue (job->check, job->store, cancellable, &stopped, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, stopped);
}

/* ------------------------------------------------------------------ */
/* Showing a check                                                     */
/* ------------------------------------------------------------------ */

static GtkDropDown *
column_row (CrmOutcomeImport *self,
            CrmOutcomeColumn  column)
{
  GtkDropDown *rows[] = { self->customer_column, self->outcome_column, self->channel_column, self->time_column };

  G_STATIC_ASSERT (G_N_ELEMENTS (rows) == CRM_OUTCOME_N_COLUMNS);
  return rows[column];
}

/* The file column each drop-down names, or -1. */
static void
get_mapping (CrmOutcomeImport *self,
             int               mapping[CRM_OUTCOME_N_COLUMNS])
{
  for (guint k = 0; k < CRM_OUTCOME_N_COLUMNS; k++)
    {
      guint selected = gtk_drop_down_get_selected (column_row (self, k));

      mapping[k] = selected == GTK_INVALID_LIST_POSITION || selected == 0 ? -1 : (int) selected - 1;
    }
}

static void
update_actions (CrmOutcomeImport *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean checking = g_strcmp0 (page, "check") == 0;
  gboolean good = self->check != NULL && crm_outcome_check_get_good (self->check)->len > 0;
  gboolean rejected = self->check != NULL && crm_outcome_check_get_rejected (self->check)->len > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.run", checking && self->busy == 0 && good);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose", !self->importing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.save-rejected", !self->importing && rejected);
  gtk_widget_set_visible (self->import_button, checking || g_strcmp0 (page, "choose") == 0);
  gtk_widget_set_visible (self->cancel_button, g_strcmp0 (page, "done") != 0);
}

static const char *
column_label (CrmOutcomeColumn column)
{
  static const char * const labels[] = {
    N_("Customer"), N_("Outcome"), N_("Channel"), N_("Time"),
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (labels) == CRM_OUTCOME_N_COLUMNS);
  return _(labels[column]);
}

static GtkWidget *
cell_label (const char *text,
            const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  /* as wide as the text up to 28 characters (the preview scrolls
   * sideways), longer ones cut */
  if (g_utf8_strlen (text, -1) > 28)
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 28);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
    }
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  return label;
}

/* The header (with what each mapped column is used for) and the first
 * rows, each with its number as the file counts. */
static void
fill_preview (CrmOutcomeImport *self)
{
  const char * const *header = crm_outcome_csv_get_header (self->csv);
  guint n_rows = MIN (PREVIEW_ROWS, crm_outcome_csv_get_n_rows (self->csv));
  int mapping[CRM_OUTCOME_N_COLUMNS];
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview))) != NULL)
    gtk_grid_remove (self->preview, child);
  get_mapping (self, mapping);
  gtk_grid_attach (self->preview, cell_label (_("Row"), "dim-label"), 0, 0, 1, 1);
  for (guint c = 0; header[c] != NULL; c++)
    {
      g_autofree char *text = g_strdup (header[c]);

      for (guint k = 0; k < CRM_OUTCOME_N_COLUMNS; k++)
        if (mapping[k] == (int) c)
          {
            g_free (text);
            /* TRANSLATORS: a column of the file → what it is imported as */
            text = g_strdup_printf (_("%s → %s"), header[c], column_label (k));
          }
      gtk_grid_attach (self->preview, cell_label (text, "heading"), (int) c + 1, 0, 1, 1);
    }
  for (guint i = 0; i < n_rows; i++)
    {
      const char * const *row = crm_outcome_csv_get_row (self->csv, i);
      g_autofree char *number = g_strdup_printf ("%u", crm_outcome_csv_get_row_number (self->csv, i));

      gtk_grid_attach (self->preview, cell_label (number, "dim-label"), 0, (int) i + 1, 1, 1);
      for (guint c = 0; row[c] != NULL && c < crm_outcome_csv_get_n_columns (self->csv); c++)
        gtk_grid_attach (self->preview, cell_label (row[c], NULL), (int) c + 1, (int) i + 1, 1, 1);
    }
}

static void
fill_problems (CrmOutcomeImport *self)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *rejected = self->check ? crm_outcome_check_get_rejected (self->check) : NULL;
  GPtrArray *skipped = self->check ? crm_outcome_check_get_skipped (self->check) : NULL;
  guint r = 0, s = 0;

  /* both in the file's order */
  while ((rejected && r < rejected->len) || (skipped && s < skipped->len))
    {
      CrmOutcomeIssue *a = rejected && r < rejected->len ? rejected->pdata[r] : NULL;
      CrmOutcomeIssue *b = skipped && s < skipped->len ? skipped->pdata[s] : NULL;

      if (a != NULL && (b == NULL || a->index < b->index))
        g_ptr_array_add (lines, g_strdup_printf (_("Row %u: %s"), a->row_number, a->message)), r++;
      else
        g_ptr_array_add (lines, g_strdup_printf (_("Row %u, skipped: %s"), b->row_number, b->message)), s++;
    }
  g_ptr_array_add (lines, NULL);
  gtk_string_list_splice (self->problem_model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->problem_model)),
                          (const char * const *) lines->pdata);
}

static void
show_summary (CrmOutcomeImport *self)
{
  g_autofree char *text = NULL;

  if (self->check == NULL)
    text = g_strdup (_("Choose the columns of the customer and of the outcome."));
  else
    text = g_strdup_printf (_("Ready to import: %u · With errors: %u · Skipped: %u (older rows of the same member: %u;"
                              " outcome already recorded or further along: %u)"),
                            crm_outcome_check_get_good (self->check)->len,
                            crm_outcome_check_get_rejected (self->check)->len,
                            crm_outcome_check_get_skipped (self->check)->len,
                            crm_outcome_check_count_skipped (self->check, CRM_OUTCOME_PROBLEM_DUPLICATE),
                            crm_outcome_check_count_skipped (self->check, CRM_OUTCOME_PROBLEM_BACKWARDS) +
                            crm_outcome_check_count_skipped (self->check, CRM_OUTCOME_PROBLEM_UNCHANGED));
  gtk_label_set_text (self->summary, text);
  fill_problems (self);
  update_actions (self);
}

static void
show_busy (CrmOutcomeImport *self,
           const char       *title)
{
  adw_status_page_set_title (self->busy_page, title);
  adw_status_page_set_description (self->busy_page, NULL);
  gtk_progress_bar_set_fraction (self->progress, 0);
  gtk_progress_bar_set_text (self->progress, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->progress), self->importing);
  gtk_stack_set_visible_child_name (self->stack, "busy");
  update_actions (self);
}

static void
show_error (CrmOutcomeImport *self,
            const GError     *error)
{
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->stack, "choose")),
                                 "dialog-warning-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->stack, "choose")),
                             _("This File Cannot Be Imported"));
  adw_status_page_set_description (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->stack, "choose")),
                                   error->message);
  gtk_stack_set_visible_child_name (self->stack, "choose");
  update_actions (self);
}

/* The drop-downs: "Not in the file", then the header's columns. */
static void
fill_column_rows (CrmOutcomeImport *self,
                  const int         mapping[CRM_OUTCOME_N_COLUMNS])
{
  const char * const *header = crm_outcome_csv_get_header (self->csv);

  self->filling = TRUE;
  for (guint k = 0; k < CRM_OUTCOME_N_COLUMNS; k++)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

      gtk_string_list_append (names, _("Not in the file"));
      for (guint c = 0; header[c] != NULL; c++)
        gtk_string_list_append (names, *header[c] != '\0' ? header[c] : _("(no name)"));
      gtk_drop_down_set_model (column_row (self, k), G_LIST_MODEL (names));
      gtk_drop_down_set_selected (column_row (self, k), mapping[k] < 0 ? 0 : (guint) mapping[k] + 1);
    }
  self->filling = FALSE;
}

static void
show_file (CrmOutcomeImport *self)
{
  char delimiter = crm_outcome_csv_get_delimiter (self->csv);
  const char *delimiter_name = delimiter == ';' ? _("semicolons") : delimiter == '\t' ? _("tabs") : _("commas");
  g_autofree char *subtitle = g_strdup_printf (_("%s, columns separated by %s, %u rows"),
                                               crm_outcome_csv_get_encoding (self->csv), delimiter_name,
                                               crm_outcome_csv_get_n_rows (self->csv));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), self->file_name);
  adw_action_row_set_subtitle (self->file_row, subtitle);
  fill_preview (self);
  show_summary (self);
  gtk_stack_set_visible_child_name (self->stack, "check");
  update_actions (self);
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                           */
/* ------------------------------------------------------------------ */

static void
file_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (source);
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  self->busy--;
  /* closed meanwhile, or another file chosen */
  if (self->stack == NULL || job->generation != self->generation)
    return;
  if (!g_task_propagate_boolean (task, &error))
    {
      show_error (self, error);
      return;
    }
  if (job->loaded != NULL && self->campaign == NULL)
    self->campaign = g_steal_pointer (&job->loaded);
  g_clear_pointer (&self->csv, crm_outcome_csv_unref);
  self->csv = crm_outcome_csv_ref (job->csv);
  g_clear_pointer (&self->check, crm_outcome_check_unref);
  self->check = job->check ? crm_outcome_check_ref (job->check) : NULL;
  fill_column_rows (self, job->mapping);
  show_file (self);
}

static void
rechecked_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (source);
  GTask *task = G_TASK (result);
  Job *job = g_task_get_task_data (task);

  self->busy--;
  if (self->stack == NULL)
    return;
  if (!g_task_propagate_boolean (task, NULL) || job->generation != self->generation)
    {
      update_actions (self);
      return;
    }
  g_clear_pointer (&self->check, crm_outcome_check_unref);
  self->check = job->check ? crm_outcome_check_ref (job->check) : NULL;
  show_summary (self);
}

static void
mapping_changed_cb (CrmOutcomeImport *self)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (self->filling || self->csv == NULL || self->campaign == NULL)
    return;
  job = g_new0 (Job, 1);
  job->csv = crm_outcome_csv_ref (self->csv);
  job->campaign = self->campaign;
  job->generation = ++self->generation;
  get_mapping (self, job->mapping);
  fill_preview (self);
  g_clear_pointer (&self->check, crm_outcome_check_unref);
  self->busy++;
  gtk_label_set_text (self->summary, _("Checking…"));
  update_actions (self);
  task = g_task_new (self, NULL, rechecked_cb, NULL);
  g_task_set_source_tag (task, mapping_changed_cb);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, read_and_check_thread);
}

static gboolean
progress_cb (gpointer user_data)
{
  CrmOutcomeImport *self = user_data;
  guint done = crm_outcome_check_get_n_done (self->check);
  guint total = crm_outcome_check_get_good (self->check)->len;
  g_autofree char *text = g_strdup_printf (_("%u of %u rows queued"), done, total);

  gtk_progress_bar_set_fraction (self->progress, total > 0 ? (double) done / total : 1.0);
  gtk_progress_bar_set_text (self->progress, text);
  return G_SOURCE_CONTINUE;
}

static void
imported_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (source);
  g_autoptr(GError) error = NULL;
  gssize stopped = g_task_propagate_int (G_TASK (result), &error);
  guint good = crm_outcome_check_get_good (self->check)->len;
  guint queued = crm_outcome_check_get_n_queued (self->check);
  guint rejected = crm_outcome_check_get_rejected (self->check)->len;
  guint skipped = crm_outcome_check_get_skipped (self->check)->len;
  g_autofree char *text = NULL;

  self->busy--;
  self->importing = FALSE;
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_object (&self->import_cancellable);
  if (self->stack == NULL)
    return;
  if (stopped < 0)
    {
      show_error (self, error);
      return;
    }
  if (stopped)
    text = g_strdup_printf (_("%u of the %u good rows were queued before you cancelled; the other %u were not imported."
                              " Rejected: %u · Skipped: %u"),
                            queued, good, good - crm_outcome_check_get_n_done (self->check), rejected, skipped);
  else
    text = g_strdup_printf (_("Imported: %u · Rejected: %u · Skipped: %u\nThe imported outcomes are sent to the server"
                              " with your other changes."),
                            queued, rejected, skipped);
  adw_status_page_set_icon_name (self->done_page, stopped ? "process-stop-symbolic" : "emblem-ok-symbolic");
  adw_status_page_set_title (self->done_page, stopped ? _("Import Cancelled") : _("Import Finished"));
  adw_status_page_set_description (self->done_page, text);
  gtk_stack_set_visible_child_name (self->stack, "done");
  update_actions (self);
}

static void
chooser_response_cb (GtkNativeDialog  *dialog,
                     int               response,
                     CrmOutcomeImport *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->chooser);
  if (file != NULL)
    crm_outcome_import_open_file (self, file);
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CrmOutcomeImport) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error) && self->stack != NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The Rejected Rows Were Not Saved"),
                                                  error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
save_response_cb (GtkNativeDialog  *dialog,
                  int               response,
                  CrmOutcomeImport *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  g_clear_object (&self->chooser);
  if (file != NULL && self->check != NULL)
    {
      gsize length = 0;
      char *text = crm_outcome_check_rejected_csv (self->check, self->csv, &length);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, length);

      g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                           saved_cb, g_object_ref (self));
    }
}

static gboolean
close_request_cb (GtkWindow *window)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (window);

  /* what was queued stays queued; the summary says how much */
  if (self->importing)
    {
      g_cancellable_cancel (self->import_cancellable);
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Actions                                                             */
/* ------------------------------------------------------------------ */

static void
choose_action (GtkWidget  *widget,
               const char *action,
               GVariant   *parameter)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (widget);
  g_autoptr(GtkFileFilter) csv = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  self->chooser = gtk_file_chooser_native_new (_("Choose a File of Outcomes"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (csv, _("CSV files"));
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_add_suffix (csv, "txt");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_rejected_action (GtkWidget  *widget,
                      const char *action,
                      GVariant   *parameter)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (widget);
  g_autofree char *base = self->file_name ? g_strdup (self->file_name) : g_strdup ("outcomes.csv");
  g_autofree char *name = NULL;
  char *dot = strrchr (base, '.');

  if (dot != NULL)
    *dot = '\0';
  /* TRANSLATORS: the file of rejected rows; %s is the imported file's name */
  name = g_strdup_printf (_("%s-rejected.csv"), base);
  self->chooser = gtk_file_chooser_native_new (_("Save Rejected Rows"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect (self->chooser, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
run_action (GtkWidget  *widget,
            const char *action,
            GVariant   *parameter)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (widget);
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (self->check == NULL || self->importing || crm_outcome_check_get_good (self->check)->len == 0)
    return;
  job = g_new0 (Job, 1);
  job->store = g_object_ref (self->store);
  job->check = crm_outcome_check_ref (self->check);
  self->importing = TRUE;
  self->busy++;
  self->import_cancellable = g_cancellable_new ();
  show_busy (self, _("Importing Outcomes"));
  progress_cb (self);
  self->progress_id = g_timeout_add (100, progress_cb, self);
  task = g_task_new (self, self->import_cancellable, imported_cb, NULL);
  g_task_set_source_tag (task, run_action);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* cancelled, it stops between units and still says what it queued */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, import_thread);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action,
               GVariant   *parameter)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (widget);

  if (self->importing)
    g_cancellable_cancel (self->import_cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

/* ------------------------------------------------------------------ */

static void
problem_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_list_item_set_child (item, label);
}

static void
problem_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 gpointer                  user_data)
{
  GtkStringObject *line = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (line));
}

static void
crm_outcome_import_dispose (GObject *object)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (object);

  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_OUTCOME_IMPORT);
  G_OBJECT_CLASS (crm_outcome_import_parent_class)->dispose (object);
}

static void
crm_outcome_import_finalize (GObject *object)
{
  CrmOutcomeImport *self = CRM_OUTCOME_IMPORT (object);

  g_clear_object (&self->store);
  g_clear_object (&self->problem_model);
  g_clear_object (&self->import_cancellable);
  g_clear_pointer (&self->campaign, crm_outcome_campaign_free);
  g_clear_pointer (&self->csv, crm_outcome_csv_unref);
  g_clear_pointer (&self->check, crm_outcome_check_unref);
  g_free (self->campaign_id);
  g_free (self->file_name);
  G_OBJECT_CLASS (crm_outcome_import_parent_class)->finalize (object);
}

static void
crm_outcome_import_class_init (CrmOutcomeImportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = crm_outcome_import_dispose;
  object_class->finalize = crm_outcome_import_finalize;
  window_class->close_request = close_request_cb;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/keylinecrm/Keyline/crm-outcome-import.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, import_button);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, file_row);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, preview);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, customer_column);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, outcome_column);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, channel_column);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, time_column);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, summary);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, problems);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, busy_page);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, done_page);
  gtk_widget_class_bind_template_child (widget_class, CrmOutcomeImport, progress);

  gtk_widget_class_install_action (widget_class, "import.choose", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "import.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.save-rejected", NULL, save_rejected_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "import.cancel", NULL);
}

static void
crm_outcome_import_init (CrmOutcomeImport *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkExpression) expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->problem_model = gtk_string_list_new (NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (problem_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (problem_bind_cb), NULL);
  gtk_list_view_set_factory (self->problems, factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->problem_model)));
  gtk_list_view_set_model (self->problems, GTK_SELECTION_MODEL (selection));
  for (guint k = 0; k < CRM_OUTCOME_N_COLUMNS; k++)
    {
      gtk_drop_down_set_expression (column_row (self, k), expression);
      g_signal_connect_swapped (column_row (self, k), "notify::selected", G_CALLBACK (mapping_changed_cb), self);
    }
  update_actions (self);
}

GtkWidget *
crm_outcome_import_new (GtkWindow  *parent,
                        CrmStore   *store,
                        const char *campaign_id)
{
  CrmOutcomeImport *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CRM_IS_STORE (store), NULL);
  g_return_val_if_fail (campaign_id != NULL, NULL);

  self = g_object_new (CRM_TYPE_OUTCOME_IMPORT, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->campaign_id = g_strdup (campaign_id);
  return GTK_WIDGET (self);
}

void
crm_outcome_import_open_file (CrmOutcomeImport *self,
                              GFile            *file)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (CRM_IS_OUTCOME_IMPORT (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->importing)
    return;
  g_free (self->file_name);
  self->file_name = g_file_get_basename (file);
  job = g_new0 (Job, 1);
  job->file = g_object_ref (file);
  job->store = g_object_ref (self->store);
  job->campaign_id = g_strdup (self->campaign_id);
  job->campaign = self->campaign;
  job->generation = ++self->generation;
  self->busy++;
  show_busy (self, _("Reading the File"));
  task = g_task_new (self, NULL, file_read_cb, NULL);
  g_task_set_source_tag (task, crm_outcome_import_open_file);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, read_and_check_thread);
}

gboolean
crm_outcome_import_is_busy (CrmOutcomeImport *self)
{
  g_return_val_if_fail (CRM_IS_OUTCOME_IMPORT (self), FALSE);

  return self->busy > 0;
}
