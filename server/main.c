#define G_LOG_DOMAIN "keyline-server"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "crm-auth.h"
#include "crm-commands.h"
#include "crm-config.h"

static const struct {
  const char *name;
  int (*run) (CrmConfig *config, int argc, char **argv);
  const char *summary;
} commands[] = {
  { "serve",   crm_serve_command,   "Serve the API (the default)" },
  { "migrate", crm_migrate_command, "Apply database migrations and exit" },
  { "seed",    crm_seed_command,    "Fill an empty database with demo data" },
  { "user",    crm_user_command,    "Manage users: user add LOGIN --role ROLE [--team TEAM]" },
  { "refresh", crm_refresh_command, "Bring derived figures (ARPU trends) to the current month" },
};

static int
usage (void)
{
  fprintf (stderr,
           "Usage: keyline-server [--config FILE] [--database CONNINFO] [--listen HOST:PORT] "
           "[--threads N]\n    [--request-timeout SECONDS] [--max-client-connections N]\n"
           "    [--identity-cache-entries N] [--identity-cache-seconds SECONDS]\n"
           "    [--sync-count-sample N] [COMMAND] [ARGS]\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stderr, "  %-8s %s\n", commands[i].name, commands[i].summary);
  return 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CrmConfig) config = crm_config_new ();
  g_autoptr(GError) error = NULL;
  char *serve_argv[] = { (char *) "serve", NULL };

  setlocale (LC_ALL, "");

  if (!crm_auth_init (&error) || !crm_config_parse (config, &argc, &argv, &error))
    {
      fprintf (stderr, "keyline-server: %s\n", error->message);
      return 2;
    }
  crm_config_apply_log_level (config);

  if (argc < 2)
    return crm_serve_command (config, 1, serve_argv);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (config, argc - 1, argv + 1);

  if (g_str_equal (argv[1], "help") || g_str_equal (argv[1], "--help"))
    {
      usage ();
      return 0;
    }
  fprintf (stderr, "keyline-server: unknown command “%s”\n", argv[1]);
  return usage ();
}
