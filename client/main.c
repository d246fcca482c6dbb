#define G_LOG_DOMAIN "keyline"

#include "config.h"

#include <locale.h>

#include "crm-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CrmApplication) application = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettingsSchemaSource *source;

  setlocale (LC_ALL, "");
  crm_application_setup_gettext ();

  /* Without its schema GSettings would abort; say how to run uninstalled. */
  source = g_settings_schema_source_get_default ();
  schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  if (schema == NULL)
    {
      g_printerr ("keyline: the settings schema %s is not installed; to run from the build tree "
                  "use `meson devenv -C _build client/keyline` or set GSETTINGS_SCHEMA_DIR=_build/client\n",
                  APP_ID);
      return 1;
    }

  application = crm_application_new ();

  return g_application_run (G_APPLICATION (application), argc, argv);
}
